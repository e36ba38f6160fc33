//! The storefront a shopper sees: home, category pages, product pages,
//! search results and the bag, plus the embedded assets. Open to everyone
//! (it is the shop); every page is rendered on the server in one round trip.

use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::response::Response;
use model::{Category, Product};
use serde::Deserialize;
use serde_json::json;

use super::search::{self, SearchParams};
use super::{
    art, asset, category_plural, describe_metal, describe_stone, escape, fmt_money, fmt_price, is_shoppable,
    materials_line, script_json, shop_page, url_encode, Brand, PageError, PageQuery, PageResult, Shop,
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
        let open = !crate::auth::enforced(&state.store)?;
        let shop = Shop::new(Brand::load(&state.store), &products).with_events(open);
        Ok((products, shop))
    })
    .await?)
}

fn card(p: &Product) -> String {
    let href = format!("/p/{}", url_encode(&p.handle));
    format!(
        "<li class=\"card\"><a href=\"{href}\"><span class=\"art\">{}</span><div class=\"title\">{}</div>\
         <div class=\"meta\">{}</div><div class=\"price\">{}</div></a></li>",
        art::product_art(p, None).into_string(),
        escape(&p.title),
        escape(&materials_line(p)),
        escape(&fmt_price(p)),
    )
}

fn grid<'a>(products: impl Iterator<Item = &'a Product>) -> String {
    let mut out = String::from("<ul class=\"grid\">");
    for p in products {
        out.push_str(&card(p));
    }
    out.push_str("</ul>");
    out
}

async fn home(State(state): State<AppState>) -> PageResult {
    let (products, shop) = load(&state).await?;
    let mut body = format!(
        "<section class=\"hero\"><h1>{}</h1><p>{}</p><a class=\"button\" href=\"#new\">Discover the collection</a></section>",
        escape(&shop.brand.name),
        escape(&shop.brand.tagline)
    );
    body.push_str("<div class=\"wrap\">");
    if products.iter().all(|p| !is_shoppable(p)) {
        body.push_str(
            "<section class=\"section placeholder\"><h2>The collection is on its way</h2>\
             <p>No products yet. Import a catalog with <code>loupe import catalog products.csv</code>, \
             or run <code>loupe demo</code> for a demo brand.</p></section></div>",
        );
        return Ok(shop_page(&shop, "", "", "", &body));
    }
    if !shop.categories.is_empty() {
        body.push_str("<section class=\"section\" aria-labelledby=\"shop-by\"><div class=\"section-head\"><h2 id=\"shop-by\">Shop by category</h2></div><ul class=\"tiles\">");
        for (c, n) in &shop.categories {
            let _ = write!(
                body,
                "<li class=\"tile\"><a href=\"/c/{}\">{}<span class=\"name\">{}</span><span class=\"count\">{n} {}</span></a></li>",
                c.as_str(),
                art::category_art(*c).into_string(),
                category_plural(*c),
                if *n == 1 { "piece" } else { "pieces" }
            );
        }
        body.push_str("</ul></section>");
    }
    body.push_str(&super::recs::trending_section(&state, &products).await);
    let mut newest: Vec<&Product> = products.iter().filter(|p| is_shoppable(p)).collect();
    newest.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    let _ = write!(
        body,
        "<section class=\"section\" id=\"new\" aria-labelledby=\"new-h\"><div class=\"section-head\"><h2 id=\"new-h\">New in</h2>\
         <a href=\"/search?q=\">See everything</a></div>{}</section>",
        grid(newest.iter().take(8).copied())
    );
    if let Some((collection, pieces)) = spotlight(&products) {
        let _ = write!(
            body,
            "<section class=\"section\" aria-labelledby=\"col-h\"><div class=\"section-head\"><h2 id=\"col-h\">The {} collection</h2>\
             <span class=\"muted\">Pieces made to be worn together</span></div>{}</section>",
            escape(&super::capitalize(&collection)),
            grid(pieces.into_iter().take(4))
        );
    }
    body.push_str("</div>");
    Ok(shop_page(&shop, "", "", "", &body))
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
    let mut body = format!(
        "<div class=\"wrap\"><nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol><li><a href=\"/\">Home</a></li><li aria-current=\"page\">{name}</li></ol></nav>\
         <div class=\"page-head\"><h1>{name}</h1><p>{total} {}</p></div>\
         <form class=\"toolbar\" method=\"get\"><span class=\"muted\">Showing {} of {total}</span><div><label for=\"sort\">Sort by</label>\
         <select id=\"sort\" name=\"sort\" onchange=\"this.form.submit()\">",
        if total == 1 { "piece" } else { "pieces" },
        total.min(CATEGORY_PAGE * page) - (CATEGORY_PAGE * (page - 1)).min(total),
    );
    for (value, label) in [
        ("featured", "Featured"),
        ("newest", "Newest"),
        ("price_asc", "Price, low to high"),
        ("price_desc", "Price, high to low"),
    ] {
        let selected = if value == sort { " selected" } else { "" };
        let _ = write!(body, "<option value=\"{value}\"{selected}>{label}</option>");
    }
    body.push_str("</select> <noscript><button class=\"button ghost\" type=\"submit\">Sort</button></noscript></div></form>");
    body.push_str(&grid(pieces.iter().skip((page - 1) * CATEGORY_PAGE).take(CATEGORY_PAGE).copied()));
    if pages > 1 {
        let base = format!("/c/{}?sort={}", category.as_str(), url_encode(sort));
        body.push_str("<nav class=\"pager\" aria-label=\"Pages\">");
        if page > 1 {
            let _ = write!(
                body,
                "<a class=\"button ghost\" href=\"{}&amp;page={}\">Previous</a>",
                escape(&base),
                page - 1
            );
        }
        let _ = write!(body, "<span class=\"muted\">Page {page} of {pages}</span>");
        if page < pages {
            let _ = write!(
                body,
                "<a class=\"button ghost\" href=\"{}&amp;page={}\">Next</a>",
                escape(&base),
                page + 1
            );
        }
        body.push_str("</nav>");
    }
    body.push_str("</div>");
    Ok(shop_page(&shop, name, category.as_str(), "", &body))
}

