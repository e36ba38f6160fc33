//! The storefront's shopping pages through the real router (issue 11): a
//! category page has the search page's facets with the engine's counts,
//! the product drawing follows the chosen metal, and the bag's lines and
//! "pairs well with" cards show a picture and a price.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Currency, Metal, Money, Product, Stone, Variant};
use serde_json::Value;
use tower::ServiceExt;

fn metal(kind: &str, color: &str) -> Metal {
    Metal {
        kind: kind.into(),
        karat: (kind == "gold").then_some(18),
        colors: if color.is_empty() { vec![] } else { vec![color.into()] },
        ..Metal::default()
    }
}

/// A ring in yellow, rose and white gold (option "Metal"), priced in euros.
fn three_metal_ring() -> Product {
    Product {
        handle: "trio-ring".into(),
        title: "Trio Ring".into(),
        category: Some(Category::Ring),
        variants: [
            ("yellow", "Yellow gold", 90_000),
            ("rose", "Rose gold", 95_000),
            ("white", "White gold", 99_000),
        ]
        .iter()
        .map(|(color, label, price)| Variant {
            sku: format!("TRIO-{}", color.to_uppercase()),
            price: Some(Money::new(*price, Currency::EUR)),
            options: [("Metal".to_string(), label.to_string())].into(),
            metals: vec![metal("gold", color)],
            inventory: Some(5),
            ..Variant::default()
        })
        .collect(),
        ..Product::default()
    }
}

fn ring(handle: &str, kind: &str, color: &str, stone: Option<&str>) -> Product {
    Product {
        handle: handle.into(),
        title: handle.replace('-', " "),
        category: Some(Category::Ring),
        variants: vec![Variant {
            sku: handle.to_uppercase(),
            price: Some(Money::new(50_000, Currency::USD)),
            metals: vec![metal(kind, color)],
            stones: stone.map(|s| vec![Stone { kind: s.into(), ..Stone::default() }]).unwrap_or_default(),
            inventory: Some(3),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let products = vec![
        three_metal_ring(),
        ring("silver-band", "silver", "", None),
        ring("silver-ruby-ring", "silver", "", Some("ruby")),
        ring("gold-ruby-ring", "gold", "yellow", Some("ruby")),
        ring("platinum-solitaire", "platinum", "", Some("diamond")),
        Product { category: Some(Category::Earrings), ..ring("silver-studs", "silver", "", Some("diamond")) },
    ];
    store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    (router(AppState::new(crate::app_on(store), dir.path())), dir)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, body)
}

/// `(value, count)` of each value the page lists under facet `key`, read
/// from its links (`href="...key=value..."` then the count).
fn page_facet(html: &str, path: &str, key: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for chunk in html.split("<li><a href=\"").skip(1) {
        let href = &chunk[..chunk.find('"').unwrap()];
        if !href.starts_with(path) {
            continue;
        }
        let Some(count) = chunk.split("<span class=\"count\">").nth(1) else { continue };
        let count: u64 = count[..count.find('<').unwrap()].parse().unwrap();
        // The value this link toggles: the one in the link the page's own URL lacks.
        let label = chunk.split("<span>").nth(1).unwrap();
        let label = label[..label.find('<').unwrap()].trim_start_matches("\u{2713} ").to_lowercase();
        if href.contains(&format!("{key}=")) || chunk.contains("aria-current") {
            out.push((label, count));
        }
    }
    out
}

/// Regression (issue 11): category pages had no facets at all.
#[tokio::test]
async fn a_category_page_has_the_search_facets_with_the_engines_counts() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/c/ring").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<details class=\"facet-drawer\" open data-filters>"), "{html}");
    assert!(html.contains("Filters</summary>"), "a phone opens the facets from a button: {html}");
    // The engine's facets for the same list: no words, this category.
    let (_, api) = get(&app, "/v1/search?q=&category=ring").await;
    let api: Value = serde_json::from_str(&api).unwrap();
    assert_eq!(api["total"], 5, "{api}");
    assert!(html.contains("5 pieces"), "{html}");
    for key in ["metal", "stone"] {
        let want: Vec<(String, u64)> = api["facets"][key]
            .as_array()
            .unwrap_or_else(|| panic!("no {key} facet: {api}"))
            .iter()
            .map(|v| (v["value"].as_str().unwrap().replace('_', " "), v["count"].as_u64().unwrap()))
            .collect();
        assert!(!want.is_empty());
        let links = &html
            [html.find(&format!("<h2>{}</h2>", if key == "metal" { "Metal" } else { "Stone" })).unwrap()..];
        let links = &links[..links.find("</section>").unwrap()];
        assert_eq!(page_facet(links, "/c/ring", key), want, "{key}: {links}");
    }
    // Facet links keep the category and the sort.
    assert!(html.contains("href=\"/c/ring?metal=silver\""), "{html}");
    let (_, sorted) = get(&app, "/c/ring?sort=price_desc").await;
    assert!(sorted.contains("href=\"/c/ring?metal=silver&amp;sort=price_desc\""), "{sorted}");

    // Filtering narrows the list; a second metal is an alternative (multi-select).
    let (s, silver) = get(&app, "/c/ring?metal=silver").await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        silver.contains("2 pieces") && silver.contains("silver band") && !silver.contains("Trio Ring"),
        "{silver}"
    );
    assert!(!silver.contains("silver studs"), "the category stays: {silver}");
    assert!(silver.contains("aria-current=\"true\""), "the chosen value is marked");
    assert!(silver.contains("href=\"/c/ring\""), "choosing it again clears it: {silver}");
    let (_, both) = get(&app, "/c/ring?metal=silver,platinum").await;
    assert!(both.contains("3 pieces"), "{both}");
    let (_, ruby) = get(&app, "/c/ring?metal=silver&stone=ruby").await;
    assert!(ruby.contains("1 piece<") && ruby.contains("silver ruby ring"), "{ruby}");
    // A hidden field keeps the filters when the sort changes.
    assert!(ruby.contains("<input type=\"hidden\" name=\"metal\" value=\"silver\">"), "{ruby}");
}

