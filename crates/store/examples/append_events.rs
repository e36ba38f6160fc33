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
            visitor_id: None,
            exposure: None,
        })
        .collect();
    let t = Instant::now();
    let cpu0 = cpu_seconds();
    for batch in events.chunks(1000) {
        store.append_events(batch)?;
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "{total} events in {secs:.2} s wall, {cpu:.2} s cpu: {:.0} events/s, {:.0} events/cpu-s (batches of 1,000, durable)",
        total as f64 / secs,
        total as f64 / cpu.max(0.01)
    );
    let t = Instant::now();
    let again = store.append_events(&events[..1000])?;
    println!("a retried batch: {} duplicates in {:.1} ms", again.duplicates, t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let n = store.events()?.len();
    println!("read back {n} events in {:.2} s", t.elapsed().as_secs_f64());
    Ok(())
}

/// User plus system CPU seconds of this process (`/proc/self/stat`, 100 Hz ticks).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}
