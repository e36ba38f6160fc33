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
                    "forgot customer {}: {} events deleted, {} order lines anonymized, {} support tickets deleted; the store file was rewritten without them",
                    done.customer_id,
                    done.events_deleted,
                    done.order_lines_anonymized,
                    done.tickets_deleted
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
