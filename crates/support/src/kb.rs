//! The brand's knowledge base: passages cut from its help pages, and a
//! BM25 index over them.
//!
//! - Markdown is cut at every heading (`#` to `####`); a passage is the
//!   text under one heading, named by the path of headings above it
//!   ("Returns > Engraved pieces").
//! - HTML is cut the same way at `h1`-`h4` elements; scripts and styles are
//!   dropped and entities decoded.
//! - CSV needs a question column and an answer column (named `question` and
//!   `answer`, or `q` and `a`, in any case and order): each row is a
//!   passage headed by its question.
//!
//! Retrieval scores passages by BM25 (k1 1.2, b 0.75) over stemmed content
//! words, with the heading's words counted twice and a small table of the
//! trade's synonyms ("ship" also finds "delivery"), and measures how much
//! of the question a passage covers (the IDF-weighted share of the
//! question's terms it contains), which [`crate::answer`] uses to refuse.

use std::collections::HashMap;

use crate::text::{stem, terms, words};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
    Csv,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "markdown" | "md" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    /// From a file name's extension.
    pub fn guess(name: &str) -> Option<Format> {
        Format::parse(name.rsplit_once('.')?.1)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Csv => "csv",
        }
    }
}

/// One passage: the text under one heading of one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Passage {
    /// The file or page it came from, as the brand named it.
    pub source: String,
    /// The path of headings: "Shipping > Express".
    pub heading: String,
    pub text: String,
    /// Where it starts in the source (1-based line; CSV: the row's line).
    pub line: u64,
}

impl Passage {
    /// A key stable across re-imports of an unchanged source.
    pub fn key(&self) -> String {
        format!("{}#{}", self.source, self.heading)
    }
}

/// A source that could not be read, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Cuts `text` (the whole source) into passages. A CSV row with a
/// question and no answer (or the reverse) is left out and listed in the
/// second value with its line; a source with no passage at all is an error.
pub fn parse(
    source: &str,
    text: &str,
    format: Format,
) -> Result<(Vec<Passage>, Vec<ParseError>), ParseError> {
    let (passages, skipped) = match format {
        Format::Markdown => (markdown(source, text), Vec::new()),
        Format::Html => (html(source, text), Vec::new()),
        Format::Csv => csv_pairs(source, text)?,
    };
    if passages.is_empty() {
        let why = match skipped.first() {
            Some(first) => format!("no passages: every row was skipped ({first})"),
            None => format!("no passages: a {} source with no text under any heading", format.as_str()),
        };
        return Err(ParseError { line: 1, message: why });
    }
    Ok((passages, skipped))
}

/// Headings seen so far, by level; the path is the non-empty ones.
struct Trail(Vec<String>);

impl Trail {
    fn set(&mut self, level: usize, title: String) {
        self.0.truncate(level.saturating_sub(1));
        while self.0.len() < level.saturating_sub(1) {
            self.0.push(String::new());
        }
        self.0.push(title);
    }

    fn path(&self) -> String {
        // The document's own title (a lone `#` over everything) says nothing
        // a passage needs; it is left out when deeper headings exist.
        let parts: Vec<&str> = self.0.iter().filter(|s| !s.is_empty()).map(String::as_str).collect();
        if parts.len() > 1 && self.0.first().is_some_and(|t| !t.is_empty()) {
            parts[1..].join(" > ")
        } else {
            parts.join(" > ")
        }
    }
}

fn push(out: &mut Vec<Passage>, source: &str, heading: String, body: &[String], line: u64) {
    let text = body.join("\n").trim().to_string();
    if !text.is_empty() {
        out.push(Passage {
            source: source.to_string(),
            heading: if heading.is_empty() { source.to_string() } else { heading },
            text,
            line,
        });
    }
}

fn markdown(source: &str, text: &str) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut trail = Trail(Vec::new());
    let mut body: Vec<String> = Vec::new();
    let mut start = 1;
    let mut fence = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.trim_start().starts_with("```") {
            fence = !fence;
            continue;
        }
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if !fence && (1..=4).contains(&hashes) && trimmed[hashes..].starts_with(' ') {
            push(&mut out, source, trail.path(), &body, start);
            body.clear();
            trail.set(hashes, inline_markdown(trimmed[hashes..].trim()));
            start = i as u64 + 1;
        } else if fence || !trimmed.trim().is_empty() || body.last().is_some_and(|l| !l.is_empty()) {
            body.push(inline_markdown(trimmed.trim()));
        }
    }
    push(&mut out, source, trail.path(), &body, start);
    out
}

