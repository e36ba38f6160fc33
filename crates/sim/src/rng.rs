//! Small sampling helpers on top of a seeded ChaCha generator, so that the
//! simulator needs no distribution crate and stays byte-for-byte reproducible.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(crate) type SimRng = ChaCha8Rng;

/// A uniform float in `[0, 1)`.
pub(crate) fn unit(rng: &mut SimRng) -> f64 {
    rng.gen::<f64>()
}

pub(crate) fn chance(rng: &mut SimRng, p: f64) -> bool {
    unit(rng) < p
}

/// A standard normal draw (Box-Muller; one of the pair is discarded, which
/// keeps the generator's state easy to reason about).
pub(crate) fn normal(rng: &mut SimRng) -> f64 {
    let u1 = unit(rng).max(1e-12);
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// A log-normal draw with the given median and log-space spread.
pub(crate) fn lognormal(rng: &mut SimRng, median: f64, sigma: f64) -> f64 {
    median * (sigma * normal(rng)).exp()
}

/// A Poisson draw: Knuth's method for small means, a rounded normal for large.
pub(crate) fn poisson(rng: &mut SimRng, mean: f64) -> u32 {
    if mean <= 0.0 {
        return 0;
    }
    if mean > 40.0 {
        return (mean + mean.sqrt() * normal(rng)).round().max(0.0) as u32;
    }
    let limit = (-mean).exp();
    let mut k = 0;
    let mut p = unit(rng);
    while p > limit {
        k += 1;
        p *= unit(rng);
    }
    k
}

/// Picks one element uniformly.
pub(crate) fn pick<'a, T>(rng: &mut SimRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

/// Picks an index with probability proportional to its weight; `None` when
/// every weight is zero.
pub(crate) fn weighted(rng: &mut SimRng, weights: &[f64]) -> Option<usize> {
    let total: f64 = weights.iter().sum();
    if total <= 0.0 || !total.is_finite() {
        return None;
    }
    let mut x = unit(rng) * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return Some(i);
        }
        x -= w;
    }
    weights.iter().rposition(|w| *w > 0.0)
}

/// Picks from a cumulative weight table by binary search (for large tables
/// sampled many times, such as days weighted by traffic).
pub(crate) fn from_cumulative(rng: &mut SimRng, cumulative: &[f64], lo: usize) -> usize {
    let base = if lo == 0 { 0.0 } else { cumulative[lo - 1] };
    let total = cumulative[cumulative.len() - 1];
    let x = base + unit(rng) * (total - base);
    let i = cumulative.partition_point(|c| *c <= x);
    i.clamp(lo, cumulative.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn poisson_mean_is_close() {
        let mut rng = SimRng::seed_from_u64(7);
        for mean in [0.3, 2.0, 12.0, 80.0] {
            let n = 20_000;
            let total: u64 = (0..n).map(|_| poisson(&mut rng, mean) as u64).sum();
            let got = total as f64 / n as f64;
            assert!((got - mean).abs() < mean * 0.05 + 0.02, "mean {mean}: got {got}");
        }
    }

    #[test]
    fn weighted_never_picks_zero_weight() {
        let mut rng = SimRng::seed_from_u64(1);
        for _ in 0..1000 {
            let i = weighted(&mut rng, &[0.0, 1.0, 0.0, 2.0]).unwrap();
            assert!(i == 1 || i == 3);
        }
        assert_eq!(weighted(&mut rng, &[0.0, 0.0]), None);
    }

    #[test]
    fn cumulative_respects_lower_bound() {
        let mut rng = SimRng::seed_from_u64(3);
        let cum = [1.0, 2.0, 3.0, 4.0, 5.0];
        for _ in 0..1000 {
            let i = from_cumulative(&mut rng, &cum, 3);
            assert!((3..5).contains(&i));
        }
    }
}
