//! Catalog imports a brand can trust: a file that is cut off, a row the
//! reader could not read, or a value it could not parse never removes or
//! blanks what is stored. Each test imports a good Shopify CSV, then a
//! damaged one, into the same store.

use app::imports::{import_reader, ImportSpec, Kind};
use app::wire::import::ImportReport;
use model::Product;
use store::Store;

const HEADER: &str = "Handle,Title,Body (HTML),Vendor,Type,Tags,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty";

/// One product's rows: the first carries the title and body, the others only
/// the variant (as Shopify writes them).
fn rows(handle: &str, title: &str, sizes: &[(&str, &str)]) -> Vec<String> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, (size, price))| {
            let sku = format!("{}-{size}", handle.to_uppercase());
            if i == 0 {
                format!("{handle},{title},\"<p>{title}, in 14K gold.</p>\",Loupe,Ring,gold,Size,{size},{sku},{price},3")
            } else {
                format!("{handle},,,,,,,{size},{sku},{price},2")
            }
        })
        .collect()
}

fn file(lines: &[String]) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// The good catalog: three products, the last with four variants.
fn good_lines() -> Vec<String> {
    let mut lines = rows("aria-ring", "Aria Ring", &[("5", "515.00"), ("6", "515.00")]);
    lines.extend(rows("aria-ruby-stud-earrings", "Aria Ruby Studs", &[("os", "240.00")]));
    lines.extend(rows(
        "bea-band",
        "Bea Band",
        &[("5", "99.00"), ("6", "99.00"), ("7", "99.00"), ("8", "109.00")],
    ));
    lines
}

fn import(store: &Store, csv: &str, replace: bool) -> ImportReport {
    let mut spec = ImportSpec::new(Kind::Catalog, 1_750_000_000);
    spec.replace = replace;
    import_reader(store, csv.as_bytes(), "products.csv", None, &spec, &|_| {}).expect("the import runs")
}

fn stored(store: &Store, handle: &str) -> Product {
    store.product_by_handle(handle).unwrap().unwrap_or_else(|| panic!("{handle} is stored"))
}

fn skus(p: &Product) -> Vec<String> {
    p.variants.iter().map(|v| v.sku.clone()).collect()
}

#[track_caller]
fn assert_unchanged(store: &Store, before: &[Product]) {
    for b in before {
        let now = stored(store, &b.handle);
        assert_eq!(skus(&now), skus(b), "{} kept its variants", b.handle);
        for (n, o) in now.variants.iter().zip(&b.variants) {
            assert_eq!(n.price, o.price, "{} kept its price", n.sku);
        }
    }
}

fn issue_codes(r: &ImportReport) -> Vec<(String, Option<u64>)> {
    r.issues.iter().map(|i| (i.code.clone(), i.line)).collect()
}

/// Regression: `aria-ruby-stud-earrings,",,,...` swallowed the next line; a
/// product vanished with no issue naming its line and a variant was replaced
/// by garbage, exit 0.
#[test]
fn an_unbalanced_quote_does_not_swallow_the_next_row() {
    let store = Store::open_temporary().unwrap();
    import(&store, &file(&good_lines()), false);
    let before = store.products().unwrap();

    let mut lines = good_lines();
    // Line 4 (after the header and aria-ring's two rows).
    lines[2] = format!("aria-ruby-stud-earrings,\"{}", ",".repeat(9));
    let report = import(&store, &file(&lines), false);
    assert!(
        report.issues.iter().any(|i| i.code == "bad_row" && i.line == Some(4)),
        "line 4 is named: {:?}",
        issue_codes(&report)
    );
    assert_eq!(report.rows_skipped, 1);
    assert_unchanged(&store, &before);
    assert!(store.products().unwrap().iter().all(|p| p.variants.iter().all(|v| v.sku != "2")));
}

