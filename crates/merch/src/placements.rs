//! Placement suggestions for a week: which collections deserve the
//! homepage hero, the email and the paid campaign, from data before that
//! week only (momentum, the season ahead as last year sold it, the stock to
//! support a push, margin), each with its evidence.

use crate::facts::Facts;

/// A collection as placements see it: its members.
#[derive(Clone, Debug, PartialEq)]
pub struct CollectionSales {
    pub key: String,
    pub name: String,
    pub members: Vec<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlacementSlot {
    Hero,
    Email,
    Paid,
}

impl PlacementSlot {
    pub fn as_str(self) -> &'static str {
        match self {
            PlacementSlot::Hero => "hero",
            PlacementSlot::Email => "email",
            PlacementSlot::Paid => "paid",
        }
    }
}

/// One collection scored for the week.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    pub key: String,
    pub name: String,
    /// `None` when the collection was not chosen for a slot.
    pub slot: Option<PlacementSlot>,
    pub score: f64,
    /// Units in the four weeks before the week.
    pub units_4w: i64,
    /// Those against the four weeks before them.
    pub momentum: f64,
    /// Units in the same four weeks a year earlier against that year's four-week average.
    pub season_lift: Option<f64>,
    pub on_hand: Option<i64>,
    pub cover_weeks: Option<f64>,
    pub margin_rate: Option<f64>,
    /// Too little stock (under [`MIN_COVER_WEEKS`]) to push.
    pub stock_short: bool,
    pub evidence: Vec<String>,
}

/// Units added to both four-week windows before comparing them.
const MOMENTUM_PRIOR: f64 = 5.0;

fn units_text(n: i64) -> String {
    if n == 1 {
        "1 unit".into()
    } else {
        format!("{n} units")
    }
}

/// Weeks of cover a collection needs for the hero or a paid campaign.
pub const MIN_COVER_WEEKS: f64 = 3.0;

#[derive(Clone, Debug, PartialEq)]
pub struct Placements {
    /// The week's first day (Unix day).
    pub week: i64,
    /// Every collection scored, best first; the chosen ones carry their slot.
    pub ranked: Vec<Placement>,
}

