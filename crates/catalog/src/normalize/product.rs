//! Assembles a normalized `Product` from the fields one import record (or a
//! group of Shopify rows) gave: which text wins for the category, how
//! product-level metals and stones fill in variants, the collection, and the
//! per-product quality issues.

use std::collections::BTreeMap;

use model::{Category, Metal, Money, Product, ProductStatus, QualityIssue, Size, Stone, Variant};

use super::html::{looks_like_html, strip_html};
use super::metal::{compatible, fill};
use super::size::parse_size;
use super::spec::{self, Spec};
use super::tokens::tokenize;
use super::{extract, items, ExtractCache, Field};
use crate::vocab::{Entry, SpecKey, Vocabulary};

/// A product as read, before normalization.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub handle: String,
    pub line: u64,
    pub title: String,
    pub description: String,
    /// The description is HTML by the format's definition (Shopify's Body (HTML)).
    pub description_is_html: bool,
    pub vendor: Option<String>,
    pub raw_category: Option<String>,
    pub tags: Vec<String>,
    pub gender: Option<String>,
    pub image_url: Option<String>,
    pub status: ProductStatus,
    pub variants: Vec<DraftVariant>,
    pub attributes: BTreeMap<String, String>,
    pub issues: Vec<QualityIssue>,
    /// The file has an inventory column, so a blank one is worth reporting.
    pub inventory_tracked: bool,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct DraftVariant {
    pub sku: String,
    pub price: Option<Money>,
    pub compare_at_price: Option<Money>,
    pub options: Vec<(String, String)>,
    pub metal: Option<String>,
    pub stone: Option<String>,
    pub size: Option<String>,
    pub inventory: Option<i64>,
    pub grams: Option<f64>,
    pub image_url: Option<String>,
    pub line: u64,
    /// A hash of the row's values as read: two rows are duplicates only when they are identical.
    pub row: u64,
}

pub(crate) fn issue(
    code: &str,
    message: impl Into<String>,
    line: Option<u64>,
    field: Option<&str>,
) -> QualityIssue {
    QualityIssue { code: code.to_string(), message: message.into(), line, field: field.map(str::to_string) }
}

/// What an option name says its values are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OptionKind {
    Metal,
    Stone,
    Size,
    Other,
}

fn option_kind(name: &str) -> OptionKind {
    let n = name.to_lowercase();
    let has = |ws: &[&str]| ws.iter().any(|w| n.contains(w));
    if has(&["size", "length", "größe", "taille", "länge", "longueur"]) {
        OptionKind::Size
    } else if has(&["metal", "material", "karat", "purity", "gold", "finish", "metall", "matière"]) {
        OptionKind::Metal
    } else if has(&["stone", "gem", "diamond", "pierre", "stein", "birthstone", "carat"]) {
        OptionKind::Stone
    } else {
        OptionKind::Other
    }
}

/// Merges metals read from different fields of one record: the same metal
/// seen twice fills in what the other did not say; different colours stay
/// different metals unless one list contains the other.
fn merge_metals(into: &mut Vec<Metal>, more: &[Metal]) {
    for m in more {
        let colors_fit = |a: &Metal| {
            a.colors.is_empty()
                || m.colors.is_empty()
                || m.colors.iter().all(|c| a.colors.contains(c))
                || a.colors.iter().all(|c| m.colors.contains(c))
        };
        match into.iter_mut().find(|a| compatible(a, m) && colors_fit(a)) {
            Some(a) => fill(a, m, true),
            None => into.push(m.clone()),
        }
    }
}

fn merge_stones(into: &mut Vec<Stone>, more: &[Stone]) {
    for s in more {
        match into.iter_mut().find(|a| a.kind == s.kind) {
            Some(a) => {
                a.origin = a.origin.or(s.origin);
                a.color = a.color.take().or_else(|| s.color.clone());
                // Fields repeat each other ("3 diamonds" in the title, "3
                // brilliant-cut diamonds totaling 0.22 carats" below); a
                // title's loose number ("3 diamond-paved rows") is the
                // smaller one, so the larger wins.
                a.carat = max_opt(a.carat, s.carat);
                a.count = a.count.max(s.count);
                a.clarity = a.clarity.take().or_else(|| s.clarity.clone());
                a.color_grade = a.color_grade.take().or_else(|| s.color_grade.clone());
            }
            None => into.push(s.clone()),
        }
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, y) => x.or(y),
    }
}

