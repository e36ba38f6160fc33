//! Experiments as defined, assigned and read (issue 15).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What an experiment changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Loupe's search ranking; each variation's value is `learned` or `catalog_only`, and the
    /// storefront's search applies it.
    SearchRanking,
    /// How a client blends recommendation sources; the value is the client's to read.
    RecommendationBlend,
    /// The order of a collection; the value is the client's to read.
    CollectionOrder,
    /// A hero product; the value is a product handle.
    HeroProduct,
}

impl Target {
    pub const ALL: [Target; 4] =
        [Target::SearchRanking, Target::RecommendationBlend, Target::CollectionOrder, Target::HeroProduct];

    pub fn as_str(self) -> &'static str {
        match self {
            Target::SearchRanking => "search_ranking",
            Target::RecommendationBlend => "recommendation_blend",
            Target::CollectionOrder => "collection_order",
            Target::HeroProduct => "hero_product",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Target::SearchRanking => "Search ranking",
            Target::RecommendationBlend => "Recommendation blend",
            Target::CollectionOrder => "Collection order",
            Target::HeroProduct => "Hero product",
        }
    }
}

/// What an experiment is judged on, per visitor exposed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Share of visitors who bought.
    Conversion,
    /// Revenue after exposure divided by visitors (buyers and not).
    RevenuePerVisitor,
    /// Revenue divided by orders.
    Aov,
    /// Share of visitors who added something to the bag.
    AddToCartRate,
    /// Units returned divided by units bought (lower is better).
    ReturnRate,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::Conversion,
        Metric::RevenuePerVisitor,
        Metric::Aov,
        Metric::AddToCartRate,
        Metric::ReturnRate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Conversion => "conversion",
            Metric::RevenuePerVisitor => "revenue_per_visitor",
            Metric::Aov => "aov",
            Metric::AddToCartRate => "add_to_cart_rate",
            Metric::ReturnRate => "return_rate",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Metric::Conversion => "conversion",
            Metric::RevenuePerVisitor => "revenue per visitor",
            Metric::Aov => "average order value",
            Metric::AddToCartRate => "add-to-cart rate",
            Metric::ReturnRate => "return rate",
        }
    }

    pub fn formula(self) -> &'static str {
        match self {
            Metric::Conversion => "visitors with a purchase after exposure / visitors exposed",
            Metric::RevenuePerVisitor => "revenue after exposure / visitors exposed",
            Metric::Aov => "revenue after exposure / orders after exposure (delta method)",
            Metric::AddToCartRate => "visitors who added to the bag after exposure / visitors exposed",
            Metric::ReturnRate => "units returned / units bought after exposure (delta method)",
        }
    }

    /// Whether a rise is good news.
    pub fn higher_is_better(self) -> bool {
        self != Metric::ReturnRate
    }

    /// A per-visitor proportion (conversion-like), not a mean of amounts.
    pub fn is_proportion(self) -> bool {
        matches!(self, Metric::Conversion | Metric::AddToCartRate)
    }
}

/// Which visitors an experiment is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visitors {
    #[default]
    All,
    New,
    Returning,
}

/// Targeting: visitors new or returning, devices, countries. Empty lists mean "any".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Targeting {
    #[serde(default)]
    pub visitors: Visitors,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Variation {
    pub name: String,
    /// What the variation does (for `search_ranking`: `learned` or `catalog_only`).
    #[serde(default)]
    pub value: Value,
}

fn full_coverage() -> f64 {
    1.0
}

