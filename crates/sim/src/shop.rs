//! The day-by-day simulation of the storefront and the warehouse: sessions
//! with searches, clicks, views and carts; orders and returns; stock that
//! runs out (recording the demand that was lost) and purchase orders that
//! refill it.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use model::{Category, EventKind, Gender};
use rand::Rng;

use crate::calendar::{DayInfo, Occasion};
use crate::catalog::{MetalKind, SimProduct, SizeSpec, Style};
use crate::customers::{Customer, LifeEventKind};
use crate::queries::{write_query, Intent, KeywordSearch, QuerySpec};
use crate::rng::{chance, from_cumulative, lognormal, pick, poisson, weighted, SimRng};
use crate::{
    Campaign, CampaignKind, DemandRow, InventoryRow, OrderRow, PurchaseOrder, SearchTruth, SessionTruth,
    SimEvent, VariantRef,
};

/// Why a session happens.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reason {
    Browse,
    Life(LifeEventKind),
    /// Landed from social media on one product.
    Spike(u32),
}

#[derive(Clone, Copy, Debug)]
struct SessionPlan {
    day: u32,
    sec: u32,
    customer: u32,
    guest: bool,
    reason: Reason,
}

#[derive(Clone, Debug, Default)]
struct Stock {
    on_hand: i64,
    on_order: i64,
    rate: f64,
    floor_rate: f64,
    /// Last day `rate` was brought up to date (it decays on days without sales).
    rate_day: Option<u32>,
    last_snapshot: Option<(i64, i64)>,
    demand: u32,
    sold: u32,
    lost: u32,
    out_since: Option<u32>,
}

pub(crate) struct Output {
    pub events: Vec<SimEvent>,
    pub result_lists: Vec<u32>,
    pub orders: Vec<OrderRow>,
    pub inventory: Vec<InventoryRow>,
    pub purchase_orders: Vec<PurchaseOrder>,
    pub demand: Vec<DemandRow>,
    pub stockouts: Vec<(VariantRef, u32, u32)>,
    pub queries: Vec<(String, QuerySpec)>,
    pub searches: Vec<SearchTruth>,
    pub sessions: Vec<SessionTruth>,
    pub campaigns: Vec<Campaign>,
    /// Orders with their gift occasion, for support tickets.
    pub order_meta: Vec<OrderMeta>,
}

/// What the ticket writer needs to know about an order.
#[derive(Clone, Debug)]
pub(crate) struct OrderMeta {
    pub order_no: u32,
    pub day: u32,
    pub customer: Option<u32>,
    pub lines: Vec<VariantRef>,
    pub occasion: Option<Occasion>,
    pub recipient: Option<&'static str>,
    pub total: i64,
    pub bracketed: bool,
}

/// Per-product facts the hot loop needs, computed once.
struct Facts {
    min_price: f64,
    investment: bool,
    /// Bit `metal_bit(kind, color)` set for every metal a variant comes in.
    metals: u32,
    collection: Option<u16>,
}

fn metal_bit(kind: MetalKind, color: Option<crate::catalog::MetalColor>) -> u32 {
    use crate::catalog::MetalColor;
    let k = kind as u32;
    let c = match color {
        None => 0,
        Some(MetalColor::Yellow) => 1,
        Some(MetalColor::White) => 2,
        Some(MetalColor::Rose) => 3,
    };
    1 << (k * 4 + c)
}

/// The metal bits that satisfy a wish for `kind` (and `color`, if given).
fn metal_mask(kind: MetalKind, color: Option<crate::catalog::MetalColor>) -> u32 {
    use crate::catalog::MetalColor;
    let kinds: &[MetalKind] = if kind == MetalKind::Gold {
        &[MetalKind::Gold, MetalKind::Vermeil]
    } else {
        std::slice::from_ref(&kind)
    };
    let mut mask = 0;
    for &k in kinds {
        match color {
            Some(c) => mask |= metal_bit(k, Some(c)),
            None => {
                for c in [None, Some(MetalColor::Yellow), Some(MetalColor::White), Some(MetalColor::Rose)] {
                    mask |= metal_bit(k, c);
                }
            }
        }
    }
    mask
}

fn facts(products: &[SimProduct], collections: &HashMap<String, u16>) -> Vec<Facts> {
    products
        .iter()
        .map(|p| Facts {
            min_price: p.min_price() as f64 / 100.0,
            investment: p.investment(),
            metals: p.variants.iter().fold(0, |m, v| m | metal_bit(v.metal.kind, v.metal.color)),
            collection: p.collection.as_ref().and_then(|c| collections.get(c).copied()),
        })
        .collect()
}

pub(crate) struct ShopConfig {
    pub start: NaiveDate,
    pub days: u32,
    pub sessions_per_customer: f64,
    pub guest_share: f64,
}

struct Pending {
    order_no: u32,
    customer: Option<u32>,
    line: VariantRef,
    qty: i64,
    unit_price: i64,
    country: &'static str,
    session: u32,
}

