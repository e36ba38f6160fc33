//! Integration tests of the catalog crate: every reader on small inline
//! files (formats, bad input, property tests) and on the real files in
//! `../shared/datasets` when they are present.

mod bad_input;
mod datasets;
mod formats;
mod layouts;

use catalog::{Format, Mapping, ReadOptions, Vocabulary};
use model::{Currency, Product, QualityIssue};

pub fn vocab() -> &'static Vocabulary {
    static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    V.get_or_init(Vocabulary::builtin)
}

pub fn map(pairs: &[&str]) -> Mapping {
    Mapping::parse(&pairs.iter().map(|s| s.to_string()).collect::<Vec<_>>()).expect("valid mapping")
}

/// Reads a whole catalog; panics on a fatal error.
pub fn read(input: &[u8], format: Format, mapping: &Mapping) -> (Vec<Product>, Vec<QualityIssue>) {
    let opts = ReadOptions { format, mapping, vocab: vocab(), default_currency: Currency::USD };
    let mut r = catalog::read_catalog(input, opts).expect("header accepted");
    let products: Vec<Product> = r.by_ref().map(|p| p.expect("no fatal error")).collect();
    (products, r.skipped().to_vec())
}
