//! `loupe eval recs --validate-from --holdout-from`: a tiny orders file with
//! a cold customer and a row shorter than the header, checked through the
//! JSON contract and the exported split.

use serde_json::Value;

use crate::loupe_ok;

// a and b buy before the validation window (January), in it (February) and
// in the holdout (March); c only in the holdout (cold). The last row lacks
// a field.
const ORDERS: &str = "\
order_id,ordered_at,customer_id,sku,quantity,note
1,2024-01-05,a,R1,1,x
2,2024-01-06,b,R2,1,x
3,2024-02-05,a,R2,1,x
4,2024-02-06,b,R2,1,x
5,2024-03-05,a,R3,1,x
6,2024-03-06,b,R1,1,x
7,2024-03-07,c,R1,1,x
8,2024-03-08,a,R9,1
";

#[test]
fn holdout_scores_returning_customers_and_exports_the_same_truth() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let csv = tmp.path().join("orders.csv");
    let split = tmp.path().join("split");
    std::fs::write(&csv, ORDERS).unwrap();
    let args = [
        "eval",
        "recs",
        "--orders",
        csv.to_str().unwrap(),
        "--map",
        "order_id=order_id",
        "--map",
        "ordered_at=ordered_at",
        "--map",
        "customer_id=customer_id",
        "--map",
        "sku=sku",
        "--map",
        "quantity=quantity",
        "--validate-from",
        "2024-02-01",
        "--holdout-from",
        "2024-03-01",
        "--short-rows",
        "skip",
        "--json",
        "--export-split",
        split.to_str().unwrap(),
    ];
    let out: Value = serde_json::from_str(loupe_ok(&data, &args).trim()).unwrap();
    assert_eq!(out["short_rows_skipped"], 1);
    let (v, h) = (&out["validation"], &out["holdout"]);
    assert_eq!((v["from"].as_str(), v["to"].as_str()), (Some("2024-02-01"), Some("2024-03-01")));
    assert_eq!(
        (v["customers"].as_u64(), v["customers_new"].as_u64(), v["cold_customers"].as_u64()),
        (Some(2), Some(1), Some(0))
    );
    // The short row (a's R9) is not in the holdout; c is cold.
    assert_eq!(
        (h["test_lines"].as_u64(), h["customers"].as_u64(), h["cold_customers"].as_u64()),
        (Some(3), Some(2), Some(1))
    );
    assert!(h["to"].is_null());
    let names: Vec<&str> =
        out["methods"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["loupe", "loupe_deployed", "popular_90d", "favourites_then_popular"]);
    // The exported truth: window, customer, new flag (products are ids).
    let truth = std::fs::read_to_string(split.join("truth.tsv")).unwrap();
    let rows: Vec<(String, String, String)> = truth
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[3].to_string(), f[5].to_string())
        })
        .collect();
    let expect =
        [("validation", "a", "1"), ("validation", "b", "0"), ("holdout", "a", "1"), ("holdout", "b", "1")];
    let expect: Vec<(String, String, String)> =
        expect.iter().map(|(w, c, n)| (w.to_string(), c.to_string(), n.to_string())).collect();
    assert_eq!(rows, expect);
    let interactions = std::fs::read_to_string(split.join("interactions.tsv")).unwrap();
    assert_eq!(interactions.lines().count(), 1 + 7, "{interactions}");
}
