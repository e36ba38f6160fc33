//! Why each recommendation was made: one reason per signal that
//! contributed, naming the seed it came from ("bought together with the Love
//! ring you bought in 3 orders", "same Trinity collection as ...").

use crate::content::{self, Kind};
use crate::items::money;
use crate::profile::UserHist;
use crate::{Item, Reason, Recommender, Signal};

use super::{Cand, SeedKind, Seeds, Signals, NONE};

/// The title as a shopper reads it in a reason (a shouting title in title
/// case, vendor metal codes in words: `model::title`).
fn title(rec: &Recommender, i: u32) -> std::borrow::Cow<'_, str> {
    model::title::shown(&rec.items.info[i as usize].title)
}

fn met(s: Option<&Seeds>, item: u32) -> &'static str {
    match s.map(|s| (s.kind, s.user)) {
        Some((SeedKind::Customer, Some(h))) => {
            if h.bought.binary_search_by_key(&item, |e| e.0).is_ok() {
                "you bought"
            } else {
                "you viewed"
            }
        }
        Some((SeedKind::Cart, _)) => "in your cart",
        Some((SeedKind::Session, _)) => "you just viewed",
        _ => "",
    }
}

fn with_seed(s: Option<&Seeds>, seed: u32, rec: &Recommender) -> String {
    let m = met(s, seed);
    if m.is_empty() {
        format!("the {}", title(rec, seed))
    } else {
        format!("the {} {m}", title(rec, seed))
    }
}

/// The recommendation of `c` with a reason for each signal that mattered.
pub(super) fn explain(
    rec: &Recommender,
    seeds: Option<&Seeds>,
    sig: &Signals,
    c: Cand,
    user: Option<&UserHist>,
    cold: bool,
) -> Item {
    let j = c.item;
    let ju = j as usize;
    let info = &rec.items.info[ju];
    let total: f32 = c.parts.iter().map(|p| p.1).sum::<f32>().max(1e-9);
    let mut why: Vec<Reason> = Vec::new();
    for &(signal, contribution) in &c.parts {
        if contribution < 0.03 * total {
            continue;
        }
        let reason = match signal {
            Signal::BoughtTogether => {
                let seed = sig.cooc_seed[ju];
                if seed == NONE {
                    continue;
                }
                match rec.cooc.get(seed, j) {
                    Some(nb) if nb.orders > 0 => {
                        let times = if nb.orders == 1 {
                            "1 order".to_string()
                        } else {
                            format!("{} orders", nb.orders)
                        };
                        Reason {
                            signal,
                            detail: format!(
                                "bought together with {} in {times}",
                                with_seed(seeds, seed, rec)
                            ),
                            contribution,
                        }
                    }
                    Some(nb) if nb.sessions > 0 => Reason {
                        signal: Signal::ViewedTogether,
                        detail: format!(
                            "viewed together with {} in {} sessions",
                            with_seed(seeds, seed, rec),
                            nb.sessions
                        ),
                        contribution,
                    },
                    _ => Reason {
                        signal,
                        detail: format!(
                            "customers who bought {} also bought this",
                            with_seed(seeds, seed, rec)
                        ),
                        contribution,
                    },
                }
            }
            Signal::SimilarCustomers => {
                let detail = match seeds.map(|s| s.kind) {
                    Some(SeedKind::Product) => {
                        format!(
                            "shoppers who liked the {} also liked this",
                            title(rec, seeds.map(|s| s.items[0].0).unwrap_or(j))
                        )
                    }
                    Some(SeedKind::Customer) => "chosen by customers with tastes like yours".to_string(),
                    _ => "chosen by shoppers who picked the same pieces".to_string(),
                };
                Reason { signal, detail, contribution }
            }
            Signal::Similar => {
                let Some(s) = seeds else { continue };
                let detail = match rec.content.top_attribute(&sig.profile, j) {
                    Some((kind, value)) => {
                        let seed = most_similar_seed(rec, s, j);
                        match (s.kind, kind) {
                            (SeedKind::Customer, Kind::Metal | Kind::Stone) => {
                                format!("matches your preference for {value}")
                            }
                            (SeedKind::Customer, Kind::Collection) => {
                                format!("from the {value} collection you like")
                            }
                            (SeedKind::Customer, Kind::Style) => format!("the {value} style you like"),
                            (_, Kind::Collection) => {
                                format!("same {value} collection as {}", with_seed(seeds, seed, rec))
                            }
                            (_, Kind::Metal) => {
                                format!("also in {value}, like {}", with_seed(seeds, seed, rec))
                            }
                            (_, Kind::Stone) => {
                                format!("also with {value}, like {}", with_seed(seeds, seed, rec))
                            }
                            _ => format!("similar to {}", with_seed(seeds, seed, rec)),
                        }
                    }
                    None => format!("similar to {}", with_seed(seeds, most_similar_seed(rec, s, j), rec)),
                };
                Reason { signal, detail, contribution }
            }
            Signal::CompleteTheSet => {
                let seed = sig.set_seed[ju];
                if seed == NONE {
                    continue;
                }
                let link = content::set_match(&rec.items.info[seed as usize], info)
                    .map(|m| m.1.phrase())
                    .unwrap_or_default();
                let detail = format!("completes the set: {link} as {}", with_seed(seeds, seed, rec));
                Reason { signal, detail, contribution }
            }
            Signal::Repeat => {
                let orders = user.and_then(|h| h.bought.iter().find(|e| e.0 == j)).map(|e| e.1).unwrap_or(0);
                if orders == 0 {
                    continue;
                }
                let times = if orders == 1 { "once".to_string() } else { format!("{orders} times") };
                Reason {
                    signal,
                    detail: format!("you have ordered this {times}; customers re-order it"),
                    contribution,
                }
            }
            Signal::Popular => {
                // No orders, no claim: a whisper of popularity breaks ties
                // but is not a reason.
                let Some(detail) = rec.trend.popular_detail(ju) else { continue };
                let detail = if cold { format!("popular with new customers: {detail}") } else { detail };
                Reason { signal, detail, contribution }
            }
            Signal::Trending => {
                let Some(detail) = rec.trend.trending_detail(ju) else { continue };
                Reason { signal, detail, contribution }
            }
            _ => continue,
        };
        why.push(reason);
    }
    if c.band {
        if let Some((lo, hi, cur)) = user.and_then(|h| h.band) {
            let detail = if (hi - lo).abs() < 1.0 {
                format!("around your usual {}", money(lo, cur))
            } else {
                format!("within your usual {} to {}", money(lo, cur), money(hi, cur))
            };
            why.push(Reason { signal: Signal::PriceBand, detail, contribution: c.score - c.score / 1.1 });
        }
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
}

fn most_similar_seed(rec: &Recommender, s: &Seeds, j: u32) -> u32 {
    s.items
        .iter()
        .filter(|e| e.0 != j)
        .take(200)
        .map(|&(h, w)| (h, w * rec.content.cosine(h, j)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|e| e.0)
        .unwrap_or(s.items[0].0)
}
