//! The definitions on small hand-made histories, and a property: segments
//! split the store's figures without losing or counting a line twice.

use chrono::NaiveDate;
use model::{
    Category, Currency, Event, EventKind, InventoryLevel, LineKind, Money, OrderLine, Product, Variant,
};
use proptest::prelude::*;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn at(s: &str) -> i64 {
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap().and_utc().timestamp()
}

fn line(order: &str, when: &str, customer: Option<&str>, sku: &str, qty: i64, price: f64) -> OrderLine {
    OrderLine {
        order_id: order.into(),
        line_no: 0,
        ordered_at: at(when),
        customer_id: customer.map(Into::into),
        sku: sku.into(),
        title: None,
        quantity: qty,
        unit_price: Some(Money::from_major(price, Currency::USD)),
        country: Some("us".into()),
        kind: if qty < 0 { LineKind::Return } else { LineKind::Sale },
    }
}

fn snapshot(sku: &str, loc: &str, on_hand: i64, cost: Option<f64>, when: &str) -> InventoryLevel {
    InventoryLevel {
        sku: sku.into(),
        location: loc.into(),
        on_hand,
        on_order: None,
        lead_time_days: None,
        unit_cost: cost.map(|c| Money::from_major(c, Currency::USD)),
        as_of: Some(at(when)),
    }
}

fn product(handle: &str, category: Category, skus: &[&str]) -> Product {
    Product {
        handle: handle.into(),
        category: Some(category),
        variants: skus.iter().map(|s| Variant { sku: s.to_string(), ..Variant::default() }).collect(),
        ..Product::default()
    }
}

fn event(id: &str, kind: EventKind, when: &str, session: &str) -> Event {
    Event {
        id: id.into(),
        kind,
        at: at(when) * 1000,
        session_id: Some(session.into()),
        customer_id: None,
        product: None,
        sku: None,
        query: None,
        results: Vec::new(),
        position: None,
        quantity: None,
        price: None,
        order_id: None,
        visitor_id: None,
        exposure: None,
    }
}

#[test]
fn price_bands_have_their_lower_bound() {
    let got: Vec<&str> =
        [0.0, 99.99, 100.0, 249.0, 250.0, 999.0, 1000.0, 2499.0, 2500.0, 9e9].map(price_band).to_vec();
    assert_eq!(
        got,
        [
            "under 100",
            "under 100",
            "100-250",
            "100-250",
            "250-500",
            "500-1000",
            "1000-2500",
            "1000-2500",
            "2500 and over",
            "2500 and over"
        ]
    );
}

#[test]
fn periods_are_whole_weeks_and_months() {
    // 2025-03-05 is a Wednesday.
    let weeks = periods(day("2025-03-05"), day("2025-03-17"), By::Week);
    let starts: Vec<String> = weeks.iter().map(|p| p.start.to_string()).collect();
    assert_eq!(starts, ["2025-03-03", "2025-03-10", "2025-03-17"]);
    assert!(weeks.iter().all(|p| p.days() == 7));
    let months = periods(day("2025-01-31"), day("2025-03-01"), By::Month);
    assert_eq!(months.iter().map(|p| p.days()).collect::<Vec<_>>(), [31, 28, 31]);
    assert_eq!(By::Month.back(day("2025-03-01"), 12), day("2024-03-01"));
}

