//! `POST /v1/imports` and `/v1/tasks`: file imports as background tasks.
//!
//! The request body is the file itself (`Content-Type` is informational:
//! `text/csv`, `application/x-ndjson`, ...), streamed to a temporary file
//! under `<data>/tmp/` so that memory stays flat whatever the size; the
//! import then runs through the same `jobs` pipeline as `loupe import`, on a
//! blocking thread. Options are query parameters, mirroring the CLI:
//! `?kind=catalog&format=shopify&map=sku=StockCode&map=title=Description`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use tokio::io::AsyncWriteExt;

use super::{schema_ref, Access, Area, Op, Scope};
use crate::error::{human_bytes, ApiError, Json, Path};
use crate::state::AppState;
use crate::{blocking, query};
use app::imports::{ImportSpec, Kind};
use app::wire::http::{Task, TaskAccepted};
use app::Code;

pub(crate) const KINDS: [&str; 6] = ["catalog", "orders", "inventory", "events", "tickets", "kb"];

pub(crate) fn area() -> Area {
    Area::new("imports", "File imports and the background tasks that run them.")
        .admin_scope(Scope::AdminCatalog)
        .post(
            "/v1/imports",
            Access::Admin,
            create,
            Op::new("Import a file")
                .describe(
                    "Send the file as the raw request body, or as the part named `file` of a \
                     multipart form (up to 64 MiB). The import runs in the background; poll `status_url` for its progress and report. A failed import \
                     leaves the store as it was.",
                )
                .query_enum("kind", &KINDS, true, "What the file holds.")
                .query_enum(
                    "format",
                    &["shopify", "google", "csv", "jsonl", "markdown", "html"],
                    false,
                    "Catalog format (shopify, google, csv, jsonl), or a knowledge base's (markdown, html, csv); detected when absent.",
                )
                .query_with("map", false, json!({"type": "string", "pattern": "^[a-z_]+=.+$"}), "`target=source` column mapping for generic CSV/JSONL; repeat it.")
                .query("filename", "string", "The file's name, a hint for format detection.")
                .query_with("currency", false, json!({"type": "string", "pattern": "^[A-Za-z]{3}$"}), "Currency of prices that name none (ISO 4217, default USD), as `--currency`.")
                .query("replace", "boolean", "Catalog only, as `--replace`: the file is the whole catalog, so stored products it lacks are removed (never order-only ones) and its last product is applied as read. Nothing is removed when a row could not be read. Default false: products missing from the file stay, and a product whose rows look cut off keeps its stored version.")
                .raw_body(&["text/csv", "text/tab-separated-values", "application/x-ndjson", "application/xml", "application/octet-stream", "multipart/form-data"], "The file (or a form whose part `file` is the file).")
                .json(202, "Accepted; the task runs in the background.", schema_ref("TaskAccepted"))
                .error(413, "The body is over the limit.")
                .error(415, "A multipart body; send the file as the raw body."),
        )
        .get(
            "/v1/tasks",
            Access::Admin,
            list,
            Op::new("List tasks").describe("Every background task, newest first.").json(
                200,
                "The tasks.",
                json!({"type": "array", "items": schema_ref("Task")}),
            ),
        )
        .get(
            "/v1/tasks/{id}",
            Access::Admin,
            show,
            Op::new("Show a task")
                .path("id", "The task id from `202` answers.")
                .json(200, "The task with its status, progress, report or error.", schema_ref("Task"))
                .error(404, "No task has this id."),
        )
        .schema(
            "TaskAccepted",
            json!({
                "type": "object", "required": ["task_id", "status_url"],
                "properties": {"task_id": {"type": "string"}, "status_url": {"type": "string"}},
            }),
        )
        .schema(
            "Task",
            json!({
                "type": "object",
                "required": ["id", "kind", "status", "progress", "created_at", "started_at", "finished_at", "report", "error"],
                "properties": {
                    "id": {"type": "string"},
                    "kind": {"type": "string", "description": "`import_catalog`, `import_orders`, ..."},
                    "status": {"type": "string", "enum": ["queued", "running", "succeeded", "failed"]},
                    "progress": {"oneOf": [{"type": "null"}, {
                        "type": "object", "required": ["done", "total", "unit"],
                        "properties": {"done": {"type": "integer"}, "total": {"type": ["integer", "null"]}, "unit": {"type": "string"}},
                    }]},
                    "created_at": {"type": "integer", "description": "Unix milliseconds."},
                    "started_at": {"type": ["integer", "null"]},
                    "finished_at": {"type": ["integer", "null"]},
                    "report": {"description": "The job's report once it succeeded (for imports: counts and data-quality summary)."},
                    "error": {"oneOf": [{"type": "null"}, schema_ref("Error")]},
                },
            }),
        )
}

