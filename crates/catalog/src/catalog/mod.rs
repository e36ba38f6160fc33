//! `read_catalog`: streams products out of a catalog export in any of the
//! supported formats, normalized, with per-product quality issues.
//!
//! Rows are converted to one intermediate shape (`Draft`) per format
//! (`fields`), grouped by handle while consecutive (Shopify spreads one
//! product over several rows), and normalized when the group ends. Memory is
//! one record plus one product's rows.

pub(crate) mod fields;
mod source;

use std::io::Read;

use model::{Currency, PartialRead, Product, QualityIssue};

use crate::mapping::Mapping;
use crate::normalize::product::{build, issue, Draft};
use crate::normalize::ExtractCache;
use crate::records::Skipped;
use crate::vocab::Vocabulary;
use crate::{Format, Result};

pub(crate) use source::{Prefixed, Row, Source};

/// Most variant rows one product may have; further rows of the same handle
/// are skipped and reported.
pub const MAX_VARIANTS: usize = 5000;

/// How to read a catalog file.
#[derive(Clone, Copy)]
pub struct ReadOptions<'a> {
    pub format: Format,
    pub mapping: &'a Mapping,
    pub vocab: &'a Vocabulary,
    /// For prices that name no currency.
    pub default_currency: Currency,
}

/// Starts reading a catalog. Fails at once when the header is unusable (a
/// mapped column is missing, Shopify's `Handle` is absent, the file is
/// empty or UTF-16); everything after that streams through the iterator.
pub fn read_catalog<R: Read>(reader: R, opts: ReadOptions) -> Result<CatalogReader<R>> {
    let mut input = Prefixed::new(reader);
    let source = match opts.format {
        Format::Shopify | Format::Csv => Source::delimited(input, None)?,
        Format::Jsonl => Source::jsonl(input),
        Format::Google => {
            // TSV or XML: decided by the first non-blank byte.
            let head = input.fill_head(4096)?;
            let first = head
                .iter()
                .copied()
                .find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF);
            match first {
                Some(b'<') => Source::xml(input),
                None => return Err(crate::Error::Empty),
                _ => Source::delimited(input, Some(b'\t'))?,
            }
        }
    };
    CatalogReader::new(source, opts)
}

/// Streams normalized products. An `Err` item is fatal (the import should
/// abort); rows that could not be read are not errors but `skipped()` issues.
pub struct CatalogReader<R: Read> {
    source: Source<Prefixed<R>>,
    conv: fields::Converter,
    vocab: Vocabulary,
    cache: ExtractCache,
    pending: Option<Draft>,
    /// Rows in `pending`, capped at [`MAX_VARIANTS`] to bound memory.
    pending_rows: usize,
    skipped: Skipped,
    /// `skipped.events` when the last good row was read: when it has grown
    /// by the next one, a row between them (or that row itself) was not read
    /// whole, and the products on both sides are marked partial.
    events_seen: u64,
    /// `skipped.total` at the same moment.
    skipped_seen: u64,
    /// Lines of the rows not read whole inside or next to `pending`.
    pending_partial: Vec<u64>,
    /// Handles named by rows that could not be read, with the line: the
    /// product is partial wherever its other rows are (a line split in two
    /// puts a made-up product between its halves and the product's next rows).
    unread_handles: std::collections::HashMap<String, u64>,
    rows_read: u64,
    done: bool,
}

impl<R: Read> CatalogReader<R> {
    fn new(source: Source<Prefixed<R>>, opts: ReadOptions) -> Result<CatalogReader<R>> {
        let conv = fields::Converter::new(
            opts.format,
            opts.mapping.clone(),
            opts.default_currency,
            source.header().cloned(),
        )?;
        let mut skipped = Skipped::default();
        if let (Some(header), Some(cols)) = (source.header(), conv.columns()) {
            for (name, message) in
                crate::mapping::duplicate_columns(header, cols, "the others are kept as raw attributes")
            {
                skipped.push_code("duplicate_column", 1, Some(&name), message);
            }
        }
        Ok(CatalogReader {
            source,
            conv,
            vocab: opts.vocab.clone(),
            cache: ExtractCache::default(),
            pending: None,
            pending_rows: 0,
            // Header issues say nothing about any product's rows.
            events_seen: skipped.events,
            skipped_seen: skipped.total,
            skipped,
            pending_partial: Vec::new(),
            unread_handles: std::collections::HashMap::new(),
            rows_read: 0,
            done: false,
        })
    }

