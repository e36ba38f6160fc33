//! `loupe eval recs`: recommendations measured on a temporal split of orders
//! (Recall@k, NDCG@k, hit rate, catalogue coverage) for each model, the
//! blend and a popularity baseline; or, with `--holdout-from`, the final
//! holdout of issue 13 (blend tuned on a validation window, the holdout
//! scored once, beside simple baselines). Orders come from `--orders FILE`
//! (read with the same parser and `--map` as `loupe import orders`) or from
//! the store; products from the store, plus minimal products for SKUs it does
//! not know, as an orders import would create them.

use crate::out::outln;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use app::wire::recs::{RecsEval, RecsHoldout};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An orders file (CSV); without it, the store's order lines.
    #[arg(long, value_name = "FILE")]
    pub orders: Option<PathBuf>,
    /// Map an order field to a column: `--map sku=StockCode` (repeat).
    #[arg(long = "map", value_name = "TARGET=SOURCE")]
    pub map: Vec<String>,
    /// Train on what happened before this day (YYYY-MM-DD), test on after.
    #[arg(long, required_unless_present = "holdout_from", conflicts_with = "holdout_from")]
    pub split_date: Option<String>,
    /// Final holdout, validation window start (YYYY-MM-DD): blend weights are
    /// chosen by training before this day and scoring up to --holdout-from.
    #[arg(long, value_name = "DATE", requires = "holdout_from")]
    pub validate_from: Option<String>,
    /// Final holdout start (YYYY-MM-DD): the recommender is retrained on
    /// everything before it and scored once on the holdout, beside the
    /// baselines popular_90d and favourites_then_popular, at the largest --k:
    /// Recall and NDCG for all products and for products new to the customer.
    #[arg(long, value_name = "DATE", requires = "validate_from")]
    pub holdout_from: Option<String>,
    /// Final holdout end, exclusive (YYYY-MM-DD); default: the end of the data.
    #[arg(long, value_name = "DATE", requires = "holdout_from")]
    pub holdout_to: Option<String>,
    /// Coordinate-ascent passes over the blend weights on the validation
    /// window (0 keeps the deployed blend).
    #[arg(long, default_value_t = 2, requires = "holdout_from")]
    pub tuning_passes: usize,
    /// Score the validation window only (the holdout is left unread): for
    /// judging a change without looking at the holdout.
    #[arg(long, requires = "holdout_from")]
    pub validation_only: bool,
    /// Write the holdout's interactions and truth for outside baselines
    /// (bench/recs/implicit_als.py): DIR/interactions.tsv (customer, product,
    /// Unix seconds) and DIR/truth.tsv (window, customer, product, new).
    #[arg(long, value_name = "DIR", requires = "holdout_from")]
    pub export_split: Option<PathBuf>,
    /// Rows of --orders whose number of fields differs from the header's:
    /// `read` passes them to the orders reader, which realigns a shorter row
    /// where the columns it reads are unambiguous and skips the rest (both
    /// reported on stderr); `skip` leaves them all out and counts them.
    #[arg(long, value_enum, default_value = "read")]
    pub short_rows: ShortRows,
    /// Cut-offs, comma-separated.
    #[arg(long, default_value = "10,20")]
    pub k: String,
    /// Evaluate at most this many customers (the first by id).
    #[arg(long)]
    pub max_customers: Option<usize>,
    /// Try other blend weights: cooc,als,neighbours,content,set,repeat,popular,trend,diversity,rules(0/1).
    #[arg(long, value_name = "W,W,...")]
    pub blend: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortRows {
    Skip,
    Read,
}

