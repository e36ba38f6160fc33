//! Storefront events in PostgreSQL, partitioned by month, and forgetting a
//! customer.
//!
//! An append takes the write lock shared, so appends from several nodes run
//! side by side: `event_ids` (unique) decides which of two appends of one id
//! stored it. The month partitions an append needs are made first, under a
//! lock of their own. The number of events is a counter kept in the same
//! transactions, so that reading it does not count a hundred million rows.

use std::collections::{BTreeSet, HashSet};

use model::{Event, OrderLine};
use postgres::Transaction;

use super::{body, unbig, Postgres, PARTITION_LOCK};
use crate::erasure::{self, Erased};
use crate::events::{encode_event, visit_until_error};
use crate::{AppendOutcome, Error, EventStore, ForgetOutcome, Result, VisitEvent};

/// The counter of stored events, in `meta`.
pub(super) const EVENT_COUNT: &str = "event_count";

/// The erasure list, read in `tx`.
pub(super) fn erased(tx: &mut Transaction<'_>) -> Result<Erased> {
    let secret: Vec<u8> = tx
        .query_opt("SELECT value FROM secrets WHERE name = $1", &[&erasure::ERASURE_SECRET])?
        .map(|r| r.try_get(0))
        .transpose()?
        .ok_or_else(|| Error::Invalid("the store has no erasure secret (run `loupe migrate`)".into()))?;
    let mut keyed = HashSet::new();
    for row in tx.query("SELECT hash FROM erased_customers", &[])? {
        keyed.insert(row.try_get(0)?);
    }
    let mut legacy = HashSet::new();
    for row in tx.query("SELECT hash FROM erased_customers_sha256", &[])? {
        legacy.insert(row.try_get(0)?);
    }
    Ok(Erased::new(secret, keyed, legacy))
}

/// The month of `at_ms` as `year * 12 + month0`, with its bounds in Unix ms;
/// `None` outside the years 1900 to 9999 (the `events_outside` partition).
fn month_of(at_ms: i64) -> Option<(i64, i64, i64)> {
    let days = at_ms.div_euclid(86_400_000);
    let (y, m, _) = civil_from_days(days);
    if !(1900..=9999).contains(&y) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let from = days_from_civil(y, m, 1) * 86_400_000;
    let to = days_from_civil(ny, nm, 1) * 86_400_000;
    Some((y * 12 + m - 1, from, to))
}

/// Howard Hinnant's algorithms: days since 1970-01-01 to (year, month, day)
/// and back, in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Postgres {
    /// Makes the month partitions the events of `ats` go to, where this
    /// process has not seen them made, each in a transaction of its own that
    /// commits before the events are written: an event must never land in
    /// `events_outside` for want of its month, since that month's partition
    /// could then not be made.
    fn ensure_partitions(&self, ats: impl Iterator<Item = i64>) -> Result<()> {
        let months: BTreeSet<(i64, i64, i64)> = ats.filter_map(month_of).collect();
        let missing: Vec<(i64, i64, i64)> = {
            let known = self.partitions.lock().unwrap_or_else(|e| e.into_inner());
            months.into_iter().filter(|(m, _, _)| !known.contains(m)).collect()
        };
        if missing.is_empty() {
            return Ok(());
        }
        self.read(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&PARTITION_LOCK])?;
            for &(month, from, to) in &missing {
                let name = format!("events_y{:04}m{:02}", month / 12, month % 12 + 1);
                tx.batch_execute(&format!(
                    "CREATE TABLE IF NOT EXISTS {name} PARTITION OF events FOR VALUES FROM ({from}) TO ({to})"
                ))?;
            }
            Ok(tx.commit()?)
        })?;
        let mut known = self.partitions.lock().unwrap_or_else(|e| e.into_inner());
        known.extend(missing.iter().map(|(m, _, _)| *m));
        Ok(())
    }
}

