//! Query understanding: a shopper's words turned into hard constraints
//! (price, category, metal, karat, stone, origin, ring size, chain length)
//! and soft preferences (recipient, style, occasion, stone colour, budget
//! words), with the typos it corrected and the words left for full-text.
//!
//! Pure and total: any string in, an `Understood` out. Queries are cut to
//! `MAX_QUERY_CHARS` and `MAX_WORDS` first so a 10 KB paste costs nothing.

use model::{Category, Gender, StoneOrigin};

use crate::lexicon::{Fact, Lexicon, PriceWord};
use crate::text::{singular, words};

/// Longest query looked at; the rest is ignored (and reported as ignored).
pub const MAX_QUERY_CHARS: usize = 512;
const MAX_WORDS: usize = 32;
const KARATS: [u8; 10] = [8, 9, 10, 12, 14, 15, 18, 20, 22, 24];

/// What the engine understood from a query.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Understood {
    pub category: Option<Labelled<Vec<Category>>>,
    pub metal: Option<Labelled<String>>,
    pub colors: Vec<Labelled<String>>,
    pub karat: Option<Labelled<u8>>,
    pub stone: Option<StoneWant>,
    pub origin: Option<Labelled<StoneOrigin>>,
    pub price: Option<PriceWant>,
    pub ring_size: Option<Labelled<f32>>,
    /// Wanted chain or bracelet length in centimetres.
    pub length_cm: Option<Labelled<f32>>,
    // Soft preferences.
    pub gender: Option<Labelled<Gender>>,
    pub finish: Option<Labelled<String>>,
    pub styles: Vec<Labelled<String>>,
    pub occasions: Vec<Labelled<String>>,
    /// "birthstone" without a month: any birthstone is a plus.
    pub birthstone: Option<String>,
    /// Stone colour as a preference, when a stone kind was named too.
    pub stone_color: Option<Labelled<String>>,
    /// Words left for the full-text index.
    pub terms: Vec<String>,
    /// Every word that describes the piece (free terms and the words behind
    /// categories, metals, stones, styles, occasions), for text relevance.
    pub text_words: Vec<String>,
    pub corrections: Vec<(String, String)>,
    pub ignored: Vec<String>,
}

/// A value with the words of the query it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Labelled<T> {
    pub value: T,
    pub from: String,
}

fn lab<T>(value: T, from: &str) -> Labelled<T> {
    Labelled { value, from: from.to_string() }
}

