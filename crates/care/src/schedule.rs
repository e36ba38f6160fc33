//! A purchase's care messages on the calendar, with every suppression said:
//! which message is due when, and which will not go out and why.
//!
//! Rules, in order (the first that applies is the reason):
//! - a line returned or cancelled (a negative line of the same order and
//!   SKU) gets no messages: `returned`;
//! - a guest purchase has no one to write to: `no_customer`;
//! - a forgotten customer gets nothing: `forgotten`;
//! - no consent for the message's channel at its send time (the latest
//!   consent change before it is a grant): `no_consent`;
//! - an open complaint of the customer suppresses what falls due while it is
//!   open: `open_complaint`;
//! - any other open support case pauses it: `paused`;
//! - more than `cap` messages to one customer in seven days: `frequency_cap`.
//!
//! A message is due on its day at the brand's send hour, moved out of the
//! customer's quiet hours (their UTC offset when known).
//!
//! Invariant (property test): nothing `planned` lacks consent at its time.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};

use crate::{plan, Plans};

/// One purchased line.
#[derive(Clone, Debug)]
pub struct Purchase<'a> {
    pub order_id: &'a str,
    pub customer_id: Option<&'a str>,
    pub product: &'a model::Product,
    pub sku: &'a str,
    /// When delivered (estimated), the day messages count from.
    pub delivered_on: NaiveDate,
    /// A negative line of the same order and SKU exists.
    pub returned: bool,
}

/// A consent change of a customer for a channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentChange {
    pub customer_id: String,
    pub channel: String,
    /// Unix seconds.
    pub at: i64,
    pub granted: bool,
}

/// What else the schedule needs to know.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub consent: Vec<ConsentChange>,
    /// Customers with an open support case, and when it was opened (Unix
    /// seconds): messages due from then on are paused.
    pub open_cases: Vec<(String, i64)>,
    /// Customers with an open complaint, and when it was opened.
    pub complaints: Vec<(String, i64)>,
    pub forgotten: Vec<String>,
    /// Customers' UTC offsets in minutes, when known.
    pub utc_offsets: HashMap<String, i32>,
    /// Customers' first names, when known: `{first_name}` in the templates.
    pub first_names: HashMap<String, String>,
}

/// Pacing settings.
#[derive(Clone, Debug)]
pub struct Pacing {
    /// Local hour messages go out.
    pub send_hour: u32,
    /// Local quiet hours: [start, end) wrapping midnight (21 to 8).
    pub quiet_start: u32,
    pub quiet_end: u32,
    /// Most messages to one customer in any seven days.
    pub cap_per_week: usize,
}

impl Default for Pacing {
    fn default() -> Pacing {
        Pacing { send_hour: 10, quiet_start: 21, quiet_end: 8, cap_per_week: 2 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    Planned,
    Suppressed,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    Returned,
    NoCustomer,
    Forgotten,
    NoConsent,
    OpenComplaint,
    Paused,
    FrequencyCap,
}

impl Reason {
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::Returned => "returned",
            Reason::NoCustomer => "no_customer",
            Reason::Forgotten => "forgotten",
            Reason::NoConsent => "no_consent",
            Reason::OpenComplaint => "open_complaint",
            Reason::Paused => "paused",
            Reason::FrequencyCap => "frequency_cap",
        }
    }
}

/// One message on the calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct Scheduled {
    pub order_id: String,
    pub customer_id: Option<String>,
    pub sku: String,
    pub topic: String,
    pub title: String,
    /// Markdown, placeholders filled.
    pub body: String,
    pub channel: String,
    pub why: String,
    /// When it is (or would be) sent, UTC.
    pub at: DateTime<Utc>,
    pub status: Status,
    pub reason: Option<Reason>,
}

/// Whether `customer` has consented to `channel` at `at`: the latest change
/// at or before `at` is a grant.
pub fn consented(consent: &[ConsentChange], customer: &str, channel: &str, at: i64) -> bool {
    consent
        .iter()
        .filter(|c| c.customer_id == customer && c.channel == channel && c.at <= at)
        .max_by_key(|c| c.at)
        .is_some_and(|c| c.granted)
}

/// The send instant of a message due on `day`, moved out of quiet hours.
fn send_time(day: NaiveDate, offset_minutes: i32, pacing: &Pacing) -> DateTime<Utc> {
    let mut hour = pacing.send_hour.min(23);
    let quiet = |h: u32| {
        if pacing.quiet_start <= pacing.quiet_end {
            h >= pacing.quiet_start && h < pacing.quiet_end
        } else {
            h >= pacing.quiet_start || h < pacing.quiet_end
        }
    };
    if quiet(hour) {
        hour = pacing.quiet_end.min(23);
    }
    let local = day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN));
    (local - chrono::Duration::minutes(offset_minutes as i64)).and_utc()
}