/// Markdown's inline marks dropped: `**bold**`, `_em_`, `` `code` ``,
/// `[text](url)` -> text, a list's bullet.
fn inline_markdown(line: &str) -> String {
    let line = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")).unwrap_or(line);
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        match after.find("](").and_then(|mid| after[mid + 2..].find(')').map(|close| (mid, mid + 2 + close)))
        {
            Some((mid, close)) => {
                out.push_str(&rest[..open]);
                out.push_str(&after[..mid]);
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out.replace("**", "").replace("__", "").replace('`', "")
}

fn html(source: &str, text: &str) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut trail = Trail(Vec::new());
    let mut body: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut heading: Option<(usize, String)> = None;
    let mut skip: Option<&'static str> = None;
    let mut rest = text;
    let mut line = 1u64;
    let mut start = 1u64;
    while !rest.is_empty() {
        let (chunk, tag) = match rest.find('<') {
            Some(lt) => match rest[lt..].find('>') {
                Some(gt) => (&rest[..lt], Some((&rest[lt + 1..lt + gt], lt + gt + 1))),
                None => (rest, None),
            },
            None => (rest, None),
        };
        line += chunk.matches('\n').count() as u64;
        if skip.is_none() {
            let t = decode_entities(chunk);
            match &mut heading {
                Some((_, h)) => h.push_str(&t),
                None => cur.push_str(&t),
            }
        }
        let Some((tag, advance)) = tag else { break };
        line += tag.matches('\n').count() as u64;
        rest = &rest[advance..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(s) = skip {
            if closing && name == s {
                skip = None;
            }
            continue;
        }
        match name.as_str() {
            "script" if !closing => skip = Some("script"),
            "style" if !closing => skip = Some("style"),
            "h1" | "h2" | "h3" | "h4" => {
                let level = (name.as_bytes()[1] - b'0') as usize;
                if closing {
                    if let Some((l, h)) = heading.take() {
                        trail.set(l, squeeze(&h));
                    }
                } else {
                    flush_line(&mut cur, &mut body);
                    push(&mut out, source, trail.path(), &body, start);
                    body.clear();
                    heading = Some((level, String::new()));
                    start = line;
                }
            }
            "p" | "div" | "br" | "li" | "tr" | "section" | "article" | "ul" | "ol" | "table" | "dd"
            | "dt" => flush_line(&mut cur, &mut body),
            _ => {}
        }
    }
    flush_line(&mut cur, &mut body);
    push(&mut out, source, trail.path(), &body, start);
    out
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn flush_line(cur: &mut String, body: &mut Vec<String>) {
    let line = squeeze(cur);
    if !line.is_empty() {
        body.push(line);
    }
    cur.clear();
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &after[1..e];
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "rsquo" | "lsquo" => Some('\''),
                "mdash" => Some('—'),
                "ndash" => Some('–'),
                _ if name.starts_with("#x") => {
                    u32::from_str_radix(&name[2..], 16).ok().and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            }
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn csv_pairs(source: &str, text: &str) -> Result<(Vec<Passage>, Vec<ParseError>), ParseError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers = reader.headers().map_err(|e| ParseError { line: 1, message: e.to_string() })?.clone();
    let col =
        |names: &[&str]| headers.iter().position(|h| names.contains(&h.trim().to_ascii_lowercase().as_str()));
    let (Some(q), Some(a)) = (col(&["question", "q"]), col(&["answer", "a"])) else {
        return Err(ParseError {
            line: 1,
            message: format!(
                "a knowledge-base CSV needs a `question` and an `answer` column; the header has: {}",
                headers.iter().collect::<Vec<_>>().join(", ")
            ),
        });
    };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for record in reader.records() {
        let record = record
            .map_err(|e| ParseError { line: e.position().map_or(0, |p| p.line()), message: e.to_string() })?;
        let line = record.position().map_or(0, |p| p.line());
        let (question, answer) = (record.get(q).unwrap_or("").trim(), record.get(a).unwrap_or("").trim());
        match (question.is_empty(), answer.is_empty()) {
            (true, true) => continue,
            (false, false) => out.push(Passage {
                source: source.to_string(),
                heading: squeeze(question),
                text: answer.to_string(),
                line,
            }),
            (true, false) => {
                skipped.push(ParseError { line, message: "an answer without a question, skipped".into() })
            }
            (false, true) => skipped.push(ParseError {
                line,
                message: format!("the question {question:?} has no answer, skipped"),
            }),
        }
    }
    Ok((out, skipped))
}

/// Words a shopper uses for what a help page calls otherwise, both ways.
const SYNONYMS: &[&[&str]] = &[
    &[
        "ship", "deliver", "delivery", "post", "postage", "arrive", "dispatch", "courier", "carrier",
        "parcel", "package",
    ],
    &["return", "exchange"],
    &["refund", "reimburse"],
    &["resiz", "size", "sizing"],
    &["clean", "care", "polish", "tarnish"],
    &["certificate", "certification", "report", "grading", "appraisal", "igi", "gia"],
    &["engrav", "personaliz", "inscri"],
    &["cost", "price", "fee", "charge"],
    &["wrap", "packag"],
    &["real", "genuine", "authentic"],
    &["repair", "fix", "broken", "warranty"],
    &["custom", "bespoke"],
    &[
        "pay",
        "payment",
        "instal",
        "installment",
        "klarna",
        "afterpay",
        "financ",
        "amex",
        "visa",
        "mastercard",
        "paypal",
        "card",
    ],
    &["account", "sign", "regist", "login", "log", "password"],
    &["email", "contact", "phone", "call", "reach", "chat"],
    &["tight", "loose", "bigger", "smaller", "resiz"],
    &["refundable", "refund"],
    &["lost", "missing", "stolen", "insur"],
    &["cancel", "cancellation"],
    &["lab", "synthetic"],
    &["hallmark", "stamp", "purity"],
];

/// Phrases read as one word before retrieval.
const PHRASES: &[(&str, &str)] = &[
    ("send back", "return"),
    ("send it back", "return"),
    ("money back", "refund"),
    ("made to order", "custom"),
    ("one of a kind", "custom"),
    ("gift box", "wrap"),
    ("lab grown", "lab"),
    ("lab created", "lab"),
    // Terms of art that are one idea: their words apart mean something else.
    ("price match", "pricematch"),
    ("price matching", "pricematch"),
    ("price beat", "pricematch"),
    ("trade in", "tradein"),
    ("buy back", "buyback"),
];

fn question_terms(question: &str) -> Vec<String> {
    let mut text = format!(" {} ", words(question).join(" "));
    for (phrase, word) in PHRASES {
        text = text.replace(&format!(" {phrase} "), &format!(" {word} "));
    }
    terms(&text)
}

fn synonyms_of(term: &str) -> Vec<String> {
    let mut out = Vec::new();
    for group in SYNONYMS {
        if group.iter().any(|g| stem(g) == term) {
            for g in *group {
                for w in words(g) {
                    let s = stem(&w);
                    if s != term && !out.contains(&s) {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// Document frequencies of terms over the customer messages the
/// classifier trains on: what is generic in how customers write.
struct Background {
    df: HashMap<String, u32>,
    n: f32,
    max_idf: f32,
    median_idf: f32,
}

impl Background {
    fn idf(&self, term: &str) -> Option<f32> {
        self.df.get(term).map(|df| ((self.n + 1.0) / (*df as f32 + 1.0)).ln() + 1.0)
    }
}

fn background() -> &'static Background {
    static BG: std::sync::OnceLock<Background> = std::sync::OnceLock::new();
    BG.get_or_init(|| {
        let texts = crate::training::base();
        let mut df: HashMap<String, u32> = HashMap::new();
        for (t, _) in &texts {
            let mut ts = question_terms(t);
            ts.sort();
            ts.dedup();
            for term in ts {
                *df.entry(term).or_default() += 1;
            }
        }
        let n = texts.len() as f32;
        let max_idf = (n + 1.0).ln() + 1.0;
        let mut idfs: Vec<f32> = df.values().map(|d| ((n + 1.0) / (*d as f32 + 1.0)).ln() + 1.0).collect();
        idfs.sort_by(f32::total_cmp);
        let median_idf = idfs.get(idfs.len() / 2).copied().unwrap_or(max_idf);
        Background { df, n, max_idf, median_idf }
    })
}

/// A passage found for a question.
#[derive(Clone, Debug)]
pub struct Hit {
    pub passage: usize,
    pub score: f32,
    /// The IDF-weighted share of the question's terms the passage has
    /// (itself or as a synonym at half weight), 0 to 1.
    pub coverage: f32,
}

/// BM25 over a set of passages.
pub struct Index {
    pub passages: Vec<Passage>,
    /// Term -> (passage, term frequency).
    postings: HashMap<String, Vec<(usize, f32)>>,
    lengths: Vec<f32>,
    avg_len: f32,
}

impl Index {
    pub fn new(passages: Vec<Passage>) -> Index {
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(passages.len());
        for (i, p) in passages.iter().enumerate() {
            let mut tf: HashMap<String, f32> = HashMap::new();
            for t in terms(&p.heading) {
                *tf.entry(t).or_default() += 2.0;
            }
            for t in terms(&p.text) {
                *tf.entry(t).or_default() += 1.0;
            }
            lengths.push(tf.values().sum());
            for (t, f) in tf {
                postings.entry(t).or_default().push((i, f));
            }
        }
        let avg_len =
            if lengths.is_empty() { 1.0 } else { lengths.iter().sum::<f32>() / lengths.len() as f32 };
        Index { passages, postings, lengths, avg_len: avg_len.max(1.0) }
    }

    pub fn len(&self) -> usize {
        self.passages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.passages.is_empty()
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.passages.len() as f32;
        let df = self.postings.get(term).map_or(0, Vec::len) as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    /// The best `limit` passages for `question`, best first.
    pub fn search(&self, question: &str, limit: usize) -> Vec<Hit> {
        self.search_by(question, limit, true)
    }

    /// Plain BM25 order (no coverage weighting): the evaluation's baseline.
    pub fn search_bm25(&self, question: &str, limit: usize) -> Vec<Hit> {
        self.search_by(question, limit, false)
    }

    fn search_by(&self, question: &str, limit: usize, by_coverage: bool) -> Vec<Hit> {
        let mut q: Vec<String> = question_terms(question);
        q.sort();
        q.dedup();
        if q.is_empty() || self.passages.is_empty() {
            return Vec::new();
        }
        // How much each word of the question matters to its coverage: how
        // rare it is in customers' messages in general (the training
        // corpus), so that "order" or "guys" weigh little and "amex" or
        // "engrave" much. A word that neither customers' messages nor the
        // knowledge base use (a typo, a name) weighs as a middling word.
        let bg = background();
        let weight_of = |t: &str| match bg.idf(t) {
            Some(w) => w,
            None if self.postings.contains_key(t) => bg.max_idf,
            None => bg.median_idf,
        };
        let total_weight: f32 = q.iter().map(|t| weight_of(t)).sum();
        let mut scores: HashMap<usize, (f32, f32)> = HashMap::new();
        let (k1, b) = (1.2f32, 0.75f32);
        for t in &q {
            // Per passage, the better of finding the word itself (1) or a
            // synonym (0.5).
            let mut found: HashMap<usize, f32> = HashMap::new();
            let own = std::iter::once((t.clone(), 1.0f32));
            let syn = synonyms_of(t).into_iter().map(|s| (s, 0.5f32));
            for (term, weight) in own.chain(syn) {
                let Some(list) = self.postings.get(&term) else { continue };
                let idf = self.idf(&term);
                for &(p, tf) in list {
                    let norm = tf * (k1 + 1.0) / (tf + k1 * (1.0 - b + b * self.lengths[p] / self.avg_len));
                    scores.entry(p).or_default().0 += weight * idf * norm;
                    let f = found.entry(p).or_default();
                    *f = f.max(weight);
                }
            }
            let w = weight_of(t);
            for (p, f) in found {
                scores.entry(p).or_default().1 += f * w;
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(passage, (score, covered))| Hit {
                passage,
                score,
                coverage: (covered / total_weight).min(1.0),
            })
            .collect();
        // Ranked by BM25 weighted by coverage: a passage that matches one
        // word many times loses to one that has all of the question.
        let rank = |h: &Hit| if by_coverage { h.score * h.coverage } else { h.score };
        hits.sort_by(|a, b| rank(b).total_cmp(&rank(a)).then(a.passage.cmp(&b.passage)));
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests;
