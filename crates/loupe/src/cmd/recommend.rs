//! `loupe recommend`: recommendations for a product, a customer, a cart, a
//! session or a gift brief, with the same engine and JSON as
//! `GET /v1/recommendations`; and the batch form, `--customers FILE`, which
//! trains once and scores one customer per line in parallel, printing one
//! JSON line per customer.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use recs::{Context, Recommender, Request};
use server::wire::recs::{items, CustomerRecommendations, RecContext, Recommendations};

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("context").required(true).args(["product", "customer", "cart", "session", "gift", "trending", "customers"])))]
pub struct Args {
    /// A product page: numeric id, handle or SKU.
    #[arg(long)]
    pub product: Option<String>,
    /// "For you": a customer id.
    #[arg(long)]
    pub customer: Option<String>,
    /// A cart: comma-separated SKUs (or handles).
    #[arg(long)]
    pub cart: Option<String>,
    /// A browsing session id (its viewed products are read from the events).
    #[arg(long)]
    pub session: Option<String>,
    /// A gift brief: "for mom, under 200".
    #[arg(long)]
    pub gift: Option<String>,
    /// Trending now, aware of the season.
    #[arg(long)]
    pub trending: bool,
    /// Batch: a file with one customer id per line; prints one JSON line each.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Items per answer (1 to 100).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    if args.limit == 0 || args.limit > 100 {
        anyhow::bail!("--limit must be between 1 and 100");
    }
    let store = super::products::open_store(data)?;
    let started = Instant::now();
    let model = server::jobs::recs::train_from_store(&store, chrono::Utc::now().timestamp())
        .context("Failed to train the recommender from the store")?;
    let trained = started.elapsed();
    if let Some(file) = &args.customers {
        return batch(&model, file, args.limit, trained);
    }
    let (context, known) = resolve(&model, &store, &args)?;
    let list = model.recommend(&Request::new(context.clone(), args.limit));
    let wire = Recommendations { context: RecContext::of(&context, known), items: items(&list) };
    if args.json {
        println!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    if !known {
        println!("(not known: popular pieces instead)");
    }
    for (n, it) in wire.items.iter().enumerate() {
        println!("{:>2}. {}  [{}]  score {:.3}", n + 1, it.title, it.handle, it.score);
        for w in &it.why {
            println!("      - {} ({:.3}): {}", w.signal, w.contribution, w.detail);
        }
    }
    if wire.items.is_empty() {
        println!("no recommendations (is the store empty?)");
    }
    Ok(())
}

fn resolve(model: &Recommender, store: &store::Store, args: &Args) -> anyhow::Result<(Context, bool)> {
    if let Some(key) = &args.product {
        let id = model
            .resolve_product(key)
            .with_context(|| format!("No product has the id, handle or SKU {key:?}"))?;
        return Ok((Context::Product(id), true));
    }
    if let Some(c) = &args.customer {
        return Ok((Context::Customer(c.trim().to_string()), model.knows_customer(c.trim())));
    }
    if let Some(cart) = &args.cart {
        let skus: Vec<String> =
            cart.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let known = skus.iter().any(|s| model.resolve_product(s).is_some());
        return Ok((Context::Cart(skus), known));
    }
    if let Some(s) = &args.session {
        let recent = server::jobs::recs::session_handles(store, s, chrono::Utc::now().timestamp_millis())?;
        let known = recent.iter().any(|h| model.resolve_product(h).is_some());
        return Ok((Context::Session { id: Some(s.clone()), recent }, known));
    }
    if let Some(g) = &args.gift {
        return Ok((Context::Gift(recs::parse_brief(g)), true));
    }
    Ok((Context::Trending, true))
}

/// Scores every customer of `file` over two threads, printing in file order.
fn batch(model: &Recommender, file: &Path, limit: usize, trained: std::time::Duration) -> anyhow::Result<()> {
    let f = std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?;
    let mut ids: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line.with_context(|| format!("Failed to read {}", file.display()))?;
        let id = line.trim().trim_end_matches(".0");
        if !id.is_empty() {
            ids.push(id.to_string());
        }
    }
    let started = Instant::now();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2).clamp(1, 8);
    let chunk = ids.len().div_ceil(threads).max(1);
    let mut lines: Vec<String> = vec![String::new(); ids.len()];
    std::thread::scope(|s| {
        for (part, out) in ids.chunks(chunk).zip(lines.chunks_mut(chunk)) {
            s.spawn(move || {
                for (id, slot) in part.iter().zip(out) {
                    let list = model.recommend(&Request::new(Context::Customer(id.clone()), limit));
                    let line = CustomerRecommendations { customer_id: id.clone(), items: items(&list) };
                    *slot = serde_json::to_string(&line).unwrap_or_default();
                }
            });
        }
    });
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for l in &lines {
        writeln!(out, "{l}")?;
    }
    out.flush()?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    eprintln!(
        "trained in {:.2}s; {} customers in {:.3}s ({:.0} per second)",
        trained.as_secs_f64(),
        ids.len(),
        secs,
        ids.len() as f64 / secs
    );
    Ok(())
}
