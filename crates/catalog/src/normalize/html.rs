//! HTML to plain text for descriptions (`Body (HTML)`), and detection of
//! HTML junk in fields that should be plain text.

/// Strips tags, drops `<script>`/`<style>` contents, decodes entities and
/// turns block boundaries into line breaks. Returns the text and whether the
/// HTML carried junk (scripts, inline styles, Word markup, double-escaped
/// entities) worth reporting.
pub(crate) fn strip_html(html: &str) -> (String, bool) {
    let lower_junk = [
        "<script",
        "<style",
        "style=\"",
        "mso-",
        "<o:p",
        "class=\"mso",
        "<font",
        "&amp;nbsp;",
        "<!--",
        "<iframe",
    ];
    let lower = html.to_ascii_lowercase();
    let junk = lower_junk.iter().any(|j| lower.contains(j));
    let mut out = String::with_capacity(html.len());
    // Cells seen in the current table row: the second cell of a row is the
    // value of the first (`<tr><th>Metal</th><td>18K gold</td></tr>` reads
    // `Metal: 18K gold`, as a spec line), and so is a `<dd>` after its `<dt>`.
    let mut cells_in_row = 0;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        push_text(&mut out, &rest[..lt]);
        let tag_and_after = &rest[lt..];
        let Some(gt) = tag_and_after.find('>') else {
            // A lone `<` (as in `< 5 mm`) is text.
            push_text(&mut out, tag_and_after);
            rest = "";
            break;
        };
        let tag = &tag_and_after[1..gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() && !tag.starts_with('!') && !tag.starts_with('/') {
            push_text(&mut out, "<");
            rest = &tag_and_after[1..];
            continue;
        }
        rest = &tag_and_after[gt + 1..];
        if (name == "script" || name == "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            let low = rest.to_ascii_lowercase();
            rest = match low.find(&close) {
                Some(p) => rest[p..].find('>').map(|q| &rest[p + q + 1..]).unwrap_or(""),
                None => "",
            };
            continue;
        }
        let opening = !tag.starts_with('/');
        let value_cell = (opening && matches!(name.as_str(), "td" | "th") && cells_in_row > 0)
            || (opening && name == "dd");
        if value_cell {
            out.truncate(out.trim_end_matches([' ', '\n']).len());
            out.push_str(": ");
        }
        if opening && matches!(name.as_str(), "td" | "th") {
            cells_in_row += 1;
        }
        if value_cell {
            continue;
        }
        if name == "tr" {
            cells_in_row = 0;
        }
        if matches!(
            name.as_str(),
            "p" | "br"
                | "dt"
                | "li"
                | "div"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "tr"
                | "ul"
                | "ol"
                | "table"
                | "section"
        ) {
            out.push('\n');
        } else {
            out.push(' ');
        }
    }
    push_text(&mut out, rest);
    (collapse(&out), junk)
}

fn push_text(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.char_indices().take(10).find(|(_, c)| *c == ';').map(|(i, _)| i);
        match end.and_then(|e| entity(&after[1..e]).map(|c| (e, c))) {
            Some((e, c)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

pub(crate) fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(|c| if c == '\u{a0}' { ' ' } else { c });
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "eacute" => 'é',
        "egrave" => 'è',
        "agrave" => 'à',
        "uuml" => 'ü',
        "ouml" => 'ö',
        "auml" => 'ä',
        "szlig" => 'ß',
        "rsquo" | "lsquo" => '\'',
        "rdquo" | "ldquo" => '"',
        "ndash" | "mdash" => '-',
        "hellip" => '…',
        "trade" => '™',
        "reg" => '®',
        "copy" => '©',
        "frac12" => '½',
        "deg" => '°',
        "times" => '×',
        "permil" => '‰',
        _ => return None,
    })
}

/// Collapses runs of spaces; keeps single line breaks between blocks.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&words.join(" "));
    }
    out
}

/// Whether plain text contains markup: a tag (`<b>`, `</p>`) or an entity (`&amp;`).
pub(crate) fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'<' {
            if let Some(&n) = b.get(i + 1) {
                if (n.is_ascii_alphabetic() || n == b'/' || n == b'!') && s[i..].contains('>') {
                    return true;
                }
            }
        }
        if c == b'&' {
            let tail = &s[i + 1..];
            let name: String = tail.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '#').collect();
            if !name.is_empty() && tail[name.len()..].starts_with(';') && entity(&name).is_some() {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(html: &str, text: &str, junk: bool) {
        assert_eq!(strip_html(html), (text.to_string(), junk), "{html:?}");
    }

    #[test]
    fn strips() {
        check("<p>14K <b>gold</b> ring</p><p>Size&nbsp;7 &amp; up</p>", "14K gold ring\nSize 7 & up", false);
        check("<script>alert(1)</script>Hi<style>p{}</style>", "Hi", true);
        check("<span style=\"mso-x\">x</span>", "x", true);
        check("a < 5 mm & b", "a < 5 mm & b", false);
        check("<p>unclosed", "unclosed", false);
        check("&#8217;&#x41;", "’A", false);
        check(
            "<table><tr><th>Metal</th><td>18K gold</td></tr><tr><td>Weight (gr)</td><td>1.1</td></tr></table>",
            "Metal: 18K gold\nWeight (gr): 1.1",
            false,
        );
        check("<dl><dt>Stone</dt><dd>Pearl</dd></dl>", "Stone: Pearl", false);
    }

    #[test]
    fn detects_html() {
        assert!(looks_like_html("Ring <br> gold"));
        assert!(looks_like_html("Rock &amp; Roll"));
        assert!(!looks_like_html("a < b & c"));
    }
}
