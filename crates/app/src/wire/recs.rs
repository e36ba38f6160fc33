//! Recommendations as `loupe recommend --json` and `GET /v1/recommendations`
//! print them (issue 5's contract), converted from the `recs` engine's values:
//! `{"context", "items": [{"id", "handle", "title", "skus", "score", "why"}]}`
//! and, for the batch, one `{"customer_id", "items"}` per line.

use serde::{Deserialize, Serialize};

/// One reason: `{"signal", "detail", "contribution"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Why {
    pub signal: String,
    pub detail: String,
    pub contribution: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecItem {
    pub id: u64,
    pub handle: String,
    pub title: String,
    pub skus: Vec<String>,
    pub score: f64,
    pub why: Vec<Why>,
}

/// What the recommendations are for: `kind` is `product`, `customer`,
/// `cart`, `session`, `gift` or `trending`; `value` what was asked (the
/// product id, customer id, SKUs, session id or the brief). For a gift, the
/// brief as understood.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecContext {
    pub kind: String,
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gift: Option<GiftUnderstood>,
    /// False when the customer, product or session was unknown and the
    /// answer fell back to popular pieces.
    pub known: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiftUnderstood {
    pub recipient: Option<String>,
    pub occasion: Option<String>,
    pub budget_min: Option<f64>,
    pub budget_max: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendations {
    pub context: RecContext,
    pub items: Vec<RecItem>,
}

/// One line of the batch output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecommendations {
    pub customer_id: String,
    pub items: Vec<RecItem>,
}

/// What forgetting a customer did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forgotten {
    pub customer_id: String,
    pub events_deleted: usize,
    pub order_lines_anonymized: usize,
    /// Support tickets deleted (the customer's words).
    #[serde(default)]
    pub tickets_deleted: usize,
    /// Care messages to them, deleted (the decision log keeps its entries,
    /// which name them only by pseudonym).
    #[serde(default)]
    pub messages_deleted: usize,
    /// Whether a consent history was deleted.
    #[serde(default)]
    pub consent_deleted: bool,
    /// Loupe's own generated files (the demo's, under `DATA/demo/`) the
    /// customer was removed from, relative to the data directory.
    #[serde(default)]
    pub files_scrubbed: Vec<String>,
    /// Other files under the data directory that still name the customer
    /// (uploads, the operator's files): Loupe does not touch them.
    #[serde(default)]
    pub files_still_holding: Vec<String>,
}

