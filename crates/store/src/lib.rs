//! Loupe's store: the catalog, order lines, inventory snapshots, storefront
//! events, API keys, background-task records, small engine documents and the
//! audit and decision logs.
//!
//! [`Store`] is a handle over a [`Backend`], the store's contract, which has
//! two implementations:
//! - [`Redb`], the default: one crash-safe redb file under the data
//!   directory, nothing to install;
//! - [`Postgres`](pg::Postgres), a PostgreSQL database that several Loupe
//!   nodes share (see `pg`).
//!
//! This is the only crate that knows redb or PostgreSQL. Everything goes in
//! and comes out as `model` values (or JSON strings for documents the store
//! does not interpret). Every import is one write transaction: it lands whole
//! or not at all, so a killed process or a failed parse leaves the previous
//! state intact. The rules an import follows (matching by handle and SKU,
//! keeping what a file cannot vouch for) are written once, over each
//! backend's primitive operations, so that both backends keep the same
//! promises; `tests/it` runs one conformance suite against both.
//!
//! In redb, records are JSON (serde_json) by stable keys; secondary indexes
//! (handle, SKU, event time) are separate tables kept in step inside the same
//! transaction. See `ARCHITECTURE.md` for the table layout.

mod admin;
mod catalog;
mod decisions;
mod erasure;
mod error;
mod events;
mod keep;
mod keys;
mod lease;
mod orders;
mod outbox;
pub mod pg;
mod scan;
mod tables;
pub mod testing;
mod tickets;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use redb::{Database, WriteTransaction};

pub use admin::{AuditEntry, DocStore};
pub use catalog::{CatalogStore, ImportConfig, ImportOutcome, MAX_OUTCOME_ISSUES, MAX_REMOVED_LISTED};
pub use decisions::{verify_entries, Checkpoint, Decision, DecisionStore, NewDecision, Verified, GENESIS};
pub use error::{Error, Result, SourceError};
pub use events::{AppendOutcome, EventStore, ForgetOutcome, VisitEvent};
pub use keys::{KeyInfo, KeyStore, NewKey, Role, Scope};
pub use lease::{Lease, LeaseStore};
pub use orders::{OrderStore, OrdersOutcome};
pub use outbox::{EnqueueOutcome, OutboxStore};
pub use scan::Scan;
pub use tickets::{TicketStore, TicketsOutcome};

/// Everything a store does: the union of the area traits, each defined (with
/// the redb implementation) in its module and implemented for PostgreSQL in
/// `pg`. Callers use it through [`Store`].
pub trait Backend:
    StoreInfo
    + CatalogStore
    + OrderStore
    + EventStore
    + DocStore
    + KeyStore
    + OutboxStore
    + DecisionStore
    + TicketStore
    + LeaseStore
    + Send
    + Sync
{
}

impl<T> Backend for T where
    T: StoreInfo
        + CatalogStore
        + OrderStore
        + EventStore
        + DocStore
        + KeyStore
        + OutboxStore
        + DecisionStore
        + TicketStore
        + LeaseStore
        + Send
        + Sync
{
}

/// What a backend is and where it keeps its data.
pub trait StoreInfo {
    /// The data directory the store belongs to: the embedded store's own,
    /// or the one a PostgreSQL node was given for its uploads and generated
    /// files; `None` for a store in memory or a node without one.
    fn dir(&self) -> Option<&Path>;

    /// For people: the file or the server (without its password).
    fn describe(&self) -> String;
}

/// A handle to the store, whichever backend holds it. Cheap to clone; share
/// it between threads freely. Its methods are the [`Backend`]'s (through
/// `Deref`) and, on top of them, the generic conveniences defined once for
/// both backends (imports from any iterator, event scans, the decision log's
/// verification).
#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &(dyn Backend + 'static) {
        &*self.backend
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend.describe()).finish()
    }
}

impl Store {
    /// Opens (or creates) the embedded store in `dir`, creating the directory
    /// if needed. After an unclean shutdown redb repairs the file here; the
    /// last committed transaction is what you get back.
    pub fn open(dir: &Path) -> Result<Store> {
        Ok(Store::from_backend(Redb::open(dir)?))
    }

    /// [`Store::open`] with explicit tuning.
    pub fn open_with(dir: &Path, options: &Options) -> Result<Store> {
        Ok(Store::from_backend(Redb::open_with(dir, options)?))
    }

    /// An embedded store that lives in memory only, for tests and benchmarks.
    pub fn open_temporary() -> Result<Store> {
        Ok(Store::from_backend(Redb::open_temporary()?))
    }

    /// Connects to a PostgreSQL store (`postgres://user@host/db`) whose
    /// schema `loupe migrate` made; see [`pg::Postgres::connect`].
    pub fn connect(url: &str) -> Result<Store> {
        Ok(Store::from_backend(pg::Postgres::connect(url)?))
    }

    pub fn from_backend(backend: impl Backend + 'static) -> Store {
        Store { backend: Arc::new(backend) }
    }
}

/// File name of the store inside the data directory.
pub const FILE_NAME: &str = "loupe.redb";

/// Tuning for [`Store::open_with`] (the embedded store).
#[derive(Clone, Debug)]
pub struct Options {
    /// redb's page cache (nine tenths for reads, one tenth buffers writes).
    /// It bounds the store's memory: without it a large import would keep
    /// every page it touched (redb's default is 1 GiB).
    pub cache_bytes: usize,
}

/// 64 MiB; the binary reads `LOUPE_STORE_CACHE_MIB` and passes its own.
impl Default for Options {
    fn default() -> Options {
        Options { cache_bytes: 64 << 20 }
    }
}

