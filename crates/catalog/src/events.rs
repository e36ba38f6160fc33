//! Storefront events from JSON: the one place that decides what a valid event
//! is, shared by `POST /v1/events` and `loupe import events` (JSON Lines).
//!
//! The documented shape is `{"id", "kind", "at", "session_id", "customer_id",
//! "product", "sku", "query", "results", "position", "quantity", "price",
//! "order_id"}` with `at` in Unix milliseconds and `price` as
//! `{"minor": 19900, "currency": "USD"}`. Real senders drift from it, so a few
//! spellings are accepted too: `type` for `kind`, `timestamp` for `at`, `at`
//! as an RFC 3339 string, ids written as numbers, and `price` as a number or
//! string in major units beside an optional `currency`. Everything else about
//! an event is checked: a known kind, a non-empty id, a plausible time, and
//! the fields its kind needs (a product for view, click and add_to_cart, a
//! query for search, something to refer to for purchase and return). Each
//! invalid event gets a one-line reason; nothing here panics on any input.

use std::io::BufRead;

use chrono::DateTime;
use model::{Currency, Event, EventKind, Money};
use serde_json::{Map, Value};

/// Longest accepted event id, session id, customer id, handle, SKU or order id.
pub const MAX_ID_CHARS: usize = 256;
/// Longest accepted query.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most result handles kept on a search event.
pub const MAX_RESULTS: usize = 1000;
/// Longest accepted JSON Lines line, in bytes.
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Latest accepted time: 3000-01-01T00:00:00Z in milliseconds. Anything later
/// is a unit mistake (microseconds, nanoseconds), not a future event.
const MAX_AT_MS: i64 = 32_503_680_000_000;

/// Checks one event and builds it; the error is a reason a person can act on.
pub fn parse_event(value: &Value) -> Result<Event, String> {
    let obj = match value {
        Value::Object(o) => o,
        other => return Err(format!("an event is a JSON object, not {}", kind_of(other))),
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => return Err("`id` is missing".into()),
        Some(v) => id_text("id", v)?.ok_or("`id` is empty")?,
    };
    let kind_value = obj.get("kind").or_else(|| obj.get("type"));
    let kind = match kind_value {
        None | Some(Value::Null) => {
            return Err(
                "`kind` is missing (one of view, search, click, add_to_cart, purchase, return, exposure)"
                    .into(),
            )
        }
        Some(Value::String(s)) => parse_kind(s)?,
        Some(other) => return Err(format!("`kind` must be a string, not {}", kind_of(other))),
    };
    let at = match obj.get("at").or_else(|| obj.get("timestamp")) {
        None | Some(Value::Null) => {
            return Err("`at` is missing (Unix milliseconds or an RFC 3339 time)".into())
        }
        Some(v) => parse_at(v)?,
    };
    let mut event = Event {
        id,
        kind,
        at,
        session_id: optional_id(obj, "session_id")?,
        customer_id: optional_id(obj, "customer_id")?,
        product: optional_id(obj, "product")?,
        sku: optional_id(obj, "sku")?,
        query: None,
        results: Vec::new(),
        position: None,
        quantity: None,
        price: None,
        order_id: optional_id(obj, "order_id")?,
        visitor_id: optional_id(obj, "visitor_id")?,
        exposure: None,
    };
    if event.kind == EventKind::Exposure {
        let experiment = optional_id(obj, "experiment")?
            .ok_or("`experiment` (the experiment's key) is required for an exposure event")?;
        let variation = match obj.get("variation") {
            Some(v) => match v.as_u64() {
                Some(i) if i < 100 => i as u32,
                _ => return Err(format!("`variation` must be a variation index from 0, not {v}")),
            },
            None => {
                return Err("`variation` (the variation's index) is required for an exposure event".into())
            }
        };
        event.exposure = Some(model::Exposure { experiment, variation });
    }
    event.query = match obj.get("query") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => {
            let q = s.trim();
            if q.chars().count() > MAX_QUERY_CHARS {
                return Err(format!("`query` is longer than {MAX_QUERY_CHARS} characters"));
            }
            (!q.is_empty()).then(|| q.to_string())
        }
        Some(other) => return Err(format!("`query` must be a string, not {}", kind_of(other))),
    };
    event.results = match obj.get("results") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            if items.len() > MAX_RESULTS {
                return Err(format!(
                    "`results` holds {} handles; at most {MAX_RESULTS} are accepted",
                    items.len()
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match id_text("results", item) {
                    Ok(Some(h)) => out.push(h),
                    Ok(None) => return Err(format!("`results[{i}]` is empty")),
                    Err(_) => {
                        return Err(format!("`results[{i}]` must be a product handle, not {}", kind_of(item)))
                    }
                }
            }
            out
        }
        Some(other) => return Err(format!("`results` must be an array of handles, not {}", kind_of(other))),
    };
    event.position = match obj.get("position") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(p) if p <= u32::MAX as u64 => Some(p as u32),
            _ => return Err(format!("`position` must be a whole number from 0, not {v}")),
        },
    };
    event.quantity = match obj.get("quantity") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(q) if q.unsigned_abs() <= 1_000_000 => Some(q),
            _ => return Err(format!("`quantity` must be a whole number, not {v}")),
        },
    };
    event.price = parse_price(obj)?;
    check_needs(&event)?;
    Ok(event)
}

