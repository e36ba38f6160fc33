//! From order lines and events to interactions: each customer's history
//! (decayed weights, purchases, views, price comfort band, gender), the
//! groups that co-occurrence counts pairs in (orders, sessions, customers),
//! and the per-item purchase statistics (buyers, repeat buyers).
//!
//! Everything after the training clock is ignored, which is what makes a
//! temporal split a matter of choosing `now`.

use std::borrow::Borrow;
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
    /// Recent sessions' items (see [`SESSION_MEMORY_DAYS`]), most recent last.
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
        EventKind::Search | EventKind::Return | EventKind::Exposure => None,
    }
}

/// Builds the interactions from order lines and events; events must come
/// in time order (the store's order).
pub(crate) fn build<E: Borrow<Event>>(
    items: &Items,
    lines: &[OrderLine],
    events: impl IntoIterator<Item = E>,
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

    // Events: customers' interactions and anonymous sessions, in one pass
    // in time order that holds the sessions in flight, not the log.
    let mut sessions = SessionGroups::new(now, max_group);
    for e in events {
        let e = e.borrow();
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
        }
        if let Some(s) = e.session_id.as_deref().filter(|s| !s.is_empty()) {
            sessions.add(s, e.at, item, w, &mut groups);
        }
    }
    let session_items = sessions.finish(&mut groups);

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

/// A session idle this long (milliseconds) is over.
const SESSION_IDLE_MS: i64 = 24 * 3_600_000;
/// Sessions that ended this many days before `now` are remembered by id for
/// requests that name the session but not its items.
pub(crate) const SESSION_MEMORY_DAYS: i64 = 30;
/// A session whose decayed weight is below this adds nothing to
/// co-occurrence worth its memory (about three years at the default
/// 120-day half-life).
const MIN_GROUP_WEIGHT: f32 = 1.0 / 512.0;
/// Events between two sweeps of ended sessions.
const SWEEP_EVERY: u32 = 65_536;

/// Sessions in flight during the pass over events: each one's items in the
/// order last seen (deduplicated) and its largest event weight. A session
/// idle for a day is finished: it becomes a co-occurrence group and, when
/// recent, a remembered session.
struct SessionGroups {
    now_ms: i64,
    max_group: usize,
    open: HashMap<String, OpenSession>,
    done: HashMap<String, Vec<u32>>,
    since_sweep: u32,
}

struct OpenSession {
    last_at: i64,
    seq: Vec<u32>,
    weight: f32,
}

impl SessionGroups {
    fn new(now: i64, max_group: usize) -> SessionGroups {
        SessionGroups {
            now_ms: now * 1000,
            max_group,
            open: HashMap::new(),
            done: HashMap::new(),
            since_sweep: 0,
        }
    }

    fn add(&mut self, id: &str, at: i64, item: u32, w: f32, groups: &mut Vec<Group>) {
        self.since_sweep += 1;
        if self.since_sweep >= SWEEP_EVERY {
            self.since_sweep = 0;
            let ended: Vec<String> = self
                .open
                .iter()
                .filter(|(_, s)| at - s.last_at > SESSION_IDLE_MS)
                .map(|(k, _)| k.clone())
                .collect();
            for id in ended {
                if let Some(s) = self.open.remove(&id) {
                    self.close(id, s, groups);
                }
            }
        }
        if !self.open.contains_key(id) {
            self.open.insert(id.to_string(), OpenSession { last_at: at, seq: Vec::new(), weight: 0.0 });
        }
        if let Some(s) = self.open.get_mut(id) {
            s.last_at = at;
            s.seq.retain(|&x| x != item);
            s.seq.push(item);
            s.weight = s.weight.max(w);
        }
    }

    fn close(&mut self, id: String, s: OpenSession, groups: &mut Vec<Group>) {
        if s.seq.len() >= 2 && s.weight >= MIN_GROUP_WEIGHT {
            let mut items = s.seq.clone();
            if items.len() > self.max_group {
                items.drain(..items.len() - self.max_group);
            }
            groups.push(Group { kind: GroupKind::Session, items, weight: s.weight.min(1.0) });
        }
        if self.now_ms - s.last_at <= SESSION_MEMORY_DAYS * 86_400_000 {
            self.done.insert(id, s.seq);
        }
    }

    /// Closes the sessions still open; returns the remembered ones.
    fn finish(mut self, groups: &mut Vec<Group>) -> HashMap<String, Vec<u32>> {
        let open = std::mem::take(&mut self.open);
        for (id, s) in open {
            self.close(id, s, groups);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    #[test]
    fn sessions_end_when_idle_and_only_recent_ones_are_remembered() {
        let mut groups = Vec::new();
        let mut s = SessionGroups::new(NOW, 60);
        let day_ms = 86_400_000;
        let now_ms = NOW * 1000;
        // An old session of two items, then the same id back 40 days later
        // with one item: two sessions, not one of three items.
        s.add("a", now_ms - 100 * day_ms, 1, 0.5, &mut groups);
        s.add("a", now_ms - 100 * day_ms + 60_000, 2, 0.5, &mut groups);
        s.add("old", now_ms - 90 * day_ms, 3, 0.5, &mut groups);
        s.add("old", now_ms - 90 * day_ms + 1, 4, 0.5, &mut groups);
        // Enough later events to sweep ended sessions.
        for i in 0..SWEEP_EVERY {
            s.add("busy", now_ms - 60 * day_ms + i64::from(i), 5 + i % 3, 0.5, &mut groups);
        }
        s.add("a", now_ms - day_ms, 9, 0.5, &mut groups);
        s.add("recent", now_ms - 2 * day_ms, 7, 0.5, &mut groups);
        s.add("recent", now_ms - 2 * day_ms + 1, 8, 0.5, &mut groups);
        let remembered = s.finish(&mut groups);

        let mut items: Vec<Vec<u32>> = groups.iter().map(|g| g.items.clone()).collect();
        items.sort();
        assert_eq!(items, vec![vec![1, 2], vec![3, 4], vec![6, 7, 5], vec![7, 8]]);
        assert!(groups.iter().all(|g| g.kind == GroupKind::Session));
        assert_eq!(remembered.get("recent"), Some(&vec![7, 8]));
        assert_eq!(remembered.get("a"), Some(&vec![9]), "the session's recent visit, not its old one");
        assert!(!remembered.contains_key("old"), "a session 90 days old is not remembered");
        assert!(!remembered.contains_key("busy"), "nor one 60 days old");
    }
}
