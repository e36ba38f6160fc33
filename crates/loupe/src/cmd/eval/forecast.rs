//! `loupe eval forecast` (placeholder: the forecast engineer fills it in).

use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_data: &Path, _args: Args) -> anyhow::Result<()> {
    anyhow::bail!("`loupe eval forecast` is not implemented yet")
}
