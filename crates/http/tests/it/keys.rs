//! Keys with scopes, expiry and rotation; rate limits; CORS for the
//! storefront's origins (issue 18), through the real router in process.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState, GuardConfig};
use serde_json::Value;
use store::{NewKey, Role, Scope};
use tower::ServiceExt;

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn call(state: &AppState, req: Request<Body>) -> Reply {
    let response = router(state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply { status, headers, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

fn get(uri: &str, key: &str) -> Request<Body> {
    Request::get(uri).header("authorization", format!("Bearer {key}")).body(Body::empty()).unwrap()
}

fn post_events(key: &str) -> Request<Body> {
    Request::post("/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-api-key", key)
        .body(Body::from("[]"))
        .unwrap()
}

fn state_with(config: GuardConfig) -> (AppState, store::Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let state = AppState::new(crate::app_on(store.clone()), dir.path()).with_guard(config);
    (state, store, dir)
}

fn key(store: &store::Store, scopes: &[Scope]) -> String {
    let new =
        NewKey { name: "test".into(), scopes: scopes.to_vec(), expires_at: None, rate_per_minute: None };
    store.create_key(new, 1_750_000_000).unwrap().0
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[tokio::test]
async fn a_scope_opens_its_routes_and_no_others() {
    let (state, store, _dir) = state_with(GuardConfig::default());
    let storefront = key(&store, &[Scope::Search, Scope::EventsWrite]);
    let support = key(&store, &[Scope::AdminSupport]);
    let trust = key(&store, &[Scope::AdminTrust]);

    assert_eq!(call(&state, get("/v1/search?q=ring", &storefront)).await.status, StatusCode::OK);
    assert_eq!(
        call(&state, post_events(&storefront)).await.status,
        StatusCode::OK,
        "events:write posts events"
    );
    let r = call(&state, get("/v1/products", &storefront)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let message = r.body["message"].as_str().unwrap();
    assert!(message.contains("`catalog:read`") && message.contains("search, events:write"), "{message}");

    // An admin-area key opens its area's API and pages, nothing else.
    assert_eq!(call(&state, get("/v1/support/queue", &support)).await.status, StatusCode::OK);
    assert_eq!(call(&state, get("/v1/outbox", &support)).await.status, StatusCode::OK);
    assert_eq!(call(&state, get("/v1/decisions", &support)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&state, get("/v1/tasks", &support)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&state, get("/v1/search?q=ring", &support)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(call(&state, get("/v1/decisions", &trust)).await.status, StatusCode::OK);
    assert_eq!(call(&state, get("/v1/risk/customers", &trust)).await.status, StatusCode::OK);
    assert_eq!(call(&state, get("/v1/support/queue", &trust)).await.status, StatusCode::FORBIDDEN);
    let basic = |k: &str| {
        Request::get("/admin/audit")
            .header("authorization", format!("Basic {}", crate::http::base64(&format!("lead:{k}"))))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(call(&state, basic(&trust)).await.status, StatusCode::OK);
    // A key without the section's scope gets a page naming it, with the
    // sections it does open.
    let response = router(state.clone()).oneshot(basic(&support)).await.unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let html = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(html.contains("`admin:trust`"), "{html}");
    assert!(html.contains("href=\"/admin/support\"") && html.contains("href=\"/admin/care\""), "{html}");
    assert!(!html.contains("href=\"/admin/audit\"") && !html.contains("href=\"/admin/forecasts\""), "{html}");

    // The OpenAPI document names each operation's scope.
    let doc = call(&state, Request::get("/openapi.json").body(Body::empty()).unwrap()).await.body;
    let described =
        |path: &str, method: &str| doc["paths"][path][method]["description"].as_str().unwrap().to_string();
    assert!(described("/v1/events", "post").contains("`events:write`"));
    assert!(described("/v1/decisions", "get").contains("`admin:trust`"));
}

#[tokio::test]
async fn expired_keys_are_refused_and_rotation_keeps_both_during_the_overlap() {
    let (state, store, _dir) = state_with(GuardConfig::default());
    let expired = NewKey { expires_at: Some(now() - 5), ..NewKey::role(Role::Public, "old storefront") };
    let (expired, _) = store.create_key(expired, now() - 100).unwrap();
    let r = call(&state, get("/v1/products", &expired)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["code"], "expired_api_key");

    let (old, info) = store.create_key(NewKey::role(Role::Public, "storefront"), now()).unwrap();
    let (new, _) = store.rotate_key(info.id, now(), 3600).unwrap().unwrap();
    assert_eq!(
        call(&state, get("/v1/products", &old)).await.status,
        StatusCode::OK,
        "old key in the overlap"
    );
    assert_eq!(call(&state, get("/v1/products", &new)).await.status, StatusCode::OK);
    let (_, _) = store.rotate_key(info.id, now(), 0).unwrap().unwrap();
    assert_eq!(call(&state, get("/v1/products", &old)).await.body["code"], "expired_api_key");
    assert_eq!(call(&state, get("/v1/products", &new)).await.status, StatusCode::OK);

    // The use is recorded (off the request's thread).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let listed = store.list_keys().unwrap();
        let used = listed.iter().find(|k| k.id == info.id + 1).and_then(|k| k.last_used_at);
        if let Some(at) = used {
            assert!((at - now()).abs() < 60, "{at}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "last_used_at never written");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn from(addr: &str, mut req: Request<Body>) -> Request<Body> {
    req.extensions_mut().insert(ConnectInfo(addr.parse::<SocketAddr>().unwrap()));
    req
}

#[tokio::test]
async fn public_routes_are_limited_per_address_and_per_key_with_retry_after() {
    // 12 a minute: bursts of 2.
    let config = GuardConfig { per_address_per_minute: 12, per_key_per_minute: 12, ..GuardConfig::default() };
    let (state, store, _dir) = state_with(config);
    let page = || Request::get("/search?q=ring").body(Body::empty()).unwrap();
    assert_eq!(call(&state, from("203.0.113.7:5000", page())).await.status, StatusCode::OK);
    assert_eq!(call(&state, from("203.0.113.7:5001", page())).await.status, StatusCode::OK);
    let r = call(&state, from("203.0.113.7:5002", page())).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers[header::RETRY_AFTER], "5", "one request refills in 5 s at 12 a minute");
    assert!(
        r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"),
        "a page answers a page"
    );
    assert_eq!(call(&state, from("198.51.100.1:5000", page())).await.status, StatusCode::OK, "per address");
    // The health check and the assets are not limited.
    for _ in 0..5 {
        let health = Request::get("/health").body(Body::empty()).unwrap();
        assert_eq!(call(&state, from("203.0.113.7:5003", health)).await.status, StatusCode::OK);
    }

    // With keys, a key's bucket is its own, and a key may carry its own limit.
    let slow = NewKey { rate_per_minute: Some(6), ..NewKey::role(Role::Public, "slow") };
    let (slow, _) = store.create_key(slow, now()).unwrap();
    let (fast, _) = store.create_key(NewKey::role(Role::Public, "fast"), now()).unwrap();
    let api = |key: &str| from("203.0.113.9:1", get("/v1/search?q=ring", key));
    assert_eq!(call(&state, api(&slow)).await.status, StatusCode::OK);
    let r = call(&state, api(&slow)).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["code"], "rate_limited");
    assert_eq!(r.headers[header::RETRY_AFTER], "10");
    assert_eq!(call(&state, api(&fast)).await.status, StatusCode::OK, "another key, another bucket");
    assert_eq!(call(&state, api(&fast)).await.status, StatusCode::OK);
    // Admin routes are not limited.
    let (admin, _) = store.create_key(NewKey::role(Role::Admin, "ops"), now()).unwrap();
    for _ in 0..5 {
        assert_eq!(
            call(&state, from("203.0.113.9:1", get("/v1/tasks", &admin))).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_clients_are_told_apart_by_forwarded_for() {
    let config = GuardConfig { per_address_per_minute: 6, trust_proxy: true, ..GuardConfig::default() };
    let (state, _store, _dir) = state_with(config);
    let page = |client: &str| {
        from(
            "127.0.0.1:9000",
            Request::get("/")
                .header("x-forwarded-for", format!("10.0.0.1, {client}"))
                .body(Body::empty())
                .unwrap(),
        )
    };
    assert_eq!(call(&state, page("192.0.2.1")).await.status, StatusCode::OK);
    assert_eq!(call(&state, page("192.0.2.1")).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        call(&state, page("192.0.2.2")).await.status,
        StatusCode::OK,
        "the proxy's own address is not the client"
    );
}

#[tokio::test]
async fn cors_answers_configured_storefront_origins_on_public_routes_only() {
    let config = GuardConfig { cors_origins: vec!["https://shop.example".into()], ..GuardConfig::default() };
    let (state, store, _dir) = state_with(config);
    let storefront = key(&store, &[Scope::Search, Scope::EventsWrite]);
    let preflight = |origin: &str, path: &str, method: &str| {
        Request::builder()
            .method("OPTIONS")
            .uri(path)
            .header(header::ORIGIN, origin)
            .header("access-control-request-method", method)
            .header("access-control-request-headers", "authorization, content-type")
            .body(Body::empty())
            .unwrap()
    };
    let r = call(&state, preflight("https://shop.example", "/v1/events", "POST")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://shop.example");
    assert!(r.headers[header::ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap().contains("POST"));
    assert!(r.headers[header::ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap().contains("authorization"));
    let r = call(&state, preflight("https://evil.example", "/v1/events", "POST")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
    assert!(r.body["message"].as_str().unwrap().contains("--cors-origin"), "{}", r.body);
    // Admin routes answer no preflight at all.
    let r = call(&state, preflight("https://shop.example", "/v1/tasks", "GET")).await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // The real request gets its origin back, errors included.
    let mut search = get("/v1/search?q=ring", &storefront);
    search.headers_mut().insert(header::ORIGIN, "https://shop.example".parse().unwrap());
    let r = call(&state, search).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "https://shop.example");
    let mut unauthorized = Request::get("/v1/search?q=ring").body(Body::empty()).unwrap();
    unauthorized.headers_mut().insert(header::ORIGIN, "https://shop.example".parse().unwrap());
    let r = call(&state, unauthorized).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example",
        "the browser may read why"
    );
    let mut other = get("/v1/search?q=ring", &storefront);
    other.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    assert!(call(&state, other).await.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());

    // Writes from the storefront's origin reach the public routes only.
    let mut events = post_events(&storefront);
    events.headers_mut().insert(header::ORIGIN, "https://shop.example".parse().unwrap());
    events.headers_mut().insert(header::HOST, "api.shop.example".parse().unwrap());
    assert_eq!(call(&state, events).await.status, StatusCode::OK);
    let (admin, _) = store.create_key(NewKey::role(Role::Admin, "ops"), now()).unwrap();
    let rule = Request::post("/v1/rules")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "https://shop.example")
        .header(header::HOST, "api.shop.example")
        .header("x-api-key", &admin)
        .body(Body::from("{}"))
        .unwrap();
    let r = call(&state, rule).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body["message"].as_str().unwrap().contains("public routes only"), "{}", r.body);
    // And any other site's writes are refused as before.
    let mut events = post_events(&storefront);
    events.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
    events.headers_mut().insert(header::HOST, "api.shop.example".parse().unwrap());
    assert_eq!(call(&state, events).await.status, StatusCode::FORBIDDEN);
}
