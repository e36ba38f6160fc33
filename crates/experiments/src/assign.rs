//! GrowthBook-compatible assignment (in progress).
