//! The search-ranking experiment of issue 15 with a known true effect, shared by
//! `examples/ranking_experiment` and its test (`tests/it/ranking_experiment.rs`): a simulated brand
//! imported through Loupe's real importers, shoppers whose behaviour is known exactly, and
//! experiments run through Loupe's real assignment, event ingest and read-out.
//!
//! The shopper model: a visitor types one of the simulated shoppers' queries (drawn with the
//! frequency the simulator's searches have), sees the top [`PAGE`] results of their arm's ranking,
//! clicks position `k` (0-based) with probability `click_top / (k + 1)^decay` times relevance (1 when
//! the product meets every hard constraint of the query, `QuerySpec::matches`, else
//! `base_relevance`), puts a clicked relevant product in the bag with probability `cart` and buys it
//! from the bag with probability `buy`; irrelevant clicks never convert. Positions are independent,
//! so a page's chance of at least one purchase is exactly `1 - prod(1 - click(k) * cart * buy_k)` over
//! its relevant positions, and an arm's true conversion rate is the query-weighted mean of that.
//!
//! Two purchase models: [`Appeal::Flat`] buys every relevant product alike (`buy_k = buy`), so only
//! how many relevant results sit how high matters; [`Appeal::Popularity`] buys a relevant product
//! in proportion to the simulator's hidden popularity of it (`buy_k = min(1, 2 * buy * a_k)` with
//! `a_k = popularity / (popularity + median popularity)`), the same trait that drove the simulated
//! shoppers' choices, and so the one a ranking that learned from their behaviour can find.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use app::experiments;
use app::jobs::{self, CatalogImportOptions, InventoryImportOptions, OrdersImportOptions};
use app::wire::experiments::{
    ExperimentSpec, Metric, Readout, Results, Target, Targeting, Variation, Visitor,
};
use app::{App, Clock};
use serde_json::{json, Value};

/// Results a shopper looks at.
pub const PAGE: usize = 10;

const SECOND: i64 = 1000;
const DAY: i64 = 86_400_000;

/// How a simulated shopper reacts to a result page (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shopper {
    pub click_top: f64,
    pub decay: f64,
    pub base_relevance: f64,
    pub cart: f64,
    pub buy: f64,
    pub appeal: Appeal,
}

/// What makes a clicked relevant product bought (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Appeal {
    Flat,
    Popularity,
}

impl Appeal {
    pub fn parse(s: &str) -> Option<Appeal> {
        match s {
            "flat" => Some(Appeal::Flat),
            "popularity" => Some(Appeal::Popularity),
            _ => None,
        }
    }
}

impl Default for Shopper {
    fn default() -> Self {
        Shopper {
            click_top: 0.35,
            decay: 0.7,
            base_relevance: 0.1,
            cart: 0.4,
            buy: 0.5,
            appeal: Appeal::Flat,
        }
    }
}

impl Shopper {
    /// Chance of clicking 0-based position `k` when the result there is relevant.
    pub fn click(&self, k: usize) -> f64 {
        self.click_top / ((k + 1) as f64).powf(self.decay)
    }

    /// Chance that a relevant product in the bag is bought.
    pub fn buy(&self, shown: &Shown) -> f64 {
        match self.appeal {
            Appeal::Flat => self.buy,
            Appeal::Popularity => (2.0 * self.buy * shown.appeal).min(1.0),
        }
    }

    /// The exact chance that a visitor shown `page` buys at least once.
    pub fn conversion(&self, page: &[Shown]) -> f64 {
        1.0 - self.none_of(page, |s| self.cart * self.buy(s))
    }

    /// The exact chance that a visitor shown `page` adds at least one product to the bag.
    pub fn add_to_cart(&self, page: &[Shown]) -> f64 {
        1.0 - self.none_of(page, |_| self.cart)
    }

    fn none_of(&self, page: &[Shown], after_click: impl Fn(&Shown) -> f64) -> f64 {
        page.iter()
            .enumerate()
            .filter(|(_, s)| s.relevant)
            .map(|(k, s)| 1.0 - self.click(k) * after_click(s))
            .product()
    }
}

