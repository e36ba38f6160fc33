//! Per-format conversion of one row into `RowData`: which column is the
//! handle, the price, the options; value parsing (prices, quantities, tags,
//! status) with problems recorded as quality issues on the product rather
//! than dropped.

use std::sync::Arc;

use model::{Currency, Money, ProductStatus, QualityIssue};

use super::Row;
use crate::mapping::{norm_column, Columns, Mapping, Target};
use crate::normalize::product::{issue, DraftVariant};
use crate::{Error, Format, Result};

/// One row's contribution to a product.
#[derive(Debug, Default)]
pub(crate) struct RowData {
    pub line: u64,
    pub handle: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub description_is_html: bool,
    pub vendor: Option<String>,
    pub category: Option<String>,
    pub gender: Option<String>,
    pub image_url: Option<String>,
    pub status: Option<ProductStatus>,
    pub tags: Vec<String>,
    pub attributes: Vec<(String, String)>,
    pub issues: Vec<QualityIssue>,
    /// `None` for Shopify's image-only rows.
    pub variant: Option<DraftVariant>,
    pub inventory_tracked: bool,
    /// The file names no handle or id: the handle is the title's slug, so rows with the same
    /// title become one product (said in a `grouped_by_title` warning).
    pub grouped_by_title: bool,
}

const CATALOG_TARGETS: [Target; 18] = [
    Target::Handle,
    Target::Sku,
    Target::Title,
    Target::Description,
    Target::Vendor,
    Target::Category,
    Target::Tags,
    Target::Price,
    Target::CompareAtPrice,
    Target::Currency,
    Target::Inventory,
    Target::ImageUrl,
    Target::Gender,
    Target::Metal,
    Target::Stone,
    Target::Size,
    Target::Status,
    Target::Grams,
];

fn shopify_synonyms(t: &Target) -> &'static [&'static str] {
    match t {
        Target::Handle => &["handle"],
        Target::Sku => &["variant sku"],
        Target::Title => &["title"],
        Target::Description => &["body (html)", "body html", "body"],
        Target::Vendor => &["vendor"],
        Target::Category => {
            &["type", "product type", "product category", "standard product type", "custom product type"]
        }
        Target::Tags => &["tags"],
        Target::Price => &["variant price"],
        Target::CompareAtPrice => &["variant compare at price"],
        Target::Inventory => &["variant inventory qty", "inventory qty"],
        Target::ImageUrl => &["image src"],
        Target::Status => &["status"],
        Target::Grams => &["variant grams"],
        Target::Gender => &["google shopping / gender", "gender"],
        _ => &[],
    }
}

fn google_synonyms(t: &Target) -> &'static [&'static str] {
    match t {
        Target::Handle => &["item group id"],
        Target::Sku => &["id"],
        Target::Title => &["title"],
        Target::Description => &["description"],
        Target::Vendor => &["brand"],
        Target::Category => &["product type", "google product category"],
        Target::Price => &["price"],
        Target::ImageUrl => &["image link"],
        Target::Gender => &["gender"],
        Target::Metal => &["material"],
        Target::Size => &["size"],
        Target::Status => &["availability"],
        _ => &[],
    }
}

/// Columns resolved for one header: the names, the targets, the extras.
type Resolved = (Arc<Vec<String>>, Arc<Columns>, Arc<ShopifyCols>);

pub(crate) struct Converter {
    format: Format,
    mapping: Mapping,
    currency: Currency,
    /// Columns resolved for the last header seen (one per delimited file).
    cache: Option<Resolved>,
    /// Shopify writes option names on a product's first row only.
    option_names: [Option<String>; 3],
    last_handle: String,
}

#[derive(Clone, Default)]
struct ShopifyCols {
    /// (name column, value column) for Option1..3.
    options: [(Option<usize>, Option<usize>); 3],
    published: Option<usize>,
    variant_image: Option<usize>,
    /// Google: `sale_price`, and option-like columns.
    sale_price: Option<usize>,
    google_options: Vec<(String, usize)>,
    /// Generic: `options.NAME` / `option:NAME` columns.
    named_options: Vec<(String, usize)>,
}

impl Converter {
    /// Whether a product's first row carries its title and description and
    /// the next rows only variants (Shopify's layout).
    pub(crate) fn heads_products(&self) -> bool {
        self.format == Format::Shopify
    }

    pub(crate) fn new(
        format: Format,
        mapping: Mapping,
        currency: Currency,
        header: Option<Arc<Vec<String>>>,
    ) -> Result<Converter> {
        let mut conv = Converter {
            format,
            mapping,
            currency,
            cache: None,
            option_names: Default::default(),
            last_handle: String::new(),
        };
        if let Some(h) = header {
            conv.resolve(&h, true)?;
        }
        Ok(conv)
    }

