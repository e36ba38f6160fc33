//! The storefront's search results page (`/search?q=`): the view model it
//! renders ([`SearchView`]: hits with their `why`, facets, what the query was
//! understood to mean) and the renderer.
//!
//! [`run_engine`] fills the view from Loupe's search engine (the same index
//! and request rules as `GET /v1/search`, through `app::search`). The
//! back-office's `/admin/search` is in [`super::search_admin`].

use maud::{html, Markup};
use model::{Category, Product};

use super::{art, fmt_price, materials_line, pager, url_encode};

/// What the shopper asked: the words, the facet filters they clicked (each
/// a comma-separated list: facets are multi-select, values of one facet are
/// alternatives) and the order.
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
    pub sort: Option<String>,
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

    /// This search's URL with `value` of facet `key` toggled (chosen when it
    /// was not, dropped when it was); `value = None` clears the facet.
    pub fn url_with(&self, key: &str, value: Option<&str>) -> String {
        self.url_at("/search", key, value)
    }

    /// The same, for the list at `path`: `/search` keeps the words, and a
    /// category page (`/c/ring`) names its category in the path and keeps
    /// the sort order.
    pub(crate) fn url_at(&self, path: &str, key: &str, value: Option<&str>) -> String {
        let on_search = path == "/search";
        let mut parts: Vec<String> = Vec::new();
        if on_search {
            parts.push(format!("q={}", url_encode(&self.q)));
        }
        for (k, v) in self.filters() {
            if !on_search && k == "category" {
                continue;
            }
            let mut values: Vec<&str> = values(v).collect();
            if k == key {
                match value {
                    None => values.clear(),
                    Some(x) if values.contains(&x) => values.retain(|v| *v != x),
                    Some(x) => values.push(x),
                }
            }
            if !values.is_empty() {
                let joined: Vec<String> = values.iter().map(|v| url_encode(v)).collect();
                parts.push(format!("{k}={}", joined.join(",")));
            }
        }
        if let Some(sort) = self.sort.as_deref().filter(|s| !on_search && !s.is_empty() && *s != "featured") {
            parts.push(format!("sort={}", url_encode(sort)));
        }
        if parts.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", parts.join("&"))
        }
    }
}

/// The values of a comma-separated filter.
fn values(list: Option<&str>) -> impl Iterator<Item = &str> {
    list.unwrap_or("").split(',').map(str::trim).filter(|v| !v.is_empty())
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
    /// The shopper's words no product mentions (the engine ignored them).
    pub ignored: Vec<String>,
    /// Every word was ignored: the hits are the catalog in its default
    /// order, not matches, and the page says so.
    pub no_match: bool,
}

pub const PAGE_SIZE: usize = 24;

/// Fills the view for `params` with the search engine at `now` (Unix
/// seconds) with `ranking` (an experiment's variation, else learned); `products` (the catalog by
/// id) supplies the pieces the hits name.
pub fn run_engine(
    index: &search::SearchIndex,
    products: &[Product],
    params: &SearchParams,
    now: i64,
    ranking: search::Ranking,
) -> Result<SearchView, app::Error> {
    run_engine_in_order(index, products, params, now, ranking, None)
}

/// Products a page in a saved order reads at most (a category's size).
const ORDERED_MAX: usize = 10_000;

/// [`run_engine`]; with `order` (a merchandiser's saved ranking), the hits
/// are put in that order (products it does not name after them, in the
/// engine's order) before the page is cut.
pub fn run_engine_in_order(
    index: &search::SearchIndex,
    products: &[Product],
    params: &SearchParams,
    now: i64,
    ranking: search::Ranking,
    order: Option<&[u64]>,
) -> Result<SearchView, app::Error> {
    let mut req = search::SearchRequest::new(&params.q);
    req.ranking = ranking;
    let offset = (page_number(params.page.as_deref()) - 1) * PAGE_SIZE;
    match order {
        Some(_) => {
            req.limit = ORDERED_MAX;
            req.offset = 0;
        }
        None => {
            req.limit = PAGE_SIZE;
            req.offset = offset;
        }
    }
    req.now = now;
    req.sort = match params.sort.as_deref() {
        Some("price_asc") => search::Sort::PriceAsc,
        Some("price_desc") => search::Sort::PriceDesc,
        Some("newest") => search::Sort::Newest,
        _ => search::Sort::Relevance,
    };
    for (key, list) in params.filters() {
        for v in values(list) {
            // A hand-edited URL with a bad value just does not filter.
            let _ = req.filters.add_value(key, v);
        }
    }
    let r = index.search(&req).map_err(|e| match e {
        search::Error::BadRequest(m) => app::Error::new(app::Code::InvalidSearch, m),
        other => app::Error::internal(other),
    })?;
    let product = |id: u64| products.binary_search_by_key(&id, |p| p.id).ok().map(|i| &products[i]);
    let mut hits: Vec<SearchHit> = r
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
    if let Some(order) = order {
        let at: std::collections::HashMap<u64, usize> =
            order.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        hits.sort_by_key(|h| at.get(&h.product.id).copied().unwrap_or(usize::MAX));
        hits = hits.into_iter().skip(offset).take(PAGE_SIZE).collect();
    }
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
                        Some(c) if key == "category" => c.plural().to_string(),
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
    let ignored = ignored_words(&wire.ignored);
    let words: Vec<String> = params
        .q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let no_match = !words.is_empty() && words.iter().all(|w| ignored.contains(w));
    Ok(SearchView {
        total: r.total,
        hits,
        facets,
        understood,
        note: (!notes.is_empty()).then(|| notes.join(" ")),
        ignored,
        no_match,
    })
}

