//! Integration tests of the simulator: determinism, the calendar's mark on
//! the orders, and the consistency of the ground truth with what was sold.

mod golden;
mod reimport;
mod truth;
mod world;

use std::sync::OnceLock;

/// A small world shared by the tests (generation is the slow part).
pub fn small() -> &'static sim::World {
    static WORLD: OnceLock<sim::World> = OnceLock::new();
    WORLD.get_or_init(|| sim::generate(&small_config()))
}

pub fn small_config() -> sim::SimConfig {
    sim::SimConfig { products: 300, customers: 4_000, ..sim::SimConfig::default() }
}
