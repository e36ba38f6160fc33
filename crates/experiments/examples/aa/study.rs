//! The A/A simulation study itself, apart from where the visitors come from:
//! split a fixed set of visitors into two arms many times with GrowthBook's
//! hash, read each split out with `experiments::stats::analyze`, and count how
//! often each read-out declares a difference that is not there (or, with an
//! injected effect, one that is).
//!
//! [`visitors`] turns a simulated world into the visitors of its last weeks;
//! `main.rs` feeds it the demo brand; `tests/aa.rs` includes this
//! file to run a small version of the same study as a test.

use std::collections::HashMap;

use experiments::assign;
use experiments::stats::{self, Analysis, Config, Engine, ReadOut, Statistic};

/// The experiment window: the last four weeks of the simulation; the CUPED
/// covariates come from the four weeks before it.
pub const WINDOW_DAYS: u32 = 28;

/// One visitor of the experiment window, as the read-outs see them.
#[derive(Debug, Clone, PartialEq)]
pub struct Visitor {
    /// What the assignment hashes: the customer id, or the guest's session.
    pub id: String,
    /// First arrival in the window (unix milliseconds); the order peeks see visitors in.
    pub arrival: i64,
    pub converted: bool,
    /// Revenue in the window, in currency units.
    pub revenue: f64,
    /// The CUPED covariates: the same two metrics over the period before the window.
    pub pre_converted: bool,
    pub pre_revenue: f64,
}

/// The visitors of the last `WINDOW_DAYS` days of `world`, in arrival order.
pub fn visitors(world: &sim::World) -> Vec<Visitor> {
    let days = world.config.days.max(1);
    let window = days.saturating_sub(WINDOW_DAYS)..days;
    let pre = days.saturating_sub(2 * WINDOW_DAYS)..window.start;
    let session_day: HashMap<u32, u32> = world.sessions.iter().map(|s| (s.session, s.day)).collect();
    // A session's arrival is its first event; an order belongs to the session that placed it.
    let mut arrival: HashMap<u32, i64> = HashMap::new();
    let mut order_session: HashMap<u32, u32> = HashMap::new();
    for e in &world.events {
        if let Some(s) = e.session {
            let t = arrival.entry(s).or_insert(e.at);
            *t = (*t).min(e.at);
            if let Some(o) = e.order {
                order_session.entry(o).or_insert(s);
            }
        }
    }
    let key = |customer: Option<u32>, session: u32| match customer {
        Some(c) => format!("customer-{c}"),
        None => format!("guest-session-{session}"),
    };
    let mut by_id: HashMap<String, Visitor> = HashMap::new();
    for s in world.sessions.iter().filter(|s| window.contains(&s.day)) {
        let id = key(s.customer, s.session);
        let at = arrival.get(&s.session).copied().unwrap_or(i64::MAX);
        let v = by_id.entry(id.clone()).or_insert(Visitor {
            id,
            arrival: at,
            converted: false,
            revenue: 0.0,
            pre_converted: false,
            pre_revenue: 0.0,
        });
        v.arrival = v.arrival.min(at);
    }
    // Purchases only: a return lowers no one's revenue here, as an experiment
    // read out at the end of the window would not have seen most of them yet.
    for o in world.orders.iter().filter(|o| o.qty > 0) {
        let Some(&session) = order_session.get(&o.order_no) else { continue };
        let Some(&day) = session_day.get(&session) else { continue };
        let amount = (o.qty * o.unit_price) as f64 / 100.0;
        let v = by_id.get_mut(&key(o.customer, session));
        match v {
            Some(v) if window.contains(&day) => {
                v.converted = true;
                v.revenue += amount;
            }
            Some(v) if pre.contains(&day) => {
                v.pre_converted = true;
                v.pre_revenue += amount;
            }
            _ => {}
        }
    }
    let mut out: Vec<Visitor> = by_id.into_values().collect();
    out.sort_by(|a, b| a.arrival.cmp(&b.arrival).then_with(|| a.id.cmp(&b.id)));
    out
}

