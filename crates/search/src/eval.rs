//! Offline evaluation: graded judgments written as rules over a catalog's
//! own fields, NDCG@k, and the plain BM25 baseline (tantivy's default query
//! parser over the same text) to compare against.
//!
//! Judgment file format, one query per line:
//!
//! ```text
//! love ring in yellow gold => 3: title~love & tags~yellow ; 1: title~love
//! ```
//!
//! The first condition a product meets gives its grade (0 if none).
//! Conditions are `field~text` (contains, case and accent insensitive),
//! `field!~text`, `price<N`, `price>N`, joined by `&`; fields are `title`,
//! `description`, `tags`, `category`, `handle`, `text` (all of them).

use model::Product;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;

use crate::index::SearchIndex;
use crate::request::SearchRequest;
use crate::text::words;
use crate::{Error, Result};

/// The judged query set for the Cartier ring catalog in `../shared/datasets`.
pub const CARTIER_JUDGMENTS: &str = include_str!("../data/eval/cartier-queries.txt");

#[derive(Clone, Debug, PartialEq)]
pub struct JudgedQuery {
    pub query: String,
    pub grades: Vec<(u8, Vec<Cond>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Cond {
    Contains { field: String, text: String, negate: bool },
    PriceBelow(f64),
    PriceAbove(f64),
}

pub fn parse_judgments(text: &str) -> Result<Vec<JudgedQuery>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |m: &str| Error::BadRequest(format!("judgments line {}: {m}", i + 1));
        let (query, rest) = line.split_once("=>").ok_or_else(|| bad("expected `=>`"))?;
        let mut grades = Vec::new();
        for part in rest.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (g, conds) = part.split_once(':').ok_or_else(|| bad("expected `grade: conditions`"))?;
            let g: u8 = g.trim().parse().map_err(|_| bad("bad grade"))?;
            let mut cs = Vec::new();
            for c in conds.split('&').map(str::trim) {
                if let Some(v) = c.strip_prefix("price<") {
                    cs.push(Cond::PriceBelow(v.trim().parse().map_err(|_| bad("bad price"))?));
                } else if let Some(v) = c.strip_prefix("price>") {
                    cs.push(Cond::PriceAbove(v.trim().parse().map_err(|_| bad("bad price"))?));
                } else if let Some((f, t)) = c.split_once("!~") {
                    cs.push(Cond::Contains {
                        field: f.trim().into(),
                        text: words(t).join(" "),
                        negate: true,
                    });
                } else if let Some((f, t)) = c.split_once('~') {
                    cs.push(Cond::Contains {
                        field: f.trim().into(),
                        text: words(t).join(" "),
                        negate: false,
                    });
                } else {
                    return Err(bad(&format!("bad condition {c:?}")));
                }
            }
            grades.push((g, cs));
        }
        out.push(JudgedQuery { query: query.trim().to_string(), grades });
    }
    Ok(out)
}

fn field_text(p: &Product, field: &str) -> String {
    let raw = match field {
        "title" => p.title.clone(),
        "description" => p.description.clone(),
        "tags" => p.tags.join(", "),
        "category" => p.raw_category.clone().unwrap_or_default(),
        "handle" => p.handle.clone(),
        _ => format!(
            "{} {} {} {}",
            p.title,
            p.description,
            p.tags.join(", "),
            p.raw_category.as_deref().unwrap_or("")
        ),
    };
    format!(" {} ", words(&raw).join(" "))
}

/// The grade a judged query gives a product.
pub fn grade(q: &JudgedQuery, p: &Product) -> u8 {
    let price = p.price_range().map(|(lo, _)| lo.major());
    for (g, conds) in &q.grades {
        let ok = conds.iter().all(|c| match c {
            Cond::Contains { field, text, negate } => {
                field_text(p, field).contains(&format!(" {text}")) != *negate
            }
            Cond::PriceBelow(x) => price.is_some_and(|p| p < *x),
            Cond::PriceAbove(x) => price.is_some_and(|p| p > *x),
        });
        if ok {
            return *g;
        }
    }
    0
}

/// NDCG@k of a ranking's grades given every product's grade.
pub fn ndcg(ranked: &[u8], all: &[u8], k: usize) -> f64 {
    let dcg = |g: &[u8]| -> f64 {
        g.iter()
            .take(k)
            .enumerate()
            .map(|(i, &g)| (2f64.powi(i32::from(g)) - 1.0) / (i as f64 + 2.0).log2())
            .sum()
    };
    let mut ideal = all.to_vec();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg = dcg(&ideal);
    if idcg == 0.0 {
        1.0
    } else {
        dcg(ranked) / idcg
    }
}

#[derive(Clone, Debug)]
pub struct QueryEval {
    pub query: String,
    pub loupe: f64,
    pub baseline: f64,
    pub relevant: usize,
    pub loupe_top: Vec<String>,
    /// How often shoppers searched it (1 for hand-judged queries).
    pub weight: f64,
}

#[derive(Clone, Debug)]
pub struct EvalReport {
    pub k: usize,
    pub queries: Vec<QueryEval>,
    pub mean_loupe: f64,
    pub mean_baseline: f64,
}

