//! Facet counts under multi-select match a brute-force count.

use search::{Filters, SearchRequest};

use crate::fixture::{catalog, index};

fn count<'a>(r: &'a search::SearchResponse, facet: &str) -> Vec<(&'a str, usize, bool)> {
    let f = r.facets.iter().find(|f| f.name == facet).unwrap();
    f.values.iter().map(|v| (v.value.as_str(), v.count, v.selected)).collect()
}

#[test]
fn selecting_a_metal_keeps_the_other_metals_counted() {
    let idx = index();
    let mut req = SearchRequest::new("earrings");
    req.filters.add("metal=gold").unwrap();
    let r = idx.search(&req).unwrap();
    assert_eq!(r.total, 4);
    assert_eq!(count(&r, "metal"), [("gold", 4, true), ("silver", 1, false)]);
    // Other facets are narrowed by the selection.
    assert_eq!(count(&r, "stone"), [("diamond", 1, false), ("topaz", 1, false)]);

    req.filters.add("metal=silver").unwrap();
    let r = idx.search(&req).unwrap();
    assert_eq!(r.total, 5);
    assert_eq!(count(&r, "stone"), [("diamond", 1, false), ("pearl", 1, false), ("topaz", 1, false)]);
}

#[test]
fn facets_agree_with_brute_force_for_every_single_and_double_selection() {
    let idx = index();
    let products = catalog();
    let metals = ["gold", "silver", "platinum", "tungsten"];
    let cats = ["ring", "earrings", "necklace", "bracelet"];
    for (i, m1) in metals.iter().enumerate() {
        for m2 in &metals[i..] {
            for c in cats {
                let mut req = SearchRequest::new("");
                req.limit = 100;
                req.filters.add(&format!("metal={m1},{m2}")).unwrap();
                req.filters.add(&format!("category={c}")).unwrap();
                let r = idx.search(&req).unwrap();
                let has_metal = |p: &model::Product, m: &str| p.metals().iter().any(|x| x.kind == m);
                let expected = products
                    .iter()
                    .filter(|p| {
                        (has_metal(p, m1) || has_metal(p, m2)) && p.category.map(|x| x.as_str()) == Some(c)
                    })
                    .count();
                assert_eq!(r.total, expected, "{m1},{m2} {c}");
                // The category facet counts every category under the metal selection only.
                for (value, n, _) in count(&r, "category") {
                    let want = products
                        .iter()
                        .filter(|p| {
                            (has_metal(p, m1) || has_metal(p, m2))
                                && p.category.map(|x| x.as_str()) == Some(value)
                        })
                        .count();
                    assert_eq!(n, want, "category {value} under {m1},{m2}");
                }
            }
        }
    }
}

#[test]
fn price_buckets_sizes_and_range() {
    let idx = index();
    let mut req = SearchRequest::new("ring");
    req.filters.add("price=100-1000").unwrap();
    let r = idx.search(&req).unwrap();
    assert!(r.hits.iter().all(|h| h.price.unwrap().major() <= 1000.0));
    let (lo, hi) = r.price_range.unwrap();
    assert!(lo <= 180.0 && hi >= 5200.0, "the slider spans the unfiltered price range: {lo}..{hi}");
    let sizes: Vec<&str> = count(&r, "size").iter().map(|(v, _, _)| *v).collect();
    assert_eq!(sizes, ["6", "7", "10"]);
}

#[test]
fn bad_filters_are_clear_errors() {
    let mut f = Filters::default();
    for bad in
        ["colour_of_sky=blue", "price=500-100", "category=spaceship", "size=abc", "nonsense", "gender=robot"]
    {
        let err = f.add(bad).unwrap_err();
        assert!(matches!(err, search::Error::BadRequest(_)), "{bad}");
    }
}
