//! The table layout. Values are JSON bytes of `model` types unless noted;
//! index tables map a natural key to a primary key and are written in the same
//! transaction as the record they point to.

use redb::{
    MultimapTableDefinition, MultimapTableHandle, ReadableMultimapTable, ReadableTable, TableDefinition,
    TableHandle, WriteTransaction,
};

use crate::Result;

/// Product id -> `Product` JSON.
pub(crate) const PRODUCTS: TableDefinition<u64, &[u8]> = TableDefinition::new("products");
/// Handle -> product id.
pub(crate) const HANDLES: TableDefinition<&str, u64> = TableDefinition::new("product_handles");
/// Variant SKU -> ids of every product with that SKU (a multimap: real
/// catalogs repeat SKUs, and dropping one product's claim must not orphan
/// another's).
pub(crate) const SKUS: MultimapTableDefinition<&str, u64> =
    MultimapTableDefinition::new("product_sku_owners");
/// The single-valued SKU index of stores written before the multimap; read
/// once by [`create_all`] to migrate, then deleted.
const OLD_SKUS: TableDefinition<&str, u64> = TableDefinition::new("product_skus");
/// (order id, line number) -> `OrderLine` JSON.
pub(crate) const ORDER_LINES: TableDefinition<(&str, u32), &[u8]> = TableDefinition::new("order_lines");
/// (sku, location, as_of) -> `InventoryLevel` JSON.
pub(crate) const INVENTORY: TableDefinition<(&str, &str, i64), &[u8]> = TableDefinition::new("inventory");
/// (at, event id) -> `Event` JSON: the time index is the primary copy.
pub(crate) const EVENTS: TableDefinition<(i64, &str), &[u8]> = TableDefinition::new("events");
/// Event id -> at, for deduplication and to find the record.
pub(crate) const EVENT_IDS: TableDefinition<&str, i64> = TableDefinition::new("event_ids");
/// HMAC-SHA256 hex of a forgotten customer id (under the `erasure` secret)
/// -> when it was forgotten; see `erasure`.
pub(crate) const ERASED: TableDefinition<&str, i64> = TableDefinition::new("erased_customers");
/// Plain SHA-256 hex entries of stores written before the secret existed.
pub(crate) const ERASED_SHA256: TableDefinition<&str, i64> = TableDefinition::new("erased_customers_sha256");
/// Name -> secret bytes of this store (the erasure list's key).
pub(crate) const SECRETS: TableDefinition<&str, &[u8]> = TableDefinition::new("secrets");
/// (collection, key) -> JSON text.
pub(crate) const DOCS: TableDefinition<(&str, &str), &str> = TableDefinition::new("docs");
/// Task id -> JSON text.
pub(crate) const TASKS: TableDefinition<&str, &str> = TableDefinition::new("tasks");
/// Key id -> `StoredKey` JSON (hash, role, label).
pub(crate) const KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("api_keys");
/// Ticket id -> `Ticket` JSON.
pub(crate) const TICKETS: TableDefinition<&str, &[u8]> = TableDefinition::new("tickets");
/// Message id -> `OutboxMessage` JSON.
pub(crate) const OUTBOX: TableDefinition<&str, &[u8]> = TableDefinition::new("outbox");
/// (next attempt, message id) of pending messages.
pub(crate) const OUTBOX_DUE: TableDefinition<(i64, &str), ()> = TableDefinition::new("outbox_due");
/// Sequence number -> `Decision` JSON, hash-chained (see `decisions`).
pub(crate) const DECISIONS: TableDefinition<u64, &[u8]> = TableDefinition::new("decisions");
/// Sequence number -> `AuditEntry` JSON.
pub(crate) const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");
/// Counters.
pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("meta");

pub(crate) const CATALOG_VERSION: &str = "catalog_version";
pub(crate) const NEXT_PRODUCT_ID: &str = "next_product_id";

