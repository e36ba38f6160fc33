//! The catalog, order lines, inventory and tickets in PostgreSQL. Imports
//! run the embedded store's rules over [`PgCatalog`], which holds the handle
//! and SKU indexes in memory for the transaction (the write lock keeps anyone
//! else from changing them meanwhile) and writes every change through.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use model::{InventoryLevel, OrderLine, Product, ProductId, Ticket};
use postgres::Transaction;

use super::{big, body, json, unbig, Postgres};
use crate::catalog::{self, CatalogTx};
use crate::error::SourceError;
use crate::orders::{self, check_level};
use crate::tables::{decode, CATALOG_VERSION, NEXT_PRODUCT_ID};
use crate::tickets;
use crate::{
    CatalogStore, DocStore, Error, ImportConfig, ImportOutcome, OrderStore, OrdersOutcome, Result,
    TicketStore, TicketsOutcome,
};

/// A write transaction that several users borrow in turn.
pub(super) type SharedTx<'b, 't> = RefCell<&'b mut Transaction<'t>>;

/// Buffered product records written per statement at a flush.
const FLUSH_EVERY: usize = 5_000;

/// The catalog tables of one write transaction. The handle and SKU indexes
/// are read whole at the start (the write lock keeps anyone else from
/// changing them meanwhile); changes to them and to product records are
/// buffered and written a few statements at a time, since a statement per
/// change costs a round trip to the server each.
pub(super) struct PgCatalog<'a, 'b, 't> {
    tx: &'a SharedTx<'b, 't>,
    handles: HashMap<String, ProductId>,
    /// SKU -> its products, oldest first.
    skus: HashMap<String, Vec<ProductId>>,
    /// Product records written (`Some` JSON) or deleted (`None`).
    records: HashMap<ProductId, Option<String>>,
    /// Handles set or unset since the last flush.
    handles_changed: HashSet<String>,
    /// (SKU, product) claims added (`true`) or removed since the last flush.
    skus_changed: HashMap<(String, ProductId), bool>,
    /// The next product id, once read.
    next_id: Option<ProductId>,
}

impl<'a, 'b, 't> PgCatalog<'a, 'b, 't> {
    pub(super) fn open(tx: &'a SharedTx<'b, 't>) -> Result<PgCatalog<'a, 'b, 't>> {
        let mut handles = HashMap::new();
        for row in tx.borrow_mut().query("SELECT handle, product_id FROM product_handles", &[])? {
            handles.insert(row.try_get(0)?, unbig(row.try_get(1)?));
        }
        let mut skus: HashMap<String, Vec<ProductId>> = HashMap::new();
        for row in
            tx.borrow_mut().query("SELECT sku, product_id FROM product_skus ORDER BY sku, product_id", &[])?
        {
            skus.entry(row.try_get(0)?).or_default().push(unbig(row.try_get(1)?));
        }
        Ok(PgCatalog {
            tx,
            handles,
            skus,
            records: HashMap::new(),
            handles_changed: HashSet::new(),
            skus_changed: HashMap::new(),
            next_id: None,
        })
    }

    fn counter(&self, name: &str) -> Result<u64> {
        let row = self.tx.borrow_mut().query_opt("SELECT value FROM meta WHERE name = $1", &[&name])?;
        Ok(row.map(|r| r.try_get::<_, i64>(0)).transpose()?.map_or(0, unbig))
    }
}

impl CatalogTx for PgCatalog<'_, '_, '_> {
    fn load(&self, id: ProductId) -> Result<Option<Product>> {
        if let Some(record) = self.records.get(&id) {
            return record.as_deref().map(|json| decode("products", json.as_bytes())).transpose();
        }
        let row =
            self.tx.borrow_mut().query_opt("SELECT body::text FROM products WHERE id = $1", &[&big(id)])?;
        row.map(|r| body("products", &r, 0)).transpose()
    }

    fn handle_id(&self, handle: &str) -> Result<Option<ProductId>> {
        Ok(self.handles.get(handle).copied())
    }

