//! Ring sizes (US, UK letters, EU circumference) and chain lengths (inches,
//! centimetres), parsed from option values and text and converted both ways.

use model::Size;

use super::tokens::{parse_number, split_number_suffix, Brk};
use super::Item;

/// US ring size 0 is 11.63 mm across; each size adds 0.8128 mm.
const US0_DIAMETER_MM: f32 = 11.63;
const US_STEP_MM: f32 = 0.8128;

fn round_to(x: f32, step: f32) -> f32 {
    let steps = (f64::from(x) / f64::from(step)).round();
    // Through the decimal text, so 40.6 is 40.6 and not 40.600002.
    let v = steps * f64::from(step);
    format!("{v:.2}").parse().unwrap_or(x)
}

fn uk_from_us(us: f32) -> Option<String> {
    // UK letters are half US sizes apart: US 7 is N½, US 6 is L½.
    let idx = round_to(2.0 * us - 0.5, 0.5);
    if !(0.0..=25.5).contains(&idx) {
        return None;
    }
    let letter = (b'A' + idx.floor() as u8) as char;
    Some(if idx.fract() > 0.0 { format!("{letter}1/2") } else { letter.to_string() })
}

fn eu_from_us(us: f32) -> f32 {
    round_to(std::f32::consts::PI * (US0_DIAMETER_MM + US_STEP_MM * us), 0.1)
}

fn ring(us: f32, raw: &str) -> Option<Size> {
    let us = round_to(us, 0.25);
    if !(0.0..=16.0).contains(&us) {
        return None;
    }
    Some(Size::Ring { us, uk: uk_from_us(us), eu: Some(eu_from_us(us)), raw: raw.to_string() })
}

/// Reads a number with an optional half: `7`, `7.5`, `7 1/2`, `7½`.
fn number_with_half(s: &str) -> Option<f32> {
    let s = s.trim();
    if let Some(rest) = s.strip_suffix('½') {
        return Some(number_with_half(rest).unwrap_or(0.0) + 0.5);
    }
    if let Some((whole, frac)) = s.split_once(' ') {
        let (a, b) = frac.trim().split_once('/')?;
        let (a, b): (f32, f32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
        if b == 0.0 {
            return None;
        }
        return Some(whole.trim().parse::<f32>().ok()? + a / b);
    }
    parse_number(s).map(|x| x as f32)
}

/// Parses a ring size: `7`, `7.5`, `US 7 1/2`, `N`, `UK N1/2`, `N½`, `EU 54`, `54`.
pub fn parse_ring_size(raw: &str) -> Option<Size> {
    let lower = raw.trim().to_lowercase();
    let mut s = lower.as_str();
    for prefix in ["ring size", "size", "größe", "taille", "talla", "gr.", "gr"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim_start_matches([':', ' ', '.']);
            break;
        }
    }
    let mut system = None;
    for (prefix, sys) in [("us", "us"), ("uk", "uk"), ("eu", "eu"), ("fr", "eu"), ("de", "eu"), ("it", "it")]
    {
        if let Some(rest) = s
            .strip_prefix(prefix)
            .filter(|r| r.starts_with([' ', ':']) || r.starts_with(|c: char| c.is_ascii_digit()))
        {
            s = rest.trim_start_matches([':', ' ']);
            system = Some(sys);
            break;
        }
        if let Some(rest) = s.strip_suffix(prefix).filter(|r| r.ends_with(' ')) {
            s = rest.trim_end();
            system = Some(sys);
            break;
        }
    }
    let s = s.trim();
    // UK letters.
    let mut chars = s.chars();
    if let Some(first) = chars.next() {
        if first.is_ascii_alphabetic() && system.is_none_or(|x| x == "uk") {
            let rest = chars.as_str().trim();
            let half = match rest {
                "" => Some(0.0),
                "½" | "1/2" | "+" | ".5" => Some(0.5),
                _ => None,
            };
            if let Some(h) = half {
                let idx = (first.to_ascii_uppercase() as u8 - b'A') as f32 + h;
                return ring((idx + 0.5) / 2.0, raw);
            }
            return None;
        }
    }
    let n = number_with_half(s)?;
    match system {
        Some("eu") => ring((n / std::f32::consts::PI - US0_DIAMETER_MM) / US_STEP_MM, raw),
        // Italian sizes: circumference minus 40 mm.
        Some("it") => ring(((n + 40.0) / std::f32::consts::PI - US0_DIAMETER_MM) / US_STEP_MM, raw),
        Some(_) => ring(n, raw),
        None if n <= 16.0 => ring(n, raw),
        None if (38.0..=76.0).contains(&n) => {
            ring((n / std::f32::consts::PI - US0_DIAMETER_MM) / US_STEP_MM, raw)
        }
        None => None,
    }
}

