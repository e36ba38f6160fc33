//! Post-purchase care (issue 17): a purchased piece's care plan from the
//! `care` engine's plans (built in, extended by a brand's file), for a SKU.
//!
//! Dates count from delivery. Loupe has no carrier data, so with a purchase
//! date the delivery day is estimated by the brand's standard delivery
//! promise (the support settings' `promise_business_days`), and the answer
//! says so.

use chrono::{Days, NaiveDate};

use crate::error::{Code, Error, Result};
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::DateTime;

use crate::support::{add_business_days, rfc3339};
use crate::wire::care::{
    CareMessageOut, CarePlanOut, ConsentChangeOut, ConsentIn, ConsentOut, ScheduleOut, ScheduledOut,
};
use crate::App;

/// Documents: a customer's consent history, keyed by customer id.
pub const CONSENT: &str = "consent";

/// The most days a schedule covers at once.
pub const MAX_SCHEDULE_DAYS: i64 = 366;

/// Reads a brand's care-plan file on top of the built-in plans.
pub fn plans(extra: Option<&str>) -> Result<care::Plans> {
    let mut p = care::Plans::builtin();
    if let Some(text) = extra {
        p.extend_from_toml(text).map_err(|e| Error::new(Code::InvalidQuery, e.0))?;
    }
    Ok(p)
}

/// Where a brand's own care plans are kept (TOML text).
const BRAND_PLANS: (&str, &str) = ("settings", "care_plans");

/// The built-in plans extended by the brand's stored file, if any.
pub fn stored_plans(app: &App) -> Result<care::Plans> {
    plans(app.store.get_doc(BRAND_PLANS.0, BRAND_PLANS.1)?.as_deref())
}

/// Stores (or with `None` removes) the brand's plans file, after checking
/// that it reads; every later plan, calendar and delivery uses it.
pub fn put_brand_plans(app: &App, text: Option<&str>) -> Result<care::Plans> {
    let set = plans(text)?;
    match text {
        Some(t) => app.store.put_doc(BRAND_PLANS.0, BRAND_PLANS.1, t)?,
        None => {
            app.store.delete_doc(BRAND_PLANS.0, BRAND_PLANS.1)?;
        }
    }
    Ok(set)
}

/// `YYYY-MM-DD`, or an error naming the field.
pub fn parse_date(field: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| Error::new(Code::InvalidQuery, format!("`{field}` {s:?} is not a date (YYYY-MM-DD)")))
}

