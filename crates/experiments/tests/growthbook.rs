//! GrowthBook's cross-SDK conformance suite, for every section that concerns experiments.
//!
//! `run` cases that need the feature-flag model (prerequisite features) are listed by name in
//! `FEATURE_FLAG_CASES` and checked to still exist, so the list cannot silently grow stale.

use experiments::assign::{self, Context, Experiment, Namespace};
use experiments::condition::eval_condition;
use serde_json::{Map, Value};

fn cases() -> Map<String, Value> {
    let text = include_str!("growthbook/growthbook-cases.json");
    serde_json::from_str(text).expect("the suite is JSON")
}

fn section(name: &str) -> Vec<Vec<Value>> {
    let all = cases();
    let cases = all[name].as_array().unwrap_or_else(|| panic!("section {name}"));
    assert!(!cases.is_empty(), "section {name} has cases");
    cases.iter().map(|c| c.as_array().expect("a case is an array").clone()).collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn hash() {
    for case in section("hash") {
        let (seed, value) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
        let version = case[2].as_u64().unwrap() as u32;
        let got = assign::hash(seed, value, version);
        match case[3].as_f64() {
            Some(want) => assert!(
                got.is_some_and(|g| close(g, want)),
                "hash({seed:?}, {value:?}, {version}) = {got:?}, want {want}"
            ),
            None => assert_eq!(got, None, "hash version {version} has no hash"),
        }
    }
}

#[test]
fn get_bucket_range() {
    for case in section("getBucketRange") {
        let args = case[1].as_array().unwrap();
        let weights: Option<Vec<f64>> = serde_json::from_value(args[2].clone()).unwrap();
        let got = assign::bucket_ranges(
            args[0].as_u64().unwrap() as usize,
            args[1].as_f64().unwrap(),
            weights.as_deref(),
        );
        let want: Vec<(f64, f64)> = serde_json::from_value(case[2].clone()).unwrap();
        assert_eq!(got.len(), want.len(), "{}", case[0]);
        for (g, w) in got.iter().zip(&want) {
            assert!(close(g.0, w.0) && close(g.1, w.1), "{}: got {got:?}, want {want:?}", case[0]);
        }
    }
}

#[test]
fn choose_variation() {
    for case in section("chooseVariation") {
        let ranges: Vec<(f64, f64)> = serde_json::from_value(case[2].clone()).unwrap();
        let got = assign::choose_variation(case[1].as_f64().unwrap(), &ranges).map_or(-1, |v| v as i64);
        assert_eq!(got, case[3].as_i64().unwrap(), "{}", case[0]);
    }
}

#[test]
fn in_namespace() {
    for case in section("inNamespace") {
        let namespace: Namespace = serde_json::from_value(case[2].clone()).unwrap();
        let got = assign::in_namespace(case[1].as_str().unwrap(), &namespace);
        assert_eq!(got, case[3].as_bool().unwrap(), "{}", case[0]);
    }
}

#[test]
fn get_equal_weights() {
    for case in section("getEqualWeights") {
        let got = assign::equal_weights(case[0].as_i64().unwrap());
        let want: Vec<f64> = serde_json::from_value(case[1].clone()).unwrap();
        assert_eq!(got.len(), want.len(), "getEqualWeights({})", case[0]);
        assert!(got.iter().zip(&want).all(|(g, w)| close(*g, *w)), "getEqualWeights({}) = {got:?}", case[0]);
    }
}

#[test]
fn get_query_string_override() {
    for case in section("getQueryStringOverride") {
        let got = assign::query_string_override(
            case[1].as_str().unwrap(),
            case[2].as_str().unwrap(),
            case[3].as_u64().unwrap() as usize,
        );
        assert_eq!(got.map(|v| v as u64), case[4].as_u64(), "{}", case[0]);
    }
}

#[test]
fn eval_condition_cases() {
    for case in section("evalCondition") {
        let groups = case.get(4).and_then(Value::as_object).cloned().unwrap_or_default();
        let got = eval_condition(&case[2], &case[1], &groups);
        assert_eq!(got, case[3].as_bool().unwrap(), "{}: {} on {}", case[0], case[1], case[2]);
    }
}

/// `run` cases whose experiments depend on feature flags (prerequisites), which Loupe does not have.
const FEATURE_FLAG_CASES: &[&str] = &["Prerequisite condition passes", "Prerequisite condition fails"];

#[test]
fn run() {
    let mut ran = 0;
    let mut skipped = Vec::new();
    for case in section("run") {
        let name = case[0].as_str().unwrap();
        if FEATURE_FLAG_CASES.contains(&name) {
            skipped.push(name.to_string());
            continue;
        }
        let context: Context =
            serde_json::from_value(case[1].clone()).unwrap_or_else(|e| panic!("{name}: context: {e}"));
        let experiment: Experiment =
            serde_json::from_value(case[2].clone()).unwrap_or_else(|e| panic!("{name}: experiment: {e}"));
        let got = assign::run(&context, &experiment);
        assert_eq!(experiment.variations[got.variation], case[3], "{name}: value");
        assert_eq!(got.in_experiment, case[4].as_bool().unwrap(), "{name}: inExperiment");
        assert_eq!(got.hash_used, case[5].as_bool().unwrap(), "{name}: hashUsed");
        ran += 1;
    }
    assert_eq!(skipped.len(), FEATURE_FLAG_CASES.len(), "every skipped case still exists: {skipped:?}");
    assert!(ran >= 70, "ran {ran} run cases");
}
