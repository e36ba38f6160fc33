//! The built-in plans against the safety rules, on the pieces a
//! jeweller sells and on arbitrary combinations of metals, stones and
//! categories.

use model::{Category, Finish, Metal, Product, Stone, StoneOrigin, Variant};
use proptest::prelude::*;

use super::*;

fn piece(
    title: &str,
    category: Category,
    metals: &[(&str, Option<Finish>)],
    stones: &[(&str, Option<StoneOrigin>)],
) -> Product {
    Product {
        handle: title.to_lowercase().replace(' ', "-"),
        title: title.into(),
        category: Some(category),
        variants: vec![Variant {
            sku: "SKU-1".into(),
            metals: metals
                .iter()
                .map(|(k, f)| Metal { kind: k.to_string(), finish: *f, ..Metal::default() })
                .collect(),
            stones: stones
                .iter()
                .map(|(k, o)| Stone { kind: k.to_string(), origin: *o, ..Stone::default() })
                .collect(),
            ..Variant::default()
        }],
        ..Product::default()
    }
}

const SOFT: &[&str] = &["pearl", "opal", "emerald", "turquoise", "amber", "coral"];

/// The safety rules every plan must keep.
fn check_safe(product: &Product, plan: &CarePlan) -> Result<(), String> {
    let stones: Vec<String> = product.stones().iter().map(|s| s.kind.clone()).collect();
    let stones: Vec<&str> = stones.iter().map(String::as_str).collect();
    if stones.iter().any(|s| SOFT.contains(s)) {
        for c in [Caution::NoUltrasonic, Caution::NoSteam] {
            if !plan.cautions.contains(&c) {
                return Err(format!("{}: {stones:?} without {}", product.title, c.as_str()));
            }
        }
    }
    for m in &plan.messages {
        let body = m.body.to_lowercase();
        for sentence in body.split(['.', ';']) {
            let soft = stones.iter().any(|s| SOFT.contains(s));
            if soft && sentence.contains("soak") && !sentence.contains("never") {
                return Err(format!(
                    "{}: message {:?} soaks a soft stone: {sentence:?}",
                    product.title, m.topic
                ));
            }
            if (sentence.contains("ultrasonic") || sentence.contains("steam"))
                && !["never", "no ", "not ", "avoid"].iter().any(|n| sentence.contains(n))
            {
                return Err(format!("{}: message {:?} recommends {sentence:?}", product.title, m.topic));
            }
        }
    }
    if product.metals().iter().any(|m| matches!(m.finish, Some(Finish::Plated | Finish::Vermeil)))
        && !plan.cautions.contains(&Caution::NoAbrasivePolish)
    {
        return Err(format!("{}: plated without no_abrasive_polish", product.title));
    }
    if stones.contains(&"pearl") {
        if !plan.cautions.contains(&Caution::NoPerfumeContact) {
            return Err(format!("{}: pearls without no_perfume_contact", product.title));
        }
        let restring: Vec<u32> =
            plan.messages.iter().filter(|m| m.topic == "pearl_restring").map(|m| m.day).collect();
        if restring.first().is_none_or(|d| *d > 3 * 365) {
            return Err(format!("{}: pearls restrung late or never: {restring:?}", product.title));
        }
    }
    if product.category == Some(Category::EngagementRing) {
        let checks: Vec<u32> =
            plan.messages.iter().filter(|m| m.topic == "prong_inspection").map(|m| m.day).collect();
        let gaps_ok = checks.windows(2).all(|w| (180..=365).contains(&(w[1] - w[0])));
        if checks.first().is_none_or(|d| *d > 365) || !gaps_ok {
            return Err(format!("{}: prong inspections {checks:?} not every 6 to 12 months", product.title));
        }
    }
    Ok(())
}

#[test]
fn the_builtin_plans_read() {
    let p = Plans::builtin();
    assert!(p.len() >= 10);
}

#[test]
fn pieces_a_jeweller_sells_get_safe_plans() {
    let plans = Plans::builtin();
    let pieces = [
        piece(
            "Akoya Pearl Strand",
            Category::Necklace,
            &[("gold", Some(Finish::Solid))],
            &[("pearl", Some(StoneOrigin::Natural))],
        ),
        piece("Opal Cocktail Ring", Category::Ring, &[("silver", None)], &[("opal", None)]),
        piece(
            "Emerald Drops",
            Category::Earrings,
            &[("gold", None)],
            &[("emerald", None), ("diamond", None)],
        ),
        piece("Vermeil Huggies", Category::Earrings, &[("gold", Some(Finish::Vermeil))], &[]),
        piece(
            "Aurora Solitaire",
            Category::EngagementRing,
            &[("platinum", None)],
            &[("diamond", Some(StoneOrigin::LabGrown))],
        ),
        piece("Classic Chronograph", Category::Watch, &[("stainless_steel", None)], &[]),
        piece(
            "Turquoise Cuff",
            Category::Bracelet,
            &[("silver", Some(Finish::Solid))],
            &[("turquoise", None)],
        ),
    ];
    for p in &pieces {
        let plan = plan(&plans, p, None, None);
        check_safe(p, &plan).unwrap();
        assert!(
            plan.messages.iter().any(|m| m.topic == "welcome" && m.day <= 3),
            "{}: no welcome guide",
            p.title
        );
        assert!(plan.messages.iter().all(|m| !m.body.contains('{')), "{}: a placeholder left", p.title);
    }
    let solitaire = plan(&plans, &pieces[4], None, Some("Ana"));
    assert!(solitaire.messages[0].body.starts_with("Hi Ana,"));
    assert!(solitaire.messages.iter().any(|m| m.topic == "resizing_window" && m.day < 60));
    assert!(solitaire.messages.iter().any(|m| m.topic == "lab_grown"));
    let watch = plan(&plans, &pieces[5], None, None);
    assert!(watch.messages.iter().any(|m| m.topic == "battery_service"));
    let silver = plan(
        &plans,
        &piece("Bar Necklace", Category::Necklace, &[("silver", Some(Finish::Solid))], &[]),
        None,
        None,
    );
    assert_eq!(silver.materials, ["sterling silver"], "the precise name wins over the family");
}

