//! The decision log from the command line (issue 18): the care outbox's
//! decisions are recorded under pseudonyms, the chain verifies, an export
//! verifies on its own, and an edited export is caught at the edited entry.

use serde_json::Value;

use crate::{loupe, loupe_ok};

/// A shop of `customers` whose care messages were decided and, with nobody
/// listening on port 9, each failed once and is dead: a log with entries.
fn logged_shop(dir: &std::path::Path, customers: usize) -> std::path::PathBuf {
    let data = crate::outbox::shop(dir, customers);
    loupe_ok(&data, &["care", "delivery", "--webhook-url", "http://127.0.0.1:9/hook", "--max-attempts", "1"]);
    let since = (chrono::Utc::now().date_naive() - chrono::Duration::days(60)).to_string();
    loupe_ok(&data, &["care", "deliver", "--since", &since, "--once"]);
    data
}

#[test]
fn decisions_are_logged_pseudonymously_and_a_tampered_export_is_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let data = logged_shop(tmp.path(), 12);

    let v: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "verify", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert!(v["entries"].as_u64().unwrap() >= 20, "{v}");

    // A customer's decisions are found by their id, shown by pseudonym.
    let page: Value = serde_json::from_str(&loupe_ok(
        &data,
        &["audit", "list", "--subject", "customer:C0001", "--limit", "100", "--json"],
    ))
    .unwrap();
    let items = page["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{page}");
    let subject = items[0]["subject"].as_str().unwrap();
    assert!(subject.starts_with("customer:") && !subject.contains("C0001"), "{subject}");
    assert!(items.iter().all(|d| d["subject"] == subject));
    let kinds: Vec<&str> = items.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"care_message") && kinds.contains(&"care_delivery"), "{kinds:?}");
    let queued = items.iter().find(|d| d["kind"] == "care_message").unwrap();
    assert_eq!(queued["actor"], "loupe");
    assert!(queued["reasons"][0]["detail"].as_str().is_some_and(|s| !s.is_empty()), "{queued}");
    assert_eq!(queued["version"], "care-plans:builtin");

    // The export verifies on its own and names no customer.
    let export = loupe_ok(&data, &["audit", "export"]);
    assert!(!export.contains("C0001") && !export.contains("@example.com"), "no personal data in the log");
    let file = tmp.path().join("log.jsonl");
    std::fs::write(&file, &export).unwrap();
    let v: Value = serde_json::from_str(&loupe_ok(
        &data,
        &["audit", "verify", "--file", file.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!((v["ok"].as_bool(), v["entries"].as_u64()), (Some(true), Some(export.lines().count() as u64)));

    // Someone turns a suppression into a send in their copy.
    let mut lines: Vec<String> = export.lines().map(String::from).collect();
    let k = lines.iter().position(|l| l.contains("suppressed")).expect("a suppressed message");
    let mut entry: Value = serde_json::from_str(&lines[k]).unwrap();
    entry["output"] = Value::String(entry["output"].as_str().unwrap().replace("suppressed", "queued"));
    lines[k] = entry.to_string();
    std::fs::write(&file, lines.join("\n")).unwrap();
    let out = loupe(&data, &["audit", "verify", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&format!("breaks at entry {}", entry["seq"])), "{said}");
}

/// `loupe customers export` holds everything about a customer; after
/// `loupe customers erase` the store file holds no trace of their id or
/// address, the export is empty but for the log's pseudonymous entries, and
/// the chain still verifies, with the erase itself recorded.
#[test]
fn a_customer_is_exported_whole_and_erased_without_a_trace() {
    let tmp = tempfile::tempdir().unwrap();
    let data = crate::outbox::shop(tmp.path(), 12);
    loupe_ok(&data, &["care", "delivery", "--webhook-url", "http://127.0.0.1:9/hook", "--max-attempts", "1"]);
    let since = (chrono::Utc::now().date_naive() - chrono::Duration::days(60)).to_string();
    loupe_ok(&data, &["care", "deliver", "--since", &since, "--once"]);

    let doc: Value =
        serde_json::from_str(&loupe_ok(&data, &["customers", "export", "C0003", "--json"])).unwrap();
    assert_eq!(doc["customer_id"], "C0003");
    assert_eq!(doc["orders"].as_array().unwrap().len(), 1, "{doc}");
    assert_eq!(doc["consent"]["email"], true);
    assert_eq!(doc["consent"]["history"][0]["address"], "c3@example.com");
    assert!(!doc["messages"].as_array().unwrap().is_empty());
    let decisions = doc["decisions"].as_array().unwrap();
    assert!(!decisions.is_empty() && decisions.iter().all(|d| d["subject"] == doc["pseudonym"]), "{doc}");

    let out = loupe_ok(&data, &["customers", "erase", "C0003", "--json"]);
    let done: Value = serde_json::from_str(&out).unwrap();
    assert!(done["messages_deleted"].as_u64().unwrap() >= 1 && done["consent_deleted"] == true, "{done}");

    // No byte of the store names them any more.
    let bytes = std::fs::read(data.join("loupe.redb")).unwrap();
    for needle in [&b"C0003"[..], b"c3@example.com"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{} survives",
            String::from_utf8_lossy(needle)
        );
    }
    let doc: Value =
        serde_json::from_str(&loupe_ok(&data, &["customers", "export", "C0003", "--json"])).unwrap();
    for key in ["orders", "events", "tickets", "messages"] {
        assert!(doc[key].as_array().unwrap().is_empty(), "{key}: {doc}");
    }
    assert!(doc["consent"]["history"].as_array().unwrap().is_empty());
    let v: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "verify", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    let page: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "list", "--kind", "forget_customer", "--json"]))
            .unwrap();
    assert_eq!(page["total"], 1, "the erase itself is logged: {page}");
    // A later consent import does not bring them back.
    std::fs::write(
        tmp.path().join("again.csv"),
        "customer_id,granted,at,address\nC0003,true,2026-01-01,c3@example.com\n",
    )
    .unwrap();
    let out = loupe(&data, &["import", "consent", tmp.path().join("again.csv").to_str().unwrap(), "--json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    assert_eq!(report["consent"]["forgotten"], 1, "{report}");
}

/// Retention (issue 18): pruning leaves a signed checkpoint from which the
/// store and a full export still verify; an export whose checkpoint line is
/// removed does not.
#[test]
fn a_pruned_log_still_verifies_from_its_checkpoint() {
    let tmp = tempfile::tempdir().unwrap();
    let data = logged_shop(tmp.path(), 6);
    let before: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "verify", "--json"])).unwrap();
    let entries = before["entries"].as_u64().unwrap();
    assert!(entries >= 5, "{before}");

    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    let pruned: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "prune", "--before", &tomorrow, "--json"])).unwrap();
    assert_eq!(pruned["removed"].as_u64(), Some(entries - 1), "all but the newest: {pruned}");
    let through = pruned["checkpoint"]["through_seq"].as_u64().unwrap();
    assert_eq!(through, entries - 1);

    let v: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "verify", "--json"])).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["checkpoint_signature"], "verified");
    assert_eq!(v["entries"].as_u64(), Some(2), "the newest entry and the prune's own record: {v}");
    let list: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "list", "--json"])).unwrap();
    assert_eq!(list["items"][0]["kind"], "decision_log_prune", "{list}");

    let export = loupe_ok(&data, &["audit", "export"]);
    assert!(export.starts_with("{\"checkpoint\""), "{export}");
    let file = tmp.path().join("log.jsonl");
    std::fs::write(&file, &export).unwrap();
    let v: Value = serde_json::from_str(&loupe_ok(
        &data,
        &["audit", "verify", "--file", file.to_str().unwrap(), "--json"],
    ))
    .unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["checkpoint_signature"].as_str()),
        (Some(true), Some("not_checked")),
        "{v}"
    );
    let said = loupe_ok(&data, &["audit", "verify", "--file", file.to_str().unwrap()]);
    assert!(said.contains("signature needs the store"), "{said}");

    // Without the checkpoint the export starts mid-chain: entries were removed.
    let headless: Vec<&str> = export.lines().skip(1).collect();
    std::fs::write(&file, headless.join("\n")).unwrap();
    let out = loupe(&data, &["audit", "verify", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("no checkpoint covers"));

    // Nothing is old enough a day before the first entry.
    let long_ago: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "prune", "--before", "2000-01-01", "--json"]))
            .unwrap();
    assert_eq!(long_ago["removed"], 0);
    let sampling: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "sampling", "--json"])).unwrap();
    assert_eq!(sampling["rate"], 0.01);
}

