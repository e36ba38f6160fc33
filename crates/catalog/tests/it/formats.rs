//! Each format on small inline files.

use catalog::{read_inventory, read_orders, Format, Mapping};
use model::{Category, Currency, Finish, Gender, LineKind, ProductStatus, Size, StoneOrigin};

use crate::{map, read};

const SHOPIFY: &str = "\
Handle,Title,Body (HTML),Vendor,Type,Tags,Published,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Qty,Variant Price,Variant Compare At Price,Image Src,Status,SEO Title
solitaire-ring,Classic Solitaire Engagement Ring,\"<p>A <b>1/2 ct</b> lab-grown diamond, G VS2,</p><p>in 14K gold.</p>\",Aurum,Rings,\"bridal, collection:forever\",TRUE,Metal,14K Yellow Gold,Size,6,,,SOL-YG-6,3.1,4,1299.00,1499.00,https://cdn/sol.jpg,active,Solitaire
solitaire-ring,,,,,,,,14K Yellow Gold,,7,,,SOL-YG-7,3.2,0,1299.00,,,,
solitaire-ring,,,,,,,,14K White Gold,,7,,,SOL-WG-7,3.2,,1349.00,,,,
solitaire-ring,,,,,,,,,,,,,,,,,,https://cdn/sol-2.jpg,,
pearl-drops,Pearl Drop Earrings,Freshwater pearls on sterling silver hooks.,Aurum,Earrings,\"dainty, gifts for her\",TRUE,Title,Default Title,,,,,PD-1,2,12,89.00,,https://cdn/pd.jpg,draft,
";

#[test]
fn shopify_products_with_variants() {
    let (products, skipped) = read(SHOPIFY.as_bytes(), Format::Shopify, &Mapping::default());
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(products.len(), 2);
    let ring = &products[0];
    assert_eq!(ring.handle, "solitaire-ring");
    assert_eq!(ring.title, "Classic Solitaire Engagement Ring");
    assert_eq!(ring.description, "A 1/2 ct lab-grown diamond, G VS2,\nin 14K gold.");
    assert_eq!(ring.category, Some(Category::EngagementRing));
    assert_eq!(ring.collection.as_deref(), Some("forever"));
    assert_eq!(ring.vendor.as_deref(), Some("Aurum"));
    assert_eq!(ring.image_url.as_deref(), Some("https://cdn/sol.jpg"));
    assert_eq!(ring.status, ProductStatus::Active);
    assert!(ring.styles.contains(&"classic".to_string()) && ring.styles.contains(&"solitaire".to_string()));
    assert_eq!(ring.attributes.get("SEO Title").map(String::as_str), Some("Solitaire"));
    assert_eq!(ring.variants.len(), 3, "the image-only row is not a variant");
    let v = &ring.variants[0];
    assert_eq!(v.sku, "SOL-YG-6");
    assert_eq!(v.options.get("Metal").map(String::as_str), Some("14K Yellow Gold"));
    assert_eq!(v.price.map(|p| p.minor), Some(129_900));
    assert_eq!(v.compare_at_price.map(|p| p.minor), Some(149_900));
    assert_eq!((v.inventory, v.grams, v.source_line), (Some(4), Some(3.1), Some(2)));
    assert_eq!(v.metals.len(), 1);
    assert_eq!(
        (v.metals[0].kind.as_str(), v.metals[0].karat, v.metals[0].colors.clone()),
        ("gold", Some(14), vec!["yellow".to_string()])
    );
    assert_eq!(v.metals[0].finish, Some(Finish::Solid));
    match &v.size {
        Some(Size::Ring { us, uk, .. }) => assert_eq!((*us, uk.as_deref()), (6.0, Some("L1/2"))),
        other => panic!("{other:?}"),
    }
    let d = &v.stones[0];
    assert_eq!((d.kind.as_str(), d.origin, d.carat), ("diamond", Some(StoneOrigin::LabGrown), Some(0.5)));
    assert_eq!((d.clarity.as_deref(), d.color_grade.as_deref()), (Some("VS2"), Some("G")));
    // Option names come from the product's first row.
    assert_eq!(ring.variants[2].options.get("Metal").map(String::as_str), Some("14K White Gold"));
    assert_eq!(ring.variants[2].metals[0].colors, vec!["white"]);
    // A tracked inventory left blank is reported with its line.
    let no_inv: Vec<_> = ring.quality_issues.iter().filter(|i| i.code == "no_inventory").collect();
    assert_eq!(no_inv.len(), 1);
    assert_eq!(no_inv[0].line, Some(4));

    let pearl = &products[1];
    assert_eq!(pearl.status, ProductStatus::Draft);
    assert!(pearl.variants[0].options.is_empty(), "Default Title is not an option");
    assert_eq!(pearl.category, Some(Category::Earrings));
    assert_eq!(pearl.gender, Some(Gender::Women));
    assert_eq!(pearl.stones()[0].kind, "pearl");
    assert_eq!(pearl.metals()[0].kind, "silver");
    assert_eq!(pearl.metals()[0].fineness, Some(925));
}

