//! Customers and their hidden traits: style, preferred metal, budget, gifting
//! habits, life events, return habits, and a drift from fashion pieces towards
//! investment pieces. Engines never see these; evaluations do.

use model::Gender;
use rand::Rng;

use crate::catalog::{MetalColor, MetalKind, Style};
use crate::rng::{chance, lognormal, normal, pick, unit, weighted, SimRng};

#[derive(Clone, Debug)]
pub struct Customer {
    pub id: String,
    pub gender: Gender,
    pub country: &'static str,
    pub style: Style,
    /// Preferred metal kind (gold, silver, platinum).
    pub metal: MetalKind,
    /// Preferred gold color, when the metal is gold.
    pub color: Option<MetalColor>,
    /// Median spend per item, USD, at the start of their history.
    pub budget: f64,
    /// Share of their shopping that is for someone else (0..1).
    pub gifting: f64,
    /// US ring size (half sizes).
    pub ring_size: f32,
    /// Day index they first visit.
    pub joined_day: u32,
    /// Expected number of sessions over the whole simulation.
    pub activity: f64,
    /// Returns far more than others.
    pub serial_returner: bool,
    /// Orders a ring in several sizes and keeps one.
    pub bracketer: bool,
    /// 0..1: how fast tastes and budget move from fashion towards investment
    /// pieces (solid gold, platinum, natural diamonds) over the years.
    pub drift: f64,
    pub life_events: Vec<LifeEvent>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LifeEvent {
    pub kind: LifeEventKind,
    pub day: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifeEventKind {
    /// A proposal: an engagement ring is bought in the months before.
    Engagement,
    /// A wedding: bands are bought in the months before.
    Wedding,
    /// A yearly anniversary: a gift is bought in the weeks before.
    Anniversary,
    Birthday,
}

impl LifeEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LifeEventKind::Engagement => "engagement",
            LifeEventKind::Wedding => "wedding",
            LifeEventKind::Anniversary => "anniversary",
            LifeEventKind::Birthday => "birthday",
        }
    }
}

impl Customer {
    /// Budget on a given day: drift raises it as the customer settles into
    /// buying investment pieces.
    pub fn budget_on(&self, day: u32) -> f64 {
        let years = day.saturating_sub(self.joined_day) as f64 / 365.0;
        self.budget * (1.0 + self.drift * 0.6 * years)
    }

    /// Probability that the customer prefers an investment piece on `day`.
    pub fn investment_bias(&self, day: u32) -> f64 {
        let years = day.saturating_sub(self.joined_day) as f64 / 365.0;
        (0.25 + self.drift * 0.3 * years).min(0.95)
    }
}

const COUNTRIES: &[(&str, f64)] =
    &[("US", 80.0), ("CA", 7.0), ("GB", 5.0), ("AU", 4.0), ("DE", 2.0), ("FR", 1.0), ("NL", 1.0)];

pub(crate) fn generate(rng: &mut SimRng, n: usize, days: u32) -> Vec<Customer> {
    let country_w: Vec<f64> = COUNTRIES.iter().map(|c| c.1).collect();
    (0..n)
        .map(|i| {
            let gender = if chance(rng, 0.78) { Gender::Women } else { Gender::Men };
            let style = *pick(rng, &Style::ALL);
            let (metal, color) = match rng.gen_range(0..10) {
                0..=5 => (
                    MetalKind::Gold,
                    Some(*pick(
                        rng,
                        &[MetalColor::Yellow, MetalColor::Yellow, MetalColor::White, MetalColor::Rose],
                    )),
                ),
                6..=8 => (MetalKind::Silver, None),
                _ => (MetalKind::Platinum, None),
            };
            let budget = lognormal(rng, if style == Style::Bridal { 700.0 } else { 260.0 }, 0.75)
                .clamp(40.0, 12_000.0);
            let gifting = if gender == Gender::Men { 0.6 + 0.35 * unit(rng) } else { 0.1 + 0.5 * unit(rng) };
            let ring_size =
                if gender == Gender::Women { 6.5 + normal(rng) * 0.9 } else { 9.5 + normal(rng) * 1.1 };
            let ring_size = ((ring_size * 2.0).round() / 2.0).clamp(4.0, 13.0) as f32;
            // 40% are customers from before the simulated period; the rest
            // arrive over time, more of them later as the brand grows.
            let joined_day = if chance(rng, 0.4) { 0 } else { ((unit(rng).sqrt()) * days as f64) as u32 };
            let activity = lognormal(rng, 4.5, 0.8).min(80.0);
            let mut life_events = Vec::new();
            let span = days as i64;
            if chance(rng, 0.09) {
                let day = rng.gen_range(joined_day as i64..span + 120).max(0) as u32;
                life_events.push(LifeEvent { kind: LifeEventKind::Engagement, day });
                let wedding = day + rng.gen_range(200..500);
                life_events.push(LifeEvent { kind: LifeEventKind::Wedding, day: wedding });
            }
            if chance(rng, 0.3) {
                let first = rng.gen_range(0..365u32);
                for y in 0..(days / 365 + 1) {
                    life_events.push(LifeEvent { kind: LifeEventKind::Anniversary, day: first + 365 * y });
                }
            }
            if chance(rng, 0.5) {
                let first = rng.gen_range(0..365u32);
                for y in 0..(days / 365 + 1) {
                    life_events.push(LifeEvent { kind: LifeEventKind::Birthday, day: first + 365 * y });
                }
            }
            life_events.sort_by_key(|e| e.day);
            Customer {
                id: format!("C{:06}", i + 1),
                gender,
                country: COUNTRIES[weighted(rng, &country_w).unwrap_or(0)].0,
                style,
                metal,
                color,
                budget,
                gifting,
                ring_size,
                joined_day,
                activity,
                serial_returner: chance(rng, 0.04),
                bracketer: chance(rng, 0.06),
                drift: unit(rng).powi(2),
                life_events,
            }
        })
        .collect()
}
