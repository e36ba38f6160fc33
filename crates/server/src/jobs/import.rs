//! Catalog, orders and inventory imports: file -> `catalog` reader -> `store`.
//!
//! Each import streams: the reader yields one product (or order line) at a
//! time straight into the store's single write transaction, and the report
//! keeps counts and at most `ImportReport::MAX_ISSUES` issues, so memory does
//! not grow with the file. A fatal read error aborts the transaction; rows the
//! reader had to skip are reported, not fatal.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::time::Instant;

use catalog::{Format, Mapping, ReadOptions, Vocabulary};
use model::{Currency, LineKind, QualityIssue};
use store::Store;

use super::{Error, Result};
use crate::wire::catalog::IssueOut;
use crate::wire::import::{AttributeSummary, CatalogCounts, ImportReport, InventoryCounts, OrdersCounts};

/// What kind of file an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Catalog,
    Orders,
    Inventory,
}

impl ImportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::Catalog => "catalog",
            ImportKind::Orders => "orders",
            ImportKind::Inventory => "inventory",
        }
    }
}

/// How far an import has got. Sent every few thousand rows and once at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub bytes_read: u64,
    /// The file's size, when known.
    pub bytes_total: Option<u64>,
    /// Products (catalog) or lines (orders, inventory) handed to the store.
    pub items: u64,
}

#[derive(Clone, Debug, Default)]
pub struct CatalogImportOptions {
    /// `None`: detect from the file name and its first bytes.
    pub format: Option<Format>,
    /// `target=source` pairs as the user wrote them (`--map sku=StockCode`).
    pub mapping: Vec<String>,
    /// A TOML file extending the built-in jewelry vocabulary.
    pub vocab_file: Option<PathBuf>,
    /// Currency of prices that name none (default USD).
    pub default_currency: Option<Currency>,
}

#[derive(Clone, Debug, Default)]
pub struct OrdersImportOptions {
    pub mapping: Vec<String>,
    pub default_currency: Option<Currency>,
}

#[derive(Clone, Debug, Default)]
pub struct InventoryImportOptions {
    pub mapping: Vec<String>,
}

/// How often (in items) the progress callback runs; a power of two.
const PROGRESS_EVERY: u64 = 2048;
/// Bytes read ahead for format detection.
const HEAD_BYTES: usize = 64 * 1024;

/// Imports a catalog file. See [`import_catalog_from`].
pub fn import_catalog(
    store: &Store,
    path: &Path,
    opts: &CatalogImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let (file, name, size) = open(path)?;
    import_catalog_from(store, file, &name, size, opts, progress)
}

