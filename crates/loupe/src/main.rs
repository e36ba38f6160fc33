//! The `loupe` binary: parses the command line and hands off to the crates.

fn main() {}