impl EventStore for Postgres {
    fn append_events(&self, events: &[Event]) -> Result<AppendOutcome> {
        if events.iter().any(|e| e.id.is_empty()) {
            return Err(Error::Invalid("an event has an empty id".into()));
        }
        // The first of each id in the batch; the others are duplicates.
        let mut firsts: Vec<&Event> = Vec::with_capacity(events.len());
        let mut ids: HashSet<&str> = HashSet::with_capacity(events.len());
        for e in events {
            if ids.insert(e.id.as_str()) {
                firsts.push(e);
            }
        }
        self.ensure_partitions(firsts.iter().map(|e| e.at))?;
        let inserted = self.write_shared(|tx| {
            let erased = erased(tx)?;
            let id_list: Vec<&str> = firsts.iter().map(|e| e.id.as_str()).collect();
            let at_list: Vec<i64> = firsts.iter().map(|e| e.at).collect();
            let new: HashSet<String> = tx
                .query(
                    "INSERT INTO event_ids (id, at) SELECT * FROM unnest($1::text[], $2::bigint[]) \
                     ON CONFLICT (id) DO NOTHING RETURNING id",
                    &[&id_list, &at_list],
                )?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            let (mut ats, mut ids, mut bodies) = (Vec::new(), Vec::new(), Vec::new());
            let mut buf = Vec::with_capacity(512);
            for e in firsts.iter().filter(|e| new.contains(&e.id)) {
                encode_event(e, &erased, &mut buf)?;
                ats.push(e.at);
                ids.push(e.id.as_str());
                bodies.push(String::from_utf8_lossy(&buf).into_owned());
            }
            tx.execute(
                "INSERT INTO events (at, id, body) \
                 SELECT a, i, b::json FROM unnest($1::bigint[], $2::text[], $3::text[]) AS t(a, i, b)",
                &[&ats, &ids, &bodies],
            )?;
            tx.execute(
                "INSERT INTO meta (name, value) VALUES ($1, $2) \
                 ON CONFLICT (name) DO UPDATE SET value = meta.value + excluded.value",
                &[&EVENT_COUNT, &(ats.len() as i64)],
            )?;
            Ok(ats.len())
        })?;
        Ok(AppendOutcome { inserted, duplicates: events.len() - inserted })
    }

    fn event_count(&self) -> Result<u64> {
        self.read(|c| {
            let row = c.query_opt("SELECT value FROM meta WHERE name = $1", &[&EVENT_COUNT])?;
            Ok(row.map(|r| r.try_get::<_, i64>(0)).transpose()?.map_or(0, unbig))
        })
    }

    /// Deleted rows stay in PostgreSQL's pages until they are reused: after
    /// the commit this runs `VACUUM` on the tables it changed so that their
    /// space is marked for reuse. The write-ahead log, replicas and backups
    /// keep their copies for as long as the operator keeps them.
    fn forget_customer(&self, customer_id: &str, now: i64) -> Result<ForgetOutcome> {
        if customer_id.trim().is_empty() {
            return Err(Error::Invalid("an empty customer id".into()));
        }
        let out = self.write(|tx| {
            let mut out = ForgetOutcome::default();
            let ids: Vec<String> = tx
                .query("DELETE FROM events WHERE body->>'customer_id' = $1 RETURNING id", &[&customer_id])?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<_, _>>()?;
            tx.execute("DELETE FROM event_ids WHERE id = ANY($1)", &[&ids])?;
            tx.execute(
                "UPDATE meta SET value = value - $2 WHERE name = $1",
                &[&EVENT_COUNT, &(ids.len() as i64)],
            )?;
            out.events_deleted = ids.len();

            let rows = tx.query(
                "SELECT order_id, line_no, body::text FROM order_lines WHERE body->>'customer_id' = $1",
                &[&customer_id],
            )?;
            for row in &rows {
                let line: OrderLine = body("order_lines", row, 2)?;
                let blank = super::json(&OrderLine { customer_id: None, ..line });
                let (order_id, line_no): (&str, i64) = (row.try_get(0)?, row.try_get(1)?);
                tx.execute(
                    "UPDATE order_lines SET body = $3::text::jsonb WHERE order_id = $1 AND line_no = $2",
                    &[&order_id, &line_no, &blank],
                )?;
            }
            out.order_lines_anonymized = rows.len();
            out.tickets_deleted =
                tx.execute("DELETE FROM tickets WHERE body->>'customer_id' = $1", &[&customer_id])? as usize;
            out.messages_deleted =
                tx.execute("DELETE FROM outbox WHERE body->>'customer_id' = $1", &[&customer_id])? as usize;

            let secret: Vec<u8> = tx
                .query_one("SELECT value FROM secrets WHERE name = $1", &[&erasure::ERASURE_SECRET])?
                .try_get(0)?;
            tx.execute(
                "INSERT INTO erased_customers (hash, at) VALUES ($1, $2) \
                 ON CONFLICT (hash) DO UPDATE SET at = excluded.at",
                &[&erasure::keyed_hash(&secret, customer_id), &now],
            )?;
            Ok(out)
        })?;
        self.read(|c| Ok(c.batch_execute("VACUUM events, event_ids, order_lines, tickets, outbox")?))?;
        Ok(out)
    }

