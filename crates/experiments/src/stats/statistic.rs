//! Sufficient statistics of one arm, and their means, variances and covariances,
//! ported from gbstats' `models/statistics.py` (growthbook/growthbook, packages/stats).
//!
//! [`Statistic`] is the public, serde-readable form (`{"type": "SampleMean", ...}`);
//! [`Stat`] is the checked internal form the tests compute on, built by
//! [`Stat::parse`] so that every number used later is finite and every nested
//! statistic is of a kind gbstats accepts there.

use serde::{Deserialize, Serialize};

/// The sufficient statistics of one arm for one metric, as gbstats takes them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum Statistic {
    /// A metric averaged over units: count, sum of values and sum of squared values.
    SampleMean { n: f64, sum: f64, sum_squares: f64 },
    /// A 0/1 metric: count and number of successes.
    Proportion { n: f64, sum: f64 },
    /// A ratio of two per-unit sums (numerator `m`, denominator `d`), both sample means.
    Ratio { n: f64, m_sum: f64, m_sum_squares: f64, d_sum: f64, d_sum_squares: f64, m_d_sum_of_products: f64 },
    /// CUPED: the metric after exposure and the same metric before it.
    /// `post` and `pre` are both `SampleMean` or both `Proportion`; a `theta` of
    /// `null` is estimated from both arms, as gbstats does.
    RegressionAdjusted {
        n: f64,
        post: Box<Statistic>,
        pre: Box<Statistic>,
        post_pre_sum_of_products: f64,
        #[serde(default)]
        theta: Option<f64>,
    },
    /// CUPED for a ratio metric: numerator and denominator, each after and before exposure.
    RegressionAdjustedRatio {
        n: f64,
        m_post: Box<Statistic>,
        d_post: Box<Statistic>,
        m_pre: Box<Statistic>,
        d_pre: Box<Statistic>,
        m_post_m_pre_sum_of_products: f64,
        d_post_d_pre_sum_of_products: f64,
        m_pre_d_pre_sum_of_products: f64,
        m_post_d_post_sum_of_products: f64,
        m_post_d_pre_sum_of_products: f64,
        m_pre_d_post_sum_of_products: f64,
        #[serde(default)]
        theta: Option<f64>,
    },
}

/// A sample mean or a proportion: the building block of every other statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Moment {
    Mean { n: f64, sum: f64, sum_squares: f64 },
    Prop { n: f64, sum: f64 },
}

impl Moment {
    pub(crate) fn n(&self) -> f64 {
        match *self {
            Moment::Mean { n, .. } | Moment::Prop { n, .. } => n,
        }
    }

    pub(crate) fn sum(&self) -> f64 {
        match *self {
            Moment::Mean { sum, .. } | Moment::Prop { sum, .. } => sum,
        }
    }

    /// A proportion's sum of squares is its sum (its values are 0 or 1).
    fn sum_squares(&self) -> f64 {
        match *self {
            Moment::Mean { sum_squares, .. } => sum_squares,
            Moment::Prop { sum, .. } => sum,
        }
    }

    fn is_prop(&self) -> bool {
        matches!(self, Moment::Prop { .. })
    }

    pub(crate) fn mean(&self) -> f64 {
        let n = self.n();
        if n == 0.0 {
            0.0
        } else {
            self.sum() / n
        }
    }

    pub(crate) fn variance(&self) -> f64 {
        match *self {
            Moment::Mean { n, sum, sum_squares } => {
                if n <= 1.0 {
                    0.0
                } else {
                    (sum_squares - sum * sum / n) / (n - 1.0)
                }
            }
            Moment::Prop { .. } => {
                let m = self.mean();
                m * (1.0 - m)
            }
        }
    }

