//! Crash safety: a child process (this test binary re-invoked with an env var)
//! imports a big catalog and is killed mid-import; the store must then open
//! and hold either the old catalog or the new one, never a mix.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use store::Store;

use crate::product;

const CHILD_DIR: &str = "LOUPE_STORE_CRASH_DIR";
const OLD: usize = 500;
const NEW: usize = 200_000;

/// Products of one catalog generation: every title says which one.
fn generation(tag: &str, n: usize) -> impl Iterator<Item = Result<model::Product, std::io::Error>> + '_ {
    (0..n).map(move |i| {
        Ok(product(&format!("p{i}"), &format!("{tag} {i}"), &[&format!("S{i}-a"), &format!("S{i}-b")]))
    })
}

/// The child's body. Run directly (without the env var) it imports a small
/// new generation in-process, which must succeed.
#[test]
fn child_import() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        let store = Store::open_temporary().unwrap();
        let out = store.import_products(generation("new", 100), 1_750_000_000).unwrap();
        assert_eq!(out.products_created, 100);
        return;
    };
    let dir = Path::new(&dir);
    let store = Store::open(dir).unwrap();
    let marker = dir.join("started");
    let items = generation("new", NEW).enumerate().map(|(i, p)| {
        if i == 1000 {
            std::fs::write(&marker, b"").unwrap();
        }
        p
    });
    store.import_products(items, 1_750_000_000).unwrap();
}

fn check_consistent(dir: &Path) -> &'static str {
    let store = Store::open(dir).expect("the store opens after a crash");
    let products = store.products().unwrap();
    let tag = if products.len() == OLD { "old" } else { "new" };
    let expect = if tag == "old" { OLD } else { NEW };
    assert_eq!(products.len(), expect, "a half-written catalog");
    for p in products.iter().step_by(97) {
        assert!(p.title.starts_with(tag), "mixed generations: {} in the {tag} catalog", p.title);
        assert_eq!(store.product_by_handle(&p.handle).unwrap().unwrap().id, p.id);
        assert_eq!(store.product_by_sku(&p.variants[1].sku).unwrap().unwrap().id, p.id);
    }
    tag
}

#[test]
fn killed_import_leaves_the_store_consistent() {
    let exe = std::env::current_exe().unwrap();
    for delay_ms in [0u64, 150, 600] {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            store.import_products(generation("old", OLD), 1_750_000_000).unwrap();
        }
        let mut child = Command::new(&exe)
            .args(["crash::child_import", "--exact", "--test-threads=1", "--quiet"])
            .env(CHILD_DIR, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !dir.path().join("started").exists() {
            assert!(started.elapsed() < Duration::from_secs(60), "the child never started importing");
            if let Some(status) = child.try_wait().unwrap() {
                panic!("the child exited before the marker: {status}");
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL on Unix: no destructors, no flush.
        let status = child.wait().unwrap();
        let tag = check_consistent(dir.path());
        // It was killed mid-import unless it somehow finished 200k products first.
        assert!(tag == "old" || status.success(), "killed, yet the new catalog is there ({status})");
    }
}
