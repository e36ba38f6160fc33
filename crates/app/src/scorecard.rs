//! The scorecard (issue 19): sales, returns, stock and storefront metrics
//! per period and segment, by the definitions in the `scorecard` crate,
//! read from the store for the CLI (`loupe scorecard`), the API
//! (`GET /v1/scorecard`) and the back-office's first screen.

use chrono::{Datelike, Days, NaiveDate};
use model::{InventoryLevel, OrderLine, Product};
use scorecard::{By, Data, Period, Segment, SessionDay, SessionDays};

use crate::error::{Code, Error, Result};
use crate::wire::scorecard::{Scorecard, ScorecardRow};

/// Periods shown when no range is asked for.
pub const DEFAULT_PERIODS: u32 = 12;
/// The most periods one request may ask for (ten years of weeks).
pub const MAX_PERIODS: usize = 520;

/// What to compute: a range (widened to whole periods), their length, and the split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Query {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub by: By,
    pub segment: Segment,
}

impl Default for Query {
    fn default() -> Query {
        Query { from: None, to: None, by: By::Week, segment: Segment::All }
    }
}

impl Query {
    /// Reads the parameters as the CLI and the API take them; a bad one is
    /// an `invalid_query` error that names it.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        by: Option<&str>,
        segment: Option<&str>,
    ) -> Result<Query> {
        let date = |name: &str, v: Option<&str>| -> Result<Option<NaiveDate>> {
            v.map(str::trim).filter(|s| !s.is_empty()).map_or(Ok(None), |s| {
                let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                    Error::new(Code::InvalidQuery, format!("{name}: {s:?} is not a date (YYYY-MM-DD)"))
                })?;
                // Far from the calendar's ends, so that a year back or a period on is always a date.
                if !(1900..=2999).contains(&d.year()) {
                    return Err(Error::new(
                        Code::InvalidQuery,
                        format!("{name}: {s:?} is not between 1900 and 2999"),
                    ));
                }
                Ok(Some(d))
            })
        };
        let by = match by.map(str::trim).filter(|s| !s.is_empty()) {
            None => By::Week,
            Some(s) => By::parse(s).ok_or_else(|| {
                Error::new(Code::InvalidQuery, format!("by: {s:?} is not day, week or month"))
            })?,
        };
        let segment = match segment.map(str::trim).filter(|s| !s.is_empty()) {
            None => Segment::All,
            Some(s) => Segment::parse(s).ok_or_else(|| {
                Error::new(
                    Code::InvalidQuery,
                    format!("segment: {s:?} is not all, category, collection, price_band, channel, customer_type or country"),
                )
            })?,
        };
        let q = Query { from: date("from", from)?, to: date("to", to)?, by, segment };
        if let (Some(f), Some(t)) = (q.from, q.to) {
            if f > t {
                return Err(Error::new(Code::InvalidQuery, format!("from ({f}) is after to ({t})")));
            }
        }
        Ok(q)
    }
}

/// The fields of a stored event the scorecard reads; the rest are skipped
/// without being allocated (a result list is counted, not kept).
#[derive(serde::Deserialize)]
struct SessionEvent {
    kind: model::EventKind,
    at: i64,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    results: Vec<serde::de::IgnoredAny>,
}

/// What the scorecard reads from the store: the order lines, the stock
/// snapshots, the catalog, and the events condensed into session-days.
#[derive(Default)]
pub struct Loaded {
    pub lines: Vec<OrderLine>,
    pub inventory: Vec<InventoryLevel>,
    /// `None` when the store holds no events at all.
    pub sessions: Option<Vec<SessionDay>>,
    pub products: Vec<Product>,
    /// Support tickets' times, for the response-time metrics.
    pub tickets: Vec<TicketTimes>,
    /// When this was read (Unix seconds; 0 when unknown): a server shows it
    /// while a newer read is under way.
    pub read_at: i64,
}

/// When a ticket was opened, first answered and resolved (Unix seconds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TicketTimes {
    pub created: i64,
    pub first_response: Option<i64>,
    pub resolved: Option<i64>,
}

impl Loaded {
    /// Everything, every event included: what [`crate::Engines::scorecard`] keeps.
    pub fn read_all(store: &store::Store) -> Result<Loaded> {
        let mut loaded = Loaded::read_without_events(store)?;
        loaded.sessions = read_sessions(store, i64::MIN, i64::MAX)?;
        Ok(loaded)
    }

    /// The orders, snapshots and catalog; no sessions yet.
    fn read_without_events(store: &store::Store) -> Result<Loaded> {
        Ok(Loaded {
            lines: store.order_lines()?,
            inventory: store.inventory_history()?,
            sessions: None,
            products: store.products()?,
            tickets: store
                .tickets()?
                .iter()
                .map(|t| TicketTimes {
                    created: t.created_at,
                    first_response: t.first_response_at(),
                    resolved: t.resolved_at(),
                })
                .collect(),
            read_at: 0,
        })
    }

    pub fn data(&self) -> Data<'_> {
        Data {
            lines: &self.lines,
            inventory: &self.inventory,
            sessions: self.sessions.as_deref(),
            products: &self.products,
        }
    }

    /// The day of the latest order, if any.
    pub fn last_order_day(&self) -> Option<NaiveDate> {
        let latest = self.lines.iter().map(|l| l.ordered_at).max()?;
        chrono::DateTime::from_timestamp(latest, 0).map(|t| t.date_naive())
    }
}

