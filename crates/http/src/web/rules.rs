//! The back-office's merchandising-rule form, linked from `/admin/search`:
//! create or edit a rule (pin, boost, bury, hide; the query or category it
//! applies to; its products by handle or SKU; an optional date window),
//! preview the rule's search with and without it, save it, or delete it.
//!
//! Writes go through the same use cases as `/v1/rules` (`app::search`), and,
//! like the back-office's other forms (the replenishment decision, the import
//! form), only as `POST`s of an `/admin` page: the admin login guards them,
//! and `refuse_cross_site_writes` refuses any posted from another site.
//! Deleting asks for a confirmation on its own page first. A form with
//! mistakes comes back as typed, each mistake beside its field.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use model::Category;
use serde::Deserialize;

use super::{page, url_encode, PageError, PageQuery, PageResult};
use crate::blocking;
use crate::routes::{Access, Area, Scope};
use crate::state::AppState;
use app::search::{FieldError, RulePreview};
use app::wire::search::{Rule, SearchResponse};

pub(crate) fn area() -> Area {
    Area::new("rule pages", "The merchandising-rule form.")
        .admin_scope(Scope::AdminMerchandising)
        .page("/admin/search/rules/new", Access::AdminPage, new_rule)
        .page("/admin/search/rules/edit", Access::AdminPage, edit_rule)
        .page_post("/admin/search/rules", Access::AdminPage, post_rule)
        .page("/admin/search/rules/delete", Access::AdminPage, confirm_delete)
        .page_post("/admin/search/rules/delete", Access::AdminPage, delete_rule)
}

/// Hits in each column of the preview.
const PREVIEW_HITS: usize = 10;

/// What the form holds, as typed: every field a string, so that a mistake
/// comes back exactly as the merchandiser wrote it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RuleForm {
    /// The id of the rule being edited; empty for a new rule.
    original: String,
    id: String,
    action: String,
    amount: String,
    query: String,
    category: String,
    /// Handles or SKUs, one a line or separated by commas.
    products: String,
    starts_at: String,
    ends_at: String,
    /// `preview` or `save`: which button sent the form.
    intent: String,
}

impl RuleForm {
    fn from_rule(r: &Rule) -> RuleForm {
        RuleForm {
            original: r.id.clone(),
            id: r.id.clone(),
            action: r.action.clone(),
            amount: r.amount.map(|a| super::trim_float(f64::from(a))).unwrap_or_default(),
            query: r.query.clone().unwrap_or_default(),
            category: r.category.clone().unwrap_or_default(),
            products: r.products.join("\n"),
            starts_at: r.starts_at.clone().unwrap_or_default(),
            ends_at: r.ends_at.clone().unwrap_or_default(),
            intent: String::new(),
        }
    }

    fn editing(&self) -> bool {
        !self.original.is_empty()
    }

    /// The rule the form states, with the mistakes the text alone shows (a
    /// number that is not one); the rest are `app::search::check_rule`'s.
    fn to_rule(&self) -> (Rule, Vec<FieldError>) {
        let mut errors = Vec::new();
        let amount = match self.amount.trim() {
            "" => None,
            a => match a.parse::<f32>() {
                Ok(x) => Some(x),
                Err(_) => {
                    errors.push(FieldError::new("amount", format!("{a:?} is not a number of points.")));
                    None
                }
            },
        };
        let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        let rule = Rule {
            // An edited rule keeps its id: the field is read-only then.
            id: if self.editing() { self.original.clone() } else { self.id.trim().to_string() },
            action: self.action.trim().to_string(),
            amount: amount.filter(|_| matches!(self.action.as_str(), "boost" | "bury")),
            products: self
                .products
                .split(['\n', ','])
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(String::from)
                .collect(),
            query: text(&self.query),
            category: text(&self.category),
            starts_at: text(&self.starts_at),
            ends_at: text(&self.ends_at),
        };
        (rule, errors)
    }
}

#[derive(Debug, Default, Deserialize)]
struct NewParams {
    /// A query to start the rule from (the "Try a query" box links here).
    q: Option<String>,
}

async fn new_rule(PageQuery(params): PageQuery<NewParams>) -> PageResult {
    let form = RuleForm {
        action: "pin".into(),
        query: params.q.unwrap_or_default().trim().to_string(),
        ..RuleForm::default()
    };
    Ok(form_page(&form, &[], None))
}

