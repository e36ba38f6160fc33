//! Support tickets from a help desk's export: JSON Lines (the demo brand's
//! `tickets.jsonl`, and any export whose keys are the field names) or CSV.
//!
//! Fields: `id`, `created_at`, `customer_id`, `order_id`, `channel`,
//! `subject`, `body` (the customer's first message), `status` (`open` or
//! `closed`), and `messages`, the later thread as a JSON list of
//! `{"at", "from": "customer"|"agent", "body", "author"}`. A file whose
//! names differ maps them with `field=column` pairs (`--map`). A line that
//! cannot be read is reported with its number and why, and the others are
//! kept.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use model::{Ticket, TicketMessage};
use serde_json::Value;

use crate::orders::parse_datetime;

/// The fields a mapping may name.
pub const FIELDS: &[&str] =
    &["id", "created_at", "customer_id", "order_id", "channel", "subject", "body", "status", "messages"];

/// One line's result.
pub type Line = (u64, Result<Ticket, String>);

/// Reads `field=column` pairs; an unknown field is an error naming the
/// known ones.
pub fn parse_mapping(pairs: &[String]) -> Result<HashMap<String, String>, String> {
    let mut out = HashMap::new();
    for pair in pairs {
        let Some((field, column)) = pair.split_once('=') else {
            return Err(format!("--map {pair:?}: write field=column, e.g. body=Message"));
        };
        let field = field.trim();
        if !FIELDS.contains(&field) {
            return Err(format!(
                "--map {pair:?}: {field:?} is not a ticket field; the fields are {}",
                FIELDS.join(", ")
            ));
        }
        out.insert(field.to_string(), column.trim().to_string());
    }
    Ok(out)
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn time(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().map(|n| if n > 100_000_000_000 { n / 1000 } else { n }),
        Value::String(s) => parse_datetime(s),
        _ => None,
    }
}

/// Builds a ticket from one record whose keys are already the field names.
pub fn from_record(get: &dyn Fn(&str) -> Option<Value>) -> Result<Ticket, String> {
    let id = text(get("id").as_ref()).ok_or("no `id`")?;
    let created = get("created_at");
    let created_at = time(created.as_ref()).ok_or_else(|| match &created {
        None | Some(Value::Null) => "no `created_at`".to_string(),
        Some(v) => format!("`created_at` {v} is not a date"),
    })?;
    let body = text(get("body").as_ref());
    let subject = text(get("subject").as_ref()).unwrap_or_default();
    let mut messages = Vec::new();
    if let Some(b) = body {
        messages.push(TicketMessage { at: created_at, from: "customer".into(), body: b, author: None });
    }
    match get("messages") {
        None | Some(Value::Null) => {}
        Some(Value::Array(list)) => {
            for (i, m) in list.iter().enumerate() {
                let at = time(m.get("at"))
                    .ok_or_else(|| format!("`messages[{i}].at` is missing or not a date"))?;
                let from = text(m.get("from")).unwrap_or_else(|| "customer".into());
                if from != "customer" && from != "agent" {
                    return Err(format!("`messages[{i}].from` is {from:?}; use customer or agent"));
                }
                let body = text(m.get("body")).ok_or_else(|| format!("`messages[{i}].body` is empty"))?;
                messages.push(TicketMessage { at, from, body, author: text(m.get("author")) });
            }
        }
        Some(Value::String(s)) if s.trim().is_empty() => {}
        Some(Value::String(s)) => {
            let parsed: Value =
                serde_json::from_str(&s).map_err(|e| format!("`messages` is not a JSON list: {e}"))?;
            return from_record(&|k| if k == "messages" { Some(parsed.clone()) } else { get(k) });
        }
        Some(other) => return Err(format!("`messages` is {other}, not a list")),
    }
    if messages.is_empty() && subject.is_empty() {
        return Err("no `subject`, `body` or `messages`: nothing the customer said".into());
    }
    messages.sort_by_key(|m| m.at);
    let status = text(get("status").as_ref()).unwrap_or_else(|| "open".into()).to_lowercase();
    let status = match status.as_str() {
        "open" | "new" | "pending" | "waiting" => "open",
        "closed" | "solved" | "resolved" | "done" => "closed",
        other => return Err(format!("`status` {other:?} is neither open nor closed")),
    };
    Ok(Ticket {
        id,
        created_at,
        customer_id: text(get("customer_id").as_ref()),
        order_id: text(get("order_id").as_ref()).map(|o| o.trim_start_matches('#').to_string()),
        channel: text(get("channel").as_ref()).unwrap_or_else(|| "email".into()),
        contact: None,
        subject,
        messages,
        status: status.into(),
        corrected_intent: None,
        corrected_by: None,
        corrected_at: None,
    })
}

