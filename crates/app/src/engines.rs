//! The engines that requests need, each built once per data version and
//! shared: the decoded catalog, the search index, the recommender and the
//! forecast sets.
//!
//! Every engine lives in a [`Slot`]: a value with the data key it was built
//! at (the catalog version, an event count) and its age. A request that finds
//! the value current takes it; one that finds it stale either rebuilds it on
//! its own thread while every other request keeps answering from the old
//! value, or (for engines that are slow and need not be exact, such as the
//! recommender) starts a background rebuild and answers from the old value
//! itself. Builds are single-flight: two requests never compute the same
//! thing at once, and a burst of first requests waits for one build.
//!
//! Adding an engine is a field here (a `Slot` with its key and
//! [`Freshness`]), an accessor that says how to build it from the store, and
//! the use cases that call the accessor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use model::Product;
use search::SearchIndex;

use crate::clock::Clock;
use crate::error::{Error, Result};

/// When a built value must be replaced.
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    /// Rebuild when it is this old even if the data key has not moved
    /// (behaviour data such as clicks is not part of every key).
    pub max_age: Duration,
    /// Do not rebuild more often than this, however fast the key moves.
    pub min_age: Duration,
    /// How a value whose key moved is replaced: by the request that notices
    /// (it waits, the others get the old value) or by a background thread
    /// (nobody waits). A value past `max_age` with an unchanged key is always
    /// refreshed in the background.
    pub rebuild: Rebuild,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rebuild {
    Foreground,
    Background,
}

/// How long a request waits for another's first build of a value before it
/// is answered `warming_up` (a start with a large store takes a minute).
const FIRST_BUILD_WAIT: Duration = Duration::from_secs(10);

/// One engine value with the key it was built at. See the module docs.
pub struct Slot<K, T> {
    name: &'static str,
    freshness: Freshness,
    inner: Mutex<Inner<K, T>>,
    /// Held while a build runs, so that only one runs at a time.
    building: Mutex<()>,
    /// [`FIRST_BUILD_WAIT`], shorter in tests.
    first_wait: Duration,
}

struct Inner<K, T> {
    current: Option<Built<K, T>>,
    background: bool,
    /// Bumped by [`Slot::invalidate`]: a build started before it is dropped.
    generation: u64,
}

struct Built<K, T> {
    key: K,
    at: Instant,
    value: Arc<T>,
}

type BuildFn<K, T> = dyn Fn() -> Result<(K, T)> + Send + Sync;

