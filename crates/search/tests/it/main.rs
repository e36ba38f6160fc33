//! Integration tests of the search engine: a small hand-made catalog for
//! ranking, facets, relaxation and rules; the real Cartier catalog for a
//! judged query set.

mod cartier;
mod cartier_import;
mod facets;
mod fixture;
mod ranking;
mod rules;
mod shop_labels;
mod truth;
