//! Bad input: broken quoting, wrong encodings, long lines, absurd values,
//! arbitrary bytes.
