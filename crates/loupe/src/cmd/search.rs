//! `loupe search QUERY`: search the stored catalog as a shopper would, with
//! the same engine and the same JSON (`--json`) as `GET /v1/search`.

use std::path::Path;

use anyhow::Context;
use search::{Filters, SearchRequest, Sort};
use server::wire::search::SearchResponse;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What the shopper typed (several words are joined); empty browses everything.
    pub query: Vec<String>,
    /// Hits to show (1 to 100).
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Hits to skip.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    /// A facet filter, repeatable: category, metal, color, stone, gender, size,
    /// price (`100-500`), karat, origin, in_stock. Values of one field are
    /// alternatives: `--filter metal=gold,silver`.
    #[arg(long = "filter", value_name = "FIELD=VALUE")]
    pub filters: Vec<String>,
    /// relevance, price_asc, price_desc, newest or best_selling.
    #[arg(long, default_value = "relevance")]
    pub sort: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    if args.limit == 0 || args.limit > search::MAX_LIMIT {
        anyhow::bail!("--limit must be between 1 and {}", search::MAX_LIMIT);
    }
    let mut filters = Filters::default();
    for f in &args.filters {
        filters.add(f).with_context(|| format!("Bad --filter {f:?}"))?;
    }
    let req = SearchRequest {
        query: args.query.join(" "),
        filters,
        sort: Sort::parse(&args.sort).context("Bad --sort")?,
        limit: args.limit,
        offset: args.offset,
        now: chrono::Utc::now().timestamp(),
    };
    let store = super::products::open_store(data)?;
    let (_, index) = server::jobs::build_search_index(&store)?;
    let response = index.search(&req).context("Search failed")?;
    let wire = SearchResponse::from_engine(&req, &response, index.price_bounds(&response.understood));
    if args.json {
        println!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    print_text(&wire);
    Ok(())
}

fn print_text(r: &SearchResponse) {
    let u = &r.understood;
    let said: Vec<String> = u
        .constraints
        .iter()
        .chain(&u.preferences)
        .map(|i| format!("{}={} ('{}')", i.field, i.value, i.from))
        .collect();
    if !said.is_empty() {
        println!("understood: {}", said.join(", "));
    }
    if !u.terms.is_empty() {
        println!("words: {}", u.terms.join(" "));
    }
    for c in &u.corrections {
        println!("corrected: {} -> {}", c.from, c.to);
    }
    for i in &u.ignored {
        println!("ignored: {i}");
    }
    for x in &r.relaxed {
        println!("relaxed {}: {}", x.constraint, x.detail);
    }
    println!("{} results", r.total);
    for (i, h) in r.hits.iter().enumerate() {
        let price = match (h.price, &h.currency) {
            (Some(p), Some(c)) => format!("{p:.2} {c}"),
            _ => "-".into(),
        };
        println!(
            "{:>3}. {} [{}] {} {}  score {:.2}",
            r.offset + i + 1,
            h.title,
            h.handle,
            h.variant_sku.as_deref().unwrap_or("-"),
            price,
            h.score
        );
        for w in &h.why {
            println!("       {:+.2} {}: {}", w.contribution, w.signal, w.detail);
        }
    }
}