/// What `POST /v1/imports` was asked to do.
#[derive(Clone, Debug)]
pub(crate) struct ImportRequest {
    pub spec: ImportSpec,
    pub filename: Option<String>,
}

pub(crate) fn parse_request(raw_query: Option<&str>) -> Result<ImportRequest, ApiError> {
    parse_pairs(query::pairs(raw_query.unwrap_or(""))?)
}

/// [`parse_request`] on `(name, value)` pairs (a query string's or a form's).
pub(crate) fn parse_pairs(pairs: Vec<(String, String)>) -> Result<ImportRequest, ApiError> {
    let mut kind = None;
    let mut format = None;
    let mut mapping = Vec::new();
    let mut filename = None;
    let mut currency = None;
    let mut replace = false;
    for (key, value) in pairs {
        match key.as_str() {
            "kind" => kind = Some(value),
            "format" => format = Some(value).filter(|f| !f.is_empty()),
            "filename" => filename = Some(value).filter(|f| !f.is_empty()),
            "currency" => {
                currency = Some(
                    model::Currency::parse(&value)
                        .map_err(|e| ApiError::bad_request(Code::InvalidQuery, format!("currency: {e}")))?,
                )
            }
            "replace" => {
                replace = match value.as_str() {
                    "true" | "1" | "on" | "yes" => true,
                    "false" | "0" | "off" | "no" | "" => false,
                    other => {
                        let shown: String = other.chars().take(40).collect();
                        return Err(ApiError::bad_request(
                            Code::InvalidQuery,
                            format!("replace {shown:?}: expected true or false"),
                        ));
                    }
                }
            }
            "map" => {
                let Some((target, source)) = value.split_once('=') else {
                    return Err(ApiError::bad_request(
                        Code::InvalidQuery,
                        format!("map {value:?} is not `target=source` (e.g. `map=sku=StockCode`)"),
                    ));
                };
                mapping.push(format!("{}={}", target.trim(), source.trim()));
            }
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(ApiError::bad_request(
                    Code::UnknownParameter,
                    format!(
                        "unknown query parameter {shown:?}; known: kind, format, map, filename, currency, replace"
                    ),
                ));
            }
        }
    }
    let Some(kind) = kind else {
        return Err(ApiError::bad_request(
            Code::InvalidQuery,
            format!("`kind` is required: one of {}", KINDS.join(", ")),
        ));
    };
    let mut spec = ImportSpec::new(Kind::parse(&kind)?, 0);
    match (spec.kind, format) {
        (Kind::Kb, Some(f)) => spec.kb_format = Some(app::support::parse_kb_format(&f)?),
        (_, Some(f)) => {
            spec.format = Some(
                catalog::Format::parse(&f)
                    .map_err(|e| ApiError::bad_request(Code::InvalidQuery, e.to_string()))?,
            )
        }
        (_, None) => {}
    }
    spec.mapping = mapping;
    spec.currency = currency;
    if replace && spec.kind != Kind::Catalog {
        return Err(ApiError::bad_request(Code::InvalidQuery, "replace applies to catalog imports only"));
    }
    spec.replace = replace;
    Ok(ImportRequest { spec, filename })
}

async fn create(
    State(state): State<AppState>,
    RawQuery(raw_query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<impl IntoResponse, ApiError> {
    let mut request = parse_request(raw_query.as_deref())?;
    let limit = state.limits.import_bytes;
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::payload_too_large(limit));
    }
    let upload = Upload::new(&state.data_dir).await?;
    // The options are the query's, checked above; a form's text fields are not read.
    let received = receive(&headers, body, &upload, limit).await?;
    if request.filename.is_none() {
        request.filename = received.filename;
    }
    let size = received.size;
    let task = start_import(&state, request, upload, size).await?;
    let accepted = TaskAccepted { status_url: format!("/v1/tasks/{}", task.id), task_id: task.id };
    Ok((StatusCode::ACCEPTED, [(header::LOCATION, accepted.status_url.clone())], Json(accepted)))
}

/// What [`receive`] spooled: the file's size and name, and a form's text fields.
pub(crate) struct Received {
    /// `(name, value)` of a form's text fields, in order; a `map` field gives one
    /// pair per non-blank line; blank fields are left out.
    pub fields: Vec<(String, String)>,
    pub filename: Option<String>,
    pub size: u64,
}