/// Every message of `purchases` due in `[from, to]`, planned or suppressed.
pub fn schedule(
    plans: &Plans,
    purchases: &[Purchase<'_>],
    ctx: &Context,
    pacing: &Pacing,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Scheduled> {
    let mut out: Vec<Scheduled> = Vec::new();
    for p in purchases {
        let variant = p.product.variants.iter().find(|v| v.sku == p.sku);
        let first_name = p.customer_id.and_then(|c| ctx.first_names.get(c)).map(String::as_str);
        let care = plan(plans, p.product, variant, first_name);
        let offset = p.customer_id.and_then(|c| ctx.utc_offsets.get(c).copied()).unwrap_or(0);
        for m in care.messages {
            let Some(day) = p.delivered_on.checked_add_days(Days::new(m.day as u64)) else { continue };
            if day < from || day > to {
                continue;
            }
            let at = send_time(day, offset, pacing);
            let reason = match p.customer_id {
                _ if p.returned => Some(Reason::Returned),
                None => Some(Reason::NoCustomer),
                Some(c) if ctx.forgotten.iter().any(|f| f == c) => Some(Reason::Forgotten),
                Some(c) if !consented(&ctx.consent, c, &m.channel, at.timestamp()) => Some(Reason::NoConsent),
                Some(c) if ctx.complaints.iter().any(|(o, since)| o == c && at.timestamp() >= *since) => {
                    Some(Reason::OpenComplaint)
                }
                Some(c) if ctx.open_cases.iter().any(|(o, since)| o == c && at.timestamp() >= *since) => {
                    Some(Reason::Paused)
                }
                Some(_) => None,
            };
            out.push(Scheduled {
                order_id: p.order_id.to_string(),
                customer_id: p.customer_id.map(String::from),
                sku: p.sku.to_string(),
                topic: m.topic,
                title: m.title,
                body: m.body,
                channel: m.channel,
                why: m.why,
                at,
                status: if reason.is_some() { Status::Suppressed } else { Status::Planned },
                reason,
            });
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then(a.order_id.cmp(&b.order_id)).then(a.topic.cmp(&b.topic)));
    // The frequency cap, in time order over what would go out.
    let mut sent: HashMap<String, Vec<DateTime<Utc>>> = HashMap::new();
    for s in out.iter_mut().filter(|s| s.status == Status::Planned) {
        let Some(c) = s.customer_id.clone() else { continue };
        let recent = sent.entry(c).or_default();
        recent.retain(|t| (s.at - *t).num_days() < 7);
        if recent.len() >= pacing.cap_per_week {
            s.status = Status::Suppressed;
            s.reason = Some(Reason::FrequencyCap);
        } else {
            recent.push(s.at);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use model::{Category, Metal, Product, Stone, Variant};
    use proptest::prelude::*;

    use super::*;

    fn pearls() -> Product {
        Product {
            handle: "strand".into(),
            title: "Strand".into(),
            category: Some(Category::Necklace),
            variants: vec![Variant {
                sku: "S1".into(),
                metals: vec![Metal { kind: "gold".into(), ..Metal::default() }],
                stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
                ..Variant::default()
            }],
            ..Product::default()
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn grant(c: &str, at: i64, granted: bool) -> ConsentChange {
        ConsentChange { customer_id: c.into(), channel: "email".into(), at, granted }
    }

    #[test]
    fn each_suppression_says_why() {
        let p = pearls();
        let buy = |order: &'static str, customer: Option<&'static str>, returned: bool| Purchase {
            order_id: order,
            customer_id: customer,
            product: &p,
            sku: "S1",
            delivered_on: day("2024-01-01"),
            returned,
        };
        let purchases = [
            buy("O1", Some("A"), false),
            buy("O2", Some("B"), false),
            buy("O3", None, false),
            buy("O4", Some("C"), true),
            buy("O5", Some("D"), false),
        ];
        let ctx = Context {
            consent: vec![
                grant("A", 0, true),
                grant("C", 0, true),
                grant("D", 0, true),
                grant("D", 1_704_412_800, false),
            ],
            open_cases: vec![],
            complaints: vec![],
            forgotten: vec![],
            utc_offsets: HashMap::from([("A".to_string(), -300)]),
            first_names: HashMap::from([("A".to_string(), "Ana".to_string())]),
        };
        let s = schedule(
            &Plans::builtin(),
            &purchases,
            &ctx,
            &Pacing::default(),
            day("2024-01-01"),
            day("2024-01-31"),
        );
        let reason = |order: &str, topic: &str| {
            s.iter().find(|x| x.order_id == order && x.topic == topic).map(|x| x.reason.clone())
        };
        assert_eq!(reason("O1", "welcome"), Some(None));
        assert_eq!(reason("O2", "welcome"), Some(Some(Reason::NoConsent)));
        assert_eq!(reason("O3", "welcome"), Some(Some(Reason::NoCustomer)));
        assert_eq!(reason("O4", "welcome"), Some(Some(Reason::Returned)));
        // D withdrew consent on 2024-01-05: the welcome (day 2) goes, the pearl guide (day 7) does not.
        assert_eq!(reason("O5", "welcome"), Some(None));
        assert_eq!(reason("O5", "pearl_care"), Some(Some(Reason::NoConsent)));
        // A's messages go at 10:00 New York time, and greet her by name.
        let a = s.iter().find(|x| x.order_id == "O1" && x.topic == "welcome").unwrap();
        assert!(a.body.starts_with("Hi Ana,"), "{}", a.body);
        let b = s.iter().find(|x| x.order_id == "O2" && x.topic == "welcome").unwrap();
        assert!(b.body.starts_with("Hi there,"), "{}", b.body);
        assert_eq!(a.at.to_rfc3339(), "2024-01-03T15:00:00+00:00");
        let paused = schedule(
            &Plans::builtin(),
            &purchases[..1],
            &Context { open_cases: vec![("A".into(), 0)], ..ctx.clone() },
            &Pacing::default(),
            day("2024-01-01"),
            day("2024-01-31"),
        );
        assert!(paused.iter().all(|x| x.reason == Some(Reason::Paused)));
        // A case opened on 2024-01-05 pauses what is due from then on, not before.
        let later = schedule(
            &Plans::builtin(),
            &purchases[..1],
            &Context { open_cases: vec![("A".into(), 1_704_412_800)], ..ctx.clone() },
            &Pacing::default(),
            day("2024-01-01"),
            day("2024-01-31"),
        );
        assert_eq!(later.iter().find(|x| x.topic == "welcome").unwrap().reason, None);
        assert!(later
            .iter()
            .filter(|x| x.at.timestamp() >= 1_704_412_800)
            .all(|x| x.reason == Some(Reason::Paused)));
    }

    #[test]
    fn an_open_complaint_suppresses_and_another_case_pauses() {
        let p = pearls();
        let buy = |order: &'static str, customer: &'static str| Purchase {
            order_id: order,
            customer_id: Some(customer),
            product: &p,
            sku: "S1",
            delivered_on: day("2024-01-01"),
            returned: false,
        };
        let ctx = Context {
            consent: vec![grant("A", 0, true), grant("B", 0, true)],
            complaints: vec![("A".into(), 0)],
            open_cases: vec![("B".into(), 0)],
            ..Context::default()
        };
        let s = schedule(
            &Plans::builtin(),
            &[buy("O1", "A"), buy("O2", "B")],
            &ctx,
            &Pacing::default(),
            day("2024-01-01"),
            day("2024-01-31"),
        );
        assert!(s.iter().filter(|x| x.order_id == "O1").all(|x| x.reason == Some(Reason::OpenComplaint)));
        assert!(s.iter().filter(|x| x.order_id == "O2").all(|x| x.reason == Some(Reason::Paused)));
    }

    #[test]
    fn the_frequency_cap_holds_across_purchases() {
        let p = pearls();
        let purchases: Vec<Purchase> = ["O1", "O2", "O3"]
            .iter()
            .map(|o| Purchase {
                order_id: o,
                customer_id: Some("A"),
                product: &p,
                sku: "S1",
                delivered_on: day("2024-01-01"),
                returned: false,
            })
            .collect();
        let ctx = Context { consent: vec![grant("A", 0, true)], ..Context::default() };
        let s = schedule(
            &Plans::builtin(),
            &purchases,
            &ctx,
            &Pacing::default(),
            day("2024-01-01"),
            day("2024-01-10"),
        );
        let planned = s.iter().filter(|x| x.status == Status::Planned).count();
        assert_eq!(planned, 2, "{s:#?}");
        assert!(s.iter().any(|x| x.reason == Some(Reason::FrequencyCap)));
    }

    proptest! {
        /// No message is ever planned without consent, whatever the
        /// purchases, consent histories and window.
        #[test]
        fn nothing_is_planned_without_consent(
            changes in prop::collection::vec((0usize..3, 0i64..200_000_000, any::<bool>(), prop::sample::select(vec!["email", "sms"])), 0..12),
            deliveries in prop::collection::vec((0usize..3, 0u32..2000, any::<bool>()), 1..6),
            start in 0u32..3000,
            span in 0u32..1500,
        ) {
            let p = pearls();
            let customers = ["A", "B", "C"];
            let base = day("2020-01-01");
            let orders: Vec<String> = (0..deliveries.len()).map(|i| format!("O{i}")).collect();
            let purchases: Vec<Purchase> = deliveries
                .iter()
                .enumerate()
                .map(|(i, (c, d, r))| Purchase {
                    order_id: &orders[i],
                    customer_id: Some(customers[*c]),
                    product: &p,
                    sku: "S1",
                    delivered_on: base + chrono::Duration::days(*d as i64),
                    returned: *r,
                })
                .collect();
            let consent: Vec<ConsentChange> = changes
                .iter()
                .map(|(c, at, g, ch)| ConsentChange { customer_id: customers[*c].into(), channel: ch.to_string(), at: 1_577_836_800 + at, granted: *g })
                .collect();
            let ctx = Context { consent: consent.clone(), ..Context::default() };
            let from = base + chrono::Duration::days(start as i64);
            let to = from + chrono::Duration::days(span as i64);
            for s in schedule(&Plans::builtin(), &purchases, &ctx, &Pacing::default(), from, to) {
                if s.status == Status::Planned {
                    let c = s.customer_id.as_deref().unwrap();
                    prop_assert!(consented(&consent, c, &s.channel, s.at.timestamp()), "{s:?}");
                }
            }
        }
    }
}
