//! Integration tests of the `loupe-http` crate, one module per concern (one
//! test binary per crate keeps linking fast).

mod care;
mod experiments;
mod forecast;
mod headers;
mod http;
mod keys;
mod merch;
mod recs;
mod rules;
mod search;
mod serve;
mod support;
mod web;
mod web_recs;
mod web_shop;

/// The application over `store` with the wall clock, as `loupe serve` builds it.
pub fn app_on(store: store::Store) -> app::App {
    app::App::new(
        store,
        app::Clock::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() as i64)
                .unwrap_or(0)
        }),
    )
}
