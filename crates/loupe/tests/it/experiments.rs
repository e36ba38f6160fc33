//! `loupe experiments analyze | srm | power`: JSON in, JSON out, one output
//! line per input line, and a bad line answered with an error naming it.

use std::io::Write as _;
use std::process::{Command, Stdio};

/// Runs `loupe experiments ARGS` with `stdin`, expecting success; returns stdout.
fn experiments(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("experiments")
        .args(args)
        .env_remove("LOUPE_DATA")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the loupe binary runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin takes the input");
    let out = child.wait_with_output().expect("loupe exits");
    assert!(
        out.status.success(),
        "loupe experiments {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}

fn value(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
}

#[track_caller]
fn near(v: &serde_json::Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"));
    assert!((got - want).abs() < 1e-5, "got {got}, want {want}");
}

#[test]
fn analyze_answers_each_line_and_names_a_bad_one() {
    // gbstats' tests/frequentist/test_tests.py, test_two_sided_ttest; then a
    // broken line, a blank one (skipped), and a one-sided test.
    let a = r#"{"type":"SampleMean","n":3407,"sum":1396.87,"sum_squares":52377.9767}"#;
    let b = r#"{"type":"SampleMean","n":3461,"sum":2422.7,"sum_squares":134698.29}"#;
    let input = format!(
        "{{\"A\":{a},\"B\":{b}}}\n{{\"A\":{a}}}\n\n{{\"A\":{a},\"B\":{b},\"config\":{{\"alternative\":\"greater\"}}}}\n"
    );
    let out = experiments(&["analyze", "--json"], &input);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    let first = value(lines[0]);
    near(&first["expected"], 0.70732);
    near(&first["ci"][0], -0.03526);
    near(&first["p_value"], 0.06191);
    assert!(first["error"].is_null());
    let second = value(lines[1]);
    let err = second["error"].as_str().expect("an error");
    assert!(err.starts_with("line 2, column "), "{err}");
    assert!(err.contains("missing field `B`"), "{err}");
    let fourth = value(lines[2]);
    assert!(fourth["ci"][1].is_null(), "the open side of a one-sided interval is null");
}

#[test]
fn srm_and_power() {
    let out = experiments(&["srm", "--users", "1000,1200", "--weights", "0.5,0.5", "--json"], "");
    near(&value(out.trim())["p_value"], 2.007865612426481e-05);
    // packages/shared/test/power.test.ts: "calculates power correctly" and the MDE after it.
    let question = r#"{"metric":"mean","mean":10,"variance":3909.9997749994377,"effect":0.05,
        "n_total":400000,"variations":3,"alpha":0.05,"two_tailed":true}"#;
    let out = value(experiments(&["power", "--json"], question).trim());
    near(&out["power"], 0.52144);
    near(&out["mde"], 0.07027);
}

#[test]
fn an_experiment_is_created_assigned_and_read_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let spec = dir.path().join("exp.json");
    std::fs::write(
        &spec,
        r#"{"key": "ranking", "target": "search_ranking", "metric": "conversion",
            "variations": [{"name": "Learned", "value": "learned"}, {"name": "Catalog only", "value": "catalog_only"}]}"#,
    )
    .unwrap();
    let created =
        value(crate::loupe_ok(&data, &["experiments", "create", spec.to_str().unwrap(), "--json"]).trim());
    assert_eq!(created["status"], "running");
    let a = value(
        crate::loupe_ok(&data, &["experiments", "assign", "ranking", "--user", "v-1", "--json"]).trim(),
    );
    let b = value(
        crate::loupe_ok(&data, &["experiments", "assign", "ranking", "--user", "v-1", "--json"]).trim(),
    );
    assert_eq!(a, b, "sticky across processes");
    let r = value(crate::loupe_ok(&data, &["experiments", "results", "ranking", "--json"]).trim());
    let visitors: u64 = r["arms"].as_array().unwrap().iter().map(|a| a["visitors"].as_u64().unwrap()).sum();
    assert_eq!(visitors, 1, "one exposure for two assignments");
    let listed = crate::loupe_ok(&data, &["experiments", "list"]);
    assert!(listed.contains("ranking") && listed.contains("running"), "{listed}");
    // A bad definition is refused with the field named, exit 1.
    std::fs::write(
        &spec,
        r#"{"key": "bad", "target": "search_ranking", "metric": "conversion",
        "variations": [{"name": "A", "value": "learned"}, {"name": "B", "value": "random"}]}"#,
    )
    .unwrap();
    let out = crate::loupe(&data, &["experiments", "create", spec.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("variations[1].value"));
}
