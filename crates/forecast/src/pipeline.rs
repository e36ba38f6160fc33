//! The whole forecast: from a [`Demand`] history to reconciled forecasts at
//! every level with their reasons.
//!
//! Periods: days, or weeks starting on Monday. A partial week at either end
//! of the history is scaled up by the share of weekly demand its days carry
//! (the pooled day-of-week profile), or left out when it carries less than
//! 30%, so that the first forecast period is the first whole period after
//! the last day of history. Series are fitted on two threads, each with its
//! own scratch buffers; series are built from the daily history inside the
//! worker so that memory stays at one series per thread.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use chrono::{Datelike, Duration, NaiveDate};

use crate::calendar::{first_forecast_period, week_start, CalendarEffects};
use crate::engine::{fit_series, DemandClass, ModelKind, Scratch, SeriesContext, SeriesFit};
use crate::history::Demand;
use crate::reconcile::{reconcile, Hierarchy};
use crate::{Freq, Level, Why};

/// How to forecast.
#[derive(Clone, Debug)]
pub struct ForecastConfig {
    pub freq: Freq,
    pub horizon: usize,
    /// Backtest origins used to choose each series' model.
    pub origins: usize,
    pub threads: usize,
    /// Reconcile the levels (on by default).
    pub reconcile: bool,
    /// Keep each series' history in periods in the result (for drawing
    /// and scoring); off, memory stays at the daily history plus forecasts.
    pub keep_history: bool,
}

impl Default for ForecastConfig {
    fn default() -> Self {
        ForecastConfig {
            freq: Freq::Week,
            horizon: 4,
            origins: 3,
            threads: 2,
            reconcile: true,
            keep_history: true,
        }
    }
}

/// One series' forecast, ready to be shown.
#[derive(Clone, Debug)]
pub struct SeriesForecast {
    pub level: Level,
    pub key: String,
    /// The SKU for variant series.
    pub sku: Option<String>,
    pub fit: SeriesFit,
    /// The series' history in periods (the same periods as the forecast's
    /// calendar), for drawing and scoring.
    pub history: Vec<f64>,
    pub why: Vec<Why>,
}

/// Forecasts of every series at every level.
#[derive(Clone, Debug)]
pub struct ForecastSet {
    pub freq: Freq,
    pub horizon: usize,
    /// Start of the first forecast period.
    pub first_period: NaiveDate,
    /// Start of the first history period.
    pub history_start: NaiveDate,
    pub calendar: CalendarEffects,
    /// Total, categories, products, variants, in that order.
    pub series: Vec<SeriesForecast>,
}

impl ForecastSet {
    pub fn period_start(&self, j: usize) -> NaiveDate {
        self.first_period + Duration::days((j * self.freq.days()) as i64)
    }

    pub fn level(&self, level: Level) -> impl Iterator<Item = &SeriesForecast> {
        self.series.iter().filter(move |s| s.level == level)
    }
}

/// The period grid of a history.
pub(crate) struct Grid {
    pub start: NaiveDate,
    pub periods: usize,
    pub first_forecast: NaiveDate,
    /// Per period: the share of a normal period's demand covered by days
    /// of history (1 for whole periods).
    pub coverage: Vec<f64>,
}

pub(crate) fn grid(demand: &Demand, freq: Freq, cal: &CalendarEffects) -> Grid {
    let first_forecast = first_forecast_period(demand.end, freq);
    match freq {
        Freq::Day => Grid {
            start: demand.start,
            periods: demand.days(),
            first_forecast,
            coverage: vec![1.0; demand.days()],
        },
        Freq::Week => {
            let start = week_start(demand.start);
            let periods = ((first_forecast - start).num_days() / 7).max(0) as usize;
            let coverage = (0..periods)
                .map(|p| {
                    let ws = start + Duration::days(7 * p as i64);
                    (0..7)
                        .map(|k| ws + Duration::days(k))
                        .filter(|d| *d >= demand.start && *d <= demand.end)
                        .map(|d| cal.dow[d.weekday().num_days_from_monday() as usize] / 7.0)
                        .sum::<f64>()
                })
                .collect();
            Grid { start, periods, first_forecast, coverage }
        }
    }
}

