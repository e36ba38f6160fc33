//! The performance benchmark of issue 6: N variant series of D days of
//! synthetic daily history, forecast daily H days ahead at every level and
//! reconciled, on two threads.
//!
//! `cargo run --release -p forecast --example bench -- [variants] [days] [horizon] [freq]`
//! (defaults 100000 1095 28 day). Prints the time to build the synthetic
//! history (not counted) and the time to forecast and reconcile.

use std::time::Instant;

use forecast::{ForecastConfig, Freq, Level};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let (n, days, h) = (arg(1, 100_000), arg(2, 1095), arg(3, 28));
    let freq = Freq::parse(args.get(4).map_or("day", String::as_str)).unwrap_or(Freq::Day);
    let t = Instant::now();
    let demand = forecast::synth::synthetic_demand(n, days, 42);
    let built = t.elapsed();
    let t = Instant::now();
    let cfg = ForecastConfig { freq, horizon: h, ..ForecastConfig::default() };
    let set = forecast::forecast(&demand, &cfg);
    let took = t.elapsed();
    let count = |l: Level| set.level(l).count();
    let mut models = std::collections::BTreeMap::new();
    for s in set.level(Level::Variant) {
        *models.entry(s.fit.model.as_str()).or_insert(0usize) += 1;
    }
    println!(
        "{n} variants x {days} days ({} products, {} categories): history built in {:.1}s; \
         forecast {h} {}s ahead at 4 levels and reconciled in {:.1}s on {} threads",
        count(Level::Product),
        count(Level::Category),
        built.as_secs_f64(),
        freq.as_str(),
        took.as_secs_f64(),
        cfg.threads,
    );
    println!("variant models: {models:?}");
}
