//! The real files in `../shared/datasets` (skipped with a note when absent).

use std::path::PathBuf;

use catalog::{quality_report, Format, Mapping};
use model::{Category, Currency, Finish, Gender, LineKind, Product};

use crate::{map, read};

fn dataset(name: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets")).join(name);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("note: {} not found; test skipped", path.display());
            None
        }
    }
}

fn by_handle<'a>(products: &'a [Product], handle: &str) -> &'a Product {
    products.iter().find(|p| p.handle == handle).unwrap_or_else(|| panic!("no product {handle}"))
}

#[test]
fn cartier_rings() {
    let Some(bytes) = dataset("cartier-rings.csv") else { return };
    let m = map(&[
        "handle=ref",
        "title=title",
        "description=description",
        "price=price",
        "tags=tags",
        "category=categorie",
    ]);
    let (products, skipped) = read(&bytes, Format::Csv, &m);
    // The file's last line is cut off inside a quoted field: read, and reported.
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!((skipped[0].code.as_str(), skipped[0].line), ("bad_value", Some(260)));
    assert_eq!(products.len(), 259);

    // Love ring B4084600: 18K yellow gold, solid, a ring of the Love collection.
    let love = by_handle(&products, "B4084600");
    let metals = love.metals();
    assert_eq!(metals.len(), 1);
    assert_eq!((metals[0].kind.as_str(), metals[0].karat, metals[0].fineness), ("gold", Some(18), Some(750)));
    assert_eq!(metals[0].colors, vec!["yellow"]);
    assert_eq!(metals[0].finish, Some(Finish::Solid));
    assert_eq!(love.category, Some(Category::Ring));
    assert_eq!(love.collection.as_deref(), Some("love"));
    assert_eq!(love.variants[0].price.map(|p| p.minor), Some(165000));
    assert!(love.quality_issues.is_empty(), "{:?}", love.quality_issues);
    assert_eq!(love.attributes.get("width_mm").map(String::as_str), Some("5.5"));
    // The image column was found by its name without a mapping.
    assert!(love.image_url.as_deref().is_some_and(|i| i.ends_with(".png")));

    // "pink gold" in the tags and "rose gold" in the text are the same metal.
    let pink = by_handle(&products, "B4084800");
    assert_eq!(pink.metals()[0].colors, vec!["rose"]);

    // Platinum 950 variants, written "950/1000 platinum" and "platinum 950‰".
    let platinum: Vec<&Product> =
        products.iter().filter(|p| p.metals().iter().any(|m| m.kind == "platinum")).collect();
    assert!(platinum.len() >= 40, "{}", platinum.len());
    let with_fineness =
        platinum.iter().filter(|p| p.metals().iter().any(|m| m.fineness == Some(950))).count();
    assert!(with_fineness * 10 >= platinum.len() * 9, "{with_fineness} of {}", platinum.len());

    // "set with 3 brilliant-cut diamonds totaling 0.22 carats".
    let three = by_handle(&products, "B4032400");
    let d = &three.stones()[0];
    assert_eq!((d.kind.as_str(), d.count, d.carat), ("diamond", Some(3), Some(0.22)));
    // Two groups of diamonds are summed: 36 + 18 stones, 1.58 + 1.94 carats.
    let reflection = by_handle(&products, "N4249900");
    let d = &reflection.stones()[0];
    assert_eq!((d.count, d.carat), (Some(54), Some(3.52)));
    assert_eq!(reflection.category, Some(Category::WeddingBand));

    // A tri-colour Trinity ring is one gold of three colours.
    let trinity = products.iter().find(|p| p.title.starts_with("Trinity ring")).expect("a Trinity ring");
    assert_eq!(trinity.metals()[0].colors.len(), 3, "{:?}", trinity.metals());

    // Coverage over the whole file.
    let with_metal = products.iter().filter(|p| !p.metals().is_empty()).count();
    assert!(with_metal >= 255, "{with_metal} of 259 have a metal");
    let with_carat = products
        .iter()
        .filter(|p| p.stones().iter().any(|s| s.kind == "diamond" && s.carat.is_some()))
        .count();
    assert!(with_carat >= 120, "{with_carat} have a diamond weight");
    let bands = products.iter().filter(|p| p.category == Some(Category::WeddingBand)).count();
    assert!(bands >= 60, "{bands} wedding bands");
    assert!(products.iter().all(|p| p.category.is_some_and(Category::is_ring)));

    let report = quality_report(&products, &skipped);
    assert_eq!(report.products, 259);
    assert_eq!(report.attributes.category, 259);
    assert_eq!(report.attributes.price, 259);
}

