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
