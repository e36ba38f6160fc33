//! `loupe replenish`: replenishment suggestions per variant (weeks of
//! supply, stockout date, ABC class, safety stock, reorder point, suggested
//! order, newsvendor quantity), each with its reasons and any decision the
//! buyer already took in `/admin`.

use std::io::Write;
use std::path::Path;

use forecast::{Freq, ReplenishConfig};
use server::wire::forecast::{attach_decisions, Replenishment};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Weeks of forecast the suggestions look at.
    #[arg(long, default_value_t = 8)]
    pub horizon: usize,
    /// Lead time in days where the inventory feed gives none.
    #[arg(long, default_value_t = 28)]
    pub lead_time_days: u32,
    /// Minimum order quantity per line.
    #[arg(long, default_value_t = 1)]
    pub moq: u64,
    /// Order in multiples of this.
    #[arg(long, default_value_t = 1)]
    pub case_pack: u64,
    /// Spend at most this much (unit cost's currency) on the suggestions.
    #[arg(long)]
    pub budget: Option<f64>,
    /// Only variants with a quantity to order.
    #[arg(long)]
    pub orders_only: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    super::forecast::quiet_pipe(print(data, args))
}

fn print(data: &Path, args: Args) -> anyhow::Result<()> {
    let horizon = Freq::Week.horizon(args.horizon)?;
    let (demand, set) = super::forecast::load(data, Freq::Week, horizon)?;
    let cfg = ReplenishConfig {
        lead_time_days: args.lead_time_days,
        moq: args.moq,
        case_pack: args.case_pack,
        budget: args.budget,
        ..ReplenishConfig::default()
    };
    let suggestions = forecast::replenish(&demand, &set, &cfg);
    let mut rows: Vec<Replenishment> = suggestions.iter().map(Replenishment::from).collect();
    let store = super::products::open_store(data)?;
    attach_decisions(&store, &mut rows)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut shown = 0;
    for r in rows.iter().filter(|r| !args.orders_only || r.suggested_qty.unwrap_or(0) > 0) {
        shown += 1;
        if args.json {
            serde_json::to_writer(&mut out, r)?;
            writeln!(out)?;
        } else {
            writeln!(
                out,
                "{:<20} {} {:<12} stock {:>6} wos {:>6} rop {:>6.0} order {:>6}  {}",
                r.sku,
                r.abc,
                r.demand_class,
                r.on_hand.map_or("-".into(), |v| v.to_string()),
                r.weeks_of_supply.map_or("-".into(), |v| format!("{v:.1}")),
                r.reorder_point,
                r.suggested_qty.map_or("-".into(), |v| v.to_string()),
                r.stockout_date.as_deref().unwrap_or(""),
            )?;
        }
    }
    if !args.json {
        let to_order = rows.iter().filter(|r| r.suggested_qty.unwrap_or(0) > 0).count();
        writeln!(out, "{shown} variants shown, {to_order} with an order suggested")?;
    }
    out.flush()?;
    Ok(())
}
