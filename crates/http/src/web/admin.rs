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
use maud::{html, Markup};
use model::{Category, Product, QualityIssue};
use serde::Deserialize;

use super::chart::{svg_bar_chart, Bar};
use super::{
    describe_metal, fmt_price, group_thousands, is_shoppable, page, pager, url_encode, PageQuery, PageResult,
};
use crate::blocking;
use crate::error::ApiError;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;

pub(crate) fn area() -> Area {
    Area::new("admin", "Back-office pages.")
        .admin_scope(Scope::AdminCatalog)
        .page("/admin/catalog", Access::AdminPage, catalog_page)
        .page("/admin/quality", Access::AdminPage, quality_page)
        .page("/admin/search", Access::AdminPage, super::search_admin::admin_page)
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

/// The badge class of an issue's severity: errors red, warnings amber,
/// notes (what Loupe fixed on its own) plain.
fn severity_class(i: &QualityIssue) -> &'static str {
    match i.severity() {
        model::Severity::Error => "badge bad",
        model::Severity::Warning => "badge warn",
        model::Severity::Info => "badge",
    }
}

/// Issues a merchandiser should act on: warnings and errors, not notes.
fn to_fix(i: &QualityIssue) -> bool {
    i.severity() > model::Severity::Info
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
    let with_issues = by_handle.values().filter(|issues| issues.iter().any(|i| to_fix(i))).count();
    let order_only = products.iter().filter(|p| p.order_only).count();
    // The shop counts only what a shopper can buy; say how the two counts differ.
    let on_sale = products.iter().filter(|p| is_shoppable(p)).count();
    let status_count = |status: model::ProductStatus| {
        products.iter().filter(|p| p.status == status && !p.order_only).count()
    };
    let (drafts, archived) =
        (status_count(model::ProductStatus::Draft), status_count(model::ProductStatus::Archived));
    let issues = issue_counts(&report);
    let issues_total = report.issues.iter().filter(|pi| to_fix(&pi.issue)).count();
    let notes = report.issues.len() - issues_total;

    let stats = html! {
        h1 { "Catalog" }
        ul class="stats" aria-label="Catalog in numbers" {
            @for (value, label) in [
                (products.len(), "products (every status)"),
                (on_sale, "on sale in the shop"),
                (variants, "variants"),
                (with_issues, "products with issues"),
                (issues_total, "data-quality issues to fix"),
                (notes, "notes (fixed on import)"),
                (order_only, "order-only products"),
            ] {
                li { span class="value" { (group_thousands(value as u64)) } span class="label" { (label) } }
            }
        }
    };

    if products.is_empty() {
        let body = html! {
            (stats)
            div class="panel placeholder" {
                h2 { "No products yet" }
                p {
                    "Import a catalog: " code { "loupe import catalog products.csv" } ", or "
                    code { "POST /v1/imports?kind=catalog" } " with the file as the body."
                }
            }
        };
        return Ok(page("Catalog", "/admin/catalog", body));
    }

    let mut by_category: BTreeMap<Option<Category>, usize> = BTreeMap::new();
    for p in products.iter() {
        *by_category.entry(p.category).or_default() += 1;
    }
    let mut cats: Vec<Bar> = by_category
        .iter()
        .map(|(c, n)| match c {
            Some(c) => {
                Bar::new(c.plural(), *n as f64).link(format!("/admin/catalog?category={}", c.as_str()))
            }
            None => Bar::new("Uncategorised", *n as f64),
        })
        .collect();
    cats.sort_by(|a, b| b.value.total_cmp(&a.value));
    let issue_bars: Vec<Bar> = issues
        .iter()
        .map(|(code, n)| {
            Bar::new(issue_label(code), *n as f64).link(format!("/admin/catalog?issue={}", url_encode(code)))
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
    let mut base = String::from("/admin/catalog?");
    for (k, v) in [("q", params.q.as_deref()), ("category", params.category.as_deref()), ("issue", issue)] {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            let _ = write!(base, "{k}={}&", url_encode(v));
        }
    }

    let body = html! {
        (stats)
        div class="two-col" {
            section class="panel" aria-labelledby="bycat" {
                h2 id="bycat" { "Products by category" }
                p class="muted small" {
                    "Every product the store holds: " (group_thousands(drafts as u64))
                    (if drafts == 1 { " draft, " } else { " drafts, " })
                    (group_thousands(archived as u64)) " archived and " (group_thousands(order_only as u64))
                    " order-only included. The shop's counts are of the " (group_thousands(on_sale as u64))
                    " on sale."
                }
                (svg_bar_chart("Products by category", &cats, None))
            }
            section class="panel" aria-labelledby="cover" {
                h2 id="cover" { "Attribute coverage" }
                p class="muted small" { "Share of products where normalization found each attribute." }
                (svg_bar_chart("Attribute coverage", &coverage, Some(products.len() as f64)))
            }
        }
        section class="panel" aria-labelledby="byissue" {
            h2 id="byissue" { "Issues by kind" }
            @if issue_bars.is_empty() {
                p class="muted" { "No issues found. A clean catalog." }
            } @else {
                (svg_bar_chart("Issues by kind", &issue_bars, None))
            }
        }
        section class="panel" aria-labelledby="table-h" {
            h2 id="table-h" { "Products" }
            form class="filters" method="get" action="/admin/catalog" {
                label { "Title, handle or SKU" input type="search" name="q" value=(params.q.as_deref().unwrap_or("")); }
                label {
                    "Category"
                    select name="category" {
                        option value="" { "All" }
                        @for c in by_category.keys().flatten() {
                            option value=(c.as_str()) selected[Some(*c) == category] { (c.plural()) }
                        }
                    }
                }
                label {
                    "Issue"
                    select name="issue" {
                        option value="" { "Any" }
                        @for (code, n) in &issues {
                            option value=(code) selected[Some(code.as_str()) == issue] {
                                (issue_label(code)) " (" (n) ")"
                            }
                        }
                    }
                }
                button class="button" type="submit" { "Filter" }
                " "
                a href="/admin/catalog" { "Reset" }
            }
            div class="table-wrap" {
                table {
                    caption {
                        (total.min(ROWS)) " of " (group_thousands(total as u64)) " products"
                        @if pages > 1 { ", page " (page_no) " of " (pages) }
                    }
                    thead {
                        tr {
                            th scope="col" { "Product" } th scope="col" { "Category" } th scope="col" { "Metal" }
                            th scope="col" class="num" { "Price" } th scope="col" class="num" { "Variants" }
                            th scope="col" class="num" { "Stock" } th scope="col" { "Issues" }
                        }
                    }
                    tbody {
                        @for p in rows.iter().skip((page_no - 1) * ROWS).take(ROWS) {
                            (product_row(p, issues_of(p)))
                        }
                    }
                }
            }
            (pager(&base, "", page_no, pages))
        }
    };
    Ok(page("Catalog", "/admin/catalog", body))
}

/// A row of the catalog table: the product and its first issues.
fn product_row(p: &Product, issues: &[&QualityIssue]) -> Markup {
    let metal = p.metals().first().map(describe_metal).unwrap_or_else(|| "\u{2014}".into());
    html! {
        tr {
            td {
                a href={ "/p/" (url_encode(&p.handle)) } { (p.title) }
                div class="muted small" { (p.handle) @if p.order_only { " · order-only" } }
            }
            td { (p.category.map(Category::plural).unwrap_or("\u{2014}")) }
            td { (metal) }
            td class="num" { (fmt_price(p)) }
            td class="num" { (p.variants.len()) }
            td class="num" { (p.inventory().map(|n| n.to_string()).unwrap_or_else(|| "\u{2014}".into())) }
            td {
                @if !issues.iter().any(|i| to_fix(i)) {
                    span class="badge ok" { "ok" }
                }
                @for i in issues.iter().filter(|i| to_fix(i)).take(6) {
                    span class=(severity_class(i)) title={ (i.message) @if let Some(l) = i.line { " (line " (l) ")" } } {
                        (issue_label(&i.code))
                    }
                }
                @if issues.iter().filter(|i| to_fix(i)).count() > 6 {
                    span class="muted small" { "+" (issues.iter().filter(|i| to_fix(i)).count() - 6) " more" }
                }
            }
        }
    }
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
    let intro = html! {
        h1 { "Data quality" }
        p class="muted" {
            "Problems the import and the catalog checks found, with the line of the source file they come \
             from. Fix them in the export and import it again: products update in place."
        }
    };
    if counts.is_empty() {
        let body = html! {
            (intro)
            div class="panel placeholder" { h2 { "No issues" } p { "Every product passed the checks." } }
        };
        return Ok(page("Data quality", "/admin/quality", body));
    }
    let bars: Vec<Bar> = counts
        .iter()
        .map(|(c, n)| {
            Bar::new(issue_label(c), *n as f64).link(format!("/admin/quality?code={}", url_encode(c)))
        })
        .collect();
    // Errors first, then warnings, then notes; in file order within each.
    let mut listed: Vec<&catalog::ProductIssue> =
        report.issues.iter().filter(|pi| code.is_none_or(|c| pi.issue.code == c)).collect();
    listed.sort_by_key(|pi| std::cmp::Reverse(pi.issue.severity()));
    let total = listed.len();
    let shown = total.min(MAX_ISSUE_ROWS);
    let body = html! {
        (intro)
        section class="panel" { h2 { "By kind" } (svg_bar_chart("Issues by kind", &bars, None)) }
        section class="panel" {
            h2 { (code.map(issue_label).unwrap_or_else(|| "All issues".into())) }
            div class="table-wrap" {
                table {
                    thead {
                        tr {
                            th scope="col" { "Issue" } th scope="col" { "Product" } th scope="col" class="num" { "Line" }
                            th scope="col" { "Field" } th scope="col" { "Message" }
                        }
                    }
                    tbody {
                        @for pi in listed.iter().take(MAX_ISSUE_ROWS) {
                            @let i = &pi.issue;
                            tr {
                                td {
                                    span class=(severity_class(i)) { (issue_label(&i.code)) }
                                    div class="muted small" { (i.severity().as_str()) }
                                }
                                td {
                                    @match pi.handle.as_deref() {
                                        Some(h) => a href={ "/p/" (url_encode(h)) } { (titles.get(h).copied().unwrap_or(h)) },
                                        None => span class="muted" { "skipped row" },
                                    }
                                }
                                td class="num" { (i.line.map(|l| l.to_string()).unwrap_or_else(|| "\u{2014}".into())) }
                                td { (i.field.as_deref().unwrap_or("\u{2014}")) }
                                td { (i.message) }
                            }
                        }
                    }
                }
            }
            @if total > shown {
                p class="muted small" {
                    "Showing " (shown) " of " (total) ". The full list: " code { "loupe quality --json" } "."
                }
            }
        }
    };
    Ok(page("Data quality", "/admin/quality", body))
}