fn parse_day(flag: &str, s: &str) -> anyhow::Result<i64> {
    let day = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .with_context(|| format!("--{flag} {s:?} is not YYYY-MM-DD"))?;
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0))
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let ks: Vec<usize> = args
        .k
        .split(',')
        .map(|s| s.trim().parse::<usize>().ok().filter(|k| (1..=1000).contains(k)))
        .collect::<Option<Vec<_>>>()
        .with_context(|| format!("--k {:?} is not a list of numbers from 1 to 1000", args.k))?;
    let (products, events, store_lines) = if data.join("loupe.redb").exists() {
        let store = super::super::products::open_store(data)?;
        let lines = if args.orders.is_none() { store.order_lines()? } else { Vec::new() };
        (store.products()?, store.events()?, lines)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let mut short_rows = 0;
    let mut lines = match &args.orders {
        Some(file) => {
            let (lines, short) = read_orders(file, &args.map, args.short_rows)?;
            short_rows = short;
            lines
        }
        None => store_lines,
    };
    if lines.is_empty() {
        anyhow::bail!("no order lines: give --orders FILE or import orders into {}", data.display());
    }
    lines.sort_by_key(|l| l.ordered_at);
    let mut all = products;
    let extra = recs::minimal_products(&lines, &all);
    all.extend(extra);
    if let Some(h) = &args.holdout_from {
        return run_holdout(&args, h, &all, &lines, &events, ks, short_rows);
    }
    let split_date = args.split_date.clone().unwrap_or_default();
    let split = parse_day("split-date", &split_date)?;
    let mut cfg = recs::eval::EvalConfig::new(split, ks);
    cfg.max_customers = args.max_customers;
    if let Some(b) = &args.blend {
        let v: Vec<f32> = b
            .split(',')
            .map(|x| x.trim().parse::<f32>().ok())
            .collect::<Option<Vec<_>>>()
            .filter(|v| v.len() == 10)
            .with_context(|| format!("--blend {b:?} is not ten numbers"))?;
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
    let report = recs::eval::evaluate(&all, &lines, &events, &cfg);
    let wire = RecsEval::from_report(&split_date, &report);
    if args.json {
        outln!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    outln!(
        "split {}: {} training lines, {} test lines; {} customers evaluated ({} new after the split, not scored); {} products; trained in {:.2}s",
        wire.split_date, wire.train_lines, wire.test_lines, wire.customers, wire.cold_customers, wire.items, wire.train_seconds
    );
    for row in &wire.models {
        let cells: Vec<String> = row
            .at
            .iter()
            .map(|a| {
                format!(
                    "R@{k} {:.4}  NDCG@{k} {:.4}  HR@{k} {:.3}  cov@{k} {:.3}",
                    a.recall,
                    a.ndcg,
                    a.hit_rate,
                    a.coverage,
                    k = a.k
                )
            })
            .collect();
        outln!("{:<13} {}", row.model, cells.join(" | "));
    }
    Ok(())
}

fn run_holdout(
    args: &Args,
    holdout_from: &str,
    products: &[model::Product],
    lines: &[model::OrderLine],
    events: &[model::Event],
    ks: Vec<usize>,
    short_rows: usize,
) -> anyhow::Result<()> {
    let validate_from = parse_day("validate-from", args.validate_from.as_deref().unwrap_or_default())?;
    let holdout_from = parse_day("holdout-from", holdout_from)?;
    let holdout_to = match &args.holdout_to {
        Some(d) => parse_day("holdout-to", d)?,
        None => i64::MAX,
    };
    if !(validate_from < holdout_from && holdout_from < holdout_to) {
        anyhow::bail!("expected --validate-from < --holdout-from < --holdout-to");
    }
    let k = ks.iter().copied().max().unwrap_or(20);
    let cfg = recs::holdout::HoldoutConfig {
        k,
        tuning_passes: args.tuning_passes,
        max_customers: args.max_customers,
        validation_only: args.validation_only,
        ..recs::holdout::HoldoutConfig::new(validate_from, holdout_from, holdout_to)
    };
    let report = recs::holdout::holdout(products, lines, events, &cfg);
    if let Some(dir) = &args.export_split {
        export_split(dir, products, lines, &report)?;
    }
    let wire = RecsHoldout::from_report(&report, k, short_rows);
    if args.json {
        outln!("{}", serde_json::to_string(&wire)?);
        return Ok(());
    }
    for (name, w) in [("validation", &wire.validation), ("holdout", &wire.holdout)] {
        outln!(
            "{name} {} to {}: {} training lines, {} test lines; {} customers scored ({} with products new to them; {} new customers not scored)",
            w.from,
            w.to.as_deref().unwrap_or("the end"),
            w.train_lines,
            w.test_lines,
            w.customers,
            w.customers_new,
            w.cold_customers
        );
    }
    outln!(
        "chosen on validation ({} tried): blend {}, half-life {} days",
        wire.trials,
        wire.chosen_blend,
        wire.half_life_days
    );
    if short_rows > 0 {
        outln!("{short_rows} rows of the orders file skipped: their field count differs from the header's");
    }
    outln!(
        "{:<24} {:>9} {:>9} {:>9} {:>9}   {:>9} {:>9} {:>9} {:>9}",
        "method (@k)",
        "val R",
        "val NDCG",
        "val Rnew",
        "val Nnew",
        "hold R",
        "hold NDCG",
        "hold Rnew",
        "hold Nnew"
    );
    for m in &wire.methods {
        let (v, h) = (&m.validation, &m.holdout);
        outln!(
            "{:<24} {:>9.4} {:>9.4} {:>9.4} {:>9.4}   {:>9.4} {:>9.4} {:>9.4} {:>9.4}",
            m.name,
            v.recall,
            v.ndcg,
            v.recall_new,
            v.ndcg_new,
            h.recall,
            h.ndcg,
            h.recall_new,
            h.ndcg_new
        );
    }
    Ok(())
}

/// Writes what outside baselines need to score exactly the same customers
/// on exactly the same truth.
fn export_split(
    dir: &Path,
    products: &[model::Product],
    lines: &[model::OrderLine],
    r: &recs::holdout::HoldoutReport,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    let path = dir.join("interactions.tsv");
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("Failed to create {}", path.display()))?,
    );
    writeln!(f, "customer\tproduct\tat")?;
    for (c, p, t) in recs::holdout::sales(products, lines) {
        writeln!(f, "{c}\t{p}\t{t}")?;
    }
    f.flush()?;
    let path = dir.join("truth.tsv");
    let mut f = std::io::BufWriter::new(
        std::fs::File::create(&path).with_context(|| format!("Failed to create {}", path.display()))?,
    );
    writeln!(f, "window\tfrom\tto\tcustomer\tproduct\tnew")?;
    for (name, t) in [("validation", &r.validation), ("holdout", &r.holdout)] {
        for (c, items) in t.customers.iter().zip(&t.items) {
            for (p, new) in items {
                writeln!(f, "{name}\t{}\t{}\t{c}\t{p}\t{}", t.from, t.to, u8::from(*new))?;
            }
        }
    }
    f.flush()?;
    Ok(())
}

