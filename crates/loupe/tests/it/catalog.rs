//! Catalog, orders and inventory imports, the export contract, products,
//! quality and keys, through the binary.

use std::path::Path;

use serde_json::Value;

use crate::{datasets, loupe, loupe_ok};

const SHOPIFY: &str = "\
Handle,Title,Body (HTML),Vendor,Type,Tags,Option1 Name,Option1 Value,Option2 Name,Option2 Value,Variant SKU,Variant Inventory Qty,Variant Price,Status
solitaire-ring,Solitaire Diamond Ring,<p>A 0.5ct diamond in <b>14K yellow gold</b>.</p>,Acme,Rings,\"engagement, diamond\",Metal,14K Yellow Gold,Size,6,SOL-Y-6,3,1200.00,active
solitaire-ring,,,,,,,14K White Gold,,7,SOL-W-7,0,1250.00,
pearl-studs,Pearl Stud Earrings,Freshwater pearls on sterling silver posts.,Acme,Earrings,pearl,Title,Default Title,,,PRL-1,12,85.00,active
";

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn export(data: &Path) -> Vec<Value> {
    loupe_ok(data, &["export", "catalog", "--format", "jsonl"])
        .lines()
        .map(|l| serde_json::from_str(l).expect("each export line is JSON"))
        .collect()
}

#[track_caller]
fn check_contract(p: &Value) {
    for key in [
        "id",
        "handle",
        "title",
        "vendor",
        "category",
        "gender",
        "price",
        "metals",
        "stones",
        "tags",
        "variants",
        "quality_issues",
    ] {
        assert!(p.get(key).is_some(), "product lacks {key}: {p}");
    }
    for key in ["min", "max", "currency"] {
        assert!(p["price"].get(key).is_some(), "price lacks {key}");
    }
    for v in p["variants"].as_array().unwrap() {
        for key in ["sku", "price", "options", "metals", "stones", "size", "inventory"] {
            assert!(v.get(key).is_some(), "variant lacks {key}: {v}");
        }
    }
}

#[test]
fn shopify_import_export_and_reimport() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = write(tmp.path(), "products.csv", SHOPIFY);

    let report: Value =
        serde_json::from_str(&loupe_ok(&data, &["import", "catalog", &file, "--json"])).unwrap();
    assert_eq!(report["format"], "shopify");
    assert_eq!(report["catalog"]["products_created"], 2);
    assert_eq!(report["catalog"]["variants_created"], 3);

    let products = export(&data);
    assert_eq!(products.len(), 2);
    products.iter().for_each(check_contract);
    let ring = products.iter().find(|p| p["handle"] == "solitaire-ring").unwrap();
    assert_eq!(ring["price"]["min"], 1200.0);
    assert_eq!(ring["price"]["max"], 1250.0);
    assert_eq!(ring["price"]["currency"], "USD");
    assert_eq!(ring["variants"].as_array().unwrap().len(), 2);
    assert_eq!(ring["variants"][0]["inventory"], 3);
    assert!(ring["metals"].as_array().unwrap().iter().any(|m| m["kind"] == "gold"), "{}", ring["metals"]);

    // The next day's export: the same products, a price changed. Ids stay, nothing duplicates.
    let newer = write(tmp.path(), "products2.csv", &SHOPIFY.replace("1200.00", "1300.00"));
    let report: Value =
        serde_json::from_str(&loupe_ok(&data, &["import", "catalog", &newer, "--json"])).unwrap();
    assert_eq!(report["catalog"]["products_created"], 0);
    assert_eq!(report["catalog"]["products_updated"], 2);
    let again = export(&data);
    assert_eq!(again.len(), 2);
    let ring2 = again.iter().find(|p| p["handle"] == "solitaire-ring").unwrap();
    assert_eq!(ring2["id"], ring["id"]);
    assert_eq!(ring2["price"]["min"], 1250.0);

    // Human output names the file and the counts.
    let text = loupe_ok(&data, &["import", "catalog", &file]);
    assert!(text.contains("products.csv") && text.contains("2 updated"), "{text}");

    let listed = loupe_ok(&data, &["products", "list", "--json"]);
    assert_eq!(listed.lines().count(), 2);
    let shown: Value =
        serde_json::from_str(&loupe_ok(&data, &["products", "show", "SOL-W-7", "--json"])).unwrap();
    assert_eq!(shown["handle"], "solitaire-ring");
    assert!(!shown["description"].as_str().unwrap().contains('<'), "HTML kept: {}", shown["description"]);
}