/// Spools the file of a request into `upload`: the raw body, or the part
/// named `file` of a multipart form (`curl -F file=@products.csv`, the
/// back-office's import form), whose text fields before it are kept. 413 past
/// `limit` bytes; an empty file or a form without one is refused.
pub(crate) async fn receive(
    headers: &HeaderMap,
    body: Body,
    upload: &Upload,
    limit: usize,
) -> Result<Received, ApiError> {
    let Some(boundary) = multipart_boundary(headers) else {
        let size = upload.receive(body.into_data_stream().map_err(|e| bad_body(&e)), limit).await?;
        if size == 0 {
            return Err(ApiError::bad_request(
                Code::EmptyBody,
                "the request body is empty; send the file as the body",
            ));
        }
        return Ok(Received { fields: Vec::new(), filename: None, size });
    };
    let mut form = multer::Multipart::new(body.into_data_stream(), boundary);
    let mut fields = Vec::new();
    while let Some(field) = form.next_field().await.map_err(bad_form)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let filename = field.file_name().map(str::to_string).filter(|f| !f.is_empty());
            let size = upload.receive(field.map_err(bad_form), limit).await?;
            if size == 0 {
                return Err(ApiError::bad_request(Code::EmptyBody, "the file is empty"));
            }
            return Ok(Received { fields, filename, size });
        }
        let value = field.text().await.map_err(bad_form)?;
        match name.as_str() {
            "map" => fields.extend(
                value
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| ("map".to_string(), l.to_string())),
            ),
            _ if value.trim().is_empty() => {}
            _ => fields.push((name, value.trim().to_string())),
        }
    }
    Err(ApiError::bad_request(Code::EmptyBody, "choose a file to import: the form has no part named `file`"))
}

/// The boundary of a `multipart/form-data` body, if it is one.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    multer::parse_boundary(content_type).ok()
}

fn bad_form(err: multer::Error) -> ApiError {
    crate::error::timed_out(&err)
        .unwrap_or_else(|| ApiError::bad_request(Code::BadBody, format!("the form could not be read: {err}")))
}

fn bad_body(err: &axum::Error) -> ApiError {
    crate::error::timed_out(err).unwrap_or_else(|| {
        ApiError::bad_request(Code::BadBody, format!("the request body could not be read: {err}"))
    })
}

/// Checks what can be checked before any row is read (format, mapping,
/// header: a plainly wrong file is answered now, with the message the CLI
/// prints), then runs the import of the spooled `upload` as a task.
pub(crate) async fn start_import(
    state: &AppState,
    request: ImportRequest,
    upload: Upload,
    size: u64,
) -> Result<Task, ApiError> {
    let app = state.app.clone();
    blocking(move || {
        // Messages name the file by the client's name, never the server's path.
        let name = request.filename.clone().unwrap_or_else(|| "upload".to_string());
        let path = upload.path().to_path_buf();
        let open = || std::fs::File::open(&path).map_err(ApiError::internal);
        app::imports::check_reader(open()?, &name, &request.spec)?;
        let file = open()?;
        let path = upload.keep();
        let kind = format!("import_{}", request.spec.kind.as_str());
        let store = app.store.clone();
        let after = app.clone();
        let mut spec = request.spec;
        spec.now = app.clock.now_secs();
        let task = app.tasks.spawn(&kind, "bytes", move |progress| {
            progress(0, Some(size));
            let on_progress =
                |p: app::jobs::Progress| progress(p.bytes_read, Some(p.bytes_total.unwrap_or(size)));
            let outcome = app::imports::import_reader(
                &store,
                std::io::BufReader::new(file),
                &name,
                Some(size),
                &spec,
                &on_progress,
            );
            // The spooled file is ours; remove it whatever happened.
            if let Err(err) = std::fs::remove_file(&path) {
                tracing::warn!(path = %path.display(), error = %err, "could not remove an uploaded file");
            }
            let report = outcome?;
            if spec.kind == app::imports::Kind::Tickets {
                app::support::log_untriaged(&after)?;
            }
            progress(size, Some(size));
            serde_json::to_value(report).map_err(app::Error::internal)
        })?;
        Ok(task)
    })
    .await
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(blocking(move || Ok(state.app.tasks.list()?)).await?))
}

async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Task>, ApiError> {
    let task = blocking(move || {
        state.app.tasks.load(&id)?.ok_or_else(|| ApiError::not_found(format!("task {id:?}")))
    })
    .await?;
    Ok(Json(task))
}

/// A request body spooled to `<data>/tmp/upload-*`; removed on drop unless kept.
pub(crate) struct Upload {
    path: Option<PathBuf>,
}

