//! The table layout. Values are JSON bytes of `model` types unless noted;
//! index tables map a natural key to a primary key and are written in the same
//! transaction as the record they point to.

use redb::{MultimapTableDefinition, ReadableTable, TableDefinition, TableHandle, WriteTransaction};

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
/// sha256 hex of a forgotten customer id -> when it was forgotten.
pub(crate) const ERASED: TableDefinition<&str, i64> = TableDefinition::new("erased_customers");
/// (collection, key) -> JSON text.
pub(crate) const DOCS: TableDefinition<(&str, &str), &str> = TableDefinition::new("docs");
/// Task id -> JSON text.
pub(crate) const TASKS: TableDefinition<&str, &str> = TableDefinition::new("tasks");
/// Key id -> `StoredKey` JSON (hash, role, label).
pub(crate) const KEYS: TableDefinition<u64, &[u8]> = TableDefinition::new("api_keys");
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
    txn.open_table(DOCS)?;
    txn.open_table(TASKS)?;
    txn.open_table(KEYS)?;
    txn.open_table(AUDIT)?;
    txn.open_table(META)?;
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
