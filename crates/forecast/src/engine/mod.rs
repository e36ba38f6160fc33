//! One series in, one forecast out: trims the series to its first sale,
//! classifies its demand (ADI / CV²), runs every candidate model once over
//! the history with its backtest origins, keeps the one with the lowest
//! rolling-origin error, and puts count-distribution intervals around it
//! with a dispersion measured on the backtest residuals. The candidate
//! models and the contest between them are in `candidates`.

mod candidates;

use crate::dist::count_quantiles;
use crate::models::{self, Output, Plan, Tsb};

use candidates::{Best, Series};

/// The models a series can be forecast with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModelKind {
    /// No demand seen: zeros.
    Zero,
    Naive,
    SeasonalNaive,
    Ses,
    HoltDamped,
    HoltWintersAdditive,
    HoltWintersMultiplicative,
    Croston,
    Sba,
    Tsb,
    /// SES on calendar-adjusted values (pooled calendar effects).
    CalendarSes,
    /// Damped Holt on calendar-adjusted values.
    CalendarHolt,
    /// TSB on calendar-adjusted values.
    CalendarTsb,
    /// Theta (SES with half the least-squares slope as drift).
    Theta,
    /// Theta on calendar-adjusted values.
    CalendarTheta,
    /// The mean of the three best candidates on the backtest.
    Combination,
}

impl ModelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Zero => "zero",
            ModelKind::Naive => "naive",
            ModelKind::SeasonalNaive => "seasonal_naive",
            ModelKind::Ses => "ses",
            ModelKind::HoltDamped => "holt_damped",
            ModelKind::HoltWintersAdditive => "holt_winters_additive",
            ModelKind::HoltWintersMultiplicative => "holt_winters_multiplicative",
            ModelKind::Croston => "croston",
            ModelKind::Sba => "sba",
            ModelKind::Tsb => "tsb",
            ModelKind::CalendarSes => "calendar_ses",
            ModelKind::CalendarHolt => "calendar_holt",
            ModelKind::CalendarTsb => "calendar_tsb",
            ModelKind::Theta => "theta",
            ModelKind::CalendarTheta => "calendar_theta",
            ModelKind::Combination => "combination",
        }
    }

    pub fn uses_calendar(self) -> bool {
        matches!(
            self,
            ModelKind::CalendarSes
                | ModelKind::CalendarHolt
                | ModelKind::CalendarTsb
                | ModelKind::CalendarTheta
        )
    }
}

/// Syntetos-Boylan demand classes by average inter-demand interval (ADI)
/// and squared coefficient of variation of the demand sizes (CV²).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DemandClass {
    Smooth,
    Intermittent,
    Erratic,
    Lumpy,
    NoDemand,
}

impl DemandClass {
    pub const ALL: [DemandClass; 5] = [
        DemandClass::Smooth,
        DemandClass::Intermittent,
        DemandClass::Erratic,
        DemandClass::Lumpy,
        DemandClass::NoDemand,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DemandClass::Smooth => "smooth",
            DemandClass::Intermittent => "intermittent",
            DemandClass::Erratic => "erratic",
            DemandClass::Lumpy => "lumpy",
            DemandClass::NoDemand => "no_demand",
        }
    }

    pub fn is_intermittent(self) -> bool {
        matches!(self, DemandClass::Intermittent | DemandClass::Lumpy)
    }
}

/// ADI, CV² and the class of a series (censored periods left out).
pub fn classify(y: &[f64], ok: &[bool]) -> (DemandClass, f64, f64) {
    let (mut n, mut nz, mut s, mut s2) = (0.0, 0.0, 0.0, 0.0);
    for (t, &v) in y.iter().enumerate() {
        if !ok.get(t).copied().unwrap_or(true) {
            continue;
        }
        n += 1.0;
        if v > 0.0 {
            nz += 1.0;
            s += v;
            s2 += v * v;
        }
    }
    if nz == 0.0 {
        return (DemandClass::NoDemand, f64::INFINITY, 0.0);
    }
    let adi = n / nz;
    let mean = s / nz;
    let var = (s2 / nz - mean * mean).max(0.0);
    let cv2 = var / (mean * mean);
    let class = match (adi >= 1.32, cv2 >= 0.49) {
        (false, false) => DemandClass::Smooth,
        (true, false) => DemandClass::Intermittent,
        (false, true) => DemandClass::Erratic,
        (true, true) => DemandClass::Lumpy,
    };
    (class, adi, cv2)
}

