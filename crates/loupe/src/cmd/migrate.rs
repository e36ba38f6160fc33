//! `loupe migrate`: creates or upgrades the schema of the PostgreSQL store
//! that `--store` names. Nodes refuse a database whose schema they do not
//! know, so this runs once before the first `loupe serve` and after each
//! upgrade of Loupe; running it again changes nothing.

use anyhow::Context as _;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(url: Option<&str>, args: Args) -> anyhow::Result<()> {
    let Some(url) = url else {
        anyhow::bail!(
            "migrate is for a PostgreSQL store: name it with --store postgres://user@host/db (or LOUPE_STORE); \
             the embedded store needs no migration"
        );
    };
    let name = store::pg::display_url(url);
    let done = store::pg::Postgres::migrate(url).with_context(|| format!("Failed to migrate {name}"))?;
    if args.json {
        let out = serde_json::json!({"store": name, "from": done.from, "to": done.to});
        crate::out::write_str(&format!("{out}\n"));
        return Ok(());
    }
    let text = match done.from {
        Some(from) if from == done.to => {
            format!("{name}: the schema is at version {}; nothing to do.\n", done.to)
        }
        Some(from) => format!("{name}: schema upgraded from version {from} to {}.\n", done.to),
        None => format!(
            "{name}: schema version {} created. Start nodes with `loupe --store URL serve`.\n",
            done.to
        ),
    };
    crate::out::write_str(&text);
    Ok(())
}
