//! `http`: see the crate documentation.
