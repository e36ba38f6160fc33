//! Forecasts, replenishment and slow movers over HTTP: the contract shape,
//! 400s for bad input, and a buyer's decision flowing into the audit log
//! and the purchase-order draft.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Currency, InventoryLevel, LineKind, Money, OrderLine};
use serde_json::Value;
use tower::ServiceExt;

struct App {
    store: store::Store,
    state: AppState,
    _dir: tempfile::TempDir,
}

async fn call(app: &App, req: Request<Body>) -> (StatusCode, String) {
    let response = router(app.state.clone()).oneshot(req).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn get(app: &App, uri: &str) -> (StatusCode, Value) {
    let (s, b) = call(app, Request::get(uri).body(Body::empty()).unwrap()).await;
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

async fn post(app: &App, uri: &str, body: &str) -> (StatusCode, Value) {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (s, b) = call(app, req).await;
    (s, serde_json::from_str(&b).unwrap_or(Value::Null))
}

/// Two SKUs sold daily for 20 weeks from Monday 2024-01-01; RING-7 nearly
/// out of stock, RING-8 with plenty.
fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    let mut lines = Vec::new();
    for d in 0..140i64 {
        let at = (start + chrono::Duration::days(d)).and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
        for (sku, qty) in [("RING-7", 3), ("RING-8", 1)] {
            lines.push(OrderLine {
                order_id: format!("{sku}-{d}"),
                line_no: 0,
                ordered_at: at,
                customer_id: None,
                sku: sku.into(),
                title: Some("Solitaire ring".into()),
                quantity: qty,
                unit_price: Some(Money::new(120_000, Currency::USD)),
                country: None,
                kind: LineKind::Sale,
            });
        }
    }
    store.import_order_lines(lines.into_iter().map(Ok::<_, std::io::Error>)).unwrap();
    let as_of = (start + chrono::Duration::days(139)).and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let inv = [("RING-7", 5), ("RING-8", 400)].map(|(sku, on_hand)| InventoryLevel {
        sku: sku.into(),
        location: "main".into(),
        on_hand,
        on_order: None,
        lead_time_days: Some(21),
        unit_cost: Some(Money::new(40_000, Currency::USD)),
        as_of: Some(as_of),
    });
    store.import_inventory(inv.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let state = AppState::new(crate::app_on(store.clone()), dir.path());
    App { store, state, _dir: dir }
}

#[tokio::test]
async fn forecasts_follow_the_contract() {
    let app = app();
    let (s, v) = get(&app, "/v1/forecasts?level=variant&freq=week&horizon=3").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for it in items {
        for k in ["level", "key", "sku", "freq", "model", "points", "why"] {
            assert!(it.get(k).is_some(), "{k} missing in {it}");
        }
        let pts = it["points"].as_array().unwrap();
        assert_eq!(pts.len(), 3);
        // History ends Sunday 2024-05-19: the next Monday.
        assert_eq!(pts[0]["period_start"], "2024-05-20");
        assert!(
            pts[0]["p10"].as_f64() <= pts[0]["p50"].as_f64()
                && pts[0]["p50"].as_f64() <= pts[0]["p90"].as_f64()
        );
    }
    let (s, v) = get(&app, "/v1/forecasts?level=total&sku=total").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"][0]["key"], "total");
    for bad in ["level=sideways", "freq=hour", "horizon=0", "horizon=27", "horizon=abc", "limit=0"] {
        let (s, v) = get(&app, &format!("/v1/forecasts?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {v}");
        assert!(v["code"].is_string() && v["message"].is_string());
    }
    let (s, _) = get(&app, "/v1/forecasts?sku=NOPE").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_decision_is_stored_logged_and_exported() {
    let app = app();
    let (s, v) = get(&app, "/v1/replenishment?orders_only=true").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{v}");
    assert_eq!(items[0]["sku"], "RING-7");
    assert!(items[0]["suggested_qty"].as_u64().unwrap() > 0);
    assert!(!items[0]["why"].as_array().unwrap().is_empty());

    let (s, v) = post(&app, "/v1/replenishment/RING-7/decision", r#"{"action":"shrug"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = post(&app, "/v1/replenishment/RING-7/decision", r#"{"action":"edit"}"#).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = post(&app, "/v1/replenishment/NOPE/decision", r#"{"action":"approve"}"#).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(&app, "/v1/replenishment/RING-7/decision", "{not json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    let (s, v) = post(
        &app,
        "/v1/replenishment/RING-7/decision",
        r#"{"action":"edit","quantity":24,"note":"case of 24"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["quantity"], 24);
    let (_, v) = get(&app, "/v1/replenishment").await;
    let ring = v["items"].as_array().unwrap().iter().find(|r| r["sku"] == "RING-7").unwrap().clone();
    assert_eq!(ring["decision"]["action"], "edit");
    assert!(app.store.get_doc("replenishment", "RING-7").unwrap().is_some());
    let audit = app.store.audit_log().unwrap();
    assert!(audit.iter().any(|a| a.action == "replenishment.edit" && a.subject == "RING-7"));

    let (s, csv) = call(&app, Request::get("/v1/replenishment/po.csv").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
    let mut rows = csv.lines();
    assert!(rows.next().unwrap().starts_with("sku,product,title,quantity"));
    let line = rows.next().unwrap();
    assert!(line.starts_with("RING-7,") && line.contains(",24,400.00,9600.00,"), "{line}");

    let (s, v) = get(&app, "/v1/slow-movers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (s, _) = call(&app, Request::get("/admin/forecasts").body(Body::empty()).unwrap()).await;
    assert_eq!(s, StatusCode::OK);
}

/// Regression: with a catalog and stock but no orders, the page drew a flat
/// "Model zero" line "from 2000-01-03" and called every variant a slow mover.
#[tokio::test]
async fn with_no_order_history_nothing_is_invented() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let inv = [("RING-7", 5), ("RING-8", 400)].map(|(sku, on_hand)| InventoryLevel {
        sku: sku.into(),
        location: "main".into(),
        on_hand,
        on_order: None,
        lead_time_days: None,
        unit_cost: None,
        as_of: Some(1_750_000_000),
    });
    store.import_inventory(inv.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let app = App { state: AppState::new(crate::app_on(store.clone()), dir.path()), store, _dir: dir };
    for uri in ["/v1/forecasts?level=total", "/v1/replenishment", "/v1/slow-movers"] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        assert_eq!(body["total"], 0, "{uri}: {body}");
    }
    let (status, page) = call(&app, Request::get("/admin/forecasts").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("No order history yet"), "{page}");
    assert!(!page.contains("2000-01-03") && !page.contains("Model zero"), "{page}");
    assert!(app.store.order_lines().unwrap().is_empty());
}

/// Regression: `/v1/replenishment` and `/v1/slow-movers` answered every
/// variant at once (13.8 MB for the demo brand).
#[tokio::test]
async fn long_lists_come_a_page_at_a_time() {
    let app = app();
    for list in ["/v1/replenishment", "/v1/slow-movers"] {
        let (status, all) = get(&app, list).await;
        assert_eq!(status, StatusCode::OK, "{list}: {all}");
        assert_eq!(all["limit"], 100, "{list}: the default page");
        let total = all["total"].as_u64().unwrap();
        assert_eq!(total, 2, "{list}: {all}");
        let (_, first) = get(&app, &format!("{list}?limit=1")).await;
        let (_, second) = get(&app, &format!("{list}?limit=1&offset=1")).await;
        assert_eq!(first["items"].as_array().unwrap().len(), 1);
        assert_eq!(first["total"], 2);
        assert_eq!(second["offset"], 1);
        assert_eq!(
            [first["items"][0]["sku"].clone(), second["items"][0]["sku"].clone()],
            [all["items"][0]["sku"].clone(), all["items"][1]["sku"].clone()],
            "{list}: pages follow the full list's order"
        );
        for bad in ["limit=0", "limit=5000", "limit=ten"] {
            let (status, body) = get(&app, &format!("{list}?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{list}?{bad}: {body}");
            assert_eq!(body["code"], "invalid_query");
        }
    }
}

/// Walks `list` a page of `limit` at a time by `next_cursor`, returning each
/// item's `key` in the order seen.
async fn walk(app: &App, list: &str, limit: usize, key: &str) -> Vec<Value> {
    let sep = if list.contains('?') { '&' } else { '?' };
    let mut seen = Vec::new();
    let mut uri = format!("{list}{sep}limit={limit}");
    for _ in 0..100 {
        let (status, page) = get(app, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {page}");
        seen.extend(page["items"].as_array().unwrap().iter().map(|i| i[key].clone()));
        match page["next_cursor"].as_str() {
            Some(c) => uri = format!("{list}{sep}limit={limit}&cursor={c}"),
            None => return seen,
        }
    }
    panic!("{list}: the cursor never ended");
}

/// Issue 11: every list pages by an opaque cursor; walking it visits every
/// item once, in the full list's order, and `offset` keeps working.
#[tokio::test]
async fn walking_the_cursor_visits_every_item_once() {
    let app = app();
    for (list, key) in [
        ("/v1/replenishment", "sku"),
        ("/v1/slow-movers", "sku"),
        ("/v1/forecasts?level=variant", "key"),
        ("/v1/forecasts?level=total", "key"),
    ] {
        let (_, all) = get(&app, list).await;
        let every: Vec<Value> = all["items"].as_array().unwrap().iter().map(|i| i[key].clone()).collect();
        assert!(!every.is_empty(), "{list}: {all}");
        assert_eq!(all["next_cursor"], Value::Null, "{list}: one page holds them all");
        for limit in [1, 2, 3] {
            assert_eq!(walk(&app, list, limit, key).await, every, "{list} by {limit}");
        }
    }
    let (_, first) = get(&app, "/v1/slow-movers?limit=1").await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, by_offset) = get(&app, "/v1/slow-movers?limit=1&offset=1").await;
    let (_, by_cursor) = get(&app, &format!("/v1/slow-movers?limit=1&cursor={cursor}")).await;
    assert_eq!(by_offset["items"], by_cursor["items"]);
    assert_eq!(by_cursor["offset"], 1);
    for bad in [format!("cursor={cursor}&offset=1"), "cursor=1".into(), "cursor=nonsense".into()] {
        for list in ["/v1/replenishment", "/v1/slow-movers", "/v1/forecasts"] {
            let (status, body) = get(&app, &format!("{list}?{bad}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{list}?{bad}: {body}");
            assert_eq!(body["code"], "invalid_query");
        }
    }
}

/// The buyer's page names and draws each piece beside its SKU, labels in words, and a
/// decision brings the buyer back to the queue with what was done.
#[tokio::test]
async fn a_decision_from_the_page_confirms_and_keeps_the_place() {
    let app = app();
    let (status, page) = call(&app, Request::get("/admin/forecasts").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Solitaire ring"), "the piece's name beside its SKU: {page}");
    // And its drawing: a thumbnail in the SKU's cell of the queue.
    let queue = &page[page.find("id=\"queue\"").expect("the queue")..];
    let row = &queue[queue.find("<tbody").unwrap()..queue.find("</tbody>").unwrap()];
    assert!(row.contains("class=\"thumb\"") && row.contains("<svg"), "a picture beside the SKU: {row}");
    assert!(page.contains("id=\"queue\""), "{page}");
    assert!(!page.contains("<strong>lead_time_demand</strong>"), "labels are words: {page}");
    let req = Request::post("/admin/forecasts/decision")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("id=RING-7&action=edit&quantity=12"))
        .unwrap();
    let response = router(app.state.clone()).oneshot(req).await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    let to = response.headers()[header::LOCATION].to_str().unwrap().to_string();
    assert_eq!(to, "/admin/forecasts?done=edit&item=RING-7&qty=12#queue");
    let (_, page) =
        call(&app, Request::get(to.trim_end_matches("#queue")).body(Body::empty()).unwrap()).await;
    assert!(page.contains("Set RING-7 to 12 units: it is in the purchase-order draft."), "{page}");
}
