//! The demo brand's catalog: products with clean hidden attributes (the truth)
//! and the messy way a real Shopify export writes them (the input).

use std::collections::HashSet;

use model::{Category, Gender};
use rand::Rng;

use crate::rng::{chance, lognormal, pick, unit, weighted, SimRng};

/// A shopper's (and a product's) style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Style {
    Minimal,
    Classic,
    Statement,
    Bohemian,
    Bridal,
}

impl Style {
    pub const ALL: [Style; 5] =
        [Style::Minimal, Style::Classic, Style::Statement, Style::Bohemian, Style::Bridal];

    pub fn as_str(self) -> &'static str {
        match self {
            Style::Minimal => "minimal",
            Style::Classic => "classic",
            Style::Statement => "statement",
            Style::Bohemian => "bohemian",
            Style::Bridal => "bridal",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetalKind {
    Gold,
    /// Gold over sterling silver: reads as gold, priced as fashion.
    Vermeil,
    Silver,
    Platinum,
    StainlessSteel,
    Titanium,
    Tungsten,
}

impl MetalKind {
    /// The canonical `model::Metal::kind` the normalizer should find.
    pub fn canonical(self) -> &'static str {
        match self {
            MetalKind::Gold | MetalKind::Vermeil => "gold",
            MetalKind::Silver => "silver",
            MetalKind::Platinum => "platinum",
            MetalKind::StainlessSteel => "stainless_steel",
            MetalKind::Titanium => "titanium",
            MetalKind::Tungsten => "tungsten",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetalColor {
    Yellow,
    White,
    Rose,
}

impl MetalColor {
    pub fn as_str(self) -> &'static str {
        match self {
            MetalColor::Yellow => "yellow",
            MetalColor::White => "white",
            MetalColor::Rose => "rose",
        }
    }
}

/// One metal option, as the truth knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetalSpec {
    pub kind: MetalKind,
    pub karat: Option<u8>,
    pub color: Option<MetalColor>,
}

impl MetalSpec {
    const fn gold(karat: u8, color: MetalColor) -> MetalSpec {
        MetalSpec { kind: MetalKind::Gold, karat: Some(karat), color: Some(color) }
    }
    const fn plain(kind: MetalKind) -> MetalSpec {
        MetalSpec { kind, karat: None, color: None }
    }

    pub fn fineness(&self) -> Option<u16> {
        match (self.kind, self.karat) {
            (MetalKind::Gold, Some(k)) => Some(match k {
                9 => 375,
                10 => 417,
                14 => 585,
                18 => 750,
                22 => 916,
                _ => 999,
            }),
            (MetalKind::Silver | MetalKind::Vermeil, _) => Some(925),
            (MetalKind::Platinum, _) => Some(950),
            _ => None,
        }
    }

    pub fn finish(&self) -> Option<&'static str> {
        match self.kind {
            MetalKind::Vermeil => Some("vermeil"),
            MetalKind::Gold | MetalKind::Silver | MetalKind::Platinum => Some("solid"),
            _ => None,
        }
    }

    /// Price multiplier relative to 14K gold.
    fn price_factor(&self) -> f64 {
        match (self.kind, self.karat) {
            (MetalKind::Gold, Some(10)) => 0.78,
            (MetalKind::Gold, Some(18)) => 1.45,
            (MetalKind::Gold, _) => 1.0,
            (MetalKind::Vermeil, _) => 0.3,
            (MetalKind::Silver, _) => 0.22,
            (MetalKind::Platinum, _) => 1.75,
            (MetalKind::StainlessSteel, _) => 0.14,
            (MetalKind::Titanium, _) => 0.25,
            (MetalKind::Tungsten, _) => 0.25,
        }
    }

    /// Solid precious metal: what drifting customers move towards.
    pub fn is_investment(&self) -> bool {
        matches!(self.kind, MetalKind::Gold | MetalKind::Platinum) && self.karat.unwrap_or(14) >= 14
    }

    /// Short SKU code (`14Y`, `SS`, `PT`).
    fn code(&self) -> String {
        let color = self.color.map(|c| &c.as_str()[..1]).unwrap_or("").to_ascii_uppercase();
        match self.kind {
            MetalKind::Gold => format!("{}{}", self.karat.unwrap_or(14), color),
            MetalKind::Vermeil => format!("V{color}"),
            MetalKind::Silver => "SS".into(),
            MetalKind::Platinum => "PT".into(),
            MetalKind::StainlessSteel => "ST".into(),
            MetalKind::Titanium => "TI".into(),
            MetalKind::Tungsten => "TC".into(),
        }
    }

    /// How the export writes this metal, in one of several house spellings
    /// (different people entered different products).
    pub fn spelled(&self, dialect: u8) -> String {
        let d = dialect % 6;
        match self.kind {
            MetalKind::Gold => {
                let k = self.karat.unwrap_or(14);
                let c = self.color.unwrap_or(MetalColor::Yellow);
                let (word, short) = match c {
                    MetalColor::Yellow => ("Yellow", "YG"),
                    MetalColor::White => ("White", "WG"),
                    MetalColor::Rose => ("Rose", "RG"),
                };
                let fineness = self.fineness().unwrap_or(585);
                match d {
                    0 => format!("{k}K {word} Gold"),
                    1 => format!("{k}K {short}"),
                    2 => format!("{k}kt {}", word.to_lowercase()),
                    3 => format!("{word} Gold {k}ct"),
                    4 => {
                        let color =
                            if c == MetalColor::Rose { "red".to_string() } else { word.to_lowercase() };
                        format!("{color}-{fineness}")
                    }
                    _ => {
                        let color = if c == MetalColor::Rose && k == 18 {
                            "pink".to_string()
                        } else {
                            word.to_lowercase()
                        };
                        format!("{k}k {color} gold")
                    }
                }
            }
            MetalKind::Vermeil => {
                let c = if self.color == Some(MetalColor::Rose) { "Rose " } else { "" };
                [
                    "Gold Vermeil",
                    "18K Gold Vermeil",
                    "vermeil",
                    "Gold Vermeil",
                    "Vermeil (925 silver)",
                    "gold vermeil",
                ][d as usize]
                    .replacen("Gold", &format!("{c}Gold"), 1)
            }
            MetalKind::Silver => {
                ["Sterling Silver", "925 Sterling", "Silver 925", "sterling", "Sterling Silver", "925 silver"]
                    [d as usize]
                    .into()
            }
            MetalKind::Platinum => {
                ["Platinum", "PT950", "950 Platinum", "Plat 950", "Platinum", "platinum 950/1000"][d as usize]
                    .into()
            }
            MetalKind::StainlessSteel => {
                ["Stainless Steel", "316L Steel", "stainless steel", "Stainless", "Stainless Steel", "steel"]
                    [d as usize]
                    .into()
            }
            MetalKind::Titanium => {
                ["Titanium", "titanium", "Grade 5 Titanium", "Titanium", "Titanium", "titanium"][d as usize]
                    .into()
            }
            MetalKind::Tungsten => [
                "Tungsten Carbide",
                "Tungsten",
                "tungsten carbide",
                "Tungsten",
                "Tungsten Carbide",
                "tungsten",
            ][d as usize]
                .into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    Natural,
    LabGrown,
    Simulant,
}

impl Origin {
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Natural => "natural",
            Origin::LabGrown => "lab_grown",
            Origin::Simulant => "simulant",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StoneSpec {
    /// Canonical stone kind (`diamond`, `pearl`, `cubic_zirconia`).
    pub kind: &'static str,
    pub origin: Origin,
    /// Total carat weight, where it means something.
    pub carat: Option<f64>,
}

/// A variant's size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SizeSpec {
    /// US ring size.
    Ring(f32),
    /// Chain, bracelet or anklet length in inches.
    Length(f32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sizing {
    None,
    Ring,
    BigRing,
    Necklace,
    Bracelet,
    Anklet,
}

/// A kind of piece the brand makes (`huggie hoops`, `tennis bracelet`).
struct Kind {
    category: Category,
    name: &'static str,
    /// The word a shopper would use for this kind specifically, if any.
    keyword: Option<&'static str>,
    weight: f64,
    styles: &'static [Style],
    /// Probability that the piece has a stone, and which.
    stone_p: f64,
    stones: &'static [&'static str],
    /// Median price in 14K gold without stones, USD.
    price: f64,
    sizing: Sizing,
    gender: Gender,
}

const ALL_STYLES: &[Style] = &Style::ALL;
use Style::*;
const FINE: &[&str] = &[
    "diamond",
    "diamond",
    "diamond",
    "sapphire",
    "ruby",
    "emerald",
    "pearl",
    "topaz",
    "amethyst",
    "aquamarine",
    "garnet",
    "opal",
    "morganite",
    "peridot",
    "tanzanite",
];
const FASHION: &[&str] = &[
    "cubic_zirconia",
    "cubic_zirconia",
    "pearl",
    "opal",
    "turquoise",
    "onyx",
    "amethyst",
    "quartz",
    "moonstone",
];
const BRIDAL: &[&str] = &["diamond", "diamond", "diamond", "diamond", "moissanite", "sapphire"];

#[rustfmt::skip]
const KINDS: &[Kind] = &[
    Kind { category: Category::Ring, name: "Stacking Ring", keyword: Some("stacking ring"), weight: 5.0, styles: &[Minimal, Classic], stone_p: 0.4, stones: FINE, price: 260.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::Ring, name: "Signet Ring", keyword: Some("signet ring"), weight: 2.5, styles: &[Classic, Statement], stone_p: 0.1, stones: FINE, price: 520.0, sizing: Sizing::Ring, gender: Gender::Unisex },
    Kind { category: Category::Ring, name: "Cocktail Ring", keyword: Some("cocktail ring"), weight: 2.0, styles: &[Statement], stone_p: 1.0, stones: FINE, price: 1100.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::Ring, name: "Dome Ring", keyword: None, weight: 1.5, styles: &[Statement, Bohemian], stone_p: 0.2, stones: FASHION, price: 480.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::Ring, name: "Birthstone Ring", keyword: Some("birthstone ring"), weight: 2.0, styles: &[Minimal, Classic], stone_p: 1.0, stones: FINE, price: 300.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::Ring, name: "Twist Ring", keyword: None, weight: 1.5, styles: &[Bohemian, Minimal], stone_p: 0.2, stones: FASHION, price: 240.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::Ring, name: "Eternity Ring", keyword: Some("eternity ring"), weight: 1.5, styles: &[Classic, Bridal], stone_p: 1.0, stones: BRIDAL, price: 1400.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::EngagementRing, name: "Solitaire Engagement Ring", keyword: Some("solitaire"), weight: 3.0, styles: &[Bridal, Classic], stone_p: 1.0, stones: BRIDAL, price: 2400.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::EngagementRing, name: "Halo Engagement Ring", keyword: Some("halo"), weight: 2.0, styles: &[Bridal, Statement], stone_p: 1.0, stones: BRIDAL, price: 2900.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::EngagementRing, name: "Three-Stone Engagement Ring", keyword: Some("three stone"), weight: 1.5, styles: &[Bridal, Classic], stone_p: 1.0, stones: BRIDAL, price: 3300.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::EngagementRing, name: "Hidden Halo Engagement Ring", keyword: Some("hidden halo"), weight: 1.0, styles: &[Bridal, Minimal], stone_p: 1.0, stones: BRIDAL, price: 2700.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::WeddingBand, name: "Wedding Band", keyword: None, weight: 2.5, styles: &[Bridal, Classic, Minimal], stone_p: 0.15, stones: BRIDAL, price: 650.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::WeddingBand, name: "Curved Wedding Band", keyword: Some("curved band"), weight: 1.0, styles: &[Bridal], stone_p: 0.6, stones: BRIDAL, price: 900.0, sizing: Sizing::Ring, gender: Gender::Women },
    Kind { category: Category::WeddingBand, name: "Men's Comfort Fit Band", keyword: Some("mens wedding band"), weight: 2.0, styles: &[Classic, Minimal, Bridal], stone_p: 0.0, stones: BRIDAL, price: 800.0, sizing: Sizing::BigRing, gender: Gender::Men },
    Kind { category: Category::Necklace, name: "Pendant Necklace", keyword: None, weight: 4.0, styles: ALL_STYLES, stone_p: 0.6, stones: FINE, price: 420.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Necklace, name: "Bar Necklace", keyword: Some("bar necklace"), weight: 1.5, styles: &[Minimal], stone_p: 0.1, stones: FINE, price: 280.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Necklace, name: "Initial Necklace", keyword: Some("initial necklace"), weight: 2.0, styles: &[Minimal, Classic], stone_p: 0.2, stones: FINE, price: 260.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Necklace, name: "Tennis Necklace", keyword: Some("tennis necklace"), weight: 1.0, styles: &[Statement, Classic], stone_p: 1.0, stones: BRIDAL, price: 3800.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Necklace, name: "Strand Necklace", keyword: Some("strand"), weight: 1.0, styles: &[Classic, Bridal], stone_p: 1.0, stones: &["pearl"], price: 900.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Necklace, name: "Layered Necklace", keyword: Some("layered necklace"), weight: 1.5, styles: &[Bohemian, Statement], stone_p: 0.3, stones: FASHION, price: 240.0, sizing: Sizing::Necklace, gender: Gender::Women },
    Kind { category: Category::Pendant, name: "Heart Pendant", keyword: Some("heart"), weight: 2.0, styles: &[Classic, Minimal], stone_p: 0.5, stones: FINE, price: 380.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Pendant, name: "Solitaire Pendant", keyword: Some("solitaire pendant"), weight: 1.5, styles: &[Classic, Bridal], stone_p: 1.0, stones: BRIDAL, price: 1200.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Pendant, name: "Coin Pendant", keyword: Some("coin"), weight: 1.5, styles: &[Bohemian, Statement], stone_p: 0.0, stones: FASHION, price: 450.0, sizing: Sizing::None, gender: Gender::Unisex },
    Kind { category: Category::Pendant, name: "Locket", keyword: Some("locket"), weight: 1.0, styles: &[Classic], stone_p: 0.1, stones: FINE, price: 520.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Chain, name: "Paperclip Chain", keyword: Some("paperclip"), weight: 2.0, styles: &[Minimal, Statement], stone_p: 0.0, stones: FINE, price: 620.0, sizing: Sizing::Necklace, gender: Gender::Unisex },
    Kind { category: Category::Chain, name: "Rope Chain", keyword: Some("rope chain"), weight: 1.5, styles: &[Classic], stone_p: 0.0, stones: FINE, price: 900.0, sizing: Sizing::Necklace, gender: Gender::Unisex },
    Kind { category: Category::Chain, name: "Cuban Link Chain", keyword: Some("cuban"), weight: 1.5, styles: &[Statement], stone_p: 0.0, stones: FINE, price: 1600.0, sizing: Sizing::Necklace, gender: Gender::Men },
    Kind { category: Category::Chain, name: "Cable Chain", keyword: None, weight: 1.5, styles: &[Minimal, Classic], stone_p: 0.0, stones: FINE, price: 300.0, sizing: Sizing::Necklace, gender: Gender::Unisex },
    Kind { category: Category::Earrings, name: "Stud Earrings", keyword: Some("studs"), weight: 5.0, styles: &[Minimal, Classic, Bridal], stone_p: 0.85, stones: FINE, price: 320.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Earrings, name: "Huggie Hoops", keyword: Some("huggies"), weight: 4.0, styles: &[Minimal, Classic], stone_p: 0.35, stones: FINE, price: 340.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Earrings, name: "Hoop Earrings", keyword: Some("hoops"), weight: 3.0, styles: &[Classic, Statement, Bohemian], stone_p: 0.1, stones: FASHION, price: 420.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Earrings, name: "Drop Earrings", keyword: Some("drop earrings"), weight: 2.5, styles: &[Statement, Bohemian, Bridal], stone_p: 0.7, stones: FINE, price: 560.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Earrings, name: "Ear Climbers", keyword: Some("ear climber"), weight: 1.0, styles: &[Bohemian, Minimal], stone_p: 0.5, stones: FASHION, price: 220.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Earrings, name: "Chandelier Earrings", keyword: Some("chandelier"), weight: 1.0, styles: &[Statement, Bohemian], stone_p: 0.8, stones: FASHION, price: 600.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Bracelet, name: "Tennis Bracelet", keyword: Some("tennis bracelet"), weight: 2.0, styles: &[Classic, Statement, Bridal], stone_p: 1.0, stones: BRIDAL, price: 2600.0, sizing: Sizing::Bracelet, gender: Gender::Women },
    Kind { category: Category::Bracelet, name: "Chain Bracelet", keyword: None, weight: 2.5, styles: &[Minimal, Classic], stone_p: 0.1, stones: FINE, price: 340.0, sizing: Sizing::Bracelet, gender: Gender::Women },
    Kind { category: Category::Bracelet, name: "Bangle", keyword: Some("bangle"), weight: 2.0, styles: &[Classic, Bohemian], stone_p: 0.2, stones: FINE, price: 520.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Bracelet, name: "Cuff", keyword: Some("cuff"), weight: 1.5, styles: &[Statement, Bohemian], stone_p: 0.2, stones: FASHION, price: 480.0, sizing: Sizing::None, gender: Gender::Unisex },
    Kind { category: Category::Bracelet, name: "Beaded Bracelet", keyword: Some("beaded bracelet"), weight: 1.5, styles: &[Bohemian], stone_p: 1.0, stones: &["pearl", "turquoise", "onyx", "amethyst", "quartz"], price: 160.0, sizing: Sizing::Bracelet, gender: Gender::Unisex },
    Kind { category: Category::Anklet, name: "Chain Anklet", keyword: None, weight: 1.2, styles: &[Bohemian, Minimal], stone_p: 0.2, stones: FASHION, price: 180.0, sizing: Sizing::Anklet, gender: Gender::Women },
    Kind { category: Category::Brooch, name: "Brooch", keyword: None, weight: 0.5, styles: &[Statement, Classic], stone_p: 0.7, stones: FINE, price: 700.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Cufflinks, name: "Cufflinks", keyword: None, weight: 0.8, styles: &[Classic], stone_p: 0.2, stones: &["onyx", "sapphire"], price: 450.0, sizing: Sizing::None, gender: Gender::Men },
    Kind { category: Category::Charm, name: "Charm", keyword: None, weight: 1.5, styles: &[Minimal, Bohemian], stone_p: 0.3, stones: FINE, price: 180.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Cross, name: "Cross Pendant", keyword: None, weight: 0.8, styles: &[Classic], stone_p: 0.3, stones: FINE, price: 380.0, sizing: Sizing::Necklace, gender: Gender::Unisex },
    Kind { category: Category::Watch, name: "Bangle Watch", keyword: Some("watch"), weight: 0.3, styles: &[Classic], stone_p: 0.2, stones: FINE, price: 1800.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Set, name: "Gift Set", keyword: Some("gift set"), weight: 0.6, styles: &[Minimal, Classic], stone_p: 0.5, stones: FINE, price: 500.0, sizing: Sizing::None, gender: Gender::Women },
    Kind { category: Category::Other, name: "Jewelry Box", keyword: Some("jewelry box"), weight: 0.3, styles: &[Classic], stone_p: 0.0, stones: FINE, price: 60.0, sizing: Sizing::None, gender: Gender::Unisex },
];

const COLLECTION_NAMES: &[&str] = &[
    "Pearl",
    "Celestial",
    "Bloom",
    "Aria",
    "Heritage",
    "Mariner",
    "Luna",
    "Solstice",
    "Ember",
    "Tide",
    "Petal",
    "Orbit",
    "Vine",
    "Kindred",
    "Atelier",
    "Etoile",
    "Riviera",
    "Cove",
    "Sable",
    "Halcyon",
    "Meridian",
    "Juniper",
    "Sol",
    "Astra",
    "Willow",
    "Nova",
    "Coral",
    "Serein",
    "Marigold",
    "Opaline",
    "Aurora",
    "Lumen",
    "Terra",
    "Isla",
    "Fleur",
    "Vega",
    "Poppy",
    "Saffron",
    "Ivy",
    "Wren",
];

const NAME_WORDS: &[&str] = &[
    "Ada",
    "Bea",
    "Cleo",
    "Dara",
    "Elle",
    "Faye",
    "Gia",
    "Hana",
    "Iris",
    "June",
    "Kaia",
    "Lila",
    "Maya",
    "Nola",
    "Olive",
    "Pia",
    "Quinn",
    "Rae",
    "Sage",
    "Tess",
    "Uma",
    "Vera",
    "Wila",
    "Zoe",
    "Arlo",
    "Bodhi",
    "Coco",
    "Dove",
    "Eden",
    "Fern",
    "Golden Hour",
    "Halo",
    "Infinity",
    "Knot",
    "Lace",
    "Mini",
    "North Star",
    "Orb",
    "Pavé",
    "Ripple",
    "Sparkle",
    "Tiny",
    "Twist",
    "Wave",
    "Zig",
    "Bold",
    "Classic",
    "Everyday",
    "Vintage",
    "Dainty",
    "Chunky",
];

/// A collection: pieces designed to be worn together.
#[derive(Clone, Debug)]
pub struct Collection {
    pub name: String,
    pub style: Style,
    pub stone: Option<&'static str>,
    pub handles: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct SimVariant {
    pub sku: String,
    pub metal: MetalSpec,
    pub size: Option<SizeSpec>,
    /// USD cents.
    pub price: i64,
    pub compare_at: Option<i64>,
    pub unit_cost: i64,
    pub lead_time_days: u32,
    pub grams: f64,
    /// Option values as written in the export, in option order.
    pub options: Vec<String>,
    /// The export leaves this variant's price blank (data-quality noise).
    pub price_missing: bool,
}

#[derive(Clone, Debug)]
pub struct SimProduct {
    pub handle: String,
    pub title: String,
    pub category: Category,
    pub kind: &'static str,
    pub keyword: Option<&'static str>,
    pub gender: Gender,
    pub style: Style,
    pub collection: Option<String>,
    pub stone: Option<StoneSpec>,
    pub variants: Vec<SimVariant>,
    /// Relative appeal (hidden): how often shoppers choose it when it fits.
    pub popularity: f64,
    /// Day index (from the start date) when the product went on sale.
    pub launch_day: u32,
    /// `active`, `draft` or `archived`.
    pub status: &'static str,
    pub option_names: Vec<String>,
    pub vendor: Option<String>,
    pub type_text: Option<String>,
    pub tags: Vec<String>,
    pub body_html: String,
    /// Lower-case title words, for the simulated storefront's keyword search.
    pub title_words: Vec<String>,
    /// The cheapest variant's price, USD cents.
    pub cheapest: i64,
}

impl SimProduct {
    pub fn min_price(&self) -> i64 {
        self.cheapest
    }
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
    pub fn investment(&self) -> bool {
        self.variants.iter().any(|v| v.metal.is_investment())
            || self.stone.as_ref().is_some_and(|s| s.kind == "diamond" && s.origin == Origin::Natural)
    }
    pub fn metals(&self) -> Vec<MetalSpec> {
        let mut out: Vec<MetalSpec> = Vec::new();
        for v in &self.variants {
            if !out.contains(&v.metal) {
                out.push(v.metal);
            }
        }
        out
    }
}

fn price_point(usd: f64) -> i64 {
    let usd = usd.clamp(40.0, 15_000.0);
    let whole = if usd < 100.0 {
        (usd / 10.0).round() * 10.0 - 1.0
    } else if usd < 1000.0 {
        (usd / 10.0).round() * 10.0 - 5.0
    } else {
        (usd / 50.0).round() * 50.0 - 5.0
    };
    (whole.max(39.0) * 100.0) as i64
}

fn stone_factor(stone: &StoneSpec) -> f64 {
    let carat = stone.carat.unwrap_or(0.1);
    match (stone.kind, stone.origin) {
        ("diamond", Origin::Natural) => 1.0 + carat * 5.5,
        ("diamond", _) => 1.0 + carat * 1.6,
        ("moissanite", _) => 1.0 + carat * 0.8,
        ("sapphire" | "ruby" | "emerald" | "tanzanite", _) => 1.0 + carat * 2.0,
        ("pearl", _) => 1.25,
        ("cubic_zirconia", _) => 0.95,
        _ => 1.15,
    }
}

fn stone_words(stone: &StoneSpec, dialect: u8) -> String {
    let k = stone.kind;
    let name = match k {
        "cubic_zirconia" => ["Cubic Zirconia", "CZ", "cz", "Zirconia"][dialect as usize % 4].to_string(),
        "diamond" => match stone.origin {
            Origin::LabGrown => {
                ["Lab Diamond", "Lab-Grown Diamond", "lab grown diamond", "Lab Created Diamond"]
                    [dialect as usize % 4]
                    .into()
            }
            _ => ["Diamond", "Diamond", "diamond", "Natural Diamond"][dialect as usize % 4].into(),
        },
        other => {
            let mut c = other.chars();
            let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or(' ');
            format!("{first}{}", c.as_str())
        }
    };
    name
}

/// Parameters of the catalog generator.
pub(crate) struct CatalogConfig {
    pub products: usize,
    pub days: u32,
}

pub(crate) fn generate(rng: &mut SimRng, cfg: &CatalogConfig) -> (Vec<SimProduct>, Vec<Collection>) {
    let weights: Vec<f64> = KINDS.iter().map(|k| k.weight).collect();
    let mut handles = HashSet::new();
    let mut products = Vec::with_capacity(cfg.products);
    let mut collections: Vec<Collection> = Vec::new();
    // About 40% of pieces belong to a collection of 3-8 pieces.
    let n_collections = (cfg.products / 12).clamp(1, COLLECTION_NAMES.len() * 4);
    for i in 0..n_collections {
        let base = COLLECTION_NAMES[i % COLLECTION_NAMES.len()];
        let name = if i < COLLECTION_NAMES.len() {
            base.to_string()
        } else {
            format!("{base} {}", ["II", "III", "IV"][(i / COLLECTION_NAMES.len() - 1) % 3])
        };
        let style = if base == "Pearl" { Classic } else { *pick(rng, &Style::ALL) };
        let stone = if base == "Pearl" {
            Some("pearl")
        } else if chance(rng, 0.6) {
            Some(*pick(rng, if style == Bohemian { FASHION } else { FINE }))
        } else {
            None
        };
        collections.push(Collection { name, style, stone, handles: Vec::new() });
    }
    let mut sku_seq = 0u32;
    while products.len() < cfg.products {
        let idx = products.len();
        // Collections get their pieces first so that every one has a set
        // across categories (studs, necklace, bracelet, ring).
        let coll_idx = if idx < n_collections * 5 { Some(idx % n_collections) } else { None };
        let kind = match coll_idx {
            Some(_) => {
                let slot = idx / n_collections;
                let want = [
                    Category::Earrings,
                    Category::Necklace,
                    Category::Bracelet,
                    Category::Ring,
                    Category::Pendant,
                ][slot];
                let options: Vec<usize> = KINDS
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| k.category == want && k.gender != Gender::Men)
                    .map(|(i, _)| i)
                    .collect();
                let w: Vec<f64> = options.iter().map(|&i| KINDS[i].weight).collect();
                &KINDS[options[weighted(rng, &w).unwrap_or(0)]]
            }
            None => &KINDS[weighted(rng, &weights).unwrap_or(0)],
        };
        let coll = coll_idx.map(|i| collections[i].clone());
        let product = make_product(rng, kind, coll.as_ref(), cfg, &mut handles, &mut sku_seq);
        if let Some(i) = coll_idx {
            collections[i].handles.push(product.handle.clone());
        }
        products.push(product);
    }
    (products, collections)
}

fn make_product(
    rng: &mut SimRng,
    kind: &'static Kind,
    coll: Option<&Collection>,
    cfg: &CatalogConfig,
    handles: &mut HashSet<String>,
    sku_seq: &mut u32,
) -> SimProduct {
    let style = match coll {
        Some(c) if kind.styles.contains(&c.style) || chance(rng, 0.7) => c.style,
        _ => *pick(rng, kind.styles),
    };
    let stone_kind = match coll.and_then(|c| c.stone) {
        Some(s) if kind.stone_p > 0.0 => Some(s),
        _ if chance(rng, kind.stone_p) => Some(*pick(rng, kind.stones)),
        _ => None,
    };
    // Fine or fashion: bohemian and statement pieces are more often silver
    // or vermeil; bridal is solid gold or platinum.
    let fashion = match style {
        Bridal => false,
        Bohemian => chance(rng, 0.65),
        Statement => chance(rng, 0.4),
        _ => chance(rng, 0.3),
    } && !matches!(kind.category, Category::EngagementRing | Category::Watch | Category::Other);
    let stone = stone_kind.map(|k| {
        let origin = match k {
            "cubic_zirconia" | "crystal" => Origin::Simulant,
            "diamond" if fashion || chance(rng, 0.35) => Origin::LabGrown,
            "sapphire" | "ruby" | "emerald" if chance(rng, 0.15) => Origin::LabGrown,
            _ => Origin::Natural,
        };
        let carat = match (k, kind.category) {
            ("pearl", _) => None,
            (_, Category::EngagementRing) => Some(*pick(rng, &[0.5, 0.75, 1.0, 1.0, 1.25, 1.5, 2.0])),
            (_, Category::Earrings | Category::Pendant | Category::Necklace | Category::Bracelet)
                if k == "diamond" =>
            {
                Some(*pick(rng, &[0.1, 0.15, 0.25, 0.33, 0.5, 0.75, 1.0]))
            }
            _ => Some(*pick(rng, &[0.05, 0.1, 0.2, 0.25, 0.5, 0.75])),
        };
        StoneSpec { kind: k, origin, carat }
    });
    let metals = pick_metals(rng, kind, style, fashion);
    let sizes: Vec<SizeSpec> = match kind.sizing {
        Sizing::Ring => {
            let half = matches!(kind.category, Category::EngagementRing) || chance(rng, 0.5);
            let (lo, hi) = if kind.category == Category::EngagementRing { (4.0, 9.0) } else { (5.0, 9.0) };
            let step = if half { 0.5 } else { 1.0 };
            let mut v = Vec::new();
            let mut s: f32 = lo;
            while s <= hi + 0.01 {
                v.push(SizeSpec::Ring(s));
                s += step;
            }
            v
        }
        Sizing::BigRing => (8..=13).map(|s| SizeSpec::Ring(s as f32)).collect(),
        Sizing::Necklace if kind.category == Category::Chain => [16.0, 18.0, 20.0, 22.0, 24.0]
            .into_iter()
            .take(rng.gen_range(3..=5))
            .map(SizeSpec::Length)
            .collect(),
        Sizing::Necklace => {
            if chance(rng, 0.55) {
                vec![SizeSpec::Length(16.0), SizeSpec::Length(18.0), SizeSpec::Length(20.0)]
            } else {
                Vec::new()
            }
        }
        Sizing::Bracelet if chance(rng, 0.5) => {
            vec![SizeSpec::Length(6.5), SizeSpec::Length(7.0), SizeSpec::Length(7.5)]
        }
        Sizing::Anklet if chance(rng, 0.5) => vec![SizeSpec::Length(9.0), SizeSpec::Length(10.0)],
        _ => Vec::new(),
    };

    let dialect = rng.gen_range(0..6u8);
    let name_word = *pick(rng, NAME_WORDS);
    let coll_name = coll.map(|c| c.name.clone());
    let prefix = coll_name.clone().unwrap_or_else(|| name_word.to_string());
    // Some pieces carry their only metal in the title instead of an option.
    let metal_in_title = metals.len() == 1 && chance(rng, 0.5);
    // "Pearl Pearl Studs" reads wrong: a collection named after its stone
    // leaves the stone out of the title.
    let stone_in_title =
        stone.as_ref().is_some_and(|s| !prefix.eq_ignore_ascii_case(s.kind)) && chance(rng, 0.7);
    let mut title = prefix.clone();
    if let Some(s) = stone.as_ref().filter(|_| stone_in_title) {
        title.push(' ');
        title.push_str(&stone_words(s, dialect));
    }
    title.push(' ');
    title.push_str(kind.name);
    if metal_in_title {
        title.push_str(if chance(rng, 0.5) { " in " } else { " - " });
        title.push_str(&metals[0].spelled(dialect));
    }
    if chance(rng, 0.03) {
        title = title.to_uppercase();
    }
    let mut handle = slug(&format!(
        "{prefix} {}{}",
        stone
            .as_ref()
            .filter(|_| stone_in_title)
            .map(|s| format!("{} ", s.kind.replace('_', " ")))
            .unwrap_or_default(),
        kind.name
    ));
    if handles.contains(&handle) {
        let mut n = 2;
        while handles.contains(&format!("{handle}-{n}")) {
            n += 1;
        }
        handle = format!("{handle}-{n}");
    }
    handles.insert(handle.clone());

    // Price: median by kind, spread per product, metal and stone factors.
    let base = lognormal(rng, kind.price, 0.35);
    let stone_mul = stone.as_ref().map(stone_factor).unwrap_or(1.0);
    let on_sale = chance(rng, 0.08);
    let cat_code = match kind.category {
        Category::Ring => "RG",
        Category::EngagementRing => "ER",
        Category::WeddingBand => "WB",
        Category::Necklace => "NK",
        Category::Pendant => "PD",
        Category::Chain => "CH",
        Category::Earrings => "EA",
        Category::Bracelet => "BR",
        Category::Anklet => "AN",
        Category::Brooch => "BC",
        Category::Cufflinks => "CL",
        Category::Charm => "CM",
        Category::Cross => "CR",
        Category::Watch => "WT",
        Category::Set => "ST",
        Category::Other => "OT",
    };
    *sku_seq += 1;
    let sku_base = format!("{cat_code}{:05}", *sku_seq);
    let metal_option = !metal_in_title;
    let mut option_names = Vec::new();
    if metal_option {
        option_names.push(pick(rng, &["Metal", "Metal", "Material", "Metal Type"]).to_string());
    }
    if !sizes.is_empty() {
        option_names.push(match kind.sizing {
            Sizing::Ring | Sizing::BigRing => pick(rng, &["Size", "Ring Size", "Size"]).to_string(),
            _ => pick(rng, &["Length", "Chain Length", "Length"]).to_string(),
        });
    }
    let lead_time = if stone.as_ref().is_some_and(|s| s.kind == "diamond" && s.origin == Origin::Natural)
        || kind.category == Category::EngagementRing
    {
        rng.gen_range(21..=45)
    } else if fashion {
        rng.gen_range(30..=75)
    } else {
        rng.gen_range(14..=40)
    };
    let length_dialect = rng.gen_range(0..3u8);
    let mut variants = Vec::new();
    for metal in &metals {
        let size_list: Vec<Option<SizeSpec>> =
            if sizes.is_empty() { vec![None] } else { sizes.iter().copied().map(Some).collect() };
        for size in size_list {
            let mut price = base * metal.price_factor() * stone_mul;
            if let Some(SizeSpec::Length(l)) = size {
                price *= 1.0 + (l as f64 - 16.0).max(0.0) * 0.04;
            }
            if let Some(SizeSpec::Ring(s)) = size {
                if s >= 10.0 {
                    price *= 1.05;
                }
            }
            let price = price_point(price);
            let compare_at = on_sale.then(|| price_point(price as f64 / 100.0 * 1.25));
            let cost_share = match metal.kind {
                MetalKind::Gold | MetalKind::Platinum => 0.42,
                _ => 0.22,
            };
            let unit_cost = ((price as f64) * cost_share * (0.9 + 0.2 * unit(rng))).round() as i64;
            let mut options = Vec::new();
            if metal_option {
                options.push(metal.spelled(dialect));
            }
            let size_code = match size {
                Some(SizeSpec::Ring(s)) => {
                    options.push(fmt_size(s));
                    format!("-{}", fmt_size(s))
                }
                Some(SizeSpec::Length(l)) => {
                    options.push(match length_dialect {
                        0 => format!("{}\"", fmt_size(l)),
                        1 => format!("{} inches", fmt_size(l)),
                        _ => format!("{} in", fmt_size(l)),
                    });
                    format!("-{}", fmt_size(l))
                }
                None => String::new(),
            };
            let grams = match kind.category {
                Category::Ring | Category::WeddingBand | Category::EngagementRing => 3.0,
                Category::Chain | Category::Bracelet => 6.0,
                _ => 2.5,
            } * (0.7 + 0.6 * unit(rng));
            variants.push(SimVariant {
                sku: format!("{sku_base}-{}{size_code}", metal.code()),
                metal: *metal,
                size,
                price,
                compare_at,
                unit_cost,
                lead_time_days: lead_time,
                grams: (grams * 10.0).round() / 10.0,
                options,
                price_missing: chance(rng, 0.002),
            });
        }
    }
    let popularity = lognormal(rng, 1.0, 0.9);
    // Most of the catalog exists at the start; the rest launches over time.
    let launch_day = if chance(rng, 0.7) { 0 } else { rng.gen_range(0..cfg.days.max(1)) };
    let status = if chance(rng, 0.03) {
        "draft"
    } else if chance(rng, 0.02) {
        "archived"
    } else {
        "active"
    };
    let vendor = if chance(rng, 0.04) {
        None
    } else if chance(rng, 0.05) {
        Some("Loupe Demo Co.".to_string())
    } else {
        Some("Loupe Demo Jewelry".to_string())
    };
    let type_text =
        if chance(rng, 0.04) { None } else { Some(pick(rng, type_spellings(kind.category)).to_string()) };
    let mut tags = vec![style.as_str().to_string()];
    if let Some(c) = &coll_name {
        tags.push(format!("{c} Collection"));
    }
    let min_price = variants.iter().map(|v| v.price).min().unwrap_or(0);
    if min_price < 20_000 && chance(rng, 0.7) {
        tags.push(pick(rng, &["under-200", "Under $200", "gifts under 200"]).to_string());
    }
    if kind.gender == Gender::Men {
        tags.push(pick(rng, &["mens", "for him", "Men"]).to_string());
    } else if chance(rng, 0.3) {
        tags.push(pick(rng, &["for her", "womens", "gift for her"]).to_string());
    }
    if chance(rng, 0.25) {
        tags.push("gift".into());
    }
    if let Some(s) = &stone {
        if chance(rng, 0.5) {
            tags.push(s.kind.replace('_', " "));
        }
    }
    if kind.keyword.is_some_and(|k| k.contains("stacking")) || chance(rng, 0.05) {
        tags.push("stackable".into());
    }
    let body_html = body(rng, kind, &metals, stone.as_ref(), style, dialect);
    let title_words = words(&title);
    SimProduct {
        handle,
        title,
        category: kind.category,
        kind: kind.name,
        keyword: kind.keyword,
        gender: kind.gender,
        style,
        collection: coll_name,
        stone,
        variants,
        popularity,
        launch_day,
        status,
        option_names,
        vendor,
        type_text,
        tags,
        body_html,
        title_words,
        cheapest: min_price,
    }
}

fn pick_metals(rng: &mut SimRng, kind: &Kind, style: Style, fashion: bool) -> Vec<MetalSpec> {
    use MetalColor::*;
    if kind.gender == Gender::Men && kind.category == Category::WeddingBand {
        let all = [
            MetalSpec::plain(MetalKind::Tungsten),
            MetalSpec::plain(MetalKind::Titanium),
            MetalSpec::gold(14, Yellow),
            MetalSpec::gold(14, White),
            MetalSpec::plain(MetalKind::Platinum),
        ];
        let start = rng.gen_range(0..3);
        return all[start..start + rng.gen_range(1..=3)].to_vec();
    }
    if kind.category == Category::Other {
        return vec![MetalSpec::plain(MetalKind::StainlessSteel)];
    }
    if fashion {
        return match rng.gen_range(0..4) {
            0 => vec![MetalSpec::plain(MetalKind::Silver)],
            1 => vec![MetalSpec { kind: MetalKind::Vermeil, karat: Some(18), color: Some(Yellow) }],
            2 => vec![
                MetalSpec { kind: MetalKind::Vermeil, karat: Some(18), color: Some(Yellow) },
                MetalSpec::plain(MetalKind::Silver),
            ],
            _ => vec![
                MetalSpec { kind: MetalKind::Vermeil, karat: Some(18), color: Some(Yellow) },
                MetalSpec { kind: MetalKind::Vermeil, karat: Some(18), color: Some(Rose) },
                MetalSpec::plain(MetalKind::Silver),
            ],
        };
    }
    let karat = if chance(rng, 0.2) {
        18
    } else if chance(rng, 0.08) {
        10
    } else {
        14
    };
    let mut out = match rng.gen_range(0..5) {
        0 => vec![MetalSpec::gold(karat, Yellow)],
        1 => vec![MetalSpec::gold(karat, Yellow), MetalSpec::gold(karat, White)],
        2 | 3 => {
            vec![MetalSpec::gold(karat, Yellow), MetalSpec::gold(karat, White), MetalSpec::gold(karat, Rose)]
        }
        _ => vec![MetalSpec::gold(karat, Yellow), MetalSpec::gold(karat, Rose)],
    };
    if style == Bridal && chance(rng, 0.5) {
        out.push(MetalSpec::plain(MetalKind::Platinum));
    }
    if kind.category.is_ring() && out.len() == 3 {
        // Ring-size variants multiply fast: cap at two metals.
        out.truncate(2);
    }
    out
}

fn type_spellings(c: Category) -> &'static [&'static str] {
    match c {
        Category::Ring => &["Rings", "Ring", "ring", "Fashion Rings"],
        Category::EngagementRing => &["Engagement Rings", "Engagement Ring", "Bridal"],
        Category::WeddingBand => &["Wedding Bands", "Bands", "Wedding Band"],
        Category::Necklace => &["Necklaces", "Necklace", "necklaces"],
        Category::Pendant => &["Pendants", "Pendant", "Necklaces & Pendants"],
        Category::Chain => &["Chains", "Chain", "chains"],
        Category::Earrings => &["Earrings", "Earring", "earrings"],
        Category::Bracelet => &["Bracelets", "Bracelet", "bracelets"],
        Category::Anklet => &["Anklets", "Anklet"],
        Category::Brooch => &["Brooches", "Brooch"],
        Category::Cufflinks => &["Cufflinks", "Cuff Links"],
        Category::Charm => &["Charms", "Charm"],
        Category::Cross => &["Religious", "Cross"],
        Category::Watch => &["Watches", "Watch"],
        Category::Set => &["Sets", "Gift Sets", "Jewelry Set"],
        Category::Other => &["Accessories", "Other"],
    }
}

fn body(
    rng: &mut SimRng,
    kind: &Kind,
    metals: &[MetalSpec],
    stone: Option<&StoneSpec>,
    style: Style,
    dialect: u8,
) -> String {
    let adjective = match style {
        Minimal => *pick(rng, &["dainty", "delicate", "minimal", "everyday"]),
        Classic => *pick(rng, &["timeless", "classic", "elegant", "heirloom-worthy"]),
        Statement => *pick(rng, &["bold", "chunky", "statement", "eye-catching"]),
        Bohemian => *pick(rng, &["boho", "free-spirited", "organic", "textured"]),
        Bridal => *pick(rng, &["romantic", "brilliant", "bridal", "forever"]),
    };
    let metal_list: Vec<String> = metals.iter().map(|m| m.spelled((dialect + 1) % 6)).collect();
    let mut s = String::new();
    match rng.gen_range(0..4) {
        0 => s.push_str("<meta charset=\"utf-8\">"),
        1 => s.push_str("<div data-mce-fragment=\"1\">"),
        _ => {}
    }
    let article = if adjective.starts_with(['a', 'e', 'i', 'o', 'u', 'h']) && !adjective.starts_with("ho") {
        "An"
    } else {
        "A"
    };
    s.push_str(&format!(
        "<p><span style=\"font-weight: 400;\">{article} {adjective} {} crafted in {}.",
        kind.name.to_lowercase(),
        metal_list.join(" or ")
    ));
    if let Some(st) = stone {
        let carat = st.carat.map(|c| format!(" {c} ctw")).unwrap_or_default();
        s.push_str(&format!(" Set with{carat} {}.", stone_words(st, dialect).to_lowercase()));
    }
    s.push_str("</span>&nbsp;</p>");
    if chance(rng, 0.6) {
        s.push_str("<ul><li>Nickel free</li><li>Hypoallergenic</li>");
        if let Some(st) = stone.filter(|st| st.kind == "diamond") {
            s.push_str(&format!(
                "<li>Clarity: {}</li><li>Color: {}</li>",
                pick(rng, &["VS1", "VS2", "SI1"]),
                pick(rng, &["F", "G", "H", "G-H"])
            ));
            if st.origin == Origin::LabGrown {
                s.push_str("<li>Lab-grown, IGI certified</li>");
            }
        }
        s.push_str("</ul>");
    }
    if chance(rng, 0.3) {
        s.push_str("<br><br>Ships in our signature gift box.<br/>");
    }
    if chance(rng, 0.2) {
        s.push_str("<p>&lt;3 Made to be worn every day &amp; layered.</p>");
    }
    s
}

pub(crate) fn fmt_size(s: f32) -> String {
    if (s - s.round()).abs() < 0.01 {
        format!("{}", s.round() as i64)
    } else {
        format!("{s:.1}")
    }
}

pub(crate) fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars() {
        let c = match c {
            'é' | 'è' => 'e',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            dash = false;
        } else if !dash && !out.is_empty() {
            out.push('-');
            dash = true;
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| w.to_lowercase()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn slugs_and_sizes() {
        assert_eq!(slug("Pavé Huggie Hoops - 14K YG"), "pave-huggie-hoops-14k-yg");
        assert_eq!(fmt_size(6.5), "6.5");
        assert_eq!(fmt_size(7.0), "7");
    }

    #[test]
    fn metal_spellings_vary() {
        let m = MetalSpec::gold(14, MetalColor::Yellow);
        let all: HashSet<String> = (0..6).map(|d| m.spelled(d)).collect();
        assert!(all.contains("14K YG"));
        assert!(all.contains("14kt yellow"));
        assert_eq!(all.len(), 6, "{all:?}");
        assert_eq!(MetalSpec::gold(18, MetalColor::Rose).spelled(3), "Rose Gold 18ct");
    }

    #[test]
    fn catalog_has_the_expected_shape() {
        let mut rng = SimRng::seed_from_u64(5);
        let (products, collections) = generate(&mut rng, &CatalogConfig { products: 2000, days: 1095 });
        assert_eq!(products.len(), 2000);
        let variants: usize = products.iter().map(|p| p.variants.len()).sum();
        assert!((7000..14000).contains(&variants), "{variants} variants");
        let handles: HashSet<&str> = products.iter().map(|p| p.handle.as_str()).collect();
        assert_eq!(handles.len(), products.len());
        let skus: HashSet<&str> =
            products.iter().flat_map(|p| p.variants.iter().map(|v| v.sku.as_str())).collect();
        assert_eq!(skus.len(), variants);
        let prices: Vec<i64> = products.iter().flat_map(|p| p.variants.iter().map(|v| v.price)).collect();
        assert!(prices.iter().all(|p| (3_900..=1_500_000).contains(p)));
        assert!(prices.iter().any(|p| *p < 10_000) && prices.iter().any(|p| *p > 500_000));
        let pearl = collections.iter().find(|c| c.name == "Pearl").unwrap();
        assert!(pearl.handles.len() >= 4);
        for c in Category::ALL.iter().filter(|c| **c != Category::Other) {
            assert!(products.iter().any(|p| p.category == *c), "no {c:?}");
        }
    }
}