/// Fills a variant's own metals from the product-level ones of the same kind
/// (an option says "Yellow Gold", the description says "14K").
fn fill_from(variant: &mut [Metal], product: &[Metal]) {
    for v in variant.iter_mut() {
        if let Some(p) = product.iter().find(|p| compatible(v, p)) {
            fill(v, p, false);
        }
    }
}

fn attach_loose_carat(stones: &mut Vec<Stone>, loose: Option<f64>) {
    let Some(c) = loose else { return };
    match stones.as_mut_slice() {
        [] => stones.push(Stone { kind: "diamond".to_string(), carat: Some(c), ..Stone::default() }),
        [one] if one.carat.is_none() => one.carat = Some(c),
        _ => {}
    }
}

/// `collection:pearl`, `Collection_Love`, `Love Collection` -> the name.
fn collection_from_tags(tags: &[String]) -> Option<String> {
    for t in tags {
        let lower = t.trim().to_lowercase();
        for prefix in ["collection:", "collection_", "collection-", "collection "] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let rest = rest.trim();
                if !rest.is_empty() {
                    return Some(rest.to_string());
                }
            }
        }
        if let Some(rest) = lower.strip_suffix(" collection") {
            if !rest.trim().is_empty() {
                return Some(rest.trim().to_string());
            }
        }
    }
    None
}

/// A collection from a title's words before its category word ("Love ring",
/// "Juste un Clou bracelet"), unless they are ordinary vocabulary words
/// ("Gold hoop earrings", "Mini studs").
fn collection_from_title(title: &str, vocab: &Vocabulary) -> Option<String> {
    let tokens = tokenize(title);
    let its = items(&tokens, vocab);
    let cat_at = its
        .iter()
        .position(|it| it.has(|e| matches!(e, Entry::Category(_) | Entry::CategoryContextual(_))))?;
    if cat_at == 0 || cat_at > 6 {
        return None;
    }
    if its[1..=cat_at].iter().any(|it| it.brk == super::tokens::Brk::Hard) {
        return None;
    }
    let words = &its[..cat_at];
    // "The Indu Sui Dhaga Earrings" names one product, not a collection.
    if words.first().is_some_and(|w| matches!(w.text.as_str(), "the" | "a" | "an" | "our" | "my" | "this")) {
        return None;
    }
    if words.is_empty() || words.iter().all(|w| w.has(|e| matches!(e, Entry::CollectionStop))) {
        return None;
    }
    let ordinary = |w: &super::Item| {
        w.entries.iter().any(|e| !matches!(e, Entry::CollectionStop | Entry::Month(_)))
            || (w.number().is_some() && w.text.len() != 4)
            || super::tokens::split_number_suffix(&w.text).is_some()
    };
    if words.iter().any(ordinary) {
        return None;
    }
    let raw = &title[words[0].start..words[words.len() - 1].end];
    Some(fold(&raw.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// Lower case without accents, so `Étincelle` and `Etincelle` are one
/// collection.
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ý' | 'ÿ' => 'y',
            '’' | '‘' => '\'',
            c => c,
        };
        out.push(plain);
    }
    out
}

