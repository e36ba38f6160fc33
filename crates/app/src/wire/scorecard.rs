//! The scorecard as `loupe scorecard --json` and `GET /v1/scorecard` print
//! it (issue 19's contract): one row per period and segment, `null` where
//! the data to compute a metric does not exist.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScorecardRow {
    /// `YYYY-MM-DD`, the first day of the period (a Monday for weeks).
    pub period_start: String,
    /// The first day after the period.
    pub period_end: String,
    pub segment: String,
    pub currency: String,
    pub sessions: Option<u64>,
    pub orders: u64,
    pub revenue: f64,
    pub units: i64,
    pub aov: Option<f64>,
    pub units_per_order: Option<f64>,
    pub conversion_rate: Option<f64>,
    pub returned_units: i64,
    /// The returned lines at their unit price (the return rate by value is this / revenue).
    pub returned_value: f64,
    pub return_rate: Option<f64>,
    /// returned_value / revenue.
    pub return_value_rate: Option<f64>,
    pub sell_through: Option<f64>,
    pub inventory_turnover: Option<f64>,
    pub gmroi: Option<f64>,
    pub weeks_of_supply: Option<f64>,
    pub stockout_rate: Option<f64>,
    pub first_response_hours: Option<f64>,
    pub resolution_hours: Option<f64>,
    pub repeat_rate: Option<f64>,
}

impl From<&scorecard::Row> for ScorecardRow {
    fn from(r: &scorecard::Row) -> ScorecardRow {
        ScorecardRow {
            period_start: r.period.start.to_string(),
            period_end: r.period.end.to_string(),
            segment: r.segment.clone(),
            currency: r.currency.as_str().to_string(),
            sessions: r.sessions,
            orders: r.orders,
            revenue: r.revenue(),
            units: r.units,
            aov: r.aov(),
            units_per_order: r.units_per_order(),
            conversion_rate: r.conversion_rate(),
            returned_units: r.returned_units,
            returned_value: r.returned_value(),
            return_rate: r.return_rate(),
            return_value_rate: r.return_value_rate(),
            sell_through: r.sell_through(),
            inventory_turnover: r.inventory_turnover(),
            gmroi: r.gmroi(),
            weeks_of_supply: r.weeks_of_supply(),
            stockout_rate: r.stockout_rate(),
            first_response_hours: None,
            resolution_hours: None,
            repeat_rate: r.repeat_rate(),
        }
    }
}

/// `GET /v1/scorecard`: the rows, and each metric's definition.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub by: String,
    pub segment: String,
    pub rows: Vec<ScorecardRow>,
    /// Metric name to its formula, as the README writes it.
    pub definitions: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    /// Regression: the CLI beside a server parses the server's JSON and
    /// prints it again; without serde_json's exact float parsing a ratio came
    /// back one unit in the last place off (1/11 as 0.09090909090909093).
    #[test]
    fn figures_survive_a_trip_through_json() {
        for x in [1.0f64 / 11.0, 0.09574468085106383, 191.98701298701297, 5.7356915174086244e-05, 1.0 / 3.0] {
            let text = serde_json::to_string(&x).unwrap();
            let back: f64 = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_bits(), x.to_bits(), "{text}");
        }
    }
}
