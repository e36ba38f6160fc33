//! `loupe replenish`: replenishment suggestions per variant (weeks of
//! supply, stockout date, ABC class, safety stock, reorder point, suggested
//! order, newsvendor quantity), each with its reasons and any decision the
//! buyer already took in `/admin`.

use std::path::Path;

use app::wire::forecast::{attach_decisions, Replenishment};
use forecast::{Freq, ReplenishConfig};

use super::Opened;

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
    let horizon = Freq::Week.horizon(args.horizon)?;
    let cfg = ReplenishConfig {
        lead_time_days: args.lead_time_days,
        moq: args.moq,
        case_pack: args.case_pack,
        budget: args.budget,
        ..ReplenishConfig::default()
    };
    let defaults = ReplenishConfig::default();
    let rows: Vec<Replenishment> = match super::open(data)? {
        Opened::Local(app) if horizon == app::forecasts::PLANNING_WEEKS => {
            app::forecasts::replenishment_with(&app.engines, &cfg)?.1
        }
        Opened::Local(app) => {
            // Another horizon than the shared planning set: compute it here.
            let (demand, set) = super::forecast::load_from(&app.store, Freq::Week, horizon)?;
            let mut rows: Vec<Replenishment> =
                forecast::replenish(&demand, &set, &cfg).iter().map(Replenishment::from).collect();
            attach_decisions(&app.store, &mut rows)?;
            rows
        }
        Opened::Server(server) => {
            let same = horizon == app::forecasts::PLANNING_WEEKS
                && cfg.lead_time_days == defaults.lead_time_days
                && cfg.moq == defaults.moq
                && cfg.case_pack == defaults.case_pack
                && cfg.budget.is_none();
            if !same {
                anyhow::bail!(
                    "a running server plans with the default settings only; stop it to use --horizon, \
                     --lead-time-days, --moq, --case-pack or --budget"
                );
            }
            server.get_all("/v1/replenishment")?
        }
    };
    let mut text = String::new();
    let mut shown = 0;
    for r in rows.iter().filter(|r| !args.orders_only || r.suggested_qty.unwrap_or(0) > 0) {
        shown += 1;
        if args.json {
            text.push_str(&serde_json::to_string(r)?);
        } else {
            text.push_str(&format!(
                "{:<20} {} {:<12} stock {:>6} wos {:>6} rop {:>6.0} order {:>6}  {}",
                r.sku,
                r.abc,
                r.demand_class,
                r.on_hand.map_or("-".into(), |v| v.to_string()),
                r.weeks_of_supply.map_or("-".into(), |v| format!("{v:.1}")),
                r.reorder_point,
                r.suggested_qty.map_or("-".into(), |v| v.to_string()),
                r.stockout_date.as_deref().unwrap_or(""),
            ));
        }
        text.push('\n');
    }
    if !args.json {
        let to_order = rows.iter().filter(|r| r.suggested_qty.unwrap_or(0) > 0).count();
        text.push_str(&format!("{shown} variants shown, {to_order} with an order suggested\n"));
    }
    crate::out::write_str(&text);
    Ok(())
}