    /// The handle a row names in the handle column, if the mapping has one
    /// and the row reaches it; for rows that could not be read whole.
    pub(crate) fn handle_of(&mut self, row: &Row) -> Option<String> {
        let fresh = !matches!(&self.cache, Some((names, _, _)) if Arc::ptr_eq(names, &row.names));
        if fresh {
            self.resolve(&row.names, false).ok()?;
        }
        let (_, cols, _) = self.cache.as_ref()?;
        let handle = normalize_handle(cols.get(&Target::Handle, &row.values)?);
        (!handle.is_empty()).then_some(handle)
    }

    fn resolve(&mut self, names: &Arc<Vec<String>>, strict: bool) -> Result<()> {
        let synonyms: fn(&Target) -> &'static [&'static str] = match self.format {
            Format::Shopify => shopify_synonyms,
            Format::Google => google_synonyms,
            _ => Target::synonyms,
        };
        let mut cols = Columns::resolve_with(names, &self.mapping, &CATALOG_TARGETS, 1, strict, synonyms)?;
        let normed: Vec<String> = names.iter().map(|n| norm_column(n)).collect();
        let find = |n: &str| normed.iter().position(|x| x == n);
        let mut extra = ShopifyCols::default();
        match self.format {
            Format::Shopify => {
                if !cols.has(&Target::Handle) && strict {
                    return Err(Error::MissingColumn {
                        line: 1,
                        column: "Handle".to_string(),
                        why: "every Shopify product export has it".to_string(),
                        header: crate::mapping::header_list(names),
                    });
                }
                for i in 0..3 {
                    extra.options[i] =
                        (find(&format!("option{} name", i + 1)), find(&format!("option{} value", i + 1)));
                }
                extra.published = find("published");
                extra.variant_image = find("variant image");
            }
            Format::Google => {
                if !cols.has(&Target::Handle) {
                    if let Some(id) = find("id") {
                        cols.by_target.push((Target::Handle, id));
                    }
                }
                extra.sale_price = find("sale price");
                for name in ["color", "size", "material", "pattern", "age group"] {
                    if let Some(i) = find(name) {
                        extra.google_options.push((name.replace(' ', "_"), i));
                    }
                }
            }
            Format::Csv | Format::Jsonl => {
                for (i, n) in names.iter().enumerate() {
                    let t = n.trim();
                    let name = t
                        .strip_prefix("options.")
                        .or_else(|| t.strip_prefix("option:"))
                        .or_else(|| t.strip_prefix("option."));
                    if let Some(name) = name.filter(|s| !s.is_empty()) {
                        extra.named_options.push((name.to_string(), i));
                    }
                }
            }
        }
        let special: Vec<usize> = extra
            .options
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .flatten()
            .chain(extra.published)
            .chain(extra.variant_image)
            .chain(extra.sale_price)
            .chain(extra.google_options.iter().map(|(_, i)| *i))
            .chain(extra.named_options.iter().map(|(_, i)| *i))
            .collect();
        cols.unmapped.retain(|i| !special.contains(i));
        self.cache = Some((names.clone(), Arc::new(cols), Arc::new(extra)));
        Ok(())
    }

    /// The columns resolved for the last header, if any.
    pub(crate) fn columns(&self) -> Option<&Columns> {
        self.cache.as_ref().map(|(_, cols, _)| cols.as_ref())
    }

    /// Converts a row; `Ok(None)` for a blank row, `Err((field, message))`
    /// for a row that must be skipped.
    pub(crate) fn convert(
        &mut self,
        row: Row,
    ) -> std::result::Result<Option<RowData>, (Option<String>, String)> {
        if row.values.iter().all(|v| v.trim().is_empty()) {
            return Ok(None);
        }
        let fresh = !matches!(&self.cache, Some((names, _, _)) if Arc::ptr_eq(names, &row.names));
        if fresh {
            self.resolve(&row.names, false).map_err(|e| (None, e.to_string()))?;
        }
        let Some((_, cols, extra)) = &self.cache else {
            return Err((None, "no header".to_string()));
        };
        let (cols, extra) = (cols.clone(), extra.clone());
        let v = &row.values;
        let get = |t: Target| cols.get(&t, v).map(str::to_string);
        let at = |i: Option<usize>| {
            i.and_then(|i| v.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty()).map(str::to_string)
        };
        let line = row.line;
        let mut d = RowData { line, inventory_tracked: cols.has(&Target::Inventory), ..RowData::default() };

        let currency = match get(Target::Currency) {
            Some(c) => match Currency::parse(&c) {
                Ok(c) => c,
                Err(e) => {
                    d.issues.push(issue(
                        "bad_value",
                        format!("line {line}: currency {c:?}: {e}; using {}", self.currency),
                        Some(line),
                        Some("currency"),
                    ));
                    self.currency
                }
            },
            None => self.currency,
        };
        let money = |t: Target, text: Option<String>, issues: &mut Vec<QualityIssue>| -> Option<Money> {
            let text = text?;
            match Money::parse(&text, currency) {
                Ok(m) if m.minor >= 0 => Some(m),
                Ok(_) => {
                    issues.push(issue(
                        "bad_price",
                        format!("line {line}: column {}: negative price {text:?} ignored", t.name()),
                        Some(line),
                        Some(&t.name()),
                    ));
                    None
                }
                Err(e) => {
                    issues.push(issue(
                        "bad_price",
                        format!("line {line}: column {}: {e}; expected a price like 1650.00", t.name()),
                        Some(line),
                        Some(&t.name()),
                    ));
                    None
                }
            }
        };

        let sku = get(Target::Sku).unwrap_or_default();
        let title = get(Target::Title);
        let handle = match (self.format, get(Target::Handle)) {
            (_, Some(h)) => normalize_handle(&h),
            (Format::Shopify, None) => {
                return Err((Some("handle".into()), format!("line {line}: the Handle column is empty")))
            }
            (_, None) if row.names.iter().any(|n| n == super::source::GROUP_KEY) => {
                let group =
                    row.names.iter().position(|n| n == super::source::GROUP_KEY).and_then(|i| v.get(i));
                match &title {
                    Some(t) if !slug(t).is_empty() => slug(t),
                    _ => group.cloned().unwrap_or_default(),
                }
            }
            (_, None) if !sku.is_empty() => sku.clone(),
            (_, None) => match &title {
                Some(t) if !slug(t).is_empty() => {
                    d.grouped_by_title = true;
                    slug(t)
                }
                _ => {
                    return Err((
                        None,
                        format!("line {line}: no handle, SKU or title: nothing identifies this row"),
                    ))
                }
            },
        };
        if handle.is_empty() {
            return Err((
                Some("handle".into()),
                format!("line {line}: the handle is empty after normalization"),
            ));
        }
        d.title = title;
        d.description = get(Target::Description);
        d.description_is_html = self.format == Format::Shopify;
        d.vendor = get(Target::Vendor);
        d.category = get(Target::Category);
        d.gender = get(Target::Gender);
        d.image_url = get(Target::ImageUrl);
        d.tags = get(Target::Tags).map(|t| split_tags(&t)).unwrap_or_default();
        d.status = get(Target::Status).and_then(|s| parse_status(&s));
        if d.status.is_none() {
            if let Some(p) = at(extra.published) {
                if matches!(p.to_ascii_lowercase().as_str(), "false" | "no" | "0") {
                    d.status = Some(ProductStatus::Draft);
                }
            }
        }
        for &i in &cols.unmapped {
            if let (Some(name), Some(value)) = (row.names.get(i), at(Some(i))) {
                if name == super::source::GROUP_KEY {
                    continue;
                }
                d.attributes.push((name.trim().to_string(), value));
            }
        }

        // Options.
        let mut options: Vec<(String, String)> = Vec::new();
        if self.format == Format::Shopify {
            if handle != self.last_handle {
                self.option_names = Default::default();
            }
            for (i, (name_col, value_col)) in extra.options.iter().enumerate() {
                if let Some(n) = at(*name_col) {
                    self.option_names[i] = Some(n);
                }
                if let Some(value) = at(*value_col) {
                    let name = self.option_names[i].clone().unwrap_or_else(|| format!("Option{}", i + 1));
                    if !(name == "Title" && value == "Default Title") {
                        options.push((name, value));
                    }
                }
            }
        }
        for (t, _) in self.mapping.pairs() {
            if let Target::Option(name) = t {
                if let Some(value) = get(t.clone()) {
                    options.push((name.clone(), value));
                }
            }
        }
        for (name, i) in extra.google_options.iter().chain(&extra.named_options) {
            if let Some(value) = at(Some(*i)) {
                if self.format != Format::Google || get(Target::Handle) != get(Target::Sku) {
                    options.push((name.clone(), value));
                }
            }
        }
        self.last_handle.clone_from(&handle);

        let mut price = money(Target::Price, get(Target::Price), &mut d.issues);
        let mut compare = money(Target::CompareAtPrice, get(Target::CompareAtPrice), &mut d.issues);
        if let Some(sale) = money(Target::Price, at(extra.sale_price), &mut d.issues) {
            compare = price.or(compare);
            price = Some(sale);
        }
        let inventory = match get(Target::Inventory) {
            Some(s) => match parse_int(&s) {
                Some(n) => Some(n),
                None => {
                    d.issues.push(issue(
                        "bad_value",
                        format!("line {line}: column inventory: {s:?} is not a whole number"),
                        Some(line),
                        Some("inventory"),
                    ));
                    None
                }
            },
            None => None,
        };
        let grams = get(Target::Grams).and_then(|text| {
            let g = text.replace(',', ".").parse::<f64>().ok().filter(|g| g.is_finite() && *g >= 0.0);
            if g.is_none() {
                d.issues.push(issue(
                    "bad_value",
                    format!("line {line}: column grams: {text:?} is not a weight in grams"),
                    Some(line),
                    Some("grams"),
                ));
            }
            g
        });
        let variant_image = at(extra.variant_image);
        let metal = get(Target::Metal);
        let stone = get(Target::Stone);
        let size = get(Target::Size);
        let has_variant = !sku.is_empty()
            || price.is_some()
            || compare.is_some()
            || !options.is_empty()
            || inventory.is_some()
            || metal.is_some()
            || stone.is_some()
            || size.is_some()
            || d.title.is_some()
            || d.issues.iter().any(|i| i.code == "bad_price");
        if self.format != Format::Shopify || has_variant {
            d.variant = Some(DraftVariant {
                sku,
                price,
                compare_at_price: compare,
                options,
                metal,
                stone,
                size,
                inventory,
                grams,
                image_url: variant_image,
                line,
                row: row_hash(v),
            });
        }
        d.handle = handle;
        Ok(Some(d))
    }
}

