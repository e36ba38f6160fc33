//! Background tasks: slow work (imports today; training and forecasts later)
//! runs on its own thread while the caller gets a task id at once. The
//! task's record is a JSON document in the store (`store.put_task`), so
//! `GET /v1/tasks/{id}` works across restarts; tasks that were running when
//! the process stopped are marked failed at startup ([`Tasks::fail_interrupted`]).
//!
//! While a task runs, its progress lives in memory only and is read from
//! there; the store is written when the task starts and when it ends. A job
//! such as an import holds the store's one write transaction while it
//! reports progress, so writing the task record from the progress callback
//! would wait on that transaction forever (a deadlock that hung the server).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::clock::Clock;
use crate::error::{Code, Error, Result};
use crate::wire::http::{ErrorBody, Progress, Task, TaskStatus};

/// Progress reporter handed to a task: `(done, total)` in the task's unit.
pub type ProgressFn<'a> = &'a (dyn Fn(u64, Option<u64>) + Sync);

/// The task records of one store, with the running tasks' progress.
#[derive(Clone)]
pub struct Tasks {
    store: store::Store,
    clock: Clock,
    /// Tasks queued or running in this process, by id.
    live: Arc<Mutex<HashMap<String, Task>>>,
}

impl Tasks {
    pub fn new(store: store::Store, clock: Clock) -> Tasks {
        Tasks { store, clock, live: Arc::default() }
    }

    /// A new task id: creation time then a counter, so ids sort by creation.
    fn new_id(&self) -> String {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let seq = SEQ.fetch_add(1, Ordering::Relaxed) % 10_000;
        format!("t{:013}{seq:04}", self.clock.now_ms())
    }

    fn save(&self, task: &Task) -> Result<()> {
        let json = serde_json::to_string(task).map_err(Error::internal)?;
        Ok(self.store.put_task(&task.id, &json)?)
    }