/// The stones a query asks for: kinds (any of) and/or a colour.
#[derive(Clone, Debug, PartialEq)]
pub struct StoneWant {
    pub kinds: Vec<String>,
    pub color: Option<String>,
    /// Birthstone month when the kinds came from one.
    pub month: Option<u8>,
    pub from: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PriceWant {
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// `cheap`/`luxury`: bounds resolved later against the category's prices.
    pub relative: Option<PriceWord>,
    pub from: String,
}

#[derive(Clone, Copy, PartialEq)]
enum PriceKw {
    Max,
    Min,
    Between,
    Around,
}

fn price_keyword(toks: &[String], i: usize) -> Option<(PriceKw, usize)> {
    let w = toks[i].as_str();
    let next = toks.get(i + 1).map(String::as_str);
    let two = |a: &str| next == Some(a);
    Some(match w {
        "under" | "below" | "max" | "maximum" | "upto" | "within" | "beneath" | "lt" => (PriceKw::Max, 1),
        "less" | "cheaper" | "lower" if two("than") => (PriceKw::Max, 2),
        "up" if two("to") => (PriceKw::Max, 2),
        "at" if two("most") => (PriceKw::Max, 2),
        "no" if two("more") && toks.get(i + 2).is_some_and(|t| t == "than") => (PriceKw::Max, 3),
        "over" | "above" | "min" | "minimum" | "beyond" | "starting" | "gt" => (PriceKw::Min, 1),
        "more" | "higher" if two("than") => (PriceKw::Min, 2),
        "at" if two("least") => (PriceKw::Min, 2),
        "from" if next.is_some_and(|n| parse_amount(n).is_some() || is_currency(n)) => (PriceKw::Min, 1),
        "between" => (PriceKw::Between, 1),
        "around" | "about" | "approx" | "approximately" | "roughly" | "circa" | "near" => {
            (PriceKw::Around, 1)
        }
        _ => return None,
    })
}

fn is_currency(w: &str) -> bool {
    matches!(
        w,
        "usd"
            | "eur"
            | "gbp"
            | "inr"
            | "dollar"
            | "euro"
            | "pound"
            | "buck"
            | "quid"
            | "rs"
            | "rupee"
            | "chf"
            | "cad"
            | "aud"
    )
}

/// `150`, `1500.50`, `2k`, `1.5k` → major units.
fn parse_amount(w: &str) -> Option<f64> {
    let (num, mult) = match w.strip_suffix('k') {
        Some(n) => (n, 1000.0),
        None => (w, 1.0),
    };
    if num.is_empty()
        || !num.chars().all(|c| c.is_ascii_digit() || c == '.')
        || !num.starts_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let v = v * mult;
    (v.is_finite() && v < 1e9).then_some(v)
}

/// `14k`, `18kt`, `18ct`, `14karat` → karat.
fn parse_karat(w: &str) -> Option<u8> {
    let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
    let rest = &w[digits.len()..];
    if digits.is_empty() || !matches!(rest, "k" | "kt" | "ct" | "karat" | "carat" | "kr") {
        return None;
    }
    let k: u8 = digits.parse().ok()?;
    KARATS.contains(&k).then_some(k)
}

/// Parses a query. `known` says whether a word occurs in the indexed
/// product text, so that real product words (collection names) are not
/// "corrected" into lexicon words.
pub fn understand(query: &str, lex: &Lexicon, known: &dyn Fn(&str) -> bool) -> Understood {
    let mut u = Understood::default();
    let clipped: String = query.chars().take(MAX_QUERY_CHARS).collect();
    if clipped.len() < query.len() {
        u.ignored.push(format!(
            "{} characters after the first {MAX_QUERY_CHARS}",
            query.chars().count() - MAX_QUERY_CHARS
        ));
    }
    // Symbols that carry price meaning become words before tokenizing.
    let mut prepared = String::with_capacity(clipped.len() + 16);
    let chars: Vec<char> = clipped.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '$' => prepared.push_str(" usd "),
            '€' => prepared.push_str(" eur "),
            '£' => prepared.push_str(" gbp "),
            '₹' => prepared.push_str(" inr "),
            '<' | '>'
                if chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_digit() || matches!(c, '$' | '€' | '£' | ' ')) =>
            {
                prepared.push_str(if c == '<' { " under " } else { " over " })
            }
            '"' | '″' if i > 0 && chars[i - 1].is_ascii_digit() => prepared.push_str(" inch "),
            '-' if i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|c| c.is_ascii_digit() || *c == '$') =>
            {
                prepared.push_str(" to ")
            }
            _ => prepared.push(c),
        }
    }
    let mut raw = words(&prepared);
    if raw.len() > MAX_WORDS {
        u.ignored.push(format!("{} words after the first {MAX_WORDS}", raw.len() - MAX_WORDS));
        raw.truncate(MAX_WORDS);
    }
    let mut toks: Vec<String> = raw.iter().map(|w| singular(w)).collect();
    let mut used = vec![false; toks.len()];

    // A typo of a price keyword right before an amount ("uder 750") is corrected before numbers
    // are read, or the amount would be left as a word.
    for i in 0..toks.len().saturating_sub(1) {
        let amount_follows = parse_amount(&toks[i + 1]).is_some() || is_currency(&toks[i + 1]);
        if !amount_follows || price_keyword(&toks, i).is_some() || known(&toks[i]) || known(&raw[i]) {
            continue;
        }
        if let Some(fixed) = lex.correct(&toks[i]).map(str::to_string) {
            let mut probe = toks.clone();
            probe[i] = fixed.clone();
            if price_keyword(&probe, i).is_some() {
                u.corrections.push((raw[i].clone(), fixed.clone()));
                toks[i] = fixed;
            }
        }
    }

    parse_numbers(&toks, &raw, &mut used, &mut u);

    // Lexicon phrases, longest first, on the words numbers did not take.
    let mut i = 0;
    let mut month: Option<(u8, String)> = None;
    let mut stone_kinds: Vec<(String, String)> = Vec::new();
    let mut stone_color: Option<(String, String)> = None;
    let mut price_word: Option<(PriceWord, String)> = None;
    let mut categories: Vec<(Vec<Category>, String)> = Vec::new();
    while i < toks.len() {
        if used[i] {
            i += 1;
            continue;
        }
        let mut matched = None;
        let max_len = lex.max_phrase.min(toks.len() - i);
        for len in (1..=max_len).rev() {
            if used[i..i + len].iter().any(|&x| x) {
                continue;
            }
            if let Some(facts) = lex.get(&toks[i..i + len]) {
                matched = Some((len, facts.clone(), raw[i..i + len].join(" ")));
                break;
            }
        }
        // A compound written as two words (`cuff links`) or one word split
        // by mistake (`ear rings`).
        if matched.is_none() && i + 1 < toks.len() && !used[i + 1] {
            let joined = singular(&format!("{}{}", raw[i], raw[i + 1]));
            if let Some(facts) = lex.get(std::slice::from_ref(&joined)) {
                matched = Some((2, facts.clone(), raw[i..i + 2].join(" ")));
            } else if !known(&toks[i + 1])
                && !known(&raw[i + 1])
                && lex.get(std::slice::from_ref(&toks[i + 1])).is_none()
            {
                // A misspelt compound: `cuff liinks`.
                if let Some(fixed) = lex.correct(&joined).map(str::to_string) {
                    if let Some(facts) = lex.get(std::slice::from_ref(&fixed)) {
                        u.corrections.push((raw[i..i + 2].join(" "), fixed));
                        matched = Some((2, facts.clone(), raw[i..i + 2].join(" ")));
                    }
                }
            }
        }
        // A typo of a lexicon word, unless the word is real product text.
        if matched.is_none() && !known(&toks[i]) && !known(&raw[i]) {
            if let Some(fixed) = lex.correct(&toks[i]) {
                if let Some(facts) = lex.get(&[fixed.to_string()]) {
                    u.corrections.push((raw[i].clone(), fixed.to_string()));
                    matched = Some((1, facts.clone(), raw[i].clone()));
                }
            }
        }
        let Some((len, facts, from)) = matched else {
            u.terms.push(toks[i].clone());
            u.text_words.push(toks[i].clone());
            i += 1;
            continue;
        };
        let descriptive = facts.iter().any(|f| {
            matches!(
                f,
                Fact::Category(_)
                    | Fact::Stone(_)
                    | Fact::Style(_)
                    | Fact::Occasion(_)
                    | Fact::StoneColor(_)
                    | Fact::StoneTint(_)
                    | Fact::Birthstone
                    | Fact::Finish(_)
            )
        });
        if descriptive {
            match u.corrections.last() {
                Some((typo, fixed)) if *typo == from => u.text_words.push(fixed.clone()),
                _ => u.text_words.extend(toks[i..i + len].iter().cloned()),
            }
        }
        let mut cats = Vec::new();
        for fact in facts {
            match fact {
                Fact::Category(c) => cats.push(c),
                Fact::Metal(m) => {
                    if u.metal.is_none() {
                        u.metal = Some(lab(m, &from));
                    }
                }
                Fact::Color(c) => {
                    if !u.colors.iter().any(|x| x.value == c) {
                        u.colors.push(lab(c, &from));
                    }
                }
                Fact::Karat(k) => u.karat = Some(lab(k, &from)),
                Fact::Finish(f) => u.finish = Some(lab(f, &from)),
                Fact::Stone(s) => stone_kinds.push((s, from.clone())),
                Fact::Origin(o) => u.origin = Some(lab(o, &from)),
                Fact::Gender(g) => {
                    if u.gender.is_none() {
                        u.gender = Some(lab(g, &from));
                    }
                }
                Fact::Style(s) => {
                    if !u.styles.iter().any(|x| x.value == s) {
                        u.styles.push(lab(s, &from));
                    }
                }
                Fact::Occasion(o) => {
                    if !u.occasions.iter().any(|x| x.value == o) {
                        u.occasions.push(lab(o, &from));
                    }
                }
                Fact::StoneColor(c) => {
                    if stone_color.as_ref().is_none_or(|(old, _)| old == "any") {
                        stone_color = Some((c, from.clone()));
                    }
                }
                Fact::StoneTint(c) => {
                    if u.stone_color.is_none() {
                        u.stone_color = Some(lab(c, &from));
                    }
                }
                Fact::Price(p) => price_word = Some((p, from.clone())),
                Fact::Birthstone => u.birthstone = Some(from.clone()),
                Fact::Month(m) => month = Some((m, from.clone())),
                Fact::Stop => {}
            }
        }
        if !cats.is_empty() {
            categories.push((cats, from));
        }
        i += len;
    }

    // Category: the most specific phrase wins (`engagement ring` over `ring`).
    if let Some((cats, from)) = categories.into_iter().min_by_key(|(c, _)| c.len()) {
        u.category = Some(lab(cats, &from));
    }
    // Stones: named kinds, else the birthstone month's, else a colour.
    if !stone_kinds.is_empty() {
        let from = stone_kinds.iter().map(|(_, f)| f.as_str()).collect::<Vec<_>>().join(" ");
        let kinds = stone_kinds.into_iter().map(|(k, _)| k).collect();
        u.stone = Some(StoneWant { kinds, color: None, month: None, from });
        if let Some((c, from)) = stone_color {
            u.stone_color = Some(lab(c, &from));
        }
    } else if let Some((m, from)) = month {
        let kinds = lex.birthstones(m);
        let from = match &u.birthstone {
            Some(b) => format!("{from} {b}"),
            None => from,
        };
        u.birthstone = None;
        u.stone = Some(StoneWant { kinds, color: None, month: Some(m), from });
    } else if let Some((c, from)) = stone_color {
        let kinds = lex.stones_of_color(&c).to_vec();
        let color = (c != "any").then_some(c);
        u.stone = Some(StoneWant { kinds, color, month: None, from });
    }
    if let Some((p, from)) = price_word {
        if u.price.is_none() {
            u.price = Some(PriceWant { min: None, max: None, relative: Some(p), from });
        }
    }
    u
}

