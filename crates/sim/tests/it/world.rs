//! Determinism and the shape of the files.

use std::collections::HashSet;
use std::fs;

use chrono::Datelike;

#[test]
fn same_seed_gives_byte_identical_files() {
    let cfg = sim::SimConfig { products: 120, customers: 600, ..sim::SimConfig::default() };
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    sim::generate(&cfg).write_to(a.path()).unwrap();
    sim::generate(&cfg).write_to(b.path()).unwrap();
    for f in sim::FILES {
        let x = fs::read(a.path().join(f)).unwrap();
        let y = fs::read(b.path().join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
    let c = tempfile::tempdir().unwrap();
    sim::generate(&sim::SimConfig { seed: 7, ..cfg }).write_to(c.path()).unwrap();
    let x = fs::read(a.path().join("orders.csv")).unwrap();
    let z = fs::read(c.path().join("orders.csv")).unwrap();
    assert_ne!(x, z, "another seed should give another world");
}

#[test]
fn valentines_and_mothers_day_lift_orders() {
    let w = crate::small();
    // Orders in the 13 days before Valentine's Day against the first 13 days
    // of March, summed over the three years.
    let mut before_valentines = 0;
    let mut early_march = 0;
    let mut before_mothers_day = 0;
    let mut late_may = 0;
    for o in w.orders.iter().filter(|o| o.qty > 0) {
        let d = chrono::DateTime::from_timestamp(o.at, 0).unwrap().date_naive();
        let md = sim::mothers_day(d.year());
        match (d.month(), d.day()) {
            (2, 1..=13) => before_valentines += 1,
            (3, 1..=13) => early_march += 1,
            _ => {}
        }
        let until_md = (md - d).num_days();
        if (1..=12).contains(&until_md) {
            before_mothers_day += 1;
        }
        if d.month() == 5 && (17..=28).contains(&d.day()) {
            late_may += 1;
        }
    }
    assert!(
        before_valentines as f64 > 1.4 * early_march as f64,
        "valentines {before_valentines} vs march {early_march}"
    );
    assert!(
        before_mothers_day as f64 > 1.3 * late_may as f64,
        "mother's day {before_mothers_day} vs late may {late_may}"
    );
}

#[test]
fn ids_are_unique_and_references_resolve() {
    let w = crate::small();
    let ids: HashSet<u32> = w.events.iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), w.events.len());
    let orders: HashSet<u32> = w.orders.iter().map(|o| o.order_no).collect();
    for e in &w.events {
        if let Some(o) = e.order {
            assert!(orders.contains(&o), "event {} names unknown order {o}", e.id);
        }
        if e.kind == model::EventKind::Search {
            assert!(e.query.is_some());
        }
        if matches!(e.kind, model::EventKind::View | model::EventKind::Click | model::EventKind::AddToCart) {
            assert!(e.product.is_some());
        }
    }
    // Every event line parses as JSON with the fields the importer needs.
    for e in w.events.iter().take(2000) {
        let v: serde_json::Value = serde_json::from_str(&w.event_json(e)).unwrap();
        assert!(v["id"].is_string() && v["kind"].is_string() && v["at"].is_i64(), "{v}");
    }
}

#[test]
fn every_kind_of_event_and_ticket_occurs() {
    let w = crate::small();
    // Exposures are written by Loupe's experiment assignment, not by the simulated storefront.
    for k in model::EventKind::ALL.into_iter().filter(|k| *k != model::EventKind::Exposure) {
        assert!(w.events.iter().any(|e| e.kind == k), "no {k:?} events");
    }
    let topics: HashSet<&str> = w.tickets.iter().map(|t| t.topic).collect();
    for t in ["shipping_delay", "ring_sizing"] {
        assert!(topics.contains(t), "no {t} tickets in {topics:?}");
    }
    // Bracketing: some orders hold one ring in several sizes.
    let mut per_order: std::collections::HashMap<(u32, u32), u32> = Default::default();
    for o in w.orders.iter().filter(|o| o.qty > 0) {
        *per_order.entry((o.order_no, o.line.0)).or_default() += 1;
    }
    assert!(per_order.values().any(|n| *n >= 2), "no bracketed orders");
    // Typos and natural language reach the queries.
    assert!(w.queries.iter().any(|(q, _)| q.contains(" for ")), "no recipient queries");
    assert!(w.queries.iter().any(|(q, _)| q.contains("under")), "no price queries");
}

#[test]
fn written_catalog_is_a_shopify_export() {
    let w = crate::small();
    let dir = tempfile::tempdir().unwrap();
    let stats = w.write_to(dir.path()).unwrap();
    let mut r = csv::Reader::from_path(dir.path().join("catalog.csv")).unwrap();
    let headers = r.headers().unwrap().clone();
    assert_eq!(&headers[0], "Handle");
    assert_eq!(headers.len(), 20);
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), stats.variants);
    let titled = rows.iter().filter(|r| !r[1].is_empty()).count();
    assert_eq!(titled, stats.products, "one titled row per product");
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.path().join("ground_truth/summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["events"]["total"].as_u64().unwrap() as usize, stats.events);
}
