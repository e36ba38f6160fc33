//! The jewelry vocabulary: words and phrases (in `vocab/jewelry.toml`, built
//! in) mapped to canonical values, extendable with a brand's own TOML file of
//! the same shape.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::{Category, Finish, Gender, StoneOrigin};
use serde::Deserialize;

use crate::normalize::tokens::tokenize;
use crate::{Error, Result};

const BUILTIN: &str = include_str!("../vocab/jewelry.toml");

/// What a word or phrase means. A phrase may mean several things ("rose" is
/// a gold colour and a stone colour); each extraction pass looks for its own.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Entry {
    MetalKind(String),
    /// A metal word that counts only beside a karat, fineness or colour.
    MetalContextual(String),
    MetalCompound {
        kind: String,
        color: Option<String>,
        fineness: Option<u16>,
        finish: Option<Finish>,
    },
    MetalColor(String),
    MultiColor(Vec<String>),
    Finish(Finish),
    Tone,
    /// Takes colours after it (`or jaune`).
    PostfixColors,
    KaratUnit {
        strong: bool,
    },
    StoneKind(String),
    StoneOrigin(StoneOrigin),
    StoneColor(String),
    NotStone,
    CaratUnit {
        total: bool,
    },
    Clarity,
    Month(u8),
    Birthstone,
    Category(Category),
    CategoryContextual(Category),
    NotCategory,
    Gender {
        gender: Gender,
        loose_only: bool,
    },
    Style(String),
    CollectionStop,
    Collection(String),
}

/// The words Loupe knows. Cheap to share (`&Vocabulary`); build it once.
#[derive(Clone, Debug)]
pub struct Vocabulary {
    phrases: HashMap<String, Vec<Entry>>,
    /// Longest phrase (in tokens) starting with each first token.
    max_len: HashMap<String, usize>,
    pub(crate) karat_fineness: BTreeMap<u8, u16>,
    pub(crate) fineness_default: HashMap<u16, String>,
    pub(crate) fineness_prefixes: HashMap<String, String>,
    pub(crate) default_origin: HashMap<String, StoneOrigin>,
    birthstones: Vec<Vec<String>>,
    loose_gender: HashSet<String>,
    /// Keys of spec lines (`Material:`, `Couleur :`), tokens joined by spaces.
    spec_keys: HashMap<String, SpecKey>,
    /// Metal words that name a gold's colour in a colour line (`Color: Gold`).
    spec_gold_colors: HashMap<String, String>,
}

/// What a spec line's key (`Material:`, `Chain length (cm):`) says its value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpecKey {
    Metal,
    Color,
    Stone,
    Length,
    Weight,
    Width,
    /// A ring size or a length, read by the product's category.
    Size,
    Dimensions,
    Gender,
    Category,
}

