//! Customer privacy: forgetting a customer deletes their events, blanks their
//! id on order lines (the sales stay, anonymous), drops the trained
//! recommender so nothing learnt from them answers again, and records the
//! request in the audit log without the id it was asked to forget.

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
    let out = engines.store().forget_customer(id, engines.clock().now_secs())?;
    engines.forget_learned();
    let done = Forgotten {
        customer_id: id.to_string(),
        events_deleted: out.events_deleted,
        order_lines_anonymized: out.order_lines_anonymized,
    };
    engines.store().append_audit(store::AuditEntry {
        at: engines.clock().now_secs(),
        actor: actor.to_string(),
        action: "forget_customer".into(),
        subject: "customer".into(),
        decision_json: json!({"events_deleted": done.events_deleted, "order_lines_anonymized": done.order_lines_anonymized}).to_string(),
        why_json: json!([{"signal": "request", "detail": via, "contribution": 1.0}]).to_string(),
    })?;
    Ok(done)
}
