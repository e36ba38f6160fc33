//! Drafting a reply from the brand's own passages, or declining to.
//!
//! The reply is made of the best passage's own sentences (all of it when it
//! is short, else the sentences that share the most words with the
//! question, in the passage's order), plus the best sentence of a second
//! passage when that one covers the question nearly as well. Every sentence
//! of the reply is therefore in a cited passage. Facts about the
//! customer's order come first, from the order itself, and are marked as
//! such. When no passage covers enough of the question, there is no reply:
//! Loupe does not invent a policy.

use crate::kb::{Hit, Index};
use crate::text::terms;

#[derive(Clone, Debug)]
pub struct Settings {
    /// The least IDF-weighted share of the question a passage must cover.
    pub min_coverage: f32,
    /// Sentences taken from a long passage.
    pub max_sentences: usize,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { min_coverage: 0.5, max_sentences: 3 }
    }
}

#[derive(Clone, Debug)]
pub struct Draft {
    /// The reply; `None` when the knowledge base does not cover the question.
    pub text: Option<String>,
    /// Passages cited (indexes into the index's passages), best first.
    pub citations: Vec<usize>,
    /// The best passage's coverage of the question, 0 to 1.
    pub confidence: f32,
    /// The passages looked at, for the explanation.
    pub considered: Vec<Hit>,
}

/// Splits a passage into sentences (and list lines).
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            let end_of_sentence = matches!(b, b'.' | b'!' | b'?')
                && bytes.get(i + 1).is_none_or(|n| *n == b' ')
                // "e.g." and "approx." are not ends; a decimal has no space.
                && !line[..i].ends_with("e.g")
                && !line[..i].ends_with("i.e")
                && !line[..i].ends_with("approx")
                && !line[..i].ends_with("No");
            if end_of_sentence {
                let s = line[start..=i].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = i + 1;
            }
        }
        let s = line[start..].trim();
        if !s.is_empty() {
            out.push(s);
        }
    }
    out
}

/// Drafts the reply to `question` from `index`; `facts` (already written
/// sentences about the customer's order) go first when there is a reply.
pub fn draft(index: &Index, question: &str, facts: Option<&str>, settings: &Settings) -> Draft {
    let considered = index.search(question, 5);
    let Some(best) = considered.first() else {
        return Draft { text: None, citations: Vec::new(), confidence: 0.0, considered };
    };
    let confidence = best.coverage;
    if best.coverage < settings.min_coverage {
        return Draft { text: None, citations: Vec::new(), confidence, considered };
    }
    let q = terms(question);
    let mut parts: Vec<String> = Vec::new();
    if let Some(f) = facts {
        parts.push(f.to_string());
    }
    let passage = &index.passages[best.passage];
    let all = sentences(&passage.text);
    let chosen: Vec<&str> = if all.len() <= settings.max_sentences {
        all
    } else {
        let mut scored: Vec<(usize, usize)> = all
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let t = terms(s);
                (i, q.iter().filter(|w| t.contains(w)).count())
            })
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut keep: Vec<usize> = scored.iter().take(settings.max_sentences).map(|s| s.0).collect();
        keep.sort_unstable();
        keep.into_iter().map(|i| all[i]).collect()
    };
    parts.push(chosen.join(" "));
    let mut citations = vec![best.passage];
    if let Some(second) = considered.get(1) {
        let other = &index.passages[second.passage];
        if second.coverage >= settings.min_coverage.max(best.coverage * 0.9)
            && second.score >= best.score * 0.8
            && other.heading != passage.heading
        {
            let best_sentence = sentences(&other.text).into_iter().max_by_key(|s| {
                let t = terms(s);
                q.iter().filter(|w| t.contains(w)).count()
            });
            if let Some(s) = best_sentence {
                parts.push(s.to_string());
                citations.push(second.passage);
            }
        }
    }
    Draft { text: Some(parts.join("\n\n")), citations, confidence, considered }
}

/// [`draft`] for a message of several sentences: a customer's question is
/// often one sentence among greetings and context ("Hi! I bought a ring
/// last week. Can it be resized?"), which dilute its coverage. The whole
/// message and each sentence of three words or more are tried; the draft
/// that covers its text best wins (the whole message on a tie).
pub fn draft_best(index: &Index, message: &str, facts: Option<&str>, settings: &Settings) -> Draft {
    let mut best = draft(index, message, facts, settings);
    let parts = sentences(message);
    if parts.len() > 1 {
        for s in parts {
            if crate::text::words(s).len() < 3 {
                continue;
            }
            let d = draft(index, s, facts, settings);
            if d.text.is_some() && (best.text.is_none() || d.confidence > best.confidence) {
                best = d;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kb::{parse, Format};

    const KB: &str = "# Help\n## Shipping\nStandard delivery takes 3-5 business days. Express delivery takes 1-2 business days. Orders placed before 2 p.m. Eastern ship the same day. We ship to the US and Canada.\n## Returns\nYou have 30 days to return a piece in its original condition. Engraved pieces are final sale.\n## Ring sizing\nMost rings can be resized free within 60 days. Eternity bands cannot be resized.\n";

    fn index() -> Index {
        Index::new(parse("help.md", KB, Format::Markdown).unwrap().0)
    }

    #[test]
    fn every_sentence_of_a_reply_is_in_a_cited_passage() {
        let index = index();
        for q in [
            "how long does express shipping take",
            "can I return engraved earrings?",
            "can my ring be resized",
        ] {
            let d = draft(&index, q, None, &Settings::default());
            let text = d.text.clone().unwrap_or_else(|| panic!("{q}: no answer ({d:?})"));
            for part in text.split("\n\n") {
                for s in sentences(part) {
                    assert!(
                        d.citations.iter().any(|c| index.passages[*c].text.contains(s)),
                        "{q}: {s:?} not in a cited passage"
                    );
                }
            }
        }
    }

    #[test]
    fn declines_what_the_pages_do_not_say() {
        let index = index();
        for q in [
            "do you price match?",
            "where is your store in Chicago",
            "can I pay with bitcoin",
            "asdfgh qwerty",
        ] {
            let d = draft(&index, q, None, &Settings::default());
            assert!(d.text.is_none(), "{q}: answered {:?}", d.text);
            assert!(d.citations.is_empty());
        }
    }

    #[test]
    fn a_question_among_other_sentences_is_still_answered() {
        let index = index();
        let m = "Hi there! I bought a ring from you last month and I love it. Can my ring be resized? Thanks so much.";
        assert!(
            draft(&index, m, None, &Settings::default()).text.is_none(),
            "the whole message dilutes the question"
        );
        let d = draft_best(&index, m, None, &Settings::default());
        assert_eq!(index.passages[d.citations[0]].heading, "Ring sizing", "{d:?}");
    }

    #[test]
    fn order_facts_come_first() {
        let d = draft(
            &index(),
            "how long is standard delivery",
            Some("Order LP1 shipped on 2023-01-05."),
            &Settings::default(),
        );
        assert!(d.text.unwrap().starts_with("Order LP1 shipped"));
    }

    #[test]
    fn sentences_split_at_stops_not_at_decimals() {
        assert_eq!(
            sentences("It is 1.5 mm wide. Ships in 2 days! Why? e.g. rings."),
            ["It is 1.5 mm wide.", "Ships in 2 days!", "Why?", "e.g. rings."]
        );
    }
}
