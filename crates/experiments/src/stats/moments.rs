//! The effect estimate and its standard error, shared by the frequentist and
//! Bayesian read-outs: gbstats' `EffectMoments` (`models/tests.py`), with its
//! delta-method variances for relative effects, CUPED and CUPED ratios.

use super::statistic::{quad, Ra, RaRatio, Stat};

/// gbstats' `ZERO_NEGATIVE_VARIANCE_MESSAGE`.
pub const ZERO_NEGATIVE_VARIANCE: &str = "ZERO_NEGATIVE_VARIANCE";
/// gbstats' `BASELINE_VARIATION_ZERO_MESSAGE`.
pub const BASELINE_VARIATION_ZERO: &str = "ZERO_NEGATIVE_BASELINE_VARIATION";

/// Point estimate and standard error of the effect of B over A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Moments {
    pub point_estimate: f64,
    pub standard_error: f64,
}

/// `frequentist_variance` of gbstats' utils.
fn frequentist_variance(a: &Stat, b: &Stat, relative: bool) -> f64 {
    let (var_a, mean_a, n_a) = (a.variance(), a.unadjusted_mean(), a.n());
    let (var_b, mean_b, n_b) = (b.variance(), b.unadjusted_mean(), b.n());
    if relative {
        super::statistic::variance_of_ratios(mean_b, var_b / n_b, mean_a, var_a / n_a, 0.0)
    } else {
        var_b / n_b + var_a / n_a
    }
}

/// `frequentist_variance_relative_cuped`: the relative effect's variance for CUPED.
fn variance_relative_cuped(a: &Ra, b: &Ra) -> f64 {
    let mean_a = a.post.mean();
    let den_trt = b.n * mean_a * mean_a;
    let den_ctrl = a.n * mean_a * mean_a;
    if den_trt == 0.0 || den_ctrl == 0.0 {
        return 0.0;
    }
    let theta = a.theta();
    let num_trt = b.post.variance() + theta * theta * b.pre.variance() - 2.0 * theta * b.covariance();
    let v_trt = num_trt / den_trt;
    let c = -b.post.mean();
    let num_a = a.post.variance() * c * c / (mean_a * mean_a);
    let num_b = 2.0 * theta * a.covariance() * c / mean_a;
    let num_c = theta * theta * a.pre.variance();
    let v_ctrl = (num_a + num_b + num_c) / den_ctrl;
    v_trt + v_ctrl
}

/// `frequentist_variance_relative_cuped_ratio`: the same for CUPED ratio metrics.
fn variance_relative_cuped_ratio(a: &RaRatio, b: &RaRatio) -> f64 {
    let d_post_mean = a.d_post.mean();
    if a.mean_post() == 0.0 || d_post_mean == 0.0 {
        return 0.0;
    }
    let g_abs = b.mean() - a.mean();
    let g_rel_den = a.mean_post().abs();
    let nabla_ctrl_0 = (-(g_rel_den + g_abs) / d_post_mean) / g_rel_den.powi(2);
    let m_post_mean = a.m_post.mean();
    let nabla_ctrl_1 = (m_post_mean * g_rel_den / d_post_mean.powi(2)
        + m_post_mean * g_abs / d_post_mean.powi(2))
        / g_rel_den.powi(2);
    let na = a.nabla();
    let nabla_a = [nabla_ctrl_0, nabla_ctrl_1, -na[2] / g_rel_den, -na[3] / g_rel_den];
    let nb = b.nabla();
    let nabla_b = [nb[0] / g_rel_den, nb[1] / g_rel_den, nb[2] / g_rel_den, nb[3] / g_rel_den];
    quad(&nabla_a, &a.lambda(), &nabla_a) / a.n + quad(&nabla_b, &b.lambda(), &nabla_b) / b.n
}

/// `frequentist_variance_all_cases`.
fn variance(a: &Stat, b: &Stat, relative: bool) -> f64 {
    match (a, b) {
        (Stat::Ra(a), Stat::Ra(b)) if relative => variance_relative_cuped(a, b),
        (Stat::RaRatio(a), Stat::RaRatio(b)) if relative => variance_relative_cuped_ratio(a, b),
        _ => frequentist_variance(a, b, relative),
    }
}

/// `frequentist_diff`.
fn point_estimate(a: &Stat, b: &Stat, relative: bool) -> f64 {
    let (mean_a, mean_b) = (a.mean(), b.mean());
    if relative {
        // gbstats: `if not mean_a_unadjusted: mean_a_unadjusted = mean_a`.
        let mut base = a.unadjusted_mean();
        if base == 0.0 {
            base = mean_a;
        }
        (mean_b - mean_a) / base
    } else {
        mean_b - mean_a
    }
}

/// `EffectMoments.compute_result` on statistics whose theta is already set.
pub(crate) fn effect_moments(a: &Stat, b: &Stat, relative: bool) -> Result<Moments, String> {
    let var = variance(a, b, relative);
    if a.variance() <= 0.0 || b.variance() <= 0.0 || var <= 0.0 {
        return Err(ZERO_NEGATIVE_VARIANCE.into());
    }
    if a.mean() == 0.0 || a.unadjusted_mean() == 0.0 {
        return Err(BASELINE_VARIATION_ZERO.into());
    }
    match (a, b) {
        (Stat::Ra(_), Stat::Ra(_)) => {}
        (Stat::Ra(_), _) => {
            return Err("If stat_a is a RegressionAdjustedStatistic, stat_b must be as well".into())
        }
        (_, Stat::Ra(_)) => {
            return Err("If stat_b is a RegressionAdjustedStatistic, stat_a must be as well".into())
        }
        _ => {}
    }
    let moments = Moments { point_estimate: point_estimate(a, b, relative), standard_error: var.sqrt() };
    // Loupe's own guard: gbstats would pass NaN or infinity on; an analyst
    // is better served by a message (the inputs were checked finite, so only
    // an overflow in the formulas gets here).
    if !moments.point_estimate.is_finite() || !moments.standard_error.is_finite() || var.is_nan() {
        return Err("NUMERICAL_OVERFLOW: the effect or its variance is not a finite number".into());
    }
    Ok(moments)
}
