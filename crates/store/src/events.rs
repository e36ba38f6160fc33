//! Storefront events (deduplicated by id, ordered by time) and the customer
//! erasure that privacy law asks for.
//!
//! Events are written durably (redb `Durability::Immediate`, the default) in
//! one transaction per batch: a batch of a thousand costs one fsync.

use std::ops::Bound;

use model::{Event, OrderLine, Ticket};
use redb::{ReadableTable, ReadableTableMetadata};

use crate::erasure::{self, Erased};
use crate::tables::{decode, encode, EVENTS, EVENT_IDS, ORDER_LINES, TICKETS};
use crate::{Error, Redb, Result, Store};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppendOutcome {
    pub inserted: usize,
    /// Events whose id was already stored (a retried batch), or repeated in the batch.
    pub duplicates: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForgetOutcome {
    pub events_deleted: usize,
    /// Order lines kept (demand history stays true) with the customer id blanked.
    pub order_lines_anonymized: usize,
    /// Support tickets of the customer, deleted whole (their words are
    /// personal data).
    pub tickets_deleted: usize,
    /// Outbox messages to or about the customer, deleted.
    pub messages_deleted: usize,
}

/// What [`EventStore::event_page`] calls with each event: (at, id, JSON).
pub type VisitEvent<'a> = dyn FnMut(i64, &str, &[u8]) -> Result<()> + 'a;

/// Storefront events: a [`Backend`](crate::Backend)'s part. Reading them
/// goes through [`Store::scan_events`], built on [`EventStore::event_page`].
pub trait EventStore {
    /// Appends events in one durable transaction; returns when they are on
    /// disk. Ids already stored are counted as duplicates and not rewritten.
    /// Events of a forgotten customer are kept without their customer id.
    fn append_events(&self, events: &[Event]) -> Result<AppendOutcome>;

    fn event_count(&self) -> Result<u64>;

    /// Forgets a customer: deletes their events, blanks their id on order
    /// lines (the sale itself stays, anonymous), deletes their tickets and
    /// outbox messages, and remembers a keyed hash of the id (see `erasure`)
    /// so that later imports of the same data do not bring it back. `now`
    /// (Unix seconds) records when.
    fn forget_customer(&self, customer_id: &str, now: i64) -> Result<ForgetOutcome>;

    /// Calls `visit` with (at, id, JSON) of at most `limit` events with
    /// `from <= at < to` that come after `after` in (at, id) order, in that
    /// order, all read in one transaction.
    fn event_page(
        &self,
        from: i64,
        to: i64,
        after: Option<(i64, &str)>,
        limit: usize,
        visit: &mut VisitEvent<'_>,
    ) -> Result<()>;

    /// Calls `f` with the number of events stored and an iterator over those
    /// with `at >= from`, in time order, both read in one transaction. See
    /// [`Store::scan_tail`].
    fn visit_tail(&self, from: i64, f: &mut dyn FnMut(u64, &mut dyn Iterator<Item = Event>)) -> Result<()>;

    /// Time of the latest event (Unix ms), without reading the others.
    fn last_event_at(&self) -> Result<Option<i64>>;
}

impl Store {
    /// Every event, sorted by `at` (then id).
    pub fn events(&self) -> Result<Vec<Event>> {
        self.events_between(i64::MIN, i64::MAX)
    }

    /// Events with `from <= at < to`, sorted by `at`, all in memory; a
    /// consumer of a long range should use [`Store::scan_events`].
    pub fn events_between(&self, from: i64, to: i64) -> Result<Vec<Event>> {
        self.scan_events(from, to, |events| events.collect())
    }
}

/// The event as stored: without its customer id when the customer was
/// forgotten.
pub(crate) fn encode_event(e: &Event, erased: &Erased, buf: &mut Vec<u8>) -> Result<()> {
    buf.clear();
    let erased_customer = matches!(&e.customer_id, Some(c) if erased.contains(c));
    let written = if erased_customer {
        serde_json::to_writer(&mut *buf, &Event { customer_id: None, ..e.clone() })
    } else {
        serde_json::to_writer(&mut *buf, e)
    };
    written.map_err(|e| Error::Invalid(format!("an event does not serialize: {e}")))
}

/// Calls `f` with `count` and the events of `decoded` up to the first that
/// could not be read, whose error it then returns.
pub(crate) fn visit_until_error(
    count: u64,
    decoded: impl Iterator<Item = Result<Event>>,
    f: &mut dyn FnMut(u64, &mut dyn Iterator<Item = Event>),
) -> Result<()> {
    let mut error = None;
    let mut events = decoded.map_while(|e| e.map_err(|e| error = Some(e)).ok());
    f(count, &mut events);
    error.map_or(Ok(()), Err)
}

impl EventStore for Redb {
    fn event_page(
        &self,
        from: i64,
        to: i64,
        after: Option<(i64, &str)>,
        limit: usize,
        visit: &mut VisitEvent<'_>,
    ) -> Result<()> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(EVENTS)?;
        let start = match after {
            Some((at, id)) => Bound::Excluded((at, id)),
            None => Bound::Included((from, "")),
        };
        for entry in table.range::<(i64, &str)>((start, Bound::Excluded((to, ""))))?.take(limit) {
            let (key, bytes) = entry?;
            let (at, id) = key.value();
            visit(at, id, bytes.value())?;
        }
        Ok(())
    }

    fn visit_tail(&self, from: i64, f: &mut dyn FnMut(u64, &mut dyn Iterator<Item = Event>)) -> Result<()> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(EVENTS)?;
        let count = table.len()?;
        let decoded = table
            .range::<(i64, &str)>((from, "")..)?
            .map(|entry| entry.map_err(Error::from).and_then(|(_, bytes)| decode("events", bytes.value())));
        visit_until_error(count, decoded, f)
    }

    fn last_event_at(&self) -> Result<Option<i64>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(EVENTS)?;
        let last = table.last()?.map(|(key, _)| key.value().0);
        Ok(last)
    }

    fn append_events(&self, events: &[Event]) -> Result<AppendOutcome> {
        let mut out = AppendOutcome::default();
        let mut txn = self.begin_write()?;
        txn.set_durability(redb::Durability::Immediate);
        let erased = Erased::read(&txn)?;
        {
            let mut ids = txn.open_table(EVENT_IDS)?;
            let mut by_time = txn.open_table(EVENTS)?;
            let mut buf: Vec<u8> = Vec::with_capacity(512);
            for e in events {
                if e.id.is_empty() {
                    return Err(Error::Invalid("an event has an empty id".into()));
                }
                // One descent instead of a look-up then an insert; a duplicate
                // gets its original time back.
                let previous = ids.insert(e.id.as_str(), e.at)?.map(|g| g.value());
                if let Some(old_at) = previous {
                    if old_at != e.at {
                        ids.insert(e.id.as_str(), old_at)?;
                    }
                    out.duplicates += 1;
                    continue;
                }
                encode_event(e, &erased, &mut buf)?;
                by_time.insert((e.at, e.id.as_str()), buf.as_slice())?;
                out.inserted += 1;
            }
        }
        txn.commit()?;
        Ok(out)
    }

    fn event_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(EVENTS)?.len()?)
    }

    /// The change is committed by rewriting the whole file (see
    /// `commit_rewritten`), so that none of the deleted bytes survive in
    /// freed pages: the call takes time in proportion to the store's size.
    fn forget_customer(&self, customer_id: &str, now: i64) -> Result<ForgetOutcome> {
        if customer_id.trim().is_empty() {
            return Err(Error::Invalid("an empty customer id".into()));
        }
        let mut out = ForgetOutcome::default();
        let txn = self.begin_write()?;
        {
            let mut by_time = txn.open_table(EVENTS)?;
            let mut ids = txn.open_table(EVENT_IDS)?;
            let mut doomed: Vec<(i64, String)> = Vec::new();
            for entry in by_time.iter()? {
                let (key, bytes) = entry?;
                let e: Event = decode("events", bytes.value())?;
                if e.customer_id.as_deref() == Some(customer_id) {
                    doomed.push((key.value().0, e.id));
                }
            }
            for (at, id) in &doomed {
                by_time.remove((*at, id.as_str()))?;
                ids.remove(id.as_str())?;
            }
            out.events_deleted = doomed.len();

            let mut lines = txn.open_table(ORDER_LINES)?;
            let mut changed: Vec<OrderLine> = Vec::new();
            for entry in lines.iter()? {
                let (_, bytes) = entry?;
                let line: OrderLine = decode("order_lines", bytes.value())?;
                if line.customer_id.as_deref() == Some(customer_id) {
                    changed.push(OrderLine { customer_id: None, ..line });
                }
            }
            for line in &changed {
                lines.insert((line.order_id.as_str(), line.line_no), encode(line).as_slice())?;
            }
            out.order_lines_anonymized = changed.len();

            let mut tickets = txn.open_table(TICKETS)?;
            let mut theirs: Vec<String> = Vec::new();
            for entry in tickets.iter()? {
                let (id, bytes) = entry?;
                let t: Ticket = decode("tickets", bytes.value())?;
                if t.customer_id.as_deref() == Some(customer_id) {
                    theirs.push(id.value().to_string());
                }
            }
            for id in &theirs {
                tickets.remove(id.as_str())?;
            }
            out.tickets_deleted = theirs.len();
            out.messages_deleted = crate::outbox::forget(&txn, customer_id)?;

            erasure::remember(&txn, customer_id, now)?;
        }
        self.commit_rewritten(txn)?;
        Ok(out)
    }
}
