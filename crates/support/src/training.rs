//! The examples the shipped classifier learns from, compiled into the
//! binary: Bitext's retail customer-service utterances (`data/bitext-train.csv`,
//! CDLA-Sharing-1.0, its 27 intents mapped to Loupe's by
//! [`Intent::from_bitext`]) and the jewelry examples written for Loupe
//! (`data/jewelry-intents.csv`). Bitext's dev split and the held-out jewelry
//! set are not here: they are what the model is measured on
//! (`bench/support/`).

use crate::Intent;

const BITEXT: &str = include_str!("../data/bitext-train.csv");
const JEWELRY: &str = include_str!("../data/jewelry-intents.csv");

/// A row of a training file that could not be used.
#[derive(Debug, PartialEq, Eq)]
pub struct BadRow {
    pub file: &'static str,
    pub line: u64,
    pub why: String,
}

/// Every shipped example. A bad row in a shipped file is a build mistake
/// that a test catches ([`check`]); here it is skipped.
pub fn base() -> Vec<(String, Intent)> {
    let mut out = Vec::with_capacity(7_500);
    read("bitext-train.csv", BITEXT, Intent::from_bitext, &mut out, &mut Vec::new());
    read("jewelry-intents.csv", JEWELRY, Intent::parse, &mut out, &mut Vec::new());
    out
}

/// The shipped files' unusable rows (none, when the data is right).
pub fn check() -> Vec<BadRow> {
    let mut bad = Vec::new();
    read("bitext-train.csv", BITEXT, Intent::from_bitext, &mut Vec::new(), &mut bad);
    read("jewelry-intents.csv", JEWELRY, Intent::parse, &mut Vec::new(), &mut bad);
    bad
}

/// Reads a two-column `text,intent` CSV (header first), mapping the label.
pub fn read_labelled(
    file: &'static str,
    data: &str,
    label: fn(&str) -> Option<Intent>,
) -> (Vec<(String, Intent)>, Vec<BadRow>) {
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    read(file, data, label, &mut out, &mut bad);
    (out, bad)
}

fn read(
    file: &'static str,
    data: &str,
    label: fn(&str) -> Option<Intent>,
    out: &mut Vec<(String, Intent)>,
    bad: &mut Vec<BadRow>,
) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data.as_bytes());
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                bad.push(BadRow { file, line, why: e.to_string() });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        match (record.get(0), record.get(1).and_then(label)) {
            (Some(text), Some(intent)) if !text.trim().is_empty() => out.push((text.to_string(), intent)),
            _ => bad.push(BadRow {
                file,
                line,
                why: format!("no text or an unknown intent: {:?}", record.get(1)),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_files_have_no_bad_rows_and_cover_every_intent() {
        assert_eq!(check(), []);
        let base = base();
        for intent in Intent::ALL {
            let n = base.iter().filter(|(_, i)| *i == intent).count();
            assert!(n >= 20, "{intent}: only {n} examples");
        }
    }
}
