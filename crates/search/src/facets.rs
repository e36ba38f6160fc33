//! Facet counts that stay right under multi-select: each facet is counted
//! over the query's matches narrowed by every *other* facet's selection, so
//! picking "gold" still shows how many "silver" pieces there are.

use std::collections::BTreeMap;

use crate::bitset::BitSet;
use crate::index::SearchIndex;
use crate::request::{Facet, FacetValue, Filters};

/// Facets in display order; `karat`, `origin` and `in_stock` are filters
/// without a facet.
const FACETS: [&str; 7] = ["category", "metal", "color", "stone", "gender", "price", "size"];

pub(crate) fn count_facets(
    index: &SearchIndex,
    base: &BitSet,
    filter_sets: &[(&'static str, BitSet)],
    filters: &Filters,
) -> (Vec<Facet>, Option<(f64, f64)>) {
    let narrowed = |skip: &str| -> BitSet {
        let mut m = base.clone();
        for (name, set) in filter_sets {
            if *name != skip {
                m.and_with(set);
            }
        }
        m
    };
    let mut out = Vec::with_capacity(FACETS.len());
    let mut price_range = None;
    for name in FACETS {
        let m = narrowed(name);
        let mut values: Vec<FacetValue> = match name {
            "category" => count_map(
                &m,
                index.by_category.iter().map(|(c, s)| (c.as_str().to_string(), s)),
                &filters.category.iter().map(|c| c.as_str().to_string()).collect::<Vec<_>>(),
            ),
            "metal" => count_map(&m, index.by_metal.iter().map(|(k, s)| (k.clone(), s)), &filters.metal),
            "color" => count_map(&m, index.by_color.iter().map(|(k, s)| (k.clone(), s)), &filters.color),
            "stone" => count_map(&m, index.by_stone.iter().map(|(k, s)| (k.clone(), s)), &filters.stone),
            "gender" => count_map(
                &m,
                index.by_gender.iter().map(|(g, s)| (g.as_str().to_string(), s)),
                &filters.gender.iter().map(|g| g.as_str().to_string()).collect::<Vec<_>>(),
            ),
            "size" => {
                let mut v = count_map(&m, index.by_size.iter().map(|(k, s)| (k.clone(), s)), &filters.size);
                v.sort_by(|a, b| {
                    a.value.parse::<f32>().unwrap_or(0.0).total_cmp(&b.value.parse::<f32>().unwrap_or(0.0))
                });
                v
            }
            "price" => {
                let (values, range) = price_buckets(index, &m, filters);
                price_range = range;
                values
            }
            _ => Vec::new(),
        };
        if !matches!(name, "size" | "price") {
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        }
        out.push(Facet { name, values });
    }
    (out, price_range)
}

fn count_map<'a>(
    m: &BitSet,
    sets: impl Iterator<Item = (String, &'a BitSet)>,
    selected: &[String],
) -> Vec<FacetValue> {
    let mut out = Vec::new();
    for (value, set) in sets {
        let count = m.count_and(set);
        let is_selected = selected.contains(&value);
        if count > 0 || is_selected {
            out.push(FacetValue { value, count, selected: is_selected });
        }
    }
    out
}

/// Price buckets (`100-250`, `5000-`) and the min/max for a slider.
fn price_buckets(
    index: &SearchIndex,
    m: &BitSet,
    filters: &Filters,
) -> (Vec<FacetValue>, Option<(f64, f64)>) {
    let edges = &index.price_edges;
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    let mut lo = f64::MAX;
    let mut hi = f64::MIN;
    for d in m.iter() {
        let p = f64::from(index.cols.min_price[d]);
        if p.is_nan() {
            continue;
        }
        lo = lo.min(p);
        hi = hi.max(p);
        let b = edges.partition_point(|&e| e <= p);
        *counts.entry(b).or_default() += 1;
    }
    let label = |b: usize| {
        let a = if b == 0 { String::new() } else { format!("{}", edges[b - 1]) };
        let z = if b >= edges.len() { String::new() } else { format!("{}", edges[b]) };
        format!("{a}-{z}")
    };
    let values = counts
        .into_iter()
        .map(|(b, count)| {
            let lo_b = (b > 0).then(|| edges[b - 1]);
            let hi_b = edges.get(b).copied();
            let selected = filters.price.iter().any(|&(l, h)| l == lo_b && h == hi_b);
            FacetValue { value: label(b), count, selected }
        })
        .collect();
    (values, (lo <= hi).then_some((lo, hi)))
}
