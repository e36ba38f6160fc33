//! Customer privacy: forgetting a customer deletes their events, blanks their
//! id on order lines (the sales stay, anonymous) and rewrites the store's file
//! so that none of it survives in freed pages, drops the trained recommender
//! so nothing learnt from them answers again, scrubs the demo's generated
//! files and lists any other file under the data directory that still names
//! them (see [`crate::traces`]), and records the request in the audit log
//! without the id it was asked to forget.

use serde_json::json;

use crate::engines::Engines;
use crate::error::{Code, Error, Result};
use crate::wire::recs::Forgotten;

/// Forgets `id`; `actor` and `via` say who asked and how, for the audit log.
pub fn forget(engines: &Engines, id: &str, actor: &str, via: &str) -> Result<Forgotten> {
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::new(Code::InvalidPath, "an empty customer id"));
    }
    // Their consent history goes too; the rewrite below leaves no copy of it.
    let consent_deleted = engines.store().delete_doc(crate::care::CONSENT, id)?;
    let out = engines.store().forget_customer(id, engines.clock().now_secs())?;
    engines.forget_learned();
    let traces = match engines.store().dir() {
        Some(dir) => crate::traces::scrub(dir, &dir.join(store::FILE_NAME), id),
        None => crate::traces::Traces::default(),
    };
    if !traces.remaining.is_empty() {
        tracing::warn!(files = ?traces.remaining, "files under the data directory still name a forgotten customer");
    }
    let done = Forgotten {
        customer_id: id.to_string(),
        events_deleted: out.events_deleted,
        order_lines_anonymized: out.order_lines_anonymized,
        tickets_deleted: out.tickets_deleted,
        messages_deleted: out.messages_deleted,
        consent_deleted,
        files_scrubbed: traces.scrubbed,
        files_still_holding: traces.remaining,
    };
    engines.store().append_audit(store::AuditEntry {
        at: engines.clock().now_secs(),
        actor: actor.to_string(),
        action: "forget_customer".into(),
        subject: "customer".into(),
        decision_json: json!({
            "events_deleted": done.events_deleted,
            "order_lines_anonymized": done.order_lines_anonymized,
            "tickets_deleted": done.tickets_deleted,
            "messages_deleted": done.messages_deleted,
            "consent_deleted": done.consent_deleted,
            "files_scrubbed": done.files_scrubbed,
            "files_still_holding": done.files_still_holding,
        })
        .to_string(),
        why_json: json!([{"signal": "request", "detail": via, "contribution": 1.0}]).to_string(),
    })?;
    Ok(done)
}

/// Everything Loupe holds about `id`, in one document (issue 18): order
/// lines, storefront events, support cases, consent, care messages and the
/// decisions the log records about them (found by their pseudonym).
pub fn export(app: &crate::App, id: &str) -> Result<crate::wire::privacy::CustomerExport> {
    use crate::wire::privacy::{CustomerExport, OrderLineOut, TicketMessageOut, TicketOut};
    let id = id.trim();
    if id.is_empty() {
        return Err(Error::new(Code::InvalidPath, "an empty customer id"));
    }
    let time = |secs: i64| crate::support::rfc3339(secs);
    let orders: Vec<OrderLineOut> = app
        .store
        .order_lines()?
        .into_iter()
        .filter(|l| l.customer_id.as_deref() == Some(id))
        .map(|l| OrderLineOut {
            ordered_at: time(l.ordered_at),
            unit_price: l.unit_price.map(|m| m.to_string().split(' ').next().unwrap_or_default().to_string()),
            currency: l.unit_price.map(|m| m.currency.to_string()),
            kind: match l.kind {
                model::LineKind::Sale => "sale",
                model::LineKind::Return => "return",
                model::LineKind::Cancellation => "cancellation",
            }
            .into(),
            order_id: l.order_id,
            line_no: l.line_no,
            sku: l.sku,
            title: l.title,
            quantity: l.quantity,
            country: l.country,
        })
        .collect();
    let events: Vec<serde_json::Value> = app.store.scan_events(i64::MIN, i64::MAX, |scan| {
        let mut out = Vec::new();
        for e in scan.by_ref() {
            if e.customer_id.as_deref() == Some(id) {
                out.push(serde_json::to_value(&e).unwrap_or_default());
            }
        }
        out
    })?;
    let tickets: Vec<TicketOut> = app
        .store
        .tickets()?
        .into_iter()
        .filter(|t| t.customer_id.as_deref() == Some(id))
        .map(|t| TicketOut {
            created_at: time(t.created_at),
            messages: t
                .messages
                .into_iter()
                .map(|m| TicketMessageOut { at: time(m.at), from: m.from, body: m.body })
                .collect(),
            id: t.id,
            channel: t.channel,
            subject: t.subject,
            status: t.status,
            order_id: t.order_id,
            contact: t.contact,
        })
        .collect();
    let messages = crate::outbox::of_customer(app, id)?;
    let key = crate::decisions::pseudonym_key(app)?;
    let pseudonym = crate::decisions::customer_subject(&key, id);
    let query = crate::decisions::Query { subject: Some(pseudonym.clone()), ..Default::default() };
    let decisions = crate::decisions::list(app, &query, 0, usize::MAX)?.items;
    Ok(CustomerExport {
        customer_id: id.to_string(),
        generated_at: time(app.clock.now_secs()),
        pseudonym,
        orders,
        events,
        tickets,
        consent: crate::care::consent(app, id)?,
        messages,
        decisions,
        risk_scores: Vec::new(),
        notes: vec![
            "Order lines stay after an erase, without the customer id, for the books.".into(),
            "Recommendations are computed from the orders and events above; no model keeps a copy once the customer is erased.".into(),
        ],
    })
}
