//! `POST /v1/events`: storefront events in batches, through `app::events`
//! (each event checked on its own, the valid ones of a batch kept durably
//! before the answer, a retried batch not counted twice).

use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::Method;
use axum::routing;
use serde_json::{json, Value};

use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json};
use crate::state::AppState;
use app::wire::http::EventsOutcome;

/// Largest batch body; a thousand events are about 300 KiB.
pub(crate) const EVENTS_BODY_LIMIT: usize = 8 * 1024 * 1024;

pub(crate) fn area() -> Area {
    Area::new("events", "Storefront events: views, searches, clicks, carts, purchases, returns.")
        .admin_scope(Scope::AdminCatalog)
        .route(
            "/v1/events",
            Method::POST,
            Access::Public(Scope::EventsWrite),
            routing::post(ingest).layer(DefaultBodyLimit::max(EVENTS_BODY_LIMIT)),
            Op::new("Record a batch of events")
                .describe(
                    "A JSON array of events (at most 10,000, 8 MiB). Each invalid event is rejected \
                     with its index and reason; the valid ones are stored durably before the answer. \
                     Event ids make retries safe: an id already stored counts as a duplicate.",
                )
                .json_body(
                    json!({"type": "array", "maxItems": 10_000, "items": {"description": "An `Event`. Items that are not are rejected one by one, with their index, and the valid ones stored.", "anyOf": [schema_ref("Event"), {}]}}),
                    "The events.",
                )
                .json(200, "What happened to each event.", schema_ref("EventsOutcome"))
                .error(413, "The body is over 8 MiB."),
        )
        .schema(
            "Event",
            json!({
                "type": "object", "required": ["id", "kind", "at"],
                "properties": {
                    "id": {"type": "string", "description": "Chosen by the sender; makes retries idempotent."},
                    "kind": {"type": "string", "enum": ["view", "search", "click", "add_to_cart", "purchase", "return"]},
                    "at": {"type": "integer", "description": "Unix milliseconds, UTC."},
                    "session_id": {"type": ["string", "null"]},
                    "customer_id": {"type": ["string", "null"]},
                    "product": {"type": ["string", "null"], "description": "Product handle."},
                    "sku": {"type": ["string", "null"]},
                    "query": {"type": ["string", "null"], "description": "The shopper's words, for `search` (and `click` from results)."},
                    "results": {"type": "array", "items": {"type": "string"}, "description": "Handles shown for a `search`, in order."},
                    "position": {"type": ["integer", "null"], "description": "0-based position of a clicked result."},
                    "quantity": {"type": ["integer", "null"]},
                    "price": {"type": ["object", "null"], "description": "`{\"minor\": 19900, \"currency\": \"USD\"}`."},
                    "order_id": {"type": ["string", "null"]},
                },
            }),
        )
        .schema(
            "EventsOutcome",
            json!({
                "type": "object", "required": ["accepted", "duplicates", "rejected"],
                "properties": {
                    "accepted": {"type": "integer", "description": "Valid events newly stored."},
                    "duplicates": {"type": "integer", "description": "Valid events already stored (same id)."},
                    "rejected": {"type": "array", "items": {
                        "type": "object", "required": ["index", "reason"],
                        "properties": {"index": {"type": "integer"}, "reason": {"type": "string"}},
                    }},
                },
            }),
        )
}

async fn ingest(
    State(state): State<AppState>,
    Json(batch): Json<Vec<Value>>,
) -> Result<Json<EventsOutcome>, ApiError> {
    Ok(Json(blocking(move || Ok(app::events::ingest(&state.app.store, batch)?)).await?))
}
