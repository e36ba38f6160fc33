//! Support imports: tickets (JSON Lines or CSV -> `catalog::tickets` ->
//! `store.import_tickets`, one transaction) and knowledge-base sources
//! (Markdown, HTML or question/answer CSV -> passages, replacing the
//! source's earlier import).
//!
//! A ticket line that cannot be read is reported with its number and why;
//! the others are kept. The import fails only when nothing could be read.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::time::Instant;

use store::Store;

use super::{Error, Progress, Result};
use crate::wire::catalog::IssueOut;
use crate::wire::import::ImportReport;
use crate::wire::support::TicketsCounts;

fn issue(line: u64, message: String) -> IssueOut {
    IssueOut {
        code: "bad_ticket".into(),
        severity: model::Severity::of("bad_ticket").as_str().into(),
        message,
        line: Some(line),
        field: None,
    }
}

/// Imports tickets from `input`; `name` names it in messages and decides
/// the format (`.csv` is CSV, anything else JSON Lines unless it starts
/// like a CSV header).
pub fn import_tickets_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    mapping: &[String],
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let input_err = |message: String| Error::Input { file: name.to_string(), message };
    let map: HashMap<String, String> = catalog::tickets::parse_mapping(mapping).map_err(input_err)?;
    let (head, input) =
        super::import::read_head(input).map_err(|source| Error::Open { file: name.to_string(), source })?;
    if catalog::looks_utf16(head.get_ref()) {
        return Err(input_err(catalog::UTF16_MESSAGE.into()));
    }
    let first = head.get_ref().iter().find(|b| !b.is_ascii_whitespace()).copied();
    let csv = name.to_ascii_lowercase().ends_with(".csv") || first.is_some_and(|b| b != b'{');
    let mut reader = BufReader::new(head.chain(input));
    let lines: Vec<catalog::tickets::Line> = if csv {
        catalog::tickets::read_csv(&mut reader, &map).map_err(input_err)?
    } else {
        catalog::tickets::read_jsonl(&mut reader, &map)
            .collect::<std::io::Result<_>>()
            .map_err(|source| Error::Open { file: name.to_string(), source })?
    };
    let bytes = reader.fill_buf().map(|b| b.len()).unwrap_or(0) as u64;
    let rows = lines.last().map_or(0, |l| l.0);
    let mut issues = Vec::new();
    let mut rejected = 0u64;
    let mut tickets = Vec::with_capacity(lines.len());
    for (line, got) in lines {
        match got {
            Ok(t) => tickets.push(t),
            Err(why) => {
                rejected += 1;
                if issues.len() < ImportReport::MAX_ISSUES {
                    issues.push(issue(line, why));
                }
            }
        }
    }
    if tickets.is_empty() {
        let reason = match issues.first() {
            Some(first) => format!(
                "all {rejected} tickets were rejected (line {}: {})",
                first.line.unwrap_or(0),
                first.message
            ),
            None => "the file holds no tickets".into(),
        };
        return Err(Error::NothingImported { file: name.to_string(), reason });
    }
    let count = tickets.len() as u64;
    let out = store
        .import_tickets(tickets.into_iter().map(Ok::<_, std::convert::Infallible>))
        .map_err(|source| Error::Store { file: name.to_string(), source })?;
    progress(Progress { bytes_read: bytes, bytes_total: None, items: count });
    let mut report = ImportReport {
        kind: "tickets".into(),
        file: name.to_string(),
        format: Some(if csv { "csv" } else { "jsonl" }.into()),
        rows_read: rows,
        rows_skipped: rejected,
        issues_total: rejected,
        issues,
        tickets: Some(TicketsCounts {
            inserted: out.inserted,
            updated: out.updated,
            unchanged: out.unchanged,
            forgotten: out.forgotten,
            rejected,
        }),
        ..ImportReport::default()
    };
    if rejected > 0 {
        report.issues_by_code.insert("bad_ticket".into(), rejected);
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Imports one knowledge-base source, replacing its earlier import.
pub fn import_kb_from<R: Read>(
    store: &Store,
    mut input: R,
    name: &str,
    format: Option<support::kb::Format>,
    now: i64,
) -> Result<ImportReport> {
    let started = Instant::now();
    let mut bytes = Vec::new();
    input
        .by_ref()
        .take(crate::support::MAX_KB_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Open { file: name.to_string(), source })?;
    if catalog::looks_utf16(&bytes) {
        return Err(Error::Input { file: name.to_string(), message: catalog::UTF16_MESSAGE.into() });
    }
    let text = String::from_utf8(bytes).map_err(|e| Error::Input {
        file: name.to_string(),
        message: format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
    })?;
    // The source is named by the file's name, not its path: re-importing
    // `help.md` from anywhere replaces the same passages.
    let source = std::path::Path::new(name).file_name().and_then(|n| n.to_str()).unwrap_or(name);
    let done = crate::support::import_kb_into(store, now, source, &text, format)
        .map_err(|e| Error::Input { file: name.to_string(), message: e.message })?;
    Ok(ImportReport {
        kind: "kb".into(),
        file: name.to_string(),
        format: Some(done.format.clone()),
        rows_read: done.passages as u64,
        bytes_read: text.len() as u64,
        elapsed_ms: started.elapsed().as_millis() as u64,
        kb: Some(done),
        ..ImportReport::default()
    })
}
