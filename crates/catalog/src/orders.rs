//! `read_orders`: order lines from Shopify's orders export or any CSV with a
//! mapping, with the mess of real exports handled: cancelled invoices (`C…`),
//! negative quantities (returns), blank or `17850.0` customer ids, dates in
//! several formats, Shopify's order fields written on the first row only.

use std::collections::{HashMap, VecDeque};
use std::io::Read;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use model::{Currency, LineKind, Money, OrderLine, QualityIssue};

use crate::catalog::fields::{parse_int, slug};
use crate::catalog::{Prefixed, Source};
use crate::mapping::{header_list, norm_column, Columns, Mapping, Target};
use crate::realign::{Outcome, Realigner};
use crate::records::Skipped;
use crate::{Error, Result};

/// Order ids remembered for line numbering; past this the map is cleared
/// (exports are grouped by order, so old ids do not come back).
const MAX_TRACKED_ORDERS: usize = 1_000_000;

const TARGETS: [Target; 9] = [
    Target::OrderId,
    Target::OrderedAt,
    Target::CustomerId,
    Target::Sku,
    Target::Title,
    Target::Quantity,
    Target::UnitPrice,
    Target::Currency,
    Target::Country,
];

fn synonyms(t: &Target) -> &'static [&'static str] {
    match t {
        Target::OrderId => &[
            "order id",
            "invoiceno",
            "invoice no",
            "invoice",
            "order",
            "order number",
            "invoice number",
            "order name",
            "name",
        ],
        Target::OrderedAt => &[
            "ordered at",
            "invoicedate",
            "invoice date",
            "created at",
            "order date",
            "date",
            "created",
            "timestamp",
            "paid at",
        ],
        Target::CustomerId => {
            &["customer id", "customerid", "customer", "email", "customer email", "client id", "user id"]
        }
        Target::Sku => &[
            "sku",
            "lineitem sku",
            "stockcode",
            "stock code",
            "variant sku",
            "product code",
            "item sku",
            "product id",
            "item id",
        ],
        Target::Title => {
            &["title", "lineitem name", "description", "product name", "item name", "product", "item"]
        }
        Target::Quantity => &["quantity", "qty", "lineitem quantity", "units"],
        Target::UnitPrice => &["unit price", "unitprice", "lineitem price", "price", "item price"],
        Target::Currency => &["currency"],
        Target::Country => &["country", "billing country", "shipping country", "country code"],
        _ => &[],
    }
}

/// Order-level fields Shopify writes on an order's first row only.
#[derive(Default, Clone)]
struct OrderContext {
    order_id: String,
    ordered_at: Option<i64>,
    customer_id: Option<String>,
    currency: Option<Currency>,
    country: Option<String>,
    cancelled: bool,
    refunded: bool,
}

/// Streams order lines; same `skipped()`/`rows_read()` contract as
/// [`crate::CatalogReader`]. Unreadable values that do not make the line
/// useless (a bad unit price) keep the line and are reported with code
/// `bad_value`.
pub struct OrdersReader<R: Read> {
    source: Source<Prefixed<R>>,
    cols: Columns,
    cancelled_at: Option<usize>,
    financial_status: Option<usize>,
    currency: Currency,
    ctx: OrderContext,
    line_numbers: HashMap<String, u32>,
    queue: VecDeque<OrderLine>,
    skipped: Skipped,
    rows_read: u64,
    done: bool,
    /// Rows shorter than the header are realigned or reported here.
    realigner: Realigner,
}

