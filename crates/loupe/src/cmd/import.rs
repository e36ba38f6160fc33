//! `loupe import catalog|orders|inventory|events FILE`: runs the import jobs of
//! `server::jobs` with a progress bar (on a terminal only) and prints the
//! report, as text or as the same JSON the HTTP task reports carry.
//!
//! Exits non-zero only when nothing could be imported; skipped rows are
//! reported, not fatal.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use server::jobs::{self, CatalogImportOptions, InventoryImportOptions, OrdersImportOptions, Progress};
use server::wire::import::ImportReport;

use super::products::outln;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub kind: ImportKind,
    /// Print the report as JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

/// What to import. Each kind has its own file shape and options.
#[derive(clap::Subcommand, Debug)]
pub enum ImportKind {
    /// A product catalog: Shopify CSV, Google Merchant TSV/XML, or any CSV/JSONL with --map.
    Catalog {
        file: PathBuf,
        /// The file's format; detected from its name and first bytes when omitted.
        #[arg(long, value_parser = parse_format)]
        format: Option<catalog::Format>,
        /// Map a catalog field to a source column: `--map sku=StockCode` (repeat).
        #[arg(long = "map", value_name = "TARGET=SOURCE")]
        map: Vec<String>,
        /// A TOML file extending the built-in jewelry vocabulary.
        #[arg(long)]
        vocab: Option<PathBuf>,
        /// Currency of prices that name none.
        #[arg(long, value_parser = parse_currency)]
        currency: Option<model::Currency>,
    },
    /// Order lines: Shopify orders export or any CSV with --map
    /// (order_id, ordered_at, customer_id, sku, title, quantity, unit_price, currency, country).
    Orders {
        file: PathBuf,
        #[arg(long = "map", value_name = "TARGET=SOURCE")]
        map: Vec<String>,
        #[arg(long, value_parser = parse_currency)]
        currency: Option<model::Currency>,
    },
    /// Inventory levels: sku, location, on_hand (and on_order, lead_time_days, unit_cost).
    Inventory {
        file: PathBuf,
        #[arg(long = "map", value_name = "TARGET=SOURCE")]
        map: Vec<String>,
    },
    /// Storefront events, one JSON object per line (view, search, click,
    /// add_to_cart, purchase, return); bad lines are reported, valid ones kept.
    Events { file: PathBuf },
}

fn parse_format(s: &str) -> Result<catalog::Format, String> {
    catalog::Format::parse(s).map_err(|e| e.to_string())
}

fn parse_currency(s: &str) -> Result<model::Currency, String> {
    model::Currency::parse(s).map_err(|e| e.to_string())
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let mut o = String::new();
    let result = run_into(&mut o, data, args);
    super::products::emit(&o)?;
    result
}

