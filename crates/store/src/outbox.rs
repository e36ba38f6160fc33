//! The outbox: messages Loupe decided to send, written in the same
//! transaction as the decision, then delivered by a worker that records each
//! attempt.
//!
//! `outbox` holds every message by id (its idempotency key); `outbox_due`
//! indexes the pending ones by when their next attempt may run, so a worker
//! finds what is due without reading the rest. An enqueue never replaces a
//! message it already holds: the same decision taken twice (a restarted
//! worker, two overlapping windows) is one message.

use model::{OutboxMessage, OutboxStatus};
use redb::{ReadableTable, ReadableTableMetadata};

use crate::tables::{decode, encode, META, OUTBOX, OUTBOX_DUE};
use crate::{Error, Redb, Result};

/// What `enqueue_outbox` did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnqueueOutcome {
    pub inserted: usize,
    /// Already in the outbox: left as they were.
    pub known: usize,
    /// Per message given, whether this call wrote it.
    pub written: Vec<bool>,
}

/// The outbox: a [`Backend`](crate::Backend)'s part.
pub trait OutboxStore {
    /// Writes the messages the outbox lacks, the counter `mark` (a
    /// watermark such as "decided up to") and, for each message written, its
    /// entry of `decisions` (same index) in the decision log, all in one
    /// transaction.
    fn enqueue_outbox(
        &self,
        messages: &[OutboxMessage],
        mark: Option<(&str, u64)>,
        decisions: &[crate::NewDecision],
    ) -> Result<EnqueueOutcome>;

    /// Pending messages whose next attempt is due at `now_ms`, soonest
    /// first, at most `limit`.
    fn outbox_due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>>;

    /// How many messages are pending (the due index's size).
    fn outbox_pending_count(&self) -> Result<u64>;

    /// When the soonest pending message is due, if any is pending.
    fn outbox_next_due(&self) -> Result<Option<i64>>;

    /// Replaces stored messages with their new state (after an attempt) in
    /// one transaction, keeping the due index in step, with `decisions`
    /// appended to the decision log. A message the store no longer holds
    /// (its customer was forgotten meanwhile) is skipped.
    fn update_outbox(&self, messages: &[OutboxMessage], decisions: &[crate::NewDecision]) -> Result<()>;

    fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>>;

    /// Every message, by id.
    fn outbox(&self) -> Result<Vec<OutboxMessage>>;
}

impl OutboxStore for Redb {
    fn enqueue_outbox(
        &self,
        messages: &[OutboxMessage],
        mark: Option<(&str, u64)>,
        decisions: &[crate::NewDecision],
    ) -> Result<EnqueueOutcome> {
        let txn = self.begin_write()?;
        let mut out = EnqueueOutcome::default();
        {
            let mut table = txn.open_table(OUTBOX)?;
            let mut due = txn.open_table(OUTBOX_DUE)?;
            for m in messages {
                if m.id.is_empty() {
                    return Err(Error::Invalid("an outbox message needs an id".into()));
                }
                if table.get(m.id.as_str())?.is_some() {
                    out.known += 1;
                    out.written.push(false);
                    continue;
                }
                out.written.push(true);
                table.insert(m.id.as_str(), encode(m).as_slice())?;
                if m.status == OutboxStatus::Pending {
                    due.insert((m.next_ms, m.id.as_str()), ())?;
                }
                out.inserted += 1;
            }
            if let Some((name, value)) = mark {
                txn.open_table(META)?.insert(name, value)?;
            }
        }
        let logged: Vec<crate::NewDecision> =
            decisions.iter().zip(&out.written).filter(|(_, w)| **w).map(|(d, _)| d.clone()).collect();
        crate::decisions::append_in(&txn, &logged)?;
        txn.commit()?;
        Ok(out)
    }

    fn outbox_due(&self, now_ms: i64, limit: usize) -> Result<Vec<OutboxMessage>> {
        let txn = self.db().begin_read()?;
        let due = txn.open_table(OUTBOX_DUE)?;
        let table = txn.open_table(OUTBOX)?;
        let mut out = Vec::new();
        for entry in due.range((i64::MIN, "")..=(now_ms, "\u{10FFFF}"))? {
            if out.len() >= limit {
                break;
            }
            let (key, _) = entry?;
            let (_, id) = key.value();
            if let Some(bytes) = table.get(id)? {
                out.push(decode("outbox", bytes.value())?);
            }
        }
        Ok(out)
    }

    fn outbox_pending_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(OUTBOX_DUE)?.len()?)
    }

    fn outbox_next_due(&self) -> Result<Option<i64>> {
        let txn = self.db().begin_read()?;
        let due = txn.open_table(OUTBOX_DUE)?;
        let first = due.first()?;
        Ok(first.map(|(k, _)| k.value().0))
    }

    fn update_outbox(&self, messages: &[OutboxMessage], decisions: &[crate::NewDecision]) -> Result<()> {
        let txn = self.begin_write()?;
        {
            let mut table = txn.open_table(OUTBOX)?;
            let mut due = txn.open_table(OUTBOX_DUE)?;
            for m in messages {
                let old: Option<OutboxMessage> =
                    table.get(m.id.as_str())?.map(|g| decode("outbox", g.value())).transpose()?;
                let Some(old) = old else { continue };
                if old.status == OutboxStatus::Pending {
                    due.remove((old.next_ms, old.id.as_str()))?;
                }
                table.insert(m.id.as_str(), encode(m).as_slice())?;
                if m.status == OutboxStatus::Pending {
                    due.insert((m.next_ms, m.id.as_str()), ())?;
                }
            }
        }
        crate::decisions::append_in(&txn, decisions)?;
        txn.commit()?;
        Ok(())
    }

    fn outbox_message(&self, id: &str) -> Result<Option<OutboxMessage>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(OUTBOX)?;
        let found = table.get(id)?;
        found.map(|g| decode("outbox", g.value())).transpose()
    }

    fn outbox(&self) -> Result<Vec<OutboxMessage>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(OUTBOX)?;
        let mut out = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            out.push(decode("outbox", entry?.1.value())?);
        }
        Ok(out)
    }
}

/// Deletes `customer_id`'s messages (a forget); returns how many.
pub(crate) fn forget(txn: &redb::WriteTransaction, customer_id: &str) -> Result<usize> {
    let mut table = txn.open_table(OUTBOX)?;
    let mut due = txn.open_table(OUTBOX_DUE)?;
    let mut theirs: Vec<OutboxMessage> = Vec::new();
    for entry in table.iter()? {
        let m: OutboxMessage = decode("outbox", entry?.1.value())?;
        if m.customer_id.as_deref() == Some(customer_id) {
            theirs.push(m);
        }
    }
    for m in &theirs {
        table.remove(m.id.as_str())?;
        if m.status == OutboxStatus::Pending {
            due.remove((m.next_ms, m.id.as_str()))?;
        }
    }
    Ok(theirs.len())
}
