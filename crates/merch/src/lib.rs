//! Merchandising by intent (issue 14): the collections shoppers think in
//! (everyday wear, gifts, bridal, layering, ...), each product's membership
//! with its strength and the true reasons behind it; re-ranking of any list
//! of products by a blend a merchandiser can see; bundles from co-purchase
//! and attributes with their expected attach rate; and weekly placement
//! suggestions with their evidence.
//!
//! Values in, values out: the caller condenses the store's orders, events
//! and stock into [`Facts`]; nothing here reads a file, the clock or a
//! database. Every reason is a sentence about the product or the data, and
//! where there is no data the reason says so instead of inventing one.

mod bundles;
mod facts;
mod intents;
mod placements;
mod rank;

pub use bundles::{propose_bundles, Bundle, BundleConfig};
pub use facts::{day_of, Facts, ProductFacts};
pub use intents::{
    a_an, builtin_intents, members, parse_intents, price_bands, CollectionDef, Member, PriceBand, Reason,
    Rule, MEMBER_THRESHOLD,
};
pub use placements::{suggest_placements, CollectionSales, Placement, PlacementSlot, Placements};
pub use rank::{rank, Factor, Ranked, Weights, FACTORS};
