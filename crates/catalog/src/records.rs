//! A streaming, memory-bounded CSV/TSV/line splitter that survives bad input.
//!
//! Written here rather than taken from the `csv` crate because imports need
//! three things it does not give together: a hard cap on record length (a
//! 1 GB line must not become a 1 GB allocation), recovery from an unclosed
//! quote (skip that line and resynchronise on the next one instead of
//! swallowing the rest of the file), and per-record decoding (UTF-8, falling
//! back to Windows-1252 for records that are not valid UTF-8).
//!
//! A quote left open swallows the lines after it. At the end of the file
//! that is plain (the quote never closes: skip its line, read the rest
//! again). Inside the file the next row's own quotes close it, and the record
//! that comes out has shifted fields. Such a record is caught by two signs
//! together: text right after a closing quote (`"<p>x` where `",` belongs),
//! which a CSV writer never produces, and a continuation line that parses on
//! its own as a well-formed row about as wide as the header. Ordinary
//! multi-line fields (Shopify's Body HTML) show neither, so they are read as
//! they are.

use std::io::{self, Read};

use model::QualityIssue;

use crate::{Error, Result};

/// Longest record accepted; longer ones are skipped and reported.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// How many skipped-row issues a reader keeps (it counts all of them).
pub const MAX_SKIPPED_KEPT: usize = 1000;

const CHUNK: usize = 64 * 1024;

/// One parsed record: its fields and the (1-based) line where it starts.
#[derive(Debug, Default)]
pub(crate) struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

/// What `RecordReader::next` found.
pub(crate) enum Next {
    Record(Record),
    /// A record that could not be read; the reader has moved past it.
    Bad {
        line: u64,
        message: String,
    },
    Eof,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

pub(crate) struct RecordReader<R> {
    inner: R,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    /// Bytes to read again before `buf` (after an unclosed quote).
    replay: Vec<u8>,
    replay_pos: usize,
    inner_eof: bool,
    started: bool,
    /// `None`: one field per line (JSON Lines).
    delimiter: Option<u8>,
    /// Fields in the header, once known (0 before): what a row looks like.
    width: usize,
    line: u64,
    bytes_read: u64,
    // The record being assembled.
    raw: Vec<u8>,
    field_bytes: Vec<u8>,
    field_ends: Vec<usize>,
    /// A problem with the last record that did not stop it from being read.
    warning: Option<(u64, String)>,
}

impl<R: Read> RecordReader<R> {
    pub(crate) fn new(inner: R, delimiter: Option<u8>) -> RecordReader<R> {
        RecordReader {
            inner,
            buf: vec![0; CHUNK],
            pos: 0,
            end: 0,
            replay: Vec::new(),
            replay_pos: 0,
            inner_eof: false,
            started: false,
            delimiter,
            width: 0,
            line: 1,
            bytes_read: 0,
            raw: Vec::new(),
            field_bytes: Vec::new(),
            field_ends: Vec::new(),
            warning: None,
        }
    }

    /// The warning about the record just returned, if any.
    pub(crate) fn take_warning(&mut self) -> Option<(u64, String)> {
        self.warning.take()
    }

    pub(crate) fn set_delimiter(&mut self, delimiter: Option<u8>) {
        self.delimiter = delimiter;
    }

