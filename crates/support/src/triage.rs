//! Whether a person must take a message, why, and how soon.
//!
//! Each signal adds a contribution; a message escalates when they sum to
//! 1 or more. The triggers are 1 each: a request for a person,
//! abuse, legal or counterfeit words, a chargeback threat, a lost or
//! damaged shipment, a health problem, a deadline the delivery will miss,
//! an order over the brand's threshold, an angry or upset customer, a
//! complaint, an unsure classifier, and the learned model
//! ([`crate::escalation`]) at its threshold. An allergy mentioned without a
//! reaction adds 0.3: a question before buying, not a case. Missing an
//! escalation is the costly error, so the lists lean toward recall.

use chrono::NaiveDate;

use crate::classify::Prediction;
use crate::entities::{self, Entity};
use crate::sentiment::{Reading, Sentiment};
use crate::text::words;
use crate::Intent;

/// The brand's triage settings.
#[derive(Clone, Debug)]
pub struct Settings {
    /// An order worth at least this (in the order's currency, minor units)
    /// goes to a person.
    pub high_value_minor: i64,
    /// Below this top probability the classifier is unsure.
    pub low_confidence: f32,
    /// At or above this probability the learned escalation model
    /// ([`crate::escalation`]) escalates on its own (chosen on the dev set).
    pub learned_threshold: f32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { high_value_minor: 100_000, low_confidence: 0.30, learned_threshold: 0.5 }
    }
}

/// What Loupe knows about the order a message is about.
#[derive(Clone, Debug, Default)]
pub struct OrderFacts {
    pub order_id: String,
    /// Total in minor units, and its currency.
    pub value_minor: i64,
    pub currency: String,
    pub ordered_on: Option<NaiveDate>,
    /// The delivery date the brand promised, if any.
    pub promised_by: Option<NaiveDate>,
    /// "ordered", "shipped", "delivered", "returned", "cancelled".
    pub status: String,
    /// Titles bought.
    pub items: Vec<String>,
}

/// One reason toward (or about) the decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    pub signal: &'static str,
    pub detail: String,
    pub contribution: f32,
}

#[derive(Clone, Debug)]
pub struct Triage {
    pub escalate: bool,
    pub signals: Vec<Signal>,
    /// 0 (can wait) to 100 (now).
    pub priority: u8,
    /// The customer's deadline, and the days left to it from the message.
    pub deadline: Option<NaiveDate>,
    pub slack_days: Option<i64>,
}

impl Triage {
    pub fn priority_label(&self) -> &'static str {
        match self.priority {
            75.. => "urgent",
            50..=74 => "high",
            25..=49 => "normal",
            _ => "low",
        }
    }
}

