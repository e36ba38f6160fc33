//! Who sees which variation: GrowthBook's SDK algorithms, step for step.
//!
//! The specification is GrowthBook's "build your own SDK" document (specVersion 0.8.0); its
//! cross-SDK conformance suite runs against this module in `tests/growthbook.rs`. Agreeing with it
//! bit for bit matters: a brand that already runs GrowthBook SDKs on its storefront gets the same
//! arm for the same user from Loupe, and a user never moves between arms when coverage grows.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::condition::{eval_condition, js_string, js_truthy};

/// A half-open slice `[start, end)` of the unit interval.
pub type BucketRange = (f64, f64);

/// FNV-1a, 32 bits, over UTF-16 code units: what JavaScript's `charCodeAt` loop computes.
pub fn fnv1a32(s: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for unit in s.encode_utf16() {
        h ^= u32::from(unit);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A user's position in `[0, 1)` for a seed. Version 1 is GrowthBook's original hash (biased when
/// experiments run in parallel, kept for compatibility); version 2 is the current one. Other
/// versions have no hash.
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => Some(f64::from(fnv1a32(&format!("{value}{seed}")) % 1000) / 1000.0),
        2 => {
            let inner = fnv1a32(&format!("{seed}{value}"));
            Some(f64::from(fnv1a32(&inner.to_string()) % 10000) / 10000.0)
        }
        _ => None,
    }
}

pub fn in_range(n: f64, range: BucketRange) -> bool {
    n >= range.0 && n < range.1
}

/// Whether a user falls inside an experiment's slice of a namespace. Experiments in the same
/// namespace with slices that do not overlap never share a user.
pub fn in_namespace(user: &str, namespace: &Namespace) -> bool {
    let n = hash(&format!("__{}", namespace.0), user, 1).unwrap_or(0.0);
    n >= namespace.1 && n < namespace.2
}

pub fn equal_weights(n: i64) -> Vec<f64> {
    if n < 1 {
        return Vec::new();
    }
    vec![1.0 / n as f64; n as usize]
}

/// Coverage and weights turned into one range per variation. Each variation's range starts where
/// its full-coverage range starts, so raising coverage only adds users: nobody changes arm.
pub fn bucket_ranges(variations: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<BucketRange> {
    let coverage = if coverage.is_nan() { 0.0 } else { coverage.clamp(0.0, 1.0) };
    let equal = || equal_weights(variations as i64);
    let weights = match weights {
        Some(w) if w.len() == variations => {
            let sum: f64 = w.iter().sum();
            if (0.99..=1.01).contains(&sum) {
                w.to_vec()
            } else {
                equal()
            }
        }
        _ => equal(),
    };
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// The first range that holds `n`, if any.
pub fn choose_variation(n: f64, ranges: &[BucketRange]) -> Option<usize> {
    ranges.iter().position(|r| in_range(n, *r))
}

/// A variation forced through the page's query string (`?my-test=1`), for QA.
pub fn query_string_override(key: &str, url: &str, variations: usize) -> Option<usize> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or("");
    for pair in query.split('&') {
        let Some((k, v)) = pair.split_once('=') else {
            continue;
        };
        if k != key {
            continue;
        }
        if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let index: usize = v.parse().ok()?;
        return (index < variations).then_some(index);
    }
    None
}

/// `(namespace id, start, end)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Namespace(pub String, pub f64, pub f64);

/// A hash filter: users whose hash under `seed` falls in none of `ranges` are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    pub seed: String,
    pub ranges: Vec<BucketRange>,
    #[serde(default)]
    pub hash_version: Option<u32>,
    #[serde(default)]
    pub attribute: Option<String>,
}

/// An experiment as GrowthBook's SDKs define it. Only `key` and `variations` are required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Experiment {
    pub key: String,
    pub variations: Vec<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranges: Option<Vec<BucketRange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<Namespace>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub force: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<Filter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
}

/// Who is asking: the user's attributes and the evaluation switches.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Context {
    #[serde(default)]
    pub attributes: serde_json::Map<String, Value>,
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub forced_variations: BTreeMap<String, i64>,
    #[serde(default)]
    pub qa_mode: bool,
    /// Saved groups for `$inGroup` / `$notInGroup` conditions.
    #[serde(default)]
    pub saved_groups: serde_json::Map<String, Value>,
}

/// The outcome of [`run`]: `variation` is 0 (the control) whenever the user is not in the
/// experiment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub variation: usize,
    pub in_experiment: bool,
    /// Whether the hash chose the variation (false when forced, or when the user is out).
    pub hash_used: bool,
    pub hash_attribute: String,
    pub hash_value: String,
    /// The user's hash under the experiment's seed, when it was computed.
    pub bucket: Option<f64>,
}

impl Experiment {
    fn hash_attribute(&self) -> &str {
        self.hash_attribute.as_deref().unwrap_or("id")
    }
}

/// The attribute's value as the string that gets hashed; empty when absent or falsy, as
/// `attributes[name] || ""` is in JavaScript.
fn hash_value(context: &Context, attribute: &str) -> String {
    match context.attributes.get(attribute) {
        Some(v) if js_truthy(Some(v)) => js_string(Some(v)),
        _ => String::new(),
    }
}