#[test]
fn rees46_products() {
    let Some(bytes) = dataset("rees46-jewelry-products.csv") else { return };
    let m = map(&[
        "handle=product_id",
        "price=price_usd",
        "category=category_code",
        "gender=gender",
        "metal=main_metal",
        "stone=main_gem",
    ]);
    let (products, skipped) = read(&bytes, Format::Csv, &m);
    assert!(skipped.is_empty(), "{:?}", &skipped[..skipped.len().min(5)]);
    assert_eq!(products.len(), 9613);
    let count = |f: &dyn Fn(&Product) -> bool| products.iter().filter(|p| f(p)).count();
    // Categories from `jewelry.earring` and friends; 1,693 rows have none.
    assert_eq!(count(&|p| p.category == Some(Category::Earrings)), 3138 + 3);
    assert_eq!(count(&|p| p.category == Some(Category::Ring)), 2559);
    assert_eq!(count(&|p| p.category.is_none()), 1693);
    // Gender codes f/m.
    assert_eq!(count(&|p| p.gender == Some(Gender::Women)), 5506);
    assert_eq!(count(&|p| p.gender == Some(Gender::Men)), 77);
    // main_color "red" with main_metal "gold" is rose gold.
    let first = by_handle(&products, "1313550904313512734");
    let m0 = &first.metals()[0];
    assert_eq!((m0.kind.as_str(), m0.colors.clone()), ("gold", vec!["rose".to_string()]));
    assert_eq!(first.stones()[0].kind, "emerald");
    assert_eq!(first.category, Some(Category::Pendant));
    // fianit is cubic zirconia.
    let cz = count(&|p| p.stones().iter().any(|s| s.kind == "cubic_zirconia"));
    assert!(cz >= 1047 + 85, "{cz}");
    assert!(count(&|p| p.metals().iter().any(|m| m.kind == "silver")) >= 164);
    // Unmapped columns are kept, and so is the raw text of mapped ones.
    assert!(first.attributes.contains_key("brand_id"));
    assert_eq!(first.attributes.get("stone").map(String::as_str), Some("emerald"));
    let quartz = products
        .iter()
        .find(|p| p.attributes.get("stone").is_some_and(|s| s == "quartz_smoky"))
        .expect("smoky quartz");
    assert_eq!(
        (quartz.stones()[0].kind.as_str(), quartz.stones()[0].color.as_deref()),
        ("quartz", Some("smoky"))
    );
}

/// Without `--map`, the `ref` column is the id: every reference stays its own product, and rows
/// that share a title (one ring in several metals) are not merged or dropped.
#[test]
fn cartier_rings_without_a_mapping() {
    let Some(bytes) = dataset("cartier-rings.csv") else { return };
    let (products, _) = read(&bytes, Format::Csv, &Mapping::default());
    assert_eq!(products.len(), 259);
    assert!(products.iter().all(|p| p.variants.len() == 1), "one reference, one product");
    let love = by_handle(&products, "B4084600");
    assert_eq!(love.title, "Love ring");
    assert_eq!(love.variants[0].sku, "B4084600");
    assert!(products.iter().flat_map(|p| &p.quality_issues).all(|i| i.code != "duplicate_row"));
}

#[test]
fn bluestone_listing() {
    let Some(bytes) = dataset("bluestone-earrings-listing.csv") else { return };
    let m = map(&[
        "title=p-name",
        "handle=p-name href",
        "price=new-price",
        "currency=WebRupee",
        "image_url=hc src",
    ]);
    let (products, skipped) = read(&bytes, Format::Csv, &m);
    let report = quality_report(&products, &skipped);
    // Rupee prices written `88,848`.
    let indu = by_handle(&products, "the-indu-sui-dhaga-earrings~37454");
    let price = indu.variants[0].price.expect("a price");
    assert_eq!((price.minor, price.currency), (8_884_800, Currency::INR));
    assert_eq!(indu.category, Some(Category::Earrings));
    let him = products.iter().find(|p| p.title == "The Alicio Stud For Him").expect("Alicio");
    assert_eq!(him.gender, Some(Gender::Men));
    // "The X Earrings" is a product name, not a collection.
    assert!(products.iter().all(|p| p.collection.is_none()));
    assert_eq!(report.attributes.price, products.len());
    // Duplicate rows are reported, not imported twice.
    let dups = report.issue_counts.get("duplicate_handle").copied().unwrap_or(0)
        + report.issue_counts.get("duplicate_row").copied().unwrap_or(0);
    assert!(dups > 0, "{:?}", report.issue_counts);
    assert!(products.iter().all(|p| p.category == Some(Category::Earrings) || p.category.is_none()));
    let earrings = products.iter().filter(|p| p.category == Some(Category::Earrings)).count();
    assert!(earrings * 10 >= products.len() * 9, "{earrings} of {}", products.len());
}