#[test]
fn shopify_without_handle_is_a_clear_error() {
    let opts = catalog::ReadOptions {
        format: Format::Shopify,
        mapping: &Mapping::default(),
        vocab: crate::vocab(),
        default_currency: Currency::USD,
    };
    let err =
        catalog::read_catalog(&b"Title,Variant SKU\nRing,1\n"[..], opts).err().expect("an error").to_string();
    assert!(err.starts_with("line 1: no column \"Handle\""), "{err}");
}

#[test]
fn title_and_options_that_disagree() {
    let csv = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n\
               r,14K Rose Gold Band,Metal,Sterling Silver,R-1,50\n";
    let (products, _) = read(csv.as_bytes(), Format::Shopify, &Mapping::default());
    let issues: Vec<_> =
        products[0].quality_issues.iter().filter(|i| i.code == "title_option_mismatch").collect();
    assert_eq!(issues.len(), 1, "{:?}", products[0].quality_issues);
    assert_eq!(issues[0].line, Some(2));
}

const GOOGLE_XML: &str = r#"<?xml version="1.0"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
<channel>
<title>Shop</title>
<item>
  <g:id>HOOP-14-Y</g:id>
  <g:item_group_id>hoops</g:item_group_id>
  <title>Huggie Hoops &amp; more</title>
  <description><![CDATA[<p>14k gold huggies</p>]]></description>
  <g:price>250.00 USD</g:price>
  <g:sale_price>199.00 USD</g:sale_price>
  <g:material>14k yellow gold</g:material>
  <g:gender>female</g:gender>
  <g:product_type>Jewelry &gt; Earrings</g:product_type>
  <g:image_link>https://cdn/h.jpg</g:image_link>
  <g:shipping><g:country>US</g:country><g:price>0 USD</g:price></g:shipping>
</item>
<item>
  <g:id>HOOP-14-W</g:id>
  <g:item_group_id>hoops</g:item_group_id>
  <title>Huggie Hoops &amp; more</title>
  <g:price>250.00 USD</g:price>
  <g:material>14k white gold</g:material>
</item>
</channel>
</rss>
"#;

#[test]
fn google_xml_feed() {
    let (products, skipped) = read(GOOGLE_XML.as_bytes(), Format::Google, &Mapping::default());
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(products.len(), 1);
    let p = &products[0];
    assert_eq!(p.handle, "hoops");
    assert_eq!(p.title, "Huggie Hoops & more");
    assert_eq!(p.category, Some(Category::Earrings));
    assert_eq!(p.gender, Some(Gender::Women));
    assert_eq!(p.variants.len(), 2);
    assert_eq!(p.variants[0].sku, "HOOP-14-Y");
    assert_eq!(p.variants[0].price.map(|m| m.minor), Some(19_900));
    assert_eq!(p.variants[0].compare_at_price.map(|m| m.minor), Some(25_000));
    assert_eq!(p.variants[1].metals[0].colors, vec!["white"]);
    assert_eq!(p.attributes.get("shipping").map(String::as_str), Some("US 0 USD"));
    assert_eq!(p.variants[0].source_line, Some(5));
}

