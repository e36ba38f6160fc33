//! Import formats and their detection from a file name and its first bytes.

use crate::{Error, Result};

/// The catalog formats `read_catalog` understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Shopify's product CSV export (several rows per product).
    Shopify,
    /// Google Merchant Center feed: TSV, or RSS 2.0 / Atom XML with the `g:` namespace.
    Google,
    /// Any CSV (or TSV, or semicolon-separated) file, with a column mapping.
    Csv,
    /// JSON Lines: one object per line, with a mapping.
    Jsonl,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Shopify => "shopify",
            Format::Google => "google",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
        }
    }

    /// Parses a `--format` value.
    pub fn parse(s: &str) -> Result<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "shopify" => Ok(Format::Shopify),
            "google" | "gmc" | "merchant" | "google-merchant" | "xml" | "tsv" => Ok(Format::Google),
            "csv" => Ok(Format::Csv),
            "jsonl" | "ndjson" | "json-lines" | "jsonlines" => Ok(Format::Jsonl),
            _ => Err(Error::UnknownFormat(s.chars().take(40).collect())),
        }
    }

    /// Guesses the format from a file name (if any) and the first bytes of
    /// the file (a few KiB is plenty). `None` when nothing looks familiar.
    pub fn detect(path_hint: Option<&str>, head: &[u8]) -> Option<Format> {
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let first = head.iter().copied().find(|b| !b.is_ascii_whitespace());
        let text = String::from_utf8_lossy(&head[..head.len().min(64 * 1024)]);
        let header = text.lines().next().unwrap_or("").to_ascii_lowercase();
        let ext = path_hint
            .and_then(|p| p.rsplit(['/', '\\']).next())
            .and_then(|name| name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()));
        let is_shopify =
            header.contains("handle") && (header.contains("variant sku") || header.contains("option1 name"));
        let is_google_tsv = header.contains('\t')
            && header.split('\t').any(|c| c.trim().trim_start_matches("g:") == "id")
            && header.split('\t').any(|c| {
                let c = c.trim().trim_start_matches("g:");
                c == "title" || c == "price" || c == "item_group_id" || c == "image_link"
            });
        match ext.as_deref() {
            Some("xml" | "rss") => return Some(Format::Google),
            Some("jsonl" | "ndjson") => return Some(Format::Jsonl),
            _ => {}
        }
        match first {
            Some(b'<') => return Some(Format::Google),
            Some(b'{') => return Some(Format::Jsonl),
            None => return None,
            _ => {}
        }
        if is_shopify {
            return Some(Format::Shopify);
        }
        if is_google_tsv {
            return Some(Format::Google);
        }
        // Text with a separator in its first line is a CSV of some kind; a
        // binary file (many control bytes) is nothing we know.
        let control = head.iter().take(4096).filter(|&&b| b < 0x09 || (0x0e..0x20).contains(&b)).count();
        if control > 0 {
            return None;
        }
        if header.contains(',') || header.contains('\t') || header.contains(';') {
            return Some(Format::Csv);
        }
        match ext.as_deref() {
            Some("csv" | "tsv" | "txt") => Some(Format::Csv),
            Some("json") => Some(Format::Jsonl),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(path: Option<&str>, head: &str, expect: Option<Format>) {
        assert_eq!(Format::detect(path, head.as_bytes()), expect, "{path:?} {head:?}");
    }

    #[test]
    fn detects_formats() {
        check(Some("p.csv"), "Handle,Title,Body (HTML),Option1 Name,Variant SKU\n", Some(Format::Shopify));
        check(None, "\u{feff}Handle,Title,Variant SKU\n", Some(Format::Shopify));
        check(Some("feed.xml"), "", Some(Format::Google));
        check(None, "<?xml version=\"1.0\"?><rss>", Some(Format::Google));
        check(None, "id\ttitle\tprice\n1\tRing\t10 USD\n", Some(Format::Google));
        check(Some("x.jsonl"), "", Some(Format::Jsonl));
        check(None, "{\"sku\":1}\n", Some(Format::Jsonl));
        check(Some("cartier.csv"), "ref,categorie,title\n", Some(Format::Csv));
        check(None, "\u{0}\u{1}\u{2}binary", None);
        check(None, "", None);
    }

    #[test]
    fn parses_format_names() {
        assert_eq!(Format::parse("Shopify").unwrap(), Format::Shopify);
        assert_eq!(Format::parse("jsonl").unwrap(), Format::Jsonl);
        assert!(Format::parse("excel").unwrap_err().to_string().contains("expected one of"));
    }
}
