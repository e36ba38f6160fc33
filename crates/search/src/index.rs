//! Building the search index: a tantivy full-text index over titles and
//! descriptions (in RAM), plus per-attribute bit sets, per-document prices
//! and behaviour, so that structured filters, facets and ranking never touch
//! tantivy.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use model::{Category, Currency, Gender, Product, ProductStatus, Size, StoneOrigin};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{doc, Index, IndexReader, ReloadPolicy};

use crate::behaviour::{query_key, BehaviourStats, QueryProductStats};
use crate::bitset::BitSet;
use crate::lexicon::Lexicon;
use crate::rules::Rule;
use crate::text::norm_words;
use crate::understand::understand;
use crate::{Error, Result};

pub(crate) const TOKENIZER: &str = "loupe";

/// Weights of the ranking signals, in score points.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// Full-text relevance, scaled to at most this many points.
    pub text: f32,
    /// Each understood hard constraint the product meets.
    pub constraint: f32,
    /// Each style the product lists or names; half for related words.
    pub style: f32,
    /// The title names the asked category (`trinity ring` over a band).
    pub title: f32,
    /// For "cheap"/"luxury": up to this much for being cheaper/dearer.
    pub budget: f32,
    pub occasion: f32,
    pub gender: f32,
    /// Taken off for a product made for the other gender.
    pub gender_mismatch: f32,
    pub birthstone: f32,
    pub stone_color: f32,
    /// Click-through above or below the average for this query.
    pub ctr: f32,
    pub conversion: f32,
    pub popularity: f32,
    /// Taken off when every variant is out of stock.
    pub out_of_stock: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            text: 3.0,
            constraint: 1.0,
            style: 0.8,
            title: 0.5,
            budget: 1.0,
            occasion: 0.6,
            gender: 0.8,
            gender_mismatch: 2.0,
            birthstone: 0.5,
            stone_color: 0.6,
            ctr: 3.0,
            conversion: 1.5,
            popularity: 0.5,
            out_of_stock: 5.0,
        }
    }
}

/// How to build an index.
#[derive(Clone, Debug)]
pub struct Config {
    pub lexicon: Lexicon,
    pub weights: Weights,
    /// Memory budget of tantivy's writer in bytes.
    pub writer_memory: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { lexicon: Lexicon::default_lexicon(), weights: Weights::default(), writer_memory: 50_000_000 }
    }
}

/// One variant as the engine needs it.
#[derive(Clone, Debug)]
pub(crate) struct VariantDoc {
    pub sku: String,
    pub price: Option<f64>,
    pub metals: Vec<String>,
    pub colors: Vec<String>,
    pub karats: Vec<u8>,
    pub stones: Vec<String>,
    pub ring_us: Option<f32>,
    pub length_cm: Option<f32>,
    /// `None` when inventory is not tracked.
    pub inventory: Option<i64>,
}

impl VariantDoc {
    pub fn available(&self) -> bool {
        self.inventory.is_none_or(|n| n > 0)
    }
}

/// One product as the engine needs it.
#[derive(Clone, Debug)]
pub(crate) struct Doc {
    pub id: u64,
    pub handle: String,
    pub title: String,
    pub category: Option<Category>,
    pub gender: Option<Gender>,
    pub min_price: Option<f64>,
    pub currency: Currency,
    pub created_at: i64,
    pub sales: f64,
    pub variants: Vec<VariantDoc>,
    /// Readable descriptions of the product's metals (`18k yellow gold`),
    /// with the kind and colors they describe.
    pub metal_labels: Vec<(String, Vec<String>, String)>,
    /// Stones with a stated colour, as (kind, lower-case colour), for
    /// reasons about a stone colour.
    pub stone_colors: Vec<(String, String)>,
}

/// Per-document values ranking and filtering read for every candidate, kept
/// in flat arrays so that a pass over 100k candidates stays in cache.
pub(crate) struct Columns {
    pub category: Vec<Option<Category>>,
    pub gender: Vec<Option<Gender>>,
    /// Lowest and highest variant price; NaN when the product has none.
    pub min_price: Vec<f32>,
    pub max_price: Vec<f32>,
    pub sales: Vec<f32>,
    pub created_at: Vec<i64>,
}

