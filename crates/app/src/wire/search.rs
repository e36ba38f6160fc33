//! Search on the wire: the `loupe search --json` / `GET /v1/search` response
//! (one shape for both), suggestions, merchandising rules as stored and
//! sent, and search analytics. Built from the engine's values; the engine's
//! types never derive `Serialize`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `{"query", "understood", "relaxed", "total", "hits", "facets", ...}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub query: String,
    pub understood: Understood,
    pub relaxed: Vec<Relaxed>,
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Facet name → values with counts (`category`, `metal`, `color`,
    /// `stone`, `gender`, `price`, `size`).
    pub facets: BTreeMap<String, Vec<FacetValue>>,
    /// Lowest and highest price among the matches (for a slider).
    pub price_range: Option<PriceRange>,
    pub sort: String,
    pub limit: usize,
    pub offset: usize,
}

/// What the query was understood to mean.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Understood {
    /// Hard constraints: results must meet them (unless relaxed).
    pub constraints: Vec<Interpretation>,
    /// Soft preferences: they raise matching results.
    pub preferences: Vec<Interpretation>,
    /// Words matched as full text.
    pub terms: Vec<String>,
    pub corrections: Vec<Correction>,
    /// What was left out, and why.
    pub ignored: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interpretation {
    /// `category`, `metal`, `color`, `karat`, `stone`, `origin`, `price`,
    /// `ring_size`, `length_cm`, `recipient`, `finish`, `style`, `occasion`,
    /// `birthstone`, `stone_color`.
    pub field: String,
    pub value: Value,
    /// The words of the query it came from.
    pub from: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relaxed {
    pub constraint: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub id: u64,
    pub handle: String,
    pub title: String,
    pub score: f64,
    /// Price of the variant named by `variant_sku`, in major units.
    pub price: Option<f64>,
    pub currency: Option<String>,
    pub variant_sku: Option<String>,
    pub why: Vec<Why>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Why {
    pub signal: String,
    pub detail: String,
    pub contribution: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub count: usize,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceRange {
    pub min: f64,
    pub max: f64,
    pub currency: String,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn interp(field: &str, value: Value, from: &str) -> Interpretation {
    Interpretation { field: field.to_string(), value, from: from.to_string() }
}

impl Understood {
    /// `price_bounds` are the resolved bounds (`cheap` becomes a number).
    pub fn from_engine(u: &search::Understood, price_bounds: (Option<f64>, Option<f64>)) -> Understood {
        let mut c = Vec::new();
        if let Some(x) = &u.category {
            let cats: Vec<&str> = x.value.iter().map(|c| c.as_str()).collect();
            c.push(interp("category", json!(cats), &x.from));
        }
        if let Some(x) = &u.metal {
            c.push(interp("metal", json!(x.value), &x.from));
        }
        for x in &u.colors {
            c.push(interp("color", json!(x.value), &x.from));
        }
        if let Some(x) = &u.karat {
            c.push(interp("karat", json!(x.value), &x.from));
        }
        if let Some(s) = &u.stone {
            let mut v = json!({"any_of": s.kinds});
            if let Some(color) = &s.color {
                v["color"] = json!(color);
            }
            if let Some(m) = s.month {
                v["birthstone_month"] = json!(m);
            }
            c.push(interp("stone", v, &s.from));
        }
        if let Some(x) = &u.origin {
            c.push(interp("origin", json!(x.value.as_str()), &x.from));
        }
        if let Some(p) = &u.price {
            let (min, max) = price_bounds;
            c.push(interp("price", json!({"min": min, "max": max}), &p.from));
        }
        if let Some(x) = &u.ring_size {
            c.push(interp("ring_size", json!(x.value), &x.from));
        }
        if let Some(x) = &u.length_cm {
            c.push(interp("length_cm", json!(round3(f64::from(x.value))), &x.from));
        }
        let mut p = Vec::new();
        if let Some(x) = &u.gender {
            p.push(interp("recipient", json!(x.value.as_str()), &x.from));
        }
        if let Some(x) = &u.finish {
            p.push(interp("finish", json!(x.value), &x.from));
        }
        for x in &u.styles {
            p.push(interp("style", json!(x.value), &x.from));
        }
        for x in &u.occasions {
            p.push(interp("occasion", json!(x.value), &x.from));
        }
        if let Some(from) = &u.birthstone {
            p.push(interp("birthstone", json!(true), from));
        }
        if let Some(x) = &u.stone_color {
            p.push(interp("stone_color", json!(x.value), &x.from));
        }
        Understood {
            constraints: c,
            preferences: p,
            terms: u.terms.clone(),
            corrections: u
                .corrections
                .iter()
                .map(|(a, b)| Correction { from: a.clone(), to: b.clone() })
                .collect(),
            ignored: u.ignored.clone(),
        }
    }
}

impl SearchResponse {
    pub fn from_engine(
        req: &search::SearchRequest,
        r: &search::SearchResponse,
        price_bounds: (Option<f64>, Option<f64>),
    ) -> SearchResponse {
        SearchResponse {
            query: req.query.clone(),
            understood: Understood::from_engine(&r.understood, price_bounds),
            relaxed: r
                .relaxed
                .iter()
                .map(|x| Relaxed { constraint: x.constraint.to_string(), detail: x.detail.clone() })
                .collect(),
            total: r.total,
            hits: r
                .hits
                .iter()
                .map(|h| Hit {
                    id: h.product_id,
                    handle: h.handle.clone(),
                    title: h.title.clone(),
                    score: round3(f64::from(h.score)),
                    price: h.price.map(|m| m.major()),
                    currency: h.price.map(|m| m.currency.as_str().to_string()),
                    variant_sku: h.variant_sku.clone(),
                    why: h
                        .why
                        .iter()
                        .map(|w| Why {
                            signal: w.signal.to_string(),
                            detail: w.detail.clone(),
                            contribution: round3(f64::from(w.contribution)),
                        })
                        .collect(),
                })
                .collect(),
            facets: r
                .facets
                .iter()
                .map(|f| {
                    let values = f
                        .values
                        .iter()
                        .map(|v| FacetValue { value: v.value.clone(), count: v.count, selected: v.selected })
                        .collect();
                    (f.name.to_string(), values)
                })
                .collect(),
            price_range: r.price_range.map(|(min, max)| PriceRange {
                min,
                max,
                currency: r.currency.as_str().to_string(),
            }),
            sort: req.sort.as_str().to_string(),
            limit: req.limit,
            offset: req.offset,
        }
    }
}

/// `GET /v1/suggest`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Suggestions {
    pub query: String,
    pub queries: Vec<String>,
    pub products: Vec<SuggestedProduct>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestedProduct {
    pub id: u64,
    pub handle: String,
    pub title: String,
}

impl Suggestions {
    pub fn from_engine(query: &str, s: &search::Suggestions) -> Suggestions {
        Suggestions {
            query: query.to_string(),
            queries: s.queries.clone(),
            products: s
                .products
                .iter()
                .map(|p| SuggestedProduct {
                    id: p.product_id,
                    handle: p.handle.clone(),
                    title: p.title.clone(),
                })
                .collect(),
        }
    }
}

/// A merchandising rule as stored (store collection `rules`, key = `id`)
/// and as `/v1/rules` sends and takes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Letters, digits, `-` and `_`; shown in reasons ("pinned by rule 'valentines-hero'").
    pub id: String,
    /// `pin`, `boost`, `bury` or `hide`.
    pub action: String,
    /// Points for `boost` and `bury` (default 2).
    #[serde(default)]
    pub amount: Option<f32>,
    /// Product handles; pins keep this order.
    pub products: Vec<String>,
    /// Applies when every word of this is in the shopper's query.
    #[serde(default)]
    pub query: Option<String>,
    /// Applies to searches in this category.
    #[serde(default)]
    pub category: Option<String>,
    /// RFC 3339 time or `YYYY-MM-DD` (UTC midnight); active from then.
    #[serde(default)]
    pub starts_at: Option<String>,
    /// Active until before this time.
    #[serde(default)]
    pub ends_at: Option<String>,
}

/// Unix seconds of an RFC 3339 time or a `YYYY-MM-DD` date (UTC midnight).
pub(crate) fn parse_time(s: &str) -> Result<i64, String> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0));
    }
    Err(format!("{s:?} is not an RFC 3339 time or a YYYY-MM-DD date"))
}

