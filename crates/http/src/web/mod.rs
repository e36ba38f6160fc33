//! The web shell: server-rendered HTML for the storefront (`/`) and the
//! back-office (`/admin`), with one embedded stylesheet and one small script
//! (no CDN, works offline). Every page renders in one round trip; charts are
//! inline SVG drawn here ([`chart`]).
//!
//! Pages are maud templates (`html! { ... }`), chosen over askama because a
//! template is a Rust expression that the compiler checks like the code
//! around it, escaping is the default (text and attribute values spliced in
//! with `(value)` are escaped; `PreEscaped` is the one visible opt-out, used
//! only by [`json_script`]), there are no separate template files and no
//! build step, and the dependency tree is small (maud and its proc macro).
//!
//! Helpers for engineers adding pages:
//! - Write markup with `maud::html!` and splice values in as `(value)`;
//!   never build tags in strings.
//! - [`page`]`(title, nav_active, body)` wraps a back-office page in the
//!   admin shell; `nav_active` is the nav entry's path (`"/admin/search"`).
//!   Register it with `Area::page(path, Access::AdminPage, handler)`.
//! - [`chart::svg_line_chart`] and [`chart::svg_bar_chart`] for charts;
//!   [`fmt_money`] and friends for numbers; [`json_script`] for data that the
//!   script reads.
//! - Handlers return [`PageResult`], so that errors render as HTML pages.

pub mod admin;
pub(crate) mod art;
pub(crate) mod audit;
pub(crate) mod care;
pub(crate) mod cart;
pub mod chart;
pub(crate) mod experiments;
pub(crate) mod forecast;
pub(crate) mod merch;
pub(crate) mod recs;
pub(crate) mod risk;
pub(crate) mod rules;
pub(crate) mod scorecard;
pub mod search;
pub(crate) mod search_admin;
pub mod storefront;
pub(crate) mod support;
pub(crate) mod tasks;
pub(crate) mod visitor;

use std::fmt::Write as _;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use model::{Category, Metal, Money, Product, Stone};

use super::error::ApiError;

pub const STYLE: &str = include_str!("assets/style.css");

/// The style sheet served: [`STYLE`] and the metal palettes' classes, which
/// come from `art` so that the colours live in one place.
pub fn style_sheet() -> &'static str {
    static SHEET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SHEET.get_or_init(|| format!("{STYLE}\n{}", art::palette_css()))
}
pub const SCRIPT: &str = include_str!("assets/app.js");
pub const FAVICON: &str = include_str!("assets/favicon.svg");

/// Asset URLs carry the crate version so that browsers may cache them.
const ASSET_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Percent-encodes a query-string or path component.
pub fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

/// A `<script type="application/json">` element holding `value`, for the
/// page's script to read. `<` is written as `\u003c` so that no string in
/// the JSON can close the element; this is the one place that writes
/// unescaped text into a page.
pub fn json_script(id: &str, value: &serde_json::Value) -> Markup {
    let json = value.to_string().replace('<', "\\u003c");
    html! { script type="application/json" id=(id) { (PreEscaped(json)) } }
}

/// Query parameters for pages, read leniently: a malformed query string
/// gives the defaults (a shopper's mistyped URL still shows the page).
#[derive(Debug, Clone, Default)]
pub struct PageQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for PageQuery<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned + Default,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PageQuery(axum::extract::Query::<T>::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default()))
    }
}

/// A page handler's result: errors render as HTML pages with their status.
pub type PageResult = Result<Markup, PageError>;

#[derive(Debug)]
pub struct PageError(pub ApiError);

impl From<ApiError> for PageError {
    fn from(err: ApiError) -> PageError {
        PageError(err)
    }
}

impl From<app::Error> for PageError {
    fn from(err: app::Error) -> PageError {
        PageError(ApiError::from(err))
    }
}

impl From<store::Error> for PageError {
    fn from(err: store::Error) -> PageError {
        PageError(ApiError::from(err))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let err = self.0;
        let status = err.status();
        let (title, text) = match status {
            StatusCode::NOT_FOUND => ("Not found", "We could not find that page. It may have moved, or the piece is no longer in the collection.".to_string()),
            s if s.is_server_error() => ("Something went wrong", err.message.clone()),
            _ => ("That did not work", err.message.clone()),
        };
        let body = html! {
            div class="wrap placeholder" {
                h1 { (title) }
                p { (text) }
                p { a class="button ghost" href="/" { "Back to the shop" } }
            }
        };
        (status, bare_page(title, body)).into_response()
    }
}

