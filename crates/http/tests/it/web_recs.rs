//! Recommendations in the web shell through the real router: the product
//! page's "Complete the set" with its reason, the home page's "Trending now",
//! the gift finder's shortlist, the bag's "Pairs well with" placeholder and
//! the back-office page.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use loupe_http::{router, AppState};
use model::{Category, Currency, Gender, LineKind, Metal, Money, OrderLine, Product, Stone, Variant};
use tower::ServiceExt;

fn piece(handle: &str, title: &str, category: Category, collection: &str, price: i64) -> Product {
    Product {
        handle: handle.into(),
        title: title.into(),
        category: Some(category),
        gender: Some(Gender::Women),
        collection: Some(collection.into()),
        variants: vec![Variant {
            sku: handle.to_uppercase(),
            price: Some(Money::new(price * 100, Currency::USD)),
            metals: vec![Metal {
                kind: "gold".into(),
                karat: Some(14),
                colors: vec!["yellow".into()],
                ..Metal::default()
            }],
            stones: vec![Stone { kind: "pearl".into(), ..Stone::default() }],
            inventory: Some(10),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

/// A pearl collection of studs, necklace and bracelet, a diamond ring
/// elsewhere, and orders so that the model has something to learn.
fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = store::Store::open_temporary().unwrap();
    let products = vec![
        piece("pearl-studs", "Pearl Studs", Category::Earrings, "pearl", 120),
        piece("pearl-necklace", "Pearl Necklace", Category::Necklace, "pearl", 180),
        piece("pearl-bracelet", "Pearl Bracelet", Category::Bracelet, "pearl", 150),
        piece("halo-ring", "Halo Ring", Category::Ring, "halo", 900),
        piece("bar-pendant", "Bar Pendant", Category::Pendant, "bar", 90),
    ];
    store.import_products(products.into_iter().map(Ok::<_, std::io::Error>), 1_750_000_000).unwrap();
    let mut lines = Vec::new();
    for k in 0..12u32 {
        let skus: &[&str] = match k % 3 {
            0 => &["PEARL-STUDS", "PEARL-NECKLACE"],
            1 => &["BAR-PENDANT", "PEARL-BRACELET"],
            _ => &["HALO-RING"],
        };
        for (n, sku) in skus.iter().enumerate() {
            lines.push(OrderLine {
                order_id: format!("o{k}"),
                line_no: n as u32,
                ordered_at: 1_700_000_000 + k as i64 * 86_400,
                customer_id: Some(format!("c{}", k % 5)),
                sku: sku.to_string(),
                title: None,
                quantity: 1,
                unit_price: Some(Money::new(10_000, Currency::USD)),
                country: None,
                kind: LineKind::Sale,
            });
        }
    }
    store.import_order_lines(lines.into_iter().map(Ok::<_, std::io::Error>)).unwrap();
    (router(AppState::new(crate::app_on(store), dir.path())), dir)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = app.clone().oneshot(Request::get(uri).body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let body = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, body)
}

/// The text of the section with this id, up to its end.
fn section<'a>(html: &'a str, id: &str) -> Option<&'a str> {
    let start = html.find(&format!("id=\"{id}\""))?;
    let rest = &html[start..];
    Some(&rest[..rest.find("</section>").unwrap_or(rest.len())])
}

#[tokio::test]
async fn the_product_page_completes_the_set_with_a_reason() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/p/pearl-studs").await;
    assert_eq!(s, StatusCode::OK);
    let set =
        section(&html, "complete-the-set").unwrap_or_else(|| panic!("no complete-the-set section: {html}"));
    assert!(set.contains("Complete the set"), "{set}");
    assert!(set.contains("Pearl Necklace") || set.contains("Pearl Bracelet"), "{set}");
    assert!(set.contains("class=\"reason\" data-signal=\"complete_the_set\""), "{set}");
    assert!(set.contains("Pearl Studs"), "the reason names the piece viewed: {set}");
    assert!(!set.contains("href=\"/p/pearl-studs\""), "the piece itself is not recommended: {set}");
}