/// Turns a daily series (and its censored days) into periods on `grid`.
/// Returns false in `ok` for periods mostly censored or barely covered.
#[allow(clippy::too_many_arguments)]
pub(crate) fn to_periods(
    units: &[f32],
    censored: &[bool],
    demand_start: NaiveDate,
    grid: &Grid,
    freq: Freq,
    dow: &[f64; 7],
    y: &mut Vec<f64>,
    ok: &mut Vec<bool>,
) {
    y.clear();
    ok.clear();
    match freq {
        Freq::Day => {
            y.extend(units.iter().map(|&u| u as f64));
            if !censored.is_empty() {
                ok.extend(censored.iter().map(|&c| !c));
            }
        }
        Freq::Week => {
            let offset = (demand_start - grid.start).num_days();
            let wd0 = grid.start.weekday().num_days_from_monday() as usize;
            for p in 0..grid.periods {
                let (mut sum, mut seen) = (0.0, 0.0);
                for k in 0..7i64 {
                    let d = 7 * p as i64 + k - offset;
                    if d < 0 || d as usize >= units.len() {
                        continue;
                    }
                    let d = d as usize;
                    if censored.get(d).copied().unwrap_or(false) {
                        continue;
                    }
                    sum += units[d] as f64;
                    seen += dow[(wd0 + k as usize) % 7] / 7.0;
                }
                let cover = seen.min(grid.coverage[p]);
                let good = cover >= 0.3;
                y.push(if good && seen > 0.0 { sum / seen.max(1e-9) } else { 0.0 });
                ok.push(good);
            }
            if ok.iter().all(|&b| b) {
                ok.clear();
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Task {
    Total,
    Category(usize),
    Product(usize),
    Variant(usize),
}

/// Forecasts every series at every level and reconciles them.
pub fn forecast(demand: &Demand, cfg: &ForecastConfig) -> ForecastSet {
    let days = demand.days();
    let h = cfg.horizon.max(1);
    let freq = cfg.freq;

    // Aggregates: the pooled calendar is learned from the total.
    let mut total_daily = vec![0.0f64; days];
    for v in &demand.variants {
        for (t, &u) in imputed(&v.units, &v.censored).iter().enumerate() {
            total_daily[t] += u as f64;
        }
    }
    let calendar = CalendarEffects::learn(&total_daily, demand.start);
    let g = grid(demand, freq, &calendar);
    let idx = calendar.index(g.start, g.periods + h, freq);
    let calendar_on = idx.iter().any(|&x| (x - 1.0).abs() > 0.03);

    // Hierarchy.
    let mut product_ix: BTreeMap<&str, usize> = BTreeMap::new();
    let mut category_ix: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &demand.variants {
        let n = product_ix.len();
        product_ix.entry(v.product.as_str()).or_insert(n);
        let n = category_ix.len();
        category_ix.entry(v.category.as_str()).or_insert(n);
    }
    let products: Vec<&str> = {
        let mut p: Vec<(&str, usize)> = product_ix.iter().map(|(k, &v)| (*k, v)).collect();
        p.sort_by_key(|x| x.1);
        p.into_iter().map(|x| x.0).collect()
    };
    let categories: Vec<&str> = {
        let mut c: Vec<(&str, usize)> = category_ix.iter().map(|(k, &v)| (*k, v)).collect();
        c.sort_by_key(|x| x.1);
        c.into_iter().map(|x| x.0).collect()
    };
    let variant_product: Vec<usize> =
        demand.variants.iter().map(|v| product_ix[v.product.as_str()]).collect();
    let mut product_category = vec![0usize; products.len()];
    let mut product_variants: Vec<Vec<usize>> = vec![Vec::new(); products.len()];
    for (i, v) in demand.variants.iter().enumerate() {
        product_category[variant_product[i]] = category_ix[v.category.as_str()];
        product_variants[variant_product[i]].push(i);
    }
    let mut category_products: Vec<Vec<usize>> = vec![Vec::new(); categories.len()];
    for (p, &c) in product_category.iter().enumerate() {
        category_products[c].push(p);
    }
    // Size curve: each variant's share of its product's units over the last year.
    let recent = days.saturating_sub(365);
    let vol: Vec<f64> =
        demand.variants.iter().map(|v| v.units[recent..].iter().map(|&u| u as f64).sum()).collect();
    let size_curve: Vec<f64> = (0..demand.variants.len())
        .map(|i| {
            let p = variant_product[i];
            let total: f64 = product_variants[p].iter().map(|&k| vol[k]).sum();
            if total > 0.0 {
                vol[i] / total
            } else {
                1.0 / product_variants[p].len() as f64
            }
        })
        .collect();

    // Daily sums for products (single-variant products reuse the variant)
    // and categories, in f32 to halve the memory.
    // Aggregates add up the variants with their stockout days filled in
    // (see `imputed`), so that a parent does not learn a child's stockout as
    // lost demand and then pull the child down in reconciliation.
    let sum_daily = |members: &mut dyn Iterator<Item = usize>| -> (Vec<f32>, Vec<bool>) {
        let mut u = vec![0.0f32; days];
        for i in members {
            let v = &demand.variants[i];
            for (t, &x) in imputed(&v.units, &v.censored).iter().enumerate() {
                u[t] += x;
            }
        }
        (u, Vec::new())
    };
    let product_daily: Vec<Option<(Vec<f32>, Vec<bool>)>> = product_variants
        .iter()
        .map(|vs| if vs.len() == 1 { None } else { Some(sum_daily(&mut vs.iter().copied())) })
        .collect();
    let category_daily: Vec<Vec<f32>> = category_products
        .iter()
        .map(|ps| sum_daily(&mut ps.iter().flat_map(|&p| product_variants[p].iter().copied())).0)
        .collect();
    let total_f32: Vec<f32> = total_daily.iter().map(|&x| x as f32).collect();

    let mut tasks = vec![Task::Total];
    tasks.extend((0..categories.len()).map(Task::Category));
    tasks.extend((0..products.len()).filter(|&p| product_daily[p].is_some()).map(Task::Product));
    tasks.extend((0..demand.variants.len()).map(Task::Variant));

    let (season, max_fit) = match freq {
        Freq::Day => (7, 730),
        Freq::Week => (52, 260),
    };
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, SeriesFit, Vec<f64>)>> = Mutex::new(Vec::with_capacity(tasks.len()));
    let threads = cfg.threads.max(1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut scratch = Scratch::default();
                let (mut y, mut ok) = (Vec::new(), Vec::new());
                let mut local = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&task) = tasks.get(k) else { break };
                    let (units, censored): (&[f32], &[bool]) = match task {
                        Task::Total => (&total_f32, &[]),
                        Task::Category(c) => (&category_daily[c], &[]),
                        Task::Product(p) => match &product_daily[p] {
                            Some((u, c)) => (u, c),
                            None => continue,
                        },
                        Task::Variant(i) => (&demand.variants[i].units, &demand.variants[i].censored),
                    };
                    to_periods(units, censored, demand.start, &g, freq, &calendar.dow, &mut y, &mut ok);
                    let ctx = SeriesContext {
                        idx: &idx,
                        h,
                        season,
                        origins: cfg.origins,
                        max_fit,
                        calendar: calendar_on,
                    };
                    let fit = fit_series(&y, &ok, &ctx, &mut scratch);
                    local.push((k, fit, if cfg.keep_history { y.clone() } else { Vec::new() }));
                }
                if let Ok(mut r) = results.lock() {
                    r.extend(local);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_default();
    results.sort_by_key(|r| r.0);
    let mut fits: Vec<Option<(SeriesFit, Vec<f64>)>> = vec![None; tasks.len()];
    for (k, f, y) in results {
        fits[k] = Some((f, y));
    }
    let mut take = |k: usize| fits[k].take().unwrap_or_else(|| (crate::engine::empty_fit(h), Vec::new()));
    let n_c = categories.len();
    let (mut total, total_hist) = take(0);
    let mut cat: Vec<(SeriesFit, Vec<f64>)> = (1..=n_c).map(&mut take).collect();
    let mut prod_fits: Vec<Option<(SeriesFit, Vec<f64>)>> = vec![None; products.len()];
    let mut k = 1 + n_c;
    for (p, pd) in product_daily.iter().enumerate() {
        if pd.is_some() {
            prod_fits[p] = Some(take(k));
            k += 1;
        }
    }
    let mut var: Vec<(SeriesFit, Vec<f64>)> = (k..tasks.len()).map(&mut take).collect();
    let mut prod: Vec<(SeriesFit, Vec<f64>)> = prod_fits
        .into_iter()
        .enumerate()
        .map(|(p, f)| f.unwrap_or_else(|| var[product_variants[p][0]].clone()))
        .collect();

    let adjust = if cfg.reconcile {
        let hier = Hierarchy {
            variant_product: &variant_product,
            product_category: &product_category,
            size_curve: &size_curve,
        };
        let mut cf: Vec<SeriesFit> = cat.iter().map(|x| x.0.clone()).collect();
        let mut pf: Vec<SeriesFit> = prod.iter().map(|x| x.0.clone()).collect();
        let mut vf: Vec<SeriesFit> = var.iter().map(|x| x.0.clone()).collect();
        let a = reconcile(&hier, &mut total, &mut cf, &mut pf, &mut vf);
        for (x, f) in cat.iter_mut().zip(cf) {
            x.0 = f;
        }
        for (x, f) in prod.iter_mut().zip(pf) {
            x.0 = f;
        }
        for (x, f) in var.iter_mut().zip(vf) {
            x.0 = f;
        }
        Some(a)
    } else {
        None
    };

    let window = (g.first_forecast, g.first_forecast + Duration::days((h * freq.days()) as i64 - 1));
    let events = calendar.events_between(window.0, window.1);
    let unit = freq.as_str();
    let mut series = Vec::with_capacity(1 + cat.len() + prod.len() + var.len());
    let mk = |level: Level,
              key: &str,
              sku: Option<&str>,
              fit: SeriesFit,
              hist: Vec<f64>,
              factor: Option<f64>,
              extra: Vec<Why>| {
        let mut why = explain(&fit, unit, &events, demand.variants.len());
        if let Some(f) = factor {
            if (f - 1.0).abs() > 0.005 {
                why.push(Why::new(
                    "reconciliation",
                    format!("scaled x{f:.2} so that variants, products, categories and the total add up"),
                    f - 1.0,
                ));
            }
        }
        why.extend(extra);
        SeriesForecast { level, key: key.to_string(), sku: sku.map(str::to_string), fit, history: hist, why }
    };
    let adj = adjust.as_ref();
    series.push(mk(Level::Total, "total", None, total, total_hist, adj.map(|a| a.0), Vec::new()));
    for (c, (f, hst)) in cat.into_iter().enumerate() {
        series.push(mk(Level::Category, categories[c], None, f, hst, adj.map(|a| a.1[c]), Vec::new()));
    }
    for (p, (f, hst)) in prod.into_iter().enumerate() {
        let hst = if product_variants[p].len() == 1 { var[product_variants[p][0]].1.clone() } else { hst };
        series.push(mk(Level::Product, products[p], None, f, hst, adj.map(|a| a.2[p]), Vec::new()));
    }
    for (i, (f, hst)) in var.into_iter().enumerate() {
        let v = &demand.variants[i];
        let mut extra = Vec::new();
        if product_variants[variant_product[i]].len() > 1 {
            extra.push(Why::new(
                "size_curve",
                format!("{:.0}% of product {} over the last year", 100.0 * size_curve[i], v.product),
                size_curve[i],
            ));
        }
        let censored_days = v.censored.iter().filter(|&&c| c).count();
        if censored_days > 0 {
            extra.push(Why::new(
                "censored_days",
                format!(
                    "{censored_days} out-of-stock days left out of the history (demand unknown, not zero)"
                ),
                censored_days as f64,
            ));
        }
        series.push(mk(Level::Variant, &v.sku, Some(&v.sku), f, hst, adj.map(|a| a.3[i]), extra));
    }
    ForecastSet { freq, horizon: h, first_period: g.first_forecast, history_start: g.start, calendar, series }
}

/// `units` with censored days replaced by the mean of the uncensored days
/// among the 28 before (the rate the variant was selling at when it ran out).
pub(crate) fn imputed<'a>(units: &'a [f32], censored: &[bool]) -> std::borrow::Cow<'a, [f32]> {
    if !censored.iter().any(|&c| c) {
        return std::borrow::Cow::Borrowed(units);
    }
    let mut out = units.to_vec();
    let (mut sum, mut n) = (0.0f64, 0usize);
    for t in 0..units.len() {
        if t >= 28 && !censored.get(t - 28).copied().unwrap_or(false) {
            sum -= units[t - 28] as f64;
            n -= 1;
        }
        if censored.get(t).copied().unwrap_or(false) {
            out[t] = if n > 0 { (sum / n as f64) as f32 } else { 0.0 };
        } else {
            sum += units[t] as f64;
            n += 1;
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The reasons of one forecast.
fn explain(
    fit: &SeriesFit,
    unit: &str,
    events: &[(crate::calendar::Event, f64, u32)],
    pooled: usize,
) -> Vec<Why> {
    let mut why = Vec::new();
    // Models without parameters (naive, zero) read better without "()".
    let model = match fit.params.as_str() {
        "" => fit.model.as_str().to_string(),
        params => format!("{} ({params})", fit.model.as_str()),
    };
    let detail = match (fit.backtest_rmse, fit.runner_up) {
        (_, _) if fit.model == ModelKind::Zero => "no sale in the history: forecast zero".to_string(),
        (Some(mae), Some((r, rs))) if rs.is_finite() => format!(
            "{model} chosen by rolling-origin backtest: RMSE {mae:.2} per {unit} against {rs:.2} for {}",
            r.as_str(),
        ),
        (Some(mae), _) => {
            format!("{model} chosen by rolling-origin backtest: RMSE {mae:.2} per {unit}")
        }
        (None, _) => {
            format!("{model}: history too short for a backtest, chosen by in-sample fit")
        }
    };
    let gain = match (fit.backtest_rmse, fit.runner_up) {
        (Some(m), Some((_, r))) if r.is_finite() && r > 0.0 => 1.0 - m / r,
        _ => 0.0,
    };
    why.push(Why::new("model", detail, gain));
    if fit.class != DemandClass::NoDemand {
        why.push(Why::new(
            "demand_class",
            format!(
                "{} (ADI {:.2}, CV² {:.2}) over {} {unit}s since the first sale",
                fit.class.as_str(),
                fit.adi,
                fit.cv2,
                fit.periods
            ),
            fit.adi,
        ));
    }
    if fit.model.uses_calendar() || (fit.model == ModelKind::Combination && fit.params.contains("calendar")) {
        for (ev, lift, years) in events {
            why.push(Why::new(
                &format!("calendar:{}", ev.as_str()),
                format!("x{lift:.2} lift learned across {pooled} series over {years} year(s), in the forecast window"),
                lift - 1.0,
            ));
        }
    }
    why.push(Why::new(
        "interval",
        format!(
            "P10-P90 from a {} with variance {:.2}x the mean, measured on backtest residuals",
            if fit.dispersion > 1.0 + 1e-9 { "negative binomial" } else { "Poisson" },
            fit.dispersion
        ),
        fit.dispersion,
    ));
    why
}
