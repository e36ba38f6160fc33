//! The catalog: products by id with handle and SKU indexes, imported by upsert.
//!
//! An import matches each incoming product to a stored one by handle, then by
//! any of its variant SKUs, and keeps the stored id and `created_at`, so that
//! ids stay stable across daily re-imports. A handle seen twice in one import
//! (an export that is not grouped by handle) merges the variants into one product.
//!
//! An import never removes or blanks what it cannot vouch for (`keep.rs`): a
//! product the reader marks as partly read keeps its stored version, a value
//! the reader could not parse keeps the stored one, and products missing from
//! the file stay unless the import is a `replace`.

use std::collections::{HashMap, HashSet};

use model::{PartialRead, Product, ProductId, QualityIssue};
use redb::{MultimapTable, ReadableMultimapTable, ReadableTable, ReadableTableMetadata, Table};

use crate::error::SourceError;
use crate::keep::{keep_reason, keep_stored_values, same_variant};
use crate::tables::{decode, encode, CATALOG_VERSION, HANDLES, META, NEXT_PRODUCT_ID, PRODUCTS, SKUS};
use crate::{Error, Redb, Result, Store};

/// What a catalog import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportOutcome {
    /// Products handed to the import (after merging nothing).
    pub products_read: u64,
    pub products_created: u64,
    pub products_updated: u64,
    /// Products whose handle had already appeared earlier in the same import;
    /// their variants were merged into that product.
    pub products_merged: u64,
    pub variants_created: u64,
    pub variants_updated: u64,
    /// Products in the store after the import.
    pub products_total: u64,
    pub catalog_version: u64,
    /// Stored products left as they were because the file may not hold all
    /// their rows (each has a `kept_previous` issue saying why).
    pub products_kept: u64,
    /// Stored values kept because the file's could not be read (each has a
    /// `kept_value` issue).
    pub values_kept: u64,
    /// Products removed by a `replace` import (absent from its file).
    pub products_removed: u64,
    /// Variants removed: those of removed products, and those an updated
    /// product no longer has.
    pub variants_removed: u64,
    /// Handles of the first [`MAX_REMOVED_LISTED`] removed products.
    pub removed_handles: Vec<String>,
    /// Problems only the store sees, across products of this import: a
    /// handle repeated apart (`duplicate_handle`, merged) and a SKU used by
    /// two products (`duplicate_sku`). Each is also added to the product's
    /// `quality_issues`. At most [`MAX_OUTCOME_ISSUES`] are listed.
    pub issues: Vec<QualityIssue>,
    pub issues_total: u64,
}

/// A SKU that other products also have: (SKU, source line, the other products).
type SharedSku = (String, Option<u64>, Vec<ProductId>);

/// Cap on [`ImportOutcome::issues`]; all are counted.
pub const MAX_OUTCOME_ISSUES: usize = 1000;

/// Cap on [`ImportOutcome::removed_handles`]; all are counted.
pub const MAX_REMOVED_LISTED: usize = 20;

/// How a catalog import treats what its file does not say.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportConfig {
    /// The import's time (Unix seconds, from the caller's clock): new
    /// products' `created_at`.
    pub now: i64,
    /// The file is the whole catalog: stored products it lacks are removed
    /// (never order-only ones), and its last product is applied as read.
    /// Products with rows the reader could not read still keep their stored
    /// version, and nothing is removed when any row could not be read.
    pub replace: bool,
}

impl ImportOutcome {
    pub(crate) fn push_issue(&mut self, issue: &QualityIssue) {
        self.issues_total += 1;
        if self.issues.len() < MAX_OUTCOME_ISSUES {
            self.issues.push(issue.clone());
        }
    }
}

fn first_line(p: &Product) -> Option<u64> {
    p.variants.iter().filter_map(|v| v.source_line).min()
}

/// The catalog's part of a [`Backend`](crate::Backend).
pub trait CatalogStore {
    /// Bumped on every change to the catalog (imports, order-only products);
    /// engines use it as a cache key for indexes built from `products()`.
    fn catalog_version(&self) -> Result<u64>;

