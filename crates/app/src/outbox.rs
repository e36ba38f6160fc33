//! The outbox (issue 17): care messages decided, then delivered exactly once
//! to a receiver that honours the idempotency key.
//!
//! **Deciding.** `decide` puts the care calendar from the last decision up
//! to now into the outbox: each message due in that stretch, `pending` or
//! `suppressed` with the schedule's reason, in one transaction with the
//! watermark (`care_decided_ms`). A message's id is a hash of its order,
//! SKU, topic and day, so the same decision taken twice is one message. The
//! first decision looks back one day only: turning delivery on does not send
//! years of reminders at once.
//!
//! **Delivering.** `deliver` takes what is due in batches of [`BATCH`]. For
//! each message it checks consent again at send time (consent withdrawn
//! since the decision suppresses it; an open support case holds it back for
//! six hours at a time until the case is closed), then sends it:
//! e-mail over SMTP when a server is configured and the customer's consent
//! carries an address, else (and for SMS) to the webhook, signed as the
//! Standard Webhooks specification says (`webhook-id` is the message id,
//! `webhook-signature` is `v1,` and base64 of HMAC-SHA256 over
//! `id.timestamp.body`). The batch's outcomes are written in one transaction
//! after the sends. A process killed between a send and that write sends the
//! message again on restart with the same id: a receiver that honours
//! `webhook-id` sees it once; an e-mail carries it as its `Message-ID`.
//! A failure is retried after `retry_base_ms` doubled per attempt, up to six
//! hours, less up to half of it at random (jitter), and after `max_attempts`
//! the message is dead until a person retries it.
//!
//! **Unsubscribing.** Every e-mail carries RFC 8058's `List-Unsubscribe`
//! (a link to `/unsubscribe/{token}`, signed with the store's own secret) and
//! `List-Unsubscribe-Post: List-Unsubscribe=One-Click`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use chrono::DateTime;
use hmac::{Hmac, Mac};
use model::{DeliveryAttempt, OutboxMessage, OutboxStatus};
use sha2::{Digest, Sha256};

use crate::care::{consent_of, open_cases, scheduled};
use crate::error::{Code, Error, Result};
use crate::wire::care::{AttemptOut, DeliveryRunOut, DeliverySettings, OutboxMessageOut, OutboxPage};
use crate::App;

/// The settings document.
const SETTINGS: (&str, &str) = ("settings", "delivery");
/// The watermark: care decided up to this instant (Unix milliseconds).
pub const DECIDED: &str = "care_decided_ms";
/// Messages delivered per batch (and so at most re-sent after a crash).
pub const BATCH: usize = 64;
/// Concurrent sends within a batch.
const SENDERS: usize = 4;
/// The longest wait between two attempts.
pub const MAX_BACKOFF_MS: u64 = 6 * 3_600_000;
/// How long a message waits when its customer has an open support case.
const PAUSE_MS: i64 = 6 * 3_600_000;
/// The source of a grant the customer confirmed (double opt-in).
pub const CONFIRMED_SOURCE: &str = "double_opt_in_confirmed";

/// The delivery settings (defaults before any are saved).
pub fn settings(app: &App) -> Result<DeliverySettings> {
    match app.store.get_doc(SETTINGS.0, SETTINGS.1)? {
        Some(json) => serde_json::from_str(&json).map_err(Error::internal),
        None => Ok(DeliverySettings::default()),
    }
}

/// Whether anything can be sent: a webhook or an SMTP server.
pub fn configured(s: &DeliverySettings) -> bool {
    s.webhook_url.is_some() || s.smtp_url.is_some()
}