    fn sku_owners(&self, sku: &str) -> Result<Vec<ProductId>> {
        Ok(self.skus.get(sku).cloned().unwrap_or_default())
    }

    fn next_id(&mut self) -> Result<ProductId> {
        let id = match self.next_id {
            Some(id) => id,
            None => self.counter(NEXT_PRODUCT_ID)?.max(1),
        };
        self.next_id = Some(id + 1);
        Ok(id)
    }

    fn put_record(&mut self, p: &Product) -> Result<()> {
        self.records.insert(p.id, Some(json(p)));
        if self.records.len() >= FLUSH_EVERY {
            self.flush()?;
        }
        Ok(())
    }

    fn delete_record(&mut self, id: ProductId) -> Result<()> {
        self.records.insert(id, None);
        Ok(())
    }

    fn set_handle(&mut self, handle: &str, id: ProductId) -> Result<()> {
        if self.handles.get(handle) != Some(&id) {
            self.handles.insert(handle.to_string(), id);
            self.handles_changed.insert(handle.to_string());
        }
        Ok(())
    }

    fn unset_handle(&mut self, handle: &str) -> Result<()> {
        if self.handles.remove(handle).is_some() {
            self.handles_changed.insert(handle.to_string());
        }
        Ok(())
    }

    fn add_sku(&mut self, sku: &str, id: ProductId) -> Result<()> {
        let owners = self.skus.entry(sku.to_string()).or_default();
        if let Err(at) = owners.binary_search(&id) {
            owners.insert(at, id);
            self.skus_changed.insert((sku.to_string(), id), true);
        }
        Ok(())
    }

    fn remove_sku(&mut self, sku: &str, id: ProductId) -> Result<()> {
        if let Some(owners) = self.skus.get_mut(sku) {
            if let Ok(at) = owners.binary_search(&id) {
                owners.remove(at);
                self.skus_changed.insert((sku.to_string(), id), false);
            }
            if owners.is_empty() {
                self.skus.remove(sku);
            }
        }
        Ok(())
    }

    fn unseen(&mut self, seen: &HashSet<ProductId>) -> Result<Vec<Product>> {
        self.flush()?;
        let rows = self.tx.borrow_mut().query("SELECT id, body::text FROM products ORDER BY id", &[])?;
        let mut out = Vec::new();
        for row in rows {
            if seen.contains(&unbig(row.try_get(0)?)) {
                continue;
            }
            let p: Product = body("products", &row, 1)?;
            if !p.order_only {
                out.push(p);
            }
        }
        Ok(out)
    }

    fn version(&self) -> Result<u64> {
        self.counter(CATALOG_VERSION)
    }

    fn bump_version(&mut self) -> Result<u64> {
        bump(&mut self.tx.borrow_mut(), CATALOG_VERSION)
    }

    fn count(&mut self) -> Result<u64> {
        self.flush()?;
        let row = self.tx.borrow_mut().query_one("SELECT count(*) FROM products", &[])?;
        Ok(unbig(row.try_get(0)?))
    }

