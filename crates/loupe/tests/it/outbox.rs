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
/// ago (before any purchase). Customer `i` has the address `c{i}@example.com`;
/// customer 1 is called Ana.
pub(crate) fn shop(dir: &Path, n: usize) -> std::path::PathBuf {
    let data = dir.join("data");
    loupe_ok(&data, &["import", "catalog", SHOP]);
    let skus = ["PEARL-NK-18", "SOL-PT-6", "BAND-8", "INIT-B", "HALO-7"];
    let mut orders = String::from("order id,ordered at,customer id,sku,quantity,unit price\n");
    let mut consent = String::from("customer_id,channel,granted,at,source,address,first_name\n");
    for i in 0..n {
        let ordered = day(-45 + (i % 40) as i64);
        orders.push_str(&format!("O{i},{ordered}T12:00:00Z,C{i:04},{},1,120.00\n", skus[i % skus.len()]));
        let name = if i == 1 { "Ana" } else { "" };
        consent.push_str(&format!("C{i:04},email,true,{},checkout,c{i}@example.com,{name}\n", day(-100)));
        if i % 10 == 0 {
            consent.push_str(&format!("C{i:04},email,false,{},preference_center,,\n", day(-70)));
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

/// A Python with aiosmtpd (Debian's python3-aiosmtpd, which `.ci/run`
/// installs), or `None` outside CI when none is installed.
fn aiosmtpd_python() -> Option<&'static str> {
    for python in ["/usr/bin/python3", "python3"] {
        let ok = Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(python);
        }
    }
    assert!(std::env::var_os("CI").is_none(), "CI must have python3-aiosmtpd (.ci/run installs it)");
    eprintln!("note: no aiosmtpd here; skipping the SMTP test (apt-get install python3-aiosmtpd)");
    None
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The messages the SMTP server stored (a Maildir), as (headers, body)
/// with quoted-printable soft breaks undone.
fn mails(dir: &Path) -> Vec<(HashMap<String, String>, String)> {
    let Ok(entries) = std::fs::read_dir(dir.join("new")) else { return Vec::new() };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
        let mut headers = HashMap::new();
        for line in head.lines() {
            if let Some((k, v)) = line.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        out.push((headers, body.replace("=\n", "").replace("=3D", "=")));
    }
    out
}

fn wait_for_mails(dir: &Path, n: usize) -> Vec<(HashMap<String, String>, String)> {
    let started = Instant::now();
    loop {
        let got = mails(dir);
        if got.len() >= n || started.elapsed() > Duration::from_secs(20) {
            return got;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP/1.1 request over loopback: (status, body).
fn http(method: &str, url: &str, form: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = TcpStream::connect(host).unwrap();
    let body = form.unwrap_or("");
    let ct = if form.is_some() { "Content-Type: application/x-www-form-urlencoded\r\n" } else { "" };
    write!(
        s,
        "{method} /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{ct}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    (status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn emails_reach_a_real_smtp_server_with_one_click_unsubscribe_and_double_opt_in() {
    let Some(python) = aiosmtpd_python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = shop(tmp.path(), 3);
    // A customer who consented without giving an address.
    std::fs::write(
        tmp.path().join("more.csv"),
        format!(
            "order id,ordered at,customer id,sku,quantity,unit price\nO99,{}T12:00:00Z,C0099,BAND-8,1,90\n",
            day(-20)
        ),
    )
    .unwrap();
    loupe_ok(&data, &["import", "orders", tmp.path().join("more.csv").to_str().unwrap()]);
    loupe_ok(
        &data,
        &[
            "care",
            "consent",
            "--customer",
            "C0099",
            "--grant",
            "--source",
            "checkout",
            "--at",
            &format!("{}T00:00:00Z", day(-90)),
        ],
    );

    let maildir = tmp.path().join("mail");
    let port = free_port();
    let smtpd = Killed(
        Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (_server, url) = crate::browser::start_server(&data);
    loupe_ok(
        &data,
        &[
            "care",
            "delivery",
            "--smtp-url",
            &format!("smtp://127.0.0.1:{port}"),
            "--from",
            "Maison Loupe Care <care@maison.example>",
            "--public-url",
            &url,
        ],
    );
    loupe_ok(&data, &["care", "deliver", "--since", &day(-60)]);

    // C0001 and C0002 get their welcome (and maybe more); C0000 withdrew; C0099 has no address.
    let got = wait_for_mails(&maildir, 2);
    let to: HashSet<&str> = got.iter().map(|(h, _)| h["to"].as_str()).collect();
    assert_eq!(to, HashSet::from(["c1@example.com", "c2@example.com"]), "{got:#?}");
    let sent: Vec<Value> = outbox(&data, "sent");
    assert_eq!(sent.len(), got.len());
    for (h, body) in &got {
        let id = h["message-id"].trim_matches(['<', '>']).split('@').next().unwrap();
        let m = sent.iter().find(|m| m["id"] == id).unwrap_or_else(|| panic!("{id} is not a sent message"));
        assert_eq!(h["subject"], m["subject"].as_str().unwrap());
        assert!(h["from"].contains("care@maison.example"));
        assert_eq!(h["list-unsubscribe-post"], "List-Unsubscribe=One-Click");
        let link = h["list-unsubscribe"].trim_matches(['<', '>']);
        assert!(link.starts_with(&format!("{url}/unsubscribe/u.")), "{link}");
        assert!(body.contains("Why you are getting this: ") && body.contains(link), "{body}");
        assert!(body.contains(m["body"].as_str().unwrap().split('.').next().unwrap()), "{body}");
    }
    let dead = outbox(&data, "dead");
    let (_, to_ana) = got.iter().find(|(h, _)| h["to"] == "c1@example.com").unwrap();
    assert!(to_ana.starts_with("Hi Ana,"), "the template greets her by name: {to_ana}");
    let (_, to_c2) = got.iter().find(|(h, _)| h["to"] == "c2@example.com").unwrap();
    assert!(to_c2.starts_with("Hi there,"), "{to_c2}");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["customer_id"], "C0099");
    assert!(dead[0]["reason"].as_str().unwrap().contains("no e-mail address"), "{}", dead[0]);

    // The unsubscribe link: a GET only asks; the one-click POST withdraws.
    let (h, _) = got.iter().find(|(h, _)| h["to"] == "c1@example.com").unwrap();
    let link = h["list-unsubscribe"].trim_matches(['<', '>']).to_string();
    let (status, page) = http("GET", &link, None);
    assert_eq!(status, 200);
    assert!(page.contains("Unsubscribe") && page.contains("ending 001"), "{page}");
    let consent = |c: &str| -> Value {
        serde_json::from_str(&loupe_ok(&data, &["care", "consent", "--customer", c, "--json"])).unwrap()
    };
    assert_eq!(consent("C0001")["email"], true, "a GET must not unsubscribe");
    let (status, page) = http("POST", &link, Some("List-Unsubscribe=One-Click"));
    assert_eq!(status, 200, "{page}");
    let c1 = consent("C0001");
    assert_eq!(c1["email"], false);
    assert_eq!(c1["history"].as_array().unwrap().last().unwrap()["source"], "list_unsubscribe_one_click");
    let forged = link.replace("u.QzAwMDE", "u.QzAwMDI");
    assert_eq!(http("POST", &forged, Some("List-Unsubscribe=One-Click")).0, 200);
    assert!(http("GET", &forged, None).1.contains("does not work"));
    assert_eq!(consent("C0002")["email"], true, "a forged link changes nothing");

    // Double opt-in: a grant waits for the customer's confirmation.
    loupe_ok(&data, &["care", "delivery", "--double-opt-in", "true"]);
    let c = consent_grant(&data, "C0100", "new@example.com");
    assert_eq!(c["email"], false);
    assert_eq!(c["history"][0]["pending"], true);
    loupe_ok(&data, &["care", "deliver"]);
    let got = wait_for_mails(&maildir, 3);
    let (_, body) = got.iter().find(|(h, _)| h["to"] == "new@example.com").expect("a confirmation e-mail");
    let confirm = body.split_whitespace().find(|w| w.contains("/consent/confirm/")).unwrap();
    assert_eq!(consent("C0100")["email"], false, "not before the click");
    let (status, _) = http("POST", confirm, Some(""));
    assert_eq!(status, 200);
    let c = consent("C0100");
    assert_eq!(c["email"], true, "{c}");
    assert_eq!(c["history"].as_array().unwrap().last().unwrap()["source"], "double_opt_in_confirmed");
    drop(smtpd);
}

fn consent_grant(data: &Path, customer: &str, address: &str) -> Value {
    serde_json::from_str(&loupe_ok(
        data,
        &[
            "care",
            "consent",
            "--customer",
            customer,
            "--grant",
            "--address",
            address,
            "--source",
            "checkout",
            "--json",
        ],
    ))
    .unwrap()
}
