//! Support tickets in customers' own words: shipping delays, ring sizing,
//! care, authenticity, repairs, engraving, gift deadlines and angry messages,
//! tied to real orders and their deadlines. The topic and sentiment are kept
//! as ground truth for a future support-triage evaluation.

use chrono::{Duration, NaiveDate};
use model::Category;
use rand::Rng;

use crate::calendar::Occasion;
use crate::catalog::SimProduct;
use crate::customers::Customer;
use crate::rng::{chance, pick, SimRng};
use crate::shop::OrderMeta;

#[derive(Clone, Debug)]
pub struct Ticket {
    pub id: u32,
    pub day: u32,
    pub sec: u32,
    pub customer: Option<u32>,
    pub order: Option<u32>,
    pub channel: &'static str,
    pub subject: String,
    pub body: String,
    /// The date by which the customer needs the piece, if they said so.
    pub deadline: Option<NaiveDate>,
    // Hidden labels.
    pub topic: &'static str,
    pub sentiment: &'static str,
}

const OPENERS: &[&str] = &[
    "Hi,",
    "Hello,",
    "Hi there!",
    "Good morning,",
    "Hey",
    "Dear Loupe Demo team,",
    "",
    "To whom it may concern,",
];
const CLOSERS: &[&str] =
    &["Thanks!", "Thank you so much.", "Thanks in advance", "Best,", "Regards", "", "Please advise.", "thx"];