/// The same, when the swallowed row holds a quoted field of its own that
/// closes the runaway quote: the reader used to accept a row of shifted
/// fields (SKU `2`, no price, another product's SKU in an option).
#[test]
fn an_unbalanced_quote_closed_by_the_next_row_is_resynchronised() {
    let store = Store::open_temporary().unwrap();
    let mut lines = good_lines();
    lines.extend(rows("cleo-ring", "Cleo Ring", &[("5", "300.00")]));
    import(&store, &file(&lines), false);
    let before = store.products().unwrap();

    // Line 5 (bea-band's first row) loses its closing quote; the row after it
    // opens a quote that closes the runaway one.
    lines[3] =
        "bea-band,Bea Band,\"<p>Bea Band, in 14K gold.</p>,Loupe,Ring,gold,Size,5,BEA-BAND-5,99.00,3".into();
    lines.insert(4, "bea-band,Bea Band,\"<p>Bea</p>\",Loupe,Ring,gold,Size,5,BEA-BAND-5,99.00,3".into());
    let report = import(&store, &file(&lines), false);
    assert!(
        report.issues.iter().any(|i| i.code == "bad_row" && i.line == Some(5)),
        "{:?}",
        issue_codes(&report)
    );
    assert_unchanged(&store, &before);
    assert!(store.products().unwrap().iter().all(|p| p.variants.iter().all(|v| v.sku != "2")));
}

/// Ordinary multi-line HTML in Body (HTML) is not a swallowed row.
#[test]
fn multi_line_html_is_read_as_one_field() {
    let store = Store::open_temporary().unwrap();
    let mut lines = good_lines();
    lines[0] = "aria-ring,Aria Ring,\"<p>Aria, in 14K gold,\nwith a, b, c, d, e, f, g, h, i, j, k and more.</p>\n<p>Size, fit, care, box, ribbon, card.</p>\",Loupe,Ring,gold,Size,5,ARIA-RING-5,515.00,3".into();
    let report = import(&store, &file(&lines), false);
    assert_eq!(report.rows_skipped, 0, "{:?}", issue_codes(&report));
    assert_eq!(skus(&stored(&store, "aria-ring")), ["ARIA-RING-5", "ARIA-RING-6"]);
}

/// Regression: an export that stopped after 2 of a product's 4 rows replaced
/// the 4 stored variants by 2, exit 0, no issue.
#[test]
fn a_file_cut_off_at_a_row_boundary_keeps_the_last_product() {
    let store = Store::open_temporary().unwrap();
    import(&store, &file(&good_lines()), false);
    let before = store.products().unwrap();

    let mut lines = good_lines();
    lines.truncate(lines.len() - 2);
    let report = import(&store, &file(&lines), false);
    assert_unchanged(&store, &before);
    let kept = report.issues.iter().find(|i| i.code == "kept_previous").expect("a kept_previous issue");
    assert!(kept.message.contains("bea-band"), "{}", kept.message);
    assert_eq!(kept.line, Some(5));
    assert_eq!(report.catalog.as_ref().unwrap().products_kept, 1);
}

/// A product with a row the reader could not read keeps its stored version:
/// applying the rows that were read would drop the variant of that row.
#[test]
fn a_product_with_an_unreadable_row_keeps_its_stored_version() {
    let store = Store::open_temporary().unwrap();
    let mut lines = good_lines();
    lines.extend(rows("cleo-ring", "Cleo Ring", &[("5", "300.00")]));
    import(&store, &file(&lines), false);
    let before = store.products().unwrap();

    // bea-band's second row (line 6) loses its last fields.
    lines[4] = "bea-band,,,,,,,6".into();
    let report = import(&store, &file(&lines), false);
    assert_unchanged(&store, &before);
    let kept = report.issues.iter().find(|i| i.code == "kept_previous").expect("kept_previous");
    assert!(kept.message.contains("\"bea-band\" (4 variants): line 6"), "{}", kept.message);
}

/// Regression: re-importing a product whose price read `abc` changed the
/// stored price from 515.00 to null; only `bad_price` was reported.
#[test]
fn a_bad_value_never_replaces_a_good_one() {
    let store = Store::open_temporary().unwrap();
    import(&store, &file(&good_lines()), false);
    let before = store.products().unwrap();

    let mut lines = good_lines();
    lines[0] = lines[0].replace("515.00", "abc");
    lines[4] = lines[4].replace(",99.00,2", ",99.00,lots");
    let report = import(&store, &file(&lines), false);
    assert_unchanged(&store, &before);
    let aria = stored(&store, "aria-ring");
    assert_eq!(aria.variants[0].price.unwrap().to_string(), "515.00 USD");
    let bea = stored(&store, "bea-band");
    assert_eq!(bea.variants[1].inventory, Some(2), "the stored quantity is kept");
    let kept: Vec<_> = report.issues.iter().filter(|i| i.code == "kept_value").collect();
    assert_eq!(kept.len(), 2, "{:?}", issue_codes(&report));
    assert!(kept[0].message.contains("515.00"), "{}", kept[0].message);
    assert_eq!(report.catalog.as_ref().unwrap().values_kept, 2);
}

