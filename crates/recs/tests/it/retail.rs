//! The blend against popularity on the real online-retail orders (UCI,
//! 2010-12 to 2011-09), split on 2011-08-01. Reads
//! `../shared/datasets/online-retail-2010-12-to-2011-09.csv` and skips with
//! a note when it is absent. Slow in debug builds: set `LOUPE_SLOW_TESTS=1`.

use recs::eval::{evaluate, EvalConfig};

const FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets/online-retail-2010-12-to-2011-09.csv");

#[test]
fn blend_beats_popularity_on_online_retail() {
    if std::env::var("LOUPE_SLOW_TESTS").as_deref() != Ok("1") {
        eprintln!("skipped: set LOUPE_SLOW_TESTS=1 (trains on 300k real order lines)");
        return;
    }
    let Some(lines) = crate::online_retail::load(FILE) else {
        eprintln!("skipped: {FILE} not found");
        return;
    };
    let products = recs::minimal_products(&lines, &[]);
    let split = chrono::NaiveDate::from_ymd_opt(2011, 8, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let mut cfg = EvalConfig::new(split, vec![20]);
    cfg.max_customers = Some(600);
    let report = evaluate(&products, &lines, &[], &cfg);
    let pop = report.recall("popularity", 20).unwrap();
    let blend = report.recall("blend", 20).unwrap();
    eprintln!("recall@20: popularity {pop:.4}, blend {blend:.4} over {} customers", report.customers);
    assert!(report.customers >= 500);
    assert!(blend >= 2.0 * pop, "blend {blend:.4} is not twice popularity {pop:.4}");
}