impl Rule {
    /// Checks the rule and converts it for the engine.
    pub fn to_engine(&self) -> Result<search::Rule, String> {
        if self.id.is_empty()
            || self.id.len() > 80
            || !self.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err("id must be 1 to 80 letters, digits, '-' or '_'".into());
        }
        let amount = self.amount.unwrap_or(2.0);
        if !amount.is_finite() || !(0.0..=1000.0).contains(&amount) {
            return Err("amount must be between 0 and 1000".into());
        }
        let action = match self.action.as_str() {
            "pin" => search::RuleAction::Pin,
            "boost" => search::RuleAction::Boost(amount),
            "bury" => search::RuleAction::Bury(amount),
            "hide" => search::RuleAction::Hide,
            other => return Err(format!("action {other:?} is not pin, boost, bury or hide")),
        };
        if self.products.is_empty() || self.products.len() > 1000 {
            return Err("products must list 1 to 1000 product handles".into());
        }
        let category = match &self.category {
            Some(c) => Some(model::Category::parse(c).ok_or_else(|| format!("unknown category {c:?}"))?),
            None => None,
        };
        let starts_at = self.starts_at.as_deref().map(parse_time).transpose()?;
        let ends_at = self.ends_at.as_deref().map(parse_time).transpose()?;
        if let (Some(a), Some(b)) = (starts_at, ends_at) {
            if a >= b {
                return Err("starts_at must be before ends_at".into());
            }
        }
        Ok(search::Rule {
            id: self.id.clone(),
            action,
            products: self.products.clone(),
            query: self.query.clone().filter(|q| !q.trim().is_empty()),
            category,
            starts_at,
            ends_at,
        })
    }
}

