//! Demand history from the store's values: units sold per variant per day
//! (sales only; returns counted apart), days out of stock marked censored
//! where inventory history exists, and storefront views and add-to-carts per
//! variant as drivers and slow-mover evidence.

use std::borrow::Borrow;
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate};
use model::{Event, EventKind, InventoryLevel, LineKind, OrderLine, Product};

/// One variant's daily history, from `Demand::start` to `Demand::end`.
#[derive(Clone, Debug, Default)]
pub struct VariantHistory {
    pub sku: String,
    /// The product's handle (the SKU itself for order-only products).
    pub product: String,
    /// Canonical category, `uncategorized` when unknown.
    pub category: String,
    pub title: Option<String>,
    /// Units sold per day.
    pub units: Vec<f32>,
    /// True on days the variant was out of stock with no sale (demand
    /// unknown). Empty when there is no inventory history.
    pub censored: Vec<bool>,
    /// Units returned or cancelled, over the whole history.
    pub returned: f64,
    /// Revenue over the last 365 days, in major units.
    pub revenue_365: f64,
    /// Last known unit price, major units.
    pub unit_price: Option<f64>,
    pub first_sale: Option<NaiveDate>,
    pub last_sale: Option<NaiveDate>,
    /// Latest stock over all locations, if any inventory is known.
    pub on_hand: Option<i64>,
    pub on_order: Option<i64>,
    pub lead_time_days: Option<u32>,
    pub unit_cost: Option<f64>,
    /// When stock was first seen positive (the age of the stock).
    pub stock_since: Option<NaiveDate>,
    /// Product views and add-to-carts over the last 90 days of history.
    pub views_90: u32,
    pub add_to_cart_90: u32,
    /// Views over the last 14 days and the 76 days before, for the traffic trend.
    pub views_14: u32,
}

/// Daily demand of every variant over one common date range.
#[derive(Clone, Debug)]
pub struct Demand {
    pub start: NaiveDate,
    /// The last day of history (inclusive).
    pub end: NaiveDate,
    pub variants: Vec<VariantHistory>,
    /// True when any inventory history was available.
    pub has_inventory: bool,
}

impl Demand {
    pub fn days(&self) -> usize {
        ((self.end - self.start).num_days() + 1).max(0) as usize
    }
}

fn day_of(secs: i64) -> NaiveDate {
    DateTime::from_timestamp(secs, 0).map(|d| d.date_naive()).unwrap_or(NaiveDate::MIN)
}

/// Times outside 1990..2100 are data errors (a mistyped year, a unit
/// mix-up); they are left out rather than stretching the history to
/// centuries of days.
fn sane(secs: i64) -> bool {
    (631_152_000..4_102_444_800).contains(&secs)
}

/// Builds the daily demand history. Variants are the SKUs of the catalog
/// plus any SKU that appears in orders only; sorted by SKU.
pub fn build_demand(
    lines: &[OrderLine],
    inventory_history: &[InventoryLevel],
    events: &[Event],
    products: &[Product],
) -> Demand {
    build_demand_iter(lines, inventory_history, events, products)
}

/// First and last day of the history: of sales and inventory snapshots.
fn span(lines: &[OrderLine], inventory_history: &[InventoryLevel]) -> (NaiveDate, NaiveDate) {
    let sales = lines.iter().filter(|l| l.kind == LineKind::Sale && l.quantity > 0 && sane(l.ordered_at));
    let (mut first, mut last) = (None::<NaiveDate>, None::<NaiveDate>);
    let sale_times = sales.map(|l| l.ordered_at);
    let snapshot_times = inventory_history.iter().filter_map(|l| l.as_of.filter(|&t| sane(t)));
    for at in sale_times.chain(snapshot_times) {
        let d = day_of(at);
        first = Some(first.map_or(d, |f| f.min(d)));
        last = Some(last.map_or(d, |x| x.max(d)));
    }
    let today = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN);
    let start = first.unwrap_or(today);
    (start, last.unwrap_or(start))
}

/// The events [`build_demand_iter`] reads: Unix milliseconds `[from, to)`,
/// the 90 days that end with the history's last day. A caller with a large
/// log reads only these.
pub fn demand_event_window(lines: &[OrderLine], inventory_history: &[InventoryLevel]) -> (i64, i64) {
    let (_, end) = span(lines, inventory_history);
    let end_ms = (end + Duration::days(1)).and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis());
    (end_ms - EVENT_DAYS * 86_400_000, end_ms)
}

/// Days of views and add-to-carts counted.
const EVENT_DAYS: i64 = 90;

