//! Training all models, then answering a request: resolve the context into
//! seed items, let every model score every item, blend per context, apply the
//! business rules, pick a diverse list and explain each pick (`explain`).
//! The gift finder, which has no seeds, ranks and explains in `gift`.

mod explain;
mod gift;

use std::borrow::Borrow;
use std::collections::HashSet;
use std::time::Instant;

use model::{Category, Event, OrderLine, Product};

use crate::content::{self, genders_compatible};
use crate::items::Items;
use crate::profile::UserHist;
use crate::{
    als, cooc, knn, profile, trend, Context, Item, Recommender, Request, Signal, TrainConfig, TrainStats,
    Weights,
};

const NONE: u32 = u32::MAX;

pub(crate) fn train<E: Borrow<Event>>(
    products: &[Product],
    lines: &[OrderLine],
    events: impl IntoIterator<Item = E>,
    cfg: &TrainConfig,
) -> Recommender {
    let start = Instant::now();
    let mut items = Items::build(products, lines);
    let inter = profile::build(&items, lines, events, cfg.now, cfg.half_life_days, cfg.max_group);
    for (info, &(buyers, repeaters)) in items.info.iter_mut().zip(&inter.buyers) {
        let ring = info.category.is_some_and(Category::is_ring);
        info.repeatable = !ring && repeaters >= 2 && repeaters as f32 >= cfg.repeat_ratio * buyers as f32;
    }
    let rebuy_rate = cfg.rebuy_by_customer.then(|| {
        let (again, all) = inter
            .users
            .hist
            .iter()
            .flat_map(|h| &h.bought)
            .fold((0usize, 0usize), |(a, n), b| (a + usize::from(b.1 >= 2), n + 1));
        (again as f32 + 1.0) / (all as f32 + 2.0)
    });
    let t = Instant::now();
    let cooc = cooc::train(items.len(), &inter.groups, cfg.neighbours, cfg.als.threads);
    let cooc_seconds = t.elapsed().as_secs_f32();
    let rows: Vec<Vec<(u32, f32)>> = inter.users.hist.iter().map(|h| h.items.clone()).collect();
    let als = als::train(items.len(), &rows, &cfg.als);
    let content = content::build(&items);
    let knn = knn::build(items.len(), &inter.users.hist, cfg.knn);
    let trend = trend::build(&items, &inter, cfg.now);
    let stats = TrainStats {
        items: items.len(),
        purchasable: items.info.iter().filter(|i| i.purchasable).count(),
        customers: inter.users.hist.len(),
        interactions: inter.count,
        cooc_pairs: cooc.pairs,
        als_seconds: als.seconds,
        cooc_seconds,
        total_seconds: start.elapsed().as_secs_f32(),
    };
    Recommender {
        now: cfg.now,
        items,
        users: inter.users,
        sessions: inter.sessions,
        cooc,
        als,
        knn,
        content,
        trend,
        repeat_stats: inter.buyers.clone(),
        rebuy_rate,
        stats,
    }
}

/// What a context boils down to.
struct Seeds<'a> {
    items: Vec<(u32, f32)>,
    /// Items never to recommend in this context (sorted, deduplicated).
    exclude: Vec<u32>,
    user: Option<&'a UserHist>,
    /// The customer's own index, left out of their neighbours.
    me: Option<u32>,
    als: Option<Vec<f32>>,
    /// How the shopper met a seed, for reasons: "you bought", "in your cart".
    kind: SeedKind,
    weights: Weights,
    /// Largest seed price, for cart add-ons.
    cart_price: Option<f64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SeedKind {
    Customer,
    Product,
    Cart,
    Session,
}