    /// The header's field count, which lets the reader tell a line that
    /// reads as a row of its own inside a runaway quoted field.
    pub(crate) fn set_width(&mut self, width: usize) {
        self.width = width;
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Peeks at the start of the stream (up to `n` bytes) without consuming
    /// it, after the BOM. Used to sniff the delimiter.
    pub(crate) fn peek(&mut self, n: usize) -> Result<&[u8]> {
        self.start()?;
        while self.end - self.pos < n && !self.inner_eof {
            if self.pos > 0 {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
            }
            if self.end == self.buf.len() {
                self.buf.resize(self.buf.len() * 2, 0);
            }
            let got = read_retrying(&mut self.inner, &mut self.buf[self.end..])?;
            if got == 0 {
                self.inner_eof = true;
            }
            self.end += got;
            self.bytes_read += got as u64;
        }
        Ok(&self.buf[self.pos..self.end.min(self.pos + n)])
    }

    fn start(&mut self) -> Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        while self.end < 4 && !self.inner_eof {
            let got = read_retrying(&mut self.inner, &mut self.buf[self.end..])?;
            if got == 0 {
                self.inner_eof = true;
            }
            self.end += got;
            self.bytes_read += got as u64;
        }
        let head = &self.buf[..self.end];
        if head.starts_with(b"\xEF\xBB\xBF") {
            self.pos = 3;
        } else if looks_utf16(head) {
            return Err(Error::Encoding { line: 1, message: UTF16_MESSAGE.to_string() });
        }
        Ok(())
    }

    /// Makes bytes available; returns false at the end of input.
    fn fill(&mut self) -> Result<bool> {
        if self.replay_pos < self.replay.len() || self.pos < self.end {
            return Ok(true);
        }
        if !self.replay.is_empty() {
            self.replay.clear();
            self.replay_pos = 0;
        }
        if self.inner_eof {
            return Ok(false);
        }
        self.pos = 0;
        self.end = 0;
        let got = read_retrying(&mut self.inner, &mut self.buf)?;
        self.bytes_read += got as u64;
        if got == 0 {
            self.inner_eof = true;
            return Ok(false);
        }
        self.end = got;
        Ok(true)
    }

    /// The next record, a report of a bad one, or the end.
    pub(crate) fn next(&mut self) -> Result<Next> {
        self.start()?;
        loop {
            match self.scan()? {
                Next::Record(r) if r.fields.len() == 1 && r.fields[0].trim().is_empty() => continue,
                other => return Ok(other),
            }
        }
    }

