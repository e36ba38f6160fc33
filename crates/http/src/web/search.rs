//! The storefront's search results page (`/search?q=`): the view model it
//! renders ([`SearchView`]: hits with their `why`, facets, what the query was
//! understood to mean) and the renderer.
//!
//! [`run_engine`] fills the view from Loupe's search engine (the same index
//! and request rules as `GET /v1/search`, through `app::search`).
//!
//! [`admin_page`] is the back-office's `/admin/search`: search analytics from
//! events, the merchandising rules, and a "try a query" box that shows how the
//! engine understood a query and why each hit ranks where it does.

use std::fmt::Write as _;

use model::{Category, Product};

use axum::extract::State;

use maud::{html, Markup};

use super::chart::{svg_bar_chart, Bar};
use super::{
    art, category_plural, fmt_price, group_thousands, materials_line, page, pager, url_encode, PageQuery,
    PageResult,
};
use crate::blocking;
use crate::state::AppState;
use app::wire::search::{Rule, SearchResponse};

/// What the shopper asked: the words and the facet filters they clicked.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub metal: Option<String>,
    #[serde(default)]
    pub stone: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
}

impl SearchParams {
    pub(crate) fn filters(&self) -> [(&'static str, Option<&str>); 3] {
        [
            ("category", self.category.as_deref()),
            ("metal", self.metal.as_deref()),
            ("stone", self.stone.as_deref()),
        ]
    }

    /// This search's URL with filter `key` set to `value` (or removed).
    pub fn url_with(&self, key: &str, value: Option<&str>) -> String {
        let mut url = format!("/search?q={}", url_encode(&self.q));
        for (k, v) in self.filters() {
            let v = if k == key { value } else { v };
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                let _ = write!(url, "&{k}={}", url_encode(v));
            }
        }
        url
    }
}

/// One reason a hit ranks where it does (the wire's `why`).
#[derive(Clone, Debug, PartialEq)]
pub struct Why {
    pub signal: String,
    pub detail: String,
    pub contribution: f64,
}

#[derive(Clone, Debug)]
pub struct SearchHit {
    pub product: Product,
    pub score: f64,
    pub why: Vec<Why>,
    /// The variant that best matches the query (its metal, stone and price
    /// are shown), when the engine named one.
    pub variant_sku: Option<String>,
}

impl SearchHit {
    /// The best-matching variant, if it is one of the product's.
    pub fn variant(&self) -> Option<&model::Variant> {
        let sku = self.variant_sku.as_deref()?;
        self.product.variants.iter().find(|v| v.sku == sku)
    }

    /// `18K rose gold · Ruby`: the best-matching variant's materials (the
    /// product's first ones when no variant is named).
    pub fn materials(&self) -> String {
        let Some(v) = self.variant().filter(|v| !v.metals.is_empty() || !v.stones.is_empty()) else {
            return materials_line(&self.product);
        };
        let mut parts: Vec<String> = v.metals.iter().take(1).map(super::describe_metal).collect();
        parts.extend(v.stones.iter().take(2).map(|s| super::capitalize(&s.kind.replace('_', " "))));
        parts.join(" · ")
    }

    /// The best-matching variant's price, else the product's price (range).
    pub fn price(&self) -> String {
        match self.variant().and_then(|v| v.price) {
            Some(m) => super::fmt_money(m),
            None => fmt_price(&self.product),
        }
    }
}

#[derive(Clone, Debug)]
pub struct FacetValue {
    pub value: String,
    pub label: String,
    pub count: usize,
    pub selected: bool,
}

#[derive(Clone, Debug)]
pub struct Facet {
    /// The query parameter the facet sets (`category`, `metal`, `stone`).
    pub key: &'static str,
    pub label: String,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, Default)]
pub struct SearchView {
    pub total: usize,
    /// The hits of this page, best first.
    pub hits: Vec<SearchHit>,
    pub facets: Vec<Facet>,
    /// What the engine understood (`"metal: gold"`, `"under $200"`), shown as chips.
    pub understood: Vec<String>,
    /// A note above the results (a spelling correction, a relaxed filter).
    pub note: Option<String>,
}

pub const PAGE_SIZE: usize = 24;

