//! Deterministic simulator of a direct-to-consumer jewelry brand: a messy
//! Shopify catalog, customers with hidden traits, three years of storefront
//! sessions (searches in shoppers' words, clicks, views, carts, purchases,
//! returns) shaped by the retail calendar, a warehouse that runs out of stock
//! and reorders, support tickets, and the ground truth behind all of it.
//!
//! `generate` builds a [`World`] in memory from a [`SimConfig`]; the same seed
//! always gives the same world, byte for byte. `World::write_to` writes the
//! files the demo imports through Loupe's real importers (`catalog.csv`,
//! `orders.csv`, `inventory.csv`, `events.jsonl`, `tickets.jsonl`) and the
//! `ground_truth/` directory that only evaluations read (see
//! `docs/ground-truth.md`). Writing files is this crate's only IO.

pub mod calendar;
pub mod catalog;
pub mod customers;
pub mod queries;
mod rng;
mod shop;
pub mod tickets;
mod write;

use chrono::{Duration, NaiveDate};
use model::EventKind;
use rand::SeedableRng;

pub use calendar::{day_info, mothers_day, DayInfo, Occasion};
pub use catalog::{
    Collection, MetalColor, MetalKind, MetalSpec, Origin, SimProduct, SimVariant, SizeSpec, StoneSpec, Style,
};
pub use customers::{Customer, LifeEvent, LifeEventKind};
pub use queries::QuerySpec;
pub use tickets::Ticket;
pub use write::{WriteStats, DEMO_KB, FILES, ORDER_COLUMNS};

/// What to simulate. `Default` is the demo brand: 2,000 products, 50,000
/// customers, three years from 2023-01-01.
#[derive(Clone, Debug, PartialEq)]
pub struct SimConfig {
    pub seed: u64,
    pub products: usize,
    pub customers: usize,
    pub days: u32,
    pub start_date: NaiveDate,
    /// Mean storefront sessions per customer over the whole period (before
    /// life events and social spikes add theirs).
    pub sessions_per_customer: f64,
    /// Share of sessions by visitors who never log in.
    pub guest_share: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            products: 2_000,
            customers: 50_000,
            days: 3 * 365,
            start_date: NaiveDate::from_ymd_opt(2023, 1, 1).expect("valid date"),
            sessions_per_customer: 5.0,
            guest_share: 0.15,
        }
    }
}

/// A product and one of its variants, by index into `World::products`.
pub type VariantRef = (u32, u16);

/// One order line as the shop exports it. Returns are lines with a negative
/// quantity on the day the parcel came back.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRow {
    pub order_no: u32,
    /// Unix seconds.
    pub at: i64,
    pub customer: Option<u32>,
    pub line: VariantRef,
    pub qty: i64,
    /// USD cents, after discounts.
    pub unit_price: i64,
    pub country: &'static str,
}

/// A storefront event, compactly; written out as JSON by `write_to`.
#[derive(Clone, Debug, PartialEq)]
pub struct SimEvent {
    pub id: u32,
    pub kind: EventKind,
    /// Unix milliseconds.
    pub at: i64,
    pub session: Option<u32>,
    pub customer: Option<u32>,
    pub product: Option<u32>,
    pub variant: Option<VariantRef>,
    /// Index into `World::queries`.
    pub query: Option<u32>,
    /// Range into `World::result_lists`.
    pub results: Option<(u32, u16)>,
    pub position: Option<u8>,
    pub quantity: Option<i64>,
    /// USD cents.
    pub price: Option<i64>,
    pub order: Option<u32>,
}

impl Default for SimEvent {
    fn default() -> Self {
        SimEvent {
            id: 0,
            kind: EventKind::View,
            at: 0,
            session: None,
            customer: None,
            product: None,
            variant: None,
            query: None,
            results: None,
            position: None,
            quantity: None,
            price: None,
            order: None,
        }
    }
}

