//! Catalog, orders and inventory imports: file -> `catalog` reader -> `store`.
//!
//! Each import streams: the reader yields one product (or order line) at a
//! time straight into the store's single write transaction, and the report
//! keeps counts and at most `ImportReport::MAX_ISSUES` issues, so memory does
//! not grow with the file. A fatal read error aborts the transaction; rows the
//! reader had to skip are reported, not fatal.

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
    /// The import's time (Unix seconds): new products' `created_at`.
    pub now: i64,
    /// The file is the whole catalog: see [`store::ImportConfig::replace`].
    pub replace: bool,
}

#[derive(Clone, Debug, Default)]
pub struct OrdersImportOptions {
    pub mapping: Vec<String>,
    pub default_currency: Option<Currency>,
}

#[derive(Clone, Debug, Default)]
pub struct InventoryImportOptions {
    pub mapping: Vec<String>,
    /// The import's time (Unix seconds): the `as_of` of levels that give none.
    pub now: i64,
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
    let (format, mut reader) = catalog_reader(input, name, opts)?;

    let mut summary = AttributeSummary::default();
    let mut issues = IssueSink::default();
    let streamed = stream(
        &mut reader,
        name,
        size,
        progress,
        |p| {
            summary.add(p);
            issues.extend(&p.quality_issues);
        },
        |items| store.import_catalog(items, &store::ImportConfig { now: opts.now, replace: opts.replace }),
    )?;
    let outcome = &streamed.outcome;
    issues.extend(&outcome.issues);
    issues.total += outcome.issues_total.saturating_sub(outcome.issues.len() as u64);
    let mut report = ImportReport {
        kind: ImportKind::Catalog.as_str().into(),
        format: Some(format.as_str().into()),
        catalog: Some(CatalogCounts {
            products_created: outcome.products_created,
            products_updated: outcome.products_updated,
            products_merged: outcome.products_merged,
            variants_created: outcome.variants_created,
            variants_updated: outcome.variants_updated,
            products_total: outcome.products_total,
            catalog_version: outcome.catalog_version,
            products_kept: outcome.products_kept,
            values_kept: outcome.values_kept,
            products_removed: outcome.products_removed,
            variants_removed: outcome.variants_removed,
            removed_handles: outcome.removed_handles.clone(),
        }),
        attributes: Some(summary),
        ..streamed.report(name)
    };
    issues.extend_skipped(&streamed);
    issues.finish(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// What an import can tell before it reads a single row: the format is
/// known or detected, the mapping (and vocabulary) parse, and the header has
/// the columns the reader needs. HTTP runs it before accepting an upload, so
/// a file that is plainly wrong is answered 400 at once instead of failing as
/// a task. It builds the same reader the import does, and drops it.
pub fn check_catalog_header<R: Read>(input: R, name: &str, opts: &CatalogImportOptions) -> Result<()> {
    catalog_reader(input, name, opts).map(drop)
}

/// [`check_catalog_header`] for an orders file.
pub fn check_orders_header<R: Read>(input: R, name: &str, opts: &OrdersImportOptions) -> Result<()> {
    orders_reader(input, name, opts).map(drop)
}

/// [`check_catalog_header`] for an inventory file.
pub fn check_inventory_header<R: Read>(input: R, name: &str, opts: &InventoryImportOptions) -> Result<()> {
    inventory_reader(input, name, opts).map(drop)
}

fn input_error(name: &str, message: impl ToString) -> Error {
    Error::Input { file: name.to_string(), message: message.to_string() }
}

/// An input with its first bytes, read for format detection, put back in front.
type WithHead<R> = std::io::Chain<std::io::Cursor<Vec<u8>>, R>;

/// The catalog reader an import streams from, with the format it read:
/// `opts.format`, or detected from the name and the first 64 KiB (read here
/// and chained back in front, so a non-seekable upload works too).
fn catalog_reader<R: Read>(
    input: R,
    name: &str,
    opts: &CatalogImportOptions,
) -> Result<(Format, catalog::CatalogReader<WithHead<R>>)> {
    let (head, input) = read_head(input).map_err(|source| Error::Open { file: name.to_string(), source })?;
    if catalog::looks_utf16(head.get_ref()) {
        return Err(input_error(name, catalog::UTF16_MESSAGE));
    }
    let format = match opts.format {
        Some(f) => f,
        None => Format::detect(Some(name), head.get_ref()).ok_or_else(|| {
            input_error(
                name,
                "could not tell the format from the name or the first bytes; pass --format shopify|google|csv|jsonl",
            )
        })?,
    };
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_error(name, e))?;
    let mut vocab = Vocabulary::builtin();
    if let Some(path) = &opts.vocab_file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            input_error(name, format!("could not read the vocabulary {}: {e}", path.display()))
        })?;
        vocab.extend_from_toml(&text).map_err(|e| input_error(name, format!("{}: {e}", path.display())))?;
    }
    let read_opts = ReadOptions {
        format,
        mapping: &mapping,
        vocab: &vocab,
        default_currency: opts.default_currency.unwrap_or(Currency::USD),
    };
    let reader = catalog::read_catalog(head.chain(input), read_opts).map_err(|e| input_error(name, e))?;
    Ok((format, reader))
}