pub(crate) fn simulate(
    rng: &mut SimRng,
    cfg: &ShopConfig,
    products: &[SimProduct],
    customers: &[Customer],
    calendar: &[DayInfo],
) -> Output {
    let days = cfg.days;
    let campaigns = plan_campaigns(rng, products, days);
    let plans = plan_sessions(rng, cfg, customers, calendar, &campaigns);

    // Candidate lists per category, in product order.
    let mut by_category: HashMap<Category, Vec<u32>> = HashMap::new();
    for (i, p) in products.iter().enumerate() {
        if p.is_active() {
            by_category.entry(p.category).or_default().push(i as u32);
        }
    }
    let search = KeywordSearch::new(products);
    let mut coll_index: HashMap<String, u16> = HashMap::new();
    for p in products {
        if let Some(c) = &p.collection {
            let n = coll_index.len() as u16;
            coll_index.entry(c.clone()).or_insert(n);
        }
    }
    let facts = facts(products, &coll_index);
    // Active products of each collection, in product order.
    let mut by_collection: Vec<Vec<u32>> = vec![Vec::new(); coll_index.len()];
    for (i, f) in facts.iter().enumerate() {
        if let (Some(c), true) = (f.collection, products[i].is_active()) {
            by_collection[c as usize].push(i as u32);
        }
    }
    let mut promo_today: Vec<f64> = vec![0.0; coll_index.len()];

    // Stock: an initial guess of each variant's daily demand from its appeal.
    let expected_units_per_day = plans.len() as f64 / days as f64 * 0.09;
    let total_pop: f64 =
        products.iter().filter(|p| p.is_active()).map(|p| p.popularity).sum::<f64>().max(1e-9);
    let mut stock: Vec<Vec<Stock>> = products
        .iter()
        .map(|p| {
            p.variants
                .iter()
                .map(|v| {
                    let rate = expected_units_per_day * p.popularity / total_pop / p.variants.len() as f64;
                    let made_to_order = v.price > 300_000 && chance(rng, 0.5);
                    let on_hand = if !p.is_active() && p.status != "archived" {
                        0
                    } else if made_to_order {
                        rng.gen_range(0..=1)
                    } else {
                        (rate * rng.gen_range(30.0..90.0)).round() as i64 + rng.gen_range(0..=2)
                    };
                    Stock { on_hand, rate, floor_rate: rate * 0.3, ..Stock::default() }
                })
                .collect()
        })
        .collect();

    let mut out = Output {
        events: Vec::with_capacity(plans.len() * 5),
        result_lists: Vec::new(),
        orders: Vec::new(),
        inventory: Vec::new(),
        purchase_orders: Vec::new(),
        demand: Vec::new(),
        stockouts: Vec::new(),
        queries: Vec::new(),
        searches: Vec::new(),
        sessions: Vec::with_capacity(plans.len()),
        campaigns: campaigns.clone(),
        order_meta: Vec::new(),
    };
    let mut query_ids: HashMap<String, u32> = HashMap::new();
    let mut pending_returns: Vec<Vec<Pending>> = (0..days).map(|_| Vec::new()).collect();
    let mut receipts: Vec<Vec<u32>> = (0..days).map(|_| Vec::new()).collect();
    let mut touched: Vec<VariantRef> = Vec::new();
    let mut dirty: Vec<VariantRef> = Vec::new();
    // Days on which products go on sale, and 30 days before (when the
    // warehouse starts stocking them).
    let mut launches: Vec<Vec<u32>> = (0..days).map(|_| Vec::new()).collect();
    for (pi, p) in products.iter().enumerate() {
        for d in [p.launch_day, p.launch_day.saturating_sub(30)] {
            if d > 0 && d < days {
                launches[d as usize].push(pi as u32);
            }
        }
    }
    let mut scratch: HashMap<u32, u32> = HashMap::new();
    let mut next_event = 0u32;
    let mut next_order = 0u32;
    let mut plan_i = 0usize;
    let day_ms = |d: u32| {
        (cfg.start + chrono::Duration::days(d as i64))
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp_millis())
            .unwrap_or(0)
    };

    for day in 0..days {
        let info = &calendar[day as usize];
        let base_ms = day_ms(day);
        promo_today.iter_mut().for_each(|d| *d = 0.0);
        for c in campaigns
            .iter()
            .filter(|c| c.kind == CampaignKind::Promotion && (c.start_day..=c.end_day).contains(&day))
        {
            if let Some(i) = c.collection.as_ref().and_then(|name| coll_index.get(name)) {
                promo_today[*i as usize] = c.discount;
            }
        }
        // Receipts arrive before the shop opens.
        for po in std::mem::take(&mut receipts[day as usize]) {
            let po = &out.purchase_orders[po as usize];
            let s = &mut stock[po.variant.0 as usize][po.variant.1 as usize];
            s.on_hand += po.qty;
            s.on_order -= po.qty;
            dirty.push(po.variant);
        }
        // Returns come back in the morning post.
        for r in std::mem::take(&mut pending_returns[day as usize]) {
            let at = base_ms + rng.gen_range(8 * 3600..18 * 3600) * 1000;
            stock[r.line.0 as usize][r.line.1 as usize].on_hand += r.qty;
            dirty.push(r.line);
            out.orders.push(OrderRow {
                order_no: r.order_no,
                at: at / 1000,
                customer: r.customer,
                line: r.line,
                qty: -r.qty,
                unit_price: r.unit_price,
                country: r.country,
            });
            out.events.push(SimEvent {
                id: next_event,
                kind: EventKind::Return,
                at,
                session: Some(r.session),
                customer: r.customer,
                product: Some(r.line.0),
                variant: Some(r.line),
                quantity: Some(r.qty),
                price: Some(r.unit_price),
                order: Some(r.order_no),
                ..SimEvent::default()
            });
            next_event += 1;
        }

        while plan_i < plans.len() && plans[plan_i].day == day {
            let plan = plans[plan_i];
            let session_id = plan_i as u32;
            plan_i += 1;
            let customer = &customers[plan.customer as usize];
            let cust_id = (!plan.guest).then_some(plan.customer);
            let mut t = base_ms + plan.sec as i64 * 1000;
            let mut step = |rng: &mut SimRng| {
                t += rng.gen_range(6_000..110_000);
                t
            };
            let (intent, occasion, is_gift) = make_intent(rng, customer, plan, info, products, &by_category);
            let promo = |p: u32| facts[p as usize].collection.map(|c| promo_today[c as usize]).unwrap_or(0.0);
            let mut truth = SessionTruth {
                session: session_id,
                customer: cust_id,
                day,
                reason: match plan.reason {
                    Reason::Browse if is_gift => "gift",
                    Reason::Browse => "self",
                    Reason::Life(k) => k.as_str(),
                    Reason::Spike(_) => "social",
                },
                occasion: occasion.map(|o| o.as_str()),
                recipient: intent.recipient,
                category: intent.category,
                order: None,
            };

            let mut viewed: Vec<u32> = Vec::new();
            let mut search_truth_idx: Option<usize> = None;
            if let Reason::Spike(p) = plan.reason {
                viewed.push(p);
            } else {
                let cands = candidates(rng, &by_category, intent.category, products, day);
                let weights: Vec<f64> = cands
                    .iter()
                    .map(|&p| {
                        appeal(&products[p as usize], &facts[p as usize], &intent, customer, day, promo(p))
                    })
                    .collect();
                let searches = chance(rng, if intent.keyword.is_some() || is_gift { 0.7 } else { 0.5 });
                let mut browse = !searches;
                if searches {
                    let (text, spec) = write_query(rng, &intent);
                    let qid = *query_ids.entry(text.clone()).or_insert_with(|| {
                        out.queries.push((text.clone(), spec.clone()));
                        (out.queries.len() - 1) as u32
                    });
                    let results = search.search(products, &text, day, 10, &mut scratch);
                    let start = out.result_lists.len() as u32;
                    out.result_lists.extend_from_slice(&results);
                    let search_event = next_event;
                    out.events.push(SimEvent {
                        id: next_event,
                        kind: EventKind::Search,
                        at: step(rng),
                        session: Some(session_id),
                        customer: cust_id,
                        query: Some(qid),
                        results: Some((start, results.len() as u16)),
                        ..SimEvent::default()
                    });
                    next_event += 1;
                    let mut clicks = 0;
                    for (pos, &p) in results.iter().enumerate() {
                        let prod = &products[p as usize];
                        let wanted = spec.matches(prod) && in_group(intent.category, prod.category);
                        let pc = if wanted { 0.55 } else { 0.04 } * 0.8f64.powi(pos as i32);
                        if clicks < 3 && chance(rng, pc) {
                            clicks += 1;
                            out.events.push(SimEvent {
                                id: next_event,
                                kind: EventKind::Click,
                                at: step(rng),
                                session: Some(session_id),
                                customer: cust_id,
                                product: Some(p),
                                query: Some(qid),
                                position: Some(pos as u8),
                                ..SimEvent::default()
                            });
                            next_event += 1;
                            viewed.push(p);
                        }
                    }
                    out.searches.push(SearchTruth {
                        event: search_event,
                        session: session_id,
                        query: qid,
                        clicks,
                        purchased: None,
                    });
                    search_truth_idx = Some(out.searches.len() - 1);
                    if clicks == 0 {
                        browse = chance(rng, 0.55);
                    }
                }
                if browse {
                    let n = 1 + poisson(rng, 1.6) as usize;
                    for _ in 0..n {
                        if let Some(i) = weighted(rng, &weights) {
                            viewed.push(cands[i]);
                        }
                    }
                }
            }
            {
                let mut seen: Vec<u32> = Vec::with_capacity(viewed.len());
                viewed.retain(|p| {
                    if seen.contains(p) {
                        false
                    } else {
                        seen.push(*p);
                        true
                    }
                });
            }
            for &p in &viewed {
                out.events.push(SimEvent {
                    id: next_event,
                    kind: EventKind::View,
                    at: step(rng),
                    session: Some(session_id),
                    customer: cust_id,
                    product: Some(p),
                    ..SimEvent::default()
                });
                next_event += 1;
            }

            // Decide whether to buy, and what.
            if !viewed.is_empty() {
                let fits: Vec<f64> = viewed
                    .iter()
                    .map(|&p| {
                        appeal(&products[p as usize], &facts[p as usize], &intent, customer, day, promo(p))
                    })
                    .collect();
                let best_fit = viewed
                    .iter()
                    .map(|&p| price_fit(facts[p as usize].min_price, intent.budget))
                    .fold(0.0, f64::max);
                let reason_lift = match plan.reason {
                    Reason::Life(LifeEventKind::Engagement | LifeEventKind::Wedding) => 2.2,
                    Reason::Life(_) => 1.8,
                    Reason::Spike(_) => 0.9,
                    Reason::Browse if is_gift => 1.3,
                    Reason::Browse => 1.0,
                };
                let p_buy = (0.085 * info.conversion * reason_lift * (0.3 + 0.7 * best_fit)).min(0.6);
                if chance(rng, p_buy) {
                    let chosen = viewed[weighted(rng, &fits).unwrap_or(0)];
                    let mut lines: Vec<(VariantRef, i64)> = Vec::new();
                    let vi = choose_variant(rng, &products[chosen as usize], &intent, customer, is_gift);
                    let qty = if products[chosen as usize].category == Category::Earrings
                        && is_gift
                        && chance(rng, 0.03)
                    {
                        2
                    } else {
                        1
                    };
                    lines.push(((chosen, vi), qty));
                    let prod = &products[chosen as usize];
                    let mut bracketed = false;
                    if customer.bracketer && prod.category.is_ring() && !is_gift {
                        if let Some(SizeSpec::Ring(s)) = prod.variants[vi as usize].size {
                            for other in [s - 0.5, s + 0.5, s + 1.0] {
                                if let Some(j) = prod.variants.iter().position(|v| {
                                    v.metal == prod.variants[vi as usize].metal
                                        && v.size == Some(SizeSpec::Ring(other))
                                }) {
                                    lines.push(((chosen, j as u16), 1));
                                    bracketed = true;
                                }
                            }
                        }
                    }
                    // Pieces of a collection sell together.
                    if let Some(coll) = facts[chosen as usize].collection {
                        if chance(rng, 0.2) {
                            let mates: Vec<u32> = by_collection[coll as usize]
                                .iter()
                                .copied()
                                .filter(|&q| q != chosen && products[q as usize].launch_day <= day)
                                .collect();
                            if !mates.is_empty() {
                                let q = *pick(rng, &mates);
                                let vj =
                                    choose_variant(rng, &products[q as usize], &intent, customer, is_gift);
                                lines.push(((q, vj), 1));
                            }
                        }
                    }
                    // Stock decides what can be sold; what cannot is lost demand.
                    let mut sold: Vec<(VariantRef, i64)> = Vec::new();
                    for (v, q) in lines {
                        let s = &mut stock[v.0 as usize][v.1 as usize];
                        if s.demand == 0 && s.lost == 0 {
                            touched.push(v);
                        }
                        s.demand += q as u32;
                        if s.on_hand >= q {
                            s.on_hand -= q;
                            s.sold += q as u32;
                            sold.push((v, q));
                            dirty.push(v);
                        } else {
                            s.lost += q as u32;
                        }
                    }
                    if !sold.is_empty() {
                        let order_no = next_order;
                        next_order += 1;
                        let at_cart = step(rng);
                        let at_buy = step(rng);
                        let mut total = 0;
                        let country = customer.country;
                        for (line_no, (v, q)) in sold.iter().enumerate() {
                            let variant = &products[v.0 as usize].variants[v.1 as usize];
                            let disc = info.discount.max(promo(v.0));
                            let unit_price = ((variant.price as f64) * (1.0 - disc)).round() as i64;
                            total += unit_price * q;
                            out.events.push(SimEvent {
                                id: next_event,
                                kind: EventKind::AddToCart,
                                at: at_cart + line_no as i64 * 1000,
                                session: Some(session_id),
                                customer: cust_id,
                                product: Some(v.0),
                                variant: Some(*v),
                                quantity: Some(*q),
                                price: Some(unit_price),
                                ..SimEvent::default()
                            });
                            out.events.push(SimEvent {
                                id: next_event + 1,
                                kind: EventKind::Purchase,
                                at: at_buy,
                                session: Some(session_id),
                                customer: cust_id,
                                product: Some(v.0),
                                variant: Some(*v),
                                quantity: Some(*q),
                                price: Some(unit_price),
                                order: Some(order_no),
                                ..SimEvent::default()
                            });
                            next_event += 2;
                            out.orders.push(OrderRow {
                                order_no,
                                at: at_buy / 1000,
                                customer: cust_id,
                                line: *v,
                                qty: *q,
                                unit_price,
                                country,
                            });
                            // Returns: bracketed extra sizes nearly always go back.
                            let cat = products[v.0 as usize].category;
                            let mut p_ret: f64 = match cat {
                                Category::Ring | Category::WeddingBand => 0.1,
                                Category::EngagementRing => 0.06,
                                Category::Earrings => 0.04,
                                _ => 0.07,
                            };
                            if customer.serial_returner {
                                p_ret = (p_ret * 4.5).min(0.7);
                            }
                            if is_gift {
                                p_ret += 0.03;
                            }
                            if bracketed && line_no > 0 && v.0 == chosen {
                                p_ret = 0.95;
                            }
                            if chance(rng, p_ret) {
                                let back = day + rng.gen_range(6..35);
                                if back < days {
                                    pending_returns[back as usize].push(Pending {
                                        order_no,
                                        customer: cust_id,
                                        line: *v,
                                        qty: *q,
                                        unit_price,
                                        country,
                                        session: session_id,
                                    });
                                }
                            }
                        }
                        truth.order = Some(order_no);
                        if let Some(i) = search_truth_idx {
                            out.searches[i].purchased = Some(chosen);
                        }
                        out.order_meta.push(OrderMeta {
                            order_no,
                            day,
                            customer: cust_id,
                            lines: sold.iter().map(|(v, _)| *v).collect(),
                            occasion: if is_gift { occasion } else { None },
                            recipient: intent.recipient,
                            total,
                            bracketed,
                        });
                    }
                } else if chance(rng, 0.12) {
                    // An abandoned cart.
                    let p = viewed[weighted(rng, &fits).unwrap_or(0)];
                    let vi = choose_variant(rng, &products[p as usize], &intent, customer, is_gift);
                    out.events.push(SimEvent {
                        id: next_event,
                        kind: EventKind::AddToCart,
                        at: step(rng),
                        session: Some(session_id),
                        customer: cust_id,
                        product: Some(p),
                        variant: Some((p, vi)),
                        quantity: Some(1),
                        price: Some(products[p as usize].variants[vi as usize].price),
                        ..SimEvent::default()
                    });
                    next_event += 1;
                }
            }
            out.sessions.push(truth);
        }

        // End of day: demand records, stockouts, reorders, snapshots.
        touched.sort_unstable();
        for v in touched.drain(..) {
            let s = &mut stock[v.0 as usize][v.1 as usize];
            out.demand.push(DemandRow {
                day,
                variant: v,
                demand: s.demand,
                sold: s.sold,
                lost: s.lost,
                on_hand_end: s.on_hand,
            });
            s.demand = 0;
            s.lost = 0;
        }
        // Only variants whose stock moved today (or that launch) can change
        // their stockout state or need a reorder: visiting just those keeps a
        // day's cost proportional to the day's activity, not to the catalog.
        if day == 0 {
            dirty.clear();
            for (pi, p) in products.iter().enumerate() {
                dirty.extend((0..p.variants.len()).map(|vi| (pi as u32, vi as u16)));
            }
        } else {
            for &pi in launches.get(day as usize).into_iter().flatten() {
                dirty.extend((0..products[pi as usize].variants.len()).map(|vi| (pi, vi as u16)));
            }
            dirty.sort_unstable();
            dirty.dedup();
        }
        for &(pi, vi) in &dirty {
            let p = &products[pi as usize];
            let v = &p.variants[vi as usize];
            let live = p.is_active() && p.launch_day <= day + 30;
            let s = &mut stock[pi as usize][vi as usize];
            update_rate(s, day);
            match (s.on_hand <= 0, s.out_since) {
                (true, None) if live && p.launch_day <= day => s.out_since = Some(day),
                (false, Some(from)) => {
                    out.stockouts.push(((pi, vi), from, day - 1));
                    s.out_since = None;
                }
                _ => {}
            }
            if live {
                let lead = v.lead_time_days as f64;
                let position = s.on_hand + s.on_order;
                let rop = s.rate * (lead + 7.0) + if v.price < 100_000 { 1.0 } else { 0.0 };
                let up_to = s.rate * (lead + 45.0) + 1.0;
                if (position as f64) <= rop && up_to - position as f64 >= 1.0 {
                    let mut qty = (up_to - position as f64).ceil() as i64;
                    if v.price > 500_000 {
                        qty = qty.min(2);
                    }
                    let delay = rng.gen_range(0..=(v.lead_time_days / 4).max(1));
                    let received = day + v.lead_time_days + delay;
                    let id = out.purchase_orders.len() as u32;
                    out.purchase_orders.push(PurchaseOrder {
                        id,
                        variant: (pi, vi),
                        ordered_day: day,
                        qty,
                        unit_cost: v.unit_cost,
                        expected_day: day + v.lead_time_days,
                        received_day: (received < days).then_some(received),
                    });
                    s.on_order += qty;
                    if received < days {
                        receipts[received as usize].push(id);
                    }
                }
            }
        }
        dirty.clear();
        let snapshot = day == 0 || info.date.day() == 1 || day + 1 == days;
        if snapshot {
            for (pi, row) in stock.iter_mut().enumerate() {
                for (vi, s) in row.iter_mut().enumerate() {
                    let now = (s.on_hand, s.on_order);
                    if s.last_snapshot != Some(now) || day + 1 == days {
                        out.inventory.push(InventoryRow {
                            day,
                            variant: (pi as u32, vi as u16),
                            location: "nj-warehouse",
                            on_hand: s.on_hand,
                            on_order: s.on_order,
                        });
                        s.last_snapshot = Some(now);
                    }
                }
            }
        }
    }
    for (pi, row) in stock.iter().enumerate() {
        for (vi, s) in row.iter().enumerate() {
            if let Some(from) = s.out_since {
                out.stockouts.push(((pi as u32, vi as u16), from, days - 1));
            }
        }
    }
    // The showroom holds one display piece of each high-end product.
    for (pi, p) in products.iter().enumerate() {
        if p.is_active() && p.min_price() > 200_000 {
            out.inventory.push(InventoryRow {
                day: days - 1,
                variant: (pi as u32, 0),
                location: "nyc-showroom",
                on_hand: 1,
                on_order: 0,
            });
        }
    }
    out.stockouts.sort_by_key(|s| (s.0, s.1));
    out
}

