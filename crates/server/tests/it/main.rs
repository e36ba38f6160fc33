//! Integration tests of the `server` crate, one module per concern (one test
//! binary per crate keeps linking fast).

mod forecast;
mod http;
mod recs;
mod search;
mod web;
mod web_recs;
