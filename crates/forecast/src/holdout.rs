//! A final holdout scored once: the history is cut before a window of whole
//! periods, the whole pipeline (calendar, model choice, reconciliation)
//! runs on what comes before the cut, and the window is scored against what
//! happened. Nothing after the cut reaches the forecast: [`holdout`] hands
//! [`forecast`] a truncated copy of the history and reads the window's
//! actuals only to score. A validation window is the same thing placed
//! just before the holdout; tuning looks at it, never at the holdout.
//!
//! Metrics follow issue 13: per SKU, the WAPE of the P50 (the contract's
//! point); for any sum of SKUs (the top SKUs by training volume, each
//! category, the total), the WAPE of the sum of the SKUs' *means* (medians
//! do not add up); and Loupe's own product, category and total series,
//! scored on their own P50 and mean.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::backtest::truncate;
use crate::calendar::week_start;
use crate::history::Demand;
use crate::pipeline::{forecast, ForecastConfig, ForecastSet};
use crate::{Freq, Level};

/// The SKUs whose summed forecast is scored as "top": the most sold in the
/// training history.
pub const TOP_SKUS: usize = 300;

/// Where a window lies: its first day (the start of a period) and its
/// length in periods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub first: NaiveDate,
    pub periods: usize,
}

impl Window {
    /// The window of `periods` periods starting with the period that holds
    /// `from` (for weeks, the Monday on or before it).
    pub fn starting(from: NaiveDate, periods: usize, freq: Freq) -> Window {
        let first = match freq {
            Freq::Day => from,
            Freq::Week => week_start(from),
        };
        Window { first, periods }
    }

    /// The last `periods` whole periods of a history ending on `last_day`.
    pub fn last_whole(last_day: NaiveDate, periods: usize, freq: Freq) -> Window {
        let end = match freq {
            Freq::Day => last_day + Duration::days(1),
            // A history ending on a Sunday completes its week.
            Freq::Week => week_start(last_day + Duration::days(1)),
        };
        Window { first: end - Duration::days((periods * freq.days()) as i64), periods }
    }

    /// The window of the same length just before this one.
    pub fn before(self, periods: usize, freq: Freq) -> Window {
        Window { first: self.first - Duration::days((periods * freq.days()) as i64), periods }
    }

    /// The last day of history the forecast may see.
    pub fn cut(self) -> NaiveDate {
        self.first - Duration::days(1)
    }

    /// The last day scored.
    pub fn last(self, freq: Freq) -> NaiveDate {
        self.first + Duration::days((self.periods * freq.days()) as i64 - 1)
    }
}

/// What a window cannot be.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HoldoutError {
    #[error("the window {first} to {last} ends after the history ({end}): hold out fewer periods or start earlier")]
    PastHistory { first: NaiveDate, last: NaiveDate, end: NaiveDate },
    #[error("the history before {first} is shorter than 8 periods: nothing to learn from")]
    TooLittleHistory { first: NaiveDate },
    #[error("the window needs 1 to {max} periods, not {periods}")]
    Periods { periods: usize, max: usize },
}

/// Which point of the forecast a score is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    P50,
    Mean,
}

impl Point {
    pub fn as_str(self) -> &'static str {
        match self {
            Point::P50 => "p50",
            Point::Mean => "mean",
        }
    }
}

/// One score of a window.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// `sku`, `top300`, `category`, `total` (sums of SKU forecasts), or
    /// `loupe_product`, `loupe_category`, `loupe_total` (Loupe's own series).
    pub level: String,
    pub point: Point,
    pub series: usize,
    pub points: usize,
    pub actual: f64,
    /// Sum of absolute errors over actual units.
    pub wape: f64,
    /// Sum of (forecast - actual) over actual units.
    pub bias: f64,
}

