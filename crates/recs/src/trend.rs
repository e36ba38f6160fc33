//! Popularity, growth and the seasonal calendar.
//!
//! Popularity is order lines decayed with a 30-day half-life. Trend blends
//! growth (the last 30 days against the 90 before), what sold in the same
//! weeks a year earlier, and the calendar: in the weeks before Valentine's
//! Day, Mother's Day, the winter ring season and Q4 gifting, pieces whose
//! attributes or title words fit the season get a lift.

use chrono::{DateTime, Datelike};
use model::Category;

use crate::items::Items;
use crate::profile::Interactions;

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
            Season::Rings => &["diamond", "solitaire", "halo", "eternity"],
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
            Season::Rings => &[Category::EngagementRing, Category::WeddingBand],
            Season::Holidays => {
                &[Category::Earrings, Category::Bracelet, Category::Necklace, Category::Charm]
            }
        }
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

pub(crate) struct Trend {
    /// Popularity in [0, 1].
    pub pop: Vec<f32>,
    /// Trend (growth, last year's season, calendar) in [0, 1].
    pub trend: Vec<f32>,
    pub last30: Vec<f32>,
    pub before: Vec<f32>,
    pub last_year: Vec<f32>,
    pub orders: Vec<u32>,
    /// The season an item fits now, if any.
    pub season: Vec<Option<Season>>,
}

impl Trend {
    /// Why item `j` fits `season`, with the evidence that sets it apart from
    /// the other seasonal pieces (a row of cards that all say "a holiday
    /// gifting favourite" tells the shopper nothing).
    pub fn season_detail(&self, season: Season, j: usize) -> String {
        let evidence = if self.last_year[j] >= 1.0 {
            format!("{} orders in these weeks last year", self.last_year[j].round() as u64)
        } else if self.last30[j] >= 1.0 {
            format!("bought {} times in the last 30 days", self.last30[j].round() as u64)
        } else {
            return season.phrase().to_string();
        };
        format!("{}: {evidence}", season.phrase())
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
    let mut season = vec![None; n];
    let mut trend = vec![0f32; n];
    for (i, it) in items.info.iter().enumerate() {
        let title = it.title.to_lowercase();
        let words: Vec<&str> = title.split(|c: char| !c.is_alphanumeric()).collect();
        for &s in &seasons {
            let hit = s.words().iter().any(|w| words.contains(w) || it.stones.iter().any(|x| x == w))
                || it.collection.as_deref().is_some_and(|c| s.words().contains(&c))
                || it.category.is_some_and(|c| s.categories().contains(&c));
            if hit {
                season[i] = Some(s);
                break;
            }
        }
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
        let trend = Trend {
            pop: vec![0.0; 3],
            trend: vec![0.0; 3],
            last30: vec![0.0, 4.0, 0.0],
            before: vec![0.0; 3],
            last_year: vec![12.0, 0.0, 0.0],
            orders: vec![0; 3],
            season: vec![Some(Season::Holidays); 3],
        };
        let h = Season::Holidays;
        assert_eq!(
            trend.season_detail(h, 0),
            "a holiday gifting favourite: 12 orders in these weeks last year"
        );
        assert_eq!(
            trend.season_detail(h, 1),
            "a holiday gifting favourite: bought 4 times in the last 30 days"
        );
        assert_eq!(trend.season_detail(h, 2), "a holiday gifting favourite");
    }
}
