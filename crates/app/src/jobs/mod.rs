//! Import pipelines and other long work, shared by the CLI and the HTTP API's
//! background tasks: open the file, detect its format, stream it through the
//! `catalog` readers and write it through the `store` in one transaction.
//!
//! Jobs report progress through a callback and return a wire report
//! ([`crate::wire::import::ImportReport`]) that the CLI prints and a task keeps.

pub mod consent;
pub mod events;
mod import;
pub mod recs;
mod search;
pub mod tickets;

pub use consent::import_consent_from;
pub use events::{import_events, import_events_from};
pub use import::{
    check_catalog_header, check_inventory_header, check_orders_header, import_catalog, import_catalog_from,
    import_inventory, import_inventory_from, import_orders, import_orders_from, CatalogImportOptions,
    ImportKind, InventoryImportOptions, OrdersImportOptions, Progress,
};
pub use search::{build_search_index, load_rules, RULES_COLLECTION};
pub use tickets::{import_kb_from, import_tickets_from};

/// Why a job failed. [`Error::is_input`] tells a problem with what the user
/// gave (a file, a mapping: HTTP 4xx, fix and retry) from a fault of ours.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{file}: {source}")]
    Open {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file, the format or the mapping is wrong; `message` says where.
    #[error("{file}: {message}")]
    Input { file: String, message: String },
    /// Every row was rejected, or there were none.
    #[error("{file}: nothing could be imported: {reason}")]
    NothingImported { file: String, reason: String },
    #[error("{file}: {source}")]
    Store {
        file: String,
        #[source]
        source: store::Error,
    },
}

impl Error {
    pub fn is_input(&self) -> bool {
        match self {
            Error::Open { .. } | Error::Input { .. } | Error::NothingImported { .. } => true,
            Error::Store { source, .. } => source.is_input(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
