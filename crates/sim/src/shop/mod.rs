//! The day-by-day simulation of the storefront and the warehouse: sessions
//! with searches, clicks, views and carts; orders and returns; stock that
//! runs out (recording the demand that was lost) and purchase orders that
//! refill it.
//!
//! [`simulate`] plans the campaigns and every session up front
//! ([`plan`]), then runs a [`Shop`] through the days. Each day has the same
//! phases, in this order: the day's promotions start, purchase orders arrive
//! and returns come back ([`warehouse`]), the planned sessions happen
//! ([`session`], with checkout in [`purchase`]), and at closing the day's
//! demand is recorded, stockouts noted, reorders placed and stock
//! snapshotted ([`warehouse`]). Every random draw comes from the one seeded
//! generator in a fixed order, so the same seed always gives the same world.

mod intent;
mod plan;
mod purchase;
mod session;
mod warehouse;

use std::collections::HashMap;

use chrono::NaiveDate;
use model::Category;

use crate::calendar::{DayInfo, Occasion};
use crate::catalog::SimProduct;
use crate::customers::Customer;
use crate::queries::{KeywordSearch, QuerySpec};
use crate::rng::SimRng;
use crate::{
    Campaign, CampaignKind, DemandRow, InventoryRow, OrderRow, PurchaseOrder, SearchTruth, SessionTruth,
    SimEvent, VariantRef,
};

use intent::Facts;
use plan::SessionPlan;
use warehouse::{Pending, Stock};

pub(crate) struct Output {
    pub events: Vec<SimEvent>,
    pub result_lists: Vec<u32>,
    pub orders: Vec<OrderRow>,
    pub inventory: Vec<InventoryRow>,
    pub purchase_orders: Vec<PurchaseOrder>,
    pub demand: Vec<DemandRow>,
    pub stockouts: Vec<(VariantRef, u32, u32)>,
    pub queries: Vec<(String, QuerySpec)>,
    pub searches: Vec<SearchTruth>,
    pub sessions: Vec<SessionTruth>,
    pub campaigns: Vec<Campaign>,
    /// Orders with their gift occasion, for support tickets.
    pub order_meta: Vec<OrderMeta>,
}

/// What the ticket writer needs to know about an order.
#[derive(Clone, Debug)]
pub(crate) struct OrderMeta {
    pub order_no: u32,
    pub day: u32,
    pub customer: Option<u32>,
    pub lines: Vec<VariantRef>,
    pub occasion: Option<Occasion>,
    pub recipient: Option<&'static str>,
    pub total: i64,
    pub bracketed: bool,
}

pub(crate) struct ShopConfig {
    pub start: NaiveDate,
    pub days: u32,
    pub sessions_per_customer: f64,
    pub guest_share: f64,
}

/// Simulates the shop over `cfg.days` days.
pub(crate) fn simulate(
    rng: &mut SimRng,
    cfg: &ShopConfig,
    products: &[SimProduct],
    customers: &[Customer],
    calendar: &[DayInfo],
) -> Output {
    let mut shop = Shop::open(rng, cfg, products, customers, calendar);
    for day in 0..cfg.days {
        shop.run_day(rng, day);
    }
    shop.close()
}

/// The shop as the days go by: the catalog and customers it serves, the
/// sessions still to come, the warehouse's stock and what has been recorded.
struct Shop<'a> {
    cfg: &'a ShopConfig,
    products: &'a [SimProduct],
    customers: &'a [Customer],
    calendar: &'a [DayInfo],
    /// Every session of the period, in time order; `next_plan` is the next
    /// to happen (its index is the session's id).
    plans: Vec<SessionPlan>,
    next_plan: usize,
    /// Active products per category, in product order.
    by_category: HashMap<Category, Vec<u32>>,
    search: KeywordSearch,
    /// Collection name to its number.
    coll_index: HashMap<String, u16>,
    facts: Vec<Facts>,
    /// Active products of each collection, in product order.
    by_collection: Vec<Vec<u32>>,
    /// Today's discount on each collection.
    promo_today: Vec<f64>,
    /// Per product, per variant.
    stock: Vec<Vec<Stock>>,
    out: Output,
    query_ids: HashMap<String, u32>,
    /// Returns by the day they come back.
    pending_returns: Vec<Vec<Pending>>,
    /// Purchase orders (ids) by the day they arrive.
    receipts: Vec<Vec<u32>>,
    /// Variants with demand today.
    touched: Vec<VariantRef>,
    /// Variants whose stock moved today.
    dirty: Vec<VariantRef>,
    /// Products by the days they go on sale, and 30 days before (when the
    /// warehouse starts stocking them).
    launches: Vec<Vec<u32>>,
    /// Scratch space for the keyword search.
    scratch: HashMap<u32, u32>,
    next_event: u32,
    next_order: u32,
}

