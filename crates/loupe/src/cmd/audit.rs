//! `loupe audit list|export|prune|verify`: the hash-chained decision log (issue
//! 18). `verify` recomputes the chain of the store, or of an export file
//! (`--file`), and names the first entry that breaks it; it exits 1 when
//! one does. Goes through a running server when one holds the data
//! directory (except `verify --file`, which reads only the file).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::wire::decisions::{DecisionsPage, PruneOut, VerifyOut};

use super::Opened;
use crate::out::outln;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Filter {
    /// care_message, care_delivery, care_retry, replenishment_decision, support_reply, ...
    #[arg(long)]
    kind: Option<String>,
    /// customer:ID (found by its pseudonym), order:ID, sku:SKU, ticket:ID, ...
    #[arg(long)]
    subject: Option<String>,
    /// From this day (YYYY-MM-DD) or instant (RFC 3339).
    #[arg(long)]
    from: Option<String>,
    /// To this day (inclusive) or instant.
    #[arg(long)]
    to: Option<String>,
}

impl Filter {
    fn query(&self) -> app::Result<app::decisions::Query> {
        app::decisions::Query::parse(
            self.kind.as_deref(),
            self.subject.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
    }

    fn params(&self) -> String {
        let mut p = String::new();
        for (k, v) in
            [("kind", &self.kind), ("subject", &self.subject), ("from", &self.from), ("to", &self.to)]
        {
            if let Some(v) = v {
                p.push_str(&format!("&{k}={}", encode(v)));
            }
        }
        p
    }
}

#[derive(clap::Subcommand, Debug)]
pub enum AuditCommand {
    /// The newest decisions first, with who or what decided and why.
    List {
        #[command(flatten)]
        filter: Filter,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        #[arg(long)]
        json: bool,
    },
    /// The log as JSON Lines, oldest first, exactly as stored: a full export verifies on its own
    /// (`loupe audit verify --file`).
    Export {
        #[command(flatten)]
        filter: Filter,
    },
    /// Retention: removes the entries recorded before a day (never the newest entry) and leaves a
    /// checkpoint signed with the store's secret, from which `verify` still checks the chain.
    Prune {
        /// Remove entries recorded before this day (YYYY-MM-DD, UTC).
        #[arg(long, required_unless_present = "older_than", conflicts_with = "older_than")]
        before: Option<String>,
        /// Remove entries older than this (`365d`, `2160h`).
        #[arg(long, value_name = "DURATION")]
        older_than: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// How often the storefront's decisions are recorded (searches a merchandising rule changed,
    /// recommendations shown, experiment assignments); support triage and care messages always are.
    Sampling {
        /// Set the fraction recorded, 0 to 1 (default 0.01).
        #[arg(long)]
        rate: Option<f64>,
        #[arg(long)]
        json: bool,
    },
    /// Recomputes the hash chain and names the first entry that breaks it (exit 1 if one does).
    Verify {
        /// Check this export (JSON Lines from `loupe audit export`) instead of the store.
        #[arg(long)]
        file: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        AuditCommand::List { filter, limit, offset, json } => {
            let page: DecisionsPage = match super::open(data)? {
                Opened::Local(app) => {
                    app::decisions::list(&app, &filter.query()?, offset, limit.clamp(1, 1000))?
                }
                Opened::Server(server) => server
                    .get_json(&format!("/v1/decisions?limit={limit}&offset={offset}{}", filter.params()))?,
            };
            if json {
                outln!("{}", serde_json::to_string(&page)?);
                return Ok(());
            }
            if page.items.is_empty() {
                outln!("No decisions match. Loupe records them as care messages are decided and sent, and as people decide (replenishment, support).");
            }
            for d in &page.items {
                outln!("{} #{} {:<22} {:<28} by {}", &d.at[..19], d.seq, d.kind, d.subject, d.actor);
                outln!("    {}", d.output);
            }
            if page.next_cursor.is_some() {
                outln!(
                    "{} of {}; more: --offset {}",
                    page.items.len(),
                    page.total,
                    offset + page.items.len()
                );
            }
        }
        AuditCommand::Export { filter } => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            match super::open(data)? {
                Opened::Local(app) => {
                    app::decisions::export(&app, &filter.query()?, &mut out)?;
                }
                Opened::Server(server) => {
                    let response = server
                        .get(&format!("/v1/decisions/export?{}", filter.params().trim_start_matches('&')))?;
                    if !(200..300).contains(&response.status) {
                        return Err(response.error());
                    }
                    out.write_all(&response.body)?;
                }
            }
            out.flush()
                .or_else(|e| if e.kind() == std::io::ErrorKind::BrokenPipe { Ok(()) } else { Err(e) })?;
        }
        AuditCommand::Prune { before, older_than, json } => {
            let day = match (before, older_than) {
                (Some(day), _) => app::care::parse_date("--before", &day)?,
                (None, Some(age)) => {
                    let secs = super::keys::parse_duration("--older-than", &age)?;
                    let now = super::system_clock().now_secs();
                    chrono::DateTime::from_timestamp(now - secs, 0).unwrap_or_default().date_naive()
                }
                (None, None) => anyhow::bail!("say --before DATE or --older-than DURATION"),
            };
            let out: PruneOut = match super::open(data)? {
                Opened::Local(app) => {
                    let before_ms =
                        day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()).unwrap_or(0);
                    app::decisions::prune(&app, before_ms, "cli")?
                }
                Opened::Server(server) => server
                    .post(
                        &format!("/v1/decisions/prune?before={day}"),
                        "application/json",
                        &mut std::io::empty(),
                        0,
                    )?
                    .json()?,
            };
            if json {
                outln!("{}", serde_json::to_string(&out)?);
            } else if out.removed == 0 {
                outln!("Nothing recorded before {day} to remove; {} entries kept.", out.kept);
            } else {
                let cp = out.checkpoint.as_ref();
                outln!(
                    "Removed {} entries recorded before {day}; {} kept. The chain now starts after entry {} (signed checkpoint).",
                    out.removed,
                    out.kept,
                    cp.map_or(0, |c| c.through_seq)
                );
            }
        }
        AuditCommand::Sampling { rate, json } => {
            let app = match super::open(data)? {
                Opened::Local(app) => app,
                Opened::Server(server) => {
                    anyhow::bail!(
                        "a server holds {}: stop it to change the sampling rate ({})",
                        data.display(),
                        server.url()
                    )
                }
            };
            let s = match rate {
                Some(r) => app::decisions::set_sampling(&app, r)?,
                None => app::decisions::sampling(&app)?,
            };
            if json {
                outln!("{}", serde_json::json!({ "rate": s.rate }));
            } else {
                outln!(
                    "{}% of storefront decisions are recorded (searches changed by a rule, recommendations, experiment assignments).",
                    s.rate * 100.0
                );
            }
        }
        AuditCommand::Verify { file, json } => {
            let v: VerifyOut = match &file {
                Some(f) => {
                    let reader = std::io::BufReader::new(
                        std::fs::File::open(f).with_context(|| format!("Failed to open {}", f.display()))?,
                    );
                    app::decisions::verify_export(reader, &f.display().to_string())?
                }
                None => match super::open(data)? {
                    Opened::Local(app) => app::decisions::verify(&app)?,
                    Opened::Server(server) => server.get_json("/v1/decisions/verify")?,
                },
            };
            if json {
                outln!("{}", serde_json::to_string(&v)?);
            } else if v.ok {
                let from = match (&v.checkpoint, v.checkpoint_signature.as_deref()) {
                    (Some(cp), Some("verified")) => format!(" from the signed checkpoint after entry {}", cp.through_seq),
                    (Some(cp), _) => format!(
                        " from the checkpoint after entry {} (its signature needs the store: run `loupe audit verify` there)",
                        cp.through_seq
                    ),
                    (None, _) => String::new(),
                };
                outln!("{}: {} entries, the chain holds{from}", v.source, v.entries);
            } else {
                outln!(
                    "{}: the chain breaks at entry {}: {}",
                    v.source,
                    v.first_broken.unwrap_or(0),
                    v.problem.as_deref().unwrap_or("")
                );
            }
            if !v.ok {
                std::process::exit(1);
            }
        }
    }
    Ok(())
}