/// By default products missing from the file stay; `replace` removes them
/// and says which.
#[test]
fn replace_removes_what_the_file_no_longer_has() {
    let store = Store::open_temporary().unwrap();
    import(&store, &file(&good_lines()), false);
    let mut lines = good_lines();
    lines.remove(2); // aria-ruby-stud-earrings
    lines.truncate(lines.len() - 1); // bea-band's last variant

    let report = import(&store, &file(&lines), false);
    assert!(store.product_by_handle("aria-ruby-stud-earrings").unwrap().is_some());
    assert_eq!(report.catalog.as_ref().unwrap().products_removed, 0);
    assert_eq!(stored(&store, "bea-band").variants.len(), 4, "the last product may be cut off");

    let report = import(&store, &file(&lines), true);
    let c = report.catalog.as_ref().unwrap();
    assert_eq!((c.products_removed, c.variants_removed), (1, 2));
    assert_eq!(c.removed_handles, ["aria-ruby-stud-earrings"]);
    assert!(store.product_by_handle("aria-ruby-stud-earrings").unwrap().is_none());
    assert_eq!(stored(&store, "bea-band").variants.len(), 3);
}

/// `replace` removes nothing when a row could not be read: the product
/// missing from the file may be in that row.
#[test]
fn replace_removes_nothing_when_a_row_was_skipped() {
    let store = Store::open_temporary().unwrap();
    import(&store, &file(&good_lines()), false);
    let before = store.products().unwrap();
    let mut lines = good_lines();
    lines[2] = "aria-ruby-stud-earrings,Aria Ruby Studs,too,few".into();
    let report = import(&store, &file(&lines), true);
    let c = report.catalog.as_ref().unwrap();
    assert_eq!(c.products_removed, 0);
    assert!(report.issues.iter().any(|i| i.code == "removal_withheld"), "{:?}", issue_codes(&report));
    assert_unchanged(&store, &before);
}

/// One way to damage one line of a file.
#[derive(Clone, Debug)]
enum Damage {
    Insert(u8, usize),
    CutLine(usize),
    DeleteLine,
    ReplaceLine(String),
    BadPrice,
    EndFileAfter,
    EndFileInside(usize),
}

fn arb_damage() -> impl proptest::strategy::Strategy<Value = Damage> {
    use proptest::prelude::*;
    prop_oneof![
        (prop::sample::select(vec![b'"', b',', b'\n', b'\r', b'x']), 0usize..200)
            .prop_map(|(b, at)| Damage::Insert(b, at)),
        (0usize..200).prop_map(Damage::CutLine),
        Just(Damage::DeleteLine),
        "[a-z,\" \n]{0,30}".prop_map(Damage::ReplaceLine),
        Just(Damage::BadPrice),
        Just(Damage::EndFileAfter),
        (0usize..200).prop_map(Damage::EndFileInside),
    ]
}

/// A valid catalog of `sizes.len()` products, product `i` with `sizes[i]` variants.
fn catalog_lines(sizes: &[usize]) -> Vec<String> {
    let mut lines = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let variants: Vec<(String, String)> =
            (0..n).map(|v| ((5 + v).to_string(), format!("{}.00", 100 + 10 * i + v))).collect();
        let refs: Vec<(&str, &str)> = variants.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        lines.extend(rows(&format!("p{i}"), &format!("Piece {i}"), &refs));
    }
    lines
}

