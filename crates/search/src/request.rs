//! What a caller asks (`SearchRequest`, `Filters`, `Sort`) and what the
//! engine answers (`SearchResponse`, `Hit`, `Reason`, `Facet`).

use model::{Category, Currency, Gender, Money, ProductId, StoneOrigin};

use crate::understand::Understood;
use crate::{Error, Result};

/// Largest page a caller can ask for.
pub const MAX_LIMIT: usize = 100;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    #[default]
    Relevance,
    PriceAsc,
    PriceDesc,
    Newest,
    BestSelling,
}

impl Sort {
    pub fn parse(s: &str) -> Result<Sort> {
        Ok(match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "" | "relevance" => Sort::Relevance,
            "price" | "price_asc" | "price_low" => Sort::PriceAsc,
            "price_desc" | "price_high" => Sort::PriceDesc,
            "newest" | "new" => Sort::Newest,
            "best_selling" | "bestselling" | "popular" => Sort::BestSelling,
            other => {
                return Err(Error::BadRequest(format!(
                    "unknown sort {other:?}; use relevance, price_asc, price_desc, newest or best_selling"
                )))
            }
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::PriceAsc => "price_asc",
            Sort::PriceDesc => "price_desc",
            Sort::Newest => "newest",
            Sort::BestSelling => "best_selling",
        }
    }
}

/// Facet selections: values within one field are alternatives (OR), fields
/// combine with AND.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filters {
    pub category: Vec<Category>,
    pub metal: Vec<String>,
    pub color: Vec<String>,
    pub stone: Vec<String>,
    pub gender: Vec<Gender>,
    /// Ring sizes (US) with a variant in stock, as the size facet writes them.
    pub size: Vec<String>,
    /// Price ranges in major units; either bound may be open.
    pub price: Vec<(Option<f64>, Option<f64>)>,
    pub karat: Vec<u8>,
    pub origin: Vec<StoneOrigin>,
    pub in_stock: bool,
}

/// The filter fields a caller may use.
pub const FILTER_FIELDS: [&str; 10] =
    ["category", "metal", "color", "stone", "gender", "size", "price", "karat", "origin", "in_stock"];

impl Filters {
    /// Adds `field=value` (several values separated by commas or `|`).
    pub fn add(&mut self, spec: &str) -> Result<()> {
        let (field, values) = spec
            .split_once('=')
            .ok_or_else(|| Error::BadRequest(format!("filter {:?} is not field=value", clip(spec))))?;
        let field = field.trim().to_ascii_lowercase();
        for value in values.split([',', '|']).map(str::trim).filter(|v| !v.is_empty()) {
            self.add_value(&field, value)?;
        }
        Ok(())
    }

    pub fn add_value(&mut self, field: &str, value: &str) -> Result<()> {
        let bad = |what: &str| Error::BadRequest(format!("filter {field}: {what} {:?}", clip(value)));
        let v = value.trim().to_ascii_lowercase();
        match field {
            "category" => self.category.push(Category::parse(&v).ok_or_else(|| bad("unknown category"))?),
            "metal" => self.metal.push(v.replace(' ', "_")),
            "color" | "colour" => self.color.push(v),
            "stone" => self.stone.push(v.replace(' ', "_")),
            "gender" => self.gender.push(Gender::parse(&v).ok_or_else(|| bad("unknown gender"))?),
            "size" => {
                let us: f32 = v.parse().map_err(|_| bad("not a ring size"))?;
                if !(0.0..=20.0).contains(&us) {
                    return Err(bad("ring size out of range"));
                }
                self.size.push(crate::index_size_label(us));
            }
            "price" => {
                let (lo, hi) = v.split_once(['-', ':']).unwrap_or((v.as_str(), v.as_str()));
                let parse = |s: &str| -> Result<Option<f64>> {
                    let s = s.trim().trim_start_matches('$');
                    if s.is_empty() || s == "*" {
                        return Ok(None);
                    }
                    let x: f64 = s.parse().map_err(|_| bad("not a price range"))?;
                    if !x.is_finite() || x < 0.0 {
                        return Err(bad("not a price range"));
                    }
                    Ok(Some(x))
                };
                let (lo, hi) = (parse(lo)?, parse(hi)?);
                if let (Some(a), Some(b)) = (lo, hi) {
                    if a > b {
                        return Err(bad("impossible price range (min above max)"));
                    }
                }
                self.price.push((lo, hi));
            }
            "karat" => {
                let k: u8 = v.trim_end_matches(['k', 't']).parse().map_err(|_| bad("not a karat"))?;
                self.karat.push(k);
            }
            "origin" => self.origin.push(match v.as_str() {
                "natural" => StoneOrigin::Natural,
                "lab_grown" | "lab-grown" => StoneOrigin::LabGrown,
                "simulant" => StoneOrigin::Simulant,
                _ => return Err(bad("unknown origin")),
            }),
            "in_stock" => self.in_stock = matches!(v.as_str(), "true" | "1" | "yes"),
            _ => {
                return Err(Error::BadRequest(format!(
                    "unknown filter field {:?}; known fields: {}",
                    clip(field),
                    FILTER_FIELDS.join(", ")
                )))
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Unix seconds; decides which dated merchandising rules are active.
    pub now: i64,
    /// Which signals rank relevance results (an experiment's variation may change it).
    pub ranking: Ranking,
}

/// The signals relevance ranking may use. Merchandising rules, filters and relaxations apply to
/// every variant; only what shoppers' behaviour taught Loupe is switched.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Ranking {
    /// Text, catalog attributes, and what shoppers did: clicks and conversions per query, sales.
    #[default]
    Learned,
    /// Text and catalog attributes only, as on the first day with no shopper behaviour.
    CatalogOnly,
}

impl Ranking {
    pub const ALL: [Ranking; 2] = [Ranking::Learned, Ranking::CatalogOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Ranking::Learned => "learned",
            Ranking::CatalogOnly => "catalog_only",
        }
    }

    pub fn parse(s: &str) -> Option<Ranking> {
        Ranking::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

impl SearchRequest {
    pub fn new(query: &str) -> SearchRequest {
        SearchRequest {
            query: query.to_string(),
            filters: Filters::default(),
            sort: Sort::Relevance,
            limit: 20,
            offset: 0,
            now: 0,
            ranking: Ranking::Learned,
        }
    }
}

/// One named signal that placed a hit, with its score points.
#[derive(Clone, Debug, PartialEq)]
pub struct Reason {
    pub signal: &'static str,
    pub detail: String,
    pub contribution: f32,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    pub product_id: ProductId,
    pub handle: String,
    pub title: String,
    pub score: f32,
    /// Price of the variant named in `variant_sku`.
    pub price: Option<Money>,
    pub variant_sku: Option<String>,
    pub why: Vec<Reason>,
}

/// A constraint that was loosened because nothing met it.
#[derive(Clone, Debug, PartialEq)]
pub struct Relaxation {
    /// `price`, `metal`, `stone`, `category`, `text`, ...
    pub constraint: &'static str,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FacetValue {
    pub value: String,
    pub count: usize,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Facet {
    pub name: &'static str,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug)]
pub struct SearchResponse {
    pub understood: Understood,
    pub relaxed: Vec<Relaxation>,
    /// Products matching (before paging), pinned products included.
    pub total: usize,
    pub hits: Vec<Hit>,
    pub facets: Vec<Facet>,
    /// Lowest and highest price among the matches, for a slider.
    pub price_range: Option<(f64, f64)>,
    pub currency: Currency,
}
