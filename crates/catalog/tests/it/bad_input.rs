//! Bad input: broken quoting, wrong encodings, long lines, absurd values,
//! arbitrary bytes. Every reader returns values or errors, never panics.

use catalog::{read_catalog, read_inventory, read_orders, Format, Mapping, ReadOptions};
use model::Currency;
use proptest::prelude::*;

use crate::{map, read, vocab};

#[test]
fn latin1_and_bom() {
    // Windows-1252 bytes (0xDF = ß) and a UTF-8 BOM.
    let mut bytes = b"\xEF\xBB\xBFtitle,price,metal\nRing,10,Wei".to_vec();
    bytes.extend_from_slice(b"\xdfgold 585\n");
    let (products, skipped) = read(&bytes, Format::Csv, &Mapping::default());
    assert!(skipped.is_empty());
    assert_eq!(products[0].metals()[0].colors, vec!["white"]);
    assert_eq!(products[0].variants[0].metals[0].karat, Some(14));
}

#[test]
fn absurd_prices_are_reported_not_stored() {
    let (products, _) =
        read(b"title,price\nRing,999999999999\nChain,abc\n", Format::Csv, &Mapping::default());
    for p in &products {
        assert!(p.variants[0].price.is_none());
        let issue = p.quality_issues.iter().find(|i| i.code == "bad_price").expect("bad_price");
        assert_eq!(issue.field.as_deref(), Some("price"));
    }
    assert!(products[0].quality_issues.iter().any(|i| i.message.contains("out of range")));
}

#[test]
fn broken_quoting_skips_one_line() {
    let csv = "title,price\n\"Ring,10\nChain,20\nBangle,30\n";
    let (products, skipped) = read(csv.as_bytes(), Format::Csv, &Mapping::default());
    assert_eq!(products.iter().map(|p| p.title.as_str()).collect::<Vec<_>>(), vec!["Chain", "Bangle"]);
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].line, Some(2));
}

#[test]
fn a_huge_line_is_skipped_with_bounded_memory() {
    let mut csv = b"title,price\n".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 3 * catalog::MAX_RECORD_BYTES));
    csv.extend_from_slice(b",1\nRing,2\n");
    let (products, skipped) = read(&csv, Format::Csv, &Mapping::default());
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].title, "Ring");
    assert_eq!(skipped[0].line, Some(2));
    assert!(skipped[0].message.starts_with("line 2: longer than 1 MiB"), "{}", skipped[0].message);
}

#[test]
fn misaligned_rows_are_skipped() {
    let (products, skipped) =
        read(b"title,price\nRing,10,extra,more\nChain,5\n", Format::Csv, &Mapping::default());
    assert_eq!(products.len(), 1);
    assert!(
        skipped[0].message.contains("expected 2 fields like the header, found 4"),
        "{}",
        skipped[0].message
    );
}

#[test]
fn a_missing_mapped_column_names_it() {
    let opts = ReadOptions {
        format: Format::Csv,
        mapping: &map(&["price=Prix"]),
        vocab: vocab(),
        default_currency: Currency::USD,
    };
    let err = read_catalog(&b"title,price\nRing,1\n"[..], opts).err().expect("error").to_string();
    assert_eq!(
        err,
        "line 1: no column \"Prix\" (mapped to price by --map); the header has: \"title\", \"price\""
    );
}

#[test]
fn utf16_and_empty_files_fail() {
    let opts = ReadOptions {
        format: Format::Csv,
        mapping: &Mapping::default(),
        vocab: vocab(),
        default_currency: Currency::USD,
    };
    assert!(read_catalog(&b"\xFF\xFEt\x00"[..], opts).err().expect("error").to_string().contains("UTF-16"));
    assert!(read_catalog(&b""[..], opts).err().expect("error").to_string().contains("empty"));
}

/// Regression: a header naming two columns alike went unreported, and which
/// one was read was a guess.
#[test]
fn duplicate_header_names_are_reported_with_the_column_read() {
    let (products, skipped) =
        read(b"title,price,Price,metal\nRing,10,12,gold\n", Format::Csv, &Mapping::default());
    assert_eq!(products[0].variants[0].price.unwrap().minor, 1000);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].code, "duplicate_column");
    assert_eq!(
        skipped[0].message,
        "line 1: columns 2, 3 are both named \"price\": column 2 is read as price; the others are kept as raw attributes"
    );
    // A header issue does not make the first product look partly read.
    assert_eq!(products[0].partial, Some(model::PartialRead::LastInFile));
    let orders = read_orders(
        &b"order_id,sku,sku,quantity,ordered_at\n1,A,B,1,2024-01-01\n"[..],
        &Mapping::default(),
        Currency::USD,
    )
    .unwrap();
    assert!(orders.skipped()[0].message.contains("column 2 is read as sku; the others are not read"));
    let inventory = read_inventory(&b"sku,on_hand,On Hand\nA,1,2\n"[..], &Mapping::default()).unwrap();
    assert!(inventory.skipped()[0].message.contains("columns 2, 3 are both named \"on_hand\""));
}

