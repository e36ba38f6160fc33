//! `GET /v1/recommendations` (public) and `DELETE /v1/customers/{id}`
//! (admin). The trained model lives in `app::Engines` (trained once, then
//! retrained in the background while the current one answers); the context
//! resolution is `app::recommend`, shared with `loupe recommend`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path, Query};
use crate::openapi;
use crate::state::AppState;
use app::recommend::{Target, TargetOptions, DEFAULT_LIMIT};
use app::wire::recs::{Forgotten, Recommendations};

pub(crate) fn area() -> Area {
    Area::new("recommendations", "Recommendations with reasons; customer forgetting.")
        .admin_scope(Scope::AdminTrust)
        .get(
            "/v1/recommendations",
            Access::Public(Scope::Recs),
            recommend,
            Op::new("Recommend products")
                .describe(
                    "Exactly one context: `product` (id, handle or SKU: similar pieces, complete the set, \
                     bought together), `customer` (for you), `cart` (comma-separated SKUs: bought together, \
                     add-ons), `session` (continue browsing), `gift` (a brief such as `for mom, under 200`) \
                     or `trending=true`. Every item carries `why`. Unknown customers and sessions get popular \
                     pieces (`context.known` is false).",
                )
                .query_with("product", false, openapi::text(), "Product id, handle or SKU.")
                .query_with("customer", false, openapi::text(), "Customer id.")
                .query_with("cart", false, openapi::text(), "Comma-separated SKUs or handles.")
                .query_with("session", false, openapi::text(), "Session id (its recent views are read from the events).")
                .query_with("gift", false, openapi::text(), "A gift brief: recipient, occasion, budget.")
                .query("trending", "boolean", "Trending now, aware of the season.")
                .query_int("limit", 1, 100, "Items, 1 to 100 (default 10).")
                .json(200, "The recommendations.", schema_ref("Recommendations"))
                .error(400, "No context, more than one, or a bad limit.")
                .error(404, "The product is unknown."),
        )
        .delete(
            "/v1/customers/{id}",
            Access::Admin,
            forget,
            Op::new("Forget a customer")
                .describe(
                    "Deletes the customer's events, blanks their id on order lines (the sales stay, \
                     anonymous), and drops the trained recommender so that nothing learnt from them \
                     answers again. Recorded in the audit log.",
                )
                .path("id", "The customer id.")
                .json(200, "What was forgotten.", schema_ref("Forgotten")),
        )
        .get(
            "/v1/customers/{id}/export",
            Access::Admin,
            export,
            Op::new("Everything Loupe holds about a customer")
                .describe(
                    "One JSON document: order lines, storefront events, support cases, consent (history, address, \
                     offset, name), care messages and the decisions the log records about them (by pseudonym).",
                )
                .path("id", "The customer id.")
                .json(200, "The customer's data.", json!({"type": "object", "required": ["customer_id", "generated_at", "pseudonym", "orders", "events", "tickets", "consent", "messages", "decisions", "risk_scores", "notes"]})),
        )
        .schema(
            "Recommendations",
            json!({
                "type": "object", "required": ["context", "items"],
                "properties": {
                    "context": {"type": "object", "required": ["kind", "value", "known"], "properties": {
                        "kind": {"type": "string", "enum": ["product", "customer", "cart", "session", "gift", "trending"]},
                        "value": {},
                        "known": {"type": "boolean"},
                        "gift": {"type": "object", "properties": {
                            "recipient": {"type": ["string", "null"]}, "occasion": {"type": ["string", "null"]},
                            "budget_min": {"type": ["number", "null"]}, "budget_max": {"type": ["number", "null"]},
                        }},
                    }},
                    "items": {"type": "array", "items": {
                        "type": "object", "required": ["id", "handle", "title", "skus", "score", "why"],
                        "properties": {
                            "id": {"type": "integer"}, "handle": {"type": "string"}, "title": {"type": "string"},
                            "skus": {"type": "array", "items": {"type": "string"}},
                            "score": {"type": "number"},
                            "why": {"type": "array", "items": {
                                "type": "object", "required": ["signal", "detail", "contribution"],
                                "properties": {"signal": {"type": "string"}, "detail": {"type": "string"}, "contribution": {"type": "number"}},
                            }},
                        },
                    }},
                },
            }),
        )
        .schema(
            "Forgotten",
            json!({
                "type": "object", "required": ["customer_id", "events_deleted", "order_lines_anonymized"],
                "properties": {
                    "customer_id": {"type": "string"},
                    "events_deleted": {"type": "integer"},
                    "order_lines_anonymized": {"type": "integer"},
                    "tickets_deleted": {"type": "integer"},
                    "files_scrubbed": {"type": "array", "items": {"type": "string"},
                        "description": "The demo's generated files (under the data directory) the customer was removed from."},
                    "files_still_holding": {"type": "array", "items": {"type": "string"},
                        "description": "Other files under the data directory that still name the customer; Loupe leaves them alone."},
                },
            }),
        )
}

#[derive(Debug, Deserialize)]
struct Params {
    product: Option<String>,
    customer: Option<String>,
    cart: Option<String>,
    session: Option<String>,
    gift: Option<String>,
    trending: Option<bool>,
    limit: Option<usize>,
}

async fn recommend(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<Recommendations>, ApiError> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    app::recommend::check_limit(limit)?;
    let target = Target::from_options(TargetOptions {
        product: p.product,
        customer: p.customer,
        cart: p.cart,
        session: p.session,
        gift: p.gift,
        trending: p.trending.unwrap_or(false),
    })?;
    let out = blocking(move || {
        let out = app::recommend::recommend(&state.app.engines, &target, limit)?;
        app::decisions::log_recommendations(&state.app, &out);
        Ok(out)
    })
    .await?;
    Ok(Json(out))
}

async fn export(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<app::wire::privacy::CustomerExport>, ApiError> {
    Ok(Json(blocking(move || Ok(app::customers::export(&state.app, &id)?)).await?))
}

async fn forget(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Forgotten>, ApiError> {
    let done = blocking(move || {
        Ok(app::customers::forget(&state.app.engines, &id, "api", "DELETE /v1/customers/{id}")?)
    })
    .await?;
    Ok(Json(done))
}
