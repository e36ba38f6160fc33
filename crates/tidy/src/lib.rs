//! The workspace's invariants, checked by `cargo test` (as rust-analyzer's
//! `xtask/src/tidy.rs` does): a rule nobody checks stops being true. Each
//! failure names the file and the rule it breaks.
//!
//! - Engine crates (catalog, search, recs, forecast, and the engines to
//!   come: list them in [`ENGINES`]) depend on no storage, HTTP or async
//!   runtime crate, and derive no `Serialize` (the wire types live in `app`).
//! - Only `store` depends on `redb`; only `http` depends on `axum`.
//! - No `.rs` file builds HTML (or SVG) tags in string literals: pages are
//!   maud templates, which escape by default. Test code is exempt.
//! - Every crate has a section in `ARCHITECTURE.md`.
//! - Every `.rs` file opens with a `//!` paragraph saying what it is for.
//!
//! The crate has no code of its own; the checks are its tests.

/// Crates that hold an engine: pure computation over values.
pub const ENGINES: &[&str] =
    &["catalog", "search", "recs", "forecast", "scorecard", "support", "care", "risk", "merch"];

/// What an engine crate must not depend on.
pub const NOT_FOR_ENGINES: &[&str] =
    &["redb", "axum", "tokio", "tower", "tower-http", "hyper", "maud", "store", "app"];

#[cfg(test)]
mod lex;
#[cfg(test)]
mod tests;
