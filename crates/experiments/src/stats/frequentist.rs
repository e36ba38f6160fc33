//! Frequentist read-outs: Welch's t-tests (two-sided and one-sided) and the
//! sequential tests whose intervals stay valid however often one looks, ported
//! from gbstats' `frequentist/tests.py`.
//!
//! The sequential intervals are the asymptotic confidence sequences of
//! Waudby-Smith et al. (arXiv 2103.06476v7): half-width from eq. 9 (two-sided)
//! and eq. 134 (one-sided), rho from the tuning parameter by eq. 161, the
//! two-sided p-value from the e-value of eq. 155, the one-sided p-value by
//! bisection over alpha as gbstats does it.

use super::moments::Moments;
use super::special::{t_cdf, t_ppf, t_sf};
use super::statistic::Stat;
use super::Alternative;

/// gbstats' p-value error for a one-sided sequential test with alpha of 0.5 or more.
pub const ALPHA_TOO_LARGE: &str = "ALPHA_GREATER_THAN_0.5_FOR_SEQUENTIAL_ONE_SIDED_TEST";
/// gbstats' p-value error when the one-sided sequential bisection does not converge.
pub const PVALUE_NOT_CONVERGED: &str = "NUMERICAL_PVALUE_NOT_CONVERGED";

/// What a frequentist test reports besides the effect moments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Frequentist {
    pub ci: [f64; 2],
    pub p_value: Option<f64>,
    pub p_value_error: Option<&'static str>,
}

/// Welch-Satterthwaite degrees of freedom on the (theta-adjusted) statistics.
fn dof(a: &Stat, b: &Stat) -> f64 {
    let (var_a, var_b, n_a, n_b) = (a.variance(), b.variance(), a.n(), b.n());
    if n_a <= 1.0 || n_b <= 1.0 || var_a == 0.0 || var_b == 0.0 {
        return 1.0;
    }
    (var_b / n_b + var_a / n_a).powi(2)
        / (var_b.powi(2) / (n_b.powi(2) * (n_b - 1.0)) + var_a.powi(2) / (n_a.powi(2) * (n_a - 1.0)))
}

/// A fixed-horizon t-test.
pub(crate) fn t_test(a: &Stat, b: &Stat, m: &Moments, alpha: f64, alternative: Alternative) -> Frequentist {
    let dof = dof(a, b);
    let pe = m.point_estimate;
    let se = m.standard_error;
    let cv = if se == 0.0 { 0.0 } else { pe / se };
    let (ci, p) = match alternative {
        Alternative::TwoSided => {
            let hw = t_ppf(1.0 - alpha / 2.0, dof) * se;
            ([pe - hw, pe + hw], 2.0 * t_sf(cv.abs(), dof))
        }
        Alternative::Greater => {
            let hw = t_ppf(1.0 - alpha, dof) * se;
            ([pe - hw, f64::INFINITY], t_sf(cv, dof))
        }
        Alternative::Less => {
            let hw = t_ppf(1.0 - alpha, dof) * se;
            ([f64::NEG_INFINITY, pe + hw], t_cdf(cv, dof))
        }
    };
    Frequentist { ci, p_value: Some(p), p_value_error: None }
}

/// `sequential_rho`: the mixing parameter for a tuning parameter (the sample
/// size at which the sequence is tightest). One-sided tests use 2 alpha.
pub(crate) fn sequential_rho(alpha: f64, tuning: f64, two_sided: bool) -> f64 {
    let a = if two_sided { alpha } else { 2.0 * alpha };
    ((-2.0 * a.ln() + (-2.0 * a.ln() + 1.0).ln()) / tuning).sqrt()
}

/// `sequential_interval_halfwidth` (two-sided, eq. 9).
pub(crate) fn halfwidth_two_sided(s2: f64, n: f64, alpha: f64, rho: f64) -> f64 {
    let nr2 = n * rho * rho + 1.0;
    s2.sqrt() * (2.0 * nr2 * (nr2.sqrt() / alpha).ln() / (n * rho).powi(2)).sqrt()
}