/// Brings a variant's smoothed daily sales rate up to `day`: the decay of
/// the days without sales since the last update, then today's sales.
fn update_rate(s: &mut Stock, day: u32) {
    let k = match s.rate_day {
        Some(d) => day - d,
        None => 1,
    };
    if k >= 2 {
        s.rate = (s.rate * 0.97f64.powi(k as i32 - 1)).max(s.floor_rate);
    }
    if k >= 1 {
        s.rate = (0.97 * s.rate + 0.03 * s.sold as f64).max(s.floor_rate);
    }
    s.rate_day = Some(day);
    s.sold = 0;
}

fn in_group(wanted: Category, got: Category) -> bool {
    use Category::*;
    wanted == got
        || matches!(
            (wanted, got),
            (Necklace, Pendant) | (Pendant, Necklace) | (Ring, WeddingBand) | (Ring, EngagementRing)
        )
}

fn candidates(
    rng: &mut SimRng,
    by_category: &HashMap<Category, Vec<u32>>,
    c: Category,
    products: &[SimProduct],
    day: u32,
) -> Vec<u32> {
    let mut out: Vec<u32> = Vec::new();
    let groups: &[Category] = match c {
        Category::Necklace | Category::Pendant => &[Category::Necklace, Category::Pendant],
        _ => std::slice::from_ref(&c),
    };
    for g in groups {
        if let Some(list) = by_category.get(g) {
            if list.len() > 400 {
                // Large catalogs: a shopper sees a sample of a category, never all of it.
                for _ in 0..400 {
                    let p = list[rng.gen_range(0..list.len())];
                    if products[p as usize].launch_day <= day {
                        out.push(p);
                    }
                }
            } else {
                out.extend(list.iter().copied().filter(|&p| products[p as usize].launch_day <= day));
            }
        }
    }
    out
}

