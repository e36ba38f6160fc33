//! `loupe collections|bundles|placements` (issue 14): merchandising by
//! intent from the terminal, printing the API's wire types with `--json`
//! (one object per line for lists). Goes through a running server when one
//! holds the data directory.

use std::path::Path;

use app::wire::merch::{BundleOut, CollectionOut, CollectionSummary, PlacementsOut};

use super::Opened;
use crate::out::outln;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct CollectionsArgs {
    #[command(subcommand)]
    pub command: CollectionsCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum CollectionsCommand {
    /// Every collection: Loupe's intents, the brand's rules, the catalog's named collections, the categories.
    List {
        /// Print JSON (one object per line for lists).
        #[arg(long)]
        json: bool,
    },
    /// One collection's members in order, each with its strength and reasons.
    #[command(
        after_help = "KEY: an intent (everyday, gifting, bridal, layering, statement, office, travel, \
minimalist, investment), the brand's own key, collection-NAME or category-NAME (`loupe collections list`)."
    )]
    Show {
        /// The collection's key.
        key: String,
        /// Members to print (all with --json).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// Print JSON (one object per line for lists).
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct BundlesArgs {
    #[command(subcommand)]
    pub command: BundlesCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum BundlesCommand {
    /// Proposed and decided bundles, best expected companion revenue first.
    List {
        /// proposed, approved or rejected.
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 30)]
        limit: usize,
        /// Print JSON (one object per line for lists).
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct PlacementsArgs {
    /// A day of the week to plan (YYYY-MM-DD); default: the week after the data ends.
    #[arg(long)]
    week: Option<chrono::NaiveDate>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

pub fn collections(data: &Path, args: CollectionsArgs) -> anyhow::Result<()> {
    match args.command {
        CollectionsCommand::List { json } => {
            let rows: Vec<CollectionSummary> = match super::open(data)? {
                Opened::Local(app) => app::merch::list(&app)?,
                Opened::Server(server) => server.get_all("/v1/collections")?,
            };
            for c in &rows {
                if json {
                    outln!("{}", serde_json::to_string(c)?);
                } else {
                    let mark = if c.ranked { " (ranking saved)" } else { "" };
                    outln!("{:<28} {:<10} {:>5} members{}  {}", c.key, c.kind, c.members, mark, c.name);
                }
            }
            if !json && rows.iter().all(|c| c.members == 0) {
                outln!("No collection has members yet: import a catalog first (loupe import catalog FILE).");
            }
        }
        CollectionsCommand::Show { key, limit, json } => {
            let c: CollectionOut = match super::open(data)? {
                Opened::Local(app) => app::merch::show(&app, &key)?,
                Opened::Server(server) => server.get_json(&format!("/v1/collections/{}", encode(&key)))?,
            };
            if json {
                outln!("{}", serde_json::to_string(&c)?);
                return Ok(());
            }
            outln!("{} ({}): {}", c.name, c.kind, c.description);
            if !c.pins.is_empty() || !c.excludes.is_empty() {
                outln!("pinned: {}; excluded: {}", c.pins.join(", "), c.excludes.join(", "));
            }
            if let Some(w) = &c.weights {
                outln!("saved ranking: {w}");
            }
            for m in c.members.iter().take(limit) {
                let why: Vec<&str> = m.why.iter().map(|r| r.detail.as_str()).collect();
                outln!("{:>3}. {:<40} {:.2}  {}", m.position, m.handle, m.strength, why.join("; "));
            }
            if c.members.is_empty() {
                outln!("No members yet.");
            } else if c.members.len() > limit {
                outln!("... {} more (--limit N, or --json for all)", c.members.len() - limit);
            }
        }
    }
    Ok(())
}

pub fn bundles(data: &Path, args: BundlesArgs) -> anyhow::Result<()> {
    let BundlesCommand::List { status, limit, json } = args.command;
    let rows: Vec<BundleOut> = match super::open(data)? {
        Opened::Local(app) => {
            app::merch::bundles(&app, app::merch::parse_status(status.as_deref())?.as_deref())?
        }
        Opened::Server(server) => server.get_all(&format!(
            "/v1/bundles{}",
            status.as_deref().map(|s| format!("?status={}", encode(s))).unwrap_or_default()
        ))?,
    };
    for b in rows.iter().take(limit) {
        if json {
            outln!("{}", serde_json::to_string(b)?);
        } else {
            let items: Vec<&str> = b.items.iter().map(|i| i.handle.as_str()).collect();
            let rate = match b.attach_rate {
                Some(r) if b.estimated => format!("~{:.1}% (estimate)", 100.0 * r),
                Some(r) => format!("{:.1}%", 100.0 * r),
                None => "unknown".into(),
            };
            outln!(
                "{} {:<9} {} + {}  attach {}  {}",
                b.id,
                b.status,
                b.anchor.handle,
                items.join(", "),
                rate,
                b.evidence.join("; ")
            );
        }
    }
    if !json && rows.is_empty() {
        outln!("No bundles: proposals need orders with two or more pieces (loupe import orders FILE).");
    }
    Ok(())
}

pub fn placements(data: &Path, args: PlacementsArgs) -> anyhow::Result<()> {
    let out: PlacementsOut = match super::open(data)? {
        Opened::Local(app) => app::merch::placements(&app, args.week)?,
        Opened::Server(server) => server.get_json(&format!(
            "/v1/placements{}",
            args.week.map(|w| format!("?week={w}")).unwrap_or_default()
        ))?,
    };
    if args.json {
        outln!("{}", serde_json::to_string(&out)?);
        return Ok(());
    }
    match out.data_until.as_deref() {
        Some(d) => outln!("Week of {} (data until {d}):", out.week),
        None => {
            outln!("Week of {}: no order history yet; import orders (loupe import orders FILE).", out.week);
            return Ok(());
        }
    }
    for c in out.collections.iter().filter(|c| c.slot.is_some()) {
        outln!("  {:<6} {:<28} {}", c.slot.as_deref().unwrap_or(""), c.key, c.evidence.join("; "));
    }
    if out.hero.is_none() {
        outln!("  No collection sold in the four weeks before with stock to support a push.");
    }
    if let Some(lw) = &out.last_week {
        let sold: Vec<String> = lw.sold.iter().take(5).map(|s| format!("{} {}", s.key, s.units)).collect();
        outln!(
            "Last week ({}): suggested {}; sold most: {}",
            lw.week,
            lw.suggested.join(", "),
            sold.join(", ")
        );
        if let Some(r) = lw.hero_rank {
            outln!("  the suggested hero was number {r} by units sold");
        }
    }
    Ok(())
}