    fn event_page(
        &self,
        from: i64,
        to: i64,
        after: Option<(i64, &str)>,
        limit: usize,
        visit: &mut VisitEvent<'_>,
    ) -> Result<()> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self.read(|c| {
            Ok(match after {
                Some((at, id)) => c.query(
                    "SELECT at, id, body::text FROM events \
                     WHERE (at, id) > ($1, $2) AND at < $3 ORDER BY at, id LIMIT $4",
                    &[&at, &id, &to, &limit],
                )?,
                None => c.query(
                    "SELECT at, id, body::text FROM events \
                     WHERE at >= $1 AND at < $2 ORDER BY at, id LIMIT $3",
                    &[&from, &to, &limit],
                )?,
            })
        })?;
        for row in &rows {
            let text: &str = row.try_get(2)?;
            visit(row.try_get(0)?, row.try_get(1)?, text.as_bytes())?;
        }
        Ok(())
    }

    fn visit_tail(&self, from: i64, f: &mut dyn FnMut(u64, &mut dyn Iterator<Item = Event>)) -> Result<()> {
        let (count, rows) = self.snapshot(|tx| {
            let count = tx
                .query_opt("SELECT value FROM meta WHERE name = $1", &[&EVENT_COUNT])?
                .map(|r| r.try_get::<_, i64>(0))
                .transpose()?
                .map_or(0, unbig);
            let rows = tx.query("SELECT body::text FROM events WHERE at >= $1 ORDER BY at, id", &[&from])?;
            Ok((count, rows))
        })?;
        let decoded = rows.iter().map(|row| body::<Event>("events", row, 0));
        visit_until_error(count, decoded, f)
    }

    fn last_event_at(&self) -> Result<Option<i64>> {
        self.read(|c| Ok(c.query_one("SELECT max(at) FROM events", &[])?.try_get(0)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_their_bounds() {
        // 2025-03-15T12:00:00Z
        let (month, from, to) = month_of(1_742_040_000_000).unwrap();
        assert_eq!(month, 2025 * 12 + 2);
        assert_eq!(from, 1_740_787_200_000, "2025-03-01");
        assert_eq!(to, 1_743_465_600_000, "2025-04-01");
        // December rolls into the next year; the epoch is a month's start.
        let (_, from, to) = month_of(0).unwrap();
        assert_eq!((from, to), (0, 2_678_400_000));
        let (month, _, to) = month_of(1_735_603_200_000).unwrap(); // 2024-12-31
        assert_eq!(month, 2024 * 12 + 11);
        assert_eq!(to, 1_735_689_600_000, "2025-01-01");
        assert_eq!(month_of(i64::MAX), None);
        assert_eq!(month_of(i64::MIN), None);
    }

    #[test]
    fn every_day_is_in_its_month() {
        for day in (-25_000..80_000).step_by(7) {
            let at = day * 86_400_000 + 1;
            let (_, from, to) = month_of(at).unwrap();
            assert!(from <= at && at < to, "{day}");
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
    }
}