    fn scan(&mut self) -> Result<Next> {
        self.raw.clear();
        self.field_bytes.clear();
        self.field_ends.clear();
        let start_line = self.line;
        let mut state = State::FieldStart;
        let quoting = self.delimiter.is_some();
        let delim = self.delimiter.unwrap_or(b'\n');
        // Signs of a runaway quote (see the module docs): where the current
        // continuation line starts in `raw`, whether one so far read as a
        // row of its own, and whether text followed a closing quote.
        let mut continuation: Option<usize> = None;
        let mut row_shaped = false;
        let mut malformed = false;
        loop {
            if !self.fill()? {
                // End of input.
                if self.raw.is_empty() {
                    return Ok(Next::Eof);
                }
                if let Some(from) = continuation.filter(|_| state != State::Quoted) {
                    if malformed && (row_shaped || row_shaped_line(&self.raw[from..], delim, self.width)) {
                        return Ok(self.swallowed(start_line));
                    }
                }
                if state == State::Quoted {
                    // A file cut off inside its last field (a truncated
                    // export): keep what is there rather than lose the row.
                    let first_nl = self.raw.iter().position(|&b| b == b'\n');
                    let rest_blank =
                        first_nl.is_none_or(|nl| self.raw[nl..].iter().all(u8::is_ascii_whitespace));
                    if rest_blank {
                        // Trim the cut-off field only, never into the fields before it.
                        let field_start = self.field_ends.last().copied().unwrap_or(0);
                        while self.field_bytes.len() > field_start
                            && self.field_bytes.last().is_some_and(u8::is_ascii_whitespace)
                        {
                            self.field_bytes.pop();
                        }
                        self.warning = Some((
                            start_line,
                            format!("line {start_line}: a quoted field is not closed before the end of the file (truncated export?); read to the end of the line"),
                        ));
                        return Ok(Next::Record(self.finish(start_line)));
                    }
                    return Ok(self.unclosed_quote(start_line));
                }
                return Ok(Next::Record(self.finish(start_line)));
            }
            let from_replay = self.replay_pos < self.replay.len();
            let chunk: &[u8] =
                if from_replay { &self.replay[self.replay_pos..] } else { &self.buf[self.pos..self.end] };
            let mut consumed = 0;
            let mut done = false;
            let mut swallowed = false;
            for &b in chunk {
                consumed += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                self.raw.push(b);
                match state {
                    State::FieldStart | State::Unquoted => {
                        if b == b'\n' || b == b'\r' {
                            done = true;
                        } else if quoting && b == delim {
                            self.field_ends.push(self.field_bytes.len());
                            state = State::FieldStart;
                        } else if quoting && b == b'"' && state == State::FieldStart {
                            state = State::Quoted;
                        } else {
                            self.field_bytes.push(b);
                            state = State::Unquoted;
                        }
                    }
                    State::Quoted => {
                        if b == b'"' {
                            state = State::QuoteInQuoted;
                        } else {
                            self.field_bytes.push(b);
                        }
                    }
                    State::QuoteInQuoted => {
                        if b == b'"' {
                            self.field_bytes.push(b'"');
                            state = State::Quoted;
                        } else if b == delim {
                            self.field_ends.push(self.field_bytes.len());
                            state = State::FieldStart;
                        } else if b == b'\n' || b == b'\r' {
                            done = true;
                        } else {
                            // `"abc"def`: keep the stray text rather than lose it.
                            self.field_bytes.push(b);
                            state = State::Unquoted;
                            malformed = true;
                        }
                    }
                }
                // A line of a multi-line record ends: check it for the signs
                // of a runaway quote.
                if (b == b'\n' || done) && quoting {
                    if let Some(from) = continuation {
                        let line = &self.raw[from..self.raw.len() - 1];
                        row_shaped |= row_shaped_line(line, delim, self.width);
                    }
                    if malformed && row_shaped {
                        swallowed = true;
                        break;
                    }
                    continuation = Some(self.raw.len());
                }
                if done || self.raw.len() >= MAX_RECORD_BYTES {
                    break;
                }
            }
            if from_replay {
                self.replay_pos += consumed;
            } else {
                self.pos += consumed;
            }
            if swallowed {
                return Ok(self.swallowed(start_line));
            }
            if done {
                return Ok(Next::Record(self.finish(start_line)));
            }
            if self.raw.len() >= MAX_RECORD_BYTES {
                if state == State::Quoted && self.raw.contains(&b'\n') {
                    return Ok(self.unclosed_quote(start_line));
                }
                return self.skip_long_line(start_line);
            }
        }
    }

    /// Drops the rest of an over-long line and reports it.
    fn skip_long_line(&mut self, start_line: u64) -> Result<Next> {
        let last = self.raw.last().copied();
        if last != Some(b'\n') {
            'outer: while self.fill()? {
                let from_replay = self.replay_pos < self.replay.len();
                let chunk: &[u8] =
                    if from_replay { &self.replay[self.replay_pos..] } else { &self.buf[self.pos..self.end] };
                let (consumed, found) = match chunk.iter().position(|&b| b == b'\n') {
                    Some(i) => (i + 1, true),
                    None => (chunk.len(), false),
                };
                if from_replay {
                    self.replay_pos += consumed;
                } else {
                    self.pos += consumed;
                }
                if found {
                    self.line += 1;
                    break 'outer;
                }
            }
        }
        self.raw.clear();
        Ok(Next::Bad {
            line: start_line,
            message: format!("longer than {} MiB; skipped", MAX_RECORD_BYTES >> 20),
        })
    }

    /// A quoted field ran into a line that reads as a row of its own (see
    /// the module docs): report the record's first line and read everything
    /// after it again with fresh state.
    fn swallowed(&mut self, start_line: u64) -> Next {
        let next = start_line + 1;
        match self.unclosed_quote(start_line) {
            Next::Bad { line, .. } => Next::Bad {
                line,
                message: format!("a quoted field is not closed before line {next}, which reads as a row of its own (missing '\"'?); line {start_line} skipped, reading on from line {next}"),
            },
            other => other,
        }
    }

