//! `loupe import catalog|orders|inventory|events|tickets|kb FILE`: runs the import use
//! case of `app::imports` with a progress bar (on a terminal only) and prints
//! the report, as text or as the same JSON the HTTP task reports carry.
//! While a server holds the store, the file goes to its `POST /v1/imports`
//! and the progress comes from the task it starts.
//!
//! Exits non-zero only when nothing could be imported; skipped rows are
//! reported, not fatal, and the text report's last line counts them with the
//! products and values kept at their stored version (`N rows skipped, M
//! products kept at their previous version`), so a script can tell a clean
//! import from a lossy one without parsing the issues.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use app::imports::{ImportSpec, Kind};
use app::jobs::Progress;
use app::wire::http::{Task, TaskAccepted};
use app::wire::import::ImportReport;
use indicatif::{ProgressBar, ProgressStyle};

use super::Opened;
use crate::remote::{encode, Server};

use super::products::push_line;

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
        ///
        /// Targets: handle, sku, title, description, vendor, category, tags, price,
        /// compare_at_price, currency, inventory, image_url, gender, metal, stone, size, status,
        /// grams, and option:NAME. Without a mapping, columns are found by their usual names; the
        /// product id is the handle column, else the SKU or reference column (sku, id, ref,
        /// reference, StockCode, item_id, product_id, ...), each id its own product. A file with
        /// none groups rows by title and says so in a `grouped_by_title` warning.
        #[arg(long = "map", value_name = "TARGET=SOURCE")]
        map: Vec<String>,
        /// A TOML file extending the built-in jewelry vocabulary.
        #[arg(long)]
        vocab: Option<PathBuf>,
        /// Currency of prices that name none.
        #[arg(long, value_parser = parse_currency)]
        currency: Option<model::Currency>,
        /// The file is the whole catalog: remove stored products it lacks (not
        /// order-only ones) and apply its last product as read. Removes
        /// nothing when a row could not be read.
        #[arg(long)]
        replace: bool,
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
    /// Support tickets: JSON Lines (the demo's tickets.jsonl) or CSV, deduplicated by id;
    /// a known ticket gains only the messages the store lacks.
    ///
    /// Fields: id, created_at, customer_id, order_id, channel, subject, body, status (open or closed),
    /// messages (the later thread: [{"at", "from": "customer"|"agent", "body", "author"}]).
    Tickets {
        file: PathBuf,
        /// Map a ticket field to a source column or key: `--map body=Message` (repeat).
        #[arg(long = "map", value_name = "FIELD=SOURCE")]
        map: Vec<String>,
    },
    /// A knowledge-base source: Markdown (cut at headings), HTML (cut at h1-h4) or CSV with
    /// question and answer columns. Importing the same file name again replaces its passages.
    Kb {
        file: PathBuf,
        /// markdown, html or csv; from the file's extension when omitted.
        #[arg(long, value_parser = parse_kb_format)]
        format: Option<support::kb::Format>,
    },
    /// Customers' consent to care messages, as CSV: one change per row, merged into each
    /// customer's history (a re-import adds nothing twice; forgotten customers are skipped).
    ///
    /// Columns: customer_id, granted (true/false, subscribed/unsubscribed, ...), at (RFC 3339 or
    /// a date), and optionally channel (email, the default, or sms), source, address.
    Consent { file: PathBuf },
}

fn parse_kb_format(s: &str) -> Result<support::kb::Format, String> {
    app::support::parse_kb_format(s).map_err(|e| e.message)
}

fn parse_format(s: &str) -> Result<catalog::Format, String> {
    catalog::Format::parse(s).map_err(|e| e.to_string())
}

