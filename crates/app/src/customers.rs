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
    engines.store().delete_doc(crate::care::CONSENT, id)?;
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
            "files_scrubbed": done.files_scrubbed,
            "files_still_holding": done.files_still_holding,
        })
        .to_string(),
        why_json: json!([{"signal": "request", "detail": via, "contribution": 1.0}]).to_string(),
    })?;
    Ok(done)
}