    /// A quote opened and never closed: report the record's first line and
    /// read everything after it again with fresh state.
    fn unclosed_quote(&mut self, start_line: u64) -> Next {
        let first_nl = self.raw.iter().position(|&b| b == b'\n');
        if let Some(nl) = first_nl {
            let mut again: Vec<u8> = self.raw[nl + 1..].to_vec();
            again.extend_from_slice(&self.replay[self.replay_pos..]);
            self.replay = again;
            self.replay_pos = 0;
            self.line = start_line + 1;
        }
        self.raw.clear();
        Next::Bad {
            line: start_line,
            message: "a quoted field is never closed (missing '\"'); line skipped".to_string(),
        }
    }

    fn finish(&mut self, start_line: u64) -> Record {
        self.field_ends.push(self.field_bytes.len());
        let mut fields = Vec::with_capacity(self.field_ends.len());
        let whole = std::str::from_utf8(&self.field_bytes).ok();
        let mut begin = 0;
        for &end in &self.field_ends {
            let bytes = &self.field_bytes[begin..end];
            let text = match whole.and_then(|w| w.get(begin..end)) {
                Some(s) => s.to_string(),
                None => decode(bytes),
            };
            fields.push(text);
            begin = end;
        }
        // A lone `\r` before `\n` ends the record; the `\n` then yields an
        // empty record that `next` drops.
        Record { line: start_line, fields }
    }
}

/// Whether `line` (one physical line, without its newline) parses on its own
/// as a well-formed record with about as many fields as the header (`width`;
/// 0 when unknown, and narrow files are not judged: any line of text would do).
fn row_shaped_line(line: &[u8], delim: u8, width: usize) -> bool {
    if width < 3 {
        return false;
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut fields = 1;
    let mut state = State::FieldStart;
    for &b in line {
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) => State::Quoted,
            (State::QuoteInQuoted, b'"') | (State::FieldStart, b'"') => State::Quoted,
            (State::Unquoted, b'"') => return false,
            (_, b) if b == delim => {
                fields += 1;
                State::FieldStart
            }
            (State::QuoteInQuoted, _) => return false,
            _ => State::Unquoted,
        };
    }
    state != State::Quoted && fields + 1 >= width && fields <= width && fields >= 3
}

/// What every reader says of a UTF-16 file.
pub const UTF16_MESSAGE: &str = "the file is UTF-16; expected UTF-8 (or Latin-1): re-export or convert it";

/// Whether the first bytes of a file are UTF-16: a byte-order mark, or (with
/// none) mostly text whose every other byte is zero, as UTF-16 ASCII is.
pub fn looks_utf16(head: &[u8]) -> bool {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return true;
    }
    let pairs = head.len().min(1024) / 2;
    if pairs < 2 {
        return false;
    }
    let zeros = |parity: usize| (0..pairs).filter(|i| head[2 * i + parity] == 0).count();
    let (even, odd) = (zeros(0), zeros(1));
    // Nearly all of one half zero, nearly none of the other.
    (even * 4 >= pairs * 3 && odd * 8 < pairs) || (odd * 4 >= pairs * 3 && even * 8 < pairs)
}

/// UTF-8 if valid, else Windows-1252 (a superset of Latin-1 for printable text).
pub(crate) fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes).0.into_owned(),
    }
}