fn length(cm: f32, raw: &str) -> Option<Size> {
    if !(5.0..=150.0).contains(&cm) {
        return None;
    }
    Some(Size::Length { cm: round_to(cm, 0.1), inches: round_to(cm / 2.54, 0.1), raw: raw.to_string() })
}

fn unit_factor(unit: &str) -> Option<f32> {
    match unit.trim().trim_end_matches('.') {
        "in" | "inch" | "inches" | "\"" | "”" | "″" | "zoll" | "''" => Some(2.54),
        "cm" | "cms" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => Some(1.0),
        "mm" => Some(0.1),
        _ => None,
    }
}

/// Parses a length: `18 inch`, `18"`, `45cm`, `450 mm`; a bare number up to
/// 36 is inches (US chain lengths), above that centimetres.
pub fn parse_length(raw: &str) -> Option<Size> {
    let s = raw.trim().to_lowercase();
    let s = s.trim_start_matches("length").trim_start_matches([':', ' ']);
    if let Some((num, unit)) = split_number_suffix(s) {
        let f = unit_factor(unit)?;
        let cm = num as f32 * f;
        return if f == 0.1 && cm < 10.0 { None } else { length(cm, raw) };
    }
    if let Some((num, unit)) = s.split_once(' ') {
        if let (Some(n), Some(f)) = (number_with_half(num), unit_factor(unit)) {
            return length(n * f, raw);
        }
    }
    let n = number_with_half(s)?;
    if n <= 36.0 {
        length(n * 2.54, raw)
    } else {
        length(n, raw)
    }
}

/// A size option value, read as a ring size where the product is a ring and
/// as a length where it is worn around the neck, wrist or ankle.
pub(crate) fn parse_size(raw: &str, ring_context: bool, length_context: bool) -> Size {
    let parsed = if ring_context {
        parse_ring_size(raw)
    } else if length_context {
        parse_length(raw)
    } else {
        // No context: only unambiguous forms.
        let lower = raw.to_lowercase();
        if lower.contains("inch") || lower.contains("cm") || lower.ends_with('"') {
            parse_length(raw)
        } else {
            None
        }
    };
    parsed.unwrap_or_else(|| Size::Other { raw: raw.trim().to_string() })
}

/// The first length written with a unit in a text (`18 inch chain`).
pub(crate) fn length_in(items: &mut [Item]) -> Option<Size> {
    for i in 0..items.len() {
        if items[i].used {
            continue;
        }
        let raw_text = items[i].text.clone();
        if let Some((n, unit)) = split_number_suffix(&raw_text) {
            if let Some(f) = unit_factor(unit) {
                if f == 0.1 && n < 100.0 {
                    continue;
                }
                if let Some(size) = length(n as f32 * f, &raw_text) {
                    items[i].used = true;
                    return Some(size);
                }
            }
            continue;
        }
        let Some(n) = items[i].number() else { continue };
        let Some(next) = items.get(i + 1) else { continue };
        if next.brk == Brk::Hard || next.used {
            continue;
        }
        let Some(f) = unit_factor(&next.text) else { continue };
        if next.text == "in" {
            // `18 in` is a length only at the end of a clause or before a
            // chain word; otherwise `in` is the preposition.
            let after = items.get(i + 2);
            let ok = after.is_none_or(|a| {
                a.brk == Brk::Hard || matches!(a.text.as_str(), "chain" | "necklace" | "long" | "length")
            });
            if !ok {
                continue;
            }
        }
        if f == 0.1 && n < 100.0 {
            continue;
        }
        let raw = format!("{} {}", items[i].text, next.text);
        if let Some(size) = length(n as f32 * f, &raw) {
            items[i].used = true;
            items[i + 1].used = true;
            return Some(size);
        }
    }
    None
}

/// A ring size written after "size" (`size 7`, `size 6 1/2`, `Size N`).
pub(crate) fn ring_size_in(items: &mut [Item]) -> Option<Size> {
    for i in 0..items.len() {
        if items[i].used || !matches!(items[i].text.as_str(), "size" | "sz" | "größe" | "taille" | "talla")
        {
            continue;
        }
        let Some(next) = items.get(i + 1).filter(|n| !n.used && n.brk != Brk::Hard) else { continue };
        let mut raw = next.text.clone();
        let mut len = 2;
        // `6 1/2`
        if let (Some(a), Some(slash), Some(b)) = (items.get(i + 2), items.get(i + 3), items.get(i + 4)) {
            if next.integer().is_some() && a.integer().is_some() && slash.text == "/" && b.integer().is_some()
            {
                raw = format!("{} {}/{}", next.text, a.text, b.text);
                len = 5;
            }
        }
        let letter = raw.len() == 1 && raw.chars().all(|c| c.is_ascii_alphabetic());
        if !(letter || next.number().is_some()) {
            continue;
        }
        if let Some(size) = parse_ring_size(&raw) {
            for it in &mut items[i..i + len] {
                it.used = true;
            }
            return Some(size);
        }
    }
    None
}

