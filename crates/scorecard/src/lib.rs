//! The brand's scorecard: sales, returns, inventory and storefront metrics
//! per period and segment, computed by written definitions from the order
//! lines, the inventory snapshots, the events and the catalog.
//!
//! The definitions (the README's, shown in the back-office beside each
//! figure) are in [`Metric::formula`]; this module follows them to the
//! letter so that a hand computation over the raw files agrees exactly
//! (`bench/scorecard/hand.py`). In short:
//!
//! - Periods are whole UTC days, ISO weeks (Monday to Sunday) or calendar
//!   months; a range asked for is widened to whole periods.
//! - An order counts in the period of its `ordered_at`, once per order id
//!   with a line of positive quantity; `units` sums positive quantities;
//!   `revenue` sums quantity x unit price over them (gross of returns), in
//!   the brand's currency (the one most priced lines use; lines priced in
//!   another add units but no revenue).
//! - A line of negative quantity is a return or cancellation, dated on its
//!   own date.
//! - Stock at an instant is, per SKU and location, the last snapshot taken
//!   before it (negative counts as 0); a SKU's unit cost is the last one a
//!   snapshot gave it. Where no snapshot exists yet, stock metrics are
//!   `None`, never 0.
//! - Sessions and conversion need events in the range; segments other
//!   than `all` have neither (a session has no category or country).
//!
//! A metric whose inputs do not exist is `None` ("no data"), never a
//! made-up 0.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, Days, Months, NaiveDate};
use model::{Currency, Event, EventKind, InventoryLevel, OrderLine, Product, ProductStatus};

/// How long one period is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Day,
    Week,
    Month,
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        match s {
            "day" => Some(By::Day),
            "week" => Some(By::Week),
            "month" => Some(By::Month),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            By::Day => "day",
            By::Week => "week",
            By::Month => "month",
        }
    }

    /// The first day of the period holding `d`.
    pub fn start_of(self, d: NaiveDate) -> NaiveDate {
        match self {
            By::Day => d,
            By::Week => d - Days::new(u64::from(d.weekday().num_days_from_monday())),
            By::Month => d.with_day(1).unwrap_or(d),
        }
    }

    /// The first day of the period after the one starting on `start`.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            By::Day => start + Days::new(1),
            By::Week => start + Days::new(7),
            By::Month => start + Months::new(1),
        }
    }

    /// The first day of the period `n` periods before the one starting on `start`.
    pub fn back(self, start: NaiveDate, n: u32) -> NaiveDate {
        match self {
            By::Day => start - Days::new(u64::from(n)),
            By::Week => start - Days::new(7 * u64::from(n)),
            By::Month => start - Months::new(n),
        }
    }
}

/// What the rows are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    All,
    /// The normalized category of the SKU's product (`unknown` when the
    /// catalog does not list the SKU or could not tell).
    Category,
    /// The collection of the SKU's product (`none` without one).
    Collection,
    /// The line's unit price in bands of the brand's currency: `under 100`,
    /// `100-250`, `250-500`, `500-1000`, `1000-2500`, `2500 and over`.
    PriceBand,
    /// The sales channel; order lines carry none yet, so every line is `unknown`.
    Channel,
    /// `new` (the customer's first order), `returning`, or `guest` (no customer id).
    CustomerType,
    /// The order line's country, upper-cased (`unknown` without one).
    Country,
}

impl Segment {
    pub fn parse(s: &str) -> Option<Segment> {
        match s {
            "all" => Some(Segment::All),
            "category" => Some(Segment::Category),
            "collection" => Some(Segment::Collection),
            "price_band" => Some(Segment::PriceBand),
            "channel" => Some(Segment::Channel),
            "customer_type" => Some(Segment::CustomerType),
            "country" => Some(Segment::Country),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Segment::All => "all",
            Segment::Category => "category",
            Segment::Collection => "collection",
            Segment::PriceBand => "price_band",
            Segment::Channel => "channel",
            Segment::CustomerType => "customer_type",
            Segment::Country => "country",
        }
    }

    /// Whether stock belongs to a segment: a SKU's category or collection says.
    pub fn has_stock(self) -> bool {
        matches!(self, Segment::All | Segment::Category | Segment::Collection)
    }
}