#[test]
fn engraved_pieces_get_the_engraving_plan_and_others_do_not() {
    let plans = Plans::builtin();
    let engraved = piece("Engraved Bar Necklace", Category::Necklace, &[("gold", None)], &[]);
    let p = plan(&plans, &engraved, None, None);
    assert!(p.plans.contains(&"engraving".to_string()), "{:?}", p.plans);
    assert!(p.messages.iter().any(|m| m.topic == "engraving_care"));
    assert!(p.cautions.contains(&Caution::NoAbrasivePolish));
    // An option says so too (a personalization field on one variant).
    let mut optioned = piece("Bar Necklace", Category::Necklace, &[("gold", None)], &[]);
    optioned.variants[0].options.insert("Engraving".into(), "A & M".into());
    assert!(plan(&plans, &optioned, Some(&optioned.variants[0]), None)
        .messages
        .iter()
        .any(|m| m.topic == "engraving_care"));
    let plain = piece("Bar Necklace", Category::Necklace, &[("gold", None)], &[]);
    assert!(!plan(&plans, &plain, None, None).messages.iter().any(|m| m.topic == "engraving_care"));
}

#[test]
fn each_variant_gets_the_plan_of_its_own_metal() {
    let mut p = piece("Bar Necklace", Category::Necklace, &[("silver", Some(Finish::Solid))], &[]);
    p.variants.push(Variant {
        sku: "SKU-2".into(),
        metals: vec![Metal { kind: "gold".into(), finish: Some(Finish::Vermeil), ..Metal::default() }],
        ..Variant::default()
    });
    let plans = Plans::builtin();
    let silver = plan(&plans, &p, Some(&p.variants[0]), None);
    let vermeil = plan(&plans, &p, Some(&p.variants[1]), None);
    assert!(
        silver.messages.iter().any(|m| m.topic == "silver_tarnish")
            && !silver.cautions.contains(&Caution::NoAbrasivePolish)
    );
    assert!(
        vermeil.cautions.contains(&Caution::NoAbrasivePolish)
            && !vermeil.messages.iter().any(|m| m.topic == "silver_tarnish")
    );
}

#[test]
fn a_brand_file_replaces_a_plan_by_key_and_bad_files_change_nothing() {
    let mut plans = Plans::builtin();
    let before = plans.len();
    plans
        .extend_from_toml("[[plan]]\nkey = \"warranty\"\n[[plan.message]]\nday = 700\ntopic = \"warranty_end\"\nchannel = \"email\"\ntitle = \"t\"\nbody = \"Your two-year warranty ends soon.\"\nwhy = \"a two-year warranty\"\n")
        .unwrap();
    assert_eq!(plans.len(), before);
    let p = plan(&plans, &piece("Band", Category::WeddingBand, &[("gold", None)], &[]), None, None);
    assert_eq!(p.messages.iter().find(|m| m.topic == "warranty_end").map(|m| m.day), Some(700));
    let err = plans.extend_from_toml("[[plan]]\nkey = \"x\"\ncautions = [\"no_water\"]\n").unwrap_err();
    assert!(err.0.contains("no_water") && err.0.contains("no_ultrasonic"), "{err}");
    let err = plans.extend_from_toml("[[plan]]\nkey = \"x\"\nwhen = { colour = \"red\" }\n").unwrap_err();
    assert!(err.0.contains("colour"), "{err}");
    assert_eq!(plans.len(), before);
}

fn arb_product() -> impl Strategy<Value = Product> {
    let metals = prop::collection::vec(
        (
            prop::sample::select(vec!["gold", "silver", "platinum", "stainless_steel", "brass", "titanium"]),
            prop::option::of(prop::sample::select(vec![
                Finish::Solid,
                Finish::Plated,
                Finish::Vermeil,
                Finish::GoldFilled,
            ])),
        ),
        0..3,
    );
    let stones = prop::collection::vec(
        (
            prop::sample::select(vec![
                "diamond",
                "pearl",
                "opal",
                "emerald",
                "turquoise",
                "sapphire",
                "ruby",
                "amber",
                "coral",
                "cubic_zirconia",
                "moissanite",
            ]),
            prop::option::of(prop::sample::select(vec![
                StoneOrigin::Natural,
                StoneOrigin::LabGrown,
                StoneOrigin::Simulant,
            ])),
        ),
        0..3,
    );
    (metals, stones, prop::sample::select(Category::ALL.to_vec())).prop_map(|(m, s, c)| {
        let m: Vec<(&str, Option<Finish>)> = m;
        let s: Vec<(&str, Option<StoneOrigin>)> = s;
        piece("Piece", c, &m, &s)
    })
}

proptest! {
    #[test]
    fn every_combination_gets_a_safe_plan(p in arb_product()) {
        let plan = plan(&Plans::builtin(), &p, None, None);
        prop_assert!(check_safe(&p, &plan).is_ok(), "{:?}", check_safe(&p, &plan));
        prop_assert!(plan.messages.windows(2).all(|w| (w[0].day, &w[0].topic) <= (w[1].day, &w[1].topic)));
    }
}