/// One result as the shopper sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub handle: String,
    /// Meets every hard constraint of the query (the simulator's ground truth).
    pub relevant: bool,
    /// The price the hit shows, in minor units (USD cents).
    pub price_minor: i64,
    /// `popularity / (popularity + median popularity)` of the product (0 if the simulator does not
    /// know it).
    pub appeal: f64,
}

/// One distinct query of the simulated shoppers, with its weight in the query distribution and the
/// page each arm's ranking shows for it.
#[derive(Clone, Debug)]
pub struct Query {
    pub text: String,
    pub weight: f64,
    pub pages: Vec<Vec<Shown>>,
}

/// The rankings compared: the control first.
pub const ARMS: [search::Ranking; 2] = [search::Ranking::Learned, search::Ranking::CatalogOnly];

/// The brand as Loupe holds it, with the clock the experiments advance.
pub struct Brand {
    pub app: App,
    pub now: Arc<AtomicI64>,
    pub queries: Vec<Query>,
    /// Cumulative weights of `queries`, for drawing one.
    cumulative: Vec<f64>,
    pub stats: BrandStats,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct BrandStats {
    pub products: usize,
    pub order_rows: usize,
    pub events: usize,
    pub searches: usize,
    pub distinct_queries: usize,
    pub queries_used: usize,
    /// Share of the simulated searches whose query is in `queries_used`.
    pub searches_covered: f64,
    pub generate_ms: u64,
    pub import_ms: u64,
    pub pages_ms: u64,
}

/// The demo brand's simulated history ends before this (2026-03-01), so experiments start here.
pub const EXPERIMENTS_FROM: i64 = 1_772_323_200_000;

/// Generates `config`'s world into `dir`, imports catalog, orders, inventory and events through
/// Loupe's import jobs into an in-memory store, builds the search index, and computes both arms'
/// pages for the `top_queries` most frequent queries (all when `None`).
pub fn build(config: &sim::SimConfig, dir: &Path, top_queries: Option<usize>) -> anyhow::Result<Brand> {
    let mut stats = BrandStats::default();
    let t = Instant::now();
    let world = sim::generate(config);
    world.write_to(dir).with_context(|| format!("Failed to write the world to {}", dir.display()))?;
    stats.generate_ms = t.elapsed().as_millis() as u64;
    stats.products = world.products.len();
    stats.order_rows = world.orders.len();
    stats.events = world.events.len();
    stats.searches = world.searches.len();
    stats.distinct_queries = world.queries.len();

    let t = Instant::now();
    let store = store::Store::open_temporary().context("Failed to open an in-memory store")?;
    let import_now = EXPERIMENTS_FROM / 1000 - 86_400;
    jobs::import_catalog(
        &store,
        &dir.join("catalog.csv"),
        &CatalogImportOptions { now: import_now, ..Default::default() },
        &|_| {},
    )
    .context("Failed to import the catalog")?;
    let mapping = sim::ORDER_COLUMNS.iter().map(|c| format!("{c}={c}")).collect();
    jobs::import_orders(
        &store,
        &dir.join("orders.csv"),
        &OrdersImportOptions { mapping, default_currency: None },
        &|_| {},
    )
    .context("Failed to import the orders")?;
    jobs::import_inventory(
        &store,
        &dir.join("inventory.csv"),
        &InventoryImportOptions { now: import_now, ..Default::default() },
        &|_| {},
    )
    .context("Failed to import the inventory")?;
    jobs::import_events(&store, &dir.join("events.jsonl"), &|_| {}).context("Failed to import the events")?;
    stats.import_ms = t.elapsed().as_millis() as u64;

    let now = Arc::new(AtomicI64::new(EXPERIMENTS_FROM));
    let clock_now = now.clone();
    let app = App::new(store, Clock::new(move || clock_now.load(Ordering::SeqCst)));

    // The query distribution: every simulated search counts once for its query.
    let mut counts = vec![0u64; world.queries.len()];
    for s in &world.searches {
        counts[s.query as usize] += 1;
    }
    let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
    order.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
    if let Some(top) = top_queries {
        order.truncate(top);
    }
    let covered: u64 = order.iter().map(|&i| counts[i]).sum();
    stats.searches_covered = covered as f64 / counts.iter().sum::<u64>().max(1) as f64;
    stats.queries_used = order.len();

    let t = Instant::now();
    let by_handle: HashMap<&str, &sim::SimProduct> =
        world.products.iter().map(|p| (p.handle.as_str(), p)).collect();
    let mut popularity: Vec<f64> =
        world.products.iter().filter(|p| p.is_active()).map(|p| p.popularity).collect();
    popularity.sort_by(f64::total_cmp);
    let median = popularity.get(popularity.len() / 2).copied().unwrap_or(1.0);
    let index = app.engines.search().map_err(|e| anyhow::anyhow!("Failed to build the search index: {e}"))?;
    let mut queries = Vec::with_capacity(order.len());
    for i in order {
        let (text, spec) = &world.queries[i];
        let mut pages = Vec::with_capacity(ARMS.len());
        for ranking in ARMS {
            let mut req = search::SearchRequest::new(text);
            req.limit = PAGE;
            req.now = EXPERIMENTS_FROM / 1000;
            req.ranking = ranking;
            let response = index.search(&req).with_context(|| format!("Failed to search for {text:?}"))?;
            let page = response
                .hits
                .iter()
                .map(|h| {
                    let p = by_handle.get(h.handle.as_str());
                    Shown {
                        handle: h.handle.clone(),
                        relevant: p.is_some_and(|p| spec.matches(p)),
                        price_minor: h.price.as_ref().map_or(0, |p| p.minor),
                        appeal: p.map_or(0.0, |p| p.popularity / (p.popularity + median)),
                    }
                })
                .collect();
            pages.push(page);
        }
        queries.push(Query { text: text.clone(), weight: counts[i] as f64, pages });
    }
    stats.pages_ms = t.elapsed().as_millis() as u64;
    let mut cumulative = Vec::with_capacity(queries.len());
    let mut sum = 0.0;
    for q in &queries {
        sum += q.weight;
        cumulative.push(sum);
    }
    Ok(Brand { app, now, queries, cumulative, stats })
}

/// The true figures of the comparison, from the pages and the shopper model alone.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Truth {
    /// Per arm, control first.
    pub conversion: Vec<f64>,
    pub add_to_cart: Vec<f64>,
    /// Relative change of the treatment's conversion over the control's.
    pub conversion_lift: f64,
    pub add_to_cart_lift: f64,
    /// Query weight on which the arms show different top pages, and different sets of relevant
    /// positions.
    pub pages_differ: f64,
    pub relevant_positions_differ: f64,
    /// Mean relevant results per page, per arm.
    pub relevant_per_page: Vec<f64>,
}