/// One period: days `start` (inclusive) to `end` (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }
}

/// The whole periods that cover `from..=to`.
pub fn periods(from: NaiveDate, to: NaiveDate, by: By) -> Vec<Period> {
    let mut out = Vec::new();
    let mut start = by.start_of(from);
    while start <= to {
        let end = by.next(start);
        out.push(Period { start, end });
        start = end;
    }
    out
}

/// What the scorecard reads. With no session in the whole range (or
/// `sessions: None`), sessions and conversion are `None`, not 0.
pub struct Data<'a> {
    pub lines: &'a [OrderLine],
    /// Every inventory snapshot (any order).
    pub inventory: &'a [InventoryLevel],
    /// The storefront's events, condensed by [`SessionDays`] (sorted by day).
    pub sessions: Option<&'a [SessionDay]>,
    pub products: &'a [Product],
}

/// What one session did on one UTC day: all the scorecard needs of the
/// events, a few bytes where an event is hundreds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionDay {
    pub day: NaiveDate,
    /// The session, numbered in order of appearance.
    pub session: u32,
    pub bought: bool,
    pub searched: bool,
    /// A search of this session that day showed results.
    pub found: bool,
}

/// Condenses events (any order, streamed) into [`SessionDay`]s.
#[derive(Default)]
pub struct SessionDays {
    ids: HashMap<String, u32>,
    days: HashMap<(NaiveDate, u32), (bool, bool, bool)>,
}

impl SessionDays {
    pub fn add(&mut self, e: &Event) {
        self.add_parts(e.kind, e.at, e.session_id.as_deref(), !e.results.is_empty());
    }

    /// [`SessionDays::add`] from an event's parts: its kind, time (Unix ms),
    /// session, and whether a search showed results.
    pub fn add_parts(&mut self, kind: EventKind, at: i64, session_id: Option<&str>, found: bool) {
        let Some(id) = session_id else { return };
        let Some(day) = chrono::DateTime::from_timestamp_millis(at).map(|t| t.date_naive()) else { return };
        let next = self.ids.len() as u32;
        let session = match self.ids.get(id) {
            Some(&n) => n,
            None => {
                self.ids.insert(id.to_string(), next);
                next
            }
        };
        let d = self.days.entry((day, session)).or_default();
        match kind {
            EventKind::Purchase => d.0 = true,
            EventKind::Search => {
                d.1 = true;
                d.2 |= found;
            }
            _ => {}
        }
    }

    /// The session-days, sorted by day.
    pub fn finish(self) -> Vec<SessionDay> {
        let mut out: Vec<SessionDay> = self
            .days
            .into_iter()
            .map(|((day, session), (bought, searched, found))| SessionDay {
                day,
                session,
                bought,
                searched,
                found,
            })
            .collect();
        out.sort_by_key(|s| (s.day, s.session));
        out
    }
}

/// [`SessionDays`] of a slice of events.
pub fn session_days<'a>(events: impl IntoIterator<Item = &'a Event>) -> Vec<SessionDay> {
    let mut b = SessionDays::default();
    for e in events {
        b.add(e);
    }
    b.finish()
}

/// One period of one segment. Money is in minor units of `currency`.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub period: Period,
    pub segment: String,
    pub currency: Currency,
    pub sessions: Option<u64>,
    pub converted_sessions: Option<u64>,
    pub orders: u64,
    pub revenue_minor: i64,
    pub units: i64,
    pub returned_units: i64,
    /// Absolute value of the returned lines at their unit price.
    pub returned_value_minor: i64,
    /// Customers (with an id) who ordered in the period, and how many of them had ordered before it.
    pub customers: u64,
    pub repeat_customers: u64,
    /// Stock at the period's end (units, summed over SKUs with a snapshot by then); `None` without one.
    pub on_hand_end: Option<i64>,
    /// SKUs with a stock level at the period's end, listed active in the
    /// catalog (all of them when the catalog is empty), and how many had none.
    pub active_skus: u64,
    pub out_of_stock_skus: u64,
    /// Cost of the units sold whose SKU has a unit cost, and the revenue of those same lines.
    pub cogs_minor: Option<i64>,
    pub costed_revenue_minor: i64,
    /// Stock at cost at the period's start and end (SKUs with a cost).
    pub stock_cost_start_minor: Option<i64>,
    pub stock_cost_end_minor: Option<i64>,
}

