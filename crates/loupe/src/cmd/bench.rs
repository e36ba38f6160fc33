//! `loupe bench import`: catalog import throughput and peak memory.
//!
//! Generates a Shopify product CSV (jewelry-like titles, options and tags) in
//! a temporary directory, then measures, each in a fresh child process so that
//! peak memory (`VmHWM`) belongs to one phase only:
//! - the parse floor: a plain `csv` crate pass over the same file;
//! - the full import: detect, parse and normalize with `catalog`, write with
//!   `store` to an on-disk store, in one transaction.
//!
//! It runs at the given size and at a tenth of it, to show whether memory
//! stays flat in the file size. Figures go to stdout; see BENCHMARKS.md.

use crate::out::outln;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use serde::{Deserialize, Serialize};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub what: BenchWhat,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum BenchWhat {
    /// Import throughput for a generated Shopify CSV, with a plain-CSV baseline.
    Import {
        #[arg(long, default_value_t = 100_000)]
        products: usize,
        #[arg(long, default_value_t = 5)]
        variants_per_product: usize,
        /// Run one phase in this process (used by the parent run).
        #[arg(long, hide = true, value_enum)]
        phase: Option<Phase>,
        /// The generated file, for `--phase`.
        #[arg(long, hide = true)]
        file: Option<PathBuf>,
    },
    /// Search latency on the stored catalog beside the plain tantivy query (issue 4).
    Search(super::bench_search::Args),
    /// Catalog import and event ingest on the embedded store beside the PostgreSQL one (--store).
    Store(super::bench_store::Args),
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Baseline,
    Parse,
    Import,
}

/// One measured phase.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PhaseResult {
    pub phase: Phase,
    pub products: usize,
    pub variant_rows: u64,
    pub file_bytes: u64,
    pub seconds: f64,
    pub rows_per_sec: f64,
    /// CPU time (user + system) of the phase: steadier than wall time on a
    /// shared machine.
    pub cpu_seconds: f64,
    pub rows_per_cpu_sec: f64,
    /// Peak resident memory of the process that ran the phase, in MiB.
    pub peak_rss_mib: f64,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let (products, variants_per_product, phase, file) = match args.what {
        BenchWhat::Search(a) => return super::bench_search::run(data, a, args.json),
        BenchWhat::Store(a) => return super::bench_store::run(super::store_url(), a, args.json),
        BenchWhat::Import { products, variants_per_product, phase, file } => {
            (products, variants_per_product, phase, file)
        }
    };
    if let Some(phase) = phase {
        let file = file.context("--phase needs --file")?;
        let result = run_phase(phase, &file, products)?;
        outln!("{}", serde_json::to_string(&result)?);
        return Ok(());
    }
    anyhow::ensure!(
        products > 0 && variants_per_product > 0,
        "--products and --variants-per-product must be positive"
    );
    let dir = tempfile_dir()?;
    let mut results = Vec::new();
    for n in [products.div_ceil(10), products] {
        let file = dir.join(format!("bench-{n}.csv"));
        let t = Instant::now();
        let bytes = generate_shopify_csv(&file, n, variants_per_product)?;
        if !args.json {
            eprintln!(
                "generated {} products x {variants_per_product} variants: {:.1} MiB in {:.1} s",
                n,
                bytes as f64 / 1048576.0,
                t.elapsed().as_secs_f64()
            );
        }
        for phase in [Phase::Baseline, Phase::Parse, Phase::Import] {
            let r = run_child(phase, &file, n)?;
            if !args.json {
                print_result(&r);
            }
            results.push(r);
        }
        std::fs::remove_file(&file).ok();
    }
    std::fs::remove_dir_all(&dir).ok();
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&results)?);
    }
    Ok(())
}

