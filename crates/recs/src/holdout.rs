//! Final-holdout evaluation (issue 13): blend weights are chosen on a
//! validation window (train on what happened before it, score on it), then
//! the recommender is retrained on everything before the holdout and scored
//! on the holdout once, beside two simple baselines on exactly the same
//! customers and truth: popularity of the last 90 days, and "the customer's
//! own favourites, then popular".
//!
//! A window `[from, to)` scores the customers who bought before `from` and
//! again inside the window; their truth is the distinct products they bought
//! in it, each flagged *new* when the customer had not bought it before
//! `from`. Recall@k and NDCG@k (binary relevance) are reported over all truth
//! items and over the new ones only (customers with no new item are left out
//! of the new-item averages). The validation stage never sees an order line
//! at or after the holdout start: the lines are cut before anything is
//! trained or scored, which the tests check.

use std::collections::{HashMap, HashSet};

use model::{Event, OrderLine, Product, ProductId};

use crate::eval::score_lists;
use crate::{Recommender, TrainConfig, Weights};

const DAY: i64 = 86_400;

#[derive(Clone, Debug)]
pub struct HoldoutConfig {
    /// Unix seconds: the validation window starts here.
    pub validate_from: i64,
    /// Unix seconds: the validation window ends and the holdout starts here.
    pub holdout_from: i64,
    /// Unix seconds, exclusive; `i64::MAX` for the end of the data.
    pub holdout_to: i64,
    pub k: usize,
    /// Training settings; `now` is set to each window's start.
    pub train: TrainConfig,
    /// The popularity baseline counts sales over this many days before the cut.
    pub popular_days: i64,
    /// Coordinate-ascent passes over the blend weights on validation (0:
    /// keep the deployed blend).
    pub tuning_passes: usize,
    /// Interaction half-lives (days) also tried on validation, each a
    /// retraining; empty keeps `train.half_life_days`.
    pub half_lives: Vec<f32>,
    /// Score at most this many customers per window (the first by id).
    pub max_customers: Option<usize>,
    /// Stop after the validation window: for judging a change to the engine
    /// without looking at the holdout.
    pub validation_only: bool,
    pub threads: usize,
}

impl HoldoutConfig {
    pub fn new(validate_from: i64, holdout_from: i64, holdout_to: i64) -> HoldoutConfig {
        HoldoutConfig {
            validate_from,
            holdout_from,
            holdout_to,
            k: 20,
            train: TrainConfig::default(),
            popular_days: 90,
            tuning_passes: 2,
            half_lives: vec![30.0, 60.0, 240.0],
            max_customers: None,
            validation_only: false,
            threads: 2,
        }
    }
}

/// The customers a window scores and what each bought in it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Truth {
    pub from: i64,
    pub to: i64,
    /// Sorted by id.
    pub customers: Vec<String>,
    /// Per customer: distinct products bought in the window, sorted by id,
    /// with whether the customer had not bought it before `from`.
    pub items: Vec<Vec<(ProductId, bool)>>,
    /// Customers who bought in the window but never before it (not scored).
    pub cold: usize,
    /// Sale lines before `from` (training) and inside the window.
    pub train_lines: usize,
    pub test_lines: usize,
}

impl Truth {
    pub fn customers_with_new(&self) -> usize {
        self.items.iter().filter(|t| t.iter().any(|e| e.1)).count()
    }
}

/// Builds a window's truth from the order lines; `resolve` maps a SKU to its
/// product (lines it cannot resolve are left out, as training leaves them).
pub fn truth(
    lines: &[OrderLine],
    resolve: impl Fn(&str) -> Option<ProductId>,
    from: i64,
    to: i64,
    max_customers: Option<usize>,
) -> Truth {
    let mut before: HashMap<&str, HashSet<ProductId>> = HashMap::new();
    let mut inside: HashMap<&str, HashSet<ProductId>> = HashMap::new();
    let (mut train_lines, mut test_lines) = (0, 0);
    for l in lines.iter().filter(|l| l.quantity > 0) {
        if l.ordered_at < from {
            train_lines += 1;
        } else if l.ordered_at < to {
            test_lines += 1;
        } else {
            continue;
        }
        let (Some(c), Some(id)) = (l.customer_id.as_deref(), resolve(&l.sku)) else { continue };
        let m = if l.ordered_at < from { &mut before } else { &mut inside };
        m.entry(c).or_default().insert(id);
    }
    let mut customers: Vec<&str> = inside.keys().copied().filter(|c| before.contains_key(c)).collect();
    let cold = inside.len() - customers.len();
    customers.sort_unstable();
    if let Some(m) = max_customers {
        customers.truncate(m);
    }
    let items = customers
        .iter()
        .map(|c| {
            let old = &before[c];
            let mut v: Vec<(ProductId, bool)> =
                inside[c].iter().map(|&id| (id, !old.contains(&id))).collect();
            v.sort_unstable();
            v
        })
        .collect();
    Truth {
        from,
        to,
        customers: customers.into_iter().map(str::to_string).collect(),
        items,
        cold,
        train_lines,
        test_lines,
    }
}

