//! Copies of a forgotten customer outside the store: the files Loupe itself
//! generated are scrubbed, every other file under the data directory that
//! still names them is listed, so that the erasure says plainly what is left.
//!
//! `DATA/demo/` holds the demo brand's generated files (`loupe demo`): they
//! are Loupe's, so they are rewritten the way the store was. A JSON Lines
//! record that names the customer is one of theirs (an event, a ticket, their
//! hidden traits) and is dropped; in CSV files the id is blanked and the row
//! kept, as the store keeps an anonymous sale. Anything else (uploads still in
//! `DATA/tmp/`, a brand's own files) is the operator's: it is listed, never
//! touched. An id matches only as a whole token, so forgetting `C01168` leaves
//! `C011689` alone.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The demo brand's generated files, under the data directory.
pub const DEMO_DIR: &str = "demo";

/// What [`scrub`] did, paths relative to the data directory.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Traces {
    pub scrubbed: Vec<String>,
    pub remaining: Vec<String>,
}

/// Scrubs the generated files under `data_dir` that name `id` and lists the
/// other files that do; `store_file` (the store, rewritten on its own) is
/// skipped. A file that cannot be read or rewritten is listed as remaining.
pub fn scrub(data_dir: &Path, store_file: &Path, id: &str) -> Traces {
    let mut out = Traces::default();
    let mut files = Vec::new();
    walk(data_dir, &mut files);
    files.sort();
    for path in files {
        if path == store_file || path.extension().is_some_and(|e| e == "rewrite") {
            continue;
        }
        let name = path.strip_prefix(data_dir).unwrap_or(&path).display().to_string();
        match names(&path, id) {
            Ok(false) => {}
            Ok(true) if path.starts_with(data_dir.join(DEMO_DIR)) => match rewrite(&path, id) {
                Ok(true) => out.scrubbed.push(name),
                Ok(false) | Err(_) => out.remaining.push(name),
            },
            Ok(true) | Err(_) => out.remaining.push(name),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            walk(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
}

/// Whether any line of the file names `id` as a whole token.
fn names(path: &Path, id: &str) -> std::io::Result<bool> {
    let mut reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(false);
        }
        if !tokens(&line, id.as_bytes()).is_empty() {
            return Ok(true);
        }
    }
}

/// Rewrites a generated file without `id` (next to it, then renamed over
/// it); `false` for a kind of file this does not know how to scrub.
fn rewrite(path: &Path, id: &str) -> std::io::Result<bool> {
    let kind = path.extension().and_then(|e| e.to_str());
    let jsonl = kind == Some("jsonl");
    if !jsonl && kind != Some("csv") {
        return Ok(false);
    }
    let fresh = path.with_extension("scrub");
    let done = copy_without(path, &fresh, id, jsonl).and_then(|()| std::fs::rename(&fresh, path));
    if done.is_err() {
        let _ = std::fs::remove_file(&fresh);
    }
    done.map(|()| true)
}

fn copy_without(path: &Path, fresh: &Path, id: &str, jsonl: bool) -> std::io::Result<()> {
    let mut reader = BufReader::with_capacity(256 * 1024, File::open(path)?);
    let mut writer = BufWriter::with_capacity(256 * 1024, File::create(fresh)?);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        let found = tokens(&line, id.as_bytes());
        if found.is_empty() {
            writer.write_all(&line)?;
        } else if !jsonl {
            let mut at = 0;
            for start in found {
                writer.write_all(&line[at..start])?;
                at = start + id.len();
            }
            writer.write_all(&line[at..])?;
        }
    }
    writer.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// Where `id` starts in `line` as a whole token: not inside a longer word,
/// number, e-mail address or handle.
fn tokens(line: &[u8], id: &[u8]) -> Vec<usize> {
    let part_of_id = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@' | b'+');
    let mut out = Vec::new();
    if id.is_empty() || line.len() < id.len() {
        return out;
    }
    let mut i = 0;
    while i + id.len() <= line.len() {
        if &line[i..i + id.len()] == id
            && (i == 0 || !part_of_id(line[i - 1]))
            && line.get(i + id.len()).is_none_or(|&b| !part_of_id(b))
        {
            out.push(i);
            i += id.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(line: &str, id: &str, expect: &[usize]) {
        assert_eq!(tokens(line.as_bytes(), id.as_bytes()), expect, "{line:?} {id:?}");
    }

    #[test]
    fn ids_match_as_whole_tokens() {
        check("LP1,2023,C011689,SKU", "C011689", &[9]);
        check("{\"customer_id\":\"C011689\"}", "C011689", &[16]);
        check("C011689", "C011689", &[0]);
        check("C0116890,XC011689,C011689-2", "C011689", &[]);
        check("a@b.com,xa@b.com", "a@b.com", &[0]);
        check("C01168,C011689", "C011689", &[7]);
    }

    #[test]
    fn generated_files_are_scrubbed_and_others_listed() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        std::fs::create_dir_all(data.join("demo/ground_truth")).unwrap();
        std::fs::create_dir_all(data.join("tmp")).unwrap();
        std::fs::write(data.join("loupe.redb"), "C1").unwrap();
        std::fs::write(data.join("demo/orders.csv"), "order_id,customer_id\nO1,C1\nO2,C12\n").unwrap();
        std::fs::write(data.join("demo/events.jsonl"), "{\"c\":\"C1\"}\n{\"c\":\"C2\"}\n").unwrap();
        std::fs::write(data.join("demo/ground_truth/summary.json"), "{\"top\":\"C1\"}").unwrap();
        std::fs::write(data.join("demo/catalog.csv"), "handle\nring\n").unwrap();
        std::fs::write(data.join("tmp/upload-1"), "O1,C1\n").unwrap();

        let traces = scrub(data, &data.join("loupe.redb"), "C1");
        assert_eq!(traces.scrubbed, ["demo/events.jsonl", "demo/orders.csv"]);
        assert_eq!(traces.remaining, ["demo/ground_truth/summary.json", "tmp/upload-1"]);
        let read = |p: &str| std::fs::read_to_string(data.join(p)).unwrap();
        assert_eq!(read("demo/orders.csv"), "order_id,customer_id\nO1,\nO2,C12\n");
        assert_eq!(read("demo/events.jsonl"), "{\"c\":\"C2\"}\n");
        assert_eq!(read("tmp/upload-1"), "O1,C1\n");
        assert_eq!(read("loupe.redb"), "C1");
    }
}
