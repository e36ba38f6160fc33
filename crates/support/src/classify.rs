//! The intent classifier: multinomial logistic regression over sparse
//! features of a message, trained by stochastic gradient descent.
//!
//! Features are the message's words, adjacent word pairs and the character
//! 3- to 5-grams of each word (with its boundaries), so that "neckalce" and
//! "recieve" still share most of their evidence with the real words. Numbers
//! become one token (an order number says "order", not which). Each message's
//! feature vector is scaled to unit length. Classes are weighted by the
//! inverse square root of their size: Bitext's account questions (six of
//! its intents) would otherwise drown the jewelry intents' few dozen
//! examples each.
//!
//! Training is deterministic (a fixed shuffle), so one build of the data
//! gives one model.

use std::collections::HashMap;

use crate::text::words;
use crate::Intent;

const CLASSES: usize = Intent::ALL.len();

/// A trained classifier.
pub struct Classifier {
    /// Feature hash -> row in `weights`.
    vocab: HashMap<u64, u32>,
    /// Row-major: `CLASSES` weights per feature.
    weights: Vec<f32>,
    bias: [f32; CLASSES],
    /// Examples per class it was trained on.
    pub class_counts: [usize; CLASSES],
}

/// What the classifier makes of one message.
#[derive(Clone, Debug)]
pub struct Prediction {
    /// Every intent with its probability, most likely first.
    pub ranked: Vec<(Intent, f32)>,
    /// The message's words that pushed hardest toward the top intent, with
    /// their share of its score (largest first, at most five).
    pub evidence: Vec<(String, f32)>,
}

impl Prediction {
    pub fn intent(&self) -> Intent {
        self.ranked[0].0
    }

    pub fn confidence(&self) -> f32 {
        self.ranked[0].1
    }

    /// The top probability minus the runner-up's.
    pub fn margin(&self) -> f32 {
        self.ranked[0].1 - self.ranked.get(1).map_or(0.0, |r| r.1)
    }
}

/// Training settings; the defaults are what Loupe ships.
#[derive(Clone, Debug)]
pub struct Settings {
    pub epochs: usize,
    pub learning_rate: f32,
    /// A feature seen in fewer training messages than this is dropped.
    pub min_count: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { epochs: 24, learning_rate: 1.2, min_count: 2 }
    }
}

/// One feature of a message: its hash, and the word it came from (for
/// explanations).
pub(crate) struct Feature {
    pub(crate) hash: u64,
    pub(crate) word: usize,
}