impl Upload {
    pub(crate) async fn new(data_dir: &std::path::Path) -> Result<Upload, ApiError> {
        let dir = data_dir.join("tmp");
        tokio::fs::create_dir_all(&dir).await.map_err(ApiError::internal)?;
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let name = format!("upload-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed));
        Ok(Upload { path: Some(unique(dir.join(name))) })
    }

    fn path(&self) -> &std::path::Path {
        self.path.as_deref().expect("an upload has its path until kept")
    }

    /// Streams `chunks` into the file; 413 past `limit` bytes.
    pub(crate) async fn receive<S>(&self, chunks: S, limit: usize) -> Result<u64, ApiError>
    where
        S: futures_util::Stream<Item = Result<axum::body::Bytes, ApiError>>,
    {
        let path = self.path.as_ref().expect("an upload has its path until kept");
        let mut file = tokio::fs::File::create(path).await.map_err(ApiError::internal)?;
        let mut size = 0u64;
        let mut chunks = std::pin::pin!(chunks);
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            if size > limit as u64 {
                return Err(ApiError::payload_too_large(limit));
            }
            file.write_all(&chunk).await.map_err(ApiError::internal)?;
        }
        file.flush().await.map_err(ApiError::internal)?;
        tracing::debug!(bytes = size, limit = %human_bytes(limit), "upload received");
        Ok(size)
    }

    /// Hands the file over to its consumer, who removes it.
    fn keep(mut self) -> PathBuf {
        self.path.take().expect("kept once")
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// `path`, or `path-N` for the first N that does not exist yet.
fn unique(path: PathBuf) -> PathBuf {
    if !path.exists() {
        return path;
    }
    (1..)
        .map(|n| PathBuf::from(format!("{}-{n}", path.display())))
        .find(|p| !p.exists())
        .expect("some name is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Ok((kind, format, maps))` or `Err(message fragment)`.
    type Expect<'a> = Result<(&'a str, Option<&'a str>, &'a [(&'a str, &'a str)]), &'a str>;

    #[track_caller]
    fn check(query: &str, expect: Expect<'_>) {
        let got = parse_request(Some(query));
        match (got, expect) {
            (Ok(req), Ok((kind, format, maps))) => {
                assert_eq!(req.spec.kind.as_str(), kind);
                assert_eq!(req.spec.format.map(|f| f.as_str()), format);
                let maps: Vec<String> = maps.iter().map(|(a, b)| format!("{a}={b}")).collect();
                assert_eq!(req.spec.mapping, maps);
            }
            (Err(err), Err(fragment)) => {
                assert!(err.message.contains(fragment), "{query:?}: {}", err.message)
            }
            (got, _) => panic!("{query:?}: unexpected {got:?}"),
        }
    }

    #[test]
    fn parses_import_options_like_the_cli() {
        check("kind=catalog", Ok(("catalog", None, &[])));
        check("kind=catalog&format=shopify", Ok(("catalog", Some("shopify"), &[])));
        check(
            "kind=orders&map=sku%3DStockCode&map=title=Description",
            Ok(("orders", None, &[("sku", "StockCode"), ("title", "Description")])),
        );
        check(
            "kind=catalog&map=option%3ARing+Size=Size",
            Ok(("catalog", None, &[("option:Ring Size", "Size")])),
        );
        check("", Err("`kind` is required"));
        check("kind=photos", Err("unknown import kind"));
        check("kind=catalog&format=pdf", Err("pdf"));
        check("kind=catalog&map=sku", Err("not `target=source`"));
        check("kind=catalog&colour=red", Err("unknown query parameter"));
        check("kind=%ZZ", Err("percent"));
        check("kind=catalog&currency=dollars", Err("currency"));
        check("kind=catalog&replace=maybe", Err("expected true or false"));
        check("kind=orders&replace=true", Err("catalog imports only"));
    }

    #[test]
    fn takes_replace_like_the_cli() {
        assert!(parse_request(Some("kind=catalog&replace=true")).unwrap().spec.replace);
        assert!(!parse_request(Some("kind=catalog&replace=false")).unwrap().spec.replace);
        assert!(!parse_request(Some("kind=catalog")).unwrap().spec.replace);
    }

    /// Regression: rupee prices were stored as dollars: HTTP took no currency.
    #[test]
    fn takes_the_currency_like_the_cli() {
        let req = parse_request(Some("kind=catalog&currency=INR")).unwrap();
        assert_eq!(req.spec.currency, Some(model::Currency::parse("INR").unwrap()));
        assert_eq!(parse_request(Some("kind=catalog")).unwrap().spec.currency, None);
    }
}
