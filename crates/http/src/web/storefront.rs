//! The storefront a shopper sees: home, category pages, product pages,
//! search results and the bag, plus the embedded assets. Open to everyone
//! (it is the shop); every page is rendered on the server in one round trip.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use model::{Category, Product};
use serde_json::json;

use super::search::{self, SearchParams};
use super::{
    art, asset, describe_metal, describe_stone, fmt_money, fmt_price, is_shoppable, json_script,
    materials_line, shop_page, url_encode, Brand, PageError, PageQuery, PageResult, Shop,
};
use crate::blocking;
use crate::error::ApiError;
use crate::routes::{Access, Area};
use crate::state::AppState;

pub(crate) fn area() -> Area {
    Area::new("storefront", "The shop's HTML pages.")
        .page("/", Access::Open, home)
        .page("/c/{category}", Access::Open, category_page)
        .page("/p/{handle}", Access::Open, product_page)
        .page("/search", Access::Open, search_page)
        .page("/cart", Access::Open, super::cart::cart_page)
        .page("/cart/lines", Access::Open, super::cart::cart_lines)
        .page("/cart/pairs", Access::Open, super::cart::cart_pairs)
        .page("/gifts", Access::Open, super::recs::gifts_page)
        .page("/assets/style.css", Access::Open, style)
        .page("/assets/app.js", Access::Open, script)
        .page("/favicon.svg", Access::Open, favicon)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", super::style_sheet())
}

async fn script() -> Response {
    asset("text/javascript; charset=utf-8", super::SCRIPT)
}

async fn favicon() -> Response {
    asset("image/svg+xml", super::FAVICON)
}

/// The catalog and the shop chrome, read on the blocking pool.
pub(crate) async fn load(state: &AppState) -> Result<(Arc<Vec<Product>>, Shop), PageError> {
    let state = state.clone();
    Ok(blocking(move || {
        let products = state.app.engines.catalog()?;
        let open = !state.app.store.has_keys()?;
        let shop = Shop::new(Brand::load(&state.app.store), &products).with_events(open);
        Ok((products, shop))
    })
    .await?)
}

fn card(p: &Product) -> Markup {
    card_with(p, None)
}

/// A product's card, with a plain reason under it when there is one.
pub(crate) fn card_with(p: &Product, reason: Option<&str>) -> Markup {
    html! {
        li class="card" {
            a href={ "/p/" (url_encode(&p.handle)) } {
                span class="art" { (art::product_art(p, None)) }
                div class="title" { (p.shown_title()) }
                div class="meta" { (materials_line(p)) }
                div class="price" { (fmt_price(p)) }
            }
            @if let Some(r) = reason { p class="reason" { (r) } }
        }
    }
}

/// A category page's card. With a metal or stone chosen it shows the
/// drawing, materials and price of the variant that matches (a silver
/// filter shows the silver one) and links to it; else the piece's own card.
fn hit_card(hit: &search::SearchHit, filtered: bool) -> Markup {
    let p = &hit.product;
    let Some(v) = hit.variant().filter(|_| filtered) else { return card(p) };
    let metals = p.metals();
    html! {
        li class="card" {
            a href={ "/p/" (url_encode(&p.handle)) "?variant=" (url_encode(&v.sku)) } {
                span class="art" { (art::product_art_in(p, v.metals.first().or(metals.first()), None)) }
                div class="title" { (p.shown_title()) }
                div class="meta" { (hit.materials()) }
                div class="price" { (hit.price()) }
            }
        }
    }
}

fn grid<'a>(products: impl Iterator<Item = &'a Product>) -> Markup {
    html! { ul class="grid" { @for p in products { (card(p)) } } }
}

