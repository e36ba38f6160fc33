//! `wire`: see the crate documentation.

/// Wire types only the HTTP API sends (errors, tasks, event outcomes).
pub mod http;

/// Post-purchase care plans (issue 17).
pub mod care;
/// Products as exported and listed (the export contract).
pub mod catalog;
/// The decision log (issue 18).
pub mod decisions;
/// Experiments: definitions, assignments, results (issue 15).
pub mod experiments;
/// Forecasts, replenishment suggestions and slow movers (issue 6).
pub mod forecast;
/// Import reports (CLI `--json` and task reports).
pub mod import;
/// Merchandising by intent: collections, previews, bundles, placements (issue 14).
pub mod merch;
/// A customer's data, exported (issue 18).
pub mod privacy;
/// The catalog's data-quality report.
pub mod quality;
/// Recommendations and customer forgetting (issue 5).
pub mod recs;
/// Order risk and return abuse (issue 18).
pub mod risk;
/// The scorecard's rows (issue 19).
pub mod scorecard;
/// Search responses, suggestions, merchandising rules, search analytics (issue 4).
pub mod search;
/// Customer support: classification, answers, tickets, the knowledge base (issue 16).
pub mod support;
