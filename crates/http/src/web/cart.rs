//! The bag (`/cart`) and the two fragments its script fetches. The bag
//! lives in the browser (`localStorage`), so the page arrives empty and the
//! script asks the server for its lines (`/cart/lines`: the drawing in the
//! variant's metal, the options, the price from today's catalog in the
//! product's currency) and for the pieces that pair with them
//! (`/cart/pairs`: recommendation cards with picture, price and a reason in
//! the shopper's words). Both are plain HTML rendered here, like every page.

use axum::extract::{Query, State};
use axum::http::Uri;
use maud::html;
use model::{Money, Product, Variant};
use recs::{Context, Signal};

use super::{art, fmt_money, is_shoppable, shop_page, url_encode, PageResult};
use crate::state::AppState;

/// At most this many lines are drawn (a bag is a few pieces; a crafted URL
/// must not make the server draw thousands).
const MAX_LINES: usize = 50;

pub(crate) async fn cart_page(State(state): State<AppState>) -> PageResult {
    let (_, shop) = super::storefront::load(&state).await?;
    let body = html! {
        div class="wrap" data-cart {
            div class="page-head spaced" { h1 { "Your bag" } }
            div data-cart-empty {
                p { "Your bag is empty." }
                p { a class="button ghost" href="/" { "Continue shopping" } }
            }
            div data-cart-filled hidden {
                ul class="cart-lines" data-cart-lines aria-label="Pieces in your bag" {}
                p class="cart-total" { "Subtotal " strong data-cart-total {} }
                p class="align-end" {
                    button class="button" type="button" disabled aria-describedby="demo-note" { "Checkout" }
                }
                p id="demo-note" class="muted small align-end" {
                    "Checkout happens on the brand's own shop; this bag shows what Loupe knows of it."
                }
            }
            section class="section recs" id="pairs" aria-labelledby="pairs-h" data-cart-recs hidden {
                div class="section-head" {
                    h2 id="pairs-h" { "Pairs well with" }
                    span class="muted" { "Chosen for what is in your bag" }
                }
                ul class="grid" data-cart-recs-list {}
            }
            noscript { p { "The bag needs JavaScript: it is kept in this browser only." } }
        }
    };
    Ok(shop_page(&shop, "Your bag", "", "", body))
}

/// `(sku, quantity)` from `?sku=A&qty=2&sku=B`: a `qty` belongs to the `sku`
/// before it (1 when missing, at most 99).
fn lines_of(uri: &Uri) -> Vec<(String, u32)> {
    let pairs: Vec<(String, String)> = Query::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
    let mut lines: Vec<(String, u32)> = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "sku" if lines.len() < MAX_LINES => lines.push((value, 1)),
            "qty" => {
                if let Some(line) = lines.last_mut() {
                    line.1 = value.trim().parse::<u32>().unwrap_or(1).clamp(1, 99);
                }
            }
            _ => {}
        }
    }
    lines
}

/// The product and variant of `sku`, among the pieces a shopper may see.
fn find<'a>(products: &'a [Product], sku: &str) -> Option<(&'a Product, &'a Variant)> {
    products
        .iter()
        .filter(|p| is_shoppable(p))
        .find_map(|p| p.variants.iter().find(|v| v.sku == sku).map(|v| (p, v)))
}

/// The bag's lines (`<li>` elements for `[data-cart-lines]`). Each line
/// carries its price in minor units and currency (`data-minor`,
/// `data-currency`) for the script's subtotal.
pub(crate) async fn cart_lines(State(state): State<AppState>, uri: Uri) -> PageResult {
    let lines = lines_of(&uri);
    let (products, _) = super::storefront::load(&state).await?;
    Ok(html! {
        @for (sku, qty) in &lines {
            @if let Some((p, v)) = find(&products, sku) {
                @let href = format!("/p/{}?variant={}", url_encode(&p.handle), url_encode(&v.sku));
                @let total = v.price.map(|m| Money::new(m.minor * i64::from(*qty), m.currency));
                @let metals = p.metals();
                li class="cart-line" data-sku=(sku) data-minor=[total.map(|m| m.minor)]
                    data-currency=[total.map(|m| m.currency.as_str().to_string())] {
                    a class="art" href=(href) tabindex="-1" {
                        (art::product_art_in(p, v.metals.first().or(metals.first()), None))
                    }
                    div class="line-text" {
                        a href=(href) { (p.shown_title()) }
                        div class="muted small" {
                            @let options: Vec<&str> = v.options.values().map(String::as_str).collect();
                            @if !options.is_empty() {
                                (options.join(" · ")) " · "
                            }
                            "SKU " (v.sku) " · Qty " (qty)
                        }
                    }
                    div class="line-price" {
                        span class="price" { (total.map(fmt_money).unwrap_or_else(|| "Price on request".into())) }
                        " "
                        button class="link-button" type="button" data-remove=(sku) aria-label={ "Remove " (p.shown_title()) " from the bag" } {
                            "Remove"
                        }
                    }
                }
            } @else {
                li class="cart-line" data-sku=(sku) {
                    div class="line-text" {
                        "A piece no longer in the catalog"
                        div class="muted small" { "SKU " (sku) " · Qty " (qty) }
                    }
                    div class="line-price" {
                        button class="link-button" type="button" data-remove=(sku) aria-label={ "Remove SKU " (sku) " from the bag" } {
                            "Remove"
                        }
                    }
                }
            }
        }
    })
}

/// Up to four cards of pieces that pair with the bag (`<li>` elements for
/// `[data-cart-recs-list]`), each with its drawing, price and reason;
/// nothing when the model is not ready or knows none.
pub(crate) async fn cart_pairs(State(state): State<AppState>, uri: Uri) -> PageResult {
    let skus: Vec<String> = lines_of(&uri).into_iter().map(|(sku, _)| sku).collect();
    if skus.is_empty() {
        return Ok(html! {});
    }
    let (products, _) = super::storefront::load(&state).await?;
    let bag: Vec<&Product> = skus.iter().filter_map(|s| find(&products, s)).map(|(p, _)| p).collect();
    let in_bag: Vec<u64> = bag.iter().map(|p| p.id).collect();
    let bag_handles: Vec<String> = bag.iter().map(|p| p.handle.clone()).collect();
    // Pieces a merchandiser approved to wear with what is in the bag come first.
    let chosen = super::merch::bag_cards(&state, &products, &bag_handles).await;
    let cart = skus.clone();
    let Some((_, _, list)) =
        super::recs::recommend(&state, super::recs::SHOP_WAIT, 12, move |_| Some(Context::Cart(cart))).await
    else {
        return Ok(
            html! { @for (p, why) in chosen.iter().take(4) { (super::storefront::card_with(p, Some(why))) } },
        );
    };
    let cards: Vec<(&Product, Vec<&recs::Reason>)> = list
        .iter()
        .filter(|item| !in_bag.contains(&item.product_id))
        .filter(|item| !chosen.iter().any(|(p, _)| p.id == item.product_id))
        .filter_map(|item| {
            let p = products.iter().find(|p| p.id == item.product_id && is_shoppable(p))?;
            // A reason that completes the set reads best under this heading.
            let reasons = match item.why.iter().find(|r| r.signal == Signal::CompleteTheSet) {
                Some(r) => vec![r],
                None => super::recs::top_reason(item),
            };
            Some((p, reasons))
        })
        .take(4usize.saturating_sub(chosen.len()))
        .collect();
    Ok(html! {
        @for (p, why) in chosen.iter().take(4) { (super::storefront::card_with(p, Some(why))) }
        @for (p, reasons) in &cards { (super::recs::card(p, reasons)) }
    })
}
