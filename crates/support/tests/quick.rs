//! A quick look at the shipped model on Bitext's dev split (the held-out
//! sets are read only by `loupe eval support`).

use std::time::Instant;

use support::classify::{Classifier, Settings};
use support::eval::Scores;
use support::{training, Intent};

#[test]
fn bitext_dev_accuracy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/support/bitext-intents-dev.csv");
    let Ok(dev) = std::fs::read_to_string(path) else { return };
    let t = Instant::now();
    let model = Classifier::train(&training::base(), &Settings::default());
    eprintln!("trained in {:?}, {} features", t.elapsed(), model.features());
    let mut reader = csv::Reader::from_reader(dev.as_bytes());
    let mut s = Scores::default();
    for r in reader.records() {
        let r = r.unwrap();
        let truth = Intent::from_bitext(&r[1]).unwrap();
        s.add(truth.as_str(), model.predict(&r[0]).intent().as_str());
    }
    eprintln!("bitext dev: accuracy {:.4}, macro-F1 {:.4}", s.accuracy(), s.macro_f1());
    assert!(s.accuracy() >= 0.95);
}
