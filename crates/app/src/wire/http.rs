//! Wire types that only the HTTP API sends: errors, health, pages of results,
//! background tasks and event-ingest outcomes. Product shapes are shared with
//! the CLI and live beside this module.

use serde::{Deserialize, Serialize};

/// Every HTTP error: a stable machine code and a human message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    /// For `internal` errors: the id the server logged the details under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `GET /health`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// `"ok"` when the store answers.
    pub status: String,
    pub version: String,
    pub products: u64,
    pub catalog_version: u64,
    /// `"open"` while the store has no API keys, `"keys"` once it has.
    pub auth: String,
}

/// A page of a longer list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Items matching the filters, over all pages.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    /// Pass as `cursor` for the next page; `None` on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// The page of `total` items that starts at `offset` and holds `items`.
    pub fn new(items: Vec<T>, total: usize, limit: usize, offset: usize) -> Page<T> {
        let next_cursor = Cursor::after(offset, items.len(), total).map(|c| c.encode());
        Page { items, total, limit, offset, next_cursor }
    }
}

/// Where the next page of a list starts. Clients see it only as an opaque
/// string (`next_cursor` hands it out, `cursor` takes it back), so what it
/// holds can change without breaking them. Today it is the position in the
/// list, which is computed once per data version: walking a list while the
/// data does not change visits every item once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub offset: usize,
}

/// Marks a cursor of this shape, so that any other string is refused.
const CURSOR_PREFIX: &str = "o1:";

impl Cursor {
    /// The cursor after a page of `len` items from `offset`, unless that page
    /// was the last of `total`.
    pub fn after(offset: usize, len: usize, total: usize) -> Option<Cursor> {
        let next = offset.saturating_add(len);
        (len > 0 && next < total).then_some(Cursor { offset: next })
    }

    pub fn encode(&self) -> String {
        format!("{CURSOR_PREFIX}{}", self.offset).bytes().map(|b| format!("{b:02x}")).collect()
    }

    pub fn parse(text: &str) -> Result<Cursor, String> {
        let bad = || format!("cursor {text:?} is not one this server handed out (use next_cursor as given)");
        if !text.len().is_multiple_of(2) || text.len() > 64 {
            return Err(bad());
        }
        let bytes: Vec<u8> = (0..text.len())
            .step_by(2)
            .map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        let decoded = String::from_utf8(bytes).map_err(|_| bad())?;
        let offset = decoded.strip_prefix(CURSOR_PREFIX).and_then(|n| n.parse().ok()).ok_or_else(bad)?;
        Ok(Cursor { offset })
    }
}

/// `202` answer to `POST /v1/imports`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskAccepted {
    pub task_id: String,
    /// Where to poll: `/v1/tasks/{task_id}`.
    pub status_url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
}

impl TaskStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Succeeded | TaskStatus::Failed)
    }
}

/// A background task as `GET /v1/tasks/{id}` shows it; also the JSON document
/// the store keeps for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Task {
    pub id: String,
    /// What the task does: `import_catalog`, `import_orders`, `import_inventory`, ...
    pub kind: String,
    pub status: TaskStatus,
    /// Work done so far, when the task can tell.
    #[serde(default)]
    pub progress: Option<Progress>,
    /// Unix milliseconds.
    pub created_at: i64,
    #[serde(default)]
    pub started_at: Option<i64>,
    #[serde(default)]
    pub finished_at: Option<i64>,
    /// The job's own report (for an import: counts and the data-quality
    /// summary), once it succeeded.
    #[serde(default)]
    pub report: Option<serde_json::Value>,
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// Units done (bytes read, for imports).
    pub done: u64,
    /// Units in all, when known.
    #[serde(default)]
    pub total: Option<u64>,
    /// What `done` counts: `"bytes"`, `"rows"`.
    pub unit: String,
}

/// Answer to `POST /v1/events`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsOutcome {
    /// Valid events newly stored.
    pub accepted: usize,
    /// Valid events whose id was already stored (a retried batch).
    pub duplicates: usize,
    pub rejected: Vec<RejectedEvent>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectedEvent {
    /// 0-based position in the posted array.
    pub index: usize,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_what_it_wrote_and_refuses_the_rest() {
        for offset in [0, 1, 99, 10_000, usize::MAX] {
            let c = Cursor { offset };
            assert_eq!(Cursor::parse(&c.encode()), Ok(c));
        }
        for bad in ["", "1", "100", "zz", "6f313a", "6f313a2d31", "%%", &"0".repeat(80)] {
            assert!(Cursor::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn only_a_page_with_more_after_it_has_a_next_cursor() {
        assert_eq!(Cursor::after(0, 10, 25), Some(Cursor { offset: 10 }));
        assert_eq!(Cursor::after(20, 5, 25), None);
        assert_eq!(Cursor::after(30, 0, 25), None);
        assert_eq!(Page::new(vec![1, 2], 3, 2, 0).next_cursor, Some(Cursor { offset: 2 }.encode()));
    }
}
