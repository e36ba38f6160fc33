//! Loupe's search engine: it understands what a shopper typed (price,
//! metal, stone, category, recipient, style, occasion, birthstone months,
//! typos), retrieves with a tantivy full-text index plus attribute bit sets,
//! relaxes constraints that would leave nothing, ranks with named signals
//! (text, constraint and preference match, click-through and conversion,
//! availability, merchandising rules), counts multi-select facets and
//! suggests completions.
//!
//! No IO: products, events and rules come in as values; responses go out as
//! values (the server's `wire` module shapes them for JSON).
//!
//! ```text
//! let index = SearchIndex::build(&products, &BehaviourStats::from_events(&events), &Config::default())?;
//! let response = index.search(&SearchRequest::new("yellow gold ring under $500"))?;
//! ```

mod analytics;
mod behaviour;
mod bitset;
mod engine;
pub mod eval;
mod facets;
mod index;
mod lexicon;
mod request;
mod rules;
mod sessions;
mod suggest;
mod text;
mod understand;

pub use analytics::{
    analytics, analytics_sorted, AnalyticsBuilder, PositionStat, QueryStat, SearchAnalytics,
};
pub use behaviour::{query_key, BehaviourStats, QueryProductStats};
pub use index::{Config, SearchIndex, Weights};
pub use lexicon::{Lexicon, LexiconError, PriceWord, DEFAULT_LEXICON};
pub use request::{
    Facet, FacetValue, Filters, Hit, Ranking, Reason, Relaxation, SearchRequest, SearchResponse, Sort,
    FILTER_FIELDS, MAX_LIMIT,
};
pub use rules::{Rule, RuleAction};
pub use suggest::{SuggestedProduct, Suggestions};
pub use understand::{understand, Labelled, PriceWant, StoneWant, Understood, MAX_QUERY_CHARS};

pub(crate) use index::size_label as index_size_label;

/// Errors of the search engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's request is malformed (unknown filter field, impossible
    /// range, unknown sort): a 400, with a message for the shopper's developer.
    #[error("{0}")]
    BadRequest(String),
    /// The full-text index failed; an internal error.
    #[error("search index: {0}")]
    Index(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
