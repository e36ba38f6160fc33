//! Customer support through the real router (issue 16): the empty states,
//! the knowledge base (import, replace, answers that cite it, refusals),
//! tickets from the storefront and a help desk, the agent queue and case
//! view with order facts for agents only, replies and intent corrections
//! recorded, the storefront's help page, and the errors.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Currency, LineKind, Money, OrderLine};
use serde_json::{json, Value};
use tower::ServiceExt;

/// 2024-03-04 15:00 UTC, a Monday.
const NOW_MS: i64 = 1_709_564_400_000;

struct App {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let app = app::App::new(store.clone(), app::Clock::fixed(NOW_MS));
    App { state: AppState::new(app, dir.path()), store, _dir: dir }
}

const HELP: &str = "# Help\n\n## Shipping\nStandard delivery takes 3-5 business days. Express delivery takes 1-2 business days.\n\n## Ring resizing\nWe resize rings free within 60 days of delivery. Eternity bands cannot be resized.\n\n## Pearl care\nNever clean pearls in an ultrasonic cleaner. Put perfume on before your pearls.\n";

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, String, Option<String>) {
        let response = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = response.status();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), location)
    }

    async fn get(&self, uri: &str) -> (StatusCode, String) {
        let (s, b, _) = self.call(Request::get(uri).body(Body::empty()).unwrap()).await;
        (s, b)
    }

    async fn post(&self, uri: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, b, _) = self.call(req).await;
        (s, serde_json::from_str(&b).unwrap_or_else(|_| panic!("{s}: not JSON: {b}")))
    }

    async fn post_json(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        self.post(uri, "application/json", &body.to_string()).await
    }

    async fn post_form(&self, uri: &str, fields: &[(&str, &str)]) -> (StatusCode, String, Option<String>) {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}={}", loupe_http::web::url_encode(k), loupe_http::web::url_encode(v)))
            .collect();
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::HOST, "127.0.0.1:7700")
            .header(header::ORIGIN, "http://127.0.0.1:7700")
            .body(Body::from(body.join("&")))
            .unwrap();
        self.call(req).await
    }
}

fn line(order: &str, customer: &str, title: &str, price: f64, at: i64) -> OrderLine {
    OrderLine {
        order_id: order.into(),
        line_no: 0,
        ordered_at: at,
        customer_id: Some(customer.into()),
        sku: format!("{order}-SKU"),
        title: Some(title.into()),
        quantity: 1,
        unit_price: Some(Money::from_major(price, Currency::USD)),
        country: Some("US".into()),
        kind: LineKind::Sale,
    }
}

