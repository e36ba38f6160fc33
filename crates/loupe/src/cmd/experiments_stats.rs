//! `loupe experiments analyze | srm | power`: the statistics of the
//! `experiments` crate on the command line, for analysts and for the
//! agreement check against gbstats (`bench/experiments/gbstats_compare.py`).
//! Values in, values out: no store is opened.

use std::io::{BufRead as _, Read as _};

use ::experiments::stats::{self, Analysis, Config, Engine, PowerInput, ReadOut, Statistic};
use anyhow::Context as _;
use serde::Deserialize;

use crate::out::outln;

/// The statistics subcommands, kept apart from the experiment-management ones.
#[derive(clap::Subcommand, Debug)]
pub enum StatsCommand {
    /// Compare B with A: JSON Lines on stdin, `{"A": STAT, "B": STAT, "config": {...}}`,
    /// one result line each on stdout (gbstats' read-outs).
    Analyze(AnalyzeArgs),
    /// Sample-ratio check: the chi-square p-value of the users per arm against the weights.
    Srm(SrmArgs),
    /// Power and minimum detectable effect (at 80% power): one JSON object on stdin.
    Power(PowerArgs),
}

#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// Print JSON Lines instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct SrmArgs {
    /// Users per arm, control first: 1000,1200.
    #[arg(long, value_delimiter = ',', required = true)]
    pub users: Vec<f64>,
    /// The arms' traffic weights (default: equal). Arms of weight 0 are left out.
    #[arg(long, value_delimiter = ',')]
    pub weights: Vec<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct PowerArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: StatsCommand) -> anyhow::Result<()> {
    match command {
        StatsCommand::Analyze(args) => analyze(args),
        StatsCommand::Srm(args) => srm(args),
        StatsCommand::Power(args) => power(args),
    }
}

/// One line of `analyze`'s input.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyzeLine {
    #[serde(rename = "A")]
    a: Statistic,
    #[serde(rename = "B")]
    b: Statistic,
    #[serde(default)]
    config: Config,
}

fn analyze(args: AnalyzeArgs) -> anyhow::Result<()> {
    let stdin = std::io::stdin().lock();
    for (i, line) in stdin.lines().enumerate() {
        let line = line.context("Failed to read standard input")?;
        if line.trim().is_empty() {
            continue;
        }
        let number = i + 1;
        let analysis = match serde_json::from_str::<AnalyzeLine>(&line) {
            Ok(input) => stats::analyze(&input.a, &input.b, &input.config),
            // A bad line still gets its output line, so that outputs stay
            // aligned with inputs; the error names the line.
            Err(err) => Analysis::failed(engine_of(&line), unreadable(number, &err)),
        };
        if args.json {
            outln!("{}", serde_json::to_string(&analysis)?);
        } else {
            outln!("{}", describe(number, &analysis));
        }
        if crate::out::closed() {
            break;
        }
    }
    Ok(())
}

/// "line 3, column 17: missing field `B`": serde's message, placed in the input.
fn unreadable(number: usize, err: &serde_json::Error) -> String {
    let mut message = err.to_string();
    // serde_json ends with " at line 1 column N": the line is always 1 here.
    if let Some(at) = message.rfind(" at line ") {
        message.truncate(at);
    }
    format!("line {number}, column {}: {message}", err.column())
}

/// The engine a line asked for, when its config can be read that far.
fn engine_of(line: &str) -> Engine {
    let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
    match value.pointer("/config/engine").and_then(|e| e.as_str()) {
        Some("bayesian") => Engine::Bayesian,
        _ => Engine::Frequentist,
    }
}

fn describe(number: usize, a: &Analysis) -> String {
    if let Some(err) = &a.error {
        // A line that could not be read already names itself.
        let err = err.strip_prefix(&format!("line {number}, ")).unwrap_or(err);
        return format!("line {number}: error: {err}");
    }
    let bound = |x: f64| if x.is_finite() { format!("{x:.5}") } else { format!("{x}") };
    let ci = format!("[{}, {}]", bound(a.ci[0]), bound(a.ci[1]));
    match &a.read_out {
        ReadOut::Frequentist { p_value, p_value_error } => {
            let p = match (p_value, p_value_error) {
                (Some(p), _) => format!("p = {p:.5}"),
                (None, Some(e)) => format!("p-value: {e}"),
                (None, None) => "no p-value".to_string(),
            };
            format!("line {number}: effect {:.5} (interval {ci}), {p}", a.expected)
        }
        ReadOut::Bayesian { chance_to_win, risk } => format!(
            "line {number}: effect {:.5} (credible interval {ci}), chance to win {:.5}, risk {:.5} (control) {:.5} (treatment)",
            a.expected, chance_to_win, risk[0], risk[1]
        ),
    }
}

fn srm(args: SrmArgs) -> anyhow::Result<()> {
    let weights = if args.weights.is_empty() { vec![1.0; args.users.len()] } else { args.weights };
    anyhow::ensure!(
        weights.len() == args.users.len(),
        "--users has {} arms and --weights {}; give one weight per arm",
        args.users.len(),
        weights.len()
    );
    anyhow::ensure!(
        args.users.iter().chain(&weights).all(|v| v.is_finite() && *v >= 0.0),
        "users and weights must be numbers of at least 0"
    );
    let p_value = stats::srm_p_value(&args.users, &weights);
    if args.json {
        outln!("{}", serde_json::json!({ "p_value": p_value }));
    } else {
        // GrowthBook warns below 0.001.
        let verdict = if p_value < 0.001 { "mismatch: check how users are assigned" } else { "no mismatch" };
        outln!("SRM p-value {p_value:.6} ({verdict})");
    }
    Ok(())
}

fn power(args: PowerArgs) -> anyhow::Result<()> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).context("Failed to read standard input")?;
    let input: PowerInput =
        serde_json::from_str(&text).context("Failed to read the power question (JSON)")?;
    let result = stats::power_analysis(&input);
    if args.json {
        outln!("{}", serde_json::to_string(&result)?);
    } else {
        let show = |v: Option<f64>| v.map(|v| format!("{v:.5}")).unwrap_or_else(|| "-".into());
        outln!("power {}  mde (80% power) {}", show(result.power), show(result.mde));
        if let Some(err) = result.error {
            outln!("note: {err}");
        }
    }
    Ok(())
}
