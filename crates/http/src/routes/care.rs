//! Post-purchase care over HTTP (issue 17): `GET /v1/care/plan?sku=`, a
//! piece's care plan from the built-in plans. Everything calls `app::care`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op};
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::state::AppState;
use app::wire::care::CarePlanOut;

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
