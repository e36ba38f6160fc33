//! Integration tests of the forecast engine: the pipeline on hand-made
//! histories (week alignment, censoring, calendar lifts, reconciliation),
//! the inventory decisions and slow movers, and the online-retail data set.

mod decisions;
mod fit_golden;
mod online_retail;
mod pipeline;

use chrono::{Duration, NaiveDate};
use model::{Currency, InventoryLevel, LineKind, Money, OrderLine};

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

/// A sale of `qty` units of `sku` at noon on `d`.
pub fn sale(n: usize, d: NaiveDate, sku: &str, qty: i64) -> OrderLine {
    OrderLine {
        order_id: format!("o{n}"),
        line_no: 0,
        ordered_at: d.and_hms_opt(12, 0, 0).expect("noon").and_utc().timestamp(),
        customer_id: None,
        sku: sku.into(),
        title: None,
        quantity: qty,
        unit_price: Some(Money::new(5000, Currency::USD)),
        country: None,
        kind: LineKind::Sale,
    }
}

/// Daily sales of `sku` from `from` for `days` days, `qty(i)` units on day i.
pub fn daily(sku: &str, from: NaiveDate, days: i64, qty: impl Fn(i64) -> i64) -> Vec<OrderLine> {
    (0..days)
        .filter_map(|i| {
            let q = qty(i);
            (q > 0).then(|| sale(i as usize, from + Duration::days(i), sku, q))
        })
        .collect()
}

pub fn stock(d: NaiveDate, sku: &str, on_hand: i64) -> InventoryLevel {
    InventoryLevel {
        sku: sku.into(),
        location: "main".into(),
        on_hand,
        on_order: None,
        lead_time_days: Some(14),
        unit_cost: Some(Money::new(2000, Currency::USD)),
        as_of: Some(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()),
    }
}
