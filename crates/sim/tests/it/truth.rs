//! The ground truth agrees with what the shop recorded.

use std::collections::HashMap;

#[test]
fn sold_never_exceeds_demand_and_lost_only_when_out_of_stock() {
    let w = crate::small();
    assert!(!w.demand.is_empty());
    let mut lost_any = false;
    for d in &w.demand {
        assert!(d.sold <= d.demand, "{d:?}");
        assert_eq!(d.sold + d.lost, d.demand, "{d:?}");
        if d.lost > 0 {
            lost_any = true;
            assert_eq!(d.on_hand_end, 0, "lost sales with stock left: {d:?}");
            let spell =
                w.stockouts.iter().any(|(v, from, to)| *v == d.variant && (*from..=*to).contains(&d.day));
            // A variant that sold out during the day starts its spell that day.
            assert!(spell, "lost sales outside a stockout spell: {d:?}");
        }
    }
    assert!(lost_any, "no stockouts at all: the ground truth would be trivial");
}

#[test]
fn units_sold_match_the_order_lines() {
    let w = crate::small();
    let mut sold: HashMap<(u32, u16), i64> = HashMap::new();
    for d in &w.demand {
        *sold.entry(d.variant).or_default() += d.sold as i64;
    }
    let mut ordered: HashMap<(u32, u16), i64> = HashMap::new();
    for o in w.orders.iter().filter(|o| o.qty > 0) {
        *ordered.entry(o.line).or_default() += o.qty;
    }
    sold.retain(|_, n| *n > 0);
    assert!(sold == ordered, "units sold in the ground truth differ from the order lines");
}

#[test]
fn relevance_sets_fit_their_queries() {
    let w = crate::small();
    let mut with_results = 0;
    for (text, spec) in w.queries.iter().take(500) {
        let relevant = w.relevant(spec);
        for h in &relevant {
            let p = w.products.iter().find(|p| p.handle == *h).unwrap();
            assert!(spec.matches(p), "{text}: {h}");
            if let Some(max) = spec.max_price {
                assert!(p.min_price() <= max as i64 * 100);
            }
        }
        if !relevant.is_empty() {
            with_results += 1;
        }
    }
    assert!(with_results > 250, "most queries should have relevant products: {with_results}");
}

#[test]
fn returns_follow_their_sales() {
    let w = crate::small();
    let mut sale_at: HashMap<u32, i64> = HashMap::new();
    for o in &w.orders {
        if o.qty > 0 {
            sale_at.entry(o.order_no).or_insert(o.at);
        } else {
            let at = sale_at.get(&o.order_no).expect("a return of an order that was sold");
            assert!(o.at > *at);
        }
    }
}
