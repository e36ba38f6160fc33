//! Implicit-feedback matrix factorisation (Hu, Koren and Volinsky 2008),
//! solved by alternating least squares with a few conjugate-gradient steps
//! per row (Takács et al. 2011, as in the `implicit` library), in f32.
//!
//! A row's confidence in an item is `1 + alpha * w` where `w` is the decayed
//! interaction weight. Rows are solved in parallel over `std::thread::scope`
//! (each thread owns a slice of the factor matrix being solved). A cart or a
//! session that training never saw is folded in: its vector is solved
//! against the fixed item factors, without retraining.

use std::time::Instant;

#[derive(Clone, Debug, PartialEq)]
pub struct AlsConfig {
    pub factors: usize,
    pub iterations: usize,
    pub regularization: f32,
    pub alpha: f32,
    pub cg_steps: usize,
    pub threads: usize,
    pub seed: u64,
}

impl Default for AlsConfig {
    fn default() -> Self {
        AlsConfig {
            factors: 48,
            iterations: 8,
            regularization: 0.05,
            alpha: 20.0,
            cg_steps: 3,
            threads: 2,
            seed: 42,
        }
    }
}

pub(crate) struct Factors {
    pub f: usize,
    pub users: Vec<f32>,
    pub items: Vec<f32>,
    /// Item vectors' lengths, for cosine similarity between items.
    pub item_norms: Vec<f32>,
    /// `Yᵀ Y` of the final item factors, for fold-in.
    yty: Vec<f32>,
    reg: f32,
    alpha: f32,
    pub seconds: f32,
}

impl Factors {
    pub fn user(&self, u: u32) -> &[f32] {
        &self.users[u as usize * self.f..(u as usize + 1) * self.f]
    }

    pub fn item(&self, i: u32) -> &[f32] {
        &self.items[i as usize * self.f..(i as usize + 1) * self.f]
    }

    pub fn is_empty(&self) -> bool {
        self.f == 0 || self.items.is_empty()
    }

    /// Scores every item for a user vector.
    pub fn score_all(&self, x: &[f32], out: &mut [f32]) {
        if self.is_empty() {
            return;
        }
        for (o, y) in out.iter_mut().zip(self.items.chunks_exact(self.f)) {
            *o = dot(x, y);
        }
    }

    /// Cosine similarity of two items' vectors.
    #[cfg(test)]
    pub fn item_cosine(&self, a: u32, b: u32) -> f32 {
        let d = self.item_norms[a as usize] * self.item_norms[b as usize];
        if d <= 0.0 {
            0.0
        } else {
            dot(self.item(a), self.item(b)) / d
        }
    }

    /// Solves a vector for a row of (item, weight) that training did not see.
    pub fn fold_in(&self, row: &[(u32, f32)]) -> Vec<f32> {
        let mut x = vec![0f32; self.f];
        if self.is_empty() || row.is_empty() {
            return x;
        }
        let mut scratch = Scratch::new(self.f);
        cg_row(
            &mut x,
            &self.items,
            self.f,
            &self.yty,
            row,
            self.reg,
            self.alpha,
            3 * self.f.min(12),
            &mut scratch,
        );
        x
    }
}

pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Four accumulators so that the compiler can vectorise.
    let mut s = [0f32; 4];
    let chunks = a.len() / 4 * 4;
    for k in (0..chunks).step_by(4) {
        s[0] += a[k] * b[k];
        s[1] += a[k + 1] * b[k + 1];
        s[2] += a[k + 2] * b[k + 2];
        s[3] += a[k + 3] * b[k + 3];
    }
    let mut t = s[0] + s[1] + s[2] + s[3];
    for k in chunks..a.len() {
        t += a[k] * b[k];
    }
    t
}

/// `y += a * x`.
fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yk, xk) in y.iter_mut().zip(x) {
        *yk += a * xk;
    }
}

struct Scratch {
    r: Vec<f32>,
    p: Vec<f32>,
    ap: Vec<f32>,
}

impl Scratch {
    fn new(f: usize) -> Scratch {
        Scratch { r: vec![0.0; f], p: vec![0.0; f], ap: vec![0.0; f] }
    }
}

fn gram(m: &[f32], f: usize) -> Vec<f32> {
    let mut g = vec![0f32; f * f];
    for row in m.chunks_exact(f) {
        for a in 0..f {
            let ra = row[a];
            if ra == 0.0 {
                continue;
            }
            let ga = &mut g[a * f..(a + 1) * f];
            for (gb, rb) in ga.iter_mut().zip(row) {
                *gb += ra * rb;
            }
        }
    }
    g
}

fn matvec(m: &[f32], x: &[f32], out: &mut [f32]) {
    let f = x.len();
    for (o, row) in out.iter_mut().zip(m.chunks_exact(f)) {
        *o = dot(row, x);
    }
}