/// Prices, ring sizes, chain lengths and karats: the words with numbers.
fn parse_numbers(toks: &[String], raw: &[String], used: &mut [bool], u: &mut Understood) {
    let n = toks.len();
    let mut i = 0;
    while i < n {
        if used[i] {
            i += 1;
            continue;
        }
        // Price with a keyword: `under $150`, `between 500 and 1000`.
        if let Some((kw, kwlen)) = price_keyword(toks, i) {
            let mut j = i + kwlen;
            if j < n && is_currency(&toks[j]) {
                j += 1;
            }
            if let Some(a) = toks.get(j).and_then(|t| parse_amount(t)) {
                let mut end = j + 1;
                if end < n && is_currency(&toks[end]) {
                    end += 1;
                }
                let mut want = PriceWant { min: None, max: None, relative: None, from: String::new() };
                match kw {
                    PriceKw::Max => want.max = Some(a),
                    PriceKw::Min => want.min = Some(a),
                    PriceKw::Around => {
                        want.min = Some(a * 0.8);
                        want.max = Some(a * 1.2);
                    }
                    PriceKw::Between => {
                        let mut k = end;
                        if k < n && matches!(toks[k].as_str(), "and" | "to") {
                            k += 1;
                        }
                        if k < n && is_currency(&toks[k]) {
                            k += 1;
                        }
                        match toks.get(k).and_then(|t| parse_amount(t)) {
                            Some(b) => {
                                want.min = Some(a.min(b));
                                want.max = Some(a.max(b));
                                end = k + 1;
                                if end < n && is_currency(&toks[end]) {
                                    end += 1;
                                }
                            }
                            None => want.min = Some(a),
                        }
                    }
                }
                want.from = raw[i..end].join(" ");
                merge_price(u, want);
                used[i..end].iter_mut().for_each(|x| *x = true);
                i = end;
                continue;
            }
        }
        // `size 7`, `ring size 6.5`, `size N`.
        if matches!(toks[i].as_str(), "size" | "sz") && i + 1 < n {
            let next = &toks[i + 1];
            let us = match next.parse::<f32>() {
                Ok(v) if (1.0..=16.0).contains(&v) => Some(v),
                _ if next.len() == 1 && next.as_bytes()[0].is_ascii_lowercase() => {
                    // UK letter sizes: A is about US 0.5, each letter half a size.
                    Some(0.5 * f32::from(next.as_bytes()[0] - b'a' + 1) - 0.25)
                }
                _ => None,
            };
            if let Some(us) = us {
                u.ring_size = Some(lab(us, &raw[i..i + 2].join(" ")));
                used[i] = true;
                used[i + 1] = true;
                i += 2;
                continue;
            }
        }
        if let Some(k) = parse_karat(&toks[i]) {
            u.karat = Some(lab(k, &raw[i]));
            used[i] = true;
            i += 1;
            continue;
        }
        if let Some(a) = parse_amount(&toks[i]) {
            let next = toks.get(i + 1).map(String::as_str);
            let prev_currency = i > 0 && is_currency(&toks[i - 1]) && !used[i - 1];
            // `18 inch`, `45 cm`: a length.
            if let Some(unit) = next.filter(|w| matches!(*w, "inch" | "in" | "cm" | "inche")) {
                let cm = if unit == "cm" { a } else { a * 2.54 };
                if (5.0..=120.0).contains(&cm) {
                    u.length_cm = Some(lab(cm as f32, &raw[i..i + 2].join(" ")));
                    used[i] = true;
                    used[i + 1] = true;
                    i += 2;
                    continue;
                }
            }
            // `14 karat`.
            if next.is_some_and(|w| matches!(w, "karat" | "kt" | "k"))
                && KARATS.contains(&(a as u8))
                && a.fract() == 0.0
            {
                u.karat = Some(lab(a as u8, &raw[i..i + 2].join(" ")));
                used[i] = true;
                used[i + 1] = true;
                i += 2;
                continue;
            }
            // `$100 to $200`, `500-1000 dollars`.
            let next_currency = next.is_some_and(is_currency);
            let mut j = i + 1 + usize::from(next_currency);
            if j < n && matches!(toks[j].as_str(), "to" | "and") {
                j += 1;
                let cur2 = j < n && is_currency(&toks[j]);
                if cur2 {
                    j += 1;
                }
                if let Some(b) = toks.get(j).and_then(|t| parse_amount(t)) {
                    let cur3 = toks.get(j + 1).is_some_and(|t| is_currency(t));
                    if prev_currency || next_currency || cur2 || cur3 {
                        let start = if prev_currency { i - 1 } else { i };
                        let end = j + 1 + usize::from(cur3);
                        merge_price(
                            u,
                            PriceWant {
                                min: Some(a.min(b)),
                                max: Some(a.max(b)),
                                relative: None,
                                from: raw[start..end].join(" "),
                            },
                        );
                        used[start..end].iter_mut().for_each(|x| *x = true);
                        i = end;
                        continue;
                    }
                }
            }
            // A bare amount with a currency reads as a budget: `$150 necklace`.
            if prev_currency || next_currency {
                let start = if prev_currency { i - 1 } else { i };
                let end = i + 1 + usize::from(next_currency);
                merge_price(
                    u,
                    PriceWant { min: None, max: Some(a), relative: None, from: raw[start..end].join(" ") },
                );
                used[start..end].iter_mut().for_each(|x| *x = true);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    // Currency words left over (`200 euros` after a keyword took them, or a
    // stray `dollars`) mean nothing on their own.
    for (k, t) in toks.iter().enumerate() {
        if is_currency(t) {
            used[k] = true;
        }
    }
}

fn merge_price(u: &mut Understood, want: PriceWant) {
    match &mut u.price {
        None => u.price = Some(want),
        Some(p) => {
            p.min = want.min.or(p.min);
            p.max = want.max.or(p.max);
            p.from = format!("{} {}", p.from, want.from);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write;

    use expect_test::{expect, Expect};

    use super::*;

    fn render(u: &Understood) -> String {
        let mut s = String::new();
        if let Some(c) = &u.category {
            let cats: Vec<&str> = c.value.iter().map(|c| c.as_str()).collect();
            writeln!(s, "category {} <- {:?}", cats.join("|"), c.from).unwrap();
        }
        if let Some(m) = &u.metal {
            writeln!(s, "metal {} <- {:?}", m.value, m.from).unwrap();
        }
        for c in &u.colors {
            writeln!(s, "color {} <- {:?}", c.value, c.from).unwrap();
        }
        if let Some(k) = &u.karat {
            writeln!(s, "karat {} <- {:?}", k.value, k.from).unwrap();
        }
        if let Some(st) = &u.stone {
            writeln!(
                s,
                "stone {} color={:?} month={:?} <- {:?}",
                st.kinds.join("|"),
                st.color,
                st.month,
                st.from
            )
            .unwrap();
        }
        if let Some(o) = &u.origin {
            writeln!(s, "origin {} <- {:?}", o.value.as_str(), o.from).unwrap();
        }
        if let Some(p) = &u.price {
            writeln!(s, "price {:?}..{:?} {:?} <- {:?}", p.min, p.max, p.relative, p.from).unwrap();
        }
        if let Some(r) = &u.ring_size {
            writeln!(s, "ring_size {} <- {:?}", r.value, r.from).unwrap();
        }
        if let Some(l) = &u.length_cm {
            writeln!(s, "length_cm {:.1} <- {:?}", l.value, l.from).unwrap();
        }
        if let Some(g) = &u.gender {
            writeln!(s, "gender {} <- {:?}", g.value.as_str(), g.from).unwrap();
        }
        if let Some(f) = &u.finish {
            writeln!(s, "finish {} <- {:?}", f.value, f.from).unwrap();
        }
        for x in &u.styles {
            writeln!(s, "style {} <- {:?}", x.value, x.from).unwrap();
        }
        for x in &u.occasions {
            writeln!(s, "occasion {} <- {:?}", x.value, x.from).unwrap();
        }
        if let Some(b) = &u.birthstone {
            writeln!(s, "birthstone <- {b:?}").unwrap();
        }
        if let Some(c) = &u.stone_color {
            writeln!(s, "stone_color {} <- {:?}", c.value, c.from).unwrap();
        }
        if !u.terms.is_empty() {
            writeln!(s, "terms {:?}", u.terms).unwrap();
        }
        for (a, b) in &u.corrections {
            writeln!(s, "corrected {a:?} -> {b:?}").unwrap();
        }
        for x in &u.ignored {
            writeln!(s, "ignored {x}").unwrap();
        }
        s
    }

    #[track_caller]
    fn check(query: &str, expect: Expect) {
        let lex = Lexicon::default_lexicon();
        let known = |w: &str| matches!(w, "love" | "trinity" | "juste" | "clou");
        expect.assert_eq(&render(&understand(query, &lex, &known)));
    }

    #[test]
    fn the_issue_examples() {
        check(
            "delicate yellow gold birthstone necklace under $150",
            expect![[r#"
                category necklace|pendant|chain <- "necklace"
                metal gold <- "yellow gold"
                color yellow <- "yellow gold"
                price None..Some(150.0) None <- "under usd 150"
                style dainty <- "delicate"
                birthstone <- "birthstone"
            "#]],
        );
        check(
            "stackable ring for everyday wear",
            expect![[r#"
                category ring|engagement_ring|wedding_band <- "ring"
                style stackable <- "stackable"
                style everyday <- "everyday"
            "#]],
        );
        check(
            "earings rose gold",
            expect![[r#"
                category earrings <- "earings"
                metal gold <- "rose gold"
                color rose <- "rose gold"
            "#]],
        );
        check(
            "gift for my wife's anniversary",
            expect![[r#"
                gender women <- "wifes"
                occasion gift <- "gift"
                occasion anniversary <- "anniversary"
            "#]],
        );
    }

    #[test]
    fn a_months_birthstone_means_the_shared_tables_stones() {
        let lex = Lexicon::default_lexicon();
        let months = model::birthstone::MONTH_NAMES;
        for (m, name) in (1..=12u8).zip(months) {
            let u = understand(&format!("{name} birthstone"), &lex, &|_| true);
            let stone = u.stone.unwrap_or_else(|| panic!("{name}: no stone"));
            assert_eq!(stone.month, Some(m));
            assert_eq!(stone.kinds, model::birthstone::stones(m), "{name}");
        }
    }

    #[test]
    fn prices() {
        check(
            "below 200 euros",
            expect![[r#"
            price None..Some(200.0) None <- "below 200 euros"
        "#]],
        );
        check(
            "between 500 and 1000",
            expect![[r#"
            price Some(500.0)..Some(1000.0) None <- "between 500 and 1000"
        "#]],
        );
        check(
            "ring over 2k",
            expect![[r#"
            category ring|engagement_ring|wedding_band <- "ring"
            price Some(2000.0)..None None <- "over 2k"
        "#]],
        );
        check(
            "$100-$250 pendant",
            expect![[r#"
            category pendant|necklace <- "pendant"
            price Some(100.0)..Some(250.0) None <- "usd 100 to usd 250"
        "#]],
        );
        check(
            "cheap hoops",
            expect![[r#"
            category earrings <- "hoops"
            price None..None Some(Cheap) <- "cheap"
            style hoop <- "hoops"
        "#]],
        );
        check(
            "around 300 dollars",
            expect![[r#"
            price Some(240.0)..Some(360.0) None <- "around 300 dollars"
        "#]],
        );
        check(
            "less than £80 silver studs",
            expect![[r#"
            category earrings <- "studs"
            metal silver <- "silver"
            price None..Some(80.0) None <- "less than gbp 80"
            style stud <- "studs"
        "#]],
        );
    }

    #[test]
    fn metals_stones_and_sizes() {
        check(
            "14k white gold lab grown diamond engagement ring size 6.5",
            expect![[r#"
            category engagement_ring <- "engagement ring"
            metal gold <- "white gold"
            color white <- "white gold"
            karat 14 <- "14k"
            stone diamond color=None month=None <- "diamond"
            origin lab_grown <- "lab grown"
            ring_size 6.5 <- "size 6.5"
        "#]],
        );
        check(
            "july birthstone ring",
            expect![[r#"
            category ring|engagement_ring|wedding_band <- "ring"
            stone ruby color=None month=Some(7) <- "july birthstone"
        "#]],
        );
        check(
            "red stone pendant",
            expect![[r#"
                category pendant|necklace <- "pendant"
                stone ruby|garnet|spinel color=Some("red") month=None <- "red stone"
            "#]],
        );
        check(
            "18 inch gold chain",
            expect![[r#"
            category chain|necklace <- "chain"
            metal gold <- "gold"
            length_cm 45.7 <- "18 inch"
        "#]],
        );
        check(
            "18ct rubies",
            expect![[r#"
            karat 18 <- "18ct"
            stone ruby color=None month=None <- "rubies"
        "#]],
        );
        check(
            "ring size N",
            expect![[r#"
            category ring|engagement_ring|wedding_band <- "ring"
            ring_size 6.75 <- "size n"
        "#]],
        );
    }

    #[test]
    fn recipients_typos_and_compounds() {
        check(
            "cuff links for dad",
            expect![[r#"
            category cufflinks <- "cuff links"
            gender men <- "dad"
        "#]],
        );
        check(
            "christening bracelet for a baby",
            expect![[r#"
            category bracelet <- "bracelet"
            gender kids <- "baby"
            occasion christening <- "christening"
        "#]],
        );
        check(
            "saphire neckalce for mom",
            expect![[r#"
            category necklace|pendant|chain <- "neckalce"
            stone sapphire color=None month=None <- "saphire"
            gender women <- "mom"
            corrected "saphire" -> "sapphire"
            corrected "neckalce" -> "necklace"
        "#]],
        );
        check(
            "love ring",
            expect![[r#"
            category ring|engagement_ring|wedding_band <- "ring"
            terms ["love"]
        "#]],
        );
        check(
            "ear rings",
            expect![[r#"
            category earrings <- "ear rings"
        "#]],
        );
    }

    #[test]
    fn short_and_compound_typos() {
        check(
            "14k gold cuff liinks",
            expect![[r#"
            category cufflinks <- "cuff liinks"
            metal gold <- "gold"
            karat 14 <- "14k"
            corrected "cuff liinks" -> "cufflink"
        "#]],
        );
        check(
            "gold hops",
            expect![[r#"
            category earrings <- "hops"
            metal gold <- "gold"
            style hoop <- "hops"
            corrected "hops" -> "hoop"
        "#]],
        );
    }

    #[test]
    fn a_misspelt_price_word_still_sets_the_budget() {
        check(
            "band uder 750",
            expect![[r#"
                category wedding_band|ring|engagement_ring <- "band"
                price None..Some(750.0) None <- "uder 750"
                corrected "uder" -> "under"
            "#]],
        );
    }

    #[test]
    fn hostile_input() {
        check("", expect![[""]]);
        check(
            "<script>alert(1)</script> ring'; DROP TABLE products;--",
            expect![[r#"
            category ring|engagement_ring|wedding_band <- "ring"
            terms ["script", "alert", "1", "script", "drop", "table", "product"]
        "#]],
        );
        check(
            "💍💎 \u{0}\u{1b}[31m ruby",
            expect![[r#"
            stone ruby color=None month=None <- "ruby"
            terms ["31m"]
        "#]],
        );
        let long = "ring ".repeat(2000);
        let lex = Lexicon::default_lexicon();
        let u = understand(&long, &lex, &|_| false);
        assert!(u.ignored.len() == 2, "{:?}", u.ignored);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(q in "\\PC{0,200}") {
            let lex = Lexicon::default_lexicon();
            let _ = understand(&q, &lex, &|_| false);
        }

        #[test]
        fn never_panics_on_query_like_text(q in "(under|over|between|size|and|to|\\$|-|[0-9]{1,6}|k|ring|gold|14k|inch| ){0,12}") {
            let lex = Lexicon::default_lexicon();
            let u = understand(&q, &lex, &|_| false);
            if let Some(p) = u.price {
                if let (Some(a), Some(b)) = (p.min, p.max) { proptest::prop_assert!(a <= b); }
            }
        }
    }
}