/// Scores `collections` for the week starting on `week` from the days before it.
pub fn suggest_placements(collections: &[CollectionSales], facts: &Facts, week: i64) -> Placements {
    let year = facts.first_day.is_some_and(|f| week - f >= 364 + 28);
    let mut ranked: Vec<Placement> = collections
        .iter()
        .filter(|c| !c.members.is_empty())
        .map(|c| {
            let units = |from: i64, to: i64| -> i64 {
                c.members.iter().filter_map(|id| facts.of(*id)).map(|f| f.units_between(from, to)).sum()
            };
            let recent = units(week - 28, week);
            let before = units(week - 56, week - 28);
            // Five units added to both sides: one sale against none is not a trend.
            let momentum = (recent as f64 + MOMENTUM_PRIOR) / (before as f64 + MOMENTUM_PRIOR);
            let season = year.then(|| {
                let ahead = units(week - 364, week - 336);
                let avg = units(week - 364, week) as f64 / 13.0;
                ((ahead as f64 + 1.0) / (avg + 1.0), ahead)
            });
            let (mut on_hand, mut known) = (0i64, false);
            let (mut rev, mut margin_rev) = (0.0, 0.0);
            for f in c.members.iter().filter_map(|id| facts.of(*id)) {
                if let Some(h) = f.on_hand {
                    on_hand += h.max(0);
                    known = true;
                }
                if let Some(m) = f.margin_rate {
                    rev += f.revenue;
                    margin_rev += m * f.revenue;
                }
            }
            let on_hand = known.then_some(on_hand);
            let weekly = recent as f64 / 4.0;
            let cover = on_hand.map(|h| if weekly > 0.0 { h as f64 / weekly } else { f64::INFINITY });
            let margin = (rev > 0.0).then(|| margin_rev / rev);
            let stock_short = cover.is_some_and(|c| c < MIN_COVER_WEEKS);

            let mut evidence = vec![format!(
                "{} in the four weeks before, against {before} in the four weeks before that ({momentum:.2}x with 5 added to each)",
                units_text(recent)
            )];
            match season {
                Some((lift, ahead)) => evidence.push(format!(
                    "a year ago these four weeks sold {}, {lift:.2}x its four-week average",
                    units_text(ahead)
                )),
                None => evidence.push("less than a year of sales: no season to read".into()),
            }
            match (on_hand, cover) {
                (Some(h), Some(c)) if c.is_finite() => {
                    evidence.push(format!("{} on hand, {c:.1} weeks at the recent rate", units_text(h)))
                }
                (Some(h), _) => evidence.push(format!("{} on hand, none sold in four weeks", units_text(h))),
                _ => evidence.push("stock unknown".into()),
            }
            match margin {
                Some(m) => evidence.push(format!("{:.0}% margin on its sales", 100.0 * m)),
                None => evidence.push("margin unknown (no unit costs)".into()),
            }
            let score = 0.5 * momentum.ln()
                + 0.8 * season.map(|s| s.0.ln()).unwrap_or(0.0)
                + 0.3 * margin.map(|m| m - 0.5).unwrap_or(0.0)
                + 0.3 * (1.0 + recent as f64).ln();
            Placement {
                key: c.key.clone(),
                name: c.name.clone(),
                slot: None,
                score,
                units_4w: recent,
                momentum,
                season_lift: season.map(|s| s.0),
                on_hand,
                cover_weeks: cover.filter(|c| c.is_finite()),
                margin_rate: margin,
                stock_short,
                evidence,
            }
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.key.cmp(&b.key)));

    let pushable = |p: &Placement| !p.stock_short && p.units_4w > 0;
    if let Some(p) = ranked.iter_mut().find(|p| pushable(p)) {
        p.slot = Some(PlacementSlot::Hero);
    }
    // Paid: the best margin among the next pushable ones (by score where margins are unknown).
    let mut paid: Vec<usize> =
        (0..ranked.len()).filter(|i| ranked[*i].slot.is_none() && pushable(&ranked[*i])).take(6).collect();
    paid.sort_by(|a, b| {
        let (x, y) = (&ranked[*a], &ranked[*b]);
        y.margin_rate
            .unwrap_or(0.0)
            .total_cmp(&x.margin_rate.unwrap_or(0.0))
            .then(y.score.total_cmp(&x.score))
    });
    for i in paid.into_iter().take(2) {
        ranked[i].slot = Some(PlacementSlot::Paid);
    }
    let mut email = 0;
    for p in ranked.iter_mut() {
        if email < 3 && p.slot.is_none() && p.units_4w > 0 {
            p.slot = Some(PlacementSlot::Email);
            email += 1;
        }
    }
    for p in ranked.iter_mut().filter(|p| p.stock_short) {
        p.evidence
            .push(format!("under {MIN_COVER_WEEKS:.0} weeks of cover: not for the hero or a paid campaign"));
    }
    Placements { week, ranked }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::ProductFacts;

    #[test]
    fn the_rising_collection_with_stock_gets_the_hero_and_a_short_one_does_not() {
        let week = 20_000;
        let mut facts = Facts { as_of_day: week, first_day: Some(week - 100), ..Default::default() };
        let sales = |recent: i64, before: i64| -> ProductFacts {
            let mut f = ProductFacts::default();
            f.daily_units.insert(week - 10, recent);
            f.daily_units.insert(week - 40, before);
            f
        };
        let mut rising = sales(40, 10);
        rising.on_hand = Some(500);
        let mut short = sales(80, 10);
        short.on_hand = Some(5);
        let mut flat = sales(10, 10);
        flat.on_hand = Some(100);
        // Sold after the week starts: must not count.
        flat.daily_units.insert(week + 2, 1000);
        facts.products.insert(1, rising);
        facts.products.insert(2, short);
        facts.products.insert(3, flat);
        let cs: Vec<CollectionSales> = [("rising", 1), ("short", 2), ("flat", 3)]
            .iter()
            .map(|(k, id)| CollectionSales { key: k.to_string(), name: k.to_string(), members: vec![*id] })
            .collect();
        let p = suggest_placements(&cs, &facts, week);
        let hero = p.ranked.iter().find(|p| p.slot == Some(PlacementSlot::Hero)).unwrap();
        assert_eq!(hero.key, "rising");
        let short = p.ranked.iter().find(|p| p.key == "short").unwrap();
        assert!(
            short.stock_short
                && short.slot != Some(PlacementSlot::Hero)
                && short.slot != Some(PlacementSlot::Paid)
        );
        assert!(short.evidence.last().unwrap().contains("not for the hero"));
        let flat = p.ranked.iter().find(|p| p.key == "flat").unwrap();
        assert_eq!(flat.units_4w, 10, "sales inside the week are not read");
        assert_eq!(flat.evidence[1], "less than a year of sales: no season to read");
    }
}
