//! Merchandising rules: pin, boost, bury or hide products for a query or a
//! category, optionally within a date window. The integration persists them
//! (as JSON documents in the store's `rules` collection); the engine only
//! applies them.

use model::Category;

use crate::text::norm_words;

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Stable id, also the name shown in reasons (`pinned by rule 'valentines-hero'`).
    pub id: String,
    pub action: RuleAction,
    /// Product handles the rule acts on; pins keep this order.
    pub products: Vec<String>,
    /// Applies when every word of this query is in the shopper's query
    /// (normalized: `Rings` matches `ring`). `None`: any query.
    pub query: Option<String>,
    /// Applies when the search is in this category (understood or filtered).
    pub category: Option<Category>,
    /// Unix seconds; the rule is active from `starts_at` until before `ends_at`.
    pub starts_at: Option<i64>,
    pub ends_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RuleAction {
    /// Put the products first, in the rule's order.
    Pin,
    /// Add this many points to the score.
    Boost(f32),
    /// Take this many points off the score.
    Bury(f32),
    /// Remove the products from the results.
    Hide,
}

impl RuleAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleAction::Pin => "pin",
            RuleAction::Boost(_) => "boost",
            RuleAction::Bury(_) => "bury",
            RuleAction::Hide => "hide",
        }
    }
}

impl Rule {
    /// Whether the rule applies to a search with these normalized query words
    /// and categories at `now` (Unix seconds).
    pub(crate) fn applies(&self, query_words: &[String], categories: &[Category], now: i64) -> bool {
        if self.starts_at.is_some_and(|s| now < s) || self.ends_at.is_some_and(|e| now >= e) {
            return false;
        }
        if let Some(q) = &self.query {
            let want = norm_words(q);
            if want.is_empty() || !want.iter().all(|w| query_words.contains(w)) {
                return false;
            }
        }
        if let Some(c) = self.category {
            if !categories.contains(&c) {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_and_window() {
        let rule = Rule {
            id: "valentines-hero".into(),
            action: RuleAction::Pin,
            products: vec!["a".into()],
            query: Some("Rings".into()),
            category: None,
            starts_at: Some(100),
            ends_at: Some(200),
        };
        let words = norm_words("ruby ring");
        assert!(rule.applies(&words, &[], 150));
        assert!(!rule.applies(&words, &[], 200));
        assert!(!rule.applies(&words, &[], 99));
        assert!(!rule.applies(&norm_words("necklace"), &[], 150));
        let cat = Rule { query: None, category: Some(Category::Ring), ..rule };
        assert!(cat.applies(&[], &[Category::Ring], 150));
        assert!(!cat.applies(&[], &[Category::Necklace], 150));
    }
}
