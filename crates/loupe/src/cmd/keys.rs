//! `loupe keys create|list|rotate|revoke`: API keys. A key is printed once,
//! when it is created; the store keeps only its SHA-256.

use std::path::Path;

use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use store::{KeyInfo, NewKey, Role, Scope};

use super::products::push_line;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: KeysCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

const SCOPES_HELP: &str = "Scopes: admin (everything); admin:catalog (imports, catalog, tasks), \
admin:planning (forecasts, replenishment), admin:merchandising (search rules, experiments, scorecard), \
admin:support (cases, knowledge base, care, outbox), admin:trust (decision log, risk, customers' data); \
for a storefront: catalog:read, search, recs, experiments:assign, support:answer, events:write.";

#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key and print it (only this once).
    #[command(after_help = SCOPES_HELP)]
    Create {
        /// A preset: `admin` (everything) or `public` (what a storefront
        /// reads: catalog:read, search, recs, experiments:assign,
        /// support:answer). Needed unless --scope is given.
        #[arg(long, value_enum, required_unless_present = "scopes")]
        role: Option<RoleArg>,
        /// A scope to grant (repeat, or comma-separate); added to the role's.
        #[arg(long = "scope", value_name = "SCOPE", value_delimiter = ',', value_parser = parse_scope)]
        scopes: Vec<Scope>,
        /// A name to recognise the key by (`storefront`, `ops laptop`).
        #[arg(long, alias = "label", default_value = "")]
        name: String,
        /// When the key stops working: a date (YYYY-MM-DD, midnight UTC) or
        /// a duration from now (`90d`, `12h`).
        #[arg(long, value_name = "WHEN")]
        expires: Option<String>,
        /// Requests a minute this key may make to the public routes (instead
        /// of `loupe serve --key-rate-limit`).
        #[arg(long, value_name = "PER_MINUTE", value_parser = clap::value_parser!(u32).range(1..))]
        rate: Option<u32>,
    },
    /// List keys (never the keys themselves): scopes, expiry, last use.
    List,
    /// Replace a key: prints a new key with the same name, scopes and limit,
    /// and the old one keeps working for --overlap, so clients can switch
    /// without downtime.
    Rotate {
        id: u64,
        /// How long the old key stays valid: a duration (`24h`, `7d`, `0s`).
        #[arg(long, default_value = "24h", value_name = "DURATION")]
        overlap: String,
    },
    /// Revoke a key by its id (see `keys list`), at once.
    Revoke { id: u64 },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    /// Everything, including imports and key management.
    Admin,
    /// What a storefront reads: catalog, search, recommendations.
    Public,
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    Scope::parse(s.trim()).ok_or_else(|| {
        let known: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        format!("unknown scope {s:?}; one of {}", known.join(", "))
    })
}

/// `90d`, `12h`, `30m`, `45s` as seconds.
pub(crate) fn parse_duration(flag: &str, s: &str) -> anyhow::Result<i64> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: i64 = digits
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag} {s:?} is not a duration such as 90d, 12h or 30m"))?;
    let unit_secs = match unit {
        "d" => 86_400,
        "h" => 3_600,
        "m" => 60,
        "s" => 1,
        _ => anyhow::bail!("{flag} {s:?} is not a duration such as 90d, 12h or 30m"),
    };
    n.checked_mul(unit_secs)
        .filter(|&v| v <= 100 * 365 * 86_400)
        .ok_or_else(|| anyhow::anyhow!("{flag} {s:?} is too long"))
}

/// A date (midnight UTC) or a duration from `now`, as Unix seconds.
fn parse_expiry(s: &str, now: i64) -> anyhow::Result<i64> {
    if let Ok(day) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        let at = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0);
        if at <= now {
            anyhow::bail!("--expires {s} is in the past");
        }
        return Ok(at);
    }
    let secs = parse_duration("--expires", s).map_err(|_| {
        anyhow::anyhow!("--expires {s:?} is neither a date (YYYY-MM-DD) nor a duration (90d, 12h)")
    })?;
    if secs == 0 {
        anyhow::bail!("--expires 0 would make a key that never works");
    }
    Ok(now + secs)
}

fn when(secs: i64) -> String {
    DateTime::from_timestamp(secs, 0).map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default()
}

#[derive(Serialize)]
struct Created<'a> {
    key: &'a str,
    #[serde(flatten)]
    info: &'a KeyInfo,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let mut o = String::new();
    let result = run_into(&mut o, data, args);
    crate::out::write_str(&o);
    result
}

