//! Column mappings: `--map target=source` pairs naming which input column
//! feeds which field, plus the column names each target is recognised by when
//! the user gives no mapping.

use crate::{Error, Result};

/// A field a column can feed. One enum serves catalog, orders and inventory
/// files; each reader uses the targets that concern it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    // Catalog.
    Handle,
    Sku,
    Title,
    Description,
    Vendor,
    Category,
    Tags,
    Price,
    CompareAtPrice,
    Currency,
    Inventory,
    ImageUrl,
    Gender,
    Metal,
    Stone,
    Size,
    Status,
    Grams,
    /// A variant option, `option:NAME`.
    Option(String),
    // Orders.
    OrderId,
    OrderedAt,
    CustomerId,
    Quantity,
    UnitPrice,
    Country,
    // Inventory.
    Location,
    OnHand,
    OnOrder,
    LeadTimeDays,
    UnitCost,
    AsOf,
}

const NAMES: &[(&str, Target)] = &[
    ("handle", Target::Handle),
    ("sku", Target::Sku),
    ("title", Target::Title),
    ("description", Target::Description),
    ("vendor", Target::Vendor),
    ("category", Target::Category),
    ("tags", Target::Tags),
    ("price", Target::Price),
    ("compare_at_price", Target::CompareAtPrice),
    ("currency", Target::Currency),
    ("inventory", Target::Inventory),
    ("image_url", Target::ImageUrl),
    ("gender", Target::Gender),
    ("metal", Target::Metal),
    ("stone", Target::Stone),
    ("size", Target::Size),
    ("status", Target::Status),
    ("grams", Target::Grams),
    ("order_id", Target::OrderId),
    ("ordered_at", Target::OrderedAt),
    ("customer_id", Target::CustomerId),
    ("quantity", Target::Quantity),
    ("unit_price", Target::UnitPrice),
    ("country", Target::Country),
    ("location", Target::Location),
    ("on_hand", Target::OnHand),
    ("on_order", Target::OnOrder),
    ("lead_time_days", Target::LeadTimeDays),
    ("unit_cost", Target::UnitCost),
    ("as_of", Target::AsOf),
];

impl Target {
    /// Parses a target name as written in `--map` (`price`, `option:Metal`).
    pub fn parse(s: &str) -> Option<Target> {
        let s = s.trim();
        if let Some(name) = s.strip_prefix("option:") {
            let name = name.trim();
            return (!name.is_empty()).then(|| Target::Option(name.to_string()));
        }
        let lower = s.to_ascii_lowercase().replace(['-', ' '], "_");
        NAMES.iter().find(|(n, _)| *n == lower).map(|(_, t)| t.clone())
    }

    pub fn name(&self) -> String {
        match self {
            Target::Option(n) => format!("option:{n}"),
            t => NAMES.iter().find(|(_, x)| x == t).map(|(n, _)| n.to_string()).unwrap_or_default(),
        }
    }

