//! The OpenAPI 3.1 document served at `/openapi.json`, assembled from the
//! same [`Area`](super::routes::Area) list the router is built from: a route
//! cannot be added without its operation, so the document stays true.
//!
//! [`Op`] is a small builder for one operation; areas register the schemas
//! their operations refer to with `Area::schema`. Access levels become the
//! operation's `security` and its 401/403 responses automatically.

use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use store::Scope;

use super::auth::Access;
use super::routes::Area;

/// One operation (a method on a path).
#[derive(Clone, Debug)]
pub struct Op {
    summary: String,
    description: Option<String>,
    parameters: Vec<Value>,
    request_body: Option<Value>,
    responses: Map<String, Value>,
}

impl Op {
    pub fn new(summary: &str) -> Op {
        Op {
            summary: summary.to_string(),
            description: None,
            parameters: Vec::new(),
            request_body: None,
            responses: Map::new(),
        }
    }

    pub fn describe(mut self, text: &str) -> Op {
        self.description = Some(text.to_string());
        self
    }

    /// Adds a paragraph to the description.
    pub fn note(mut self, text: &str) -> Op {
        self.description = Some(match self.description.take() {
            Some(d) if !d.is_empty() => format!("{d}\n\n{text}"),
            _ => text.to_string(),
        });
        self
    }

    /// A query parameter; `ty` is a JSON-schema type (`string`, `integer`, ...).
    pub fn query(mut self, name: &str, ty: &str, description: &str) -> Op {
        self.parameters.push(json!({
            "name": name, "in": "query", "required": false,
            "description": description, "schema": {"type": ty},
        }));
        self
    }

    /// A query parameter with its own JSON schema (bounds, formats, patterns).
    pub fn query_with(mut self, name: &str, required: bool, schema: Value, description: &str) -> Op {
        self.parameters.push(json!({
            "name": name, "in": "query", "required": required,
            "description": description, "schema": schema,
        }));
        self
    }

    /// An integer query parameter from `min` to `max`.
    pub fn query_int(self, name: &str, min: i64, max: i64, description: &str) -> Op {
        self.query_with(name, false, json!({"type": "integer", "minimum": min, "maximum": max}), description)
    }

    /// A date query parameter (`YYYY-MM-DD`).
    pub fn query_date(self, name: &str, description: &str) -> Op {
        self.query_with(name, false, date(), description)
    }

    /// A query parameter that must be given and not be blank.
    pub fn query_required(self, name: &str, description: &str) -> Op {
        self.query_with(name, true, text(), description)
    }

    /// A required query parameter restricted to `values`.
    pub fn query_enum(mut self, name: &str, values: &[&str], required: bool, description: &str) -> Op {
        self.parameters.push(json!({
            "name": name, "in": "query", "required": required,
            "description": description, "schema": {"type": "string", "enum": values},
        }));
        self
    }

    /// A path parameter (`{name}` in the route).
    pub fn path(mut self, name: &str, description: &str) -> Op {
        self.parameters.push(json!({
            "name": name, "in": "path", "required": true,
            "description": description, "schema": {"type": "string"},
        }));
        self
    }

    /// A JSON request body of the given schema.
    pub fn json_body(mut self, schema: Value, description: &str) -> Op {
        self.request_body = Some(json!({
            "required": true, "description": description,
            "content": {"application/json": {"schema": schema}},
        }));
        self
    }

    /// A raw request body of any of `content_types`.
    pub fn raw_body(mut self, content_types: &[&str], description: &str) -> Op {
        let content: Map<String, Value> = content_types
            .iter()
            .map(|ct| (ct.to_string(), json!({"schema": {"type": "string", "format": "binary"}})))
            .collect();
        self.request_body = Some(json!({"required": true, "description": description, "content": content}));
        self
    }

    /// A JSON response.
    pub fn json(mut self, status: u16, description: &str, schema: Value) -> Op {
        self.responses.insert(
            status.to_string(),
            json!({"description": description, "content": {"application/json": {"schema": schema}}}),
        );
        self
    }

    /// A response of another content type (`text/plain`, `text/html`).
    pub fn content(mut self, status: u16, description: &str, content_type: &str) -> Op {
        self.responses.insert(
            status.to_string(),
            json!({"description": description, "content": {content_type: {"schema": {"type": "string"}}}}),
        );
        self
    }

    /// A response with no body (`204 No Content`).
    pub fn empty(mut self, status: u16, description: &str) -> Op {
        self.responses.insert(status.to_string(), json!({"description": description}));
        self
    }

    /// An error response this operation may give besides the usual ones.
    pub fn error(mut self, status: u16, description: &str) -> Op {
        self.responses.insert(status.to_string(), error_response(description));
        self
    }

