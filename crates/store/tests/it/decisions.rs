//! The decision log on both backends: a hash chain that verifies, a prune
//! that leaves a signed checkpoint, and a person's change written together
//! with its record. Support tickets: a re-import adds only what is new.

use model::{Ticket, TicketMessage};
use store::NewDecision;

fn decision(kind: &str, at_ms: i64) -> NewDecision {
    NewDecision {
        at_ms,
        kind: kind.into(),
        subject: "sku:R1".into(),
        version: "test".into(),
        inputs: "{}".into(),
        output: "\"ok\"".into(),
        reasons: "[]".into(),
        actor: "loupe".into(),
        ..NewDecision::default()
    }
}

conformance! {
    fn the_chain_verifies_and_survives_a_prune(store) {
        let day = 86_400_000;
        let written = store
            .append_decisions(&[decision("a", day), decision("b", 2 * day), decision("c", 3 * day)])
            .unwrap();
        assert_eq!(written.iter().map(|d| d.seq).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(written[1].prev_hash, written[0].hash);
        let v = store.verify_decisions().unwrap();
        assert_eq!((v.entries, v.first_broken), (3, None));

        assert_eq!(store.prune_decisions(0, 4 * day).unwrap(), None, "nothing older than the cut-off");
        let cp = store.prune_decisions(100 * day, 101 * day).unwrap().unwrap();
        assert_eq!((cp.through_seq, cp.pruned), (2, 2), "the newest entry always stays");
        assert_eq!(store.decision_count().unwrap(), 1);
        store.append_decisions(&[decision("d", 102 * day)]).unwrap();
        let v = store.verify_decisions().unwrap();
        assert_eq!((v.entries, v.first_broken, v.signature_ok), (2, None, Some(true)));

        // A forged checkpoint (hiding a removal) is found.
        let mut forged = store.decision_checkpoint().unwrap().unwrap();
        forged.through_seq = 1;
        store.put_doc("decisions", "checkpoint", &serde_json::to_string(&forged).unwrap()).unwrap();
        assert_eq!(store.verify_decisions().unwrap().signature_ok, Some(false));
    }
}

conformance! {
    fn a_persons_change_and_its_record_land_together(store) {
        let logged = store
            .put_doc_decided("merch", "gifts", Some("{\"pins\":[1]}"), "merch_version", &decision("pin", 5))
            .unwrap();
        assert_eq!(logged.seq, 1);
        assert_eq!(store.get_doc("merch", "gifts").unwrap().as_deref(), Some("{\"pins\":[1]}"));
        assert_eq!(store.counter("merch_version").unwrap(), 1);
        store.put_doc_decided("merch", "gifts", None, "merch_version", &decision("unpin", 6)).unwrap();
        assert_eq!(store.get_doc("merch", "gifts").unwrap(), None);
        assert_eq!(store.counter("merch_version").unwrap(), 2);
        let mut kinds = Vec::new();
        store
            .for_each_decision(|d| {
                kinds.push(d.kind);
                true
            })
            .unwrap();
        assert_eq!(kinds, ["pin", "unpin"]);
        // An invalid document writes neither.
        assert!(store.put_doc_decided("", "k", Some("{}"), "merch_version", &decision("x", 7)).is_err());
        assert_eq!(store.decision_count().unwrap(), 2);
    }
}

conformance! {
    fn secrets_are_made_once_and_kept(store) {
        let a = store.secret("unsubscribe").unwrap();
        assert_eq!(a.len(), 32);
        assert_eq!(store.secret("unsubscribe").unwrap(), a);
        assert_ne!(store.secret("checkpoint").unwrap(), a);
    }
}

fn ticket(
    id: &str,
    customer: &str,
    messages: &[(i64, &str)],
    status: &str,
) -> Result<Ticket, std::io::Error> {
    Ok(Ticket {
        id: id.into(),
        created_at: messages.first().map_or(0, |m| m.0),
        customer_id: Some(customer.into()),
        order_id: None,
        channel: "email".into(),
        contact: None,
        subject: "Resizing".into(),
        messages: messages
            .iter()
            .map(|&(at, body)| TicketMessage { at, from: "customer".into(), body: body.into(), author: None })
            .collect(),
        status: status.into(),
        corrected_intent: None,
        corrected_by: None,
        corrected_at: None,
    })
}

conformance! {
    fn a_ticket_reimport_adds_only_new_messages(store) {
        let out = store.import_tickets(vec![ticket("T1", "C1", &[(1, "hi")], "open")]).unwrap();
        assert_eq!((out.inserted, out.updated, out.unchanged), (1, 0, 0));
        let again = vec![
            ticket("T1", "C1", &[(1, "hi")], "open"),
            ticket("T2", "C2", &[(5, "where is my order")], "open"),
        ];
        let out = store.import_tickets(again).unwrap();
        assert_eq!((out.inserted, out.updated, out.unchanged), (1, 0, 1));
        let longer = vec![ticket("T1", "C1", &[(1, "hi"), (3, "thanks")], "closed")];
        let out = store.import_tickets(longer).unwrap();
        assert_eq!(out.updated, 1);
        let t1 = store.ticket("T1").unwrap().unwrap();
        assert_eq!((t1.messages.len(), t1.status.as_str()), (2, "closed"));
        assert_eq!(store.ticket_count().unwrap(), 2);

        // A bad item aborts the whole import.
        let bad: Vec<Result<Ticket, std::io::Error>> =
            vec![ticket("T3", "C3", &[(9, "new")], "open"), Err(std::io::Error::other("line 2: bad"))];
        assert!(store.import_tickets(bad).is_err());
        assert_eq!(store.ticket("T3").unwrap(), None);

        // A forgotten customer's tickets go, and do not come back.
        let forgot = store.forget_customer("C2", 1_750_000_000).unwrap();
        assert_eq!(forgot.tickets_deleted, 1);
        let out = store.import_tickets(vec![ticket("T2", "C2", &[(5, "where is my order")], "open")]).unwrap();
        assert_eq!((out.forgotten, out.inserted), (1, 0));
        assert_eq!(store.tickets().unwrap().iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["T1"]);
    }
}

conformance! {
    fn a_replace_import_removes_what_the_file_lacks(store) {
        use crate::{ok, product};
        store
            .import_products(ok(vec![product("a", "A", &["A1"]), product("b", "B", &["B1"])]), 1)
            .unwrap();
        let out = store
            .import_catalog(ok(vec![product("a", "A", &["A1"])]), &store::ImportConfig { now: 2, replace: true })
            .unwrap();
        assert_eq!((out.products_removed, out.removed_handles.clone()), (1, vec!["b".to_string()]));
        assert_eq!(store.product_count().unwrap(), 1);
        assert_eq!(store.product_by_sku("B1").unwrap(), None);
    }
}
