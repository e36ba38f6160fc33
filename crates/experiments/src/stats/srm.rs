//! The sample-ratio-mismatch check of GrowthBook's back-end (`checkSrm` in
//! `packages/back-end/src/util/stats.ts`): a chi-square goodness-of-fit test of
//! the users per arm against the arms' weights.

use super::special::chi2_sf;

/// The p-value that the observed `users` per arm came from the split `weights`.
///
/// As the back-end does, arms with a weight or a user count of 0 are left out,
/// weights need not sum to 1, and with fewer than two arms left the answer is 1.
/// Arms past the end of either list are left out too. NaN weights count as 0; a
/// negative or infinite count gives NaN, for the caller to report.
pub fn srm_p_value(users: &[f64], weights: &[f64]) -> f64 {
    // JavaScript's `!weights[i] || !users[i]`: 0, NaN and a missing entry are all "falsy".
    let data: Vec<(f64, f64)> = weights
        .iter()
        .zip(users)
        .filter(|(w, u)| **w != 0.0 && !w.is_nan() && **u != 0.0 && !u.is_nan())
        .map(|(w, u)| (*u, *w))
        .collect();
    if data.len() < 2 {
        return 1.0;
    }
    let total_users: f64 = data.iter().map(|(u, _)| u).sum();
    let total_weight: f64 = data.iter().map(|(_, w)| w).sum();
    let x: f64 = data
        .iter()
        .map(|(o, w)| {
            let e = w / total_weight * total_users;
            (o - e).powi(2) / e
        })
        .sum();
    chi2_sf(x, (data.len() - 1) as f64)
}