/// A hash of a row's values (SipHash with fixed keys: the same row always hashes the same).
fn row_hash(values: &[String]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    values.hash(&mut h);
    h.finish()
}

/// A handle as given, or the last path segment of a product URL
/// (`https://shop/earrings/the-indu-earrings~37454.html?x=1` ->
/// `the-indu-earrings~37454`).
pub(crate) fn normalize_handle(h: &str) -> String {
    let h = h.trim();
    if h.starts_with("http://") || h.starts_with("https://") {
        let no_query = h.split(['?', '#']).next().unwrap_or(h);
        let last = no_query.trim_end_matches('/').rsplit('/').next().unwrap_or(no_query);
        let last = last.strip_suffix(".html").or_else(|| last.strip_suffix(".htm")).unwrap_or(last);
        return last.to_string();
    }
    h.to_string()
}

/// `Love Ring, 18K` -> `love-ring-18k`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() > 120 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

pub(crate) fn split_tags(s: &str) -> Vec<String> {
    let sep = if s.contains(',') {
        ','
    } else if s.contains(';') {
        ';'
    } else if s.contains('|') {
        '|'
    } else {
        ','
    };
    let mut out: Vec<String> = Vec::new();
    for t in s.split(sep) {
        let t = t.trim();
        if !t.is_empty() && !out.iter().any(|x| x == t) {
            out.push(t.to_string());
        }
    }
    out
}