/// A built index. Immutable except for merchandising rules, which change
/// without a rebuild (`set_rules`).
pub struct SearchIndex {
    pub(crate) docs: Vec<Doc>,
    pub(crate) cols: Columns,
    pub(crate) lex: Lexicon,
    pub(crate) weights: Weights,
    pub(crate) tantivy: Index,
    pub(crate) reader: IndexReader,
    pub(crate) analyzer: TextAnalyzer,
    pub(crate) f_title: Field,
    pub(crate) f_body: Field,
    /// Normalized words of all product text, to tell typos from real words.
    pub(crate) vocab: HashSet<String>,
    pub(crate) all: BitSet,
    pub(crate) in_stock: BitSet,
    pub(crate) by_category: HashMap<Category, BitSet>,
    pub(crate) by_metal: BTreeMap<String, BitSet>,
    pub(crate) by_color: BTreeMap<String, BitSet>,
    pub(crate) by_karat: BTreeMap<u8, BitSet>,
    pub(crate) by_stone: BTreeMap<String, BitSet>,
    pub(crate) by_stone_color: BTreeMap<String, BitSet>,
    pub(crate) by_origin: HashMap<StoneOrigin, BitSet>,
    pub(crate) by_gender: HashMap<Gender, BitSet>,
    /// Ring sizes (US, as text like `7` or `6.5`) with a variant in stock.
    pub(crate) by_size: BTreeMap<String, BitSet>,
    /// Style or occasion → products whose related words appear in their text.
    pub(crate) by_affinity: HashMap<String, BitSet>,
    /// Style or occasion → products that list it as a style or name it.
    pub(crate) by_affinity_strong: HashMap<String, BitSet>,
    pub(crate) by_birthstone: BitSet,
    /// Lexicon word → products whose title has it (`cocktail`, `hoop`).
    pub(crate) title_has: HashMap<String, BitSet>,
    pub(crate) handle_to_doc: HashMap<String, u32>,
    pub(crate) sku_to_doc: HashMap<String, u32>,
    /// Query key → doc → stats, with the prior CTR for smoothing.
    pub(crate) behaviour: HashMap<String, Vec<(u32, QueryProductStats)>>,
    pub(crate) query_text: HashMap<String, String>,
    pub(crate) prior_ctr: f64,
    /// Sorted prices per category (and `None` for the whole catalog), for
    /// "cheap" and "luxury".
    pub(crate) category_prices: HashMap<Option<Category>, Vec<f64>>,
    pub(crate) price_edges: Vec<f64>,
    pub(crate) currency: Currency,
    pub(crate) max_sales: f64,
    /// Suggestions: (completion text, weight), sorted by text.
    pub(crate) suggest_queries: Vec<(String, f64)>,
    /// Title words with the product that has them, sorted by word.
    pub(crate) title_words: Vec<(String, u32)>,
    pub(crate) rules: RwLock<Arc<Vec<Rule>>>,
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

pub(crate) fn size_label(us: f32) -> String {
    let r = (us * 4.0).round() / 4.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r}")
    }
}

impl SearchIndex {
    /// Indexes active products (drafts and archived ones are left out).
    pub fn build(products: &[Product], stats: &BehaviourStats, config: &Config) -> Result<SearchIndex> {
        let lex = config.lexicon.clone();
        let mut schema = Schema::builder();
        let text_opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let f_title = schema.add_text_field("title", text_opts.clone());
        let f_body = schema.add_text_field("body", text_opts);
        let f_ord = schema.add_u64_field("ord", FAST);
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(TOKENIZER, analyzer());
        let err = |e: tantivy::TantivyError| Error::Index(e.to_string());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, config.writer_memory.max(15_000_000)).map_err(err)?;

        let products: Vec<&Product> = products.iter().filter(|p| p.status == ProductStatus::Active).collect();
        let n = products.len();
        let mut docs = Vec::with_capacity(n);
        let mut vocab = HashSet::new();
        let mut by_category: HashMap<Category, BitSet> = HashMap::new();
        let mut by_metal: BTreeMap<String, BitSet> = BTreeMap::new();
        let mut by_color: BTreeMap<String, BitSet> = BTreeMap::new();
        let mut by_karat: BTreeMap<u8, BitSet> = BTreeMap::new();
        let mut by_stone: BTreeMap<String, BitSet> = BTreeMap::new();
        let mut by_stone_color: BTreeMap<String, BitSet> = BTreeMap::new();
        let mut by_origin: HashMap<StoneOrigin, BitSet> = HashMap::new();
        let mut by_gender: HashMap<Gender, BitSet> = HashMap::new();
        let mut by_size: BTreeMap<String, BitSet> = BTreeMap::new();
        let mut by_affinity: HashMap<String, BitSet> = HashMap::new();
        let mut by_affinity_strong: HashMap<String, BitSet> = HashMap::new();
        let mut by_birthstone = BitSet::empty(n);
        let mut in_stock = BitSet::empty(n);
        let mut handle_to_doc = HashMap::with_capacity(n);
        let mut sku_to_doc = HashMap::with_capacity(n);
        let birthstones: HashSet<String> = (1..=12).flat_map(|m| lex.birthstones(m)).collect();
        let mut title_words = Vec::new();
        let lexicon_words: HashSet<&str> = lex.phrases.keys().flatten().map(String::as_str).collect();
        let mut title_has: HashMap<String, BitSet> = HashMap::new();
        let set = |map: &mut BTreeMap<String, BitSet>, key: &str, i: usize| {
            map.entry(key.to_string()).or_insert_with(|| BitSet::empty(n)).insert(i);
        };

