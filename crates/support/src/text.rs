//! Words out of customers' messages and the brand's pages: lowercase,
//! apostrophes dropped ("don't" -> "dont"), accents folded for the common
//! Latin letters, and a light stemmer for retrieval (plurals, -ing, -ed),
//! so that "resizing" finds "resized" and "rings" finds "ring".

/// Lowercase words of letters and digits, apostrophes inside a word dropped.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() {
            for l in c.to_lowercase() {
                cur.push(fold(l));
            }
        } else if (c == '\'' || c == '\u{2019}')
            && !cur.is_empty()
            && chars.peek().is_some_and(|n| n.is_alphanumeric())
        {
            // "don't" -> "dont", "ring's" -> "rings".
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
        'ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        _ => c,
    }
}

/// Words that carry no topic, left out of retrieval (never out of the
/// classifier, where "where" and "can" matter).
pub fn is_stopword(w: &str) -> bool {
    STOPWORDS.binary_search(&w).is_ok()
}

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing", "dont", "for", "from",
    "get", "got", "had", "has", "have", "having", "hello", "help", "hey", "hi", "how", "i", "id", "if", "im",
    "in", "into", "is", "it", "its", "ive", "just", "know", "like", "me", "my", "need", "of", "on", "or",
    "our", "please", "so", "some", "than", "thank", "thanks", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "to", "us", "very", "want", "was", "we", "were", "what", "when",
    "where", "which", "who", "why", "will", "with", "would", "you", "your",
];

/// A light suffix stripper: good enough to meet "resize", "resized",
/// "resizing" and "rings"/"ring" at one stem; never shorter than 3 letters.
pub fn stem(w: &str) -> String {
    let w = w.trim_end_matches("'s");
    let strip = |s: &str, suffix: &str, add: &str| -> Option<String> {
        let base = s.strip_suffix(suffix)?;
        (base.chars().count() >= 3).then(|| format!("{base}{add}"))
    };
    let w = if let Some(s) = strip(w, "ies", "y") {
        s
    } else if let Some(s) = strip(w, "sses", "ss") {
        s
    } else if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        w.to_string()
    } else if let Some(s) = strip(w, "s", "") {
        s
    } else {
        w.to_string()
    };
    // "earring", "string" and "thing" are not verbs.
    let keep_ing = w.ends_with("ring") || w.ends_with("thing");
    let stripped = if keep_ing { None } else { strip(&w, "ing", "").or_else(|| strip(&w, "ed", "")) };
    let w = match stripped {
        // "shipping" -> "shipp" -> "ship"; "polished" -> "polish".
        Some(s) => undouble(s),
        None => w,
    };
    // "resiz" and "resize" meet: drop a final e.
    match w.strip_suffix('e') {
        Some(base) if base.chars().count() >= 3 => base.to_string(),
        _ => w,
    }
}

fn undouble(s: String) -> String {
    let b = s.as_bytes();
    let n = b.len();
    if n >= 4
        && b[n - 1] == b[n - 2]
        && !matches!(b[n - 1], b'l' | b's' | b'z' | b'a' | b'e' | b'i' | b'o' | b'u')
    {
        s[..n - 1].to_string()
    } else {
        s
    }
}

/// The stems of `text`'s content words, for retrieval.
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().filter(|w| !is_stopword(w)).map(|w| stem(&w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_sorted_for_the_binary_search() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn forms_of_a_word_meet_at_one_stem() {
        assert_eq!(stem("resizing"), stem("resized"));
        assert_eq!(stem("resize"), stem("resizing"));
        assert_eq!(stem("rings"), "ring");
        assert_eq!(stem("earrings"), "earring");
        assert_eq!(stem("policies"), "policy");
        assert_eq!(stem("glass"), "glass");
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("shipping"), "ship");
        assert_eq!(stem("shipped"), stem("ship"));
        assert_eq!(stem("polished"), "polish");
    }

    #[test]
    fn words_drop_apostrophes_and_fold_accents() {
        assert_eq!(words("Don't RESIZE my Café-ring's!"), ["dont", "resize", "my", "cafe", "rings"]);
    }
}