    /// Imports products in one write transaction (see the module docs for
    /// the matching rules). The first `Err` item aborts the import: nothing
    /// is written and the previous catalog stays as it was. Callers use
    /// [`Store::import_catalog`], which takes any iterator.
    fn import_catalog_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Product, SourceError>>,
        config: &ImportConfig,
    ) -> Result<ImportOutcome>;

    /// Every product, by id.
    fn products(&self) -> Result<Vec<Product>>;

    /// Calls `f` with every product in id order without holding them all in
    /// memory; stops early when `f` returns `false`.
    fn visit_products(&self, f: &mut dyn FnMut(Product) -> bool) -> Result<()>;

    /// Number of products, without decoding them.
    fn product_count(&self) -> Result<u64>;

    fn product(&self, id: ProductId) -> Result<Option<Product>>;

    fn product_by_handle(&self, handle: &str) -> Result<Option<Product>>;

    /// The product with this SKU; when several have it (a duplicate SKU,
    /// reported at import), the oldest.
    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>>;
}

impl Store {
    /// Imports products (see [`CatalogStore::import_catalog_from`]).
    ///
    /// `now` (Unix seconds, from the caller's clock) stamps new products.
    pub fn import_products<I, E>(&self, items: I, now: i64) -> Result<ImportOutcome>
    where
        I: IntoIterator<Item = Result<Product, E>>,
        E: Into<SourceError>,
    {
        self.import_catalog(items, &ImportConfig { now, replace: false })
    }

    /// [`Store::import_products`] with its options: see [`ImportConfig`].
    pub fn import_catalog<I, E>(&self, items: I, config: &ImportConfig) -> Result<ImportOutcome>
    where
        I: IntoIterator<Item = Result<Product, E>>,
        E: Into<SourceError>,
    {
        let mut items = items.into_iter().map(|item| item.map_err(Into::into));
        self.import_catalog_from(&mut items, config)
    }

    /// [`CatalogStore::visit_products`] with any closure.
    pub fn for_each_product(&self, mut f: impl FnMut(Product) -> bool) -> Result<()> {
        self.visit_products(&mut f)
    }
}

/// The primitive operations of a catalog write transaction, which each
/// backend provides; the import's rules ([`import`]) are written once over
/// them.
pub(crate) trait CatalogTx {
    fn load(&self, id: ProductId) -> Result<Option<Product>>;
    fn handle_id(&self, handle: &str) -> Result<Option<ProductId>>;
    /// Every product that has the SKU, oldest (lowest id) first.
    fn sku_owners(&self, sku: &str) -> Result<Vec<ProductId>>;
    fn next_id(&mut self) -> Result<ProductId>;
    /// Writes the product's record (its indexes are the caller's).
    fn put_record(&mut self, p: &Product) -> Result<()>;
    fn delete_record(&mut self, id: ProductId) -> Result<()>;
    fn set_handle(&mut self, handle: &str, id: ProductId) -> Result<()>;
    fn unset_handle(&mut self, handle: &str) -> Result<()>;
    fn add_sku(&mut self, sku: &str, id: ProductId) -> Result<()>;
    /// Drops one product's claim on a SKU; other products keep theirs.
    fn remove_sku(&mut self, sku: &str, id: ProductId) -> Result<()>;
    /// Stored products whose id is not in `seen`, order-only ones excepted.
    fn unseen(&mut self, seen: &HashSet<ProductId>) -> Result<Vec<Product>>;
    fn version(&self) -> Result<u64>;
    fn bump_version(&mut self) -> Result<u64>;
    /// Products stored, this transaction's writes included.
    fn count(&mut self) -> Result<u64>;

    /// Writes what the backend buffered; the transaction can then commit.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }

    /// The product a SKU resolves to: the oldest (lowest id) that has it.
    fn sku_id(&self, sku: &str) -> Result<Option<ProductId>> {
        Ok(self.sku_owners(sku)?.first().copied())
    }

