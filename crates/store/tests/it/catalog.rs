//! Catalog imports: upsert by handle then SKU, stable ids, merges, aborts.

use store::Store;

use crate::{ok, product, Item};

conformance! {
    fn upsert_keeps_ids_and_created_at(store) {
        let first = store
            .import_products(
                ok(vec![product("ring-a", "Ring A", &["A1", "A2"]), product("ring-b", "Ring B", &["B1"])]),
                1_750_000_000,
            )
            .unwrap();
        assert_eq!((first.products_created, first.products_updated, first.variants_created), (2, 0, 3));
        let a = store.product_by_handle("ring-a").unwrap().unwrap();
        assert!(a.created_at > 0);

        let second = store
            .import_products(ok(vec![product("ring-a", "Ring A, renamed", &["A1", "A3"])]), 1_750_000_000)
            .unwrap();
        assert_eq!((second.products_created, second.products_updated), (0, 1));
        assert_eq!((second.variants_created, second.variants_updated), (1, 1));
        let a2 = store.product_by_handle("ring-a").unwrap().unwrap();
        assert_eq!(a2.id, a.id);
        assert_eq!(a2.created_at, a.created_at);
        assert_eq!(a2.title, "Ring A, renamed");
        // The SKU the new export dropped no longer points at the product.
        assert!(store.product_by_sku("A2").unwrap().is_none());
        assert_eq!(store.product_by_sku("A3").unwrap().unwrap().id, a.id);
        assert!(second.catalog_version > first.catalog_version);
        assert_eq!(store.catalog_version().unwrap(), second.catalog_version);
    }
}

conformance! {
    fn handle_change_is_matched_by_sku(store) {
        store.import_products(ok(vec![product("old-handle", "Hoop", &["H1"])]), 1_750_000_000).unwrap();
        let id = store.product_by_handle("old-handle").unwrap().unwrap().id;
        let out = store.import_products(ok(vec![product("new-handle", "Hoop", &["H1"])]), 1_750_000_000).unwrap();
        assert_eq!(out.products_updated, 1);
        assert_eq!(store.product_by_handle("new-handle").unwrap().unwrap().id, id);
        assert!(store.product_by_handle("old-handle").unwrap().is_none());
        assert_eq!(store.products().unwrap().len(), 1);
    }
}

conformance! {
    fn reimport_does_not_duplicate(store) {
        let catalog = || {
            ok((0..50).map(|i| product(&format!("p{i}"), "P", &[&format!("S{i}a"), &format!("S{i}b")])).collect())
        };
        store.import_products(catalog(), 1_750_000_000).unwrap();
        let before = store.products().unwrap();
        let again = store.import_products(catalog(), 1_750_000_000).unwrap();
        assert_eq!((again.products_created, again.products_updated, again.products_total), (0, 50, 50));
        let after = store.products().unwrap();
        assert_eq!(
            before.iter().map(|p| p.id).collect::<Vec<_>>(),
            after.iter().map(|p| p.id).collect::<Vec<_>>()
        );
    }
}

conformance! {
    fn duplicate_handle_in_one_import_merges_variants(store) {
        let out = store
            .import_products(
                ok(vec![
                    product("pendant", "Pendant", &["P1"]),
                    product("chain", "Chain", &["C1"]),
                    product("pendant", "", &["P2", "P1"]),
                ]),
                1_750_000_000,
            )
            .unwrap();
        assert_eq!((out.products_created, out.products_merged), (2, 1));
        let p = store.product_by_handle("pendant").unwrap().unwrap();
        let skus: Vec<_> = p.variants.iter().map(|v| v.sku.as_str()).collect();
        assert_eq!(skus, ["P1", "P2"]);
        assert_eq!(p.title, "Pendant");
    }
}

