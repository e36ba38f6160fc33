//! `loupe risk orders|customers|decide` (issue 18): explainable risk scores
//! with bands, one JSON object per line with `--json`
//! (`{"order_id", "score", "band", "why"}`,
//! `{"customer_id", "return_abuse_score", "band", "why"}`), and a person's
//! decision on a flagged one, recorded in the decision log. Goes through a
//! running server when one holds the data directory.

use std::path::Path;

use app::wire::risk::{CustomerRiskOut, OrderRiskOut, RiskDecisionIn};

use super::Opened;
use crate::out::outln;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: RiskCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum RiskCommand {
    /// Every order's risk score, riskiest first.
    #[command(after_help = "Signals: first_order_high_value, velocity, return_history, guest_high_value, \
many_units_of_an_expensive_piece. Loupe has no payment or address data: no card or address signals.")]
    Orders {
        /// Only orders at this band or above: approve, review or hold.
        #[arg(long)]
        band: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Every customer's return-abuse score, riskiest first.
    #[command(
        after_help = "Signals: return_rate (shrunk toward the store's), returns, bracketing, return_value."
    )]
    Customers {
        #[arg(long)]
        band: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// A person's decision on an order or a customer, recorded in the decision log.
    Decide {
        /// order:ID or customer:ID.
        subject: String,
        /// approve, hold or refund_review.
        decision: String,
        #[arg(long)]
        by: String,
        #[arg(long)]
        note: Option<String>,
    },
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        RiskCommand::Orders { band, limit, json } => {
            let rows: Vec<OrderRiskOut> = match super::open(data)? {
                Opened::Local(app) => app::risk::orders(&app, app::risk::parse_band(band.as_deref())?)?,
                Opened::Server(server) => server.get_all(&format!(
                    "/v1/risk/orders{}",
                    band.as_deref()
                        .map(|b| format!("?band={}", crate::remote::encode(b)))
                        .unwrap_or_default()
                ))?,
            };
            for o in rows.iter().take(limit) {
                if json {
                    outln!("{}", serde_json::to_string(o)?);
                } else {
                    outln!(
                        "{:<12} {:<7} {:.2}  {} {}",
                        o.order_id,
                        o.band,
                        o.score,
                        o.customer_id.as_deref().unwrap_or("guest"),
                        o.why.iter().map(|w| w.detail.as_str()).collect::<Vec<_>>().join("; ")
                    );
                }
            }
            if !json && rows.is_empty() {
                outln!("No orders. Import orders first (loupe import orders FILE).");
            }
        }
        RiskCommand::Customers { band, limit, json } => {
            let rows: Vec<CustomerRiskOut> = match super::open(data)? {
                Opened::Local(app) => app::risk::customers(&app, app::risk::parse_band(band.as_deref())?)?,
                Opened::Server(server) => server.get_all(&format!(
                    "/v1/risk/customers{}",
                    band.as_deref()
                        .map(|b| format!("?band={}", crate::remote::encode(b)))
                        .unwrap_or_default()
                ))?,
            };
            for c in rows.iter().take(limit) {
                if json {
                    outln!("{}", serde_json::to_string(c)?);
                } else {
                    outln!(
                        "{:<10} {:<7} {:.2}  {} of {} units back; {}",
                        c.customer_id,
                        c.band,
                        c.return_abuse_score,
                        c.units_returned,
                        c.units_bought,
                        c.why.iter().map(|w| w.detail.as_str()).collect::<Vec<_>>().join("; ")
                    );
                }
            }
            if !json && rows.is_empty() {
                outln!("No customers with purchases. Import orders first (loupe import orders FILE).");
            }
        }
        RiskCommand::Decide { subject, decision, by, note } => {
            let input = RiskDecisionIn { subject, decision, by, note };
            let logged: serde_json::Value = match super::open(data)? {
                Opened::Local(app) => {
                    let d = app::risk::decide(&app, &input)?;
                    serde_json::json!({"seq": d.seq, "id": d.id, "subject": d.subject, "override_by": d.override_by})
                }
                Opened::Server(server) => server.send_json("POST", "/v1/risk/decisions", &input)?,
            };
            outln!("{}", serde_json::to_string(&logged)?);
        }
    }
    Ok(())
}
