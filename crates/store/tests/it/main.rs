//! Integration tests of the store through its public API: upserts, aborted
//! imports, idempotent orders and events, keys, erasure and crash safety.
//!
//! The conformance suite: every test written with [`conformance!`] runs
//! against both backends, the embedded redb store and a real PostgreSQL
//! database (see `store::testing`), so that what the store promises holds on
//! both. Tests of one backend's own mechanics (redb's file, crash recovery,
//! PostgreSQL's schema and partitions) are plain tests.

/// A test run against each backend: `NAME::redb` on an in-memory redb
/// store and `NAME::postgres` on a fresh PostgreSQL database.
macro_rules! conformance {
    (fn $name:ident($store:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn run($store: store::Store) $body

            #[test]
            fn redb() {
                run(store::Store::open_temporary().unwrap());
            }

            #[test]
            fn postgres() {
                run(crate::postgres_store());
            }
        }
    };
}

mod admin;
mod catalog;
mod crash;
mod decisions;
mod events;
mod orders;
mod outbox;
mod postgres;
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

/// A store on a fresh database of the test PostgreSQL server.
pub fn postgres_store() -> store::Store {
    let url = store::testing::database().unwrap_or_else(|e| panic!("{e}"));
    store::Store::connect(&url).unwrap()
}
