//! The crate's one error type. Messages name the file line, the column and
//! what was expected; the caller adds the file name.

use std::io;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can make an import fail as a whole. Rows that are merely bad are not
/// errors: readers skip them and report them through `skipped()`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the underlying stream failed.
    #[error("read failed: {0}")]
    Io(#[from] io::Error),
    /// `--format` named no known format.
    #[error("unknown format {0:?}: expected one of shopify, google, csv, jsonl")]
    UnknownFormat(String),
    /// A `--map target=source` pair is malformed or names an unknown target.
    #[error("bad mapping {pair:?}: {reason}")]
    BadMapping { pair: String, reason: String },
    /// The header lacks a column the format or the mapping needs.
    #[error("line {line}: no column {column:?} ({why}); the header has: {header}")]
    MissingColumn { line: u64, column: String, why: String, header: String },
    /// The input has no header or no data at all.
    #[error("the file is empty: expected a header line")]
    Empty,
    /// The bytes are in an encoding the readers do not decode.
    #[error("line {line}: {message}")]
    Encoding { line: u64, message: String },
    /// The XML feed is malformed; XML cannot be resynchronised, so the import stops.
    #[error("byte {position}: malformed XML: {message}")]
    Xml { position: u64, message: String },
    /// A vocabulary file is not valid.
    #[error("vocabulary: {0}")]
    Vocabulary(String),
}
