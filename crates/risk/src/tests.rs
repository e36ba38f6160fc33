//! The signals on hand-made histories, and the fairness property: where a
//! customer lives never moves a score.

use std::collections::HashMap;

use model::{Currency, LineKind, Money, OrderLine};
use proptest::prelude::*;

use super::*;

fn line(order: &str, customer: &str, sku: &str, qty: i64, day: i64, price: i64) -> OrderLine {
    OrderLine {
        order_id: order.into(),
        line_no: if qty > 0 { 0 } else { 100 } + sku.len() as u32,
        ordered_at: 1_700_000_000 + day * 86_400,
        customer_id: Some(customer.into()),
        sku: sku.into(),
        title: None,
        quantity: qty,
        unit_price: Some(Money::new(price * 100, Currency::USD)),
        country: Some("US".into()),
        kind: if qty > 0 { LineKind::Sale } else { LineKind::Return },
    }
}

/// A store where most customers keep what they buy, plus the three under test.
fn store() -> (Vec<OrderLine>, HashMap<String, u64>) {
    let mut lines = Vec::new();
    for c in 0..40 {
        for o in 0..3 {
            lines.push(line(&format!("N{c}-{o}"), &format!("N{c}"), "PEND-1", 1, o * 30, 120));
        }
        if c % 8 == 0 {
            lines.push(line(&format!("N{c}-0"), &format!("N{c}"), "PEND-1", -1, 10, 120));
        }
    }
    // A serial returner: ten orders, six sent back.
    for o in 0..10 {
        lines.push(line(&format!("S-{o}"), "SERIAL", "PEND-1", 1, o * 20, 150));
        if o < 6 {
            lines.push(line(&format!("S-{o}"), "SERIAL", "PEND-1", -1, o * 20 + 9, 150));
        }
    }
    // A bracketer: one ring in three sizes, two sent back, and a second time.
    for (o, d) in [("B-1", 5), ("B-2", 90)] {
        for s in ["RING-6", "RING-65", "RING-7"] {
            lines.push(line(o, "BRACKET", s, 1, d, 400));
        }
        lines.push(line(o, "BRACKET", "RING-6", -1, d + 10, 400));
        lines.push(line(o, "BRACKET", "RING-7", -1, d + 10, 400));
    }
    // A loyal customer with one return in twelve orders.
    for o in 0..12 {
        lines.push(line(&format!("L-{o}"), "LOYAL", "PEND-1", 1, o * 25, 200));
    }
    lines.push(line("L-3", "LOYAL", "PEND-1", -1, 80, 200));
    let products = HashMap::from([
        ("PEND-1".to_string(), 1),
        ("RING-6".to_string(), 2),
        ("RING-65".to_string(), 2),
        ("RING-7".to_string(), 2),
    ]);
    (lines, products)
}

#[test]
fn serial_returners_and_bracketers_are_flagged_and_loyal_customers_are_not() {
    let (lines, products) = store();
    let scored = customers(&lines, &products, &Config::default());
    let get = |c: &str| scored.iter().find(|r| r.customer_id == c).unwrap();
    let serial = get("SERIAL");
    assert_eq!(serial.band, Band::Hold, "{serial:?}");
    assert_eq!(serial.why[0].code, "return_rate");
    let bracket = get("BRACKET");
    assert!(bracket.band >= Band::Review, "{bracket:?}");
    assert!(
        bracket.why.iter().any(|s| s.code == "bracketing" && s.detail.starts_with("2 orders")),
        "{bracket:?}"
    );
    assert_eq!(get("LOYAL").band, Band::Approve, "{:?}", get("LOYAL"));
    // One return out of three units is not enough evidence to flag anyone.
    assert_eq!(get("N0").band, Band::Approve, "{:?}", get("N0"));
    // Scores are the sum of their reasons' contributions, capped at 1.
    for r in &scored {
        let sum: f64 = r.why.iter().map(|s| s.contribution).sum();
        assert!((r.score - sum.min(1.0)).abs() < 1e-3, "{r:?}");
    }
}

#[test]
fn orders_carry_their_customer_history_and_first_order_size() {
    let (mut lines, products) = store();
    lines.push(line("BIG-1", "NEWBIE", "RING-6", 1, 300, 9_000));
    let _ = products;
    let os = orders(&lines, &Config::default());
    let big = os.iter().find(|o| o.order_id == "BIG-1").unwrap();
    assert_eq!(big.why[0].code, "first_order_high_value", "{big:?}");
    assert_eq!(big.band, Band::Approve, "alone, a large first order is no cause for review: {big:?}");
    // The serial returner's first order came before any return: nothing against it.
    let first = os.iter().find(|o| o.order_id == "S-0").unwrap();
    assert!(!first.why.iter().any(|s| s.code == "return_history"), "{first:?}");
    let serial = os.iter().find(|o| o.order_id == "S-9").unwrap();
    assert!(serial.why.iter().any(|s| s.code == "return_history"), "{serial:?}");
    let plain = os.iter().find(|o| o.order_id == "N1-1").unwrap();
    assert!(plain.why.is_empty() && plain.band == Band::Approve, "{plain:?}");
}

proptest! {
    /// Where a customer lives never moves a score: every line's country is
    /// replaced at random and nothing changes.
    #[test]
    fn country_never_moves_a_score(countries in prop::collection::vec(prop::sample::select(vec!["US", "GB", "NG", "IN", "", "FR"]), 1..40)) {
        let (lines, products) = store();
        let moved: Vec<OrderLine> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let c = countries[i % countries.len()];
                OrderLine { country: (!c.is_empty()).then(|| c.to_string()), ..l.clone() }
            })
            .collect();
        let cfg = Config::default();
        let (a, b) = (customers(&lines, &products, &cfg), customers(&moved, &products, &cfg));
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(orders(&lines, &cfg), orders(&moved, &cfg));
    }
}