/// What one line of a JSON Lines file gave.
#[derive(Clone, Debug, PartialEq)]
pub struct EventLine {
    /// 1-based line number in the file.
    pub line: u64,
    pub event: Result<Event, String>,
}

/// Reads events from JSON Lines, one result per non-blank line, in order. A
/// bad line (not UTF-8, not JSON, an invalid event, longer than
/// [`MAX_LINE_BYTES`]) yields its reason and reading goes on; only an IO error
/// of the reader itself ends the iteration, as an `Err`.
pub fn parse_events_jsonl<R: BufRead>(reader: R) -> EventsReader<R> {
    EventsReader { reader, line: 0, buf: Vec::new(), bytes_read: 0, done: false }
}

pub struct EventsReader<R> {
    reader: R,
    line: u64,
    buf: Vec<u8>,
    bytes_read: u64,
    done: bool,
}

impl<R: BufRead> EventsReader<R> {
    /// Bytes consumed so far (for progress bars).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Reads one line into `buf`, keeping at most `MAX_LINE_BYTES + 1` bytes
    /// of it (so a 1 GB line costs no memory); returns false at the end.
    fn read_line(&mut self) -> std::io::Result<bool> {
        self.buf.clear();
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any);
            }
            any = true;
            let (take, found) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let room = (MAX_LINE_BYTES + 1).saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&chunk[..take.min(room)]);
            self.reader.consume(take);
            self.bytes_read += take as u64;
            if found {
                return Ok(true);
            }
        }
    }
}

impl<R: BufRead> Iterator for EventsReader<R> {
    type Item = std::io::Result<EventLine>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            match self.read_line() {
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(false) => self.done = true,
                Ok(true) => {
                    self.line += 1;
                    let line = self.line;
                    if self.buf.len() > MAX_LINE_BYTES {
                        return Some(Ok(EventLine {
                            line,
                            event: Err(format!("longer than {MAX_LINE_BYTES} bytes")),
                        }));
                    }
                    let text = match std::str::from_utf8(&self.buf) {
                        Ok(t) => t.trim_start_matches('\u{feff}').trim(),
                        Err(e) => {
                            return Some(Ok(EventLine {
                                line,
                                event: Err(format!("not UTF-8 text (byte {})", e.valid_up_to() + 1)),
                            }));
                        }
                    };
                    if text.is_empty() {
                        continue;
                    }
                    let event = match serde_json::from_str::<Value>(text) {
                        Ok(v) => parse_event(&v),
                        Err(e) => Err(format!("not JSON: {e}")),
                    };
                    return Some(Ok(EventLine { line, event }));
                }
            }
        }
        None
    }
}