fn price_fit(price: f64, budget: f64) -> f64 {
    if price <= budget {
        // Much cheaper than the budget is a little less appealing.
        (0.6 + 0.4 * (price / budget).sqrt()).min(1.0)
    } else {
        (-3.0 * (price / budget - 1.0)).exp()
    }
}

/// How much `p` appeals to a shopper with `intent` (an unnormalized weight).
fn appeal(p: &SimProduct, f: &Facts, intent: &Intent, c: &Customer, day: u32, discount: f64) -> f64 {
    let mut w = p.popularity * price_fit(f.min_price * (1.0 - discount), intent.budget);
    if p.style == intent.style {
        w *= 2.5;
    }
    let metal_ok = f.metals & metal_mask(intent.metal, intent.color) != 0;
    w *= if metal_ok { 2.0 } else { 0.35 };
    if let Some(s) = intent.stone {
        w *= if p.stone.as_ref().is_some_and(|st| st.kind == s) { 3.0 } else { 0.5 };
    }
    if let Some(k) = intent.keyword {
        w *= if p.keyword == Some(k) { 3.0 } else { 0.6 };
    }
    if intent.collection.is_some() && p.collection == intent.collection {
        w *= 4.0;
    }
    if f.investment {
        w *= 0.6 + c.investment_bias(day) * 1.6;
    }
    if discount > 0.0 {
        w *= 1.0 + discount * 4.0;
    }
    if p.gender == Gender::Men && intent.recipient.is_none() && c.gender == Gender::Women {
        w *= 0.2;
    }
    w
}

