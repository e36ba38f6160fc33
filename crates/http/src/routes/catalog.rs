//! `/v1/products`: the normalized catalog, read-only (imports write it).

use axum::extract::State;
use model::Category;
use serde::Deserialize;
use serde_json::json;

use super::{paging, schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path, Query};
use crate::state::AppState;
use app::wire::catalog::{ProductDetail, ProductSummary};
use app::wire::http::Page;
use app::wire::quality::QualityReportOut;

pub(crate) const DEFAULT_LIMIT: usize = 50;
pub(crate) const MAX_LIMIT: usize = 1000;

pub(crate) fn area() -> Area {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
    Area::new("catalog", "The normalized catalog.")
        .admin_scope(Scope::AdminCatalog)
        .get(
            "/v1/products",
            Access::Public(Scope::CatalogRead),
            list,
            paging::document(
                Op::new("List products")
                    .describe("Products by id, a page at a time, optionally of one category."),
                "Products",
                DEFAULT_LIMIT,
                MAX_LIMIT,
            )
                .query_enum("category", &categories, false, "Only products of this category.")
                .json(200, "A page of product summaries.", schema_ref("ProductPage")),
        )
        .get(
            "/v1/products/{id}",
            Access::Public(Scope::CatalogRead),
            show,
            Op::new("Show a product")
                .describe("The product with its variants, normalized attributes and data-quality issues.")
                .path("id", "The product's numeric id, its handle or one of its SKUs.")
                .json(200, "The product.", schema_ref("ProductDetail"))
                .error(404, "No product has this id, handle or SKU."),
        )
        .get(
            "/v1/quality",
            Access::Admin,
            quality,
            Op::new("Data-quality report")
                .describe(
                    "Attribute coverage, products per category and metal, and every issue (missing price or \
                     metal, title and options that disagree, duplicate SKUs or handles, price outliers within a \
                     category, HTML in text, variants without inventory) with its product and source line. \
                     The same report as `loupe quality --json`.",
                )
                .json(200, "The report.", schema_ref("QualityReport")),
        )
        .schema(
            "QualityReport",
            json!({
                "type": "object",
                "required": ["products", "variants", "coverage", "categories", "metals", "issue_counts", "issues_total", "issues"],
                "properties": {
                    "products": {"type": "integer"},
                    "variants": {"type": "integer"},
                    "coverage": {"type": "object", "additionalProperties": {"type": "integer"},
                        "description": "Products carrying each normalized attribute."},
                    "categories": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "metals": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "issue_counts": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "issues_total": {"type": "integer"},
                    "issues": {"type": "array", "description": "At most 5000.", "items": {
                        "type": "object", "required": ["handle", "code", "message"],
                        "properties": {
                            "handle": {"type": ["string", "null"]},
                            "code": {"type": "string"},
                            "message": {"type": "string"},
                            "line": {"type": "integer"},
                            "field": {"type": "string"},
                        },
                    }},
                },
            }),
        )
        .schema(
            "ProductPage",
            paging::schema(schema_ref("ProductSummary"), "Products matching the filters."),
        )
        .schema(
            "ProductSummary",
            json!({
                "type": "object",
                "required": ["id", "handle", "title", "category", "price", "variants", "inventory", "order_only"],
                "properties": {
                    "id": {"type": "integer"},
                    "handle": {"type": "string"},
                    "title": {"type": "string"},
                    "category": {"type": ["string", "null"]},
                    "price": schema_ref("PriceRange"),
                    "variants": {"type": "integer", "description": "Number of variants."},
                    "inventory": {"type": ["integer", "null"]},
                    "order_only": {"type": "boolean"},
                },
            }),
        )
        .schema(
            "PriceRange",
            json!({
                "type": "object", "required": ["min", "max", "currency"],
                "properties": {
                    "min": {"type": ["number", "null"]},
                    "max": {"type": ["number", "null"]},
                    "currency": {"type": ["string", "null"]},
                },
            }),
        )
        .schema(
            "ProductDetail",
            json!({
                "type": "object",
                "description": "The export contract's product (README) plus description, raw_category, \
                    collection, styles, image_url, status, created_at, order_only, attributes, inventory.",
                "required": ["id", "handle", "title", "vendor", "category", "gender", "price", "metals",
                    "stones", "tags", "variants", "quality_issues"],
                "properties": {
                    "id": {"type": "integer"},
                    "handle": {"type": "string"},
                    "title": {"type": "string"},
                    "vendor": {"type": ["string", "null"]},
                    "category": {"type": ["string", "null"]},
                    "gender": {"type": ["string", "null"]},
                    "price": schema_ref("PriceRange"),
                    "metals": {"type": "array", "items": {"type": "object"}},
                    "stones": {"type": "array", "items": {"type": "object"}},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "variants": {"type": "array", "items": {"type": "object"}},
                    "quality_issues": {"type": "array", "items": {"type": "object"}},
                    "description": {"type": "string"},
                    "raw_category": {"type": ["string", "null"], "description": "The category as the source wrote it."},
                    "collection": {"type": ["string", "null"]},
                    "styles": {"type": "array", "items": {"type": "string"}},
                    "image_url": {"type": ["string", "null"]},
                    "status": {"type": "string", "enum": ["active", "draft", "archived"]},
                    "created_at": {"type": "integer", "description": "Unix seconds."},
                    "order_only": {"type": "boolean", "description": "Exists only because an order named its SKU."},
                    "attributes": {"type": "object", "additionalProperties": {"type": "string"},
                        "description": "Source columns that were not mapped, verbatim."},
                    "inventory": {"type": ["integer", "null"], "description": "Units on hand over the variants that track it."},
                },
            }),
        )
}

#[derive(Debug, Deserialize)]
struct ListParams {
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
    category: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<ProductSummary>>, ApiError> {
    let limit = paging::limit(params.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let offset = paging::start(params.offset, params.cursor.as_deref())?;
    let category = match params.category.as_deref() {
        None | Some("") => None,
        Some(text) => Some(app::catalog::parse_category(text)?),
    };
    let page =
        blocking(move || Ok(app::catalog::products(&state.app.engines, category, limit, offset)?)).await?;
    Ok(Json(page))
}

async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ProductDetail>, ApiError> {
    Ok(Json(blocking(move || Ok(app::catalog::product(&state.app.store, &id)?)).await?))
}

async fn quality(State(state): State<AppState>) -> Result<Json<QualityReportOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::catalog::quality(&state.app.engines)?)).await?))
}