impl Row {
    fn ratio(num: f64, den: f64) -> Option<f64> {
        (den != 0.0).then(|| num / den)
    }

    fn major(&self, minor: i64) -> f64 {
        minor as f64 / 10f64.powi(self.currency.exponent() as i32)
    }

    pub fn revenue(&self) -> f64 {
        self.major(self.revenue_minor)
    }

    pub fn returned_value(&self) -> f64 {
        self.major(self.returned_value_minor)
    }

    pub fn aov(&self) -> Option<f64> {
        Row::ratio(self.revenue(), self.orders as f64)
    }

    pub fn units_per_order(&self) -> Option<f64> {
        Row::ratio(self.units as f64, self.orders as f64)
    }

    pub fn conversion_rate(&self) -> Option<f64> {
        Row::ratio(self.converted_sessions? as f64, self.sessions? as f64)
    }

    pub fn return_rate(&self) -> Option<f64> {
        Row::ratio(self.returned_units as f64, self.units as f64)
    }

    pub fn return_value_rate(&self) -> Option<f64> {
        Row::ratio(self.returned_value_minor as f64, self.revenue_minor as f64)
    }

    pub fn sell_through(&self) -> Option<f64> {
        let end = self.on_hand_end?;
        Row::ratio(self.units as f64, (self.units + end) as f64)
    }

    /// Average stock at cost: the mean of the period's start and end, or the
    /// end alone when nothing was known at the start.
    fn average_stock_cost(&self) -> Option<f64> {
        let end = self.stock_cost_end_minor? as f64;
        Some(match self.stock_cost_start_minor {
            Some(start) => (start as f64 + end) / 2.0,
            None => end,
        })
    }

    pub fn inventory_turnover(&self) -> Option<f64> {
        Row::ratio(self.cogs_minor? as f64, self.average_stock_cost()?)
    }

    pub fn gmroi(&self) -> Option<f64> {
        let margin = (self.costed_revenue_minor - self.cogs_minor?) as f64;
        Row::ratio(margin, self.average_stock_cost()?)
    }

    pub fn weeks_of_supply(&self) -> Option<f64> {
        let weekly = self.units as f64 / (self.period.days() as f64 / 7.0);
        Row::ratio(self.on_hand_end? as f64, weekly)
    }

    pub fn stockout_rate(&self) -> Option<f64> {
        self.on_hand_end?;
        Row::ratio(self.out_of_stock_skus as f64, self.active_skus as f64)
    }

    pub fn repeat_rate(&self) -> Option<f64> {
        Row::ratio(self.repeat_customers as f64, self.customers as f64)
    }
}

/// The metrics, their names in the contract and their definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    Sessions,
    ConversionRate,
    Orders,
    Revenue,
    Units,
    Aov,
    UnitsPerOrder,
    ReturnedUnits,
    ReturnRate,
    ReturnValueRate,
    SellThrough,
    InventoryTurnover,
    Gmroi,
    WeeksOfSupply,
    StockoutRate,
    FirstResponseHours,
    ResolutionHours,
    RepeatRate,
}