#[test]
fn unreadable_input_fails_with_one_line_and_keeps_the_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let good = write(tmp.path(), "products.csv", SHOPIFY);
    loupe_ok(&data, &["import", "catalog", &good]);

    let missing = tmp.path().join("nope.csv");
    let out = loupe(&data, &["import", "catalog", missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("error: ") && err.contains("nope.csv"), "{err}");

    let empty = write(tmp.path(), "empty.csv", "");
    assert!(!loupe(&data, &["import", "catalog", &empty, "--format", "csv"]).status.success());

    let out = loupe(&data, &["import", "catalog", &good, "--format", "csv", "--map", "nonsense"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonsense"));

    assert_eq!(export(&data).len(), 2, "a failed import changed the catalog");
}

#[test]
fn orders_and_inventory_import() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let orders = write(
        tmp.path(),
        "orders.csv",
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
         536365,85123A,WHITE HANGING HEART,6,12/1/2010 8:26,2.55,17850.0,United Kingdom\n\
         536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n\
         C536379,85123A,WHITE HANGING HEART,-1,12/1/2010 9:41,2.55,14527.0,United Kingdom\n\
         536380,71053,WHITE METAL LANTERN,2,12/1/2010 9:45,3.39,,United Kingdom\n",
    );
    let map = [
        "--map",
        "order_id=InvoiceNo",
        "--map",
        "sku=StockCode",
        "--map",
        "title=Description",
        "--map",
        "quantity=Quantity",
        "--map",
        "ordered_at=InvoiceDate",
        "--map",
        "unit_price=UnitPrice",
        "--map",
        "customer_id=CustomerID",
        "--map",
        "country=Country",
    ];
    let mut args = vec!["import", "orders", orders.as_str(), "--json"];
    args.extend(map);
    let report: Value = serde_json::from_str(&loupe_ok(&data, &args)).unwrap();
    assert_eq!(report["orders"]["lines_inserted"], 4);
    assert_eq!(report["orders"]["products_created"], 2);
    assert_eq!(report["orders"]["customers"], 2);
    assert_eq!(report["orders"]["cancellations"], 1);
    // Idempotent.
    let report: Value = serde_json::from_str(&loupe_ok(&data, &args)).unwrap();
    assert_eq!(
        (report["orders"]["lines_inserted"].as_u64(), report["orders"]["lines_unchanged"].as_u64()),
        (Some(0), Some(4))
    );
    let products = export(&data);
    assert_eq!(products.len(), 2);
    assert!(products.iter().any(|p| p["handle"] == "85123A" && p["title"] == "WHITE HANGING HEART"));

    let inventory =
        write(tmp.path(), "inventory.csv", "sku,location,on_hand\n85123A,main,10\n71053,main,4\n");
    let report: Value =
        serde_json::from_str(&loupe_ok(&data, &["import", "inventory", &inventory, "--json"])).unwrap();
    assert_eq!(report["inventory"]["levels"], 2);
}

#[test]
fn keys_are_printed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let created: Value = serde_json::from_str(&loupe_ok(
        &data,
        &["keys", "create", "--role", "admin", "--label", "ops", "--json"],
    ))
    .unwrap();
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("lp_admin_"));
    let listed = loupe_ok(&data, &["keys", "list"]);
    assert!(listed.contains("ops") && !listed.contains(key), "{listed}");
    let public = loupe_ok(&data, &["keys", "create", "--role", "public"]);
    assert!(public.trim().starts_with("lp_pub_"));
}

#[test]
fn cartier_with_mapping_meets_the_export_contract() {
    let Some(dir) = datasets() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let file = dir.join("cartier-rings.csv");
    let report: Value = serde_json::from_str(&loupe_ok(
        &data,
        &[
            "import",
            "catalog",
            file.to_str().unwrap(),
            "--format",
            "csv",
            "--map",
            "handle=ref",
            "--map",
            "title=title",
            "--map",
            "description=description",
            "--map",
            "price=price",
            "--map",
            "tags=tags",
            "--map",
            "category=categorie",
            "--json",
        ],
    ))
    .unwrap();
    assert!(report["catalog"]["products_created"].as_u64().unwrap() > 200, "{report}");
    let products = export(&data);
    products.iter().for_each(check_contract);
    let with_metal = products.iter().filter(|p| !p["metals"].as_array().unwrap().is_empty()).count();
    assert!(
        with_metal * 10 > products.len() * 8,
        "only {with_metal} of {} products have a metal",
        products.len()
    );
    assert!(products.iter().all(|p| p["category"].is_string()), "a Cartier ring without a category");
}

/// The exit code and last line of a lossy import: exit 0, and the last line
/// says how many rows were skipped and products kept; `--replace` removes
/// what the file lacks and says which.
#[test]
fn a_cut_off_file_exits_0_and_says_what_it_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.as_path();
    let full = write(dir.path(), "full.csv", SHOPIFY);
    let out = loupe_ok(data, &["import", "catalog", &full]);
    assert_eq!(
        out.lines().last(),
        Some("0 rows skipped, 0 products kept at their previous version"),
        "{out}"
    );

    // The export stops after solitaire-ring's first row.
    let cut: String = SHOPIFY.lines().take(2).map(|l| format!("{l}\n")).collect();
    let cut = write(dir.path(), "cut.csv", &cut);
    let out = loupe_ok(data, &["import", "catalog", &cut]);
    assert_eq!(out.lines().last(), Some("0 rows skipped, 1 product kept at its previous version"), "{out}");
    assert!(out.contains("kept_previous"), "{out}");
    let report: Value =
        serde_json::from_str(&loupe_ok(data, &["import", "catalog", &cut, "--json"])).unwrap();
    assert_eq!(report["catalog"]["products_kept"], 1);
    assert_eq!(export(data).len(), 2, "pearl-studs stays");

    // A row that cannot be read: still exit 0, and the last line counts it.
    let misaligned = SHOPIFY.replace("SOL-W-7,0,1250.00,", "SOL-W-7,0,1250.00,,extra");
    let misaligned = write(dir.path(), "misaligned.csv", &misaligned);
    let out = loupe_ok(data, &["import", "catalog", &misaligned]);
    assert_eq!(out.lines().last(), Some("1 row skipped, 2 products kept at their previous version"), "{out}");

    let out = loupe_ok(data, &["import", "catalog", &cut, "--replace"]);
    assert!(out.contains("removed    1 product not in the file (--replace): pearl-studs"), "{out}");
    assert_eq!(
        out.lines().last(),
        Some("0 rows skipped, 0 products kept at their previous version, 1 product removed"),
        "{out}"
    );
    let products = export(data);
    assert_eq!(products.len(), 1);
    assert_eq!(products[0]["variants"].as_array().unwrap().len(), 1);
}
