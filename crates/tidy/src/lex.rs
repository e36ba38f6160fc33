//! A small Rust lexer for the tidy checks: it tells code from comments and
//! string literals, well enough to find the string literals of a file and
//! the spans of `#[cfg(test)]` items, without a parser dependency.

/// A string literal's text and the line it starts on.
#[derive(Debug, PartialEq)]
pub struct Literal {
    pub line: usize,
    pub text: String,
}

/// The string literals of `src` outside `#[cfg(test)]` items.
pub fn literals_outside_tests(src: &str) -> Vec<Literal> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    // Brace depth, and the depth at which a `#[cfg(test)]` item opened.
    let mut depth = 0usize;
    let mut test_item_at: Option<usize> = None;
    let mut pending_cfg_test = false;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    line += usize::from(bytes[i] == b'\n');
                    i += 1;
                }
                i += 2;
            }
            b'#' if src[i..].starts_with("#[cfg(test)]") => {
                pending_cfg_test = true;
                i += "#[cfg(test)]".len();
            }
            b'{' => {
                if pending_cfg_test && test_item_at.is_none() {
                    test_item_at = Some(depth);
                }
                pending_cfg_test = false;
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if test_item_at == Some(depth) {
                    test_item_at = None;
                }
                i += 1;
            }
            b';' => {
                // `#[cfg(test)] mod tests;` or `#[cfg(test)] use ...;`
                if test_item_at.is_none() {
                    pending_cfg_test = false;
                }
                i += 1;
            }
            b'\'' => {
                // A char literal ('x', '\n', '\u{1F48E}') or a lifetime ('a).
                if bytes.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < bytes.len() && bytes[i] != b'\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    let next = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    if bytes.get(i + 1 + next) == Some(&b'\'') {
                        i += 2 + next;
                    } else {
                        i += 1;
                    }
                }
            }
            b'r' | b'b' if is_raw_start(bytes, i) => {
                let start_line = line;
                let mut j = i + 1 + usize::from(bytes[i] == b'b');
                let mut hashes = 0;
                while bytes[j] == b'#' {
                    hashes += 1;
                    j += 1;
                }
                j += 1; // the opening quote
                let close: Vec<u8> = std::iter::once(b'"').chain(std::iter::repeat_n(b'#', hashes)).collect();
                let body_start = j;
                while j < bytes.len() && !bytes[j..].starts_with(&close) {
                    line += usize::from(bytes[j] == b'\n');
                    j += 1;
                }
                if test_item_at.is_none() {
                    out.push(Literal {
                        line: start_line,
                        text: src[body_start..j.min(src.len())].to_string(),
                    });
                }
                i = j + close.len();
            }
            b'"' => {
                let start_line = line;
                let mut j = i + 1;
                let mut text = String::new();
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    line += usize::from(bytes.get(j) == Some(&b'\n'));
                    j += 1;
                }
                text.push_str(&src[i + 1..j.min(src.len())]);
                if test_item_at.is_none() {
                    out.push(Literal { line: start_line, text });
                }
                i = j + 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                // Skip the whole identifier so that `br` in `abr"` is not a raw string.
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

/// `r"`, `r#"`, `br"`, `b"` (a byte string is lexed as a raw one: close enough here).
fn is_raw_start(bytes: &[u8], i: usize) -> bool {
    if i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        return false;
    }
    let mut j = i;
    if bytes[j] == b'b' {
        j += 1;
        if bytes.get(j) == Some(&b'"') {
            return false; // a plain byte string: lexed by the `"` arm next
        }
    }
    if bytes.get(j) != Some(&b'r') {
        return false;
    }
    j += 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    bytes.get(j) == Some(&b'"')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(src: &str, expect: &[(usize, &str)]) {
        let got: Vec<(usize, String)> =
            literals_outside_tests(src).into_iter().map(|l| (l.line, l.text)).collect();
        let expect: Vec<(usize, String)> = expect.iter().map(|(l, t)| (*l, t.to_string())).collect();
        assert_eq!(got, expect, "{src}");
    }

    #[test]
    fn finds_literals_and_skips_comments_chars_and_tests() {
        check(r#"let a = "x"; // "comment""#, &[(1, "x")]);
        check("/* \"no\" */ let b = \"yes\";", &[(1, "yes")]);
        check("let c = '\"'; let d = \"s\\\"t\";", &[(1, "s\\\"t")]);
        check("fn f<'a>(x: &'a str) { \"in\" }", &[(1, "in")]);
        check("let r = r#\"<div \"q\">\"#;\nlet n = 1;", &[(1, "<div \"q\">")]);
        check("let x = \"a\";\n#[cfg(test)]\nmod tests {\n fn t() { \"hidden\"; { \"deep\" } }\n}\nlet y = \"after\";", &[(1, "a"), (6, "after")]);
        check("#[cfg(test)]\nmod tests;\nlet z = \"kept\";", &[(3, "kept")]);
        check(
            "let line2 = 1;\nlet s = \"two\nlines\"; let t = \"three\";",
            &[(2, "two\nlines"), (3, "three")],
        );
    }
}
