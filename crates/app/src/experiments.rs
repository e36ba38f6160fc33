//! Experiments: define one, assign visitors as GrowthBook's SDKs would, log each exposure once,
//! and read the results with gbstats' statistics.
//!
//! Experiments are documents in the store (`experiments` collection). An exposure is an event
//! (`kind: exposure`) whose id is `exposure:{key}:{visitor}`, so the event log's own
//! de-duplication makes "once per visitor and experiment" hold across restarts and retries.
//! Results come from one pass over the events since the experiment started: each visitor's
//! outcomes count from their first exposure on, and what they did before it (in the 30 days
//! before) is the CUPED covariate.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use ::experiments::assign;
use model::{Event, EventKind};
use serde_json::{json, Value};

use crate::error::{Code, Error, Result};
use crate::wire::experiments::{
    ArmCount, Assignment, Comparison, Experiment, ExperimentSpec, Metric, MetricArm, MetricResult, Readout,
    Results, SampleRatio, Target, Visitor, Visitors,
};
use crate::App;

pub const COLLECTION: &str = "experiments";

/// GrowthBook's default for the sequential test's tuning parameter (the sample size at which the
/// boundary is tightest).
pub const SEQUENTIAL_TUNING: f64 = 5000.0;

/// How far before a visitor's first exposure their behaviour counts as the CUPED covariate.
const PRE_PERIOD_MS: i64 = 30 * 86_400_000;

/// A sample-ratio p-value below this means the split is broken.
const SRM_THRESHOLD: f64 = 0.001;

const DEFAULT_MINIMUM_EFFECT: f64 = 0.05;

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Code::InvalidExperiment, message)
}

/// Checks a definition; the message names the field.
pub fn check(spec: &ExperimentSpec) -> Result<()> {
    let key = &spec.key;
    if key.is_empty()
        || key.len() > 64
        || !key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(invalid(format!("key {key:?}: use 1 to 64 lower-case letters, digits, '-' or '_'")));
    }
    if spec.variations.len() < 2 || spec.variations.len() > 10 {
        return Err(invalid(format!(
            "variations: an experiment has 2 to 10 variations (the first is the control), not {}",
            spec.variations.len()
        )));
    }
    let mut names = HashSet::new();
    for (i, v) in spec.variations.iter().enumerate() {
        if v.name.trim().is_empty() {
            return Err(invalid(format!("variations[{i}].name is empty")));
        }
        if !names.insert(v.name.trim().to_lowercase()) {
            return Err(invalid(format!("variations[{i}].name {:?} is used twice", v.name)));
        }
        if spec.target == Target::SearchRanking && search_ranking(&v.value).is_none() {
            let allowed: Vec<&str> = search::Ranking::ALL.iter().map(|r| r.as_str()).collect();
            return Err(invalid(format!(
                "variations[{i}].value: a search_ranking variation is one of {} (got {})",
                allowed.join(", "),
                v.value
            )));
        }
    }
    if let Some(w) = &spec.weights {
        if w.len() != spec.variations.len() {
            return Err(invalid(format!(
                "weights: {} weights for {} variations",
                w.len(),
                spec.variations.len()
            )));
        }
        if w.iter().any(|x| !x.is_finite() || *x < 0.0) {
            return Err(invalid("weights must be shares from 0 to 1"));
        }
        let sum: f64 = w.iter().sum();
        if !(0.99..=1.01).contains(&sum) {
            return Err(invalid(format!("weights must sum to 1 (they sum to {sum})")));
        }
    }
    if !spec.coverage.is_finite() || !(0.0..=1.0).contains(&spec.coverage) || spec.coverage == 0.0 {
        return Err(invalid(
            "coverage must be above 0 and at most 1 (the share of eligible visitors included)",
        ));
    }
    if let Some(m) = spec.minimum_effect {
        if !m.is_finite() || m <= 0.0 || m > 10.0 {
            return Err(invalid("minimum_effect is a relative change above 0 (0.05 = 5%)"));
        }
    }
    if spec.guardrails.contains(&spec.metric) {
        return Err(invalid(format!("guardrails: {} is already the primary metric", spec.metric.as_str())));
    }
    let (start, end) =
        (time(spec.starts_at.as_deref(), "starts_at")?, time(spec.ends_at.as_deref(), "ends_at")?);
    if let (Some(a), Some(b)) = (start, end) {
        if a >= b {
            return Err(invalid("starts_at must be before ends_at"));
        }
    }
    Ok(())
}

