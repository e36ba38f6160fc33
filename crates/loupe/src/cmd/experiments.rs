//! `loupe experiments`: the experiments subcommand group. The statistics
//! subcommands live in [`super::experiments_stats`]; others join [`Sub`].

use super::experiments_stats::{self, StatsCommand};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand, Debug)]
pub enum Sub {
    #[command(flatten)]
    Stats(StatsCommand),
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Sub::Stats(command) => experiments_stats::run(command),
    }
}
