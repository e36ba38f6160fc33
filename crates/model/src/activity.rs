//! What happens around the catalog: order lines, inventory levels and
//! storefront events. Times are Unix seconds (UTC) for order lines and
//! inventory, Unix milliseconds for events, which arrive much faster.

use serde::{Deserialize, Serialize};

use crate::Money;

/// One line of an order as exported by the shop. Returns and cancellations
/// are lines too, with a negative quantity and their own kind, so demand and
/// returns can be told apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderLine {
    pub order_id: String,
    /// Position within the order (0-based); with `order_id` the line's
    /// identity, so that re-importing the same export changes nothing.
    pub line_no: u32,
    /// Unix seconds, UTC.
    pub ordered_at: i64,
    /// `None` for guest checkouts. Normalized: `17850.0` is stored as `17850`.
    #[serde(default)]
    pub customer_id: Option<String>,
    pub sku: String,
    #[serde(default)]
    pub title: Option<String>,
    /// Units; negative for returns and cancellations.
    pub quantity: i64,
    #[serde(default)]
    pub unit_price: Option<Money>,
    #[serde(default)]
    pub country: Option<String>,
    pub kind: LineKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Sale,
    Return,
    Cancellation,
}

/// Stock of one SKU at one location.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    #[serde(default)]
    pub on_order: Option<i64>,
    #[serde(default)]
    pub lead_time_days: Option<u32>,
    #[serde(default)]
    pub unit_cost: Option<Money>,
    /// Unix seconds of the snapshot; inventory history is a series of these.
    #[serde(default)]
    pub as_of: Option<i64>,
}

/// A storefront event. `id` is chosen by the sender so that a retried batch
/// is not counted twice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
    /// Unix milliseconds, UTC.
    pub at: i64,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    /// Product handle the event concerns (view, click, add_to_cart, ...).
    #[serde(default)]
    pub product: Option<String>,
    #[serde(default)]
    pub sku: Option<String>,
    /// The shopper's query, for `search` (and for `click` from a result list).
    #[serde(default)]
    pub query: Option<String>,
    /// Product handles shown for a `search`, in order.
    #[serde(default)]
    pub results: Vec<String>,
    /// 0-based position of a clicked result.
    #[serde(default)]
    pub position: Option<u32>,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub price: Option<Money>,
    /// Order id for `purchase` and `return`.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The storefront's long-lived id for the browser or app install (a first-party cookie),
    /// which outlives sessions: the unit experiments assign and measure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// For `exposure`: the experiment and the variation shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<Exposure>,
}

/// Which variation of which experiment a visitor was shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    pub experiment: String,
    pub variation: u32,
}

impl Event {
    /// The id experiments know this event's visitor by: the visitor id, else the customer id.
    pub fn unit_id(&self) -> Option<&str> {
        self.visitor_id.as_deref().or(self.customer_id.as_deref())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    View,
    Search,
    Click,
    AddToCart,
    Purchase,
    Return,
    /// A visitor was shown a variation of an experiment (logged once per visitor and experiment).
    Exposure,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::View,
        EventKind::Search,
        EventKind::Click,
        EventKind::AddToCart,
        EventKind::Purchase,
        EventKind::Return,
        EventKind::Exposure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::View => "view",
            EventKind::Search => "search",
            EventKind::Click => "click",
            EventKind::AddToCart => "add_to_cart",
            EventKind::Purchase => "purchase",
            EventKind::Return => "return",
            EventKind::Exposure => "exposure",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}