/// The events of `from_ms..to_ms` as session-days, streamed a page at a
/// time; `None` when the store holds no events at all.
fn read_sessions(store: &store::Store, from_ms: i64, to_ms: i64) -> Result<Option<Vec<SessionDay>>> {
    if store.event_count()? == 0 {
        return Ok(None);
    }
    let mut days = SessionDays::default();
    store.scan_events_as(from_ms, to_ms, |events| {
        events.for_each(|e: SessionEvent| {
            days.add_parts(e.kind, e.at, e.session_id.as_deref(), !e.results.is_empty())
        })
    })?;
    Ok(Some(days.finish()))
}

/// The periods `q` asks for: its range widened to whole periods; without a
/// range, the last [`DEFAULT_PERIODS`] ending with `end`.
pub fn periods_of(q: &Query, end: NaiveDate) -> Result<Vec<Period>> {
    let to = q.to.unwrap_or(end);
    let from = q.from.unwrap_or_else(|| q.by.back(q.by.start_of(to), DEFAULT_PERIODS - 1));
    let from = from.min(to);
    // Count before building, so that a range of centuries costs nothing.
    let approx_days = (to - from).num_days();
    let per = match q.by {
        By::Day => 1,
        By::Week => 7,
        By::Month => 28,
    };
    if approx_days / per >= MAX_PERIODS as i64 + 2 {
        return Err(Error::new(
            Code::InvalidQuery,
            format!("{from} to {to} is more than {MAX_PERIODS} periods of a {}; ask for a longer period or a shorter range", q.by.as_str()),
        ));
    }
    Ok(scorecard::periods(from, to, q.by))
}

/// The scorecard for `q` with its definitions, from what `loaded` holds
/// (a server keeps it per data version: [`crate::Engines::scorecard`]).
/// Without `to`, it ends on the day of the latest order, else `today`.
pub fn scorecard_from(loaded: &Loaded, q: &Query, today: NaiveDate) -> Result<Scorecard> {
    let periods = periods_of(q, loaded.last_order_day().unwrap_or(today))?;
    let rows = scorecard::compute(&loaded.data(), &periods, q.segment);
    let mut out: Vec<ScorecardRow> = rows.iter().map(ScorecardRow::from).collect();
    // Tickets have no category or country: response times exist for the
    // whole store only.
    if q.segment == Segment::All {
        for (row, r) in out.iter_mut().zip(&rows) {
            let (first, resolved) = response_hours(&loaded.tickets, r.period.start, r.period.end);
            row.first_response_hours = first;
            row.resolution_hours = resolved;
        }
    }
    Ok(Scorecard {
        by: q.by.as_str().to_string(),
        segment: q.segment.as_str().to_string(),
        rows: out,
        definitions: scorecard::Metric::ALL
            .iter()
            .map(|m| (m.key().to_string(), m.formula().to_string()))
            .collect(),
    })
}

/// [`scorecard_from`] reading the store, and of the events only the range's
/// (only the whole store has sessions: a segment reads none).
pub fn scorecard(store: &store::Store, q: &Query, today: NaiveDate) -> Result<Scorecard> {
    let mut loaded = Loaded::read_without_events(store)?;
    if q.segment == Segment::All {
        let periods = periods_of(q, loaded.last_order_day().unwrap_or(today))?;
        if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
            loaded.sessions = read_sessions(store, ms_of(first.start), ms_of(last.end))?;
        }
    }
    scorecard_from(&loaded, q, today)
}

/// The median hours, over tickets opened in `[start, end)`, from opening to
/// the first agent reply and to resolution; `None` when no ticket of the
/// period has one.
pub fn response_hours(
    tickets: &[TicketTimes],
    start: NaiveDate,
    end: NaiveDate,
) -> (Option<f64>, Option<f64>) {
    let (from, to) = (ms_of(start) / 1000, ms_of(end) / 1000);
    let mut first = Vec::new();
    let mut resolved = Vec::new();
    for t in tickets.iter().filter(|t| t.created >= from && t.created < to) {
        if let Some(f) = t.first_response {
            first.push((f - t.created).max(0) as f64 / 3600.0);
        }
        if let Some(r) = t.resolved {
            resolved.push((r - t.created).max(0) as f64 / 3600.0);
        }
    }
    (median(&mut first), median(&mut resolved))
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
    Some((m * 100.0).round() / 100.0)
}

fn ms_of(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis())
}

/// The whole range of `periods`, the range just before it, and the same
/// range a year earlier ([`year_earlier`]).
pub fn comparisons(periods: &[Period], by: By) -> Option<(Period, Period, Period)> {
    let (first, last) = (periods.first()?, periods.last()?);
    let now = Period { start: first.start, end: last.end };
    let previous = Period { start: by.back(first.start, periods.len() as u32), end: first.start };
    Some((now, previous, year_earlier(now, by)))
}

/// `p` a year earlier: 364 days for days and weeks, so that weekdays line
/// up; 12 months for months.
pub fn year_earlier(p: Period, by: By) -> Period {
    match by {
        By::Month => Period { start: by.back(p.start, 12), end: by.back(p.end, 12) },
        _ => Period { start: p.start - Days::new(364), end: p.end - Days::new(364) },
    }
}