/// What a series is forecast against.
pub struct SeriesContext<'a> {
    /// Calendar index for the series' periods, `n + h` long (history, then
    /// the forecast periods).
    pub idx: &'a [f64],
    pub h: usize,
    /// Season length: 7 for days, 52 for weeks.
    pub season: usize,
    /// Backtest origins used to choose the model.
    pub origins: usize,
    /// At most this many periods of the tail are run over.
    pub max_fit: usize,
    /// False when the calendar index is flat (nothing learned), so the
    /// calendar models would only duplicate the plain ones.
    pub calendar: bool,
}

/// A fitted and forecast series, before reconciliation.
#[derive(Clone, Debug)]
pub struct SeriesFit {
    pub model: ModelKind,
    /// The chosen parameters, readable (`alpha=0.2`).
    pub params: String,
    pub mean: Vec<f64>,
    pub p10: Vec<f64>,
    pub p50: Vec<f64>,
    pub p90: Vec<f64>,
    /// Variance-to-mean ratio of the backtest residuals (at least 1).
    pub dispersion: f64,
    /// Mean squared backtest error of the chosen model (per period).
    pub mse: f64,
    /// Root mean squared backtest error of the chosen model and of the
    /// runner-up (models are chosen on squared error: it targets the mean,
    /// which the intervals and inventory decisions need; absolute error
    /// would pick zero for most intermittent series).
    pub backtest_rmse: Option<f64>,
    pub runner_up: Option<(ModelKind, f64)>,
    pub class: DemandClass,
    pub adi: f64,
    pub cv2: f64,
    /// Periods of history after the first sale, and how many were censored.
    pub periods: usize,
    pub censored: usize,
    /// TSB's demand probability at the end of history (slow-mover signal)
    /// and its peak over the history.
    pub demand_probability: f64,
    pub peak_probability: f64,
}

/// Reusable buffers, one per thread.
#[derive(Default)]
pub struct Scratch {
    out: Output,
    best: Output,
    origins: Vec<usize>,
    ones: Vec<f64>,
    /// Absolute margin a candidate must beat the best by.
    tol: f64,
    /// The three best candidates so far (kind, parameters, score, output),
    /// for the combination.
    pool: Vec<(ModelKind, f64, Output)>,
}

/// Fits and forecasts one series. `y` holds the history (units per period),
/// `ok[t]` is false for censored periods (an empty `ok` means none).
pub fn fit_series(y: &[f64], ok: &[bool], ctx: &SeriesContext, scratch: &mut Scratch) -> SeriesFit {
    let h = ctx.h;
    let ok_at = |t: usize| ok.get(t).copied().unwrap_or(true);
    let first = (0..y.len()).find(|&t| ok_at(t) && y[t] > 0.0);
    let censored_all = (0..y.len()).filter(|&t| !ok_at(t)).count();
    let Some(first) = first else {
        return zero_fit(h, y.len(), censored_all);
    };
    let y = &y[first..];
    let ok = if ok.is_empty() { ok } else { &ok[first..] };
    let idx = &ctx.idx[first..];
    let n = y.len();
    let (class, adi, cv2) = classify(y, ok);
    let censored = (0..n).filter(|&t| !ok_at_slice(ok, t)).count();
    let from = n.saturating_sub(ctx.max_fit);

    // Backtest origins: non-overlapping windows of h where history allows,
    // else one period apart; each leaves at least a few periods to learn from.
    scratch.origins.clear();
    let min_train = (from + 4).max(n / 3);
    let step = if n >= min_train + h * ctx.origins { h.max(1) } else { 1 };
    for k in 0..ctx.origins {
        let Some(o) = n.checked_sub(h + k * step) else { break };
        if o < min_train || o <= from {
            break;
        }
        scratch.origins.push(o);
    }
    scratch.origins.reverse();
    if scratch.ones.len() < n + h {
        scratch.ones.resize(n + h, 1.0);
    }
    let origins = std::mem::take(&mut scratch.origins);
    scratch.pool.clear();
    let ones = std::mem::take(&mut scratch.ones);
    let plain = Plan { idx: &ones, origins: &origins, h, from };
    let cal = Plan { idx, origins: &origins, h, from };

    let (mut sum, mut cnt) = (0.0, 0.0);
    for t in from..n {
        if ok_at_slice(ok, t) {
            sum += y[t];
            cnt += 1.0;
        }
    }
    let mean_y = if cnt > 0.0 { sum / cnt } else { 0.0 };
    // A later candidate must beat the best by 1% and by this margin.
    scratch.tol = 1e-2 * (origins.len() * h) as f64 * (mean_y * mean_y + mean_y);
    let series =
        Series { n, h, m: ctx.season, intermittent: class.is_intermittent(), calendar: ctx.calendar };
    let best = candidates::choose(scratch, &series, y, ok, &plain, &cal);

    // Demand probability now and at its peak, for the slow-mover signals.
    let (demand_probability, peak_probability) = {
        let mut s = Tsb::new(0.1, 0.05);
        let mut peak: f64 = 0.0;
        for t in from..n {
            if ok_at_slice(ok, t) {
                models::State::update(&mut s, t, y[t]);
                if t >= from + 8 {
                    peak = peak.max(s.probability());
                }
            }
        }
        (s.probability(), peak.max(s.probability()))
    };

    scratch.origins = origins;
    scratch.ones = ones;
    let best = best.unwrap_or(Best {
        kind: ModelKind::Naive,
        params: String::new(),
        score: f64::NAN,
        mse: 0.0,
        runner_up: None,
        bt_dispersion: f64::NAN,
    });
    let mean = scratch.best.fc.clone();

    // Dispersion from the backtest residuals, else from the in-sample fit.
    let level = mean.iter().sum::<f64>() / h.max(1) as f64;
    let dispersion = if best.bt_dispersion.is_finite() {
        best.bt_dispersion
    } else if scratch.best.nfit > 0 && level > 0.0 {
        scratch.best.sse / scratch.best.nfit as f64 / level
    } else {
        1.0
    }
    .clamp(1.0, 1e6);
    let (p10, p50, p90) = intervals(&mean, dispersion);
    let denom = if scratch.origins.is_empty() { 1.0 } else { (scratch.origins.len() * h) as f64 };
    let backtest_rmse =
        (best.score.is_finite() && !scratch.origins.is_empty()).then(|| (best.score / denom).sqrt());
    let runner_up = best.runner_up.map(|(k, s)| (k, (s / denom).sqrt()));
    SeriesFit {
        model: best.kind,
        params: best.params,
        mean,
        p10,
        p50,
        p90,
        dispersion,
        mse: if best.mse.is_finite() && best.mse > 0.0 { best.mse } else { level.max(1e-6) * dispersion },
        backtest_rmse,
        runner_up,
        class,
        adi,
        cv2,
        periods: n,
        censored,
        demand_probability,
        peak_probability,
    }
}

