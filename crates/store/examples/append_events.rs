//! Measures `Store::append_events` throughput on disk: batches of 1,000
//! events, each batch one durable (fsync'd) transaction.
//!
//! `cargo run --release -p store --example append_events [TOTAL]`

use std::time::Instant;

use model::{Event, EventKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let total: usize = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(200_000);
    let dir = tempfile::tempdir()?;
    let store = store::Store::open(dir.path())?;
    let events: Vec<Event> = (0..total)
        .map(|i| Event {
            id: format!("evt-{i:09}"),
            kind: EventKind::ALL[i % 6],
            at: 1_700_000_000_000 + (i as i64 * 37) % 86_400_000,
            session_id: Some(format!("s{}", i / 20)),
            customer_id: (i % 3 == 0).then(|| format!("c{}", i % 5000)),
            product: Some(format!("product-{}", i % 2000)),
            sku: None,
            query: (i % 6 == 1).then(|| "gold hoop earrings".to_string()),
            results: vec![],
            position: None,
            quantity: None,
            price: None,
            order_id: None,
        })
        .collect();
    let t = Instant::now();
    for batch in events.chunks(1000) {
        store.append_events(batch)?;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{total} events in {secs:.2} s: {:.0} events/s (batches of 1,000, durable)",
        total as f64 / secs
    );
    let t = Instant::now();
    let again = store.append_events(&events[..1000])?;
    println!("a retried batch: {} duplicates in {:.1} ms", again.duplicates, t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let n = store.events()?.len();
    println!("read back {n} events in {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}
