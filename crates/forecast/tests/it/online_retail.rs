//! The online-retail data set (UCI, 2010-12 to 2011-09), when present:
//! weekly forecasts per SKU start on 2011-10-03, add up to the total, and
//! the total's backtest error stays within a sane bound.

use std::path::Path;

use chrono::NaiveDateTime;
use forecast::{build_demand, evaluate, forecast, ForecastConfig, Level};
use model::{Currency, LineKind, Money, OrderLine};

const FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets/online-retail-2010-12-to-2011-09.csv");

fn load() -> Option<Vec<OrderLine>> {
    if !Path::new(FILE).exists() {
        eprintln!("skipping: {FILE} is absent");
        return None;
    }
    let mut r = csv::Reader::from_path(FILE).ok()?;
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let Ok(rec) = rec else { continue };
        let qty: f64 = rec[3].parse().unwrap_or(0.0);
        let Ok(at) = NaiveDateTime::parse_from_str(&rec[4], "%Y-%m-%d %H:%M:%S") else { continue };
        let kind = if rec[0].starts_with('C') || qty < 0.0 { LineKind::Cancellation } else { LineKind::Sale };
        out.push(OrderLine {
            order_id: rec[0].to_string(),
            line_no: i as u32,
            ordered_at: at.and_utc().timestamp(),
            customer_id: None,
            sku: rec[1].to_string(),
            title: Some(rec[2].to_string()),
            quantity: qty as i64,
            unit_price: rec[5].parse::<f64>().ok().map(|p| Money::from_major(p, Currency::GBP)),
            country: None,
            kind,
        });
    }
    Some(out)
}

#[test]
fn weekly_sku_forecasts_on_online_retail() {
    let Some(lines) = load() else { return };
    let d = build_demand(&lines, &[], &[], &[]);
    assert!(d.variants.len() > 3500, "{} SKUs", d.variants.len());
    let set = forecast(&d, &ForecastConfig::default());
    assert_eq!(set.first_period.to_string(), "2011-10-03");
    let total = set.level(Level::Total).next().expect("total");
    let sum: f64 = set.level(Level::Variant).map(|s| s.fit.mean[0]).sum();
    assert!((sum - total.fit.mean[0]).abs() < 1e-6 * sum);
    // The UK retailer sells tens of thousands of units a week in autumn 2011.
    assert!((20_000.0..200_000.0).contains(&total.fit.mean[0]), "{:?}", total.fit.mean);

    let eval = evaluate(&d, &ForecastConfig::default(), 2);
    let row =
        eval.rows.iter().find(|r| r.level == Some(Level::Total) && r.class.is_none()).expect("total row");
    assert!(row.wape_mean < 0.4, "total WAPE {}", row.wape_mean);
    let sku =
        eval.rows.iter().find(|r| r.level == Some(Level::Variant) && r.class.is_none()).expect("sku row");
    assert!(sku.wape_p50 < 1.0, "SKU WAPE {}", sku.wape_p50);
}
