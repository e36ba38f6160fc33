//! Two `loupe serve` nodes on one PostgreSQL database (issue 20): an import
//! through node A is searchable through node B within a bound, which the
//! test measures and prints; killing node A in the middle of a large import
//! leaves the database as it was and node B serving (and writing).

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::browser::start_server_with;

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.csv");

/// The bound within which a write on one node must show on the other.
const PROPAGATION_BOUND: Duration = Duration::from_secs(5);

/// One HTTP/1.0 request (no chunked answers); returns the status and body.
fn http(base: &str, method: &str, path: &str, body: &[u8]) -> (u16, String) {
    let host = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(s, "{method} {path} HTTP/1.0\r\nHost: {host}\r\nContent-Length: {}\r\n\r\n", body.len()).unwrap();
    s.write_all(body).unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn json(base: &str, path: &str) -> Value {
    let (status, body) = http(base, "GET", path, b"");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} is not JSON ({e}): {body}"))
}

/// Posts a catalog import; returns the task's id.
fn import(base: &str, file: &[u8]) -> String {
    let (status, body) = http(base, "POST", "/v1/imports?kind=catalog&filename=shop.csv", file);
    assert_eq!(status, 202, "{body}");
    let accepted: Value = serde_json::from_str(&body).unwrap();
    accepted["task_id"].as_str().unwrap().to_string()
}

fn wait_task(base: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let task = json(base, &format!("/v1/tasks/{id}"));
        if matches!(task["status"].as_str(), Some("succeeded" | "failed")) {
            return task;
        }
        assert!(Instant::now() < deadline, "the import did not finish: {task}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn hits(base: &str, q: &str) -> u64 {
    json(base, &format!("/v1/search?q={q}"))["total"].as_u64().unwrap()
}

/// A Shopify export of `n` one-variant products.
fn big_catalog(n: usize) -> Vec<u8> {
    let mut out = String::from("Handle,Title,Type,Variant SKU,Variant Price\n");
    for i in 0..n {
        out.push_str(&format!("zband-{i},Zephyrine Band {i},Rings,ZB-{i},{}.00\n", 100 + i % 400));
    }
    out.into_bytes()
}

#[test]
fn two_nodes_share_one_database() {
    let url = store::testing::database().unwrap_or_else(|e| panic!("{e}"));
    let tmp = tempfile::tempdir().unwrap();
    let node = |name: &str| start_server_with(&tmp.path().join(name), &["--store", &url]);
    let (mut a, a_url) = node("a");
    let (_b, b_url) = node("b");
    assert_eq!(hits(&b_url, "solitaire"), 0, "an empty store");

    // Through A; searchable through B.
    let task = wait_task(&a_url, &import(&a_url, &std::fs::read(SHOP).unwrap()));
    assert_eq!(task["status"], "succeeded", "{task}");
    let imported = Instant::now();
    while hits(&b_url, "solitaire") == 0 {
        assert!(
            imported.elapsed() < PROPAGATION_BOUND,
            "node B did not see node A's import within {PROPAGATION_BOUND:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let delay = imported.elapsed();
    eprintln!("propagation: an import through node A was searchable through node B after {delay:?}");

    // Node A dies in the middle of a large import.
    let store = store::Store::connect(&url).unwrap();
    let (products, version) = (store.product_count().unwrap(), store.catalog_version().unwrap());
    let file = big_catalog(60_000);
    let task = import(&a_url, &file);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let t = json(&a_url, &format!("/v1/tasks/{task}"));
        let done = t["progress"]["done"].as_u64().unwrap_or(0);
        if t["status"] == "running" && done > file.len() as u64 / 10 {
            break;
        }
        assert_ne!(t["status"], "succeeded", "the import ended before it could be interrupted");
        assert!(Instant::now() < deadline, "the import did not start: {t}");
        std::thread::sleep(Duration::from_millis(20));
    }
    a.0.kill().unwrap();
    a.0.wait().unwrap();
    assert_eq!(store.product_count().unwrap(), products, "no product of the killed import is stored");
    assert_eq!(store.catalog_version().unwrap(), version);
    assert!(hits(&b_url, "solitaire") > 0, "node B still serves");
    let found = json(&b_url, "/v1/search?q=zephyrine+band");
    let handles: Vec<&str> =
        found["hits"].as_array().unwrap().iter().filter_map(|h| h["handle"].as_str()).collect();
    assert!(handles.iter().all(|h| !h.starts_with("zband-")), "{handles:?}");
    // And B can write: A's transaction and its lock went with its connection.
    let small = big_catalog(30);
    let task = wait_task(&b_url, &import(&b_url, &small));
    assert_eq!(task["status"], "succeeded", "{task}");
    assert_eq!(store.product_count().unwrap(), products + 30);
}
