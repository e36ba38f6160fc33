//! Integration tests of the `server` crate, one module per concern (one test
//! binary per crate keeps linking fast).

mod http;
mod search;
mod web;
