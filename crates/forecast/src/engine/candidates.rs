//! The candidate models `fit_series` chooses from, as one table: each row
//! names a model family, whether it runs on calendar-adjusted values, when
//! it applies to a series, and its parameter grid. The contest runs the rows
//! in order (a family keeps its best in-sample setting, which then competes
//! on the rolling-origin backtest), then tries the mean of the best three.

use crate::models::{
    self, Croston, Holt, HoltWinters, HwParams, Naive, Output, Plan, SeasonalNaive, Ses, State, Theta, Tsb,
};

use super::{ok_at_slice, ModelKind, Scratch};

const SES_ALPHAS: [f64; 5] = [0.05, 0.1, 0.2, 0.3, 0.5];
const HOLT_PARAMS: [(f64, f64); 4] = [(0.1, 0.05), (0.3, 0.05), (0.3, 0.2), (0.6, 0.1)];
/// Holt-Winters (alpha, gamma); beta and phi are fixed.
const HW_PARAMS: [(f64, f64); 4] = [(0.1, 0.1), (0.3, 0.1), (0.1, 0.3), (0.3, 0.3)];
const THETA_ALPHAS: [f64; 4] = [0.1, 0.2, 0.3, 0.5];
const CROSTON_ALPHAS: [f64; 3] = [0.05, 0.1, 0.2];
const TSB_PARAMS: [(f64, f64); 6] =
    [(0.1, 0.02), (0.1, 0.05), (0.1, 0.1), (0.2, 0.05), (0.2, 0.2), (0.3, 0.3)];

/// What the table's conditions and grids need to know about a series.
pub(super) struct Series {
    /// Periods of history (from the first sale).
    pub n: usize,
    /// Forecast horizon.
    pub h: usize,
    /// Season length.
    pub m: usize,
    pub intermittent: bool,
    /// Whether the calendar index carries anything (else the calendar
    /// models would only duplicate the plain ones).
    pub calendar: bool,
}

/// One row of the table: a model family and how to run it.
struct Candidate {
    kind: ModelKind,
    /// Runs on values divided by the calendar index (and multiplied back).
    on_calendar: bool,
    applies: fn(&Series) -> bool,
    /// Runs the family's grid in the contest, on the plan given.
    run: fn(&mut Contest, ModelKind, &Plan, &Series),
}

/// The candidates in order of preference: a later one must be better by 1%
/// and by a small absolute margin, so that ties (a backtest window with no
/// sale at all, where a forecast of zero looks perfect) go to the smoothers
/// rather than to the naive methods listed last. The calendar models come
/// first: when the backtest windows hold no event (the calendar neither
/// helps nor hurts there), the pooled lifts still reach the forecast.
const CANDIDATES: &[Candidate] = &[
    Candidate {
        kind: ModelKind::CalendarSes,
        on_calendar: true,
        applies: |s| s.calendar,
        run: |c, kind, plan, _| c.family(kind, plan, ses()),
    },
    Candidate {
        kind: ModelKind::CalendarHolt,
        on_calendar: true,
        applies: |s| s.calendar && !s.intermittent,
        run: |c, kind, plan, _| c.family(kind, plan, holt()),
    },
    Candidate {
        kind: ModelKind::CalendarTsb,
        on_calendar: true,
        applies: |s| s.calendar,
        run: |c, kind, plan, _| c.family(kind, plan, tsb()),
    },
    Candidate {
        kind: ModelKind::Ses,
        on_calendar: false,
        applies: |_| true,
        run: |c, kind, plan, _| c.family(kind, plan, ses()),
    },
    Candidate {
        kind: ModelKind::HoltDamped,
        on_calendar: false,
        applies: |s| !s.intermittent,
        run: |c, kind, plan, _| c.family(kind, plan, holt()),
    },
    Candidate {
        kind: ModelKind::CalendarTheta,
        on_calendar: true,
        applies: |s| s.calendar && !s.intermittent && s.n >= 2 * s.h,
        run: |c, kind, plan, _| c.family(kind, plan, theta()),
    },
    Candidate {
        kind: ModelKind::Theta,
        on_calendar: false,
        applies: |s| !s.intermittent && s.n >= 2 * s.h,
        run: |c, kind, plan, _| c.family(kind, plan, theta()),
    },
    Candidate {
        kind: ModelKind::HoltWintersAdditive,
        on_calendar: false,
        applies: |s| !s.intermittent && s.n >= 2 * s.m + s.h && s.m > 1,
        run: |c, kind, plan, s| c.family(kind, plan, holt_winters(s.m, false)),
    },
    Candidate {
        kind: ModelKind::HoltWintersMultiplicative,
        on_calendar: false,
        applies: |s| !s.intermittent && s.n >= 2 * s.m + s.h && s.m > 1,
        run: |c, kind, plan, s| c.family(kind, plan, holt_winters(s.m, true)),
    },
    Candidate {
        kind: ModelKind::Croston,
        on_calendar: false,
        applies: |_| true,
        run: |c, kind, plan, _| c.family(kind, plan, croston(false)),
    },
    Candidate {
        kind: ModelKind::Sba,
        on_calendar: false,
        applies: |_| true,
        run: |c, kind, plan, _| c.family(kind, plan, croston(true)),
    },
    Candidate {
        kind: ModelKind::Tsb,
        on_calendar: false,
        applies: |_| true,
        run: |c, kind, plan, _| c.family(kind, plan, tsb()),
    },
    Candidate {
        kind: ModelKind::Naive,
        on_calendar: false,
        applies: |_| true,
        run: |c, kind, plan, _| c.single(kind, plan, String::new(), Naive::default()),
    },
    Candidate {
        kind: ModelKind::SeasonalNaive,
        on_calendar: false,
        applies: |s| s.n >= s.m + s.h && s.m > 1,
        run: |c, kind, plan, s| c.single(kind, plan, format!("m={}", s.m), SeasonalNaive::new(s.m)),
    },
];

