//! The scorecard (issue 19): sales, returns, stock and storefront metrics
//! per period and segment, by the definitions in the `scorecard` crate,
//! read from the store for the CLI (`loupe scorecard`), the API
//! (`GET /v1/scorecard`) and the back-office's first screen.

use chrono::{Days, NaiveDate};
use model::{Event, InventoryLevel, OrderLine, Product};
use scorecard::{By, Data, Period, Segment};

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
                NaiveDate::parse_from_str(s, "%Y-%m-%d").map(Some).map_err(|_| {
                    Error::new(Code::InvalidQuery, format!("{name}: {s:?} is not a date (YYYY-MM-DD)"))
                })
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
                    format!("segment: {s:?} is not all, category, channel, customer_type or country"),
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

/// What the scorecard reads from the store, for a range of days.
pub struct Loaded {
    pub lines: Vec<OrderLine>,
    pub inventory: Vec<InventoryLevel>,
    /// `None` when the store holds no events at all.
    pub events: Option<Vec<Event>>,
    pub products: Vec<Product>,
}

impl Loaded {
    /// Everything but the events, and the events of `from..until` (days).
    pub fn read(store: &store::Store, from: NaiveDate, until: NaiveDate) -> Result<Loaded> {
        let ms = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis());
        let events =
            if store.event_count()? == 0 { None } else { Some(store.events_between(ms(from), ms(until))?) };
        Ok(Loaded {
            lines: store.order_lines()?,
            inventory: store.inventory_history()?,
            events,
            products: store.products()?,
        })
    }

    pub fn data(&self) -> Data<'_> {
        Data {
            lines: &self.lines,
            inventory: &self.inventory,
            events: self.events.as_deref(),
            products: &self.products,
        }
    }
}

/// The day the scorecard ends on by default: the latest order's, else today.
pub fn data_end(store: &store::Store, today: NaiveDate) -> Result<NaiveDate> {
    let latest = store.order_lines()?.iter().map(|l| l.ordered_at).max();
    Ok(latest.and_then(|t| chrono::DateTime::from_timestamp(t, 0)).map_or(today, |t| t.date_naive()))
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

/// The scorecard for `q` with its definitions, read from the store.
pub fn scorecard(store: &store::Store, q: &Query, today: NaiveDate) -> Result<Scorecard> {
    Ok(Scorecard {
        by: q.by.as_str().to_string(),
        segment: q.segment.as_str().to_string(),
        rows: rows(store, q, today)?,
        definitions: scorecard::Metric::ALL
            .iter()
            .map(|m| (m.key().to_string(), m.formula().to_string()))
            .collect(),
    })
}

/// The scorecard rows for `q`, read from the store.
pub fn rows(store: &store::Store, q: &Query, today: NaiveDate) -> Result<Vec<ScorecardRow>> {
    let end = data_end(store, today)?;
    let periods = periods_of(q, end)?;
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else { return Ok(Vec::new()) };
    let loaded = Loaded::read(store, first.start, last.end)?;
    let rows = scorecard::compute(&loaded.data(), &periods, q.segment);
    Ok(rows.iter().map(ScorecardRow::from).collect())
}

/// The same range a year earlier (364 days for days and weeks, so weekdays
/// line up; 12 months for months), and the range just before.
pub fn comparisons(periods: &[Period], by: By) -> Option<(Period, Period, Period)> {
    let (first, last) = (periods.first()?, periods.last()?);
    let now = Period { start: first.start, end: last.end };
    let n = periods.len() as u32;
    let previous = Period { start: by.back(first.start, n), end: first.start };
    let year = match by {
        By::Month => Period { start: by.back(now.start, 12), end: by.back(now.end, 12) },
        _ => Period { start: now.start - Days::new(364), end: now.end - Days::new(364) },
    };
    Some((now, previous, year))
}
