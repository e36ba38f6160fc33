//! gbstats-compatible statistics (in progress).
