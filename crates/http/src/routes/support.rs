//! Customer support over HTTP (issue 16): classification and answers for
//! a message, the agent queue, cases with replies and intent corrections,
//! tickets from a help desk or the storefront, the knowledge base and the
//! support settings. Everything calls `app::support`.
//!
//! `POST /v1/support/answer` and `POST /v1/tickets` take a public key (the
//! storefront's chat); with a public key (or none, on an open server) a
//! reply never includes facts about an order, since anyone may type an
//! order number. An admin key (a help desk) gets them.

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use axum::{routing, Extension};
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op, Scope};
use crate::auth::Caller;
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::openapi;
use crate::state::AppState;
use app::support::{Caller as Who, Settings, Show};
use app::wire::support::*;

fn who(caller: &Option<Extension<Caller>>) -> Who {
    match caller {
        Some(Extension(c)) if c.holds(Scope::AdminSupport) => Who::Trusted,
        _ => Who::Shopper,
    }
}

fn actor(caller: &Option<Extension<Caller>>) -> String {
    caller.as_ref().map_or_else(|| "open".to_string(), |c| c.0.actor())
}

pub(crate) fn area() -> Area {
    let message = |op: Op| {
        op.json_body(
            schema_ref("SupportMessage"),
            "The message, and optionally when it was written and by whom.",
        )
        .error(400, "The message is empty, over 10,000 characters, or `at` is not a date.")
    };
    Area::new("support", "Customer support: intents, escalation, answers from the brand's knowledge base, the agent queue.")
        .admin_scope(Scope::AdminSupport)
        .post(
            "/v1/support/classify",
            Access::Admin,
            classify,
            message(Op::new("Classify a message").describe(
                "The intent (one of 24), its confidence, the entities (order_id, date with `deadline`, ring_size, \
                 amount, product), the sentiment, whether a person must take it and why (each signal with its \
                 contribution; they sum to 1 or more when it escalates), and a priority.",
            ))
            .json(200, "The classification.", schema_ref("Classified")),
        )
        .post(
            "/v1/support/answer",
            Access::Public(Scope::SupportAnswer),
            answer,
            message(Op::new("Answer a question from the knowledge base").describe(
                "A reply made of the brand's own passages, each cited; `answer` is null and `escalate` true when \
                 no passage covers the question. Order facts are added for admin keys only.",
            ))
            .json(200, "The answer.", schema_ref("Answered")),
        )
        .get(
            "/v1/support/queue",
            Access::Admin,
            queue,
            Op::new("The agent queue")
                .describe("Cases by priority, then by the first-response SLA's due time; 50 a page.")
                .query_enum("status", &["open", "escalated", "closed", "all"], false, "Which cases (default open).")
                .query_with("page", false, json!({"type": "integer", "minimum": 1}), "Page, from 1.")
                .json(200, "The queue.", schema_ref("SupportQueue"))
                .error(400, "An unknown status."),
        )
        .route(
            "/v1/tickets",
            Method::POST,
            Access::Public(Scope::SupportAnswer),
            routing::post(receive),
            Op::new("Send a customer message")
                .describe(
                    "A new ticket, or (with the `id` of a stored one) the next message of its thread. The \
                     storefront's chat and help desks use it.",
                )
                .json_body(schema_ref("TicketIn"), "The message.")
                .json(201, "A new ticket.", schema_ref("TicketReceived"))
                .json(200, "A message added to a stored ticket.", schema_ref("TicketReceived"))
                .error(400, "The message is empty or too long, or the id is not printable."),
        )
        .get(
            "/v1/tickets/{id}",
            Access::Admin,
            ticket,
            Op::new("A case")
                .describe("The thread, the summary an agent starts from, the suggested reply with its sources, the SLA clocks.")
                .path("id", "Ticket id.")
                .json(200, "The case.", schema_ref("TicketView"))
                .error(404, "No such ticket."),
        )
        .post(
            "/v1/tickets/{id}/reply",
            Access::Admin,
            reply,
            Op::new("Reply to a case")
                .describe("Records the agent's reply in the thread (and in the audit log); `close` closes the case.")
                .path("id", "Ticket id.")
                .json_body(schema_ref("ReplyIn"), "The reply.")
                .json(200, "The case.", schema_ref("TicketView"))
                .error(400, "An empty reply.")
                .error(404, "No such ticket."),
        )
        .post(
            "/v1/tickets/{id}/intent",
            Access::Admin,
            correct,
            Op::new("Correct a case's intent")
                .describe("Kept on the ticket and learnt by the classifier, which is retrained on the next request.")
                .path("id", "Ticket id.")
                .json_body(schema_ref("IntentIn"), "The intent.")
                .json(200, "The case.", schema_ref("TicketView"))
                .error(400, "Not one of the 24 intents.")
                .error(404, "No such ticket."),
        )
        .get(
            "/v1/kb",
            Access::Admin,
            kb_list,
            Op::new("The knowledge base")
                .describe("Every passage with its source and heading, how many answers cited it and the latest questions that did.")
                .json(200, "The passages.", schema_ref("KbList")),
        )
        .route(
            "/v1/kb",
            Method::POST,
            Access::Admin,
            routing::post(kb_import).layer(DefaultBodyLimit::max(app::support::MAX_KB_BYTES)),
            Op::new("Import a knowledge-base source")
                .describe(
                    "The body is the source's text: Markdown (cut into passages at headings), HTML (at h1-h4) or CSV \
                     with question and answer columns. Importing the same `source` again replaces its passages.",
                )
                .query_required("source", "The source's name, e.g. `shipping.md`.")
                .query_enum("format", &["markdown", "html", "csv"], false, "Default: from the name's extension, else Markdown (HTML if it starts with `<`).")
                .raw_body(&["text/markdown", "text/html", "text/csv", "text/plain"], "The source.")
                .json(200, "What was imported.", schema_ref("KbImported"))
                .error(400, "No source name, an unknown format, or a source with no passages (the message names the line).")
                .error(413, "Over 5 MiB."),
        )
        .get(
            "/v1/support/settings",
            Access::Admin,
            get_settings,
            Op::new("Support settings").describe("Business hours, holidays, SLA budgets, the high-value threshold, the delivery promise.").json(200, "The settings.", schema_ref("SupportSettings")),
        )
        .put(
            "/v1/support/settings",
            Access::Admin,
            put_settings,
            Op::new("Change the support settings")
                .json_body(schema_ref("SupportSettings"), "Every field (missing ones take their defaults).")
                .json(200, "The settings as stored.", schema_ref("SupportSettings"))
                .error(422, "A field is out of range; the message names it."),
        )
        .schema("SupportMessage", json!({
            "type": "object", "required": ["text"],
            "properties": {
                "text": {"type": "string", "minLength": 1, "maxLength": 10000, "pattern": "\\S"},
                "at": {"type": ["string", "null"], "format": "date-time", "description": "When it was written (RFC 3339); default now."},
                "customer_id": {"type": ["string", "null"]},
                "order_id": {"type": ["string", "null"]},
            },
        }))
        .schema("Why", json!({
            "type": "object", "required": ["signal", "detail", "contribution"],
            "properties": {"signal": {"type": "string"}, "detail": {"type": "string"}, "contribution": {"type": "number"}},
        }))
        .schema("Classified", json!({
            "type": "object",
            "required": ["text", "intent", "confidence", "entities", "sentiment", "escalate", "why", "priority", "priority_label", "deadline"],
            "properties": {
                "text": {"type": "string"}, "intent": {"type": "string", "enum": intents()}, "confidence": {"type": "number"},
                "entities": {"type": "array", "items": {
                    "type": "object", "required": ["kind", "value"],
                    "properties": {
                        "kind": {"type": "string", "enum": ["order_id", "date", "ring_size", "amount", "product"]},
                        "value": {"type": "string"}, "deadline": {"type": "boolean"},
                    },
                }},
                "sentiment": {"type": "string", "enum": ["angry", "negative", "anxious", "neutral", "positive"]},
                "escalate": {"type": "boolean"}, "why": {"type": "array", "items": schema_ref("Why")},
                "priority": {"type": "integer"}, "priority_label": {"type": "string"},
                "deadline": {"type": ["string", "null"]},
            },
        }))
        .schema("Answered", json!({
            "type": "object", "required": ["question", "intent", "answer", "citations", "confidence", "escalate", "why"],
            "properties": {
                "question": {"type": "string"}, "intent": {"type": "string", "enum": intents()},
                "answer": {"type": ["string", "null"]},
                "citations": {"type": "array", "items": {
                    "type": "object", "required": ["source", "heading", "passage"],
                    "properties": {"source": {"type": "string"}, "heading": {"type": "string"}, "passage": {"type": "string"}},
                }},
                "confidence": {"type": "number"}, "escalate": {"type": "boolean"},
                "why": {"type": "array", "items": schema_ref("Why")},
            },
        }))
        .schema("Sla", json!({
            "type": "object", "required": ["due", "met_at", "minutes_left", "breached"],
            "properties": {
                "due": {"type": ["string", "null"]}, "met_at": {"type": ["string", "null"]},
                "minutes_left": {"type": ["integer", "null"]}, "breached": {"type": "boolean"},
            },
        }))
        .schema("SupportQueue", json!({
            "type": "object", "required": ["total", "open", "escalated", "breached", "page", "pages", "items"],
            "properties": {
                "total": {"type": "integer"}, "open": {"type": "integer"}, "escalated": {"type": "integer"},
                "breached": {"type": "integer"}, "page": {"type": "integer"}, "pages": {"type": "integer"},
                "items": {"type": "array", "items": {"type": "object", "required": ["id", "created_at", "status", "intent", "sentiment", "escalate", "priority", "priority_label", "first_response", "resolution", "signals"],
                    "properties": {
                        "id": {"type": "string"}, "created_at": {"type": "string"}, "channel": {"type": "string"},
                        "subject": {"type": "string"}, "customer_id": {"type": ["string", "null"]},
                        "order_id": {"type": ["string", "null"]}, "status": {"type": "string"},
                        "intent": {"type": "string"}, "sentiment": {"type": "string"}, "escalate": {"type": "boolean"},
                        "priority": {"type": "integer"}, "priority_label": {"type": "string"},
                        "deadline": {"type": ["string", "null"]},
                        "first_response": schema_ref("Sla"), "resolution": schema_ref("Sla"),
                        "signals": {"type": "array", "items": {"type": "string"}},
                    }}},
            },
        }))
        .schema("TicketView", json!({
            "type": "object",
            "required": ["id", "created_at", "status", "messages", "summary", "classified", "suggested", "first_response", "resolution"],
            "properties": {
                "id": {"type": "string"}, "created_at": {"type": "string"}, "channel": {"type": "string"},
                "subject": {"type": "string"}, "customer_id": {"type": ["string", "null"]},
                "order_id": {"type": ["string", "null"]}, "status": {"type": "string"},
                "messages": {"type": "array", "items": {"type": "object", "required": ["at", "from", "body"],
                    "properties": {"at": {"type": "string"}, "from": {"type": "string"}, "author": {"type": ["string", "null"]}, "body": {"type": "string"}}}},
                "summary": {"type": "object", "description": "Intent, what the customer wants (their own sentence), sentiment, deadlines, the order's facts, their orders and earlier tickets."},
                "classified": schema_ref("Classified"), "suggested": schema_ref("Answered"),
                "first_response": schema_ref("Sla"), "resolution": schema_ref("Sla"),
            },
        }))
        .schema("TicketIn", json!({
            "type": "object", "required": ["body"],
            "properties": {
                "id": {"type": ["string", "null"]}, "body": {"type": "string", "minLength": 1, "maxLength": 10000, "pattern": "\\S"},
                "subject": {"type": ["string", "null"]}, "customer_id": {"type": ["string", "null"]},
                "order_id": {"type": ["string", "null"]}, "channel": {"type": ["string", "null"]},
                "contact": {"type": ["string", "null"], "description": "An e-mail address to reply to, for shoppers without an account."},
            },
        }))
        .schema("TicketReceived", json!({
            "type": "object", "required": ["id", "created", "messages", "escalate", "priority_label"],
            "properties": {"id": {"type": "string"}, "created": {"type": "boolean"}, "messages": {"type": "integer"}, "escalate": {"type": "boolean"}, "priority_label": {"type": "string"}},
        }))
        .schema("ReplyIn", json!({
            "type": "object", "required": ["body"],
            "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000, "pattern": "\\S"}, "author": {"type": ["string", "null"]}, "close": {"type": "boolean"}},
        }))
        .schema("IntentIn", json!({
            "type": "object", "required": ["intent"],
            "properties": {"intent": {"type": "string", "enum": intents()}, "author": {"type": ["string", "null"]}},
        }))
        .schema("KbImported", json!({
            "type": "object", "required": ["source", "format", "passages", "replaced", "sources", "passages_total"],
            "properties": {
                "source": {"type": "string"}, "format": {"type": "string"}, "passages": {"type": "integer"},
                "replaced": {"type": "integer"}, "sources": {"type": "integer"}, "passages_total": {"type": "integer"},
                "skipped": {"type": "array", "items": {"type": "string"}},
            },
        }))
        .schema("KbList", json!({
            "type": "object", "required": ["sources", "passages"],
            "properties": {
                "sources": {"type": "array", "items": {"type": "string"}},
                "passages": {"type": "array", "items": {"type": "object", "required": ["source", "heading", "text", "line", "used", "questions"],
                    "properties": {"source": {"type": "string"}, "heading": {"type": "string"}, "text": {"type": "string"},
                        "line": {"type": "integer"}, "used": {"type": "integer"}, "questions": {"type": "array", "items": {"type": "string"}}}}},
            },
        }))
        .schema("SupportSettings", json!({
            "type": "object",
            "properties": {
                "utc_offset_minutes": {"type": "integer", "minimum": -840, "maximum": 840},
                "open": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "HH:MM, before `close`."},
                "close": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", "description": "HH:MM, after `open`."},
                "weekdays": {"type": "array", "items": {"type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}},
                "holidays": {"type": "array", "items": openapi::date()},
                "first_response_hours": {"type": "integer", "minimum": 1, "maximum": 10_000}, "resolution_hours": {"type": "integer", "minimum": 1, "maximum": 100_000},
                "high_value": {"type": "number", "minimum": 0}, "promise_business_days": {"type": "integer", "minimum": 0, "maximum": 60},
            },
        }))
}

fn intents() -> Vec<&'static str> {
    support::Intent::ALL.iter().map(|i| i.as_str()).collect()
}