/// The 404 page for paths no route matches.
pub fn not_found_page() -> Response {
    PageError(ApiError::not_found("page")).into_response()
}

/// The page behind a 401 on `/admin` (the browser shows it when the Basic
/// auth prompt is cancelled).
pub fn unauthorized_page() -> Markup {
    bare_page(
        "Admin key needed",
        html! {
            div class="wrap placeholder" {
                h1 { "Admin key needed" }
                p { "This back-office asks for the admin API key: enter any user name and the key as the password." }
                p class="small" { "Create one with " code { "loupe keys create --role admin" } "." }
            }
        },
    )
}

/// The page behind a 403 on a back-office section: what the section needs,
/// and the sections this key opens.
pub fn forbidden_page(message: &str, open: &[(&str, &str)]) -> Markup {
    bare_page(
        "Not with this key",
        html! {
            div class="wrap placeholder" {
                h1 { "Not with this key" }
                p { (message) "." }
                @if open.is_empty() {
                    p { "This key opens no back-office section. Ask whoever manages Loupe's keys for one with this scope (" code { "loupe keys create --scope ..." } ")." }
                } @else {
                    p { "This key opens:" }
                    ul class="section-links" {
                        @for (path, label) in open {
                            li { a href=(path) { (label) } }
                        }
                    }
                }
            }
        },
    )
}

/// The whole document around `body`: head, assets, the skip link.
/// `events` marks the body for the script to send storefront events.
fn document(title: &str, body_class: &str, events: bool, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                link rel="icon" href="/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href={ "/assets/style.css?v=" (ASSET_VERSION) };
                script src={ "/assets/app.js?v=" (ASSET_VERSION) } defer {}
            }
            body class=(body_class) data-events=[events.then_some("on")] {
                a class="skip" href="#main" { "Skip to content" }
                (body)
            }
        }
    }
}

/// A page with no navigation (errors, the auth prompt).
fn bare_page(title: &str, body: Markup) -> Markup {
    document(title, "", false, html! { main id="main" { (body) } })
}

/// The back-office navigation: `(path, label)`. An engine's page adds its
/// entry here when it registers its route.
pub const ADMIN_NAV: &[(&str, &str)] = &[
    ("/admin", "Scorecard"),
    ("/admin/catalog", "Catalog"),
    ("/admin/quality", "Data quality"),
    ("/admin/search", "Search"),
    ("/admin/merchandising", "Merchandising"),
    ("/admin/recommendations", "Recommendations"),
    ("/admin/forecasts", "Forecasts & replenishment"),
    ("/admin/experiments", "Experiments"),
    ("/admin/support", "Support"),
    ("/admin/care", "Care"),
    ("/admin/risk", "Risk"),
    ("/admin/audit", "Decisions"),
    ("/admin/tasks", "Tasks"),
];

/// A back-office page: the admin header and navigation around `body`.
/// `nav_active` is the path of the [`ADMIN_NAV`] entry to mark current.
pub fn page(title: &str, nav_active: &str, body: Markup) -> Markup {
    let chrome = html! {
        header class="site-header" {
            div class="bar" {
                a class="brand" href="/admin" { "Loupe" small { "Back-office" } }
                span class="muted small push-end" {
                    a href="/" { "View the shop" } " · " a href="/openapi.json" { "API" } " · "
                    a href="/metrics" { "Metrics" }
                }
            }
            nav class="admin-nav" aria-label="Back-office" {
                ul {
                    @for (path, label) in ADMIN_NAV {
                        li { a href=(path) aria-current=[(*path == nav_active).then_some("page")] { (label) } }
                    }
                }
            }
        }
        main id="main" { div class="wrap" { (body) } }
    };
    document(&format!("{title} · Loupe back-office"), "admin", false, chrome)
}

/// Previous and next links for page `page` of `pages` (nothing for one
/// page): `base` is the list's URL and `sep` what comes before `page=`.
pub(crate) fn pager(base: &str, sep: &str, page: usize, pages: usize) -> Markup {
    html! {
        @if pages > 1 {
            nav class="pager" aria-label="Pages" {
                @if page > 1 {
                    a class="button ghost" href={ (base) (sep) "page=" (page - 1) } { "Previous" }
                }
                span class="muted" { "Page " (page) " of " (pages) }
                @if page < pages {
                    a class="button ghost" href={ (base) (sep) "page=" (page + 1) } { "Next" }
                }
            }
        }
    }
}

