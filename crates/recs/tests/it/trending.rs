//! Trending and seasonal reasons are true: a catalog with no orders says
//! nothing about demand, a season is claimed only for the categories it is
//! about and only when that category's own orders in these weeks last year
//! show it, and every number in a reason is the number in the data.

use model::{
    Category, Currency, Event, EventKind, LineKind, Metal, Money, OrderLine, Product, Stone, Variant,
};
use recs::{parse_brief, Context, Item, Recommender, Request, Signal, TrainConfig};

/// 2025-12-10 12:00 UTC: the ring season and the holiday season run.
const NOW: i64 = 1_765_368_000;
const DAY: i64 = 86_400;

fn product(id: u64, title: &str, category: Category, stone: Option<&str>, skus: &[&str]) -> Product {
    Product {
        id,
        handle: title.to_lowercase().replace(' ', "-"),
        title: title.into(),
        category: Some(category),
        variants: skus
            .iter()
            .map(|sku| Variant {
                sku: sku.to_string(),
                price: Some(Money::new(50_000, Currency::USD)),
                metals: vec![Metal { kind: "gold".into(), karat: Some(14), ..Metal::default() }],
                stones: stone.map(|s| vec![Stone { kind: s.into(), ..Stone::default() }]).unwrap_or_default(),
                ..Variant::default()
            })
            .collect(),
        ..Product::default()
    }
}

fn catalog() -> Vec<Product> {
    vec![
        product(1, "Trinity Ring", Category::Ring, None, &["R1"]),
        product(2, "Solitaire Engagement Ring", Category::EngagementRing, Some("diamond"), &["E2"]),
        product(3, "Diamond Tennis Bracelet", Category::Bracelet, Some("diamond"), &["B3"]),
        product(4, "Pearl Studs", Category::Earrings, Some("pearl"), &["S4"]),
        product(5, "Plain Wedding Band", Category::WeddingBand, None, &["W5"]),
        product(6, "Eternity Ring", Category::Ring, Some("diamond"), &["R6"]),
        product(7, "Signet Ring", Category::Ring, None, &["R7"]),
        product(8, "Charm Necklace", Category::Necklace, None, &["N8-16", "N8-18"]),
    ]
}

