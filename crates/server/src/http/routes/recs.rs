//! `GET /v1/recommendations` (public) and `DELETE /v1/customers/{id}`
//! (admin), with the trained recommender kept in memory.
//!
//! [`RecsCache`] holds one trained model. A request never trains unless there
//! is no model at all: when the data changed (catalog version or event count)
//! or the model is older than ten minutes, the current model answers and a
//! background thread trains its replacement. Forgetting a customer drops the
//! model at once, so nothing trained on their data answers again.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use recs::{Context, Recommender, Request};
use serde::Deserialize;
use serde_json::json;

use super::{schema_ref, Access, Area, Op};
use crate::http::blocking;
use crate::http::error::{ApiError, Json, Path, Query};
use crate::http::state::AppState;
use crate::jobs::recs::{session_handles, train_from_store};
use crate::wire::recs::{items, Forgotten, RecContext, Recommendations};

const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// A model is rebuilt at least this often, to pick up order imports.
const MAX_AGE: Duration = Duration::from_secs(600);
/// And at most this often, however fast events arrive.
const MIN_AGE: Duration = Duration::from_secs(30);

/// The trained recommender, shared by all requests.
#[derive(Default)]
pub struct RecsCache {
    inner: Mutex<Inner>,
    /// Serializes foreground training so that a burst of first requests
    /// trains once.
    training: Mutex<()>,
}

#[derive(Default)]
struct Inner {
    model: Option<(Arc<Recommender>, DataKey, Instant)>,
    background: bool,
    /// Bumped by [`RecsCache::invalidate`]; a background result trained under
    /// an older generation is thrown away.
    generation: u64,
}

type DataKey = (u64, u64);

fn data_key(store: &store::Store) -> Result<DataKey, ApiError> {
    Ok((store.catalog_version()?, store.event_count()?))
}

fn wall_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl RecsCache {
    /// The current model, training one if there is none. Blocking.
    pub fn get(self: &Arc<Self>, store: &store::Store) -> Result<Arc<Recommender>, ApiError> {
        let key = data_key(store)?;
        {
            let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((model, k, at)) = &inner.model {
                let model = model.clone();
                let stale = (*k != key && at.elapsed() >= MIN_AGE) || at.elapsed() >= MAX_AGE;
                if stale && !inner.background {
                    inner.background = true;
                    let generation = inner.generation;
                    let me = self.clone();
                    let store = store.clone();
                    std::thread::spawn(move || me.retrain(&store, generation));
                }
                return Ok(model);
            }
        }
        let _one = self.training.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((model, _, _)) = &self.inner.lock().unwrap_or_else(|p| p.into_inner()).model {
            return Ok(model.clone());
        }
        let generation = self.inner.lock().unwrap_or_else(|p| p.into_inner()).generation;
        let model = Arc::new(train_from_store(store, wall_now())?);
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.generation == generation {
            inner.model = Some((model.clone(), key, Instant::now()));
        }
        Ok(model)
    }

    fn retrain(&self, store: &store::Store, generation: u64) {
        let result = data_key(store).and_then(|key| Ok((key, train_from_store(store, wall_now())?)));
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.background = false;
        match result {
            Ok((key, model)) if inner.generation == generation => {
                tracing::info!(seconds = model.stats().total_seconds, "recommender retrained");
                inner.model = Some((Arc::new(model), key, Instant::now()));
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "recommender retraining failed"),
        }
    }

    /// Drops the model: the next request trains from the store as it is now.
    pub fn invalidate(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.model = None;
        inner.generation += 1;
    }
}

