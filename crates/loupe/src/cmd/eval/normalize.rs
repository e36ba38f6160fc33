//! `loupe eval normalize`: per-field accuracy of the catalog normalizer on
//! the stored catalog against a labelled truth file.
//!
//! The truth is JSON Lines, one object per product, keyed by `handle` or
//! `sku` (a string or a number). A row is matched to the product whose
//! handle equals the key, else to the product with a variant of that SKU;
//! rows that match no product are counted and listed, never scored. Each
//! row may carry any of:
//!
//! - `category`: one of Loupe's canonical category names (`ring`,
//!   `earrings`, `wedding_band`, ...); scored by equality.
//! - `gender`: `women`, `men`, `unisex` or `kids`; scored by equality.
//! - `metals`: a list of metal kinds (`"gold"`) or of objects with any of
//!   `kind`, `karat`, `colors` (a list, or one string).
//! - `stones`: a list of stone kinds (`"diamond"`), or of objects with `kind`.
//!
//! Multi-valued fields are scored as set equality over the whole product
//! (Loupe's side is the union over the product's variants):
//!
//! - metal kind: the set of truth kinds equals the set of Loupe's kinds;
//!   scored when any truth metal names a kind. An extra metal in Loupe is a
//!   miss just as a missing one is.
//! - karat: the set of karats the truth names equals the set of karats Loupe
//!   found on any metal; scored when any truth metal names a karat.
//! - metal colour: the union of the colours the truth names equals the
//!   union of the colours of Loupe's metals of the same kinds (of all of
//!   Loupe's metals, when the truth metal that carries colours names no
//!   kind); scored when any truth metal names a colour.
//! - stone kind: the set of truth kinds equals the set of Loupe's kinds;
//!   scored whenever the row has `stones`, so `"stones": []` asserts that
//!   the product has none.
//!
//! A field the truth row leaves out (or sets to null) is not scored; a value
//! Loupe left unknown (no category, no gender, no metals) against a truth
//! value is a miss, counted again as `unknown` so that "never read" and
//! "read wrong" can be told apart.

use crate::out::outln;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context;
use model::Product;
use serde_json::Value;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Labelled truth: JSON Lines keyed by `handle` or `sku`, each with any of `category`,
    /// `gender`, `metals` (kinds, or objects with `kind`, `karat`, `colors`) and `stones` (kinds).
    #[arg(long)]
    pub truth: PathBuf,
    /// How many example misses to print per field.
    #[arg(long, default_value_t = 5)]
    pub misses: usize,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The scored fields, in the order they are printed.
const FIELDS: [&str; 6] = ["category", "gender", "metal_kind", "karat", "metal_color", "stone_kind"];

/// One labelled product.
#[derive(Debug, Default)]
struct Truth {
    key: String,
    category: Option<String>,
    gender: Option<String>,
    /// `None` when the row has no `metals`.
    metals: Option<Vec<TruthMetal>>,
    stones: Option<BTreeSet<String>>,
}

#[derive(Debug, Default)]
struct TruthMetal {
    kind: Option<String>,
    karat: Option<u8>,
    colors: Vec<String>,
}

/// One field's tally.
#[derive(Debug, Default)]
struct FieldScore {
    scored: usize,
    correct: usize,
    /// Misses where Loupe had no value at all.
    unknown: usize,
    misses: Vec<Miss>,
}

#[derive(Debug)]
struct Miss {
    key: String,
    title: String,
    truth: String,
    loupe: String,
}

