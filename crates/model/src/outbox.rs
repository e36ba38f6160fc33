//! A message Loupe decided to send (or decided not to), as the outbox keeps
//! it: written in the same transaction as the decision, then delivered by a
//! worker that records every attempt.

use serde::{Deserialize, Serialize};

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its next attempt (`next_ms`).
    Pending,
    /// A receiver accepted it.
    Sent,
    /// Every attempt failed; it waits for a person (the dead-letter view).
    Dead,
    /// Decided against, with the reason (no consent, returned, ...).
    Suppressed,
}

impl OutboxStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Dead => "dead",
            OutboxStatus::Suppressed => "suppressed",
        }
    }

    pub fn parse(s: &str) -> Option<OutboxStatus> {
        Some(match s {
            "pending" => OutboxStatus::Pending,
            "sent" => OutboxStatus::Sent,
            "dead" => OutboxStatus::Dead,
            "suppressed" => OutboxStatus::Suppressed,
            _ => return None,
        })
    }
}

/// One message in the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// The idempotency key: the same decision always yields the same id, and
    /// receivers see it as `webhook-id` (and in the e-mail's `Message-ID`).
    pub id: String,
    /// What made it: `care`.
    pub kind: String,
    #[serde(default)]
    pub customer_id: Option<String>,
    /// `email` or `sms`.
    pub channel: String,
    #[serde(default)]
    pub order_id: String,
    #[serde(default)]
    pub sku: String,
    #[serde(default)]
    pub topic: String,
    pub subject: String,
    /// Markdown, placeholders filled.
    pub body: String,
    /// Why the customer gets it.
    #[serde(default)]
    pub why: String,
    /// When it is due, Unix milliseconds.
    pub due_ms: i64,
    pub created_ms: i64,
    pub status: OutboxStatus,
    /// Why it was suppressed (or why it is dead).
    #[serde(default)]
    pub reason: Option<String>,
    /// When the next attempt may run (pending only), Unix milliseconds.
    #[serde(default)]
    pub next_ms: i64,
    #[serde(default)]
    pub attempts: Vec<DeliveryAttempt>,
    #[serde(default)]
    pub sent_ms: Option<i64>,
}

/// One try at delivering a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub at_ms: i64,
    /// `webhook` or `smtp`.
    pub transport: String,
    pub ok: bool,
    /// The receiver's answer: an HTTP status or an SMTP reply code.
    #[serde(default)]
    pub code: Option<u16>,
    #[serde(default)]
    pub error: Option<String>,
}
