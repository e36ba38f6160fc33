//! The pipeline end to end on small hand-made histories.

use chrono::{Datelike, Duration, Weekday};
use forecast::{build_demand, forecast, ForecastConfig, Freq, Level};

use crate::{daily, day, stock};

fn weekly(h: usize) -> ForecastConfig {
    ForecastConfig { freq: Freq::Week, horizon: h, ..ForecastConfig::default() }
}

#[test]
fn history_ending_friday_forecasts_from_the_next_monday() {
    // 2011-09-30 is a Friday.
    let lines = daily("A", day("2011-06-01"), 122, |i| 1 + i % 3);
    let d = build_demand(&lines, &[], &[], &[]);
    assert_eq!(d.end, day("2011-09-30"));
    let set = forecast(&d, &weekly(4));
    assert_eq!(set.first_period, day("2011-10-03"));
    assert_eq!(set.period_start(3), day("2011-10-24"));
    let daily_set =
        forecast(&d, &ForecastConfig { freq: Freq::Day, horizon: 3, ..ForecastConfig::default() });
    assert_eq!(daily_set.first_period, day("2011-10-01"));
    for s in &set.series {
        assert_eq!(s.fit.mean.len(), 4);
        assert!(set.period_start(0).weekday() == Weekday::Mon);
    }
}

#[test]
fn levels_add_up() {
    let mut lines = daily("A-1", day("2024-01-01"), 200, |i| i % 2);
    lines.extend(daily("A-2", day("2024-01-01"), 200, |i| 2 + i % 3));
    lines.extend(daily("B-1", day("2024-02-01"), 169, |i| i % 4 / 3));
    let d = build_demand(&lines, &[], &[], &[]);
    for freq in [Freq::Day, Freq::Week] {
        let set = forecast(&d, &ForecastConfig { freq, horizon: 6, ..ForecastConfig::default() });
        let total = set.level(Level::Total).next().expect("total");
        for j in 0..6 {
            let v: f64 = set.level(Level::Variant).map(|s| s.fit.mean[j]).sum();
            let p: f64 = set.level(Level::Product).map(|s| s.fit.mean[j]).sum();
            let c: f64 = set.level(Level::Category).map(|s| s.fit.mean[j]).sum();
            for x in [v, p, c] {
                assert!(
                    (x - total.fit.mean[j]).abs() < 1e-6 * (1.0 + x),
                    "{freq:?} {j}: {x} vs {}",
                    total.fit.mean[j]
                );
            }
        }
        for s in &set.series {
            for j in 0..6 {
                let f = &s.fit;
                assert!(f.p10[j] <= f.p50[j] && f.p50[j] <= f.p90[j] && f.mean[j] >= 0.0);
            }
        }
    }
}

#[test]
fn stockout_days_are_censored_not_zero() {
    // Sells 4 a day; out of stock for the last three weeks of history.
    let start = day("2024-01-01");
    let lines = daily("A", start, 140, |i| if i < 119 { 4 } else { 0 });
    let inventory = vec![
        stock(start, "A", 1000),
        stock(start + Duration::days(119), "A", 0),
        stock(start + Duration::days(139), "A", 0),
    ];
    let censored = build_demand(&lines, &inventory, &[], &[]);
    assert_eq!(censored.variants[0].censored.iter().filter(|&&c| c).count(), 21);
    let set = forecast(&censored, &weekly(2));
    let a = set.level(Level::Variant).next().expect("variant");
    // Demand is still about 28 a week, not zero.
    assert!(a.fit.mean[0] > 20.0, "{:?}", a.fit.mean);
    assert!(a.why.iter().any(|w| w.signal == "censored_days" && w.contribution == 21.0), "{:?}", a.why);
    // Without the inventory history the same zeros look like demand stopped.
    // (Another SKU's sale marks the end of history.)
    let mut lines = lines;
    lines.push(crate::sale(9999, start + Duration::days(139), "B", 1));
    let blind = build_demand(&lines, &[], &[], &[]);
    let b = forecast(&blind, &weekly(2));
    let b = b.level(Level::Variant).find(|s| s.key == "A").expect("variant");
    assert!(b.fit.mean[0] < a.fit.mean[0] / 2.0, "{:?} vs {:?}", b.fit.mean, a.fit.mean);
}

#[test]
fn a_sku_with_one_year_of_history_gets_its_valentines_lift() {
    // Three years of an older SKU whose sales double in early February
    // (a lift the pooled calendar learns), and a new SKU with one year of
    // flat history. Forecast from mid-January: the new SKU's forecast for
    // the Valentine's weeks is lifted.
    let start = day("2021-01-04");
    let end = day("2024-01-14");
    let days = (end - start).num_days() + 1;
    let lift = |d: chrono::NaiveDate| if d.month() == 2 && d.day() <= 14 { 2 } else { 1 };
    let mut lines = daily("OLD", start, days, |i| 10 * lift(start + Duration::days(i)));
    let new_from = day("2023-01-16");
    lines.extend(daily("NEW", new_from, (end - new_from).num_days() + 1, |i| {
        3 * lift(new_from + Duration::days(i))
    }));
    let d = build_demand(&lines, &[], &[], &[]);
    let set = forecast(&d, &weekly(8));
    assert_eq!(set.first_period, day("2024-01-15"));
    let v = forecast::calendar::Event::Valentines;
    assert!(set.calendar.lift(v) > 1.5, "{:?}", set.calendar.lifts);
    let new = set.level(Level::Variant).find(|s| s.key == "NEW").expect("NEW");
    // Weeks of Feb 5 and Feb 12 (periods 3, 4) against late March-ish weeks (period 7).
    let feb = new.fit.mean[3];
    let later = new.fit.mean[7];
    assert!(feb > 1.4 * later, "{} {:?} {:?}", new.fit.model.as_str(), new.fit.mean, new.why);
    assert!(new.why.iter().any(|w| w.signal == "calendar:valentines"), "{:?}", new.why);
}
