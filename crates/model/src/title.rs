//! How the shop shows a product's title (issue 12): a shouting title in
//! title case (`ETOILE ONYX HUGGIE HOOPS - YELLOW GOLD 14CT` reads
//! `Etoile Onyx Huggie Hoops - Yellow Gold 14ct`), and vendor metal codes in
//! words (`yellow-585` reads `14K yellow gold`). The raw title is kept and
//! is what the API, exports and the back-office show.

use std::borrow::Cow;

/// Small words left lower-case inside a title.
const SMALL: &[&str] = &["a", "an", "and", "or", "of", "in", "on", "with", "the", "for", "to", "by", "at"];

/// Words kept in capitals: stone and standard abbreviations, Roman numerals.
const CAPITALS: &[&str] =
    &["CZ", "UK", "US", "II", "III", "IV", "VI", "VII", "VIII", "IX", "XL", "XS", "GIA", "IGI"];

/// The karat of a gold fineness in parts per thousand.
fn karat_of(fineness: &str) -> Option<&'static str> {
    Some(match fineness {
        "375" => "9K",
        "417" => "10K",
        "585" => "14K",
        "750" => "18K",
        "916" => "22K",
        "999" => "24K",
        _ => return None,
    })
}

/// `yellow-585` as `14K yellow gold` (`red` and `pink` are rose).
fn metal_code(word: &str) -> Option<String> {
    let (color, fineness) = word.split_once('-')?;
    let color = match color.to_ascii_lowercase().as_str() {
        "yellow" => "yellow",
        "white" => "white",
        "red" | "rose" | "pink" => "rose",
        _ => return None,
    };
    Some(format!("{} {color} gold", karat_of(fineness)?))
}

fn shouting(title: &str) -> bool {
    let letters = title.chars().filter(|c| c.is_alphabetic()).count();
    let upper = title.chars().filter(|c| c.is_uppercase()).count();
    letters >= 6 && upper * 10 >= letters * 8
}

fn title_word(word: &str, first: bool) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_lowercase();
    }
    if CAPITALS.contains(&word) {
        return word.to_string();
    }
    let lower = word.to_lowercase();
    if !first && SMALL.contains(&lower.as_str()) {
        return lower;
    }
    let mut chars = lower.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => lower,
    }
}

/// The title as the shop shows it; borrowed when nothing changes.
pub fn shown(title: &str) -> Cow<'_, str> {
    let loud = shouting(title);
    let coded = title
        .split_whitespace()
        .any(|w| metal_code(w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')).is_some());
    if !loud && !coded {
        return Cow::Borrowed(title);
    }
    Cow::Owned(rewrite(title, loud))
}

/// Any name in title case, as a shouting title is shown (`aria ii` reads
/// `Aria II`, `engagement_ring` reads `Engagement Ring`).
pub fn title_case(text: &str) -> String {
    rewrite(&text.replace('_', " ").to_uppercase(), true)
}

/// `title` with its vendor metal codes in words and, when `loud`, each word in title case.
fn rewrite(title: &str, loud: bool) -> String {
    let mut out = String::with_capacity(title.len() + 8);
    let mut first = true;
    for (i, part) in title.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        // Punctuation around a word stays where it is.
        let start = part.find(|c: char| c.is_alphanumeric()).unwrap_or(part.len());
        let end = part
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_alphanumeric())
            .map(|(e, c)| e + c.len_utf8())
            .unwrap_or(start)
            .max(start);
        let (lead, word, tail) = (&part[..start], &part[start..end], &part[end..]);
        out.push_str(lead);
        if let Some(words) = metal_code(word) {
            out.push_str(&words);
        } else if loud && !word.is_empty() {
            out.push_str(&title_word(word, first));
        } else {
            out.push_str(word);
        }
        out.push_str(tail);
        if !word.is_empty() {
            first = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shouting_titles_read_in_title_case() {
        assert_eq!(
            shown("ETOILE ONYX HUGGIE HOOPS - YELLOW GOLD 14CT"),
            "Etoile Onyx Huggie Hoops - Yellow Gold 14ct"
        );
        assert_eq!(
            shown("MARIGOLD II LAB CREATED DIAMOND STUD EARRINGS"),
            "Marigold II Lab Created Diamond Stud Earrings"
        );
        assert_eq!(shown("PEARL STRAND WITH CZ CLASP"), "Pearl Strand with CZ Clasp");
        assert_eq!(shown("THE ROSE RING"), "The Rose Ring", "a first small word is capitalised");
    }

    #[test]
    fn vendor_metal_codes_read_as_words() {
        assert_eq!(shown("Bar Necklace yellow-585"), "Bar Necklace 14K yellow gold");
        assert_eq!(shown("Hoops (red-750)"), "Hoops (18K rose gold)");
        assert_eq!(shown("RING WHITE-585"), "Ring 14K white gold");
    }

    #[test]
    fn names_read_in_title_case() {
        assert_eq!(title_case("aria ii"), "Aria II");
        assert_eq!(title_case("engagement_ring"), "Engagement Ring");
        assert_eq!(title_case("pearl"), "Pearl");
    }

    #[test]
    fn ordinary_titles_are_left_alone() {
        for t in [
            "Pavé Halo Ring 18K Rose Gold",
            "Solitaire Engagement Ring",
            "ABC",
            "",
            "Yellow-gold hoop",
            "Set-585",
        ] {
            assert!(matches!(shown(t), Cow::Borrowed(_)), "{t}");
        }
    }

    proptest::proptest! {
        /// Any title is shown without panicking, and keeps its words in order.
        #[test]
        fn any_title_is_shown(t in "\\PC{0,60}") {
            let s = shown(&t);
            proptest::prop_assert_eq!(s.split_whitespace().count() >= t.split_whitespace().count(), true);
        }
    }
}