impl SearchIndex {
    /// Plain BM25: tantivy's default query parser over the same title and
    /// body text, no understanding, no filters. Returns product handles.
    pub fn baseline(&self, query: &str, k: usize) -> Result<Vec<String>> {
        let parser = QueryParser::for_index(&self.tantivy, vec![self.f_title, self.f_body]);
        let clipped: String = query.chars().take(crate::MAX_QUERY_CHARS).collect();
        let (q, _) = parser.parse_query_lenient(&clipped);
        let searcher = self.reader.searcher();
        let top =
            searcher.search(&q, &TopDocs::with_limit(k.max(1))).map_err(|e| Error::Index(e.to_string()))?;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let col = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("ord")
                .map_err(|e| Error::Index(e.to_string()))?;
            if let Some(ord) = col.first(addr.doc_id) {
                if let Some(d) = self.docs.get(ord as usize) {
                    out.push(d.handle.clone());
                }
            }
        }
        Ok(out)
    }

    /// NDCG@k of Loupe and of the BM25 baseline over judged queries.
    pub fn evaluate(&self, products: &[Product], judged: &[JudgedQuery], k: usize) -> Result<EvalReport> {
        let by_handle: std::collections::HashMap<&str, &Product> =
            products.iter().map(|p| (p.handle.as_str(), p)).collect();
        let mut queries = Vec::new();
        for q in judged {
            let all: Vec<u8> = products.iter().map(|p| grade(q, p)).collect();
            let mut req = SearchRequest::new(&q.query);
            req.limit = k;
            let resp = self.search(&req)?;
            let loupe: Vec<u8> = resp
                .hits
                .iter()
                .map(|h| by_handle.get(h.handle.as_str()).map_or(0, |p| grade(q, p)))
                .collect();
            let base: Vec<u8> = self
                .baseline(&q.query, k)?
                .iter()
                .map(|h| by_handle.get(h.as_str()).map_or(0, |p| grade(q, p)))
                .collect();
            queries.push(QueryEval {
                query: q.query.clone(),
                loupe: ndcg(&loupe, &all, k),
                baseline: ndcg(&base, &all, k),
                relevant: all.iter().filter(|&&g| g > 0).count(),
                loupe_top: resp.hits.iter().take(3).map(|h| h.title.clone()).collect(),
                weight: 1.0,
            });
        }
        let mean = |f: fn(&QueryEval) -> f64| {
            if queries.is_empty() {
                0.0
            } else {
                queries.iter().map(f).sum::<f64>() / queries.len() as f64
            }
        };
        Ok(EvalReport { k, mean_loupe: mean(|q| q.loupe), mean_baseline: mean(|q| q.baseline), queries })
    }
}

impl SearchIndex {
    /// NDCG@k with binary relevance: `sets` gives each query (with how often
    /// it was searched) and the handles relevant to it, as a simulator's
    /// ground truth does.
    pub fn evaluate_sets(
        &self,
        sets: &[(String, f64, &std::collections::HashSet<String>)],
        k: usize,
    ) -> Result<EvalReport> {
        let mut queries = Vec::new();
        for (query, weight, relevant) in sets {
            let all = vec![1u8; relevant.len()];
            let mut req = SearchRequest::new(query);
            req.limit = k;
            let resp = self.search(&req)?;
            let loupe: Vec<u8> = resp.hits.iter().map(|h| u8::from(relevant.contains(&h.handle))).collect();
            let base: Vec<u8> =
                self.baseline(query, k)?.iter().map(|h| u8::from(relevant.contains(h))).collect();
            queries.push(QueryEval {
                query: query.clone(),
                loupe: ndcg(&loupe, &all, k),
                baseline: ndcg(&base, &all, k),
                relevant: relevant.len(),
                loupe_top: resp.hits.iter().take(3).map(|h| h.title.clone()).collect(),
                weight: *weight,
            });
        }
        let mean = |f: fn(&QueryEval) -> f64| {
            if queries.is_empty() {
                0.0
            } else {
                queries.iter().map(f).sum::<f64>() / queries.len() as f64
            }
        };
        Ok(EvalReport { k, mean_loupe: mean(|q| q.loupe), mean_baseline: mean(|q| q.baseline), queries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ndcg_orders() {
        assert_eq!(ndcg(&[3, 1, 0], &[0, 1, 3], 10), 1.0);
        assert!(ndcg(&[0, 1, 3], &[0, 1, 3], 10) < 0.7);
        assert_eq!(ndcg(&[], &[0, 0], 10), 1.0);
    }

    #[test]
    fn judgments_parse_and_grade() {
        let j = parse_judgments(
            "# c\nlove ring => 3: title~love & tags~yellow gold ; 1: title~love & price<2000\n",
        )
        .unwrap();
        let mut p =
            Product { title: "Love ring".into(), tags: vec!["yellow gold".into()], ..Product::default() };
        assert_eq!(grade(&j[0], &p), 3);
        p.tags.clear();
        assert_eq!(grade(&j[0], &p), 0);
        assert!(parse_judgments("x => 3 title").is_err());
    }
}
