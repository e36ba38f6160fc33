//! Shoppers' searches: natural-language queries generated from a hidden
//! intent, the structured spec of what the query actually says (the ground
//! truth for search evaluation: every product meeting it is relevant), and the
//! brand's simple keyword search whose results shoppers click through.

use std::collections::HashMap;

use model::Category;
use rand::Rng;

use crate::catalog::{MetalColor, MetalKind, SimProduct, Style};
use crate::rng::{chance, pick, SimRng};

/// What a query states, in structured form. Hard constraints (category,
/// kind, metal, color, stone, max price) decide relevance; style and
/// recipient are soft preferences kept for graded evaluations.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QuerySpec {
    /// Categories any of which satisfies the query (`necklace` also accepts
    /// pendants, `ring` accepts engagement rings and bands).
    pub categories: Vec<Category>,
    /// A specific kind of piece (`huggies`, `tennis bracelet`).
    pub keyword: Option<&'static str>,
    pub metal: Option<MetalKind>,
    pub color: Option<MetalColor>,
    pub stone: Option<&'static str>,
    /// USD, inclusive: the cheapest variant must cost at most this.
    pub max_price: Option<u32>,
    pub collection: Option<String>,
    pub style: Option<Style>,
    pub recipient: Option<&'static str>,
}

impl QuerySpec {
    /// Whether `p` meets every hard constraint.
    pub fn matches(&self, p: &SimProduct) -> bool {
        if !p.is_active() {
            return false;
        }
        if !self.categories.is_empty() && !self.categories.contains(&p.category) {
            return false;
        }
        if let Some(k) = self.keyword {
            if p.keyword != Some(k) {
                return false;
            }
        }
        if let Some(c) = &self.collection {
            if p.collection.as_deref() != Some(c.as_str()) {
                return false;
            }
        }
        if let Some(s) = self.stone {
            if p.stone.as_ref().map(|st| st.kind) != Some(s) {
                return false;
            }
        }
        if let Some(max) = self.max_price {
            if p.min_price() > max as i64 * 100 {
                return false;
            }
        }
        if self.metal.is_some() || self.color.is_some() {
            let ok = p.variants.iter().any(|v| {
                let kind_ok = match self.metal {
                    // Vermeil is gold to a shopper.
                    Some(MetalKind::Gold) => matches!(v.metal.kind, MetalKind::Gold | MetalKind::Vermeil),
                    Some(k) => v.metal.kind == k,
                    None => true,
                };
                let color_ok = match self.color {
                    Some(c) => v.metal.color == Some(c),
                    None => true,
                };
                kind_ok && color_ok
            });
            if !ok {
                return false;
            }
        }
        true
    }
}

/// What a shopper wants in a session, before they type anything.
#[derive(Clone, Debug)]
pub struct Intent {
    pub category: Category,
    pub keyword: Option<&'static str>,
    pub metal: MetalKind,
    pub color: Option<MetalColor>,
    pub stone: Option<&'static str>,
    pub budget: f64,
    pub style: Style,
    pub recipient: Option<&'static str>,
    pub collection: Option<String>,
}

fn category_words(c: Category) -> (&'static [&'static str], Vec<Category>) {
    use Category::*;
    match c {
        Ring => (&["ring", "ring", "rings"], vec![Ring, EngagementRing, WeddingBand]),
        EngagementRing => (&["engagement ring", "engagement rings", "proposal ring"], vec![EngagementRing]),
        WeddingBand => (&["wedding band", "wedding ring", "band"], vec![WeddingBand]),
        Necklace | Pendant => (&["necklace", "necklace", "necklaces", "pendant"], vec![Necklace, Pendant]),
        Chain => (&["chain", "chain necklace"], vec![Chain]),
        Earrings => (&["earrings", "earrings", "earring"], vec![Earrings]),
        Bracelet => (&["bracelet", "bracelets"], vec![Bracelet]),
        Anklet => (&["anklet", "ankle bracelet"], vec![Anklet]),
        Brooch => (&["brooch", "pin"], vec![Brooch]),
        Cufflinks => (&["cufflinks", "cuff links"], vec![Cufflinks]),
        Charm => (&["charm", "charms"], vec![Charm]),
        Cross => (&["cross necklace", "cross"], vec![Cross]),
        Watch => (&["watch", "womens watch"], vec![Watch]),
        Set => (&["jewelry set", "gift set"], vec![Set]),
        Other => (&["jewelry box"], vec![Other]),
    }
}

