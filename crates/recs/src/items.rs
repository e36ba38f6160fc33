//! The item index every model shares: products as dense indices with the
//! attributes the models and the reasons need, already normalized, and the
//! look-ups from id, handle and SKU.

use std::collections::HashMap;

use model::{
    Category, Currency, Finish, Gender, Metal, OrderLine, Product, ProductId, ProductStatus, Variant,
};

pub(crate) struct ItemInfo {
    pub id: ProductId,
    pub handle: String,
    pub title: String,
    /// SKUs of the variants that can be bought now.
    pub skus: Vec<String>,
    pub purchasable: bool,
    /// Lowest purchasable variant price in major units, else the median
    /// price paid in orders.
    pub price: Option<f64>,
    pub currency: Option<Currency>,
    pub category: Option<Category>,
    pub gender: Option<Gender>,
    pub collection: Option<String>,
    /// Readable metal labels (`14k yellow gold`, `sterling silver`).
    pub metals: Vec<String>,
    pub stones: Vec<String>,
    pub styles: Vec<String>,
    /// Bought again and again by the same customers (set during training
    /// from the orders; rings are never repeatable).
    pub repeatable: bool,
}

pub(crate) struct Items {
    pub info: Vec<ItemInfo>,
    pub by_id: HashMap<ProductId, u32>,
    pub by_handle: HashMap<String, u32>,
    pub by_sku: HashMap<String, u32>,
}

impl Items {
    pub fn build(products: &[Product], lines: &[OrderLine]) -> Items {
        let mut items = Items {
            info: Vec::with_capacity(products.len()),
            by_id: HashMap::with_capacity(products.len()),
            by_handle: HashMap::with_capacity(products.len()),
            by_sku: HashMap::with_capacity(products.len()),
        };
        for p in products {
            if items.by_id.contains_key(&p.id) {
                continue;
            }
            let ix = items.info.len() as u32;
            items.by_id.insert(p.id, ix);
            items.by_handle.entry(p.handle.clone()).or_insert(ix);
            for v in &p.variants {
                items.by_sku.entry(v.sku.clone()).or_insert(ix);
            }
            items.info.push(info_of(p));
        }
        // Prices paid, for products the catalog gives no price.
        let mut paid: HashMap<u32, Vec<f64>> = HashMap::new();
        let mut currency: HashMap<u32, Currency> = HashMap::new();
        for l in lines {
            let (Some(ix), Some(price)) = (items.sku(&l.sku), l.unit_price) else { continue };
            if items.info[ix as usize].price.is_none() && price.minor > 0 && l.quantity > 0 {
                paid.entry(ix).or_default().push(price.major());
                currency.entry(ix).or_insert(price.currency);
            }
        }
        for (ix, mut v) in paid {
            v.sort_by(|a, b| a.total_cmp(b));
            let info = &mut items.info[ix as usize];
            info.price = Some(v[v.len() / 2]);
            info.currency = currency.get(&ix).copied();
        }
        items
    }

    pub fn len(&self) -> usize {
        self.info.len()
    }

    pub fn sku(&self, sku: &str) -> Option<u32> {
        self.by_sku.get(sku).or_else(|| self.by_handle.get(sku)).copied()
    }

    /// Numeric id, handle or SKU.
    pub fn resolve(&self, key: &str) -> Option<u32> {
        let key = key.trim();
        if let Some(&ix) = self.by_handle.get(key) {
            return Some(ix);
        }
        if let Ok(id) = key.parse::<ProductId>() {
            if let Some(&ix) = self.by_id.get(&id) {
                return Some(ix);
            }
        }
        self.by_sku.get(key).copied()
    }
}

fn purchasable(v: &Variant) -> bool {
    v.inventory.is_none_or(|n| n > 0)
}

