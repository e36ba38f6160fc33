//! The recs integration tests: one binary, one module per concern.

mod online_retail;
mod retail;
mod trending;