/// Checks and saves the settings; a webhook URL without a secret gets a new
/// one (`rotate_secret` makes a new one in any case).
pub fn put_settings(app: &App, mut s: DeliverySettings, rotate_secret: bool) -> Result<DeliverySettings> {
    let bad = |m: String| Error::new(Code::InvalidBody, m);
    let trim = |v: &mut Option<String>| {
        *v = v.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(String::from);
    };
    trim(&mut s.webhook_url);
    trim(&mut s.smtp_url);
    trim(&mut s.from);
    trim(&mut s.public_url);
    trim(&mut s.webhook_secret);
    if let Some(u) = &s.webhook_url {
        if !has_host(u) || u.contains(char::is_whitespace) {
            return Err(bad(format!("`webhook_url` {u:?} is not an http(s) URL")));
        }
    }
    if let Some(u) = &s.smtp_url {
        if !(u.starts_with("smtp://") || u.starts_with("smtps://")) {
            return Err(bad(format!("`smtp_url` {u:?}: use smtp://host:port or smtps://user:password@host")));
        }
        lettre::SmtpTransport::from_url(u).map_err(|e| bad(format!("`smtp_url`: {e}")))?;
        match &s.from {
            Some(f) if f.parse::<lettre::message::Mailbox>().is_ok() => {}
            Some(f) => {
                return Err(bad(format!("`from` {f:?} is not an address (`Brand <care@brand.example>`)")))
            }
            None => return Err(bad("`from` is required with `smtp_url`: the e-mails' sender".into())),
        }
    }
    if let Some(u) = &s.public_url {
        if !has_host(u) || u.contains(char::is_whitespace) {
            return Err(bad(format!("`public_url` {u:?} is not an http(s) URL")));
        }
        s.public_url = Some(u.trim_end_matches('/').to_string());
    }
    if s.smtp_url.is_some() && s.public_url.is_none() {
        return Err(bad(
            "`public_url` is required with `smtp_url`: every e-mail carries an unsubscribe link".into(),
        ));
    }
    if s.double_opt_in && (s.smtp_url.is_none() && s.webhook_url.is_none()) {
        return Err(bad(
            "double opt-in sends a confirmation: configure `smtp_url` or `webhook_url` first".into()
        ));
    }
    if s.max_attempts == 0 || s.max_attempts > 50 {
        return Err(bad("`max_attempts` must be 1 to 50".into()));
    }
    if s.retry_base_ms == 0 || s.retry_base_ms > MAX_BACKOFF_MS {
        return Err(bad(format!("`retry_base_ms` must be 1 to {MAX_BACKOFF_MS}")));
    }
    if let Some(secret) = &s.webhook_secret {
        signing_key(secret).map_err(bad)?;
    }
    if s.webhook_url.is_some() && (s.webhook_secret.is_none() || rotate_secret) {
        let mut key = [0u8; 24];
        getrandom::getrandom(&mut key).map_err(Error::internal)?;
        s.webhook_secret = Some(format!("whsec_{}", STANDARD.encode(key)));
    }
    app.store.put_doc(SETTINGS.0, SETTINGS.1, &serde_json::to_string(&s).map_err(Error::internal)?)?;
    Ok(s)
}

/// A message's id: the same order, SKU, topic and day always give the same.
pub fn message_id(s: &care::schedule::Scheduled) -> String {
    let day = s.at.date_naive().to_string();
    let digest = Sha256::new()
        .chain_update(s.order_id.as_bytes())
        .chain_update([0])
        .chain_update(s.sku.as_bytes())
        .chain_update([0])
        .chain_update(s.topic.as_bytes())
        .chain_update([0])
        .chain_update(day.as_bytes())
        .finalize();
    format!("msg_{}", &hex::encode(digest)[..24])
}