fn print_result(r: &PhaseResult) {
    let name = match r.phase {
        Phase::Baseline => "csv crate pass (floor)",
        Phase::Parse => "catalog::read_catalog only",
        Phase::Import => "full import (parse + store)",
    };
    outln!(
        "{:>7} products {:>7} rows {:>6.1} MiB  {name:<28} {:>6.2} s wall {:>6.2} s cpu  {:>9} rows/cpu-s  peak RSS {:>6.1} MiB",
        r.products,
        r.variant_rows,
        r.file_bytes as f64 / 1048576.0,
        r.seconds,
        r.cpu_seconds,
        // Below a few clock ticks the rate means nothing.
        if r.cpu_seconds >= 0.05 { format!("{:.0}", r.rows_per_cpu_sec) } else { "-".to_string() },
        r.peak_rss_mib
    );
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("loupe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    Ok(dir)
}

fn run_child(phase: Phase, file: &Path, products: usize) -> anyhow::Result<PhaseResult> {
    let exe = std::env::current_exe().context("Failed to find the loupe binary")?;
    let phase_name = match phase {
        Phase::Baseline => "baseline",
        Phase::Parse => "parse",
        Phase::Import => "import",
    };
    let out = Command::new(exe)
        .args(["bench", "import", "--phase", phase_name, "--products", &products.to_string(), "--file"])
        .arg(file)
        .output()
        .context("Failed to run a benchmark phase")?;
    anyhow::ensure!(
        out.status.success(),
        "the {phase_name} phase failed: {}",
        String::from_utf8_lossy(&out.stderr).trim()
    );
    serde_json::from_slice(&out.stdout).context("Failed to read a benchmark phase's result")
}

fn run_phase(phase: Phase, file: &Path, products: usize) -> anyhow::Result<PhaseResult> {
    let file_bytes = std::fs::metadata(file)?.len();
    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let variant_rows = match phase {
        Phase::Baseline => {
            // The floor: read every record and touch every field, as any
            // importer must, but do nothing else.
            let mut rdr = csv::ReaderBuilder::new().flexible(true).from_path(file)?;
            let mut record = csv::ByteRecord::new();
            let (mut rows, mut bytes) = (0u64, 0usize);
            while rdr.read_byte_record(&mut record)? {
                rows += 1;
                bytes += record.iter().map(<[u8]>::len).sum::<usize>();
            }
            std::hint::black_box(bytes);
            rows
        }
        Phase::Parse => {
            let mut head = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(std::fs::File::open(file)?, 65536),
                &mut head,
            )?;
            let format = catalog::Format::detect(file.to_str(), &head).context("format not detected")?;
            let mapping = catalog::Mapping::default();
            let vocab = catalog::Vocabulary::builtin();
            let opts = catalog::ReadOptions {
                format,
                mapping: &mapping,
                vocab: &vocab,
                default_currency: model::Currency::USD,
            };
            let input = std::io::BufReader::with_capacity(256 * 1024, std::fs::File::open(file)?);
            let mut variants = 0u64;
            for p in catalog::read_catalog(input, opts)? {
                variants += p?.variants.len() as u64;
            }
            variants
        }
        Phase::Import => {
            let dir = file.with_extension("store");
            std::fs::remove_dir_all(&dir).ok();
            let store = store::Store::open(&dir)?;
            let report = app::jobs::import_catalog(
                &store,
                file,
                &app::jobs::CatalogImportOptions {
                    now: crate::cmd::system_clock().now_secs(),
                    ..Default::default()
                },
                &|_| {},
            )?;
            drop(store);
            std::fs::remove_dir_all(&dir).ok();
            report.catalog.map(|c| c.variants_created + c.variants_updated).unwrap_or(0)
        }
    };
    let seconds = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    Ok(PhaseResult {
        cpu_seconds: cpu,
        rows_per_cpu_sec: variant_rows as f64 / cpu.max(1e-9),
        phase,
        products,
        variant_rows,
        file_bytes,
        seconds,
        rows_per_sec: variant_rows as f64 / seconds.max(1e-9),
        peak_rss_mib: peak_rss_kib().unwrap_or(0) as f64 / 1024.0,
    })
}

