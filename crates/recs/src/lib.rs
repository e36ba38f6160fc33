//! Recommendation engine: co-occurrence, ALS, content similarity, session, trending, gift finder, with reasons.
