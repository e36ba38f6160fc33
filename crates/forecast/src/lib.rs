//! Demand forecasting, backtests, slow movers and replenishment suggestions,
//! with reasons. No IO: values in (order lines, inventory snapshots,
//! events, products), values out.
//!
//! - [`history`]: units per variant per day, returns apart, stockout days
//!   censored, views and add-to-carts as drivers.
//! - [`calendar`]: moving and fixed holidays, the pooled calendar effects.
//! - `models` + [`engine`]: the models (seasonal naive, SES, damped Holt,
//!   Holt-Winters, Croston, SBA, TSB, calendar-adjusted variants), chosen per
//!   series by rolling-origin backtest, with count-distribution intervals.
//! - [`pipeline`]: every level (variant, product, category, total), daily or
//!   weekly, reconciled by [`reconcile`], each series with its `why`.
//! - [`backtest`]: rolling-origin evaluation (WAPE, MASE, RMSSE, bias,
//!   coverage per level and demand class).
//! - [`holdout`]: a final window scored once, forecast from the history
//!   before it (and a validation window just before that, for tuning).
//! - [`inventory`] and [`slow`]: replenishment suggestions and slow movers.

// Time-series code indexes several parallel arrays by the same period;
// iterator chains over zipped slices read worse than the index here.
#![allow(clippy::needless_range_loop)]

pub mod backtest;
pub mod calendar;
pub mod dist;
pub mod engine;
pub mod history;
pub mod holdout;
pub mod inventory;
mod models;
pub mod pipeline;
pub mod reconcile;
pub mod slow;
pub mod synth;

pub use backtest::{evaluate, evaluate_against, period_histories, truncate, Evaluation, MetricRow};
pub use calendar::{first_forecast_period, week_start, CalendarEffects};
pub use engine::{classify, fit_series, DemandClass, ModelKind, Scratch, SeriesContext, SeriesFit};
pub use history::{build_demand, build_demand_iter, demand_event_window, Demand, VariantHistory};
pub use holdout::{holdout, HoldoutError, HoldoutRun, Point, Score, Window};
pub use inventory::{replenish, weeks_of_supply, ReplenishConfig, Suggestion, MIN_WEEKLY_DEMAND};
pub use pipeline::{forecast, ForecastConfig, ForecastSet, SeriesForecast};
pub use slow::{slow_movers, SlowConfig, SlowMover};

/// The version of the forecasting models, shown with every suggestion so a
/// buyer can tell which model made it.
pub const MODEL_VERSION: &str = "loupe-forecast-1";

/// Errors of this crate: bad requests from users of the engine.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    #[error("unknown frequency {0:?} (expected day or week)")]
    Freq(String),
    #[error("unknown level {0:?} (expected variant, product, category or total)")]
    Level(String),
    #[error("horizon {0} out of range (1 to {1} periods)")]
    Horizon(usize, usize),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Days or weeks (starting on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Freq {
    Day,
    Week,
}

impl Freq {
    pub fn parse(s: &str) -> Result<Freq> {
        match s {
            "day" | "daily" | "d" => Ok(Freq::Day),
            "week" | "weekly" | "w" => Ok(Freq::Week),
            _ => Err(Error::Freq(s.chars().take(20).collect())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Freq::Day => "day",
            Freq::Week => "week",
        }
    }

    pub fn days(self) -> usize {
        match self {
            Freq::Day => 1,
            Freq::Week => 7,
        }
    }

    /// The longest horizon offered: 26 weeks.
    pub fn max_horizon(self) -> usize {
        match self {
            Freq::Day => 182,
            Freq::Week => 26,
        }
    }

    /// Checks a requested horizon.
    pub fn horizon(self, h: usize) -> Result<usize> {
        if h == 0 || h > self.max_horizon() {
            return Err(Error::Horizon(h, self.max_horizon()));
        }
        Ok(h)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    Variant,
    Product,
    Category,
    Total,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Total, Level::Category, Level::Product, Level::Variant];

    pub fn parse(s: &str) -> Result<Level> {
        match s {
            "variant" | "sku" => Ok(Level::Variant),
            "product" => Ok(Level::Product),
            "category" => Ok(Level::Category),
            "total" => Ok(Level::Total),
            _ => Err(Error::Level(s.chars().take(20).collect())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Variant => "variant",
            Level::Product => "product",
            Level::Category => "category",
            Level::Total => "total",
        }
    }
}

/// One reason behind a forecast or a decision.
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    pub signal: String,
    pub detail: String,
    /// The signal's weight, in the unit the signal names (a lift minus one,
    /// a share, a count of days).
    pub contribution: f64,
}

impl Why {
    pub fn new(signal: &str, detail: impl Into<String>, contribution: f64) -> Why {
        let contribution = if contribution.is_finite() { contribution } else { 0.0 };
        Why { signal: signal.to_string(), detail: detail.into(), contribution }
    }
}
