//! The outbox: an enqueue never replaces what it holds, the due index follows
//! each update, a forget deletes the customer's messages and a rewrite keeps
//! everyone else's.

use model::{DeliveryAttempt, OutboxMessage, OutboxStatus};
use store::Store;

fn message(id: &str, customer: &str, next_ms: i64) -> OutboxMessage {
    OutboxMessage {
        id: id.into(),
        kind: "care".into(),
        customer_id: Some(customer.into()),
        channel: "email".into(),
        order_id: "O1".into(),
        sku: "S1".into(),
        topic: "welcome".into(),
        subject: "Caring for your ring".into(),
        body: "Hello".into(),
        why: "you bought it".into(),
        due_ms: next_ms,
        created_ms: 0,
        status: OutboxStatus::Pending,
        reason: None,
        next_ms,
        attempts: vec![],
        sent_ms: None,
    }
}

conformance! {
    fn enqueue_is_idempotent_and_due_follows_updates(store) {
        let first = store
            .enqueue_outbox(&[message("a", "C1", 200), message("b", "C1", 100)], Some(("care_mark", 7)), &[])
            .unwrap();
        assert_eq!((first.inserted, first.known), (2, 0));
        assert_eq!(store.counter("care_mark").unwrap(), 7);
        // The same decision again, with another body: the stored one stays.
        let mut again = message("a", "C1", 50);
        again.body = "changed".into();
        let second = store.enqueue_outbox(&[again], None, &[]).unwrap();
        assert_eq!((second.inserted, second.known), (0, 1));
        assert_eq!(store.outbox_message("a").unwrap().unwrap().body, "Hello");

        let due: Vec<String> = store.outbox_due(150, 10).unwrap().into_iter().map(|m| m.id).collect();
        assert_eq!(due, ["b"]);
        assert_eq!(store.outbox_next_due().unwrap(), Some(100));
        assert_eq!(store.outbox_pending_count().unwrap(), 2);

        // b fails once and is retried at 300; a is sent.
        let mut b = store.outbox_message("b").unwrap().unwrap();
        b.next_ms = 300;
        b.attempts.push(DeliveryAttempt {
            at_ms: 150,
            transport: "webhook".into(),
            ok: false,
            code: Some(500),
            error: None,
        });
        let mut a = store.outbox_message("a").unwrap().unwrap();
        a.status = OutboxStatus::Sent;
        a.sent_ms = Some(210);
        store.update_outbox(&[a, b], &[]).unwrap();
        assert!(store.outbox_due(250, 10).unwrap().is_empty());
        let due = store.outbox_due(300, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].attempts.len(), 1);
        assert_eq!(store.outbox_next_due().unwrap(), Some(300));
        assert_eq!(store.outbox_pending_count().unwrap(), 1, "a is sent, b still pending");
    }
}

#[test]
fn a_forget_deletes_the_customers_messages_and_keeps_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    store.enqueue_outbox(&[message("a", "C1", 100), message("b", "C2", 100)], None, &[]).unwrap();
    let out = store.forget_customer("C1", 1).unwrap();
    assert_eq!(out.messages_deleted, 1);
    let left: Vec<String> = store.outbox().unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(left, ["b"]);
    let due: Vec<String> = store.outbox_due(100, 10).unwrap().into_iter().map(|m| m.id).collect();
    assert_eq!(due, ["b"], "the due index lost the forgotten message and kept the other");
}

conformance! {
    fn secrets_are_made_once(store) {
        let a = store.secret("unsubscribe").unwrap();
        assert_eq!(a.len(), 32);
        assert_eq!(store.secret("unsubscribe").unwrap(), a);
        assert_ne!(store.secret("other").unwrap(), a);
    }
}