/// Regression: a UTF-16 file without a byte-order mark was read as text
/// full of NUL bytes ("no column Handle").
#[test]
fn utf16_without_a_byte_order_mark_is_named() {
    let text = "Handle,Title,Variant SKU\nring,Ring,R1\n";
    for bytes in [
        text.bytes().flat_map(|b| [b, 0]).collect::<Vec<u8>>(),
        text.bytes().flat_map(|b| [0, b]).collect::<Vec<u8>>(),
    ] {
        let opts = ReadOptions {
            format: Format::Shopify,
            mapping: &Mapping::default(),
            vocab: vocab(),
            default_currency: Currency::USD,
        };
        let err = read_catalog(&bytes[..], opts).err().expect("error").to_string();
        assert!(err.contains("UTF-16"), "{err}");
        let err = read_orders(&bytes[..], &Mapping::default(), Currency::USD).err().unwrap().to_string();
        assert!(err.contains("UTF-16"), "{err}");
        let err = read_inventory(&bytes[..], &Mapping::default()).err().unwrap().to_string();
        assert!(err.contains("UTF-16"), "{err}");
    }
}

#[test]
fn malformed_xml_is_fatal_with_a_position() {
    let opts = ReadOptions {
        format: Format::Google,
        mapping: &Mapping::default(),
        vocab: vocab(),
        default_currency: Currency::USD,
    };
    let r =
        read_catalog(&b"<rss><channel><item><title>Ring</title><g:price>1 USD"[..], opts).expect("starts");
    let results: Vec<_> = r.collect();
    assert!(results.last().is_some_and(|r| r.is_err()), "{results:?}");
}

fn all_readers(bytes: &[u8]) {
    for format in [Format::Shopify, Format::Google, Format::Csv, Format::Jsonl] {
        let opts = ReadOptions {
            format,
            mapping: &Mapping::default(),
            vocab: vocab(),
            default_currency: Currency::USD,
        };
        if let Ok(r) = read_catalog(bytes, opts) {
            for p in r.take(1000) {
                if p.is_err() {
                    break;
                }
            }
        }
    }
    if let Ok(r) = read_orders(bytes, &Mapping::default(), Currency::USD) {
        r.take(1000).for_each(drop);
    }
    if let Ok(r) = read_inventory(bytes, &Mapping::default()) {
        r.take(1000).for_each(drop);
    }
    let _ = catalog::extract_attributes(&String::from_utf8_lossy(bytes), vocab());
}

proptest! {
    // 200 cases by default; `PROPTEST_CASES=N` for a longer run.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(200),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        all_readers(&bytes);
    }

    #[test]
    fn csv_like_text_never_panics(
        header in prop::sample::select(vec![
            "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Variant Inventory Qty\n",
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n",
            "sku,location,on_hand,on_order,lead_time_days,unit_cost\n",
            "id\ttitle\tprice\titem_group_id\tmaterial\n",
            "<?xml version=\"1.0\"?><rss><channel><item><g:id>1</g:id><title>",
        ]),
        body in "[a-zA-Z0-9 ,\"\\n\\t.;:/<>&#-]{0,400}",
    ) {
        all_readers(format!("{header}{body}").as_bytes());
    }

    #[test]
    fn extraction_never_panics(text in "\\PC{0,200}") {
        let _ = catalog::extract_attributes(&text, vocab());
    }
}

#[test]
fn one_handle_cannot_hold_unbounded_rows() {
    let mut csv = String::from("Handle,Title,Variant SKU,Variant Price\n");
    for i in 0..5002 {
        csv.push_str(&format!("h,Ring,S-{i},10\n"));
    }
    let (products, skipped) = read(csv.as_bytes(), Format::Shopify, &Mapping::default());
    assert_eq!(products.len(), 1);
    assert_eq!(products[0].variants.len(), 5000);
    assert_eq!(skipped.len(), 2);
    assert!(skipped[0].message.contains("more than 5000 rows"), "{}", skipped[0].message);
}