fn lock<G>(m: &Mutex<G>) -> MutexGuard<'_, G> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<K, T> Slot<K, T>
where
    K: Clone + PartialEq + Send + 'static,
    T: Send + Sync + 'static,
{
    pub fn new(name: &'static str, freshness: Freshness) -> Arc<Slot<K, T>> {
        Arc::new(Slot {
            name,
            freshness,
            inner: Mutex::new(Inner { current: None, background: false, generation: 0 }),
            building: Mutex::new(()),
            first_wait: FIRST_BUILD_WAIT,
        })
    }

    /// The value for the data at `key`, building it with `build` (which
    /// returns the value and the key it actually read) when there is none or
    /// it is stale. Blocking.
    pub fn get(self: &Arc<Self>, key: K, build: Arc<BuildFn<K, T>>) -> Result<Arc<T>> {
        let stale = {
            let mut inner = lock(&self.inner);
            match &inner.current {
                None => None,
                Some(b) => {
                    let age = b.at.elapsed();
                    let changed = b.key != key && age >= self.freshness.min_age;
                    if !changed && age < self.freshness.max_age {
                        return Ok(b.value.clone());
                    }
                    let value = b.value.clone();
                    // A value that is only old (its data key has not moved)
                    // is refreshed in the background whatever the mode: a
                    // request must not wait because time passed.
                    if self.freshness.rebuild == Rebuild::Background || !changed {
                        if !inner.background {
                            inner.background = true;
                            let me = self.clone();
                            let generation = inner.generation;
                            std::thread::spawn(move || me.rebuild_in_background(generation, &*build));
                        }
                        return Ok(value);
                    }
                    Some(value)
                }
            }
        };
        let _building = match (self.building.try_lock(), stale) {
            (Ok(guard), _) => guard,
            // Another request is rebuilding: answer from the old value.
            (Err(_), Some(old)) => return Ok(old),
            // Nothing to answer with yet: wait a little for that build, then
            // say so rather than hold the request for as long as it takes.
            (Err(_), None) => self.wait_for_build()?,
        };
        let generation = {
            let inner = lock(&self.inner);
            if let Some(b) = &inner.current {
                if b.key == key && b.at.elapsed() < self.freshness.max_age {
                    return Ok(b.value.clone());
                }
            }
            inner.generation
        };
        let started = Instant::now();
        let (built_key, value) = build()?;
        tracing::debug!(engine = self.name, ms = started.elapsed().as_millis() as u64, "engine built");
        let value = Arc::new(value);
        let mut inner = lock(&self.inner);
        if inner.generation == generation {
            inner.current = Some(Built { key: built_key, at: Instant::now(), value: value.clone() });
        }
        Ok(value)
    }

    /// [`Slot::get`] that never waits for a first build: while there is no
    /// value yet it starts one in the background (once) and answers `None`.
    /// For pages that show what is ready and leave a gap for the rest.
    pub fn try_get(self: &Arc<Self>, key: K, build: Arc<BuildFn<K, T>>) -> Result<Option<Arc<T>>> {
        {
            let mut inner = lock(&self.inner);
            if inner.current.is_none() {
                if !inner.background {
                    inner.background = true;
                    let me = self.clone();
                    let generation = inner.generation;
                    std::thread::spawn(move || me.rebuild_in_background(generation, &*build));
                }
                return Ok(None);
            }
        }
        self.get(key, build).map(Some)
    }

    /// The build lock once the build holding it ends, if within
    /// [`FIRST_BUILD_WAIT`]; else a `warming_up` error.
    fn wait_for_build(&self) -> Result<MutexGuard<'_, ()>> {
        let deadline = Instant::now() + self.first_wait;
        loop {
            match self.building.try_lock() {
                Ok(guard) => return Ok(guard),
                Err(std::sync::TryLockError::Poisoned(p)) => return Ok(p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(std::sync::TryLockError::WouldBlock) => {
                    return Err(Error::new(
                        crate::error::Code::WarmingUp,
                        format!("Loupe is still building its {} engine; retry in a few seconds", self.name),
                    ))
                }
            }
        }
    }

    fn rebuild_in_background(&self, generation: u64, build: &BuildFn<K, T>) {
        let _building = lock(&self.building);
        let started = Instant::now();
        let result = build();
        let mut inner = lock(&self.inner);
        inner.background = false;
        match result {
            Ok((key, value)) if inner.generation == generation => {
                tracing::info!(
                    engine = self.name,
                    ms = started.elapsed().as_millis() as u64,
                    "engine rebuilt"
                );
                inner.current = Some(Built { key, at: Instant::now(), value: Arc::new(value) });
            }
            Ok(_) => {}
            Err(err) => tracing::warn!(engine = self.name, error = %err, "engine rebuild failed"),
        }
    }

    /// The value built last, if any, without checking that it is current.
    pub fn current(&self) -> Option<Arc<T>> {
        lock(&self.inner).current.as_ref().map(|b| b.value.clone())
    }

    /// Drops the value: the next request builds from the store as it is now,
    /// and a build already running is not kept (forgetting a customer must
    /// not leave a model trained on their data answering).
    pub fn invalidate(&self) {
        let mut inner = lock(&self.inner);
        inner.current = None;
        inner.generation += 1;
    }
}

/// The demand history and the forecast set for one frequency and horizon.
pub struct Forecasts {
    pub demand: forecast::Demand,
    pub set: forecast::ForecastSet,
}

type ForecastKey = (forecast::Freq, usize);

/// The scorecard's data key: the catalog version, the event count, and the
/// order-line, snapshot and ticket counts.
type ScorecardKey = (u64, u64, u64, u64, u64);

/// A forecast set's slot and when it was last asked for.
type UsedSlot = (Arc<Slot<u64, Forecasts>>, Instant);

