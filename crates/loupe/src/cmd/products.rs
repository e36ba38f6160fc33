//! `loupe products list|show`: look at the stored catalog.
//!
//! Also home of [`open_store`], the one way the catalog commands open the
//! store, so that its error reads the same everywhere.

use std::path::Path;

use app::wire::catalog::{PriceRange, ProductDetail, ProductSummary};
use app::wire::http::Page;

use super::Opened;
use crate::remote::encode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: ProductsCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(clap::Subcommand, Debug)]
pub enum ProductsCommand {
    /// List products by id (JSON: one summary per line).
    List {
        /// At most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Skip this many first.
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Show one product by id, handle or SKU.
    Show {
        /// A numeric id, a handle or a variant SKU.
        id: String,
    },
}

/// The store at `data` for commands that work on it directly (see
/// [`super::open_local`]).
pub fn open_store(data: &Path) -> anyhow::Result<store::Store> {
    Ok(super::open_local(data)?.store)
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let opened = super::open(data)?;
    let mut o = String::new();
    let result = match args.command {
        ProductsCommand::List { limit, offset } => list(&mut o, &opened, limit, offset, args.json),
        ProductsCommand::Show { id } => show(&mut o, &opened, &id, args.json),
    };
    crate::out::write_str(&o);
    result
}

/// Appends a line to a report being built (commands print once, through `crate::out`).
macro_rules! push_line {
    ($o:expr) => {
        $o.push('\n')
    };
    ($o:expr, $($arg:tt)*) => {{
        use std::fmt::Write as _;
        let _ = writeln!($o, $($arg)*);
    }};
}
pub(crate) use push_line;

fn list(o: &mut String, opened: &Opened, limit: usize, offset: usize, json: bool) -> anyhow::Result<()> {
    if limit == 0 {
        anyhow::bail!("--limit must be at least 1");
    }
    let (rows, total) = match opened {
        Opened::Local(app) => {
            let page = app::catalog::products(&app.engines, None, limit, offset)?;
            (page.items, page.total as u64)
        }
        Opened::Server(server) => {
            // The API pages by at most 1,000.
            let mut rows: Vec<ProductSummary> = Vec::new();
            let mut total = 0;
            while rows.len() < limit {
                let want = (limit - rows.len()).min(1000);
                let page: Page<ProductSummary> =
                    server.get_json(&format!("/v1/products?limit={want}&offset={}", offset + rows.len()))?;
                total = page.total as u64;
                let got = page.items.len();
                rows.extend(page.items);
                if got < want {
                    break;
                }
            }
            (rows, total)
        }
    };
    if json {
        for r in &rows {
            push_line!(o, "{}", serde_json::to_string(r)?);
        }
        return Ok(());
    }
    if rows.is_empty() {
        push_line!(
            o,
            "No products{}.",
            if total > 0 { " at this offset" } else { " yet: try `loupe import catalog FILE`" }
        );
        return Ok(());
    }
    push_line!(
        o,
        "{:>6}  {:<40}  {:<16}  {:>18}  {:>4}  {:>5}",
        "id",
        "title",
        "category",
        "price",
        "vars",
        "stock"
    );
    for r in &rows {
        push_line!(
            o,
            "{:>6}  {:<40}  {:<16}  {:>18}  {:>4}  {:>5}",
            r.id,
            clip(&r.title, 40),
            r.category.as_deref().unwrap_or("-"),
            price_text(&r.price),
            r.variants,
            r.inventory.map_or("-".to_string(), |n| n.to_string()),
        );
    }
    let last = offset + rows.len();
    if (last as u64) < total {
        push_line!(o, "{}..{} of {total}; --offset {last} for more", offset + 1, last);
    }
    Ok(())
}

fn show(o: &mut String, opened: &Opened, key: &str, json: bool) -> anyhow::Result<()> {
    let d: ProductDetail = match opened {
        Opened::Local(app) => app::catalog::product(&app.store, key)?,
        Opened::Server(server) => server.get_json(&format!("/v1/products/{}", encode(key.trim())))?,
    };
    if json {
        push_line!(o, "{}", serde_json::to_string_pretty(&d)?);
        return Ok(());
    }
    let po = &d.product;
    push_line!(o, "{} (#{}, {})", po.title, po.id, po.handle);
    let category = [po.category.clone(), d.raw_category.clone().map(|r| format!("({r})"))]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut fields = vec![
        ("category", category),
        ("vendor", po.vendor.clone().unwrap_or_default()),
        ("gender", po.gender.clone().unwrap_or_default()),
        ("price", price_text(&po.price)),
        ("metals", po.metals.iter().map(metal_text).collect::<Vec<_>>().join(", ")),
        ("stones", po.stones.iter().map(stone_text).collect::<Vec<_>>().join(", ")),
        ("tags", po.tags.join(", ")),
        ("collection", d.collection.clone().unwrap_or_default()),
    ];
    if d.order_only {
        fields.push(("source", "order lines only (no catalog row)".into()));
    }
    for (label, value) in fields.iter().filter(|(_, v)| !v.is_empty()) {
        push_line!(o, "  {label:<10} {value}");
    }
    push_line!(o, "  variants   {}", po.variants.len());
    for v in &po.variants {
        let opts: Vec<String> = v.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
        push_line!(
            o,
            "    {:<20} {:>10}  stock {:>4}  {}",
            v.sku.as_deref().unwrap_or("(no sku)"),
            v.price.map_or("-".to_string(), |p| format!("{p:.2}")),
            v.inventory.map_or("-".to_string(), |n| n.to_string()),
            opts.join(" "),
        );
    }
    for q in &po.quality_issues {
        push_line!(
            o,
            "  ! {}{}: {}",
            q.line.map(|l| format!("line {l} ")).unwrap_or_default(),
            q.code,
            q.message
        );
    }
    Ok(())
}

pub fn price_text(p: &PriceRange) -> String {
    match (p.min, p.max, &p.currency) {
        (Some(lo), Some(hi), Some(c)) if (hi - lo).abs() < 0.005 => format!("{lo:.2} {c}"),
        (Some(lo), Some(hi), Some(c)) => format!("{lo:.2}-{hi:.2} {c}"),
        _ => "-".to_string(),
    }
}

fn metal_text(m: &app::wire::catalog::MetalOut) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(k) = m.karat {
        parts.push(format!("{k}K"));
    } else if let Some(f) = m.fineness {
        parts.push(f.to_string());
    }
    parts.extend(m.colors.iter().cloned());
    parts.push(m.kind.clone());
    if let Some(f) = &m.finish {
        parts.push(format!("({f})"));
    }
    parts.join(" ")
}

fn stone_text(s: &app::wire::catalog::StoneOut) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(o) = &s.origin {
        parts.push(o.clone());
    }
    if let Some(c) = &s.color {
        parts.push(c.clone());
    }
    parts.push(s.kind.clone());
    if let Some(ct) = s.carat {
        parts.push(format!("{ct} ct"));
    }
    parts.join(" ")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}
