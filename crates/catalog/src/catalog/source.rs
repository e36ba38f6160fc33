//! Where rows come from: delimited text (CSV, TSV), JSON Lines, or an XML
//! feed. Each yields rows of (column name, value) with the line they start on,
//! or a report of a row it had to skip.

use std::io::{self, BufReader, Read};
use std::sync::Arc;

use quick_xml::events::Event;

use crate::records::{decode, Next, RecordReader, Skipped, MAX_RECORD_BYTES};
use crate::{Error, Result};

/// One input row. `names` is shared by all rows of a delimited file.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub line: u64,
    pub names: Arc<Vec<String>>,
    pub values: Vec<String>,
}

pub(crate) enum RowNext {
    Row(Row),
    /// `fields`: what the row split into, when it did (else empty).
    Bad {
        line: u64,
        message: String,
        fields: Vec<String>,
    },
    Eof,
}

pub(crate) enum Source<R: Read> {
    /// `keep_short`: a row with fewer fields than the header is returned as
    /// it is (shorter `values`) for the reader to realign or report, instead
    /// of being padded or skipped here.
    Delimited {
        rec: RecordReader<R>,
        header: Arc<Vec<String>>,
        warning: Option<(u64, String)>,
        keep_short: bool,
    },
    Jsonl {
        rec: RecordReader<R>,
        pending: Vec<Row>,
    },
    Xml(Box<XmlSource<R>>),
}

