//! The retail calendar and the pooled calendar-effects model.
//!
//! Moving holidays are computed per year (Easter, US Mother's Day, Black
//! Friday, Cyber Monday), fixed ones are dates (Valentine's, Christmas), and
//! engagement season is a span. [`CalendarEffects::learn`] estimates one
//! multiplicative lift per event and a day-of-week profile from the sum of all
//! series (pooling is what lets a SKU with a short history still get its
//! Valentine's lift), and [`CalendarEffects::index`] turns them into a
//! per-period index that the models divide out of history and multiply back
//! into the forecast.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::Freq;

/// Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm.
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, month as u32, day as u32)
}

/// US Mother's Day: the second Sunday of May.
pub fn mothers_day_us(year: i32) -> NaiveDate {
    nth_weekday(year, 5, Weekday::Sun, 2)
}

/// Black Friday: the day after US Thanksgiving (the fourth Thursday of November).
pub fn black_friday(year: i32) -> NaiveDate {
    nth_weekday(year, 11, Weekday::Thu, 4) + Duration::days(1)
}

/// Cyber Monday: the Monday after Black Friday.
pub fn cyber_monday(year: i32) -> NaiveDate {
    black_friday(year) + Duration::days(3)
}

/// The Monday starting the week that contains `d` (weeks start on Monday).
pub fn week_start(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// The first whole period after the last day of history: the next day, or
/// the Monday after (a history ending on a Sunday completes its week).
pub fn first_forecast_period(last_day: NaiveDate, freq: Freq) -> NaiveDate {
    match freq {
        Freq::Day => last_day + Duration::days(1),
        Freq::Week => week_start(last_day) + Duration::days(7),
    }
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    // Only called with dates computed to be valid.
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn nth_weekday(year: i32, month: u32, wd: Weekday, n: u32) -> NaiveDate {
    let first = ymd(year, month, 1);
    let offset = (7 + wd.num_days_from_monday() as i64 - first.weekday().num_days_from_monday() as i64) % 7;
    first + Duration::days(offset + 7 * (n as i64 - 1))
}

/// The events whose lift is learned across series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    Valentines,
    Easter,
    MothersDay,
    BlackFriday,
    CyberMonday,
    Christmas,
    ChristmasLull,
    EngagementSeason,
}

impl Event {
    pub const ALL: [Event; 8] = [
        Event::Valentines,
        Event::Easter,
        Event::MothersDay,
        Event::BlackFriday,
        Event::CyberMonday,
        Event::Christmas,
        Event::ChristmasLull,
        Event::EngagementSeason,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::Valentines => "valentines",
            Event::Easter => "easter",
            Event::MothersDay => "mothers_day",
            Event::BlackFriday => "black_friday",
            Event::CyberMonday => "cyber_monday",
            Event::Christmas => "christmas",
            Event::ChristmasLull => "christmas_lull",
            Event::EngagementSeason => "engagement_season",
        }
    }

    /// The shopping window (inclusive) attributed to the event in `year`:
    /// gifts are bought in the days before the day itself.
    pub fn window(self, year: i32) -> (NaiveDate, NaiveDate) {
        let d = |x: NaiveDate, a: i64, b: i64| (x + Duration::days(a), x + Duration::days(b));
        match self {
            Event::Valentines => (ymd(year, 2, 1), ymd(year, 2, 14)),
            Event::Easter => d(easter(year), -10, -1),
            Event::MothersDay => d(mothers_day_us(year), -14, -1),
            Event::BlackFriday => d(black_friday(year), 0, 2),
            Event::CyberMonday => d(cyber_monday(year), 0, 0),
            Event::Christmas => (ymd(year, 12, 3), ymd(year, 12, 21)),
            Event::ChristmasLull => (ymd(year, 12, 24), ymd(year + 1, 1, 1)),
            Event::EngagementSeason => (ymd(year, 1, 2), ymd(year, 1, 31)),
        }
    }

    /// The event active on `day`, if any. Windows do not overlap, so there is
    /// at most one.
    pub fn on(day: NaiveDate) -> Option<Event> {
        let y = day.year();
        Event::ALL.into_iter().find(|e| {
            [y - 1, y].into_iter().any(|yy| {
                let (a, b) = e.window(yy);
                a <= day && day <= b
            })
        })
    }
}

