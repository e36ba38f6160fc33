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
mod error;
mod events;
mod keep;
mod orders;
mod scan;
mod tables;

use std::path::Path;
use std::sync::Arc;

use redb::Database;

pub use admin::{AuditEntry, KeyInfo, Role};
pub use catalog::{ImportConfig, ImportOutcome, MAX_OUTCOME_ISSUES, MAX_REMOVED_LISTED};
pub use error::{Error, Result};
pub use events::{AppendOutcome, ForgetOutcome};
pub use orders::OrdersOutcome;
pub use scan::Scan;

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
#[derive(Clone)]
pub struct Store {
    db: Arc<Database>,
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
        let db = Database::builder().set_cache_size(options.cache_bytes).create(&path).map_err(|source| {
            match source {
                redb::DatabaseError::DatabaseAlreadyOpen => Error::Locked { path: path.clone() },
                source => Error::Open { path: path.clone(), source: Box::new(source) },
            }
        })?;
        Store::init(db)
    }

    /// A store that lives in memory only, for tests and benchmarks.
    pub fn open_temporary() -> Result<Store> {
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|source| Error::Open { path: "(memory)".into(), source: Box::new(source) })?;
        Store::init(db)
    }

    /// Creates every table once so that readers never meet a missing table.
    fn init(db: Database) -> Result<Store> {
        let txn = db.begin_write()?;
        tables::create_all(&txn)?;
        txn.commit()?;
        Ok(Store { db: Arc::new(db) })
    }

    /// Bumped on every change to the catalog (imports, order-only products);
    /// engines use it as a cache key for indexes built from `products()`.
    pub fn catalog_version(&self) -> Result<u64> {
        let txn = self.db.begin_read()?;
        let meta = txn.open_table(tables::META)?;
        Ok(meta.get(tables::CATALOG_VERSION)?.map(|v| v.value()).unwrap_or(0))
    }

    pub(crate) fn db(&self) -> &Database {
        &self.db
    }
}
