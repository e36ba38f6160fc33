//! What every handler can reach: the store, the data directory, the metrics,
//! and (as the engine issues land) the engines' caches.
//!
//! Engine engineers: add your field here and initialise it in
//! [`AppState::new`]; keep it cheap to clone (an `Arc`), since axum clones
//! the state for every request.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use model::Product;

use super::error::ApiError;
use super::metrics::Metrics;

/// The decoded catalog and the catalog version it was read at.
type CatalogAt = (u64, Arc<Vec<Product>>);

#[derive(Clone)]
pub struct AppState {
    pub store: store::Store,
    /// The data directory; imports spool their upload under `tmp/` here.
    pub data_dir: Arc<PathBuf>,
    pub metrics: Arc<Metrics>,
    pub(crate) limits: Limits,
    /// Every product, decoded once per catalog version (see [`AppState::catalog`]).
    catalog: Arc<Mutex<Option<CatalogAt>>>,
    /// The search index, rebuilt when the catalog version changes (issue 4).
    pub search: super::routes::search::SearchCache,
    /// The trained recommender, retrained in the background (issue 5).
    pub recs: Arc<super::routes::recs::RecsCache>,
}

/// Request body limits, per kind of route.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `POST /v1/imports` (streamed to disk, never held in memory).
    pub import_bytes: usize,
    /// `POST /v1/events` (a batch is parsed in memory).
    pub events_bytes: usize,
    /// Every other route that takes a body.
    pub default_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { import_bytes: 64 * 1024 * 1024, events_bytes: 8 * 1024 * 1024, default_bytes: 1024 * 1024 }
    }
}

impl AppState {
    pub fn new(store: store::Store, data_dir: &Path) -> AppState {
        AppState {
            store,
            data_dir: Arc::new(data_dir.to_path_buf()),
            metrics: Arc::new(Metrics::default()),
            limits: Limits::default(),
            catalog: Arc::new(Mutex::new(None)),
            search: Default::default(),
            recs: Default::default(),
        }
    }

    /// Builds what a first visitor would otherwise wait for (the decoded
    /// catalog, the search index). `serve` runs it in the background at
    /// startup; engines with a slow first build add theirs here.
    pub fn warm_up(&self) {
        let started = std::time::Instant::now();
        if let Err(err) = self.catalog() {
            tracing::warn!(error = %err, "could not warm the catalog cache");
        }
        if let Err(err) = self.search.index(&self.store) {
            tracing::warn!(error = %err, "could not warm the search index");
        }
        // Shop pages wait only briefly for a model; train it now so that the
        // first product page already shows its recommendations.
        if let Err(err) = self.recs.get(&self.store) {
            tracing::warn!(error = %err, "could not warm the recommender");
        }
        tracing::info!(ms = started.elapsed().as_millis() as u64, "caches warmed");
    }

    /// Every product (by id), shared: decoded from the store only when the
    /// catalog version changed since the last call. Blocking (store read):
    /// call it inside [`super::blocking`].
    pub fn catalog(&self) -> Result<Arc<Vec<Product>>, ApiError> {
        let version = self.store.catalog_version()?;
        if let Some((v, products)) = self.catalog.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            if *v == version {
                return Ok(products.clone());
            }
        }
        // Read outside the lock: a slow decode must not block readers of a
        // version that is still current for them.
        let products = Arc::new(self.store.products()?);
        let version_after = self.store.catalog_version()?;
        if version_after == version {
            *self.catalog.lock().unwrap_or_else(|p| p.into_inner()) = Some((version, products.clone()));
        }
        Ok(products)
    }

    /// Same state with other body limits (tests use small ones).
    pub fn with_limits(mut self, limits: Limits) -> AppState {
        self.limits = limits;
        self
    }
}