fn choose_variant(rng: &mut SimRng, p: &SimProduct, intent: &Intent, c: &Customer, gift: bool) -> u16 {
    let metal = p
        .metals()
        .into_iter()
        .max_by_key(|m| {
            let mut score = 0;
            if (m.kind == intent.metal) || (intent.metal == MetalKind::Gold && m.kind == MetalKind::Vermeil) {
                score += 4;
            }
            if m.color.is_some() && m.color == intent.color {
                score += 2;
            }
            score
        })
        .unwrap_or(p.variants[0].metal);
    let want_size = match p.category {
        c2 if c2.is_ring() => {
            if gift {
                Some(SizeSpec::Ring(*pick(rng, &[6.0, 6.5, 7.0, 7.0, 7.5])))
            } else if p.gender == Gender::Men && c.gender == Gender::Women {
                Some(SizeSpec::Ring(10.0))
            } else {
                Some(SizeSpec::Ring(c.ring_size))
            }
        }
        Category::Chain | Category::Necklace | Category::Cross => {
            Some(SizeSpec::Length(*pick(rng, &[16.0, 18.0, 18.0, 18.0, 20.0, 22.0])))
        }
        Category::Bracelet => Some(SizeSpec::Length(*pick(rng, &[6.5, 7.0, 7.0, 7.5]))),
        _ => None,
    };
    let mut best = 0usize;
    let mut best_d = f32::MAX;
    for (i, v) in p.variants.iter().enumerate() {
        if v.metal != metal {
            continue;
        }
        let d = match (v.size, want_size) {
            (Some(SizeSpec::Ring(a)), Some(SizeSpec::Ring(b)))
            | (Some(SizeSpec::Length(a)), Some(SizeSpec::Length(b))) => (a - b).abs(),
            _ => 0.0,
        };
        if d < best_d {
            best_d = d;
            best = i;
        }
    }
    best as u16
}

