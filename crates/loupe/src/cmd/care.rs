//! `loupe care plan --sku SKU`: a purchased piece's care plan (materials,
//! cautions, and each message with the day after delivery it is due and
//! why), from the built-in plans extended by `--plans FILE`. Goes through a
//! running server when one holds the data directory.

use crate::out::outln;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::wire::care::{CarePlanOut, ScheduleOut};

use super::Opened;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: CareCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum CareCommand {
    /// The care plan of the variant with a SKU.
    #[command(
        after_help = "Cautions: no_ultrasonic, no_steam, no_chemicals, no_perfume_contact, remove_before_swimming, \
no_abrasive_polish, store_separately, store_dry.\n\
Messages: {\"day\" (after delivery), \"topic\", \"title\", \"body\", \"channel\", \"why\"} and \"on\" (the date) with --purchased-on.\n\
Plans: crates/care/data/care-plans.toml is built in; --plans FILE adds or replaces plans by key (same shape)."
    )]
    Plan {
        #[arg(long)]
        sku: String,
        /// The purchase date (YYYY-MM-DD): messages then carry their dates, counted from the estimated delivery.
        #[arg(long)]
        purchased_on: Option<String>,
        /// A TOML file of care plans extending the built-in ones (a plan with the same key replaces it).
        #[arg(long)]
        plans: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// The care calendar: every message due in a window, planned or suppressed with the reason
    /// (returned, no_customer, forgotten, no_consent, paused, frequency_cap).
    Schedule {
        /// First day (YYYY-MM-DD); default today.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD); default a week after --from. At most 366 days.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        plans: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        CareCommand::Plan { sku, purchased_on, plans, json } => {
            let purchased =
                purchased_on.as_deref().map(|d| app::care::parse_date("--purchased-on", d)).transpose()?;
            let extra = match &plans {
                Some(p) => Some(
                    std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
                ),
                None => None,
            };
            let set = app::care::plans(extra.as_deref())?;
            let plan: CarePlanOut = match super::open(data)? {
                Opened::Local(app) => app::care::plan_for_sku(&app, &sku, purchased, &set)?,
                Opened::Server(server) => {
                    if plans.is_some() {
                        anyhow::bail!(
                            "--plans is not sent to a running server; stop it, or leave --plans out"
                        );
                    }
                    let mut path = format!("/v1/care/plan?sku={}", encode(&sku));
                    if let Some(d) = &purchased_on {
                        path.push_str(&format!("&purchased_on={}", encode(d)));
                    }
                    server.get_json(&path)?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&plan)?);
            } else {
                print(&plan);
            }
        }
        CareCommand::Schedule { from, to, plans, json } => {
            let today = super::system_clock().today();
            let from_day = match &from {
                Some(d) => app::care::parse_date("--from", d)?,
                None => today,
            };
            let to_day = match &to {
                Some(d) => app::care::parse_date("--to", d)?,
                None => from_day + chrono::Duration::days(7),
            };
            let extra = match &plans {
                Some(p) => Some(
                    std::fs::read_to_string(p).with_context(|| format!("Failed to read {}", p.display()))?,
                ),
                None => None,
            };
            let set = app::care::plans(extra.as_deref())?;
            let out: ScheduleOut = match super::open(data)? {
                Opened::Local(app) => app::care::schedule(&app, from_day, to_day, &set)?,
                Opened::Server(server) => {
                    if plans.is_some() {
                        anyhow::bail!(
                            "--plans is not sent to a running server; stop it, or leave --plans out"
                        );
                    }
                    server.get_json(&format!("/v1/care/schedule?from={from_day}&to={to_day}"))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&out)?);
            } else {
                print_schedule(&out);
            }
        }
    }
    Ok(())
}

fn print_schedule(s: &ScheduleOut) {
    outln!("{} to {}: {} planned, {} suppressed", s.from, s.to, s.planned, s.suppressed);
    for (reason, n) in &s.by_reason {
        outln!("  suppressed, {reason}: {n}");
    }
    if s.messages.is_empty() {
        outln!("Nothing is due in this window. Import orders (loupe import orders) and widen --from/--to.");
    }
    for m in s.messages.iter().take(200) {
        outln!(
            "{} {:<10} {:<8} {:<18} {} {}{}",
            &m.at[..16],
            m.status,
            m.channel,
            m.topic,
            m.order_id,
            m.customer_id.as_deref().unwrap_or("guest"),
            m.reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default()
        );
    }
    if s.messages.len() > 200 {
        outln!("... and {} more (--json has them all)", s.messages.len() - 200);
    }
}

fn print(p: &CarePlanOut) {
    outln!("{} ({}), SKU {}", p.title, p.handle, p.sku);
    if !p.materials.is_empty() {
        outln!("materials: {}", p.materials.join(", "));
    }
    outln!("cautions:  {}", if p.cautions.is_empty() { "none".to_string() } else { p.cautions.join(", ") });
    if let (Some(d), Some(b)) = (&p.delivered_on, &p.delivery_basis) {
        outln!("delivered: {d} (estimated: {b})");
    }
    for m in &p.messages {
        let when = m.on.clone().unwrap_or_else(|| format!("day {}", m.day));
        outln!("- {when:<11} {:<5} {}: {}", m.channel, m.topic, m.title);
        outln!("    why: {}", m.why);
    }
}