/// `sequential_interval_halfwidth_one_sided` (eq. 134).
fn halfwidth_one_sided(s2: f64, n: f64, alpha: f64, rho: f64) -> f64 {
    let nr2 = n * rho * rho + 1.0;
    (s2 * (2.0 * nr2 / (n * rho).powi(2)) * (1.0 + nr2.sqrt() / (2.0 * alpha)).ln()).sqrt()
}

/// A sequential test with tuning parameter `tuning`.
pub(crate) fn sequential_test(
    a: &Stat,
    b: &Stat,
    m: &Moments,
    alpha: f64,
    alternative: Alternative,
    tuning: f64,
) -> Result<Frequentist, &'static str> {
    let n = a.n() + b.n();
    let pe = m.point_estimate;
    let s2 = m.standard_error.powi(2) * n;
    match alternative {
        Alternative::TwoSided => {
            let rho = sequential_rho(alpha, tuning, true);
            let hw = halfwidth_two_sided(s2, n, alpha, rho);
            let st2 = pe * pe * n / m.standard_error.powi(2);
            let tr2p1 = n * rho * rho + 1.0;
            let evalue = (rho * rho * st2 / (2.0 * tr2p1)).exp() / tr2p1.sqrt();
            let p = (1.0 / evalue).min(1.0);
            Ok(Frequentist { ci: [pe - hw, pe + hw], p_value: Some(p), p_value_error: None })
        }
        Alternative::Greater | Alternative::Less => {
            if alpha >= 0.5 {
                return Err(ALPHA_TOO_LARGE);
            }
            let lesser = alternative == Alternative::Less;
            let rho = sequential_rho(alpha, tuning, false);
            // The bound that matters: the upper one for "less", the lower for "greater".
            let bound = |alpha: f64| {
                let hw = halfwidth_one_sided(s2, n, alpha, rho);
                if lesser {
                    pe + hw
                } else {
                    pe - hw
                }
            };
            let ci = if lesser { [f64::NEG_INFINITY, bound(alpha)] } else { [bound(alpha), f64::INFINITY] };
            let (p_value, p_value_error) = match one_sided_p_value(&bound, lesser) {
                Some(p) => (Some(p), None),
                None => (None, Some(PVALUE_NOT_CONVERGED)),
            };
            Ok(Frequentist { ci, p_value, p_value_error })
        }
    }
}

/// gbstats' `compute_p_value` of the one-sided sequential tests: the alpha at
/// which the relevant bound crosses zero, by bisection between 1e-5 and 0.4999.
fn one_sided_p_value(bound: &dyn Fn(f64) -> f64, lesser: bool) -> Option<f64> {
    const TOL: f64 = 1e-6;
    const MAX_ITERS: usize = 100;
    let mut min_alpha = 1e-5;
    let mut max_alpha = 0.4999;
    // "Significant" at alpha: the bound excludes zero on the tested side.
    let significant = |b: f64| if lesser { b < 0.0 } else { b > 0.0 };
    if significant(bound(min_alpha)) {
        return Some(min_alpha);
    }
    if !significant(bound(max_alpha)) && bound(max_alpha) != 0.0 {
        return Some(max_alpha);
    }
    let mut this_alpha = 0.5 * (min_alpha + max_alpha);
    let mut diff = 0.0;
    let mut iters = 0;
    for i in 0..MAX_ITERS {
        iters = i;
        diff = bound(this_alpha);
        let wider = if lesser { diff > 0.0 } else { diff < 0.0 };
        if wider {
            min_alpha = this_alpha;
        } else {
            max_alpha = this_alpha;
        }
        this_alpha = 0.5 * (min_alpha + max_alpha);
        if diff.abs() < TOL {
            break;
        }
    }
    if diff.abs() < TOL && iters != MAX_ITERS {
        Some(this_alpha)
    } else {
        None
    }
}
