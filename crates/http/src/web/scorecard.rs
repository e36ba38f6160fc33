//! The scorecard, the back-office's first screen (`/admin`): every metric of
//! the chosen range beside the range before it and the same range a year
//! earlier, each with its formula on hover and its trend; revenue against a
//! year earlier; what search contributed, measured; the range by segment and
//! by period, each table with its CSV.
//!
//! The catalog, which `/admin` used to show, is `/admin/catalog`; old links
//! to `/admin?q=`, `?category=`, `?issue=` or `?page=` are sent there.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use model::Money;
use scorecard::{By, Metric, Period, Row, SearchUse, Segment};
use serde::Deserialize;

use super::chart::{sparkline, svg_line_chart, LineChart, Series};
use super::{fmt_money, group_thousands, page, url_encode, PageError, PageQuery};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::scorecard::{comparisons, periods_of, year_earlier, Query};

pub(crate) fn area() -> Area {
    Area::new("scorecard-page", "The scorecard page.").admin_scope(Scope::AdminMerchandising).page(
        "/admin",
        Access::AdminPage,
        scorecard_page,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Params {
    from: Option<String>,
    to: Option<String>,
    by: Option<String>,
    segment: Option<String>,
    // The catalog's parameters, from links made before it moved.
    q: Option<String>,
    category: Option<String>,
    issue: Option<String>,
    page: Option<String>,
}

/// The tiles, in reading order.
const TILES: [Metric; 16] = [
    Metric::Revenue,
    Metric::Orders,
    Metric::Aov,
    Metric::Sessions,
    Metric::ConversionRate,
    Metric::Units,
    Metric::UnitsPerOrder,
    Metric::ReturnRate,
    Metric::ReturnValueRate,
    Metric::RepeatRate,
    Metric::SellThrough,
    Metric::StockoutRate,
    Metric::WeeksOfSupply,
    Metric::InventoryTurnover,
    Metric::Gmroi,
    Metric::ReturnedUnits,
];

/// What the page shows, computed off the async runtime.
struct View {
    by: By,
    segment: Segment,
    periods: Vec<Period>,
    now: Row,
    previous: Row,
    year: Row,
    per_period: Vec<Row>,
    year_per_period: Vec<Row>,
    segments: Vec<Row>,
    search: Option<SearchUse>,
    experiments: usize,
    empty: bool,
    /// When the figures were read (Unix seconds).
    read_at: i64,
}

async fn scorecard_page(
    State(state): State<AppState>,
    PageQuery(p): PageQuery<Params>,
) -> Result<Response, PageError> {
    let legacy = [("q", &p.q), ("category", &p.category), ("issue", &p.issue), ("page", &p.page)];
    if legacy.iter().any(|(_, v)| v.is_some()) {
        let query: Vec<String> = legacy
            .iter()
            .filter_map(|(k, v)| v.as_deref().map(|v| format!("{k}={}", url_encode(v))))
            .collect();
        return Ok(Redirect::permanent(&format!("/admin/catalog?{}", query.join("&"))).into_response());
    }
    let parsed = Query::parse(p.from.as_deref(), p.to.as_deref(), p.by.as_deref(), None);
    let segment = p.segment.as_deref().and_then(Segment::parse).filter(|s| *s != Segment::All);
    let segment = segment.unwrap_or(Segment::Category);
    let (q, error) = match parsed {
        Ok(q) => (q, None),
        Err(e) => (Query::default(), Some(e.message)),
    };
    let view = blocking(move || {
        let loaded = state.app.engines.scorecard()?;
        let end = loaded.last_order_day().unwrap_or_else(|| state.app.clock.today());
        let periods = periods_of(&q, end)?;
        let (now, previous, year) = comparisons(&periods, q.by).expect("at least one period");
        let data = loaded.data();
        let one = |p: Period, seg: Segment| scorecard::compute(&data, &[p], seg);
        let year_periods: Vec<Period> = periods.iter().map(|p| year_earlier(*p, q.by)).collect();
        let first = |rows: Vec<Row>| rows.into_iter().next().expect("one row for the whole store");
        Ok(View {
            by: q.by,
            segment,
            now: first(one(now, Segment::All)),
            previous: first(one(previous, Segment::All)),
            year: first(one(year, Segment::All)),
            per_period: scorecard::compute(&data, &periods, Segment::All),
            year_per_period: scorecard::compute(&data, &year_periods, Segment::All),
            segments: one(now, segment),
            search: loaded.sessions.as_deref().and_then(|d| scorecard::search_use(d, now)),
            experiments: app::experiments::list(&state.app).map(|l| l.len()).unwrap_or(0),
            empty: loaded.lines.is_empty() && loaded.sessions.is_none(),
            read_at: loaded.read_at,
            periods,
        })
    })
    .await?;
    Ok(page("Scorecard", "/admin", body(&view, error.as_deref())).into_response())
}

fn body(v: &View, error: Option<&str>) -> Markup {
    let first = v.periods.first().map(|p| p.start);
    let last = v.periods.last().map(|p| p.end - chrono::Days::new(1));
    let unit = match v.by {
        By::Day => "day",
        By::Week => "week",
        By::Month => "month",
    };
    let n = v.periods.len();
    let csv = |segment: &str| {
        format!(
            "/v1/scorecard.csv?by={}&from={}&to={}&segment={segment}",
            v.by.as_str(),
            first.map(|d| d.to_string()).unwrap_or_default(),
            last.map(|d| d.to_string()).unwrap_or_default()
        )
    };
    html! {
        h1 { "Scorecard" }
        @if let Some(e) = error {
            p class="notice bad" role="alert" { (e) "; showing the default range instead." }
        }
        @if v.empty {
            div class="panel placeholder" data-empty {
                h2 { "No orders or storefront events yet" }
                p {
                    "The scorecard reads the brand's orders, inventory snapshots and storefront events. Import orders with "
                    code { "loupe import orders orders.csv" } " (or on the " a href="/admin/tasks" { "Tasks" } " page), stock with "
                    code { "loupe import inventory stock.csv" } ", and send events to " code { "POST /v1/events" } "."
                }
            }
        } @else {
            p class="muted" {
                @if let (Some(a), Some(b)) = (first, last) {
                    (a.format("%-d %b %Y").to_string()) " to " (b.format("%-d %b %Y").to_string())
                    " (" (n) " " (unit) @if n != 1 { "s" } ")"
                }
                ", against the " (n) " " (unit) @if n != 1 { "s" } " before and the same " (unit) @if n != 1 { "s" } " a year earlier. "
                "Hover a figure for its formula; \"no data\" means Loupe lacks what it needs to compute it."
                @if let Some(t) = chrono::DateTime::from_timestamp(v.read_at, 0).filter(|_| v.read_at > 0) {
                    " Figures as of " (t.format("%H:%M:%S UTC").to_string()) "; newer data shows within seconds of a reload."
                }
            }
            (filters(v, first, last))
            ul class="stats scorecard" data-scorecard {
                @for m in TILES {
                    (tile(m, v))
                }
            }
            p class="small muted" {
                "Support response times appear once tickets are stored (not yet). "
                "Sell-through, stock and cost figures start with the first inventory snapshot; turnover and GMROI are for the range, not annualised."
            }
            section class="panel" {
                h2 { "Revenue by " (unit) }
                (revenue_chart(v))
            }
            section class="panel" data-contribution {
                h2 { "What Loupe's features contributed" }
                (contribution(v))
            }
            section class="panel" data-segments {
                h2 {
                    "By " (segment_label(v.segment))
                    @if v.segment == Segment::PriceBand { " (unit price, " (v.now.currency.as_str()) ")" }
                }
                nav class="small" aria-label="Segments" {
                    "Split by: "
                    @for s in [Segment::Category, Segment::Collection, Segment::PriceBand, Segment::CustomerType, Segment::Country, Segment::Channel] {
                        @if s == v.segment {
                            strong { (segment_label(s)) }
                        } @else {
                            a href=(segment_link(v, s, first, last)) { (segment_label(s)) }
                        }
                        " "
                    }
                    " · " a href=(csv(v.segment.as_str())) download { "CSV of every " (unit) }
                }
                (segment_table(v))
            }
            section class="panel" data-periods {
                h2 { "By " (unit) }
                p class="small" { a href=(csv("all")) download { "Download as CSV" } }
                (period_table(v))
            }
        }
    }
}

fn filters(v: &View, first: Option<chrono::NaiveDate>, last: Option<chrono::NaiveDate>) -> Markup {
    html! {
        form class="filters" method="get" action="/admin" {
            label { "Period "
                select name="by" {
                    @for b in [By::Week, By::Month, By::Day] {
                        option value=(b.as_str()) selected[b == v.by] { (b.as_str()) }
                    }
                }
            }
            label { "From " input type="date" name="from" value=[first.map(|d| d.to_string())]; }
            label { "To " input type="date" name="to" value=[last.map(|d| d.to_string())]; }
            input type="hidden" name="segment" value=(v.segment.as_str());
            button type="submit" { "Show" }
            a href="/admin" { "Latest 12 weeks" }
        }
    }
}

fn segment_link(
    v: &View,
    s: Segment,
    first: Option<chrono::NaiveDate>,
    last: Option<chrono::NaiveDate>,
) -> String {
    format!(
        "/admin?by={}&from={}&to={}&segment={}",
        v.by.as_str(),
        first.map(|d| d.to_string()).unwrap_or_default(),
        last.map(|d| d.to_string()).unwrap_or_default(),
        s.as_str()
    )
}

fn segment_label(s: Segment) -> &'static str {
    match s {
        Segment::All => "whole store",
        Segment::Category => "category",
        Segment::Collection => "collection",
        Segment::PriceBand => "price band",
        Segment::Channel => "channel",
        Segment::CustomerType => "new or returning customer",
        Segment::Country => "country",
    }
}

/// Whether a metric is a share, shown in percent and compared in points.
fn is_rate(m: Metric) -> bool {
    matches!(
        m,
        Metric::ConversionRate
            | Metric::ReturnRate
            | Metric::ReturnValueRate
            | Metric::SellThrough
            | Metric::StockoutRate
            | Metric::RepeatRate
    )
}

fn money(minor: f64, row: &Row) -> String {
    fmt_money(Money { minor: minor.round() as i64, currency: row.currency })
}

/// A metric's value as a person reads it; "no data" where it does not exist.
fn show(m: Metric, row: &Row) -> String {
    let Some(v) = m.value(row) else { return "no data".into() };
    let scale = 10f64.powi(row.currency.exponent() as i32);
    match m {
        // Whole units: cents are noise in a period's revenue.
        Metric::Revenue => money((row.revenue_minor as f64 / scale).round() * scale, row),
        Metric::Aov => money(v * scale, row),
        Metric::Sessions | Metric::Orders | Metric::Units | Metric::ReturnedUnits => {
            group_thousands(v.max(0.0) as u64)
        }
        _ if is_rate(m) => format!("{:.1}%", 100.0 * v),
        Metric::WeeksOfSupply => format!("{v:.1}"),
        _ => format!("{v:.2}"),
    }
}

/// The change from `then` to `now`: points for shares, percent otherwise;
/// with the class saying whether it is good news.
fn change(m: Metric, now: &Row, then: &Row) -> Option<(String, &'static str)> {
    let (a, b) = (m.value(now)?, m.value(then)?);
    let (text, delta) = if is_rate(m) {
        let pp = 100.0 * (a - b);
        (format!("{pp:+.1} pp"), pp)
    } else {
        if b == 0.0 {
            return None;
        }
        let pct = 100.0 * (a - b) / b.abs();
        (format!("{pct:+.1}%"), pct)
    };
    let class = match m.higher_is_better() {
        _ if delta.abs() < 0.05 => "flat",
        Some(true) if delta > 0.0 => "up good",
        Some(true) => "down bad",
        Some(false) if delta > 0.0 => "up bad",
        Some(false) => "down good",
        None => "flat",
    };
    Some((text, class))
}

fn tile(m: Metric, v: &View) -> Markup {
    let trend: Vec<Option<f64>> = v.per_period.iter().map(|r| m.value(r)).collect();
    html! {
        li title=(m.formula()) data-metric=(m.key()) {
            span class="label" { (m.label()) }
            span class="value" { (show(m, &v.now)) }
            (sparkline(&format!("{} per period", m.label()), &trend))
            span class="delta small" {
                @match change(m, &v.now, &v.previous) {
                    Some((text, class)) => { span class=(class) { (text) } " vs previous" }
                    None => span class="muted" { "no earlier figure" },
                }
            }
            span class="delta small" {
                @match change(m, &v.now, &v.year) {
                    Some((text, class)) => { span class=(class) { (text) } " vs a year ago" }
                    None => span class="muted" { "no figure a year ago" },
                }
            }
        }
    }
}

fn revenue_chart(v: &View) -> Markup {
    let points = |rows: &[Row]| -> Vec<(f64, f64)> {
        rows.iter().enumerate().map(|(i, r)| (i as f64, r.revenue())).collect()
    };
    let step = (v.periods.len() / 6).max(1);
    let ticks = v
        .periods
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, p)| (i as f64, p.start.format("%-d %b %y").to_string()))
        .collect();
    let mut series =
        vec![Series { label: "this range".into(), points: points(&v.per_period), dashed: false }];
    if v.year_per_period.iter().any(|r| r.orders > 0) {
        series.push(Series {
            label: "a year earlier".into(),
            points: points(&v.year_per_period),
            dashed: true,
        });
    }
    svg_line_chart(&LineChart {
        title: format!("Revenue ({}) per period, against a year earlier", v.now.currency.as_str()),
        series,
        bands: Vec::new(),
        x_ticks: ticks,
        y_unit: String::new(),
    })
}