/// Takes the care decisions from the watermark up to now.
/// `since` (Unix milliseconds) decides from then instead (a brand turning
/// delivery on with a chosen start; deciding a stretch again changes nothing).
pub fn decide(app: &App, plans: &care::Plans, since: Option<i64>, out: &mut DeliveryRunOut) -> Result<()> {
    let now = app.clock.now_ms();
    let mark = match (since, app.store.counter(DECIDED)?) {
        (Some(s), _) => s,
        (None, 0) => now - 86_400_000,
        (None, m) => m as i64,
    };
    if mark >= now {
        return Ok(());
    }
    let day = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default().date_naive();
    let midnight = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp_millis();
    // In stretches of at most 350 days (a calendar covers 366), each read
    // from a week earlier so that the frequency cap counts what went out then.
    let mut due = Vec::new();
    let mut start = day(mark);
    loop {
        let end = (start + chrono::Duration::days(350)).min(day(now));
        let (lo, hi) = (midnight(start).max(mark), midnight(end + chrono::Duration::days(1)).min(now));
        for s in scheduled(app, start - chrono::Duration::days(7), end + chrono::Duration::days(1), plans)? {
            let at = s.at.timestamp_millis();
            if at > lo && at <= hi {
                due.push(s);
            }
        }
        if end >= day(now) {
            break;
        }
        start = end + chrono::Duration::days(1);
    }
    let mut messages = Vec::new();
    for s in due {
        let at = s.at.timestamp_millis();
        let (status, reason) = match &s.reason {
            None => (OutboxStatus::Pending, None),
            Some(r) => (OutboxStatus::Suppressed, Some(r.as_str().to_string())),
        };
        messages.push(OutboxMessage {
            id: message_id(&s),
            kind: "care".into(),
            customer_id: s.customer_id,
            channel: s.channel,
            order_id: s.order_id,
            sku: s.sku,
            topic: s.topic,
            subject: s.title,
            body: s.body,
            why: s.why,
            due_ms: at,
            created_ms: now,
            status,
            reason,
            next_ms: at,
            attempts: vec![],
            sent_ms: None,
        });
    }
    let key = crate::decisions::pseudonym_key(app)?;
    let version = plans_version(app)?;
    let logged: Vec<store::NewDecision> =
        messages.iter().map(|m| crate::decisions::care_message(&key, &version, now, m)).collect();
    let outcome = app.store.enqueue_outbox(&messages, Some((DECIDED, now as u64)), &logged)?;
    out.already_decided += outcome.known;
    for (m, written) in messages.iter().zip(&outcome.written) {
        match (&m.reason, written) {
            (_, false) => {}
            (None, true) => out.queued += 1,
            (Some(r), true) => *out.suppressed.entry(r.clone()).or_default() += 1,
        }
    }
    Ok(())
}

/// One run at a time in a process (the server's worker and `POST
/// /v1/outbox/run` must not send the same batch twice).
static RUNNING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Decides (from `since` when given, see [`decide`]), then delivers every
/// batch due now. Without a transport it does nothing.
pub fn run(app: &App, plans: &care::Plans, since: Option<i64>) -> Result<DeliveryRunOut> {
    let _one = RUNNING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // And one at a time across the nodes of a shared store: two nodes would
    // otherwise read the same due messages and send each twice.
    let _cluster = app.store.lease("outbox")?;
    let settings = settings(app)?;
    let mut out = DeliveryRunOut::default();
    if configured(&settings) {
        decide(app, plans, since, &mut out)?;
        let transport = Transport::new(app, &settings)?;
        // Open cases are read once per run (reading them classifies each open
        // ticket), consent once per batch.
        let open = open_cases(app)?;
        loop {
            let due = app.store.outbox_due(app.clock.now_ms(), BATCH)?;
            if due.is_empty() {
                break;
            }
            deliver(app, &settings, &transport, &open, due, &mut out)?;
        }
    }
    out.pending = app.store.outbox_pending_count()? as usize;
    out.next_due_at = app.store.outbox_next_due()?.map(rfc3339_ms);
    Ok(out)
}

/// The server's delivery loop, on a thread of its own: a run whenever a
/// transport is configured, then a sleep until the next message is due (at
/// most [`WORKER_IDLE`]), until `stop` is set.
pub fn spawn_worker(
    app: App,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<()> {
    use std::sync::atomic::Ordering;
    std::thread::Builder::new()
        .name("outbox".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let mut wait = WORKER_IDLE;
                let ran = settings(&app).and_then(|s| {
                    if !configured(&s) {
                        return Ok(None);
                    }
                    let plans = crate::care::stored_plans(&app)?;
                    run(&app, &plans, None).map(Some)
                });
                match ran {
                    Ok(Some(r)) => {
                        if r.attempted > 0 || r.queued > 0 {
                            tracing::info!(
                                queued = r.queued,
                                sent = r.sent,
                                retrying = r.retrying,
                                dead = r.dead,
                                "outbox run"
                            );
                        }
                        if let Ok(Some(next)) = app.store.outbox_next_due() {
                            let ms = (next - app.clock.now_ms()).clamp(50, WORKER_IDLE.as_millis() as i64);
                            wait = Duration::from_millis(ms as u64);
                        }
                    }
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e.message, "outbox run failed"),
                }
                let until = std::time::Instant::now() + wait;
                while std::time::Instant::now() < until && !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(50).min(until - std::time::Instant::now()));
                }
            }
        })
        .unwrap_or_else(|e| panic!("cannot start the outbox thread: {e}"))
}

/// The longest the server's worker sleeps between two runs.
pub const WORKER_IDLE: Duration = Duration::from_secs(5);

