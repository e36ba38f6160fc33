//! The storefront's search results page (`/search?q=`): the view model it
//! renders ([`SearchView`]: hits with their `why`, facets, what the query was
//! understood to mean) and the renderer.
//!
//! [`run_engine`] fills the view from Loupe's search engine (the same index
//! `GET /v1/search` uses). [`run`], a plain word match over titles, tags and
//! attributes, remains as the fallback should the index fail to build.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use model::{Category, Product};

use super::{art, category_plural, escape, fmt_price, is_shoppable, materials_line, url_encode};

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

/// Fills the view for `params` with the search engine; `products` (the
/// catalog by id) supplies the pieces the hits name.
pub fn run_engine(index: &search::SearchIndex, products: &[Product], params: &SearchParams) -> SearchView {
    let mut req = search::SearchRequest::new(&params.q);
    req.limit = PAGE_SIZE;
    req.offset = (page_number(params.page.as_deref()) - 1) * PAGE_SIZE;
    req.now = chrono::Utc::now().timestamp();
    for (key, value) in params.filters() {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            // A hand-edited URL with a bad value just does not filter.
            let _ = req.filters.add_value(key, v);
        }
    }
    let Ok(r) = index.search(&req) else { return run(products, params) };
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
            Some(SearchHit { product: p.clone(), score: f64::from(h.score), why })
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
    let wire = crate::wire::search::Understood::from_engine(&r.understood, bounds);
    let understood = wire.constraints.iter().chain(&wire.preferences).map(chip).collect();
    let mut notes: Vec<String> = wire
        .corrections
        .iter()
        .map(|c| {
            format!("Showing results for \u{201c}{}\u{201d} (you typed \u{201c}{}\u{201d}).", c.to, c.from)
        })
        .collect();
    notes.extend(r.relaxed.iter().map(|x| format!("{}.", super::capitalize(&x.detail))));
    SearchView {
        total: r.total,
        hits,
        facets,
        understood,
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }
}

/// "metal: gold", "price: under $150", "style: dainty" for the chips.
fn chip(i: &crate::wire::search::Interpretation) -> String {
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

/// Fills the view for `params` over `products`. Placeholder ranking (see the
/// module documentation): words in the title count most, then tags,
/// category, metals and stones, then the description.
pub fn run(products: &[Product], params: &SearchParams) -> SearchView {
    let words: Vec<String> = params
        .q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| w.to_lowercase())
        .collect();
    let mut scored: Vec<SearchHit> = Vec::new();
    for p in products.iter().filter(|p| is_shoppable(p)) {
        let mut why = Vec::new();
        let title = p.title.to_lowercase();
        let tags = p.tags.join(" ").to_lowercase();
        let attrs = attribute_words(p);
        let description = p.description.to_lowercase();
        for w in &words {
            let stem = w.trim_end_matches('s');
            let (signal, weight) = if title.contains(stem) {
                ("title", 3.0)
            } else if attrs.contains(stem) {
                ("attribute", 2.0)
            } else if tags.contains(stem) {
                ("tag", 1.5)
            } else if description.contains(stem) {
                ("description", 0.5)
            } else {
                continue;
            };
            why.push(Why {
                signal: signal.into(),
                detail: format!("matched \u{201c}{w}\u{201d} in the {signal}"),
                contribution: weight,
            });
        }
        if words.is_empty() || !why.is_empty() {
            let score = why.iter().map(|w| w.contribution).sum();
            scored.push(SearchHit { product: p.clone(), score, why });
        }
    }
    // Facets count the matches before the facet filters apply.
    let facets = facets(&scored, params);
    scored.retain(|h| passes_filters(&h.product, params));
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.product.id.cmp(&b.product.id)));
    let total = scored.len();
    let page = page_number(params.page.as_deref());
    let hits = scored.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    SearchView { total, hits, facets, understood: Vec::new(), note: None }
}

pub(crate) fn page_number(text: Option<&str>) -> usize {
    text.and_then(|p| p.parse::<usize>().ok()).filter(|p| *p >= 1 && *p <= 10_000).unwrap_or(1)
}

