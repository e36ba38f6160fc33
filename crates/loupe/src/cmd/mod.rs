//! One module per subcommand; `run` dispatches to them. Each command parses
//! its flags, calls a use case of the `app` crate (or, while a server holds
//! the data directory, the same use case through that server: see
//! [`open`]) and prints the wire value through `crate::out`.

pub mod audit;
pub mod bench;
pub mod bench_search;
pub mod bench_store;
pub mod care;
pub mod customers;
pub mod demo;
pub mod eval;
pub mod experiments;
pub mod experiments_stats;
pub mod export;
pub mod forecast;
pub mod import;
pub mod keys;
pub mod merch;
pub mod migrate;
pub mod products;
pub mod quality;
pub mod recommend;
pub mod replenish;
pub mod risk;
pub mod scorecard;
pub mod search;
pub mod serve;
pub mod slow_movers;
pub mod support;

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context as _;

use crate::remote::Server;
use crate::{Cli, Command};

/// Where a command runs: on the store itself, or through the server that
/// holds it.
pub enum Opened {
    Local(app::App),
    Server(Server),
}

/// The wall clock, read here (the binary) and nowhere below.
pub fn system_clock() -> app::Clock {
    app::Clock::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    })
}

/// The store's page cache, from `LOUPE_STORE_CACHE_MIB` (default 64 MiB).
pub fn store_options() -> store::Options {
    let mib = std::env::var("LOUPE_STORE_CACHE_MIB").ok().and_then(|s| s.parse::<usize>().ok()).unwrap_or(64);
    store::Options { cache_bytes: mib << 20 }
}

/// The PostgreSQL store of this run (`--store`, `LOUPE_STORE`), when one is
/// named.
static STORE_URL: OnceLock<String> = OnceLock::new();

/// This run's store: the PostgreSQL database `--store` names, else the
/// embedded store in `data`.
pub fn open_store(data: &Path) -> store::Result<store::Store> {
    match STORE_URL.get() {
        Some(url) => Ok(store::Store::from_backend(store::pg::Postgres::connect(url)?.with_dir(data))),
        None => store::Store::open_with(data, &store_options()),
    }
}

/// The PostgreSQL store `--store` names, if any.
pub fn store_url() -> Option<&'static str> {
    STORE_URL.get().map(String::as_str)
}

/// This run's store for people: the database (without its password) or
/// the directory.
pub fn store_name(data: &Path) -> String {
    match STORE_URL.get() {
        Some(url) => store::pg::display_url(url),
        None => data.display().to_string(),
    }
}

/// Opens the store at `data`; when a running server holds it, returns that
/// server (and says so on stderr) so that the command goes through it. A
/// PostgreSQL store is never held: every node and command use it at once.
pub fn open(data: &Path) -> anyhow::Result<Opened> {
    match open_store(data) {
        Ok(store) => Ok(Opened::Local(app::App::new(store, system_clock()))),
        Err(err @ store::Error::Locked { .. }) => match Server::find(data) {
            Some(server) => {
                server.announce();
                Ok(Opened::Server(server))
            }
            None => Err(err).with_context(|| format!("Failed to open the store in {}", data.display())),
        },
        Err(err) => Err(err).with_context(|| format!("Failed to open the store {}", store_name(data))),
    }
}

/// Opens the store at `data` for a command that cannot go through a
/// server; while one holds the store, says which and what to do instead.
pub fn open_local(data: &Path) -> anyhow::Result<app::App> {
    match open_store(data) {
        Ok(store) => Ok(app::App::new(store, system_clock())),
        Err(err @ store::Error::Locked { .. }) => {
            let Some(url) = Server::find(data).map(|s| s.url()) else {
                return Err(err).with_context(|| format!("Failed to open the store in {}", data.display()));
            };
            anyhow::bail!(
                "this command does not go through a server yet, and the server at {url} holds {}; \
                 stop it first (Ctrl-C), or use its API ({url}/openapi.json)",
                data.display()
            )
        }
        Err(err) => Err(err).with_context(|| format!("Failed to open the store {}", store_name(data))),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let data = cli.data;
    if let Some(url) = cli.store {
        let _ = STORE_URL.set(url);
    }
    match cli.command {
        Command::Import(args) => import::run(&data, args),
        Command::Export(args) => export::run(&data, args),
        Command::Quality(args) => quality::run(&data, args),
        Command::Products(args) => products::run(&data, args),
        Command::Keys(args) => keys::run(&data, args),
        Command::Serve(args) => serve::run(&data, args),
        Command::Migrate(args) => migrate::run(store_url(), args),
        Command::Demo(args) => demo::run(&data, args),
        Command::Search(args) => search::run(&data, args),
        Command::Recommend(args) => recommend::run(&data, args),
        Command::Customers(args) => customers::run(&data, args),
        Command::Forecast(args) => forecast::run(&data, args),
        Command::Replenish(args) => replenish::run(&data, args),
        Command::SlowMovers(args) => slow_movers::run(&data, args),
        Command::Scorecard(args) => scorecard::run(&data, args),
        Command::Support(args) => support::run(&data, args),
        Command::Care(args) => care::run(&data, args),
        Command::Audit(args) => audit::run(&data, args),
        Command::Risk(args) => risk::run(&data, args),
        Command::Collections(args) => merch::collections(&data, args),
        Command::Bundles(args) => merch::bundles(&data, args),
        Command::Placements(args) => merch::placements(&data, args),
        Command::Eval(args) => eval::run(&data, args),
        Command::Bench(args) => bench::run(&data, args),
        Command::Experiments(args) => experiments::run(&data, args),
    }
}
