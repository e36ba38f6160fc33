//! `loupe slow-movers`: every variant judged for slow movement, overstock
//! and markdown, most suspicious first, with the evidence.

use std::path::Path;

use app::wire::forecast::SlowMover;
use forecast::{Freq, SlowConfig};

use super::Opened;

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
    let cfg = SlowConfig { no_sale_days: args.no_sale_days, ..SlowConfig::default() };
    let list: Vec<SlowMover> = match super::open(data)? {
        Opened::Local(app) if cfg.no_sale_days == SlowConfig::default().no_sale_days => {
            app::forecasts::slow_movers(&app.engines, false)?
        }
        Opened::Local(app) => {
            let (demand, set) =
                super::forecast::load_from(&app.store, Freq::Week, app::forecasts::PLANNING_WEEKS)?;
            forecast::slow_movers(&demand, &set, &cfg).iter().map(SlowMover::from).collect()
        }
        Opened::Server(server) => {
            if cfg.no_sale_days != SlowConfig::default().no_sale_days {
                anyhow::bail!(
                    "a running server judges with the default settings only; stop it to use --no-sale-days"
                );
            }
            server.get_all("/v1/slow-movers")?
        }
    };
    let mut text = String::new();
    let mut flagged = 0;
    for s in &list {
        let is_flagged = s.slow || s.overstock || s.markdown;
        flagged += usize::from(is_flagged);
        if args.flagged && !is_flagged {
            continue;
        }
        if args.json {
            text.push_str(&serde_json::to_string(s)?);
        } else {
            text.push_str(&format!("{:<20} {:>5.2}  {}", s.sku, s.score, s.flags.join(", ")));
        }
        text.push('\n');
    }
    if !args.json {
        text.push_str(&format!("{} variants, {flagged} flagged\n", list.len()));
    }
    crate::out::write_str(&text);
    Ok(())
}
