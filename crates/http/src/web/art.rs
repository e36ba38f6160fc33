//! Product illustrations drawn as inline SVG from the normalized attributes:
//! the category gives the shape, the metal the colour, the stone the gem.
//! Catalog image URLs point at the brand's CDN, which an offline demo cannot
//! reach; a drawing always renders, and shows at a glance that the
//! normalization understood the record. The drawings are maud templates like
//! the pages around them.

use maud::{html, Markup};
use model::{Category, Metal, Product};

/// The three tones of a metal's gradient, light to dark.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Palette {
    /// Names its class, `metal-<name>`.
    pub name: &'static str,
    pub light: &'static str,
    pub mid: &'static str,
    pub dark: &'static str,
}

const YELLOW: Palette = Palette { name: "yellow", light: "#f8e6ad", mid: "#cfa24a", dark: "#8d6620" };
const PALETTES: [Palette; 7] = [
    YELLOW,
    Palette { name: "rose", light: "#f7d9cf", mid: "#d39a86", dark: "#9a5f4c" },
    Palette { name: "black", light: "#8a8a8a", mid: "#3d3d3d", dark: "#151515" },
    Palette { name: "platinum", light: "#f3f4f6", mid: "#aeb3bb", dark: "#666b74" },
    Palette { name: "white", light: "#fbfbfc", mid: "#c3c7cd", dark: "#80858d" },
    Palette { name: "tungsten", light: "#b9bcc0", mid: "#6d7176", dark: "#3b3e42" },
    Palette { name: "brass", light: "#f1d7a0", mid: "#b98a43", dark: "#7a5521" },
];

impl Palette {
    /// The class that repaints a drawing in this metal: the product page
    /// sets it on the drawing's frame, and its script changes it with the
    /// variant. A class, not a `style` attribute, so that the pages' CSP
    /// needs no `'unsafe-inline'`.
    pub(crate) fn css_class(&self) -> String {
        format!("metal-{}", self.name)
    }
}

/// The style rules behind [`Palette::css_class`]: each class sets the
/// `--metal-*` properties, and the gradient stops of a drawing inside a frame
/// that has one read them. Drawings elsewhere keep their `stop-color`
/// attributes.
pub(crate) fn palette_css() -> String {
    let mut css = String::from("/* Metal palettes (generated from web/art.rs). */\n");
    for p in PALETTES {
        css.push_str(&format!(
            ".metal-{}{{--metal-light:{};--metal-mid:{};--metal-dark:{}}}\n",
            p.name, p.light, p.mid, p.dark
        ));
    }
    css.push_str("[data-art][class*=\"metal-\"] stop.ml{stop-color:var(--metal-light)}\n");
    css.push_str("[data-art][class*=\"metal-\"] stop.mm{stop-color:var(--metal-mid)}\n");
    css.push_str("[data-art][class*=\"metal-\"] stop.md{stop-color:var(--metal-dark)}\n");
    css
}

fn named(name: &str) -> Palette {
    PALETTES.into_iter().find(|p| p.name == name).unwrap_or(YELLOW)
}

/// The palette of `metal` (yellow gold when the piece names none).
pub(crate) fn palette_of(metal: Option<&Metal>) -> Palette {
    let kind = metal.map(|m| m.kind.as_str()).unwrap_or("gold");
    let color = metal.and_then(|m| m.colors.first()).map(String::as_str).unwrap_or("");
    named(match (kind, color) {
        (_, "rose") => "rose",
        (_, "black") => "black",
        ("platinum" | "palladium", _) => "platinum",
        ("gold", "white") | ("silver" | "stainless_steel" | "titanium" | "white_gold", _) => "white",
        ("tungsten", _) => "tungsten",
        ("brass" | "bronze" | "copper", _) => "brass",
        _ => "yellow",
    })
}

/// (fill, highlight) of a stone kind.
fn stone_colors(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "diamond" | "cubic_zirconia" | "moissanite" | "crystal" | "white_sapphire" | "quartz" => {
            ("#e8f1f6", "#ffffff")
        }
        "sapphire" | "tanzanite" | "lapis" => ("#2f4fa0", "#8fa8e8"),
        "ruby" | "garnet" | "rhodolite" => ("#a3123a", "#f07a96"),
        "emerald" | "jade" | "malachite" => ("#1d7a4f", "#7fd3a8"),
        "amethyst" => ("#7c4ea0", "#c9a5e6"),
        "aquamarine" | "blue_topaz" | "topaz" => ("#6fc0d8", "#d4f2fa"),
        "citrine" | "yellow_sapphire" => ("#e0a526", "#fbe39a"),
        "peridot" => ("#9bbf3a", "#e0f29a"),
        "morganite" | "rose_quartz" | "pink_sapphire" => ("#eab0a2", "#fbe3dc"),
        "opal" | "moonstone" => ("#dfe9ea", "#ffffff"),
        "onyx" | "black_diamond" => ("#1e1e1e", "#6a6a6a"),
        "turquoise" => ("#3fb7b0", "#b6ece8"),
        "pearl" => ("#e6dccb", "#ffffff"),
        _ => ("#e8f1f6", "#ffffff"),
    }
}