/// Normalizes a draft into a product (id 0: the store assigns ids).
pub(crate) fn build(draft: Draft, vocab: &Vocabulary, cache: &mut ExtractCache) -> Product {
    let Draft {
        handle,
        line,
        mut title,
        description,
        description_is_html,
        vendor,
        raw_category,
        tags,
        gender,
        image_url,
        status,
        mut variants,
        mut attributes,
        mut issues,
        inventory_tracked,
    } = draft;
    let line_of = Some(line);

    // Text cleanup.
    let description = if description_is_html || looks_like_html(&description) {
        let (text, junk) = strip_html(&description);
        if junk || (!description_is_html && text != description) {
            issues.push(issue("html_in_text", "the description contains HTML markup or junk (scripts, inline styles, Word markup); it was stripped", line_of, Some("description")));
        }
        text
    } else {
        description
    };
    if title.trim().is_empty() {
        issues.push(issue(
            "missing_title",
            "the product has no title; the handle stands in",
            line_of,
            Some("title"),
        ));
        title = handle.clone();
    }
    if looks_like_html(&title) {
        title = strip_html(&title).0.replace('\n', " ");
        issues.push(issue(
            "html_in_text",
            "the title contains HTML markup; it was stripped",
            line_of,
            Some("title"),
        ));
    }

    let ex_title = extract(&title, vocab, Field::Text);
    let tags_text = tags.iter().filter(|t| !t.contains(':')).cloned().collect::<Vec<_>>().join(", ");
    let ex_tags = cache.get(&tags_text, vocab, Field::Text);
    let ex_desc = extract(&description, vocab, Field::Text);
    let ex_type = raw_category.as_deref().map(|c| cache.get(c, vocab, Field::Text)).unwrap_or_default();
    // Filter tags (`Gender:Women`, `Metal: 18K gold`) are spec pairs too.
    let colon_tags = tags.iter().filter(|t| t.contains(':')).cloned().collect::<Vec<_>>().join("\n");
    let specs = Specs::read(&format!("{description}\n{colon_tags}"), vocab);

    // Category: the category column, refined by the title within the ring
    // family ("rings" + "Love wedding band" is a wedding band).
    let mut category = ex_type.category.or(specs.category);
    if let Some(t) = ex_title.category {
        match category {
            None => category = Some(t),
            Some(c) if c == Category::Ring && t.is_ring() => category = Some(t),
            Some(Category::Necklace) if t == Category::Pendant => {}
            _ => {}
        }
    }
    if category.is_none() {
        category = ex_tags.category.or(ex_desc.category);
    }
    // "Band" in a ring context, or alone (type "Bands"), is a wedding band.
    if matches!(category, Some(Category::Ring) | None) && (ex_title.band || ex_type.band) {
        category = Some(Category::WeddingBand);
    }
    if category.is_none()
        && raw_category.as_deref().is_some_and(|c| matches!(c.trim().to_lowercase().as_str(), "set" | "sets"))
    {
        category = Some(Category::Set);
    }
    if category.is_none() && raw_category.as_deref().is_some_and(|c| !c.trim().is_empty()) {
        category = Some(Category::Other);
    }

    // Gender: the gender column, else a gender spec line, the title, the
    // tags, and last the description's prose ("crafted for the modern gent").
    let gender = gender
        .as_deref()
        .and_then(|g| cache.get(g, vocab, Field::Gender).gender)
        .or(specs.gender)
        .or(ex_title.gender)
        .or(ex_tags.gender)
        .or(ex_desc.gender);

    let mut styles: Vec<String> = Vec::new();
    for s in ex_title.styles.iter().chain(&ex_tags.styles).chain(&ex_desc.styles) {
        if !styles.contains(s) {
            styles.push(s.clone());
        }
    }
    let tag_collection = collection_from_tags(&tags);
    cache.tagged_collections |= tag_collection.is_some();
    let tagged = cache.tagged_collections;
    let collection = tag_collection
        .or_else(|| ex_title.collection.clone())
        .or_else(|| ex_tags.collection.clone())
        .or_else(|| if tagged { None } else { collection_from_title(&title, vocab) })
        .or_else(|| ex_desc.collection.clone())
        .map(|c| fold(&c));

    // Product-level metals and stones: title first, then tags, type, description.
    let mut p_metals: Vec<Metal> = Vec::new();
    let mut p_stones: Vec<Stone> = Vec::new();
    // Spec lines (`Metal: 18K White Gold`) come right after the title: they
    // are the description's structured statement of what the piece is.
    for ex in [&ex_title, &specs.extracted, &ex_tags, &ex_type, &ex_desc] {
        merge_metals(&mut p_metals, &ex.metals);
        merge_stones(&mut p_stones, &ex.stones);
    }
    attach_loose_carat(&mut p_stones, ex_title.loose_carat.or(ex_desc.loose_carat));
    if p_stones.is_empty() {
        if let Some(m) = ex_title.birthstone_month.or(ex_tags.birthstone_month).or(ex_desc.birthstone_month) {
            if let Some(s) = vocab.birthstones(m).first() {
                p_stones.push(Stone { kind: s.clone(), ..Stone::default() });
            }
        }
    }
    // A colour column (`main_color` = red, with `main_metal` = gold) or a
    // colour spec line (`Color: White` beside `Material: Gold 14ct`) colours
    // the gold: `Gold` is yellow, `Gold & White` two colours.
    let color_attr: Vec<String> = attributes
        .iter()
        .filter(|(k, _)| {
            let k = k.to_lowercase();
            k.contains("color") || k.contains("colour")
        })
        .map(|(_, v)| spec::gold_colors(v, vocab))
        .find(|cs| !cs.is_empty())
        .unwrap_or_else(|| specs.gold_colors.clone());

    let text_length =
        specs.length.clone().or_else(|| ex_title.length.clone()).or_else(|| ex_desc.length.clone());
    let text_weight = specs.weight_g.or(ex_title.weight_g).or(ex_desc.weight_g);
    if let Some(w) = specs.width_mm.or(ex_title.width_mm).or(ex_desc.width_mm) {
        attributes.entry("width_mm".to_string()).or_insert_with(|| w.to_string());
    }
    if let Some(d) = &specs.dimensions {
        attributes.entry("dimensions".to_string()).or_insert_with(|| d.clone());
    }
    let ring_ctx = category.is_some_and(Category::is_ring);
    let length_ctx = matches!(
        category,
        Some(
            Category::Necklace | Category::Chain | Category::Bracelet | Category::Anklet | Category::Pendant
        )
    );

    if variants.is_empty() {
        variants.push(DraftVariant { line, ..DraftVariant::default() });
    }
    let mut out_variants = Vec::with_capacity(variants.len());
    for v in variants {
        let mut v_metals: Vec<Metal> = Vec::new();
        let mut v_stones: Vec<Stone> = Vec::new();
        let mut size: Option<Size> = None;
        let mut options = BTreeMap::new();
        for (name, value) in &v.options {
            options.insert(name.clone(), value.clone());
            match option_kind(name) {
                OptionKind::Size => {
                    let ring = ring_ctx || name.to_lowercase().contains("ring");
                    let len = length_ctx || name.to_lowercase().contains("length");
                    size = Some(parse_size(value, ring, len));
                }
                kind => {
                    let field = match kind {
                        OptionKind::Metal => Field::Metal,
                        OptionKind::Stone => Field::Stone,
                        _ => Field::Text,
                    };
                    let ex = cache.get(value, vocab, field);
                    merge_metals(&mut v_metals, &ex.metals);
                    merge_stones(&mut v_stones, &ex.stones);
                }
            }
        }
        // Mapped metal and stone columns: parsed, and their text kept as
        // written beside the normalized values.
        if let Some(m) = &v.metal {
            merge_metals(&mut v_metals, &cache.get(m, vocab, Field::Metal).metals);
            attributes.entry("metal".to_string()).or_insert_with(|| m.trim().to_string());
        }
        if let Some(s) = &v.stone {
            merge_stones(&mut v_stones, &cache.get(s, vocab, Field::Stone).stones);
            attributes.entry("stone".to_string()).or_insert_with(|| s.trim().to_string());
        }
        if let Some(s) = &v.size {
            size = Some(parse_size(s, ring_ctx, length_ctx));
        }
        if size.is_none() && length_ctx {
            size = text_length.clone();
        }
        if size.is_none() && (ring_ctx || length_ctx) {
            // A size line (`Ring size: 7`, `Taille : 52`) read by the category.
            size = specs
                .size
                .as_deref()
                .map(|s| parse_size(s, ring_ctx, length_ctx))
                .filter(|s| !matches!(s, Size::Other { .. }));
        }
        if size.is_none() && ring_ctx {
            size = ex_title.ring_size.clone();
        }

        // Title and options that disagree on the metal.
        if !v_metals.is_empty() && !ex_title.metals.is_empty() {
            let agrees = v_metals.iter().any(|vm| {
                ex_title.metals.iter().any(|tm| {
                    compatible(vm, tm)
                        && (vm.colors.is_empty()
                            || tm.colors.is_empty()
                            || vm.colors.iter().any(|c| tm.colors.contains(c)))
                })
            });
            if !agrees {
                let describe = |ms: &[Metal]| ms.iter().map(describe_metal).collect::<Vec<_>>().join(", ");
                issues.push(issue(
                    "title_option_mismatch",
                    format!(
                        "the title says {} but variant {:?} says {}",
                        describe(&ex_title.metals),
                        v.sku,
                        describe(&v_metals)
                    ),
                    Some(v.line),
                    Some("options"),
                ));
            }
        }

        if v_metals.is_empty() {
            v_metals = p_metals.clone();
        } else {
            fill_from(&mut v_metals, &p_metals);
        }
        if v_stones.is_empty() {
            v_stones = p_stones.clone();
        } else {
            merge_stones(&mut v_stones, &p_stones);
        }
        if !color_attr.is_empty() {
            for m in v_metals.iter_mut().filter(|m| m.kind == "gold" && m.colors.is_empty()) {
                m.colors = color_attr.clone();
            }
        }
        if inventory_tracked && v.inventory.is_none() {
            issues.push(issue(
                "no_inventory",
                format!("variant {:?} has no inventory quantity", v.sku),
                Some(v.line),
                Some("inventory"),
            ));
        }
        out_variants.push(Variant {
            sku: v.sku,
            price: v.price,
            compare_at_price: v.compare_at_price,
            options,
            metals: v_metals,
            stones: v_stones,
            size,
            inventory: v.inventory,
            grams: v.grams.or(text_weight.map(f64::from)),
            image_url: v.image_url,
            source_line: Some(v.line),
        });
    }

    let mut product = Product {
        id: 0,
        handle,
        title,
        description,
        vendor,
        category,
        raw_category,
        gender,
        tags,
        collection,
        styles,
        image_url,
        status,
        created_at: 0,
        variants: out_variants,
        attributes,
        quality_issues: Vec::new(),
        order_only: false,
        partial: None,
    };
    if product.variants.iter().all(|v| v.price.is_none()) {
        issues.push(issue("missing_price", "no variant has a price", line_of, Some("price")));
    }
    if product.metals().is_empty() && !matches!(product.category, Some(Category::Watch | Category::Other)) {
        issues.push(issue(
            "missing_metal",
            "no metal found in the options, title, tags or description",
            line_of,
            Some("metal"),
        ));
    }
    product.quality_issues = issues;
    product
}