const PRODUCT: Weights = Weights {
    cooc: 1.0,
    als: 0.4,
    neighbours: 0.0,
    content: 0.8,
    set: 0.7,
    repeat: 0.0,
    popular: 0.1,
    trend: 0.05,
    diversity: 0.3,
    rules: true,
};
const CART: Weights = Weights {
    cooc: 1.0,
    als: 0.5,
    neighbours: 0.5,
    content: 0.2,
    set: 0.6,
    repeat: 0.0,
    popular: 0.1,
    trend: 0.05,
    diversity: 0.3,
    rules: true,
};
const SESSION: Weights = Weights {
    cooc: 1.0,
    als: 0.5,
    neighbours: 0.5,
    content: 0.6,
    set: 0.3,
    repeat: 0.0,
    popular: 0.1,
    trend: 0.05,
    diversity: 0.3,
    rules: true,
};
const TRENDING: Weights = Weights {
    cooc: 0.0,
    als: 0.0,
    neighbours: 0.0,
    content: 0.0,
    set: 0.0,
    repeat: 0.0,
    popular: 0.4,
    trend: 1.0,
    diversity: 0.4,
    rules: true,
};
const COLD: Weights = Weights {
    cooc: 0.0,
    als: 0.0,
    neighbours: 0.0,
    content: 0.0,
    set: 0.0,
    repeat: 0.0,
    popular: 1.0,
    trend: 0.3,
    diversity: 0.3,
    rules: true,
};

pub(crate) fn recommend(rec: &Recommender, req: &Request, weights: Option<&Weights>) -> Vec<Item> {
    if rec.items.len() == 0 || req.limit == 0 {
        return Vec::new();
    }
    let seeds = match &req.context {
        Context::Gift(brief) => return gift::recommend(rec, brief, req.limit, weights),
        Context::Trending => None,
        Context::Customer(id) => customer_seeds(rec, id),
        Context::Product(id) => rec.items.by_id.get(id).map(|&ix| Seeds {
            items: vec![(ix, 1.0)],
            exclude: vec![ix],
            user: None,
            me: None,
            als: None,
            kind: SeedKind::Product,
            weights: PRODUCT,
            cart_price: None,
        }),
        Context::Cart(keys) => {
            let items: Vec<(u32, f32)> =
                dedup(keys.iter().filter_map(|k| rec.items.resolve(k))).map(|i| (i, 1.0)).collect();
            let cart_price =
                items.iter().filter_map(|&(i, _)| rec.items.info[i as usize].price).reduce(f64::max);
            Some(Seeds {
                exclude: sorted(items.iter().map(|e| e.0)),
                als: Some(rec.als.fold_in(&items)),
                items,
                user: None,
                me: None,
                kind: SeedKind::Cart,
                weights: CART,
                cart_price,
            })
        }
        Context::Session { id, recent } => {
            let mut seq: Vec<u32> = dedup(recent.iter().filter_map(|k| rec.items.resolve(k))).collect();
            if seq.is_empty() {
                if let Some(s) = id.as_ref().and_then(|id| rec.sessions.get(id)) {
                    seq = s.clone();
                }
            }
            let n = seq.len();
            // The last thing viewed matters most.
            let items: Vec<(u32, f32)> =
                seq.iter().enumerate().map(|(k, &i)| (i, 0.8f32.powi((n - 1 - k) as i32))).collect();
            Some(Seeds {
                exclude: sorted(seq.iter().copied()),
                als: Some(rec.als.fold_in(&items)),
                items,
                user: None,
                me: None,
                kind: SeedKind::Session,
                weights: SESSION,
                cart_price: None,
            })
        }
    };
    let seeds = seeds.filter(|s| !s.items.is_empty());
    let base = match &seeds {
        Some(s) => s.weights,
        None if req.context == Context::Trending => TRENDING,
        None => COLD,
    };
    let w = weights.copied().unwrap_or(base);
    let signals = match &seeds {
        Some(s) => score(rec, s, &w),
        None => Signals::empty(rec.items.len()),
    };
    let cold = seeds.is_none();
    rank(rec, seeds.as_ref(), &signals, &w, req.limit, cold)
}

fn dedup(it: impl Iterator<Item = u32>) -> impl Iterator<Item = u32> {
    let mut seen = HashSet::new();
    it.filter(move |i| seen.insert(*i))
}

