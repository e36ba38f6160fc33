//! Customer-to-customer nearest neighbours: customers whose decayed
//! purchase and browsing vectors point the same way as this customer's, and
//! what they bought. On repeat-heavy shops this catches the "people who buy
//! like you also stock" pattern that item pairs and low-rank factors blur.

use crate::profile::UserHist;

pub(crate) struct UserKnn {
    /// Per item: (customer, weight / customer's norm).
    postings: Vec<Vec<(u32, f32)>>,
    /// Per customer: their items with normalized weights.
    rows: Vec<Vec<(u32, f32)>>,
    pub k: usize,
}

pub(crate) fn build(n_items: usize, hist: &[UserHist], k: usize) -> UserKnn {
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
    let mut rows = Vec::with_capacity(hist.len());
    for (u, h) in hist.iter().enumerate() {
        let norm = h.items.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        let row: Vec<(u32, f32)> =
            if norm > 0.0 { h.items.iter().map(|&(i, w)| (i, w / norm)).collect() } else { Vec::new() };
        for &(i, w) in &row {
            postings[i as usize].push((u as u32, w));
        }
        rows.push(row);
    }
    UserKnn { postings, rows, k }
}

impl UserKnn {
    /// Scores every item for a row of (item, weight); `me` is left out of
    /// the neighbours. Adds into `out`.
    pub fn score(&self, row: &[(u32, f32)], me: Option<u32>, out: &mut [f32]) {
        let norm = row.iter().map(|e| e.1 * e.1).sum::<f32>().sqrt();
        if norm <= 0.0 || self.rows.is_empty() {
            return;
        }
        // Dense accumulation with a list of touched customers: cheaper than a
        // hash map when popular items have thousands of buyers.
        let mut sims = vec![0f32; self.rows.len()];
        let mut touched: Vec<u32> = Vec::new();
        for &(i, w) in row {
            for &(v, x) in self.postings.get(i as usize).map(Vec::as_slice).unwrap_or(&[]) {
                if Some(v) != me {
                    let s = &mut sims[v as usize];
                    if *s == 0.0 {
                        touched.push(v);
                    }
                    *s += w / norm * x;
                }
            }
        }
        let mut top: Vec<(u32, f32)> = touched.into_iter().map(|v| (v, sims[v as usize])).collect();
        if top.len() > self.k {
            top.select_nth_unstable_by(self.k, |a, b| b.1.total_cmp(&a.1));
            top.truncate(self.k);
        }
        for (v, s) in top {
            for &(j, x) in &self.rows[v as usize] {
                out[j as usize] += s * x;
            }
        }
    }
}
