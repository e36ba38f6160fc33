//! The performance benchmarks of issue 6, on synthetic demand
//! (`forecast::synth`, deterministic).
//!
//! Forecast and reconcile N variant series of D days of daily history, H
//! periods ahead, on two threads:
//!
//! `cargo run --release -p forecast --example forecast_bench -- forecast [variants] [days] [horizon] [day|week]`
//!
//! Rolling-origin backtest of N variants in weeks (the statsforecast speed
//! comparison), writing the weekly series as `unique_id,ds,y` for
//! `bench/forecast/statsforecast_bench.py`:
//!
//! `cargo run --release -p forecast --example forecast_bench -- eval [variants] [days] [horizon] [origins] [csv]`

use std::io::Write;
use std::time::Instant;

use forecast::{ForecastConfig, Freq, Level};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let mode = args.get(1).map_or("forecast", String::as_str);
    let (n, days, h) = (arg(2, 100_000), arg(3, 1095), arg(4, 28));
    let t = Instant::now();
    let demand = forecast::synth::synthetic_demand(n, days, 42);
    let built = t.elapsed();
    if mode == "eval" {
        let origins = arg(5, 3);
        let cfg = ForecastConfig { freq: Freq::Week, horizon: h, ..ForecastConfig::default() };
        if let Some(path) = args.get(6) {
            let (set, _) = forecast::period_histories(&demand, &cfg);
            let mut w = std::io::BufWriter::new(std::fs::File::create(path).expect("create csv"));
            writeln!(w, "unique_id,ds,y").expect("write");
            for s in set.series.iter().filter(|s| matches!(s.level, Level::Variant | Level::Total)) {
                let id = if s.level == Level::Total { "__total__" } else { s.key.as_str() };
                for (p, y) in s.history.iter().enumerate() {
                    let ds = set.history_start + chrono::Duration::days(7 * p as i64);
                    writeln!(w, "{id},{ds},{y}").expect("write");
                }
            }
        }
        let t = Instant::now();
        let eval = forecast::evaluate(&demand, &cfg, origins);
        let took = t.elapsed();
        println!(
            "{n} variants x {} weeks: {origins}-origin backtest of the whole pipeline (4 levels, reconciled) in {:.1}s",
            days / 7,
            took.as_secs_f64()
        );
        for r in eval.rows.iter().filter(|r| r.class.is_none()) {
            println!(
                "{:<9} WAPE(p50) {:.3}  WAPE(mean) {:.3}  MASE {:.3}  bias {:+.3}  cover80 {:.3}",
                r.level.map_or("-", |l| l.as_str()),
                r.wape_p50,
                r.wape_mean,
                r.mase,
                r.bias,
                r.coverage_80
            );
        }
        return;
    }
    let freq = Freq::parse(args.get(5).map_or("day", String::as_str)).unwrap_or(Freq::Day);
    let t = Instant::now();
    let cfg = ForecastConfig { freq, horizon: h, keep_history: false, ..ForecastConfig::default() };
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