fn customer_seeds<'a>(rec: &'a Recommender, id: &str) -> Option<Seeds<'a>> {
    let &u = rec.users.index.get(id)?;
    let h = &rec.users.hist[u as usize];
    let exclude =
        h.bought.iter().filter(|(i, _, _)| !rec.items.info[*i as usize].repeatable).map(|e| e.0).collect();
    Some(Seeds {
        items: h.items.clone(),
        exclude,
        user: Some(h),
        me: Some(u),
        als: (!rec.als.is_empty()).then(|| rec.als.user(u).to_vec()),
        kind: SeedKind::Customer,
        // A short history says little: lean on what sells until it grows.
        weights: Weights {
            popular: Weights::CUSTOMER.popular + 0.6 / (1.0 + h.bought.len() as f32),
            ..Weights::CUSTOMER
        },
        cart_price: None,
    })
}

/// Every model's score for every item, in [0, 1], with the seed that
/// contributed most (for the reasons).
struct Signals {
    cooc: Vec<f32>,
    cooc_seed: Vec<u32>,
    als: Vec<f32>,
    knn: Vec<f32>,
    content: Vec<f32>,
    profile: Vec<f32>,
    set: Vec<f32>,
    set_seed: Vec<u32>,
    repeat: Vec<f32>,
}

impl Signals {
    fn empty(n: usize) -> Signals {
        Signals {
            cooc: vec![0.0; n],
            cooc_seed: vec![NONE; n],
            als: vec![0.0; n],
            knn: vec![0.0; n],
            content: vec![0.0; n],
            profile: Vec::new(),
            set: vec![0.0; n],
            set_seed: vec![NONE; n],
            repeat: vec![0.0; n],
        }
    }
}

fn sorted(it: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = it.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Scales `v` into [0, 1] by its largest value outside `exclude`.
fn normalize(v: &mut [f32], exclude: &[u32]) {
    let saved: Vec<f32> = exclude.iter().map(|&i| std::mem::take(&mut v[i as usize])).collect();
    let max = v.iter().copied().fold(0.0, f32::max);
    for (&i, x) in exclude.iter().zip(saved) {
        v[i as usize] = x;
    }
    for x in v.iter_mut() {
        *x = if max > 0.0 { (*x / max).max(0.0) } else { 0.0 };
    }
}

fn score(rec: &Recommender, s: &Seeds, w: &Weights) -> Signals {
    let n = rec.items.len();
    let mut sig = Signals::empty(n);
    let max_seed = s.items.iter().map(|e| e.1).fold(0.0, f32::max).max(1e-9);
    if w.cooc > 0.0 {
        let mut best = vec![0f32; n];
        for &(h, wh) in &s.items {
            for nb in rec.cooc.neighbours(h) {
                let v = wh * nb.sim;
                let j = nb.item as usize;
                sig.cooc[j] += v;
                if v > best[j] {
                    best[j] = v;
                    sig.cooc_seed[j] = h;
                }
            }
        }
        normalize(&mut sig.cooc, &s.exclude);
    }
    if w.als > 0.0 && !rec.als.is_empty() {
        match (s.kind, &s.als) {
            (SeedKind::Product, _) => {
                let h = s.items[0].0;
                rec.als.score_all(rec.als.item(h), &mut sig.als);
                let nh = rec.als.item_norms[h as usize];
                for (j, x) in sig.als.iter_mut().enumerate() {
                    let d = nh * rec.als.item_norms[j];
                    *x = if d > 0.0 { *x / d } else { 0.0 };
                }
            }
            (_, Some(x)) => rec.als.score_all(x, &mut sig.als),
            _ => {}
        }
        normalize(&mut sig.als, &s.exclude);
    }
    if w.neighbours > 0.0 && s.kind != SeedKind::Product {
        rec.knn.score(&s.items, s.me, &mut sig.knn);
        normalize(&mut sig.knn, &s.exclude);
    }
    if w.content > 0.0 || w.set > 0.0 {
        let seeds: Vec<(u32, f32)> = s.items.iter().map(|&(i, x)| (i, x / max_seed)).collect();
        sig.profile = rec.content.profile(&seeds);
        if w.content > 0.0 {
            rec.content.score_all(&sig.profile, &mut sig.content);
            normalize(&mut sig.content, &s.exclude);
        }
    }
    if w.set > 0.0 {
        let mut top: Vec<(u32, f32)> =
            s.items.iter().filter(|e| rec.items.info[e.0 as usize].category.is_some()).copied().collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1));
        top.truncate(10);
        for &(h, wh) in &top {
            rec.content.sets.score_into(&rec.items, h, wh / max_seed, &mut sig.set, &mut sig.set_seed);
        }
        normalize(&mut sig.set, &s.exclude);
    }
    if w.repeat > 0.0 {
        if let Some(h) = s.user {
            for &(i, orders, wd) in &h.bought {
                if rec.items.info[i as usize].repeatable || !w.rules {
                    // Recency and frequency of the customer's own orders, times
                    // how often buyers of this product come back for it and how
                    // much it sells now.
                    let (buyers, repeaters) = rec.repeat_stats[i as usize];
                    let rate = (repeaters as f32 + 0.5) / (buyers as f32 + 2.0);
                    sig.repeat[i as usize] =
                        wd * (1.0 + (orders as f32).ln()) * rate * (0.3 + rec.trend.pop[i as usize]);
                }
            }
            normalize(&mut sig.repeat, &[]);
            if let Some(g) = rec.rebuy_rate {
                // This customer's own rebuy share, shrunk toward the
                // catalog's with the weight of five products, relative to it.
                let again = h.bought.iter().filter(|b| b.1 >= 2).count() as f32;
                let own = (again + 5.0 * g) / (h.bought.len() as f32 + 5.0);
                let f = (own / g).clamp(0.2, 4.0);
                sig.repeat.iter_mut().for_each(|x| *x *= f);
            }
        }
    }
    sig
}

