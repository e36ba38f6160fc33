//! The gift finder: no seeds, only a brief (recipient, occasion, budget);
//! items are ranked by popularity, trend, how classic a gift their category
//! is for the recipient and whether they suit the occasion, then explained
//! in those terms.

use model::{Category, Gender};

use crate::content::genders_compatible;
use crate::gift::{Budget, GiftBrief};
use crate::items::money;
use crate::trend::{self, orders, times};
use crate::{Item, Reason, Recommender, Signal, Weights};

use super::{diversify, Cand, COLD};

/// Recommends gifts for `brief`: `limit` items, diverse, each with its reasons.
pub(super) fn recommend(
    rec: &Recommender,
    brief: &GiftBrief,
    limit: usize,
    weights: Option<&Weights>,
) -> Vec<Item> {
    let gender = brief.recipient.and_then(|r| r.gender());
    let cats = brief.recipient.map(|r| r.categories()).unwrap_or(&[]);
    let bridal = brief.occasion.is_some_and(|o| o.allows_bridal());
    let season = brief.occasion.and_then(|o| match o {
        crate::Occasion::Valentines => Some(trend::Season::Valentines),
        crate::Occasion::MothersDay => Some(trend::Season::MothersDay),
        crate::Occasion::Holidays => Some(trend::Season::Holidays),
        crate::Occasion::Engagement => Some(trend::Season::Rings),
        _ => None,
    });
    let w = weights.copied().unwrap_or(Weights { popular: 1.0, trend: 0.4, diversity: 0.5, ..COLD });
    let mut cands: Vec<Cand> = Vec::new();
    for (j, info) in rec.items.info.iter().enumerate() {
        if !info.purchasable {
            continue;
        }
        if let Some(b) = brief.budget {
            if !info.price.is_some_and(|p| b.contains(p)) {
                continue;
            }
        }
        if gender.is_some() && !genders_compatible(gender, info.gender) {
            continue;
        }
        if !bridal && matches!(info.category, Some(Category::EngagementRing | Category::WeddingBand)) {
            continue;
        }
        if gender == Some(Gender::Men)
            && info.gender.is_none()
            && info.category.is_some_and(|c| !cats.contains(&c))
        {
            continue;
        }
        let fit = info
            .category
            .and_then(|c| cats.iter().position(|x| *x == c))
            .map(|p| 1.0 - 0.15 * p as f32)
            .unwrap_or(0.0);
        let occ = if season.is_some() && rec.trend.fit[j] == season { 1.0 } else { 0.0 };
        let parts = vec![
            (Signal::Popular, w.popular * rec.trend.pop[j] + 1e-4),
            (Signal::Trending, w.trend * rec.trend.trend[j]),
            (Signal::Recipient, 0.4 * fit),
            (Signal::Occasion, 0.3 * occ),
        ];
        let score = parts.iter().map(|p| p.1).sum();
        cands.push(Cand { item: j as u32, score, parts, band: false });
    }
    let pool = (limit * 5).max(50).min(cands.len());
    if cands.len() > pool {
        cands.select_nth_unstable_by(pool, |a, b| b.score.total_cmp(&a.score));
        cands.truncate(pool);
    }
    cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.item.cmp(&b.item)));
    let picked = diversify(rec, cands, w.diversity.max(0.3), limit);
    picked
        .into_iter()
        .map(|c| {
            let info = &rec.items.info[c.item as usize];
            let total = c.score.max(1e-9);
            let mut why = Vec::new();
            for &(signal, contribution) in &c.parts {
                if contribution < 0.03 * total {
                    continue;
                }
                let detail = match signal {
                    Signal::Popular => {
                        // Without orders the tie-breaking whisper is no reason.
                        let ju = c.item as usize;
                        if rec.trend.last30[ju] >= 1.0 {
                            format!(
                                "a popular choice: bought {} in the last 30 days",
                                times(rec.trend.last30[ju])
                            )
                        } else if rec.trend.orders[ju] > 0 {
                            format!("a popular choice ({})", orders(rec.trend.orders[ju] as f32))
                        } else {
                            continue;
                        }
                    }
                    Signal::Trending => match rec.trend.trending_detail(c.item as usize) {
                        Some(detail) => detail,
                        None => continue,
                    },
                    Signal::Recipient => {
                        let cat = info.category.map(|c| c.as_str().replace('_', " ")).unwrap_or_default();
                        // "earrings is a classic gift" read wrong: name the category after the colon.
                        format!(
                            "a classic gift for your {}: {cat}",
                            brief.recipient.map(|r| r.as_str()).unwrap_or("recipient")
                        )
                    }
                    Signal::Occasion => {
                        format!(
                            "fits the occasion you named ({})",
                            brief.occasion.map(|o| o.as_str()).unwrap_or_default().replace('_', " ")
                        )
                    }
                    _ => continue,
                };
                why.push(Reason { signal, detail, contribution });
            }
            if let (Some(b), Some(p)) = (brief.budget, info.price) {
                why.push(Reason {
                    signal: Signal::Budget,
                    detail: budget_phrase(&b, p, info.currency),
                    contribution: 0.0,
                });
            }
            // The product's own gender, not the recipient's: a unisex piece
            // chosen for a father is "a unisex piece", never "a men's piece".
            if let (Some(_), Some(r), Some(pg)) = (gender, brief.recipient, info.gender) {
                why.push(Reason {
                    signal: Signal::Recipient,
                    detail: format!("{}, for your {}", gender_piece(pg), r.as_str()),
                    contribution: 0.0,
                });
            }
            why.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
            Item {
                product_id: info.id,
                handle: info.handle.clone(),
                title: info.title.clone(),
                skus: info.skus.clone(),
                score: c.score,
                why,
            }
        })
        // A piece with nothing true to say for it (no sales, no fit with the
        // brief) is no recommendation.
        .filter(|item| !item.why.is_empty())
        .collect()
}

fn budget_phrase(b: &Budget, price: f64, cur: Option<model::Currency>) -> String {
    let p = money(price, cur);
    match (b.min, b.max) {
        (Some(lo), Some(hi)) => {
            format!("{p}, within your budget of {} to {}", money(lo, cur), money(hi, cur))
        }
        (None, Some(hi)) => format!("{p}, within your budget of {}", money(hi, cur)),
        (Some(lo), None) => format!("{p}, above your minimum of {}", money(lo, cur)),
        (None, None) => p,
    }
}

/// "a men's piece", "a women's piece", "a unisex piece", "a piece for kids".
fn gender_piece(g: model::Gender) -> &'static str {
    match g {
        model::Gender::Women => "a women's piece",
        model::Gender::Men => "a men's piece",
        model::Gender::Unisex => "a unisex piece",
        model::Gender::Kids => "a piece for kids",
    }
}
