//! Measures for the support engine: intent accuracy and macro-F1 over a
//! labelled set, escalation precision and recall, and answer grounding.
//! `loupe eval support` prints them; `BENCHMARKS.md` records them.

use std::collections::BTreeMap;

use crate::Intent;

/// Per-label precision, recall and F1, and the overall accuracy.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    pub n: usize,
    pub correct: usize,
    /// Label -> (true positives, predicted, actual).
    pub per_label: BTreeMap<String, (usize, usize, usize)>,
}

impl Scores {
    pub fn add(&mut self, truth: &str, predicted: &str) {
        self.n += 1;
        if truth == predicted {
            self.correct += 1;
        }
        self.per_label.entry(truth.to_string()).or_default().2 += 1;
        let p = self.per_label.entry(predicted.to_string()).or_default();
        p.1 += 1;
        if truth == predicted {
            p.0 += 1;
        }
    }

    pub fn accuracy(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.correct as f64 / self.n as f64
        }
    }

    /// F1 of one label (0 when it was never right).
    pub fn f1(&self, label: &str) -> f64 {
        let Some(&(tp, predicted, actual)) = self.per_label.get(label) else { return 0.0 };
        if tp == 0 {
            return 0.0;
        }
        let (p, r) = (tp as f64 / predicted as f64, tp as f64 / actual as f64);
        2.0 * p * r / (p + r)
    }

    /// The mean F1 over the labels that occur in the truth.
    pub fn macro_f1(&self) -> f64 {
        let labels: Vec<&String> = self.per_label.iter().filter(|(_, v)| v.2 > 0).map(|(k, _)| k).collect();
        if labels.is_empty() {
            return 0.0;
        }
        labels.iter().map(|l| self.f1(l)).sum::<f64>() / labels.len() as f64
    }
}

/// Precision and recall of a yes/no decision.
#[derive(Clone, Copy, Debug, Default)]
pub struct Binary {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Binary {
    pub fn add(&mut self, truth: bool, predicted: bool) {
        match (truth, predicted) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    pub fn precision(&self) -> f64 {
        let d = self.tp + self.fp;
        if d == 0 {
            0.0
        } else {
            self.tp as f64 / d as f64
        }
    }

    pub fn recall(&self) -> f64 {
        let d = self.tp + self.fn_;
        if d == 0 {
            0.0
        } else {
            self.tp as f64 / d as f64
        }
    }
}

/// The baseline the classifier is measured against in the same run: a
/// multinomial naive Bayes over lowercase words (Laplace smoothing), trained
/// on the same examples.
pub struct NaiveBayes {
    log_prior: Vec<f64>,
    counts: Vec<std::collections::HashMap<String, f64>>,
    totals: Vec<f64>,
    vocab: usize,
}

impl NaiveBayes {
    pub fn train(examples: &[(String, Intent)]) -> NaiveBayes {
        let k = Intent::ALL.len();
        let mut counts = vec![std::collections::HashMap::new(); k];
        let mut docs = vec![0f64; k];
        let mut vocab = std::collections::HashSet::new();
        for (text, intent) in examples {
            docs[intent.index()] += 1.0;
            for w in crate::text::words(text) {
                vocab.insert(w.clone());
                *counts[intent.index()].entry(w).or_insert(0.0) += 1.0;
            }
        }
        let n: f64 = docs.iter().sum();
        let totals =
            counts.iter().map(|c: &std::collections::HashMap<String, f64>| c.values().sum()).collect();
        let log_prior =
            docs.iter().map(|d| if *d == 0.0 { f64::NEG_INFINITY } else { (d / n).ln() }).collect();
        NaiveBayes { log_prior, counts, totals, vocab: vocab.len() }
    }

    pub fn predict(&self, text: &str) -> Intent {
        let words = crate::text::words(text);
        let mut best = (f64::NEG_INFINITY, Intent::Other);
        for intent in Intent::ALL {
            let i = intent.index();
            let denom = self.totals[i] + self.vocab as f64;
            let score = self.log_prior[i]
                + words
                    .iter()
                    .map(|w| ((self.counts[i].get(w).copied().unwrap_or(0.0) + 1.0) / denom).ln())
                    .sum::<f64>();
            if score > best.0 {
                best = (score, intent);
            }
        }
        best.1
    }
}

/// The demo simulator's ticket topics as Loupe's intents: a gift deadline
/// asks whether delivery makes a date (shipping); a delay asks where the
/// order is.
pub fn demo_topic_intent(topic: &str) -> Option<Intent> {
    Some(match topic {
        "authenticity" => Intent::Authenticity,
        "care" => Intent::Care,
        "engraving" => Intent::Engraving,
        "gift_deadline" => Intent::Shipping,
        "refund" => Intent::Refund,
        "repair" => Intent::RepairWarranty,
        "ring_sizing" => Intent::Sizing,
        "shipping_delay" => Intent::OrderStatus,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_by_hand() {
        let mut s = Scores::default();
        for (t, p) in [("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")] {
            s.add(t, p);
        }
        assert_eq!(s.accuracy(), 0.5);
        // a: p 1, r 0.5 -> 2/3; b: p 1/3, r 1 -> 0.5; c: 0.
        assert!((s.macro_f1() - (2.0 / 3.0 + 0.5) / 3.0).abs() < 1e-12);
    }
}
