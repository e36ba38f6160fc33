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
//! Retention: `prune` removes entries older than a cutoff and leaves a
//! signed checkpoint in their place (see `store::Checkpoint`); verification
//! then starts from it. A full export begins with the checkpoint's line
//! (`{"checkpoint": ...}`) so that the file verifies on its own too.
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
use crate::wire::decisions::{CheckpointOut, DecisionOut, DecisionsPage, PruneOut, VerifyOut};
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

    /// Whether the query matches every entry (a full export).
    pub fn is_everything(&self) -> bool {
        self.kind.is_none() && self.subject.is_none() && self.from_ms.is_none() && self.to_ms.is_none()
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
    if q.is_everything() {
        if let Some(cp) = app.store.decision_checkpoint()? {
            let line = serde_json::json!({ "checkpoint": cp });
            if let Err(e) = writeln!(out, "{line}") {
                return if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(0)
                } else {
                    Err(Error::internal(e))
                };
            }
        }
    }
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

/// Verifies the store's chain (from its checkpoint, whose signature is
/// checked, when the log was pruned).
pub fn verify(app: &App) -> Result<VerifyOut> {
    Ok(verify_out(app.store.verify_decisions()?, "the store"))
}

/// Verifies a full export (JSON Lines of entries, oldest first, after the
/// checkpoint's line when the log was pruned); a line that does not read is
/// named. The checkpoint's signature needs the store's secret, so a file
/// alone is checked from the checkpoint on and says it did not check it.
pub fn verify_export(input: impl BufRead, name: &str) -> Result<VerifyOut> {
    #[derive(serde::Deserialize)]
    struct CheckpointLine {
        checkpoint: store::Checkpoint,
    }
    let mut entries = Vec::new();
    let mut checkpoint = None;
    for (i, line) in input.lines().enumerate() {
        let line = line.map_err(|e| Error::new(Code::InvalidQuery, format!("{name}: {e}")))?;
        if line.trim().is_empty() {
            continue;
        }
        if entries.is_empty() && checkpoint.is_none() && line.trim_start().starts_with("{\"checkpoint\"") {
            let cp: CheckpointLine = serde_json::from_str(&line).map_err(|e| {
                Error::new(Code::InvalidQuery, format!("{name}, line {}: not a checkpoint ({e})", i + 1))
            })?;
            checkpoint = Some(cp.checkpoint);
            continue;
        }
        let d: Decision = serde_json::from_str(&line).map_err(|e| {
            Error::new(Code::InvalidQuery, format!("{name}, line {}: not a log entry ({e})", i + 1))
        })?;
        entries.push(d);
    }
    Ok(verify_out(store::verify_entries(entries, checkpoint.as_ref()), name))
}

