//! Orders and inventory: idempotent lines, order-only products, snapshots.

use model::{Currency, InventoryLevel, LineKind, Money, OrderLine};

use crate::{ok, product};

fn line(
    order: &str,
    no: u32,
    at: i64,
    sku: &str,
    customer: Option<&str>,
) -> Result<OrderLine, std::io::Error> {
    Ok(OrderLine {
        order_id: order.into(),
        line_no: no,
        ordered_at: at,
        customer_id: customer.map(String::from),
        sku: sku.into(),
        title: Some(format!("Item {sku}")),
        quantity: 1,
        unit_price: Some(Money::new(250, Currency::GBP)),
        country: None,
        kind: LineKind::Sale,
    })
}

conformance! {
    fn order_import_is_idempotent_and_sorted(store) {
        store.import_products(ok(vec![product("known", "Known", &["K1"])]), 1_750_000_000).unwrap();
        let lines = || {
            vec![
                line("o2", 0, 200, "K1", Some("c1")),
                line("o1", 0, 100, "K1", None),
                line("o1", 1, 100, "NEW", Some("c2")),
            ]
        };
        let first = store.import_order_lines(lines()).unwrap();
        assert_eq!((first.lines_inserted, first.lines_unchanged, first.products_created), (3, 0, 1));
        let again = store.import_order_lines(lines()).unwrap();
        assert_eq!((again.lines_inserted, again.lines_unchanged, again.products_created), (0, 3, 0));
        let stored = store.order_lines().unwrap();
        assert_eq!(stored.len(), 3);
        assert_eq!(stored.iter().map(|l| l.ordered_at).collect::<Vec<_>>(), [100, 100, 200]);

        let minimal = store.product_by_sku("NEW").unwrap().unwrap();
        assert!(minimal.order_only);
        assert_eq!(minimal.handle, "NEW");
        assert_eq!(minimal.title, "Item NEW");
        assert_eq!(store.products().unwrap().len(), 2);
    }
}

conformance! {
    fn catalog_import_adopts_an_order_only_product(store) {
        store.import_order_lines(vec![line("o1", 0, 100, "X1", None)]).unwrap();
        let id = store.product_by_sku("X1").unwrap().unwrap().id;
        store.import_products(ok(vec![product("real-handle", "Real", &["X1"])]), 1_750_000_000).unwrap();
        let p = store.product_by_sku("X1").unwrap().unwrap();
        assert_eq!((p.id, p.order_only, p.handle.as_str()), (id, false, "real-handle"));
    }
}

conformance! {
    fn failed_order_import_writes_nothing(store) {
        let items = vec![line("o1", 0, 100, "X1", None), Err(std::io::Error::other("bad date"))];
        assert!(store.import_order_lines(items).is_err());
        assert!(store.order_lines().unwrap().is_empty());
        assert!(store.products().unwrap().is_empty());
    }
}

conformance! {
    fn inventory_keeps_history_and_latest(store) {
        let level = |sku: &str, loc: &str, on_hand, as_of| -> Result<InventoryLevel, std::io::Error> {
            Ok(InventoryLevel {
                sku: sku.into(),
                location: loc.into(),
                on_hand,
                on_order: None,
                lead_time_days: None,
                unit_cost: None,
                as_of: Some(as_of),
            })
        };
        store
            .import_inventory(vec![level("A", "main", 5, 10), level("A", "shop", 1, 10)], 1_750_000_000)
            .unwrap();
        assert_eq!(store.import_inventory(vec![level("A", "main", 3, 20)], 1_750_000_000).unwrap(), 1);
        let latest = store.inventory().unwrap();
        assert_eq!(
            latest.iter().map(|l| (l.location.as_str(), l.on_hand)).collect::<Vec<_>>(),
            [("main", 3), ("shop", 1)]
        );
        let history = store.inventory_history().unwrap();
        assert_eq!(history.iter().map(|l| l.as_of.unwrap()).collect::<Vec<_>>(), [10, 10, 20]);
        // The same snapshot twice in one file: the later row is kept.
        let twice = vec![level("B", "main", 7, 30), level("B", "main", 8, 30)];
        assert_eq!(store.import_inventory(twice, 1_750_000_000).unwrap(), 2);
        let b: Vec<i64> = store.inventory().unwrap().iter().filter(|l| l.sku == "B").map(|l| l.on_hand).collect();
        assert_eq!(b, [8]);
    }
}

conformance! {
    fn a_line_repeated_in_one_import_is_counted_once_and_the_last_is_kept(store) {
        // More lines than one batch, with a repeat across the batch boundary.
        let mut lines: Vec<_> = (0..5_003).map(|i| line(&format!("O{i}"), 0, i64::from(i), "K1", None)).collect();
        let mut repeat = line("O1", 0, 99_999, "K1", None).unwrap();
        repeat.quantity = 3;
        lines.push(Ok(repeat));
        let out = store.import_order_lines(lines).unwrap();
        assert_eq!((out.lines_read, out.lines_inserted, out.lines_unchanged), (5_004, 5_003, 1));
        let o1 = store.order("O1").unwrap();
        assert_eq!((o1.len(), o1[0].quantity, o1[0].ordered_at), (1, 3, 99_999));
        assert_eq!(store.order_lines().unwrap().len(), 5_003);
        assert_eq!(store.activity_counts().unwrap().0, 5_003);
    }
}
