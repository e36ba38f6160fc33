//! Integration tests of the application layer's use cases, run against an
//! in-memory store. One module per use case.

mod experiments;
mod imports;
mod outbox;
mod privacy;
mod ranking_experiment;