/// The brand the storefront shows. A brand (or the demo) sets it with the
/// store document `settings/brand`: `{"name": "...", "tagline": "..."}`.
#[derive(Clone, Debug)]
pub struct Brand {
    pub name: String,
    pub tagline: String,
}

impl Brand {
    pub fn load(store: &store::Store) -> Brand {
        let stored = store
            .get_doc("settings", "brand")
            .ok()
            .flatten()
            .and_then(|json| serde_json::from_str::<serde_json::Value>(&json).ok());
        let get = |key: &str| stored.as_ref().and_then(|v| v[key].as_str()).map(str::to_string);
        Brand {
            // Empty: `Shop::new` names the shop after the catalog's vendor.
            name: get("name").unwrap_or_default(),
            tagline: get("tagline").unwrap_or_else(|| "Fine jewelry, made to be worn every day".to_string()),
        }
    }
}

const DEFAULT_BRAND: &str = "Loupe Jewelry";

/// The vendor of most products, when one vendor has more than half of them:
/// a brand's own export names the brand there.
fn main_vendor(products: &[Product]) -> Option<String> {
    let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in products.iter().filter(|p| !p.order_only).filter_map(|p| p.vendor.as_deref()) {
        *counts.entry(v.trim()).or_default() += 1;
    }
    let shoppable = products.iter().filter(|p| !p.order_only).count();
    counts
        .into_iter()
        .filter(|(v, n)| !v.is_empty() && *n * 2 > shoppable)
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v.to_string())
}

/// What every storefront page shows around its body: the brand and the
/// categories the catalog actually has.
#[derive(Clone, Debug)]
pub struct Shop {
    pub brand: Brand,
    pub categories: Vec<(Category, usize)>,
    /// Whether the pages send storefront events (views, searches, clicks,
    /// bag adds) to `POST /v1/events`: only while the server runs open, since
    /// that route needs an admin key once keys exist, and a brand in
    /// production sends events from its own storefront backend.
    pub events: bool,
}

impl Shop {
    pub fn new(mut brand: Brand, products: &[Product]) -> Shop {
        if brand.name.is_empty() {
            brand.name = main_vendor(products).unwrap_or_else(|| DEFAULT_BRAND.to_string());
        }
        let mut counts = std::collections::BTreeMap::new();
        for p in products.iter().filter(|p| is_shoppable(p)) {
            if let Some(c) = p.category {
                *counts.entry(c).or_insert(0usize) += 1;
            }
        }
        // The taxonomy's order reads well in a menu (rings first, other last).
        let categories = Category::ALL.iter().filter_map(|c| counts.get(c).map(|n| (*c, *n))).collect();
        Shop { brand, categories, events: false }
    }

    pub fn with_events(mut self, on: bool) -> Shop {
        self.events = on;
        self
    }
}

/// Products a shopper may see: active, with a catalog row (not order-only).
pub fn is_shoppable(p: &Product) -> bool {
    p.status == model::ProductStatus::Active && !p.order_only
}

/// A storefront page: header with search and bag, category navigation,
/// `body`, footer. `nav_active` is a category (`"ring"`) or `""`.
/// The storefront's shell data (brand, categories) for a page outside the
/// shop's own routes: help, unsubscribe, confirmation.
pub(crate) fn shop_of(state: &crate::state::AppState) -> Result<Shop, crate::error::ApiError> {
    let products = state.app.engines.catalog()?;
    Ok(Shop::new(Brand::load(&state.app.store), &products))
}

