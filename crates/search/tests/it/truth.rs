//! Every reason on a hit is a true statement about its product: over
//! generated small catalogs, queries and merchandising rules, each attribute
//! reason (metal, colour, karat, stone, origin, category, size, price,
//! recipient, birthstone, stone colour, availability, rule) is checked
//! against the product's own normalized attributes. The generated products
//! come normalized (a category, a metal on every variant, no karat in the
//! text), as the catalog crate hands them over, so the index's title
//! fallback for products the catalog could not read does not apply.

use std::collections::HashMap;

use model::{Category, Currency, Gender, Metal, Money, Product, Size, Stone, StoneOrigin, Variant};
use proptest::prelude::*;
use search::{BehaviourStats, Config, Reason, Rule, RuleAction, SearchIndex, SearchRequest, DEFAULT_LEXICON};

const CATEGORIES: [(Category, &str, &str); 8] = [
    (Category::Ring, "Ring", "is a ring"),
    (Category::EngagementRing, "Engagement Ring", "is an engagement ring"),
    (Category::WeddingBand, "Wedding Band", "is a wedding band"),
    (Category::Necklace, "Necklace", "is a necklace"),
    (Category::Pendant, "Pendant", "is a pendant"),
    (Category::Earrings, "Earrings", "is a pair of earrings"),
    (Category::Bracelet, "Bracelet", "is a bracelet"),
    (Category::Chain, "Chain", "is a chain"),
];
const METALS: [&str; 3] = ["gold", "silver", "platinum"];
const GOLD_COLORS: [&str; 3] = ["yellow", "white", "rose"];
const KARATS: [Option<u8>; 4] = [Some(10), Some(14), Some(18), None];
const STONES: [&str; 8] = ["diamond", "ruby", "sapphire", "pearl", "garnet", "topaz", "emerald", "amethyst"];
const STONE_COLORS: [&str; 4] = ["blue", "red", "white", "green"];
const GENDERS: [Gender; 4] = [Gender::Women, Gender::Men, Gender::Unisex, Gender::Kids];
const EXTRAS: [&str; 6] = ["Classic", "Trinity", "Love", "Halo", "Dainty", "Signature"];

/// Words a shopper might type; a query is a few of them.
const PHRASES: [&str; 44] = [
    "ring",
    "engagement ring",
    "wedding band",
    "necklace",
    "pendant",
    "earrings",
    "bracelet",
    "chain",
    "gold",
    "white gold",
    "yellow gold",
    "rose gold",
    "silver",
    "platinum",
    "14k",
    "18k",
    "diamond",
    "ruby",
    "sapphire",
    "pearl",
    "topaz",
    "garnet",
    "july birthstone",
    "september birthstone",
    "blue stone",
    "red stone",
    "gemstone",
    "birthstone",
    "lab grown",
    "natural",
    "size 7",
    "under $500",
    "over $1000",
    "between $100 and $800",
    "cheap",
    "luxury",
    "for her",
    "for him",
    "for my son",
    "dainty",
    "classic",
    "gift",
    "trinity",
    "white",
];
const RULE_QUERIES: [Option<&str>; 4] = [None, Some("ring"), Some("diamond ring"), Some("gold")];

/// (metal, karat, gold colour, stone: (kind, lab-grown, colour), ring size, price, inventory)
type GenVariant = (usize, usize, usize, Option<(usize, bool, Option<usize>)>, Option<u8>, u32, Option<i64>);

fn variant(product: usize, k: usize, g: &GenVariant) -> Variant {
    let &(m, karat, color, stone, size, price, inventory) = g;
    let gold = METALS[m] == "gold";
    Variant {
        sku: format!("p{product}-{k}"),
        price: Some(Money::from_major(f64::from(price), Currency::USD)),
        metals: vec![Metal {
            kind: METALS[m].into(),
            karat: if gold { KARATS[karat] } else { None },
            colors: if gold { vec![GOLD_COLORS[color].into()] } else { vec![] },
            ..Metal::default()
        }],
        stones: stone
            .map(|(s, lab, c)| {
                vec![Stone {
                    kind: STONES[s].into(),
                    origin: Some(if lab { StoneOrigin::LabGrown } else { StoneOrigin::Natural }),
                    color: c.map(|c| STONE_COLORS[c].to_string()),
                    ..Stone::default()
                }]
            })
            .unwrap_or_default(),
        size: size.map(|us| Size::Ring { us: f32::from(us), uk: None, eu: None, raw: us.to_string() }),
        inventory,
        ..Variant::default()
    }
}

/// (category, gender, extra title word, variants)
type GenProduct = (usize, Option<usize>, usize, Vec<GenVariant>);

