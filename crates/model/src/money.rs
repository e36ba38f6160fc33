//! Money as integer minor units plus an ISO 4217 currency, parsed from the
//! price strings real exports contain (`1,650.00`, `88,848`, `$1.5k`, `€ 12,50`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A three-letter upper-case ISO 4217 code such as `USD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Currency([u8; 3]);

impl Currency {
    pub const USD: Currency = Currency(*b"USD");
    pub const EUR: Currency = Currency(*b"EUR");
    pub const GBP: Currency = Currency(*b"GBP");
    pub const INR: Currency = Currency(*b"INR");

    /// Parses a code (`usd`, `GBP`) or a symbol (`$`, `€`, `£`, `₹`, `Rs.`).
    pub fn parse(s: &str) -> Result<Currency, MoneyError> {
        let s = s.trim();
        let by_symbol = match s {
            "$" | "US$" => Some(Currency::USD),
            "€" => Some(Currency::EUR),
            "£" => Some(Currency::GBP),
            "₹" | "Rs" | "Rs." | "INR." => Some(Currency::INR),
            _ => None,
        };
        if let Some(c) = by_symbol {
            return Ok(c);
        }
        let b = s.as_bytes();
        if b.len() == 3 && b.iter().all(u8::is_ascii_alphabetic) {
            return Ok(Currency([
                b[0].to_ascii_uppercase(),
                b[1].to_ascii_uppercase(),
                b[2].to_ascii_uppercase(),
            ]));
        }
        Err(MoneyError::Currency(s.chars().take(20).collect()))
    }

