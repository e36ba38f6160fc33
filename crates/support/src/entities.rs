//! What a message names: order numbers, dates (and which of them are
//! deadlines), ring sizes, amounts and products.
//!
//! Dates are resolved against the message's own date: "January 5" in a
//! message of January 9 is four days ago; "January 3" in a message of
//! December 20 is next year's. A date is a deadline when the words before it
//! say so ("by", "before", "in time for", "our anniversary is on"), or when
//! it is a gifting day named outright ("for Valentine's Day"), and it is not
//! in the past.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use regex::Regex;

use crate::text::words;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    OrderId,
    Date,
    RingSize,
    Amount,
    Product,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::OrderId => "order_id",
            EntityKind::Date => "date",
            EntityKind::RingSize => "ring_size",
            EntityKind::Amount => "amount",
            EntityKind::Product => "product",
        }
    }
}

/// One thing a message names.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    pub kind: EntityKind,
    /// Normalized: `LP100029`, `2023-01-17`, `US 7.5`, `1200.00 USD`, or a
    /// product's title.
    pub value: String,
    /// The words of the message it came from.
    pub text: String,
    /// For dates: the customer needs something by then.
    pub deadline: bool,
    /// For products: the catalog key the caller gave with the title.
    pub key: Option<String>,
}

impl Entity {
    fn new(kind: EntityKind, value: String, text: &str) -> Entity {
        Entity { kind, value, text: text.trim().to_string(), deadline: false, key: None }
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
}

/// Everything `text` names, in the order it names them; `today` is the
/// message's date. Products come from `products` (see [`ProductNames`]).
pub fn extract(text: &str, today: NaiveDate, products: Option<&ProductNames>) -> Vec<Entity> {
    let mut out: Vec<(usize, Entity)> = Vec::new();
    order_ids(text, &mut out);
    dates(text, today, &mut out);
    ring_sizes(text, &mut out);
    amounts(text, &mut out);
    if let Some(p) = products {
        for (pos, e) in p.find(text) {
            out.push((pos, e));
        }
    }
    out.sort_by_key(|(pos, _)| *pos);
    let mut seen: Vec<(EntityKind, String)> = Vec::new();
    out.into_iter()
        .filter(|(_, e)| {
            let k = (e.kind, e.value.clone());
            !seen.contains(&k) && {
                seen.push(k);
                true
            }
        })
        .map(|(_, e)| e)
        .collect()
}

/// The first deadline among `entities`.
pub fn deadline(entities: &[Entity]) -> Option<NaiveDate> {
    entities
        .iter()
        .filter(|e| e.kind == EntityKind::Date && e.deadline)
        .find_map(|e| NaiveDate::parse_from_str(&e.value, "%Y-%m-%d").ok())
}

fn order_ids(text: &str, out: &mut Vec<(usize, Entity)>) {
    static HASH: OnceLock<Regex> = OnceLock::new();
    static WORD: OnceLock<Regex> = OnceLock::new();
    static CODE: OnceLock<Regex> = OnceLock::new();
    let hash = re(&HASH, r"#\s?([A-Za-z]{0,4}-?\d{3,})\b");
    let word = re(
        &WORD,
        r"(?i)\b(?:order|purchase|ord|invoice)\s*(?:number|no\.?|num|nr|id|#)?\s*[:#]?\s*([A-Za-z]{0,4}-?\d{4,})\b",
    );
    let code = re(&CODE, r"\b([A-Z]{2,4}-?\d{5,})\b");
    let mut push = |start: usize, id: &str, span: &str| {
        let value: String = id.chars().filter(|c| *c != '-').collect::<String>().to_uppercase();
        if !out.iter().any(|(_, e)| e.kind == EntityKind::OrderId && e.value == value) {
            out.push((start, Entity::new(EntityKind::OrderId, value, span)));
        }
    };
    for r in [hash, word, code] {
        for c in r.captures_iter(text) {
            let (m, id) = (c.get(0).expect("match"), c.get(1).expect("group"));
            push(m.start(), id.as_str(), m.as_str());
        }
    }
}

const MONTHS: &str = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

fn month_number(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let k = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
    k.iter().position(|m| n.starts_with(m)).map(|i| i as u32 + 1)
}

/// `month`/`day` without a year, as the customer most likely meant it: this
/// year's unless that is over two months ago, then next year's.
fn resolve(today: NaiveDate, month: u32, day: u32, year: Option<i32>) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, month, day);
    }
    let this = NaiveDate::from_ymd_opt(today.year(), month, day)?;
    if (today - this).num_days() > 60 {
        NaiveDate::from_ymd_opt(today.year() + 1, month, day)
    } else {
        Some(this)
    }
}

