//! Attribute extraction from free text: metals, stones, carat weights,
//! category, gender, styles, birthstone months, chain lengths.
//!
//! [`extract_attributes`] is the public entry point and is what search calls
//! on shopper queries ("rose gold dainty ring", "lab grown 1ct") so that the
//! catalog and the queries are read by the same rules. Product assembly
//! (combining title, options, tags and description) lives in `product`.
//!
//! The text is tokenized, tokens are grouped into vocabulary phrases (longest
//! match), and passes run in order, each marking the phrases it used: metals
//! first (so `18ct` as a karat is not read as a diamond weight), then stones
//! with their counts, colours and origins, carat weights, grades, and the
//! rest.

pub(crate) mod html;
mod metal;
pub(crate) mod product;
pub(crate) mod size;
pub(crate) mod spec;
mod stone;
pub(crate) mod tokens;

use model::{Category, Gender, Metal, Size, Stone};

use crate::vocab::{Entry, Vocabulary};
use tokens::{tokenize, Brk, Token};

pub use size::{parse_length, parse_ring_size};

/// What one text says about a piece of jewelry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    /// Metals, one per kind/karat/finish; colours of one metal merged (a
    /// tri-colour ring is one gold with three colours).
    pub metals: Vec<Metal>,
    /// Stones, one per kind; counts and carats of several mentions of one
    /// kind are summed.
    pub stones: Vec<Stone>,
    /// A carat weight that names no stone (`1ct`, `1/2 ctw`): the caller
    /// decides which stone it belongs to (a product with one stone kind) or
    /// whether it is a diamond weight (catalog import does that).
    pub loose_carat: Option<f64>,
    /// The head category of the text (`charm bracelet` is a bracelet).
    pub category: Option<Category>,
    /// The text says "band" without saying which kind; with a ring category
    /// it means a wedding band.
    pub band: bool,
    pub gender: Option<Gender>,
    /// Style words, canonical (`dainty`, `minimal`, `statement`, ...).
    pub styles: Vec<String>,
    /// Birthstone month (1 = January) when the text speaks of a birthstone.
    pub birthstone_month: Option<u8>,
    /// A chain or bracelet length written with a unit (`18 inch`, `45cm`, `16"`).
    pub length: Option<Size>,
    /// A ring size written after "size" (`size 7`, `size N`).
    pub ring_size: Option<Size>,
    /// Width in millimetres when the text says so (`Width: 5.5mm`).
    pub width_mm: Option<f32>,
    /// Weight in grams (`3.5 g`).
    pub weight_g: Option<f32>,
    /// A collection named in the text (`the Love collection`) or a brand
    /// collection name from the vocabulary.
    pub collection: Option<String>,
    /// Lower-cased words the passes did not use, in order: what is left of a
    /// query for full-text matching.
    pub residual: Vec<String>,
}

/// Which field a text came from: dedicated columns are read more liberally
/// (a bare `925` in a metal column is sterling silver; `f` in a gender column
/// is women).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Field {
    Text,
    Metal,
    Stone,
    Gender,
}

/// Extracts attributes from free text (a title, a description, a query).
///
/// ```
/// let vocab = catalog::Vocabulary::builtin();
/// let x = catalog::extract_attributes("14K rose gold ring with 0.5ctw lab-grown diamonds", &vocab);
/// assert_eq!(x.metals[0].kind, "gold");
/// assert_eq!(x.metals[0].karat, Some(14));
/// assert_eq!(x.metals[0].colors, vec!["rose".to_string()]);
/// assert_eq!(x.stones[0].kind, "diamond");
/// assert_eq!(x.stones[0].carat, Some(0.5));
/// assert_eq!(x.category, Some(model::Category::Ring));
/// ```
pub fn extract_attributes(text: &str, vocab: &Vocabulary) -> Extracted {
    extract(text, vocab, Field::Text)
}