/// Caps each visitor's revenue, in the window and before it, at the `q`
/// quantile of the buyers' revenue in that period (GrowthBook's percentile
/// capping, which tames the heaviest spenders); returns both caps.
pub fn cap(visitors: &mut [Visitor], q: f64) -> (f64, f64) {
    let quantile = |mut xs: Vec<f64>| -> f64 {
        if xs.is_empty() {
            return f64::INFINITY;
        }
        xs.sort_by(f64::total_cmp);
        let i = ((xs.len() - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
        xs[i]
    };
    let post = quantile(visitors.iter().filter(|v| v.converted).map(|v| v.revenue).collect());
    let pre = quantile(visitors.iter().filter(|v| v.pre_converted).map(|v| v.pre_revenue).collect());
    for v in visitors.iter_mut() {
        v.revenue = v.revenue.min(post);
        v.pre_revenue = v.pre_revenue.min(pre);
    }
    (post, pre)
}

/// The two metrics of the study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    Conversion,
    Revenue,
}

impl Metric {
    pub const ALL: [Metric; 2] = [Metric::Conversion, Metric::Revenue];

    pub fn name(self) -> &'static str {
        match self {
            Metric::Conversion => "conversion",
            Metric::Revenue => "revenue per visitor",
        }
    }
}

/// The four read-outs, each with the rule that turns it into "B differs from A".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Frequentist two-sided t-test: p < alpha.
    Fixed,
    /// Sequential test: the interval excludes 0.
    Sequential,
    /// Bayesian with a flat prior: chance to win above 1 - alpha/2 or below alpha/2.
    Bayesian,
    /// CUPED-adjusted t-test on the pre-period covariate: p < alpha.
    Cuped,
}

impl Read {
    pub const ALL: [Read; 4] = [Read::Fixed, Read::Sequential, Read::Bayesian, Read::Cuped];

    pub fn name(self) -> &'static str {
        match self {
            Read::Fixed => "fixed-horizon t-test",
            Read::Sequential => "sequential",
            Read::Bayesian => "Bayesian",
            Read::Cuped => "CUPED t-test",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// How a replicate splits the visitors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// GrowthBook's hash v2 of the visitor id with the seed `aa-{replicate}`, B below 0.5.
    GrowthBook,
    /// A fair coin per visitor and replicate from SplitMix64: the textbook
    /// randomization, to tell the hash's part in a rate from the test's.
    Coin,
}

/// What the study does; the read-outs' settings are the brief's.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyConfig {
    pub replicates: u32,
    pub assignment: Assignment,
    /// Interim looks for the peeking study, at equal shares of the visitors.
    pub looks: usize,
    pub alpha: f64,
    pub sequential_tuning: f64,
}

impl Default for StudyConfig {
    fn default() -> Self {
        StudyConfig {
            replicates: 1000,
            assignment: Assignment::GrowthBook,
            looks: 10,
            alpha: 0.05,
            sequential_tuning: 5000.0,
        }
    }
}

/// The sufficient statistics of one arm for both metrics and their covariates.
#[derive(Debug, Clone, Copy, Default)]
struct Arm {
    n: f64,
    conv: f64,
    pre_conv: f64,
    conv_pre_conv: f64,
    rev: f64,
    rev2: f64,
    pre: f64,
    pre2: f64,
    rev_pre: f64,
}

impl Arm {
    fn add(&mut self, converted: bool, revenue: f64, v: &Visitor) {
        let (c, pc) = (f64::from(u8::from(converted)), f64::from(u8::from(v.pre_converted)));
        self.n += 1.0;
        self.conv += c;
        self.pre_conv += pc;
        self.conv_pre_conv += c * pc;
        self.rev += revenue;
        self.rev2 += revenue * revenue;
        self.pre += v.pre_revenue;
        self.pre2 += v.pre_revenue * v.pre_revenue;
        self.rev_pre += revenue * v.pre_revenue;
    }

    fn statistic(&self, metric: Metric) -> Statistic {
        match metric {
            Metric::Conversion => Statistic::Proportion { n: self.n, sum: self.conv },
            Metric::Revenue => Statistic::SampleMean { n: self.n, sum: self.rev, sum_squares: self.rev2 },
        }
    }

    fn cuped(&self, metric: Metric) -> Statistic {
        let (pre, products) = match metric {
            Metric::Conversion => {
                (Statistic::Proportion { n: self.n, sum: self.pre_conv }, self.conv_pre_conv)
            }
            Metric::Revenue => {
                (Statistic::SampleMean { n: self.n, sum: self.pre, sum_squares: self.pre2 }, self.rev_pre)
            }
        };
        Statistic::RegressionAdjusted {
            n: self.n,
            post: Box::new(self.statistic(metric)),
            pre: Box::new(pre),
            post_pre_sum_of_products: products,
            theta: None,
        }
    }
}

