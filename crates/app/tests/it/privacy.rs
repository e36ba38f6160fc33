//! Erasure leaves no trace (issue 18): over arbitrary customer ids and
//! histories (orders, events, support cases, consent with an address, care
//! messages), forgetting one customer leaves no byte of their id or address
//! in the store's file, and importing their old records again does not bring
//! them back.

use app::wire::care::ConsentIn;
use app::{App, Clock};
use model::{
    Currency, Event, EventKind, LineKind, Money, OrderLine, OutboxMessage, OutboxStatus, Ticket,
    TicketMessage,
};
use proptest::prelude::*;
use store::Store;

const T: i64 = 1_767_225_600;

/// A tag for a customer's records that does not contain their id (order
/// ids and the like are the brand's, not personal data, and stay).
fn tag(customer: &str) -> u64 {
    customer.bytes().fold(1469598103934665603u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
        % 1_000_000
}

fn lines(customer: &str, n: usize) -> Vec<OrderLine> {
    (0..n)
        .map(|i| OrderLine {
            order_id: format!("O-{}-{i}", tag(customer)),
            line_no: 0,
            ordered_at: T - 86_400 * (i as i64 + 1),
            customer_id: Some(customer.into()),
            sku: "SKU-1".into(),
            title: Some("Pearl Drop Necklace".into()),
            quantity: 1,
            unit_price: Some(Money::new(12_000, Currency::USD)),
            country: Some("GB".into()),
            kind: LineKind::Sale,
        })
        .collect()
}

fn events(customer: &str, n: usize) -> Vec<Event> {
    (0..n)
        .map(|i| Event {
            id: format!("e-{}-{i}", tag(customer)),
            kind: EventKind::View,
            at: (T - 3600 * i as i64) * 1000,
            session_id: Some(format!("s-{}", tag(customer))),
            customer_id: Some(customer.into()),
            product: Some("pearl-drop".into()),
            sku: None,
            query: None,
            results: vec![],
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        })
        .collect()
}

fn ticket(customer: &str, address: &str) -> Ticket {
    Ticket {
        id: format!("T-{}", tag(customer)),
        created_at: T - 7200,
        customer_id: Some(customer.into()),
        order_id: Some(format!("O-{}-0", tag(customer))),
        channel: "email".into(),
        contact: Some(address.into()),
        subject: "Sizing".into(),
        messages: vec![TicketMessage {
            at: T - 7200,
            from: "customer".into(),
            body: format!("Please write to {address}"),
            author: None,
        }],
        status: "open".into(),
        corrected_intent: None,
        corrected_by: None,
        corrected_at: None,
    }
}

fn message(customer: &str) -> OutboxMessage {
    OutboxMessage {
        id: format!("msg_{}", tag(customer)),
        kind: "care".into(),
        customer_id: Some(customer.into()),
        channel: "email".into(),
        order_id: format!("O-{}-0", tag(customer)),
        sku: "SKU-1".into(),
        topic: "welcome".into(),
        subject: "Caring for your necklace".into(),
        body: "Hi there".into(),
        why: "after delivery".into(),
        due_ms: T * 1000,
        created_ms: T * 1000,
        status: OutboxStatus::Pending,
        reason: None,
        next_ms: T * 1000,
        attempts: vec![],
        sent_ms: None,
    }
}

fn holds(bytes: &[u8], needle: &str) -> bool {
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

fn seed(app: &App, customer: &str, orders: usize, views: usize) {
    let address = format!("{}@mail.example", customer.to_ascii_lowercase());
    app.store.import_order_lines(lines(customer, orders).into_iter().map(Ok::<_, std::io::Error>)).unwrap();
    app.store.append_events(&events(customer, views)).unwrap();
    app.store.import_tickets([Ok::<_, std::io::Error>(ticket(customer, &address))]).unwrap();
    app::care::record_consent(
        app,
        &ConsentIn {
            customer_id: customer.into(),
            channel: "email".into(),
            granted: true,
            source: "checkout".into(),
            at: Some("2025-01-01T00:00:00Z".into()),
            address: Some(address),
            utc_offset: Some("+01:00".into()),
            first_name: Some("Ana".into()),
        },
    )
    .unwrap();
    app.store.enqueue_outbox(&[message(customer)], None, &[]).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn an_erased_customer_leaves_no_trace_and_does_not_come_back(
        digits in "[0-9]{8}",
        others in 1usize..4,
        orders in 1usize..4,
        views in 0usize..6,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let app = App::new(Store::open(dir.path()).unwrap(), Clock::fixed(T * 1000));
        let target = format!("ZQ{digits}");
        let address = format!("{}@mail.example", target.to_ascii_lowercase());
        for i in 0..others {
            seed(&app, &format!("AB{i:06}"), orders, views);
        }
        seed(&app, &target, orders, views);
        let file = dir.path().join(store::FILE_NAME);
        prop_assert!(holds(&std::fs::read(&file).unwrap(), &target), "the test must see the id before the erase");

        app::customers::forget(&app.engines, &target, "test", "property test").unwrap();
        let bytes = std::fs::read(&file).unwrap();
        prop_assert!(!holds(&bytes, &target), "the id survives the erase");
        prop_assert!(!holds(&bytes, &address), "the address survives the erase");
        // The others keep everything.
        prop_assert!(holds(&bytes, "AB000000"));

        // Their old records, imported again, do not bring them back.
        app.store.import_order_lines(lines(&target, orders).into_iter().map(Ok::<_, std::io::Error>)).unwrap();
        app.store.append_events(&events(&target, views)).unwrap();
        app.store.import_tickets([Ok::<_, std::io::Error>(ticket(&target, &address))]).unwrap();
        let csv = format!("customer_id,granted,at,address\n{target},true,2025-01-01,{address}\n");
        let _ = app::jobs::import_consent_from(&app.store, csv.as_bytes(), "again.csv", &|_| {});
        let bytes = std::fs::read(&file).unwrap();
        prop_assert!(!holds(&bytes, &target), "a later import brought the id back");
        prop_assert!(!holds(&bytes, &address), "a later import brought the address back");
    }
}