async fn home(State(state): State<AppState>) -> PageResult {
    let (products, shop) = load(&state).await?;
    let hero = html! {
        section class="hero" {
            h1 { (shop.brand.name) }
            p { (shop.brand.tagline) }
            a class="button" href="#new" { "Discover the collection" }
        }
    };
    if products.iter().all(|p| !is_shoppable(p)) {
        let body = html! {
            (hero)
            div class="wrap" {
                section class="section placeholder" {
                    h2 { "The collection is on its way" }
                    p {
                        "No products yet. Import a catalog with " code { "loupe import catalog products.csv" }
                        ", or run " code { "loupe demo" } " for a demo brand."
                    }
                }
            }
        };
        return Ok(shop_page(&shop, "", "", "", body));
    }
    let trending = super::recs::trending_section(&state, &products).await;
    let st = state.clone();
    let intents = blocking(move || Ok(app::merch::shop_intents(&st.app, 4)?)).await.unwrap_or_default();
    let mut newest: Vec<&Product> = products.iter().filter(|p| is_shoppable(p)).collect();
    newest.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let body = html! {
        (hero)
        div class="wrap" {
            @if !shop.categories.is_empty() {
                section class="section" aria-labelledby="shop-by" {
                    div class="section-head" { h2 id="shop-by" { "Shop by category" } }
                    ul class="tiles" {
                        @for (c, n) in &shop.categories {
                            li class="tile" {
                                a href={ "/c/" (c.as_str()) } {
                                    (art::category_art(*c))
                                    span class="name" { (c.plural()) }
                                    span class="count" { (n) " " (if *n == 1 { "piece" } else { "pieces" }) }
                                }
                            }
                        }
                    }
                }
            }
            @if !intents.is_empty() {
                section class="section" aria-labelledby="shop-intent" {
                    div class="section-head" { h2 id="shop-intent" { "Shop by occasion and style" } }
                    ul class="chips" data-intents {
                        @for (key, name, n) in &intents {
                            li { a href={ "/collections/" (url_encode(key)) } { (name) " " span class="muted" { "(" (n) ")" } } }
                        }
                    }
                }
            }
            (trending)
            section class="section" id="new" aria-labelledby="new-h" {
                div class="section-head" { h2 id="new-h" { "New in" } a href="/search?q=" { "See everything" } }
                (grid(newest.iter().take(8).copied()))
            }
            @if let Some((collection, pieces)) = spotlight(&products) {
                section class="section" aria-labelledby="col-h" {
                    div class="section-head" {
                        h2 id="col-h" { "The " (super::capitalize(&collection)) " collection" }
                        span class="muted" { "Pieces made to be worn together" }
                    }
                    (grid(pieces.into_iter().take(4)))
                }
            }
        }
    };
    Ok(shop_page(&shop, "", "", "", body))
}

/// The collection with the most pieces (at least three), for the home page.
fn spotlight(products: &[Product]) -> Option<(String, Vec<&Product>)> {
    let mut by: std::collections::BTreeMap<&str, Vec<&Product>> = std::collections::BTreeMap::new();
    for p in products.iter().filter(|p| is_shoppable(p)) {
        if let Some(c) = p.collection.as_deref() {
            by.entry(c).or_default().push(p);
        }
    }
    by.into_iter().filter(|(_, v)| v.len() >= 3).max_by_key(|(_, v)| v.len()).map(|(c, v)| (c.to_string(), v))
}

/// A category page: the search engine's answer to no words and this
/// category, so that its facets (metal, stone), their counts and its sort
/// orders are the search page's, and a facet link keeps the category.
async fn category_page(
    State(state): State<AppState>,
    Path(category): Path<String>,
    PageQuery(mut params): PageQuery<SearchParams>,
) -> PageResult {
    let Some(category) = Category::parse(&category) else {
        return Err(ApiError::not_found("category").into());
    };
    let (products, shop) = load(&state).await?;
    params.q = String::new();
    params.category = Some(category.as_str().to_string());
    let p2 = params.clone();
    let st = state.clone();
    // "Featured" is the merchandiser's saved ranking of the category, when there is one.
    let featured = params.sort.as_deref().is_none_or(|s| s.is_empty() || s == "featured");
    let mut view = blocking(move || {
        let index = st.app.engines.search()?;
        let order = if featured { app::merch::category_order(&st.app, category)? } else { None };
        Ok(search::run_engine_in_order(
            &index,
            &products,
            &p2,
            st.app.clock.now_secs(),
            ::search::Ranking::Learned,
            order.as_deref(),
        )?)
    })
    .await?;
    let filtered = params.metal.as_deref().is_some_and(|m| !m.is_empty())
        || params.stone.as_deref().is_some_and(|s| !s.is_empty());
    // The category is the page itself, not a filter to toggle.
    view.facets.retain(|f| f.key != "category");
    let total = view.total;
    let pages = total.div_ceil(search::PAGE_SIZE).max(1);
    let page = search::page_number(params.page.as_deref()).min(pages);
    let name = category.plural();
    let path = format!("/c/{}", category.as_str());
    let sort = params.sort.clone().unwrap_or_else(|| "featured".to_string());
    let list = params.url_at(&path, "", None);
    let sep = if list.contains('?') { "&" } else { "?" };
    let body = html! {
        div class="wrap" {
            nav class="crumbs" aria-label="Breadcrumb" {
                ol { li { a href="/" { "Home" } } li aria-current="page" { (name) } }
            }
            div class="page-head" { h1 { (name) } p { (total) " " (if total == 1 { "piece" } else { "pieces" }) } }
            form class="toolbar" method="get" {
                span class="muted" { "Showing " (view.hits.len()) " of " (total) }
                @for (key, value) in params.filters() {
                    @if key != "category" {
                        @if let Some(v) = value.filter(|v| !v.is_empty()) {
                            input type="hidden" name=(key) value=(v);
                        }
                    }
                }
                div {
                    label for="sort" { "Sort by" }
                    select id="sort" name="sort" data-autosubmit {
                        @for (value, label) in [
                            ("featured", "Featured"),
                            ("newest", "Newest"),
                            ("price_asc", "Price, low to high"),
                            ("price_desc", "Price, high to low"),
                        ] {
                            option value=(value) selected[value == sort] { (label) }
                        }
                    }
                    " "
                    noscript { button class="button ghost" type="submit" { "Sort" } }
                }
            }
            div class="search-layout" {
                (search::facets_drawer(&view.facets, |key, value| params.url_at(&path, key, value)))
                div class="results" {
                    @if view.hits.is_empty() {
                        div class="placeholder" {
                            h2 { "Nothing found" }
                            p { "No piece has all the filters chosen." }
                        }
                    }
                    ul class="grid" { @for hit in &view.hits { (hit_card(hit, filtered)) } }
                    (super::pager(&list, sep, page, pages))
                }
            }
        }
    };
    Ok(shop_page(&shop, name, category.as_str(), "", body))
}

