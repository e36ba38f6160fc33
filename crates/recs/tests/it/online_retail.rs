//! Reads the UCI online-retail orders file into order lines, for the
//! evaluation test and the tuning example (the product's own importer lives
//! in `catalog`; this keeps the recs tests independent of it).

use std::collections::HashMap;

use model::{Currency, LineKind, Money, OrderLine};

/// A direct reading of the UCI columns, enough for the evaluation (the
/// product's own importer lives in `catalog`).
pub fn load(path: &str) -> Option<Vec<OrderLine>> {
    let mut rd = csv::Reader::from_path(path).ok()?;
    let mut line_no: HashMap<String, u32> = HashMap::new();
    let mut out = Vec::new();
    for rec in rd.records() {
        let Ok(r) = rec else { continue };
        let order_id = r[0].to_string();
        let Ok(at) = chrono::NaiveDateTime::parse_from_str(&r[4], "%Y-%m-%d %H:%M:%S") else { continue };
        let quantity = r[3].parse::<f64>().unwrap_or(0.0) as i64;
        let n = line_no.entry(order_id.clone()).or_default();
        let kind = if order_id.starts_with('C') {
            LineKind::Cancellation
        } else if quantity < 0 {
            LineKind::Return
        } else {
            LineKind::Sale
        };
        out.push(OrderLine {
            line_no: *n,
            order_id,
            ordered_at: at.and_utc().timestamp(),
            customer_id: Some(r[6].trim_end_matches(".0").to_string()).filter(|c| !c.is_empty()),
            sku: r[1].to_string(),
            title: Some(r[2].to_string()),
            quantity,
            unit_price: Money::parse(&r[5], Currency::GBP).ok(),
            country: Some(r[7].to_string()),
            kind,
        });
        *n += 1;
    }
    out.sort_by_key(|l| l.ordered_at);
    Some(out)
}