fn run_into(o: &mut String, data: &Path, args: Args) -> anyhow::Result<()> {
    let store = super::products::open_store(data)?;
    let bar = progress_bar();
    let on_progress = |p: Progress| {
        if let Some(total) = p.bytes_total {
            bar.set_length(total);
        }
        bar.set_position(p.bytes_read);
        bar.set_message(format!("{} items", p.items));
    };
    let (report, what) = match &args.kind {
        ImportKind::Catalog { file, format, map, vocab, currency } => {
            let opts = CatalogImportOptions {
                format: *format,
                mapping: map.clone(),
                vocab_file: vocab.clone(),
                default_currency: *currency,
            };
            (jobs::import_catalog(&store, file, &opts, &on_progress), "catalog")
        }
        ImportKind::Orders { file, map, currency } => {
            let opts = OrdersImportOptions { mapping: map.clone(), default_currency: *currency };
            (jobs::import_orders(&store, file, &opts, &on_progress), "orders")
        }
        ImportKind::Inventory { file, map } => {
            let opts = InventoryImportOptions { mapping: map.clone() };
            (jobs::import_inventory(&store, file, &opts, &on_progress), "inventory")
        }
        ImportKind::Events { file } => (jobs::import_events(&store, file, &on_progress), "events"),
    };
    bar.finish_and_clear();
    // The job's error already names the file and the reason: that one line is
    // what the user sees (`error: FILE: nothing could be imported: ...`).
    let report = report.map_err(|e| anyhow::anyhow!("Failed to import the {what}: {e}"))?;
    if args.json {
        outln!(o, "{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(o, &report);
    }
    Ok(())
}

/// A byte-based bar on stderr, hidden when stderr is not a terminal.
fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {bytes}/{total_bytes} {msg} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Issues printed in the text report; `--json` has them all (up to the cap).
const SHOWN_ISSUES: usize = 15;

fn print_report(o: &mut String, r: &ImportReport) {
    let secs = r.elapsed_ms as f64 / 1000.0;
    outln!(
        o,
        "Imported {} ({}{} rows in {secs:.1} s)",
        r.file,
        r.format.as_deref().map(|f| format!("{f}, ")).unwrap_or_default(),
        r.rows_read
    );
    if let Some(c) = &r.catalog {
        outln!(
            o,
            "  products   {} created, {} updated{}; {} in the catalog",
            c.products_created,
            c.products_updated,
            if c.products_merged > 0 {
                format!(", {} merged (handle repeated)", c.products_merged)
            } else {
                String::new()
            },
            c.products_total
        );
        outln!(o, "  variants   {} created, {} updated", c.variants_created, c.variants_updated);
    }
    if let Some(a) = &r.attributes {
        let pct = |n: u64, of: u64| (n * 100 + of / 2).checked_div(of).unwrap_or(0);
        outln!(
            o,
            "  found      category {}%, metal {}%, stone {}%, gender {}% of products; price {}%, size {}%, stock {}% of variants",
            pct(a.with_category, a.products),
            pct(a.with_metal, a.products),
            pct(a.with_stone, a.products),
            pct(a.with_gender, a.products),
            pct(a.variants_with_price, a.variants),
            pct(a.variants_with_size, a.variants),
            pct(a.variants_with_inventory, a.variants),
        );
        for (label, counts) in [("categories", &a.categories), ("metals", &a.metals), ("stones", &a.stones)] {
            if !counts.is_empty() {
                outln!(o, "  {label:<10} {}", top(counts, 6));
            }
        }
    }
    if let Some(ord) = &r.orders {
        outln!(
            o,
            "  lines      {} new, {} already stored; {} sales, {} returns, {} cancellations",
            ord.lines_inserted,
            ord.lines_unchanged,
            ord.sales,
            ord.returns,
            ord.cancellations
        );
        outln!(o, "  customers  {}", ord.customers);
        if ord.products_created > 0 {
            outln!(
                o,
                "  products   {} created from order lines (SKUs not in the catalog)",
                ord.products_created
            );
        }
        if let (Some(a), Some(b)) = (ord.first_ordered_at, ord.last_ordered_at) {
            outln!(o, "  period     {} to {}", day(a), day(b));
        }
    }
    if let Some(i) = &r.inventory {
        outln!(o, "  levels     {} ({} SKUs at {} locations)", i.levels, i.skus, i.locations);
    }
    if let Some(e) = &r.events {
        outln!(
            o,
            "  events     {} stored, {} already stored, {} rejected",
            e.accepted,
            e.duplicates,
            e.rejected
        );
    }
    if r.rows_skipped > 0 {
        outln!(o, "  skipped    {} rows (see issues)", r.rows_skipped);
    }
    if r.issues_total == 0 {
        outln!(o, "  issues     none");
        return;
    }
    let mut codes: Vec<(&String, &u64)> = r.issues_by_code.iter().collect();
    codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    outln!(o, "  issues     {} ({})", r.issues_total, codes.join(", "));
    // A few examples of each kind rather than the first N of the most common.
    let per_code = (SHOWN_ISSUES / r.issues_by_code.len().max(1)).clamp(2, SHOWN_ISSUES);
    let mut shown_of: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut shown = 0;
    for i in &r.issues {
        let n = shown_of.entry(i.code.as_str()).or_default();
        if *n >= per_code || shown >= SHOWN_ISSUES {
            continue;
        }
        *n += 1;
        shown += 1;
        let at = i.line.map(|l| format!("line {l}")).unwrap_or_else(|| "-".into());
        outln!(o, "    {at:>10}  {:<22} {}", i.code, i.message);
    }
    if r.issues_total as usize > shown {
        outln!(
            o,
            "    ... {} more (`--json` lists up to {}; `loupe quality` for the whole catalog)",
            r.issues_total as usize - shown,
            ImportReport::MAX_ISSUES
        );
    }
}

fn top(counts: &std::collections::BTreeMap<String, u64>, n: usize) -> String {
    let mut v: Vec<(&String, &u64)> = counts.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut parts: Vec<String> = v.iter().take(n).map(|(k, c)| format!("{k} {c}")).collect();
    if v.len() > n {
        parts.push(format!("+{} more", v.len() - n));
    }
    parts.join(", ")
}

fn day(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| secs.to_string())
}
