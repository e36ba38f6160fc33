//! `loupe forecast`: demand forecasts per variant, product, category or in
//! total, daily or weekly, with P10/P50/P90 and the reasons.
//!
//! With `--json`, one line per series in the issue-6 contract
//! (`app::wire::forecast::SeriesForecast`); otherwise a short table. The
//! series come from `app::forecasts` (or the same use case through a running
//! server), a page at a time. Also home of [`load_from`], which replenish
//! and slow-movers use for settings other than the shared planning set.

use std::path::Path;

use anyhow::Context;
use app::forecasts::{ForecastPage, ForecastQuery};
use app::wire::forecast::load_demand;
use forecast::{ForecastConfig, ForecastSet, Freq};

use super::Opened;
use crate::out::outln;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Periods ahead (up to 26 weeks or 182 days).
    #[arg(long, default_value_t = 4)]
    pub horizon: usize,
    /// `day` or `week` (weeks start on Monday).
    #[arg(long, default_value = "week")]
    pub freq: String,
    /// `variant`, `product`, `category` or `total`.
    #[arg(long, default_value = "variant")]
    pub level: String,
    /// Only this SKU (variant level), or the product/category/total key.
    #[arg(long)]
    pub sku: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Loads the store's history and forecasts every level.
pub fn load_from(
    store: &store::Store,
    freq: Freq,
    horizon: usize,
) -> anyhow::Result<(forecast::Demand, ForecastSet)> {
    let demand = load_demand(store).context("Failed to read orders, inventory and events from the store")?;
    let cfg = ForecastConfig { freq, horizon, ..ForecastConfig::default() };
    let set = forecast::forecast(&demand, &cfg);
    Ok((demand, set))
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let query = ForecastQuery {
        level: args.level.clone(),
        freq: args.freq.clone(),
        horizon: args.horizon,
        sku: args.sku.clone(),
        limit: app::forecasts::MAX_LIMIT,
        offset: 0,
    };
    let opened = super::open(data)?;
    let mut count = 0;
    let mut first_period;
    // Page through the series, from the store or the server alike.
    loop {
        let page = page(&opened, &ForecastQuery { offset: count, ..query.clone() })?;
        if page.total == 0 {
            anyhow::bail!("no order history in the store: import orders first (`loupe import orders FILE`)");
        }
        first_period = page.first_period.clone();
        let mut text = String::new();
        for s in &page.items {
            if args.json {
                text.push_str(&serde_json::to_string(s)?);
            } else {
                let pts: Vec<String> =
                    s.points.iter().map(|p| format!("{:.0}/{:.0}/{:.0}", p.p10, p.p50, p.p90)).collect();
                text.push_str(&format!(
                    "{:<24} {:<14} {:<12} {}",
                    clip(&s.key, 24),
                    s.model,
                    s.demand_class,
                    pts.join("  ")
                ));
            }
            text.push('\n');
        }
        crate::out::write_str(&text);
        count += page.items.len();
        if page.items.is_empty() || count >= page.total || crate::out::closed() {
            break;
        }
    }
    if !args.json {
        outln!(
            "{count} {} series, {} per {} from {first_period} (P10/P50/P90)",
            args.level,
            args.horizon,
            args.freq
        );
    }
    Ok(())
}

/// One page of series, from the store or through the server.
pub fn page(opened: &Opened, q: &ForecastQuery) -> anyhow::Result<ForecastPage> {
    Ok(match opened {
        Opened::Local(app) => app::forecasts::forecasts(&app.engines, q)?,
        Opened::Server(server) => {
            let mut path = format!(
                "/v1/forecasts?level={}&freq={}&horizon={}&limit={}&offset={}",
                encode(&q.level),
                encode(&q.freq),
                q.horizon,
                q.limit,
                q.offset
            );
            if let Some(sku) = &q.sku {
                path.push_str(&format!("&sku={}", encode(sku)));
            }
            server.get_json(&path)?
        }
    })
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}