/// Fills the view for `params` with the search engine at `now` (Unix
/// seconds); `products` (the catalog by id) supplies the pieces the hits name.
pub fn run_engine(
    index: &search::SearchIndex,
    products: &[Product],
    params: &SearchParams,
    now: i64,
) -> Result<SearchView, app::Error> {
    let mut req = search::SearchRequest::new(&params.q);
    req.limit = PAGE_SIZE;
    req.offset = (page_number(params.page.as_deref()) - 1) * PAGE_SIZE;
    req.now = now;
    for (key, value) in params.filters() {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            // A hand-edited URL with a bad value just does not filter.
            let _ = req.filters.add_value(key, v);
        }
    }
    let r = index.search(&req).map_err(|e| match e {
        search::Error::BadRequest(m) => app::Error::new(app::Code::InvalidSearch, m),
        other => app::Error::internal(other),
    })?;
    let product = |id: u64| products.binary_search_by_key(&id, |p| p.id).ok().map(|i| &products[i]);
    let hits = r
        .hits
        .iter()
        .filter_map(|h| {
            let p = product(h.product_id).or_else(|| products.iter().find(|p| p.handle == h.handle))?;
            let why = h
                .why
                .iter()
                .map(|w| Why {
                    signal: w.signal.to_string(),
                    detail: w.detail.clone(),
                    contribution: f64::from(w.contribution),
                })
                .collect();
            Some(SearchHit {
                product: p.clone(),
                score: f64::from(h.score),
                why,
                variant_sku: h.variant_sku.clone(),
            })
        })
        .collect();
    let facets = r
        .facets
        .iter()
        .filter_map(|f| {
            let key = match f.name {
                "category" => "category",
                "metal" => "metal",
                "stone" => "stone",
                _ => return None,
            };
            let mut values: Vec<FacetValue> = f
                .values
                .iter()
                .map(|v| FacetValue {
                    label: match Category::parse(&v.value) {
                        Some(c) if key == "category" => category_plural(c).to_string(),
                        _ => super::capitalize(&v.value.replace('_', " ")),
                    },
                    value: v.value.clone(),
                    count: v.count,
                    selected: v.selected,
                })
                .collect();
            values.truncate(12);
            let label = super::capitalize(key);
            (!values.is_empty()).then_some(Facet { key, label, values })
        })
        .collect();
    let bounds = index.price_bounds(&r.understood);
    let wire = app::wire::search::Understood::from_engine(&r.understood, bounds);
    let understood = wire.constraints.iter().chain(&wire.preferences).map(chip).collect();
    let mut notes: Vec<String> = wire
        .corrections
        .iter()
        .map(|c| {
            format!("Showing results for \u{201c}{}\u{201d} (you typed \u{201c}{}\u{201d}).", c.to, c.from)
        })
        .collect();
    notes.extend(r.relaxed.iter().map(|x| format!("{}.", super::capitalize(&x.detail))));
    Ok(SearchView {
        total: r.total,
        hits,
        facets,
        understood,
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    })
}

/// "metal: gold", "price: under $150", "style: dainty" for the chips.
fn chip(i: &app::wire::search::Interpretation) -> String {
    use serde_json::Value;
    let plain = |v: &Value| match v {
        Value::String(s) => s.replace('_', " "),
        Value::Array(a) => a.iter().filter_map(|x| x.as_str()).next().unwrap_or("").replace('_', " "),
        other => other.to_string(),
    };
    let value = match i.field.as_str() {
        "price" => match (i.value["min"].as_f64(), i.value["max"].as_f64()) {
            (Some(a), Some(b)) => format!("${a:.0} to ${b:.0}"),
            (None, Some(b)) => format!("under ${b:.0}"),
            (Some(a), None) => format!("over ${a:.0}"),
            (None, None) => "any".into(),
        },
        "stone" => {
            let kinds: Vec<String> = i.value["any_of"]
                .as_array()
                .map(|a| a.iter().filter_map(|x| x.as_str()).map(|s| s.replace('_', " ")).collect())
                .unwrap_or_default();
            kinds.join(" or ")
        }
        "birthstone" => "any birthstone".into(),
        _ => plain(&i.value),
    };
    format!("{}: {value}", i.field.replace('_', " "))
}

pub(crate) fn page_number(text: Option<&str>) -> usize {
    text.and_then(|p| p.parse::<usize>().ok()).filter(|p| *p >= 1 && *p <= 10_000).unwrap_or(1)
}

