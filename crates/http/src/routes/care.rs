//! Post-purchase care over HTTP (issue 17): `GET /v1/care/plan?sku=`, a
//! piece's care plan from the built-in plans. Everything calls `app::care`.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::paging;
use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path, Query};
use crate::openapi;
use crate::state::AppState;
use app::wire::care::{
    CarePlanOut, ConsentIn, ConsentOut, DeliveryRunOut, DeliverySettings, OutboxMessageOut, OutboxPage,
    ScheduleOut,
};

pub(crate) fn area() -> Area {
    Area::new("care", "Post-purchase care: what to do, what to avoid, and when to say it.")
        .admin_scope(Scope::AdminSupport)
        .get(
            "/v1/care/plan",
            Access::Public(Scope::CatalogRead),
            plan,
            Op::new("A piece's care plan")
                .describe(
                    "The materials, the cautions (fixed codes) and the messages of the variant with this SKU, each \
                     with the day after delivery it is due and why. With `purchased_on`, each message also has its \
                     date, counted from a delivery estimated by the brand's standard promise.",
                )
                .query_required("sku", "The variant's SKU.")
                .query_date("purchased_on", "The purchase date, YYYY-MM-DD.")
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
                     time), open_complaint (an open complaint), paused (another open support case), frequency_cap (two a week).",
                )
                .query_date("from", "First day, YYYY-MM-DD (default today).")
                .query_date("to", "Last day, YYYY-MM-DD (default a week after `from`; at most 366 days).")
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
        .get(
            "/v1/consent/{customer_id}",
            Access::Admin,
            consent_of,
            Op::new("A customer's consent")
                .describe("The customer's consent history per channel and whether each channel is consented now.")
                .path("customer_id", "The customer's id.")
                .json(200, "The history and current state.", schema_ref("Consent")),
        )
        .get(
            "/v1/care/delivery",
            Access::Admin,
            delivery,
            Op::new("How the outbox delivers")
                .describe("The webhook (with its `whsec_` signing secret), the SMTP server, the sender, the public URL for unsubscribe links, retries and double opt-in. Without a webhook or SMTP server nothing is decided or sent.")
                .json(200, "The settings.", schema_ref("DeliverySettings")),
        )
        .put(
            "/v1/care/delivery",
            Access::Admin,
            put_delivery,
            Op::new("Change how the outbox delivers")
                .describe("Replaces the settings. A webhook URL without a secret gets a new one; `rotate_secret=true` makes a new one in any case.")
                .query("rotate_secret", "boolean", "Make a new webhook signing secret.")
                .json_body(schema_ref("DeliverySettings"), "The settings.")
                .json(200, "The settings as saved.", schema_ref("DeliverySettings"))
                .error(422, "A bad URL or address, SMTP without a sender or public URL, or retries out of range."),
        )
        .get(
            "/v1/outbox",
            Access::Admin,
            outbox,
            paging::document(Op::new("The outbox")
                .describe("Care messages decided, newest due first: `pending` (with the next attempt), `sent`, `dead` (every attempt failed; the dead letters) or `suppressed` (with the reason), each with its attempts.")
                .query_enum("status", &["pending", "sent", "dead", "suppressed"], false, "Only messages with this status.")
                .json(200, "A page of messages and the counts by status.", schema_ref("OutboxPage"))
                .error(400, "An unknown status."), "messages", 50, 1000),
        )
        .post(
            "/v1/outbox/run",
            Access::Admin,
            run,
            Op::new("Run the outbox now")
                .describe("Decides the care messages due since the last run and delivers what is due (the server also does this by itself every few seconds once a transport is configured).")
                .query_date("since", "Decide from this day (YYYY-MM-DD) instead of the last run.")
                .json(200, "What the run did.", schema_ref("DeliveryRun")),
        )
        .post(
            "/v1/outbox/{id}/retry",
            Access::Admin,
            retry,
            Op::new("Retry a dead message")
                .describe("Puts a dead message back in the queue, due now; the attempt history is kept.")
                .path("id", "The message's id (`msg_...`).")
                .json(200, "The message.", schema_ref("OutboxMessage"))
                .error(404, "No such message.")
                .error(409, "The message is not dead."),
        )
        .schema(
            "DeliverySettings",
            json!({
                "type": "object",
                "properties": {
                    "webhook_url": {"type": ["string", "null"], "pattern": "^https?://[^\\s/]+[^\\s]*$", "description": "Where messages are posted, signed as Standard Webhooks says."},
                    "webhook_secret": {"type": ["string", "null"], "pattern": "^whsec_[A-Za-z0-9+/]{22,}={0,2}$", "description": "`whsec_` and base64 of at least 16 bytes; made when missing."},
                    "smtp_url": {"type": ["string", "null"], "pattern": "^smtps?://", "description": "smtp://host:port or smtps://user:password@host; needs `from` and `public_url`."},
                    "from": {"type": ["string", "null"], "description": "The e-mails' sender, `Brand <care@brand.example>`."},
                    "public_url": {"type": ["string", "null"], "pattern": "^https?://[^\\s/]+", "description": "Where the unsubscribe links point."},
                    "retry_base_ms": {"type": "integer", "minimum": 1, "maximum": app::outbox::MAX_BACKOFF_MS},
                    "max_attempts": {"type": "integer", "minimum": 1, "maximum": 50},
                    "double_opt_in": {"type": "boolean", "description": "Grants wait for the customer's confirmation; needs a transport."},
                },
            }),
        )
        .schema(
            "OutboxMessage",
            json!({
                "type": "object",
                "required": ["id", "kind", "customer_id", "channel", "order_id", "sku", "topic", "subject", "body", "why", "due_at", "status", "reason", "attempts", "next_attempt_at", "sent_at"],
                "properties": {
                    "id": {"type": "string"}, "kind": {"type": "string"}, "customer_id": {"type": ["string", "null"]},
                    "channel": {"type": "string"}, "order_id": {"type": "string"}, "sku": {"type": "string"},
                    "topic": {"type": "string"}, "subject": {"type": "string"}, "body": {"type": "string"},
                    "why": {"type": "string"}, "due_at": {"type": "string"},
                    "status": {"type": "string", "enum": ["pending", "sent", "dead", "suppressed"]},
                    "reason": {"type": ["string", "null"]},
                    "attempts": {"type": "array", "items": {"type": "object", "required": ["at", "transport", "ok", "code", "error"],
                        "properties": {"at": {"type": "string"}, "transport": {"type": "string"}, "ok": {"type": "boolean"},
                            "code": {"type": ["integer", "null"]}, "error": {"type": ["string", "null"]}}}},
                    "next_attempt_at": {"type": ["string", "null"]}, "sent_at": {"type": ["string", "null"]},
                },
            }),
        )
        .schema(
            "OutboxPage",
            {
                let mut page = paging::schema(schema_ref("OutboxMessage"), "Messages matching `status`.");
                if let Some(r) = page["required"].as_array_mut() {
                    r.extend([json!("counts"), json!("delivery_configured")]);
                }
                page["properties"]["counts"] = json!({"type": "object", "additionalProperties": {"type": "integer"}, "description": "Every message by status, whatever the filter."});
                page["properties"]["delivery_configured"] = json!({"type": "boolean", "description": "Whether a webhook or SMTP server is set; without one nothing is decided or sent."});
                page
            },
        )
        .schema(
            "DeliveryRun",
            json!({
                "type": "object",
                "required": ["queued", "suppressed", "already_decided", "attempted", "sent", "retrying", "dead", "withheld", "pending", "next_due_at"],
                "properties": {
                    "queued": {"type": "integer"}, "suppressed": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "already_decided": {"type": "integer"}, "attempted": {"type": "integer"}, "sent": {"type": "integer"},
                    "retrying": {"type": "integer"}, "dead": {"type": "integer"},
                    "withheld": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "pending": {"type": "integer"}, "next_due_at": {"type": ["string", "null"]},
                },
            }),
        )
        .schema(
            "ConsentIn",
            json!({
                "type": "object", "required": ["customer_id", "channel", "granted", "source"],
                "properties": {
                    "customer_id": openapi::text_max(200), "channel": {"type": "string", "enum": ["email", "sms"]},
                    "granted": {"type": "boolean"}, "source": openapi::text(),
                    "at": {"anyOf": [{"type": "null"}, {"type": "string", "format": "date-time"}], "description": "When (RFC 3339); now if absent."},
                    "address": {"type": ["string", "null"], "maxLength": 254, "description": "For e-mail, an address (name@domain.tld)."},
                    "utc_offset": {"type": ["string", "null"], "pattern": "^$|^([zZ]|[uU][tT][cC])$|^[+-](0?[0-9]|1[0-3])(:?[0-5][0-9])?$|^[+-]14(:?00)?$", "description": "The customer's UTC offset, +01:00 or -05:00."},
                    "first_name": {"type": ["string", "null"], "description": "How care messages greet them ({first_name})."},
                },
                "if": {"properties": {"channel": {"const": "email"}}},
                "then": {"properties": {"address": {"anyOf": [{"type": "null"}, {"type": "string", "maxLength": 0}, {"type": "string", "format": "email", "pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"}]}}},
            }),
        )
        .schema(
            "Consent",
            json!({
                "type": "object", "required": ["customer_id", "history", "email", "sms"],
                "properties": {
                    "customer_id": {"type": "string"}, "email": {"type": "boolean"}, "sms": {"type": "boolean"},
                    "utc_offset": {"type": "string"}, "first_name": {"type": "string"},
                    "history": {"type": "array", "items": {"type": "object", "required": ["channel", "granted", "source", "at"],
                        "properties": {"channel": {"type": "string"}, "granted": {"type": "boolean"}, "source": {"type": "string"}, "at": {"type": "string"},
                            "address": {"type": "string"}, "pending": {"type": "boolean"}}}},
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
                            "delivery": {"type": ["string", "null"], "enum": ["pending", "sent", "dead", "suppressed", null]},
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
            let plans = app::care::stored_plans(&state.app)?;
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
            let plans = app::care::stored_plans(&state.app)?;
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

async fn consent_of(
    State(state): State<AppState>,
    Path(customer): Path<String>,
) -> Result<Json<ConsentOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::care::consent(&state.app, &customer)?)).await?))
}