impl Metric {
    pub const ALL: [Metric; 18] = [
        Metric::Sessions,
        Metric::ConversionRate,
        Metric::Orders,
        Metric::Revenue,
        Metric::Units,
        Metric::Aov,
        Metric::UnitsPerOrder,
        Metric::ReturnedUnits,
        Metric::ReturnRate,
        Metric::ReturnValueRate,
        Metric::SellThrough,
        Metric::InventoryTurnover,
        Metric::Gmroi,
        Metric::WeeksOfSupply,
        Metric::StockoutRate,
        Metric::FirstResponseHours,
        Metric::ResolutionHours,
        Metric::RepeatRate,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Metric::Sessions => "sessions",
            Metric::ConversionRate => "conversion_rate",
            Metric::Orders => "orders",
            Metric::Revenue => "revenue",
            Metric::Units => "units",
            Metric::Aov => "aov",
            Metric::UnitsPerOrder => "units_per_order",
            Metric::ReturnedUnits => "returned_units",
            Metric::ReturnRate => "return_rate",
            Metric::ReturnValueRate => "return_value_rate",
            Metric::SellThrough => "sell_through",
            Metric::InventoryTurnover => "inventory_turnover",
            Metric::Gmroi => "gmroi",
            Metric::WeeksOfSupply => "weeks_of_supply",
            Metric::StockoutRate => "stockout_rate",
            Metric::FirstResponseHours => "first_response_hours",
            Metric::ResolutionHours => "resolution_hours",
            Metric::RepeatRate => "repeat_rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Sessions => "Sessions",
            Metric::ConversionRate => "Conversion rate",
            Metric::Orders => "Orders",
            Metric::Revenue => "Revenue",
            Metric::Units => "Units",
            Metric::Aov => "Average order value",
            Metric::UnitsPerOrder => "Units per order",
            Metric::ReturnedUnits => "Returned units",
            Metric::ReturnRate => "Return rate",
            Metric::ReturnValueRate => "Return rate by value",
            Metric::SellThrough => "Sell-through",
            Metric::InventoryTurnover => "Inventory turnover",
            Metric::Gmroi => "GMROI",
            Metric::WeeksOfSupply => "Weeks of supply",
            Metric::StockoutRate => "Stockout rate",
            Metric::FirstResponseHours => "First response (hours)",
            Metric::ResolutionHours => "Resolution (hours)",
            Metric::RepeatRate => "Repeat-purchase rate",
        }
    }

    /// The definition, as the README writes it and the back-office shows it.
    pub fn formula(self) -> &'static str {
        match self {
            Metric::Sessions => "distinct session ids among the storefront's events in the period",
            Metric::ConversionRate => "sessions with a purchase event / sessions",
            Metric::Orders => "distinct order ids with a line of positive quantity ordered in the period",
            Metric::Revenue => "sum of quantity x unit price over lines of positive quantity (gross of returns)",
            Metric::Units => "sum of positive quantities",
            Metric::Aov => "revenue / orders",
            Metric::UnitsPerOrder => "units / orders",
            Metric::ReturnedUnits => {
                "sum of the absolute quantities of lines of negative quantity (returns and cancellations), dated on their own date"
            }
            Metric::ReturnRate => "returned units / units of the same period",
            Metric::ReturnValueRate => "value of the returned lines at unit price / revenue of the same period",
            Metric::SellThrough => "units sold / (units sold + units on hand at the period's end)",
            Metric::InventoryTurnover => {
                "cost of goods sold / average inventory at cost (mean of the period's start and end), for the period, not annualised"
            }
            Metric::Gmroi => "(revenue - cost of goods sold) / average inventory at cost, over SKUs with a unit cost",
            Metric::WeeksOfSupply => "units on hand at the period's end / average weekly units of the period",
            Metric::StockoutRate => "active variants with nothing on hand at the period's end / active variants with a stock level",
            Metric::FirstResponseHours => "median hours from a ticket's first message to the first agent reply (needs tickets)",
            Metric::ResolutionHours => "median hours from a ticket's first message to its resolution (needs tickets)",
            Metric::RepeatRate => "customers who had ordered before the period / customers ordering in the period",
        }
    }

    /// The row's value of this metric; `None` where its data does not exist.
    pub fn value(self, row: &Row) -> Option<f64> {
        match self {
            Metric::Sessions => row.sessions.map(|s| s as f64),
            Metric::ConversionRate => row.conversion_rate(),
            Metric::Orders => Some(row.orders as f64),
            Metric::Revenue => Some(row.revenue()),
            Metric::Units => Some(row.units as f64),
            Metric::Aov => row.aov(),
            Metric::UnitsPerOrder => row.units_per_order(),
            Metric::ReturnedUnits => Some(row.returned_units as f64),
            Metric::ReturnRate => row.return_rate(),
            Metric::ReturnValueRate => row.return_value_rate(),
            Metric::SellThrough => row.sell_through(),
            Metric::InventoryTurnover => row.inventory_turnover(),
            Metric::Gmroi => row.gmroi(),
            Metric::WeeksOfSupply => row.weeks_of_supply(),
            Metric::StockoutRate => row.stockout_rate(),
            Metric::FirstResponseHours | Metric::ResolutionHours => None,
            Metric::RepeatRate => row.repeat_rate(),
        }
    }

    /// Whether a higher value is better (for the colour of a change).
    pub fn higher_is_better(self) -> Option<bool> {
        match self {
            Metric::ReturnedUnits
            | Metric::ReturnRate
            | Metric::ReturnValueRate
            | Metric::StockoutRate
            | Metric::FirstResponseHours
            | Metric::ResolutionHours => Some(false),
            Metric::WeeksOfSupply => None,
            _ => Some(true),
        }
    }
}

