//! A shop's own type label that has no taxonomy word (issue 12): the product
//! is `other`, and a query that names the label must still find it.

use model::{Category, Product};
use search::{BehaviourStats, Config, SearchIndex};

use crate::fixture::{catalog, handles, search};

fn labelled(handle: &str, title: &str, label: &str, category: Option<Category>) -> Product {
    let mut p = catalog().into_iter().next().expect("a fixture product");
    p.id = 900 + handle.len() as u64;
    p.handle = handle.into();
    p.title = title.into();
    p.description = "Handmade in our workshop.".into();
    p.category = category;
    p.raw_category = Some(label.into());
    p.styles.clear();
    for v in &mut p.variants {
        v.sku = format!("{handle}-1");
        v.stones.clear();
    }
    p
}

#[test]
fn a_query_naming_the_shops_label_finds_its_products() {
    let mut products = catalog();
    products.push(labelled("golden-clasp", "Golden Clasp", "Safety pins", Some(Category::Other)));
    products.push(labelled("nameplate", "Nameplate", "ID bracelets", Some(Category::Bracelet)));
    let idx = SearchIndex::build(&products, &BehaviourStats::default(), &Config::default()).unwrap();
    let r = search(&idx, "safety pin");
    assert_eq!(handles(&r).first(), Some(&"golden-clasp"), "{:?}", handles(&r));
    let r = search(&idx, "ID bracelet");
    assert_eq!(handles(&r).first(), Some(&"nameplate"), "{:?}", handles(&r));
}
