//! The forecasting models, written out by hand: naive and seasonal naive,
//! simple exponential smoothing, Holt's damped trend, Holt-Winters (additive
//! and multiplicative, damped), Croston, SBA and TSB.
//!
//! Every model is a small state machine ([`State`]) driven once over the
//! history by [`run`], which in the same pass records the one-step in-sample
//! error (to choose parameters), the forecasts the model would have made at
//! each backtest origin (to choose between models), and the final forecast.
//! Values are divided by a calendar index before the state sees them and
//! multiplied back on the way out, which is how the pooled calendar effects
//! enter any model. Nothing here allocates per time step.

/// A model's state: `predict(t, j)` forecasts period `t + j - 1` from what
/// was seen before period `t` (so `j` is 1-based steps ahead).
pub(crate) trait State {
    fn update(&mut self, t: usize, z: f64);
    /// A censored or missing period: time passes, nothing is learned.
    fn skip(&mut self, _t: usize) {}
    fn predict(&self, t: usize, j: usize) -> f64;
}

/// Where the backtest forecasts are made and how far they reach.
pub(crate) struct Plan<'a> {
    /// Calendar index per period, at least `n + h` long.
    pub idx: &'a [f64],
    /// Number of observed periods at each backtest origin, ascending, each
    /// with `origin + h <= n`.
    pub origins: &'a [usize],
    pub h: usize,
    /// Periods of history to run over (the tail of a long series).
    pub from: usize,
}

/// What one run of a model produced.
#[derive(Clone, Debug, Default)]
pub(crate) struct Output {
    pub sse: f64,
    pub nfit: usize,
    /// `origins.len() * h` forecasts, origin-major.
    pub bt: Vec<f64>,
    /// The `h` forecasts after the end of history.
    pub fc: Vec<f64>,
}

/// Drives `s` over `y` (with `ok[t] == false` for censored periods).
pub(crate) fn run<S: State>(mut s: S, y: &[f64], ok: &[bool], plan: &Plan, out: &mut Output) {
    let n = y.len();
    let h = plan.h;
    out.bt.clear();
    out.bt.resize(plan.origins.len() * h, 0.0);
    out.fc.clear();
    out.sse = 0.0;
    out.nfit = 0;
    let mut oi = 0;
    while oi < plan.origins.len() && plan.origins[oi] < plan.from {
        oi += 1;
    }
    let mut seen = 0usize;
    for t in plan.from..n {
        while oi < plan.origins.len() && plan.origins[oi] == t {
            for j in 0..h {
                out.bt[oi * h + j] = clean(s.predict(t, j + 1) * plan.idx[t + j]);
            }
            oi += 1;
        }
        let idx = plan.idx[t];
        if ok.get(t).copied().unwrap_or(true) {
            if seen >= 2 {
                let e = y[t] - s.predict(t, 1) * idx;
                out.sse += e * e;
                out.nfit += 1;
            }
            s.update(t, y[t] / idx);
            seen += 1;
        } else {
            s.skip(t);
        }
    }
    for j in 0..h {
        out.fc.push(clean(s.predict(n, j + 1) * plan.idx[n + j]));
    }
}

