//! The retail calendar of a US jewelry brand: gifting holidays, engagement
//! and wedding seasons, Black Friday and Cyber Monday, and what each does to
//! traffic, conversion and the kind of piece shoppers look for.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// The `n`-th (1-based) `weekday` of a month.
pub fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    let offset = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
    first + Duration::days((offset + 7 * (n - 1)) as i64)
}

/// US Mother's Day: the second Sunday of May.
pub fn mothers_day(year: i32) -> NaiveDate {
    nth_weekday(year, 5, Weekday::Sun, 2)
}

/// US Father's Day: the third Sunday of June.
pub fn fathers_day(year: i32) -> NaiveDate {
    nth_weekday(year, 6, Weekday::Sun, 3)
}

/// US Thanksgiving: the fourth Thursday of November.
pub fn thanksgiving(year: i32) -> NaiveDate {
    nth_weekday(year, 11, Weekday::Thu, 4)
}

pub fn black_friday(year: i32) -> NaiveDate {
    thanksgiving(year) + Duration::days(1)
}

pub fn cyber_monday(year: i32) -> NaiveDate {
    thanksgiving(year) + Duration::days(4)
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// A reason to shop that the calendar brings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Occasion {
    Valentines,
    MothersDay,
    FathersDay,
    Graduation,
    BlackFriday,
    Christmas,
    EngagementSeason,
    WeddingSeason,
}

impl Occasion {
    pub fn as_str(self) -> &'static str {
        match self {
            Occasion::Valentines => "valentines",
            Occasion::MothersDay => "mothers_day",
            Occasion::FathersDay => "fathers_day",
            Occasion::Graduation => "graduation",
            Occasion::BlackFriday => "black_friday",
            Occasion::Christmas => "christmas",
            Occasion::EngagementSeason => "engagement_season",
            Occasion::WeddingSeason => "wedding_season",
        }
    }

    /// The day gifts must arrive by, when the occasion has one.
    pub fn deadline(self, date: NaiveDate) -> Option<NaiveDate> {
        let y = date.year();
        match self {
            Occasion::Valentines => Some(ymd(y, 2, 14)),
            Occasion::MothersDay => Some(mothers_day(y)),
            Occasion::FathersDay => Some(fathers_day(y)),
            Occasion::Christmas => Some(ymd(y, 12, 25)),
            Occasion::Graduation => Some(ymd(y, 6, 1)),
            _ => None,
        }
    }
}

/// What the calendar does on one day.
#[derive(Clone, Debug, PartialEq)]
pub struct DayInfo {
    pub date: NaiveDate,
    /// Multiplier on storefront sessions (1.0 is an ordinary weekday).
    pub traffic: f64,
    /// Multiplier on the chance a session buys.
    pub conversion: f64,
    /// Site-wide discount in force (0.2 = 20% off), e.g. Black Friday.
    pub discount: f64,
    /// Occasions in force, each with a strength in `(0, 1]` (how much of the
    /// gifting intent they explain on this day).
    pub occasions: Vec<(Occasion, f64)>,
}

/// Ramps from 0 (at `days_before` before `day`) to 1 (on `peak_end` days
/// before `day`), then stays until `day`.
fn ramp(date: NaiveDate, day: NaiveDate, days_before: i64, peak_end: i64) -> f64 {
    let until = (day - date).num_days();
    if until < 0 || until > days_before {
        return 0.0;
    }
    if until <= peak_end {
        return 1.0;
    }
    1.0 - (until - peak_end) as f64 / (days_before - peak_end) as f64
}

