//! Merchandising over HTTP (issue 14): collections shoppers think in, with
//! members and reasons (`GET /v1/collections`, `GET /v1/collections/{key}`,
//! readable with `catalog:read`), a person's changes and saved rankings
//! (`PUT /v1/collections/{key}`), ranking previews, bundles and their
//! decisions, weekly placements. Everything calls `app::merch`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{paging, schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path, Query};
use crate::openapi::{date_or_empty, text_max};
use crate::state::AppState;
use app::wire::merch::{BundleDecisionIn, BundleOut, CollectionIn, CollectionOut, PlacementsOut, PreviewOut};

/// The blend's text: `factor:weight` pairs, weights 0 to 1.
pub(crate) const WEIGHTS_PATTERN: &str = "^$|^(conversion|revenue_per_view|margin|stock_cover|seasonality|newness|sales|diversity):(0(\\.[0-9]{1,3})?|1(\\.0{1,3})?)(,(conversion|revenue_per_view|margin|stock_cover|seasonality|newness|sales|diversity):(0(\\.[0-9]{1,3})?|1(\\.0{1,3})?)){0,7}$";

pub(crate) fn area() -> Area {
    let reason = json!({"type": "object", "required": ["code", "detail", "plain", "weight"], "properties": {
        "code": {"type": "string"}, "detail": {"type": "string", "description": "For the merchandiser, with the numbers."},
        "plain": {"type": "string", "description": "For a shopper."}, "weight": {"type": "number"}}});
    let rule = json!({"type": "object", "additionalProperties": false, "properties": {
        "categories": {"type": "array", "maxItems": 20, "items": {"type": "string", "enum": model::Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()}},
        "styles": {"type": "array", "maxItems": 50, "items": text_max(40)},
        "words": {"type": "array", "maxItems": 50, "items": text_max(40)},
        "stones": {"type": "array", "maxItems": 50, "items": text_max(40)},
        "metals": {"type": "array", "maxItems": 50, "items": text_max(40)},
        "price_bands": {"type": "array", "maxItems": 3, "items": {"type": "string", "enum": ["low", "mid", "high"]}},
        "tags": {"type": "array", "maxItems": 50, "items": text_max(80)},
        "queries": {"type": "array", "maxItems": 50, "items": text_max(80)}}});
    let factor = json!({"type": "object", "required": ["factor", "contribution", "detail"], "properties": {
        "factor": {"type": "string", "enum": ["conversion", "revenue_per_view", "margin", "stock_cover", "seasonality", "newness", "sales"]},
        "contribution": {"type": "number"}, "detail": {"type": "string"}}});
    let item = json!({"type": "object", "required": ["handle", "title", "category", "price"], "properties": {
        "handle": {"type": "string"}, "title": {"type": "string"}, "category": {"type": ["string", "null"]}, "price": {"type": ["number", "null"]}}});
    Area::new("merchandising", "Merchandising by intent: collections with reasons, re-ranking a person can see and tune, bundles, placements.")
        .admin_scope(Scope::AdminMerchandising)
        .get(
            "/v1/collections",
            Access::Public(Scope::CatalogRead),
            list,
            paging::document(
                Op::new("Collections")
                    .describe("Loupe's intent collections (everyday wear, gifts, bridal, layering, statement, office, travel, minimalist, investment), the brand's own collections made from a rule, the collections the catalog names and the categories, each with its member count and first members in order.")
                    .json(200, "A page of collections.", schema_ref("CollectionPage")),
                "collections",
                100,
                1000,
            ),
        )
        .get(
            "/v1/collections/{key}",
            Access::Public(Scope::CatalogRead),
            show,
            Op::new("A collection with its members")
                .describe("Members in the collection's order (pins first, then the saved ranking, then by strength), each with its strength and its reasons: attributes, searches before purchases, co-purchase, a person's pin. Excluded products are left out.")
                .path("key", "The collection's key (`bridal`, `collection-pearl`, `category-ring`, or the brand's own).")
                .json(200, "The collection.", schema_ref("Collection"))
                .error(404, "No such collection."),
        )
        .put(
            "/v1/collections/{key}",
            Access::Admin,
            update,
            Op::new("Change a collection, or create one from a rule")
                .describe("Pins (in order), excludes, name and description; `weights` saves the ranking the blend gives (see the preview). A key Loupe does not know, sent with a `rule`, creates the brand's own collection. Each change is recorded in the decision log with who, when and the before and after; rebuilding what Loupe learnt never overwrites it.")
                .path("key", "The collection's key; a new one: lower-case letters, digits and '-'.")
                .json_body(json!({"type": "object", "additionalProperties": false, "required": ["by"], "properties": {
                    "name": {"anyOf": [{"type": "string", "minLength": 1, "maxLength": 80, "pattern": "\\S"}, {"type": "null"}]},
                    "description": {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}]},
                    "rule": {"anyOf": [rule.clone(), {"type": "null"}]},
                    "pins": {"anyOf": [{"type": "array", "maxItems": 200, "items": text_max(200)}, {"type": "null"}], "description": "Handles, in the order they lead the collection."},
                    "excludes": {"anyOf": [{"type": "array", "maxItems": 200, "items": text_max(200)}, {"type": "null"}], "description": "Handles never shown in it."},
                    "weights": {"anyOf": [{"type": "string", "pattern": WEIGHTS_PATTERN}, {"type": "null"}], "description": "Save the ranking this blend gives (empty: no change)."},
                    "by": text_max(120)},
                    "description": "A field left out or null keeps its saved value."}), "The change.")
                .json(200, "The collection as saved.", schema_ref("Collection"))
                .error(404, "No such collection, and no `rule` to create it.")
                .error(422, "An unknown handle, a product both pinned and excluded, a bad rule or blend, or no `by`."),
        )
        .get(
            "/v1/collections/{key}/preview",
            Access::Admin,
            preview,
            Op::new("Preview a ranking")
                .describe("The collection's order today beside the order a blend gives (conversion rate, revenue per view, margin, stock cover, the season ahead, newness; and the diversity rule), each product with what each factor added and the fact behind it. Nothing is saved.")
                .path("key", "The collection's key.")
                .query_with("weights", false, json!({"type": "string", "pattern": WEIGHTS_PATTERN}),
                    "`factor:weight` pairs from 0 to 1 (`conversion:0.6,margin:0.2,diversity:1`); factors not named keep their default, the saved blend when there is one.")
                .json(200, "Before and after.", schema_ref("RankingPreview"))
                .error(400, "A bad blend.")
                .error(404, "No such collection."),
        )
        .get(
            "/v1/bundles",
            Access::Admin,
            bundles,
            paging::document(
                Op::new("Bundles")
                    .describe("Pairs across categories proposed from co-purchase (with the attach rate and lift the orders show) and from attributes (same collection and metal; their attach rate estimated from pairs that match the same way, and marked `estimated`), best expected companion revenue first; with what a person decided.")
                    .query_enum("status", &["proposed", "approved", "rejected"], false, "Only bundles in this state.")
                    .json(200, "A page of bundles.", schema_ref("BundlePage"))
                    .error(400, "An unknown status."),
                "bundles",
                50,
                1000,
            ),
        )
        .post(
            "/v1/bundles/{id}/decision",
            Access::Admin,
            decide,
            Op::new("Approve, edit or reject a bundle")
                .describe("Approved bundles appear on the pieces' product pages and in the bag. `edit` approves with the companions named in `items`. Recorded in the decision log with who and the before and after.")
                .path("id", "The bundle's id.")
                .json_body(json!({"type": "object", "additionalProperties": false, "required": ["decision", "by"], "properties": {
                    "decision": {"type": "string", "enum": ["approve", "reject", "edit"]},
                    "items": {"type": "array", "minItems": 1, "maxItems": 4, "items": text_max(200), "description": "For `edit`: the companions' handles."},
                    "by": text_max(120),
                    "note": {"type": ["string", "null"], "maxLength": 500}},
                    "if": {"properties": {"decision": {"const": "edit"}}}, "then": {"required": ["items"]}}), "The decision.")
                .json(200, "The bundle as decided.", schema_ref("Bundle"))
                .error(404, "No such bundle.")
                .error(422, "An unknown handle, no companions for an edit, or no `by`."),
        )
        .get(
            "/v1/placements",
            Access::Admin,
            placements,
            Op::new("Placement suggestions for a week")
                .describe("Which collections deserve the homepage hero, the email and the paid campaign in the week (Monday to Sunday) holding `week`, read only from the days before it: momentum, the season ahead as last year sold it, stock to support a push, margin, each with its evidence; and last week's suggestion beside what sold.")
                .query_with("week", false, date_or_empty(), "A day of the week (YYYY-MM-DD); default (or empty): the week after the data ends.")
                .json(200, "The suggestions.", schema_ref("Placements"))
                .error(400, "A day that does not exist."),
        )
        .schema(
            "CollectionSummary",
            json!({"type": "object", "required": ["key", "name", "description", "kind", "members", "pinned", "excluded", "ranked", "top"], "properties": {
                "key": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
                "kind": {"type": "string", "enum": ["intent", "rule", "collection", "category"]},
                "members": {"type": "integer"}, "pinned": {"type": "integer"}, "excluded": {"type": "integer"},
                "ranked": {"type": "boolean"}, "top": {"type": "array", "items": {"type": "string"}}}}),
        )
        .schema("CollectionPage", paging::schema(schema_ref("CollectionSummary"), "Collections in all."))
        .schema(
            "Collection",
            json!({"type": "object", "required": ["key", "name", "description", "kind", "rule", "pins", "excludes", "weights", "members", "updated_at", "updated_by"], "properties": {
                "key": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
                "kind": {"type": "string", "enum": ["intent", "rule", "collection", "category"]},
                "rule": {"anyOf": [rule, {"type": "null"}]},
                "pins": {"type": "array", "items": {"type": "string"}}, "excludes": {"type": "array", "items": {"type": "string"}},
                "weights": {"type": ["string", "null"]},
                "members": {"type": "array", "items": {"type": "object", "required": ["handle", "title", "position", "strength", "pinned", "why"], "properties": {
                    "handle": {"type": "string"}, "title": {"type": "string"}, "position": {"type": "integer", "minimum": 1},
                    "strength": {"type": "number", "minimum": 0, "maximum": 1}, "pinned": {"type": "boolean"},
                    "why": {"type": "array", "items": reason}}}},
                "updated_at": {"type": ["string", "null"]}, "updated_by": {"type": ["string", "null"]}}}),
        )
        .schema(
            "RankingPreview",
            json!({"type": "object", "required": ["key", "weights", "before", "after"], "properties": {
                "key": {"type": "string"}, "weights": {"type": "string"},
                "before": {"type": "array", "items": schema_ref("Ranked")}, "after": {"type": "array", "items": schema_ref("Ranked")}}}),
        )
        .schema(
            "Ranked",
            json!({"type": "object", "required": ["handle", "title", "position", "score", "pinned", "moved_for_diversity", "why"], "properties": {
                "handle": {"type": "string"}, "title": {"type": "string"}, "position": {"type": "integer"}, "score": {"type": "number"},
                "pinned": {"type": "boolean"}, "moved_for_diversity": {"type": "boolean"}, "why": {"type": "array", "items": factor}}}),
        )
        .schema(
            "Bundle",
            json!({"type": "object", "required": ["id", "status", "anchor", "items", "co_orders", "anchor_orders", "attach_rate", "estimated", "lift", "matches", "evidence", "decided_by", "decided_at", "note"], "properties": {
                "id": {"type": "string"}, "status": {"type": "string", "enum": ["proposed", "approved", "rejected"]},
                "anchor": item.clone(), "items": {"type": "array", "items": item},
                "co_orders": {"type": "integer"}, "anchor_orders": {"type": "integer"},
                "attach_rate": {"type": ["number", "null"]}, "estimated": {"type": "boolean"}, "lift": {"type": ["number", "null"]},
                "matches": {"type": "array", "items": {"type": "string"}}, "evidence": {"type": "array", "items": {"type": "string"}},
                "decided_by": {"type": ["string", "null"]}, "decided_at": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}}}),
        )
        .schema("BundlePage", paging::schema(schema_ref("Bundle"), "Bundles in the state asked."))
        .schema(
            "Placements",
            json!({"type": "object", "required": ["week", "data_until", "hero", "email", "paid", "collections", "last_week"], "properties": {
                "week": {"type": "string"}, "data_until": {"type": ["string", "null"]}, "hero": {"type": ["string", "null"]},
                "email": {"type": "array", "items": {"type": "string"}}, "paid": {"type": "array", "items": {"type": "string"}},
                "collections": {"type": "array", "items": {"type": "object", "required": ["key", "name", "slot", "score", "units_4w", "momentum", "season_lift", "on_hand", "cover_weeks", "margin_rate", "evidence"], "properties": {
                    "key": {"type": "string"}, "name": {"type": "string"}, "slot": {"type": ["string", "null"], "enum": ["hero", "email", "paid", null]},
                    "score": {"type": "number"}, "units_4w": {"type": "integer"}, "momentum": {"type": "number"},
                    "season_lift": {"type": ["number", "null"]}, "on_hand": {"type": ["integer", "null"]}, "cover_weeks": {"type": ["number", "null"]},
                    "margin_rate": {"type": ["number", "null"]}, "evidence": {"type": "array", "items": {"type": "string"}}}}},
                "last_week": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["week", "suggested", "sold", "hero_rank", "note"], "properties": {
                    "week": {"type": "string"}, "suggested": {"type": "array", "items": {"type": "string"}},
                    "sold": {"type": "array", "items": {"type": "object", "required": ["key", "name", "units"], "properties": {"key": {"type": "string"}, "name": {"type": "string"}, "units": {"type": "integer"}}}},
                    "hero_rank": {"type": ["integer", "null"]}, "note": {"type": "string"}}}]}}}),
        )
}