/// Remembers extractions of short, repetitive texts (option values such as
/// "14K Yellow Gold", tags, types) across the products of one import.
#[derive(Default)]
pub(crate) struct ExtractCache {
    map: std::collections::HashMap<(Field, String), Extracted>,
    /// The file names collections in tags (`collection:x`, `X Collection`):
    /// from then on titles are not read for collection names.
    pub(crate) tagged_collections: bool,
}

impl ExtractCache {
    const MAX_ENTRIES: usize = 4096;
    const MAX_TEXT: usize = 200;

    pub(crate) fn get(&mut self, text: &str, vocab: &Vocabulary, field: Field) -> Extracted {
        if text.len() > Self::MAX_TEXT {
            return extract(text, vocab, field);
        }
        if let Some(x) = self.map.get(&(field, text.to_string())) {
            return x.clone();
        }
        let x = extract(text, vocab, field);
        if self.map.len() >= Self::MAX_ENTRIES {
            self.map.clear();
        }
        self.map.insert((field, text.to_string()), x.clone());
        x
    }
}

/// A vocabulary phrase (or a single token the vocabulary does not know).
pub(crate) struct Item<'v> {
    pub text: String,
    pub brk: Brk,
    pub upper: bool,
    pub entries: &'v [Entry],
    pub used: bool,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
}

impl Item<'_> {
    pub(crate) fn has(&self, f: impl Fn(&Entry) -> bool) -> bool {
        self.entries.iter().any(f)
    }

    pub(crate) fn find<T>(&self, f: impl Fn(&Entry) -> Option<T>) -> Option<T> {
        self.entries.iter().find_map(f)
    }

    pub(crate) fn number(&self) -> Option<f64> {
        tokens::parse_number(&self.text)
    }

    pub(crate) fn integer(&self) -> Option<u32> {
        if self.text.bytes().all(|b| b.is_ascii_digit()) && self.text.len() <= 6 {
            self.text.parse().ok()
        } else {
            None
        }
    }
}

pub(crate) fn items<'v>(tokens: &[Token], vocab: &'v Vocabulary) -> Vec<Item<'v>> {
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let hard_after: Vec<bool> =
        (0..tokens.len()).map(|i| tokens.get(i + 1).is_some_and(|t| t.brk == Brk::Hard)).collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut key = String::new();
    let mut i = 0;
    while i < tokens.len() {
        let (len, entries) = vocab.longest(&texts[i..], &hard_after[i..], &mut key).unwrap_or((1, &[]));
        let text = if len == 1 { texts[i].to_string() } else { texts[i..i + len].join(" ") };
        out.push(Item {
            text,
            brk: tokens[i].brk,
            upper: tokens[i..i + len].iter().all(|t| t.upper),
            entries,
            used: false,
            start: tokens[i].start,
            end: tokens[i + len - 1].end,
        });
        i += len;
    }
    out
}

pub(crate) fn extract(text: &str, vocab: &Vocabulary, field: Field) -> Extracted {
    let tokens = tokenize(text);
    let mut items = items(&tokens, vocab);
    let mut out = Extracted { metals: metal::extract(&mut items, vocab, field), ..Extracted::default() };
    let (stones, loose) = stone::extract(&mut items, vocab, field);
    out.stones = stones;
    out.loose_carat = loose;
    out.length = size::length_in(&mut items);
    out.ring_size = size::ring_size_in(&mut items);
    (out.width_mm, out.weight_g) = size::measures_in(&mut items);
    rest(&mut items, field, &mut out);
    out
}

