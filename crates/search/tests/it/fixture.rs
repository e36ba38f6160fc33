//! A small hand-made jewelry catalog whose right answers are obvious, and
//! helpers to search it.

use model::{
    Category, Currency, Event, EventKind, Gender, Metal, Money, Product, Size, Stone, StoneOrigin, Variant,
};
use search::{BehaviourStats, Config, SearchIndex, SearchRequest, SearchResponse};

/// (sku suffix, metal kind, karat, color, stone, price, inventory, ring size)
pub type V =
    (&'static str, &'static str, Option<u8>, &'static str, &'static str, f64, Option<i64>, Option<f32>);

pub struct P {
    pub handle: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub category: Category,
    pub gender: Option<Gender>,
    pub styles: &'static [&'static str],
    /// (sku suffix, metal kind, karat, color, stone, price, inventory, size)
    pub variants: Vec<V>,
}

fn metal(kind: &str, karat: Option<u8>, color: &str) -> Metal {
    Metal {
        kind: kind.into(),
        karat,
        fineness: None,
        colors: if color.is_empty() { vec![] } else { vec![color.into()] },
        finish: None,
    }
}

pub fn product(id: u64, p: P) -> Product {
    let variants = p
        .variants
        .iter()
        .map(|&(suffix, kind, karat, color, stone, price, inventory, size)| Variant {
            sku: format!("{}-{suffix}", p.handle),
            price: Some(Money::from_major(price, Currency::USD)),
            metals: vec![metal(kind, karat, color)],
            stones: if stone.is_empty() {
                vec![]
            } else {
                vec![Stone { kind: stone.into(), origin: Some(StoneOrigin::Natural), ..Stone::default() }]
            },
            size: size.map(|us| Size::Ring { us, uk: None, eu: None, raw: us.to_string() }),
            inventory,
            ..Variant::default()
        })
        .collect();
    Product {
        id,
        handle: p.handle.into(),
        title: p.title.into(),
        description: p.description.into(),
        category: Some(p.category),
        gender: p.gender,
        styles: p.styles.iter().map(|s| s.to_string()).collect(),
        created_at: 1_700_000_000 + id as i64 * 1000,
        variants,
        ..Product::default()
    }
}

