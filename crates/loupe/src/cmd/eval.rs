//! `loupe eval`: offline evaluations, one subcommand per engine.
//!
//! This file is only a dispatcher. Each engine's evaluation lives in its own
//! file under `cmd/eval/` (`search.rs`, `recs.rs`, `forecast.rs`, `normalize.rs`, `support.rs`, `risk.rs`, `merch.rs`), owned by
//! that engine's engineer, so that the three can change without touching
//! each other's code.

mod forecast;
mod merch;
mod normalize;
mod recs;
mod risk;
mod search;
mod support;

use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub which: Which,
}

#[derive(clap::Subcommand, Debug)]
pub enum Which {
    /// Evaluate search relevance.
    Search(search::Args),
    /// Evaluate recommendations on a temporal split of orders.
    Recs(recs::Args),
    /// Evaluate demand forecasts with a rolling origin.
    Forecast(forecast::Args),
    /// Score the catalog normalizer's fields against a labelled truth file.
    Normalize(normalize::Args),
    /// Measure the support engine: intents, escalation, knowledge-base answers, latency.
    Support(support::Args),
    /// Score the return-abuse bands against a truth file (the demo's ground truth).
    Risk(risk::Args),
    /// Score intent collections, bundles and re-ranking against the demo's ground truth.
    Merch(merch::Args),
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    match args.which {
        Which::Search(a) => search::run(data, a),
        Which::Recs(a) => recs::run(data, a),
        Which::Forecast(a) => forecast::run(data, a),
        Which::Normalize(a) => normalize::run(data, a),
        Which::Support(a) => support::run(data, a),
        Which::Risk(a) => risk::run(data, a),
        Which::Merch(a) => merch::run(data, a),
    }
}
