//! `loupe eval recs`: recommendations measured on a temporal split of orders
//! (Recall@k, NDCG@k, hit rate, catalogue coverage) for each model, the
//! blend and a popularity baseline. Orders come from `--orders FILE` (read
//! with the same parser and `--map` as `loupe import orders`) or from the
//! store; products from the store, plus minimal products for SKUs it does not
//! know, as an orders import would create them.

use crate::out::outln;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::wire::recs::RecsEval;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An orders file (CSV); without it, the store's order lines.
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Map an order field to a column: `--map sku=StockCode` (repeat).
    #[arg(long = "map", value_name = "TARGET=SOURCE")]
    pub map: Vec<String>,
    /// Train on what happened before this day (YYYY-MM-DD), test on after.
    #[arg(long)]
    pub split_date: String,
    /// Cut-offs, comma-separated.
    #[arg(long, default_value = "10,20")]
    pub k: String,
    /// Evaluate at most this many customers (the first by id).
    #[arg(long)]
    pub max_customers: Option<usize>,
    /// Try other blend weights: cooc,als,neighbours,content,set,repeat,popular,trend,diversity,rules(0/1).
    #[arg(long, value_name = "W,W,...")]
    pub blend: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let day = chrono::NaiveDate::parse_from_str(&args.split_date, "%Y-%m-%d")
        .with_context(|| format!("--split-date {:?} is not YYYY-MM-DD", args.split_date))?;
    let split = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0);
    let ks: Vec<usize> = args
        .k
        .split(',')
        .map(|s| s.trim().parse::<usize>().ok().filter(|k| (1..=1000).contains(k)))
        .collect::<Option<Vec<_>>>()
        .with_context(|| format!("--k {:?} is not a list of numbers from 1 to 1000", args.k))?;
    let (products, events, store_lines) = if data.join("loupe.redb").exists() {
        let store = super::super::products::open_store(data)?;
        let lines = if args.orders.is_none() { store.order_lines()? } else { Vec::new() };
        (store.products()?, store.events()?, lines)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let mut lines = match &args.orders {
        Some(file) => read_orders(file, &args.map)?,
        None => store_lines,
    };
    if lines.is_empty() {
        anyhow::bail!("no order lines: give --orders FILE or import orders into {}", data.display());
    }
    lines.sort_by_key(|l| l.ordered_at);
    let mut all = products;
    let extra = recs::minimal_products(&lines, &all);
    all.extend(extra);
    let mut cfg = recs::eval::EvalConfig::new(split, ks);
    cfg.max_customers = args.max_customers;
    if let Some(b) = &args.blend {
        let v: Vec<f32> = b
            .split(',')
            .map(|x| x.trim().parse::<f32>().ok())
            .collect::<Option<Vec<_>>>()
            .filter(|v| v.len() == 10)
            .with_context(|| format!("--blend {b:?} is not ten numbers"))?;
        cfg.blend = Some(recs::Weights {
            cooc: v[0],
            als: v[1],
            neighbours: v[2],
            content: v[3],
            set: v[4],
            repeat: v[5],
            popular: v[6],
            trend: v[7],
            diversity: v[8],
            rules: v[9] > 0.0,
        });
    }
    let report = recs::eval::evaluate(&all, &lines, &events, &cfg);
    let wire = RecsEval::from_report(&args.split_date, &report);
    if args.json {
        outln!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    outln!(
        "split {}: {} training lines, {} test lines; {} customers evaluated ({} new after the split, not scored); {} products; trained in {:.2}s",
        wire.split_date, wire.train_lines, wire.test_lines, wire.customers, wire.cold_customers, wire.items, wire.train_seconds
    );
    for row in &wire.models {
        let cells: Vec<String> = row
            .at
            .iter()
            .map(|a| {
                format!(
                    "R@{k} {:.4}  NDCG@{k} {:.4}  HR@{k} {:.3}  cov@{k} {:.3}",
                    a.recall,
                    a.ndcg,
                    a.hit_rate,
                    a.coverage,
                    k = a.k
                )
            })
            .collect();
        outln!("{:<13} {}", row.model, cells.join(" | "));
    }
    Ok(())
}

fn read_orders(file: &Path, map: &[String]) -> anyhow::Result<Vec<model::OrderLine>> {
    let mapping = catalog::Mapping::parse(map).context("Bad --map")?;
    let f = std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?;
    let reader = catalog::read_orders(std::io::BufReader::new(f), &mapping, model::Currency::USD)
        .with_context(|| format!("Failed to read {}", file.display()))?;
    let mut lines = Vec::new();
    for line in reader {
        lines.push(line.with_context(|| format!("Failed to read {}", file.display()))?);
    }
    Ok(lines)
}
