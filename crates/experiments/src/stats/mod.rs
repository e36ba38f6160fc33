//! gbstats-compatible statistics: [`analyze`] compares a treatment arm with a
//! control the way GrowthBook's statistics engine does (its current source in
//! `packages/stats/gbstats/`), [`srm_p_value`] is the back-end's sample-ratio
//! check, and [`power`] / [`mde`] are the power calculator of
//! `packages/shared/src/power.ts`.
//!
//! Results agree with that source to 5 decimal places (see
//! BENCHMARKS.md, "Experiments"). Where the source gives NaN or infinity for
//! degenerate input, these functions return an `error` message instead; no input
//! makes them panic.

mod bayesian;
mod frequentist;
mod moments;
mod power;
mod special;
mod srm;
mod statistic;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use frequentist::{ALPHA_TOO_LARGE, PVALUE_NOT_CONVERGED};
pub use moments::{BASELINE_VARIATION_ZERO, ZERO_NEGATIVE_VARIANCE};
pub use power::{mde, power, power_analysis, PowerInput, PowerMetric, PowerOutput};
pub use srm::srm_p_value;
pub use statistic::Statistic;

use statistic::Stat;

/// Which read-out to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    #[default]
    Frequentist,
    Bayesian,
}

/// Whether the effect is B - A or (B - A) / A.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DifferenceType {
    #[default]
    Relative,
    Absolute,
}

/// The frequentist alternative hypothesis (ignored by the Bayesian engine, as in gbstats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Alternative {
    #[default]
    TwoSided,
    /// B is better than A: the interval is [lo, +inf).
    Greater,
    /// B is worse than A: the interval is (-inf, hi].
    Less,
}

/// The scale a prior is stated on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PriorType {
    /// On the relative effect (gbstats' default), rescaled by the control mean
    /// when the analysis is absolute.
    #[default]
    Relative,
    Absolute,
}

/// A Gaussian prior on the effect; gbstats' `GaussianPrior`, whose defaults it keeps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prior {
    pub mean: f64,
    pub variance: f64,
    /// An improper prior is flat: the posterior is the data alone.
    pub proper: bool,
    pub prior_type: PriorType,
}

impl Default for Prior {
    fn default() -> Self {
        Prior { mean: 0.0, variance: 1.0, proper: false, prior_type: PriorType::Relative }
    }
}

/// How to analyze: the engine and its settings, with gbstats' defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub engine: Engine,
    pub difference_type: DifferenceType,
    /// The false-positive rate of the interval (1 - its coverage).
    pub alpha: f64,
    pub alternative: Alternative,
    /// When present, a sequential test tuned for about this many units in total.
    pub sequential_tuning_parameter: Option<f64>,
    /// Absent: an improper flat prior.
    pub prior: Option<Prior>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            engine: Engine::Frequentist,
            difference_type: DifferenceType::Relative,
            alpha: 0.05,
            alternative: Alternative::TwoSided,
            sequential_tuning_parameter: None,
            prior: None,
        }
    }
}

/// The estimated effect's normal distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Uplift {
    pub mean: f64,
    pub stddev: f64,
}

/// The part of a result that depends on the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ReadOut {
    Frequentist {
        /// `None` when the one-sided sequential p-value did not converge.
        p_value: Option<f64>,
        /// gbstats' `p_value_error_message`, when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        p_value_error: Option<String>,
    },
    Bayesian {
        chance_to_win: f64,
        /// [risk of keeping the control, risk of shipping the treatment].
        risk: [f64; 2],
    },
}

/// One comparison of B against A. On error the numbers are gbstats'
/// uninformative defaults (0 effect, [0, 0] interval, p-value 1 or chance to win 0.5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub expected: f64,
    /// Infinite for the open side of a one-sided interval (JSON `null`).
    pub ci: [f64; 2],
    pub uplift: Uplift,
    #[serde(flatten)]
    pub read_out: ReadOut,
    pub error: Option<String>,
}

