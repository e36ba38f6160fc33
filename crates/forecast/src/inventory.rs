//! Replenishment suggestions per variant: ABC class by revenue, weeks of
//! supply, projected stockout date, safety stock and reorder point for the
//! class's service level, an order-up-to quantity rounded to MOQ and case
//! packs within an optional budget, and the newsvendor quantity for a
//! one-shot seasonal buy over the horizon.
//!
//! Lead-time demand: mean = daily rate × lead time; variance = the
//! forecast's dispersion × mean (over-dispersed counts add up that way) plus
//! the lead-time variability term rate² × σ_L². Intermittent variants and
//! small means use the negative binomial quantile, others the normal.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use crate::dist::{count_quantile, inv_norm};
use crate::engine::DemandClass;
use crate::history::Demand;
use crate::pipeline::ForecastSet;
use crate::{Level, Why};

#[derive(Clone, Debug)]
pub struct ReplenishConfig {
    /// Cycle service level targets for classes A, B and C.
    pub service: [f64; 3],
    /// Lead time when the inventory feed does not say.
    pub lead_time_days: u32,
    /// Coefficient of variation of the lead time.
    pub lead_time_cv: f64,
    /// Days between reviews (orders are placed weekly).
    pub review_days: u32,
    pub moq: u64,
    pub case_pack: u64,
    /// Spend at most this much (in the cost's major units) on the suggestions.
    pub budget: Option<f64>,
    /// Unit cost as a share of price when the cost is unknown.
    pub cost_ratio: f64,
    /// What an unsold unit fetches at the end of a season, as a share of cost.
    pub salvage_ratio: f64,
}