fn time(s: Option<&str>, field: &str) -> Result<Option<i64>> {
    s.map(|s| {
        crate::wire::search::parse_time(s).map(|t| t * 1000).map_err(|m| invalid(format!("{field}: {m}")))
    })
    .transpose()
}

fn search_ranking(value: &Value) -> Option<search::Ranking> {
    value.as_str().and_then(search::Ranking::parse)
}

/// The experiment as GrowthBook's SDKs take it: the same key as seed, hash version 2, targeting
/// as a condition on `returning`, `device` and `country` attributes.
pub fn growthbook(spec: &ExperimentSpec) -> assign::Experiment {
    let mut condition = serde_json::Map::new();
    match spec.targeting.visitors {
        Visitors::All => {}
        Visitors::New => {
            condition.insert("returning".into(), json!(false));
        }
        Visitors::Returning => {
            condition.insert("returning".into(), json!(true));
        }
    }
    if !spec.targeting.devices.is_empty() {
        condition.insert("device".into(), json!({ "$in": spec.targeting.devices }));
    }
    if !spec.targeting.countries.is_empty() {
        condition.insert("country".into(), json!({ "$in": spec.targeting.countries }));
    }
    assign::Experiment {
        key: spec.key.clone(),
        variations: (0..spec.variations.len()).map(|i| json!(i)).collect(),
        weights: spec.weights.clone(),
        coverage: Some(spec.coverage),
        condition: (!condition.is_empty()).then_some(Value::Object(condition)),
        hash_version: Some(2),
        seed: Some(spec.key.clone()),
        ..assign::Experiment::default()
    }
}

fn window(e: &Experiment) -> (i64, Option<i64>) {
    let start = time(e.spec.starts_at.as_deref(), "starts_at").ok().flatten().unwrap_or(e.created_at);
    let end = time(e.spec.ends_at.as_deref(), "ends_at").ok().flatten();
    let end = match (end, e.stopped_at) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    (start, end)
}

fn status(e: &Experiment, now: i64) -> &'static str {
    let (start, end) = window(e);
    if e.stopped_at.is_some_and(|s| s <= now) {
        "stopped"
    } else if now < start {
        "scheduled"
    } else if end.is_some_and(|end| now >= end) {
        "ended"
    } else {
        "running"
    }
}

fn shown(mut e: Experiment, now: i64) -> Experiment {
    e.status = status(&e, now).to_string();
    e.growthbook = serde_json::to_value(growthbook(&e.spec)).unwrap_or(Value::Null);
    e
}

/// Stores a new experiment.
pub fn create(app: &App, spec: ExperimentSpec) -> Result<Experiment> {
    check(&spec)?;
    if app.store.get_doc(COLLECTION, &spec.key)?.is_some() {
        return Err(Error::new(
            Code::Conflict,
            format!("experiment {:?} exists; choose another key", spec.key),
        ));
    }
    let now = app.clock.now_ms();
    let e = Experiment {
        spec,
        created_at: now,
        stopped_at: None,
        status: String::new(),
        growthbook: Value::Null,
    };
    save(app, &e)?;
    Ok(shown(e, now))
}

fn save(app: &App, e: &Experiment) -> Result<()> {
    let stored = Experiment { status: String::new(), growthbook: Value::Null, ..e.clone() };
    let json = serde_json::to_string(&stored).map_err(Error::internal)?;
    app.store.put_doc(COLLECTION, &e.spec.key, &json)?;
    Ok(())
}

fn load(app: &App, key: &str) -> Result<Experiment> {
    let json =
        app.store.get_doc(COLLECTION, key)?.ok_or_else(|| Error::not_found(format!("experiment {key:?}")))?;
    serde_json::from_str(&json).map_err(Error::internal)
}

pub fn get(app: &App, key: &str) -> Result<Experiment> {
    Ok(shown(load(app, key)?, app.clock.now_ms()))
}

/// Every experiment, newest first.
pub fn list(app: &App) -> Result<Vec<Experiment>> {
    let now = app.clock.now_ms();
    Ok(stored(app)?.into_iter().map(|e| shown(e, now)).collect())
}

