//! Catalog use cases: a page of products (optionally of one category), one
//! product by id, handle or SKU, and the data-quality report. `loupe products`,
//! `loupe quality`, `GET /v1/products[/{id}]` and `GET /v1/quality` call these.

use model::{Category, Product};

use crate::engines::Engines;
use crate::error::{Code, Error, Result};
use crate::wire::catalog::{ProductDetail, ProductSummary};
use crate::wire::http::Page;
use crate::wire::quality::QualityReportOut;

/// The category named `text`, or an `invalid_category` error listing the known ones.
pub fn parse_category(text: &str) -> Result<Category> {
    Category::parse(text).ok_or_else(|| {
        let known: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        Error::new(Code::InvalidCategory, format!("unknown category {text:?}; known: {}", known.join(", ")))
    })
}

/// Products by id, `limit` from `offset`, of `category` when given.
pub fn products(
    engines: &Engines,
    category: Option<Category>,
    limit: usize,
    offset: usize,
) -> Result<Page<ProductSummary>> {
    if limit == 0 {
        return Err(Error::new(Code::InvalidQuery, "limit must be at least 1"));
    }
    let products = engines.catalog()?;
    let matching: Vec<&Product> =
        products.iter().filter(|p| category.is_none() || p.category == category).collect();
    let items = matching.iter().skip(offset).take(limit).map(|p| ProductSummary::from(*p)).collect();
    Ok(Page::new(items, matching.len(), limit, offset))
}

/// The product whose numeric id, handle or variant SKU is `key`.
pub fn product(store: &store::Store, key: &str) -> Result<ProductDetail> {
    let key = key.trim();
    let by_id = match key.parse::<u64>() {
        Ok(id) => store.product(id)?,
        Err(_) => None,
    };
    let found = match by_id {
        Some(p) => Some(p),
        None => match store.product_by_handle(key)? {
            Some(p) => Some(p),
            None => store.product_by_sku(key)?,
        },
    };
    let product = found.ok_or_else(|| Error::not_found(format!("product {key:?}")))?;
    Ok(ProductDetail::from(&product))
}

/// The data-quality report over the whole catalog (the outlier checks need
/// every price of a category at once).
pub fn quality(engines: &Engines) -> Result<QualityReportOut> {
    let products = engines.catalog()?;
    Ok(QualityReportOut::from(&::catalog::quality_report(&products, &[])))
}