    fn flush(&mut self) -> Result<()> {
        let mut tx = self.tx.borrow_mut();
        let (mut put_ids, mut put_bodies, mut gone) = (Vec::new(), Vec::new(), Vec::new());
        for (id, record) in self.records.drain() {
            match record {
                Some(json) => {
                    put_ids.push(big(id));
                    put_bodies.push(json);
                }
                None => gone.push(big(id)),
            }
        }
        if !gone.is_empty() {
            tx.execute("DELETE FROM products WHERE id = ANY($1)", &[&gone])?;
        }
        if !put_ids.is_empty() {
            tx.execute(
                "INSERT INTO products (id, body) SELECT i, b::jsonb FROM unnest($1::bigint[], $2::text[]) AS t(i, b) \
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                &[&put_ids, &put_bodies],
            )?;
        }
        if !self.handles_changed.is_empty() {
            let changed: Vec<String> = self.handles_changed.drain().collect();
            tx.execute("DELETE FROM product_handles WHERE handle = ANY($1)", &[&changed])?;
            let (handles, ids): (Vec<&str>, Vec<i64>) =
                changed.iter().filter_map(|h| self.handles.get(h).map(|&id| (h.as_str(), big(id)))).unzip();
            tx.execute(
                "INSERT INTO product_handles (handle, product_id) SELECT * FROM unnest($1::text[], $2::bigint[])",
                &[&handles, &ids],
            )?;
        }
        if !self.skus_changed.is_empty() {
            let (mut add_skus, mut add_ids, mut drop_skus, mut drop_ids) = (vec![], vec![], vec![], vec![]);
            for ((sku, id), present) in self.skus_changed.drain() {
                if present {
                    add_skus.push(sku);
                    add_ids.push(big(id));
                } else {
                    drop_skus.push(sku);
                    drop_ids.push(big(id));
                }
            }
            tx.execute(
                "DELETE FROM product_skus WHERE (sku, product_id) IN \
                 (SELECT * FROM unnest($1::text[], $2::bigint[]))",
                &[&drop_skus, &drop_ids],
            )?;
            tx.execute(
                "INSERT INTO product_skus (sku, product_id) SELECT * FROM unnest($1::text[], $2::bigint[]) \
                 ON CONFLICT DO NOTHING",
                &[&add_skus, &add_ids],
            )?;
        }
        if let Some(next) = self.next_id {
            tx.execute(
                "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                &[&NEXT_PRODUCT_ID, &big(next)],
            )?;
        }
        Ok(())
    }
}

/// Adds one to the counter `name`; returns its new value.
pub(super) fn bump(tx: &mut Transaction<'_>, name: &str) -> Result<u64> {
    let row = tx.query_one(
        "INSERT INTO meta (name, value) VALUES ($1, 1) \
         ON CONFLICT (name) DO UPDATE SET value = meta.value + 1 RETURNING value",
        &[&name],
    )?;
    Ok(unbig(row.try_get(0)?))
}

impl CatalogStore for Postgres {
    fn catalog_version(&self) -> Result<u64> {
        self.counter(CATALOG_VERSION)
    }

    fn import_catalog_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Product, SourceError>>,
        config: &ImportConfig,
    ) -> Result<ImportOutcome> {
        self.write(|tx| {
            let tx = RefCell::new(tx);
            catalog::import(&mut PgCatalog::open(&tx)?, items, config)
        })
    }

    fn products(&self) -> Result<Vec<Product>> {
        let mut out = Vec::new();
        self.visit_products(&mut |p| {
            out.push(p);
            true
        })?;
        Ok(out)
    }

    fn visit_products(&self, f: &mut dyn FnMut(Product) -> bool) -> Result<()> {
        self.visit_pages(
            "products",
            "SELECT id, body::text FROM products WHERE id > $1 ORDER BY id LIMIT $2",
            f,
        )
    }

    fn product_count(&self) -> Result<u64> {
        let n = self.cached("count:products", |c| {
            Ok(c.query_one("SELECT count(*) FROM products", &[])?.try_get(0)?)
        })?;
        Ok(unbig(n))
    }

    fn product(&self, id: ProductId) -> Result<Option<Product>> {
        self.record("products", "SELECT body::text FROM products WHERE id = $1", &[&big(id)])
    }

    fn product_by_handle(&self, handle: &str) -> Result<Option<Product>> {
        self.record(
            "products",
            "SELECT p.body::text FROM product_handles h JOIN products p ON p.id = h.product_id WHERE h.handle = $1",
            &[&handle],
        )
    }

    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>> {
        self.record(
            "products",
            "SELECT p.body::text FROM product_skus s JOIN products p ON p.id = s.product_id \
             WHERE s.sku = $1 ORDER BY s.product_id LIMIT 1",
            &[&sku],
        )
    }
}