pub(crate) fn create_all(txn: &WriteTransaction) -> Result<()> {
    txn.open_table(PRODUCTS)?;
    txn.open_table(HANDLES)?;
    txn.open_multimap_table(SKUS)?;
    migrate_old_sku_index(txn)?;
    txn.open_table(ORDER_LINES)?;
    txn.open_table(INVENTORY)?;
    txn.open_table(EVENTS)?;
    txn.open_table(EVENT_IDS)?;
    txn.open_table(ERASED)?;
    txn.open_table(ERASED_SHA256)?;
    txn.open_table(SECRETS)?;
    crate::erasure::init(txn)?;
    txn.open_table(DOCS)?;
    txn.open_table(TASKS)?;
    txn.open_table(KEYS)?;
    txn.open_table(AUDIT)?;
    txn.open_table(TICKETS)?;
    txn.open_table(OUTBOX)?;
    txn.open_table(OUTBOX_DUE)?;
    txn.open_table(DECISIONS)?;
    txn.open_table(META)?;
    Ok(())
}

/// Copies every table of `from` into `to` (a fresh file): see
/// `Store::rewrite`. A table this list does not know is an error rather than
/// something silently left behind.
pub(crate) fn copy_all(from: &WriteTransaction, to: &WriteTransaction) -> Result<()> {
    const COPIED: &[&str] = &[
        "products",
        "product_handles",
        "order_lines",
        "inventory",
        "events",
        "event_ids",
        "erased_customers",
        "erased_customers_sha256",
        "secrets",
        "docs",
        "tasks",
        "api_keys",
        "audit",
        "tickets",
        "outbox",
        "outbox_due",
        "decisions",
        "meta",
    ];
    for table in from.list_tables()? {
        if !COPIED.contains(&table.name()) {
            return Err(crate::Error::Invalid(format!(
                "the store holds a table it cannot copy: {}",
                table.name()
            )));
        }
    }
    for table in from.list_multimap_tables()? {
        if table.name() != SKUS.name() {
            return Err(crate::Error::Invalid(format!(
                "the store holds a table it cannot copy: {}",
                table.name()
            )));
        }
    }
    copy(from, to, PRODUCTS)?;
    copy(from, to, HANDLES)?;
    {
        let source = from.open_multimap_table(SKUS)?;
        let mut target = to.open_multimap_table(SKUS)?;
        for entry in source.iter()? {
            let (sku, ids) = entry?;
            for id in ids {
                target.insert(sku.value(), id?.value())?;
            }
        }
    }
    copy(from, to, ORDER_LINES)?;
    copy(from, to, INVENTORY)?;
    copy(from, to, EVENTS)?;
    copy(from, to, EVENT_IDS)?;
    copy(from, to, ERASED)?;
    copy(from, to, ERASED_SHA256)?;
    copy(from, to, SECRETS)?;
    copy(from, to, DOCS)?;
    copy(from, to, TASKS)?;
    copy(from, to, KEYS)?;
    copy(from, to, AUDIT)?;
    copy(from, to, TICKETS)?;
    copy(from, to, OUTBOX)?;
    copy(from, to, OUTBOX_DUE)?;
    copy(from, to, DECISIONS)?;
    copy(from, to, META)?;
    Ok(())
}

fn copy<K: redb::Key + 'static, V: redb::Value + 'static>(
    from: &WriteTransaction,
    to: &WriteTransaction,
    table: TableDefinition<K, V>,
) -> Result<()> {
    let source = from.open_table(table)?;
    let mut target = to.open_table(table)?;
    for entry in source.iter()? {
        let (key, value) = entry?;
        target.insert(key.value(), value.value())?;
    }
    Ok(())
}

fn migrate_old_sku_index(txn: &WriteTransaction) -> Result<()> {
    if !txn.list_tables()?.any(|t| t.name() == OLD_SKUS.name()) {
        return Ok(());
    }
    {
        let old = txn.open_table(OLD_SKUS)?;
        let mut new = txn.open_multimap_table(SKUS)?;
        for entry in old.iter()? {
            let (sku, id) = entry?;
            new.insert(sku.value(), id.value())?;
        }
    }
    txn.delete_table(OLD_SKUS)?;
    Ok(())
}

pub(crate) fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Model types serialise infallibly (no maps with non-string keys).
    serde_json::to_vec(value).unwrap_or_default()
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(table: &'static str, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| crate::Error::Corrupt { table, source })
}
