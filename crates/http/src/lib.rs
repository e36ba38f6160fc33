//! Loupe's HTTP face: the JSON API under `/v1`, `/health`, `/metrics`,
//! `/openapi.json`, and the web shell (storefront at `/`, back-office at
//! `/admin`), all from one axum router. It parses requests, calls the use
//! cases of the `app` crate and turns their values into responses; it holds
//! no application logic of its own (`app` never depends on this crate).
//!
//! - [`routes`]: every route, one module per area, each registered with its
//!   access level and OpenAPI operation; [`router`] assembles them.
//! - [`error`]: `ApiError` (a code from `app`'s error table), request ids,
//!   and the `Json`/`Query`/`Path` extractors whose rejections use the same
//!   `{"code", "message"}` shape.
//! - [`auth`]: API keys (`Bearer` or `X-Api-Key`) and their scopes.
//! - `guard`: rate limits, CORS for the storefront's origins, keys' last use.
//! - [`web`]: server-rendered HTML pages and the helpers to write more.
//! - [`serve`]: binds a socket and runs the router until Ctrl-C.

pub mod auth;
pub mod error;
mod guard;
pub mod metrics;
pub mod openapi;
mod query;
pub mod routes;
mod serve;
mod state;
pub mod web;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{from_fn, from_fn_with_state, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

pub use error::{ApiError, Code};
pub use guard::{normalize_origin, GuardConfig};
pub use serve::{serve, serve_async, ServeConfig, Timeouts};
pub use state::{AppState, Limits};

/// Every area, in the order the OpenAPI document lists them: the API's
/// (`routes`), then the pages' (`web`).
pub(crate) fn areas() -> Vec<routes::Area> {
    vec![
        routes::system::area(),
        routes::catalog::area(),
        routes::imports::area(),
        routes::events::area(),
        routes::search::area(),
        routes::forecast::area(),
        routes::recs::area(),
        routes::experiments::area(),
        routes::scorecard::area(),
        routes::support::area(),
        routes::care::area(),
        routes::decisions::area(),
        routes::risk::area(),
        routes::merch::area(),
        web::storefront::area(),
        web::scorecard::area(),
        web::admin::area(),
        web::forecast::area(),
        web::tasks::area(),
        web::rules::area(),
        web::experiments::area(),
        web::support::area(),
        web::care::area(),
        web::audit::area(),
        web::risk::area(),
        web::merch::area(),
    ]
}

/// The whole application: API, pages, fallbacks and the layers around them.
pub fn router(state: AppState) -> Router {
    routes::router(&state, areas())
        .fallback(fallback)
        .layer(from_fn(json_errors))
        .layer(from_fn_with_state(state.clone(), refuse_cross_site_writes))
        .layer(from_fn(security_headers))
        .layer(from_fn(html_errors))
        .layer(from_fn_with_state(state.clone(), metrics::track))
        .layer(DefaultBodyLimit::max(state.limits.default_bytes))
        .layer(from_fn(limit_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panic_response))
        .layer(from_fn(error::request_ids))
        .with_state(state)
}

/// Runs `f` (store reads and writes, engine work) on the blocking pool so
/// the async workers keep answering other requests.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    let id = error::request_id();
    tokio::task::spawn_blocking(move || error::with_request_id(id, f)).await.map_err(ApiError::internal)?
}

/// Paths that answer JSON (errors included); everything else is a web page.
pub fn is_api_path(path: &str) -> bool {
    path == "/v1" || path.starts_with("/v1/") || matches!(path, "/health" | "/metrics" | "/openapi.json")
}

async fn fallback(method: Method, uri: axum::http::Uri) -> Response {
    if is_api_path(uri.path()) {
        ApiError::new(Code::NotFound, format!("no route for {method} {}", uri.path())).into_response()
    } else {
        web::not_found_page().into_response()
    }
}

/// Gives API errors that axum or a layer produced without a JSON body (405
/// method not allowed, for one) the `{"code", "message"}` shape.
async fn json_errors(req: Request, next: Next) -> Response {
    let api = is_api_path(req.uri().path());
    let method = req.method().clone();
    let response = next.run(req).await;
    let status = response.status();
    if !api || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return response;
    }
    let replacement = match status {
        StatusCode::METHOD_NOT_ALLOWED => {
            ApiError::new(Code::MethodNotAllowed, format!("{method} is not allowed on this route"))
        }
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::new(Code::PayloadTooLarge, "request body is larger than the limit")
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::new(Code::UnsupportedMediaType, "unsupported content type")
        }
        s if s.is_server_error() => {
            ApiError::internal(anyhow::anyhow!("a layer answered {s} without a body"))
        }
        s => ApiError::new(Code::BadRequest, s.canonical_reason().unwrap_or("bad request")),
    };
    let mut replaced = replacement.into_response();
    // Keep headers such as `Allow` that tell the client what would work.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            replaced.headers_mut().insert(name.clone(), value.clone());
        }
    }
    replaced
}

