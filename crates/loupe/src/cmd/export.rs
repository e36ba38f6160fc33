//! `loupe export catalog --format jsonl`: the normalized catalog, one JSON
//! object per product on stdout, in the shape of `app::wire::catalog::ProductOut`
//! (the export contract of issue 2). Streams from the store.

use std::path::Path;

use app::wire::catalog::ProductOut;

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
    // Lines go out in chunks; a closed pipe (`| head`) stops the walk.
    let mut chunk = String::new();
    store.for_each_product(|p| {
        chunk.push_str(&serde_json::to_string(&ProductOut::from(&p)).expect("wire types serialize"));
        chunk.push('\n');
        if chunk.len() >= 64 * 1024 {
            crate::out::write_str(&chunk);
            chunk.clear();
        }
        !crate::out::closed()
    })?;
    crate::out::write_str(&chunk);
    Ok(())
}
