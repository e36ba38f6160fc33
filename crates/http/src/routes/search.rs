//! Search over HTTP: `GET /v1/search` (the same JSON as `loupe search
//! --json`), `GET /v1/suggest`, merchandising rules under `/v1/rules`, and
//! `GET /v1/search/analytics` (its back-office page, `/admin/search`, is
//! `web::search_admin`). Each handler reads its query string and calls
//! the use case in `app::search`; the index lives in `app::Engines`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use search::SearchRequest;
use serde_json::json;

use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path};
use crate::openapi;
use crate::query::pairs;
use crate::state::AppState;
use app::search::SearchQuery;
use app::wire::search::{Rule, SearchAnalytics, SearchResponse, Suggestions};
use app::Code;

pub(crate) fn area() -> Area {
    Area::new("search", "Search, autocomplete, merchandising rules and search analytics.")
        .admin_scope(Scope::AdminMerchandising)
        .get(
            "/v1/search",
            Access::Public(Scope::Search),
            search_handler,
            with_filters(Op::new("Search products"))
                .describe(
                    "Understands the query (price, metal, stone, category, recipient, style, occasion, birthstone, \
                     typos), relaxes constraints that would leave nothing, ranks with reasons (`why`) and counts facets. \
                     Facet filters are `field=value` parameters (or `filter=field=value`), repeatable; values of one \
                     field are alternatives.",
                )
                .query("q", "string", "The shopper's words; empty browses everything.")
                .query_int("limit", 1, 100, "Hits per page, 1 to 100 (default 20).")
                .query_int("offset", 0, 10_000, "Hits to skip (default 0, at most 10000).")
                .query_enum("sort", &["relevance", "price_asc", "price_desc", "newest", "best_selling"], false, "Order.")
                .json(200, "Hits with reasons, facets and the interpretation.", schema_ref("SearchResponse"))
                .error(400, "Unknown parameter or filter field, bad value, impossible range."),
        )
        .get(
            "/v1/suggest",
            Access::Public(Scope::Search),
            suggest_handler,
            Op::new("Autocomplete")
                .describe("Query completions (past searches, jewelry phrases) and products as the shopper types.")
                .query("q", "string", "What has been typed so far.")
                .query_int("limit", 1, 20, "Suggestions of each kind, 1 to 20 (default 8).")
                .json(200, "Query and product suggestions.", json!({"type": "object"})),
        )
        .get(
            "/v1/search/analytics",
            Access::Admin,
            analytics_handler,
            Op::new("Search analytics")
                .describe("Top queries, zero-result queries, queries nobody clicks, click-through by position; from events.")
                .query_int("limit", 1, 200, "Queries per list, 1 to 200 (default 20).")
                .json(200, "Search analytics.", json!({"type": "object"})),
        )
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
            Op::new("Delete a merchandising rule")
                .path("id", "Rule id.")
                .empty(204, "Deleted.")
                .error(404, "No such rule."),
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
                            "why": {"type": "array", "items": {"type": "object", "required": ["signal", "detail", "contribution"],
                                "properties": {
                                    "signal": {"type": "string", "description": "What placed the hit: text, category, metal, rule, popularity, ..."},
                                    "detail": {"type": "string", "description": "A true statement about the product or the data."},
                                    "contribution": {"type": "number", "description": "Score points it added."},
                                }}},
                        }}},
                    "facets": {"type": "object", "description": "Per facet field, its values with counts.",
                        "additionalProperties": {"type": "array", "items": {"type": "object", "required": ["value", "count", "selected"],
                            "properties": {"value": {"type": "string"}, "count": {"type": "integer"}, "selected": {"type": "boolean"}}}}},
                    "price_range": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["min", "max", "currency"],
                        "description": "Prices of the matches, for a price slider.",
                        "properties": {"min": {"type": "number"}, "max": {"type": "number"}, "currency": {"type": "string"}}}]},
                    "sort": {"type": "string"}, "limit": {"type": "integer"}, "offset": {"type": "integer"},
                },
            }),
        )
        .schema(
            "Rule",
            json!({
                "type": "object",
                "required": ["id", "action", "products"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,80}$"},
                    "action": {"type": "string", "enum": ["pin", "boost", "bury", "hide"]},
                    "amount": {"type": ["number", "null"], "minimum": 0, "maximum": 1000, "description": "Points for boost/bury (default 2)."},
                    "products": {"type": "array", "minItems": 1, "maxItems": 1000, "items": {"type": "string"}, "description": "Product handles."},
                    "query": {"type": ["string", "null"]},
                    "category": {"anyOf": [{"type": "null"}, {"type": "string", "enum": model::Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()}]},
                    "starts_at": {"anyOf": [{"type": "null"}, openapi::date(), {"type": "string", "format": "date-time"}], "description": "RFC 3339 or YYYY-MM-DD; before `ends_at`."},
                    "ends_at": {"anyOf": [{"type": "null"}, openapi::date(), {"type": "string", "format": "date-time"}]},
                },
            }),
        )
}