#[derive(Debug, Default, Deserialize)]
struct IdParams {
    #[serde(default)]
    id: String,
}

async fn edit_rule(State(state): State<AppState>, PageQuery(params): PageQuery<IdParams>) -> PageResult {
    let rule = blocking(move || Ok(app::search::rule(&state.app.engines, &params.id)?)).await?;
    Ok(form_page(&RuleForm::from_rule(&rule), &[], None))
}

/// The form posted: check it, then preview or save. Mistakes come back in
/// the form (422) with what was typed.
async fn post_rule(
    State(state): State<AppState>,
    axum::Form(form): axum::Form<RuleForm>,
) -> Result<Response, PageError> {
    let posted = form.clone();
    let outcome = blocking(move || {
        let (rule, mut errors) = posted.to_rule();
        let engines = &state.app.engines;
        let checked = match app::search::check_rule(engines, &rule)? {
            Ok(rule) if errors.is_empty() => rule,
            Ok(_) => return Ok(Outcome::Invalid(errors)),
            Err(more) => {
                errors.extend(more);
                return Ok(Outcome::Invalid(errors));
            }
        };
        if posted.intent == "save" {
            let create = !posted.editing();
            return match app::search::save_rule(engines, &checked, create) {
                Ok(()) => Ok(Outcome::Saved(checked.id)),
                Err(e) if e.code == app::Code::Conflict => Ok(Outcome::Invalid(vec![FieldError::new(
                    "id",
                    format!(
                        "A rule with the id {:?} exists already: choose another id, or edit that rule.",
                        checked.id
                    ),
                )])),
                Err(e) => Err(e.into()),
            };
        }
        let preview = app::search::preview_rule(engines, &checked, state.app.clock.now_secs(), PREVIEW_HITS)?;
        Ok(Outcome::Preview(Box::new((checked, preview))))
    })
    .await?;
    Ok(match outcome {
        Outcome::Saved(id) => {
            Redirect::to(&format!("/admin/search?saved={}#rules", url_encode(&id))).into_response()
        }
        Outcome::Invalid(errors) => {
            (StatusCode::UNPROCESSABLE_ENTITY, form_page(&form, &errors, None)).into_response()
        }
        Outcome::Preview(p) => {
            let (rule, preview) = *p;
            form_page(&form, &[], Some((&rule, &preview))).into_response()
        }
    })
}

enum Outcome {
    Saved(String),
    Invalid(Vec<FieldError>),
    Preview(Box<(Rule, RulePreview)>),
}

async fn confirm_delete(State(state): State<AppState>, PageQuery(params): PageQuery<IdParams>) -> PageResult {
    let rule = blocking(move || Ok(app::search::rule(&state.app.engines, &params.id)?)).await?;
    let body = html! {
        p class="muted small" { a href="/admin/search#rules" { "\u{2190} Search" } }
        h1 { "Delete rule " code { (rule.id) } "?" }
        section class="panel" {
            p { (summary(&rule)) }
            p class="muted small" { "Searches stop following it at once. This cannot be undone." }
            form method="post" action="/admin/search/rules/delete" class="actions" {
                input type="hidden" name="id" value=(rule.id);
                button class="button" type="submit" { "Delete the rule" }
                " "
                a class="button ghost" href="/admin/search#rules" { "Keep it" }
            }
        }
    };
    Ok(page("Delete rule", "/admin/search", body))
}

async fn delete_rule(
    State(state): State<AppState>,
    axum::Form(params): axum::Form<IdParams>,
) -> Result<Redirect, PageError> {
    let id = params.id.clone();
    blocking(move || Ok(app::search::delete_rule(&state.app.engines, &params.id)?)).await?;
    Ok(Redirect::to(&format!("/admin/search?deleted={}#rules", url_encode(&id))))
}

/// One sentence for a rule: "pin ruby-heart on searches for “valentine”, until 2027-02-15".
pub(crate) fn summary(r: &Rule) -> String {
    let what = match (r.action.as_str(), r.amount) {
        ("boost" | "bury", Some(x)) => format!("{} by {} points", r.action, super::trim_float(f64::from(x))),
        _ => r.action.clone(),
    };
    let on = match (&r.query, &r.category) {
        (Some(q), Some(c)) => format!("searches for \u{201c}{q}\u{201d} in {c}"),
        (Some(q), None) => format!("searches for \u{201c}{q}\u{201d}"),
        (None, Some(c)) => format!("searches in {c}"),
        (None, None) => "every search".into(),
    };
    let when = match (&r.starts_at, &r.ends_at) {
        (None, None) => String::new(),
        (Some(s), None) => format!(", from {s}"),
        (None, Some(e)) => format!(", until {e}"),
        (Some(s), Some(e)) => format!(", from {s} until {e}"),
    };
    format!("{what} {} on {on}{when}", r.products.join(", "))
}