async fn product_page(State(state): State<AppState>, Path(handle): Path<String>) -> PageResult {
    let (products, shop) = load(&state).await?;
    let Some(p) = products.iter().find(|p| p.handle == handle && !p.order_only) else {
        return Err(ApiError::not_found("product").into());
    };
    let category = p.category;
    let mut body = String::from("<div class=\"wrap\"><nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol><li><a href=\"/\">Home</a></li>");
    if let Some(c) = category {
        let _ = write!(body, "<li><a href=\"/c/{}\">{}</a></li>", c.as_str(), category_plural(c));
    }
    let _ = write!(body, "<li aria-current=\"page\">{}</li></ol></nav>", escape(&p.title));

    let label = format!("Illustration of {}", p.title);
    let _ = write!(
        body,
        "<article class=\"product\"><div class=\"art\">{}</div><div>",
        art::product_art(p, Some(&label)).into_string()
    );
    let _ = write!(body, "<h1>{}</h1>", escape(&p.title));
    if let Some(v) = &p.vendor {
        let _ = write!(body, "<p class=\"muted\">{}</p>", escape(v));
    }
    let first = p.variants.first();
    let price = first.and_then(|v| v.price).map(fmt_money).unwrap_or_else(|| fmt_price(p));
    let compare = first.and_then(|v| v.compare_at_price.filter(|c| Some(*c) > v.price)).map(fmt_money);
    let _ = write!(
        body,
        "<form data-product=\"{}\" data-title=\"{}\" method=\"get\" action=\"/cart\">\
         <p class=\"price\"><span data-price>{}</span>{}</p>",
        escape(&p.handle),
        escape(&p.title),
        escape(&price),
        compare
            .map(|c| format!(
                "<span class=\"compare\"><span class=\"visually-hidden\">was </span>{}</span>",
                escape(&c)
            ))
            .unwrap_or_default()
    );
    // One radio group per option name, values in the order variants list them.
    let mut names: Vec<&str> = Vec::new();
    for v in &p.variants {
        for name in v.options.keys() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
    }
    for (i, name) in names.iter().enumerate() {
        let mut values: Vec<&str> = Vec::new();
        for v in &p.variants {
            if let Some(value) = v.options.get(*name) {
                if !values.contains(&value.as_str()) {
                    values.push(value);
                }
            }
        }
        let _ = write!(body, "<fieldset><legend>{}</legend><div class=\"options\">", escape(name));
        let chosen = first.and_then(|v| v.options.get(*name)).map(String::as_str);
        for (j, value) in values.iter().enumerate() {
            let checked =
                if Some(*value) == chosen || (chosen.is_none() && j == 0) { " checked" } else { "" };
            let _ = write!(
                body,
                "<label><input type=\"radio\" name=\"{}\" value=\"{}\" id=\"o{i}-{j}\"{checked}><span>{}</span></label>",
                escape(name),
                escape(value),
                escape(value)
            );
        }
        body.push_str("</div></fieldset>");
    }
    let stock = match first.and_then(|v| v.inventory) {
        None => ("ok", "Made to order".to_string()),
        Some(n) if n <= 0 => ("out", "Sold out".to_string()),
        Some(n) if n <= 3 => ("low", format!("Only {n} left")),
        Some(_) => ("ok", "In stock".to_string()),
    };
    let _ = write!(
        body,
        "<p class=\"stock {}\" data-stock aria-live=\"polite\">{}</p>\
         <button class=\"button\" type=\"submit\">Add to bag</button><span class=\"added\" data-added hidden role=\"status\"></span></form>",
        stock.0,
        escape(&stock.1)
    );
    body.push_str("<dl class=\"specs\">");
    let metals: Vec<String> = p.metals().iter().map(describe_metal).collect();
    let stones: Vec<String> = p.stones().iter().map(describe_stone).collect();
    let mut spec = |term: &str, value: String| {
        if !value.is_empty() {
            let _ = write!(body, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(&value));
        }
    };
    spec("Metal", metals.join(", "));
    spec("Stones", stones.join(", "));
    spec("Category", category.map(|c| super::capitalize(&c.as_str().replace('_', " "))).unwrap_or_default());
    spec("Collection", p.collection.clone().map(|c| super::capitalize(&c)).unwrap_or_default());
    spec("Style", p.styles.join(", "));
    spec(
        "Weight",
        first.and_then(|v| v.grams).map(|g| format!("{} g", super::trim_float(g))).unwrap_or_default(),
    );
    let _ =
        write!(body, "<dt>SKU</dt><dd data-sku>{}</dd>", escape(first.map(|v| v.sku.as_str()).unwrap_or("")));
    body.push_str("</dl>");
    if !p.description.is_empty() {
        for para in p.description.split("\n\n").filter(|s| !s.trim().is_empty()) {
            let _ = write!(body, "<p>{}</p>", escape(para.trim()));
        }
    }
    if !p.tags.is_empty() {
        body.push_str("<ul class=\"tags\" aria-label=\"Tags\">");
        for t in &p.tags {
            let _ = write!(body, "<li>{}</li>", escape(t));
        }
        body.push_str("</ul>");
    }
    body.push_str("</div></article>");

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
    let _ = write!(
        body,
        "<script type=\"application/json\" id=\"variants\">{}</script>",
        script_json(&json!(variants))
    );

    body.push_str(&super::recs::product_sections(&state, &products, p).await);
    body.push_str("</div>");
    Ok(shop_page(&shop, &p.title, category.map(|c| c.as_str()).unwrap_or(""), "", &body))
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
    Ok(shop_page(&shop, &title, "", &params.q, &search::render(&view, &params)))
}

