//! Merchandising on the wire (issue 14): collections with their members and
//! reasons, ranking previews, bundles, placements. `loupe collections|bundles|placements --json`
//! print these and `/v1/collections`, `/v1/bundles`, `/v1/placements` send them.

use serde::{Deserialize, Serialize};

/// One reason for a membership: the fact, what it added, and how a shopper reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberReasonOut {
    /// `category`, `style`, `word`, `stone`, `metal`, `price_band`, `tag`,
    /// `searches`, `bought_with`, `collection` (the catalog names it),
    /// `pinned` (a person put it here).
    pub code: String,
    /// For the merchandiser, with the numbers.
    pub detail: String,
    /// For a shopper, plain.
    pub plain: String,
    pub weight: f64,
}

/// A product in a collection, in the collection's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberOut {
    pub handle: String,
    pub title: String,
    /// 1-based.
    pub position: usize,
    /// In [0, 1]: how strongly it belongs (1 for a pin).
    pub strength: f64,
    pub pinned: bool,
    pub why: Vec<MemberReasonOut>,
}

/// A collection's rule, as saved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleOut {
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub styles: Vec<String>,
    #[serde(default)]
    pub words: Vec<String>,
    #[serde(default)]
    pub stones: Vec<String>,
    #[serde(default)]
    pub metals: Vec<String>,
    #[serde(default)]
    pub price_bands: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub queries: Vec<String>,
}

/// `GET /v1/collections`: one per collection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionSummary {
    pub key: String,
    pub name: String,
    pub description: String,
    /// `intent` (shipped), `rule` (the brand's), `collection` (named in the
    /// catalog), `category`.
    pub kind: String,
    pub members: usize,
    pub pinned: usize,
    pub excluded: usize,
    /// A person saved a ranking for it.
    pub ranked: bool,
    /// The first members' handles, in order.
    pub top: Vec<String>,
}

/// `GET /v1/collections/{key}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CollectionOut {
    pub key: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub rule: Option<RuleOut>,
    pub pins: Vec<String>,
    pub excludes: Vec<String>,
    /// The saved blend (`conversion:0.4,...,diversity:1`), if a person saved one.
    pub weights: Option<String>,
    pub members: Vec<MemberOut>,
    /// RFC 3339 and who, of the last change a person made.
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
}

/// `PUT /v1/collections/{key}`: what a person changes. Fields left out keep
/// their saved value; `weights` saves a ranking made with that blend.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CollectionIn {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub rule: Option<RuleOut>,
    #[serde(default)]
    pub pins: Option<Vec<String>>,
    #[serde(default)]
    pub excludes: Option<Vec<String>>,
    #[serde(default)]
    pub weights: Option<String>,
    /// Who made the change.
    pub by: String,
}

/// One factor's push on a product's place.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactorOut {
    pub factor: String,
    /// Its push on the blend (+ up, - down).
    pub contribution: f64,
    pub detail: String,
}

/// A product's place in a ranking.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RankedOut {
    pub handle: String,
    pub title: String,
    pub position: usize,
    pub score: f64,
    pub pinned: bool,
    pub moved_for_diversity: bool,
    pub why: Vec<FactorOut>,
}

/// `GET /v1/collections/{key}/preview`: the order today and with the blend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewOut {
    pub key: String,
    pub weights: String,
    pub before: Vec<RankedOut>,
    pub after: Vec<RankedOut>,
}

/// A product named in a bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleItemOut {
    pub handle: String,
    pub title: String,
    pub category: Option<String>,
    pub price: Option<f64>,
}

/// `GET /v1/bundles`: a proposal, or what a person made of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleOut {
    pub id: String,
    /// `proposed`, `approved`, `rejected`.
    pub status: String,
    pub anchor: BundleItemOut,
    /// The companions (edited by a person, when they were).
    pub items: Vec<BundleItemOut>,
    pub co_orders: u32,
    pub anchor_orders: u64,
    pub attach_rate: Option<f64>,
    /// The attach rate is an estimate from similar pairs, not this pair's orders.
    pub estimated: bool,
    pub lift: Option<f64>,
    pub matches: Vec<String>,
    pub evidence: Vec<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
}

/// `POST /v1/bundles/{id}/decision`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleDecisionIn {
    /// `approve`, `reject` or `edit` (approve with other companions).
    pub decision: String,
    /// For `edit`: the companions' handles.
    #[serde(default)]
    pub items: Option<Vec<String>>,
    pub by: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// One collection scored for a week.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementOut {
    pub key: String,
    pub name: String,
    /// `hero`, `email`, `paid`, or none.
    pub slot: Option<String>,
    pub score: f64,
    pub units_4w: i64,
    pub momentum: f64,
    pub season_lift: Option<f64>,
    pub on_hand: Option<i64>,
    pub cover_weeks: Option<f64>,
    pub margin_rate: Option<f64>,
    pub evidence: Vec<String>,
}

/// What last week's suggestion was, and what sold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastWeekOut {
    pub week: String,
    /// `slot:key` of what was suggested.
    pub suggested: Vec<String>,
    /// Collections by units sold that week, most first.
    pub sold: Vec<LastWeekRowOut>,
    /// The suggested hero's place in `sold` (1-based).
    pub hero_rank: Option<usize>,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastWeekRowOut {
    pub key: String,
    pub name: String,
    pub units: i64,
}

/// `GET /v1/placements?week=`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlacementsOut {
    /// The week's Monday.
    pub week: String,
    /// The last day with data; the figures are read from the days before `week`.
    pub data_until: Option<String>,
    pub hero: Option<String>,
    pub email: Vec<String>,
    pub paid: Vec<String>,
    pub collections: Vec<PlacementOut>,
    pub last_week: Option<LastWeekOut>,
}

/// `loupe eval merch --json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MerchEvalOut {
    /// Learnt from data before this day; truth from the days after, to `until`.
    pub cut: String,
    pub until: Option<String>,
    /// The blend the replay ranked with.
    pub weights: String,
    pub intents: Vec<IntentScoreOut>,
    pub bundles: BundleScoreOut,
    pub replay: ReplayOut,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntentScoreOut {
    pub intent: String,
    /// What the truth is.
    pub truth: String,
    pub truth_size: usize,
    pub members: usize,
    pub precision: f64,
    pub recall: f64,
    /// Precision of a random set of the same size (the truth's share of the catalog).
    pub base_rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BundleScoreOut {
    pub proposed: usize,
    /// Share of proposals whose two pieces are of one true collection.
    pub same_true_collection: f64,
    /// The same share over every cross-category pair of active products.
    pub same_true_collection_random: f64,
    /// Share of proposals bought together after the cut.
    pub bought_together_after: f64,
    /// The same share over random cross-category pairs (same size, fixed seed).
    pub bought_together_after_random: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayOut {
    /// Categories replayed.
    pub categories: usize,
    /// Share of the season's units (after the cut) sold by the first row's products.
    pub first_row_share_reranked: f64,
    /// The same with the catalog's own order (the export's order).
    pub first_row_share_catalog_order: f64,
    /// The same with the best sellers before the cut first.
    pub first_row_share_bestsellers: f64,
    pub ratio_to_catalog_order: f64,
    pub ratio_to_bestsellers: f64,
    pub row: usize,
}