impl Analysis {
    /// gbstats' `_default_output` for the engine.
    fn uninformative(engine: Engine, error: Option<String>) -> Analysis {
        let read_out = match engine {
            Engine::Frequentist => ReadOut::Frequentist { p_value: Some(1.0), p_value_error: None },
            Engine::Bayesian => ReadOut::Bayesian { chance_to_win: 0.5, risk: [0.0, 0.0] },
        };
        Analysis { expected: 0.0, ci: [0.0, 0.0], uplift: Uplift { mean: 0.0, stddev: 0.0 }, read_out, error }
    }

    /// A result whose whole read-out failed, with gbstats' default numbers.
    pub fn failed(engine: Engine, error: impl Into<String>) -> Analysis {
        Analysis::uninformative(engine, Some(error.into()))
    }
}

/// Compares treatment `b` with control `a` under `cfg`, as gbstats'
/// `TwoSidedTTest`, `OneSidedTreatment{Greater,Lesser}TTest`, their `Sequential`
/// forms, or `EffectBayesianABTest` would.
pub fn analyze(a: &Statistic, b: &Statistic, cfg: &Config) -> Analysis {
    match try_analyze(a, b, cfg) {
        Ok(analysis) => analysis,
        Err(message) => Analysis::failed(cfg.engine, message),
    }
}

fn try_analyze(a: &Statistic, b: &Statistic, cfg: &Config) -> Result<Analysis, String> {
    if !(cfg.alpha > 0.0 && cfg.alpha < 1.0) {
        return Err("alpha must be between 0 and 1".into());
    }
    if let Some(t) = cfg.sequential_tuning_parameter {
        if !(t.is_finite() && t > 0.0) {
            return Err("sequential_tuning_parameter must be a positive number".into());
        }
    }
    if let Some(p) = &cfg.prior {
        if !p.mean.is_finite() || !p.variance.is_finite() || (p.proper && p.variance <= 0.0) {
            return Err("prior: mean must be finite and variance positive".into());
        }
    }
    let a = Stat::parse(a, "A")?;
    let b = Stat::parse(b, "B")?;
    let (a, b) = statistic::theta_adjusted(a, b)?;
    let relative = cfg.difference_type == DifferenceType::Relative;
    let m = moments::effect_moments(&a, &b, relative)?;
    let uplift = Uplift { mean: m.point_estimate, stddev: m.standard_error };
    match cfg.engine {
        Engine::Frequentist => {
            let f = match cfg.sequential_tuning_parameter {
                None => frequentist::t_test(&a, &b, &m, cfg.alpha, cfg.alternative),
                Some(tuning) => {
                    match frequentist::sequential_test(&a, &b, &m, cfg.alpha, cfg.alternative, tuning) {
                        Ok(f) => f,
                        Err(p_value_error) => {
                            // gbstats returns its default output with only the
                            // p-value error set; Loupe says why the numbers are empty.
                            let mut out = Analysis::uninformative(cfg.engine, Some(p_value_error.into()));
                            out.read_out = ReadOut::Frequentist {
                                p_value: Some(1.0),
                                p_value_error: Some(p_value_error.into()),
                            };
                            return Ok(out);
                        }
                    }
                }
            };
            Ok(Analysis {
                expected: m.point_estimate,
                ci: f.ci,
                uplift,
                read_out: ReadOut::Frequentist {
                    p_value: f.p_value,
                    p_value_error: f.p_value_error.map(str::to_owned),
                },
                error: None,
            })
        }
        Engine::Bayesian => {
            let prior = cfg.prior.clone().unwrap_or_default();
            let r = bayesian::bayesian(&m, a.unadjusted_mean(), relative, cfg.alpha, &prior)?;
            Ok(Analysis {
                expected: r.mean,
                ci: r.ci,
                uplift: Uplift { mean: r.mean, stddev: r.stddev },
                read_out: ReadOut::Bayesian { chance_to_win: r.chance_to_win, risk: r.risk },
                error: None,
            })
        }
    }
}
