//! Order risk and return abuse (issue 18): explainable scores with bands,
//! values in and values out.
//!
//! Inputs are order lines and, per SKU, the product it belongs to. Nothing
//! here reads a customer's country, postcode, gender or any other trait: a
//! score is a function of what was bought, when, for how much, and what came
//! back (a property test changes every line's country and checks that no
//! score moves).
//!
//! **Customers' returns.** Signals, each with its contribution to a score
//! in `[0, 1]`:
//! - `return_rate`: units returned against units bought, shrunk toward the
//!   store's own rate by [`Config::prior_units`] units of evidence, so that
//!   one return from one purchase says little; it contributes in proportion
//!   to how far it exceeds the store's rate.
//! - `returns`: three returns or more.
//! - `bracketing`: orders with two or more variants of one product (sizes of
//!   a ring) of which some came back while one was kept.
//! - `return_value`: most of what they paid came back.
//!
//! **Orders**, each on what was known when it was placed: a first order of
//! high value (over the store's 95th percentile of order values; alone it
//! stays under `review`), several orders by one customer within a day, many
//! units of one expensive piece, and the returns the customer had made
//! before it. Loupe has no payment or address data, so card and
//! address signals are not computed; the reasons never pretend they were.
//!
//! Bands: `approve` under [`Config::review_at`], `review` under
//! [`Config::hold_at`], else `hold`. A person decides what a band means.

use std::collections::{BTreeMap, HashMap, HashSet};

use model::OrderLine;

/// The thresholds and weights.
#[derive(Clone, Debug)]
pub struct Config {
    pub review_at: f64,
    pub hold_at: f64,
    /// Units of evidence the store's return rate counts for in a
    /// customer's shrunk rate.
    pub prior_units: f64,
}

impl Default for Config {
    fn default() -> Config {
        Config { review_at: 0.4, hold_at: 0.7, prior_units: 4.0 }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Band {
    Approve,
    Review,
    Hold,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Approve => "approve",
            Band::Review => "review",
            Band::Hold => "hold",
        }
    }

    fn of(score: f64, cfg: &Config) -> Band {
        if score >= cfg.hold_at {
            Band::Hold
        } else if score >= cfg.review_at {
            Band::Review
        } else {
            Band::Approve
        }
    }
}

/// One reason, with what it added to the score.
#[derive(Clone, Debug, PartialEq)]
pub struct Signal {
    pub code: &'static str,
    pub detail: String,
    pub contribution: f64,
}

/// A customer's return-abuse score.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRisk {
    pub customer_id: String,
    pub score: f64,
    pub band: Band,
    pub why: Vec<Signal>,
    pub orders: usize,
    pub units_bought: i64,
    pub units_returned: i64,
}

/// An order's risk score.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRisk {
    pub order_id: String,
    pub customer_id: Option<String>,
    /// Unix seconds.
    pub ordered_at: i64,
    pub value: f64,
    pub score: f64,
    pub band: Band,
    pub why: Vec<Signal>,
}

fn finish(mut why: Vec<Signal>, cfg: &Config) -> (f64, Band, Vec<Signal>) {
    why.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    let score = why.iter().map(|s| s.contribution).sum::<f64>().clamp(0.0, 1.0);
    let score = (score * 1000.0).round() / 1000.0;
    (score, Band::of(score, cfg), why)
}

fn line_value(l: &OrderLine) -> f64 {
    l.unit_price.map(|m| m.minor as f64 / 10f64.powi(m.currency.exponent() as i32)).unwrap_or(0.0)
        * l.quantity.abs() as f64
}