/// Reads JSON Lines; blank lines are skipped.
pub fn read_jsonl<R: BufRead>(
    input: R,
    mapping: &HashMap<String, String>,
) -> impl Iterator<Item = std::io::Result<Line>> {
    let mapping = mapping.clone();
    input.lines().enumerate().filter_map(move |(i, line)| {
        let n = i as u64 + 1;
        let line = match line {
            Ok(l) => l,
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Some(Ok((n, Err("not UTF-8 text".into()))))
            }
            Err(e) => return Some(Err(e)),
        };
        if line.trim().is_empty() {
            return None;
        }
        let parsed =
            serde_json::from_str::<Value>(&line).map_err(|e| format!("not JSON: {e}")).and_then(|v| {
                if !v.is_object() {
                    return Err("not a JSON object".into());
                }
                from_record(&|k| v.get(mapping.get(k).map_or(k, String::as_str)).cloned())
            });
        Some(Ok((n, parsed)))
    })
}

/// Reads CSV with a header; columns are the field names or mapped.
pub fn read_csv<R: Read>(input: R, mapping: &HashMap<String, String>) -> Result<Vec<Line>, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers = reader.headers().map_err(|e| format!("the header cannot be read: {e}"))?.clone();
    let index: HashMap<&str, usize> = FIELDS
        .iter()
        .filter_map(|f| {
            let want = mapping.get(*f).map_or(*f, String::as_str);
            headers.iter().position(|h| h.trim().eq_ignore_ascii_case(want)).map(|i| (*f, i))
        })
        .collect();
    for (field, column) in mapping {
        if !index.contains_key(field.as_str()) {
            return Err(format!("--map {field}={column}: the header has no column {column:?}"));
        }
    }
    if !index.contains_key("id") {
        return Err(format!(
            "no `id` column; map one with --map id=COLUMN (the header has: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                let got = from_record(&|k| {
                    index.get(k).and_then(|i| r.get(*i)).map(|s| Value::String(s.to_string()))
                });
                out.push((line, got));
            }
            Err(e) => out.push((e.position().map_or(0, |p| p.line()), Err(e.to_string()))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_demo_shape_and_later_messages() {
        let text = concat!(
            r#"{"body":"Where is #LP100018?","channel":"email","created_at":"2023-01-09T16:33:32Z","customer_id":"C1","id":"T2","order_id":"LP100018","subject":"Where is my order?","status":"closed","messages":[{"at":"2023-01-09T18:00:00Z","from":"agent","body":"It shipped today.","author":"Sam"}]}"#,
            "\n\n",
            r#"{"id":"T3","created_at":"yesterday","body":"hi"}"#,
            "\n",
            r#"{"id":"T4","created_at":1673000000,"subject":"Hello","messages":[{"at":1673000100,"from":"robot","body":"x"}]}"#,
            "\n",
        );
        let lines: Vec<Line> = read_jsonl(text.as_bytes(), &HashMap::new()).map(Result::unwrap).collect();
        let t = lines[0].1.as_ref().unwrap();
        assert_eq!((t.id.as_str(), t.status.as_str(), t.messages.len()), ("T2", "closed", 2));
        assert_eq!(t.first_response_at(), Some(t.created_at + 5188));
        assert_eq!(lines[1].0, 3);
        assert!(lines[1].1.as_ref().unwrap_err().contains("`created_at`"));
        assert!(lines[2].1.as_ref().unwrap_err().contains("robot"));
    }

    #[test]
    fn csv_with_a_mapping_names_missing_columns() {
        let csv = "Ticket,When,Text\nA1,2024-01-02 10:00,My ring is too big\n";
        let m = parse_mapping(&["id=Ticket".into(), "created_at=When".into(), "body=Text".into()]).unwrap();
        let rows = read_csv(csv.as_bytes(), &m).unwrap();
        assert_eq!(rows[0].1.as_ref().unwrap().messages[0].body, "My ring is too big");
        let err = read_csv(csv.as_bytes(), &HashMap::new()).unwrap_err();
        assert!(err.contains("--map id=COLUMN"), "{err}");
        assert!(parse_mapping(&["text=Body".into()]).unwrap_err().contains("not a ticket field"));
    }

    proptest::proptest! {
        #[test]
        fn any_line_is_a_ticket_or_a_reason(line in "\\PC{0,200}") {
            let _ = read_jsonl(line.as_bytes(), &HashMap::new()).count();
            let _ = read_csv(format!("id,created_at,body\n{line}\n").as_bytes(), &HashMap::new());
        }
    }
}
