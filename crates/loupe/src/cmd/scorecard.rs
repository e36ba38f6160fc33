//! `loupe scorecard`: the brand's metrics per period (and segment), one
//! JSON line each with `--json`; `null` where the data does not exist.

use std::path::Path;

use app::scorecard::Query;
use app::wire::scorecard::{Scorecard, ScorecardRow};

use super::Opened;

#[derive(clap::Args, Debug)]
#[command(after_help = "Definitions (also in the README and on the back-office's first page, /admin):\n  \
orders: distinct order ids with a line of positive quantity, in the period of ordered_at\n  \
units: sum of positive quantities; revenue: sum of quantity x unit price over them (gross of returns)\n  \
aov = revenue / orders; returned_units: absolute quantities of negative lines, dated on their own date\n  \
return_rate = returned_units / units; sell_through = units / (units + on hand at the period's end)\n  \
inventory_turnover = cost of goods sold / average inventory at cost; gmroi = gross margin / the same\n  \
weeks_of_supply = on hand at the end / average weekly units; conversion_rate = sessions with a purchase / sessions\n  \
repeat_rate = customers who had ordered before the period / customers ordering in it")]
pub struct Args {
    /// First day (YYYY-MM-DD), widened to the start of its period; default: 12 periods before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD), widened to the end of its period; default: the day of the latest order.
    #[arg(long)]
    pub to: Option<String>,
    /// Period length: `day`, `week` (Monday to Sunday) or `month`.
    #[arg(long, default_value = "week")]
    pub by: String,
    /// Split each period by `category`, `collection`, `price_band`, `channel`, `customer_type` or `country` (default: the whole store).
    #[arg(long)]
    pub segment: Option<String>,
    /// Print one JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let q = Query::parse(args.from.as_deref(), args.to.as_deref(), Some(&args.by), args.segment.as_deref())?;
    let card: Scorecard = match super::open(data)? {
        Opened::Local(app) => app::scorecard::scorecard(&app.store, &q, app.clock.today())?,
        Opened::Server(server) => {
            let mut path = format!("/v1/scorecard?by={}", q.by.as_str());
            for (name, v) in [("from", &args.from), ("to", &args.to), ("segment", &args.segment)] {
                if let Some(v) = v {
                    path.push_str(&format!("&{name}={v}"));
                }
            }
            server.get_json(&path)?
        }
    };
    let mut text = String::new();
    if args.json {
        for row in &card.rows {
            text.push_str(&serde_json::to_string(row)?);
            text.push('\n');
        }
    } else {
        text.push_str(&table(&card.rows));
    }
    crate::out::write_str(&text);
    Ok(())
}

fn table(rows: &[ScorecardRow]) -> String {
    if rows.is_empty() {
        return "No periods to show.\n".into();
    }
    let pct = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{:.1}%", 100.0 * v));
    let num = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.2}"));
    let mut out = format!(
        "{:<10} {:<14} {:>8} {:>7} {:>12} {:>6} {:>9} {:>6} {:>7} {:>7} {:>7} {:>6}\n",
        "period",
        "segment",
        "sessions",
        "orders",
        "revenue",
        "units",
        "aov",
        "conv",
        "returns",
        "sellthr",
        "stockout",
        "repeat"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<10} {:<14} {:>8} {:>7} {:>12.2} {:>6} {:>9} {:>6} {:>7} {:>7} {:>7} {:>6}\n",
            r.period_start,
            r.segment,
            r.sessions.map_or("-".to_string(), |s| s.to_string()),
            r.orders,
            r.revenue,
            r.units,
            num(r.aov),
            pct(r.conversion_rate),
            pct(r.return_rate),
            pct(r.sell_through),
            pct(r.stockout_rate),
            pct(r.repeat_rate),
        ));
    }
    out.push_str(&format!(
        "revenue in {}; - where the data to compute a figure does not exist\n",
        rows[0].currency
    ));
    if rows.iter().all(|r| r.orders == 0 && r.sessions.is_none()) {
        out.push_str(
            "No orders or storefront events in this range. Import orders with `loupe import orders FILE` \
             (or pick another range with --from and --to).\n",
        );
    }
    out
}
