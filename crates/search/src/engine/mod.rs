//! Answering a search: understand the query, retrieve with tantivy and the
//! attribute bit sets, relax constraints that empty the results, rank with
//! named signals, apply merchandising rules, count facets.
//!
//! [`SearchIndex::search`] here runs those steps in order; `retrieve` turns
//! the understood query and the filters into document sets (and the free
//! words into tantivy scores), `score` ranks a document with its reasons,
//! and `phrase` words the reasons and relaxation messages.

mod phrase;
mod retrieve;
mod score;

use std::collections::HashMap;

use model::{Category, Money};

use crate::bitset::BitSet;
use crate::facets::count_facets;
use crate::index::SearchIndex;
use crate::request::{Hit, Reason, Relaxation, SearchRequest, SearchResponse, Sort, MAX_LIMIT};
use crate::rules::RuleAction;
use crate::text::norm_words;
use crate::understand::{understand, Understood};
use crate::Result;

use phrase::fmt_price;

/// The kinds of hard constraint, in the order they are relaxed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Karat,
    Origin,
    Price,
    Size,
    Length,
    Color,
    Stone,
    Metal,
    Text,
    Category,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Price => "price",
            Kind::Size => "size",
            Kind::Length => "length",
            Kind::Karat => "karat",
            Kind::Origin => "origin",
            Kind::Color => "color",
            Kind::Stone => "stone",
            Kind::Metal => "metal",
            Kind::Text => "text",
            Kind::Category => "category",
        }
    }
}

/// One hard constraint with the documents that meet it.
pub(crate) struct Constraint {
    pub kind: Kind,
    pub set: BitSet,
    /// What the shopper asked, for messages (`rose gold`, `under $100`).
    pub asked: String,
    /// The reason shown on hits that meet it (`matches 18k yellow gold`).
    pub reason: String,
}

