//! Data-driven extraction tests: one line of input, one line of rendered
//! output, read as a table.

use super::*;

fn render(x: &Extracted) -> String {
    let mut parts = Vec::new();
    for m in &x.metals {
        let mut s = m.kind.clone();
        if let Some(k) = m.karat {
            s += &format!(" {k}k");
        }
        if let Some(f) = m.fineness {
            s += &format!(" {f}");
        }
        if !m.colors.is_empty() {
            s += &format!(" {}", m.colors.join("+"));
        }
        if let Some(f) = m.finish {
            s += &format!(" {}", f.as_str());
        }
        parts.push(format!("metal({s})"));
    }
    for st in &x.stones {
        let mut s = st.kind.clone();
        if let Some(o) = st.origin {
            s += &format!(" {}", o.as_str());
        }
        if let Some(c) = &st.color {
            s += &format!(" {c}");
        }
        if let Some(n) = st.count {
            s += &format!(" x{n}");
        }
        if let Some(c) = st.carat {
            s += &format!(" {c}ct");
        }
        if let Some(c) = &st.clarity {
            s += &format!(" {c}");
        }
        if let Some(c) = &st.color_grade {
            s += &format!(" {c}");
        }
        parts.push(format!("stone({s})"));
    }
    if let Some(c) = x.loose_carat {
        parts.push(format!("loose({c}ct)"));
    }
    if let Some(c) = x.category {
        parts.push(format!("cat({})", c.as_str()));
    }
    if let Some(g) = x.gender {
        parts.push(format!("gender({})", g.as_str()));
    }
    if !x.styles.is_empty() {
        parts.push(format!("style({})", x.styles.join(",")));
    }
    if let Some(m) = x.birthstone_month {
        parts.push(format!("month({m})"));
    }
    if let Some(Size::Length { cm, inches, .. }) = &x.length {
        parts.push(format!("len({cm}cm,{inches}in)"));
    }
    if let Some(w) = x.width_mm {
        parts.push(format!("width({w}mm)"));
    }
    if let Some(w) = x.weight_g {
        parts.push(format!("weight({w}g)"));
    }
    if let Some(c) = &x.collection {
        parts.push(format!("coll({c})"));
    }
    parts.join(" ")
}

#[track_caller]
fn check(input: &str, expect: &str) {
    let vocab = vocab();
    let got = render(&extract_attributes(input, vocab));
    assert_eq!(got, expect, "input: {input:?}");
}

#[track_caller]
fn check_field(input: &str, field: Field, expect: &str) {
    let got = render(&extract(input, vocab(), field));
    assert_eq!(got, expect, "input: {input:?}");
}

fn vocab() -> &'static Vocabulary {
    static V: std::sync::OnceLock<Vocabulary> = std::sync::OnceLock::new();
    V.get_or_init(Vocabulary::builtin)
}

