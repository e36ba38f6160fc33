//! Experiments end to end on an in-memory store: define, assign (sticky, logged once), outcomes
//! from events, and a read-out that finds a real effect and no effect in an A/A test.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use app::experiments;
use app::wire::experiments::{ExperimentSpec, Metric, Target, Targeting, Variation, Visitor, Visitors};
use app::{App, Clock, Code};
use serde_json::json;

const DAY: i64 = 86_400_000;
const T0: i64 = 1_767_225_600_000; // 2026-01-01

fn app_at(now: Arc<AtomicI64>) -> App {
    let store = store::Store::open_temporary().unwrap();
    App::new(store, Clock::new(move || now.load(Ordering::SeqCst)))
}

fn spec(key: &str, target: Target, values: [&str; 2]) -> ExperimentSpec {
    ExperimentSpec {
        key: key.into(),
        name: "Catalog-only ranking".into(),
        hypothesis: String::new(),
        target,
        variations: vec![
            Variation { name: "A".into(), value: json!(values[0]) },
            Variation { name: "B".into(), value: json!(values[1]) },
        ],
        weights: None,
        coverage: 1.0,
        targeting: Targeting::default(),
        starts_at: None,
        ends_at: None,
        metric: Metric::Conversion,
        guardrails: vec![Metric::Aov],
        minimum_effect: None,
    }
}

fn visitor(id: &str) -> Visitor {
    Visitor { id: id.into(), ..Visitor::default() }
}

fn purchase(id: &str, visitor: &str, at: i64, price_minor: i64) -> serde_json::Value {
    json!({"id": id, "kind": "purchase", "at": at, "visitor_id": visitor, "order_id": format!("o-{id}"),
           "product": "ring", "quantity": 1, "price": price_minor as f64 / 100.0, "currency": "USD"})
}

#[test]
fn definitions_are_checked_field_by_field() {
    let app = app_at(Arc::new(AtomicI64::new(T0)));
    let mut bad = spec("Bad Key", Target::SearchRanking, ["learned", "catalog_only"]);
    assert_eq!(experiments::create(&app, bad.clone()).unwrap_err().code, Code::InvalidExperiment);
    bad.key = "ranking".into();
    bad.variations[1].value = json!("random");
    let err = experiments::create(&app, bad.clone()).unwrap_err();
    assert!(err.message.contains("variations[1].value"), "{}", err.message);
    bad.variations[1].value = json!("catalog_only");
    bad.weights = Some(vec![0.7, 0.7]);
    assert!(experiments::create(&app, bad.clone()).unwrap_err().message.contains("sum to 1"));
    bad.weights = None;
    experiments::create(&app, bad.clone()).unwrap();
    assert_eq!(experiments::create(&app, bad).unwrap_err().code, Code::Conflict);
}

#[test]
fn assignment_is_sticky_matches_growthbook_and_is_logged_once() {
    let now = Arc::new(AtomicI64::new(T0));
    let app = app_at(now.clone());
    let e = experiments::create(&app, spec("ranking", Target::SearchRanking, ["learned", "catalog_only"]))
        .unwrap();
    assert_eq!(e.status, "running");
    let gb: ::experiments::assign::Experiment = serde_json::from_value(e.growthbook.clone()).unwrap();
    let mut arms = [0; 2];
    for i in 0..400 {
        let id = format!("v{i}");
        let a = experiments::assign(&app, "ranking", &visitor(&id), true).unwrap();
        let again = experiments::assign(&app, "ranking", &visitor(&id), true).unwrap();
        assert_eq!(a, again, "sticky");
        assert!(a.in_experiment);
        // The exported GrowthBook definition puts the visitor in the same arm.
        let ctx = ::experiments::assign::Context {
            attributes: [("id".to_string(), json!(id))].into_iter().collect(),
            ..Default::default()
        };
        assert_eq!(::experiments::assign::run(&ctx, &gb).variation, a.variation);
        arms[a.variation] += 1;
    }
    assert!(arms[0] > 150 && arms[1] > 150, "{arms:?}");
    // One exposure event per visitor, even though each was assigned twice.
    assert_eq!(app.store.event_count().unwrap(), 400);
    // A fresh process (no in-memory log) does not log them again either.
    let again = App::new(app.store.clone(), Clock::fixed(T0 + 1));
    experiments::assign(&again, "ranking", &visitor("v1"), true).unwrap();
    assert_eq!(app.store.event_count().unwrap(), 400);
    // Stopped: everyone sees the control, and nobody new is exposed.
    now.store(T0 + DAY, Ordering::SeqCst);
    experiments::stop(&app, "ranking").unwrap();
    let a = experiments::assign(&app, "ranking", &visitor("v-new"), true).unwrap();
    assert!(!a.in_experiment && a.variation == 0, "{a:?}");
    assert!(a.reason.contains("stopped"), "{}", a.reason);
    assert_eq!(app.store.event_count().unwrap(), 400);
}

