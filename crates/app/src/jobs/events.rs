//! Events import: JSON Lines -> `catalog::events` (the same validation as
//! `POST /v1/events`) -> `store.append_events`, in durable batches.
//!
//! A bad line is rejected with its line number and reason and the valid ones
//! are kept; the import fails only when nothing could be imported. Memory is
//! bounded by one batch whatever the file size. Unlike catalog imports this is
//! not one transaction: events are an append-only log deduplicated by id, so
//! re-running an interrupted import stores exactly what was missing.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::time::Instant;

use store::Store;

use super::{Error, Progress, Result};
use crate::wire::catalog::IssueOut;
use crate::wire::import::{EventsCounts, ImportReport};

/// Events per store transaction (one fsync each).
pub const EVENT_BATCH: usize = 20_000;

/// Imports a JSON Lines events file. See [`import_events_from`].
pub fn import_events(store: &Store, path: &Path, progress: &dyn Fn(Progress)) -> Result<ImportReport> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|source| Error::Open { file: name.clone(), source })?;
    let meta = file.metadata().map_err(|source| Error::Open { file: name.clone(), source })?;
    if meta.is_dir() {
        return Err(Error::Input { file: name, message: "is a directory, not a file".into() });
    }
    import_events_from(store, BufReader::with_capacity(256 * 1024, file), &name, Some(meta.len()), progress)
}

/// Imports JSON Lines events from any reader; `name` names it in messages,
/// `size` (if known) scales the progress.
pub fn import_events_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    size: Option<u64>,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let (head, input) =
        super::import::read_head(input).map_err(|source| Error::Open { file: name.to_string(), source })?;
    if catalog::looks_utf16(head.get_ref()) {
        return Err(Error::Input { file: name.to_string(), message: catalog::UTF16_MESSAGE.into() });
    }
    let mut lines = catalog::events::parse_events_jsonl(BufReader::new(head.chain(input)));
    let mut counts = EventsCounts::default();
    let mut issues: Vec<IssueOut> = Vec::new();
    let mut batch = Vec::with_capacity(EVENT_BATCH);
    let mut rows = 0u64;
    let flush = |batch: &mut Vec<model::Event>, counts: &mut EventsCounts| -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let outcome =
            store.append_events(batch).map_err(|source| Error::Store { file: name.to_string(), source })?;
        counts.accepted += outcome.inserted as u64;
        counts.duplicates += outcome.duplicates as u64;
        batch.clear();
        Ok(())
    };
    while let Some(line) = lines.next() {
        let line = line.map_err(|source| Error::Open { file: name.to_string(), source })?;
        rows = line.line;
        match line.event {
            Ok(e) => batch.push(e),
            Err(reason) => {
                counts.rejected += 1;
                if issues.len() < ImportReport::MAX_ISSUES {
                    issues.push(IssueOut {
                        code: "bad_event".into(),
                        severity: model::Severity::of("bad_event").as_str().into(),
                        message: reason,
                        line: Some(line.line),
                        field: None,
                    });
                }
            }
        }
        if batch.len() == EVENT_BATCH {
            flush(&mut batch, &mut counts)?;
            progress(Progress {
                bytes_read: lines.bytes_read(),
                bytes_total: size,
                items: counts.accepted + counts.duplicates,
            });
        }
    }
    flush(&mut batch, &mut counts)?;
    progress(Progress {
        bytes_read: lines.bytes_read(),
        bytes_total: size,
        items: counts.accepted + counts.duplicates,
    });
    if counts.accepted + counts.duplicates == 0 {
        let reason = match issues.first() {
            Some(first) => format!(
                "all {} events were rejected (line {}: {})",
                counts.rejected,
                first.line.unwrap_or(0),
                first.message
            ),
            None => "the file holds no events".to_string(),
        };
        return Err(Error::NothingImported { file: name.to_string(), reason });
    }
    let mut report = ImportReport {
        kind: "events".into(),
        file: name.to_string(),
        format: Some("jsonl".into()),
        rows_read: rows,
        rows_skipped: counts.rejected,
        bytes_read: lines.bytes_read(),
        issues_total: counts.rejected,
        issues,
        events: Some(counts.clone()),
        ..ImportReport::default()
    };
    if counts.rejected > 0 {
        report.issues_by_code.insert("bad_event".into(), counts.rejected);
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Valid events, and the rejected lines with their reasons.
pub type ParsedEvents = (Vec<model::Event>, Vec<(u64, String)>);

/// Reads a whole JSON Lines stream into valid events and `(line, reason)`
/// rejections, without storing anything (for benchmarks and tests).
pub fn parse_events_file<R: BufRead>(input: R) -> std::io::Result<ParsedEvents> {
    let mut valid = Vec::new();
    let mut rejected = Vec::new();
    for line in catalog::events::parse_events_jsonl(input) {
        let line = line?;
        match line.event {
            Ok(e) => valid.push(e),
            Err(reason) => rejected.push((line.line, reason)),
        }
    }
    Ok((valid, rejected))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noop(_: Progress) {}

    #[test]
    fn keeps_valid_lines_and_reports_bad_ones_by_line() {
        let store = Store::open_temporary().unwrap();
        let text = concat!(
            r#"{"id":"a","kind":"view","at":1700000000000,"product":"p"}"#,
            "\n",
            r#"{"id":"b","kind":"teleport","at":1700000000000}"#,
            "\n\nnot json\n",
            r#"{"id":"c","kind":"search","at":"2024-01-01T00:00:00Z","query":"gold hoops","results":["p"]}"#,
            "\n",
        );
        let report = import_events_from(&store, text.as_bytes(), "t.jsonl", None, &noop).unwrap();
        let counts = report.events.clone().unwrap();
        assert_eq!((counts.accepted, counts.duplicates, counts.rejected), (2, 0, 2));
        let lines: Vec<u64> = report.issues.iter().filter_map(|i| i.line).collect();
        assert_eq!(lines, [2, 4]);
        assert!(report.issues[0].message.contains("teleport"));
        assert_eq!(store.events().unwrap().len(), 2);
        // The same file again: nothing new, everything a duplicate.
        let again = import_events_from(&store, text.as_bytes(), "t.jsonl", None, &noop).unwrap();
        assert_eq!(again.events.unwrap().duplicates, 2);
        assert_eq!(store.events().unwrap().len(), 2);
    }

    #[test]
    fn fails_when_nothing_is_valid() {
        let store = Store::open_temporary().unwrap();
        let err = import_events_from(&store, &b"junk\n{}\n"[..], "bad.jsonl", None, &noop).unwrap_err();
        assert!(matches!(err, Error::NothingImported { .. }));
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = import_events_from(&store, &b"\n\n"[..], "empty.jsonl", None, &noop).unwrap_err();
        assert!(err.to_string().contains("no events"), "{err}");
    }
}
