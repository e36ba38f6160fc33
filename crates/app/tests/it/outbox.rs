//! The care outbox's decisions: a stretch longer than a calendar covers is
//! decided whole and once, and consent withdrawn between the decision and
//! the send withholds the message without an attempt.

use std::collections::HashSet;

use app::wire::care::{ConsentIn, DeliveryRunOut, DeliverySettings};
use app::{App, Clock};
use chrono::NaiveDate;
use model::{Category, Currency, Metal, Money, OrderLine, OutboxStatus, Product, Stone, Variant};
use store::Store;

fn ts(d: &str) -> i64 {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap().and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
}

/// A pearl ring in silver bought by 30 customers over two years; every
/// customer consented to e-mail long before.
fn shop(now: &str) -> App {
    let store = Store::open_temporary().unwrap();
    let ring = Product {
        handle: "pearl-ring".into(),
        title: "Pearl Ring".into(),
        category: Some(Category::Ring),
        variants: vec![Variant {
            sku: "PR-1".into(),
            price: Some(Money::new(19_000, Currency::USD)),
            metals: vec![Metal { kind: "silver".into(), ..Metal::default() }],
            stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
            ..Variant::default()
        }],
        ..Product::default()
    };
    store.import_products([Ok::<_, std::io::Error>(ring)], 0).unwrap();
    let lines: Vec<Result<OrderLine, std::io::Error>> = (0..30)
        .map(|i| {
            Ok(OrderLine {
                order_id: format!("O{i}"),
                line_no: 0,
                ordered_at: ts("2024-06-01") + i64::from(i) * 23 * 86_400,
                customer_id: Some(format!("C{i:02}")),
                sku: "PR-1".into(),
                title: None,
                quantity: 1,
                unit_price: Some(Money::new(19_000, Currency::USD)),
                country: None,
                kind: model::LineKind::Sale,
            })
        })
        .collect();
    store.import_order_lines(lines).unwrap();
    let app = App::new(store, Clock::fixed(ts(now) * 1000));
    for i in 0..30 {
        app::care::record_consent(
            &app,
            &ConsentIn {
                customer_id: format!("C{i:02}"),
                channel: "email".into(),
                granted: true,
                source: "checkout".into(),
                at: Some("2024-01-01T00:00:00Z".into()),
                address: Some(format!("c{i}@example.com")),
                utc_offset: None,
                first_name: None,
            },
        )
        .unwrap();
    }
    app
}

