//! Tokenizer shared by the vocabulary (so phrases match however they are
//! written) and the extractor: lower-cased words and numbers with the kind of
//! break before each (space, hyphen, or a clause boundary such as a comma).

/// What separates a token from the one before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Brk {
    /// Glued: `14` then `/` in `14/20`.
    None,
    Space,
    /// `rose-gold`, `quartz_smoky`.
    Hyphen,
    /// A clause boundary: `,` `;` `.` `:` `(`, a spaced dash, a line break.
    Hard,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// Lower-cased text; a trailing `'s` is dropped (`men's` is `men`).
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub brk: Brk,
    /// The original had at least one letter, all upper case (`VS1`, `G`).
    pub upper: bool,
}

pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    if !b.iter().all(|c| c.is_ascii_digit() || *c == b'.' || *c == b',') {
        return None;
    }
    let seps = b.iter().filter(|c| **c == b'.' || **c == b',').count();
    if seps > 1 {
        return None;
    }
    s.replace(',', ".").parse().ok()
}

/// Splits `14kt` into (`14`, `kt`) and `0.5ctw` into (`0.5`, `ctw`).
pub(crate) fn split_number_suffix(s: &str) -> Option<(f64, &str)> {
    let idx = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ','))?;
    if idx == 0 {
        return None;
    }
    let (num, rest) = s.split_at(idx);
    Some((parse_number(num)?, rest))
}

/// Splits `pt950` into (`pt`, 950).
pub(crate) fn split_prefix_number(s: &str) -> Option<(&str, u32)> {
    let idx = s.find(|c: char| c.is_ascii_digit())?;
    if idx == 0 {
        return None;
    }
    let (prefix, num) = s.split_at(idx);
    if !prefix.chars().all(|c| c.is_ascii_alphabetic()) || !num.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((prefix, num.parse().ok()?))
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut brk = Brk::Hard;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n = chars.len();
    let mut i = 0;
    let push = |out: &mut Vec<Token>, start: usize, end: usize, brk: Brk| {
        let raw = &text[start..end];
        let mut lower = raw.to_lowercase();
        for suffix in ["'s", "’s"] {
            if lower.len() > suffix.len() + 1 && lower.ends_with(suffix) {
                lower.truncate(lower.len() - suffix.len());
            }
        }
        let lower = if lower.contains('’') { lower.replace('’', "'") } else { lower };
        let upper = raw.chars().any(char::is_alphabetic) && !raw.chars().any(char::is_lowercase);
        out.push(Token { text: lower, start, end, brk, upper });
    };
    while i < n {
        let (pos, c) = chars[i];
        if is_word_char(c) {
            let start = pos;
            let mut j = i + 1;
            while j < n {
                let c = chars[j].1;
                let decimal = (c == '.' || c == ',')
                    && chars[j - 1].1.is_ascii_digit()
                    && j + 1 < n
                    && chars[j + 1].1.is_ascii_digit();
                let apostrophe = (c == '\'' || c == '’') && j + 1 < n && chars[j + 1].1.is_alphabetic();
                if !(is_word_char(c) || decimal || apostrophe) {
                    break;
                }
                j += 1;
            }
            let end = if j < n { chars[j].0 } else { text.len() };
            push(&mut out, start, end, brk);
            brk = Brk::None;
            i = j;
            continue;
        }
        let prev_space = i == 0 || chars[i - 1].1.is_whitespace();
        let next_space = i + 1 >= n || chars[i + 1].1.is_whitespace();
        match c {
            '/' | '‰' | '&' | '+' => {
                push(&mut out, pos, pos + c.len_utf8(), brk);
                brk = Brk::None;
            }
            '"' | '”' | '″' if i > 0 && chars[i - 1].1.is_ascii_digit() => {
                out.push(Token {
                    text: "\"".to_string(),
                    start: pos,
                    end: pos + c.len_utf8(),
                    brk,
                    upper: false,
                });
                brk = Brk::None;
            }
            '-' | '_' if !(prev_space || next_space) => brk = brk.max(Brk::Hyphen),
            '-' | '–' | '—' | ',' | ';' | '.' | ':' | '(' | ')' | '[' | ']' | '|' | '!' | '?' | '\n'
            | '•' | '·' | '{' | '}' | '<' | '>' | '=' => brk = Brk::Hard,
            _ => brk = brk.max(Brk::Space),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: &str) {
        let got: Vec<String> = tokenize(input)
            .iter()
            .map(|t| {
                let b = match t.brk {
                    Brk::None => "",
                    Brk::Space => " ",
                    Brk::Hyphen => "~",
                    Brk::Hard => "|",
                };
                format!("{b}{}", t.text)
            })
            .collect();
        assert_eq!(got.concat(), expect, "{input:?}");
    }

    #[test]
    fn tokenizes() {
        check("14K Yellow-Gold, 0.26 crt", "|14k yellow~gold|0.26 crt");
        check("950/1000 platinum", "|950/1000 platinum");
        check("platinum 950‰.", "|platinum 950‰");
        check("Men's ring 16\"", "|men ring 16\"");
        check("Ring - platinum", "|ring|platinum");
        check("quartz_smoky", "|quartz~smoky");
        check("1,5 ct Weißgold", "|1,5 ct weißgold");
        check("d'Amour", "|d'amour");
    }

    #[test]
    fn splits_numbers() {
        assert_eq!(split_number_suffix("14kt"), Some((14.0, "kt")));
        assert_eq!(split_number_suffix("0.5ctw"), Some((0.5, "ctw")));
        assert_eq!(split_number_suffix("kt"), None);
        assert_eq!(split_prefix_number("pt950"), Some(("pt", 950)));
        assert_eq!(split_prefix_number("950"), None);
    }
}
