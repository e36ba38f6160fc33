//! What a shopper wants and what they make of a product: the session's intent
//! (category, budget, metal, stone, recipient, drawn from the customer, the
//! day's occasions and the reason for the visit), the candidates they see,
//! how much each appeals, and which variant they pick.

use std::collections::HashMap;

use model::{Category, Gender};
use rand::Rng;

use crate::calendar::{DayInfo, Occasion};
use crate::catalog::{MetalKind, SimProduct, SizeSpec, Style};
use crate::customers::{Customer, LifeEventKind};
use crate::queries::Intent;
use crate::rng::{chance, lognormal, pick, weighted, SimRng};

use super::plan::{Reason, SessionPlan};

/// Per-product facts the hot loop needs, computed once.
pub(super) struct Facts {
    pub min_price: f64,
    pub investment: bool,
    /// Bit `metal_bit(kind, color)` set for every metal a variant comes in.
    pub metals: u32,
    pub collection: Option<u16>,
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

pub(super) fn facts(products: &[SimProduct], collections: &HashMap<String, u16>) -> Vec<Facts> {
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

pub(super) fn in_group(wanted: Category, got: Category) -> bool {
    use Category::*;
    wanted == got
        || matches!(
            (wanted, got),
            (Necklace, Pendant) | (Pendant, Necklace) | (Ring, WeddingBand) | (Ring, EngagementRing)
        )
}

pub(super) fn candidates(
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

pub(super) fn price_fit(price: f64, budget: f64) -> f64 {
    if price <= budget {
        // Much cheaper than the budget is a little less appealing.
        (0.6 + 0.4 * (price / budget).sqrt()).min(1.0)
    } else {
        (-3.0 * (price / budget - 1.0)).exp()
    }
}

/// How much `p` appeals to a shopper with `intent` (an unnormalized weight).
pub(super) fn appeal(
    p: &SimProduct,
    f: &Facts,
    intent: &Intent,
    c: &Customer,
    day: u32,
    discount: f64,
) -> f64 {
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

pub(super) fn choose_variant(
    rng: &mut SimRng,
    p: &SimProduct,
    intent: &Intent,
    c: &Customer,
    gift: bool,
) -> u16 {
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

pub(super) fn make_intent(
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
