//! Spec lines inside descriptions, the most common layout of small shops'
//! exports: `Material: Gold 14ct.`, `<li><strong>Color:</strong> White</li>`,
//! `Chain length (cm): 38.0`, table rows (`strip_html` turns a row's cells
//! into `key: value`). Which keys count, in which languages, is vocabulary
//! data (`[spec.keys]`); this module only finds `key: value` pairs and reads
//! the values of colour, length and weight lines, which free-text extraction
//! cannot (the unit sits in the key; `Color: White` has no metal word).

use model::Size;

use super::size::parse_length;
use super::tokens::{parse_number, split_number_suffix, tokenize, Brk};
use super::{items, Item};
use crate::vocab::{Entry, SpecKey, Vocabulary};

/// One `key: value` pair whose key the vocabulary knows.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Spec {
    pub key: SpecKey,
    /// The unit written in the key: `cm` in `Chain length (cm)`.
    pub unit: Option<String>,
    pub value: String,
}

/// A key is at most this many words (`Longueur de la chaîne`).
const MAX_KEY_WORDS: usize = 4;

/// The spec pairs of a text, in order. Several pairs may share a line
/// (`Metal: 18K gold. Stones: Pearl`): a value runs to the next known key.
pub(crate) fn specs(text: &str, vocab: &Vocabulary) -> Vec<Spec> {
    let mut out = Vec::new();
    for line in text.lines() {
        // (key start, value start, key, unit)
        let mut keys: Vec<(usize, usize, SpecKey, Option<String>)> = Vec::new();
        let mut floor = 0;
        for (colon, c) in line.char_indices().filter(|(_, c)| matches!(c, ':' | '：')) {
            if colon < floor {
                continue;
            }
            if let Some((start, key, unit)) = key_before(&line[floor..colon], floor > 0, vocab) {
                keys.push((floor + start, colon + c.len_utf8(), key, unit));
                floor = colon + c.len_utf8();
            }
        }
        for (i, (_, value_start, key, unit)) in keys.iter().enumerate() {
            let value_end = keys.get(i + 1).map_or(line.len(), |k| k.0);
            let value =
                line[*value_start..value_end].trim().trim_end_matches(['.', ',', ';', '|', '-', '•']).trim();
            if !value.is_empty() {
                out.push(Spec { key: *key, unit: unit.clone(), value: value.to_string() });
            }
        }
    }
    out
}

/// The known key that ends `before` (the text up to a colon): its start, what
/// it means and the unit in parentheses after it.
/// After another pair's value (`after_value`) a key may follow the value
/// without punctuation; at the start of a line it must open the line or
/// follow a sentence's end, so that "a lovely color: warm" is prose.
fn key_before(
    before: &str,
    after_value: bool,
    vocab: &Vocabulary,
) -> Option<(usize, SpecKey, Option<String>)> {
    let mut head = before.trim_end();
    let mut unit = None;
    if let Some(stripped) = head.strip_suffix([')', ']']) {
        let open = stripped.rfind(['(', '['])?;
        let inside = stripped[open + 1..].trim().to_lowercase();
        if !inside.is_empty() && inside.len() <= 12 {
            unit = Some(inside);
        }
        head = stripped[..open].trim_end();
    }
    // The last one to four words, longest known key first.
    let starts: Vec<usize> = head
        .char_indices()
        .filter(|&(i, c)| !c.is_whitespace() && (i == 0 || head[..i].ends_with(char::is_whitespace)))
        .map(|(i, _)| i)
        .collect();
    for n in (1..=MAX_KEY_WORDS.min(starts.len())).rev() {
        let start = starts[starts.len() - n];
        let candidate = &head[start..];
        // A key is a phrase of its own, not the end of a sentence.
        let opens = n == starts.len()
            || after_value
            || head[..start].trim_end().ends_with(['.', '•', '-', '|', ';', ',', '*', ':']);
        if !opens {
            continue;
        }
        if let Some(key) = vocab.spec_key(candidate) {
            return Some((start, key, unit));
        }
    }
    None
}

