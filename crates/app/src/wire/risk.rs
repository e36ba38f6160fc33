//! Risk on the wire (issue 18): what `loupe risk orders|customers --json`
//! print (one JSON object per line) and `/v1/risk/...` sends.

use serde::{Deserialize, Serialize};

/// One reason for a score, with what it added.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskReasonOut {
    pub code: String,
    pub detail: String,
    pub contribution: f64,
}

/// `loupe risk orders --json`: one per order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderRiskOut {
    pub order_id: String,
    pub score: f64,
    /// `approve`, `review` or `hold`.
    pub band: String,
    pub why: Vec<RiskReasonOut>,
    pub customer_id: Option<String>,
    /// RFC 3339.
    pub ordered_at: String,
    pub value: f64,
}

/// `loupe risk customers --json`: one per customer with a purchase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRiskOut {
    pub customer_id: String,
    pub return_abuse_score: f64,
    /// `approve`, `review` or `hold`.
    pub band: String,
    pub why: Vec<RiskReasonOut>,
    pub orders: usize,
    pub units_bought: i64,
    pub units_returned: i64,
}

/// A person's decision on a flagged order or customer (`POST /v1/risk/decisions`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskDecisionIn {
    /// `order:ID` or `customer:ID`.
    pub subject: String,
    /// `approve`, `hold` or `refund_review`.
    pub decision: String,
    /// Who decided.
    pub by: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// `loupe eval risk --json`: the bands against the demo brand's ground truth.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskEvalOut {
    /// Which customers were scored: `held_out` (odd hash) or `tuning`.
    pub half: String,
    pub customers: usize,
    /// Customers the truth marks as serial returners or bracketers.
    pub abusers: usize,
    pub flagged_precision: f64,
    pub flagged_recall: f64,
    pub hold_precision: f64,
    pub hold_recall: f64,
    pub serial_returner_recall: f64,
    pub bracketer_recall: f64,
    /// Abusers whose orders show it: serial returners with two returns or
    /// more, bracketers with an order of several variants of one piece.
    pub detectable: usize,
    pub detectable_recall: f64,
    /// Loyal customers (5 orders or more, neither flag in the truth) flagged.
    pub loyal: usize,
    pub loyal_false_positive_rate: f64,
    /// The baseline in the same run: a return rate over twice the store's with two returns or more.
    pub baseline_precision: f64,
    pub baseline_recall: f64,
    pub baseline_loyal_false_positive_rate: f64,
}