/// A window forecast from the history before it, and its scores.
#[derive(Clone, Debug)]
pub struct HoldoutRun {
    pub window: Window,
    /// The forecast made at the cut (horizon = the window).
    pub set: ForecastSet,
    /// Per variant (the order of `demand.variants` and of the set's variant
    /// series), the actual units of each period of the window.
    pub actual: Vec<Vec<f64>>,
    /// Per variant, units sold in the training history.
    pub train_volume: Vec<f64>,
    /// Indexes of the [`TOP_SKUS`] variants with the most training units.
    pub top: Vec<usize>,
    pub scores: Vec<Score>,
}

/// Forecasts `window` from the history of `demand` before it and scores
/// it against `truth` (the same variants and days; usually `demand`
/// itself). Only `truth`'s days inside the window are read for scoring.
pub fn holdout(
    demand: &Demand,
    truth: &Demand,
    cfg: &ForecastConfig,
    window: Window,
) -> Result<HoldoutRun, HoldoutError> {
    let freq = cfg.freq;
    let pd = freq.days();
    if window.periods == 0 || window.periods > freq.max_horizon() {
        return Err(HoldoutError::Periods { periods: window.periods, max: freq.max_horizon() });
    }
    let last = window.last(freq);
    if last > truth.end || last > demand.end {
        return Err(HoldoutError::PastHistory { first: window.first, last, end: truth.end.min(demand.end) });
    }
    if window.cut() < demand.start + Duration::days((8 * pd) as i64) {
        return Err(HoldoutError::TooLittleHistory { first: window.first });
    }
    let train = truncate(demand, window.cut());
    let set = forecast(&train, &ForecastConfig { horizon: window.periods, ..cfg.clone() });
    let offset = (window.first - truth.start).num_days();
    let actual: Vec<Vec<f64>> = truth
        .variants
        .iter()
        .map(|v| {
            (0..window.periods)
                .map(|j| {
                    (0..pd)
                        .map(|k| offset + (j * pd + k) as i64)
                        .filter_map(|d| usize::try_from(d).ok().and_then(|d| v.units.get(d)))
                        .map(|&u| u as f64)
                        .sum()
                })
                .collect()
        })
        .collect();
    let train_volume: Vec<f64> =
        train.variants.iter().map(|v| v.units.iter().map(|&u| u as f64).sum()).collect();
    let mut order: Vec<usize> = (0..train_volume.len()).collect();
    order.sort_by(|&a, &b| {
        train_volume[b]
            .total_cmp(&train_volume[a])
            .then_with(|| train.variants[a].sku.cmp(&train.variants[b].sku))
    });
    order.truncate(TOP_SKUS);
    let top = order;
    let scores = score(&train, &set, &actual, &top);
    Ok(HoldoutRun { window, set, actual, train_volume, top, scores })
}

#[derive(Default)]
struct Acc {
    series: usize,
    points: usize,
    actual: f64,
    abs: f64,
    err: f64,
}

impl Acc {
    fn add(&mut self, forecast: &[f64], actual: &[f64]) {
        self.series += 1;
        for (f, y) in forecast.iter().zip(actual) {
            self.points += 1;
            self.actual += y;
            self.abs += (f - y).abs();
            self.err += f - y;
        }
    }

    fn score(&self, level: &str, point: Point) -> Score {
        let div = |a: f64| if self.actual > 0.0 { a / self.actual } else { f64::NAN };
        Score {
            level: level.to_string(),
            point,
            series: self.series,
            points: self.points,
            actual: self.actual,
            wape: div(self.abs),
            bias: div(self.err),
        }
    }
}

fn add_into(sum: &mut [f64], x: &[f64]) {
    for (s, v) in sum.iter_mut().zip(x) {
        *s += v;
    }
}