fn product(i: usize, g: &GenProduct) -> Product {
    let (cat, gender, extra, variants) = g;
    let variants: Vec<Variant> = variants.iter().enumerate().map(|(k, v)| variant(i, k, v)).collect();
    let first = &variants[0];
    let metal = &first.metals[0];
    let stone = first.stones.first().map(|s| format!("{} ", s.kind)).unwrap_or_default();
    let colors = metal.colors.iter().map(|c| format!("{c} ")).collect::<String>();
    let (category, name, _) = CATEGORIES[*cat];
    Product {
        id: i as u64 + 1,
        handle: format!("p{i}"),
        title: format!("{} {colors}{} {stone}{name}", EXTRAS[*extra], metal.kind),
        description: format!("A {} {name} in {}.", EXTRAS[*extra].to_lowercase(), metal.kind),
        category: Some(category),
        gender: gender.map(|g| GENDERS[g]),
        created_at: 1_700_000_000 + i as i64,
        variants,
        ..Product::default()
    }
}

fn gen_variant() -> impl Strategy<Value = GenVariant> {
    (
        0..METALS.len(),
        0..KARATS.len(),
        0..GOLD_COLORS.len(),
        prop::option::of((0..STONES.len(), any::<bool>(), prop::option::of(0..STONE_COLORS.len()))),
        prop::option::of(5u8..9),
        30u32..4000,
        prop::option::of(0i64..3),
    )
}

fn gen_product() -> impl Strategy<Value = GenProduct> {
    (
        0..CATEGORIES.len(),
        prop::option::of(0..GENDERS.len()),
        0..EXTRAS.len(),
        prop::collection::vec(gen_variant(), 1..4),
    )
}

/// (action, product, query)
type GenRule = (usize, usize, usize);

fn rules(gen: &[GenRule], n: usize) -> Vec<Rule> {
    gen.iter()
        .enumerate()
        .map(|(k, &(action, p, q))| Rule {
            id: format!("r{k}"),
            action: [RuleAction::Pin, RuleAction::Boost(3.0), RuleAction::Bury(2.0), RuleAction::Hide]
                [action],
            products: vec![format!("p{}", p % n)],
            query: RULE_QUERIES[q].map(str::to_string),
            category: None,
            starts_at: None,
            ends_at: None,
        })
        .collect()
}

/// The lexicon's stone colours: colour -> stone kinds.
fn stone_colors() -> HashMap<String, Vec<String>> {
    let mut out = HashMap::new();
    let mut inside = false;
    for line in DEFAULT_LEXICON.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[stonecolors]";
            continue;
        }
        if let (true, Some((color, kinds))) = (inside, line.split_once("=>")) {
            out.insert(color.trim().to_string(), kinds.split_whitespace().map(str::to_string).collect());
        }
    }
    out
}

fn metal_label(m: &Metal) -> String {
    let mut s = m.karat.map(|k| format!("{k}k ")).unwrap_or_default();
    for c in &m.colors {
        s.push_str(c);
        s.push(' ');
    }
    s + &m.kind.replace('_', " ")
}

/// The prices named in a detail (`$150`, `$1,200`), as numbers.
fn prices(detail: &str) -> Vec<f64> {
    detail
        .split('$')
        .skip(1)
        .filter_map(|s| {
            let n: String = s.chars().take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ',').collect();
            n.replace(',', "").trim_end_matches('.').parse().ok()
        })
        .collect()
}