/// The currency most priced lines of positive quantity use (USD without any).
pub fn main_currency(lines: &[OrderLine]) -> Currency {
    let mut counts: HashMap<Currency, u64> = HashMap::new();
    for l in lines.iter().filter(|l| l.quantity > 0) {
        if let Some(p) = l.unit_price {
            *counts.entry(p.currency).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(c, n)| (n, std::cmp::Reverse(c.as_str().to_string())))
        .map_or(Currency::USD, |(c, _)| c)
}

fn date_of_secs(secs: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(secs, 0).map(|t| t.date_naive())
}

fn secs_of(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp())
}

/// Index of the period holding `d`, if any (`periods` sorted and contiguous).
fn period_of(periods: &[Period], d: NaiveDate) -> Option<usize> {
    let i = periods.partition_point(|p| p.end <= d);
    (i < periods.len() && periods[i].start <= d).then_some(i)
}

/// Per SKU: its category, its collection and whether its product is active.
struct Skus<'a> {
    by_sku: HashMap<&'a str, (&'static str, &'a str, bool)>,
    catalog_empty: bool,
}

impl<'a> Skus<'a> {
    fn new(products: &'a [Product]) -> Skus<'a> {
        let mut by_sku = HashMap::new();
        for p in products {
            let cat = p.category.map_or("unknown", |c| c.as_str());
            let collection =
                p.collection.as_deref().map(str::trim).filter(|c| !c.is_empty()).unwrap_or("none");
            for v in &p.variants {
                by_sku.entry(v.sku.as_str()).or_insert((cat, collection, p.status == ProductStatus::Active));
            }
        }
        Skus { by_sku, catalog_empty: products.is_empty() }
    }

    fn category(&self, sku: &str) -> &'static str {
        self.by_sku.get(sku).map_or("unknown", |&(c, _, _)| c)
    }

    fn collection(&self, sku: &str) -> &'a str {
        self.by_sku.get(sku).map_or("none", |&(_, c, _)| c)
    }

    fn active(&self, sku: &str) -> bool {
        self.catalog_empty || self.by_sku.get(sku).is_some_and(|&(_, _, a)| a)
    }
}

/// The price bands, in price order, and their upper bounds (major units).
const PRICE_BANDS: [&str; 6] = ["under 100", "100-250", "250-500", "500-1000", "1000-2500", "2500 and over"];
const PRICE_BOUNDS: [f64; 5] = [100.0, 250.0, 500.0, 1000.0, 2500.0];

/// The price band of a unit price in major units (see [`Segment::PriceBand`]).
pub fn price_band(major: f64) -> &'static str {
    PRICE_BANDS[PRICE_BOUNDS.iter().take_while(|&&b| major >= b).count()]
}

#[derive(Default)]
struct Acc<'a> {
    orders: HashSet<&'a str>,
    customers: HashSet<&'a str>,
    repeat: HashSet<&'a str>,
    units: i64,
    revenue: i64,
    returned_units: i64,
    returned_value: i64,
    cogs: i64,
    costed_revenue: i64,
    any_cost: bool,
}