/// [`build_demand`] reading the events in one pass, in any order: only the
/// last 90 days' views and add-to-carts are counted, so the events can come
/// straight from the store a page at a time.
pub fn build_demand_iter<E: Borrow<Event>>(
    lines: &[OrderLine],
    inventory_history: &[InventoryLevel],
    events: impl IntoIterator<Item = E>,
    products: &[Product],
) -> Demand {
    let (start, end) = span(lines, inventory_history);
    let days = ((end - start).num_days() + 1) as usize;

    let mut by_sku: HashMap<String, usize> = HashMap::new();
    let mut variants: Vec<VariantHistory> = Vec::new();
    let mut add = |sku: &str,
                   product: &str,
                   category: &str,
                   title: Option<&str>,
                   variants: &mut Vec<VariantHistory>| {
        if let Some(&i) = by_sku.get(sku) {
            return i;
        }
        let i = variants.len();
        by_sku.insert(sku.to_string(), i);
        variants.push(VariantHistory {
            sku: sku.to_string(),
            product: product.to_string(),
            category: category.to_string(),
            title: title.map(str::to_string),
            units: vec![0.0; days],
            ..Default::default()
        });
        i
    };
    let mut handle_of_product: HashMap<String, usize> = HashMap::new();
    for p in products {
        let cat = p.category.map_or("uncategorized", |c| c.as_str());
        for v in &p.variants {
            let i = add(&v.sku, &p.handle, cat, Some(&p.title), &mut variants);
            variants[i].unit_price = v.price.map(|m| m.major());
            variants[i].on_hand = v.inventory;
        }
        handle_of_product.insert(p.handle.clone(), p.variants.len());
    }
    let year_ago = end - Duration::days(365);
    for l in lines {
        let i = add(&l.sku, &l.sku, "uncategorized", l.title.as_deref(), &mut variants);
        if !sane(l.ordered_at) {
            continue;
        }
        let v = &mut variants[i];
        match l.kind {
            LineKind::Sale if l.quantity > 0 => {
                let d = day_of(l.ordered_at);
                let k = (d - start).num_days();
                if k >= 0 && (k as usize) < days {
                    v.units[k as usize] += l.quantity as f32;
                }
                if let Some(p) = l.unit_price {
                    v.unit_price = Some(p.major());
                    if d > year_ago {
                        v.revenue_365 += p.major() * l.quantity as f64;
                    }
                }
                v.first_sale = Some(v.first_sale.map_or(d, |f| f.min(d)));
                v.last_sale = Some(v.last_sale.map_or(d, |x| x.max(d)));
            }
            _ => v.returned += l.quantity.unsigned_abs() as f64,
        }
    }

    // Inventory: stock per SKU per day, carried forward between snapshots
    // and summed over locations. A day with no stock and no sale is censored.
    let has_inventory = inventory_history.iter().any(|l| l.as_of.is_some_and(sane));
    if has_inventory {
        let mut snaps: HashMap<&str, Vec<(NaiveDate, &str, &InventoryLevel)>> = HashMap::new();
        for l in inventory_history {
            if let Some(at) = l.as_of.filter(|&t| sane(t)) {
                snaps.entry(l.sku.as_str()).or_default().push((day_of(at), l.location.as_str(), l));
            }
        }
        for (sku, mut list) in snaps {
            let i = add(sku, sku, "uncategorized", None, &mut variants);
            list.sort_by_key(|x| x.0);
            let v = &mut variants[i];
            v.censored = vec![false; days];
            let mut per_loc: HashMap<&str, i64> = HashMap::new();
            let mut on_order: HashMap<&str, i64> = HashMap::new();
            let mut si = 0;
            let mut stock: Option<i64> = None;
            for d in 0..days {
                let day = start + Duration::days(d as i64);
                while si < list.len() && list[si].0 <= day {
                    let (_, loc, l) = list[si];
                    per_loc.insert(loc, l.on_hand);
                    if let Some(o) = l.on_order {
                        on_order.insert(loc, o);
                    }
                    if l.lead_time_days.is_some() {
                        v.lead_time_days = l.lead_time_days;
                    }
                    if let Some(c) = l.unit_cost {
                        v.unit_cost = Some(c.major());
                    }
                    si += 1;
                    stock = Some(per_loc.values().sum());
                }
                if let Some(s) = stock {
                    if s <= 0 && v.units[d] == 0.0 {
                        v.censored[d] = true;
                    }
                    if s > 0 && v.stock_since.is_none() {
                        v.stock_since = Some(day);
                    }
                    if s <= 0 {
                        v.stock_since = None;
                    }
                }
            }
            v.on_hand = stock.or(v.on_hand);
            v.on_order = if on_order.is_empty() { None } else { Some(on_order.values().sum()) };
        }
    }

    // Events: views and add-to-carts per SKU (or per product's variants).
    {
        let (d90, end_ms) = demand_event_window(lines, inventory_history);
        let d14 = end_ms - 14 * 86_400_000;
        let mut by_product: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, v) in variants.iter().enumerate() {
            by_product.entry(v.product.as_str()).or_default().push(i);
        }
        let mut bumps: Vec<(usize, EventKind, bool)> = Vec::new();
        for e in events {
            let e = e.borrow();
            if e.at < d90 || e.at >= end_ms || !matches!(e.kind, EventKind::View | EventKind::AddToCart) {
                continue;
            }
            let recent = e.at >= d14;
            if let Some(i) = e.sku.as_deref().and_then(|s| by_sku.get(s)) {
                bumps.push((*i, e.kind, recent));
            } else if let Some(list) = e.product.as_deref().and_then(|p| by_product.get(p)) {
                // A product view counts for each of its variants.
                for &i in list {
                    bumps.push((i, e.kind, recent));
                }
            }
        }
        for (i, kind, recent) in bumps {
            let v = &mut variants[i];
            match kind {
                EventKind::View => {
                    v.views_90 += 1;
                    if recent {
                        v.views_14 += 1;
                    }
                }
                _ => v.add_to_cart_90 += 1,
            }
        }
    }
    variants.sort_by(|a, b| a.sku.cmp(&b.sku));
    Demand { start, end, variants, has_inventory }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Currency, Money};

    fn line(id: &str, day: &str, sku: &str, qty: i64, kind: LineKind) -> OrderLine {
        let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        OrderLine {
            order_id: id.into(),
            line_no: 0,
            ordered_at: d.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp(),
            customer_id: None,
            sku: sku.into(),
            title: None,
            quantity: qty,
            unit_price: Some(Money::new(1000, Currency::USD)),
            country: None,
            kind,
        }
    }

    fn inv(day: &str, sku: &str, on_hand: i64) -> InventoryLevel {
        let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
        InventoryLevel {
            sku: sku.into(),
            location: "main".into(),
            on_hand,
            on_order: None,
            lead_time_days: Some(14),
            unit_cost: None,
            as_of: Some(d.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()),
        }
    }

    #[test]
    fn sales_returns_and_stockouts() {
        let lines = vec![
            line("1", "2024-01-01", "A", 2, LineKind::Sale),
            line("2", "2024-01-03", "A", 1, LineKind::Sale),
            line("3", "2024-01-03", "A", -1, LineKind::Return),
            line("4", "2024-01-06", "A", 1, LineKind::Sale),
        ];
        let history = vec![inv("2024-01-01", "A", 5), inv("2024-01-04", "A", 0), inv("2024-01-06", "A", 4)];
        let d = build_demand(&lines, &history, &[], &[]);
        assert_eq!(d.start.to_string(), "2024-01-01");
        assert_eq!(d.end.to_string(), "2024-01-06");
        let a = &d.variants[0];
        assert_eq!(a.units, vec![2.0, 0.0, 1.0, 0.0, 0.0, 1.0]);
        assert_eq!(a.returned, 1.0);
        // Out of stock on the 4th and 5th: censored, not zero demand.
        assert_eq!(a.censored, vec![false, false, false, true, true, false]);
        assert_eq!(a.on_hand, Some(4));
        assert_eq!(a.lead_time_days, Some(14));
        assert!((a.revenue_365 - 40.0).abs() < 1e-9);
    }

    proptest::proptest! {
        /// Arbitrary lines and snapshots (any time, any quantity) build a
        /// history without panicking, with one array per variant of the
        /// history's length.
        #[test]
        fn any_lines_build_a_bounded_history(
            rows in proptest::collection::vec((proptest::num::i64::ANY, -5i64..50, 0u8..4, 0u8..3), 0..40),
            base in 1_500_000_000i64..1_700_000_000,
        ) {
            let lines: Vec<OrderLine> = rows.iter().enumerate().map(|(i, &(t, q, sku, kind))| {
                let at = if i % 3 == 0 { t } else { base + t.rem_euclid(400 * 86_400) };
                let mut l = line(&i.to_string(), "2024-01-01", &format!("S{sku}"), q, [LineKind::Sale, LineKind::Return, LineKind::Cancellation][kind as usize]);
                l.ordered_at = at;
                l
            }).collect();
            let inv: Vec<InventoryLevel> = rows.iter().map(|&(t, q, sku, _)| {
                let mut l = inv("2024-01-01", &format!("S{sku}"), q);
                l.as_of = Some(base + t.rem_euclid(400 * 86_400));
                l
            }).collect();
            let d = build_demand(&lines, &inv, &[], &[]);
            proptest::prop_assert!(d.days() <= 500);
            for v in &d.variants {
                proptest::prop_assert_eq!(v.units.len(), d.days());
                proptest::prop_assert!(v.censored.is_empty() || v.censored.len() == d.days());
            }
        }
    }

    #[test]
    fn without_inventory_nothing_is_censored() {
        let lines = vec![
            line("1", "2024-01-01", "A", 2, LineKind::Sale),
            line("2", "2024-01-05", "B", 1, LineKind::Sale),
        ];
        let d = build_demand(&lines, &[], &[], &[]);
        assert!(!d.has_inventory);
        assert_eq!(d.variants.len(), 2);
        assert!(d.variants.iter().all(|v| v.censored.is_empty()));
        assert_eq!(d.days(), 5);
    }
}