/// The stored experiments as stored (no status, no GrowthBook definition), newest first.
fn stored(app: &App) -> Result<Vec<Experiment>> {
    let mut all: Vec<Experiment> = app
        .store
        .list_docs(COLLECTION)?
        .into_iter()
        .filter_map(|(_, json)| serde_json::from_str::<Experiment>(&json).ok())
        .collect();
    all.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| a.spec.key.cmp(&b.spec.key)));
    Ok(all)
}

/// Stops a running experiment now: every visitor gets the control from then on, and results
/// count outcomes up to now.
pub fn stop(app: &App, key: &str) -> Result<Experiment> {
    let mut e = load(app, key)?;
    let now = app.clock.now_ms();
    if e.stopped_at.is_none() {
        e.stopped_at = Some(now);
        save(app, &e)?;
    }
    Ok(shown(e, now))
}

/// Exposures this process has already logged, so that a busy storefront writes each once.
#[derive(Default)]
pub struct ExposureLog {
    seen: Mutex<HashSet<String>>,
}

impl ExposureLog {
    const MAX: usize = 200_000;

    fn first_time(&self, id: &str) -> bool {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.contains(id) {
            return false;
        }
        if seen.len() >= Self::MAX {
            seen.clear();
        }
        seen.insert(id.to_string());
        true
    }

    fn forget(&self, id: &str) {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).remove(id);
    }
}

/// The variation `visitor` sees in experiment `key`, logging the exposure (once) when they are in
/// it and `expose` is set.
pub fn assign(app: &App, key: &str, visitor: &Visitor, expose: bool) -> Result<Assignment> {
    let e = load(app, key)?;
    let now = app.clock.now_ms();
    Ok(assign_loaded(app, &e, visitor, expose, now)?.0)
}

fn assign_loaded(
    app: &App,
    e: &Experiment,
    visitor: &Visitor,
    expose: bool,
    now: i64,
) -> Result<(Assignment, Option<usize>)> {
    let control = |reason: String| Assignment {
        experiment: e.spec.key.clone(),
        variation: 0,
        name: e.spec.variations[0].name.clone(),
        value: e.spec.variations[0].value.clone(),
        in_experiment: false,
        reason,
    };
    let id = visitor.id.trim();
    if id.is_empty() {
        return Ok((control("no visitor id: everyone without one sees the control".into()), None));
    }
    match status(e, now) {
        "running" => {}
        other => return Ok((control(format!("the experiment is {other}: everyone sees the control")), None)),
    }
    let mut attributes = serde_json::Map::new();
    attributes.insert("id".into(), json!(id));
    if let Some(r) = visitor.returning {
        attributes.insert("returning".into(), json!(r));
    }
    if let Some(d) = visitor.device.as_deref().filter(|d| !d.is_empty()) {
        attributes.insert("device".into(), json!(d.to_lowercase()));
    }
    if let Some(c) = visitor.country.as_deref().filter(|c| !c.is_empty()) {
        attributes.insert("country".into(), json!(c.to_uppercase()));
    }
    let context = assign::Context { attributes, ..assign::Context::default() };
    let gb = growthbook(&e.spec);
    let got = assign::run(&context, &gb);
    if !got.in_experiment {
        let targeted = gb.condition.as_ref().is_some_and(|c| {
            !::experiments::condition::eval_condition(
                &Value::Object(context.attributes.clone()),
                c,
                &serde_json::Map::new(),
            )
        });
        let reason = if targeted {
            "outside the experiment's targeting: sees the control".to_string()
        } else {
            format!("outside the {:.0}% coverage: sees the control", e.spec.coverage * 100.0)
        };
        return Ok((control(reason), None));
    }
    if expose {
        log_exposure(app, &e.spec.key, id, got.variation, now)?;
    }
    let v = &e.spec.variations[got.variation];
    let assignment = Assignment {
        experiment: e.spec.key.clone(),
        variation: got.variation,
        name: v.name.clone(),
        value: v.value.clone(),
        in_experiment: true,
        reason: format!(
            "in the experiment: the visitor's hash {:.4} falls in {}'s range",
            got.bucket.unwrap_or(0.0),
            v.name
        ),
    };
    Ok((assignment, Some(got.variation)))
}

