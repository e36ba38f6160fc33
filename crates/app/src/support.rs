//! Customer support (issue 16): the knowledge base, tickets, instant
//! answers, triage and the agent's case view, over the `support` engine.
//!
//! Storage: knowledge-base sources are documents (`kb`, one per source,
//! replaced whole on re-import), with how often each passage was cited
//! (`kb_usage`); tickets have their own table; the brand's support
//! settings are the document `settings/support`. The engine (the
//! classifier, trained on the shipped examples plus every intent an agent
//! corrected, and the BM25 index of the passages) is built per catalog
//! version and [`VERSION`] counter, which knowledge-base imports and
//! corrections bump.
//!
//! Order facts (what was bought, when, the brand's promised delivery) fill
//! replies and triage only for trusted callers (the back-office, the CLI):
//! a storefront visitor who types an order number learns nothing about it.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc, Weekday};
use model::{Ticket, TicketMessage};
use serde::{Deserialize, Serialize};
use support::classify::{Classifier, Prediction};
use support::entities::{self, Entity, ProductNames};
use support::kb::{self, Index, Passage};
use support::sentiment::{self, Reading};
use support::triage::{self, OrderFacts, Triage};
use support::{answer, sla, Intent};

use crate::error::{Code, Error, Result};
use crate::wire::support::*;
use crate::App;

/// Documents: one per knowledge-base source.
pub const KB: &str = "kb";
/// Documents: per passage key, how often answers cited it.
pub const KB_USAGE: &str = "kb_usage";
/// The counter the engine is keyed on.
pub const VERSION: &str = "support_version";
const SETTINGS: (&str, &str) = ("settings", "support");

/// The longest message Loupe reads, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;
/// The largest knowledge-base source, in bytes.
pub const MAX_KB_BYTES: usize = 5 << 20;

/// The brand's support settings (`GET`/`PUT /v1/support/settings`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Minutes east of UTC of the brand's hours (New York in winter: -300).
    pub utc_offset_minutes: i32,
    /// Local opening and closing, `HH:MM`.
    pub open: String,
    pub close: String,
    /// `mon` ... `sun`.
    pub weekdays: Vec<String>,
    /// `YYYY-MM-DD`.
    pub holidays: Vec<String>,
    pub first_response_hours: u32,
    pub resolution_hours: u32,
    /// Orders worth at least this much (in the order's currency) go to a person.
    pub high_value: f64,
    /// The standard delivery promise, in business days after the order.
    pub promise_business_days: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            utc_offset_minutes: -300,
            open: "09:00".into(),
            close: "18:00".into(),
            weekdays: ["mon", "tue", "wed", "thu", "fri"].map(String::from).to_vec(),
            holidays: Vec::new(),
            first_response_hours: 4,
            resolution_hours: 24,
            high_value: 1000.0,
            promise_business_days: 5,
        }
    }
}

fn hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 24 && m < 60 && h * 60 + m <= 24 * 60).then_some(h * 60 + m)
}

fn weekday(s: &str) -> Option<Weekday> {
    s.trim().parse().ok()
}

impl Settings {
    /// Checks every field, naming the first bad one.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::new(Code::InvalidBody, m));
        let (Some(open), Some(close)) = (hhmm(&self.open), hhmm(&self.close)) else {
            return bad(format!("`open` {:?} and `close` {:?} must be HH:MM", self.open, self.close));
        };
        if open >= close {
            return bad(format!("`open` {} is not before `close` {}", self.open, self.close));
        }
        if let Some(w) = self.weekdays.iter().find(|w| weekday(w).is_none()) {
            return bad(format!("`weekdays`: {w:?} is not a day (mon ... sun)"));
        }
        if let Some(h) = self.holidays.iter().find(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").is_err()) {
            return bad(format!("`holidays`: {h:?} is not a date (YYYY-MM-DD)"));
        }
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return bad(format!(
                "`utc_offset_minutes` {} is not between -840 and 840",
                self.utc_offset_minutes
            ));
        }
        if !(self.high_value.is_finite() && self.high_value >= 0.0) {
            return bad("`high_value` must be a number of at least 0".into());
        }
        if self.first_response_hours == 0 || self.resolution_hours == 0 || self.promise_business_days > 60 {
            return bad("`first_response_hours` and `resolution_hours` must be at least 1, `promise_business_days` at most 60".into());
        }
        Ok(())
    }

    pub fn hours(&self) -> sla::Hours {
        sla::Hours {
            utc_offset_minutes: self.utc_offset_minutes,
            open_minute: hhmm(&self.open).unwrap_or(9 * 60),
            close_minute: hhmm(&self.close).unwrap_or(18 * 60),
            weekdays: self.weekdays.iter().filter_map(|w| weekday(w)).collect(),
            holidays: self
                .holidays
                .iter()
                .filter_map(|h| NaiveDate::parse_from_str(h, "%Y-%m-%d").ok())
                .collect(),
            first_response_hours: self.first_response_hours,
            resolution_hours: self.resolution_hours,
        }
    }

    fn triage(&self) -> triage::Settings {
        triage::Settings {
            high_value_minor: (self.high_value * 100.0).round() as i64,
            ..triage::Settings::default()
        }
    }
}