/// The configurations of the four read-outs.
struct Configs {
    fixed: Config,
    sequential: Config,
    bayesian: Config,
}

impl Configs {
    fn new(cfg: &StudyConfig) -> Configs {
        let fixed = Config { alpha: cfg.alpha, ..Config::default() };
        let sequential = Config { sequential_tuning_parameter: Some(cfg.sequential_tuning), ..fixed.clone() };
        let bayesian = Config { engine: Engine::Bayesian, ..fixed.clone() };
        Configs { fixed, sequential, bayesian }
    }
}

/// Whether `read` calls a difference between arms `a` and `b` on `metric`;
/// `None` when the analysis reported an error (which never counts as a rejection).
fn rejects(read: Read, metric: Metric, a: &Arm, b: &Arm, cfgs: &Configs, alpha: f64) -> Option<bool> {
    let p_below = |r: &Analysis| match r.read_out {
        ReadOut::Frequentist { p_value: Some(p), .. } => p < alpha,
        _ => false,
    };
    let (sa, sb) = match read {
        Read::Cuped => (a.cuped(metric), b.cuped(metric)),
        _ => (a.statistic(metric), b.statistic(metric)),
    };
    let cfg = match read {
        Read::Fixed | Read::Cuped => &cfgs.fixed,
        Read::Sequential => &cfgs.sequential,
        Read::Bayesian => &cfgs.bayesian,
    };
    let r = stats::analyze(&sa, &sb, cfg);
    if r.error.is_some() {
        return None;
    }
    Some(match read {
        Read::Fixed | Read::Cuped => p_below(&r),
        Read::Sequential => r.ci[0] > 0.0 || r.ci[1] < 0.0,
        Read::Bayesian => match r.read_out {
            ReadOut::Bayesian { chance_to_win, .. } => {
                chance_to_win > 1.0 - alpha / 2.0 || chance_to_win < alpha / 2.0
            }
            ReadOut::Frequentist { .. } => false,
        },
    })
}

/// A count of rejections out of a number of trials (replicates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count {
    pub rejections: u32,
    pub trials: u32,
    /// Analyses that returned an error (counted as trials without rejection).
    pub errors: u32,
}

impl Count {
    fn record(&mut self, outcome: Option<bool>) {
        self.trials += 1;
        match outcome {
            Some(true) => self.rejections += 1,
            Some(false) => {}
            None => self.errors += 1,
        }
    }

    pub fn rate(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            f64::from(self.rejections) / f64::from(self.trials)
        }
    }

    /// The Wilson score 95% interval of the rate.
    pub fn interval(&self) -> [f64; 2] {
        let n = f64::from(self.trials.max(1));
        let p = self.rate();
        let z = 1.959_963_984_540_054_f64;
        let z2 = z * z;
        let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
        let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
        [(centre - half).max(0.0), (centre + half).min(1.0)]
    }
}

/// The counts of one run of replicates, by metric and read-out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// `[metric][read]`, at the full sample.
    pub at_end: [[Count; 4]; 2],
    /// `[metric][0 = fixed, 1 = sequential]`: any of the looks rejected.
    pub any_look: [[Count; 2]; 2],
    /// `[metric][0 = fixed, 1 = sequential][look]`: replicates whose first
    /// rejection came at that look (0 = the first, at 1/looks of the visitors).
    pub first_look: [[Vec<u32>; 2]; 2],
}

impl Counts {
    pub fn at_end(&self, metric: Metric, read: Read) -> Count {
        self.at_end[metric as usize][read.index()]
    }

    pub fn any_look(&self, metric: Metric, read: Read) -> Count {
        let i = match read {
            Read::Fixed => 0,
            Read::Sequential => 1,
            _ => panic!("peeking is studied for the fixed and sequential tests only"),
        };
        self.any_look[metric as usize][i]
    }

    pub fn first_look(&self, metric: Metric, read: Read) -> &[u32] {
        let i = match read {
            Read::Fixed => 0,
            Read::Sequential => 1,
            _ => panic!("peeking is studied for the fixed and sequential tests only"),
        };
        &self.first_look[metric as usize][i]
    }
}

