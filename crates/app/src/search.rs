//! Search use cases: one request, from the CLI's arguments or the HTTP query
//! string, run on the shared index and turned into the wire response; query
//! suggestions; search analytics; merchandising rules.

use search::{Filters, SearchRequest, Sort};

use crate::engines::Engines;
use crate::error::{Code, Error, Result};
use crate::jobs::RULES_COLLECTION;
use crate::wire::search::{Rule, SearchAnalytics, SearchResponse, Suggestions};

/// Deepest result a client may page to.
pub const MAX_OFFSET: usize = 10_000;

/// A search as a person or client states it, before it is checked.
#[derive(Clone, Debug, Default)]
pub struct SearchQuery {
    pub query: String,
    /// `field=value` filters (`metal=gold,silver`, `price=100-500`).
    pub filters: Vec<String>,
    /// `(field, value)` filters given as separate parameters (HTTP).
    pub field_filters: Vec<(String, String)>,
    pub sort: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

fn bad_filter(e: search::Error) -> Error {
    Error::new(Code::InvalidFilter, e.to_string())
}

/// Checks `q` and builds the engine's request at `now` (Unix seconds).
pub fn request(q: SearchQuery, now: i64) -> Result<SearchRequest> {
    if q.limit == 0 || q.limit > search::MAX_LIMIT {
        return Err(Error::new(
            Code::InvalidQuery,
            format!("limit must be between 1 and {}", search::MAX_LIMIT),
        ));
    }
    if q.offset > MAX_OFFSET {
        return Err(Error::new(Code::InvalidQuery, format!("offset must be between 0 and {MAX_OFFSET}")));
    }
    let mut filters = Filters::default();
    for f in &q.filters {
        filters.add(f).map_err(bad_filter)?;
    }
    for (field, value) in &q.field_filters {
        for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
            filters.add_value(field, v).map_err(bad_filter)?;
        }
    }
    let sort = match q.sort.as_deref() {
        None => Sort::default(),
        Some(s) => Sort::parse(s).map_err(|e| Error::new(Code::InvalidSort, e.to_string()))?,
    };
    Ok(SearchRequest { query: q.query, filters, sort, limit: q.limit, offset: q.offset, now })
}

/// Runs `req` on the current index.
pub fn search(engines: &Engines, req: &SearchRequest) -> Result<SearchResponse> {
    let index = engines.search()?;
    let response = index.search(req).map_err(|e| match e {
        search::Error::BadRequest(m) => Error::new(Code::InvalidSearch, m),
        other => Error::internal(other),
    })?;
    let bounds = index.price_bounds(&response.understood);
    Ok(SearchResponse::from_engine(req, &response, bounds))
}

/// Completions and products for what has been typed so far.
pub fn suggest(engines: &Engines, q: &str, limit: usize) -> Result<Suggestions> {
    let index = engines.search()?;
    Ok(Suggestions::from_engine(q, &index.suggest(q, limit)))
}

/// Top, zero-result and unclicked queries, click-through by position.
pub fn analytics(engines: &Engines, limit: usize) -> Result<SearchAnalytics> {
    Ok(SearchAnalytics::from_engine(&engines.search_analytics(limit)?))
}

/// Every stored merchandising rule (a document that no longer parses is left out).
pub fn rules(engines: &Engines) -> Result<Vec<Rule>> {
    Ok(engines
        .store()
        .list_docs(RULES_COLLECTION)?
        .into_iter()
        .filter_map(|(_, json)| serde_json::from_str::<Rule>(&json).ok())
        .collect())
}

pub fn rule(engines: &Engines, id: &str) -> Result<Rule> {
    let json = engines
        .store()
        .get_doc(RULES_COLLECTION, id)?
        .ok_or_else(|| Error::not_found(format!("rule {id:?}")))?;
    serde_json::from_str::<Rule>(&json).map_err(Error::internal)
}

/// Stores `rule` (creating it only when `create` and it does not exist yet)
/// and applies it to the live index.
pub fn save_rule(engines: &Engines, rule: &Rule, create: bool) -> Result<()> {
    rule.to_engine().map_err(|m| Error::new(Code::InvalidRule, m))?;
    if create && engines.store().get_doc(RULES_COLLECTION, &rule.id)?.is_some() {
        return Err(Error::new(
            Code::Conflict,
            format!("rule {:?} exists; PUT /v1/rules/{{id}} replaces it", rule.id),
        ));
    }
    let json = serde_json::to_string(rule).map_err(Error::internal)?;
    engines.store().put_doc(RULES_COLLECTION, &rule.id, &json)?;
    engines.reload_rules()
}