/// The variant a product page opens on: `?variant=SKU`, or `?metal=rose`
/// (`rose-gold`, `white gold`, `silver`, `18k`...), so that a link or a page
/// without the script shows the chosen metal.
#[derive(Debug, Default, serde::Deserialize)]
struct ProductParams {
    #[serde(default)]
    variant: Option<String>,
    #[serde(default)]
    metal: Option<String>,
}

/// The variant `params` choose, else the first.
fn chosen_variant<'a>(p: &'a Product, params: &ProductParams) -> Option<&'a model::Variant> {
    if let Some(v) = params.variant.as_deref().and_then(|sku| p.variants.iter().find(|v| v.sku == sku)) {
        return Some(v);
    }
    let wanted: Vec<String> = params
        .metal
        .as_deref()
        .unwrap_or("")
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    // The variant whose metal names the most of the words, the first on a tie.
    let score = |v: &model::Variant| {
        let Some(m) = v.metals.first() else { return 0 };
        let karat = m.karat.map(|k| format!("{k}k"));
        wanted
            .iter()
            .filter(|w| m.kind == **w || m.colors.contains(w) || karat.as_deref() == Some(w.as_str()))
            .count()
    };
    let best = p.variants.iter().map(score).max().unwrap_or(0);
    if best > 0 {
        return p.variants.iter().find(|v| score(v) == best);
    }
    p.variants.first()
}