        for (i, p) in products.iter().enumerate() {
            let i32_ = i as u32;
            handle_to_doc.insert(p.handle.clone(), i32_);
            // Attributes the catalog did not extract are read from the
            // title, tags and type with the query lexicon as a fallback.
            let head =
                format!("{} {} {}", p.title, p.tags.join(" "), p.raw_category.as_deref().unwrap_or(""));
            let needs_fallback = p.category.is_none() || p.metals().is_empty() && p.stones().is_empty();
            let fallback = needs_fallback.then(|| understand(&head, &lex, &|_| true));
            let fallback_karat = if p.metals().iter().all(|m| m.karat.is_none()) {
                understand(&p.description, &lex, &|_| true).karat.map(|k| k.value)
            } else {
                None
            };
            let category = p
                .category
                .or_else(|| fallback.as_ref().and_then(|u| u.category.as_ref()).map(|c| c.value[0]));
            let gender =
                p.gender.or_else(|| fallback.as_ref().and_then(|u| u.gender.as_ref()).map(|g| g.value));
            let mut variants = Vec::with_capacity(p.variants.len().max(1));
            for v in &p.variants {
                let mut vd = VariantDoc {
                    sku: v.sku.clone(),
                    price: v.price.map(|m| m.major()),
                    metals: v.metals.iter().map(|m| m.kind.clone()).collect(),
                    colors: v.metals.iter().flat_map(|m| m.colors.clone()).collect(),
                    karats: v.metals.iter().filter_map(|m| m.karat).collect(),
                    stones: v.stones.iter().map(|s| s.kind.clone()).collect(),
                    ring_us: None,
                    length_cm: None,
                    inventory: v.inventory,
                };
                match &v.size {
                    Some(Size::Ring { us, .. }) => vd.ring_us = Some(*us),
                    Some(Size::Length { cm, .. }) => vd.length_cm = Some(*cm),
                    _ => {}
                }
                if let Some(u) = &fallback {
                    if vd.metals.is_empty() {
                        vd.metals.extend(u.metal.iter().map(|m| m.value.clone()));
                        vd.colors.extend(u.colors.iter().map(|c| c.value.clone()));
                    }
                    if vd.stones.is_empty() {
                        if let Some(s) = &u.stone {
                            if s.month.is_none() && s.color.is_none() {
                                vd.stones.extend(s.kinds.iter().cloned());
                            }
                        }
                    }
                }
                if vd.karats.is_empty() {
                    vd.karats.extend(fallback_karat);
                }
                variants.push(vd);
            }
            if variants.is_empty() {
                variants.push(VariantDoc {
                    sku: p.handle.clone(),
                    price: None,
                    metals: vec![],
                    colors: vec![],
                    karats: vec![],
                    stones: vec![],
                    ring_us: None,
                    length_cm: None,
                    inventory: None,
                });
            }
            for v in &variants {
                if !v.sku.trim().is_empty() {
                    sku_to_doc.insert(v.sku.trim().to_lowercase(), i32_);
                }
                for m in &v.metals {
                    set(&mut by_metal, m, i);
                }
                for c in &v.colors {
                    set(&mut by_color, c, i);
                }
                for &k in &v.karats {
                    by_karat.entry(k).or_insert_with(|| BitSet::empty(n)).insert(i);
                }
                for s in &v.stones {
                    set(&mut by_stone, s, i);
                    if birthstones.contains(s.as_str()) && s != "diamond" {
                        by_birthstone.insert(i);
                    }
                }
                if let (Some(us), true) = (v.ring_us, v.available()) {
                    set(&mut by_size, &size_label(us), i);
                }
            }
            let mut stone_colors = Vec::new();
            for s in p.stones() {
                if let Some(c) = &s.color {
                    set(&mut by_stone_color, &c.to_lowercase(), i);
                    stone_colors.push((s.kind.clone(), c.to_lowercase()));
                }
                if let Some(o) = s.origin {
                    by_origin.entry(o).or_insert_with(|| BitSet::empty(n)).insert(i);
                }
            }
            if let Some(c) = category {
                by_category.entry(c).or_insert_with(|| BitSet::empty(n)).insert(i);
            }
            if let Some(g) = gender {
                by_gender.entry(g).or_insert_with(|| BitSet::empty(n)).insert(i);
            }
            let available = variants.iter().any(VariantDoc::available);
            if available {
                in_stock.insert(i);
            }

            // Full text: the title alone (boosted at query time) and a body.
            let option_values: Vec<&str> =
                p.variants.iter().flat_map(|v| v.options.values().map(String::as_str)).collect();
            let body = format!(
                "{} {} {} {} {} {} {}",
                p.description,
                p.tags.join(" "),
                p.raw_category.as_deref().unwrap_or(""),
                p.collection.as_deref().unwrap_or(""),
                p.styles.join(" "),
                p.vendor.as_deref().unwrap_or(""),
                option_values.join(" "),
            );
            writer
                .add_document(doc!(f_title => p.title.as_str(), f_body => body.as_str(), f_ord => i as u64))
                .map_err(err)?;

            // Words for typo decisions, soft preferences and suggestions.
            let title_norm = norm_words(&p.title);
            let mut words: HashSet<String> = title_norm.iter().cloned().collect();
            let title_norm: Vec<String> = title_norm.into_iter().collect();
            for w in &title_norm {
                if lexicon_words.contains(w.as_str()) {
                    title_has.entry(w.clone()).or_insert_with(|| BitSet::empty(n)).insert(i);
                }
            }
            words.extend(norm_words(&body));
            for s in &p.styles {
                words.insert(s.to_lowercase());
            }
            for (name, wanted) in &lex.affinities {
                let named = p.styles.iter().any(|s| s.eq_ignore_ascii_case(name)) || words.contains(name);
                if named {
                    by_affinity_strong.entry(name.clone()).or_insert_with(|| BitSet::empty(n)).insert(i);
                }
                if named || wanted.iter().any(|w| words.contains(w)) {
                    by_affinity.entry(name.clone()).or_insert_with(|| BitSet::empty(n)).insert(i);
                }
            }
            let mut seen = HashSet::new();
            for w in crate::text::words(&p.title) {
                if w.len() >= 2 && seen.insert(w.clone()) {
                    title_words.push((w, i32_));
                }
            }
            vocab.extend(words);

            let metal_labels = p
                .metals()
                .iter()
                .map(|m| {
                    let mut s = String::new();
                    if let Some(k) = m.karat {
                        s.push_str(&format!("{k}k "));
                    }
                    for c in &m.colors {
                        s.push_str(c);
                        s.push(' ');
                    }
                    s.push_str(&m.kind.replace('_', " "));
                    (m.kind.clone(), m.colors.clone(), s)
                })
                .collect();
            let min_price = variants
                .iter()
                .filter_map(|v| v.price)
                .fold(None, |acc: Option<f64>, p| Some(acc.map_or(p, |a| a.min(p))));
            let currency = p.variants.iter().find_map(|v| v.price.map(|m| m.currency)).unwrap_or_default();
            let skus_sold: f64 = p.variants.iter().filter_map(|v| stats.sku_sales.get(&v.sku)).sum();
            let sales = stats.sales.get(&p.handle).copied().unwrap_or(0.0) + skus_sold;
            docs.push(Doc {
                id: p.id,
                handle: p.handle.clone(),
                title: p.title.clone(),
                category,
                gender,
                min_price,
                currency,
                created_at: p.created_at,
                sales,
                variants,
                metal_labels,
                stone_colors,
            });
        }
        writer.commit().map_err(err)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(err)?;