impl OrderStore for Postgres {
    fn import_order_lines_from(
        &self,
        items: &mut dyn Iterator<Item = Result<OrderLine, SourceError>>,
    ) -> Result<OrdersOutcome> {
        self.write(|tx| {
            let erased = super::events::erased(tx)?;
            let tx = RefCell::new(tx);
            let mut cat = PgCatalog::open(&tx)?;
            let mut put =
                |batch: &[OrderLine]| -> Result<Vec<bool>> { put_lines(&mut tx.borrow_mut(), batch) };
            orders::import_lines(&mut cat, &erased, &mut put, items)
        })
    }

    fn activity_counts(&self) -> Result<(u64, u64)> {
        let lines = self.cached("count:order_lines", |c| {
            Ok(c.query_one("SELECT count(*) FROM order_lines", &[])?.try_get(0)?)
        })?;
        let levels = self.cached("count:inventory", |c| {
            Ok(c.query_one("SELECT count(*) FROM inventory", &[])?.try_get(0)?)
        })?;
        Ok((unbig(lines), unbig(levels)))
    }

    fn order_lines(&self) -> Result<Vec<OrderLine>> {
        self.records(
            "order_lines",
            "SELECT body::text FROM order_lines ORDER BY ordered_at, order_id, line_no",
            &[],
        )
    }

    fn order(&self, order_id: &str) -> Result<Vec<OrderLine>> {
        self.records(
            "order_lines",
            "SELECT body::text FROM order_lines WHERE order_id = $1 ORDER BY line_no",
            &[&order_id],
        )
    }

    fn import_inventory_from(
        &self,
        items: &mut dyn Iterator<Item = Result<InventoryLevel, SourceError>>,
        now: i64,
    ) -> Result<usize> {
        self.write(|tx| {
            let mut n = 0;
            let mut batch: Vec<(i64, InventoryLevel)> = Vec::with_capacity(LEVEL_BATCH);
            for item in items {
                let mut level = item.map_err(Error::Aborted)?;
                let as_of = check_level(&mut level, n, now)?;
                batch.push((as_of, level));
                n += 1;
                if batch.len() == LEVEL_BATCH {
                    put_levels(tx, &mut batch)?;
                }
            }
            put_levels(tx, &mut batch)?;
            Ok(n)
        })
    }

    fn inventory_snapshots(&self) -> Result<Vec<InventoryLevel>> {
        self.records("inventory", "SELECT body::text FROM inventory ORDER BY sku, location, as_of", &[])
    }
}

impl TicketStore for Postgres {
    fn import_tickets_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Ticket, SourceError>>,
    ) -> Result<TicketsOutcome> {
        self.write(|tx| {
            let erased = super::events::erased(tx)?;
            let tx = RefCell::new(tx);
            let mut get = |id: &str| -> Result<Option<Ticket>> {
                let row =
                    tx.borrow_mut().query_opt("SELECT body::text FROM tickets WHERE id = $1", &[&id])?;
                row.map(|r| body("tickets", &r, 0)).transpose()
            };
            let mut put = |t: &Ticket| put_ticket(&mut tx.borrow_mut(), t);
            tickets::import(&erased, &mut get, &mut put, items)
        })
    }

    fn put_ticket(&self, ticket: &Ticket, counter: Option<&str>) -> Result<()> {
        tickets::check(ticket)?;
        self.write(|tx| {
            put_ticket(tx, ticket)?;
            if let Some(c) = counter {
                bump(tx, c)?;
            }
            Ok(())
        })
    }

    fn ticket(&self, id: &str) -> Result<Option<Ticket>> {
        self.record("tickets", "SELECT body::text FROM tickets WHERE id = $1", &[&id])
    }

    fn tickets(&self) -> Result<Vec<Ticket>> {
        self.records("tickets", "SELECT body::text FROM tickets ORDER BY id", &[])
    }

    fn ticket_count(&self) -> Result<u64> {
        let n = self.cached("count:tickets", |c| {
            Ok(c.query_one("SELECT count(*) FROM tickets", &[])?.try_get(0)?)
        })?;
        Ok(unbig(n))
    }
}