fn pct(x: Option<f64>) -> String {
    x.map_or("no data".into(), |v| format!("{:.1}%", 100.0 * v))
}

fn contribution(v: &View) -> Markup {
    html! {
        @match &v.search {
            Some(s) => {
                p {
                    "Sessions that searched converted at " strong { (pct(s.searched.rate())) }
                    " (" (group_thousands(s.searched.sessions)) " sessions); those that did not, at "
                    strong { (pct(s.not_searched.rate())) } " (" (group_thousands(s.not_searched.sessions)) "). "
                    "Searches that found something: " strong { (pct(s.found.rate())) } " (" (group_thousands(s.found.sessions)) "); "
                    "sessions whose every search found nothing: " strong { (pct(s.zero_results.rate())) }
                    " (" (group_thousands(s.zero_results.sessions)) ")."
                }
                p class="small muted" {
                    "A comparison of shoppers, not the lift search causes: people who search already differ from people who browse. "
                    @if v.experiments > 0 {
                        "For a measured lift, read the " a href="/admin/experiments" { "experiments" } " (" (v.experiments) ")."
                    } @else {
                        "For a measured lift, run an experiment on the search ranking from " a href="/admin/experiments" { "Experiments" } "."
                    }
                }
            }
            None => p class="muted" { "No storefront sessions in this range: search's contribution cannot be measured. Send events to " code { "POST /v1/events" } "." },
        }
        p class="small muted" {
            "Not measured yet, and so not claimed: revenue from recommendation clicks (the storefront's events do not mark them), "
            "the accuracy of past forecasts (Loupe does not yet keep the forecasts it made), stockouts avoided, and support answers."
        }
    }
}

