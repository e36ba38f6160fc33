//! Measures the store's share of a catalog import: upserting already-parsed
//! products (5 variants each) in one transaction, on disk, then re-importing
//! them (every product an update).
//!
//! `cargo run --release -p store --example import_products [PRODUCTS]`

use std::time::Instant;

use model::{Currency, Metal, Money, Product, Variant};

fn catalog(n: usize) -> impl Iterator<Item = Result<Product, std::io::Error>> {
    (0..n).map(|i| {
        Ok(Product {
            handle: format!("product-{i}"),
            title: format!("14K Yellow Gold Diamond Ring No. {i}"),
            description: "A ring in 14K yellow gold set with a 0.5ct diamond. Handcrafted, 3mm wide.".into(),
            tags: vec!["Rings".into(), "Gold".into(), "gift".into()],
            variants: (0..5)
                .map(|v| Variant {
                    sku: format!("SKU-{i}-{v}"),
                    price: Some(Money::new(100_000 + v * 5000, Currency::USD)),
                    metals: vec![Metal {
                        kind: "gold".into(),
                        karat: Some(14),
                        fineness: Some(585),
                        colors: vec!["yellow".into()],
                        finish: None,
                    }],
                    inventory: Some(3),
                    ..Variant::default()
                })
                .collect(),
            ..Product::default()
        })
    })
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let store = store::Store::open(dir.path())?;
    for round in ["first import", "re-import"] {
        let t = Instant::now();
        let out = store.import_products(catalog(n), 1_750_000_000)?;
        let secs = t.elapsed().as_secs_f64();
        let variants = out.variants_created + out.variants_updated;
        println!(
            "{round}: {n} products, {variants} variants in {secs:.2} s: {:.0} variants/s; peak RSS {:.0} MiB",
            variants as f64 / secs,
            peak_rss_mib()
        );
    }
    Ok(())
}