/// User plus system CPU time of this process so far, from `/proc/self/stat`
/// (clock ticks of 1/100 s, the Linux default).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which may contain spaces) start at ")".
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after ")".
    (ticks(11) + ticks(12)) / 100.0
}

/// Peak resident set size of this process (`VmHWM`), in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

const METALS: [&str; 6] =
    ["14K Yellow Gold", "14K White Gold", "18K Rose Gold", "Sterling Silver", "Platinum", "Gold Vermeil"];
const KINDS: [(&str, &str); 6] = [
    ("Ring", "Rings"),
    ("Stud Earrings", "Earrings"),
    ("Pendant Necklace", "Necklaces"),
    ("Tennis Bracelet", "Bracelets"),
    ("Hoop Earrings", "Earrings"),
    ("Signet Ring", "Rings"),
];
const STONES: [&str; 6] = ["Diamond", "Lab-Grown Diamond", "Sapphire", "Pearl", "Emerald", ""];

/// Writes a Shopify product export: the first row of a product carries its
/// fields, the following rows only the handle and the variant's.
pub(crate) fn generate_shopify_csv(path: &Path, products: usize, variants: usize) -> anyhow::Result<u64> {
    let file = std::fs::File::create(path).with_context(|| format!("Failed to create {}", path.display()))?;
    let mut w = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, file));
    w.write_record([
        "Handle",
        "Title",
        "Body (HTML)",
        "Vendor",
        "Type",
        "Tags",
        "Published",
        "Option1 Name",
        "Option1 Value",
        "Option2 Name",
        "Option2 Value",
        "Variant SKU",
        "Variant Grams",
        "Variant Inventory Qty",
        "Variant Price",
        "Variant Compare At Price",
        "Image Src",
        "Status",
    ])?;
    // A small deterministic generator: the figures must not depend on a seed.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..products {
        let (kind, ty) = KINDS[i % KINDS.len()];
        let stone = STONES[(next() % STONES.len() as u64) as usize];
        let metal0 = METALS[(next() % METALS.len() as u64) as usize];
        let title = format!("{} {stone} {kind} No. {i}", metal0).replace("  ", " ");
        let handle = format!("product-{i}");
        let body = format!(
            "<p>A {kind} in {metal0}{}. Handcrafted, {}mm wide.</p>",
            if stone.is_empty() {
                String::new()
            } else {
                format!(" set with a 0.{}ct {stone}", 1 + next() % 9)
            },
            1 + next() % 5
        );
        let tags = format!("{ty}, {}, gift", metal0.split(' ').next_back().unwrap_or(""));
        let base = 100 + next() % 4000;
        for v in 0..variants {
            let metal = METALS[(i + v) % METALS.len()];
            let size =
                if ty == "Rings" { format!("{}", 5 + v % 6) } else { format!("{}\"", 16 + 2 * (v % 3)) };
            let sku = format!("SKU-{i}-{v}");
            let price = format!("{}.00", base + 50 * v as u64);
            let grams = format!("{}", 2 + next() % 20);
            let qty = format!("{}", next() % 30);
            let first = v == 0;
            let pick = |s: &str| if first { s.to_string() } else { String::new() };
            w.write_record([
                handle.as_str(),
                &pick(&title),
                &pick(&body),
                &pick("Loupe Bench Co"),
                &pick(ty),
                &pick(&tags),
                &pick("TRUE"),
                if first { "Metal" } else { "" },
                metal,
                if first { "Size" } else { "" },
                &size,
                &sku,
                &grams,
                &qty,
                &price,
                "",
                &pick(&format!("https://cdn.example.com/{handle}.jpg")),
                &pick("active"),
            ])?;
        }
    }
    let mut inner = w.into_inner().map_err(|e| anyhow::anyhow!("Failed to write {}: {e}", path.display()))?;
    inner.flush()?;
    Ok(std::fs::metadata(path)?.len())
}