#[test]
fn orders_units_revenue_and_returns_follow_the_definitions() {
    let lines = vec![
        line("A", "2025-03-03 10:00", Some("c1"), "R1", 2, 100.0),
        line("A", "2025-03-03 10:00", Some("c1"), "E1", 1, 50.5),
        line("B", "2025-03-04 12:00", None, "R1", 1, 100.0),
        // A return dated in the next week counts there, and revenue stays gross.
        line("A", "2025-03-11 09:00", Some("c1"), "R1", -1, 100.0),
        // An order made only of a return line is not an order.
        line("C", "2025-03-05 09:00", Some("c2"), "E1", -1, 50.5),
    ];
    let data = Data { lines: &lines, inventory: &[], sessions: None, products: &[] };
    let rows = compute(&data, &periods(day("2025-03-03"), day("2025-03-16"), By::Week), Segment::All);
    assert_eq!(rows.len(), 2);
    let w1 = &rows[0];
    assert_eq!((w1.orders, w1.units, w1.revenue_minor), (2, 4, 35_050));
    assert_eq!(w1.aov(), Some(175.25));
    assert_eq!(w1.units_per_order(), Some(2.0));
    assert_eq!((w1.returned_units, w1.return_rate()), (1, Some(0.25)));
    let w2 = &rows[1];
    assert_eq!((w2.orders, w2.units, w2.returned_units), (0, 0, 1));
    assert_eq!(w2.return_rate(), None, "no units sold: no rate, not infinity");
    assert_eq!(w2.aov(), None);
    // No events, no inventory: those metrics are absent, not zero.
    assert_eq!((w1.sessions, w1.conversion_rate()), (None, None));
    assert_eq!((w1.sell_through(), w1.weeks_of_supply(), w1.stockout_rate()), (None, None, None));
    assert_eq!((w1.inventory_turnover(), w1.gmroi()), (None, None));
}

#[test]
fn a_line_in_another_currency_adds_units_but_no_revenue() {
    let mut eur = line("B", "2025-03-04 12:00", None, "R1", 1, 80.0);
    eur.unit_price = Some(Money::from_major(80.0, Currency::EUR));
    let lines = vec![
        line("A", "2025-03-03 10:00", None, "R1", 1, 100.0),
        line("C", "2025-03-03 11:00", None, "R1", 1, 100.0),
        eur,
    ];
    let data = Data { lines: &lines, inventory: &[], sessions: None, products: &[] };
    let rows = compute(&data, &periods(day("2025-03-03"), day("2025-03-03"), By::Week), Segment::All);
    assert_eq!(rows[0].currency, Currency::USD);
    assert_eq!((rows[0].orders, rows[0].units, rows[0].revenue_minor), (3, 3, 20_000));
}

#[test]
fn stock_is_read_from_the_last_snapshot_before_the_instant() {
    let lines = vec![
        line("A", "2025-03-04 10:00", None, "R1", 3, 100.0),
        line("B", "2025-03-05 10:00", None, "E1", 1, 40.0),
    ];
    let inventory = vec![
        // Before the week: the start's stock.
        snapshot("R1", "nj", 10, Some(30.0), "2025-03-02 23:59"),
        snapshot("E1", "nj", 4, Some(10.0), "2025-03-02 23:59"),
        // Inside the week: the end's stock (two locations add up; a negative count is 0).
        snapshot("R1", "nj", 5, Some(30.0), "2025-03-09 23:00"),
        snapshot("R1", "la", 2, None, "2025-03-09 23:00"),
        snapshot("E1", "nj", -2, Some(10.0), "2025-03-09 23:00"),
        // After the week: ignored.
        snapshot("R1", "nj", 99, Some(30.0), "2025-03-10 00:00"),
    ];
    let products =
        vec![product("ring", Category::Ring, &["R1"]), product("ear", Category::Earrings, &["E1"])];
    let data = Data { lines: &lines, inventory: &inventory, sessions: None, products: &products };
    let p = periods(day("2025-03-03"), day("2025-03-09"), By::Week);
    let all = &compute(&data, &p, Segment::All)[0];
    assert_eq!(all.on_hand_end, Some(7));
    assert_eq!(all.sell_through(), Some(4.0 / 11.0));
    assert_eq!(all.weeks_of_supply(), Some(7.0 / 4.0));
    assert_eq!((all.active_skus, all.out_of_stock_skus), (2, 1));
    assert_eq!(all.stockout_rate(), Some(0.5));
    // COGS 3 x 30 + 1 x 10 = 100; stock at cost: start 10 x 30 + 4 x 10 = 340, end 7 x 30 + 0 = 210.
    assert_eq!(all.cogs_minor, Some(10_000));
    assert_eq!(all.inventory_turnover(), Some(10_000.0 / 27_500.0));
    assert_eq!(all.gmroi(), Some((34_000.0 - 10_000.0) / 27_500.0));
    let by_cat = compute(&data, &p, Segment::Category);
    let names: Vec<&str> = by_cat.iter().map(|r| r.segment.as_str()).collect();
    assert_eq!(names, ["earrings", "ring"]);
    assert_eq!((by_cat[0].on_hand_end, by_cat[0].stockout_rate()), (Some(0), Some(1.0)));
    assert_eq!((by_cat[1].on_hand_end, by_cat[1].sell_through()), (Some(7), Some(3.0 / 10.0)));
    // Country has no stock: its stock metrics are absent.
    let by_country = compute(&data, &p, Segment::Country);
    assert_eq!((by_country[0].segment.as_str(), by_country[0].on_hand_end), ("US", None));
    // A line without a country is `unknown`, as the README says (not `UNKNOWN`).
    let mut lines = lines;
    lines[0].country = None;
    let data = Data { lines: &lines, inventory: &inventory, sessions: None, products: &products };
    let names: Vec<String> = compute(&data, &p, Segment::Country).into_iter().map(|r| r.segment).collect();
    assert_eq!(names, ["US", "unknown"]);
}

