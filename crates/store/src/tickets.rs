//! Support tickets, keyed by the help desk's id. An import adds tickets not
//! seen before and, for ones it has, only the messages the store lacks: a
//! re-import of the same export changes nothing, and a later export of a
//! longer thread adds its new messages. Tickets of a forgotten customer are
//! not stored again.

use model::{OrderLine, Ticket};
use redb::{ReadableTable, ReadableTableMetadata};

use crate::erasure::Erased;
use crate::error::SourceError;
use crate::tables::{decode, encode, ORDER_LINES, TICKETS};
use crate::{Error, Result, Store};

/// What a tickets import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketsOutcome {
    pub read: u64,
    pub inserted: u64,
    /// Known tickets that gained messages.
    pub updated: u64,
    pub unchanged: u64,
    /// Tickets of customers who asked to be forgotten, not stored.
    pub forgotten: u64,
}

impl Store {
    /// Imports tickets in one write transaction; the first `Err` item aborts
    /// the import and nothing is written.
    pub fn import_tickets<I, E>(&self, items: I) -> Result<TicketsOutcome>
    where
        I: IntoIterator<Item = Result<Ticket, E>>,
        E: Into<SourceError>,
    {
        let txn = self.begin_write()?;
        let erased = Erased::read(&txn)?;
        let mut out = TicketsOutcome::default();
        {
            let mut table = txn.open_table(TICKETS)?;
            for item in items {
                let ticket = item.map_err(|e| Error::Aborted(e.into()))?;
                out.read += 1;
                if ticket.id.trim().is_empty() {
                    return Err(Error::Aborted(format!("ticket {} has no id", out.read).into()));
                }
                if ticket.customer_id.as_deref().is_some_and(|c| erased.contains(c)) {
                    out.forgotten += 1;
                    continue;
                }
                let stored: Option<Ticket> =
                    table.get(ticket.id.as_str())?.map(|g| decode("tickets", g.value())).transpose()?;
                let merged = match stored {
                    None => {
                        out.inserted += 1;
                        ticket
                    }
                    Some(mut old) => {
                        let before = old.messages.len();
                        for m in ticket.messages {
                            if !old.messages.contains(&m) {
                                old.messages.push(m);
                            }
                        }
                        if old.messages.len() == before
                            && (ticket.status == old.status || ticket.status == "open")
                        {
                            out.unchanged += 1;
                            continue;
                        }
                        old.messages.sort_by_key(|m| m.at);
                        if ticket.status == "closed" {
                            old.status = ticket.status;
                        }
                        out.updated += 1;
                        old
                    }
                };
                table.insert(merged.id.as_str(), encode(&merged).as_slice())?;
            }
        }
        txn.commit()?;
        Ok(out)
    }

    /// Stores one ticket as given (an agent's reply, a correction, a new
    /// chat), replacing the stored one of the same id, and bumps the
    /// counter `counter` in the same transaction when one is named (a
    /// correction changes what the classifier learns from).
    pub fn put_ticket(&self, ticket: &Ticket, counter: Option<&str>) -> Result<()> {
        if ticket.id.trim().is_empty() {
            return Err(Error::Invalid("a ticket needs an id".into()));
        }
        let txn = self.begin_write()?;
        txn.open_table(TICKETS)?.insert(ticket.id.as_str(), encode(ticket).as_slice())?;
        if let Some(c) = counter {
            crate::admin::bump(&txn, c)?;
        }
        txn.commit()?;
        Ok(())
    }

    pub fn ticket(&self, id: &str) -> Result<Option<Ticket>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TICKETS)?;
        let found = table.get(id)?;
        found.map(|g| decode("tickets", g.value())).transpose()
    }

    /// Every ticket, by id.
    pub fn tickets(&self) -> Result<Vec<Ticket>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TICKETS)?;
        let mut out = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            out.push(decode("tickets", entry?.1.value())?);
        }
        Ok(out)
    }

    pub fn ticket_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(TICKETS)?.len()?)
    }

    /// The lines of one order, by line number.
    pub fn order(&self, order_id: &str) -> Result<Vec<OrderLine>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(ORDER_LINES)?;
        let mut out = Vec::new();
        for entry in table.range((order_id, 0u32)..=(order_id, u32::MAX))? {
            out.push(decode("order_lines", entry?.1.value())?);
        }
        Ok(out)
    }
}
