//! The HTTP API through the real router, called in-process with `oneshot`:
//! status codes, the error shape, auth roles, body limits, the task flow.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use loupe_http::{router, AppState, Limits};
use model::{Category, Currency, Money, Product, Variant};
use serde_json::{json, Value};
use tower::ServiceExt;

struct TestApp {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

impl TestApp {
    fn new() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_temporary().unwrap();
        let state = AppState::new(crate::app_on(store.clone()), dir.path());
        TestApp { store, state, _dir: dir }
    }

    fn with_limits(mut self, limits: Limits) -> TestApp {
        self.state = self.state.with_limits(limits);
        self
    }

    fn router(&self) -> Router {
        router(self.state.clone())
    }

    async fn call(&self, req: Request<Body>) -> Reply {
        let response = self.router().oneshot(req).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: body.to_vec() }
    }

    async fn get(&self, uri: &str) -> Reply {
        self.call(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    async fn get_with_key(&self, uri: &str, key: &str) -> Reply {
        self.call(
            Request::get(uri).header("authorization", format!("Bearer {key}")).body(Body::empty()).unwrap(),
        )
        .await
    }

    async fn post_json(&self, uri: &str, body: &str) -> Reply {
        self.call(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    fn seed(&self, products: Vec<Product>) {
        self.store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    }
}

struct Reply {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts the status and the `{"code", "message"}` error shape.
    #[track_caller]
    fn assert_error(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "body: {}", self.text());
        let v = self.json();
        assert_eq!(v["code"], code, "body: {v}");
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "body: {v}");
        assert_eq!(v.as_object().unwrap().len(), 2, "only code and message: {v}");
    }
}

fn product(handle: &str, title: &str, category: Category, price_cents: i64) -> Product {
    Product {
        handle: handle.into(),
        title: title.into(),
        category: Some(category),
        variants: vec![Variant {
            sku: format!("{handle}-1"),
            price: Some(Money::new(price_cents, Currency::USD)),
            inventory: Some(3),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

fn three_products() -> Vec<Product> {
    vec![
        product("pearl-studs", "Pearl studs", Category::Earrings, 12_000),
        product("gold-band", "14K gold band", Category::Ring, 45_000),
        product("tennis-bracelet", "Diamond tennis bracelet", Category::Bracelet, 320_000),
    ]
}

#[tokio::test]
async fn health_answers_with_catalog_size() {
    let app = TestApp::new();
    app.seed(three_products());
    let r = app.get("/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["products"], 3);
    assert_eq!(v["auth"], "open");
}

#[tokio::test]
async fn products_are_listed_a_page_at_a_time() {
    let app = TestApp::new();
    app.seed(three_products());
    let v = app.get("/v1/products").await.json();
    assert_eq!(v["total"], 3);
    assert_eq!(v["items"].as_array().unwrap().len(), 3);
    assert_eq!(v["items"][0]["handle"], "pearl-studs");
    assert_eq!(v["items"][0]["price"], json!({"min": 120.0, "max": 120.0, "currency": "USD"}));

    let v = app.get("/v1/products?limit=1&offset=1").await.json();
    assert_eq!((v["total"].as_u64(), v["limit"].as_u64(), v["offset"].as_u64()), (Some(3), Some(1), Some(1)));
    assert_eq!(v["items"][0]["handle"], "gold-band");

    let v = app.get("/v1/products?category=ring").await.json();
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["category"], "ring");

    let v = app.get("/v1/products?offset=10").await.json();
    assert_eq!(v["items"], json!([]));
}

/// Issue 11: products page by an opaque cursor too; walking it visits every
/// product once.
#[tokio::test]
async fn walking_the_product_cursor_visits_every_product_once() {
    let app = TestApp::new();
    app.seed(three_products());
    let all = app.get("/v1/products").await.json();
    assert_eq!(all["next_cursor"], Value::Null);
    let mut seen = Vec::new();
    let mut uri = "/v1/products?limit=2".to_string();
    loop {
        let v = app.get(&uri).await.json();
        seen.extend(v["items"].as_array().unwrap().iter().map(|p| p["handle"].clone()));
        match v["next_cursor"].as_str() {
            Some(c) => uri = format!("/v1/products?limit=2&cursor={c}"),
            None => break,
        }
        assert!(seen.len() < 10, "the cursor never ended");
    }
    assert_eq!(
        json!(seen),
        all["items"].as_array().unwrap().iter().map(|p| p["handle"].clone()).collect::<Value>()
    );
    app.get("/v1/products?cursor=zz").await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn bad_list_parameters_are_400s() {
    let app = TestApp::new();
    app.get("/v1/products?category=tiara").await.assert_error(StatusCode::BAD_REQUEST, "invalid_category");
    app.get("/v1/products?limit=0").await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    app.get("/v1/products?limit=100000").await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    app.get("/v1/products?limit=ten").await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    app.get("/v1/products?offset=-1").await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn a_product_is_found_by_id_or_handle() {
    let app = TestApp::new();
    app.seed(three_products());
    let id = app.store.product_by_handle("gold-band").unwrap().unwrap().id;
    let v = app.get(&format!("/v1/products/{id}")).await.json();
    assert_eq!(v["handle"], "gold-band");
    assert_eq!(v["variants"][0]["sku"], "gold-band-1");
    assert!(v.get("quality_issues").is_some() && v.get("description").is_some());

    let v = app.get("/v1/products/tennis-bracelet").await.json();
    assert_eq!(v["title"], "Diamond tennis bracelet");

    app.get("/v1/products/999999").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/v1/products/no-such-thing").await.assert_error(StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn unknown_api_routes_and_methods_answer_json() {
    let app = TestApp::new();
    app.get("/v1/nope").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    app.get("/v1").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    let r = app.call(Request::delete("/v1/products").body(Body::empty()).unwrap()).await;
    r.assert_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    assert!(r.headers.get(header::ALLOW).is_some(), "405 keeps its Allow header");
    // Pages answer HTML, not JSON.
    let r = app.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
}

#[tokio::test]
async fn keys_are_enforced_once_one_exists() {
    let app = TestApp::new();
    app.seed(three_products());
    // No keys: open.
    assert_eq!(app.get("/v1/products").await.status, StatusCode::OK);
    assert_eq!(app.get("/v1/tasks").await.status, StatusCode::OK);

    let admin =
        app.store.create_key(store::NewKey::role(store::Role::Admin, "ops"), 1_750_000_000).unwrap().0;
    let public = app
        .store
        .create_key(store::NewKey::role(store::Role::Public, "storefront"), 1_750_000_000)
        .unwrap()
        .0;

    app.get("/v1/products").await.assert_error(StatusCode::UNAUTHORIZED, "missing_api_key");
    app.get_with_key("/v1/products", "lp_admin_wrong")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "invalid_api_key");
    assert_eq!(app.get_with_key("/v1/products", &public).await.status, StatusCode::OK);
    assert_eq!(app.get_with_key("/v1/products", &admin).await.status, StatusCode::OK);
    let r = app
        .call(
            Request::get("/v1/products/gold-band").header("x-api-key", &public).body(Body::empty()).unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Public keys read; only admin keys write or see tasks.
    app.get_with_key("/v1/tasks", &public).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let events = Request::post("/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .header("authorization", format!("Bearer {public}"));
    app.call(events.body(Body::from("[]")).unwrap()).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    let events = Request::post("/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .header("authorization", format!("Bearer {admin}"));
    assert_eq!(app.call(events.body(Body::from("[]")).unwrap()).await.status, StatusCode::OK);

    // Health and the API document stay open.
    assert_eq!(app.get("/health").await.json()["auth"], "keys");
    assert_eq!(app.get("/openapi.json").await.status, StatusCode::OK);
    // Regression (issue 10): the README gives public keys the catalog, search
    // and recommendations only, but forecasts answered a public key and the
    // metrics answered anyone.
    app.get("/metrics").await.assert_error(StatusCode::UNAUTHORIZED, "missing_api_key");
    app.get_with_key("/metrics", &public).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.get_with_key("/metrics", &admin).await.status, StatusCode::OK);
    // The back-office's Metrics link works with the browser's Basic login.
    let r = app
        .call(
            Request::get("/metrics")
                .header("authorization", format!("Basic {}", base64(&format!("admin:{admin}"))))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // Writes never take a Basic login: a browser would send it for any site.
    let events = Request::post("/v1/events")
        .header(header::CONTENT_TYPE, "application/json")
        .header("authorization", format!("Basic {}", base64(&format!("admin:{admin}"))));
    app.call(events.body(Body::from("[]")).unwrap())
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "missing_api_key");
    app.get("/v1/forecasts").await.assert_error(StatusCode::UNAUTHORIZED, "missing_api_key");
    app.get_with_key("/v1/forecasts", &public).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.get_with_key("/v1/search?q=ring", &public).await.status, StatusCode::OK);
    // The back-office asks a browser for the admin key (Basic auth, key as password).
    let r = app.get("/admin").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.headers[header::WWW_AUTHENTICATE].to_str().unwrap().starts_with("Basic"));
    let basic = |user_key: &str| format!("Basic {}", base64(user_key));
    let r = app
        .call(
            Request::get("/admin")
                .header("authorization", basic(&format!("admin:{admin}")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .call(
            Request::get("/admin")
                .header("authorization", basic(&format!("x:{public}")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The storefront is the public shop.
    assert_eq!(app.get("/").await.status, StatusCode::OK);
}

pub(crate) fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[tokio::test]
async fn events_are_checked_one_by_one_and_deduplicated() {
    let app = TestApp::new();
    let batch = json!([
        {"id": "e1", "kind": "view", "at": 1_700_000_000_000i64, "product": "gold-band"},
        {"id": "e2", "kind": "levitate", "at": 1_700_000_000_001i64},
        {"id": "e3", "kind": "search", "at": 1_700_000_000_002i64, "query": "pearl studs", "results": ["pearl-studs"]},
        "not an event",
        {"kind": "click", "at": 1_700_000_000_003i64}
    ])
    .to_string();
    let v = app.post_json("/v1/events", &batch).await.json();
    assert_eq!(v["accepted"], 2);
    assert_eq!(v["duplicates"], 0);
    let rejected: Vec<u64> =
        v["rejected"].as_array().unwrap().iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(rejected, [1, 3, 4]);
    assert!(v["rejected"][0]["reason"].as_str().unwrap().contains("levitate"));
    assert_eq!(app.store.events().unwrap().len(), 2);

    // The same batch again: nothing new.
    let v = app.post_json("/v1/events", &batch).await.json();
    assert_eq!((v["accepted"].as_u64(), v["duplicates"].as_u64()), (Some(0), Some(2)));
    assert_eq!(app.store.events().unwrap().len(), 2);
}

#[tokio::test]
async fn bad_bodies_get_the_error_shape_not_a_500() {
    let app = TestApp::new();
    app.post_json("/v1/events", "[{\"id\": not json")
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    app.post_json("/v1/events", r#"{"id": "e1"}"#)
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    app.post_json("/v1/events", "").await.assert_error(StatusCode::BAD_REQUEST, "invalid_json");
    let r = app
        .call(
            Request::post("/v1/events")
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("[]"))
                .unwrap(),
        )
        .await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    let r = app.call(Request::post("/v1/events").body(Body::from("[]")).unwrap()).await;
    r.assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    // Invalid UTF-8 in a JSON body.
    let r = app
        .call(
            Request::post("/v1/events")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(vec![b'[', 0xff, b']']))
                .unwrap(),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    r.assert_error(r.status, r.json()["code"].as_str().unwrap());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::new();
    // Events allow 8 MiB: one byte more is refused without a 500.
    let big = format!("[\"{}\"]", "x".repeat(8 * 1024 * 1024));
    app.post_json("/v1/events", &big).await.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");

    let app = TestApp::new().with_limits(Limits { import_bytes: 1000, ..Limits::default() });
    // Declared too large: refused before reading.
    let declared = Request::post("/v1/imports?kind=catalog").header(header::CONTENT_LENGTH, "2000");
    app.call(declared.body(Body::from(vec![b'a'; 2000])).unwrap())
        .await
        .assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // No declared length (a request built in-process has none), too large once read.
    let r =
        app.call(Request::post("/v1/imports?kind=catalog").body(Body::from(vec![b'a'; 1001])).unwrap()).await;
    r.assert_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    // Nothing is left behind in the spool directory.
    let spooled: Vec<_> = std::fs::read_dir(app._dir.path().join("tmp")).unwrap().collect();
    assert!(spooled.is_empty(), "{spooled:?}");
}

#[tokio::test]
async fn import_requests_are_checked_before_reading_the_body() {
    let app = TestApp::new();
    let post = |uri: &str| Request::post(uri).body(Body::from("Handle,Title\nring,Ring\n")).unwrap();
    app.call(post("/v1/imports")).await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    app.call(post("/v1/imports?kind=photos")).await.assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    app.call(post("/v1/imports?kind=catalog&map=sku"))
        .await
        .assert_error(StatusCode::BAD_REQUEST, "invalid_query");
    let multipart = Request::post("/v1/imports?kind=catalog")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .body(Body::from("--x--"))
        .unwrap();
    app.call(multipart).await.assert_error(StatusCode::BAD_REQUEST, "empty_body");
    let empty = Request::post("/v1/imports?kind=catalog").body(Body::empty()).unwrap();
    app.call(empty).await.assert_error(StatusCode::BAD_REQUEST, "empty_body");
}

const SHOPIFY_CSV: &str = "\
Handle,Title,Body (HTML),Vendor,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty,Status
solitaire-ring,Solitaire Ring 14K White Gold,<p>A lab-grown diamond.</p>,Maison,Rings,bridal,Size,6,SOL-6,1650.00,2,active
solitaire-ring,,,,,,,7,SOL-7,1650.00,1,active
pearl-studs,Pearl Stud Earrings,Freshwater pearls on sterling silver posts.,Maison,Earrings,pearl,,,PS-1,120.00,10,active
";

/// A form upload (`curl -F file=@products.csv`) imports like a raw body,
/// named by the part's file name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_upload_imports_like_a_raw_body() {
    let app = TestApp::new();
    let body = format!(
        "--b0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nignored\r\n\
         --b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"products.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{SHOPIFY_CSV}\r\n--b0undary--\r\n"
    );
    let r = app
        .call(
            Request::post("/v1/imports?kind=catalog")
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b0undary")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["task_id"].as_str().unwrap().to_string();
    let task = wait_for_task(&app, &id).await;
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(task["report"]["file"], "products.csv");
    assert_eq!(app.store.product_count().unwrap(), 2);
}

/// Polls a task until it finishes.
async fn wait_for_task(app: &TestApp, id: &str) -> Value {
    for _ in 0..200 {
        let v = app.get(&format!("/v1/tasks/{id}")).await.json();
        if v["status"] == "succeeded" || v["status"] == "failed" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("task {id} did not finish");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_runs_as_a_task() {
    let app = TestApp::new();
    let r = app
        .call(
            Request::post("/v1/imports?kind=catalog&format=shopify")
                .header(header::CONTENT_TYPE, "text/csv")
                .body(Body::from(SHOPIFY_CSV))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let accepted = r.json();
    let id = accepted["task_id"].as_str().unwrap().to_string();
    assert_eq!(accepted["status_url"], format!("/v1/tasks/{id}"));
    assert_eq!(r.headers[header::LOCATION], format!("/v1/tasks/{id}").as_str());

    let task = wait_for_task(&app, &id).await;
    assert_eq!(task["kind"], "import_catalog");
    assert_eq!(task["status"], "succeeded", "{task}");
    assert!(task["finished_at"].as_i64() >= task["started_at"].as_i64());
    assert_eq!(task["report"]["catalog"]["products_total"], 2, "{task}");
    assert_eq!(app.store.product_count().unwrap(), 2);
    assert_eq!(app.get("/v1/products").await.json()["total"], 2);

    // The task is listed, and unknown ids are 404s.
    let tasks = app.get("/v1/tasks").await.json();
    assert_eq!(tasks[0]["id"], id.as_str());
    app.get("/v1/tasks/t0").await.assert_error(StatusCode::NOT_FOUND, "not_found");
    // The spooled upload is gone.
    let spooled: Vec<_> = std::fs::read_dir(app._dir.path().join("tmp")).unwrap().collect();
    assert!(spooled.is_empty(), "{spooled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_file_is_refused_at_once_and_changes_nothing() {
    let app = TestApp::new();
    app.seed(three_products());
    let r = app
        .call(
            Request::post("/v1/imports?kind=catalog&filename=mine.bin")
                .body(Body::from("\u{0}\u{1}garbage"))
                .unwrap(),
        )
        .await;
    r.assert_error(StatusCode::BAD_REQUEST, "invalid_import");
    let message = r.json()["message"].as_str().unwrap().to_string();
    assert!(message.starts_with("mine.bin: "), "named as the client named it: {message}");
    assert!(!message.contains("/tmp/") && !message.contains("upload-"), "no server paths: {message}");
    // Nothing was written and nothing was kept.
    assert_eq!(app.store.product_count().unwrap(), 3);
    assert!(app.get("/v1/tasks").await.json().as_array().unwrap().is_empty());
    let spooled: Vec<_> = std::fs::read_dir(app._dir.path().join("tmp")).unwrap().collect();
    assert!(spooled.is_empty(), "{spooled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_whose_rows_all_fail_is_a_failed_task_and_changes_nothing() {
    let app = TestApp::new();
    app.seed(three_products());
    let file = "order_id,ordered_at,sku,quantity,unit_price\nA1,not a date,S1,1,10\nA2,yesterday,S2,1,10\n";
    let r = app.call(Request::post("/v1/imports?kind=orders").body(Body::from(file)).unwrap()).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    let id = r.json()["task_id"].as_str().unwrap().to_string();
    let task = wait_for_task(&app, &id).await;
    assert_eq!(task["status"], "failed", "{task}");
    assert_eq!(task["error"]["code"], "nothing_imported", "{task}");
    let message = task["error"]["message"].as_str().unwrap();
    assert!(message.contains("line 2"), "says where: {message}");
    assert!(!message.contains("line 2: line 2"), "says it once: {message}");
    assert!(!message.contains("/tmp/"), "no server paths in errors: {task}");
    assert_eq!(app.store.product_count().unwrap(), 3);
    assert!(app.store.order_lines().unwrap().is_empty());
}

#[tokio::test]
async fn a_store_fault_answers_500_with_a_request_id_and_no_details() {
    let app = TestApp::new();
    // A task record that no longer decodes: a fault of the store's data, not
    // of the request.
    app.store.put_task("t1", "{not json at all").unwrap();
    let r = app.get("/v1/tasks/t1").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.text());
    let body = r.json();
    assert_eq!(body["code"], "internal");
    let id = body["request_id"].as_str().expect("a request id in the body").to_string();
    assert_eq!(r.headers["x-request-id"].to_str().unwrap(), id, "the same id in the header");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&id), "{message}");
    assert!(!message.contains("decode") && !message.contains("t1"), "no internal text: {message}");
    // Every answer carries an id, distinct per request.
    let other = app.get("/health").await;
    assert_ne!(other.headers["x-request-id"], r.headers["x-request-id"]);
}

#[tokio::test]
async fn metrics_count_requests_per_route_pattern() {
    let app = TestApp::new();
    app.seed(three_products());
    let router = app.router();
    for uri in ["/v1/products/1", "/v1/products/2", "/v1/products/zzz"] {
        router.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    }
    let response = router.oneshot(Request::get("/metrics").body(Body::empty()).unwrap()).await.unwrap();
    assert!(response.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    assert!(
        text.contains(
            "loupe_http_requests_total{method=\"GET\",route=\"/v1/products/{id}\",status=\"200\"} 2"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "loupe_http_requests_total{method=\"GET\",route=\"/v1/products/{id}\",status=\"404\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("loupe_products 3\n"), "{text}");
}

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_each_answers() {
    let app = TestApp::new();
    app.seed(three_products());
    let doc = app.get("/openapi.json").await.json();
    assert_eq!(doc["openapi"], "3.1.0");
    // Every field an answer carries is in its schema (regression: image_url,
    // collection and styles were missing from ProductDetail).
    let schemas = &doc["components"]["schemas"];
    let product = app.get("/v1/products/1").await.json();
    let search = app.get("/v1/search?q=ring").await.json();
    for (name, answer) in [("ProductDetail", &product), ("SearchResponse", &search)] {
        let props = schemas[name]["properties"].as_object().unwrap();
        for key in answer.as_object().unwrap().keys() {
            assert!(props.contains_key(key), "{name} does not document `{key}`");
        }
    }
    // Every search filter is a documented parameter.
    let params: Vec<&str> = doc["paths"]["/v1/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for field in search::FILTER_FIELDS {
        assert!(params.contains(&field), "the search filter {field} is not documented: {params:?}");
    }
    // The error table is in the document, code by code.
    let codes = doc["components"]["schemas"]["Error"]["properties"]["code"]["enum"].as_array().unwrap();
    for code in app::Code::ALL {
        assert!(codes.iter().any(|c| c == code.as_str()), "{} missing from the Error schema", code.as_str());
    }
    let paths = doc["paths"].as_object().unwrap();
    for required in [
        "/health",
        "/metrics",
        "/openapi.json",
        "/v1/products",
        "/v1/products/{id}",
        "/v1/imports",
        "/v1/tasks/{id}",
        "/v1/events",
    ] {
        assert!(paths.contains_key(required), "{required} missing from the document");
    }
    // Every documented operation is routed: no JSON 404 "no route" and no 405.
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let uri = path.replace("{id}", "1");
            let req = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).unwrap())
                .uri(&uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("[]"))
                .unwrap();
            let r = app.call(req).await;
            assert_ne!(r.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if r.status == StatusCode::NOT_FOUND {
                assert!(
                    !r.json()["message"].as_str().unwrap().starts_with("no route"),
                    "{method} {path} is not routed"
                );
            }
            // Every operation documents its responses and refers only to known schemas.
            let op = &item[method];
            assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}");
        }
    }
    let text = doc.to_string();
    for name in text.split("#/components/schemas/").skip(1).map(|s| s.split('"').next().unwrap()) {
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "schema {name} is referred to but not defined"
        );
    }
    // HTML pages stay out of the API document.
    assert!(!paths.contains_key("/admin") && !paths.contains_key("/"));
}

#[tokio::test]
async fn writes_from_another_site_are_refused() {
    let app = TestApp::new();
    let batch = r#"[{"id": "e1", "kind": "view", "at": 1700000000000, "product": "ring"}]"#;
    let post = |origin: Option<&str>| {
        let mut req = Request::post("/v1/events")
            .header(header::HOST, "127.0.0.1:7700")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        req.body(Body::from(batch)).unwrap()
    };
    app.call(post(Some("https://evil.example"))).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    app.call(post(Some("null"))).await.assert_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(app.call(post(Some("http://127.0.0.1:7700"))).await.status, StatusCode::OK, "same origin");
    assert_eq!(app.call(post(None)).await.status, StatusCode::OK, "not a browser");
    assert_eq!(app.store.events().unwrap().len(), 1);
    // Reads are not affected.
    let r = app
        .call(
            Request::get("/v1/products")
                .header(header::ORIGIN, "https://shop.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// The storefront's decisions reach the decision log at the sampling rate
/// (issue 18): a search a rule changed, recommendations shown, an exposed
/// experiment assignment; a new support case's triage always.
#[tokio::test]
async fn storefront_decisions_are_recorded_at_the_sampling_rate() {
    let app = TestApp::new();
    app.seed(three_products());
    let kinds = |app: &TestApp| {
        let mut seen = Vec::new();
        app.store
            .for_each_decision(|d| {
                seen.push(d.kind);
                true
            })
            .unwrap();
        seen
    };
    let rule = r#"{"id":"gold-first","action":"pin","products":["gold-band"],"query":"gold"}"#;
    assert_eq!(app.post_json("/v1/rules", rule).await.status, StatusCode::CREATED);
    let ticket = r#"{"body":"My ring arrived broken and I need it for Saturday!","customer_id":"C9"}"#;
    let experiment = r#"{"key":"hero","target":"hero_product","metric":"conversion","variations":[{"name":"A","value":"x"},{"name":"B","value":"y"}]}"#;
    assert_eq!(app.post_json("/v1/experiments", experiment).await.status, StatusCode::CREATED);

    // Nothing sampled at rate 0 (the triage is always recorded).
    app::decisions::set_sampling(&app.state.app, 0.0).unwrap();
    let before = kinds(&app).len();
    assert_eq!(app.get("/v1/search?q=gold").await.status, StatusCode::OK);
    assert_eq!(app.get("/v1/recommendations?trending=true").await.status, StatusCode::OK);
    assert_eq!(app.get("/v1/experiments/assign?key=hero&user=v1").await.status, StatusCode::OK);
    assert_eq!(kinds(&app).len(), before, "{:?}", kinds(&app));
    assert_eq!(app.post_json("/v1/tickets", ticket).await.status, StatusCode::CREATED);
    assert_eq!(kinds(&app).last().map(String::as_str), Some("support_triage"));

    // Everything at rate 1; a search no rule touched is not a rule decision.
    app::decisions::set_sampling(&app.state.app, 1.0).unwrap();
    let before = kinds(&app).len();
    app.get("/v1/search?q=gold").await;
    app.get("/v1/search?q=pearl").await;
    app.get("/v1/recommendations?trending=true").await;
    app.get("/v1/experiments/assign?key=hero&user=v1").await;
    app.get("/v1/experiments/assign?key=hero&user=v2&expose=false").await;
    let new: Vec<String> = kinds(&app)[before..].to_vec();
    assert_eq!(new, ["search_rules", "recommendations", "experiment_assignment"], "{new:?}");
    let mut logged = Vec::new();
    app.store
        .for_each_decision(|d| {
            logged.push(d);
            true
        })
        .unwrap();
    let search = logged.iter().find(|d| d.kind == "search_rules").unwrap();
    assert_eq!(search.subject, "query:gold");
    assert!(search.reasons.contains("gold-first"), "{}", search.reasons);
    assert!(search.output.contains("gold-band"), "{}", search.output);
    let triage = logged.iter().find(|d| d.kind == "support_triage").unwrap();
    assert!(triage.output.contains("\"escalate\""), "{}", triage.output);
    assert!(
        !triage.inputs.contains("C9") && !triage.reasons.contains("broken"),
        "no personal data: {triage:?}"
    );
    assert!(store::verify_entries(logged, None).first_broken.is_none());
    assert!(app::decisions::set_sampling(&app.state.app, 1.5).is_err());
}