fn ok_at_slice(ok: &[bool], t: usize) -> bool {
    ok.get(t).copied().unwrap_or(true)
}

/// P10/P50/P90 around `mean` from a negative binomial whose variance grows
/// slowly with the horizon.
pub fn intervals(mean: &[f64], dispersion: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut p10 = Vec::with_capacity(mean.len());
    let mut p50 = Vec::with_capacity(mean.len());
    let mut p90 = Vec::with_capacity(mean.len());
    for (j, &mu) in mean.iter().enumerate() {
        let var = mu * dispersion * (1.0 + 0.03 * j as f64);
        let [a, b, c] = count_quantiles(mu, var, [0.1, 0.5, 0.9]);
        p10.push(a);
        p50.push(b);
        p90.push(c);
    }
    (p10, p50, p90)
}

pub(crate) fn empty_fit(h: usize) -> SeriesFit {
    zero_fit(h, 0, 0)
}

fn zero_fit(h: usize, periods: usize, censored: usize) -> SeriesFit {
    SeriesFit {
        model: ModelKind::Zero,
        params: String::new(),
        mean: vec![0.0; h],
        p10: vec![0.0; h],
        p50: vec![0.0; h],
        p90: vec![0.0; h],
        dispersion: 1.0,
        mse: 1e-6,
        backtest_rmse: None,
        runner_up: None,
        class: DemandClass::NoDemand,
        adi: f64::INFINITY,
        cv2: 0.0,
        periods,
        censored,
        demand_probability: 0.0,
        peak_probability: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(idx: &[f64], h: usize, season: usize) -> SeriesContext<'_> {
        SeriesContext { idx, h, season, origins: 3, max_fit: 1000, calendar: false }
    }

    #[track_caller]
    fn check_class(y: &[f64], expect: DemandClass) {
        assert_eq!(classify(y, &[]).0, expect, "{y:?}");
    }

    #[test]
    fn demand_classes() {
        check_class(&[5.0, 6.0, 5.0, 4.0, 5.0], DemandClass::Smooth);
        check_class(&[5.0, 0.0, 0.0, 5.0, 0.0, 0.0, 6.0], DemandClass::Intermittent);
        check_class(&[1.0, 20.0, 1.0, 30.0, 2.0], DemandClass::Erratic);
        check_class(&[1.0, 0.0, 0.0, 30.0, 0.0, 0.0, 2.0], DemandClass::Lumpy);
        check_class(&[0.0, 0.0], DemandClass::NoDemand);
    }

    #[test]
    fn a_planted_weekly_season_is_found_and_repeated() {
        let season = [10.0, 12.0, 8.0, 30.0, 5.0, 9.0, 40.0];
        let y: Vec<f64> = (0..140).map(|t| season[t % 7]).collect();
        let idx = vec![1.0; 140 + 14];
        let fit = fit_series(&y, &[], &ctx(&idx, 14, 7), &mut Scratch::default());
        for (j, &f) in fit.mean.iter().enumerate() {
            assert!((f - season[(140 + j) % 7]).abs() < 1.0, "{:?} {:?}", fit.model, fit.mean);
        }
        assert!(fit.p10.iter().zip(&fit.p50).zip(&fit.p90).all(|((a, b), c)| a <= b && b <= c));
    }

    #[test]
    fn intermittent_series_get_an_intermittent_model() {
        let y: Vec<f64> = (0..120).map(|t| if t % 5 == 0 { 3.0 } else { 0.0 }).collect();
        let idx = vec![1.0; 120 + 4];
        let fit = fit_series(&y, &[], &ctx(&idx, 4, 52), &mut Scratch::default());
        assert_eq!(fit.class, DemandClass::Intermittent);
        let total: f64 = fit.mean.iter().sum();
        assert!((total - 2.4).abs() < 1.2, "{:?} {:?}", fit.model, fit.mean);
        // The median of sparse demand is zero; the P90 is not.
        assert!(fit.p50.iter().all(|&v| v == 0.0) && fit.p90.iter().all(|&v| v >= 1.0), "{fit:?}");
    }

    #[test]
    fn no_sales_forecasts_zero() {
        let idx = vec![1.0; 14];
        let fit = fit_series(&[0.0; 10], &[], &ctx(&idx, 4, 7), &mut Scratch::default());
        assert_eq!(fit.model, ModelKind::Zero);
        assert_eq!(fit.mean, vec![0.0; 4]);
    }

    #[test]
    fn calendar_model_carries_a_pooled_lift_unseen_in_the_series() {
        // Flat demand of 10 a period, except in lifted periods (index 2)
        // where it doubles: the calendar models see through the lift and put
        // it back on the forecast's lifted period, which the plain ones cannot.
        let n = 80;
        let mut idx = vec![1.0; n + 4];
        for t in (5..n + 4).step_by(11) {
            idx[t] = 2.0;
        }
        let y: Vec<f64> = (0..n).map(|t| 10.0 * idx[t]).collect();
        let lifted = (n..n + 4).find(|&t| idx[t] == 2.0);
        let c = SeriesContext { idx: &idx, h: 4, season: 52, origins: 3, max_fit: 1000, calendar: true };
        let fit = fit_series(&y, &[], &c, &mut Scratch::default());
        assert!(fit.model.uses_calendar(), "{:?}", fit.model);
        for j in 0..4 {
            let expect = 10.0 * idx[n + j];
            assert!((fit.mean[j] - expect).abs() < 0.5, "{lifted:?} {:?}", fit.mean);
        }
    }

    proptest::proptest! {
        #[test]
        fn forecasts_are_finite_non_negative_and_ordered(
            y in proptest::collection::vec(0.0f64..1000.0, 0..120),
            zeros in proptest::collection::vec(proptest::bool::ANY, 0..120),
            h in 1usize..30,
            season in proptest::sample::select(vec![1usize, 7, 52]),
        ) {
            let y: Vec<f64> = y.iter().zip(zeros.iter().chain(std::iter::repeat(&false)))
                .map(|(&v, &z)| if z { 0.0 } else { v.floor() }).collect();
            let idx = vec![1.3; y.len() + h];
            let c = SeriesContext { idx: &idx, h, season, origins: 3, max_fit: 1000, calendar: true };
            let fit = fit_series(&y, &[], &c, &mut Scratch::default());
            proptest::prop_assert_eq!(fit.mean.len(), h);
            for j in 0..h {
                let (a, b, c, m) = (fit.p10[j], fit.p50[j], fit.p90[j], fit.mean[j]);
                proptest::prop_assert!(a.is_finite() && b.is_finite() && c.is_finite() && m.is_finite());
                proptest::prop_assert!(a >= 0.0 && m >= 0.0 && a <= b && b <= c, "{} {} {} {}", a, b, c, m);
            }
        }
    }
}