fn parse_kind(s: &str) -> Result<EventKind, String> {
    let norm: String =
        s.trim().chars().map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() }).collect();
    let norm = match norm.as_str() {
        "addtocart" | "cart" | "add" => "add_to_cart",
        "product_view" | "page_view" => "view",
        "order" => "purchase",
        "refund" => "return",
        other => other,
    };
    EventKind::parse(norm).ok_or_else(|| {
        let shown: String = s.chars().take(40).collect();
        format!("unknown event kind {shown:?} (expected one of view, search, click, add_to_cart, purchase, return, exposure)")
    })
}

fn parse_at(v: &Value) -> Result<i64, String> {
    let ms = match v {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i,
            (None, Some(f)) if f.is_finite() && f.abs() < 1e15 => f as i64,
            _ => return Err(format!("`at` {n} is not a time in Unix milliseconds")),
        },
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 15 {
                s.parse::<i64>().map_err(|_| format!("`at` {s:?} is not a time"))?
            } else {
                match DateTime::parse_from_rfc3339(s) {
                    Ok(t) => t.timestamp_millis(),
                    Err(_) => {
                        let shown: String = s.chars().take(40).collect();
                        return Err(format!(
                            "`at` {shown:?} is not a time (Unix milliseconds or RFC 3339, e.g. 2024-05-01T12:00:00Z)"
                        ));
                    }
                }
            }
        }
        other => {
            return Err(format!(
                "`at` must be Unix milliseconds or an RFC 3339 string, not {}",
                kind_of(other)
            ))
        }
    };
    if ms <= 0 {
        return Err("`at` must be after 1970-01-01 (Unix milliseconds)".into());
    }
    if ms > MAX_AT_MS {
        return Err(format!(
            "`at` {ms} is after the year 3000: is it in micro- or nanoseconds? Send milliseconds"
        ));
    }
    Ok(ms)
}

fn parse_price(obj: &Map<String, Value>) -> Result<Option<Money>, String> {
    let currency = match obj.get("currency") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(Currency::parse(s).map_err(|e| format!("`currency`: {e}"))?),
        Some(other) => {
            return Err(format!("`currency` must be a code such as \"USD\", not {}", kind_of(other)))
        }
    };
    let default = currency.unwrap_or_default();
    let money = match obj.get("price") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(p)) => {
            let minor = p
                .get("minor")
                .and_then(Value::as_i64)
                .ok_or("`price.minor` must be a whole number of minor units (cents)")?;
            let currency = match p.get("currency") {
                None | Some(Value::Null) => default,
                Some(Value::String(s)) => Currency::parse(s).map_err(|e| format!("`price.currency`: {e}"))?,
                // The store's own serialization of a currency: three ASCII bytes.
                Some(Value::Array(bytes)) => {
                    let text: String = bytes
                        .iter()
                        .filter_map(Value::as_u64)
                        .filter_map(|b| char::from_u32(b as u32))
                        .collect();
                    Currency::parse(&text).map_err(|e| format!("`price.currency`: {e}"))?
                }
                Some(other) => {
                    return Err(format!(
                        "`price.currency` must be a code such as \"USD\", not {}",
                        kind_of(other)
                    ))
                }
            };
            Money::new(minor, currency)
        }
        Some(Value::Number(n)) => {
            let major = n
                .as_f64()
                .filter(|f| f.is_finite() && f.abs() < 1e8)
                .ok_or_else(|| format!("`price` {n} is out of range"))?;
            Money::from_major(major, default)
        }
        Some(Value::String(s)) => Money::parse(s, default).map_err(|e| format!("`price`: {e}"))?,
        Some(other) => {
            return Err(format!(
                "`price` must be a number, a string or {{\"minor\", \"currency\"}}, not {}",
                kind_of(other)
            ))
        }
    };
    Ok(Some(money))
}

