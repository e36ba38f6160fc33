//! The scorecard over HTTP (issue 19): `GET /v1/scorecard?from=&to=&by=&segment=`
//! (admin), the same rows `loupe scorecard --json` prints with each metric's
//! definition; `GET /v1/scorecard.csv` the same as CSV. The back-office's
//! first screen, `/admin/scorecard`, is `web::scorecard`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::openapi;
use crate::state::AppState;
use app::scorecard::Query as ScorecardQuery;
use app::wire::scorecard::{Scorecard, ScorecardRow};

pub(crate) fn area() -> Area {
    let params = |op: Op| {
        op.query_with(
            "from",
            false,
            openapi::date_or_empty(),
            "First day (YYYY-MM-DD), widened to its period's start; default 12 periods before `to`.",
        )
        .query_with(
            "to",
            false,
            openapi::date_or_empty(),
            "Last day (YYYY-MM-DD), widened to its period's end; default the latest order's day.",
        )
        .query_with(
            "by",
            false,
            json!({"type": "string", "enum": ["", "day", "week", "month"]}),
            "Period length (default week; weeks start on Monday; empty is the default).",
        )
        .query_with(
            "segment",
            false,
            json!({"type": "string", "enum": ["", "all", "category", "collection", "price_band", "channel", "customer_type", "country"]}),
            "Split each period (default all: the whole store; empty is the default).",
        )
    };
    Area::new("scorecard", "The brand's metrics per period and segment, with their definitions.")
        .admin_scope(Scope::AdminMerchandising)
        .get(
            "/v1/scorecard",
            Access::Admin,
            scorecard,
            params(Op::new("The scorecard").describe(
                "One row per period (and segment value): orders, revenue, units, AOV, conversion, returns, \
                 sell-through, turnover, GMROI, weeks of supply, stockout and repeat rates; `null` where the \
                 data to compute a metric does not exist. `definitions` gives each metric's formula.",
            ))
            .json(200, "The rows and definitions.", schema_ref("Scorecard"))
            .error(400, "A bad date, period length or segment, `from` after `to`, or more than 520 periods."),
        )
        .get(
            "/v1/scorecard.csv",
            Access::Admin,
            scorecard_csv,
            params(Op::new("The scorecard as CSV").describe("The same rows as CSV, one column per field."))
                .content(200, "The rows.", "text/csv")
                .error(
                    400,
                    "A bad date, period length or segment, `from` after `to`, or more than 520 periods.",
                ),
        )
        .schema(
            "Scorecard",
            json!({
                "type": "object", "required": ["by", "segment", "rows", "definitions"],
                "properties": {
                    "by": {"type": "string"}, "segment": {"type": "string"},
                    "rows": {"type": "array", "items": schema_ref("ScorecardRow")},
                    "definitions": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            }),
        )
        .schema("ScorecardRow", row_schema())
}

fn row_schema() -> serde_json::Value {
    let maybe = |t: &str| json!({"type": [t, "null"]});
    json!({
        "type": "object",
        "required": CSV_COLUMNS,
        "properties": {
            "period_start": {"type": "string"}, "period_end": {"type": "string"},
            "segment": {"type": "string"}, "currency": {"type": "string"},
            "sessions": maybe("integer"), "orders": {"type": "integer"}, "revenue": {"type": "number"},
            "units": {"type": "integer"}, "aov": maybe("number"), "units_per_order": maybe("number"),
            "conversion_rate": maybe("number"), "returned_units": {"type": "integer"},
            "returned_value": {"type": "number"}, "return_rate": maybe("number"), "return_value_rate": maybe("number"),
            "sell_through": maybe("number"), "inventory_turnover": maybe("number"), "gmroi": maybe("number"),
            "weeks_of_supply": maybe("number"), "stockout_rate": maybe("number"),
            "first_response_hours": maybe("number"), "resolution_hours": maybe("number"),
            "repeat_rate": maybe("number"),
        },
    })
}

#[derive(Debug, Deserialize, Default)]
struct Params {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    segment: Option<String>,
}

fn read(state: &AppState, p: &Params) -> Result<Scorecard, ApiError> {
    let q = ScorecardQuery::parse(p.from.as_deref(), p.to.as_deref(), p.by.as_deref(), p.segment.as_deref())?;
    let loaded = state.app.engines.scorecard()?;
    Ok(app::scorecard::scorecard_from(&loaded, &q, state.app.clock.today())?)
}

async fn scorecard(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<Scorecard>, ApiError> {
    let card = blocking(move || read(&state, &p)).await?;
    Ok(Json(card))
}

/// The CSV columns, in the contract's order.
pub(crate) const CSV_COLUMNS: [&str; 23] = [
    "period_start",
    "period_end",
    "segment",
    "currency",
    "sessions",
    "orders",
    "revenue",
    "units",
    "aov",
    "units_per_order",
    "conversion_rate",
    "returned_units",
    "returned_value",
    "return_rate",
    "return_value_rate",
    "sell_through",
    "inventory_turnover",
    "gmroi",
    "weeks_of_supply",
    "stockout_rate",
    "first_response_hours",
    "resolution_hours",
    "repeat_rate",
];

/// The rows as CSV: a header, then one line per row; an empty cell where a metric is `null`.
pub(crate) fn to_csv(rows: &[ScorecardRow]) -> String {
    let mut out = CSV_COLUMNS.join(",");
    out.push('\n');
    for row in rows {
        let value = serde_json::to_value(row).unwrap_or_default();
        let cells: Vec<String> = CSV_COLUMNS
            .iter()
            .map(|c| match &value[c] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) if s.contains([',', '"', '\n']) => {
                    format!("\"{}\"", s.replace('"', "\"\""))
                }
                serde_json::Value::String(s) => s.clone(),
                v => v.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

async fn scorecard_csv(State(state): State<AppState>, Query(p): Query<Params>) -> Result<Response, ApiError> {
    let name = format!(
        "scorecard-{}-{}.csv",
        p.by.as_deref().unwrap_or("week"),
        p.segment.as_deref().unwrap_or("all")
    );
    let csv = blocking(move || Ok(to_csv(&read(&state, &p)?.rows))).await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.', "_")
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}
