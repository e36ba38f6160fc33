//! Wire shapes of the catalog: the export contract (`loupe export catalog
//! --format jsonl`, `GET /v1/products/{id}`), product summaries for lists, and
//! the data-quality issue. Prices are decimal numbers in major units; unknown
//! values are `null`; canonical values are lower-case English singulars.
//!
//! The key set of [`ProductOut`] is a published contract (README, issue 2):
//! add fields only to [`ProductDetail`], never rename or remove.

use std::collections::BTreeMap;

use model::{Metal, Money, Product, QualityIssue, Size, Stone, Variant};
use serde::{Deserialize, Serialize};

/// One product of the normalized export.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductOut {
    pub id: u64,
    pub handle: String,
    pub title: String,
    pub vendor: Option<String>,
    pub category: Option<String>,
    pub gender: Option<String>,
    pub price: PriceRange,
    /// Union of the variants' metals.
    pub metals: Vec<MetalOut>,
    /// Union of the variants' stones.
    pub stones: Vec<StoneOut>,
    pub tags: Vec<String>,
    pub variants: Vec<VariantOut>,
    pub quality_issues: Vec<IssueOut>,
}

/// A product with everything the export leaves out: `products show --json`
/// and `GET /v1/products/{id}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductDetail {
    #[serde(flatten)]
    pub product: ProductOut,
    pub description: String,
    /// The category as the source wrote it.
    pub raw_category: Option<String>,
    pub collection: Option<String>,
    pub styles: Vec<String>,
    pub image_url: Option<String>,
    /// `active`, `draft` or `archived`.
    pub status: String,
    /// Unix seconds.
    pub created_at: i64,
    /// True when the product exists only because an order named its SKU.
    pub order_only: bool,
    /// Source columns that were not mapped, verbatim.
    pub attributes: BTreeMap<String, String>,
    /// Total units on hand, `null` when no variant tracks inventory.
    pub inventory: Option<i64>,
}

