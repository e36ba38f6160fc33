//! Storefront events in batches (`POST /v1/events`): each event is checked
//! on its own by the catalog's one definition of a valid event (shared with
//! the events import), the invalid ones are rejected with their index and
//! reason, and the valid ones are stored durably before the answer. Events
//! carry their own ids, so a retried batch is not counted twice.

use serde_json::Value;

use crate::error::{Code, Error, Result};
use crate::wire::http::{EventsOutcome, RejectedEvent};

/// Most events in one batch.
pub const MAX_BATCH: usize = 10_000;

/// Checks and stores `batch`.
pub fn ingest(store: &store::Store, batch: Vec<Value>) -> Result<EventsOutcome> {
    if batch.len() > MAX_BATCH {
        return Err(Error::new(
            Code::BatchTooLarge,
            format!("a batch holds at most {MAX_BATCH} events; this one has {}", batch.len()),
        ));
    }
    let (valid, rejected) = check_batch(batch);
    let outcome =
        if valid.is_empty() { store::AppendOutcome::default() } else { store.append_events(&valid)? };
    Ok(EventsOutcome { accepted: outcome.inserted, duplicates: outcome.duplicates, rejected })
}

/// Splits a batch into the events to store and the rejections.
pub fn check_batch(batch: Vec<Value>) -> (Vec<model::Event>, Vec<RejectedEvent>) {
    let mut valid = Vec::with_capacity(batch.len());
    let mut rejected = Vec::new();
    for (index, value) in batch.into_iter().enumerate() {
        match catalog::events::parse_event(&value) {
            Ok(event) => valid.push(event),
            Err(reason) => rejected.push(RejectedEvent { index, reason }),
        }
    }
    (valid, rejected)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn check(event: Value, expect: std::result::Result<(), &str>) {
        match (catalog::events::parse_event(&event), expect) {
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
        let store = store::Store::open_temporary().unwrap();
        let batch = vec![
            json!({"id": "a", "kind": "view", "at": 1_700_000_000_000i64, "product": "ring"}),
            json!("junk"),
            json!({"id": "b", "kind": "search", "at": 1_700_000_000_001i64, "query": "gold hoops"}),
        ];
        let outcome = ingest(&store, batch.clone()).unwrap();
        assert_eq!((outcome.accepted, outcome.duplicates), (2, 0));
        assert_eq!(outcome.rejected.len(), 1);
        assert_eq!(outcome.rejected[0].index, 1);
        // A retried batch is not counted twice.
        let again = ingest(&store, batch).unwrap();
        assert_eq!((again.accepted, again.duplicates), (0, 2));
        assert_eq!(store.event_count().unwrap(), 2);
    }

    #[test]
    fn a_batch_over_the_limit_is_refused_whole() {
        let store = store::Store::open_temporary().unwrap();
        let batch = vec![json!("x"); MAX_BATCH + 1];
        assert_eq!(ingest(&store, batch).unwrap_err().code, Code::BatchTooLarge);
        assert_eq!(store.event_count().unwrap(), 0);
    }
}
