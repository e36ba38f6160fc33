//! The care outbox against real receivers on loopback (issue 17):
//!
//! - a webhook receiver that checks every Standard Webhooks signature,
//!   answers 500 to each message's first attempt and 200 after, and
//!   processes each `webhook-id` once (as a receiver that honours the key
//!   does); the worker, a child process, is killed in the middle of its
//!   deliveries and run again: nothing is lost, nothing is processed twice,
//!   and the re-sends are bounded by one batch;
//! - a real SMTP server (aiosmtpd) receiving the e-mails, whose headers
//!   (`Message-ID`, RFC 8058's `List-Unsubscribe` and
//!   `List-Unsubscribe-Post`) and bodies are checked, then the one-click
//!   unsubscribe and the double opt-in through `loupe serve`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::loupe_ok;

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.csv");

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// A shop with `n` customers, each with one recent order, consent to e-mail
/// from 100 days ago, and every tenth customer's consent withdrawn 70 days
/// ago (before any purchase). Customer `i` has the address `c{i}@example.com`.
fn shop(dir: &Path, n: usize) -> std::path::PathBuf {
    let data = dir.join("data");
    loupe_ok(&data, &["import", "catalog", SHOP]);
    let skus = ["PEARL-NK-18", "SOL-PT-6", "BAND-8", "INIT-B", "HALO-7"];
    let mut orders = String::from("order id,ordered at,customer id,sku,quantity,unit price\n");
    let mut consent = String::from("customer_id,channel,granted,at,source,address\n");
    for i in 0..n {
        let ordered = day(-45 + (i % 40) as i64);
        orders.push_str(&format!("O{i},{ordered}T12:00:00Z,C{i:04},{},1,120.00\n", skus[i % skus.len()]));
        consent.push_str(&format!("C{i:04},email,true,{},checkout,c{i}@example.com\n", day(-100)));
        if i % 10 == 0 {
            consent.push_str(&format!("C{i:04},email,false,{},preference_center,\n", day(-70)));
        }
    }
    std::fs::write(dir.join("orders.csv"), orders).unwrap();
    std::fs::write(dir.join("consent.csv"), consent).unwrap();
    loupe_ok(&data, &["import", "orders", dir.join("orders.csv").to_str().unwrap()]);
    let out = loupe_ok(&data, &["import", "consent", dir.join("consent.csv").to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["consent"]["customers"], n as u64, "{report}");
    data
}

fn signature(key: &[u8], id: &str, ts: &str, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}

/// What the webhook receiver saw.
#[derive(Default, Debug)]
struct Seen {
    requests: usize,
    attempts: HashMap<String, u32>,
    /// Processed, in order: each id once.
    processed: Vec<String>,
    processed_set: HashSet<String>,
    /// Requests for an id already processed (answered 200, not processed).
    duplicates: usize,
    bad_signatures: usize,
    stale_timestamps: usize,
    bodies: HashMap<String, Value>,
}

struct Receiver {
    port: u16,
    key: Arc<Mutex<Vec<u8>>>,
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    /// Answers 500 to each id's first `fail_first` attempts, then 200.
    fn start(fail_first: u32, delay: Duration) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let key = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::new(Mutex::new(Seen::default()));
        let (k, s) = (key.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (k, s) = (k.clone(), s.clone());
                std::thread::spawn(move || serve(stream, &k, &s, fail_first, delay));
            }
        });
        Receiver { port, key, seen }
    }
}