fn log_exposure(app: &App, key: &str, visitor: &str, variation: usize, now: i64) -> Result<()> {
    let id = format!("exposure:{key}:{visitor}");
    if !app.exposures.first_time(&id) {
        return Ok(());
    }
    let event = Event {
        id: id.clone(),
        kind: EventKind::Exposure,
        at: now,
        session_id: None,
        customer_id: None,
        product: None,
        sku: None,
        query: None,
        results: Vec::new(),
        position: None,
        quantity: None,
        price: None,
        order_id: None,
        visitor_id: Some(visitor.to_string()),
        exposure: Some(model::Exposure { experiment: key.to_string(), variation: variation as u32 }),
    };
    if let Err(e) = app.store.append_events(&[event]) {
        app.exposures.forget(&id);
        return Err(e.into());
    }
    Ok(())
}

/// The search ranking a visitor gets: the running `search_ranking` experiments' variation (the
/// first one that includes them), exposure logged; `Learned` otherwise.
pub fn search_ranking_for(app: &App, visitor: &Visitor) -> Result<(search::Ranking, Option<Assignment>)> {
    let now = app.clock.now_ms();
    // On every storefront search: only the stored definitions, none of `list`'s decoration.
    for e in stored(app)? {
        if e.spec.target != Target::SearchRanking || status(&e, now) != "running" {
            continue;
        }
        let (a, included) = assign_loaded(app, &e, visitor, true, now)?;
        if included.is_some() {
            let ranking = search_ranking(&a.value).unwrap_or_default();
            return Ok((ranking, Some(a)));
        }
    }
    Ok((search::Ranking::Learned, None))
}

/// What one visitor did, before and after their first exposure.
#[derive(Clone, Debug, Default)]
struct Unit {
    variation: Option<usize>,
    exposed_at: i64,
    post: Outcome,
    pre: Outcome,
}

#[derive(Clone, Debug, Default)]
struct Outcome {
    revenue: f64,
    orders: HashSet<String>,
    loose_orders: u64,
    carted: bool,
    units_bought: f64,
    units_returned: f64,
}

impl Outcome {
    fn add(&mut self, e: &Event) {
        let qty = e.quantity.unwrap_or(1).max(0) as f64;
        match e.kind {
            EventKind::Purchase => {
                if let Some(p) = e.price {
                    self.revenue += p.minor as f64 / 100.0 * qty;
                }
                self.units_bought += qty;
                match &e.order_id {
                    Some(o) => {
                        self.orders.insert(o.clone());
                    }
                    None => self.loose_orders += 1,
                }
            }
            EventKind::Return => self.units_returned += qty,
            EventKind::AddToCart => self.carted = true,
            _ => {}
        }
    }

    fn orders(&self) -> f64 {
        (self.orders.len() as u64 + self.loose_orders) as f64
    }

    fn value(&self, metric: Metric) -> (f64, f64) {
        match metric {
            Metric::Conversion => (f64::from(u8::from(self.orders() > 0.0)), 1.0),
            Metric::AddToCartRate => (f64::from(u8::from(self.carted)), 1.0),
            Metric::RevenuePerVisitor => (self.revenue, 1.0),
            Metric::Aov => (self.revenue, self.orders()),
            Metric::ReturnRate => (self.units_returned, self.units_bought),
        }
    }
}

/// Per-variation sums for one metric, gbstats' sufficient statistics.
#[derive(Clone, Debug, Default)]
struct Sums {
    n: f64,
    m: f64,
    m2: f64,
    d: f64,
    d2: f64,
    md: f64,
    pre: f64,
    pre2: f64,
    post_pre: f64,
}

impl Sums {
    fn add(&mut self, (m, d): (f64, f64), pre: f64) {
        self.n += 1.0;
        self.m += m;
        self.m2 += m * m;
        self.d += d;
        self.d2 += d * d;
        self.md += m * d;
        self.pre += pre;
        self.pre2 += pre * pre;
        self.post_pre += m * pre;
    }

    fn plain(&self, metric: Metric) -> Value {
        if metric.is_proportion() {
            json!({"type": "Proportion", "n": self.n, "sum": self.m})
        } else if matches!(metric, Metric::Aov | Metric::ReturnRate) {
            json!({"type": "Ratio", "n": self.n, "m_sum": self.m, "m_sum_squares": self.m2,
                   "d_sum": self.d, "d_sum_squares": self.d2, "m_d_sum_of_products": self.md})
        } else {
            json!({"type": "SampleMean", "n": self.n, "sum": self.m, "sum_squares": self.m2})
        }
    }