/// The calendar's effect on `date`. `growth_years` is the time since the
/// start of the simulation, for the brand's year-over-year growth.
pub fn day_info(date: NaiveDate, growth_years: f64) -> DayInfo {
    let y = date.year();
    let mut occasions = Vec::new();
    let mut traffic = match date.weekday() {
        Weekday::Mon => 1.05,
        Weekday::Tue => 1.0,
        Weekday::Wed => 0.98,
        Weekday::Thu => 0.97,
        Weekday::Fri => 0.92,
        Weekday::Sat => 0.88,
        Weekday::Sun => 1.08,
    };
    // A slow January and summer, a busy fourth quarter.
    traffic *= match date.month() {
        1 => 0.85,
        7 | 8 => 0.9,
        10 => 1.05,
        11 => 1.15,
        12 => 1.2,
        _ => 1.0,
    };
    traffic *= 1.0 + 0.22 * growth_years;
    let mut conversion = 1.0;
    let mut discount = 0.0;

    let v = ramp(date, ymd(y, 2, 14), 24, 4);
    if v > 0.0 {
        occasions.push((Occasion::Valentines, v));
        traffic *= 1.0 + 0.9 * v;
        conversion *= 1.0 + 0.35 * v;
    }
    let m = ramp(date, mothers_day(y), 21, 3);
    if m > 0.0 {
        occasions.push((Occasion::MothersDay, m));
        traffic *= 1.0 + 0.7 * m;
        conversion *= 1.0 + 0.3 * m;
    }
    let f = ramp(date, fathers_day(y), 14, 2);
    if f > 0.0 {
        occasions.push((Occasion::FathersDay, f * 0.6));
        traffic *= 1.0 + 0.15 * f;
    }
    if (ymd(y, 5, 1)..=ymd(y, 6, 15)).contains(&date) {
        occasions.push((Occasion::Graduation, 0.5));
        traffic *= 1.08;
    }
    let bf = black_friday(y);
    let cm = cyber_monday(y);
    if (bf..=cm).contains(&date) {
        occasions.push((Occasion::BlackFriday, 1.0));
        traffic *= if date == bf || date == cm { 2.6 } else { 1.9 };
        conversion *= 1.5;
        discount = 0.2;
    } else if (thanksgiving(y) - Duration::days(6)..bf).contains(&date) {
        traffic *= 1.3;
    }
    let c = ramp(date, ymd(y, 12, 24), 34, 6);
    if c > 0.0 {
        occasions.push((Occasion::Christmas, c));
        // Shipping cut-off: the last days before Christmas are busy with
        // anxious shoppers but convert less.
        let until = (ymd(y, 12, 24) - date).num_days();
        traffic *= 1.0 + 0.8 * c;
        conversion *= if until <= 3 { 0.8 } else { 1.0 + 0.3 * c };
    }
    if (ymd(y, 12, 26)..=ymd(y, 12, 31)).contains(&date) {
        traffic *= 0.85;
    }
    if date.month() == 12 || date.month() <= 2 {
        // Engagement season peaks around Christmas, New Year's Eve and Valentine's Day.
        occasions.push((Occasion::EngagementSeason, if date.month() == 12 { 1.0 } else { 0.7 }));
    }
    if (5..=10).contains(&date.month()) {
        occasions.push((Occasion::WeddingSeason, if (6..=9).contains(&date.month()) { 1.0 } else { 0.6 }));
    }
    DayInfo { date, traffic, conversion, discount, occasions }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(got: NaiveDate, expect: &str) {
        assert_eq!(got.to_string(), expect);
    }

    #[test]
    fn mothers_day_is_the_second_sunday_of_may() {
        check(mothers_day(2022), "2022-05-08");
        check(mothers_day(2023), "2023-05-14");
        check(mothers_day(2024), "2024-05-12");
        check(mothers_day(2025), "2025-05-11");
        check(mothers_day(2026), "2026-05-10");
        check(mothers_day(2027), "2027-05-09");
    }

    #[test]
    fn shopping_holidays() {
        check(thanksgiving(2023), "2023-11-23");
        check(black_friday(2024), "2024-11-29");
        check(cyber_monday(2025), "2025-12-01");
        check(fathers_day(2024), "2024-06-16");
    }

    #[test]
    fn traffic_peaks_before_gifting_days() {
        let ordinary = day_info(ymd(2024, 3, 12), 0.0).traffic;
        let valentines = day_info(ymd(2024, 2, 12), 0.0).traffic;
        let bf = day_info(black_friday(2024), 0.0);
        assert!(valentines > ordinary * 1.5, "{valentines} vs {ordinary}");
        assert!(bf.traffic > ordinary * 2.5);
        assert_eq!(bf.discount, 0.2);
        let after = day_info(ymd(2024, 2, 15), 0.0);
        assert!(!after.occasions.iter().any(|(o, _)| *o == Occasion::Valentines));
    }
}