fn round(x: f32) -> f64 {
    if x.is_finite() {
        (x as f64 * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

impl From<&recs::Item> for RecItem {
    fn from(i: &recs::Item) -> RecItem {
        RecItem {
            id: i.product_id,
            handle: i.handle.clone(),
            title: i.title.clone(),
            skus: i.skus.clone(),
            score: round(i.score),
            why: i
                .why
                .iter()
                .map(|r| Why {
                    signal: r.signal.as_str().to_string(),
                    detail: r.detail.clone(),
                    contribution: round(r.contribution),
                })
                .collect(),
        }
    }
}

pub fn items(list: &[recs::Item]) -> Vec<RecItem> {
    list.iter().map(RecItem::from).collect()
}

impl RecContext {
    pub fn of(context: &recs::Context, known: bool) -> RecContext {
        use recs::Context as C;
        let (kind, value, gift) = match context {
            C::Product(id) => ("product", serde_json::json!(id), None),
            C::Customer(id) => ("customer", serde_json::json!(id), None),
            C::Cart(skus) => ("cart", serde_json::json!(skus), None),
            C::Session { id, recent } => {
                ("session", serde_json::json!(id.clone().unwrap_or_else(|| recent.join(","))), None)
            }
            C::Gift(b) => (
                "gift",
                serde_json::json!(b.text),
                Some(GiftUnderstood {
                    recipient: b.recipient.map(|r| r.as_str().to_string()),
                    occasion: b.occasion.map(|o| o.as_str().to_string()),
                    budget_min: b.budget.and_then(|x| x.min),
                    budget_max: b.budget.and_then(|x| x.max),
                }),
            ),
            C::Trending => ("trending", serde_json::Value::Null, None),
        };
        RecContext { kind: kind.to_string(), value, gift, known }
    }
}

/// `loupe eval recs --json`: the temporal-split evaluation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecsEval {
    pub split_date: String,
    pub train_lines: usize,
    pub test_lines: usize,
    pub customers: usize,
    pub cold_customers: usize,
    pub items: usize,
    pub purchasable: usize,
    pub train_seconds: f64,
    pub models: Vec<RecsEvalRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecsEvalRow {
    /// `popularity` (the baseline), `trend`, `repeat`, `cooccurrence`, `als`,
    /// `customer_knn`, `content`, `blend`.
    pub model: String,
    pub at: Vec<RecsEvalAtK>,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecsEvalAtK {
    pub k: usize,
    pub recall: f64,
    pub ndcg: f64,
    pub hit_rate: f64,
    pub coverage: f64,
}

impl RecsEval {
    pub fn from_report(split_date: &str, r: &recs::eval::EvalReport) -> RecsEval {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        RecsEval {
            split_date: split_date.to_string(),
            train_lines: r.train_lines,
            test_lines: r.test_lines,
            customers: r.customers,
            cold_customers: r.cold_customers,
            items: r.items,
            purchasable: r.purchasable,
            train_seconds: r4(r.train_seconds),
            models: r
                .rows
                .iter()
                .map(|row| RecsEvalRow {
                    model: row.model.clone(),
                    at: row
                        .at
                        .iter()
                        .map(|a| RecsEvalAtK {
                            k: a.k,
                            recall: r4(a.recall),
                            ndcg: r4(a.ndcg),
                            hit_rate: r4(a.hit_rate),
                            coverage: r4(a.coverage),
                        })
                        .collect(),
                    seconds: r4(row.seconds),
                })
                .collect(),
        }
    }
}

/// `loupe eval recs --holdout-from ... --json`: blend tuned on the
/// validation window, every method scored on it and, once, on the holdout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecsHoldout {
    pub k: usize,
    pub items: usize,
    pub validation: HoldoutWindow,
    pub holdout: HoldoutWindow,
    /// The blend chosen on validation, in `--blend` order
    /// (cooc,als,neighbours,content,set,repeat,popular,trend,diversity,rules),
    /// or `deployed` when the deployed customer blend scored best.
    pub chosen_blend: String,
    /// The interaction half-life (days) chosen on the validation window.
    pub half_life_days: f64,
    /// Blends tried on the validation window.
    pub trials: usize,
    /// `loupe` (tuned), `loupe_deployed`, `popular_90d`,
    /// `favourites_then_popular`.
    pub methods: Vec<HoldoutMethod>,
    /// Rows of the orders file left out because their field count differs
    /// from the header's (their columns would be read shifted).
    pub short_rows_skipped: usize,
    pub seconds: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutWindow {
    /// First day, inclusive (YYYY-MM-DD).
    pub from: String,
    /// Day after the last, exclusive; `null` for the end of the data.
    pub to: Option<String>,
    pub train_lines: usize,
    pub test_lines: usize,
    /// Scored: bought before the window and in it.
    pub customers: usize,
    /// Scored customers with a product new to them in the window.
    pub customers_new: usize,
    /// Bought in the window only (not scored).
    pub cold_customers: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutMethod {
    pub name: String,
    pub validation: HoldoutScores,
    pub holdout: HoldoutScores,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutScores {
    pub recall: f64,
    pub ndcg: f64,
    pub recall_new: f64,
    pub ndcg_new: f64,
}

impl RecsHoldout {
    pub fn from_report(r: &recs::holdout::HoldoutReport, k: usize, short_rows_skipped: usize) -> RecsHoldout {
        let r4 = |x: f64| (x * 10_000.0).round() / 10_000.0;
        let day = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let window = |t: &recs::holdout::Truth| HoldoutWindow {
            from: day(t.from),
            to: (t.to != i64::MAX).then(|| day(t.to)),
            train_lines: t.train_lines,
            test_lines: t.test_lines,
            customers: t.customers.len(),
            customers_new: t.customers_with_new(),
            cold_customers: t.cold,
        };
        let scores = |s: &recs::holdout::Scores| HoldoutScores {
            recall: r4(s.recall),
            ndcg: r4(s.ndcg),
            recall_new: r4(s.recall_new),
            ndcg_new: r4(s.ndcg_new),
        };
        RecsHoldout {
            k,
            items: r.items,
            validation: window(&r.validation),
            holdout: window(&r.holdout),
            chosen_blend: r.chosen.as_ref().map_or_else(|| "deployed".to_string(), blend_string),
            half_life_days: r.half_life_days as f64,
            trials: r.trials.len(),
            methods: r
                .methods
                .iter()
                .map(|m| HoldoutMethod {
                    name: m.name.clone(),
                    validation: scores(&m.validation),
                    holdout: scores(&m.holdout),
                })
                .collect(),
            short_rows_skipped,
            seconds: r4(r.train_seconds),
        }
    }
}

/// Blend weights in `loupe eval recs --blend` order.
pub fn blend_string(w: &recs::Weights) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{},{}",
        w.cooc,
        w.als,
        w.neighbours,
        w.content,
        w.set,
        w.repeat,
        w.popular,
        w.trend,
        w.diversity,
        u8::from(w.rules)
    )
}