/// Reads an orders file; with `ShortRows::Skip`, rows whose field count
/// differs from the header's are left out first (a shifted row would give
/// its columns to the wrong fields: in the REES46 export the customer id
/// lands under `brand_id` and the reader sees no customer) and counted.
fn read_orders(
    file: &Path,
    map: &[String],
    short: ShortRows,
) -> anyhow::Result<(Vec<model::OrderLine>, usize)> {
    let mapping = catalog::Mapping::parse(map).context("Bad --map")?;
    let bytes = std::fs::read(file).with_context(|| format!("Failed to read {}", file.display()))?;
    let (bytes, skipped) = match short {
        ShortRows::Read => (bytes, 0),
        ShortRows::Skip => drop_short_rows(bytes, file)?,
    };
    let reader = catalog::read_orders(std::io::Cursor::new(bytes), &mapping, model::Currency::USD)
        .with_context(|| format!("Failed to read {}", file.display()))?;
    let mut reader = reader;
    let mut lines = Vec::new();
    for line in reader.by_ref() {
        lines.push(line.with_context(|| format!("Failed to read {}", file.display()))?);
    }
    // What the reader realigned or could not read is part of what was
    // measured: say it.
    for issue in reader.skipped().iter().filter(|i| i.code != "bad_value") {
        eprintln!("{}: {}", file.display(), issue.message);
    }
    if reader.skipped_total() > 0 {
        eprintln!("{}: {} rows skipped by the orders reader", file.display(), reader.skipped_total());
    }
    Ok((lines, skipped))
}

/// Drops the comma-separated rows whose field count differs from the
/// header's, reporting how many and the first line numbers on stderr.
fn drop_short_rows(bytes: Vec<u8>, file: &Path) -> anyhow::Result<(Vec<u8>, usize)> {
    // Only comma-separated files: the orders reader sniffs other delimiters.
    let header = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    if !header.contains(&b',') {
        return Ok((bytes, 0));
    }
    let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[..]);
    let mut out = csv::WriterBuilder::new().flexible(true).from_writer(Vec::with_capacity(bytes.len()));
    let mut width = None;
    let mut bad: Vec<u64> = Vec::new();
    for rec in rd.byte_records() {
        let rec = rec.with_context(|| format!("Failed to read {}", file.display()))?;
        let w = *width.get_or_insert(rec.len());
        if rec.len() != w {
            bad.push(rec.position().map_or(0, |p| p.line()));
            continue;
        }
        out.write_byte_record(&rec)?;
    }
    if bad.is_empty() {
        return Ok((bytes, 0));
    }
    let first: Vec<String> = bad.iter().take(10).map(u64::to_string).collect();
    eprintln!(
        "{}: {} rows have a different number of fields from the header and were left out (lines {}{})",
        file.display(),
        bad.len(),
        first.join(", "),
        if bad.len() > 10 { ", ..." } else { "" }
    );
    Ok((out.into_inner().context("Failed to buffer the orders")?, bad.len()))
}