#[test]
fn sessions_and_conversion_come_from_the_events() {
    let events = vec![
        event("1", EventKind::View, "2025-03-03 10:00", "s1"),
        event("2", EventKind::Purchase, "2025-03-03 10:05", "s1"),
        event("3", EventKind::View, "2025-03-04 10:00", "s2"),
        event("4", EventKind::Search, "2025-03-04 10:01", "s2"),
        event("5", EventKind::View, "2025-03-05 10:00", "s3"),
        // A session that spans two weeks counts in both.
        event("6", EventKind::View, "2025-03-09 23:59", "s4"),
        event("7", EventKind::Purchase, "2025-03-10 00:01", "s4"),
    ];
    let days = session_days(&events);
    let data = Data { lines: &[], inventory: &[], sessions: Some(&days), products: &[] };
    let rows = compute(&data, &periods(day("2025-03-03"), day("2025-03-10"), By::Week), Segment::All);
    assert_eq!((rows[0].sessions, rows[0].converted_sessions), (Some(4), Some(1)));
    assert_eq!(rows[0].conversion_rate(), Some(0.25));
    assert_eq!((rows[1].sessions, rows[1].conversion_rate()), (Some(1), Some(1.0)));
    // Segments have no sessions.
    let by_country =
        compute(&data, &periods(day("2025-03-03"), day("2025-03-10"), By::Week), Segment::Country);
    assert!(by_country.iter().all(|r| r.sessions.is_none()));
}

#[test]
fn search_use_splits_sessions_by_what_their_searches_found() {
    let mut found = event("1", EventKind::Search, "2025-03-03 10:00", "s1");
    found.results = vec!["ring".into()];
    let events = vec![
        found,
        event("2", EventKind::Purchase, "2025-03-03 10:05", "s1"),
        // s2 searched and found nothing (no results at all).
        event("3", EventKind::Search, "2025-03-04 10:00", "s2"),
        event("4", EventKind::View, "2025-03-04 10:00", "s3"),
        event("5", EventKind::Purchase, "2025-03-04 10:09", "s3"),
        event("6", EventKind::View, "2025-03-05 10:00", "s4"),
        // Outside the period: ignored.
        event("7", EventKind::Search, "2025-03-20 10:00", "s5"),
    ];
    let p = periods(day("2025-03-03"), day("2025-03-03"), By::Week)[0];
    let days = session_days(&events);
    let u = search_use(&days, p).unwrap();
    assert_eq!((u.searched.sessions, u.searched.converted), (2, 1));
    assert_eq!((u.not_searched.sessions, u.not_searched.converted), (2, 1));
    assert_eq!((u.found.sessions, u.found.rate()), (1, Some(1.0)));
    assert_eq!((u.zero_results.sessions, u.zero_results.rate()), (1, Some(0.0)));
    let later = periods(day("2025-04-07"), day("2025-04-07"), By::Week)[0];
    assert_eq!(search_use(&days, later), None, "no session: no comparison, not zeros");
}

