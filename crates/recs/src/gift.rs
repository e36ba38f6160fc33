//! The gift finder's brief: "for mom, under 200", "anniversary gift for my
//! wife between $300 and $600", "something for him around 80". Parsed into a
//! recipient, an occasion and a budget; anything unrecognised is ignored,
//! and no input makes the parser panic.

use model::{Category, Currency, Gender, Money};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipient {
    Mother,
    Father,
    Wife,
    Husband,
    Girlfriend,
    Boyfriend,
    Partner,
    Sister,
    Brother,
    Daughter,
    Son,
    Grandmother,
    Grandfather,
    Friend,
    Her,
    Him,
    Myself,
}

impl Recipient {
    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Mother => "mother",
            Recipient::Father => "father",
            Recipient::Wife => "wife",
            Recipient::Husband => "husband",
            Recipient::Girlfriend => "girlfriend",
            Recipient::Boyfriend => "boyfriend",
            Recipient::Partner => "partner",
            Recipient::Sister => "sister",
            Recipient::Brother => "brother",
            Recipient::Daughter => "daughter",
            Recipient::Son => "son",
            Recipient::Grandmother => "grandmother",
            Recipient::Grandfather => "grandfather",
            Recipient::Friend => "friend",
            Recipient::Her => "her",
            Recipient::Him => "him",
            Recipient::Myself => "yourself",
        }
    }

    pub fn gender(self) -> Option<Gender> {
        use Recipient::*;
        match self {
            Mother | Wife | Girlfriend | Sister | Daughter | Grandmother | Her => Some(Gender::Women),
            Father | Husband | Boyfriend | Brother | Son | Grandfather | Him => Some(Gender::Men),
            Partner | Friend | Myself => None,
        }
    }

    /// Categories that make a good gift for this recipient, best first.
    pub fn categories(self) -> &'static [Category] {
        use Category::*;
        use Recipient::*;
        match self {
            Mother | Grandmother => &[Necklace, Pendant, Earrings, Bracelet],
            Father | Grandfather | Husband | Boyfriend | Brother | Son | Him => {
                &[Cufflinks, Bracelet, Chain, Ring, Watch]
            }
            Daughter => &[Pendant, Earrings, Charm, Bracelet, Necklace],
            Wife | Girlfriend | Partner | Her => &[Necklace, Earrings, Bracelet, Pendant, Ring],
            Sister | Friend => &[Earrings, Bracelet, Charm, Pendant, Necklace],
            Myself => &[],
        }
    }

    fn from_word(w: &str) -> Option<Recipient> {
        use Recipient::*;
        Some(match w {
            "mom" | "mum" | "mother" | "mommy" | "mummy" | "mama" | "mam" | "moms" | "mums" => Mother,
            "dad" | "father" | "daddy" | "papa" | "dads" => Father,
            "wife" => Wife,
            "husband" => Husband,
            "girlfriend" | "gf" | "fiancee" => Girlfriend,
            "boyfriend" | "bf" | "fiance" => Boyfriend,
            "partner" | "spouse" => Partner,
            "sister" | "sis" => Sister,
            "brother" | "bro" => Brother,
            "daughter" | "niece" => Daughter,
            "son" | "nephew" => Son,
            "grandma" | "grandmother" | "granny" | "nana" => Grandmother,
            "grandpa" | "grandfather" | "grandad" | "granddad" => Grandfather,
            "friend" | "bestie" | "colleague" | "coworker" => Friend,
            "her" | "she" | "woman" | "lady" => Her,
            "him" | "he" | "man" | "guy" => Him,
            "me" | "myself" => Myself,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occasion {
    Birthday,
    Anniversary,
    Valentines,
    MothersDay,
    FathersDay,
    Holidays,
    Graduation,
    Wedding,
    Engagement,
    ThankYou,
}

impl Occasion {
    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Birthday => "birthday",
            Occasion::Anniversary => "anniversary",
            Occasion::Valentines => "valentines_day",
            Occasion::MothersDay => "mothers_day",
            Occasion::FathersDay => "fathers_day",
            Occasion::Holidays => "holidays",
            Occasion::Graduation => "graduation",
            Occasion::Wedding => "wedding",
            Occasion::Engagement => "engagement",
            Occasion::ThankYou => "thank_you",
        }
    }

    /// Whether bridal pieces (engagement rings, wedding bands) fit.
    pub fn allows_bridal(self) -> bool {
        matches!(self, Occasion::Engagement | Occasion::Wedding | Occasion::Anniversary)
    }
}

/// A price range in major units of the store's currency.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Budget {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Budget {
    pub fn contains(&self, price: f64) -> bool {
        self.min.is_none_or(|m| price >= m) && self.max.is_none_or(|m| price <= m)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct GiftBrief {
    pub text: String,
    pub recipient: Option<Recipient>,
    pub occasion: Option<Occasion>,
    pub budget: Option<Budget>,
}

fn amount(token: &str) -> Option<f64> {
    let t = token.trim_matches(|c: char| matches!(c, ',' | '.' | ';' | ':' | '!' | '?' | '(' | ')'));
    if !t.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let m = Money::parse(t, Currency::USD).ok()?;
    let v = m.major();
    (v.is_finite() && v > 0.0).then_some(v)
}

/// Parses a free-text gift brief. Never fails: what it does not understand
/// it leaves out.
pub fn parse_brief(text: &str) -> GiftBrief {
    let text: String = text.chars().take(500).collect();
    let lower = text.to_lowercase().replace(['–', '—'], "-").replace('<', " under ").replace('>', " over ");
    // Separate ranges written `100-200` and `$100-$200`.
    let mut spaced = String::with_capacity(lower.len() + 8);
    for c in lower.chars() {
        if c == '-' {
            spaced.push_str(" - ");
        } else {
            spaced.push(c);
        }
    }
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let word = |i: usize| -> String {
        tokens
            .get(i)
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && c != '\''))
            .unwrap_or("")
            .to_string()
    };
    let mut recipient = None;
    let mut occasion = None;
    let (mut min, mut max) = (None::<f64>, None::<f64>);
    let mut i = 0;
    while i < tokens.len() {
        let w = word(i);
        let next = word(i + 1);
        let w_plain = w.trim_end_matches("'s").trim_end_matches('\'');
        match w_plain {
            "mother" | "mothers" | "mom" | "moms" | "mum" | "mums" if next == "day" => {
                occasion = occasion.or(Some(Occasion::MothersDay));
                recipient = recipient.or(Some(Recipient::Mother));
                i += 2;
                continue;
            }
            "father" | "fathers" | "dad" | "dads" if next == "day" => {
                occasion = occasion.or(Some(Occasion::FathersDay));
                recipient = recipient.or(Some(Recipient::Father));
                i += 2;
                continue;
            }
            "valentine" | "valentines" | "vday" => occasion = occasion.or(Some(Occasion::Valentines)),
            "birthday" | "bday" => occasion = occasion.or(Some(Occasion::Birthday)),
            "anniversary" => occasion = occasion.or(Some(Occasion::Anniversary)),
            "christmas" | "xmas" | "holiday" | "holidays" | "hanukkah" | "diwali" | "eid" => {
                occasion = occasion.or(Some(Occasion::Holidays))
            }
            "graduation" | "graduate" | "grad" => occasion = occasion.or(Some(Occasion::Graduation)),
            "wedding" => occasion = occasion.or(Some(Occasion::Wedding)),
            "engagement" | "proposal" | "propose" | "proposing" => {
                occasion = occasion.or(Some(Occasion::Engagement))
            }
            "thanks" | "thank" => occasion = occasion.or(Some(Occasion::ThankYou)),
            _ => {
                if recipient.is_none() {
                    recipient = Recipient::from_word(w_plain);
                }
            }
        }
        if let Some(a) = amount(tokens[i]) {
            let prev = word(i.wrapping_sub(1));
            let prev2 = word(i.wrapping_sub(2));
            // "100 - 200", "100 to 200", "between 100 and 200".
            let range_to = matches!(next.as_str(), "" | "to" | "and")
                && tokens.get(i + 1).is_some_and(|t| matches!(*t, "-" | "to" | "and"));
            if range_to {
                if let Some(b) = tokens.get(i + 2).and_then(|t| amount(t)) {
                    min = Some(a.min(b));
                    max = Some(a.max(b));
                    i += 3;
                    continue;
                }
            }
            match (prev2.as_str(), prev.as_str()) {
                (_, "under" | "below" | "max" | "maximum" | "within" | "upto" | "budget" | "cheaper")
                | ("up" | "less" | "no" | "not", "to" | "than" | "more" | "over")
                | ("budget", "of" | "is") => max = Some(a),
                (_, "over" | "above" | "min" | "minimum" | "from") | ("more" | "at", "than" | "least") => {
                    min = Some(a)
                }
                (_, "around" | "about" | "approximately" | "approx" | "roughly" | "~") => {
                    min = Some(a * 0.75);
                    max = Some(a * 1.25);
                }
                _ => {
                    if max.is_none() {
                        max = Some(a);
                    }
                }
            }
        }
        i += 1;
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            min = Some(hi);
            max = Some(lo);
        }
    }
    let budget = (min.is_some() || max.is_some()).then_some(Budget { min, max });
    GiftBrief { text, recipient, occasion, budget }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(
        text: &str,
        recipient: Option<Recipient>,
        occasion: Option<Occasion>,
        budget: Option<(Option<f64>, Option<f64>)>,
    ) {
        let b = parse_brief(text);
        assert_eq!(b.recipient, recipient, "{text}");
        assert_eq!(b.occasion, occasion, "{text}");
        assert_eq!(b.budget.map(|b| (b.min, b.max)), budget, "{text}");
    }

    #[test]
    fn briefs() {
        use Occasion::*;
        use Recipient::*;
        check("for mom, under 200", Some(Mother), None, Some((None, Some(200.0))));
        check("Mother's Day gift under $150", Some(Mother), Some(MothersDay), Some((None, Some(150.0))));
        check(
            "anniversary gift for my wife between $300 and $600",
            Some(Wife),
            Some(Anniversary),
            Some((Some(300.0), Some(600.0))),
        );
        check("something for him around 80", Some(Him), None, Some((Some(60.0), Some(100.0))));
        check("birthday, sister, 50-100", Some(Sister), Some(Birthday), Some((Some(50.0), Some(100.0))));
        check("for dad over £1k", Some(Father), None, Some((Some(1000.0), None)));
        check(
            "less than 1,200 for my girlfriend's valentine",
            Some(Girlfriend),
            Some(Valentines),
            Some((None, Some(1200.0))),
        );
        check("a treat for me", Some(Myself), None, None);
        check("", None, None, None);
        check("under abc", None, None, None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let b = parse_brief(&s);
            if let Some(Budget { min: Some(lo), max: Some(hi) }) = b.budget {
                proptest::prop_assert!(lo <= hi);
            }
        }

        #[test]
        fn reads_recipient_and_ceiling(n in 1u32..100_000, who in proptest::sample::select(vec!["mom", "dad", "wife", "friend"])) {
            let b = parse_brief(&format!("for {who}, under {n}"));
            proptest::prop_assert!(b.recipient.is_some());
            proptest::prop_assert_eq!(b.budget, Some(Budget { min: None, max: Some(n as f64) }));
        }

        #[test]
        fn ranges_are_ordered(a in 1u32..10_000, b in 1u32..10_000) {
            let br = parse_brief(&format!("between {a} and {b}"));
            let bud = br.budget.unwrap();
            proptest::prop_assert_eq!(bud.min, Some(a.min(b) as f64));
            proptest::prop_assert_eq!(bud.max, Some(a.max(b) as f64));
        }
    }
}
