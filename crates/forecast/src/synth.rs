//! A deterministic synthetic demand history for benchmarks and tests:
//! products with one to six variants (a size curve), twelve categories,
//! rates from a few units a year to dozens a day, a weekday profile, a yearly
//! wave, holiday lifts, products that stop selling, and over-dispersed
//! (gamma-Poisson) daily counts. No IO; a small xorshift generator so that
//! the same seed gives the same history everywhere.

use chrono::{Duration, NaiveDate};

use crate::calendar::Event;
use crate::history::{Demand, VariantHistory};

/// xorshift64*: small, fast, good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Poisson by multiplication for small means, normal beyond.
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            let u1 = self.unit().max(1e-12);
            let u2 = self.unit();
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            return (lambda + z * lambda.sqrt()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut p = self.unit();
        let mut k = 0;
        while p > limit {
            p *= self.unit();
            k += 1;
        }
        k
    }

    /// Gamma(shape 2, mean 1): the sum of two exponentials over two.
    pub fn gamma2(&mut self) -> f64 {
        let a = -(self.unit().max(1e-12)).ln();
        let b = -(self.unit().max(1e-12)).ln();
        (a + b) / 2.0
    }
}

/// `variants` variant histories of `days` days starting on Monday 2022-01-03.
pub fn synthetic_demand(variants: usize, days: usize, seed: u64) -> Demand {
    let start = NaiveDate::from_ymd_opt(2022, 1, 3).unwrap_or(NaiveDate::MIN);
    let mut rng = Rng::new(seed);
    let day_factor: Vec<f64> = (0..days)
        .map(|d| {
            let day = start + Duration::days(d as i64);
            let dow = [0.85, 0.9, 0.95, 1.0, 1.1, 1.3, 0.9]
                [chrono::Datelike::weekday(&day).num_days_from_monday() as usize];
            let wave = 1.0 + 0.2 * (2.0 * std::f64::consts::PI * (d as f64 - 300.0) / 365.25).cos();
            let lift = match Event::on(day) {
                Some(Event::Valentines) => 1.8,
                Some(Event::MothersDay) => 1.5,
                Some(Event::BlackFriday) => 2.5,
                Some(Event::CyberMonday) => 2.0,
                Some(Event::Christmas) => 1.6,
                Some(Event::ChristmasLull) => 0.6,
                _ => 1.0,
            };
            dow * wave * lift
        })
        .collect();
    let mut out = Vec::with_capacity(variants);
    let mut p = 0usize;
    while out.len() < variants {
        let n_var = (1 + (rng.next_u64() % 6) as usize).min(variants - out.len());
        let category = format!("category_{:02}", p % 12);
        let product = format!("P{p:06}");
        // Log-uniform rate between 0.01 and 20 units a day for the product.
        let rate = (0.01f64.ln() + rng.unit() * (20.0f64.ln() - 0.01f64.ln())).exp();
        let growth = (rng.unit() - 0.5) * 0.8 / 365.0;
        let launch = if rng.unit() < 0.3 { (rng.unit() * days as f64 * 0.7) as usize } else { 0 };
        let stop = if rng.unit() < 0.1 {
            Some(launch + ((days - launch) as f64 * (0.4 + 0.5 * rng.unit())) as usize)
        } else {
            None
        };
        let weights: Vec<f64> = (0..n_var).map(|_| 0.2 + rng.unit()).collect();
        let wsum: f64 = weights.iter().sum();
        let price = 20.0 + rng.unit() * 500.0;
        for (k, w) in weights.iter().enumerate() {
            let mut units = vec![0.0f32; days];
            let share = w / wsum;
            for d in launch..days {
                let mut lambda = rate * share * day_factor[d] * (1.0 + growth * (d - launch) as f64).max(0.1);
                if let Some(s) = stop {
                    if d >= s {
                        lambda *= (-((d - s) as f64) / 30.0).exp();
                    }
                }
                let mixed = lambda * rng.gamma2();
                units[d] = rng.poisson(mixed) as f32;
            }
            let revenue_365 =
                units[days.saturating_sub(365)..].iter().map(|&u| u as f64).sum::<f64>() * price;
            out.push(VariantHistory {
                sku: format!("{product}-{k}"),
                product: product.clone(),
                category: category.clone(),
                units,
                revenue_365,
                unit_price: Some(price),
                ..Default::default()
            });
        }
        p += 1;
    }
    Demand { start, end: start + Duration::days(days as i64 - 1), variants: out, has_inventory: false }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_shaped_as_asked() {
        let a = synthetic_demand(20, 100, 7);
        let b = synthetic_demand(20, 100, 7);
        assert_eq!(a.variants.len(), 20);
        assert_eq!(a.days(), 100);
        assert!(a.variants.iter().zip(&b.variants).all(|(x, y)| x.units == y.units && x.sku == y.sku));
        let mut r = Rng::new(1);
        let mean = (0..20_000).map(|_| r.poisson(3.0) as f64).sum::<f64>() / 20_000.0;
        assert!((mean - 3.0).abs() < 0.1, "{mean}");
    }
}