#[test]
fn targeting_leaves_others_on_the_control() {
    let app = app_at(Arc::new(AtomicI64::new(T0)));
    let mut s = spec("new-visitors", Target::HeroProduct, ["ring", "pendant"]);
    s.targeting = Targeting { visitors: Visitors::New, devices: vec!["mobile".into()], countries: vec![] };
    experiments::create(&app, s).unwrap();
    let returning =
        Visitor { id: "x".into(), returning: Some(true), device: Some("mobile".into()), country: None };
    let a = experiments::assign(&app, "new-visitors", &returning, true).unwrap();
    assert!(!a.in_experiment && a.reason.contains("targeting"), "{a:?}");
    let fresh = Visitor { returning: Some(false), ..returning };
    assert!(experiments::assign(&app, "new-visitors", &fresh, true).unwrap().in_experiment);
    assert_eq!(app.store.event_count().unwrap(), 1);
}

/// Visitors in B convert at 20%, in A at 10%; only purchases after exposure count.
#[test]
fn results_find_a_real_lift_and_say_so_plainly() {
    let now = Arc::new(AtomicI64::new(T0));
    let app = app_at(now.clone());
    experiments::create(&app, spec("lift", Target::HeroProduct, ["ring", "pendant"])).unwrap();
    let mut events = Vec::new();
    for i in 0..4000 {
        let id = format!("v{i}");
        // A purchase before exposure must not count as an outcome.
        if i % 7 == 0 {
            events.push(purchase(&format!("pre{i}"), &id, T0 - DAY, 5000));
        }
        now.store(T0 + i, Ordering::SeqCst);
        let a = experiments::assign(&app, "lift", &visitor(&id), true).unwrap();
        let rate = if a.variation == 1 { 5 } else { 10 };
        if i % rate == 0 {
            events.push(purchase(&format!("p{i}"), &id, T0 + DAY, 10_000 + (i % 13) * 1000));
        }
    }
    app::events::ingest(&app.store, events).unwrap();
    now.store(T0 + 2 * DAY, Ordering::SeqCst);
    let r = experiments::results(&app, "lift").unwrap();
    assert_eq!(r.arms.iter().map(|a| a.visitors).sum::<u64>(), 4000);
    assert!(r.sample_ratio.ok, "{:?}", r.sample_ratio);
    let primary = &r.metrics[0];
    assert_eq!(primary.metric, Metric::Conversion);
    let (a, b) = (&primary.arms[0], &primary.arms[1]);
    assert!((a.value.unwrap() - 0.10).abs() < 0.02 && (b.value.unwrap() - 0.20).abs() < 0.02, "{a:?} {b:?}");
    let c = &primary.comparisons[0];
    let lift = c.frequentist.expected.unwrap();
    assert!((lift - 1.0).abs() < 0.3, "relative lift about +100%: {lift}");
    assert!(c.frequentist.p_value.unwrap() < 1e-6 && c.sequential.ci.0.unwrap() > 0.0);
    assert!(c.bayesian.chance_to_win.unwrap() > 0.999);
    assert!(c.cuped.is_some(), "pre-exposure purchases give conversion a covariate");
    assert!(r.verdict[0].starts_with("B raised conversion by"), "{:?}", r.verdict);
    assert!(r.verdict[0].contains("safe to ship"), "{:?}", r.verdict);
}

#[test]
fn an_a_a_test_is_not_conclusive_and_says_how_many_more_visitors() {
    let now = Arc::new(AtomicI64::new(T0));
    let app = app_at(now.clone());
    experiments::create(&app, spec("aa", Target::HeroProduct, ["ring", "ring"])).unwrap();
    let mut events = Vec::new();
    for i in 0..600 {
        let id = format!("v{i}");
        experiments::assign(&app, "aa", &visitor(&id), true).unwrap();
        if i % 10 == 3 {
            events.push(purchase(&format!("p{i}"), &id, T0 + DAY, 20_000));
        }
    }
    app::events::ingest(&app.store, events).unwrap();
    now.store(T0 + 2 * DAY, Ordering::SeqCst);
    let r = experiments::results(&app, "aa").unwrap();
    let c = &r.metrics[0].comparisons[0];
    assert!(c.sequential.ci.0.unwrap() < 0.0 && c.sequential.ci.1.unwrap() > 0.0, "{c:?}");
    let more = r.more_visitors_per_arm.expect("a conversion metric can be planned");
    assert!(more > 10_000, "detecting 5% on a 10% rate takes tens of thousands per arm, got {more}");
    assert!(r.verdict[0].contains("not enough data yet"), "{:?}", r.verdict);
}