fn parse_currency(s: &str) -> Result<model::Currency, String> {
    model::Currency::parse(s).map_err(|e| e.to_string())
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let (file, spec) = spec(&args.kind, super::system_clock().now_secs());
    let report = match super::open(data)? {
        Opened::Local(app) => {
            let bar = progress_bar();
            let on_progress = |p: Progress| {
                if let Some(total) = p.bytes_total {
                    bar.set_length(total);
                }
                bar.set_position(p.bytes_read);
                bar.set_message(format!("{} items", p.items));
            };
            let report = app::imports::import_file(&app.store, file, &spec, &on_progress);
            bar.finish_and_clear();
            // Imported open cases reach the queue with Loupe's triage: record it.
            match report {
                Ok(r) if spec.kind == app::imports::Kind::Tickets => {
                    app::support::log_untriaged(&app).map(|_| r)
                }
                other => other,
            }
        }
        Opened::Server(server) => through_server(&server, file, &spec),
    };
    // The job's error already names the file and the reason: that one line is
    // what the user sees (`error: FILE: nothing could be imported: ...`).
    let report = report.map_err(|e| {
        let message = format!("Failed to import the {}: {}", spec.kind.as_str(), e.message);
        app::Error::new(e.code, message)
    })?;
    let mut o = String::new();
    if args.json {
        push_line!(o, "{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&mut o, &report);
    }
    crate::out::write_str(&o);
    Ok(())
}

/// The file and the use case's options for `kind`.
fn spec(kind: &ImportKind, now: i64) -> (&Path, ImportSpec) {
    match kind {
        ImportKind::Catalog { file, format, map, vocab, currency, replace } => {
            let mut spec = ImportSpec::new(Kind::Catalog, now);
            spec.replace = *replace;
            spec.format = *format;
            spec.mapping = map.clone();
            spec.vocab_file = vocab.clone();
            spec.currency = *currency;
            (file, spec)
        }
        ImportKind::Orders { file, map, currency } => {
            let mut spec = ImportSpec::new(Kind::Orders, now);
            spec.mapping = map.clone();
            spec.currency = *currency;
            (file, spec)
        }
        ImportKind::Inventory { file, map } => {
            let mut spec = ImportSpec::new(Kind::Inventory, now);
            spec.mapping = map.clone();
            (file, spec)
        }
        ImportKind::Events { file } => (file, ImportSpec::new(Kind::Events, now)),
        ImportKind::Tickets { file, map } => {
            let mut spec = ImportSpec::new(Kind::Tickets, now);
            spec.mapping = map.clone();
            (file, spec)
        }
        ImportKind::Kb { file, format } => {
            let mut spec = ImportSpec::new(Kind::Kb, now);
            spec.kb_format = *format;
            (file, spec)
        }
        ImportKind::Consent { file } => (file, ImportSpec::new(Kind::Consent, now)),
    }
}

/// Sends the file to the server's `POST /v1/imports` and follows the task
/// it starts, showing its progress, until it ends.
fn through_server(server: &Server, file: &Path, spec: &ImportSpec) -> app::Result<ImportReport> {
    let input = |message: String| app::Error::new(app::Code::InvalidImport, message);
    let internal = |e: anyhow::Error| app::Error::new(app::Code::Internal, format!("{e:#}"));
    if spec.vocab_file.is_some() {
        return Err(input("--vocab is not sent to a running server; stop it, or import without it".into()));
    }
    let name = file.display().to_string();
    let mut f = std::fs::File::open(file).map_err(|e| input(format!("{name}: {e}")))?;
    let len = f.metadata().map_err(|e| input(format!("{name}: {e}")))?.len();
    let mut path = format!("/v1/imports?kind={}", spec.kind.as_str());
    if let Some(format) = spec.format {
        path.push_str(&format!("&format={}", format.as_str()));
    }
    if let Some(format) = spec.kb_format {
        path.push_str(&format!("&format={}", format.as_str()));
    }
    if let Some(currency) = spec.currency {
        path.push_str(&format!("&currency={}", currency.as_str()));
    }
    if spec.replace {
        path.push_str("&replace=true");
    }
    for m in &spec.mapping {
        path.push_str(&format!("&map={}", encode(m)));
    }
    // The server names the file in its messages as the user did.
    path.push_str(&format!("&filename={}", encode(&name)));
    let response = server.post(&path, "application/octet-stream", &mut f, len).map_err(internal)?;
    if response.status != 202 {
        let mut err = to_app_error(response.error());
        if err.code == app::Code::PayloadTooLarge {
            err.message
                .push_str("; stop the server and run the import again to import it directly (no size limit)");
        }
        return Err(err);
    }
    let accepted: TaskAccepted = response.json().map_err(internal)?;
    eprintln!("import task {} started", accepted.task_id);
    let bar = progress_bar();
    let task = loop {
        let task: Task = server.get_json(&accepted.status_url).map_err(to_app_error)?;
        if let Some(p) = &task.progress {
            if let Some(total) = p.total {
                bar.set_length(total);
            }
            bar.set_position(p.done);
        }
        if task.status.is_finished() {
            break task;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    bar.finish_and_clear();
    match (task.report, task.error) {
        (Some(report), _) => serde_json::from_value(report).map_err(|e| internal(e.into())),
        (None, Some(err)) => {
            let code = app::Code::parse(&err.code).unwrap_or(app::Code::Internal);
            Err(app::Error::new(code, err.message))
        }
        (None, None) => Err(internal(anyhow::anyhow!("task {} ended without a report", task.id))),
    }
}

fn to_app_error(err: anyhow::Error) -> app::Error {
    match err.downcast::<app::Error>() {
        Ok(e) => e,
        Err(other) => app::Error::new(app::Code::Internal, format!("{other:#}")),
    }
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
    push_line!(
        o,
        "Imported {} ({}{} rows in {secs:.1} s)",
        r.file,
        r.format.as_deref().map(|f| format!("{f}, ")).unwrap_or_default(),
        r.rows_read
    );
    if let Some(c) = &r.catalog {
        push_line!(
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
        push_line!(
            o,
            "  variants   {} created, {} updated{}",
            c.variants_created,
            c.variants_updated,
            if c.variants_removed > 0 { format!(", {} removed", c.variants_removed) } else { String::new() }
        );
        if c.products_removed > 0 {
            let more = c.products_removed.saturating_sub(c.removed_handles.len() as u64);
            push_line!(
                o,
                "  removed    {} not in the file (--replace): {}{}",
                if c.products_removed == 1 {
                    "1 product".to_string()
                } else {
                    format!("{} products", c.products_removed)
                },
                c.removed_handles.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            );
        }
    }
    if let Some(a) = &r.attributes {
        let pct = |n: u64, of: u64| (n * 100 + of / 2).checked_div(of).unwrap_or(0);
        push_line!(o,
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
                push_line!(o, "  {label:<10} {}", top(counts, 6));
            }
        }
    }
    if let Some(ord) = &r.orders {
        push_line!(
            o,
            "  lines      {} new, {} already stored; {} sales, {} returns, {} cancellations",
            ord.lines_inserted,
            ord.lines_unchanged,
            ord.sales,
            ord.returns,
            ord.cancellations
        );
        push_line!(o, "  customers  {}", ord.customers);
        if ord.products_created > 0 {
            push_line!(
                o,
                "  products   {} created from order lines (SKUs not in the catalog)",
                ord.products_created
            );
        }
        if let (Some(a), Some(b)) = (ord.first_ordered_at, ord.last_ordered_at) {
            push_line!(o, "  period     {} to {}", day(a), day(b));
        }
    }
    if let Some(i) = &r.inventory {
        push_line!(o, "  levels     {} ({} SKUs at {} locations)", i.levels, i.skus, i.locations);
    }
    if let Some(e) = &r.events {
        push_line!(
            o,
            "  events     {} stored, {} already stored, {} rejected",
            e.accepted,
            e.duplicates,
            e.rejected
        );
    }
    if let Some(t) = &r.tickets {
        push_line!(
            o,
            "  tickets    {} new, {} with new messages, {} already stored, {} rejected{}",
            t.inserted,
            t.updated,
            t.unchanged,
            t.rejected,
            if t.forgotten > 0 {
                format!(", {} of forgotten customers not stored", t.forgotten)
            } else {
                String::new()
            }
        );
    }
    if let Some(c) = &r.consent {
        push_line!(
            o,
            "  consent    {} changes added for {} customers, {} already recorded, {} rejected{}",
            c.changes_added,
            c.customers,
            c.unchanged,
            c.rejected,
            if c.forgotten > 0 {
                format!(", {} rows of forgotten customers not stored", c.forgotten)
            } else {
                String::new()
            }
        );
    }
    if let Some(k) = &r.kb {
        push_line!(
            o,
            "  passages   {} from {} ({}){}; {} passages in {} sources",
            k.passages,
            k.source,
            k.format,
            if k.replaced > 0 { format!(", replacing {}", k.replaced) } else { String::new() },
            k.passages_total,
            k.sources
        );
        for s in &k.skipped {
            push_line!(o, "  skipped    {s}");
        }
    }
    if r.rows_skipped > 0 {
        push_line!(o, "  skipped    {} rows (see issues)", r.rows_skipped);
    }
    if r.issues_total == 0 {
        push_line!(o, "  issues     none");
    } else {
        print_issues(o, r);
    }
    if let Some(last) = last_line(r) {
        push_line!(o, "{last}");
    }
}

/// The report's last line: what the import could not read and what it kept
/// of the stored catalog instead (catalog imports always say it; others when
/// rows were skipped).
fn last_line(r: &ImportReport) -> Option<String> {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let skipped = plural(r.rows_skipped, "row skipped", "rows skipped");
    let Some(c) = &r.catalog else {
        return (r.rows_skipped > 0).then_some(skipped);
    };
    let mut line = format!(
        "{skipped}, {} at {} previous version",
        plural(c.products_kept, "product kept", "products kept"),
        if c.products_kept == 1 { "its" } else { "their" }
    );
    if c.values_kept > 0 {
        line.push_str(&format!(
            ", {} at the stored value",
            plural(c.values_kept, "value kept", "values kept")
        ));
    }
    if c.products_removed > 0 {
        line.push_str(&format!(", {} removed", plural(c.products_removed, "product", "products")));
    }
    Some(line)
}

fn print_issues(o: &mut String, r: &ImportReport) {
    let mut codes: Vec<(&String, &u64)> = r.issues_by_code.iter().collect();
    codes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let codes: Vec<String> = codes.iter().map(|(c, n)| format!("{c} {n}")).collect();
    push_line!(o, "  issues     {} ({})", r.issues_total, codes.join(", "));
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
        push_line!(o, "    {at:>10}  {:<22} {}", i.code, i.message);
    }
    if r.issues_total as usize > shown {
        push_line!(
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
