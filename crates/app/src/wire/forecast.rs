//! Forecasts, replenishment suggestions and slow movers as the CLI's
//! `--json` and the HTTP API print them (issue 6's contract), converted from
//! the `forecast` engine's values.

use serde::{Deserialize, Serialize};

/// One reason: `{"signal", "detail", "contribution"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Why {
    pub signal: String,
    pub detail: String,
    pub contribution: f64,
}

impl From<&forecast::Why> for Why {
    fn from(w: &forecast::Why) -> Why {
        Why { signal: w.signal.clone(), detail: w.detail.clone(), contribution: round(w.contribution) }
    }
}

fn whys(list: &[forecast::Why]) -> Vec<Why> {
    list.iter().map(Why::from).collect()
}

/// Three decimals: enough for units, short on the wire.
fn round(x: f64) -> f64 {
    if x.is_finite() {
        (x * 1000.0).round() / 1000.0
    } else {
        0.0
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    /// `YYYY-MM-DD`, the first day of the period (a Monday for weeks).
    pub period_start: String,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    /// The mean forecast (what the levels reconcile on).
    pub mean: f64,
}

/// One line of `loupe forecast --json`, one item of `GET /v1/forecasts`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesForecast {
    pub level: String,
    pub key: String,
    pub sku: Option<String>,
    pub freq: String,
    pub model: String,
    pub model_version: String,
    pub demand_class: String,
    pub points: Vec<ForecastPoint>,
    pub why: Vec<Why>,
}

impl SeriesForecast {
    pub fn from_engine(set: &forecast::ForecastSet, s: &forecast::SeriesForecast) -> SeriesForecast {
        let f = &s.fit;
        SeriesForecast {
            level: s.level.as_str().to_string(),
            key: s.key.clone(),
            sku: s.sku.clone(),
            freq: set.freq.as_str().to_string(),
            model: f.model.as_str().to_string(),
            model_version: forecast::MODEL_VERSION.to_string(),
            demand_class: f.class.as_str().to_string(),
            points: (0..f.mean.len())
                .map(|j| ForecastPoint {
                    period_start: set.period_start(j).to_string(),
                    p10: round(f.p10[j]),
                    p50: round(f.p50[j]),
                    p90: round(f.p90[j]),
                    mean: round(f.mean[j]),
                })
                .collect(),
            why: whys(&s.why),
        }
    }
}

/// A buyer's decision on a suggestion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// `approve`, `edit` or `reject`.
    pub action: String,
    /// The quantity decided (the suggestion's for `approve`, the buyer's for
    /// `edit`, 0 for `reject`).
    pub quantity: u64,
    #[serde(default)]
    pub note: Option<String>,
    pub actor: String,
    /// Unix seconds.
    pub at: i64,
    /// The quantity Loupe had suggested, and with which model version.
    pub suggested_qty: Option<u64>,
    pub model_version: String,
}

/// Body of `POST /v1/replenishment/{id}/decision`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionRequest {
    pub action: String,
    #[serde(default)]
    pub quantity: Option<u64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One line of `loupe replenish --json`, one item of `GET /v1/replenishment`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replenishment {
    /// The suggestion's id: the SKU.
    pub id: String,
    pub sku: String,
    pub product: String,
    pub title: Option<String>,
    pub abc: String,
    pub demand_class: String,
    pub on_hand: Option<i64>,
    pub on_order: i64,
    pub weekly_demand: f64,
    pub weeks_of_supply: Option<f64>,
    pub stockout_date: Option<String>,
    pub lead_time_days: u32,
    pub service_level: f64,
    pub distribution: String,
    pub lead_time_demand: f64,
    pub safety_stock: f64,
    pub reorder_point: f64,
    pub order_up_to: f64,
    pub suggested_qty: Option<u64>,
    pub unit_cost: Option<f64>,
    pub order_value: Option<f64>,
    pub newsvendor_qty: u64,
    pub model: String,
    pub model_version: String,
    #[serde(default)]
    pub decision: Option<Decision>,
    pub why: Vec<Why>,
}

