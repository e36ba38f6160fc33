//! Generates the demo world into a directory and prints what it wrote and how
//! long it took: `cargo run --release -p sim --example generate -- OUT [products] [customers] [seed]`.

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().unwrap_or_else(|| "demo-world".into()));
    let mut cfg = sim::SimConfig::default();
    if let Some(n) = args.next().and_then(|a| a.parse().ok()) {
        cfg.products = n;
    }
    if let Some(n) = args.next().and_then(|a| a.parse().ok()) {
        cfg.customers = n;
    }
    if let Some(n) = args.next().and_then(|a| a.parse().ok()) {
        cfg.seed = n;
    }
    let t = Instant::now();
    let world = sim::generate(&cfg);
    let generated = t.elapsed();
    let t = Instant::now();
    let stats = world.write_to(&out).expect("write the world");
    println!("generated in {generated:.2?}, written in {:.2?}: {stats:?}", t.elapsed());
}