/// Category, gender, styles, months, collection and the residual words.
fn rest(items: &mut [Item], field: Field, out: &mut Extracted) {
    let mut birthstone = false;
    let mut month = None;
    let mut genders: Vec<Gender> = Vec::new();
    let mut ring_family = false;
    let mut cross = false;
    // The head category: the last category word of the first clause that has one.
    let mut clause_cat: Option<Category> = None;
    let mut clause_closed = false;
    for i in 0..items.len() {
        let it = &items[i];
        let boundary = it.brk == Brk::Hard
            || matches!(
                it.text.as_str(),
                "with" | "for" | "on" | "in" | "featuring" | "from" | "by" | "mit" | "avec" | "con"
            );
        if boundary && clause_cat.is_some() {
            clause_closed = true;
        }
        let mut consumed = it.used;
        if !it.used {
            if it.has(|e| matches!(e, Entry::NotCategory)) {
                consumed = true;
            } else if let Some(c) = it.find(|e| if let Entry::Category(c) = e { Some(*c) } else { None }) {
                if c.is_ring() {
                    ring_family = true;
                }
                if c == Category::Cross {
                    cross = true;
                }
                // The head noun wins, but `engagement ring` stays an
                // engagement ring rather than becoming a plain ring.
                let keeps_specific = c == Category::Ring && clause_cat.is_some_and(|x| x.is_ring());
                if !clause_closed && !keeps_specific {
                    clause_cat = Some(c);
                }
                consumed = true;
            } else if it.has(|e| matches!(e, Entry::CategoryContextual(_))) {
                out.band = true;
                consumed = true;
            }
            if let Some((g, loose)) = it.find(|e| {
                if let Entry::Gender { gender, loose_only } = e {
                    Some((*gender, *loose_only))
                } else {
                    None
                }
            }) {
                let multiword = it.text.contains(' ');
                if !loose || field == Field::Gender || multiword {
                    if !genders.contains(&g) {
                        genders.push(g);
                    }
                    consumed = true;
                }
            }
            for e in it.entries {
                match e {
                    Entry::Style(s) => {
                        if !out.styles.contains(s) {
                            out.styles.push(s.clone());
                        }
                        consumed = true;
                    }
                    Entry::Birthstone => {
                        birthstone = true;
                        consumed = true;
                    }
                    Entry::Month(m) if month.is_none() => month = Some(*m),
                    Entry::Collection(c) if out.collection.is_none() => {
                        out.collection = Some(c.clone());
                        consumed = true;
                    }
                    _ => {}
                }
            }
            if it.text == "collection" && out.collection.is_none() {
                out.collection = collection_before(items, i);
            }
        }
        if !consumed && it.text != "/" {
            out.residual.push(items[i].text.clone());
        }
    }
    if birthstone {
        out.birthstone_month = month;
        if let Some(m) = month {
            // The month word was a birthstone's month, not a residual word.
            out.residual.retain(|w| !MONTH_WORDS.contains(&w.as_str()) || month_word(w) != Some(m));
        }
    }
    out.category = clause_cat;
    // The taxonomy has crosses: a cross pendant or necklace is a cross.
    if cross
        && matches!(
            clause_cat,
            Some(Category::Pendant | Category::Necklace | Category::Charm | Category::Chain)
        )
    {
        out.category = Some(Category::Cross);
    }
    if out.band && ring_family && matches!(clause_cat, None | Some(Category::Ring)) {
        out.category = Some(Category::WeddingBand);
    }
    out.gender = match genders.as_slice() {
        [] => None,
        [g] => Some(*g),
        gs if gs.contains(&Gender::Kids) => Some(Gender::Kids),
        _ => Some(Gender::Unisex),
    };
}

const MONTH_WORDS: [&str; 12] = model::birthstone::MONTH_NAMES;

fn month_word(w: &str) -> Option<u8> {
    MONTH_WORDS.iter().position(|m| *m == w).map(|i| i as u8 + 1)
}

/// `the Love collection` -> `love`: up to three plain words before it.
fn collection_before(items: &[Item], i: usize) -> Option<String> {
    let mut words = Vec::new();
    let mut j = i;
    while j > 0 && words.len() < 3 {
        if items[j].brk == Brk::Hard {
            break;
        }
        let it = &items[j - 1];
        if it.used
            || it.entries.iter().any(|e| !matches!(e, Entry::CollectionStop))
            || it.text == "the"
            || it.text == "our"
        {
            break;
        }
        if it.has(|e| matches!(e, Entry::CollectionStop)) {
            break;
        }
        words.push(it.text.clone());
        j -= 1;
    }
    words.reverse();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests;