pub fn settings(app: &App) -> Result<Settings> {
    match app.store.get_doc(SETTINGS.0, SETTINGS.1)? {
        Some(json) => serde_json::from_str(&json).map_err(Error::internal),
        None => Ok(Settings::default()),
    }
}

pub fn put_settings(app: &App, s: &Settings) -> Result<Settings> {
    s.validate()?;
    let json = serde_json::to_string(s).map_err(Error::internal)?;
    app.store.put_doc_counted(SETTINGS.0, SETTINGS.1, Some(&json), VERSION)?;
    Ok(s.clone())
}

/// A stored knowledge-base source.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct KbSource {
    source: String,
    format: String,
    imported_at: i64,
    passages: Vec<StoredPassage>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct StoredPassage {
    heading: String,
    text: String,
    line: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Usage {
    count: u64,
    questions: Vec<String>,
}

/// The support engine of one data version.
pub struct Support {
    pub classifier: Classifier,
    /// The learned escalation model (a second opinion beside the lexicons).
    pub escalation: support::escalation::EscalationModel,
    pub kb: Index,
    pub products: ProductNames,
    pub settings: Settings,
    /// Tickets whose intent an agent corrected, learnt from.
    pub corrections: usize,
}

impl Support {
    /// Builds from the store: the shipped examples plus corrections, the
    /// passages, the catalog's names, the settings.
    pub fn build(app_store: &store::Store, products: &[model::Product]) -> Result<Support> {
        let mut examples = support::training::base();
        let mut corrections = 0;
        for t in app_store.tickets()? {
            if let Some(intent) = t.corrected_intent.as_deref().and_then(Intent::parse) {
                examples.push((t.customer_text(), intent));
                corrections += 1;
            }
        }
        let classifier = Classifier::train(&examples, &Default::default());
        let mut passages = Vec::new();
        for (_, json) in app_store.list_docs(KB)? {
            let s: KbSource = serde_json::from_str(&json).map_err(Error::internal)?;
            for p in s.passages {
                passages.push(Passage {
                    source: s.source.clone(),
                    heading: p.heading,
                    text: p.text,
                    line: p.line,
                });
            }
        }
        let names = ProductNames::new(
            products
                .iter()
                .filter(|p| p.status == model::ProductStatus::Active && !p.order_only)
                .map(|p| (p.handle.as_str(), p.title.as_str())),
        );
        let settings = match app_store.get_doc(SETTINGS.0, SETTINGS.1)? {
            Some(json) => serde_json::from_str(&json).map_err(Error::internal)?,
            None => Settings::default(),
        };
        Ok(Support {
            classifier,
            escalation: support::escalation::EscalationModel::shipped(),
            kb: Index::new(passages),
            products: names,
            settings,
            corrections,
        })
    }
}

/// Who is asking: a trusted caller sees order facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The back-office or the CLI.
    Trusted,
    /// The storefront's chat: no order facts.
    Shopper,
}

/// One message read: everything both `classify` and `answer` need.
pub(crate) struct Read {
    pub(crate) prediction: Prediction,
    reading: Reading,
    entities: Vec<Entity>,
    facts: Option<OrderFacts>,
    triage: Triage,
}

fn check_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::new(Code::InvalidMessage, "the message is empty"));
    }
    let n = text.chars().count();
    if n > MAX_MESSAGE_CHARS {
        return Err(Error::new(
            Code::InvalidMessage,
            format!("the message has {n} characters; the most is {MAX_MESSAGE_CHARS}"),
        ));
    }
    Ok(())
}

fn parse_at(at: Option<&str>, now: i64) -> Result<i64> {
    match at.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(now),
        Some(s) => catalog::parse_datetime(s).ok_or_else(|| {
            Error::new(Code::InvalidMessage, format!("`at` {s:?} is not a date (use RFC 3339)"))
        }),
    }
}

fn date_of(secs: i64) -> NaiveDate {
    DateTime::from_timestamp(secs, 0).unwrap_or_default().date_naive()
}