/// Starts reading an orders file. Fails at once when no column can serve as
/// the order id, the SKU (or title), the quantity or the date.
pub fn read_orders<R: Read>(
    reader: R,
    mapping: &Mapping,
    default_currency: Currency,
) -> Result<OrdersReader<R>> {
    let mut source = Source::delimited(Prefixed::new(reader), None)?;
    source.keep_short_rows();
    let header = source.header().cloned().unwrap_or_default();
    let cols = Columns::resolve_with(&header, mapping, &TARGETS, 1, true, synonyms)?;
    for (target, what) in [
        (Target::OrderId, "the order id (e.g. InvoiceNo, Name, Order ID)"),
        (Target::Quantity, "the quantity (e.g. Quantity, Lineitem quantity)"),
        (Target::OrderedAt, "the order date (e.g. InvoiceDate, Created at)"),
    ] {
        if !cols.has(&target) {
            return Err(Error::MissingColumn {
                line: 1,
                column: target.name(),
                why: format!("expected a column for {what}, or --map {}=COLUMN", target.name()),
                header: header_list(&header),
            });
        }
    }
    if !cols.has(&Target::Sku) && !cols.has(&Target::Title) {
        return Err(Error::MissingColumn {
            line: 1,
            column: "sku".into(),
            why: "expected a column for the SKU (e.g. StockCode, Lineitem sku) or the product title, or --map sku=COLUMN".into(),
            header: header_list(&header),
        });
    }
    let normed: Vec<String> = header.iter().map(|h| norm_column(h)).collect();
    let find = |n: &str| normed.iter().position(|x| x == n);
    let mut skipped = Skipped::default();
    for (name, message) in crate::mapping::duplicate_columns(&header, &cols, "the others are not read") {
        skipped.push_code("duplicate_column", 1, Some(&name), message);
    }
    let cancelled_at = find("cancelled at");
    let financial_status = find("financial status");
    let used: Vec<usize> =
        cols.by_target.iter().map(|(_, i)| *i).chain(cancelled_at).chain(financial_status).collect();
    Ok(OrdersReader {
        realigner: Realigner::new(&header, &used),
        cancelled_at,
        financial_status,
        source,
        cols,
        currency: default_currency,
        ctx: OrderContext::default(),
        line_numbers: HashMap::new(),
        queue: VecDeque::new(),
        skipped,
        rows_read: 0,
        done: false,
    })
}

impl<R: Read> OrdersReader<R> {
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

    fn next_line_no(&mut self, order_id: &str) -> u32 {
        if self.line_numbers.len() >= MAX_TRACKED_ORDERS && !self.line_numbers.contains_key(order_id) {
            self.line_numbers.clear();
        }
        let n = self.line_numbers.entry(order_id.to_string()).or_insert(0);
        let out = *n;
        *n += 1;
        out
    }

    fn bad_value(&mut self, line: u64, field: &str, message: String) {
        self.skipped.push_code("bad_value", line, Some(field), message);
    }

