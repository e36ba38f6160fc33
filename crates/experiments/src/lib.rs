//! Experiments: who sees which variation, and what the numbers say afterwards.
//!
//! - [`assign`]: hashing and bucketing exactly as GrowthBook's SDKs do them, so a user lands in the
//!   same arm whether a GrowthBook SDK or Loupe assigns them.
//! - [`stats`]: the read-outs of GrowthBook's statistics engine (`gbstats`): frequentist,
//!   sequential, Bayesian, CUPED, ratio metrics, the sample-ratio check and power.
//!
//! Values in, values out: nothing here opens a file or reads a clock.

pub mod assign;
pub mod condition;
pub mod stats;