impl<'a> Shop<'a> {
    /// Plans the period and stocks the warehouse, before the first day.
    fn open(
        rng: &mut SimRng,
        cfg: &'a ShopConfig,
        products: &'a [SimProduct],
        customers: &'a [Customer],
        calendar: &'a [DayInfo],
    ) -> Shop<'a> {
        let days = cfg.days;
        let campaigns = plan::plan_campaigns(rng, products, days);
        let plans = plan::plan_sessions(rng, cfg, customers, calendar, &campaigns);

        let mut by_category: HashMap<Category, Vec<u32>> = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            if p.is_active() {
                by_category.entry(p.category).or_default().push(i as u32);
            }
        }
        let search = KeywordSearch::new(products);
        let mut coll_index: HashMap<String, u16> = HashMap::new();
        for p in products {
            if let Some(c) = &p.collection {
                let n = coll_index.len() as u16;
                coll_index.entry(c.clone()).or_insert(n);
            }
        }
        let facts = intent::facts(products, &coll_index);
        let mut by_collection: Vec<Vec<u32>> = vec![Vec::new(); coll_index.len()];
        for (i, f) in facts.iter().enumerate() {
            if let (Some(c), true) = (f.collection, products[i].is_active()) {
                by_collection[c as usize].push(i as u32);
            }
        }
        let promo_today: Vec<f64> = vec![0.0; coll_index.len()];
        let stock = warehouse::initial_stock(rng, products, plans.len() as f64 / days as f64);

        let out = Output {
            events: Vec::with_capacity(plans.len() * 5),
            result_lists: Vec::new(),
            orders: Vec::new(),
            inventory: Vec::new(),
            purchase_orders: Vec::new(),
            demand: Vec::new(),
            stockouts: Vec::new(),
            queries: Vec::new(),
            searches: Vec::new(),
            sessions: Vec::with_capacity(plans.len()),
            campaigns,
            order_meta: Vec::new(),
        };
        let mut launches: Vec<Vec<u32>> = (0..days).map(|_| Vec::new()).collect();
        for (pi, p) in products.iter().enumerate() {
            for d in [p.launch_day, p.launch_day.saturating_sub(30)] {
                if d > 0 && d < days {
                    launches[d as usize].push(pi as u32);
                }
            }
        }
        Shop {
            cfg,
            products,
            customers,
            calendar,
            plans,
            next_plan: 0,
            by_category,
            search,
            coll_index,
            facts,
            by_collection,
            promo_today,
            stock,
            out,
            query_ids: HashMap::new(),
            pending_returns: (0..days).map(|_| Vec::new()).collect(),
            receipts: (0..days).map(|_| Vec::new()).collect(),
            touched: Vec::new(),
            dirty: Vec::new(),
            launches,
            scratch: HashMap::new(),
            next_event: 0,
            next_order: 0,
        }
    }

    /// One day, phase by phase.
    fn run_day(&mut self, rng: &mut SimRng, day: u32) {
        let base_ms = self.day_ms(day);
        self.start_promotions(day);
        self.receive_purchase_orders(day);
        self.receive_returns(rng, day, base_ms);
        while self.next_plan < self.plans.len() && self.plans[self.next_plan].day == day {
            let plan = self.plans[self.next_plan];
            let id = self.next_plan as u32;
            self.next_plan += 1;
            self.session(rng, id, plan, base_ms);
        }
        self.record_demand(day);
        self.restock(rng, day);
        self.snapshot(day);
    }

    /// After the last day: the stockouts still open, the showroom's pieces.
    fn close(mut self) -> Output {
        self.close_stock();
        self.out
    }

    /// Midnight (UTC) of `day`, in Unix milliseconds.
    fn day_ms(&self, day: u32) -> i64 {
        (self.cfg.start + chrono::Duration::days(day as i64))
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or(0)
    }

    /// Sets today's discount on each collection from the running promotions.
    fn start_promotions(&mut self, day: u32) {
        self.promo_today.iter_mut().for_each(|d| *d = 0.0);
        for c in self
            .out
            .campaigns
            .iter()
            .filter(|c| c.kind == CampaignKind::Promotion && (c.start_day..=c.end_day).contains(&day))
        {
            if let Some(i) = c.collection.as_ref().and_then(|name| self.coll_index.get(name)) {
                self.promo_today[*i as usize] = c.discount;
            }
        }
    }

    /// Today's discount on product `p` through its collection.
    fn promo(&self, p: u32) -> f64 {
        self.facts[p as usize].collection.map(|c| self.promo_today[c as usize]).unwrap_or(0.0)
    }

    /// Records an event, giving it the next id.
    fn emit(&mut self, event: SimEvent) -> u32 {
        let id = self.next_event;
        self.out.events.push(SimEvent { id, ..event });
        self.next_event += 1;
        id
    }
}