const HUMAN: &[&str] = &[
    "speak to a person",
    "speak to a human",
    "speak to someone",
    "speak with someone",
    "speak with a person",
    "speak to a real",
    "speak with a real",
    "talk to a person",
    "talk to a human",
    "talk to someone",
    "talk with someone",
    "talk to a real",
    "talk with a real",
    "real person",
    "real human",
    "actual person",
    "actual human",
    "human being",
    "a human",
    "an agent",
    "a manager",
    "your manager",
    "supervisor",
    "call me",
    "call me back",
    "phone call",
    "give me a call",
    "someone to call",
    "customer service rep",
    "representative",
    "live agent",
    "live chat with",
    "callback",
    "call back",
    "ring me",
    "phone me",
    "video call",
    "book a call",
    "put me through",
    "member of staff",
    "member of your team",
    "one of your team",
    "someone from your team",
    "speak to somebody",
    "talk to somebody",
    "not a bot",
    "not a robot",
    "stop sending me",
    "canned answer",
    "person please",
    "human please",
    "escalate this",
    "escalate my",
    "owner",
];
const LEGAL: &[&str] = &[
    "fake",
    "counterfeit",
    "knockoff",
    "knock-off",
    "replica",
    "scam",
    "scammed",
    "scammers",
    "fraud",
    "fraudulent",
    "not real",
    "isn't real",
    "isnt real",
    "not genuine",
    "not authentic",
    "misrepresented",
    "misleading",
    "lied",
    "lawyer",
    "attorney",
    "solicitor",
    "legal action",
    "sue",
    "suing",
    "lawsuit",
    "court",
    "small claims",
    "consumer protection",
    "trading standards",
    "better business bureau",
    "bbb",
    "ftc",
    "police",
    "report you",
    "misrepresentation",
    "misrepresenting",
    "false advertising",
    "selling fakes",
    "not even silver",
    "not even gold",
    "not solid",
    "tested as",
    "ombudsman",
    "legal",
    "fraudsters",
];
const CHARGEBACK: &[&str] = &[
    "chargeback",
    "charge back",
    "dispute the charge",
    "disputing the charge",
    "dispute the payment",
    "dispute with my bank",
    "dispute with my card",
    "dispute it with",
    "dispute with paypal",
    "paypal claim",
    "claim with paypal",
    "reverse the charge",
    "call my bank",
    "contact my bank",
    "contacting my bank",
    "credit card company",
    "my card company",
    "open a dispute",
    "file a dispute",
    "filing a dispute",
    "reverse the payment",
    "reverse it",
    "raise a dispute",
    "dispute opened",
    "dispute this",
    "disputing this",
    "filed a claim",
    "claim with my credit card",
    "unauthorised",
    "unauthorized",
    "contacted visa",
    "contacted my bank",
    "call amex",
    "stop the payment",
];
const LOST: &[&str] = &[
    "lost",
    "stolen",
    "never arrived",
    "never received",
    "never came",
    "never got",
    "didn't arrive",
    "didnt arrive",
    "did not arrive",
    "hasn't arrived",
    "has not arrived",
    "not delivered",
    "wasn't delivered",
    "was not delivered",
    "marked as delivered",
    "says delivered",
    "shows delivered",
    "missing",
    "empty box",
    "box was empty",
    "package was empty",
    "arrived damaged",
    "arrived broken",
    "came broken",
    "came damaged",
    "damaged in",
    "broken in transit",
    "crushed",
    "tampered",
    "opened package",
    "wrong address",
    "stole",
    "off the porch",
    "empty jewelry box",
    "empty jewellery box",
    "isnt inside",
    "isn't inside",
    "not inside",
    "wasn't inside",
    "was not inside",
    "torn open",
    "left with a neighbour",
    "left with a neighbor",
    "arrived soaked",
    "arrived wet",
    "arrived crushed",
    "dented",
    "no sign of my delivery",
    "exception",
    "never turned up",
    "didn't turn up",
    "hasn't turned up",
    "not turned up",
    "still no sign",
];
const HEALTH: &[&str] = &[
    "rash",
    "reaction",
    "itchy",
    "itching",
    "itch",
    "burn",
    "burned",
    "burning",
    "blister",
    "swelling",
    "swollen",
    "infected",
    "infection",
    "bleeding",
    "bled",
    "injured",
    "injury",
    "hurt myself",
    "cut myself",
    "cut my",
    "swallowed",
    "choking",
    "choked",
    "hospital",
    "doctor",
    "er visit",
    "green skin",
    "turned my skin",
    "skin turned",
    "irritation",
    "irritated",
    "went green",
    "blisters",
    "scratched my",
    "cut her",
    "cut his",
    "eczema",
    "hives",
    "sore",
    "bleed",
    "itches",
];

fn find<'a>(lower: &str, padded: &str, list: &[&'a str]) -> Vec<&'a str> {
    list.iter()
        .filter(|p| {
            if p.contains(' ') || p.contains('\'') {
                lower.contains(*p)
            } else {
                padded.contains(&format!(" {p} "))
            }
        })
        .copied()
        .collect()
}

fn quoted(found: &[&str]) -> String {
    found.iter().take(3).map(|f| format!("\u{201c}{f}\u{201d}")).collect::<Vec<_>>().join(", ")
}

/// What the other parts of the engine read in one message.
pub struct Evidence<'a> {
    pub text: &'a str,
    pub prediction: &'a Prediction,
    pub reading: &'a Reading,
    pub entities: &'a [Entity],
    /// The learned escalation model's probability and its words, if run.
    pub learned: Option<&'a (f32, Vec<String>)>,
}