/// `lines` with line `k` (0-based among the data lines) damaged, as a file.
fn damaged(lines: &[String], k: usize, damage: &Damage) -> String {
    let mut lines = lines.to_vec();
    let at = |n: usize, line: &str| n % (line.len() + 1);
    match damage {
        Damage::Insert(b, n) => {
            let i = at(*n, &lines[k]);
            lines[k].insert(i, *b as char);
        }
        Damage::CutLine(n) => {
            let i = at(*n, &lines[k]);
            lines[k].truncate(i);
        }
        Damage::DeleteLine => {
            lines.remove(k);
        }
        Damage::ReplaceLine(s) => lines[k].clone_from(s),
        Damage::BadPrice => {
            let mut fields: Vec<&str> = lines[k].rsplitn(3, ',').collect();
            fields[1] = "abc";
            fields.reverse();
            lines[k] = fields.join(",");
        }
        Damage::EndFileAfter => lines.truncate(k + 1),
        Damage::EndFileInside(n) => {
            let i = at(*n, &lines[k]);
            lines[k].truncate(i);
            lines.truncate(k + 1);
            let mut out = file(&lines);
            out.pop();
            return out;
        }
    }
    file(&lines)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 96, ..Default::default() })]

    /// Whatever happens to one line of a valid file, every stored product
    /// whose rows do not include that line keeps all its variants and prices,
    /// and so does the one they include when the import reports a skipped row.
    #[test]
    fn one_damaged_line_harms_no_other_product(
        sizes in proptest::collection::vec(1usize..5, 2..6),
        pick in 0usize..1000,
        damage in arb_damage(),
    ) {
        let store = Store::open_temporary().unwrap();
        let lines = catalog_lines(&sizes);
        import(&store, &file(&lines), false);
        let before = store.products().unwrap();
        let k = pick % lines.len();
        let region = lines[k].split(',').next().unwrap().to_string();
        let mut spec = ImportSpec::new(Kind::Catalog, 1_750_000_000);
        spec.format = Some(catalog::Format::Shopify);
        let csv = damaged(&lines, k, &damage);
        // A file with nothing left to import is refused whole: nothing to check.
        let Ok(report) = import_reader(&store, csv.as_bytes(), "products.csv", None, &spec, &|_| {}) else {
            return Ok(());
        };
        // When the reader could not read a row, the product it belonged to is
        // protected too; otherwise the damage may be a change the file makes.
        let protected = |handle: &str| handle != region || report.rows_skipped > 0;
        for b in before.iter().filter(|b| protected(&b.handle)) {
            let now = store.product_by_handle(&b.handle).unwrap();
            let now = now.unwrap_or_else(|| panic!("{} is gone after {damage:?} on line {}:\n{csv}", b.handle, k + 2));
            for v in &b.variants {
                let got = now.variant_by_sku(&v.sku);
                let got = got.unwrap_or_else(|| panic!("{} lost {} after {damage:?} on line {}:\n{csv}", b.handle, v.sku, k + 2));
                proptest::prop_assert!(got.price.is_some(), "{} lost its price after {:?}:\n{}", v.sku, damage, csv);
            }
        }
    }
}

/// Regression: a UTF-16 file was refused as "could not tell the format" (or
/// as missing columns) instead of being named UTF-16, whatever its kind.
#[test]
fn every_kind_names_a_utf16_file() {
    let store = Store::open_temporary().unwrap();
    let text = "order_id,ordered_at,sku,quantity,on_hand\n1,2024-01-01,R1,1,3\n";
    let bom: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.bytes().flat_map(|b| [b, 0])).collect();
    let bare: Vec<u8> = text.bytes().flat_map(|b| [0, b]).collect();
    for bytes in [bom, bare] {
        for kind in Kind::ALL {
            let spec = ImportSpec::new(kind, 1_750_000_000);
            let err = import_reader(&store, &bytes[..], "upload", None, &spec, &|_| {}).unwrap_err();
            assert!(err.message.contains("UTF-16"), "{}: {}", kind.as_str(), err.message);
            let err = app::imports::check_reader(&bytes[..], "upload", &spec);
            if kind != Kind::Events {
                assert!(err.unwrap_err().message.contains("UTF-16"), "{}", kind.as_str());
            }
        }
    }
}