/// The transports, built once per run.
pub struct Transport {
    agent: ureq::Agent,
    smtp: Option<lettre::SmtpTransport>,
    key: Option<Vec<u8>>,
    unsubscribe_key: Vec<u8>,
}

impl Transport {
    pub fn new(app: &App, s: &DeliverySettings) -> Result<Transport> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(15)))
            .http_status_as_error(false)
            .user_agent("loupe-outbox")
            .build()
            .into();
        let smtp = match &s.smtp_url {
            Some(u) => Some(
                lettre::SmtpTransport::from_url(u)
                    .map_err(|e| Error::new(Code::InvalidBody, format!("`smtp_url`: {e}")))?
                    .timeout(Some(Duration::from_secs(15)))
                    .build(),
            ),
            None => None,
        };
        let key = s
            .webhook_secret
            .as_deref()
            .map(signing_key)
            .transpose()
            .map_err(|e| Error::new(Code::Internal, e))?;
        Ok(Transport { agent, smtp, key, unsubscribe_key: app.store.secret("unsubscribe")? })
    }
}

/// Sends one batch and records the outcomes in one transaction.
fn deliver(
    app: &App,
    s: &DeliverySettings,
    t: &Transport,
    open: &[crate::care::OpenCase],
    mut batch: Vec<OutboxMessage>,
    out: &mut DeliveryRunOut,
) -> Result<()> {
    let now = app.clock.now_ms();
    // Consent at send time.
    let mut consent: HashMap<String, crate::care::Stored> = HashMap::new();
    for m in &batch {
        if let Some(c) = &m.customer_id {
            if !consent.contains_key(c) {
                consent.insert(c.clone(), consent_of(app, c)?);
            }
        }
    }
    let mut to_send: Vec<(usize, Option<String>)> = Vec::new();
    for (i, m) in batch.iter_mut().enumerate() {
        let Some(customer) = m.customer_id.clone() else {
            withhold(m, "no_customer", out);
            continue;
        };
        let stored = &consent[&customer];
        if m.kind == "care" {
            let changes = stored.changes_of(&customer);
            if !care::schedule::consented(&changes, &customer, &m.channel, now.div_euclid(1000)) {
                withhold(m, "no_consent", out);
                continue;
            }
            if open.iter().any(|c| c.complaint && c.customer == customer) {
                withhold(m, "open_complaint", out);
                continue;
            }
            if open.iter().any(|c| c.customer == customer) {
                // Paused, not dropped: it waits for the case to close.
                m.next_ms = now + PAUSE_MS;
                m.reason = Some("paused: the customer has an open support case".into());
                *out.withheld.entry("paused".into()).or_default() += 1;
                continue;
            }
        }
        let address = if m.kind == "confirm" {
            stored.changes.iter().rev().find(|c| c.pending).and_then(|c| c.address.clone())
        } else {
            stored.address(&m.channel).map(String::from)
        };
        to_send.push((i, address));
    }
    // Send concurrently; results come back by index.
    let results: Vec<(usize, DeliveryAttempt)> = std::thread::scope(|scope| {
        let chunks: Vec<&[(usize, Option<String>)]> =
            to_send.chunks(to_send.len().div_ceil(SENDERS).max(1)).collect();
        let batch = &batch;
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(i, address)| (*i, send(s, t, &batch[*i], address.as_deref(), now)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    for (i, attempt) in results {
        let m = &mut batch[i];
        out.attempted += 1;
        let ok = attempt.ok;
        let error = attempt.error.clone();
        m.attempts.push(attempt);
        if ok {
            m.reason = None;
            m.status = OutboxStatus::Sent;
            m.sent_ms = Some(now);
            out.sent += 1;
            continue;
        }
        let failures =
            m.attempts.iter().rev().take_while(|a| a.transport != "requeued").filter(|a| !a.ok).count();
        let permanent = error.as_deref().is_some_and(|e| e.starts_with("permanent:"));
        if permanent || failures as u32 >= s.max_attempts {
            m.status = OutboxStatus::Dead;
            m.reason = error;
            out.dead += 1;
        } else {
            m.next_ms = now + backoff_ms(s.retry_base_ms, failures as u32, &m.id) as i64;
            out.retrying += 1;
        }
    }
    // The log records each final outcome (sent, dead, withheld); a retry
    // still to come is in the message's attempts.
    let key = crate::decisions::pseudonym_key(app)?;
    let logged: Vec<store::NewDecision> = batch
        .iter()
        .filter(|m| m.status != OutboxStatus::Pending)
        .map(|m| crate::decisions::care_delivery(&key, now, m))
        .collect();
    app.store.update_outbox(&batch, &logged)?;
    Ok(())
}

/// The care plans' version for the log: built in, or the brand's file by
/// the first hex digits of its SHA-256.
fn plans_version(app: &App) -> Result<String> {
    Ok(match app.store.get_doc("settings", "care_plans")? {
        Some(text) => format!("care-plans:brand-{}", &hex::encode(Sha256::digest(text.as_bytes()))[..12]),
        None => "care-plans:builtin".into(),
    })
}

fn withhold(m: &mut OutboxMessage, reason: &str, out: &mut DeliveryRunOut) {
    m.status = OutboxStatus::Suppressed;
    m.reason = Some(reason.to_string());
    *out.withheld.entry(reason.to_string()).or_default() += 1;
}

/// The wait after the `failures`-th failure: the base doubled per failure,
/// capped at six hours, less up to half of it (jitter from the id, so that
/// messages failing together do not retry together).
pub fn backoff_ms(base: u64, failures: u32, id: &str) -> u64 {
    let full = base.saturating_mul(1u64 << failures.saturating_sub(1).min(30)).min(MAX_BACKOFF_MS);
    let digest = Sha256::new().chain_update(id.as_bytes()).chain_update(failures.to_le_bytes()).finalize();
    let r = u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8]));
    full - (r % (full / 2 + 1))
}

