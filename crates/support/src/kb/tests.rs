//! Cutting sources into passages, and finding them again.

use super::*;

const MD: &str = "# Help centre\n\nIntro line.\n\n## Shipping\n\n### Standard\nStandard delivery takes 3-5 business days.\n\n### Express\n**Express** delivery takes 1-2 business days. [Track it](https://x.example/track).\n\n## Returns\nYou have 30 days to return a piece.\n\n```\n# not a heading\n```\n";

#[test]
fn markdown_is_cut_at_headings_with_their_path() {
    let p = parse("help.md", MD, Format::Markdown).unwrap().0;
    let got: Vec<(&str, &str)> = p.iter().map(|p| (p.heading.as_str(), p.text.as_str())).collect();
    assert_eq!(
        got,
        [
            ("Help centre", "Intro line."),
            ("Shipping > Standard", "Standard delivery takes 3-5 business days."),
            ("Shipping > Express", "Express delivery takes 1-2 business days. Track it."),
            ("Returns", "You have 30 days to return a piece.\n\n# not a heading"),
        ]
    );
    assert_eq!(p[1].line, 7);
}

#[test]
fn html_is_cut_at_heading_elements() {
    let page = "<html><head><style>h2{color:red}</style></head><body><h1>FAQ</h1><h2>Care &amp; cleaning</h2><p>Wipe pearls with a soft cloth.</p><p>Never use&nbsp;ultrasonic cleaners.</p><script>var x = '<h2>no</h2>';</script><h2>Resizing</h2><ul><li>Free within 60 days</li></ul></body></html>";
    let p = parse("faq.html", page, Format::Html).unwrap().0;
    let got: Vec<(&str, &str)> = p.iter().map(|p| (p.heading.as_str(), p.text.as_str())).collect();
    assert_eq!(
        got,
        [
            ("Care & cleaning", "Wipe pearls with a soft cloth.\nNever use ultrasonic cleaners."),
            ("Resizing", "Free within 60 days"),
        ]
    );
}

#[test]
fn csv_needs_question_and_answer_columns_and_names_the_bad_line() {
    let ok = "brand,Question,Answer\nx,Do you resize?,Yes within 60 days.\n,,\nx,Is it real?,\"Yes, hallmarked.\"\n";
    let p = parse("faq.csv", ok, Format::Csv).unwrap().0;
    assert_eq!(p.len(), 2);
    assert_eq!(
        (p[1].heading.as_str(), p[1].text.as_str(), p[1].line),
        ("Is it real?", "Yes, hallmarked.", 4)
    );
    let err = parse("faq.csv", "title,body\na,b\n", Format::Csv).unwrap_err();
    assert!(err.message.contains("`question` and an `answer`"), "{err}");
    let (kept, skipped) = parse("faq.csv", "question,answer\nq1,a1\nq2,\n", Format::Csv).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!((skipped[0].line, skipped[0].message.contains("\"q2\" has no answer")), (3, true));
    let err = parse("faq.csv", "question,answer\nq2,\n", Format::Csv).unwrap_err();
    assert!(err.message.contains("line 2"), "{err}");
}

#[test]
fn an_empty_source_is_an_error_not_an_empty_knowledge_base() {
    assert!(parse("x.md", "# Title only\n", Format::Markdown).is_err());
    assert!(parse("x.html", "", Format::Html).is_err());
}

#[test]
fn search_finds_the_passage_through_other_words() {
    let index = Index::new(parse("help.md", MD, Format::Markdown).unwrap().0);
    let hits = index.search("how long does shipping take?", 3);
    assert!(index.passages[hits[0].passage].heading.starts_with("Shipping"), "{hits:?}");
    let hits = index.search("can I send back a ring?", 3);
    assert_eq!(index.passages[hits[0].passage].heading, "Returns");
    // Words the knowledge base never uses cover nothing.
    let hits = index.search("do you price match competitors", 3);
    assert!(hits.iter().all(|h| h.coverage < 0.5), "{hits:?}");
}

proptest::proptest! {
    #[test]
    fn parsers_never_panic(text in "\\PC{0,300}") {
        for f in [Format::Markdown, Format::Html, Format::Csv] {
            if let Ok((p, _)) = parse("x", &text, f) {
                let index = Index::new(p);
                let _ = index.search(&text, 3);
            }
        }
    }

    #[test]
    fn markup_shaped_text_never_panics(text in "[<>/#a-h1-4 &;\\n\\[\\]()*`-]{0,200}") {
        for f in [Format::Markdown, Format::Html] {
            let _ = parse("x", &text, f);
        }
    }
}
