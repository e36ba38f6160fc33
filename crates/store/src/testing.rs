//! A real PostgreSQL server for tests, never a mock.
//!
//! With `LOUPE_TEST_POSTGRES` set (a connection string to a server where the
//! user may create databases) tests use that server. Otherwise the first test
//! that asks starts a throwaway cluster from the installed server binaries:
//! `initdb` and `pg_ctl` in a temporary directory, on a free loopback port,
//! run as an unprivileged user when the tests run as root (PostgreSQL refuses
//! root). A watchdog process stops the cluster and deletes its directory
//! when the test process exits. Each caller of [`database`] gets a new,
//! migrated database of its own.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The environment variable naming an existing server.
pub const ENV: &str = "LOUPE_TEST_POSTGRES";

/// A server tests may create databases on.
#[derive(Debug)]
pub struct Server {
    /// Connection string of the server's `postgres` database.
    admin_url: String,
    /// `postgres://user@host:port`, to which a database name is appended.
    base: String,
}

/// The server of this process, started on first use.
pub fn server() -> Result<&'static Server, String> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref().map_err(Clone::clone)
}

/// A new database with Loupe's schema, on [`server`]; returns its
/// connection string.
pub fn database() -> Result<String, String> {
    let url = empty_database()?;
    crate::pg::Postgres::migrate(&url).map_err(|e| format!("migrating {url}: {}", causes(&e)))?;
    Ok(url)
}

/// A new database without Loupe's schema, on [`server`].
pub fn empty_database() -> Result<String, String> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let server = server()?;
    let name = format!("loupe_t{}_{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
    let mut client = postgres::Client::connect(&server.admin_url, postgres::NoTls)
        .map_err(|e| format!("connecting to the test server {}: {}", server.base, causes(&e)))?;
    // One statement each: CREATE DATABASE cannot run in a transaction block.
    for sql in [format!("DROP DATABASE IF EXISTS {name}"), format!("CREATE DATABASE {name}")] {
        client.batch_execute(&sql).map_err(|e| format!("{sql}: {}", causes(&e)))?;
    }
    Ok(format!("{}/{name}", server.base))
}

fn start() -> Result<Server, String> {
    if let Ok(url) = std::env::var(ENV) {
        let config: postgres::Config =
            url.parse().map_err(|e| format!("{ENV} is not a connection string: {e}"))?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres");
        let password =
            config.get_password().map(|p| format!(":{}", String::from_utf8_lossy(p))).unwrap_or_default();
        return Ok(Server {
            admin_url: url.clone(),
            base: format!("postgres://{user}{password}@{host}:{port}"),
        });
    }
    let bin = binaries().ok_or_else(|| {
        format!(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or under /usr/lib/postgresql: \
             install Debian's `postgresql` package (`.ci/run` does) or set {ENV}"
        )
    })?;
    let dir = std::env::temp_dir().join(format!("loupe-pg-{}-{}", std::process::id(), nanos()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let runner = Runner::new(&dir)?;
    let data = dir.join("data");
    runner.run(
        Command::new(bin.join("initdb"))
            .args(["-A", "trust", "-U", "loupe", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
            .arg(&data),
    )?;
    let port = free_port()?;
    let options = format!(
        "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off \
         -c full_page_writes=off -c max_connections=200",
        dir.display()
    );
    runner.run(
        Command::new(bin.join("pg_ctl"))
            .args(["-w", "-t", "60", "-D"])
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(dir.join("log"))
            .arg("start"),
    )?;
    watchdog(&runner, &bin, &dir)?;
    let base = format!("postgres://loupe@127.0.0.1:{port}");
    Ok(Server { admin_url: format!("{base}/postgres"), base })
}

/// The directory holding `initdb` and `pg_ctl`: on PATH, else the newest
/// under Debian's `/usr/lib/postgresql/VERSION/bin`.
fn binaries() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file());
    if on_path.is_some() {
        return on_path;
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin): &(u32, PathBuf)| bin.join("initdb").is_file())
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// Runs the server's commands, as an unprivileged user when we are root.
struct Runner {
    user: Option<String>,
}

impl Runner {
    fn new(dir: &Path) -> Result<Runner, String> {
        if output(Command::new("id").arg("-u"))? != "0" {
            return Ok(Runner { user: None });
        }
        let user = ["postgres", "nobody"]
            .into_iter()
            .find(|u| output(Command::new("id").args(["-u", u])).is_ok())
            .ok_or("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")?;
        let uid: u32 = output(Command::new("id").args(["-u", user]))?.parse().map_err(|e| format!("{e}"))?;
        let gid: u32 = output(Command::new("id").args(["-g", user]))?.parse().map_err(|e| format!("{e}"))?;
        std::os::unix::fs::chown(dir, Some(uid), Some(gid))
            .map_err(|e| format!("chown {}: {e}", dir.display()))?;
        Ok(Runner { user: Some(user.to_string()) })
    }

    fn command(&self, cmd: &Command) -> Command {
        let mut out = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(cmd.get_program());
                c
            }
            None => Command::new(cmd.get_program()),
        };
        out.args(cmd.get_args());
        out
    }

    fn run(&self, cmd: &mut Command) -> Result<(), String> {
        let out = self.command(cmd).stdin(Stdio::null()).output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{cmd:?} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(())
    }
}

/// Stops the cluster and removes its directory once this process has gone.
fn watchdog(runner: &Runner, bin: &Path, dir: &Path) -> Result<(), String> {
    let mut stop = Command::new(bin.join("pg_ctl"));
    stop.args(["-D"]).arg(dir.join("data")).args(["-m", "immediate", "stop"]);
    let stop = runner.command(&stop);
    let quote = |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
    let stop_line: Vec<String> =
        std::iter::once(stop.get_program()).chain(stop.get_args()).map(quote).collect();
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        stop = stop_line.join(" "),
        dir = quote(dir.as_os_str()),
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting the cluster's watchdog: {e}"))?;
    Ok(())
}

/// An error and its sources, on one line.
fn causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.stderr(Stdio::null()).output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{cmd:?} failed"));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn free_port() -> Result<u16, String> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("finding a free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