/// The gold colours a colour line names: `White`, `Rose Gold`, `Gold & White`
/// (yellow and white), `Or jaune`. Metal words count as colours only away
/// from a colour word (`Rose Gold` is rose, not rose and yellow).
pub(crate) fn gold_colors(value: &str, vocab: &Vocabulary) -> Vec<String> {
    let tokens = tokenize(value);
    let its = items(&tokens, vocab);
    let color_of = |it: &Item| -> Option<Vec<String>> {
        it.entries.iter().find_map(|e| match e {
            Entry::MetalColor(c) => Some(vec![c.clone()]),
            Entry::MetalCompound { color: Some(c), .. } => Some(vec![c.clone()]),
            Entry::MultiColor(cs) => Some(cs.clone()),
            _ => None,
        })
    };
    let mut out: Vec<String> = Vec::new();
    let push = |c: String, out: &mut Vec<String>| {
        if !out.contains(&c) {
            out.push(c);
        }
    };
    for (i, it) in its.iter().enumerate() {
        if let Some(cs) = color_of(it) {
            cs.into_iter().for_each(|c| push(c, &mut out));
            continue;
        }
        let Some(c) = vocab.spec_gold_color(&it.text) else { continue };
        let after_color = i > 0 && it.brk != Brk::Hard && color_of(&its[i - 1]).is_some();
        let before_color = its.get(i + 1).is_some_and(|n| n.brk != Brk::Hard && color_of(n).is_some());
        if after_color || before_color {
            continue;
        }
        push(c.to_string(), &mut out);
    }
    out
}

/// A length from a length line: `38.0` with `(cm)` in the key, `45 cm`, `18"`.
pub(crate) fn length(spec: &Spec) -> Option<Size> {
    let number_only = parse_number(spec.value.trim());
    match (number_only, &spec.unit) {
        (Some(n), Some(unit)) => parse_length(&format!("{n} {unit}")),
        _ => parse_length(&spec.value),
    }
}

/// Grams from a weight line: `1.1` with `(gr)` in the key, `3.5 g`, `2,4gr`.
pub(crate) fn grams(spec: &Spec) -> Option<f32> {
    let value = spec.value.trim().to_lowercase();
    let (n, unit) = match value.split_once(char::is_whitespace) {
        Some((a, b)) if parse_number(a).is_some() => (parse_number(a)?, b.trim().to_string()),
        _ => match parse_number(&value) {
            Some(n) => (n, String::new()),
            None => {
                let (n, u) = split_number_suffix(&value)?;
                (n, u.to_string())
            }
        },
    };
    let unit = if unit.is_empty() { spec.unit.clone().unwrap_or_default() } else { unit };
    let unit = unit.trim_end_matches('.');
    let factor = match unit {
        "g" | "gr" | "grs" | "gm" | "gms" | "gram" | "grams" | "gramm" | "gramme" | "grammes" | "grammi"
        | "gramos" => 1.0,
        "mg" => 0.001,
        "oz" => 28.35,
        "dwt" => 1.555,
        _ => return None,
    };
    let g = (n * factor) as f32;
    (g > 0.0 && g < 5000.0).then_some(g)
}

