//! Popularity, growth and the seasonal calendar, and the words for them.
//!
//! Popularity is order lines decayed with a 30-day half-life. Trend blends
//! growth (the last 30 days against the 90 before), what sold in the same
//! weeks a year earlier, and the calendar: in the weeks before Valentine's
//! Day, Mother's Day, the winter ring season and Q4 gifting, pieces that fit
//! the season (the ring season: rings, engagement rings and wedding bands;
//! the others: their categories, title words, stones or collection) get a
//! lift, but only when their own category's orders in these weeks last year
//! ran above its usual rate. A season is a claim about demand, so it needs
//! that data: without orders nothing trends and no reason speaks of sales.

use std::collections::HashMap;

use chrono::{DateTime, Datelike};
use model::Category;

use crate::items::{ItemInfo, Items};
use crate::profile::{Interactions, LAST_YEAR, USUAL};

/// A category needs at least this many orders in these weeks last year...
const MIN_SEASON_ORDERS: f32 = 3.0;
/// ...and this many times its usual rate for as many days, to be in season.
const MIN_SEASON_LIFT: f32 = 1.2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Season {
    Valentines,
    MothersDay,
    Rings,
    Holidays,
}

impl Season {
    pub fn phrase(self) -> &'static str {
        match self {
            Season::Valentines => "a favourite in the weeks before Valentine's Day",
            Season::MothersDay => "a favourite in the weeks before Mother's Day",
            Season::Rings => "in demand in the December to February ring season",
            Season::Holidays => "a holiday gifting favourite",
        }
    }

    fn words(self) -> &'static [&'static str] {
        match self {
            Season::Valentines => {
                &["heart", "hearts", "love", "valentine", "ruby", "garnet", "rose", "red", "cupid", "kiss"]
            }
            Season::MothersDay => &[
                "pearl",
                "birthstone",
                "mom",
                "mum",
                "mother",
                "initial",
                "personalized",
                "family",
                "flower",
            ],
            // The ring season is about rings: a diamond bracelet is not in it.
            Season::Rings => &[],
            Season::Holidays => &[
                "christmas",
                "xmas",
                "gift",
                "star",
                "snow",
                "snowflake",
                "advent",
                "santa",
                "bell",
                "candle",
                "holiday",
            ],
        }
    }

    fn categories(self) -> &'static [Category] {
        match self {
            Season::Valentines => &[Category::Necklace, Category::Pendant, Category::Earrings],
            Season::MothersDay => {
                &[Category::Necklace, Category::Pendant, Category::Earrings, Category::Bracelet]
            }
            Season::Rings => &[Category::Ring, Category::EngagementRing, Category::WeddingBand],
            Season::Holidays => {
                &[Category::Earrings, Category::Bracelet, Category::Necklace, Category::Charm]
            }
        }
    }

    /// Whether an item's attributes fit the season. A piece without a
    /// category fits none: the season's evidence is its category's orders.
    fn fits(self, it: &ItemInfo) -> bool {
        let Some(category) = it.category else { return false };
        if self.categories().contains(&category) {
            return true;
        }
        let title = it.title.to_lowercase();
        let words: Vec<&str> = title.split(|c: char| !c.is_alphanumeric()).collect();
        self.words().iter().any(|w| words.contains(w) || it.stones.iter().any(|x| x == w))
            || it.collection.as_deref().is_some_and(|c| self.words().contains(&c))
    }
}

/// The seasons whose run-up `now` (Unix seconds) falls in.
pub(crate) fn seasons_at(now: i64) -> Vec<Season> {
    let Some(d) = DateTime::from_timestamp(now, 0) else { return Vec::new() };
    let md = d.month() * 100 + d.day();
    let mut out = Vec::new();
    if (120..=214).contains(&md) {
        out.push(Season::Valentines);
    }
    if (415..=512).contains(&md) {
        out.push(Season::MothersDay);
    }
    if md >= 1201 || md <= 214 {
        out.push(Season::Rings);
    }
    if (1101..=1224).contains(&md) {
        out.push(Season::Holidays);
    }
    out
}

/// What puts a category in season now: its orders in these weeks last year
/// against its usual rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SeasonEvidence {
    /// Orders of the category's pieces in these weeks last year.
    pub orders: u32,
    /// Those orders over the category's usual orders for as many days (its
    /// rate over the year before the last 30 days).
    pub lift: f32,
}

