//! Demand distributions for intervals and inventory: the negative binomial
//! (Poisson when the variance does not exceed the mean) for counts, which
//! fits intermittent demand where the normal does not, and the normal for
//! large means where the two agree.

/// Inverse of the standard normal CDF (Acklam's rational approximation,
/// relative error below 1.2e-9).
pub fn inv_norm(p: f64) -> f64 {
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    const A: [f64; 6] = [
        -3.969683028665376e+01,
        2.209460984245205e+02,
        -2.759285104469687e+02,
        1.383_577_518_672_69e2,
        -3.066479806614716e+01,
        2.506628277459239e+00,
    ];
    const B: [f64; 5] = [
        -5.447609879822406e+01,
        1.615858368580409e+02,
        -1.556989798598866e+02,
        6.680131188771972e+01,
        -1.328068155288572e+01,
    ];
    const C: [f64; 6] = [
        -7.784894002430293e-03,
        -3.223964580411365e-01,
        -2.400758277161838e+00,
        -2.549732539343734e+00,
        4.374664141464968e+00,
        2.938163982698783e+00,
    ];
    const D: [f64; 4] =
        [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    let lo = 0.02425;
    if p < lo {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - lo {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    }
}

/// Quantiles (`probs` ascending) of a count distribution with the given
/// mean and variance: negative binomial when over-dispersed, Poisson
/// otherwise, normal (floored at zero) when the mean is large.
pub fn count_quantiles<const K: usize>(mean: f64, var: f64, probs: [f64; K]) -> [f64; K] {
    let mut out = [0.0; K];
    if !(mean.is_finite() && mean > 1e-9) {
        return out;
    }
    let var = if var.is_finite() { var.max(mean) } else { mean };
    // Probability of zero, in logs, to see whether walking the PMF is sane.
    let over = var > mean * (1.0 + 1e-6);
    let (log_p0, r, pp) = if over {
        let r = mean * mean / (var - mean);
        let pp = r / (r + mean);
        (r * pp.ln(), r, pp)
    } else {
        (-mean, 0.0, 0.0)
    };
    if log_p0 < -500.0 || mean > 2000.0 {
        let sd = var.sqrt();
        for (o, &p) in out.iter_mut().zip(&probs) {
            *o = (mean + inv_norm(p) * sd).max(0.0);
        }
        return out;
    }
    let mut pmf = log_p0.exp();
    let mut cdf = pmf;
    let mut k = 0.0f64;
    let mut qi = 0;
    let limit = mean + 60.0 * var.sqrt() + 100.0;
    while qi < K {
        if cdf >= probs[qi] - 1e-12 {
            out[qi] = k;
            qi += 1;
            continue;
        }
        if k > limit {
            for o in out.iter_mut().skip(qi) {
                *o = k;
            }
            break;
        }
        pmf *= if over { (k + r) / (k + 1.0) * (1.0 - pp) } else { mean / (k + 1.0) };
        k += 1.0;
        cdf += pmf;
    }
    out
}

/// One quantile of the same distribution.
pub fn count_quantile(mean: f64, var: f64, p: f64) -> f64 {
    count_quantiles(mean, var, [p])[0]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantiles() {
        assert!((inv_norm(0.5)).abs() < 1e-9);
        assert!((inv_norm(0.9) - 1.2815515655).abs() < 1e-6);
        assert!((inv_norm(0.95) - 1.6448536270).abs() < 1e-6);
        assert!((inv_norm(0.01) + 2.3263478740).abs() < 1e-6);
    }

    #[test]
    fn poisson_and_negative_binomial_quantiles() {
        // Poisson(0.3): P(0) = 0.741, so P10 and P50 are 0 and P90 is 1.
        assert_eq!(count_quantiles(0.3, 0.3, [0.1, 0.5, 0.9]), [0.0, 0.0, 1.0]);
        // Poisson(4): median 4, P90 = 7.
        assert_eq!(count_quantiles(4.0, 4.0, [0.5, 0.9]), [4.0, 7.0]);
        // Over-dispersed: a heavier upper tail than the Poisson of the same mean.
        let nb = count_quantile(4.0, 20.0, 0.9);
        assert!(nb > 7.0, "{nb}");
        // Large means fall back to the normal.
        let q = count_quantiles(10_000.0, 40_000.0, [0.1, 0.5, 0.9]);
        assert!((q[1] - 10_000.0).abs() < 1e-6 && (q[2] - 10_256.31).abs() < 0.1, "{q:?}");
        assert_eq!(count_quantiles(0.0, 1.0, [0.9]), [0.0]);
        assert_eq!(count_quantiles(f64::NAN, 1.0, [0.9]), [0.0]);
    }
}
