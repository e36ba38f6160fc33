//! Loupe's HTTP API (axum), wire types, auth, background tasks and the embedded web shell.