/// A few conjugate-gradient steps on one row, starting from `x`.
#[allow(clippy::too_many_arguments)]
fn cg_row(
    x: &mut [f32],
    fixed: &[f32],
    f: usize,
    ftf: &[f32],
    row: &[(u32, f32)],
    reg: f32,
    alpha: f32,
    steps: usize,
    s: &mut Scratch,
) {
    // r = b - A x, with A = FᵀF + Fᵀ(C - I)F + reg·I and b = Fᵀ C p.
    matvec(ftf, x, &mut s.r);
    for (r, xk) in s.r.iter_mut().zip(x.iter()) {
        *r = -*r - reg * xk;
    }
    for &(i, w) in row {
        let y = &fixed[i as usize * f..(i as usize + 1) * f];
        let c = 1.0 + alpha * w;
        axpy(c - (c - 1.0) * dot(y, x), y, &mut s.r);
    }
    s.p.copy_from_slice(&s.r);
    let mut rs_old = dot(&s.r, &s.r);
    for _ in 0..steps {
        if rs_old < 1e-12 {
            break;
        }
        matvec(ftf, &s.p, &mut s.ap);
        axpy(reg, &s.p, &mut s.ap);
        for &(i, w) in row {
            let y = &fixed[i as usize * f..(i as usize + 1) * f];
            axpy(alpha * w * dot(y, &s.p), y, &mut s.ap);
        }
        let pap = dot(&s.p, &s.ap);
        if pap <= 0.0 {
            break;
        }
        let a = rs_old / pap;
        axpy(a, &s.p, x);
        axpy(-a, &s.ap, &mut s.r);
        let rs_new = dot(&s.r, &s.r);
        let beta = rs_new / rs_old;
        for (p, r) in s.p.iter_mut().zip(&s.r) {
            *p = r + beta * *p;
        }
        rs_old = rs_new;
    }
}

fn solve_side(target: &mut [f32], fixed: &[f32], rows: &[Vec<(u32, f32)>], cfg: &AlsConfig) {
    let f = cfg.factors;
    let ftf = gram(fixed, f);
    let n = rows.len();
    let threads = cfg.threads.max(1);
    let chunk = n.div_ceil(threads).max(1);
    let ftf = &ftf;
    std::thread::scope(|s| {
        for (t, block) in target.chunks_mut(chunk * f).enumerate() {
            s.spawn(move || {
                let mut scratch = Scratch::new(f);
                for (off, x) in block.chunks_exact_mut(f).enumerate() {
                    let row = &rows[t * chunk + off];
                    cg_row(x, fixed, f, ftf, row, cfg.regularization, cfg.alpha, cfg.cg_steps, &mut scratch);
                }
            });
        }
    });
}

/// Deterministic small random numbers (splitmix64), so that training is
/// reproducible without a dependency.
fn init(n: usize, f: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    (0..n * f)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 40) as f32 / (1u64 << 24) as f32 * 0.01
        })
        .collect()
}

/// Trains on user rows of (item, weight).
pub(crate) fn train(n_items: usize, user_rows: &[Vec<(u32, f32)>], cfg: &AlsConfig) -> Factors {
    let start = Instant::now();
    let f = cfg.factors;
    let n_users = user_rows.len();
    let mut item_rows: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_items];
    for (u, row) in user_rows.iter().enumerate() {
        for &(i, w) in row {
            item_rows[i as usize].push((u as u32, w));
        }
    }
    let mut users = init(n_users, f, cfg.seed);
    let mut items = init(n_items, f, cfg.seed ^ 0xA5A5);
    if f > 0 && n_users > 0 && n_items > 0 {
        for _ in 0..cfg.iterations {
            solve_side(&mut users, &items, user_rows, cfg);
            solve_side(&mut items, &users, &item_rows, cfg);
        }
    }
    let item_norms = items.chunks_exact(f.max(1)).map(|y| dot(y, y).sqrt()).collect();
    let yty = gram(&items, f);
    Factors {
        f,
        users,
        items,
        item_norms,
        yty,
        reg: cfg.regularization,
        alpha: cfg.alpha,
        seconds: start.elapsed().as_secs_f32(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two planted tastes: users 0..20 like items 0..10, users 20..40 like
    /// items 10..20. Each user saw about two thirds of their block (different
    /// thirds for different users); ALS must rank the unseen rest of their
    /// own block above everything in the other block.
    #[test]
    fn recovers_planted_blocks() {
        let mut rows = Vec::new();
        for u in 0..40u32 {
            let base = if u < 20 { 0 } else { 10 };
            let row: Vec<(u32, f32)> =
                (0..10u32).filter(|i| (i + u) % 3 != 0).map(|i| (base + i, 1.0)).collect();
            rows.push(row);
        }
        let cfg =
            AlsConfig { factors: 2, iterations: 10, regularization: 0.5, threads: 2, ..AlsConfig::default() };
        let m = train(20, &rows, &cfg);
        let mut scores = vec![0f32; 20];
        for u in 0..40u32 {
            m.score_all(m.user(u), &mut scores);
            let base = if u < 20 { 0 } else { 10 };
            let unseen_own: Vec<u32> = (0..10u32).filter(|i| (i + u) % 3 == 0).map(|i| base + i).collect();
            let other: Vec<u32> = (0..10u32).map(|i| (10 - base) + i).collect();
            let worst_own = unseen_own.iter().map(|&i| scores[i as usize]).fold(f32::MAX, f32::min);
            let best_other = other.iter().map(|&i| scores[i as usize]).fold(f32::MIN, f32::max);
            assert!(worst_own > best_other, "user {u}: {worst_own} <= {best_other}: {scores:?}");
        }
        // Fold-in of a new user who saw two items of the second block.
        let x = m.fold_in(&[(11, 1.0), (13, 1.0)]);
        m.score_all(&x, &mut scores);
        assert!(scores[15] > scores[5], "folded-in user leans to block two");
        assert!(m.item_cosine(0, 2) > m.item_cosine(0, 12));
    }
}
