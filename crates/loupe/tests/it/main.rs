//! End-to-end tests of the `loupe` binary: each runs the built binary on a
//! temporary data directory and checks what it prints and stores.
//! One module per area; add yours below.

mod audit;
mod beside_server;
mod browser;
mod catalog;
mod cluster;
mod demo;
mod eval_normalize;
mod eval_recs;
mod experiments;
mod logs;
mod merch;
mod outbox;
mod risk;
mod schemathesis;
mod scorecard;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The real data sets, when present (`../shared/datasets` from the repo root).
pub fn datasets() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/datasets"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("note: {} is absent; skipping the checks that need it", dir.display());
        None
    }
}

/// Runs `loupe --data DATA args...` and returns its output.
pub fn loupe(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_loupe"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("LOUPE_DATA")
        .output()
        .expect("the loupe binary runs")
}

/// Like [`loupe`], but fails the test unless it exits 0; returns stdout.
#[track_caller]
pub fn loupe_ok(data: &Path, args: &[&str]) -> String {
    let out = loupe(data, args);
    assert!(
        out.status.success(),
        "loupe {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("stdout is UTF-8")
}
