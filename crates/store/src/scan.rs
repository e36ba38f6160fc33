//! Reading the event log a page at a time, so that a
//! consumer (behaviour statistics, the recommender, search analytics, the
//! demand history) holds its aggregates and one page, never the whole log.
//!
//! Each page is read in a read transaction of its own and the next resumes
//! after the last key, so a scan of a hundred million events neither holds
//! them in memory nor pins a snapshot of the file while writers go on.

use std::collections::VecDeque;

use model::Event;

use crate::tables::decode;
use crate::{Backend, Error, Result, Store};

/// Records decoded per read transaction.
const PAGE: usize = 4096;

impl Store {
    /// Calls `f` with the events with `from <= at < to`, in time order (then
    /// id), as an iterator that reads them a page at a time. An error while
    /// reading ends the iterator early and is returned instead of `f`'s value.
    pub fn scan_events<T>(&self, from: i64, to: i64, f: impl FnOnce(&mut Scan<'_, Event>) -> T) -> Result<T> {
        self.scan_events_as(from, to, f)
    }

    /// [`Store::scan_events`] decoding each event as `E`: a consumer that
    /// needs a few fields declares them and skips the rest unallocated.
    pub fn scan_events_as<E, T>(&self, from: i64, to: i64, f: impl FnOnce(&mut Scan<'_, E>) -> T) -> Result<T>
    where
        E: serde::de::DeserializeOwned,
    {
        let mut after: Option<(i64, String)> = None;
        let backend: &dyn Backend = &**self;
        let read = move |into: &mut VecDeque<E>| -> Result<()> {
            let mut last = None;
            let cursor = after.as_ref().map(|(at, id)| (*at, id.as_str()));
            backend.event_page(from, to, cursor, PAGE, &mut |at, id, bytes| {
                last = Some((at, id.to_string()));
                into.push_back(decode("events", bytes)?);
                Ok(())
            })?;
            after = last.or(after.take());
            Ok(())
        };
        let mut scan = Scan::new(Box::new(read));
        let out = f(&mut scan);
        scan.finish(out)
    }

    /// Calls `f` with the number of events stored and an iterator over those
    /// with `at >= from`, in time order, both read in one transaction so that
    /// they agree: a consumer that counted the log up to some time can check
    /// that nothing older arrived or went away since. For short tails (the
    /// last hour); a long scan should use [`Store::scan_events`].
    pub fn scan_tail<T>(
        &self,
        from: i64,
        f: impl FnOnce(u64, &mut dyn Iterator<Item = Event>) -> T,
    ) -> Result<T> {
        let mut f = Some(f);
        let mut out = None;
        self.visit_tail(from, &mut |count, events| {
            if let Some(f) = f.take() {
                out = Some(f(count, events));
            }
        })?;
        out.ok_or_else(|| Error::Invalid("the store did not read the tail".into()))
    }
}

/// Reads the page after its cursor into the queue and moves the cursor.
type ReadPage<'s, T> = Box<dyn FnMut(&mut VecDeque<T>) -> Result<()> + 's>;

/// Records read a page at a time; see [`Store::scan_events`].
pub struct Scan<'s, T> {
    read: ReadPage<'s, T>,
    page: VecDeque<T>,
    done: bool,
    error: Option<Error>,
}

impl<'s, T> Scan<'s, T> {
    fn new(read: ReadPage<'s, T>) -> Scan<'s, T> {
        Scan { read, page: VecDeque::new(), done: false, error: None }
    }

    fn finish<U>(self, out: U) -> Result<U> {
        match self.error {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

impl<T> Iterator for Scan<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if self.page.is_empty() && !self.done {
            if let Err(e) = (self.read)(&mut self.page) {
                self.error = Some(e);
                self.done = true;
                return None;
            }
            if self.page.len() < PAGE {
                self.done = true;
            }
        }
        self.page.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use model::EventKind;

    use super::*;

    fn event(i: usize) -> Event {
        Event {
            id: format!("e{i:06}"),
            kind: EventKind::View,
            // Many events share a millisecond: the cursor must resume by id too.
            at: 1_700_000_000_000 + (i / 3) as i64,
            session_id: Some(format!("s{}", i % 7)),
            customer_id: None,
            product: Some("ring".into()),
            sku: None,
            query: None,
            results: Vec::new(),
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        }
    }

    #[test]
    fn a_scan_across_pages_yields_every_event_once_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let n = PAGE * 2 + 17;
        let events: Vec<Event> = (0..n).map(event).collect();
        store.append_events(&events).unwrap();

        // Appended in (at, id) order already: the scan must give them back so.
        let seen: Vec<String> = store.scan_events(i64::MIN, i64::MAX, |s| s.map(|e| e.id).collect()).unwrap();
        let all: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        assert_eq!(seen, all, "every event once, in time then id order");

        let from = events[PAGE].at;
        let to = events[PAGE + 40].at;
        let window: Vec<Event> = store.scan_events(from, to, |s| s.collect()).unwrap();
        let expected: Vec<Event> = events.iter().filter(|e| e.at >= from && e.at < to).cloned().collect();
        assert!(!expected.is_empty());
        assert_eq!(window, expected);
    }
}
