//! A learned second opinion on escalation: binary logistic regression over
//! the classifier's features (words, word pairs, character n-grams),
//! trained on labelled messages (`data/escalation-train.csv`, written for
//! Loupe). The lexicons in [`crate::triage`] name the reason; this model
//! catches the ways of saying it the lexicons lack (sarcasm, understatement,
//! a threat phrased calmly). Its threshold was chosen on the dev set.

use std::collections::HashMap;

use crate::classify::{features, shuffle};

const TRAIN: &str = include_str!("../data/escalation-train.csv");

/// A trained model.
pub struct EscalationModel {
    vocab: HashMap<u64, u32>,
    weights: Vec<f32>,
    bias: f32,
    pub examples: usize,
}

/// The shipped training rows: `(text, escalate)`.
pub fn training() -> Vec<(String, bool)> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(TRAIN.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let text = r.get(0)?.trim().to_string();
            let label = match r.get(1)?.trim() {
                "true" => true,
                "false" => false,
                _ => return None,
            };
            (!text.is_empty()).then_some((text, label))
        })
        .collect()
}

impl EscalationModel {
    pub fn train(examples: &[(String, bool)]) -> EscalationModel {
        let encoded: Vec<(Vec<u64>, bool)> =
            examples.iter().map(|(t, y)| (features(t).1.into_iter().map(|f| f.hash).collect(), *y)).collect();
        let mut vocab: HashMap<u64, u32> = HashMap::new();
        for (hashes, _) in &encoded {
            for h in hashes {
                let n = vocab.len() as u32;
                vocab.entry(*h).or_insert(n);
            }
        }
        let rows: Vec<(Vec<u32>, f32)> = encoded
            .iter()
            .map(|(hs, y)| {
                (
                    hs.iter().filter_map(|h| vocab.get(h).copied()).collect::<Vec<u32>>(),
                    if *y { 1.0 } else { 0.0 },
                )
            })
            .filter(|(f, _)| !f.is_empty())
            .collect();
        let mut weights = vec![0f32; vocab.len()];
        let mut bias = 0f32;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let epochs = 30;
        let total = (epochs * rows.len()).max(1) as f32;
        let mut step = 0usize;
        for _ in 0..epochs {
            shuffle(&mut order, &mut rng);
            for &r in &order {
                let (feats, y) = &rows[r];
                let scale = 1.0 / (feats.len() as f32).sqrt();
                let z = bias + feats.iter().map(|f| weights[*f as usize]).sum::<f32>() * scale;
                let p = 1.0 / (1.0 + (-z).exp());
                let lr = 1.0 * (1.0 - step as f32 / total).max(0.05);
                step += 1;
                let g = (p - y) * lr;
                bias -= g * 0.1;
                for f in feats {
                    // A little L2 keeps rare n-grams from taking over.
                    let w = &mut weights[*f as usize];
                    *w -= g * scale + 1e-4 * *w;
                }
            }
        }
        EscalationModel { vocab, weights, bias, examples: rows.len() }
    }

    /// The shipped model.
    pub fn shipped() -> EscalationModel {
        EscalationModel::train(&training())
    }

    /// The probability that `text` needs a person, and its words that push
    /// hardest that way.
    pub fn predict(&self, text: &str) -> (f32, Vec<String>) {
        let (toks, feats) = features(text);
        let known: Vec<(u32, usize)> =
            feats.iter().filter_map(|f| self.vocab.get(&f.hash).map(|&row| (row, f.word))).collect();
        if known.is_empty() {
            return (1.0 / (1.0 + (-self.bias).exp()), Vec::new());
        }
        let scale = 1.0 / (known.len() as f32).sqrt();
        let mut per_word = vec![0f32; toks.len()];
        let mut z = self.bias;
        for (row, word) in &known {
            let w = self.weights[*row as usize] * scale;
            z += w;
            per_word[*word] += w;
        }
        let mut top: Vec<(usize, f32)> =
            per_word.iter().copied().enumerate().filter(|(_, v)| *v > 0.0).collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        let words =
            top.into_iter().take(3).map(|(i, _)| toks[i].clone()).filter(|w| !w.starts_with('#')).collect();
        (1.0 / (1.0 + (-z).exp()), words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rows_read_and_both_labels_occur() {
        let rows = training();
        assert!(rows.len() >= 300, "{}", rows.len());
        assert!(rows.iter().any(|r| r.1) && rows.iter().any(|r| !r.1));
    }

    #[test]
    fn learns_to_tell_a_furious_customer_from_a_question() {
        let m = EscalationModel::shipped();
        let (angry, _) = m.predict(
            "this is absolutely ridiculous, third email and still nothing, I want my money back now",
        );
        let (calm, _) = m.predict("what metals do you use for your hoop earrings?");
        assert!(angry > 0.5 && calm < 0.5, "angry {angry}, calm {calm}");
    }
}