    fn cuped(&self, metric: Metric) -> Option<Value> {
        let (post, pre) = if metric.is_proportion() {
            (
                json!({"type": "Proportion", "n": self.n, "sum": self.m}),
                json!({"type": "Proportion", "n": self.n, "sum": self.pre}),
            )
        } else if metric == Metric::RevenuePerVisitor {
            (
                json!({"type": "SampleMean", "n": self.n, "sum": self.m, "sum_squares": self.m2}),
                json!({"type": "SampleMean", "n": self.n, "sum": self.pre, "sum_squares": self.pre2}),
            )
        } else {
            return None;
        };
        Some(json!({"type": "RegressionAdjusted", "n": self.n, "post": post, "pre": pre,
                    "post_pre_sum_of_products": self.post_pre, "theta": null}))
    }

    fn value(&self) -> Option<f64> {
        (self.d > 0.0).then(|| self.m / self.d)
    }
}

/// The covariate: the same metric from 30 days before the experiment started to the visitor's
/// first exposure.
fn pre_value(pre: &Outcome, metric: Metric) -> f64 {
    match metric {
        Metric::Conversion => f64::from(u8::from(pre.orders() > 0.0)),
        Metric::AddToCartRate => f64::from(u8::from(pre.carted)),
        Metric::RevenuePerVisitor => pre.revenue,
        Metric::Aov | Metric::ReturnRate => 0.0,
    }
}

fn readout(out: &::experiments::stats::Analysis) -> Readout {
    use ::experiments::stats::ReadOut;
    if let Some(err) = &out.error {
        return Readout { error: Some(plain_error(err)), ..Readout::default() };
    }
    let finite = |x: f64| x.is_finite().then_some(x);
    let (p_value, chance_to_win, risk) = match out.read_out {
        ReadOut::Frequentist { p_value, .. } => (p_value.and_then(finite), None, None),
        ReadOut::Bayesian { chance_to_win, risk } => {
            (None, finite(chance_to_win), finite(risk[0]).zip(finite(risk[1])))
        }
    };
    Readout {
        expected: finite(out.expected),
        ci: (finite(out.ci[0]), finite(out.ci[1])),
        p_value,
        p_adjusted: None,
        chance_to_win,
        risk,
        error: None,
    }
}

/// For a metric where lower is better (return rate), the chance that B *wins* is the chance its value
/// is lower, and the risks swap sides, as GrowthBook shows inverse metrics.
fn better_is(metric: Metric, mut r: Readout) -> Readout {
    if !metric.higher_is_better() {
        r.chance_to_win = r.chance_to_win.map(|c| 1.0 - c);
        r.risk = r.risk.map(|(a, b)| (b, a));
    }
    r
}

/// gbstats' error codes in words a merchandiser can act on.
fn plain_error(code: &str) -> String {
    use ::experiments::stats::{BASELINE_VARIATION_ZERO, PVALUE_NOT_CONVERGED, ZERO_NEGATIVE_VARIANCE};
    match code {
        ZERO_NEGATIVE_VARIANCE => {
            "not enough data: an arm has too few visitors, or all of them did the same".into()
        }
        BASELINE_VARIATION_ZERO => "the control's value is zero, so a relative change is undefined".into(),
        PVALUE_NOT_CONVERGED => "the p-value did not converge".into(),
        other => other.to_lowercase().replace('_', " "),
    }
}

fn analyze(a: &Value, b: &Value, config: Value) -> Readout {
    let parsed = (
        serde_json::from_value::<::experiments::stats::Statistic>(a.clone()),
        serde_json::from_value::<::experiments::stats::Statistic>(b.clone()),
        serde_json::from_value::<::experiments::stats::Config>(config),
    );
    match parsed {
        (Ok(a), Ok(b), Ok(c)) => readout(&::experiments::stats::analyze(&a, &b, &c)),
        _ => Readout { error: Some("could not state the statistics".into()), ..Readout::default() },
    }
}