/// Every customer with a purchase, scored; `product_of` maps a SKU to its
/// product (variants of one product are one piece in several sizes).
pub fn customers(lines: &[OrderLine], product_of: &HashMap<String, u64>, cfg: &Config) -> Vec<CustomerRisk> {
    #[derive(Default)]
    struct Acc {
        orders: HashSet<String>,
        bought: i64,
        returned: i64,
        value_bought: f64,
        value_returned: f64,
        returns: usize,
    }
    let mut by: BTreeMap<&str, Acc> = BTreeMap::new();
    let (mut all_bought, mut all_returned) = (0i64, 0i64);
    for l in lines {
        let Some(c) = l.customer_id.as_deref() else { continue };
        let a = by.entry(c).or_default();
        if l.quantity > 0 {
            a.orders.insert(l.order_id.clone());
            a.bought += l.quantity;
            a.value_bought += line_value(l);
            all_bought += l.quantity;
        } else if l.kind == model::LineKind::Return {
            a.returned += -l.quantity;
            a.value_returned += line_value(l);
            a.returns += 1;
            all_returned += -l.quantity;
        }
    }
    let store_rate = if all_bought > 0 { all_returned as f64 / all_bought as f64 } else { 0.0 };
    let brackets = bracketed_orders(lines, product_of);
    let mut out = Vec::with_capacity(by.len());
    for (c, a) in by {
        if a.bought == 0 {
            continue;
        }
        let mut why = Vec::new();
        let shrunk = (a.returned as f64 + cfg.prior_units * store_rate) / (a.bought as f64 + cfg.prior_units);
        if a.returned > 0 && shrunk > store_rate {
            // Up to 0.5 at three times the store's rate and beyond.
            let excess = ((shrunk / store_rate.max(1e-9)) - 1.0) / 2.0;
            let contribution = (0.5 * excess).clamp(0.0, 0.5);
            if contribution >= 0.05 {
                why.push(Signal {
                    code: "return_rate",
                    detail: format!(
                        "returned {} of {} units bought ({:.0}%; the store's rate is {:.0}%)",
                        a.returned,
                        a.bought,
                        100.0 * a.returned as f64 / a.bought as f64,
                        100.0 * store_rate
                    ),
                    contribution,
                });
            }
        }
        if a.returns >= 3 {
            why.push(Signal {
                code: "returns",
                detail: format!("{} returns", a.returns),
                contribution: (0.1 * (a.returns as f64 - 2.0)).min(0.3),
            });
        }
        let bracketed = brackets.get(c).copied().unwrap_or(0);
        if bracketed > 0 {
            why.push(Signal {
                code: "bracketing",
                detail: format!(
                    "{bracketed} order{} with several sizes of one piece, all but one sent back",
                    if bracketed == 1 { "" } else { "s" }
                ),
                contribution: (0.35 * bracketed as f64).min(0.7),
            });
        }
        if a.value_bought > 0.0 && a.value_returned / a.value_bought >= 0.5 && a.returns >= 2 {
            why.push(Signal {
                code: "return_value",
                detail: format!(
                    "{:.0}% of what they paid came back",
                    100.0 * a.value_returned / a.value_bought
                ),
                contribution: 0.15,
            });
        }
        let (score, band, why) = finish(why, cfg);
        out.push(CustomerRisk {
            customer_id: c.to_string(),
            score,
            band,
            why,
            orders: a.orders.len(),
            units_bought: a.bought,
            units_returned: a.returned,
        });
    }
    out
}

/// Per customer, orders holding two or more variants of one product of
/// which at least one came back and at least one was kept.
fn bracketed_orders<'a>(
    lines: &'a [OrderLine],
    product_of: &HashMap<String, u64>,
) -> HashMap<&'a str, usize> {
    /// SKUs bought and SKUs returned.
    type Skus<'a> = (HashSet<&'a str>, HashSet<&'a str>);
    // (order, product) -> what was bought and what came back
    let mut groups: HashMap<(&str, u64), Skus> = HashMap::new();
    let mut owner: HashMap<&str, &str> = HashMap::new();
    for l in lines {
        let (Some(c), Some(&p)) = (l.customer_id.as_deref(), product_of.get(&l.sku)) else { continue };
        owner.insert(&l.order_id, c);
        let g = groups.entry((&l.order_id, p)).or_default();
        if l.quantity > 0 {
            g.0.insert(&l.sku);
        } else if l.kind == model::LineKind::Return {
            g.1.insert(&l.sku);
        }
    }
    let mut out: HashMap<&str, usize> = HashMap::new();
    let mut counted: HashSet<&str> = HashSet::new();
    for ((order, _), (bought, returned)) in &groups {
        let kept = bought.iter().filter(|s| !returned.contains(*s)).count();
        if bought.len() >= 2 && !returned.is_empty() && kept >= 1 && counted.insert(order) {
            *out.entry(owner[order]).or_default() += 1;
        }
    }
    out
}