#[derive(Debug, Default)]
struct Report {
    truth_rows: usize,
    matched: usize,
    unmatched: Vec<String>,
    fields: Vec<(&'static str, FieldScore)>,
}

pub fn run(data: &Path, args: Args) -> anyhow::Result<()> {
    let store = crate::cmd::products::open_store(data)?;
    let products = store.products().context("Failed to read the catalog")?;
    if products.is_empty() {
        anyhow::bail!("the store in {} has no products; import a catalog first", data.display());
    }
    let text = std::fs::read_to_string(&args.truth)
        .with_context(|| format!("Failed to read {}", args.truth.display()))?;
    let truth = parse_truth(&text).with_context(|| format!("Failed to parse {}", args.truth.display()))?;
    let report = score(&products, &truth, args.misses);

    if args.json {
        let fields: serde_json::Map<String, Value> = report
            .fields
            .iter()
            .map(|(name, f)| {
                let v = serde_json::json!({
                    "scored": f.scored, "correct": f.correct, "accuracy": accuracy(f),
                    "unknown": f.unknown,
                    "misses": f.misses.iter().map(|m| serde_json::json!({
                        "key": m.key, "title": m.title, "truth": m.truth, "loupe": m.loupe,
                    })).collect::<Vec<_>>(),
                });
                (name.to_string(), v)
            })
            .collect();
        let out = serde_json::json!({
            "truth": args.truth.display().to_string(), "products": products.len(),
            "truth_rows": report.truth_rows, "matched": report.matched,
            "unmatched": report.unmatched.len(),
            "unmatched_examples": report.unmatched.iter().take(args.misses).collect::<Vec<_>>(),
            "fields": fields,
        });
        outln!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    outln!(
        "{}: {} truth rows, {} matched of {} products, {} matched no product",
        args.truth.display(),
        report.truth_rows,
        report.matched,
        products.len(),
        report.unmatched.len()
    );
    if !report.unmatched.is_empty() {
        let shown: Vec<&str> = report.unmatched.iter().take(args.misses).map(String::as_str).collect();
        outln!("  unmatched keys, e.g.: {}", shown.join(", "));
    }
    outln!("\n{:<12} {:>8} {:>7} {:>8} {:>7}", "field", "accuracy", "correct", "scored", "unknown");
    for (name, f) in &report.fields {
        let acc = accuracy(f).map_or_else(|| "-".to_string(), |a| format!("{a:.3}"));
        outln!("{name:<12} {acc:>8} {:>7} {:>8} {:>7}", f.correct, f.scored, f.unknown);
    }
    for (name, f) in &report.fields {
        if f.misses.is_empty() {
            continue;
        }
        outln!("\n{name}: {} misses, e.g.", f.scored - f.correct);
        for m in &f.misses {
            outln!("  {}  truth {}  loupe {}  ({})", m.key, m.truth, m.loupe, m.title);
        }
    }
    Ok(())
}

fn accuracy(f: &FieldScore) -> Option<f64> {
    (f.scored > 0).then(|| f.correct as f64 / f.scored as f64)
}

fn parse_truth(text: &str) -> anyhow::Result<Vec<Truth>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let v: Value = serde_json::from_str(line).with_context(|| format!("line {}: not JSON", i + 1))?;
        out.push(parse_row(&v).with_context(|| format!("line {}", i + 1))?);
    }
    Ok(out)
}

/// A JSON string or number as text (ids are often numbers).
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn parse_row(v: &Value) -> anyhow::Result<Truth> {
    let key = text_of(&v["handle"])
        .or_else(|| text_of(&v["sku"]))
        .filter(|k| !k.is_empty())
        .context("a row without `handle` or `sku`")?;
    let lower = |f: &str| v[f].as_str().map(|s| s.trim().to_lowercase());
    let metals = match &v["metals"] {
        Value::Null => None,
        Value::Array(a) => Some(a.iter().map(parse_metal).collect::<anyhow::Result<Vec<_>>>()?),
        _ => anyhow::bail!("`metals` is not a list"),
    };
    let stones = match &v["stones"] {
        Value::Null => None,
        Value::Array(a) => Some(
            a.iter()
                .map(|s| {
                    s.as_str()
                        .or_else(|| s["kind"].as_str())
                        .map(|k| k.trim().to_lowercase())
                        .context("a stone is neither a kind nor an object with `kind`")
                })
                .collect::<anyhow::Result<BTreeSet<_>>>()?,
        ),
        _ => anyhow::bail!("`stones` is not a list"),
    };
    Ok(Truth { key, category: lower("category"), gender: lower("gender"), metals, stones })
}

