//! Import throughput of `read_catalog` on a generated Shopify CSV (in
//! memory, so only parsing and normalization are measured):
//! `cargo run --release -p catalog --example throughput -- [products] [variants per product]`.

use std::time::Instant;

use catalog::{read_catalog, Format, Mapping, ReadOptions, Vocabulary};
use model::Currency;

fn main() {
    let mut args = std::env::args().skip(1);
    let products: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let per: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let csv = generate(products, per);
    let vocab = Vocabulary::builtin();
    let mapping = Mapping::default();
    let opts = ReadOptions {
        format: Format::Shopify,
        mapping: &mapping,
        vocab: &vocab,
        default_currency: Currency::USD,
    };
    let cpu_start = cpu_seconds();
    let start = Instant::now();
    let mut reader = read_catalog(csv.as_bytes(), opts).expect("header");
    let mut n_products = 0usize;
    let mut n_variants = 0usize;
    for p in reader.by_ref() {
        let p = p.expect("no fatal error");
        n_products += 1;
        n_variants += p.variants.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n_products} products, {n_variants} variant rows, {:.1} MB in {secs:.2} s wall: {:.0} variant rows/s, {:.1} MB/s",
        csv.len() as f64 / 1e6,
        n_variants as f64 / secs,
        csv.len() as f64 / 1e6 / secs
    );
    // On a shared machine the wall clock includes time other processes held
    // the core; the thread's own CPU time is the one-core figure.
    if let (Some(a), Some(b)) = (cpu_start, cpu_seconds()) {
        let cpu = b - a;
        println!("{cpu:.2} s of CPU on one core: {:.0} variant rows/s", n_variants as f64 / cpu);
    }
}

/// This thread's time on a CPU (Linux `/proc/thread-self/schedstat`).
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn generate(products: usize, per: usize) -> String {
    let metals = ["14K Yellow Gold", "14K White Gold", "18K Rose Gold", "Sterling Silver", "Platinum"];
    let kinds = ["Ring", "Necklace", "Earrings", "Bracelet", "Pendant"];
    let stones = ["diamond", "sapphire", "emerald", "pearl", "topaz"];
    let mut s = String::from("Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,Image Src,Status\n");
    for i in 0..products {
        let kind = kinds[i % kinds.len()];
        let stone = stones[i % stones.len()];
        for v in 0..per {
            let metal = metals[v % metals.len()];
            let size = 5 + v;
            if v == 0 {
                s.push_str(&format!(
                    "p-{i},Dainty {stone} {kind} {i},\"<p>A delicate {kind} set with 12 brilliant-cut {stone}s totaling 0.{v}5 carat, in 14K gold or sterling silver.</p><p>Handmade, stackable.</p>\",Aurum,{kind},\"minimal, collection:c{}\",TRUE,Metal,{metal},Size,{size},P{i}-{v},3.2,{v},{}.00,,https://cdn/p{i}.jpg,active\n",
                    i % 50,
                    100 + i % 900
                ));
            } else {
                s.push_str(&format!(
                    "p-{i},,,,,,,,{metal},,{size},P{i}-{v},3.2,{v},{}.00,,,\n",
                    100 + i % 900 + v * 10
                ));
            }
        }
    }
    s
}
