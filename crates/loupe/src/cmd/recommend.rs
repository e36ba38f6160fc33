//! `loupe recommend`: recommendations for a product, a customer, a cart, a
//! session or a gift brief, with the same engine and JSON as
//! `GET /v1/recommendations`; and the batch form, `--customers FILE`, which
//! trains once and scores one customer per line in parallel, printing one
//! JSON line per customer.

use crate::out::outln;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use app::recommend::{Target, TargetOptions};
use app::wire::recs::{items, CustomerRecommendations, Recommendations};
use recs::{Context, Recommender, Request};

use super::Opened;
use crate::remote::encode;

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
    app::recommend::check_limit(args.limit)?;
    let opened = super::open(data)?;
    if let Some(file) = &args.customers {
        let ids = read_ids(file)?;
        return match opened {
            Opened::Local(app) => {
                let started = Instant::now();
                let model = app.engines.recs().context("Failed to train the recommender from the store")?;
                batch(&model, &ids, args.limit, started.elapsed())
            }
            Opened::Server(server) => {
                for id in &ids {
                    let r: Recommendations = server.get_json(&format!(
                        "/v1/recommendations?customer={}&limit={}",
                        encode(id),
                        args.limit
                    ))?;
                    let line = CustomerRecommendations { customer_id: id.clone(), items: r.items };
                    outln!("{}", serde_json::to_string(&line)?);
                }
                Ok(())
            }
        };
    }
    let target = Target::from_options(TargetOptions {
        product: args.product,
        customer: args.customer,
        cart: args.cart,
        session: args.session,
        gift: args.gift,
        trending: args.trending,
    })?;
    let wire = match opened {
        Opened::Local(app) => app::recommend::recommend(&app.engines, &target, args.limit)?,
        Opened::Server(server) => {
            let param = match &target {
                Target::Product(v) => format!("product={}", encode(v)),
                Target::Customer(v) => format!("customer={}", encode(v)),
                Target::Cart(v) => format!("cart={}", encode(v)),
                Target::Session(v) => format!("session={}", encode(v)),
                Target::Gift(v) => format!("gift={}", encode(v)),
                Target::Trending => "trending=true".to_string(),
            };
            server.get_json(&format!("/v1/recommendations?{param}&limit={}", args.limit))?
        }
    };
    if args.json {
        outln!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    if !wire.context.known {
        outln!("(not known: popular pieces instead)");
    }
    for (n, it) in wire.items.iter().enumerate() {
        outln!("{:>2}. {}  [{}]  score {:.3}", n + 1, it.title, it.handle, it.score);
        for w in &it.why {
            outln!("      - {} ({:.3}): {}", w.signal, w.contribution, w.detail);
        }
    }
    if wire.items.is_empty() {
        // Popular and trending pieces rest on orders: a catalog alone has
        // nothing true to say about demand.
        outln!(
            "no recommendations: nothing to go on yet (import orders or send events; is the catalog empty?)"
        );
    }
    Ok(())
}

/// Customer ids, one per line (a trailing `.0` from a spreadsheet export is dropped).
fn read_ids(file: &Path) -> anyhow::Result<Vec<String>> {
    let f = std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?;
    let mut ids: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(f).lines() {
        let line = line.with_context(|| format!("Failed to read {}", file.display()))?;
        let id = line.trim().trim_end_matches(".0");
        if !id.is_empty() {
            ids.push(id.to_string());
        }
    }
    Ok(ids)
}

fn batch(
    model: &Recommender,
    ids: &[String],
    limit: usize,
    trained: std::time::Duration,
) -> anyhow::Result<()> {
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
    let mut text = String::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
    for l in &lines {
        text.push_str(l);
        text.push('\n');
    }
    crate::out::write_str(&text);
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
