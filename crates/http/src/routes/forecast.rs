//! Forecasts, replenishment and slow movers over HTTP (issue 6); the buyer's
//! page, `/admin/forecasts`, is `web::forecast`.
//!
//! - `GET /v1/forecasts?level=&freq=&horizon=&sku=&limit=&offset=`
//! - `GET /v1/replenishment?orders_only=`, `GET /v1/replenishment/po.csv`
//!   (approved and edited lines as a purchase-order draft)
//! - `POST /v1/replenishment/{id}/decision` (admin): approve, edit or reject;
//!   stored as a document in collection `replenishment` and logged with
//!   `append_audit`.
//! - `GET /v1/slow-movers?flagged=`
//!
//! The three lists page with `limit` and `cursor` (or `offset`), as
//! `routes::paging` reads them.
//!
//! Forecasts take seconds on large histories: the set is computed once per
//! data version in `app::Engines` and shared by the API, the page and the CLI.

use axum::extract::{Extension, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{paging, schema_ref, Access, Area, Op, Scope};
use crate::auth::Caller;
use crate::blocking;
use crate::error::{ApiError, Json, Path, Query};
use crate::openapi;
use crate::state::AppState;
use app::forecasts::{ForecastPage, ForecastQuery};
use app::wire::forecast::{Decision, DecisionRequest, Replenishment, SlowMover};
use app::wire::http::Page;

pub(crate) fn area() -> Area {
    Area::new("forecast", "Demand forecasts, replenishment suggestions and slow movers.")
        .admin_scope(Scope::AdminPlanning)
        .get(
            "/v1/forecasts",
            Access::Admin,
            forecasts,
            paging::document(Op::new("Forecast demand")
                .describe(
                    "Reconciled forecasts with P10/P50/P90 per period and the reasons (model chosen by \
                     rolling-origin backtest, demand class, calendar lifts, censored days). Weeks start on \
                     Monday; the first period is the first whole period after the last day of history.",
                )
                .query_enum("level", &["variant", "product", "category", "total"], false, "Default variant.")
                .query_enum("freq", &["day", "week"], false, "Default week.")
                .query_int("horizon", 1, 182, "Periods ahead: 1 to 26 weeks or 182 days (default 4).")
                .query_with("sku", false, openapi::text(), "Only the series with this key or SKU.")
                .error(404, "No series has this key or SKU."), "Series", 100, app::forecasts::MAX_LIMIT)
                .json(200, "A page of series.", schema_ref("ForecastPage"))
                .error(400, "A bad level, frequency, horizon, limit, offset or cursor."),
        )
        .get(
            "/v1/replenishment",
            Access::Admin,
            replenishment,
            paging::document(Op::new("Replenishment suggestions")
                .describe("One suggestion per variant with the buyer's decision, if any, and the reasons.")
                .query("orders_only", "boolean", "Only variants with a quantity to order."), "Suggestions", DEFAULT_PAGE, MAX_PAGE)
                .json(200, "A page of suggestions.", page_of("Replenishment"))
                .error(400, "A bad limit, offset or cursor."),
        )
        .get(
            "/v1/replenishment/po.csv",
            Access::Admin,
            purchase_order,
            Op::new("Purchase-order draft")
                .describe("Approved and edited lines as CSV: sku, product, title, quantity, unit_cost, line_value, decided_by, decided_at.")
                .content(200, "The draft.", "text/csv"),
        )
        .post(
            "/v1/replenishment/{id}/decision",
            Access::Admin,
            decide,
            Op::new("Decide on a suggestion")
                .describe("`approve` (the suggested quantity), `edit` (with `quantity`) or `reject`. Logged in the audit log.")
                .path("id", "The suggestion's id (the SKU).")
                .json_body(schema_ref("DecisionRequest"), "The decision.")
                .json(200, "The stored decision.", json!({"type": "object"}))
                .error(400, "An unknown action, or `edit` without a quantity.")
                .error(404, "No suggestion has this id."),
        )
        .get(
            "/v1/slow-movers",
            Access::Admin,
            slow_movers,
            paging::document(Op::new("Slow movers")
                .describe("Every variant judged for slow movement, overstock and markdown, most suspicious first.")
                .query("flagged", "boolean", "Only flagged variants."), "Variants", DEFAULT_PAGE, MAX_PAGE)
                .json(200, "A page of variants.", page_of("SlowMover"))
                .error(400, "A bad limit, offset or cursor."),
        )
        .schema(
            "ForecastPage",
            json!({
                "type": "object", "required": ["items", "total", "next_cursor"],
                "properties": {
                    "items": {"type": "array", "items": schema_ref("SeriesForecast")},
                    "total": {"type": "integer"},
                    "first_period": {"type": "string"},
                    "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page."},
                },
            }),
        )
        .schema(
            "SeriesForecast",
            json!({
                "type": "object", "required": ["level", "key", "sku", "freq", "model", "points", "why"],
                "properties": {
                    "level": {"type": "string"}, "key": {"type": "string"}, "sku": {"type": ["string", "null"]},
                    "freq": {"type": "string"}, "model": {"type": "string"}, "model_version": {"type": "string"},
                    "demand_class": {"type": "string"},
                    "points": {"type": "array", "items": {"type": "object", "required": ["period_start", "p10", "p50", "p90"],
                        "properties": {"period_start": {"type": "string"}, "p10": {"type": "number"}, "p50": {"type": "number"}, "p90": {"type": "number"}, "mean": {"type": "number"}}}},
                    "why": {"type": "array", "items": schema_ref("Why")},
                },
            }),
        )
        .schema(
            "Why",
            json!({"type": "object", "required": ["signal", "detail", "contribution"],
                "properties": {"signal": {"type": "string"}, "detail": {"type": "string"}, "contribution": {"type": "number"}}}),
        )
        .schema(
            "Replenishment",
            json!({"type": "object", "description": "Fields as `loupe replenish --json` prints them.",
                "required": ["id", "sku", "abc", "reorder_point", "safety_stock", "suggested_qty", "why"]}),
        )
        .schema(
            "SlowMover",
            json!({"type": "object", "description": "Fields as `loupe slow-movers --json` prints them.",
                "required": ["sku", "score", "slow", "overstock", "markdown", "flags", "why"],
                "properties": {"why": {"type": "array", "items": schema_ref("Why")}}}),
        )
        .schema(
            "DecisionRequest",
            json!({"type": "object", "required": ["action"],
                "properties": {"action": {"type": "string", "enum": ["approve", "edit", "reject"]},
                    "quantity": {"type": ["integer", "null"], "minimum": 0, "maximum": 1_000_000_000u64, "description": "Units to order; required with `edit`."},
                    "note": {"type": ["string", "null"]}},
                "if": {"properties": {"action": {"const": "edit"}}},
                "then": {"required": ["quantity"], "properties": {"quantity": {"type": "integer", "minimum": 0, "maximum": 1_000_000_000u64}}}}),
        )
}

