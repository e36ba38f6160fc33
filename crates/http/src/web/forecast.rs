//! `/admin/forecasts`: where a buyer reads the forecasts and decides. The
//! total and one SKU drawn with their P10-P90 intervals, the week's stockout
//! risks and slow movers, and the replenishment queue with approve, edit and
//! reject buttons; everything from `app::forecasts`, as the API serves it.

use std::collections::HashMap;

use axum::extract::{Extension, State};
use axum::response::Redirect;
use forecast::Level;
use maud::{html, Markup};
use model::Product;
use serde::Deserialize;

use super::art;
use super::chart::{svg_line_chart, Band, LineChart, Series};
use super::{label, page, url_encode, PageQuery, PageResult};
use crate::auth::Caller;
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::wire::forecast::{DecisionRequest, Replenishment, SeriesForecast, SlowMover};

pub(crate) fn area() -> Area {
    Area::new("forecast pages", "The buyer's forecasts and replenishment page.")
        .admin_scope(Scope::AdminPlanning)
        .page("/admin/forecasts", Access::AdminPage, admin_page)
        .page_post("/admin/forecasts/decision", Access::AdminPage, admin_decide)
}

#[derive(Debug, Deserialize, Default)]
struct PageParams {
    sku: Option<String>,
    /// Set by the decision form's redirect: what was just decided, on which item.
    done: Option<String>,
    item: Option<String>,
    qty: Option<u64>,
}

/// History and forecast of one series as a line chart with its P10-P90 band.
/// A last history period cut short by the end of the data is left out: drawn
/// as a whole period it looks like a collapse in demand.
fn series_chart(
    set: &forecast::ForecastSet,
    s: &forecast::SeriesForecast,
    last_day: chrono::NaiveDate,
    title: &str,
) -> Markup {
    let pd = set.freq.days() as i64;
    let mut n = s.history.len();
    if n > 0 {
        let last_start = set.history_start + chrono::Duration::days((n as i64 - 1) * pd);
        if last_start + chrono::Duration::days(pd - 1) > last_day {
            n -= 1;
        }
    }
    let gap = s.history.len() - n;
    let from = n.saturating_sub(52);
    let x0 = from as f64;
    let hist: Vec<(f64, f64)> = (from..n).map(|t| (t as f64 - x0, s.history[t])).collect();
    let f = &s.fit;
    let base = (n + gap - from) as f64;
    let mean: Vec<(f64, f64)> = (0..f.mean.len()).map(|j| (base + j as f64, f.mean[j])).collect();
    let band: Vec<(f64, f64, f64)> =
        (0..f.mean.len()).map(|j| (base + j as f64, f.p10[j], f.p90[j])).collect();
    let mut ticks = Vec::new();
    for t in (from..n + gap + f.mean.len()).step_by(8.max((n + gap - from + f.mean.len()) / 6)) {
        let d = set.history_start + chrono::Duration::days(t as i64 * pd);
        ticks.push((t as f64 - x0, d.format("%Y-%m-%d").to_string()));
    }
    svg_line_chart(&LineChart {
        title: title.to_string(),
        series: vec![
            Series { label: "history".into(), points: hist, dashed: false },
            Series { label: "forecast (mean)".into(), points: mean, dashed: true },
        ],
        bands: vec![Band { label: "P10-P90".into(), points: band }],
        x_ticks: ticks,
        y_unit: " u".into(),
    })
}

fn why_list(why: &[app::wire::forecast::Why]) -> Markup {
    html! { ul class="small" { @for w in why { li { strong { (label(&w.signal)) } ": " (w.detail) } } } }
}

/// The catalog's pieces by variant SKU, to draw them beside their rows.
struct Pieces<'a>(HashMap<&'a str, &'a Product>);