/// Every engine, built from one store. Cheap to share (`Arc` inside each
/// slot); the HTTP state and the CLI each hold one.
pub struct Engines {
    store: store::Store,
    clock: Clock,
    catalog: Arc<Slot<u64, Vec<Product>>>,
    search: Arc<Slot<u64, SearchIndex>>,
    recs: Arc<Slot<(u64, u64), recs::Recommender>>,
    /// Each set with when it was last asked for: a set unused for
    /// `forecast_idle` is dropped at the next request for any set (a daily
    /// set of the demo brand holds about 250 MB).
    forecasts: Mutex<HashMap<ForecastKey, UsedSlot>>,
    /// What the scorecard reads, keyed by the catalog version, the event
    /// count and the order-line, snapshot and ticket counts.
    scorecard: Arc<Slot<ScorecardKey, crate::scorecard::Loaded>>,
    /// The support classifier and knowledge base, keyed by the catalog
    /// version and the support counter (knowledge-base imports, settings,
    /// intent corrections).
    support: Arc<Slot<(u64, u64), crate::support::Support>>,
    /// What merchandising learnt (behaviour, stock, memberships, bundle
    /// proposals), keyed by the catalog version, order lines and stock
    /// snapshots and at most ten minutes old; what people chose is read
    /// fresh on every call.
    merch: Arc<Slot<crate::merch::Key, crate::merch::Loaded>>,
    forecast_idle: Duration,
    /// Search analytics over every event, kept up to date by counting only
    /// the events that arrived since (a full read takes seconds per million).
    analytics: Mutex<Option<LiveAnalytics>>,
}

/// Search analytics counted up to some point of the event log. See
/// [`Engines::search_analytics`].
struct LiveAnalytics {
    builder: search::AnalyticsBuilder,
    /// Events counted, and the latest time among them (Unix ms).
    count: u64,
    newest: i64,
    /// Ids of the counted events less than [`LATE_MS`] older than `newest`:
    /// the next read starts there and skips these.
    recent: HashMap<String, i64>,
    /// `recent` is pruned when it reaches this size.
    prune_at: usize,
    report: Arc<search::SearchAnalytics>,
}

const PRUNE_MIN: usize = 65_536;

/// How late an event may arrive (behind the latest one counted) and still be
/// added to the running analytics; a later one makes them count again.
const LATE_MS: i64 = 3_600_000;

impl LiveAnalytics {
    fn new() -> LiveAnalytics {
        LiveAnalytics {
            builder: search::AnalyticsBuilder::new(),
            count: 0,
            newest: i64::MIN,
            recent: HashMap::new(),
            prune_at: PRUNE_MIN,
            report: Arc::new(search::SearchAnalytics::default()),
        }
    }

    fn add(&mut self, e: model::Event) {
        self.builder.add(&e);
        self.count += 1;
        self.newest = self.newest.max(e.at);
        if e.at >= self.newest.saturating_sub(LATE_MS) {
            self.recent.insert(e.id, e.at);
            if self.recent.len() >= self.prune_at {
                self.prune();
                self.prune_at = (self.recent.len() * 2).max(PRUNE_MIN);
            }
        }
    }

    fn prune(&mut self) {
        let floor = self.newest.saturating_sub(LATE_MS);
        self.recent.retain(|_, at| *at >= floor);
    }

    /// Adds the tail of the log after what was counted; false when the log
    /// holds `stored` events and the tail does not account for them (an
    /// event arrived more than [`LATE_MS`] late, or events were deleted).
    fn catch_up(&mut self, stored: u64, tail: &mut dyn Iterator<Item = model::Event>) -> bool {
        if stored == self.count {
            return true;
        }
        let before = self.count;
        for e in tail {
            if !self.recent.contains_key(&e.id) {
                self.add(e);
            }
        }
        self.prune();
        if self.count != stored {
            return false;
        }
        if self.count != before {
            self.report = Arc::new(self.builder.report(ANALYTICS_MAX));
        }
        true
    }
}

/// A forecast set nobody asked for in this long is dropped.
const FORECAST_IDLE: Duration = Duration::from_secs(600);

/// Most queries any analytics list holds (`GET /v1/search/analytics?limit=`).
pub const ANALYTICS_MAX: usize = 200;

