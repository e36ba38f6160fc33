//! The report of an import, printed by `loupe import ... --json` and kept as
//! the report of a finished `POST /v1/imports` task.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::wire::catalog::IssueOut;

/// What an import did. Sections that do not apply to the kind are `null`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportReport {
    /// `catalog`, `orders`, `inventory` (or `events`).
    pub kind: String,
    pub file: String,
    /// The format used (`shopify`, `google`, `csv`, `jsonl`), detected or given.
    pub format: Option<String>,
    pub rows_read: u64,
    /// Rows the parser had to skip; each has an issue with its line.
    pub rows_skipped: u64,
    pub bytes_read: u64,
    pub elapsed_ms: u64,
    pub catalog: Option<CatalogCounts>,
    pub orders: Option<OrdersCounts>,
    pub inventory: Option<InventoryCounts>,
    /// What an events import stored (`loupe import events`).
    #[serde(default)]
    pub events: Option<EventsCounts>,
    /// What a tickets import stored (`loupe import tickets`).
    #[serde(default)]
    pub tickets: Option<crate::wire::support::TicketsCounts>,
    /// What a knowledge-base import stored (`loupe import kb`).
    #[serde(default)]
    pub kb: Option<crate::wire::support::KbImported>,
    /// What a consent import stored (`loupe import consent`).
    #[serde(default)]
    pub consent: Option<crate::wire::care::ConsentCounts>,
    /// What the normalization found (catalog imports).
    pub attributes: Option<AttributeSummary>,
    /// Problems, in file order, at most [`ImportReport::MAX_ISSUES`] of them.
    pub issues: Vec<IssueOut>,
    /// All problems, including those left out of `issues`.
    pub issues_total: u64,
    /// Problem counts by code.
    pub issues_by_code: BTreeMap<String, u64>,
}

impl ImportReport {
    /// Beyond this many, issues are counted but not listed.
    pub const MAX_ISSUES: usize = 1000;
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogCounts {
    pub products_created: u64,
    pub products_updated: u64,
    /// Later rows of a handle already seen in the file, merged into it.
    pub products_merged: u64,
    pub variants_created: u64,
    pub variants_updated: u64,
    /// Products in the catalog after the import.
    pub products_total: u64,
    pub catalog_version: u64,
    /// Stored products left at their previous version because the file may
    /// not hold all their rows (a `kept_previous` issue names the line).
    #[serde(default)]
    pub products_kept: u64,
    /// Stored values kept because the file's could not be read (`kept_value`).
    #[serde(default)]
    pub values_kept: u64,
    /// Products removed because the file lacks them (`--replace` only).
    #[serde(default)]
    pub products_removed: u64,
    /// Variants removed: those of removed products and those updated
    /// products no longer have.
    #[serde(default)]
    pub variants_removed: u64,
    /// Handles of the first removed products (at most 20).
    #[serde(default)]
    pub removed_handles: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrdersCounts {
    pub lines_inserted: u64,
    /// Lines already stored (the same export imported again).
    pub lines_unchanged: u64,
    /// Minimal products created for SKUs the catalog did not have.
    pub products_created: u64,
    pub sales: u64,
    pub returns: u64,
    pub cancellations: u64,
    pub customers: u64,
    /// First and last order time (Unix seconds).
    pub first_ordered_at: Option<i64>,
    pub last_ordered_at: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryCounts {
    pub levels: u64,
    pub skus: u64,
    pub locations: u64,
}

/// What an events import did; each rejected line is also an issue
/// (`bad_event`, with its line number and reason).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsCounts {
    /// Valid events newly stored.
    pub accepted: u64,
    /// Valid events whose id was already stored (the same file imported again).
    pub duplicates: u64,
    pub rejected: u64,
}

/// How many products and variants carry each extracted attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeSummary {
    pub products: u64,
    pub variants: u64,
    pub with_category: u64,
    pub with_gender: u64,
    /// Products with at least one metal (on any variant).
    pub with_metal: u64,
    pub with_stone: u64,
    /// Variants with a price.
    pub variants_with_price: u64,
    pub variants_with_size: u64,
    pub variants_with_inventory: u64,
    /// Counts by canonical value, over products.
    pub categories: BTreeMap<String, u64>,
    pub metals: BTreeMap<String, u64>,
    pub stones: BTreeMap<String, u64>,
}

impl AttributeSummary {
    pub fn add(&mut self, p: &model::Product) {
        self.products += 1;
        self.variants += p.variants.len() as u64;
        if let Some(c) = p.category {
            self.with_category += 1;
            *self.categories.entry(c.as_str().to_string()).or_default() += 1;
        }
        self.with_gender += u64::from(p.gender.is_some());
        let metals = p.metals();
        if !metals.is_empty() {
            self.with_metal += 1;
        }
        let mut kinds: Vec<&str> = metals.iter().map(|m| m.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for k in kinds {
            *self.metals.entry(k.to_string()).or_default() += 1;
        }
        let stones = p.stones();
        if !stones.is_empty() {
            self.with_stone += 1;
        }
        let mut kinds: Vec<&str> = stones.iter().map(|s| s.kind.as_str()).collect();
        kinds.sort_unstable();
        kinds.dedup();
        for k in kinds {
            *self.stones.entry(k.to_string()).or_default() += 1;
        }
        for v in &p.variants {
            self.variants_with_price += u64::from(v.price.is_some());
            self.variants_with_size += u64::from(v.size.is_some());
            self.variants_with_inventory += u64::from(v.inventory.is_some());
        }
    }
}
