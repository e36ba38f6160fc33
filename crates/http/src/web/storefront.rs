//! The storefront a shopper sees: home, category pages, product pages,
//! search results and the bag, plus the embedded assets. Open to everyone
//! (it is the shop); every page is rendered on the server in one round trip.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use model::{Category, Product};
use serde::Deserialize;
use serde_json::json;

use super::search::{self, SearchParams};
use super::{
    art, asset, category_plural, describe_metal, describe_stone, fmt_money, fmt_price, is_shoppable,
    json_script, materials_line, shop_page, url_encode, Brand, PageError, PageQuery, PageResult, Shop,
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
        .page("/cart", Access::Open, cart_page)
        .page("/gifts", Access::Open, super::recs::gifts_page)
        .page("/assets/style.css", Access::Open, style)
        .page("/assets/app.js", Access::Open, script)
        .page("/favicon.svg", Access::Open, favicon)
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", super::STYLE)
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
        let open = !crate::auth::enforced(&state.app.store)?;
        let shop = Shop::new(Brand::load(&state.app.store), &products).with_events(open);
        Ok((products, shop))
    })
    .await?)
}

fn card(p: &Product) -> Markup {
    html! {
        li class="card" {
            a href={ "/p/" (url_encode(&p.handle)) } {
                span class="art" { (art::product_art(p, None)) }
                div class="title" { (p.title) }
                div class="meta" { (materials_line(p)) }
                div class="price" { (fmt_price(p)) }
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
                                    span class="name" { (category_plural(*c)) }
                                    span class="count" { (n) " " (if *n == 1 { "piece" } else { "pieces" }) }
                                }
                            }
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

#[derive(Debug, Default, Deserialize)]
struct ListParams {
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

const CATEGORY_PAGE: usize = 24;

async fn category_page(
    State(state): State<AppState>,
    Path(category): Path<String>,
    PageQuery(params): PageQuery<ListParams>,
) -> PageResult {
    let Some(category) = Category::parse(&category) else {
        return Err(ApiError::not_found("category").into());
    };
    let (products, shop) = load(&state).await?;
    let mut pieces: Vec<&Product> =
        products.iter().filter(|p| is_shoppable(p) && p.category == Some(category)).collect();
    let sort = params.sort.as_deref().unwrap_or("featured");
    let min_price = |p: &Product| p.price_range().map(|(lo, _)| lo.minor).unwrap_or(i64::MAX);
    match sort {
        "price_asc" => pieces.sort_by_key(|p| min_price(p)),
        "price_desc" => pieces
            .sort_by_key(|p| std::cmp::Reverse(p.price_range().map(|(lo, _)| lo.minor).unwrap_or(i64::MIN))),
        "newest" => pieces.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id))),
        _ => {}
    }
    let total = pieces.len();
    let pages = total.div_ceil(CATEGORY_PAGE).max(1);
    let page = search::page_number(params.page.as_deref()).min(pages);
    let name = category_plural(category);
    let showing = total.min(CATEGORY_PAGE * page) - (CATEGORY_PAGE * (page - 1)).min(total);
    let base = format!("/c/{}?sort={}", category.as_str(), url_encode(sort));
    let body = html! {
        div class="wrap" {
            nav class="crumbs" aria-label="Breadcrumb" {
                ol { li { a href="/" { "Home" } } li aria-current="page" { (name) } }
            }
            div class="page-head" { h1 { (name) } p { (total) " " (if total == 1 { "piece" } else { "pieces" }) } }
            form class="toolbar" method="get" {
                span class="muted" { "Showing " (showing) " of " (total) }
                div {
                    label for="sort" { "Sort by" }
                    select id="sort" name="sort" onchange="this.form.submit()" {
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
            (grid(pieces.iter().skip((page - 1) * CATEGORY_PAGE).take(CATEGORY_PAGE).copied()))
            (super::pager(&base, "&", page, pages))
        }
    };
    Ok(shop_page(&shop, name, category.as_str(), "", body))
}

async fn product_page(State(state): State<AppState>, Path(handle): Path<String>) -> PageResult {
    let (products, shop) = load(&state).await?;
    let Some(p) = products.iter().find(|p| p.handle == handle && !p.order_only) else {
        return Err(ApiError::not_found("product").into());
    };
    let category = p.category;
    let first = p.variants.first();
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
            })
        })
        .collect();
    let recs = super::recs::product_sections(&state, &products, p).await;
    let body = html! {
        div class="wrap" {
            nav class="crumbs" aria-label="Breadcrumb" {
                ol {
                    li { a href="/" { "Home" } }
                    @if let Some(c) = category {
                        li { a href={ "/c/" (c.as_str()) } { (category_plural(c)) } }
                    }
                    li aria-current="page" { (p.title) }
                }
            }
            article class="product" {
                div class="art" { (art::product_art(p, Some(&format!("Illustration of {}", p.title)))) }
                div {
                    h1 { (p.title) }
                    @if let Some(v) = &p.vendor {
                        p class="muted" { (v) }
                    }
                    form data-product=(p.handle) data-title=(p.title) method="get" action="/cart" {
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
            (recs)
        }
    };
    Ok(shop_page(&shop, &p.title, category.map(|c| c.as_str()).unwrap_or(""), "", body))
}

async fn search_page(
    State(state): State<AppState>,
    PageQuery(params): PageQuery<SearchParams>,
) -> PageResult {
    let (products, shop) = load(&state).await?;
    let p2 = params.clone();
    let st = state.clone();
    let view = blocking(move || {
        let index = st.app.engines.search()?;
        Ok(search::run_engine(&index, &products, &p2, st.app.clock.now_secs())?)
    })
    .await?;
    let title = if params.q.trim().is_empty() {
        "Search".to_string()
    } else {
        format!("Search: {}", params.q.trim())
    };
    Ok(shop_page(&shop, &title, "", &params.q, search::render(&view, &params)))
}

async fn cart_page(State(state): State<AppState>) -> PageResult {
    let (_, shop) = load(&state).await?;
    let body = html! {
        div class="wrap" data-cart {
            div class="page-head" style="padding-top:36px" { h1 { "Your bag" } }
            div data-cart-empty {
                p { "Your bag is empty." }
                p { a class="button ghost" href="/" { "Continue shopping" } }
            }
            div data-cart-filled hidden {
                ul class="cart-lines" data-cart-lines aria-label="Pieces in your bag" {}
                p class="cart-total" { "Subtotal " strong data-cart-total {} }
                p style="text-align:right" {
                    button class="button" type="button" disabled aria-describedby="demo-note" { "Checkout" }
                }
                p id="demo-note" class="muted small" style="text-align:right" {
                    "Checkout happens on the brand's own shop; this bag shows what Loupe knows of it."
                }
            }
            section class="section recs" id="pairs" aria-labelledby="pairs-h" data-cart-recs hidden {
                div class="section-head" {
                    h2 id="pairs-h" { "Pairs well with" }
                    span class="muted" { "Chosen for what is in your bag" }
                }
                ul class="grid pairs" data-cart-recs-list {}
            }
            noscript { p { "The bag needs JavaScript: it is kept in this browser only." } }
        }
    };
    Ok(shop_page(&shop, "Your bag", "", "", body))
}