    /// Converts one row into its lines (two for a cancelled or refunded
    /// Shopify order: the sale and its reversal).
    fn convert(
        &mut self,
        line: u64,
        values: &[String],
    ) -> std::result::Result<(), (Option<&'static str>, String)> {
        let get = |t: Target| self.cols.get(&t, values).map(str::to_string);
        let at = |i: Option<usize>| {
            i.and_then(|i| values.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let order_id =
            get(Target::OrderId).ok_or((Some("order_id"), format!("line {line}: the order id is empty")))?;
        let same_order = order_id == self.ctx.order_id;
        if !same_order {
            self.ctx = OrderContext { order_id: order_id.clone(), ..OrderContext::default() };
        }
        // Order-level fields: this row's, else the order's first row's.
        if let Some(d) = get(Target::OrderedAt) {
            match parse_datetime(&d) {
                Some(t) => self.ctx.ordered_at = Some(t),
                None => {
                    return Err((
                        Some("ordered_at"),
                        format!("line {line}: date {d:?} not understood; expected e.g. 2010-12-01 08:26:00, 12/1/2010 8:26 or 2010-12-01T08:26:00Z"),
                    ))
                }
            }
        }
        let ordered_at = self
            .ctx
            .ordered_at
            .ok_or((Some("ordered_at"), format!("line {line}: the order date is empty")))?;
        if let Some(c) = get(Target::CustomerId) {
            self.ctx.customer_id = Some(normalize_customer(&c));
        }
        if let Some(c) = get(Target::Country) {
            self.ctx.country = Some(c);
        }
        if let Some(c) = get(Target::Currency) {
            self.ctx.currency = Currency::parse(&c).ok();
        }
        if at(self.cancelled_at).is_some() {
            self.ctx.cancelled = true;
        }
        if let Some(s) = at(self.financial_status) {
            let s = s.to_ascii_lowercase();
            self.ctx.refunded = s == "refunded";
            if s == "voided" {
                self.ctx.cancelled = true;
            }
        }
        let title = get(Target::Title);
        let sku = match (get(Target::Sku), &title) {
            (Some(s), _) => s,
            (None, Some(t)) if !slug(t).is_empty() => slug(t),
            _ => {
                return Err((
                    Some("sku"),
                    format!("line {line}: no SKU and no title: the line names no product"),
                ))
            }
        };
        let qty_text =
            get(Target::Quantity).ok_or((Some("quantity"), format!("line {line}: the quantity is empty")))?;
        let quantity = parse_int(&qty_text)
            .ok_or((Some("quantity"), format!("line {line}: quantity {qty_text:?} is not a whole number")))?;
        let currency = self.ctx.currency.unwrap_or(self.currency);
        let unit_price = match get(Target::UnitPrice) {
            Some(p) => match Money::parse(&p, currency) {
                Ok(m) => Some(m),
                Err(e) => {
                    self.bad_value(
                        line,
                        "unit_price",
                        format!("line {line}: unit price: {e}; line kept without a price"),
                    );
                    None
                }
            },
            None => None,
        };
        // Kinds: a `C` invoice is a cancellation; a negative quantity a
        // return, or a cancellation when the order was cancelled.
        let cancel_invoice =
            order_id.starts_with(['C', 'c']) && order_id[1..].starts_with(|c: char| c.is_ascii_digit());
        let kind = if cancel_invoice {
            LineKind::Cancellation
        } else if quantity < 0 {
            if self.ctx.cancelled {
                LineKind::Cancellation
            } else {
                LineKind::Return
            }
        } else {
            LineKind::Sale
        };
        let base = OrderLine {
            order_id: order_id.clone(),
            line_no: 0,
            ordered_at,
            customer_id: self.ctx.customer_id.clone(),
            sku,
            title,
            quantity,
            unit_price,
            country: self.ctx.country.clone(),
            kind,
        };
        let reversal = match kind {
            LineKind::Sale if self.ctx.cancelled && quantity > 0 => Some(LineKind::Cancellation),
            LineKind::Sale if self.ctx.refunded && quantity > 0 => Some(LineKind::Return),
            _ => None,
        };
        let first = OrderLine { line_no: self.next_line_no(&order_id), ..base.clone() };
        self.queue.push_back(first);
        if let Some(k) = reversal {
            let rev =
                OrderLine { line_no: self.next_line_no(&order_id), quantity: -quantity, kind: k, ..base };
            self.queue.push_back(rev);
        }
        Ok(())
    }
}

impl<R: Read> Iterator for OrdersReader<R> {
    type Item = Result<OrderLine>;

    fn next(&mut self) -> Option<Result<OrderLine>> {
        loop {
            if let Some(l) = self.queue.pop_front() {
                return Some(Ok(l));
            }
            if self.done {
                return None;
            }
            let row = match self.source.next_row(&mut self.rows_read, &mut self.skipped) {
                Ok(Some(row)) => row,
                Ok(None) => {
                    self.done = true;
                    if let Some((line, message)) = self.realigner.summary() {
                        self.skipped.push_code("realigned_rows", line, None, message);
                    }
                    continue;
                }
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            };
            if row.values.iter().all(|v| v.trim().is_empty()) {
                continue;
            }
            let values = if row.values.len() < row.names.len() {
                // A row missing fields: put them back where that is
                // unambiguous, else report it; never read a value under
                // another column's name.
                match self.realigner.realign(row.line, &row.values) {
                    Outcome::Realigned(values) => values,
                    Outcome::Unreadable(message) => {
                        self.skipped.push(row.line, None, message);
                        continue;
                    }
                }
            } else {
                self.realigner.learn(&row.values);
                row.values
            };
            if let Err((field, message)) = self.convert(row.line, &values) {
                self.skipped.push(row.line, field, message);
            }
        }
    }
}

/// `17850.0` -> `17850`; e-mail addresses lower-cased.
fn normalize_customer(s: &str) -> String {
    let s = s.trim();
    if let Some((int, frac)) = s.split_once('.') {
        if !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && !frac.is_empty()
            && frac.bytes().all(|b| b == b'0')
        {
            return int.to_string();
        }
    }
    if s.contains('@') {
        return s.to_lowercase();
    }
    s.to_string()
}

/// Parses the date formats order exports use into Unix seconds (UTC when the
/// text names no zone): `2010-12-01 08:26:00`, `2010-12-01 08:26`,
/// `12/1/2010 8:26` (month first unless the first number is over 12),
/// `01.12.2010`, ISO 8601 / RFC 3339 with a zone, Shopify's
/// `2023-01-05 10:22:31 -0500`, `2010-12-01`, and Unix seconds or milliseconds.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && s.len() >= 9 {
        let n: i64 = s.parse().ok()?;
        return Some(if s.len() >= 12 { n / 1000 } else { n });
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp());
    }
    for f in
        ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M %z"]
    {
        if let Ok(dt) = DateTime::parse_from_str(s, f) {
            return Some(dt.timestamp());
        }
    }
    let s = s.trim_end_matches(" UTC").trim_end_matches('Z').trim_end_matches(" GMT");
    for f in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some(dt.and_utc().timestamp());
        }
    }
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
        }
    }
    // Slashes: month first (US) unless the first number cannot be a month.
    if s.contains('/') {
        let first: u32 = s.split('/').next()?.trim().parse().ok()?;
        let day_first = first > 12;
        let (dt_fmts, d_fmts): (&[&str], &[&str]) = if day_first {
            (&["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%y %H:%M"], &["%d/%m/%Y", "%d/%m/%y"])
        } else {
            (&["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M"], &["%m/%d/%Y", "%m/%d/%y"])
        };
        for f in dt_fmts {
            if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
                return Some(dt.and_utc().timestamp());
            }
        }
        for f in d_fmts {
            if let Ok(d) = NaiveDate::parse_from_str(s, f) {
                return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
            }
        }
        return None;
    }
    for f in ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return Some(dt.and_utc().timestamp());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_date(s: &str, expect: Option<i64>) {
        assert_eq!(parse_datetime(s), expect, "{s:?}");
    }

    #[test]
    fn parses_dates() {
        let t = 1291191960; // 2010-12-01 08:26:00 UTC
        check_date("2010-12-01 08:26:00", Some(t));
        check_date("2010-12-01 08:26", Some(t));
        check_date("12/1/2010 8:26", Some(t));
        check_date("2010-12-01T08:26:00Z", Some(t));
        check_date("2010-12-01T09:26:00+01:00", Some(t));
        check_date("2010-12-01 03:26:00 -0500", Some(t));
        check_date("2010-12-01", Some(t - 8 * 3600 - 26 * 60));
        check_date("13/12/2010", Some(1292198400));
        check_date("01.12.2010 08:26", Some(t));
        check_date("1291191960", Some(t));
        check_date("yesterday", None);
        check_date("", None);
    }

    #[test]
    fn normalizes_customers() {
        assert_eq!(normalize_customer("17850.0"), "17850");
        assert_eq!(normalize_customer("17850"), "17850");
        assert_eq!(normalize_customer("A.0"), "A.0");
        assert_eq!(normalize_customer("Jo@Example.com"), "jo@example.com");
    }
}
