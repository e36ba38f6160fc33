//! A fingerprint of everything a small simulation makes, so that refactoring
//! the simulator cannot change its output unnoticed: the same seed must keep
//! giving the same world, byte for byte, across code changes too.

use std::fs;

/// FNV-1a, 64 bits: small, stable across Rust versions and platforms.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, data: &[u8]) {
        for &b in data {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so that moving bytes between two parts changes the hash.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn debug(&mut self, value: &impl std::fmt::Debug) {
        self.bytes(format!("{value:?}").as_bytes());
    }
}

// Taken after consent.csv (customers' consent to care messages, with their UTC offsets) joined the
// demo's files; a change here means the simulation or its files changed.
const WORLD_HASH: u64 = 0x2c14e4e938dc8f82;

#[test]
fn simulation_output_is_unchanged() {
    let cfg = sim::SimConfig { products: 150, customers: 800, days: 400, ..sim::SimConfig::default() };
    let w = sim::generate(&cfg);
    let mut h = Fnv::new();
    // The in-memory world, field by field.
    h.debug(&w.campaigns);
    h.debug(&w.orders);
    h.debug(&w.events);
    h.debug(&w.result_lists);
    h.debug(&w.inventory);
    h.debug(&w.purchase_orders);
    h.debug(&w.demand);
    h.debug(&w.stockouts);
    h.debug(&w.queries);
    h.debug(&w.searches);
    h.debug(&w.sessions);
    h.debug(&w.tickets);
    // And the files the demo imports, as written.
    let dir = tempfile::tempdir().unwrap();
    w.write_to(dir.path()).unwrap();
    for f in sim::FILES {
        h.bytes(f.as_bytes());
        h.bytes(&fs::read(dir.path().join(f)).unwrap());
    }
    assert!(w.orders.iter().any(|o| o.qty < 0), "the config should exercise returns");
    assert!(!w.stockouts.is_empty(), "the config should exercise stockouts");
    assert!(w.purchase_orders.iter().any(|p| p.received_day.is_some()), "and restocking");
    assert_eq!(h.0, WORLD_HASH, "simulation output changed: hash {:#018x}", h.0);
}
