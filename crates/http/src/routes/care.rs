//! Post-purchase care over HTTP (issue 17): `GET /v1/care/plan?sku=`, a
//! piece's care plan from the built-in plans. Everything calls `app::care`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op};
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::state::AppState;
use app::wire::care::{CarePlanOut, ConsentIn, ConsentOut, ScheduleOut};

pub(crate) fn area() -> Area {
    Area::new("care", "Post-purchase care: what to do, what to avoid, and when to say it.")
        .get(
            "/v1/care/plan",
            Access::Public,
            plan,
            Op::new("A piece's care plan")
                .describe(
                    "The materials, the cautions (fixed codes) and the messages of the variant with this SKU, each \
                     with the day after delivery it is due and why. With `purchased_on`, each message also has its \
                     date, counted from a delivery estimated by the brand's standard promise.",
                )
                .query("sku", "string", "The variant's SKU (required).")
                .query("purchased_on", "string", "The purchase date, YYYY-MM-DD.")
                .json(200, "The care plan.", schema_ref("CarePlan"))
                .error(400, "No SKU, or a bad date.")
                .error(404, "No product has this SKU."),
        )
        .get(
            "/v1/care/schedule",
            Access::Admin,
            schedule,
            Op::new("The care calendar")
                .describe(
                    "Every care message due from `from` to `to` for every purchased line, `planned` or `suppressed` \
                     with the reason: returned, no_customer, forgotten, no_consent (for the channel, at the send \
                     time), paused (an open support case), frequency_cap (two a week).",
                )
                .query("from", "string", "First day, YYYY-MM-DD (default today).")
                .query("to", "string", "Last day, YYYY-MM-DD (default a week after `from`; at most 366 days).")
                .json(200, "The calendar.", schema_ref("CareSchedule"))
                .error(400, "A bad date, `from` after `to`, or over 366 days."),
        )
        .post(
            "/v1/consent",
            Access::Admin,
            consent,
            Op::new("Record a consent change")
                .describe("Consent per customer and channel (email, sms), with its source and time; the latest change wins. Answers the customer's history.")
                .json_body(schema_ref("ConsentIn"), "The change.")
                .json(200, "The customer's consent history and current state.", schema_ref("Consent"))
                .error(422, "A missing customer, an unknown channel, no source or a bad time."),
        )
        .schema(
            "ConsentIn",
            json!({
                "type": "object", "required": ["customer_id", "channel", "granted", "source"],
                "properties": {
                    "customer_id": {"type": "string"}, "channel": {"type": "string", "enum": ["email", "sms"]},
                    "granted": {"type": "boolean"}, "source": {"type": "string"}, "at": {"type": ["string", "null"]},
                },
            }),
        )
        .schema(
            "Consent",
            json!({
                "type": "object", "required": ["customer_id", "history", "email", "sms"],
                "properties": {
                    "customer_id": {"type": "string"}, "email": {"type": "boolean"}, "sms": {"type": "boolean"},
                    "history": {"type": "array", "items": {"type": "object", "required": ["channel", "granted", "source", "at"],
                        "properties": {"channel": {"type": "string"}, "granted": {"type": "boolean"}, "source": {"type": "string"}, "at": {"type": "string"}}}},
                },
            }),
        )
        .schema(
            "CareSchedule",
            json!({
                "type": "object", "required": ["from", "to", "planned", "suppressed", "by_reason", "messages"],
                "properties": {
                    "from": {"type": "string"}, "to": {"type": "string"}, "planned": {"type": "integer"},
                    "suppressed": {"type": "integer"},
                    "by_reason": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "messages": {"type": "array", "items": {"type": "object",
                        "required": ["order_id", "customer_id", "sku", "topic", "title", "channel", "at", "status", "reason", "why"],
                        "properties": {
                            "order_id": {"type": "string"}, "customer_id": {"type": ["string", "null"]}, "sku": {"type": "string"},
                            "topic": {"type": "string"}, "title": {"type": "string"}, "channel": {"type": "string"},
                            "at": {"type": "string"}, "status": {"type": "string", "enum": ["planned", "suppressed"]},
                            "reason": {"type": ["string", "null"]}, "why": {"type": "string"},
                        }}},
                },
            }),
        )
        .schema(
            "CarePlan",
            json!({
                "type": "object", "required": ["sku", "handle", "title", "materials", "cautions", "messages", "plans"],
                "properties": {
                    "sku": {"type": "string"}, "handle": {"type": "string"}, "title": {"type": "string"},
                    "materials": {"type": "array", "items": {"type": "string"}},
                    "cautions": {"type": "array", "items": {"type": "string", "enum": care::Caution::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>()}},
                    "messages": {"type": "array", "items": {
                        "type": "object", "required": ["day", "topic", "title", "body", "channel", "why"],
                        "properties": {
                            "day": {"type": "integer"}, "topic": {"type": "string"}, "title": {"type": "string"},
                            "body": {"type": "string"}, "channel": {"type": "string", "enum": ["email", "sms"]},
                            "why": {"type": "string"}, "on": {"type": "string"},
                        },
                    }},
                    "plans": {"type": "array", "items": {"type": "string"}},
                    "delivered_on": {"type": "string"}, "delivery_basis": {"type": "string"},
                },
            }),
        )
}

#[derive(Debug, Deserialize, Default)]
struct Params {
    sku: Option<String>,
    purchased_on: Option<String>,
}

async fn plan(State(state): State<AppState>, Query(p): Query<Params>) -> Result<Json<CarePlanOut>, ApiError> {
    let purchased =
        p.purchased_on.as_deref().map(|d| app::care::parse_date("purchased_on", d)).transpose()?;
    let sku = p.sku.unwrap_or_default();
    Ok(Json(
        blocking(move || {
            let plans = app::care::plans(None)?;
            Ok(app::care::plan_for_sku(&state.app, &sku, purchased, &plans)?)
        })
        .await?,
    ))
}

#[derive(Debug, Deserialize, Default)]
struct ScheduleParams {
    from: Option<String>,
    to: Option<String>,
}

async fn schedule(
    State(state): State<AppState>,
    Query(p): Query<ScheduleParams>,
) -> Result<Json<ScheduleOut>, ApiError> {
    let from = match p.from.as_deref() {
        Some(d) => app::care::parse_date("from", d)?,
        None => state.app.clock.today(),
    };
    let to = match p.to.as_deref() {
        Some(d) => app::care::parse_date("to", d)?,
        None => from + chrono::Duration::days(7),
    };
    Ok(Json(
        blocking(move || {
            let plans = app::care::plans(None)?;
            Ok(app::care::schedule(&state.app, from, to, &plans)?)
        })
        .await?,
    ))
}

async fn consent(
    State(state): State<AppState>,
    Json(c): Json<ConsentIn>,
) -> Result<Json<ConsentOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::care::record_consent(&state.app, &c)?)).await?))
}
