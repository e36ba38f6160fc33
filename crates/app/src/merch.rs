//! Merchandising by intent (issue 14): the `merch` engine over the store's
//! catalog, orders, events and stock; the collections a merchandiser sees
//! (Loupe's intents, the brand's rules, the catalog's named collections and
//! the categories) with the choices a person made (pins, excludes, a saved
//! ranking), bundles and their decisions, weekly placements, and the
//! evaluation against the demo brand's ground truth.
//!
//! What a person decides lives in documents (`merch.collections`,
//! `merch.bundles`), written with its decision-log entry in one transaction;
//! rebuilding what Loupe learnt never touches them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use catalog::slug;
use chrono::{Datelike, NaiveDate};
use model::title::title_case;
use model::{Category, LineKind, Product, ProductStatus};
use serde::{Deserialize, Serialize};

use crate::error::{Code, Error, Result};
use crate::wire::merch::*;
use crate::App;

/// The counter bumped by every change a person makes here.
pub const VERSION: &str = "merch";
const COLLECTIONS: &str = "merch.collections";
const BUNDLES: &str = "merch.bundles";

/// Products in a storefront row (the diversity rule's unit).
pub const ROW: usize = 4;

/// What a person chose for one collection.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Saved {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    /// Set for the brand's own collections.
    #[serde(default)]
    rule: Option<RuleOut>,
    #[serde(default)]
    pins: Vec<String>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    weights: Option<String>,
    /// Handles in the saved ranking's order (pins not included).
    #[serde(default)]
    order: Vec<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    updated_by: Option<String>,
}

/// A person's decision on a bundle.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct BundleDecision {
    status: String,
    anchor: String,
    companions: Vec<String>,
    by: String,
    at: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Intent,
    Rule,
    Named,
    Category,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Intent => "intent",
            Kind::Rule => "rule",
            Kind::Named => "collection",
            Kind::Category => "category",
        }
    }
}

/// What Loupe learnt from the data, rebuilt when the data moves.
pub struct Loaded {
    pub facts: merch::Facts,
    pub catalog: Arc<Vec<Product>>,
    bands: HashMap<u64, merch::PriceBand>,
    by_handle: HashMap<String, usize>,
    /// Product id to its place in `catalog`.
    index: HashMap<u64, usize>,
    /// Active products of each named collection (by its slug, with its name
    /// as first written) and of each category, in catalog order.
    named: BTreeMap<String, (String, Vec<u64>)>,
    categories: HashMap<Category, Vec<u64>>,
    intents: Vec<merch::CollectionDef>,
    /// Memberships of the shipped intents.
    intent_members: HashMap<String, Vec<merch::Member>>,
    pub bundles: Vec<merch::Bundle>,
}

/// The fields of a stored event read here.
#[derive(Deserialize)]
struct MerchEvent {
    kind: model::EventKind,
    at: i64,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    product: Option<String>,
    #[serde(default)]
    query: Option<String>,
}