/// Width in millimetres (`Width: 5.5mm`, `4.8 mm wide`) and weight in grams
/// (`3.5 g`, `weight 2.1 grams`) written in a text.
pub(crate) fn measures_in(items: &mut [Item]) -> (Option<f32>, Option<f32>) {
    let mut width = None;
    let mut weight = None;
    let mut i = 0;
    while i < items.len() {
        if items[i].used {
            i += 1;
            continue;
        }
        // The number and its unit, glued (`5.5mm`) or not (`5.5 mm`).
        let (value, unit, len) = match split_number_suffix(&items[i].text) {
            Some((n, u)) => (n, u.to_string(), 1),
            None => match (items[i].number(), items.get(i + 1)) {
                (Some(n), Some(next)) if next.brk != Brk::Hard && !next.used => (n, next.text.clone(), 2),
                _ => {
                    i += 1;
                    continue;
                }
            },
        };
        let value = value as f32;
        match unit.as_str() {
            "mm" if width.is_none() && (0.5..=60.0).contains(&value) => {
                let before = |k: usize| {
                    i >= k
                        && matches!(
                            items[i - k].text.as_str(),
                            "width" | "wide" | "breite" | "largeur" | "ancho"
                        )
                };
                let after = items.get(i + len).is_some_and(|a| {
                    a.brk != Brk::Hard && matches!(a.text.as_str(), "wide" | "width" | "band")
                });
                if before(1) || before(2) || after {
                    width = Some(value);
                    for it in &mut items[i..i + len] {
                        it.used = true;
                    }
                    // `wide` here is a measure, not the chunky style.
                    if let Some(a) = items.get_mut(i + len).filter(|a| a.text == "wide") {
                        a.used = true;
                    }
                }
            }
            "g" | "gr" | "gm" | "gms" | "gram" | "grams" | "gramm" | "grammes"
                if weight.is_none() && (0.05..=2000.0).contains(&value) =>
            {
                weight = Some(value);
                for it in &mut items[i..i + len] {
                    it.used = true;
                }
            }
            _ => {}
        }
        i += len;
    }
    (width, weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_ring(raw: &str, expect: Option<(f32, &str, f32)>) {
        let got = parse_ring_size(raw).map(|s| match s {
            Size::Ring { us, uk, eu, .. } => (us, uk.unwrap_or_default(), eu.unwrap_or_default()),
            other => panic!("{other:?}"),
        });
        assert_eq!(got, expect.map(|(u, k, e)| (u, k.to_string(), e)), "{raw:?}");
    }

    #[test]
    fn ring_sizes_convert() {
        check_ring("7", Some((7.0, "N1/2", 54.4)));
        check_ring("US 6", Some((6.0, "L1/2", 51.9)));
        check_ring("7 1/2", Some((7.5, "O1/2", 55.7)));
        check_ring("6½", Some((6.5, "M1/2", 53.1)));
        check_ring("N", Some((6.75, "N", 53.8)));
        check_ring("UK L 1/2", Some((6.0, "L1/2", 51.9)));
        check_ring("EU 54", Some((6.75, "N", 53.8)));
        check_ring("52", Some((6.0, "L1/2", 51.9)));
        check_ring("Size 8", Some((8.0, "P1/2", 57.0)));
        check_ring("One Size", None);
        check_ring("99", None);
    }

    #[track_caller]
    fn check_len(raw: &str, expect: Option<(f32, f32)>) {
        let got = parse_length(raw).map(|s| match s {
            Size::Length { cm, inches, .. } => (cm, inches),
            other => panic!("{other:?}"),
        });
        assert_eq!(got, expect, "{raw:?}");
    }

    #[test]
    fn lengths_convert() {
        check_len("18 inch", Some((45.7, 18.0)));
        check_len("16\"", Some((40.6, 16.0)));
        check_len("45cm", Some((45.0, 17.7)));
        check_len("450 mm", Some((45.0, 17.7)));
        check_len("18", Some((45.7, 18.0)));
        check_len("50", Some((50.0, 19.7)));
        check_len("5mm", None);
        check_len("long", None);
    }
}