/// A line of `products list` and `GET /v1/products`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductSummary {
    pub id: u64,
    pub handle: String,
    pub title: String,
    pub category: Option<String>,
    pub price: PriceRange,
    pub variants: usize,
    pub inventory: Option<i64>,
    pub order_only: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub currency: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetalOut {
    pub kind: String,
    pub karat: Option<u8>,
    pub fineness: Option<u16>,
    pub colors: Vec<String>,
    pub finish: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoneOut {
    pub kind: String,
    pub origin: Option<String>,
    pub color: Option<String>,
    pub carat: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VariantOut {
    /// `null` when the export gave the variant no SKU.
    pub sku: Option<String>,
    pub price: Option<f64>,
    pub options: BTreeMap<String, String>,
    pub metals: Vec<MetalOut>,
    pub stones: Vec<StoneOut>,
    pub size: Option<SizeOut>,
    pub inventory: Option<i64>,
}

/// A size; `type` says which fields follow.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SizeOut {
    /// Ring size: US canonical, UK letters and EU millimetres where known.
    Ring {
        us: f32,
        uk: Option<String>,
        eu: Option<f32>,
        raw: String,
    },
    /// Chain, bracelet or anklet length.
    Length {
        cm: f32,
        inches: f32,
        raw: String,
    },
    Other {
        raw: String,
    },
}

/// A data-quality problem. `line` is the 1-based line in the source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueOut {
    pub code: String,
    /// `info` (Loupe fixed it and says so), `warning` or `error`.
    #[serde(default)]
    pub severity: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// A price as a decimal number in major units (`1650.0` dollars).
pub fn major(m: Money) -> f64 {
    // Round to the currency's precision so that 0.1 + 0.2 noise never shows.
    let scale = 10f64.powi(m.currency.exponent() as i32);
    (m.major() * scale).round() / scale
}

impl From<&Product> for PriceRange {
    fn from(p: &Product) -> PriceRange {
        match p.price_range() {
            Some((lo, hi)) => PriceRange {
                min: Some(major(lo)),
                max: Some(major(hi)),
                currency: Some(lo.currency.as_str().to_string()),
            },
            None => PriceRange { min: None, max: None, currency: None },
        }
    }
}

impl From<&Metal> for MetalOut {
    fn from(m: &Metal) -> MetalOut {
        MetalOut {
            kind: m.kind.clone(),
            karat: m.karat,
            fineness: m.fineness,
            colors: m.colors.clone(),
            finish: m.finish.map(|f| f.as_str().to_string()),
        }
    }
}

impl From<&Stone> for StoneOut {
    fn from(s: &Stone) -> StoneOut {
        StoneOut {
            kind: s.kind.clone(),
            origin: s.origin.map(|o| o.as_str().to_string()),
            color: s.color.clone(),
            carat: s.carat,
        }
    }
}

impl From<&Size> for SizeOut {
    fn from(s: &Size) -> SizeOut {
        match s.clone() {
            Size::Ring { us, uk, eu, raw } => SizeOut::Ring { us, uk, eu, raw },
            Size::Length { cm, inches, raw } => SizeOut::Length { cm, inches, raw },
            Size::Other { raw } => SizeOut::Other { raw },
        }
    }
}

impl From<&Variant> for VariantOut {
    fn from(v: &Variant) -> VariantOut {
        VariantOut {
            sku: (!v.sku.is_empty()).then(|| v.sku.clone()),
            price: v.price.map(major),
            options: v.options.clone(),
            metals: v.metals.iter().map(MetalOut::from).collect(),
            stones: v.stones.iter().map(StoneOut::from).collect(),
            size: v.size.as_ref().map(SizeOut::from),
            inventory: v.inventory,
        }
    }
}

impl From<&QualityIssue> for IssueOut {
    fn from(q: &QualityIssue) -> IssueOut {
        IssueOut {
            code: q.code.clone(),
            severity: q.severity().as_str().to_string(),
            message: q.message.clone(),
            line: q.line,
            field: q.field.clone(),
        }
    }
}

impl From<&Product> for ProductOut {
    fn from(p: &Product) -> ProductOut {
        ProductOut {
            id: p.id,
            handle: p.handle.clone(),
            title: p.title.clone(),
            vendor: p.vendor.clone(),
            category: p.category.map(|c| c.as_str().to_string()),
            gender: p.gender.map(|g| g.as_str().to_string()),
            price: PriceRange::from(p),
            metals: p.metals().iter().map(MetalOut::from).collect(),
            stones: p.stones().iter().map(StoneOut::from).collect(),
            tags: p.tags.clone(),
            variants: p.variants.iter().map(VariantOut::from).collect(),
            quality_issues: p.quality_issues.iter().map(IssueOut::from).collect(),
        }
    }
}

impl From<&Product> for ProductDetail {
    fn from(p: &Product) -> ProductDetail {
        ProductDetail {
            product: ProductOut::from(p),
            description: p.description.clone(),
            raw_category: p.raw_category.clone(),
            collection: p.collection.clone(),
            styles: p.styles.clone(),
            image_url: p.image_url.clone(),
            status: match p.status {
                model::ProductStatus::Active => "active",
                model::ProductStatus::Draft => "draft",
                model::ProductStatus::Archived => "archived",
            }
            .to_string(),
            created_at: p.created_at,
            order_only: p.order_only,
            attributes: p.attributes.clone(),
            inventory: p.inventory(),
        }
    }
}

impl From<&Product> for ProductSummary {
    fn from(p: &Product) -> ProductSummary {
        ProductSummary {
            id: p.id,
            handle: p.handle.clone(),
            title: p.title.clone(),
            category: p.category.map(|c| c.as_str().to_string()),
            price: PriceRange::from(p),
            variants: p.variants.len(),
            inventory: p.inventory(),
            order_only: p.order_only,
        }
    }
}

#[cfg(test)]
mod tests {
    use model::{Category, Currency, StoneOrigin};

    use super::*;

    #[test]
    fn export_shape_matches_the_contract() {
        let p = Product {
            id: 7,
            handle: "love-ring".into(),
            title: "Love ring".into(),
            category: Some(Category::Ring),
            variants: vec![
                Variant {
                    sku: "LR-6".into(),
                    price: Some(Money::new(165000, Currency::USD)),
                    metals: vec![Metal {
                        kind: "gold".into(),
                        karat: Some(18),
                        fineness: Some(750),
                        colors: vec!["rose".into()],
                        finish: None,
                    }],
                    stones: vec![Stone {
                        kind: "diamond".into(),
                        origin: Some(StoneOrigin::LabGrown),
                        carat: Some(0.29),
                        ..Stone::default()
                    }],
                    size: Some(Size::Ring {
                        us: 6.0,
                        uk: Some("L½".into()),
                        eu: Some(51.5),
                        raw: "6".into(),
                    }),
                    ..Variant::default()
                },
                Variant {
                    sku: "LR-7".into(),
                    price: Some(Money::new(170010, Currency::USD)),
                    ..Variant::default()
                },
            ],
            ..Product::default()
        };
        let v = serde_json::to_value(ProductOut::from(&p)).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        assert_eq!(
            keys,
            [
                "category",
                "gender",
                "handle",
                "id",
                "metals",
                "price",
                "quality_issues",
                "stones",
                "tags",
                "title",
                "variants",
                "vendor"
            ]
        );
        assert_eq!(v["price"], serde_json::json!({"min": 1650.0, "max": 1700.1, "currency": "USD"}));
        assert_eq!(
            v["metals"][0],
            serde_json::json!({"kind": "gold", "karat": 18, "fineness": 750, "colors": ["rose"], "finish": null})
        );
        assert_eq!(v["stones"][0]["origin"], "lab_grown");
        assert_eq!(v["variants"][0]["size"]["type"], "ring");
        assert_eq!(v["variants"][1]["size"], serde_json::Value::Null);
        assert_eq!(v["variants"][1]["inventory"], serde_json::Value::Null);
        assert_eq!(v["gender"], serde_json::Value::Null);
    }
}