async fn cart_page(State(state): State<AppState>) -> PageResult {
    let (_, shop) = load(&state).await?;
    let body = "<div class=\"wrap\" data-cart><div class=\"page-head\" style=\"padding-top:36px\"><h1>Your bag</h1></div>\
        <div data-cart-empty><p>Your bag is empty.</p><p><a class=\"button ghost\" href=\"/\">Continue shopping</a></p></div>\
        <div data-cart-filled hidden><ul class=\"cart-lines\" data-cart-lines aria-label=\"Pieces in your bag\"></ul>\
        <p class=\"cart-total\">Subtotal <strong data-cart-total></strong></p>\
        <p style=\"text-align:right\"><button class=\"button\" type=\"button\" disabled aria-describedby=\"demo-note\">Checkout</button></p>\
        <p id=\"demo-note\" class=\"muted small\" style=\"text-align:right\">Checkout happens on the brand's own shop; this bag shows what Loupe knows of it.</p></div>\
        <section class=\"section recs\" id=\"pairs\" aria-labelledby=\"pairs-h\" data-cart-recs hidden><div class=\"section-head\"><h2 id=\"pairs-h\">Pairs well with</h2>\
        <span class=\"muted\">Chosen for what is in your bag</span></div><ul class=\"grid pairs\" data-cart-recs-list></ul></section>\
        <noscript><p>The bag needs JavaScript: it is kept in this browser only.</p></noscript></div>";
    Ok(shop_page(&shop, "Your bag", "", "", body))
}
