//! How the customer feels, from a small lexicon: anger and abuse, upset,
//! worry about time, praise. Shouting (a message mostly in capitals) and
//! repeated "!!" or "??" count toward anger.

use crate::text::words;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sentiment {
    Angry,
    Negative,
    Anxious,
    Neutral,
    Positive,
}

impl Sentiment {
    pub fn as_str(self) -> &'static str {
        match self {
            Sentiment::Angry => "angry",
            Sentiment::Negative => "negative",
            Sentiment::Anxious => "anxious",
            Sentiment::Neutral => "neutral",
            Sentiment::Positive => "positive",
        }
    }

    pub fn parse(s: &str) -> Option<Sentiment> {
        [Sentiment::Angry, Sentiment::Negative, Sentiment::Anxious, Sentiment::Neutral, Sentiment::Positive]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// The reading of one message.
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub sentiment: Sentiment,
    /// Insults or profanity aimed at someone.
    pub abuse: bool,
    /// The words that decided it, for the explanation.
    pub cues: Vec<String>,
}

const ABUSE: &[&str] = &[
    "asshole",
    "bastard",
    "bitch",
    "bullshit",
    "crap",
    "crooks",
    "damn",
    "dammit",
    "fuck",
    "fucking",
    "fucked",
    "idiot",
    "idiots",
    "incompetent",
    "moron",
    "morons",
    "pathetic",
    "scum",
    "shit",
    "shitty",
    "stupid",
    "thieves",
    "useless",
    "wtf",
    "arse",
    "bastards",
    "bloody",
    "clown",
    "clowns",
    "dickheads",
    "jokers",
    "muppets",
    "piss",
    "pissed",
    "wankers",
];
const ANGER: &[&str] = &[
    "absurd",
    "angry",
    "appalling",
    "awful",
    "disgrace",
    "disgraceful",
    "disgusted",
    "disgusting",
    "furious",
    "horrible",
    "joke",
    "livid",
    "outraged",
    "rediculous",
    "ridiculous",
    "terrible",
    "unacceptable",
    "worst",
];
const NEGATIVE: &[&str] = &[
    "annoyed",
    "disappointed",
    "disappointing",
    "dissatisfied",
    "frustrated",
    "frustrating",
    "heartbroken",
    "sad",
    "unhappy",
    "upset",
    "appalled",
    "devastated",
    "gutted",
    "insulting",
    "miserable",
    "nightmare",
];
const ANXIOUS: &[&str] = &[
    "anxious",
    "asap",
    "concerned",
    "hurry",
    "nervous",
    "panic",
    "panicking",
    "urgent",
    "urgently",
    "worried",
    "worry",
];
const POSITIVE: &[&str] = &[
    "amazing",
    "awesome",
    "beautiful",
    "delighted",
    "excellent",
    "excited",
    "fantastic",
    "gorgeous",
    "great",
    "happy",
    "love",
    "loved",
    "lovely",
    "perfect",
    "stunning",
    "wonderful",
];
/// Threats: abuse without a swear word.
const THREATS: &[&str] = &[
    "where you live",
    "you'll regret",
    "you will regret",
    "regret it",
    "come down to your",
    "watch your back",
    "shut up",
    "hurt you",
];
/// Phrases of a customer who has had to write before, or runs out of time.
const ANGER_PHRASES: &[&str] = &[
    "third time",
    "second time",
    "emailed twice",
    "written twice",
    "still no",
    "still hasn't",
    "still havent",
    "still not",
    "no one has",
    "nobody has",
    "never again",
    "never ordering",
    "no response",
    "no answer",
    "thanks for nothing",
    "fed up",
    "not impressed",
    "not happy",
    "is optional",
    "really impressive",
    "great, another",
    "brilliant.",
    "seriously?",
    "without telling me",
    "not what i was promised",
    "waste of",
    "had enough",
    "sick of",
    "tired of",
    "how hard is it",
    "piss poor",
    "from start to finish",
];
const ANXIOUS_PHRASES: &[&str] =
    &["in time", "make it", "before then", "will it arrive", "arrive by", "get here by"];

/// Reads `text`.
pub fn read(text: &str) -> Reading {
    let w = words(text);
    let lower = text.to_lowercase();
    let mut cues = Vec::new();
    let mut hit = |list: &[&str]| -> usize {
        let found: Vec<&String> = w.iter().filter(|x| list.contains(&x.as_str())).collect();
        for f in &found {
            if !cues.contains(*f) {
                cues.push((*f).clone());
            }
        }
        found.len()
    };
    let abuse = hit(ABUSE) + THREATS.iter().filter(|t| lower.replace('\u{2019}', "'").contains(*t)).count();
    let anger = hit(ANGER);
    let negative = hit(NEGATIVE);
    let anxious = hit(ANXIOUS);
    let positive = hit(POSITIVE);
    let mut phrase = |list: &[&str]| -> usize {
        let n = list.iter().filter(|p| lower.contains(*p)).count();
        for p in list.iter().filter(|p| lower.contains(*p)) {
            cues.push((*p).to_string());
        }
        n
    };
    let anger_phrases = phrase(ANGER_PHRASES);
    let anxious_phrases = phrase(ANXIOUS_PHRASES);
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let shouting =
        letters.len() >= 12 && letters.iter().filter(|c| c.is_uppercase()).count() * 10 >= letters.len() * 8;
    if shouting {
        cues.push("written in capitals".into());
    }
    let bangs = text.contains("!!") || text.contains("??") || text.contains("?!");
    if bangs {
        cues.push("repeated punctuation".into());
    }
    // Praise with a complaint word ("love it but the clasp broke") is not
    // positive; thanks alone is neutral.
    let anger_score = 2 * abuse + 2 * anger + anger_phrases + shouting as usize + bangs as usize;
    let sentiment = if anger_score >= 2 || abuse > 0 {
        Sentiment::Angry
    } else if negative > 0 || anger_score == 1 {
        Sentiment::Negative
    } else if anxious + anxious_phrases > 0 {
        Sentiment::Anxious
    } else if positive > 0 {
        Sentiment::Positive
    } else {
        Sentiment::Neutral
    };
    Reading { sentiment, abuse: abuse > 0, cues }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexicons_are_lowercase_words() {
        for list in [ABUSE, ANGER, NEGATIVE, ANXIOUS, POSITIVE] {
            for w in list {
                assert_eq!(words(w), [w.to_string()], "{w}");
            }
        }
    }

    #[test]
    fn reads_the_common_cases() {
        assert_eq!(
            read("Where is my order?? I've emailed twice with no answer. Worst customer service ever.")
                .sentiment,
            Sentiment::Angry
        );
        assert_eq!(read("ORDER 123 STILL HASN'T SHIPPED, I WANT A REFUND").sentiment, Sentiment::Angry);
        assert!(read("you useless idiots").abuse);
        assert_eq!(read("The chain snapped. I'm really disappointed.").sentiment, Sentiment::Negative);
        assert_eq!(
            read("Our anniversary is on the 17th, will it arrive in time?").sentiment,
            Sentiment::Anxious
        );
        assert_eq!(read("I love my new ring, thank you!").sentiment, Sentiment::Positive);
        assert_eq!(read("How do I clean silver?").sentiment, Sentiment::Neutral);
    }
}
