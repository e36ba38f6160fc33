//! Intent collections: definitions (the shipped `data/intents.toml` and the
//! brand's own rules), and each product's membership with its strength and
//! reasons, from its attributes, the searches that led to its purchases and
//! what it is bought with.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::{Category, Product, ProductStatus};
use serde::Deserialize;

use crate::facts::Facts;

/// Strength from which a product is a member.
pub const MEMBER_THRESHOLD: f64 = 0.5;

/// The default weight of each criterion group (see `data/intents.toml`).
const WEIGHTS: [(&str, f64); 7] = [
    ("categories", 0.6),
    ("styles", 0.5),
    ("words", 0.4),
    ("stones", 0.35),
    ("tags", 0.5),
    ("metals", 0.25),
    ("price_bands", 0.25),
];

/// Weight of a clear co-purchase with members.
const BOUGHT_WITH: f64 = 0.3;

/// What a collection's products have: each non-empty list that a product
/// matches adds its weight.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Canonical category names (`engagement_ring`, `pendant`).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Style words the normalizer found (`minimal`, `statement`).
    #[serde(default)]
    pub styles: Vec<String>,
    /// Words of the title, the tags or the style words.
    #[serde(default)]
    pub words: Vec<String>,
    /// Stone kinds (`diamond`, `pearl`).
    #[serde(default)]
    pub stones: Vec<String>,
    /// Metal kinds (`platinum`, `stainless_steel`).
    #[serde(default)]
    pub metals: Vec<String>,
    /// Gold of this karat or more also matches `metals`.
    #[serde(default)]
    pub min_karat: Option<u8>,
    /// Stones match only when not lab-grown or simulated.
    #[serde(default)]
    pub natural_stones_only: bool,
    /// `low`, `mid`, `high`: the product's third of its category's prices.
    #[serde(default)]
    pub price_bands: Vec<String>,
    /// The brand's own tags, matched whole and case-insensitively.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Searches that name the collection (whole words, case-insensitive).
    #[serde(default)]
    pub queries: Vec<String>,
    /// Overrides of a criterion group's weight (`metals = 0.45`).
    #[serde(default)]
    pub weights: BTreeMap<String, f64>,
}

impl Rule {
    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
            && self.styles.is_empty()
            && self.words.is_empty()
            && self.stones.is_empty()
            && self.metals.is_empty()
            && self.min_karat.is_none()
            && self.price_bands.is_empty()
            && self.tags.is_empty()
            && self.queries.is_empty()
    }

    fn weight(&self, group: &str) -> f64 {
        self.weights
            .get(group)
            .copied()
            .or_else(|| WEIGHTS.iter().find(|(g, _)| *g == group).map(|(_, w)| *w))
            .unwrap_or(0.0)
            .clamp(0.0, 1.0)
    }

    /// Problems a person must fix before saving the rule, each naming its field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for c in &self.categories {
            if Category::parse(c).is_none() {
                out.push(format!("categories: {c:?} is not a category"));
            }
        }
        for b in &self.price_bands {
            if PriceBand::parse(b).is_none() {
                out.push(format!("price_bands: {b:?}: use low, mid or high"));
            }
        }
        for (g, w) in &self.weights {
            if !WEIGHTS.iter().any(|(k, _)| k == g) {
                out.push(format!("weights: {g:?} is not a criterion"));
            } else if !(0.0..=1.0).contains(w) {
                out.push(format!("weights: {g} = {w} is outside 0 to 1"));
            }
        }
        out
    }
}