conformance! {
    fn failed_import_leaves_previous_catalog_intact(store) {
        store.import_products(ok(vec![product("a", "A", &["A1"])]), 1_750_000_000).unwrap();
        let version = store.catalog_version().unwrap();
        let items: Vec<Item> = vec![
            Ok(product("a", "A changed", &["A1"])),
            Ok(product("b", "B", &["B1"])),
            Err(std::io::Error::other("line 3: broken quoting")),
            Ok(product("c", "C", &["C1"])),
        ];
        let err = store.import_products(items, 1_750_000_000).unwrap_err();
        assert!(err.is_input());
        assert!(err.to_string().contains("broken quoting"), "{err}");
        let all = store.products().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].title, "A");
        assert_eq!(store.catalog_version().unwrap(), version);
        assert!(store.product_by_sku("B1").unwrap().is_none());
    }
}

#[test]
fn products_persist_across_reopen() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        store.import_products(ok(vec![product("a", "A", &["A1"])]), 1_750_000_000).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.product_by_sku("A1").unwrap().unwrap().handle, "a");
}

#[test]
fn a_second_process_gets_a_clear_locked_error() {
    let dir = tempfile::tempdir().unwrap();
    let _held = Store::open(dir.path()).unwrap();
    // redb refuses a second open of the same file, in-process as across processes.
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, store::Error::Locked { .. }), "{err:?}");
}

conformance! {
    fn cross_product_duplicates_are_reported(store) {
        let out = store
            .import_products(
                ok(vec![
                    product("ring", "Ring", &["R1"]),
                    product("hoop", "Hoop", &["R1", "H1"]),
                    product("ring", "Ring", &["R2"]),
                ]),
                1_750_000_000,
            )
            .unwrap();
        let codes: Vec<_> = out.issues.iter().map(|i| i.code.as_str()).collect();
        assert_eq!(codes, ["duplicate_sku", "duplicate_handle"]);
        assert_eq!(out.issues_total, 2);
        let hoop = store.product_by_handle("hoop").unwrap().unwrap();
        assert_eq!(hoop.quality_issues[0].code, "duplicate_sku");
        // A SKU two products share resolves to the older one.
        assert_eq!(store.product_by_sku("R1").unwrap().unwrap().handle, "ring");
        // A re-import of the same file reports nothing new from earlier imports.
        let again =
            store.import_products(ok(vec![product("ring", "Ring", &["R1", "R2"])]), 1_750_000_000).unwrap();
        assert!(again.issues.is_empty(), "{:?}", again.issues);
    }
}

// Regression: a product dropping a SKU it shared with another product
// removed the SKU from the index altogether, so the other product's SKU
// no longer resolved (and orders for it created a duplicate product).
conformance! {
    fn dropping_a_shared_sku_keeps_it_resolvable(store) {
        store
            .import_products(ok(vec![product("a", "A", &["S7"]), product("b", "B", &["S7"])]), 1_750_000_000)
            .unwrap();
        store.import_products(ok(vec![product("a", "A", &[])]), 1_750_000_000).unwrap();
        assert_eq!(store.product_by_sku("S7").unwrap().unwrap().handle, "b");
    }
}

#[test]
fn a_store_with_the_old_sku_index_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    {
        // The layout before the SKU index became a multimap.
        let db = redb::Database::create(dir.path().join(store::FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        let old: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("product_skus");
        txn.open_table(old).unwrap().insert("S1", 1).unwrap();
        let products: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("products");
        let p = serde_json::to_vec(&model::Product { id: 1, ..product("a", "A", &["S1"]) }).unwrap();
        txn.open_table(products).unwrap().insert(1, p.as_slice()).unwrap();
        txn.commit().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.product_by_sku("S1").unwrap().unwrap().handle, "a");
}

// Regression: a listing scraped twice (same handle, no SKU) became one
// product with two identical variants.
conformance! {
    fn repeated_rows_without_sku_are_one_variant(store) {
        let out = store
            .import_products(
                ok(vec![product("a", "A", &[""]), product("b", "B", &[""]), product("a", "A", &[""])]),
                1_750_000_000,
            )
            .unwrap();
        assert_eq!((out.products_merged, out.variants_created, out.variants_updated), (1, 2, 1));
        assert_eq!(store.product_by_handle("a").unwrap().unwrap().variants.len(), 1);
    }
}
