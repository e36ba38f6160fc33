//! The decision log's use cases (issue 18, first part): reading, exporting
//! and verifying the store's hash-chained record of automated decisions and
//! of the people who decided after them.
//!
//! A customer is never named in the log: subjects use a pseudonym, HMAC-SHA256
//! of the id under the store's own `pseudonym` secret (`customer:` and 16 hex
//! digits), so the log can be read and exported without personal data, and a
//! query for `customer:C0001` finds their entries by computing the same
//! pseudonym. Inputs are minimised by the code that records them: ids of
//! orders and products, never addresses or names.
//!
//! What is recorded today: the care outbox's decisions (each message queued or
//! suppressed, with the plan's reason, in the transaction that queues it; each
//! final delivery outcome), and every person's decision the audit table
//! records (replenishment approvals and edits, support replies and intent
//! corrections, forgetting a customer).

use std::io::{BufRead, Write};

use hmac::{Hmac, Mac};
use sha2::Sha256;
use store::{Decision, NewDecision};

use crate::error::{Code, Error, Result};
use crate::wire::decisions::{DecisionOut, DecisionsPage, VerifyOut};
use crate::App;

/// The subject of a customer: their pseudonym.
pub fn customer_subject(key: &[u8], customer: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(customer.as_bytes());
    format!("customer:{}", &hex::encode(mac.finalize().into_bytes())[..16])
}

/// The key pseudonyms are made with.
pub fn pseudonym_key(app: &App) -> Result<Vec<u8>> {
    Ok(app.store.secret("pseudonym")?)
}

/// What to read: every field optional.
#[derive(Clone, Debug, Default)]
pub struct Query {
    pub kind: Option<String>,
    /// `customer:ID` (turned into the pseudonym), `order:ID`, `sku:SKU`, ...
    pub subject: Option<String>,
    /// Unix milliseconds, inclusive.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

impl Query {
    /// Reads `from` and `to` as dates (`to` takes the whole day) or RFC 3339.
    pub fn parse(
        kind: Option<&str>,
        subject: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Query> {
        let when = |field: &str, s: &str, end: bool| -> Result<i64> {
            if let Ok(d) = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
                let d = if end { d + chrono::Duration::days(1) } else { d };
                let ms = d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis();
                return Ok(if end { ms - 1 } else { ms });
            }
            catalog::parse_datetime(s).map(|secs| secs * 1000).ok_or_else(|| {
                Error::new(
                    Code::InvalidQuery,
                    format!("`{field}` {s:?} is not a date (YYYY-MM-DD or RFC 3339)"),
                )
            })
        };
        let nonempty = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        Ok(Query {
            kind: nonempty(kind),
            subject: nonempty(subject),
            from_ms: from.filter(|s| !s.trim().is_empty()).map(|s| when("from", s, false)).transpose()?,
            to_ms: to.filter(|s| !s.trim().is_empty()).map(|s| when("to", s, true)).transpose()?,
        })
    }

    fn matcher(&self, app: &App) -> Result<impl Fn(&Decision) -> bool + '_> {
        let subject = match self.subject.as_deref() {
            Some(s) => match s.strip_prefix("customer:") {
                Some(id) if !(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())) => {
                    Some(customer_subject(&pseudonym_key(app)?, id))
                }
                _ => Some(s.to_string()),
            },
            None => None,
        };
        Ok(move |d: &Decision| {
            self.kind.as_deref().is_none_or(|k| d.kind == k)
                && subject.as_deref().is_none_or(|s| d.subject == s)
                && self.from_ms.is_none_or(|f| d.at_ms >= f)
                && self.to_ms.is_none_or(|t| d.at_ms <= t)
        })
    }
}

/// A page of matching entries, newest first.
pub fn list(app: &App, q: &Query, offset: usize, limit: usize) -> Result<DecisionsPage> {
    let matches = q.matcher(app)?;
    let mut all: Vec<Decision> = Vec::new();
    app.store.for_each_decision(|d| {
        if matches(&d) {
            all.push(d);
        }
        true
    })?;
    all.reverse();
    let total = all.len();
    let items: Vec<DecisionOut> = all.into_iter().skip(offset).take(limit).map(out_of).collect();
    Ok(DecisionsPage {
        next_cursor: crate::wire::http::Cursor::after(offset, items.len(), total).map(|c| c.encode()),
        items,
        total,
        limit,
        offset,
    })
}

/// Writes matching entries as JSON Lines, oldest first, exactly as stored
/// (so `verify_export` can check a full export); returns how many.
pub fn export(app: &App, q: &Query, out: &mut dyn Write) -> Result<u64> {
    let matches = q.matcher(app)?;
    let mut n = 0;
    let mut failed = None;
    app.store.for_each_decision(|d| {
        if !matches(&d) {
            return true;
        }
        let line = serde_json::to_string(&d).unwrap_or_default();
        if let Err(e) = writeln!(out, "{line}") {
            failed = Some(e);
            return false;
        }
        n += 1;
        true
    })?;
    match failed {
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(n),
        Some(e) => Err(Error::internal(e)),
        None => Ok(n),
    }
}

