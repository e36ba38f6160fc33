//! The bridge from an uploaded file to the `jobs` import pipelines that the
//! CLI uses too, so that `POST /v1/imports` and `loupe import` do the same
//! thing and report it in the same shape. Events (JSON Lines) are checked
//! one by one like `POST /v1/events`, and stored in batches.

use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::Context as _;
use serde_json::json;

use crate::http::routes::events::check_batch;
use crate::http::routes::imports::ImportRequest;
use crate::http::tasks::ProgressFn;
use crate::jobs;

/// Runs the import `request` describes on the spooled file at `path`
/// (`size` bytes) and returns its report as JSON. Messages name the file by
/// the client's `filename` (or "upload"), never by the server's path.
pub(crate) fn run(
    store: &store::Store,
    path: &Path,
    request: &ImportRequest,
    size: u64,
    progress: ProgressFn<'_>,
) -> anyhow::Result<serde_json::Value> {
    let name = request.filename.clone().unwrap_or_else(|| "upload".to_string());
    let file = std::fs::File::open(path).context("the uploaded file could not be reopened")?;
    let mapping: Vec<String> = request.maps.iter().map(|(t, s)| format!("{t}={s}")).collect();
    let on_progress = |p: jobs::Progress| progress(p.bytes_read, Some(p.bytes_total.unwrap_or(size)));
    progress(0, Some(size));
    let report = match request.kind.as_str() {
        "catalog" => {
            let format = match request.format.as_deref() {
                Some(f) => Some(catalog::Format::parse(f).map_err(|e| anyhow::anyhow!("{e}"))?),
                None => None,
            };
            let opts = jobs::CatalogImportOptions { format, mapping, ..Default::default() };
            jobs::import_catalog_from(store, file, &name, Some(size), &opts, &on_progress)?
        }
        "orders" => {
            let opts = jobs::OrdersImportOptions { mapping, ..Default::default() };
            jobs::import_orders_from(store, file, &name, Some(size), &opts, &on_progress)?
        }
        "inventory" => {
            let opts = jobs::InventoryImportOptions { mapping };
            jobs::import_inventory_from(store, file, &name, Some(size), &opts, &on_progress)?
        }
        "events" => return import_events(store, file, &name, size, progress),
        other => anyhow::bail!("unknown import kind {other:?}"),
    };
    progress(size, Some(size));
    Ok(serde_json::to_value(report)?)
}

/// Events per store transaction.
const EVENT_BATCH: usize = 10_000;
/// Rejections listed in the report; beyond that they are only counted.
const MAX_LISTED: usize = 1000;

#[derive(Default)]
struct EventCounts {
    accepted: usize,
    duplicates: usize,
    rejected_total: usize,
    /// `{"line", "reason"}`, the first [`MAX_LISTED`].
    rejected: Vec<serde_json::Value>,
}

impl EventCounts {
    fn reject(&mut self, line: u64, reason: String) {
        self.rejected_total += 1;
        if self.rejected.len() < MAX_LISTED {
            self.rejected.push(json!({"line": line, "reason": reason}));
        }
    }

    /// Checks and stores `batch`, whose items came from `lines`.
    fn flush(
        &mut self,
        store: &store::Store,
        batch: &mut Vec<serde_json::Value>,
        lines: &mut Vec<u64>,
    ) -> anyhow::Result<()> {
        let (valid, bad) = check_batch(std::mem::take(batch));
        for r in bad {
            self.reject(lines[r.index], r.reason);
        }
        lines.clear();
        let outcome = store.append_events(&valid)?;
        self.accepted += outcome.inserted;
        self.duplicates += outcome.duplicates;
        Ok(())
    }
}

fn import_events(
    store: &store::Store,
    file: std::fs::File,
    name: &str,
    size: u64,
    progress: ProgressFn<'_>,
) -> anyhow::Result<serde_json::Value> {
    let started = std::time::Instant::now();
    let mut reader = BufReader::new(file);
    let mut counts = EventCounts::default();
    let (mut rows, mut bytes) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(EVENT_BATCH);
    let mut lines = Vec::with_capacity(EVENT_BATCH);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .with_context(|| format!("{name}: line {} is not UTF-8 text", rows + 1))?;
        if n == 0 {
            break;
        }
        rows += 1;
        bytes += n as u64;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(&line) {
            Ok(value) => {
                batch.push(value);
                lines.push(rows);
            }
            Err(e) => counts.reject(rows, format!("not JSON: {e}")),
        }
        if batch.len() == EVENT_BATCH {
            counts.flush(store, &mut batch, &mut lines)?;
            progress(bytes, Some(size));
        }
    }
    counts.flush(store, &mut batch, &mut lines)?;
    progress(size, Some(size));
    if counts.accepted + counts.duplicates == 0 && counts.rejected_total > 0 {
        anyhow::bail!(
            "{name}: nothing could be imported: all {} events were rejected (line {}: {})",
            counts.rejected_total,
            counts.rejected[0]["line"],
            counts.rejected[0]["reason"].as_str().unwrap_or("")
        );
    }
    Ok(json!({
        "kind": "events",
        "file": name,
        "format": "jsonl",
        "rows_read": rows,
        "bytes_read": bytes,
        "elapsed_ms": started.elapsed().as_millis() as u64,
        "events": {"accepted": counts.accepted, "duplicates": counts.duplicates, "rejected": counts.rejected_total},
        "rejected": counts.rejected,
    }))
}