#[derive(Debug, Deserialize, Default)]
struct PageParams {
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
    status: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = paging::limit(p.limit, 100, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    let all = blocking(move || Ok(app::merch::list(&state.app)?)).await?;
    Ok(Json(paging::page(all, offset, limit)))
}

async fn show(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Json<CollectionOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::merch::show(&state.app, &key)?)).await?))
}

async fn update(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Json(input): Json<CollectionIn>,
) -> Result<Json<CollectionOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::merch::update(&state.app, &key, &input)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct PreviewParams {
    weights: Option<String>,
}

async fn preview(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(p): Query<PreviewParams>,
) -> Result<Json<PreviewOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::merch::preview(&state.app, &key, p.weights.as_deref())?)).await?))
}

async fn bundles(
    State(state): State<AppState>,
    Query(p): Query<PageParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = paging::limit(p.limit, 50, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    let status = app::merch::parse_status(p.status.as_deref())?;
    let all: Vec<BundleOut> =
        blocking(move || Ok(app::merch::bundles(&state.app, status.as_deref())?)).await?;
    Ok(Json(paging::page(all, offset, limit)))
}

async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(d): Json<BundleDecisionIn>,
) -> Result<Json<BundleOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::merch::decide_bundle(&state.app, &id, &d)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct WeekParams {
    week: Option<String>,
}

async fn placements(
    State(state): State<AppState>,
    Query(p): Query<WeekParams>,
) -> Result<Json<PlacementsOut>, ApiError> {
    let week = app::merch::parse_week(p.week.as_deref().unwrap_or(""))?;
    Ok(Json(blocking(move || Ok(app::merch::placements(&state.app, week)?)).await?))
}
