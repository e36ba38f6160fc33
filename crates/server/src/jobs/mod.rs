//! `jobs`: see the crate documentation.