    /// Column names (compared after [`norm_column`]) that feed this target
    /// when no mapping says otherwise.
    pub(crate) fn synonyms(&self) -> &'static [&'static str] {
        match self {
            Target::Handle => {
                &["handle", "slug", "url handle", "product handle", "item group id", "parent sku", "group id"]
            }
            Target::Sku => &[
                "sku",
                "variant sku",
                "stockcode",
                "stock code",
                "item sku",
                "product code",
                "article number",
                "mpn",
                "id",
                "product id",
                "item id",
                // Reference numbers, as jewellers' and marketplaces' exports name them.
                "ref",
                "ref no",
                "ref number",
                "reference",
                "reference number",
                "reference code",
                "référence",
                "referencia",
                "riferimento",
                "item number",
                "item no",
                "item code",
                "article no",
                "article code",
                "artikelnummer",
                "art nr",
                "model number",
                "model no",
                "style number",
                "style no",
                "product sku",
                "codice",
                "código",
            ],
            Target::Title => &["title", "name", "product name", "product title", "item name", "product"],
            Target::Description => &[
                "description",
                "body",
                "body html",
                "body (html)",
                "long description",
                "details",
                "product description",
            ],
            Target::Vendor => &["vendor", "brand", "manufacturer", "designer"],
            Target::Category => &[
                "category",
                "type",
                "product type",
                "product category",
                "category code",
                "google product category",
                "categorie",
                "kategorie",
            ],
            Target::Tags => &["tags", "keywords", "labels"],
            Target::Price => &[
                "price",
                "variant price",
                "sale price",
                "retail price",
                "price usd",
                "unit price",
                "regular price",
                "new price",
                "mrp",
            ],
            Target::CompareAtPrice => &[
                "compare at price",
                "compare_at_price",
                "variant compare at price",
                "original price",
                "old price",
                "list price",
            ],
            Target::Currency => &["currency", "currency code"],
            Target::Inventory => &[
                "inventory",
                "inventory qty",
                "variant inventory qty",
                "stock",
                "qty",
                "quantity",
                "on hand",
                "available",
            ],
            Target::ImageUrl => &[
                "image",
                "image url",
                "image src",
                "image link",
                "image_link",
                "picture",
                "photo",
                "img",
                "thumbnail",
            ],
            Target::Gender => &["gender", "sex", "target gender"],
            Target::Metal => &["metal", "material", "main metal", "metal type", "main_metal"],
            Target::Stone => &["stone", "gem", "gemstone", "main gem", "main stone", "main_gem"],
            Target::Size => &["size", "ring size", "length"],
            Target::Status => &["status", "availability"],
            Target::Grams => &["grams", "weight", "variant grams", "weight grams", "weight (g)"],
            Target::Option(_) => &[],
            Target::OrderId => &[
                "order id",
                "order_id",
                "invoiceno",
                "invoice no",
                "invoice",
                "order",
                "order number",
                "name",
                "invoice number",
            ],
            Target::OrderedAt => &[
                "ordered at",
                "ordered_at",
                "invoicedate",
                "invoice date",
                "created at",
                "order date",
                "date",
                "created",
                "timestamp",
            ],
            Target::CustomerId => &[
                "customer id",
                "customer_id",
                "customerid",
                "customer",
                "email",
                "customer email",
                "client id",
            ],
            Target::Quantity => &["quantity", "qty", "lineitem quantity", "units"],
            Target::UnitPrice => {
                &["unit price", "unit_price", "unitprice", "lineitem price", "price", "item price"]
            }
            Target::Country => &["country", "billing country", "shipping country", "country code"],
            Target::Location => &["location", "warehouse", "store", "site"],
            Target::OnHand => {
                &["on hand", "on_hand", "available", "quantity", "qty", "stock", "inventory", "inventory qty"]
            }
            Target::OnOrder => &["on order", "on_order", "incoming", "inbound"],
            Target::LeadTimeDays => &["lead time days", "lead_time_days", "lead time", "leadtime"],
            Target::UnitCost => &["unit cost", "unit_cost", "cost", "cost per item"],
            Target::AsOf => &["as of", "as_of", "date", "snapshot date", "updated at"],
        }
    }
}

/// Lower-cases a column name and folds `_`, `-` and repeated spaces into one
/// space, so `Variant_SKU`, `variant-sku` and ` Variant SKU ` compare equal.
pub(crate) fn norm_column(s: &str) -> String {
    let s = s.trim().trim_start_matches('\u{feff}');
    let s = s.strip_prefix("g:").unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = if c == '_' || c == '-' { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out.trim_end().to_string()
}

/// User-given `target=source` pairs, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    pairs: Vec<(Target, String)>,
}

impl Mapping {
    /// Parses `target=source` strings (`price=Retail Price`, `option:Metal=metal_type`).
    pub fn parse(pairs: &[String]) -> Result<Mapping> {
        let mut out = Mapping::default();
        for pair in pairs {
            let bad = |reason: String| Error::BadMapping { pair: pair.clone(), reason };
            let (target, source) = pair
                .split_once('=')
                .ok_or_else(|| bad("expected target=source, e.g. sku=StockCode".to_string()))?;
            let source = source.trim();
            if source.is_empty() {
                return Err(bad("the source column name is empty".to_string()));
            }
            let target = Target::parse(target).ok_or_else(|| {
                let names: Vec<&str> = NAMES.iter().map(|(n, _)| *n).collect();
                bad(format!(
                    "unknown target {:?}; expected one of {}, or option:NAME",
                    target.trim(),
                    names.join(", ")
                ))
            })?;
            if out.pairs.iter().any(|(t, _)| *t == target) {
                return Err(bad(format!("target {} is mapped twice", target.name())));
            }
            out.pairs.push((target, source.to_string()));
        }
        Ok(out)
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    pub fn pairs(&self) -> &[(Target, String)] {
        &self.pairs
    }
}

/// Which column (by index) feeds which target, resolved once per header.
#[derive(Clone, Debug, Default)]
pub(crate) struct Columns {
    pub(crate) by_target: Vec<(Target, usize)>,
    /// Indexes of columns that feed no target: kept as raw attributes.
    pub(crate) unmapped: Vec<usize>,
}

impl Columns {
    /// Resolves `targets` against `header`: explicit mapping first (a missing
    /// mapped column is an error), then each target's column names. With
    /// `strict` off (JSON Lines, XML: keys vary by row), a mapped column that
    /// is absent is simply empty.
    pub(crate) fn resolve_with(
        header: &[String],
        mapping: &Mapping,
        targets: &[Target],
        line: u64,
        strict: bool,
        synonyms: impl Fn(&Target) -> &'static [&'static str],
    ) -> Result<Columns> {
        let normed: Vec<String> = header.iter().map(|h| norm_column(h)).collect();
        let mut used = vec![false; header.len()];
        let mut by_target = Vec::new();
        for (target, source) in mapping.pairs() {
            let want = norm_column(source);
            let found = header
                .iter()
                .position(|h| h.trim() == source.trim())
                .or_else(|| normed.iter().position(|h| *h == want));
            let idx = match found {
                Some(i) => i,
                None if !strict => continue,
                None => {
                    return Err(Error::MissingColumn {
                        line,
                        column: source.clone(),
                        why: format!("mapped to {} by --map", target.name()),
                        header: header_list(header),
                    })
                }
            };
            used[idx] = true;
            by_target.push((target.clone(), idx));
        }
        for target in targets {
            if by_target.iter().any(|(t, _)| t == target) {
                continue;
            }
            let found = synonyms(target)
                .iter()
                .find_map(|syn| normed.iter().enumerate().position(|(i, h)| !used[i] && h == syn));
            if let Some(idx) = found {
                used[idx] = true;
                by_target.push((target.clone(), idx));
            }
        }
        let unmapped = (0..header.len()).filter(|&i| !used[i] && !header[i].trim().is_empty()).collect();
        Ok(Columns { by_target, unmapped })
    }

