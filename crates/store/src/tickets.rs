//! Support tickets, keyed by the help desk's id. An import adds tickets not
//! seen before and, for ones it has, only the messages the store lacks: a
//! re-import of the same export changes nothing, and a later export of a
//! longer thread adds its new messages. Tickets of a forgotten customer are
//! not stored again.

use model::Ticket;
use redb::{ReadableTable, ReadableTableMetadata};

use crate::erasure::Erased;
use crate::error::SourceError;
use crate::tables::{decode, encode, TICKETS};
use crate::{Error, Redb, Result, Store};

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

/// Support tickets: a [`Backend`](crate::Backend)'s part.
pub trait TicketStore {
    /// Imports tickets in one write transaction; the first `Err` item aborts
    /// the import and nothing is written. Callers use
    /// [`Store::import_tickets`].
    fn import_tickets_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Ticket, SourceError>>,
    ) -> Result<TicketsOutcome>;

    /// Stores one ticket as given (an agent's reply, a correction, a new
    /// chat), replacing the stored one of the same id, and bumps the
    /// counter `counter` in the same transaction when one is named (a
    /// correction changes what the classifier learns from).
    fn put_ticket(&self, ticket: &Ticket, counter: Option<&str>) -> Result<()>;

    fn ticket(&self, id: &str) -> Result<Option<Ticket>>;

    /// Every ticket, by id.
    fn tickets(&self) -> Result<Vec<Ticket>>;

    fn ticket_count(&self) -> Result<u64>;
}

impl Store {
    /// Imports tickets in one write transaction; the first `Err` item aborts
    /// the import and nothing is written.
    pub fn import_tickets<I, E>(&self, items: I) -> Result<TicketsOutcome>
    where
        I: IntoIterator<Item = Result<Ticket, E>>,
        E: Into<SourceError>,
    {
        let mut items = items.into_iter().map(|item| item.map_err(Into::into));
        self.import_tickets_from(&mut items)
    }
}

/// The tickets import's rules over a backend's write transaction: `get`
/// reads a stored ticket, `put` writes one. The caller commits.
pub(crate) fn import(
    erased: &Erased,
    get: &mut dyn FnMut(&str) -> Result<Option<Ticket>>,
    put: &mut dyn FnMut(&Ticket) -> Result<()>,
    items: &mut dyn Iterator<Item = Result<Ticket, SourceError>>,
) -> Result<TicketsOutcome> {
    let mut out = TicketsOutcome::default();
    for item in items {
        let ticket = item.map_err(Error::Aborted)?;
        out.read += 1;
        if ticket.id.trim().is_empty() {
            return Err(Error::Aborted(format!("ticket {} has no id", out.read).into()));
        }
        if ticket.customer_id.as_deref().is_some_and(|c| erased.contains(c)) {
            out.forgotten += 1;
            continue;
        }
        let merged = match get(&ticket.id)? {
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
                if old.messages.len() == before && (ticket.status == old.status || ticket.status == "open") {
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
        put(&merged)?;
    }
    Ok(out)
}

/// A ticket `put_ticket` may store.
pub(crate) fn check(ticket: &Ticket) -> Result<()> {
    if ticket.id.trim().is_empty() {
        return Err(Error::Invalid("a ticket needs an id".into()));
    }
    Ok(())
}

impl TicketStore for Redb {
    fn import_tickets_from(
        &self,
        items: &mut dyn Iterator<Item = Result<Ticket, SourceError>>,
    ) -> Result<TicketsOutcome> {
        let txn = self.begin_write()?;
        let erased = Erased::read(&txn)?;
        let out = {
            let table = std::cell::RefCell::new(txn.open_table(TICKETS)?);
            let mut get = |id: &str| -> Result<Option<Ticket>> {
                table.borrow().get(id)?.map(|g| decode("tickets", g.value())).transpose()
            };
            let mut put = |t: &Ticket| -> Result<()> {
                table.borrow_mut().insert(t.id.as_str(), encode(t).as_slice())?;
                Ok(())
            };
            import(&erased, &mut get, &mut put, items)?
        };
        txn.commit()?;
        Ok(out)
    }

    fn put_ticket(&self, ticket: &Ticket, counter: Option<&str>) -> Result<()> {
        check(ticket)?;
        let txn = self.begin_write()?;
        txn.open_table(TICKETS)?.insert(ticket.id.as_str(), encode(ticket).as_slice())?;
        if let Some(c) = counter {
            crate::admin::bump(&txn, c)?;
        }
        txn.commit()?;
        Ok(())
    }

    fn ticket(&self, id: &str) -> Result<Option<Ticket>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TICKETS)?;
        let found = table.get(id)?;
        found.map(|g| decode("tickets", g.value())).transpose()
    }

    fn tickets(&self) -> Result<Vec<Ticket>> {
        let txn = self.db().begin_read()?;
        let table = txn.open_table(TICKETS)?;
        let mut out = Vec::with_capacity(table.len()? as usize);
        for entry in table.iter()? {
            out.push(decode("tickets", entry?.1.value())?);
        }
        Ok(out)
    }

    fn ticket_count(&self) -> Result<u64> {
        let txn = self.db().begin_read()?;
        Ok(txn.open_table(TICKETS)?.len()?)
    }
}