/// The art frame's metal class (`metal-rose`) on a product page.
fn art_class(html: &str) -> &str {
    let at = html.find("class=\"art metal-").unwrap_or_else(|| panic!("no drawing frame: {html}"));
    let rest = &html[at + "class=\"art ".len()..];
    &rest[..rest.find('"').unwrap()]
}

/// Regression (issue 11): the drawing stayed in the first variant's metal.
#[tokio::test]
async fn the_product_drawing_follows_the_chosen_metal() {
    let (app, _dir) = app();
    let (_, plain) = get(&app, "/p/trio-ring").await;
    let (_, yellow) = get(&app, "/p/trio-ring?metal=yellow").await;
    let (_, rose) = get(&app, "/p/trio-ring?metal=rose-gold").await;
    let (_, white) = get(&app, "/p/trio-ring?variant=TRIO-WHITE").await;
    assert_eq!(art_class(&plain), art_class(&yellow), "the first variant is yellow");
    assert_eq!(art_class(&rose), "metal-rose");
    assert_eq!(art_class(&white), "metal-white");
    // The class sets the metal's colours in the served style sheet, and the
    // drawing's own gradient falls back to the same metal.
    let (_, css) = get(&app, "/assets/style.css").await;
    let rule = css.lines().find(|l| l.starts_with(".metal-rose{")).unwrap_or_else(|| panic!("{css}"));
    let light = rule.split("--metal-light:").nth(1).unwrap().split(';').next().unwrap();
    assert!(rose.contains(&format!("stop-color=\"{light}\"")), "{rose}");
    assert!(css.contains("stop.ml{stop-color:var(--metal-light)}"), "the frame's class repaints the stops");
    // The page opens on that variant: its radio, price and SKU.
    assert!(rose.contains("value=\"Rose gold\" id=\"o0-1\" checked"), "{rose}");
    assert!(rose.contains("€950") && rose.contains("TRIO-ROSE"), "{rose}");
    assert!(white.contains("€990") && white.contains("value=\"White gold\" id=\"o0-2\" checked"), "{white}");
    // The script gets each variant's metal to repaint with.
    assert!(white.contains("\"metal\":\"metal-white\""), "{white}");
    // An unknown variant or metal opens on the first.
    let (_, odd) = get(&app, "/p/trio-ring?variant=NOPE&metal=zinc").await;
    assert_eq!(art_class(&odd), art_class(&yellow));
    // No page carries an inline style: the CSP allows none.
    for page in [&plain, &rose, &white] {
        assert!(!page.contains(" style=") && !page.contains("<style"), "an inline style: {page}");
    }
    for uri in ["/", "/search?q=ring", "/cart", "/c/ring", "/admin", "/admin/catalog", "/help"] {
        let (_, html) = get(&app, uri).await;
        assert!(!html.contains(" style=") && !html.contains("<style"), "{uri} has an inline style");
    }
}