pub(crate) fn rfc3339(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// `n` weekdays after `day` (the brand's delivery promise).
pub(crate) fn add_business_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut d = day;
    let mut left = n;
    while left > 0 {
        d = d.succ_opt().unwrap_or(d);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// What the order lines say about one order.
fn order_facts(
    store: &store::Store,
    order_id: &str,
    settings: &Settings,
) -> Result<Option<(OrderFacts, Option<String>)>> {
    let lines = store.order(order_id)?;
    let Some(first) = lines.first() else { return Ok(None) };
    let mut value = 0i64;
    let mut currency = String::new();
    let (mut sold, mut returned) = (0i64, 0i64);
    let mut items = Vec::new();
    for l in &lines {
        if l.quantity > 0 {
            sold += l.quantity;
            if let Some(p) = l.unit_price {
                value += p.minor * l.quantity;
                currency = p.currency.as_str().to_string();
            }
            let title = l.title.clone().unwrap_or_else(|| l.sku.clone());
            if !items.contains(&title) {
                items.push(title);
            }
        } else {
            returned -= l.quantity;
        }
    }
    let ordered_on = date_of(first.ordered_at);
    let status = match returned {
        0 => "placed",
        r if r < sold => "partly returned",
        _ => "returned",
    };
    let promised = add_business_days(ordered_on, settings.promise_business_days);
    let facts = OrderFacts {
        order_id: order_id.to_string(),
        value_minor: value,
        currency,
        ordered_on: Some(ordered_on),
        promised_by: Some(promised),
        status: status.to_string(),
        items,
    };
    Ok(Some((facts, first.customer_id.clone())))
}

fn facts_out(f: &OrderFacts, settings: &Settings) -> OrderFactsOut {
    OrderFactsOut {
        order_id: f.order_id.clone(),
        ordered_on: f.ordered_on.map(|d| d.to_string()),
        total: f.value_minor as f64 / 100.0,
        currency: f.currency.clone(),
        items: f.items.clone(),
        status: f.status.clone(),
        promised_by: f.promised_by.map(|d| d.to_string()),
        promise_basis: format!(
            "the brand's standard promise of {} business days after the order; Loupe has no carrier tracking",
            settings.promise_business_days
        ),
    }
}

/// The facts as sentences for a reply.
fn facts_text(f: &OrderFacts, settings: &Settings) -> String {
    let items = match f.items.len() {
        0 => String::new(),
        1 => format!(" ({})", f.items[0]),
        n => format!(" ({} and {} more)", f.items[0], n - 1),
    };
    let placed = f.ordered_on.map(|d| format!(" was placed on {d}")).unwrap_or_default();
    let promised = match (f.status.as_str(), f.promised_by) {
        ("placed", Some(p)) => format!(
            "; with our standard delivery of {} business days it is due by {p}",
            settings.promise_business_days
        ),
        ("returned", _) => "; it has been returned".into(),
        ("partly returned", _) => "; part of it has been returned".into(),
        _ => String::new(),
    };
    format!("Order {}{items}{placed}{promised}.", f.order_id)
}

fn read(
    engine: &Support,
    store: &store::Store,
    text: &str,
    at: i64,
    customer_id: Option<&str>,
    order_id: Option<&str>,
    caller: Caller,
) -> Result<Read> {
    let prediction = engine.classifier.predict(text);
    let reading = sentiment::read(text);
    let today = date_of(at);
    let entities = entities::extract(text, today, Some(&engine.products));
    let named = order_id.map(|o| o.trim().trim_start_matches('#').to_string()).or_else(|| {
        entities.iter().find(|e| e.kind == entities::EntityKind::OrderId).map(|e| e.value.clone())
    });
    let facts = match (caller, named) {
        (Caller::Trusted, Some(o)) => match order_facts(store, &o, &engine.settings)? {
            // A message from one customer never shows another's order.
            Some((f, owner)) if customer_id.is_none() || owner.as_deref() == customer_id => Some(f),
            _ => None,
        },
        _ => None,
    };
    let learned = engine.escalation.predict(text);
    let evidence = triage::Evidence {
        text,
        prediction: &prediction,
        reading: &reading,
        entities: &entities,
        learned: Some(&learned),
    };
    let triage = triage::triage(&evidence, facts.as_ref(), today, &engine.settings.triage());
    Ok(Read { prediction, reading, entities, facts, triage })
}

fn why_of(r: &Read) -> Vec<WhyOut> {
    let mut why = vec![WhyOut {
        signal: "intent".into(),
        detail: {
            let words: Vec<String> = r
                .prediction
                .evidence
                .iter()
                .take(3)
                .map(|(w, s)| format!("\u{201c}{w}\u{201d} {:.0}%", s * 100.0))
                .collect();
            let runner = &r.prediction.ranked[1];
            format!(
                "{} at {:.0}% (next: {} {:.0}%){}",
                r.prediction.intent(),
                r.prediction.confidence() * 100.0,
                runner.0,
                runner.1 * 100.0,
                if words.is_empty() { String::new() } else { format!("; words: {}", words.join(", ")) }
            )
        },
        contribution: round3(r.prediction.confidence() as f64),
    }];
    why.extend(r.triage.signals.iter().map(|s| WhyOut {
        signal: s.signal.into(),
        detail: s.detail.clone(),
        contribution: round3(s.contribution as f64),
    }));
    why
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn classified(text: &str, r: &Read) -> Classified {
    Classified {
        text: text.to_string(),
        intent: r.prediction.intent().as_str().into(),
        confidence: round3(r.prediction.confidence() as f64),
        entities: r
            .entities
            .iter()
            .map(|e| EntityOut { kind: e.kind.as_str().into(), value: e.value.clone(), deadline: e.deadline })
            .collect(),
        sentiment: r.reading.sentiment.as_str().into(),
        escalate: r.triage.escalate,
        why: why_of(r),
        priority: r.triage.priority,
        priority_label: r.triage.priority_label().into(),
        deadline: r.triage.deadline.map(|d| d.to_string()),
    }
}

/// Checks a message from outside and reads it with the current engine.
fn read_input(app: &App, input: &MessageIn, caller: Caller) -> Result<(std::sync::Arc<Support>, Read)> {
    check_text(&input.text)?;
    let at = parse_at(input.at.as_deref(), app.clock.now_secs())?;
    let engine = app.engines.support()?;
    let customer = input.customer_id.as_deref();
    let r = read(&engine, &app.store, &input.text, at, customer, input.order_id.as_deref(), caller)?;
    Ok((engine, r))
}

/// Classifies one message.
pub fn classify(app: &App, input: &MessageIn, caller: Caller) -> Result<Classified> {
    let (_, r) = read_input(app, input, caller)?;
    Ok(classified(&input.text, &r))
}

fn drafted(engine: &Support, question: &str, r: &Read) -> Answered {
    let facts = r.facts.as_ref().map(|f| facts_text(f, &engine.settings));
    let d = answer::draft_best(&engine.kb, question, facts.as_deref(), &answer::Settings::default());
    let mut why = why_of(r);
    let best = d.considered.first().map(|h| &engine.kb.passages[h.passage]);
    match (&d.text, best) {
        (Some(_), _) => {
            for c in &d.citations {
                let hit = d.considered.iter().find(|h| h.passage == *c);
                why.push(WhyOut {
                    signal: "passage".into(),
                    detail: format!(
                        "\u{201c}{}\u{201d} ({}) covers {:.0}% of the question",
                        engine.kb.passages[*c].heading,
                        engine.kb.passages[*c].source,
                        hit.map_or(0.0, |h| h.coverage) * 100.0
                    ),
                    contribution: round3(hit.map_or(0.0, |h| h.coverage) as f64),
                });
            }
        }
        (None, Some(p)) => why.push(WhyOut {
            signal: "not_covered".into(),
            detail: format!(
                "no passage covers enough of the question: the best, \u{201c}{}\u{201d}, covers {:.0}%",
                p.heading,
                d.confidence * 100.0
            ),
            contribution: 1.0,
        }),
        (None, None) if engine.kb.is_empty() => why.push(WhyOut {
            signal: "not_covered".into(),
            detail: "the knowledge base is empty: import the brand's help pages with `loupe import kb`"
                .into(),
            contribution: 1.0,
        }),
        (None, None) => why.push(WhyOut {
            signal: "not_covered".into(),
            detail: "no passage shares a word with the question".into(),
            contribution: 1.0,
        }),
    }
    Answered {
        question: question.to_string(),
        intent: r.prediction.intent().as_str().into(),
        answer: d.text.clone(),
        citations: d
            .citations
            .iter()
            .map(|c| {
                let p = &engine.kb.passages[*c];
                Citation { source: p.source.clone(), heading: p.heading.clone(), passage: p.text.clone() }
            })
            .collect(),
        confidence: round3(d.confidence as f64),
        escalate: r.triage.escalate || d.text.is_none(),
        why,
    }
}

/// Answers one question from the knowledge base; records which passages it
/// cited when `record` (answers shown to someone, not evaluations).
pub fn answer(app: &App, input: &MessageIn, caller: Caller, record: bool) -> Result<Answered> {
    let (engine, r) = read_input(app, input, caller)?;
    let out = drafted(&engine, &input.text, &r);
    if record {
        record_usage(app, &out)?;
    }
    Ok(out)
}

/// Digits and e-mail addresses masked: a question kept for the knowledge
/// base's page says what was asked, not who asked.
fn mask(question: &str) -> String {
    let mut out = String::with_capacity(question.len());
    for word in question.split_inclusive(char::is_whitespace) {
        if word.contains('@') {
            out.push_str("[email]");
            out.extend(word.chars().filter(|c| c.is_whitespace()));
        } else {
            out.extend(word.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }));
        }
    }
    out.chars().take(200).collect()
}

fn record_usage(app: &App, a: &Answered) -> Result<()> {
    for c in &a.citations {
        let key = format!("{}#{}", c.source, c.heading);
        let mut u: Usage = app
            .store
            .get_doc(KB_USAGE, &key)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        u.count += 1;
        u.questions.insert(0, mask(&a.question));
        u.questions.truncate(5);
        app.store.put_doc(KB_USAGE, &key, &serde_json::to_string(&u).map_err(Error::internal)?)?;
    }
    Ok(())
}

/// Imports (or re-imports, replacing) one knowledge-base source.
pub fn import_kb(app: &App, source: &str, text: &str, format: Option<kb::Format>) -> Result<KbImported> {
    import_kb_into(&app.store, app.clock.now_secs(), source, text, format)
}

/// Reads a `--format`/`format=` value for a knowledge-base source.
pub fn parse_kb_format(s: &str) -> Result<kb::Format> {
    kb::Format::parse(s)
        .ok_or_else(|| Error::new(Code::InvalidKb, format!("format {s:?}: use markdown, html or csv")))
}

/// [`import_kb`] on a store, at `now` (Unix seconds).
pub fn import_kb_into(
    store: &store::Store,
    now: i64,
    source: &str,
    text: &str,
    format: Option<kb::Format>,
) -> Result<KbImported> {
    let source = source.trim();
    if source.is_empty() || source.len() > 200 {
        return Err(Error::new(
            Code::InvalidKb,
            "a knowledge-base source needs a name of 1 to 200 characters",
        ));
    }
    if text.len() > MAX_KB_BYTES {
        return Err(Error::new(
            Code::InvalidKb,
            format!("{source}: {} bytes; the most is {MAX_KB_BYTES}", text.len()),
        ));
    }
    let format = match format.or_else(|| kb::Format::guess(source)) {
        Some(f) => f,
        None if text.trim_start().starts_with('<') => kb::Format::Html,
        None => kb::Format::Markdown,
    };
    let (passages, skipped) =
        kb::parse(source, text, format).map_err(|e| Error::new(Code::InvalidKb, format!("{source}: {e}")))?;
    let replaced = match store.get_doc(KB, source)? {
        Some(json) => serde_json::from_str::<KbSource>(&json).map(|s| s.passages.len()).unwrap_or(0),
        None => 0,
    };
    let doc = KbSource {
        source: source.to_string(),
        format: format.as_str().into(),
        imported_at: now,
        passages: passages
            .iter()
            .map(|p| StoredPassage { heading: p.heading.clone(), text: p.text.clone(), line: p.line })
            .collect(),
    };
    let json = serde_json::to_string(&doc).map_err(Error::internal)?;
    store.put_doc_counted(KB, source, Some(&json), VERSION)?;
    let all = store.list_docs(KB)?;
    let total = all
        .iter()
        .filter_map(|(_, j)| serde_json::from_str::<KbSource>(j).ok())
        .map(|s| s.passages.len())
        .sum();
    Ok(KbImported {
        source: source.to_string(),
        format: format.as_str().into(),
        passages: passages.len(),
        replaced,
        sources: all.len(),
        passages_total: total,
        skipped: skipped.iter().map(|e| e.to_string()).collect(),
    })
}

/// Every passage with its use.
pub fn kb_list(app: &App) -> Result<KbList> {
    let usage: HashMap<String, Usage> = app
        .store
        .list_docs(KB_USAGE)?
        .into_iter()
        .filter_map(|(k, j)| serde_json::from_str(&j).ok().map(|u| (k, u)))
        .collect();
    let mut sources = Vec::new();
    let mut passages = Vec::new();
    for (_, json) in app.store.list_docs(KB)? {
        let s: KbSource = serde_json::from_str(&json).map_err(Error::internal)?;
        for p in s.passages {
            let u = usage.get(&format!("{}#{}", s.source, p.heading));
            passages.push(KbPassage {
                source: s.source.clone(),
                heading: p.heading,
                text: p.text,
                line: p.line,
                used: u.map_or(0, |u| u.count),
                questions: u.map(|u| u.questions.clone()).unwrap_or_default(),
            });
        }
        sources.push(s.source);
    }
    Ok(KbList { sources, passages })
}

fn sla_out(c: &sla::Clock) -> SlaOut {
    SlaOut {
        due: c.due.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        met_at: c.met_at.map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        minutes_left: c.minutes_left,
        breached: c.breached,
    }
}

fn utc(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn clocks(t: &Ticket, settings: &Settings, now: i64) -> (sla::Clock, sla::Clock) {
    let hours = settings.hours();
    let start = utc(t.created_at);
    (
        sla::clock(&hours, start, settings.first_response_hours, t.first_response_at().map(utc), utc(now)),
        sla::clock(&hours, start, settings.resolution_hours, t.resolved_at().map(utc), utc(now)),
    )
}

pub(crate) fn ticket_read(engine: &Support, store: &store::Store, t: &Ticket) -> Result<Read> {
    read(
        engine,
        store,
        &t.customer_text(),
        t.created_at,
        t.customer_id.as_deref(),
        t.order_id.as_deref(),
        Caller::Trusted,
    )
}

/// Which tickets a queue shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    Open,
    Escalated,
    Closed,
    All,
}

impl Show {
    pub fn parse(s: Option<&str>) -> Result<Show> {
        Ok(match s.unwrap_or("open") {
            "open" => Show::Open,
            "escalated" => Show::Escalated,
            "closed" => Show::Closed,
            "all" => Show::All,
            other => {
                return Err(Error::new(
                    Code::InvalidQuery,
                    format!("`status` {other:?}: use open, escalated, closed or all"),
                ))
            }
        })
    }
}

pub const QUEUE_PAGE: usize = 50;

/// The agent queue: open cases by priority, then by the first-response
/// clock's due time.
pub fn queue(app: &App, show: Show, page: usize) -> Result<Queue> {
    let engine = app.engines.support()?;
    let now = app.clock.now_secs();
    let mut rows: Vec<(QueueItem, Option<DateTime<Utc>>)> = Vec::new();
    let (mut open, mut escalated, mut breached) = (0, 0, 0);
    for t in app.store.tickets()? {
        let is_open = t.status == "open";
        if show == Show::Closed && is_open || matches!(show, Show::Open | Show::Escalated) && !is_open {
            continue;
        }
        let r = ticket_read(&engine, &app.store, &t)?;
        let (first, resolution) = clocks(&t, &engine.settings, now);
        if is_open {
            open += 1;
            escalated += r.triage.escalate as usize;
            breached += (first.breached || resolution.breached) as usize;
        }
        if show == Show::Escalated && !r.triage.escalate {
            continue;
        }
        let intent = t.corrected_intent.clone().unwrap_or_else(|| r.prediction.intent().as_str().into());
        rows.push((
            QueueItem {
                id: t.id.clone(),
                created_at: rfc3339(t.created_at),
                channel: t.channel.clone(),
                subject: t.subject.clone(),
                customer_id: t.customer_id.clone(),
                order_id: t.order_id.clone(),
                status: t.status.clone(),
                intent,
                sentiment: r.reading.sentiment.as_str().into(),
                escalate: r.triage.escalate,
                priority: r.triage.priority,
                priority_label: r.triage.priority_label().into(),
                deadline: r.triage.deadline.map(|d| d.to_string()),
                first_response: sla_out(&first),
                resolution: sla_out(&resolution),
                signals: r
                    .triage
                    .signals
                    .iter()
                    .filter(|s| s.contribution > 0.0)
                    .map(|s| s.signal.to_string())
                    .collect(),
            },
            first.due,
        ));
    }
    rows.sort_by(|a, b| {
        let closed = |q: &QueueItem| q.status != "open";
        closed(&a.0)
            .cmp(&closed(&b.0))
            .then(b.0.priority.cmp(&a.0.priority))
            .then(a.1.cmp(&b.1))
            .then(a.0.id.cmp(&b.0.id))
    });
    let total = rows.len();
    let pages = total.div_ceil(QUEUE_PAGE).max(1);
    let page = page.clamp(1, pages);
    let items = rows.into_iter().skip((page - 1) * QUEUE_PAGE).take(QUEUE_PAGE).map(|r| r.0).collect();
    Ok(Queue { total, open, escalated, breached, page, pages, items })
}

/// The sentence of the customer's words that best says what they want:
/// the one with most of the intent's evidence, a question first on ties.
fn wants(text: &str, evidence: &[(String, f32)]) -> String {
    let sentences = answer::sentences(text);
    let best = sentences.iter().max_by(|a, b| {
        let score = |s: &str| -> f32 {
            let w = support::text::words(s);
            evidence.iter().filter(|(e, _)| w.contains(e)).map(|(_, v)| v).sum::<f32>()
                + if s.ends_with('?') { 0.01 } else { 0.0 }
        };
        score(a).total_cmp(&score(b))
    });
    best.map(|s| s.chars().take(300).collect()).unwrap_or_default()
}

/// The case view: the thread, the summary, the suggested reply, the clocks.
pub fn ticket_view(app: &App, id: &str) -> Result<TicketView> {
    let t = app.store.ticket(id)?.ok_or_else(|| Error::not_found(format!("ticket {id:?}")))?;
    let engine = app.engines.support()?;
    let text = t.customer_text();
    let r = ticket_read(&engine, &app.store, &t)?;
    let (first, resolution) = clocks(&t, &engine.settings, app.clock.now_secs());
    let mut earlier = Vec::new();
    if let Some(c) = &t.customer_id {
        for other in app.store.tickets()? {
            if other.id != t.id && other.customer_id.as_ref() == Some(c) && other.created_at <= t.created_at {
                let intent = match &other.corrected_intent {
                    Some(i) => i.clone(),
                    None => engine.classifier.predict(&other.customer_text()).intent().as_str().into(),
                };
                earlier.push(EarlierTicket {
                    id: other.id.clone(),
                    created_at: rfc3339(other.created_at),
                    subject: other.subject.clone(),
                    intent,
                    status: other.status.clone(),
                });
            }
        }
        earlier.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        earlier.truncate(10);
    }
    let orders = match &t.customer_id {
        Some(c) => customer_orders(app, c)?,
        None => Vec::new(),
    };
    let deadlines = r.entities.iter().filter(|e| e.deadline).map(|e| e.value.clone()).collect();
    let suggested = drafted(&engine, &text, &r);
    let intent = r.prediction.intent();
    Ok(TicketView {
        id: t.id.clone(),
        created_at: rfc3339(t.created_at),
        channel: t.channel.clone(),
        subject: t.subject.clone(),
        customer_id: t.customer_id.clone(),
        order_id: t.order_id.clone(),
        contact: t.contact.clone(),
        status: t.status.clone(),
        messages: t
            .messages
            .iter()
            .map(|m| MessageOut {
                at: rfc3339(m.at),
                from: m.from.clone(),
                author: m.author.clone(),
                body: m.body.clone(),
            })
            .collect(),
        summary: Summary {
            intent: intent.as_str().into(),
            intent_label: intent.label().into(),
            corrected_intent: t.corrected_intent.clone(),
            wants: wants(&text, &r.prediction.evidence),
            sentiment: r.reading.sentiment.as_str().into(),
            deadlines,
            order: r.facts.as_ref().map(|f| facts_out(f, &engine.settings)),
            orders,
            earlier_tickets: earlier,
        },
        classified: classified(&text, &r),
        suggested,
        first_response: sla_out(&first),
        resolution: sla_out(&resolution),
    })
}

/// The customer's orders, newest first (at most 20).
fn customer_orders(app: &App, customer: &str) -> Result<Vec<PastOrder>> {
    let loaded = app.engines.scorecard()?;
    let mut by_order: BTreeMap<&str, PastOrder> = BTreeMap::new();
    for l in loaded.lines.iter().filter(|l| l.customer_id.as_deref() == Some(customer) && l.quantity > 0) {
        let o = by_order.entry(l.order_id.as_str()).or_insert_with(|| PastOrder {
            order_id: l.order_id.clone(),
            ordered_on: date_of(l.ordered_at).to_string(),
            total: 0.0,
            currency: String::new(),
            items: 0,
        });
        o.items += l.quantity as usize;
        if let Some(p) = l.unit_price {
            o.total += (p.minor * l.quantity) as f64 / 100.0;
            o.currency = p.currency.as_str().to_string();
        }
    }
    let mut out: Vec<PastOrder> = by_order.into_values().collect();
    out.sort_by(|a, b| b.ordered_on.cmp(&a.ordered_on).then(b.order_id.cmp(&a.order_id)));
    out.truncate(20);
    Ok(out)
}

fn load(app: &App, id: &str) -> Result<Ticket> {
    app.store.ticket(id)?.ok_or_else(|| Error::not_found(format!("ticket {id:?}")))
}

/// An agent's reply, recorded in the thread (and in the audit log).
pub fn reply(app: &App, id: &str, input: &ReplyIn, actor: &str) -> Result<TicketView> {
    check_text(&input.body)?;
    let mut t = load(app, id)?;
    let now = app.clock.now_secs();
    let author = input.author.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| actor.to_string());
    t.messages.push(TicketMessage {
        at: now.max(t.created_at),
        from: "agent".into(),
        body: input.body.clone(),
        author: Some(author.clone()),
    });
    if input.close {
        t.status = "closed".into();
    }
    app.store.put_ticket(&t, None)?;
    app.store.append_audit(store::AuditEntry {
        at: now,
        actor: actor.to_string(),
        action: "support_reply".into(),
        subject: format!("ticket:{id}"),
        decision_json:
            serde_json::json!({"author": author, "closed": input.close, "chars": input.body.chars().count()})
                .to_string(),
        why_json: "[]".into(),
    })?;
    ticket_view(app, id)
}