pub fn delete_rule(engines: &Engines, id: &str) -> Result<()> {
    if !engines.store().delete_doc(RULES_COLLECTION, id)? {
        return Err(Error::not_found(format!("rule {id:?}")));
    }
    engines.reload_rules()
}

#[cfg(test)]
mod tests {
    use model::{Event, EventKind};

    use super::*;
    use crate::Clock;

    fn search_event(i: usize, query: &str, results: usize) -> Event {
        Event {
            id: format!("e{i}"),
            kind: EventKind::Search,
            at: 1_700_000_000_000 + i as i64,
            session_id: Some(format!("s{i}")),
            customer_id: None,
            product: None,
            sku: None,
            query: Some(query.to_string()),
            results: (0..results).map(|r| format!("p{r}")).collect(),
            position: None,
            quantity: None,
            price: None,
            order_id: None,
        }
    }

    /// The cached analytics, cut to a limit, are what a fresh pass at that
    /// limit gives; new events are seen.
    #[test]
    fn cached_analytics_match_a_fresh_pass() {
        let store = store::Store::open_temporary().unwrap();
        let queries = ["gold ring", "pearl studs", "tennis bracelet", "xyz", "hoops", "gold ring", "hoops"];
        let events: Vec<Event> = queries
            .iter()
            .enumerate()
            .map(|(i, q)| search_event(i, q, if *q == "xyz" { 0 } else { 3 }))
            .collect();
        store.append_events(&events).unwrap();
        let engines = Engines::new(store.clone(), Clock::fixed(0));
        for limit in [1, 2, 5, 50] {
            assert_eq!(
                engines.search_analytics(limit).unwrap(),
                search::analytics(&events, limit),
                "limit {limit}"
            );
        }
        let more = vec![search_event(100, "locket", 2)];
        store.append_events(&more).unwrap();
        let all: Vec<Event> = events.into_iter().chain(more).collect();
        assert_eq!(engines.search_analytics(10).unwrap(), search::analytics(&all, 10));
    }

    /// The running analytics add what arrives after them, including events
    /// a little late, and count again when one arrives hours late or events
    /// are deleted: whatever the order of arrival, they equal a fresh pass.
    #[test]
    fn running_analytics_equal_a_fresh_pass_whatever_arrives() {
        let store = store::Store::open_temporary().unwrap();
        let engines = Engines::new(store.clone(), Clock::fixed(0));
        let hour = 3_600_000;
        let at = |e: Event, ms: i64| Event { at: 1_700_000_000_000 + ms, ..e };
        let click = |i: usize, session: usize, ms: i64| Event {
            id: format!("c{i}"),
            kind: EventKind::Click,
            session_id: Some(format!("s{session}")),
            query: None,
            results: Vec::new(),
            product: Some("p0".into()),
            position: Some(0),
            ..at(search_event(i, "", 0), ms)
        };
        let mut all: Vec<Event> = Vec::new();
        let mut check = |batch: Vec<Event>, what: &str| {
            store.append_events(&batch).unwrap();
            all.extend(batch);
            assert_eq!(engines.search_analytics(50).unwrap(), search::analytics(&all, 50), "{what}");
        };
        check(vec![at(search_event(1, "gold ring", 3), 0), click(2, 1, 10)], "first read");
        check(vec![at(search_event(3, "hoops", 0), 2 * hour)], "a later event");
        check(vec![at(search_event(4, "pearl", 2), 2 * hour - 60_000)], "a minute late");
        check(vec![at(search_event(5, "locket", 2), 10 * hour), click(6, 5, 10 * hour + 5)], "a click");
        check(vec![at(search_event(7, "bangle", 1), hour)], "nine hours late");
        // A customer's events go: the analytics are counted again.
        let mut gone = at(search_event(8, "emerald", 2), 11 * hour);
        gone.customer_id = Some("C1".into());
        gone.session_id = None;
        check(vec![gone], "the customer's search");
        store.forget_customer("C1", 0).unwrap();
        engines.forget_learned();
        all.retain(|e| e.customer_id.as_deref() != Some("C1"));
        assert_eq!(engines.search_analytics(50).unwrap(), search::analytics(&all, 50), "after forgetting");
    }
}