impl<R: Read> Source<R> {
    /// A delimited source; reads the header (the first non-empty record).
    pub(crate) fn delimited(reader: R, delimiter: Option<u8>) -> Result<Source<R>> {
        let mut rec = RecordReader::new(reader, Some(b','));
        let delim = match delimiter {
            Some(d) => d,
            None => crate::records::sniff_delimiter(rec.peek(64 * 1024)?),
        };
        rec.set_delimiter(Some(delim));
        let header = match rec.next()? {
            Next::Record(r) => r.fields,
            Next::Bad { line, message } => {
                return Err(Error::Encoding { line, message: format!("unreadable header: {message}") });
            }
            Next::Eof => return Err(Error::Empty),
        };
        let header: Vec<String> =
            header.into_iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_string()).collect();
        rec.set_width(header.len());
        Ok(Source::Delimited { rec, header: Arc::new(header), warning: None, keep_short: false })
    }

    /// Rows with fewer fields than the header come back unpadded (see
    /// `keep_short`); a reader that knows its columns decides what they are.
    pub(crate) fn keep_short_rows(&mut self) {
        if let Source::Delimited { keep_short, .. } = self {
            *keep_short = true;
        }
    }

    pub(crate) fn jsonl(reader: R) -> Source<R> {
        Source::Jsonl { rec: RecordReader::new(reader, None), pending: Vec::new() }
    }

    pub(crate) fn xml(reader: R) -> Source<R> {
        Source::Xml(Box::new(XmlSource::new(reader)))
    }

    pub(crate) fn header(&self) -> Option<&Arc<Vec<String>>> {
        match self {
            Source::Delimited { header, .. } => Some(header),
            _ => None,
        }
    }

    /// A problem with the row just returned that did not stop it being read.
    pub(crate) fn take_warning(&mut self) -> Option<(u64, String)> {
        match self {
            Source::Delimited { rec, warning, .. } => match (warning.take(), rec.take_warning()) {
                (Some((line, a)), Some((_, b))) => Some((line, format!("{b}; {a}"))),
                (a, b) => a.or(b),
            },
            Source::Jsonl { rec, .. } => rec.take_warning(),
            Source::Xml(_) => None,
        }
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        match self {
            Source::Delimited { rec, .. } | Source::Jsonl { rec, .. } => rec.bytes_read(),
            Source::Xml(x) => x.bytes_read(),
        }
    }

    /// The next readable row, with the bookkeeping every reader shares: each
    /// row read is counted in `rows_read`; an unreadable one is recorded in
    /// `skipped` as `bad_row` and passed over; a problem with a row that was
    /// still read is recorded as `bad_value`. `Ok(None)` at the end.
    pub(crate) fn next_row(&mut self, rows_read: &mut u64, skipped: &mut Skipped) -> Result<Option<Row>> {
        loop {
            match self.next()? {
                RowNext::Eof => return Ok(None),
                RowNext::Bad { line, message, fields } => {
                    *rows_read += 1;
                    skipped.push(line, None, message);
                    if !fields.is_empty() {
                        skipped.unread.push((line, fields));
                    }
                }
                RowNext::Row(row) => {
                    *rows_read += 1;
                    if let Some((line, message)) = self.take_warning() {
                        skipped.push_code("bad_value", line, None, message);
                    }
                    return Ok(Some(row));
                }
            }
        }
    }

    pub(crate) fn next(&mut self) -> Result<RowNext> {
        match self {
            Source::Delimited { rec, header, warning, keep_short } => match rec.next()? {
                Next::Record(mut r) => {
                    if *keep_short && r.fields.len() < header.len() && !r.fields.is_empty() {
                        return Ok(RowNext::Row(Row {
                            line: r.line,
                            names: header.clone(),
                            values: r.fields,
                        }));
                    }
                    if r.fields.len() < header.len() && r.fields.len() * 2 >= header.len() {
                        // Trailing columns missing (a cut-off line): keep
                        // what is there, leave the rest empty, and say so.
                        *warning = Some((
                            r.line,
                            format!("line {}: expected {} fields like the header, found {}; the missing trailing ones were left empty", r.line, header.len(), r.fields.len()),
                        ));
                        r.fields.resize(header.len(), String::new());
                    }
                    if r.fields.len() != header.len() {
                        // A row with a different field count is misaligned:
                        // guessing which value is which would corrupt data.
                        let mut message = format!(
                            "line {}: expected {} fields like the header, found {}; row skipped",
                            r.line,
                            header.len(),
                            r.fields.len()
                        );
                        if let Some((_, w)) = rec.take_warning() {
                            message = format!("{w}; {message}");
                        }
                        *warning = None;
                        return Ok(RowNext::Bad { line: r.line, message, fields: r.fields });
                    }
                    Ok(RowNext::Row(Row { line: r.line, names: header.clone(), values: r.fields }))
                }
                Next::Bad { line, message } => Ok(RowNext::Bad { line, message, fields: Vec::new() }),
                Next::Eof => Ok(RowNext::Eof),
            },
            Source::Jsonl { rec, pending } => {
                if let Some(row) = pending.pop() {
                    return Ok(RowNext::Row(row));
                }
                match rec.next()? {
                    Next::Record(r) => {
                        let text = r.fields.into_iter().next().unwrap_or_default();
                        match json_rows(&text, r.line) {
                            Ok(mut rows) => {
                                rows.reverse();
                                let first = rows.pop();
                                *pending = rows;
                                match first {
                                    Some(row) => Ok(RowNext::Row(row)),
                                    None => Ok(RowNext::Bad {
                                        line: r.line,
                                        message: "empty JSON object".into(),
                                        fields: Vec::new(),
                                    }),
                                }
                            }
                            Err(message) => Ok(RowNext::Bad { line: r.line, message, fields: Vec::new() }),
                        }
                    }
                    Next::Bad { line, message } => Ok(RowNext::Bad { line, message, fields: Vec::new() }),
                    Next::Eof => Ok(RowNext::Eof),
                }
            }
            Source::Xml(x) => x.next(),
        }
    }
}

/// A column added to the rows of a JSON object's `variants`, so that they
/// group into one product when no handle is mapped.
pub(crate) const GROUP_KEY: &str = "_loupe_group";