impl SearchIndex {
    /// Runs a search. Bad input never panics: a hostile query becomes a
    /// sane search; only bad filters (already checked when parsed) and
    /// internal index errors are errors.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
        self.search_with_rules(req, &self.rules())
    }

    /// Runs a search with `rules` in place of the index's own: how a
    /// merchandiser previews a rule before saving it.
    pub fn search_with_rules(&self, req: &SearchRequest, rules: &[crate::Rule]) -> Result<SearchResponse> {
        let n = self.docs.len();
        let known = |w: &str| self.vocab.contains(w);
        let mut u = understand(&req.query, &self.lex, &known);
        let limit = req.limit.min(MAX_LIMIT);
        let qwords = norm_words(&req.query.chars().take(crate::MAX_QUERY_CHARS).collect::<String>());

        // An exact SKU or handle goes straight to its product.
        let trimmed = req.query.trim().to_lowercase();
        let exact =
            self.sku_to_doc.get(&trimmed).or_else(|| self.handle_to_doc.get(req.query.trim())).copied();

        let text = if exact.is_none() { self.text_match(&mut u)? } else { None };
        let mut constraints = match exact {
            Some(d) => {
                let mut set = BitSet::empty(n);
                set.insert(d as usize);
                u = Understood { terms: vec![trimmed.clone()], ..Understood::default() };
                vec![Constraint {
                    kind: Kind::Text,
                    set,
                    asked: trimmed.clone(),
                    reason: format!("sku or handle {trimmed}"),
                }]
            }
            None => self.constraints(&u, text.as_ref()),
        };

        let filter_sets = self.filter_sets(&req.filters);
        let mut filtered = self.all.clone();
        for (_, s) in &filter_sets {
            filtered.and_with(s);
        }

        // Rules for this search.
        let categories: Vec<Category> = u
            .category
            .as_ref()
            .map(|c| c.value.clone())
            .unwrap_or_default()
            .into_iter()
            .chain(req.filters.category.iter().copied())
            .collect();
        let active: Vec<&crate::Rule> =
            rules.iter().filter(|r| r.applies(&qwords, &categories, req.now)).collect();
        let mut hidden = BitSet::empty(n);
        // Per document, the points of each boost or bury rule, kept apart so
        // that each rule's reason says what that rule did.
        let mut rule_points: HashMap<u32, Vec<(f32, String)>> = HashMap::new();
        let mut pins: Vec<(u32, String)> = Vec::new();
        for r in &active {
            for h in &r.products {
                let Some(&d) = self.handle_to_doc.get(h) else { continue };
                match r.action {
                    RuleAction::Hide => hidden.insert(d as usize),
                    RuleAction::Pin => {
                        if !pins.iter().any(|(p, _)| *p == d) {
                            pins.push((d, r.id.clone()));
                        }
                    }
                    RuleAction::Boost(x) | RuleAction::Bury(x) => {
                        let x = if matches!(r.action, RuleAction::Bury(_)) { -x } else { x };
                        let points = rule_points.entry(d).or_default();
                        match points.iter_mut().find(|(_, id)| *id == r.id) {
                            Some(p) => p.0 += x,
                            None => points.push((x, r.id.clone())),
                        }
                    }
                }
            }
        }
        let mut visible = filtered.clone();
        visible.and_not_with(&hidden);

        // Relax step by step until something matches.
        let mut relaxed = Vec::new();
        let mut widened = false;
        let mut cand;
        loop {
            cand = visible.clone();
            for c in &constraints {
                cand.and_with(&c.set);
            }
            if !cand.is_empty() || constraints.is_empty() {
                break;
            }
            let pos =
                constraints.iter().enumerate().min_by_key(|(_, c)| c.kind as u8).map(|(i, _)| i).unwrap_or(0);
            let what = phrase::describe(&constraints);
            let c = &constraints[pos];
            if c.kind == Kind::Price && !widened {
                widened = true;
                if u.price.is_some() {
                    let (lo, hi) = self.price_bounds(&u);
                    let (lo2, hi2) = (lo.map(|x| x / 1.5), hi.map(|x| x * 1.5));
                    let set = self.price_set(lo2, hi2);
                    let cur = self.currency;
                    let shown = match (lo2, hi2) {
                        (Some(a), Some(b)) => format!("{} to {}", fmt_price(a, cur), fmt_price(b, cur)),
                        (None, Some(b)) => format!("up to {}", fmt_price(b, cur)),
                        (Some(a), None) => format!("from {}", fmt_price(a, cur)),
                        (None, None) => "any price".into(),
                    };
                    relaxed.push(Relaxation {
                        constraint: "price",
                        detail: format!("no {what}; showing {shown}"),
                    });
                    constraints[pos] = Constraint {
                        kind: Kind::Price,
                        set,
                        asked: shown.clone(),
                        reason: format!("price {shown} (widened)"),
                    };
                    continue;
                }
            }
            let removed = constraints.remove(pos);
            let detail = match removed.kind {
                Kind::Text => format!("nothing matches {what}; showing results without {}", removed.asked),
                Kind::Price => format!("no {what}; showing them at any price"),
                _ => format!(
                    "no {what}; showing results in any {} instead of {}",
                    removed.kind.as_str().replace('_', " "),
                    removed.asked
                ),
            };
            relaxed.push(Relaxation { constraint: removed.kind.as_str(), detail });
        }
        if cand.is_empty() {
            // Nothing matched even with every constraint dropped (an empty
            // catalog): "showing results in any metal" would be false.
            relaxed.clear();
        }

        // Facets count within the query's matches, each field under the
        // other fields' selections only.
        let mut base = self.all.clone();
        for c in &constraints {
            base.and_with(&c.set);
        }
        base.and_not_with(&hidden);
        let (facets, price_range) = count_facets(self, &base, &filter_sets, &req.filters);

        // Pinned products lead when sorting by relevance.
        let pin_docs: Vec<(u32, String)> = if req.sort == Sort::Relevance { pins } else { Vec::new() };
        let mut ranked: Vec<(f32, u32)> = Vec::with_capacity(cand.count());
        let ctx = self.score_context(&u, &req.query, text.as_ref(), &constraints, req.ranking);
        for d in cand.iter() {
            let d = d as u32;
            if pin_docs.iter().any(|(p, _)| *p == d) {
                continue;
            }
            let di = d as usize;
            let price = self.cols.min_price[di];
            let key = match req.sort {
                Sort::Relevance => self.score(&ctx, d, &rule_points, None),
                Sort::PriceAsc => {
                    if price.is_nan() {
                        -1e11
                    } else {
                        -price
                    }
                }
                Sort::PriceDesc => {
                    if price.is_nan() {
                        -1.0
                    } else {
                        price
                    }
                }
                Sort::Newest => self.cols.created_at[di] as f32,
                Sort::BestSelling => self.cols.sales[di],
            };
            // Out of stock sinks in every order, but stays visible.
            let key =
                if req.sort == Sort::Relevance || self.in_stock.contains(di) { key } else { key - 1e12 };
            ranked.push((key, d));
        }
        let total = ranked.len() + pin_docs.len();
        let want = (req.offset + limit).saturating_sub(pin_docs.len()).min(ranked.len());
        let cmp = |a: &(f32, u32), b: &(f32, u32)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if want > 0 && want < ranked.len() {
            ranked.select_nth_unstable_by(want - 1, cmp);
            ranked.truncate(want);
        }
        ranked.sort_by(cmp);
        let order: Vec<(u32, Option<String>)> = pin_docs
            .into_iter()
            .map(|(d, r)| (d, Some(r)))
            .chain(ranked.into_iter().map(|(_, d)| (d, None)))
            .collect();

        let hits = order
            .into_iter()
            .skip(req.offset)
            .take(limit)
            .map(|(d, pin)| {
                let mut why = Vec::new();
                let score = self.score(&ctx, d, &rule_points, Some(&mut why));
                let mut score = score;
                if let Some(rule) = pin {
                    why.insert(
                        0,
                        Reason {
                            signal: "rule",
                            detail: format!("pinned by rule '{rule}'"),
                            contribution: 0.0,
                        },
                    );
                    score += 100.0;
                }
                let doc = &self.docs[d as usize];
                let v = self.best_variant(doc, &u);
                Hit {
                    product_id: doc.id,
                    handle: doc.handle.clone(),
                    title: doc.title.clone(),
                    score,
                    price: v.and_then(|v| v.price).map(|p| Money::from_major(p, doc.currency)),
                    variant_sku: v.map(|v| v.sku.clone()).filter(|s| !s.trim().is_empty()),
                    why,
                }
            })
            .collect();

        Ok(SearchResponse {
            understood: u,
            relaxed,
            total,
            hits,
            facets,
            price_range,
            currency: self.currency,
        })
    }
}
