//! The PostgreSQL backend: one database that several Loupe nodes share.
//!
//! Each table of the embedded store is a SQL table here (see
//! `migrations/0001_initial.sql`): records as `jsonb` beside the columns they
//! are looked up by, events partitioned by month. The rules an import
//! follows are the embedded store's own code (`catalog::import`,
//! `orders::import_lines`, `tickets::import`) run over this backend's
//! primitives, so both keep the same promises.
//!
//! Writers are serialised as redb serialises them: every write transaction
//! first takes one transaction-scoped advisory lock, so an import on one node
//! and a reorder on another never interleave, and each sees all that
//! committed before it. Event appends take that lock shared (they only add
//! rows, deduplicated by a unique id), so storefronts on several nodes write
//! events side by side; forgetting a customer takes it exclusively and so
//! waits for appends in flight. A transaction commits durably (PostgreSQL's
//! default `synchronous_commit`) before a call returns.
//!
//! The client is the synchronous `postgres` crate (on top of
//! `tokio-postgres`): the store's API is synchronous and called from
//! blocking threads, as redb is. Connections come from a small pool.

mod admin;
mod catalog;
mod changes;
mod events;

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use postgres::{Client, IsolationLevel, NoTls, Row, Transaction};

use crate::tables::decode;
use crate::{Error, Lease, LeaseStore, Result, StoreInfo};

/// The migrations, in order: (version, SQL). A database at version `n` has
/// run the first `n`.
pub const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../migrations/0001_initial.sql")),
    (2, include_str!("../../migrations/0002_events_json.sql")),
];

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: i32 = 2;

/// Advisory lock keys (`pg_advisory_xact_lock`), "Loupe" and a number.
const WRITE_LOCK: i64 = 0x4c6f_7570_6501;
const MIGRATE_LOCK: i64 = 0x4c6f_7570_6502;
const PARTITION_LOCK: i64 = 0x4c6f_7570_6503;

/// Connections a node opens at most; more callers wait for one.
const MAX_CONNECTIONS: usize = 16;

/// A Loupe store in a PostgreSQL database.
pub struct Postgres {
    pool: Pool,
    server: String,
    /// Months (as `year * 12 + month0`) whose event partition this process
    /// knows exists.
    partitions: Mutex<HashSet<i64>>,
    /// Values every request reads, dropped on any node's write (`changes`).
    cache: Arc<changes::Cache>,
    /// This node's data directory, if it has one (see [`Postgres::with_dir`]).
    dir: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Postgres").field("server", &self.server).finish_non_exhaustive()
    }
}

