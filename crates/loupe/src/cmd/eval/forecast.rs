//! `loupe eval forecast`: rolling-origin backtests of the whole forecasting
//! pipeline on the store's history (or on synthetic demand with
//! `--synthetic N`), scored per level and per demand class.
//!
//! `--export-csv FILE` writes the very series that were scored (variant and
//! total, in periods, `unique_id,ds,y`) so that `bench/forecast/
//! statsforecast_bench.py` runs its models on identical data and origins.
//!
//! `--holdout-from DATE --holdout-weeks N` is the final-holdout mode of issue
//! 13: the history is cut before the window, Loupe forecasts it from what
//! came before (its model choice backtests only inside that history), and the
//! window is scored once; a validation window of the same shape just before
//! it is scored too, for tuning. `--export-csv` then writes both windows'
//! training series and actuals, and `bench/forecast/holdout_bench.py` fits
//! the statsforecast baselines on exactly those.

mod holdout;

use crate::out::outln;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use app::wire::forecast::load_demand;
use forecast::{ForecastConfig, Freq, Level};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `week` or `day`.
    #[arg(long, default_value = "week")]
    pub freq: String,
    /// Periods forecast at each origin.
    #[arg(long, default_value_t = 4)]
    pub horizon: usize,
    /// Number of rolling origins (the last one ends where history ends).
    #[arg(long, default_value_t = 3)]
    pub origins: usize,
    /// Evaluate on N synthetic variants (3 years of daily history) instead of the store.
    #[arg(long)]
    pub synthetic: Option<usize>,
    /// Days of synthetic history.
    #[arg(long, default_value_t = 1095)]
    pub days: usize,
    /// Write the scored series (variant and total) as `unique_id,ds,y` CSV.
    #[arg(long)]
    pub export_csv: Option<PathBuf>,
    /// Score against true unconstrained demand from this CSV (`date, sku,
    /// demand, ...`, the simulator's `ground_truth/demand.csv`); by default
    /// `<data>/demo/ground_truth/demand.csv` when it exists.
    #[arg(long)]
    pub truth: Option<PathBuf>,
    /// Also score the forecasts before reconciliation.
    #[arg(long)]
    pub compare_unreconciled: bool,
    /// Final holdout: hold out the periods from DATE (YYYY-MM-DD; with weeks,
    /// from the Monday of DATE's week), forecast them from the history before
    /// only, and score them once. A validation window just before it is
    /// scored the same way; tune on that one. Without DATE, --holdout-weeks
    /// holds out the last whole periods of the history.
    #[arg(long, value_name = "DATE")]
    pub holdout_from: Option<String>,
    /// Periods held out (weeks with --freq week). Implies holdout mode.
    #[arg(long, visible_alias = "holdout-periods", value_name = "N")]
    pub holdout_weeks: Option<usize>,
    /// Periods of the validation window just before the holdout (default: as
    /// many as the holdout).
    #[arg(long, visible_alias = "validation-periods", value_name = "N")]
    pub validation_weeks: Option<usize>,
    /// With a holdout: score the validation window only and leave the holdout
    /// unread (for tuning).
    #[arg(long)]
    pub validation_only: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let freq = Freq::parse(&args.freq)?;
    let horizon = freq.horizon(args.horizon)?;
    let demand = match args.synthetic {
        Some(n) => forecast::synth::synthetic_demand(n, args.days, 42),
        None => {
            let store = super::super::products::open_store(data)?;
            load_demand(&store).context("Failed to read the history from the store")?
        }
    };
    if demand.variants.is_empty() {
        anyhow::bail!("no order history to evaluate: import orders first, or pass --synthetic N");
    }
    let cfg = ForecastConfig { freq, horizon, ..ForecastConfig::default() };
    let holdout_mode = args.holdout_from.is_some() || args.holdout_weeks.is_some();
    if let Some(path) = args.export_csv.as_ref().filter(|_| !holdout_mode) {
        export(&demand, &cfg, path)?;
    }
    let truth_file = args.truth.clone().or_else(|| {
        let p = data.join("demo/ground_truth/demand.csv");
        (args.synthetic.is_none() && p.exists()).then_some(p)
    });
    let truth = match &truth_file {
        Some(p) => Some(read_truth(&demand, p)?),
        None => None,
    };
    let against = truth.as_ref().unwrap_or(&demand);
    if holdout_mode {
        return holdout::run(&demand, against, &cfg, &args);
    }
    let t = Instant::now();
    let eval = forecast::evaluate_against(&demand, against, &cfg, args.origins);
    let secs = t.elapsed().as_secs_f64();
    let label = if truth.is_some() { "reconciled, against true demand" } else { "reconciled" };
    let mut runs = vec![(label, eval, secs)];
    if args.compare_unreconciled {
        let t = Instant::now();
        let base = forecast::evaluate_against(
            &demand,
            against,
            &ForecastConfig { reconcile: false, ..cfg.clone() },
            args.origins,
        );
        runs.push(("unreconciled", base, t.elapsed().as_secs_f64()));
    }
    if let Some(p) = &truth_file {
        if !args.json {
            outln!("scored against true demand in {}", p.display());
        }
    }
    // The report is written through `crate::out` at the end (a closed pipe is not an error).
    let mut out = String::new();
    for (label, eval, secs) in &runs {
        let cuts: Vec<String> = eval.cuts.iter().map(|c| c.to_string()).collect();
        if args.json {
            for r in &eval.rows {
                let row = serde_json::json!({
                    "run": label,
                    "level": r.level.map(|l| l.as_str()),
                    "class": r.class.map_or("all", |c| c.as_str()),
                    "series": r.series,
                    "points": r.points,
                    "actual": r.actual,
                    "wape_p50": finite(r.wape_p50),
                    "wape_mean": finite(r.wape_mean),
                    "mase": finite(r.mase),
                    "rmsse": finite(r.rmsse),
                    "bias": finite(r.bias),
                    "coverage_80": finite(r.coverage_80),
                    "cuts": cuts,
                    "seconds": secs,
                });
                writeln!(out, "{row}")?;
            }
            continue;
        }
        writeln!(
            out,
            "{label}: {} variants, {} origins (history cut after {}), horizon {horizon} {}s, {secs:.1}s",
            demand.variants.len(),
            eval.cuts.len(),
            cuts.join(", "),
            freq.as_str()
        )?;
        writeln!(
            out,
            "{:<9} {:<13} {:>7} {:>7} {:>9} {:>9} {:>6} {:>6} {:>7} {:>8}",
            "level",
            "class",
            "series",
            "points",
            "WAPE(p50)",
            "WAPE(mean)",
            "MASE",
            "RMSSE",
            "bias",
            "cover80"
        )?;
        for r in &eval.rows {
            writeln!(
                out,
                "{:<9} {:<13} {:>7} {:>7} {:>9.3} {:>10.3} {:>6.3} {:>6.3} {:>7.3} {:>8.3}",
                r.level.map_or("-", |l| l.as_str()),
                r.class.map_or("all", |c| c.as_str()),
                r.series,
                r.points,
                r.wape_p50,
                r.wape_mean,
                r.mase,
                r.rmsse,
                r.bias,
                r.coverage_80
            )?;
        }
        let mut models: Vec<String> = eval
            .models
            .iter()
            .filter(|((l, _), _)| matches!(l, Level::Variant | Level::Total))
            .map(|((l, m), n)| format!("{}:{m}={n}", l.as_str()))
            .collect();
        models.sort();
        writeln!(out, "models chosen: {}", models.join(" "))?;
    }
    crate::out::write_str(&out);
    Ok(())
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The recorded history with each variant's units replaced by the true
/// daily demand of `path` (`date, sku, demand, ...`; days not listed had none).
fn read_truth(demand: &forecast::Demand, path: &Path) -> anyhow::Result<forecast::Demand> {
    let text = std::fs::read_to_string(path).with_context(|| format!("Failed to read {}", path.display()))?;
    let mut truth = demand.clone();
    let index: std::collections::HashMap<String, usize> =
        truth.variants.iter().enumerate().map(|(i, v)| (v.sku.clone(), i)).collect();
    for v in truth.variants.iter_mut() {
        v.units.iter_mut().for_each(|u| *u = 0.0);
        v.censored.clear();
    }
    for (n, line) in text.lines().enumerate().skip(1) {
        let mut cols = line.split(',');
        let (Some(date), Some(sku), Some(qty)) = (cols.next(), cols.next(), cols.next()) else { continue };
        let date = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .with_context(|| format!("{}: line {}: bad date {date:?}", path.display(), n + 1))?;
        let qty: f32 = qty.trim().parse().unwrap_or(0.0);
        let Some(&i) = index.get(sku.trim()) else { continue };
        let d = (date - truth.start).num_days();
        if d >= 0 && (d as usize) < truth.variants[i].units.len() {
            truth.variants[i].units[d as usize] = qty;
        }
    }
    Ok(truth)
}

/// Writes the variant and total series, in periods, as `unique_id,ds,y`.
fn export(demand: &forecast::Demand, cfg: &ForecastConfig, path: &Path) -> anyhow::Result<()> {
    let (set, _) = forecast::period_histories(demand, cfg);
    let file = std::fs::File::create(path).with_context(|| format!("Failed to create {}", path.display()))?;
    let mut w = std::io::BufWriter::new(file);
    writeln!(w, "unique_id,ds,y")?;
    let pd = cfg.freq.days() as i64;
    for s in set.series.iter().filter(|s| matches!(s.level, Level::Variant | Level::Total)) {
        let id = if s.level == Level::Total {
            "__total__".to_string()
        } else {
            s.key.replace([',', '"', '\n'], "_")
        };
        for (p, y) in s.history.iter().enumerate() {
            let ds = set.history_start + chrono::Duration::days(p as i64 * pd);
            writeln!(w, "{id},{ds},{y}")?;
        }
    }
    w.flush()?;
    Ok(())
}