    /// Writes a product and points its handle and SKUs at it.
    fn save(&mut self, p: &Product) -> Result<()> {
        self.index_skus(p, 0)?;
        self.put_record(p)
    }

    /// Points the product's handle and SKUs at it; returns (SKU, line,
    /// other products) for SKUs that other products have too.
    fn index_skus(&mut self, p: &Product, skip: usize) -> Result<Vec<SharedSku>> {
        self.set_handle(&p.handle, p.id)?;
        let mut shared = Vec::new();
        for v in &p.variants[skip.min(p.variants.len())..] {
            if !v.sku.is_empty() {
                let others: Vec<ProductId> =
                    self.sku_owners(&v.sku)?.into_iter().filter(|&o| o != p.id).collect();
                if !others.is_empty() {
                    shared.push((v.sku.clone(), v.source_line, others));
                }
                self.add_sku(&v.sku, p.id)?;
            }
        }
        Ok(shared)
    }

    /// Like `save`, and reports SKUs that another product of this import
    /// (one of `written`) already used, as `duplicate_sku` issues. The first
    /// `skip` variants are already indexed (a merge adds variants at the end).
    fn save_checked(
        &mut self,
        p: &mut Product,
        skip: usize,
        written: &HashSet<ProductId>,
        out: &mut ImportOutcome,
    ) -> Result<()> {
        for (sku, line, others) in self.index_skus(p, skip)? {
            let Some(&other) = others.iter().find(|o| written.contains(o)) else {
                continue;
            };
            let other_handle = self.load(other)?.map(|o| o.handle).unwrap_or_default();
            let issue = QualityIssue {
                code: "duplicate_sku".into(),
                message: format!("SKU {sku:?} is also used by {other_handle:?} in the same file"),
                line,
                field: Some("sku".into()),
            };
            out.push_issue(&issue);
            p.quality_issues.push(issue);
        }
        self.put_record(p)
    }

    /// Removes index entries of `old` that `new` no longer has, when they
    /// still point at this product.
    fn drop_stale_indexes(&mut self, old: &Product, new: &Product) -> Result<()> {
        if old.handle != new.handle && self.handle_id(&old.handle)? == Some(old.id) {
            self.unset_handle(&old.handle)?;
        }
        for v in &old.variants {
            if !v.sku.is_empty() && new.variant_by_sku(&v.sku).is_none() {
                // Only this product's claim goes; another product with the
                // same SKU keeps it resolvable.
                self.remove_sku(&v.sku, old.id)?;
            }
        }
        Ok(())
    }

    /// Removes a product and the index entries that point at it.
    fn remove(&mut self, p: &Product) -> Result<()> {
        self.delete_record(p.id)?;
        if self.handle_id(&p.handle)? == Some(p.id) {
            self.unset_handle(&p.handle)?;
        }
        for v in p.variants.iter().filter(|v| !v.sku.is_empty()) {
            self.remove_sku(&v.sku, p.id)?;
        }
        Ok(())
    }

    /// Removes stored products this import did not see (`seen`), except
    /// order-only ones: a `replace` import.
    fn remove_unseen(&mut self, seen: &HashSet<ProductId>, out: &mut ImportOutcome) -> Result<()> {
        for p in self.unseen(seen)? {
            self.remove(&p)?;
            out.products_removed += 1;
            out.variants_removed += p.variants.len() as u64;
            if out.removed_handles.len() < MAX_REMOVED_LISTED {
                out.removed_handles.push(p.handle);
            }
        }
        Ok(())
    }
}