// Each grid yields a setting's readable parameters and its model.

fn ses() -> impl Iterator<Item = (String, Ses)> {
    SES_ALPHAS.iter().map(|&a| (format!("alpha={a}"), Ses::new(a)))
}

fn holt() -> impl Iterator<Item = (String, Holt)> {
    HOLT_PARAMS.iter().map(|&(a, b)| (format!("alpha={a} beta={b} phi=0.9"), Holt::new(a, b, 0.9)))
}

fn theta() -> impl Iterator<Item = (String, Theta)> {
    THETA_ALPHAS.iter().map(|&a| (format!("alpha={a} drift=slope/2"), Theta::new(a)))
}

fn holt_winters(m: usize, multiplicative: bool) -> impl Iterator<Item = (String, HoltWinters)> {
    HW_PARAMS.iter().map(move |&(a, g)| {
        let params = HwParams { alpha: a, beta: 0.02, gamma: g, phi: 0.95, multiplicative };
        (format!("alpha={a} beta=0.02 gamma={g} phi=0.95 m={m}"), HoltWinters::new(&params, m))
    })
}

fn croston(sba: bool) -> impl Iterator<Item = (String, Croston)> {
    CROSTON_ALPHAS.iter().map(move |&a| (format!("alpha={a}"), Croston::new(a, sba)))
}

fn tsb() -> impl Iterator<Item = (String, Tsb)> {
    TSB_PARAMS.iter().map(|&(a, b)| (format!("alpha={a} beta={b}"), Tsb::new(a, b)))
}

/// The winner of the contest.
pub(super) struct Best {
    pub kind: ModelKind,
    pub params: String,
    /// Sum of squared backtest errors (the in-sample mean squared error
    /// when no backtest was possible).
    pub score: f64,
    pub mse: f64,
    pub runner_up: Option<(ModelKind, f64)>,
    /// Squared error over forecast on the backtest, NaN without one.
    pub bt_dispersion: f64,
}

/// Runs every candidate that applies to `series`, in table order, then the
/// combination of the best three. The winner's output is left in
/// `scratch.best`; `plain` and `cal` run over the same origins.
pub(super) fn choose(
    scratch: &mut Scratch,
    series: &Series,
    y: &[f64],
    ok: &[bool],
    plain: &Plan,
    cal: &Plan,
) -> Option<Best> {
    let mut contest = Contest { scratch, best: None, y, ok };
    for c in CANDIDATES.iter().filter(|c| (c.applies)(series)) {
        (c.run)(&mut contest, c.kind, if c.on_calendar { cal } else { plain }, series);
    }
    contest.combine(cal);
    contest.best
}

/// The candidates' runs over one series and the best so far.
struct Contest<'a> {
    scratch: &'a mut Scratch,
    best: Option<Best>,
    y: &'a [f64],
    ok: &'a [bool],
}

