//! The decision log on the wire (issue 18): what `GET /v1/decisions` and
//! `loupe audit list --json` print, and the verification's answer.

use serde::{Deserialize, Serialize};

/// One entry of the log. `inputs`, `output` and `reasons` are JSON as the
/// recorder shaped them; the hashes cover them as stored (a full export,
/// `loupe audit export`, carries the stored text and verifies on its own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionOut {
    pub seq: u64,
    /// UUIDv7.
    pub id: String,
    /// RFC 3339, milliseconds.
    pub at: String,
    /// `care_message`, `care_delivery`, `replenishment_decision`, `support_reply`, ...
    pub kind: String,
    /// `customer:` and a pseudonym, `order:ID`, `sku:SKU`, `ticket:ID`, ...
    pub subject: String,
    /// The model or rule set (`person` for a person's decision).
    pub version: String,
    pub inputs: serde_json::Value,
    pub output: serde_json::Value,
    /// Each with its signal and detail (and contribution where there is one).
    pub reasons: serde_json::Value,
    /// `loupe`, or the person who decided.
    pub actor: String,
    pub override_by: Option<String>,
    pub override_why: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// A page of the log, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionsPage {
    pub items: Vec<DecisionOut>,
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub next_cursor: Option<String>,
}

/// `loupe audit verify --json`, `GET /v1/decisions/verify`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VerifyOut {
    /// `the store`, or the export file checked.
    pub source: String,
    pub entries: u64,
    pub ok: bool,
    /// The first entry that breaks the chain.
    pub first_broken: Option<u64>,
    /// How it breaks it.
    pub problem: Option<String>,
    /// Where verification started, when the oldest entries were pruned.
    pub checkpoint: Option<CheckpointOut>,
    /// `verified` (with the store's secret) or `not_checked` (an export
    /// checked without the store); absent without a checkpoint.
    pub checkpoint_signature: Option<String>,
}

/// The signed checkpoint a prune leaves (`loupe audit prune`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointOut {
    /// The last entry removed; the log goes on from the next.
    pub through_seq: u64,
    /// Its hash, which the next entry links to.
    pub hash: String,
    /// Entries removed by every prune so far.
    pub pruned: u64,
    /// When the prune ran, RFC 3339.
    pub at: String,
    /// Entries older than this were removed, RFC 3339.
    pub before: String,
    /// HMAC-SHA256 under the store's own secret.
    pub signature: String,
}

/// `loupe audit prune --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PruneOut {
    /// Entries removed by this prune.
    pub removed: u64,
    /// Entries kept.
    pub kept: u64,
    /// The checkpoint written, or the one before when nothing was old enough.
    pub checkpoint: Option<CheckpointOut>,
}
