//! `/v1/search`, `/v1/suggest` and `/v1/rules` through the real router:
//! the contract's shape, clear 400s for bad input, rules taking effect, and
//! the cached index following catalog changes.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Currency, Metal, Money, Product, Variant};
use serde_json::Value;
use tower::ServiceExt;

struct App {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

fn product(handle: &str, title: &str, category: Category, metal: &str, color: &str, price: f64) -> Product {
    Product {
        handle: handle.into(),
        title: title.into(),
        category: Some(category),
        variants: vec![Variant {
            sku: format!("{handle}-1"),
            price: Some(Money::from_major(price, Currency::USD)),
            metals: vec![Metal { kind: metal.into(), colors: vec![color.into()], ..Metal::default() }],
            inventory: Some(3),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

impl App {
    fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open_temporary().unwrap();
        let state = AppState::new(crate::app_on(store.clone()), dir.path());
        let app = App { store, state, _dir: dir };
        app.seed(vec![
            product("gold-band", "Gold Band Ring", Category::Ring, "gold", "yellow", 300.0),
            product("rose-hoops", "Rose Gold Hoops", Category::Earrings, "gold", "rose", 180.0),
            product("silver-studs", "Silver Studs", Category::Earrings, "silver", "", 60.0),
        ]);
        app
    }

    fn seed(&self, products: Vec<Product>) {
        self.store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, Value) {
        let response = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = response.status();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn get(&self, uri: &str) -> (StatusCode, Value) {
        self.call(Request::get(uri).body(Body::empty()).unwrap()).await
    }

    async fn send(&self, method: &str, uri: &str, body: &str) -> (StatusCode, Value) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.call(req).await
    }
}

fn handles(v: &Value) -> Vec<&str> {
    v["hits"].as_array().unwrap().iter().map(|h| h["handle"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn search_answers_the_contract() {
    let app = App::new();
    let (status, v) = app.get("/v1/search?q=earings+rose+gold&limit=5").await;
    assert_eq!(status, StatusCode::OK, "{v}");
    for key in ["query", "understood", "relaxed", "total", "hits", "facets"] {
        assert!(v.get(key).is_some(), "missing {key}: {v}");
    }
    assert_eq!(handles(&v), ["rose-hoops"]);
    let hit = &v["hits"][0];
    for key in ["id", "handle", "title", "score", "price", "variant_sku", "why"] {
        assert!(hit.get(key).is_some(), "hit lacks {key}");
    }
    assert_eq!(hit["variant_sku"], "rose-hoops-1");
    assert!(hit["why"]
        .as_array()
        .unwrap()
        .iter()
        .all(|w| w["signal"].is_string() && w["contribution"].is_number()));
    let constraints = v["understood"]["constraints"].as_array().unwrap();
    assert!(constraints.iter().any(|c| c["field"] == "category" && c["value"][0] == "earrings"), "{v}");
    let (_, v) = app.get("/v1/search?q=neckalce").await;
    assert_eq!(v["understood"]["corrections"][0]["to"], "necklace", "{v}");

    // Facet filters as parameters; multi-select within a field.
    let (_, v) = app.get("/v1/search?q=earrings&metal=gold,silver").await;
    assert_eq!(v["total"], 2);
    let (_, v) = app.get("/v1/search?q=&filter=category%3Dearrings&sort=price_asc").await;
    assert_eq!(handles(&v), ["silver-studs", "rose-hoops"]);
}

#[tokio::test]
async fn bad_input_is_a_clear_400_or_a_sane_result() {
    let app = App::new();
    for uri in [
        "/v1/search?q=ring&colour_of_sky=blue",
        "/v1/search?q=ring&filter=nope%3D1",
        "/v1/search?q=ring&price=500-100",
        "/v1/search?q=ring&limit=0",
        "/v1/search?q=ring&limit=100000",
        "/v1/search?q=ring&sort=sideways",
        "/v1/search?q=%ZZ",
        "/v1/suggest?q=go&x=1",
    ] {
        let (status, v) = app.get(uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {v}");
        assert!(v["code"].is_string() && v["message"].is_string(), "{uri}: {v}");
    }
    let long = "gold%20".repeat(1500);
    for q in [
        long.as_str(),
        "%00%01%1B%5B31m",
        "%F0%9F%92%8D",
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "'%20OR%201%3D1--",
        "",
    ] {
        let (status, v) = app.get(&format!("/v1/search?q={q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {v}");
    }
}

#[tokio::test]
async fn suggestions_rules_and_index_refresh() {
    let app = App::new();
    let (status, v) = app.get("/v1/suggest?q=rose+g").await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["queries"].as_array().unwrap().iter().any(|q| q == "rose gold"), "{v}");
    assert_eq!(v["products"][0]["handle"], "rose-hoops");

    let rule = r#"{"id": "hero", "action": "pin", "products": ["silver-studs"], "query": "earrings"}"#;
    let (status, v) = app.send("PUT", "/v1/rules/hero", rule).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, v) = app.get("/v1/search?q=gold+earrings").await;
    assert_eq!(handles(&v)[0], "silver-studs");
    assert_eq!(v["hits"][0]["why"][0]["detail"], "pinned by rule 'hero'");
    let (status, _) = app.send("POST", "/v1/rules", rule).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, v) =
        app.send("PUT", "/v1/rules/bad", r#"{"id": "bad", "action": "explode", "products": ["x"]}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    let (_, v) = app.get("/v1/rules").await;
    assert_eq!(v.as_array().unwrap().len(), 1);
    let (status, _) = app.send("DELETE", "/v1/rules/hero", "").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, v) = app.get("/v1/search?q=gold+earrings").await;
    assert_eq!(handles(&v)[0], "rose-hoops");
    let (status, _) = app.get("/v1/rules/hero").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A catalog change is searchable at once (the index follows the version).
    app.seed(vec![product("platinum-band", "Platinum Band", Category::WeddingBand, "platinum", "", 900.0)]);
    let (_, v) = app.get("/v1/search?q=platinum").await;
    assert_eq!(handles(&v), ["platinum-band"]);
}