fn run_into(o: &mut String, data: &Path, args: Args) -> anyhow::Result<()> {
    let store = super::products::open_store(data)?;
    let now = crate::cmd::system_clock().now_secs();
    match args.command {
        KeysCommand::Create { role, scopes, name, expires, rate } => {
            let mut all = role
                .map(|r| match r {
                    RoleArg::Admin => Role::Admin,
                    RoleArg::Public => Role::Public,
                })
                .map(Role::scopes)
                .unwrap_or_default();
            all.extend(scopes);
            let expires_at = expires.as_deref().map(|s| parse_expiry(s, now)).transpose()?;
            let new = NewKey { name, scopes: all, expires_at, rate_per_minute: rate };
            let (key, info) = store.create_key(new, now)?;
            if args.json {
                push_line!(o, "{}", serde_json::to_string(&Created { key: &key, info: &info })?);
            } else {
                push_line!(o, "{key}");
                eprintln!(
                    "Created key {} with {}{}. Store it now: Loupe keeps only its hash and cannot show it again.",
                    info.id,
                    scope_list(&info),
                    info.expires_at.map(|at| format!(", expiring {}", when(at))).unwrap_or_default()
                );
            }
        }
        KeysCommand::List => {
            let keys = store.list_keys()?;
            if args.json {
                for k in &keys {
                    push_line!(o, "{}", serde_json::to_string(k)?);
                }
            } else if keys.is_empty() {
                push_line!(o, "No keys: the API is open to localhost until you create one (`loupe keys create --role admin`).");
            } else {
                push_line!(
                    o,
                    "{:>3}  {:<14}  {:<18}  {:<20}  {:<20}  scopes",
                    "id",
                    "hint",
                    "name",
                    "expires",
                    "last used"
                );
                for k in &keys {
                    let expires = match k.expires_at {
                        Some(at) if at <= now => format!("expired {}", &when(at)[..10]),
                        Some(at) => when(at),
                        None => "never".into(),
                    };
                    let used = k.last_used_at.map(when).unwrap_or_else(|| "never".into());
                    push_line!(
                        o,
                        "{:>3}  {:<14}  {:<18}  {:<20}  {:<20}  {}",
                        k.id,
                        format!("{}…", k.hint),
                        k.name,
                        expires,
                        used,
                        scope_list(k)
                    );
                }
            }
        }
        KeysCommand::Rotate { id, overlap } => {
            let overlap = parse_duration("--overlap", &overlap)?;
            let Some((key, info)) = store.rotate_key(id, now, overlap)? else {
                anyhow::bail!("No key with id {id} (see `loupe keys list`)");
            };
            if args.json {
                push_line!(o, "{}", serde_json::to_string(&Created { key: &key, info: &info })?);
            } else {
                push_line!(o, "{key}");
                eprintln!(
                    "Created key {} to replace key {id}, which works until {}. Store the new key now.",
                    info.id,
                    when(now + overlap)
                );
            }
        }
        KeysCommand::Revoke { id } => {
            let existed = store.revoke_key(id)?;
            if !existed {
                anyhow::bail!("No key with id {id} (see `loupe keys list`)");
            }
            if args.json {
                push_line!(o, "{}", serde_json::json!({ "revoked": id }));
            } else {
                push_line!(o, "Revoked key {id}.");
            }
        }
    }
    Ok(())
}

fn scope_list(k: &KeyInfo) -> String {
    k.scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_dates() {
        assert_eq!(parse_duration("--overlap", "24h").unwrap(), 86_400);
        assert_eq!(parse_duration("--overlap", "0s").unwrap(), 0);
        assert_eq!(parse_duration("--overlap", "90d").unwrap(), 90 * 86_400);
        for bad in ["", "h", "12", "12w", "-1h", "99999999999999d"] {
            assert!(parse_duration("--overlap", bad).is_err(), "{bad:?}");
        }
        let now = 1_750_000_000;
        assert_eq!(parse_expiry("2030-01-01", now).unwrap(), 1_893_456_000);
        assert_eq!(parse_expiry("12h", now).unwrap(), now + 43_200);
        assert!(parse_expiry("2020-01-01", now).unwrap_err().to_string().contains("past"));
        assert!(parse_expiry("soon", now).is_err());
        assert!(parse_expiry("0d", now).is_err());
    }
}