/// An experiment as a person defines it (`POST /v1/experiments`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExperimentSpec {
    /// 1 to 64 lower-case letters, digits, `-` or `_`; also the hash seed.
    pub key: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub hypothesis: String,
    pub target: Target,
    /// The first is the control.
    pub variations: Vec<Variation>,
    /// Share of traffic per variation, summing to 1; equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
    /// Share of eligible visitors included, 0 to 1.
    #[serde(default = "full_coverage")]
    pub coverage: f64,
    #[serde(default)]
    pub targeting: Targeting,
    /// RFC 3339 time or `YYYY-MM-DD`; runs from creation when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    pub metric: Metric,
    #[serde(default)]
    pub guardrails: Vec<Metric>,
    /// The smallest relative change worth detecting on the primary metric (0.05 = 5%), for
    /// planning; default 0.05.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_effect: Option<f64>,
}

/// A stored experiment, as listed and shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    #[serde(flatten)]
    pub spec: ExperimentSpec,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds, when a person stopped it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<i64>,
    /// `scheduled`, `running`, `stopped` or `ended` (computed when shown).
    #[serde(default)]
    pub status: String,
    /// The same experiment for GrowthBook's SDKs (hash version 2, seed = key), which assign
    /// every visitor to the same variation as Loupe does.
    #[serde(default)]
    pub growthbook: Value,
}

/// Who asks for a variation (`GET /v1/experiments/assign`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Visitor {
    /// The visitor id (a first-party cookie or the client's user id).
    pub id: String,
    #[serde(default)]
    pub returning: Option<bool>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub experiment: String,
    /// The variation's index (0 is the control, also given to visitors not in the experiment).
    pub variation: usize,
    pub name: String,
    pub value: Value,
    pub in_experiment: bool,
    /// Why: included by the hash, not running, outside the targeting or the coverage.
    pub reason: String,
}

/// One read-out of one comparison (treatment against control).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Readout {
    /// Relative change (0.041 = +4.1%).
    pub expected: Option<f64>,
    /// Interval of the relative change; `None` bounds are infinite.
    pub ci: (Option<f64>, Option<f64>),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// Holm-adjusted across every metric and variation of the experiment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_adjusted: Option<f64>,
    /// Chance the treatment is better (for return rate: lower).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chance_to_win: Option<f64>,
    /// Expected loss of choosing control, of choosing the treatment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<(f64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub variation: usize,
    /// Fixed-horizon t-test: valid once, at the planned end.
    pub frequentist: Readout,
    /// The same with CUPED (each visitor's own behaviour before exposure as covariate), when the
    /// metric has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cuped: Option<Readout>,
    /// Sequential test (GrowthBook's, tuning parameter 5,000): valid at every look.
    pub sequential: Readout,
    pub bayesian: Readout,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricArm {
    pub variation: usize,
    /// Visitors exposed.
    pub n: u64,
    /// The metric's value (a share, or an amount in the store's currency).
    pub value: Option<f64>,
    /// Numerator and denominator behind `value`.
    pub numerator: f64,
    pub denominator: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricResult {
    pub metric: Metric,
    /// `primary` or `guardrail`.
    pub role: String,
    pub formula: String,
    /// For revenue metrics: the cap on each visitor's revenue (99th percentile of buyers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue_cap: Option<f64>,
    pub arms: Vec<MetricArm>,
    pub comparisons: Vec<Comparison>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArmCount {
    pub variation: usize,
    pub name: String,
    pub visitors: u64,
    /// The configured share of traffic.
    pub expected_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleRatio {
    pub p_value: Option<f64>,
    /// False when p < 0.001: the split is not what was configured.
    pub ok: bool,
}

/// An experiment's results (`GET /v1/experiments/{key}/results`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub experiment: Experiment,
    /// Unix milliseconds: outcomes from each visitor's first exposure to `until`.
    pub until: i64,
    pub arms: Vec<ArmCount>,
    pub sample_ratio: SampleRatio,
    pub metrics: Vec<MetricResult>,
    /// One plain sentence per treatment: what happened and what to do.
    pub verdict: Vec<String>,
    /// Visitors per arm still needed for the sequential test to detect the minimum effect on the
    /// primary metric with 80% power, when the primary metric is not yet conclusive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_visitors_per_arm: Option<u64>,
}
