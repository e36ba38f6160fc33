//! What shoppers did with past results: impressions, clicks and conversions
//! per (query, product), and sales per product, computed from storefront
//! events (and optionally order lines). Ranking reads it; nothing here does IO.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};

use model::{Event, EventKind, LineKind, OrderLine};

use crate::sessions::Sessions;
use crate::text::norm_words;

/// Results deeper than this in a logged search are not counted as seen.
const SEEN_DEPTH: usize = 20;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct QueryProductStats {
    pub impressions: u32,
    pub clicks: u32,
    /// Add-to-carts and purchases that followed a click from this query.
    pub conversions: u32,
}

/// Behaviour statistics for ranking. Keys are product handles.
#[derive(Clone, Debug, Default)]
pub struct BehaviourStats {
    /// Normalized query key → product handle → stats.
    pub(crate) per_query: HashMap<String, HashMap<String, QueryProductStats>>,
    /// A readable form of each query key (the first spelling seen).
    pub(crate) query_text: HashMap<String, String>,
    /// How often each query key was searched.
    pub(crate) query_counts: HashMap<String, u32>,
    /// Units sold per product handle (purchase events).
    pub(crate) sales: HashMap<String, f64>,
    /// Units sold per SKU (order lines), resolved to products when indexing.
    pub(crate) sku_sales: HashMap<String, f64>,
    pub(crate) impressions: u64,
    pub(crate) clicks: u64,
}

/// The key under which behaviour for a query is pooled: its normalized
/// words, deduplicated and sorted, so `Ruby rings` and `ring ruby` share one.
pub fn query_key(query: &str) -> String {
    let mut w = norm_words(query);
    w.sort();
    w.dedup();
    w.join(" ")
}

/// Per session: the last query, and the (query, product) pairs clicked.
type SessionState = (Option<String>, HashSet<(String, String)>);

impl BehaviourStats {
    /// Statistics from events in any order (sorted here by time).
    pub fn from_events(events: &[Event]) -> BehaviourStats {
        let mut sorted: Vec<&Event> = events.iter().collect();
        sorted.sort_by_key(|e| e.at);
        BehaviourStats::from_sorted(sorted)
    }

    /// Statistics from events in time order, in one pass that keeps only the
    /// sessions in flight (see `sessions`): memory grows with the queries
    /// and products, not with the length of the log.
    pub fn from_sorted<E: Borrow<Event>>(events: impl IntoIterator<Item = E>) -> BehaviourStats {
        let mut s = BehaviourStats::default();
        let mut sessions: Sessions<SessionState> = Sessions::new();
        for e in events {
            let e = e.borrow();
            let session = e.session_id.as_deref().or(e.customer_id.as_deref()).unwrap_or("");
            match e.kind {
                EventKind::Search => {
                    let Some(q) = e.query.as_deref() else { continue };
                    let key = query_key(q);
                    if key.is_empty() {
                        continue;
                    }
                    s.query_text.entry(key.clone()).or_insert_with(|| q.trim().to_lowercase());
                    *s.query_counts.entry(key.clone()).or_default() += 1;
                    let per = s.per_query.entry(key.clone()).or_default();
                    for h in e.results.iter().take(SEEN_DEPTH) {
                        per.entry(h.clone()).or_default().impressions += 1;
                        s.impressions += 1;
                    }
                    sessions.touch(session, e.at).0 = Some(key);
                }
                EventKind::Click => {
                    let Some(product) = e.product.clone() else { continue };
                    let state = sessions.touch(session, e.at);
                    let key = match e.query.as_deref() {
                        Some(q) => query_key(q),
                        None => match &state.0 {
                            Some(k) => k.clone(),
                            None => continue,
                        },
                    };
                    if key.is_empty() {
                        continue;
                    }
                    s.per_query.entry(key.clone()).or_default().entry(product.clone()).or_default().clicks +=
                        1;
                    s.clicks += 1;
                    state.1.insert((key, product));
                }
                EventKind::AddToCart | EventKind::Purchase => {
                    let Some(product) = e.product.as_deref() else { continue };
                    if e.kind == EventKind::Purchase {
                        *s.sales.entry(product.to_string()).or_default() +=
                            e.quantity.unwrap_or(1).max(1) as f64;
                    }
                    let pairs = &sessions.touch(session, e.at).1;
                    for (key, p) in pairs.iter().filter(|(_, p)| p == product) {
                        if let Some(st) = s.per_query.get_mut(key).and_then(|m| m.get_mut(p)) {
                            st.conversions += 1;
                        }
                    }
                }
                EventKind::View | EventKind::Return | EventKind::Exposure => {}
            }
        }
        s
    }

    /// Adds units sold from order lines (sales only; returns do not count).
    pub fn add_order_lines(&mut self, lines: &[OrderLine]) {
        for l in lines.iter().filter(|l| l.kind == LineKind::Sale && l.quantity > 0) {
            *self.sku_sales.entry(l.sku.clone()).or_default() += l.quantity as f64;
        }
    }

    /// Click-through over all logged impressions: the prior for smoothing.
    pub fn global_ctr(&self) -> f64 {
        if self.impressions == 0 {
            0.1
        } else {
            (self.clicks as f64 / self.impressions as f64).clamp(0.01, 0.9)
        }
    }

    pub fn for_query(&self, query: &str) -> Option<&HashMap<String, QueryProductStats>> {
        self.per_query.get(&query_key(query))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(kind: EventKind, at: i64, session: &str) -> Event {
        Event {
            id: format!("{at}"),
            kind,
            at,
            session_id: Some(session.into()),
            customer_id: None,
            product: None,
            sku: None,
            query: None,
            results: vec![],
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        }
    }

    #[test]
    fn clicks_and_conversions_are_attributed_to_the_query() {
        let mut events = Vec::new();
        for s in 0..10 {
            let session = format!("s{s}");
            let mut search = ev(EventKind::Search, s * 10, &session);
            search.query = Some("Ruby Rings".into());
            search.results = vec!["a".into(), "b".into()];
            events.push(search);
            if s < 3 {
                let mut click = ev(EventKind::Click, s * 10 + 1, &session);
                click.product = Some("b".into());
                events.push(click);
                let mut buy = ev(EventKind::Purchase, s * 10 + 2, &session);
                buy.product = Some("b".into());
                events.push(buy);
            }
        }
        let stats = BehaviourStats::from_events(&events);
        let q = stats.for_query("ring ruby").unwrap();
        assert_eq!(q["b"], QueryProductStats { impressions: 10, clicks: 3, conversions: 3 });
        assert_eq!(q["a"].clicks, 0);
        assert_eq!(stats.sales["b"], 3.0);
        assert!((stats.global_ctr() - 0.15).abs() < 1e-9);
    }
}