/// `GET /v1/search/analytics`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchAnalytics {
    pub searches: u32,
    pub clicks: u32,
    pub top_queries: Vec<QueryStat>,
    pub zero_result_queries: Vec<QueryStat>,
    pub no_click_queries: Vec<QueryStat>,
    pub ctr_by_position: Vec<PositionStat>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueryStat {
    pub query: String,
    pub searches: u32,
    pub clicks: u32,
    pub zero_results: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PositionStat {
    pub position: u32,
    pub impressions: u32,
    pub clicks: u32,
    pub ctr: f64,
}

impl SearchAnalytics {
    pub fn from_engine(a: &search::SearchAnalytics) -> SearchAnalytics {
        let q = |v: &[search::QueryStat]| -> Vec<QueryStat> {
            v.iter()
                .map(|s| QueryStat {
                    query: s.query.clone(),
                    searches: s.searches,
                    clicks: s.clicks,
                    zero_results: s.zero_results,
                })
                .collect()
        };
        SearchAnalytics {
            searches: a.searches,
            clicks: a.clicks,
            top_queries: q(&a.top_queries),
            zero_result_queries: q(&a.zero_result_queries),
            no_click_queries: q(&a.no_click_queries),
            ctr_by_position: a
                .ctr_by_position
                .iter()
                .map(|p| PositionStat {
                    position: p.position,
                    impressions: p.impressions,
                    clicks: p.clicks,
                    ctr: round3(p.ctr()),
                })
                .collect(),
        }
    }
}
