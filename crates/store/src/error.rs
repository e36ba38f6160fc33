//! The store's one error type. User-caused failures (an aborted import, a
//! locked store) are kept apart from storage faults so callers can word them.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Boxed error of an item the caller handed to an import; the import stops
/// at the first one and writes nothing.
pub type SourceError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("could not create the data directory {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Another process (often `loupe serve`) has the store open.
    #[error("the store {path} is in use by another loupe process (is `loupe serve` running?)")]
    Locked { path: PathBuf },
    #[error("could not open the store {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: Box<redb::DatabaseError>,
    },
    /// Replacing the store's file with a rewritten copy failed; the store
    /// is as it was.
    #[error("could not rewrite the store into {path}")]
    Rewrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The input handed to an import failed; nothing was written.
    #[error("{0}")]
    Aborted(#[source] SourceError),
    /// A value that cannot be stored (an empty key, for instance).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A stored record no longer decodes: a bug or a damaged file.
    #[error("corrupt record in table {table}")]
    Corrupt {
        table: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("storage error")]
    Storage(#[source] Box<redb::Error>),
    /// The PostgreSQL server could not be reached or refused us.
    #[error("could not connect to {server}")]
    Connect {
        server: String,
        #[source]
        source: Box<postgres::Error>,
    },
    /// The database's schema is not the one this build knows.
    #[error("{0}")]
    Schema(String),
    #[error("database error")]
    Postgres(#[source] Box<postgres::Error>),
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        Error::Postgres(Box::new(e))
    }
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Error {
                Error::Storage(Box::new(redb::Error::from(e)))
            }
        }
    )*};
}

from_redb!(redb::Error, redb::StorageError, redb::TableError, redb::TransactionError, redb::CommitError);

impl Error {
    /// True when the error came from the caller's input rather than the store.
    pub fn is_input(&self) -> bool {
        matches!(self, Error::Aborted(_) | Error::Invalid(_) | Error::Schema(_))
    }
}