/// The words of the engine's "'word': no product mentions it" notes.
fn ignored_words(ignored: &[String]) -> Vec<String> {
    ignored
        .iter()
        .filter_map(|i| i.strip_prefix('\'')?.split_once("':").map(|(w, _)| w.to_lowercase()))
        .collect()
}

/// `“a”, “b” and “c”`.
fn quoted_list(words: &[String]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("\u{201c}{w}\u{201d}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// "metal: gold", "price: under $150", "style: dainty" for the chips.
pub(crate) fn chip(i: &app::wire::search::Interpretation) -> String {
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
            div class="page-head spaced" {
                @if params.q.trim().is_empty() {
                    h1 { "Search" }
                    p { "Describe what you are looking for, in your own words." }
                } @else {
                    h1 { "\u{201c}" (params.q.trim()) "\u{201d}" }
                    @if view.no_match {
                        p aria-live="polite" { "No match" }
                    } @else {
                        p aria-live="polite" { (view.total) " " (if view.total == 1 { "piece" } else { "pieces" }) }
                    }
                }
            }
            @if view.no_match {
                div class="panel placeholder" data-no-match {
                    p {
                        "No piece mentions " (quoted_list(&view.ignored)) ". Below are our pieces in their usual \
                         order; or try one of these:"
                    }
                    ul class="chips" {
                        @for facet in view.facets.iter().filter(|f| f.key == "category") {
                            @for v in facet.values.iter().take(6) {
                                li { a href={ "/search?q=" (url_encode(&v.label.to_lowercase())) } { (v.label) } }
                            }
                        }
                    }
                }
            } @else if !view.ignored.is_empty() {
                p class="muted" {
                    "Left out " (quoted_list(&view.ignored)) ": no piece mentions "
                    (if view.ignored.len() == 1 { "it" } else { "them" }) "."
                }
            }
            @if let Some(note) = &view.note {
                p class="muted" { (note) }
            }
            @if !view.understood.is_empty() {
                ul class="chips" aria-label="Understood as" { @for chip in &view.understood { li { (chip) } } }
            }
            div class="search-layout" {
                (facets_drawer(&view.facets, |key, value| params.url_with(key, value)))
                div class="results" {
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

/// The facets (multi-select, each value with its count), in a `<details>`
/// that is a sidebar on a wide screen and a drawer behind a "Filters"
/// button on a phone, where the results come first. It is rendered open, so
/// that without the script every screen shows the facets (a phone below the
/// results); the script closes it on a phone. `href(key, value)` is the
/// list's URL with that value toggled (`None`: the facet cleared).
pub(crate) fn facets_drawer(facets: &[Facet], href: impl Fn(&str, Option<&str>) -> String) -> Markup {
    let chosen = facets.iter().flat_map(|f| &f.values).filter(|v| v.selected).count();
    html! {
        @if !facets.is_empty() {
            details class="facet-drawer" open data-filters {
                summary class="button ghost" {
                    "Filters"
                    @if chosen > 0 {
                        " (" (chosen) ")"
                    }
                }
                aside class="facets" aria-label="Refine" {
                    div class="drawer-head" {
                        h2 { "Filters" }
                        button class="link-button" type="button" data-close-filters hidden { "Show the results" }
                    }
                    @for facet in facets {
                        section {
                            h2 { (facet.label) }
                            ul {
                                @for v in &facet.values {
                                    li {
                                        a href=(href(facet.key, Some(&v.value))) aria-current=[v.selected.then_some("true")] {
                                            span { @if v.selected { "\u{2713} " } (v.label) }
                                            span class="count" { (v.count) }
                                        }
                                    }
                                }
                            }
                            @if facet.values.iter().any(|v| v.selected) {
                                a class="small clear" href=(href(facet.key, None)) { "Clear " (facet.label.to_lowercase()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One result: the drawing, the title, materials, why it ranks here, price,
/// all of the best-matching variant (a search for rose gold draws and links
/// the rose gold one).
fn hit_item(i: usize, hit: &SearchHit) -> Markup {
    let p = &hit.product;
    let mut href = format!("/p/{}", url_encode(&p.handle));
    if let Some(v) = hit.variant() {
        href = format!("{href}?variant={}", url_encode(&v.sku));
    }
    let metals = p.metals();
    let metal = hit.variant().and_then(|v| v.metals.first()).or(metals.first());
    html! {
        li class="hit" data-hit=(i) {
            a class="art" href=(href) tabindex="-1" { (art::product_art_in(p, metal, None)) }
            div {
                h3 { a href=(href) { (p.shown_title()) } }
                div class="muted small" { (hit.materials()) }
                @if !hit.why.is_empty() {
                    details class="why" {
                        summary { "Why this result" }
                        ul {
                            @for w in &hit.why {
                                li {
                                    strong { (super::label(&w.signal)) } ": " (w.detail) " "
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

    /// Two pairs of hoops and a chain, with their search index.
    fn three_pieces() -> (Vec<Product>, search::SearchIndex) {
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
        (products, index)
    }

    #[test]
    fn finds_with_the_engine_filters_by_facets_and_explains() {
        let (products, index) = three_pieces();
        let params = SearchParams { q: "gold hoops".into(), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0, search::Ranking::Learned).unwrap();
        assert_eq!(view.hits[0].product.id, 1, "both words match the first");
        assert!(!view.hits[0].why.is_empty(), "every hit says why");
        assert!(
            view.facets.iter().any(|f| f.key == "metal"),
            "{:?}",
            view.facets.iter().map(|f| f.key).collect::<Vec<_>>()
        );

        let params =
            SearchParams { q: "hoops".into(), metal: Some("silver".into()), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0, search::Ranking::Learned).unwrap();
        assert_eq!(view.hits.iter().map(|h| h.product.id).collect::<Vec<_>>(), [2]);
        assert!(render(&view, &params).into_string().contains("Why this result"));
    }

    /// Regression: "xyz nonsense" showed "1915 pieces" of bestsellers with
    /// no word that both words had been ignored.
    #[test]
    fn a_search_with_no_known_word_says_so() {
        let (products, index) = three_pieces();
        let params = SearchParams { q: "xyzzy qwrtp".into(), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0, search::Ranking::Learned).unwrap();
        assert!(view.no_match, "{:?}", view.ignored);
        let html = render(&view, &params).into_string();
        assert!(html.contains("No match"), "{html}");
        assert!(html.contains("No piece mentions \u{201c}xyzzy\u{201d} and \u{201c}qwrtp\u{201d}"), "{html}");
        assert!(html.contains("href=\"/search?q=earrings\""), "suggests a category: {html}");
        assert!(!html.contains(" pieces<"), "{html}");

        let params = SearchParams { q: "gold xyzzy".into(), ..SearchParams::default() };
        let view = run_engine(&index, &products, &params, 0, search::Ranking::Learned).unwrap();
        assert!(!view.no_match);
        assert_eq!(view.ignored, ["xyzzy"]);
        let html = render(&view, &params).into_string();
        assert!(html.contains("Left out \u{201c}xyzzy\u{201d}: no piece mentions it."), "{html}");
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
        // The drawing is the rose gold one, and the link opens on it.
        let rose = art::palette_of(Some(&Metal {
            kind: "gold".into(),
            colors: vec!["rose".into()],
            ..Metal::default()
        }));
        assert!(html.contains(&format!("stop-color=\"{}\"", rose.light)), "{html}");
        assert!(html.contains("href=\"/p/drop-earrings?variant=S1-RG\""), "{html}");
    }

    #[test]
    fn facet_urls_keep_the_other_filters() {
        let params =
            SearchParams { q: "rose gold".into(), category: Some("ring".into()), ..SearchParams::default() };
        assert_eq!(params.url_with("metal", Some("gold")), "/search?q=rose+gold&category=ring&metal=gold");
        assert_eq!(params.url_with("category", None), "/search?q=rose+gold");
        // Multi-select: a second value joins the first, a chosen one leaves.
        assert_eq!(
            params.url_with("category", Some("earrings")),
            "/search?q=rose+gold&category=ring,earrings"
        );
        assert_eq!(params.url_with("category", Some("ring")), "/search?q=rose+gold");
        // A category page keeps its sort and names its category in the path.
        let params = SearchParams {
            category: Some("ring".into()),
            metal: Some("gold".into()),
            sort: Some("price_asc".into()),
            ..SearchParams::default()
        };
        assert_eq!(
            params.url_at("/c/ring", "stone", Some("ruby")),
            "/c/ring?metal=gold&stone=ruby&sort=price_asc"
        );
        assert_eq!(params.url_at("/c/ring", "metal", Some("gold")), "/c/ring?sort=price_asc");
    }
}
