//! The end of a session that viewed something: whether the shopper buys, and
//! what (the chosen piece, extra ring sizes when they bracket, a piece of the
//! same collection); what stock allows to be sold and the demand it loses;
//! the cart, purchase and order lines; which lines will be returned and when.
//! A shopper who does not buy sometimes leaves a cart behind.

use model::{Category, EventKind};
use rand::Rng;

use crate::catalog::SizeSpec;
use crate::customers::LifeEventKind;
use crate::rng::{chance, pick, weighted, SimRng};
use crate::{OrderRow, SimEvent, VariantRef};

use super::intent::{appeal, choose_variant, price_fit};
use super::plan::Reason;
use super::session::Visit;
use super::warehouse::Pending;
use super::{OrderMeta, Shop};

impl Shop<'_> {
    /// Decides whether the shopper of `visit` buys (from what they viewed),
    /// and records the order or an abandoned cart.
    pub(super) fn checkout(&mut self, rng: &mut SimRng, visit: &mut Visit) {
        let day = visit.plan.day;
        let products = self.products;
        let calendar = self.calendar;
        let info = &calendar[day as usize];
        let fits: Vec<f64> = visit
            .viewed
            .iter()
            .map(|&p| {
                let f = &self.facts[p as usize];
                appeal(&products[p as usize], f, &visit.intent, visit.customer, day, self.promo(p))
            })
            .collect();
        let best_fit = visit
            .viewed
            .iter()
            .map(|&p| price_fit(self.facts[p as usize].min_price, visit.intent.budget))
            .fold(0.0, f64::max);
        let reason_lift = match visit.plan.reason {
            Reason::Life(LifeEventKind::Engagement | LifeEventKind::Wedding) => 2.2,
            Reason::Life(_) => 1.8,
            Reason::Spike(_) => 0.9,
            Reason::Browse if visit.is_gift => 1.3,
            Reason::Browse => 1.0,
        };
        let p_buy = (0.085 * info.conversion * reason_lift * (0.3 + 0.7 * best_fit)).min(0.6);
        if chance(rng, p_buy) {
            let chosen = visit.viewed[weighted(rng, &fits).unwrap_or(0)];
            let (lines, bracketed) = self.basket(rng, visit, chosen);
            let sold = self.take_from_stock(lines);
            if !sold.is_empty() {
                self.order(rng, visit, chosen, &sold, bracketed);
            }
        } else if chance(rng, 0.12) {
            // An abandoned cart.
            let p = visit.viewed[weighted(rng, &fits).unwrap_or(0)];
            let prod = &products[p as usize];
            let vi = choose_variant(rng, prod, &visit.intent, visit.customer, visit.is_gift);
            let at = visit.step(rng);
            self.emit(SimEvent {
                kind: EventKind::AddToCart,
                at,
                session: Some(visit.id),
                customer: visit.cust_id,
                product: Some(p),
                variant: Some((p, vi)),
                quantity: Some(1),
                price: Some(prod.variants[vi as usize].price),
                ..SimEvent::default()
            });
        }
    }

    /// The lines the shopper wants for `chosen`: its variant, the sizes
    /// around it when they bracket a ring, and now and then a piece of the
    /// same collection. Also whether they bracketed.
    fn basket(&self, rng: &mut SimRng, visit: &Visit, chosen: u32) -> (Vec<(VariantRef, i64)>, bool) {
        let day = visit.plan.day;
        let (intent, customer, is_gift) = (&visit.intent, visit.customer, visit.is_gift);
        let products = self.products;
        let mut lines: Vec<(VariantRef, i64)> = Vec::new();
        let vi = choose_variant(rng, &products[chosen as usize], intent, customer, is_gift);
        let qty = if products[chosen as usize].category == Category::Earrings && is_gift && chance(rng, 0.03)
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
                        v.metal == prod.variants[vi as usize].metal && v.size == Some(SizeSpec::Ring(other))
                    }) {
                        lines.push(((chosen, j as u16), 1));
                        bracketed = true;
                    }
                }
            }
        }
        // Pieces of a collection sell together.
        if let Some(coll) = self.facts[chosen as usize].collection {
            if chance(rng, 0.2) {
                let mates: Vec<u32> = self.by_collection[coll as usize]
                    .iter()
                    .copied()
                    .filter(|&q| q != chosen && products[q as usize].launch_day <= day)
                    .collect();
                if !mates.is_empty() {
                    let q = *pick(rng, &mates);
                    let vj = choose_variant(rng, &products[q as usize], intent, customer, is_gift);
                    lines.push(((q, vj), 1));
                }
            }
        }
        (lines, bracketed)
    }

    /// Stock decides what can be sold; what cannot is lost demand. Returns
    /// the lines sold.
    fn take_from_stock(&mut self, lines: Vec<(VariantRef, i64)>) -> Vec<(VariantRef, i64)> {
        let mut sold: Vec<(VariantRef, i64)> = Vec::new();
        for (v, q) in lines {
            let s = &mut self.stock[v.0 as usize][v.1 as usize];
            if s.demand == 0 && s.lost == 0 {
                self.touched.push(v);
            }
            s.demand += q as u32;
            if s.on_hand >= q {
                s.on_hand -= q;
                s.sold += q as u32;
                sold.push((v, q));
                self.dirty.push(v);
            } else {
                s.lost += q as u32;
            }
        }
        sold
    }

    /// Records the order of the `sold` lines: cart and purchase events,
    /// order lines, the returns to come, and the session's truth.
    fn order(
        &mut self,
        rng: &mut SimRng,
        visit: &mut Visit,
        chosen: u32,
        sold: &[(VariantRef, i64)],
        bracketed: bool,
    ) {
        let day = visit.plan.day;
        let days = self.cfg.days;
        let products = self.products;
        let calendar = self.calendar;
        let info = &calendar[day as usize];
        let (cust_id, is_gift) = (visit.cust_id, visit.is_gift);
        let order_no = self.next_order;
        self.next_order += 1;
        let at_cart = visit.step(rng);
        let at_buy = visit.step(rng);
        let mut total = 0;
        let country = visit.customer.country;
        for (line_no, &(v, q)) in sold.iter().enumerate() {
            let variant = &products[v.0 as usize].variants[v.1 as usize];
            let disc = info.discount.max(self.promo(v.0));
            let unit_price = ((variant.price as f64) * (1.0 - disc)).round() as i64;
            total += unit_price * q;
            let line = SimEvent {
                session: Some(visit.id),
                customer: cust_id,
                product: Some(v.0),
                variant: Some(v),
                quantity: Some(q),
                price: Some(unit_price),
                ..SimEvent::default()
            };
            self.emit(SimEvent {
                kind: EventKind::AddToCart,
                at: at_cart + line_no as i64 * 1000,
                ..line.clone()
            });
            self.emit(SimEvent { kind: EventKind::Purchase, at: at_buy, order: Some(order_no), ..line });
            self.out.orders.push(OrderRow {
                order_no,
                at: at_buy / 1000,
                customer: cust_id,
                line: v,
                qty: q,
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
            if visit.customer.serial_returner {
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
                    self.pending_returns[back as usize].push(Pending {
                        order_no,
                        customer: cust_id,
                        line: v,
                        qty: q,
                        unit_price,
                        country,
                        session: visit.id,
                    });
                }
            }
        }
        visit.truth.order = Some(order_no);
        if let Some(i) = visit.search_truth {
            self.out.searches[i].purchased = Some(chosen);
        }
        self.out.order_meta.push(OrderMeta {
            order_no,
            day,
            customer: cust_id,
            lines: sold.iter().map(|(v, _)| *v).collect(),
            occasion: if is_gift { visit.occasion } else { None },
            recipient: visit.intent.recipient,
            total,
            bracketed,
        });
    }
}