    pub(crate) fn get<'r>(&self, target: &Target, row: &'r [String]) -> Option<&'r str> {
        let idx = self.by_target.iter().find(|(t, _)| t == target)?.1;
        row.get(idx).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    pub(crate) fn has(&self, target: &Target) -> bool {
        self.by_target.iter().any(|(t, _)| t == target)
    }
}

/// Header names given to more than one column (compared as the column
/// resolution does), each as `(name, message)` saying which column is read
/// and that `others` happens to the rest.
pub(crate) fn duplicate_columns(header: &[String], cols: &Columns, others: &str) -> Vec<(String, String)> {
    let normed: Vec<String> = header.iter().map(|h| norm_column(h)).collect();
    let mut out = Vec::new();
    for (first, name) in normed.iter().enumerate() {
        if name.is_empty() || normed[..first].contains(name) {
            continue;
        }
        let at: Vec<usize> = (first..normed.len()).filter(|&i| normed[i] == *name).collect();
        if at.len() < 2 {
            continue;
        }
        let numbers: Vec<String> = at.iter().map(|i| (i + 1).to_string()).collect();
        let used = cols.by_target.iter().find(|(_, i)| at.contains(i));
        let what = match used {
            Some((target, i)) => format!("column {} is read as {}; {others}", i + 1, target.name()),
            None => format!("none is read as a catalog field; {others}"),
        };
        let shown = header[first].trim();
        out.push((
            shown.to_string(),
            format!(
                "line 1: columns {} are {} named {shown:?}: {what}",
                numbers.join(", "),
                if at.len() == 2 { "both" } else { "all" }
            ),
        ));
    }
    out
}

pub(crate) fn header_list(header: &[String]) -> String {
    let mut s: String = header.iter().map(|h| format!("{:?}", h.trim())).collect::<Vec<_>>().join(", ");
    if s.len() > 300 {
        let mut cut = 300;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push_str(", ...");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs() {
        let m = Mapping::parse(&["sku=StockCode".into(), "option:Metal=metal type".into()]).unwrap();
        assert_eq!(m.pairs()[0], (Target::Sku, "StockCode".to_string()));
        assert_eq!(m.pairs()[1], (Target::Option("Metal".into()), "metal type".to_string()));
    }

    #[track_caller]
    fn check_err(pair: &str, expect: &str) {
        let err = Mapping::parse(&[pair.to_string()]).unwrap_err().to_string();
        assert!(err.contains(expect), "{err}");
    }

    #[test]
    fn rejects_bad_pairs() {
        check_err("sku", "expected target=source");
        check_err("pricee=Price", "unknown target \"pricee\"");
        check_err("sku=", "empty");
        let err = Mapping::parse(&["sku=a".into(), "sku=b".into()]).unwrap_err().to_string();
        assert!(err.contains("mapped twice"), "{err}");
    }

    #[test]
    fn resolves_columns_by_mapping_then_synonyms() {
        let header: Vec<String> =
            [" ref", "Title", "Variant_Price", "extra"].iter().map(|s| s.to_string()).collect();
        let m = Mapping::parse(&["handle=ref".into()]).unwrap();
        let cols = Columns::resolve_with(
            &header,
            &m,
            &[Target::Handle, Target::Title, Target::Price],
            1,
            true,
            Target::synonyms,
        )
        .unwrap();
        assert_eq!(cols.by_target, vec![(Target::Handle, 0), (Target::Title, 1), (Target::Price, 2)]);
        assert_eq!(cols.unmapped, vec![3]);
        let m = Mapping::parse(&["handle=nope".into()]).unwrap();
        let err = Columns::resolve_with(&header, &m, &[], 1, true, Target::synonyms).unwrap_err().to_string();
        assert!(err.starts_with("line 1: no column \"nope\" (mapped to handle by --map)"), "{err}");
    }
}