#[test]
fn google_tsv_feed() {
    let tsv = "id\ttitle\tdescription\tprice\tbrand\tgoogle_product_category\tgender\tmaterial\n\
               N-1\tNameplate Necklace\tPersonalised 18 inch chain\t79.00 GBP\tAurum\tApparel & Accessories > Jewelry > Necklaces\tunisex\tgold vermeil\n";
    let (products, skipped) = read(tsv.as_bytes(), Format::Google, &Mapping::default());
    assert!(skipped.is_empty(), "{skipped:?}");
    let p = &products[0];
    assert_eq!(
        (p.handle.as_str(), p.category, p.gender),
        ("N-1", Some(Category::Necklace), Some(Gender::Unisex))
    );
    assert_eq!(p.variants[0].price.map(|m| (m.minor, m.currency)), Some((7900, Currency::GBP)));
    assert_eq!(p.metals()[0].finish, Some(Finish::Vermeil));
    assert!(matches!(p.variants[0].size, Some(Size::Length { inches, .. }) if inches == 18.0));
}

#[test]
fn jsonl_with_mapping_and_nested_variants() {
    let jsonl = r#"{"name": "Star Studs", "kind": "earrings", "cost": "35.5", "metal_type": "sterling silver", "variants": [{"code": "ST-1", "options": {"Finish": "Silver"}}, {"code": "ST-2", "cost": "39", "options": {"Finish": "Gold vermeil"}}]}
{"name": "Bar Necklace", "kind": "necklace", "cost": 60, "tags": ["minimal", "collection:bar"], "extra": {"a": 1}}
not json
[1, 2]
"#;
    let m = map(&["title=name", "category=kind", "price=cost", "sku=code", "metal=metal_type"]);
    let (products, skipped) = read(jsonl.as_bytes(), Format::Jsonl, &m);
    assert_eq!(products.len(), 2);
    let studs = &products[0];
    assert_eq!(studs.variants.len(), 2);
    assert_eq!(studs.variants[1].price.map(|m| m.minor), Some(3900));
    assert_eq!(studs.variants[1].options.get("Finish").map(String::as_str), Some("Gold vermeil"));
    assert!(studs.variants[1].metals.iter().any(|m| m.finish == Some(Finish::Vermeil)));
    let bar = &products[1];
    assert_eq!(bar.handle, "bar-necklace");
    assert_eq!(bar.tags, vec!["minimal", "collection:bar"]);
    assert_eq!(bar.collection.as_deref(), Some("bar"));
    assert_eq!(bar.attributes.get("extra.a").map(String::as_str), Some("1"));
    assert_eq!(skipped.len(), 2);
    assert_eq!(skipped[0].line, Some(3));
    assert!(skipped[0].message.contains("invalid JSON"), "{}", skipped[0].message);
    assert!(skipped[1].message.contains("expected a JSON object"), "{}", skipped[1].message);
}

#[test]
fn shopify_orders() {
    let csv = "\
Name,Email,Financial Status,Currency,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Country,Cancelled at
#1001,Ann@Example.com,paid,EUR,2024-03-01 10:00:00 +0100,1,Love Ring,1650.00,LR-1,FR,
#1001,,,,,2,Stud,40.00,ST-1,,
#1002,bob@example.com,refunded,EUR,2024-03-02 10:00:00 +0100,1,Hoop,99.00,HP-1,DE,
#1003,,voided,EUR,2024-03-03T10:00:00Z,1,Chain,20.00,,DE,2024-03-03 11:00:00 +0100
";
    let mut r = read_orders(csv.as_bytes(), &Mapping::default(), Currency::USD).expect("header");
    let lines: Vec<_> = r.by_ref().map(|l| l.expect("ok")).collect();
    assert!(r.skipped().is_empty(), "{:?}", r.skipped());
    let summary: Vec<(String, u32, i64, LineKind, Option<String>)> = lines
        .iter()
        .map(|l| (l.order_id.clone(), l.line_no, l.quantity, l.kind, l.customer_id.clone()))
        .collect();
    let ann = Some("ann@example.com".to_string());
    let bob = Some("bob@example.com".to_string());
    assert_eq!(
        summary,
        vec![
            ("#1001".into(), 0, 1, LineKind::Sale, ann.clone()),
            ("#1001".into(), 1, 2, LineKind::Sale, ann),
            ("#1002".into(), 0, 1, LineKind::Sale, bob.clone()),
            ("#1002".into(), 1, -1, LineKind::Return, bob),
            ("#1003".into(), 0, 1, LineKind::Sale, None),
            ("#1003".into(), 1, -1, LineKind::Cancellation, None),
        ]
    );
    // Order fields carry over to the order's later rows.
    assert_eq!(lines[1].ordered_at, lines[0].ordered_at);
    assert_eq!(lines[1].country.as_deref(), Some("FR"));
    assert_eq!(lines[1].unit_price.map(|p| (p.minor, p.currency)), Some((4000, Currency::EUR)));
    assert_eq!(lines[0].ordered_at, 1_709_283_600);
    // No SKU: the title stands in.
    assert_eq!(lines[4].sku, "chain");
}