/// The fields each kind of event cannot do without.
fn check_needs(e: &Event) -> Result<(), String> {
    let kind = e.kind.as_str();
    match e.kind {
        EventKind::View | EventKind::Click | EventKind::AddToCart if e.product.is_none() => {
            Err(format!("`product` (the product's handle) is required for a {kind} event"))
        }
        EventKind::Search if e.query.is_none() => Err("`query` is required for a search event".into()),
        EventKind::Exposure if e.unit_id().is_none() => {
            Err("an exposure event needs `visitor_id` or `customer_id` (who was shown the variation)".into())
        }
        EventKind::Purchase | EventKind::Return
            if e.product.is_none() && e.sku.is_none() && e.order_id.is_none() =>
        {
            Err(format!("a {kind} event needs `product`, `sku` or `order_id`"))
        }
        _ => Ok(()),
    }
}

/// An id-like field: a string (trimmed) or a whole number (`17850`, `17850.0`).
fn id_text(field: &str, v: &Value) -> Result<Option<String>, String> {
    let text = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", f as i64),
            _ => return Err(format!("`{field}` must be a string or a whole number, not {n}")),
        },
        other => return Err(format!("`{field}` must be a string, not {}", kind_of(other))),
    };
    if text.chars().count() > MAX_ID_CHARS {
        return Err(format!("`{field}` is longer than {MAX_ID_CHARS} characters"));
    }
    Ok((!text.is_empty()).then_some(text))
}

