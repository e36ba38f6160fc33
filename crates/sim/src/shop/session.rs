//! One storefront session up to the point of buying: the shopper's intent,
//! a search in their own words with clicks on the results (or browsing of
//! the category), and a view of each product they looked at. Checkout is in
//! `purchase`.

use model::EventKind;
use rand::Rng;

use crate::calendar::Occasion;
use crate::customers::Customer;
use crate::queries::{write_query, Intent};
use crate::rng::{chance, poisson, weighted, SimRng};
use crate::{SearchTruth, SessionTruth, SimEvent};

use super::intent::{appeal, candidates, in_group, make_intent};
use super::plan::{Reason, SessionPlan};
use super::Shop;

/// A session as it unfolds: who came and why, what they want, the session's
/// clock, and the products they have looked at.
pub(super) struct Visit<'a> {
    pub id: u32,
    pub plan: SessionPlan,
    pub customer: &'a Customer,
    /// `None` for a guest.
    pub cust_id: Option<u32>,
    /// Unix milliseconds of the last step.
    t: i64,
    pub intent: Intent,
    pub occasion: Option<Occasion>,
    pub is_gift: bool,
    pub truth: SessionTruth,
    /// Distinct products viewed, in order.
    pub viewed: Vec<u32>,
    /// Index of the session's search in `Output::searches`.
    pub search_truth: Option<usize>,
}

impl Visit<'_> {
    /// The time of the shopper's next action, a few seconds to two minutes on.
    pub fn step(&mut self, rng: &mut SimRng) -> i64 {
        self.t += rng.gen_range(6_000..110_000);
        self.t
    }
}

impl<'a> Shop<'a> {
    /// Runs session `id` (planned as `plan`) from arrival to its end.
    pub(super) fn session(&mut self, rng: &mut SimRng, id: u32, plan: SessionPlan, base_ms: i64) {
        let day = plan.day;
        let (calendar, customers) = (self.calendar, self.customers);
        let info = &calendar[day as usize];
        let customer = &customers[plan.customer as usize];
        let cust_id = (!plan.guest).then_some(plan.customer);
        let (intent, occasion, is_gift) =
            make_intent(rng, customer, plan, info, self.products, &self.by_category);
        let truth = SessionTruth {
            session: id,
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
        let mut visit = Visit {
            id,
            plan,
            customer,
            cust_id,
            t: base_ms + plan.sec as i64 * 1000,
            intent,
            occasion,
            is_gift,
            truth,
            viewed: Vec::new(),
            search_truth: None,
        };
        if let Reason::Spike(p) = plan.reason {
            visit.viewed.push(p);
        } else {
            self.look_around(rng, &mut visit);
        }
        {
            let mut seen: Vec<u32> = Vec::with_capacity(visit.viewed.len());
            visit.viewed.retain(|p| {
                if seen.contains(p) {
                    false
                } else {
                    seen.push(*p);
                    true
                }
            });
        }
        for i in 0..visit.viewed.len() {
            let p = visit.viewed[i];
            let at = visit.step(rng);
            self.emit(SimEvent {
                kind: EventKind::View,
                at,
                session: Some(id),
                customer: cust_id,
                product: Some(p),
                ..SimEvent::default()
            });
        }
        if !visit.viewed.is_empty() {
            self.checkout(rng, &mut visit);
        }
        self.out.sessions.push(visit.truth);
    }

    /// A shopper who did not land on one product searches or browses their
    /// category (or both, when a search finds nothing to click).
    fn look_around(&mut self, rng: &mut SimRng, visit: &mut Visit) {
        let day = visit.plan.day;
        let products = self.products;
        let cands = candidates(rng, &self.by_category, visit.intent.category, products, day);
        let weights: Vec<f64> = cands
            .iter()
            .map(|&p| {
                let f = &self.facts[p as usize];
                appeal(&products[p as usize], f, &visit.intent, visit.customer, day, self.promo(p))
            })
            .collect();
        let searches = chance(rng, if visit.intent.keyword.is_some() || visit.is_gift { 0.7 } else { 0.5 });
        let mut browse = !searches;
        if searches {
            let clicks = self.run_search(rng, visit);
            if clicks == 0 {
                browse = chance(rng, 0.55);
            }
        }
        if browse {
            let n = 1 + poisson(rng, 1.6) as usize;
            for _ in 0..n {
                if let Some(i) = weighted(rng, &weights) {
                    visit.viewed.push(cands[i]);
                }
            }
        }
    }

    /// A search in the shopper's words and up to three clicks on its
    /// results, likelier on the ones that match what they want and near the
    /// top. Returns the number of clicks.
    fn run_search(&mut self, rng: &mut SimRng, visit: &mut Visit) -> u32 {
        let day = visit.plan.day;
        let products = self.products;
        let (text, spec) = write_query(rng, &visit.intent);
        let qid = *self.query_ids.entry(text.clone()).or_insert_with(|| {
            self.out.queries.push((text.clone(), spec.clone()));
            (self.out.queries.len() - 1) as u32
        });
        let results = self.search.search(products, &text, day, 10, &mut self.scratch);
        let start = self.out.result_lists.len() as u32;
        self.out.result_lists.extend_from_slice(&results);
        let at = visit.step(rng);
        let search_event = self.emit(SimEvent {
            kind: EventKind::Search,
            at,
            session: Some(visit.id),
            customer: visit.cust_id,
            query: Some(qid),
            results: Some((start, results.len() as u16)),
            ..SimEvent::default()
        });
        let mut clicks = 0;
        for (pos, &p) in results.iter().enumerate() {
            let prod = &products[p as usize];
            let wanted = spec.matches(prod) && in_group(visit.intent.category, prod.category);
            let pc = if wanted { 0.55 } else { 0.04 } * 0.8f64.powi(pos as i32);
            if clicks < 3 && chance(rng, pc) {
                clicks += 1;
                let at = visit.step(rng);
                self.emit(SimEvent {
                    kind: EventKind::Click,
                    at,
                    session: Some(visit.id),
                    customer: visit.cust_id,
                    product: Some(p),
                    query: Some(qid),
                    position: Some(pos as u8),
                    ..SimEvent::default()
                });
                visit.viewed.push(p);
            }
        }
        self.out.searches.push(SearchTruth {
            event: search_event,
            session: visit.id,
            query: qid,
            clicks,
            purchased: None,
        });
        visit.search_truth = Some(self.out.searches.len() - 1);
        clicks
    }
}
