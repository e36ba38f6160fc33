//! Small hand-made worlds where the right answer is known: co-occurrence,
//! complete the set, price band, diversity, already-bought exclusion,
//! purchasable only, cold start, forgetting, gift briefs, and that no reason
//! ever names an inferred private life event.

use model::{
    Category, Currency, Event, EventKind, Gender, LineKind, Metal, Money, OrderLine, Product, ProductStatus,
    Stone, Variant,
};

use crate::{parse_brief, Context, Item, Recommender, Request, Signal, TrainConfig};

const NOW: i64 = 1_772_323_200; // 2026-03-01
const DAY: i64 = 86_400;

struct P {
    id: u64,
    title: &'static str,
    cat: Category,
    coll: Option<&'static str>,
    stone: Option<&'static str>,
    metal: (&'static str, Option<u8>, &'static str),
    price: i64,
    gender: Option<Gender>,
}

fn product(p: P) -> Product {
    let metal = Metal {
        kind: p.metal.0.into(),
        karat: p.metal.1,
        colors: if p.metal.2.is_empty() { vec![] } else { vec![p.metal.2.into()] },
        ..Metal::default()
    };
    Product {
        id: p.id,
        handle: p.title.to_lowercase().replace(' ', "-"),
        title: p.title.into(),
        category: Some(p.cat),
        collection: p.coll.map(Into::into),
        gender: p.gender,
        variants: vec![Variant {
            sku: format!("SKU{}", p.id),
            price: Some(Money::new(p.price * 100, Currency::USD)),
            metals: vec![metal],
            stones: p.stone.map(|s| vec![Stone { kind: s.into(), ..Stone::default() }]).unwrap_or_default(),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

fn catalog() -> Vec<Product> {
    use Category::*;
    let w = Some(Gender::Women);
    let g14 = ("gold", Some(14), "yellow");
    let mut v = vec![
        product(P {
            id: 1,
            title: "Pearl Studs",
            cat: Earrings,
            coll: Some("pearl"),
            stone: Some("pearl"),
            metal: g14,
            price: 150,
            gender: w,
        }),
        product(P {
            id: 2,
            title: "Pearl Necklace",
            cat: Necklace,
            coll: Some("pearl"),
            stone: Some("pearl"),
            metal: g14,
            price: 220,
            gender: w,
        }),
        product(P {
            id: 3,
            title: "Pearl Bracelet",
            cat: Bracelet,
            coll: Some("pearl"),
            stone: Some("pearl"),
            metal: g14,
            price: 180,
            gender: w,
        }),
        product(P {
            id: 4,
            title: "Diamond Solitaire",
            cat: EngagementRing,
            coll: None,
            stone: Some("diamond"),
            metal: ("platinum", None, ""),
            price: 3000,
            gender: w,
        }),
        product(P {
            id: 5,
            title: "Gold Hoops",
            cat: Earrings,
            coll: None,
            stone: None,
            metal: g14,
            price: 200,
            gender: w,
        }),
        product(P {
            id: 6,
            title: "Silver Cuff",
            cat: Bracelet,
            coll: None,
            stone: None,
            metal: ("silver", None, ""),
            price: 90,
            gender: None,
        }),
        product(P {
            id: 7,
            title: "Signet Ring",
            cat: Ring,
            coll: None,
            stone: None,
            metal: ("gold", Some(14), "yellow"),
            price: 400,
            gender: Some(Gender::Men),
        }),
        product(P {
            id: 8,
            title: "Sold Out Studs",
            cat: Earrings,
            coll: None,
            stone: None,
            metal: g14,
            price: 120,
            gender: w,
        }),
        product(P {
            id: 9,
            title: "Draft Necklace",
            cat: Necklace,
            coll: None,
            stone: None,
            metal: g14,
            price: 120,
            gender: w,
        }),
        product(P {
            id: 11,
            title: "Pearl Drops",
            cat: Earrings,
            coll: Some("pearl"),
            stone: Some("pearl"),
            metal: g14,
            price: 170,
            gender: w,
        }),
        product(P {
            id: 12,
            title: "Onyx Cufflinks",
            cat: Cufflinks,
            coll: None,
            stone: Some("onyx"),
            metal: ("silver", None, ""),
            price: 120,
            gender: Some(Gender::Men),
        }),
        product(P {
            id: 13,
            title: "Tie Bar",
            cat: Other,
            coll: None,
            stone: None,
            metal: ("silver", None, ""),
            price: 80,
            gender: Some(Gender::Men),
        }),
    ];
    for k in 0..6 {
        v.push(product(P {
            id: 20 + k,
            title: [
                "Stack Ring A",
                "Stack Ring B",
                "Stack Ring C",
                "Stack Ring D",
                "Stack Ring E",
                "Stack Ring F",
            ][k as usize],
            cat: Ring,
            coll: Some("stack"),
            stone: None,
            metal: g14,
            price: 100,
            gender: w,
        }));
    }
    v[7].variants[0].inventory = Some(0);
    v[8].status = ProductStatus::Draft;
    v
}

struct Orders(Vec<OrderLine>);

impl Orders {
    fn add(&mut self, order: &str, customer: Option<&str>, days_ago: i64, skus: &[u64]) {
        for (n, id) in skus.iter().enumerate() {
            self.0.push(OrderLine {
                order_id: order.into(),
                line_no: n as u32,
                ordered_at: NOW - days_ago * DAY,
                customer_id: customer.map(Into::into),
                sku: format!("SKU{id}"),
                title: None,
                quantity: 1,
                unit_price: None,
                country: None,
                kind: LineKind::Sale,
            });
        }
    }
}

fn orders() -> Vec<OrderLine> {
    let mut o = Orders(Vec::new());
    // Hoops and cuff go together, five times, for five customers.
    for k in 0..5 {
        o.add(&format!("hc{k}"), Some(&format!("c{k}")), 10 + k, &[5, 6]);
    }
    // Stack rings are the best sellers, bought one at a time.
    for k in 0..30 {
        o.add(&format!("sr{k}"), Some(&format!("s{k}")), 1 + k % 20, &[20 + (k % 6) as u64]);
    }
    // The sold-out studs and the draft necklace sold well before.
    for k in 0..20 {
        o.add(&format!("so{k}"), Some(&format!("s{k}")), 3, &[8, 9]);
    }
    // Alice bought pearl studs.
    o.add("alice1", Some("alice"), 30, &[1]);
    // Bob buys in the $100 to $200 range.
    o.add("bob1", Some("bob"), 40, &[6]);
    o.add("bob2", Some("bob"), 30, &[5]);
    o.add("bob3", Some("bob"), 20, &[3]);
    o.add("bob4", Some("bob"), 10, &[1]);
    // Carol alone bought the cufflinks and, in another order, the tie bar.
    o.add("carol1", Some("carol"), 20, &[12]);
    o.add("carol2", Some("carol"), 15, &[13]);
    let mut v = o.0;
    v.sort_by_key(|l| l.ordered_at);
    v
}

fn events() -> Vec<Event> {
    let ev =
        |id: &str, kind: EventKind, mins: i64, session: &str, customer: Option<&str>, product: &str| Event {
            id: id.into(),
            kind,
            at: (NOW - 86_400 + mins * 60) * 1000,
            session_id: Some(session.into()),
            customer_id: customer.map(Into::into),
            product: Some(product.into()),
            sku: None,
            query: None,
            results: vec![],
            position: None,
            quantity: None,
            price: None,
            order_id: None,
            visitor_id: None,
            exposure: None,
        };
    vec![
        ev("e1", EventKind::View, 0, "sess-carol", Some("carol"), "onyx-cufflinks"),
        ev("e2", EventKind::View, 1, "sess-carol", Some("carol"), "tie-bar"),
        ev("e3", EventKind::View, 0, "anon", None, "pearl-studs"),
        ev("e4", EventKind::View, 2, "anon", None, "pearl-necklace"),
    ]
}

fn world() -> Recommender {
    Recommender::train(&catalog(), &orders(), &events(), &TrainConfig::at(NOW))
}

fn recommend(rec: &Recommender, ctx: Context, limit: usize) -> Vec<Item> {
    rec.recommend(&Request::new(ctx, limit))
}

fn ids(items: &[Item]) -> Vec<u64> {
    items.iter().map(|i| i.product_id).collect()
}

#[track_caller]
fn has_reason(item: &Item, signal: Signal, needle: &str) {
    assert!(
        item.why.iter().any(|r| r.signal == signal && r.detail.contains(needle)),
        "{} lacks a {:?} reason containing {needle:?}: {:?}",
        item.title,
        signal,
        item.why
    );
}

#[test]
fn bought_together_with_count() {
    let rec = world();
    let items = recommend(&rec, Context::Product(5), 5);
    assert_eq!(items[0].product_id, 6, "{:?}", ids(&items));
    has_reason(&items[0], Signal::BoughtTogether, "bought together with the Gold Hoops in 5 orders");
    let cart = recommend(&rec, Context::Cart(vec!["SKU5".into()]), 3);
    assert_eq!(cart[0].product_id, 6);
}

#[test]
fn complete_the_set_from_studs() {
    let rec = world();
    let items = recommend(&rec, Context::Product(1), 4);
    let top: Vec<u64> = ids(&items);
    assert!(
        top[..3].contains(&2) && top[..3].contains(&3),
        "necklace and bracelet complete the studs: {top:?}"
    );
    let necklace = items.iter().find(|i| i.product_id == 2).unwrap();
    has_reason(necklace, Signal::CompleteTheSet, "same pearl collection as the Pearl Studs");
}

#[test]
fn customer_gets_the_set_and_not_what_she_bought() {
    let rec = world();
    let items = recommend(&rec, Context::Customer("alice".into()), 5);
    assert!(!ids(&items).contains(&1), "pearl studs are not repeatable: {:?}", ids(&items));
    assert!(
        ids(&items).contains(&2) && ids(&items).contains(&3),
        "the rest of the pearl set: {:?}",
        ids(&items)
    );
    let necklace = items.iter().find(|i| i.product_id == 2).unwrap();
    has_reason(necklace, Signal::CompleteTheSet, "the Pearl Studs you bought");
}

#[test]
fn price_band_is_explained() {
    let rec = world();
    let items = recommend(&rec, Context::Customer("bob".into()), 5);
    assert!(!items.is_empty());
    let in_band = items.iter().filter(|i| i.why.iter().any(|r| r.signal == Signal::PriceBand)).count();
    assert!(in_band > 0, "{items:?}");
    has_reason(
        items.iter().find(|i| i.why.iter().any(|r| r.signal == Signal::PriceBand)).unwrap(),
        Signal::PriceBand,
        "within your usual $",
    );
    // A $3000 ring is far outside Bob's band: if it shows at all, it comes
    // after every piece in the band.
    if let Some(ring) = items.iter().position(|i| i.product_id == 4) {
        let last_in_band =
            items.iter().rposition(|i| i.why.iter().any(|r| r.signal == Signal::PriceBand)).unwrap();
        assert!(ring > last_in_band, "{:?}", ids(&items));
    }
}

#[test]
fn only_purchasable_and_diverse() {
    let rec = world();
    for ctx in [Context::Trending, Context::Customer("nobody".into())] {
        let items = recommend(&rec, ctx.clone(), 6);
        let got = ids(&items);
        assert!(!got.contains(&8) && !got.contains(&9), "sold out or draft in {got:?}");
        let rings = items.iter().filter(|i| i.title.starts_with("Stack Ring")).count();
        assert!(rings <= 3, "{ctx:?}: {rings} near-identical rings in {got:?}");
        assert_eq!(items.len(), 6);
        assert!(items.iter().all(|i| i.skus.iter().all(|s| s != "SKU8")));
    }
}

#[test]
fn cold_start_customer_gets_popular_pieces_with_reasons() {
    let rec = world();
    let items = recommend(&rec, Context::Customer("never-seen".into()), 3);
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|i| i.why.iter().any(|r| r.signal == Signal::Popular)), "{items:?}");
}

#[test]
fn new_product_gets_content_neighbours() {
    let rec = world();
    let items = recommend(&rec, Context::Product(11), 3);
    let got = ids(&items);
    assert!(got.contains(&2) && got.contains(&3), "pearl drops lead to the pearl set: {got:?}");
}

#[test]
fn session_continues_what_was_viewed() {
    let rec = world();
    let items = recommend(&rec, Context::Session { id: Some("anon".into()), recent: vec![] }, 3);
    let got = ids(&items);
    assert!(!got.contains(&1) && !got.contains(&2), "already viewed: {got:?}");
    assert!(got.contains(&3) || got.contains(&11), "more pearls: {got:?}");
}

#[test]
fn forgetting_removes_influence() {
    let before = world();
    let tie_bar = |rec: &Recommender| {
        recommend(rec, Context::Product(12), 5).into_iter().find(|i| i.product_id == 13).map(|i| {
            i.why.iter().any(|r| matches!(r.signal, Signal::BoughtTogether | Signal::ViewedTogether))
        })
    };
    assert_eq!(tie_bar(&before), Some(true), "Carol's history links cufflinks and tie bar");
    assert!(before.knows_customer("carol"));
    // What store.forget_customer does: events gone, order lines anonymous.
    let lines: Vec<OrderLine> =
        orders()
            .into_iter()
            .map(|l| {
                if l.customer_id.as_deref() == Some("carol") {
                    OrderLine { customer_id: None, ..l }
                } else {
                    l
                }
            })
            .collect();
    let events: Vec<Event> =
        events().into_iter().filter(|e| e.customer_id.as_deref() != Some("carol")).collect();
    let after = Recommender::train(&catalog(), &lines, &events, &TrainConfig::at(NOW));
    assert!(!after.knows_customer("carol"));
    assert_ne!(tie_bar(&after), Some(true), "no co-occurrence evidence left from Carol");
    let cold = recommend(&after, Context::Customer("carol".into()), 3);
    assert!(cold
        .iter()
        .all(|i| i.why.iter().all(|r| r.signal == Signal::Popular || r.signal == Signal::Trending)));
}

#[test]
fn no_reason_names_a_private_life_event() {
    let rec = world();
    let banned = [
        "engage",
        "wedding",
        "bridal",
        "pregnan",
        "baby",
        "divorce",
        "anniversary",
        "propos",
        "funeral",
        "newborn",
        "marri",
    ];
    let mut contexts: Vec<Context> = ["alice", "bob", "carol", "c1", "s3", "nobody"]
        .iter()
        .map(|c| Context::Customer(c.to_string()))
        .collect();
    contexts.extend(catalog().iter().map(|p| Context::Product(p.id)));
    contexts.push(Context::Trending);
    contexts.push(Context::Session { id: Some("anon".into()), recent: vec![] });
    contexts.push(Context::Cart(vec!["SKU4".into()]));
    for ctx in contexts {
        for item in recommend(&rec, ctx.clone(), 10) {
            assert!(!item.why.is_empty(), "{ctx:?}: {} has no reason", item.title);
            for r in &item.why {
                let d = r.detail.to_lowercase();
                assert!(!banned.iter().any(|b| d.contains(b)), "{ctx:?}: {:?}", r.detail);
            }
        }
    }
}

#[test]
fn gift_finder_respects_budget_recipient_and_variety() {
    let rec = world();
    let items = recommend(&rec, Context::Gift(parse_brief("for mom, under 200")), 5);
    assert!(!items.is_empty());
    let cat = catalog();
    for i in &items {
        let p = cat.iter().find(|p| p.id == i.product_id).unwrap();
        assert!(p.variants[0].price.unwrap().minor <= 20_000, "{} over budget", i.title);
        assert_ne!(p.gender, Some(Gender::Men), "{} is a men's piece", i.title);
        assert!(!matches!(p.category, Some(Category::EngagementRing)));
        assert!(i
            .why
            .iter()
            .any(|r| r.signal == Signal::Budget && r.detail.contains("within your budget of $200")));
    }
    let rings = items.iter().filter(|i| i.title.starts_with("Stack Ring")).count();
    assert!(rings <= 2, "{:?}", ids(&items));
    let dad = recommend(&rec, Context::Gift(parse_brief("for dad")), 5);
    assert!(
        dad.iter().all(|i| cat.iter().find(|p| p.id == i.product_id).unwrap().gender != Some(Gender::Women)),
        "{:?}",
        ids(&dad)
    );
    assert!(ids(&dad).contains(&12), "cufflinks for dad: {:?}", ids(&dad));
    // Regression: "earrings is a classic gift", "a men piece" for a unisex one.
    for i in dad.iter().chain(&items) {
        let p = cat.iter().find(|p| p.id == i.product_id).unwrap();
        for r in &i.why {
            assert!(
                !r.detail.contains(" is a classic gift") && !r.detail.contains("a men piece"),
                "{}",
                r.detail
            );
            if r.detail.contains("piece, for your") {
                let said = match p.gender {
                    Some(Gender::Men) => "a men's piece",
                    Some(Gender::Women) => "a women's piece",
                    Some(Gender::Unisex) => "a unisex piece",
                    _ => "a piece for kids",
                };
                assert!(r.detail.starts_with(said), "{}: {} ({:?})", i.title, r.detail, p.gender);
            }
        }
    }
}

#[test]
fn handles_and_skus_resolve() {
    let rec = world();
    assert_eq!(rec.resolve_product("pearl-studs"), Some(1));
    assert_eq!(rec.resolve_product("1"), Some(1));
    assert_eq!(rec.resolve_product("SKU2"), Some(2));
    assert_eq!(rec.resolve_product("nope"), None);
}

#[test]
fn empty_world_answers_nothing() {
    let rec = Recommender::train(&[], &[], &[], &TrainConfig::at(NOW));
    assert!(rec.recommend(&Request::new(Context::Customer("x".into()), 5)).is_empty());
    assert!(rec.recommend(&Request::new(Context::Gift(parse_brief("for mom")), 5)).is_empty());
}

/// The metal labels and stones of a catalog product, as reasons name them.
fn attributes(p: &Product) -> (Vec<String>, Vec<String>) {
    let metals = p.metals().iter().map(crate::items::metal_label).collect();
    let stones = p.stones().iter().map(|s| s.kind.replace('_', " ")).collect();
    (metals, stones)
}

// Attribute reasons are true of both pieces they name: "also in 14k yellow
// gold, like the Pearl Studs in your cart" when both are 14k yellow gold.
#[test]
fn attribute_reasons_hold_on_both_pieces() {
    let rec = world();
    let cat: Vec<Product> = catalog().into_iter().filter(|p| p.status == ProductStatus::Active).collect();
    let mut contexts: Vec<Context> = Vec::new();
    for a in &cat {
        contexts.push(Context::Product(a.id));
        for b in &cat {
            if a.id < b.id {
                let (ka, kb) = (a.variants[0].sku.clone(), b.variants[0].sku.clone());
                contexts.push(Context::Cart(vec![ka.clone(), kb.clone()]));
                contexts
                    .push(Context::Session { id: None, recent: vec![a.handle.clone(), b.handle.clone()] });
            }
        }
    }
    contexts.extend(["alice", "bob", "carol", "c1", "s3"].iter().map(|c| Context::Customer(c.to_string())));
    let by_title = |t: &str| cat.iter().find(|p| t.starts_with(&format!("the {}", p.title)));
    let mut checked = 0;
    for ctx in contexts {
        for item in recommend(&rec, ctx.clone(), 10) {
            let p = cat.iter().find(|p| p.id == item.product_id).unwrap();
            let (metals, stones) = attributes(p);
            for r in &item.why {
                let d = r.detail.as_str();
                let claim = if let Some(rest) = d.strip_prefix("also in ") {
                    rest.split_once(", like ").map(|(v, seed)| (v, "metal", Some(seed)))
                } else if let Some(rest) = d.strip_prefix("also with ") {
                    rest.split_once(", like ").map(|(v, seed)| (v, "stone", Some(seed)))
                } else if let Some(rest) = d.strip_prefix("matches your preference for ") {
                    Some((rest, "metal or stone", None))
                } else if let Some(rest) = d.strip_prefix("completes the set: same ") {
                    rest.split_once(" as ").map(|(v, seed)| (v, "set", Some(seed)))
                } else if let Some(rest) = d.strip_prefix("same ") {
                    rest.split_once(" as ").map(|(v, seed)| (v, "set", Some(seed)))
                } else {
                    None
                };
                let Some((value, kind, seed)) = claim else { continue };
                checked += 1;
                let holds = |p: &Product| {
                    let (metals, stones) = attributes(p);
                    match kind {
                        "metal" => metals.iter().any(|m| m == value),
                        "stone" => stones.iter().any(|s| s == value),
                        "metal or stone" => metals.iter().chain(&stones).any(|m| m == value),
                        _ => match value.strip_suffix(" collection") {
                            Some(c) => p.collection.as_deref() == Some(c),
                            None => stones.iter().any(|s| s == value),
                        },
                    }
                };
                assert!(holds(p), "{ctx:?}: {} ({metals:?}, {stones:?}): {d:?}", item.title);
                if let Some(seed) = seed {
                    let s = by_title(seed).unwrap_or_else(|| panic!("{ctx:?}: no piece named in {d:?}"));
                    assert!(holds(s), "{ctx:?}: {} is not {value}: {d:?} on {}", s.title, item.title);
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} attribute reasons seen");
}