        // Behaviour keyed by document.
        let mut behaviour = HashMap::new();
        for (key, per) in &stats.per_query {
            let mut v: Vec<(u32, QueryProductStats)> =
                per.iter().filter_map(|(h, s)| handle_to_doc.get(h).map(|&d| (d, *s))).collect();
            if !v.is_empty() {
                v.sort_by_key(|(d, _)| *d);
                behaviour.insert(key.clone(), v);
            }
        }

        // Price ladders for "cheap"/"luxury" and the price facet.
        let mut category_prices: HashMap<Option<Category>, Vec<f64>> = HashMap::new();
        for d in &docs {
            if let Some(p) = d.min_price {
                category_prices.entry(d.category).or_default().push(p);
                category_prices.entry(None).or_default().push(p);
            }
        }
        for v in category_prices.values_mut() {
            v.sort_by(f64::total_cmp);
        }
        let price_edges = price_edges(category_prices.get(&None).map(Vec::as_slice).unwrap_or(&[]));
        let currency = docs.iter().map(|d| d.currency).next().unwrap_or_default();
        let max_sales = docs.iter().map(|d| d.sales).fold(0.0, f64::max);

        // Suggestions: past queries (weighted by how often they were
        // searched) and lexicon phrases.
        let mut suggest: HashMap<String, f64> = HashMap::new();
        for (key, count) in &stats.query_counts {
            if let Some(text) = stats.query_text.get(key) {
                let q: String = crate::text::words(text).join(" ");
                if !q.is_empty() && q.len() <= 60 {
                    *suggest.entry(q).or_default() += f64::from(*count) * 10.0;
                }
            }
        }
        for phrase in lex.phrases.keys() {
            let text = phrase.join(" ");
            if text.len() >= 3 {
                suggest.entry(text).or_insert(1.0);
            }
        }
        let mut suggest_queries: Vec<(String, f64)> = suggest.into_iter().collect();
        suggest_queries.sort_by(|a, b| a.0.cmp(&b.0));
        title_words.sort();

