//! Retrieval: the free words through tantivy (with typo tolerance), the
//! understood hard constraints and the request's filters as bit sets over
//! the documents, price bounds (including "cheap" and "luxury"), and the
//! variant a hit shows.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::bitset::BitSet;
use crate::index::{Doc, SearchIndex};
use crate::lexicon::PriceWord;
use crate::text::allowed_edits;
use crate::understand::Understood;
use crate::{Error, Result};

use super::phrase::{fmt_price, month_name};
use super::{Constraint, Kind};

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

pub(crate) struct TextMatch {
    /// Score per document (0 for no match).
    pub scores: Vec<f32>,
    pub set: BitSet,
    pub max: f32,
    pub terms: Vec<String>,
}

impl SearchIndex {
    /// Runs the free words through tantivy. Words no product has are tried
    /// as typos (one edit from 5 letters, two from 9), then dropped.
    pub(super) fn text_match(&self, u: &mut Understood) -> Result<Option<TextMatch>> {
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

    pub(super) fn union<'a>(&self, sets: impl Iterator<Item = Option<&'a BitSet>>) -> BitSet {
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

    pub(super) fn price_set(&self, lo: Option<f64>, hi: Option<f64>) -> BitSet {
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
    pub(super) fn constraints(&self, u: &Understood, text: Option<&TextMatch>) -> Vec<Constraint> {
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

    pub(super) fn filter_sets(&self, f: &crate::Filters) -> Vec<(&'static str, BitSet)> {
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
    pub(super) fn best_variant<'a>(
        &self,
        doc: &'a Doc,
        u: &Understood,
    ) -> Option<&'a crate::index::VariantDoc> {
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