/// What a description's spec lines state (`Material: Gold 14ct.`,
/// `Color: White`, `Chain length (cm): 38.0`), read by the kind of each key.
#[derive(Default)]
struct Specs {
    /// Metals and stones of the metal and stone lines, read as a metal or
    /// stone column is (`Matière : Or` is gold).
    extracted: super::Extracted,
    gold_colors: Vec<String>,
    length: Option<Size>,
    weight_g: Option<f32>,
    width_mm: Option<f32>,
    /// The value of a size line, as written.
    size: Option<String>,
    dimensions: Option<String>,
    gender: Option<model::Gender>,
    category: Option<Category>,
}

impl Specs {
    fn read(description: &str, vocab: &Vocabulary) -> Specs {
        let mut out = Specs::default();
        for s in spec::specs(description, vocab) {
            let Spec { key, value, .. } = &s;
            match key {
                SpecKey::Metal => {
                    merge_metals(&mut out.extracted.metals, &extract(value, vocab, Field::Metal).metals)
                }
                SpecKey::Stone => {
                    merge_stones(&mut out.extracted.stones, &extract(value, vocab, Field::Stone).stones)
                }
                SpecKey::Color if out.gold_colors.is_empty() => {
                    out.gold_colors = spec::gold_colors(value, vocab)
                }
                SpecKey::Length if out.length.is_none() => out.length = spec::length(&s),
                SpecKey::Weight if out.weight_g.is_none() => out.weight_g = spec::grams(&s),
                SpecKey::Width if out.width_mm.is_none() => out.width_mm = spec::width_mm(&s),
                SpecKey::Dimensions if out.dimensions.is_none() => out.dimensions = Some(value.clone()),
                SpecKey::Size if out.size.is_none() => out.size = Some(value.clone()),
                SpecKey::Gender if out.gender.is_none() => {
                    out.gender = extract(value, vocab, Field::Gender).gender
                }
                SpecKey::Category if out.category.is_none() => {
                    out.category = extract(value, vocab, Field::Text).category
                }
                _ => {}
            }
        }
        out
    }
}

pub(crate) fn describe_metal(m: &Metal) -> String {
    let mut parts = Vec::new();
    if let Some(k) = m.karat {
        parts.push(format!("{k}K"));
    } else if let Some(f) = m.fineness {
        parts.push(f.to_string());
    }
    parts.extend(m.colors.iter().cloned());
    parts.push(m.kind.clone());
    parts.join(" ")
}