fn read_retrying<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Collects skipped-row issues (and `bad_value` notes about rows that were
/// kept), keeping the first [`MAX_SKIPPED_KEPT`].
#[derive(Debug, Default)]
pub(crate) struct Skipped {
    pub kept: Vec<QualityIssue>,
    /// Rows skipped (`bad_row`), kept in the list or not.
    pub total: u64,
    /// Every problem pushed (skipped rows and rows read despite a problem),
    /// and the line of the last: a catalog reader compares it between rows
    /// to learn that a product's rows were not all read whole.
    pub events: u64,
    pub last_line: u64,
    /// The line of the last row skipped (`bad_row`), which reports name
    /// before a later row that was read despite a problem.
    pub last_skipped_line: u64,
    /// Rows skipped whose fields could still be split (a row with the wrong
    /// field count): (line, fields). The catalog reader reads the handle
    /// out of them, so that the product they belonged to is protected
    /// wherever its other rows are. Drained by the reader as it goes.
    pub unread: Vec<(u64, Vec<String>)>,
}

impl Skipped {
    pub(crate) fn push(&mut self, line: u64, field: Option<&str>, message: impl Into<String>) {
        self.push_code("bad_row", line, field, message);
    }

    /// A problem in a row that was kept (code `bad_value`).
    pub(crate) fn push_code(
        &mut self,
        code: &str,
        line: u64,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        if code == "bad_row" {
            self.total += 1;
            self.last_skipped_line = line;
        }
        self.events += 1;
        self.last_line = line;
        if self.kept.len() < MAX_SKIPPED_KEPT {
            let message = message.into();
            // Every message names its line, whoever wrote it.
            let message =
                if message.starts_with("line ") { message } else { format!("line {line}: {message}") };
            self.kept.push(QualityIssue {
                code: code.to_string(),
                message,
                line: Some(line),
                field: field.map(str::to_string),
            });
        }
    }
}

/// Picks the delimiter of a delimited text file from its first line.
pub(crate) fn sniff_delimiter(head: &[u8]) -> u8 {
    let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..line_end];
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (comma, tab, semi) = (count(b','), count(b'\t'), count(b';'));
    if tab > comma && tab >= semi {
        b'\t'
    } else if semi > comma {
        b';'
    } else {
        b','
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &[u8], delim: Option<u8>) -> Vec<String> {
        let mut r = RecordReader::new(input, delim);
        let mut out = Vec::new();
        loop {
            let Ok(next) = r.next() else {
                out.push("error".to_string());
                return out;
            };
            match next {
                Next::Record(rec) => out.push(format!("{}:{}", rec.line, rec.fields.join("|"))),
                Next::Bad { line, message } => out.push(format!("{line}!{message}")),
                Next::Eof => return out,
            }
        }
    }

    #[track_caller]
    fn check(input: &str, expect: &[&str]) {
        assert_eq!(read_all(input.as_bytes(), Some(b',')), expect, "{input:?}");
    }

    #[test]
    fn splits_csv() {
        check("a,b\n1,2\n", &["1:a|b", "2:1|2"]);
        check("\u{feff}a,b\r\n1,\"x,\"\"y\"\"\"\r\n", &["1:a|b", "2:1|x,\"y\""]);
        check("a\n\"multi\nline\",2\nz", &["1:a", "2:multi\nline|2", "4:z"]);
        check("a,5\" chain,b\n", &["1:a|5\" chain|b"]);
        check("\"ab\"cd,e\n", &["1:abcd|e"]);
        check("\n\n", &[]);
    }

    #[test]
    fn recovers_from_an_unclosed_quote() {
        check(
            "h1,h2\n\"oops,1\nok,2\nok,3\n",
            &["1:h1|h2", "2!a quoted field is never closed (missing '\"'); line skipped", "3:ok|2", "4:ok|3"],
        );
    }

    /// Reads records after a header of `width` fields, as `Source` does.
    #[track_caller]
    fn check_rows(input: &str, width: usize, expect: &[&str]) {
        let mut r = RecordReader::new(input.as_bytes(), Some(b','));
        r.set_width(width);
        let mut out = Vec::new();
        loop {
            match r.next().unwrap() {
                Next::Record(rec) => out.push(format!("{}:{}", rec.line, rec.fields.join("|"))),
                Next::Bad { line, .. } => out.push(format!("{line}!")),
                Next::Eof => break,
            }
        }
        assert_eq!(out, expect, "{input:?}");
    }

    #[test]
    fn resynchronises_after_a_quote_that_swallows_a_row() {
        // The next row's own quote closes the runaway one: a row of shifted
        // fields came out, and the next row was lost.
        check_rows("a,\",,,\nb,x,\"<p>y</p>\",z\nc,1,2,3\n", 4, &["1!", "2:b|x|<p>y</p>|z", "3:c|1|2|3"]);
        // Multi-line HTML with commas on its lines is one field.
        check_rows(
            "a,\"<p>one, two, three\nfour, five, six</p>\",x,y\nb,1,2,3\n",
            4,
            &["1:a|<p>one, two, three\nfour, five, six</p>|x|y", "3:b|1|2|3"],
        );
        // Without a header width, nothing is judged.
        check_rows("a,\",,,\nb,x,\"<p>y</p>\",z\n", 0, &["1:a|,,,\nb,x,<p>y</p>\"|z"]);
        // A runaway quote whose next line is no row (too few fields) is left alone.
        check_rows("a,\"b\nc\"d,e,f\n", 4, &["1:a|b\ncd|e|f"]);
    }

    #[test]
    fn skips_over_long_lines() {
        let mut input = b"h\n".to_vec();
        input.extend(std::iter::repeat_n(b'x', MAX_RECORD_BYTES + 10));
        input.extend_from_slice(b"\nafter\n");
        let got = read_all(&input, Some(b','));
        assert_eq!(got, vec!["1:h".to_string(), "2!longer than 1 MiB; skipped".into(), "3:after".into()]);
        // An unclosed quote with no newline within the cap is a long line too.
        let mut input = b"\"".to_vec();
        input.extend(std::iter::repeat_n(b'y', MAX_RECORD_BYTES + 10));
        input.extend_from_slice(b"\nafter\n");
        let got = read_all(&input, Some(b','));
        assert_eq!(got, vec!["1!longer than 1 MiB; skipped".to_string(), "2:after".into()]);
    }

    #[test]
    fn decodes_latin1_records() {
        let got = read_all(b"name\nWei\xdfgold\nRos\xc3\xa9\n", Some(b','));
        assert_eq!(got, vec!["1:name", "2:Weißgold", "3:Rosé"]);
    }

    #[test]
    fn a_cut_off_quoted_field_after_blank_fields() {
        // Regression: trimming the cut-off field ran into the field before it.
        check("a,b\n\" \",\"\n", &["1:a|b", "2: |"]);
    }

    #[test]
    fn rejects_utf16() {
        let mut r = RecordReader::new(&b"\xFF\xFEa\x00"[..], Some(b','));
        assert!(r.next().is_err());
        // Without a byte-order mark too, either byte order.
        let le: Vec<u8> = "a,b\n1,2\n".bytes().flat_map(|b| [b, 0]).collect();
        let be: Vec<u8> = "a,b\n1,2\n".bytes().flat_map(|b| [0, b]).collect();
        for bytes in [le, be] {
            let mut r = RecordReader::new(&bytes[..], Some(b','));
            assert!(r.next().err().unwrap().to_string().contains("UTF-16"));
        }
        assert!(!looks_utf16(b"a,b\n1,2\n"));
        assert!(!looks_utf16(b"\0"));
    }

    #[test]
    fn sniffs_delimiters() {
        assert_eq!(sniff_delimiter(b"a\tb\tc,d\n"), b'\t');
        assert_eq!(sniff_delimiter(b"a;b;c\n"), b';');
        assert_eq!(sniff_delimiter(b"a,b\n"), b',');
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let _ = read_all(&bytes, Some(b','));
            let _ = read_all(&bytes, None);
        }
    }
}
