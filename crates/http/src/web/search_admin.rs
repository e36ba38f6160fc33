//! The back-office's `/admin/search`: search analytics from storefront
//! events (top queries, click-through by position, queries with no results
//! or no clicks), the merchandising rules (edited with the form in
//! [`super::rules`]), and a "try a query" box that shows how the engine
//! understood a query and why each hit ranks where it does.

use axum::extract::State;
use maud::{html, Markup};

use super::chart::{svg_bar_chart, Bar};
use super::search::chip;
use super::{group_thousands, page, url_encode, PageQuery, PageResult};
use crate::blocking;
use crate::state::AppState;
use app::wire::search::{Rule, SearchResponse};

/// `/admin/search`'s query string: the query to try.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AdminSearchParams {
    #[serde(default)]
    pub q: Option<String>,
    /// Set by the rule form's redirect: the rule just saved.
    #[serde(default)]
    pub saved: Option<String>,
    /// Set by the delete confirmation's redirect: the rule just deleted.
    #[serde(default)]
    pub deleted: Option<String>,
}

/// What `/admin/search` shows, gathered off the async runtime.
pub struct AdminSearchView {
    pub analytics: search::SearchAnalytics,
    pub rules: Vec<Rule>,
    /// The tried query's response, or why it failed.
    pub tried: Option<Result<SearchResponse, String>>,
    /// What the rule form just did ("Saved rule 'x'."), shown above the rules.
    pub notice: Option<String>,
}

/// Queries per analytics list.
const ADMIN_LIST: usize = 15;
/// Hits shown for a tried query.
const ADMIN_HITS: usize = 10;

