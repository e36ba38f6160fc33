//! The CLI while `loupe serve` holds the data directory: commands go through
//! the server (and say so), imports follow the server's task; commands that
//! cannot say which server to stop. Also the exit codes and a closed pipe.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::browser::start_server;
use crate::{loupe, loupe_ok};

fn fixture() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.csv"))
}

/// Twelve weeks of sales of two fixture SKUs.
fn orders_csv(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("order_id,ordered_at,sku,quantity,unit_price\n");
    for week in 0..12 {
        let day = chrono_day(week * 7);
        text.push_str(&format!("A{week},{day},SOL-PT-6,1,4850.00\n"));
        text.push_str(&format!("B{week},{day},SOL-YG-6,2,4450.00\n"));
    }
    let path = dir.join("orders.csv");
    std::fs::write(&path, text).unwrap();
    path
}

/// `2026-01-05` plus `days`, without a date crate.
fn chrono_day(days: u32) -> String {
    let (mut month, mut day) = (1u32, 5 + days);
    let lengths = [31, 28, 31, 30, 31, 30];
    while day > lengths[month as usize - 1] {
        day -= lengths[month as usize - 1];
        month += 1;
    }
    format!("2026-{month:02}-{day:02}")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn commands_go_through_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    loupe_ok(&data, &["import", "catalog", fixture().to_str().unwrap()]);
    let (server, url) = start_server(&data);

    // Read-only: search, with the same JSON as a local run.
    let out = loupe(&data, &["search", "rose gold earrings", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("through the running server at {url}")), "{}", stderr(&out));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(response["hits"].is_array() && response["total"].as_u64().is_some(), "{response}");

    // Imports go to the server's task and print the same report.
    let out = loupe(&data, &["import", "orders", orders_csv(dir.path()).to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("import task"), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("24 new"), "{report}");
    let out = loupe(&data, &["import", "catalog", fixture().to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["catalog"]["products_created"], 0, "a second import updates: {report}");

    // Forecasts, paged from the server.
    let out = loupe(&data, &["forecast", "--level", "total", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1, "one total series");
    assert_eq!(lines[0]["level"], "total");

    // Replenishment and slow movers, gathered page by page.
    for command in ["replenish", "slow-movers"] {
        let out = loupe(&data, &[command, "--json"]);
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        let rows: Vec<Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(rows.iter().any(|r| r["sku"] == "SOL-PT-6"), "{command}: {rows:?}");
    }

    // The scorecard, from the server's copy of the data (read again in the
    // background after the import: asked until the orders show).
    let mut orders = 0;
    for _ in 0..30 {
        let out = loupe(&data, &["scorecard", "--by", "month", "--json"]);
        assert!(out.status.success(), "scorecard: {}", stderr(&out));
        assert!(stderr(&out).contains("through the running server"), "{}", stderr(&out));
        let rows: Vec<Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), 12, "twelve months by default");
        orders = rows.iter().map(|r| r["orders"].as_u64().unwrap()).sum::<u64>();
        if orders > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert!(orders > 0, "the imported orders reach the server's scorecard");
    let out = loupe(&data, &["scorecard", "--segment", "colour"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("segment: \"colour\""), "{}", stderr(&out));

    // A broken file is the user's input: exit 1, with the server's message.
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, "\u{0}\u{1}not a catalog").unwrap();
    let out = loupe(&data, &["import", "catalog", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("broken.csv"), "{}", stderr(&out));

    // Read-only catalog commands too, with the same JSON.
    let out = loupe(&data, &["products", "list", "--limit", "3", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let out = loupe(&data, &["products", "show", "SOL-PT-6", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["handle"], "solitaire-engagement-ring", "found by SKU: {shown}");
    let out = loupe(&data, &["quality", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["products"].as_u64().unwrap() > 0, "{report}");

    // --replace goes to the server too: products the file lacks are removed,
    // never the order-only ones the orders import created.
    let fixture_text = std::fs::read_to_string(fixture()).unwrap();
    let one: String = fixture_text
        .lines()
        .filter(|l| l.starts_with("Handle,") || l.starts_with("solitaire-engagement-ring,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let one_path = dir.path().join("one.csv");
    std::fs::write(&one_path, one).unwrap();
    let out = loupe(&data, &["import", "catalog", one_path.to_str().unwrap(), "--replace", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["catalog"]["products_removed"].as_u64().unwrap() > 0, "{report}");
    let removed = report["catalog"]["removed_handles"].as_array().unwrap();
    assert!(!removed.iter().any(|h| h == "solitaire-engagement-ring"), "{report}");

    // A command that needs the store to itself says which server holds it.
    let out = loupe(&data, &["export", "catalog", "--format", "jsonl"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains(&url), "{}", stderr(&out));

    // Once the server is gone (even killed), commands run on the store again.
    drop(server);
    let out = loupe(&data, &["search", "ring", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("through the running server"), "{}", stderr(&out));
}

#[test]
fn exit_codes_tell_input_from_internal_failures() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let missing = loupe(&data, &["import", "catalog", "/no/such/file.csv"]);
    assert_eq!(missing.status.code(), Some(1), "{}", stderr(&missing));
    let bad_flag = loupe(&data, &["search", "ring", "--limit", "0"]);
    assert_eq!(bad_flag.status.code(), Some(1), "{}", stderr(&bad_flag));
    let unknown = loupe(&data, &["search", "--no-such-flag"]);
    assert_eq!(unknown.status.code(), Some(1), "{}", stderr(&unknown));
    let help = loupe(&data, &["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("Exit status"), "documented in --help");
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    loupe_ok(&data, &["import", "catalog", fixture().to_str().unwrap()]);
    for args in [
        &["search", "ring", "--limit", "100"][..],
        &["products", "list"],
        &["export", "catalog", "--format", "jsonl"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
            .arg("--data")
            .arg(&data)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -0`: the reader goes away before the command writes.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).is_empty(), "{args:?} printed: {}", stderr(&out));
    }
}

// Regression (issue 10): `--host 0.0.0.0` served an open API (no keys) to the
// whole network with only a warning.
#[test]
fn serving_beyond_loopback_without_keys_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for host in ["0.0.0.0", "::"] {
        let out = loupe(&data, &["serve", "--host", host, "--port", "0"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let text = stderr(&out);
        assert!(text.contains("without API keys") && text.contains("--insecure-no-keys"), "{text}");
    }
}