pub fn catalog() -> Vec<Product> {
    use Category::*;
    let w = Some(Gender::Women);
    let m = Some(Gender::Men);
    let v = |list: &[V]| list.to_vec();
    let ps = vec![
        P {
            handle: "dainty-ruby-pendant",
            title: "Dainty Ruby Pendant",
            description:
                "A delicate 14k yellow gold pendant with a single ruby, the July birthstone, on a fine chain.",
            category: Pendant,
            gender: w,
            styles: &["dainty"],
            variants: v(&[("yg", "gold", Some(14), "yellow", "ruby", 129.0, Some(5), None)]),
        },
        P {
            handle: "garnet-drop-necklace",
            title: "Garnet Drop Necklace",
            description: "Yellow gold vermeil necklace with a garnet drop, January's birthstone.",
            category: Necklace,
            gender: w,
            styles: &["dainty"],
            variants: v(&[("yg", "gold", Some(10), "yellow", "garnet", 145.0, Some(3), None)]),
        },
        P {
            handle: "statement-emerald-necklace",
            title: "Emerald Statement Necklace",
            description: "A bold collar of emeralds in 18k yellow gold.",
            category: Necklace,
            gender: w,
            styles: &["statement"],
            variants: v(&[("yg", "gold", Some(18), "yellow", "emerald", 2400.0, Some(2), None)]),
        },
        P {
            handle: "silver-bar-necklace",
            title: "Silver Bar Necklace",
            description: "Minimal sterling silver bar necklace for everyday wear.",
            category: Necklace,
            gender: w,
            styles: &["minimal"],
            variants: v(&[("ss", "silver", None, "", "", 59.0, Some(20), None)]),
        },
        P {
            handle: "stacking-band-thin",
            title: "Thin Stacking Band",
            description: "A thin 14k gold band made for stacking, everyday.",
            category: Ring,
            gender: w,
            styles: &["stackable", "dainty"],
            variants: v(&[
                ("yg-6", "gold", Some(14), "yellow", "", 180.0, Some(4), Some(6.0)),
                ("yg-7", "gold", Some(14), "yellow", "", 180.0, Some(0), Some(7.0)),
                ("rg-7", "gold", Some(14), "rose", "", 180.0, Some(3), Some(7.0)),
            ]),
        },
        P {
            handle: "pave-stacking-ring",
            title: "Pavé Diamond Stacking Ring",
            description: "Micro pavé diamonds on a slim white gold band; stackable.",
            category: Ring,
            gender: w,
            styles: &["stackable", "pave"],
            variants: v(&[("wg-6", "gold", Some(14), "white", "diamond", 690.0, Some(2), Some(6.0))]),
        },
        P {
            handle: "chunky-signet",
            title: "Chunky Signet Ring",
            description: "A heavy sterling silver signet ring.",
            category: Ring,
            gender: m,
            styles: &["chunky"],
            variants: v(&[("ss-10", "silver", None, "", "", 210.0, Some(6), Some(10.0))]),
        },
        P {
            handle: "solitaire-engagement",
            title: "Classic Solitaire Engagement Ring",
            description: "A one carat diamond solitaire in platinum.",
            category: EngagementRing,
            gender: w,
            styles: &["classic", "solitaire"],
            variants: v(&[("pt-6", "platinum", None, "", "diamond", 5200.0, Some(1), Some(6.0))]),
        },
        P {
            handle: "eternity-band",
            title: "Diamond Eternity Band",
            description: "Diamonds all the way round, a classic anniversary gift, in 18k white gold.",
            category: WeddingBand,
            gender: w,
            styles: &["eternity"],
            variants: v(&[("wg-6", "gold", Some(18), "white", "diamond", 1850.0, Some(2), Some(6.0))]),
        },
        P {
            handle: "mens-tungsten-band",
            title: "Men's Brushed Tungsten Wedding Band",
            description: "A durable brushed tungsten band for him.",
            category: WeddingBand,
            gender: m,
            styles: &[],
            variants: v(&[("tu-10", "tungsten", None, "", "", 149.0, Some(10), Some(10.0))]),
        },
        P {
            handle: "rose-gold-huggies",
            title: "Rose Gold Huggie Earrings",
            description: "Small 14k rose gold huggies for everyday.",
            category: Earrings,
            gender: w,
            styles: &["huggie", "minimal"],
            variants: v(&[("rg", "gold", Some(14), "rose", "", 165.0, Some(8), None)]),
        },
        P {
            handle: "rose-gold-topaz-studs",
            title: "Blue Topaz Studs in Rose Gold",
            description: "London blue topaz stud earrings in 10k rose gold.",
            category: Earrings,
            gender: w,
            styles: &["stud"],
            variants: v(&[("rg", "gold", Some(10), "rose", "topaz", 139.0, Some(4), None)]),
        },
        P {
            handle: "pearl-studs",
            title: "Freshwater Pearl Studs",
            description: "Classic pearl stud earrings in sterling silver, June birthstone.",
            category: Earrings,
            gender: w,
            styles: &["stud", "classic"],
            variants: v(&[("ss", "silver", None, "", "pearl", 79.0, Some(12), None)]),
        },
        P {
            handle: "diamond-hoops",
            title: "Diamond Hoop Earrings",
            description: "Pavé diamond hoops in 14k yellow gold.",
            category: Earrings,
            gender: w,
            styles: &["hoop", "pave"],
            variants: v(&[("yg", "gold", Some(14), "yellow", "diamond", 1290.0, Some(0), None)]),
        },
        P {
            handle: "gold-hoops",
            title: "Gold Hoop Earrings",
            description: "Simple 14k yellow gold hoops.",
            category: Earrings,
            gender: w,
            styles: &["hoop"],
            variants: v(&[("yg", "gold", Some(14), "yellow", "", 320.0, Some(6), None)]),
        },
        P {
            handle: "onyx-cufflinks",
            title: "Onyx Cufflinks",
            description: "Black onyx cufflinks in sterling silver, a gift for dad.",
            category: Cufflinks,
            gender: m,
            styles: &[],
            variants: v(&[("ss", "silver", None, "", "onyx", 120.0, Some(7), None)]),
        },
        P {
            handle: "steel-cufflinks",
            title: "Engraved Steel Cufflinks",
            description: "Stainless steel cufflinks, engravable with initials.",
            category: Cufflinks,
            gender: m,
            styles: &["personalized"],
            variants: v(&[("st", "stainless_steel", None, "", "", 65.0, Some(15), None)]),
        },
        P {
            handle: "baby-cross-bracelet",
            title: "Baby Christening Bracelet",
            description: "Sterling silver bracelet with a tiny cross for a christening.",
            category: Bracelet,
            gender: Some(Gender::Kids),
            styles: &["dainty"],
            variants: v(&[("ss", "silver", None, "", "", 55.0, Some(9), None)]),
        },
        P {
            handle: "tennis-bracelet",
            title: "Diamond Tennis Bracelet",
            description: "A line of diamonds in 14k white gold.",
            category: Bracelet,
            gender: w,
            styles: &["tennis"],
            variants: v(&[("wg", "gold", Some(14), "white", "diamond", 2950.0, Some(2), None)]),
        },
        P {
            handle: "mens-chain-bracelet",
            title: "Men's Curb Chain Bracelet",
            description: "Heavy sterling silver curb chain bracelet for him.",
            category: Bracelet,
            gender: m,
            styles: &["chunky"],
            variants: v(&[("ss", "silver", None, "", "", 180.0, Some(5), None)]),
        },
        P {
            handle: "sapphire-ring",
            title: "Sapphire Halo Ring",
            description: "A blue sapphire with a diamond halo in 18k white gold, September birthstone.",
            category: Ring,
            gender: w,
            styles: &["halo"],
            variants: v(&[
                ("wg-6", "gold", Some(18), "white", "sapphire", 1450.0, Some(2), Some(6.0)),
                ("wg-7", "gold", Some(18), "white", "sapphire", 1450.0, Some(1), Some(7.0)),
            ]),
        },
        P {
            handle: "ruby-ring",
            title: "Ruby Three Stone Ring",
            description: "An oval ruby between two diamonds in 14k yellow gold.",
            category: Ring,
            gender: w,
            styles: &["three_stone"],
            variants: v(&[("yg-7", "gold", Some(14), "yellow", "ruby", 980.0, Some(3), Some(7.0))]),
        },
        P {
            handle: "ruby-ring-sold-out",
            title: "Ruby Solitaire Ring",
            description: "A round ruby solitaire in 14k yellow gold.",
            category: Ring,
            gender: w,
            styles: &["solitaire"],
            variants: v(&[("yg-7", "gold", Some(14), "yellow", "ruby", 890.0, Some(0), Some(7.0))]),
        },
        P {
            handle: "gold-chain-18",
            title: "Gold Rope Chain",
            description: "14k yellow gold rope chain.",
            category: Chain,
            gender: None,
            styles: &[],
            variants: vec![],
        },
    ];
    let mut out: Vec<Product> = ps.into_iter().enumerate().map(|(i, p)| product(i as u64 + 1, p)).collect();
    // Chain lengths as variants.
    if let Some(chain) = out.iter_mut().find(|p| p.handle == "gold-chain-18") {
        for (inches, price) in [(16.0f32, 390.0), (18.0, 420.0), (20.0, 450.0)] {
            chain.variants.push(Variant {
                sku: format!("gold-chain-{inches}"),
                price: Some(Money::from_major(price, Currency::USD)),
                metals: vec![metal("gold", Some(14), "yellow")],
                size: Some(Size::Length { cm: inches * 2.54, inches, raw: format!("{inches}in") }),
                inventory: Some(3),
                ..Variant::default()
            });
        }
    }
    out
}

pub fn index() -> SearchIndex {
    SearchIndex::build(&catalog(), &BehaviourStats::default(), &Config::default()).unwrap()
}

pub fn index_with_events(events: &[Event]) -> SearchIndex {
    SearchIndex::build(&catalog(), &BehaviourStats::from_events(events), &Config::default()).unwrap()
}

pub fn search(index: &SearchIndex, q: &str) -> SearchResponse {
    index.search(&SearchRequest::new(q)).unwrap()
}

pub fn handles(r: &SearchResponse) -> Vec<&str> {
    r.hits.iter().map(|h| h.handle.as_str()).collect()
}

pub fn event(kind: EventKind, at: i64, session: &str) -> Event {
    Event {
        id: format!("{session}-{at}"),
        kind,
        at,
        session_id: Some(session.into()),
        customer_id: None,
        product: None,
        sku: None,
        query: None,
        results: vec![],
        position: None,
        quantity: None,
        price: None,
        order_id: None,
        visitor_id: None,
        exposure: None,
    }
}
