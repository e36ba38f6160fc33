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
    /// The e-mail address or phone number the consent is for; e-mail needs
    /// one to be sent over SMTP.
    #[serde(default)]
    pub address: Option<String>,
    /// The customer's UTC offset, `+01:00` or `-05:00`: messages go at the
    /// brand's send hour and outside quiet hours in it (UTC when unknown).
    #[serde(default)]
    pub utc_offset: Option<String>,
    /// How the brand greets the customer (`{first_name}` in the templates;
    /// "there" when unknown).
    #[serde(default)]
    pub first_name: Option<String>,
}

/// A customer's consent history for a channel, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentChangeOut {
    pub channel: String,
    pub granted: bool,
    pub source: String,
    /// RFC 3339.
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// A grant waiting for the customer's confirmation (double opt-in).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pending: bool,
}

/// What `POST /v1/consent` answers: the customer's whole history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsentOut {
    pub customer_id: String,
    /// The customer's UTC offset, when known (`+01:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
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
    /// `no_consent`, `open_complaint`, `paused`, `frequency_cap`.
    pub reason: Option<String>,
    /// Where the outbox has it, once decided: `pending`, `sent`, `dead` or
    /// `suppressed`.
    #[serde(default)]
    pub delivery: Option<String>,
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

/// How the outbox delivers (`GET|PUT /v1/care/delivery`, `loupe care
/// delivery`). Stored as the `settings/delivery` document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliverySettings {
    /// Where care messages are POSTed, signed as Standard Webhooks says.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// `whsec_` and base64 of the signing key; made when a webhook URL is
    /// first set.
    #[serde(default)]
    pub webhook_secret: Option<String>,
    /// `smtp://host:port` (plain, loopback relays), `smtp://host:587?tls=required`
    /// (STARTTLS) or `smtps://user:password@host:465` (implicit TLS).
    #[serde(default)]
    pub smtp_url: Option<String>,
    /// The e-mails' sender, `Brand Care <care@brand.example>`.
    #[serde(default)]
    pub from: Option<String>,
    /// Where shoppers reach this Loupe (the unsubscribe page), `https://care.brand.example`.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The first retry's delay; each next one doubles, with jitter, up to six hours.
    #[serde(default = "default_retry_base_ms")]
    pub retry_base_ms: u64,
    /// Failed attempts before a message goes to the dead letters.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Grants of consent count only once the customer confirms by e-mail.
    #[serde(default)]
    pub double_opt_in: bool,
}

fn default_retry_base_ms() -> u64 {
    5_000
}

fn default_max_attempts() -> u32 {
    8
}

impl Default for DeliverySettings {
    fn default() -> DeliverySettings {
        DeliverySettings {
            webhook_url: None,
            webhook_secret: None,
            smtp_url: None,
            from: None,
            public_url: None,
            retry_base_ms: default_retry_base_ms(),
            max_attempts: default_max_attempts(),
            double_opt_in: false,
        }
    }
}

/// One try at delivering a message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttemptOut {
    /// RFC 3339, milliseconds.
    pub at: String,
    /// `webhook` or `smtp`.
    pub transport: String,
    pub ok: bool,
    /// The receiver's HTTP status or SMTP reply code.
    pub code: Option<u16>,
    pub error: Option<String>,
}

/// A message in the outbox (`GET /v1/outbox`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxMessageOut {
    /// The idempotency key (`webhook-id`, the e-mail's `Message-ID`).
    pub id: String,
    pub kind: String,
    pub customer_id: Option<String>,
    pub channel: String,
    pub order_id: String,
    pub sku: String,
    pub topic: String,
    pub subject: String,
    pub body: String,
    pub why: String,
    /// RFC 3339.
    pub due_at: String,
    /// `pending`, `sent`, `dead` or `suppressed`.
    pub status: String,
    /// Why it was suppressed, or why it is dead.
    pub reason: Option<String>,
    pub attempts: Vec<AttemptOut>,
    /// When a pending message is tried next.
    pub next_attempt_at: Option<String>,
    pub sent_at: Option<String>,
}

/// A page of the outbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxPage {
    pub items: Vec<OutboxMessageOut>,
    /// Messages matching the filter.
    pub total: usize,
    pub limit: usize,
    pub offset: usize,
    pub next_cursor: Option<String>,
    /// Every message by status, whatever the filter.
    pub counts: std::collections::BTreeMap<String, usize>,
    /// Whether a transport is configured; without one nothing is decided or sent.
    pub delivery_configured: bool,
}

/// What one run of the outbox did (`loupe care deliver --json`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRunOut {
    /// Decisions taken: messages queued, and suppressed with their reasons.
    pub queued: usize,
    pub suppressed: std::collections::BTreeMap<String, usize>,
    /// Decisions already in the outbox (a window seen before).
    pub already_decided: usize,
    pub attempted: usize,
    pub sent: usize,
    /// Failed attempts that will be retried.
    pub retrying: usize,
    /// Messages that exhausted their attempts.
    pub dead: usize,
    /// Messages held back at send time: `no_consent` (withdrawn since the
    /// decision: suppressed), `open_complaint` (suppressed), `paused` (an
    /// open support case of another kind: tried again in
    /// six hours).
    pub withheld: std::collections::BTreeMap<String, usize>,
    /// Pending messages left, and when the soonest is due.
    pub pending: usize,
    pub next_due_at: Option<String>,
}

/// What `loupe import consent` stored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentCounts {
    /// Customers whose history changed.
    pub customers: u64,
    pub changes_added: u64,
    /// Rows already in the history.
    pub unchanged: u64,
    /// Rows of customers who asked to be forgotten: not stored.
    pub forgotten: u64,
    pub rejected: u64,
}

impl DeliveryRunOut {
    /// Adds a later run's counts; its pending figures replace these.
    pub fn add(&mut self, o: DeliveryRunOut) {
        self.queued += o.queued;
        for (k, v) in o.suppressed {
            *self.suppressed.entry(k).or_default() += v;
        }
        self.already_decided += o.already_decided;
        self.attempted += o.attempted;
        self.sent += o.sent;
        self.retrying += o.retrying;
        self.dead += o.dead;
        for (k, v) in o.withheld {
            *self.withheld.entry(k).or_default() += v;
        }
        self.pending = o.pending;
        self.next_due_at = o.next_due_at;
    }
}
