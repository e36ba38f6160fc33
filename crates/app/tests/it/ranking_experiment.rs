//! The search-ranking experiment study (`examples/ranking_experiment`) on a tiny simulated brand:
//! the true effect is what the shopper model makes of the pages, the simulated visitors behave as
//! that model says, and one experiment's results count exactly the exposures and outcomes fed in.

#[allow(dead_code)]
#[path = "../../examples/ranking_experiment/study.rs"]
mod study;

use study::{Appeal, Shopper, Shown};

fn shown(relevant: bool) -> Shown {
    Shown { handle: "h".into(), relevant, price_minor: 10_000, appeal: 0.25 }
}

#[track_caller]
fn check_conversion(page: &[bool], expect: f64) {
    let page: Vec<Shown> = page.iter().map(|r| shown(*r)).collect();
    let got = Shopper::default().conversion(&page);
    assert!((got - expect).abs() < 1e-12, "{page:?}: {got} != {expect}");
}

#[test]
fn a_page_converts_by_its_relevant_positions_only() {
    let s = Shopper::default();
    let buy = |k: usize| s.click(k) * s.cart * s.buy;
    assert!((s.click(0) - 0.35).abs() < 1e-12);
    assert!((s.click(3) - 0.35 / 4f64.powf(0.7)).abs() < 1e-12);
    check_conversion(&[], 0.0);
    check_conversion(&[false; 10], 0.0);
    check_conversion(&[true], buy(0));
    check_conversion(&[false, true], buy(1));
    check_conversion(&[true, false, true], 1.0 - (1.0 - buy(0)) * (1.0 - buy(2)));
    let all: f64 = (0..10).map(|k| 1.0 - buy(k)).product();
    check_conversion(&[true; 10], 1.0 - all);
    // Bought by popularity, a product of appeal 0.25 is bought half as often as the flat rate.
    let by_popularity = Shopper { appeal: Appeal::Popularity, ..s };
    assert!((by_popularity.buy(&shown(true)) - 0.25).abs() < 1e-12);
    let p = by_popularity.conversion(&[shown(true), shown(false), shown(true)]);
    let expect = 1.0 - (1.0 - s.click(0) * s.cart * 0.25) * (1.0 - s.click(2) * s.cart * 0.25);
    assert!((p - expect).abs() < 1e-12, "{p} != {expect}");
}

fn tiny() -> sim::SimConfig {
    sim::SimConfig { seed: 7, products: 150, customers: 400, days: 240, ..sim::SimConfig::default() }
}

#[test]
fn one_experiment_counts_what_was_fed_and_the_truth_is_the_pages_mean() {
    let dir = tempfile::tempdir().unwrap();
    let brand = study::build(&tiny(), dir.path(), None).unwrap();
    assert!(brand.queries.len() > 20, "the tiny brand's shoppers searched: {}", brand.queries.len());
    assert!((brand.stats.searches_covered - 1.0).abs() < 1e-12);

    // The truth is the query-weighted mean of each page's exact conversion.
    let shopper = Shopper::default();
    let truth = brand.truth(&shopper);
    let total: f64 = brand.queries.iter().map(|q| q.weight).sum();
    for arm in 0..2 {
        let by_hand: f64 =
            brand.queries.iter().map(|q| q.weight * shopper.conversion(&q.pages[arm])).sum::<f64>() / total;
        assert!((truth.conversion[arm] - by_hand).abs() < 1e-12);
        assert!(truth.conversion[arm] > 0.0, "some results are relevant");
    }
    assert!((truth.conversion_lift - (truth.conversion[1] / truth.conversion[0] - 1.0)).abs() < 1e-12);

    let visitors = 4_000;
    let cfg =
        study::RunConfig { key: "ranking-test".into(), visitors, seed: 3, starts_at: study::start_of(0) };
    let run = study::run(&brand, &shopper, &cfg).unwrap();
    // Every visitor was exposed once, in the arm assign gave them, and the read-out counts them all.
    assert_eq!(run.assigned.iter().sum::<u64>(), visitors as u64);
    assert_eq!(run.exposed, run.assigned);
    assert!(run.assigned.iter().all(|n| *n > 1_800), "{:?}", run.assigned);
    assert!(run.srm_p.is_some_and(|p| p > 0.001), "{:?}", run.srm_p);
    // Every purchase and cart fed in was accepted, and the conversion metric counts exactly the buyers.
    assert!(run.events_sent > 0);
    assert_eq!(run.events_accepted, run.events_sent);
    let metric: Vec<(u64, u64)> = run.metric_arms.iter().map(|(n, b)| (*n, *b as u64)).collect();
    let fed: Vec<(u64, u64)> = run.assigned.iter().copied().zip(run.converted.iter().copied()).collect();
    assert_eq!(metric, fed);
    // The visitors behaved as the model says: each arm's observed conversion is within 4.5 standard
    // errors of its true rate.
    for arm in 0..2 {
        let (n, p) = (run.assigned[arm] as f64, truth.conversion[arm]);
        let observed = run.converted[arm] as f64 / n;
        let se = (p * (1.0 - p) / n).sqrt();
        assert!((observed - p).abs() < 4.5 * se, "arm {arm}: observed {observed}, true {p}, se {se}");
    }
    let f = &run.frequentist;
    assert!(f.error.is_none() && f.expected.is_some() && f.ci.0.is_some() && f.ci.1.is_some(), "{f:?}");
    let observed_lift = (run.converted[1] as f64 / run.assigned[1] as f64)
        / (run.converted[0] as f64 / run.assigned[0] as f64)
        - 1.0;
    assert!((f.expected.unwrap() - observed_lift).abs() < 1e-9, "{f:?} vs {observed_lift}");
    assert!(!run.verdict.is_empty());
}