#[test]
fn online_retail_orders() {
    let Some(bytes) = dataset("online-retail-2010-12-to-2011-09.csv") else { return };
    // The whole file: about 7 s in a debug build, streamed (nothing kept).
    let mut r = catalog::read_orders(&bytes[..], &Mapping::default(), Currency::GBP).expect("header");
    let first = r.next().expect("a line").expect("no fatal error");
    assert_eq!(first.order_id, "536365");
    assert_eq!(first.customer_id.as_deref(), Some("17850"));
    assert_eq!(first.ordered_at, 1291191960);
    assert_eq!(first.quantity, 6);
    assert_eq!(first.unit_price.map(|p| (p.minor, p.currency)), Some((255, Currency::GBP)));
    assert_eq!((first.line_no, first.kind), (0, LineKind::Sale));
    let (mut n, mut cancels, mut returns, mut guests) = (1usize, 0usize, 0usize, 0usize);
    let mut next_line: std::collections::HashMap<String, u32> = [(first.order_id.clone(), 1)].into();
    for line in r.by_ref() {
        let l = line.expect("no fatal error");
        n += 1;
        match l.kind {
            LineKind::Cancellation => {
                // Cancellation invoices start with C and carry negative quantities.
                assert!(l.order_id.starts_with('C') && l.quantity < 0, "{l:?}");
                cancels += 1;
            }
            LineKind::Return => returns += 1,
            LineKind::Sale => assert!(l.quantity >= 0, "{l:?}"),
        }
        match &l.customer_id {
            None => guests += 1,
            Some(c) => assert!(!c.contains('.'), "{c}"),
        }
        // Line numbers count up within an invoice, even where its lines
        // are not contiguous (542806 is split).
        let expected = next_line.entry(l.order_id.clone()).or_insert(0);
        assert_eq!(l.line_no, *expected, "{l:?}");
        *expected += 1;
    }
    assert!(r.skipped().is_empty(), "{:?}", &r.skipped()[..r.skipped().len().min(5)]);
    assert_eq!(n, 370_931);
    assert_eq!(r.rows_read(), 370_931);
    assert!(cancels > 5_000, "{cancels}");
    assert!(guests > 50_000, "{guests}");
    // Negative quantities outside C invoices (stock adjustments) are returns.
    assert!(returns < 2_000, "{returns}");
}

/// Regression (issue 13): the REES46 orders file's 2,239 rows without
/// `category_id,category_code` were padded at the end, so each lost its price
/// (read from the empty gender column) and its customer (read from the colour).
#[test]
fn rees46_orders_keep_prices_and_customers_on_short_rows() {
    let Some(bytes) = dataset("rees46-jewelry-orders-2018-12-to-2021-08.csv") else { return };
    let m = map(&["ordered_at=event_time", "unit_price=price_usd"]);
    let mut r = catalog::read_orders(&bytes[..], &m, Currency::USD).expect("header");
    let (mut n, mut priced, mut max_price) = (0usize, 0usize, 0i64);
    for line in r.by_ref() {
        let l = line.expect("no fatal error");
        n += 1;
        if let Some(p) = l.unit_price {
            priced += 1;
            max_price = max_price.max(p.minor);
        }
    }
    assert_eq!(n, 75_338, "every row read");
    assert_eq!(r.skipped_total(), 0, "{:?}", r.skipped());
    // No id (19 digits) read as a price: every line is under $100,000
    // (in cents).
    assert!(max_price < 10_000_000, "{max_price}");
    assert_eq!(priced, n);
    let issues: Vec<&str> = r.skipped().iter().map(|i| i.code.as_str()).collect();
    assert_eq!(issues, ["realigned_rows"]);
    let m = &r.skipped()[0].message;
    assert!(m.starts_with("line 448: 2239 rows had fewer fields"), "{m}");
    assert!(m.contains("category_id, category_code (columns"), "{m}");
}