/// Replays the snapshots in time order, keeping each segment's stock up to
/// date as each snapshot lands, so reading it at a boundary costs one entry
/// per segment value, not one per SKU.
struct StockReplay<'a> {
    snapshots: Vec<&'a InventoryLevel>,
    next: usize,
    levels: HashMap<&'a str, HashMap<&'a str, i64>>,
    /// Per SKU: units over its locations.
    totals: HashMap<&'a str, i64>,
    costs: HashMap<&'a str, i64>,
    by_key: HashMap<&'a str, Agg>,
    currency: Currency,
}

/// A segment's stock at one instant, as sums that a SKU's change adjusts;
/// `costed` counts its SKUs with a unit cost.
#[derive(Clone, Copy, Default)]
struct Agg {
    on_hand: i64,
    at_cost: i64,
    costed: u64,
    active: u64,
    out: u64,
}

impl Agg {
    /// Adds (`sign` 1) or removes (-1) one SKU's stock.
    fn apply(&mut self, units: i64, cost: Option<i64>, active: bool, sign: i64) {
        self.on_hand += sign * units;
        if let Some(c) = cost {
            self.at_cost += sign * units * c;
            self.costed = self.costed.wrapping_add_signed(sign);
        }
        if active {
            self.active = self.active.wrapping_add_signed(sign);
            if units <= 0 {
                self.out = self.out.wrapping_add_signed(sign);
            }
        }
    }
}

impl<'a> StockReplay<'a> {
    fn new(inventory: &'a [InventoryLevel], currency: Currency) -> StockReplay<'a> {
        let mut snapshots: Vec<&InventoryLevel> = inventory.iter().filter(|l| l.as_of.is_some()).collect();
        snapshots.sort_by_key(|l| l.as_of);
        StockReplay {
            snapshots,
            next: 0,
            levels: HashMap::new(),
            totals: HashMap::new(),
            costs: HashMap::new(),
            by_key: HashMap::new(),
            currency,
        }
    }

    /// Applies every snapshot taken before `secs`; `key` names a SKU's
    /// segment value (`None`: no segment keeps stock).
    fn advance(&mut self, secs: i64, skus: &Skus, key: Option<&dyn Fn(&str) -> &'a str>) {
        while let Some(&l) = self.snapshots.get(self.next).filter(|l| l.as_of.unwrap_or(i64::MAX) < secs) {
            self.next += 1;
            let sku = l.sku.as_str();
            let active = skus.active(sku);
            let agg = key.map(|k| k(sku));
            if let (Some(k), Some(&units)) = (agg, self.totals.get(sku)) {
                let cost = self.costs.get(sku).copied();
                self.by_key.entry(k).or_default().apply(units, cost, active, -1);
            }
            let locs = self.levels.entry(sku).or_default();
            locs.insert(l.location.as_str(), l.on_hand.max(0));
            let units: i64 = locs.values().sum();
            self.totals.insert(sku, units);
            if let Some(c) = l.unit_cost.filter(|c| c.currency == self.currency) {
                self.costs.insert(sku, c.minor);
            }
            if let Some(k) = agg {
                let cost = self.costs.get(sku).copied();
                self.by_key.entry(k).or_default().apply(units, cost, active, 1);
            }
        }
    }

    /// Each segment's stock now.
    fn read(&self) -> HashMap<&'a str, Agg> {
        self.by_key.clone()
    }
}

