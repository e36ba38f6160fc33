//! `loupe eval search` (placeholder: the search engineer fills it in).

use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_data: &Path, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`loupe eval search` is not implemented yet")
}