fn attribute_words(p: &Product) -> String {
    let mut s = String::new();
    if let Some(c) = p.category {
        let _ = write!(s, "{} {} ", c.as_str().replace('_', " "), category_plural(c).to_lowercase());
    }
    for m in p.metals() {
        let _ = write!(s, "{} {} ", m.kind.replace('_', " "), m.colors.join(" "));
    }
    for st in p.stones() {
        let _ = write!(s, "{} ", st.kind.replace('_', " "));
    }
    s
}

fn passes_filters(p: &Product, params: &SearchParams) -> bool {
    let category_ok = params
        .category
        .as_deref()
        .filter(|c| !c.is_empty())
        .is_none_or(|c| p.category.map(|x| x.as_str()) == Some(c));
    let metal_ok = params
        .metal
        .as_deref()
        .filter(|m| !m.is_empty())
        .is_none_or(|m| p.metals().iter().any(|x| x.kind == m));
    let stone_ok = params
        .stone
        .as_deref()
        .filter(|s| !s.is_empty())
        .is_none_or(|s| p.stones().iter().any(|x| x.kind == s));
    category_ok && metal_ok && stone_ok
}

fn facets(hits: &[SearchHit], params: &SearchParams) -> Vec<Facet> {
    let mut categories: BTreeMap<String, usize> = BTreeMap::new();
    let mut metals: BTreeMap<String, usize> = BTreeMap::new();
    let mut stones: BTreeMap<String, usize> = BTreeMap::new();
    for h in hits {
        if let Some(c) = h.product.category {
            *categories.entry(c.as_str().to_string()).or_default() += 1;
        }
        for m in h.product.metals() {
            *metals.entry(m.kind.clone()).or_default() += 1;
        }
        for s in h.product.stones() {
            *stones.entry(s.kind.clone()).or_default() += 1;
        }
    }
    let facet = |key: &'static str, label: &str, counts: BTreeMap<String, usize>, selected: Option<&str>| {
        let mut values: Vec<FacetValue> = counts
            .into_iter()
            .map(|(value, count)| FacetValue {
                label: match Category::parse(&value) {
                    Some(c) if key == "category" => category_plural(c).to_string(),
                    _ => super::capitalize(&value.replace('_', " ")),
                },
                selected: selected == Some(value.as_str()),
                value,
                count,
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
        values.truncate(12);
        Facet { key, label: label.to_string(), values }
    };
    vec![
        facet("category", "Category", categories, params.category.as_deref()),
        facet("metal", "Metal", metals, params.metal.as_deref()),
        facet("stone", "Stone", stones, params.stone.as_deref()),
    ]
    .into_iter()
    .filter(|f| !f.values.is_empty())
    .collect()
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
                art::product_art(p, None),
                escape(&p.title),
                escape(&materials_line(p)),
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
            let _ = write!(out, "</div><div class=\"price\">{}</div></li>", escape(&fmt_price(p)));
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
    fn finds_by_words_filters_by_facets_and_explains() {
        let products = vec![
            product(1, "Gold hoop earrings", Category::Earrings, "gold"),
            product(2, "Silver hoops", Category::Earrings, "silver"),
            product(3, "Gold chain", Category::Chain, "gold"),
        ];
        let params = SearchParams { q: "gold hoops".into(), ..SearchParams::default() };
        let view = run(&products, &params);
        assert_eq!(view.hits[0].product.id, 1, "both words match the first");
        assert_eq!(view.total, 3);
        assert!(view.hits[0].why.iter().any(|w| w.signal == "title"));
        let metal = view.facets.iter().find(|f| f.key == "metal").unwrap();
        assert_eq!(metal.values[0].value, "gold");
        assert_eq!(metal.values[0].count, 2);

        let params =
            SearchParams { q: "gold hoops".into(), metal: Some("silver".into()), ..SearchParams::default() };
        let view = run(&products, &params);
        assert_eq!(view.hits.iter().map(|h| h.product.id).collect::<Vec<_>>(), [2]);
        assert!(render(&view, &params).contains("Why this result"));
    }

    #[test]
    fn facet_urls_keep_the_other_filters() {
        let params =
            SearchParams { q: "rose gold".into(), category: Some("ring".into()), ..SearchParams::default() };
        assert_eq!(params.url_with("metal", Some("gold")), "/search?q=rose+gold&category=ring&metal=gold");
        assert_eq!(params.url_with("category", None), "/search?q=rose+gold");
    }
}
