//! Training the recommender from the store: read the catalog, the order
//! lines and the events, pick the clock, train. Shared by the CLI (`loupe
//! recommend`) and the server, which keeps the result in memory and retrains
//! in the background when the data changes.

use std::collections::HashMap;

use store::Store;

/// Trains on everything in the store. The clock is the wall clock, unless
/// the data stops earlier than a day ago (a historical export such as the
/// online-retail orders): then it is a day after the last order or event, so
/// that recency and trends mean something.
pub fn train_from_store(store: &Store, wall_now: i64) -> Result<recs::Recommender, store::Error> {
    let products = store.products()?;
    let lines = store.order_lines()?;
    let last_event = store.last_event_at()?.map(|ms| ms / 1000);
    let last = lines.iter().map(|l| l.ordered_at).chain(last_event).max();
    let now = match last {
        Some(t) if t + 86_400 < wall_now => t + 86_400,
        _ => wall_now,
    };
    let cfg = recs::TrainConfig::at(now);
    // The events stream in time order a page at a time: training holds the
    // aggregates it builds, not the log.
    store.scan_events(i64::MIN, i64::MAX, |events| {
        recs::Recommender::train_sorted(&products, &lines, events, &cfg)
    })
}

/// The recent product handles of a session, oldest first, from the stored
/// events (the last two hours of that session, at most 20 products).
pub fn session_handles(
    store: &Store,
    session_id: &str,
    wall_now_ms: i64,
) -> Result<Vec<String>, store::Error> {
    let recent = |events: &mut store::Scan<'_, model::Event>| session_sequence(events, session_id);
    let seq = store.scan_events(wall_now_ms - 2 * 3_600_000, wall_now_ms + 60_000, recent)?;
    // A historical session is not looked up here: it would mean reading the
    // whole log on a request. The recommender remembers the items of recent
    // sessions it was trained on.
    Ok(seq)
}

fn session_sequence(events: impl Iterator<Item = model::Event>, session_id: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut seq: Vec<String> = Vec::new();
    for e in events.filter(|e| e.session_id.as_deref() == Some(session_id)) {
        let Some(h) = e.product.clone().or_else(|| e.sku.clone()) else { continue };
        if let Some(&k) = seen.get(&h) {
            seq.remove(k);
            for v in seen.values_mut() {
                if *v > k {
                    *v -= 1;
                }
            }
        }
        seen.insert(h.clone(), seq.len());
        seq.push(h);
    }
    if seq.len() > 20 {
        seq.drain(..seq.len() - 20);
    }
    seq
}
