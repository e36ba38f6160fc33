//! Catalog import and normalization: parsers for Shopify, Google Merchant, generic CSV and JSON Lines; the jewelry vocabulary; the data-quality report.