/// The categories whose orders in these weeks last year ran above their
/// usual rate. Empty when the history does not reach back that far.
pub(crate) fn season_evidence(items: &Items, inter: &Interactions) -> HashMap<Category, SeasonEvidence> {
    let mut out = HashMap::new();
    if inter.history_days < *LAST_YEAR.end() {
        return out;
    }
    let mut per: HashMap<Category, (f32, f32)> = HashMap::new();
    for (i, it) in items.info.iter().enumerate() {
        if let Some(c) = it.category {
            let e = per.entry(c).or_default();
            e.0 += inter.last_year[i];
            e.1 += inter.usual[i];
        }
    }
    let days = |r: &std::ops::RangeInclusive<f32>| r.end() - r.start();
    for (c, (window, usual)) in per {
        let expected = usual * days(&LAST_YEAR) / days(&USUAL);
        if window < MIN_SEASON_ORDERS || expected <= 0.0 {
            continue;
        }
        let lift = window / expected;
        if lift >= MIN_SEASON_LIFT {
            out.insert(c, SeasonEvidence { orders: window.round() as u32, lift });
        }
    }
    out
}

/// "rings", "pairs of earrings": a category in a sentence about its orders.
fn plural(c: Category) -> &'static str {
    match c {
        Category::Ring => "rings",
        Category::EngagementRing => "engagement rings",
        Category::WeddingBand => "wedding bands",
        Category::Necklace => "necklaces",
        Category::Pendant => "pendants",
        Category::Chain => "chains",
        Category::Earrings => "earrings",
        Category::Bracelet => "bracelets",
        Category::Anklet => "anklets",
        Category::Brooch => "brooches",
        Category::Cufflinks => "cufflinks",
        Category::Charm => "charms",
        Category::Cross => "crosses",
        Category::Watch => "watches",
        Category::Set => "jewelry sets",
        Category::Other => "other pieces",
    }
}

/// An item in season now, with its category's evidence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct InSeason {
    pub season: Season,
    pub category: Category,
    pub evidence: SeasonEvidence,
}

pub(crate) struct Trend {
    /// Popularity in [0, 1].
    pub pop: Vec<f32>,
    /// Trend (growth, last year's season, calendar) in [0, 1].
    pub trend: Vec<f32>,
    /// Orders in the last 30 days.
    pub last30: Vec<f32>,
    /// Orders per 30 days over the 90 days before that.
    pub before: Vec<f32>,
    /// Orders in these weeks last year.
    pub last_year: Vec<f32>,
    /// Distinct orders ever.
    pub orders: Vec<u32>,
    /// The season running now that an item's attributes fit, if any (the
    /// gift finder's occasions), whatever the data says.
    pub fit: Vec<Option<Season>>,
    /// The season an item is in now: it fits it and its category's orders
    /// show it.
    pub season: Vec<Option<InSeason>>,
}

impl Trend {
    /// Why item `j` is in season, if it is, with the evidence that sets it
    /// apart from the other seasonal pieces (a row of cards that all say "a
    /// holiday gifting favourite" tells the shopper nothing): its own orders
    /// when it has some, else its category's.
    pub fn season_detail(&self, j: usize) -> Option<String> {
        let s = self.season[j]?;
        let evidence = if self.last_year[j] >= 1.0 {
            format!("{} in these weeks last year", orders(self.last_year[j]))
        } else if self.last30[j] >= 1.0 {
            format!("bought {} in the last 30 days", times(self.last30[j]))
        } else {
            format!(
                "{} had {} in these weeks last year, {:.1} times their usual rate",
                plural(s.category),
                orders(s.evidence.orders as f32),
                s.evidence.lift
            )
        };
        Some(format!("{}: {evidence}", s.season.phrase()))
    }

    /// Why item `j` trends, in the numbers it trends on; `None` when no
    /// order backs it.
    pub fn trending_detail(&self, j: usize) -> Option<String> {
        if let Some(d) = self.season_detail(j) {
            return Some(d);
        }
        let (now, before) = (self.last30[j], self.before[j]);
        if now > before * 1.2 && now >= 3.0 {
            // `before` is a monthly rate over 90 days: quote the count and
            // the rate, both as the data has them.
            let earlier = (before * 3.0).round();
            return Some(if earlier >= 1.0 {
                format!(
                    "trending: {} in the last 30 days, up from {earlier} in the 90 days before ({:.1} a month)",
                    orders(now),
                    earlier / 3.0
                )
            } else {
                format!("trending: {} in the last 30 days, none in the 90 days before", orders(now))
            });
        }
        if self.last_year[j] >= 1.0 {
            return Some(format!("{} in these weeks last year", orders(self.last_year[j])));
        }
        if now >= 1.0 {
            return Some(format!("{} in the last 30 days", orders(now)));
        }
        None
    }

    /// How popular item `j` is, in orders; `None` without orders.
    pub fn popular_detail(&self, j: usize) -> Option<String> {
        if self.last30[j] >= 1.0 {
            Some(format!("bought {} in the last 30 days", times(self.last30[j])))
        } else if self.orders[j] > 0 {
            Some(format!("one of the most ordered pieces ({})", orders(self.orders[j] as f32)))
        } else {
            None
        }
    }
}

/// "1 order", "12 orders".
pub(crate) fn orders(n: f32) -> String {
    let n = n.round() as u64;
    if n == 1 {
        "1 order".to_string()
    } else {
        format!("{n} orders")
    }
}

