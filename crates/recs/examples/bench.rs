//! The recommender's performance benchmark: a synthetic shop with planted
//! tastes (`--interactions N` order lines, default 1,000,000), then training
//! time, in-process latency per request (p50, p99 over customer, product,
//! cart and gift requests), batch throughput over two threads, and peak
//! memory. `cargo run --release -p recs --example bench -- [--interactions N] [--products N]`.

use std::time::Instant;

use model::{Category, Currency, Gender, LineKind, Metal, Money, OrderLine, Product, Stone, Variant};
use recs::{Context, Recommender, Request, TrainConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--interactions")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let n_products: usize = args
        .iter()
        .position(|a| a == "--products")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let n_customers = (n / 10).max(100);
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let cats =
        [Category::Ring, Category::Earrings, Category::Necklace, Category::Bracelet, Category::Pendant];
    let metals = ["gold", "silver", "platinum"];
    let stones = ["diamond", "pearl", "sapphire", "emerald", "none"];
    let products: Vec<Product> = (0..n_products)
        .map(|i| Product {
            id: i as u64 + 1,
            handle: format!("p{i}"),
            title: format!("Piece {i}"),
            category: Some(cats[i % cats.len()]),
            collection: Some(format!("c{}", i % 200)),
            gender: Some(if i % 7 == 0 { Gender::Men } else { Gender::Women }),
            variants: vec![Variant {
                sku: format!("S{i}"),
                price: Some(Money::new(((i % 50) as i64 + 1) * 2_000, Currency::USD)),
                metals: vec![Metal { kind: metals[i % 3].into(), karat: Some(14), ..Metal::default() }],
                stones: if stones[i % 5] == "none" {
                    vec![]
                } else {
                    vec![Stone { kind: stones[i % 5].into(), ..Stone::default() }]
                },
                ..Variant::default()
            }],
            ..Product::default()
        })
        .collect();
    // Each customer belongs to one of 100 taste clusters of 200 products;
    // 80% of their lines come from their cluster (Zipf-like within it).
    let now = 1_767_225_600i64; // 2026-01-01
    let mut lines = Vec::with_capacity(n);
    let mut order = 0usize;
    while lines.len() < n {
        let c = (next() % n_customers as u64) as usize;
        let cluster = c % 100;
        let basket = 1 + (next() % 6) as usize;
        let at = now - (next() % (365 * 86_400)) as i64;
        for k in 0..basket {
            let p = if next() % 10 < 8 {
                let r = (next() % 1000) as f64 / 1000.0;
                (cluster * 200 + ((r * r) * 200.0) as usize) % n_products
            } else {
                (next() % n_products as u64) as usize
            };
            lines.push(OrderLine {
                order_id: format!("o{order}"),
                line_no: k as u32,
                ordered_at: at,
                customer_id: Some(format!("c{c}")),
                sku: format!("S{}", p % n_products),
                title: None,
                quantity: 1,
                unit_price: None,
                country: None,
                kind: LineKind::Sale,
            });
        }
        order += 1;
    }
    lines.sort_by_key(|l| l.ordered_at);
    println!(
        "synthetic shop: {} products, {} customers, {} order lines in {} orders",
        n_products,
        n_customers,
        lines.len(),
        order
    );

    let t = Instant::now();
    let rec = Recommender::train(&products, &lines, &[], &TrainConfig::at(now));
    let s = rec.stats();
    println!(
        "training: {:.2}s total (co-occurrence {:.2}s, ALS {:.2}s; {} interactions, {} neighbour pairs)",
        t.elapsed().as_secs_f64(),
        s.cooc_seconds,
        s.als_seconds,
        s.interactions,
        s.cooc_pairs
    );

    let mut reqs: Vec<Context> = Vec::new();
    for i in 0..2000usize {
        reqs.push(match i % 4 {
            0 | 1 => Context::Customer(format!("c{}", (i * 7919) % n_customers)),
            2 => Context::Product(((i * 31) % n_products) as u64 + 1),
            _ => Context::Cart(vec![
                format!("S{}", (i * 13) % n_products),
                format!("S{}", (i * 17) % n_products),
            ]),
        });
    }
    reqs.push(Context::Gift(recs::parse_brief("for mom, under 200")));
    // Where the time of a customer request goes, model by model.
    for m in recs::Model::ALL {
        let w = recs::Weights::only(m);
        let t = Instant::now();
        for c in 0..200usize {
            rec.recommend_with(
                &Request::new(Context::Customer(format!("c{}", c * 37 % n_customers)), 10),
                Some(&w),
            );
        }
        println!(
            "  {:<13} {:.3} ms per customer request alone",
            m.as_str(),
            t.elapsed().as_secs_f64() * 1000.0 / 200.0
        );
    }
    let mut lat: Vec<f64> = Vec::with_capacity(reqs.len());
    let mut total_items = 0;
    for ctx in &reqs {
        let t = Instant::now();
        let items = rec.recommend(&Request::new(ctx.clone(), 10));
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        total_items += items.len();
    }
    // Per kind of request (customer, customer, product, cart; the gift last).
    for (name, ks) in [("customer", vec![0usize, 1]), ("product", vec![2]), ("cart", vec![3])] {
        let mut l: Vec<f64> = lat
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < 2000 && ks.contains(&(i % 4)))
            .map(|e| *e.1)
            .collect();
        l.sort_by(|a, b| a.total_cmp(b));
        println!("  {name:<9} p50 {:.3} ms, p99 {:.3} ms", l[l.len() / 2], l[(l.len() - 1) * 99 / 100]);
    }
    println!("  gift      {:.3} ms", lat[2000]);
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "latency per request (ms, {} requests, {} items): p50 {:.3}, p90 {:.3}, p99 {:.3}, max {:.3}",
        lat.len(),
        total_items,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );

    let ids: Vec<String> = (0..5_000.min(n_customers)).map(|c| format!("c{c}")).collect();
    let t = Instant::now();
    let chunk = ids.len().div_ceil(2);
    let counts: Vec<usize> = std::thread::scope(|s| {
        let hs: Vec<_> = ids
            .chunks(chunk)
            .map(|part| {
                let rec = &rec;
                s.spawn(move || {
                    part.iter()
                        .map(|id| rec.recommend(&Request::new(Context::Customer(id.clone()), 10)).len())
                        .sum::<usize>()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap_or(0)).collect()
    });
    let secs = t.elapsed().as_secs_f64();
    println!(
        "batch: {} customers in {:.2}s on 2 threads = {:.0} customers/s ({} items)",
        ids.len(),
        secs,
        ids.len() as f64 / secs,
        counts.iter().sum::<usize>()
    );
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for l in status.lines().filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS")) {
            println!("memory: {l}");
        }
    }
}