/// The import's rules (see the module docs) over a backend's catalog
/// transaction; the caller commits.
pub(crate) fn import(
    t: &mut impl CatalogTx,
    items: &mut dyn Iterator<Item = Result<Product, SourceError>>,
    config: &ImportConfig,
) -> Result<ImportOutcome> {
    let now = config.now;
    let mut out = ImportOutcome::default();
    // Handles and ids written by this import: a handle seen again is
    // merged, and SKU matching never steals a product this import wrote.
    let mut seen: HashMap<String, ProductId> = HashMap::new();
    let mut seen_ids: HashSet<ProductId> = HashSet::new();
    // A row that could not be read may hold a product the file
    // seems to lack: a `replace` then removes nothing.
    let mut rows_skipped = false;
    for item in items {
        let mut p = item.map_err(Error::Aborted)?;
        out.products_read += 1;
        rows_skipped |= matches!(p.partial, Some(PartialRead::RowsSkipped { .. }));
        if p.handle.trim().is_empty() {
            p.handle =
                p.variants.iter().map(|v| v.sku.as_str()).find(|s| !s.is_empty()).unwrap_or("").to_string();
        }
        // A handle read before, or one whose stored product this
        // import already wrote or kept under another name (a row
        // matched to it by SKU), is more rows of that product: a
        // second product with the same handle would hide the first.
        let again = match seen.get(&p.handle) {
            Some(&id) => Some(id),
            None => t.handle_id(&p.handle)?.filter(|id| seen_ids.contains(id)),
        };
        if let Some(id) = again {
            let mut stored =
                t.load(id)?.ok_or_else(|| Error::Invalid(format!("product {id} vanished mid-import")))?;
            let issue = QualityIssue {
                        code: "duplicate_handle".into(),
                        message: format!(
                            "handle {:?} appears again{} after other products (first at line {}); the rows are merged into one product",
                            p.handle,
                            first_line(&p).map(|l| format!(" at line {l}")).unwrap_or_default(),
                            first_line(&stored).map_or("?".to_string(), |l| l.to_string()),
                        ),
                        line: first_line(&p),
                        field: Some("handle".into()),
                    };
            out.push_issue(&issue);
            let before = stored.variants.len();
            let (created, updated) = merge_variants(&mut stored, p);
            stored.quality_issues.push(issue);
            out.variants_created += created;
            out.variants_updated += updated;
            out.products_merged += 1;
            t.save_checked(&mut stored, before, &seen_ids, &mut out)?;
            continue;
        }
        let mut existing = t.handle_id(&p.handle)?;
        if existing.is_none() {
            'skus: for v in p.variants.iter().filter(|v| !v.sku.is_empty()) {
                for id in t.sku_owners(&v.sku)? {
                    if !seen_ids.contains(&id) {
                        existing = Some(id);
                        break 'skus;
                    }
                }
            }
        }
        let old = match existing {
            Some(id) => t.load(id)?,
            None => None,
        };
        match old {
            Some(old) => {
                if let Some(why) = keep_reason(&p, &old, config.replace) {
                    let issue = QualityIssue {
                        code: "kept_previous".into(),
                        message: why,
                        line: first_line(&p),
                        field: None,
                    };
                    out.push_issue(&issue);
                    out.products_kept += 1;
                    seen.insert(p.handle.clone(), old.id);
                    seen_ids.insert(old.id);
                    continue;
                }
                keep_stored_values(&mut p, &old, &mut out);
                out.variants_removed +=
                    old.variants.iter().filter(|o| !p.variants.iter().any(|v| same_variant(o, v))).count()
                        as u64;
                p.id = old.id;
                p.created_at = old.created_at;
                for v in &p.variants {
                    if old.variant_by_sku(&v.sku).is_some() {
                        out.variants_updated += 1;
                    } else {
                        out.variants_created += 1;
                    }
                }
                t.drop_stale_indexes(&old, &p)?;
                out.products_updated += 1;
            }
            None => {
                if let Some(PartialRead::RowsSkipped { lines, .. }) = &p.partial {
                    let issue = QualityIssue {
                                code: "partial_product".into(),
                                message: format!(
                                    "{} next to the rows of the new product {:?} could not be read; it may lack variants",
                                    crate::keep::lines_text(lines),
                                    p.handle
                                ),
                                line: first_line(&p),
                                field: None,
                            };
                    out.push_issue(&issue);
                    p.quality_issues.push(issue);
                }
                if p.handle.is_empty() {
                    // Neither a handle nor a SKU: give it a stable name of its own.
                    p.id = t.next_id()?;
                    p.handle = format!("product-{}", p.id);
                } else {
                    p.id = t.next_id()?;
                }
                if p.created_at == 0 {
                    p.created_at = now;
                }
                out.variants_created += p.variants.len() as u64;
                out.products_created += 1;
            }
        }
        t.save_checked(&mut p, 0, &seen_ids, &mut out)?;
        seen.insert(p.handle.clone(), p.id);
        seen_ids.insert(p.id);
    }
    if config.replace && rows_skipped {
        out.push_issue(&QualityIssue {
                    code: "removal_withheld".into(),
                    message: "--replace removed nothing: some rows could not be read, and the products the file seems to lack may be in them".into(),
                    line: None,
                    field: None,
                });
    } else if config.replace {
        t.remove_unseen(&seen_ids, &mut out)?;
    }
    out.catalog_version = t.bump_version()?;
    out.products_total = t.count()?;
    t.flush()?;
    Ok(out)
}