impl Contest<'_> {
    /// Runs each setting of a family, keeps the one with the lowest
    /// in-sample one-step error, and lets it compete on the backtest.
    fn family<S: State>(&mut self, kind: ModelKind, plan: &Plan, grid: impl Iterator<Item = (String, S)>) {
        let mut chosen: Option<(String, Output)> = None;
        for (label, model) in grid {
            let mut out = Output::default();
            if let Some((_, prev)) = chosen.as_ref() {
                out.bt.reserve(prev.bt.len());
            }
            models::run(model, self.y, self.ok, plan, &mut out);
            let mse = if out.nfit > 0 { out.sse / out.nfit as f64 } else { f64::INFINITY };
            let better = match &chosen {
                None => true,
                Some((_, c)) => mse < if c.nfit > 0 { c.sse / c.nfit as f64 } else { f64::INFINITY },
            };
            if better {
                chosen = Some((label, out));
            }
        }
        if let Some((label, out)) = chosen {
            self.judge(kind, label, plan, out);
        }
    }

    /// Runs a model without parameters to choose and lets it compete.
    fn single<S: State>(&mut self, kind: ModelKind, plan: &Plan, params: String, model: S) {
        let mut out = std::mem::take(&mut self.scratch.out);
        models::run(model, self.y, self.ok, plan, &mut out);
        self.judge(kind, params, plan, out);
    }

    /// The mean of the best three, which often beats each of them (the M
    /// competitions' lesson); it has to earn its place on the same backtest.
    fn combine(&mut self, plan: &Plan) {
        if self.scratch.pool.len() < 2 || plan.origins.is_empty() {
            return;
        }
        let pool = std::mem::take(&mut self.scratch.pool);
        let k = pool.len() as f64;
        let mut combo = Output {
            bt: vec![0.0; pool[0].2.bt.len()],
            fc: vec![0.0; pool[0].2.fc.len()],
            ..Output::default()
        };
        for (_, _, o) in &pool {
            for (c, v) in combo.bt.iter_mut().zip(&o.bt) {
                *c += v / k;
            }
            for (c, v) in combo.fc.iter_mut().zip(&o.fc) {
                *c += v / k;
            }
            combo.sse += o.sse / k;
            combo.nfit = o.nfit;
        }
        let members: Vec<&str> = pool.iter().map(|p| p.0.as_str()).collect();
        self.judge(ModelKind::Combination, members.join("+"), plan, combo);
        self.scratch.pool = pool;
    }

    /// Compares one model run against the best so far; the winner's output
    /// is kept in `scratch.best`.
    fn judge(&mut self, kind: ModelKind, params: String, plan: &Plan, out: Output) {
        let scratch = &mut *self.scratch;
        let (_ae, se, sf, k) = score(&out, self.y, self.ok, plan.origins, plan.h);
        if k > 0 && kind != ModelKind::Combination {
            let pos = scratch.pool.iter().position(|p| se < p.1).unwrap_or(scratch.pool.len());
            if pos < 3 {
                scratch.pool.insert(pos, (kind, se, out.clone()));
                scratch.pool.truncate(3);
            }
        }
        let (score, mse, disp) = if k > 0 {
            (se, se / k as f64, if sf > 0.0 { se / sf } else { f64::NAN })
        } else {
            // No backtest possible: fall back to the in-sample error.
            let mse = if out.nfit > 0 { out.sse / out.nfit as f64 } else { f64::INFINITY };
            (mse, mse, f64::NAN)
        };
        let replace = match &self.best {
            None => true,
            Some(b) => score < b.score * 0.99 - scratch.tol || (b.score.is_nan() && !score.is_nan()),
        };
        if replace {
            let runner_up = self.best.as_ref().map(|b| (b.kind, b.score));
            self.best = Some(Best { kind, params, score, mse, runner_up, bt_dispersion: disp });
            let old = std::mem::replace(&mut scratch.best, out);
            scratch.out = old;
        } else {
            if let Some(b) = self.best.as_mut() {
                if b.runner_up.is_none_or(|r| score < r.1) {
                    b.runner_up = Some((kind, score));
                }
            }
            scratch.out = out;
        }
    }
}

/// Absolute error and residual statistics of the backtest forecasts in
/// `out` against `y`: (sum |e|, sum e², sum f, points).
fn score(out: &Output, y: &[f64], ok: &[bool], origins: &[usize], h: usize) -> (f64, f64, f64, usize) {
    let (mut ae, mut se, mut sf, mut k) = (0.0, 0.0, 0.0, 0);
    for (i, &o) in origins.iter().enumerate() {
        for j in 0..h {
            let t = o + j;
            if t >= y.len() || !ok_at_slice(ok, t) {
                continue;
            }
            let f = out.bt[i * h + j];
            let e = y[t] - f;
            ae += e.abs();
            se += e * e;
            sf += f;
            k += 1;
        }
    }
    (ae, se, sf, k)
}