/// The positions of the last item of each key, in order: what a batch
/// upsert may hold (one row may not be changed twice in one statement), and
/// what writing the items one by one would leave.
fn last_of_each<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>) -> Vec<usize> {
    let mut last: HashMap<K, usize> = HashMap::new();
    for (i, key) in keys.enumerate() {
        last.insert(key, i);
    }
    let mut kept: Vec<usize> = last.into_values().collect();
    kept.sort_unstable();
    kept
}

/// Inventory levels written per statement.
const LEVEL_BATCH: usize = 5_000;

/// Writes a batch of inventory levels in one statement (the last of a
/// (SKU, location, as_of) wins, as it does in redb) and empties the batch.
fn put_levels(tx: &mut Transaction<'_>, batch: &mut Vec<(i64, InventoryLevel)>) -> Result<()> {
    let kept = last_of_each(batch.iter().map(|(as_of, l)| (l.sku.as_str(), l.location.as_str(), *as_of)));
    let skus: Vec<&str> = kept.iter().map(|&i| batch[i].1.sku.as_str()).collect();
    let locations: Vec<&str> = kept.iter().map(|&i| batch[i].1.location.as_str()).collect();
    let as_ofs: Vec<i64> = kept.iter().map(|&i| batch[i].0).collect();
    let bodies: Vec<String> = kept.iter().map(|&i| json(&batch[i].1)).collect();
    tx.execute(
        "INSERT INTO inventory (sku, location, as_of, body) \
         SELECT s, l, a, b::jsonb FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) AS t(s, l, a, b) \
         ON CONFLICT (sku, location, as_of) DO UPDATE SET body = excluded.body",
        &[&skus, &locations, &as_ofs, &bodies],
    )?;
    batch.clear();
    Ok(())
}

/// Writes a batch of order lines in two statements; says of each whether
/// its (order id, line number) was stored already or came earlier in the
/// batch. The last line of a key is the one kept.
fn put_lines(tx: &mut Transaction<'_>, batch: &[OrderLine]) -> Result<Vec<bool>> {
    let order_ids: Vec<&str> = batch.iter().map(|l| l.order_id.as_str()).collect();
    let line_nos: Vec<i64> = batch.iter().map(|l| i64::from(l.line_no)).collect();
    let mut stored: HashSet<(String, i64)> = HashSet::new();
    for row in tx.query(
        "SELECT order_id, line_no FROM order_lines WHERE (order_id, line_no) IN \
         (SELECT * FROM unnest($1::text[], $2::bigint[]))",
        &[&order_ids, &line_nos],
    )? {
        stored.insert((row.try_get(0)?, row.try_get(1)?));
    }
    let mut seen: HashSet<(&str, i64)> = HashSet::with_capacity(batch.len());
    let existed: Vec<bool> = order_ids
        .iter()
        .zip(&line_nos)
        .map(|(&id, &no)| !seen.insert((id, no)) || stored.contains(&(id.to_string(), no)))
        .collect();
    let kept = last_of_each(order_ids.iter().copied().zip(line_nos.iter().copied()));
    let ids: Vec<&str> = kept.iter().map(|&i| order_ids[i]).collect();
    let nos: Vec<i64> = kept.iter().map(|&i| line_nos[i]).collect();
    let ats: Vec<i64> = kept.iter().map(|&i| batch[i].ordered_at).collect();
    let bodies: Vec<String> = kept.iter().map(|&i| json(&batch[i])).collect();
    tx.execute(
        "INSERT INTO order_lines (order_id, line_no, ordered_at, body) \
         SELECT o, n, a, b::jsonb FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[]) AS t(o, n, a, b) \
         ON CONFLICT (order_id, line_no) DO UPDATE SET ordered_at = excluded.ordered_at, body = excluded.body",
        &[&ids, &nos, &ats, &bodies],
    )?;
    Ok(existed)
}

fn put_ticket(tx: &mut Transaction<'_>, t: &Ticket) -> Result<()> {
    tx.execute(
        "INSERT INTO tickets (id, body) VALUES ($1, $2::text::jsonb) \
         ON CONFLICT (id) DO UPDATE SET body = excluded.body",
        &[&t.id, &json(t)],
    )?;
    Ok(())
}
