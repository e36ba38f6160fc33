//! The paging every list in the API shares: `limit`, and where to start, as
//! the opaque `cursor` the previous page handed out in `next_cursor` or, for
//! clients written before cursors, an `offset`. One place reads and documents
//! them, so that every list pages the same way.

use serde_json::{json, Value};

use super::Op;
use crate::error::ApiError;
use app::wire::http::Cursor;
use app::Code;

/// `limit` checked against `1..=max`, `default` when absent.
pub(crate) fn limit(limit: Option<usize>, default: usize, max: usize) -> Result<usize, ApiError> {
    let limit = limit.unwrap_or(default);
    if limit == 0 || limit > max {
        return Err(ApiError::bad_request(Code::InvalidQuery, format!("limit must be between 1 and {max}")));
    }
    Ok(limit)
}

/// Where the page starts: the `cursor`'s position, else `offset`, else 0.
/// Both at once would be ambiguous and are refused.
pub(crate) fn start(offset: Option<usize>, cursor: Option<&str>) -> Result<usize, ApiError> {
    match (offset, cursor.filter(|c| !c.is_empty())) {
        (Some(_), Some(_)) => {
            Err(ApiError::bad_request(Code::InvalidQuery, "give cursor or offset, not both"))
        }
        (_, Some(c)) => {
            Cursor::parse(c).map(|c| c.offset).map_err(|m| ApiError::bad_request(Code::InvalidQuery, m))
        }
        (offset, None) => Ok(offset.unwrap_or(0)),
    }
}

/// Documents `limit`, `cursor` and `offset` on `op` for a list of `what`.
pub(crate) fn document(op: Op, what: &str, default: usize, max: usize) -> Op {
    // `offset` is still read for older clients but not listed: it may not come
    // with `cursor`, which a parameter list cannot say, so generated clients
    // (and schemathesis) would send both.
    let op = op.note(&format!(
        "Paged: `limit` and `cursor` (the previous page's `next_cursor`). Older clients may send `offset` \
         ({what} to skip) instead of `cursor`, never both."
    ));
    op.query_int("limit", 1, max as i64, &format!("Page size, 1 to {max} (default {default}).")).query_with(
        "cursor",
        false,
        json!({"type": "string", "pattern": "^$|^6f313a(3[0-9]){1,20}$", "maxLength": 64}),
        "Opaque: the previous page's `next_cursor`, to get the page after it. Walking the cursors \
             visits every item once while the data does not change.",
    )
}

/// `{"items", "total", "limit", "offset", "next_cursor"}` with items of `item`.
pub(crate) fn schema(item: Value, total: &str) -> Value {
    json!({"type": "object", "required": ["items", "total", "limit", "offset", "next_cursor"], "properties": {
        "items": {"type": "array", "items": item},
        "total": {"type": "integer", "description": total},
        "limit": {"type": "integer"},
        "offset": {"type": "integer", "description": "Position of the first item in the whole list."},
        "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page."},
    }})
}

/// The page of `all` from `offset`, `limit` long, in the shape [`schema`] documents.
pub(crate) fn page<T: serde::Serialize>(all: Vec<T>, offset: usize, limit: usize) -> Value {
    let total = all.len();
    let items: Vec<T> = all.into_iter().skip(offset).take(limit).collect();
    let next = Cursor::after(offset, items.len(), total).map(|c| c.encode());
    json!({"items": items, "total": total, "limit": limit, "offset": offset, "next_cursor": next})
}
