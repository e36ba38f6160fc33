//! `POST /v1/events`: storefront events in batches. Each event is checked on
//! its own: the invalid ones are rejected with their index and reason, the
//! valid ones in the same batch are kept (durably, before the answer), and a
//! retried batch is not counted twice (events carry their own ids).

use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::http::Method;
use axum::routing;
use model::Event;
use serde_json::{json, Value};

use super::{schema_ref, Access, Area, Op};
use crate::blocking;
use crate::error::{ApiError, Json};
use crate::state::AppState;
use app::wire::http::{EventsOutcome, RejectedEvent};
use app::Code;

/// Largest batch body; a thousand events are about 300 KiB.
pub(crate) const EVENTS_BODY_LIMIT: usize = 8 * 1024 * 1024;
/// Most events in one batch.
pub(crate) const MAX_BATCH: usize = 10_000;

pub(crate) fn area() -> Area {
    Area::new("events", "Storefront events: views, searches, clicks, carts, purchases, returns.")
        .route(
            "/v1/events",
            Method::POST,
            Access::Admin,
            routing::post(ingest).layer(DefaultBodyLimit::max(EVENTS_BODY_LIMIT)),
            Op::new("Record a batch of events")
                .describe(
                    "A JSON array of events (at most 10,000, 8 MiB). Each invalid event is rejected \
                     with its index and reason; the valid ones are stored durably before the answer. \
                     Event ids make retries safe: an id already stored counts as a duplicate.",
                )
                .json_body(json!({"type": "array", "items": schema_ref("Event")}), "The events.")
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
    if batch.len() > MAX_BATCH {
        return Err(ApiError::bad_request(
            Code::BatchTooLarge,
            format!("a batch holds at most {MAX_BATCH} events; this one has {}", batch.len()),
        ));
    }
    let (valid, rejected) = check_batch(batch);
    let outcome = if valid.is_empty() {
        store::AppendOutcome::default()
    } else {
        blocking(move || Ok(state.store.append_events(&valid)?)).await?
    };
    Ok(Json(EventsOutcome { accepted: outcome.inserted, duplicates: outcome.duplicates, rejected }))
}

/// Splits a batch into the events to store and the rejections.
pub(crate) fn check_batch(batch: Vec<Value>) -> (Vec<Event>, Vec<RejectedEvent>) {
    let mut valid = Vec::with_capacity(batch.len());
    let mut rejected = Vec::new();
    for (index, value) in batch.into_iter().enumerate() {
        match parse_event(value) {
            Ok(event) => valid.push(event),
            Err(reason) => rejected.push(RejectedEvent { index, reason }),
        }
    }
    (valid, rejected)
}

/// One event, checked by the catalog's single definition of a valid event
/// (shared with `loupe import events`).
fn parse_event(value: Value) -> Result<Event, String> {
    catalog::events::parse_event(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(event: Value, expect: Result<(), &str>) {
        match (parse_event(event.clone()), expect) {
            (Ok(_), Ok(())) => {}
            (Err(reason), Err(fragment)) => assert!(reason.contains(fragment), "{event}: {reason}"),
            (got, _) => panic!("{event}: unexpected {got:?}"),
        }
    }

    #[test]
    fn checks_events_one_by_one() {
        check(json!({"id": "e1", "kind": "view", "at": 1_700_000_000_000i64, "product": "ring"}), Ok(()));
        check(json!({"id": "e1", "kind": "teleport", "at": 1_700_000_000_000i64}), Err("teleport"));
        check(json!({"kind": "view", "at": 1_700_000_000_000i64, "product": "ring"}), Err("id"));
        check(json!({"id": "e", "kind": "view", "at": -5, "product": "ring"}), Err("at"));
        check(json!({"id": "e", "kind": "search", "at": 1_700_000_000_000i64}), Err("query"));
        check(json!(42), Err(""));
    }

    #[test]
    fn keeps_the_valid_events_of_a_mixed_batch() {
        let (valid, rejected) = check_batch(vec![
            json!({"id": "a", "kind": "view", "at": 1_700_000_000_000i64, "product": "ring"}),
            json!("junk"),
            json!({"id": "b", "kind": "search", "at": 1_700_000_000_001i64, "query": "gold hoops"}),
        ]);
        assert_eq!(valid.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(rejected.len(), 1);
        assert_eq!(rejected[0].index, 1);
    }
}