fn clean(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

/// The last observed value.
#[derive(Default)]
pub(crate) struct Naive {
    last: f64,
}

impl State for Naive {
    fn update(&mut self, _t: usize, z: f64) {
        self.last = z;
    }
    fn predict(&self, _t: usize, _j: usize) -> f64 {
        self.last
    }
}

/// The last observed value of the same season position; the last value
/// until a full season has been seen.
pub(crate) struct SeasonalNaive {
    m: usize,
    buf: Vec<f64>,
    seen: usize,
    last: f64,
}

impl SeasonalNaive {
    pub fn new(m: usize) -> Self {
        SeasonalNaive { m, buf: vec![0.0; m.max(1)], seen: 0, last: 0.0 }
    }
}

impl State for SeasonalNaive {
    fn update(&mut self, t: usize, z: f64) {
        self.buf[t % self.m] = z;
        self.seen += 1;
        self.last = z;
    }
    fn skip(&mut self, t: usize) {
        // Keep the season's last known value rather than a censored one.
        let _ = t;
    }
    fn predict(&self, t: usize, j: usize) -> f64 {
        if self.seen < self.m {
            self.last
        } else {
            self.buf[(t + j - 1) % self.m]
        }
    }
}

/// Simple exponential smoothing, ETS(A,N,N).
pub(crate) struct Ses {
    alpha: f64,
    level: Option<f64>,
}

impl Ses {
    pub fn new(alpha: f64) -> Self {
        Ses { alpha, level: None }
    }
}

impl State for Ses {
    fn update(&mut self, _t: usize, z: f64) {
        self.level = Some(match self.level {
            None => z,
            Some(l) => l + self.alpha * (z - l),
        });
    }
    fn predict(&self, _t: usize, _j: usize) -> f64 {
        self.level.unwrap_or(0.0)
    }
}

/// Holt's linear trend with damping, ETS(A,Ad,N).
pub(crate) struct Holt {
    alpha: f64,
    beta: f64,
    phi: f64,
    level: f64,
    trend: f64,
    seen: usize,
}

impl Holt {
    pub fn new(alpha: f64, beta: f64, phi: f64) -> Self {
        Holt { alpha, beta, phi, level: 0.0, trend: 0.0, seen: 0 }
    }
}

fn damped_sum(phi: f64, j: usize) -> f64 {
    if (phi - 1.0).abs() < 1e-12 {
        return j as f64;
    }
    phi * (1.0 - phi.powi(j as i32)) / (1.0 - phi)
}

impl State for Holt {
    fn update(&mut self, _t: usize, z: f64) {
        match self.seen {
            0 => self.level = z,
            1 => {
                self.trend = z - self.level;
                self.level = z;
            }
            _ => {
                let prev = self.level;
                self.level = self.alpha * z + (1.0 - self.alpha) * (prev + self.phi * self.trend);
                self.trend = self.beta * (self.level - prev) + (1.0 - self.beta) * self.phi * self.trend;
            }
        }
        self.seen += 1;
    }
    fn predict(&self, _t: usize, j: usize) -> f64 {
        self.level + damped_sum(self.phi, j) * self.trend
    }
}

/// The Theta method (Assimakopoulos and Nikolopoulos), in Hyndman and
/// Billah's form: simple exponential smoothing plus a drift of half the
/// slope of the least-squares line through the history. Unlike the damped
/// Holt it keeps following a trend across the whole horizon, which is what a
/// ramp into a season needs.
pub(crate) struct Theta {
    alpha: f64,
    level: Option<f64>,
    n: f64,
    st: f64,
    sz: f64,
    stt: f64,
    stz: f64,
}

impl Theta {
    pub fn new(alpha: f64) -> Self {
        Theta { alpha, level: None, n: 0.0, st: 0.0, sz: 0.0, stt: 0.0, stz: 0.0 }
    }

    fn drift(&self) -> f64 {
        let d = self.n * self.stt - self.st * self.st;
        if self.n < 3.0 || d.abs() < 1e-12 {
            return 0.0;
        }
        0.5 * (self.n * self.stz - self.st * self.sz) / d
    }
}

impl State for Theta {
    fn update(&mut self, t: usize, z: f64) {
        let tf = t as f64;
        self.n += 1.0;
        self.st += tf;
        self.sz += z;
        self.stt += tf * tf;
        self.stz += tf * z;
        self.level = Some(match self.level {
            None => z,
            Some(l) => l + self.alpha * (z - l),
        });
    }
    fn predict(&self, _t: usize, j: usize) -> f64 {
        let a = self.alpha;
        let carry = (1.0 - (1.0 - a).powf(self.n)) / a;
        self.level.unwrap_or(0.0) + self.drift() * (j as f64 - 1.0 + carry)
    }
}

/// Holt-Winters with a damped trend and an additive or multiplicative
/// season of length `m`, initialised from the first season seen.
pub(crate) struct HoltWinters {
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    multiplicative: bool,
    m: usize,
    season: Vec<f64>,
    level: f64,
    trend: f64,
    seen: usize,
    first: Vec<f64>,
}

pub(crate) struct HwParams {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
    pub multiplicative: bool,
}

impl HoltWinters {
    pub fn new(p: &HwParams, m: usize) -> Self {
        let m = m.max(1);
        let season = vec![if p.multiplicative { 1.0 } else { 0.0 }; m];
        let first = vec![0.0; m];
        HoltWinters {
            alpha: p.alpha,
            beta: p.beta,
            gamma: p.gamma,
            phi: p.phi,
            multiplicative: p.multiplicative,
            m,
            season,
            level: 0.0,
            trend: 0.0,
            seen: 0,
            first,
        }
    }
}

impl State for HoltWinters {
    fn update(&mut self, t: usize, z: f64) {
        let m = self.m;
        let pos = t % m;
        if self.seen < m {
            // Collect the first season, then initialise from it.
            self.first[pos] = z;
            self.seen += 1;
            if self.seen == m {
                let mean = self.first.iter().sum::<f64>() / m as f64;
                self.level = mean;
                self.trend = 0.0;
                for k in 0..m {
                    self.season[k] = if self.multiplicative {
                        if mean > 0.0 {
                            (self.first[k] / mean).max(0.05)
                        } else {
                            1.0
                        }
                    } else {
                        self.first[k] - mean
                    };
                }
            }
            return;
        }
        let s = self.season[pos];
        let prev = self.level;
        let deseason = if self.multiplicative { z / s.max(0.05) } else { z - s };
        self.level = self.alpha * deseason + (1.0 - self.alpha) * (prev + self.phi * self.trend);
        self.trend = self.beta * (self.level - prev) + (1.0 - self.beta) * self.phi * self.trend;
        let fresh = if !self.multiplicative {
            z - self.level
        } else if self.level > 0.0 {
            z / self.level
        } else {
            1.0
        };
        self.season[pos] = self.gamma * fresh + (1.0 - self.gamma) * s;
        if self.multiplicative {
            self.season[pos] = self.season[pos].clamp(0.05, 20.0);
        }
        self.seen += 1;
    }
    fn predict(&self, t: usize, j: usize) -> f64 {
        if self.seen < self.m {
            // Not initialised: the mean so far.
            let k = self.seen.max(1);
            return self.first[..self.seen].iter().sum::<f64>() / k as f64;
        }
        let base = self.level + damped_sum(self.phi, j) * self.trend;
        let s = self.season[(t + j - 1) % self.m];
        if self.multiplicative {
            base * s
        } else {
            base + s
        }
    }
}

/// Croston's method; with `sba` the Syntetos-Boylan bias correction.
pub(crate) struct Croston {
    alpha: f64,
    sba: bool,
    size: f64,
    interval: f64,
    since: f64,
    started: bool,
}

impl Croston {
    pub fn new(alpha: f64, sba: bool) -> Self {
        Croston { alpha, sba, size: 0.0, interval: 1.0, since: 1.0, started: false }
    }
}

impl State for Croston {
    fn update(&mut self, _t: usize, z: f64) {
        if z > 0.0 {
            if self.started {
                self.size += self.alpha * (z - self.size);
                self.interval += self.alpha * (self.since - self.interval);
            } else {
                self.size = z;
                self.interval = self.since;
                self.started = true;
            }
            self.since = 1.0;
        } else {
            self.since += 1.0;
        }
    }
    fn predict(&self, _t: usize, _j: usize) -> f64 {
        if !self.started {
            return 0.0;
        }
        let f = self.size / self.interval.max(1.0);
        if self.sba {
            f * (1.0 - self.alpha / 2.0)
        } else {
            f
        }
    }
}

/// Teunter-Syntetos-Babai: demand probability updated every period, so the
/// forecast decays when demand stops (Croston's does not).
pub(crate) struct Tsb {
    alpha: f64,
    beta: f64,
    size: f64,
    prob: f64,
    started: bool,
}

impl Tsb {
    pub fn new(alpha: f64, beta: f64) -> Self {
        Tsb { alpha, beta, size: 0.0, prob: 0.0, started: false }
    }

    pub fn probability(&self) -> f64 {
        self.prob
    }
}

impl State for Tsb {
    fn update(&mut self, _t: usize, z: f64) {
        let hit = if z > 0.0 { 1.0 } else { 0.0 };
        if !self.started {
            // Start at the first period seen.
            self.prob = hit;
            self.size = z.max(0.0);
            self.started = true;
            return;
        }
        self.prob += self.beta * (hit - self.prob);
        if z > 0.0 {
            if self.size > 0.0 {
                self.size += self.alpha * (z - self.size);
            } else {
                self.size = z;
            }
        }
    }
    fn predict(&self, _t: usize, _j: usize) -> f64 {
        self.prob * self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn go<S: State>(s: S, y: &[f64], h: usize) -> Output {
        let idx = vec![1.0; y.len() + h];
        let ok = vec![true; y.len()];
        let plan = Plan { idx: &idx, origins: &[], h, from: 0 };
        let mut out = Output::default();
        run(s, y, &ok, &plan, &mut out);
        out
    }

    #[test]
    fn theta_keeps_following_a_trend_at_half_its_slope() {
        // y = 10 + 2t: the drift is half the slope, on every step ahead.
        let y: Vec<f64> = (0..40).map(|t| 10.0 + 2.0 * t as f64).collect();
        let out = go(Theta::new(0.5), &y, 6);
        for w in out.fc.windows(2) {
            assert!((w[1] - w[0] - 1.0).abs() < 1e-9, "{:?}", out.fc);
        }
        // SES alone lags below the last value; Theta starts above SES.
        let ses = go(Ses::new(0.5), &y, 6);
        assert!(ses.fc[0] < y[39] && out.fc[0] > ses.fc[0], "{:?} {:?}", ses.fc, out.fc);
        // A flat series has no drift.
        let flat = go(Theta::new(0.3), &[5.0; 30], 4);
        assert!(flat.fc.iter().all(|&f| (f - 5.0).abs() < 1e-9), "{:?}", flat.fc);
    }

    #[track_caller]
    fn close(got: &[f64], expect: &[f64], tol: f64) {
        assert_eq!(got.len(), expect.len());
        for (g, e) in got.iter().zip(expect) {
            assert!((g - e).abs() <= tol, "got {got:?}, expected {expect:?}");
        }
    }

    #[test]
    fn seasonal_naive_repeats_the_last_season() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        // Periods 0..7 with m = 3: the last season is periods 4, 5, 6 whose
        // positions are 1, 2, 0; period 7 has position 1.
        let out = go(SeasonalNaive::new(3), &y, 5);
        close(&out.fc, &[5.0, 6.0, 7.0, 5.0, 6.0], 1e-12);
    }

    #[test]
    fn croston_on_a_fixed_pattern() {
        // Demand of 4 every 4th period: size 4, interval 4, forecast 1.
        let y: Vec<f64> = (0..40).map(|t| if t % 4 == 3 { 4.0 } else { 0.0 }).collect();
        let out = go(Croston::new(0.1, false), &y, 3);
        close(&out.fc, &[1.0, 1.0, 1.0], 1e-9);
        let sba = go(Croston::new(0.1, true), &y, 1);
        close(&sba.fc, &[0.95], 1e-9);
    }

    #[test]
    fn tsb_decays_after_demand_stops_and_croston_does_not() {
        let mut y: Vec<f64> = (0..30).map(|t| if t % 2 == 0 { 2.0 } else { 0.0 }).collect();
        let before = go(Tsb::new(0.2, 0.2), &y, 1).fc[0];
        y.extend(std::iter::repeat_n(0.0, 20));
        let after = go(Tsb::new(0.2, 0.2), &y, 1).fc[0];
        assert!(after < before * 0.05, "tsb {before} -> {after}");
        let croston = go(Croston::new(0.2, false), &y, 1).fc[0];
        assert!(croston > 0.5, "croston keeps its forecast: {croston}");
    }

    #[test]
    fn holt_winters_recovers_a_planted_season() {
        let season = [10.0, -5.0, 0.0, 20.0, -25.0];
        let y: Vec<f64> = (0..60).map(|t| 100.0 + 0.5 * t as f64 + season[t % 5]).collect();
        let p = HwParams { alpha: 0.3, beta: 0.1, gamma: 0.3, phi: 1.0, multiplicative: false };
        let out = go(HoltWinters::new(&p, 5), &y, 5);
        let expect: Vec<f64> = (60..65).map(|t| 100.0 + 0.5 * t as f64 + season[t % 5]).collect();
        close(&out.fc, &expect, 1.5);

        let ym: Vec<f64> = (0..60).map(|t| 100.0 * (1.0 + season[t % 5] / 100.0)).collect();
        let p = HwParams { alpha: 0.2, beta: 0.05, gamma: 0.2, phi: 0.9, multiplicative: true };
        let out = go(HoltWinters::new(&p, 5), &ym, 5);
        let expect: Vec<f64> = (60..65).map(|t| ym[t % 5]).collect();
        close(&out.fc, &expect, 1.0);
    }

    #[test]
    fn ses_and_holt_follow_level_and_trend() {
        let flat = vec![7.0; 20];
        close(&go(Ses::new(0.3), &flat, 2).fc, &[7.0, 7.0], 1e-9);
        let line: Vec<f64> = (0..30).map(|t| 10.0 + 2.0 * t as f64).collect();
        let out = go(Holt::new(0.5, 0.3, 1.0), &line, 3);
        close(&out.fc, &[70.0, 72.0, 74.0], 1e-6);
    }

    #[test]
    fn backtest_forecasts_use_only_the_past() {
        let y: Vec<f64> = (0..10).map(|t| t as f64).collect();
        let idx = vec![1.0; 13];
        let ok = vec![true; 10];
        let plan = Plan { idx: &idx, origins: &[4, 7], h: 3, from: 0 };
        let mut out = Output::default();
        run(Naive::default(), &y, &ok, &plan, &mut out);
        close(&out.bt, &[3.0, 3.0, 3.0, 6.0, 6.0, 6.0], 0.0);
        close(&out.fc, &[9.0, 9.0, 9.0], 0.0);
    }

    #[test]
    fn censored_periods_are_skipped() {
        // A stockout (censored zeros) must not drag the level down.
        let y = [5.0, 5.0, 5.0, 0.0, 0.0, 0.0, 5.0];
        let ok = [true, true, true, false, false, false, true];
        let idx = vec![1.0; 8];
        let plan = Plan { idx: &idx, origins: &[], h: 1, from: 0 };
        let mut out = Output::default();
        run(Ses::new(0.5), &y, &ok, &plan, &mut out);
        close(&out.fc, &[5.0], 1e-12);
    }
}
