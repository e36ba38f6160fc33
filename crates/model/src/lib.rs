//! Loupe's domain vocabulary: the values every engine speaks.
//!
//! A product with its variants, the metals and stones extracted from messy
//! catalog text, order lines, inventory levels and storefront events. These are
//! plain values with no behaviour beyond parsing and small conversions; engines
//! (catalog, search, recs, forecast) take them in and hand other values back.
//!
//! The `serde` derives exist for the store's persistence format only. What goes
//! over HTTP or out of the CLI is shaped by `server::wire`, never by these types,
//! so they may change shape without breaking a contract (new fields must carry
//! `#[serde(default)]` so that older stores still load).

mod activity;
pub mod birthstone;
mod money;
mod outbox;
mod product;
mod ticket;
pub mod title;

pub use activity::{Event, EventKind, Exposure, InventoryLevel, LineKind, OrderLine};
pub use money::{Currency, Money, MoneyError};
pub use outbox::{DeliveryAttempt, OutboxMessage, OutboxStatus};
pub use product::{
    Category, Finish, Gender, Metal, PartialRead, Product, ProductId, ProductStatus, QualityIssue, Severity,
    Size, Stone, StoneOrigin, Variant,
};
pub use ticket::{Ticket, TicketMessage};
