//! What stands between the public routes and the world: rate limits, CORS
//! for the storefront's origins, and the record of when each key was last
//! used.
//!
//! - **Rate limits** are token buckets kept in memory, one per key for
//!   requests that carry a valid key and one per client address for those
//!   that carry none. A limit of `N` a minute refills at `N/60` a second and
//!   holds at most `N/6` (ten seconds' worth), so a page's burst of requests
//!   passes and a scraper's stream does not. They apply to the storefront's
//!   pages and to the routes a public key may call; the back-office's routes,
//!   the CLI on this machine and `/health` are not limited. An answer over
//!   the limit is `429 rate_limited` with `Retry-After` in whole seconds.
//!   Requests that reach the router without a socket (tests that call it in
//!   process) have no address and are not limited by address.
//! - **CORS** answers the storefront's origins (configured, never `*`) on
//!   the public routes only: a preflight gets the methods and headers it may
//!   use; a request gets `Access-Control-Allow-Origin` with its own origin.
//!   Writes from those origins reach public routes only (see `auth`).
//! - **Last used**: a key's `last_used_at` is written at most once a minute
//!   per key, off the request's thread.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use app::Code;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

/// How the public routes are guarded; `loupe serve`'s flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GuardConfig {
    /// Requests a minute per client address without a key; 0 turns it off.
    pub per_address_per_minute: u32,
    /// Requests a minute per key, for keys without a limit of their own; 0
    /// turns it off.
    pub per_key_per_minute: u32,
    /// Take the client's address from the last `X-Forwarded-For` entry (the
    /// one the proxy in front appended) instead of the socket's.
    pub trust_proxy: bool,
    /// Origins (`https://shop.example`) whose pages may call the public
    /// routes from the browser.
    pub cors_origins: Vec<String>,
}

impl Default for GuardConfig {
    fn default() -> GuardConfig {
        GuardConfig {
            per_address_per_minute: 600,
            per_key_per_minute: 6000,
            trust_proxy: false,
            cors_origins: Vec::new(),
        }
    }
}

/// An origin as browsers send it: `scheme://host[:port]`, lower case, no
/// path. Errors say what is wrong with it, for `--cors-origin`.
pub fn normalize_origin(origin: &str) -> Result<String, String> {
    let trimmed = origin.trim().trim_end_matches('/');
    if trimmed == "*" {
        return Err("`*` would let every site's pages call the API with the storefront's key; name the \
                    storefront's origins instead"
            .into());
    }
    let Some((scheme, rest)) = trimmed.split_once("://") else {
        return Err(format!("{origin:?} is not an origin: write it as https://shop.example"));
    };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(format!("{origin:?} is not an http or https origin"));
    }
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!("{origin:?} is not an origin: no path, query or user, only https://host[:port]"));
    }
    Ok(format!("{}://{}", scheme.to_ascii_lowercase(), rest.to_ascii_lowercase()))
}

