//! `loupe serve`: opens the store and runs the HTTP API and web shell on it.
//!
//! Prints one line when the socket is bound, `Loupe is listening on
//! http://HOST:PORT` with the store it serves (or a JSON object with
//! `--json`), so that scripts and tests that start it with `--port 0` can
//! read the address they got.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub listen: Listen,
    /// Print the bound address as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Where and how the server listens; shared with `loupe demo`.
#[derive(clap::Args, Debug, Clone)]
pub struct Listen {
    /// Address to bind; keep the loopback default unless a proxy sits in front.
    /// Any other address needs API keys (`loupe keys create --role admin`).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free one (the address is printed).
    #[arg(long, default_value_t = 7700)]
    pub port: u16,
    /// Serve a non-loopback address even though no API key exists, so that
    /// anyone who reaches it may import, delete and read everything.
    #[arg(long)]
    pub insecure_no_keys: bool,
    /// Seconds a client may take to send a request's headers (also how long
    /// an idle kept-alive connection stays open).
    #[arg(long, default_value_t = 10, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body.
    #[arg(long, default_value_t = 60, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,
    /// Seconds a connection may stay with no request being handled and no
    /// byte moving before it is closed.
    #[arg(long, default_value_t = 75, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// Requests a minute a client address may make to the storefront's pages
    /// and the public routes without a key (bursts up to a sixth of it); 0
    /// turns the limit off.
    #[arg(long, default_value_t = 600, value_name = "PER_MINUTE")]
    pub rate_limit: u32,
    /// Requests a minute a key may make to the public routes, unless the key
    /// has a limit of its own (`loupe keys create --rate`); 0 turns it off.
    #[arg(long, default_value_t = 6000, value_name = "PER_MINUTE")]
    pub key_rate_limit: u32,
    /// Count clients by the last `X-Forwarded-For` address, which the proxy
    /// in front appends (only behind a proxy that sets it).
    #[arg(long)]
    pub trust_proxy: bool,
    /// An origin whose pages may call the public routes from the browser
    /// (CORS), as `https://shop.example`; repeat for each. Also from
    /// LOUPE_CORS_ORIGINS, comma-separated.
    #[arg(long = "cors-origin", value_name = "ORIGIN", env = "LOUPE_CORS_ORIGINS", value_delimiter = ',', value_parser = parse_origin)]
    pub cors_origins: Vec<String>,
}

fn parse_origin(s: &str) -> Result<String, String> {
    loupe_http::normalize_origin(s)
}

impl Listen {
    fn guard(&self) -> loupe_http::GuardConfig {
        loupe_http::GuardConfig {
            per_address_per_minute: self.rate_limit,
            per_key_per_minute: self.key_rate_limit,
            trust_proxy: self.trust_proxy,
            cors_origins: self.cors_origins.clone(),
        }
    }

    fn timeouts(&self) -> loupe_http::Timeouts {
        loupe_http::Timeouts {
            header: Duration::from_secs(self.header_timeout),
            body: Duration::from_secs(self.body_timeout),
            idle: Duration::from_secs(self.idle_timeout),
        }
    }
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    init_tracing();
    let store = match super::open_store(data) {
        Err(store::Error::Locked { .. }) => match crate::remote::Server::find(data) {
            Some(server) => anyhow::bail!("a server already runs on {} at {}", data.display(), server.url()),
            None => anyhow::bail!(
                "{} is in use by another loupe process (an import?); wait for it to end",
                data.display()
            ),
        },
        other => other.with_context(|| format!("Failed to open the store {}", super::store_name(data)))?,
    };
    serve(store, data, &args.listen, args.json)
}

/// Runs the server on an opened store, records its address for the CLI
/// (`DATA/server.json`, see `crate::remote`) and prints where it listens;
/// shared with `loupe demo`.
pub fn serve(store: store::Store, data: &Path, listen: &Listen, json: bool) -> anyhow::Result<()> {
    let keys = store.list_keys().context("Failed to read the API keys")?;
    if keys.is_empty() && !is_loopback(&listen.host) {
        if !listen.insecure_no_keys {
            anyhow::bail!(
                "refusing to serve {} without API keys: anyone who reaches it could import, delete and read \
                 everything. Create a key first (`loupe keys create --role admin`), bind 127.0.0.1, or add \
                 --insecure-no-keys if something in front of Loupe guards it",
                listen.host
            );
        }
        eprintln!(
            "warning: serving {} with no API keys (--insecure-no-keys): anyone who can reach it may do anything.",
            listen.host
        );
    } else if keys.is_empty() {
        eprintln!(
            "warning: no API keys exist, so the API is open to anyone who can reach it.\n         \
             Fine on 127.0.0.1 for a local demo; before exposing it, run `loupe keys create --role admin`."
        );
    }
    let token = local_token()?;
    let described = store.describe();
    let config = loupe_http::ServeConfig {
        app: app::App::new(store, super::system_clock()),
        data_dir: data.to_path_buf(),
        host: listen.host.clone(),
        port: listen.port,
        local_token: Some(token.clone()),
        timeouts: listen.timeouts(),
        guard: listen.guard(),
    };
    let result = loupe_http::serve(config, |addr: SocketAddr| {
        let record = crate::remote::Record { address: loopback(addr), pid: std::process::id(), token };
        if let Err(err) = record.write(data) {
            eprintln!("warning: the CLI will not find this server: {err:#}");
        }
        announce(addr, &described, json)
    });
    crate::remote::Record::remove(data);
    result
}

/// `127.0.0.1`, `::1`, `localhost` and the rest of 127/8: only this machine.
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A fresh secret for this server process, handed to the CLI through the
/// data directory (see `crate::remote`).
fn local_token() -> anyhow::Result<String> {
    let mut secret = [0u8; 24];
    getrandom::getrandom(&mut secret)
        .map_err(|e| anyhow::anyhow!("no randomness for the local token: {e}"))?;
    Ok(format!("loupe_local_{}", hex::encode(secret)))
}

/// Where a client on this machine reaches a server bound to `addr`.
fn loopback(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        ip if !ip.is_unspecified() => addr,
        std::net::IpAddr::V4(_) => SocketAddr::from(([127, 0, 0, 1], addr.port())),
        std::net::IpAddr::V6(_) => SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, addr.port())),
    }
}

fn announce(addr: SocketAddr, store: &str, json: bool) {
    let url = format!("http://{addr}");
    if json {
        let line = serde_json::json!({"url": url, "address": addr.to_string(), "store": store});
        crate::out::outln!("{line}");
    } else {
        crate::out::outln!(
            "Loupe is listening on {url}  (storefront {url}/, back-office {url}/admin, API {url}/v1; store {store})"
        );
    }
    // Tests and scripts wait for this line: do not leave it in a buffer.
    crate::out::flush();
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn,tantivy=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_this_machine_is_loopback() {
        for host in ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"] {
            assert!(super::is_loopback(host), "{host}");
        }
        for host in ["0.0.0.0", "::", "192.168.1.4", "example.com", ""] {
            assert!(!super::is_loopback(host), "{host}");
        }
    }
}
