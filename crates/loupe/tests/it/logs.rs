//! Personal data never in logs (issue 18): a server at debug level is put
//! through the routes that handle customers' data (consent with an address,
//! a support message with an e-mail, a failed consent import quoting its
//! rows, a care delivery that fails, the export and the erase), and its log
//! is searched for the customer's id and address.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::browser::Server;
use crate::loupe_ok;

const SHOP: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.csv");

fn request(url: &str, method: &str, path: &str, content_type: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let host = url.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn the_servers_log_names_no_customer() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    loupe_ok(&data, &["import", "catalog", SHOP]);
    let (id, email) = ("CUST7731904", "ana.lovelace7731904@mail.example");
    std::fs::write(
        tmp.path().join("orders.csv"),
        format!("order id,ordered at,customer id,sku,quantity,unit price\nO1,2026-11-20T10:00:00Z,{id},PEARL-NK-18,1,180\n"),
    )
    .unwrap();
    loupe_ok(&data, &["import", "orders", tmp.path().join("orders.csv").to_str().unwrap()]);

    let log = tmp.path().join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("--data")
        .arg(&data)
        .args(["serve", "--host", "127.0.0.1", "--port", "0", "--json"])
        .env("RUST_LOG", "debug")
        .env_remove("LOUPE_DATA")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let server = Server(child);
    let url =
        serde_json::from_str::<serde_json::Value>(line.trim()).unwrap()["url"].as_str().unwrap().to_string();

    let json = "application/json";
    let consent = format!(
        r#"{{"customer_id": "{id}", "channel": "email", "granted": true, "source": "checkout", "address": "{email}"}}"#
    );
    assert_eq!(request(&url, "POST", "/v1/consent", json, &consent), 200);
    let ticket = format!(
        r#"{{"body": "My necklace from order O1 broke, write to {email}", "customer_id": "{id}", "contact": "{email}"}}"#
    );
    assert!(request(&url, "POST", "/v1/tickets", json, &ticket) < 300);
    // A consent file whose every row is wrong: its report quotes the rows.
    let bad_email = "ana.lovelace7731904@mailexample";
    let bad = format!("customer_id,granted,at,address\n{id},true,2026-01-01,{bad_email}\n");
    assert_eq!(request(&url, "POST", "/v1/imports?kind=consent", "text/csv", &bad), 202);
    // A delivery that fails: nobody listens on port 9.
    let delivery = r#"{"webhook_url": "http://127.0.0.1:9/hook", "max_attempts": 1}"#;
    assert_eq!(request(&url, "PUT", "/v1/care/delivery", json, delivery), 200);
    assert_eq!(request(&url, "POST", "/v1/outbox/run?since=2026-11-01", json, "{}"), 200);
    assert_eq!(request(&url, "GET", &format!("/v1/customers/{id}/export"), json, ""), 200);
    assert_eq!(request(&url, "GET", &format!("/v1/consent/{id}"), json, ""), 200);
    assert_eq!(request(&url, "DELETE", &format!("/v1/customers/{id}"), json, ""), 200);
    std::thread::sleep(Duration::from_millis(500));
    drop(server);

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("DEBUG") || text.contains("INFO"), "the log was written at debug level: {text}");
    for needle in [id, email, bad_email] {
        assert!(!text.contains(needle), "the log names {needle}:\n{text}");
    }
}
