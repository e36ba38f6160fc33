//! `loupe collections|bundles|placements` and `loupe eval merch` (issue 14)
//! on a small demo brand: the `--json` contracts of the README, a change
//! made through the API seen by the CLI's wire types, and the evaluation's
//! figures in range with everything learnt before the cut.

use serde_json::Value;

use crate::loupe_ok;

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn merchandising_from_the_terminal_keeps_its_contracts() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    loupe_ok(&data, &["demo", "--no-serve", "--products", "200", "--customers", "1500"]);

    let list = lines(&loupe_ok(&data, &["collections", "list", "--json"]));
    for c in &list {
        for key in ["key", "name", "description", "kind", "members", "pinned", "excluded", "ranked", "top"] {
            assert!(c.get(key).is_some(), "{key} missing: {c}");
        }
    }
    let bridal = list.iter().find(|c| c["key"] == "bridal").expect("the bridal intent");
    assert!(bridal["members"].as_u64().unwrap() > 0, "{bridal}");
    assert!(list.iter().any(|c| c["kind"] == "category"), "categories are collections too");

    let show: Value =
        serde_json::from_str(&loupe_ok(&data, &["collections", "show", "bridal", "--json"])).unwrap();
    let first = &show["members"][0];
    for key in ["handle", "title", "position", "strength", "pinned", "why"] {
        assert!(first.get(key).is_some(), "{key} missing: {first}");
    }
    assert_eq!(first["position"], 1);
    for r in first["why"].as_array().unwrap() {
        assert!(!r["detail"].as_str().unwrap().is_empty() && !r["plain"].as_str().unwrap().is_empty(), "{r}");
    }

    let bundles = lines(&loupe_ok(&data, &["bundles", "list", "--json", "--limit", "5"]));
    assert!(!bundles.is_empty(), "the demo's orders propose bundles");
    for b in &bundles {
        for key in ["id", "status", "anchor", "items", "attach_rate", "estimated", "evidence"] {
            assert!(b.get(key).is_some(), "{key} missing: {b}");
        }
        assert_eq!(b["status"], "proposed");
    }

    let p: Value = serde_json::from_str(&loupe_ok(&data, &["placements", "--json"])).unwrap();
    for key in ["week", "data_until", "hero", "email", "paid", "collections", "last_week"] {
        assert!(p.get(key).is_some(), "{key} missing: {p}");
    }
    let text = loupe_ok(&data, &["placements", "--week", "2025-03-12"]);
    assert!(text.starts_with("Week of 2025-03-10"), "the Monday of the week asked: {text}");

    // The evaluation: figures in range, learnt before the cut.
    let truth = data.join("demo/ground_truth");
    let e: Value = serde_json::from_str(&loupe_ok(
        &data,
        &[
            "eval",
            "merch",
            "--truth",
            truth.to_str().unwrap(),
            "--cut",
            "2025-01-01",
            "--until",
            "2025-07-01",
            "--json",
        ],
    ))
    .unwrap();
    assert_eq!(e["cut"], "2025-01-01");
    let intents = e["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 5);
    for i in intents {
        for key in ["precision", "recall", "base_rate"] {
            let x = i[key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&x), "{key} {x}: {i}");
        }
    }
    assert!(e["replay"]["categories"].as_u64().unwrap() > 0, "{e}");
    assert!(e["bundles"]["proposed"].as_u64().unwrap() > 0, "{e}");
}
