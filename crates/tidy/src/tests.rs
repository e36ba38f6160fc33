//! The checks themselves. Each collects every violation, then fails once
//! with the list: `FILE: rule` per line.

use std::path::{Path, PathBuf};

use crate::lex::literals_outside_tests;
use crate::{ENGINES, NOT_FOR_ENGINES};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the workspace root")
}

/// Every crate folder under `crates/`, by name.
fn crates() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("crates"))
        .expect("crates/ is readable")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    out.sort();
    out
}

/// `(dependencies, dev-dependencies)` of the crate at `dir`.
fn dependencies(dir: &Path) -> (Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml is readable");
    let manifest: toml::Table = text.parse().expect("Cargo.toml parses");
    let keys = |section: &str| -> Vec<String> {
        manifest
            .get(section)
            .and_then(|t| t.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    };
    (keys("dependencies"), keys("dev-dependencies"))
}

/// Every `.rs` file under `dir`, skipping build output and node modules.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            if p.is_dir() {
                if name != "target" && name != "node_modules" && name != "fuzz" {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

#[track_caller]
fn report(rule: &str, violations: Vec<String>) {
    assert!(violations.is_empty(), "{rule}:\n  {}", violations.join("\n  "));
}

#[test]
fn engines_know_no_storage_http_or_wire() {
    let mut bad = Vec::new();
    for (name, dir) in crates().into_iter().filter(|(n, _)| ENGINES.contains(&n.as_str())) {
        let (deps, _) = dependencies(&dir);
        for dep in deps.iter().filter(|d| NOT_FOR_ENGINES.contains(&d.as_str())) {
            bad.push(format!("crates/{name}/Cargo.toml: engine crate depends on {dep}"));
        }
        for file in rust_files(&dir.join("src")) {
            let src = std::fs::read_to_string(&file).unwrap_or_default();
            for (n, line) in src.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                if code.contains("derive(") && code.contains("Serialize") {
                    bad.push(format!(
                        "{}:{}: engine type derives Serialize (wire types live in app)",
                        relative(&file),
                        n + 1
                    ));
                }
            }
        }
    }
    report("engine crates do no storage, HTTP or wire", bad);
}

#[test]
fn only_store_knows_redb_and_only_http_knows_axum() {
    let mut bad = Vec::new();
    for (name, dir) in crates() {
        let (deps, dev) = dependencies(&dir);
        let all: Vec<&String> = deps.iter().chain(&dev).collect();
        if name != "store" && all.iter().any(|d| *d == "redb") {
            bad.push(format!("crates/{name}/Cargo.toml: only store may depend on redb"));
        }
        if name != "http" && all.iter().any(|d| *d == "axum") {
            bad.push(format!("crates/{name}/Cargo.toml: only http may depend on axum"));
        }
    }
    report("storage and HTTP stay in their crates", bad);
}

/// Tags whose markup must come from templates.
const TAGS: &[&str] = &[
    "html",
    "head",
    "body",
    "main",
    "header",
    "footer",
    "nav",
    "section",
    "article",
    "aside",
    "div",
    "span",
    "p",
    "a",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "form",
    "input",
    "button",
    "label",
    "select",
    "option",
    "textarea",
    "img",
    "figure",
    "figcaption",
    "details",
    "summary",
    "strong",
    "em",
    "small",
    "code",
    "pre",
    "br",
    "hr",
    "script",
    "style",
    "link",
    "meta",
    "title",
    "svg",
    "path",
    "g",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    "text",
    "defs",
    "linearGradient",
    "radialGradient",
    "stop",
    "mark",
    "time",
    "abbr",
];

/// The first tag `text` opens or closes (`<div`, `</li>`), if any.
fn html_tag(text: &str) -> Option<&'static str> {
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        let after = rest[at + 1..].strip_prefix('/').unwrap_or(&rest[at + 1..]);
        let name: String = after.chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        let boundary = after[name.len()..].chars().next();
        if let Some(tag) = TAGS.iter().find(|t| **t == name) {
            if matches!(boundary, Some(' ' | '>' | '/' | '\n' | '\\') | None) {
                return Some(tag);
            }
        }
        rest = &rest[at + 1..];
    }
    None
}

/// Files whose strings hold tags for another reason than building a page.
const NOT_PAGES: &[(&str, &str)] = &[
    (
        "crates/catalog/src/normalize/html.rs",
        "reads the HTML of product descriptions to strip it; builds none",
    ),
    (
        "crates/sim/src/catalog.rs",
        "writes synthetic descriptions in the HTML a Shopify export holds: data, not pages",
    ),
    ("crates/loupe/src/cmd/bench.rs", "the same for the benchmark catalog"),
    (
        "crates/support/src/kb/tests.rs",
        "HTML help pages as a brand exports them, for the knowledge-base reader's tests",
    ),
];

#[test]
fn no_html_outside_templates() {
    let mut bad = Vec::new();
    // The tidy crate's own sources are its tests.
    for (_, dir) in crates().into_iter().filter(|(name, _)| name != "tidy") {
        for file in rust_files(&dir.join("src")) {
            let path = relative(&file);
            if NOT_PAGES.iter().any(|(p, _)| *p == path) {
                continue;
            }
            let src = std::fs::read_to_string(&file).unwrap_or_default();
            for lit in literals_outside_tests(&src) {
                if let Some(tag) = html_tag(&lit.text) {
                    bad.push(format!(
                        "{}:{}: builds a <{tag}> tag in a string; write it in a maud template (html! {{ ... }})",
                        relative(&file),
                        lit.line
                    ));
                }
            }
        }
    }
    report("no HTML outside templates", bad);
}

#[test]
fn every_crate_has_a_section_in_architecture_md() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md exists");
    let bad: Vec<String> = crates()
        .into_iter()
        .filter(|(name, _)| {
            !text.lines().any(|l| l.starts_with('#') && l.contains(&format!("`crates/{name}`")))
        })
        .map(|(name, _)| format!("crates/{name}: no `### `crates/{name}`` section in ARCHITECTURE.md"))
        .collect();
    report("every crate is on the code map", bad);
}

#[test]
fn every_rust_file_opens_with_a_module_doc() {
    let mut bad = Vec::new();
    for (_, dir) in crates() {
        for file in rust_files(&dir) {
            let src = std::fs::read_to_string(&file).unwrap_or_default();
            let first = src.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("#!["));
            if !first.is_some_and(|l| l.starts_with("//!")) {
                bad.push(format!("{}: does not open with a `//!` paragraph", relative(&file)));
            }
        }
    }
    report("every file says what it is for", bad);
}

#[test]
fn the_tag_finder_finds_tags_and_nothing_else() {
    assert_eq!(html_tag("<div class=\"x\">"), Some("div"));
    assert_eq!(html_tag("</li>"), Some("li"));
    assert_eq!(html_tag("a <br/> b"), Some("br"));
    assert_eq!(html_tag("<svg viewBox"), Some("svg"));
    assert_eq!(html_tag("a < b and c <= d"), None);
    assert_eq!(html_tag("Vec<String>"), None);
    assert_eq!(html_tag("<pre-order>"), None);
    assert_eq!(html_tag("<section"), Some("section"));
}

#[test]
fn the_readme_lists_every_error_code() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md exists");
    let bad: Vec<String> = app::Code::ALL
        .iter()
        .filter(|c| !readme.contains(&format!("| `{}` | {} |", c.as_str(), c.status())))
        .map(|c| format!("README.md: the error table lacks `{}` ({})", c.as_str(), c.status()))
        .collect();
    report("the README's error table matches app::Code", bad);
}
