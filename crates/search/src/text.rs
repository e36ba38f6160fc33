//! Text normalization shared by the query parser and the index: folding to
//! lower-case ASCII words, singular forms, and a bounded edit distance for
//! typo tolerance.

/// Splits text into lower-case words with accents folded (`Panthère` →
/// `panthere`). Keeps digits, `.` inside numbers, and `'` inside words; every
/// other character separates words. Control characters, emoji and markup are
/// separators, so hostile input yields ordinary words or nothing.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
            continue;
        }
        if let Some(f) = fold(c) {
            cur.push_str(f);
            continue;
        }
        let prev_digit = cur.chars().last().is_some_and(|p| p.is_ascii_digit());
        let next_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let prev_alpha = cur.chars().last().is_some_and(|p| p.is_ascii_alphabetic());
        let next_alpha = chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        if (c == '.' || c == ',') && prev_digit && next_digit {
            // Decimal or thousands separator inside a number: `1.5`, `1,500`.
            if c == '.' {
                cur.push('.');
            }
            continue;
        }
        if (c == '\'' || c == '’') && prev_alpha && next_alpha {
            // `valentine's` → `valentines`: drop the apostrophe, keep the word.
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Folds an accented Latin letter to ASCII (`ß` to `ss`); other
/// non-ASCII characters give `None`.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'ç' | 'Ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        _ => return None,
    })
}

/// The singular of an English word as shoppers write jewelry words:
/// `rubies` → `ruby`, `earrings` → `earring`, `watches` → `watch`. Words that
/// only look plural (`cross`, `brass`, `lapis`, `citrus`) are kept.
pub fn singular(word: &str) -> String {
    const KEEP: [&str; 10] =
        ["cross", "brass", "lapis", "glass", "swiss", "boss", "chris", "paris", "iris", "topaz"];
    if word.len() <= 3
        || KEEP.contains(&word)
        || word.ends_with("ss")
        || word.ends_with("us")
        || word.ends_with("is")
    {
        return word.to_string();
    }
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for suffix in ["ches", "shes", "xes", "sses", "zes"] {
        if let Some(stem) = word.strip_suffix(suffix) {
            return format!("{stem}{}", &suffix[..suffix.len() - 2]);
        }
    }
    match word.strip_suffix('s') {
        Some(stem) => stem.to_string(),
        None => word.to_string(),
    }
}

/// Normalized words of a text: folded, lower-case, singular.
pub fn norm_words(text: &str) -> Vec<String> {
    words(text).iter().map(|w| singular(w)).collect()
}

/// How many edits a word of this length may be away from a known word and
/// still count as a typo of it: one for 5+ letters, two for 9+.
pub fn allowed_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent
/// transpositions), giving up early once it exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a = a.as_bytes();
    let b = b.as_bytes();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len();
    let mut prev2 = vec![0usize; n + 1];
    let mut prev: Vec<usize> = (0..=n).collect();
    let mut cur = vec![0usize; n + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[n];
    (d <= max).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_words(input: &str, expect: &[&str]) {
        assert_eq!(words(input), expect, "input {input:?}");
    }

    #[test]
    fn splits_and_folds() {
        check_words("Panthère de Cartier ring", &["panthere", "de", "cartier", "ring"]);
        check_words("under $1,500.50!", &["under", "1500.50"]);
        check_words("valentine's <b>day</b>", &["valentines", "b", "day", "b"]);
        check_words("Weißgold 14K", &["weissgold", "14k"]);
        check_words("💍 ring\u{0}\u{7}", &["ring"]);
        check_words("", &[]);
    }

    #[test]
    fn singulars() {
        for (w, s) in [
            ("rubies", "ruby"),
            ("earrings", "earring"),
            ("watches", "watch"),
            ("cross", "cross"),
            ("necklaces", "necklace"),
            ("boxes", "box"),
            ("lapis", "lapis"),
            ("mens", "men"),
            ("14ks", "14ks"),
        ] {
            assert_eq!(singular(w), s, "{w}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("earing", "earring", 1), Some(1));
        assert_eq!(edit_distance("neckalce", "necklace", 1), Some(1));
        assert_eq!(edit_distance("braclet", "bracelet", 1), Some(1));
        assert_eq!(edit_distance("saphire", "sapphire", 1), Some(1));
        assert_eq!(edit_distance("ruby", "gold", 2), None);
        assert_eq!(edit_distance("aquamarene", "aquamarine", 2), Some(1));
    }
}