    fn to_json(&self, tag: &str, access: Access, scope: Option<Scope>) -> Value {
        let mut op = Map::new();
        op.insert("tags".into(), json!([tag]));
        op.insert("summary".into(), json!(self.summary));
        let mut description = self.description.clone().unwrap_or_default();
        if access != Access::Open {
            if !description.is_empty() {
                description.push_str("\n\n");
            }
            let scope = scope.map_or("admin", Scope::as_str);
            description.push_str(&format!(
                "Needs a key with the `{scope}` scope (or `admin`) once the server has keys."
            ));
        }
        if !description.is_empty() {
            op.insert("description".into(), json!(description));
        }
        if !self.parameters.is_empty() {
            op.insert("parameters".into(), json!(self.parameters));
        }
        if let Some(body) = &self.request_body {
            op.insert("requestBody".into(), body.clone());
        }
        let mut responses = self.responses.clone();
        if self.request_body.is_some() || !self.parameters.is_empty() {
            responses.entry("400").or_insert_with(|| error_response("Bad input (see `code` and `message`)."));
        }
        if let Some(body) = &self.request_body {
            if body["content"].get("application/json").is_some() {
                responses
                    .entry("415")
                    .or_insert_with(|| error_response("The body is not sent as `application/json`."));
                responses
                    .entry("422")
                    .or_insert_with(|| error_response("The body is JSON but not of the expected shape."));
            }
            responses
                .entry("413")
                .or_insert_with(|| error_response("The body is over the route's size limit."));
        }
        if access != Access::Open {
            responses
                .entry("429")
                .or_insert_with(|| error_response("Too many requests; retry after `Retry-After` seconds."));
        }
        if access != Access::Open {
            responses.entry("401").or_insert_with(|| error_response("Missing or invalid API key."));
            op.insert("security".into(), json!([{"bearer": []}, {"apiKey": []}]));
        }
        if matches!(access, Access::Admin | Access::AdminPage) {
            responses
                .entry("403")
                .or_insert_with(|| error_response("The key's scopes do not include this route's."));
        }
        op.insert("responses".into(), Value::Object(responses));
        Value::Object(op)
    }
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema_ref("Error")}}})
}

/// A `YYYY-MM-DD` date.
pub fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": "^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"})
}

/// A `YYYY-MM-DD` date, or empty (the same as absent).
pub fn date_or_empty() -> Value {
    json!({"anyOf": [date(), {"type": "string", "maxLength": 0}]})
}

/// A day (`YYYY-MM-DD`) or an instant (RFC 3339); empty is the same as absent.
pub fn day_or_instant() -> Value {
    json!({"anyOf": [date(), {"type": "string", "format": "date-time"}, {"type": "string", "maxLength": 0}]})
}

/// A string that is not blank (the server trims what it reads).
pub fn text() -> Value {
    json!({"type": "string", "minLength": 1, "pattern": "\\S"})
}

/// A non-blank string of at most `max` characters.
pub fn text_max(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": "\\S"})
}

/// `{"$ref": "#/components/schemas/NAME"}`.
pub fn schema_ref(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `{"code", "message"}` with every code of the table (`app::Code`), its
/// status and what it means, so that clients can match on them.
fn error_schema() -> Value {
    let codes: Vec<&str> = app::Code::ALL.iter().map(|c| c.as_str()).collect();
    let table: Vec<String> = app::Code::ALL
        .iter()
        .map(|c| format!("- `{}` ({}): {}", c.as_str(), c.status(), c.description()))
        .collect();
    json!({
        "type": "object", "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "enum": codes,
                "description": format!("Stable machine-readable code:\n{}", table.join("\n")),
            },
            "message": {"type": "string", "description": "Human-readable explanation; never internal details."},
            "request_id": {"type": "string", "description": "For `internal` errors: the id the server logged the details under."},
        },
    })
}

/// The document for `areas`.
pub(crate) fn document(areas: &[Area]) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert("Error".into(), error_schema());
    let mut tags = Vec::new();
    for area in areas {
        tags.push(json!({"name": area.tag, "description": area.description}));
        for (name, schema) in &area.schemas {
            schemas.insert(name.to_string(), schema.clone());
        }
        for route in &area.routes {
            let Some(op) = &route.op else { continue };
            let item = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
            item[route.method.as_str().to_ascii_lowercase()] =
                op.to_json(area.tag, route.access, route.scope(area.admin_scope));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Loupe",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Catalog, search, recommendations and demand planning for jewelry brands. \
                Every error is JSON {\"code\", \"message\"}. Every automated decision carries `why`.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": tags,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer <key>`"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    })
}

/// The document as served, built once from [`super::routes::areas`].
pub(crate) fn served() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| document(&super::areas()).to_string())
}