/// The care plan of the variant with `sku`.
pub fn plan_for_sku(
    app: &App,
    sku: &str,
    purchased_on: Option<NaiveDate>,
    plans: &care::Plans,
) -> Result<CarePlanOut> {
    let sku = sku.trim();
    if sku.is_empty() {
        return Err(Error::new(Code::InvalidQuery, "`sku` is required"));
    }
    let product = app
        .store
        .product_by_sku(sku)?
        .ok_or_else(|| Error::not_found(format!("a product with SKU {sku:?}")))?;
    let variant = product.variants.iter().find(|v| v.sku == sku);
    let plan = care::plan(plans, &product, variant, None);
    let (delivered_on, basis) = match purchased_on {
        Some(d) => {
            let days = crate::support::settings(app)?.promise_business_days;
            (
                Some(add_business_days(d, days)),
                Some(format!(
                    "the purchase date plus the brand's standard delivery promise of {days} business days"
                )),
            )
        }
        None => (None, None),
    };
    Ok(CarePlanOut {
        sku: sku.to_string(),
        handle: product.handle.clone(),
        title: product.title.clone(),
        materials: plan.materials,
        cautions: plan.cautions.iter().map(|c| c.as_str().to_string()).collect(),
        messages: plan
            .messages
            .into_iter()
            .map(|m| CareMessageOut {
                on: delivered_on
                    .and_then(|d| d.checked_add_days(Days::new(m.day as u64)))
                    .map(|d| d.to_string()),
                day: m.day,
                topic: m.topic,
                title: m.title,
                body: m.body,
                channel: m.channel,
                why: m.why,
            })
            .collect(),
        plans: plan.plans,
        delivered_on: delivered_on.map(|d| d.to_string()),
        delivery_basis: basis,
    })
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Stored {
    pub(crate) changes: Vec<StoredChange>,
    /// Minutes east of UTC, when the customer's offset is known.
    #[serde(default)]
    pub(crate) utc_offset: Option<i32>,
    /// How the brand greets them (`{first_name}` in the templates).
    #[serde(default)]
    pub(crate) first_name: Option<String>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct StoredChange {
    pub(crate) channel: String,
    pub(crate) granted: bool,
    pub(crate) source: String,
    pub(crate) at: i64,
    #[serde(default)]
    pub(crate) address: Option<String>,
    /// A grant waiting for the customer's confirmation (double opt-in):
    /// not consent until confirmed.
    #[serde(default)]
    pub(crate) pending: bool,
}

impl Stored {
    /// The engine's view: pending grants are not consent.
    pub(crate) fn changes_of(&self, customer: &str) -> Vec<care::schedule::ConsentChange> {
        self.changes
            .iter()
            .filter(|c| !c.pending)
            .map(|c| care::schedule::ConsentChange {
                customer_id: customer.to_string(),
                channel: c.channel.clone(),
                at: c.at,
                granted: c.granted,
            })
            .collect()
    }

    /// The address of the latest confirmed grant for `channel`.
    pub(crate) fn address(&self, channel: &str) -> Option<&str> {
        self.changes
            .iter()
            .rev()
            .filter(|c| c.channel == channel && c.granted && !c.pending)
            .find_map(|c| c.address.as_deref())
    }
}

pub(crate) fn consent_of(app: &App, customer: &str) -> Result<Stored> {
    Ok(app.store.get_doc(CONSENT, customer)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

/// Records a consent change (with its source and time) and answers the
/// customer's history. Consent is per channel; the latest change wins.
///
/// When the brand requires double opt-in, a grant from any source but the
/// customer's own confirmation is stored as pending, and a confirmation
/// e-mail goes to the address through the outbox: it counts only once the
/// customer follows its link (`confirm`).
pub fn record_consent(app: &App, input: &ConsentIn) -> Result<ConsentOut> {
    let bad = |m: String| Error::new(Code::InvalidBody, m);
    let customer = input.customer_id.trim();
    if customer.is_empty() || customer.len() > 200 {
        return Err(bad("`customer_id` must be 1 to 200 characters".into()));
    }
    if input.channel != "email" && input.channel != "sms" {
        return Err(bad(format!("`channel` {:?}: use email or sms", input.channel)));
    }
    let source = input.source.trim();
    if source.is_empty() {
        return Err(bad("`source` is required: where the consent was given or withdrawn".into()));
    }
    let address = match input.address.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        None => None,
        Some(a) if input.channel == "email" && !crate::outbox::looks_like_email(a) => {
            return Err(bad(format!("`address` {a:?} is not an e-mail address")));
        }
        Some(a) if a.len() > 254 => return Err(bad("`address` is longer than 254 characters".into())),
        Some(a) => Some(a.to_string()),
    };
    let at = match input.at.as_deref() {
        Some(s) => {
            catalog::parse_datetime(s).ok_or_else(|| bad(format!("`at` {s:?} is not a date (RFC 3339)")))?
        }
        None => app.clock.now_secs(),
    };
    let offset = match input.utc_offset.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
        None => None,
        Some(o) => {
            Some(parse_offset(o).ok_or_else(|| bad(format!("`utc_offset` {o:?}: write +01:00 or -05:00")))?)
        }
    };
    let delivery = crate::outbox::settings(app)?;
    let pending = input.granted && delivery.double_opt_in && source != crate::outbox::CONFIRMED_SOURCE;
    if pending && (input.channel != "email" || address.is_none()) {
        return Err(bad(
            "the brand requires double opt-in: a grant needs the e-mail `address` the confirmation goes to"
                .into(),
        ));
    }
    let mut stored = consent_of(app, customer)?;
    stored.changes.push(StoredChange {
        channel: input.channel.clone(),
        granted: input.granted,
        source: source.to_string(),
        at,
        address: address.clone(),
        pending,
    });
    stored.changes.sort_by_key(|c| c.at);
    if offset.is_some() {
        stored.utc_offset = offset;
    }
    if let Some(name) = input.first_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        stored.first_name = Some(name.chars().take(60).collect());
    }
    let json = serde_json::to_string(&stored).map_err(Error::internal)?;
    if pending {
        let confirmation = crate::outbox::confirmation(
            app,
            &delivery,
            customer,
            address.as_deref().unwrap_or_default(),
            at,
        )?;
        app.store.put_doc(CONSENT, customer, &json)?;
        app.store.enqueue_outbox(&[confirmation], None, &[])?;
    } else {
        app.store.put_doc(CONSENT, customer, &json)?;
    }
    Ok(consent_out(app, customer, &stored))
}

fn consent_out(app: &App, customer: &str, stored: &Stored) -> ConsentOut {
    let now = app.clock.now_secs();
    let changes = stored.changes_of(customer);
    ConsentOut {
        customer_id: customer.to_string(),
        utc_offset: stored.utc_offset.map(format_offset),
        first_name: stored.first_name.clone(),
        email: care::schedule::consented(&changes, customer, "email", now),
        sms: care::schedule::consented(&changes, customer, "sms", now),
        history: stored
            .changes
            .iter()
            .map(|c| ConsentChangeOut {
                channel: c.channel.clone(),
                granted: c.granted,
                source: c.source.clone(),
                at: rfc3339(c.at),
                address: c.address.clone(),
                pending: c.pending,
            })
            .collect(),
    }
}

/// A customer's consent, as `record_consent` answers it.
pub fn consent(app: &App, customer: &str) -> Result<ConsentOut> {
    Ok(consent_out(app, customer, &consent_of(app, customer)?))
}

/// Every care message due from `from` to `to` (inclusive), planned or
/// suppressed with its reason, for every purchased line in the store; with
/// where the outbox has it, once decided.
pub fn schedule(app: &App, from: NaiveDate, to: NaiveDate, plans: &care::Plans) -> Result<ScheduleOut> {
    let scheduled = scheduled(app, from, to, plans)?;
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    for s in &scheduled {
        if let Some(r) = &s.reason {
            *by_reason.entry(r.as_str().to_string()).or_default() += 1;
        }
    }
    let planned = scheduled.iter().filter(|s| s.status == care::schedule::Status::Planned).count();
    Ok(ScheduleOut {
        from: from.to_string(),
        to: to.to_string(),
        planned,
        suppressed: scheduled.len() - planned,
        by_reason,
        messages: scheduled
            .into_iter()
            .map(|s| {
                let delivery = app
                    .store
                    .outbox_message(&crate::outbox::message_id(&s))
                    .ok()
                    .flatten()
                    .map(|m| m.status.as_str().to_string());
                ScheduledOut {
                    at: s.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    status: if s.status == care::schedule::Status::Planned {
                        "planned"
                    } else {
                        "suppressed"
                    }
                    .into(),
                    reason: s.reason.map(|r| r.as_str().to_string()),
                    order_id: s.order_id,
                    customer_id: s.customer_id,
                    sku: s.sku,
                    topic: s.topic,
                    title: s.title,
                    channel: s.channel,
                    why: s.why,
                    delivery,
                }
            })
            .collect(),
    })
}

/// The engine's calendar for `[from, to]`.
pub(crate) fn scheduled(
    app: &App,
    from: NaiveDate,
    to: NaiveDate,
    plans: &care::Plans,
) -> Result<Vec<care::schedule::Scheduled>> {
    if to < from {
        return Err(Error::new(Code::InvalidQuery, format!("`from` {from} is after `to` {to}")));
    }
    if (to - from).num_days() > MAX_SCHEDULE_DAYS {
        return Err(Error::new(Code::InvalidQuery, format!("at most {MAX_SCHEDULE_DAYS} days at once")));
    }
    let promise = crate::support::settings(app)?.promise_business_days;
    let lines = app.store.order_lines()?;
    let returned: HashSet<(&str, &str)> =
        lines.iter().filter(|l| l.quantity < 0).map(|l| (l.order_id.as_str(), l.sku.as_str())).collect();
    let catalog = app.engines.catalog()?;
    let by_sku: HashMap<&str, &model::Product> =
        catalog.iter().flat_map(|p| p.variants.iter().map(move |v| (v.sku.as_str(), p))).collect();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut purchases = Vec::new();
    for l in lines.iter().filter(|l| l.quantity > 0) {
        if !seen.insert((l.order_id.as_str(), l.sku.as_str())) {
            continue;
        }
        let Some(product) = by_sku.get(l.sku.as_str()) else { continue };
        let ordered = DateTime::from_timestamp(l.ordered_at, 0).unwrap_or_default().date_naive();
        let delivered_on = add_business_days(ordered, promise);
        // Messages run at most ten years after delivery.
        if delivered_on > to || (from - delivered_on).num_days() > 3_660 {
            continue;
        }
        purchases.push(care::schedule::Purchase {
            order_id: &l.order_id,
            customer_id: l.customer_id.as_deref(),
            product,
            sku: &l.sku,
            delivered_on,
            returned: returned.contains(&(l.order_id.as_str(), l.sku.as_str())),
        });
    }
    let customers: HashSet<&str> = purchases.iter().filter_map(|p| p.customer_id).collect();
    let mut ctx = care::schedule::Context::default();
    for (customer, json) in app.store.list_docs(CONSENT)? {
        if !customers.contains(customer.as_str()) {
            continue;
        }
        let stored: Stored = serde_json::from_str(&json).map_err(Error::internal)?;
        ctx.consent.extend(stored.changes_of(&customer));
        if let Some(o) = stored.utc_offset {
            ctx.utc_offsets.insert(customer.clone(), o);
        }
        if let Some(n) = &stored.first_name {
            ctx.first_names.insert(customer.clone(), n.clone());
        }
    }
    let cases = open_cases(app)?;
    ctx.complaints = cases.iter().filter(|c| c.complaint).map(|c| (c.customer.clone(), c.opened)).collect();
    ctx.open_cases = cases.into_iter().filter(|c| !c.complaint).map(|c| (c.customer, c.opened)).collect();
    Ok(care::schedule::schedule(plans, &purchases, &ctx, &care::schedule::Pacing::default(), from, to))
}

/// Minutes east of UTC from `Z`, `+01:00`, `-0500` or `+5`; at most 14 hours.
pub fn parse_offset(s: &str) -> Option<i32> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = &s[1..];
    let (h, m) = match rest.split_once(':') {
        Some((h, m)) => (h, m),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    let total = h * 60 + m;
    (h >= 0 && (0..60).contains(&m) && total <= 14 * 60).then_some(sign * total)
}

fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    format!("{sign}{:02}:{:02}", minutes.abs() / 60, minutes.abs() % 60)
}

/// An open support case of a customer.
pub(crate) struct OpenCase {
    pub(crate) customer: String,
    /// Unix seconds.
    pub(crate) opened: i64,
    /// Its intent is a complaint (as an agent corrected it, else as read).
    pub(crate) complaint: bool,
}

/// Customers' open support cases; reading their intents needs the support
/// engine, built only when some case is open.
pub(crate) fn open_cases(app: &App) -> Result<Vec<OpenCase>> {
    let open: Vec<model::Ticket> =
        app.store.tickets()?.into_iter().filter(|t| t.status == "open" && t.customer_id.is_some()).collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let engine = app.engines.support()?;
    let mut out = Vec::with_capacity(open.len());
    for t in open {
        let complaint = match &t.corrected_intent {
            Some(i) => i == "complaint",
            None => {
                crate::support::ticket_read(&engine, &app.store, &t)?.prediction.intent()
                    == support::Intent::Complaint
            }
        };
        out.push(OpenCase { customer: t.customer_id.unwrap_or_default(), opened: t.created_at, complaint });
    }
    Ok(out)
}
