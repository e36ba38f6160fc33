//! Runs the recommendation evaluation on the online-retail orders without
//! the store, for tuning: `cargo run --release -p recs --example eval_retail
//! -- [FILE] [SPLIT-DATE]`.

#[path = "../tests/it/online_retail.rs"]
mod online_retail;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let file =
        args.get(1).map(String::as_str).unwrap_or("../shared/datasets/online-retail-2010-12-to-2011-09.csv");
    let date = args.get(2).map(String::as_str).unwrap_or("2011-08-01");
    let lines = online_retail::load(file).expect("read the orders file");
    let products = recs::minimal_products(&lines, &[]);
    let split = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    let mut cfg = recs::eval::EvalConfig::new(split, vec![10, 20]);
    // BLEND=cooc,als,content,set,repeat,popular,trend,diversity,rules tries other weights.
    if let Ok(w) = std::env::var("BLEND") {
        let v: Vec<f32> = w.split(',').map(|x| x.parse().unwrap()).collect();
        cfg.blend = Some(recs::Weights {
            cooc: v[0],
            als: v[1],
            content: v[2],
            set: v[3],
            repeat: v[4],
            popular: v[5],
            trend: v[6],
            diversity: v[7],
            rules: v[8] > 0.0,
        });
    }
    if let Ok(r) = std::env::var("REPEAT") {
        cfg.train.repeat_ratio = r.parse().unwrap();
    }
    let r = recs::eval::evaluate(&products, &lines, &[], &cfg);
    println!(
        "customers {} (cold {}), items {}, train {:.2}s",
        r.customers, r.cold_customers, r.items, r.train_seconds
    );
    for row in &r.rows {
        let cells: Vec<String> = row
            .at
            .iter()
            .map(|a| {
                format!(
                    "R@{} {:.4} N@{} {:.4} HR {:.3} cov {:.3}",
                    a.k, a.recall, a.k, a.ndcg, a.hit_rate, a.coverage
                )
            })
            .collect();
        println!("{:<13} {}  ({:.2}s)", row.model, cells.join(" | "), row.seconds);
    }
}