const GIFT_CATS: &[Category] =
    &[Category::Necklace, Category::Earrings, Category::Bracelet, Category::Pendant, Category::Ring];

fn style_category(rng: &mut SimRng, style: Style) -> Category {
    use Category::*;
    let table: &[(Category, f64)] = match style {
        Style::Minimal => &[
            (Earrings, 5.0),
            (Necklace, 4.0),
            (Ring, 4.0),
            (Bracelet, 2.0),
            (Chain, 2.0),
            (Pendant, 2.0),
            (Charm, 1.0),
            (Anklet, 0.5),
        ],
        Style::Classic => &[
            (Earrings, 4.0),
            (Necklace, 3.0),
            (Bracelet, 3.0),
            (Ring, 3.0),
            (Pendant, 2.0),
            (Chain, 1.0),
            (Watch, 0.3),
            (Brooch, 0.3),
            (Cross, 0.5),
        ],
        Style::Statement => {
            &[(Earrings, 5.0), (Ring, 3.0), (Necklace, 3.0), (Bracelet, 2.0), (Chain, 2.0), (Brooch, 0.3)]
        }
        Style::Bohemian => {
            &[(Bracelet, 4.0), (Earrings, 4.0), (Necklace, 3.0), (Anklet, 2.0), (Ring, 2.0), (Charm, 1.0)]
        }
        Style::Bridal => &[
            (Earrings, 3.0),
            (Ring, 2.0),
            (WeddingBand, 2.0),
            (Necklace, 2.0),
            (Bracelet, 2.0),
            (EngagementRing, 0.6),
        ],
    };
    let w: Vec<f64> = table.iter().map(|t| t.1).collect();
    table[weighted(rng, &w).unwrap_or(0)].0
}

