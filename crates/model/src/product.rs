//! Products and variants with their normalized jewelry attributes.
//!
//! Canonical values are lower-case English singulars (`"gold"`, `"rose"`,
//! `"lab_grown"`): the export contract in the README depends on it. Metal and
//! stone kinds are strings rather than enums because a brand can extend the
//! vocabulary with its own file; the fixed taxonomies (category, gender,
//! origin, finish) are enums.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Money;

/// A product's stable id in the store, assigned on first import and kept
/// across re-imports (which match by handle, then by SKU).
pub type ProductId = u64;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Product {
    pub id: ProductId,
    /// The brand's URL handle; for order-only products, the SKU.
    pub handle: String,
    pub title: String,
    /// Plain text, HTML stripped.
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub vendor: Option<String>,
    #[serde(default)]
    pub category: Option<Category>,
    /// The category text as the export wrote it (`Type`, `product_type`, ...).
    #[serde(default)]
    pub raw_category: Option<String>,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// A named collection (`"pearl"`, `"love"`), from tags or the title; pieces
    /// of one collection are meant to be worn together.
    #[serde(default)]
    pub collection: Option<String>,
    /// Style words found in the record (`minimal`, `statement`, `stackable`...).
    #[serde(default)]
    pub styles: Vec<String>,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub status: ProductStatus,
    /// Unix seconds when the product was first seen by Loupe (or published, if
    /// the export says so); drives "newest" sorting.
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub variants: Vec<Variant>,
    /// Columns the import did not map, kept verbatim rather than dropped.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub quality_issues: Vec<QualityIssue>,
    /// True when the product came from an orders import with no catalog row.
    #[serde(default)]
    pub order_only: bool,
    /// Set by a catalog reader when this product's rows may not all have been
    /// read; the store's import then keeps what it has rather than remove or
    /// blank it. Never stored.
    #[serde(skip)]
    pub partial: Option<PartialRead>,
}

/// Why a reader cannot vouch that it read all of a product's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PartialRead {
    /// A row inside or next to the product's rows could not be read (skipped,
    /// resynchronised after a runaway quote, or cut short); these are its lines.
    /// `headless`: the product's rows begin without its first row (the one
    /// with its title, in a format that has one), which one of them may be.
    RowsSkipped { lines: Vec<u64>, headless: bool },
    /// The product is the last of its file: an export cut off at a row
    /// boundary ends inside it, and nothing in the file can tell.
    LastInFile,
}