fn pick_str(rng: &mut SimRng, items: &[&'static str]) -> &'static str {
    let s: &&'static str = pick(rng, items);
    s
}

fn fill(template: &str, order: &str, title: &str, date: &str) -> String {
    template.replace("{order}", order).replace("{title}", title).replace("{date}", date)
}

pub(crate) fn generate(
    rng: &mut SimRng,
    start: NaiveDate,
    days: u32,
    orders: &[OrderMeta],
    products: &[SimProduct],
    customers: &[Customer],
) -> Vec<Ticket> {
    let mut out: Vec<Ticket> = Vec::new();
    for o in orders {
        let first = &products[o.lines[0].0 as usize];
        let order_name = format!("#LP{}", 100_000 + o.order_no);
        let date_of = |d: u32| (start + Duration::days(d as i64)).format("%B %-d").to_string();
        let deadline = o.occasion.and_then(|oc| oc.deadline(start + Duration::days(o.day as i64)));
        let mut add = |rng: &mut SimRng,
                       after: (u32, u32),
                       topic: &'static str,
                       sentiment: &'static str,
                       subject: &str,
                       text: String,
                       deadline: Option<NaiveDate>| {
            let day = o.day + rng.gen_range(after.0..after.1);
            if day >= days {
                return;
            }
            let opener = *pick(rng, OPENERS);
            let closer = *pick(rng, CLOSERS);
            let mut body = format!("{opener} {text} {closer}").trim().to_string();
            if sentiment == "angry" && chance(rng, 0.4) {
                body = body.to_uppercase();
            }
            out.push(Ticket {
                id: 0,
                day,
                sec: rng.gen_range(0..86_400),
                customer: o.customer,
                order: Some(o.order_no),
                channel: pick_str(rng, &["email", "email", "chat", "contact_form"]),
                subject: subject.to_string(),
                body,
                deadline,
                topic,
                sentiment,
            });
        };
        let title = first.title.as_str();
        let near_deadline =
            deadline.is_some_and(|d| (d - (start + Duration::days(o.day as i64))).num_days() <= 10);
        if chance(rng, if near_deadline { 0.05 } else { 0.008 }) {
            let angry = chance(rng, 0.3);
            let text = if angry {
                fill(
                    pick_str(rng, &[
                        "Order {order} STILL hasn't shipped and the tracking hasn't moved in 5 days. This is unacceptable, I paid for express shipping. I want a refund for shipping or I'm disputing the charge.",
                        "Where is my order {order}?? I've emailed twice with no answer. Worst customer service ever.",
                        "My {title} was supposed to arrive days ago. If it doesn't come by {date} I'm cancelling and never ordering again.",
                    ]),
                    &order_name,
                    title,
                    &deadline.map(|d| d.format("%B %-d").to_string()).unwrap_or_else(|| "Friday".into()),
                )
            } else {
                fill(
                    pick_str(rng, &[
                        "I placed order {order} on {date} and the tracking hasn't updated. Could you check where it is?",
                        "Just checking on the status of {order}, the {title}. It says label created but nothing since.",
                        "Has order {order} shipped yet? I haven't received a tracking number.",
                    ]),
                    &order_name,
                    title,
                    &date_of(o.day),
                )
            };
            add(
                rng,
                (3, 9),
                "shipping_delay",
                if angry { "angry" } else { "neutral" },
                "Where is my order?",
                text,
                deadline,
            );
        }
        if first.category.is_ring() && chance(rng, if o.bracketed { 0.3 } else { 0.03 }) {
            let text = fill(
                pick_str(rng, &[
                    "The {title} from order {order} is too small, can I exchange it for a half size up?",
                    "I ordered a few sizes of the {title} to find the right fit, how do I return the ones that don't fit?",
                    "My ring ({order}) spins on my finger. Do you offer resizing or should I exchange it?",
                    "What size should I get? I'm a 6 in most brands but your size guide says 6.5.",
                ]),
                &order_name,
                title,
                "",
            );
            add(rng, (4, 15), "ring_sizing", "neutral", "Ring size exchange", text, None);
        }
        if chance(rng, 0.005) {
            let text = fill(
                pick_str(rng, &[
                    "How should I clean my {title}? It's looking a little dull.",
                    "Can I wear my {title} in the shower or the pool?",
                    "My silver piece from {order} is tarnishing already, is that normal? How do I care for it?",
                ]),
                &order_name,
                title,
                "",
            );
            add(rng, (10, 90), "care", "neutral", "Care question", text, None);
        }
        if o.total > 150_000 && chance(rng, 0.03) {
            let text = fill(
                pick_str(rng, &[
                    "Does the {title} come with a certificate of authenticity? I'd like the grading report for insurance.",
                    "How do I know the diamond in {order} is real? The paperwork didn't include an IGI number.",
                    "Can you send an appraisal for order {order}? My insurer needs it.",
                ]),
                &order_name,
                title,
                "",
            );
            add(rng, (2, 30), "authenticity", "neutral", "Certificate / appraisal", text, None);
        }
        if chance(rng, 0.003) {
            let text = fill(
                pick_str(rng, &[
                    "The clasp on my {title} broke after a few months. Can it be repaired under warranty?",
                    "A stone fell out of my {title} (order {order}). What are my options?",
                    "The chain from {order} snapped. I'm really disappointed, it wasn't cheap.",
                ]),
                &order_name,
                title,
                "",
            );
            let sentiment = if chance(rng, 0.4) { "negative" } else { "neutral" };
            add(rng, (60, 300), "repair", sentiment, "Repair request", text, None);
        }
        if matches!(
            first.category,
            Category::Pendant | Category::WeddingBand | Category::Cufflinks | Category::Bracelet
        ) && chance(rng, 0.01)
        {
            let text = fill(
                pick_str(rng, &[
                    "Is it too late to add an engraving to order {order}? I'd like our initials and the date inside the band.",
                    "Can you engrave \"Forever\" on the back of the {title}? How long does it add?",
                    "I forgot to add engraving to {order}, can it still be done before it ships?",
                ]),
                &order_name,
                title,
                "",
            );
            add(rng, (0, 2), "engraving", "positive", "Engraving", text, deadline);
        }
        if let (Some(occ), Some(dl)) = (o.occasion, deadline) {
            if chance(rng, 0.03) {
                let who = o.recipient.unwrap_or("her");
                let occ_name = match occ {
                    Occasion::Valentines => "Valentine's Day",
                    Occasion::MothersDay => "Mother's Day",
                    Occasion::FathersDay => "Father's Day",
                    Occasion::Christmas => "Christmas",
                    Occasion::Graduation => "graduation",
                    _ => "the big day",
                };
                let text = format!(
                    "I ordered the {title} ({order_name}) as a gift for {who} for {occ_name}. Will it arrive by {}? If not can I upgrade to express?",
                    dl.format("%B %-d")
                );
                add(rng, (0, 3), "gift_deadline", "anxious", "Will it arrive in time?", text, Some(dl));
            }
        }
        if let Some(c) = o.customer {
            let c = &customers[c as usize];
            if c.serial_returner && chance(rng, 0.05) {
                let text = format!("I sent back my return for {order_name} two weeks ago and still no refund. This is ridiculous, you got the item back.");
                add(rng, (20, 40), "refund", "angry", "Refund not received", text, None);
            }
            // An anniversary deadline from the customer's life.
            for e in c.life_events.iter().filter(|e| e.kind == crate::customers::LifeEventKind::Anniversary) {
                if e.day > o.day && e.day - o.day <= 14 && chance(rng, 0.1) {
                    let dl = start + Duration::days(e.day as i64);
                    let text = format!("Our anniversary is on {}, I need {order_name} delivered before then. Can you confirm it will make it?", dl.format("%B %-d"));
                    add(rng, (1, 2), "gift_deadline", "anxious", "Anniversary gift timing", text, Some(dl));
                }
            }
        }
    }
    out.sort_by_key(|t| (t.day, t.sec, t.order));
    for (i, t) in out.iter_mut().enumerate() {
        t.id = i as u32 + 1;
    }
    out
}