    /// Rows skipped so far (the first [`crate::MAX_SKIPPED_KEPT`]), as
    /// `bad_row` issues with their line; also `bad_value` notes about rows
    /// that were read despite a problem (a file cut off in its last field).
    pub fn skipped(&self) -> &[QualityIssue] {
        &self.skipped.kept
    }

    /// Rows skipped (code `bad_row`), including those past the kept list.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.total
    }

    /// Data rows read so far (skipped ones included).
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// Bytes consumed from the reader so far, for a progress bar.
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    fn finish(&mut self, draft: Draft, mut partial: Vec<u64>) -> Product {
        let headless = self.conv.heads_products() && draft.title.is_empty() && !partial.is_empty();
        if let Some(&line) = self.unread_handles.get(&draft.handle) {
            if !partial.contains(&line) {
                partial.push(line);
            }
        }
        let mut product = build(draft, &self.vocab, &mut self.cache);
        if !partial.is_empty() {
            product.partial = Some(PartialRead::RowsSkipped { lines: partial, headless });
        }
        product
    }

    /// Remembers the handles that skipped rows name (see `unread_handles`).
    fn note_unread(&mut self) {
        let Some(names) = self.source.header().cloned() else {
            self.skipped.unread.clear();
            return;
        };
        for (line, values) in std::mem::take(&mut self.skipped.unread) {
            let row = Row { line, names: names.clone(), values };
            if let Some(handle) = self.conv.handle_of(&row) {
                if self.unread_handles.len() < crate::MAX_SKIPPED_KEPT {
                    self.unread_handles.entry(handle).or_insert(line);
                }
            }
        }
    }

    /// The line of a row not read whole since the last good row, if any.
    fn new_gap(&mut self) -> Option<u64> {
        let events = self.skipped.events;
        let skipped = self.skipped.total;
        let any = std::mem::replace(&mut self.events_seen, events) != events;
        // Name a row that was skipped over one read despite a problem.
        let line = if std::mem::replace(&mut self.skipped_seen, skipped) != skipped {
            self.skipped.last_skipped_line
        } else {
            self.skipped.last_line
        };
        any.then_some(line)
    }
}

impl<R: Read> Iterator for CatalogReader<R> {
    type Item = Result<Product>;