        let query_text = stats.query_text.clone();
        let cols = Columns {
            category: docs.iter().map(|d| d.category).collect(),
            gender: docs.iter().map(|d| d.gender).collect(),
            min_price: docs.iter().map(|d| d.min_price.map_or(f32::NAN, |p| p as f32)).collect(),
            max_price: docs
                .iter()
                .map(|d| d.variants.iter().filter_map(|v| v.price).fold(f32::NAN, |a, p| a.max(p as f32)))
                .collect(),
            sales: docs.iter().map(|d| d.sales as f32).collect(),
            created_at: docs.iter().map(|d| d.created_at).collect(),
        };
        Ok(SearchIndex {
            cols,
            all: BitSet::full(n),
            docs,
            lex,
            weights: config.weights.clone(),
            tantivy: index,
            reader,
            analyzer: analyzer(),
            f_title,
            f_body,
            vocab,
            in_stock,
            by_category,
            by_metal,
            by_color,
            by_karat,
            by_stone,
            by_stone_color,
            by_origin,
            by_gender,
            by_size,
            by_affinity,
            by_affinity_strong,
            by_birthstone,
            title_has,
            handle_to_doc,
            sku_to_doc,
            behaviour,
            query_text,
            prior_ctr: stats.global_ctr(),
            category_prices,
            price_edges,
            currency,
            max_sales,
            suggest_queries,
            title_words,
            rules: RwLock::new(Arc::new(Vec::new())),
        })
    }

    /// Number of indexed products.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Replaces the merchandising rules (no rebuild needed).
    pub fn set_rules(&self, rules: Vec<Rule>) {
        let mut guard = self.rules.write().unwrap_or_else(|e| e.into_inner());
        *guard = Arc::new(rules);
    }

    pub fn rules(&self) -> Arc<Vec<Rule>> {
        self.rules.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The readable query for a behaviour key, for reasons.
    pub(crate) fn query_label(&self, query: &str) -> String {
        self.query_text.get(&query_key(query)).cloned().unwrap_or_else(|| query.trim().to_lowercase())
    }
}

/// Price bucket edges in round numbers that fit the catalog's spread.
fn price_edges(sorted: &[f64]) -> Vec<f64> {
    const LADDER: [f64; 16] = [
        25.0, 50.0, 100.0, 150.0, 250.0, 500.0, 750.0, 1000.0, 2500.0, 5000.0, 10000.0, 25000.0, 50000.0,
        100000.0, 250000.0, 500000.0,
    ];
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else { return Vec::new() };
    let mut edges: Vec<f64> = LADDER.iter().copied().filter(|&e| e > lo && e < hi).collect();
    // Keep at most seven buckets: drop edges whose bucket would be nearly empty.
    while edges.len() > 6 {
        let counts: Vec<usize> = (0..edges.len())
            .map(|k| {
                let a = if k == 0 { f64::MIN } else { edges[k - 1] };
                sorted.iter().filter(|&&p| p >= a && p < edges[k]).count()
            })
            .collect();
        let (k, _) = counts.iter().enumerate().min_by_key(|(_, c)| **c).unwrap_or((0, &0));
        edges.remove(k);
    }
    edges
}