/// The scorecard rows for `periods` (sorted, contiguous), one per period and
/// segment value, sorted by period then segment.
pub fn compute<'a>(data: &Data<'a>, periods: &[Period], segment: Segment) -> Vec<Row> {
    let currency = main_currency(data.lines);
    let skus = Skus::new(data.products);
    let Some(first) = periods.first() else { return Vec::new() };
    let (range_start, range_end) = (first.start, periods[periods.len() - 1].end);

    // Each customer's first order (positive line), over the whole history.
    let mut first_order: HashMap<&str, i64> = HashMap::new();
    for l in data.lines.iter().filter(|l| l.quantity > 0) {
        if let Some(c) = l.customer_id.as_deref() {
            let t = first_order.entry(c).or_insert(l.ordered_at);
            *t = (*t).min(l.ordered_at);
        }
    }
    let key = |l: &OrderLine| -> String {
        match segment {
            Segment::All => "all".into(),
            Segment::Category => skus.category(&l.sku).into(),
            Segment::Collection => skus.collection(&l.sku).into(),
            Segment::PriceBand => match l.unit_price.filter(|p| p.currency == currency) {
                Some(p) => price_band(p.major()).into(),
                None => "unknown".into(),
            },
            Segment::Channel => "unknown".into(),
            Segment::CustomerType => match l.customer_id.as_deref() {
                None => "guest".into(),
                Some(c) if first_order.get(c).is_some_and(|&t| t < l.ordered_at) => "returning".into(),
                Some(_) => "new".into(),
            },
            Segment::Country => l
                .country
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map_or_else(|| "unknown".to_string(), str::to_uppercase),
        }
    };

    let mut keys: BTreeSet<String> = BTreeSet::new();
    if segment == Segment::All {
        keys.insert("all".into());
    }
    let mut accs: HashMap<(usize, String), Acc> = HashMap::new();
    let mut costs_needed = Vec::new();
    for l in data.lines {
        let Some(d) = date_of_secs(l.ordered_at) else { continue };
        if d < range_start || d >= range_end {
            continue;
        }
        let Some(i) = period_of(periods, d) else { continue };
        let k = key(l);
        keys.insert(k.clone());
        let acc = accs.entry((i, k)).or_default();
        let price = l.unit_price.filter(|p| p.currency == currency).map(|p| p.minor);
        if l.quantity > 0 {
            acc.orders.insert(l.order_id.as_str());
            acc.units += l.quantity;
            acc.revenue += l.quantity * price.unwrap_or(0);
            if let Some(c) = l.customer_id.as_deref() {
                acc.customers.insert(c);
                if first_order.get(c).is_some_and(|&t| t < secs_of(periods[i].start)) {
                    acc.repeat.insert(c);
                }
            }
            costs_needed.push((i, l));
        } else if l.quantity < 0 {
            acc.returned_units += -l.quantity;
            acc.returned_value += -l.quantity * price.unwrap_or(0);
        }
    }

    // Stock at every boundary, and the costs known at each period's end.
    let mut replay = StockReplay::new(data.inventory, currency);
    let by_category = |sku: &str| -> &'a str { skus.category(sku) };
    let by_collection = |sku: &str| -> &'a str { skus.collection(sku) };
    let whole = |_: &str| -> &'a str { "all" };
    let stock_key: Option<&dyn Fn(&str) -> &'a str> = match segment {
        Segment::All => Some(&whole),
        Segment::Category => Some(&by_category),
        Segment::Collection => Some(&by_collection),
        _ => None,
    };
    let mut stock_at: Vec<HashMap<&str, Agg>> = Vec::with_capacity(periods.len() + 1);
    costs_needed.sort_by_key(|(i, _)| *i);
    let mut need = costs_needed.into_iter().peekable();
    let boundaries = periods.iter().map(|p| p.start).chain(std::iter::once(range_end));
    for (b, day) in boundaries.enumerate() {
        replay.advance(secs_of(day), &skus, stock_key);
        stock_at.push(replay.read());
        if b == 0 {
            continue;
        }
        // Lines of period b - 1 are costed at its end.
        while let Some((_, l)) = need.next_if(|(i, _)| *i == b - 1) {
            let Some(&cost) = replay.costs.get(l.sku.as_str()) else { continue };
            let acc = accs.get_mut(&(b - 1, key(l))).expect("the line's accumulator exists");
            acc.cogs += l.quantity * cost;
            acc.costed_revenue +=
                l.quantity * l.unit_price.filter(|p| p.currency == currency).map_or(0, |p| p.minor);
            acc.any_cost = true;
        }
    }
    // Empty for a segment without stock.
    for s in &stock_at {
        keys.extend(s.keys().map(|k| k.to_string()));
    }

    // Sessions, for the whole store only.
    let sessions: Option<Vec<(u64, u64)>> = match (segment, data.sessions) {
        (Segment::All, Some(days)) => {
            let mut seen: HashMap<(usize, u32), bool> = HashMap::new();
            let from = days.partition_point(|s| s.day < range_start);
            for s in days[from..].iter().take_while(|s| s.day < range_end) {
                let Some(i) = period_of(periods, s.day) else { continue };
                *seen.entry((i, s.session)).or_default() |= s.bought;
            }
            let mut out = vec![(0u64, 0u64); periods.len()];
            let any = !seen.is_empty();
            for ((i, _), bought) in seen {
                out[i].0 += 1;
                out[i].1 += u64::from(bought);
            }
            // No session anywhere in the range: the events do not cover it.
            any.then_some(out)
        }
        _ => None,
    };

    // Price bands read in price order, not alphabetically.
    let mut keys: Vec<String> = keys.into_iter().collect();
    if segment == Segment::PriceBand {
        keys.sort_by_key(|k| PRICE_BANDS.iter().position(|b| b == k).unwrap_or(PRICE_BANDS.len()));
    }
    let mut rows = Vec::with_capacity(periods.len() * keys.len());
    for (i, period) in periods.iter().enumerate() {
        for k in &keys {
            let acc = accs.remove(&(i, k.clone())).unwrap_or_default();
            let stock = |b: usize| -> Option<Agg> { stock_at[b].get(k.as_str()).copied() };
            let (start, end) = (stock(i), stock(i + 1));
            rows.push(Row {
                period: *period,
                segment: k.clone(),
                currency,
                sessions: sessions.as_ref().map(|s| s[i].0),
                converted_sessions: sessions.as_ref().map(|s| s[i].1),
                orders: acc.orders.len() as u64,
                revenue_minor: acc.revenue,
                units: acc.units,
                returned_units: acc.returned_units,
                returned_value_minor: acc.returned_value,
                customers: acc.customers.len() as u64,
                repeat_customers: acc.repeat.len() as u64,
                on_hand_end: end.map(|s| s.on_hand),
                active_skus: end.map_or(0, |s| s.active),
                out_of_stock_skus: end.map_or(0, |s| s.out),
                cogs_minor: (acc.any_cost || end.is_some_and(|s| s.costed > 0)).then_some(acc.cogs),
                costed_revenue_minor: acc.costed_revenue,
                stock_cost_start_minor: start.filter(|s| s.costed > 0).map(|s| s.at_cost),
                stock_cost_end_minor: end.filter(|s| s.costed > 0).map(|s| s.at_cost),
            });
        }
    }
    rows
}

