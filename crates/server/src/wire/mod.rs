//! `wire`: see the crate documentation.
/// Forecasts, replenishment suggestions and slow movers (issue 6).
pub mod forecast;
