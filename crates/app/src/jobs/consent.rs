//! Consent imports: a brand's consent records (an e-mail platform's export,
//! a checkout's opt-ins) as CSV, one change per row, merged into each
//! customer's consent history in one transaction.
//!
//! Columns, found by name (case and spaces ignored): `customer_id` (or
//! `customer`), `channel` (`email` or `sms`; `email` when the file has no such
//! column), `granted` (or `consent`, `status`, `subscribed`: `true`, `yes`,
//! `1`, `granted`, `subscribed`, `opted_in` against `false`, `no`, `0`,
//! `withdrawn`, `unsubscribed`, `opted_out`), `source` (default `import`),
//! `at` (or `timestamp`, `date`, `updated_at`: RFC 3339 or a date; required,
//! since consent without a time cannot be placed in a history) and `address`
//! (or `email`, `phone`), `utc_offset` (`+01:00`: the customer's time
//! zone for send hours and quiet hours) and `first_name` (the greeting in
//! the templates). A row that cannot be read is reported with its line
//! and field and the rest are kept; a re-import adds no change twice.
//! Records of consent given elsewhere are taken as confirmed: the brand's
//! double opt-in applies to grants made through Loupe.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Instant;

use store::Store;

use super::{Error, Progress, Result};
use crate::care::{Stored, StoredChange, CONSENT};
use crate::wire::catalog::IssueOut;
use crate::wire::import::ImportReport;

fn issue(line: u64, field: Option<&str>, message: String) -> IssueOut {
    IssueOut {
        code: "bad_consent".into(),
        severity: model::Severity::of("bad_consent").as_str().into(),
        message,
        line: Some(line),
        field: field.map(String::from),
    }
}

fn column(headers: &csv::StringRecord, names: &[&str]) -> Option<usize> {
    let norm =
        |s: &str| s.trim().trim_start_matches('\u{feff}').to_ascii_lowercase().replace([' ', '-'], "_");
    headers.iter().position(|h| names.contains(&norm(h).as_str()))
}

fn granted(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" | "granted" | "subscribed" | "opted_in" | "opt_in" | "confirmed" => {
            Some(true)
        }
        "false" | "no" | "n" | "0" | "withdrawn" | "unsubscribed" | "opted_out" | "opt_out" | "revoked" => {
            Some(false)
        }
        _ => None,
    }
}

