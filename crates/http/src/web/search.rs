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

use super::chart::{svg_bar_chart, Bar};
use super::{
    art, category_plural, escape, fmt_price, group_thousands, materials_line, page, url_encode, PageQuery,
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
pub fn render(view: &SearchView, params: &SearchParams) -> String {
    let mut out = String::from("<div class=\"wrap\"><div class=\"page-head\" style=\"padding-top:36px\">");
    if params.q.trim().is_empty() {
        out.push_str("<h1>Search</h1><p>Describe what you are looking for, in your own words.</p>");
    } else {
        let _ = write!(
            out,
            "<h1>\u{201c}{}\u{201d}</h1><p aria-live=\"polite\">{} {}</p>",
            escape(params.q.trim()),
            view.total,
            if view.total == 1 { "piece" } else { "pieces" }
        );
    }
    out.push_str("</div>");
    if let Some(note) = &view.note {
        let _ = write!(out, "<p class=\"muted\">{}</p>", escape(note));
    }
    if !view.understood.is_empty() {
        out.push_str("<ul class=\"chips\" aria-label=\"Understood as\">");
        for chip in &view.understood {
            let _ = write!(out, "<li>{}</li>", escape(chip));
        }
        out.push_str("</ul>");
    }
    out.push_str("<div class=\"search-layout\"><aside class=\"facets\" aria-label=\"Refine\">");
    for facet in &view.facets {
        let _ = write!(out, "<section><h2>{}</h2><ul>", escape(&facet.label));
        for v in &facet.values {
            let (href, current) = if v.selected {
                (params.url_with(facet.key, None), " aria-current=\"true\"")
            } else {
                (params.url_with(facet.key, Some(&v.value)), "")
            };
            let _ = write!(
                out,
                "<li><a href=\"{}\"{current}><span>{}{}</span><span class=\"count\">{}</span></a></li>",
                escape(&href),
                if v.selected { "\u{2713} " } else { "" },
                escape(&v.label),
                v.count
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("</aside><div>");
    if view.hits.is_empty() {
        out.push_str(
            "<div class=\"placeholder\"><h2>Nothing found</h2><p>Try fewer words, or browse a category above.</p></div>",
        );
    } else {
        out.push_str("<ol class=\"hits\">");
        for (i, hit) in view.hits.iter().enumerate() {
            let p = &hit.product;
            let href = format!("/p/{}", url_encode(&p.handle));
            let _ = write!(
                out,
                "<li class=\"hit\" data-hit=\"{i}\"><a class=\"art\" href=\"{href}\" tabindex=\"-1\">{}</a><div>\
                 <h3><a href=\"{href}\">{}</a></h3><div class=\"muted small\">{}</div>",
                art::product_art(p, None).into_string(),
                escape(&p.title),
                escape(&hit.materials()),
            );
            if !hit.why.is_empty() {
                out.push_str("<details class=\"why\"><summary>Why this result</summary><ul>");
                for w in &hit.why {
                    let _ = write!(
                        out,
                        "<li><strong>{}</strong>: {} <span class=\"muted\">(+{:.2})</span></li>",
                        escape(&w.signal),
                        escape(&w.detail),
                        w.contribution
                    );
                }
                out.push_str("</ul></details>");
            }
            let _ = write!(out, "</div><div class=\"price\">{}</div></li>", escape(&hit.price()));
        }
        out.push_str("</ol>");
        let page = page_number(params.page.as_deref());
        let pages = view.total.div_ceil(PAGE_SIZE);
        if pages > 1 {
            let base = params.url_with("", None);
            out.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
            if page > 1 {
                let _ = write!(
                    out,
                    "<a class=\"button ghost\" href=\"{}&amp;page={}\">Previous</a>",
                    escape(&base),
                    page - 1
                );
            }
            let _ = write!(out, "<span class=\"muted\">Page {page} of {pages}</span>");
            if page < pages {
                let _ = write!(
                    out,
                    "<a class=\"button ghost\" href=\"{}&amp;page={}\">Next</a>",
                    escape(&base),
                    page + 1
                );
            }
            out.push_str("</nav>");
        }
    }
    out.push_str("</div></div></div>");
    out
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
    Ok(page("Search", "/admin/search", &render_admin(&view, &q)))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

fn try_link(query: &str) -> String {
    format!("<a href=\"/admin/search?q={}#try\">{}</a>", escape(&url_encode(query)), escape(query))
}

/// A table of query statistics; `cols` picks the columns after the query.
fn query_table(caption: &str, rows: &[search::QueryStat], cols: &[&str]) -> String {
    if rows.is_empty() {
        return format!("<p class=\"muted small\">{}: none.</p>", escape(caption));
    }
    let mut out = format!(
        "<div class=\"table-wrap\"><table><caption>{}</caption><thead><tr><th>Query</th>",
        escape(caption)
    );
    for c in cols {
        let _ = write!(out, "<th class=\"num\">{}</th>", escape(c));
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        let _ = write!(out, "<tr><td>{}</td>", try_link(&r.query));
        for c in cols {
            let cell = match *c {
                "Searches" => group_thousands(u64::from(r.searches)),
                "Clicks" => group_thousands(u64::from(r.clicks)),
                "CTR" => pct(r.ctr()),
                "Purchases" => group_thousands(u64::from(r.purchases)),
                "Conversion" => pct(r.conversion()),
                "No results" => group_thousands(u64::from(r.zero_results)),
                _ => String::new(),
            };
            let _ = write!(out, "<td class=\"num\">{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
    out
}

/// The page body of `/admin/search`; `q` is the tried query.
pub fn render_admin(view: &AdminSearchView, q: &str) -> String {
    let a = &view.analytics;
    let mut out = String::from("<h1>Search</h1>");
    let overall = |n: u32| if a.searches == 0 { 0.0 } else { f64::from(n) / f64::from(a.searches) };
    let _ = write!(
        out,
        "<ul class=\"stats\">\
         <li><span class=\"value\">{}</span><span class=\"label\">searches</span></li>\
         <li><span class=\"value\">{}</span><span class=\"label\">clicks from results</span></li>\
         <li><span class=\"value\">{}</span><span class=\"label\">click-through (searches with a click)</span></li>\
         <li><span class=\"value\">{}</span><span class=\"label\">merchandising rules</span></li></ul>",
        group_thousands(u64::from(a.searches)),
        group_thousands(u64::from(a.clicks)),
        pct(overall(a.clicked_searches)),
        view.rules.len(),
    );

    // Try a query.
    let _ = write!(
        out,
        "<section class=\"panel\" id=\"try\"><h2>Try a query</h2>\
         <p class=\"muted small\">How Loupe understands a shopper's words, what it had to relax, and why each of the top {ADMIN_HITS} pieces ranks where it does.</p>\
         <form class=\"filters\" method=\"get\" action=\"/admin/search#try\">\
         <label>Query<input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"delicate yellow gold birthstone necklace under $150\"></label>\
         <button class=\"button\" type=\"submit\">Search</button></form>",
        escape(q)
    );
    match &view.tried {
        None => out.push_str("<p class=\"muted small\">Type a query, or pick one from the lists below.</p>"),
        Some(Err(msg)) => {
            let _ = write!(out, "<p class=\"badge bad\">{}</p>", escape(msg));
        }
        Some(Ok(r)) => out.push_str(&render_tried(r)),
    }
    out.push_str("</section>");

    // Analytics.
    let _ = write!(
        out,
        "<section class=\"panel\"><h2>Top queries</h2>\
         <p class=\"muted small\">From storefront events. As the shop's search answered them at the time. CTR: share of searches followed by a click on a result. Conversion: purchases of a clicked result (same session) per search.</p>{}</section>",
        query_table("Most searched", &a.top_queries, &["Searches", "Clicks", "CTR", "Purchases", "Conversion"])
    );
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
    let _ = write!(
        out,
        "<section class=\"panel\"><h2>Click-through by position</h2>\
         <p class=\"muted small\">Share of searches that showed a result at this position and got a click on it (positions shown to fewer than 1% of searches are left out). A steep fall after the first rows is normal; a flat curve means shoppers scroll past what ranks first.</p>{}</section>",
        if bars.is_empty() {
            "<p class=\"muted small\">No searches with results yet.</p>".to_string()
        } else {
            svg_bar_chart("Click-through rate by result position", &bars, None).into_string()
        }
    );
    let _ = write!(
        out,
        "<section class=\"panel\"><h2>Queries with no results</h2>\
         <p class=\"muted small\">Shoppers asked and Loupe showed nothing: candidates for a synonym, a rule, or a product the brand does not carry.</p>{}</section>",
        query_table("Zero-result queries", &a.zero_result_queries, &["No results", "Searches"])
    );
    let _ = write!(
        out,
        "<section class=\"panel\"><h2>Queries nobody clicks</h2>\
         <p class=\"muted small\">Searched at least three times with results, never clicked: the results do not look like what was asked. Try them above to see why.</p>{}</section>",
        query_table("Queries without clicks", &a.no_click_queries, &["Searches"])
    );

    // Rules.
    out.push_str(
        "<section class=\"panel\" id=\"rules\"><h2>Merchandising rules</h2>\
         <p class=\"small\">A rule applies to searches whose query contains all its words, or to a category, optionally between two dates. \
         <strong>pin</strong> puts its products first, in the rule's order; <strong>boost</strong> adds points (default 2) so they rise; \
         <strong>bury</strong> takes points off so they sink; <strong>hide</strong> removes them from results. \
         Every affected hit says so in its <code>why</code> (\u{201c}pinned by rule 'valentines-hero'\u{201d}).</p>\
         <p class=\"muted small\">Manage them with the admin key: <code>GET /v1/rules</code>, <code>POST /v1/rules</code> \
         (<code>{\"id\": \"valentines-hero\", \"action\": \"pin\", \"products\": [\"ruby-heart-pendant\"], \"query\": \"valentine\", \"ends_at\": \"2027-02-15\"}</code>), \
         <code>PUT /v1/rules/{id}</code>, <code>DELETE /v1/rules/{id}</code>. Changes apply to the next search, without a rebuild.</p>",
    );
    if view.rules.is_empty() {
        out.push_str("<p class=\"muted small\">No rules yet.</p>");
    } else {
        out.push_str(
            "<div class=\"table-wrap\"><table><caption>Rules</caption><thead><tr><th>Id</th><th>Action</th><th>Applies to</th>\
             <th>Products</th><th>Active</th></tr></thead><tbody>",
        );
        for r in &view.rules {
            let action = match (r.action.as_str(), r.amount) {
                ("boost" | "bury", Some(x)) => format!("{} {}", r.action, super::trim_float(f64::from(x))),
                _ => r.action.clone(),
            };
            let scope = match (&r.query, &r.category) {
                (Some(q), Some(c)) => format!("{} in {}", try_link(q), escape(c)),
                (Some(q), None) => try_link(q),
                (None, Some(c)) => format!("category {}", escape(c)),
                (None, None) => "every search".to_string(),
            };
            let when = match (&r.starts_at, &r.ends_at) {
                (None, None) => "always".to_string(),
                (Some(s), None) => format!("from {s}"),
                (None, Some(e)) => format!("until {e}"),
                (Some(s), Some(e)) => format!("{s} to {e}"),
            };
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{scope}</td><td>{}</td><td>{}</td></tr>",
                escape(&r.id),
                escape(&action),
                r.products
                    .iter()
                    .map(|h| format!("<a href=\"/p/{}\">{}</a>", escape(&url_encode(h)), escape(h)))
                    .collect::<Vec<_>>()
                    .join(", "),
                escape(&when)
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("</section>");
    out
}

/// The tried query: understood terms, relaxations, hits with their `why`.
fn render_tried(r: &SearchResponse) -> String {
    let mut out = String::new();
    let u = &r.understood;
    let chips: Vec<String> =
        u.constraints
            .iter()
            .map(|i| format!("<li title=\"from '{}'\">must: {}</li>", escape(&i.from), escape(&chip(i))))
            .chain(u.preferences.iter().map(|i| {
                format!("<li title=\"from '{}'\">prefers: {}</li>", escape(&i.from), escape(&chip(i)))
            }))
            .chain(u.terms.iter().map(|t| format!("<li>text: {}</li>", escape(t))))
            .collect();
    if chips.is_empty() {
        out.push_str("<p class=\"small\">Understood: nothing specific; every piece matches.</p>");
    } else {
        let _ =
            write!(out, "<p class=\"small\">Understood as:</p><ul class=\"chips\">{}</ul>", chips.join(""));
    }
    for c in &u.corrections {
        let _ = write!(
            out,
            "<p class=\"small\">Corrected \u{201c}{}\u{201d} to \u{201c}{}\u{201d}.</p>",
            escape(&c.from),
            escape(&c.to)
        );
    }
    for i in &u.ignored {
        let _ = write!(out, "<p class=\"muted small\">Ignored {}.</p>", escape(i));
    }
    if r.relaxed.is_empty() {
        out.push_str("<p class=\"muted small\">Nothing relaxed: every constraint held.</p>");
    } else {
        out.push_str("<p class=\"small\">Relaxed, step by step:</p><ol class=\"small\">");
        for x in &r.relaxed {
            let _ = write!(out, "<li><strong>{}</strong>: {}</li>", escape(&x.constraint), escape(&x.detail));
        }
        out.push_str("</ol>");
    }
    let _ = write!(
        out,
        "<div class=\"table-wrap\"><table><caption>{} {} (top {})</caption><thead><tr><th class=\"num\">#</th><th>Piece</th>\
         <th>Variant</th><th class=\"num\">Price</th><th class=\"num\">Score</th><th>Why</th></tr></thead><tbody>",
        group_thousands(r.total as u64),
        if r.total == 1 { "match" } else { "matches" },
        r.hits.len()
    );
    for (i, h) in r.hits.iter().enumerate() {
        let why: Vec<String> = h
            .why
            .iter()
            .map(|w| {
                format!(
                    "<li><strong>{}</strong> {} <span class=\"muted\">({:+.2})</span></li>",
                    escape(&w.signal),
                    escape(&w.detail),
                    w.contribution
                )
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td class=\"num\">{}</td><td><a href=\"/p/{}\">{}</a></td><td>{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{:.2}</td><td><ul class=\"why-list\">{}</ul></td></tr>",
            i + 1,
            escape(&url_encode(&h.handle)),
            escape(&h.title),
            escape(h.variant_sku.as_deref().unwrap_or("")),
            h.price.map(|p| format!("{p:.2}")).unwrap_or_default(),
            h.score,
            why.join("")
        );
    }
    out.push_str("</tbody></table></div>");
    out
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
        assert!(render(&view, &params).contains("Why this result"));
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
        let html = render(&view, &SearchParams { q: "rose gold earrings".into(), ..SearchParams::default() });
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
        let html = render_admin(&view, "ruby <b>");
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
