//! The query-side jewelry lexicon: phrases shoppers type and the facts they
//! mean, loaded from `data/lexicon.txt` (and any brand file in the same
//! format). The catalog crate normalizes products; this file only has to
//! understand queries, so it lives with search.

use std::collections::HashMap;

use model::{Category, Gender, StoneOrigin};

use crate::text::{allowed_edits, edit_distance, norm_words};

/// The lexicon shipped with Loupe.
pub const DEFAULT_LEXICON: &str = include_str!("../data/lexicon.txt");

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Fact {
    Category(Category),
    Metal(String),
    Color(String),
    Karat(u8),
    Finish(String),
    Stone(String),
    Origin(StoneOrigin),
    Gender(Gender),
    Style(String),
    Occasion(String),
    StoneColor(String),
    StoneTint(String),
    Price(PriceWord),
    Birthstone,
    Month(u8),
    Stop,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceWord {
    Cheap,
    Luxury,
}

/// A parsed lexicon. Cheap to clone behind an `Arc`; built once per index.
#[derive(Clone, Debug, Default)]
pub struct Lexicon {
    pub(crate) phrases: HashMap<Vec<String>, Vec<Fact>>,
    pub(crate) max_phrase: usize,
    /// Single-word phrases of 5+ letters, for typo correction.
    pub(crate) fuzzy_words: Vec<String>,
    /// Single-word phrases of 4 or 5 letters, for dropped-letter typos.
    pub(crate) short_words: Vec<String>,
    /// Month (1-12) to the birthstones a brand file set for it; index 0
    /// unused. An empty entry means the shared table in `model::birthstone`.
    pub(crate) birthstones: Vec<Vec<String>>,
    pub(crate) stone_colors: HashMap<String, Vec<String>>,
    /// Style or occasion name to words that show it in a product's text.
    pub(crate) affinities: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("lexicon line {line}: {message}")]
pub struct LexiconError {
    pub line: usize,
    pub message: String,
}

impl Lexicon {
    /// The default lexicon. It is part of the source tree, so a parse error
    /// is a bug caught by the tests; in release it degrades to what parsed.
    pub fn default_lexicon() -> Lexicon {
        let mut lex = Lexicon { birthstones: vec![Vec::new(); 13], ..Lexicon::default() };
        let _ = lex.extend(DEFAULT_LEXICON);
        lex
    }

    /// Adds entries from text in the `lexicon.txt` format. Entries for a
    /// phrase already present replace the old facts. Stops at the first bad
    /// line and reports it (entries before it are kept).
    pub fn extend(&mut self, text: &str) -> Result<(), LexiconError> {
        if self.birthstones.len() < 13 {
            self.birthstones.resize(13, Vec::new());
        }
        let mut section = "";
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let err = |message: String| LexiconError { line: i + 1, message };
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if line.starts_with('[') && line.ends_with(']') {
                section = match &line[1..line.len() - 1] {
                    "birthstones" => "birthstones",
                    "stonecolors" => "stonecolors",
                    "affinities" => "affinities",
                    other => return Err(err(format!("unknown section [{other}]"))),
                };
                continue;
            }
            let (left, right) = line.split_once("=>").ok_or_else(|| err("expected `=>`".into()))?;
            let values: Vec<String> = right.split_whitespace().map(str::to_string).collect();
            match section {
                "birthstones" => {
                    let month: usize = left.trim().parse().map_err(|_| err(format!("bad month {left:?}")))?;
                    if !(1..=12).contains(&month) {
                        return Err(err(format!("bad month {month}")));
                    }
                    self.birthstones[month] = values;
                }
                "stonecolors" => {
                    self.stone_colors.insert(left.trim().to_string(), values);
                }
                "affinities" => {
                    let words = values.iter().flat_map(|v| norm_words(v)).collect();
                    self.affinities.insert(left.trim().to_string(), words);
                }
                _ => {
                    let facts =
                        values.iter().map(|v| parse_fact(v).map_err(&err)).collect::<Result<Vec<_>, _>>()?;
                    for phrase in left.split('|') {
                        let key = norm_words(phrase);
                        if key.is_empty() {
                            continue;
                        }
                        self.max_phrase = self.max_phrase.max(key.len());
                        if key.len() == 1 && key[0].len() >= 5 && !self.phrases.contains_key(&key) {
                            self.fuzzy_words.push(key[0].clone());
                        }
                        if key.len() == 1
                            && (4..=5).contains(&key[0].len())
                            && !self.phrases.contains_key(&key)
                        {
                            self.short_words.push(key[0].clone());
                        }
                        self.phrases.insert(key, facts.clone());
                    }
                }
            }
        }
        Ok(())
    }

    pub(crate) fn get(&self, words: &[String]) -> Option<&Vec<Fact>> {
        self.phrases.get(words)
    }

    /// The lexicon word a typo most likely meant, if one is close enough.
    pub(crate) fn correct(&self, word: &str) -> Option<&str> {
        let max = allowed_edits(word.len());
        if max == 0 {
            // Four letters: only a dropped letter (`hops` for `hoops`, `carm`
            // for `charm`), the commonest short typo; anything looser turns
            // real words into other words.
            if (3..=4).contains(&word.len()) && word.bytes().all(|b| b.is_ascii_lowercase()) {
                return self
                    .short_words
                    .iter()
                    .find(|w| w.len() == word.len() + 1 && edit_distance(word, w, 1) == Some(1))
                    .map(String::as_str);
            }
            return None;
        }
        let mut best: Option<(usize, &str)> = None;
        for w in &self.fuzzy_words {
            if let Some(d) = edit_distance(word, w, max) {
                if best.is_none_or(|(bd, _)| d < bd) {
                    best = Some((d, w));
                }
            }
        }
        best.map(|(_, w)| w)
    }

    /// The birthstones of `month` (1-12): a brand file's `[birthstones]`
    /// entry for it, else the shared table in `model::birthstone`.
    pub(crate) fn birthstones(&self, month: u8) -> Vec<String> {
        match self.birthstones.get(month as usize) {
            Some(own) if !own.is_empty() => own.clone(),
            _ => model::birthstone::stones(month).iter().map(|s| s.to_string()).collect(),
        }
    }

    pub(crate) fn stones_of_color(&self, color: &str) -> &[String] {
        self.stone_colors.get(color).map(Vec::as_slice).unwrap_or(&[])
    }
}