/// The experiment's results up to now (or its end).
pub fn results(app: &App, key: &str) -> Result<Results> {
    let e = shown(load(app, key)?, app.clock.now_ms());
    let now = app.clock.now_ms();
    let (start, end) = window(&e);
    let until = end.map_or(now, |end| end.min(now));
    let mut units: HashMap<String, Unit> = HashMap::new();
    app.store.scan_events(start - PRE_PERIOD_MS, until.max(start), |events| {
        for ev in events {
            let Some(unit) = ev.unit_id() else { continue };
            if ev.kind == EventKind::Exposure {
                let Some(x) = ev.exposure.as_ref().filter(|x| x.experiment == e.spec.key) else { continue };
                let u = units.entry(unit.to_string()).or_default();
                if u.variation.is_none() {
                    u.variation = Some(x.variation as usize);
                    u.exposed_at = ev.at;
                }
                continue;
            }
            if !matches!(ev.kind, EventKind::Purchase | EventKind::Return | EventKind::AddToCart) {
                continue;
            }
            match units.get_mut(unit) {
                Some(u) if u.variation.is_some() => u.post.add(&ev),
                Some(u) => u.pre.add(&ev),
                None if ev.at < until => {
                    let mut u = Unit::default();
                    u.pre.add(&ev);
                    units.insert(unit.to_string(), u);
                }
                None => {}
            }
        }
    })?;
    let n_arms = e.spec.variations.len();
    let exposed: Vec<&Unit> = units.values().filter(|u| u.variation.is_some_and(|v| v < n_arms)).collect();
    let weights = e.spec.weights.clone().unwrap_or_else(|| assign::equal_weights(n_arms as i64));
    let mut counts = vec![0u64; n_arms];
    for u in &exposed {
        counts[u.variation.unwrap_or(0)] += 1;
    }
    let arms: Vec<ArmCount> = e
        .spec
        .variations
        .iter()
        .enumerate()
        .map(|(i, v)| ArmCount {
            variation: i,
            name: v.name.clone(),
            visitors: counts[i],
            expected_share: weights[i],
        })
        .collect();
    let srm = if counts.iter().sum::<u64>() == 0 {
        None
    } else {
        let users: Vec<f64> = counts.iter().map(|c| *c as f64).collect();
        Some(::experiments::stats::srm_p_value(&users, &weights))
    };
    let sample_ratio = SampleRatio { p_value: srm, ok: srm.is_none_or(|p| p >= SRM_THRESHOLD) };

    let mut metrics = Vec::new();
    let mut more = None;
    let cap = revenue_cap(&exposed);
    let roles = std::iter::once((e.spec.metric, "primary"))
        .chain(e.spec.guardrails.iter().map(|m| (*m, "guardrail")));
    for (metric, role) in roles {
        let mut sums = vec![Sums::default(); n_arms];
        let capped = matches!(metric, Metric::RevenuePerVisitor | Metric::Aov).then_some(cap).flatten();
        for u in &exposed {
            let (mut m, d) = u.post.value(metric);
            let mut pre = pre_value(&u.pre, metric);
            if let Some(c) = capped {
                m = m.min(c);
                pre = pre.min(c);
            }
            sums[u.variation.unwrap_or(0)].add((m, d), pre);
        }
        let arms = sums
            .iter()
            .enumerate()
            .map(|(i, s)| MetricArm {
                variation: i,
                n: s.n as u64,
                value: s.value(),
                numerator: s.m,
                denominator: s.d,
            })
            .collect();
        let control = &sums[0];
        if role == "primary" {
            more = more_visitors(&e, control, &counts);
        }
        let comparisons = (1..n_arms)
            .map(|i| {
                let (a, b) = (control.plain(metric), sums[i].plain(metric));
                let has_pre = control.pre + sums[i].pre > 0.0;
                let cuped = match (has_pre, control.cuped(metric), sums[i].cuped(metric)) {
                    (true, Some(ca), Some(cb)) => Some(analyze(&ca, &cb, json!({}))),
                    _ => None,
                };
                Comparison {
                    variation: i,
                    frequentist: analyze(&a, &b, json!({})),
                    cuped,
                    sequential: analyze(&a, &b, json!({"sequential_tuning_parameter": SEQUENTIAL_TUNING})),
                    bayesian: better_is(metric, analyze(&a, &b, json!({"engine": "bayesian"}))),
                }
            })
            .collect();
        metrics.push(MetricResult {
            metric,
            role: role.to_string(),
            formula: match capped {
                Some(c) => format!(
                    "{}; each visitor's revenue capped at {c:.2} (99th percentile of buyers)",
                    metric.formula()
                ),
                None => metric.formula().to_string(),
            },
            revenue_cap: capped,
            arms,
            comparisons,
        });
    }
    holm(&mut metrics);
    let verdict = verdict(&e, &metrics, &sample_ratio, &counts, more);
    Ok(Results { experiment: e, until, arms, sample_ratio, metrics, verdict, more_visitors_per_arm: more })
}