/// Sessions and how many bought, in one group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sessions {
    pub sessions: u64,
    pub converted: u64,
}

impl Sessions {
    pub fn rate(&self) -> Option<f64> {
        (self.sessions > 0).then(|| self.converted as f64 / self.sessions as f64)
    }
}

/// Conversion of a period's sessions by what they did with search: the
/// sessions that searched against those that did not, and among the
/// searchers, those whose searches all found nothing. A comparison of
/// shoppers, not of causes: shoppers who search differ from those who do not.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SearchUse {
    pub searched: Sessions,
    pub not_searched: Sessions,
    /// Searched, and at least one search showed results.
    pub found: Sessions,
    /// Searched, and every search showed nothing.
    pub zero_results: Sessions,
}

/// [`SearchUse`] over the sessions of `period` (`days` sorted by day, as
/// [`SessionDays::finish`] gives them); `None` without a session in it.
pub fn search_use(days: &[SessionDay], period: Period) -> Option<SearchUse> {
    let mut by_session: HashMap<u32, (bool, bool, bool)> = HashMap::new();
    let from = days.partition_point(|s| s.day < period.start);
    for s in days[from..].iter().take_while(|s| s.day < period.end) {
        let e = by_session.entry(s.session).or_default();
        e.0 |= s.searched;
        e.1 |= s.found;
        e.2 |= s.bought;
    }
    if by_session.is_empty() {
        return None;
    }
    let mut out = SearchUse::default();
    for &(searched, found, bought) in by_session.values() {
        let add = |g: &mut Sessions| {
            g.sessions += 1;
            g.converted += u64::from(bought);
        };
        if searched {
            add(&mut out.searched);
            add(if found { &mut out.found } else { &mut out.zero_results });
        } else {
            add(&mut out.not_searched);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests;