fn segment_table(v: &View) -> Markup {
    let mut cols = vec![
        Metric::Orders,
        Metric::Revenue,
        Metric::Units,
        Metric::Aov,
        Metric::ReturnRate,
        Metric::ReturnValueRate,
        Metric::RepeatRate,
    ];
    // Stock belongs to a product's category or collection, not to a price, a customer or a country.
    if v.segment.has_stock() {
        cols.extend([Metric::SellThrough, Metric::StockoutRate, Metric::WeeksOfSupply]);
    }
    html! {
        @if v.segments.is_empty() {
            p class="muted" { "Nothing in this range." }
        } @else {
            div class="table-wrap" {
                table {
                    thead { tr { th { (segment_label(v.segment)) } @for m in &cols { th class="num" title=(m.formula()) { (m.label()) } } } }
                    tbody {
                        @for r in &v.segments {
                            tr { td class="seg" { (super::label(&r.segment)) } @for m in &cols { td class="num" { (show(*m, r)) } } }
                        }
                    }
                }
            }
        }
    }
}

fn period_table(v: &View) -> Markup {
    let cols = [
        Metric::Sessions,
        Metric::ConversionRate,
        Metric::Orders,
        Metric::Revenue,
        Metric::Aov,
        Metric::ReturnRate,
        Metric::SellThrough,
        Metric::StockoutRate,
        Metric::RepeatRate,
    ];
    html! {
        div class="table-wrap" {
            table {
                thead { tr { th { "Starting" } @for m in cols { th class="num" title=(m.formula()) { (m.label()) } } } }
                tbody {
                    @for r in v.per_period.iter().rev() {
                        tr { td { (r.period.start.to_string()) } @for m in cols { td class="num" { (show(m, r)) } } }
                    }
                }
            }
        }
    }
}