/// One query parameter per facet filter field, each documented.
fn with_filters(op: Op) -> Op {
    search::FILTER_FIELDS.iter().fold(op, |op, field| {
        let what = match *field {
            "price" => "Price range `MIN-MAX` in major units; either bound may be open (`-200`, `100-`).",
            "in_stock" => "`true`: only pieces with a variant in stock.",
            "karat" => "Gold karat (`14`, `18`); comma-separated values are alternatives.",
            "size" => "Ring size (US) in stock; comma-separated values are alternatives.",
            _ => "Facet filter; comma-separated values are alternatives (`metal=gold,silver`).",
        };
        let list = |names: &[&str]| {
            let one = format!("({})", names.join("|"));
            json!({"type": "string", "pattern": format!("^$|^{one}([,|]{one})*$")})
        };
        let schema = match *field {
            "category" => list(&model::Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()),
            "gender" => list(&["women", "men", "unisex", "kids"]),
            "origin" => list(&["natural", "lab_grown", "lab-grown", "simulant"]),
            "karat" => list(&["[0-9]{1,2}[kt]?"]),
            "size" => list(&["1?[0-9](\\.[0-9]{1,2})?", "20"]),
            "price" => json!({"type": "string", "pattern": "^$|^[0-9]{1,6}(\\.[0-9]{1,2})?$|^[0-9]{0,6}(\\.[0-9]{1,2})?-[0-9]{0,6}(\\.[0-9]{1,2})?$"}),
            _ => json!({"type": "string"}),
        };
        op.query_with(field, false, schema, what)
    })
}

fn parse_limit(text: &str, max: usize) -> Result<usize, ApiError> {
    match text.trim().parse::<usize>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        _ => Err(ApiError::bad_request(Code::InvalidQuery, format!("limit must be between 1 and {max}"))),
    }
}

pub(crate) fn unknown_parameter(name: &str, known: &str) -> ApiError {
    let shown: String = name.chars().take(40).collect();
    ApiError::bad_request(Code::UnknownParameter, format!("unknown parameter {shown:?}; use {known}"))
}

/// Reads `/v1/search`'s query string into an engine request at `now` (Unix seconds).
pub(crate) fn parse_search(raw: Option<&str>, now: i64) -> Result<SearchRequest, ApiError> {
    let mut q = SearchQuery { limit: SearchRequest::new("").limit, ..SearchQuery::default() };
    for (key, value) in pairs(raw.unwrap_or(""))? {
        match key.as_str() {
            "q" => q.query = value,
            "limit" => q.limit = parse_limit(&value, search::MAX_LIMIT)?,
            "offset" => {
                q.offset = value.trim().parse::<usize>().map_err(|_| {
                    ApiError::bad_request(
                        Code::InvalidQuery,
                        format!("offset must be between 0 and {}", app::search::MAX_OFFSET),
                    )
                })?
            }
            "sort" => q.sort = Some(value),
            "filter" => q.filters.push(value),
            field if search::FILTER_FIELDS.contains(&field) => q.field_filters.push((key, value)),
            other => {
                return Err(unknown_parameter(
                    other,
                    &format!(
                        "q, limit, offset, sort, filter or a filter field ({})",
                        search::FILTER_FIELDS.join(", ")
                    ),
                ))
            }
        }
    }
    Ok(app::search::request(q, now)?)
}

async fn search_handler(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let req = parse_search(raw.as_deref(), state.app.clock.now_secs())?;
    let response = blocking(move || {
        let response = app::search::search(&state.app.engines, &req)?;
        app::decisions::log_search(&state.app, &response.query, &response);
        Ok(response)
    })
    .await?;
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
            other => return Err(unknown_parameter(other, "q and limit")),
        }
    }
    let out = blocking(move || Ok(app::search::suggest(&state.app.engines, &q, limit)?)).await?;
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
            other => return Err(unknown_parameter(other, "limit")),
        }
    }
    let out = blocking(move || Ok(app::search::analytics(&state.app.engines, limit)?)).await?;
    Ok(Json(out))
}

async fn list_rules(State(state): State<AppState>) -> Result<Json<Vec<Rule>>, ApiError> {
    Ok(Json(blocking(move || Ok(app::search::rules(&state.app.engines)?)).await?))
}

async fn get_rule(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Rule>, ApiError> {
    Ok(Json(blocking(move || Ok(app::search::rule(&state.app.engines, &id)?)).await?))
}

async fn create_rule(State(state): State<AppState>, Json(rule): Json<Rule>) -> Result<Response, ApiError> {
    let rule = blocking(move || {
        app::search::save_rule(&state.app.engines, &rule, true)?;
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
        return Err(ApiError::bad_request(Code::InvalidRule, "the body's id differs from the path's"));
    }
    let rule = blocking(move || {
        app::search::save_rule(&state.app.engines, &rule, false)?;
        Ok(rule)
    })
    .await?;
    Ok(Json(rule))
}

async fn delete_rule(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode, ApiError> {
    blocking(move || Ok(app::search::delete_rule(&state.app.engines, &id)?)).await?;
    Ok(StatusCode::NO_CONTENT)
}
