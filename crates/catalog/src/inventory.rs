//! `read_inventory`: stock levels per SKU and location from a CSV (Shopify's
//! inventory export or any file with a mapping).

use std::io::Read;

use model::{Currency, InventoryLevel, Money, QualityIssue};

use crate::catalog::fields::parse_int;
use crate::catalog::{Prefixed, Source};
use crate::mapping::{header_list, Columns, Mapping, Target};
use crate::orders::parse_datetime;
use crate::records::Skipped;
use crate::{Error, Result};

const TARGETS: [Target; 8] = [
    Target::Sku,
    Target::Location,
    Target::OnHand,
    Target::OnOrder,
    Target::LeadTimeDays,
    Target::UnitCost,
    Target::AsOf,
    Target::Currency,
];

fn synonyms(t: &Target) -> &'static [&'static str] {
    match t {
        Target::Sku => &["sku", "variant sku", "stockcode", "stock code", "item sku", "product code"],
        Target::Location => &["location", "warehouse", "store", "site", "location name"],
        Target::OnHand => &[
            "on hand",
            "on hand (current)",
            "available",
            "quantity",
            "qty",
            "stock",
            "inventory",
            "inventory qty",
            "units",
        ],
        Target::OnOrder => &["on order", "incoming", "inbound"],
        Target::LeadTimeDays => &["lead time days", "lead time", "leadtime", "lead time (days)"],
        Target::UnitCost => &["unit cost", "cost", "cost per item"],
        Target::AsOf => &["as of", "date", "snapshot date", "updated at", "snapshot"],
        Target::Currency => &["currency"],
        _ => &[],
    }
}

/// Streams inventory levels; rows without a SKU or a whole-number stock are
/// skipped and reported.
pub struct InventoryReader<R: Read> {
    source: Source<Prefixed<R>>,
    cols: Columns,
    skipped: Skipped,
    rows_read: u64,
    done: bool,
}

pub fn read_inventory<R: Read>(reader: R, mapping: &Mapping) -> Result<InventoryReader<R>> {
    let source = Source::delimited(Prefixed::new(reader), None)?;
    let header = source.header().cloned().unwrap_or_default();
    let cols = Columns::resolve_with(&header, mapping, &TARGETS, 1, true, synonyms)?;
    for (t, what) in [
        (Target::Sku, "the SKU (e.g. SKU)"),
        (Target::OnHand, "the stock on hand (e.g. On hand, Available, Quantity)"),
    ] {
        if !cols.has(&t) {
            return Err(Error::MissingColumn {
                line: 1,
                column: t.name(),
                why: format!("expected a column for {what}, or --map {}=COLUMN", t.name()),
                header: header_list(&header),
            });
        }
    }
    let mut skipped = Skipped::default();
    for (name, message) in crate::mapping::duplicate_columns(&header, &cols, "the others are not read") {
        skipped.push_code("duplicate_column", 1, Some(&name), message);
    }
    Ok(InventoryReader { source, cols, skipped, rows_read: 0, done: false })
}

impl<R: Read> InventoryReader<R> {
    pub fn skipped(&self) -> &[QualityIssue] {
        &self.skipped.kept
    }

    /// Rows skipped (code `bad_row`), including those past the kept list.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.total
    }

    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    fn convert(
        &self,
        line: u64,
        v: &[String],
    ) -> std::result::Result<InventoryLevel, (&'static str, String)> {
        let get = |t: Target| self.cols.get(&t, v);
        let sku = get(Target::Sku).ok_or(("sku", format!("line {line}: the SKU is empty")))?.to_string();
        let on_hand_text =
            get(Target::OnHand).ok_or(("on_hand", format!("line {line}: on_hand is empty")))?;
        let on_hand = parse_int(on_hand_text)
            .ok_or(("on_hand", format!("line {line}: on_hand {on_hand_text:?} is not a whole number")))?;
        let int_opt =
            |t: Target, name: &'static str| -> std::result::Result<Option<i64>, (&'static str, String)> {
                match get(t) {
                    None => Ok(None),
                    Some(s) => parse_int(s)
                        .map(Some)
                        .ok_or((name, format!("line {line}: {name} {s:?} is not a whole number"))),
                }
            };
        let on_order = int_opt(Target::OnOrder, "on_order")?;
        let lead = int_opt(Target::LeadTimeDays, "lead_time_days")?;
        let lead_time_days = match lead {
            Some(d) => Some(u32::try_from(d).map_err(|_| {
                ("lead_time_days", format!("line {line}: lead_time_days {d} is out of range"))
            })?),
            None => None,
        };
        let currency = get(Target::Currency).and_then(|c| Currency::parse(c).ok()).unwrap_or_default();
        let unit_cost = match get(Target::UnitCost) {
            Some(c) => Some(
                Money::parse(c, currency)
                    .map_err(|e| ("unit_cost", format!("line {line}: unit_cost: {e}")))?,
            ),
            None => None,
        };
        let as_of = match get(Target::AsOf) {
            Some(d) => Some(
                parse_datetime(d)
                    .ok_or(("as_of", format!("line {line}: as_of date {d:?} not understood")))?,
            ),
            None => None,
        };
        let location = get(Target::Location).unwrap_or("default").to_string();
        Ok(InventoryLevel { sku, location, on_hand, on_order, lead_time_days, unit_cost, as_of })
    }
}

impl<R: Read> Iterator for InventoryReader<R> {
    type Item = Result<InventoryLevel>;

    fn next(&mut self) -> Option<Result<InventoryLevel>> {
        while !self.done {
            let row = match self.source.next_row(&mut self.rows_read, &mut self.skipped) {
                Ok(Some(row)) => row,
                Ok(None) => break,
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if row.values.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            match self.convert(row.line, &row.values) {
                Ok(level) => return Some(Ok(level)),
                Err((field, message)) => self.skipped.push(row.line, Some(field), message),
            }
        }
        self.done = true;
        None
    }
}
