//! Catalog import and normalization: parsers for Shopify, Google Merchant, generic CSV and JSON Lines; the jewelry vocabulary; the data-quality report.
//!
//! Everything here reads from a `std::io::Read` handed in by the caller and
//! returns model values; the crate opens no file and knows no store. Readers
//! stream: memory stays bounded by the longest accepted record
//! ([`MAX_RECORD_BYTES`]) and one product's rows, whatever the file size.
//!
//! Entry points: [`read_catalog`], [`read_orders`], [`read_inventory`],
//! [`quality_report`], and [`normalize::extract_attributes`] for the
//! query-side parsing of metals, stones and categories that search reuses.

mod catalog;
mod error;
pub mod events;
mod format;
mod inventory;
mod mapping;
pub mod normalize;
mod orders;
mod quality;
mod realign;
mod records;
pub mod tickets;
mod vocab;

pub use catalog::fields::slug;
pub use catalog::{read_catalog, CatalogReader, ReadOptions};
pub use error::{Error, Result};
pub use format::Format;
pub use inventory::{read_inventory, InventoryReader};
pub use mapping::{Mapping, Target};
pub use normalize::{extract_attributes, Extracted};
pub use orders::{parse_datetime, read_orders, OrdersReader};
pub use quality::{quality_report, AttributeCounts, ProductIssue, QualityReport};
pub use records::{looks_utf16, MAX_RECORD_BYTES, MAX_SKIPPED_KEPT, UTF16_MESSAGE};
pub use vocab::Vocabulary;