    fn next(&mut self) -> Option<Result<Product>> {
        if self.done {
            return None;
        }
        loop {
            let next = self.source.next_row(&mut self.rows_read, &mut self.skipped);
            self.note_unread();
            let row = match next {
                Ok(Some(row)) => row,
                Ok(None) => {
                    self.done = true;
                    if let Some(line) = self.new_gap() {
                        self.pending_partial.push(line);
                    }
                    let draft = self.pending.take()?;
                    let partial = std::mem::take(&mut self.pending_partial);
                    let mut product = self.finish(draft, partial);
                    // A file cut off at a row boundary ends inside its last product.
                    product.partial.get_or_insert(PartialRead::LastInFile);
                    return Some(Ok(product));
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            let line = row.line;
            let data = match self.conv.convert(row) {
                Ok(Some(d)) => d,
                Ok(None) => continue,
                Err((field, message)) => {
                    self.skipped.push(line, field.as_deref(), message);
                    continue;
                }
            };
            // A row not read whole may belong to the product before it or to
            // the one this row is part of: both are marked.
            let gap = self.new_gap();
            if let Some(line) = gap {
                self.pending_partial.push(line);
            }
            let headless = self.headless(&data);
            if let Some(done) = self.group(data) {
                let partial = std::mem::take(&mut self.pending_partial);
                self.pending_partial.extend(gap.or(headless));
                return Some(Ok(self.finish(done, partial)));
            }
            if let Some(line) = headless.filter(|l| gap != Some(*l)) {
                self.pending_partial.push(line);
            }
        }
    }
}

impl<R: Read> CatalogReader<R> {
    /// When `data` starts a product without its first row (a variant-only
    /// row, where the format puts the title on a product's first row) and a
    /// row before it was not read whole, that row's line: it may have been
    /// the missing first row, which the product is then partial without.
    fn headless(&self, data: &fields::RowData) -> Option<u64> {
        let starts = self.pending.as_ref().is_none_or(|p| p.handle != data.handle);
        let unread_before = self.skipped.events > 0;
        let line =
            if self.skipped.total > 0 { self.skipped.last_skipped_line } else { self.skipped.last_line };
        (starts && unread_before && self.conv.heads_products() && data.title.is_none()).then_some(line)
    }

    /// Adds a row's data to the current product, or starts a new product and
    /// returns the finished one.
    fn group(&mut self, data: fields::RowData) -> Option<Draft> {
        if let Some(p) = &mut self.pending {
            if p.handle == data.handle {
                if self.pending_rows >= MAX_VARIANTS {
                    let message =
                        format!("product {:?} has more than {MAX_VARIANTS} rows; row skipped", data.handle);
                    self.skipped.push(data.line, None, message);
                    return None;
                }
                self.pending_rows += 1;
                merge_into(p, data);
                return None;
            }
        }
        self.pending_rows = 1;
        let new = start_draft(data);
        self.pending.replace(new)
    }
}

fn start_draft(d: fields::RowData) -> Draft {
    let mut draft = Draft {
        handle: d.handle.clone(),
        line: d.line,
        inventory_tracked: d.inventory_tracked,
        status: d.status.unwrap_or_default(),
        ..Draft::default()
    };
    merge_into(&mut draft, d);
    draft
}

fn set_if_empty(slot: &mut String, v: Option<String>) {
    if slot.is_empty() {
        if let Some(v) = v {
            *slot = v;
        }
    }
}

fn merge_into(p: &mut Draft, d: fields::RowData) {
    if d.grouped_by_title && !p.variants.is_empty() && !p.issues.iter().any(|i| i.code == "grouped_by_title")
    {
        let first = p.variants[0].line;
        p.issues.push(issue(
            "grouped_by_title",
            format!(
                "lines {first} and {} were made one product because they have the same title: the file has no \
                 handle or id column. If they are different products, name the column that tells them apart: \
                 --map handle=COLUMN (or --map sku=COLUMN)",
                d.line
            ),
            Some(d.line),
            None,
        ));
    }
    set_if_empty(&mut p.title, d.title);
    if p.description.is_empty() {
        if let Some(desc) = d.description {
            p.description = desc;
            p.description_is_html = d.description_is_html;
        }
    }
    p.vendor = p.vendor.take().or(d.vendor);
    p.raw_category = p.raw_category.take().or(d.category);
    p.gender = p.gender.take().or(d.gender);
    p.image_url = p.image_url.take().or(d.image_url);
    if let Some(s) = d.status {
        if p.variants.is_empty() {
            p.status = s;
        }
    }
    for t in d.tags {
        if !p.tags.contains(&t) {
            p.tags.push(t);
        }
    }
    for (k, v) in d.attributes {
        p.attributes.entry(k).or_insert(v);
    }
    p.issues.extend(d.issues);
    if let Some(v) = d.variant {
        // Only a row identical to an earlier one is a duplicate: rows that differ in anything
        // (a reference, an image, a description) are kept.
        let duplicate = p.variants.iter().any(|x| x.row == v.row);
        if duplicate {
            p.issues.push(issue(
                "duplicate_row",
                format!("line {} repeats an earlier row of {:?}; ignored", v.line, p.handle),
                Some(v.line),
                None,
            ));
        } else {
            p.variants.push(v);
        }
    }
}