/// One attempt at one message.
fn send(
    s: &DeliverySettings,
    t: &Transport,
    m: &OutboxMessage,
    address: Option<&str>,
    now: i64,
) -> DeliveryAttempt {
    let attempt = |transport: &str, ok: bool, code: Option<u16>, error: Option<String>| DeliveryAttempt {
        at_ms: now,
        transport: transport.into(),
        ok,
        code,
        error,
    };
    let email = m.channel == "email";
    if email && t.smtp.is_some() {
        match address {
            Some(a) => return send_email(s, t, m, a, now),
            None if t.key.is_none() => {
                return attempt(
                    "smtp",
                    false,
                    None,
                    Some("permanent: the customer's consent carries no e-mail address".into()),
                )
            }
            None => {}
        }
    }
    let (Some(url), Some(key)) = (&s.webhook_url, &t.key) else {
        return attempt(
            "none",
            false,
            None,
            Some(format!("permanent: no transport for {} messages", m.channel)),
        );
    };
    let body = serde_json::json!({
        "type": format!("{}.message", m.kind),
        "timestamp": rfc3339_ms(now),
        "data": {
            "id": m.id,
            "kind": m.kind,
            "customer_id": m.customer_id,
            "channel": m.channel,
            "to": address,
            "order_id": m.order_id,
            "sku": m.sku,
            "topic": m.topic,
            "subject": m.subject,
            "body": m.body,
            "why": m.why,
            "unsubscribe_url": m.customer_id.as_deref().and_then(|c| unsubscribe_url(s, &t.unsubscribe_key, c, &m.channel)),
        }
    })
    .to_string();
    let timestamp = now.div_euclid(1000).to_string();
    let signature = sign(key, &m.id, &timestamp, &body);
    let response = t
        .agent
        .post(url.as_str())
        .header("content-type", "application/json")
        .header("webhook-id", m.id.as_str())
        .header("webhook-timestamp", timestamp.as_str())
        .header("webhook-signature", signature.as_str())
        .send(body.as_bytes());
    match response {
        Ok(r) if r.status().is_success() => attempt("webhook", true, Some(r.status().as_u16()), None),
        Ok(r) => attempt(
            "webhook",
            false,
            Some(r.status().as_u16()),
            Some(format!("the receiver answered {}", r.status())),
        ),
        Err(e) => attempt("webhook", false, None, Some(e.to_string())),
    }
}

