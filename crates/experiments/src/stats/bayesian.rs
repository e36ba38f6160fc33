//! The Bayesian read-out: gbstats' `EffectBayesianABTest` (`bayesian/tests.py`).
//! A normal posterior on the effect from the effect moments and a Gaussian prior
//! (improper and flat unless told otherwise), then chance to win, a credible
//! interval and the expected loss (risk) of shipping either arm.

use super::moments::{Moments, BASELINE_VARIATION_ZERO};
use super::special::{norm_cdf, norm_pdf, norm_ppf, norm_sf};
use super::{Prior, PriorType};

/// What the Bayesian test reports.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bayesian {
    pub mean: f64,
    pub stddev: f64,
    pub ci: [f64; 2],
    pub chance_to_win: f64,
    pub risk: [f64; 2],
}

pub(crate) fn bayesian(
    m: &Moments,
    baseline_unadjusted_mean: f64,
    relative: bool,
    alpha: f64,
    prior: &Prior,
) -> Result<Bayesian, String> {
    // The prior is stated on the scale of `prior_type`; bring it to the scale of the effect.
    let base = baseline_unadjusted_mean;
    let mut prior = prior.clone();
    if relative && prior.prior_type == PriorType::Absolute {
        prior.mean /= base.abs();
        prior.variance /= base * base;
    } else if !relative && prior.prior_type == PriorType::Relative {
        if prior.proper && base == 0.0 {
            return Err(BASELINE_VARIATION_ZERO.into());
        }
        prior.mean *= base.abs();
        prior.variance *= base * base;
    }
    let data_mean = m.point_estimate;
    let data_variance = m.standard_error.powi(2);
    let prior_precision = if prior.proper { 1.0 / prior.variance } else { 0.0 };
    let (post_prec, mean) = if data_variance != 0.0 {
        let post_prec = 1.0 / data_variance + prior_precision;
        let mean = if prior.proper {
            (data_mean / data_variance + prior.mean / prior.variance) / post_prec
        } else {
            data_mean
        };
        (post_prec, mean)
    } else {
        (prior_precision, if prior.proper { prior.mean } else { 0.0 })
    };
    if post_prec == 0.0 {
        return Err(BASELINE_VARIATION_ZERO.into());
    }
    let stddev = (1.0 / post_prec).sqrt();
    if !mean.is_finite() || !stddev.is_finite() || stddev <= 0.0 {
        return Err("NUMERICAL_OVERFLOW: the posterior is not a proper normal distribution".into());
    }
    let z = mean / stddev;
    let chance_to_win = norm_cdf(z);
    let ci = [mean + stddev * norm_ppf(alpha / 2.0), mean + stddev * norm_ppf(1.0 - alpha / 2.0)];
    Ok(Bayesian { mean, stddev, ci, chance_to_win, risk: risk(mean, stddev) })
}

/// gbstats' `get_risk`: [E max(effect, 0), E max(-effect, 0)], the loss of
/// keeping the control when B is better and of shipping B when it is worse.
/// gbstats multiplies probabilities by truncated-normal means; written out,
/// (1 - P(X<0)) E[X | X>0] = mu Q(-mu/s) + s phi(mu/s), which stays finite in
/// the far tails where the truncated means are 0/0.
fn risk(mu: f64, sigma: f64) -> [f64; 2] {
    let z = mu / sigma;
    let density = sigma * norm_pdf(z);
    let p_pos = norm_cdf(z);
    let p_neg = norm_sf(z);
    let risk_ctrl = mu * p_pos + density;
    let risk_trt = density - mu * p_neg;
    [risk_ctrl.max(0.0), risk_trt.max(0.0)]
}