#[test]
fn a_long_stretch_is_decided_whole_and_once() {
    let app = shop("2026-06-01");
    let plans = care::Plans::builtin();
    let since = ts("2024-05-01") * 1000;
    let mut out = DeliveryRunOut::default();
    app::outbox::decide(&app, &plans, Some(since), &mut out).unwrap();
    // The calendar, window by window, says what was due in the stretch.
    let mut expected = HashSet::new();
    for (from, to) in
        [("2024-05-01", "2025-04-30"), ("2025-05-01", "2026-04-30"), ("2026-05-01", "2026-06-01")]
    {
        let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        for m in app::care::schedule(&app, day(from), day(to), &plans).unwrap().messages {
            let at = chrono::DateTime::parse_from_rfc3339(&m.at).unwrap().timestamp();
            if at * 1000 > since && at <= ts("2026-06-01") {
                expected.insert((m.order_id, m.topic, m.at));
            }
        }
    }
    let stored = app.store.outbox().unwrap();
    let got: HashSet<(String, String, String)> = stored
        .iter()
        .map(|m| {
            let at = chrono::DateTime::from_timestamp_millis(m.due_ms).unwrap();
            (m.order_id.clone(), m.topic.clone(), at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        })
        .collect();
    assert!(expected.len() > 60, "two years of a pearl ring's reminders: {}", expected.len());
    assert_eq!(got, expected);
    assert_eq!(out.queued + out.suppressed.values().sum::<usize>(), stored.len());
    // Deciding again adds nothing.
    let mut again = DeliveryRunOut::default();
    app::outbox::decide(&app, &plans, Some(since), &mut again).unwrap();
    assert_eq!((again.queued, again.already_decided), (0, stored.len()));
}

#[test]
fn consent_withdrawn_after_the_decision_withholds_the_message() {
    let app = shop("2026-06-01");
    let plans = care::Plans::builtin();
    // A webhook nobody listens on: every attempt fails, so nothing is sent.
    app::outbox::put_settings(
        &app,
        DeliverySettings {
            webhook_url: Some("http://127.0.0.1:9/hook".into()),
            ..DeliverySettings::default()
        },
        false,
    )
    .unwrap();
    let mut out = DeliveryRunOut::default();
    app::outbox::decide(&app, &plans, Some(ts("2026-05-01") * 1000), &mut out).unwrap();
    let pending: Vec<_> =
        app.store.outbox().unwrap().into_iter().filter(|m| m.status == OutboxStatus::Pending).collect();
    assert!(pending.len() >= 2, "{pending:?}");
    let who = pending[0].customer_id.clone().unwrap();
    app::care::record_consent(
        &app,
        &ConsentIn {
            customer_id: who.clone(),
            channel: "email".into(),
            granted: false,
            source: "preference_center".into(),
            at: Some("2026-05-31T00:00:00Z".into()),
            address: None,
            utc_offset: None,
            first_name: None,
        },
    )
    .unwrap();
    let run = app::outbox::run(&app, &plans, None).unwrap();
    assert_eq!(run.sent, 0);
    assert!(run.withheld.get("no_consent").copied().unwrap_or(0) >= 1, "{run:?}");
    for m in app.store.outbox().unwrap() {
        if m.customer_id.as_deref() == Some(who.as_str()) && m.due_ms <= ts("2026-06-01") * 1000 {
            assert!(m.attempts.is_empty(), "no attempt for a withdrawn customer: {m:?}");
            assert!(m.status != OutboxStatus::Pending && m.status != OutboxStatus::Sent, "{m:?}");
        } else if m.status == OutboxStatus::Pending {
            assert_eq!(m.attempts.len(), 1, "the others were tried: {m:?}");
            assert!(m.next_ms > ts("2026-06-01") * 1000, "and wait to retry: {m:?}");
        }
    }
}

#[test]
fn messages_go_at_ten_in_the_customers_own_offset() {
    let app = shop("2026-06-01");
    let c = app::care::record_consent(
        &app,
        &ConsentIn {
            customer_id: "C03".into(),
            channel: "email".into(),
            granted: true,
            source: "preference_center".into(),
            at: Some("2024-01-02T00:00:00Z".into()),
            address: None,
            utc_offset: Some("-05:00".into()),
            first_name: None,
        },
    )
    .unwrap();
    assert_eq!(c.utc_offset.as_deref(), Some("-05:00"));
    let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let s = app::care::schedule(&app, day("2024-06-01"), day("2025-06-01"), &care::Plans::builtin()).unwrap();
    let at = |customer: &str| {
        s.messages.iter().find(|m| m.customer_id.as_deref() == Some(customer)).unwrap().at.clone()
    };
    assert!(at("C03").ends_with("T15:00:00Z"), "10:00 in New York: {}", at("C03"));
    assert!(at("C04").ends_with("T10:00:00Z"), "UTC when unknown: {}", at("C04"));
    for bad in ["+15:00", "05:00", "+01:75", "east"] {
        let err = app::care::record_consent(
            &app,
            &ConsentIn {
                customer_id: "C03".into(),
                channel: "email".into(),
                granted: true,
                source: "x".into(),
                at: None,
                address: None,
                utc_offset: Some(bad.into()),
                first_name: None,
            },
        )
        .unwrap_err();
        assert!(err.message.contains("utc_offset"), "{bad}: {}", err.message);
    }
}

#[test]
fn an_open_complaint_suppresses_care_messages_and_another_open_case_pauses_them() {
    let app = shop("2026-06-01");
    let ticket = |id: &str, customer: &str, body: &str, corrected: Option<&str>| model::Ticket {
        id: id.into(),
        created_at: ts("2024-01-01"),
        customer_id: Some(customer.into()),
        order_id: None,
        channel: "email".into(),
        contact: None,
        subject: String::new(),
        messages: vec![model::TicketMessage {
            at: ts("2024-01-01"),
            from: "customer".into(),
            body: body.into(),
            author: None,
        }],
        status: "open".into(),
        corrected_intent: corrected.map(String::from),
        corrected_by: None,
        corrected_at: None,
    };
    app.store
        .put_ticket(&ticket("T1", "C00", "This is the worst service, I am furious", Some("complaint")), None)
        .unwrap();
    app.store
        .put_ticket(&ticket("T2", "C01", "Can you engrave our initials inside the ring?", None), None)
        .unwrap();
    let day = |d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let s = app::care::schedule(&app, day("2024-06-01"), day("2025-06-01"), &care::Plans::builtin()).unwrap();
    let reasons = |c: &str| -> HashSet<Option<String>> {
        s.messages.iter().filter(|m| m.customer_id.as_deref() == Some(c)).map(|m| m.reason.clone()).collect()
    };
    assert_eq!(reasons("C00"), HashSet::from([Some("open_complaint".to_string())]));
    assert_eq!(reasons("C01"), HashSet::from([Some("paused".to_string())]));
    assert!(reasons("C02").contains(&None));
}
