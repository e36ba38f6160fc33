//! Order lines and inventory snapshots.
//!
//! Order lines are keyed by (order id, line number), so re-importing the same
//! export changes nothing. A line whose SKU the catalog does not know creates a
//! minimal product (handle = SKU, `order_only = true`) so that order-only data
//! sets still have products to forecast and recommend.

use std::collections::HashSet;

use model::{InventoryLevel, OrderLine, Product, Variant};
use redb::{ReadableTable, ReadableTableMetadata};

use crate::catalog::{CatalogTables, CatalogTx};
use crate::erasure::Erased;
use crate::error::SourceError;
use crate::tables::{decode, encode, INVENTORY, ORDER_LINES};
use crate::{Error, Redb, Result, Store};

/// What an orders import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrdersOutcome {
    pub lines_read: u64,
    /// Lines not seen before.
    pub lines_inserted: u64,
    /// Lines already stored under the same (order id, line number); rewritten.
    pub lines_unchanged: u64,
    /// Minimal products created for SKUs the catalog did not have.
    pub products_created: u64,
    pub catalog_version: u64,
}

/// Order lines and inventory: a [`Backend`](crate::Backend)'s part.
pub trait OrderStore {
    /// Imports order lines in one write transaction; the first `Err` item
    /// aborts the import and nothing is written. Callers use
    /// [`Store::import_order_lines`].
    fn import_order_lines_from(
        &self,
        items: &mut dyn Iterator<Item = Result<OrderLine, SourceError>>,
    ) -> Result<OrdersOutcome>;

    /// Order lines and inventory snapshots stored. With the catalog version
    /// and the event count, a cheap key for values built from all of them.
    fn activity_counts(&self) -> Result<(u64, u64)>;

    /// Every order line, sorted by `ordered_at` (then order id and line).
    fn order_lines(&self) -> Result<Vec<OrderLine>>;

    /// The lines of one order, by line number.
    fn order(&self, order_id: &str) -> Result<Vec<OrderLine>>;

    /// Imports inventory snapshots in one write transaction (see
    /// [`Store::import_inventory`]); returns the number of levels written.
    fn import_inventory_from(
        &self,
        items: &mut dyn Iterator<Item = Result<InventoryLevel, SourceError>>,
        now: i64,
    ) -> Result<usize>;

    /// Every snapshot, sorted by SKU, location and `as_of`.
    fn inventory_snapshots(&self) -> Result<Vec<InventoryLevel>>;
}

impl Store {
    /// Imports order lines in one write transaction; the first `Err` item
    /// aborts the import and nothing is written.
    pub fn import_order_lines<I, E>(&self, items: I) -> Result<OrdersOutcome>
    where
        I: IntoIterator<Item = Result<OrderLine, E>>,
        E: Into<SourceError>,
    {
        let mut items = items.into_iter().map(|item| item.map_err(Into::into));
        self.import_order_lines_from(&mut items)
    }

    /// Imports inventory snapshots in one write transaction. A level without
    /// `as_of` is stamped with the import time, so history accumulates.
    /// Returns the number of levels written.
    /// `now` (Unix seconds, from the caller's clock) is that import time.
    pub fn import_inventory<I, E>(&self, items: I, now: i64) -> Result<usize>
    where
        I: IntoIterator<Item = Result<InventoryLevel, E>>,
        E: Into<SourceError>,
    {
        let mut items = items.into_iter().map(|item| item.map_err(Into::into));
        self.import_inventory_from(&mut items, now)
    }

    /// The latest snapshot per (SKU, location), sorted by SKU then location.
    pub fn inventory(&self) -> Result<Vec<InventoryLevel>> {
        let all = self.inventory_snapshots()?;
        let mut out: Vec<InventoryLevel> = Vec::new();
        for level in all {
            // Sorted by (sku, location, as_of): the last of a run is the latest.
            match out.last_mut() {
                Some(last) if last.sku == level.sku && last.location == level.location => *last = level,
                _ => out.push(level),
            }
        }
        Ok(out)
    }

    /// Every snapshot, sorted by `as_of`.
    pub fn inventory_history(&self) -> Result<Vec<InventoryLevel>> {
        let mut all = self.inventory_snapshots()?;
        all.sort_by_key(|l| l.as_of);
        Ok(all)
    }
}

/// Lines handed to a backend's `put` at once.
const LINE_BATCH: usize = 5_000;

