//! A deliberately plain reader for the Cartier CSV (ref, title, description,
//! price, tags, categorie) that extracts no attributes, so the tests show
//! what the search engine understands from the text on its own. (The
//! catalog crate's importer was not available when these tests were
//! written; its normalized attributes only add to what is found here.)

use model::{Currency, Money, Product, Variant};

pub fn read(file: std::fs::File) -> Vec<Product> {
    // The last row of the scrape is short; it is skipped as a real importer would report it.
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(file);
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (r, t, d, p, tags, c) =
        (col("ref"), col("title"), col("description"), col("price"), col("tags"), col("categorie"));
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.unwrap();
        if rec.len() < headers.len() {
            continue;
        }
        let handle = rec[r].trim().to_string();
        out.push(Product {
            id: i as u64 + 1,
            handle: handle.clone(),
            title: rec[t].to_string(),
            description: rec[d].to_string(),
            raw_category: Some(rec[c].to_string()),
            tags: rec[tags].split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            variants: vec![Variant {
                sku: handle,
                price: Money::parse(&rec[p], Currency::USD).ok(),
                ..Variant::default()
            }],
            ..Product::default()
        });
    }
    out
}