#[tokio::test]
async fn the_home_page_shows_trending_pieces_with_reasons() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/").await;
    assert_eq!(s, StatusCode::OK);
    let trending = section(&html, "trending").unwrap_or_else(|| panic!("no trending section: {html}"));
    assert!(trending.contains("Trending now"), "{trending}");
    assert!(trending.contains("class=\"reason\""), "{trending}");
    assert!(html.contains("href=\"/gifts\""), "the header links the gift finder");
    // Shoppers read plain words: no order counts or growth rates (issue 11 item 6).
    for reason in html.split("class=\"reason\"").skip(1).map(|r| &r[..r.find("</p>").unwrap_or(r.len())]) {
        let words = reason.split_once('>').map_or(reason, |(_, w)| w);
        assert!(
            !words.chars().any(|c| c.is_ascii_digit()) || words.contains('$'),
            "a count on the shop: {words}"
        );
    }
}

#[tokio::test]
async fn the_gift_finder_shortlists_within_the_budget() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/gifts").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("<form class=\"gift-form\""), "{html}");
    assert!(section(&html, "gift-ideas").is_none());

    let (s, html) = get(&app, "/gifts?brief=for+mom%2C+under+200").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("For your mother") && html.contains("Under $200"), "{html}");
    let ideas = section(&html, "gift-ideas").unwrap_or_else(|| panic!("no shortlist: {html}"));
    assert!(ideas.contains("class=\"reason\""), "{ideas}");
    assert!(ideas.contains("Pearl"), "{ideas}");
    assert!(!ideas.contains("Halo Ring"), "the $900 ring is over budget: {ideas}");

    // The form's fields make the same kind of brief.
    let (s, html) = get(&app, "/gifts?recipient=mom&occasion=birthday&budget=200").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Birthday") && section(&html, "gift-ideas").is_some(), "{html}");
}

#[tokio::test]
async fn the_bag_has_a_place_for_pairs() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/cart").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("data-cart-recs hidden") && html.contains("Pairs well with"), "{html}");
    let (_, js) = get(&app, "/assets/app.js").await;
    assert!(js.contains("/cart/pairs?"), "the script fills it");
}

/// Regression (issue 11): the bag's "pairs well with" cards had a title and
/// the API's reason (with its order counts) but no picture and no price.
#[tokio::test]
async fn the_bags_pairs_show_picture_price_and_a_plain_reason() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/cart/pairs?sku=PEARL-STUDS&qty=1").await;
    assert_eq!(s, StatusCode::OK);
    let cards: Vec<&str> = html.split("<li class=\"card\">").skip(1).collect();
    assert!(!cards.is_empty(), "{html}");
    for card in &cards {
        assert!(card.contains("<svg") && card.contains("class=\"price\">$"), "{card}");
        assert!(card.contains("class=\"reason\""), "{card}");
        assert!(!card.contains("href=\"/p/pearl-studs\""), "not what is in the bag: {card}");
    }
    assert!(html.contains("Pearl Necklace") || html.contains("Pearl Bracelet"), "{html}");
    let (s, empty) = get(&app, "/cart/pairs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!empty.contains("<li"), "{empty}");
}

#[tokio::test]
async fn the_back_office_shows_the_model_and_previews_contexts() {
    let (app, _dir) = app();
    let (s, html) = get(&app, "/admin/recommendations").await;
    assert_eq!(s, StatusCode::OK);
    for text in ["interactions", "customers", "Trending now", "name=\"product\"", "name=\"gift\""] {
        assert!(html.contains(text), "lacks {text}: {html}");
    }
    assert!(!html.contains("This page arrives with its engine"), "{html}");
    let (s, html) = get(&app, "/admin/recommendations?product=pearl-studs").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("complete_the_set") && html.contains("contribution to the score"), "{html}");
    assert!(html.contains("The product page of Pearl Studs"), "{html}");
    let (s, html) = get(&app, "/admin/recommendations?product=nope").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("No product"), "{html}");
    let (s, html) = get(&app, "/admin/recommendations?gift=%3Cscript%3Efor+mom").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!html.contains("<script>for"), "the brief is escaped");
}
