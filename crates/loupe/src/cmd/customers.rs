//! `loupe customers forget ID`: the right to be forgotten. Deletes the
//! customer's events and blanks their id on order lines (the sales stay,
//! anonymous, so demand history remains true). Recommenders are trained from
//! the store, so the next training has nothing of theirs; a running server
//! drops its model when asked through `DELETE /v1/customers/{id}`.

use std::path::Path;

use anyhow::Context;
use server::wire::recs::Forgotten;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Forget a customer: delete their events, anonymize their order lines.
    Forget {
        /// The customer id.
        id: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.action {
        Action::Forget { id, json } => {
            let id = id.trim().to_string();
            let store = super::products::open_store(data)?;
            let out =
                store.forget_customer(&id).with_context(|| "Failed to forget the customer".to_string())?;
            store
                .append_audit(store::AuditEntry {
                    at: chrono::Utc::now().timestamp(),
                    actor: "cli".into(),
                    action: "forget_customer".into(),
                    // The audit log must not keep the id it was asked to forget.
                    subject: "customer".into(),
                    decision_json: serde_json::json!({"events_deleted": out.events_deleted, "order_lines_anonymized": out.order_lines_anonymized}).to_string(),
                    why_json: serde_json::json!([{"signal": "request", "detail": "loupe customers forget", "contribution": 1.0}]).to_string(),
                })
                .context("Failed to write the audit log")?;
            let done = Forgotten {
                customer_id: id,
                events_deleted: out.events_deleted,
                order_lines_anonymized: out.order_lines_anonymized,
            };
            if json {
                println!("{}", serde_json::to_string(&done)?);
            } else {
                println!(
                    "forgot customer {}: {} events deleted, {} order lines anonymized",
                    done.customer_id, done.events_deleted, done.order_lines_anonymized
                );
            }
            Ok(())
        }
    }
}
