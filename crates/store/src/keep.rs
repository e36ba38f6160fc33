//! What a catalog import keeps of the stored catalog when its file cannot
//! vouch for a product or a value: the rules behind "an import never removes
//! or blanks what it could not read".
//!
//! A product whose rows were not all read (the reader's
//! [`PartialRead::RowsSkipped`]) keeps its stored version whole: applying
//! part of it could drop variants or blank the fields its first row carried.
//! The file's last product (an export cut off at a row boundary ends inside
//! it) keeps its stored version when it lacks stored variants, unless the
//! import is a `replace`. A value the reader flagged as unreadable (code
//! `bad_price` or `bad_value` with its field and line) never replaces the
//! stored variant's good value.

use std::fmt::Display;

use model::{PartialRead, Product, QualityIssue, Variant};

use crate::catalog::ImportOutcome;

/// The same variant in two versions of a product: the same SKU; or, without
/// SKUs, the same options (a row repeated in an export is one variant).
pub(crate) fn same_variant(a: &Variant, b: &Variant) -> bool {
    if b.sku.is_empty() {
        a.sku.is_empty() && a.options == b.options
    } else {
        a.sku == b.sku
    }
}

/// `line 4` or `lines 4, 9`.
pub(crate) fn lines_text(lines: &[u64]) -> String {
    let shown: Vec<String> = lines.iter().take(5).map(u64::to_string).collect();
    let more = if lines.len() > 5 { format!(" and {} more", lines.len() - 5) } else { String::new() };
    match lines.len() {
        1 => format!("line {}", shown[0]),
        _ => format!("lines {}{more}", shown.join(", ")),
    }
}

/// Why `incoming` must not replace `stored`, if it must not.
pub(crate) fn keep_reason(incoming: &Product, stored: &Product, replace: bool) -> Option<String> {
    let variants = |n: usize| if n == 1 { "1 variant".to_string() } else { format!("{n} variants") };
    match &incoming.partial {
        Some(PartialRead::RowsSkipped { lines, headless: false }) => Some(format!(
            "kept the stored version of {:?} ({}): {} next to its rows could not be read",
            stored.handle,
            variants(stored.variants.len()),
            lines_text(lines)
        )),
        Some(PartialRead::RowsSkipped { lines, headless: true }) => Some(format!(
            "kept the stored version of {:?} ({}): its rows in the file begin without the product's first row (the one with its title), and {} before them could not be read",
            stored.handle,
            variants(stored.variants.len()),
            lines_text(lines)
        )),
        Some(PartialRead::LastInFile) if !replace => {
            let missing = stored
                .variants
                .iter()
                .filter(|s| !incoming.variants.iter().any(|v| same_variant(s, v)))
                .count();
            (missing > 0).then(|| {
                format!(
                    "kept the stored version of {:?} ({}): it is the file's last product and lacks {missing} of them, as a file cut off after its row {} would; import with --replace if the file is complete",
                    stored.handle,
                    variants(stored.variants.len()),
                    incoming.variants.iter().filter_map(|v| v.source_line).max().unwrap_or(0),
                )
            })
        }
        _ => None,
    }
}

/// Puts back the stored value of every field the reader could not read in
/// `incoming` (its `bad_price`/`bad_value` issues name the field and line),
/// with a `kept_value` issue for each.
pub(crate) fn keep_stored_values(incoming: &mut Product, stored: &Product, out: &mut ImportOutcome) {
    let bad: Vec<(u64, String)> = incoming
        .quality_issues
        .iter()
        .filter(|i| i.code == "bad_price" || i.code == "bad_value")
        .filter_map(|i| Some((i.line?, i.field.clone()?)))
        .collect();
    if bad.is_empty() {
        return;
    }
    let mut kept = Vec::new();
    for v in &mut incoming.variants {
        let Some(line) = v.source_line else { continue };
        let Some(old) = stored.variants.iter().find(|s| same_variant(s, v)) else { continue };
        for (_, field) in bad.iter().filter(|(l, _)| *l == line) {
            let value = match field.as_str() {
                "price" => put_back(&mut v.price, old.price),
                "compare_at_price" => put_back(&mut v.compare_at_price, old.compare_at_price),
                "inventory" => put_back(&mut v.inventory, old.inventory),
                "grams" => put_back(&mut v.grams, old.grams),
                // An unknown currency reads the price in the default one.
                "currency" => match (v.price, old.price) {
                    (Some(new), Some(was)) if new.currency != was.currency => {
                        v.price = Some(was);
                        v.compare_at_price = old.compare_at_price;
                        Some(was.to_string())
                    }
                    _ => None,
                },
                _ => None,
            };
            if let Some(value) = value {
                let sku = if v.sku.is_empty() { String::new() } else { format!(" of {}", v.sku) };
                kept.push(QualityIssue {
                    code: "kept_value".into(),
                    message: format!(
                        "line {line}: the {field}{sku} could not be read; the stored {value} is kept"
                    ),
                    line: Some(line),
                    field: Some(field.clone()),
                });
            }
        }
    }
    for issue in kept {
        out.values_kept += 1;
        out.push_issue(&issue);
        incoming.quality_issues.push(issue);
    }
}

/// Sets `slot` to `stored` when the file left it empty; the value shown.
fn put_back<T: Copy + Display>(slot: &mut Option<T>, stored: Option<T>) -> Option<String> {
    match (*slot, stored) {
        (None, Some(s)) => {
            *slot = Some(s);
            Some(s.to_string())
        }
        _ => None,
    }
}
