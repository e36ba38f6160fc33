//! From order lines and events to interactions: each customer's history
//! (decayed weights, purchases, views, price comfort band, gender), the
//! groups that co-occurrence counts pairs in (orders, sessions, customers),
//! and the per-item purchase statistics (buyers, repeat buyers).
//!
//! Everything after the training clock is ignored, which is what makes a
//! temporal split a matter of choosing `now`.

use std::collections::HashMap;

use model::{Currency, Event, EventKind, Gender, OrderLine};

use crate::items::Items;

const DAY: f32 = 86_400.0;

/// Ages in days of "these weeks last year": 60 days around a year ago.
pub(crate) const LAST_YEAR: std::ops::RangeInclusive<f32> = 335.0..=395.0;
/// Ages in days of the usual year that last year's weeks are compared with:
/// the 365 days before the last 30.
pub(crate) const USUAL: std::ops::RangeInclusive<f32> = 30.0..=395.0;

/// One customer's first-party behaviour.
#[derive(Default)]
pub(crate) struct UserHist {
    /// Every interaction, decayed and summed per item.
    pub items: Vec<(u32, f32)>,
    /// Items bought: (item, distinct orders, decayed weight).
    pub bought: Vec<(u32, u32, f32)>,
    /// Items viewed or carted, most recent last (for reasons).
    pub viewed: Vec<u32>,
    /// The customer's usual unit prices: 20th to 80th percentile paid.
    pub band: Option<(f64, f64, Option<Currency>)>,
    /// Dominant gender of what they buy for themselves, when clear.
    pub gender: Option<Gender>,
}

