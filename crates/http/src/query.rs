//! A query-string reader that keeps repeated keys (`map=a=b&map=c=d`), which
//! serde's URL-encoded deserializer cannot express.

use super::error::ApiError;
use app::Code;

/// `(key, value)` pairs in order, percent-decoded, `+` read as a space.
pub(crate) fn pairs(query: &str) -> Result<Vec<(String, String)>, ApiError> {
    query
        .split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            Ok((decode(key)?, decode(value)?))
        })
        .collect()
}

fn decode(text: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::bad_request(
            Code::InvalidQuery,
            format!("bad percent-encoding in the query string: {text:?}"),
        )
    };
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).ok_or_else(bad)?;
                let hex = std::str::from_utf8(hex).map_err(|_| bad())?;
                out.push(u8::from_str_radix(hex, 16).map_err(|_| bad())?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(query: &str, expect: Option<&[(&str, &str)]>) {
        let got = pairs(query).ok();
        let expect: Option<Vec<(String, String)>> =
            expect.map(|e| e.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        assert_eq!(got, expect, "query {query:?}");
    }

    #[test]
    fn reads_query_strings() {
        check("a=1&b=2", Some(&[("a", "1"), ("b", "2")]));
        check("map=a%3Db&map=c=d", Some(&[("map", "a=b"), ("map", "c=d")]));
        check("q=gold+ring&x", Some(&[("q", "gold ring"), ("x", "")]));
        check("q=%C3%A9t%C3%A9", Some(&[("q", "été")]));
        check("&&a=1&", Some(&[("a", "1")]));
        check("a=%2", None);
        check("a=%zz", None);
        check("a=%FF", None);
        check("a=%", None);
    }
}