/// A collection shoppers think in: shipped (`builtin`) or the brand's.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionDef {
    pub key: String,
    pub name: String,
    pub description: String,
    pub rule: Rule,
    pub builtin: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentFile {
    intent: Vec<IntentEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentEntry {
    key: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    styles: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    #[serde(default)]
    stones: Vec<String>,
    #[serde(default)]
    metals: Vec<String>,
    #[serde(default)]
    min_karat: Option<u8>,
    #[serde(default)]
    natural_stones_only: bool,
    #[serde(default)]
    price_bands: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    queries: Vec<String>,
    #[serde(default)]
    weights: BTreeMap<String, f64>,
}

/// Reads an intents file (the format of `data/intents.toml`).
pub fn parse_intents(text: &str) -> Result<Vec<CollectionDef>, String> {
    let file: IntentFile = toml::from_str(text).map_err(|e| e.to_string())?;
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for e in file.intent {
        if !seen.insert(e.key.clone()) {
            return Err(format!("intent {:?} is defined twice", e.key));
        }
        let rule = Rule {
            categories: e.categories,
            styles: e.styles,
            words: e.words,
            stones: e.stones,
            metals: e.metals,
            min_karat: e.min_karat,
            natural_stones_only: e.natural_stones_only,
            price_bands: e.price_bands,
            tags: e.tags,
            queries: e.queries,
            weights: e.weights,
        };
        if let Some(p) = rule.problems().into_iter().next() {
            return Err(format!("intent {:?}: {p}", e.key));
        }
        out.push(CollectionDef { key: e.key, name: e.name, description: e.description, rule, builtin: true });
    }
    Ok(out)
}

/// The shipped intents.
pub fn builtin_intents() -> Vec<CollectionDef> {
    parse_intents(include_str!("../data/intents.toml")).unwrap_or_default()
}

/// A product's third of its category's prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PriceBand {
    Low,
    Mid,
    High,
}

impl PriceBand {
    pub fn as_str(self) -> &'static str {
        match self {
            PriceBand::Low => "low",
            PriceBand::Mid => "mid",
            PriceBand::High => "high",
        }
    }

    pub fn parse(s: &str) -> Option<PriceBand> {
        match s {
            "low" => Some(PriceBand::Low),
            "mid" => Some(PriceBand::Mid),
            "high" => Some(PriceBand::High),
            _ => None,
        }
    }
}

/// The lowest variant price of a product, major units.
pub(crate) fn min_price(p: &Product) -> Option<f64> {
    p.price_range().map(|(lo, _)| lo.major())
}

/// Each priced product's third of its category's prices (categories with
/// fewer than three priced products have no bands).
pub fn price_bands(products: &[Product]) -> HashMap<u64, PriceBand> {
    let mut by_cat: HashMap<Option<Category>, Vec<(f64, u64)>> = HashMap::new();
    for p in products {
        if let Some(price) = min_price(p) {
            by_cat.entry(p.category).or_default().push((price, p.id));
        }
    }
    let mut out = HashMap::new();
    for (_, mut list) in by_cat {
        if list.len() < 3 {
            continue;
        }
        list.sort_by(|a, b| a.0.total_cmp(&b.0));
        let n = list.len();
        for (i, (_, id)) in list.iter().enumerate() {
            let band = match i * 3 / n {
                0 => PriceBand::Low,
                1 => PriceBand::Mid,
                _ => PriceBand::High,
            };
            out.insert(*id, band);
        }
    }
    out
}

/// One true statement behind a membership, with what it added.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    /// `category`, `style`, `word`, `stone`, `metal`, `price_band`, `tag`,
    /// `searches`, `bought_with`.
    pub code: &'static str,
    pub text: String,
    pub weight: f64,
}

/// A product's membership of a collection.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub product: u64,
    /// In [0, 1]; a member from [`MEMBER_THRESHOLD`].
    pub strength: f64,
    pub reasons: Vec<Reason>,
}

/// Lower-case words of a text.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Whether `phrase` (already split into words) appears in `words` in order.
fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase)
}

fn category_label(c: Category) -> String {
    c.as_str().replace('_', " ")
}

/// "a ring", "an engagement ring".
pub fn a_an(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    format!("{article} {noun}")
}