#[test]
fn generic_orders_with_mapping_and_bad_rows() {
    let csv = "inv;sku;qty;when;cust\nA1;S1;2;2024-01-05;17850.0\nA1;S2;x;2024-01-05;\nC2;S1;-1;01/06/2024 10:00;\nA3;S1;-1;2024-01-07;42\n";
    let m = map(&["order_id=inv", "quantity=qty", "ordered_at=when", "customer_id=cust"]);
    let mut r = read_orders(csv.as_bytes(), &m, Currency::GBP).expect("header");
    let lines: Vec<_> = r.by_ref().map(|l| l.expect("ok")).collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0].customer_id.as_deref(), Some("17850"));
    assert_eq!(lines[1].kind, LineKind::Cancellation);
    assert_eq!(lines[1].customer_id, None);
    assert_eq!(lines[2].kind, LineKind::Return);
    assert_eq!(r.skipped().len(), 1);
    assert_eq!(r.skipped()[0].line, Some(3));
    assert_eq!(r.skipped()[0].field.as_deref(), Some("quantity"));
    assert!(r.skipped()[0].message.contains("\"x\" is not a whole number"), "{}", r.skipped()[0].message);
}

#[test]
fn orders_without_a_quantity_column_fail_clearly() {
    let err = read_orders(&b"order,sku\n1,2\n"[..], &Mapping::default(), Currency::USD)
        .err()
        .expect("error")
        .to_string();
    assert!(err.contains("no column \"quantity\""), "{err}");
}

#[test]
fn inventory_levels() {
    let csv = "Handle,SKU,Location,Incoming,Available,On hand,Cost per item\nr,R-1,Paris,2,3,4,12.50\nr,R-2,,0,1,x,\nr,,Paris,0,1,1,\n";
    let mut r = read_inventory(csv.as_bytes(), &Mapping::default()).expect("header");
    let levels: Vec<_> = r.by_ref().map(|l| l.expect("ok")).collect();
    assert_eq!(levels.len(), 1);
    let l = &levels[0];
    assert_eq!((l.sku.as_str(), l.location.as_str(), l.on_hand, l.on_order), ("R-1", "Paris", 4, Some(2)));
    assert_eq!(l.unit_cost.map(|c| c.minor), Some(1250));
    assert_eq!(r.skipped().len(), 2);
    assert_eq!(r.skipped().iter().map(|s| s.line).collect::<Vec<_>>(), vec![Some(3), Some(4)]);
}

