//! `loupe experiments`: define, list, stop and read experiments, ask a visitor's variation (the
//! same use cases as `/v1/experiments`, sent to a running server when one holds the data), and the
//! statistics on their own ([`super::experiments_stats`]: `analyze`, `srm`, `power`).

use std::io::Read;
use std::path::{Path, PathBuf};

use app::wire::experiments::{Assignment, Experiment, ExperimentSpec, Results, Visitor};

use super::experiments_stats::{self, StatsCommand};
use super::Opened;
use crate::out::outln;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    /// List experiments, newest first.
    List {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Create an experiment from a JSON definition (the body of `POST /v1/experiments`).
    ///
    /// Example: {"key": "catalog-ranking", "target": "search_ranking", "variations": [{"name":
    /// "Learned", "value": "learned"}, {"name": "Catalog only", "value": "catalog_only"}],
    /// "metric": "conversion", "guardrails": ["aov", "return_rate"]}
    Create {
        /// The definition's file; `-` reads standard input.
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Show one experiment, with its GrowthBook definition.
    Show {
        key: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop an experiment: from now on everyone sees the control.
    Stop {
        key: String,
        #[arg(long)]
        json: bool,
    },
    /// Read an experiment's results: visitors per arm, the sample-ratio check, each metric's
    /// read-outs and the verdict.
    Results {
        key: String,
        #[arg(long)]
        json: bool,
    },
    /// The variation a visitor sees (logs the exposure unless --no-expose).
    Assign {
        key: String,
        /// The visitor id.
        #[arg(long)]
        user: String,
        /// Only look: do not log an exposure.
        #[arg(long)]
        no_expose: bool,
        #[arg(long)]
        json: bool,
    },
    #[command(flatten)]
    Stats(StatsCommand),
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.command {
        Sub::Stats(command) => experiments_stats::run(command),
        Sub::List { json } => {
            let all: Vec<Experiment> = match super::open(data)? {
                Opened::Local(app) => app::experiments::list(&app)?,
                Opened::Server(server) => server.get_json("/v1/experiments")?,
            };
            if json {
                outln!("{}", serde_json::to_string(&all)?);
            } else if all.is_empty() {
                outln!("no experiments yet; create one with `loupe experiments create FILE` or in /admin/experiments");
            } else {
                for e in &all {
                    let names: Vec<&str> = e.spec.variations.iter().map(|v| v.name.as_str()).collect();
                    outln!(
                        "{:<24} {:<9} {:<20} {} ({})",
                        e.spec.key,
                        e.status,
                        e.spec.target.as_str(),
                        names.join(" vs "),
                        e.spec.metric.as_str()
                    );
                }
            }
            Ok(())
        }
        Sub::Create { file, json } => {
            let mut text = String::new();
            if file.as_os_str() == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(&file)
                    .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            }
            let spec: ExperimentSpec = serde_json::from_str(&text)
                .map_err(|e| app::Error::new(app::Code::InvalidBody, format!("{}: {e}", file.display())))?;
            let e: Experiment = match super::open(data)? {
                Opened::Local(app) => app::experiments::create(&app, spec)?,
                Opened::Server(server) => {
                    let body = serde_json::to_vec(&spec)?;
                    server
                        .post("/v1/experiments", "application/json", &mut body.as_slice(), body.len() as u64)?
                        .json()?
                }
            };
            print_experiment(&e, json)
        }
        Sub::Show { key, json } => {
            let e: Experiment = match super::open(data)? {
                Opened::Local(app) => app::experiments::get(&app, &key)?,
                Opened::Server(server) => server.get_json(&format!("/v1/experiments/{}", encode(&key)))?,
            };
            print_experiment(&e, json)
        }
        Sub::Stop { key, json } => {
            let e: Experiment = match super::open(data)? {
                Opened::Local(app) => app::experiments::stop(&app, &key)?,
                Opened::Server(server) => server
                    .post(
                        &format!("/v1/experiments/{}/stop", encode(&key)),
                        "application/json",
                        &mut &b"{}"[..],
                        2,
                    )?
                    .json()?,
            };
            print_experiment(&e, json)
        }
        Sub::Results { key, json } => {
            let r: Results = match super::open(data)? {
                Opened::Local(app) => app::experiments::results(&app, &key)?,
                Opened::Server(server) => {
                    server.get_json(&format!("/v1/experiments/{}/results", encode(&key)))?
                }
            };
            if json {
                outln!("{}", serde_json::to_string(&r)?);
                return Ok(());
            }
            let until = chrono::DateTime::from_timestamp_millis(r.until)
                .map_or_else(|| r.until.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
            outln!("{} ({}), outcomes until {until}", r.experiment.spec.key, r.experiment.status);
            for a in &r.arms {
                outln!(
                    "  {:<24} {:>9} visitors (planned {:.1}%)",
                    a.name,
                    a.visitors,
                    a.expected_share * 100.0
                );
            }
            match r.sample_ratio.p_value {
                Some(p) if !r.sample_ratio.ok => outln!("  SAMPLE RATIO MISMATCH: p = {p:.5}"),
                Some(p) => outln!("  sample-ratio check passed: p = {p:.4}"),
                None => {}
            }
            for m in &r.metrics {
                outln!("{} ({}): {}", m.metric.label(), m.role, m.formula);
                for c in &m.comparisons {
                    let s = &c.sequential;
                    let f = &c.frequentist;
                    let bound =
                        |b: Option<f64>| b.map_or("inf".to_string(), |x| format!("{:+.1}%", x * 100.0));
                    match (s.expected, &s.error) {
                        (_, Some(err)) => outln!("  {}: {err}", r.experiment.spec.variations[c.variation].name),
                        (Some(x), None) => outln!(
                            "  {}: {:+.1}% (sequential 95% CI {} to {}; fixed-horizon p {:.4}, Holm {:.4}; chance to win {:.1}%)",
                            r.experiment.spec.variations[c.variation].name,
                            x * 100.0,
                            bound(s.ci.0),
                            bound(s.ci.1),
                            f.p_value.unwrap_or(f64::NAN),
                            f.p_adjusted.unwrap_or(f64::NAN),
                            c.bayesian.chance_to_win.unwrap_or(f64::NAN) * 100.0
                        ),
                        _ => {}
                    }
                }
            }
            for v in &r.verdict {
                outln!("verdict: {v}");
            }
            Ok(())
        }
        Sub::Assign { key, user, no_expose, json } => {
            let visitor = Visitor { id: user.clone(), ..Visitor::default() };
            let a: Assignment = match super::open(data)? {
                Opened::Local(app) => app::experiments::assign(&app, &key, &visitor, !no_expose)?,
                Opened::Server(server) => server.get_json(&format!(
                    "/v1/experiments/assign?key={}&user={}&expose={}",
                    encode(&key),
                    encode(&user),
                    !no_expose
                ))?,
            };
            if json {
                outln!("{}", serde_json::to_string(&a)?);
            } else {
                outln!("{}: variation {} ({}): {}", a.experiment, a.variation, a.name, a.reason);
            }
            Ok(())
        }
    }
}

fn print_experiment(e: &Experiment, json: bool) -> anyhow::Result<()> {
    if json {
        outln!("{}", serde_json::to_string(e)?);
    } else {
        outln!(
            "{} ({}): {}",
            e.spec.key,
            e.status,
            if e.spec.name.is_empty() { &e.spec.key } else { &e.spec.name }
        );
        for (i, v) in e.spec.variations.iter().enumerate() {
            outln!("  {i}: {} = {}", v.name, v.value);
        }
        outln!("  primary metric: {}", e.spec.metric.as_str());
        outln!("  GrowthBook: {}", serde_json::to_string(&e.growthbook)?);
    }
    Ok(())
}
