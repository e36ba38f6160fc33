//! The final-holdout mode of `loupe eval forecast` (issue 13): a validation
//! window and, after it, a holdout window, each forecast from the history
//! before it and scored once (`forecast::holdout`). `--export-csv` writes
//! both windows' training series and actuals, and which category and top
//! group each SKU is in, so that `bench/forecast/holdout_bench.py` scores
//! the statsforecast baselines on the very same cut and series.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate};
use forecast::{Demand, ForecastConfig, HoldoutRun, Level, Window};

use super::Args;

/// Which windows a run scores, worked out from the options alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Windows {
    pub validation: Window,
    pub holdout: Window,
}

/// The holdout is `--holdout-weeks` periods from `--holdout-from` (or the
/// last whole periods of a history ending on `last_day`); the validation
/// window, `--validation-weeks` long (by default as long), ends where the
/// holdout begins.
pub(super) fn windows(
    from: Option<&str>,
    periods: Option<usize>,
    validation: Option<usize>,
    last_day: NaiveDate,
    freq: forecast::Freq,
) -> anyhow::Result<Windows> {
    let periods = periods.context("--holdout-from needs --holdout-weeks N (the periods held out)")?;
    let holdout = match from {
        Some(d) => {
            let d = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
                .with_context(|| format!("--holdout-from {d:?}: expected a date like 2020-09-01"))?;
            Window::starting(d, periods, freq)
        }
        None => Window::last_whole(last_day, periods, freq),
    };
    let validation = holdout.before(validation.unwrap_or(periods), freq);
    Ok(Windows { validation, holdout })
}

pub(super) fn run(demand: &Demand, truth: &Demand, cfg: &ForecastConfig, args: &Args) -> anyhow::Result<()> {
    let freq = cfg.freq;
    let w =
        windows(args.holdout_from.as_deref(), args.holdout_weeks, args.validation_weeks, demand.end, freq)?;
    let mut runs: Vec<(&str, HoldoutRun, f64)> = Vec::new();
    let mut names = vec![("validation", w.validation)];
    if !args.validation_only {
        names.push(("holdout", w.holdout));
    }
    for (name, window) in names {
        let t = Instant::now();
        let run = forecast::holdout(demand, truth, cfg, window)
            .with_context(|| format!("Failed to score the {name} window"))?;
        runs.push((name, run, t.elapsed().as_secs_f64()));
    }
    if let Some(path) = &args.export_csv {
        export(demand, &runs, path)?;
    }
    let mut out = String::new();
    for (name, run, secs) in &runs {
        let win = run.window;
        let models = models_chosen(run);
        if args.json {
            for s in &run.scores {
                let row = serde_json::json!({
                    "window": name,
                    "cut": win.cut().to_string(),
                    "first": win.first.to_string(),
                    "last": win.last(freq).to_string(),
                    "periods": win.periods,
                    "level": s.level,
                    "point": s.point.as_str(),
                    "series": s.series,
                    "points": s.points,
                    "actual": s.actual,
                    "wape": finite(s.wape),
                    "bias": finite(s.bias),
                    "seconds": secs,
                });
                writeln!(out, "{row}")?;
            }
            let row = serde_json::json!({ "window": name, "models": models });
            writeln!(out, "{row}")?;
            continue;
        }
        writeln!(
            out,
            "{name}: history to {}, scored {} to {} ({} {}s), {} variants, {secs:.1}s",
            win.cut(),
            win.first,
            win.last(freq),
            win.periods,
            freq.as_str(),
            demand.variants.len(),
        )?;
        writeln!(
            out,
            "{:<16} {:<5} {:>7} {:>7} {:>10} {:>7} {:>7}",
            "level", "point", "series", "points", "actual", "WAPE", "bias"
        )?;
        for s in &run.scores {
            writeln!(
                out,
                "{:<16} {:<5} {:>7} {:>7} {:>10.0} {:>7.3} {:>7.3}",
                s.level,
                s.point.as_str(),
                s.series,
                s.points,
                s.actual,
                s.wape,
                s.bias
            )?;
        }
        let list: Vec<String> = models.iter().map(|(k, n)| format!("{k}={n}")).collect();
        writeln!(out, "models chosen: {}", list.join(" "))?;
    }
    crate::out::write_str(&out);
    Ok(())
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// `level:model` -> series, for variants and the total.
fn models_chosen(run: &HoldoutRun) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for s in run.set.series.iter().filter(|s| matches!(s.level, Level::Variant | Level::Total)) {
        *m.entry(format!("{}:{}", s.level.as_str(), s.fit.model.as_str())).or_insert(0) += 1;
    }
    m
}

/// The groups file beside the series file: `x.csv` -> `x.groups.csv`.
pub(super) fn groups_path(path: &Path) -> PathBuf {
    path.with_extension("groups.csv")
}

fn csv_id(s: &str) -> String {
    s.replace([',', '"', '\n', '\r'], "_")
}

