//! Search over HTTP: `GET /v1/search` (the same JSON as `loupe search
//! --json`), `GET /v1/suggest`, merchandising rules under `/v1/rules`, and
//! `GET /v1/search/analytics` (and its back-office page `/admin/search`,
//! rendered in `web::search`). The index lives in [`SearchCache`] inside the
//! app state and is rebuilt only when the catalog version changes (or its
//! behaviour data is over ten minutes old); a stale index keeps answering
//! while one request rebuilds it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use search::{Filters, SearchIndex, SearchRequest, Sort};
use serde_json::json;

use super::{schema_ref, Access, Area, Op};
use crate::http::blocking;
use crate::http::error::{ApiError, Json, Path};
use crate::http::query::pairs;
use crate::http::state::AppState;
use crate::jobs::{build_search_index, load_rules, RULES_COLLECTION};
use crate::wire::search::{Rule, SearchAnalytics, SearchResponse, Suggestions};

/// Behaviour (clicks, purchases) is refreshed at least this often.
const MAX_AGE: Duration = Duration::from_secs(600);
/// Deepest result a client may page to.
const MAX_OFFSET: usize = 10_000;

struct Cached {
    version: u64,
    built_at: Instant,
    index: Arc<SearchIndex>,
}

/// The search index for the current catalog, shared by every request.
#[derive(Clone, Default)]
pub struct SearchCache {
    cached: Arc<Mutex<Option<Cached>>>,
    /// Held while building, so only one request builds at a time.
    building: Arc<Mutex<()>>,
}

impl SearchCache {
    /// The index for the store's current catalog. Blocking: call it inside
    /// [`blocking`].
    pub fn index(&self, store: &store::Store) -> Result<Arc<SearchIndex>, ApiError> {
        let version = store.catalog_version()?;
        let current = |c: &Option<Cached>| {
            c.as_ref()
                .filter(|c| c.version == version && c.built_at.elapsed() < MAX_AGE)
                .map(|c| c.index.clone())
        };
        let stale = {
            let guard = self.cached.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(index) = current(&guard) {
                return Ok(index);
            }
            guard.as_ref().map(|c| c.index.clone())
        };
        let _building = match (self.building.try_lock(), stale) {
            (Ok(guard), _) => guard,
            // Someone is rebuilding: answer from the previous index meanwhile.
            (Err(_), Some(stale)) => return Ok(stale),
            (Err(_), None) => self.building.lock().unwrap_or_else(|p| p.into_inner()),
        };
        if let Some(index) = current(&self.cached.lock().unwrap_or_else(|p| p.into_inner())) {
            return Ok(index);
        }
        let (built_version, index) = build_search_index(store).map_err(ApiError::internal)?;
        let index = Arc::new(index);
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Cached { version: built_version, built_at: Instant::now(), index: index.clone() });
        Ok(index)
    }

    /// Reloads the rules into the cached index after they changed.
    fn reload_rules(&self, store: &store::Store) -> Result<(), ApiError> {
        if let Some(c) = self.cached.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            c.index.set_rules(load_rules(store).map_err(ApiError::internal)?);
        }
        Ok(())
    }
}