impl Engines {
    pub fn new(store: store::Store, clock: Clock) -> Engines {
        let foreground =
            |max_age| Freshness { max_age, min_age: Duration::ZERO, rebuild: Rebuild::Foreground };
        Engines {
            store,
            clock,
            catalog: Slot::new("catalog", foreground(Duration::MAX)),
            // Behaviour (clicks, purchases) is refreshed at least every ten minutes.
            search: Slot::new("search", foreground(Duration::from_secs(600))),
            // Training takes seconds: retrain in the background when events or
            // the catalog moved (at most every 30 s), and every ten minutes to
            // pick up order imports.
            recs: Slot::new(
                "recs",
                Freshness {
                    max_age: Duration::from_secs(600),
                    min_age: Duration::from_secs(30),
                    rebuild: Rebuild::Background,
                },
            ),
            forecasts: Mutex::new(HashMap::new()),
            // Reading every event takes seconds at a million: rebuilt in the
            // background (at most every 10 s) while the last one answers.
            scorecard: Slot::new(
                "scorecard",
                Freshness {
                    max_age: Duration::from_secs(600),
                    min_age: Duration::from_secs(10),
                    rebuild: Rebuild::Background,
                },
            ),
            // Training takes a fraction of a second: the request that finds
            // the data moved waits for it.
            support: Slot::new("support", foreground(Duration::MAX)),
            // A new catalog, orders or stock make the next request wait for
            // the rebuild (seconds at a million events), so a merchandiser
            // sees the import they just made; events are read again every
            // ten minutes.
            merch: Slot::new("merch", foreground(Duration::from_secs(600))),
            forecast_idle: FORECAST_IDLE,
            analytics: Mutex::new(None),
        }
    }

