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
    Ok(SearchRequest {
        query: q.query,
        filters,
        sort,
        limit: q.limit,
        offset: q.offset,
        now,
        ranking: search::Ranking::Learned,
    })
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

/// A problem with one field of a rule, named so that a form can show it
/// beside that field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The `Rule` field: `id`, `action`, `amount`, `query`, `category`,
    /// `products`, `starts_at` or `ends_at`.
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> FieldError {
        FieldError { field, message: message.into() }
    }
}

/// Checks a rule a merchandiser wrote, field by field and against the
/// catalog: each product may be given by handle or by SKU and comes back as
/// its handle. `Ok(Err(..))` lists every problem, by field; the outer error
/// is the store's.
pub fn check_rule(engines: &Engines, rule: &Rule) -> Result<std::result::Result<Rule, Vec<FieldError>>> {
    let mut errors = Vec::new();
    let mut rule = rule.clone();
    rule.id = rule.id.trim().to_string();
    if rule.id.is_empty()
        || rule.id.len() > 80
        || !rule.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        errors.push(FieldError::new("id", "Give the rule an id of 1 to 80 letters, digits, '-' or '_'."));
    }
    if !matches!(rule.action.as_str(), "pin" | "boost" | "bury" | "hide") {
        errors.push(FieldError::new("action", "Choose pin, boost, bury or hide."));
    }
    if rule.amount.is_some_and(|a| !a.is_finite() || !(0.0..=1000.0).contains(&a)) {
        errors.push(FieldError::new("amount", "Points must be a number between 0 and 1000."));
    }
    rule.query = rule.query.map(|q| q.trim().to_string()).filter(|q| !q.is_empty());
    rule.category = rule.category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if let Some(c) = &rule.category {
        if model::Category::parse(c).is_none() {
            errors.push(FieldError::new("category", format!("Unknown category {c:?}.")));
        }
    }
    if rule.query.is_none() && rule.category.is_none() {
        errors.push(FieldError::new(
            "query",
            "The query is empty: give the words a shopper's query must contain (or a category).",
        ));
    }
    let catalog = engines.catalog()?;
    let mut handles: Vec<String> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for given in rule.products.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let found = catalog.iter().find(|p| p.handle == given).or_else(|| {
            catalog.iter().find(|p| p.variants.iter().any(|v| v.sku.eq_ignore_ascii_case(given)))
        });
        match found {
            Some(p) if !handles.contains(&p.handle) => handles.push(p.handle.clone()),
            Some(_) => {}
            None => unknown.push(given.to_string()),
        }
    }
    if !unknown.is_empty() {
        let s = if unknown.len() == 1 { "" } else { "s" };
        errors.push(FieldError::new(
            "products",
            format!("Unknown product handle{s} or SKU{s}: {}.", unknown.join(", ")),
        ));
    } else if handles.is_empty() {
        errors.push(FieldError::new("products", "List at least one product, by handle or SKU."));
    } else if handles.len() > 1000 {
        errors.push(FieldError::new("products", "A rule acts on at most 1,000 products."));
    }
    rule.products = handles;
    let mut window = [None, None];
    for (i, (field, value)) in
        [("starts_at", &mut rule.starts_at), ("ends_at", &mut rule.ends_at)].into_iter().enumerate()
    {
        *value = value.as_ref().map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        if let Some(v) = value.as_deref() {
            match crate::wire::search::parse_time(v) {
                Ok(t) => window[i] = Some(t),
                Err(_) => errors.push(FieldError::new(field, format!("{v:?} is not a date (YYYY-MM-DD)."))),
            }
        }
    }
    if let [Some(start), Some(end)] = window {
        if end <= start {
            errors.push(FieldError::new(
                "ends_at",
                "The end date is before the start date: it must come after it.",
            ));
        }
    }
    if errors.is_empty() {
        // The API's own check, so that the form can never store what the API would refuse.
        if let Err(m) = rule.to_engine() {
            errors.push(FieldError::new("id", m));
        }
    }
    Ok(if errors.is_empty() { Ok(rule) } else { Err(errors) })
}

