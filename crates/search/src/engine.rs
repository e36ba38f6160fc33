//! Answering a search: understand the query, retrieve with tantivy and the
//! attribute bit sets, relax constraints that empty the results, rank with
//! named signals, apply merchandising rules, count facets.

use std::collections::HashMap;

use model::{Category, Currency, Gender, Money};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::behaviour::query_key;
use crate::bitset::BitSet;
use crate::facets::count_facets;
use crate::index::{Doc, SearchIndex};
use crate::lexicon::PriceWord;
use crate::request::{Hit, Reason, Relaxation, SearchRequest, SearchResponse, Sort, MAX_LIMIT};
use crate::rules::RuleAction;
use crate::text::{allowed_edits, norm_words};
use crate::understand::{understand, Understood};
use crate::{Error, Result};

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

/// Collects every matching document's ordinal and score.
struct AllScores;

struct SegmentScores {
    ords: tantivy::columnar::Column<u64>,
    out: Vec<(u32, f32)>,
}

impl Collector for AllScores {
    type Fruit = Vec<(u32, f32)>;
    type Child = SegmentScores;

    fn for_segment(&self, _: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentScores> {
        Ok(SegmentScores { ords: segment.fast_fields().u64("ord")?, out: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(u32, f32)>>) -> tantivy::Result<Vec<(u32, f32)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentScores {
    type Fruit = Vec<(u32, f32)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(ord) = self.ords.first(doc) {
            self.out.push((ord as u32, score));
        }
    }

    fn harvest(self) -> Vec<(u32, f32)> {
        self.out
    }
}

pub(crate) fn fmt_price(v: f64, c: Currency) -> String {
    let rounded = if v >= 100.0 {
        format!("{:.0}", v)
    } else {
        format!("{:.2}", v).trim_end_matches(".00").to_string()
    };
    match c.as_str() {
        "USD" => format!("${rounded}"),
        "EUR" => format!("€{rounded}"),
        "GBP" => format!("£{rounded}"),
        "INR" => format!("₹{rounded}"),
        code => format!("{rounded} {code}"),
    }
}

struct TextMatch {
    /// Score per document (0 for no match).
    scores: Vec<f32>,
    set: BitSet,
    max: f32,
    terms: Vec<String>,
}

impl SearchIndex {
    /// Runs a search. Bad input never panics: a hostile query becomes a
    /// sane search; only bad filters (already checked when parsed) and
    /// internal index errors are errors.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse> {
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
        let rules = self.rules();
        let active: Vec<&crate::Rule> =
            rules.iter().filter(|r| r.applies(&qwords, &categories, req.now)).collect();
        let mut hidden = BitSet::empty(n);
        let mut rule_points: HashMap<u32, (f32, String)> = HashMap::new();
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
                    RuleAction::Boost(x) => rule_points.entry(d).or_insert((0.0, r.id.clone())).0 += x,
                    RuleAction::Bury(x) => rule_points.entry(d).or_insert((0.0, r.id.clone())).0 -= x,
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
            let what = describe(&constraints);
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
        let ctx = self.score_context(&u, &req.query, text.as_ref(), &constraints);
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

    /// Runs the free words through tantivy. Words no product has are tried
    /// as typos (one edit from 5 letters, two from 9), then dropped.
    fn text_match(&self, u: &mut Understood) -> Result<Option<TextMatch>> {
        if u.terms.is_empty() {
            return Ok(None);
        }
        let searcher = self.reader.searcher();
        let mut analyzer = self.analyzer.clone();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut kept = Vec::new();
        for word in std::mem::take(&mut u.terms) {
            let mut stems = Vec::new();
            {
                let mut stream = analyzer.token_stream(&word);
                while let Some(t) = stream.next() {
                    stems.push(t.text.clone());
                }
            }
            let mut any = false;
            for stem in stems {
                let tt = Term::from_field_text(self.f_title, &stem);
                let tb = Term::from_field_text(self.f_body, &stem);
                let df = searcher.doc_freq(&tt).map_err(|e| Error::Index(e.to_string()))?
                    + searcher.doc_freq(&tb).map_err(|e| Error::Index(e.to_string()))?;
                if df > 0 {
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(tt, IndexRecordOption::WithFreqs)),
                            2.0,
                        )),
                    ));
                    clauses.push((Occur::Should, Box::new(TermQuery::new(tb, IndexRecordOption::WithFreqs))));
                    any = true;
                } else {
                    let edits = allowed_edits(word.chars().count()) as u8;
                    if edits > 0 {
                        clauses.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(FuzzyTermQuery::new(tt, edits, true)), 2.0)),
                        ));
                        clauses.push((Occur::Should, Box::new(FuzzyTermQuery::new(tb, edits, true))));
                        any = true;
                    }
                }
            }
            if any {
                kept.push(word);
            } else {
                u.ignored.push(format!("'{word}': no product mentions it"));
            }
        }
        if clauses.is_empty() {
            return Ok(None);
        }
        let query = BooleanQuery::new(clauses);
        let hits = searcher.search(&query, &AllScores).map_err(|e| Error::Index(e.to_string()))?;
        if hits.is_empty() {
            for w in &kept {
                u.ignored.push(format!("'{w}': no product mentions it"));
            }
            return Ok(None);
        }
        let mut set = BitSet::empty(self.docs.len());
        let mut max = 0f32;
        let mut scores = vec![0f32; self.docs.len()];
        for (d, s) in hits {
            if (d as usize) < self.docs.len() {
                set.insert(d as usize);
                max = max.max(s);
                scores[d as usize] = s;
            }
        }
        u.terms = kept.clone();
        Ok(Some(TextMatch { scores, set, max, terms: kept }))
    }

    fn union<'a>(&self, sets: impl Iterator<Item = Option<&'a BitSet>>) -> BitSet {
        let mut out = BitSet::empty(self.docs.len());
        for s in sets.flatten() {
            out.or_with(s);
        }
        out
    }

    /// Resolves price bounds, including "cheap"/"luxury" relative to the
    /// understood category's prices.
    pub fn price_bounds(&self, u: &Understood) -> (Option<f64>, Option<f64>) {
        let Some(p) = &u.price else { return (None, None) };
        match p.relative {
            None => (p.min, p.max),
            Some(word) => {
                let cat = u.category.as_ref().map(|c| c.value[0]);
                let prices = self.category_prices.get(&cat).or_else(|| self.category_prices.get(&None));
                let Some(prices) = prices.filter(|p| !p.is_empty()) else { return (None, None) };
                let at = |q: f64| prices[((prices.len() - 1) as f64 * q).round() as usize];
                match word {
                    PriceWord::Cheap => (None, Some(at(0.33))),
                    PriceWord::Luxury => (Some(at(0.67)), None),
                }
            }
        }
    }

    fn price_set(&self, lo: Option<f64>, hi: Option<f64>) -> BitSet {
        // A product qualifies when its variants' price span meets the range;
        // the hit then names a variant inside it (`best_variant`).
        let lo = lo.map_or(f32::MIN, |x| x as f32);
        let hi = hi.map_or(f32::MAX, |x| x as f32);
        let mut set = BitSet::empty(self.docs.len());
        for (i, (&a, &b)) in self.cols.min_price.iter().zip(&self.cols.max_price).enumerate() {
            if a <= hi && b >= lo {
                set.insert(i);
            }
        }
        set
    }

    /// The understood hard constraints as document sets.
    fn constraints(&self, u: &Understood, text: Option<&TextMatch>) -> Vec<Constraint> {
        let n = self.docs.len();
        let mut out = Vec::new();
        let cur = self.currency;
        if u.price.is_some() {
            let (lo, hi) = self.price_bounds(u);
            if lo.is_some() || hi.is_some() {
                let relative = u.price.as_ref().and_then(|p| p.relative);
                let shown = match (lo, hi) {
                    (Some(a), Some(b)) => format!("between {} and {}", fmt_price(a, cur), fmt_price(b, cur)),
                    (None, Some(b)) => format!("under {}", fmt_price(b, cur)),
                    (Some(a), None) => format!("over {}", fmt_price(a, cur)),
                    (None, None) => String::new(),
                };
                let reason = match relative {
                    Some(PriceWord::Cheap) => format!(
                        "'{}': {shown}, the lower third of prices",
                        u.price.as_ref().map(|p| p.from.as_str()).unwrap_or("")
                    ),
                    Some(PriceWord::Luxury) => format!(
                        "'{}': {shown}, the upper third of prices",
                        u.price.as_ref().map(|p| p.from.as_str()).unwrap_or("")
                    ),
                    None => format!("priced {shown}"),
                };
                out.push(Constraint { kind: Kind::Price, set: self.price_set(lo, hi), asked: shown, reason });
            }
        }
        if let Some(size) = &u.ring_size {
            let set = self.union(
                self.by_size
                    .iter()
                    .filter(|(k, _)| k.parse::<f32>().is_ok_and(|s| (s - size.value).abs() <= 0.26))
                    .map(|(_, v)| Some(v)),
            );
            out.push(Constraint {
                kind: Kind::Size,
                set,
                asked: size.from.clone(),
                reason: format!("size {} in stock", size.value),
            });
        }
        if let Some(len) = &u.length_cm {
            let mut set = BitSet::empty(n);
            for (i, d) in self.docs.iter().enumerate() {
                if d.variants.iter().any(|v| v.length_cm.is_some_and(|c| (c - len.value).abs() <= 2.6)) {
                    set.insert(i);
                }
            }
            out.push(Constraint {
                kind: Kind::Length,
                set,
                asked: len.from.clone(),
                reason: format!("{} long", len.from),
            });
        }
        if let Some(k) = &u.karat {
            let set = self.by_karat.get(&k.value).cloned().unwrap_or_else(|| BitSet::empty(n));
            out.push(Constraint {
                kind: Kind::Karat,
                set,
                asked: k.from.clone(),
                reason: format!("{}k", k.value),
            });
        }
        if let Some(o) = &u.origin {
            let set = self.by_origin.get(&o.value).cloned().unwrap_or_else(|| BitSet::empty(n));
            out.push(Constraint {
                kind: Kind::Origin,
                set,
                asked: o.from.clone(),
                reason: o.value.as_str().replace('_', "-"),
            });
        }
        if !u.colors.is_empty() {
            let mut set = self.all.clone();
            for c in &u.colors {
                set.and_with(self.by_color.get(&c.value).unwrap_or(&BitSet::empty(n)));
            }
            let asked = u.colors.iter().map(|c| c.value.as_str()).collect::<Vec<_>>().join(" and ");
            out.push(Constraint { kind: Kind::Color, set, asked: asked.clone(), reason: asked });
        }
        if let Some(s) = &u.stone {
            let mut set = self.union(s.kinds.iter().map(|k| self.by_stone.get(k)));
            if let Some(c) = &s.color {
                set.or_with(self.by_stone_color.get(c).unwrap_or(&BitSet::empty(n)));
            }
            let reason = match (s.month, &s.color) {
                (Some(m), _) => {
                    format!("{} birthstone: {}", month_name(m), s.kinds.join(" or ").replace('_', " "))
                }
                (None, Some(c)) => format!("{c} stone ({})", s.kinds.join(", ").replace('_', " ")),
                (None, None) => s.kinds.join(" or ").replace('_', " "),
            };
            out.push(Constraint { kind: Kind::Stone, set, asked: s.from.clone(), reason });
        }
        if let Some(m) = &u.metal {
            let set = self.by_metal.get(&m.value).cloned().unwrap_or_else(|| BitSet::empty(n));
            out.push(Constraint {
                kind: Kind::Metal,
                set,
                asked: m.from.clone(),
                reason: m.value.replace('_', " "),
            });
        }
        // Free words narrow the results (`trinity`, `black lacquer`): words
        // that only colour a request (`gorgeous`, `sparkly`) are in the
        // lexicon as stop words or styles, so what is left names the piece.
        // They are relaxed late, after metal and stone.
        if let Some(t) = text {
            out.push(Constraint {
                kind: Kind::Text,
                set: t.set.clone(),
                asked: format!("'{}'", t.terms.join(" ")),
                reason: String::new(),
            });
        }
        if let Some(c) = &u.category {
            let set = self.union(c.value.iter().map(|c| self.by_category.get(c)));
            out.push(Constraint {
                kind: Kind::Category,
                set,
                asked: c.from.clone(),
                reason: c.value[0].as_str().replace('_', " "),
            });
        }
        out
    }

    fn filter_sets(&self, f: &crate::Filters) -> Vec<(&'static str, BitSet)> {
        let n = self.docs.len();
        let empty = BitSet::empty(n);
        let mut out = Vec::new();
        if !f.category.is_empty() {
            out.push(("category", self.union(f.category.iter().map(|c| self.by_category.get(c)))));
        }
        if !f.metal.is_empty() {
            out.push(("metal", self.union(f.metal.iter().map(|m| self.by_metal.get(m)))));
        }
        if !f.color.is_empty() {
            out.push(("color", self.union(f.color.iter().map(|m| self.by_color.get(m)))));
        }
        if !f.stone.is_empty() {
            out.push(("stone", self.union(f.stone.iter().map(|m| self.by_stone.get(m)))));
        }
        if !f.gender.is_empty() {
            out.push(("gender", self.union(f.gender.iter().map(|g| self.by_gender.get(g)))));
        }
        if !f.size.is_empty() {
            out.push(("size", self.union(f.size.iter().map(|s| self.by_size.get(s)))));
        }
        if !f.price.is_empty() {
            let mut set = empty.clone();
            for &(lo, hi) in &f.price {
                set.or_with(&self.price_set(lo, hi));
            }
            out.push(("price", set));
        }
        if !f.karat.is_empty() {
            out.push(("karat", self.union(f.karat.iter().map(|k| self.by_karat.get(k)))));
        }
        if !f.origin.is_empty() {
            out.push(("origin", self.union(f.origin.iter().map(|o| self.by_origin.get(o)))));
        }
        if f.in_stock {
            out.push(("in_stock", self.in_stock.clone()));
        }
        out
    }

    /// The variant to show: the one meeting most of what was asked, in stock
    /// first, cheapest on ties.
    fn best_variant<'a>(&self, doc: &'a Doc, u: &Understood) -> Option<&'a crate::index::VariantDoc> {
        let (lo, hi) = self.price_bounds(u);
        doc.variants.iter().max_by(|a, b| {
            let fit = |v: &crate::index::VariantDoc| {
                let mut s = 0.0;
                if u.metal.as_ref().is_some_and(|m| v.metals.contains(&m.value)) {
                    s += 1.0;
                }
                s += u.colors.iter().filter(|c| v.colors.contains(&c.value)).count() as f32;
                if u.karat.as_ref().is_some_and(|k| v.karats.contains(&k.value)) {
                    s += 1.0;
                }
                if u.stone.as_ref().is_some_and(|st| st.kinds.iter().any(|k| v.stones.contains(k))) {
                    s += 1.0;
                }
                if (lo.is_some() || hi.is_some())
                    && v.price.is_some_and(|p| lo.is_none_or(|l| p >= l) && hi.is_none_or(|h| p <= h))
                {
                    s += 1.0;
                }
                if u.ring_size
                    .as_ref()
                    .is_some_and(|r| v.ring_us.is_some_and(|x| (x - r.value).abs() <= 0.26))
                {
                    s += 1.0;
                }
                if u.length_cm
                    .as_ref()
                    .is_some_and(|l| v.length_cm.is_some_and(|x| (x - l.value).abs() <= 2.6))
                {
                    s += 1.0;
                }
                if v.available() {
                    s += 0.5;
                }
                s
            };
            fit(a).total_cmp(&fit(b)).then_with(|| {
                let pa = a.price.unwrap_or(f64::MAX);
                let pb = b.price.unwrap_or(f64::MAX);
                pb.total_cmp(&pa)
            })
        })
    }
}