fn send_email(s: &DeliverySettings, t: &Transport, m: &OutboxMessage, to: &str, now: i64) -> DeliveryAttempt {
    use lettre::message::header::{ContentType, HeaderName, HeaderValue};
    use lettre::Transport as _;
    let failed = |code: Option<u16>, error: String| DeliveryAttempt {
        at_ms: now,
        transport: "smtp".into(),
        ok: false,
        code,
        error: Some(error),
    };
    let (Some(from), Some(smtp)) = (s.from.as_deref(), &t.smtp) else {
        return failed(None, "permanent: no sender or SMTP server".into());
    };
    let Ok(from) = from.parse::<lettre::message::Mailbox>() else {
        return failed(None, format!("permanent: `from` {from:?} is not an address"));
    };
    let Ok(rcpt) = to.parse::<lettre::message::Mailbox>() else {
        return failed(None, format!("permanent: {to:?} is not an e-mail address"));
    };
    let domain = from.email.domain().to_string();
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(rcpt)
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@{}>", m.id, domain)))
        .header(ContentType::TEXT_PLAIN);
    let mut text = m.body.clone();
    if let Some(url) =
        m.customer_id.as_deref().and_then(|c| unsubscribe_url(s, &t.unsubscribe_key, c, &m.channel))
    {
        if m.kind == "care" {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
            text.push_str(&format!(
                "\n\n--\nWhy you are getting this: {}\nNo more care e-mails: {url}\n",
                m.why
            ));
        }
    }
    let email = match builder.body(text) {
        Ok(e) => e,
        Err(e) => return failed(None, format!("permanent: {e}")),
    };
    match smtp.send(&email) {
        Ok(r) => DeliveryAttempt {
            at_ms: now,
            transport: "smtp".into(),
            ok: true,
            code: Some(u16::from(r.code())),
            error: None,
        },
        Err(e) => {
            let code = e.status().map(u16::from);
            let prefix = if e.is_permanent() { "permanent: " } else { "" };
            failed(code, format!("{prefix}{e}"))
        }
    }
}

/// `v1,` and base64 of HMAC-SHA256 over `id.timestamp.body` (Standard Webhooks).
pub fn sign(key: &[u8], id: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The signing key of a `whsec_...` secret.
pub fn signing_key(secret: &str) -> std::result::Result<Vec<u8>, String> {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    match STANDARD.decode(b64) {
        Ok(k) if k.len() >= 16 => Ok(k),
        _ => Err("`webhook_secret` must be `whsec_` and base64 of at least 16 bytes".into()),
    }
}

fn token_mac(key: &[u8], purpose: &str, customer: &str, channel: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    for part in [purpose, customer, channel] {
        mac.update(part.as_bytes());
        mac.update(&[0]);
    }
    URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..16])
}

/// A link token for `purpose` (`u`: unsubscribe, `c`: confirm a grant),
/// signed with the store's secret so that nobody can make one for another
/// customer.
pub fn token(key: &[u8], purpose: &str, customer: &str, channel: &str) -> String {
    format!(
        "{purpose}.{}.{channel}.{}",
        URL_SAFE_NO_PAD.encode(customer.as_bytes()),
        token_mac(key, purpose, customer, channel)
    )
}

