//! Post-purchase care on the wire (issue 17): what `loupe care plan --json`
//! prints and `GET /v1/care/plan` sends.

use serde::{Deserialize, Serialize};

/// One message of a piece's care plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CareMessageOut {
    /// Days after delivery.
    pub day: u32,
    pub topic: String,
    pub title: String,
    pub body: String,
    /// `email` or `sms`.
    pub channel: String,
    pub why: String,
    /// The date it is due, when the purchase date is known (YYYY-MM-DD).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<String>,
}

/// `loupe care plan --sku SKU --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarePlanOut {
    pub sku: String,
    pub handle: String,
    pub title: String,
    pub materials: Vec<String>,
    /// Fixed codes: `no_ultrasonic`, `no_steam`, `no_chemicals`,
    /// `no_perfume_contact`, `remove_before_swimming`, `no_abrasive_polish`,
    /// `store_separately`, `store_dry`.
    pub cautions: Vec<String>,
    pub messages: Vec<CareMessageOut>,
    /// The care plans that applied, by key.
    pub plans: Vec<String>,
    /// The delivery day the dates count from, when a purchase date was
    /// given, and how it was estimated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_basis: Option<String>,
}

/// A consent change (`POST /v1/consent`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentIn {
    pub customer_id: String,
    /// `email` or `sms`.
    pub channel: String,
    pub granted: bool,
    /// Where it was given or withdrawn: `checkout`, `preference_center`, `unsubscribe_link`, ...
    pub source: String,
    /// When (RFC 3339); default now.
    #[serde(default)]
    pub at: Option<String>,
}

/// A customer's consent history for a channel, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentChangeOut {
    pub channel: String,
    pub granted: bool,
    pub source: String,
    /// RFC 3339.
    pub at: String,
}

/// What `POST /v1/consent` answers: the customer's whole history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentOut {
    pub customer_id: String,
    pub history: Vec<ConsentChangeOut>,
    /// Whether each channel is consented now.
    pub email: bool,
    pub sms: bool,
}

/// One message on the care calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduledOut {
    pub order_id: String,
    pub customer_id: Option<String>,
    pub sku: String,
    pub topic: String,
    pub title: String,
    pub channel: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// `planned` or `suppressed`.
    pub status: String,
    /// For suppressed messages: `returned`, `no_customer`, `forgotten`,
    /// `no_consent`, `paused`, `frequency_cap`.
    pub reason: Option<String>,
    /// Why the customer gets it (or would).
    pub why: String,
}

/// `loupe care schedule --json`, `GET /v1/care/schedule`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleOut {
    pub from: String,
    pub to: String,
    pub planned: usize,
    pub suppressed: usize,
    /// Suppressed messages by reason.
    pub by_reason: std::collections::BTreeMap<String, usize>,
    pub messages: Vec<ScheduledOut>,
}
