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
    let events = store.events()?;
    let last = lines.iter().map(|l| l.ordered_at).chain(events.iter().map(|e| e.at / 1000)).max();
    let now = match last {
        Some(t) if t + 86_400 < wall_now => t + 86_400,
        _ => wall_now,
    };
    Ok(recs::Recommender::train(&products, &lines, &events, &recs::TrainConfig::at(now)))
}

/// The recent product handles of a session, oldest first, from the stored
/// events (the last two hours of that session, at most 20 products).
pub fn session_handles(
    store: &Store,
    session_id: &str,
    wall_now_ms: i64,
) -> Result<Vec<String>, store::Error> {
    let events = store.events_between(wall_now_ms - 2 * 3_600_000, wall_now_ms + 60_000)?;
    let mut seq = session_sequence(&events, session_id);
    if seq.is_empty() {
        // A historical session: take it from everything stored.
        seq = session_sequence(&store.events()?, session_id);
    }
    Ok(seq)
}

fn session_sequence(events: &[model::Event], session_id: &str) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut seq: Vec<String> = Vec::new();
    for e in events.iter().filter(|e| e.session_id.as_deref() == Some(session_id)) {
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