#[test]
fn metals() {
    check(
        "Love ring, 18K yellow gold. Width: 5.5mm.",
        "metal(gold 18k 750 yellow solid) cat(ring) width(5.5mm)",
    );
    check("14K YG", "metal(gold 14k 585 yellow solid)");
    check("14kt white gold", "metal(gold 14k 585 white solid)");
    check("18ct rose gold", "metal(gold 18k 750 rose solid)");
    check("Gold 14ct.", "metal(gold 14k 585 solid)");
    check("yellow-585", "metal(gold 14k 585 yellow solid)");
    check("red-750", "metal(gold 18k 750 rose solid)");
    check("950/1000 platinum", "metal(platinum 950 solid)");
    check("platinum 950‰", "metal(platinum 950 solid)");
    check("PT950", "metal(platinum 950 solid)");
    check("925 sterling silver", "metal(silver 925 solid)");
    check("sterling", "metal(silver 925 solid)");
    check("Silber 925", "metal(silver 925 solid)");
    check("platin", "metal(platinum solid)");
    check("bague or jaune 18 carats", "metal(gold 18k 750 yellow solid) cat(ring)");
    check("anillo de oro blanco", "metal(gold white) cat(ring)");
    check("plata", "metal(silver)");
    check("argent massif", "metal(silver)");
    check("Gelbgold 585", "metal(gold 14k 585 yellow solid)");
    check("Weißgold", "metal(gold white)");
    check("Rotgold 750", "metal(gold 18k 750 rose solid)");
    check("pink gold", "metal(gold rose)");
    check("rose-gold", "metal(gold rose)");
    check("rose 18k", "metal(gold 18k 750 rose solid)");
    check("two-tone 14k gold", "metal(gold 14k 585 yellow+white solid)");
    check("tri-color gold", "metal(gold yellow+white+rose)");
    check("yellow and white gold", "metal(gold yellow+white)");
    check("18K pink gold, 18K white gold, 18K yellow gold", "metal(gold 18k 750 rose+white+yellow solid)");
    check("18k gold plated sterling silver", "metal(gold 18k 750 plated) metal(silver 925)");
    check("gold vermeil", "metal(gold yellow vermeil)");
    check("Vermeil (925 silver)", "metal(gold yellow vermeil)");
    check("14/20 gold filled", "metal(gold gold_filled)");
    check("stainless steel", "metal(stainless_steel)");
    check("non-rhodiumized 18K white gold", "metal(gold 18k 750 white solid)");
    check("rhodium-plated sterling silver", "metal(rhodium plated) metal(silver 925 solid)");
    check("solid 14k gold", "metal(gold 14k 585 solid)");
}

#[test]
fn metal_false_positives() {
    // "or" is English here; "rose" is a flower; "gold tone" is not gold.
    check("ruby or sapphire", "stone(ruby) stone(sapphire)");
    check("rose pendant", "cat(pendant)");
    check("gold tone hoops", "cat(earrings)");
    check("Love ring", "cat(ring)");
    check("Width: 750", "");
    check("9ct diamond", "stone(diamond 9ct)");
}

#[test]
fn stones() {
    check(
        "Love ring, 18K yellow gold, set with 3 brilliant-cut diamonds totaling 0.22 carats.",
        "metal(gold 18k 750 yellow solid) stone(diamond x3 0.22ct) cat(ring)",
    );
    check("Diamonds 0.714ct", "stone(diamond 0.714ct)");
    check("0.26 crt diamond", "stone(diamond 0.26ct)");
    check("1/2 ct diamond studs", "stone(diamond 0.5ct) cat(earrings)");
    check("0.5ctw", "stone(diamond 0.5ct)");
    check("1 1/2 ct tw", "stone(diamond 1.5ct)");
    check("1ct", "loose(1ct)");
    check("lab-grown diamond", "stone(diamond lab_grown)");
    check("CZ stud earrings", "stone(cubic_zirconia simulant) cat(earrings)");
    check("cubic zirconia", "stone(cubic_zirconia simulant)");
    check("Rubin", "stone(ruby)");
    check("rubis", "stone(ruby)");
    check("black onyx", "stone(onyx black)");
    check("london blue topaz", "stone(topaz blue)");
    check("rose quartz", "stone(quartz pink)");
    check(
        "set with 2 emeralds and 72 brilliant-cut diamonds totaling 0.68 carat",
        "stone(emerald x2) stone(diamond x72 0.68ct)",
    );
    check(
        "set with 36 brilliant-cut diamonds totaling 1.58 carats, and with 18 baguette-cut diamonds totaling 1.94 carats",
        "stone(diamond x54 3.52ct)",
    );
    check("G VS2 diamond", "stone(diamond VS2 G)");
    check("diamond, colour G-H, clarity SI1", "stone(diamond SI1 G-H)");
    check("emerald-cut white sapphire", "stone(sapphire white)");
    check("diamond cut chain", "cat(chain)");
    check("gray mother-of pearl", "stone(mother_of_pearl grey)");
    check("synthetic ruby", "stone(ruby lab_grown)");
    check("simulated pearl", "stone(pearl simulant)");
}