impl From<&forecast::Suggestion> for Replenishment {
    fn from(s: &forecast::Suggestion) -> Replenishment {
        Replenishment {
            id: s.sku.clone(),
            sku: s.sku.clone(),
            product: s.product.clone(),
            title: s.title.clone(),
            abc: s.abc.to_string(),
            demand_class: s.class.as_str().to_string(),
            on_hand: s.on_hand,
            on_order: s.on_order,
            weekly_demand: round(s.weekly_demand),
            weeks_of_supply: s.weeks_of_supply.filter(|w| w.is_finite()).map(round),
            stockout_date: s.stockout_date.map(|d| d.to_string()),
            lead_time_days: s.lead_time_days,
            service_level: s.service_level,
            distribution: s.distribution.to_string(),
            lead_time_demand: round(s.lead_time_demand),
            safety_stock: round(s.safety_stock),
            reorder_point: round(s.reorder_point),
            order_up_to: round(s.order_up_to),
            suggested_qty: s.suggested_qty,
            unit_cost: s.unit_cost.map(round),
            order_value: s.order_value.map(round),
            newsvendor_qty: s.newsvendor_qty,
            model: s.model.to_string(),
            model_version: forecast::MODEL_VERSION.to_string(),
            decision: None,
            why: whys(&s.why),
        }
    }
}

/// One line of `loupe slow-movers --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlowMover {
    pub sku: String,
    pub product: String,
    pub category: String,
    pub title: Option<String>,
    pub score: f64,
    pub slow: bool,
    pub overstock: bool,
    pub markdown: bool,
    pub flags: Vec<String>,
    pub days_since_sale: Option<i64>,
    pub sold_90: f64,
    pub on_hand: Option<i64>,
    pub sell_through_90: Option<f64>,
    pub views_90: u32,
    pub add_to_cart_rate: Option<f64>,
    pub category_add_to_cart_rate: Option<f64>,
    pub weeks_of_supply: Option<f64>,
    pub demand_probability: f64,
    pub why: Vec<Why>,
}

impl From<&forecast::SlowMover> for SlowMover {
    fn from(s: &forecast::SlowMover) -> SlowMover {
        SlowMover {
            sku: s.sku.clone(),
            product: s.product.clone(),
            category: s.category.clone(),
            title: s.title.clone(),
            score: round(s.score),
            slow: s.slow,
            overstock: s.overstock,
            markdown: s.markdown,
            flags: s.flags.iter().map(|f| f.to_string()).collect(),
            days_since_sale: s.days_since_sale,
            sold_90: round(s.sold_90),
            on_hand: s.on_hand,
            sell_through_90: s.sell_through_90.map(round),
            views_90: s.views_90,
            add_to_cart_rate: s.add_to_cart_rate.map(round),
            category_add_to_cart_rate: s.category_add_to_cart_rate.map(round),
            weeks_of_supply: s.weeks_of_supply.filter(|w| w.is_finite()).map(round),
            demand_probability: round(s.demand_probability),
            why: whys(&s.why),
        }
    }
}

/// Reads what the forecast engine needs from the store (orders, inventory
/// history, events, products) and builds the daily demand history. Shared
/// by the CLI commands and the HTTP routes so both see the same history.
pub fn load_demand(store: &store::Store) -> store::Result<forecast::Demand> {
    let lines = store.order_lines()?;
    let inventory = store.inventory_history()?;
    let products = store.products()?;
    // Only the last 90 days of events count; they are read a page at a time.
    let (from, to) = forecast::demand_event_window(&lines, &inventory);
    store.scan_events(from, to, |events| forecast::build_demand_iter(&lines, &inventory, events, &products))
}

/// Collection of the buyer's decisions, one document per SKU.
pub const DECISIONS: &str = "replenishment";

/// Attaches the stored decisions (collection [`DECISIONS`]) to suggestions.
pub fn attach_decisions(store: &store::Store, list: &mut [Replenishment]) -> store::Result<()> {
    let docs: std::collections::HashMap<String, String> = store.list_docs(DECISIONS)?.into_iter().collect();
    for r in list.iter_mut() {
        if let Some(json) = docs.get(&r.id) {
            r.decision = serde_json::from_str(json).ok();
        }
    }
    Ok(())
}

/// The approved (or edited) lines as a purchase-order draft in CSV:
/// `sku,product,title,quantity,unit_cost,line_value,decided_by,decided_at`.
pub fn purchase_order_csv(list: &[Replenishment]) -> String {
    let esc = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("sku,product,title,quantity,unit_cost,line_value,decided_by,decided_at\n");
    for r in list {
        let Some(d) = &r.decision else { continue };
        if d.action == "reject" || d.quantity == 0 {
            continue;
        }
        let cost = r.unit_cost.map(|c| format!("{c:.2}")).unwrap_or_default();
        let value = r.unit_cost.map(|c| format!("{:.2}", c * d.quantity as f64)).unwrap_or_default();
        let at = chrono::DateTime::from_timestamp(d.at, 0).map(|t| t.to_rfc3339()).unwrap_or_default();
        out.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            esc(&r.sku),
            esc(&r.product),
            esc(r.title.as_deref().unwrap_or("")),
            d.quantity,
            cost,
            value,
            esc(&d.actor),
            at
        ));
    }
    out
}