/// "rose gold topaz earrings under $100": what the shopper asked, for
/// relaxation messages.
fn describe(cs: &[Constraint]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for kind in [
        Kind::Origin,
        Kind::Karat,
        Kind::Color,
        Kind::Metal,
        Kind::Stone,
        Kind::Text,
        Kind::Category,
        Kind::Size,
        Kind::Length,
        Kind::Price,
    ] {
        for c in cs.iter().filter(|c| c.kind == kind) {
            parts.push(&c.asked);
        }
    }
    // `rose` (the colour) is already said by `rose gold` (the metal).
    let all = parts.clone();
    parts.retain(|p| !all.iter().any(|q| q != p && q.contains(*p)));
    parts.dedup();
    let s = parts.join(" ");
    if s.is_empty() {
        "match".into()
    } else {
        s
    }
}

pub(crate) fn month_name(m: u8) -> &'static str {
    [
        "",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    .get(m as usize)
    .copied()
    .unwrap_or("")
}

/// Everything per-query that scoring needs, computed once.
pub(crate) struct ScoreContext<'a> {
    constraint_reasons: Vec<(&'static str, String)>,
    text: Option<&'a TextMatch>,
    styles: Vec<(&'a BitSet, Option<&'a BitSet>, String, &'static str)>,
    title_words: Vec<(&'a BitSet, String)>,
    budget: Option<(PriceWord, &'a [f64])>,
    metal_and_color: bool,
    asked_metal: Option<(String, Vec<String>)>,
    primary_category: Option<Category>,
    gender: Option<(Gender, String)>,
    birthstone: Option<String>,
    stone_color: Option<(BitSet, String)>,
    behaviour: Option<(&'a [(u32, crate::behaviour::QueryProductStats)], String)>,
}

impl SearchIndex {
    fn score_context<'a>(
        &'a self,
        u: &Understood,
        query: &str,
        text: Option<&'a TextMatch>,
        cs: &[Constraint],
    ) -> ScoreContext<'a> {
        let constraint_reasons =
            cs.iter().filter(|c| c.kind != Kind::Text).map(|c| (c.kind.as_str(), c.reason.clone())).collect();
        let mut styles = Vec::new();
        for s in &u.styles {
            if let Some(set) = self.by_affinity.get(&s.value) {
                styles.push((
                    set,
                    self.by_affinity_strong.get(&s.value),
                    with_source(&s.value.replace('_', " "), &s.from),
                    "style",
                ));
            }
        }
        for o in &u.occasions {
            if let Some(set) = self.by_affinity.get(&o.value) {
                styles.push((
                    set,
                    self.by_affinity_strong.get(&o.value),
                    match o.value.as_str() {
                        "gift" => with_source("a gift idea", &o.from),
                        v => with_source(&format!("suits {}", v.replace('_', " ")), &o.from),
                    },
                    "occasion",
                ));
            }
        }
        let mut title_words: Vec<(&BitSet, String)> = Vec::new();
        for w in &u.text_words {
            if u.terms.contains(w) || title_words.iter().any(|(_, x)| x == w) {
                continue;
            }
            if let Some(set) = self.title_has.get(w) {
                title_words.push((set, w.clone()));
            }
        }
        let has = |k: Kind| cs.iter().any(|c| c.kind == k);
        let budget = u.price.as_ref().and_then(|p| p.relative).filter(|_| has(Kind::Price)).and_then(|w| {
            let cat = u.category.as_ref().map(|c| c.value[0]);
            self.category_prices
                .get(&cat)
                .or_else(|| self.category_prices.get(&None))
                .map(|v| (w, v.as_slice()))
        });
        let metal_and_color = has(Kind::Metal) && has(Kind::Color);
        let asked_metal = u
            .metal
            .as_ref()
            .filter(|_| has(Kind::Metal))
            .map(|m| (m.value.clone(), u.colors.iter().map(|c| c.value.clone()).collect()));
        let stone_color = u.stone_color.as_ref().map(|c| {
            let mut set = self.union(self.lex.stones_of_color(&c.value).iter().map(|k| self.by_stone.get(k)));
            if let Some(s) = self.by_stone_color.get(&c.value) {
                set.or_with(s);
            }
            (set, c.value.clone())
        });
        let key = query_key(query);
        let behaviour = self.behaviour.get(&key).map(|v| (v.as_slice(), self.query_label(query)));
        ScoreContext {
            constraint_reasons,
            text,
            styles,
            title_words,
            budget,
            metal_and_color,
            asked_metal,
            primary_category: u.category.as_ref().map(|c| c.value[0]),
            gender: u.gender.as_ref().map(|g| (g.value, self.display_word(&g.from))),
            birthstone: u.birthstone.clone(),
            stone_color,
            behaviour,
        }
    }

    /// A document's score; with `why`, also the reasons behind it.
    fn score(
        &self,
        ctx: &ScoreContext<'_>,
        d: u32,
        rules: &HashMap<u32, (f32, String)>,
        mut why: Option<&mut Vec<Reason>>,
    ) -> f32 {
        let w = &self.weights;
        let di = d as usize;
        // Only the page's hits read the (large) document; ranking reads the
        // compact columns.
        let doc = || &self.docs[di];
        let category = self.cols.category[di];
        let mut total = 0.0;
        let mut add = |signal: &'static str, contribution: f32, detail: &dyn Fn() -> String| {
            total += contribution;
            if let Some(why) = why.as_deref_mut() {
                if contribution != 0.0 {
                    why.push(Reason {
                        signal,
                        detail: detail(),
                        contribution: (contribution * 1000.0).round() / 1000.0,
                    });
                }
            }
        };
        if let Some(t) = ctx.text {
            let s = t.scores[di];
            if s > 0.0 {
                let c = w.text * s / t.max.max(1e-6);
                add("text", c, &|| format!("mentions '{}'", t.terms.join(" ")));
            }
        }
        for (kind, reason) in &ctx.constraint_reasons {
            let kind = *kind;
            if kind == "color" && ctx.metal_and_color {
                // Counted and shown with the metal ("matches 14k yellow gold").
                continue;
            }
            let detail = || {
                if kind == "metal" {
                    let doc = doc();
                    let label = ctx.asked_metal.as_ref().and_then(|(kind, colors)| {
                        doc.metal_labels
                            .iter()
                            .find(|(k, c, _)| k == kind && colors.iter().all(|x| c.contains(x)))
                            .or_else(|| doc.metal_labels.iter().find(|(k, _, _)| k == kind))
                            .map(|(_, _, l)| l.as_str())
                    });
                    format!("matches {}", label.unwrap_or(reason))
                } else if kind == "price" || kind == "stone" && reason.contains("birthstone") {
                    reason.clone()
                } else if kind == "category" {
                    category_phrase(category).to_string()
                } else {
                    format!("matches {reason}")
                }
            };
            let weight = if kind == "metal" && ctx.metal_and_color {
                2.0 * w.constraint
            } else if kind == "category" && category.is_some() && category == ctx.primary_category {
                // `chain` also accepts necklaces, but a chain is what was named.
                1.5 * w.constraint
            } else {
                w.constraint
            };
            add(kind, weight, &detail);
        }
        for (set, strong, label, signal) in &ctx.styles {
            if set.contains(d as usize) {
                let weight = if *signal == "style" { w.style } else { w.occasion };
                let weight =
                    if strong.is_some_and(|s| s.contains(d as usize)) { weight } else { weight / 2.0 };
                add(signal, weight, &|| label.clone());
            }
        }
        let in_title = ctx.title_words.iter().filter(|(set, _)| set.contains(di)).count();
        if in_title > 0 {
            add("title", w.title * in_title as f32, &|| {
                let words: Vec<&str> = ctx
                    .title_words
                    .iter()
                    .filter(|(set, _)| set.contains(di))
                    .map(|(_, w)| w.as_str())
                    .collect();
                format!("title says '{}'", words.join(" "))
            });
        }
        let min_price = self.cols.min_price[di];
        if let (Some((word, prices)), false) = (ctx.budget, min_price.is_nan()) {
            let rank =
                prices.partition_point(|&x| x < f64::from(min_price)) as f32 / prices.len().max(1) as f32;
            let (c, detail) = match word {
                PriceWord::Cheap => (w.budget * (1.0 - rank), "cheaper ranks higher ('cheap')"),
                PriceWord::Luxury => (w.budget * rank, "dearer ranks higher ('luxury')"),
            };
            add("budget", c, &|| detail.to_string());
        }
        if let Some((g, from)) = &ctx.gender {
            match self.cols.gender[di] {
                Some(dg) if dg == *g => {
                    add("recipient", w.gender, &|| format!("{}, a match for '{from}'", gender_phrase(*g)))
                }
                Some(Gender::Unisex) => {
                    add("recipient", w.gender / 2.0, &|| format!("unisex, a match for '{from}'"))
                }
                Some(dg) => add("recipient", -w.gender_mismatch, &|| {
                    format!("{}, but '{from}' suggests {}", gender_phrase(dg), gender_noun(*g))
                }),
                None => {}
            }
        }
        if let Some(from) = &ctx.birthstone {
            if self.by_birthstone.contains(d as usize) {
                add("birthstone", w.birthstone, &|| {
                    let stone = doc().variants.iter().flat_map(|v| v.stones.iter()).find(|s| *s != "diamond");
                    match stone {
                        Some(s) => with_source(&format!("{} is a birthstone", s.replace('_', " ")), from),
                        None => with_source("set with a birthstone", from),
                    }
                });
            }
        }
        if let Some((set, color)) = &ctx.stone_color {
            if set.contains(d as usize) {
                add("stone_color", w.stone_color, &|| format!("{color} stone"));
            }
        }
        if let Some((stats, label)) = &ctx.behaviour {
            if let Ok(i) = stats.binary_search_by_key(&d, |(x, _)| *x) {
                let s = stats[i].1;
                let prior = self.prior_ctr;
                let impressions = f64::from(s.impressions.max(s.clicks));
                let smoothed = (f64::from(s.clicks) + 10.0 * prior) / (impressions + 10.0);
                let lift = (smoothed / prior).ln().clamp(-1.0, 1.5) as f32;
                let pct = if impressions > 0.0 { 100.0 * f64::from(s.clicks) / impressions } else { 0.0 };
                add("clicks", w.ctr * lift / 1.5, &|| {
                    format!("clicked by {pct:.0}% of shoppers who searched '{label}'")
                });
                if s.conversions > 0 {
                    let rate = (f64::from(s.conversions) / (f64::from(s.clicks) + 5.0)).min(1.0) as f32;
                    add("conversions", w.conversion * rate, &|| {
                        format!(
                            "{} of {} {} from '{label}' led to a cart or purchase",
                            s.conversions,
                            s.clicks,
                            if s.clicks == 1 { "click" } else { "clicks" }
                        )
                    });
                }
            }
        }
        let sales = self.cols.sales[di];
        if sales > 0.0 && self.max_sales > 0.0 {
            let c = w.popularity * ((1.0 + sales).ln() / (1.0 + self.max_sales as f32).ln());
            add("popularity", c, &|| format!("{sales} sold"));
        }
        if !self.in_stock.contains(di) {
            add("availability", -w.out_of_stock, &|| "out of stock".to_string());
        }
        if let Some((x, rule)) = rules.get(&d) {
            let verb = if *x >= 0.0 { "boosted" } else { "buried" };
            add("rule", *x, &|| format!("{verb} by rule '{rule}'"));
        }
        total
    }
}

impl SearchIndex {
    /// The shopper's word as the lexicon knows it, for reasons: "wifes"
    /// (from "wife's") reads as "wife"; other words stay as typed.
    fn display_word(&self, from: &str) -> String {
        match from.strip_suffix('s') {
            Some(stem) if !from.contains(' ') && self.lex.get(&[stem.to_string()]).is_some() => {
                stem.to_string()
            }
            _ => from.to_string(),
        }
    }
}

/// `detail ('from')`, or just `detail` when the shopper's word is already
/// in it ("dainty ('delicate')", but "anniversary", not "anniversary
/// ('anniversary')").
fn with_source(detail: &str, from: &str) -> String {
    let words: Vec<&str> = detail.split_whitespace().collect();
    let said = from.trim_end_matches('s');
    if from.is_empty() || words.iter().any(|w| w.trim_end_matches('s') == said) {
        detail.to_string()
    } else {
        format!("{detail} ('{from}')")
    }
}

/// "is a ring", "is a pair of earrings", "are cufflinks": the category
/// reason, in words a shopper would use.
fn category_phrase(category: Option<Category>) -> &'static str {
    match category {
        Some(Category::Ring) => "is a ring",
        Some(Category::EngagementRing) => "is an engagement ring",
        Some(Category::WeddingBand) => "is a wedding band",
        Some(Category::Necklace) => "is a necklace",
        Some(Category::Pendant) => "is a pendant",
        Some(Category::Chain) => "is a chain",
        Some(Category::Earrings) => "is a pair of earrings",
        Some(Category::Bracelet) => "is a bracelet",
        Some(Category::Anklet) => "is an anklet",
        Some(Category::Brooch) => "is a brooch",
        Some(Category::Cufflinks) => "are cufflinks",
        Some(Category::Charm) => "is a charm",
        Some(Category::Cross) => "is a cross",
        Some(Category::Watch) => "is a watch",
        Some(Category::Set) => "is a jewelry set",
        Some(Category::Other) | None => "in the category asked for",
    }
}

/// "made for women", "made for children".
fn gender_phrase(g: Gender) -> &'static str {
    match g {
        Gender::Women => "made for women",
        Gender::Men => "made for men",
        Gender::Unisex => "unisex",
        Gender::Kids => "made for children",
    }
}

fn gender_noun(g: Gender) -> &'static str {
    match g {
        Gender::Women => "women",
        Gender::Men => "men",
        Gender::Unisex => "anyone",
        Gender::Kids => "children",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_english() {
        assert_eq!(category_phrase(Some(Category::Earrings)), "is a pair of earrings");
        assert_eq!(category_phrase(Some(Category::Cufflinks)), "are cufflinks");
        assert_eq!(category_phrase(Some(Category::EngagementRing)), "is an engagement ring");
        assert_eq!(category_phrase(None), "in the category asked for");
        assert_eq!(gender_phrase(Gender::Kids), "made for children");
        assert_eq!(gender_noun(Gender::Women), "women");
        assert_eq!(with_source("suits anniversary", "anniversary"), "suits anniversary");
        assert_eq!(with_source("ruby is a birthstone", "birthstones"), "ruby is a birthstone");
        assert_eq!(with_source("dainty", "delicate"), "dainty ('delicate')");
    }
}
