//! Content similarity over normalized attributes, and "complete the set".
//!
//! Each product becomes a sparse, L2-normalized vector of weighted features:
//! collection, stone, metal (`14k yellow gold` and its kind), style,
//! category, price band (powers of two), gender and title words (weighted by
//! rarity, which is what order-only products have). Similarity is a dot
//! product; a customer's taste is the weighted sum of what they interacted
//! with, scored against every item in one pass.

use std::collections::HashMap;

use model::{Category, Gender};

use crate::items::{ItemInfo, Items};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Collection,
    Stone,
    Metal,
    Family,
    Style,
    Category,
    Price,
    Gender,
    Word,
}

pub(crate) struct Content {
    /// Per item: (feature, weight), L2-normalized.
    pub vecs: Vec<Vec<(u32, f32)>>,
    /// Per feature: its kind and value (for reasons).
    pub names: Vec<(Kind, String)>,
    pub sets: SetIndex,
}

const STOP: &[&str] = &[
    "the", "and", "with", "for", "set", "of", "in", "a", "an", "to", "on", "by", "from", "size", "small",
    "large", "mini", "new", "women", "womens", "men", "mens",
];

fn words(title: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in title.split(|c: char| !c.is_alphanumeric()) {
        let w = w.to_lowercase();
        if w.len() < 3 || w.chars().all(|c| c.is_ascii_digit()) || STOP.contains(&w.as_str()) {
            continue;
        }
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

fn raw_features(it: &ItemInfo) -> Vec<(Kind, String, f32)> {
    let mut f: Vec<(Kind, String, f32)> = Vec::new();
    if let Some(c) = &it.collection {
        f.push((Kind::Collection, c.clone(), 3.0));
    }
    for s in &it.stones {
        f.push((Kind::Stone, s.clone(), 1.5));
    }
    for m in &it.metals {
        f.push((Kind::Metal, m.clone(), 1.2));
        let kind = m.split(' ').rfind(|w| !matches!(*w, "plated" | "vermeil" | "filled")).unwrap_or(m);
        f.push((Kind::Family, kind.to_string(), 0.6));
    }
    for s in &it.styles {
        f.push((Kind::Style, s.clone(), 1.0));
    }
    if let Some(c) = it.category {
        f.push((Kind::Category, c.as_str().to_string(), 1.2));
    }
    if let Some(p) = it.price.filter(|p| *p > 0.0) {
        f.push((Kind::Price, format!("{}", p.log2().floor() as i32), 0.6));
    }
    if let Some(g) = it.gender {
        f.push((Kind::Gender, g.as_str().to_string(), 0.4));
    }
    for w in words(&it.title) {
        f.push((Kind::Word, w, 1.0));
    }
    f
}

pub(crate) fn build(items: &Items) -> Content {
    let mut ids: HashMap<(Kind, String), u32> = HashMap::new();
    let mut names: Vec<(Kind, String)> = Vec::new();
    let mut raw: Vec<Vec<(u32, f32)>> = Vec::with_capacity(items.len());
    let mut df: Vec<u32> = Vec::new();
    for it in &items.info {
        let mut v: Vec<(u32, f32)> = Vec::new();
        for (kind, value, w) in raw_features(it) {
            let id = *ids.entry((kind, value.clone())).or_insert_with(|| {
                names.push((kind, value));
                df.push(0);
                (names.len() - 1) as u32
            });
            if !v.iter().any(|e| e.0 == id) {
                df[id as usize] += 1;
                v.push((id, w));
            }
        }
        raw.push(v);
    }
    // Rare words say more than common ones; attributes keep their weights.
    let n = items.len().max(1) as f32;
    let vecs = raw
        .into_iter()
        .map(|mut v| {
            for (id, w) in &mut v {
                if names[*id as usize].0 == Kind::Word {
                    *w *= (n / df[*id as usize] as f32).ln().max(0.1) / n.ln().max(1.0) * 1.5;
                }
            }
            let norm = v.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
            if norm > 0.0 {
                for e in &mut v {
                    e.1 /= norm;
                }
            }
            v
        })
        .collect();
    Content { vecs, names, sets: SetIndex::build(items) }
}

/// "Complete the set" at request speed: attributes interned to integers and
/// items grouped by category, so a seed is compared only with items of the
/// categories that complement it.
pub(crate) struct SetIndex {
    sigs: Vec<SetSig>,
    /// Interned collection or stone -> items that have it. A set is built on
    /// a shared collection or stone; a shared metal alone (most of a gold
    /// catalog) only adds to the match.
    postings: HashMap<u32, Vec<u32>>,
}

#[derive(Default)]
struct SetSig {
    collection: Option<u32>,
    stones: Vec<u32>,
    metals: Vec<u32>,
    styles: Vec<u32>,
}

impl SetIndex {
    fn build(items: &Items) -> SetIndex {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut intern = |prefix: &str, v: &str| -> u32 {
            let n = ids.len() as u32;
            *ids.entry(format!("{prefix}:{v}")).or_insert(n)
        };
        let mut postings: HashMap<u32, Vec<u32>> = HashMap::new();
        let sigs = items
            .info
            .iter()
            .enumerate()
            .map(|(i, it)| {
                let sig = SetSig {
                    collection: it.collection.as_deref().map(|c| intern("c", c)),
                    stones: it.stones.iter().map(|x| intern("s", x)).collect(),
                    metals: it.metals.iter().map(|x| intern("m", x)).collect(),
                    styles: it.styles.iter().map(|x| intern("y", x)).collect(),
                };
                if it.category.is_some() {
                    for key in sig.collection.iter().chain(&sig.stones) {
                        postings.entry(*key).or_default().push(i as u32);
                    }
                }
                sig
            })
            .collect();
        SetIndex { sigs, postings }
    }

    /// For every item that completes a set with `seed`, raises `out[j]` to
    /// `weight * match` and records the seed in `from[j]`.
    pub fn score_into(&self, items: &Items, seed: u32, weight: f32, out: &mut [f32], from: &mut [u32]) {
        let a = &items.info[seed as usize];
        let Some(cat) = a.category else { return };
        let sa = &self.sigs[seed as usize];
        let wanted = complements(cat);
        for key in sa.collection.iter().chain(&sa.stones) {
            for &j in self.postings.get(key).map(Vec::as_slice).unwrap_or(&[]) {
                let b = &items.info[j as usize];
                if !b.category.is_some_and(|c| wanted.contains(&c)) || !genders_compatible(a.gender, b.gender)
                {
                    continue;
                }
                let sb = &self.sigs[j as usize];
                let m = if sa.collection.is_some() && sa.collection == sb.collection {
                    1.0
                } else {
                    let stone = sa.stones.iter().any(|x| sb.stones.contains(x));
                    let metal = sa.metals.iter().any(|x| sb.metals.contains(x));
                    let style = sa.styles.iter().any(|x| sb.styles.contains(x));
                    0.45 * stone as u8 as f32 + 0.35 * metal as u8 as f32 + 0.1 * style as u8 as f32
                };
                let v = m * weight;
                if v > out[j as usize] {
                    out[j as usize] = v;
                    from[j as usize] = seed;
                }
            }
        }
    }
}

impl Content {
    pub fn cosine(&self, a: u32, b: u32) -> f32 {
        let (va, vb) = (&self.vecs[a as usize], &self.vecs[b as usize]);
        let mut s = 0.0;
        for (fa, wa) in va {
            for (fb, wb) in vb {
                if fa == fb {
                    s += wa * wb;
                }
            }
        }
        s
    }

    /// A taste: the weighted sum of items' vectors, as a dense feature row.
    pub fn profile(&self, seeds: &[(u32, f32)]) -> Vec<f32> {
        let mut q = vec![0f32; self.names.len()];
        for &(i, w) in seeds {
            for &(f, x) in &self.vecs[i as usize] {
                q[f as usize] += w * x;
            }
        }
        q
    }

    pub fn score_all(&self, q: &[f32], out: &mut [f32]) {
        for (o, v) in out.iter_mut().zip(&self.vecs) {
            *o = v.iter().map(|&(f, x)| q[f as usize] * x).sum();
        }
    }

    /// The attribute feature of `item` that the taste `q` weighs most, with
    /// a readable phrase ("14k yellow gold", "the pearl collection").
    pub fn top_attribute(&self, q: &[f32], item: u32) -> Option<(Kind, String)> {
        self.vecs[item as usize]
            .iter()
            .filter(|(f, _)| {
                !matches!(self.names[*f as usize].0, Kind::Word | Kind::Price | Kind::Gender | Kind::Family)
            })
            .map(|&(f, x)| (f, q[f as usize] * x))
            .filter(|e| e.1 > 0.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(f, _)| self.names[f as usize].clone())
    }
}

/// Categories that complete a look started with `c`: studs to necklace to
/// bracelet. Engagement rings lead to bands, never the other way round.
pub(crate) fn complements(c: Category) -> &'static [Category] {
    use Category::*;
    match c {
        Earrings => &[Necklace, Pendant, Bracelet, Ring],
        Necklace | Pendant | Chain => &[Earrings, Bracelet, Ring],
        Bracelet | Anklet => &[Earrings, Necklace, Pendant, Ring],
        Ring => &[Earrings, Bracelet, Necklace, Pendant],
        EngagementRing => &[WeddingBand, Earrings],
        WeddingBand => &[Earrings, Bracelet],
        Cufflinks => &[Ring, Bracelet],
        Charm => &[Bracelet, Necklace, Chain],
        _ => &[],
    }
}

pub(crate) fn genders_compatible(a: Option<Gender>, b: Option<Gender>) -> bool {
    !matches!((a, b), (Some(Gender::Women), Some(Gender::Men)) | (Some(Gender::Men), Some(Gender::Women)))
}

/// How well `b` completes a set with `a`, in [0, 1], and what they share.
pub(crate) fn set_match(a: &ItemInfo, b: &ItemInfo) -> Option<(f32, SetLink)> {
    let (ca, cb) = (a.category?, b.category?);
    if !complements(ca).contains(&cb) || !genders_compatible(a.gender, b.gender) {
        return None;
    }
    if a.collection.is_some() && a.collection == b.collection {
        return Some((1.0, SetLink::Collection(a.collection.clone().unwrap_or_default())));
    }
    let stone = a.stones.iter().find(|s| b.stones.contains(s));
    let metal = a.metals.iter().find(|m| b.metals.contains(m));
    let style = a.styles.iter().any(|s| b.styles.contains(s));
    let score =
        0.45 * stone.is_some() as u8 as f32 + 0.35 * metal.is_some() as u8 as f32 + 0.1 * style as u8 as f32;
    // A shared metal alone does not make a set (most of a gold catalog
    // shares it); it only strengthens a shared stone.
    stone.map(|s| (score, SetLink::Stone(s.clone())))
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SetLink {
    Collection(String),
    Stone(String),
}

impl SetLink {
    pub fn phrase(&self) -> String {
        match self {
            SetLink::Collection(c) => format!("same {c} collection"),
            SetLink::Stone(s) => format!("same {s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_words_skip_noise() {
        assert_eq!(
            words("WHITE HANGING HEART T-LIGHT HOLDER"),
            ["white", "hanging", "heart", "light", "holder"]
        );
        assert_eq!(words("Set of 3 mini rings"), ["rings"]);
    }

    #[test]
    fn complements_go_forward() {
        assert!(complements(Category::Earrings).contains(&Category::Necklace));
        assert!(complements(Category::EngagementRing).contains(&Category::WeddingBand));
        assert!(!complements(Category::WeddingBand).contains(&Category::EngagementRing));
    }
}