/// The redb store: one file in the data directory. Cheap to clone (an `Arc`
/// inside); share it between threads freely. redb serialises writers and
/// lets readers run beside them.
///
/// The database sits behind a lock because forgetting a customer replaces the
/// file (see `forget_customer`): every clone then uses the new one. The lock
/// is held only to clone the `Arc`, never across a transaction.
#[derive(Clone)]
pub struct Redb {
    inner: Arc<Inner>,
}

struct Inner {
    db: RwLock<Arc<Database>>,
    leases: Arc<lease::Leases>,
    /// The file, `None` for the in-memory store.
    path: Option<PathBuf>,
    cache_bytes: usize,
}

impl std::fmt::Debug for Redb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redb").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

impl StoreInfo for Redb {
    fn dir(&self) -> Option<&Path> {
        self.inner.path.as_deref().and_then(Path::parent)
    }

    fn describe(&self) -> String {
        match &self.inner.path {
            Some(path) => path.display().to_string(),
            None => "(memory)".into(),
        }
    }
}

impl Redb {
    /// Opens (or creates) the store in `dir`, creating the directory if needed.
    /// After an unclean shutdown redb repairs the file here; the last committed
    /// transaction is what you get back.
    pub fn open(dir: &Path) -> Result<Redb> {
        Redb::open_with(dir, &Options::default())
    }

    /// [`Store::open`] with explicit tuning.
    pub fn open_with(dir: &Path, options: &Options) -> Result<Redb> {
        std::fs::create_dir_all(dir)
            .map_err(|source| Error::CreateDir { path: dir.to_path_buf(), source })?;
        let path = dir.join(FILE_NAME);
        let db = open_file(&path, options.cache_bytes)?;
        // A rewrite that a killed process left unfinished: the file it was
        // replacing (now ours, locked) is still the store.
        let _ = std::fs::remove_file(rewrite_path(&path));
        Redb::init(db, Some(path), options.cache_bytes)
    }

    /// A store that lives in memory only, for tests and benchmarks.
    pub fn open_temporary() -> Result<Redb> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|source| Error::Open { path: "(memory)".into(), source: Box::new(source) })?;
        Redb::init(db, None, 0)
    }

    /// Creates every table once so that readers never meet a missing table.
    fn init(db: Database, path: Option<PathBuf>, cache_bytes: usize) -> Result<Redb> {
        let txn = db.begin_write()?;
        tables::create_all(&txn)?;
        txn.commit()?;
        Ok(Redb {
            inner: Arc::new(Inner {
                db: RwLock::new(Arc::new(db)),
                leases: Arc::default(),
                path,
                cache_bytes,
            }),
        })
    }

    pub(crate) fn leases(&self) -> &Arc<lease::Leases> {
        &self.inner.leases
    }

    /// The current database, for a read transaction. Writes go through
    /// [`Redb::begin_write`].
    pub(crate) fn db(&self) -> Arc<Database> {
        // A poisoned lock still holds a usable `Arc`: the swap cannot panic
        // half-way.
        self.inner.db.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A write transaction on the current file. A writer that waited while
    /// [`Redb::commit_rewritten`] replaced the file would otherwise commit
    /// into the old one, which nothing reads any more: it starts again on the
    /// new one instead.
    pub(crate) fn begin_write(&self) -> Result<WriteTransaction> {
        loop {
            let db = self.db();
            let txn = db.begin_write()?;
            if Arc::ptr_eq(&db, &self.db()) {
                return Ok(txn);
            }
        }
    }

    /// Commits `txn` by writing every table, as `txn` sees them, into a fresh
    /// file that then replaces the store's (an atomic rename). redb frees the
    /// pages of deleted records but does not wipe them, and compaction moves
    /// pages without clearing what it leaves behind, so this is the one way to
    /// have deleted data gone from the file. It takes time and disk space in
    /// proportion to the store, and other writers wait meanwhile (readers
    /// carry on with the old file). If anything fails, `txn` is dropped and
    /// nothing changed; a crash before the rename leaves the old file, which
    /// never saw `txn`. The in-memory store just commits.
    pub(crate) fn commit_rewritten(&self, txn: WriteTransaction) -> Result<()> {
        let Some(path) = self.inner.path.as_deref() else {
            txn.commit()?;
            return Ok(());
        };
        let fresh = rewrite_path(path);
        let io = |source| Error::Rewrite { path: fresh.clone(), source };
        let _ = std::fs::remove_file(&fresh);
        {
            let db = open_file(&fresh, self.inner.cache_bytes)?;
            let to = db.begin_write()?;
            tables::copy_all(&txn, &to)?;
            to.commit()?;
        }
        std::fs::rename(&fresh, path).map_err(io)?;
        // From here the new file is the store whatever happens; syncing the
        // directory makes the rename itself survive a power cut.
        if let Some(dir) = path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        let db = open_file(path, self.inner.cache_bytes)?;
        let old =
            std::mem::replace(&mut *self.inner.db.write().unwrap_or_else(|e| e.into_inner()), Arc::new(db));
        // Dropping `txn` aborts it on the old file, now unlinked. It must go
        // first: closing a redb database starts a write transaction of its
        // own. The old file's pages go when its last reader finishes.
        drop(txn);
        drop(old);
        Ok(())
    }
}

fn open_file(path: &Path, cache_bytes: usize) -> Result<Database> {
    Database::builder().set_cache_size(cache_bytes).create(path).map_err(|source| match source {
        redb::DatabaseError::DatabaseAlreadyOpen => Error::Locked { path: path.to_path_buf() },
        source => Error::Open { path: path.to_path_buf(), source: Box::new(source) },
    })
}

fn rewrite_path(path: &Path) -> PathBuf {
    path.with_extension("redb.rewrite")
}
