//! The search index built from the store: active products, behaviour from
//! storefront events, and the merchandising rules kept as JSON documents in
//! the `rules` collection. Shared by `loupe search`, `loupe eval search` and
//! the HTTP API's cached index.

use anyhow::Context;
use search::{BehaviourStats, Config, SearchIndex};

use crate::wire::search::Rule;

/// Store collection holding merchandising rules, one JSON document per rule id.
pub const RULES_COLLECTION: &str = "rules";

/// The stored rules, converted for the engine. A document that no longer
/// parses is skipped with a warning rather than breaking search.
pub fn load_rules(store: &store::Store) -> anyhow::Result<Vec<search::Rule>> {
    let docs = store.list_docs(RULES_COLLECTION).context("Failed to read merchandising rules")?;
    let mut out = Vec::with_capacity(docs.len());
    for (key, json) in docs {
        match serde_json::from_str::<Rule>(&json).map_err(|e| e.to_string()).and_then(|r| r.to_engine()) {
            Ok(rule) => out.push(rule),
            Err(e) => tracing::warn!("skipping merchandising rule {key:?}: {e}"),
        }
    }
    Ok(out)
}

/// Builds the index for the store's current catalog; returns it with the
/// catalog version it was built from.
pub fn build_search_index(store: &store::Store) -> anyhow::Result<(u64, SearchIndex)> {
    let version = store.catalog_version().context("Failed to read the catalog version")?;
    let products = store.products().context("Failed to read the catalog")?;
    let stats = store
        .scan_events(i64::MIN, i64::MAX, |events| BehaviourStats::from_sorted(events))
        .context("Failed to read storefront events")?;
    let index = SearchIndex::build(&products, &stats, &Config::default())
        .context("Failed to build the search index")?;
    index.set_rules(load_rules(store)?);
    Ok((version, index))
}