/// The redb catalog tables of one write transaction.
pub(crate) struct CatalogTables<'txn> {
    pub products: Table<'txn, u64, &'static [u8]>,
    pub handles: Table<'txn, &'static str, u64>,
    /// SKU -> every product that has it (duplicates happen in real catalogs).
    pub skus: MultimapTable<'txn, &'static str, u64>,
    pub meta: Table<'txn, &'static str, u64>,
}

impl<'txn> CatalogTables<'txn> {
    pub fn open(txn: &'txn redb::WriteTransaction) -> Result<Self> {
        Ok(CatalogTables {
            products: txn.open_table(PRODUCTS)?,
            handles: txn.open_table(HANDLES)?,
            skus: txn.open_multimap_table(SKUS)?,
            meta: txn.open_table(META)?,
        })
    }
}

impl CatalogTx for CatalogTables<'_> {
    fn load(&self, id: ProductId) -> Result<Option<Product>> {
        match self.products.get(id)? {
            Some(bytes) => Ok(Some(decode("products", bytes.value())?)),
            None => Ok(None),
        }
    }

    fn handle_id(&self, handle: &str) -> Result<Option<ProductId>> {
        Ok(self.handles.get(handle)?.map(|g| g.value()))
    }

    fn sku_owners(&self, sku: &str) -> Result<Vec<ProductId>> {
        let mut out = Vec::new();
        for g in self.skus.get(sku)? {
            out.push(g?.value());
        }
        Ok(out)
    }

    fn next_id(&mut self) -> Result<ProductId> {
        let id = self.meta.get(NEXT_PRODUCT_ID)?.map(|g| g.value()).unwrap_or(1);
        self.meta.insert(NEXT_PRODUCT_ID, id + 1)?;
        Ok(id)
    }

    fn put_record(&mut self, p: &Product) -> Result<()> {
        self.products.insert(p.id, encode(p).as_slice())?;
        Ok(())
    }

    fn delete_record(&mut self, id: ProductId) -> Result<()> {
        self.products.remove(id)?;
        Ok(())
    }

    fn set_handle(&mut self, handle: &str, id: ProductId) -> Result<()> {
        self.handles.insert(handle, id)?;
        Ok(())
    }

    fn unset_handle(&mut self, handle: &str) -> Result<()> {
        self.handles.remove(handle)?;
        Ok(())
    }

    fn add_sku(&mut self, sku: &str, id: ProductId) -> Result<()> {
        self.skus.insert(sku, id)?;
        Ok(())
    }

    fn remove_sku(&mut self, sku: &str, id: ProductId) -> Result<()> {
        self.skus.remove(sku, id)?;
        Ok(())
    }

    fn unseen(&mut self, seen: &HashSet<ProductId>) -> Result<Vec<Product>> {
        let mut unseen = Vec::new();
        for entry in self.products.iter()? {
            let (id, bytes) = entry?;
            if !seen.contains(&id.value()) {
                let p: Product = decode("products", bytes.value())?;
                if !p.order_only {
                    unseen.push(p);
                }
            }
        }
        Ok(unseen)
    }

    fn version(&self) -> Result<u64> {
        Ok(self.meta.get(CATALOG_VERSION)?.map(|g| g.value()).unwrap_or(0))
    }

    fn bump_version(&mut self) -> Result<u64> {
        let v = self.version()? + 1;
        self.meta.insert(CATALOG_VERSION, v)?;
        Ok(v)
    }

    fn count(&mut self) -> Result<u64> {
        Ok(self.products.len()?)
    }
}

