//! Each format on small inline files.
