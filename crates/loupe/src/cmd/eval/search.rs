//! `loupe eval search`: NDCG@k of Loupe's search beside a plain BM25
//! baseline (tantivy's default query parser over the same text), query by
//! query, on the stored catalog.
//!
//! Two judgment sources: a judged query set (`--judgments FILE`; by default
//! the Cartier set shipped with the search crate, for a store holding the
//! Cartier catalog), and, when `<data>/demo/ground_truth/` exists, the demo
//! simulator's shoppers (their queries, and the products their hidden
//! intent makes relevant).

use crate::out::outln;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use search::eval::{parse_judgments, EvalReport, CARTIER_JUDGMENTS};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Judged queries (format: see `search::eval`); default: the Cartier set.
    #[arg(long)]
    pub judgments: Option<PathBuf>,
    /// The simulator's ground truth directory; default `<data>/demo/ground_truth` if it exists.
    #[arg(long)]
    pub ground_truth: Option<PathBuf>,
    /// Skip the judged query set (only the simulated shoppers).
    #[arg(long)]
    pub no_judgments: bool,
    /// Cut-off rank.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let store = crate::cmd::products::open_store(data)?;
    let products = store.products().context("Failed to read the catalog")?;
    if products.is_empty() {
        anyhow::bail!("the store in {} has no products; import a catalog first", data.display());
    }
    let started = std::time::Instant::now();
    let (_, index) = app::jobs::build_search_index(&store)?;
    let build_secs = started.elapsed().as_secs_f64();
    let k = args.k.clamp(1, 100);
    let mut reports: Vec<(String, EvalReport)> = Vec::new();

    if !args.no_judgments {
        let (name, text) = match &args.judgments {
            Some(p) => (
                p.display().to_string(),
                std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
            ),
            None => ("cartier (built in)".to_string(), CARTIER_JUDGMENTS.to_string()),
        };
        let judged = parse_judgments(&text)?;
        reports.push((name, index.evaluate(&products, &judged, k)?));
    }
    let truth = args.ground_truth.clone().unwrap_or_else(|| data.join("demo").join("ground_truth"));
    if truth.join("queries.jsonl").exists() {
        let (queries, sets) = read_ground_truth(&truth)?;
        // Relevance sets are shared by many queries; at 100k products
        // copying one per query would not fit in memory.
        let empty = HashSet::new();
        let refs: Vec<(String, f64, &HashSet<String>)> =
            queries.into_iter().map(|(q, w, set)| (q, w, sets.get(&set).unwrap_or(&empty))).collect();
        reports.push((format!("simulated shoppers ({})", truth.display()), index.evaluate_sets(&refs, k)?));
    } else if args.ground_truth.is_some() {
        anyhow::bail!("{} has no queries.jsonl", truth.display());
    }

    if args.json {
        let out: Vec<serde_json::Value> = reports
            .iter()
            .map(|(name, r)| {
                serde_json::json!({
                    "set": name, "k": r.k, "products": products.len(), "index_build_seconds": build_secs,
                    "mean_ndcg": {"loupe": r.mean_loupe, "bm25": r.mean_baseline},
                    "weighted_ndcg": {"loupe": weighted(r, |q| q.loupe), "bm25": weighted(r, |q| q.baseline)},
                    "queries": r.queries.iter().map(|q| serde_json::json!({
                        "query": q.query, "loupe": q.loupe, "bm25": q.baseline, "relevant": q.relevant,
                        "searches": q.weight, "loupe_top": q.loupe_top,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    outln!("{} products, index built in {build_secs:.2} s", products.len());
    for (name, r) in &reports {
        outln!("\n{name}: {} queries, NDCG@{}", r.queries.len(), r.k);
        outln!("{:>6} {:>6} {:>5}  query", "loupe", "bm25", "rel");
        let mut qs: Vec<_> = r.queries.iter().collect();
        qs.sort_by(|a, b| a.loupe.total_cmp(&b.loupe).then_with(|| a.query.cmp(&b.query)));
        let shown = if qs.len() > 60 { &qs[..60] } else { &qs[..] };
        for q in shown {
            outln!("{:>6.3} {:>6.3} {:>5}  {}", q.loupe, q.baseline, q.relevant, q.query);
        }
        if qs.len() > shown.len() {
            outln!(
                "       ({} more, all at or above {:.3})",
                qs.len() - shown.len(),
                shown.last().map_or(0.0, |q| q.loupe)
            );
        }
        outln!("mean   loupe {:.3}  bm25 {:.3}", r.mean_loupe, r.mean_baseline);
        outln!(
            "weighted by searches: loupe {:.3}  bm25 {:.3}",
            weighted(r, |q| q.loupe),
            weighted(r, |q| q.baseline)
        );
    }
    Ok(())
}

fn weighted(r: &EvalReport, f: fn(&search::eval::QueryEval) -> f64) -> f64 {
    let total: f64 = r.queries.iter().map(|q| q.weight).sum();
    if total == 0.0 {
        return 0.0;
    }
    r.queries.iter().map(|q| f(q) * q.weight).sum::<f64>() / total
}

/// `queries.jsonl` (`query`, `searches`, `relevant_set`) and
/// `relevant_sets.jsonl` (`set`, `handles`) from the simulator.
type Queries = Vec<(String, f64, u64)>;

fn read_ground_truth(dir: &Path) -> anyhow::Result<(Queries, HashMap<u64, HashSet<String>>)> {
    let read = |name: &str| -> anyhow::Result<Vec<serde_json::Value>> {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("Failed to read {}", path.display()))?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).with_context(|| format!("{}:{}: not JSON", path.display(), i + 1))
            })
            .collect()
    };
    let mut sets: HashMap<u64, HashSet<String>> = HashMap::new();
    for v in read("relevant_sets.jsonl")? {
        let id = v["set"].as_u64().context("relevant_sets.jsonl: a line without `set`")?;
        let handles = v["handles"]
            .as_array()
            .map(|a| a.iter().filter_map(|h| h.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        sets.insert(id, handles);
    }
    let mut out = Vec::new();
    for v in read("queries.jsonl")? {
        let Some(query) = v["query"].as_str() else { continue };
        let set = v["relevant_set"].as_u64().unwrap_or(u64::MAX);
        let searches = v["searches"].as_f64().unwrap_or(1.0).max(0.0);
        out.push((query.to_string(), searches, set));
    }
    Ok((out, sets))
}