#[test]
fn repeat_customers_and_customer_types() {
    let lines = vec![
        line("A", "2025-02-01 10:00", Some("c1"), "R1", 1, 10.0),
        line("B", "2025-03-03 10:00", Some("c1"), "R1", 1, 10.0),
        line("C", "2025-03-04 10:00", Some("c2"), "R1", 1, 10.0),
        // c2 again in the same week: returning, but not a repeat customer of the week.
        line("D", "2025-03-06 10:00", Some("c2"), "R1", 1, 10.0),
        line("E", "2025-03-06 11:00", None, "R1", 1, 10.0),
    ];
    let data = Data { lines: &lines, inventory: &[], sessions: None, products: &[] };
    let p = periods(day("2025-03-03"), day("2025-03-09"), By::Week);
    let all = &compute(&data, &p, Segment::All)[0];
    assert_eq!((all.customers, all.repeat_customers, all.repeat_rate()), (2, 1, Some(0.5)));
    let types = compute(&data, &p, Segment::CustomerType);
    let got: Vec<(&str, u64)> = types.iter().map(|r| (r.segment.as_str(), r.orders)).collect();
    assert_eq!(got, [("guest", 1), ("new", 1), ("returning", 2)]);
}

fn arb_lines() -> impl Strategy<Value = Vec<OrderLine>> {
    let one =
        (0u8..6, 0i64..60 * 24 * 3600, prop::option::of(0u8..5), 0u8..4, -3i64..5, 1u32..50_000, 0u8..3);
    prop::collection::vec(one, 0..80).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (order, offset, customer, sku, qty, cents, country))| OrderLine {
                order_id: format!("O{order}"),
                line_no: i as u32,
                ordered_at: at("2025-03-01 00:00") + offset,
                customer_id: customer.map(|c| format!("c{c}")),
                sku: format!("S{sku}"),
                title: None,
                quantity: qty,
                unit_price: Some(Money { minor: i64::from(cents), currency: Currency::USD }),
                country: [None, Some("fr".to_string()), Some("US".to_string())][usize::from(country)].clone(),
                kind: if qty < 0 { LineKind::Return } else { LineKind::Sale },
            })
            .collect()
    })
}

proptest! {
    /// Every segmentation splits units, revenue and returns exactly, and no
    /// segment has more orders or customers than the whole.
    #[test]
    fn segments_add_up_to_the_whole(lines in arb_lines(), by in prop::sample::select(vec![By::Day, By::Week, By::Month])) {
        let products = vec![product("ring", Category::Ring, &["S0", "S1"]), product("ear", Category::Earrings, &["S2"])];
        let inventory = vec![snapshot("S0", "nj", 3, Some(5.0), "2025-03-10 00:00")];
        let data = Data { lines: &lines, inventory: &inventory, sessions: None, products: &products };
        let p = periods(day("2025-03-01"), day("2025-04-29"), by);
        let all = compute(&data, &p, Segment::All);
        prop_assert_eq!(all.len(), p.len());
        for seg in [Segment::Category, Segment::Collection, Segment::PriceBand, Segment::Channel, Segment::CustomerType, Segment::Country] {
            let rows = compute(&data, &p, seg);
            for (i, whole) in all.iter().enumerate() {
                let part: Vec<&Row> = rows.iter().filter(|r| r.period == p[i]).collect();
                prop_assert_eq!(part.iter().map(|r| r.units).sum::<i64>(), whole.units);
                prop_assert_eq!(part.iter().map(|r| r.revenue_minor).sum::<i64>(), whole.revenue_minor);
                prop_assert_eq!(part.iter().map(|r| r.returned_units).sum::<i64>(), whole.returned_units);
                prop_assert!(part.iter().all(|r| r.orders <= whole.orders && r.customers <= whole.customers));
                prop_assert!(part.iter().map(|r| r.orders).sum::<u64>() >= whole.orders);
            }
        }
    }
}