/// Holm's step-down adjustment over every fixed-horizon p-value of the experiment.
fn holm(metrics: &mut [MetricResult]) {
    let mut ps: Vec<(f64, usize, usize)> = Vec::new();
    for (mi, m) in metrics.iter().enumerate() {
        for (ci, c) in m.comparisons.iter().enumerate() {
            if let Some(p) = c.frequentist.p_value {
                ps.push((p, mi, ci));
            }
        }
    }
    ps.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = ps.len();
    let mut running = 0.0f64;
    for (rank, (p, mi, ci)) in ps.into_iter().enumerate() {
        running = running.max(((k - rank) as f64 * p).min(1.0));
        metrics[mi].comparisons[ci].frequentist.p_adjusted = Some(running);
    }
}

/// Visitors per arm still needed for the sequential test (the one the verdict reads) to detect the
/// minimum effect on the primary metric with 80% power, from the control's observed mean and
/// variance; `None` for ratio metrics and before the control has data.
///
/// This is the sequential interval's own rule (at the planned effect, the lower bound clears zero by
/// 0.84 standard errors), computed with `stats::analyze` itself. `stats::power` with a sequential
/// tuning parameter is GrowthBook's formula, which the A/A study (BENCHMARKS.md, "Experiments")
/// found to overstate the sequential test's power 3 to 20 times.
fn more_visitors(e: &Experiment, control: &Sums, counts: &[u64]) -> Option<u64> {
    use ::experiments::stats::{analyze, Config, Statistic};
    if control.n < 2.0 || matches!(e.spec.metric, Metric::Aov | Metric::ReturnRate) {
        return None;
    }
    let mean = control.m / control.n;
    let variance = (control.m2 / control.n - mean * mean).max(0.0);
    if mean <= 0.0 || variance <= 0.0 {
        return None;
    }
    let effect = e.spec.minimum_effect.unwrap_or(DEFAULT_MINIMUM_EFFECT);
    let proportion = e.spec.metric.is_proportion();
    let stat = |n: f64, m: f64| -> Option<Statistic> {
        let v = if proportion {
            json!({"type": "Proportion", "n": n, "sum": n * m.min(1.0)})
        } else {
            json!({"type": "SampleMean", "n": n, "sum": n * m, "sum_squares": n * (variance + m * m)})
        };
        serde_json::from_value(v).ok()
    };
    let config: Config =
        serde_json::from_value(json!({"sequential_tuning_parameter": SEQUENTIAL_TUNING})).ok()?;
    let enough = |n: f64| -> bool {
        let (Some(a), Some(b)) = (stat(n, mean), stat(n, mean * (1.0 + effect))) else { return false };
        let out = analyze(&a, &b, &config);
        out.error.is_none() && out.ci[0].is_finite() && out.ci[0] >= 0.84 * out.uplift.stddev
    };
    let (mut lo, mut hi) = (2.0f64, 1000.0f64);
    while !enough(hi) {
        hi *= 10.0;
        if hi > 1e12 {
            return None;
        }
    }
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if enough(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let have = counts.iter().copied().min().unwrap_or(0);
    Some((hi.ceil() as u64).saturating_sub(have))
}

/// GrowthBook's percentile capping: each visitor's revenue is capped at the 99th percentile of
/// buyers' revenue (both arms together), so one very large order cannot decide a revenue metric.
/// The A/A study found uncapped revenue per visitor rejecting a true null 6.7% of the time at a
/// nominal 5% (jewelry orders are heavy-tailed); capped, 5.3%.
const REVENUE_CAP_PERCENTILE: f64 = 0.99;

fn revenue_cap(units: &[&Unit]) -> Option<f64> {
    let mut buyers: Vec<f64> = units.iter().map(|u| u.post.revenue).filter(|r| *r > 0.0).collect();
    if buyers.len() < 2 {
        return None;
    }
    buyers.sort_by(f64::total_cmp);
    let rank = ((buyers.len() as f64 - 1.0) * REVENUE_CAP_PERCENTILE).round() as usize;
    Some(buyers[rank.min(buyers.len() - 1)])
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Plain sentences: per treatment, what the sequential test (safe at any look) says on the primary
/// metric, and whether a guardrail got worse.
fn verdict(
    e: &Experiment,
    metrics: &[MetricResult],
    srm: &SampleRatio,
    counts: &[u64],
    more: Option<u64>,
) -> Vec<String> {
    if counts.iter().sum::<u64>() == 0 {
        return vec![match e.status.as_str() {
            "scheduled" => "Not started yet: no visitor has been exposed.".to_string(),
            _ => "No visitor has been exposed yet. Visitors are exposed when the storefront (or a client \
                  calling GET /v1/experiments/assign) shows them a variation."
                .to_string(),
        }];
    }
    if !srm.ok {
        return vec![format!(
            "Sample ratio mismatch (p = {:.5}): the visitors per arm are not the configured split, so the \
             assignment or the exposure logging is broken. Do not read these results; find the cause first.",
            srm.p_value.unwrap_or(0.0)
        )];
    }
    let Some(primary) = metrics.first() else { return Vec::new() };
    let control = &e.spec.variations[0].name;
    let mut out = Vec::new();
    for c in &primary.comparisons {
        let name = &e.spec.variations[c.variation].name;
        let s = &c.sequential;
        let label = e.spec.metric.label();
        let guardrails: Vec<String> = metrics[1..]
            .iter()
            .filter_map(|g| {
                let gc = g.comparisons.iter().find(|x| x.variation == c.variation)?;
                let (lo, hi) = gc.sequential.ci;
                let worse = if g.metric.higher_is_better() {
                    hi.is_some_and(|h| h < 0.0)
                } else {
                    lo.is_some_and(|l| l > 0.0)
                };
                Some(if worse {
                    format!(
                        "{} got worse ({})",
                        g.metric.label(),
                        gc.sequential.expected.map(|x| format!("{:+.1}%", x * 100.0)).unwrap_or_default()
                    )
                } else {
                    format!("{} unchanged", g.metric.label())
                })
            })
            .collect();
        let harmed = guardrails.iter().any(|g| g.contains("worse"));
        let sentence = match (s.expected, s.ci, &s.error) {
            (_, _, Some(err)) => format!("{name} against {control}: no read-out yet ({err})."),
            (Some(x), (Some(lo), Some(hi)), None) if lo > 0.0 || hi < 0.0 => {
                let better = (lo > 0.0) == e.spec.metric.higher_is_better();
                let verb = if x > 0.0 { "raised" } else { "lowered" };
                let mut t = format!(
                    "{name} {verb} {label} by {} (95% CI {} to {}, sequential test)",
                    pct(x.abs()),
                    pct(lo),
                    pct(hi)
                );
                if !guardrails.is_empty() {
                    t.push_str(&format!("; {}", guardrails.join("; ")));
                }
                match (better, harmed) {
                    (true, false) => t.push_str("; safe to ship."),
                    (true, true) => t.push_str("; a guardrail got worse: review before shipping."),
                    (false, _) => t.push_str(&format!("; keep {control}.")),
                }
                t
            }
            (Some(x), (lo, hi), None) => {
                let mut t = format!(
                    "{name} against {control}: {label} {:+.1}% (95% CI {} to {}), not conclusive",
                    x * 100.0,
                    lo.map_or("-inf".into(), pct),
                    hi.map_or("+inf".into(), pct)
                );
                match more {
                    Some(m) if m > 0 => t.push_str(&format!(
                        "; not enough data yet: about {} more visitors per arm for the sequential test to detect a {:.0}% change",
                        thousands(m),
                        e.spec.minimum_effect.unwrap_or(DEFAULT_MINIMUM_EFFECT) * 100.0
                    )),
                    _ => t.push_str("; the change, if any, is smaller than the minimum effect planned for"),
                }
                if harmed {
                    t.push_str(&format!("; but {}", guardrails.join("; ")));
                }
                t.push('.');
                t
            }
            _ => format!("{name}: no read-out yet."),
        };
        out.push(sentence);
    }
    out
}
