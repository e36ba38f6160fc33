//! The decision log over HTTP (issue 18): `GET /v1/decisions` (filtered,
//! paged, newest first), `GET /v1/decisions/export` (JSON Lines, oldest
//! first, as stored: verifiable on its own) and `GET /v1/decisions/verify`.
//! Everything calls `app::decisions`; all of it is admin-only.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::{paging, schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Query};
use crate::openapi;
use crate::state::AppState;
use app::wire::decisions::{DecisionsPage, PruneOut, VerifyOut};

pub(crate) fn area() -> Area {
    Area::new("decisions", "The hash-chained log of automated decisions and of the people who decided after them.")
        .admin_scope(Scope::AdminTrust)
        .get(
            "/v1/decisions",
            Access::Admin,
            list,
            paging::document(
                filters(Op::new("The decision log"))
                    .describe(
                        "Decisions newest first: what was decided (`output`), from what (`inputs`), by which model or \
                         rule set (`version`), why (`reasons`), by `loupe` or a person (`actor`), and the chain's \
                         hashes. Customers appear only by pseudonym; `subject=customer:ID` finds theirs.",
                    )
                    .json(200, "A page of entries.", schema_ref("DecisionsPage"))
                    .error(400, "A bad date or paging parameter."),
                "entries",
                20,
                1000,
            ),
        )
        .get(
            "/v1/decisions/export",
            Access::Admin,
            export,
            filters(Op::new("Export the decision log"))
                .describe("The matching entries as JSON Lines, oldest first, exactly as stored: a full export verifies on its own (`loupe audit verify --file`).")
                .content(200, "One entry per line.", "application/x-ndjson")
                .error(400, "A bad date."),
        )
        .get(
            "/v1/decisions/verify",
            Access::Admin,
            verify,
            Op::new("Verify the decision log")
                .describe("Recomputes the hash chain and names the first entry that breaks it.")
                .json(200, "Whether the chain holds.", schema_ref("DecisionsVerified")),
        )
        .post(
            "/v1/decisions/prune",
            Access::Admin,
            prune,
            Op::new("Prune the decision log")
                .describe(
                    "Retention: removes the entries recorded before `before` (never the newest entry) and leaves a \
                     checkpoint signed with the store's secret, from which the chain still verifies. The prune is \
                     itself recorded in the log.",
                )
                .query_with("before", true, openapi::date(), "Remove entries recorded before this day (UTC).")
                .json(200, "What was removed, and the checkpoint.", schema_ref("DecisionsPruned")),
        )
        .schema(
            "Decision",
            json!({
                "type": "object",
                "required": ["seq", "id", "at", "kind", "subject", "version", "inputs", "output", "reasons", "actor", "override_by", "override_why", "prev_hash", "hash"],
                "properties": {
                    "seq": {"type": "integer"}, "id": {"type": "string", "description": "UUIDv7"}, "at": {"type": "string"},
                    "kind": {"type": "string"}, "subject": {"type": "string"}, "version": {"type": "string"},
                    "inputs": {}, "output": {}, "reasons": {},
                    "actor": {"type": "string"}, "override_by": {"type": ["string", "null"]}, "override_why": {"type": ["string", "null"]},
                    "prev_hash": {"type": "string"}, "hash": {"type": "string"},
                },
            }),
        )
        .schema("DecisionsPage", paging::schema(schema_ref("Decision"), "Entries matching the filters."))
        .schema("DecisionCheckpoint", json!({
            "type": "object", "required": ["through_seq", "hash", "pruned", "at", "before", "signature"],
            "properties": {
                "through_seq": {"type": "integer"}, "hash": {"type": "string"}, "pruned": {"type": "integer"},
                "at": {"type": "string"}, "before": {"type": "string"}, "signature": {"type": "string"},
            },
        }))
        .schema("DecisionsPruned", json!({
            "type": "object", "required": ["removed", "kept", "checkpoint"],
            "properties": {
                "removed": {"type": "integer"}, "kept": {"type": "integer"},
                "checkpoint": {"anyOf": [{"type": "null"}, schema_ref("DecisionCheckpoint")]},
            },
        }))
        .schema(
            "DecisionsVerified",
            json!({
                "type": "object", "required": ["source", "entries", "ok", "first_broken", "problem", "checkpoint", "checkpoint_signature"],
                "properties": {
                    "source": {"type": "string"}, "entries": {"type": "integer"}, "ok": {"type": "boolean"},
                    "first_broken": {"type": ["integer", "null"]}, "problem": {"type": ["string", "null"]},
                    "checkpoint": {"anyOf": [{"type": "null"}, schema_ref("DecisionCheckpoint")]},
                    "checkpoint_signature": {"type": ["string", "null"], "enum": ["verified", "not_checked", "does_not_match", null]},
                },
            }),
        )
}

fn filters(op: Op) -> Op {
    op.query_with(
        "kind",
        false,
        json!({"type": "string"}),
        "care_message, care_delivery, care_retry, replenishment_decision, support_reply, ...",
    )
    .query_with(
        "subject",
        false,
        json!({"type": "string"}),
        "customer:ID (found by its pseudonym), order:ID, sku:SKU, ticket:ID, ...",
    )
    .query_with("from", false, openapi::day_or_instant(), "From this day (YYYY-MM-DD) or instant (RFC 3339).")
    .query_with("to", false, openapi::day_or_instant(), "To this day (inclusive) or instant.")
}

#[derive(Debug, Deserialize, Default)]
struct Params {
    kind: Option<String>,
    subject: Option<String>,
    from: Option<String>,
    to: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    cursor: Option<String>,
}

impl Params {
    fn query(&self) -> Result<app::decisions::Query, ApiError> {
        Ok(app::decisions::Query::parse(
            self.kind.as_deref(),
            self.subject.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )?)
    }
}

async fn list(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<DecisionsPage>, ApiError> {
    let limit = paging::limit(p.limit, 20, 1000)?;
    let offset = paging::start(p.offset, p.cursor.as_deref())?;
    let q = p.query()?;
    Ok(Json(blocking(move || Ok(app::decisions::list(&state.app, &q, offset, limit)?)).await?))
}

async fn export(State(state): State<AppState>, Query(p): Query<Params>) -> Result<Response, ApiError> {
    let q = p.query()?;
    let body = blocking(move || {
        let mut out = Vec::new();
        app::decisions::export(&state.app, &q, &mut out)?;
        Ok(out)
    })
    .await?;
    Ok((StatusCode::OK, [(header::CONTENT_TYPE, "application/x-ndjson")], body).into_response())
}

#[derive(Debug, Deserialize)]
struct PruneParams {
    before: String,
}

async fn prune(
    State(state): State<AppState>,
    caller: Option<axum::Extension<crate::auth::Caller>>,
    Query(p): Query<PruneParams>,
) -> Result<Json<PruneOut>, ApiError> {
    let day = app::care::parse_date("before", &p.before)?;
    let before_ms = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
    let actor = caller.map_or_else(|| "open".to_string(), |c| c.0.actor());
    Ok(Json(blocking(move || Ok(app::decisions::prune(&state.app, before_ms, &actor)?)).await?))
}

async fn verify(State(state): State<AppState>) -> Result<Json<VerifyOut>, ApiError> {
    Ok(Json(blocking(move || Ok(app::decisions::verify(&state.app)?)).await?))
}
