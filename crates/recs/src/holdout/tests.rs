//! The holdout split: which customers and products each window scores, the
//! metrics on hand-counted cases, the baselines' order, and that nothing at
//! or after the holdout start can change what validation chooses.

use model::{LineKind, OrderLine};

use super::{favourites_then_popular, holdout, popular, score, truth, HoldoutConfig, Truth};
use crate::{minimal_products, Recommender, TrainConfig};

const DAY: i64 = 86_400;
const T0: i64 = 1_600_000_000;

fn line(order: &str, customer: &str, sku: &str, day: i64, quantity: i64) -> OrderLine {
    OrderLine {
        order_id: order.into(),
        line_no: 0,
        ordered_at: T0 + day * DAY,
        customer_id: Some(customer.into()),
        sku: sku.into(),
        title: None,
        quantity,
        unit_price: None,
        country: None,
        kind: if quantity > 0 { LineKind::Sale } else { LineKind::Return },
    }
}

/// SKUs are their product ids, so truths read as numbers.
fn resolve(s: &str) -> Option<u64> {
    s.parse().ok()
}

#[track_caller]
fn check_truth(
    lines: &[OrderLine],
    from_day: i64,
    to_day: i64,
    expect: &[(&str, &[(u64, bool)])],
    cold: usize,
) {
    let t = truth(lines, resolve, T0 + from_day * DAY, T0 + to_day * DAY, None);
    let got: Vec<(&str, &[(u64, bool)])> =
        t.customers.iter().map(String::as_str).zip(t.items.iter().map(Vec::as_slice)).collect();
    assert_eq!(got, expect);
    assert_eq!(t.cold, cold);
}

#[test]
fn truth_scores_returning_customers_inside_the_window_and_flags_new_products() {
    let lines = [
        line("1", "a", "10", 0, 1),
        line("2", "a", "10", 20, 1), // rebought: not new
        line("2", "a", "11", 20, 1), // new to a
        line("3", "b", "12", 21, 1), // b never bought before: cold
        line("4", "c", "10", 5, 1),
        line("5", "c", "13", 10, 1),  // exactly at the start: inside
        line("6", "c", "14", 30, 1),  // exactly at the end: outside
        line("7", "c", "15", 25, -1), // a return is no purchase
        line("8", "d", "10", 1, 1),   // bought before only: not scored
    ];
    check_truth(&lines, 10, 30, &[("a", &[(10, false), (11, true)]), ("c", &[(13, true)])], 1);
    // A later window: c's purchase at day 10 now counts as before; b's first
    // purchase falls inside it, so b is cold.
    check_truth(&lines, 21, 40, &[("c", &[(14, true)])], 1);
}

#[test]
fn metrics_count_all_and_new_items_on_the_same_list() {
    let t = Truth {
        customers: vec!["a".into(), "b".into()],
        items: vec![vec![(1, false), (2, true)], vec![(3, false)]],
        ..Truth::default()
    };
    // a: hit 1 at rank 1 (old) and 2 at rank 3 (new); b: no hit.
    let s = score(&t, &[vec![1, 9, 2], vec![8, 7]], 20);
    let ndcg_a = (1.0 + 1.0 / 4f64.log2()) / (1.0 + 1.0 / 3f64.log2());
    assert!((s.recall - 0.5).abs() < 1e-12, "{s:?}");
    assert!((s.ndcg - ndcg_a / 2.0).abs() < 1e-12, "{s:?}");
    // Only a has a new item: recall 1, NDCG 1/log2(4).
    assert_eq!((s.customers, s.customers_new), (2, 1));
    assert!((s.recall_new - 1.0).abs() < 1e-12, "{s:?}");
    assert!((s.ndcg_new - 0.5).abs() < 1e-12, "{s:?}");
    // Past k nothing counts.
    assert_eq!(score(&t, &[vec![9, 1, 2], vec![3]], 1).recall, 0.5);
}

fn trained(lines: &[OrderLine], now: i64) -> Recommender {
    let products = minimal_products(lines, &[]);
    Recommender::train(&products, lines, &[], &TrainConfig::at(now))
}

#[test]
fn popularity_counts_only_the_last_days() {
    let mut lines = vec![];
    for d in 0..5 {
        lines.push(line(&format!("o{d}"), "x", "old", d, 1)); // 5 sales, all > 90 days before
    }
    for d in 150..153 {
        lines.push(line(&format!("n{d}"), "y", "recent", d, 1));
    }
    lines.push(line("z", "y", "once", 160, 1));
    let cut = T0 + 170 * DAY;
    let rec = trained(&lines, cut);
    let id = |s: &str| rec.resolve_product(s).unwrap();
    assert_eq!(popular(&rec, &lines, cut, 90), vec![id("recent"), id("once")]);
}

