//! The data-quality report over the stored catalog (`loupe quality`,
//! `GET /v1/quality`): coverage of every normalized attribute, each product's
//! issues with their source line, and the checks that need the whole catalog
//! (price outliers within a category).

use store::Store;

use super::{Error, Result};
use crate::wire::quality::QualityReportOut;

/// Builds the report from every stored product. Holds the catalog in memory
/// (the outlier check needs every price of a category at once).
pub fn catalog_quality(store: &Store) -> Result<QualityReportOut> {
    let products = store.products().map_err(|source| Error::Store { file: "(store)".into(), source })?;
    let report = catalog::quality_report(&products, &[]);
    Ok(QualityReportOut::from(&report))
}