    /// The two arms pooled, as gbstats' `create_joint_statistic` does.
    fn joint(a: &Moment, b: &Moment, n: f64) -> Result<Moment, String> {
        match (a, b) {
            (Moment::Prop { .. }, Moment::Prop { .. }) => Ok(Moment::Prop { n, sum: a.sum() + b.sum() }),
            (Moment::Mean { .. }, Moment::Mean { .. }) => {
                Ok(Moment::Mean { n, sum: a.sum() + b.sum(), sum_squares: a.sum_squares() + b.sum_squares() })
            }
            _ => Err("Statistic types for a metric must not be different types across variations.".into()),
        }
    }
}

/// gbstats' `compute_covariance`: the population form for two proportions, the
/// sample form otherwise.
fn covariance(n: f64, a: &Moment, b: &Moment, sum_of_products: f64) -> f64 {
    if n <= 1.0 {
        return 0.0;
    }
    if a.is_prop() && b.is_prop() {
        sum_of_products / n - a.sum() * b.sum() / (n * n)
    } else {
        (sum_of_products - a.sum() * b.sum() / n) / (n - 1.0)
    }
}

/// gbstats' `variance_of_ratios`: the delta-method variance of M / D.
pub(crate) fn variance_of_ratios(mean_m: f64, var_m: f64, mean_d: f64, var_d: f64, cov_m_d: f64) -> f64 {
    var_m / mean_d.powi(2) + var_d * mean_m.powi(2) / mean_d.powi(4) - 2.0 * cov_m_d * mean_m / mean_d.powi(3)
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ratio {
    pub n: f64,
    pub m: Moment,
    pub d: Moment,
    pub m_d_sum_of_products: f64,
}

impl Ratio {
    fn mean(&self) -> f64 {
        if self.d.sum() == 0.0 {
            0.0
        } else {
            self.m.sum() / self.d.sum()
        }
    }

    fn variance(&self) -> f64 {
        if self.d.mean() == 0.0 || self.n <= 1.0 {
            return 0.0;
        }
        let cov = covariance(self.n, &self.m, &self.d, self.m_d_sum_of_products);
        variance_of_ratios(self.m.mean(), self.m.variance(), self.d.mean(), self.d.variance(), cov)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ra {
    pub n: f64,
    pub post: Moment,
    pub pre: Moment,
    pub post_pre_sum_of_products: f64,
    pub theta: Option<f64>,
}

impl Ra {
    /// gbstats reads `theta if theta else 0`.
    pub(crate) fn theta(&self) -> f64 {
        self.theta.unwrap_or(0.0)
    }

    fn mean(&self) -> f64 {
        self.post.mean() - self.theta() * self.pre.mean()
    }

    pub(crate) fn covariance(&self) -> f64 {
        covariance(self.n, &self.post, &self.pre, self.post_pre_sum_of_products)
    }

    fn variance(&self) -> f64 {
        if self.n <= 1.0 {
            return 0.0;
        }
        let theta = self.theta();
        self.post.variance() + theta * theta * self.pre.variance() - 2.0 * theta * self.covariance()
    }
}

/// gbstats' `compute_theta`: the pooled regression coefficient of post on pre.
fn compute_theta(a: &Ra, b: &Ra) -> Result<f64, String> {
    let n = a.n + b.n;
    let post = Moment::joint(&a.post, &b.post, n)?;
    let pre = Moment::joint(&a.pre, &b.pre, n)?;
    if pre.variance() == 0.0 || post.variance() == 0.0 {
        return Ok(0.0);
    }
    let cov = covariance(n, &post, &pre, a.post_pre_sum_of_products + b.post_pre_sum_of_products);
    Ok(cov / pre.variance())
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RaRatio {
    pub n: f64,
    pub m_post: Moment,
    pub d_post: Moment,
    pub m_pre: Moment,
    pub d_pre: Moment,
    pub m_post_m_pre: f64,
    pub d_post_d_pre: f64,
    pub m_pre_d_pre: f64,
    pub m_post_d_post: f64,
    pub m_post_d_pre: f64,
    pub m_pre_d_post: f64,
    pub theta: Option<f64>,
}

impl RaRatio {
    pub(crate) fn mean(&self) -> f64 {
        if self.d_post.sum() == 0.0 || self.d_pre.sum() == 0.0 {
            return 0.0;
        }
        self.mean_post() - self.theta.unwrap_or(0.0) * self.mean_pre()
    }

    pub(crate) fn mean_post(&self) -> f64 {
        if self.d_post.sum() == 0.0 {
            0.0
        } else {
            self.m_post.sum() / self.d_post.sum()
        }
    }

    fn mean_pre(&self) -> f64 {
        if self.d_pre.sum() == 0.0 {
            0.0
        } else {
            self.m_pre.sum() / self.d_pre.sum()
        }
    }

    /// The 4x4 covariance matrix of (m_post, d_post, m_pre, d_pre).
    pub(crate) fn lambda(&self) -> [[f64; 4]; 4] {
        let n = self.n;
        let c_mpost_dpost = covariance(n, &self.m_post, &self.d_post, self.m_post_d_post);
        let c_mpost_mpre = covariance(n, &self.m_post, &self.m_pre, self.m_post_m_pre);
        let c_mpost_dpre = covariance(n, &self.m_post, &self.d_pre, self.m_post_d_pre);
        let c_dpost_mpre = covariance(n, &self.d_post, &self.m_pre, self.m_pre_d_post);
        let c_dpost_dpre = covariance(n, &self.d_post, &self.d_pre, self.d_post_d_pre);
        let c_mpre_dpre = covariance(n, &self.m_pre, &self.d_pre, self.m_pre_d_pre);
        [
            [self.m_post.variance(), c_mpost_dpost, c_mpost_mpre, c_mpost_dpre],
            [c_mpost_dpost, self.d_post.variance(), c_dpost_mpre, c_dpost_dpre],
            [c_mpost_mpre, c_dpost_mpre, self.m_pre.variance(), c_mpre_dpre],
            [c_mpost_dpre, c_dpost_dpre, c_mpre_dpre, self.d_pre.variance()],
        ]
    }

    /// The gradient of the adjusted ratio with respect to the four means.
    pub(crate) fn nabla(&self) -> [f64; 4] {
        self.nabla_with(self.theta.unwrap_or(0.0))
    }

    fn nabla_with(&self, theta: f64) -> [f64; 4] {
        let b = [self.m_post.mean(), self.d_post.mean(), self.m_pre.mean(), self.d_pre.mean()];
        if b[1] == 0.0 || b[3] == 0.0 {
            return [0.0; 4];
        }
        [1.0 / b[1], -b[0] / b[1].powi(2), -theta / b[3], theta * b[2] / b[3].powi(2)]
    }

    fn variance(&self) -> f64 {
        quad(&self.nabla(), &self.lambda(), &self.nabla())
    }

    /// `var_pre` and `covariance` of gbstats, evaluated at theta = 1.
    fn pre_moments_at_theta_one(&self) -> (f64, f64) {
        let g = self.nabla_with(1.0);
        let l = self.lambda();
        let mut var_pre = 0.0;
        let mut cov = 0.0;
        for i in 2..4 {
            for j in 2..4 {
                var_pre += g[i] * l[i][j] * g[j];
            }
            for j in 0..2 {
                cov += g[i] * l[i][j] * g[j];
            }
        }
        (var_pre, cov)
    }

    fn as_ratio(&self) -> Ratio {
        Ratio { n: self.n, m: self.m_post, d: self.d_post, m_d_sum_of_products: self.m_post_d_post }
    }
}

/// x' L y for 4-vectors.
pub(crate) fn quad(x: &[f64; 4], l: &[[f64; 4]; 4], y: &[f64; 4]) -> f64 {
    let mut s = 0.0;
    for i in 0..4 {
        for j in 0..4 {
            s += x[i] * l[i][j] * y[j];
        }
    }
    s
}

/// gbstats' `compute_theta_regression_adjusted_ratio`.
fn compute_theta_ratio(a: &RaRatio, b: &RaRatio) -> f64 {
    let (va, ca) = a.pre_moments_at_theta_one();
    let (vb, cb) = b.pre_moments_at_theta_one();
    if va + vb == 0.0 {
        return 0.0;
    }
    -(ca + cb) / (va + vb)
}

/// A checked statistic, ready to compute on.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Stat {
    Moment(Moment),
    Ratio(Ratio),
    Ra(Ra),
    RaRatio(RaRatio),
}

impl Stat {
    /// Checks a [`Statistic`]: every number finite, `n` not negative, nested
    /// statistics only `SampleMean` or `Proportion` and, for CUPED, of one kind
    /// before and after (gbstats raises a `TypeError` otherwise).
    pub(crate) fn parse(s: &Statistic, arm: &str) -> Result<Stat, String> {
        let finite = |name: &str, v: f64| -> Result<f64, String> {
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("{arm}: {name} must be a finite number"))
            }
        };
        let count = |v: f64| -> Result<f64, String> {
            let v = finite("n", v)?;
            if v < 0.0 {
                Err(format!("{arm}: n must not be negative"))
            } else {
                Ok(v)
            }
        };
        let moment = |name: &str, s: &Statistic| -> Result<Moment, String> {
            match *s {
                Statistic::SampleMean { n, sum, sum_squares } => Ok(Moment::Mean {
                    n: count(n)?,
                    sum: finite("sum", sum)?,
                    sum_squares: finite("sum_squares", sum_squares)?,
                }),
                Statistic::Proportion { n, sum } => {
                    Ok(Moment::Prop { n: count(n)?, sum: finite("sum", sum)? })
                }
                _ => Err(format!("{arm}: {name} must be a SampleMean or a Proportion")),
            }
        };
        Ok(match s {
            Statistic::SampleMean { .. } | Statistic::Proportion { .. } => {
                Stat::Moment(moment("the statistic", s)?)
            }
            Statistic::Ratio { n, m_sum, m_sum_squares, d_sum, d_sum_squares, m_d_sum_of_products } => {
                let n = count(*n)?;
                Stat::Ratio(Ratio {
                    n,
                    m: Moment::Mean {
                        n,
                        sum: finite("m_sum", *m_sum)?,
                        sum_squares: finite("m_sum_squares", *m_sum_squares)?,
                    },
                    d: Moment::Mean {
                        n,
                        sum: finite("d_sum", *d_sum)?,
                        sum_squares: finite("d_sum_squares", *d_sum_squares)?,
                    },
                    m_d_sum_of_products: finite("m_d_sum_of_products", *m_d_sum_of_products)?,
                })
            }
            Statistic::RegressionAdjusted { n, post, pre, post_pre_sum_of_products, theta } => {
                let post = moment("post", post)?;
                let pre = moment("pre", pre)?;
                if post.is_prop() != pre.is_prop() {
                    return Err(format!("{arm}: post_statistic and pre_statistic must be of the same type"));
                }
                Stat::Ra(Ra {
                    n: count(*n)?,
                    post,
                    pre,
                    post_pre_sum_of_products: finite("post_pre_sum_of_products", *post_pre_sum_of_products)?,
                    theta: theta.map(|t| finite("theta", t)).transpose()?,
                })
            }
            Statistic::RegressionAdjustedRatio {
                n,
                m_post,
                d_post,
                m_pre,
                d_pre,
                m_post_m_pre_sum_of_products,
                d_post_d_pre_sum_of_products,
                m_pre_d_pre_sum_of_products,
                m_post_d_post_sum_of_products,
                m_post_d_pre_sum_of_products,
                m_pre_d_post_sum_of_products,
                theta,
            } => {
                let m_post = moment("m_post", m_post)?;
                let d_post = moment("d_post", d_post)?;
                let m_pre = moment("m_pre", m_pre)?;
                let d_pre = moment("d_pre", d_pre)?;
                if m_post.is_prop() != m_pre.is_prop() {
                    return Err(format!(
                        "{arm}: m_statistic_post and m_statistic_pre must be of the same type"
                    ));
                }
                if d_post.is_prop() != d_pre.is_prop() {
                    return Err(format!(
                        "{arm}: d_statistic_post and d_statistic_pre must be of the same type"
                    ));
                }
                Stat::RaRatio(RaRatio {
                    n: count(*n)?,
                    m_post,
                    d_post,
                    m_pre,
                    d_pre,
                    m_post_m_pre: finite("m_post_m_pre_sum_of_products", *m_post_m_pre_sum_of_products)?,
                    d_post_d_pre: finite("d_post_d_pre_sum_of_products", *d_post_d_pre_sum_of_products)?,
                    m_pre_d_pre: finite("m_pre_d_pre_sum_of_products", *m_pre_d_pre_sum_of_products)?,
                    m_post_d_post: finite("m_post_d_post_sum_of_products", *m_post_d_post_sum_of_products)?,
                    m_post_d_pre: finite("m_post_d_pre_sum_of_products", *m_post_d_pre_sum_of_products)?,
                    m_pre_d_post: finite("m_pre_d_post_sum_of_products", *m_pre_d_post_sum_of_products)?,
                    theta: theta.map(|t| finite("theta", t)).transpose()?,
                })
            }
        })
    }

    pub(crate) fn n(&self) -> f64 {
        match self {
            Stat::Moment(m) => m.n(),
            Stat::Ratio(r) => r.n,
            Stat::Ra(r) => r.n,
            Stat::RaRatio(r) => r.n,
        }
    }

    pub(crate) fn mean(&self) -> f64 {
        match self {
            Stat::Moment(m) => m.mean(),
            Stat::Ratio(r) => r.mean(),
            Stat::Ra(r) => r.mean(),
            Stat::RaRatio(r) => r.mean(),
        }
    }

    /// The mean without the CUPED adjustment.
    pub(crate) fn unadjusted_mean(&self) -> f64 {
        match self {
            Stat::Ra(r) => r.post.mean(),
            Stat::RaRatio(r) => r.mean_post(),
            _ => self.mean(),
        }
    }

    pub(crate) fn variance(&self) -> f64 {
        match self {
            Stat::Moment(m) => m.variance(),
            Stat::Ratio(r) => r.variance(),
            Stat::Ra(r) => r.variance(),
            Stat::RaRatio(r) => r.variance(),
        }
    }
}

/// gbstats' `create_theta_adjusted_statistics`: estimates theta for a pair of
/// CUPED statistics whose theta is not given, and falls back to the unadjusted
/// statistics when there is nothing to adjust with.
pub(crate) fn theta_adjusted(a: Stat, b: Stat) -> Result<(Stat, Stat), String> {
    match (a, b) {
        (Stat::Ra(a), Stat::Ra(b)) if a.theta.is_none() || b.theta.is_none() => {
            let theta = compute_theta(&a, &b)?;
            if theta == 0.0 {
                Ok((Stat::Moment(a.post), Stat::Moment(b.post)))
            } else {
                Ok((Stat::Ra(Ra { theta: Some(theta), ..a }), Stat::Ra(Ra { theta: Some(theta), ..b })))
            }
        }
        (Stat::RaRatio(a), Stat::RaRatio(b)) if a.theta.is_none() || b.theta.is_none() => {
            let theta = compute_theta_ratio(&a, &b);
            if theta.abs() < 1e-8 {
                Ok((Stat::Ratio(a.as_ratio()), Stat::Ratio(b.as_ratio())))
            } else {
                Ok((
                    Stat::RaRatio(RaRatio { theta: Some(theta), ..a }),
                    Stat::RaRatio(RaRatio { theta: Some(theta), ..b }),
                ))
            }
        }
        (a, b) => Ok((a, b)),
    }
}