impl Brand {
    pub fn truth(&self, shopper: &Shopper) -> Truth {
        let total: f64 = self.queries.iter().map(|q| q.weight).sum();
        let mean = |f: &dyn Fn(&Query) -> f64| -> f64 {
            self.queries.iter().map(|q| q.weight * f(q)).sum::<f64>() / total
        };
        let arms = 0..ARMS.len();
        let conversion: Vec<f64> = arms.clone().map(|a| mean(&|q| shopper.conversion(&q.pages[a]))).collect();
        let add_to_cart: Vec<f64> =
            arms.clone().map(|a| mean(&|q| shopper.add_to_cart(&q.pages[a]))).collect();
        let relevant_per_page =
            arms.map(|a| mean(&|q| q.pages[a].iter().filter(|s| s.relevant).count() as f64)).collect();
        let differ = |q: &Query| f64::from(u8::from(q.pages[0] != q.pages[1]));
        let relevant_differ = |q: &Query| {
            let mask = |p: &[Shown]| p.iter().map(|s| s.relevant).collect::<Vec<_>>();
            f64::from(u8::from(mask(&q.pages[0]) != mask(&q.pages[1])))
        };
        Truth {
            conversion_lift: conversion[1] / conversion[0] - 1.0,
            add_to_cart_lift: add_to_cart[1] / add_to_cart[0] - 1.0,
            conversion,
            add_to_cart,
            pages_differ: mean(&differ),
            relevant_positions_differ: mean(&relevant_differ),
            relevant_per_page,
        }
    }

