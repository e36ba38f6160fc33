//! One module per subcommand; `run` dispatches to them.

pub mod bench;
pub mod bench_search;
pub mod customers;
pub mod demo;
pub mod eval;
pub mod export;
pub mod forecast;
pub mod import;
pub mod keys;
pub mod products;
pub mod quality;
pub mod recommend;
pub mod replenish;
pub mod search;
pub mod serve;
pub mod slow_movers;

use crate::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let data = cli.data;
    match cli.command {
        Command::Import(args) => import::run(&data, args),
        Command::Export(args) => export::run(&data, args),
        Command::Quality(args) => quality::run(&data, args),
        Command::Products(args) => products::run(&data, args),
        Command::Keys(args) => keys::run(&data, args),
        Command::Serve(args) => serve::run(&data, args),
        Command::Demo(args) => demo::run(&data, args),
        Command::Search(args) => search::run(&data, args),
        Command::Recommend(args) => recommend::run(&data, args),
        Command::Customers(args) => customers::run(&data, args),
        Command::Forecast(args) => forecast::run(&data, args),
        Command::Replenish(args) => replenish::run(&data, args),
        Command::SlowMovers(args) => slow_movers::run(&data, args),
        Command::Eval(args) => eval::run(&data, args),
        Command::Bench(args) => bench::run(&data, args),
    }
}