/// Orders as (order id, days ago, SKUs): one line per SKU.
struct Orders(Vec<(String, i64, Vec<&'static str>)>);

impl Orders {
    fn add(&mut self, days_ago: i64, skus: &[&'static str]) {
        let id = format!("o{}", self.0.len());
        self.0.push((id, days_ago, skus.to_vec()));
    }

    fn lines(&self) -> Vec<OrderLine> {
        let mut out = Vec::new();
        for (id, days_ago, skus) in &self.0 {
            for (n, sku) in skus.iter().enumerate() {
                out.push(OrderLine {
                    order_id: id.clone(),
                    line_no: n as u32,
                    ordered_at: NOW - days_ago * DAY,
                    customer_id: Some(format!("c-{id}")),
                    sku: sku.to_string(),
                    title: None,
                    quantity: 1,
                    unit_price: None,
                    country: None,
                    kind: LineKind::Sale,
                });
            }
        }
        out
    }

    /// Orders with a line whose SKU starts with one of `prefixes`, placed
    /// between `from` and `to` days ago (inclusive): the count a reason
    /// about them must quote.
    fn count(&self, prefixes: &[&str], from: i64, to: i64) -> usize {
        self.0
            .iter()
            .filter(|(_, d, skus)| {
                (from..=to).contains(d) && skus.iter().any(|s| prefixes.iter().any(|p| s.starts_with(p)))
            })
            .count()
    }
}

/// Two years of orders: rings and bracelets sell far more in these weeks
/// last year than the rest of that year; earrings sell evenly; the necklace
/// took off this month; engagement rings and wedding bands never sold.
fn orders() -> Orders {
    let mut o = Orders(Vec::new());
    for d in (20..=720).step_by(20) {
        o.add(d, &["R1"]);
        o.add(d + 5, &["B3"]);
    }
    for d in (3..=720).step_by(10) {
        o.add(d, &["S4"]);
    }
    for d in [340, 350, 360, 370, 380, 390] {
        o.add(d, &["R1"]);
        o.add(d + 1, &["R1"]);
        o.add(d + 2, &["B3"]);
        o.add(d + 3, &["B3"]);
    }
    o.add(345, &["R7"]);
    o.add(365, &["R7"]);
    // The necklace: five orders this month (one with both lengths, which
    // is one order), one in the 90 days before.
    for d in [2, 5, 9, 14] {
        o.add(d, &["N8-16"]);
    }
    o.add(21, &["N8-16", "N8-18"]);
    o.add(60, &["N8-18"]);
    o
}

fn train(lines: &[OrderLine], events: &[Event]) -> Recommender {
    Recommender::train(&catalog(), lines, events, &TrainConfig::at(NOW))
}

fn contexts() -> Vec<Context> {
    vec![
        Context::Trending,
        Context::Customer("never-seen".into()),
        Context::Session { id: None, recent: vec![] },
        Context::Product(1),
        Context::Cart(vec!["B3".into()]),
        Context::Gift(parse_brief("for mom")),
        Context::Gift(parse_brief("engagement")),
        Context::Gift(parse_brief("christmas gift under 600")),
    ]
}

fn demand_reasons(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .flat_map(|i| i.why.iter().map(move |r| (i, r)))
        .filter(|(_, r)| {
            let d = r.detail.to_lowercase();
            matches!(r.signal, Signal::Popular | Signal::Trending | Signal::Season)
                || ["order", "season", "bought", "trending", "popular", "favourite", "sold", "demand"]
                    .iter()
                    .any(|w| d.contains(w))
        })
        .map(|(i, r)| format!("{}: {:?} {}", i.title, r.signal, r.detail))
        .collect()
}

// With a catalog and no orders or events, trending said "in demand in the
// December to February ring season" (issue 11, item 3).
#[test]
fn an_empty_history_says_nothing_about_demand() {
    let views: Vec<Event> = (0..6)
        .map(|k| Event {
            id: format!("v{k}"),
            kind: EventKind::View,
            at: (NOW - 3600 * (k + 1)) * 1000,
            session_id: Some(format!("s{k}")),
            customer_id: None,
            product: Some("trinity-ring".into()),
            sku: None,
            query: None,
            results: vec![],
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        })
        .collect();
    for (what, rec) in [("no orders, no events", train(&[], &[])), ("views only", train(&[], &views))] {
        for ctx in contexts() {
            let items = rec.recommend(&Request::new(ctx.clone(), 10));
            let claims = demand_reasons(&items);
            assert!(claims.is_empty(), "{what}, {ctx:?}: {claims:#?}");
            for i in &items {
                assert!(!i.why.is_empty(), "{what}, {ctx:?}: {} is recommended with no reason", i.title);
            }
        }
        assert!(
            rec.recommend(&Request::new(Context::Trending, 10)).is_empty(),
            "{what}: nothing trends without orders"
        );
    }
}

// In the demo brand a bracelet said "in demand in the December to February
// ring season": the season went by a diamond anywhere, not by rings.
#[test]
fn a_bracelet_never_carries_a_ring_season_reason() {
    let rec = train(&orders().lines(), &[]);
    let mut rings_in_season = 0;
    for ctx in contexts() {
        for item in rec.recommend(&Request::new(ctx.clone(), 10)) {
            let ring_season = item.why.iter().any(|r| r.detail.contains("ring season"));
            if item.title.contains("Bracelet")
                || item.title.contains("Necklace")
                || item.title.contains("Studs")
            {
                assert!(!ring_season, "{ctx:?}: {} says {:?}", item.title, item.why);
            } else if ring_season {
                rings_in_season += 1;
            }
        }
    }
    assert!(rings_in_season > 0, "the rings' own orders do show the ring season");
}

#[track_caller]
fn reason_of(items: &[Item], title: &str, signal: Signal) -> String {
    let item = items.iter().find(|i| i.title == title).unwrap_or_else(|| panic!("{title} not recommended"));
    item.why
        .iter()
        .find(|r| r.signal == signal)
        .unwrap_or_else(|| panic!("{title} has no {signal:?} reason: {:?}", item.why))
        .detail
        .clone()
}

#[test]
fn each_reason_quotes_the_numbers_of_its_data() {
    let o = orders();
    let rec = train(&o.lines(), &[]);
    let trending = rec.recommend(&Request::new(Context::Trending, 10));

    // The ring season, from the rings' own orders: these weeks last year
    // (335 to 395 days ago) against the year before the last 30 days.
    let window = o.count(&["R"], 335, 395) as f64;
    let usual = o.count(&["R"], 30, 395) as f64;
    let lift = window / (usual * 60.0 / 365.0);
    assert!(lift > 1.2, "the fixture has a ring season: {lift}");
    assert_eq!(
        reason_of(&trending, "Eternity Ring", Signal::Trending),
        format!(
            "in demand in the December to February ring season: rings had {window} orders in these weeks last \
             year, {lift:.1} times their usual rate"
        )
    );
    assert_eq!(
        reason_of(&trending, "Trinity Ring", Signal::Trending),
        format!(
            "in demand in the December to February ring season: {} orders in these weeks last year",
            o.count(&["R1"], 335, 395)
        )
    );
    // Bracelets sold in these weeks last year too: a holiday favourite,
    // with the bracelet's own count.
    assert_eq!(
        reason_of(&trending, "Diamond Tennis Bracelet", Signal::Trending),
        format!(
            "a holiday gifting favourite: {} orders in these weeks last year",
            o.count(&["B3"], 335, 395)
        )
    );
    // The necklace took off: orders, not order lines (one order had both lengths).
    assert_eq!(
        reason_of(&trending, "Charm Necklace", Signal::Trending),
        format!(
            "trending: {} orders in the last 30 days, up from {} in the 90 days before ({:.1} a month)",
            o.count(&["N8"], 0, 30),
            o.count(&["N8"], 31, 120),
            o.count(&["N8"], 31, 120) as f64 / 3.0
        )
    );
    assert_eq!(o.count(&["N8"], 0, 30), 5);

    // Earrings sell evenly: they fit the holiday season by category, but
    // their orders do not show it, so no seasonal reason.
    for item in &trending {
        if item.title == "Pearl Studs" {
            assert!(item.why.iter().all(|r| !r.detail.contains("holiday")), "{:?}", item.why);
        }
    }
    // Engagement rings and wedding bands never sold: no season for them.
    for title in ["Solitaire Engagement Ring", "Plain Wedding Band"] {
        for ctx in contexts() {
            for item in rec.recommend(&Request::new(ctx.clone(), 10)) {
                if item.title == title {
                    assert!(
                        demand_reasons(std::slice::from_ref(&item)).is_empty(),
                        "{ctx:?}: {:?}",
                        item.why
                    );
                }
            }
        }
    }

    // Popularity speaks of the last 30 days' orders.
    let cold = rec.recommend(&Request::new(Context::Customer("never-seen".into()), 10));
    assert_eq!(
        reason_of(&cold, "Pearl Studs", Signal::Popular),
        format!("popular with new customers: bought {} times in the last 30 days", o.count(&["S4"], 0, 30))
    );
}

// A season needs last year's weeks in the data: with four months of orders
// nothing is "in demand in the ring season", however rings sell now.
#[test]
fn no_season_without_last_years_weeks() {
    let mut o = Orders(Vec::new());
    for d in (1..=120).step_by(3) {
        o.add(d, &["R1"]);
        o.add(d, &["B3"]);
    }
    let rec = train(&o.lines(), &[]);
    for ctx in contexts() {
        for item in rec.recommend(&Request::new(ctx.clone(), 10)) {
            assert!(
                item.why.iter().all(|r| !r.detail.contains("season") && !r.detail.contains("favourite")),
                "{ctx:?}: {} says {:?}",
                item.title,
                item.why
            );
        }
    }
}