/// The events import keeps the valid lines and reports the bad one, the same
/// from a path (the CLI) as from a reader (an HTTP upload).
#[test]
fn an_events_file_with_a_bad_line_keeps_the_others_either_way() {
    let lines = [
        r#"{"id":"e1","kind":"view","at":1767225600000,"session_id":"s1","product":"aria-ring"}"#,
        r#"{"id":"e2","kind":"view","at":"#,
        r#"{"id":"e3","kind":"view","at":1767225600001,"session_id":"s1","product":"aria-ring"}"#,
    ];
    let text = lines.join("\n") + "\n";
    let dir = std::env::temp_dir().join(format!("loupe-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.jsonl");
    std::fs::write(&path, &text).unwrap();
    let spec = ImportSpec::new(Kind::Events, 1_750_000_000);
    let (a, b) = (Store::open_temporary().unwrap(), Store::open_temporary().unwrap());
    let from_path = app::imports::import_file(&a, &path, &spec, &|_| {}).unwrap();
    let from_reader = import_reader(&b, text.as_bytes(), "events.jsonl", None, &spec, &|_| {}).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    for r in [&from_path, &from_reader] {
        let e = r.events.as_ref().unwrap();
        assert_eq!((e.accepted, e.rejected), (2, 1));
        assert_eq!(issue_codes(r), [("bad_event".to_string(), Some(2))]);
    }
    assert_eq!(from_path.issues, from_reader.issues);
}

/// Regression (found by the property test): a newline inserted into a
/// product's first row splits it in two: the first half is unreadable and
/// the second reads as a made-up product, which stood between the halves and
/// the product's next rows, so those replaced the stored product and a
/// variant was lost. The unreadable half still names its handle.
#[test]
fn a_row_split_in_two_keeps_its_product_whole() {
    let store = Store::open_temporary().unwrap();
    let lines = catalog_lines(&[1, 3, 3]);
    import(&store, &file(&lines), false);
    let before = store.products().unwrap();
    let csv = damaged(&lines, 1, &Damage::Insert(b'\n', 42));
    let report = import(&store, &csv, false);
    assert_eq!(report.rows_skipped, 1);
    for b in &before {
        assert_eq!(skus(&stored(&store, &b.handle)), skus(b), "{}:\n{csv}", b.handle);
    }
    assert!(
        report.issues.iter().any(|i| i.code == "kept_previous" && i.message.contains("\"p1\"")),
        "{:?}",
        issue_codes(&report)
    );
    // The product before is kept for the row that could not be read (line
    // 3), not for the made-up one after it, which was read.
    let p0 = report.issues.iter().find(|i| i.code == "kept_previous" && i.message.contains("\"p0\""));
    let p0 = p0.expect("p0 kept");
    assert!(p0.message.contains("line 3 "), "{}", p0.message);
}

/// Regression (found by the property test in CI): a newline inside a
/// product's handle splits its first row into an unreadable "p" and a
/// made-up product "0" that holds the product's first SKU. That row is
/// matched to the stored product by SKU and kept; the product's next rows,
/// under its real handle, then made a second product with the same handle,
/// which hid the first and its other variants.
#[test]
fn a_handle_split_in_two_keeps_its_product_whole() {
    let store = Store::open_temporary().unwrap();
    let lines = catalog_lines(&[2, 1, 2]);
    import(&store, &file(&lines), false);
    let before = store.products().unwrap();
    let csv = damaged(&lines, 0, &Damage::Insert(b'\n', 1));
    assert!(csv.contains("\np\n0,Piece 0"), "{csv}");
    let report = import(&store, &csv, false);
    assert_eq!(report.rows_skipped, 1);
    for b in &before {
        assert_eq!(skus(&stored(&store, &b.handle)), skus(b), "{}:\n{csv}", b.handle);
    }
    // No handle names two products.
    let mut handles: Vec<String> = store.products().unwrap().into_iter().map(|p| p.handle).collect();
    let n = handles.len();
    handles.sort();
    handles.dedup();
    assert_eq!(handles.len(), n, "{handles:?}");
}

/// Regression (found by the property test): a product's first row replaced
/// by an unreadable line and a made-up row leaves the product's next rows
/// without their head. They used to replace the stored product, losing its
/// first variant; now the product is kept, and the report says why.
#[test]
fn a_product_whose_first_row_is_lost_keeps_its_stored_version() {
    let store = Store::open_temporary().unwrap();
    let lines = catalog_lines(&[2, 1]);
    import(&store, &file(&lines), false);
    let before = store.products().unwrap();
    let csv = damaged(&lines, 0, &Damage::ReplaceLine("a\na,a,,,,".into()));
    let report = import(&store, &csv, false);
    for b in &before {
        assert_eq!(skus(&stored(&store, &b.handle)), skus(b), "{}:\n{csv}", b.handle);
    }
    let kept = report.issues.iter().find(|i| i.code == "kept_previous" && i.message.contains("\"p0\""));
    let kept = kept.unwrap_or_else(|| panic!("{:?}", issue_codes(&report)));
    assert!(
        kept.message.contains("without the product's first row") && kept.message.contains("line 2 "),
        "{}",
        kept.message
    );
}