fn uid(p: &Product) -> String {
    // Ids must be unique per product on a page that shows many drawings.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in p.handle.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{:x}", h ^ p.id)
}

/// The paints of one drawing: the gradients' ids and what a gem looks like.
struct Paint {
    metal: String,
    stone: String,
    dark: &'static str,
    pearl: bool,
}

impl Paint {
    /// A stone at `(cx, cy)` of radius `r`: a pearl, or a cut gem with its
    /// facets, with a highlight either way.
    fn gem(&self, cx: f64, cy: f64, r: f64) -> Markup {
        let facets = format!(
            "M{} {cy} L{cx} {} L{} {cy} L{cx} {} Z",
            cx - r * 0.62,
            cy - r * 0.62,
            cx + r * 0.62,
            cy + r * 0.62
        );
        html! {
            @if self.pearl {
                circle cx=(cx) cy=(cy) r=(r) fill=(self.stone) stroke="#bfb29b" stroke-width="1.2" {}
            } @else {
                circle cx=(cx) cy=(cy) r=(r) fill=(self.stone) stroke=(self.dark) stroke-width="2" {}
                path d=(facets) fill="none" stroke="#fff" stroke-opacity=".55" stroke-width="1" {}
            }
            ellipse cx=(cx - r * 0.3) cy=(cy - r * 0.35) rx=(r * 0.22) ry=(r * 0.14) fill="#fff" opacity=".7" {}
        }
    }
}

/// The drawing of `p` in its first metal; `label` is `Some(text)` for a
/// standalone image (it gets `role="img"`) and `None` when a visible title
/// sits beside it.
pub(crate) fn product_art(p: &Product, label: Option<&str>) -> Markup {
    product_art_in(p, p.metals().first(), label)
}

/// The drawing of `p` in `metal` (a variant's). The metal's gradient stops
/// read the `--metal-*` custom properties inside a palette's frame (see [`palette_css`])
/// and fall back to `metal`'s colours, so a page can repaint the drawing
/// without drawing it again.
pub(crate) fn product_art_in(p: &Product, metal: Option<&Metal>, label: Option<&str>) -> Markup {
    let id = uid(p);
    let metal = palette_of(metal);
    let stone_kind = p
        .stones()
        .first()
        .map(|s| s.kind.clone())
        .or_else(|| matches!(p.category, Some(Category::EngagementRing)).then(|| "diamond".to_string()));
    let (stone_fill, stone_light) = stone_colors(stone_kind.as_deref().unwrap_or("diamond"));
    let paint = Paint {
        metal: format!("url(#m{id})"),
        stone: format!("url(#s{id})"),
        dark: metal.dark,
        pearl: stone_kind.as_deref() == Some("pearl"),
    };
    let shape = shape(p, &paint, stone_kind.is_some());
    html! {
        svg viewBox="0 0 400 400" role=[label.map(|_| "img")] aria-label=[label]
            aria-hidden=[label.is_none().then_some("true")] focusable=[label.is_none().then_some("false")]
            xmlns="http://www.w3.org/2000/svg" {
            defs {
                radialGradient id={ "bg" (id) } cx="50%" cy="40%" r="70%" {
                    stop offset="0" stop-color="#fdfbf8" {}
                    stop offset="1" stop-color="#efe9e0" {}
                }
                linearGradient id={ "m" (id) } x1="0" y1="0" x2="1" y2="1" {
                    stop offset="0" class="ml" stop-color=(metal.light) {}
                    stop offset=".5" class="mm" stop-color=(metal.mid) {}
                    stop offset="1" class="md" stop-color=(metal.dark) {}
                }
                radialGradient id={ "s" (id) } cx="35%" cy="30%" r="75%" {
                    stop offset="0" stop-color=(stone_light) {}
                    stop offset=".55" stop-color=(stone_fill) {}
                    stop offset="1" stop-color=(stone_fill) stop-opacity=".85" {}
                }
            }
            rect width="400" height="400" fill={ "url(#bg" (id) ")" } {}
            ellipse cx="200" cy="338" rx="120" ry="10" fill="#000" opacity=".05" {}
            (shape)
        }
    }
}