#[test]
fn stone_columns() {
    check_field("quartz_smoky", Field::Stone, "stone(quartz smoky)");
    check_field("corundum_synthetic", Field::Stone, "stone(sapphire lab_grown)");
    check_field("fianit", Field::Stone, "stone(cubic_zirconia simulant)");
    check_field("925", Field::Metal, "metal(silver 925 solid)");
    check_field("f", Field::Gender, "gender(women)");
    check_field("m", Field::Gender, "gender(men)");
}

#[test]
fn categories() {
    check("jewelry.earring", "cat(earrings)");
    check("Pearl drop earrings with chain", "stone(pearl) cat(earrings)");
    check("charm bracelet", "cat(bracelet)");
    check("Huggies", "cat(earrings)");
    check("Solitaire engagement ring", "cat(engagement_ring) style(solitaire)");
    check("Love wedding band, 1 diamond", "stone(diamond x1) cat(wedding_band)");
    check("Cross pendant", "cat(cross) style(religious)");
    check("Eternity ring", "cat(ring) style(eternity)");
    check("criss-cross ring", "cat(ring)");
    check("Apparel & Accessories > Jewelry > Rings", "cat(ring)");
    check("band ring", "cat(wedding_band)");
}

#[test]
fn gender_styles_and_more() {
    check("The Alicio Stud For Him", "cat(earrings) gender(men)");
    check("Men's signet ring", "cat(ring) gender(men) style(signet)");
    check("dainty stackable minimalist ring", "cat(ring) style(dainty,stackable,minimal)");
    check("July birthstone necklace", "cat(necklace) month(7)");
    check("18 inch chain", "cat(chain) len(45.7cm,18in)");
    check("cable chain 45cm", "cat(chain) len(45cm,17.7in)");
    check("16\" necklace", "cat(necklace) len(40.6cm,16in)");
    check("from the Pearl collection", "stone(pearl)");
    check("the Etoile collection", "coll(etoile)");
    check(
        "Trinity wedding band, width 4.8 mm, 18K pink gold",
        "metal(gold 18k 750 rose solid) cat(wedding_band) width(4.8mm)",
    );
    check("3mm wide band, weight 2.1 g", "width(3mm) weight(2.1g)");
    check("5.5mm cubic zirconia studs", "stone(cubic_zirconia simulant) cat(earrings)");
}

#[test]
fn queries() {
    let x = extract_attributes("rose gold dainty ring under 500", vocab());
    assert_eq!(render(&x), "metal(gold rose) cat(ring) style(dainty)");
    assert_eq!(x.residual, vec!["under", "500"]);
    let x = extract_attributes("lab grown 1ct", vocab());
    assert_eq!(render(&x), "stone(diamond lab_grown 1ct)");
}

#[test]
fn shopper_queries() {
    #[track_caller]
    fn q(query: &str, expect: &str, residual: &[&str]) {
        let x = extract_attributes(query, vocab());
        let mut got = render(&x);
        if let Some(Size::Ring { us, .. }) = &x.ring_size {
            got += &format!(" ring_us({us})");
        }
        assert_eq!(got.trim(), expect, "query {query:?}");
        assert_eq!(x.residual, residual, "query {query:?}");
    }
    q("gold hoops", "metal(gold) cat(earrings)", &[]);
    q("silver necklace for her", "metal(silver) cat(necklace) gender(women)", &[]);
    q("diamond studs under 500", "stone(diamond) cat(earrings)", &["under", "500"]);
    q("engagement rings", "cat(engagement_ring)", &[]);
    q("mens wedding band", "cat(wedding_band) gender(men)", &[]);
    q("birthstone july", "month(7)", &[]);
    q("white gold ring size 7", "metal(gold white) cat(ring) ring_us(7)", &[]);
    q("size 6 1/2 band", "ring_us(6.5)", &[]);
    q("lab diamond", "stone(diamond lab_grown)", &[]);
    q("cz", "stone(cubic_zirconia simulant)", &[]);
    q("14k", "metal(gold 14k 585 solid)", &[]);
    q("rose", "", &["rose"]);
    q("moissanite engagement ring", "stone(moissanite) cat(engagement_ring)", &[]);
    q("chunky gold chain", "metal(gold) cat(chain) style(chunky)", &[]);
    q("kids earrings", "cat(earrings) gender(kids)", &[]);
    q("black diamond", "stone(diamond black)", &[]);
}

