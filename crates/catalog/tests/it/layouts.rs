//! Layouts of real small shops' exports that Loupe was not tuned on (issue
//! 12): spec lists inside descriptions (`<li><strong>Material:</strong>
//! Gold 14ct.</li>`, tables, `key: value` lines, in several languages),
//! gender words in prose, and shops' own type words. The fixtures are
//! written from the patterns, not copied from any one file.

use catalog::{Format, Mapping};
use model::{Category, Gender, Product, Size};

use crate::read;

const SHOPIFY: &str = "\
Handle,Title,Body (HTML),Vendor,Type,Tags,Variant SKU,Variant Price
pearl-pendant,Pearl Pendant,\"<p>A single pearl.</p><ul><li><strong>Material:</strong> Gold 14ct.</li><li><strong>Color:</strong> White</li><li><strong>Stones:</strong> Pearl</li><li><strong>Stone details:</strong> Pearl 7-7.5mm</li><li><strong>Chain length (cm):</strong> 38.0</li><li><strong>Weight (gr):</strong> 1.1</li><li><strong>Dimensions:</strong> 3.8 x 3.8 mm</li></ul>\",Atelier,Necklaces,,PP-1,240.00
riviera-studs,Riviera Studs,\"<table><tr><th>Metal</th><td>18K White Gold</td></tr><tr><th>Gemstone</th><td>Diamond</td></tr><tr><th>Gender</th><td>Ladies</td></tr></table>\",Atelier,Earrings,,RS-1,990.00
two-colour-signet,Oval Signet,\"Metal: 9ct Gold<br>Colour: Gold & White<br>Weight: 2.4g\",Atelier,Rings,,OS-1,320.00
rose-bangle,Bangle,\"<p>Material: Gold 18K</p><p>Color: Red</p>\",Atelier,Bracelets,,RB-1,1200.00
modern-gent,Onyx Signet Ring,\"<p>Crafted for the modern gent in 925 sterling silver.</p>\",Atelier,Rings,,MG-1,180.00
collier-etoile,Collier Étoile,\"<ul><li>Matière : Or</li><li>Couleur : Jaune</li><li>Pierre : Perle</li><li>Longueur : 42 cm</li></ul>\",Atelier,Colliers,,CE-1,450.00
kette-damen,Ankerkette,\"Material: Silber 925<br>Farbe: Silber<br>Länge (cm): 45\",Atelier,Halsketten,,KD-1,89.00
filter-tags,Hoop Earrings,\"<p>Ring size: 7</p>\",Atelier,Earrings,\"Gender:Men, metal:sterling silver\",FT-1,75.00
sized-ring,Plain Ring,\"<p>Metal: 14K yellow gold</p><p>Ring size: 7</p>\",Atelier,Rings,,SR-1,300.00
prose-colour,Classic Band,\"<p>Our gold band has a lovely color: white as snow.</p>\",Atelier,Wedding rings,,PC-1,500.00
";

fn products() -> Vec<Product> {
    let (products, skipped) = read(SHOPIFY.as_bytes(), Format::Shopify, &Mapping::default());
    assert!(skipped.is_empty(), "{skipped:?}");
    products
}

fn get<'a>(products: &'a [Product], handle: &str) -> &'a Product {
    products.iter().find(|p| p.handle == handle).unwrap_or_else(|| panic!("no {handle}"))
}

/// `kind karat colours` of each metal, `kind` of each stone.
fn facts(p: &Product) -> (Vec<String>, Vec<String>) {
    let metals = p
        .metals()
        .iter()
        .map(|m| {
            let karat = m.karat.map(|k| format!(" {k}k")).unwrap_or_default();
            format!("{}{karat} {}", m.kind, m.colors.join("+")).trim().to_string()
        })
        .collect();
    let stones = p.stones().iter().map(|s| s.kind.clone()).collect();
    (metals, stones)
}

fn length_cm(p: &Product) -> Option<f32> {
    match &p.variants[0].size {
        Some(Size::Length { cm, .. }) => Some(*cm),
        _ => None,
    }
}

#[test]
fn spec_list_in_html_items() {
    let ps = products();
    let p = get(&ps, "pearl-pendant");
    assert_eq!(facts(p), (vec!["gold 14k white".to_string()], vec!["pearl".to_string()]));
    assert_eq!(p.category, Some(Category::Necklace));
    assert_eq!(length_cm(p), Some(38.0));
    assert_eq!(p.variants[0].grams, Some(1.1f32 as f64));
    assert_eq!(p.attributes.get("dimensions").map(String::as_str), Some("3.8 x 3.8 mm"));
    assert!(p.quality_issues.iter().all(|i| i.code != "html_in_text"), "{:?}", p.quality_issues);
}

#[test]
fn spec_table_rows() {
    let ps = products();
    let p = get(&ps, "riviera-studs");
    assert_eq!(facts(p), (vec!["gold 18k white".to_string()], vec!["diamond".to_string()]));
    assert_eq!(p.gender, Some(Gender::Women));
    assert_eq!(p.category, Some(Category::Earrings));
}

#[test]
fn colour_lines_colour_the_gold() {
    let ps = products();
    // `Gold & White` is two colours; `Gold` alone in a colour line is yellow.
    let p = get(&ps, "two-colour-signet");
    assert_eq!(facts(p).0, vec!["gold 9k yellow+white".to_string()]);
    assert_eq!(p.variants[0].grams, Some(2.4f32 as f64));
    assert_eq!(facts(get(&ps, "rose-bangle")).0, vec!["gold 18k rose".to_string()]);
    // A colon in prose is not a spec line.
    assert_eq!(facts(get(&ps, "prose-colour")).0, vec!["gold".to_string()]);
}

#[test]
fn filter_tags_and_size_lines() {
    let ps = products();
    let p = get(&ps, "filter-tags");
    assert_eq!(p.gender, Some(Gender::Men));
    assert_eq!(facts(p).0, vec!["silver".to_string()]);
    // A ring size on earrings is not a size of theirs.
    assert_eq!(p.variants[0].size, None);
    let p = get(&ps, "sized-ring");
    assert!(
        matches!(p.variants[0].size, Some(Size::Ring { us, .. }) if us == 7.0),
        "{:?}",
        p.variants[0].size
    );
}

#[test]
fn gender_from_description_prose() {
    let ps = products();
    let p = get(&ps, "modern-gent");
    assert_eq!(p.gender, Some(Gender::Men));
    assert_eq!(p.category, Some(Category::Ring));
}

#[test]
fn spec_lines_in_other_languages() {
    let ps = products();
    let p = get(&ps, "collier-etoile");
    assert_eq!(facts(p), (vec!["gold yellow".to_string()], vec!["pearl".to_string()]));
    assert_eq!(p.category, Some(Category::Necklace));
    assert_eq!(length_cm(p), Some(42.0));
    let p = get(&ps, "kette-damen");
    assert_eq!(facts(p).0, vec!["silver".to_string()]);
    assert_eq!(p.category, Some(Category::Necklace));
    assert_eq!(length_cm(p), Some(45.0));
    assert_eq!(get(&ps, "prose-colour").category, Some(Category::WeddingBand));
}