/// Rows of one JSON Lines object. Nested objects flatten to `a.b` keys; a
/// `variants` array yields one row per variant, each with the product's keys.
fn json_rows(text: &str, line: u64) -> std::result::Result<Vec<Row>, String> {
    let value: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("invalid JSON at column {}: {e}", e.column()))?;
    let serde_json::Value::Object(obj) = value else {
        return Err("expected a JSON object on each line".to_string());
    };
    let mut base: Vec<(String, String)> = Vec::new();
    let mut variants: Vec<&serde_json::Map<String, serde_json::Value>> = Vec::new();
    for (k, v) in &obj {
        if k == "variants" {
            if let serde_json::Value::Array(items) = v {
                variants.extend(items.iter().filter_map(|i| i.as_object()));
                continue;
            }
        }
        flatten(k, v, &mut base, 0);
    }
    let make = |pairs: Vec<(String, String)>| {
        let (names, values): (Vec<String>, Vec<String>) = pairs.into_iter().unzip();
        Row { line, names: Arc::new(names), values }
    };
    if variants.is_empty() {
        return Ok(vec![make(base)]);
    }
    // The variants of one object are one product even when nothing names it.
    base.push((GROUP_KEY.to_string(), format!("line-{line}")));
    Ok(variants
        .into_iter()
        .map(|v| {
            let mut pairs = base.clone();
            for (k, val) in v {
                let mut sub = Vec::new();
                flatten(k, val, &mut sub, 0);
                for (sk, sv) in sub {
                    match pairs.iter_mut().find(|(n, _)| *n == sk) {
                        Some(slot) => slot.1 = sv,
                        None => pairs.push((sk, sv)),
                    }
                }
            }
            make(pairs)
        })
        .collect())
}

fn flatten(key: &str, v: &serde_json::Value, out: &mut Vec<(String, String)>, depth: usize) {
    use serde_json::Value;
    match v {
        Value::Null => {}
        Value::String(s) => out.push((key.to_string(), s.clone())),
        Value::Bool(b) => out.push((key.to_string(), b.to_string())),
        Value::Number(n) => out.push((key.to_string(), n.to_string())),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|i| match i {
                    Value::String(s) => Some(s.clone()),
                    Value::Null => None,
                    other => Some(other.to_string()),
                })
                .collect();
            out.push((key.to_string(), parts.join(", ")));
        }
        Value::Object(map) if depth < 3 => {
            for (k, sub) in map {
                flatten(&format!("{key}.{k}"), sub, out, depth + 1);
            }
        }
        other => out.push((key.to_string(), other.to_string())),
    }
}

/// A reader that first replays bytes already read from `inner` (to sniff
/// the format) and then continues with `inner`.
pub(crate) struct Prefixed<R> {
    head: Vec<u8>,
    pos: usize,
    inner: R,
}

impl<R: Read> Prefixed<R> {
    pub(crate) fn new(inner: R) -> Prefixed<R> {
        Prefixed { head: Vec::new(), pos: 0, inner }
    }

    /// Reads up to `n` bytes ahead (fewer at the end of input) and returns them.
    pub(crate) fn fill_head(&mut self, n: usize) -> io::Result<&[u8]> {
        let mut chunk = vec![0; n];
        while self.head.len() < n {
            let got = match self.inner.read(&mut chunk[..n - self.head.len()]) {
                Ok(g) => g,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if got == 0 {
                break;
            }
            self.head.extend_from_slice(&chunk[..got]);
        }
        Ok(&self.head[self.pos..])
    }
}

impl<R: Read> Read for Prefixed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.head.len() {
            let n = (self.head.len() - self.pos).min(buf.len());
            buf[..n].copy_from_slice(&self.head[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

/// Fails a read when more than [`MAX_RECORD_BYTES`] pass without any `<` or
/// `>`: a 1 GB text node must not become a 1 GB allocation in the XML parser.
pub(crate) struct Capped<R> {
    inner: R,
    since_markup: usize,
    bytes: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        for &b in &buf[..n] {
            if b == b'<' || b == b'>' {
                self.since_markup = 0;
            } else {
                self.since_markup += 1;
            }
        }
        if self.since_markup > MAX_RECORD_BYTES {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("more than {} MiB of text without markup", MAX_RECORD_BYTES >> 20),
            ));
        }
        Ok(n)
    }
}

/// Items (`<item>` in RSS, `<entry>` in Atom) of a Google Merchant feed, each
/// as a row of its child elements (`g:` prefix dropped; nested elements'
/// text joined, as in `<g:shipping>`).
pub(crate) struct XmlSource<R: Read> {
    reader: quick_xml::Reader<BufReader<Capped<R>>>,
    buf: Vec<u8>,
    line: u64,
    done: bool,
}

impl<R: Read> XmlSource<R> {
    fn new(inner: R) -> XmlSource<R> {
        let capped = Capped { inner, since_markup: 0, bytes: 0 };
        let mut reader = quick_xml::Reader::from_reader(BufReader::new(capped));
        reader.config_mut().check_end_names = false;
        XmlSource { reader, buf: Vec::new(), line: 1, done: false }
    }

