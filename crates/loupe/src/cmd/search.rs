//! `loupe search QUERY`: search the stored catalog as a shopper would, with
//! the same use case (`app::search`) and the same JSON (`--json`) as
//! `GET /v1/search`; through the server when one holds the store.

use crate::out::outln;
use std::path::Path;

use app::search::SearchQuery;
use app::wire::search::SearchResponse;

use super::Opened;
use crate::remote::encode;

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
    let query = SearchQuery {
        query: args.query.join(" "),
        filters: args.filters,
        field_filters: Vec::new(),
        sort: Some(args.sort),
        limit: args.limit,
        offset: args.offset,
    };
    let wire: SearchResponse = match super::open(data)? {
        Opened::Local(app) => {
            let req = app::search::request(query, app.clock.now_secs())?;
            app::search::search(&app.engines, &req)?
        }
        Opened::Server(server) => {
            // The same request as query parameters; the server checks it the same way.
            let mut path = format!(
                "/v1/search?q={}&limit={}&offset={}&sort={}",
                encode(&query.query),
                query.limit,
                query.offset,
                encode(query.sort.as_deref().unwrap_or("relevance"))
            );
            for f in &query.filters {
                path.push_str(&format!("&filter={}", encode(f)));
            }
            server.get_json(&path)?
        }
    };
    if args.json {
        outln!("{}", serde_json::to_string(&wire)?);
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
        outln!("understood: {}", said.join(", "));
    }
    if !u.terms.is_empty() {
        outln!("words: {}", u.terms.join(" "));
    }
    for c in &u.corrections {
        outln!("corrected: {} -> {}", c.from, c.to);
    }
    for i in &u.ignored {
        outln!("ignored: {i}");
    }
    for x in &r.relaxed {
        outln!("relaxed {}: {}", x.constraint, x.detail);
    }
    outln!("{} results", r.total);
    for (i, h) in r.hits.iter().enumerate() {
        let price = match (h.price, &h.currency) {
            (Some(p), Some(c)) => format!("{p:.2} {c}"),
            _ => "-".into(),
        };
        outln!(
            "{:>3}. {} [{}] {} {}  score {:.2}",
            r.offset + i + 1,
            h.title,
            h.handle,
            h.variant_sku.as_deref().unwrap_or("-"),
            price,
            h.score
        );
        for w in &h.why {
            outln!("       {:+.2} {}: {}", w.contribution, w.signal, w.detail);
        }
    }
}