pub(crate) fn area() -> Area {
    Area::new("search", "Search, autocomplete, merchandising rules and search analytics.")
        .get(
            "/v1/search",
            Access::Public,
            search_handler,
            Op::new("Search products")
                .describe(
                    "Understands the query (price, metal, stone, category, recipient, style, occasion, birthstone, \
                     typos), relaxes constraints that would leave nothing, ranks with reasons (`why`) and counts facets. \
                     Facet filters are `field=value` parameters (or `filter=field=value`), repeatable; values of one \
                     field are alternatives.",
                )
                .query("q", "string", "The shopper's words; empty browses everything.")
                .query("limit", "integer", "Hits per page, 1 to 100 (default 20).")
                .query("offset", "integer", "Hits to skip (default 0, at most 10000).")
                .query_enum("sort", &["relevance", "price_asc", "price_desc", "newest", "best_selling"], false, "Order.")
                .query("category", "string", "Facet filter (also metal, color, stone, gender, size, price=MIN-MAX, karat, origin, in_stock).")
                .json(200, "Hits with reasons, facets and the interpretation.", schema_ref("SearchResponse"))
                .error(400, "Unknown parameter or filter field, bad value, impossible range."),
        )
        .get(
            "/v1/suggest",
            Access::Public,
            suggest_handler,
            Op::new("Autocomplete")
                .describe("Query completions (past searches, jewelry phrases) and products as the shopper types.")
                .query("q", "string", "What has been typed so far.")
                .query("limit", "integer", "Suggestions of each kind, 1 to 20 (default 8).")
                .json(200, "Query and product suggestions.", json!({"type": "object"})),
        )
        .get(
            "/v1/search/analytics",
            Access::Admin,
            analytics_handler,
            Op::new("Search analytics")
                .describe("Top queries, zero-result queries, queries nobody clicks, click-through by position; from events.")
                .query("limit", "integer", "Queries per list, 1 to 200 (default 20).")
                .json(200, "Search analytics.", json!({"type": "object"})),
        )
        .page("/admin/search", Access::AdminPage, crate::http::web::search::admin_page)
        .get(
            "/v1/rules",
            Access::Admin,
            list_rules,
            Op::new("List merchandising rules").json(200, "Every rule.", json!({"type": "array", "items": schema_ref("Rule")})),
        )
        .post(
            "/v1/rules",
            Access::Admin,
            create_rule,
            Op::new("Create a merchandising rule")
                .json_body(schema_ref("Rule"), "The rule.")
                .json(201, "The rule as stored.", schema_ref("Rule"))
                .error(400, "The rule is invalid.")
                .error(409, "A rule with this id exists."),
        )
        .get(
            "/v1/rules/{id}",
            Access::Admin,
            get_rule,
            Op::new("Show a merchandising rule").path("id", "Rule id.").json(200, "The rule.", schema_ref("Rule")).error(404, "No such rule."),
        )
        .put(
            "/v1/rules/{id}",
            Access::Admin,
            put_rule,
            Op::new("Create or replace a merchandising rule")
                .path("id", "Rule id; must equal the body's `id`.")
                .json_body(schema_ref("Rule"), "The rule.")
                .json(200, "The rule as stored.", schema_ref("Rule"))
                .error(400, "The rule is invalid."),
        )
        .delete(
            "/v1/rules/{id}",
            Access::Admin,
            delete_rule,
            Op::new("Delete a merchandising rule").path("id", "Rule id.").error(404, "No such rule."),
        )
        .schema(
            "SearchResponse",
            json!({
                "type": "object",
                "required": ["query", "understood", "relaxed", "total", "hits", "facets"],
                "properties": {
                    "query": {"type": "string"},
                    "understood": {"type": "object", "properties": {
                        "constraints": {"type": "array", "items": {"type": "object"}},
                        "preferences": {"type": "array", "items": {"type": "object"}},
                        "terms": {"type": "array", "items": {"type": "string"}},
                        "corrections": {"type": "array", "items": {"type": "object"}},
                        "ignored": {"type": "array", "items": {"type": "string"}},
                    }},
                    "relaxed": {"type": "array", "items": {"type": "object", "properties": {
                        "constraint": {"type": "string"}, "detail": {"type": "string"}}}},
                    "total": {"type": "integer"},
                    "hits": {"type": "array", "items": {"type": "object",
                        "required": ["id", "handle", "title", "score", "price", "variant_sku", "why"],
                        "properties": {
                            "id": {"type": "integer"}, "handle": {"type": "string"}, "title": {"type": "string"},
                            "score": {"type": "number"}, "price": {"type": ["number", "null"]},
                            "currency": {"type": ["string", "null"]}, "variant_sku": {"type": ["string", "null"]},
                            "why": {"type": "array", "items": {"type": "object", "required": ["signal", "detail", "contribution"]}},
                        }}},
                    "facets": {"type": "object", "additionalProperties": {"type": "array"}},
                    "price_range": {"type": ["object", "null"]},
                },
            }),
        )
        .schema(
            "Rule",
            json!({
                "type": "object",
                "required": ["id", "action", "products"],
                "properties": {
                    "id": {"type": "string"},
                    "action": {"type": "string", "enum": ["pin", "boost", "bury", "hide"]},
                    "amount": {"type": ["number", "null"], "description": "Points for boost/bury (default 2)."},
                    "products": {"type": "array", "items": {"type": "string"}, "description": "Product handles."},
                    "query": {"type": ["string", "null"]},
                    "category": {"type": ["string", "null"]},
                    "starts_at": {"type": ["string", "null"], "description": "RFC 3339 or YYYY-MM-DD."},
                    "ends_at": {"type": ["string", "null"]},
                },
            }),
        )
}

fn parse_limit(text: &str, max: usize) -> Result<usize, ApiError> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request("invalid_query", format!("limit must be between 1 and {max}"))),
    }
}

/// Reads `/v1/search`'s query string into an engine request.
pub(crate) fn parse_search(raw: Option<&str>) -> Result<SearchRequest, ApiError> {
    let mut req = SearchRequest::new("");
    let bad = |e: search::Error| ApiError::bad_request("invalid_filter", e.to_string());
    let mut filters = Filters::default();
    for (key, value) in pairs(raw.unwrap_or(""))? {
        match key.as_str() {
            "q" => req.query = value,
            "limit" => req.limit = parse_limit(&value, search::MAX_LIMIT)?,
            "offset" => {
                req.offset = match value.trim().parse::<usize>() {
                    Ok(n) if n <= MAX_OFFSET => n,
                    _ => {
                        return Err(ApiError::bad_request(
                            "invalid_query",
                            format!("offset must be between 0 and {MAX_OFFSET}"),
                        ))
                    }
                }
            }
            "sort" => {
                req.sort =
                    Sort::parse(&value).map_err(|e| ApiError::bad_request("invalid_sort", e.to_string()))?
            }
            "filter" => filters.add(&value).map_err(bad)?,
            field if search::FILTER_FIELDS.contains(&field) => {
                for v in value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    filters.add_value(field, v).map_err(bad)?;
                }
            }
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown parameter {shown:?}; use q, limit, offset, sort, filter or a filter field ({})", search::FILTER_FIELDS.join(", ")),
                ));
            }
        }
    }
    req.filters = filters;
    req.now = chrono::Utc::now().timestamp();
    Ok(req)
}