fn parse_metal(v: &Value) -> anyhow::Result<TruthMetal> {
    if let Some(kind) = v.as_str() {
        return Ok(TruthMetal { kind: Some(kind.trim().to_lowercase()), ..TruthMetal::default() });
    }
    anyhow::ensure!(v.is_object(), "a metal is neither a kind nor an object");
    let karat = match &v["karat"] {
        Value::Null => None,
        k => Some(
            text_of(k)
                .and_then(|s| s.trim_end_matches(['k', 'K']).parse().ok())
                .context("`karat` is not a number")?,
        ),
    };
    let colors = match &v["colors"] {
        Value::Null => Vec::new(),
        Value::String(s) => vec![s.trim().to_lowercase()],
        Value::Array(a) => a.iter().filter_map(|c| c.as_str()).map(|c| c.trim().to_lowercase()).collect(),
        _ => anyhow::bail!("`colors` is not a list"),
    };
    Ok(TruthMetal { kind: v["kind"].as_str().map(|s| s.trim().to_lowercase()), karat, colors })
}

/// What Loupe says and what the truth says for one field of one product.
struct Compared {
    truth: String,
    loupe: String,
    correct: bool,
    unknown: bool,
}

fn set_text<T: std::fmt::Display>(s: &BTreeSet<T>) -> String {
    if s.is_empty() {
        "(none)".to_string()
    } else {
        s.iter().map(ToString::to_string).collect::<Vec<_>>().join("+")
    }
}

fn compare_sets<T: Ord + std::fmt::Display>(truth: &BTreeSet<T>, loupe: &BTreeSet<T>) -> Compared {
    Compared {
        truth: set_text(truth),
        loupe: set_text(loupe),
        correct: truth == loupe,
        unknown: loupe.is_empty() && !truth.is_empty(),
    }
}

fn compare_one(truth: &str, loupe: Option<&str>) -> Compared {
    Compared {
        truth: truth.to_string(),
        loupe: loupe.unwrap_or("(unknown)").to_string(),
        correct: loupe == Some(truth),
        unknown: loupe.is_none(),
    }
}

/// Each scored field of one truth row against its product.
fn compare(t: &Truth, p: &Product) -> Vec<(&'static str, Compared)> {
    let mut out = Vec::new();
    if let Some(c) = &t.category {
        out.push(("category", compare_one(c, p.category.map(|c| c.as_str()))));
    }
    if let Some(g) = &t.gender {
        out.push(("gender", compare_one(g, p.gender.map(|g| g.as_str()))));
    }
    let metals = p.metals();
    if let Some(tm) = &t.metals {
        let kinds: BTreeSet<String> = tm.iter().filter_map(|m| m.kind.clone()).collect();
        if !kinds.is_empty() {
            let loupe = metals.iter().map(|m| m.kind.clone()).collect();
            out.push(("metal_kind", compare_sets(&kinds, &loupe)));
        }
        let karats: BTreeSet<u8> = tm.iter().filter_map(|m| m.karat).collect();
        if !karats.is_empty() {
            let loupe = metals.iter().filter_map(|m| m.karat).collect();
            out.push(("karat", compare_sets(&karats, &loupe)));
        }
        let colored: Vec<&TruthMetal> = tm.iter().filter(|m| !m.colors.is_empty()).collect();
        if !colored.is_empty() {
            let truth: BTreeSet<String> = colored.iter().flat_map(|m| m.colors.iter().cloned()).collect();
            let any_kind = colored.iter().any(|m| m.kind.is_none());
            let loupe = metals
                .iter()
                .filter(|m| any_kind || colored.iter().any(|c| c.kind.as_deref() == Some(m.kind.as_str())))
                .flat_map(|m| m.colors.iter().cloned())
                .collect();
            out.push(("metal_color", compare_sets(&truth, &loupe)));
        }
    }
    if let Some(ts) = &t.stones {
        let loupe: BTreeSet<String> = p.stones().into_iter().map(|s| s.kind).collect();
        let mut c = compare_sets(ts, &loupe);
        // "No stones" is a value here: Loupe finding none is then right, not unknown.
        c.unknown = c.unknown && !ts.is_empty();
        out.push(("stone_kind", c));
    }
    out
}

