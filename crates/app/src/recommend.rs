//! Recommendation use cases: which context a request names (a product by id,
//! handle or SKU; a customer; a cart; a session read from the events; a gift
//! brief; trending), resolved against the trained model, and the answer in
//! the wire shape. The CLI's flags and the HTTP query parameters both come
//! here as a [`Target`].

use recs::{Context, Recommender, Request};

use crate::engines::Engines;
use crate::error::{Code, Error, Result};
use crate::wire::recs::{items, RecContext, Recommendations};

pub const DEFAULT_LIMIT: usize = 10;
pub const MAX_LIMIT: usize = 100;

/// What to recommend for, as the caller named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Product(String),
    Customer(String),
    /// Comma-separated SKUs or handles.
    Cart(String),
    Session(String),
    Gift(String),
    Trending,
}

/// The caller's options, of which exactly one must be given.
#[derive(Clone, Debug, Default)]
pub struct TargetOptions {
    pub product: Option<String>,
    pub customer: Option<String>,
    pub cart: Option<String>,
    pub session: Option<String>,
    pub gift: Option<String>,
    pub trending: bool,
}

impl Target {
    pub fn from_options(o: TargetOptions) -> Result<Target> {
        let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let mut given: Vec<Target> = [
            nonempty(o.product).map(Target::Product),
            nonempty(o.customer).map(Target::Customer),
            nonempty(o.cart).map(Target::Cart),
            nonempty(o.session).map(Target::Session),
            nonempty(o.gift).map(Target::Gift),
            o.trending.then_some(Target::Trending),
        ]
        .into_iter()
        .flatten()
        .collect();
        if given.len() != 1 {
            return Err(Error::new(
                Code::InvalidContext,
                "give exactly one of product, customer, cart, session, gift or trending",
            ));
        }
        Ok(given.remove(0))
    }
}

pub fn check_limit(limit: usize) -> Result<()> {
    if limit == 0 || limit > MAX_LIMIT {
        return Err(Error::new(Code::InvalidQuery, format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    Ok(())
}

/// The engine's context for `target`, and whether the model knows it (an
/// unknown customer or session gets popular pieces).
pub fn resolve(
    model: &Recommender,
    store: &store::Store,
    target: &Target,
    now_ms: i64,
) -> Result<(Context, bool)> {
    Ok(match target {
        Target::Product(key) => {
            let id =
                model.resolve_product(key).ok_or_else(|| Error::not_found(format!("product {key:?}")))?;
            (Context::Product(id), true)
        }
        Target::Customer(c) => (Context::Customer(c.clone()), model.knows_customer(c)),
        Target::Cart(cart) => {
            let skus: Vec<String> =
                cart.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            let known = skus.iter().any(|s| model.resolve_product(s).is_some());
            (Context::Cart(skus), known)
        }
        Target::Session(s) => {
            let recent = crate::jobs::recs::session_handles(store, s, now_ms)?;
            let known = recent.iter().any(|h| model.resolve_product(h).is_some()) || model.knows_session(s);
            (Context::Session { id: Some(s.clone()), recent }, known)
        }
        Target::Gift(g) => (Context::Gift(recs::parse_brief(g)), true),
        Target::Trending => (Context::Trending, true),
    })
}

/// Recommendations for `target` from the shared model.
pub fn recommend(engines: &Engines, target: &Target, limit: usize) -> Result<Recommendations> {
    check_limit(limit)?;
    let model = engines.recs()?;
    recommend_with(&model, engines.store(), target, limit, engines.clock().now_ms())
}

/// [`recommend`] on a model the caller holds (the CLI's batch mode trains once).
pub fn recommend_with(
    model: &Recommender,
    store: &store::Store,
    target: &Target,
    limit: usize,
    now_ms: i64,
) -> Result<Recommendations> {
    let (context, known) = resolve(model, store, target, now_ms)?;
    let list = model.recommend(&Request::new(context.clone(), limit));
    Ok(Recommendations { context: RecContext::of(&context, known), items: items(&list) })
}
