//! The back-office: the catalog with its data-quality issues, the issues by
//! kind, and background tasks. Each engine registers its own page in its
//! area (`/admin/search`, `/admin/forecasts`, ...).
//!
//! Every page here uses `Access::AdminPage`: open while the store has no API
//! keys (the local demo), the admin key (HTTP Basic password) once it has.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::State;
use catalog::QualityReport;
use model::{Category, Product, QualityIssue};
use serde::Deserialize;

use super::chart::{svg_bar_chart, Bar};
use super::{
    category_plural, describe_metal, escape, fmt_price, group_thousands, page, url_encode, PageQuery,
    PageResult,
};
use crate::blocking;
use crate::error::ApiError;
use crate::routes::{Access, Area};
use crate::state::AppState;
use app::wire::http::TaskStatus;

pub(crate) fn area() -> Area {
    Area::new("admin", "Back-office pages.")
        .page("/admin", Access::AdminPage, catalog_page)
        .page("/admin/quality", Access::AdminPage, quality_page)
        .page("/admin/tasks", Access::AdminPage, tasks_page)
        .page("/admin/recommendations", Access::AdminPage, super::recs::admin_page)
}

#[derive(Debug, Default, Deserialize)]
struct CatalogParams {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    issue: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

const ROWS: usize = 50;

/// The catalog with its data-quality report (per-product issues plus the
/// checks across products, such as price outliers within a category).
async fn catalog_with_report(state: AppState) -> Result<(Arc<Vec<Product>>, QualityReport), ApiError> {
    blocking(move || {
        let products = state.app.engines.catalog()?;
        let report = catalog::quality_report(&products, &[]);
        Ok((products, report))
    })
    .await
}

/// Issue counts by code, most frequent first.
fn issue_counts(report: &QualityReport) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = report.issue_counts.iter().map(|(c, n)| (c.clone(), *n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// Each product's issues, by handle.
fn issues_by_handle(report: &QualityReport) -> HashMap<&str, Vec<&QualityIssue>> {
    let mut out: HashMap<&str, Vec<&QualityIssue>> = HashMap::new();
    for i in &report.issues {
        if let Some(h) = i.handle.as_deref() {
            out.entry(h).or_default().push(&i.issue);
        }
    }
    out
}

fn issue_label(code: &str) -> String {
    super::capitalize(&code.replace('_', " "))
}

async fn catalog_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<CatalogParams>,
) -> PageResult {
    let (products, report) = catalog_with_report(state).await?;
    let by_handle = issues_by_handle(&report);
    let no_issues: Vec<&QualityIssue> = Vec::new();
    let issues_of = |p: &Product| by_handle.get(p.handle.as_str()).unwrap_or(&no_issues);
    let variants: usize = products.iter().map(|p| p.variants.len()).sum();
    let with_issues = by_handle.len();
    let order_only = products.iter().filter(|p| p.order_only).count();
    let issues = issue_counts(&report);
    let issues_total = report.issues.len();

    let mut body = String::from("<h1>Catalog</h1>");
    body.push_str("<ul class=\"stats\" aria-label=\"Catalog in numbers\">");
    for (value, label) in [
        (products.len(), "products"),
        (variants, "variants"),
        (with_issues, "products with issues"),
        (issues_total, "data-quality issues"),
        (order_only, "order-only products"),
    ] {
        let _ = write!(
            body,
            "<li><span class=\"value\">{}</span><span class=\"label\">{label}</span></li>",
            group_thousands(value as u64)
        );
    }
    body.push_str("</ul>");

    if products.is_empty() {
        body.push_str(
            "<div class=\"panel placeholder\"><h2>No products yet</h2><p>Import a catalog: \
             <code>loupe import catalog products.csv</code>, or <code>POST /v1/imports?kind=catalog</code> with the file as the body.</p></div>",
        );
        return Ok(page("Catalog", "/admin", &body));
    }

    let mut by_category: BTreeMap<Option<Category>, usize> = BTreeMap::new();
    for p in products.iter() {
        *by_category.entry(p.category).or_default() += 1;
    }
    let mut cats: Vec<Bar> = by_category
        .iter()
        .map(|(c, n)| match c {
            Some(c) => {
                Bar::new(category_plural(*c), *n as f64).link(format!("/admin?category={}", c.as_str()))
            }
            None => Bar::new("Uncategorised", *n as f64),
        })
        .collect();
    cats.sort_by(|a, b| b.value.total_cmp(&a.value));
    let issue_bars: Vec<Bar> = issues
        .iter()
        .map(|(code, n)| {
            Bar::new(issue_label(code), *n as f64).link(format!("/admin?issue={}", url_encode(code)))
        })
        .collect();
    let coverage: Vec<Bar> = report
        .attributes
        .pairs()
        .iter()
        .map(|(name, n)| {
            let pct = *n as f64 / products.len().max(1) as f64 * 100.0;
            Bar::new(super::capitalize(name), *n as f64).text(format!("{pct:.0}%"))
        })
        .collect();
    let _ = write!(
        body,
        "<div class=\"two-col\"><section class=\"panel\" aria-labelledby=\"bycat\"><h2 id=\"bycat\">Products by category</h2>{}</section>\
         <section class=\"panel\" aria-labelledby=\"cover\"><h2 id=\"cover\">Attribute coverage</h2><p class=\"muted small\">Share of products \
         where normalization found each attribute.</p>{}</section></div>\
         <section class=\"panel\" aria-labelledby=\"byissue\"><h2 id=\"byissue\">Issues by kind</h2>{}</section>",
        svg_bar_chart("Products by category", &cats, None).into_string(),
        svg_bar_chart("Attribute coverage", &coverage, Some(products.len() as f64)).into_string(),
        if issue_bars.is_empty() {
            "<p class=\"muted\">No issues found. A clean catalog.</p>".to_string()
        } else {
            svg_bar_chart("Issues by kind", &issue_bars, None).into_string()
        }
    );

    // The table, filtered.
    let q = params.q.as_deref().unwrap_or("").trim().to_lowercase();
    let category = params.category.as_deref().and_then(Category::parse);
    let issue = params.issue.as_deref().filter(|s| !s.is_empty());
    let rows: Vec<&Product> = products
        .iter()
        .filter(|p| {
            q.is_empty()
                || p.title.to_lowercase().contains(&q)
                || p.handle.contains(&q)
                || p.variants.iter().any(|v| v.sku.to_lowercase() == q)
        })
        .filter(|p| category.is_none() || p.category == category)
        .filter(|p| issue.is_none_or(|code| issues_of(p).iter().any(|i| i.code == code)))
        .collect();
    let total = rows.len();
    let pages = total.div_ceil(ROWS).max(1);
    let page_no = super::search::page_number(params.page.as_deref()).min(pages);

    body.push_str("<section class=\"panel\" aria-labelledby=\"table-h\"><h2 id=\"table-h\">Products</h2>");
    let _ = write!(
        body,
        "<form class=\"filters\" method=\"get\" action=\"/admin\"><label>Title, handle or SKU<input type=\"search\" name=\"q\" value=\"{}\"></label>\
         <label>Category<select name=\"category\"><option value=\"\">All</option>",
        escape(params.q.as_deref().unwrap_or(""))
    );
    for c in by_category.keys().flatten() {
        let selected = if Some(*c) == category { " selected" } else { "" };
        let _ = write!(body, "<option value=\"{}\"{selected}>{}</option>", c.as_str(), category_plural(*c));
    }
    body.push_str("</select></label><label>Issue<select name=\"issue\"><option value=\"\">Any</option>");
    for (code, n) in &issues {
        let selected = if Some(code.as_str()) == issue { " selected" } else { "" };
        let _ = write!(
            body,
            "<option value=\"{}\"{selected}>{} ({n})</option>",
            escape(code),
            escape(&issue_label(code))
        );
    }
    let _ = write!(
        body,
        "</select></label><button class=\"button\" type=\"submit\">Filter</button> <a href=\"/admin\">Reset</a></form>\
         <div class=\"table-wrap\"><table><caption>{} of {} products{}</caption><thead><tr>\
         <th scope=\"col\">Product</th><th scope=\"col\">Category</th><th scope=\"col\">Metal</th><th scope=\"col\" class=\"num\">Price</th>\
         <th scope=\"col\" class=\"num\">Variants</th><th scope=\"col\" class=\"num\">Stock</th><th scope=\"col\">Issues</th></tr></thead><tbody>",
        total.min(ROWS),
        group_thousands(total as u64),
        if pages > 1 { format!(", page {page_no} of {pages}") } else { String::new() }
    );
    for p in rows.iter().skip((page_no - 1) * ROWS).take(ROWS) {
        let metal = p.metals().first().map(describe_metal).unwrap_or_else(|| "\u{2014}".into());
        let _ = write!(
            body,
            "<tr><td><a href=\"/p/{}\">{}</a><div class=\"muted small\">{}{}</div></td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>",
            url_encode(&p.handle),
            escape(&p.title),
            escape(&p.handle),
            if p.order_only { " · order-only" } else { "" },
            p.category.map(category_plural).unwrap_or("\u{2014}"),
            escape(&metal),
            escape(&fmt_price(p)),
            p.variants.len(),
            p.inventory().map(|n| n.to_string()).unwrap_or_else(|| "\u{2014}".into()),
        );
        let product_issues = issues_of(p);
        if product_issues.is_empty() {
            body.push_str("<span class=\"badge ok\">ok</span>");
        }
        for i in product_issues.iter().take(6) {
            let line = i.line.map(|l| format!(" (line {l})")).unwrap_or_default();
            let _ = write!(
                body,
                "<span class=\"badge warn\" title=\"{}{}\">{}</span>",
                escape(&i.message),
                escape(&line),
                escape(&issue_label(&i.code))
            );
        }
        if product_issues.len() > 6 {
            let _ = write!(body, "<span class=\"muted small\">+{} more</span>", product_issues.len() - 6);
        }
        body.push_str("</td></tr>");
    }
    body.push_str("</tbody></table></div>");
    if pages > 1 {
        let mut base = String::from("/admin?");
        for (k, v) in [("q", params.q.as_deref()), ("category", params.category.as_deref()), ("issue", issue)]
        {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                let _ = write!(base, "{k}={}&", url_encode(v));
            }
        }
        body.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
        if page_no > 1 {
            let _ = write!(
                body,
                "<a class=\"button ghost\" href=\"{}page={}\">Previous</a>",
                escape(&base),
                page_no - 1
            );
        }
        let _ = write!(body, "<span class=\"muted\">Page {page_no} of {pages}</span>");
        if page_no < pages {
            let _ = write!(
                body,
                "<a class=\"button ghost\" href=\"{}page={}\">Next</a>",
                escape(&base),
                page_no + 1
            );
        }
        body.push_str("</nav>");
    }
    body.push_str("</section>");
    Ok(page("Catalog", "/admin", &body))
}

#[derive(Debug, Default, Deserialize)]
struct QualityParams {
    #[serde(default)]
    code: Option<String>,
}

/// Most issue lines a page lists.
const MAX_ISSUE_ROWS: usize = 500;

async fn quality_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<QualityParams>,
) -> PageResult {
    let (products, report) = catalog_with_report(state).await?;
    let counts = issue_counts(&report);
    let titles: HashMap<&str, &str> =
        products.iter().map(|p| (p.handle.as_str(), p.title.as_str())).collect();
    let code = params.code.as_deref().filter(|c| !c.is_empty());
    let mut body = String::from(
        "<h1>Data quality</h1><p class=\"muted\">Problems the import and the catalog checks found, with the line of the \
         source file they come from. Fix them in the export and import it again: products update in place.</p>",
    );
    if counts.is_empty() {
        body.push_str("<div class=\"panel placeholder\"><h2>No issues</h2><p>Every product passed the checks.</p></div>");
        return Ok(page("Data quality", "/admin/quality", &body));
    }
    let bars: Vec<Bar> = counts
        .iter()
        .map(|(c, n)| {
            Bar::new(issue_label(c), *n as f64).link(format!("/admin/quality?code={}", url_encode(c)))
        })
        .collect();
    let _ = write!(
        body,
        "<section class=\"panel\"><h2>By kind</h2>{}</section>",
        svg_bar_chart("Issues by kind", &bars, None).into_string()
    );
    let _ = write!(
        body,
        "<section class=\"panel\"><h2>{}</h2><div class=\"table-wrap\"><table><thead><tr><th scope=\"col\">Issue</th><th scope=\"col\">Product</th>\
         <th scope=\"col\" class=\"num\">Line</th><th scope=\"col\">Field</th><th scope=\"col\">Message</th></tr></thead><tbody>",
        code.map(|c| escape(&issue_label(c))).unwrap_or_else(|| "All issues".into())
    );
    let mut shown = 0;
    let mut total = 0;
    for pi in report.issues.iter().filter(|pi| code.is_none_or(|c| pi.issue.code == c)) {
        total += 1;
        if shown >= MAX_ISSUE_ROWS {
            continue;
        }
        shown += 1;
        let i = &pi.issue;
        let product = match pi.handle.as_deref() {
            Some(h) => format!(
                "<a href=\"/p/{}\">{}</a>",
                url_encode(h),
                escape(titles.get(h).copied().unwrap_or(h))
            ),
            None => "<span class=\"muted\">skipped row</span>".to_string(),
        };
        let _ = write!(
            body,
            "<tr><td><span class=\"badge warn\">{}</span></td><td>{product}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&issue_label(&i.code)),
            i.line.map(|l| l.to_string()).unwrap_or_else(|| "\u{2014}".into()),
            escape(i.field.as_deref().unwrap_or("\u{2014}")),
            escape(&i.message)
        );
    }
    body.push_str("</tbody></table></div>");
    if total > shown {
        let _ = write!(body, "<p class=\"muted small\">Showing {shown} of {total}. The full list: <code>loupe quality --json</code>.</p>");
    }
    body.push_str("</section>");
    Ok(page("Data quality", "/admin/quality", &body))
}