pub(crate) fn area() -> Area {
    Area::new("recommendations", "Recommendations with reasons; customer forgetting.")
        .get(
            "/v1/recommendations",
            Access::Public,
            recommend,
            Op::new("Recommend products")
                .describe(
                    "Exactly one context: `product` (id, handle or SKU: similar pieces, complete the set, \
                     bought together), `customer` (for you), `cart` (comma-separated SKUs: bought together, \
                     add-ons), `session` (continue browsing), `gift` (a brief such as `for mom, under 200`) \
                     or `trending=true`. Every item carries `why`. Unknown customers and sessions get popular \
                     pieces (`context.known` is false).",
                )
                .query("product", "string", "Product id, handle or SKU.")
                .query("customer", "string", "Customer id.")
                .query("cart", "string", "Comma-separated SKUs or handles.")
                .query("session", "string", "Session id (its recent views are read from the events).")
                .query("gift", "string", "A gift brief: recipient, occasion, budget.")
                .query("trending", "boolean", "Trending now, aware of the season.")
                .query("limit", "integer", "Items, 1 to 100 (default 10).")
                .json(200, "The recommendations.", schema_ref("Recommendations"))
                .error(400, "No context, more than one, or a bad limit.")
                .error(404, "The product is unknown."),
        )
        .delete(
            "/v1/customers/{id}",
            Access::Admin,
            forget,
            Op::new("Forget a customer")
                .describe(
                    "Deletes the customer's events, blanks their id on order lines (the sales stay, \
                     anonymous), and drops the trained recommender so that nothing learnt from them \
                     answers again. Recorded in the audit log.",
                )
                .path("id", "The customer id.")
                .json(200, "What was forgotten.", schema_ref("Forgotten")),
        )
        .schema(
            "Recommendations",
            json!({
                "type": "object", "required": ["context", "items"],
                "properties": {
                    "context": {"type": "object", "required": ["kind", "value", "known"], "properties": {
                        "kind": {"type": "string", "enum": ["product", "customer", "cart", "session", "gift", "trending"]},
                        "value": {},
                        "known": {"type": "boolean"},
                        "gift": {"type": "object", "properties": {
                            "recipient": {"type": ["string", "null"]}, "occasion": {"type": ["string", "null"]},
                            "budget_min": {"type": ["number", "null"]}, "budget_max": {"type": ["number", "null"]},
                        }},
                    }},
                    "items": {"type": "array", "items": {
                        "type": "object", "required": ["id", "handle", "title", "skus", "score", "why"],
                        "properties": {
                            "id": {"type": "integer"}, "handle": {"type": "string"}, "title": {"type": "string"},
                            "skus": {"type": "array", "items": {"type": "string"}},
                            "score": {"type": "number"},
                            "why": {"type": "array", "items": {
                                "type": "object", "required": ["signal", "detail", "contribution"],
                                "properties": {"signal": {"type": "string"}, "detail": {"type": "string"}, "contribution": {"type": "number"}},
                            }},
                        },
                    }},
                },
            }),
        )
        .schema(
            "Forgotten",
            json!({
                "type": "object", "required": ["customer_id", "events_deleted", "order_lines_anonymized"],
                "properties": {
                    "customer_id": {"type": "string"},
                    "events_deleted": {"type": "integer"},
                    "order_lines_anonymized": {"type": "integer"},
                },
            }),
        )
}

#[derive(Debug, Deserialize)]
struct Params {
    product: Option<String>,
    customer: Option<String>,
    cart: Option<String>,
    session: Option<String>,
    gift: Option<String>,
    trending: Option<bool>,
    limit: Option<usize>,
}

async fn recommend(
    State(state): State<AppState>,
    Query(p): Query<Params>,
) -> Result<Json<Recommendations>, ApiError> {
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let given = [&p.product, &p.customer, &p.cart, &p.session, &p.gift]
        .iter()
        .filter(|v| v.as_deref().is_some_and(|s| !s.trim().is_empty()))
        .count()
        + p.trending.unwrap_or(false) as usize;
    if given != 1 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "give exactly one of product, customer, cart, session, gift or trending=true",
        ));
    }
    blocking(move || {
        let model = state.recs.get(&state.store)?;
        let (context, known) = resolve(&model, &state.store, p)?;
        let list = model.recommend(&Request::new(context.clone(), limit));
        Ok(Json(Recommendations { context: RecContext::of(&context, known), items: items(&list) }))
    })
    .await
}

/// The request's context for the engine, and whether the engine knows it.
fn resolve(model: &Recommender, store: &store::Store, p: Params) -> Result<(Context, bool), ApiError> {
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some(key) = nonempty(p.product) {
        let id =
            model.resolve_product(&key).ok_or_else(|| ApiError::not_found(format!("product {key:?}")))?;
        return Ok((Context::Product(id), true));
    }
    if let Some(c) = nonempty(p.customer) {
        let known = model.knows_customer(&c);
        return Ok((Context::Customer(c), known));
    }
    if let Some(cart) = nonempty(p.cart) {
        let skus: Vec<String> =
            cart.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        let known = skus.iter().any(|s| model.resolve_product(s).is_some());
        return Ok((Context::Cart(skus), known));
    }
    if let Some(s) = nonempty(p.session) {
        let recent = session_handles(store, &s, wall_now() * 1000)?;
        let known = recent.iter().any(|h| model.resolve_product(h).is_some());
        return Ok((Context::Session { id: Some(s), recent }, known));
    }
    if let Some(g) = nonempty(p.gift) {
        return Ok((Context::Gift(recs::parse_brief(&g)), true));
    }
    Ok((Context::Trending, true))
}

async fn forget(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Forgotten>, ApiError> {
    let id = id.trim().to_string();
    if id.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_path", "an empty customer id"));
    }
    blocking(move || {
        let out = state.store.forget_customer(&id)?;
        state.recs.invalidate();
        let done = Forgotten {
            customer_id: id.clone(),
            events_deleted: out.events_deleted,
            order_lines_anonymized: out.order_lines_anonymized,
        };
        state.store.append_audit(store::AuditEntry {
            at: wall_now(),
            actor: "api".into(),
            action: "forget_customer".into(),
            // The audit log must not keep the id it was asked to forget.
            subject: "customer".into(),
            decision_json: json!({"events_deleted": done.events_deleted, "order_lines_anonymized": done.order_lines_anonymized}).to_string(),
            why_json: json!([{"signal": "request", "detail": "DELETE /v1/customers/{id}", "contribution": 1.0}]).to_string(),
        })?;
        Ok(Json(done))
    })
    .await
}
