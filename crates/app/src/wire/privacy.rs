//! A customer's data on the wire (issue 18): what `loupe customers export ID
//! --json` prints and `GET /v1/customers/{id}/export` sends.

use serde::{Deserialize, Serialize};

/// One order line of the customer's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLineOut {
    pub order_id: String,
    pub line_no: u32,
    /// RFC 3339.
    pub ordered_at: String,
    pub sku: String,
    pub title: Option<String>,
    /// Negative for a return or cancellation.
    pub quantity: i64,
    /// Decimal, in `currency`.
    pub unit_price: Option<String>,
    pub currency: Option<String>,
    pub country: Option<String>,
    /// `sale`, `return` or `cancellation`.
    pub kind: String,
}

/// One support case of the customer's, with every message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketOut {
    pub id: String,
    /// RFC 3339.
    pub created_at: String,
    pub channel: String,
    pub subject: String,
    pub status: String,
    pub order_id: Option<String>,
    pub contact: Option<String>,
    pub messages: Vec<TicketMessageOut>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketMessageOut {
    pub at: String,
    /// `customer` or `agent`.
    pub from: String,
    pub body: String,
}

/// Everything Loupe holds about one customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerExport {
    pub customer_id: String,
    /// RFC 3339.
    pub generated_at: String,
    /// How the decision log names them.
    pub pseudonym: String,
    pub orders: Vec<OrderLineOut>,
    /// Storefront events as stored (the fields the storefront sent).
    pub events: Vec<serde_json::Value>,
    pub tickets: Vec<TicketOut>,
    /// Consent per channel with its history, address, offset and name.
    pub consent: crate::wire::care::ConsentOut,
    /// Care messages decided for them: sent, pending, dead or suppressed.
    pub messages: Vec<crate::wire::care::OutboxMessageOut>,
    /// Every decision the log holds about them.
    pub decisions: Vec<crate::wire::decisions::DecisionOut>,
    /// Risk scores: Loupe computes none yet, so this is always empty.
    pub risk_scores: Vec<serde_json::Value>,
    /// Anything Loupe holds about them that is not above: nothing, or what
    /// was not exported and why.
    pub notes: Vec<String>,
}
