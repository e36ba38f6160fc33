//! Experiments over HTTP: define and list them, stop one, read its results (admin), and
//! `GET /v1/experiments/assign`, which any storefront or client calls to learn a visitor's
//! variation (public key). The use cases are `app::experiments`.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::search::unknown_parameter;
use super::{schema_ref, Access, Area, Op, Scope};
use crate::blocking;
use crate::error::{ApiError, Json, Path};
use crate::query::pairs;
use crate::state::AppState;
use app::wire::experiments::{Assignment, Experiment, ExperimentSpec, Metric, Results, Target, Visitor};
use app::Code;

pub(crate) fn area() -> Area {
    let metrics: Vec<&str> = Metric::ALL.iter().map(|m| m.as_str()).collect();
    let targets: Vec<&str> = Target::ALL.iter().map(|t| t.as_str()).collect();
    Area::new("experiments", "A/B tests: GrowthBook-compatible assignment and gbstats-compatible read-outs.")
        .admin_scope(Scope::AdminMerchandising)
        .get(
            "/v1/experiments",
            Access::Admin,
            list,
            Op::new("List experiments")
                .describe("Every experiment, newest first, with its status and its GrowthBook definition.")
                .json(200, "Experiments.", json!({"type": "array", "items": schema_ref("Experiment")})),
        )
        .post(
            "/v1/experiments",
            Access::Admin,
            create,
            Op::new("Create an experiment")
                .describe(
                    "Variations (the first is the control) with weights, coverage, targeting (new or returning \
                     visitors, devices, countries), start and end, a primary metric and guardrails. Assignment hashes \
                     the visitor id with the key as seed (GrowthBook hash version 2).",
                )
                .json_body(schema_ref("ExperimentSpec"), "The definition.")
                .json(201, "The experiment as stored.", schema_ref("Experiment"))
                .error(400, "The definition is invalid; the message names the field.")
                .error(409, "An experiment with this key exists."),
        )
        .get(
            "/v1/experiments/assign",
            Access::Public(Scope::ExperimentsAssign),
            assign,
            Op::new("Assign a visitor")
                .describe(
                    "The variation a visitor sees: deterministic and sticky (the same visitor always gets the same \
                     one, as GrowthBook's SDKs would give). When the visitor is in the experiment an exposure event \
                     is logged, once per visitor and experiment. Visitors outside the targeting or coverage, and \
                     everyone once the experiment is stopped or ended, get the control with `in_experiment: false`.",
                )
                .query_required("key", "The experiment's key.")
                .query_required("user", "The visitor id: a first-party cookie or the client's user id.")
                .query("returning", "boolean", "Whether the visitor has been before (targeting).")
                .query("device", "string", "`mobile`, `desktop`, `tablet` (targeting).")
                .query("country", "string", "ISO 3166 country code (targeting).")
                .query("expose", "boolean", "Log the exposure (default true); false only looks.")
                .json(200, "The assignment.", schema_ref("Assignment"))
                .error(404, "No such experiment."),
        )
        .get(
            "/v1/experiments/{key}",
            Access::Admin,
            get,
            Op::new("Show an experiment").path("key", "Experiment key.").json(200, "The experiment.", schema_ref("Experiment")).error(404, "No such experiment."),
        )
        .post(
            "/v1/experiments/{key}/stop",
            Access::Admin,
            stop,
            Op::new("Stop an experiment")
                .describe("From now on everyone sees the control; results count outcomes up to now.")
                .path("key", "Experiment key.")
                .json(200, "The experiment, stopped.", schema_ref("Experiment"))
                .error(404, "No such experiment."),
        )
        .get(
            "/v1/experiments/{key}/results",
            Access::Admin,
            results,
            Op::new("Read an experiment's results")
                .describe(
                    "Visitors per arm with the sample-ratio check; per metric and treatment the fixed-horizon \
                     t-test (Holm-adjusted across metrics and arms), CUPED where a covariate exists, the sequential \
                     test (safe to read at any time) and the Bayesian chance to win and risk, as gbstats computes \
                     them; a plain verdict per treatment, or how many more visitors are needed.",
                )
                .path("key", "Experiment key.")
                .json(200, "Results.", schema_ref("ExperimentResults"))
                .error(404, "No such experiment."),
        )
        .schema(
            "ExperimentSpec",
            json!({
                "type": "object",
                "required": ["key", "target", "variations", "metric"],
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z0-9_-]{1,64}$"},
                    "name": {"type": "string"},
                    "hypothesis": {"type": "string"},
                    "target": {"type": "string", "enum": targets},
                    "variations": {"type": "array", "minItems": 2, "maxItems": 10, "items": {
                        "type": "object", "required": ["name"],
                        "properties": {"name": {"type": "string", "minLength": 1, "pattern": "\\S"}, "value": {
                            "description": "For search_ranking: learned or catalog_only. Otherwise the client's to read."}}}},
                    "weights": {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}},
                    "coverage": {"type": "number", "exclusiveMinimum": 0, "maximum": 1, "default": 1},
                    "targeting": {"type": "object", "properties": {
                        "visitors": {"type": "string", "enum": ["all", "new", "returning"]},
                        "devices": {"type": "array", "items": {"type": "string"}},
                        "countries": {"type": "array", "items": {"type": "string"}}}},
                    "starts_at": {"type": "string", "description": "RFC 3339 time or YYYY-MM-DD."},
                    "ends_at": {"type": "string", "description": "RFC 3339 time or YYYY-MM-DD."},
                    "metric": {"type": "string", "enum": metrics},
                    "guardrails": {"type": "array", "items": {"type": "string", "enum": metrics}},
                    "minimum_effect": {"type": "number", "description": "Relative change to plan for (0.05 = 5%)."}
                },
                "if": {"properties": {"target": {"const": "search_ranking"}}, "required": ["target"]},
                "then": {"properties": {"variations": {"items": {"required": ["name", "value"],
                    "properties": {"value": {"enum": ["learned", "catalog_only"]}}}}}}
            }),
        )
        .schema(
            "Experiment",
            json!({"allOf": [schema_ref("ExperimentSpec"), {
                "type": "object",
                "required": ["created_at", "status", "growthbook"],
                "properties": {
                    "created_at": {"type": "integer", "description": "Unix milliseconds."},
                    "stopped_at": {"type": "integer"},
                    "status": {"type": "string", "enum": ["scheduled", "running", "stopped", "ended"]},
                    "growthbook": {"type": "object", "description": "The same experiment for GrowthBook's SDKs."}
                }
            }]}),
        )
        .schema(
            "Assignment",
            json!({
                "type": "object",
                "required": ["experiment", "variation", "name", "value", "in_experiment", "reason"],
                "properties": {
                    "experiment": {"type": "string"},
                    "variation": {"type": "integer", "minimum": 0},
                    "name": {"type": "string"},
                    "value": {},
                    "in_experiment": {"type": "boolean"},
                    "reason": {"type": "string"}
                }
            }),
        )
        .schema(
            "ExperimentResults",
            json!({
                "type": "object",
                "required": ["experiment", "until", "arms", "sample_ratio", "metrics", "verdict"],
                "properties": {
                    "experiment": schema_ref("Experiment"),
                    "until": {"type": "integer"},
                    "arms": {"type": "array", "items": {"type": "object"}},
                    "sample_ratio": {"type": "object", "properties": {
                        "p_value": {"type": ["number", "null"]}, "ok": {"type": "boolean"}}},
                    "metrics": {"type": "array", "items": {"type": "object"}},
                    "verdict": {"type": "array", "items": {"type": "string"}},
                    "more_visitors_per_arm": {"type": "integer"}
                }
            }),
        )
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<Experiment>>, ApiError> {
    Ok(Json(blocking(move || Ok(app::experiments::list(&state.app)?)).await?))
}