impl Product {
    /// Union of the variants' metals, deduplicated, in first-seen order.
    /// The title as the shop shows it: a shouting title in title case,
    /// vendor metal codes in words (`model::title`); `title` stays as imported.
    pub fn shown_title(&self) -> std::borrow::Cow<'_, str> {
        crate::title::shown(&self.title)
    }

    pub fn metals(&self) -> Vec<Metal> {
        let mut out: Vec<Metal> = Vec::new();
        for m in self.variants.iter().flat_map(|v| &v.metals) {
            if !out.contains(m) {
                out.push(m.clone());
            }
        }
        out
    }

    /// Union of the variants' stones, deduplicated, in first-seen order.
    pub fn stones(&self) -> Vec<Stone> {
        let mut out: Vec<Stone> = Vec::new();
        for s in self.variants.iter().flat_map(|v| &v.stones) {
            if !out.contains(s) {
                out.push(s.clone());
            }
        }
        out
    }

    /// Lowest and highest variant price, if any variant has one.
    pub fn price_range(&self) -> Option<(Money, Money)> {
        let mut prices = self.variants.iter().filter_map(|v| v.price);
        let first = prices.next()?;
        Some(prices.fold((first, first), |(lo, hi), p| (lo.min(p), hi.max(p))))
    }

    pub fn variant_by_sku(&self, sku: &str) -> Option<&Variant> {
        self.variants.iter().find(|v| v.sku == sku)
    }

    /// Total units on hand over the variants that report inventory; `None`
    /// when no variant tracks inventory.
    pub fn inventory(&self) -> Option<i64> {
        let mut any = false;
        let total = self.variants.iter().filter_map(|v| v.inventory).inspect(|_| any = true).sum();
        any.then_some(total)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    pub sku: String,
    #[serde(default)]
    pub price: Option<Money>,
    #[serde(default)]
    pub compare_at_price: Option<Money>,
    /// Option name to value as the export wrote them (`Metal` → `14K Yellow Gold`).
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    #[serde(default)]
    pub metals: Vec<Metal>,
    #[serde(default)]
    pub stones: Vec<Stone>,
    #[serde(default)]
    pub size: Option<Size>,
    /// Units on hand; `None` when the export does not track it.
    #[serde(default)]
    pub inventory: Option<i64>,
    #[serde(default)]
    pub grams: Option<f64>,
    #[serde(default)]
    pub image_url: Option<String>,
    /// Line in the source file where this variant was read (1-based).
    #[serde(default)]
    pub source_line: Option<u64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metal {
    /// `gold`, `silver`, `platinum`, `palladium`, `stainless_steel`, `titanium`,
    /// `tungsten`, `brass`, ... (vocabulary-defined).
    pub kind: String,
    /// 9, 10, 14, 18, 22, 24 for gold.
    #[serde(default)]
    pub karat: Option<u8>,
    /// Parts per thousand: 585 for 14K, 925 for sterling, 950 for platinum.
    #[serde(default)]
    pub fineness: Option<u16>,
    /// `yellow`, `white`, `rose`, `black`; two-tone is two colors.
    #[serde(default)]
    pub colors: Vec<String>,
    #[serde(default)]
    pub finish: Option<Finish>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finish {
    Solid,
    Plated,
    Vermeil,
    GoldFilled,
}

impl Finish {
    pub fn as_str(self) -> &'static str {
        match self {
            Finish::Solid => "solid",
            Finish::Plated => "plated",
            Finish::Vermeil => "vermeil",
            Finish::GoldFilled => "gold_filled",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stone {
    /// `diamond`, `sapphire`, `pearl`, `cubic_zirconia`, ... (vocabulary-defined).
    pub kind: String,
    #[serde(default)]
    pub origin: Option<StoneOrigin>,
    #[serde(default)]
    pub color: Option<String>,
    /// Total carat weight of stones of this kind.
    #[serde(default)]
    pub carat: Option<f64>,
    #[serde(default)]
    pub count: Option<u32>,
    /// Clarity grade (`VS1`, `SI2`) where stated.
    #[serde(default)]
    pub clarity: Option<String>,
    /// Colour grade (`G`, `H-I`) where stated.
    #[serde(default)]
    pub color_grade: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoneOrigin {
    Natural,
    LabGrown,
    Simulant,
}

impl StoneOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            StoneOrigin::Natural => "natural",
            StoneOrigin::LabGrown => "lab_grown",
            StoneOrigin::Simulant => "simulant",
        }
    }
}

/// A variant's size, converted to one canonical unit where that is possible.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Size {
    /// Ring size; `us` is canonical, `uk` (letters) and `eu` (circumference
    /// in mm) are the conversions.
    Ring { us: f32, uk: Option<String>, eu: Option<f32>, raw: String },
    /// Chain, bracelet or anklet length.
    Length { cm: f32, inches: f32, raw: String },
    /// A size we could not interpret (`One Size`, `M`), kept verbatim.
    Other { raw: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Ring,
    EngagementRing,
    WeddingBand,
    Necklace,
    Pendant,
    Chain,
    Earrings,
    Bracelet,
    Anklet,
    Brooch,
    Cufflinks,
    Charm,
    Cross,
    Watch,
    Set,
    Other,
}

impl Category {
    pub const ALL: [Category; 16] = [
        Category::Ring,
        Category::EngagementRing,
        Category::WeddingBand,
        Category::Necklace,
        Category::Pendant,
        Category::Chain,
        Category::Earrings,
        Category::Bracelet,
        Category::Anklet,
        Category::Brooch,
        Category::Cufflinks,
        Category::Charm,
        Category::Cross,
        Category::Watch,
        Category::Set,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Ring => "ring",
            Category::EngagementRing => "engagement_ring",
            Category::WeddingBand => "wedding_band",
            Category::Necklace => "necklace",
            Category::Pendant => "pendant",
            Category::Chain => "chain",
            Category::Earrings => "earrings",
            Category::Bracelet => "bracelet",
            Category::Anklet => "anklet",
            Category::Brooch => "brooch",
            Category::Cufflinks => "cufflinks",
            Category::Charm => "charm",
            Category::Cross => "cross",
            Category::Watch => "watch",
            Category::Set => "set",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// "Rings", "Engagement rings", ... for menus, headings and collection names.
    pub fn plural(self) -> &'static str {
        match self {
            Category::Ring => "Rings",
            Category::EngagementRing => "Engagement rings",
            Category::WeddingBand => "Wedding bands",
            Category::Necklace => "Necklaces",
            Category::Pendant => "Pendants",
            Category::Chain => "Chains",
            Category::Earrings => "Earrings",
            Category::Bracelet => "Bracelets",
            Category::Anklet => "Anklets",
            Category::Brooch => "Brooches",
            Category::Cufflinks => "Cufflinks",
            Category::Charm => "Charms",
            Category::Cross => "Crosses",
            Category::Watch => "Watches",
            Category::Set => "Sets",
            Category::Other => "More",
        }
    }

    /// Whether the category is worn on a finger (sizes are ring sizes).
    pub fn is_ring(self) -> bool {
        matches!(self, Category::Ring | Category::EngagementRing | Category::WeddingBand)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Women,
    Men,
    Unisex,
    Kids,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Women => "women",
            Gender::Men => "men",
            Gender::Unisex => "unisex",
            Gender::Kids => "kids",
        }
    }

    pub fn parse(s: &str) -> Option<Gender> {
        [Gender::Women, Gender::Men, Gender::Unisex, Gender::Kids].into_iter().find(|g| g.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    #[default]
    Active,
    Draft,
    Archived,
}

/// How much a quality issue matters to the merchandiser reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Something Loupe fixed on its own and says it did ("HTML stripped").
    Info,
    /// Worth fixing in the export: search and recommendations do less well.
    Warning,
    /// The product cannot sell or be found right (no price, a duplicate SKU)
    /// or a row was not imported.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// The severity of an issue code; codes not listed are warnings.
    pub fn of(code: &str) -> Severity {
        match code {
            "html_in_text" => Severity::Info,
            "missing_price" | "missing_title" | "duplicate_sku" | "duplicate_handle" | "bad_row"
            | "bad_event" => Severity::Error,
            _ => Severity::Warning,
        }
    }
}

/// A problem found in a record, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityIssue {
    /// Stable machine code: `missing_price`, `missing_metal`,
    /// `title_option_mismatch`, `duplicate_sku`, `duplicate_handle`,
    /// `price_outlier`, `html_in_text`, `no_inventory`, `bad_row`, ...
    pub code: String,
    pub message: String,
    /// Line in the source file (1-based), when the issue belongs to one.
    #[serde(default)]
    pub line: Option<u64>,
    #[serde(default)]
    pub field: Option<String>,
}

impl QualityIssue {
    pub fn severity(&self) -> Severity {
        Severity::of(&self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_codes_have_a_severity() {
        for (code, severity) in [
            ("html_in_text", Severity::Info),
            ("missing_metal", Severity::Warning),
            ("price_outlier", Severity::Warning),
            ("a_code_from_tomorrow", Severity::Warning),
            ("missing_price", Severity::Error),
            ("duplicate_sku", Severity::Error),
            ("bad_row", Severity::Error),
        ] {
            assert_eq!(Severity::of(code), severity, "{code}");
        }
        assert!(Severity::Error > Severity::Warning && Severity::Warning > Severity::Info);
    }
}
