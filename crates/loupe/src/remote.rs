//! The CLI beside a running server. redb lets one process open a store, so
//! while `loupe serve` (or `loupe demo`) holds a data directory, commands on
//! it send their work to that server over loopback instead of failing.
//!
//! The server records where it listens in `DATA/server.json` ([`Record`]),
//! with a token only readers of the data directory can see (the file is
//! mode 0600); the server accepts that token as an admin key, so imports
//! work when API keys are enforced. The record is written once the socket is
//! bound and removed on shutdown; a record left by a killed server is never
//! read, since the store is only locked while a server runs.
//!
//! The client is a minimal HTTP/1.1 one (one request per connection) over
//! `std::net`: loopback only, no TLS, JSON in and out.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use app::wire::http::ErrorBody;
use serde::{Deserialize, Serialize};

/// `DATA/server.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Record {
    /// A loopback address the server answers on.
    pub address: SocketAddr,
    pub pid: u32,
    /// Accepted as an admin key by this server process only.
    pub token: String,
}

impl Record {
    pub fn path(data: &Path) -> PathBuf {
        data.join("server.json")
    }

    /// Writes the record, readable by its owner only.
    pub fn write(&self, data: &Path) -> anyhow::Result<()> {
        let path = Record::path(data);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).with_context(|| format!("Failed to write {}", path.display()))?;
        file.write_all(serde_json::to_string(self)?.as_bytes())?;
        Ok(())
    }

    pub fn remove(data: &Path) {
        let _ = std::fs::remove_file(Record::path(data));
    }

    fn read(data: &Path) -> Option<Record> {
        serde_json::from_str(&std::fs::read_to_string(Record::path(data)).ok()?).ok()
    }
}

/// A running server that holds the data directory.
pub struct Server {
    record: Record,
}

/// An HTTP answer: status and body.
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Server {
    /// The server recorded in `data`, if it answers.
    pub fn find(data: &Path) -> Option<Server> {
        let record = Record::read(data)?;
        TcpStream::connect_timeout(&record.address, Duration::from_secs(2)).ok()?;
        Some(Server { record })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.record.address)
    }

    /// Tells the user, on stderr, that the command went through the server.
    pub fn announce(&self) {
        eprintln!("(through the running server at {}: it holds this data directory)", self.url());
    }

    pub fn get(&self, path: &str) -> anyhow::Result<Response> {
        self.request("GET", path, None, &mut std::io::empty(), 0)
    }

    /// `GET` that must answer 200 with JSON of type `T`.
    pub fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.get(path)?.json()
    }

    /// Every item of a paged list (`{"items", "total"}` with `limit` and
    /// `offset`), a thousand at a time.
    pub fn get_all<T: serde::de::DeserializeOwned>(&self, path: &str) -> anyhow::Result<Vec<T>> {
        #[derive(Deserialize)]
        struct Page<T> {
            items: Vec<T>,
            total: usize,
        }
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut out: Vec<T> = Vec::new();
        loop {
            let page: Page<T> = self.get_json(&format!("{path}{sep}limit=1000&offset={}", out.len()))?;
            let got = page.items.len();
            out.extend(page.items);
            if got == 0 || out.len() >= page.total {
                return Ok(out);
            }
        }
    }

    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: &mut dyn Read,
        len: u64,
    ) -> anyhow::Result<Response> {
        self.request("POST", path, Some(content_type), body, len)
    }

    /// `POST` (or `PUT`) of a JSON value that must answer 2xx with JSON of type `T`.
    pub fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        value: &impl serde::Serialize,
    ) -> anyhow::Result<T> {
        let body = serde_json::to_vec(value)?;
        self.request(method, path, Some("application/json"), &mut body.as_slice(), body.len() as u64)?.json()
    }

    pub fn delete(&self, path: &str) -> anyhow::Result<Response> {
        self.request("DELETE", path, None, &mut std::io::empty(), 0)
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &mut dyn Read,
        len: u64,
    ) -> anyhow::Result<Response> {
        let fail = || format!("Failed to reach the server at {}", self.url());
        let mut stream =
            TcpStream::connect_timeout(&self.record.address, Duration::from_secs(5)).with_context(fail)?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept: application/json\r\nConnection: close\r\nContent-Length: {len}\r\n",
            self.record.address, self.record.token
        );
        if let Some(ct) = content_type {
            head.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        head.push_str("\r\n");
        let mut writer = std::io::BufWriter::new(&mut stream);
        let sent = writer
            .write_all(head.as_bytes())
            .and_then(|()| std::io::copy(body, &mut writer))
            .and_then(|_| writer.flush());
        drop(writer);
        // A server may answer before it has read the whole body (a file over
        // its limit: 413) and close the connection: its answer says more
        // than the broken pipe does.
        match (read_response(BufReader::new(stream)), sent) {
            (Ok(response), _) => Ok(response),
            (Err(_), Err(send_error)) => Err(anyhow::Error::new(send_error)).with_context(fail),
            (Err(read_error), Ok(())) => Err(read_error).with_context(fail),
        }
    }
}

