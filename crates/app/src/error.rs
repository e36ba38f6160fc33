//! The one table of error codes Loupe answers with, and the application
//! layer's error type.
//!
//! Every failure a person or a client sees carries a [`Code`] from the table
//! below: a stable machine-readable name, the HTTP status it is answered with,
//! and a one-line description (listed in `/openapi.json` and the README). The
//! CLI maps the same codes to its exit status: 1 when the user's input was
//! wrong (every 4xx code), 2 for an internal failure (every 5xx code).
//!
//! Internal errors keep their details for the log only; what reaches a client
//! is a generic message with a request id (see the `http` crate).

use std::fmt;

/// Declares [`Code`] with its status and description in one table, as
/// meilisearch's `make_error_codes!` does, so that the three cannot drift.
macro_rules! error_codes {
    ($($variant:ident => ($name:literal, $status:literal, $description:literal);)*) => {
        /// A stable error code: what kind of failure, for machines.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The name clients match on (`not_found`, `invalid_query`, ...).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The HTTP status this code is answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(Code::$variant => $status,)*
                }
            }

            /// One line saying when this code is used.
            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }

            /// The code of this name, if it is one of ours.
            pub fn parse(name: &str) -> Option<Code> {
                match name {
                    $($name => Some(Code::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    BadRequest => ("bad_request", 400, "The request is malformed in a way no more specific code covers.");
    InvalidQuery => ("invalid_query", 400, "A query parameter has a value out of range or of the wrong type.");
    UnknownParameter => ("unknown_parameter", 400, "A query parameter this route does not take.");
    InvalidPath => ("invalid_path", 400, "A path segment does not parse (an id that is not a number, say).");
    InvalidJson => ("invalid_json", 400, "The body is not valid JSON.");
    InvalidBody => ("invalid_body", 422, "The body is JSON but not of the expected shape.");
    BadBody => ("bad_body", 400, "The body could not be read.");
    EmptyBody => ("empty_body", 400, "The request body is empty where a file or document was expected.");
    InvalidFilter => ("invalid_filter", 400, "A search filter names an unknown field or has a bad value.");
    InvalidCategory => ("invalid_category", 400, "A category filter names no category Loupe knows.");
    InvalidSort => ("invalid_sort", 400, "An unknown sort order.");
    InvalidSearch => ("invalid_search", 400, "The search request cannot be answered as asked.");
    InvalidRule => ("invalid_rule", 400, "A merchandising rule is incomplete or contradicts itself.");
    InvalidDecision => ("invalid_decision", 400, "A replenishment decision is not approve, edit (with a quantity) or reject.");
    InvalidExperiment => ("invalid_experiment", 400, "An experiment definition is incomplete or contradicts itself; the message names the field.");
    InvalidContext => ("invalid_context", 400, "A recommendation request names no context, or several.");
    InvalidMessage => ("invalid_message", 400, "A support message is empty or too long, or names a bad date, id or intent.");
    InvalidKb => ("invalid_kb", 400, "A knowledge-base source cannot be read or has no passages; the message names the line.");
    InvalidImport => ("invalid_import", 400, "The import file, its format or its column mapping is wrong; the message says where.");
    NothingImported => ("nothing_imported", 422, "Every row of the import file was rejected, or it had none; nothing was written.");
    MissingApiKey => ("missing_api_key", 401, "The route needs an API key and none was sent.");
    InvalidApiKey => ("invalid_api_key", 401, "The API key sent is not valid.");
    ExpiredApiKey => ("expired_api_key", 401, "The API key sent has expired (after a rotation's overlap, say).");
    Forbidden => ("forbidden", 403, "The key's scopes do not include the route's, or a cross-site write was refused.");
    NotFound => ("not_found", 404, "No such route, product, customer, rule, task or series.");
    MethodNotAllowed => ("method_not_allowed", 405, "The route exists but not with this method.");
    RequestTimeout => ("request_timeout", 408, "The request body did not arrive within the server's body timeout.");
    Conflict => ("conflict", 409, "The thing to create exists already, or the thing to change is not in a state that allows it.");
    BatchTooLarge => ("batch_too_large", 400, "An events batch holds more events than one request may carry.");
    PayloadTooLarge => ("payload_too_large", 413, "The body is over the route's size limit.");
    UnsupportedMediaType => ("unsupported_media_type", 415, "The body's content type is not one this route reads.");
    RateLimited => ("rate_limited", 429, "Too many requests from this key or client address; retry after the seconds in Retry-After.");
    HeadersTooLarge => ("headers_too_large", 431, "The request's headers are over 32 KiB or 100 fields.");
    WarmingUp => ("warming_up", 503, "The engine this needs (search index, recommender, forecasts) is still being built after a start; retry after the seconds in Retry-After.");
    Interrupted => ("interrupted", 503, "The server stopped before this task finished; nothing was written; run it again.");
    Internal => ("internal", 500, "A fault of Loupe's (storage, a bug); the details are in the server log under the request id.");
}

impl Code {
    /// True for the user's mistakes (4xx), false for our faults (5xx).
    pub fn is_input(self) -> bool {
        self.status() < 500
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A use case's failure: a [`Code`] and a message for people. For
/// [`Code::Internal`] the message holds the internal details (with their
/// chain of causes) for the log; callers must not show it to clients.
#[derive(Debug)]
pub struct Error {
    pub code: Code,
    pub message: String,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Error {
        Error { code, message: message.into() }
    }

    /// `not_found("product 42")` reads "product 42 not found".
    pub fn not_found(what: impl fmt::Display) -> Error {
        Error::new(Code::NotFound, format!("{what} not found"))
    }

    /// A fault of ours, keeping `err`'s chain of causes for the log.
    pub fn internal(err: impl Into<anyhow::Error>) -> Error {
        Error::new(Code::Internal, format!("{:#}", err.into()))
    }

    pub fn is_input(&self) -> bool {
        self.code.is_input()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Store errors caused by the caller's input (an aborted import) are input
/// errors; every other store failure is ours.
impl From<store::Error> for Error {
    fn from(err: store::Error) -> Error {
        if err.is_input() {
            Error::new(Code::InvalidImport, err.to_string())
        } else {
            Error::internal(err)
        }
    }
}

impl From<crate::jobs::Error> for Error {
    fn from(err: crate::jobs::Error) -> Error {
        use crate::jobs::Error as J;
        match &err {
            J::NothingImported { .. } => Error::new(Code::NothingImported, err.to_string()),
            J::Open { .. } | J::Input { .. } => Error::new(Code::InvalidImport, err.to_string()),
            J::Store { source, .. } if source.is_input() => Error::new(Code::InvalidImport, err.to_string()),
            J::Store { .. } => Error::internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_snake_case_and_parse_back() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} appears twice in the table");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{name} is not snake_case");
            assert_eq!(Code::parse(name), Some(code));
            assert!((400..600).contains(&code.status()), "{name} has status {}", code.status());
            assert!(code.description().ends_with('.'), "{name}'s description is not a sentence");
        }
    }

    #[test]
    fn input_errors_are_4xx_and_faults_5xx() {
        assert!(Code::InvalidImport.is_input());
        assert!(Code::NotFound.is_input());
        assert!(!Code::Internal.is_input());
        assert!(!Error::internal(anyhow::anyhow!("disk full")).is_input());
    }
}
