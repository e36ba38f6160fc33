//! `loupe eval normalize`: a tiny imported catalog scored against a tiny
//! truth file with deliberate misses and a row that matches no product.

use serde_json::Value;

use crate::loupe_ok;

const CATALOG: &str = "\
Handle,Title,Body (HTML),Type,Tags,Variant SKU,Variant Price
cocktail-ring,Diamond Cocktail Ring,A 0.5ct diamond in 14K yellow gold.,Rings,,CKT-1,1200.00
pearl-studs,Pearl Stud Earrings,Freshwater pearls on sterling silver posts.,Earrings,,PRL-1,85.00
mens-signet,Men's Signet Ring,Solid 925 sterling silver.,Rings,,SIG-1,150.00
";

// Deliberate misses: the ring's gold is labelled rose (Loupe reads yellow),
// the pearl studs are labelled men (nothing in the record says so), and the
// last row names a product the catalog does not have. The studs are keyed
// by SKU, the others by handle.
const TRUTH: &str = r#"{"handle":"cocktail-ring","category":"ring","metals":[{"kind":"gold","karat":14,"colors":["rose"]}],"stones":["diamond"]}
{"sku":"PRL-1","category":"earrings","gender":"men","metals":["silver"],"stones":["pearl"]}
{"handle":"mens-signet","category":"ring","gender":"men","metals":[{"kind":"silver"}],"stones":[]}
{"handle":"no-such-product","category":"ring"}
"#;

#[test]
fn eval_normalize_scores_fields_and_counts_unmatched_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let csv = tmp.path().join("catalog.csv");
    let truth = tmp.path().join("truth.jsonl");
    std::fs::write(&csv, CATALOG).unwrap();
    std::fs::write(&truth, TRUTH).unwrap();
    loupe_ok(&data, &["import", "catalog", csv.to_str().unwrap()]);

    let args = ["eval", "normalize", "--truth", truth.to_str().unwrap()];
    let report: Value = serde_json::from_str(&loupe_ok(&data, &[&args[..], &["--json"]].concat())).unwrap();
    assert_eq!((report["truth_rows"].as_u64(), report["matched"].as_u64()), (Some(4), Some(3)));
    assert_eq!(report["unmatched"], 1);
    assert_eq!(report["unmatched_examples"][0], "no-such-product");
    let score = |f: &str| {
        let x = &report["fields"][f];
        (x["correct"].as_u64().unwrap(), x["scored"].as_u64().unwrap())
    };
    assert_eq!(score("category"), (3, 3));
    assert_eq!(score("gender"), (1, 2));
    assert_eq!(score("metal_kind"), (3, 3));
    assert_eq!(score("karat"), (1, 1));
    assert_eq!(score("metal_color"), (0, 1));
    assert_eq!(score("stone_kind"), (3, 3));
    let miss = &report["fields"]["metal_color"]["misses"][0];
    assert_eq!(
        (miss["key"].as_str(), miss["truth"].as_str(), miss["loupe"].as_str()),
        (Some("cocktail-ring"), Some("rose"), Some("yellow"))
    );
    assert_eq!(report["fields"]["gender"]["misses"][0]["key"], "PRL-1");

    let text = loupe_ok(&data, &args);
    assert!(text.contains("1 matched no product"), "{text}");
    assert!(text.contains("metal_color: 1 misses"), "{text}");
}
