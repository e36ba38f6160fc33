//! The `loupe` binary: parses the command line and hands off to the crates.
//!
//! Each subcommand lives in its own module under `cmd/`; this file only holds
//! the global options, the dispatch, and the one place errors are reported.

mod cmd;
mod out;
mod remote;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc rather than glibc's malloc: a server whose engines are rebuilt
/// on many threads kept 2.3 GB resident under a ten-minute soak with glibc's
/// per-thread arenas, for a working set under 1 GB (BENCHMARKS.md, "Memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXIT_CODES: &str = "\
Exit status:
  0  success (also when the output pipe closes early, as with `| head`)
  1  the input was wrong: a bad file, mapping, flag or unknown id; the message says what
  2  an internal failure (storage, a bug); the message and the server log have the details

While `loupe serve` or `loupe demo` holds the data directory, search, recommend,
import, products, quality, forecast, replenish, slow-movers and customers go
through that server.";

/// Loupe: catalog, search, recommendations and demand planning for jewelry brands.
#[derive(Parser, Debug)]
#[command(name = "loupe", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Directory of the embedded store.
    #[arg(long, global = true, env = "LOUPE_DATA", default_value = "loupe-data")]
    pub data: PathBuf,

    /// A PostgreSQL database as the store, shared by every node that names it
    /// (postgres://user:password@host:port/db); `loupe migrate` makes its
    /// schema. Without it the store is the embedded one in --data.
    #[arg(long, global = true, env = "LOUPE_STORE", value_name = "URL")]
    pub store: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Import a catalog, orders, inventory or events file.
    Import(cmd::import::Args),
    /// Export the normalized catalog.
    Export(cmd::export::Args),
    /// Show the catalog's data-quality report.
    Quality(cmd::quality::Args),
    /// List or show products.
    Products(cmd::products::Args),
    /// Manage API keys.
    Keys(cmd::keys::Args),
    /// Run the HTTP API and web shell.
    Serve(cmd::serve::Args),
    /// Create or upgrade the schema of a PostgreSQL store (--store).
    Migrate(cmd::migrate::Args),
    /// Generate (or reuse) the demo brand and serve it.
    Demo(cmd::demo::Args),
    /// Search the catalog as a shopper would.
    Search(cmd::search::Args),
    /// Recommend products for a product, customer, cart, session or gift brief.
    Recommend(cmd::recommend::Args),
    /// Customer privacy: forget a customer.
    Customers(cmd::customers::Args),
    /// Forecast demand per variant, product, category or in total.
    Forecast(cmd::forecast::Args),
    /// Replenishment suggestions per variant.
    Replenish(cmd::replenish::Args),
    /// Slow movers, overstock and markdown candidates per variant.
    SlowMovers(cmd::slow_movers::Args),
    /// The scorecard: orders, revenue, conversion, returns, sell-through, stock per period and segment.
    Scorecard(cmd::scorecard::Args),
    /// Customer support: classify a message, answer it from the knowledge base, the agent queue, a case.
    Support(cmd::support::Args),
    /// Post-purchase care: plans, the calendar, consent and the outbox that delivers the messages.
    Care(cmd::care::Args),
    /// The decision log: list, export and verify the hash-chained record of decisions.
    Audit(cmd::audit::Args),
    /// Order risk and return abuse: explainable scores with bands, and a person's decisions.
    Risk(cmd::risk::Args),
    /// Merchandising collections: Loupe's intents, the brand's rules, named collections, categories.
    Collections(cmd::merch::CollectionsArgs),
    /// Bundles ("complete the look") proposed from co-purchase and attributes.
    Bundles(cmd::merch::BundlesArgs),
    /// Which collections deserve the homepage hero, the email and the paid campaign in a week.
    Placements(cmd::merch::PlacementsArgs),
    /// Offline evaluations (search, recs, forecast, support).
    Eval(cmd::eval::Args),
    /// Benchmarks (import throughput and the like).
    Bench(cmd::bench::Args),
    /// Experiments: define, assign and read them; gbstats read-outs (analyze), sample-ratio check (srm), power.
    Experiments(cmd::experiments::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let result = cmd::run(cli);
    out::flush();
    if let Some(failure) = out::failure() {
        eprintln!("error: could not write the output: {failure}");
        return ExitCode::from(2);
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line for the reason, then the chain of causes.
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(exit_code(&err))
        }
    }
}

/// 1 when the user's input was wrong, 2 for an internal failure (see
/// [`EXIT_CODES`]). Errors that carry a code from the table say which;
/// the command line's own checks (a bad flag, a missing file) are input.
fn exit_code(err: &anyhow::Error) -> u8 {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<app::Error>() {
            return if e.is_input() { 1 } else { 2 };
        }
        if let Some(e) = cause.downcast_ref::<app::jobs::Error>() {
            return if e.is_input() { 1 } else { 2 };
        }
        if let Some(e) = cause.downcast_ref::<store::Error>() {
            return if e.is_input() || matches!(e, store::Error::Locked { .. }) { 1 } else { 2 };
        }
    }
    1
}
