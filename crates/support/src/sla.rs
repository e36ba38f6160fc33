//! Service-level clocks in the brand's business hours: a first response
//! within so many working hours, a resolution within so many more. Hours
//! are the brand's local time, given as a fixed offset from UTC (no daylight
//! saving: a brand that observes it moves the offset twice a year), on the
//! weekdays it works, less its holidays.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc, Weekday};

#[derive(Clone, Debug)]
pub struct Hours {
    /// Minutes east of UTC (New York in winter: -300).
    pub utc_offset_minutes: i32,
    /// Opening and closing, local minutes after midnight.
    pub open_minute: u32,
    pub close_minute: u32,
    pub weekdays: Vec<Weekday>,
    pub holidays: Vec<NaiveDate>,
    /// Working hours to a first response and to a resolution.
    pub first_response_hours: u32,
    pub resolution_hours: u32,
}

impl Default for Hours {
    fn default() -> Hours {
        Hours {
            utc_offset_minutes: -300,
            open_minute: 9 * 60,
            close_minute: 18 * 60,
            weekdays: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            holidays: Vec::new(),
            first_response_hours: 4,
            resolution_hours: 24,
        }
    }
}

impl Hours {
    fn is_open_day(&self, d: NaiveDate) -> bool {
        self.weekdays.contains(&d.weekday()) && !self.holidays.contains(&d)
    }

    fn local(&self, t: DateTime<Utc>) -> chrono::NaiveDateTime {
        t.naive_utc() + Duration::minutes(self.utc_offset_minutes as i64)
    }

    fn utc(&self, t: chrono::NaiveDateTime) -> DateTime<Utc> {
        (t - Duration::minutes(self.utc_offset_minutes as i64)).and_utc()
    }

    fn open_len(&self) -> i64 {
        self.close_minute.saturating_sub(self.open_minute) as i64
    }

    /// Working minutes between `from` and `to` (0 if `to` is earlier).
    pub fn working_minutes(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from || self.open_len() == 0 || self.weekdays.is_empty() {
            return 0;
        }
        let (a, b) = (self.local(from), self.local(to));
        let mut total = 0;
        let mut day = a.date();
        while day <= b.date() {
            if self.is_open_day(day) {
                let open = day.and_time(minute(self.open_minute));
                let close = day.and_time(minute(self.close_minute));
                let start = open.max(a);
                let end = close.min(b);
                if end > start {
                    total += (end - start).num_minutes();
                }
            }
            day = day.succ_opt().unwrap_or(day);
            if day == NaiveDate::MAX {
                break;
            }
        }
        total
    }

    /// The instant `minutes` working minutes after `from`; `None` when the
    /// brand never works (no weekdays, or zero hours).
    pub fn add_working_minutes(&self, from: DateTime<Utc>, minutes: i64) -> Option<DateTime<Utc>> {
        if self.open_len() == 0 || self.weekdays.is_empty() {
            return None;
        }
        let mut left = minutes.max(0);
        let mut t = self.local(from);
        // Ten years of holidays at most: a calendar with none open stops.
        for _ in 0..3_700 {
            let day = t.date();
            if self.is_open_day(day) {
                let open = day.and_time(minute(self.open_minute));
                let close = day.and_time(minute(self.close_minute));
                let start = open.max(t);
                if start < close {
                    let room = (close - start).num_minutes();
                    if left <= room {
                        return Some(self.utc(start + Duration::minutes(left)));
                    }
                    left -= room;
                }
            }
            t = day.succ_opt()?.and_time(NaiveTime::MIN);
        }
        None
    }

    /// Whether the brand is open at `t`.
    pub fn is_open(&self, t: DateTime<Utc>) -> bool {
        let l = self.local(t);
        let m = l.hour() * 60 + l.minute();
        self.is_open_day(l.date()) && m >= self.open_minute && m < self.close_minute
    }
}

fn minute(m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt((m / 60).min(23), m % 60, 0).unwrap_or(NaiveTime::MIN)
}

/// One SLA clock of a case.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    pub due: Option<DateTime<Utc>>,
    /// When it was met, if it was.
    pub met_at: Option<DateTime<Utc>>,
    /// Working minutes left at `now` (negative: overdue), when not met.
    pub minutes_left: Option<i64>,
    pub breached: bool,
}

/// The clock that started at `start`, runs `hours` working hours, and
/// stopped at `met_at` if it did.
pub fn clock(
    hours: &Hours,
    start: DateTime<Utc>,
    budget_hours: u32,
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Clock {
    let due = hours.add_working_minutes(start, budget_hours as i64 * 60);
    let (minutes_left, breached) = match (due, met_at) {
        (Some(d), Some(m)) => (None, m > d),
        (Some(d), None) => {
            let left = if now <= d { hours.working_minutes(now, d) } else { -hours.working_minutes(d, now) };
            (Some(left), now > d)
        }
        (None, _) => (None, false),
    };
    Clock { due, met_at, minutes_left, breached }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_friday_evening_message_is_due_on_monday() {
        let h = Hours::default(); // 9-18 Eastern (UTC-5), Mon-Fri
                                  // Friday 2023-01-06 20:00 Eastern = Saturday 01:00 UTC.
        let due = h.add_working_minutes(at("2023-01-07T01:00:00Z"), 4 * 60).unwrap();
        // Monday 9:00 + 4 h = 13:00 Eastern = 18:00 UTC.
        assert_eq!(due, at("2023-01-09T18:00:00Z"));
        assert_eq!(h.working_minutes(at("2023-01-07T01:00:00Z"), due), 240);
    }

    #[test]
    fn holidays_do_not_count() {
        let h = Hours { holidays: vec![NaiveDate::from_ymd_opt(2023, 1, 9).unwrap()], ..Hours::default() };
        let due = h.add_working_minutes(at("2023-01-07T01:00:00Z"), 60).unwrap();
        assert_eq!(due, at("2023-01-10T15:00:00Z"));
    }

    #[test]
    fn an_overdue_clock_says_by_how_much() {
        let h = Hours::default();
        let c = clock(&h, at("2023-01-09T14:00:00Z"), 1, None, at("2023-01-09T17:00:00Z"));
        assert!(c.breached);
        assert_eq!(c.minutes_left, Some(-120));
        let met = clock(
            &h,
            at("2023-01-09T14:00:00Z"),
            1,
            Some(at("2023-01-09T14:30:00Z")),
            at("2023-01-10T17:00:00Z"),
        );
        assert!(!met.breached);
    }

    #[test]
    fn a_brand_that_never_opens_has_no_due_time() {
        let h = Hours { weekdays: vec![], ..Hours::default() };
        assert_eq!(h.add_working_minutes(at("2023-01-09T14:00:00Z"), 60), None);
    }

    proptest::proptest! {
        #[test]
        fn adding_then_measuring_gives_the_minutes_back(start in 0i64..400_000_000, minutes in 0i64..20_000) {
            let h = Hours::default();
            let from = DateTime::from_timestamp(1_600_000_000 + start, 0).unwrap();
            let due = h.add_working_minutes(from, minutes).unwrap();
            proptest::prop_assert_eq!(h.working_minutes(from, due), minutes);
        }
    }
}
