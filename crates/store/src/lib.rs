//! Loupe's crash-safe embedded store: one redb file under the data directory
//! holding the catalog, order lines, inventory snapshots, storefront events,
//! API keys, background-task records, small engine documents and the audit log.
//!
//! This is the only crate that knows redb. Everything goes in and comes out as
//! `model` values (or JSON strings for documents the store does not interpret).
//! Every import is one write transaction: it lands whole or not at all, so a
//! killed process or a failed parse leaves the previous state intact.
//!
//! Records are JSON (serde_json) by stable keys; secondary indexes (handle,
//! SKU, event time) are separate tables kept in step inside the same
//! transaction. See `ARCHITECTURE.md` for the table layout.

mod admin;
mod catalog;
mod decisions;
mod erasure;
mod error;
mod events;
mod keep;
mod keys;
mod orders;
mod outbox;
mod scan;
mod tables;
mod tickets;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use redb::{Database, WriteTransaction};

pub use admin::AuditEntry;
pub use catalog::{ImportConfig, ImportOutcome, MAX_OUTCOME_ISSUES, MAX_REMOVED_LISTED};
pub use decisions::{verify_entries, Checkpoint, Decision, NewDecision, Verified, GENESIS};
pub use error::{Error, Result};
pub use events::{AppendOutcome, ForgetOutcome};
pub use keys::{KeyInfo, NewKey, Role, Scope};
pub use orders::OrdersOutcome;
pub use outbox::EnqueueOutcome;
pub use scan::Scan;
pub use tickets::TicketsOutcome;

/// File name of the store inside the data directory.
pub const FILE_NAME: &str = "loupe.redb";

/// Tuning for [`Store::open_with`].
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

/// A handle to the store. Cheap to clone (an `Arc` inside); share it between
/// threads freely. redb serialises writers and lets readers run beside them.
///
/// The database sits behind a lock because forgetting a customer replaces the
/// file (see [`Store::forget_customer`]): every clone then uses the new one.
/// The lock is held only to clone the `Arc`, never across a transaction.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    db: RwLock<Arc<Database>>,
    /// The file, `None` for the in-memory store.
    path: Option<PathBuf>,
    cache_bytes: usize,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (or creates) the store in `dir`, creating the directory if needed.
    /// After an unclean shutdown redb repairs the file here; the last committed
    /// transaction is what you get back.
    pub fn open(dir: &Path) -> Result<Store> {
        Store::open_with(dir, &Options::default())
    }

    /// [`Store::open`] with explicit tuning.
    pub fn open_with(dir: &Path, options: &Options) -> Result<Store> {
        std::fs::create_dir_all(dir)
            .map_err(|source| Error::CreateDir { path: dir.to_path_buf(), source })?;
        let path = dir.join(FILE_NAME);
        let db = open_file(&path, options.cache_bytes)?;
        // A rewrite that a killed process left unfinished: the file it was
        // replacing (now ours, locked) is still the store.
        let _ = std::fs::remove_file(rewrite_path(&path));
        Store::init(db, Some(path), options.cache_bytes)
    }

    /// A store that lives in memory only, for tests and benchmarks.
    pub fn open_temporary() -> Result<Store> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|source| Error::Open { path: "(memory)".into(), source: Box::new(source) })?;
        Store::init(db, None, 0)
    }

    /// Creates every table once so that readers never meet a missing table.
    fn init(db: Database, path: Option<PathBuf>, cache_bytes: usize) -> Result<Store> {
        let txn = db.begin_write()?;
        tables::create_all(&txn)?;
        txn.commit()?;
        Ok(Store { inner: Arc::new(Inner { db: RwLock::new(Arc::new(db)), path, cache_bytes }) })
    }

    /// The directory the store's file is in; `None` for the in-memory store.
    pub fn dir(&self) -> Option<&Path> {
        self.inner.path.as_deref().and_then(Path::parent)
    }

    /// Bumped on every change to the catalog (imports, order-only products);
    /// engines use it as a cache key for indexes built from `products()`.
    pub fn catalog_version(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        let meta = txn.open_table(tables::META)?;
        Ok(meta.get(tables::CATALOG_VERSION)?.map(|v| v.value()).unwrap_or(0))
    }

    /// The current database, for a read transaction. Writes go through
    /// [`Store::begin_write`].
    pub(crate) fn db(&self) -> Arc<Database> {
        // A poisoned lock still holds a usable `Arc`: the swap cannot panic
        // half-way.
        self.inner.db.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A write transaction on the current file. A writer that waited while
    /// [`Store::commit_rewritten`] replaced the file would otherwise commit
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