fn style_words(s: Style) -> &'static [&'static str] {
    match s {
        Style::Minimal => &["dainty", "minimalist", "simple", "delicate", "everyday", "tiny"],
        Style::Classic => &["classic", "timeless", "elegant", "vintage"],
        Style::Statement => &["statement", "chunky", "bold", "big"],
        Style::Bohemian => &["boho", "bohemian", "hippie", "layering"],
        Style::Bridal => &["bridal", "sparkly", "brilliant"],
    }
}

/// Common misspellings shoppers type, by correct word.
const MISSPELLINGS: &[(&str, &str)] = &[
    ("earrings", "earings"),
    ("necklace", "neckalce"),
    ("necklace", "necklase"),
    ("bracelet", "braclet"),
    ("bracelet", "bracelett"),
    ("diamond", "diamon"),
    ("sapphire", "saphire"),
    ("emerald", "emrald"),
    ("jewelry", "jewellery"),
    ("pendant", "pendent"),
    ("engagement", "engagment"),
    ("silver", "sliver"),
    ("huggies", "huggie"),
    ("platinum", "platnium"),
    ("pearl", "peral"),
    ("anklet", "ankelet"),
];

fn typo(rng: &mut SimRng, word: &str) -> String {
    let known: Vec<&str> = MISSPELLINGS.iter().filter(|(w, _)| *w == word).map(|(_, m)| *m).collect();
    if !known.is_empty() {
        return pick(rng, &known).to_string();
    }
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 5 {
        return word.to_string();
    }
    let i = rng.gen_range(1..chars.len() - 1);
    let mut out = chars.clone();
    match rng.gen_range(0..3) {
        0 => {
            out.remove(i);
        }
        1 => out.swap(i, i + 1),
        _ => out.insert(i, chars[i]),
    }
    out.into_iter().collect()
}

fn stone_text(stone: &str) -> &str {
    match stone {
        "cubic_zirconia" => "cz",
        other => other,
    }
}

/// Writes a query for `intent` in a shopper's words; returns it with the
/// spec of what it states.
pub(crate) fn write_query(rng: &mut SimRng, intent: &Intent) -> (String, QuerySpec) {
    let mut spec = QuerySpec::default();
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = intent.collection.as_ref().filter(|_| chance(rng, 0.5)) {
        // "pearl collection", "celestial earrings"
        spec.collection = Some(c.clone());
        parts.push(c.to_lowercase());
        if chance(rng, 0.5) {
            parts.push("collection".into());
            return (parts.join(" "), spec);
        }
    }
    if chance(rng, 0.35) {
        spec.style = Some(intent.style);
        parts.push(pick(rng, style_words(intent.style)).to_string());
    }
    if chance(rng, 0.55) {
        match intent.metal {
            MetalKind::Gold => {
                spec.metal = Some(MetalKind::Gold);
                if let Some(c) = intent.color.filter(|_| chance(rng, 0.45)) {
                    spec.color = Some(c);
                    parts.push(c.as_str().into());
                } else if chance(rng, 0.15) {
                    parts.push("14k".into());
                }
                parts.push("gold".into());
            }
            MetalKind::Silver => {
                spec.metal = Some(MetalKind::Silver);
                parts.push(pick(rng, &["silver", "sterling silver", "silver"]).to_string());
            }
            MetalKind::Platinum => {
                spec.metal = Some(MetalKind::Platinum);
                parts.push("platinum".into());
            }
            _ => {}
        }
    }
    if let Some(s) = intent.stone.filter(|_| chance(rng, 0.6)) {
        spec.stone = Some(s);
        parts.push(stone_text(s).to_string());
    }
    let (words, cats) = category_words(intent.category);
    if let Some(k) = intent.keyword.filter(|_| chance(rng, 0.45)) {
        spec.keyword = Some(k);
        spec.categories = vec![intent.category];
        parts.push(k.to_string());
    } else {
        spec.categories = cats;
        parts.push(pick(rng, words).to_string());
    }
    if let Some(r) = intent.recipient.filter(|_| chance(rng, 0.5)) {
        spec.recipient = Some(r);
        parts.push(format!("for {r}"));
    }
    if chance(rng, 0.22) {
        let cap = round_budget(intent.budget);
        spec.max_price = Some(cap);
        let phrase = match rng.gen_range(0..4) {
            0 => format!("under {cap}"),
            1 => format!("under ${cap}"),
            2 => format!("less than {cap}"),
            _ => format!("below {cap} dollars"),
        };
        parts.push(phrase);
    }
    let mut text = parts.join(" ");
    if chance(rng, 0.08) {
        // One typo in the longest word.
        let longest = text.split(' ').max_by_key(|w| w.len()).unwrap_or("").to_string();
        let wrong = typo(rng, &longest);
        text = text.replacen(&longest, &wrong, 1);
    }
    if chance(rng, 0.05) {
        text = text.to_uppercase();
    }
    (text, spec)
}

