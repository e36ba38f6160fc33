//! `loupe slow-movers`: every variant judged for slow movement, overstock
//! and markdown, most suspicious first, with the evidence.

use std::io::Write;
use std::path::Path;

use forecast::{Freq, SlowConfig};
use server::wire::forecast::SlowMover;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Flag variants with no sale in this many days.
    #[arg(long, default_value_t = 60)]
    pub no_sale_days: i64,
    /// Only flagged variants (slow, overstock or markdown).
    #[arg(long)]
    pub flagged: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    super::forecast::quiet_pipe(print(data, args))
}

fn print(data: &Path, args: Args) -> anyhow::Result<()> {
    let (demand, set) = super::forecast::load(data, Freq::Week, 8)?;
    let cfg = SlowConfig { no_sale_days: args.no_sale_days, ..SlowConfig::default() };
    let list = forecast::slow_movers(&demand, &set, &cfg);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut flagged = 0;
    for s in &list {
        let is_flagged = s.slow || s.overstock || s.markdown;
        flagged += usize::from(is_flagged);
        if args.flagged && !is_flagged {
            continue;
        }
        if args.json {
            serde_json::to_writer(&mut out, &SlowMover::from(s))?;
            writeln!(out)?;
        } else {
            writeln!(out, "{:<20} {:>5.2}  {}", s.sku, s.score, s.flags.join(", "))?;
        }
    }
    if !args.json {
        writeln!(out, "{} variants, {flagged} flagged", list.len())?;
    }
    out.flush()?;
    Ok(())
}