/// Imports a catalog from any reader; `name` names it in messages and in the
/// report, `size` (if known) scales the progress.
pub fn import_catalog_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    size: Option<u64>,
    opts: &CatalogImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let input_err = |message: String| Error::Input { file: name.to_string(), message };
    let (head, input) = read_head(input).map_err(|source| Error::Open { file: name.to_string(), source })?;
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(Some(name), head.get_ref()).ok_or_else(|| {
            input_err("could not tell the format from the name or the first bytes; pass --format shopify|google|csv|jsonl".into())
        })?,
    };
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_err(e.to_string()))?;
    let mut vocab = Vocabulary::builtin();
    if let Some(path) = &opts.vocab_file {
        let text = std::fs::read_to_string(path)
            .map_err(|e| input_err(format!("could not read the vocabulary {}: {e}", path.display())))?;
        vocab.extend_from_toml(&text).map_err(|e| input_err(format!("{}: {e}", path.display())))?;
    }
    let read_opts = ReadOptions {
        format,
        mapping: &mapping,
        vocab: &vocab,
        default_currency: opts.default_currency.unwrap_or(Currency::USD),
    };
    let mut reader =
        catalog::read_catalog(head.chain(input), read_opts).map_err(|e| input_err(e.to_string()))?;

    let summary = RefCell::new(AttributeSummary::default());
    let issues = RefCell::new(IssueSink::default());
    let count = Cell::new(0u64);
    let outcome = {
        let reader = &mut reader;
        let items = std::iter::from_fn(|| {
            let item = reader.next()?;
            let n = count.get() + 1;
            count.set(n);
            if n & (PROGRESS_EVERY - 1) == 0 {
                progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: n });
            }
            if let Ok(p) = &item {
                summary.borrow_mut().add(p);
                issues.borrow_mut().extend(&p.quality_issues);
            }
            Some(item)
        });
        let mut items = items.peekable();
        if items.peek().is_none() {
            None
        } else {
            Some(store.import_products(items))
        }
    };
    let skipped: Vec<QualityIssue> = reader.skipped().to_vec();
    let rows_skipped = reader.skipped_total();
    progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: count.get() });
    let outcome = match outcome {
        None => return Err(nothing_imported(name, rows_skipped, &skipped)),
        Some(Err(e)) => return Err(store_err(name, e)),
        Some(Ok(o)) => o,
    };

    let mut issues = issues.into_inner();
    issues.extend(&outcome.issues);
    issues.total += outcome.issues_total.saturating_sub(outcome.issues.len() as u64);
    issues.extend(&skipped);
    issues.total += rows_skipped.saturating_sub(skipped.len() as u64);
    let mut report = ImportReport {
        kind: ImportKind::Catalog.as_str().into(),
        file: name.to_string(),
        format: Some(format.as_str().into()),
        rows_read: reader.rows_read(),
        rows_skipped,
        bytes_read: reader.bytes_read(),
        catalog: Some(CatalogCounts {
            products_created: outcome.products_created,
            products_updated: outcome.products_updated,
            products_merged: outcome.products_merged,
            variants_created: outcome.variants_created,
            variants_updated: outcome.variants_updated,
            products_total: outcome.products_total,
            catalog_version: outcome.catalog_version,
        }),
        attributes: Some(summary.into_inner()),
        ..ImportReport::default()
    };
    issues.finish(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Imports an orders file (Shopify orders export, or any CSV with `--map`).
pub fn import_orders(
    store: &Store,
    path: &Path,
    opts: &OrdersImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let (file, name, size) = open(path)?;
    import_orders_from(store, file, &name, size, opts, progress)
}

pub fn import_orders_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    size: Option<u64>,
    opts: &OrdersImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let input_err = |message: String| Error::Input { file: name.to_string(), message };
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_err(e.to_string()))?;
    let mut reader = catalog::read_orders(input, &mapping, opts.default_currency.unwrap_or(Currency::USD))
        .map_err(|e| input_err(e.to_string()))?;
    let counts = RefCell::new(OrdersCounts::default());
    let customers: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let count = Cell::new(0u64);
    let outcome = {
        let reader = &mut reader;
        let items = std::iter::from_fn(|| {
            let item = reader.next()?;
            let n = count.get() + 1;
            count.set(n);
            if n & (PROGRESS_EVERY - 1) == 0 {
                progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: n });
            }
            if let Ok(line) = &item {
                let mut c = counts.borrow_mut();
                match line.kind {
                    LineKind::Sale => c.sales += 1,
                    LineKind::Return => c.returns += 1,
                    LineKind::Cancellation => c.cancellations += 1,
                }
                c.first_ordered_at =
                    Some(c.first_ordered_at.map_or(line.ordered_at, |t| t.min(line.ordered_at)));
                c.last_ordered_at =
                    Some(c.last_ordered_at.map_or(line.ordered_at, |t| t.max(line.ordered_at)));
                if let Some(id) = &line.customer_id {
                    let mut set = customers.borrow_mut();
                    if !set.contains(id) {
                        set.insert(id.clone());
                    }
                }
            }
            Some(item)
        });
        let mut items = items.peekable();
        if items.peek().is_none() {
            None
        } else {
            Some(store.import_order_lines(items))
        }
    };
    let skipped: Vec<QualityIssue> = reader.skipped().to_vec();
    let rows_skipped = reader.skipped_total();
    progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: count.get() });
    let outcome = match outcome {
        None => return Err(nothing_imported(name, rows_skipped, &skipped)),
        Some(Err(e)) => return Err(store_err(name, e)),
        Some(Ok(o)) => o,
    };
    let mut counts = counts.into_inner();
    counts.lines_inserted = outcome.lines_inserted;
    counts.lines_unchanged = outcome.lines_unchanged;
    counts.products_created = outcome.products_created;
    counts.customers = customers.into_inner().len() as u64;
    let mut issues = IssueSink::default();
    issues.extend(&skipped);
    issues.total += rows_skipped.saturating_sub(skipped.len() as u64);
    let mut report = ImportReport {
        kind: ImportKind::Orders.as_str().into(),
        file: name.to_string(),
        rows_read: reader.rows_read(),
        rows_skipped,
        bytes_read: reader.bytes_read(),
        orders: Some(counts),
        ..ImportReport::default()
    };
    issues.finish(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Imports an inventory file (sku, location, on_hand, ...).
pub fn import_inventory(
    store: &Store,
    path: &Path,
    opts: &InventoryImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let (file, name, size) = open(path)?;
    import_inventory_from(store, file, &name, size, opts, progress)
}

pub fn import_inventory_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    size: Option<u64>,
    opts: &InventoryImportOptions,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let input_err = |message: String| Error::Input { file: name.to_string(), message };
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_err(e.to_string()))?;
    let mut reader = catalog::read_inventory(input, &mapping).map_err(|e| input_err(e.to_string()))?;
    let skus: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let locations: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let count = Cell::new(0u64);
    let outcome = {
        let reader = &mut reader;
        let items = std::iter::from_fn(|| {
            let item = reader.next()?;
            let n = count.get() + 1;
            count.set(n);
            if n & (PROGRESS_EVERY - 1) == 0 {
                progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: n });
            }
            if let Ok(level) = &item {
                skus.borrow_mut().insert(level.sku.clone());
                locations.borrow_mut().insert(level.location.clone());
            }
            Some(item)
        });
        let mut items = items.peekable();
        if items.peek().is_none() {
            None
        } else {
            Some(store.import_inventory(items))
        }
    };
    let skipped: Vec<QualityIssue> = reader.skipped().to_vec();
    let rows_skipped = reader.skipped_total();
    progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: count.get() });
    let levels = match outcome {
        None => return Err(nothing_imported(name, rows_skipped, &skipped)),
        Some(Err(e)) => return Err(store_err(name, e)),
        Some(Ok(n)) => n,
    };
    let mut issues = IssueSink::default();
    issues.extend(&skipped);
    issues.total += rows_skipped.saturating_sub(skipped.len() as u64);
    let mut report = ImportReport {
        kind: ImportKind::Inventory.as_str().into(),
        file: name.to_string(),
        rows_read: reader.rows_read(),
        rows_skipped,
        bytes_read: reader.bytes_read(),
        inventory: Some(InventoryCounts {
            levels: levels as u64,
            skus: skus.into_inner().len() as u64,
            locations: locations.into_inner().len() as u64,
        }),
        ..ImportReport::default()
    };
    issues.finish(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Opens a file for an import: a buffered reader, its display name and size.
fn open(path: &Path) -> Result<(BufReader<File>, String, Option<u64>)> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| Error::Open { file: name.clone(), source })?;
    let meta = file.metadata().map_err(|source| Error::Open { file: name.clone(), source })?;
    if meta.is_dir() {
        return Err(Error::Input { file: name, message: "is a directory, not a file".into() });
    }
    let size = Some(meta.len());
    // Readers do their own chunking; a large buffer saves syscalls only.
    let mut file = BufReader::with_capacity(256 * 1024, file);
    file.rewind().map_err(|source| Error::Open { file: name.clone(), source })?;
    Ok((file, name, size))
}

