//! The back-office's rule form through the real router (issue 11): the empty
//! state, a preview that changes nothing, saving through the same use case as
//! `/v1/rules`, mistakes shown by field with what was typed, editing and
//! deleting; and a rule's date window read from the application's clock.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Currency, Money, Product, Variant};
use serde_json::Value;
use tower::ServiceExt;

struct App {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

fn ring(handle: &str, title: &str, price: f64) -> Product {
    Product {
        handle: handle.into(),
        title: title.into(),
        category: Some(Category::Ring),
        variants: vec![Variant {
            sku: format!("{}-7", handle.to_uppercase()),
            price: Some(Money::from_major(price, Currency::USD)),
            inventory: Some(3),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

/// Three diamond rings and a band, over an application whose clock reads `now_ms`.
fn app_at(now_ms: Option<i64>) -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let products = vec![
        ring("halo-diamond-ring", "Halo Diamond Ring", 900.0),
        ring("solitaire-diamond-ring", "Solitaire Diamond Ring", 1200.0),
        ring("pave-diamond-ring", "Pave Diamond Ring", 700.0),
        ring("plain-band", "Plain Gold Band", 300.0),
    ];
    store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let app = match now_ms {
        Some(ms) => app::App::new(store.clone(), app::Clock::fixed(ms)),
        None => crate::app_on(store.clone()),
    };
    App { state: AppState::new(app, dir.path()), store, _dir: dir }
}

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, String, Option<String>) {
        let response = router(self.state.clone()).oneshot(req).await.unwrap();
        let status = response.status();
        let location = response.headers().get(header::LOCATION).map(|v| v.to_str().unwrap().to_string());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), location)
    }

    async fn page(&self, uri: &str) -> (StatusCode, String) {
        let (s, b, _) = self.call(Request::get(uri).body(Body::empty()).unwrap()).await;
        (s, b)
    }

    async fn json(&self, uri: &str) -> Value {
        serde_json::from_str(&self.page(uri).await.1).unwrap()
    }

    /// Posts a form as a browser on this site would.
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

/// The handles of the hits under `heading` in a preview, in order.
fn column<'a>(html: &'a str, heading: &str) -> Vec<&'a str> {
    let start = html.find(&format!("<h3>{heading}</h3>")).unwrap_or_else(|| panic!("no {heading}: {html}"));
    let rest = &html[start..];
    let end = rest.find("</ol>").unwrap_or(rest.len());
    rest[..end].split("href=\"/p/").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect()
}

fn pin(query: &str, products: &str, intent: &str) -> Vec<(&'static str, String)> {
    vec![
        ("original", String::new()),
        ("id", "hero".into()),
        ("action", "pin".into()),
        ("amount", String::new()),
        ("query", query.into()),
        ("category", String::new()),
        ("products", products.into()),
        ("starts_at", String::new()),
        ("ends_at", String::new()),
        ("intent", intent.into()),
    ]
}

fn fields<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[tokio::test]
async fn with_no_rules_the_search_page_says_what_a_rule_does() {
    let app = app_at(None);
    let (status, html) = app.page("/admin/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No rules yet: pin a product to the top of a query"), "{html}");
    assert!(html.contains("href=\"/admin/search/rules/new\""), "{html}");
    let (status, form) = app.page("/admin/search/rules/new?q=diamond+ring").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"diamond ring\""), "the tried query starts the rule: {form}");
}