/// One keep-alive connection: requests until the client closes it.
fn serve(stream: TcpStream, key: &Mutex<Vec<u8>>, seen: &Mutex<Seen>, fail_first: u32, delay: Duration) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut headers: HashMap<String, String> = HashMap::new();
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((name, value)) = h.split_once(':') {
                headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
            }
        }
        let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut body = vec![0u8; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let id = headers.get("webhook-id").cloned().unwrap_or_default();
        let ts = headers.get("webhook-timestamp").cloned().unwrap_or_default();
        let sig = headers.get("webhook-signature").cloned().unwrap_or_default();
        let status = {
            let mut s = seen.lock().unwrap();
            s.requests += 1;
            let expected = signature(&key.lock().unwrap(), &id, &ts, &body);
            let now = chrono::Utc::now().timestamp();
            if ts.parse::<i64>().map_or(true, |t| (now - t).abs() > 300) {
                s.stale_timestamps += 1;
            }
            if sig != expected {
                s.bad_signatures += 1;
                401
            } else {
                let n = {
                    let a = s.attempts.entry(id.clone()).or_default();
                    *a += 1;
                    *a
                };
                if n <= fail_first {
                    500
                } else if s.processed_set.contains(&id) {
                    s.duplicates += 1;
                    200
                } else {
                    s.processed_set.insert(id.clone());
                    s.processed.push(id.clone());
                    s.bodies.insert(id.clone(), serde_json::from_slice(&body).unwrap_or(Value::Null));
                    200
                }
            }
        };
        std::thread::sleep(delay);
        let reply = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

fn spawn_deliver(data: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("--data")
        .arg(data)
        .args(["care", "deliver", "--json"])
        .args(args)
        .env_remove("LOUPE_DATA")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn outbox(data: &Path, status: &str) -> Vec<Value> {
    let out = loupe_ok(data, &["care", "outbox", "--status", status, "--limit", "1000", "--json"]);
    let page: Value = serde_json::from_str(&out).unwrap();
    page["items"].as_array().unwrap().clone()
}

#[test]
fn a_killed_worker_loses_nothing_and_a_receiver_that_honours_the_key_processes_each_message_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = shop(tmp.path(), 150);
    let receiver = Receiver::start(1, Duration::from_millis(3));
    let url = format!("http://127.0.0.1:{}/hooks/care", receiver.port);
    let settings: Value = serde_json::from_str(&loupe_ok(
        &data,
        &[
            "care",
            "delivery",
            "--webhook-url",
            &url,
            "--retry-base-ms",
            "20",
            "--max-attempts",
            "5",
            "--json",
        ],
    ))
    .unwrap();
    let secret = settings["webhook_secret"].as_str().expect("a secret is made with the URL");
    let b64 = secret.strip_prefix("whsec_").unwrap();
    *receiver.key.lock().unwrap() = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();

    // The first worker is killed once 40 messages were processed.
    let mut child = spawn_deliver(&data, &["--since", &day(-60)]);
    let started = Instant::now();
    loop {
        if receiver.seen.lock().unwrap().processed.len() >= 40 {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!(
                "the worker ended ({status}) before it could be killed: {:?}",
                receiver.seen.lock().unwrap()
            );
        }
        assert!(started.elapsed() < Duration::from_secs(60), "no deliveries in a minute");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let at_kill = receiver.seen.lock().unwrap().processed.len();

    // A new worker finishes the job.
    let out = spawn_deliver(&data, &[]).wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let run: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(run["pending"], 0, "{run}");

    let sent = outbox(&data, "sent");
    assert!(outbox(&data, "pending").is_empty() && outbox(&data, "dead").is_empty());
    let seen = receiver.seen.lock().unwrap();
    let sent_ids: HashSet<String> = sent.iter().map(|m| m["id"].as_str().unwrap().to_string()).collect();
    assert!(sent.len() >= 150, "every customer with consent gets at least a welcome: {}", sent.len());
    assert!(at_kill < sent.len(), "the kill landed before the end ({at_kill} of {})", sent.len());
    // Nothing lost: every sent message was processed; nothing unknown was.
    assert_eq!(seen.processed_set, sent_ids);
    // Nothing processed twice, and the re-sends after the kill at most one batch.
    assert_eq!(seen.processed.len(), seen.processed_set.len());
    assert!(seen.duplicates <= 64, "{} re-sends of processed messages", seen.duplicates);
    assert_eq!(seen.bad_signatures, 0);
    assert_eq!(seen.stale_timestamps, 0);
    // Every message failed once (500) and was retried.
    for m in &sent {
        let attempts = m["attempts"].as_array().unwrap();
        assert!(attempts.len() >= 2 && !attempts[0]["ok"].as_bool().unwrap(), "{m}");
        assert_eq!(attempts[0]["code"], 500);
    }
    // Withdrawn consent: suppressed with the reason, never sent.
    let suppressed = outbox(&data, "suppressed");
    let withdrawn: Vec<&Value> = suppressed.iter().filter(|m| m["reason"] == "no_consent").collect();
    assert!(!withdrawn.is_empty());
    for m in &withdrawn {
        let c = m["customer_id"].as_str().unwrap();
        assert!(c[1..].parse::<usize>().unwrap() % 10 == 0, "{m}");
        assert!(!seen.processed_set.contains(m["id"].as_str().unwrap()));
    }
    // The payload: the message, why, and the customer's address from their consent.
    let body = &seen.bodies[&seen.processed[0]];
    assert_eq!(body["type"], "care.message");
    for key in ["id", "customer_id", "channel", "subject", "body", "why", "topic", "to"] {
        assert!(!body["data"][key].is_null(), "{key} missing: {body}");
    }
    eprintln!(
        "outbox kill test: {} sent, {} processed before the kill, {} re-sends absorbed by the key, {} requests",
        sent.len(),
        at_kill,
        seen.duplicates,
        seen.requests
    );
}