    fn draw_query(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let x = rng.unit() * total;
        self.cumulative.partition_point(|c| *c <= x).min(self.queries.len() - 1)
    }
}

/// A small deterministic generator (SplitMix64), so that a run is reproducible from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One experiment: its key, how many visitors, the seed of their behaviour, when it starts.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub key: String,
    pub visitors: usize,
    pub seed: u64,
    pub starts_at: i64,
}

/// What one experiment fed in, and what Loupe read out.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Run {
    pub key: String,
    /// Visitors per arm as the simulation assigned them (from `experiments::assign`).
    pub assigned: Vec<u64>,
    /// Visitors per arm who bought at least once, and who put something in the bag.
    pub converted: Vec<u64>,
    pub carted: Vec<u64>,
    pub events_sent: u64,
    pub events_accepted: u64,
    /// Visitors per arm in Loupe's results, and the conversion metric's arms (visitors, buyers).
    pub exposed: Vec<u64>,
    pub metric_arms: Vec<(u64, f64)>,
    pub srm_p: Option<f64>,
    pub frequentist: Readout,
    pub sequential: Readout,
    pub bayesian: Readout,
    pub verdict: Vec<String>,
    pub ms: u64,
}

fn spec(key: &str) -> ExperimentSpec {
    ExperimentSpec {
        key: key.to_string(),
        name: "Catalog-only search ranking".into(),
        hypothesis: "Ranking without shoppers' behaviour changes conversion".into(),
        target: Target::SearchRanking,
        variations: ARMS
            .iter()
            .map(|r| Variation { name: r.as_str().to_string(), value: json!(r.as_str()) })
            .collect(),
        weights: None,
        coverage: 1.0,
        targeting: Targeting::default(),
        starts_at: None,
        ends_at: None,
        metric: Metric::Conversion,
        guardrails: vec![Metric::AddToCartRate],
        minimum_effect: None,
    }
}

/// Ingests `events` in batches the API accepts; returns how many were accepted.
fn ingest(app: &App, events: &mut Vec<Value>) -> anyhow::Result<u64> {
    let mut accepted = 0;
    for chunk in events.chunks(app::events::MAX_BATCH) {
        let out = app::events::ingest(&app.store, chunk.to_vec())
            .map_err(|e| anyhow::anyhow!("Failed to ingest events: {e}"))?;
        anyhow::ensure!(out.rejected.is_empty(), "events were rejected: {:?}", out.rejected);
        accepted += out.accepted as u64;
    }
    events.clear();
    Ok(accepted)
}