/// A preview shows the rule's query with and without it, and saves nothing;
/// saving stores the rule (a SKU read as its product's handle) where the
/// API and the search see it, and the list shows it with edit and delete.
#[tokio::test]
async fn a_rule_is_previewed_then_saved_from_the_form() {
    let app = app_at(None);
    let form = pin("diamond ring", "PAVE-DIAMOND-RING-7", "preview");
    let (status, html, _) = app.post_form("/admin/search/rules", &fields(&form)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let without = column(&html, "Without this rule");
    let with = column(&html, "With this rule");
    assert_eq!(without.len(), 3, "{html}");
    assert_eq!(with.first(), Some(&"pave-diamond-ring"), "{html}");
    assert_ne!(without.first(), Some(&"pave-diamond-ring"), "the preview must show a change: {html}");
    assert!(
        html.contains("value=\"PAVE-DIAMOND-RING-7\"") || html.contains(">PAVE-DIAMOND-RING-7<"),
        "{html}"
    );
    assert_eq!(app.json("/v1/rules").await, serde_json::json!([]), "a preview saves nothing");

    let form = pin("diamond ring", "PAVE-DIAMOND-RING-7", "save");
    let (status, _, location) = app.post_form("/admin/search/rules", &fields(&form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/admin/search?saved=hero#rules"));
    let rules = app.json("/v1/rules").await;
    assert_eq!(rules[0]["id"], "hero");
    assert_eq!(rules[0]["products"], serde_json::json!(["pave-diamond-ring"]));
    let search = app.json("/v1/search?q=white+diamond+ring").await;
    assert_eq!(search["hits"][0]["handle"], "pave-diamond-ring", "{search}");
    let (_, list) = app.page("/admin/search?saved=hero").await;
    assert!(list.contains("Saved rule"), "{list}");
    assert!(list.contains("/admin/search/rules/edit?id=hero"), "{list}");
    assert!(list.contains("/admin/search/rules/delete?id=hero"), "{list}");
    assert!(!list.contains("No rules yet"), "{list}");

    // The same id again is a conflict, told on the id field.
    let (status, html, _) = app.post_form("/admin/search/rules", &fields(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("id=\"err-id\"") && html.contains("exists already"), "{html}");
}

/// Each mistake is named by its field and the form keeps what was typed;
/// nothing is stored.
#[tokio::test]
async fn mistakes_are_shown_by_field_and_keep_what_was_typed() {
    let app = app_at(None);
    let mut form = pin("", "halo-diamond-ring\nno-such-ring", "save");
    form[7].1 = "2027-03-01".into();
    form[8].1 = "2027-02-01".into();
    let (status, html, _) = app.post_form("/admin/search/rules", &fields(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    for want in [
        "id=\"err-query\"",
        "The query is empty",
        "id=\"err-products\"",
        "Unknown product handle or SKU: no-such-ring",
        "id=\"err-ends_at\"",
        "end date is before the start date",
        "halo-diamond-ring\nno-such-ring",
        "value=\"2027-03-01\"",
        "value=\"2027-02-01\"",
        "value=\"hero\"",
    ] {
        assert!(html.contains(want), "missing {want:?}: {html}");
    }
    assert_eq!(app.json("/v1/rules").await, serde_json::json!([]));
}

#[tokio::test]
async fn a_rule_is_edited_and_deleted_from_the_back_office() {
    let app = app_at(None);
    let form = pin("diamond ring", "halo-diamond-ring", "save");
    assert_eq!(app.post_form("/admin/search/rules", &fields(&form)).await.0, StatusCode::SEE_OTHER);
    let (status, edit) = app.page("/admin/search/rules/edit?id=hero").await;
    assert_eq!(status, StatusCode::OK);
    assert!(edit.contains("readonly") && edit.contains("halo-diamond-ring"), "{edit}");

    let mut form = pin("diamond ring", "halo-diamond-ring", "save");
    form[0].1 = "hero".into();
    form[2].1 = "boost".into();
    form[3].1 = "5".into();
    form[8].1 = "2030-01-01".into();
    let (status, _, location) = app.post_form("/admin/search/rules", &fields(&form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "editing is not a conflict");
    assert_eq!(location.as_deref(), Some("/admin/search?saved=hero#rules"));
    let rules = app.json("/v1/rules").await;
    assert_eq!((rules[0]["action"].as_str(), rules[0]["amount"].as_f64()), (Some("boost"), Some(5.0)));
    assert_eq!(rules[0]["ends_at"], "2030-01-01");

    let (status, confirm) = app.page("/admin/search/rules/delete?id=hero").await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Delete rule") && confirm.contains("method=\"post\""), "{confirm}");
    assert_eq!(app.json("/v1/rules").await.as_array().unwrap().len(), 1, "asking is not deleting");
    let (status, _, location) = app.post_form("/admin/search/rules/delete", &[("id", "hero")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some("/admin/search?deleted=hero#rules"));
    assert_eq!(app.json("/v1/rules").await, serde_json::json!([]));
    assert_eq!(app.page("/admin/search/rules/edit?id=hero").await.0, StatusCode::NOT_FOUND);
}

/// Another site's page cannot post the form: the browser's Origin gives it away.
#[tokio::test]
async fn a_rule_form_posted_from_another_site_is_refused() {
    let app = app_at(None);
    let req = Request::post("/admin/search/rules")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "127.0.0.1:7700")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from("id=x&action=hide&query=ring&products=plain-band&intent=save"))
        .unwrap();
    assert_eq!(app.call(req).await.0, StatusCode::FORBIDDEN);
    assert_eq!(app.json("/v1/rules").await, serde_json::json!([]));
}

/// A rule's window is read from the application's clock: before its start
/// and from its end the search is as if it did not exist.
#[tokio::test]
async fn a_rule_applies_only_inside_its_date_window_by_the_apps_clock() {
    let day = |d: &str| {
        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    };
    let rule = serde_json::json!({
        "id": "feb", "action": "pin", "products": ["plain-band"], "query": "ring",
        "starts_at": "2027-02-01", "ends_at": "2027-03-01",
    });
    for (today, pinned) in
        [("2027-01-31", false), ("2027-02-01", true), ("2027-02-28", true), ("2027-03-01", false)]
    {
        let app = app_at(Some(day(today)));
        app.store.put_doc("rules", "feb", &rule.to_string()).unwrap();
        let search = app.json("/v1/search?q=ring").await;
        let first = search["hits"][0]["handle"].as_str().unwrap();
        assert_eq!(first == "plain-band", pinned, "{today}: {search}");
    }
}
