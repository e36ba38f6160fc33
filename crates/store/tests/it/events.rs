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
    }
}

#[test]
fn events_are_deduplicated_and_sorted() {
    let store = Store::open_temporary().unwrap();
    let out =
        store.append_events(&[event("e2", 20, None), event("e1", 10, None), event("e2", 20, None)]).unwrap();
    assert_eq!((out.inserted, out.duplicates), (2, 1));
    let retry = store.append_events(&[event("e1", 10, None), event("e3", 5, None)]).unwrap();
    assert_eq!((retry.inserted, retry.duplicates), (1, 1));
    let ids: Vec<_> = store.events().unwrap().into_iter().map(|e| e.id).collect();
    assert_eq!(ids, ["e3", "e1", "e2"]);
    assert_eq!(store.events_between(6, 20).unwrap().len(), 1);
}

#[test]
fn forget_customer_removes_events_and_blanks_orders() {
    let store = Store::open_temporary().unwrap();
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
