//! Search engine: query understanding, tantivy retrieval, ranking with reasons, facets, suggestions.