impl Default for ReplenishConfig {
    fn default() -> Self {
        ReplenishConfig {
            service: [0.98, 0.95, 0.90],
            lead_time_days: 28,
            lead_time_cv: 0.25,
            review_days: 7,
            moq: 1,
            case_pack: 1,
            budget: None,
            cost_ratio: 0.5,
            salvage_ratio: 0.3,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Suggestion {
    pub sku: String,
    pub product: String,
    pub title: Option<String>,
    pub abc: char,
    pub class: DemandClass,
    pub on_hand: Option<i64>,
    pub on_order: i64,
    /// Forecast units per week over the horizon.
    pub weekly_demand: f64,
    pub weeks_of_supply: Option<f64>,
    pub stockout_date: Option<NaiveDate>,
    pub lead_time_days: u32,
    pub service_level: f64,
    /// `normal` or `negative_binomial`.
    pub distribution: &'static str,
    pub lead_time_demand: f64,
    pub safety_stock: f64,
    pub reorder_point: f64,
    pub order_up_to: f64,
    /// Units to order now; `None` when the stock is unknown.
    pub suggested_qty: Option<u64>,
    pub unit_cost: Option<f64>,
    pub order_value: Option<f64>,
    pub newsvendor_qty: u64,
    pub model: &'static str,
    pub why: Vec<Why>,
}

/// ABC classes by revenue over the last year: A up to 80% of cumulative
/// revenue, B up to 95%, C the rest (and anything without revenue).
pub fn abc_classes(revenue: &[f64]) -> Vec<char> {
    let total: f64 = revenue.iter().filter(|r| **r > 0.0).sum();
    let mut order: Vec<usize> = (0..revenue.len()).collect();
    order.sort_by(|&a, &b| revenue[b].total_cmp(&revenue[a]));
    let mut out = vec!['C'; revenue.len()];
    let mut cum = 0.0;
    for i in order {
        if revenue[i] <= 0.0 || total <= 0.0 {
            break;
        }
        // Classified by the cumulative share before this item, so the top
        // item is always A.
        out[i] = if cum < 0.8 - 1e-9 {
            'A'
        } else if cum < 0.95 - 1e-9 {
            'B'
        } else {
            'C'
        };
        cum += revenue[i] / total;
    }
    out
}

/// Reorder point and safety stock for lead-time demand with the given mean
/// and variance at a service level; returns (reorder point, safety stock,
/// distribution name).
pub fn reorder_point(mean: f64, var: f64, service: f64, intermittent: bool) -> (f64, f64, &'static str) {
    if mean <= 0.0 {
        return (0.0, 0.0, "none");
    }
    let (rop, dist) = if intermittent || mean < 20.0 {
        (count_quantile(mean, var, service), "negative_binomial")
    } else {
        ((mean + inv_norm(service) * var.max(0.0).sqrt()).ceil(), "normal")
    };
    (rop, (rop - mean).max(0.0), dist)
}

/// The newsvendor quantity: the critical-ratio quantile of season demand.
pub fn newsvendor(mean: f64, var: f64, price: f64, cost: f64, salvage: f64) -> u64 {
    let under = (price - cost).max(0.0);
    let over = (cost - salvage).max(1e-9);
    let ratio = under / (under + over);
    if mean <= 0.0 || ratio <= 0.0 {
        return 0;
    }
    count_quantile(mean, var, ratio.min(0.999)) as u64
}

/// Rounds a need up to the MOQ and case pack.
pub fn round_order(need: f64, moq: u64, case_pack: u64) -> u64 {
    if need <= 0.0 {
        return 0;
    }
    let q = (need.ceil() as u64).max(moq);
    let pack = case_pack.max(1);
    q.div_ceil(pack) * pack
}

/// Weekly demand below this (one unit in about two years) is no demand:
/// dividing stock by it would print cover of 10^47 weeks.
pub const MIN_WEEKLY_DEMAND: f64 = 0.01;

/// How many weeks `on_hand` lasts at `weekly` units a week; infinite (the
/// cover is unbounded, and callers say so in words) when there is no demand
/// to speak of.
pub fn weeks_of_supply(on_hand: i64, weekly: f64) -> f64 {
    if weekly >= MIN_WEEKLY_DEMAND {
        on_hand.max(0) as f64 / weekly
    } else {
        f64::INFINITY
    }
}

/// Suggestions for every variant of `demand`, from the variant forecasts in `set`.
pub fn replenish(demand: &Demand, set: &ForecastSet, cfg: &ReplenishConfig) -> Vec<Suggestion> {
    let fits: HashMap<&str, &crate::SeriesForecast> =
        set.level(Level::Variant).map(|s| (s.key.as_str(), s)).collect();
    let abc = abc_classes(&demand.variants.iter().map(|v| v.revenue_365).collect::<Vec<_>>());
    let pd = set.freq.days() as f64;
    let mut out = Vec::with_capacity(demand.variants.len());
    for (i, v) in demand.variants.iter().enumerate() {
        let Some(s) = fits.get(v.sku.as_str()) else { continue };
        let f = &s.fit;
        let h = f.mean.len().max(1);
        let horizon_units: f64 = f.mean.iter().sum();
        let rate = horizon_units / (h as f64 * pd);
        let class_ix = match abc[i] {
            'A' => 0,
            'B' => 1,
            _ => 2,
        };
        let service = cfg.service[class_ix];
        let lead = v.lead_time_days.unwrap_or(cfg.lead_time_days);
        let mu_l = rate * lead as f64;
        let sd_lead = cfg.lead_time_cv * lead as f64;
        let var_l = f.dispersion * mu_l + rate * rate * sd_lead * sd_lead;
        let (rop, ss, dist) = reorder_point(mu_l, var_l, service, f.class.is_intermittent());
        let order_up_to = rop + rate * cfg.review_days as f64;
        let on_order = v.on_order.unwrap_or(0);
        let weekly = rate * 7.0;
        let mut why = Vec::new();
        why.push(Why::new(
            "forecast",
            format!("{weekly:.2} units/week over the next {h} {}s ({})", set.freq.as_str(), f.model.as_str()),
            weekly,
        ));
        why.push(Why::new(
            "abc_class",
            format!(
                "class {} by revenue over the last year ({:.0}); service level {:.0}%",
                abc[i],
                v.revenue_365,
                service * 100.0
            ),
            service,
        ));
        why.push(Why::new(
            "lead_time_demand",
            format!(
                "{mu_l:.1} units over {lead} days lead time (±{:.0}%), {} distribution; safety stock {ss:.0}, reorder point {rop:.0}",
                cfg.lead_time_cv * 100.0,
                dist.replace('_', " ")
            ),
            mu_l,
        ));
        let weeks_of_supply = v.on_hand.map(|oh| weeks_of_supply(oh, weekly));
        let stockout_date = v.on_hand.and_then(|oh| stockout(oh, demand.end, set, &f.mean));
        let unit_cost = v.unit_cost.or(v.unit_price.map(|p| p * cfg.cost_ratio));
        let suggested_qty = v.on_hand.map(|oh| {
            let position = oh + on_order;
            if (position as f64) <= rop && order_up_to > 0.0 {
                round_order(order_up_to - position as f64, cfg.moq, cfg.case_pack)
            } else {
                0
            }
        });
        match (v.on_hand, suggested_qty) {
            (None, _) => why.push(Why::new(
                "stock_unknown",
                "no inventory known for this variant: reorder point shown, no quantity suggested",
                0.0,
            )),
            (Some(oh), Some(q)) if q > 0 => why.push(Why::new(
                "below_reorder_point",
                format!(
                    "stock {oh} + on order {on_order} at or below the reorder point {rop:.0}: order up to {order_up_to:.0} (MOQ {}, case pack {})",
                    cfg.moq, cfg.case_pack
                ),
                q as f64,
            )),
            (Some(oh), _) => why.push(Why::new(
                "enough_stock",
                format!("stock {oh} + on order {on_order} above the reorder point {rop:.0}"),
                0.0,
            )),
        }
        if let Some(d) = stockout_date {
            why.push(Why::new(
                "projected_stockout",
                format!("stock runs out around {d} at the forecast rate"),
                0.0,
            ));
        }
        let season_mean = horizon_units;
        let season_var = f.dispersion * season_mean;
        let price = v.unit_price.unwrap_or(0.0);
        let newsvendor_qty = match unit_cost {
            Some(c) if price > 0.0 => newsvendor(season_mean, season_var, price, c, c * cfg.salvage_ratio),
            _ => 0,
        };
        out.push(Suggestion {
            sku: v.sku.clone(),
            product: v.product.clone(),
            title: v.title.clone(),
            abc: abc[i],
            class: f.class,
            on_hand: v.on_hand,
            on_order,
            weekly_demand: weekly,
            weeks_of_supply,
            stockout_date,
            lead_time_days: lead,
            service_level: service,
            distribution: dist,
            lead_time_demand: mu_l,
            safety_stock: ss,
            reorder_point: rop,
            order_up_to,
            suggested_qty,
            unit_cost,
            order_value: suggested_qty.zip(unit_cost).map(|(q, c)| q as f64 * c),
            newsvendor_qty,
            model: f.model.as_str(),
            why,
        });
    }
    if let Some(budget) = cfg.budget {
        apply_budget(&mut out, budget);
    }
    out
}

/// The day stock runs out when it is used at the forecast rate, walking
/// day by day from the day after history (the forecast's own periods start
/// at the next whole period; days before that use the first period's rate,
/// days after the horizon the average rate); `None` beyond two years.
pub fn stockout(on_hand: i64, end: NaiveDate, set: &ForecastSet, mean: &[f64]) -> Option<NaiveDate> {
    let mut left = on_hand.max(0) as f64;
    if left <= 0.0 {
        return Some(end);
    }
    let pd = set.freq.days() as i64;
    let h = mean.len();
    if h == 0 {
        return None;
    }
    let avg = mean.iter().sum::<f64>() / (h as i64 * pd) as f64;
    if avg <= 0.0 {
        return None;
    }
    for k in 1..=730 {
        let day = end + Duration::days(k);
        let offset = (day - set.first_period).num_days();
        let rate = if offset < 0 {
            mean[0] / pd as f64
        } else if ((offset / pd) as usize) < h {
            mean[(offset / pd) as usize] / pd as f64
        } else {
            avg
        };
        left -= rate;
        if left <= 0.0 {
            return Some(day);
        }
    }
    None
}

/// Keeps the most urgent orders (A before B before C, earliest stockout
/// first) within `budget`; the rest are set to zero with the reason.
pub fn apply_budget(list: &mut [Suggestion], budget: f64) {
    let mut order: Vec<usize> = (0..list.len()).filter(|&i| list[i].suggested_qty.unwrap_or(0) > 0).collect();
    order.sort_by_key(|&i| (list[i].abc, list[i].stockout_date.unwrap_or(NaiveDate::MAX)));
    let mut left = budget;
    for i in order {
        let value = list[i].order_value.unwrap_or(0.0);
        if value <= left {
            left -= value;
        } else {
            let s = &mut list[i];
            s.why.push(Why::new(
                "budget",
                format!("order of {value:.2} left out: {left:.2} of the {budget:.2} budget remained"),
                -value,
            ));
            s.suggested_qty = Some(0);
            s.order_value = Some(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abc_by_cumulative_revenue() {
        assert_eq!(abc_classes(&[700.0, 100.0, 100.0, 60.0, 40.0, 0.0]), vec!['A', 'A', 'B', 'B', 'C', 'C']);
        assert_eq!(abc_classes(&[]), Vec::<char>::new());
    }

    #[test]
    fn safety_stock_formulas() {
        // Normal: mean 100, sd 20, 95% -> 100 + 1.645 * 20 = 132.9 -> 133.
        let (rop, ss, dist) = reorder_point(100.0, 400.0, 0.95, false);
        assert_eq!((rop, dist), (133.0, "normal"));
        assert!((ss - 33.0).abs() < 1e-9);
        // Intermittent: Poisson(2) at 95% is 5 (P(X<=4)=0.947, P(X<=5)=0.983).
        let (rop, ss, dist) = reorder_point(2.0, 2.0, 0.95, true);
        assert_eq!((rop, ss, dist), (5.0, 3.0, "negative_binomial"));
        assert_eq!(reorder_point(0.0, 0.0, 0.95, true).0, 0.0);
    }

    #[test]
    fn newsvendor_critical_ratio() {
        // Price 100, cost 40, salvage 10: ratio 60 / 90 = 0.667; demand
        // mean 1000, sd 100: the normal says 1000 + 0.4307 * 100 = 1043, the
        // (right-skewed) negative binomial a little less.
        let q = newsvendor(1000.0, 10_000.0, 100.0, 40.0, 10.0);
        assert!((1036..=1044).contains(&q), "{q}");
        let q = newsvendor(100_000.0, 1e8, 100.0, 40.0, 10.0);
        assert!((104_300..=104_310).contains(&q), "{q}");
        // No margin: buy nothing.
        assert_eq!(newsvendor(10.0, 10.0, 40.0, 40.0, 10.0), 0);
    }

    #[test]
    fn orders_round_to_moq_and_case_packs() {
        assert_eq!(round_order(0.0, 5, 6), 0);
        assert_eq!(round_order(1.2, 5, 1), 5);
        assert_eq!(round_order(7.0, 5, 6), 12);
        assert_eq!(round_order(12.0, 1, 6), 12);
    }
}