/// Regression (issue 11): bag lines had no picture, and the bag page drew
/// them from the browser's copy alone.
#[tokio::test]
async fn bag_lines_show_the_drawing_and_the_price() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/cart/lines?sku=TRIO-ROSE&qty=2&sku=SILVER-BAND&sku=GONE").await;
    assert_eq!(s, StatusCode::OK);
    let lines: Vec<&str> = html.split("<li class=\"cart-line\"").skip(1).collect();
    assert_eq!(lines.len(), 3, "{html}");
    let trio = lines[0];
    assert!(trio.contains("<svg") && trio.contains("Trio Ring"), "{trio}");
    assert!(trio.contains("€1,900"), "two at €950, in the product's currency: {trio}");
    assert!(trio.contains("data-minor=\"190000\" data-currency=\"EUR\""), "{trio}");
    assert!(trio.contains("Rose gold") && trio.contains("Qty 2"), "{trio}");
    assert!(trio.contains("stop-color=\"#f7d9cf\""), "drawn in rose gold: {trio}");
    assert!(trio.contains("href=\"/p/trio-ring?variant=TRIO-ROSE\""), "{trio}");
    assert!(lines[1].contains("<svg") && lines[1].contains("$500"), "{}", lines[1]);
    assert!(lines[2].contains("no longer in the catalog") && lines[2].contains("data-remove=\"GONE\""));
    let (_, js) = get(&app, "/assets/app.js").await;
    assert!(js.contains("/cart/lines?") && js.contains("/cart/pairs?"), "the bag page asks for them");
}

/// Issue 12: a shouting title reads in title case and a vendor metal code in
/// words on the shop's pages, while the API keeps the title as imported.
#[tokio::test]
async fn the_shop_shows_a_cleaned_title_and_the_api_the_raw_one() {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let loud = Product {
        title: "PEARL STRAND WITH CZ CLASP".into(),
        ..ring("pearl-strand", "gold", "yellow", Some("pearl"))
    };
    let coded = Product { title: "Bar Ring yellow-585".into(), ..ring("bar-ring", "gold", "yellow", None) };
    store.import_products([loud, coded].into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let app = router(AppState::new(crate::app_on(store), dir.path()));

    let (status, page) = get(&app, "/p/pearl-strand").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Pearl Strand with CZ Clasp</h1>"), "{page}");
    assert!(!page.contains("PEARL STRAND"), "the shouting title is nowhere on the page, reasons included");
    let (_, category) = get(&app, "/c/ring").await;
    assert!(category.contains("Bar Ring 14K yellow gold"), "{category}");

    let (_, json) = get(&app, "/v1/products?limit=10").await;
    let v: Value = serde_json::from_str(&json).unwrap();
    let titles: Vec<&str> =
        v["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect();
    assert!(
        titles.contains(&"PEARL STRAND WITH CZ CLASP") && titles.contains(&"Bar Ring yellow-585"),
        "{titles:?}"
    );
}
