//! Background tasks: slow work (imports today; re-indexing, training and
//! forecasts later) runs on a blocking thread while the API answers `202`
//! with a task id. The task's record is a JSON document in the store
//! (`store.put_task`), so `GET /v1/tasks/{id}` works across restarts; tasks
//! that were running when the server stopped are marked failed at startup.
//!
//! Engines use [`spawn`]: give it a kind and a closure that does the work,
//! reports progress through [`ProgressFn`], and returns a JSON report.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::http::error::ApiError;
use crate::wire::http::{ErrorBody, Progress, Task, TaskStatus};

/// Progress reporter handed to a task: `(done, total)` in the task's unit.
pub type ProgressFn<'a> = &'a (dyn Fn(u64, Option<u64>) + Sync);

/// How often a running task's progress is written to the store at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Unix milliseconds now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A new task id: creation time then a counter, so ids sort by creation.
fn new_id() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed) % 10_000;
    format!("t{:013}{seq:04}", now_ms())
}

pub(crate) fn save(store: &store::Store, task: &Task) -> Result<(), store::Error> {
    let json = serde_json::to_string(task).expect("a task record always serializes");
    store.put_task(&task.id, &json)
}

pub(crate) fn load(store: &store::Store, id: &str) -> Result<Option<Task>, ApiError> {
    let Some(json) = store.get_task(id)? else { return Ok(None) };
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("task {id} record does not decode: {e}")))
}

/// Every task, newest first.
pub(crate) fn list(store: &store::Store) -> Result<Vec<Task>, ApiError> {
    let mut tasks: Vec<Task> =
        store.list_tasks()?.into_iter().filter_map(|(_, json)| serde_json::from_str(&json).ok()).collect();
    tasks.reverse();
    Ok(tasks)
}

/// Records a queued task of `kind` and runs `job` on a blocking thread.
/// Returns the task as recorded (status `queued`). `unit` names what the
/// progress counts (`bytes`, `rows`).
pub fn spawn<F>(store: &store::Store, kind: &str, unit: &'static str, job: F) -> Result<Task, ApiError>
where
    F: FnOnce(ProgressFn<'_>) -> anyhow::Result<serde_json::Value> + Send + 'static,
{
    let task = Task {
        id: new_id(),
        kind: kind.to_string(),
        status: TaskStatus::Queued,
        progress: None,
        created_at: now_ms(),
        started_at: None,
        finished_at: None,
        report: None,
        error: None,
    };
    save(store, &task)?;
    let store = store.clone();
    let queued = task.clone();
    tokio::task::spawn_blocking(move || run(&store, queued, unit, job));
    Ok(task)
}

fn run<F>(store: &store::Store, mut task: Task, unit: &'static str, job: F)
where
    F: FnOnce(ProgressFn<'_>) -> anyhow::Result<serde_json::Value>,
{
    task.status = TaskStatus::Running;
    task.started_at = Some(now_ms());
    log_save(store, &task);
    let shared = Mutex::new((task.clone(), Instant::now()));
    let progress = |done: u64, total: Option<u64>| {
        let mut guard = shared.lock().unwrap_or_else(|p| p.into_inner());
        let (task, last) = &mut *guard;
        task.progress = Some(Progress { done, total, unit: unit.to_string() });
        if last.elapsed() >= PROGRESS_EVERY {
            *last = Instant::now();
            log_save(store, task);
        }
    };
    // A panicking job fails its task instead of leaving it `running` forever.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&progress)));
    let mut task = shared.into_inner().unwrap_or_else(|p| p.into_inner()).0;
    task.finished_at = Some(now_ms());
    match outcome {
        Ok(Ok(report)) => {
            task.status = TaskStatus::Succeeded;
            task.report = Some(report);
        }
        Ok(Err(err)) => {
            tracing::warn!(task = %task.id, kind = %task.kind, error = format!("{err:#}"), "task failed");
            task.status = TaskStatus::Failed;
            task.error = Some(ErrorBody { code: "task_failed".into(), message: format!("{err:#}") });
        }
        Err(_) => {
            tracing::error!(task = %task.id, kind = %task.kind, "task panicked");
            task.status = TaskStatus::Failed;
            task.error = Some(ErrorBody {
                code: "internal".into(),
                message: "internal error; see the server log".into(),
            });
        }
    }
    log_save(store, &task);
}

fn log_save(store: &store::Store, task: &Task) {
    if let Err(err) = save(store, task) {
        tracing::error!(task = %task.id, error = %err, "could not save a task record");
    }
}

/// Marks tasks left queued or running by a previous process as failed; run
/// once at startup, before any new task exists.
pub fn fail_interrupted(store: &store::Store) -> Result<usize, ApiError> {
    let mut n = 0;
    for mut task in list(store)? {
        if !task.status.is_finished() {
            task.status = TaskStatus::Failed;
            task.finished_at = Some(now_ms());
            task.error = Some(ErrorBody {
                code: "interrupted".into(),
                message: "the server stopped before this task finished; run it again (an unfinished import writes nothing)".into(),
            });
            save(store, &task)?;
            n += 1;
        }
    }
    Ok(n)
}
