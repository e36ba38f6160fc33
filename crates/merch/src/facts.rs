//! What the engine knows of each product's behaviour and stock, condensed by
//! the caller from orders, events and inventory.

use std::collections::{BTreeMap, HashMap};

/// Unix days (UTC) of a Unix time in seconds.
pub fn day_of(secs: i64) -> i64 {
    secs.div_euclid(86_400)
}

/// One product's behaviour and stock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProductFacts {
    /// Product page views (storefront events).
    pub views: u64,
    /// Purchase events (one per product a session bought).
    pub purchases: u64,
    /// Distinct orders with it (order lines).
    pub orders: u64,
    /// Units sold (order lines, returns not subtracted).
    pub units: i64,
    /// Revenue of those units in the catalog's currency, major units.
    pub revenue: f64,
    /// Revenue less unit cost over revenue, where every sold SKU has a cost.
    pub margin_rate: Option<f64>,
    /// Units on hand across locations, where the inventory knows the SKUs.
    pub on_hand: Option<i64>,
    /// The longest lead time of its SKUs, in days.
    pub lead_time_days: Option<u32>,
    /// Units sold by day (Unix day), from order lines.
    pub daily_units: BTreeMap<i64, i64>,
    /// Of `purchases`, how many followed a search in the same session, each
    /// with the session's queries (lower-cased).
    pub purchase_queries: Vec<Vec<String>>,
    /// Flagged by the forecasting engine as slow-moving or a markdown candidate.
    pub slow_mover: bool,
}

impl ProductFacts {
    /// Units sold in the days `[from, to)`.
    pub fn units_between(&self, from: i64, to: i64) -> i64 {
        if from >= to {
            return 0;
        }
        self.daily_units.range(from..to).map(|(_, u)| *u).sum()
    }

    /// Purchases per view, when it has been viewed.
    pub fn conversion(&self) -> Option<f64> {
        (self.views > 0).then(|| self.purchases as f64 / self.views as f64)
    }

    /// Revenue per view, when it has been viewed.
    pub fn revenue_per_view(&self) -> Option<f64> {
        (self.views > 0).then(|| self.revenue / self.views as f64)
    }
}

/// Everything the engine reads besides the catalog.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub products: HashMap<u64, ProductFacts>,
    /// The distinct products of each order with two or more (co-purchase).
    pub baskets: Vec<Vec<u64>>,
    /// Orders counted (baskets of one included).
    pub orders: u64,
    /// The day the data is read as of (the last day with an order or event,
    /// or today when earlier); weeks and windows count back from it.
    pub as_of_day: i64,
    /// The first day with an order.
    pub first_day: Option<i64>,
}

impl Facts {
    pub fn of(&self, id: u64) -> Option<&ProductFacts> {
        self.products.get(&id)
    }

    /// Days of order history before `as_of_day`.
    pub fn history_days(&self) -> i64 {
        self.first_day.map(|f| (self.as_of_day - f).max(0)).unwrap_or(0)
    }
}
