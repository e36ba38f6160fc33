//! Order risk and return abuse (issue 18): the `risk` engine's scores over
//! the store's order lines, the queue a person works through, their
//! decisions (each in the decision log), and the evaluation against the demo
//! brand's ground truth.

use std::collections::{HashMap, HashSet};

use crate::error::{Code, Error, Result};
use crate::wire::risk::{CustomerRiskOut, OrderRiskOut, RiskDecisionIn, RiskEvalOut, RiskReasonOut};
use crate::App;

pub use risk::Band;

/// Every customer's and every order's score, from the store.
pub fn scores(app: &App) -> Result<(Vec<risk::CustomerRisk>, Vec<risk::OrderRisk>)> {
    let lines = app.store.order_lines()?;
    let catalog = app.engines.catalog()?;
    let product_of: HashMap<String, u64> =
        catalog.iter().flat_map(|p| p.variants.iter().map(move |v| (v.sku.clone(), p.id))).collect();
    let cfg = risk::Config::default();
    let customers = risk::customers(&lines, &product_of, &cfg);
    let orders = risk::orders(&lines, &cfg);
    Ok((customers, orders))
}

fn reasons(why: &[risk::Signal]) -> Vec<RiskReasonOut> {
    why.iter()
        .map(|s| RiskReasonOut {
            code: s.code.to_string(),
            detail: s.detail.clone(),
            contribution: (s.contribution * 1000.0).round() / 1000.0,
        })
        .collect()
}

pub fn customer_out(c: &risk::CustomerRisk) -> CustomerRiskOut {
    CustomerRiskOut {
        customer_id: c.customer_id.clone(),
        return_abuse_score: c.score,
        band: c.band.as_str().into(),
        why: reasons(&c.why),
        orders: c.orders,
        units_bought: c.units_bought,
        units_returned: c.units_returned,
    }
}

pub fn order_out(o: &risk::OrderRisk) -> OrderRiskOut {
    OrderRiskOut {
        order_id: o.order_id.clone(),
        score: o.score,
        band: o.band.as_str().into(),
        why: reasons(&o.why),
        customer_id: o.customer_id.clone(),
        ordered_at: crate::support::rfc3339(o.ordered_at),
        value: o.value,
    }
}

/// Parses a band filter.
pub fn parse_band(s: Option<&str>) -> Result<Option<risk::Band>> {
    Ok(match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("approve") => Some(risk::Band::Approve),
        Some("review") => Some(risk::Band::Review),
        Some("hold") => Some(risk::Band::Hold),
        Some(other) => {
            return Err(Error::new(
                Code::InvalidQuery,
                format!("`band` {other:?}: use approve, review or hold"),
            ))
        }
    })
}

/// Orders and customers at `band` or above, riskiest first, from one
/// scoring of the store (the back-office queue shows both).
pub fn queue(app: &App, at_least: Option<risk::Band>) -> Result<(Vec<OrderRiskOut>, Vec<CustomerRiskOut>)> {
    let (mut customers, mut orders) = scores(app)?;
    let keep = |band: risk::Band| at_least.is_none_or(|b| band >= b);
    orders.retain(|o| keep(o.band));
    orders.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.order_id.cmp(&b.order_id)));
    customers.retain(|c| keep(c.band));
    customers.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.customer_id.cmp(&b.customer_id)));
    Ok((orders.iter().map(order_out).collect(), customers.iter().map(customer_out).collect()))
}

/// Orders at `band` or above, riskiest first.
pub fn orders(app: &App, at_least: Option<risk::Band>) -> Result<Vec<OrderRiskOut>> {
    Ok(queue(app, at_least)?.0)
}

/// Customers at `band` or above, riskiest first.
pub fn customers(app: &App, at_least: Option<risk::Band>) -> Result<Vec<CustomerRiskOut>> {
    Ok(queue(app, at_least)?.1)
}

