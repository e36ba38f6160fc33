//! The storefront's visitor id: a first-party cookie (`loupe_vid`) that outlives sessions, so
//! that an experiment shows a visitor the same variation on every visit and their later events
//! (which `app.js` tags with the same id) count toward that variation. It holds a random id and
//! nothing else; it is only set when an experiment needs it.

use axum::http::{header, HeaderMap, HeaderValue};

use app::wire::experiments::Visitor;

pub(crate) const COOKIE: &str = "loupe_vid";

/// The visitor behind a request, and the `Set-Cookie` to send when they had no id yet.
pub(crate) struct VisitorCookie {
    pub visitor: Visitor,
    pub set_cookie: Option<HeaderValue>,
}

fn valid(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().to_string())
        .filter(|v| valid(v))
}

fn new_id() -> String {
    let mut bytes = [0u8; 12];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No randomness: the visitor goes without an id (and sees every control).
        return String::new();
    }
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("v-{hex}")
}

/// `mobile`, `tablet` or `desktop`, from the User-Agent.
fn device(headers: &HeaderMap) -> Option<String> {
    let ua = headers.get(header::USER_AGENT)?.to_str().ok()?;
    Some(
        if ua.contains("iPad") || ua.contains("Tablet") {
            "tablet"
        } else if ua.contains("Mobi") || ua.contains("Android") {
            "mobile"
        } else {
            "desktop"
        }
        .to_string(),
    )
}

/// The country a CDN or proxy in front of Loupe states (`CF-IPCountry`, `X-Country-Code`).
fn country(headers: &HeaderMap) -> Option<String> {
    ["cf-ipcountry", "x-country-code"]
        .iter()
        .filter_map(|h| headers.get(*h)?.to_str().ok())
        .map(|c| c.trim().to_uppercase())
        .find(|c| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()))
}

pub(crate) fn from_headers(headers: &HeaderMap) -> VisitorCookie {
    let known = cookie_value(headers);
    let returning = known.is_some();
    let id = known.unwrap_or_else(new_id);
    let set_cookie = (!returning && !id.is_empty())
        .then(|| {
            HeaderValue::from_str(&format!("{COOKIE}={id}; Path=/; Max-Age=31536000; SameSite=Lax")).ok()
        })
        .flatten();
    VisitorCookie {
        visitor: Visitor {
            id,
            returning: Some(returning),
            device: device(headers),
            country: country(headers),
        },
        set_cookie,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn a_known_visitor_keeps_their_id_and_a_new_one_gets_a_cookie() {
        let known = from_headers(&headers(&[("cookie", "a=1; loupe_vid=v-0123456789ab; b=2")]));
        assert_eq!(known.visitor.id, "v-0123456789ab");
        assert_eq!(known.visitor.returning, Some(true));
        assert!(known.set_cookie.is_none());
        let fresh = from_headers(&headers(&[(
            "user-agent",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148",
        )]));
        assert_eq!(fresh.visitor.returning, Some(false));
        assert_eq!(fresh.visitor.device.as_deref(), Some("mobile"));
        let cookie = fresh.set_cookie.unwrap();
        assert!(cookie.to_str().unwrap().starts_with(&format!("loupe_vid={}", fresh.visitor.id)));
        // A forged or broken cookie is replaced, not trusted.
        let forged = from_headers(&headers(&[("cookie", "loupe_vid=<script>")]));
        assert!(forged.set_cookie.is_some() && forged.visitor.id.starts_with("v-"));
    }
}