/// Writes `window,part,unique_id,ds,y` (part `train`: the SKU's history in
/// periods exactly as the forecast saw it; `actual`: the scored periods) and
/// beside it `window,unique_id,category,top` (top: among the SKUs with the
/// most training units, which the aggregate `top` score sums).
fn export(demand: &Demand, runs: &[(&str, HoldoutRun, f64)], path: &Path) -> anyhow::Result<()> {
    let create = |p: &Path| {
        std::fs::File::create(p)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("Failed to create {}", p.display()))
    };
    let mut w = create(path)?;
    let groups = groups_path(path);
    let mut g = create(&groups)?;
    writeln!(w, "window,part,unique_id,ds,y")?;
    writeln!(g, "window,unique_id,category,top")?;
    for (name, run, _) in runs {
        let pd = run.set.freq.days() as i64;
        let mut top = vec![false; demand.variants.len()];
        for &i in &run.top {
            top[i] = true;
        }
        for (i, s) in run.set.level(Level::Variant).enumerate() {
            let v = &demand.variants[i];
            let id = csv_id(&v.sku);
            writeln!(g, "{name},{id},{},{}", csv_id(&v.category), u8::from(top[i]))?;
            for (p, y) in s.history.iter().enumerate() {
                let ds = run.set.history_start + Duration::days(p as i64 * pd);
                writeln!(w, "{name},train,{id},{ds},{y}")?;
            }
            for (j, y) in run.actual[i].iter().enumerate() {
                let ds = run.window.first + Duration::days(j as i64 * pd);
                writeln!(w, "{name},actual,{id},{ds},{y}")?;
            }
        }
    }
    w.flush().and_then(|_| g.flush()).with_context(|| format!("Failed to write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use forecast::Freq;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[track_caller]
    fn check(from: Option<&str>, periods: Option<usize>, validation: Option<usize>, expect: [NaiveDate; 4]) {
        let w = windows(from, periods, validation, ymd(2011, 9, 30), Freq::Week).expect("valid options");
        let got =
            [w.validation.first, w.validation.last(Freq::Week), w.holdout.first, w.holdout.last(Freq::Week)];
        assert_eq!(got, expect);
        // The validation window ends the day the holdout's history does.
        assert_eq!(w.validation.last(Freq::Week), w.holdout.cut());
    }

    #[test]
    fn holdout_options_place_the_windows() {
        // REES46: train to the end of August 2020, hold out 18 weeks of autumn.
        check(
            Some("2020-09-01"),
            Some(18),
            None,
            [ymd(2020, 4, 27), ymd(2020, 8, 30), ymd(2020, 8, 31), ymd(2021, 1, 3)],
        );
        // The gift retailer: its last 8 whole weeks, validated on the 8 before.
        check(None, Some(8), None, [ymd(2011, 6, 6), ymd(2011, 7, 31), ymd(2011, 8, 1), ymd(2011, 9, 25)]);
        check(None, Some(8), Some(4), [ymd(2011, 7, 4), ymd(2011, 7, 31), ymd(2011, 8, 1), ymd(2011, 9, 25)]);
    }

    #[test]
    fn bad_holdout_options_say_what_is_wrong() {
        let e = windows(Some("2020-09-01"), None, None, ymd(2021, 1, 1), Freq::Week).unwrap_err();
        assert!(e.to_string().contains("--holdout-weeks"), "{e}");
        let e = windows(Some("1 Sept"), Some(4), None, ymd(2021, 1, 1), Freq::Week).unwrap_err();
        assert!(e.to_string().contains("expected a date like 2020-09-01"), "{e}");
        assert_eq!(groups_path(Path::new("/tmp/s.csv")), PathBuf::from("/tmp/s.groups.csv"));
    }

    #[test]
    fn the_export_holds_the_series_the_forecast_saw_and_the_scored_actuals() {
        let demand = forecast::synth::synthetic_demand(5, 400, 9);
        let cfg = ForecastConfig { threads: 1, ..ForecastConfig::default() };
        let w = windows(None, Some(6), None, demand.end, Freq::Week).expect("options");
        let runs: Vec<(&str, HoldoutRun, f64)> = [("validation", w.validation), ("holdout", w.holdout)]
            .into_iter()
            .map(|(n, win)| (n, forecast::holdout(&demand, &demand, &cfg, win).expect("window"), 0.0))
            .collect();
        let path = std::env::temp_dir().join(format!("loupe-holdout-export-{}.csv", std::process::id()));
        export(&demand, &runs, &path).expect("export");
        let text = std::fs::read_to_string(&path).expect("written");
        let groups = std::fs::read_to_string(groups_path(&path)).expect("groups written");
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(groups_path(&path));
        let sku = &demand.variants[0].sku;
        let rows = |window: &str, part: &str| -> Vec<(String, f64)> {
            text.lines()
                .filter_map(|l| {
                    let c: Vec<&str> = l.split(',').collect();
                    (c[0] == window && c[1] == part && c[2] == sku.as_str())
                        .then(|| (c[3].to_string(), c[4].parse().expect("a number")))
                })
                .collect()
        };
        for (name, run, _) in &runs {
            let train = rows(name, "train");
            let seen = &run.set.level(Level::Variant).next().expect("a variant").history;
            assert_eq!(train.iter().map(|r| r.1).collect::<Vec<_>>(), *seen);
            // Training ends the week before the window; the actuals are the window.
            let last_train = train.last().expect("history").0.clone();
            assert_eq!(last_train, (run.window.first - Duration::days(7)).to_string());
            let actual = rows(name, "actual");
            assert_eq!(actual.first().map(|r| r.0.clone()), Some(run.window.first.to_string()));
            assert_eq!(actual.iter().map(|r| r.1).collect::<Vec<_>>(), run.actual[0]);
        }
        assert_eq!(groups.lines().count(), 1 + 2 * demand.variants.len());
        assert!(groups.lines().any(|l| l.starts_with(&format!("holdout,{sku},"))), "{groups}");
    }
}