/// Lifts learned across all series: a day-of-week profile (mean 1) and one
/// multiplicative lift per event, each with the number of years it was
/// seen in.
#[derive(Clone, Debug)]
pub struct CalendarEffects {
    /// Monday first; mean 1.
    pub dow: [f64; 7],
    /// Lift per event (1.0 when never observed), and the years observed.
    pub lifts: Vec<(Event, f64, u32)>,
}

impl Default for CalendarEffects {
    fn default() -> Self {
        CalendarEffects { dow: [1.0; 7], lifts: Event::ALL.iter().map(|&e| (e, 1.0, 0)).collect() }
    }
}

impl CalendarEffects {
    /// Learns the effects from an aggregate daily series starting on `start`
    /// (the sum of all variants' units; censored days already left out by
    /// the caller as best it can).
    pub fn learn(daily: &[f64], start: NaiveDate) -> CalendarEffects {
        let mut out = CalendarEffects::default();
        let n = daily.len();
        if n < 28 {
            return out;
        }
        let day = |i: usize| start + Duration::days(i as i64);
        let event_of: Vec<Option<Event>> = (0..n).map(|i| Event::on(day(i))).collect();

        // Day of week from the last year, on days outside any event window.
        let from = n.saturating_sub(371);
        let mut sum = [0.0; 7];
        let mut cnt = [0.0; 7];
        for i in from..n {
            if event_of[i].is_none() {
                let w = day(i).weekday().num_days_from_monday() as usize;
                sum[w] += daily[i];
                cnt[w] += 1.0;
            }
        }
        let means: Vec<f64> = (0..7).map(|w| if cnt[w] > 0.0 { sum[w] / cnt[w] } else { 0.0 }).collect();
        let overall = means.iter().sum::<f64>() / 7.0;
        if overall > 0.0 && cnt.iter().all(|&c| c >= 2.0) {
            for w in 0..7 {
                out.dow[w] = means[w] / overall;
            }
        }
        let dow = out.dow;
        let adj = |i: usize| {
            let f = dow[day(i).weekday().num_days_from_monday() as usize];
            if f > 0.05 {
                Some(daily[i] / f)
            } else {
                None
            }
        };

        // Each event: mean of the window against a local baseline of the
        // surrounding weeks outside any event window, averaged over years.
        let (y0, y1) = (start.year() - 1, day(n - 1).year());
        for slot in out.lifts.iter_mut() {
            let ev = slot.0;
            let mut ratios = Vec::new();
            for y in y0..=y1 {
                let (a, b) = ev.window(y);
                let ia = (a - start).num_days();
                let ib = (b - start).num_days();
                if ia < 0 || ib >= n as i64 {
                    continue;
                }
                let (ia, ib) = (ia as usize, ib as usize);
                let (mut ws, mut wc) = (0.0, 0.0);
                for i in ia..=ib {
                    if let Some(v) = adj(i) {
                        ws += v;
                        wc += 1.0;
                    }
                }
                let (mut bs, mut bc) = (0.0, 0.0);
                let lo = ia.saturating_sub(63);
                let hi = (ib + 63).min(n - 1);
                for i in (lo..ia.saturating_sub(7)).chain((ib + 8).min(n)..=hi) {
                    if event_of[i].is_none() {
                        if let Some(v) = adj(i) {
                            bs += v;
                            bc += 1.0;
                        }
                    }
                }
                if wc >= 1.0 && bc >= 14.0 && bs > 0.0 {
                    ratios.push((ws / wc) / (bs / bc));
                }
            }
            if !ratios.is_empty() {
                let k = ratios.len() as f64;
                let r = ratios.iter().sum::<f64>() / k;
                // Shrink towards no effect when seen in one year only.
                let shrunk = 1.0 + (r - 1.0) * k / (k + 0.5);
                *slot = (ev, shrunk.clamp(0.2, 5.0), ratios.len() as u32);
            }
        }
        out
    }

    pub fn lift(&self, ev: Event) -> f64 {
        self.lifts.iter().find(|l| l.0 == ev).map_or(1.0, |l| l.1)
    }

    /// Multiplicative index of one day.
    pub fn day_index(&self, d: NaiveDate) -> f64 {
        let w = self.dow[d.weekday().num_days_from_monday() as usize];
        w * Event::on(d).map_or(1.0, |e| self.lift(e))
    }