/// Records a person's decision on a flagged order or customer in the
/// decision log, with the score and reasons it overrides or confirms.
pub fn decide(app: &App, d: &RiskDecisionIn) -> Result<store::Decision> {
    let bad = |m: String| Error::new(Code::InvalidBody, m);
    if !["approve", "hold", "refund_review"].contains(&d.decision.as_str()) {
        return Err(bad(format!("`decision` {:?}: use approve, hold or refund_review", d.decision)));
    }
    if d.by.trim().is_empty() {
        return Err(bad("`by` is required: who decided".into()));
    }
    let (customers, orders) = scores(app)?;
    let key = crate::decisions::pseudonym_key(app)?;
    let (subject, score, band, why) = match d.subject.split_once(':') {
        Some(("order", id)) => {
            let o = orders
                .iter()
                .find(|o| o.order_id == id)
                .ok_or_else(|| Error::not_found(format!("order {id:?}")))?;
            (format!("order:{id}"), o.score, o.band, reasons(&o.why))
        }
        Some(("customer", id)) => {
            let c = customers
                .iter()
                .find(|c| c.customer_id == id)
                .ok_or_else(|| Error::not_found(format!("customer {id:?} with a purchase")))?;
            (crate::decisions::customer_subject(&key, id), c.score, c.band, reasons(&c.why))
        }
        _ => return Err(bad(format!("`subject` {:?}: use order:ID or customer:ID", d.subject))),
    };
    let overrides =
        !matches!((band, d.decision.as_str()), (risk::Band::Approve, "approve") | (risk::Band::Hold, "hold"));
    let logged = app.store.append_decisions(&[store::NewDecision {
        at_ms: app.clock.now_ms(),
        kind: "risk_decision".into(),
        subject,
        version: "risk:rules-1".into(),
        inputs: serde_json::json!({"score": score, "band": band.as_str()}).to_string(),
        output: serde_json::json!({"decision": d.decision, "note": d.note}).to_string(),
        reasons: serde_json::to_string(&why).map_err(Error::internal)?,
        actor: d.by.trim().to_string(),
        override_by: overrides.then(|| d.by.trim().to_string()),
        override_why: if overrides { d.note.clone().or_else(|| Some("no note".into())) } else { None },
    }])?;
    Ok(logged.into_iter().next().unwrap_or_else(|| unreachable!("one decision appended")))
}

