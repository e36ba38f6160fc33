//! Leases: work that must not run twice at once, whether the other runner is
//! a thread of this process or another node on the same PostgreSQL store
//! (the care outbox's deliveries, a background task).
//!
//! A lease is held until its [`Lease`] is dropped, and is released as well
//! when its holder dies: redb's are in-process (only one process opens a redb
//! file), PostgreSQL's are session advisory locks on a connection of the
//! lease's own, which the server releases when the connection goes.

use std::collections::HashSet;
use std::sync::{Arc, Condvar, Mutex};

use crate::{Redb, Result};

/// A held lease; dropping it releases it.
pub struct Lease {
    _held: Box<dyn Send>,
}

impl Lease {
    pub(crate) fn new(held: impl Send + 'static) -> Lease {
        Lease { _held: Box::new(held) }
    }
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lease")
    }
}

/// Leases: a [`Backend`](crate::Backend)'s part.
pub trait LeaseStore {
    /// Takes the lease `name`, waiting while anyone else holds it.
    fn lease(&self, name: &str) -> Result<Lease>;

    /// Takes the lease `name` if nobody holds it.
    fn try_lease(&self, name: &str) -> Result<Option<Lease>>;
}

/// The leases held in this process.
#[derive(Default)]
pub(crate) struct Leases {
    held: Mutex<HashSet<String>>,
    freed: Condvar,
}

/// Releases its name when dropped.
struct Held {
    leases: Arc<Leases>,
    name: String,
}

impl Drop for Held {
    fn drop(&mut self) {
        self.leases.held.lock().unwrap_or_else(|e| e.into_inner()).remove(&self.name);
        self.leases.freed.notify_all();
    }
}

impl Leases {
    fn take(self: &Arc<Leases>, name: &str, wait: bool) -> Option<Lease> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        while held.contains(name) {
            if !wait {
                return None;
            }
            held = self.freed.wait(held).unwrap_or_else(|e| e.into_inner());
        }
        held.insert(name.to_string());
        Some(Lease::new(Held { leases: Arc::clone(self), name: name.to_string() }))
    }
}

impl LeaseStore for Redb {
    fn lease(&self, name: &str) -> Result<Lease> {
        Ok(self.leases().take(name, true).unwrap_or_else(|| unreachable!("a waiting take always takes")))
    }

    fn try_lease(&self, name: &str) -> Result<Option<Lease>> {
        Ok(self.leases().take(name, false))
    }
}