impl<'a> Pieces<'a> {
    fn new(catalog: &'a [Product]) -> Pieces<'a> {
        Pieces(catalog.iter().flat_map(|p| p.variants.iter().map(move |v| (v.sku.as_str(), p))).collect())
    }

    /// The piece's drawing in the variant's metal; `None` for a SKU the
    /// catalog does not know (sold in orders only).
    fn thumb(&self, sku: &str) -> Option<Markup> {
        let p = self.0.get(sku)?;
        let metal = p.variant_by_sku(sku).and_then(|v| v.metals.first());
        Some(art::product_art_in(p, metal, None))
    }
}

/// The piece's drawing and the SKU (a link to its chart) with the product's
/// name under it.
fn item_cell(sku: &str, title: Option<&str>, pieces: &Pieces) -> Markup {
    html! {
        td {
            div class="item" {
                @if let Some(t) = pieces.thumb(sku) { span class="thumb" aria-hidden="true" { (t) } }
                div {
                    a href={ "/admin/forecasts?sku=" (url_encode(sku)) } { (sku) }
                    @if let Some(t) = title { div class="muted small" { (t) } }
                }
            }
        }
    }
}

/// "Approved 12 units of RING-7: it is in the purchase-order draft."
fn confirmation(done: &str, item: &str, qty: Option<u64>) -> Option<String> {
    let qty = qty.unwrap_or(0);
    Some(match done {
        "approve" => format!("Approved {qty} units of {item}: it is in the purchase-order draft."),
        "edit" => format!("Set {item} to {qty} units: it is in the purchase-order draft."),
        "reject" => format!("Rejected the suggestion for {item}: it stays out of the purchase-order draft."),
        _ => return None,
    })
}

async fn admin_page(State(state): State<AppState>, PageQuery(p): PageQuery<PageParams>) -> PageResult {
    let body = blocking(move || {
        let (c, rows) = app::forecasts::replenishment(&state.app.engines)?;
        let catalog = state.app.engines.catalog()?;
        let pieces = Pieces::new(&catalog);
        let set = &c.set;
        let intro = html! {
            h1 { "Forecasts & replenishment" }
            p class="muted" {
                "Weekly demand forecasts (reconciled across variant, product, category and total) with \
                 P10\u{2013}P90 intervals, the stockout risks and slow movers of the week, and the \
                 replenishment queue. Every suggestion shows its reasons; decisions are logged."
            }
        };
        if !app::forecasts::has_sales(&c) {
            return Ok(html! {
                (intro)
                div class="panel placeholder" {
                    h2 { "No order history yet" }
                    p {
                        "Forecasts, stockout risks and slow movers stand on past sales, and none are imported. \
                         Import the orders export: "
                        code { "loupe import orders FILE" }
                        " (or " code { "POST /v1/imports?kind=orders" } "), then inventory for stock cover: "
                        code { "loupe import inventory FILE" } "."
                    }
                }
            });
        }
        let total = set.level(Level::Total).next();
        let sku = p.sku.filter(|s| !s.is_empty()).or_else(|| {
            rows.iter()
                .filter(|r| r.abc == "A")
                .max_by(|a, b| a.weekly_demand.total_cmp(&b.weekly_demand))
                .map(|r| r.sku.clone())
        });
        let series = sku.as_deref().and_then(|k| set.level(Level::Variant).find(|s| s.key == k));
        // Stockout risks: earliest projected stockouts within eight weeks, of
        // variants that sell at least one unit in ten weeks.
        let horizon_end = set.period_start(8).to_string();
        let mut risks: Vec<&Replenishment> = rows
            .iter()
            .filter(|r| r.stockout_date.as_deref().is_some_and(|d| d <= horizon_end.as_str()))
            .filter(|r| r.weekly_demand >= 0.1)
            .collect();
        // Soonest first; among the same day, the most demand lost first.
        risks.sort_by(|a, b| {
            a.stockout_date.cmp(&b.stockout_date).then(b.weekly_demand.total_cmp(&a.weekly_demand))
        });
        // Flagged ones only (a markdown candidate is overstocked too), from the same set.
        let slow = app::forecasts::slow_movers(&state.app.engines, true)?;
        let flagged: Vec<&SlowMover> = slow.iter().take(25).collect();
        let queue: Vec<&Replenishment> =
            rows.iter().filter(|r| r.suggested_qty.unwrap_or(0) > 0 || r.decision.is_some()).take(50).collect();
        let confirmed = match (p.done.as_deref(), p.item.as_deref()) {
            (Some(done), Some(item)) => confirmation(done, item, p.qty),
            _ => None,
        };
        Ok(html! {
            (intro)
            @if let Some(text) = confirmed {
                p class="notice" role="status" { (text) " " a href="#queue" { "Back to the queue" } }
            }
            @if let Some(total) = total {
                section class="panel" {
                    h2 { "All demand" }
                    (series_chart(set, total, c.demand.end, "Total units per week: history and forecast"))
                    p class="small muted" {
                        "Model " (total.fit.model.as_str()) " · forecast from " (set.first_period) " · "
                        (forecast::MODEL_VERSION)
                    }
                }
            }
            @if let Some(s) = series {
                section class="panel" {
                    h2 { "SKU " (s.key) }
                    form method="get" action="/admin/forecasts" {
                        label { "SKU " input name="sku" value=(s.key); }
                        " "
                        button class="button" type="submit" { "Show" }
                    }
                    (series_chart(set, s, c.demand.end, &format!("{} units per week", s.key)))
                    (why_list(&SeriesForecast::from_engine(set, s).why))
                }
            }
            section class="panel" {
                h2 { "Stockout risks" }
                @if risks.is_empty() {
                    p class="muted" {
                        "No variant with known stock runs out in the next eight weeks (or no inventory was imported)."
                    }
                } @else {
                    div class="table-wrap" {
                        table {
                            thead {
                                tr {
                                    th { "SKU and piece" } th { "Class" } th class="num" { "Stock" }
                                    th class="num" { "Units/week" } th { "Runs out" }
                                }
                            }
                            tbody {
                                @for r in risks.iter().take(25) {
                                    tr {
                                        (item_cell(&r.sku, r.title.as_deref(), &pieces))
                                        td { (r.abc) }
                                        td class="num" { (r.on_hand.unwrap_or(0)) }
                                        td class="num" { (format!("{:.1}", r.weekly_demand)) }
                                        td { (r.stockout_date.as_deref().unwrap_or("")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section class="panel" {
                h2 { "Slow movers" }
                @if flagged.is_empty() {
                    p class="muted" { "Nothing flagged." }
                } @else {
                    div class="table-wrap" {
                        table {
                            thead { tr { th { "SKU and piece" } th { "Flags" } th { "Evidence" } } }
                            tbody {
                                @for s in flagged {
                                    tr {
                                        (item_cell(&s.sku, s.title.as_deref(), &pieces))
                                        td { (s.flags.iter().map(|f| label(f)).collect::<Vec<_>>().join(", ")) }
                                        td { (why_list(&s.why)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section class="panel" id="queue" {
                h2 { "Replenishment queue" }
                p class="small" { a href="/v1/replenishment/po.csv" { "Download the purchase-order draft (CSV)" } }
                @if queue.is_empty() {
                    p class="muted" {
                        "No order suggested: every variant with known stock is above its reorder point (or no \
                         inventory was imported)."
                    }
                } @else {
                    div class="table-wrap" {
                        table {
                            thead {
                                tr {
                                    th { "SKU and piece" } th { "Class" } th class="num" { "Stock" } th class="num" { "Reorder point" }
                                    th class="num" { "Suggested" } th { "Reasons" } th { "Decision" }
                                }
                            }
                            tbody { @for r in queue { (queue_row(r, &pieces)) } }
                        }
                    }
                }
            }
        })
    })
    .await?;
    Ok(page("Forecasts & replenishment", "/admin/forecasts", body))
}

/// A suggestion in the replenishment queue, with the buyer's decision form.
fn queue_row(r: &Replenishment, pieces: &Pieces) -> Markup {
    html! {
        tr {
            (item_cell(&r.sku, r.title.as_deref(), pieces))
            td { (r.abc) }
            td class="num" { (r.on_hand.unwrap_or(0)) }
            td class="num" { (format!("{:.0}", r.reorder_point)) }
            td class="num" { (r.suggested_qty.unwrap_or(0)) }
            td { (why_list(&r.why)) }
            td {
                @if let Some(d) = &r.decision {
                    span class="badge" { (d.action) " " (d.quantity) }
                }
                form method="post" action="/admin/forecasts/decision" {
                    input type="hidden" name="id" value=(r.id);
                    input name="quantity" size="5" value=(r.suggested_qty.unwrap_or(0)) aria-label="Quantity";
                    button class="button" name="action" value="approve" { "Approve" }
                    button class="button ghost" name="action" value="edit" { "Edit" }
                    button class="button ghost" name="action" value="reject" { "Reject" }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
struct DecisionForm {
    id: String,
    action: String,
    quantity: Option<String>,
}

async fn admin_decide(
    State(state): State<AppState>,
    caller: Option<Extension<Caller>>,
    axum::Form(form): axum::Form<DecisionForm>,
) -> Result<Redirect, crate::web::PageError> {
    let actor = caller.map_or_else(|| "open".to_string(), |c| c.0.actor());
    let quantity = form.quantity.as_deref().and_then(|q| q.trim().parse::<u64>().ok());
    let req = DecisionRequest { action: form.action, quantity, note: None };
    let id = form.id;
    let item = id.clone();
    let decision =
        blocking(move || Ok(app::forecasts::decide(&state.app.engines, &id, req, &actor)?)).await?;
    // Back to the queue, where the buyer was, with what was done.
    Ok(Redirect::to(&format!(
        "/admin/forecasts?done={}&item={}&qty={}#queue",
        url_encode(&decision.action),
        url_encode(&item),
        decision.quantity
    )))
}