async fn delivery(State(state): State<AppState>) -> Result<Json<DeliverySettings>, ApiError> {
    Ok(Json(blocking(move || Ok(app::outbox::settings(&state.app)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct RotateParams {
    #[serde(default)]
    rotate_secret: bool,
}

async fn put_delivery(
    State(state): State<AppState>,
    Query(p): Query<RotateParams>,
    Json(s): Json<DeliverySettings>,
) -> Result<Json<DeliverySettings>, ApiError> {
    Ok(Json(blocking(move || Ok(app::outbox::put_settings(&state.app, s, p.rotate_secret)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct OutboxParams {
    status: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

async fn outbox(
    State(state): State<AppState>,
    Query(p): Query<OutboxParams>,
) -> Result<Json<OutboxPage>, ApiError> {
    let limit = paging::limit(p.limit, 50, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    Ok(Json(blocking(move || Ok(app::outbox::list(&state.app, p.status.as_deref(), offset, limit)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct RunParams {
    since: Option<String>,
}

async fn run(
    State(state): State<AppState>,
    Query(p): Query<RunParams>,
) -> Result<Json<DeliveryRunOut>, ApiError> {
    let since = p
        .since
        .as_deref()
        .map(|d| app::care::parse_date("since", d))
        .transpose()?
        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis());
    Ok(Json(
        blocking(move || {
            let plans = app::care::stored_plans(&state.app)?;
            Ok(app::outbox::run(&state.app, &plans, since)?)
        })
        .await?,
    ))
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<OutboxMessageOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::outbox::retry(&state.app, &id, "admin api")?)).await?))
}
