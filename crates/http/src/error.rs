//! The one error type of the HTTP API, and extractors whose rejections speak it.
//!
//! Every error leaves the server as JSON `{"code", "message"}` with the status
//! its [`Code`] has in the table (`app::error`): `code` is stable (clients
//! match on it), `message` is for people. Internal failures are logged with
//! their details under a request id and answered with a generic message that
//! carries only that id; bad input is always a 4xx, never a 500.
//!
//! Handlers take [`Json`], [`Query`] and [`Path`] from this module instead of
//! axum's, so that a body that is not JSON, a wrong content type, a body over
//! the size limit or a malformed query string get the same shape as every
//! other error.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::wire::http::ErrorBody;
pub use app::Code;

tokio::task_local! {
    /// The id of the request being answered (see [`request_ids`]).
    static REQUEST_ID: String;
}

/// An error answered to an HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    /// Human-readable explanation; never contains internal details.
    pub message: String,
    /// Set for internal errors: the id their details were logged under.
    pub request_id: Option<String>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError { code, message: message.into(), request_id: None }
    }

    /// For input that parsed but makes no sense (any 4xx code).
    pub fn bad_request(code: Code, message: impl Into<String>) -> ApiError {
        ApiError::new(code, message)
    }

    /// 404 for a thing that does not exist: `not_found("product 42")`.
    pub fn not_found(what: impl fmt::Display) -> ApiError {
        ApiError::new(Code::NotFound, format!("{what} not found"))
    }

    /// 401 (`missing_api_key`, `invalid_api_key`).
    pub fn unauthorized(code: Code, message: impl Into<String>) -> ApiError {
        ApiError::new(code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(Code::Forbidden, message)
    }

    pub fn payload_too_large(limit_bytes: usize) -> ApiError {
        ApiError::new(
            Code::PayloadTooLarge,
            format!("request body is larger than the limit of {}", human_bytes(limit_bytes)),
        )
    }

    /// 500: logs `err` (with its chain of causes) under the request's id and
    /// answers a generic message with that id, so that paths, storage
    /// details or panics never reach clients.
    pub fn internal(err: impl Into<anyhow::Error>) -> ApiError {
        let err = err.into();
        let id = current_request_id();
        tracing::error!(request_id = %id, error = format!("{err:#}"), "internal error while answering a request");
        ApiError {
            code: Code::Internal,
            message: format!("internal error; the server log has the details under request id {id}"),
            request_id: Some(id),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.to_string(),
            message: self.message.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.code.status(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = (status, axum::Json(self.body())).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// A use case's error keeps its code; an internal one is logged and hidden.
impl From<app::Error> for ApiError {
    fn from(err: app::Error) -> ApiError {
        if err.code == app::Code::Internal {
            ApiError::internal(err)
        } else {
            ApiError::new(err.code, err.message)
        }
    }
}

/// Store errors are internal: the store is ours, its failures are not the
/// client's fault.
impl From<store::Error> for ApiError {
    fn from(err: store::Error) -> ApiError {
        ApiError::from(app::Error::from(err))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        let code = match &rejection {
            JsonRejection::JsonDataError(_) => Code::InvalidBody,
            JsonRejection::JsonSyntaxError(_) => Code::InvalidJson,
            JsonRejection::MissingJsonContentType(_) => Code::UnsupportedMediaType,
            JsonRejection::BytesRejection(_) if status == StatusCode::PAYLOAD_TOO_LARGE => {
                Code::PayloadTooLarge
            }
            JsonRejection::BytesRejection(_) => Code::BadBody,
            _ => Code::BadRequest,
        };
        if let Some(err) = timed_out(&rejection) {
            return err;
        }
        from_rejection(status, code, rejection.body_text())
    }
}

/// `408 request_timeout` when `err` comes from a body that did not arrive
/// within the server's body timeout (see `serve`).
pub(crate) fn timed_out(err: &(dyn std::error::Error + 'static)) -> Option<ApiError> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(timeout) = err.downcast_ref::<crate::serve::BodyTimeout>() {
            return Some(ApiError::new(Code::RequestTimeout, timeout.to_string()));
        }
        cause = err.source();
    }
    None
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        from_rejection(rejection.status(), Code::InvalidQuery, rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        from_rejection(rejection.status(), Code::InvalidPath, rejection.body_text())
    }
}

fn from_rejection(status: StatusCode, code: Code, text: String) -> ApiError {
    if status.is_server_error() {
        // A rejection with a 5xx status is a wiring mistake on our side.
        return ApiError::internal(anyhow::anyhow!("extractor rejection: {text}"));
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(Code::PayloadTooLarge, "request body is larger than the limit for this route");
    }
    ApiError::new(code, text)
}

/// Gives every request an id (`X-Request-Id` on the response), under which
/// internal errors are logged.
pub(crate) async fn request_ids(req: Request, next: Next) -> Response {
    let id = next_request_id();
    let mut response = REQUEST_ID.scope(id.clone(), next.run(req)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Runs `f` with the current request's id, for work moved to another thread
/// (see `crate::blocking`).
pub(crate) fn with_request_id<T>(id: Option<String>, f: impl FnOnce() -> T) -> T {
    match id {
        Some(id) => REQUEST_ID.sync_scope(id, f),
        None => f(),
    }
}

pub(crate) fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn current_request_id() -> String {
    request_id().unwrap_or_else(next_request_id)
}

/// Process id and a counter: unique for the life of the server, and short
/// enough to read out on a support call.
fn next_request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("{:x}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// `axum::Json` with [`ApiError`] as its rejection, and one rule more: a
/// body that is a JSON array is refused unless the route reads a list
/// (`Json<Vec<_>>`). serde reads a struct from an array of its fields in
/// order, so `[null, null]` passed as a settings document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::new(
                Code::UnsupportedMediaType,
                "Expected request with `Content-Type: application/json`",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::from(JsonRejection::from(e)))?;
        let reads_a_list = std::any::type_name::<T>().starts_with("alloc::vec::Vec<");
        if !reads_a_list && bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
            return Err(ApiError::new(Code::InvalidBody, "the body must be a JSON object, not an array"));
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes).map_err(ApiError::from)?;
        Ok(Json(value))
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query` with [`ApiError`] as its rejection.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` with [`ApiError`] as its rejection.
#[derive(Debug, Clone, Copy, Default, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

pub(crate) fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 && n.is_multiple_of(1024) {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_reads_well() {
        assert_eq!(human_bytes(64 * 1024 * 1024), "64 MiB");
        assert_eq!(human_bytes(2048), "2 KiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }

    #[test]
    fn internal_errors_hide_details_and_carry_an_id() {
        let err = with_request_id(Some("abc-7".into()), || {
            ApiError::internal(anyhow::anyhow!("disk full at /secret/path"))
        });
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.message.contains("/secret"));
        assert_eq!(err.request_id.as_deref(), Some("abc-7"));
        assert!(err.message.contains("abc-7"), "{}", err.message);
    }

    #[test]
    fn use_case_errors_keep_their_code() {
        let err = ApiError::from(app::Error::new(Code::InvalidImport, "line 3: no title"));
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
        assert_eq!(err.body().code, "invalid_import");
        assert_eq!(err.message, "line 3: no title");
        let err = ApiError::from(app::Error::internal(anyhow::anyhow!("redb: /data/x corrupt")));
        assert_eq!(err.code, Code::Internal);
        assert!(!err.message.contains("redb"), "{}", err.message);
    }
}