fn info_of(p: &Product) -> ItemInfo {
    let active = p.status == ProductStatus::Active;
    let mut skus: Vec<String> = p.variants.iter().filter(|v| purchasable(v)).map(|v| v.sku.clone()).collect();
    // An order-only product may have been stored without a variant; its
    // handle is its SKU.
    if p.variants.is_empty() && p.order_only {
        skus.push(p.handle.clone());
    }
    let prices = p.variants.iter().filter(|v| purchasable(v)).filter_map(|v| v.price).filter(|m| m.minor > 0);
    let cheapest = prices.min_by_key(|m| m.minor);
    let mut metals: Vec<String> = Vec::new();
    for m in p.metals() {
        let label = metal_label(&m);
        if !metals.contains(&label) {
            metals.push(label);
        }
    }
    let mut stones: Vec<String> = Vec::new();
    for s in p.stones() {
        let kind = s.kind.replace('_', " ");
        if !stones.contains(&kind) {
            stones.push(kind);
        }
    }
    let collection = p.collection.as_ref().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty());
    let styles = p.styles.iter().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
    ItemInfo {
        id: p.id,
        handle: p.handle.clone(),
        title: if p.title.trim().is_empty() { p.handle.clone() } else { p.title.trim().to_string() },
        purchasable: active && !skus.is_empty(),
        skus,
        price: cheapest.map(|m| m.major()),
        currency: cheapest.map(|m| m.currency),
        category: p.category.filter(|c| *c != Category::Other),
        gender: p.gender,
        collection,
        metals,
        stones,
        styles,
        repeatable: false,
    }
}

/// `14k yellow gold`, `sterling silver`, `gold vermeil`, `platinum`.
pub(crate) fn metal_label(m: &Metal) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(k) = m.karat {
        parts.push(format!("{k}k"));
    }
    if m.kind == "silver" && m.fineness == Some(925) {
        parts.push("sterling".into());
    }
    for c in &m.colors {
        parts.push(c.to_lowercase());
    }
    parts.push(m.kind.replace('_', " "));
    match m.finish {
        Some(Finish::Plated) => parts.push("plated".into()),
        Some(Finish::Vermeil) => parts.push("vermeil".into()),
        Some(Finish::GoldFilled) => parts.push("filled".into()),
        _ => {}
    }
    parts.join(" ")
}

/// Minimal products for the SKUs of `lines` that no product in `existing`
/// knows, as the store creates them on an orders import: handle = SKU, title
/// from the first line, one variant priced at the first price seen, ids
/// after the largest existing id. For evaluating on order files read outside
/// the store.
pub fn minimal_products(lines: &[OrderLine], existing: &[Product]) -> Vec<Product> {
    let mut known: std::collections::HashSet<&str> = existing
        .iter()
        .flat_map(|p| p.variants.iter().map(|v| v.sku.as_str()).chain([p.handle.as_str()]))
        .collect();
    let mut next = existing.iter().map(|p| p.id).max().unwrap_or(0) + 1;
    let mut out = Vec::new();
    for l in lines {
        if l.sku.is_empty() || known.contains(l.sku.as_str()) {
            continue;
        }
        known.insert(&l.sku);
        out.push(Product {
            id: next,
            handle: l.sku.clone(),
            title: l.title.clone().unwrap_or_else(|| l.sku.clone()),
            created_at: l.ordered_at,
            order_only: true,
            variants: vec![Variant {
                sku: l.sku.clone(),
                price: l.unit_price.filter(|m| m.minor > 0),
                ..Variant::default()
            }],
            ..Product::default()
        });
        next += 1;
    }
    out
}

/// `$150`, `£12`, `€80`, `1,200 INR`: whole units, for reasons.
pub(crate) fn money(amount: f64, currency: Option<Currency>) -> String {
    let whole = amount.round() as i64;
    let digits = group_thousands(whole);
    match currency.map(|c| c.as_str().to_string()).as_deref() {
        None | Some("USD") => format!("${digits}"),
        Some("GBP") => format!("£{digits}"),
        Some("EUR") => format!("€{digits}"),
        Some(code) => format!("{digits} {code}"),
    }
}

fn group_thousands(n: i64) -> String {
    let s = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_well() {
        assert_eq!(money(150.0, None), "$150");
        assert_eq!(money(1234.4, Some(Currency::GBP)), "£1,234");
        assert_eq!(money(88848.0, Some(Currency::INR)), "88,848 INR");
    }

    #[test]
    fn metal_labels() {
        let m =
            Metal { kind: "gold".into(), karat: Some(14), colors: vec!["yellow".into()], ..Metal::default() };
        assert_eq!(metal_label(&m), "14k yellow gold");
        let s = Metal { kind: "silver".into(), fineness: Some(925), ..Metal::default() };
        assert_eq!(metal_label(&s), "sterling silver");
    }
}