/// Every order, scored on what was known when it was placed (returns made
/// after it do not count against it).
pub fn orders(lines: &[OrderLine], cfg: &Config) -> Vec<OrderRisk> {
    struct Order<'a> {
        customer: Option<&'a str>,
        at: i64,
        value: f64,
        max_unit: f64,
        max_qty_expensive: i64,
    }
    let mut by: BTreeMap<&str, Order> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.quantity > 0) {
        let o = by.entry(&l.order_id).or_insert(Order {
            customer: l.customer_id.as_deref(),
            at: l.ordered_at,
            value: 0.0,
            max_unit: 0.0,
            max_qty_expensive: 0,
        });
        o.value += line_value(l);
        let unit = line_value(l) / l.quantity.max(1) as f64;
        o.max_unit = o.max_unit.max(unit);
        o.at = o.at.min(l.ordered_at);
        if unit > 0.0 {
            o.max_qty_expensive = o.max_qty_expensive.max(l.quantity);
        }
    }
    let mut values: Vec<f64> = by.values().map(|o| o.value).collect();
    values.sort_by(f64::total_cmp);
    let p95 = values.get(values.len().saturating_sub(1) * 95 / 100).copied().unwrap_or(f64::INFINITY);
    let mut units: Vec<f64> = by.values().map(|o| o.max_unit).collect();
    units.sort_by(f64::total_cmp);
    let unit_p90 = units.get(units.len().saturating_sub(1) * 90 / 100).copied().unwrap_or(f64::INFINITY);
    // Each customer's orders in time order.
    let mut timeline: HashMap<&str, Vec<(i64, &str)>> = HashMap::new();
    for (id, o) in &by {
        if let Some(c) = o.customer {
            timeline.entry(c).or_default().push((o.at, id));
        }
    }
    for t in timeline.values_mut() {
        t.sort();
    }
    // What each customer had bought and returned before each instant: an
    // order is judged on the history it had, not on returns made after it.
    let mut history: HashMap<&str, Vec<(i64, i64, i64)>> = HashMap::new();
    for l in lines {
        let Some(c) = l.customer_id.as_deref() else { continue };
        if l.quantity > 0 {
            history.entry(c).or_default().push((l.ordered_at, l.quantity, 0));
        } else if l.kind == model::LineKind::Return {
            history.entry(c).or_default().push((l.ordered_at, 0, -l.quantity));
        }
    }
    for h in history.values_mut() {
        h.sort();
    }
    let (all_bought, all_returned) =
        history.values().flatten().fold((0i64, 0i64), |(b, r), &(_, bought, back)| (b + bought, r + back));
    let store_rate = if all_bought > 0 { all_returned as f64 / all_bought as f64 } else { 0.0 };
    let before = |c: &str, at: i64| -> (i64, i64) {
        history
            .get(c)
            .map(|h| h.iter().take_while(|e| e.0 < at).fold((0, 0), |(b, r), e| (b + e.1, r + e.2)))
            .unwrap_or((0, 0))
    };
    let mut out = Vec::with_capacity(by.len());
    for (id, o) in &by {
        let mut why = Vec::new();
        if let Some(c) = o.customer {
            let t = &timeline[c];
            let first = t.first().map(|f| f.1) == Some(*id);
            if first && o.value > p95 {
                why.push(Signal {
                    code: "first_order_high_value",
                    detail: format!(
                        "the customer's first order, {:.0} against the store's 95th percentile of {:.0}",
                        o.value, p95
                    ),
                    // Alone it stays under review: a first engagement ring is
                    // ordinary in jewelry; with another signal it is not.
                    contribution: 0.3,
                });
            }
            let within_day = t.iter().filter(|(at, _)| (at - o.at).abs() < 86_400).count();
            if within_day >= 3 {
                why.push(Signal {
                    code: "velocity",
                    detail: format!("{within_day} orders by the customer within a day"),
                    contribution: (0.15 * within_day as f64).min(0.45),
                });
            }
            let (bought, back) = before(c, o.at);
            if back >= 2 && bought > 0 {
                let shrunk = (back as f64 + cfg.prior_units * store_rate) / (bought as f64 + cfg.prior_units);
                let excess = (shrunk / store_rate.max(1e-9) - 1.0) / 2.0;
                let contribution = (0.45 * excess).clamp(0.0, 0.45);
                if contribution >= 0.05 {
                    why.push(Signal {
                        code: "return_history",
                        detail: format!(
                            "before this order the customer had sent back {back} of {bought} units"
                        ),
                        contribution,
                    });
                }
            }
        } else if o.value > p95 {
            why.push(Signal {
                code: "guest_high_value",
                detail: format!(
                    "a guest order of {:.0}, over the store's 95th percentile of {:.0}",
                    o.value, p95
                ),
                contribution: 0.2,
            });
        }
        if o.max_qty_expensive >= 3 && o.max_unit >= unit_p90 {
            why.push(Signal {
                code: "many_units_of_an_expensive_piece",
                detail: format!("{} units of a piece among the store's dearest tenth", o.max_qty_expensive),
                contribution: 0.3,
            });
        }
        let (score, band, why) = finish(why, cfg);
        out.push(OrderRisk {
            order_id: id.to_string(),
            customer_id: o.customer.map(String::from),
            ordered_at: o.at,
            value: (o.value * 100.0).round() / 100.0,
            score,
            band,
            why,
        });
    }
    out
}

#[cfg(test)]
mod tests;