/// Triage of one message, written on `today`, about `order` if known.
pub fn triage(m: &Evidence<'_>, order: Option<&OrderFacts>, today: NaiveDate, settings: &Settings) -> Triage {
    let Evidence { text, prediction, reading, entities: found, learned } = *m;
    let lower = text.to_lowercase().replace('\u{2019}', "'");
    let padded = format!(" {} ", words(text).join(" "));
    let mut signals = Vec::new();
    let mut strong =
        |signal: &'static str, detail: String| signals.push(Signal { signal, detail, contribution: 1.0 });

    let human = find(&lower, &padded, HUMAN);
    if prediction.intent() == Intent::HumanAgent && prediction.confidence() >= 0.5 {
        strong(
            "human_request",
            format!("asks for a person (intent human_agent, {:.0}%)", prediction.confidence() * 100.0),
        );
    } else if !human.is_empty() {
        strong("human_request", format!("asks for a person: {}", quoted(&human)));
    }
    if reading.abuse {
        strong("abuse", "insults or profanity".into());
    }
    let legal = find(&lower, &padded, LEGAL);
    if !legal.is_empty() {
        strong("authenticity_legal", format!("authenticity or legal words: {}", quoted(&legal)));
    }
    let chargeback = find(&lower, &padded, CHARGEBACK);
    let dispute = padded.contains(" dispute ") || padded.contains(" disputing ");
    if !chargeback.is_empty()
        || dispute
            && (padded.contains(" charge ")
                || padded.contains(" bank ")
                || padded.contains(" card ")
                || padded.contains(" paypal "))
    {
        let detail = if chargeback.is_empty() {
            "mentions disputing the payment".into()
        } else {
            format!("payment dispute: {}", quoted(&chargeback))
        };
        strong("chargeback", detail);
    }
    // "What happens if my parcel gets lost?" asks about the policy: a loss
    // only counts when it is not hypothetical.
    let hypothetical = [
        "what happens if",
        "what if",
        "in case",
        "if it gets",
        "if my",
        "if the parcel",
        "if a parcel",
        "ever gets",
    ]
    .iter()
    .any(|h| lower.contains(h));
    let lost = if hypothetical { Vec::new() } else { find(&lower, &padded, LOST) };
    if !lost.is_empty() {
        let value = order
            .map(|o| format!("; order worth {} {}", money(o.value_minor), o.currency))
            .unwrap_or_default();
        strong("lost_or_damaged", format!("shipment lost or damaged: {}{value}", quoted(&lost)));
    }
    let health = find(&lower, &padded, HEALTH);
    if !health.is_empty() {
        strong("health_safety", format!("health or safety: {}", quoted(&health)));
    }
    // An allergy asked about before buying is a product question; with a
    // reaction (above) it is a health problem.
    let allergy_only = health.is_empty()
        && (padded.contains(" allergic ") || padded.contains(" allergy ") || padded.contains(" allergies "));
    if let Some(o) = order {
        if o.value_minor >= settings.high_value_minor {
            strong(
                "high_value",
                format!(
                    "order {} is worth {} {} (threshold {})",
                    o.order_id,
                    money(o.value_minor),
                    o.currency,
                    money(settings.high_value_minor)
                ),
            );
        }
    }
    let deadline = entities::deadline(found);
    let slack_days = deadline.map(|d| (d - today).num_days());
    if let Some(d) = deadline {
        let promised = order.and_then(|o| o.promised_by);
        let delivered = order.is_some_and(|o| o.status == "delivered");
        match promised {
            _ if delivered => {}
            Some(p) if p > d => strong("deadline_at_risk", format!("needed by {d}, promised for {p}")),
            None if (d - today).num_days() <= 3 => strong(
                "deadline_at_risk",
                format!("needed by {d}, {} days away, no promised date", (d - today).num_days()),
            ),
            _ => {}
        }
    }
    if let Some((p, words)) = learned {
        if *p >= settings.learned_threshold {
            let cue =
                if words.is_empty() { String::new() } else { format!("; its words: {}", words.join(", ")) };
            signals.push(Signal {
                signal: "learned",
                detail: format!("a model trained on labelled messages puts it at {:.0}%{cue}", p * 100.0),
                contribution: 1.0,
            });
        }
    }
    if allergy_only {
        signals.push(Signal {
            signal: "health_safety",
            detail: "mentions an allergy, no reaction".into(),
            contribution: 0.3,
        });
    }
    match reading.sentiment {
        Sentiment::Angry if !reading.abuse => signals.push(Signal {
            signal: "negative_sentiment",
            detail: format!("angry: {}", reading.cues.iter().take(3).cloned().collect::<Vec<_>>().join(", ")),
            contribution: 1.0,
        }),
        Sentiment::Negative => signals.push(Signal {
            signal: "negative_sentiment",
            detail: format!("upset: {}", reading.cues.iter().take(3).cloned().collect::<Vec<_>>().join(", ")),
            contribution: 1.0,
        }),
        _ => {}
    }
    if prediction.confidence() < settings.low_confidence {
        signals.push(Signal {
            signal: "low_confidence",
            detail: format!(
                "unsure of the intent: {} {:.0}%, {} {:.0}%",
                prediction.ranked[0].0,
                prediction.ranked[0].1 * 100.0,
                prediction.ranked[1].0,
                prediction.ranked[1].1 * 100.0
            ),
            contribution: 1.0,
        });
    } else if prediction.intent() == Intent::Complaint {
        signals.push(Signal { signal: "complaint", detail: "a complaint".into(), contribution: 1.0 });
    }
    let total: f32 = signals.iter().map(|s| s.contribution).sum();
    let escalate = total >= 1.0 - 1e-6;

    // Priority: escalation first, then money, feelings and time left.
    let mut priority = if escalate { 50.0 } else { 10.0 };
    if let Some(o) = order {
        priority += (10.0 * ((o.value_minor.max(100) as f64 / 100.0).log10() - 1.0)).clamp(0.0, 20.0);
    }
    priority += match reading.sentiment {
        Sentiment::Angry => 15.0,
        Sentiment::Negative | Sentiment::Anxious => 8.0,
        _ => 0.0,
    };
    if let Some(s) = slack_days {
        priority += match s {
            ..=2 => 20.0,
            3..=7 => 10.0,
            _ => 3.0,
        };
    }
    Triage { escalate, signals, priority: priority.clamp(0.0, 100.0) as u8, deadline, slack_days }
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}
