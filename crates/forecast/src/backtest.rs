//! Rolling-origin evaluation of the whole pipeline: the history is cut at
//! `K` origins, `h` periods apart, ending where the history ends; each cut is
//! forecast as if it were today (calendar, model choice and reconciliation
//! all learned from the cut) and scored against what happened. Metrics per
//! level and per demand class: WAPE (of the P50 and of the mean), MASE and
//! RMSSE (scaled by the in-sample naive error), bias and P10-P90 coverage.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};

use crate::engine::DemandClass;
use crate::history::Demand;
use crate::pipeline::{forecast, ForecastConfig, ForecastSet};
use crate::Level;

/// One row of scores.
#[derive(Clone, Debug, Default)]
pub struct MetricRow {
    pub level: Option<Level>,
    /// `None` for all classes together.
    pub class: Option<DemandClass>,
    pub series: usize,
    pub points: usize,
    pub actual: f64,
    pub wape_p50: f64,
    pub wape_mean: f64,
    pub mase: f64,
    pub rmsse: f64,
    pub bias: f64,
    pub coverage_80: f64,
}

#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The last day of history of each cut, oldest first.
    pub cuts: Vec<NaiveDate>,
    pub rows: Vec<MetricRow>,
    /// Models chosen, per level, summed over cuts.
    pub models: BTreeMap<(Level, &'static str), usize>,
}

#[derive(Default, Clone)]
struct Acc {
    series: usize,
    points: usize,
    actual: f64,
    ae50: f64,
    ae_mean: f64,
    err: f64,
    covered: usize,
    mase_sum: f64,
    mase_n: usize,
    rmsse_sum: f64,
    rmsse_n: usize,
}

impl Acc {
    fn row(&self, level: Level, class: Option<DemandClass>) -> MetricRow {
        let div = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
        MetricRow {
            level: Some(level),
            class,
            series: self.series,
            points: self.points,
            actual: self.actual,
            wape_p50: div(self.ae50, self.actual),
            wape_mean: div(self.ae_mean, self.actual),
            mase: div(self.mase_sum, self.mase_n as f64),
            rmsse: div(self.rmsse_sum, self.rmsse_n as f64),
            bias: div(self.err, self.actual),
            coverage_80: div(self.covered as f64, self.points as f64),
        }
    }
}

/// Cuts `demand` so that its last day is `last` (inclusive).
pub fn truncate(demand: &Demand, last: NaiveDate) -> Demand {
    let keep = ((last - demand.start).num_days() + 1).clamp(0, demand.days() as i64) as usize;
    let variants = demand
        .variants
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.units.truncate(keep);
            v.censored.truncate(keep);
            v
        })
        .collect();
    Demand { start: demand.start, end: last, variants, has_inventory: demand.has_inventory }
}

/// The per-period history of every series of `demand` (keyed by level and
/// key), on the grid starting at the returned date.
pub fn period_histories(
    demand: &Demand,
    cfg: &ForecastConfig,
) -> (ForecastSet, HashMap<(Level, String), usize>) {
    let set = forecast(demand, &ForecastConfig { horizon: 1, origins: 1, reconcile: false, ..cfg.clone() });
    let keys = set.series.iter().enumerate().map(|(i, s)| ((s.level, s.key.clone()), i)).collect();
    (set, keys)
}

/// Backtests the pipeline on `origins` cuts of `demand`.
pub fn evaluate(demand: &Demand, cfg: &ForecastConfig, origins: usize) -> Evaluation {
    evaluate_against(demand, demand, cfg, origins)
}

/// Backtests on cuts of `demand` (what the shop recorded) and scores
/// against `truth` (the same variants and days holding what shoppers
/// wanted, e.g. a simulator's unconstrained demand), so that a forecaster
/// that learns stockouts as zero demand is caught.
pub fn evaluate_against(demand: &Demand, truth: &Demand, cfg: &ForecastConfig, origins: usize) -> Evaluation {
    let (full, keys) = period_histories(truth, cfg);
    let h = cfg.horizon.max(1);
    let pd = cfg.freq.days() as i64;
    let mut acc: HashMap<(Level, Option<DemandClass>), Acc> = HashMap::new();
    let mut models = BTreeMap::new();
    let mut cuts = Vec::new();
    for k in (1..=origins).rev() {
        let first = full.first_period - Duration::days(pd * (h * k) as i64);
        let last = first - Duration::days(1);
        if last <= demand.start + Duration::days(pd * 4) {
            continue;
        }
        cuts.push(last);
        let set = forecast(&truncate(demand, last), cfg);
        let p0 = ((set.first_period - full.history_start).num_days() / pd) as usize;
        for s in &set.series {
            *models.entry((s.level, s.fit.model.as_str())).or_insert(0) += 1;
            let Some(&i) = keys.get(&(s.level, s.key.clone())) else { continue };
            let actual = &full.series[i].history;
            if p0 + h > actual.len() {
                continue;
            }
            let y = &actual[p0..p0 + h];
            let train = &s.history;
            let (mut s1, mut s2, mut n1) = (0.0, 0.0, 0.0);
            let first_sale = train.iter().position(|&v| v > 0.0).unwrap_or(train.len());
            for t in first_sale + 1..train.len() {
                let d = train[t] - train[t - 1];
                s1 += d.abs();
                s2 += d * d;
                n1 += 1.0;
            }
            for class in [None, Some(s.fit.class)] {
                let a = acc.entry((s.level, class)).or_default();
                a.series += 1;
                let (mut ae, mut se) = (0.0, 0.0);
                for j in 0..h {
                    let f = &s.fit;
                    a.points += 1;
                    a.actual += y[j];
                    a.ae50 += (y[j] - f.p50[j]).abs();
                    a.ae_mean += (y[j] - f.mean[j]).abs();
                    a.err += f.mean[j] - y[j];
                    if f.p10[j] <= y[j] && y[j] <= f.p90[j] {
                        a.covered += 1;
                    }
                    ae += (y[j] - f.mean[j]).abs();
                    se += (y[j] - f.mean[j]).powi(2);
                }
                if n1 > 0.0 && s1 > 0.0 {
                    a.mase_sum += (ae / h as f64) / (s1 / n1);
                    a.mase_n += 1;
                    a.rmsse_sum += ((se / h as f64) / (s2 / n1)).sqrt();
                    a.rmsse_n += 1;
                }
            }
        }
    }
    let mut rows: Vec<MetricRow> = acc.iter().map(|((l, c), a)| a.row(*l, *c)).collect();
    rows.sort_by_key(|r| (std::cmp::Reverse(r.level), r.class.is_some(), r.class));
    Evaluation { cuts, rows, models }
}