    /// The task as it is now: a live one from memory, else its record.
    pub fn load(&self, id: &str) -> Result<Option<Task>> {
        if let Some(task) = self.live.lock().unwrap_or_else(|p| p.into_inner()).get(id) {
            return Ok(Some(task.clone()));
        }
        let Some(json) = self.store.get_task(id)? else { return Ok(None) };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| Error::internal(anyhow::anyhow!("task {id} record does not decode: {e}")))
    }

    /// Every task, newest first, live ones as they are now.
    pub fn list(&self) -> Result<Vec<Task>> {
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner()).clone();
        let mut tasks: Vec<Task> = self
            .store
            .list_tasks()?
            .into_iter()
            .filter_map(|(_, json)| serde_json::from_str::<Task>(&json).ok())
            .map(|t| live.get(&t.id).cloned().unwrap_or(t))
            .collect();
        tasks.reverse();
        Ok(tasks)
    }

    /// Records a queued task of `kind` and runs `job` on a thread of its own.
    /// Returns the task as recorded (status `queued`). `unit` names what the
    /// progress counts (`bytes`, `rows`).
    pub fn spawn<F>(&self, kind: &str, unit: &'static str, job: F) -> Result<Task>
    where
        F: FnOnce(ProgressFn<'_>) -> Result<serde_json::Value> + Send + 'static,
    {
        let task = Task {
            id: self.new_id(),
            kind: kind.to_string(),
            status: TaskStatus::Queued,
            progress: None,
            created_at: self.clock.now_ms(),
            started_at: None,
            finished_at: None,
            report: None,
            error: None,
        };
        // Held from before the record exists until the task ends: a node
        // starting meanwhile (`fail_interrupted`) sees the task is alive.
        let lease = self
            .store
            .try_lease(&lease_name(&task.id))?
            .ok_or_else(|| Error::internal(anyhow::anyhow!("task {} is already held", task.id)))?;
        self.save(&task)?;
        self.live.lock().unwrap_or_else(|p| p.into_inner()).insert(task.id.clone(), task.clone());
        let me = self.clone();
        let queued = task.clone();
        std::thread::Builder::new()
            .name(format!("task-{}", task.id))
            .spawn(move || {
                me.run(queued, unit, job);
                drop(lease);
            })
            .map_err(Error::internal)?;
        Ok(task)
    }

    fn update(&self, id: &str, f: impl FnOnce(&mut Task)) -> Option<Task> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        let task = live.get_mut(id)?;
        f(task);
        Some(task.clone())
    }

    fn run<F>(&self, task: Task, unit: &'static str, job: F)
    where
        F: FnOnce(ProgressFn<'_>) -> Result<serde_json::Value>,
    {
        let id = task.id.clone();
        let started = self.update(&id, |t| {
            t.status = TaskStatus::Running;
            t.started_at = Some(self.clock.now_ms());
        });
        if let Some(t) = started {
            self.log_save(&t);
        }
        let progress = |done: u64, total: Option<u64>| {
            self.update(&id, |t| t.progress = Some(Progress { done, total, unit: unit.to_string() }));
        };
        // A panicking job fails its task instead of leaving it `running` forever.
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&progress)));
        let now = self.clock.now_ms();
        let finished = self.update(&id, |t| {
            t.finished_at = Some(now);
            match outcome {
                Ok(Ok(report)) => {
                    t.status = TaskStatus::Succeeded;
                    t.report = Some(report);
                }
                Ok(Err(err)) => {
                    t.status = TaskStatus::Failed;
                    t.error = Some(error_body(&t.id, &t.kind, &err));
                }
                Err(_) => {
                    tracing::error!(task = %t.id, kind = %t.kind, "task panicked");
                    t.status = TaskStatus::Failed;
                    t.error = Some(error_body(&t.id, &t.kind, &Error::internal(anyhow::anyhow!("panicked"))));
                }
            }
        });
        if let Some(t) = finished {
            self.log_save(&t);
        }
        self.live.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }

    fn log_save(&self, task: &Task) {
        if let Err(err) = self.save(task) {
            tracing::error!(task = %task.id, error = %err, "could not save a task record");
        }
    }

    /// Marks tasks left queued or running by a process that stopped as
    /// failed; run once at startup. On a PostgreSQL store shared with other
    /// nodes, tasks those nodes are running are left alone.
    pub fn fail_interrupted(&self) -> Result<usize> {
        let mut n = 0;
        for mut task in self.list()? {
            // A task another node on a shared store is running holds its
            // lease; one whose runner died does not.
            let orphaned =
                if task.status.is_finished() { None } else { self.store.try_lease(&lease_name(&task.id))? };
            if orphaned.is_some() {
                task.status = TaskStatus::Failed;
                task.finished_at = Some(self.clock.now_ms());
                task.error = Some(ErrorBody {
                    code: Code::Interrupted.as_str().into(),
                    message: "the server stopped before this task finished; run it again (an unfinished import writes nothing)".into(),
                    request_id: None,
                });
                self.save(&task)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The lease a task holds while it runs (see `store::LeaseStore`).
fn lease_name(id: &str) -> String {
    format!("task:{id}")
}

/// What a failed task tells its client: the user's mistake in full, our
/// own fault only as a code and the task id to find it in the log.
fn error_body(id: &str, kind: &str, err: &Error) -> ErrorBody {
    if err.is_input() {
        // The message quotes the user's file (a customer's id, an address):
        // it goes to the task record, which the user reads, not to the log.
        tracing::info!(task = %id, kind = %kind, code = %err.code, "task failed on its input");
        ErrorBody { code: err.code.as_str().into(), message: err.message.clone(), request_id: None }
    } else {
        tracing::error!(task = %id, kind = %kind, error = %err, "task failed");
        ErrorBody {
            code: err.code.as_str().into(),
            message: format!("internal error; see the server log for task {id}"),
            request_id: Some(id.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn wait(tasks: &Tasks, id: &str) -> Task {
        for _ in 0..500 {
            let t = tasks.load(id).unwrap().unwrap();
            if t.status.is_finished() {
                return t;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("task {id} never finished");
    }

    // Regression: progress reported while the job held the store's write
    // transaction used to save the task record, waiting on itself forever.
    #[test]
    fn progress_inside_a_write_transaction_does_not_deadlock() {
        let store = store::Store::open_temporary().unwrap();
        let tasks = Tasks::new(store.clone(), Clock::fixed(1_700_000_000_000));
        let inner = store.clone();
        let task = tasks
            .spawn("import_catalog", "rows", move |progress| {
                let rows = (0..3).map(|i| {
                    progress(i, Some(3));
                    std::thread::sleep(Duration::from_millis(300));
                    Ok::<_, std::io::Error>(model::Product {
                        handle: format!("p{i}"),
                        title: "A ring".into(),
                        ..model::Product::default()
                    })
                });
                inner.import_products(rows, 1_750_000_000).map_err(Error::from)?;
                Ok(serde_json::json!({"ok": true}))
            })
            .unwrap();
        let done = wait(&tasks, &task.id);
        assert_eq!(done.status, TaskStatus::Succeeded, "{:?}", done.error);
        assert_eq!(store.products().unwrap().len(), 3);
    }

    #[test]
    fn internal_failures_hide_their_details() {
        let store = store::Store::open_temporary().unwrap();
        let tasks = Tasks::new(store, Clock::fixed(0));
        let bad = tasks
            .spawn("import_orders", "bytes", |_| {
                Err(Error::internal(anyhow::anyhow!("disk full at /srv/secret")))
            })
            .unwrap();
        let input = tasks
            .spawn("import_orders", "bytes", |_| {
                Err(Error::new(Code::InvalidImport, "orders.csv: line 3: bad date"))
            })
            .unwrap();
        let bad = wait(&tasks, &bad.id).error.unwrap();
        assert_eq!(bad.code, "internal");
        assert!(!bad.message.contains("/srv/secret"), "{}", bad.message);
        let input = wait(&tasks, &input.id).error.unwrap();
        assert_eq!(input.code, "invalid_import");
        assert_eq!(input.message, "orders.csv: line 3: bad date");
    }

    // Two nodes on one shared store: the second starting must not fail the
    // task the first is running, only a task nobody runs any more.
    #[test]
    fn a_starting_node_fails_only_tasks_nobody_runs() {
        let store = store::Store::open_temporary().unwrap();
        let first = Tasks::new(store.clone(), Clock::fixed(0));
        let (release, wait_for) = std::sync::mpsc::channel::<()>();
        let running = first
            .spawn("import_catalog", "rows", move |_| {
                let _ = wait_for.recv();
                Ok(serde_json::json!({"ok": true}))
            })
            .unwrap();
        // A record left `running` by a node that died.
        let dead = Task { id: "t0000000000000dead".into(), status: TaskStatus::Running, ..running.clone() };
        first.save(&dead).unwrap();

        let second = Tasks::new(store, Clock::fixed(0));
        assert_eq!(second.fail_interrupted().unwrap(), 1);
        assert_eq!(second.load(&dead.id).unwrap().unwrap().status, TaskStatus::Failed);
        assert!(
            !second.load(&running.id).unwrap().unwrap().status.is_finished(),
            "the live task is left alone"
        );
        release.send(()).unwrap();
        assert_eq!(wait(&first, &running.id).status, TaskStatus::Succeeded);
    }
}