/// The orders import's rules over a backend's write transaction: `put`
/// writes a batch of lines, in order (a later line of the same order id and
/// line number replaces an earlier one), and says of each whether its
/// (order id, line number) was stored already, by an earlier import or
/// earlier in this one. The caller commits.
pub(crate) fn import_lines(
    cat: &mut impl CatalogTx,
    erased: &Erased,
    put: &mut dyn FnMut(&[OrderLine]) -> Result<Vec<bool>>,
    items: &mut dyn Iterator<Item = Result<OrderLine, SourceError>>,
) -> Result<OrdersOutcome> {
    let mut batch: Vec<OrderLine> = Vec::with_capacity(LINE_BATCH);
    let mut write = |batch: &mut Vec<OrderLine>, out: &mut OrdersOutcome| -> Result<()> {
        for existed in put(batch)? {
            if existed {
                out.lines_unchanged += 1;
            } else {
                out.lines_inserted += 1;
            }
        }
        batch.clear();
        Ok(())
    };
    let mut out = OrdersOutcome::default();
    // SKUs known to have a product, to skip the index look-up on the next
    // line of the same SKU.
    let mut known: HashSet<String> = HashSet::new();
    for item in items {
        let mut line = item.map_err(Error::Aborted)?;
        out.lines_read += 1;
        if line.order_id.is_empty() {
            return Err(Error::Aborted(format!("order line {} has no order id", out.lines_read).into()));
        }
        if let Some(c) = &line.customer_id {
            if erased.contains(c) {
                line.customer_id = None;
            }
        }
        if !line.sku.is_empty() && !known.contains(&line.sku) {
            if cat.sku_id(&line.sku)?.is_none() {
                create_order_only_product(cat, &line)?;
                out.products_created += 1;
            }
            known.insert(line.sku.clone());
        }
        batch.push(line);
        if batch.len() == LINE_BATCH {
            write(&mut batch, &mut out)?;
        }
    }
    write(&mut batch, &mut out)?;
    out.catalog_version = if out.products_created > 0 { cat.bump_version()? } else { cat.version()? };
    cat.flush()?;
    Ok(out)
}

/// Checks an inventory level and stamps it with `now` when it has no
/// `as_of`; `n` is how many came before it.
pub(crate) fn check_level(level: &mut InventoryLevel, n: usize, now: i64) -> Result<i64> {
    if level.sku.is_empty() {
        return Err(Error::Aborted(format!("inventory level {} has no SKU", n + 1).into()));
    }
    Ok(*level.as_of.get_or_insert(now))
}

impl OrderStore for Redb {
    fn import_order_lines_from(
        &self,
        items: &mut dyn Iterator<Item = Result<OrderLine, SourceError>>,
    ) -> Result<OrdersOutcome> {
        let txn = self.begin_write()?;
        let erased = Erased::read(&txn)?;
        let out = {
            let mut lines = txn.open_table(ORDER_LINES)?;
            let mut cat = CatalogTables::open(&txn)?;
            let mut put = |batch: &[OrderLine]| -> Result<Vec<bool>> {
                let mut existed = Vec::with_capacity(batch.len());
                for line in batch {
                    let key = (line.order_id.as_str(), line.line_no);
                    existed.push(lines.insert(key, encode(line).as_slice())?.is_some());
                }
                Ok(existed)
            };
            import_lines(&mut cat, &erased, &mut put, items)?
        };
        txn.commit()?;
        Ok(out)
    }

    fn activity_counts(&self) -> Result<(u64, u64)> {
        let txn = self.db().begin_read()?;
        Ok((txn.open_table(ORDER_LINES)?.len()?, txn.open_table(INVENTORY)?.len()?))
    }

    fn order_lines(&self) -> Result<Vec<OrderLine>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(ORDER_LINES)?;
        let mut out: Vec<OrderLine> = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            out.push(decode("order_lines", bytes.value())?);
        }
        // Stable sort: lines of one instant keep their (order, line) order.
        out.sort_by_key(|l| l.ordered_at);
        Ok(out)
    }

    fn order(&self, order_id: &str) -> Result<Vec<OrderLine>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(ORDER_LINES)?;
        let mut out = Vec::new();
        for entry in table.range((order_id, 0u32)..=(order_id, u32::MAX))? {
            out.push(decode("order_lines", entry?.1.value())?);
        }
        Ok(out)
    }

    fn import_inventory_from(
        &self,
        items: &mut dyn Iterator<Item = Result<InventoryLevel, SourceError>>,
        now: i64,
    ) -> Result<usize> {
        let txn = self.begin_write()?;
        let mut n = 0;
        {
            let mut table = txn.open_table(INVENTORY)?;
            for item in items {
                let mut level = item.map_err(Error::Aborted)?;
                let as_of = check_level(&mut level, n, now)?;
                table.insert(
                    (level.sku.as_str(), level.location.as_str(), as_of),
                    encode(&level).as_slice(),
                )?;
                n += 1;
            }
        }
        txn.commit()?;
        Ok(n)
    }

    fn inventory_snapshots(&self) -> Result<Vec<InventoryLevel>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(INVENTORY)?;
        let mut out = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            let (_, bytes) = entry?;
            out.push(decode("inventory", bytes.value())?);
        }
        Ok(out)
    }
}

fn create_order_only_product(cat: &mut impl CatalogTx, line: &OrderLine) -> Result<()> {
    let mut handle = line.sku.clone();
    if cat.handle_id(&handle)?.is_some() {
        // The SKU is some catalog product's handle: keep the two apart.
        handle = format!("sku-{}", line.sku);
    }
    let id = cat.next_id()?;
    let product = Product {
        id,
        handle,
        title: line.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| line.sku.clone()),
        created_at: line.ordered_at,
        order_only: true,
        variants: vec![Variant {
            sku: line.sku.clone(),
            price: line.unit_price.filter(|p| p.minor > 0),
            ..Variant::default()
        }],
        ..Product::default()
    };
    cat.save(&product)
}
