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
