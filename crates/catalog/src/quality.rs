//! The catalog-wide data-quality report: counts, attribute coverage, every
//! product's issues, and the issues only visible across products (duplicate
//! SKUs and handles, price outliers within a category).

use std::collections::{BTreeMap, HashMap};

use model::{Product, QualityIssue};

use crate::normalize::product::issue;

/// How many products carry each normalized attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributeCounts {
    pub price: usize,
    pub metal: usize,
    pub karat: usize,
    pub stone: usize,
    pub carat: usize,
    pub category: usize,
    pub gender: usize,
    pub size: usize,
    pub collection: usize,
    pub style: usize,
    pub image: usize,
    pub description: usize,
    pub inventory: usize,
}

impl AttributeCounts {
    /// (name, count) pairs in a fixed order, for printing and the wire.
    pub fn pairs(&self) -> [(&'static str, usize); 13] {
        [
            ("price", self.price),
            ("metal", self.metal),
            ("karat", self.karat),
            ("stone", self.stone),
            ("carat", self.carat),
            ("category", self.category),
            ("gender", self.gender),
            ("size", self.size),
            ("collection", self.collection),
            ("style", self.style),
            ("image", self.image),
            ("description", self.description),
            ("inventory", self.inventory),
        ]
    }
}

/// An issue and the product it belongs to (`None` for skipped rows).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductIssue {
    pub handle: Option<String>,
    pub issue: QualityIssue,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct QualityReport {
    pub products: usize,
    pub variants: usize,
    pub attributes: AttributeCounts,
    /// Products per category (`"uncategorized"` for none).
    pub categories: BTreeMap<String, usize>,
    /// Products per metal kind.
    pub metals: BTreeMap<String, usize>,
    /// Skipped rows first, then per-product issues, then cross-product ones;
    /// each with its line where known.
    pub issues: Vec<ProductIssue>,
    /// Issues per code.
    pub issue_counts: BTreeMap<String, usize>,
}

/// Robust z-score above which a price is an outlier in its category.
const OUTLIER_Z: f64 = 3.5;
/// Fewest priced products in a category for outliers to mean anything.
const OUTLIER_MIN_GROUP: usize = 8;

/// Builds the report for a whole catalog (`products` as imported or as
/// stored) and the rows the reader skipped.
pub fn quality_report(products: &[Product], skipped: &[QualityIssue]) -> QualityReport {
    let mut r = QualityReport { products: products.len(), ..QualityReport::default() };
    for s in skipped {
        r.issues.push(ProductIssue { handle: None, issue: s.clone() });
    }
    for p in products {
        r.variants += p.variants.len();
        let a = &mut r.attributes;
        let metals = p.metals();
        let stones = p.stones();
        a.price += usize::from(p.price_range().is_some());
        a.metal += usize::from(!metals.is_empty());
        a.karat += usize::from(metals.iter().any(|m| m.karat.is_some() || m.fineness.is_some()));
        a.stone += usize::from(!stones.is_empty());
        a.carat += usize::from(stones.iter().any(|s| s.carat.is_some()));
        a.category += usize::from(p.category.is_some());
        a.gender += usize::from(p.gender.is_some());
        a.size += usize::from(p.variants.iter().any(|v| v.size.is_some()));
        a.collection += usize::from(p.collection.is_some());
        a.style += usize::from(!p.styles.is_empty());
        a.image += usize::from(p.image_url.is_some() || p.variants.iter().any(|v| v.image_url.is_some()));
        a.description += usize::from(!p.description.trim().is_empty());
        a.inventory += usize::from(p.inventory().is_some());
        let cat = p.category.map(|c| c.as_str().to_string()).unwrap_or_else(|| "uncategorized".to_string());
        *r.categories.entry(cat).or_default() += 1;
        let mut kinds: Vec<&str> = metals.iter().map(|m| m.kind.as_str()).collect();
        kinds.dedup();
        for k in kinds {
            *r.metals.entry(k.to_string()).or_default() += 1;
        }
        for i in &p.quality_issues {
            r.issues.push(ProductIssue { handle: Some(p.handle.clone()), issue: i.clone() });
        }
    }
    duplicates(products, &mut r.issues);
    outliers(products, &mut r.issues);
    for i in &r.issues {
        *r.issue_counts.entry(i.issue.code.clone()).or_default() += 1;
    }
    r
}

fn first_line(p: &Product) -> Option<u64> {
    p.variants.iter().filter_map(|v| v.source_line).min()
}

fn duplicates(products: &[Product], out: &mut Vec<ProductIssue>) {
    let mut handles: HashMap<&str, usize> = HashMap::new();
    let mut skus: HashMap<&str, (usize, Option<u64>)> = HashMap::new();
    for (idx, p) in products.iter().enumerate() {
        match handles.get(p.handle.as_str()) {
            Some(&first) => out.push(ProductIssue {
                handle: Some(p.handle.clone()),
                issue: issue(
                    "duplicate_handle",
                    format!(
                        "handle {:?} appears again{} (first at line {}); the rows are merged into one product",
                        p.handle,
                        first_line(p).map(|l| format!(" at line {l}")).unwrap_or_default(),
                        first_line(&products[first]).map(|l| l.to_string()).unwrap_or_else(|| "?".into())
                    ),
                    first_line(p),
                    Some("handle"),
                ),
            }),
            None => {
                handles.insert(&p.handle, idx);
            }
        }
        for v in &p.variants {
            let sku = v.sku.trim();
            if sku.is_empty() {
                continue;
            }
            match skus.get(sku) {
                Some(&(first, first_line))
                    if products[first].handle != p.handle || first_line != v.source_line =>
                {
                    out.push(ProductIssue {
                        handle: Some(p.handle.clone()),
                        issue: issue(
                            "duplicate_sku",
                            format!(
                                "SKU {sku:?} is also used by {:?}{}",
                                products[first].handle,
                                first_line.map(|l| format!(" (line {l})")).unwrap_or_default()
                            ),
                            v.source_line,
                            Some("sku"),
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    skus.insert(sku, (idx, v.source_line));
                }
            }
        }
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// Prices far from their category's median on a log scale (median absolute
/// deviation, so a few wild prices do not hide each other).
fn outliers(products: &[Product], out: &mut Vec<ProductIssue>) {
    let mut groups: BTreeMap<(String, String), Vec<(usize, f64)>> = BTreeMap::new();
    for (i, p) in products.iter().enumerate() {
        let Some((lo, _)) = p.price_range() else { continue };
        if lo.minor <= 0 {
            continue;
        }
        let cat = p.category.map(|c| c.as_str().to_string()).unwrap_or_else(|| "uncategorized".into());
        groups.entry((cat, lo.currency.to_string())).or_default().push((i, lo.major().ln()));
    }
    for ((cat, currency), members) in groups {
        if members.len() < OUTLIER_MIN_GROUP {
            continue;
        }
        let mut logs: Vec<f64> = members.iter().map(|(_, l)| *l).collect();
        logs.sort_by(f64::total_cmp);
        let med = median(&logs);
        let mut dev: Vec<f64> = logs.iter().map(|l| (l - med).abs()).collect();
        dev.sort_by(f64::total_cmp);
        let mad = median(&dev);
        if mad <= 1e-9 {
            continue;
        }
        for (i, l) in members {
            let z = 0.6745 * (l - med) / mad;
            if z.abs() > OUTLIER_Z {
                let p = &products[i];
                let price = p.price_range().map(|(lo, _)| lo.to_string()).unwrap_or_default();
                out.push(ProductIssue {
                    handle: Some(p.handle.clone()),
                    issue: issue(
                        "price_outlier",
                        format!(
                            "price {price} is {} for {cat} (median {:.2} {currency}, robust z {z:.1})",
                            if z > 0.0 { "unusually high" } else { "unusually low" },
                            med.exp()
                        ),
                        first_line(p),
                        Some("price"),
                    ),
                });
            }
        }
    }
}