/// Removes the entries recorded before `before_ms` (never the newest) and
/// leaves a signed checkpoint; the prune itself is then recorded in the log,
/// by `actor`.
pub fn prune(app: &App, before_ms: i64, actor: &str) -> Result<PruneOut> {
    let before_count = app.store.decision_count()?;
    let now = app.clock.now_ms();
    let made = app.store.prune_decisions(before_ms, now)?;
    let kept = app.store.decision_count()?;
    let removed = before_count - kept;
    if let Some(cp) = &made {
        app.store.append_decisions(&[NewDecision {
            at_ms: now,
            kind: "decision_log_prune".into(),
            subject: "decision_log".into(),
            version: "retention".into(),
            inputs: serde_json::json!({ "before": rfc3339(before_ms) }).to_string(),
            output: serde_json::json!({ "removed": removed, "through_seq": cp.through_seq }).to_string(),
            reasons: "[]".into(),
            actor: actor.to_string(),
            ..NewDecision::default()
        }])?;
    }
    let checkpoint = match made {
        Some(cp) => Some(cp),
        None => app.store.decision_checkpoint()?,
    };
    Ok(PruneOut { removed, kept: app.store.decision_count()?, checkpoint: checkpoint.map(checkpoint_out) })
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn checkpoint_out(cp: store::Checkpoint) -> CheckpointOut {
    CheckpointOut {
        through_seq: cp.through_seq,
        hash: cp.hash,
        pruned: cp.pruned,
        at: rfc3339(cp.at_ms),
        before: rfc3339(cp.before_ms),
        signature: cp.signature,
    }
}

fn verify_out(v: store::Verified, what: &str) -> VerifyOut {
    let signature_state = v.checkpoint.as_ref().map(|_| {
        match v.signature_ok {
            Some(true) => "verified",
            Some(false) => "does_not_match",
            None => "not_checked",
        }
        .to_string()
    });
    VerifyOut {
        source: what.to_string(),
        entries: v.entries,
        ok: v.first_broken.is_none(),
        first_broken: v.first_broken.as_ref().map(|b| b.0),
        problem: v.first_broken.map(|b| b.1),
        checkpoint: v.checkpoint.map(checkpoint_out),
        checkpoint_signature: signature_state,
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

// ---- storefront decisions, sampled ------------------------------------------

/// How often the storefront's decisions (searches changed by a merchandising
/// rule, recommendations shown, experiment assignments) are recorded: a
/// fraction from 0 to 1 (`settings/decision_log`, `loupe audit sampling`).
/// Support triage and care messages are always recorded.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Sampling {
    pub rate: f64,
}

/// One in a hundred by default: at a thousand requests a second, ten
/// entries a second.
impl Default for Sampling {
    fn default() -> Sampling {
        Sampling { rate: 0.01 }
    }
}

const SAMPLING: (&str, &str) = ("settings", "decision_log");

pub fn sampling(app: &App) -> Result<Sampling> {
    Ok(match app.store.get_doc(SAMPLING.0, SAMPLING.1)? {
        Some(json) => serde_json::from_str(&json).unwrap_or_default(),
        None => Sampling::default(),
    })
}

pub fn set_sampling(app: &App, rate: f64) -> Result<Sampling> {
    if !(0.0..=1.0).contains(&rate) {
        return Err(Error::new(
            Code::InvalidQuery,
            format!("the sampling rate {rate} is not between 0 and 1"),
        ));
    }
    let s = Sampling { rate };
    app.store.put_doc(SAMPLING.0, SAMPLING.1, &serde_json::to_string(&s).map_err(Error::internal)?)?;
    Ok(s)
}

/// Whether this one is in the sample.
fn sampled(app: &App) -> bool {
    let rate = sampling(app).map(|s| s.rate).unwrap_or(0.0);
    if rate <= 0.0 {
        return false;
    }
    let mut b = [0u8; 4];
    let _ = getrandom::getrandom(&mut b);
    (u32::from_le_bytes(b) as f64) < rate * (u32::MAX as f64 + 1.0)
}

/// Records `make()` when sampled; a failure to record is logged, never the
/// request's failure.
fn record_sampled(app: &App, make: impl FnOnce() -> NewDecision) {
    if sampled(app) {
        record(app, make());
    }
}

fn record(app: &App, d: NewDecision) {
    if let Err(e) = app.store.append_decisions(&[d]) {
        tracing::warn!(error = %e, "could not record a decision in the log");
    }
}

/// A search whose results a merchandising rule changed (pinned, boosted,
/// buried): the query, the rules and the first results.
pub fn log_search(app: &App, q: &str, response: &crate::wire::search::SearchResponse) {
    let rules: Vec<&crate::wire::search::Why> =
        response.hits.iter().flat_map(|h| h.why.iter()).filter(|w| w.signal == "rule").collect();
    if rules.is_empty() {
        return;
    }
    record_sampled(app, || {
        let mut named: Vec<&str> = rules.iter().map(|w| w.detail.as_str()).collect();
        named.sort_unstable();
        named.dedup();
        NewDecision {
            at_ms: app.clock.now_ms(),
            kind: "search_rules".into(),
            subject: format!("query:{}", q.chars().take(200).collect::<String>()),
            version: "rules".into(),
            inputs: serde_json::json!({ "q": q, "total": response.total }).to_string(),
            output: serde_json::json!({
                "first": response.hits.iter().take(10).map(|h| h.handle.as_str()).collect::<Vec<_>>(),
            })
            .to_string(),
            reasons: serde_json::json!(named).to_string(),
            actor: "loupe".into(),
            ..NewDecision::default()
        }
    });
}

/// Recommendations shown: the context (a customer by pseudonym), the items
/// and each one's first reason.
pub fn log_recommendations(app: &App, recs: &crate::wire::recs::Recommendations) {
    record_sampled(app, || {
        let subject = match recs.context.kind.as_str() {
            "customer" => match (pseudonym_key(app), recs.context.value.as_str()) {
                (Ok(key), Some(id)) => customer_subject(&key, id),
                _ => "customer".into(),
            },
            "product" => format!("product:{}", recs.context.value.as_str().unwrap_or("")),
            other => other.to_string(),
        };
        let inputs = match recs.context.kind.as_str() {
            // The customer's id is in the subject, pseudonymised; a session
            // id could be tied to a person, so it is left out.
            "customer" | "session" => {
                serde_json::json!({ "kind": recs.context.kind, "known": recs.context.known })
            }
            _ => {
                serde_json::json!({ "kind": recs.context.kind, "value": recs.context.value, "known": recs.context.known })
            }
        };
        NewDecision {
            at_ms: app.clock.now_ms(),
            kind: "recommendations".into(),
            subject,
            version: "recs".into(),
            inputs: inputs.to_string(),
            output: serde_json::json!(recs.items.iter().map(|i| i.handle.as_str()).collect::<Vec<_>>()).to_string(),
            reasons: serde_json::json!(recs
                .items
                .iter()
                .map(|i| serde_json::json!({ "item": i.handle, "why": i.why.first().map(|w| w.detail.as_str()) }))
                .collect::<Vec<_>>())
            .to_string(),
            actor: "loupe".into(),
            ..NewDecision::default()
        }
    });
}

/// An experiment assignment that was exposed: the variation and why.
pub fn log_assignment(app: &App, a: &crate::wire::experiments::Assignment) {
    record_sampled(app, || NewDecision {
        at_ms: app.clock.now_ms(),
        kind: "experiment_assignment".into(),
        subject: format!("experiment:{}", a.experiment),
        version: "growthbook-hash".into(),
        inputs: "{}".into(),
        output:
            serde_json::json!({ "variation": a.variation, "name": a.name, "in_experiment": a.in_experiment })
                .to_string(),
        reasons: serde_json::json!([a.reason]).to_string(),
        actor: "loupe".into(),
        ..NewDecision::default()
    });
}

/// A support case's triage: the intent, whether it escalates and at what
/// priority, with the signals' codes and contributions.
pub fn triage_decision(
    app: &App,
    ticket: &str,
    intent: &str,
    escalate: bool,
    priority: &str,
    reasons: serde_json::Value,
) -> NewDecision {
    NewDecision {
        at_ms: app.clock.now_ms(),
        kind: "support_triage".into(),
        subject: format!("ticket:{ticket}"),
        version: "support".into(),
        inputs: "{}".into(),
        output: serde_json::json!({ "intent": intent, "escalate": escalate, "priority": priority })
            .to_string(),
        reasons: reasons.to_string(),
        actor: "loupe".into(),
        ..NewDecision::default()
    }
}

/// Records a new support case's triage (always, not sampled).
pub fn log_triage(app: &App, d: NewDecision) {
    record(app, d);
}
