//! `loupe risk` (issue 18) on a small shop: the contracts of `risk orders`
//! and `risk customers --json`, a bracketer and a serial returner flagged
//! with their reasons, loyal customers left alone, and a person's decision
//! recorded in the decision log.

use serde_json::Value;

use crate::loupe_ok;

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.csv");

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn risk_flags_with_reasons_and_a_person_decides() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    loupe_ok(&data, &["import", "catalog", SHOP]);
    let mut csv = String::from("order id,ordered at,customer id,sku,quantity,unit price\n");
    // Forty customers who keep what they buy.
    for c in 0..40 {
        for o in 0..3 {
            csv.push_str(&format!("N{c}-{o},2025-0{}-10T10:00:00Z,N{c:02},PEARL-NK-18,1,180\n", o + 1));
        }
    }
    // A bracketer: the solitaire in three sizes, two sent back, twice.
    for (o, m) in [("B1", "02"), ("B2", "05")] {
        for s in ["SOL-PT-5", "SOL-PT-6", "SOL-PT-7"] {
            csv.push_str(&format!("{o},2025-{m}-01T10:00:00Z,BRACKET,{s},1,4850\n"));
        }
        csv.push_str(&format!("{o},2025-{m}-12T10:00:00Z,BRACKET,SOL-PT-5,-1,4850\n"));
        csv.push_str(&format!("{o},2025-{m}-12T10:00:00Z,BRACKET,SOL-PT-7,-1,4850\n"));
    }
    // A serial returner: eight orders, six back.
    for o in 0..8 {
        csv.push_str(&format!("S{o},2025-0{}-02T10:00:00Z,SERIAL,BAND-8,1,390\n", o + 1));
        if o < 6 {
            csv.push_str(&format!("S{o},2025-0{}-20T10:00:00Z,SERIAL,BAND-8,-1,390\n", o + 1));
        }
    }
    std::fs::write(tmp.path().join("orders.csv"), csv).unwrap();
    loupe_ok(&data, &["import", "orders", tmp.path().join("orders.csv").to_str().unwrap()]);

    let customers = lines(&loupe_ok(&data, &["risk", "customers", "--json", "--limit", "100"]));
    for c in &customers {
        for key in ["customer_id", "return_abuse_score", "band", "why"] {
            assert!(c.get(key).is_some(), "{key} missing: {c}");
        }
    }
    let get = |id: &str| customers.iter().find(|c| c["customer_id"] == id).unwrap().clone();
    let bracket = get("BRACKET");
    assert_ne!(bracket["band"], "approve", "{bracket}");
    assert!(bracket["why"].as_array().unwrap().iter().any(|w| w["code"] == "bracketing"), "{bracket}");
    assert_eq!(get("SERIAL")["band"], "hold", "{}", get("SERIAL"));
    assert!(customers
        .iter()
        .filter(|c| c["customer_id"].as_str().unwrap().starts_with('N'))
        .all(|c| c["band"] == "approve"));
    let scores: Vec<f64> = customers.iter().map(|c| c["return_abuse_score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "riskiest first: {scores:?}");

    let orders = lines(&loupe_ok(&data, &["risk", "orders", "--json", "--band", "review"]));
    assert!(!orders.is_empty());
    for o in &orders {
        for key in ["order_id", "score", "band", "why"] {
            assert!(o.get(key).is_some(), "{key} missing: {o}");
        }
        assert_ne!(o["band"], "approve");
    }

    // The buyer overrides a hold: the log has it, with who and why.
    loupe_ok(
        &data,
        &[
            "risk",
            "decide",
            "customer:SERIAL",
            "approve",
            "--by",
            "Maya",
            "--note",
            "sizes ran small that season",
        ],
    );
    let page: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "list", "--kind", "risk_decision", "--json"]))
            .unwrap();
    let d = &page["items"][0];
    assert_eq!((d["actor"].as_str(), d["override_by"].as_str()), (Some("Maya"), Some("Maya")), "{d}");
    assert_eq!(d["override_why"], "sizes ran small that season");
    assert!(!d["subject"].as_str().unwrap().contains("SERIAL"), "customers appear by pseudonym: {d}");
    let out = crate::loupe(&data, &["risk", "decide", "customer:NOBODY", "approve", "--by", "Maya"]);
    assert!(!out.status.success());
}