#[derive(Debug, Deserialize, Default)]
struct ForecastParams {
    level: Option<String>,
    freq: Option<String>,
    horizon: Option<usize>,
    sku: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

async fn forecasts(
    State(state): State<AppState>,
    Query(p): Query<ForecastParams>,
) -> Result<Json<ForecastPage>, ApiError> {
    let defaults = ForecastQuery::default();
    let q = ForecastQuery {
        level: p.level.unwrap_or(defaults.level),
        freq: p.freq.unwrap_or(defaults.freq),
        horizon: p.horizon.unwrap_or(defaults.horizon),
        sku: p.sku,
        limit: p.limit.unwrap_or(defaults.limit),
        offset: paging::start(p.offset, p.cursor.as_deref())?,
    };
    let page = blocking(move || Ok(app::forecasts::forecasts(&state.app.engines, &q)?)).await?;
    Ok(Json(page))
}

/// Default and largest page of the lists below: the whole queue of a
/// 13,000-variant brand was a 13.8 MB answer.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// A page of items of `schema`.
fn page_of(schema: &str) -> serde_json::Value {
    paging::schema(schema_ref(schema), "Items over all pages.")
}

/// The page `limit` and `offset` or `cursor` ask for, checked.
fn page<T: Clone>(
    items: &[T],
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<&str>,
) -> Result<Page<T>, ApiError> {
    let limit = paging::limit(limit, DEFAULT_PAGE, MAX_PAGE)?;
    let offset = paging::start(offset, cursor)?;
    Ok(Page::new(items.iter().skip(offset).take(limit).cloned().collect(), items.len(), limit, offset))
}

#[derive(Debug, Deserialize, Default)]
struct ReplenishParams {
    orders_only: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

async fn replenishment(
    State(state): State<AppState>,
    Query(p): Query<ReplenishParams>,
) -> Result<Json<Page<Replenishment>>, ApiError> {
    let body = blocking(move || {
        let (_, rows) = app::forecasts::replenishment(&state.app.engines)?;
        let items: Vec<Replenishment> = rows
            .into_iter()
            .filter(|r| !p.orders_only.unwrap_or(false) || r.suggested_qty.unwrap_or(0) > 0)
            .collect();
        page(&items, p.limit, p.offset, p.cursor.as_deref())
    })
    .await?;
    Ok(Json(body))
}

async fn purchase_order(State(state): State<AppState>) -> Result<Response, ApiError> {
    let csv = blocking(move || Ok(app::forecasts::purchase_order(&state.app.engines)?)).await?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"purchase-order-draft.csv\""),
        ],
        csv,
    )
        .into_response())
}

async fn decide(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> Result<Json<Decision>, ApiError> {
    let actor = caller.map_or_else(|| "open".to_string(), |c| c.0.actor());
    let d = blocking(move || Ok(app::forecasts::decide(&state.app.engines, &id, req, &actor)?)).await?;
    Ok(Json(d))
}

#[derive(Debug, Deserialize, Default)]
struct SlowParams {
    flagged: Option<bool>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

async fn slow_movers(
    State(state): State<AppState>,
    Query(p): Query<SlowParams>,
) -> Result<Json<Page<SlowMover>>, ApiError> {
    let body = blocking(move || {
        let items = app::forecasts::slow_movers(&state.app.engines, p.flagged.unwrap_or(false))?;
        page(&items, p.limit, p.offset, p.cursor.as_deref())
    })
    .await?;
    Ok(Json(body))
}