pub fn shop_page(shop: &Shop, title: &str, nav_active: &str, query: &str, body: Markup) -> Markup {
    let full_title =
        if title.is_empty() { shop.brand.name.clone() } else { format!("{title} · {}", shop.brand.name) };
    let chrome = html! {
        header class="site-header" {
            div class="bar" {
                a class="brand" href="/" { (shop.brand.name) }
                form class="search-form" role="search" action="/search" method="get" {
                    label class="visually-hidden" for="q" { "Search the collection" }
                    input id="q" name="q" type="search" value=(query)
                        placeholder="Search: dainty gold necklace under 200" autocomplete="off";
                    button type="submit" { "Search" }
                }
                a class="gift-link" href="/gifts" { "Gift finder" }
                a class="cart-link" href="/cart" { "Bag" span class="cart-count" data-cart-count hidden { "0" } }
            }
            @if !shop.categories.is_empty() {
                nav class="cats" aria-label="Categories" {
                    ul {
                        @for (c, _) in &shop.categories {
                            li {
                                a href={ "/c/" (c.as_str()) } aria-current=[(c.as_str() == nav_active).then_some("page")] {
                                    (c.plural())
                                }
                            }
                        }
                    }
                }
            }
        }
        main id="main" { (body) }
        footer class="site-footer" {
            div class="wrap" {
                span { (shop.brand.name) " · " (shop.brand.tagline) }
                span { a href="/help" { "Help" } " · Powered by Loupe · " a href="/admin" { "Back-office" } }
            }
        }
        aside class="chat" aria-label="Help" {
            details {
                summary { "Questions? Ask us" }
                div class="chat-panel" {
                    form action="/help" method="get" data-chat-form {
                        label class="visually-hidden" for="chat-q" { "Your question" }
                        input id="chat-q" name="q" type="text" placeholder="Shipping, sizing, care…" autocomplete="off" maxlength="500";
                        button class="button" type="submit" { "Ask" }
                    }
                    div class="chat-log" data-chat-log aria-live="polite" {}
                    p class="person" { a class="button ghost" href="/help#contact" data-chat-person { "Talk to a person" } }
                }
            }
        }
    };
    // The script reads `data-events` to decide whether to send events.
    document(&full_title, "shop", shop.events, chrome)
}

/// `$1,650`, `$19.90`, `£120`, `₹88,848`, `1,200 CHF`.
pub fn fmt_money(m: Money) -> String {
    let exp = m.currency.exponent();
    let scale = 10i64.pow(exp);
    let negative = m.minor < 0;
    let abs = m.minor.unsigned_abs();
    let whole = abs / scale as u64;
    let frac = abs % scale as u64;
    let mut digits = group_thousands(whole);
    if frac != 0 {
        let _ = write!(digits, ".{frac:0width$}", width = exp as usize);
    }
    let sign = if negative { "-" } else { "" };
    match m.currency.as_str() {
        "USD" => format!("{sign}${digits}"),
        "GBP" => format!("{sign}£{digits}"),
        "EUR" => format!("{sign}€{digits}"),
        "INR" => format!("{sign}₹{digits}"),
        code => format!("{sign}{digits} {code}"),
    }
}

/// `12345678` as `12,345,678`.
pub fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `$120`, `From $1,650`, or `Price on request`.
pub fn fmt_price(p: &Product) -> String {
    match p.price_range() {
        Some((lo, hi)) if lo == hi => fmt_money(lo),
        Some((lo, _)) => format!("From {}", fmt_money(lo)),
        None => "Price on request".to_string(),
    }
}

/// `18K rose gold`, `Sterling silver`, `950 platinum`, `Yellow gold vermeil`.
pub fn describe_metal(m: &Metal) -> String {
    let mut words: Vec<String> = Vec::new();
    match (m.kind.as_str(), m.karat, m.fineness) {
        (_, Some(k), _) => words.push(format!("{k}K")),
        ("silver", _, Some(925)) => words.push("sterling".into()),
        ("platinum" | "palladium", _, Some(f)) => words.push(f.to_string()),
        _ => {}
    }
    if !m.colors.is_empty() {
        words.push(m.colors.join(" & "));
    }
    words.push(m.kind.replace('_', " "));
    match m.finish {
        Some(model::Finish::Plated) => words.push("plated".into()),
        Some(model::Finish::Vermeil) => words.push("vermeil".into()),
        Some(model::Finish::GoldFilled) => words.push("filled".into()),
        _ => {}
    }
    capitalize(&words.join(" "))
}

/// `0.5 ct lab-grown diamond`, `Pearl`.
pub fn describe_stone(s: &Stone) -> String {
    let mut words: Vec<String> = Vec::new();
    if let Some(ct) = s.carat {
        words.push(format!("{} ct", trim_float(ct)));
    }
    match s.origin {
        Some(model::StoneOrigin::LabGrown) => words.push("lab-grown".into()),
        Some(model::StoneOrigin::Simulant) => words.push("simulated".into()),
        _ => {}
    }
    if let Some(c) = &s.color {
        words.push(c.clone());
    }
    words.push(s.kind.replace('_', " "));
    capitalize(&words.join(" "))
}

/// A short materials line for cards: `14K yellow gold · Diamond`.
pub fn materials_line(p: &Product) -> String {
    let mut parts: Vec<String> = p.metals().iter().take(1).map(describe_metal).collect();
    let stones: Vec<String> =
        p.stones().iter().take(2).map(|s| capitalize(&s.kind.replace('_', " "))).collect();
    parts.extend(stones);
    parts.join(" · ")
}

pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `0.50` as `0.5`, `2.0` as `2`.
pub fn trim_float(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

pub(crate) fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
        .into_response()
}

/// A signal or flag as words: `low_sell_through` reads "low sell-through".
pub fn label(code: &str) -> String {
    let words =
        code.replace("sell_through", "sell-through").replace("add_to_cart", "add-to-cart").replace('_', " ");
    words.replace("abc", "ABC")
}

#[cfg(test)]
mod tests {
    use model::Currency;

    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        // What the removed `escape` helper did by hand, templates do by default.
        let html =
            page("<a href=\"x\">Tom & Jerry</a>", "\"/admin", html! { p title=("\"><b>") { ("<b>&") } })
                .into_string();
        assert!(html.contains(
            "<title>&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&lt;/a&gt; · Loupe back-office</title>"
        ));
        assert!(html.contains("<p title=\"&quot;&gt;&lt;b&gt;\">&lt;b&gt;&amp;</p>"));
        assert!(!html.contains("<b>"));
    }

    #[test]
    fn url_encodes_components() {
        assert_eq!(url_encode("gold ring & co/é"), "gold+ring+%26+co%2F%C3%A9");
    }

    #[test]
    fn json_script_cannot_close_the_script() {
        let v = serde_json::json!({"title": "</script><script>alert(1)</script>"});
        let html = json_script("variants", &v).into_string();
        assert!(html.starts_with("<script type=\"application/json\" id=\"variants\">"), "{html}");
        assert_eq!(html.matches("</script").count(), 1, "only the element's own end tag: {html}");
        assert!(html.ends_with("</script>"), "{html}");
    }

    #[track_caller]
    fn check_money(minor: i64, currency: Currency, expect: &str) {
        assert_eq!(fmt_money(Money::new(minor, currency)), expect);
    }

    #[test]
    fn formats_money_for_shoppers() {
        check_money(165_000, Currency::USD, "$1,650");
        check_money(1_990, Currency::USD, "$19.90");
        check_money(8_884_800, Currency::INR, "₹88,848");
        check_money(12_000, Currency::GBP, "£120");
        check_money(-500, Currency::EUR, "-€5");
        check_money(120_000, Currency::parse("CHF").unwrap(), "1,200 CHF");
        check_money(0, Currency::USD, "$0");
    }

    #[track_caller]
    fn check_metal(metal: Metal, expect: &str) {
        assert_eq!(describe_metal(&metal), expect);
    }

    #[test]
    fn describes_metals_as_a_jeweler_would() {
        let m = |kind: &str| Metal { kind: kind.into(), ..Metal::default() };
        check_metal(Metal { karat: Some(18), colors: vec!["rose".into()], ..m("gold") }, "18K rose gold");
        check_metal(Metal { fineness: Some(925), ..m("silver") }, "Sterling silver");
        check_metal(Metal { fineness: Some(950), ..m("platinum") }, "950 platinum");
        check_metal(
            Metal { colors: vec!["yellow".into()], finish: Some(model::Finish::Vermeil), ..m("gold") },
            "Yellow gold vermeil",
        );
        check_metal(m("stainless_steel"), "Stainless steel");
    }

    #[test]
    fn the_shop_is_named_after_the_brand_or_its_main_vendor() {
        let p = |vendor: &str| Product { vendor: Some(vendor.into()), ..Product::default() };
        let unnamed = Brand { name: String::new(), tagline: String::new() };
        let shop = Shop::new(unnamed.clone(), &[p("Maison A"), p("Maison A"), p("Other")]);
        assert_eq!(shop.brand.name, "Maison A");
        let shop = Shop::new(unnamed, &[p("A"), p("B")]);
        assert_eq!(shop.brand.name, DEFAULT_BRAND);
        let named = Brand { name: "Set by the brand".into(), tagline: String::new() };
        assert_eq!(Shop::new(named, &[p("A")]).brand.name, "Set by the brand");
    }

    #[test]
    fn describes_stones() {
        let s = Stone {
            kind: "diamond".into(),
            origin: Some(model::StoneOrigin::LabGrown),
            carat: Some(0.5),
            ..Stone::default()
        };
        assert_eq!(describe_stone(&s), "0.5 ct lab-grown diamond");
        assert_eq!(
            describe_stone(&Stone { kind: "cubic_zirconia".into(), ..Stone::default() }),
            "Cubic zirconia"
        );
    }
}