/// The piece itself: the category gives the shape.
fn shape(p: &Product, paint: &Paint, has_stone: bool) -> Markup {
    let title_lower = p.title.to_lowercase();
    let metal = paint.metal.as_str();
    let category = p.category.unwrap_or(Category::Other);
    match category {
        Category::Ring | Category::EngagementRing | Category::WeddingBand => {
            let width = if category == Category::WeddingBand { 22 } else { 13 };
            let solitaire = category == Category::EngagementRing
                || (has_stone && category == Category::Ring && !title_lower.contains("eternity"));
            html! {
                circle cx="200" cy="222" r="92" fill="none" stroke=(metal) stroke-width=(width) {}
                circle cx="200" cy="222" r=(92 - width / 2 + 2) fill="none" stroke="#fff" stroke-opacity=".35" stroke-width="2" {}
                @if solitaire {
                    path d="M178 140 L186 112 M222 140 L214 112 M190 138 L192 108 M210 138 L208 108" stroke=(metal) stroke-width="5" stroke-linecap="round" {}
                    (paint.gem(200.0, 108.0, 27.0))
                } @else if has_stone {
                    @for (i, angle) in [-40.0f64, -20.0, 0.0, 20.0, 40.0].iter().enumerate() {
                        @let a = (angle - 90.0).to_radians();
                        (paint.gem(200.0 + 92.0 * a.cos(), 222.0 + 92.0 * a.sin(), if i == 2 { 10.0 } else { 8.0 }))
                    }
                }
            }
        }
        Category::Necklace | Category::Pendant | Category::Chain => {
            let chain = category == Category::Chain;
            let strand =
                ["strand", "pearls", "choker", "bead", "rope"].iter().any(|w| title_lower.contains(w));
            html! {
                path d="M86 46 C 96 250, 304 250, 314 46" fill="none" stroke=(metal)
                    stroke-width=(if chain { 5 } else { 3 }) stroke-dasharray=[chain.then_some("7 3")] {}
                @if paint.pearl && category == Category::Necklace && strand {
                    @for i in 0..=20 {
                        @let (x, y) = bezier((86.0, 46.0), (96.0, 250.0), (304.0, 250.0), (314.0, 46.0), i as f64 / 20.0);
                        (paint.gem(x, y, 8.0))
                    }
                } @else if !chain {
                    circle cx="200" cy="206" r="6" fill="none" stroke=(metal) stroke-width="3" {}
                    @if has_stone {
                        path d="M200 212 C 178 240, 178 262, 200 276 C 222 262, 222 240, 200 212 Z" fill=(metal) {}
                        (paint.gem(200.0, 250.0, 15.0))
                    } @else {
                        circle cx="200" cy="240" r="28" fill=(metal) {}
                        circle cx="200" cy="240" r="20" fill="none" stroke="#fff" stroke-opacity=".4" {}
                    }
                }
            }
        }
        Category::Earrings => html! {
            @for cx in [140.0f64, 260.0] {
                @if title_lower.contains("hoop") {
                    circle cx=(cx) cy="200" r="52" fill="none" stroke=(metal) stroke-width="9" {}
                    @if has_stone {
                        (paint.gem(cx, 252.0, 11.0))
                    }
                } @else if title_lower.contains("stud") || paint.pearl {
                    circle cx=(cx) cy="200" r="30" fill=(metal) {}
                    @if has_stone {
                        (paint.gem(cx, 200.0, 24.0))
                    } @else {
                        circle cx=(cx - 9.0) cy="190" r="8" fill="#fff" opacity=".45" {}
                    }
                } @else {
                    path d=(format!("M{cx} 110 q 18 0 18 18 q 0 14 -18 26")) fill="none" stroke=(metal) stroke-width="4" stroke-linecap="round" {}
                    path d=(format!("M{cx} 154 C {a} 196, {a} 226, {cx} 246 C {b} 226, {b} 196, {cx} 154 Z", a = cx - 26.0, b = cx + 26.0)) fill=(metal) {}
                    @if has_stone {
                        (paint.gem(cx, 212.0, 15.0))
                    }
                }
            }
        },
        Category::Bracelet | Category::Anklet => html! {
            ellipse cx="200" cy="212" rx="138" ry="70" fill="none" stroke=(metal) stroke-width="11" {}
            @if has_stone {
                @for i in 0..13 {
                    @let a = (20.0 + 140.0 * i as f64 / 12.0f64).to_radians();
                    (paint.gem(200.0 + 138.0 * a.cos(), 212.0 + 70.0 * a.sin(), 8.0))
                }
            }
        },
        Category::Brooch => html! {
            @for i in 0..6 {
                ellipse cx="200" cy="150" rx="26" ry="52" fill=(metal) transform=(format!("rotate({} 200 200)", i as f64 * 60.0)) {}
            }
            (paint.gem(200.0, 200.0, 26.0))
        },
        Category::Cufflinks => html! {
            @for (cx, rot) in [(140.0f64, -8.0f64), (260.0, 8.0)] {
                rect x=(cx - 45.0) y="150" width="90" height="90" rx="18" fill=(metal) transform=(format!("rotate({rot} {cx} 195)")) {}
                @if has_stone {
                    (paint.gem(cx, 195.0, 16.0))
                }
            }
        },
        Category::Cross => html! {
            path d="M184 80 h32 v62 h52 v32 h-52 v130 h-32 v-130 h-52 v-32 h52 z" fill=(metal) {}
            @if has_stone {
                (paint.gem(200.0, 158.0, 12.0))
            }
        },
        Category::Watch => html! {
            rect x="160" y="40" width="80" height="320" rx="14" fill="#6b5444" {}
            circle cx="200" cy="200" r="78" fill=(metal) {}
            circle cx="200" cy="200" r="64" fill="#fbfaf7" {}
            path d="M200 200 L200 152 M200 200 L232 214" stroke="#333" stroke-width="4" stroke-linecap="round" {}
        },
        Category::Charm => html! {
            circle cx="200" cy="128" r="14" fill="none" stroke=(metal) stroke-width="6" {}
            circle cx="200" cy="212" r="68" fill=(metal) {}
            circle cx="200" cy="212" r="54" fill="none" stroke="#fff" stroke-opacity=".35" stroke-width="2" {}
            @if has_stone {
                (paint.gem(200.0, 212.0, 18.0))
            }
        },
        Category::Set => html! {
            circle cx="150" cy="220" r="62" fill="none" stroke=(metal) stroke-width="10" {}
            (paint.gem(150.0, 152.0, 18.0))
            @for cy in [170.0f64, 250.0] {
                circle cx="285" cy=(cy) r="24" fill=(metal) {}
                (paint.gem(285.0, cy, 18.0))
            }
        },
        Category::Other => html! {
            path d="M140 150 L170 112 L230 112 L260 150 L200 270 Z" fill=(paint.stone) stroke=(paint.dark) stroke-width="3" stroke-linejoin="round" {}
            path d="M140 150 H260 M170 112 L185 150 L200 270 L215 150 L230 112" fill="none" stroke="#fff" stroke-opacity=".6" stroke-width="1.5" {}
        },
    }
}

