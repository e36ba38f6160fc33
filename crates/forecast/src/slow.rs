//! Slow movers, overstock and markdown candidates, each with its evidence:
//! traffic but a low add-to-cart rate against its category, low sell-through,
//! ageing stock, no sale in N days, a demand probability decaying from its
//! peak (TSB), and more weeks of supply than a season.

use std::collections::HashMap;

use crate::history::Demand;
use crate::pipeline::ForecastSet;
use crate::{Level, Why};

#[derive(Clone, Debug)]
pub struct SlowConfig {
    /// Flag a variant with no sale in this many days.
    pub no_sale_days: i64,
    /// Views needed before the add-to-cart rate is judged.
    pub min_views: u32,
    /// Flag when the add-to-cart rate is below this share of the category's.
    pub atc_ratio: f64,
    /// Flag when units sold in 90 days over (sold + on hand) is below this.
    pub min_sell_through: f64,
    /// Flag stock on hand for longer than this many days.
    pub ageing_days: i64,
    /// Overstock above this many weeks of supply.
    pub overstock_weeks: f64,
    /// Flag when the demand probability fell below this share of its peak.
    pub decay_ratio: f64,
}

impl Default for SlowConfig {
    fn default() -> Self {
        SlowConfig {
            no_sale_days: 60,
            min_views: 30,
            atc_ratio: 0.5,
            min_sell_through: 0.2,
            ageing_days: 180,
            overstock_weeks: 26.0,
            decay_ratio: 0.4,
        }
    }
}

#[derive(Clone, Debug)]
pub struct SlowMover {
    pub sku: String,
    pub product: String,
    pub category: String,
    pub title: Option<String>,
    /// Sum of the evidence weights; higher is slower.
    pub score: f64,
    pub slow: bool,
    pub overstock: bool,
    pub markdown: bool,
    pub flags: Vec<&'static str>,
    pub days_since_sale: Option<i64>,
    pub sold_90: f64,
    pub on_hand: Option<i64>,
    pub sell_through_90: Option<f64>,
    pub views_90: u32,
    pub add_to_cart_rate: Option<f64>,
    pub category_add_to_cart_rate: Option<f64>,
    pub weeks_of_supply: Option<f64>,
    pub demand_probability: f64,
    pub peak_demand_probability: f64,
    pub why: Vec<Why>,
}

