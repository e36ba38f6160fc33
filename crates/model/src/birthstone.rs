//! The birthstones of each month, kept once for every engine: the catalog
//! gives a "June birthstone pendant" its stone from this table, and search
//! turns "december birthstone" into the stones to look for with it.
//!
//! The table is the usual modern list (the one American jewelers adopted in
//! 1912 and have revised since, as the GIA and the AGTA publish it), the
//! traditional stone first: June is pearl, moonstone and alexandrite;
//! December is turquoise, tanzanite and zircon (blue topaz is also commonly
//! listed for December; it is left out here because topaz already stands for
//! November, and a stone kind carries no colour). Stones are canonical kinds,
//! the names the catalog vocabulary normalizes to.

/// The months' English names, lower case, January first: the words both the
/// catalog ("June birthstone") and search ("december birthstone") read.
pub const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The name of month `m` (1 = January); empty for anything else.
pub fn month_name(m: u8) -> &'static str {
    match m {
        1..=12 => MONTH_NAMES[m as usize - 1],
        _ => "",
    }
}

/// The stones of each month, January first, the traditional one first.
const TABLE: [&[&str]; 12] = [
    &["garnet"],
    &["amethyst"],
    &["aquamarine"],
    &["diamond"],
    &["emerald"],
    &["pearl", "moonstone", "alexandrite"],
    &["ruby"],
    &["peridot", "spinel"],
    &["sapphire"],
    &["opal", "tourmaline"],
    &["topaz", "citrine"],
    &["turquoise", "tanzanite", "zircon"],
];

/// The birthstones of `month` (1 = January), the traditional one first;
/// none for a number that is not a month.
pub fn stones(month: u8) -> &'static [&'static str] {
    match month {
        1..=12 => TABLE[month as usize - 1],
        _ => &[],
    }
}

/// The months (1 = January) whose birthstones include `stone`.
pub fn months(stone: &str) -> Vec<u8> {
    (1..=12u8).filter(|&m| stones(m).contains(&stone)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_month_has_its_stones_and_nothing_else_does() {
        assert_eq!(stones(0), &[] as &[&str]);
        assert_eq!(stones(13), &[] as &[&str]);
        for m in 1..=12 {
            let s = stones(m);
            assert!(!s.is_empty(), "month {m}");
            for (i, a) in s.iter().enumerate() {
                assert!(!s[i + 1..].contains(a), "{a} twice in month {m}");
            }
        }
    }

    #[test]
    fn june_and_december_follow_the_modern_list() {
        assert_eq!(stones(6), ["pearl", "moonstone", "alexandrite"]);
        assert_eq!(stones(12), ["turquoise", "tanzanite", "zircon"]);
        assert_eq!(stones(7), ["ruby"]);
        assert_eq!(months("zircon"), vec![12]);
        assert_eq!(months("topaz"), vec![11]);
        assert_eq!(months("cubic_zirconia"), Vec::<u8>::new());
    }
}