/// Attribute reasons of `p` under `rule`.
fn attribute_reasons(rule: &Rule, p: &Product, band: Option<PriceBand>) -> Vec<Reason> {
    let mut out = Vec::new();
    if let Some(c) = p.category.filter(|c| rule.categories.iter().any(|x| x == c.as_str())) {
        out.push(Reason {
            code: "category",
            text: format!("it is {}", a_an(&category_label(c))),
            weight: rule.weight("categories"),
        });
    }
    if let Some(s) = p.styles.iter().find(|s| rule.styles.iter().any(|x| x.eq_ignore_ascii_case(s))) {
        out.push(Reason { code: "style", text: format!("its style is {s}"), weight: rule.weight("styles") });
    }
    if !rule.words.is_empty() {
        let mut own = words_of(&p.title);
        for t in &p.tags {
            own.extend(words_of(t));
        }
        let found: Vec<&String> =
            rule.words.iter().filter(|w| own.iter().any(|o| o.eq_ignore_ascii_case(w))).take(3).collect();
        if !found.is_empty() {
            let list = found.iter().map(|w| format!("“{w}”")).collect::<Vec<_>>().join(", ");
            out.push(Reason {
                code: "word",
                text: format!("its title or tags say {list}"),
                weight: rule.weight("words"),
            });
        }
    }
    if !rule.stones.is_empty() {
        let stone = p.variants.iter().flat_map(|v| &v.stones).find(|s| {
            rule.stones.contains(&s.kind)
                && (!rule.natural_stones_only
                    || !matches!(
                        s.origin,
                        Some(model::StoneOrigin::LabGrown) | Some(model::StoneOrigin::Simulant)
                    ))
        });
        if let Some(s) = stone {
            let natural = if rule.natural_stones_only { "natural " } else { "" };
            out.push(Reason {
                code: "stone",
                text: format!("it is set with {natural}{}", s.kind.replace('_', " ")),
                weight: rule.weight("stones"),
            });
        }
    }
    if !rule.metals.is_empty() || rule.min_karat.is_some() {
        let metal = p.variants.iter().flat_map(|v| &v.metals).find(|m| {
            rule.metals.contains(&m.kind)
                || (m.kind == "gold"
                    && m.finish.is_none_or(|f| f == model::Finish::Solid)
                    && rule.min_karat.is_some_and(|k| m.karat.is_some_and(|mk| mk >= k)))
        });
        if let Some(m) = metal {
            let text = match m.karat {
                Some(k) if m.kind == "gold" => format!("it comes in {k}K gold"),
                _ => format!("it comes in {}", m.kind.replace('_', " ")),
            };
            out.push(Reason { code: "metal", text, weight: rule.weight("metals") });
        }
    }
    if let Some(b) = band.filter(|b| rule.price_bands.iter().any(|x| x == b.as_str())) {
        let which = match b {
            PriceBand::Low => "lowest",
            PriceBand::Mid => "middle",
            PriceBand::High => "highest",
        };
        let cat = p.category.map(category_label).unwrap_or_else(|| "uncategorised piece".into());
        out.push(Reason {
            code: "price_band",
            text: format!("its price is in the {which} third of the shop's {cat} prices"),
            weight: rule.weight("price_bands"),
        });
    }
    if let Some(t) = p.tags.iter().find(|t| rule.tags.iter().any(|x| x.trim().eq_ignore_ascii_case(t.trim())))
    {
        out.push(Reason {
            code: "tag", text: format!("it is tagged “{t}”"), weight: rule.weight("tags")
        });
    }
    out
}

/// A brand's own rule means all of it: a product matching every list is a
/// member (0.95); matching part of it gives at most 0.3, which only searches
/// or baskets can lift over the line. The reasons' weights combine to that.
fn brand_rule_weights(rule: &Rule, reasons: &mut [Reason]) {
    let groups = [
        !rule.categories.is_empty(),
        !rule.styles.is_empty(),
        !rule.words.is_empty(),
        !rule.stones.is_empty(),
        !rule.metals.is_empty() || rule.min_karat.is_some(),
        !rule.price_bands.is_empty(),
        !rule.tags.is_empty(),
    ]
    .iter()
    .filter(|g| **g)
    .count();
    let k = reasons.len();
    if groups == 0 || k == 0 {
        return;
    }
    let target: f64 = if k >= groups { 0.95 } else { 0.3 * k as f64 / groups as f64 };
    let each = 1.0 - (1.0 - target).powf(1.0 / k as f64);
    for r in reasons.iter_mut() {
        r.weight = each;
    }
}

fn combine(reasons: &[Reason]) -> f64 {
    1.0 - reasons.iter().fold(1.0, |acc, r| acc * (1.0 - r.weight.clamp(0.0, 1.0)))
}

