//! Merchandising rules: pin, boost, bury and hide, scoped and dated.

use model::Category;
use search::{Rule, RuleAction, SearchRequest};

use crate::fixture::{handles, index};

fn rule(id: &str, action: RuleAction, products: &[&str], query: Option<&str>) -> Rule {
    Rule {
        id: id.into(),
        action,
        products: products.iter().map(|s| s.to_string()).collect(),
        query: query.map(str::to_string),
        category: None,
        starts_at: None,
        ends_at: None,
    }
}

#[test]
fn pin_boost_bury_hide() {
    let idx = index();
    let base = handles(&idx.search(&SearchRequest::new("earrings")).unwrap())
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<_>>();
    assert_ne!(base[0], "pearl-studs");

    idx.set_rules(vec![Rule {
        starts_at: Some(100),
        ends_at: Some(200),
        ..rule("valentines-hero", RuleAction::Pin, &["tennis-bracelet"], Some("earring"))
    }]);
    let mut req = SearchRequest::new("earrings");
    req.now = 150;
    let r = idx.search(&req).unwrap();
    assert_eq!(r.hits[0].handle, "tennis-bracelet");
    assert_eq!(r.hits[0].why[0].detail, "pinned by rule 'valentines-hero'");
    assert_eq!(r.total, 6);
    req.now = 250;
    assert_eq!(idx.search(&req).unwrap().hits[0].handle, base[0], "expired rules do nothing");

    idx.set_rules(vec![rule("pearls-up", RuleAction::Boost(10.0), &["pearl-studs"], None)]);
    let r = idx.search(&req).unwrap();
    assert_eq!(r.hits[0].handle, "pearl-studs");
    assert!(r.hits[0].why.iter().any(|w| w.detail == "boosted by rule 'pearls-up'"));

    idx.set_rules(vec![rule("bury", RuleAction::Bury(10.0), &[&base[0]], Some("earrings"))]);
    assert_eq!(handles(&idx.search(&req).unwrap()).last().copied(), Some(base[0].as_str()));

    idx.set_rules(vec![Rule {
        category: Some(Category::Earrings),
        ..rule("hide", RuleAction::Hide, &["gold-hoops"], None)
    }]);
    let r = idx.search(&req).unwrap();
    assert!(!handles(&r).contains(&"gold-hoops"));
    assert_eq!(r.total, 4);
    // The rule is scoped to earrings: a search with no category still shows the piece.
    assert!(handles(&idx.search(&SearchRequest::new("gold")).unwrap()).contains(&"gold-hoops"));
}

// A pinned product said "stone: matches diamond" though it has no stone: the
// query's constraint reasons were given to it whether it met them or not.
#[test]
fn a_pinned_product_only_gets_reasons_it_meets() {
    let idx = index();
    idx.set_rules(vec![rule("t2", RuleAction::Pin, &["stacking-band-thin"], Some("diamond ring"))]);
    let r = idx.search(&SearchRequest::new("white gold diamond ring")).unwrap();
    let hit = &r.hits[0];
    assert_eq!(hit.handle, "stacking-band-thin");
    let why: Vec<(&str, &str)> = hit.why.iter().map(|w| (w.signal, w.detail.as_str())).collect();
    // A 14k yellow and rose gold ring without stones: pinned, gold and a
    // ring, but neither white nor set with a diamond.
    assert_eq!(
        why,
        [("rule", "pinned by rule 't2'"), ("metal", "matches 14k yellow gold"), ("category", "is a ring")]
    );
    assert_eq!(hit.why[1].contribution, 1.0, "gold alone, not gold and white: {:?}", hit.why);
    // The products that match keep every reason.
    let eternity = r.hits.iter().find(|h| h.handle == "eternity-band").unwrap();
    assert!(eternity.why.iter().any(|w| w.signal == "stone" && w.detail == "matches diamond"));
    assert!(eternity.why.iter().any(|w| w.signal == "metal" && w.detail == "matches 18k white gold"));
}

// Two rules on one product were summed under the first rule's name: a bury
// rule was shown as "boosted by rule 'bury'" when a larger boost followed it.
#[test]
fn each_rule_on_a_product_speaks_for_itself() {
    let idx = index();
    idx.set_rules(vec![
        rule("quiet", RuleAction::Bury(2.0), &["pearl-studs"], None),
        rule("hero", RuleAction::Boost(3.0), &["pearl-studs"], None),
    ]);
    let r = idx.search(&SearchRequest::new("earrings")).unwrap();
    let hit = r.hits.iter().find(|h| h.handle == "pearl-studs").unwrap();
    let rules: Vec<(&str, f32)> =
        hit.why.iter().filter(|w| w.signal == "rule").map(|w| (w.detail.as_str(), w.contribution)).collect();
    assert_eq!(rules, [("buried by rule 'quiet'", -2.0), ("boosted by rule 'hero'", 3.0)]);
}
