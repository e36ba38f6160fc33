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