/// Every product's membership of `def` with a strength above zero,
/// strongest first: attributes, then searches before purchases (against
/// the shop's own rate), then co-purchase with the members found so far.
/// Draft, archived and order-only products are left out.
pub fn members(
    def: &CollectionDef,
    products: &[Product],
    facts: &Facts,
    bands: &HashMap<u64, PriceBand>,
) -> Vec<Member> {
    let live: Vec<&Product> =
        products.iter().filter(|p| p.status == ProductStatus::Active && !p.order_only).collect();
    let phrases: Vec<Vec<String>> =
        def.rule.queries.iter().map(|q| words_of(q)).filter(|w| !w.is_empty()).collect();
    let matching = |queries: &[String]| -> Option<String> {
        queries
            .iter()
            .find(|q| {
                let words = words_of(q);
                phrases.iter().any(|ph| contains_phrase(&words, ph))
            })
            .cloned()
    };

    // The shop's rate: purchases after a search that names the collection.
    let (mut all, mut named) = (0u64, 0u64);
    if !phrases.is_empty() {
        for f in facts.products.values() {
            all += f.purchases;
            named += f.purchase_queries.iter().filter(|qs| matching(qs).is_some()).count() as u64;
        }
    }
    let shop_rate = if all > 0 { named as f64 / all as f64 } else { 0.0 };

    let mut out: Vec<Member> = Vec::new();
    for p in &live {
        let mut reasons = attribute_reasons(&def.rule, p, bands.get(&p.id).copied());
        if !def.builtin {
            brand_rule_weights(&def.rule, &mut reasons);
        }
        if shop_rate > 0.0 {
            if let Some(f) = facts.of(p.id).filter(|f| f.purchases > 0) {
                let mut examples: HashMap<String, u32> = HashMap::new();
                let mut k = 0u64;
                for qs in &f.purchase_queries {
                    if let Some(q) = matching(qs) {
                        k += 1;
                        *examples.entry(q).or_default() += 1;
                    }
                }
                let lift = (k as f64 / f.purchases as f64) / shop_rate;
                if k >= 2 && lift >= 1.5 {
                    let example =
                        examples.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|e| e.0);
                    reasons.push(Reason {
                        code: "searches",
                        text: format!(
                            "{k} of its {} purchases followed searches such as “{}” ({:.1}x the shop's rate)",
                            f.purchases,
                            example.unwrap_or_default(),
                            lift
                        ),
                        weight: (0.35 + 0.25 * lift.log2()).min(0.85),
                    });
                }
            }
        }
        let strength = combine(&reasons);
        if strength > 0.0 {
            out.push(Member { product: p.id, strength, reasons });
        }
    }

    // Bought with the members found so far, clearly more than chance.
    let core: HashSet<u64> =
        out.iter().filter(|m| m.strength >= MEMBER_THRESHOLD).map(|m| m.product).collect();
    if !core.is_empty() && !facts.baskets.is_empty() {
        let with_core = facts.baskets.iter().filter(|b| b.iter().any(|id| core.contains(id))).count() as f64;
        let base = with_core / facts.baskets.len() as f64;
        let mut baskets_of: HashMap<u64, (u32, u32)> = HashMap::new();
        for b in &facts.baskets {
            for id in b {
                let e = baskets_of.entry(*id).or_default();
                e.0 += 1;
                if b.iter().any(|o| o != id && core.contains(o)) {
                    e.1 += 1;
                }
            }
        }
        for p in &live {
            let Some(&(n, c)) = baskets_of.get(&p.id) else { continue };
            if c < 2 || (c as f64 / n as f64) < 2.0 * base {
                continue;
            }
            let reason = Reason {
                code: "bought_with",
                text: format!("{c} of its {n} orders with other pieces included pieces of this collection"),
                weight: BOUGHT_WITH,
            };
            match out.iter_mut().find(|m| m.product == p.id) {
                Some(m) => {
                    m.reasons.push(reason);
                    m.strength = combine(&m.reasons);
                }
                None => out.push(Member { product: p.id, strength: BOUGHT_WITH, reasons: vec![reason] }),
            }
        }
    }
    out.sort_by(|a, b| b.strength.total_cmp(&a.strength).then(a.product.cmp(&b.product)));
    out
}

#[cfg(test)]
mod tests {
    use model::{Currency, Metal, Money, Stone, Variant};

    use super::*;
    use crate::facts::ProductFacts;

