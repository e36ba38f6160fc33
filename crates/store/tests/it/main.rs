//! Integration tests of the store through its public API: upserts, aborted
//! imports, idempotent orders and events, keys, erasure and crash safety.

mod admin;
mod catalog;
mod crash;
mod events;
mod orders;
mod outbox;
mod props;

use model::{Currency, Money, Product, Variant};

/// A product with one variant per SKU, priced in dollars.
pub fn product(handle: &str, title: &str, skus: &[&str]) -> Product {
    Product {
        handle: handle.to_string(),
        title: title.to_string(),
        variants: skus
            .iter()
            .map(|s| Variant {
                sku: s.to_string(),
                price: Some(Money::new(10_000, Currency::USD)),
                ..Variant::default()
            })
            .collect(),
        ..Product::default()
    }
}

pub type Item = Result<Product, std::io::Error>;

pub fn ok(products: Vec<Product>) -> Vec<Item> {
    products.into_iter().map(Ok).collect()
}