/// What [`Postgres::migrate`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Migrated {
    /// The schema version before (`None`: the database had no Loupe schema).
    pub from: Option<i32>,
    pub to: i32,
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`
    /// or `host=... dbname=...`) and checks that its schema is the one this
    /// build knows: a database `loupe migrate` has not made, or one a newer
    /// Loupe migrated, is refused with what to do.
    pub fn connect(url: &str) -> Result<Postgres> {
        let pg = Postgres::open(url)?;
        match pg.schema_version()? {
            Some(SCHEMA_VERSION) => {
                changes::listen(pg.pool.config.clone(), &pg.cache);
                Ok(pg)
            }
            Some(v) if v > SCHEMA_VERSION => Err(Error::Schema(format!(
                "the database {} has Loupe schema version {v}, newer than this loupe knows ({SCHEMA_VERSION}): upgrade loupe",
                pg.server
            ))),
            Some(v) => Err(Error::Schema(format!(
                "the database {} has Loupe schema version {v}; this loupe needs {SCHEMA_VERSION}: run `loupe migrate --store URL`",
                pg.server
            ))),
            None => Err(Error::Schema(format!(
                "the database {} has no Loupe schema: run `loupe migrate --store URL` first",
                pg.server
            ))),
        }
    }

    /// Creates or upgrades the schema of the database at `url` to
    /// [`SCHEMA_VERSION`], one migration per transaction, and makes the
    /// store's erasure secret. Safe to run from several nodes at once (they
    /// take turns) and to run again (it does nothing).
    pub fn migrate(url: &str) -> Result<Migrated> {
        blocking(|| Postgres::migrate_now(url))
    }

    fn migrate_now(url: &str) -> Result<Migrated> {
        let pg = Postgres::open(url)?;
        let mut conn = pg.pool.get()?;
        conn.batch_execute(
            "CREATE TABLE IF NOT EXISTS loupe_schema (\
                 version integer PRIMARY KEY, \
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )?;
        let mut tx = conn.transaction()?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATE_LOCK])?;
        let from: Option<i32> = tx.query_one("SELECT max(version) FROM loupe_schema", &[])?.get(0);
        if from.is_some_and(|v| v > SCHEMA_VERSION) {
            return Err(Error::Schema(format!(
                "the database {} has Loupe schema version {}, newer than this loupe knows ({SCHEMA_VERSION}): upgrade loupe",
                pg.server,
                from.unwrap_or_default()
            )));
        }
        for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| Some(*v) > from) {
            tx.batch_execute(sql)?;
            tx.execute("INSERT INTO loupe_schema (version) VALUES ($1)", &[version])?;
        }
        let secret = crate::admin::fresh_secret()?;
        tx.execute(
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&crate::erasure::ERASURE_SECRET, &secret],
        )?;
        tx.commit()?;
        Ok(Migrated { from, to: SCHEMA_VERSION })
    }

    /// Names this node's data directory (its uploads, the demo's generated
    /// files), so that forgetting a customer scrubs the files there too.
    pub fn with_dir(mut self, dir: &Path) -> Postgres {
        self.dir = Some(dir.to_path_buf());
        self
    }

    /// The database's Loupe schema version; `None` before `migrate`.
    pub fn schema_version(&self) -> Result<Option<i32>> {
        self.read(|conn| {
            let exists: bool = conn.query_one("SELECT to_regclass('loupe_schema') IS NOT NULL", &[])?.get(0);
            if !exists {
                return Ok(None);
            }
            Ok(conn.query_one("SELECT max(version) FROM loupe_schema", &[])?.get(0))
        })
    }

    fn open(url: &str) -> Result<Postgres> {
        let config: postgres::Config =
            url.parse().map_err(|e| Error::Invalid(format!("not a PostgreSQL connection string: {e}")))?;
        let server = describe(&config);
        let pool = Pool {
            config,
            server: server.clone(),
            state: Mutex::new(PoolState::default()),
            freed: Condvar::new(),
        };
        // Connect once now, so that a wrong address or password is said at
        // start-up rather than at the first request.
        blocking(|| pool.get().map(drop))?;
        Ok(Postgres {
            pool,
            server,
            partitions: Mutex::new(HashSet::new()),
            cache: Arc::default(),
            dir: None,
        })
    }

    /// Runs `f` in a write transaction that holds the store's write lock,
    /// and commits it. An error from `f` rolls everything back.
    /// Other nodes hear of it through the change feed (`changes`).
    pub(crate) fn write<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        let out = self.write_locked("SELECT pg_advisory_xact_lock($1), pg_notify('loupe_changes', '')", f)?;
        self.cache.changed();
        Ok(out)
    }

    /// A value every request reads (a counter, a count), from the change
    /// feed's cache when it is there.
    pub(crate) fn cached(&self, key: &str, read: impl FnOnce(&mut Client) -> Result<i64>) -> Result<i64> {
        self.cache.get(key, || self.read(read))
    }

    /// [`Postgres::write`] with the lock shared: for writes that only add
    /// rows another such write cannot conflict with (event appends).
    pub(crate) fn write_shared<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        self.write_locked("SELECT pg_advisory_xact_lock_shared($1)", f)
    }

    fn write_locked<T>(&self, lock: &str, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        blocking(|| {
            let mut conn = self.pool.get()?;
            let mut tx = conn.transaction()?;
            tx.execute(lock, &[&WRITE_LOCK])?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }

    /// Runs `f` with a connection, for reads of one statement.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Client) -> Result<T>) -> Result<T> {
        blocking(|| {
            let mut conn = self.pool.get()?;
            f(&mut conn)
        })
    }

    /// The record (JSON in the first column) of `table` that `sql` selects, if any.
    pub(crate) fn record<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Option<T>> {
        self.read(|c| c.query_opt(sql, params)?.map(|r| body(table, &r, 0)).transpose())
    }

    /// The records (JSON in the first column) of `table` that `sql` selects, in its order.
    pub(crate) fn records<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<T>> {
        self.read(|c| c.query(sql, params)?.iter().map(|r| body(table, r, 0)).collect())
    }

    /// Runs `f` in a read-only snapshot: its statements agree with each other.
    pub(crate) fn snapshot<T>(&self, f: impl FnOnce(&mut Transaction<'_>) -> Result<T>) -> Result<T> {
        blocking(|| {
            let mut conn = self.pool.get()?;
            let mut tx = conn
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let out = f(&mut tx)?;
            tx.commit()?;
            Ok(out)
        })
    }
}

impl Postgres {
    /// Calls `f` with the records of `sql` a page at a time, until `f`
    /// returns `false`. `sql` selects (key, JSON text) with the key after
    /// `$1`, ordered by the key, at most `$2` rows; each page is one
    /// statement, so a long read holds no snapshot open.
    pub(crate) fn visit_pages<T: serde::de::DeserializeOwned>(
        &self,
        table: &'static str,
        sql: &str,
        f: &mut dyn FnMut(T) -> bool,
    ) -> Result<()> {
        const PAGE: i64 = 1000;
        let mut after = i64::MIN;
        loop {
            let rows = self.read(|c| Ok(c.query(sql, &[&after, &PAGE])?))?;
            let full = rows.len() as i64 == PAGE;
            for row in rows {
                after = row.try_get(0)?;
                if !f(body(table, &row, 1)?) {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// Runs `f`, which waits on the database, where waiting is allowed. The
/// `postgres` client drives its connection with a runtime of its own, which
/// cannot start on a thread that is running a Tokio runtime's tasks (the HTTP
/// server calls the store from some of them, as it may with redb): there the
/// thread is first handed over to blocking work (`block_in_place`), and the
/// runtime moves its other tasks elsewhere. A current-thread runtime cannot
/// do that; call the store from `spawn_blocking` there.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) if handle.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

impl StoreInfo for Postgres {
    fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn describe(&self) -> String {
        self.server.clone()
    }
}

/// `url` for people: the server and database, without the password (or
/// the text as given, when it does not parse).
pub fn display_url(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(config) => describe(&config),
        Err(_) => "(an unreadable PostgreSQL address)".into(),
    }
}

/// The server and database of `config`, without the password.
fn describe(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("postgres://{user}{host}:{port}/{db}")
}

/// A JSON column read as text (`body::text`), decoded.
pub(crate) fn body<T: serde::de::DeserializeOwned>(table: &'static str, row: &Row, idx: usize) -> Result<T> {
    let text: &str = row.try_get(idx)?;
    decode(table, text.as_bytes())
}

/// A record as JSON text, for a `$n::text::jsonb` parameter.
pub(crate) fn json<T: serde::Serialize>(value: &T) -> String {
    // Model types serialise infallibly (no maps with non-string keys).
    serde_json::to_string(value).unwrap_or_default()
}

/// A `u64` in a `bigint` column. Ids and counters stay far below `i64::MAX`.
pub(crate) fn big(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A `bigint` column read as `u64`.
pub(crate) fn unbig(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[derive(Default)]
struct PoolState {
    idle: Vec<Client>,
    open: usize,
}

/// Connections to one server, at most [`MAX_CONNECTIONS`].
struct Pool {
    config: postgres::Config,
    server: String,
    state: Mutex<PoolState>,
    freed: Condvar,
}

impl Pool {
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self) -> Result<Conn<'_>> {
        let mut state = self.lock();
        loop {
            if let Some(client) = state.idle.pop() {
                if client.is_closed() {
                    state.open -= 1;
                    continue;
                }
                return Ok(Conn { pool: self, client: Some(client) });
            }
            if state.open < MAX_CONNECTIONS {
                state.open += 1;
                drop(state);
                return match self.config.connect(NoTls) {
                    Ok(client) => Ok(Conn { pool: self, client: Some(client) }),
                    Err(source) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(Error::Connect { server: self.server.clone(), source: Box::new(source) })
                    }
                };
            }
            state = self.freed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// A pooled connection; back to the pool when dropped (closed ones are not).
struct Conn<'p> {
    pool: &'p Pool,
    client: Option<Client>,
}

impl std::ops::Deref for Conn<'_> {
    type Target = Client;

    fn deref(&self) -> &Client {
        self.client.as_ref().expect("a connection until dropped")
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("a connection until dropped")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        let Some(client) = self.client.take() else { return };
        let mut state = self.pool.lock();
        if client.is_closed() {
            state.open -= 1;
        } else {
            state.idle.push(client);
        }
        drop(state);
        self.pool.freed.notify_one();
    }
}

/// A lease's own connection, holding a session advisory lock; the server
/// releases the lock when the connection closes, also when the node dies.
struct LeaseConn(Option<Client>);

impl Drop for LeaseConn {
    fn drop(&mut self) {
        // Closing the connection waits on the client's runtime.
        if let Some(client) = self.0.take() {
            blocking(|| drop(client));
        }
    }
}

/// The advisory-lock key of the lease `name` (FNV-1a).
fn lease_key(name: &str) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in "loupe lease ".bytes().chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

impl Postgres {
    fn take_lease(&self, name: &str, wait: bool) -> Result<Option<Lease>> {
        blocking(|| {
            let mut client = self
                .pool
                .config
                .connect(NoTls)
                .map_err(|source| Error::Connect { server: self.server.clone(), source: Box::new(source) })?;
            let key = lease_key(name);
            let taken = if wait {
                client.execute("SELECT pg_advisory_lock($1)", &[&key])?;
                true
            } else {
                client.query_one("SELECT pg_try_advisory_lock($1)", &[&key])?.try_get(0)?
            };
            Ok(taken.then(|| Lease::new(LeaseConn(Some(client)))))
        })
    }
}

impl LeaseStore for Postgres {
    fn lease(&self, name: &str) -> Result<Lease> {
        self.take_lease(name, true)?.ok_or_else(|| Error::Invalid(format!("the lease {name} was not taken")))
    }

    fn try_lease(&self, name: &str) -> Result<Option<Lease>> {
        self.take_lease(name, false)
    }
}