/// Recall@k and NDCG@k over all truth items and over new items only.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scores {
    pub recall: f64,
    pub ndcg: f64,
    pub recall_new: f64,
    pub ndcg_new: f64,
    pub customers: usize,
    /// Customers with at least one new item (the new-item averages' base).
    pub customers_new: usize,
}

impl Scores {
    /// What tuning maximises: the mean of the two recalls, since issue 13
    /// sets a target on each.
    pub fn objective(&self) -> f64 {
        (self.recall + self.recall_new) / 2.0
    }
}

/// Scores one list per truth customer, in the truth's order.
pub fn score(truth: &Truth, lists: &[Vec<ProductId>], k: usize) -> Scores {
    let mut s = Scores::default();
    for (t, list) in truth.items.iter().zip(lists) {
        let top = &list[..list.len().min(k)];
        let all: HashSet<ProductId> = t.iter().map(|e| e.0).collect();
        let new: HashSet<ProductId> = t.iter().filter(|e| e.1).map(|e| e.0).collect();
        let (r, n) = recall_ndcg(top, &all, k);
        s.recall += r;
        s.ndcg += n;
        s.customers += 1;
        if !new.is_empty() {
            let (r, n) = recall_ndcg(top, &new, k);
            s.recall_new += r;
            s.ndcg_new += n;
            s.customers_new += 1;
        }
    }
    let n = s.customers.max(1) as f64;
    let nn = s.customers_new.max(1) as f64;
    s.recall /= n;
    s.ndcg /= n;
    s.recall_new /= nn;
    s.ndcg_new /= nn;
    s
}

fn recall_ndcg(top: &[ProductId], truth: &HashSet<ProductId>, k: usize) -> (f64, f64) {
    if truth.is_empty() {
        return (0.0, 0.0);
    }
    let mut hits = 0;
    let mut dcg = 0.0;
    for (r, id) in top.iter().enumerate() {
        if truth.contains(id) {
            hits += 1;
            dcg += 1.0 / (r as f64 + 2.0).log2();
        }
    }
    let idcg: f64 = (0..truth.len().min(k)).map(|r| 1.0 / (r as f64 + 2.0).log2()).sum();
    (hits as f64 / truth.len() as f64, dcg / idcg)
}

/// One blend tried on the validation window.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    /// `None`: the deployed customer blend (its popularity weight grows for
    /// short histories).
    pub weights: Option<Weights>,
    /// The interaction half-life the recommender was trained with.
    pub half_life_days: f32,
    pub scores: Scores,
}

