//! Post-purchase care (issue 17): a purchased piece's care plan from the
//! `care` engine's plans (built in, extended by a brand's file), for a SKU.
//!
//! Dates count from delivery. Loupe has no carrier data, so with a purchase
//! date the delivery day is estimated by the brand's standard delivery
//! promise (the support settings' `promise_business_days`), and the answer
//! says so.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use crate::error::{Code, Error, Result};
use crate::wire::care::{CareMessageOut, CarePlanOut};
use crate::App;

/// Reads a brand's care-plan file on top of the built-in plans.
pub fn plans(extra: Option<&str>) -> Result<care::Plans> {
    let mut p = care::Plans::builtin();
    if let Some(text) = extra {
        p.extend_from_toml(text).map_err(|e| Error::new(Code::InvalidQuery, e.0))?;
    }
    Ok(p)
}

/// `YYYY-MM-DD`, or an error naming the field.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::new(Code::InvalidQuery, format!("`{field}` {s:?} is not a date (YYYY-MM-DD)")))
}

fn add_business_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// The care plan of the variant with `sku`.
pub fn plan_for_sku(
    app: &App,
    sku: &str,
    purchased_on: Option<NaiveDate>,
    plans: &care::Plans,
) -> Result<CarePlanOut> {
    let sku = sku.trim();
    if sku.is_empty() {
        return Err(Error::new(Code::InvalidQuery, "`sku` is required"));
    }
    let product = app
        .store
        .product_by_sku(sku)?
        .ok_or_else(|| Error::not_found(format!("a product with SKU {sku:?}")))?;
    let variant = product.variants.iter().find(|v| v.sku == sku);
    let plan = care::plan(plans, &product, variant, None);
    let (delivered_on, basis) = match purchased_on {
        Some(d) => {
            let days = crate::support::settings(app)?.promise_business_days;
            (
                Some(add_business_days(d, days)),
                Some(format!(
                    "the purchase date plus the brand's standard delivery promise of {days} business days"
                )),
            )
        }
        None => (None, None),
    };
    Ok(CarePlanOut {
        sku: sku.to_string(),
        handle: product.handle.clone(),
        title: product.title.clone(),
        materials: plan.materials,
        cautions: plan.cautions.iter().map(|c| c.as_str().to_string()).collect(),
        messages: plan
            .messages
            .into_iter()
            .map(|m| CareMessageOut {
                on: delivered_on
                    .and_then(|d| d.checked_add_days(Days::new(m.day as u64)))
                    .map(|d| d.to_string()),
                day: m.day,
                topic: m.topic,
                title: m.title,
                body: m.body,
                channel: m.channel,
                why: m.why,
            })
            .collect(),
        plans: plan.plans,
        delivered_on: delivered_on.map(|d| d.to_string()),
        delivery_basis: basis,
    })
}