#[test]
fn quality_report_snapshot() {
    let csv = "\
handle,title,price,metal,sku,category
a,Ring A,100,14k gold,S-1,ring
b,Ring B,110,14k gold,S-2,ring
c,Ring C,120,14k gold,S-1,ring
d,Ring D,105,14k gold,S-4,ring
e,Ring E,95,14k gold,S-5,ring
f,Ring F,115,14k gold,S-6,ring
g,Ring G,100,14k gold,S-7,ring
h,Ring H,98000,14k gold,S-8,ring
i,Ring I,,,S-9,ring
a,Ring A again,100,14k gold,S-10,ring
\"bad
";
    let (products, skipped) = read(csv.as_bytes(), Format::Csv, &Mapping::default());
    let r = catalog::quality_report(&products, &skipped);
    let mut out = format!("products {} variants {}\n", r.products, r.variants);
    for (name, n) in r.attributes.pairs() {
        out += &format!("{name}={n} ");
    }
    out += "\n";
    for i in &r.issues {
        out += &format!("{:?} {} line {:?}: {}\n", i.handle, i.issue.code, i.issue.line, i.issue.message);
    }
    expect_test::expect![[r#"
        products 10 variants 10
        price=9 metal=9 karat=9 stone=0 carat=0 category=10 gender=0 size=0 collection=0 style=0 image=0 description=0 inventory=0 
        None bad_row line Some(12): line 12: a quoted field is not closed before the end of the file (truncated export?); read to the end of the line; line 12: expected 6 fields like the header, found 1; row skipped
        Some("i") missing_price line Some(10): no variant has a price
        Some("i") missing_metal line Some(10): no metal found in the options, title, tags or description
        Some("c") duplicate_sku line Some(4): SKU "S-1" is also used by "a" (line 2)
        Some("a") duplicate_handle line Some(11): handle "a" appears again at line 11 (first at line 2); the rows are merged into one product
        Some("h") price_outlier line Some(9): price 98000.00 USD is unusually high for ring (median 105.00 USD, robust z 94.5)
    "#]]
    .assert_eq(&out);
}

#[test]
fn generic_csv_with_option_mapping_groups_variants_by_handle() {
    let csv = "parent;code;name;Metall;Ringgröße;price;stock\nr1;R1-6;Bague solitaire;Or blanc 18 carats;52;1.200,00 €;3\nr1;R1-7;;Or jaune 750;54;1.250,00 €;\n";
    let m = map(&[
        "handle=parent",
        "sku=code",
        "title=name",
        "option:Metal=Metall",
        "option:Size=Ringgröße",
        "inventory=stock",
    ]);
    let (products, skipped) = read(csv.as_bytes(), Format::Csv, &m);
    assert!(skipped.is_empty(), "{skipped:?}");
    assert_eq!(products.len(), 1);
    let p = &products[0];
    assert_eq!(p.category, Some(Category::Ring));
    assert_eq!(p.variants.len(), 2);
    let (a, b) = (&p.variants[0], &p.variants[1]);
    assert_eq!(a.price.map(|m| (m.minor, m.currency)), Some((120_000, Currency::EUR)));
    assert_eq!(
        (a.metals[0].kind.as_str(), a.metals[0].karat, a.metals[0].colors.clone()),
        ("gold", Some(18), vec!["white".to_string()])
    );
    assert_eq!((b.metals[0].karat, b.metals[0].colors.clone()), (Some(18), vec!["yellow".to_string()]));
    assert!(matches!(&a.size, Some(Size::Ring { us, .. }) if *us == 6.0), "{:?}", a.size);
    // The second variant's blank stock is reported: the file tracks stock.
    assert!(p.quality_issues.iter().any(|i| i.code == "no_inventory" && i.line == Some(3)));
}

/// With no handle or id column, rows are grouped by title, and the product says so with the way out;
/// only a row identical to an earlier one is a duplicate.
#[test]
fn rows_grouped_by_title_are_flagged_and_only_identical_rows_are_duplicates() {
    let csv = "title,price,description\n\
               Love ring,1650,18K yellow gold\n\
               Love ring,3650,950 platinum\n\
               Love ring,3650,950 platinum\n\
               Juste un Clou ring,2000,18K rose gold\n";
    let (products, _) = crate::read(csv.as_bytes(), Format::Csv, &Mapping::default());
    assert_eq!(products.len(), 2);
    let love = products.iter().find(|p| p.title == "Love ring").unwrap();
    assert_eq!(love.variants.len(), 2, "the two different rows are kept, the identical third is not");
    let codes: Vec<&str> = love.quality_issues.iter().map(|i| i.code.as_str()).collect();
    assert!(codes.contains(&"grouped_by_title"), "{codes:?}");
    assert!(codes.contains(&"duplicate_row"), "{codes:?}");
    let grouped = love.quality_issues.iter().find(|i| i.code == "grouped_by_title").unwrap();
    assert!(grouped.message.contains("--map handle="), "{}", grouped.message);
    let clou = products.iter().find(|p| p.title == "Juste un Clou ring").unwrap();
    assert!(clou.quality_issues.iter().all(|i| i.code != "grouped_by_title"), "one row is not a grouping");
}

/// Regression: REES46's jewelry orders have ~2,200 rows of 11 fields where
/// category_id and category_code are missing and the later fields shift
/// left; padded at the end, the price column read the empty gender and the
/// customer column a colour. Lines copied from the published file (the
/// 11-field row at line 2 comes before any full row here, so nothing shows
/// which fields it lost: it is reported, not guessed). The full rows show
/// empty colours, metals and stones, as the file's do before its first
/// short row: the realigner only puts a value, empty or not, in a column
/// that has held one of its shape.
#[test]
fn rees46_rows_missing_their_category_fields_are_realigned_or_reported() {
    let csv = "\
event_time,order_id,product_id,quantity,category_id,category_code,brand_id,price_usd,user_id,gender,color,metal,gem
2019-02-05 08:39:25 UTC,1972463258694582403,1536903766496772737,1,,202.36,1325156214706799358,,,,
2019-01-26 05:05:43 UTC,1965107938867544472,1956663848110916287,1,1806829201890738522,jewelry.earring,1,1177.95,1550612949079425642,f,red,gold,diamond
2019-01-26 05:41:06 UTC,1965125752563171901,1956663848119304902,1,1806829201890738522,jewelry.earring,1,211.51,1515915625098030366,,red,gold,
2018-12-01 17:38:31 UTC,1924899396621697920,1806829193678291446,1,1806829201848795479,,,212.14,1515915625071969944,,yellow,gold,
2019-01-17 06:00:07 UTC,1958612339431310216,1897215821395002233,1,1806829201924292956,jewelry.necklace,,220.11,1325156214706799358,,,,fianit
2019-01-26 05:51:21 UTC,1965130913738130034,1956663836819849607,1,1806829201882349913,jewelry.ring,0,280.68,1550612949079425642,f,white,gold,sapphire
2019-01-26 05:51:21 UTC,1965130913738130034,1937825427510789079,1,,230.12,1550612949079425642,,,,
";
    let m = map(&["ordered_at=event_time", "unit_price=price_usd"]);
    let mut r = read_orders(csv.as_bytes(), &m, Currency::USD).expect("header");
    let lines: Vec<_> = r.by_ref().map(|l| l.expect("ok")).collect();
    let read: Vec<(&str, Option<i64>, Option<&str>)> = lines
        .iter()
        .map(|l| (l.sku.as_str(), l.unit_price.map(|p| p.minor), l.customer_id.as_deref()))
        .collect();
    assert_eq!(
        read,
        vec![
            ("1956663848110916287", Some(117_795), Some("1550612949079425642")),
            ("1956663848119304902", Some(21_151), Some("1515915625098030366")),
            ("1806829193678291446", Some(21_214), Some("1515915625071969944")),
            ("1897215821395002233", Some(22_011), Some("1325156214706799358")),
            ("1956663836819849607", Some(28_068), Some("1550612949079425642")),
            // The short row, realigned: its own price and customer.
            ("1937825427510789079", Some(23_012), Some("1550612949079425642")),
        ]
    );
    // The realigned line belongs to the same order as the full row above it.
    assert_eq!(lines[5].order_id, lines[4].order_id);
    assert_eq!(lines[5].line_no, 1);
    let issues: Vec<(&str, Option<u64>)> = r.skipped().iter().map(|i| (i.code.as_str(), i.line)).collect();
    assert_eq!(issues, vec![("bad_row", Some(2)), ("realigned_rows", Some(8))], "{:?}", r.skipped());
    assert_eq!(r.skipped_total(), 1);
    let reported = &r.skipped()[0].message;
    assert!(reported.starts_with("line 2: expected 13 fields like the header, found 11"), "{reported}");
    let realigned = &r.skipped()[1].message;
    assert!(realigned.starts_with("line 8: 1 rows had fewer fields than the header"), "{realigned}");
    assert!(realigned.contains("missing among category_id, category_code (columns"), "{realigned}");
    assert!(realigned.ends_with("(lines 8)"), "{realigned}");
}