impl Response {
    /// The body as `T` when the status is 2xx; else the server's error.
    pub fn json<T: serde::de::DeserializeOwned>(self) -> anyhow::Result<T> {
        if !(200..300).contains(&self.status) {
            return Err(self.error());
        }
        serde_json::from_slice(&self.body).context("The server's answer did not decode")
    }

    /// The server's `{"code", "message"}` as an [`app::Error`], so that
    /// the exit code follows the same table as a local run.
    pub fn error(&self) -> anyhow::Error {
        match serde_json::from_slice::<ErrorBody>(&self.body) {
            Ok(e) => {
                let code = app::Code::parse(&e.code).unwrap_or(app::Code::Internal);
                app::Error::new(code, e.message).into()
            }
            Err(_) => anyhow::anyhow!("the server answered {} without an error body", self.status),
        }
    }
}

/// Reads a status line, headers and a body (by length, chunked, or to EOF).
fn read_response(mut r: impl BufRead) -> anyhow::Result<Response> {
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let (mut length, mut chunked) = (None, false);
    loop {
        line.clear();
        if r.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked")
            {
                chunked = true;
            }
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            line.clear();
            r.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            if size == 0 {
                break;
            }
            let start = body.len();
            body.resize(start + size, 0);
            r.read_exact(&mut body[start..])?;
            line.clear();
            r.read_line(&mut line)?;
        }
    } else if let Some(n) = length {
        body.resize(n, 0);
        r.read_exact(&mut body)?;
    } else {
        r.read_to_end(&mut body)?;
    }
    Ok(Response { status, body })
}

/// Percent-encodes a query-string value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_length_chunked_and_eof_bodies() {
        let r = read_response(&b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"[..]).unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));
        let r = read_response(
            &b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                [..],
        )
        .unwrap();
        assert_eq!((r.status, r.body.as_slice()), (404, &b"abcde"[..]));
        let r = read_response(&b"HTTP/1.1 202 Accepted\r\n\r\nrest"[..]).unwrap();
        assert_eq!(r.body, b"rest");
        assert!(read_response(&b"garbage\r\n\r\n"[..]).is_err());
    }

    #[test]
    fn errors_keep_their_code() {
        let r = Response {
            status: 400,
            body: br#"{"code":"invalid_import","message":"line 2: no title"}"#.to_vec(),
        };
        let err = r.error();
        let app_err = err.downcast_ref::<app::Error>().unwrap();
        assert_eq!(app_err.code, app::Code::InvalidImport);
        assert_eq!(app_err.message, "line 2: no title");
    }

    #[test]
    fn encodes_query_values() {
        assert_eq!(encode("rose gold & co"), "rose%20gold%20%26%20co");
        assert_eq!(encode("été"), "%C3%A9t%C3%A9");
    }
}
