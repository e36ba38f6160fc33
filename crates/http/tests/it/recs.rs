//! Recommendations over HTTP: the contract shape for every context, a public
//! key allowed, 400s for bad queries, 404 for an unknown product, and
//! forgetting a customer (admin only) removing their history from answers.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Currency, LineKind, Money, OrderLine};
use serde_json::Value;
use tower::ServiceExt;

struct App {
    state: AppState,
    public: String,
    admin: String,
    _dir: tempfile::TempDir,
}

async fn call(app: &App, method: &str, uri: &str, key: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {key}"))
        .body(Body::empty())
        .unwrap();
    let response = router(app.state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Mugs and saucers go together in ten orders; customer "ann" bought a mug
/// three times.
fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let mut lines = Vec::new();
    let line = |order: String, n: u32, customer: Option<&str>, sku: &str, day: i64| OrderLine {
        order_id: order,
        line_no: n,
        ordered_at: 1_700_000_000 + day * 86_400,
        customer_id: customer.map(Into::into),
        sku: sku.into(),
        title: Some(format!("{sku} title")),
        quantity: 1,
        unit_price: Some(Money::new(1_500, Currency::USD)),
        country: None,
        kind: LineKind::Sale,
    };
    for k in 0..10 {
        let c = format!("c{k}");
        lines.push(line(format!("o{k}"), 0, Some(&c), "MUG", k));
        lines.push(line(format!("o{k}"), 1, Some(&c), "SAUCER", k));
    }
    for k in 0..3 {
        lines.push(line(format!("ann{k}"), 0, Some("ann"), "MUG", 20 + k));
        lines.push(line(format!("ann{k}"), 1, Some("ann"), "SPOON", 20 + k));
    }
    lines.push(line("x".into(), 0, None, "PLATE", 25));
    store.import_order_lines(lines.into_iter().map(Ok::<_, std::io::Error>)).unwrap();
    let admin = store.create_key(store::NewKey::role(store::Role::Admin, "admin"), 1_750_000_000).unwrap().0;
    let public =
        store.create_key(store::NewKey::role(store::Role::Public, "storefront"), 1_750_000_000).unwrap().0;
    App { state: AppState::new(crate::app_on(store), dir.path()), public, admin, _dir: dir }
}

fn check_items(v: &Value) {
    assert!(v["context"]["kind"].is_string(), "{v}");
    for it in v["items"].as_array().unwrap() {
        for k in ["id", "handle", "title", "skus", "score", "why"] {
            assert!(it.get(k).is_some(), "item lacks {k}: {it}");
        }
        for w in it["why"].as_array().unwrap() {
            for k in ["signal", "detail", "contribution"] {
                assert!(w.get(k).is_some(), "why lacks {k}: {w}");
            }
        }
    }
}

#[tokio::test]
async fn every_context_answers_with_reasons() {
    let app = app();
    let (s, v) = call(&app, "GET", "/v1/recommendations?product=MUG&limit=3", &app.public).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    check_items(&v);
    assert_eq!(v["items"][0]["handle"], "SAUCER", "{v}");
    let detail = v["items"][0]["why"][0]["detail"].as_str().unwrap();
    assert!(detail.contains("in 10 orders"), "{detail}");
    for q in [
        "customer=ann",
        "customer=stranger",
        "cart=MUG",
        "session=s1",
        "gift=for%20mom%2C%20under%20200",
        "trending=true",
    ] {
        let (s, v) = call(&app, "GET", &format!("/v1/recommendations?{q}&limit=5"), &app.public).await;
        assert_eq!(s, StatusCode::OK, "{q}: {v}");
        check_items(&v);
    }
    let (_, v) = call(&app, "GET", "/v1/recommendations?gift=for%20mom%2C%20under%20200", &app.public).await;
    assert_eq!(v["context"]["gift"]["recipient"], "mother", "{v}");
    assert_eq!(v["context"]["gift"]["budget_max"], 200.0, "{v}");
}

#[tokio::test]
async fn bad_queries_are_400_and_unknown_products_404() {
    let app = app();
    for q in [
        "",
        "product=MUG&customer=ann",
        "product=MUG&limit=0",
        "product=MUG&limit=1000",
        "limit=abc&product=MUG",
    ] {
        let (s, v) = call(&app, "GET", &format!("/v1/recommendations?{q}"), &app.public).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{q}: {v}");
        assert!(v["code"].is_string(), "{v}");
    }
    let (s, v) = call(&app, "GET", "/v1/recommendations?product=NOPE", &app.public).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{v}");
}

#[tokio::test]
async fn forgetting_a_customer_is_admin_only_and_takes_effect() {
    let app = app();
    let (_, before) = call(&app, "GET", "/v1/recommendations?customer=ann", &app.public).await;
    assert_eq!(before["context"]["known"], true, "{before}");
    let (s, _) = call(&app, "DELETE", "/v1/customers/ann", &app.public).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, v) = call(&app, "DELETE", "/v1/customers/ann", &app.admin).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["order_lines_anonymized"], 6, "{v}");
    let (_, after) = call(&app, "GET", "/v1/recommendations?customer=ann", &app.public).await;
    assert_eq!(after["context"]["known"], false, "{after}");
    let reasons = after["items"].to_string();
    assert!(!reasons.contains("you bought") && !reasons.contains("you have ordered"), "{reasons}");
}