fn result(
    context: &Context,
    experiment: &Experiment,
    variation: Option<i64>,
    hash_used: bool,
    bucket: Option<f64>,
) -> Assignment {
    let attribute = experiment.hash_attribute().to_string();
    let hash_value = hash_value(context, &attribute);
    let (variation, in_experiment) = match variation {
        Some(v) if v >= 0 && (v as usize) < experiment.variations.len() => (v as usize, true),
        _ => (0, false),
    };
    Assignment {
        variation,
        in_experiment,
        hash_used: hash_used && in_experiment,
        hash_attribute: attribute,
        hash_value,
        bucket,
    }
}

fn filtered_out(context: &Context, filters: &[Filter]) -> bool {
    filters.iter().any(|filter| {
        let value = hash_value(context, filter.attribute.as_deref().unwrap_or("id"));
        if value.is_empty() {
            return true;
        }
        let n = hash(&filter.seed, &value, filter.hash_version.unwrap_or(2)).unwrap_or(-1.0);
        !filter.ranges.iter().any(|r| in_range(n, *r))
    })
}

/// GrowthBook's `run`: the variation a user sees, following the specification's steps in order.
/// Sticky bucketing, prerequisites (`parentConditions`) and URL targeting belong to the
/// feature-flag model and are not part of Loupe's experiments.
pub fn run(context: &Context, experiment: &Experiment) -> Assignment {
    let n_variations = experiment.variations.len();
    let out = || result(context, experiment, None, false, None);
    if n_variations < 2 || context.enabled == Some(false) {
        return out();
    }
    if let Some(url) = &context.url {
        if let Some(v) = query_string_override(&experiment.key, url, n_variations) {
            return result(context, experiment, Some(v as i64), false, None);
        }
    }
    if let Some(&v) = context.forced_variations.get(&experiment.key) {
        return result(context, experiment, Some(v), false, None);
    }
    if experiment.active == Some(false) {
        return out();
    }
    let mut value = hash_value(context, experiment.hash_attribute());
    if value.is_empty() {
        match experiment.fallback_attribute.as_deref().map(|a| hash_value(context, a)) {
            Some(fallback) if !fallback.is_empty() => value = fallback,
            _ => return out(),
        }
    }
    if let Some(filters) = &experiment.filters {
        if filtered_out(context, filters) {
            return out();
        }
    } else if let Some(namespace) = &experiment.namespace {
        if !in_namespace(&value, namespace) {
            return out();
        }
    }
    if let Some(condition) = &experiment.condition {
        if !eval_condition(&Value::Object(context.attributes.clone()), condition, &context.saved_groups) {
            return out();
        }
    }
    let ranges = match &experiment.ranges {
        Some(r) => r.clone(),
        None => {
            bucket_ranges(n_variations, experiment.coverage.unwrap_or(1.0), experiment.weights.as_deref())
        }
    };
    let seed = experiment.seed.as_deref().unwrap_or(&experiment.key);
    let Some(n) = hash(seed, &value, experiment.hash_version.unwrap_or(1)) else {
        return out();
    };
    let Some(assigned) = choose_variation(n, &ranges) else {
        return out();
    };
    if let Some(force) = experiment.force {
        return result(context, experiment, Some(force), false, None);
    }
    if context.qa_mode {
        return out();
    }
    result(context, experiment, Some(assigned as i64), true, Some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_runs_over_utf16_code_units_not_utf8_bytes() {
        // "é" is one UTF-16 unit (0xE9) but two UTF-8 bytes; a byte-wise FNV would differ.
        let by_bytes = "é".bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        assert_ne!(fnv1a32("é"), by_bytes);
        assert_eq!(fnv1a32("é"), (0x811c_9dc5u32 ^ 0xE9).wrapping_mul(0x0100_0193));
    }

    #[test]
    fn raising_coverage_never_moves_a_user_between_arms() {
        for users in 0..2000 {
            let id = format!("user-{users}");
            let mut seen = None;
            for coverage in [0.1, 0.25, 0.5, 0.8, 1.0] {
                let context = Context {
                    attributes: [("id".to_string(), Value::String(id.clone()))].into_iter().collect(),
                    ..Context::default()
                };
                let experiment = Experiment {
                    key: "ranking".into(),
                    variations: vec![0.into(), 1.into(), 2.into()],
                    weights: Some(vec![0.5, 0.3, 0.2]),
                    coverage: Some(coverage),
                    hash_version: Some(2),
                    ..Experiment::default()
                };
                let a = run(&context, &experiment);
                if a.in_experiment {
                    if let Some(before) = seen {
                        assert_eq!(before, a.variation, "{id} moved at coverage {coverage}");
                    }
                    seen = Some(a.variation);
                } else {
                    assert!(seen.is_none(), "{id} left the experiment when coverage grew to {coverage}");
                }
            }
            assert!(seen.is_some(), "full coverage includes {id}");
        }
    }
}