fn optional_id(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => id_text(field, v),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `expect`: `Ok(())` for a valid event, or a fragment of the reason.
    #[track_caller]
    fn check(event: Value, expect: Result<(), &str>) {
        match (parse_event(&event), expect) {
            (Ok(_), Ok(())) => {}
            (Err(reason), Err(fragment)) => {
                assert!(reason.contains(fragment), "{event}: {reason:?} lacks {fragment:?}")
            }
            (got, _) => panic!("{event}: unexpected {got:?}"),
        }
    }

    const T: i64 = 1_700_000_000_000;

    #[test]
    fn accepts_the_documented_shape_and_common_drift() {
        check(json!({"id": "e1", "kind": "view", "at": T, "product": "pearl-studs"}), Ok(()));
        check(json!({"id": "e1", "type": "view", "at": T, "product": "pearl-studs"}), Ok(()));
        check(json!({"id": 17, "kind": "view", "at": T, "product": "p"}), Ok(()));
        check(json!({"id": "e1", "kind": "view", "at": "2024-05-01T12:00:00Z", "product": "p"}), Ok(()));
        check(
            json!({"id": "e1", "kind": "view", "at": "2024-05-01T12:00:00.250+02:00", "product": "p"}),
            Ok(()),
        );
        check(json!({"id": "e1", "kind": "view", "timestamp": T, "product": "p"}), Ok(()));
        check(json!({"id": "e1", "kind": "view", "at": T.to_string(), "product": "p"}), Ok(()));
        check(
            json!({"id": "e1", "kind": "Add-To-Cart", "at": T, "product": "p", "sku": "S1", "quantity": 1}),
            Ok(()),
        );
        check(
            json!({"id": "e1", "kind": "search", "at": T, "query": "dainty gold necklace", "results": ["a", "b"]}),
            Ok(()),
        );
        check(
            json!({"id": "e1", "kind": "click", "at": T, "product": "a", "query": "q", "position": 0}),
            Ok(()),
        );
        check(json!({"id": "e1", "kind": "purchase", "at": T, "order_id": "LP1"}), Ok(()));
        check(json!({"id": "e1", "kind": "return", "at": T, "sku": "S1", "quantity": 1}), Ok(()));
        check(
            json!({"id": "e1", "kind": "purchase", "at": T, "sku": "S", "price": {"minor": 19900, "currency": "USD"}}),
            Ok(()),
        );
        check(
            json!({"id": "e1", "kind": "purchase", "at": T, "sku": "S", "price": 199.0, "currency": "EUR"}),
            Ok(()),
        );
        check(json!({"id": "e1", "kind": "purchase", "at": T, "sku": "S", "price": "$199.00"}), Ok(()));
        check(json!({"id": "e1", "kind": "view", "at": T, "product": "p", "unknown_field": [1, 2]}), Ok(()));
    }

    #[test]
    fn rejects_with_a_reason() {
        check(json!(42), Err("not a number"));
        check(json!([1]), Err("JSON object, not an array"));
        check(json!({"kind": "view", "at": T, "product": "p"}), Err("`id` is missing"));
        check(json!({"id": "  ", "kind": "view", "at": T, "product": "p"}), Err("`id` is empty"));
        check(json!({"id": {"a": 1}, "kind": "view", "at": T, "product": "p"}), Err("`id` must be a string"));
        check(
            json!({"id": "x".repeat(300), "kind": "view", "at": T, "product": "p"}),
            Err("longer than 256"),
        );
        check(json!({"id": "e", "at": T, "product": "p"}), Err("`kind` is missing"));
        check(json!({"id": "e", "kind": "teleport", "at": T}), Err("unknown event kind \"teleport\""));
        check(json!({"id": "e", "kind": 3, "at": T}), Err("`kind` must be a string"));
        check(json!({"id": "e", "kind": "view", "product": "p"}), Err("`at` is missing"));
        check(json!({"id": "e", "kind": "view", "at": -5, "product": "p"}), Err("after 1970"));
        check(json!({"id": "e", "kind": "view", "at": "yesterday", "product": "p"}), Err("is not a time"));
        check(
            json!({"id": "e", "kind": "view", "at": "2024-13-45T00:00:00Z", "product": "p"}),
            Err("is not a time"),
        );
        check(
            json!({"id": "e", "kind": "view", "at": T * 1000, "product": "p"}),
            Err("micro- or nanoseconds"),
        );
        check(json!({"id": "e", "kind": "view", "at": true, "product": "p"}), Err("not a boolean"));
        check(
            json!({"id": "e", "kind": "view", "at": T}),
            Err("`product` (the product's handle) is required for a view"),
        );
        check(json!({"id": "e", "kind": "click", "at": T, "product": ""}), Err("required for a click"));
        check(
            json!({"id": "e", "kind": "add_to_cart", "at": T, "sku": "S"}),
            Err("required for a add_to_cart"),
        );
        check(json!({"id": "e", "kind": "search", "at": T}), Err("`query` is required"));
        check(json!({"id": "e", "kind": "search", "at": T, "query": "   "}), Err("`query` is required"));
        check(json!({"id": "e", "kind": "search", "at": T, "query": 5}), Err("`query` must be a string"));
        check(
            json!({"id": "e", "kind": "search", "at": T, "query": "q", "results": "a,b"}),
            Err("array of handles"),
        );
        check(
            json!({"id": "e", "kind": "search", "at": T, "query": "q", "results": ["a", null]}),
            Err("`results[1]`"),
        );
        check(json!({"id": "e", "kind": "purchase", "at": T}), Err("needs `product`, `sku` or `order_id`"));
        check(
            json!({"id": "e", "kind": "click", "at": T, "product": "p", "position": -1}),
            Err("`position`"),
        );
        check(
            json!({"id": "e", "kind": "click", "at": T, "product": "p", "position": 1.5}),
            Err("`position`"),
        );
        check(
            json!({"id": "e", "kind": "purchase", "at": T, "sku": "S", "quantity": "two"}),
            Err("`quantity`"),
        );
        check(json!({"id": "e", "kind": "purchase", "at": T, "sku": "S", "price": "lots"}), Err("`price`"));
        check(
            json!({"id": "e", "kind": "purchase", "at": T, "sku": "S", "price": {"minor": "x"}}),
            Err("`price.minor`"),
        );
        check(
            json!({"id": "e", "kind": "purchase", "at": T, "sku": "S", "price": 1, "currency": "dollars"}),
            Err("`currency`"),
        );
    }

    #[test]
    fn values_come_out_normalized() {
        let e = parse_event(&json!({"id": 17850.0, "kind": "purchase", "at": "2024-05-01T12:00:00.5Z",
            "customer_id": 17850, "sku": " S1 ", "price": {"minor": 1999, "currency": "usd"}, "quantity": 2}))
        .unwrap();
        assert_eq!(e.id, "17850");
        assert_eq!(e.customer_id.as_deref(), Some("17850"));
        assert_eq!(e.sku.as_deref(), Some("S1"));
        assert_eq!(e.at, 1_714_564_800_500);
        assert_eq!(e.price, Some(Money::new(1999, Currency::USD)));
        assert_eq!(e.quantity, Some(2));
        let e = parse_event(
            &json!({"id": "a", "kind": "purchase", "at": T, "sku": "S", "price": 12.5, "currency": "GBP"}),
        )
        .unwrap();
        assert_eq!(e.price, Some(Money::new(1250, Currency::GBP)));
        // A stored event (the model's own serialization) reads back as itself.
        let stored = serde_json::to_value(&e).unwrap();
        assert_eq!(parse_event(&stored).unwrap(), e);
    }

    #[test]
    fn jsonl_rejects_bad_lines_by_number_and_keeps_the_rest() {
        let text = format!(
            "{}\n\nnot json\n{}\n\u{feff}{}\n{}",
            json!({"id": "a", "kind": "view", "at": T, "product": "p"}),
            json!({"id": "b", "kind": "teleport", "at": T}),
            json!({"id": "c", "kind": "search", "at": T, "query": "hoops"}),
            json!({"id": "d", "kind": "view", "at": T, "product": "q"}),
        );
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\n\xff\xfe\n");
        let lines: Vec<EventLine> = parse_events_jsonl(&bytes[..]).map(|l| l.unwrap()).collect();
        let summary: Vec<(u64, bool)> = lines.iter().map(|l| (l.line, l.event.is_ok())).collect();
        assert_eq!(summary, [(1, true), (3, false), (4, false), (5, true), (6, true), (7, false)]);
        assert!(lines[1].event.as_ref().unwrap_err().starts_with("not JSON"));
        assert!(lines[2].event.as_ref().unwrap_err().contains("teleport"));
        assert!(lines[5].event.as_ref().unwrap_err().contains("not UTF-8"));
    }

    #[test]
    fn a_huge_line_is_rejected_without_being_held() {
        let mut bytes = vec![b'x'; MAX_LINE_BYTES * 3];
        bytes.push(b'\n');
        bytes.extend_from_slice(
            json!({"id": "a", "kind": "view", "at": T, "product": "p"}).to_string().as_bytes(),
        );
        let mut reader = parse_events_jsonl(&bytes[..]);
        let first = reader.next().unwrap().unwrap();
        assert!(first.event.unwrap_err().contains("longer than"));
        assert!(reader.buf.capacity() <= MAX_LINE_BYTES * 2);
        let second = reader.next().unwrap().unwrap();
        assert_eq!((second.line, second.event.is_ok()), (2, true));
        assert!(reader.next().is_none());
    }

    fn arb_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            "\\PC{0,20}".prop_map(Value::String),
            prop_oneof![
                Just("view"),
                Just("search"),
                Just("click"),
                Just("purchase"),
                Just("2024-01-01T00:00:00Z")
            ]
            .prop_map(|s| Value::String(s.into())),
        ];
        leaf.prop_recursive(3, 32, 8, |inner| {
            let keys = prop_oneof![
                Just("id"),
                Just("kind"),
                Just("type"),
                Just("at"),
                Just("product"),
                Just("query"),
                Just("results"),
                Just("price"),
                Just("currency"),
                Just("position"),
                Just("quantity"),
                Just("minor"),
                Just("sku")
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(keys.prop_map(String::from), inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_json(v in arb_json()) {
            let _ = parse_event(&v);
        }

        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            for line in parse_events_jsonl(&bytes[..]) {
                let line = line.unwrap();
                proptest::prop_assert!(line.line >= 1);
            }
        }

        #[test]
        fn valid_events_round_trip(id in "[a-z0-9]{1,12}", at in 1i64..MAX_AT_MS, q in "[a-z ]{0,5}[a-z]{1,10}") {
            let e = parse_event(&json!({"id": id, "kind": "search", "at": at, "query": q})).unwrap();
            proptest::prop_assert_eq!(e.at, at);
            proptest::prop_assert_eq!(e.query.as_deref(), Some(q.trim()));
        }
    }
}
