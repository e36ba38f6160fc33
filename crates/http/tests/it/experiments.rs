//! Experiments through the real router: `POST /v1/experiments` checks definitions, the public
//! `GET /v1/experiments/assign` is sticky and logs one exposure, the storefront's search applies a
//! search-ranking variation to the visitor in its cookie, and the back-office page reads results.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Currency, Money, Product, Variant};
use serde_json::{json, Value};
use tower::ServiceExt;

struct App {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

fn ring(handle: &str, title: &str) -> Product {
    Product {
        handle: handle.into(),
        title: title.into(),
        category: Some(Category::Ring),
        variants: vec![Variant {
            sku: format!("{}-7", handle.to_uppercase()),
            price: Some(Money::from_major(500.0, Currency::USD)),
            inventory: Some(3),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let products = vec![ring("halo-ring", "Halo Diamond Ring"), ring("band", "Gold Band")];
    store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let app = crate::app_on(store.clone());
    App { state: AppState::new(app, dir.path()), store, _dir: dir }
}

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, String, axum::http::HeaderMap) {
        let response = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }

    async fn get(&self, uri: &str) -> (StatusCode, String) {
        let (s, b, _) = self.call(Request::get(uri).body(Body::empty()).unwrap()).await;
        (s, b)
    }

    async fn post_json(&self, uri: &str, body: Value) -> (StatusCode, Value) {
        let req = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (s, b, _) = self.call(req).await;
        (s, serde_json::from_str(&b).unwrap_or(Value::Null))
    }
}

fn definition() -> Value {
    json!({
        "key": "ranking", "name": "Catalog-only ranking", "target": "search_ranking",
        "variations": [{"name": "Learned", "value": "learned"}, {"name": "Catalog only", "value": "catalog_only"}],
        "metric": "conversion", "guardrails": ["aov", "return_rate"]
    })
}

#[tokio::test]
async fn an_experiment_is_defined_assigned_and_read_over_http() {
    let app = app();
    let (s, body) = app
        .post_json(
            "/v1/experiments",
            json!({"key": "x", "target": "search_ranking",
        "variations": [{"name": "A", "value": "learned"}], "metric": "conversion"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "invalid_experiment", "{body}");

    let (s, created) = app.post_json("/v1/experiments", definition()).await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["status"], "running");
    assert_eq!(created["growthbook"]["hashVersion"], 2);
    let (s, _) = app.post_json("/v1/experiments", definition()).await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, first) = app.get("/v1/experiments/assign?key=ranking&user=v-123456789").await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let (_, again) = app.get("/v1/experiments/assign?key=ranking&user=v-123456789").await;
    assert_eq!(first, again, "sticky");
    let a: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(a["in_experiment"], true);
    assert_eq!(app.store.event_count().unwrap(), 1, "one exposure, logged once");
    let (s, _) = app.get("/v1/experiments/assign?key=ranking").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "a visitor id is required");
    let (s, _) = app.get("/v1/experiments/assign?key=nope&user=v-1").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let (s, results) = app.get("/v1/experiments/ranking/results").await;
    assert_eq!(s, StatusCode::OK, "{results}");
    let r: Value = serde_json::from_str(&results).unwrap();
    let visitors: u64 = r["arms"].as_array().unwrap().iter().map(|a| a["visitors"].as_u64().unwrap()).sum();
    assert_eq!(visitors, 1);
    assert_eq!(r["metrics"].as_array().unwrap().len(), 3, "primary and two guardrails");

    let (s, page) = app.get("/admin/experiments/view?key=ranking").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Sample-ratio check passed") && page.contains("Verdict"), "{page}");
    let (s, listing) = app.get("/admin/experiments").await;
    assert_eq!(s, StatusCode::OK);
    assert!(listing.contains("Catalog-only ranking"));

    // The back-office asks before stopping, then stops through a same-site form post.
    let (s, confirm) = app.get("/admin/experiments/stop?key=ranking").await;
    assert_eq!(s, StatusCode::OK);
    assert!(confirm.contains("cannot be restarted"), "{confirm}");
    let req = Request::post("/admin/experiments/stop")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:7700")
        .header(header::ORIGIN, "http://127.0.0.1:7700")
        .body(Body::from("key=ranking"))
        .unwrap();
    let (s, _, headers) = app.call(req).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION).unwrap(), "/admin/experiments/view?key=ranking");
    let (_, shown) = app.get("/v1/experiments/ranking").await;
    assert!(shown.contains("\"status\":\"stopped\""), "{shown}");
    let (s, stopped) = app.post_json("/v1/experiments/ranking/stop", json!({})).await;
    assert_eq!(
        (s, stopped["status"].as_str()),
        (StatusCode::OK, Some("stopped")),
        "stopping twice is harmless"
    );
}

#[tokio::test]
async fn the_storefront_search_assigns_the_visitor_in_its_cookie() {
    let app = app();
    app.post_json("/v1/experiments", definition()).await;
    let (s, _, headers) = app.call(Request::get("/search?q=ring").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let cookie =
        headers.get(header::SET_COOKIE).expect("a new visitor gets a cookie").to_str().unwrap().to_string();
    let id = cookie.split(';').next().unwrap().strip_prefix("loupe_vid=").unwrap().to_string();
    assert_eq!(app.store.event_count().unwrap(), 1, "the search exposed the visitor");
    // Coming back with the cookie: no new cookie, no second exposure, the same variation.
    let req = Request::get("/search?q=ring")
        .header(header::COOKIE, format!("loupe_vid={id}"))
        .body(Body::empty())
        .unwrap();
    let (s, _, headers) = app.call(req).await;
    assert_eq!(s, StatusCode::OK);
    assert!(headers.get(header::SET_COOKIE).is_none());
    assert_eq!(app.store.event_count().unwrap(), 1);
}

#[tokio::test]
async fn the_openapi_document_lists_the_experiment_routes() {
    let app = app();
    let (_, doc) = app.get("/openapi.json").await;
    let doc: Value = serde_json::from_str(&doc).unwrap();
    for path in ["/v1/experiments", "/v1/experiments/assign", "/v1/experiments/{key}/results"] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["ExperimentSpec"].is_object());
}