fn orders_reader<R: Read>(
    input: R,
    name: &str,
    opts: &OrdersImportOptions,
) -> Result<catalog::OrdersReader<R>> {
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_error(name, e))?;
    catalog::read_orders(input, &mapping, opts.default_currency.unwrap_or(Currency::USD))
        .map_err(|e| input_error(name, e))
}

fn inventory_reader<R: Read>(
    input: R,
    name: &str,
    opts: &InventoryImportOptions,
) -> Result<catalog::InventoryReader<R>> {
    let mapping = Mapping::parse(&opts.mapping).map_err(|e| input_error(name, e))?;
    catalog::read_inventory(input, &mapping).map_err(|e| input_error(name, e))
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
    let mut reader = orders_reader(input, name, opts)?;
    let mut counts = OrdersCounts::default();
    let mut customers: HashSet<String> = HashSet::new();
    let streamed = stream(
        &mut reader,
        name,
        size,
        progress,
        |line| {
            match line.kind {
                LineKind::Sale => counts.sales += 1,
                LineKind::Return => counts.returns += 1,
                LineKind::Cancellation => counts.cancellations += 1,
            }
            counts.first_ordered_at =
                Some(counts.first_ordered_at.map_or(line.ordered_at, |t| t.min(line.ordered_at)));
            counts.last_ordered_at =
                Some(counts.last_ordered_at.map_or(line.ordered_at, |t| t.max(line.ordered_at)));
            if let Some(id) = &line.customer_id {
                if !customers.contains(id) {
                    customers.insert(id.clone());
                }
            }
        },
        |items| store.import_order_lines(items),
    )?;
    let outcome = &streamed.outcome;
    counts.lines_inserted = outcome.lines_inserted;
    counts.lines_unchanged = outcome.lines_unchanged;
    counts.products_created = outcome.products_created;
    counts.customers = customers.len() as u64;
    let mut issues = IssueSink::default();
    issues.extend_skipped(&streamed);
    let mut report = ImportReport {
        kind: ImportKind::Orders.as_str().into(),
        orders: Some(counts),
        ..streamed.report(name)
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
    let mut reader = inventory_reader(input, name, opts)?;
    let mut skus: HashSet<String> = HashSet::new();
    let mut locations: HashSet<String> = HashSet::new();
    let streamed = stream(
        &mut reader,
        name,
        size,
        progress,
        |level| {
            skus.insert(level.sku.clone());
            locations.insert(level.location.clone());
        },
        |items| store.import_inventory(items, opts.now),
    )?;
    let mut issues = IssueSink::default();
    issues.extend_skipped(&streamed);
    let mut report = ImportReport {
        kind: ImportKind::Inventory.as_str().into(),
        inventory: Some(InventoryCounts {
            levels: streamed.outcome as u64,
            skus: skus.len() as u64,
            locations: locations.len() as u64,
        }),
        ..streamed.report(name)
    };
    issues.finish(&mut report);
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// The bookkeeping the catalog crate's three readers share.
trait RowReader: Iterator<Item = catalog::Result<Self::Row>> {
    type Row;
    fn bytes_read(&self) -> u64;
    fn rows_read(&self) -> u64;
    fn skipped(&self) -> &[QualityIssue];
    fn skipped_total(&self) -> u64;
}

macro_rules! row_reader {
    ($reader:ident, $row:ty) => {
        impl<R: Read> RowReader for catalog::$reader<R> {
            type Row = $row;
            fn bytes_read(&self) -> u64 {
                catalog::$reader::bytes_read(self)
            }
            fn rows_read(&self) -> u64 {
                catalog::$reader::rows_read(self)
            }
            fn skipped(&self) -> &[QualityIssue] {
                catalog::$reader::skipped(self)
            }
            fn skipped_total(&self) -> u64 {
                catalog::$reader::skipped_total(self)
            }
        }
    };
}
row_reader!(CatalogReader, model::Product);
row_reader!(OrdersReader, model::OrderLine);
row_reader!(InventoryReader, model::InventoryLevel);

/// What one import handed to the store, and what its reader had to skip.
struct Streamed<O> {
    outcome: O,
    rows_read: u64,
    bytes_read: u64,
    skipped: Vec<QualityIssue>,
    rows_skipped: u64,
}

impl<O> Streamed<O> {
    /// The parts of the report every kind of import fills alike.
    fn report(&self, name: &str) -> ImportReport {
        ImportReport {
            file: name.to_string(),
            rows_read: self.rows_read,
            rows_skipped: self.rows_skipped,
            bytes_read: self.bytes_read,
            ..ImportReport::default()
        }
    }
}

/// Streams `reader`'s rows into `write` (one store transaction), calling
/// `inspect` on each row read and `progress` every `PROGRESS_EVERY` rows and
/// at the end. A file that yields no row at all is an error, not an empty
/// transaction.
fn stream<Rd: RowReader, O>(
    reader: &mut Rd,
    name: &str,
    size: Option<u64>,
    progress: &dyn Fn(Progress),
    mut inspect: impl FnMut(&Rd::Row),
    write: impl FnOnce(&mut dyn Iterator<Item = catalog::Result<Rd::Row>>) -> store::Result<O>,
) -> Result<Streamed<O>> {
    let mut count = 0u64;
    let outcome = {
        let reader = &mut *reader;
        let mut items = std::iter::from_fn(|| {
            let item = reader.next()?;
            count += 1;
            if count & (PROGRESS_EVERY - 1) == 0 {
                progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: count });
            }
            if let Ok(row) = &item {
                inspect(row);
            }
            Some(item)
        })
        .peekable();
        if items.peek().is_none() {
            None
        } else {
            Some(write(&mut items))
        }
    };
    let skipped = reader.skipped().to_vec();
    let rows_skipped = reader.skipped_total();
    progress(Progress { bytes_read: reader.bytes_read(), bytes_total: size, items: count });
    let outcome = match outcome {
        None => return Err(nothing_imported(name, rows_skipped, &skipped)),
        Some(Err(e)) => return Err(store_err(name, e)),
        Some(Ok(o)) => o,
    };
    Ok(Streamed {
        outcome,
        rows_read: reader.rows_read(),
        bytes_read: reader.bytes_read(),
        skipped,
        rows_skipped,
    })
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
pub(crate) fn read_head<R: Read>(mut input: R) -> std::io::Result<(std::io::Cursor<Vec<u8>>, R)> {
    let mut head = Vec::with_capacity(HEAD_BYTES);
    (&mut input).take(HEAD_BYTES as u64).read_to_end(&mut head)?;
    Ok((std::io::Cursor::new(head), input))
}

fn nothing_imported(file: &str, skipped: u64, issues: &[QualityIssue]) -> Error {
    let reason = match issues.iter().find(|i| i.code == "bad_row").or(issues.first()) {
        None => "the file has no data rows".to_string(),
        // The readers' messages often name their line already ("line 2: ...").
        Some(first) => format!(
            "{}; first: {}{}",
            if skipped == 1 {
                "its one row was skipped".to_string()
            } else {
                format!("all {skipped} rows were skipped")
            },
            first
                .line
                .filter(|_| !first.message.starts_with("line "))
                .map(|l| format!("line {l}: "))
                .unwrap_or_default(),
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
    /// The reader's skipped rows: the kept ones listed, all of them counted.
    fn extend_skipped<O>(&mut self, streamed: &Streamed<O>) {
        self.extend(&streamed.skipped);
        self.total += streamed.rows_skipped.saturating_sub(streamed.skipped.len() as u64);
    }

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
