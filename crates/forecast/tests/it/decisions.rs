//! Replenishment suggestions and slow-mover flags on hand-made histories.

use chrono::Duration;
use forecast::{build_demand, forecast, replenish, slow_movers, ForecastConfig, ReplenishConfig, SlowConfig};
use model::{Event, EventKind};

use crate::{daily, day, stock};

#[test]
fn replenishment_orders_what_runs_short() {
    let start = day("2024-01-01");
    // A: 5 a day, 20 left: order. B: 1 a day, 500 left: no order.
    let mut lines = daily("A", start, 120, |_| 5);
    lines.extend(daily("B", start, 120, |_| 1));
    let end = start + Duration::days(119);
    let inventory = vec![stock(end, "A", 20), stock(end, "B", 500)];
    let d = build_demand(&lines, &inventory, &[], &[]);
    let set = forecast(&d, &ForecastConfig::default());
    let cfg = ReplenishConfig { case_pack: 10, ..ReplenishConfig::default() };
    let list = replenish(&d, &set, &cfg);
    let a = list.iter().find(|s| s.sku == "A").expect("A");
    let b = list.iter().find(|s| s.sku == "B").expect("B");
    // Lead time 14 days: about 70 units of lead-time demand, plus safety stock.
    assert!(a.reorder_point > 70.0 && a.safety_stock > 0.0, "{a:?}");
    let q = a.suggested_qty.expect("stock known");
    assert!(q > 0 && q % 10 == 0, "{a:?}");
    assert!(a.stockout_date.is_some_and(|s| s <= end + Duration::days(7)), "{a:?}");
    assert_eq!(b.suggested_qty, Some(0));
    assert!(b.weeks_of_supply.is_some_and(|w| w > 50.0), "{b:?}");
    assert!(a.why.iter().any(|w| w.signal == "below_reorder_point"));
    // A budget that buys nothing leaves the order out, with the reason.
    let tight = replenish(&d, &set, &ReplenishConfig { budget: Some(1.0), ..cfg });
    let a = tight.iter().find(|s| s.sku == "A").expect("A");
    assert_eq!(a.suggested_qty, Some(0));
    assert!(a.why.iter().any(|w| w.signal == "budget"));
}

#[test]
fn slow_movers_carry_their_evidence() {
    let start = day("2024-01-01");
    let end = start + Duration::days(199);
    // FAST sells daily; DEAD sold for two months then stopped, with stock left.
    let mut lines = daily("FAST", start, 200, |_| 3);
    lines.extend(daily("DEAD", start, 60, |_| 2));
    let inventory = vec![stock(start, "FAST", 50), stock(start, "DEAD", 300), stock(end, "FAST", 40)];
    // DEAD is viewed a lot but never added to cart; FAST converts.
    let mut events = Vec::new();
    for i in 0..200 {
        let at =
            (end - Duration::days(i % 60)).and_hms_opt(10, 0, 0).expect("t").and_utc().timestamp_millis();
        for (sku, kind) in
            [("DEAD", EventKind::View), ("FAST", EventKind::View), ("FAST", EventKind::AddToCart)]
        {
            events.push(Event {
                id: format!("{sku}{i}{kind:?}"),
                kind,
                at,
                session_id: None,
                customer_id: None,
                product: None,
                sku: Some(sku.into()),
                query: None,
                results: vec![],
                position: None,
                quantity: None,
                price: None,
                order_id: None,
                visitor_id: None,
                exposure: None,
            });
        }
    }
    let d = build_demand(&lines, &inventory, &events, &[]);
    let set = forecast(&d, &ForecastConfig::default());
    let list = slow_movers(&d, &set, &SlowConfig::default());
    assert_eq!(list[0].sku, "DEAD");
    let dead = &list[0];
    for flag in
        ["no_sale", "low_add_to_cart", "low_sell_through", "ageing_stock", "decaying_demand", "overstock"]
    {
        assert!(dead.flags.contains(&flag), "{flag} missing: {:?}", dead.flags);
        assert!(dead.why.iter().any(|w| w.signal == flag), "{flag} has no why");
    }
    assert!(dead.slow && dead.markdown);
    let fast = list.iter().find(|s| s.sku == "FAST").expect("FAST");
    assert!(!fast.slow && fast.flags.is_empty(), "{:?}", fast.flags);
}

/// Regression: stock divided by a demand of 1e-47 units a week printed
/// "5.06e+47 weeks of supply at 0.00 units/week" on the buyer's page.
#[test]
fn a_variant_with_no_demand_has_unbounded_cover_said_in_words() {
    assert_eq!(forecast::weeks_of_supply(10, 2.0), 5.0);
    assert_eq!(forecast::weeks_of_supply(-3, 2.0), 0.0);
    assert!(forecast::weeks_of_supply(300, 1e-47).is_infinite());
    assert!(forecast::weeks_of_supply(300, 0.0).is_infinite());

    let start = day("2022-01-03");
    let end = start + Duration::days(3 * 364);
    // OLD sold a few units in its first month, then nothing for three years.
    let mut lines = daily("OLD", start, 20, |i| i64::from(i % 7 == 0));
    lines.extend(daily("FAST", start, 3 * 364 + 1, |_| 3));
    let inventory = vec![stock(end, "OLD", 300), stock(end, "FAST", 40)];
    let d = build_demand(&lines, &inventory, &[], &[]);
    let set = forecast(&d, &ForecastConfig::default());
    let slow = slow_movers(&d, &set, &SlowConfig::default());
    let old = slow.iter().find(|s| s.sku == "OLD").expect("OLD");
    let w = old.weeks_of_supply.expect("stock is known");
    assert!(w.is_infinite() || w < 100_000.0, "cover of {w} weeks");
    for why in slow.iter().flat_map(|s| &s.why) {
        let longest = why.detail.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
        assert!(longest <= 6, "a number no buyer can read: {}", why.detail);
    }
    let over = old.why.iter().find(|w| w.signal == "overstock").expect("300 unsold units are overstock");
    assert!(over.detail.contains("300 in stock") && over.detail.contains("no sale in"), "{}", over.detail);
    let rows = replenish(&d, &set, &ReplenishConfig::default());
    let old = rows.iter().find(|r| r.sku == "OLD").expect("OLD");
    assert!(
        old.weeks_of_supply.is_some_and(|w| w.is_infinite() || w < 100_000.0),
        "{:?}",
        old.weeks_of_supply
    );
}
