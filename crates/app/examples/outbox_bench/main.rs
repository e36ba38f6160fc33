//! The outbox's delivery throughput to a webhook receiver on loopback
//! (issue 17), against a baseline in the same run: the same signed POSTs
//! sent by a plain loop with no outbox (no store, no consent check, no
//! batch commits), which is the receiver's and the HTTP client's ceiling.
//!
//! `cargo run --release -p app --example outbox_bench -- [MESSAGES]`
//! (default 20,000). Prints messages per second for both and the process's
//! peak resident memory.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use model::{OutboxMessage, OutboxStatus};

/// A receiver that answers 200 to every request: one thread per connection.
fn receiver() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let c = c.clone();
            std::thread::spawn(move || serve(stream, &c));
        }
    });
    (port, count)
}

fn serve(stream: TcpStream, count: &AtomicUsize) {
    let _ = stream.set_nodelay(true);
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    loop {
        let mut len = 0usize;
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let h = line.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some(v) = h.strip_prefix("content-length:").or_else(|| h.strip_prefix("Content-Length:")) {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        count.fetch_add(1, Ordering::Relaxed);
        if writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_err() {
            return;
        }
    }
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let (port, received) = receiver();
    let url = format!("http://127.0.0.1:{port}/hook");
    let now = 1_767_225_600_000i64; // 2026-01-01
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open(dir.path()).unwrap();
    let app = app::App::new(store, app::Clock::fixed(now));
    let settings = app::outbox::put_settings(
        &app,
        app::wire::care::DeliverySettings { webhook_url: Some(url.clone()), ..Default::default() },
        false,
    )
    .unwrap();
    // Customers with consent, and one pending message each (a thousand customers).
    let customers = 1000;
    let consent: Vec<(String, String)> = (0..customers)
        .map(|c| {
            let json = format!(
                r#"{{"changes":[{{"channel":"email","granted":true,"source":"checkout","at":0,"address":"c{c}@example.com"}}]}}"#
            );
            (format!("C{c:05}"), json)
        })
        .collect();
    app.store.put_customer_docs(app::care::CONSENT, &consent).unwrap();
    let body = "Hi there, we hope you love your Pearl Drop Necklace. A few minutes of care keeps it bright for years: \
                put jewelry on last, after lotions and perfume, and take it off first."
        .to_string();
    let messages: Vec<OutboxMessage> = (0..n)
        .map(|i| OutboxMessage {
            id: format!("msg_{i:024}"),
            kind: "care".into(),
            customer_id: Some(format!("C{:05}", i % customers)),
            channel: "email".into(),
            order_id: format!("O{i}"),
            sku: "PEARL-NK-18".into(),
            topic: "welcome".into(),
            subject: "Caring for your Pearl Drop Necklace".into(),
            body: body.clone(),
            why: "every piece gets a care guide after delivery".into(),
            due_ms: now - 1000,
            created_ms: now - 1000,
            status: OutboxStatus::Pending,
            reason: None,
            next_ms: now - 1000,
            attempts: vec![],
            sent_ms: None,
        })
        .collect();
    app.store.enqueue_outbox(&messages, None, &[]).unwrap();

    // Baseline: the same signed POSTs from a plain loop on the same number of threads.
    let key = app::outbox::signing_key(settings.webhook_secret.as_deref().unwrap()).unwrap();
    let agent: ureq::Agent =
        ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(15))).build().into();
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..4 {
            let (agent, key, url, body) = (agent.clone(), &key, &url, &body);
            s.spawn(move || {
                for i in (t..n).step_by(4) {
                    let id = format!("base_{i}");
                    let payload =
                        format!(r#"{{"type":"care.message","data":{{"id":"{id}","body":{body:?}}}}}"#);
                    let sig = app::outbox::sign(key, &id, "1767225600", &payload);
                    let r = agent
                        .post(url.as_str())
                        .header("webhook-id", id.as_str())
                        .header("webhook-timestamp", "1767225600")
                        .header("webhook-signature", sig.as_str())
                        .send(payload.as_bytes())
                        .unwrap();
                    assert!(r.status().is_success());
                }
            });
        }
    });
    let baseline = started.elapsed();
    let base_count = received.swap(0, Ordering::Relaxed);

    // The outbox: consent checked at send time, attempts recorded, one commit per batch.
    let plans = care::Plans::builtin();
    let started = Instant::now();
    let run = app::outbox::run(&app, &plans, None).unwrap();
    let outbox = started.elapsed();
    assert_eq!(run.sent, n, "{run:?}");
    assert_eq!(received.load(Ordering::Relaxed), n);
    let by_status: HashMap<String, usize> =
        app.store.outbox().unwrap().iter().fold(HashMap::new(), |mut m, x| {
            *m.entry(x.status.as_str().to_string()).or_default() += 1;
            m
        });
    println!("messages: {n} ({} customers), receiver on loopback, 4 senders", customers);
    println!(
        "baseline (plain signed POSTs, no outbox): {base_count} in {:.2} s = {:.0} msg/s",
        baseline.as_secs_f64(),
        base_count as f64 / baseline.as_secs_f64()
    );
    println!(
        "outbox (consent at send, batches of {}, a commit per batch): {} in {:.2} s = {:.0} msg/s ({:.2}x the baseline's time)",
        app::outbox::BATCH,
        run.sent,
        outbox.as_secs_f64(),
        run.sent as f64 / outbox.as_secs_f64(),
        outbox.as_secs_f64() / baseline.as_secs_f64()
    );
    println!("stored: {by_status:?}; peak RSS {:.0} MiB", peak_rss_mib());
}