fn make_intent(
    rng: &mut SimRng,
    c: &Customer,
    plan: SessionPlan,
    info: &DayInfo,
    products: &[SimProduct],
    by_category: &HashMap<Category, Vec<u32>>,
) -> (Intent, Option<Occasion>, bool) {
    let budget = c.budget_on(plan.day) * lognormal(rng, 1.0, 0.3);
    let mut intent = Intent {
        category: style_category(rng, c.style),
        keyword: None,
        metal: c.metal,
        color: c.color,
        stone: None,
        budget,
        style: c.style,
        recipient: None,
        collection: None,
    };
    let partner = if c.gender == Gender::Men { "her" } else { "him" };
    let mut occasion = None;
    let mut gift = false;
    match plan.reason {
        Reason::Spike(p) => {
            let p = &products[p as usize];
            intent.category = p.category;
            intent.style = p.style;
            intent.budget = budget.max(p.min_price() as f64 / 100.0);
        }
        Reason::Life(LifeEventKind::Engagement) => {
            intent.category = Category::EngagementRing;
            intent.style = Style::Bridal;
            intent.budget = (c.budget * 7.0).clamp(1200.0, 15000.0);
            intent.stone = Some(if chance(rng, 0.85) { "diamond" } else { "sapphire" });
            if intent.metal == MetalKind::Silver {
                intent.metal = MetalKind::Gold;
            }
            occasion = Some(Occasion::EngagementSeason);
        }
        Reason::Life(LifeEventKind::Wedding) => {
            intent.category = Category::WeddingBand;
            intent.style = Style::Bridal;
            intent.budget = (c.budget * 2.5).clamp(400.0, 5000.0);
            if intent.metal == MetalKind::Silver {
                intent.metal = MetalKind::Gold;
            }
            occasion = Some(Occasion::WeddingSeason);
        }
        Reason::Life(_) => {
            gift = true;
            intent.recipient = Some(if partner == "her" {
                *pick(rng, &["my wife", "her", "girlfriend"])
            } else {
                *pick(rng, &["him", "my husband", "boyfriend"])
            });
            intent.category = if partner == "her" {
                *pick(rng, GIFT_CATS)
            } else {
                *pick(rng, &[Category::Cufflinks, Category::Chain, Category::Ring, Category::Bracelet])
            };
            intent.budget *= 1.4;
        }
        Reason::Browse => {
            let gifting: Vec<(Occasion, f64)> = info
                .occasions
                .iter()
                .copied()
                .filter(|(o, _)| !matches!(o, Occasion::EngagementSeason | Occasion::WeddingSeason))
                .collect();
            let strongest = gifting.iter().copied().max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((o, _)) = strongest.filter(|(_, s)| chance(rng, (c.gifting * s * 1.2).min(0.9))) {
                gift = true;
                occasion = Some(o);
                let (recipients, cats): (&[&'static str], &[Category]) = match o {
                    Occasion::Valentines if partner == "her" => {
                        (&["her", "girlfriend", "my wife", "valentine"], GIFT_CATS)
                    }
                    Occasion::Valentines => (
                        &["him", "boyfriend", "my husband"],
                        &[Category::Chain, Category::Cufflinks, Category::Bracelet],
                    ),
                    Occasion::MothersDay => (
                        &["mom", "mom", "mother", "grandma", "my wife"],
                        &[
                            Category::Necklace,
                            Category::Pendant,
                            Category::Earrings,
                            Category::Bracelet,
                            Category::Ring,
                        ],
                    ),
                    Occasion::FathersDay => (
                        &["dad", "father", "my husband"],
                        &[Category::Cufflinks, Category::Chain, Category::Bracelet],
                    ),
                    Occasion::Graduation => (
                        &["graduate", "daughter", "niece", "granddaughter"],
                        &[Category::Necklace, Category::Earrings, Category::Bracelet, Category::Pendant],
                    ),
                    _ => {
                        (&["her", "mom", "my sister", "my wife", "daughter", "best friend", "him"], GIFT_CATS)
                    }
                };
                intent.recipient = Some(*pick(rng, recipients));
                intent.category = *pick(rng, cats);
                if intent.recipient == Some("him") && matches!(o, Occasion::Christmas | Occasion::BlackFriday)
                {
                    intent.category = *pick(rng, &[Category::Chain, Category::Cufflinks]);
                }
                intent.budget *= 1.2;
            } else if chance(rng, c.gifting * 0.25) {
                gift = true;
                intent.recipient = Some(*pick(
                    rng,
                    &["her", "mom", "my sister", "best friend", "my wife", "daughter", "birthday"],
                ));
                intent.category = *pick(rng, GIFT_CATS);
            } else if info.occasions.iter().any(|(o, _)| *o == Occasion::EngagementSeason)
                && c.style == Style::Bridal
                && chance(rng, 0.08)
            {
                intent.category = Category::EngagementRing;
                intent.budget = (c.budget * 5.0).clamp(1000.0, 15000.0);
                intent.stone = Some("diamond");
            } else if info.occasions.iter().any(|(o, _)| *o == Occasion::WeddingSeason) && chance(rng, 0.04) {
                intent.category = Category::WeddingBand;
                intent.budget = (c.budget * 2.0).clamp(300.0, 5000.0);
            }
        }
    }
    // A specific kind, stone or collection in mind, taken from a real
    // product of the category so that the wish can be met.
    if let Some(list) = by_category.get(&intent.category) {
        if !list.is_empty() {
            let example = &products[list[rng.gen_range(0..list.len())] as usize];
            if chance(rng, 0.35) {
                intent.keyword = example.keyword;
            }
            if intent.stone.is_none() && chance(rng, 0.3) {
                intent.stone = example.stone.as_ref().map(|s| s.kind);
            }
            if chance(rng, 0.06) {
                intent.collection = example.collection.clone();
            }
        }
    }
    if let Reason::Spike(p) = plan.reason {
        intent.collection = products[p as usize].collection.clone();
    }
    (intent, occasion, gift)
}

fn plan_campaigns(rng: &mut SimRng, products: &[SimProduct], days: u32) -> Vec<Campaign> {
    let mut out = Vec::new();
    let colls: Vec<&String> = {
        let mut v: Vec<&String> = products.iter().filter_map(|p| p.collection.as_ref()).collect();
        v.sort();
        v.dedup();
        v
    };
    let active: Vec<u32> = products
        .iter()
        .enumerate()
        .filter(|(_, p)| p.is_active() && p.min_price() < 150_000)
        .map(|(i, _)| i as u32)
        .collect();
    let years = days.div_ceil(365);
    for _ in 0..years {
        for _ in 0..3 {
            if colls.is_empty() {
                break;
            }
            let start = rng.gen_range(0..days.saturating_sub(10).max(1));
            out.push(Campaign {
                kind: CampaignKind::Promotion,
                start_day: start,
                end_day: (start + 6).min(days - 1),
                collection: Some((*pick(rng, &colls)).clone()),
                product: None,
                discount: 0.15,
                lift: 1.6,
            });
        }
        for _ in 0..8 {
            if active.is_empty() {
                break;
            }
            let p = *pick(rng, &active);
            let start = rng
                .gen_range(products[p as usize].launch_day..days.max(products[p as usize].launch_day + 1))
                .min(days - 1);
            out.push(Campaign {
                kind: CampaignKind::SocialSpike,
                start_day: start,
                end_day: (start + rng.gen_range(4..10)).min(days - 1),
                collection: None,
                product: Some(p),
                discount: 0.0,
                lift: rng.gen_range(20.0..80.0),
            });
        }
    }
    out.sort_by_key(|c| (c.start_day, c.product, c.collection.clone()));
    out
}

fn plan_sessions(
    rng: &mut SimRng,
    cfg: &ShopConfig,
    customers: &[Customer],
    calendar: &[DayInfo],
    campaigns: &[Campaign],
) -> Vec<SessionPlan> {
    let days = cfg.days;
    let mut cumulative = Vec::with_capacity(days as usize);
    let mut acc = 0.0;
    for d in calendar {
        acc += d.traffic;
        cumulative.push(acc);
    }
    let mean_traffic = acc / days as f64;
    let mut plans = Vec::new();
    let sec_of_day = |rng: &mut SimRng| -> u32 {
        // Evening-heavy, in UTC for a mostly US audience.
        let hour_w = [
            3.0, 2.5, 2.0, 1.5, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.8, 1.0, 1.3, 1.6, 1.9, 2.2, 2.4, 2.5, 2.6,
            2.7, 2.9, 3.1, 3.3, 3.2,
        ];
        let h = weighted(rng, &hour_w).unwrap_or(12) as u32;
        h * 3600 + rng.gen_range(0..3600)
    };
    for (ci, c) in customers.iter().enumerate() {
        if c.joined_day >= days {
            continue;
        }
        let lo = c.joined_day as usize;
        let share = (cumulative[days as usize - 1] - if lo == 0 { 0.0 } else { cumulative[lo - 1] }) / acc;
        let n = poisson(rng, c.activity * cfg.sessions_per_customer / 6.0 * share);
        for _ in 0..n {
            let day = from_cumulative(rng, &cumulative, lo) as u32;
            plans.push(SessionPlan {
                day,
                sec: sec_of_day(rng),
                customer: ci as u32,
                guest: false,
                reason: Reason::Browse,
            });
        }
        for e in &c.life_events {
            let (window, sessions, p) = match e.kind {
                LifeEventKind::Engagement => (90, 4, 0.85),
                LifeEventKind::Wedding => (120, 3, 0.8),
                LifeEventKind::Anniversary => (21, 2, 0.45),
                LifeEventKind::Birthday => (14, 1, 0.25 * c.gifting),
            };
            if !chance(rng, p) {
                continue;
            }
            for _ in 0..sessions {
                let back = rng.gen_range(1..=window);
                if e.day >= back && e.day - back >= c.joined_day && e.day - back < days {
                    plans.push(SessionPlan {
                        day: e.day - back,
                        sec: sec_of_day(rng),
                        customer: ci as u32,
                        guest: false,
                        reason: Reason::Life(e.kind),
                    });
                }
            }
        }
    }
    // Guests: visitors who never log in (shadowing a random profile's tastes).
    let logged_in = plans.len() as f64;
    let guests = (logged_in * cfg.guest_share / (1.0 - cfg.guest_share)) as usize;
    for _ in 0..guests {
        let day = from_cumulative(rng, &cumulative, 0) as u32;
        let customer = rng.gen_range(0..customers.len().max(1)) as u32;
        plans.push(SessionPlan { day, sec: sec_of_day(rng), customer, guest: true, reason: Reason::Browse });
    }
    // Social spikes: a burst of visitors landing on one product, decaying.
    let per_day = logged_in / days as f64 / mean_traffic;
    for c in campaigns.iter().filter(|c| c.kind == CampaignKind::SocialSpike) {
        let p = c.product.unwrap_or(0);
        for day in c.start_day..=c.end_day {
            let decay = 0.6f64.powi((day - c.start_day) as i32);
            let n = poisson(rng, per_day * 0.02 * c.lift * decay);
            for _ in 0..n {
                let customer = rng.gen_range(0..customers.len().max(1)) as u32;
                let guest = chance(rng, 0.6) || customers[customer as usize].joined_day > day;
                plans.push(SessionPlan {
                    day,
                    sec: sec_of_day(rng),
                    customer,
                    guest,
                    reason: Reason::Spike(p),
                });
            }
        }
    }
    plans.sort_by_key(|p| (p.day, p.sec, p.customer, p.guest));
    plans
}