/// Reads up to `HEAD_BYTES` for format detection; the caller chains them back
/// in front of the rest, so non-seekable inputs (an upload) work too.
fn read_head<R: Read>(mut input: R) -> std::io::Result<(std::io::Cursor<Vec<u8>>, R)> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut input).take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok((std::io::Cursor::new(head), input))
}

fn nothing_imported(file: &str, skipped: u64, issues: &[QualityIssue]) -> Error {
    let reason = match issues.first() {
        None => "the file has no data rows".to_string(),
        Some(first) => format!(
            "all {skipped} rows were skipped; first: {}{}",
            first.line.map(|l| format!("line {l}: ")).unwrap_or_default(),
            first.message
        ),
    };
    Error::NothingImported { file: file.to_string(), reason }
}

fn store_err(file: &str, e: store::Error) -> Error {
    match e {
        // A fatal read error surfaced through the store's transaction.
        store::Error::Aborted(inner) => Error::Input { file: file.to_string(), message: inner.to_string() },
        source => Error::Store { file: file.to_string(), source },
    }
}

/// Collects issues for the report: all are counted, the first
/// `ImportReport::MAX_ISSUES` are kept, sorted by line at the end.
#[derive(Default)]
struct IssueSink {
    kept: Vec<IssueOut>,
    total: u64,
    by_code: std::collections::BTreeMap<String, u64>,
}

impl IssueSink {
    fn extend(&mut self, issues: &[QualityIssue]) {
        for q in issues {
            self.total += 1;
            *self.by_code.entry(q.code.clone()).or_default() += 1;
            if self.kept.len() < ImportReport::MAX_ISSUES {
                self.kept.push(IssueOut::from(q));
            }
        }
    }

    fn finish(mut self, report: &mut ImportReport) {
        self.kept.sort_by_key(|i| i.line.unwrap_or(u64::MAX));
        report.issues = self.kept;
        report.issues_total = self.total;
        report.issues_by_code = self.by_code;
    }
}