/// Issue 12: gender words real titles and descriptions use, in English and
/// the common French, German, Italian and Spanish forms.
#[test]
fn gender_words_of_real_catalogs() {
    check("Gents 9ct gold signet ring", "metal(gold 9k 375 solid) cat(ring) gender(men) style(signet)");
    check("Gent's signet ring", "cat(ring) gender(men) style(signet)");
    check("Ladies' locket", "cat(pendant) gender(women)");
    check("Ladies gold bangle", "metal(gold) cat(bracelet) gender(women)");
    check("Women's hoops", "cat(earrings) gender(women)");
    check("Men's chain", "cat(chain) gender(men)");
    check("a cufflink for him", "cat(cufflinks) gender(men)");
    check("a locket for her", "cat(pendant) gender(women)");
    check("Boys ID bracelet", "cat(bracelet) gender(kids)");
    check("Girls heart studs", "cat(earrings) gender(kids) style(romantic)");
    check("Baby bangle", "cat(bracelet) gender(kids)");
    check("Christening bracelet", "cat(bracelet) gender(kids)");
    check("Children's cross", "cat(cross) gender(kids) style(religious)");
    check("Unisex ring", "cat(ring) gender(unisex)");
    check("Crafted for the modern gent", "gender(men) style(modern)");
    check("bague homme", "cat(ring) gender(men)");
    check("collier femme", "cat(necklace) gender(women)");
    check("bracelet enfant", "cat(bracelet) gender(kids)");
    check("Herren Armband", "cat(bracelet) gender(men)");
    check("Damen Ohrringe", "cat(earrings) gender(women)");
    check("Kinder Kette", "cat(chain) gender(kids)");
    check("anello uomo", "cat(ring) gender(men)");
    check("collana donna", "cat(necklace) gender(women)");
    check("pulsera hombre", "cat(bracelet) gender(men)");
    check("pendientes mujer", "cat(earrings) gender(women)");
    check("pendientes niña", "cat(earrings) gender(kids)");
    // Colours named after babies are colours.
    check("baby blue topaz", "stone(topaz blue)");
}

/// Issue 12: shops' own type words, plurals and other languages.
#[test]
fn type_words_of_real_catalogs() {
    check("Wedding rings", "cat(wedding_band)");
    check("Cuff links", "cat(cufflinks)");
    check("Charms", "cat(charm)");
    check("Anklets", "cat(anklet)");
    check("Brooches", "cat(brooch)");
    check("Body jewelry", "cat(other)");
    check("Jewellery sets", "cat(set)");
    check("Bagues", "cat(ring)");
    check("Colliers", "cat(necklace)");
    check("Boucles d'oreilles", "cat(earrings)");
    check("Bracelets de cheville", "cat(anklet)");
    check("Broches", "cat(brooch)");
    check("Pendentifs", "cat(pendant)");
    check("Chaînes", "cat(chain)");
    check("Montres", "cat(watch)");
    check("Halsketten", "cat(necklace)");
    check("Eheringe", "cat(wedding_band)");
    check("Broschen", "cat(brooch)");
    check("Fußkettchen", "cat(anklet)");
    check("Collane", "cat(necklace)");
    check("Bracciali", "cat(bracelet)");
    check("Cavigliere", "cat(anklet)");
    check("Collares", "cat(necklace)");
    check("Pulseras", "cat(bracelet)");
    check("Tobilleras", "cat(anklet)");
    check("Alianzas", "cat(wedding_band)");
    check("acciaio inossidabile", "metal(stainless_steel)");
    check("acero inoxidable", "metal(stainless_steel)");
    check("Acier inoxydable", "metal(stainless_steel)");
    check("Argent", "metal(silver)");
    check("Perle", "stone(pearl)");
    // In a metal column or spec line French "or" is gold; in prose it stays a conjunction.
    check_field("Or", Field::Metal, "metal(gold)");
    check("or", "");
}
