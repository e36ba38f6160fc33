//! A piece's care plan over HTTP (issue 17): the plan of the variant's own
//! metal and stones, dates from an estimated delivery, and the errors.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Finish, Metal, Product, Stone, Variant};
use serde_json::Value;
use tower::ServiceExt;

async fn get(state: &AppState, uri: &str) -> (StatusCode, Value) {
    let response =
        router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap())
}

async fn page(state: &AppState, uri: &str) -> String {
    let response =
        router(state.clone()).oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap()
}

#[tokio::test]
async fn a_pearl_strand_gets_a_safe_plan_with_dates() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let strand = Product {
        handle: "akoya-strand".into(),
        title: "Akoya Strand".into(),
        category: Some(Category::Necklace),
        variants: vec![
            Variant {
                sku: "AK-18".into(),
                metals: vec![Metal { kind: "gold".into(), finish: Some(Finish::Solid), ..Metal::default() }],
                stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
                ..Variant::default()
            },
            Variant {
                sku: "AK-VER".into(),
                metals: vec![Metal {
                    kind: "gold".into(),
                    finish: Some(Finish::Vermeil),
                    ..Metal::default()
                }],
                stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
                ..Variant::default()
            },
        ],
        ..Product::default()
    };
    store.import_products([Ok::<_, std::io::Error>(strand)], 1_750_000_000).unwrap();
    let state = AppState::new(crate::app_on(store), dir.path());

    let (s, v) = get(&state, "/v1/care/plan?sku=AK-18&purchased_on=2024-03-01").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let cautions: Vec<&str> = v["cautions"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    for c in ["no_ultrasonic", "no_steam", "no_perfume_contact"] {
        assert!(cautions.contains(&c), "{c} missing: {cautions:?}");
    }
    assert!(!cautions.contains(&"no_abrasive_polish"), "solid gold: {cautions:?}");
    // Friday 2024-03-01 + 5 business days.
    assert_eq!(v["delivered_on"], "2024-03-08");
    let messages = v["messages"].as_array().unwrap();
    let restring = messages.iter().find(|m| m["topic"] == "pearl_restring").expect("a restringing reminder");
    assert_eq!((restring["day"].as_u64(), restring["on"].as_str()), (Some(730), Some("2026-03-08")));
    assert!(
        messages.iter().all(|m| !m["body"].as_str().unwrap().contains("soak your")),
        "no soaking advice for pearls"
    );
    for m in messages {
        for key in ["day", "topic", "title", "body", "channel", "why"] {
            assert!(m.get(key).is_some(), "{key}: {m}");
        }
    }

    let (_, v) = get(&state, "/v1/care/plan?sku=AK-VER").await;
    assert!(v["cautions"].as_array().unwrap().iter().any(|c| c == "no_abrasive_polish"), "{v}");
    assert!(v.get("delivered_on").is_none());

    // The back-office page previews the same plan and says what it cannot find.
    let html = page(&state, "/admin/care?sku=AK-18").await;
    assert!(
        html.contains("no ultrasonic") && html.contains("Time to check the silk on your pearls"),
        "{html}"
    );
    let html = page(&state, "/admin/care?sku=NOPE").await;
    assert!(
        html.contains("SKU &quot;NOPE&quot; not found") || html.contains("SKU \"NOPE\" not found"),
        "{html}"
    );
    let html = page(&state, "/admin/care?from=someday").await;
    assert!(html.contains("is not a date"), "{html}");

    let (s, _) = get(&state, "/v1/care/plan?sku=NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = get(&state, "/v1/care/plan?sku=AK-18&purchased_on=last+week").await;
    assert_eq!((s, v["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_query")));
    let (s, _) = get(&state, "/v1/care/plan").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

async fn post(state: &AppState, uri: &str, body: Value) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router(state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn the_calendar_sends_only_with_consent_and_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let band = Product {
        handle: "band".into(),
        title: "Gold Band".into(),
        category: Some(Category::WeddingBand),
        variants: vec![Variant {
            sku: "B-7".into(),
            metals: vec![Metal { kind: "gold".into(), finish: Some(Finish::Solid), ..Metal::default() }],
            ..Variant::default()
        }],
        ..Product::default()
    };
    store.import_products([Ok::<_, std::io::Error>(band)], 1_750_000_000).unwrap();
    let line = |order: &str, customer: &str, qty: i64| model::OrderLine {
        order_id: order.into(),
        line_no: if qty < 0 { 1 } else { 0 },
        // Monday 2024-03-04.
        ordered_at: 1_709_560_800,
        customer_id: Some(customer.into()),
        sku: "B-7".into(),
        title: Some("Gold Band".into()),
        quantity: qty,
        unit_price: Some(model::Money::from_major(900.0, model::Currency::USD)),
        country: None,
        kind: if qty < 0 { model::LineKind::Return } else { model::LineKind::Sale },
    };
    store
        .import_order_lines(
            [line("O1", "A", 1), line("O2", "B", 1), line("O3", "C", 1), line("O3", "C", -1)]
                .map(Ok::<_, std::io::Error>),
        )
        .unwrap();
    let state = AppState::new(crate::app_on(store.clone()), dir.path());
    for c in ["A", "C"] {
        let (s, v) = post(&state, "/v1/consent", serde_json::json!({"customer_id": c, "channel": "email", "granted": true, "source": "checkout", "at": "2024-03-01T00:00:00Z"})).await;
        assert_eq!((s, v["email"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    }
    // Delivered Monday 2024-03-11 (5 business days); the welcome is due on day 2.
    let (s, v) = get(&state, "/v1/care/schedule?from=2024-03-11&to=2024-03-20").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let welcome = |order: &str| {
        v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["order_id"] == order && m["topic"] == "welcome")
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (welcome("O1")["status"].as_str(), welcome("O1")["at"].as_str()),
        (Some("planned"), Some("2024-03-13T10:00:00Z"))
    );
    assert_eq!(welcome("O2")["reason"], "no_consent");
    assert_eq!(welcome("O3")["reason"], "returned");
    assert_eq!(v["by_reason"]["no_consent"], 1, "{v}");

    // A withdrawal before the send time suppresses it.
    let (_, c) = post(&state, "/v1/consent", serde_json::json!({"customer_id": "A", "channel": "email", "granted": false, "source": "unsubscribe_link", "at": "2024-03-12T00:00:00Z"})).await;
    assert_eq!((c["email"].as_bool(), c["history"].as_array().unwrap().len()), (Some(false), 2));
    let (_, v) = get(&state, "/v1/care/schedule?from=2024-03-11&to=2024-03-20").await;
    let o1 = v["messages"].as_array().unwrap().iter().find(|m| m["order_id"] == "O1").cloned().unwrap();
    assert_eq!(o1["reason"], "no_consent");

    let (s, v) = post(
        &state,
        "/v1/consent",
        serde_json::json!({"customer_id": "A", "channel": "fax", "granted": true, "source": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, _) = get(&state, "/v1/care/schedule?from=2024-03-20&to=2024-03-11").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // Forgetting the customer removes their consent history.
    app::customers::forget(&state.app.engines, "A", "test", "test").unwrap();
    assert!(store.get_doc(app::care::CONSENT, "A").unwrap().is_none());
}

async fn send(
    state: &AppState,
    method: &str,
    uri: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(k) = key {
        req = req.header("authorization", format!("Bearer {k}"));
    }
    let req = match body {
        Some(b) => req.header("content-type", "application/json").body(Body::from(b.to_string())),
        None => req.body(Body::empty()),
    }
    .unwrap();
    let response = router(state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// The outbox's settings and list over HTTP with keys enforced: bad settings
/// are named, the list pages like every list, a retry of a missing or live
/// message is refused, and the unsubscribe page answers shoppers, who hold
/// no key.
#[tokio::test]
async fn the_outbox_over_http_with_keys_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let admin = store.create_key(store::NewKey::role(store::Role::Admin, "ops"), 1_750_000_000).unwrap().0;
    let state = AppState::new(crate::app_on(store.clone()), dir.path());

    let (s, b) = send(&state, "GET", "/v1/outbox", None, None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}");
    let (s, b) = send(&state, "GET", "/v1/outbox", Some(&admin), None).await;
    assert_eq!(s, StatusCode::OK);
    let v: Value = serde_json::from_str(&b).unwrap();
    assert_eq!((v["total"].as_u64(), v["delivery_configured"].as_bool()), (Some(0), Some(false)), "{v}");
    for key in ["items", "limit", "offset", "next_cursor", "counts"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    let (s, b) = send(&state, "GET", "/v1/outbox?status=lost", Some(&admin), None).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{b}");

    for (bad, says) in [
        (serde_json::json!({"webhook_url": "ftp://x"}), "webhook_url"),
        (serde_json::json!({"smtp_url": "smtp://127.0.0.1:25"}), "from"),
        (
            serde_json::json!({"smtp_url": "smtp://127.0.0.1:25", "from": "Care <care@brand.example>"}),
            "public_url",
        ),
        (
            serde_json::json!({"webhook_url": "https://hooks.brand.example/x", "max_attempts": 0}),
            "max_attempts",
        ),
        (
            serde_json::json!({"webhook_url": "https://hooks.brand.example/x", "webhook_secret": "whsec_short"}),
            "webhook_secret",
        ),
    ] {
        let (s, b) = send(&state, "PUT", "/v1/care/delivery", Some(&admin), Some(bad.clone())).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {b}");
        assert!(b.contains(says), "{bad}: {b}");
    }
    let (s, b) = send(
        &state,
        "PUT",
        "/v1/care/delivery",
        Some(&admin),
        Some(serde_json::json!({"webhook_url": "https://hooks.brand.example/x"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let v: Value = serde_json::from_str(&b).unwrap();
    let secret = v["webhook_secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{v}");
    let (_, b) = send(&state, "PUT", "/v1/care/delivery?rotate_secret=true", Some(&admin), Some(v)).await;
    let rotated: Value = serde_json::from_str(&b).unwrap();
    assert_ne!(rotated["webhook_secret"].as_str().unwrap(), secret, "a rotation makes a new secret");

    let (s, b) = send(&state, "POST", "/v1/outbox/msg_nope/retry", Some(&admin), None).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{b}");

    // Shoppers follow links with no key: the pages answer, a bad token in words.
    let (s, b) = send(&state, "GET", "/unsubscribe/u.QzE.email.nope", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.contains("does not work"), "{b}");
    let (s, b) = send(&state, "GET", "/consent/confirm/c.QzE.email.nope", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.contains("does not work"), "{b}");
}