/// The bands against a truth file (the demo's `ground_truth/customers.jsonl`:
/// `id`, `serial_returner`, `bracketer`), on one half of the customers by a
/// hash of their id: `held_out` (odd) or `tuning` (even). Nothing was tuned
/// on either half: the weights and thresholds were set on hand-made
/// histories before the first run (BENCHMARKS.md).
pub fn evaluate(app: &App, truth: impl std::io::BufRead, half: &str) -> Result<RiskEvalOut> {
    let want_odd = match half {
        "held_out" => true,
        "tuning" => false,
        other => {
            return Err(Error::new(Code::InvalidQuery, format!("`half` {other:?}: use held_out or tuning")))
        }
    };
    let mut serial: HashSet<String> = HashSet::new();
    let mut bracket: HashSet<String> = HashSet::new();
    for line in truth.lines() {
        let line = line.map_err(Error::internal)?;
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
        let id = v["id"].as_str().unwrap_or_default().to_string();
        if v["serial_returner"].as_bool() == Some(true) {
            serial.insert(id.clone());
        }
        if v["bracketer"].as_bool() == Some(true) {
            bracket.insert(id);
        }
    }
    let odd = |id: &str| id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 2 == 1;
    let (customers, _) = scores(app)?;
    let scored: Vec<&risk::CustomerRisk> =
        customers.iter().filter(|c| odd(&c.customer_id) == want_odd).collect();
    let abuser = |c: &risk::CustomerRisk| serial.contains(&c.customer_id) || bracket.contains(&c.customer_id);
    let ratio =
        |a: usize, b: usize| if b == 0 { 0.0 } else { ((a as f64 / b as f64) * 1000.0).round() / 1000.0 };
    let flagged: Vec<&&risk::CustomerRisk> = scored.iter().filter(|c| c.band >= risk::Band::Review).collect();
    let held: Vec<&&risk::CustomerRisk> = scored.iter().filter(|c| c.band == risk::Band::Hold).collect();
    let abusers = scored.iter().filter(|c| abuser(c)).count();
    let loyal: Vec<&&risk::CustomerRisk> = scored.iter().filter(|c| c.orders >= 5 && !abuser(c)).collect();
    // The baseline: a plain threshold on the raw return rate.
    let lines = app.store.order_lines()?;
    let (bought, returned) = lines.iter().fold((0i64, 0i64), |(b, r), l| {
        if l.quantity > 0 {
            (b + l.quantity, r)
        } else if l.kind == model::LineKind::Return {
            (b, r - l.quantity)
        } else {
            (b, r)
        }
    });
    let store_rate = returned as f64 / bought.max(1) as f64;
    let returns_of: HashMap<&str, usize> =
        lines.iter().filter(|l| l.kind == model::LineKind::Return).fold(HashMap::new(), |mut m, l| {
            if let Some(c) = l.customer_id.as_deref() {
                *m.entry(c).or_default() += 1;
            }
            m
        });
    let baseline = |c: &risk::CustomerRisk| {
        c.units_returned as f64 / c.units_bought.max(1) as f64 > 2.0 * store_rate
            && returns_of.get(c.customer_id.as_str()).copied().unwrap_or(0) >= 2
    };
    let base_flagged: Vec<&&risk::CustomerRisk> = scored.iter().filter(|c| baseline(c)).collect();
    // Whose behaviour the data shows at all.
    let catalog = app.engines.catalog()?;
    let product_of: HashMap<&str, u64> =
        catalog.iter().flat_map(|p| p.variants.iter().map(move |v| (v.sku.as_str(), p.id))).collect();
    let mut variants: HashMap<(&str, u64), HashSet<&str>> = HashMap::new();
    let mut multi: HashSet<&str> = HashSet::new();
    for l in lines.iter().filter(|l| l.quantity > 0) {
        let (Some(c), Some(&p)) = (l.customer_id.as_deref(), product_of.get(l.sku.as_str())) else {
            continue;
        };
        let v = variants.entry((&l.order_id, p)).or_default();
        v.insert(&l.sku);
        if v.len() >= 2 {
            multi.insert(c);
        }
    }
    let detectable = |c: &risk::CustomerRisk| {
        (serial.contains(&c.customer_id) && returns_of.get(c.customer_id.as_str()).copied().unwrap_or(0) >= 2)
            || (bracket.contains(&c.customer_id) && multi.contains(c.customer_id.as_str()))
    };
    let detectable_n = scored.iter().filter(|c| detectable(c)).count();
    Ok(RiskEvalOut {
        half: half.into(),
        customers: scored.len(),
        abusers,
        flagged_precision: ratio(flagged.iter().filter(|c| abuser(c)).count(), flagged.len()),
        flagged_recall: ratio(flagged.iter().filter(|c| abuser(c)).count(), abusers),
        hold_precision: ratio(held.iter().filter(|c| abuser(c)).count(), held.len()),
        hold_recall: ratio(held.iter().filter(|c| abuser(c)).count(), abusers),
        serial_returner_recall: ratio(
            flagged.iter().filter(|c| serial.contains(&c.customer_id)).count(),
            scored.iter().filter(|c| serial.contains(&c.customer_id)).count(),
        ),
        bracketer_recall: ratio(
            flagged.iter().filter(|c| bracket.contains(&c.customer_id)).count(),
            scored.iter().filter(|c| bracket.contains(&c.customer_id)).count(),
        ),
        detectable: detectable_n,
        detectable_recall: ratio(flagged.iter().filter(|c| detectable(c)).count(), detectable_n),
        loyal: loyal.len(),
        loyal_false_positive_rate: ratio(
            loyal.iter().filter(|c| c.band >= risk::Band::Review).count(),
            loyal.len(),
        ),
        baseline_precision: ratio(base_flagged.iter().filter(|c| abuser(c)).count(), base_flagged.len()),
        baseline_recall: ratio(base_flagged.iter().filter(|c| abuser(c)).count(), abusers),
        baseline_loyal_false_positive_rate: ratio(loyal.iter().filter(|c| baseline(c)).count(), loyal.len()),
    })
}