/// An agent's correction of a case's intent: kept on the ticket and learnt
/// by the next model (built when the engine is next asked for).
pub fn correct(app: &App, id: &str, input: &IntentIn, actor: &str) -> Result<TicketView> {
    let intent = Intent::parse(input.intent.trim()).ok_or_else(|| {
        Error::new(
            Code::InvalidMessage,
            format!(
                "`intent` {:?} is not one of: {}",
                input.intent,
                Intent::ALL.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )
    })?;
    let mut t = load(app, id)?;
    let now = app.clock.now_secs();
    let before = t.corrected_intent.clone();
    let author = input.author.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| actor.to_string());
    t.corrected_intent = Some(intent.as_str().into());
    t.corrected_by = Some(author.clone());
    t.corrected_at = Some(now);
    app.store.put_ticket(&t, Some(VERSION))?;
    app.store.append_audit(store::AuditEntry {
        at: now,
        actor: actor.to_string(),
        action: "support_intent_corrected".into(),
        subject: format!("ticket:{id}"),
        decision_json: serde_json::json!({"intent": intent.as_str(), "before": before, "author": author})
            .to_string(),
        why_json: "[]".into(),
    })?;
    ticket_view(app, id)
}

/// A new message (`POST /v1/tickets`): a new ticket, or the next message of
/// the one named by `id`.
pub fn receive(app: &App, input: &TicketIn, caller: Caller) -> Result<TicketReceived> {
    check_text(&input.body)?;
    let now = app.clock.now_secs();
    let id = input.id.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(i) = id {
        if i.len() > 100 || i.chars().any(char::is_control) {
            return Err(Error::new(Code::InvalidMessage, "`id` must be at most 100 printable characters"));
        }
    }
    let existing = match id {
        Some(i) => app.store.ticket(i)?,
        None => None,
    };
    let created = existing.is_none();
    let mut t = match existing {
        Some(t) => t,
        None => Ticket {
            id: id.map(String::from).unwrap_or_else(|| new_id(now)),
            created_at: now,
            customer_id: input.customer_id.clone().filter(|c| !c.trim().is_empty()),
            order_id: input
                .order_id
                .clone()
                .map(|o| o.trim().trim_start_matches('#').to_string())
                .filter(|o| !o.is_empty()),
            channel: input.channel.clone().unwrap_or_else(|| "api".into()),
            contact: input
                .contact
                .clone()
                .map(|c| c.trim().chars().take(200).collect())
                .filter(|c: &String| !c.is_empty()),
            subject: input.subject.clone().unwrap_or_default(),
            messages: Vec::new(),
            status: "open".into(),
            corrected_intent: None,
            corrected_by: None,
            corrected_at: None,
        },
    };
    t.messages.push(TicketMessage {
        at: now.max(t.created_at),
        from: "customer".into(),
        body: input.body.clone(),
        author: None,
    });
    t.status = "open".into();
    app.store.put_ticket(&t, None)?;
    let engine = app.engines.support()?;
    let r = read(
        &engine,
        &app.store,
        &t.customer_text(),
        now,
        t.customer_id.as_deref(),
        t.order_id.as_deref(),
        caller,
    )?;
    if created {
        crate::decisions::log_triage(app, triage_record(app, &t.id, &r));
    }
    Ok(TicketReceived {
        id: t.id.clone(),
        created,
        messages: t.messages.len(),
        escalate: r.triage.escalate,
        priority_label: r.triage.priority_label().into(),
    })
}

