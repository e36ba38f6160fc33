//! Ranking: the per-query context computed once (constraint reasons, text
//! scores, styles, budget, recipient, birthstone, stone colour, behaviour),
//! then one document's score as a sum of named signals, each with the
//! reason a shopper reads.

use std::collections::HashMap;

use model::{Category, Gender};

use crate::behaviour::query_key;
use crate::bitset::BitSet;
use crate::index::{Doc, SearchIndex};
use crate::lexicon::PriceWord;
use crate::request::Reason;
use crate::understand::{StoneWant, Understood};

use super::phrase::{category_phrase, gender_noun, gender_phrase, month_name, with_source};
use super::retrieve::TextMatch;
use super::{Constraint, Kind};

/// A hard constraint as scoring sees it: the documents that meet it and the
/// reason shown on them. A document outside `set` (a pinned product that
/// does not match the query) gets neither the points nor the reason.
struct ConstraintReason<'a> {
    kind: Kind,
    set: &'a BitSet,
    reason: &'a str,
}

/// Everything per-query that scoring needs, computed once.
pub(crate) struct ScoreContext<'a> {
    constraints: Vec<ConstraintReason<'a>>,
    /// The stones asked for, so that a stone reason names the product's own.
    stone: Option<StoneWant>,
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
    /// Whether sales count (off for [`Ranking::CatalogOnly`](crate::Ranking)).
    popularity: bool,
}

impl SearchIndex {
    pub(super) fn score_context<'a>(
        &'a self,
        u: &Understood,
        query: &str,
        text: Option<&'a TextMatch>,
        cs: &'a [Constraint],
        ranking: crate::Ranking,
    ) -> ScoreContext<'a> {
        let learned = ranking == crate::Ranking::Learned;
        let constraints = cs
            .iter()
            .filter(|c| c.kind != Kind::Text)
            .map(|c| ConstraintReason { kind: c.kind, set: &c.set, reason: &c.reason })
            .collect();
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
        let behaviour =
            self.behaviour.get(&key).filter(|_| learned).map(|v| (v.as_slice(), self.query_label(query)));
        ScoreContext {
            constraints,
            stone: u.stone.clone(),
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
            popularity: learned,
        }
    }

    /// A document's score; with `why`, also the reasons behind it.
    pub(super) fn score(
        &self,
        ctx: &ScoreContext<'_>,
        d: u32,
        rules: &HashMap<u32, Vec<(f32, String)>>,
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
        // Only constraints the document meets count and speak: ranked
        // documents meet them all, but a pinned one may meet none.
        let meets = |k: Kind| ctx.constraints.iter().any(|c| c.kind == k && c.set.contains(di));
        let metal_and_color = ctx.metal_and_color && meets(Kind::Metal) && meets(Kind::Color);
        for c in ctx.constraints.iter().filter(|c| c.set.contains(di)) {
            let (kind, reason) = (c.kind, c.reason);
            if kind == Kind::Color && metal_and_color {
                // Counted and shown with the metal ("matches 14k yellow gold").
                continue;
            }
            let detail = || match kind {
                Kind::Metal => {
                    let doc = doc();
                    let label = ctx.asked_metal.as_ref().and_then(|(kind, colors)| {
                        doc.metal_labels
                            .iter()
                            .find(|(k, c, _)| k == kind && colors.iter().all(|x| c.contains(x)))
                            .or_else(|| doc.metal_labels.iter().find(|(k, _, _)| k == kind))
                            .map(|(_, _, l)| l.as_str())
                    });
                    format!("matches {}", label.unwrap_or(reason))
                }
                Kind::Stone => match &ctx.stone {
                    Some(want) => stone_reason(doc(), want),
                    None => format!("matches {reason}"),
                },
                Kind::Price => reason.to_string(),
                Kind::Category => category_phrase(category).to_string(),
                _ => format!("matches {reason}"),
            };
            let weight = if kind == Kind::Metal && metal_and_color {
                2.0 * w.constraint
            } else if kind == Kind::Category && category.is_some() && category == ctx.primary_category {
                // `chain` also accepts necklaces, but a chain is what was named.
                1.5 * w.constraint
            } else {
                w.constraint
            };
            add(kind.as_str(), weight, &detail);
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
        if ctx.popularity && sales > 0.0 && self.max_sales > 0.0 {
            let c = w.popularity * ((1.0 + sales).ln() / (1.0 + self.max_sales as f32).ln());
            add("popularity", c, &|| format!("{sales} sold"));
        }
        if !self.in_stock.contains(di) {
            add("availability", -w.out_of_stock, &|| "out of stock".to_string());
        }
        for (x, rule) in rules.get(&d).into_iter().flatten() {
            let verb = if *x >= 0.0 { "boosted" } else { "buried" };
            add("rule", *x, &|| format!("{verb} by rule '{rule}'"));
        }
        total
    }
}

/// The stone reason for a document that meets the stone constraint, naming
/// the document's own stones among those asked for ("july birthstone:
/// ruby", "matches blue stone (sapphire)", "matches diamond"), never a
/// stone it does not have.
fn stone_reason(doc: &Doc, want: &StoneWant) -> String {
    let mut named: Vec<&str> = Vec::new();
    for s in doc.variants.iter().flat_map(|v| v.stones.iter()) {
        if want.kinds.contains(s) && !named.contains(&s.as_str()) {
            named.push(s);
        }
    }
    if let (true, Some(color)) = (named.is_empty(), &want.color) {
        for (s, c) in &doc.stone_colors {
            if c == color && !named.contains(&s.as_str()) {
                named.push(s);
            }
        }
    }
    let named = named.join(" and ").replace('_', " ");
    match (want.month, &want.color) {
        (Some(m), _) => format!("{} birthstone: {named}", month_name(m)),
        (None, Some(c)) => format!("matches {c} stone ({named})"),
        (None, None) => format!("matches {named}"),
    }
}