fn next_weekday(today: NaiveDate, w: Weekday) -> NaiveDate {
    let ahead = (7 + w.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
    today + chrono::Duration::days(if ahead == 0 { 7 } else { ahead })
}

fn nth_weekday(year: i32, month: u32, w: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, w, n)
}

fn dates(text: &str, today: NaiveDate, out: &mut Vec<(usize, Entity)>) {
    static MD: OnceLock<Regex> = OnceLock::new();
    static DM: OnceLock<Regex> = OnceLock::new();
    static ISO: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    static ORD: OnceLock<Regex> = OnceLock::new();
    static REL: OnceLock<Regex> = OnceLock::new();
    static DAY: OnceLock<Regex> = OnceLock::new();
    let md = re(&MD, &format!(r"(?i)\b{MONTHS}\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}}))?"));
    let dm =
        re(&DM, &format!(r"(?i)\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\b(?:,?\s+(\d{{4}}))?"));
    let iso = re(&ISO, r"\b(\d{4})-(\d{2})-(\d{2})\b");
    let num = re(&NUM, r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b");
    let ord = re(&ORD, r"(?i)\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b");
    let rel = re(
        &REL,
        r"(?i)\b(today|tonight|tomorrow|valentine'?s?(?:\s+day)?|christmas eve|christmas|mother'?s day|father'?s day|new year'?s eve)\b",
    );
    let day = re(&DAY, r"(?i)\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b");

    let mut found: Vec<(usize, usize, NaiveDate, bool)> = Vec::new(); // start, end, date, named occasion
    let mut add = |start: usize, end: usize, date: Option<NaiveDate>, occasion: bool| {
        if let Some(d) = date {
            if !found.iter().any(|f| start < f.1 && f.0 < end) {
                found.push((start, end, d, occasion));
            }
        }
    };
    for c in iso.captures_iter(text) {
        let m = c.get(0).expect("match");
        let p = |i: usize| c[i].parse::<u32>().ok();
        add(
            m.start(),
            m.end(),
            c[1].parse().ok().zip(p(2)).zip(p(3)).and_then(|((y, mo), d)| NaiveDate::from_ymd_opt(y, mo, d)),
            false,
        );
    }
    for c in md.captures_iter(text) {
        let m = c.get(0).expect("match");
        let date = month_number(&c[1])
            .zip(c[2].parse().ok())
            .and_then(|(mo, d)| resolve(today, mo, d, c.get(3).and_then(|y| y.as_str().parse().ok())));
        add(m.start(), m.end(), date, false);
    }
    for c in dm.captures_iter(text) {
        let m = c.get(0).expect("match");
        let date = month_number(&c[2])
            .zip(c[1].parse().ok())
            .and_then(|(mo, d)| resolve(today, mo, d, c.get(3).and_then(|y| y.as_str().parse().ok())));
        add(m.start(), m.end(), date, false);
    }
    for c in num.captures_iter(text) {
        let m = c.get(0).expect("match");
        // A US brand's month/day; a size like "1/2" is not a date.
        let (mo, d): (u32, u32) = (c[1].parse().unwrap_or(0), c[2].parse().unwrap_or(0));
        if mo == 0 || d == 0 || (c.get(3).is_none() && d <= 2 && mo <= 2) {
            continue;
        }
        let year =
            c.get(3).and_then(|y| y.as_str().parse::<i32>().ok()).map(|y| if y < 100 { 2000 + y } else { y });
        add(m.start(), m.end(), resolve(today, mo, d, year), false);
    }
    for c in ord.captures_iter(text) {
        let m = c.get(0).expect("match");
        let d: u32 = c[1].parse().unwrap_or(0);
        let this = NaiveDate::from_ymd_opt(today.year(), today.month(), d);
        let date = match this {
            Some(t) if t >= today => Some(t),
            _ => today
                .checked_add_months(chrono::Months::new(1))
                .and_then(|n| NaiveDate::from_ymd_opt(n.year(), n.month(), d)),
        };
        add(m.start(), m.end(), date, false);
    }
    for c in rel.captures_iter(text) {
        let m = c.get(0).expect("match");
        let w = c[1].to_ascii_lowercase();
        let y = today.year();
        let upcoming =
            |f: &dyn Fn(i32) -> Option<NaiveDate>| f(y).filter(|d| *d >= today).or_else(|| f(y + 1));
        let (date, occasion) = if w == "today" || w == "tonight" {
            (Some(today), false)
        } else if w == "tomorrow" {
            (today.checked_add_days(Days::new(1)), false)
        } else if w.starts_with("valentine") {
            (upcoming(&|y| NaiveDate::from_ymd_opt(y, 2, 14)), true)
        } else if w == "christmas eve" {
            (upcoming(&|y| NaiveDate::from_ymd_opt(y, 12, 24)), true)
        } else if w == "christmas" {
            (upcoming(&|y| NaiveDate::from_ymd_opt(y, 12, 25)), true)
        } else if w.starts_with("mother") {
            (upcoming(&|y| nth_weekday(y, 5, Weekday::Sun, 2)), true)
        } else if w.starts_with("father") {
            (upcoming(&|y| nth_weekday(y, 6, Weekday::Sun, 3)), true)
        } else {
            (upcoming(&|y| NaiveDate::from_ymd_opt(y, 12, 31)), true)
        };
        add(m.start(), m.end(), date, occasion);
    }
    for c in day.captures_iter(text) {
        let m = c.get(0).expect("match");
        let w = c[1].parse::<Weekday>().ok();
        add(m.start(), m.end(), w.map(|w| next_weekday(today, w)), false);
    }
    for (start, end, date, occasion) in found {
        let mut e = Entity::new(EntityKind::Date, date.format("%Y-%m-%d").to_string(), &text[start..end]);
        e.deadline = date >= today && (occasion || says_deadline(&text[..start]));
        out.push((start, e));
    }
}

/// Whether the words just before a date (same sentence) make it a date the
/// customer needs something by.
fn says_deadline(before: &str) -> bool {
    let sentence = before.rsplit(['.', '!', '?', '\n']).next().unwrap_or(before);
    let w = words(sentence);
    let tail: Vec<&str> = w.iter().rev().take(8).map(String::as_str).collect();
    let near: Vec<&str> = tail.iter().take(3).copied().collect();
    if tail
        .iter()
        .any(|w| matches!(*w, "placed" | "ordered" | "bought" | "purchased" | "since" | "shipped" | "paid"))
    {
        return false;
    }
    near.iter().any(|w| matches!(*w, "by" | "before" | "until" | "till" | "latest" | "for"))
        || tail.iter().any(|w| {
            matches!(
                *w,
                "anniversary"
                    | "birthday"
                    | "wedding"
                    | "proposal"
                    | "proposing"
                    | "propose"
                    | "engagement"
                    | "party"
                    | "trip"
                    | "flight"
                    | "leave"
                    | "leaving"
                    | "event"
                    | "ceremony"
                    | "graduation"
                    | "need"
                    | "needed"
                    | "arrive"
                    | "deliver"
                    | "delivered"
                    | "time"
                    | "deadline"
            )
        })
}

fn ring_sizes(text: &str, out: &mut Vec<(usize, Entity)>) {
    static US: OnceLock<Regex> = OnceLock::new();
    static UK: OnceLock<Regex> = OnceLock::new();
    static EU: OnceLock<Regex> = OnceLock::new();
    let us = re(
        &US,
        r"(?i)\b(?:(?:us|usa)\s*(?:ring\s*)?size|size\s*(?:us|usa)?|a\s+us)\s*(\d{1,2})(\.\d{1,2}|\s?1/2|\s?½|\s+and\s+a\s+half)?(?:\s*(?:us|usa))?\b",
    );
    let uk =
        re(&UK, r"(?i)\b(?:uk\s*(?:ring\s*)?(?:size\s*)?|size\s+)([a-z])(\s?1/2|\s?½)?(?:\s*uk)?(?:\b|$)");
    let eu = re(
        &EU,
        r"(?i)\b(?:(?:eu|eur|europe(?:an)?|fr|french)\s*(?:ring\s*)?(?:size\s*)?|size\s*)(\d{2})\s*(?:eu|mm)?\b",
    );
    for c in us.captures_iter(text) {
        let m = c.get(0).expect("match");
        let whole: u32 = c[1].parse().unwrap_or(0);
        if !(1..=16).contains(&whole) {
            continue;
        }
        let frac = c.get(2).map_or("", |f| f.as_str().trim());
        let value = match frac {
            "" => format!("US {whole}"),
            f if f.starts_with('.') => format!("US {whole}{f}"),
            _ => format!("US {whole}.5"),
        };
        out.push((m.start(), Entity::new(EntityKind::RingSize, value, m.as_str())));
    }
    for c in uk.captures_iter(text) {
        let m = c.get(0).expect("match");
        let letter = c[1].to_ascii_uppercase();
        let explicit = m.as_str().to_ascii_lowercase().contains("uk");
        // "size a" is rarely a ring size; UK sizes in practice run F to Z.
        if !explicit && !("F".."Z~").contains(&letter.as_str()) {
            continue;
        }
        // "size I" is usually the pronoun, unless the customer said UK.
        if !explicit && letter == "I" {
            continue;
        }
        let half = if c.get(2).is_some() { "½" } else { "" };
        out.push((m.start(), Entity::new(EntityKind::RingSize, format!("UK {letter}{half}"), m.as_str())));
    }
    for c in eu.captures_iter(text) {
        let m = c.get(0).expect("match");
        let n: u32 = c[1].parse().unwrap_or(0);
        // EU (ISO 8653) sizes are the inside circumference in mm: 40 to 76.
        if (40..=76).contains(&n) {
            out.push((m.start(), Entity::new(EntityKind::RingSize, format!("EU {n}"), m.as_str())));
        }
    }
}

fn amounts(text: &str, out: &mut Vec<(usize, Entity)>) {
    static SIGN: OnceLock<Regex> = OnceLock::new();
    static WORD: OnceLock<Regex> = OnceLock::new();
    let sign = re(&SIGN, r"([$€£])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(k\b)?");
    let word = re(
        &WORD,
        r"(?i)\b(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s?(dollars|usd|bucks|eur|euros?|gbp|pounds|inr|rupees|rs)\b",
    );
    let value = |whole: &str, cents: Option<&str>, thousands: bool, currency: &str| -> Option<String> {
        let w: u64 = whole.replace(',', "").parse().ok()?;
        let c: u64 = cents.map_or(Some(0), |c| format!("{c:0<2}").parse().ok())?;
        let total = if thousands { w * 100_000 } else { w * 100 + c };
        Some(format!("{}.{:02} {currency}", total / 100, total % 100))
    };
    for c in sign.captures_iter(text) {
        let m = c.get(0).expect("match");
        let currency = match &c[1] {
            "$" => "USD",
            "€" => "EUR",
            _ => "GBP",
        };
        if let Some(v) = value(&c[2], c.get(3).map(|x| x.as_str()), c.get(4).is_some(), currency) {
            out.push((m.start(), Entity::new(EntityKind::Amount, v, m.as_str())));
        }
    }
    for c in word.captures_iter(text) {
        let m = c.get(0).expect("match");
        let currency = match c[3].to_ascii_lowercase().as_str() {
            "dollars" | "usd" | "bucks" => "USD",
            "eur" | "euro" | "euros" => "EUR",
            "gbp" | "pounds" => "GBP",
            _ => "INR",
        };
        if let Some(v) = value(&c[1], c.get(2).map(|x| x.as_str()), false, currency) {
            out.push((m.start(), Entity::new(EntityKind::Amount, v, m.as_str())));
        }
    }
}

/// The catalog's product names, indexed to find them in messages: a
/// product is named when its whole title appears, or its title before a
/// " - " or " in " variant suffix ("Ada Chain Bracelet in 14K Yellow Gold"
/// is also "Ada Chain Bracelet"), as at least two words.
#[derive(Default)]
pub struct ProductNames {
    /// First word -> (the name's words, the title, the caller's key).
    by_first: HashMap<String, Vec<(Vec<String>, String, String)>>,
}

impl ProductNames {
    pub fn new<'a>(products: impl IntoIterator<Item = (&'a str, &'a str)>) -> ProductNames {
        let mut names = ProductNames::default();
        for (key, title) in products {
            names.add(key, title);
        }
        names
    }

    pub fn add(&mut self, key: &str, title: &str) {
        let mut forms = vec![title.to_string()];
        for sep in [" - ", " in ", " – "] {
            if let Some((head, _)) = title.split_once(sep) {
                forms.push(head.to_string());
            }
        }
        for form in forms {
            let w = words(&form);
            if w.len() < 2 {
                continue;
            }
            let list = self.by_first.entry(w[0].clone()).or_default();
            if !list.iter().any(|(ws, _, k)| *ws == w && k == key) {
                list.push((w, title.to_string(), key.to_string()));
                // Longest name first, so that a longer title wins where two start alike.
                list.sort_by_key(|(ws, _, _)| std::cmp::Reverse(ws.len()));
            }
        }
    }

    /// The products `text` names, longest name first at each place, each
    /// with the byte offset of its first word.
    pub fn find(&self, text: &str) -> Vec<(usize, Entity)> {
        let lower = text.to_lowercase();
        let w = words(text);
        let mut out = Vec::new();
        let mut i = 0;
        while i < w.len() {
            let hit = self.by_first.get(&w[i]).and_then(|list| {
                list.iter().find(|(name, _, _)| w.len() >= i + name.len() && w[i..i + name.len()] == name[..])
            });
            match hit {
                Some((name, title, key)) => {
                    let mut e = Entity::new(EntityKind::Product, title.clone(), &name.join(" "));
                    e.key = Some(key.clone());
                    out.push((lower.find(&w[i]).unwrap_or(0), e));
                    i += name.len();
                }
                None => i += 1,
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.by_first.is_empty()
    }
}

#[cfg(test)]
mod tests;
