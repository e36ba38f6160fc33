//! The import use case: one entry point for every kind of file (catalog,
//! orders, inventory, events) that `loupe import` and `POST /v1/imports` both
//! call, so they run the same pipeline and report in the same shape.

use std::io::Read;
use std::path::Path;

use crate::error::{Code, Error, Result};
use crate::jobs::{self, CatalogImportOptions, InventoryImportOptions, OrdersImportOptions, Progress};
use crate::wire::import::ImportReport;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Catalog,
    Orders,
    Inventory,
    Events,
    Tickets,
    Kb,
    Consent,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::Catalog, Kind::Orders, Kind::Inventory, Kind::Events, Kind::Tickets, Kind::Kb, Kind::Consent];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Catalog => "catalog",
            Kind::Orders => "orders",
            Kind::Inventory => "inventory",
            Kind::Events => "events",
            Kind::Tickets => "tickets",
            Kind::Kb => "kb",
            Kind::Consent => "consent",
        }
    }

    pub fn parse(s: &str) -> Result<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let shown: String = s.chars().take(40).collect();
            Error::new(
                Code::InvalidQuery,
                format!(
                    "unknown import kind {shown:?}; use catalog, orders, inventory, events, tickets, kb or consent"
                ),
            )
        })
    }
}

/// How to read the file: the same options as the CLI's flags.
#[derive(Clone, Debug)]
pub struct ImportSpec {
    pub kind: Kind,
    /// Catalog format; detected from the name and the first bytes when `None`.
    pub format: Option<catalog::Format>,
    /// Knowledge-base format; from the file's extension when `None`.
    pub kb_format: Option<support::kb::Format>,
    /// `target=source` pairs as the user wrote them.
    pub mapping: Vec<String>,
    /// A brand vocabulary file extending the built-in one (catalog only).
    pub vocab_file: Option<std::path::PathBuf>,
    pub currency: Option<model::Currency>,
    /// Catalog only: the file is the whole catalog, so stored products it
    /// lacks are removed (`--replace`, `replace=true`); see
    /// [`store::ImportConfig::replace`].
    pub replace: bool,
    /// When the import runs (Unix seconds), from the caller's clock.
    pub now: i64,
}

impl ImportSpec {
    pub fn new(kind: Kind, now: i64) -> ImportSpec {
        ImportSpec {
            kind,
            format: None,
            kb_format: None,
            mapping: Vec::new(),
            vocab_file: None,
            currency: None,
            replace: false,
            now,
        }
    }
}

/// Imports the file at `path`.
pub fn import_file(
    store: &store::Store,
    path: &Path,
    spec: &ImportSpec,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    Ok(match spec.kind {
        Kind::Catalog => jobs::import_catalog(store, path, &catalog_options(spec), progress)?,
        Kind::Orders => jobs::import_orders(store, path, &orders_options(spec), progress)?,
        Kind::Inventory => jobs::import_inventory(store, path, &inventory_options(spec), progress)?,
        Kind::Events => jobs::import_events(store, path, progress)?,
        Kind::Tickets | Kind::Kb | Kind::Consent => {
            let name = path.display().to_string();
            let file = std::fs::File::open(path)
                .map_err(|source| jobs::Error::Open { file: name.clone(), source })?;
            if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
                return Err(
                    jobs::Error::Input { file: name, message: "is a directory, not a file".into() }.into()
                );
            }
            return import_reader(store, std::io::BufReader::new(file), &name, None, spec, progress);
        }
    })
}

/// Imports from any reader; `name` names it in messages (never a server
/// path), `size` scales the progress.
pub fn import_reader<R: Read>(
    store: &store::Store,
    input: R,
    name: &str,
    size: Option<u64>,
    spec: &ImportSpec,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    Ok(match spec.kind {
        Kind::Catalog => {
            jobs::import_catalog_from(store, input, name, size, &catalog_options(spec), progress)?
        }
        Kind::Orders => jobs::import_orders_from(store, input, name, size, &orders_options(spec), progress)?,
        Kind::Inventory => {
            jobs::import_inventory_from(store, input, name, size, &inventory_options(spec), progress)?
        }
        Kind::Events => jobs::import_events_from(store, input, name, size, progress)?,
        Kind::Tickets => jobs::import_tickets_from(store, input, name, &spec.mapping, progress)?,
        Kind::Kb => jobs::import_kb_from(store, input, name, spec.kb_format, spec.now)?,
        Kind::Consent => jobs::import_consent_from(store, input, name, progress)?,
    })
}

/// Checks what can be checked before any row is read (format, mapping,
/// header columns); see [`jobs::check_catalog_header`]. Events are checked
/// line by line as they are imported, so there is nothing to check first.
pub fn check_reader<R: Read>(input: R, name: &str, spec: &ImportSpec) -> Result<()> {
    match spec.kind {
        Kind::Catalog => jobs::check_catalog_header(input, name, &catalog_options(spec))?,
        Kind::Orders => jobs::check_orders_header(input, name, &orders_options(spec))?,
        Kind::Inventory => jobs::check_inventory_header(input, name, &inventory_options(spec))?,
        Kind::Events => {}
        // Read line by line (or whole) as they are imported; only the
        // encoding can be refused before.
        Kind::Tickets | Kind::Kb | Kind::Consent => {
            let mut head = Vec::with_capacity(4096);
            input
                .take(4096)
                .read_to_end(&mut head)
                .map_err(|e| Error::new(Code::InvalidImport, format!("{name}: {e}")))?;
            if catalog::looks_utf16(&head) {
                return Err(Error::new(Code::InvalidImport, format!("{name}: {}", catalog::UTF16_MESSAGE)));
            }
        }
    }
    Ok(())
}

fn catalog_options(spec: &ImportSpec) -> CatalogImportOptions {
    CatalogImportOptions {
        format: spec.format,
        mapping: spec.mapping.clone(),
        vocab_file: spec.vocab_file.clone(),
        default_currency: spec.currency,
        replace: spec.replace,
        now: spec.now,
    }
}

fn orders_options(spec: &ImportSpec) -> OrdersImportOptions {
    OrdersImportOptions { mapping: spec.mapping.clone(), default_currency: spec.currency }
}

fn inventory_options(spec: &ImportSpec) -> InventoryImportOptions {
    InventoryImportOptions { mapping: spec.mapping.clone(), now: spec.now }
}