fn round_budget(b: f64) -> u32 {
    let steps = [50, 75, 100, 150, 200, 250, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];
    *steps.iter().find(|s| **s as f64 >= b).unwrap_or(&10000)
}

/// Products a word can contribute to one search: the old engine only ever
/// looked at the most popular ones (no difference below this catalog size).
const POSTINGS_PER_WORD: usize = 3000;

/// The brand's storefront search before Loupe: exact title-word matching,
/// most matched words first, then by sales rank. It fails on typos and on
/// attributes that only live in options, which is the point.
pub(crate) struct KeywordSearch {
    index: HashMap<String, Vec<u32>>,
}

impl KeywordSearch {
    pub fn new(products: &[SimProduct]) -> KeywordSearch {
        let mut index: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            if !p.is_active() {
                continue;
            }
            let mut seen: Vec<&str> = Vec::new();
            for w in &p.title_words {
                if !seen.contains(&w.as_str()) {
                    seen.push(w);
                    index.entry(stem(w).to_string()).or_default().push(i as u32);
                }
            }
        }
        // Most popular first, so that a search can stop early on a word that
        // half of a 200,000-product catalog carries.
        for list in index.values_mut() {
            list.sort_by(|a, b| {
                products[*b as usize].popularity.total_cmp(&products[*a as usize].popularity).then(a.cmp(b))
            });
        }
        KeywordSearch { index }
    }

    /// Top `limit` product indexes for `query` among products launched by `day`.
    pub fn search(
        &self,
        products: &[SimProduct],
        query: &str,
        day: u32,
        limit: usize,
        scratch: &mut HashMap<u32, u32>,
    ) -> Vec<u32> {
        scratch.clear();
        for w in crate::catalog::words(query) {
            if let Some(list) = self.index.get(stem(&w)) {
                for &i in list.iter().take(POSTINGS_PER_WORD) {
                    *scratch.entry(i).or_default() += 1;
                }
            }
        }
        let mut hits: Vec<(u32, u32)> = scratch
            .iter()
            .filter(|(i, _)| products[**i as usize].launch_day <= day)
            .map(|(i, n)| (*i, *n))
            .collect();
        let order = |a: &(u32, u32), b: &(u32, u32)| {
            b.1.cmp(&a.1)
                .then(products[b.0 as usize].popularity.total_cmp(&products[a.0 as usize].popularity))
                .then(a.0.cmp(&b.0))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit, order);
            hits.truncate(limit);
        }
        hits.sort_by(order);
        hits.into_iter().map(|(i, _)| i).collect()
    }
}

/// The crude plural folding a basic storefront search does.
fn stem(w: &str) -> &str {
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        &w[..w.len() - 1]
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn queries_state_what_the_spec_says() {
        let mut rng = SimRng::seed_from_u64(11);
        let intent = Intent {
            category: Category::Necklace,
            keyword: None,
            metal: MetalKind::Gold,
            color: Some(MetalColor::Rose),
            stone: Some("diamond"),
            budget: 180.0,
            style: Style::Minimal,
            recipient: Some("mom"),
            collection: None,
        };
        let mut saw_price = false;
        for _ in 0..300 {
            let (q, spec) = write_query(&mut rng, &intent);
            assert!(!q.is_empty());
            assert!(spec.categories.contains(&Category::Necklace));
            if let Some(p) = spec.max_price {
                assert_eq!(p, 200);
                saw_price = true;
            }
            if spec.color.is_some() {
                assert_eq!(spec.metal, Some(MetalKind::Gold));
            }
        }
        assert!(saw_price);
    }

    #[test]
    fn typos_change_the_word() {
        let mut rng = SimRng::seed_from_u64(2);
        assert_eq!(typo(&mut rng, "earrings"), "earings");
        let t = typo(&mut rng, "stacking");
        assert_ne!(t, "stacking");
    }
}