fn parse_status(s: &str) -> Option<ProductStatus> {
    match s.trim().to_ascii_lowercase().as_str() {
        "active" | "in stock" | "in_stock" | "available" | "published" | "preorder" | "backorder"
        | "out of stock" | "out_of_stock" => Some(ProductStatus::Active),
        "draft" | "unpublished" | "hidden" => Some(ProductStatus::Draft),
        "archived" | "discontinued" | "deleted" => Some(ProductStatus::Archived),
        _ => None,
    }
}

/// `5`, `-3`, `5.0`, `1,200` -> integer; `5.5` or text -> None.
pub(crate) fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim().replace([',', '_', ' '], "");
    if let Ok(n) = t.parse::<i64>() {
        return Some(n);
    }
    let f: f64 = t.parse().ok()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_values() {
        assert_eq!(normalize_handle(" B4084600"), "B4084600");
        assert_eq!(
            normalize_handle(
                "https://www.bluestone.com/earrings/the-indu-sui-dhaga-earrings~37454.html?impEvent=x"
            ),
            "the-indu-sui-dhaga-earrings~37454"
        );
        assert_eq!(slug("Love Ring, 18K"), "love-ring-18k");
        assert_eq!(split_tags("yellow gold, diamonds, "), vec!["yellow gold", "diamonds"]);
        assert_eq!(parse_int("6.0"), Some(6));
        assert_eq!(parse_int("-3"), Some(-3));
        assert_eq!(parse_int("5.5"), None);
        assert_eq!(parse_int("1e300"), None);
    }
}
