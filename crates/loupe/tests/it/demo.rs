//! `loupe demo` end to end: generate a small brand, import it through the
//! real pipelines, check what the store holds; and `loupe import events`.

use serde_json::Value;

use crate::{loupe, loupe_ok};

const SMALL: &[&str] = &["demo", "--no-serve", "--products", "200", "--customers", "500", "--json"];

fn summary(stdout: &str) -> Value {
    let line = stdout.lines().find(|l| l.starts_with('{')).expect("a JSON summary line");
    serde_json::from_str(line).expect("the summary is JSON")
}

#[test]
fn demo_generates_imports_and_reuses_the_brand() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = summary(&loupe_ok(&data, SMALL));
    assert_eq!(first["generated"], true);
    assert_eq!(first["products"], 200);
    for f in [
        "catalog.csv",
        "orders.csv",
        "inventory.csv",
        "events.jsonl",
        "tickets.jsonl",
        "ground_truth/summary.json",
    ] {
        assert!(data.join("demo").join(f).is_file(), "demo/{f} was not written");
    }
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(data.join("demo/ground_truth/summary.json")).unwrap())
            .unwrap();

    // The store holds what the files hold.
    let export = loupe_ok(&data, &["export", "catalog", "--format", "jsonl"]);
    let products: Vec<Value> = export.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(
        products.len(),
        200,
        "order lines must not have created products: every SKU is in the catalog"
    );
    let variants: usize = products.iter().map(|p| p["variants"].as_array().unwrap().len()).sum();
    assert_eq!(variants as u64, truth["variants"].as_u64().unwrap());
    assert_eq!(first["events"], truth["events"]["total"]);
    let lines = truth["order_lines"].as_u64().unwrap() + truth["return_lines"].as_u64().unwrap();
    assert_eq!(first["order_lines"].as_u64().unwrap(), lines);
    let with_metal = products.iter().filter(|p| !p["metals"].as_array().unwrap().is_empty()).count();
    assert!(with_metal > 170, "only {with_metal} of 200 demo products have a metal after import");

    // A second run reuses the brand instead of generating it again.
    let second = summary(&loupe_ok(&data, SMALL));
    assert_eq!(second["generated"], false);
    assert_eq!(second["events"], first["events"]);

    // Other settings need --regenerate.
    let other = loupe(&data, &["demo", "--no-serve", "--products", "150", "--customers", "300"]);
    assert!(!other.status.success());
    assert!(String::from_utf8_lossy(&other.stderr).contains("--regenerate"));
    let again = summary(&loupe_ok(
        &data,
        &["demo", "--no-serve", "--products", "150", "--customers", "300", "--regenerate", "--json"],
    ));
    assert_eq!(again["generated"], true);
    assert_eq!(again["products"], 150);
}

#[test]
fn demo_refuses_a_data_directory_with_another_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let csv = dir.path().join("mine.csv");
    std::fs::write(&csv, "Handle,Title,Variant SKU,Variant Price\nmy-ring,My Ring,R1,100\n").unwrap();
    loupe_ok(&data, &["import", "catalog", csv.to_str().unwrap()]);
    let out = loupe(&data, SMALL);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not the demo brand"));
}

#[test]
fn import_events_keeps_valid_lines_and_names_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("events.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"e1","kind":"view","at":1700000000000,"product":"pearl-studs"}"#,
            "\n",
            r#"{"id":"e2","kind":"teleport","at":1700000000000}"#,
            "\n",
            r#"{"id":"e3","kind":"search","at":"2024-02-01T10:00:00Z","query":"gold hoops","results":["a","b"]}"#,
            "\n",
            r#"{"id":"e4","kind":"view","at":1700000000000}"#,
            "\n",
        ),
    )
    .unwrap();
    let report: Value =
        serde_json::from_str(&loupe_ok(&data, &["import", "events", file.to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!(report["events"]["accepted"], 2);
    assert_eq!(report["events"]["rejected"], 2);
    let issues = report["issues"].as_array().unwrap();
    assert_eq!(issues[0]["line"], 2);
    assert!(issues[0]["message"].as_str().unwrap().contains("teleport"));
    assert_eq!(issues[1]["line"], 4);
    assert!(issues[1]["message"].as_str().unwrap().contains("product"));
    // Importing the same file again stores nothing twice.
    let again: Value =
        serde_json::from_str(&loupe_ok(&data, &["import", "events", file.to_str().unwrap(), "--json"]))
            .unwrap();
    assert_eq!(again["events"]["duplicates"], 2);
    assert_eq!(again["events"]["accepted"], 0);

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, "not json\n{\"id\":\"x\"}\n").unwrap();
    let out = loupe(&data, &["import", "events", bad.to_str().unwrap()]);
    assert!(!out.status.success(), "nothing importable must exit non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing could be imported") && stderr.contains("line 1"), "{stderr}");
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

// Regression (issue 10, finding 5): after a forget, the id was still in the
// store file's freed pages and in the demo's raw files.
#[test]
fn forgetting_a_demo_customer_leaves_no_copy_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    loupe_ok(&data, SMALL);
    // The customer with the most events, so that many pages held them.
    let events = std::fs::read_to_string(data.join("demo/events.jsonl")).unwrap();
    let mut counts = std::collections::HashMap::<String, usize>::new();
    for line in events.lines() {
        let event: Value = serde_json::from_str(line).unwrap();
        if let Some(c) = event["customer_id"].as_str() {
            *counts.entry(c.to_string()).or_default() += 1;
        }
    }
    let (id, _) = counts.into_iter().max_by_key(|(c, n)| (*n, c.clone())).unwrap();
    let store = data.join("loupe.redb");
    assert!(occurrences(&std::fs::read(&store).unwrap(), id.as_bytes()) > 0);
    std::fs::create_dir_all(data.join("tmp")).unwrap();
    std::fs::write(data.join("tmp/upload-left-behind"), format!("O1,{id}\n")).unwrap();

    let out: Value = serde_json::from_str(&loupe_ok(&data, &["customers", "forget", &id, "--json"])).unwrap();
    assert!(out["events_deleted"].as_u64().unwrap() > 0, "{out}");
    assert_eq!(
        occurrences(&std::fs::read(&store).unwrap(), id.as_bytes()),
        0,
        "the store file still names {id}"
    );
    let scrubbed: Vec<&str> =
        out["files_scrubbed"].as_array().unwrap().iter().filter_map(|f| f.as_str()).collect();
    assert!(scrubbed.contains(&"demo/events.jsonl"), "{out}");
    assert_eq!(out["files_still_holding"], serde_json::json!(["tmp/upload-left-behind"]), "{out}");
    for entry in walk(&data.join("demo")) {
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let whole = text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| *w == id).count();
        assert_eq!(whole, 0, "{} still names {id}", entry.display());
    }
    // The text output says plainly what is left.
    let text = loupe_ok(&data, &["customers", "forget", &id]);
    assert!(text.contains("tmp/upload-left-behind"), "{text}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            out.extend(walk(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}