fn score(train: &Demand, set: &ForecastSet, actual: &[Vec<f64>], top: &[usize]) -> Vec<Score> {
    let h = actual.first().map_or(0, Vec::len);
    let variants: Vec<_> = set.level(Level::Variant).collect();
    let mut out = Vec::new();
    for point in [Point::P50, Point::Mean] {
        let pick = |i: usize| match point {
            Point::P50 => &variants[i].fit.p50,
            Point::Mean => &variants[i].fit.mean,
        };
        let mut sku = Acc::default();
        for (i, y) in actual.iter().enumerate() {
            sku.add(pick(i), y);
        }
        out.push(sku.score("sku", point));
    }
    // Sums of the SKUs' means.
    let sum_of = |members: &mut dyn Iterator<Item = usize>| {
        let (mut f, mut y) = (vec![0.0; h], vec![0.0; h]);
        for i in members {
            add_into(&mut f, &variants[i].fit.mean);
            add_into(&mut y, &actual[i]);
        }
        (f, y)
    };
    let mut top_acc = Acc::default();
    let (f, y) = sum_of(&mut top.iter().copied());
    top_acc.add(&f, &y);
    out.push(top_acc.score(&format!("top{}", top.len()), Point::Mean));
    let mut by_category: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in train.variants.iter().enumerate() {
        by_category.entry(v.category.as_str()).or_default().push(i);
    }
    let mut cat_acc = Acc::default();
    for members in by_category.values() {
        let (f, y) = sum_of(&mut members.iter().copied());
        cat_acc.add(&f, &y);
    }
    out.push(cat_acc.score("category", Point::Mean));
    let mut total_acc = Acc::default();
    let (f, y) = sum_of(&mut (0..variants.len()));
    total_acc.add(&f, &y);
    out.push(total_acc.score("total", Point::Mean));

    // Loupe's own series above the SKU.
    let mut by_product: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in train.variants.iter().enumerate() {
        by_product.entry(v.product.as_str()).or_default().push(i);
    }
    for (level, name) in [
        (Level::Product, "loupe_product"),
        (Level::Category, "loupe_category"),
        (Level::Total, "loupe_total"),
    ] {
        for point in [Point::P50, Point::Mean] {
            let mut acc = Acc::default();
            for s in set.level(level) {
                let members: Vec<usize> = match level {
                    Level::Product => by_product.get(s.key.as_str()).cloned().unwrap_or_default(),
                    Level::Category => by_category.get(s.key.as_str()).cloned().unwrap_or_default(),
                    _ => (0..actual.len()).collect(),
                };
                let mut y = vec![0.0; h];
                for i in members {
                    add_into(&mut y, &actual[i]);
                }
                let f = match point {
                    Point::P50 => &s.fit.p50,
                    Point::Mean => &s.fit.mean,
                };
                acc.add(f, &y);
            }
            out.push(acc.score(name, point));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::synthetic_demand;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn windows_are_whole_weeks_before_and_after_the_cut() {
        // 2020-09-01 is a Tuesday: the holdout starts with its week.
        let w = Window::starting(ymd(2020, 9, 1), 18, Freq::Week);
        assert_eq!(w.first, ymd(2020, 8, 31));
        assert_eq!(w.cut(), ymd(2020, 8, 30));
        assert_eq!(w.last(Freq::Week), ymd(2021, 1, 3));
        let v = w.before(18, Freq::Week);
        assert_eq!(v.last(Freq::Week), w.cut());
        assert_eq!(v.first, ymd(2020, 4, 27));
        // A history ending on Friday 2011-09-30: its last whole week ends on
        // Sunday the 25th.
        let w = Window::last_whole(ymd(2011, 9, 30), 8, Freq::Week);
        assert_eq!((w.first, w.last(Freq::Week)), (ymd(2011, 8, 1), ymd(2011, 9, 25)));
        let w = Window::last_whole(ymd(2011, 9, 25), 8, Freq::Week);
        assert_eq!(w.last(Freq::Week), ymd(2011, 9, 25));
    }

    fn cfg() -> ForecastConfig {
        ForecastConfig { threads: 1, ..ForecastConfig::default() }
    }

    #[test]
    fn the_holdout_never_reaches_the_forecast() {
        let demand = synthetic_demand(30, 500, 7);
        let window = Window::last_whole(demand.end, 8, Freq::Week);
        let a = holdout(&demand, &demand, &cfg(), window).expect("window inside the history");
        // The same history with the holdout's days changed beyond
        // recognition: ten times the units and a new sale every day.
        let mut changed = demand.clone();
        let from = (window.first - demand.start).num_days() as usize;
        for v in &mut changed.variants {
            for u in &mut v.units[from..] {
                *u = *u * 10.0 + 1.0;
            }
        }
        let b = holdout(&changed, &changed, &cfg(), window).expect("same window");
        assert_eq!(a.set.first_period, window.first);
        assert_eq!(a.set.level(Level::Variant).count(), 30);
        assert!(a.set.level(Level::Variant).any(|s| s.fit.mean.iter().any(|&m| m > 0.0)));
        assert_eq!(a.set.series.len(), b.set.series.len());
        for (x, y) in a.set.series.iter().zip(&b.set.series) {
            assert_eq!((x.level, &x.key), (y.level, &y.key));
            assert_eq!(x.fit.model, y.fit.model, "{}", x.key);
            assert_eq!(x.fit.p50, y.fit.p50, "{}", x.key);
            assert_eq!(x.fit.mean, y.fit.mean, "{}", x.key);
            assert_eq!(x.history, y.history, "{}", x.key);
        }
        assert_eq!(a.top, b.top);
        // The actuals, and so the scores, did change.
        assert_ne!(a.actual, b.actual);
        let sku = |r: &HoldoutRun| r.scores.iter().find(|s| s.level == "sku").map(|s| s.wape);
        assert_ne!(sku(&a), sku(&b));
    }

    #[test]
    fn scores_sum_the_means_and_count_every_sku() {
        let demand = synthetic_demand(12, 400, 3);
        let window = Window::last_whole(demand.end, 6, Freq::Week);
        let run = holdout(&demand, &demand, &cfg(), window).expect("window");
        assert_eq!(run.actual.len(), demand.variants.len());
        assert!(run.actual.iter().all(|a| a.len() == 6));
        let total_units: f64 = run.actual.iter().flatten().sum();
        // The window's actual units, read straight from the daily history.
        let from = (window.first - demand.start).num_days() as usize;
        let daily: f64 = demand
            .variants
            .iter()
            .map(|v| v.units[from..from + 42].iter().map(|&u| u as f64).sum::<f64>())
            .sum();
        assert!((total_units - daily).abs() < 1e-6, "{total_units} vs {daily}");
        let find = |level: &str, point: Point| {
            run.scores.iter().find(|s| s.level == level && s.point == point).cloned().expect(level)
        };
        let total = find("total", Point::Mean);
        assert_eq!((total.series, total.points), (1, 6));
        assert!((total.actual - total_units).abs() < 1e-6);
        // The total of the SKUs' means, worked out by hand.
        let mut f = [0.0; 6];
        let mut y = [0.0; 6];
        for (i, s) in run.set.level(Level::Variant).enumerate() {
            for j in 0..6 {
                f[j] += s.fit.mean[j];
                y[j] += run.actual[i][j];
            }
        }
        let wape = f.iter().zip(&y).map(|(a, b)| (a - b).abs()).sum::<f64>() / y.iter().sum::<f64>();
        assert!((total.wape - wape).abs() < 1e-9, "{} vs {wape}", total.wape);
        let sku = find("sku", Point::P50);
        assert_eq!(sku.series, demand.variants.len());
        assert_eq!(find(&format!("top{}", demand.variants.len()), Point::Mean).series, 1);
        assert!(find("loupe_total", Point::Mean).wape.is_finite());
    }

    #[test]
    fn a_window_past_the_history_is_refused() {
        let demand = synthetic_demand(3, 200, 1);
        let w = Window::starting(demand.end - Duration::days(10), 4, Freq::Week);
        assert!(matches!(holdout(&demand, &demand, &cfg(), w), Err(HoldoutError::PastHistory { .. })));
        let w = Window::starting(demand.start + Duration::days(14), 4, Freq::Week);
        assert!(matches!(holdout(&demand, &demand, &cfg(), w), Err(HoldoutError::TooLittleHistory { .. })));
    }
}