    pub fn as_str(&self) -> &str {
        // Constructed only from ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in this currency's usual notation.
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"JPY" | b"KRW" | b"VND" | b"CLP" | b"ISK" => 0,
            _ => 2,
        }
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Default for Currency {
    fn default() -> Self {
        Currency::USD
    }
}

/// An amount in minor units (cents) of one currency. Never a float.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Debug)]
pub struct Money {
    pub minor: i64,
    pub currency: Currency,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a price: {0:?}")]
    Amount(String),
    #[error("unknown currency {0:?}")]
    Currency(String),
    #[error("price out of range: {0:?}")]
    Range(String),
}

/// Largest accepted amount, in major units: a hundred million of anything is
/// a data error in a jewelry catalog, not a price.
const MAX_MAJOR: f64 = 100_000_000.0;

impl Money {
    pub fn new(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    pub fn from_major(major: f64, currency: Currency) -> Money {
        let scale = 10f64.powi(currency.exponent() as i32);
        Money { minor: (major * scale).round() as i64, currency }
    }

    /// The amount in major units, for arithmetic that tolerates floats
    /// (ranking, statistics); never for storage.
    pub fn major(&self) -> f64 {
        self.minor as f64 / 10f64.powi(self.currency.exponent() as i32)
    }

    /// Parses a price as written in exports: optional currency symbol or code
    /// before or after, thousands separators (`88,848`, `1.234,56`, `1 234`),
    /// a trailing `k` for thousands. `default` is used when the text names no
    /// currency.
    pub fn parse(text: &str, default: Currency) -> Result<Money, MoneyError> {
        let err = || MoneyError::Amount(text.chars().take(40).collect());
        let mut s = text.trim();
        if s.is_empty() {
            return Err(err());
        }
        let mut currency = None;
        // Leading symbol or code.
        for sym in ["US$", "Rs.", "Rs", "INR", "USD", "EUR", "GBP", "$", "€", "£", "₹"] {
            if let Some(rest) = s.strip_prefix(sym) {
                currency = Some(Currency::parse(sym)?);
                s = rest.trim_start();
                break;
            }
        }
        // Trailing code or symbol.
        if currency.is_none() {
            if let Some((num, code)) = s.rsplit_once(' ') {
                if let Ok(c) = Currency::parse(code) {
                    currency = Some(c);
                    s = num.trim_end();
                }
            }
        }
        if currency.is_none() {
            for sym in ["€", "£", "$", "₹"] {
                if let Some(rest) = s.strip_suffix(sym) {
                    currency = Some(Currency::parse(sym)?);
                    s = rest.trim_end();
                    break;
                }
            }
        }
        let currency = currency.unwrap_or(default);
        let (s, multiplier) = match s.strip_suffix(['k', 'K']) {
            Some(rest) => (rest.trim_end(), 1000.0),
            None => (s, 1.0),
        };
        let normalized = normalize_number(s).ok_or_else(err)?;
        let value: f64 = normalized.parse().map_err(|_| err())?;
        let value = value * multiplier;
        if !value.is_finite() || value.abs() > MAX_MAJOR {
            return Err(MoneyError::Range(text.chars().take(40).collect()));
        }
        Ok(Money::from_major(value, currency))
    }
}

/// Turns `88,848`, `1.234,56`, `1 234.5` and `12,50` into a plain decimal
/// string. Returns `None` for anything that is not a number.
fn normalize_number(s: &str) -> Option<String> {
    let s: String = s.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\'' | '_')).collect();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, s),
    };
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '.') {
        return None;
    }
    if !s.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let last_comma = s.rfind(',');
    let last_dot = s.rfind('.');
    let decimal_sep = match (last_comma, last_dot) {
        (Some(c), Some(d)) => Some(if c > d { ',' } else { '.' }),
        (Some(c), None) => {
            // A single comma followed by exactly three digits is a thousands
            // separator (`88,848`); followed by one or two digits it is a
            // decimal comma (`12,50`).
            let after = s.len() - c - 1;
            if s.matches(',').count() == 1 && after != 3 {
                Some(',')
            } else {
                None
            }
        }
        (None, Some(d)) => {
            let after = s.len() - d - 1;
            if s.matches('.').count() > 1 && after == 3 {
                None
            } else {
                Some('.')
            }
        }
        (None, None) => None,
    };
    let mut out = String::with_capacity(s.len() + 1);
    if neg {
        out.push('-');
    }
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            c if Some(c) == decimal_sep => out.push('.'),
            _ => {}
        }
    }
    if out.matches('.').count() > 1 {
        return None;
    }
    Some(out)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exp = self.currency.exponent();
        if exp == 0 {
            return write!(f, "{} {}", self.minor, self.currency);
        }
        let scale = 10i64.pow(exp);
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        write!(
            f,
            "{sign}{}.{:0width$} {}",
            abs / scale as u64,
            abs % scale as u64,
            self.currency,
            width = exp as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(input: &str, expect: Option<(i64, &str)>) {
        let got = Money::parse(input, Currency::USD).ok().map(|m| (m.minor, m.currency.as_str().to_string()));
        assert_eq!(got, expect.map(|(m, c)| (m, c.to_string())), "input {input:?}");
    }

    #[test]
    fn parses_prices_as_exports_write_them() {
        check("1650.0", Some((165000, "USD")));
        check("88,848", Some((8884800, "USD")));
        check("Rs. 88,848", Some((8884800, "INR")));
        check("$1,234.56", Some((123456, "USD")));
        check("1.234,56 €", Some((123456, "EUR")));
        check("12,50", Some((1250, "USD")));
        check("2k", Some((200000, "USD")));
        check("199 GBP", Some((19900, "GBP")));
        check("1 234", Some((123400, "USD")));
        check("-2.55", Some((-255, "USD")));
        check("", None);
        check("abc", None);
        check("1.2.3", None);
        check("1e400", None);
        check("999999999999", None);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = Money::parse(&s, Currency::USD);
        }

        #[test]
        fn round_trips_plain_amounts(cents in 0i64..10_000_000_000) {
            let text = format!("{}.{:02}", cents / 100, cents % 100);
            let m = Money::parse(&text, Currency::USD).unwrap();
            proptest::prop_assert_eq!(m.minor, cents);
        }
    }
}
