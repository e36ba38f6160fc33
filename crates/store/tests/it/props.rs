//! Property test of the catalog upsert: whatever sequence of imports arrives
//! (handles and SKUs reused, moved between products, repeated within a file),
//! the handle and SKU indexes stay consistent with the stored products.

use std::collections::HashSet;

use proptest::prelude::*;
use store::Store;

use crate::{ok, product};

/// A product drawn from small pools so that collisions are the norm.
fn arb_product() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (0u8..6, proptest::collection::vec(0u8..10, 0..4))
}

fn build(batch: &[(u8, Vec<u8>)]) -> Vec<model::Product> {
    batch
        .iter()
        .map(|(h, skus)| {
            let skus: Vec<String> = skus.iter().map(|s| format!("S{s}")).collect();
            let refs: Vec<&str> = skus.iter().map(String::as_str).collect();
            product(&format!("h{h}"), "T", &refs)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn indexes_stay_consistent(batches in proptest::collection::vec(proptest::collection::vec(arb_product(), 0..8), 1..4)) {
        let store = Store::open_temporary().unwrap();
        let mut ids_seen: HashSet<u64> = HashSet::new();
        for batch in &batches {
            let before: Vec<(u64, i64)> = store.products().unwrap().iter().map(|p| (p.id, p.created_at)).collect();
            store.import_products(ok(build(batch)), 1_750_000_000).unwrap();
            let after = store.products().unwrap();
            // Ids and created_at of products that survive never change.
            for (id, created) in before {
                if let Some(p) = after.iter().find(|p| p.id == id) {
                    prop_assert_eq!(p.created_at, created);
                }
            }
            ids_seen.extend(after.iter().map(|p| p.id));
        }
        let products = store.products().unwrap();
        let mut handles = HashSet::new();
        for p in &products {
            prop_assert!(handles.insert(p.handle.clone()), "two products with handle {}", p.handle);
            prop_assert_eq!(store.product_by_handle(&p.handle).unwrap().map(|q| q.id), Some(p.id));
            for v in &p.variants {
                // Every SKU resolves to a product that has it (the last to claim it).
                let owner = store.product_by_sku(&v.sku).unwrap();
                prop_assert!(owner.as_ref().is_some_and(|o| o.variant_by_sku(&v.sku).is_some()), "SKU {} dangles", v.sku);
            }
        }
        // Every handle of the last import exists (earlier ones may have been
        // renamed: a product matched by SKU takes the new handle).
        let wanted: HashSet<String> = batches.last().into_iter().flatten().map(|(h, _)| format!("h{h}")).collect();
        for h in &wanted {
            prop_assert!(store.product_by_handle(h).unwrap().is_some(), "handle {} lost", h);
        }
    }
}
