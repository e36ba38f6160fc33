//! `loupe serve`: opens the store and runs the HTTP API and web shell on it.
//!
//! Prints one line when the socket is bound, `Loupe is listening on
//! http://HOST:PORT` (or a JSON object with `--json`), so that scripts and
//! tests that start it with `--port 0` can read the address they got.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use anyhow::Context as _;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to bind; keep the loopback default unless a proxy sits in front.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 7700)]
    pub port: u16,
    /// Print the bound address as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    init_tracing();
    let store = store::Store::open(data)
        .with_context(|| format!("Failed to open the store in {}", data.display()))?;
    let config =
        server::http::ServeConfig { store, data_dir: data.to_path_buf(), host: args.host, port: args.port };
    serve(config, args.json)
}

/// Runs the server on an opened store and prints where it listens; shared
/// with `loupe demo`.
pub fn serve(config: server::http::ServeConfig, json: bool) -> anyhow::Result<()> {
    let keys = config.store.list_keys().context("Failed to read the API keys")?;
    if keys.is_empty() {
        eprintln!(
            "warning: no API keys exist, so the API is open to anyone who can reach it.\n         \
             Fine on 127.0.0.1 for a local demo; before exposing it, run `loupe keys create --role admin`."
        );
    }
    server::http::serve(config, |addr: SocketAddr| announce(addr, json))
}

fn announce(addr: SocketAddr, json: bool) {
    let url = format!("http://{addr}");
    let mut out = std::io::stdout().lock();
    if json {
        let line = serde_json::json!({"url": url, "address": addr.to_string()});
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(
            out,
            "Loupe is listening on {url}  (storefront {url}/, back-office {url}/admin, API {url}/v1)"
        );
    }
    // Tests and scripts wait for this line: do not leave it in a buffer.
    let _ = out.flush();
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,tantivy=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