fn parse_fact(s: &str) -> Result<Fact, String> {
    let (k, v) = s.split_once(':').unwrap_or((s, ""));
    let bad = || format!("bad fact {s:?}");
    Ok(match k {
        "category" => Fact::Category(Category::parse(v).ok_or_else(bad)?),
        "metal" => Fact::Metal(v.to_string()),
        "color" => Fact::Color(v.to_string()),
        "karat" => Fact::Karat(v.parse().map_err(|_| bad())?),
        "finish" => Fact::Finish(v.to_string()),
        "stone" => Fact::Stone(v.to_string()),
        "origin" => Fact::Origin(match v {
            "natural" => StoneOrigin::Natural,
            "lab_grown" => StoneOrigin::LabGrown,
            "simulant" => StoneOrigin::Simulant,
            _ => return Err(bad()),
        }),
        "gender" => Fact::Gender(Gender::parse(v).ok_or_else(bad)?),
        "style" => Fact::Style(v.to_string()),
        "occasion" => Fact::Occasion(v.to_string()),
        "stonecolor" => Fact::StoneColor(v.to_string()),
        "stonetint" => Fact::StoneTint(v.to_string()),
        "price" => Fact::Price(match v {
            "cheap" => PriceWord::Cheap,
            "luxury" => PriceWord::Luxury,
            _ => return Err(bad()),
        }),
        "birthstone" => Fact::Birthstone,
        "month" => Fact::Month(v.parse().ok().filter(|m| (1..=12).contains(m)).ok_or_else(bad)?),
        "stop" => Fact::Stop,
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_lexicon_parses_completely() {
        let mut lex = Lexicon { birthstones: vec![Vec::new(); 13], ..Lexicon::default() };
        lex.extend(DEFAULT_LEXICON).unwrap();
        assert_eq!(lex.birthstones(7), ["ruby"]);
        assert!(lex.get(&["cuff".into(), "link".into()]).is_some());
        assert_eq!(lex.correct("neckalce"), Some("necklace"));
        assert_eq!(lex.correct("braclet"), Some("bracelet"));
        assert_eq!(lex.correct("hoop"), None);
        assert_eq!(lex.correct("carm"), Some("charm"));
        assert_eq!(lex.correct("hop"), Some("hoop"));
    }

    #[test]
    fn birthstones_are_the_shared_table_unless_a_brand_sets_a_month() {
        let mut lex = Lexicon::default_lexicon();
        for m in 1..=12 {
            assert_eq!(lex.birthstones(m), model::birthstone::stones(m), "month {m}");
        }
        lex.extend("[birthstones]\n12 => blue_topaz turquoise\n").unwrap();
        assert_eq!(lex.birthstones(12), ["blue_topaz", "turquoise"]);
        assert_eq!(lex.birthstones(6), ["pearl", "moonstone", "alexandrite"]);
    }

    #[test]
    fn brand_file_extends_and_reports_bad_lines() {
        let mut lex = Lexicon::default_lexicon();
        lex.extend("bolt ring => category:ring style:bolt\n").unwrap();
        assert!(lex.get(&["bolt".into(), "ring".into()]).is_some());
        let err = lex.extend("ok => stop\nnope => metal\nfoo => bar:baz\n").unwrap_err();
        assert_eq!(err.line, 3);
    }
}