/// The decision-log record of a case's triage as `r` read it (no words of
/// the customer's: the intent, the outcome and the signals' codes).
fn triage_record(app: &App, id: &str, r: &Read) -> store::NewDecision {
    let intent = r.prediction.ranked.first().map(|(i, _)| i.as_str()).unwrap_or("other");
    let signals: Vec<serde_json::Value> = r
        .triage
        .signals
        .iter()
        .map(|s| serde_json::json!({ "signal": s.signal, "contribution": s.contribution }))
        .collect();
    crate::decisions::triage_decision(
        app,
        id,
        intent,
        r.triage.escalate,
        r.triage.priority_label(),
        serde_json::json!(signals),
    )
}

/// Records the triage of every open case the decision log has none of
/// (cases imported from a help desk reach the queue without passing through
/// `receive`); returns how many. Runs after a tickets import and when the
/// server starts.
pub fn log_untriaged(app: &App) -> Result<usize> {
    // Nodes starting together on a shared store take turns: the second
    // finds the first one's entries and logs nothing twice.
    let _one = app.store.lease("support_triage")?;
    let mut logged = std::collections::HashSet::new();
    app.store.for_each_decision(|d| {
        if d.kind == "support_triage" {
            logged.insert(d.subject);
        }
        true
    })?;
    let open: Vec<Ticket> = app
        .store
        .tickets()?
        .into_iter()
        .filter(|t| t.status == "open" && !logged.contains(&format!("ticket:{}", t.id)))
        .collect();
    if open.is_empty() {
        return Ok(0);
    }
    let engine = app.engines.support()?;
    let mut batch = Vec::with_capacity(open.len());
    for t in &open {
        let r = ticket_read(&engine, &app.store, t)?;
        batch.push(triage_record(app, &t.id, &r));
    }
    app.store.append_decisions(&batch)?;
    Ok(batch.len())
}

fn new_id(now: i64) -> String {
    let mut b = [0u8; 4];
    let _ = getrandom::getrandom(&mut b);
    format!("W{now}-{}", hex::encode(b))
}
