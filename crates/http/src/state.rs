//! What every handler can reach: the [`App`] (store, clock, engines, tasks),
//! the data directory, the metrics, the body limits and the guard (rate
//! limits, CORS).
//!
//! Engines and their caches live in `app::Engines`, not here: a new engine
//! adds its field there, and its routes reach it through `state.app`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use app::App;

use super::guard::{Guard, GuardConfig};
use super::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub app: App,
    /// The data directory; imports spool their upload under `tmp/` here.
    pub data_dir: Arc<PathBuf>,
    pub metrics: Arc<Metrics>,
    pub(crate) limits: Limits,
    /// Accepted as an admin key: the CLI on this machine sends it (see
    /// `ServeConfig::local_token`).
    pub local_token: Option<Arc<str>>,
    /// Rate limits, CORS origins and keys' last use (see `guard`).
    pub(crate) guard: Arc<Guard>,
}

/// Request body limits, per kind of route.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `POST /v1/imports` (streamed to disk, never held in memory).
    pub import_bytes: usize,
    /// `POST /v1/events` (a batch is parsed in memory).
    pub events_bytes: usize,
    /// Every other route that takes a body.
    pub default_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { import_bytes: 64 * 1024 * 1024, events_bytes: 8 * 1024 * 1024, default_bytes: 1024 * 1024 }
    }
}

impl AppState {
    pub fn new(app: App, data_dir: &Path) -> AppState {
        AppState {
            app,
            data_dir: Arc::new(data_dir.to_path_buf()),
            metrics: Arc::new(Metrics::default()),
            limits: Limits::default(),
            local_token: None,
            guard: Arc::new(Guard::new(GuardConfig::default())),
        }
    }

    /// Same state with other rate limits, CORS origins or proxy trust.
    pub fn with_guard(mut self, config: GuardConfig) -> AppState {
        self.guard = Arc::new(Guard::new(config));
        self
    }

    /// Same state with other body limits (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.limits = limits;
        self
    }
}
