//! Who comes to the shop and when: the year's campaigns (collection
//! promotions and social-media spikes) and every session's plan (day, second,
//! customer, and why they came), drawn before the first day is simulated.

use rand::Rng;

use crate::calendar::DayInfo;
use crate::catalog::SimProduct;
use crate::customers::{Customer, LifeEventKind};
use crate::rng::{chance, from_cumulative, pick, poisson, weighted, SimRng};
use crate::{Campaign, CampaignKind};

use super::ShopConfig;

/// Why a session happens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Reason {
    Browse,
    Life(LifeEventKind),
    /// Landed from social media on one product.
    Spike(u32),
}

/// When a session happens, whose it is and why.
#[derive(Clone, Copy, Debug)]
pub(super) struct SessionPlan {
    pub day: u32,
    /// Second of the day (UTC) the shopper arrives.
    pub sec: u32,
    pub customer: u32,
    /// A visitor who does not log in (shadowing `customer`'s tastes).
    pub guest: bool,
    pub reason: Reason,
}

/// Three collection promotions and eight social-media spikes a year, in
/// start order.
pub(super) fn plan_campaigns(rng: &mut SimRng, products: &[SimProduct], days: u32) -> Vec<Campaign> {
    let mut out = Vec::new();
    let colls: Vec<&String> = {
        let mut v: Vec<&String> = products.iter().filter_map(|p| p.collection.as_ref()).collect();
        v.sort();
        v.dedup();
        v
    };
    let active: Vec<u32> = products
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_active() && p.min_price() < 150_000)
        .map(|(i, _)| i as u32)
        .collect();
    let years = days.div_ceil(365);
    for _ in 0..years {
        for _ in 0..3 {
            if colls.is_empty() {
                break;
            }
            let start = rng.gen_range(0..days.saturating_sub(10).max(1));
            out.push(Campaign {
                kind: CampaignKind::Promotion,
                start_day: start,
                end_day: (start + 6).min(days - 1),
                collection: Some((*pick(rng, &colls)).clone()),
                product: None,
                discount: 0.15,
                lift: 1.6,
            });
        }
        for _ in 0..8 {
            if active.is_empty() {
                break;
            }
            let p = *pick(rng, &active);
            let start = rng
                .gen_range(products[p as usize].launch_day..days.max(products[p as usize].launch_day + 1))
                .min(days - 1);
            out.push(Campaign {
                kind: CampaignKind::SocialSpike,
                start_day: start,
                end_day: (start + rng.gen_range(4..10)).min(days - 1),
                collection: None,
                product: Some(p),
                discount: 0.0,
                lift: rng.gen_range(20.0..80.0),
            });
        }
    }
    out.sort_by_key(|c| (c.start_day, c.product, c.collection.clone()));
    out
}

/// Every session of the period, sorted by time: customers' own visits
/// spread over the traffic curve, visits before their life events, guests,
/// and the visitors social spikes bring.
pub(super) fn plan_sessions(
    rng: &mut SimRng,
    cfg: &ShopConfig,
    customers: &[Customer],
    calendar: &[DayInfo],
    campaigns: &[Campaign],
) -> Vec<SessionPlan> {
    let days = cfg.days;
    let mut cumulative = Vec::with_capacity(days as usize);
    let mut acc = 0.0;
    for d in calendar {
        acc += d.traffic;
        cumulative.push(acc);
    }
    let mean_traffic = acc / days as f64;
    let mut plans = Vec::new();
    let sec_of_day = |rng: &mut SimRng| -> u32 {
        // Evening-heavy, in UTC for a mostly US audience.
        let hour_w = [
            3.0, 2.5, 2.0, 1.5, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.0, 1.3, 1.6, 1.9, 2.2, 2.4, 2.5, 2.6,
            2.7, 2.9, 3.1, 3.3, 3.2,
        ];
        let h = weighted(rng, &hour_w).unwrap_or(12) as u32;
        h * 3600 + rng.gen_range(0..3600)
    };
    for (ci, c) in customers.iter().enumerate() {
        if c.joined_day >= days {
            continue;
        }
        let lo = c.joined_day as usize;
        let share = (cumulative[days as usize - 1] - if lo == 0 { 0.0 } else { cumulative[lo - 1] }) / acc;
        let n = poisson(rng, c.activity * cfg.sessions_per_customer / 6.0 * share);
        for _ in 0..n {
            let day = from_cumulative(rng, &cumulative, lo) as u32;
            plans.push(SessionPlan {
                day,
                sec: sec_of_day(rng),
                customer: ci as u32,
                guest: false,
                reason: Reason::Browse,
            });
        }
        for e in &c.life_events {
            let (window, sessions, p) = match e.kind {
                LifeEventKind::Engagement => (90, 4, 0.85),
                LifeEventKind::Wedding => (120, 3, 0.8),
                LifeEventKind::Anniversary => (21, 2, 0.45),
                LifeEventKind::Birthday => (14, 1, 0.25 * c.gifting),
            };
            if !chance(rng, p) {
                continue;
            }
            for _ in 0..sessions {
                let back = rng.gen_range(1..=window);
                if e.day >= back && e.day - back >= c.joined_day && e.day - back < days {
                    plans.push(SessionPlan {
                        day: e.day - back,
                        sec: sec_of_day(rng),
                        customer: ci as u32,
                        guest: false,
                        reason: Reason::Life(e.kind),
                    });
                }
            }
        }
    }
    // Guests: visitors who never log in (shadowing a random profile's tastes).
    let logged_in = plans.len() as f64;
    let guests = (logged_in * cfg.guest_share / (1.0 - cfg.guest_share)) as usize;
    for _ in 0..guests {
        let day = from_cumulative(rng, &cumulative, 0) as u32;
        let customer = rng.gen_range(0..customers.len().max(1)) as u32;
        plans.push(SessionPlan { day, sec: sec_of_day(rng), customer, guest: true, reason: Reason::Browse });
    }
    // Social spikes: a burst of visitors landing on one product, decaying.
    let per_day = logged_in / days as f64 / mean_traffic;
    for c in campaigns.iter().filter(|c| c.kind == CampaignKind::SocialSpike) {
        let p = c.product.unwrap_or(0);
        for day in c.start_day..=c.end_day {
            let decay = 0.6f64.powi((day - c.start_day) as i32);
            let n = poisson(rng, per_day * 0.02 * c.lift * decay);
            for _ in 0..n {
                let customer = rng.gen_range(0..customers.len().max(1)) as u32;
                let guest = chance(rng, 0.6) || customers[customer as usize].joined_day > day;
                plans.push(SessionPlan {
                    day,
                    sec: sec_of_day(rng),
                    customer,
                    guest,
                    reason: Reason::Spike(p),
                });
            }
        }
    }
    plans.sort_by_key(|p| (p.day, p.sec, p.customer, p.guest));
    plans
}
