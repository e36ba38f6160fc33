//! Demand-planning use cases: forecasts at any level (paged), replenishment
//! suggestions with the buyer's decisions attached, recording a decision
//! (and its audit entry), the purchase-order draft, and slow movers. All of
//! them read the shared forecast set of [`Engines::forecasts`], so a page,
//! the API and the CLI agree and nothing is computed twice. With no order
//! history at all they answer nothing ([`has_sales`]) rather than invent it.

use std::sync::Arc;

use forecast::{Freq, Level};

use crate::engines::{Engines, Forecasts};
use crate::error::{Code, Error, Result};
use crate::wire::forecast::{
    attach_decisions, Decision, DecisionRequest, Replenishment, SeriesForecast, SlowMover, DECISIONS,
};
use crate::wire::http::Cursor;

pub const MAX_LIMIT: usize = 10_000;
/// Replenishment and slow movers look this many weeks ahead.
pub const PLANNING_WEEKS: usize = 8;

/// Which series, as the caller asked for them.
#[derive(Clone, Debug)]
pub struct ForecastQuery {
    pub level: String,
    pub freq: String,
    pub horizon: usize,
    /// A SKU (variant level) or the product, category or total key.
    pub sku: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

impl Default for ForecastQuery {
    fn default() -> ForecastQuery {
        ForecastQuery {
            level: "variant".into(),
            freq: "week".into(),
            horizon: 4,
            sku: None,
            limit: 100,
            offset: 0,
        }
    }
}

/// One page of series.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ForecastPage {
    pub items: Vec<SeriesForecast>,
    /// Series matching the query over all pages.
    pub total: usize,
    pub first_period: String,
    /// Pass as `cursor` for the next page; `None` on the last one.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Whether any order line was imported. Without one there is nothing to
/// forecast from, and Loupe says so instead of drawing a flat line "from
/// 2000-01-03" or calling every variant a slow mover.
/// The most units one replenishment decision may order.
pub const MAX_ORDER_QTY: u64 = 1_000_000_000;

pub fn has_sales(c: &Forecasts) -> bool {
    c.demand.variants.iter().any(|v| v.last_sale.is_some() || v.units.iter().any(|&u| u > 0.0))
}

fn bad(e: forecast::Error) -> Error {
    Error::new(Code::InvalidQuery, e.to_string())
}

pub fn forecasts(engines: &Engines, q: &ForecastQuery) -> Result<ForecastPage> {
    let level = Level::parse(&q.level).map_err(bad)?;
    let freq = Freq::parse(&q.freq).map_err(bad)?;
    let horizon = freq.horizon(q.horizon).map_err(bad)?;
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return Err(Error::new(Code::InvalidQuery, format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let c = engines.forecasts(freq, horizon)?;
    if !has_sales(&c) {
        return Ok(ForecastPage {
            items: Vec::new(),
            total: 0,
            first_period: String::new(),
            next_cursor: None,
        });
    }
    let matching: Vec<&forecast::SeriesForecast> = c
        .set
        .series
        .iter()
        .filter(|s| s.level == level)
        .filter(|s| q.sku.as_deref().is_none_or(|k| s.key == k || s.sku.as_deref() == Some(k)))
        .collect();
    if let Some(sku) = &q.sku {
        if matching.is_empty() {
            return Err(Error::not_found(format!("{} series {sku:?}", level.as_str())));
        }
    }
    let items: Vec<SeriesForecast> = matching
        .iter()
        .skip(q.offset)
        .take(q.limit)
        .map(|s| SeriesForecast::from_engine(&c.set, s))
        .collect();
    let next_cursor = Cursor::after(q.offset, items.len(), matching.len()).map(|c| c.encode());
    Ok(ForecastPage {
        items,
        total: matching.len(),
        first_period: c.set.first_period.to_string(),
        next_cursor,
    })
}

/// Every replenishment suggestion with the decision a buyer took on it.
pub fn replenishment(engines: &Engines) -> Result<(Arc<Forecasts>, Vec<Replenishment>)> {
    replenishment_with(engines, &forecast::ReplenishConfig::default())
}

pub fn replenishment_with(
    engines: &Engines,
    cfg: &forecast::ReplenishConfig,
) -> Result<(Arc<Forecasts>, Vec<Replenishment>)> {
    let c = engines.forecasts(Freq::Week, PLANNING_WEEKS)?;
    if !has_sales(&c) {
        return Ok((c, Vec::new()));
    }
    let list = forecast::replenish(&c.demand, &c.set, cfg);
    let mut rows: Vec<Replenishment> = list.iter().map(Replenishment::from).collect();
    attach_decisions(engines.store(), &mut rows)?;
    Ok((c, rows))
}

/// The approved and edited lines as a purchase-order CSV draft.
pub fn purchase_order(engines: &Engines) -> Result<String> {
    Ok(crate::wire::forecast::purchase_order_csv(&replenishment(engines)?.1))
}

/// Validates, stores and audits a buyer's decision on suggestion `id`.
pub fn decide(engines: &Engines, id: &str, req: DecisionRequest, actor: &str) -> Result<Decision> {
    let (_, rows) = replenishment(engines)?;
    let Some(row) = rows.iter().find(|r| r.id == id) else {
        return Err(Error::not_found(format!("suggestion {id:?}")));
    };
    let quantity = match req.action.as_str() {
        "approve" => row.suggested_qty.unwrap_or(0),
        "edit" => match req.quantity {
            None => return Err(Error::new(Code::InvalidDecision, "`edit` needs a `quantity`")),
            Some(q) if q > MAX_ORDER_QTY => {
                return Err(Error::new(
                    Code::InvalidDecision,
                    format!("`quantity` {q} is over {MAX_ORDER_QTY} units; is it a typo?"),
                ))
            }
            Some(q) => q,
        },
        "reject" => 0,
        other => {
            return Err(Error::new(
                Code::InvalidDecision,
                format!(
                    "unknown action {:?}; expected approve, edit or reject",
                    other.chars().take(20).collect::<String>()
                ),
            ))
        }
    };
    let decision = Decision {
        action: req.action,
        quantity,
        note: req.note.map(|n| n.chars().take(500).collect()),
        actor: actor.to_string(),
        at: engines.clock().now_secs(),
        suggested_qty: row.suggested_qty,
        model_version: row.model_version.clone(),
    };
    let decision_json = serde_json::to_string(&decision).map_err(Error::internal)?;
    engines.store().put_doc(DECISIONS, id, &decision_json)?;
    engines.store().append_audit(store::AuditEntry {
        at: decision.at,
        actor: actor.to_string(),
        action: format!("replenishment.{}", decision.action),
        subject: id.to_string(),
        decision_json,
        why_json: serde_json::to_string(&row.why).map_err(Error::internal)?,
    })?;
    Ok(decision)
}

/// Slow movers, overstock and markdown candidates; `flagged_only` keeps the
/// variants with at least one flag.
pub fn slow_movers(engines: &Engines, flagged_only: bool) -> Result<Vec<SlowMover>> {
    let c = engines.forecasts(Freq::Week, PLANNING_WEEKS)?;
    if !has_sales(&c) {
        return Ok(Vec::new());
    }
    let list = forecast::slow_movers(&c.demand, &c.set, &forecast::SlowConfig::default());
    Ok(list
        .iter()
        .filter(|s| !flagged_only || s.slow || s.overstock || s.markdown)
        .map(SlowMover::from)
        .collect())
}