/// Runs one experiment through Loupe: creates it, and for each visitor assigns them (logging the
/// exposure), shows them their arm's page, samples their clicks, carts and purchases from `shopper`,
/// and ingests those as storefront events after the exposure; then reads the results and stops it.
pub fn run(brand: &Brand, shopper: &Shopper, cfg: &RunConfig) -> anyhow::Result<Run> {
    let started = Instant::now();
    let app = &brand.app;
    brand.now.store(cfg.starts_at, Ordering::SeqCst);
    experiments::create(app, spec(&cfg.key)).map_err(|e| anyhow::anyhow!("Failed to create: {e}"))?;
    let mut rng = Rng::new(cfg.seed);
    let (mut assigned, mut converted, mut carted) = (vec![0u64; 2], vec![0u64; 2], vec![0u64; 2]);
    let (mut sent, mut accepted) = (0u64, 0u64);
    let mut events: Vec<Value> = Vec::new();
    for i in 0..cfg.visitors {
        let at = cfg.starts_at + i as i64 * SECOND;
        brand.now.store(at, Ordering::SeqCst);
        let visitor = Visitor { id: format!("{}-v{i}", cfg.key), ..Visitor::default() };
        let a = experiments::assign(app, &cfg.key, &visitor, true)
            .map_err(|e| anyhow::anyhow!("Failed to assign: {e}"))?;
        anyhow::ensure!(a.in_experiment, "visitor {} is not in the experiment: {}", visitor.id, a.reason);
        let ranking = a.value.as_str().and_then(search::Ranking::parse).context("a ranking variation")?;
        let arm = ARMS.iter().position(|r| *r == ranking).context("one of the compared rankings")?;
        assigned[arm] += 1;
        let page = &brand.queries[brand.draw_query(&mut rng)].pages[arm];
        let (mut bought, mut bagged) = (false, false);
        for (k, shown) in page.iter().enumerate() {
            let relevance = if shown.relevant { 1.0 } else { shopper.base_relevance };
            if rng.unit() >= shopper.click(k) * relevance || !shown.relevant {
                continue;
            }
            if rng.unit() >= shopper.cart {
                continue;
            }
            bagged = true;
            let t = at + (k as i64 + 1) * 10 * SECOND;
            let price = json!({"minor": shown.price_minor, "currency": "USD"});
            events.push(json!({"id": format!("{}-c{i}-{k}", cfg.key), "kind": "add_to_cart", "at": t,
                "visitor_id": visitor.id, "product": shown.handle, "quantity": 1, "price": price}));
            if rng.unit() >= shopper.buy(shown) {
                continue;
            }
            bought = true;
            events.push(
                json!({"id": format!("{}-p{i}-{k}", cfg.key), "kind": "purchase", "at": t + 5 * SECOND,
                "visitor_id": visitor.id, "product": shown.handle, "quantity": 1, "price": price,
                "order_id": format!("{}-o{i}-{k}", cfg.key)}),
            );
        }
        converted[arm] += u64::from(bought);
        carted[arm] += u64::from(bagged);
        if events.len() >= app::events::MAX_BATCH {
            sent += events.len() as u64;
            accepted += ingest(app, &mut events)?;
        }
    }
    sent += events.len() as u64;
    accepted += ingest(app, &mut events)?;
    // Read an hour after the last visitor, so that every outcome is in.
    brand.now.store(cfg.starts_at + cfg.visitors as i64 * SECOND + 3600 * SECOND, Ordering::SeqCst);
    let r =
        experiments::results(app, &cfg.key).map_err(|e| anyhow::anyhow!("Failed to read results: {e}"))?;
    experiments::stop(app, &cfg.key).map_err(|e| anyhow::anyhow!("Failed to stop: {e}"))?;
    Ok(summarize(cfg, r, assigned, converted, carted, sent, accepted, started))
}

#[allow(clippy::too_many_arguments)]
fn summarize(
    cfg: &RunConfig,
    r: Results,
    assigned: Vec<u64>,
    converted: Vec<u64>,
    carted: Vec<u64>,
    events_sent: u64,
    events_accepted: u64,
    started: Instant,
) -> Run {
    let primary = r.metrics.iter().find(|m| m.metric == Metric::Conversion);
    let comparison = primary.and_then(|m| m.comparisons.first());
    Run {
        key: cfg.key.clone(),
        assigned,
        converted,
        carted,
        events_sent,
        events_accepted,
        exposed: r.arms.iter().map(|a| a.visitors).collect(),
        metric_arms: primary.map(|m| m.arms.iter().map(|a| (a.n, a.numerator)).collect()).unwrap_or_default(),
        srm_p: r.sample_ratio.p_value,
        frequentist: comparison.map(|c| c.frequentist.clone()).unwrap_or_default(),
        sequential: comparison.map(|c| c.sequential.clone()).unwrap_or_default(),
        bayesian: comparison.map(|c| c.bayesian.clone()).unwrap_or_default(),
        verdict: r.verdict,
        ms: started.elapsed().as_millis() as u64,
    }
}

/// Where experiment `k` of a study starts: 60 days apart, so that one's outcomes never fall in the
/// next one's 30-day CUPED pre-period.
pub fn start_of(k: usize) -> i64 {
    EXPERIMENTS_FROM + k as i64 * 60 * DAY
}

/// Whether `r`'s interval holds `x` (an open bound holds everything on its side).
pub fn covers(r: &Readout, x: f64) -> Option<bool> {
    if r.error.is_some() || r.expected.is_none() {
        return None;
    }
    Some(r.ci.0.is_none_or(|lo| lo <= x) && r.ci.1.is_none_or(|hi| x <= hi))
}

/// Whether `r`'s interval excludes zero.
pub fn detects(r: &Readout) -> Option<bool> {
    covers(r, 0.0).map(|c| !c)
}
