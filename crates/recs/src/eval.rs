//! Offline evaluation on a temporal split of orders: train on everything
//! before the split date, then for every customer who bought both before and
//! after it, compare the recommended products with the distinct products
//! they bought after it. Reports Recall@k (hits / distinct products bought
//! after the split), NDCG@k (binary relevance), hit rate (share of customers
//! with at least one hit) and catalogue coverage (distinct products
//! recommended / purchasable products), for each model alone, the blend and
//! a popularity baseline (the popularity model alone).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use model::{Event, OrderLine, Product};

use crate::{Context, Model, Recommender, Request, TrainConfig, Weights};

#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// Unix seconds; training sees what happened before, testing after.
    pub split: i64,
    pub ks: Vec<usize>,
    pub train: TrainConfig,
    /// Evaluate on at most this many customers (the first by id), for speed.
    pub max_customers: Option<usize>,
    pub threads: usize,
    /// Blend weights to evaluate instead of the customer blend.
    pub blend: Option<Weights>,
}

impl EvalConfig {
    pub fn new(split: i64, ks: Vec<usize>) -> EvalConfig {
        EvalConfig { split, ks, train: TrainConfig::at(split), max_customers: None, threads: 2, blend: None }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct AtK {
    pub k: usize,
    pub recall: f64,
    pub ndcg: f64,
    pub hit_rate: f64,
    pub coverage: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// `popularity`, `trend`, `repeat`, `cooccurrence`, `als`, `content`, `blend`.
    pub model: String,
    pub at: Vec<AtK>,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EvalReport {
    pub train_lines: usize,
    pub test_lines: usize,
    /// Customers evaluated (bought before and after the split).
    pub customers: usize,
    /// Customers who bought after the split but never before (cold start,
    /// not scored).
    pub cold_customers: usize,
    pub items: usize,
    pub purchasable: usize,
    pub train_seconds: f64,
    pub rows: Vec<Row>,
}

impl EvalReport {
    pub fn row(&self, model: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.model == model)
    }

    pub fn recall(&self, model: &str, k: usize) -> Option<f64> {
        self.row(model)?.at.iter().find(|a| a.k == k).map(|a| a.recall)
    }
}

/// Trains once on the data before `cfg.split` and scores every model.
pub fn evaluate(products: &[Product], lines: &[OrderLine], events: &[Event], cfg: &EvalConfig) -> EvalReport {
    let t = Instant::now();
    let rec =
        Recommender::train(products, lines, events, &TrainConfig { now: cfg.split, ..cfg.train.clone() });
    let train_seconds = t.elapsed().as_secs_f64();
    let mut truth: HashMap<&str, HashSet<u64>> = HashMap::new();
    let mut test_lines = 0;
    for l in lines {
        if l.ordered_at <= cfg.split || l.quantity <= 0 {
            continue;
        }
        test_lines += 1;
        let (Some(c), Some(id)) = (l.customer_id.as_deref(), rec.resolve_product(&l.sku)) else { continue };
        truth.entry(c).or_default().insert(id);
    }
    let mut customers: Vec<&str> = truth.keys().copied().filter(|c| rec.knows_customer(c)).collect();
    let cold_customers = truth.len() - customers.len();
    customers.sort_unstable();
    if let Some(m) = cfg.max_customers {
        customers.truncate(m);
    }
    let kmax = cfg.ks.iter().copied().max().unwrap_or(10);
    let mut runs: Vec<(String, Option<Weights>)> =
        Model::ALL.iter().map(|m| (m.as_str().to_string(), Some(Weights::only(*m)))).collect();
    runs.push(("blend".to_string(), cfg.blend));
    let mut rows = Vec::new();
    for (name, weights) in runs {
        let t = Instant::now();
        let lists = score_lists(&rec, &customers, weights.as_ref(), kmax, cfg.threads);
        let at =
            cfg.ks.iter().map(|&k| metrics(&customers, &lists, &truth, k, rec.stats().purchasable)).collect();
        rows.push(Row { model: name, at, seconds: t.elapsed().as_secs_f64() });
    }
    EvalReport {
        train_lines: lines.iter().filter(|l| l.ordered_at <= cfg.split).count(),
        test_lines,
        customers: customers.len(),
        cold_customers,
        items: rec.stats().items,
        purchasable: rec.stats().purchasable,
        train_seconds,
        rows,
    }
}

/// The top `k` product ids for each customer, on `threads` threads.
pub(crate) fn score_lists<S: AsRef<str> + Sync>(
    rec: &Recommender,
    customers: &[S],
    w: Option<&Weights>,
    k: usize,
    threads: usize,
) -> Vec<Vec<u64>> {
    let chunk = customers.len().div_ceil(threads.max(1)).max(1);
    let mut out: Vec<Vec<u64>> = vec![Vec::new(); customers.len()];
    std::thread::scope(|s| {
        for (ids, slots) in customers.chunks(chunk).zip(out.chunks_mut(chunk)) {
            s.spawn(move || {
                for (c, slot) in ids.iter().zip(slots) {
                    let req = Request::new(Context::Customer(c.as_ref().to_string()), k);
                    *slot = rec.recommend_with(&req, w).into_iter().map(|i| i.product_id).collect();
                }
            });
        }
    });
    out
}

fn metrics(
    customers: &[&str],
    lists: &[Vec<u64>],
    truth: &HashMap<&str, HashSet<u64>>,
    k: usize,
    purchasable: usize,
) -> AtK {
    let (mut recall, mut ndcg, mut hits) = (0.0, 0.0, 0usize);
    let mut seen: HashSet<u64> = HashSet::new();
    for (c, list) in customers.iter().zip(lists) {
        let t = &truth[c];
        let top = &list[..list.len().min(k)];
        seen.extend(top.iter().copied());
        let mut dcg = 0.0;
        let mut h = 0;
        for (r, id) in top.iter().enumerate() {
            if t.contains(id) {
                h += 1;
                dcg += 1.0 / (r as f64 + 2.0).log2();
            }
        }
        let idcg: f64 = (0..t.len().min(k)).map(|r| 1.0 / (r as f64 + 2.0).log2()).sum();
        recall += h as f64 / t.len() as f64;
        ndcg += if idcg > 0.0 { dcg / idcg } else { 0.0 };
        hits += (h > 0) as usize;
    }
    let n = customers.len().max(1) as f64;
    AtK {
        k,
        recall: recall / n,
        ndcg: ndcg / n,
        hit_rate: hits as f64 / n,
        coverage: seen.len() as f64 / purchasable.max(1) as f64,
    }
}
