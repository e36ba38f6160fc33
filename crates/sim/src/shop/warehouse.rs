//! The warehouse's side of a day: purchase orders arriving before the shop
//! opens, returns coming back in the morning post, and at closing the day's
//! demand records, stockouts, reorders (an order-up-to policy on a smoothed
//! sales rate) and inventory snapshots.

use chrono::Datelike;
use model::EventKind;
use rand::Rng;

use crate::catalog::SimProduct;
use crate::rng::{chance, SimRng};
use crate::{DemandRow, InventoryRow, OrderRow, PurchaseOrder, SimEvent, VariantRef};

use super::Shop;

/// One variant's stock and the bookkeeping of its demand.
#[derive(Clone, Debug, Default)]
pub(super) struct Stock {
    pub on_hand: i64,
    pub on_order: i64,
    rate: f64,
    floor_rate: f64,
    /// Last day `rate` was brought up to date (it decays on days without sales).
    rate_day: Option<u32>,
    last_snapshot: Option<(i64, i64)>,
    pub demand: u32,
    pub sold: u32,
    pub lost: u32,
    out_since: Option<u32>,
}

/// A sold line that will come back on a later day.
pub(super) struct Pending {
    pub order_no: u32,
    pub customer: Option<u32>,
    pub line: VariantRef,
    pub qty: i64,
    pub unit_price: i64,
    pub country: &'static str,
    pub session: u32,
}

/// Stock on the first day: an initial guess of each variant's daily demand
/// from its appeal, and a month or three of it on hand.
pub(super) fn initial_stock(
    rng: &mut SimRng,
    products: &[SimProduct],
    sessions_per_day: f64,
) -> Vec<Vec<Stock>> {
    let expected_units_per_day = sessions_per_day * 0.09;
    let total_pop: f64 =
        products.iter().filter(|p| p.is_active()).map(|p| p.popularity).sum::<f64>().max(1e-9);
    products
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
        .collect()
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

impl Shop<'_> {
    /// Purchase orders due today arrive before the shop opens.
    pub(super) fn receive_purchase_orders(&mut self, day: u32) {
        for po in std::mem::take(&mut self.receipts[day as usize]) {
            let po = &self.out.purchase_orders[po as usize];
            let s = &mut self.stock[po.variant.0 as usize][po.variant.1 as usize];
            s.on_hand += po.qty;
            s.on_order -= po.qty;
            self.dirty.push(po.variant);
        }
    }

    /// Returns come back in the morning post: back on the shelf, a negative
    /// order line and a return event.
    pub(super) fn receive_returns(&mut self, rng: &mut SimRng, day: u32, base_ms: i64) {
        for r in std::mem::take(&mut self.pending_returns[day as usize]) {
            let at = base_ms + rng.gen_range(8 * 3600..18 * 3600) * 1000;
            self.stock[r.line.0 as usize][r.line.1 as usize].on_hand += r.qty;
            self.dirty.push(r.line);
            self.out.orders.push(OrderRow {
                order_no: r.order_no,
                at: at / 1000,
                customer: r.customer,
                line: r.line,
                qty: -r.qty,
                unit_price: r.unit_price,
                country: r.country,
            });
            self.emit(SimEvent {
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
        }
    }

    /// Closing: one demand record per variant shoppers tried to buy today.
    pub(super) fn record_demand(&mut self, day: u32) {
        self.touched.sort_unstable();
        for v in self.touched.drain(..) {
            let s = &mut self.stock[v.0 as usize][v.1 as usize];
            self.out.demand.push(DemandRow {
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
    }

    /// Closing: stockouts that start or end today, and reorders of the
    /// variants whose stock position fell to their reorder point.
    pub(super) fn restock(&mut self, rng: &mut SimRng, day: u32) {
        let days = self.cfg.days;
        let products = self.products;
        // Only variants whose stock moved today (or that launch) can change
        // their stockout state or need a reorder: visiting just those keeps a
        // day's cost proportional to the day's activity, not to the catalog.
        if day == 0 {
            self.dirty.clear();
            for (pi, p) in products.iter().enumerate() {
                self.dirty.extend((0..p.variants.len()).map(|vi| (pi as u32, vi as u16)));
            }
        } else {
            for &pi in self.launches.get(day as usize).into_iter().flatten() {
                self.dirty.extend((0..products[pi as usize].variants.len()).map(|vi| (pi, vi as u16)));
            }
            self.dirty.sort_unstable();
            self.dirty.dedup();
        }
        for &(pi, vi) in &self.dirty {
            let p = &products[pi as usize];
            let v = &p.variants[vi as usize];
            let live = p.is_active() && p.launch_day <= day + 30;
            let s = &mut self.stock[pi as usize][vi as usize];
            update_rate(s, day);
            match (s.on_hand <= 0, s.out_since) {
                (true, None) if live && p.launch_day <= day => s.out_since = Some(day),
                (false, Some(from)) => {
                    self.out.stockouts.push(((pi, vi), from, day - 1));
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
                    let id = self.out.purchase_orders.len() as u32;
                    self.out.purchase_orders.push(PurchaseOrder {
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
                        self.receipts[received as usize].push(id);
                    }
                }
            }
        }
        self.dirty.clear();
    }

    /// Closing: the stock of every variant whose level changed since its
    /// last snapshot, on the first day, the first of each month and the last day.
    pub(super) fn snapshot(&mut self, day: u32) {
        let days = self.cfg.days;
        let snapshot = day == 0 || self.calendar[day as usize].date.day() == 1 || day + 1 == days;
        if !snapshot {
            return;
        }
        for (pi, row) in self.stock.iter_mut().enumerate() {
            for (vi, s) in row.iter_mut().enumerate() {
                let now = (s.on_hand, s.on_order);
                if s.last_snapshot != Some(now) || day + 1 == days {
                    self.out.inventory.push(InventoryRow {
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

    /// After the last day: stockouts still open end on it, and the showroom
    /// holds one display piece of each high-end product.
    pub(super) fn close_stock(&mut self) {
        let days = self.cfg.days;
        for (pi, row) in self.stock.iter().enumerate() {
            for (vi, s) in row.iter().enumerate() {
                if let Some(from) = s.out_since {
                    self.out.stockouts.push(((pi as u32, vi as u16), from, days - 1));
                }
            }
        }
        for (pi, p) in self.products.iter().enumerate() {
            if p.is_active() && p.min_price() > 200_000 {
                self.out.inventory.push(InventoryRow {
                    day: days - 1,
                    variant: (pi as u32, 0),
                    location: "nyc-showroom",
                    on_hand: 1,
                    on_order: 0,
                });
            }
        }
        self.out.stockouts.sort_by_key(|s| (s.0, s.1));
    }
}
