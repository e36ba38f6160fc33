//! Autocomplete: query completions (past searches weighted by how often they
//! were searched, then lexicon phrases) and products whose title has a word
//! starting with what the shopper is typing.

use std::collections::HashSet;

use model::ProductId;

use crate::index::SearchIndex;
use crate::text::words;

#[derive(Clone, Debug, PartialEq)]
pub struct SuggestedProduct {
    pub product_id: ProductId,
    pub handle: String,
    pub title: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suggestions {
    pub queries: Vec<String>,
    pub products: Vec<SuggestedProduct>,
}

/// Products looked at for one suggestion request, at most.
const SCAN_LIMIT: usize = 5000;

impl SearchIndex {
    pub fn suggest(&self, prefix: &str, limit: usize) -> Suggestions {
        let limit = limit.clamp(1, 20);
        let clipped: String = prefix.chars().take(200).collect();
        let typed = words(&clipped);
        let Some(last) = typed.last() else { return Suggestions::default() };
        let head = typed[..typed.len() - 1].join(" ");
        let full = typed.join(" ");

        let mut queries: Vec<(f64, String)> = self.with_prefix(&full).map(|(q, w)| (*w, q.clone())).collect();
        // Complete the last word when the whole text has few completions.
        if queries.len() < limit && !head.is_empty() {
            for (q, w) in self.with_prefix(last) {
                let combined = format!("{head} {q}");
                queries.push((*w * 0.5, combined));
            }
        }
        queries.sort_by(|a, b| {
            b.0.total_cmp(&a.0).then_with(|| a.1.len().cmp(&b.1.len())).then_with(|| a.1.cmp(&b.1))
        });
        let mut seen = HashSet::new();
        let queries: Vec<String> = queries
            .into_iter()
            .map(|(_, q)| q)
            .filter(|q| *q != full && seen.insert(q.clone()))
            .take(limit)
            .collect();

        let start = self.title_words.partition_point(|(w, _)| w.as_str() < last.as_str());
        let mut docs: Vec<u32> = self.title_words[start..]
            .iter()
            .take_while(|(w, _)| w.starts_with(last.as_str()))
            .take(SCAN_LIMIT)
            .map(|(_, d)| *d)
            .collect();
        docs.sort_unstable();
        docs.dedup();
        let earlier = &typed[..typed.len() - 1];
        let mut products: Vec<&crate::index::Doc> = docs
            .into_iter()
            .map(|d| &self.docs[d as usize])
            .filter(|doc| {
                earlier.is_empty() || {
                    let tw = words(&doc.title);
                    earlier.iter().all(|e| tw.iter().any(|t| t.starts_with(e.as_str())))
                }
            })
            .collect();
        products.sort_by(|a, b| b.sales.total_cmp(&a.sales).then_with(|| a.title.cmp(&b.title)));
        let products = products
            .into_iter()
            .take(limit)
            .map(|d| SuggestedProduct { product_id: d.id, handle: d.handle.clone(), title: d.title.clone() })
            .collect();
        Suggestions { queries, products }
    }

    fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a (String, f64)> + 'a {
        let start = self.suggest_queries.partition_point(|(q, _)| q.as_str() < prefix);
        self.suggest_queries[start..].iter().take_while(move |(q, _)| q.starts_with(prefix)).take(200)
    }
}