/// One method scored on both windows.
#[derive(Clone, Debug, PartialEq)]
pub struct MethodScores {
    /// `loupe` (tuned on validation), `loupe_deployed`, `popular_90d`,
    /// `favourites_then_popular`.
    pub name: String,
    pub validation: Scores,
    pub holdout: Scores,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HoldoutReport {
    pub validation: Truth,
    pub holdout: Truth,
    /// The blend chosen on validation (`None`: the deployed one won).
    pub chosen: Option<Weights>,
    /// The interaction half-life chosen on validation.
    pub half_life_days: f32,
    pub trials: Vec<Trial>,
    pub methods: Vec<MethodScores>,
    pub items: usize,
    pub train_seconds: f64,
}

/// Tunes on the validation window, then scores every method on it and,
/// retrained, on the holdout.
pub fn holdout(
    products: &[Product],
    lines: &[OrderLine],
    events: &[Event],
    cfg: &HoldoutConfig,
) -> HoldoutReport {
    let t0 = std::time::Instant::now();
    // Validation never sees anything from the holdout on.
    let before_holdout: Vec<OrderLine> =
        lines.iter().filter(|l| l.ordered_at < cfg.holdout_from).cloned().collect();
    let val_events: Vec<Event> = events.iter().filter(|e| e.at < cfg.holdout_from * 1000).cloned().collect();
    let default_hl = cfg.train.half_life_days;
    let (val_default, val_truth) =
        stage(products, &before_holdout, &val_events, cfg.validate_from, cfg.holdout_from, cfg, default_hl);
    let mut trials = tune(&val_default, &val_truth, cfg, default_hl, None);
    // Recency: other half-lives, each retrained and scored with the blend
    // chosen so far; the best one gets another round of blend tuning.
    let (mut best_hl, mut best_obj) = (default_hl, best(&trials).scores.objective());
    let mut val_tuned = None;
    if cfg.tuning_passes > 0 {
        let w = best(&trials).weights;
        for &hl in cfg.half_lives.iter().filter(|&&h| h != default_hl) {
            let (rec, _) =
                stage(products, &before_holdout, &val_events, cfg.validate_from, cfg.holdout_from, cfg, hl);
            let s = score(
                &val_truth,
                &score_lists(&rec, &val_truth.customers, w.as_ref(), cfg.k, cfg.threads),
                cfg.k,
            );
            trials.push(Trial { weights: w, half_life_days: hl, scores: s });
            if s.objective() > best_obj {
                (best_hl, best_obj, val_tuned) = (hl, s.objective(), Some(rec));
            }
        }
        if let Some(rec) = &val_tuned {
            trials.extend(tune(rec, &val_truth, cfg, best_hl, w));
        }
    }
    let chosen_trial = best(&trials).clone();
    let chosen = chosen_trial.weights;
    let half_life = chosen_trial.half_life_days;
    let val_rec = val_tuned.as_ref().filter(|_| half_life != default_hl).unwrap_or(&val_default);
    // With `validation_only` the holdout window is empty: nothing in it is
    // trained on or scored.
    let hold_lines: &[OrderLine] = if cfg.validation_only { &before_holdout } else { lines };
    let (hold_default, hold_truth) =
        stage(products, hold_lines, events, cfg.holdout_from, cfg.holdout_to, cfg, default_hl);
    let hold_tuned = (half_life != default_hl)
        .then(|| stage(products, hold_lines, events, cfg.holdout_from, cfg.holdout_to, cfg, half_life).0);
    let hold_rec = hold_tuned.as_ref().unwrap_or(&hold_default);
    let mut methods = Vec::new();
    for name in ["loupe", "loupe_deployed", "popular_90d", "favourites_then_popular"] {
        let run =
            |tuned: &Recommender, default: &Recommender, lines: &[OrderLine], truth: &Truth| -> Scores {
                let lists = match name {
                    "loupe" => score_lists(tuned, &truth.customers, chosen.as_ref(), cfg.k, cfg.threads),
                    "loupe_deployed" => score_lists(default, &truth.customers, None, cfg.k, cfg.threads),
                    "popular_90d" => {
                        let pop = popular(default, lines, truth.from, cfg.popular_days);
                        vec![pop.into_iter().take(cfg.k).collect(); truth.customers.len()]
                    }
                    _ => favourites_then_popular(default, lines, truth, cfg.popular_days, cfg.k),
                };
                score(truth, &lists, cfg.k)
            };
        methods.push(MethodScores {
            name: name.to_string(),
            validation: run(val_rec, &val_default, &before_holdout, &val_truth),
            holdout: run(hold_rec, &hold_default, hold_lines, &hold_truth),
        });
    }
    HoldoutReport {
        items: hold_rec.stats().items,
        validation: val_truth,
        holdout: hold_truth,
        chosen,
        half_life_days: half_life,
        trials,
        methods,
        train_seconds: t0.elapsed().as_secs_f64(),
    }
}

/// Trains on the lines before `from` and builds the truth of `[from, to)`.
fn stage(
    products: &[Product],
    lines: &[OrderLine],
    events: &[Event],
    from: i64,
    to: i64,
    cfg: &HoldoutConfig,
    half_life: f32,
) -> (Recommender, Truth) {
    let train: Vec<OrderLine> = lines.iter().filter(|l| l.ordered_at < from).cloned().collect();
    let ev: Vec<Event> = events.iter().filter(|e| e.at < from * 1000).cloned().collect();
    // Products the training lines do not name are still known (by the
    // catalog, or as minimal products), so the truth resolves the same SKUs.
    let rec = Recommender::train(
        products,
        &train,
        &ev,
        &TrainConfig { now: from, half_life_days: half_life, ..cfg.train.clone() },
    );
    let truth = truth(lines, |s| rec.resolve_product(s), from, to, cfg.max_customers);
    (rec, truth)
}

/// The first trial with the highest objective.
fn best(trials: &[Trial]) -> &Trial {
    trials.iter().fold(&trials[0], |b, t| if t.scores.objective() > b.scores.objective() { t } else { b })
}

/// Coordinate ascent over the blend weights on the validation window only,
/// from `start` (`None`: the deployed customer blend, which is scored too).
fn tune(
    rec: &Recommender,
    truth: &Truth,
    cfg: &HoldoutConfig,
    half_life: f32,
    start: Option<Weights>,
) -> Vec<Trial> {
    let eval =
        |w: Option<&Weights>| score(truth, &score_lists(rec, &truth.customers, w, cfg.k, cfg.threads), cfg.k);
    let trial = |w: Option<Weights>, scores: Scores| Trial { weights: w, half_life_days: half_life, scores };
    let mut trials = vec![trial(start, eval(start.as_ref()))];
    if cfg.tuning_passes == 0 || truth.customers.is_empty() {
        return trials;
    }
    let mut best = start.unwrap_or(Weights::CUSTOMER);
    let mut best_obj = eval(Some(&best)).objective();
    if start.is_none() {
        trials.push(trial(Some(best), eval(Some(&best))));
    }
    const GRID: [f32; 8] = [0.0, 0.02, 0.05, 0.1, 0.3, 0.6, 1.0, 2.0];
    type Field = fn(&mut Weights) -> &mut f32;
    let fields: [Field; 9] = [
        |w| &mut w.repeat,
        |w| &mut w.neighbours,
        |w| &mut w.als,
        |w| &mut w.cooc,
        |w| &mut w.content,
        |w| &mut w.set,
        |w| &mut w.popular,
        |w| &mut w.trend,
        |w| &mut w.diversity,
    ];
    for _ in 0..cfg.tuning_passes {
        let mut changed = false;
        let rules = Weights { rules: !best.rules, ..best };
        let s = eval(Some(&rules));
        trials.push(trial(Some(rules), s));
        if s.objective() > best_obj {
            (best, best_obj, changed) = (rules, s.objective(), true);
        }
        for f in fields {
            for &v in &GRID {
                let mut w = best;
                if *f(&mut w) == v {
                    continue;
                }
                *f(&mut w) = v;
                let s = eval(Some(&w));
                trials.push(trial(Some(w), s));
                if s.objective() > best_obj {
                    (best, best_obj, changed) = (w, s.objective(), true);
                }
            }
        }
        if !changed {
            break;
        }
    }
    trials
}

/// Products by sale lines in the `days` before `cut`, most first (ties by id).
pub(crate) fn popular(rec: &Recommender, lines: &[OrderLine], cut: i64, days: i64) -> Vec<ProductId> {
    let mut n: HashMap<ProductId, usize> = HashMap::new();
    for l in lines {
        if l.quantity > 0 && l.ordered_at < cut && l.ordered_at >= cut - days * DAY {
            if let Some(id) = rec.resolve_product(&l.sku) {
                *n.entry(id).or_default() += 1;
            }
        }
    }
    let mut v: Vec<(usize, ProductId)> = n.into_iter().map(|(id, c)| (c, id)).collect();
    v.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    v.into_iter().map(|e| e.1).collect()
}

/// Each customer's own products before the cut, by the number of orders
/// they appeared in and then the latest first, filled with the last `days`'
/// most popular products they have not bought.
pub(crate) fn favourites_then_popular(
    rec: &Recommender,
    lines: &[OrderLine],
    truth: &Truth,
    days: i64,
    k: usize,
) -> Vec<Vec<ProductId>> {
    let pop = popular(rec, lines, truth.from, days);
    let wanted: HashSet<&str> = truth.customers.iter().map(String::as_str).collect();
    // customer -> product -> (orders, last time)
    let mut hist: HashMap<&str, HashMap<ProductId, (HashSet<&str>, i64)>> = HashMap::new();
    for l in lines.iter().filter(|l| l.quantity > 0 && l.ordered_at < truth.from) {
        let Some(c) = l.customer_id.as_deref().filter(|c| wanted.contains(c)) else { continue };
        let Some(id) = rec.resolve_product(&l.sku) else { continue };
        let e = hist.entry(c).or_default().entry(id).or_insert_with(|| (HashSet::new(), i64::MIN));
        e.0.insert(l.order_id.as_str());
        e.1 = e.1.max(l.ordered_at);
    }
    truth
        .customers
        .iter()
        .map(|c| {
            let mut own: Vec<(usize, i64, ProductId)> = hist
                .get(c.as_str())
                .map(|h| h.iter().map(|(&id, (o, t))| (o.len(), *t, id)).collect())
                .unwrap_or_default();
            own.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
            let mut list: Vec<ProductId> = own.into_iter().map(|e| e.2).take(k).collect();
            let have: HashSet<ProductId> = list.iter().copied().collect();
            list.extend(pop.iter().copied().filter(|id| !have.contains(id)).take(k - list.len()));
            list
        })
        .collect()
}

/// Every sale line with a customer, as (customer, product, Unix seconds),
/// resolved to products as training resolves them: what outside baselines
/// train on, so that they see the same interactions.
pub fn sales<'a>(products: &[Product], lines: &'a [OrderLine]) -> Vec<(&'a str, ProductId, i64)> {
    let items = crate::items::Items::build(products, lines);
    lines
        .iter()
        .filter(|l| l.quantity > 0)
        .filter_map(|l| {
            let c = l.customer_id.as_deref()?;
            let i = items.resolve(&l.sku)?;
            Some((c, items.info[i as usize].id, l.ordered_at))
        })
        .collect()
}

#[cfg(test)]
mod tests;