struct Cand {
    item: u32,
    score: f32,
    parts: Vec<(Signal, f32)>,
    band: bool,
}

fn rank(
    rec: &Recommender,
    seeds: Option<&Seeds>,
    sig: &Signals,
    w: &Weights,
    limit: usize,
    cold: bool,
) -> Vec<Item> {
    let n = rec.items.len();
    let empty = Vec::new();
    let exclude = seeds
        .map(|s| if w.rules || s.kind != SeedKind::Customer { &s.exclude } else { &empty })
        .unwrap_or(&empty);
    let user = seeds.and_then(|s| s.user);
    let mut excluded = vec![false; n];
    for &i in exclude.iter() {
        excluded[i as usize] = true;
    }
    let mut scored: Vec<(f32, u32)> = Vec::with_capacity(n);
    for (j, (info, &out)) in rec.items.info.iter().zip(&excluded).enumerate() {
        if !info.purchasable || out {
            continue;
        }
        let s = w.cooc * sig.cooc[j]
            + w.als * sig.als[j]
            + w.neighbours * sig.knn[j]
            + w.content * sig.content[j]
            + w.set * sig.set[j]
            + w.repeat * sig.repeat[j]
            + w.popular * rec.trend.pop[j]
            + w.trend * rec.trend.trend[j]
            // A whisper of popularity breaks ties and fills short lists.
            + 1e-4 * rec.trend.pop[j];
        if s > 0.0 {
            scored.push((s * rule_factor(rec, seeds, w, j as u32).0, j as u32));
        }
    }
    let pool = (limit * 4).max(40).min(scored.len());
    if scored.len() > pool {
        scored.select_nth_unstable_by(pool, |a, b| b.0.total_cmp(&a.0));
        scored.truncate(pool);
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let cands: Vec<Cand> = scored
        .iter()
        .map(|&(_, j)| {
            let ju = j as usize;
            let (factor, band) = rule_factor(rec, seeds, w, j);
            let mut parts = vec![
                (Signal::BoughtTogether, w.cooc * sig.cooc[ju]),
                (Signal::SimilarCustomers, w.als * sig.als[ju] + w.neighbours * sig.knn[ju]),
                (Signal::Similar, w.content * sig.content[ju]),
                (Signal::CompleteTheSet, w.set * sig.set[ju]),
                (Signal::Repeat, w.repeat * sig.repeat[ju]),
                (Signal::Popular, w.popular * rec.trend.pop[ju] + 1e-4 * rec.trend.pop[ju]),
                (Signal::Trending, w.trend * rec.trend.trend[ju]),
            ];
            for p in &mut parts {
                p.1 *= factor;
            }
            let score = parts.iter().map(|p| p.1).sum();
            Cand { item: j, score, parts, band }
        })
        .collect();
    let picked = diversify(rec, cands, w.diversity, limit);
    picked.into_iter().map(|c| explain::explain(rec, seeds, sig, c, user, cold)).collect()
}

/// Business rules as a score multiplier: price comfort band, gender, cart
/// add-on price. Returns whether the item sits in the customer's band.
fn rule_factor(rec: &Recommender, seeds: Option<&Seeds>, w: &Weights, j: u32) -> (f32, bool) {
    let Some(s) = seeds else { return (1.0, false) };
    if !w.rules {
        return (1.0, false);
    }
    let info = &rec.items.info[j as usize];
    let mut f = 1.0;
    let mut band = false;
    if let (Some(h), Some(p)) = (s.user, info.price) {
        if let Some((lo, hi, _)) = h.band {
            if p >= lo * 0.8 && p <= hi * 1.25 {
                f *= 1.1;
                band = true;
            } else if p > hi * 3.0 || p < lo / 4.0 {
                f *= 0.2;
            } else if p > hi * 2.0 || p < lo / 3.0 {
                f *= 0.6;
            }
        }
        if !genders_compatible(h.gender, info.gender) {
            f *= 0.2;
        }
    }
    if s.kind == SeedKind::Product {
        let a = &rec.items.info[s.items[0].0 as usize];
        if !genders_compatible(a.gender, info.gender) {
            f *= 0.2;
        }
    }
    if let (Some(max), Some(p)) = (s.cart_price, info.price) {
        if p > max * 1.2 {
            f *= 0.6;
        }
    }
    (f, band)
}

/// Greedy selection: each pick's score is discounted by its similarity to
/// what is already picked, and no category takes more than its share.
fn diversify(rec: &Recommender, cands: Vec<Cand>, diversity: f32, limit: usize) -> Vec<Cand> {
    let cap = if diversity > 0.0 { ((limit as f32 * 0.4).ceil() as usize).max(2) } else { usize::MAX };
    let mut left = cands;
    let mut picked: Vec<Cand> = Vec::with_capacity(limit);
    let mut per_cat: Vec<(Category, usize)> = Vec::new();
    while picked.len() < limit && !left.is_empty() {
        let mut best: Option<(usize, f32)> = None;
        for (k, c) in left.iter().enumerate() {
            let cat = rec.items.info[c.item as usize].category;
            if let Some(cat) = cat {
                if per_cat.iter().any(|(x, m)| *x == cat && *m >= cap) {
                    continue;
                }
            }
            let mut adj = c.score;
            if diversity > 0.0 && !picked.is_empty() {
                let sim = picked.iter().map(|p| rec.content.cosine(p.item, c.item)).fold(0.0, f32::max);
                adj *= 1.0 - diversity * sim;
            }
            if best.is_none_or(|b| adj > b.1) {
                best = Some((k, adj));
            }
        }
        let Some((k, _)) = best else { break };
        let c = left.swap_remove(k);
        if let Some(cat) = rec.items.info[c.item as usize].category {
            match per_cat.iter_mut().find(|(x, _)| *x == cat) {
                Some(e) => e.1 += 1,
                None => per_cat.push((cat, 1)),
            }
        }
        picked.push(c);
    }
    picked
}