/// Imports consent changes from CSV.
pub fn import_consent_from<R: Read>(
    store: &Store,
    input: R,
    name: &str,
    progress: &dyn Fn(Progress),
) -> Result<ImportReport> {
    let started = Instant::now();
    let input_err = |message: String| Error::Input { file: name.to_string(), message };
    let (head, input) =
        super::import::read_head(input).map_err(|source| Error::Open { file: name.to_string(), source })?;
    if catalog::looks_utf16(head.get_ref()) {
        return Err(input_err(catalog::UTF16_MESSAGE.into()));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(head.chain(input));
    let headers = reader.headers().map_err(|e| input_err(format!("the header cannot be read: {e}")))?.clone();
    let customer = column(&headers, &["customer_id", "customer", "customerid"])
        .ok_or_else(|| input_err("no `customer_id` column (the header names the columns)".into()))?;
    let yes =
        column(&headers, &["granted", "consent", "status", "subscribed", "opted_in"]).ok_or_else(|| {
            input_err("no `granted` column (`granted`, `consent`, `status` or `subscribed`)".into())
        })?;
    let at = column(&headers, &["at", "timestamp", "date", "updated_at", "consent_at"])
        .ok_or_else(|| input_err("no `at` column: each change needs its time (RFC 3339 or a date)".into()))?;
    let channel = column(&headers, &["channel"]);
    let source = column(&headers, &["source"]);
    let address = column(&headers, &["address", "email", "phone"]);
    let offset_col = column(&headers, &["utc_offset", "timezone_offset", "tz_offset"]);
    let name_col = column(&headers, &["first_name", "firstname", "given_name"]);

    let mut issues = Vec::new();
    let mut rejected = 0u64;
    let mut rows = 0u64;
    let mut changes: BTreeMap<String, Vec<StoredChange>> = BTreeMap::new();
    let mut offsets: BTreeMap<String, i32> = BTreeMap::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut bytes = 0u64;
    for record in reader.records() {
        rows += 1;
        let line = rows + 1;
        let mut reject = |field: Option<&str>, message: String| {
            rejected += 1;
            if issues.len() < ImportReport::MAX_ISSUES {
                issues.push(issue(line, field, message));
            }
        };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                reject(None, format!("the row cannot be read: {e}"));
                continue;
            }
        };
        bytes = record.position().map_or(bytes, |p| p.byte());
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let id = get(Some(customer));
        if id.is_empty() || id.len() > 200 {
            reject(Some("customer_id"), "`customer_id` must be 1 to 200 characters".into());
            continue;
        }
        let ch = match get(channel) {
            "" if channel.is_none() => "email".to_string(),
            c if c.eq_ignore_ascii_case("email") || c.eq_ignore_ascii_case("e-mail") => "email".into(),
            c if c.eq_ignore_ascii_case("sms") => "sms".into(),
            c => {
                reject(Some("channel"), format!("`channel` {c:?}: use email or sms"));
                continue;
            }
        };
        let Some(g) = granted(get(Some(yes))) else {
            reject(Some("granted"), format!("{:?} is neither a grant nor a withdrawal", get(Some(yes))));
            continue;
        };
        let Some(when) = catalog::parse_datetime(get(Some(at))) else {
            reject(Some("at"), format!("{:?} is not a date (RFC 3339 or YYYY-MM-DD)", get(Some(at))));
            continue;
        };
        let addr = get(address);
        if !addr.is_empty() && ch == "email" && !crate::outbox::looks_like_email(addr) {
            reject(Some("address"), format!("{addr:?} is not an e-mail address"));
            continue;
        }
        let offset = match get(offset_col) {
            "" => None,
            o => match crate::care::parse_offset(o) {
                Some(m) => Some(m),
                None => {
                    reject(Some("utc_offset"), format!("{o:?} is not a UTC offset (+01:00, -05:00)"));
                    continue;
                }
            },
        };
        if let Some(m) = offset {
            offsets.insert(id.to_string(), m);
        }
        if !get(name_col).is_empty() {
            names.insert(id.to_string(), get(name_col).chars().take(60).collect());
        }
        let src = match get(source) {
            "" => "import".to_string(),
            s => s.chars().take(100).collect(),
        };
        changes.entry(id.to_string()).or_default().push(StoredChange {
            channel: ch,
            granted: g,
            source: src,
            at: when,
            address: (!addr.is_empty()).then(|| addr.to_string()),
            pending: false,
        });
    }
    if changes.is_empty() {
        let reason = match issues.first() {
            Some(first) => {
                format!(
                    "all {rejected} rows were rejected (line {}: {})",
                    first.line.unwrap_or(0),
                    first.message
                )
            }
            None => "the file holds no consent records".into(),
        };
        return Err(Error::NothingImported { file: name.to_string(), reason });
    }
    let store_err = |source| Error::Store { file: name.to_string(), source };
    let mut docs = Vec::with_capacity(changes.len());
    let mut added = 0u64;
    let mut unchanged = 0u64;
    for (customer, new) in changes {
        let mut stored: Stored = store
            .get_doc(CONSENT, &customer)
            .map_err(store_err)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        let before = stored.changes.len();
        let offset_changed = offsets.get(&customer).is_some_and(|o| stored.utc_offset != Some(*o))
            || names.get(&customer).is_some_and(|n| stored.first_name.as_ref() != Some(n));
        if let Some(o) = offsets.get(&customer) {
            stored.utc_offset = Some(*o);
        }
        if let Some(n) = names.get(&customer) {
            stored.first_name = Some(n.clone());
        }
        for c in new {
            let same = |o: &StoredChange| o.channel == c.channel && o.at == c.at && o.granted == c.granted;
            if stored.changes.iter().any(same) {
                unchanged += 1;
            } else {
                stored.changes.push(c);
            }
        }
        if stored.changes.len() == before && !offset_changed {
            continue;
        }
        added += (stored.changes.len() - before) as u64;
        stored.changes.sort_by_key(|c| c.at);
        docs.push((customer, serde_json::to_string(&stored).unwrap_or_default()));
    }
    let customers = docs.len() as u64;
    let forgotten = store.put_customer_docs(CONSENT, &docs).map_err(store_err)?;
    progress(Progress { bytes_read: bytes, bytes_total: None, items: rows });
    let mut report = ImportReport {
        kind: "consent".into(),
        file: name.to_string(),
        format: Some("csv".into()),
        rows_read: rows,
        rows_skipped: rejected,
        bytes_read: bytes,
        issues_total: rejected,
        issues,
        consent: Some(crate::wire::care::ConsentCounts {
            customers: customers - forgotten.len() as u64,
            changes_added: added,
            unchanged,
            forgotten: forgotten.len() as u64,
            rejected,
        }),
        ..ImportReport::default()
    };
    if rejected > 0 {
        report.issues_by_code.insert("bad_consent".into(), rejected);
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}