/// The customer and channel of a valid token for `purpose`.
pub fn check_token(key: &[u8], purpose: &str, token: &str) -> Option<(String, String)> {
    let mut parts = token.split('.');
    let (p, c, ch, mac) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || p != purpose || !(ch == "email" || ch == "sms") {
        return None;
    }
    let customer = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let expected = token_mac(key, purpose, &customer, ch);
    subtle_eq(expected.as_bytes(), mac.as_bytes()).then_some((customer, ch.to_string()))
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn unsubscribe_url(s: &DeliverySettings, key: &[u8], customer: &str, channel: &str) -> Option<String> {
    let base = s.public_url.as_deref()?;
    Some(format!("{base}/unsubscribe/{}", token(key, "u", customer, channel)))
}

/// Withdraws the consent a valid unsubscribe token names (`source` says how:
/// the page's button or a mail client's one-click POST).
pub fn unsubscribe(app: &App, token: &str, source: &str) -> Result<crate::wire::care::ConsentOut> {
    let key = app.store.secret("unsubscribe")?;
    let (customer, channel) = check_token(&key, "u", token)
        .ok_or_else(|| Error::new(Code::NotFound, "this unsubscribe link is not valid"))?;
    crate::care::record_consent(
        app,
        &crate::wire::care::ConsentIn {
            customer_id: customer,
            channel,
            granted: false,
            source: source.into(),
            at: None,
            address: None,
            utc_offset: None,
            first_name: None,
        },
    )
}

/// Whom a valid token names (for the page that asks before acting).
pub fn token_subject(app: &App, purpose: &str, token: &str) -> Result<Option<(String, String)>> {
    Ok(check_token(&app.store.secret("unsubscribe")?, purpose, token))
}

/// Confirms the pending grant a valid confirmation token names.
pub fn confirm(app: &App, token: &str) -> Result<crate::wire::care::ConsentOut> {
    let key = app.store.secret("unsubscribe")?;
    let (customer, channel) = check_token(&key, "c", token)
        .ok_or_else(|| Error::new(Code::NotFound, "this confirmation link is not valid"))?;
    let stored = consent_of(app, &customer)?;
    let pending = stored.changes.iter().rev().find(|c| c.channel == channel && c.pending);
    let Some(pending) = pending else {
        return crate::care::consent(app, &customer);
    };
    crate::care::record_consent(
        app,
        &crate::wire::care::ConsentIn {
            customer_id: customer,
            channel,
            granted: true,
            source: CONFIRMED_SOURCE.into(),
            at: None,
            address: pending.address.clone(),
            utc_offset: None,
            first_name: None,
        },
    )
}

/// The confirmation e-mail of a pending grant (double opt-in).
pub(crate) fn confirmation(
    app: &App,
    s: &DeliverySettings,
    customer: &str,
    address: &str,
    at: i64,
) -> Result<OutboxMessage> {
    let base = s.public_url.as_deref().ok_or_else(|| {
        Error::new(Code::InvalidBody, "double opt-in needs `public_url` for the confirmation link")
    })?;
    let key = app.store.secret("unsubscribe")?;
    let link = format!("{base}/consent/confirm/{}", token(&key, "c", customer, "email"));
    let now = app.clock.now_ms();
    let id = format!(
        "confirm_{}",
        &hex::encode(
            Sha256::new().chain_update(customer.as_bytes()).chain_update(at.to_le_bytes()).finalize()
        )[..24]
    );
    Ok(OutboxMessage {
        id,
        kind: "confirm".into(),
        customer_id: Some(customer.to_string()),
        channel: "email".into(),
        order_id: String::new(),
        sku: String::new(),
        topic: "confirm_consent".into(),
        subject: "Please confirm your care e-mails".into(),
        body: format!(
            "You asked for care e-mails about your jewellery at {address}.\n\n\
             Confirm here: {link}\n\nIf it was not you, ignore this e-mail: nothing will be sent."
        ),
        why: "you asked for care e-mails; the brand confirms every address first".into(),
        due_ms: now,
        created_ms: now,
        status: OutboxStatus::Pending,
        reason: None,
        next_ms: now,
        attempts: vec![],
        sent_ms: None,
    })
}

/// Puts a dead message back in the queue, now.
pub fn retry(app: &App, id: &str, who: &str) -> Result<OutboxMessageOut> {
    let mut m = app.store.outbox_message(id)?.ok_or_else(|| Error::not_found(format!("message {id:?}")))?;
    if m.status != OutboxStatus::Dead {
        return Err(Error::new(Code::Conflict, format!("message {id} is {}, not dead", m.status.as_str())));
    }
    let now = app.clock.now_ms();
    m.status = OutboxStatus::Pending;
    m.reason = None;
    m.next_ms = now;
    m.attempts.push(DeliveryAttempt {
        at_ms: now,
        transport: "requeued".into(),
        ok: true,
        code: None,
        error: Some(format!("retried by {who}")),
    });
    let key = crate::decisions::pseudonym_key(app)?;
    let mut logged = crate::decisions::care_delivery(&key, now, &m);
    logged.kind = "care_retry".into();
    logged.actor = who.to_string();
    logged.override_by = Some(who.to_string());
    logged.override_why = Some("put a dead message back in the queue".into());
    app.store.update_outbox(std::slice::from_ref(&m), &[logged])?;
    Ok(out_of(&m))
}

/// Every message to or about `customer`, oldest due first.
pub fn of_customer(app: &App, customer: &str) -> Result<Vec<OutboxMessageOut>> {
    let mut theirs: Vec<OutboxMessage> =
        app.store.outbox()?.into_iter().filter(|m| m.customer_id.as_deref() == Some(customer)).collect();
    theirs.sort_by_key(|m| m.due_ms);
    Ok(theirs.iter().map(out_of).collect())
}

/// A page of the outbox, newest due first, optionally one status.
pub fn list(app: &App, status: Option<&str>, offset: usize, limit: usize) -> Result<OutboxPage> {
    let status = match status {
        None | Some("") => None,
        Some(s) => Some(OutboxStatus::parse(s).ok_or_else(|| {
            Error::new(Code::InvalidQuery, format!("`status` {s:?}: use pending, sent, dead or suppressed"))
        })?),
    };
    let mut all = app.store.outbox()?;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for m in &all {
        *counts.entry(m.status.as_str().to_string()).or_default() += 1;
    }
    all.retain(|m| status.is_none_or(|s| m.status == s));
    all.sort_by(|a, b| b.due_ms.cmp(&a.due_ms).then(a.id.cmp(&b.id)));
    let total = all.len();
    let items: Vec<OutboxMessageOut> = all.iter().skip(offset).take(limit).map(out_of).collect();
    Ok(OutboxPage {
        next_cursor: crate::wire::http::Cursor::after(offset, items.len(), total).map(|c| c.encode()),
        items,
        total,
        limit,
        offset,
        counts,
        delivery_configured: configured(&settings(app)?),
    })
}

fn out_of(m: &OutboxMessage) -> OutboxMessageOut {
    OutboxMessageOut {
        id: m.id.clone(),
        kind: m.kind.clone(),
        customer_id: m.customer_id.clone(),
        channel: m.channel.clone(),
        order_id: m.order_id.clone(),
        sku: m.sku.clone(),
        topic: m.topic.clone(),
        subject: m.subject.clone(),
        body: m.body.clone(),
        why: m.why.clone(),
        due_at: rfc3339_ms(m.due_ms),
        status: m.status.as_str().into(),
        reason: m.reason.clone(),
        attempts: m
            .attempts
            .iter()
            .map(|a| AttemptOut {
                at: rfc3339_ms(a.at_ms),
                transport: a.transport.clone(),
                ok: a.ok,
                code: a.code,
                error: a.error.clone(),
            })
            .collect(),
        next_attempt_at: (m.status == OutboxStatus::Pending).then(|| rfc3339_ms(m.next_ms)),
        sent_at: m.sent_ms.map(rfc3339_ms),
    }
}

fn rfc3339_ms(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A plausible e-mail address: one `@`, text on both sides, a dot in the domain.
/// An `http(s)://` URL with a host (`http://` alone is not one).
fn has_host(url: &str) -> bool {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| r.split('/').next().is_some_and(|host| !host.is_empty()))
}

pub fn looks_like_email(s: &str) -> bool {
    s.parse::<lettre::Address>().is_ok() && s.rsplit_once('@').is_some_and(|(_, d)| d.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_needs_a_host() {
        for good in ["https://brand.example", "http://127.0.0.1:8080/hook", "https://a/b"] {
            assert!(has_host(good), "{good}");
        }
        for bad in ["http://", "https:///path", "ftp://brand.example", "brand.example", ""] {
            assert!(!has_host(bad), "{bad}");
        }
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The specification's example: secret, id, timestamp, body and signature.
        let key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", r#"{"test": 2432232314}"#);
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn backoff_doubles_with_jitter_and_a_cap() {
        for n in 1..12 {
            let full = (1000u64 << (n - 1)).min(MAX_BACKOFF_MS);
            let b = backoff_ms(1000, n, "msg_x");
            assert!(b <= full && b >= full / 2, "{n}: {b} vs {full}");
        }
        assert!(backoff_ms(1000, 40, "msg_x") <= MAX_BACKOFF_MS);
        assert_ne!(backoff_ms(60_000, 3, "msg_a"), backoff_ms(60_000, 3, "msg_b"), "jitter spreads retries");
    }

    #[test]
    fn tokens_name_their_customer_and_cannot_be_forged() {
        let key = [7u8; 32];
        let t = token(&key, "u", "C00042", "email");
        assert_eq!(check_token(&key, "u", &t), Some(("C00042".into(), "email".into())));
        assert_eq!(check_token(&key, "c", &t), None, "a token is for one purpose");
        assert_eq!(check_token(&[8u8; 32], "u", &t), None, "another store's key");
        let forged = t.replace(&URL_SAFE_NO_PAD.encode("C00042"), &URL_SAFE_NO_PAD.encode("C00043"));
        assert_eq!(check_token(&key, "u", &forged), None);
        assert_eq!(check_token(&key, "u", "u.x.email"), None);
        assert_eq!(check_token(&key, "u", ""), None);
    }
}