/// Stock of one variant at one location at the end of a day.
#[derive(Clone, Debug, PartialEq)]
pub struct InventoryRow {
    pub day: u32,
    pub variant: VariantRef,
    pub location: &'static str,
    pub on_hand: i64,
    pub on_order: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PurchaseOrder {
    pub id: u32,
    pub variant: VariantRef,
    pub ordered_day: u32,
    pub qty: i64,
    pub unit_cost: i64,
    pub expected_day: u32,
    /// `None` when the goods arrive after the simulated period.
    pub received_day: Option<u32>,
}

/// One variant's demand on one day (only days with demand are kept).
#[derive(Clone, Debug, PartialEq)]
pub struct DemandRow {
    pub day: u32,
    pub variant: VariantRef,
    /// Units shoppers tried to buy (unconstrained by stock).
    pub demand: u32,
    /// Units sold (at most `demand`).
    pub sold: u32,
    /// Units not sold because the variant was out of stock.
    pub lost: u32,
    pub on_hand_end: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CampaignKind {
    /// A discount on one collection.
    Promotion,
    /// A burst of social-media traffic to one product.
    SocialSpike,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Campaign {
    pub kind: CampaignKind,
    pub start_day: u32,
    pub end_day: u32,
    pub collection: Option<String>,
    pub product: Option<u32>,
    pub discount: f64,
    pub lift: f64,
}

/// The hidden side of one search event.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchTruth {
    /// The search event's id.
    pub event: u32,
    pub session: u32,
    /// Index into `World::queries`.
    pub query: u32,
    pub clicks: u32,
    /// Product bought in the same session, if any.
    pub purchased: Option<u32>,
}

/// The hidden side of one session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionTruth {
    pub session: u32,
    pub customer: Option<u32>,
    pub day: u32,
    /// `self`, `gift`, `social`, or a life event (`engagement`, ...).
    pub reason: &'static str,
    pub occasion: Option<&'static str>,
    pub recipient: Option<&'static str>,
    pub category: model::Category,
    pub order: Option<u32>,
}

/// Everything the simulator made, in memory.
pub struct World {
    pub config: SimConfig,
    pub products: Vec<SimProduct>,
    pub collections: Vec<Collection>,
    pub customers: Vec<Customer>,
    pub calendar: Vec<DayInfo>,
    pub campaigns: Vec<Campaign>,
    /// In time order; returns carry the day they came back.
    pub orders: Vec<OrderRow>,
    /// In generation order (ids ascending); written sorted by time.
    pub events: Vec<SimEvent>,
    pub result_lists: Vec<u32>,
    pub inventory: Vec<InventoryRow>,
    pub purchase_orders: Vec<PurchaseOrder>,
    pub demand: Vec<DemandRow>,
    /// Variant, first and last day (inclusive) with nothing on hand.
    pub stockouts: Vec<(VariantRef, u32, u32)>,
    /// Distinct query texts with what they state.
    pub queries: Vec<(String, QuerySpec)>,
    pub searches: Vec<SearchTruth>,
    pub sessions: Vec<SessionTruth>,
    pub tickets: Vec<Ticket>,
}

impl World {
    pub fn date(&self, day: u32) -> NaiveDate {
        self.config.start_date + Duration::days(day as i64)
    }

    pub fn order_id(order_no: u32) -> String {
        format!("LP{}", 100_000 + order_no)
    }

    pub fn variant(&self, v: VariantRef) -> &SimVariant {
        &self.products[v.0 as usize].variants[v.1 as usize]
    }

    /// Handles of the active products that meet every hard constraint of `spec`.
    pub fn relevant(&self, spec: &QuerySpec) -> Vec<&str> {
        self.products.iter().filter(|p| spec.matches(p)).map(|p| p.handle.as_str()).collect()
    }
}

/// Builds the world for `config`; deterministic in the seed.
pub fn generate(config: &SimConfig) -> World {
    let mut rng = rng::SimRng::seed_from_u64(config.seed);
    let days = config.days.max(1);
    let (products, collections) =
        catalog::generate(&mut rng, &catalog::CatalogConfig { products: config.products, days });
    let customers = customers::generate(&mut rng, config.customers.max(1), days);
    let calendar: Vec<DayInfo> = (0..days)
        .map(|d| calendar::day_info(config.start_date + Duration::days(d as i64), d as f64 / 365.0))
        .collect();
    let shop_cfg = shop::ShopConfig {
        start: config.start_date,
        days,
        sessions_per_customer: config.sessions_per_customer,
        guest_share: config.guest_share.clamp(0.0, 0.95),
    };
    let out = shop::simulate(&mut rng, &shop_cfg, &products, &customers, &calendar);
    let tickets =
        tickets::generate(&mut rng, config.start_date, days, &out.order_meta, &products, &customers);
    World {
        config: config.clone(),
        products,
        collections,
        customers,
        calendar,
        campaigns: out.campaigns,
        orders: out.orders,
        events: out.events,
        result_lists: out.result_lists,
        inventory: out.inventory,
        purchase_orders: out.purchase_orders,
        demand: out.demand,
        stockouts: out.stockouts,
        queries: out.queries,
        searches: out.searches,
        sessions: out.sessions,
        tickets,
    }
}
