//! `/health`, `/metrics` and `/openapi.json`: what operators and tools poll.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;

use super::{schema_ref, Access, Area, Op};
use crate::error::{ApiError, Json};
use crate::state::AppState;
use crate::{blocking, openapi};
use app::wire::http::Health;

pub(crate) fn area() -> Area {
    Area::new("system", "Health, metrics and this document.")
        .get(
            "/health",
            Access::Open,
            health,
            Op::new("Health check")
                .describe("Answers 200 when the store answers; shows the catalog size and whether API keys are enforced.")
                .json(200, "The server is healthy.", schema_ref("Health")),
        )
        .get(
            "/metrics",
            Access::Admin,
            metrics,
            Op::new("Prometheus metrics")
                .describe("Request counts and latency histograms per route pattern, catalog size, engine gauges. Needs an admin key once keys exist.")
                .content(200, "Prometheus text exposition format 0.0.4.", "text/plain"),
        )
        .get(
            "/openapi.json",
            Access::Open,
            openapi_json,
            Op::new("This OpenAPI document").json(200, "OpenAPI 3.1 document.", json!({"type": "object"})),
        )
        .schema(
            "Health",
            json!({
                "type": "object",
                "required": ["status", "version", "products", "catalog_version", "auth"],
                "properties": {
                    "status": {"type": "string", "enum": ["ok"]},
                    "version": {"type": "string"},
                    "products": {"type": "integer"},
                    "catalog_version": {"type": "integer"},
                    "auth": {"type": "string", "enum": ["open", "keys"],
                        "description": "`open` while the store has no API keys."},
                },
            }),
        )
}

async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let health = blocking(move || {
        let products = state.app.store.product_count()?;
        let catalog_version = state.app.store.catalog_version()?;
        let enforced = state.app.store.has_keys()?;
        Ok(Health {
            status: "ok".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            products,
            catalog_version,
            auth: if enforced { "keys" } else { "open" }.into(),
        })
    })
    .await?;
    Ok(Json(health))
}

async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let text = blocking(move || {
        let (products, version) = (state.app.store.product_count()?, state.app.store.catalog_version()?);
        Ok(state.metrics.render(products, version))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text))
}

async fn openapi_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi::served())
}