/// Judges every variant of `demand`, most suspicious first.
pub fn slow_movers(demand: &Demand, set: &ForecastSet, cfg: &SlowConfig) -> Vec<SlowMover> {
    let fits: HashMap<&str, &crate::SeriesForecast> =
        set.level(Level::Variant).map(|s| (s.key.as_str(), s)).collect();
    let mut cat: HashMap<&str, (u64, u64)> = HashMap::new();
    for v in &demand.variants {
        let c = cat.entry(v.category.as_str()).or_default();
        c.0 += v.views_90 as u64;
        c.1 += v.add_to_cart_90 as u64;
    }
    let days = demand.days();
    let pd = set.freq.days() as f64;
    let mut out = Vec::with_capacity(demand.variants.len());
    for v in &demand.variants {
        let fit = fits.get(v.sku.as_str()).map(|s| &s.fit);
        let mut why = Vec::new();
        let mut flags = Vec::new();
        let mut score = 0.0;
        let sold_90: f64 = v.units[days.saturating_sub(90)..].iter().map(|&u| u as f64).sum();
        let days_since_sale = v.last_sale.map(|d| (demand.end - d).num_days());
        let stocked = v.on_hand.is_none_or(|oh| oh > 0);
        if let Some(d) = days_since_sale {
            if d >= cfg.no_sale_days && stocked {
                flags.push("no_sale");
                let w = (d as f64 / cfg.no_sale_days as f64).min(3.0);
                score += w;
                why.push(Why::new(
                    "no_sale",
                    format!("no sale in {d} days (last on {})", v.last_sale.unwrap_or_default()),
                    w,
                ));
            }
        }
        let (cv, ca) = cat.get(v.category.as_str()).copied().unwrap_or((0, 0));
        let cat_rate = (cv > 0).then(|| ca as f64 / cv as f64);
        let atc_rate = (v.views_90 > 0).then(|| v.add_to_cart_90 as f64 / v.views_90 as f64);
        if let (Some(r), Some(c)) = (atc_rate, cat_rate) {
            if v.views_90 >= cfg.min_views && c > 0.0 && r < cfg.atc_ratio * c {
                flags.push("low_add_to_cart");
                let w = 1.0 - r / c;
                score += w;
                why.push(Why::new(
                    "low_add_to_cart",
                    format!(
                        "{} views in 90 days but {:.1}% added to cart against {:.1}% in {}",
                        v.views_90,
                        100.0 * r,
                        100.0 * c,
                        v.category
                    ),
                    w,
                ));
            }
        }
        let sell_through = v.on_hand.map(|oh| {
            let oh = oh.max(0) as f64;
            if sold_90 + oh > 0.0 {
                sold_90 / (sold_90 + oh)
            } else {
                1.0
            }
        });
        if let (Some(st), Some(oh)) = (sell_through, v.on_hand) {
            if st < cfg.min_sell_through && oh > 0 {
                flags.push("low_sell_through");
                let w = 1.0 - st / cfg.min_sell_through;
                score += w;
                why.push(Why::new(
                    "low_sell_through",
                    format!(
                        "sold {sold_90:.0} in 90 days against {oh} on hand: {:.0}% sell-through",
                        100.0 * st
                    ),
                    w,
                ));
            }
        }
        if let (Some(since), Some(oh)) = (v.stock_since, v.on_hand) {
            let age = (demand.end - since).num_days();
            // First in, first out: some units are older than the threshold
            // only if fewer were sold over it than are on hand now.
            let sold_span: f64 =
                v.units[days.saturating_sub(cfg.ageing_days as usize)..].iter().map(|&u| u as f64).sum();
            if oh > 0 && age >= cfg.ageing_days && sold_span < oh as f64 {
                flags.push("ageing_stock");
                let w = (age as f64 / cfg.ageing_days as f64).min(2.0) * 0.5;
                score += w;
                why.push(Why::new("ageing_stock", format!("stock on hand since {since} ({age} days)"), w));
            }
        }
        let (prob, peak) = fit.map_or((0.0, 0.0), |f| (f.demand_probability, f.peak_probability));
        if peak >= 0.1 && prob < cfg.decay_ratio * peak {
            flags.push("decaying_demand");
            let w = 1.0 - prob / peak;
            score += w;
            why.push(Why::new(
                "decaying_demand",
                format!(
                    "chance of a sale per {} fell to {:.2} from a peak of {:.2}",
                    set.freq.as_str(),
                    prob,
                    peak
                ),
                w,
            ));
        }
        let weekly =
            fit.map_or(0.0, |f| f.mean.iter().sum::<f64>() / (f.mean.len().max(1) as f64 * pd) * 7.0);
        let weeks_of_supply = v.on_hand.map(|oh| crate::inventory::weeks_of_supply(oh, weekly));
        let overstock =
            weeks_of_supply.is_some_and(|w| w > cfg.overstock_weeks) && v.on_hand.unwrap_or(0) > 0;
        if overstock {
            flags.push("overstock");
            score += 0.5;
            let w = weeks_of_supply.unwrap_or(0.0);
            let on_hand = v.on_hand.unwrap_or(0);
            let detail = if w.is_finite() {
                format!("{w:.0} weeks of supply at {weekly:.2} units/week")
            } else {
                match days_since_sale {
                    Some(d) => {
                        format!("{on_hand} in stock and no demand forecast: no sale in {} weeks", d / 7)
                    }
                    None => format!("{on_hand} in stock and no demand forecast: never sold"),
                }
            };
            why.push(Why::new("overstock", detail, 0.5));
        }
        let slow = flags
            .iter()
            .any(|f| matches!(*f, "no_sale" | "low_add_to_cart" | "low_sell_through" | "decaying_demand"));
        let markdown = overstock
            && flags
                .iter()
                .any(|f| matches!(*f, "decaying_demand" | "low_sell_through" | "ageing_stock" | "no_sale"));
        if markdown {
            why.push(Why::new("markdown_candidate", "overstocked and not selling: consider a markdown", 0.0));
        }
        out.push(SlowMover {
            sku: v.sku.clone(),
            product: v.product.clone(),
            category: v.category.clone(),
            title: v.title.clone(),
            score,
            slow,
            overstock,
            markdown,
            flags,
            days_since_sale,
            sold_90,
            on_hand: v.on_hand,
            sell_through_90: sell_through,
            views_90: v.views_90,
            add_to_cart_rate: atc_rate,
            category_add_to_cart_rate: cat_rate,
            weeks_of_supply,
            demand_probability: prob,
            peak_demand_probability: peak,
            why,
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.sku.cmp(&b.sku)));
    out
}
