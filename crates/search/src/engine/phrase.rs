//! The words of search results: prices, month names, what the shopper asked
//! (for relaxation messages), and the phrases reasons are built from.

use model::{Category, Currency, Gender};

use crate::index::SearchIndex;

use super::{Constraint, Kind};

/// A price as shoppers read it: `$150`, `€49.50`, `1200 CHF`.
pub(crate) fn fmt_price(v: f64, c: Currency) -> String {
    let rounded = if v >= 100.0 {
        format!("{:.0}", v)
    } else {
        format!("{:.2}", v).trim_end_matches(".00").to_string()
    };
    match c.as_str() {
        "USD" => format!("${rounded}"),
        "EUR" => format!("€{rounded}"),
        "GBP" => format!("£{rounded}"),
        "INR" => format!("₹{rounded}"),
        code => format!("{rounded} {code}"),
    }
}

/// "rose gold topaz earrings under $100": what the shopper asked, for
/// relaxation messages.
pub(super) fn describe(cs: &[Constraint]) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for kind in [
        Kind::Origin,
        Kind::Karat,
        Kind::Color,
        Kind::Metal,
        Kind::Stone,
        Kind::Text,
        Kind::Category,
        Kind::Size,
        Kind::Length,
        Kind::Price,
    ] {
        for c in cs.iter().filter(|c| c.kind == kind) {
            parts.push(&c.asked);
        }
    }
    // `rose` (the colour) is already said by `rose gold` (the metal).
    let all = parts.clone();
    parts.retain(|p| !all.iter().any(|q| q != p && q.contains(*p)));
    parts.dedup();
    let s = parts.join(" ");
    if s.is_empty() {
        "match".into()
    } else {
        s
    }
}

pub(crate) use model::birthstone::month_name;

impl SearchIndex {
    /// The shopper's word as the lexicon knows it, for reasons: "wifes"
    /// (from "wife's") reads as "wife"; other words stay as typed.
    pub(super) fn display_word(&self, from: &str) -> String {
        match from.strip_suffix('s') {
            Some(stem) if !from.contains(' ') && self.lex.get(&[stem.to_string()]).is_some() => {
                stem.to_string()
            }
            _ => from.to_string(),
        }
    }
}

/// `detail ('from')`, or just `detail` when the shopper's word is already
/// in it ("dainty ('delicate')", but "anniversary", not "anniversary
/// ('anniversary')").
pub(super) fn with_source(detail: &str, from: &str) -> String {
    let words: Vec<&str> = detail.split_whitespace().collect();
    let said = from.trim_end_matches('s');
    if from.is_empty() || words.iter().any(|w| w.trim_end_matches('s') == said) {
        detail.to_string()
    } else {
        format!("{detail} ('{from}')")
    }
}

/// "is a ring", "is a pair of earrings", "are cufflinks": the category
/// reason, in words a shopper would use.
pub(super) fn category_phrase(category: Option<Category>) -> &'static str {
    match category {
        Some(Category::Ring) => "is a ring",
        Some(Category::EngagementRing) => "is an engagement ring",
        Some(Category::WeddingBand) => "is a wedding band",
        Some(Category::Necklace) => "is a necklace",
        Some(Category::Pendant) => "is a pendant",
        Some(Category::Chain) => "is a chain",
        Some(Category::Earrings) => "is a pair of earrings",
        Some(Category::Bracelet) => "is a bracelet",
        Some(Category::Anklet) => "is an anklet",
        Some(Category::Brooch) => "is a brooch",
        Some(Category::Cufflinks) => "are cufflinks",
        Some(Category::Charm) => "is a charm",
        Some(Category::Cross) => "is a cross",
        Some(Category::Watch) => "is a watch",
        Some(Category::Set) => "is a jewelry set",
        Some(Category::Other) | None => "in the category asked for",
    }
}

/// "made for women", "made for children".
pub(super) fn gender_phrase(g: Gender) -> &'static str {
    match g {
        Gender::Women => "made for women",
        Gender::Men => "made for men",
        Gender::Unisex => "unisex",
        Gender::Kids => "made for children",
    }
}

pub(super) fn gender_noun(g: Gender) -> &'static str {
    match g {
        Gender::Women => "women",
        Gender::Men => "men",
        Gender::Unisex => "anyone",
        Gender::Kids => "children",
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_english() {
        assert_eq!(category_phrase(Some(Category::Earrings)), "is a pair of earrings");
        assert_eq!(category_phrase(Some(Category::Cufflinks)), "are cufflinks");
        assert_eq!(category_phrase(Some(Category::EngagementRing)), "is an engagement ring");
        assert_eq!(category_phrase(None), "in the category asked for");
        assert_eq!(gender_phrase(Gender::Kids), "made for children");
        assert_eq!(gender_noun(Gender::Women), "women");
        assert_eq!(with_source("suits anniversary", "anniversary"), "suits anniversary");
        assert_eq!(with_source("ruby is a birthstone", "birthstones"), "ruby is a birthstone");
        assert_eq!(with_source("dainty", "delicate"), "dainty ('delicate')");
    }
}
