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
    // BLEND=cooc,als,neighbours,content,set,repeat,popular,trend,diversity,rules tries other weights.
    if let Ok(w) = std::env::var("BLEND") {
        let v: Vec<f32> = w.split(',').map(|x| x.parse().unwrap()).collect();
        cfg.blend = Some(recs::Weights {
            cooc: v[0],
            als: v[1],
            neighbours: v[2],
            content: v[3],
            set: v[4],
            repeat: v[5],
            popular: v[6],
            trend: v[7],
            diversity: v[8],
            rules: v[9] > 0.0,
        });
    }
    // ALS=factors,alpha,regularization,iterations
    if let Ok(a) = std::env::var("ALS") {
        let v: Vec<f32> = a.split(',').map(|x| x.parse().unwrap()).collect();
        cfg.train.als.factors = v[0] as usize;
        cfg.train.als.alpha = v[1];
        cfg.train.als.regularization = v[2];
        cfg.train.als.iterations = v[3] as usize;
    }
    if let Ok(k) = std::env::var("KNN") {
        cfg.train.knn = k.parse().unwrap();
    }
    if let Ok(h) = std::env::var("HALF_LIFE") {
        cfg.train.half_life_days = h.parse().unwrap();
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
