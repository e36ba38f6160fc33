//! A support ticket: the customer's messages and the brand's replies, as
//! imported from a help desk or posted by the storefront's chat, with what
//! the brand's agents did with it.

use serde::{Deserialize, Serialize};

/// One support case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    /// The help desk's id: a re-import with the same id adds nothing new.
    pub id: String,
    /// Unix seconds, UTC, of the first message.
    pub created_at: i64,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub order_id: Option<String>,
    /// `email`, `chat`, `contact_form`, ...
    #[serde(default)]
    pub channel: String,
    /// How to reach a customer who wrote without an account (the e-mail a
    /// shopper left in the storefront's chat).
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub subject: String,
    /// The thread, oldest first; the first is the customer's opening message.
    pub messages: Vec<TicketMessage>,
    /// `open` or `closed`.
    #[serde(default = "open")]
    pub status: String,
    /// The intent an agent set by hand (training data for the next model).
    #[serde(default)]
    pub corrected_intent: Option<String>,
    /// Who corrected it, and when (Unix seconds).
    #[serde(default)]
    pub corrected_by: Option<String>,
    #[serde(default)]
    pub corrected_at: Option<i64>,
}

fn open() -> String {
    "open".into()
}

/// One message of a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketMessage {
    /// Unix seconds, UTC.
    pub at: i64,
    /// `customer` or `agent`.
    pub from: String,
    pub body: String,
    /// The agent's name, for agents' messages.
    #[serde(default)]
    pub author: Option<String>,
}

impl Ticket {
    /// The customer's words: the subject and every customer message.
    pub fn customer_text(&self) -> String {
        let mut out = self.subject.clone();
        for m in self.messages.iter().filter(|m| m.from == "customer") {
            if !out.is_empty() {
                out.push_str(". ");
            }
            out.push_str(&m.body);
        }
        out
    }

    /// When an agent first answered, if one has.
    pub fn first_response_at(&self) -> Option<i64> {
        self.messages.iter().find(|m| m.from == "agent").map(|m| m.at)
    }

    /// When it was closed: the last agent message of a closed ticket.
    pub fn resolved_at(&self) -> Option<i64> {
        (self.status == "closed")
            .then(|| self.messages.iter().rev().find(|m| m.from == "agent").map(|m| m.at))
            .flatten()
    }
}