impl SpecKey {
    fn parse(s: &str) -> Option<SpecKey> {
        Some(match s {
            "metal" => SpecKey::Metal,
            "color" => SpecKey::Color,
            "stone" => SpecKey::Stone,
            "length" => SpecKey::Length,
            "weight" => SpecKey::Weight,
            "width" => SpecKey::Width,
            "size" => SpecKey::Size,
            "dimensions" => SpecKey::Dimensions,
            "gender" => SpecKey::Gender,
            "category" => SpecKey::Category,
            _ => return None,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct File {
    metal: MetalSection,
    stone: StoneSection,
    birthstones: BTreeMap<String, Vec<String>>,
    months: BTreeMap<String, Vec<String>>,
    birthstone: Words,
    category: BTreeMap<String, Vec<String>>,
    category_contextual: BTreeMap<String, Vec<String>>,
    category_not: Words,
    gender: BTreeMap<String, Vec<String>>,
    gender_loose_only: Words,
    style: BTreeMap<String, Vec<String>>,
    collection: CollectionSection,
    spec: SpecSection,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct SpecSection {
    keys: BTreeMap<String, Vec<String>>,
    gold_colors: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct Words {
    words: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct MetalSection {
    kinds: BTreeMap<String, Vec<String>>,
    contextual: BTreeMap<String, Vec<String>>,
    compounds: BTreeMap<String, Compound>,
    postfix: Words,
    fineness_prefixes: BTreeMap<String, String>,
    colors: BTreeMap<String, Vec<String>>,
    multicolor: BTreeMap<String, MultiColor>,
    finish: BTreeMap<String, Vec<String>>,
    tone: Words,
    karat_fineness: BTreeMap<String, u16>,
    fineness_default: BTreeMap<String, String>,
    karat_units: KaratUnits,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Compound {
    kind: String,
    #[serde(default)]
    color: Option<String>,
    #[serde(default)]
    fineness: Option<u16>,
    #[serde(default)]
    finish: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MultiColor {
    words: Vec<String>,
    default: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct KaratUnits {
    strong: Vec<String>,
    weak: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct StoneSection {
    kinds: BTreeMap<String, Vec<String>>,
    default_origin: BTreeMap<String, String>,
    origins: BTreeMap<String, Vec<String>>,
    colors: BTreeMap<String, Vec<String>>,
    not_stones: Words,
    carat_units: CaratUnits,
    clarity: Words,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CaratUnits {
    words: Vec<String>,
    total_weight: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct CollectionSection {
    names: Vec<String>,
    stop_words: Vec<String>,
}

fn finish_from(s: &str) -> Option<Finish> {
    match s {
        "solid" => Some(Finish::Solid),
        "plated" => Some(Finish::Plated),
        "vermeil" => Some(Finish::Vermeil),
        "gold_filled" => Some(Finish::GoldFilled),
        _ => None,
    }
}

fn origin_from(s: &str) -> Option<StoneOrigin> {
    match s {
        "natural" => Some(StoneOrigin::Natural),
        "lab_grown" => Some(StoneOrigin::LabGrown),
        "simulant" => Some(StoneOrigin::Simulant),
        _ => None,
    }
}

fn bad(msg: String) -> Error {
    Error::Vocabulary(msg)
}

impl Vocabulary {
    /// The built-in vocabulary (`crates/catalog/vocab/jewelry.toml`).
    pub fn builtin() -> Vocabulary {
        let mut v = Vocabulary::empty();
        // The built-in file is tested; failing here is a build defect.
        if let Err(e) = v.extend_from_toml(BUILTIN) {
            panic!("built-in vocabulary is invalid: {e}");
        }
        v
    }

    fn empty() -> Vocabulary {
        Vocabulary {
            phrases: HashMap::new(),
            max_len: HashMap::new(),
            karat_fineness: BTreeMap::new(),
            fineness_default: HashMap::new(),
            fineness_prefixes: HashMap::new(),
            default_origin: HashMap::new(),
            birthstones: (1..=12)
                .map(|m| model::birthstone::stones(m).iter().map(|s| s.to_string()).collect())
                .collect(),
            loose_gender: HashSet::new(),
            spec_keys: HashMap::new(),
            spec_gold_colors: HashMap::new(),
        }
    }

    /// Adds a brand's vocabulary (same shape as the built-in file; every
    /// section optional). Entries are added to the built-in ones; a
    /// `[birthstones]` section adds stones to the months of
    /// `model::birthstone`.
    pub fn extend_from_toml(&mut self, text: &str) -> Result<()> {
        let file: File = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let m = file.metal;
        for (kind, words) in &m.kinds {
            self.add_all(words, Entry::MetalKind(kind.clone()));
        }
        for (kind, words) in &m.contextual {
            self.add_all(words, Entry::MetalContextual(kind.clone()));
        }
        for (phrase, c) in &m.compounds {
            let finish = match &c.finish {
                Some(f) => Some(
                    finish_from(f)
                        .ok_or_else(|| bad(format!("metal.compounds.{phrase}: unknown finish {f:?}")))?,
                ),
                None => None,
            };
            self.add(
                phrase,
                Entry::MetalCompound {
                    kind: c.kind.clone(),
                    color: c.color.clone(),
                    fineness: c.fineness,
                    finish,
                },
            );
        }
        self.add_all(&m.postfix.words, Entry::PostfixColors);
        for (prefix, kind) in m.fineness_prefixes {
            self.fineness_prefixes.insert(prefix.to_lowercase(), kind);
        }
        for (color, words) in &m.colors {
            self.add_all(words, Entry::MetalColor(color.clone()));
        }
        for (name, mc) in &m.multicolor {
            if mc.default.is_empty() {
                return Err(bad(format!("metal.multicolor.{name}: default colours are empty")));
            }
            self.add_all(&mc.words, Entry::MultiColor(mc.default.clone()));
        }
        for (finish, words) in &m.finish {
            let f =
                finish_from(finish).ok_or_else(|| bad(format!("metal.finish: unknown finish {finish:?}")))?;
            self.add_all(words, Entry::Finish(f));
        }
        self.add_all(&m.tone.words, Entry::Tone);
        for (k, f) in &m.karat_fineness {
            let karat: u8 =
                k.parse().map_err(|_| bad(format!("metal.karat_fineness: {k:?} is not a karat")))?;
            self.karat_fineness.insert(karat, *f);
        }
        for (f, kind) in m.fineness_default {
            let fin: u16 =
                f.parse().map_err(|_| bad(format!("metal.fineness_default: {f:?} is not a fineness")))?;
            self.fineness_default.insert(fin, kind);
        }
        self.add_all(&m.karat_units.strong, Entry::KaratUnit { strong: true });
        self.add_all(&m.karat_units.weak, Entry::KaratUnit { strong: false });

        let s = file.stone;
        for (kind, words) in &s.kinds {
            self.add_all(words, Entry::StoneKind(kind.clone()));
        }
        for (kind, origin) in &s.default_origin {
            let o = origin_from(origin)
                .ok_or_else(|| bad(format!("stone.default_origin.{kind}: unknown origin {origin:?}")))?;
            self.default_origin.insert(kind.clone(), o);
        }
        for (origin, words) in &s.origins {
            let o = origin_from(origin)
                .ok_or_else(|| bad(format!("stone.origins: unknown origin {origin:?}")))?;
            self.add_all(words, Entry::StoneOrigin(o));
        }
        for (color, words) in &s.colors {
            self.add_all(words, Entry::StoneColor(color.clone()));
        }
        self.add_all(&s.not_stones.words, Entry::NotStone);
        self.add_all(&s.carat_units.words, Entry::CaratUnit { total: false });
        self.add_all(&s.carat_units.total_weight, Entry::CaratUnit { total: true });
        self.add_all(&s.clarity.words, Entry::Clarity);

        for (month, stones) in &file.birthstones {
            let idx =
                month_index(month).ok_or_else(|| bad(format!("birthstones: unknown month {month:?}")))?;
            for stone in stones {
                if !self.birthstones[idx].contains(stone) {
                    self.birthstones[idx].push(stone.clone());
                }
            }
        }
        for (month, words) in &file.months {
            let idx = month_index(month).ok_or_else(|| bad(format!("months: unknown month {month:?}")))?;
            self.add_all(words, Entry::Month(idx as u8 + 1));
        }
        self.add_all(&file.birthstone.words, Entry::Birthstone);
        for (cat, words) in &file.category {
            let c = Category::parse(cat).ok_or_else(|| bad(format!("category: unknown category {cat:?}")))?;
            self.add_all(words, Entry::Category(c));
        }
        for (cat, words) in &file.category_contextual {
            let c = Category::parse(cat)
                .ok_or_else(|| bad(format!("category_contextual: unknown category {cat:?}")))?;
            self.add_all(words, Entry::CategoryContextual(c));
        }
        self.add_all(&file.category_not.words, Entry::NotCategory);
        for w in &file.gender_loose_only.words {
            self.loose_gender.insert(joined(w));
        }
        for (g, words) in &file.gender {
            let gender = Gender::parse(g).ok_or_else(|| bad(format!("gender: unknown gender {g:?}")))?;
            for w in words {
                let loose_only = self.loose_gender.contains(&joined(w));
                self.add(w, Entry::Gender { gender, loose_only });
            }
        }
        for (style, words) in &file.style {
            self.add_all(words, Entry::Style(style.clone()));
        }
        self.add_all(&file.collection.stop_words, Entry::CollectionStop);
        for name in &file.collection.names {
            self.add(name, Entry::Collection(joined(name)));
        }
        for (kind, keys) in &file.spec.keys {
            let k = SpecKey::parse(kind).ok_or_else(|| bad(format!("spec.keys: unknown kind {kind:?}")))?;
            for key in keys {
                self.spec_keys.insert(joined(key), k);
            }
        }
        for (color, words) in &file.spec.gold_colors {
            for w in words {
                self.spec_gold_colors.insert(joined(w), color.clone());
            }
        }
        Ok(())
    }

    fn add_all(&mut self, words: &[String], entry: Entry) {
        for w in words {
            self.add(w, entry.clone());
        }
    }

    fn add(&mut self, phrase: &str, entry: Entry) {
        let toks = tokenize(phrase);
        let Some(first) = toks.first() else { return };
        let key = toks.iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ");
        let len = self.max_len.entry(first.text.clone()).or_insert(0);
        *len = (*len).max(toks.len());
        let entries = self.phrases.entry(key).or_default();
        if !entries.contains(&entry) {
            entries.push(entry);
        }
    }

    /// The longest phrase starting at `tokens[0]` (not crossing a clause
    /// boundary): its length in tokens and what it means.
    /// `key` is scratch space, reused across calls.
    pub(crate) fn longest(
        &self,
        texts: &[&str],
        hard_after: &[bool],
        key: &mut String,
    ) -> Option<(usize, &[Entry])> {
        let first = texts.first()?;
        let max = *self.max_len.get(*first)?;
        let mut best = self.phrases.get(*first).map(|e| (1, e.as_slice()));
        key.clear();
        key.push_str(first);
        for len in 2..=max.min(texts.len()) {
            if hard_after[len - 2] {
                break;
            }
            key.push(' ');
            key.push_str(texts[len - 1]);
            if let Some(e) = self.phrases.get(key.as_str()) {
                best = Some((len, e.as_slice()));
            }
        }
        best
    }

    /// What a spec line's key means (`Stone details`, `Matière`), if it is one.
    pub(crate) fn spec_key(&self, key: &str) -> Option<SpecKey> {
        self.spec_keys.get(&joined(key)).copied()
    }

    /// The gold colour a metal word names in a colour line (`Gold` is yellow).
    pub(crate) fn spec_gold_color(&self, word: &str) -> Option<&str> {
        self.spec_gold_colors.get(word).map(String::as_str)
    }

    /// The entries of one exact phrase.
    pub(crate) fn lookup(&self, phrase: &str) -> &[Entry] {
        self.phrases.get(&joined(phrase)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Birthstones of a month (1 = January), traditional first: the table in
    /// `model::birthstone`, plus any a brand file added.
    pub fn birthstones(&self, month: u8) -> &[String] {
        match month {
            1..=12 => &self.birthstones[month as usize - 1],
            _ => &[],
        }
    }

    /// Months (1-based) whose birthstone is `stone` (a canonical kind).
    pub fn birthstone_months(&self, stone: &str) -> Vec<u8> {
        (1..=12u8).filter(|&m| self.birthstones[m as usize - 1].iter().any(|s| s == stone)).collect()
    }

    /// Fineness of a gold karat (14 -> 585).
    pub fn fineness_of_karat(&self, karat: u8) -> Option<u16> {
        self.karat_fineness.get(&karat).copied()
    }

    /// Gold karat of a fineness (750 -> 18), for the fineness values in the table.
    pub fn karat_of_fineness(&self, fineness: u16) -> Option<u8> {
        self.karat_fineness.iter().find(|(_, f)| **f == fineness).map(|(k, _)| *k).or(match fineness {
            583 => Some(14),
            917 => Some(22),
            _ => None,
        })
    }
}

fn joined(phrase: &str) -> String {
    tokenize(phrase).iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
}

fn month_index(name: &str) -> Option<usize> {
    model::birthstone::MONTH_NAMES.iter().position(|m| *m == name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_extends() {
        let mut v = Vocabulary::builtin();
        assert_eq!(v.fineness_of_karat(14), Some(585));
        assert_eq!(v.karat_of_fineness(750), Some(18));
        assert_eq!(v.birthstones(7), &["ruby".to_string()]);
        assert_eq!(v.birthstone_months("opal"), vec![10]);
        assert!(v.lookup("Rose-Gold").is_empty());
        assert!(v.lookup("rose").contains(&Entry::MetalColor("rose".into())));
        v.extend_from_toml(
            "[collection]\nnames = [\"Juste un Clou\"]\n[stone.kinds]\nlarimar = [\"larimar\"]",
        )
        .unwrap();
        assert_eq!(v.lookup("juste un clou"), &[Entry::Collection("juste un clou".into())]);
        assert_eq!(v.lookup("Larimar"), &[Entry::StoneKind("larimar".into())]);
    }

    #[test]
    fn birthstones_are_the_shared_table() {
        let v = Vocabulary::builtin();
        for m in 1..=12 {
            assert_eq!(v.birthstones(m), model::birthstone::stones(m), "month {m}");
        }
        assert_eq!(v.birthstone_months("alexandrite"), vec![6]);
        assert_eq!(v.birthstone_months("zircon"), vec![12]);
        let mut v = v;
        v.extend_from_toml("[birthstones]\ndecember = [\"blue_topaz\"]").unwrap();
        assert_eq!(v.birthstones(12), ["turquoise", "tanzanite", "zircon", "blue_topaz"]);
    }

    #[test]
    fn brand_file_errors_are_precise() {
        let mut v = Vocabulary::builtin();
        let err = v.extend_from_toml("[category]\nbelt = [\"belt\"]").unwrap_err().to_string();
        assert!(err.contains("unknown category \"belt\""), "{err}");
        let err = v.extend_from_toml("[metals]\n").unwrap_err().to_string();
        assert!(err.contains("unknown field"), "{err}");
    }
}
