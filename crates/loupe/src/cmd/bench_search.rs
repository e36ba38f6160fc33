//! `loupe bench search`: search latency in process, on one thread, over a
//! realistic query mix against the stored catalog (the demo brand with
//! `--products 100000` for the figures in BENCHMARKS.md), beside the plain
//! tantivy query on the same index as the floor. Also the index build rate
//! and the memory the index takes.
//!
//! The mix is the demo's simulated shoppers' queries (weighted by how often
//! each was searched) when `<data>/demo/ground_truth/queries.jsonl` exists,
//! else a built-in list; a fifth of the searches also carry a facet filter
//! and a tenth sort by price, as a storefront does.

use crate::out::outln;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use search::{Filters, SearchRequest, Sort};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Searches to time (after a warm-up of a tenth as many).
    #[arg(long, default_value_t = 5000)]
    pub searches: usize,
}

/// Used when there is no simulator ground truth.
const BUILT_IN_MIX: &[&str] = &[
    "ring",
    "gold necklace",
    "delicate yellow gold birthstone necklace under $150",
    "stackable ring for everyday wear",
    "earings rose gold",
    "gift for my wife's anniversary",
    "diamond stud earrings",
    "silver hoops",
    "engagement ring platinum",
    "mens wedding band",
    "july birthstone",
    "pearl necklace for mom",
    "cuff links for dad",
    "tennis bracelet under 2000",
    "sapphire ring 14k white gold",
    "huggie earrings",
    "christening bracelet for a baby",
    "chunky gold chain 20 inch",
    "emerald pendant",
    "cheap silver bracelet",
    "lab grown diamond ring size 7",
    "red stone ring",
    "braclet",
    "minimal necklace",
    "",
];

fn rss_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// A deterministic pseudo-random sequence (no dependency, reproducible mix).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn mix(data: &Path) -> anyhow::Result<(String, Vec<(String, u64)>)> {
    let path = data.join("demo").join("ground_truth").join("queries.jsonl");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value =
                serde_json::from_str(line).with_context(|| format!("{}: not JSON", path.display()))?;
            if let Some(q) = v["query"].as_str() {
                out.push((q.to_string(), v["searches"].as_u64().unwrap_or(1).max(1)));
            }
        }
        if !out.is_empty() {
            return Ok((format!("simulated shoppers' queries ({})", out.len()), out));
        }
    }
    Ok(("built-in mix".into(), BUILT_IN_MIX.iter().map(|q| (q.to_string(), 1)).collect()))
}

pub fn run(data: &Path, args: Args, json: bool) -> anyhow::Result<()> {
    let store = super::products::open_store(data)?;
    let products = store.products().context("Failed to read the catalog")?;
    anyhow::ensure!(
        !products.is_empty(),
        "the store in {} has no products (try `loupe demo --products 100000 --no-serve`)",
        data.display()
    );
    let events = store.events().context("Failed to read events")?;
    let rss_before = rss_kib("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    let stats = search::BehaviourStats::from_events(&events);
    let stats_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let index = search::SearchIndex::build(&products, &stats, &search::Config::default())?;
    let build = t.elapsed().as_secs_f64();
    let rss_after = rss_kib("VmRSS:").unwrap_or(0);
    let n_products = products.len();
    let n_variants: usize = products.iter().map(|p| p.variants.len()).sum();
    drop(products);

    let (mix_name, queries) = mix(data)?;
    let total_weight: u64 = queries.iter().map(|(_, w)| w).sum();
    let mut rng = Lcg(42);
    let filters =
        ["metal=gold", "metal=silver", "category=ring", "price=100-500", "stone=diamond", "color=rose"];
    let mut requests = Vec::with_capacity(args.searches);
    for _ in 0..args.searches + args.searches / 10 {
        let mut pick = rng.next() % total_weight.max(1);
        let q = queries.iter().find(|(_, w)| {
            if pick < *w {
                true
            } else {
                pick -= w;
                false
            }
        });
        let mut req = SearchRequest::new(q.map_or("", |(q, _)| q.as_str()));
        req.now = 1_800_000_000;
        let r = rng.next() % 10;
        if r < 2 {
            let mut f = Filters::default();
            f.add(filters[(rng.next() % filters.len() as u64) as usize])?;
            req.filters = f;
        } else if r == 2 {
            req.sort = Sort::PriceAsc;
        }
        requests.push(req);
    }
    let (warm, timed) = requests.split_at(args.searches / 10);
    for req in warm {
        index.search(req)?;
        index.baseline(&req.query, 20)?;
    }
    let mut loupe = Vec::with_capacity(timed.len());
    let mut floor = Vec::with_capacity(timed.len());
    let mut hits = 0usize;
    for req in timed {
        let t = Instant::now();
        let r = index.search(req)?;
        loupe.push(t.elapsed().as_secs_f64() * 1000.0);
        hits += r.hits.len();
        let t = Instant::now();
        let b = index.baseline(&req.query, 20)?;
        floor.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(b);
    }
    loupe.sort_by(f64::total_cmp);
    floor.sort_by(f64::total_cmp);
    let summary = |v: &[f64]| {
        serde_json::json!({
            "p50_ms": percentile(v, 0.5), "p90_ms": percentile(v, 0.9), "p99_ms": percentile(v, 0.99),
            "max_ms": v.last().copied().unwrap_or(0.0), "mean_ms": v.iter().sum::<f64>() / v.len().max(1) as f64,
        })
    };
    let out = serde_json::json!({
        "products": n_products, "variants": n_variants, "events": events.len(),
        "behaviour_seconds": stats_secs, "index_build_seconds": build, "products_per_second": n_products as f64 / build.max(1e-9),
        "index_rss_mib": (rss_after.saturating_sub(rss_before)) as f64 / 1024.0,
        "peak_rss_mib": rss_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0,
        "mix": mix_name, "searches": timed.len(), "mean_hits": hits as f64 / timed.len().max(1) as f64,
        "loupe": summary(&loupe), "plain_tantivy": summary(&floor),
        "ratio_p50": percentile(&loupe, 0.5) / percentile(&floor, 0.5).max(1e-9),
        "ratio_p99": percentile(&loupe, 0.99) / percentile(&floor, 0.99).max(1e-9),
    });
    if json {
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    outln!(
        "{n_products} products, {n_variants} variants, {} events (behaviour stats {stats_secs:.2} s)",
        events.len()
    );
    outln!("index build {build:.2} s ({:.0} products/s), index memory ~{:.0} MiB (RSS delta), peak RSS {:.0} MiB",
        n_products as f64 / build.max(1e-9), out["index_rss_mib"].as_f64().unwrap_or(0.0), out["peak_rss_mib"].as_f64().unwrap_or(0.0));
    outln!("{} searches from the {mix_name}, one thread:", timed.len());
    for (name, v) in [("loupe", &loupe), ("plain tantivy", &floor)] {
        outln!(
            "  {name:<14} p50 {:.3} ms  p90 {:.3} ms  p99 {:.3} ms  max {:.3} ms",
            percentile(v, 0.5),
            percentile(v, 0.9),
            percentile(v, 0.99),
            v.last().copied().unwrap_or(0.0)
        );
    }
    outln!(
        "  ratio loupe/plain: p50 {:.2}x  p99 {:.2}x",
        out["ratio_p50"].as_f64().unwrap_or(0.0),
        out["ratio_p99"].as_f64().unwrap_or(0.0)
    );
    Ok(())
}
