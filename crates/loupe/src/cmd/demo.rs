//! `loupe demo`: generates the simulated jewelry brand (or reuses it), imports
//! it through the same import jobs a brand's own files go through, and serves
//! it on http://127.0.0.1:7700.
//!
//! The brand's files land in `<data>/demo/` (catalog, orders, inventory,
//! events, tickets, and the `ground_truth/` that only evaluations read; see
//! `docs/ground-truth.md`). The store records which world it holds, so a
//! second `loupe demo` starts at once. `--no-serve` stops after the import
//! (tests, benchmarks); `--bench-events` measures event ingest on the
//! generated events (see BENCHMARKS.md).

use crate::out::outln;
use std::io::{BufRead, BufReader, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::jobs::{self, CatalogImportOptions, InventoryImportOptions, OrdersImportOptions, Progress};
use indicatif::{ProgressBar, ProgressStyle};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub listen: super::serve::Listen,
    /// Products in the generated catalog (up to 200,000).
    #[arg(long, default_value_t = 2_000, value_parser = clap::value_parser!(u32).range(1..=200_000))]
    pub products: u32,
    /// Customers with hidden traits.
    #[arg(long, default_value_t = 50_000, value_parser = clap::value_parser!(u32).range(1..=5_000_000))]
    pub customers: u32,
    /// Seed of the simulation: the same seed gives the same brand, byte for byte.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Throw away the demo brand in the data directory and build it again.
    #[arg(long)]
    pub regenerate: bool,
    /// Generate and import, then exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Measure event ingest (raw JSON parse, validation, durable store
    /// append) on the generated events.jsonl, then exit.
    #[arg(long)]
    pub bench_events: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The store document that says which world the store holds.
const MARKER_COLLECTION: &str = "demo";
const MARKER_KEY: &str = "brand";

#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq)]
struct Marker {
    seed: u64,
    products: u32,
    customers: u32,
    days: u32,
    start_date: String,
}

#[derive(serde::Serialize, Debug, Default)]
struct Summary {
    data_dir: String,
    demo_dir: String,
    generated: bool,
    products: u64,
    variants: u64,
    order_lines: u64,
    inventory_rows: u64,
    events: u64,
    tickets: u64,
    timings_ms: Timings,
}

#[derive(serde::Serialize, Debug, Default)]
struct Timings {
    generate: u64,
    write: u64,
    import_catalog: u64,
    import_orders: u64,
    import_inventory: u64,
    import_events: u64,
    import_support: u64,
    total: u64,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let demo_dir = data.join(app::traces::DEMO_DIR);
    let config = sim::SimConfig {
        seed: args.seed,
        products: args.products as usize,
        customers: args.customers as usize,
        ..sim::SimConfig::default()
    };
    let want = Marker {
        seed: config.seed,
        products: args.products,
        customers: args.customers,
        days: config.days,
        start_date: config.start_date.to_string(),
    };

    let mut store = super::products::open_store(data)?;
    let existing: Option<Marker> = store
        .get_doc(MARKER_COLLECTION, MARKER_KEY)
        .context("Failed to read the demo marker")?
        .and_then(|json| serde_json::from_str(&json).ok());
    let has_catalog = !store.products().context("Failed to read the catalog")?.is_empty();
    if existing.is_none() && has_catalog {
        anyhow::bail!(
            "{} already holds a catalog that is not the demo brand; run the demo with another --data directory",
            data.display()
        );
    }
    if existing.as_ref().is_some_and(|m| *m != want) && !args.regenerate {
        anyhow::bail!(
            "{} holds a demo brand made with other settings ({:?}); add --regenerate to replace it",
            data.display(),
            existing
        );
    }
    let mut summary = Summary {
        data_dir: data.display().to_string(),
        demo_dir: demo_dir.display().to_string(),
        ..Summary::default()
    };
    let started = Instant::now();
    if existing.is_none() || args.regenerate {
        if existing.is_some() {
            // Only a store that holds nothing but the demo brand is thrown away.
            drop(store);
            wipe_demo(data)?;
            store = super::products::open_store(data)?;
        }
        build(&store, &config, &demo_dir, &want, &mut summary, args.json)?;
    } else {
        summary.products = store.products().map(|p| p.len() as u64).unwrap_or(0);
        summary.events = store.event_count().unwrap_or(0);
        summary.order_lines = store.order_lines().map(|l| l.len() as u64).unwrap_or(0);
        // A demo brand made before support existed gets its help centre and
        // tickets now.
        import_support(&store, &demo_dir, &mut summary)?;
    }
    summary.timings_ms.total = started.elapsed().as_millis() as u64;
    if args.json {
        outln!("{}", serde_json::to_string(&summary)?);
    } else if summary.generated {
        outln!(
            "Demo brand ready in {:.1} s: {} products ({} variants), {} order lines, {} inventory rows, {} events; files in {}",
            summary.timings_ms.total as f64 / 1000.0,
            summary.products,
            summary.variants,
            summary.order_lines,
            summary.inventory_rows,
            summary.events,
            summary.demo_dir
        );
    } else {
        outln!(
            "Demo brand already in {} ({} products, {} events); --regenerate builds it again",
            summary.data_dir,
            summary.products,
            summary.events
        );
    }

    if args.bench_events {
        drop(store);
        return bench_events(data, &demo_dir.join("events.jsonl"), args.json);
    }
    if args.no_serve {
        return Ok(());
    }
    super::serve::init_tracing();
    super::serve::serve(store, data, &args.listen, args.json)
}

fn build(
    store: &store::Store,
    config: &sim::SimConfig,
    demo_dir: &Path,
    marker: &Marker,
    summary: &mut Summary,
    json: bool,
) -> anyhow::Result<()> {
    let tty = std::io::stderr().is_terminal() && !json;
    let spinner = stage(tty, "Simulating three years of the demo brand");
    let t = Instant::now();
    let world = sim::generate(config);
    summary.timings_ms.generate = t.elapsed().as_millis() as u64;
    spinner.set_message("Writing the brand's files");
    let t = Instant::now();
    let stats = world
        .write_to(demo_dir)
        .with_context(|| format!("Failed to write the demo files to {}", demo_dir.display()))?;
    drop(world);
    summary.timings_ms.write = t.elapsed().as_millis() as u64;
    spinner.finish_and_clear();
    summary.generated = true;
    summary.tickets = stats.tickets as u64;

    let t = Instant::now();
    let report = with_bar(tty, "catalog", |p| {
        jobs::import_catalog(
            store,
            &demo_dir.join("catalog.csv"),
            &CatalogImportOptions { now: super::system_clock().now_secs(), ..Default::default() },
            p,
        )
    })
    .context("Failed to import the demo catalog")?;
    summary.timings_ms.import_catalog = t.elapsed().as_millis() as u64;
    if let Some(c) = &report.catalog {
        summary.products = c.products_total;
    }
    summary.variants = report.attributes.as_ref().map(|a| a.variants).unwrap_or(stats.variants as u64);

    let t = Instant::now();
    let mapping = sim::ORDER_COLUMNS.iter().map(|c| format!("{c}={c}")).collect();
    let opts = OrdersImportOptions { mapping, default_currency: None };
    let report =
        with_bar(tty, "orders", |p| jobs::import_orders(store, &demo_dir.join("orders.csv"), &opts, p))
            .context("Failed to import the demo orders")?;
    summary.timings_ms.import_orders = t.elapsed().as_millis() as u64;
    summary.order_lines = report.orders.as_ref().map(|o| o.lines_inserted + o.lines_unchanged).unwrap_or(0);

    let t = Instant::now();
    let report = with_bar(tty, "inventory", |p| {
        jobs::import_inventory(
            store,
            &demo_dir.join("inventory.csv"),
            &InventoryImportOptions { now: super::system_clock().now_secs(), ..Default::default() },
            p,
        )
    })
    .context("Failed to import the demo inventory")?;
    summary.timings_ms.import_inventory = t.elapsed().as_millis() as u64;
    summary.inventory_rows = report.inventory.as_ref().map(|i| i.levels).unwrap_or(0);

    let t = Instant::now();
    let report = with_bar(tty, "events", |p| jobs::import_events(store, &demo_dir.join("events.jsonl"), p))
        .context("Failed to import the demo events")?;
    summary.timings_ms.import_events = t.elapsed().as_millis() as u64;
    summary.events = report.events.as_ref().map(|e| e.accepted + e.duplicates).unwrap_or(0);
    import_support(store, demo_dir, summary)?;

    store
        .put_doc(MARKER_COLLECTION, MARKER_KEY, &serde_json::to_string(marker)?)
        .context("Failed to record the demo marker")?;
    Ok(())
}

/// Imports the demo's help centre (`kb.md`, or the built-in copy for a
/// demo written before it existed), its tickets and its consent records,
/// each when the store has none.
fn import_support(store: &store::Store, demo_dir: &Path, summary: &mut Summary) -> anyhow::Result<()> {
    let t = Instant::now();
    let now = super::system_clock().now_secs();
    if store.list_docs(app::support::KB)?.is_empty() {
        let kb = demo_dir.join("kb.md");
        let text = std::fs::read_to_string(&kb).unwrap_or_else(|_| sim::DEMO_KB.to_string());
        app::support::import_kb_into(
            store,
            now,
            "help-centre.md",
            &text,
            Some(support::kb::Format::Markdown),
        )
        .map_err(|e| anyhow::anyhow!("Failed to import the demo help centre: {}", e.message))?;
    }
    let tickets = demo_dir.join("tickets.jsonl");
    if store.ticket_count()? == 0 && tickets.exists() {
        let file =
            std::fs::File::open(&tickets).with_context(|| format!("Failed to open {}", tickets.display()))?;
        let report = jobs::import_tickets_from(
            store,
            std::io::BufReader::new(file),
            &tickets.display().to_string(),
            &[],
            &|_| {},
        )
        .context("Failed to import the demo tickets")?;
        summary.tickets = report.tickets.map(|t| t.inserted).unwrap_or(0);
    } else {
        summary.tickets = store.ticket_count()?;
    }
    // Customers' consent to care messages (a demo written before it existed has none).
    let consent = demo_dir.join("consent.csv");
    if store.list_docs(app::care::CONSENT)?.is_empty() && consent.exists() {
        let file =
            std::fs::File::open(&consent).with_context(|| format!("Failed to open {}", consent.display()))?;
        jobs::import_consent_from(
            store,
            std::io::BufReader::new(file),
            &consent.display().to_string(),
            &|_| {},
        )
        .context("Failed to import the demo's consent records")?;
    }
    summary.timings_ms.import_support = t.elapsed().as_millis() as u64;
    Ok(())
}

/// Removes a data directory that holds only the demo brand: the store file
/// and the generated files, then whatever else Loupe derived from them.
fn wipe_demo(data: &Path) -> anyhow::Result<()> {
    std::fs::remove_dir_all(data)
        .with_context(|| format!("Failed to remove the old demo brand in {}", data.display()))?;
    std::fs::create_dir_all(data).with_context(|| format!("Failed to create {}", data.display()))
}

fn stage(tty: bool, message: &str) -> ProgressBar {
    if !tty {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Runs one import job with a byte progress bar (on a terminal only).
fn with_bar<T>(tty: bool, what: &str, job: impl FnOnce(&dyn Fn(Progress)) -> T) -> T {
    let bar = if tty { ProgressBar::new(0) } else { ProgressBar::hidden() };
    bar.set_style(
        ProgressStyle::with_template("{spinner} importing {prefix:9} [{bar:30}] {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_string());
    let on_progress = |p: Progress| {
        if let Some(total) = p.bytes_total {
            bar.set_length(total);
        }
        bar.set_position(p.bytes_read);
        bar.set_message(format!("{} items", p.items));
    };
    let out = job(&on_progress);
    bar.finish_and_clear();
    out
}

#[derive(serde::Serialize)]
struct BenchResult {
    events: u64,
    bytes: u64,
    /// Baseline: `serde_json::from_str::<Value>` of every line, nothing else.
    json_parse: Rate,
    /// The validation `POST /v1/events` and `loupe import events` apply.
    parse_and_validate: Rate,
    /// `loupe import events` into a fresh store, durable on return.
    import: Rate,
    batch: usize,
}

/// Events per second of wall time, and per second of this thread's CPU time
/// (the fair figure on a shared machine; `None` where Linux's
/// `/proc/thread-self/schedstat` is unavailable).
#[derive(serde::Serialize)]
struct Rate {
    per_s: f64,
    per_cpu_s: Option<f64>,
    wall_ms: u64,
    cpu_ms: Option<u64>,
}

/// CPU time this thread has run, in nanoseconds.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn measure<T>(
    count: impl FnOnce(&T) -> u64,
    work: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<(T, Rate)> {
    let cpu0 = thread_cpu_ns();
    let t = Instant::now();
    let out = work()?;
    let wall = t.elapsed();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) => Some(Duration::from_nanos(b.saturating_sub(a))),
        _ => None,
    };
    let n = count(&out) as f64;
    let rate = Rate {
        per_s: (n / wall.as_secs_f64()).round(),
        per_cpu_s: cpu.map(|c| (n / c.as_secs_f64().max(1e-9)).round()),
        wall_ms: wall.as_millis() as u64,
        cpu_ms: cpu.map(|c| c.as_millis() as u64),
    };
    Ok((out, rate))
}

/// Measures event ingest on `file` in three steps, each a baseline for the
/// next, and imports into a fresh store under `data` (removed afterwards).
fn bench_events(data: &Path, file: &Path, json: bool) -> anyhow::Result<()> {
    let open = || -> anyhow::Result<BufReader<std::fs::File>> {
        Ok(BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(file).with_context(|| format!("Failed to open {}", file.display()))?,
        ))
    };
    let bytes = std::fs::metadata(file)?.len();

    let (events, json_parse) = measure(
        |n: &u64| *n,
        || {
            let mut events = 0u64;
            for line in open()?.lines() {
                let line = line?;
                if !line.trim().is_empty() {
                    let v: serde_json::Value =
                        serde_json::from_str(&line).context("events.jsonl holds a line that is not JSON")?;
                    std::hint::black_box(&v);
                    events += 1;
                }
            }
            Ok(events)
        },
    )?;
    let (_, parse_and_validate) = measure(
        |(valid, rejected): &jobs::events::ParsedEvents| (valid.len() + rejected.len()) as u64,
        || Ok(jobs::events::parse_events_file(open()?)?),
    )?;

    let dir: PathBuf = data.join("bench-events-store");
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    let store =
        store::Store::open(&dir).with_context(|| format!("Failed to open a store in {}", dir.display()))?;
    let (_, import) = measure(
        |r: &app::wire::import::ImportReport| r.events.as_ref().map(|e| e.accepted).unwrap_or(0),
        || jobs::import_events(&store, file, &|_| {}).context("Failed to import the events"),
    )?;
    drop(store);
    std::fs::remove_dir_all(&dir)?;
    let result = BenchResult {
        events,
        bytes,
        json_parse,
        parse_and_validate,
        import,
        batch: jobs::events::EVENT_BATCH,
    };
    if json {
        outln!("{}", serde_json::to_string(&result)?);
    } else {
        let show = |r: &Rate| match r.per_cpu_s {
            Some(c) => format!("{:.0}/s ({:.0}/s of CPU)", r.per_s, c),
            None => format!("{:.0}/s", r.per_s),
        };
        outln!(
            "{} events ({:.0} MB): JSON parse {}, parse+validate {}, durable import into the store {} in {:.1} s (batches of {})",
            result.events,
            bytes as f64 / 1e6,
            show(&result.json_parse),
            show(&result.parse_and_validate),
            show(&result.import),
            result.import.wall_ms as f64 / 1000.0,
            result.batch
        );
    }
    Ok(())
}
