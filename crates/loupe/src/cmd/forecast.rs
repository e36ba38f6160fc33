//! `loupe forecast`: demand forecasts per variant, product, category or in
//! total, daily or weekly, with P10/P50/P90 and the reasons.
//!
//! With `--json`, one line per series in the issue-6 contract
//! (`server::wire::forecast::SeriesForecast`); otherwise a short table.
//! Also home of [`load`], which the replenish, slow-movers and eval commands
//! share.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use forecast::{ForecastConfig, ForecastSet, Freq, Level};
use server::wire::forecast::{load_demand, SeriesForecast};

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
pub fn load(data: &Path, freq: Freq, horizon: usize) -> anyhow::Result<(forecast::Demand, ForecastSet)> {
    let store = super::products::open_store(data)?;
    let demand = load_demand(&store).context("Failed to read orders, inventory and events from the store")?;
    let cfg = ForecastConfig { freq, horizon, ..ForecastConfig::default() };
    let set = forecast::forecast(&demand, &cfg);
    Ok((demand, set))
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    super::forecast::quiet_pipe(print(data, args))
}

fn print(data: &Path, args: Args) -> anyhow::Result<()> {
    let freq = Freq::parse(&args.freq)?;
    let horizon = freq.horizon(args.horizon)?;
    let level = Level::parse(&args.level)?;
    let (demand, set) = load(data, freq, horizon)?;
    if demand.variants.is_empty() {
        anyhow::bail!("no order history in the store: import orders first (`loupe import orders FILE`)");
    }
    let wanted = |s: &&forecast::SeriesForecast| {
        s.level == level && args.sku.as_deref().is_none_or(|k| s.key == k || s.sku.as_deref() == Some(k))
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut count = 0;
    for s in set.series.iter().filter(wanted) {
        count += 1;
        if args.json {
            serde_json::to_writer(&mut out, &SeriesForecast::from_engine(&set, s))?;
            writeln!(out)?;
        } else {
            let f = &s.fit;
            let pts: Vec<String> = (0..f.mean.len())
                .map(|j| format!("{:.0}/{:.0}/{:.0}", f.p10[j], f.p50[j], f.p90[j]))
                .collect();
            writeln!(
                out,
                "{:<24} {:<14} {:<12} {}",
                clip(&s.key, 24),
                f.model.as_str(),
                f.class.as_str(),
                pts.join("  ")
            )?;
        }
    }
    if let Some(sku) = &args.sku {
        if count == 0 {
            anyhow::bail!("no {} series with key {sku:?}", level.as_str());
        }
    }
    if !args.json {
        writeln!(
            out,
            "{count} {} series, {} per {} from {} (P10/P50/P90)",
            level.as_str(),
            horizon,
            freq.as_str(),
            set.first_period
        )?;
    }
    out.flush()?;
    Ok(())
}

/// A closed pipe (`loupe forecast --json | head`) ends the output quietly,
/// as it does for other command-line tools.
pub fn quiet_pipe(result: anyhow::Result<()>) -> anyhow::Result<()> {
    let Err(err) = result else { return Ok(()) };
    let broken = err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || e.downcast_ref::<serde_json::Error>().and_then(|j| j.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
    });
    if broken {
        Ok(())
    } else {
        Err(err)
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(['…']).collect()
    }
}
