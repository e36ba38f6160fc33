//! The change feed: every node keeps the small values that each request
//! reads (the catalog version, engines' counters, whether keys exist, row
//! counts) in memory, and drops them whenever any node commits a write.
//!
//! A write transaction sends `NOTIFY loupe_changes` (delivered only if it
//! commits); a listener thread of each node, on a connection of its own,
//! bumps the cache's epoch and empties it on every notification. The node
//! that wrote empties its own cache as soon as it committed, so that it reads
//! its own writes at once. A read stores what it read only if the epoch did
//! not move while it read, so a value read before a commit is never kept
//! after that commit's notification. While the listener is not connected,
//! nothing is cached and every read goes to the database.
//!
//! Event appends do not notify (there are many, and they change none of
//! these values but the event count, which is not cached).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;
use postgres::NoTls;

/// The channel writes notify on.
pub(super) const CHANNEL: &str = "loupe_changes";

#[derive(Default)]
pub(super) struct Cache {
    epoch: AtomicU64,
    live: AtomicBool,
    values: Mutex<HashMap<String, i64>>,
}

impl Cache {
    /// The cached value of `key`, else `read`'s (kept when nothing changed
    /// meanwhile).
    pub(super) fn get(&self, key: &str, read: impl FnOnce() -> crate::Result<i64>) -> crate::Result<i64> {
        if !self.live.load(Ordering::Acquire) {
            return read();
        }
        if let Some(&v) = self.lock().get(key) {
            return Ok(v);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let value = read()?;
        let mut values = self.lock();
        if self.epoch.load(Ordering::Acquire) == epoch && self.live.load(Ordering::Acquire) {
            values.insert(key.to_string(), value);
        }
        Ok(value)
    }

    /// Something changed: forget every value.
    pub(super) fn changed(&self) {
        let mut values = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        values.clear();
    }

    fn set_live(&self, live: bool) {
        let mut values = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        values.clear();
        self.live.store(live, Ordering::Release);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.values.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Starts the listener of `cache` on its own thread; it ends once the
/// store (the cache's last strong owner) is gone.
pub(super) fn listen(config: postgres::Config, cache: &Arc<Cache>) {
    let cache = Arc::downgrade(cache);
    let spawned =
        std::thread::Builder::new().name("loupe-changes".into()).spawn(move || run(&config, &cache));
    if let Err(e) = spawned {
        tracing_free_warn(&format!(
            "the change listener did not start ({e}); every read goes to the database"
        ));
    }
}

fn run(config: &postgres::Config, cache: &Weak<Cache>) {
    loop {
        let Some(strong) = cache.upgrade() else { return };
        match config.connect(NoTls) {
            Ok(mut client) => {
                if client.batch_execute(&format!("LISTEN {CHANNEL}")).is_ok() {
                    strong.set_live(true);
                    drop(strong);
                    // Until the connection fails or the store goes.
                    loop {
                        let failed = {
                            let mut notes = client.notifications();
                            let mut iter = notes.timeout_iter(Duration::from_secs(1));
                            loop {
                                match iter.next() {
                                    Ok(Some(_)) => match cache.upgrade() {
                                        Some(c) => c.changed(),
                                        None => return,
                                    },
                                    Ok(None) => break false,
                                    Err(_) => break true,
                                }
                            }
                        };
                        if failed || client.is_closed() {
                            break;
                        }
                        if cache.upgrade().is_none() {
                            return;
                        }
                    }
                    match cache.upgrade() {
                        Some(c) => c.set_live(false),
                        None => return,
                    }
                } else {
                    strong.set_live(false);
                }
            }
            Err(_) => strong.set_live(false),
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// The store crate has no logger; a listener that cannot start only costs
/// speed, so it is said on stderr once.
fn tracing_free_warn(message: &str) {
    eprintln!("warning: {message}");
}
