//! The frequentist power calculator of GrowthBook (`packages/shared/src/power.ts`):
//! the power of a test for a relative effect given the users in the experiment,
//! and the minimum detectable effect at a target power, both optionally for the
//! sequential test.

use serde::{Deserialize, Serialize};

use super::frequentist::sequential_rho;
use super::special::{norm_cdf, norm_ppf};

/// How the metric is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PowerMetric {
    /// A mean with a given variance (the square of power.ts' standard deviation).
    Mean,
    /// A conversion rate: `mean` is the rate and the variance is mean (1 - mean).
    Proportion,
}

/// One power question, as `loupe experiments power --json` reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PowerInput {
    pub metric: PowerMetric,
    pub mean: f64,
    /// Ignored for a proportion.
    #[serde(default)]
    pub variance: f64,
    /// The relative effect the test should detect (0.05 for +5%).
    pub effect: f64,
    /// Users in the whole experiment, all arms together.
    pub n_total: f64,
    /// Number of arms, control included.
    #[serde(default = "two")]
    pub variations: f64,
    #[serde(default = "five_percent")]
    pub alpha: f64,
    #[serde(default = "yes")]
    pub two_tailed: bool,
    /// When present, the power of the sequential test with this tuning parameter.
    #[serde(default)]
    pub sequential_tuning_parameter: Option<f64>,
}

fn two() -> f64 {
    2.0
}
fn five_percent() -> f64 {
    0.05
}
fn yes() -> bool {
    true
}

/// The answer: power at `effect`, and the effect detectable with 80% power.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PowerOutput {
    pub power: Option<f64>,
    pub mde: Option<f64>,
    /// Why `power` or `mde` is missing.
    pub error: Option<String>,
}

impl PowerInput {
    fn variance_of_metric(&self) -> f64 {
        match self.metric {
            PowerMetric::Mean => self.variance,
            PowerMetric::Proportion => self.mean * (1.0 - self.mean),
        }
    }

    fn tuning(&self) -> f64 {
        self.sequential_tuning_parameter.unwrap_or(0.0)
    }

    fn check(&self) -> Result<(), String> {
        let finite = [self.mean, self.variance, self.effect, self.n_total, self.variations, self.alpha];
        if finite.iter().any(|v| !v.is_finite()) {
            return Err("every number must be finite".into());
        }
        if self.n_total <= 0.0 {
            return Err("n_total must be positive".into());
        }
        if self.variations < 2.0 {
            return Err("variations must be at least 2".into());
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err("alpha must be between 0 and 1".into());
        }
        if self.mean == 0.0 {
            return Err("mean must not be 0 (the effect is relative to it)".into());
        }
        if self.variance_of_metric() < 0.0 {
            return Err("variance must not be negative".into());
        }
        if let Some(t) = self.sequential_tuning_parameter {
            if !t.is_finite() || t < 0.0 {
                return Err("sequential_tuning_parameter must be a positive number".into());
            }
        }
        Ok(())
    }
}

/// power.ts' `frequentistVariance` for the relative effect.
fn relative_variance(var_a: f64, mean_a: f64, n_a: f64, var_b: f64, mean_b: f64, n_b: f64) -> f64 {
    var_b / (mean_a.powi(2) * n_b) + var_a * mean_b.powi(2) / (mean_a.powi(4) * n_a)
}

/// `sequentialDiscriminant`.
fn sequential_discriminant(n: f64, rho: f64, alpha: f64) -> f64 {
    2.0 * (n * rho * rho + 1.0) * ((n * rho * rho + 1.0).sqrt() / alpha).ln() / (n * rho).powi(2)
}

/// `sequentialPowerSequentialVariance`: the variance that makes a fixed-horizon
/// interval as wide as the sequential one.
fn sequential_variance(variance: f64, n: f64, alpha: f64, tuning: f64) -> f64 {
    let se_mean = (variance / n).sqrt();
    let rho = sequential_rho(alpha, tuning, true);
    let z_sequential = n.sqrt() * sequential_discriminant(n, rho, alpha).sqrt();
    let z_star = norm_ppf(1.0 - 0.5 * alpha);
    let se_sequential = se_mean * z_sequential / z_star;
    n * se_sequential.powi(2)
}

/// `powerEstFrequentist` (with `powerFrequentist`): the chance that the test
/// at level `alpha` detects a true relative effect of `effect`.
pub fn power(input: &PowerInput) -> Result<f64, String> {
    input.check()?;
    let m = input.mean;
    let v = input.variance_of_metric();
    let n = input.n_total;
    let k = input.variations;
    let tuning = input.tuning();
    let se = if tuning > 0.0 {
        let v_rel = relative_variance(v, m, n / k, v, m * (1.0 + input.effect), n / k);
        sequential_variance(v_rel, 2.0 * n / k, input.alpha, tuning).sqrt()
    } else {
        relative_variance(v, m, n / k, v, m * (1.0 + input.effect), n / k).sqrt()
    };
    let z_star =
        if input.two_tailed { norm_ppf(1.0 - 0.5 * input.alpha) } else { norm_ppf(1.0 - input.alpha) };
    let standardized = input.effect / se;
    let mut power = 1.0 - norm_cdf(z_star - standardized);
    if input.two_tailed {
        power += norm_cdf(-z_star - standardized);
    }
    if power.is_nan() {
        return Err("the power is not a number for these inputs".into());
    }
    Ok(power)
}

/// `findMdeFrequentist`: the smallest relative effect detected with probability
/// `target_power` (power.ts always uses the two-sided critical value here).
pub fn mde(input: &PowerInput, target_power: f64) -> Result<f64, String> {
    input.check()?;
    let valid = target_power.is_finite() && target_power > input.alpha && target_power < 1.0;
    if !valid {
        return Err("power must be greater than alpha.".into());
    }
    let n_a = input.n_total / input.variations;
    let z = norm_ppf(1.0 - 0.5 * input.alpha) - norm_ppf(1.0 - target_power);
    let m = input.mean;
    let mut v = input.variance_of_metric();
    let tuning = input.tuning();
    if tuning > 0.0 {
        v = sequential_variance(v, 2.0 * n_a, input.alpha, tuning);
    }
    if n_a <= v * z * z / (m * m) {
        return Err("need to increase number of users or reduce number of variations.".into());
    }
    let sigma2 = v / n_a;
    let a_star = 1.0 - z * z * sigma2 / (m * m);
    let b_star = -2.0 * m;
    let c_star = m * m - z * z * sigma2;
    let disc = b_star * b_star - 4.0 * a_star * c_star;
    let sol = (-b_star + disc.sqrt()) / (2.0 * a_star);
    let mde = (sol - m) / m;
    if mde.is_nan() {
        return Err("the MDE is not a number for these inputs".into());
    }
    Ok(mde)
}

/// Both answers at once, as the CLI prints them (MDE at 80% power).
pub fn power_analysis(input: &PowerInput) -> PowerOutput {
    let power = power(input);
    let mde = mde(input, 0.8);
    let error = match (&power, &mde) {
        (Err(e), _) | (Ok(_), Err(e)) => Some(e.clone()),
        _ => None,
    };
    PowerOutput { power: power.ok(), mde: mde.ok(), error }
}