/// Millimetres from a width line: `5.5mm`, `5,5 mm`, `5.5` with `(mm)` in the key.
pub(crate) fn width_mm(spec: &Spec) -> Option<f32> {
    let value = spec.value.trim().to_lowercase();
    let (n, unit) = match parse_number(&value) {
        Some(n) => (n, spec.unit.clone().unwrap_or_default()),
        None => {
            let glued: String = value.split_whitespace().collect();
            let (n, u) = split_number_suffix(&glued)?;
            (n, u.to_string())
        }
    };
    let mm = match unit.trim_end_matches('.') {
        "mm" => n,
        "cm" => n * 10.0,
        _ => return None,
    } as f32;
    (mm > 0.0 && mm <= 100.0).then_some(mm)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> &'static Vocabulary {
        static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
        V.get_or_init(Vocabulary::builtin)
    }

    #[track_caller]
    fn check(text: &str, expect: &[(SpecKey, Option<&str>, &str)]) {
        let got = specs(text, vocab());
        let got: Vec<(SpecKey, Option<&str>, &str)> =
            got.iter().map(|s| (s.key, s.unit.as_deref(), s.value.as_str())).collect();
        assert_eq!(got, expect, "{text:?}");
    }

    #[test]
    fn finds_spec_lines() {
        use SpecKey::*;
        check("Material: Gold 14ct.\nColor: White", &[(Metal, None, "Gold 14ct"), (Color, None, "White")]);
        check(
            "Metal: 18K White Gold. Stones: Pearl",
            &[(Metal, None, "18K White Gold"), (Stone, None, "Pearl")],
        );
        check("Stone details: Pearl 7-7.5mm", &[(Stone, None, "Pearl 7-7.5mm")]);
        check("Chain length (cm): 38.0", &[(Length, Some("cm"), "38.0")]);
        check("Weight (gr): 1.1", &[(Weight, Some("gr"), "1.1")]);
        check("Dimensions: 3.8 x 3.8 mm", &[(Dimensions, None, "3.8 x 3.8 mm")]);
        check("Matière : Or jaune 18 carats", &[(Metal, None, "Or jaune 18 carats")]);
        check("Farbe: Gelbgold; Stein: Perle", &[(Color, None, "Gelbgold"), (Stone, None, "Perle")]);
        // The stone's colour is not the gold's, even after another pair's value.
        check("Metal: 14K gold Stone colour: Pink", &[(Metal, None, "14K gold"), (Stone, None, "Pink")]);
        // A colon after ordinary prose is not a spec.
        check("Note: handle with care", &[]);
        check("This ring has a lovely color: warm and bright", &[]);
    }

    #[track_caller]
    fn colors(value: &str, expect: &[&str]) {
        assert_eq!(gold_colors(value, vocab()), expect, "{value:?}");
    }

    #[test]
    fn reads_gold_colours() {
        colors("White", &["white"]);
        colors("Gold", &["yellow"]);
        colors("Yellow", &["yellow"]);
        colors("Rose", &["rose"]);
        colors("Red", &["rose"]);
        colors("Pink", &["rose"]);
        colors("Gold & White", &["yellow", "white"]);
        colors("Rose Gold", &["rose"]);
        colors("or rose", &["rose"]);
        colors("Two-tone", &["yellow", "white"]);
        colors("Multicolor", &[]);
    }

    #[test]
    fn reads_measures() {
        let spec = |key, unit: Option<&str>, value: &str| Spec {
            key,
            unit: unit.map(str::to_string),
            value: value.to_string(),
        };
        assert!(matches!(
            length(&spec(SpecKey::Length, Some("cm"), "38.0")),
            Some(Size::Length { cm, .. }) if cm == 38.0
        ));
        assert!(
            matches!(length(&spec(SpecKey::Length, None, "18 inches")), Some(Size::Length { inches, .. }) if inches == 18.0)
        );
        assert_eq!(grams(&spec(SpecKey::Weight, Some("gr"), "1.1")), Some(1.1));
        assert_eq!(grams(&spec(SpecKey::Weight, None, "3.5 g")), Some(3.5));
        assert_eq!(grams(&spec(SpecKey::Weight, None, "2,4gr")), Some(2.4));
        assert_eq!(grams(&spec(SpecKey::Weight, None, "heavy")), None);
        assert_eq!(width_mm(&spec(SpecKey::Width, None, "5.5mm")), Some(5.5));
        assert_eq!(width_mm(&spec(SpecKey::Width, Some("mm"), "4")), Some(4.0));
    }
}
