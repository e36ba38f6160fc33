//! Loupe's application layer: the HTTP API, the wire types, and the jobs that
//! connect the parsers and engines to the store.
//!
//! - [`wire`]: serde types for everything Loupe prints or sends; the CLI's
//!   `--json` output and the HTTP API share them, so both say the same thing.
//! - [`jobs`]: import pipelines and other long work (parse with `catalog`,
//!   write with `store`), used by the CLI and by background tasks alike.
//! - [`http`]: the axum router, auth, errors, OpenAPI and the web shell.

pub mod http;
pub mod jobs;
pub mod wire;
