//! Loupe's application layer: everything the CLI and the HTTP API both do,
//! written once. It knows the store and the engines, but no HTTP and no HTML;
//! the `loupe-http` crate and the `loupe` binary call it, never the reverse.
//!
//! - [`App`]: the store, the clock, the [`engines::Engines`] built per data
//!   version, and the background [`tasks::Tasks`].
//! - Use cases, one module each: [`catalog`], [`events`], [`experiments`], [`search`],
//!   [`recommend`], [`imports`], [`forecasts`], [`customers`], [`scorecard`], [`support`], [`care`]. A CLI command or an HTTP handler parses
//!   its input, calls one of these, and prints or sends the wire value.
//! - [`wire`]: serde types for everything Loupe prints or sends; the CLI's
//!   `--json` output and the HTTP API share them, so both say the same thing.
//! - [`jobs`]: the import pipelines and other long work (parse with
//!   `catalog`, write with `store`) behind the use cases.
//! - [`error`]: the one table of error codes ([`Code`]) with their HTTP
//!   status and description, and the use cases' [`Error`].

pub mod care;
pub mod catalog;
pub mod clock;
pub mod customers;
pub mod decisions;
pub mod engines;
pub mod error;
pub mod events;
pub mod experiments;
pub mod forecasts;
pub mod imports;
pub mod jobs;
pub mod merch;
pub mod outbox;
pub mod recommend;
pub mod risk;
pub mod scorecard;
pub mod search;
pub mod support;
pub mod tasks;
pub mod traces;
pub mod wire;

use std::sync::Arc;

pub use clock::Clock;
pub use engines::Engines;
pub use error::{Code, Error, Result};
pub use tasks::Tasks;

/// One brand's Loupe: its store and everything built from it. Cheap to
/// clone (everything is shared).
#[derive(Clone)]
pub struct App {
    pub store: store::Store,
    pub clock: Clock,
    pub engines: Arc<Engines>,
    pub tasks: Tasks,
    /// Experiment exposures already logged by this process.
    pub exposures: Arc<experiments::ExposureLog>,
}

impl App {
    pub fn new(store: store::Store, clock: Clock) -> App {
        App {
            engines: Arc::new(Engines::new(store.clone(), clock.clone())),
            tasks: Tasks::new(store.clone(), clock.clone()),
            exposures: Arc::default(),
            store,
            clock,
        }
    }
}
