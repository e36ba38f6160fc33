//! Item-to-item co-occurrence: how often two products appear in the same
//! order, the same browsing session or the same customer's recent
//! purchases, each group decayed by its age and damped by its size, turned
//! into a cosine similarity and cut to the top neighbours per item.
//!
//! Rows are computed item by item into a dense scratch row (cache friendly,
//! no pair hash map), split over threads with `std::thread::scope`. The raw
//! counts of shared orders and sessions are kept for the reasons ("bought
//! together with X in 132 orders").

use crate::profile::{Group, GroupKind};

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Neighbour {
    pub item: u32,
    pub sim: f32,
    /// Orders containing both items.
    pub orders: u32,
    /// Sessions in which both were viewed.
    pub sessions: u32,
}

pub(crate) struct Cooc {
    pub rows: Vec<Vec<Neighbour>>,
    pub pairs: usize,
}

impl Cooc {
    pub fn neighbours(&self, item: u32) -> &[Neighbour] {
        self.rows.get(item as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn get(&self, a: u32, b: u32) -> Option<&Neighbour> {
        self.neighbours(a).iter().find(|n| n.item == b)
    }
}

fn kind_weight(kind: GroupKind) -> f32 {
    match kind {
        GroupKind::Order => 1.0,
        GroupKind::Customer => 0.6,
        GroupKind::Session => 0.5,
    }
}

pub(crate) fn train(n_items: usize, groups: &[Group], k: usize, threads: usize) -> Cooc {
    // Inverted index: item -> groups containing it.
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); n_items];
    let mut norm = vec![0f32; n_items];
    let gw: Vec<f32> = groups
        .iter()
        .map(|g| g.weight * kind_weight(g.kind) / (g.items.len() as f32).sqrt().max(1.0))
        .collect();
    for (gi, g) in groups.iter().enumerate() {
        for &i in &g.items {
            postings[i as usize].push(gi as u32);
            norm[i as usize] += gw[gi];
        }
    }
    let threads = threads.max(1);
    let chunk = n_items.div_ceil(threads).max(1);
    let mut rows: Vec<Vec<Neighbour>> = vec![Vec::new(); n_items];
    let postings = &postings;
    let norm = &norm;
    let gw = &gw;
    std::thread::scope(|s| {
        for (t, out) in rows.chunks_mut(chunk).enumerate() {
            s.spawn(move || {
                let mut score = vec![0f32; n_items];
                let mut orders = vec![0u32; n_items];
                let mut sessions = vec![0u32; n_items];
                let mut touched: Vec<u32> = Vec::new();
                for (off, row) in out.iter_mut().enumerate() {
                    let i = t * chunk + off;
                    for &gi in &postings[i] {
                        let g = &groups[gi as usize];
                        for &j in &g.items {
                            if j as usize == i {
                                continue;
                            }
                            let ju = j as usize;
                            if score[ju] == 0.0 && orders[ju] == 0 && sessions[ju] == 0 {
                                touched.push(j);
                            }
                            score[ju] += gw[gi as usize];
                            match g.kind {
                                GroupKind::Order => orders[ju] += 1,
                                GroupKind::Session => sessions[ju] += 1,
                                GroupKind::Customer => {}
                            }
                        }
                    }
                    let mut cand: Vec<Neighbour> = touched
                        .iter()
                        .map(|&j| {
                            let ju = j as usize;
                            let denom = (norm[i] * norm[ju]).sqrt().max(1e-6);
                            Neighbour {
                                item: j,
                                sim: score[ju] / denom,
                                orders: orders[ju],
                                sessions: sessions[ju],
                            }
                        })
                        .collect();
                    for &j in &touched {
                        score[j as usize] = 0.0;
                        orders[j as usize] = 0;
                        sessions[j as usize] = 0;
                    }
                    touched.clear();
                    if cand.len() > k {
                        cand.select_nth_unstable_by(k, |a, b| b.sim.total_cmp(&a.sim));
                        cand.truncate(k);
                    }
                    cand.sort_by(|a, b| b.sim.total_cmp(&a.sim).then(a.item.cmp(&b.item)));
                    *row = cand;
                }
            });
        }
    });
    let pairs = rows.iter().map(Vec::len).sum();
    Cooc { rows, pairs }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(items: &[u32]) -> Group {
        Group { kind: GroupKind::Order, items: items.to_vec(), weight: 1.0 }
    }

    #[test]
    fn items_bought_together_are_neighbours_with_their_order_count() {
        let groups = vec![order(&[0, 1]), order(&[0, 1, 2]), order(&[0, 1]), order(&[2, 3]), order(&[3, 4])];
        let c = train(5, &groups, 10, 2);
        let top = c.neighbours(0)[0];
        assert_eq!((top.item, top.orders), (1, 3));
        assert!(c.get(0, 3).is_none(), "0 and 3 never met");
        assert_eq!(c.neighbours(1)[0].item, 0, "symmetric");
    }

    #[test]
    fn keeps_only_k_neighbours() {
        let groups = vec![order(&[0, 1, 2, 3, 4, 5])];
        let c = train(6, &groups, 2, 1);
        assert!(c.rows.iter().all(|r| r.len() == 2));
    }
}