fn score(products: &[Product], truth: &[Truth], max_misses: usize) -> Report {
    let by_handle: HashMap<&str, &Product> = products.iter().map(|p| (p.handle.as_str(), p)).collect();
    let mut by_sku: HashMap<&str, &Product> = HashMap::new();
    for p in products {
        for v in &p.variants {
            by_sku.entry(v.sku.as_str()).or_insert(p);
        }
    }
    let mut report = Report {
        truth_rows: truth.len(),
        fields: FIELDS.iter().map(|f| (*f, FieldScore::default())).collect(),
        ..Report::default()
    };
    for t in truth {
        let Some(p) = by_handle.get(t.key.as_str()).or_else(|| by_sku.get(t.key.as_str())) else {
            report.unmatched.push(t.key.clone());
            continue;
        };
        report.matched += 1;
        for (name, c) in compare(t, p) {
            let Some((_, f)) = report.fields.iter_mut().find(|(n, _)| *n == name) else { continue };
            f.scored += 1;
            if c.correct {
                f.correct += 1;
                continue;
            }
            if c.unknown {
                f.unknown += 1;
            }
            if f.misses.len() < max_misses {
                f.misses.push(Miss {
                    key: t.key.clone(),
                    title: p.title.clone(),
                    truth: c.truth,
                    loupe: c.loupe,
                });
            }
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{Metal, Stone, Variant};

    fn product() -> Product {
        Product {
            handle: "h1".into(),
            title: "Ring".into(),
            category: Some(model::Category::Ring),
            variants: vec![Variant {
                sku: "S1".into(),
                metals: vec![Metal {
                    kind: "gold".into(),
                    karat: Some(18),
                    colors: vec!["yellow".into()],
                    ..Metal::default()
                }],
                stones: vec![Stone { kind: "diamond".into(), ..Stone::default() }],
                ..Variant::default()
            }],
            ..Product::default()
        }
    }

    #[track_caller]
    fn check(truth: &str, expect: &[(&str, bool, bool)]) {
        let t = parse_truth(truth).unwrap();
        let got: Vec<(&str, bool, bool)> =
            compare(&t[0], &product()).into_iter().map(|(n, c)| (n, c.correct, c.unknown)).collect();
        assert_eq!(got, expect, "{truth}");
    }

    #[test]
    fn fields_are_scored_as_documented() {
        check(r#"{"handle":"h1","category":"ring"}"#, &[("category", true, false)]);
        check(r#"{"handle":"h1","gender":"men"}"#, &[("gender", false, true)]);
        check(
            r#"{"sku":"S1","metals":[{"kind":"gold","karat":"18K","colors":["yellow"]}]}"#,
            &[("metal_kind", true, false), ("karat", true, false), ("metal_color", true, false)],
        );
        check(r#"{"sku":"S1","metals":["gold","silver"]}"#, &[("metal_kind", false, false)]);
        check(r#"{"sku":"S1","metals":[{"colors":"rose"}]}"#, &[("metal_color", false, false)]);
        check(r#"{"sku":"S1","stones":["diamond"]}"#, &[("stone_kind", true, false)]);
        check(r#"{"sku":"S1","stones":[]}"#, &[("stone_kind", false, false)]);
        check(r#"{"sku":"S1","category":null}"#, &[]);
    }

    #[test]
    fn rows_match_by_handle_then_sku() {
        let t = parse_truth("{\"handle\":\"h1\"}\n{\"sku\":\"S1\"}\n{\"sku\":42}\n").unwrap();
        let r = score(&[product()], &t, 5);
        assert_eq!((r.matched, r.unmatched.clone()), (2, vec!["42".to_string()]));
        assert!(parse_truth("{\"category\":\"ring\"}").is_err());
    }
}