async fn classify(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Json(m): Json<MessageIn>,
) -> Result<Json<Classified>, ApiError> {
    let w = who(&caller);
    Ok(Json(blocking(move || Ok(app::support::classify(&state.app, &m, w)?)).await?))
}

async fn answer(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Json(m): Json<MessageIn>,
) -> Result<Json<Answered>, ApiError> {
    let w = who(&caller);
    Ok(Json(blocking(move || Ok(app::support::answer(&state.app, &m, w, true)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct QueueParams {
    status: Option<String>,
    page: Option<usize>,
}

async fn queue(State(state): State<AppState>, Query(p): Query<QueueParams>) -> Result<Json<Queue>, ApiError> {
    let show = Show::parse(p.status.as_deref())?;
    if p.page == Some(0) {
        return Err(ApiError::bad_request(app::Code::InvalidQuery, "page starts at 1"));
    }
    Ok(Json(blocking(move || Ok(app::support::queue(&state.app, show, p.page.unwrap_or(1))?)).await?))
}

async fn receive(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Json(t): Json<TicketIn>,
) -> Result<impl IntoResponse, ApiError> {
    let w = who(&caller);
    let got = blocking(move || Ok(app::support::receive(&state.app, &t, w)?)).await?;
    let status = if got.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(got)))
}

async fn ticket(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<TicketView>, ApiError> {
    Ok(Json(blocking(move || Ok(app::support::ticket_view(&state.app, &id)?)).await?))
}

async fn reply(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
    Json(r): Json<ReplyIn>,
) -> Result<Json<TicketView>, ApiError> {
    let a = actor(&caller);
    Ok(Json(blocking(move || Ok(app::support::reply(&state.app, &id, &r, &a)?)).await?))
}

async fn correct(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    Path(id): Path<String>,
    Json(r): Json<IntentIn>,
) -> Result<Json<TicketView>, ApiError> {
    let a = actor(&caller);
    Ok(Json(blocking(move || Ok(app::support::correct(&state.app, &id, &r, &a)?)).await?))
}

async fn kb_list(State(state): State<AppState>) -> Result<Json<KbList>, ApiError> {
    Ok(Json(blocking(move || Ok(app::support::kb_list(&state.app)?)).await?))
}

#[derive(Debug, Deserialize, Default)]
struct KbParams {
    source: Option<String>,
    format: Option<String>,
}

async fn kb_import(
    State(state): State<AppState>,
    Query(p): Query<KbParams>,
    body: String,
) -> Result<Json<KbImported>, ApiError> {
    let Some(source) = p.source.filter(|s| !s.trim().is_empty()) else {
        return Err(ApiError::bad_request(
            app::Code::InvalidKb,
            "`source` is required: the source's name, e.g. shipping.md",
        ));
    };
    let format = p.format.as_deref().map(app::support::parse_kb_format).transpose()?;
    Ok(Json(blocking(move || Ok(app::support::import_kb(&state.app, &source, &body, format)?)).await?))
}

async fn get_settings(State(state): State<AppState>) -> Result<Json<Settings>, ApiError> {
    Ok(Json(blocking(move || Ok(app::support::settings(&state.app)?)).await?))
}

async fn put_settings(
    State(state): State<AppState>,
    Json(s): Json<Settings>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(blocking(move || Ok(app::support::put_settings(&state.app, &s)?)).await?))
}