    fn product(
        id: u64,
        title: &str,
        category: Category,
        metal: &str,
        stone: Option<&str>,
        price: f64,
    ) -> Product {
        Product {
            id,
            handle: format!("p{id}"),
            title: title.into(),
            category: Some(category),
            variants: vec![Variant {
                sku: format!("S{id}"),
                price: Some(Money::from_major(price, Currency::parse("USD").unwrap())),
                metals: vec![Metal { kind: metal.into(), ..Default::default() }],
                stones: stone
                    .map(|s| vec![Stone { kind: s.into(), ..Default::default() }])
                    .unwrap_or_default(),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn intent(key: &str) -> CollectionDef {
        builtin_intents().into_iter().find(|d| d.key == key).unwrap()
    }

    #[test]
    fn the_shipped_file_reads_and_names_the_issue_intents() {
        let keys: Vec<String> = builtin_intents().into_iter().map(|d| d.key).collect();
        for k in [
            "everyday",
            "gifting",
            "bridal",
            "layering",
            "statement",
            "office",
            "travel",
            "minimalist",
            "investment",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
        }
    }

    #[test]
    fn a_platinum_solitaire_diamond_ring_is_bridal_and_says_why() {
        let products = vec![
            product(1, "Solitaire Diamond Ring", Category::Ring, "platinum", Some("diamond"), 2400.0),
            product(2, "Chunky Chain Bracelet", Category::Bracelet, "silver", None, 90.0),
        ];
        let m = members(&intent("bridal"), &products, &Facts::default(), &price_bands(&products));
        let ring = m.iter().find(|m| m.product == 1).unwrap();
        assert!(ring.strength >= MEMBER_THRESHOLD, "{ring:?}");
        let codes: Vec<&str> = ring.reasons.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["word", "stone", "metal"]);
        assert!(ring.reasons[0].text.contains("“solitaire”"));
        assert!(m.iter().all(|m| m.product != 2), "nothing about the bracelet is bridal");
    }

    #[test]
    fn searches_before_purchases_make_a_member_only_above_the_shops_rate() {
        let products = vec![
            product(1, "Oval Pendant", Category::Pendant, "silver", None, 80.0),
            product(2, "Plain Band", Category::Ring, "silver", None, 80.0),
        ];
        let mut facts = Facts::default();
        let gifty = ProductFacts {
            purchases: 10,
            purchase_queries: vec![vec!["gift for mom".into()]; 6],
            ..Default::default()
        };
        let plain = ProductFacts {
            purchases: 40,
            purchase_queries: vec![vec!["silver band".into()]; 20],
            ..Default::default()
        };
        facts.products.insert(1, gifty);
        facts.products.insert(2, plain);
        let m = members(&intent("gifting"), &products, &facts, &HashMap::new());
        let pendant = m.iter().find(|m| m.product == 1).unwrap();
        let searches = pendant.reasons.iter().find(|r| r.code == "searches").unwrap();
        // 6 of 10 against the shop's 6 of 50: 5.0x.
        assert!(
            searches.text.starts_with("6 of its 10 purchases followed searches such as “gift for mom” (5.0x"),
            "{}",
            searches.text
        );
        assert!(pendant.strength >= MEMBER_THRESHOLD);
        assert!(m.iter().all(|m| m.product != 2 || m.strength < MEMBER_THRESHOLD));
    }

    #[test]
    fn no_behaviour_means_no_behaviour_reason() {
        let products = vec![product(1, "Heart Pendant", Category::Pendant, "gold", None, 200.0)];
        let m = members(&intent("gifting"), &products, &Facts::default(), &HashMap::new());
        assert!(m[0].reasons.iter().all(|r| r.code != "searches" && r.code != "bought_with"));
    }

    #[test]
    fn a_brand_rule_means_all_of_it() {
        let products = vec![
            product(1, "Pearl Necklace", Category::Necklace, "gold", Some("pearl"), 200.0),
            product(2, "Pearl Ring", Category::Ring, "gold", Some("pearl"), 200.0),
        ];
        let def = CollectionDef {
            key: "pearl-necklaces".into(),
            name: "Pearl necklaces".into(),
            description: String::new(),
            rule: Rule {
                categories: vec!["necklace".into()],
                stones: vec!["pearl".into()],
                ..Default::default()
            },
            builtin: false,
        };
        let m = members(&def, &products, &Facts::default(), &HashMap::new());
        let strength = |id| m.iter().find(|m| m.product == id).map(|m| m.strength).unwrap_or(0.0);
        assert!((strength(1) - 0.95).abs() < 1e-9, "{m:?}");
        assert!(strength(2) < MEMBER_THRESHOLD, "half the rule is not the rule: {m:?}");
    }

    #[test]
    fn bad_rules_are_named_by_field() {
        let r = Rule {
            categories: vec!["spaceship".into()],
            price_bands: vec!["cheap".into()],
            ..Default::default()
        };
        let p = r.problems();
        assert!(p[0].starts_with("categories:"), "{p:?}");
        assert!(p[1].starts_with("price_bands:"), "{p:?}");
        assert!(parse_intents("[[intent]]\nkey='a'\nname='A'\n[[intent]]\nkey='a'\nname='B'\n")
            .unwrap_err()
            .contains("twice"));
    }
}