/// Whether `r` is true of `p`; `Err` says why not.
fn holds(
    p: &Product,
    r: &Reason,
    rules: &[Rule],
    colors: &HashMap<String, Vec<String>>,
) -> Result<(), String> {
    let metals = p.metals();
    let stones = p.stones();
    let has_stone = |k: &str| stones.iter().any(|s| s.kind == k);
    let available = |v: &Variant| v.inventory.is_none_or(|n| n > 0);
    let d = r.detail.as_str();
    let ok = match r.signal {
        "metal" => {
            let label = d.strip_prefix("matches ").unwrap_or("");
            metals.iter().any(|m| metal_label(m) == label || m.kind.replace('_', " ") == label)
        }
        "color" => d.strip_prefix("matches ").is_some_and(|c| {
            c.split(" and ").all(|c| metals.iter().any(|m| m.colors.iter().any(|x| x == c)))
        }),
        "karat" => {
            let k: Option<u8> =
                d.strip_prefix("matches ").and_then(|k| k.strip_suffix('k')).and_then(|k| k.parse().ok());
            k.is_some_and(|k| metals.iter().any(|m| m.karat == Some(k)))
        }
        "stone" => {
            // Every stone the reason names is on the product, and it names one.
            let words: Vec<&str> = d.split(|c: char| !c.is_alphanumeric()).collect();
            let named: Vec<&&str> = STONES.iter().filter(|s| words.contains(s)).collect();
            !named.is_empty() && named.iter().all(|s| has_stone(s))
        }
        "origin" => {
            let o = d.strip_prefix("matches ").unwrap_or("").replace('-', "_");
            stones.iter().any(|s| s.origin.is_some_and(|x| x.as_str() == o))
        }
        "category" => CATEGORIES.iter().any(|(c, _, phrase)| p.category == Some(*c) && d == *phrase),
        "size" => {
            let us: Option<f32> = d
                .strip_prefix("matches size ")
                .and_then(|s| s.strip_suffix(" in stock"))
                .and_then(|s| s.parse().ok());
            us.is_some_and(|us| {
                p.variants.iter().any(|v| {
                    available(v) && matches!(v.size, Some(Size::Ring { us: x, .. }) if (x - us).abs() <= 0.26)
                })
            })
        }
        "price" => {
            let ps: Vec<f64> = p.variants.iter().filter_map(|v| v.price.map(|m| m.major())).collect();
            let (lo, hi) =
                (ps.iter().copied().fold(f64::MAX, f64::min), ps.iter().copied().fold(0.0, f64::max));
            let named = prices(d);
            // Prices are shown rounded to the dollar.
            let at_most = |x: f64| lo <= x + 1.0;
            let at_least = |x: f64| hi >= x - 1.0;
            match named.as_slice() {
                [a, b] => at_least(*a) && at_most(*b),
                [x] if d.contains("under") || d.contains("up to") => at_most(*x),
                [x] if d.contains("over") || d.contains("from") => at_least(*x),
                _ => d.contains("any price"),
            }
        }
        "recipient" => {
            let g = p.gender;
            (d.starts_with("made for women") && g == Some(Gender::Women))
                || (d.starts_with("made for men") && g == Some(Gender::Men))
                || (d.starts_with("made for children") && g == Some(Gender::Kids))
                || (d.starts_with("unisex") && g == Some(Gender::Unisex))
        }
        "birthstone" => match d.split_once(" is a birthstone") {
            Some((stone, _)) => has_stone(&stone.replace(' ', "_")),
            None => d.starts_with("set with a birthstone") && stones.iter().any(|s| s.kind != "diamond"),
        },
        "stone_color" => {
            let c = d.strip_suffix(" stone").unwrap_or("");
            stones.iter().any(|s| {
                s.color.as_deref() == Some(c) || colors.get(c).is_some_and(|kinds| kinds.contains(&s.kind))
            })
        }
        "availability" => d == "out of stock" && !p.variants.iter().any(available),
        "rule" => {
            let (verb, id) = d.split_once(" by rule ").unwrap_or(("", ""));
            let id = id.trim_matches('\'');
            rules.iter().any(|rule| {
                let action = match rule.action {
                    RuleAction::Pin => "pinned",
                    RuleAction::Boost(_) => "boosted",
                    RuleAction::Bury(_) => "buried",
                    RuleAction::Hide => "hidden",
                };
                rule.products.contains(&p.handle) && rule.id == id && action == verb
            })
        }
        // What the shopper typed, how the product reads, and behaviour: not
        // claims about the product's attributes.
        "text" | "title" | "style" | "occasion" | "budget" | "clicks" | "conversions" | "popularity" => true,
        other => return Err(format!("unchecked signal {other:?}: add it to this test")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{} {:?} is not true of {} ({:?})", r.signal, r.detail, p.handle, p.title))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_attribute_reason_holds_on_its_product(
        catalog in prop::collection::vec(gen_product(), 1..12),
        queries in prop::collection::vec(prop::sample::subsequence(PHRASES.to_vec(), 1..5), 1..4),
        gen_rules in prop::collection::vec((0..4usize, 0..12usize, 0..RULE_QUERIES.len()), 0..4),
    ) {
        let products: Vec<Product> = catalog.iter().enumerate().map(|(i, g)| product(i, g)).collect();
        let idx = SearchIndex::build(&products, &BehaviourStats::default(), &Config::default()).unwrap();
        let rules = rules(&gen_rules, products.len());
        idx.set_rules(rules.clone());
        let colors = stone_colors();
        for words in &queries {
            let q = words.join(" ");
            let r = idx.search(&SearchRequest::new(&q)).unwrap();
            for hit in &r.hits {
                let p = products.iter().find(|p| p.id == hit.product_id).unwrap();
                for reason in &hit.why {
                    if let Err(e) = holds(p, reason, &rules, &colors) {
                        prop_assert!(false, "query {q:?}: {e}; all reasons: {:?}", hit.why);
                    }
                }
            }
        }
    }
}