async fn create(
    State(state): State<AppState>,
    Json(spec): Json<ExperimentSpec>,
) -> Result<Response, ApiError> {
    let e = blocking(move || Ok(app::experiments::create(&state.app, spec)?)).await?;
    Ok((StatusCode::CREATED, Json(e)).into_response())
}

async fn get(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<Experiment>, ApiError> {
    Ok(Json(blocking(move || Ok(app::experiments::get(&state.app, &key)?)).await?))
}

async fn stop(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<Experiment>, ApiError> {
    Ok(Json(blocking(move || Ok(app::experiments::stop(&state.app, &key)?)).await?))
}

async fn results(State(state): State<AppState>, Path(key): Path<String>) -> Result<Json<Results>, ApiError> {
    Ok(Json(blocking(move || Ok(app::experiments::results(&state.app, &key)?)).await?))
}

fn boolean(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::bad_request(
            Code::InvalidQuery,
            format!("{name} must be true or false, not {value:?}"),
        )),
    }
}

async fn assign(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Assignment>, ApiError> {
    let mut key = None;
    let mut visitor = Visitor::default();
    let mut expose = true;
    for (k, v) in pairs(raw.as_deref().unwrap_or(""))? {
        match k.as_str() {
            "key" => key = Some(v),
            "user" => visitor.id = v,
            "returning" => visitor.returning = Some(boolean("returning", &v)?),
            "device" => visitor.device = Some(v),
            "country" => visitor.country = Some(v),
            "expose" => expose = boolean("expose", &v)?,
            other => {
                return Err(unknown_parameter(other, "key, user, returning, device, country and expose"))
            }
        }
    }
    let key = key
        .filter(|k| !k.is_empty())
        .ok_or_else(|| ApiError::bad_request(Code::InvalidQuery, "key is required"))?;
    if visitor.id.trim().is_empty() {
        return Err(ApiError::bad_request(Code::InvalidQuery, "user (the visitor id) is required"));
    }
    if visitor.id.len() > 200 {
        return Err(ApiError::bad_request(Code::InvalidQuery, "user is longer than 200 characters"));
    }
    Ok(Json(
        blocking(move || {
            let a = app::experiments::assign(&state.app, &key, &visitor, expose)?;
            if expose {
                app::decisions::log_assignment(&state.app, &a);
            }
            Ok(a)
        })
        .await?,
    ))
}