/// Runs a search on the state's index (blocking).
pub fn run_search(state: &AppState, req: &SearchRequest) -> Result<SearchResponse, ApiError> {
    let index = state.search.index(&state.store)?;
    let response = index.search(req).map_err(|e| match e {
        search::Error::BadRequest(m) => ApiError::bad_request("invalid_search", m),
        other => ApiError::internal(other),
    })?;
    let bounds = index.price_bounds(&response.understood);
    Ok(SearchResponse::from_engine(req, &response, bounds))
}

async fn search_handler(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let req = parse_search(raw.as_deref())?;
    let response = blocking(move || run_search(&state, &req)).await?;
    Ok(Json(response))
}

async fn suggest_handler(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Suggestions>, ApiError> {
    let mut q = String::new();
    let mut limit = 8;
    for (key, value) in pairs(raw.as_deref().unwrap_or(""))? {
        match key.as_str() {
            "q" => q = value,
            "limit" => limit = parse_limit(&value, 20)?,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown parameter {shown:?}; use q and limit"),
                ));
            }
        }
    }
    let out = blocking(move || {
        let index = state.search.index(&state.store)?;
        Ok(Suggestions::from_engine(&q, &index.suggest(&q, limit)))
    })
    .await?;
    Ok(Json(out))
}

async fn analytics_handler(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchAnalytics>, ApiError> {
    let mut limit = 20;
    for (key, value) in pairs(raw.as_deref().unwrap_or(""))? {
        match key.as_str() {
            "limit" => limit = parse_limit(&value, 200)?,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad_request(
                    "unknown_parameter",
                    format!("unknown parameter {shown:?}; use limit"),
                ));
            }
        }
    }
    let out = blocking(move || {
        let events = state.store.events()?;
        Ok(SearchAnalytics::from_engine(&search::analytics(&events, limit)))
    })
    .await?;
    Ok(Json(out))
}

pub(crate) fn stored_rules(store: &store::Store) -> Result<Vec<Rule>, ApiError> {
    let mut out = Vec::new();
    for (_, json) in store.list_docs(RULES_COLLECTION)? {
        if let Ok(rule) = serde_json::from_str::<Rule>(&json) {
            out.push(rule);
        }
    }
    Ok(out)
}

fn save_rule(state: &AppState, rule: &Rule) -> Result<(), ApiError> {
    rule.to_engine().map_err(|m| ApiError::bad_request("invalid_rule", m))?;
    let json = serde_json::to_string(rule).map_err(ApiError::internal)?;
    state.store.put_doc(RULES_COLLECTION, &rule.id, &json)?;
    state.search.reload_rules(&state.store)
}

async fn list_rules(State(state): State<AppState>) -> Result<Json<Vec<Rule>>, ApiError> {
    Ok(Json(blocking(move || stored_rules(&state.store)).await?))
}

async fn get_rule(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Rule>, ApiError> {
    let rule = blocking(move || {
        let json = state
            .store
            .get_doc(RULES_COLLECTION, &id)?
            .ok_or_else(|| ApiError::not_found(format!("rule {id:?}")))?;
        serde_json::from_str::<Rule>(&json).map_err(ApiError::internal)
    })
    .await?;
    Ok(Json(rule))
}

async fn create_rule(State(state): State<AppState>, Json(rule): Json<Rule>) -> Result<Response, ApiError> {
    let rule = blocking(move || {
        if state.store.get_doc(RULES_COLLECTION, &rule.id)?.is_some() {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("rule {:?} exists; PUT /v1/rules/{{id}} replaces it", rule.id),
            ));
        }
        save_rule(&state, &rule)?;
        Ok(rule)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(rule)).into_response())
}

async fn put_rule(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(rule): Json<Rule>,
) -> Result<Json<Rule>, ApiError> {
    if rule.id != id {
        return Err(ApiError::bad_request("invalid_rule", "the body's id differs from the path's"));
    }
    let rule = blocking(move || {
        save_rule(&state, &rule)?;
        Ok(rule)
    })
    .await?;
    Ok(Json(rule))
}

async fn delete_rule(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    blocking(move || {
        if !state.store.delete_doc(RULES_COLLECTION, &id)? {
            return Err(ApiError::not_found(format!("rule {id:?}")));
        }
        state.search.reload_rules(&state.store)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