fn fnv(kind: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ kind as u64;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// The message's words as the classifier sees them: digits folded so that
/// every order number or amount is the same token.
fn tokens(text: &str) -> Vec<String> {
    words(text)
        .into_iter()
        .map(|w| {
            let digits = w.chars().filter(char::is_ascii_digit).count();
            if digits == 0 {
                w
            } else if digits == w.chars().count() {
                "#num".to_string()
            } else if digits >= 3 {
                "#code".to_string()
            } else {
                w
            }
        })
        .collect()
}

pub(crate) fn features(text: &str) -> (Vec<String>, Vec<Feature>) {
    let toks = tokens(text);
    let mut out = Vec::with_capacity(toks.len() * 12);
    for (i, w) in toks.iter().enumerate() {
        out.push(Feature { hash: fnv(b'w', &[w.as_bytes()]), word: i });
        if let Some(next) = toks.get(i + 1) {
            out.push(Feature { hash: fnv(b'b', &[w.as_bytes(), next.as_bytes()]), word: i });
        }
        if w.starts_with('#') {
            continue;
        }
        let padded: Vec<char> = std::iter::once('^').chain(w.chars()).chain(std::iter::once('$')).collect();
        for n in 3..=5 {
            if padded.len() < n {
                break;
            }
            for gram in padded.windows(n) {
                let s: String = gram.iter().collect();
                out.push(Feature { hash: fnv(b'c', &[s.as_bytes()]), word: i });
            }
        }
    }
    // A feature counts once per message.
    out.sort_by_key(|f| f.hash);
    out.dedup_by_key(|f| f.hash);
    (toks, out)
}

impl Classifier {
    /// Trains on `(text, intent)` pairs.
    pub fn train(examples: &[(String, Intent)], settings: &Settings) -> Classifier {
        let encoded: Vec<(Vec<u64>, Intent)> =
            examples.iter().map(|(t, i)| (features(t).1.into_iter().map(|f| f.hash).collect(), *i)).collect();
        let mut counts: HashMap<u64, u32> = HashMap::new();
        for (hashes, _) in &encoded {
            for h in hashes {
                *counts.entry(*h).or_default() += 1;
            }
        }
        let mut kept: Vec<u64> =
            counts.into_iter().filter(|(_, c)| *c >= settings.min_count).map(|(h, _)| h).collect();
        kept.sort_unstable();
        let vocab: HashMap<u64, u32> = kept.iter().enumerate().map(|(i, h)| (*h, i as u32)).collect();
        let rows: Vec<(Vec<u32>, usize)> = encoded
            .iter()
            .map(|(hashes, intent)| {
                (hashes.iter().filter_map(|h| vocab.get(h).copied()).collect::<Vec<u32>>(), intent.index())
            })
            .filter(|(rows, _)| !rows.is_empty())
            .collect();

        let mut class_counts = [0usize; CLASSES];
        for (_, c) in &rows {
            class_counts[*c] += 1;
        }
        let largest = class_counts.iter().copied().max().unwrap_or(1).max(1) as f32;
        let class_weight: Vec<f32> =
            class_counts.iter().map(|&n| if n == 0 { 0.0 } else { (largest / n as f32).sqrt() }).collect();

        let mut weights = vec![0f32; vocab.len() * CLASSES];
        let mut bias = [0f32; CLASSES];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let total_steps = (settings.epochs * rows.len()).max(1) as f32;
        let mut step = 0usize;
        let mut scores = [0f32; CLASSES];
        for _ in 0..settings.epochs {
            shuffle(&mut order, &mut rng);
            for &r in &order {
                let (feats, class) = &rows[r];
                let scale = 1.0 / (feats.len() as f32).sqrt();
                scores.copy_from_slice(&bias);
                for &f in feats {
                    let w = &weights[f as usize * CLASSES..(f as usize + 1) * CLASSES];
                    for (s, w) in scores.iter_mut().zip(w) {
                        *s += w * scale;
                    }
                }
                softmax(&mut scores);
                let lr = settings.learning_rate
                    * (1.0 - step as f32 / total_steps).max(0.05)
                    * class_weight[*class];
                step += 1;
                // Gradient of the log loss: p - 1 for the true class, p for the rest.
                for (k, p) in scores.iter_mut().enumerate() {
                    *p -= (k == *class) as u8 as f32;
                    *p *= lr;
                }
                for (b, g) in bias.iter_mut().zip(&scores) {
                    *b -= g;
                }
                for &f in feats {
                    let w = &mut weights[f as usize * CLASSES..(f as usize + 1) * CLASSES];
                    for (w, g) in w.iter_mut().zip(&scores) {
                        *w -= g * scale;
                    }
                }
            }
        }
        Classifier { vocab, weights, bias, class_counts }
    }

    /// The number of features the model kept.
    pub fn features(&self) -> usize {
        self.vocab.len()
    }

    pub fn predict(&self, text: &str) -> Prediction {
        let (toks, feats) = features(text);
        let known: Vec<(u32, usize)> =
            feats.iter().filter_map(|f| self.vocab.get(&f.hash).map(|&row| (row, f.word))).collect();
        let mut scores = self.bias;
        let scale = if known.is_empty() { 0.0 } else { 1.0 / (known.len() as f32).sqrt() };
        for (row, _) in &known {
            let w = &self.weights[*row as usize * CLASSES..(*row as usize + 1) * CLASSES];
            for (s, w) in scores.iter_mut().zip(w) {
                *s += w * scale;
            }
        }
        softmax(&mut scores);
        let mut ranked: Vec<(Intent, f32)> = Intent::ALL.iter().map(|i| (*i, scores[i.index()])).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Evidence: each word's features' pull toward the top intent over
        // the average of the others.
        let top = ranked[0].0.index();
        let mut per_word = vec![0f32; toks.len()];
        for (row, word) in &known {
            let w = &self.weights[*row as usize * CLASSES..(*row as usize + 1) * CLASSES];
            let others = (w.iter().sum::<f32>() - w[top]) / (CLASSES - 1) as f32;
            per_word[*word] += (w[top] - others) * scale;
        }
        let total: f32 = per_word.iter().filter(|v| **v > 0.0).sum();
        let mut evidence: Vec<(String, f32)> = Vec::new();
        for (i, v) in per_word.iter().enumerate() {
            if *v > 0.0 && !toks[i].starts_with('#') {
                match evidence.iter_mut().find(|(w, _)| *w == toks[i]) {
                    Some(e) => e.1 += v / total,
                    None => evidence.push((toks[i].clone(), v / total)),
                }
            }
        }
        evidence.sort_by(|a, b| b.1.total_cmp(&a.1));
        evidence.truncate(5);
        Prediction { ranked, evidence }
    }
}

/// Fisher-Yates with xorshift: the same shuffle on every machine, so that
/// one build of the data gives one model.
pub(crate) fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

fn softmax(scores: &mut [f32; CLASSES]) {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    for s in scores.iter_mut() {
        *s /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Vec<(String, Intent)> {
        let mut out = Vec::new();
        for t in ["where is my order", "track my order please", "order status", "has my order shipped"] {
            out.push((t.to_string(), Intent::OrderStatus));
        }
        for t in ["how do i clean silver", "clean my pearls", "cleaning my ring", "silver tarnish help"] {
            out.push((t.to_string(), Intent::Care));
        }
        out
    }

    #[test]
    fn learns_a_tiny_set_and_survives_a_typo() {
        let c = Classifier::train(&tiny(), &Settings { min_count: 1, ..Settings::default() });
        assert_eq!(c.predict("where's my order").intent(), Intent::OrderStatus);
        assert_eq!(c.predict("how to cleen silvr").intent(), Intent::Care);
        let p = c.predict("track order");
        assert!(p.confidence() > 0.5, "{p:?}");
        assert!(p.evidence.iter().any(|(w, _)| w == "order" || w == "track"), "{:?}", p.evidence);
    }

    #[test]
    fn probabilities_sum_to_one_even_for_unknown_words() {
        let c = Classifier::train(&tiny(), &Settings { min_count: 1, ..Settings::default() });
        for text in ["", "zzzz qqqq", "🙂", "order"] {
            let p = c.predict(text);
            let sum: f32 = p.ranked.iter().map(|r| r.1).sum();
            assert!((sum - 1.0).abs() < 1e-4, "{text}: {sum}");
        }
    }

    #[test]
    fn numbers_fold_to_one_token() {
        assert_eq!(tokens("order 113542617735902 and LP100029"), ["order", "#num", "and", "#code"]);
    }
}