/// The form page: the form as typed, its mistakes, and the preview if asked.
fn form_page(form: &RuleForm, errors: &[FieldError], preview: Option<(&Rule, &RulePreview)>) -> Markup {
    let title = if form.editing() { "Edit rule" } else { "New rule" };
    let body = html! {
        p class="muted small" { a href="/admin/search#rules" { "\u{2190} Search" } }
        h1 { (title) @if form.editing() { " " code { (form.original) } } }
        @if !errors.is_empty() {
            div class="form-errors" role="alert" {
                p { strong { "The rule was not saved. " } "Check these fields:" }
                ul { @for e in errors { li { a href={ "#f-" (e.field) } { (field_label(e.field)) } ": " (e.message) } } }
            }
        }
        section class="panel" {
            (rule_form(form, errors))
        }
        @if let Some((rule, p)) = preview {
            (render_preview(rule, p))
        }
    };
    page(title, "/admin/search", body)
}

fn field_label(field: &str) -> &'static str {
    match field {
        "id" => "Id",
        "action" => "Action",
        "amount" => "Points",
        "query" => "Query",
        "category" => "Category",
        "products" => "Products",
        "starts_at" => "Starts",
        "ends_at" => "Ends",
        _ => "Rule",
    }
}

fn rule_form(f: &RuleForm, errors: &[FieldError]) -> Markup {
    let error = |field: &str| errors.iter().find(|e| e.field == field).map(|e| e.message.clone());
    // A field's mistake, under it, tied to it for screen readers.
    let note = |field: &str| {
        html! { @if let Some(m) = error(field) { span class="field-error" id={ "err-" (field) } { (m) } } }
    };
    let invalid = |field: &str| error(field).map(|_| "true");
    let described = |field: &str| error(field).map(|_| format!("err-{field}"));
    let date_type = |v: &str| {
        if v.is_empty() || chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok() {
            "date"
        } else {
            "text"
        }
    };
    let actions =
        [("pin", "Pin to the top"), ("boost", "Boost (raise)"), ("bury", "Bury (lower)"), ("hide", "Hide")];
    html! {
        form class="rule-form" method="post" action="/admin/search/rules" novalidate {
            input type="hidden" name="original" value=(f.original);
            label id="f-id" {
                "Id"
                @if f.editing() {
                    input name="id" value=(f.id) readonly aria-describedby="id-hint";
                } @else {
                    input name="id" value=(f.id) placeholder="valentines-hero" autocomplete="off"
                        aria-invalid=[invalid("id")] aria-describedby=[described("id")];
                }
                span class="hint" id="id-hint" { "Letters, digits, - and _. Shown in the reasons of the hits it moves." }
                (note("id"))
            }
            label id="f-action" {
                "Action"
                select name="action" aria-invalid=[invalid("action")] aria-describedby=[described("action")] {
                    @for (value, text) in actions {
                        option value=(value) selected[f.action == value] { (text) }
                    }
                }
                (note("action"))
            }
            label id="f-amount" {
                "Points (boost and bury)"
                input name="amount" value=(f.amount) inputmode="decimal"
                    aria-invalid=[invalid("amount")] aria-describedby=[described("amount")];
                span class="hint" { "Default 2. Pin and hide ignore it." }
                (note("amount"))
            }
            label id="f-query" {
                "Query"
                input name="query" value=(f.query) placeholder="diamond ring"
                    aria-invalid=[invalid("query")] aria-describedby=[described("query")];
                span class="hint" { "Applies when the shopper's query contains all these words." }
                (note("query"))
            }
            label id="f-category" {
                "Category (optional)"
                select name="category" aria-invalid=[invalid("category")] {
                    option value="" { "Any" }
                    @for c in Category::ALL {
                        option value=(c.as_str()) selected[f.category == c.as_str()] { (c.as_str()) }
                    }
                    @if !f.category.is_empty() && Category::parse(&f.category).is_none() {
                        option value=(f.category) selected { (f.category) }
                    }
                }
                (note("category"))
            }
            label id="f-products" class="wide" {
                "Products, by handle or SKU, one a line"
                textarea name="products" rows="4" placeholder="ruby-heart-pendant"
                    aria-invalid=[invalid("products")] aria-describedby=[described("products")] { (f.products) }
                span class="hint" { "Pins keep this order." }
                (note("products"))
            }
            label id="f-starts_at" {
                "Starts (optional)"
                input type=(date_type(&f.starts_at)) name="starts_at" value=(f.starts_at)
                    aria-invalid=[invalid("starts_at")] aria-describedby=[described("starts_at")];
                (note("starts_at"))
            }
            label id="f-ends_at" {
                "Ends (optional)"
                input type=(date_type(&f.ends_at)) name="ends_at" value=(f.ends_at)
                    aria-invalid=[invalid("ends_at")] aria-describedby=[described("ends_at")];
                span class="hint" { "Active from the start date until before the end date (UTC)." }
                (note("ends_at"))
            }
            div class="form-actions wide" {
                button class="button ghost" type="submit" name="intent" value="preview" { "Preview" }
                button class="button" type="submit" name="intent" value="save" { "Save rule" }
                a href="/admin/search#rules" { "Cancel" }
            }
        }
    }
}