    /// Index of `len` consecutive periods starting at `first` (a Monday for
    /// weeks): the mean daily index over the period's days.
    pub fn index(&self, first: NaiveDate, len: usize, freq: Freq) -> Vec<f64> {
        let days = freq.days();
        (0..len)
            .map(|p| {
                let s = first + Duration::days((p * days) as i64);
                (0..days).map(|k| self.day_index(s + Duration::days(k as i64))).sum::<f64>() / days as f64
            })
            .map(|x| if x.is_finite() && x > 0.02 { x } else { 0.02 })
            .collect()
    }

    /// The events whose window overlaps `[from, to]` with their lifts, for
    /// the `why` of a forecast.
    pub fn events_between(&self, from: NaiveDate, to: NaiveDate) -> Vec<(Event, f64, u32)> {
        let mut out = Vec::new();
        for &(ev, lift, years) in &self.lifts {
            let hit = (from.year() - 1..=to.year()).any(|y| {
                let (a, b) = ev.window(y);
                a <= to && b >= from
            });
            if hit && years > 0 && (lift - 1.0).abs() >= 0.02 {
                out.push((ev, lift, years));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[track_caller]
    fn check(got: NaiveDate, expect: &str) {
        assert_eq!(got, d(expect));
    }

    #[test]
    fn moving_holidays_per_year() {
        check(easter(2010), "2010-04-04");
        check(easter(2011), "2011-04-24");
        check(easter(2019), "2019-04-21");
        check(easter(2024), "2024-03-31");
        check(easter(2025), "2025-04-20");
        check(easter(2026), "2026-04-05");
        check(mothers_day_us(2011), "2011-05-08");
        check(mothers_day_us(2024), "2024-05-12");
        check(mothers_day_us(2025), "2025-05-11");
        check(mothers_day_us(2026), "2026-05-10");
        check(black_friday(2010), "2010-11-26");
        check(black_friday(2011), "2011-11-25");
        check(black_friday(2024), "2024-11-29");
        check(black_friday(2025), "2025-11-28");
        check(cyber_monday(2024), "2024-12-02");
        check(cyber_monday(2025), "2025-12-01");
    }

    #[test]
    fn weeks_start_on_monday() {
        check(week_start(d("2011-09-30")), "2011-09-26");
        check(week_start(d("2011-10-03")), "2011-10-03");
        check(week_start(d("2011-10-09")), "2011-10-03");
        // History ending on a Friday: the next Monday.
        check(first_forecast_period(d("2011-09-30"), Freq::Week), "2011-10-03");
        // History ending on a Sunday completes its week: the next day.
        check(first_forecast_period(d("2011-10-02"), Freq::Week), "2011-10-03");
        // History ending on a Monday: the Monday after.
        check(first_forecast_period(d("2011-10-03"), Freq::Week), "2011-10-10");
        check(first_forecast_period(d("2011-09-30"), Freq::Day), "2011-10-01");
    }

    #[test]
    fn event_windows_do_not_overlap() {
        for y in 2009..2030 {
            let mut day = d(&format!("{y}-01-01"));
            while day.year() == y {
                let hits: Vec<Event> = Event::ALL
                    .into_iter()
                    .filter(|e| {
                        [y - 1, y].into_iter().any(|yy| {
                            let (a, b) = e.window(yy);
                            a <= day && day <= b
                        })
                    })
                    .collect();
                assert!(hits.len() <= 1, "{day}: {hits:?}");
                day += Duration::days(1);
            }
        }
    }

    #[test]
    fn learns_a_planted_valentines_lift_and_weekday_profile() {
        let start = d("2021-01-04");
        let n = 3 * 365;
        let daily: Vec<f64> = (0..n)
            .map(|i| {
                let day = start + Duration::days(i);
                let base = if day.weekday() == Weekday::Sat { 200.0 } else { 100.0 };
                let lift = if Event::on(day) == Some(Event::Valentines) { 2.0 } else { 1.0 };
                base * lift
            })
            .collect();
        let eff = CalendarEffects::learn(&daily, start);
        let v = eff.lift(Event::Valentines);
        assert!((1.6..2.1).contains(&v), "valentines lift {v}");
        assert!((eff.lift(Event::Easter) - 1.0).abs() < 0.05);
        assert!(eff.dow[5] > 1.6 * eff.dow[0], "{:?}", eff.dow);
        // The index of a future February week carries the lift.
        let idx = eff.index(d("2024-02-05"), 2, Freq::Week);
        assert!(idx[0] > 1.5 * eff.index(d("2024-03-04"), 1, Freq::Week)[0]);
    }
}