async fn tasks_page(State(state): State<AppState>) -> PageResult {
    let list = blocking(move || Ok(state.app.tasks.list()?)).await?;
    let mut body = String::from(
        "<h1>Tasks</h1><p class=\"muted\">Imports and other slow work run in the background; \
         <code>GET /v1/tasks/{id}</code> shows the same.</p>",
    );
    if list.is_empty() {
        body.push_str("<div class=\"panel placeholder\"><h2>No tasks yet</h2><p>Send a file to <code>POST /v1/imports?kind=catalog</code> to start one.</p></div>");
        return Ok(page("Tasks", "/admin/tasks", &body));
    }
    body.push_str(
        "<div class=\"panel table-wrap\"><table><thead><tr><th scope=\"col\">Task</th><th scope=\"col\">Kind</th><th scope=\"col\">Status</th>\
         <th scope=\"col\">Started (UTC)</th><th scope=\"col\" class=\"num\">Took</th><th scope=\"col\">Result</th></tr></thead><tbody>",
    );
    for t in list.iter().take(200) {
        let (class, label) = match t.status {
            TaskStatus::Queued => ("", "queued"),
            TaskStatus::Running => ("warn", "running"),
            TaskStatus::Succeeded => ("ok", "succeeded"),
            TaskStatus::Failed => ("bad", "failed"),
        };
        let took = match (t.started_at, t.finished_at) {
            (Some(a), Some(b)) => format!("{:.1} s", (b - a) as f64 / 1000.0),
            _ => "\u{2014}".into(),
        };
        let result = match (&t.error, &t.report, &t.progress) {
            (Some(e), _, _) => escape(&e.message),
            (None, Some(r), _) => escape(&summarize_report(r)),
            (None, None, Some(p)) => match p.total {
                Some(total) if total > 0 => format!("{:.0}%", p.done as f64 / total as f64 * 100.0),
                _ => format!("{} {}", p.done, escape(&p.unit)),
            },
            _ => String::new(),
        };
        let _ = write!(
            body,
            "<tr><td><code>{}</code></td><td>{}</td><td><span class=\"badge {class}\">{label}</span></td><td>{}</td><td class=\"num\">{took}</td><td>{result}</td></tr>",
            escape(&t.id),
            escape(&t.kind),
            t.started_at.map(fmt_time).unwrap_or_else(|| "\u{2014}".into()),
        );
    }
    body.push_str("</tbody></table></div>");
    Ok(page("Tasks", "/admin/tasks", &body))
}

/// `2026-11-23 20:15:04` from Unix milliseconds.
fn fmt_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// One line for an import report: `2 created, 0 updated · 3 issues`.
fn summarize_report(report: &serde_json::Value) -> String {
    let mut parts = Vec::new();
    if let Some(c) = report.get("catalog").filter(|c| c.is_object()) {
        parts.push(format!("{} products created, {} updated", c["products_created"], c["products_updated"]));
    }
    if let Some(o) = report.get("orders").filter(|o| o.is_object()) {
        parts.push(format!("{} order lines added", o["lines_inserted"]));
    }
    if let Some(e) = report.get("events").filter(|e| e.is_object()) {
        parts.push(format!("{} events accepted, {} rejected", e["accepted"], e["rejected"]));
    }
    if let Some(n) = report.get("rows_read") {
        parts.push(format!("{n} rows"));
    }
    if let Some(n) = report.get("issues_total").filter(|n| n.as_u64().unwrap_or(0) > 0) {
        parts.push(format!("{n} issues"));
    }
    parts.join(" · ")
}
