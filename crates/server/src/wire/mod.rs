//! `wire`: see the crate documentation.
