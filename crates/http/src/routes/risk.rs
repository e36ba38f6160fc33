//! Risk over HTTP (issue 18): `GET /v1/risk/orders`, `GET /v1/risk/customers`
//! (paged, riskiest first, each with its band and reasons) and `POST
//! /v1/risk/decisions` (a person's decision, recorded in the decision log).
//! Admin-only; everything calls `app::risk`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{paging, schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::state::AppState;
use app::wire::risk::{CustomerRiskOut, OrderRiskOut, RiskDecisionIn};

pub(crate) fn area() -> Area {
    let reason = json!({"type": "object", "required": ["code", "detail", "contribution"], "properties": {
        "code": {"type": "string"}, "detail": {"type": "string"}, "contribution": {"type": "number"}}});
    Area::new("risk", "Order risk and return abuse: explainable scores with bands; a person decides.")
        .admin_scope(Scope::AdminTrust)
        .get(
            "/v1/risk/orders",
            Access::Admin,
            orders,
            paging::document(
                Op::new("Orders by risk")
                    .describe("Every order's score in [0, 1], its band (approve, review, hold) and the reasons that add up to it, riskiest first. Scores never read the customer's country, postcode or any trait.")
                    .query_enum("band", &["approve", "review", "hold"], false, "Only orders at this band or above.")
                    .json(200, "A page of orders.", schema_ref("OrderRiskPage"))
                    .error(400, "An unknown band."),
                "orders",
                50,
                1000,
            ),
        )
        .get(
            "/v1/risk/customers",
            Access::Admin,
            customers,
            paging::document(
                Op::new("Customers by return-abuse score")
                    .describe("Every customer with a purchase: the return-abuse score, its band and reasons (return rate against the store's, returns, bracketing sizes, value returned), riskiest first.")
                    .query_enum("band", &["approve", "review", "hold"], false, "Only customers at this band or above.")
                    .json(200, "A page of customers.", schema_ref("CustomerRiskPage"))
                    .error(400, "An unknown band."),
                "customers",
                50,
                1000,
            ),
        )
        .post(
            "/v1/risk/decisions",
            Access::Admin,
            decide,
            Op::new("Decide on a flagged order or customer")
                .describe("Records a person's decision (approve, hold, refund_review) with the score and reasons it confirms or overrides, in the decision log.")
                .json_body(json!({"type": "object", "required": ["subject", "decision", "by"], "properties": {
                    "subject": {"type": "string", "pattern": "^(order|customer):.+$", "description": "order:ID or customer:ID."},
                    "decision": {"type": "string", "enum": ["approve", "hold", "refund_review"]},
                    "by": {"type": "string", "minLength": 1, "pattern": "\\S", "description": "Who decided."},
                    "note": {"type": ["string", "null"]}}}), "The decision.")
                .json(200, "The log entry.", json!({"type": "object"}))
                .error(404, "No such order or customer.")
                .error(422, "A bad subject or decision, or no `by`."),
        )
        .schema(
            "OrderRisk",
            json!({"type": "object", "required": ["order_id", "score", "band", "why", "customer_id", "ordered_at", "value"], "properties": {
                "order_id": {"type": "string"}, "score": {"type": "number"}, "band": {"type": "string", "enum": ["approve", "review", "hold"]},
                "why": {"type": "array", "items": reason.clone()}, "customer_id": {"type": ["string", "null"]},
                "ordered_at": {"type": "string"}, "value": {"type": "number"}}}),
        )
        .schema(
            "CustomerRisk",
            json!({"type": "object", "required": ["customer_id", "return_abuse_score", "band", "why", "orders", "units_bought", "units_returned"], "properties": {
                "customer_id": {"type": "string"}, "return_abuse_score": {"type": "number"},
                "band": {"type": "string", "enum": ["approve", "review", "hold"]}, "why": {"type": "array", "items": reason},
                "orders": {"type": "integer"}, "units_bought": {"type": "integer"}, "units_returned": {"type": "integer"}}}),
        )
        .schema("OrderRiskPage", paging::schema(schema_ref("OrderRisk"), "Orders at the band asked or above."))
        .schema("CustomerRiskPage", paging::schema(schema_ref("CustomerRisk"), "Customers at the band asked or above."))
}

#[derive(Debug, Deserialize, Default)]
struct Params {
    band: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

async fn orders(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = paging::limit(p.limit, 50, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    let band = app::risk::parse_band(p.band.as_deref())?;
    let all: Vec<OrderRiskOut> = blocking(move || Ok(app::risk::orders(&state.app, band)?)).await?;
    Ok(Json(paging::page(all, offset, limit)))
}

async fn customers(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = paging::limit(p.limit, 50, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    let band = app::risk::parse_band(p.band.as_deref())?;
    let all: Vec<CustomerRiskOut> = blocking(move || Ok(app::risk::customers(&state.app, band)?)).await?;
    Ok(Json(paging::page(all, offset, limit)))
}

async fn decide(
    State(state): State<AppState>,
    Json(d): Json<RiskDecisionIn>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let logged = blocking(move || Ok(app::risk::decide(&state.app, &d)?)).await?;
    Ok(Json(
        json!({"seq": logged.seq, "id": logged.id, "subject": logged.subject, "override_by": logged.override_by}),
    ))
}
