//! `loupe scorecard` against a hand computation over the raw files
//! (`bench/scorecard/hand.py`, standard-library Python written from the
//! README's definitions): the demo brand (orders, stock snapshots, events,
//! catalog) and, when present, the real order files (the gift retailer's and
//! REES46's jewelry orders). They must agree exactly.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::{datasets, loupe, loupe_ok};

/// The contract's fields, in its order.
const FIELDS: [&str; 20] = [
    "period_start",
    "segment",
    "currency",
    "sessions",
    "orders",
    "revenue",
    "units",
    "aov",
    "units_per_order",
    "conversion_rate",
    "returned_units",
    "return_rate",
    "sell_through",
    "inventory_turnover",
    "gmroi",
    "weeks_of_supply",
    "stockout_rate",
    "first_response_hours",
    "resolution_hours",
    "repeat_rate",
];

fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn hand(format: &str, path: &Path, args: &[&str]) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/scorecard/hand.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(path)
        .args(["--format", format])
        .args(args)
        .output()
        .expect("python3 runs (.ci/run installs it)");
    assert!(out.status.success(), "hand.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    json_lines(&String::from_utf8(out.stdout).unwrap())
}

/// Loupe's rows and the hand's, field by field, exactly.
#[track_caller]
fn assert_agree(what: &str, loupe_rows: &[Value], hand_rows: &[Value]) {
    assert_eq!(loupe_rows.len(), hand_rows.len(), "{what}: row counts");
    assert!(!loupe_rows.is_empty(), "{what}: no rows");
    for (l, h) in loupe_rows.iter().zip(hand_rows) {
        for f in FIELDS.iter().chain(&["period_end", "returned_value", "return_value_rate"]) {
            assert_eq!(l[f], h[f], "{what}: {f} of {} {}", l["period_start"], l["segment"]);
        }
    }
}

fn compare(data: &Path, format: &str, file: &Path, range: &[&str]) {
    for (by, segment) in [("week", "all"), ("month", "all"), ("week", "country"), ("month", "customer_type")]
    {
        let mut args: Vec<&str> = range.to_vec();
        args.extend(["--by", by, "--segment", segment]);
        let mut cli = vec!["scorecard", "--json"];
        cli.extend(&args);
        let ours = json_lines(&loupe_ok(data, &cli));
        let theirs = hand(format, file, &args);
        assert_agree(&format!("{format} by {by} and {segment}"), &ours, &theirs);
    }
}

#[test]
fn the_demo_brand_agrees_with_the_hand_computation() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    loupe_ok(&data, &["demo", "--no-serve", "--products", "120", "--customers", "400", "--json"]);
    let range = ["--from", "2022-06-01", "--to", "2027-01-31"];
    compare(&data, "demo", &data.join("demo"), &range);

    // The contract's fields are all there, and stock, sessions and costs exist for the demo.
    let rows = json_lines(&loupe_ok(
        &data,
        &["scorecard", "--json", "--by", "month", "--from", "2024-01-01", "--to", "2024-12-31"],
    ));
    assert_eq!(rows.len(), 12);
    for row in &rows {
        for f in FIELDS {
            assert!(row.get(f).is_some(), "{f} missing from {row}");
        }
        for f in [
            "sessions",
            "conversion_rate",
            "sell_through",
            "inventory_turnover",
            "gmroi",
            "stockout_rate",
            "aov",
        ] {
            assert!(row[f].is_number(), "{f} should exist in {row}");
        }
        // A month without tickets has no response times, said as null.
        assert_eq!(row["first_response_hours"].is_null(), row["resolution_hours"].is_null(), "{row}");
    }
    // The demo's team answers its tickets: some months have response times
    // (and the hand computation above agreed on every one).
    assert!(rows.iter().any(|r| r["first_response_hours"].as_f64().is_some_and(|h| h > 0.0)), "{rows:?}");
    // By category (Loupe's normalized categories: no hand computation), the units add up to the whole.
    let cats = json_lines(&loupe_ok(
        &data,
        &[
            "scorecard",
            "--json",
            "--by",
            "month",
            "--from",
            "2024-01-01",
            "--to",
            "2024-12-31",
            "--segment",
            "category",
        ],
    ));
    for row in &rows {
        let units: i64 = cats
            .iter()
            .filter(|c| c["period_start"] == row["period_start"])
            .map(|c| c["units"].as_i64().unwrap())
            .sum();
        assert_eq!(units, row["units"].as_i64().unwrap(), "{}", row["period_start"]);
    }
}

#[test]
fn real_order_files_agree_with_the_hand_computation() {
    let Some(dir) = datasets() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("uk");
    let file = dir.join("online-retail-2010-12-to-2011-09.csv");
    loupe_ok(&data, &["import", "orders", file.to_str().unwrap()]);
    compare(&data, "online-retail", &file, &["--from", "2010-12-01", "--to", "2011-09-30"]);
    // Orders only: what needs events or stock is null, not 0.
    let rows =
        json_lines(&loupe_ok(&data, &["scorecard", "--json", "--from", "2011-03-01", "--to", "2011-03-31"]));
    assert!(rows
        .iter()
        .all(|r| r["sessions"].is_null() && r["sell_through"].is_null() && r["gmroi"].is_null()));
    assert!(rows.iter().all(|r| r["orders"].as_u64().unwrap() > 0));

    // REES46's jewelry orders: 2,239 rows lack two fields, which the import
    // realigns and the hand computation puts back the same way.
    let data = tmp.path().join("rees46");
    let file = dir.join("rees46-jewelry-orders-2018-12-to-2021-08.csv");
    let map =
        ["--map", "ordered_at=event_time", "--map", "unit_price=price_usd", "--map", "customer_id=user_id"];
    let mut args = vec!["import", "orders", file.to_str().unwrap(), "--currency", "USD"];
    args.extend(map);
    loupe_ok(&data, &args);
    compare(&data, "rees46", &file, &["--from", "2018-12-01", "--to", "2021-08-31"]);
}

#[test]
fn a_bad_parameter_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for (args, says) in [
        (&["scorecard", "--by", "fortnight"][..], "by: \"fortnight\""),
        (&["scorecard", "--segment", "colour"][..], "segment: \"colour\""),
        (&["scorecard", "--from", "2025-13-01"][..], "from: \"2025-13-01\" is not a date"),
        (&["scorecard", "--from", "2025-03-01", "--to", "2025-02-01"][..], "is after to"),
        (
            &["scorecard", "--by", "day", "--from", "1900-01-01", "--to", "2025-01-01"][..],
            "more than 520 periods",
        ),
        (&["scorecard", "--by", "day", "--to", "9999-12-31"][..], "not between 1900 and 2999"),
    ] {
        let out = loupe(&data, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    // An empty store has periods with nothing in them, and says so with zeros and nulls.
    let rows =
        json_lines(&loupe_ok(&data, &["scorecard", "--json", "--from", "2025-01-06", "--to", "2025-01-19"]));
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["orders"] == 0 && r["aov"].is_null() && r["sessions"].is_null()));
    let text = loupe_ok(&data, &["scorecard"]);
    assert!(text.contains("No orders or storefront events in this range"), "{text}");
}
