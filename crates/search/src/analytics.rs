//! Search analytics from storefront events: top queries, queries that found
//! nothing, click-through by position, and queries whose results nobody
//! clicks. Shown on the admin page.

use std::borrow::Borrow;
use std::collections::HashMap;

use model::{Event, EventKind};

use crate::behaviour::query_key;
use crate::sessions::Sessions;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryStat {
    /// The query as first typed (lower-cased).
    pub query: String,
    pub searches: u32,
    pub clicks: u32,
    /// Searches followed by at least one click on their results.
    pub clicked_searches: u32,
    /// Searches that showed no results.
    pub zero_results: u32,
    /// Purchases of a product the same session clicked from this query's
    /// results (each clicked product counted once per session).
    pub purchases: u32,
}

impl QueryStat {
    /// Share of searches with at least one click on their results.
    pub fn ctr(&self) -> f64 {
        ratio(self.clicked_searches, self.searches)
    }

    /// Purchases per search.
    pub fn conversion(&self) -> f64 {
        ratio(self.purchases, self.searches)
    }
}

fn ratio(n: u32, d: u32) -> f64 {
    if d == 0 {
        0.0
    } else {
        f64::from(n) / f64::from(d)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PositionStat {
    /// 0-based.
    pub position: u32,
    pub impressions: u32,
    pub clicks: u32,
}

impl PositionStat {
    pub fn ctr(&self) -> f64 {
        ratio(self.clicks, self.impressions)
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SearchAnalytics {
    pub searches: u32,
    pub clicks: u32,
    /// Searches followed by at least one click on their results.
    pub clicked_searches: u32,
    pub top_queries: Vec<QueryStat>,
    pub zero_result_queries: Vec<QueryStat>,
    /// Searched at least three times, never clicked.
    pub no_click_queries: Vec<QueryStat>,
    pub ctr_by_position: Vec<PositionStat>,
}

/// Positions reported in `ctr_by_position`.
const POSITIONS: usize = 20;

/// Analytics from events in any order (sorted here by time).
pub fn analytics(events: &[Event], limit: usize) -> SearchAnalytics {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by_key(|e| e.at);
    analytics_sorted(sorted, limit)
}

/// Per session: its last query, whether that search got a click yet, and
/// the (query key, product) pairs clicked and not yet bought.
#[derive(Default)]
struct SessionState {
    last_query: Option<String>,
    last_clicked: bool,
    clicked: Vec<(String, String)>,
}

/// Analytics from events in time order, in one pass that keeps only the
/// sessions in flight: memory grows with distinct queries, not with the log.
pub fn analytics_sorted<E: Borrow<Event>>(
    events: impl IntoIterator<Item = E>,
    limit: usize,
) -> SearchAnalytics {
    let mut builder = AnalyticsBuilder::new();
    for e in events {
        builder.add(e.borrow());
    }
    builder.report(limit)
}

/// Search analytics kept up to date event by event: a caller that has
/// counted the log so far adds what came after and asks for a new report,
/// instead of reading every event again.
pub struct AnalyticsBuilder {
    per: HashMap<String, QueryStat>,
    positions: Vec<PositionStat>,
    sessions: Sessions<SessionState>,
    /// Only the totals (searches, clicks, clicked searches) are used.
    totals: SearchAnalytics,
}

impl Default for AnalyticsBuilder {
    fn default() -> AnalyticsBuilder {
        AnalyticsBuilder::new()
    }
}

impl AnalyticsBuilder {
    pub fn new() -> AnalyticsBuilder {
        let positions =
            (0..POSITIONS).map(|i| PositionStat { position: i as u32, ..PositionStat::default() }).collect();
        AnalyticsBuilder {
            per: HashMap::new(),
            positions,
            sessions: Sessions::new(),
            totals: SearchAnalytics::default(),
        }
    }

    /// Counts one event. Events should come in time order; one a little
    /// late only shifts which search a click is credited to.
    pub fn add(&mut self, e: &Event) {
        let session = e.session_id.as_deref().or(e.customer_id.as_deref()).unwrap_or("");
        match e.kind {
            EventKind::Search => {
                let Some(q) = e.query.as_deref() else { return };
                let key = query_key(q);
                if key.is_empty() {
                    return;
                }
                self.totals.searches += 1;
                let st = self
                    .per
                    .entry(key.clone())
                    .or_insert_with(|| QueryStat { query: q.trim().to_lowercase(), ..QueryStat::default() });
                st.searches += 1;
                if e.results.is_empty() {
                    st.zero_results += 1;
                }
                for p in self.positions.iter_mut().take(e.results.len()) {
                    p.impressions += 1;
                }
                let state = self.sessions.touch(session, e.at);
                state.last_query = Some(key);
                state.last_clicked = false;
            }
            EventKind::Click => {
                let state = self.sessions.touch(session, e.at);
                let key = match e.query.as_deref() {
                    Some(q) => query_key(q),
                    None => match &state.last_query {
                        Some(k) => k.clone(),
                        None => return,
                    },
                };
                if let Some(st) = self.per.get_mut(&key) {
                    st.clicks += 1;
                    self.totals.clicks += 1;
                    if state.last_query.as_ref() == Some(&key) && !state.last_clicked {
                        state.last_clicked = true;
                        st.clicked_searches += 1;
                        self.totals.clicked_searches += 1;
                    }
                    if let Some(p) = e.position.and_then(|p| self.positions.get_mut(p as usize)) {
                        p.clicks += 1;
                    }
                    if let Some(product) = e.product.as_deref() {
                        if !state.clicked.iter().any(|(k, p)| *k == key && p == product) {
                            state.clicked.push((key, product.to_string()));
                        }
                    }
                }
            }
            EventKind::Purchase => {
                let Some(product) = e.product.as_deref() else { return };
                let pairs = &mut self.sessions.touch(session, e.at).clicked;
                pairs.retain(|(key, p)| {
                    if *p != product {
                        return true;
                    }
                    if let Some(st) = self.per.get_mut(key) {
                        st.purchases += 1;
                    }
                    false
                });
            }
            _ => {}
        }
    }

    /// The analytics so far, with at most `limit` queries per list.
    pub fn report(&self, limit: usize) -> SearchAnalytics {
        let mut out = SearchAnalytics {
            searches: self.totals.searches,
            clicks: self.totals.clicks,
            clicked_searches: self.totals.clicked_searches,
            ..SearchAnalytics::default()
        };
        let mut all: Vec<&QueryStat> = self.per.values().collect();
        all.sort_by(|a, b| b.searches.cmp(&a.searches).then_with(|| a.query.cmp(&b.query)));
        out.zero_result_queries =
            all.iter().filter(|q| q.zero_results > 0).take(limit).map(|q| (*q).clone()).collect();
        out.zero_result_queries
            .sort_by(|a, b| b.zero_results.cmp(&a.zero_results).then_with(|| a.query.cmp(&b.query)));
        out.no_click_queries = all
            .iter()
            .filter(|q| q.clicks == 0 && q.searches >= 3 && q.zero_results < q.searches)
            .take(limit)
            .map(|q| (*q).clone())
            .collect();
        out.top_queries = all.into_iter().take(limit).cloned().collect();
        out.ctr_by_position = self.positions.iter().filter(|p| p.impressions > 0).cloned().collect();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(at: i64, session: &str, q: &str, results: usize) -> Event {
        Event {
            id: format!("s{at}"),
            kind: EventKind::Search,
            at,
            session_id: Some(session.into()),
            customer_id: None,
            product: None,
            sku: None,
            query: Some(q.into()),
            results: (0..results).map(|i| format!("p{i}")).collect(),
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        }
    }

    #[test]
    fn counts_queries_zero_results_and_positions() {
        let mut events = vec![];
        for i in 0..5 {
            events.push(search(i * 10, &format!("a{i}"), "Ruby Ring", 3));
        }
        let mut click = search(1, "a0", "", 0);
        click.kind = EventKind::Click;
        click.query = None;
        click.product = Some("p1".into());
        click.position = Some(1);
        events.push(click.clone());
        // A second click on the same search: two clicks, one clicked search.
        click.at = 4;
        click.product = Some("p2".into());
        click.position = Some(2);
        events.push(click);
        for i in 0..3 {
            events.push(search(100 + i, "b", "unobtainium", 0));
        }
        for i in 0..3 {
            events.push(search(200 + i, "c", "pearl", 2));
        }
        let mut buy = search(2, "a0", "", 0);
        buy.kind = EventKind::Purchase;
        buy.query = None;
        buy.product = Some("p1".into());
        events.push(buy.clone());
        buy.at = 3;
        events.push(buy);
        let a = analytics(&events, 10);
        assert_eq!(a.searches, 11);
        assert_eq!(a.top_queries[0].purchases, 1, "one purchase per clicked product and session");
        assert_eq!(a.top_queries[0].conversion(), 0.2);
        assert_eq!(a.top_queries[0].ctr(), 0.2);
        assert_eq!(a.clicked_searches, 1);
        assert_eq!(a.top_queries[0].query, "ruby ring");
        assert_eq!(a.top_queries[0].clicks, 2);
        assert_eq!(a.zero_result_queries[0].query, "unobtainium");
        assert_eq!(a.no_click_queries.iter().map(|q| q.query.as_str()).collect::<Vec<_>>(), ["pearl"]);
        assert_eq!(a.ctr_by_position[1], PositionStat { position: 1, impressions: 8, clicks: 1 });
    }
}