fn bezier(p0: (f64, f64), p1: (f64, f64), p2: (f64, f64), p3: (f64, f64), t: f64) -> (f64, f64) {
    let u = 1.0 - t;
    let x = u * u * u * p0.0 + 3.0 * u * u * t * p1.0 + 3.0 * u * t * t * p2.0 + t * t * t * p3.0;
    let y = u * u * u * p0.1 + 3.0 * u * u * t * p1.1 + 3.0 * u * t * t * p2.1 + t * t * t * p3.1;
    ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0)
}

/// A small drawing of a category, for the home page's category tiles.
pub(crate) fn category_art(c: Category) -> Markup {
    let p = Product {
        id: c as u64,
        handle: format!("category-{}", c.as_str()),
        category: Some(c),
        ..Product::default()
    };
    product_art(&p, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_draws_well_formed_svg() {
        for c in Category::ALL {
            let svg = category_art(c).into_string();
            assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{c:?}");
            assert_eq!(svg.matches("<svg").count(), 1);
            assert!(!svg.contains("NaN"), "{c:?}");
        }
    }

    #[test]
    fn the_drawing_takes_the_metal_it_is_given() {
        let metal = |kind: &str, color: &str| Metal {
            kind: kind.into(),
            colors: if color.is_empty() { vec![] } else { vec![color.into()] },
            ..Metal::default()
        };
        let yellow = palette_of(Some(&metal("gold", "yellow")));
        assert_eq!(palette_of(None), yellow, "a piece with no metal is drawn in yellow gold");
        for other in
            [metal("gold", "rose"), metal("gold", "white"), metal("silver", ""), metal("platinum", "")]
        {
            assert_ne!(palette_of(Some(&other)), yellow, "{other:?}");
        }
        assert_ne!(palette_of(Some(&metal("silver", ""))), palette_of(Some(&metal("platinum", ""))));
        let p = Product { handle: "x".into(), category: Some(Category::Ring), ..Product::default() };
        let rose = product_art_in(&p, Some(&metal("gold", "rose")), None).into_string();
        assert!(rose.contains("class=\"ml\" stop-color=\"#f7d9cf\""), "{rose}");
        assert!(!rose.contains("style="), "no inline style: {rose}");
        // Every palette has its class in the style sheet, once.
        let css = palette_css();
        for p in PALETTES {
            assert_eq!(css.matches(&format!(".{}{{", p.css_class())).count(), 1, "{css}");
            assert_eq!(named(p.name), p);
        }
    }

    #[test]
    fn labels_are_escaped() {
        let p = Product { handle: "x".into(), ..Product::default() };
        assert!(product_art(&p, Some("<b>")).into_string().contains("aria-label=\"&lt;b&gt;\""));
    }
}
