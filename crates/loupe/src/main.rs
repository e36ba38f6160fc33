//! The `loupe` binary: parses the command line and hands off to the crates.
//!
//! Each subcommand lives in its own module under `cmd/`; this file only holds
//! the global options, the dispatch, and the one place errors are reported.

mod cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Loupe: catalog, search, recommendations and demand planning for jewelry brands.
#[derive(Parser, Debug)]
#[command(name = "loupe", version, about, long_about = None)]
pub struct Cli {
    /// Directory of the embedded store.
    #[arg(long, global = true, env = "LOUPE_DATA", default_value = "loupe-data")]
    pub data: PathBuf,

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
    /// Offline evaluations (search, recs, forecast).
    Eval(cmd::eval::Args),
    /// Benchmarks (import throughput and the like).
    Bench(cmd::bench::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // One line for the reason, then the chain of causes.
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