/// The rule's search without it and with it, side by side.
fn render_preview(rule: &Rule, p: &RulePreview) -> Markup {
    let now = chrono::DateTime::from_timestamp(p.at, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let asked = rule.query.clone().or_else(|| rule.category.clone()).unwrap_or_default();
    html! {
        section class="panel" id="preview" aria-labelledby="preview-title" {
            h2 id="preview-title" { "Preview: \u{201c}" (asked) "\u{201d}" }
            p class="muted small" {
                "The top " (PREVIEW_HITS) " results as shoppers would see them on " (now)
                ", without this rule and with it. Nothing is saved until you press Save rule. "
                "Products the rule names are marked."
            }
            div class="preview-grid" {
                (preview_column("Without this rule", &p.without_rule, rule))
                (preview_column("With this rule", &p.with_rule, rule))
            }
        }
    }
}

fn preview_column(title: &str, r: &SearchResponse, rule: &Rule) -> Markup {
    html! {
        div class="preview-col" {
            h3 { (title) }
            p class="muted small" { (super::group_thousands(r.total as u64)) " " (if r.total == 1 { "match" } else { "matches" }) }
            @if r.hits.is_empty() {
                p class="muted small" { "No results." }
            } @else {
                ol class="preview-list" {
                    @for h in &r.hits {
                        @let named = rule.products.contains(&h.handle);
                        li class=[named.then_some("ruled")] {
                            a href={ "/p/" (url_encode(&h.handle)) } { (h.title) }
                            " " span class="muted small" { (h.handle) }
                            @if named { " " span class="badge warn" { "in the rule" } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_reads_as_one_sentence() {
        let rule = Rule {
            id: "v".into(),
            action: "boost".into(),
            amount: Some(3.0),
            products: vec!["ruby-heart".into(), "ruby-studs".into()],
            query: Some("valentine".into()),
            category: None,
            starts_at: Some("2027-02-01".into()),
            ends_at: Some("2027-02-15".into()),
        };
        assert_eq!(
            summary(&rule),
            "boost by 3 points ruby-heart, ruby-studs on searches for \u{201c}valentine\u{201d}, from 2027-02-01 until 2027-02-15"
        );
    }

    #[test]
    fn the_form_keeps_what_was_typed_and_reads_products_by_line_or_comma() {
        let form = RuleForm {
            id: " hero ".into(),
            action: "bury".into(),
            amount: "lots".into(),
            query: "  ".into(),
            products: "a-ring\n b-ring, C-SKU\n\n".into(),
            ..RuleForm::default()
        };
        let (rule, errors) = form.to_rule();
        assert_eq!(rule.id, "hero");
        assert_eq!(rule.products, ["a-ring", "b-ring", "C-SKU"]);
        assert_eq!(rule.query, None);
        assert_eq!(errors.iter().map(|e| e.field).collect::<Vec<_>>(), ["amount"]);
        let html = rule_form(&form, &errors).into_string();
        assert!(html.contains("value=\"lots\""), "what was typed stays: {html}");
        assert!(html.contains("id=\"err-amount\""), "{html}");
    }
}