impl CatalogStore for Redb {
    fn catalog_version(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        let meta = txn.open_table(META)?;
        Ok(meta.get(CATALOG_VERSION)?.map(|v| v.value()).unwrap_or(0))
    }

    fn import_catalog_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Product, SourceError>>,
        config: &ImportConfig,
    ) -> Result<ImportOutcome> {
        let txn = self.begin_write()?;
        let out = import(&mut CatalogTables::open(&txn)?, items, config)?;
        txn.commit()?;
        Ok(out)
    }

    fn products(&self) -> Result<Vec<Product>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(PRODUCTS)?;
        let mut out = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            out.push(decode("products", bytes.value())?);
        }
        Ok(out)
    }

    fn visit_products(&self, f: &mut dyn FnMut(Product) -> bool) -> Result<()> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(PRODUCTS)?;
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            if !f(decode("products", bytes.value())?) {
                break;
            }
        }
        Ok(())
    }

    fn product_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(PRODUCTS)?.len()?)
    }

    fn product(&self, id: ProductId) -> Result<Option<Product>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(PRODUCTS)?;
        let found = table.get(id)?;
        found.map(|b| decode("products", b.value())).transpose()
    }

    fn product_by_handle(&self, handle: &str) -> Result<Option<Product>> {
        let txn = self.db().begin_read()?;
        let Some(id) = txn.open_table(HANDLES)?.get(handle)?.map(|g| g.value()) else {
            return Ok(None);
        };
        let table = txn.open_table(PRODUCTS)?;
        let found = table.get(id)?;
        found.map(|b| decode("products", b.value())).transpose()
    }

    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>> {
        let txn = self.db().begin_read()?;
        let Some(id) = txn.open_multimap_table(SKUS)?.get(sku)?.next().transpose()?.map(|g| g.value()) else {
            return Ok(None);
        };
        let table = txn.open_table(PRODUCTS)?;
        let found = table.get(id)?;
        found.map(|b| decode("products", b.value())).transpose()
    }
}

/// Merges `incoming` (same handle, later in the same import) into `stored`:
/// variants with a known SKU are replaced, new ones appended, and fields the
/// first row left empty are filled. Returns (variants created, updated).
fn merge_variants(stored: &mut Product, incoming: Product) -> (u64, u64) {
    let (mut created, mut updated) = (0, 0);
    for v in incoming.variants {
        match stored.variants.iter_mut().find(|s| same_variant(s, &v)) {
            Some(slot) => {
                *slot = v;
                updated += 1;
            }
            None => {
                stored.variants.push(v);
                created += 1;
            }
        }
    }
    if stored.title.is_empty() {
        stored.title = incoming.title;
    }
    if stored.description.is_empty() {
        stored.description = incoming.description;
    }
    stored.vendor = stored.vendor.take().or(incoming.vendor);
    stored.category = stored.category.or(incoming.category);
    stored.raw_category = stored.raw_category.take().or(incoming.raw_category);
    stored.gender = stored.gender.or(incoming.gender);
    stored.image_url = stored.image_url.take().or(incoming.image_url);
    for tag in incoming.tags {
        if !stored.tags.contains(&tag) {
            stored.tags.push(tag);
        }
    }
    for (k, v) in incoming.attributes {
        stored.attributes.entry(k).or_insert(v);
    }
    stored.quality_issues.extend(incoming.quality_issues);
    (created, updated)
}