#[test]
fn results_before_anyone_is_exposed_say_what_to_do() {
    let app = app_at(Arc::new(AtomicI64::new(T0)));
    experiments::create(&app, spec("empty", Target::SearchRanking, ["learned", "catalog_only"])).unwrap();
    let r = experiments::results(&app, "empty").unwrap();
    assert!(r.verdict[0].contains("No visitor has been exposed yet"), "{:?}", r.verdict);
    assert!(r.sample_ratio.ok);
    assert_eq!(experiments::results(&app, "nope").unwrap_err().code, Code::NotFound);
}

/// One visitor's enormous order must not decide revenue per visitor: revenue is capped at the 99th
/// percentile of buyers, and the cap is stated with the formula.
#[test]
fn one_huge_order_is_capped_and_the_cap_is_stated() {
    let now = Arc::new(AtomicI64::new(T0));
    let app = app_at(now.clone());
    let mut s = spec("whale", Target::HeroProduct, ["ring", "pendant"]);
    s.metric = Metric::RevenuePerVisitor;
    s.guardrails = vec![];
    experiments::create(&app, s).unwrap();
    let mut events = Vec::new();
    let mut whale = None;
    for i in 0..3000 {
        let id = format!("v{i}");
        let a = experiments::assign(&app, "whale", &visitor(&id), true).unwrap();
        if i % 10 == 0 {
            events.push(purchase(&format!("p{i}"), &id, T0 + DAY, 30_000 + (i % 7) * 5_000));
        }
        if a.variation == 1 && whale.is_none() && i % 10 == 1 {
            whale = Some(id.clone());
            events.push(purchase(&format!("w{i}"), &id, T0 + DAY, 500_000_000));
        }
    }
    app::events::ingest(&app.store, events).unwrap();
    now.store(T0 + 2 * DAY, Ordering::SeqCst);
    let r = experiments::results(&app, "whale").unwrap();
    let m = &r.metrics[0];
    let cap = m.revenue_cap.expect("revenue is capped");
    assert!(cap <= 600.0, "the cap is a buyer's ordinary order, not the whale's: {cap}");
    assert!(m.formula.contains("capped"), "{}", m.formula);
    // Capped, B's mean stays close to A's: the whale adds at most one capped order.
    let (a, b) = (m.arms[0].value.unwrap(), m.arms[1].value.unwrap());
    assert!((b - a).abs() / a < 0.2, "A {a}, B {b}");
    assert!(r.verdict[0].contains("not conclusive"), "{:?}", r.verdict);
}

/// The visitors still needed are the sequential test's (the one the verdict reads): more than a
/// fixed-horizon test would need for the same effect.
#[test]
fn visitors_needed_are_planned_for_the_sequential_test() {
    let now = Arc::new(AtomicI64::new(T0));
    let app = app_at(now.clone());
    let mut s = spec("plan", Target::HeroProduct, ["ring", "pendant"]);
    s.minimum_effect = Some(0.10);
    experiments::create(&app, s).unwrap();
    let mut events = Vec::new();
    for i in 0..1000 {
        let id = format!("v{i}");
        experiments::assign(&app, "plan", &visitor(&id), true).unwrap();
        if i % 10 == 0 {
            events.push(purchase(&format!("p{i}"), &id, T0 + DAY, 20_000));
        }
    }
    app::events::ingest(&app.store, events).unwrap();
    now.store(T0 + 2 * DAY, Ordering::SeqCst);
    let r = experiments::results(&app, "plan").unwrap();
    let more = r.more_visitors_per_arm.unwrap();
    let have = r.arms.iter().map(|a| a.visitors).min().unwrap();
    let p = r.metrics[0].arms[0].value.unwrap();
    let fixed: ::experiments::stats::PowerInput = serde_json::from_value(json!({
        "metric": "proportion", "mean": p, "effect": 0.10, "n_total": 2.0 * (more + have) as f64, "variations": 2
    }))
    .unwrap();
    let power = ::experiments::stats::power(&fixed).unwrap();
    assert!(
        power > 0.9,
        "at the sequential plan's size a fixed test is over-powered ({power}); the plan is not the fixed one"
    );
    assert!(r.verdict[0].contains("for the sequential test"), "{:?}", r.verdict);
}
