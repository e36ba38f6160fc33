//! `loupe keys create|list|revoke`: API keys. A key is printed once, when it
//! is created; the store keeps only its SHA-256.

use std::path::Path;

use serde::Serialize;
use store::Role;

use super::products::push_line;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: KeysCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum KeysCommand {
    /// Create a key and print it (only this once).
    Create {
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A note to recognise the key by (`storefront`, `ops laptop`).
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List keys (never the keys themselves).
    List,
    /// Revoke a key by its id (see `keys list`).
    Revoke { id: u64 },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    /// Everything, including imports and key management.
    Admin,
    /// Read-only catalog, search and recommendations.
    Public,
}

#[derive(Serialize)]
struct Created<'a> {
    key: &'a str,
    role: &'a str,
    label: &'a str,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let mut o = String::new();
    let result = run_into(&mut o, data, args);
    crate::out::write_str(&o);
    result
}

fn run_into(o: &mut String, data: &Path, args: Args) -> anyhow::Result<()> {
    let store = super::products::open_store(data)?;
    match args.command {
        KeysCommand::Create { role, label } => {
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Public => Role::Public,
            };
            let key = store.create_key(role, &label, crate::cmd::system_clock().now_secs())?;
            if args.json {
                push_line!(
                    o,
                    "{}",
                    serde_json::to_string(&Created { key: &key, role: role.as_str(), label: &label })?
                );
            } else {
                push_line!(o, "{key}");
                let article = if role.as_str().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                eprintln!(
                    "Created {article} {} key. Store it now: Loupe keeps only its hash and cannot show it again.",
                    role.as_str()
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
                for k in &keys {
                    push_line!(o, "{:>3}  {:<6}  {}…  {}", k.id, k.role.as_str(), k.hint, k.label);
                }
            }
        }
        KeysCommand::Revoke { id } => {
            let existed = store.revoke_key(id)?;
            if !existed {
                anyhow::bail!("No key with id {id}");
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
