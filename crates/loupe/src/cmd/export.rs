//! `loupe export catalog --format jsonl`: the normalized catalog, one JSON
//! object per product on stdout, in the shape of `server::wire::catalog::ProductOut`
//! (the export contract of issue 2). Streams from the store.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use server::wire::catalog::ProductOut;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub what: ExportWhat,
    /// Accepted for symmetry: the export is JSON already.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum ExportWhat {
    /// Every product, normalized.
    Catalog {
        #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
        format: ExportFormat,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    /// One JSON object per line.
    Jsonl,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let ExportWhat::Catalog { format: ExportFormat::Jsonl } = args.what;
    let store = super::products::open_store(data)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failure: Option<std::io::Error> = None;
    store.for_each_product(|p| {
        let line = serde_json::to_string(&ProductOut::from(&p)).expect("wire types serialize");
        match writeln!(out, "{line}") {
            Ok(()) => true,
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    let result = match failure {
        Some(e) => Err(e),
        None => out.flush(),
    };
    match result {
        // `loupe export catalog | head` is a normal use, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("Failed to write the export to stdout"),
    }
}