/// Verifies the store's chain.
pub fn verify(app: &App) -> Result<VerifyOut> {
    Ok(verify_out(app.store.verify_decisions()?, "the store"))
}

/// Verifies a full export (JSON Lines of entries, oldest first); a line that
/// does not read is named.
pub fn verify_export(input: impl BufRead, name: &str) -> Result<VerifyOut> {
    let mut entries = Vec::new();
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| Error::new(Code::InvalidQuery, format!("{name}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let d: Decision = serde_json::from_str(&line).map_err(|e| {
            Error::new(Code::InvalidQuery, format!("{name}, line {}: not a log entry ({e})", i + 1))
        })?;
        entries.push(d);
    }
    Ok(verify_out(store::verify_entries(entries), name))
}

fn verify_out(v: store::Verified, what: &str) -> VerifyOut {
    VerifyOut {
        source: what.to_string(),
        entries: v.entries,
        ok: v.first_broken.is_none(),
        first_broken: v.first_broken.as_ref().map(|b| b.0),
        problem: v.first_broken.map(|b| b.1),
    }
}

fn out_of(d: Decision) -> DecisionOut {
    let json = |s: &str| serde_json::from_str(s).unwrap_or(serde_json::Value::String(s.to_string()));
    DecisionOut {
        at: chrono::DateTime::from_timestamp_millis(d.at_ms)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        inputs: json(&d.inputs),
        output: json(&d.output),
        reasons: json(&d.reasons),
        seq: d.seq,
        id: d.id,
        kind: d.kind,
        subject: d.subject,
        version: d.version,
        actor: d.actor,
        override_by: d.override_by,
        override_why: d.override_why,
        prev_hash: d.prev_hash,
        hash: d.hash,
    }
}

/// A care message's decision (queued or suppressed) for the log.
pub(crate) fn care_message(key: &[u8], version: &str, at_ms: i64, m: &model::OutboxMessage) -> NewDecision {
    let subject = match &m.customer_id {
        Some(c) => customer_subject(key, c),
        None => format!("order:{}", m.order_id),
    };
    let queued = m.status == model::OutboxStatus::Pending;
    let mut reasons = vec![serde_json::json!({"signal": "plan", "detail": m.why})];
    if let Some(r) = &m.reason {
        reasons.push(serde_json::json!({"signal": r, "detail": suppression_words(r)}));
    }
    NewDecision {
        at_ms,
        kind: "care_message".into(),
        subject,
        version: version.to_string(),
        inputs: serde_json::json!({"order": m.order_id, "sku": m.sku, "topic": m.topic, "channel": m.channel, "message": m.id})
            .to_string(),
        output: serde_json::json!({"status": if queued { "queued" } else { "suppressed" }, "reason": m.reason, "due_ms": m.due_ms})
            .to_string(),
        reasons: serde_json::Value::Array(reasons).to_string(),
        actor: "loupe".into(),
        override_by: None,
        override_why: None,
    }
}

/// A care message's delivery outcome for the log.
pub(crate) fn care_delivery(key: &[u8], at_ms: i64, m: &model::OutboxMessage) -> NewDecision {
    let subject = match &m.customer_id {
        Some(c) => customer_subject(key, c),
        None => format!("order:{}", m.order_id),
    };
    let last = m.attempts.last();
    NewDecision {
        at_ms,
        kind: "care_delivery".into(),
        subject,
        version: "outbox".into(),
        inputs: serde_json::json!({"message": m.id, "topic": m.topic, "channel": m.channel}).to_string(),
        output: serde_json::json!({
            "status": m.status.as_str(),
            "attempts": m.attempts.iter().filter(|a| a.transport != "requeued").count(),
            "transport": last.map(|a| a.transport.clone()),
            "code": last.and_then(|a| a.code),
        })
        .to_string(),
        reasons: match &m.reason {
            Some(r) => serde_json::json!([{"signal": r, "detail": suppression_words(r)}]).to_string(),
            None => "[]".into(),
        },
        actor: "loupe".into(),
        override_by: None,
        override_why: None,
    }
}

fn suppression_words(reason: &str) -> &'static str {
    match reason.split(':').next().unwrap_or(reason) {
        "returned" => "the line was returned or cancelled",
        "no_customer" => "a guest order: no one to write to",
        "forgotten" => "the customer asked to be forgotten",
        "no_consent" => "no consent for the channel at the send time",
        "open_complaint" => "the customer has an open complaint",
        "paused" => "the customer has an open support case",
        "frequency_cap" => "two messages in seven days already",
        _ => "delivery failed",
    }
}
