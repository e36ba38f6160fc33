//! Events: deduplication, time order, erasure of a customer.

use model::{Event, EventKind, LineKind, OrderLine};
use store::Store;

pub fn event(id: &str, at: i64, customer: Option<&str>) -> Event {
    Event {
        id: id.into(),
        kind: EventKind::View,
        at,
        session_id: Some("s1".into()),
        customer_id: customer.map(String::from),
        product: Some("ring-a".into()),
        sku: None,
        query: None,
        results: vec![],
        position: None,
        quantity: None,
        price: None,
        order_id: None,
        visitor_id: None,
        exposure: None,
    }
}

conformance! {
    fn events_are_deduplicated_and_sorted(store) {
        let out =
            store.append_events(&[event("e2", 20, None), event("e1", 10, None), event("e2", 20, None)]).unwrap();
        assert_eq!((out.inserted, out.duplicates), (2, 1));
        let retry = store.append_events(&[event("e1", 10, None), event("e3", 5, None)]).unwrap();
        assert_eq!((retry.inserted, retry.duplicates), (1, 1));
        let ids: Vec<_> = store.events().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(ids, ["e3", "e1", "e2"]);
        assert_eq!(store.events_between(6, 20).unwrap().len(), 1);
    }
}

conformance! {
    fn forget_customer_removes_events_and_blanks_orders(store) {
        store
            .append_events(&[event("e1", 1, Some("c1")), event("e2", 2, Some("c2")), event("e3", 3, Some("c1"))])
            .unwrap();
        let order = |customer: &str| -> Result<OrderLine, std::io::Error> {
            Ok(OrderLine {
                order_id: "o1".into(),
                line_no: 0,
                ordered_at: 1,
                customer_id: Some(customer.into()),
                sku: "A1".into(),
                title: None,
                quantity: 1,
                unit_price: None,
                country: None,
                kind: LineKind::Sale,
            })
        };
        store.import_order_lines(vec![order("c1")]).unwrap();
        let out = store.forget_customer("c1", 1_750_000_000).unwrap();
        assert_eq!((out.events_deleted, out.order_lines_anonymized), (2, 1));
        let left: Vec<_> = store.events().unwrap().into_iter().map(|e| e.id).collect();
        assert_eq!(left, ["e2"]);
        assert_eq!(store.order_lines().unwrap()[0].customer_id, None);

        // Re-importing the same export (or a late event) does not bring them back.
        store.import_order_lines(vec![order("c1")]).unwrap();
        assert_eq!(store.order_lines().unwrap()[0].customer_id, None);
        store.append_events(&[event("e4", 4, Some("c1"))]).unwrap();
        assert!(store.events().unwrap().iter().all(|e| e.customer_id.as_deref() != Some("c1")));
        // A forgotten id is not a deleted event id: e1 may be sent again and is new.
        assert_eq!(store.append_events(&[event("e1", 1, None)]).unwrap().inserted, 1);
    }
}

/// Many events and order lines of one customer, the rest of another: enough
/// to fill pages that a forget then frees.
fn fill(store: &Store, customer: &str, n: usize) {
    let events: Vec<Event> = (0..n)
        .map(|i| event(&format!("e{i}"), i as i64, Some(if i % 2 == 0 { customer } else { "C000002" })))
        .collect();
    store.append_events(&events).unwrap();
    let lines = (0..n as u32).map(|i| -> Result<OrderLine, std::io::Error> {
        Ok(OrderLine {
            order_id: format!("o{i}"),
            line_no: 0,
            ordered_at: i as i64,
            customer_id: Some(if i % 2 == 0 { customer } else { "C000002" }.into()),
            sku: "A1".into(),
            title: None,
            quantity: 1,
            unit_price: None,
            country: None,
            kind: LineKind::Sale,
        })
    });
    store.import_order_lines(lines).unwrap();
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

// Regression (issue 10, finding 5): after a forget, the deleted events and
// the order lines' old customer id stayed readable in the file's freed pages.
#[test]
fn forgotten_customer_id_is_not_in_the_store_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    fill(&store, "C011689", 2_000);
    let file = dir.path().join(store::FILE_NAME);
    assert!(occurrences(&std::fs::read(&file).unwrap(), b"C011689") > 100);

    let out = store.forget_customer("C011689", 1_750_000_000).unwrap();
    assert_eq!((out.events_deleted, out.order_lines_anonymized), (1_000, 1_000));
    let bytes = std::fs::read(&file).unwrap();
    assert_eq!(occurrences(&bytes, b"C011689"), 0, "the id is still in the store file");
    assert!(occurrences(&bytes, b"C000002") > 100, "the other customer's data is kept");

    // The store keeps working on the rewritten file, and a clone shares it.
    let clone = store.clone();
    assert_eq!(clone.event_count().unwrap(), 1_000);
    clone.append_events(&[event("late", 5, Some("C011689"))]).unwrap();
    assert!(store.events().unwrap().iter().all(|e| e.customer_id.as_deref() != Some("C011689")));
    drop((store, clone));
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.event_count().unwrap(), 1_001);
}

// The erasure list was unsalted SHA-256 of the id, brute-forced in 0.1 s
// for the demo's id space: it must not be a hash anyone can recompute.
#[test]
fn the_erasure_list_does_not_hold_a_plain_hash_of_the_id() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    fill(&store, "C011689", 10);
    store.forget_customer("C011689", 1_750_000_000).unwrap();
    drop(store);
    let bytes = std::fs::read(dir.path().join(store::FILE_NAME)).unwrap();
    let plain = hex::encode(Sha256::digest(b"C011689"));
    assert_eq!(occurrences(&bytes, plain.as_bytes()), 0, "the erasure list holds sha256(id)");
}

// Writers that wait while a forget replaces the file must land in the new
// file, not in the old one that nothing reads any more.
#[test]
fn writes_during_a_forget_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    fill(&store, "C011689", 2_000);
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || {
            for i in 0..50 {
                store.append_events(&[event(&format!("w{i}"), 10_000 + i, Some("C000003"))]).unwrap();
            }
        })
    };
    store.forget_customer("C011689", 1_750_000_000).unwrap();
    writer.join().unwrap();
    assert_eq!(store.event_count().unwrap(), 1_050);
    drop(store);
    assert_eq!(Store::open(dir.path()).unwrap().event_count().unwrap(), 1_050);
}

// Stores written before the keyed erasure list hold plain SHA-256 entries;
// the ids behind them are gone, so they are kept apart and still honoured.
#[test]
fn plain_hash_entries_of_older_stores_still_keep_customers_forgotten() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    {
        let db = redb::Database::create(dir.path().join(store::FILE_NAME)).unwrap();
        let txn = db.begin_write().unwrap();
        let table: redb::TableDefinition<&str, i64> = redb::TableDefinition::new("erased_customers");
        txn.open_table(table).unwrap().insert(hex::encode(Sha256::digest(b"c9")).as_str(), 1).unwrap();
        txn.commit().unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    store.append_events(&[event("e1", 1, Some("c9")), event("e2", 2, Some("c8"))]).unwrap();
    let customers: Vec<_> = store.events().unwrap().into_iter().map(|e| e.customer_id).collect();
    assert_eq!(customers, [None, Some("c8".to_string())]);
}