/// `/admin/search`: search analytics, merchandising rules, try a query.
pub(crate) async fn admin_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<AdminSearchParams>,
) -> PageResult {
    let q = params.q.as_deref().map(str::trim).unwrap_or("").to_string();
    let tried_q = q.clone();
    let view = blocking(move || {
        let analytics = state.app.engines.search_analytics(ADMIN_LIST)?;
        let rules = app::search::rules(&state.app.engines)?;
        let tried = (!tried_q.is_empty()).then(|| {
            let mut req = search::SearchRequest::new(&tried_q);
            req.limit = ADMIN_HITS;
            req.now = state.app.clock.now_secs();
            app::search::search(&state.app.engines, &req).map_err(|e| crate::ApiError::from(e).message)
        });
        Ok(AdminSearchView { analytics, rules, tried, notice: None })
    })
    .await?;
    let mut view = view;
    view.notice = match (params.saved, params.deleted) {
        (Some(id), _) => Some(format!("Saved rule \u{201c}{id}\u{201d}: it applies from the next search.")),
        (None, Some(id)) => Some(format!("Deleted rule \u{201c}{id}\u{201d}.")),
        (None, None) => None,
    };
    Ok(page("Search", "/admin/search", render_admin(&view, &q)))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn try_link(query: &str) -> Markup {
    html! { a href={ "/admin/search?q=" (url_encode(query)) "#try" } { (query) } }
}

/// A table of query statistics; `cols` picks the columns after the query.
fn query_table(caption: &str, rows: &[search::QueryStat], cols: &[&str]) -> Markup {
    let cell = |r: &search::QueryStat, c: &str| match c {
        "Searches" => group_thousands(u64::from(r.searches)),
        "Clicks" => group_thousands(u64::from(r.clicks)),
        "CTR" => pct(r.ctr()),
        "Purchases" => group_thousands(u64::from(r.purchases)),
        "Conversion" => pct(r.conversion()),
        "No results" => group_thousands(u64::from(r.zero_results)),
        _ => String::new(),
    };
    html! {
        @if rows.is_empty() {
            p class="muted small" { (caption) ": none." }
        } @else {
            div class="table-wrap" {
                table {
                    caption { (caption) }
                    thead { tr { th { "Query" } @for c in cols { th class="num" { (c) } } } }
                    tbody {
                        @for r in rows {
                            tr {
                                td { (try_link(&r.query)) }
                                @for c in cols { td class="num" { (cell(r, c)) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The page body of `/admin/search`; `q` is the tried query.
pub fn render_admin(view: &AdminSearchView, q: &str) -> Markup {
    let a = &view.analytics;
    let overall = |n: u32| if a.searches == 0 { 0.0 } else { f64::from(n) / f64::from(a.searches) };
    // Positions only a handful of searches reached would draw noise.
    let most = a.ctr_by_position.iter().map(|p| p.impressions).max().unwrap_or(0);
    let bars: Vec<Bar> = a
        .ctr_by_position
        .iter()
        .filter(|p| p.impressions >= 5 && u64::from(p.impressions) * 100 >= u64::from(most))
        .map(|p| {
            Bar::new(format!("#{}", p.position + 1), 100.0 * p.ctr()).text(format!(
                "{} ({} of {})",
                pct(p.ctr()),
                group_thousands(u64::from(p.clicks)),
                group_thousands(u64::from(p.impressions))
            ))
        })
        .collect();
    html! {
        h1 { "Search" }
        ul class="stats" {
            li { span class="value" { (group_thousands(u64::from(a.searches))) } span class="label" { "searches" } }
            li { span class="value" { (group_thousands(u64::from(a.clicks))) } span class="label" { "clicks from results" } }
            li {
                span class="value" { (pct(overall(a.clicked_searches))) }
                span class="label" { "click-through (searches with a click)" }
            }
            li { span class="value" { (view.rules.len()) } span class="label" { "merchandising rules" } }
        }
        section class="panel" id="try" {
            h2 { "Try a query" }
            p class="muted small" {
                "How Loupe understands a shopper's words, what it had to relax, and why each of the top "
                (ADMIN_HITS) " pieces ranks where it does."
            }
            form class="filters" method="get" action="/admin/search#try" {
                label {
                    "Query"
                    input type="search" name="q" value=(q) placeholder="delicate yellow gold birthstone necklace under $150";
                }
                button class="button" type="submit" { "Search" }
                @if !q.is_empty() {
                    a class="small" href={ "/admin/search/rules/new?q=" (url_encode(q)) } { "Make a rule for this query" }
                }
            }
            @match &view.tried {
                None => p class="muted small" { "Type a query, or pick one from the lists below." },
                Some(Err(msg)) => p class="badge bad" { (msg) },
                Some(Ok(r)) => (render_tried(r)),
            }
        }
        section class="panel" {
            h2 { "Top queries" }
            p class="muted small" {
                "From storefront events. As the shop's search answered them at the time. CTR: share of searches \
                 followed by a click on a result. Conversion: purchases of a clicked result (same session) per search."
            }
            (query_table("Most searched", &a.top_queries, &["Searches", "Clicks", "CTR", "Purchases", "Conversion"]))
        }
        section class="panel" {
            h2 { "Click-through by position" }
            p class="muted small" {
                "Share of searches that showed a result at this position and got a click on it (positions shown \
                 to fewer than 1% of searches are left out). A steep fall after the first rows is normal; a flat \
                 curve means shoppers scroll past what ranks first."
            }
            @if bars.is_empty() {
                p class="muted small" { "No searches with results yet." }
            } @else {
                (svg_bar_chart("Click-through rate by result position", &bars, None))
            }
        }
        section class="panel" {
            h2 { "Queries with no results" }
            p class="muted small" {
                "Shoppers asked and Loupe showed nothing: candidates for a synonym, a rule, or a product the \
                 brand does not carry."
            }
            (query_table("Zero-result queries", &a.zero_result_queries, &["No results", "Searches"]))
        }
        section class="panel" {
            h2 { "Queries nobody clicks" }
            p class="muted small" {
                "Searched at least three times with results, never clicked: the results do not look like what \
                 was asked. Try them above to see why."
            }
            (query_table("Queries without clicks", &a.no_click_queries, &["Searches"]))
        }
        (rules_panel(&view.rules, view.notice.as_deref()))
    }
}

/// The merchandising rules: how they work, the list with edit and delete,
/// and the way to a new one.
fn rules_panel(rules: &[Rule], notice: Option<&str>) -> Markup {
    html! {
        section class="panel" id="rules" {
            div class="panel-head" {
                h2 { "Merchandising rules" }
                a class="button" href="/admin/search/rules/new" { "New rule" }
            }
            @if let Some(n) = notice {
                p class="notice" role="status" { (n) }
            }
            p class="small" {
                "A rule applies to searches whose query contains all its words, or to a category, optionally \
                 between two dates. "
                strong { "pin" } " puts its products first, in the rule's order; "
                strong { "boost" } " adds points (default 2) so they rise; "
                strong { "bury" } " takes points off so they sink; "
                strong { "hide" } " removes them from results. Every affected hit says so in its "
                code { "why" } " (\u{201c}pinned by rule 'valentines-hero'\u{201d})."
            }
            @if rules.is_empty() {
                div class="placeholder small-placeholder" {
                    p {
                        "No rules yet: pin a product to the top of a query, boost or bury it, or hide it, \
                         for a season or for good."
                    }
                    p { a class="button ghost" href="/admin/search/rules/new" { "Create the first rule" } }
                }
            } @else {
                div class="table-wrap" {
                    table {
                        caption { "Rules" }
                        thead {
                            tr {
                                th { "Id" } th { "Action" } th { "Applies to" } th { "Products" } th { "Active" }
                            }
                        }
                        tbody { @for r in rules { (rule_row(r)) } }
                    }
                }
            }
            p class="muted small" {
                "Integrators manage the same rules with the admin key: " code { "GET /v1/rules" } ", "
                code { "POST /v1/rules" } ", " code { "PUT /v1/rules/{id}" } ", " code { "DELETE /v1/rules/{id}" }
                ". Changes apply to the next search, without a rebuild."
            }
        }
    }
}

fn rule_row(r: &Rule) -> Markup {
    let action = match (r.action.as_str(), r.amount) {
        ("boost" | "bury", Some(x)) => format!("{} {}", r.action, super::trim_float(f64::from(x))),
        _ => r.action.clone(),
    };
    let when = match (&r.starts_at, &r.ends_at) {
        (None, None) => "always".to_string(),
        (Some(s), None) => format!("from {s}"),
        (None, Some(e)) => format!("until {e}"),
        (Some(s), Some(e)) => format!("{s} to {e}"),
    };
    html! {
        tr {
            td {
                (r.id)
                // In the first column, so that a phone shows them without scrolling the table.
                div class="row-actions small" {
                    a href={ "/admin/search/rules/edit?id=" (url_encode(&r.id)) } aria-label={ "Edit rule " (r.id) } { "Edit" }
                    " \u{b7} "
                    a href={ "/admin/search/rules/delete?id=" (url_encode(&r.id)) } aria-label={ "Delete rule " (r.id) } { "Delete" }
                }
            }
            td { (action) }
            td {
                @match (&r.query, &r.category) {
                    (Some(q), Some(c)) => { (try_link(q)) " in " (c) },
                    (Some(q), None) => (try_link(q)),
                    (None, Some(c)) => { "category " (c) },
                    (None, None) => "every search",
                }
            }
            td {
                @for (i, h) in r.products.iter().enumerate() {
                    @if i > 0 { ", " }
                    a href={ "/p/" (url_encode(h)) } { (h) }
                }
            }
            td { (when) }
        }
    }
}

/// The tried query: understood terms, relaxations, hits with their `why`.
fn render_tried(r: &SearchResponse) -> Markup {
    let u = &r.understood;
    let nothing = u.constraints.is_empty() && u.preferences.is_empty() && u.terms.is_empty();
    html! {
        @if nothing {
            p class="small" { "Understood: nothing specific; every piece matches." }
        } @else {
            p class="small" { "Understood as:" }
            ul class="chips" {
                @for i in &u.constraints {
                    li title={ "from '" (i.from) "'" } { "must: " (chip(i)) }
                }
                @for i in &u.preferences {
                    li title={ "from '" (i.from) "'" } { "prefers: " (chip(i)) }
                }
                @for t in &u.terms {
                    li { "text: " (t) }
                }
            }
        }
        @for c in &u.corrections {
            p class="small" { "Corrected \u{201c}" (c.from) "\u{201d} to \u{201c}" (c.to) "\u{201d}." }
        }
        @for i in &u.ignored {
            p class="muted small" { "Ignored " (i) "." }
        }
        @if r.relaxed.is_empty() {
            p class="muted small" { "Nothing relaxed: every constraint held." }
        } @else {
            p class="small" { "Relaxed, step by step:" }
            ol class="small" { @for x in &r.relaxed { li { strong { (x.constraint) } ": " (x.detail) } } }
        }
        div class="table-wrap" {
            table {
                caption {
                    (group_thousands(r.total as u64)) " " (if r.total == 1 { "match" } else { "matches" })
                    " (top " (r.hits.len()) ")"
                }
                thead {
                    tr {
                        th class="num" { "#" } th { "Piece" } th { "Variant" } th class="num" { "Price" }
                        th class="num" { "Score" } th { "Why" }
                    }
                }
                tbody {
                    @for (i, h) in r.hits.iter().enumerate() {
                        tr {
                            td class="num" { (i + 1) }
                            td { a href={ "/p/" (url_encode(&h.handle)) } { (h.title) } }
                            td { (h.variant_sku.as_deref().unwrap_or("")) }
                            td class="num" { (h.price.map(|p| format!("{p:.2}")).unwrap_or_default()) }
                            td class="num" { (format!("{:.2}", h.score)) }
                            td {
                                ul class="why-list" {
                                    @for w in &h.why {
                                        li {
                                            strong { (super::label(&w.signal)) } " " (w.detail) " "
                                            span class="muted" { "(" (format!("{:+.2}", w.contribution)) ")" }
                                        }
                                    }
                                }
                            }
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
    fn admin_page_shows_analytics_rules_and_the_tried_query() {
        let analytics = search::SearchAnalytics {
            searches: 10,
            clicks: 4,
            clicked_searches: 3,
            top_queries: vec![search::QueryStat {
                query: "ruby ring".into(),
                searches: 8,
                clicks: 4,
                clicked_searches: 3,
                zero_results: 0,
                purchases: 2,
            }],
            zero_result_queries: vec![search::QueryStat {
                query: "<script>".into(),
                searches: 2,
                zero_results: 2,
                ..search::QueryStat::default()
            }],
            no_click_queries: vec![],
            ctr_by_position: vec![
                search::PositionStat { position: 0, impressions: 8, clicks: 3 },
                search::PositionStat { position: 19, impressions: 1, clicks: 0 },
            ],
        };
        let rule = Rule {
            id: "valentines-hero".into(),
            action: "pin".into(),
            amount: None,
            products: vec!["ruby-heart".into()],
            query: Some("valentine".into()),
            category: None,
            starts_at: None,
            ends_at: Some("2027-02-15".into()),
        };
        let view = AdminSearchView {
            analytics,
            rules: vec![rule],
            tried: Some(Err("bad query".into())),
            notice: Some("Saved rule \u{201c}valentines-hero\u{201d}.".into()),
        };
        let html = render_admin(&view, "ruby <b>").into_string();
        for want in [
            "ruby ring",
            "37.5%",
            "25.0%",
            "30.0%",
            "&lt;script&gt;",
            "<ul class=\"bars\"",
            "37.5% (3 of 8)",
            "valentines-hero",
            "until 2027-02-15",
            "/v1/rules",
            "value=\"ruby &lt;b&gt;\"",
            "bad query",
            "Queries nobody clicks",
            "/admin/search/rules/edit?id=valentines-hero",
            "/admin/search/rules/delete?id=valentines-hero",
            "/admin/search/rules/new?q=ruby+%3Cb%3E",
            "Saved rule",
        ] {
            assert!(html.contains(want), "missing {want:?}");
        }
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert!(!html.contains("#20"), "a position one search reached is noise");
    }
}