#[tokio::test]
async fn empty_states_say_what_to_do() {
    let a = app();
    let (s, html) = a.get("/admin/support").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No cases here") && html.contains("loupe import tickets"), "{html}");
    let (_, html) = a.get("/admin/support/kb").await;
    assert!(html.contains("No passages yet"), "{html}");
    let (s, v) = a.post_json("/v1/support/answer", json!({"text": "how long does shipping take?"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!((v["answer"].clone(), v["escalate"].clone()), (Value::Null, json!(true)), "{v}");
    let why = v["why"].to_string();
    assert!(why.contains("knowledge base is empty"), "{why}");
}

#[tokio::test]
async fn answers_cite_the_knowledge_base_and_refuse_what_it_does_not_say() {
    let a = app();
    let (s, v) = a.post("/v1/kb?source=help.md", "text/markdown", HELP).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!((v["passages"].as_u64(), v["replaced"].as_u64()), (Some(3), Some(0)));

    let (_, v) = a.post_json("/v1/support/answer", json!({"text": "can you resize my ring?"})).await;
    let answer = v["answer"].as_str().unwrap_or_else(|| panic!("no answer: {v}"));
    assert_eq!(v["citations"][0]["heading"], "Ring resizing");
    for sentence in support::answer::sentences(answer) {
        assert!(
            v["citations"][0]["passage"].as_str().unwrap().contains(sentence),
            "{sentence:?} is not in the cited passage"
        );
    }
    assert_eq!(v["intent"], "sizing");

    let (_, v) =
        a.post_json("/v1/support/answer", json!({"text": "do you price match other jewelers?"})).await;
    assert_eq!(v["answer"], Value::Null, "{v}");
    assert_eq!(v["escalate"], true);
    assert!(v["why"].to_string().contains("not_covered"));

    // The passage page shows how often answers used it.
    let (_, html) = a.get("/admin/support/kb").await;
    assert!(html.contains("Ring resizing") && html.contains("can you resize my ring?"), "{html}");

    // Re-importing the source replaces its passages.
    let (_, v) = a
        .post("/v1/kb?source=help.md", "text/markdown", "## Returns\nYou have 30 days to return a piece.\n")
        .await;
    assert_eq!(
        (v["passages"].as_u64(), v["replaced"].as_u64(), v["passages_total"].as_u64()),
        (Some(1), Some(3), Some(1))
    );
    let (_, v) = a.post_json("/v1/support/answer", json!({"text": "can you resize my ring?"})).await;
    assert_eq!(v["answer"], Value::Null, "the old passage is gone: {v}");
}

#[tokio::test]
async fn bad_knowledge_base_sources_and_messages_get_clear_errors() {
    let a = app();
    let (s, v) = a.post("/v1/kb", "text/markdown", HELP).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_kb")), "{v}");
    let (s, v) = a.post("/v1/kb?source=x.md&format=pdf", "text/markdown", HELP).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, v) = a.post("/v1/kb?source=faq.csv", "text/csv", "title,body\na,b\n").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["message"].as_str().unwrap().contains("`question` and an `answer`"), "{v}");
    let (s, v) = a.post_json("/v1/support/classify", json!({"text": "   "})).await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_message")));
    let (s, _) = a.post_json("/v1/support/classify", json!({"text": "x".repeat(10_001)})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, v) = a.post_json("/v1/support/classify", json!({"text": "hi", "at": "yesterday"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = a.get("/v1/tickets/nope").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn classification_reads_intent_entities_and_escalation() {
    let a = app();
    let (s, v) = a
        .post_json(
            "/v1/support/classify",
            json!({"text": "Our anniversary is on March 6 and order #LP100029 still hasn't arrived, I want to speak to a manager", "at": "2024-03-04T10:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let entities = v["entities"].as_array().unwrap();
    assert!(entities.iter().any(|e| e["kind"] == "order_id" && e["value"] == "LP100029"), "{v}");
    assert!(
        entities.iter().any(|e| e["kind"] == "date" && e["value"] == "2024-03-06" && e["deadline"] == true),
        "{v}"
    );
    assert_eq!(v["escalate"], true);
    let signals: Vec<&str> =
        v["why"].as_array().unwrap().iter().map(|w| w["signal"].as_str().unwrap()).collect();
    assert!(signals.contains(&"human_request") && signals.contains(&"deadline_at_risk"), "{signals:?}");
    let escalating: f64 = v["why"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["signal"] != "intent")
        .map(|w| w["contribution"].as_f64().unwrap())
        .sum();
    assert!(escalating >= 1.0);

    let (_, v) =
        a.post_json("/v1/support/classify", json!({"text": "How should I store my silver bracelet?"})).await;
    assert_eq!((v["intent"].as_str(), v["escalate"].as_bool()), (Some("care"), Some(false)), "{v}");
}

#[tokio::test]
async fn tickets_flow_from_the_shop_to_the_queue_and_the_case_view() {
    let a = app();
    a.post("/v1/kb?source=help.md", "text/markdown", HELP).await;
    let ordered = NOW_MS / 1000 - 3 * 86_400;
    a.store
        .import_order_lines([Ok::<_, std::io::Error>(line(
            "LP7",
            "C1",
            "Aurora Solitaire Ring",
            2400.0,
            ordered,
        ))])
        .unwrap();

    // A shopper asks about their order through the public answer: no facts.
    let (_, v) = a
        .post_json("/v1/support/answer", json!({"text": "how long does shipping take for order #LP7?"}))
        .await;
    assert!(!v["answer"].as_str().unwrap_or("").contains("Aurora"), "order facts leaked to a shopper: {v}");

    // A help desk sends two tickets; the angry, valuable one comes first.
    let (s, v) = a
        .post_json(
            "/v1/tickets",
            json!({"id": "H1", "body": "How do I clean pearls?", "customer_id": "C2", "channel": "email"}),
        )
        .await;
    assert_eq!((s, v["created"].as_bool()), (StatusCode::CREATED, Some(true)), "{v}");
    let (s, _) = a
        .post_json("/v1/tickets", json!({"id": "H2", "subject": "Late", "body": "Order #LP7 STILL hasn't shipped, this is unacceptable!!", "customer_id": "C1", "order_id": "LP7"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The same id again adds a message to the thread.
    let (s, v) = a.post_json("/v1/tickets", json!({"id": "H2", "body": "Hello?? Anyone?"})).await;
    assert_eq!((s, v["messages"].as_u64(), v["created"].as_bool()), (StatusCode::OK, Some(2), Some(false)));

    let (_, q) = a.get("/v1/support/queue").await;
    let q: Value = serde_json::from_str(&q).unwrap();
    assert_eq!((q["open"].as_u64(), q["items"][0]["id"].as_str()), (Some(2), Some("H2")), "{q}");
    assert_eq!(q["items"][0]["escalate"], true);
    let due = q["items"][0]["first_response"]["due"].as_str().unwrap();
    // Opened Monday 15:00 UTC = 10:00 Eastern; 4 working hours later.
    assert_eq!(due, "2024-03-04T19:00:00Z");

    // The agent's case view has the order's facts and a draft.
    let (s, body) = a.get("/v1/tickets/H2").await;
    assert_eq!(s, StatusCode::OK);
    let t: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(t["summary"]["order"]["total"], 2400.0, "{t}");
    assert_eq!(t["summary"]["order"]["items"][0], "Aurora Solitaire Ring");
    assert_eq!(t["summary"]["orders"].as_array().unwrap().len(), 1);
    assert!(t["summary"]["wants"].as_str().unwrap().contains("hasn't shipped"), "{t}");
    let signals = t["classified"]["why"].to_string();
    assert!(signals.contains("high_value") && signals.contains("negative_sentiment"), "{signals}");

    // The case page: reply (recorded and audited) and correct the intent.
    let (_, html) = a.get("/admin/support/tickets/H2").await;
    assert!(html.contains("Aurora Solitaire Ring") && html.contains("Send reply"), "{html}");
    let (s, _, to) = a
        .post_form(
            "/admin/support/tickets/H2/reply",
            &[("body", "It ships today."), ("author", "Maya"), ("close", "true")],
        )
        .await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/admin/support/tickets/H2?sent=1")));
    let stored = a.store.ticket("H2").unwrap().unwrap();
    assert_eq!(
        (stored.status.as_str(), stored.messages.last().unwrap().author.as_deref()),
        ("closed", Some("Maya"))
    );
    assert!(a
        .store
        .audit_log()
        .unwrap()
        .iter()
        .any(|e| e.action == "support_reply" && e.subject == "ticket:H2"));
    let before = a.state.app.engines.support().unwrap().corrections;
    let (s, _, _) = a.post_form("/admin/support/tickets/H1/intent", &[("intent", "repair_warranty")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(a.store.ticket("H1").unwrap().unwrap().corrected_intent.as_deref(), Some("repair_warranty"));
    assert_eq!(
        a.state.app.engines.support().unwrap().corrections,
        before + 1,
        "the next model learns the correction"
    );
    let (_, q) = a.get("/v1/support/queue").await;
    let q: Value = serde_json::from_str(&q).unwrap();
    assert_eq!(
        (q["open"].as_u64(), q["items"][0]["intent"].as_str()),
        (Some(1), Some("repair_warranty")),
        "{q}"
    );
    let (s, v) = a.post_json("/v1/tickets/H1/intent", json!({"intent": "teleport"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
}

#[tokio::test]
async fn the_help_page_answers_and_always_offers_a_person() {
    let a = app();
    a.post("/v1/kb?source=help.md", "text/markdown", HELP).await;
    let (s, html) = a.get("/help?q=how+do+I+clean+my+pearls").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("Never clean pearls in an ultrasonic cleaner.") && html.contains("Pearl care"),
        "{html}"
    );
    assert!(html.contains("Talk to a person"));
    let (_, html) = a.get("/help?q=do+you+have+a+showroom+in+Paris").await;
    assert!(html.contains("won&#39;t guess") || html.contains("won't guess"), "{html}");
    assert!(html.contains("Talk to a person"));
    let (s, _, to) = a
        .post_form(
            "/help/contact",
            &[("body", "Can I see the ring in person?"), ("contact", "ana@example.com"), ("order_id", "")],
        )
        .await;
    assert_eq!((s, to.as_deref()), (StatusCode::SEE_OTHER, Some("/help?sent=1")));
    let tickets = a.store.tickets().unwrap();
    assert_eq!(tickets.len(), 1);
    assert_eq!(
        (tickets[0].channel.as_str(), tickets[0].contact.as_deref()),
        ("chat", Some("ana@example.com"))
    );
    let (_, v) = a.get("/help/answer?q=how+long+is+express+delivery").await;
    let v: Value = serde_json::from_str(&v).unwrap();
    assert_eq!(v["citations"][0]["heading"], "Shipping", "{v}");
}

#[tokio::test]
async fn forgetting_a_customer_deletes_their_tickets_and_keeps_them_out() {
    let a = app();
    a.post_json("/v1/tickets", json!({"id": "F1", "body": "My ring is too big", "customer_id": "C9"})).await;
    a.post_json("/v1/tickets", json!({"id": "F2", "body": "Where is my order", "customer_id": "C8"})).await;
    let done = app::customers::forget(&a.state.app.engines, "C9", "test", "test").unwrap();
    assert_eq!(done.tickets_deleted, 1);
    assert!(a.store.ticket("F1").unwrap().is_none());
    assert!(a.store.ticket("F2").unwrap().is_some());
    // A help desk's export that still holds the ticket does not bring it back.
    let export =
        r#"{"id":"F1","created_at":"2024-03-01T10:00:00Z","customer_id":"C9","body":"My ring is too big"}"#;
    let out = a
        .store
        .import_tickets(
            catalog::tickets::read_jsonl(export.as_bytes(), &Default::default())
                .map(|l| l.unwrap().1.map_err(std::io::Error::other)),
        )
        .unwrap();
    assert_eq!((out.inserted, out.forgotten), (0, 1));
    assert!(a.store.ticket("F1").unwrap().is_none());
}

#[tokio::test]
async fn the_scorecard_reads_response_times_from_the_tickets() {
    let a = app();
    a.store
        .import_order_lines([Ok::<_, std::io::Error>(line("LP9", "C1", "Ring", 100.0, 1_709_200_000))])
        .unwrap();
    let export = concat!(
        r#"{"id":"R1","created_at":"2024-03-01T10:00:00Z","customer_id":"C1","body":"Where is my order?","status":"closed","messages":[{"at":"2024-03-01T12:30:00Z","from":"agent","body":"Shipped."},{"at":"2024-03-02T10:00:00Z","from":"agent","body":"Delivered."}]}"#,
        "\n",
        r#"{"id":"R2","created_at":"2024-03-01T11:00:00Z","customer_id":"C2","body":"Can I resize?","messages":[{"at":"2024-03-01T12:00:00Z","from":"agent","body":"Yes."}]}"#,
        "\n",
    );
    let out = a
        .store
        .import_tickets(
            catalog::tickets::read_jsonl(export.as_bytes(), &Default::default())
                .map(|l| l.unwrap().1.map_err(std::io::Error::other)),
        )
        .unwrap();
    assert_eq!(out.inserted, 2);
    let q = app::scorecard::Query::parse(Some("2024-03-01"), Some("2024-03-01"), Some("day"), None).unwrap();
    let card = app::scorecard::scorecard(&a.store, &q, chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())
        .unwrap();
    let row = &card.rows[0];
    // Median of 2.5 h and 1 h; only R1 is resolved, 24 h after it opened.
    assert_eq!((row.first_response_hours, row.resolution_hours), (Some(1.75), Some(24.0)), "{row:?}");
    let q =
        app::scorecard::Query::parse(Some("2024-03-01"), Some("2024-03-01"), Some("day"), Some("category"))
            .unwrap();
    let card = app::scorecard::scorecard(&a.store, &q, chrono::NaiveDate::from_ymd_opt(2024, 3, 4).unwrap())
        .unwrap();
    assert!(card.rows.iter().all(|r| r.first_response_hours.is_none()), "tickets have no category");
}
