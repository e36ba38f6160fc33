//! The one error type of the HTTP API, and extractors whose rejections speak it.
//!
//! Every error leaves the server as JSON `{"code", "message"}` with the status
//! that fits: `code` is stable (clients match on it), `message` is for people.
//! Internal failures are logged with their details and answered with a generic
//! `internal` message; bad input is always a 4xx, never a 500.
//!
//! Handlers take [`Json`], [`Query`] and [`Path`] from this module instead of
//! axum's, so that a body that is not JSON, a wrong content type, a body over
//! the size limit or a malformed query string get the same shape as every
//! other error.

use std::fmt;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::wire::http::ErrorBody;

/// An error answered to an HTTP client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable code (`not_found`, `invalid_json`, ...).
    pub code: &'static str,
    /// Human-readable explanation; never contains internal details.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    /// 400 with a specific code, for input that parsed but makes no sense.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 404 for a thing that does not exist: `not_found("product 42")`.
    pub fn not_found(what: impl fmt::Display) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn payload_too_large(limit_bytes: usize) -> ApiError {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("request body is larger than the limit of {}", human_bytes(limit_bytes)),
        )
    }

    /// 500: logs `err` (with its chain of causes) and answers a generic
    /// message, so that paths, SQL-ish details or panics never reach clients.
    pub fn internal(err: impl Into<anyhow::Error>) -> ApiError {
        let err = err.into();
        tracing::error!(error = format!("{err:#}"), "internal error while answering a request");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal error; see the server log")
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody { code: self.code.to_string(), message: self.message.clone() }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// Store errors are internal: the store is ours, its failures are not the
/// client's fault.
impl From<store::Error> for ApiError {
    fn from(err: store::Error) -> ApiError {
        ApiError::internal(err)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        let code = match &rejection {
            JsonRejection::JsonDataError(_) => "invalid_body",
            JsonRejection::JsonSyntaxError(_) => "invalid_json",
            JsonRejection::MissingJsonContentType(_) => "unsupported_media_type",
            JsonRejection::BytesRejection(_) if status == StatusCode::PAYLOAD_TOO_LARGE => {
                "payload_too_large"
            }
            JsonRejection::BytesRejection(_) => "bad_body",
            _ => "bad_request",
        };
        from_rejection(status, code, rejection.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        from_rejection(rejection.status(), "invalid_query", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        from_rejection(rejection.status(), "invalid_path", rejection.body_text())
    }
}

fn from_rejection(status: StatusCode, code: &'static str, text: String) -> ApiError {
    if status.is_server_error() {
        // A rejection with a 5xx status is a wiring mistake on our side.
        return ApiError::internal(anyhow::anyhow!("extractor rejection: {text}"));
    }
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            "payload_too_large",
            "request body is larger than the limit for this route",
        );
    }
    ApiError::new(status, code, text)
}

/// `axum::Json` with [`ApiError`] as its rejection.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

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
    fn internal_errors_hide_details() {
        let err = ApiError::internal(anyhow::anyhow!("disk full at /secret/path"));
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.message.contains("/secret"));
    }
}
