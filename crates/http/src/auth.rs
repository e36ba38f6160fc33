//! API keys: who may call what.
//!
//! Every route is registered with an [`Access`] level (see `routes::Area`), so
//! there is no route that forgot to say who may call it:
//! - `Open`: anyone (`/health`, `/openapi.json`, the storefront).
//! - `Public(scope)`: a key holding that scope (`catalog:read`, `search`,
//!   `recs`, `events:write`, ...) or `admin`: what a storefront needs,
//!   nothing more.
//! - `Admin`: a key holding the route's area scope (`admin:catalog`,
//!   `admin:support`, ..., set on its `Area`) or `admin` (imports, tasks,
//!   everything that writes, and what only the brand should read: forecasts,
//!   replenishment, `/metrics`).
//! - `AdminPage`: like `Admin`, for the `/admin` HTML pages; browsers cannot
//!   send a bearer header, so HTTP Basic auth is accepted too (any user name,
//!   the key as password) and a 401 asks the browser to prompt.
//!
//! Keys come as `Authorization: Bearer <key>` or `X-Api-Key: <key>`. While the
//! store holds no key at all the server runs open (a fresh local demo must work
//! without ceremony; `loupe serve` warns about it at startup); as soon as one
//! key exists, every non-`Open` route enforces. An expired key is refused with
//! `expired_api_key`. Public routes are rate-limited per key (or per client
//! address when no key is needed), see `guard`.

use std::sync::Arc;
use std::time::Instant;

use app::Code;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use store::{KeyInfo, Scope};

use super::error::ApiError;
use super::guard::Client;
use super::state::AppState;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Open,
    Public(Scope),
    Admin,
    AdminPage,
}

/// Who is calling, as established by the auth layer; handlers may extract it
/// with `Extension<Caller>` (to name the actor in the audit log, say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caller {
    /// The key, once verified; `None` when the server runs open (no keys
    /// exist) or for the CLI's local token.
    pub key: Option<Arc<KeyInfo>>,
    /// The CLI on this machine, with the server's local token.
    pub local: bool,
}

impl Caller {
    /// Who to name in the audit log: `cli`, `key 3 (ops)` or `open`.
    pub fn actor(&self) -> String {
        match &self.key {
            _ if self.local => "cli".to_string(),
            Some(key) if key.name.is_empty() => format!("key {}", key.id),
            Some(key) => format!("key {} ({})", key.id, key.name),
            None => "open".to_string(),
        }
    }

    /// Whether the caller may do what `scope` allows: the local CLI and
    /// keys holding it. An open server's callers are shoppers: they may call
    /// every route, but are not trusted with what only staff see.
    pub fn holds(&self, scope: Scope) -> bool {
        self.local || self.key.as_ref().is_some_and(|k| k.allows(scope))
    }
}

/// What the auth layer of one route checks: its access level and the scope
/// a key must hold for it.
#[derive(Clone)]
pub(crate) struct Gate {
    pub(crate) state: AppState,
    pub(crate) access: Access,
    pub(crate) scope: Scope,
    /// The back-office sections and the scope each needs (for the page that
    /// tells a key without this one where it may go).
    pub(crate) sections: Arc<Vec<(&'static str, &'static str, Scope)>>,
}

pub(crate) async fn require(State(gate): State<Gate>, mut req: Request, next: Next) -> Response {
    let Gate { state, access, scope, sections } = gate;
    // A browser logged in to the back-office (Basic auth) may also follow its
    // links to admin API reads (`/metrics`, the purchase-order CSV). Only
    // reads: a cached Basic login is sent with any request to this origin, and
    // another site's page cannot read a GET's answer but could post a form.
    let safe = matches!(*req.method(), Method::GET | Method::HEAD);
    let basic = access == Access::AdminPage || (access == Access::Admin && safe);
    // Writes from a storefront origin (CORS) reach public routes only.
    if !safe
        && matches!(access, Access::Admin | Access::AdminPage)
        && state.guard.allowed_origin(req.headers()).is_some()
    {
        return ApiError::forbidden(
            "cross-site write refused: a storefront origin may call the public routes only",
        )
        .into_response();
    }
    match authorize_with(&state.app.store, state.local_token.as_deref(), req.headers(), access, scope, basic)
    {
        Ok(caller) => {
            if let Some(key) = &caller.key {
                let now = Instant::now();
                if state.guard.should_touch(key.id, now) {
                    touch(&state, key.id);
                }
                if let Access::Public(_) = access {
                    let limit = key.rate_per_minute.unwrap_or(state.guard.config.per_key_per_minute);
                    if let Err(wait) = state.guard.take(Client::Key(key.id), limit, now) {
                        return super::guard::too_many(req.uri().path(), wait, "this key");
                    }
                }
            } else if let (Access::Public(_), false) = (access, caller.local) {
                if let Some(address) = state.guard.address(&req) {
                    let limit = state.guard.config.per_address_per_minute;
                    if let Err(wait) = state.guard.take(Client::Address(address), limit, Instant::now()) {
                        return super::guard::too_many(req.uri().path(), wait, "this address");
                    }
                }
            }
            req.extensions_mut().insert(caller);
            next.run(req).await
        }
        Err(err) if access == Access::AdminPage && err.status() == StatusCode::UNAUTHORIZED => {
            let mut response = (StatusCode::UNAUTHORIZED, super::web::unauthorized_page()).into_response();
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic realm=\"Loupe admin\""));
            response
        }
        Err(err) if access == Access::AdminPage && err.status() == StatusCode::FORBIDDEN => {
            // The key is valid but not for this section: say which it opens.
            let key = presented_key(req.headers(), true)
                .and_then(|k| state.app.store.verify_key(&k).ok().flatten());
            let open: Vec<(&str, &str)> = match &key {
                Some(k) => {
                    sections.iter().filter(|(_, _, s)| k.allows(*s)).map(|(p, l, _)| (*p, *l)).collect()
                }
                None => Vec::new(),
            };
            (StatusCode::FORBIDDEN, super::web::forbidden_page(&err.message, &open)).into_response()
        }
        Err(err) => err.into_response(),
    }
}