    fn bytes_read(&self) -> u64 {
        self.reader.get_ref().get_ref().bytes
    }

    fn err(&self, e: impl std::fmt::Display) -> Error {
        Error::Xml { position: self.reader.buffer_position(), message: e.to_string() }
    }

    fn next(&mut self) -> Result<RowNext> {
        if self.done {
            return Ok(RowNext::Eof);
        }
        // State within one item.
        let mut in_item = false;
        let mut item_line = 0;
        let mut depth = 0usize;
        let mut field: Option<String> = None;
        let mut names: Vec<String> = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut size = 0usize;
        let mut too_big = false;
        loop {
            self.buf.clear();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(e) => e,
                Err(e) => {
                    self.done = true;
                    return Err(self.err(e));
                }
            };
            let raw_newlines = |bytes: &[u8]| bytes.iter().filter(|&&b| b == b'\n').count() as u64;
            match event {
                Event::Start(e) => {
                    self.line += raw_newlines(&e);
                    let local = String::from_utf8_lossy(e.local_name().as_ref()).to_lowercase();
                    if !in_item {
                        if local == "item" || local == "entry" {
                            in_item = true;
                            item_line = self.line;
                            depth = 0;
                        }
                        continue;
                    }
                    depth += 1;
                    if depth == 1 {
                        field = Some(local);
                        names.push(field.clone().unwrap_or_default());
                        values.push(String::new());
                    }
                }
                Event::Empty(e) => {
                    self.line += raw_newlines(&e);
                    // `<link href="..."/>` in Atom.
                    if in_item && depth == 0 {
                        let local = String::from_utf8_lossy(e.local_name().as_ref()).to_lowercase();
                        if let Some(Ok(a)) = e
                            .attributes()
                            .flatten()
                            .find(|a| a.key.local_name().as_ref() == b"href")
                            .map(|a| std::str::from_utf8(&a.value).map(|s| s.to_string()))
                        {
                            names.push(local);
                            values.push(a);
                        }
                    }
                }
                Event::End(e) => {
                    let local = String::from_utf8_lossy(e.local_name().as_ref()).to_lowercase();
                    if !in_item {
                        continue;
                    }
                    if depth == 0 && (local == "item" || local == "entry") {
                        if too_big {
                            return Ok(RowNext::Bad {
                                line: item_line,
                                message: format!("item larger than {} MiB; skipped", MAX_RECORD_BYTES >> 20),
                                fields: Vec::new(),
                            });
                        }
                        for v in &mut values {
                            *v = v.trim().to_string();
                        }
                        return Ok(RowNext::Row(Row { line: item_line, names: Arc::new(names), values }));
                    }
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        field = None;
                    }
                }
                Event::Text(t) => {
                    let bytes = t.into_inner();
                    self.line += raw_newlines(&bytes);
                    if in_item && field.is_some() {
                        size += bytes.len();
                        if size > MAX_RECORD_BYTES {
                            too_big = true;
                        } else if let Some(v) = values.last_mut() {
                            if depth > 1 && !v.is_empty() && !v.ends_with(' ') {
                                v.push(' ');
                            }
                            v.push_str(&decode(&bytes));
                        }
                    }
                }
                Event::CData(t) => {
                    let bytes = t.into_inner();
                    self.line += raw_newlines(&bytes);
                    if in_item && field.is_some() {
                        size += bytes.len();
                        if size > MAX_RECORD_BYTES {
                            too_big = true;
                        } else if let Some(v) = values.last_mut() {
                            v.push_str(&decode(&bytes));
                        }
                    }
                }
                Event::GeneralRef(r) if in_item && field.is_some() => {
                    let name = decode(&r.into_inner());
                    let c = crate::normalize::html::entity(&name);
                    if let Some(v) = values.last_mut() {
                        match c {
                            Some(c) => v.push(c),
                            None => {
                                v.push('&');
                                v.push_str(&name);
                                v.push(';');
                            }
                        }
                    }
                }
                Event::Eof => {
                    self.done = true;
                    if in_item {
                        return Err(self.err("the file ends inside an <item>"));
                    }
                    return Ok(RowNext::Eof);
                }
                Event::Comment(c) => self.line += raw_newlines(&c),
                _ => {}
            }
        }
    }
}