/// The most header bytes (names and values) a request may carry.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The most header fields a request may carry.
pub const MAX_HEADERS: usize = 100;

/// Answers `431 headers_too_large` in our own shape (JSON for the API, the
/// error page for pages) when the headers are over [`MAX_HEADER_BYTES`] or
/// [`MAX_HEADERS`]. The server lets hyper read heads up to 1 MiB so that this
/// check, not hyper's bodiless 431, is what clients meet.
async fn limit_headers(req: Request, next: Next) -> Response {
    let headers = req.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if bytes <= MAX_HEADER_BYTES && headers.len() <= MAX_HEADERS {
        return next.run(req).await;
    }
    let err = ApiError::new(
        Code::HeadersTooLarge,
        format!(
            "the request's headers ({} fields, {}) are over the limit of {MAX_HEADERS} fields and {}",
            headers.len(),
            error::human_bytes(bytes),
            error::human_bytes(MAX_HEADER_BYTES)
        ),
    );
    if is_api_path(req.uri().path()) {
        err.into_response()
    } else {
        web::PageError(err).into_response()
    }
}

/// Gives errors on pages that a layer, an extractor or axum itself answered
/// in JSON or without a body (a path that is not UTF-8, 405, 413) the HTML
/// error page, with the same status and message.
async fn html_errors(req: Request, next: Next) -> Response {
    if is_api_path(req.uri().path()) {
        return next.run(req).await;
    }
    let response = next.run(req).await;
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if is_html || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let sent: Option<app::wire::http::ErrorBody> = serde_json::from_slice(&bytes).ok();
    let code = sent
        .as_ref()
        .and_then(|b| Code::parse(&b.code))
        .filter(|c| c.status() == status.as_u16())
        .or_else(|| Code::ALL.iter().copied().find(|c| c.status() == status.as_u16()))
        .unwrap_or(if status.is_server_error() { Code::Internal } else { Code::BadRequest });
    let message =
        sent.map(|b| b.message).unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string());
    let mut page = web::PageError(ApiError::new(code, message)).into_response();
    *page.status_mut() = status;
    // Keep headers such as `Allow` and `WWW-Authenticate`.
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            page.headers_mut().insert(name.clone(), value.clone());
        }
    }
    page
}

/// The pages' Content-Security-Policy: scripts and styles only from this
/// origin (no inline script, handler, `<style>` or `style` attribute
/// anywhere; the product drawings' metals are classes), no framing, forms
/// post only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Security headers on every answer: `nosniff` and a same-origin referrer
/// policy everywhere; on HTML pages the Content-Security-Policy above and
/// `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if is_html {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    response
}

/// Refuses requests that change something (any method but GET, HEAD and
/// OPTIONS) when a browser says they come from another site: an `Origin`
/// header whose host differs from `Host`. Without it, any web page open in the
/// same browser could post imports or events to a local Loupe that runs open
/// (no keys yet). Clients that are not browsers send no `Origin` and pass.
///
/// The storefront's configured origins (`--cors-origin`) pass here; the auth
/// layer then lets their writes reach public routes only (events, messages).
async fn refuse_cross_site_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || state.guard.allowed_origin(req.headers()).is_some()
    {
        return next.run(req).await;
    }
    let origin_host = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(|o| {
        o.split_once("://").map(|(_, rest)| rest).unwrap_or(o).trim_end_matches('/').to_ascii_lowercase()
    });
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).map(str::to_ascii_lowercase);
    match (origin_host, host) {
        (Some(origin), Some(host)) if origin != host => {
            ApiError::forbidden("cross-site requests that change data are refused").into_response()
        }
        // `Origin: null` (a sandboxed page, a file://) with a write: refuse too.
        (Some(origin), None) if origin == "null" => {
            ApiError::forbidden("cross-site requests that change data are refused").into_response()
        }
        _ => next.run(req).await,
    }
}

fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(anyhow::anyhow!("a request handler panicked")).into_response()
}