impl Loaded {
    /// Reads the store's orders, events and stock before `until_ms` (all of
    /// them when `None`) into the engine's facts, and builds memberships and
    /// bundle proposals. `slow` holds the handles the forecast flags.
    pub fn build(
        store: &store::Store,
        catalog: Arc<Vec<Product>>,
        slow: &HashSet<String>,
        until_ms: Option<i64>,
        now_secs: i64,
    ) -> Result<Loaded> {
        let until = until_ms.unwrap_or(i64::MAX);
        let by_handle: HashMap<String, usize> =
            catalog.iter().enumerate().map(|(i, p)| (p.handle.clone(), i)).collect();
        let by_sku: HashMap<&str, u64> =
            catalog.iter().flat_map(|p| p.variants.iter().map(move |v| (v.sku.as_str(), p.id))).collect();
        let mut facts = merch::Facts::default();
        let inventory = store.inventory()?;
        let mut cost: HashMap<&str, f64> = HashMap::new();
        for level in &inventory {
            let Some(&id) = by_sku.get(level.sku.as_str()) else { continue };
            let f = facts.products.entry(id).or_default();
            f.on_hand = Some(f.on_hand.unwrap_or(0) + level.on_hand);
            if let Some(d) = level.lead_time_days {
                f.lead_time_days = Some(f.lead_time_days.unwrap_or(0).max(d));
            }
            if let Some(c) = level.unit_cost {
                cost.insert(level.sku.as_str(), c.major());
            }
        }

        let lines = store.order_lines()?;
        let mut baskets: HashMap<&str, Vec<u64>> = HashMap::new();
        let mut last_day = i64::MIN;
        // Per product: revenue with a known cost, and that revenue's cost.
        let mut costed: HashMap<u64, (f64, f64, bool)> = HashMap::new();
        for l in lines.iter().filter(|l| l.kind == LineKind::Sale && l.ordered_at * 1000 < until) {
            let Some(&id) = by_sku.get(l.sku.as_str()) else { continue };
            let day = merch::day_of(l.ordered_at);
            last_day = last_day.max(day);
            facts.first_day = Some(facts.first_day.map_or(day, |f| f.min(day)));
            let f = facts.products.entry(id).or_default();
            let q = l.quantity.max(0);
            f.units += q;
            let revenue = l.unit_price.map(|m| m.major() * q as f64).unwrap_or(0.0);
            f.revenue += revenue;
            *f.daily_units.entry(day).or_default() += q;
            let c = costed.entry(id).or_insert((0.0, 0.0, true));
            match cost.get(l.sku.as_str()) {
                Some(unit) => {
                    c.0 += revenue;
                    c.1 += unit * q as f64;
                }
                None => c.2 = false,
            }
            let b = baskets.entry(l.order_id.as_str()).or_default();
            if !b.contains(&id) {
                b.push(id);
            }
        }
        for (id, (rev, cst, all)) in costed {
            if all && rev > 0.0 {
                if let Some(f) = facts.products.get_mut(&id) {
                    f.margin_rate = Some((rev - cst) / rev);
                }
            }
        }
        facts.orders = baskets.len() as u64;
        for b in baskets.values() {
            for id in b {
                facts.products.entry(*id).or_default().orders += 1;
            }
        }
        facts.baskets = baskets.into_values().filter(|b| b.len() >= 2).collect();
        facts.baskets.sort();

        let id_of = |handle: &str| by_handle.get(handle).map(|i| catalog[*i].id);
        let mut queries: HashMap<String, Vec<String>> = HashMap::new();
        store.scan_events_as::<MerchEvent, _>(0, until, |events| {
            for e in events {
                last_day = last_day.max(merch::day_of(e.at / 1000));
                match e.kind {
                    model::EventKind::View => {
                        if let Some(id) = e.product.as_deref().and_then(id_of) {
                            facts.products.entry(id).or_default().views += 1;
                        }
                    }
                    model::EventKind::Search => {
                        if let (Some(s), Some(q)) = (e.session_id, e.query) {
                            let q = q.trim().to_lowercase();
                            let list = queries.entry(s).or_default();
                            if !q.is_empty() && !list.contains(&q) {
                                list.push(q);
                            }
                        }
                    }
                    model::EventKind::Purchase => {
                        if let Some(id) = e.product.as_deref().and_then(id_of) {
                            let f = facts.products.entry(id).or_default();
                            f.purchases += 1;
                            if let Some(qs) = e.session_id.as_deref().and_then(|s| queries.get(s)) {
                                f.purchase_queries.push(qs.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
        })?;
        for p in catalog.iter().filter(|p| slow.contains(&p.handle)) {
            facts.products.entry(p.id).or_default().slow_mover = true;
        }
        let today = merch::day_of(now_secs);
        facts.as_of_day = match until_ms {
            Some(u) => merch::day_of(u / 1000),
            None if last_day > i64::MIN => (last_day + 1).min(today + 1),
            None => today,
        };

        let bands = merch::price_bands(&catalog);
        let intents = merch::builtin_intents();
        let intent_members =
            intents.iter().map(|d| (d.key.clone(), merch::members(d, &catalog, &facts, &bands))).collect();
        let bundles = merch::propose_bundles(&catalog, &facts, &merch::BundleConfig::default());
        let index = catalog.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut named: BTreeMap<String, (String, Vec<u64>)> = BTreeMap::new();
        let mut categories: HashMap<Category, Vec<u64>> = HashMap::new();
        for p in catalog.iter().filter(|p| p.status == ProductStatus::Active) {
            if let Some(c) = p.collection.as_deref() {
                named.entry(slug(c)).or_insert_with(|| (c.to_string(), Vec::new())).1.push(p.id);
            }
            if let Some(c) = p.category.filter(|_| !p.order_only) {
                categories.entry(c).or_default().push(p.id);
            }
        }
        Ok(Loaded {
            facts,
            catalog,
            bands,
            by_handle,
            index,
            named,
            categories,
            intents,
            intent_members,
            bundles,
        })
    }

    fn get(&self, id: u64) -> Option<&Product> {
        self.index.get(&id).map(|i| &self.catalog[*i])
    }

    fn product(&self, handle: &str) -> Option<&Product> {
        self.by_handle.get(handle).map(|i| &self.catalog[*i])
    }

    fn by_id(&self) -> HashMap<u64, &Product> {
        self.catalog.iter().map(|p| (p.id, p)).collect()
    }
}

/// The slot's key: catalog version, order lines and stock snapshots. Not
/// the event count: a live shop's events arrive every second, and what they
/// teach (views, searches before purchases) is read again every ten minutes.
pub type Key = (u64, u64, u64);

pub fn key(store: &store::Store) -> Result<Key> {
    let (lines, snapshots) = store.activity_counts()?;
    Ok((store.catalog_version()?, lines, snapshots))
}

/// The handles the forecasting engine flags (slow, overstock, markdown).
pub fn slow_handles(engines: &crate::engines::Engines) -> HashSet<String> {
    match crate::forecasts::slow_movers(engines, true) {
        Ok(list) => list.into_iter().map(|s| s.product).collect(),
        Err(err) => {
            tracing::warn!(error = %err, "merchandising reads no slow movers");
            HashSet::new()
        }
    }
}

// ---- collections ----------------------------------------------------------

/// One collection as the use cases see it.
struct Def {
    key: String,
    name: String,
    description: String,
    kind: Kind,
    saved: Saved,
}

fn saved_all(app: &App) -> Result<HashMap<String, Saved>> {
    let mut out = HashMap::new();
    for (k, json) in app.store.list_docs(COLLECTIONS)? {
        out.insert(k, serde_json::from_str(&json).map_err(Error::internal)?);
    }
    Ok(out)
}

/// Every collection: the intents, the brand's rules, the catalog's named
/// collections, the categories with products.
fn defs(l: &Loaded, saved: &HashMap<String, Saved>) -> Vec<Def> {
    let mut out = Vec::new();
    let take = |k: &str| saved.get(k).cloned().unwrap_or_default();
    for d in &l.intents {
        let s = take(&d.key);
        out.push(Def {
            key: d.key.clone(),
            name: s.name.clone().unwrap_or_else(|| d.name.clone()),
            description: s.description.clone().unwrap_or_else(|| d.description.clone()),
            kind: Kind::Intent,
            saved: s,
        });
    }
    let mut rules: Vec<(&String, &Saved)> = saved.iter().filter(|(_, s)| s.rule.is_some()).collect();
    rules.sort_by_key(|(k, _)| k.as_str());
    for (k, s) in rules {
        out.push(Def {
            key: k.clone(),
            name: s.name.clone().unwrap_or_else(|| title_case(k)),
            description: s.description.clone().unwrap_or_default(),
            kind: Kind::Rule,
            saved: s.clone(),
        });
    }
    for (key, (n, _)) in &l.named {
        let key = format!("collection-{key}");
        let s = take(&key);
        out.push(Def {
            name: s.name.clone().unwrap_or_else(|| format!("The {} collection", title_case(n))),
            description: s.description.clone().unwrap_or_else(|| "Named in the catalog.".into()),
            key,
            kind: Kind::Named,
            saved: s,
        });
    }
    for c in Category::ALL.iter().filter(|c| l.categories.contains_key(c)) {
        let key = format!("category-{}", c.as_str().replace('_', "-"));
        let s = take(&key);
        out.push(Def {
            name: s.name.clone().unwrap_or_else(|| c.plural().to_string()),
            description: s.description.clone().unwrap_or_else(|| "A category of the catalog.".into()),
            key,
            kind: Kind::Category,
            saved: s,
        });
    }
    out
}

fn category_of_key(key: &str) -> Option<Category> {
    Category::parse(&key.strip_prefix("category-")?.replace('-', "_"))
}

fn rule_of(r: &RuleOut) -> merch::Rule {
    merch::Rule {
        categories: r.categories.clone(),
        styles: r.styles.clone(),
        words: r.words.clone(),
        stones: r.stones.clone(),
        metals: r.metals.clone(),
        price_bands: r.price_bands.clone(),
        tags: r.tags.clone(),
        queries: if r.queries.is_empty() { r.words.clone() } else { r.queries.clone() },
        ..Default::default()
    }
}

/// The memberships of one collection (members and near misses), strongest first.
fn memberships(l: &Loaded, d: &Def) -> Vec<merch::Member> {
    match d.kind {
        Kind::Intent => l.intent_members.get(&d.key).cloned().unwrap_or_default(),
        Kind::Rule => {
            let rule = d.saved.rule.as_ref().map(rule_of).unwrap_or_default();
            let def = merch::CollectionDef {
                key: d.key.clone(),
                name: d.name.clone(),
                description: d.description.clone(),
                rule,
                builtin: false,
            };
            merch::members(&def, &l.catalog, &l.facts, &l.bands)
        }
        Kind::Named => {
            let ids =
                d.key.strip_prefix("collection-").and_then(|name| l.named.get(name)).map(|(_, ids)| ids);
            listed(l, ids, "collection", |p| {
                format!(
                    "the catalog names it part of the {} collection",
                    p.collection.as_deref().unwrap_or("")
                )
            })
        }
        Kind::Category => {
            let ids = category_of_key(&d.key).and_then(|c| l.categories.get(&c));
            listed(l, ids, "category", |p| {
                format!(
                    "it is {}",
                    merch::a_an(&p.category.map(|c| c.as_str().replace('_', " ")).unwrap_or_default())
                )
            })
        }
    }
}

/// Every product of a list the catalog itself makes (a named collection,
/// a category) as a full member, with the one reason that puts it there.
fn listed(
    l: &Loaded,
    ids: Option<&Vec<u64>>,
    code: &'static str,
    text: impl Fn(&Product) -> String,
) -> Vec<merch::Member> {
    ids.into_iter()
        .flatten()
        .filter_map(|id| l.get(*id))
        .map(|p| merch::Member {
            product: p.id,
            strength: 1.0,
            reasons: vec![merch::Reason { code, text: text(p), weight: 1.0 }],
        })
        .collect()
}

/// A reason as a shopper reads it: no numbers, no jargon.
fn plain(r: &merch::Reason) -> String {
    match r.code {
        "searches" => "Often chosen by shoppers looking for this".into(),
        "bought_with" => "Often bought with other pieces of this collection".into(),
        "word" => r.text.replacen("its title or tags say", "Described as", 1),
        "collection" => r.text.replacen("the catalog names it part", "Part", 1),
        "price_band" => match () {
            _ if r.text.contains("lowest") => "Among our lower-priced pieces of its kind".into(),
            _ if r.text.contains("highest") => "Among our higher-priced pieces of its kind".into(),
            _ => "Mid-priced for its kind".into(),
        },
        _ => {
            let mut c = r.text.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    }
}

fn reason_out(r: &merch::Reason) -> MemberReasonOut {
    MemberReasonOut {
        code: r.code.to_string(),
        detail: r.text.clone(),
        plain: plain(r),
        weight: round3(r.weight),
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The collection's products in its order: pins, then the members in the
/// saved ranking's order (members new since it was saved after it, by
/// strength), then by strength; excluded products left out.
fn ordered<'l>(l: &'l Loaded, d: &Def) -> Vec<(&'l Product, Option<merch::Member>, bool)> {
    let members = memberships(l, d);
    let excluded: HashSet<&str> = d.saved.excludes.iter().map(String::as_str).collect();
    let pins: Vec<&Product> = d.saved.pins.iter().filter_map(|h| l.product(h)).collect();
    let pinned: HashSet<u64> = pins.iter().map(|p| p.id).collect();
    let pinned_members: HashMap<u64, merch::Member> =
        members.iter().filter(|m| pinned.contains(&m.product)).map(|m| (m.product, m.clone())).collect();
    let mut rest: Vec<(&Product, merch::Member)> = members
        .into_iter()
        .filter(|m| m.strength >= merch::MEMBER_THRESHOLD && !pinned.contains(&m.product))
        .filter_map(|m| l.get(m.product).map(|p| (p, m)))
        .filter(|(p, _)| !excluded.contains(p.handle.as_str()))
        .collect();
    if !d.saved.order.is_empty() {
        let pos: HashMap<&str, usize> =
            d.saved.order.iter().enumerate().map(|(i, h)| (h.as_str(), i)).collect();
        rest.sort_by(|a, b| {
            let (pa, pb) = (pos.get(a.0.handle.as_str()), pos.get(b.0.handle.as_str()));
            match (pa, pb) {
                (Some(x), Some(y)) => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => b.1.strength.total_cmp(&a.1.strength),
            }
        });
    }
    let mut out: Vec<(&Product, Option<merch::Member>, bool)> =
        pins.into_iter().map(|p| (p, pinned_members.get(&p.id).cloned(), true)).collect();
    out.extend(rest.into_iter().map(|(p, m)| (p, Some(m), false)));
    out
}

fn member_out(i: usize, p: &Product, m: Option<&merch::Member>, pinned: bool) -> MemberOut {
    let mut why: Vec<MemberReasonOut> =
        m.map(|m| m.reasons.iter().map(reason_out).collect()).unwrap_or_default();
    if pinned {
        why.insert(
            0,
            MemberReasonOut {
                code: "pinned".into(),
                detail: "a merchandiser pinned it here".into(),
                plain: "Chosen by our team".into(),
                weight: 1.0,
            },
        );
    }
    MemberOut {
        handle: p.handle.clone(),
        title: p.title.clone(),
        position: i + 1,
        strength: if pinned { 1.0 } else { round3(m.map(|m| m.strength).unwrap_or(0.0)) },
        pinned,
        why,
    }
}

fn find_def(l: &Loaded, saved: &HashMap<String, Saved>, key: &str) -> Result<Def> {
    defs(l, saved)
        .into_iter()
        .find(|d| d.key == key)
        .ok_or_else(|| Error::not_found(format!("collection {key:?}")))
}

/// What Loupe learnt, from the engines' slot.
pub fn loaded(app: &App) -> Result<Arc<Loaded>> {
    app.engines.merch()
}

/// `GET /v1/collections`.
pub fn list(app: &App) -> Result<Vec<CollectionSummary>> {
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    Ok(defs(&l, &saved)
        .iter()
        .map(|d| {
            let o = ordered(&l, d);
            CollectionSummary {
                key: d.key.clone(),
                name: d.name.clone(),
                description: d.description.clone(),
                kind: d.kind.as_str().into(),
                members: o.len(),
                pinned: d.saved.pins.len(),
                excluded: d.saved.excludes.len(),
                ranked: !d.saved.order.is_empty(),
                top: o.iter().take(4).map(|(p, _, _)| p.handle.clone()).collect(),
            }
        })
        .collect())
}

/// `GET /v1/collections/{key}`.
pub fn show(app: &App, key: &str) -> Result<CollectionOut> {
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    let d = find_def(&l, &saved, key)?;
    Ok(collection_out(&l, &d))
}

fn collection_out(l: &Loaded, d: &Def) -> CollectionOut {
    let members =
        ordered(l, d).iter().enumerate().map(|(i, (p, m, pin))| member_out(i, p, m.as_ref(), *pin)).collect();
    CollectionOut {
        key: d.key.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        kind: d.kind.as_str().into(),
        rule: match d.kind {
            Kind::Intent => l.intents.iter().find(|i| i.key == d.key).map(|i| RuleOut {
                categories: i.rule.categories.clone(),
                styles: i.rule.styles.clone(),
                words: i.rule.words.clone(),
                stones: i.rule.stones.clone(),
                metals: i.rule.metals.clone(),
                price_bands: i.rule.price_bands.clone(),
                tags: i.rule.tags.clone(),
                queries: i.rule.queries.clone(),
            }),
            _ => d.saved.rule.clone(),
        },
        pins: d.saved.pins.clone(),
        excludes: d.saved.excludes.clone(),
        weights: d.saved.weights.clone(),
        members,
        updated_at: d.saved.updated_at.clone(),
        updated_by: d.saved.updated_by.clone(),
    }
}

/// A collection as the shop shows it: name, description, and the products
/// in order, each with its plain reasons.
pub struct ShopCollection {
    pub name: String,
    pub description: String,
    pub items: Vec<(Product, Vec<String>)>,
}

/// The storefront's page of a collection: its name and members in order.
pub fn storefront(app: &App, key: &str) -> Result<ShopCollection> {
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    let d = find_def(&l, &saved, key)?;
    let items = ordered(&l, &d)
        .into_iter()
        .map(|(p, m, pinned)| {
            // What tells a shopper most first; "it is a ring" on a page of rings last.
            let mut reasons: Vec<&merch::Reason> =
                m.as_ref().map(|m| m.reasons.iter().collect()).unwrap_or_default();
            let order = ["searches", "bought_with", "stone", "word", "style", "tag", "metal", "price_band"];
            reasons.sort_by_key(|r| order.iter().position(|c| *c == r.code).unwrap_or(order.len()));
            let mut why: Vec<String> = reasons.into_iter().map(plain).collect();
            if pinned && why.is_empty() {
                why.push("Chosen by our team".into());
            }
            why.dedup();
            (p.clone(), why)
        })
        .collect();
    Ok(ShopCollection { name: d.name, description: d.description, items })
}

/// The intents with at least `min` members, for the shop's home page;
/// none while what Loupe learnt is still being read (a page does not wait).
pub fn shop_intents(app: &App, min: usize) -> Result<Vec<(String, String, usize)>> {
    let Some(l) = app.engines.merch_if_ready()? else { return Ok(Vec::new()) };
    let saved = saved_all(app)?;
    Ok(defs(&l, &saved)
        .iter()
        .filter(|d| d.kind == Kind::Intent)
        .map(|d| (d.key.clone(), d.name.clone(), ordered(&l, d).len()))
        .filter(|(_, _, n)| *n >= min)
        .collect())
}

/// The saved order of a category's products (pins first), when a person saved one.
pub fn category_order(app: &App, category: Category) -> Result<Option<Vec<u64>>> {
    let key = format!("category-{}", category.as_str().replace('_', "-"));
    let Some(json) = app.store.get_doc(COLLECTIONS, &key)? else { return Ok(None) };
    let s: Saved = serde_json::from_str(&json).map_err(Error::internal)?;
    if s.order.is_empty() && s.pins.is_empty() && s.excludes.is_empty() {
        return Ok(None);
    }
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    let d = find_def(&l, &saved, &key)?;
    Ok(Some(ordered(&l, &d).iter().map(|(p, _, _)| p.id).collect()))
}

fn ranked_out(r: &merch::Ranked, i: usize, by_id: &HashMap<u64, &Product>) -> RankedOut {
    let p = by_id.get(&r.product);
    RankedOut {
        handle: p.map(|p| p.handle.clone()).unwrap_or_default(),
        title: p.map(|p| p.title.clone()).unwrap_or_default(),
        position: i + 1,
        score: round3(r.score),
        pinned: r.pinned,
        moved_for_diversity: r.moved_for_diversity,
        why: r
            .contributions
            .iter()
            .map(|(f, c, d)| FactorOut {
                factor: f.key().into(),
                contribution: round3(*c),
                detail: d.clone(),
            })
            .collect(),
    }
}

fn parse_weights(s: Option<&str>, saved: Option<&str>) -> Result<merch::Weights> {
    match s.or(saved) {
        None => Ok(merch::Weights::default()),
        Some(s) => {
            merch::Weights::parse(s).map_err(|e| Error::new(Code::InvalidQuery, format!("weights: {e}")))
        }
    }
}

fn rank_def(l: &Loaded, d: &Def, w: &merch::Weights) -> (Vec<merch::Ranked>, Vec<merch::Ranked>) {
    let o = ordered(l, d);
    let by_id = l.by_id();
    let pins: Vec<u64> = o.iter().filter(|x| x.2).map(|x| x.0.id).collect();
    let list: Vec<u64> = o.iter().filter(|x| !x.2).map(|x| x.0.id).collect();
    let all: Vec<u64> = o.iter().map(|x| x.0.id).collect();
    // Before: today's order, each product with what the blend would say of it.
    let scored = merch::rank(&all, &[], &by_id, &l.facts, w, ROW);
    let by_product: HashMap<u64, &merch::Ranked> = scored.iter().map(|r| (r.product, r)).collect();
    let before: Vec<merch::Ranked> = o
        .iter()
        .filter_map(|x| {
            by_product.get(&x.0.id).map(|r| merch::Ranked {
                pinned: x.2,
                moved_for_diversity: false,
                ..(*r).clone()
            })
        })
        .collect();
    let after = merch::rank(&list, &pins, &by_id, &l.facts, w, ROW);
    (before, after)
}

/// `GET /v1/collections/{key}/preview?weights=`: today's order beside the
/// order the blend gives, each product with the facts that moved it.
pub fn preview(app: &App, key: &str, weights: Option<&str>) -> Result<PreviewOut> {
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    let d = find_def(&l, &saved, key)?;
    let w = parse_weights(weights, d.saved.weights.as_deref())?;
    let (before, after) = rank_def(&l, &d, &w);
    let by_id = l.by_id();
    Ok(PreviewOut {
        key: d.key.clone(),
        weights: w.to_param(),
        before: before.iter().enumerate().map(|(i, r)| ranked_out(r, i, &by_id)).collect(),
        after: after.iter().enumerate().map(|(i, r)| ranked_out(r, i, &by_id)).collect(),
    })
}

fn bad(m: impl Into<String>) -> Error {
    Error::new(Code::InvalidBody, m)
}

fn valid_key(key: &str) -> bool {
    let b = key.as_bytes();
    !b.is_empty()
        && b.len() <= 48
        && b[0].is_ascii_lowercase()
        && b.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// `PUT /v1/collections/{key}`: a person's change (pins, excludes, a rule,
/// a saved ranking), written with its decision-log entry. An unknown key
/// with a rule creates the brand's collection.
pub fn update(app: &App, key: &str, input: &CollectionIn) -> Result<CollectionOut> {
    let by = input.by.trim();
    if by.is_empty() {
        return Err(bad("`by` is required: who made the change"));
    }
    let l = loaded(app)?;
    let mut saved = saved_all(app)?;
    let existing = defs(&l, &saved).into_iter().find(|d| d.key == key);
    let kind = match &existing {
        Some(d) => d.kind,
        None => {
            if input.rule.is_none() {
                return Err(Error::not_found(format!("collection {key:?} (send a `rule` to create it)")));
            }
            if !valid_key(key) || key.starts_with("category-") || key.starts_with("collection-") {
                return Err(bad(format!(
                    "key {key:?}: use lower-case letters, digits and '-', at most 48, not starting with category- or collection-"
                )));
            }
            Kind::Rule
        }
    };
    if input.rule.is_some() && kind != Kind::Rule {
        return Err(bad(format!(
            "`rule`: {key:?} is a {} collection; its members are not set by a rule",
            kind.as_str()
        )));
    }
    let before = saved.remove(key).unwrap_or_default();
    let mut next = before.clone();
    if let Some(n) = &input.name {
        let n = n.trim();
        if n.is_empty() || n.chars().count() > 80 {
            return Err(bad("`name`: 1 to 80 characters"));
        }
        next.name = Some(n.to_string());
    }
    if let Some(dsc) = &input.description {
        if dsc.chars().count() > 500 {
            return Err(bad("`description`: at most 500 characters"));
        }
        next.description = Some(dsc.trim().to_string());
    }
    if let Some(r) = &input.rule {
        let rule = rule_of(r);
        if rule.is_empty() {
            return Err(bad(
                "`rule`: name at least one category, style, word, stone, metal, price band, tag or query",
            ));
        }
        if let Some(p) = rule.problems().into_iter().next() {
            return Err(bad(format!("`rule.{p}")));
        }
        next.rule = Some(r.clone());
        if next.name.is_none() {
            next.name = Some(title_case(key));
        }
    }
    let known = |list: &[String], field: &str| -> Result<Vec<String>> {
        let mut out: Vec<String> = Vec::new();
        for h in list {
            let h = h.trim();
            if l.product(h).is_none() {
                return Err(bad(format!("`{field}`: no product with handle {h:?}")));
            }
            if !out.iter().any(|x| x == h) {
                out.push(h.to_string());
            }
        }
        if out.len() > 200 {
            return Err(bad(format!("`{field}`: at most 200 products")));
        }
        Ok(out)
    };
    if let Some(p) = &input.pins {
        next.pins = known(p, "pins")?;
    }
    if let Some(x) = &input.excludes {
        next.excludes = known(x, "excludes")?;
    }
    if let Some(both) = next.pins.iter().find(|h| next.excludes.contains(h)) {
        return Err(bad(format!("{both:?} is both pinned and excluded")));
    }
    let now = crate::support::rfc3339(app.clock.now_secs());
    next.updated_at = Some(now);
    next.updated_by = Some(by.to_string());

    let draft = Def {
        key: key.to_string(),
        name: next
            .name
            .clone()
            .unwrap_or_else(|| existing.as_ref().map(|d| d.name.clone()).unwrap_or_default()),
        description: next.description.clone().unwrap_or_default(),
        kind,
        saved: next.clone(),
    };
    let order_before: Vec<String> = {
        let d = Def { saved: before.clone(), ..clone_def(&draft) };
        ordered(&l, &d).iter().take(12).map(|x| x.0.handle.clone()).collect()
    };
    let mut what = "merchandising_collection";
    if let Some(wtext) = input.weights.as_deref().filter(|w| !w.trim().is_empty()) {
        let w = merch::Weights::parse(wtext).map_err(|e| bad(format!("`weights`: {e}")))?;
        let d = Def { saved: Saved { order: Vec::new(), ..next.clone() }, ..clone_def(&draft) };
        let (_, after) = rank_def(&l, &d, &w);
        let by_id = l.by_id();
        next.order = after
            .iter()
            .filter(|r| !r.pinned)
            .filter_map(|r| by_id.get(&r.product).map(|p| p.handle.clone()))
            .collect();
        next.weights = Some(w.to_param());
        what = "merchandising_ranking";
    }
    let order_after: Vec<String> = {
        let d = Def { saved: next.clone(), ..clone_def(&draft) };
        ordered(&l, &d).iter().take(12).map(|x| x.0.handle.clone()).collect()
    };
    let json = serde_json::to_string(&next).map_err(Error::internal)?;
    app.store.put_doc_decided(
        COLLECTIONS,
        key,
        Some(&json),
        VERSION,
        &store::NewDecision {
            at_ms: app.clock.now_ms(),
            kind: what.into(),
            subject: format!("collection:{key}"),
            version: "merch:1".into(),
            inputs: serde_json::json!({
                "before": {"pins": before.pins, "excludes": before.excludes, "weights": before.weights, "rule": before.rule, "first": order_before},
            })
            .to_string(),
            output: serde_json::json!({
                "after": {"pins": next.pins, "excludes": next.excludes, "weights": next.weights, "rule": next.rule, "first": order_after},
            })
            .to_string(),
            reasons: "[]".into(),
            actor: by.to_string(),
            override_by: None,
            override_why: None,
        },
    )?;
    saved.insert(key.to_string(), next);
    let d = find_def(&l, &saved, key)?;
    Ok(collection_out(&l, &d))
}

fn clone_def(d: &Def) -> Def {
    Def {
        key: d.key.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        kind: d.kind,
        saved: d.saved.clone(),
    }
}

// ---- bundles ----------------------------------------------------------------

fn item_out(p: &Product) -> BundleItemOut {
    BundleItemOut {
        handle: p.handle.clone(),
        title: p.title.clone(),
        category: p.category.map(|c| c.as_str().to_string()),
        price: p.price_range().map(|(lo, _)| lo.major()),
    }
}

fn decisions_all(app: &App) -> Result<HashMap<String, BundleDecision>> {
    let mut out = HashMap::new();
    for (k, json) in app.store.list_docs(BUNDLES)? {
        out.insert(k, serde_json::from_str(&json).map_err(Error::internal)?);
    }
    Ok(out)
}

fn bundle_out(l: &Loaded, b: &merch::Bundle, d: Option<&BundleDecision>) -> Option<BundleOut> {
    let anchor = l.get(b.anchor)?;
    let items: Vec<BundleItemOut> = match d {
        Some(d) => d.companions.iter().filter_map(|h| l.product(h)).map(item_out).collect(),
        None => vec![item_out(l.get(b.companion)?)],
    };
    Some(BundleOut {
        id: b.id.clone(),
        status: d.map(|d| d.status.clone()).unwrap_or_else(|| "proposed".into()),
        anchor: item_out(anchor),
        items,
        co_orders: b.co_orders,
        anchor_orders: b.anchor_orders,
        attach_rate: b.attach_rate.map(round3),
        estimated: b.estimated,
        lift: b.lift.map(|x| (x * 100.0).round() / 100.0),
        matches: b.matches.iter().map(|m| m.to_string()).collect(),
        evidence: b.evidence.clone(),
        decided_by: d.map(|d| d.by.clone()),
        decided_at: d.map(|d| d.at.clone()),
        note: d.and_then(|d| d.note.clone()),
    })
}

/// Parses a status filter.
pub fn parse_status(s: Option<&str>) -> Result<Option<String>> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s @ ("proposed" | "approved" | "rejected")) => Ok(Some(s.to_string())),
        Some(other) => Err(Error::new(
            Code::InvalidQuery,
            format!("`status` {other:?}: use proposed, approved or rejected"),
        )),
    }
}

/// `GET /v1/bundles`: proposals (best expected companion revenue first)
/// and the decided ones, whose proposal may have gone since.
pub fn bundles(app: &App, status: Option<&str>) -> Result<Vec<BundleOut>> {
    let l = loaded(app)?;
    let decided = decisions_all(app)?;
    let mut out: Vec<BundleOut> =
        l.bundles.iter().filter_map(|b| bundle_out(&l, b, decided.get(&b.id))).collect();
    let listed: HashSet<String> = out.iter().map(|b| b.id.clone()).collect();
    // Decided bundles no longer proposed (the data moved) are still listed.
    let mut gone: Vec<(&String, &BundleDecision)> =
        decided.iter().filter(|(id, _)| !listed.contains(*id)).collect();
    gone.sort_by_key(|(id, _)| id.as_str());
    for (id, d) in gone {
        let Some(anchor) = l.product(&d.anchor) else { continue };
        out.push(BundleOut {
            id: id.clone(),
            status: d.status.clone(),
            anchor: item_out(anchor),
            items: d.companions.iter().filter_map(|h| l.product(h)).map(item_out).collect(),
            co_orders: 0,
            anchor_orders: 0,
            attach_rate: None,
            estimated: false,
            lift: None,
            matches: Vec::new(),
            evidence: vec!["no longer proposed from today's data; kept as decided".into()],
            decided_by: Some(d.by.clone()),
            decided_at: Some(d.at.clone()),
            note: d.note.clone(),
        });
    }
    if let Some(s) = status {
        out.retain(|b| b.status == s);
    }
    Ok(out)
}

/// `POST /v1/bundles/{id}/decision`.
pub fn decide_bundle(app: &App, id: &str, d: &BundleDecisionIn) -> Result<BundleOut> {
    let by = d.by.trim();
    if by.is_empty() {
        return Err(bad("`by` is required: who decided"));
    }
    let l = loaded(app)?;
    let all = bundles(app, None)?;
    let current =
        all.into_iter().find(|b| b.id == id).ok_or_else(|| Error::not_found(format!("bundle {id:?}")))?;
    let (status, companions) = match d.decision.as_str() {
        "approve" => ("approved", current.items.iter().map(|i| i.handle.clone()).collect::<Vec<_>>()),
        "reject" => ("rejected", current.items.iter().map(|i| i.handle.clone()).collect()),
        "edit" => {
            let items = d
                .items
                .as_ref()
                .filter(|i| !i.is_empty())
                .ok_or_else(|| bad("`items`: an edit names the companions"))?;
            let mut list: Vec<String> = Vec::new();
            for h in items {
                let h = h.trim();
                if l.product(h).is_none() {
                    return Err(bad(format!("`items`: no product with handle {h:?}")));
                }
                if h == current.anchor.handle {
                    return Err(bad("`items`: the anchor cannot be its own companion"));
                }
                if !list.iter().any(|x| x == h) {
                    list.push(h.to_string());
                }
            }
            if list.len() > 4 {
                return Err(bad("`items`: at most 4 companions"));
            }
            ("approved", list)
        }
        other => return Err(bad(format!("`decision` {other:?}: use approve, reject or edit"))),
    };
    let record = BundleDecision {
        status: status.into(),
        anchor: current.anchor.handle.clone(),
        companions: companions.clone(),
        by: by.to_string(),
        at: crate::support::rfc3339(app.clock.now_secs()),
        note: d.note.clone().filter(|n| !n.trim().is_empty()),
    };
    let json = serde_json::to_string(&record).map_err(Error::internal)?;
    let before: Vec<String> = current.items.iter().map(|i| i.handle.clone()).collect();
    app.store.put_doc_decided(
        BUNDLES,
        id,
        Some(&json),
        VERSION,
        &store::NewDecision {
            at_ms: app.clock.now_ms(),
            kind: "merchandising_bundle".into(),
            subject: format!("bundle:{id}"),
            version: "merch:1".into(),
            inputs: serde_json::json!({"status": current.status, "anchor": current.anchor.handle, "items": before,
                "attach_rate": current.attach_rate, "estimated": current.estimated})
            .to_string(),
            output: serde_json::json!({"decision": d.decision, "status": status, "items": companions, "note": record.note})
                .to_string(),
            reasons: serde_json::to_string(&current.evidence).map_err(Error::internal)?,
            actor: by.to_string(),
            override_by: None,
            override_why: None,
        },
    )?;
    bundles(app, None)?
        .into_iter()
        .find(|b| b.id == id)
        .ok_or_else(|| Error::not_found(format!("bundle {id:?}")))
}

/// Approved bundles that hold `handle` (as anchor or companion): the other
/// pieces, with the evidence's first line for the shopper's reason.
pub fn approved_with(app: &App, handle: &str) -> Result<Vec<(String, String)>> {
    let decided = decisions_all(app)?;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut ids: Vec<&String> = decided.keys().collect();
    ids.sort();
    for id in ids {
        let d = &decided[id];
        if d.status != "approved" {
            continue;
        }
        let mut pieces: Vec<&String> = std::iter::once(&d.anchor).chain(d.companions.iter()).collect();
        if !pieces.iter().any(|h| *h == handle) {
            continue;
        }
        pieces.retain(|h| *h != handle);
        for h in pieces {
            if !out.iter().any(|(x, _)| x == h) {
                out.push((h.clone(), "Chosen by our team to wear together".into()));
            }
        }
    }
    Ok(out)
}

// ---- placements -------------------------------------------------------------

fn monday(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)
}

fn date_of_day(day: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(day)
}

fn day_of_date(d: NaiveDate) -> i64 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()).num_days()
}

fn placement_sets(l: &Loaded, saved: &HashMap<String, Saved>) -> Vec<merch::CollectionSales> {
    defs(l, saved)
        .iter()
        .filter(|d| d.kind != Kind::Category)
        .map(|d| merch::CollectionSales {
            key: d.key.clone(),
            name: d.name.clone(),
            members: ordered(l, d).iter().map(|x| x.0.id).collect(),
        })
        .collect()
}

fn placement_out(p: &merch::Placement) -> PlacementOut {
    PlacementOut {
        key: p.key.clone(),
        name: p.name.clone(),
        slot: p.slot.map(|s| s.as_str().to_string()),
        score: round3(p.score),
        units_4w: p.units_4w,
        momentum: (p.momentum * 100.0).round() / 100.0,
        season_lift: p.season_lift.map(|x| (x * 100.0).round() / 100.0),
        on_hand: p.on_hand,
        cover_weeks: p.cover_weeks.map(|x| (x * 10.0).round() / 10.0),
        margin_rate: p.margin_rate.map(round3),
        evidence: p.evidence.clone(),
    }
}

/// A week asked for as a day (`YYYY-MM-DD`); empty is the default week.
pub fn parse_week(text: &str) -> Result<Option<NaiveDate>> {
    match text.trim() {
        "" => Ok(None),
        w => NaiveDate::parse_from_str(w, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| Error::new(Code::InvalidQuery, format!("week {w:?}: write YYYY-MM-DD"))),
    }
}

/// `GET /v1/placements?week=`: suggestions for the week starting on the
/// Monday of `week` (default: the week after the data ends), read from the
/// days before it, and last week's suggestion beside what sold.
pub fn placements(app: &App, week: Option<NaiveDate>) -> Result<PlacementsOut> {
    let l = loaded(app)?;
    let saved = saved_all(app)?;
    let sets = placement_sets(&l, &saved);
    // Default: the first Monday from the day after the data ends.
    let start = match week {
        Some(d) => monday(d),
        None => {
            let d = date_of_day(l.facts.as_of_day);
            if d.weekday() == chrono::Weekday::Mon {
                d
            } else {
                monday(d) + chrono::Duration::days(7)
            }
        }
    };
    let w = day_of_date(start);
    let now = merch::suggest_placements(&sets, &l.facts, w);
    let slot = |s: merch::PlacementSlot| -> Vec<String> {
        now.ranked.iter().filter(|p| p.slot == Some(s)).map(|p| p.key.clone()).collect()
    };
    let prev = merch::suggest_placements(&sets, &l.facts, w - 7);
    let last_week = (l.facts.first_day.is_some() && w - 7 < l.facts.as_of_day).then(|| {
        let mut sold: Vec<LastWeekRowOut> = sets
            .iter()
            .map(|c| LastWeekRowOut {
                key: c.key.clone(),
                name: c.name.clone(),
                units: c.members.iter().filter_map(|id| l.facts.of(*id)).map(|f| f.units_between(w - 7, w)).sum(),
            })
            .collect();
        sold.sort_by(|a, b| b.units.cmp(&a.units).then(a.key.cmp(&b.key)));
        let hero = prev.ranked.iter().find(|p| p.slot == Some(merch::PlacementSlot::Hero));
        let hero_rank = hero.and_then(|h| sold.iter().position(|s| s.key == h.key)).map(|i| i + 1);
        let complete = w <= l.facts.as_of_day;
        LastWeekOut {
            week: date_of_day(w - 7).to_string(),
            suggested: prev
                .ranked
                .iter()
                .filter_map(|p| p.slot.map(|s| format!("{}:{}", s.as_str(), p.key)))
                .collect(),
            hero_rank,
            note: if complete {
                "Suggested from the days before that week (stock as it is today); sold: units of each collection that week.".into()
            } else {
                "That week is not over in the data: its sales are partial.".into()
            },
            sold: sold.into_iter().take(10).collect(),
        }
    });
    Ok(PlacementsOut {
        week: start.to_string(),
        data_until: l.facts.first_day.map(|_| date_of_day(l.facts.as_of_day - 1).to_string()),
        hero: slot(merch::PlacementSlot::Hero).into_iter().next(),
        email: slot(merch::PlacementSlot::Email),
        paid: slot(merch::PlacementSlot::Paid),
        collections: now.ranked.iter().map(placement_out).collect(),
        last_week,
    })
}

// ---- evaluation -----------------------------------------------------------

#[derive(Deserialize)]
struct TruthProduct {
    handle: String,
    #[serde(default)]
    style: Option<String>,
    #[serde(default)]
    collection: Option<String>,
    #[serde(default)]
    investment: bool,
    #[serde(default)]
    status: Option<String>,
}

fn pr(
    members: &HashSet<String>,
    truth: &HashSet<String>,
    catalog: usize,
    intent: &str,
    what: &str,
) -> IntentScoreOut {
    let hit = members.intersection(truth).count() as f64;
    IntentScoreOut {
        intent: intent.into(),
        truth: what.into(),
        truth_size: truth.len(),
        members: members.len(),
        precision: if members.is_empty() { 0.0 } else { round3(hit / members.len() as f64) },
        recall: if truth.is_empty() { 0.0 } else { round3(hit / truth.len() as f64) },
        base_rate: if catalog == 0 { 0.0 } else { round3(truth.len() as f64 / catalog as f64) },
    }
}

/// Scores intents, bundles and a replay of re-ranking against the demo
/// brand's ground truth (`DIR/products.jsonl`, `sessions.csv`,
/// `collections.json`): everything learnt from the data before `cut`, the
/// truth of behaviour read from the days after it.
pub fn evaluate(
    app: &App,
    truth_dir: &std::path::Path,
    cut: NaiveDate,
    until: Option<NaiveDate>,
    w: &merch::Weights,
) -> Result<MerchEvalOut> {
    let read = |name: &str| {
        std::fs::read_to_string(truth_dir.join(name))
            .map_err(|e| Error::new(Code::InvalidQuery, format!("{}: {e}", truth_dir.join(name).display())))
    };
    let catalog = app.engines.catalog()?;
    let cut_ms = day_of_date(cut) * 86_400_000;
    let until_ms = until.map(|u| day_of_date(u) * 86_400_000).unwrap_or(i64::MAX);
    let until_text = until.map(|u| u.to_string()).unwrap_or_else(|| "9999-12-31".into());
    let l = Loaded::build(&app.store, catalog.clone(), &HashSet::new(), Some(cut_ms), app.clock.now_secs())?;
    let active: Vec<&Product> =
        catalog.iter().filter(|p| p.status == ProductStatus::Active && !p.order_only).collect();
    let active_handles: HashSet<&str> = active.iter().map(|p| p.handle.as_str()).collect();
    let mut truth_products: HashMap<String, TruthProduct> = HashMap::new();
    for (i, line) in read("products.jsonl")?.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let t: TruthProduct = serde_json::from_str(line)
            .map_err(|e| Error::new(Code::InvalidQuery, format!("products.jsonl line {}: {e}", i + 1)))?;
        if t.status.as_deref().is_none_or(|s| s == "active") && active_handles.contains(t.handle.as_str()) {
            truth_products.insert(t.handle.clone(), t);
        }
    }

    // Sessions after the cut: their reason, by order.
    let sessions = read("sessions.csv")?;
    let mut reason_of_order: HashMap<String, String> = HashMap::new();
    let mut rdr = csv::Reader::from_reader(sessions.as_bytes());
    for rec in rdr.records().filter_map(|r| r.ok()) {
        let (date, reason, order) =
            (rec.get(2).unwrap_or(""), rec.get(3).unwrap_or(""), rec.get(7).unwrap_or(""));
        if !order.is_empty() && date >= cut.to_string().as_str() && date < until_text.as_str() {
            reason_of_order.insert(order.to_string(), reason.to_string());
        }
    }
    let by_sku: HashMap<&str, &str> = catalog
        .iter()
        .flat_map(|p| p.variants.iter().map(move |v| (v.sku.as_str(), p.handle.as_str())))
        .collect();
    let lines = app.store.order_lines()?;
    let mut bought: HashMap<&str, HashMap<&str, u32>> = HashMap::new();
    let mut after_units: HashMap<&str, i64> = HashMap::new();
    let mut after_baskets: HashMap<&str, HashSet<&str>> = HashMap::new();
    for line in lines.iter().filter(|x| {
        x.kind == LineKind::Sale && x.ordered_at * 1000 >= cut_ms && x.ordered_at * 1000 < until_ms
    }) {
        let Some(h) = by_sku.get(line.sku.as_str()) else { continue };
        *after_units.entry(h).or_default() += line.quantity.max(0);
        after_baskets.entry(line.order_id.as_str()).or_default().insert(h);
        if let Some(r) = reason_of_order.get(&line.order_id) {
            *bought.entry(h).or_default().entry(r.as_str()).or_default() += 1;
        }
    }
    let over_indexed = |reasons: &[&str]| -> HashSet<String> {
        let (mut hits, mut all) = (0u32, 0u32);
        for m in bought.values() {
            for (r, n) in m {
                all += n;
                if reasons.contains(r) {
                    hits += n;
                }
            }
        }
        let rate = if all > 0 { hits as f64 / all as f64 } else { 0.0 };
        bought
            .iter()
            .filter(|(_, m)| {
                let n: u32 = m.values().sum();
                let k: u32 = m.iter().filter(|(r, _)| reasons.contains(r)).map(|(_, n)| n).sum();
                k >= 2 && n > 0 && (k as f64 / n as f64) >= 1.5 * rate
            })
            .map(|(h, _)| h.to_string())
            .collect()
    };
    let members_of = |key: &str| -> HashSet<String> {
        let by_id = l.by_id();
        l.intent_members
            .get(key)
            .map(|m| {
                m.iter()
                    .filter(|m| m.strength >= merch::MEMBER_THRESHOLD)
                    .filter_map(|m| by_id.get(&m.product).map(|p| p.handle.clone()))
                    .collect()
            })
            .unwrap_or_default()
    };
    let by_style = |s: &str| -> HashSet<String> {
        truth_products.values().filter(|t| t.style.as_deref() == Some(s)).map(|t| t.handle.clone()).collect()
    };
    let n = truth_products.len();
    let gift = over_indexed(&["gift", "birthday", "anniversary"]);
    let mut bridal = over_indexed(&["engagement", "wedding"]);
    bridal.extend(by_style("bridal"));
    let investment: HashSet<String> =
        truth_products.values().filter(|t| t.investment).map(|t| t.handle.clone()).collect();
    let intents = vec![
        pr(&members_of("gifting"), &gift, n, "gifting", "bought in gift, birthday and anniversary sessions after the cut at 1.5x the shop's rate or more (2+ such purchases)"),
        pr(&members_of("bridal"), &bridal, n, "bridal", "bridal style, or bought in engagement and wedding sessions after the cut at 1.5x the shop's rate or more"),
        pr(&members_of("minimalist"), &by_style("minimal"), n, "minimalist", "the product's hidden style is minimal"),
        pr(&members_of("statement"), &by_style("statement"), n, "statement", "the product's hidden style is statement"),
        pr(&members_of("investment"), &investment, n, "investment", "the simulator's investment flag (solid gold of 14K or more, platinum, or a natural diamond)"),
    ];

    // Bundles: proposals from before the cut against the true collections and what was bought after.
    let true_collection: HashMap<&str, &str> = truth_products
        .values()
        .filter_map(|t| t.collection.as_deref().map(|c| (t.handle.as_str(), c)))
        .collect();
    let by_id = l.by_id();
    let pairs: Vec<(&str, &str)> = l
        .bundles
        .iter()
        .filter_map(|b| {
            Some((by_id.get(&b.anchor)?.handle.as_str(), by_id.get(&b.companion)?.handle.as_str()))
        })
        .collect();
    let same = |a: &str, b: &str| true_collection.get(a).is_some_and(|x| true_collection.get(b) == Some(x));
    let together = |a: &str, b: &str| after_baskets.values().any(|s| s.contains(a) && s.contains(b));
    let share = |xs: &[(&str, &str)], f: &dyn Fn(&str, &str) -> bool| -> f64 {
        if xs.is_empty() {
            0.0
        } else {
            round3(xs.iter().filter(|(a, b)| f(a, b)).count() as f64 / xs.len() as f64)
        }
    };
    // Same-collection share over every ordered cross-category pair, counted
    // without listing the pairs (a catalog of n products has n² of them).
    let mut by_cat: HashMap<Option<Category>, f64> = HashMap::new();
    let mut by_coll: HashMap<&str, HashMap<Option<Category>, f64>> = HashMap::new();
    for p in &active {
        *by_cat.entry(p.category).or_default() += 1.0;
        if let Some(c) = true_collection.get(p.handle.as_str()) {
            *by_coll.entry(c).or_default().entry(p.category).or_default() += 1.0;
        }
    }
    let square = |m: &HashMap<Option<Category>, f64>| -> (f64, f64) {
        let n: f64 = m.values().sum();
        (n * n, m.values().map(|x| x * x).sum())
    };
    let (all, same_cat) = square(&by_cat);
    let cross_pairs = all - same_cat;
    let same_pairs: f64 = by_coll.values().map(square).map(|(a, b)| a - b).sum();
    let random_same = if cross_pairs > 0.0 { round3(same_pairs / cross_pairs) } else { 0.0 };
    // A fixed-seed sample of cross-category pairs, as many as the proposals.
    let mut sample: Vec<(&str, &str)> = Vec::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut tries = 0;
    while sample.len() < pairs.len() && cross_pairs > 0.0 && tries < 1_000_000 {
        tries += 1;
        let (a, b) = (
            active[(next() % active.len() as u64) as usize],
            active[(next() % active.len() as u64) as usize],
        );
        if a.category != b.category {
            sample.push((a.handle.as_str(), b.handle.as_str()));
        }
    }
    let bundles = BundleScoreOut {
        proposed: pairs.len(),
        same_true_collection: share(&pairs, &same),
        same_true_collection_random: random_same,
        bought_together_after: share(&pairs, &together),
        bought_together_after_random: share(&sample, &together),
    };

    // Replay: each category's first row with the default blend against the
    // catalog's order and the best sellers, scored by the season's units.
    let units_after = |h: &str| -> i64 { after_units.get(h).copied().unwrap_or(0) };
    let (mut re, mut cat_order, mut best, mut total, mut cats) = (0i64, 0i64, 0i64, 0i64, 0usize);
    let mut categories: BTreeMap<Category, Vec<&Product>> = BTreeMap::new();
    for p in &active {
        if let Some(c) = p.category {
            categories.entry(c).or_default().push(p);
        }
    }
    for list in categories.values() {
        if list.len() <= 2 * ROW {
            continue;
        }
        cats += 1;
        let ids: Vec<u64> = list.iter().map(|p| p.id).collect();
        let ranked = merch::rank(&ids, &[], &by_id, &l.facts, w, ROW);
        let first = |order: &[u64]| -> i64 {
            order.iter().take(ROW).filter_map(|id| by_id.get(id)).map(|p| units_after(&p.handle)).sum()
        };
        re += first(&ranked.iter().map(|r| r.product).collect::<Vec<_>>());
        cat_order += first(&ids);
        let mut sellers = ids.clone();
        sellers.sort_by_key(|id| std::cmp::Reverse(l.facts.of(*id).map(|f| f.units).unwrap_or(0)));
        best += first(&sellers);
        total += ids.iter().filter_map(|id| by_id.get(id)).map(|p| units_after(&p.handle)).sum::<i64>();
    }
    let frac = |x: i64| if total > 0 { round3(x as f64 / total as f64) } else { 0.0 };
    let ratio = |a: i64, b: i64| if b > 0 { round3(a as f64 / b as f64) } else { 0.0 };
    Ok(MerchEvalOut {
        cut: cut.to_string(),
        until: until.map(|u| u.to_string()),
        weights: w.to_param(),
        intents,
        bundles,
        replay: ReplayOut {
            categories: cats,
            first_row_share_reranked: frac(re),
            first_row_share_catalog_order: frac(cat_order),
            first_row_share_bestsellers: frac(best),
            ratio_to_catalog_order: ratio(re, cat_order),
            ratio_to_bestsellers: ratio(re, best),
            row: ROW,
        },
    })
}