    pub fn store(&self) -> &store::Store {
        &self.store
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Every product, decoded once per catalog version.
    pub fn catalog(&self) -> Result<Arc<Vec<Product>>> {
        let store = self.store.clone();
        self.catalog.get(
            self.store.catalog_version()?,
            Arc::new(move || {
                let version = store.catalog_version()?;
                Ok((version, store.products()?))
            }),
        )
    }

    /// The search index for the current catalog and recent behaviour.
    pub fn search(&self) -> Result<Arc<SearchIndex>> {
        let store = self.store.clone();
        self.search.get(
            self.store.catalog_version()?,
            Arc::new(move || crate::jobs::build_search_index(&store).map_err(Error::internal)),
        )
    }

    /// Reloads the merchandising rules into the current index (rules change
    /// without a rebuild).
    pub fn reload_rules(&self) -> Result<()> {
        if let Some(index) = self.search.current() {
            index.set_rules(crate::jobs::load_rules(&self.store).map_err(Error::internal)?);
        }
        Ok(())
    }

    /// The trained recommender; trains one if there is none (the first
    /// request waits), else answers from the current one while a newer one
    /// trains in the background.
    pub fn recs(&self) -> Result<Arc<recs::Recommender>> {
        self.recs.get(self.recs_key()?, self.recs_build())
    }

    /// The recommender if one is trained, else `None` while the first one
    /// trains in the background (a shop page shows no recommendations rather
    /// than wait).
    pub fn recs_if_ready(&self) -> Result<Option<Arc<recs::Recommender>>> {
        self.recs.try_get(self.recs_key()?, self.recs_build())
    }

    fn recs_key(&self) -> Result<(u64, u64)> {
        Ok((self.store.catalog_version()?, self.store.event_count()?))
    }

    fn recs_build(&self) -> Arc<BuildFn<(u64, u64), recs::Recommender>> {
        let store = self.store.clone();
        let clock = self.clock.clone();
        Arc::new(move || {
            let key = (store.catalog_version()?, store.event_count()?);
            Ok((key, crate::jobs::recs::train_from_store(&store, clock.now_secs())?))
        })
    }

    /// What the scorecard reads (orders, stock snapshots, catalog, every
    /// event condensed into session-days), rebuilt when any of them changes.
    pub fn scorecard(&self) -> Result<Arc<crate::scorecard::Loaded>> {
        let store = self.store.clone();
        let clock = self.clock.clone();
        let key = move |store: &store::Store| -> Result<ScorecardKey> {
            let (lines, snapshots) = store.activity_counts()?;
            Ok((store.catalog_version()?, store.event_count()?, lines, snapshots, store.ticket_count()?))
        };
        let now = key(&self.store)?;
        self.scorecard.get(
            now,
            Arc::new(move || {
                let k = key(&store)?;
                let mut loaded = crate::scorecard::Loaded::read_all(&store)?;
                loaded.read_at = clock.now_secs();
                Ok((k, loaded))
            }),
        )
    }

    /// The support engine: the classifier (shipped examples plus agents'
    /// corrections), the knowledge base's index, the catalog's names.
    pub fn support(&self) -> Result<Arc<crate::support::Support>> {
        let store = self.store.clone();
        let key = (self.store.catalog_version()?, self.store.counter(crate::support::VERSION)?);
        let catalog = self.catalog()?;
        self.support.get(
            key,
            Arc::new(move || {
                let k = (store.catalog_version()?, store.counter(crate::support::VERSION)?);
                Ok((k, crate::support::Support::build(&store, &catalog)?))
            }),
        )
    }

    /// What merchandising learnt from the store; the first call waits for it.
    pub fn merch(self: &Arc<Self>) -> Result<Arc<crate::merch::Loaded>> {
        self.merch.get(crate::merch::key(&self.store)?, self.merch_build())
    }

    /// [`Engines::merch`] without waiting: `None` while the first build runs
    /// (a shop page shows no intent links rather than wait).
    pub fn merch_if_ready(self: &Arc<Self>) -> Result<Option<Arc<crate::merch::Loaded>>> {
        self.merch.try_get(crate::merch::key(&self.store)?, self.merch_build())
    }

    fn merch_build(self: &Arc<Self>) -> Arc<BuildFn<crate::merch::Key, crate::merch::Loaded>> {
        let store = self.store.clone();
        let clock = self.clock.clone();
        let engines = Arc::downgrade(self);
        Arc::new(move || {
            let k = crate::merch::key(&store)?;
            // The decoded catalog and the forecast are the engines' own, shared.
            let (catalog, slow) = match engines.upgrade() {
                Some(e) => (e.catalog()?, crate::merch::slow_handles(&e)),
                None => (Arc::new(store.products()?), Default::default()),
            };
            Ok((k, crate::merch::Loaded::build(&store, catalog, &slow, None, clock.now_secs())?))
        })
    }

    /// Drops what was learnt from the events: the recommender and the
    /// search analytics (after a customer is forgotten).
    pub fn forget_learned(&self) {
        self.recs.invalidate();
        self.scorecard.invalidate();
        // Its corrected tickets trained the classifier.
        self.support.invalidate();
        self.merch.invalidate();
        *lock(&self.analytics) = None;
    }

    /// Demand and forecasts at `freq` for `horizon` periods, recomputed when
    /// the catalog changes or after a minute (orders and inventory move too).
    pub fn forecasts(&self, freq: forecast::Freq, horizon: usize) -> Result<Arc<Forecasts>> {
        let slot = {
            let mut sets = lock(&self.forecasts);
            let now = Instant::now();
            let idle = self.forecast_idle;
            sets.retain(|key, (_, used)| *key == (freq, horizon) || now.duration_since(*used) < idle);
            let entry = sets.entry((freq, horizon)).or_insert_with(|| {
                let slot = Slot::new(
                    "forecasts",
                    Freshness {
                        max_age: Duration::from_secs(60),
                        min_age: Duration::ZERO,
                        rebuild: Rebuild::Foreground,
                    },
                );
                (slot, now)
            });
            entry.1 = now;
            entry.0.clone()
        };
        let store = self.store.clone();
        slot.get(
            self.store.catalog_version()?,
            Arc::new(move || {
                let version = store.catalog_version()?;
                let demand = crate::wire::forecast::load_demand(&store)?;
                let cfg = forecast::ForecastConfig { freq, horizon, ..forecast::ForecastConfig::default() };
                let set = forecast::forecast(&demand, &cfg);
                Ok((version, Forecasts { demand, set }))
            }),
        )
    }

    /// Search analytics with at most `limit` (up to [`ANALYTICS_MAX`])
    /// queries per list. The first call reads every event; later ones add the
    /// events that arrived since (`/admin/search` took 2.5 to 7 s per load on
    /// the demo, and 99 s at ten million events, when it read them all).
    pub fn search_analytics(&self, limit: usize) -> Result<search::SearchAnalytics> {
        let mut guard = lock(&self.analytics);
        let caught_up = match guard.as_mut() {
            Some(live) => self
                .store
                .scan_tail(live.newest.saturating_sub(LATE_MS), |stored, tail| live.catch_up(stored, tail))?,
            None => false,
        };
        if !caught_up {
            let mut live = LiveAnalytics::new();
            self.store.scan_events(i64::MIN, i64::MAX, |events| events.for_each(|e| live.add(e)))?;
            live.report = Arc::new(live.builder.report(ANALYTICS_MAX));
            *guard = Some(live);
        }
        let full = guard.as_ref().map(|live| live.report.clone()).unwrap_or_default();
        drop(guard);
        let mut out = (*full).clone();
        let limit = limit.min(ANALYTICS_MAX);
        out.top_queries.truncate(limit);
        out.zero_result_queries.truncate(limit);
        out.no_click_queries.truncate(limit);
        Ok(out)
    }

    /// Builds what a first visitor would otherwise wait for (the decoded
    /// catalog, the search index, the recommender); `serve` runs it in the
    /// background at startup.
    pub fn warm_up(self: &Arc<Self>) {
        let started = Instant::now();
        if let Err(err) = self.catalog() {
            tracing::warn!(error = %err, "could not warm the catalog cache");
        }
        if let Err(err) = self.search() {
            tracing::warn!(error = %err, "could not warm the search index");
        }
        if let Err(err) = self.recs() {
            tracing::warn!(error = %err, "could not warm the recommender");
        }
        // The back-office opens on the scorecard.
        if let Err(err) = self.scorecard() {
            tracing::warn!(error = %err, "could not warm the scorecard");
        }
        // The home page's intent links wait for it.
        if let Err(err) = self.merch() {
            tracing::warn!(error = %err, "could not warm merchandising");
        }
        tracing::info!(ms = started.elapsed().as_millis() as u64, "engines warmed");
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn counting(builds: &Arc<AtomicUsize>, key: u64) -> Arc<BuildFn<u64, u64>> {
        let builds = builds.clone();
        Arc::new(move || {
            std::thread::sleep(Duration::from_millis(50));
            let n = builds.fetch_add(1, Ordering::SeqCst) as u64;
            Ok((key, n))
        })
    }

    #[test]
    fn try_get_never_waits_and_starts_one_build() {
        let builds = Arc::new(AtomicUsize::new(0));
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "t",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Background },
        );
        // Page views while the first value builds: none waits, one build runs.
        for _ in 0..5 {
            assert!(slot.try_get(1, counting(&builds, 1)).unwrap().is_none());
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        let value = loop {
            if let Some(v) = slot.try_get(1, counting(&builds, 1)).unwrap() {
                break v;
            }
            assert!(Instant::now() < deadline, "the background build never landed");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(*value, 0);
        assert_eq!(builds.load(Ordering::SeqCst), 1, "one build for five page views");
    }

    #[test]
    fn concurrent_first_requests_build_once() {
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "test",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Foreground },
        );
        let builds = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| slot.get(1, counting(&builds, 1)).unwrap());
            }
        });
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_changed_key_rebuilds_while_others_get_the_old_value() {
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "test",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Foreground },
        );
        let builds = Arc::new(AtomicUsize::new(0));
        assert_eq!(*slot.get(1, counting(&builds, 1)).unwrap(), 0);
        let values: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> =
                (0..4).map(|_| s.spawn(|| *slot.get(2, counting(&builds, 2)).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(builds.load(Ordering::SeqCst), 2, "one rebuild for the new key");
        assert!(values.contains(&1), "the request that rebuilt sees the new value: {values:?}");
        assert!(values.iter().all(|v| *v <= 1));
        assert_eq!(*slot.get(2, counting(&builds, 2)).unwrap(), 1);
    }

    #[test]
    fn background_rebuild_answers_from_the_old_value() {
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "test",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Background },
        );
        let builds = Arc::new(AtomicUsize::new(0));
        assert_eq!(*slot.get(1, counting(&builds, 1)).unwrap(), 0);
        assert_eq!(*slot.get(2, counting(&builds, 2)).unwrap(), 0, "the old model answers at once");
        for _ in 0..100 {
            if *slot.get(2, counting(&builds, 2)).unwrap() == 1 {
                assert_eq!(builds.load(Ordering::SeqCst), 2);
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the background rebuild never landed");
    }

    #[test]
    fn an_old_value_with_the_same_key_is_refreshed_without_waiting() {
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "test",
            Freshness {
                max_age: Duration::from_millis(30),
                min_age: Duration::ZERO,
                rebuild: Rebuild::Foreground,
            },
        );
        let builds = Arc::new(AtomicUsize::new(0));
        assert_eq!(*slot.get(1, counting(&builds, 1)).unwrap(), 0);
        std::thread::sleep(Duration::from_millis(40));
        // The rebuild waits until the test has its answer (or 5 s): a request
        // that waited for it would get the new value, 1.
        let released = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let gate = released.clone();
        let n = builds.clone();
        let build: Arc<BuildFn<u64, u64>> = Arc::new(move || {
            let deadline = Instant::now() + Duration::from_secs(5);
            while !gate.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok((1, n.fetch_add(1, Ordering::SeqCst) as u64))
        });
        assert_eq!(*slot.get(1, build).unwrap(), 0, "the old value answers at once");
        released.store(true, Ordering::SeqCst);
        for _ in 0..100 {
            if slot.current().is_some_and(|v| *v == 1) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the background refresh never landed");
    }

    #[test]
    fn a_request_that_finds_the_first_build_running_is_told_to_retry() {
        let mut slot = Slot::<u64, u64>::new(
            "test",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Foreground },
        );
        Arc::get_mut(&mut slot).unwrap().first_wait = Duration::from_millis(100);
        let released = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let gate = released.clone();
        let slow: Arc<BuildFn<u64, u64>> = Arc::new(move || {
            while !gate.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            Ok((1, 7))
        });
        let builds = Arc::new(AtomicUsize::new(0));
        std::thread::scope(|s| {
            let first = s.spawn(|| slot.get(1, slow.clone()));
            while slot.building.try_lock().is_ok() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let err = slot.get(1, counting(&builds, 1)).unwrap_err();
            assert_eq!(err.code, crate::error::Code::WarmingUp, "{}", err.message);
            released.store(true, Ordering::SeqCst);
            assert_eq!(*first.join().unwrap().unwrap(), 7);
        });
        assert_eq!(builds.load(Ordering::SeqCst), 0, "the waiting request did not build a second value");
        assert_eq!(*slot.get(1, counting(&builds, 1)).unwrap(), 7);
    }

    #[test]
    fn a_forecast_set_nobody_asks_for_is_dropped() {
        let store = store::Store::open_temporary().unwrap();
        let mut engines = Engines::new(store, Clock::fixed(0));
        engines.forecast_idle = Duration::from_secs(2);
        engines.forecasts(forecast::Freq::Week, 8).unwrap();
        engines.forecasts(forecast::Freq::Day, 28).unwrap();
        assert_eq!(lock(&engines.forecasts).len(), 2, "both recently asked for");
        std::thread::sleep(Duration::from_millis(2_100));
        engines.forecasts(forecast::Freq::Day, 28).unwrap();
        let kept: Vec<ForecastKey> = lock(&engines.forecasts).keys().copied().collect();
        assert_eq!(kept, vec![(forecast::Freq::Day, 28)], "the weekly set went idle and was dropped");
    }

    #[test]
    fn invalidate_drops_the_value() {
        let slot: Arc<Slot<u64, u64>> = Slot::new(
            "test",
            Freshness { max_age: Duration::MAX, min_age: Duration::ZERO, rebuild: Rebuild::Foreground },
        );
        let builds = Arc::new(AtomicUsize::new(0));
        slot.get(1, counting(&builds, 1)).unwrap();
        slot.invalidate();
        assert!(slot.current().is_none());
        assert_eq!(*slot.get(1, counting(&builds, 1)).unwrap(), 1);
    }
}