#[test]
fn favourites_come_first_by_orders_then_recency_then_popular_not_bought() {
    let mut lines = vec![
        line("1", "a", "ring", 0, 1),
        line("2", "a", "ring", 10, 1),
        line("3", "a", "chain", 12, 1),
        line("4", "a", "stud", 5, 1),
    ];
    for d in 0..4 {
        lines.push(line(&format!("p{d}"), "b", "hoop", 20 + d, 1));
        lines.push(line(&format!("q{d}"), "b", "chain", 20 + d, 1));
    }
    lines.push(line("z", "a", "bangle", 40, 1));
    let cut = T0 + 30 * DAY;
    let rec = trained(&lines, cut);
    let t = truth(&lines, |s| rec.resolve_product(s), cut, T0 + 50 * DAY, None);
    assert_eq!(t.customers, vec!["a".to_string()]);
    let id = |s: &str| rec.resolve_product(s).unwrap();
    let lists = favourites_then_popular(&rec, &lines, &t, 90, 4);
    // ring (2 orders), chain (day 12), stud (day 5), then hoop: the popular
    // product a has not bought (chain is more popular but already listed).
    assert_eq!(lists, vec![vec![id("ring"), id("chain"), id("stud"), id("hoop")]]);
}

/// A small shop: customers in four taste groups buying from their group's
/// products, with repeats, over 400 days. `salt` changes who buys what
/// from day `from_day` on.
fn shop(salt: u64, from_day: i64) -> Vec<OrderLine> {
    let mut x: u64 = 42;
    let mut next = |m: u64| {
        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (x >> 33) % m
    };
    let mut lines = vec![];
    for day in 0..400i64 {
        if day == from_day {
            // Reseed: everything from here on depends on the salt.
            for _ in 0..salt {
                next(7);
            }
        }
        for o in 0..3 {
            let c = next(60);
            let group = c % 4;
            let n = 1 + next(3);
            for _ in 0..n {
                let p = if next(5) == 0 { next(40) } else { group * 10 + next(10) };
                lines.push(line(&format!("{day}-{o}"), &format!("c{c}"), &format!("{p}"), day, 1));
            }
        }
    }
    lines
}

#[test]
fn holdout_orders_do_not_change_the_chosen_weights() {
    let (val, hold) = (300, 350);
    let cfg =
        HoldoutConfig { tuning_passes: 1, ..HoldoutConfig::new(T0 + val * DAY, T0 + hold * DAY, i64::MAX) };
    let run = |lines: &[OrderLine]| {
        let products = minimal_products(lines, &[]);
        holdout(&products, lines, &[], &cfg)
    };
    let a = run(&shop(0, hold));
    let b = run(&shop(3, hold));
    let mut c = shop(0, hold);
    c.retain(|l| l.ordered_at < T0 + hold * DAY);
    let c = run(&c);
    // The shops differ from the holdout on (and only there).
    assert_ne!(a.holdout.items, b.holdout.items);
    assert!(c.holdout.customers.is_empty());
    assert!(a.validation.customers.len() > 20, "{}", a.validation.customers.len());
    assert!(a.trials.len() > 10);
    for other in [&b, &c] {
        assert_eq!(a.validation, other.validation);
        assert_eq!(a.chosen, other.chosen);
        assert_eq!(a.half_life_days, other.half_life_days);
        assert_eq!(a.trials, other.trials);
        for (x, y) in a.methods.iter().zip(&other.methods) {
            assert_eq!((&x.name, x.validation), (&y.name, y.validation));
        }
    }
    assert_ne!(a.methods[0].holdout, b.methods[0].holdout);
    // Tuning never does worse on validation than the deployed blend.
    let deployed = a.trials[0].scores.objective();
    let best = a.trials.iter().map(|t| t.scores.objective()).fold(0.0, f64::max);
    assert!(a.methods[0].validation.objective() >= deployed);
    assert_eq!(a.methods[0].validation.objective(), best);
}

/// The repeat signal follows each customer's own habit (issue 13: whether
/// customers rebuy should follow the data): with only the repeat model on,
/// a customer who bought everything twice scores their own products above
/// one who never bought anything twice, and switching the scaling off makes
/// them equal.
#[test]
fn repeat_signal_scales_with_the_customers_own_rebuying() {
    let lines = [
        line("1", "restocker", "10", 0, 1),
        line("1", "restocker", "11", 0, 1),
        line("2", "restocker", "10", 5, 1),
        line("2", "restocker", "11", 5, 1),
        line("3", "browser", "12", 0, 1),
        line("4", "browser", "13", 5, 1),
    ];
    let products = minimal_products(&lines, &[]);
    let only_repeat = crate::Weights { rules: false, ..crate::Weights::only(crate::Model::Repeat) };
    let top = |cfg: &TrainConfig, c: &str| {
        let rec = Recommender::train(&products, &lines, &[], cfg);
        let req = crate::Request::new(crate::Context::Customer(c.into()), 1);
        rec.recommend_with(&req, Some(&only_repeat))[0].score
    };
    let on = TrainConfig::at(T0 + 10 * DAY);
    let (r, b) = (top(&on, "restocker"), top(&on, "browser"));
    assert!(r > 1.0 && b < 1.0, "restocker {r}, browser {b}");
    let off = TrainConfig { rebuy_by_customer: false, ..on };
    let (r, b) = (top(&off, "restocker"), top(&off, "browser"));
    assert!((r - b).abs() < 1e-3, "restocker {r}, browser {b}");
}