/// The top of a rule's search with the rule applied and without it.
#[derive(Clone, Debug)]
pub struct RulePreview {
    pub with_rule: SearchResponse,
    pub without_rule: SearchResponse,
    /// Unix seconds the searches ran at: now, or the rule's start when that
    /// is later (a rule for next month is previewed as it will be then).
    pub at: i64,
}

/// Runs `rule`'s query (or its category) with the live rules, once with
/// `rule` in place of the stored rule of the same id and once without it.
pub fn preview_rule(engines: &Engines, rule: &Rule, now: i64, limit: usize) -> Result<RulePreview> {
    let draft = rule.to_engine().map_err(|m| Error::new(Code::InvalidRule, m))?;
    let at = draft.starts_at.map_or(now, |s| s.max(now));
    let mut req = SearchRequest::new(rule.query.as_deref().unwrap_or(""));
    req.limit = limit;
    req.now = at;
    req.filters.category.extend(draft.category);
    let index = engines.search()?;
    let others: Vec<search::Rule> = index.rules().iter().filter(|r| r.id != draft.id).cloned().collect();
    let mut with: Vec<search::Rule> = others.clone();
    with.push(draft);
    let run = |rules: &[search::Rule]| -> Result<SearchResponse> {
        let response = index.search_with_rules(&req, rules).map_err(|e| match e {
            search::Error::BadRequest(m) => Error::new(Code::InvalidSearch, m),
            other => Error::internal(other),
        })?;
        let bounds = index.price_bounds(&response.understood);
        Ok(SearchResponse::from_engine(&req, &response, bounds))
    };
    Ok(RulePreview { with_rule: run(&with)?, without_rule: run(&others)?, at })
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
            visitor_id: None,
            exposure: None,
        }
    }

    /// Each mistake in a rule is named by its field; products given by SKU
    /// come back as their handles, once each.
    #[test]
    fn a_rule_is_checked_field_by_field_against_the_catalog() {
        let store = store::Store::open_temporary().unwrap();
        let ring = model::Product {
            handle: "halo-ring".into(),
            title: "Halo Ring".into(),
            variants: vec![model::Variant { sku: "HALO-7".into(), ..model::Variant::default() }],
            ..model::Product::default()
        };
        store.import_products([Ok::<_, std::io::Error>(ring)], 0).unwrap();
        let engines = Engines::new(store, Clock::fixed(0));
        let base = Rule {
            id: "hero".into(),
            action: "pin".into(),
            amount: None,
            products: vec!["halo-7".into(), "halo-ring".into()],
            query: Some("ring".into()),
            category: None,
            starts_at: None,
            ends_at: None,
        };
        #[track_caller]
        fn check(engines: &Engines, rule: Rule, fields: &[&str]) {
            let got = match check_rule(engines, &rule).unwrap() {
                Ok(_) => Vec::new(),
                Err(errors) => errors.into_iter().map(|e| e.field).collect(),
            };
            assert_eq!(got, fields, "{rule:?}");
        }
        let ok = check_rule(&engines, &base).unwrap().unwrap();
        assert_eq!(ok.products, ["halo-ring"]);
        check(&engines, Rule { id: "no spaces".into(), ..base.clone() }, &["id"]);
        check(&engines, Rule { action: "promote".into(), ..base.clone() }, &["action"]);
        check(&engines, Rule { amount: Some(-1.0), ..base.clone() }, &["amount"]);
        check(&engines, Rule { query: Some(" ".into()), ..base.clone() }, &["query"]);
        check(&engines, Rule { query: None, category: Some("ring".into()), ..base.clone() }, &[]);
        check(&engines, Rule { category: Some("tiara".into()), ..base.clone() }, &["category"]);
        check(&engines, Rule { products: vec!["nope".into()], ..base.clone() }, &["products"]);
        check(&engines, Rule { products: vec![" ".into()], ..base.clone() }, &["products"]);
        check(&engines, Rule { starts_at: Some("soon".into()), ..base.clone() }, &["starts_at"]);
        let backwards =
            Rule { starts_at: Some("2027-02-01".into()), ends_at: Some("2027-01-01".into()), ..base.clone() };
        check(&engines, backwards, &["ends_at"]);
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