/// Cases imported from a help desk reach the queue with Loupe's triage, so
/// the import records it: one `support_triage` entry per open case, none
/// for closed ones, none twice.
#[test]
fn imported_open_cases_have_their_triage_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let tickets = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tickets.jsonl");
    loupe_ok(&data, &["import", "tickets", tickets]);
    let page: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "list", "--kind", "support_triage", "--json"]))
            .unwrap();
    let subjects: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|d| d["subject"].as_str().unwrap()).collect();
    let text = std::fs::read_to_string(tickets).unwrap();
    let open = text.lines().filter(|l| !l.contains("\"closed\"")).count();
    assert_eq!(subjects.len(), open, "{page}");
    assert!(subjects.contains(&"ticket:T1"), "{subjects:?}");
    let t1 = page["items"].as_array().unwrap().iter().find(|d| d["subject"] == "ticket:T1").unwrap();
    assert_eq!(t1["output"]["escalate"], true, "an angry second contact escalates: {t1}");
    assert!(
        !t1.to_string().contains("C1\"") && !t1.to_string().contains("delivered"),
        "no customer words: {t1}"
    );
    // A second import adds nothing.
    loupe_ok(&data, &["import", "tickets", tickets]);
    let again: Value =
        serde_json::from_str(&loupe_ok(&data, &["audit", "list", "--kind", "support_triage", "--json"]))
            .unwrap();
    assert_eq!(again["total"], page["total"]);
    let v: Value = serde_json::from_str(&loupe_ok(&data, &["audit", "verify", "--json"])).unwrap();
    assert_eq!(v["ok"], true);
}