async fn product_page(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    PageQuery(params): PageQuery<ProductParams>,
) -> PageResult {
    let (products, shop) = load(&state).await?;
    let Some(p) = products.iter().find(|p| p.handle == handle && !p.order_only) else {
        return Err(ApiError::not_found("product").into());
    };
    let category = p.category;
    let first = chosen_variant(p, &params);
    let price = first.and_then(|v| v.price).map(fmt_money).unwrap_or_else(|| fmt_price(p));
    let compare = first.and_then(|v| v.compare_at_price.filter(|c| Some(*c) > v.price)).map(fmt_money);
    // One radio group per option name, values in the order variants list them.
    let mut names: Vec<&str> = Vec::new();
    for v in &p.variants {
        for name in v.options.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    let options: Vec<(&str, Vec<&str>, Option<&str>)> = names
        .iter()
        .map(|name| {
            let mut values: Vec<&str> = Vec::new();
            for v in &p.variants {
                if let Some(value) = v.options.get(*name) {
                    if !values.contains(&value.as_str()) {
                        values.push(value);
                    }
                }
            }
            (*name, values, first.and_then(|v| v.options.get(*name)).map(String::as_str))
        })
        .collect();
    let (stock_class, stock_text) = match first.and_then(|v| v.inventory) {
        None => ("ok", "Made to order".to_string()),
        Some(n) if n <= 0 => ("out", "Sold out".to_string()),
        Some(n) if n <= 3 => ("low", format!("Only {n} left")),
        Some(_) => ("ok", "In stock".to_string()),
    };
    let metals: Vec<String> = p.metals().iter().map(describe_metal).collect();
    let stones: Vec<String> = p.stones().iter().map(describe_stone).collect();
    let specs = [
        ("Metal", metals.join(", ")),
        ("Stones", stones.join(", ")),
        ("Category", category.map(|c| super::capitalize(&c.as_str().replace('_', " "))).unwrap_or_default()),
        ("Collection", p.collection.clone().map(|c| super::capitalize(&c)).unwrap_or_default()),
        ("Style", p.styles.join(", ")),
        (
            "Weight",
            first.and_then(|v| v.grams).map(|g| format!("{} g", super::trim_float(g))).unwrap_or_default(),
        ),
    ];
    let variants: Vec<serde_json::Value> = p
        .variants
        .iter()
        .map(|v| {
            json!({
                "sku": v.sku,
                "options": v.options,
                "label": v.options.values().cloned().collect::<Vec<_>>().join(" · "),
                "price_minor": v.price.map(|m| m.minor),
                "currency": v.price.map(|m| m.currency.as_str().to_string()),
                "inventory": v.inventory,
                "metal": art::palette_of(v.metals.first().or(p.metals().first())).css_class(),
            })
        })
        .collect();
    let recs = super::recs::product_sections(&state, &products, p).await;
    let bundle = super::merch::product_section(&state, &products, p).await;
    // The drawing is in the chosen variant's metal (the piece's first when
    // the variant names none); the script repaints it when another is picked.
    let all_metals = p.metals();
    let metal = first.and_then(|v| v.metals.first()).or(all_metals.first());
    let body = html! {
        div class="wrap" {
            nav class="crumbs" aria-label="Breadcrumb" {
                ol {
                    li { a href="/" { "Home" } }
                    @if let Some(c) = category {
                        li { a href={ "/c/" (c.as_str()) } { (c.plural()) } }
                    }
                    li aria-current="page" { (p.shown_title()) }
                }
            }
            article class="product" {
                div class={ "art " (art::palette_of(metal).css_class()) } data-art {
                    (art::product_art_in(p, metal, Some(&format!("Illustration of {}", p.shown_title()))))
                }
                div {
                    h1 { (p.shown_title()) }
                    @if let Some(v) = &p.vendor {
                        p class="muted" { (v) }
                    }
                    form data-product=(p.handle) data-title=(p.shown_title()) method="get" action="/cart" {
                        p class="price" {
                            span data-price { (price) }
                            @if let Some(c) = &compare {
                                span class="compare" { span class="visually-hidden" { "was " } (c) }
                            }
                        }
                        @for (i, (name, values, chosen)) in options.iter().enumerate() {
                            fieldset {
                                legend { (name) }
                                div class="options" {
                                    @for (j, value) in values.iter().enumerate() {
                                        label {
                                            input type="radio" name=(name) value=(value) id={ "o" (i) "-" (j) }
                                                checked[Some(*value) == *chosen || (chosen.is_none() && j == 0)];
                                            span { (value) }
                                        }
                                    }
                                }
                            }
                        }
                        p class={ "stock " (stock_class) } data-stock aria-live="polite" { (stock_text) }
                        button class="button" type="submit" { "Add to bag" }
                        span class="added" data-added hidden role="status" {}
                    }
                    dl class="specs" {
                        @for (term, value) in &specs {
                            @if !value.is_empty() {
                                dt { (term) }
                                dd { (value) }
                            }
                        }
                        dt { "SKU" }
                        dd data-sku { (first.map(|v| v.sku.as_str()).unwrap_or("")) }
                    }
                    @for para in p.description.split("\n\n").filter(|s| !s.trim().is_empty()) {
                        p { (para.trim()) }
                    }
                    @if !p.tags.is_empty() {
                        ul class="tags" aria-label="Tags" { @for t in &p.tags { li { (t) } } }
                    }
                }
            }
            (json_script("variants", &json!(variants)))
            (bundle)
            (recs)
        }
    };
    Ok(shop_page(&shop, &p.shown_title(), category.map(|c| c.as_str()).unwrap_or(""), "", body))
}

async fn search_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageQuery(params): PageQuery<SearchParams>,
) -> Result<Response, PageError> {
    let (products, shop) = load(&state).await?;
    let cookie = super::visitor::from_headers(&headers);
    let set_cookie = cookie.set_cookie.filter(|_| shop.events);
    let visitor = shop.events.then_some(cookie.visitor);
    let p2 = params.clone();
    let st = state.clone();
    let view = blocking(move || {
        let index = st.app.engines.search()?;
        // Tracking is the shop's choice; without events an experiment cannot be measured, so
        // visitors only enter experiments where the page sends events.
        let ranking = match &visitor {
            Some(v) => app::experiments::search_ranking_for(&st.app, v)?.0,
            None => ::search::Ranking::Learned,
        };
        Ok(search::run_engine(&index, &products, &p2, st.app.clock.now_secs(), ranking)?)
    })
    .await?;
    let title = if params.q.trim().is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {}", params.q.trim())
    };
    let mut response =
        shop_page(&shop, &title, "", &params.q, search::render(&view, &params)).into_response();
    if let Some(c) = set_cookie {
        response.headers_mut().insert(header::SET_COOKIE, c);
    }
    Ok(response)
}
