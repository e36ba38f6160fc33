//! `loupe customers forget ID`: the right to be forgotten. Deletes the
//! customer's events and blanks their id on order lines (the sales stay,
//! anonymous, so demand history remains true), rewrites the store file so no
//! copy survives in freed pages, scrubs the demo's generated files and names
//! every other file under the data directory that still holds the id. Recommenders are trained from
//! the store, so the next training has nothing of theirs; a running server
//! drops its model when asked through `DELETE /v1/customers/{id}`.

use crate::out::outln;
use std::path::Path;

use app::wire::recs::Forgotten;

use super::Opened;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(clap::Subcommand, Debug)]
pub enum Action {
    /// Everything Loupe holds about a customer, as one JSON document (orders, events, support
    /// cases, consent, care messages, decisions about them).
    Export {
        /// The customer id.
        id: String,
        /// Print the JSON document (without it, a summary of what it holds).
        #[arg(long)]
        json: bool,
    },
    /// Forget (erase) a customer: delete their events, support cases, consent and care messages,
    /// anonymize their order lines, rewrite the store file without them.
    #[command(alias = "erase")]
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
        Action::Export { id, json } => {
            let doc: app::wire::privacy::CustomerExport = match super::open(data)? {
                Opened::Local(app) => app::customers::export(&app, &id)?,
                Opened::Server(server) => {
                    server.get_json(&format!("/v1/customers/{}/export", encode(id.trim())))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                outln!(
                    "customer {}: {} order lines, {} events, {} support cases, {} consent changes, {} care messages, {} decisions (as {})",
                    doc.customer_id,
                    doc.orders.len(),
                    doc.events.len(),
                    doc.tickets.len(),
                    doc.consent.history.len(),
                    doc.messages.len(),
                    doc.decisions.len(),
                    doc.pseudonym
                );
                outln!("--json prints the whole document.");
            }
            Ok(())
        }
        Action::Forget { id, json } => {
            let done: Forgotten = match super::open(data)? {
                Opened::Local(app) => {
                    app::customers::forget(&app.engines, &id, "cli", "loupe customers forget")?
                }
                Opened::Server(server) => {
                    server.delete(&format!("/v1/customers/{}", encode(id.trim())))?.json()?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&done)?);
            } else {
                outln!(
                    "forgot customer {}: {} events deleted, {} order lines anonymized, {} support tickets, {} care messages{} deleted; the store file was rewritten without them",
                    done.customer_id,
                    done.events_deleted,
                    done.order_lines_anonymized,
                    done.tickets_deleted,
                    done.messages_deleted,
                    if done.consent_deleted { " and their consent history" } else { "" }
                );
                for file in &done.files_scrubbed {
                    outln!("scrubbed the demo's generated file {file}");
                }
                for file in &done.files_still_holding {
                    outln!("still names the customer (not Loupe's to change; remove or edit it yourself): {file}");
                }
            }
            Ok(())
        }
    }
}