pub(crate) struct Users {
    pub index: HashMap<String, u32>,
    pub hist: Vec<UserHist>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum GroupKind {
    Order,
    Session,
    Customer,
}

/// A set of items seen together, for co-occurrence.
pub(crate) struct Group {
    pub kind: GroupKind,
    pub items: Vec<u32>,
    pub weight: f32,
}

pub(crate) struct Interactions {
    pub users: Users,
    pub groups: Vec<Group>,
    pub sessions: HashMap<String, Vec<u32>>,
    /// Per item: distinct buyers, buyers with two or more orders of it.
    pub buyers: Vec<(u32, u32)>,
    /// Per item: order lines decayed with a 30-day half-life.
    pub pop: Vec<f32>,
    // The counts below are of orders (an order with the item on two lines,
    // say in two sizes, counts once), since reasons quote them as orders.
    /// Per item: orders in the last 30 days.
    pub last30: Vec<f32>,
    /// Per item: orders per 30 days over the 90 days before that.
    pub before: Vec<f32>,
    /// Per item: orders in the same weeks a year earlier (`LAST_YEAR` days ago).
    pub last_year: Vec<f32>,
    /// Per item: orders in the year before the last 30 days (`USUAL` days
    /// ago), the usual rate that last year's weeks are compared with.
    pub usual: Vec<f32>,
    /// Days from the oldest order line to `now` (0 without orders): whether
    /// the history reaches back to last year's weeks at all.
    pub history_days: f32,
    /// Per item: distinct orders.
    pub orders: Vec<u32>,
    pub count: usize,
}

fn decay(now: i64, at: i64, half_life_days: f32) -> f32 {
    let age = (now - at).max(0) as f32 / DAY;
    0.5f32.powf(age / half_life_days)
}

fn event_weight(kind: EventKind) -> Option<f32> {
    match kind {
        EventKind::View => Some(0.15),
        EventKind::Click => Some(0.25),
        EventKind::AddToCart => Some(0.5),
        EventKind::Purchase => Some(1.0),
        EventKind::Search | EventKind::Return => None,
    }
}

pub(crate) fn build(
    items: &Items,
    lines: &[OrderLine],
    events: &[Event],
    now: i64,
    half_life: f32,
    max_group: usize,
) -> Interactions {
    let n = items.len();
    let mut users = Users { index: HashMap::new(), hist: Vec::new() };
    let user_of = |id: &str, users: &mut Users| -> u32 {
        if let Some(&u) = users.index.get(id) {
            return u;
        }
        let u = users.hist.len() as u32;
        users.index.insert(id.to_string(), u);
        users.hist.push(UserHist::default());
        u
    };
    let mut acc: HashMap<(u32, u32), f32> = HashMap::new();
    let mut bought: HashMap<(u32, u32), (u32, f32)> = HashMap::new();
    let mut prices: HashMap<u32, (Vec<f64>, Option<Currency>)> = HashMap::new();
    let mut genders: HashMap<u32, (u32, u32)> = HashMap::new();
    let mut count = 0usize;
    let mut pop = vec![0f32; n];
    let mut last30 = vec![0f32; n];
    let mut before = vec![0f32; n];
    let mut last_year = vec![0f32; n];
    let mut usual = vec![0f32; n];
    let mut history_days = 0f32;
    let mut orders_per_item = vec![0u32; n];

    // Orders: one group per order id, items deduplicated.
    struct Order {
        items: Vec<u32>,
        user: Option<u32>,
        at: i64,
    }
    let mut order_ix: HashMap<&str, usize> = HashMap::new();
    let mut orders: Vec<Order> = Vec::new();
    for l in lines {
        if l.ordered_at > now || l.quantity <= 0 {
            continue;
        }
        let Some(item) = items.sku(&l.sku) else { continue };
        let user = l.customer_id.as_deref().filter(|c| !c.is_empty()).map(|c| user_of(c, &mut users));
        let o = *order_ix.entry(l.order_id.as_str()).or_insert_with(|| {
            orders.push(Order { items: Vec::new(), user, at: l.ordered_at });
            orders.len() - 1
        });
        let first_in_order = !orders[o].items.contains(&item);
        if first_in_order {
            orders[o].items.push(item);
        }
        count += 1;
        let w = decay(now, l.ordered_at, half_life);
        if let Some(u) = user {
            *acc.entry((u, item)).or_default() += w;
            let price = l.unit_price.filter(|m| m.minor > 0).map(|m| (m.major(), m.currency));
            let price = price.or_else(|| {
                items.info[item as usize]
                    .price
                    .map(|p| (p, items.info[item as usize].currency.unwrap_or_default()))
            });
            if let Some((p, c)) = price {
                let e = prices.entry(u).or_default();
                e.0.push(p);
                e.1.get_or_insert(c);
            }
            match items.info[item as usize].gender {
                Some(Gender::Women) => genders.entry(u).or_default().0 += 1,
                Some(Gender::Men) => genders.entry(u).or_default().1 += 1,
                _ => {}
            }
        }
        let age_days = (now - l.ordered_at) as f32 / DAY;
        history_days = history_days.max(age_days);
        let ix = item as usize;
        pop[ix] += 0.5f32.powf(age_days / 30.0);
        if first_in_order {
            if age_days <= 30.0 {
                last30[ix] += 1.0;
            } else if age_days <= 120.0 {
                before[ix] += 1.0 / 3.0;
            }
            if LAST_YEAR.contains(&age_days) {
                last_year[ix] += 1.0;
            }
            if USUAL.contains(&age_days) {
                usual[ix] += 1.0;
            }
        }
    }
    let mut groups: Vec<Group> = Vec::with_capacity(orders.len());
    let mut per_user_items: HashMap<u32, Vec<(i64, u32)>> = HashMap::new();
    for o in &orders {
        let w = decay(now, o.at, half_life);
        for &i in &o.items {
            orders_per_item[i as usize] += 1;
        }
        if let Some(u) = o.user {
            for &i in &o.items {
                let e = bought.entry((u, i)).or_default();
                e.0 += 1;
                e.1 += w;
                per_user_items.entry(u).or_default().push((o.at, i));
            }
        }
        if o.items.len() >= 2 {
            let mut items = o.items.clone();
            items.truncate(max_group);
            groups.push(Group { kind: GroupKind::Order, items, weight: w });
        }
    }

    // Events: customers' interactions and anonymous sessions.
    let mut sessions: HashMap<String, Vec<(i64, u32, f32)>> = HashMap::new();
    let mut viewed: HashMap<u32, Vec<u32>> = HashMap::new();
    for e in events {
        if e.at / 1000 > now {
            continue;
        }
        let Some(kind_w) = event_weight(e.kind) else { continue };
        let item = e
            .product
            .as_deref()
            .and_then(|h| items.resolve(h))
            .or_else(|| e.sku.as_deref().and_then(|s| items.sku(s)));
        let Some(item) = item else { continue };
        count += 1;
        let w = kind_w * decay(now, e.at / 1000, half_life);
        if let Some(c) = e.customer_id.as_deref().filter(|c| !c.is_empty()) {
            let u = user_of(c, &mut users);
            *acc.entry((u, item)).or_default() += w;
            if matches!(e.kind, EventKind::View | EventKind::Click | EventKind::AddToCart) {
                viewed.entry(u).or_default().push(item);
            }
        }
        if let Some(s) = e.session_id.as_deref().filter(|s| !s.is_empty()) {
            sessions.entry(s.to_string()).or_default().push((e.at, item, w));
        }
    }
    let mut session_items: HashMap<String, Vec<u32>> = HashMap::with_capacity(sessions.len());
    for (id, mut evs) in sessions {
        evs.sort_by_key(|e| e.0);
        let mut seq: Vec<u32> = Vec::new();
        for &(_, i, _) in &evs {
            seq.retain(|&x| x != i);
            seq.push(i);
        }
        if seq.len() >= 2 {
            let w = evs.iter().map(|e| e.2).fold(0.0, f32::max);
            let mut items = seq.clone();
            if items.len() > max_group {
                items.drain(..items.len() - max_group);
            }
            groups.push(Group { kind: GroupKind::Session, items, weight: w.min(1.0) });
        }
        session_items.insert(id, seq);
    }

    // Per customer: the most recent distinct purchases form one more group
    // (customers' baskets across orders say what goes together, too).
    for (_, mut bought_items) in per_user_items {
        bought_items.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut seen: Vec<u32> = Vec::new();
        for (_, i) in &bought_items {
            if !seen.contains(i) {
                seen.push(*i);
                if seen.len() >= max_group {
                    break;
                }
            }
        }
        if seen.len() >= 2 {
            let w = decay(now, bought_items[0].0, half_life);
            groups.push(Group { kind: GroupKind::Customer, items: seen, weight: w });
        }
    }

    // Fold the accumulators into the histories.
    let mut buyers = vec![(0u32, 0u32); n];
    for ((u, i), w) in acc {
        users.hist[u as usize].items.push((i, w));
    }
    for ((u, i), (orders, w)) in bought {
        users.hist[u as usize].bought.push((i, orders, w));
        buyers[i as usize].0 += 1;
        if orders >= 2 {
            buyers[i as usize].1 += 1;
        }
    }
    for (u, v) in viewed {
        users.hist[u as usize].viewed = v;
    }
    for (u, (mut p, c)) in prices {
        if p.len() >= 3 {
            p.sort_by(|a, b| a.total_cmp(b));
            let lo = p[p.len() / 5];
            let hi = p[(p.len() * 4 / 5).min(p.len() - 1)];
            users.hist[u as usize].band = Some((lo, hi, c));
        }
    }
    for (u, (women, men)) in genders {
        let total = women + men;
        if total >= 3 {
            if women * 5 >= total * 4 {
                users.hist[u as usize].gender = Some(Gender::Women);
            } else if men * 5 >= total * 4 {
                users.hist[u as usize].gender = Some(Gender::Men);
            }
        }
    }
    for h in &mut users.hist {
        h.items.sort_by_key(|e| e.0);
        h.bought.sort_by_key(|e| e.0);
    }
    Interactions {
        users,
        groups,
        sessions: session_items,
        buyers,
        pop,
        last30,
        before,
        last_year,
        usual,
        history_days,
        orders: orders_per_item,
        count,
    }
}
