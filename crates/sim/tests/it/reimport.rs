//! The written files read back through Loupe's own parsers: the catalog with
//! sensible attributes (checked against the ground truth), every event valid.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;

use catalog::{Format, Mapping, ReadOptions, Vocabulary};

#[test]
fn catalog_reads_back_with_the_true_attributes() {
    let w = crate::small();
    let dir = tempfile::tempdir().unwrap();
    w.write_to(dir.path()).unwrap();
    let vocab = Vocabulary::builtin();
    let mapping = Mapping::default();
    let opts = ReadOptions {
        format: Format::Shopify,
        mapping: &mapping,
        vocab: &vocab,
        default_currency: model::Currency::USD,
    };
    let file = File::open(dir.path().join("catalog.csv")).unwrap();
    let products: Vec<model::Product> =
        catalog::read_catalog(file, opts).unwrap().map(|p| p.unwrap()).collect();
    assert_eq!(products.len(), w.products.len());
    let truth: HashMap<&str, &sim::SimProduct> = w.products.iter().map(|p| (p.handle.as_str(), p)).collect();
    let (mut category_ok, mut metal_ok, mut karat_ok, mut ring_sized, mut rings) = (0, 0, 0, 0, 0);
    for p in &products {
        let t = truth[p.handle.as_str()];
        assert_eq!(p.variants.len(), t.variants.len(), "{}", p.handle);
        if p.category == Some(t.category) {
            category_ok += 1;
        }
        let found: Vec<String> = p.metals().into_iter().map(|m| m.kind).collect();
        if t.metals().iter().all(|m| found.iter().any(|k| k == m.kind.canonical())) {
            metal_ok += 1;
        }
        let true_karats: Vec<u8> = t.metals().iter().filter_map(|m| m.karat).collect();
        let got_karats: Vec<u8> = p.metals().iter().filter_map(|m| m.karat).collect();
        if true_karats.iter().all(|k| got_karats.contains(k)) {
            karat_ok += 1;
        }
        if t.category.is_ring() {
            rings += p.variants.len();
            ring_sized +=
                p.variants.iter().filter(|v| matches!(v.size, Some(model::Size::Ring { .. }))).count();
        }
    }
    let n = products.len() as f64;
    // The messiness is deliberate, but a good normalizer recovers most of it.
    assert!(category_ok as f64 > 0.8 * n, "category right for {category_ok} of {n}");
    assert!(metal_ok as f64 > 0.8 * n, "metal kinds right for {metal_ok} of {n}");
    assert!(karat_ok as f64 > 0.7 * n, "karats right for {karat_ok} of {n}");
    assert!(
        ring_sized as f64 > 0.8 * rings as f64,
        "ring sizes parsed for {ring_sized} of {rings} ring variants"
    );
}

#[test]
fn every_event_line_is_a_valid_event() {
    let w = crate::small();
    let dir = tempfile::tempdir().unwrap();
    let stats = w.write_to(dir.path()).unwrap();
    let file = BufReader::new(File::open(dir.path().join("events.jsonl")).unwrap());
    let mut n = 0;
    let mut ids = std::collections::HashSet::new();
    for line in catalog::events::parse_events_jsonl(file) {
        let line = line.unwrap();
        let e = line.event.unwrap_or_else(|reason| panic!("line {}: {reason}", line.line));
        assert!(ids.insert(e.id.clone()), "duplicate id {}", e.id);
        n += 1;
    }
    assert_eq!(n, stats.events);
}