/// The guard's state: its configuration, the buckets and the last-used times.
pub(crate) struct Guard {
    pub(crate) config: GuardConfig,
    buckets: Mutex<HashMap<Client, Bucket>>,
    touched: Mutex<HashMap<u64, Instant>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Client {
    Key(u64),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Buckets kept before idle (full) ones are dropped.
const MAX_BUCKETS: usize = 100_000;
/// How often a key's `last_used_at` is written at most.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

impl Guard {
    pub(crate) fn new(config: GuardConfig) -> Guard {
        Guard { config, buckets: Mutex::new(HashMap::new()), touched: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from `client`'s bucket, which allows `per_minute`;
    /// `Err(wait)` when it is empty, with how long until it holds one again.
    pub(crate) fn take(&self, client: Client, per_minute: u32, now: Instant) -> Result<(), Duration> {
        if per_minute == 0 {
            return Ok(());
        }
        let rate = f64::from(per_minute) / 60.0;
        let capacity = (f64::from(per_minute) / 6.0).ceil().max(1.0);
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(&client) {
            // A full bucket is the same as none: forget those.
            buckets.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < capacity
            });
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: capacity, at: now });
        let refilled = bucket.tokens + now.saturating_duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = refilled.min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Whether key `id`'s last use should be written now (at most once a
    /// minute); records that it is.
    pub(crate) fn should_touch(&self, id: u64, now: Instant) -> bool {
        let mut touched = self.touched.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        match touched.get(&id) {
            Some(&at) if now.saturating_duration_since(at) < TOUCH_EVERY => false,
            _ => {
                touched.insert(id, now);
                true
            }
        }
    }

    /// The client's address: the socket's, or with `trust_proxy` the last
    /// `X-Forwarded-For` entry. `None` for a request that came in process.
    pub(crate) fn address(&self, req: &Request) -> Option<IpAddr> {
        if self.config.trust_proxy {
            // The proxy appends the address it saw: the last entry. One
            // that does not parse counts as absent.
            let last = req
                .headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .next_back();
            let forwarded = last.and_then(|part| part.trim().parse::<IpAddr>().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip())
    }

    /// The configured origin `headers` come from, if any.
    pub(crate) fn allowed_origin(&self, headers: &HeaderMap) -> Option<String> {
        let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
        let origin = normalize_origin(origin).ok()?;
        self.config.cors_origins.contains(&origin).then_some(origin)
    }
}

/// `429 rate_limited` with `Retry-After`, for an API route or a page.
pub(crate) fn too_many(path: &str, wait: Duration, who: &str) -> Response {
    let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
    let err = ApiError::new(Code::RateLimited, format!("too many requests from {who}; retry in {seconds} s"));
    let mut response = if crate::is_api_path(path) {
        err.into_response()
    } else {
        super::web::PageError(err).into_response()
    };
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Limits a storefront page (an `Open` route) by client address.
pub(crate) async fn limit_open(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let guard = &state.guard;
    if let Some(address) = guard.address(&req) {
        let limit = guard.config.per_address_per_minute;
        if let Err(wait) = guard.take(Client::Address(address), limit, Instant::now()) {
            return too_many(req.uri().path(), wait, "this address");
        }
    }
    next.run(req).await
}

/// Adds CORS headers for a configured origin to a public route's answers.
pub(crate) async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let origin = state.guard.allowed_origin(req.headers());
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin.and_then(|o| HeaderValue::from_str(&o).ok()) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("Retry-After, X-Request-Id"),
        );
    }
    response
}

/// Answers `OPTIONS` on a path with a public route: `Allow` lists every
/// method of the path (`methods`), a CORS preflight only the public ones
/// (`cors`): a browser on the storefront's origin may not call an admin method.
pub(crate) fn preflight(state: &AppState, methods: &str, cors: &str, headers: &HeaderMap) -> Response {
    let allow =
        HeaderValue::from_str(&format!("{methods}, OPTIONS")).unwrap_or(HeaderValue::from_static("OPTIONS"));
    let cors =
        HeaderValue::from_str(&format!("{cors}, OPTIONS")).unwrap_or(HeaderValue::from_static("OPTIONS"));
    let Some(sent) = headers.get(header::ORIGIN) else {
        // Not a browser's preflight: say what the route takes.
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(header::ALLOW, allow);
        return response;
    };
    let Some(origin) = state.guard.allowed_origin(headers) else {
        let shown = sent.to_str().unwrap_or("?");
        return ApiError::forbidden(format!(
            "origin {shown} may not call this API from a browser: add it with `loupe serve --cors-origin {shown}`"
        ))
        .into_response();
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    let out = response.headers_mut();
    if let Ok(origin) = HeaderValue::from_str(&origin) {
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    out.insert(header::ACCESS_CONTROL_ALLOW_METHODS, cors);
    out.insert(header::ALLOW, allow);
    out.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("authorization, x-api-key, content-type"),
    );
    out.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

/// The methods a preflight may ask for, as the `Allow` list.
pub(crate) fn method_list(methods: &[Method]) -> String {
    methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_holds_ten_seconds_and_refills_at_the_rate() {
        let guard = Guard::new(GuardConfig::default());
        let t0 = Instant::now();
        let client = Client::Key(1);
        // 60 a minute: one a second, bursts of 10.
        for i in 0..10 {
            assert!(guard.take(client, 60, t0).is_ok(), "request {i} of the burst");
        }
        let wait = guard.take(client, 60, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 1.0).abs() < 1e-6, "{wait:?}");
        assert!(guard.take(client, 60, t0 + Duration::from_millis(500)).is_err());
        assert!(guard.take(client, 60, t0 + Duration::from_millis(1001)).is_ok());
        assert!(guard.take(Client::Key(2), 60, t0).is_ok(), "buckets are per client");
        assert!(guard.take(client, 0, t0).is_ok(), "0 is no limit");
        // A long pause refills to the capacity, not beyond.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..10 {
            assert!(guard.take(client, 60, later).is_ok());
        }
        assert!(guard.take(client, 60, later).is_err());
    }

    #[test]
    fn origins_are_compared_as_browsers_send_them() {
        assert_eq!(normalize_origin("https://Shop.Example/").unwrap(), "https://shop.example");
        assert_eq!(normalize_origin("http://localhost:3000").unwrap(), "http://localhost:3000");
        for bad in ["*", "shop.example", "ftp://shop.example", "https://shop.example/path", "https://"] {
            assert!(normalize_origin(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn keys_are_touched_once_a_minute() {
        let guard = Guard::new(GuardConfig::default());
        let t0 = Instant::now();
        assert!(guard.should_touch(7, t0));
        assert!(!guard.should_touch(7, t0 + Duration::from_secs(59)));
        assert!(guard.should_touch(8, t0));
        assert!(guard.should_touch(7, t0 + Duration::from_secs(61)));
    }
}