/// The page body for `view`.
pub fn render(view: &SearchView, params: &SearchParams) -> Markup {
    let page = page_number(params.page.as_deref());
    let pages = view.total.div_ceil(PAGE_SIZE);
    html! {
        div class="wrap" {
            div class="page-head" style="padding-top:36px" {
                @if params.q.trim().is_empty() {
                    h1 { "Search" }
                    p { "Describe what you are looking for, in your own words." }
                } @else {
                    h1 { "\u{201c}" (params.q.trim()) "\u{201d}" }
                    p aria-live="polite" { (view.total) " " (if view.total == 1 { "piece" } else { "pieces" }) }
                }
            }
            @if let Some(note) = &view.note {
                p class="muted" { (note) }
            }
            @if !view.understood.is_empty() {
                ul class="chips" aria-label="Understood as" { @for chip in &view.understood { li { (chip) } } }
            }
            div class="search-layout" {
                aside class="facets" aria-label="Refine" {
                    @for facet in &view.facets {
                        section {
                            h2 { (facet.label) }
                            ul {
                                @for v in &facet.values {
                                    @let href = params.url_with(facet.key, (!v.selected).then_some(v.value.as_str()));
                                    li {
                                        a href=(href) aria-current=[v.selected.then_some("true")] {
                                            span { @if v.selected { "\u{2713} " } (v.label) }
                                            span class="count" { (v.count) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div {
                    @if view.hits.is_empty() {
                        div class="placeholder" {
                            h2 { "Nothing found" }
                            p { "Try fewer words, or browse a category above." }
                        }
                    } @else {
                        ol class="hits" { @for (i, hit) in view.hits.iter().enumerate() { (hit_item(i, hit)) } }
                        (pager(&params.url_with("", None), "&", page, pages))
                    }
                }
            }
        }
    }
}

/// One result: the drawing, the title, materials, why it ranks here, price.
fn hit_item(i: usize, hit: &SearchHit) -> Markup {
    let p = &hit.product;
    let href = format!("/p/{}", url_encode(&p.handle));
    html! {
        li class="hit" data-hit=(i) {
            a class="art" href=(href) tabindex="-1" { (art::product_art(p, None)) }
            div {
                h3 { a href=(href) { (p.title) } }
                div class="muted small" { (hit.materials()) }
                @if !hit.why.is_empty() {
                    details class="why" {
                        summary { "Why this result" }
                        ul {
                            @for w in &hit.why {
                                li {
                                    strong { (w.signal) } ": " (w.detail) " "
                                    span class="muted" { "(+" (format!("{:.2}", w.contribution)) ")" }
                                }
                            }
                        }
                    }
                }
            }
            div class="price" { (hit.price()) }
        }
    }
}

/// `/admin/search`'s query string: the query to try.
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct AdminSearchParams {
    #[serde(default)]
    pub q: Option<String>,
}

/// What `/admin/search` shows, gathered off the async runtime.
pub struct AdminSearchView {
    pub analytics: search::SearchAnalytics,
    pub rules: Vec<Rule>,
    /// The tried query's response, or why it failed.
    pub tried: Option<Result<SearchResponse, String>>,
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
        let analytics = search::analytics(&state.store.events()?, ADMIN_LIST);
        let rules = app::search::rules(&state.app.engines)?;
        let tried = (!tried_q.is_empty()).then(|| {
            let mut req = search::SearchRequest::new(&tried_q);
            req.limit = ADMIN_HITS;
            req.now = state.app.clock.now_secs();
            app::search::search(&state.app.engines, &req).map_err(|e| crate::ApiError::from(e).message)
        });
        Ok(AdminSearchView { analytics, rules, tried })
    })
    .await?;
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
        (rules_panel(&view.rules))
    }
}

/// The merchandising rules: how they work, how to manage them, the list.
fn rules_panel(rules: &[Rule]) -> Markup {
    html! {
        section class="panel" id="rules" {
            h2 { "Merchandising rules" }
            p class="small" {
                "A rule applies to searches whose query contains all its words, or to a category, optionally \
                 between two dates. "
                strong { "pin" } " puts its products first, in the rule's order; "
                strong { "boost" } " adds points (default 2) so they rise; "
                strong { "bury" } " takes points off so they sink; "
                strong { "hide" } " removes them from results. Every affected hit says so in its "
                code { "why" } " (\u{201c}pinned by rule 'valentines-hero'\u{201d})."
            }
            p class="muted small" {
                "Manage them with the admin key: " code { "GET /v1/rules" } ", " code { "POST /v1/rules" } " ("
                code {
                    r#"{"id": "valentines-hero", "action": "pin", "products": ["ruby-heart-pendant"], "query": "valentine", "ends_at": "2027-02-15"}"#
                }
                "), " code { "PUT /v1/rules/{id}" } ", " code { "DELETE /v1/rules/{id}" }
                ". Changes apply to the next search, without a rebuild."
            }
            @if rules.is_empty() {
                p class="muted small" { "No rules yet." }
            } @else {
                div class="table-wrap" {
                    table {
                        caption { "Rules" }
                        thead {
                            tr { th { "Id" } th { "Action" } th { "Applies to" } th { "Products" } th { "Active" } }
                        }
                        tbody { @for r in rules { (rule_row(r)) } }
                    }
                }
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
            td { (r.id) }
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
                                            strong { (w.signal) } " " (w.detail) " "
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
    use model::{Metal, Variant};

    use super::*;

    fn product(id: u64, title: &str, category: Category, metal: &str) -> Product {
        Product {
            id,
            handle: title.to_lowercase().replace(' ', "-"),
            title: title.into(),
            category: Some(category),
            variants: vec![Variant {
                sku: format!("S{id}"),
                metals: vec![Metal { kind: metal.into(), ..Metal::default() }],
                ..Variant::default()
            }],
            ..Product::default()
        }
    }

    #[test]
    fn finds_with_the_engine_filters_by_facets_and_explains() {
        let products = vec![
            product(1, "Gold hoop earrings", Category::Earrings, "gold"),
            product(2, "Silver hoops", Category::Earrings, "silver"),
            product(3, "Gold chain", Category::Chain, "gold"),
        ];
        let index = search::SearchIndex::build(
            &products,
            &search::BehaviourStats::default(),
            &search::Config::default(),
        )
        .unwrap();
        let params = SearchParams { q: "gold hoops".into(), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0).unwrap();
        assert_eq!(view.hits[0].product.id, 1, "both words match the first");
        assert!(!view.hits[0].why.is_empty(), "every hit says why");
        assert!(
            view.facets.iter().any(|f| f.key == "metal"),
            "{:?}",
            view.facets.iter().map(|f| f.key).collect::<Vec<_>>()
        );

        let params =
            SearchParams { q: "hoops".into(), metal: Some("silver".into()), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0).unwrap();
        assert_eq!(view.hits.iter().map(|h| h.product.id).collect::<Vec<_>>(), [2]);
        assert!(render(&view, &params).into_string().contains("Why this result"));
    }

    #[test]
    fn a_hit_shows_its_best_matching_variant() {
        let mut p = product(1, "Drop earrings", Category::Earrings, "gold");
        p.variants[0].metals[0].colors = vec!["yellow".into()];
        p.variants[0].stones = vec![model::Stone { kind: "ruby".into(), ..model::Stone::default() }];
        p.variants.push(Variant {
            sku: "S1-RG".into(),
            metals: vec![Metal { kind: "gold".into(), colors: vec!["rose".into()], ..Metal::default() }],
            stones: vec![model::Stone { kind: "morganite".into(), ..model::Stone::default() }],
            ..Variant::default()
        });
        let hit = |sku: Option<&str>| SearchHit {
            product: p.clone(),
            score: 1.0,
            why: vec![],
            variant_sku: sku.map(str::to_string),
        };
        assert_eq!(hit(Some("S1-RG")).materials(), "Rose gold · Morganite");
        assert!(hit(Some("S1-RG")).materials().ends_with("Morganite"));
        assert_eq!(hit(None).materials(), materials_line(&p));
        assert_eq!(hit(Some("unknown")).materials(), materials_line(&p));
        let view = SearchView { total: 1, hits: vec![hit(Some("S1-RG"))], ..SearchView::default() };
        let html = render(&view, &SearchParams { q: "rose gold earrings".into(), ..SearchParams::default() })
            .into_string();
        assert!(html.contains("Morganite") && !html.contains("Ruby"), "{html}");
    }

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
        let view = AdminSearchView { analytics, rules: vec![rule], tried: Some(Err("bad query".into())) };
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
        ] {
            assert!(html.contains(want), "missing {want:?}");
        }
        assert!(!html.contains("<script>") && !html.contains("<b>"));
        assert!(!html.contains("#20"), "a position one search reached is noise");
    }

    #[test]
    fn facet_urls_keep_the_other_filters() {
        let params =
            SearchParams { q: "rose gold".into(), category: Some("ring".into()), ..SearchParams::default() };
        assert_eq!(params.url_with("metal", Some("gold")), "/search?q=rose+gold&category=ring&metal=gold");
        assert_eq!(params.url_with("category", None), "/search?q=rose+gold");
    }
}
