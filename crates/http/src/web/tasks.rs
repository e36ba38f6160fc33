//! `/admin/tasks`: background tasks (imports) with their progress, and a
//! form to import a file from the browser: kind, format, currency and column
//! mapping, as `loupe import` takes them. The form posts a multipart upload
//! to `/admin/tasks/import`, which starts the same task as `POST /v1/imports`
//! and comes back here; the page reloads itself while a task runs.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Redirect;
use maud::{html, Markup};
use serde::Deserialize;

use super::{page, PageError, PageQuery, PageResult};
use crate::blocking;
use crate::routes::imports::{parse_pairs, receive, start_import, Upload};
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::wire::http::TaskStatus;

pub(crate) fn area() -> Area {
    Area::new("task pages", "Background tasks and the import form.")
        .admin_scope(Scope::AdminCatalog)
        .page("/admin/tasks", Access::AdminPage, tasks_page)
        .page_post("/admin/tasks/import", Access::AdminPage, import_form)
}

#[derive(Debug, Default, Deserialize)]
struct TasksParams {
    /// The task the import form just started.
    started: Option<String>,
}

async fn tasks_page(State(state): State<AppState>, PageQuery(params): PageQuery<TasksParams>) -> PageResult {
    let list = blocking(move || Ok(state.app.tasks.list()?)).await?;
    let running = list.iter().any(|t| !t.status.is_finished());
    let body = html! {
        h1 { "Tasks" }
        p class="muted" {
            "Imports and other slow work run in the background; " code { "GET /v1/tasks/{id}" }
            " shows the same."
        }
        @if let Some(id) = params.started.as_deref().filter(|id| list.iter().any(|t| t.id == *id)) {
            p class="notice" role="status" { "Import started: task " code { (id) } ". Its progress shows below." }
        }
        (import_form_markup())
        @if list.is_empty() {
            div class="panel placeholder" {
                h2 { "No tasks yet" }
                p { "Import a file with the form above, or send it to " code { "POST /v1/imports?kind=catalog" } "." }
            }
        } @else {
            div class="panel table-wrap" data-refresh=[running.then_some("2")] {
                table {
                    thead {
                        tr {
                            th scope="col" { "Task" } th scope="col" { "Kind" } th scope="col" { "Status" }
                            th scope="col" { "Started (UTC)" } th scope="col" class="num" { "Took" }
                            th scope="col" { "Result" }
                        }
                    }
                    tbody { @for t in list.iter().take(200) { (task_row(t)) } }
                }
            }
        }
    };
    Ok(page("Tasks", "/admin/tasks", body))
}

/// The import form: what `loupe import` takes, for a merchandiser's browser.
fn import_form_markup() -> Markup {
    html! {
        section class="panel" aria-labelledby="import" {
            h2 id="import" { "Import a file" }
            form class="import-form" method="post" action="/admin/tasks/import" enctype="multipart/form-data" {
                label { "What it holds "
                    select name="kind" {
                        option value="catalog" { "Catalog (products)" }
                        option value="orders" { "Orders" }
                        option value="inventory" { "Inventory" }
                        option value="events" { "Storefront events (JSON Lines)" }
                    }
                }
                label { "Format "
                    select name="format" {
                        option value="" { "Detect it" }
                        option value="shopify" { "Shopify CSV" }
                        option value="google" { "Google Merchant feed" }
                        option value="csv" { "Other CSV" }
                        option value="jsonl" { "JSON Lines" }
                    }
                }
                label { "Currency of prices that name none "
                    input name="currency" size="4" placeholder="USD";
                }
                label { "Column mapping, one " code { "target=Column" } " a line (optional) "
                    textarea name="map" rows="3" placeholder="sku=StockCode" {}
                }
                label {
                    input type="checkbox" name="replace" value="true";
                    " Catalog only: the file is the whole catalog (remove stored products it lacks)"
                }
                label { "File " input type="file" name="file" required; }
                button class="button" type="submit" { "Import" }
            }
        }
    }
}

/// `/admin/tasks/import`: the form's fields, then the file (the browser
/// sends them in the form's order), spooled and imported as a task.
async fn import_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Redirect, PageError> {
    let upload = Upload::new(&state.data_dir).await?;
    let received = receive(&headers, body, &upload, state.limits.import_bytes).await?;
    let mut request = parse_pairs(received.fields)?;
    request.filename = received.filename;
    let task = start_import(&state, request, upload, received.size).await?;
    Ok(Redirect::to(&format!("/admin/tasks?started={}", super::url_encode(&task.id))))
}

fn task_row(t: &app::wire::http::Task) -> Markup {
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
        (Some(e), _, _) => e.message.clone(),
        (None, Some(r), _) => summarize_report(r),
        (None, None, Some(p)) => match p.total {
            Some(total) if total > 0 => format!("{:.0}%", p.done as f64 / total as f64 * 100.0),
            _ => format!("{} {}", p.done, p.unit),
        },
        _ => String::new(),
    };
    html! {
        tr {
            td { code { (t.id) } }
            td { (t.kind) }
            td { span class={ "badge " (class) } { (label) } }
            td { (t.started_at.map(fmt_time).unwrap_or_else(|| "\u{2014}".into())) }
            td class="num" { (took) }
            td { (result) }
        }
    }
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
        for (key, what) in
            [("products_kept", "kept at their previous version"), ("products_removed", "removed")]
        {
            if let Some(n) = c.get(key).and_then(|n| n.as_u64()).filter(|&n| n > 0) {
                parts.push(format!("{n} {what}"));
            }
        }
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
    if let Some(n) = report.get("rows_skipped").and_then(|n| n.as_u64()).filter(|&n| n > 0) {
        parts.push(format!("{n} skipped"));
    }
    match report.get("issues_total").and_then(|n| n.as_u64()) {
        Some(1) => parts.push("1 issue".into()),
        Some(n) if n > 1 => parts.push(format!("{n} issues")),
        _ => {}
    }
    parts.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_report_reads_as_one_line() {
        let report = serde_json::json!({
            "catalog": {"products_created": 259, "products_updated": 0},
            "rows_read": 259,
            "issues_total": 1,
        });
        assert_eq!(summarize_report(&report), "259 products created, 0 updated · 259 rows · 1 issue");
        let clean = serde_json::json!({"orders": {"lines_inserted": 24}, "rows_read": 24, "issues_total": 0});
        assert_eq!(summarize_report(&clean), "24 order lines added · 24 rows");
        let lossy = serde_json::json!({
            "catalog": {"products_created": 0, "products_updated": 2, "products_kept": 1},
            "rows_read": 9, "rows_skipped": 1, "issues_total": 2,
        });
        assert_eq!(
            summarize_report(&lossy),
            "0 products created, 2 updated · 1 kept at their previous version · 9 rows · 1 skipped · 2 issues"
        );
    }
}
