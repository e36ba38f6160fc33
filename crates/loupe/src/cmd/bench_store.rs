//! `loupe bench store`: the same writes on the embedded store and on a
//! PostgreSQL store, side by side in one run (issue 20): a catalog import
//! (generated Shopify CSV, one transaction) and event ingest (batches of a
//! thousand, each committed durably before the next, as the API does).
//!
//! The embedded store is written in a temporary directory. The PostgreSQL
//! store is the one `--store` names; it must be empty (a fresh database
//! after `loupe migrate`), since the bench writes into it and measures
//! creation, not updates.

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use crate::out::outln;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Products in the generated catalog (three variants each).
    #[arg(long, default_value_t = 20_000)]
    pub products: usize,
    /// Events to ingest.
    #[arg(long, default_value_t = 200_000)]
    pub events: usize,
    /// Events per batch (one durable commit each).
    #[arg(long, default_value_t = 1_000)]
    pub batch: usize,
}

/// One store's figures.
#[derive(Serialize)]
struct StoreResult {
    store: String,
    variant_rows: u64,
    import_seconds: f64,
    variant_rows_per_sec: f64,
    events: usize,
    ingest_seconds: f64,
    events_per_sec: f64,
}

pub fn run(url: Option<&str>, args: Args, json: bool) -> anyhow::Result<()> {
    anyhow::ensure!(args.products > 0 && args.events > 0 && args.batch > 0, "the counts must be positive");
    let dir = std::env::temp_dir().join(format!("loupe-bench-store-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let file = dir.join("catalog.csv");
    super::bench::generate_shopify_csv(&file, args.products, 3)?;
    let mut results = Vec::new();
    let embedded = store::Store::open(&dir.join("store"))?;
    results.push(measure("embedded (redb)", &embedded, &file, &args)?);
    drop(embedded);
    if let Some(url) = url {
        let pg = store::Store::connect(url)?;
        anyhow::ensure!(
            pg.product_count()? == 0 && pg.event_count()? == 0,
            "{} is not empty: the bench writes into it; give it a fresh database (createdb, then loupe migrate)",
            store::pg::display_url(url)
        );
        results.push(measure(&format!("PostgreSQL {}", store::pg::display_url(url)), &pg, &file, &args)?);
    }
    std::fs::remove_dir_all(&dir).ok();
    if json {
        outln!("{}", serde_json::to_string_pretty(&results)?);
        return Ok(());
    }
    for r in &results {
        outln!(
            "{:<48} catalog: {:>7} variant rows in {:>6.2} s = {:>8.0} rows/s   events: {:>7} in {:>6.2} s = {:>8.0} events/s",
            r.store,
            r.variant_rows,
            r.import_seconds,
            r.variant_rows_per_sec,
            r.events,
            r.ingest_seconds,
            r.events_per_sec
        );
    }
    if url.is_none() {
        outln!("(name a fresh PostgreSQL database with --store URL to measure it beside the embedded store)");
    }
    Ok(())
}

fn measure(name: &str, store: &store::Store, file: &Path, args: &Args) -> anyhow::Result<StoreResult> {
    let t = Instant::now();
    let report = app::jobs::import_catalog(
        store,
        file,
        &app::jobs::CatalogImportOptions { now: 1_750_000_000, ..Default::default() },
        &|_| {},
    )?;
    let import_seconds = t.elapsed().as_secs_f64();
    let variant_rows = report.catalog.map(|c| c.variants_created + c.variants_updated).unwrap_or(0);

    let products = args.products as u64;
    let t = Instant::now();
    let mut start = 0;
    while start < args.events {
        let end = (start + args.batch).min(args.events);
        let batch: Vec<model::Event> = (start..end).map(|i| event(i, products)).collect();
        store.append_events(&batch)?;
        start = end;
    }
    let ingest_seconds = t.elapsed().as_secs_f64();
    Ok(StoreResult {
        store: name.to_string(),
        variant_rows,
        import_seconds,
        variant_rows_per_sec: variant_rows as f64 / import_seconds.max(1e-9),
        events: args.events,
        ingest_seconds,
        events_per_sec: args.events as f64 / ingest_seconds.max(1e-9),
    })
}

/// A storefront view spread over a year, ten a session, on the catalog's
/// products (the generated handles are `product-{n}`).
fn event(i: usize, products: u64) -> model::Event {
    let n = i as u64;
    model::Event {
        id: format!("bench-{i:09}"),
        kind: model::EventKind::View,
        at: 1_735_689_600_000 + (n * 157_680) as i64,
        session_id: Some(format!("s{}", n / 10)),
        customer_id: n.is_multiple_of(3).then(|| format!("C{:06}", n / 30)),
        product: Some(format!("product-{}", n.wrapping_mul(2_654_435_761) % products.max(1))),
        sku: None,
        query: None,
        results: Vec::new(),
        position: None,
        quantity: None,
        price: None,
        order_id: None,
        visitor_id: None,
        exposure: None,
    }
}