/// "once", "4 times".
pub(crate) fn times(n: f32) -> String {
    match n.round() as u64 {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

fn normalize(v: &mut [f32]) {
    let max = v.iter().copied().fold(0.0, f32::max);
    if max > 0.0 {
        for x in v {
            *x /= max;
        }
    }
}

pub(crate) fn build(items: &Items, inter: &Interactions, now: i64) -> Trend {
    let n = items.len();
    let mut pop = inter.pop.clone();
    normalize(&mut pop);
    let mut growth = vec![0f32; n];
    let mut yearly = vec![0f32; n];
    for i in 0..n {
        let g = (inter.last30[i] + 1.0) / (inter.before[i] + 1.0);
        growth[i] = (1.0 + inter.last30[i]).ln() * g.ln().max(0.0);
        yearly[i] = (1.0 + inter.last_year[i]).ln();
    }
    normalize(&mut growth);
    normalize(&mut yearly);
    let seasons = seasons_at(now);
    let evidence = season_evidence(items, inter);
    let mut fit = vec![None; n];
    let mut season = vec![None; n];
    let mut trend = vec![0f32; n];
    for (i, it) in items.info.iter().enumerate() {
        fit[i] = seasons.iter().copied().find(|s| s.fits(it));
        season[i] = fit[i].and_then(|s| {
            let category = it.category?;
            evidence.get(&category).map(|&evidence| InSeason { season: s, category, evidence })
        });
        let calendar = if season[i].is_some() { 0.5 + pop[i] } else { 0.0 };
        trend[i] = 0.5 * growth[i] + 0.3 * yearly[i] + 0.2 * calendar.min(1.0);
    }
    normalize(&mut trend);
    Trend {
        pop,
        trend,
        last30: inter.last30.clone(),
        before: inter.before.clone(),
        last_year: inter.last_year.clone(),
        orders: inter.orders.clone(),
        fit,
        season,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str) -> i64 {
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp()
    }

    #[test]
    fn calendar() {
        assert_eq!(seasons_at(at("2026-02-05")), [Season::Valentines, Season::Rings]);
        assert_eq!(seasons_at(at("2026-05-01")), [Season::MothersDay]);
        assert_eq!(seasons_at(at("2026-12-10")), [Season::Rings, Season::Holidays]);
        assert!(seasons_at(at("2026-07-10")).is_empty());
    }

    #[test]
    fn seasonal_reasons_carry_their_own_evidence() {
        let holidays = InSeason {
            season: Season::Holidays,
            category: Category::Earrings,
            evidence: SeasonEvidence { orders: 40, lift: 1.84 },
        };
        let trend = Trend {
            pop: vec![0.0; 4],
            trend: vec![0.0; 4],
            last30: vec![0.0, 4.0, 0.0, 0.0],
            before: vec![0.0; 4],
            last_year: vec![12.0, 0.0, 0.0, 0.0],
            orders: vec![0; 4],
            fit: vec![Some(Season::Holidays); 4],
            season: vec![Some(holidays), Some(holidays), Some(holidays), None],
        };
        assert_eq!(
            trend.season_detail(0).unwrap(),
            "a holiday gifting favourite: 12 orders in these weeks last year"
        );
        assert_eq!(
            trend.season_detail(1).unwrap(),
            "a holiday gifting favourite: bought 4 times in the last 30 days"
        );
        // A piece with no orders of its own speaks of its category's, the
        // evidence that put it in season (it used to say the bare phrase).
        assert_eq!(
            trend.season_detail(2).unwrap(),
            "a holiday gifting favourite: earrings had 40 orders in these weeks last year, 1.8 times their \
             usual rate"
        );
        // Fitting a season is not being in it.
        assert_eq!(trend.season_detail(3), None);
        assert_eq!(trend.trending_detail(3), None);
        assert_eq!(trend.popular_detail(3), None);
    }

    #[test]
    fn the_ring_season_is_for_rings() {
        let item = |category, title: &str, stones: &[&str]| ItemInfo {
            id: 1,
            handle: "h".into(),
            title: title.into(),
            skus: vec![],
            purchasable: true,
            price: None,
            currency: None,
            category: Some(category),
            gender: None,
            collection: None,
            metals: vec![],
            stones: stones.iter().map(|s| s.to_string()).collect(),
            styles: vec![],
            repeatable: false,
        };
        assert!(Season::Rings.fits(&item(Category::Ring, "Trinity Ring", &[])));
        assert!(Season::Rings.fits(&item(Category::EngagementRing, "Solitaire", &["diamond"])));
        assert!(Season::Rings.fits(&item(Category::WeddingBand, "Band", &[])));
        assert!(!Season::Rings.fits(&item(
            Category::Bracelet,
            "Diamond Eternity Tennis Bracelet",
            &["diamond"]
        )));
        assert!(!Season::Rings.fits(&item(Category::Earrings, "Halo Solitaire Studs", &["diamond"])));
    }
}