/// Writes key `id`'s last use off the request's thread.
fn touch(state: &AppState, id: u64) {
    let store = state.app.store.clone();
    let now = now_secs();
    tokio::task::spawn_blocking(move || {
        if let Err(err) = store.touch_key(id, now) {
            tracing::warn!(key = id, error = %err, "could not record a key's last use");
        }
    });
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Decides whether a request with `headers` may use a route needing `access`
/// (and `scope`, for keys). Key checks are a short read transaction and one
/// SHA-256 per stored key: cheap enough to run inline on the async thread.
pub fn authorize(
    store: &store::Store,
    local_token: Option<&str>,
    headers: &HeaderMap,
    access: Access,
    scope: Scope,
) -> Result<Caller, ApiError> {
    authorize_with(store, local_token, headers, access, scope, access == Access::AdminPage)
}

fn authorize_with(
    store: &store::Store,
    local_token: Option<&str>,
    headers: &HeaderMap,
    access: Access,
    scope: Scope,
    allow_basic: bool,
) -> Result<Caller, ApiError> {
    let key = presented_key(headers, allow_basic);
    if let (Some(key), Some(token)) = (key.as_deref(), local_token) {
        if same_secret(key, token) {
            return Ok(Caller { key: None, local: true });
        }
    }
    if access == Access::Open || !store.has_keys()? {
        return Ok(Caller { key: None, local: false });
    }
    let Some(key) = key else {
        return Err(ApiError::unauthorized(
            Code::MissingApiKey,
            "this route needs an API key: send `Authorization: Bearer <key>` or `X-Api-Key: <key>`",
        ));
    };
    let Some(info) = store.verify_key(&key)? else {
        return Err(ApiError::unauthorized(Code::InvalidApiKey, "the API key is not valid"));
    };
    if info.expired(now_secs()) {
        return Err(ApiError::unauthorized(
            Code::ExpiredApiKey,
            format!(
                "the API key {} ({}) has expired; use the key that replaced it, or make one with `loupe keys create`",
                info.id, info.hint
            ),
        ));
    }
    if !info.allows(scope) {
        let held: Vec<&str> = info.scopes.iter().map(|s| s.as_str()).collect();
        return Err(ApiError::forbidden(format!(
            "this route needs a key with the `{}` scope (or `admin`); the key given has {}",
            scope.as_str(),
            held.join(", ")
        )));
    }
    Ok(Caller { key: Some(Arc::new(info)), local: false })
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The key from `Authorization: Bearer`, `X-Api-Key`, or (for pages) the
/// password of `Authorization: Basic`.
fn presented_key(headers: &HeaderMap, allow_basic: bool) -> Option<String> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        let key = key.trim();
        if !key.is_empty() {
            return Some(key.to_string());
        }
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = auth.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        let key = rest.trim();
        return (!key.is_empty()).then(|| key.to_string());
    }
    if allow_basic && scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64_decode(rest.trim())?;
        let text = String::from_utf8(decoded).ok()?;
        let (_user, password) = text.split_once(':')?;
        return (!password.is_empty()).then(|| password.to_string());
    }
    None
}

/// Standard base64 (with or without padding); `None` for anything else.
/// Twenty lines here save a dependency for the one Basic-auth header.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= value(c)? << (18 - 6 * i);
        }
        let n = chunk.len() - 1;
        out.extend_from_slice(&acc.to_be_bytes()[1..1 + n]);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_base64(input: &str, expect: Option<&str>) {
        let got = base64_decode(input).map(|b| String::from_utf8(b).unwrap());
        assert_eq!(got.as_deref(), expect, "input {input:?}");
    }

    #[test]
    fn decodes_base64() {
        check_base64("dTpzZWNyZXQ=", Some("u:secret"));
        check_base64("YWRtaW46bHBfYWRtaW5fYWJj", Some("admin:lp_admin_abc"));
        check_base64("YQ==", Some("a"));
        check_base64("YWI=", Some("ab"));
        check_base64("YWJj", Some("abc"));
        check_base64("", Some(""));
        check_base64("Y", None);
        check_base64("a*b=", None);
    }

    #[track_caller]
    fn check_key(headers: &[(&str, &str)], allow_basic: bool, expect: Option<&str>) {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        assert_eq!(presented_key(&map, allow_basic).as_deref(), expect, "headers {headers:?}");
    }

    #[test]
    fn finds_the_key_where_clients_put_it() {
        check_key(&[("authorization", "Bearer k1")], false, Some("k1"));
        check_key(&[("authorization", "bearer   k1 ")], false, Some("k1"));
        check_key(&[("x-api-key", "k2")], false, Some("k2"));
        check_key(&[("authorization", "Bearer ")], false, None);
        check_key(&[("authorization", "Basic dTpzZWNyZXQ=")], false, None);
        check_key(&[("authorization", "Basic dTpzZWNyZXQ=")], true, Some("secret"));
        check_key(&[("authorization", "Token k1")], true, None);
        check_key(&[], true, None);
    }
}
