//! Customer support on the wire (issue 16): what `loupe support classify`
//! and `answer` print one JSON line each for, and what `/v1/support/*`,
//! `/v1/tickets` and `/v1/kb` send.

use serde::{Deserialize, Serialize};

/// One thing a message names. `deadline` is set on dates the customer
/// needs something by.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityOut {
    /// `order_id`, `date`, `ring_size`, `amount` or `product`.
    pub kind: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deadline: bool,
}

/// One reason behind a decision: the intent's evidence, a passage's
/// coverage, an escalation signal. Escalation signals' contributions sum to
/// 1 or more when the message escalates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhyOut {
    pub signal: String,
    pub detail: String,
    pub contribution: f64,
}

/// `loupe support classify --json`, `POST /v1/support/classify`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Classified {
    pub text: String,
    pub intent: String,
    pub confidence: f64,
    pub entities: Vec<EntityOut>,
    /// `angry`, `negative`, `anxious`, `neutral` or `positive`.
    pub sentiment: String,
    pub escalate: bool,
    pub why: Vec<WhyOut>,
    /// 0 to 100, and its band (`urgent`, `high`, `normal`, `low`).
    pub priority: u8,
    pub priority_label: String,
    /// The customer's deadline, if they gave one (YYYY-MM-DD).
    pub deadline: Option<String>,
}

/// A passage a reply cites.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Citation {
    pub source: String,
    pub heading: String,
    pub passage: String,
}

/// `loupe support answer --json`, `POST /v1/support/answer`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Answered {
    pub question: String,
    pub intent: String,
    /// `null` when the knowledge base does not cover the question.
    pub answer: Option<String>,
    pub citations: Vec<Citation>,
    /// How much of the question the best passage covers, 0 to 1.
    pub confidence: f64,
    pub escalate: bool,
    pub why: Vec<WhyOut>,
}

/// A message to classify or answer (`POST /v1/support/*`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MessageIn {
    pub text: String,
    /// When it was written (RFC 3339); dates in it are read from that day.
    /// Default: now.
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
}

/// What Loupe knows about an order, for the agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderFactsOut {
    pub order_id: String,
    pub ordered_on: Option<String>,
    pub total: f64,
    pub currency: String,
    pub items: Vec<String>,
    /// `placed`, `partly returned` or `returned`: Loupe has order lines,
    /// not carrier tracking.
    pub status: String,
    /// The brand's standard delivery promise counted from the order day.
    pub promised_by: Option<String>,
    pub promise_basis: String,
}

/// An SLA clock of a case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlaOut {
    /// RFC 3339; `null` when the brand's hours never open.
    pub due: Option<String>,
    pub met_at: Option<String>,
    /// Working minutes left now (negative: overdue), while not met.
    pub minutes_left: Option<i64>,
    pub breached: bool,
}

/// One row of the agent queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: String,
    pub created_at: String,
    pub channel: String,
    pub subject: String,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub status: String,
    pub intent: String,
    pub sentiment: String,
    pub escalate: bool,
    pub priority: u8,
    pub priority_label: String,
    pub deadline: Option<String>,
    pub first_response: SlaOut,
    pub resolution: SlaOut,
    /// The escalation signals' names.
    pub signals: Vec<String>,
}

/// `GET /v1/support/queue`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Queue {
    /// Tickets in this view (before paging).
    pub total: usize,
    pub open: usize,
    pub escalated: usize,
    pub breached: usize,
    pub page: usize,
    pub pages: usize,
    pub items: Vec<QueueItem>,
}

/// An earlier ticket of the same customer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlierTicket {
    pub id: String,
    pub created_at: String,
    pub subject: String,
    pub intent: String,
    pub status: String,
}

/// An order of the customer, for the case's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastOrder {
    pub order_id: String,
    pub ordered_on: String,
    pub total: f64,
    pub currency: String,
    pub items: usize,
}

/// A message of the thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageOut {
    pub at: String,
    pub from: String,
    pub author: Option<String>,
    pub body: String,
}

/// The case summary an agent starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub intent: String,
    pub intent_label: String,
    /// The intent an agent set, if one did.
    pub corrected_intent: Option<String>,
    /// The customer's own sentence that says what they want.
    pub wants: String,
    pub sentiment: String,
    pub deadlines: Vec<String>,
    pub order: Option<OrderFactsOut>,
    pub orders: Vec<PastOrder>,
    pub earlier_tickets: Vec<EarlierTicket>,
}

/// `GET /v1/tickets/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketView {
    pub id: String,
    pub created_at: String,
    pub channel: String,
    pub subject: String,
    pub customer_id: Option<String>,
    pub order_id: Option<String>,
    pub contact: Option<String>,
    pub status: String,
    pub messages: Vec<MessageOut>,
    pub summary: Summary,
    pub classified: Classified,
    pub suggested: Answered,
    pub first_response: SlaOut,
    pub resolution: SlaOut,
}

/// `POST /v1/tickets`: a new message from a help desk or the chat. With
/// an `id` already stored, the message is added to that thread.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TicketIn {
    #[serde(default)]
    pub id: Option<String>,
    pub body: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    /// `chat` when the storefront's widget sends it.
    #[serde(default)]
    pub channel: Option<String>,
    /// How to reach a shopper without an account (an e-mail address).
    #[serde(default)]
    pub contact: Option<String>,
}

/// What `POST /v1/tickets` did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketReceived {
    pub id: String,
    pub created: bool,
    pub messages: usize,
    pub escalate: bool,
    pub priority_label: String,
}

/// An agent's reply (`POST /v1/tickets/{id}/reply`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReplyIn {
    pub body: String,
    #[serde(default)]
    pub author: Option<String>,
    /// Close the case with this reply.
    #[serde(default)]
    pub close: bool,
}

/// An agent's correction of the intent (`POST /v1/tickets/{id}/intent`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IntentIn {
    pub intent: String,
    #[serde(default)]
    pub author: Option<String>,
}

/// What importing a knowledge-base source did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KbImported {
    pub source: String,
    pub format: String,
    pub passages: usize,
    /// Passages of an earlier import of the same source, replaced.
    pub replaced: usize,
    pub sources: usize,
    pub passages_total: usize,
    /// Rows left out (a question without an answer), with their lines.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// One passage, with the questions that used it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KbPassage {
    pub source: String,
    pub heading: String,
    pub text: String,
    pub line: u64,
    /// Answers that cited it.
    pub used: u64,
    /// The latest questions that did (digits and e-mail addresses masked).
    pub questions: Vec<String>,
}

/// `GET /v1/kb`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KbList {
    pub sources: Vec<String>,
    pub passages: Vec<KbPassage>,
}

/// What a tickets import stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketsCounts {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Tickets of forgotten customers, not stored.
    pub forgotten: u64,
    pub rejected: u64,
}