/// A known effect put into arm B.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Effect {
    None,
    /// B's revenue is multiplied by 1 + this.
    Revenue(f64),
    /// A random share of B's non-converters converts, so that B's expected
    /// conversion rate is (1 + this) times the rate of all visitors.
    Conversion(f64),
}

/// SplitMix64: a small deterministic generator, enough to pick who converts.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A uniform number in [0, 1) for a visitor in a replicate; `stream` keeps
/// the coin that assigns apart from the one that converts.
fn uniform(stream: u64, replicate: u32, visitor: usize) -> f64 {
    let bits = splitmix(splitmix(splitmix(stream) ^ u64::from(replicate)) ^ visitor as u64);
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// The share of all visitors who converted.
pub fn conversion_rate(visitors: &[Visitor]) -> f64 {
    visitors.iter().filter(|v| v.converted).count() as f64 / visitors.len().max(1) as f64
}

/// Runs `cfg.replicates` splits of `visitors` (in arrival order) with `effect`
/// in B, reading out at the end and, when `peek`, at `cfg.looks` interim looks.
pub fn run(visitors: &[Visitor], cfg: &StudyConfig, effect: Effect, peek: bool) -> Counts {
    let cfgs = Configs::new(cfg);
    let n = visitors.len();
    let looks: Vec<usize> = (1..=cfg.looks).map(|j| (n * j).div_ceil(cfg.looks)).collect();
    // The chance that a non-converter in B converts, for the conversion effect.
    let lift = match effect {
        Effect::Conversion(e) => {
            let p = conversion_rate(visitors);
            (p * e / (1.0 - p)).clamp(0.0, 1.0)
        }
        _ => 0.0,
    };
    let mut counts = Counts::default();
    for per_read in &mut counts.first_look {
        for firsts in per_read {
            *firsts = vec![0; looks.len()];
        }
    }
    for r in 0..cfg.replicates {
        let seed = format!("aa-{r}");
        let (mut a, mut b) = (Arm::default(), Arm::default());
        let mut first: [[Option<usize>; 2]; 2] = [[None; 2]; 2];
        let mut next_look = 0;
        for (i, v) in visitors.iter().enumerate() {
            let in_b = match cfg.assignment {
                Assignment::GrowthBook => assign::hash(&seed, &v.id, 2).expect("version 2 exists") < 0.5,
                Assignment::Coin => uniform(1, r, i) < 0.5,
            };
            if in_b {
                let (converted, revenue) = match effect {
                    Effect::None => (v.converted, v.revenue),
                    Effect::Revenue(e) => (v.converted, v.revenue * (1.0 + e)),
                    Effect::Conversion(_) => (v.converted || uniform(2, r, i) < lift, v.revenue),
                };
                b.add(converted, revenue, v);
            } else {
                a.add(v.converted, v.revenue, v);
            }
            if peek && next_look < looks.len() && i + 1 == looks[next_look] {
                for metric in Metric::ALL {
                    for (k, read) in [Read::Fixed, Read::Sequential].into_iter().enumerate() {
                        let slot = &mut first[metric as usize][k];
                        if slot.is_none() && rejects(read, metric, &a, &b, &cfgs, cfg.alpha) == Some(true) {
                            *slot = Some(next_look);
                        }
                    }
                }
                next_look += 1;
            }
        }
        for metric in Metric::ALL {
            for read in Read::ALL {
                counts.at_end[metric as usize][read.index()]
                    .record(rejects(read, metric, &a, &b, &cfgs, cfg.alpha));
            }
            if peek {
                let m = metric as usize;
                for (k, &look) in first[m].iter().enumerate() {
                    counts.any_look[m][k].record(Some(look.is_some()));
                    if let Some(look) = look {
                        counts.first_look[m][k][look] += 1;
                    }
                }
            }
        }
    }
    counts
}

/// The mean and sample variance of a metric over all visitors, as the power calculator takes them.
pub fn moments(visitors: &[Visitor], metric: Metric) -> (f64, f64) {
    let values: Vec<f64> = visitors
        .iter()
        .map(|v| match metric {
            Metric::Conversion => f64::from(u8::from(v.converted)),
            Metric::Revenue => v.revenue,
        })
        .collect();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}
