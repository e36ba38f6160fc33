//! Re-ranking a list of products (a collection or a category) by a blend
//! the merchandiser sets: conversion, revenue per view, margin, stock cover,
//! seasonality and newness, with a diversity rule for the first rows. Pins
//! made by hand stay where they were put whatever the weights.

use std::collections::HashMap;

use model::Product;

use crate::facts::{Facts, ProductFacts};

/// One input of the blend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Factor {
    Conversion,
    RevenuePerView,
    Margin,
    StockCover,
    Seasonality,
    Newness,
    Sales,
}

pub const FACTORS: [Factor; 7] = [
    Factor::Conversion,
    Factor::RevenuePerView,
    Factor::Margin,
    Factor::StockCover,
    Factor::Seasonality,
    Factor::Newness,
    Factor::Sales,
];

impl Factor {
    pub fn key(self) -> &'static str {
        match self {
            Factor::Conversion => "conversion",
            Factor::RevenuePerView => "revenue_per_view",
            Factor::Margin => "margin",
            Factor::StockCover => "stock_cover",
            Factor::Seasonality => "seasonality",
            Factor::Newness => "newness",
            Factor::Sales => "sales",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Factor::Conversion => "Conversion rate",
            Factor::RevenuePerView => "Revenue per view",
            Factor::Margin => "Margin",
            Factor::StockCover => "Stock cover",
            Factor::Seasonality => "Season ahead",
            Factor::Newness => "Newness",
            Factor::Sales => "Recent sales",
        }
    }

    pub fn parse(s: &str) -> Option<Factor> {
        FACTORS.into_iter().find(|f| f.key() == s)
    }

    fn index(self) -> usize {
        FACTORS.iter().position(|f| *f == self).unwrap_or(0)
    }
}

/// The blend: a weight in [0, 1] per factor, and the diversity rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    pub weights: [f64; 7],
    /// No more than half of a row shares one metal or one style.
    pub diversity: bool,
}

impl Default for Weights {
    fn default() -> Weights {
        // Chosen on the demo brand's validation window (learn before
        // 2025-01-01, score the first half of 2025; BENCHMARKS.md): recent
        // sales lead, the season ahead next; the rest nudge.
        Weights { weights: [0.1, 0.1, 0.1, 0.2, 0.5, 0.05, 1.0], diversity: true }
    }
}

impl Weights {
    pub fn get(&self, f: Factor) -> f64 {
        self.weights[f.index()]
    }

    pub fn set(&mut self, f: Factor, w: f64) {
        self.weights[f.index()] = w;
    }

    /// `conversion:0.4,margin:0.2,diversity:0`: factors not named keep
    /// their default weight; `diversity` is 0 or 1.
    pub fn parse(s: &str) -> Result<Weights, String> {
        let mut w = Weights::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once(':').ok_or_else(|| format!("{part:?}: write factor:weight"))?;
            let v: f64 = v.trim().parse().map_err(|_| format!("{k}: {v:?} is not a number"))?;
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{k}: {v} is outside 0 to 1"));
            }
            match k.trim() {
                "diversity" => w.diversity = v >= 0.5,
                other => {
                    let f = Factor::parse(other).ok_or_else(|| {
                        let known: Vec<&str> = FACTORS.iter().map(|f| f.key()).collect();
                        format!("{other:?} is not a factor: use {}, diversity", known.join(", "))
                    })?;
                    w.set(f, v);
                }
            }
        }
        Ok(w)
    }

    /// The inverse of [`Weights::parse`].
    pub fn to_param(&self) -> String {
        let mut parts: Vec<String> =
            FACTORS.iter().map(|f| format!("{}:{}", f.key(), trim(self.get(*f)))).collect();
        parts.push(format!("diversity:{}", u8::from(self.diversity)));
        parts.join(",")
    }
}

fn trim(x: f64) -> String {
    let s = format!("{:.2}", x);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One product's place in a ranking, with what moved it.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub product: u64,
    /// The blend as a ratio to a typical product of the list (1 is typical).
    pub score: f64,
    /// Per factor: its push up (+) or down (-) of the score, and the fact behind it.
    pub contributions: Vec<(Factor, f64, String)>,
    pub pinned: bool,
    /// Moved down a row by the diversity rule.
    pub moved_for_diversity: bool,
}

/// Views added to every product's own at the list's rate before its
/// conversion and revenue per view are compared (a few views prove little).
const PRIOR_VIEWS: f64 = 50.0;

/// Weeks of cover above which a product counts as overstocked.
const OVERSTOCK_WEEKS: f64 = 26.0;

struct Raw {
    value: Option<f64>,
    detail: String,
}

fn money(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.2}")
    }
}

/// Ranks `list` (in its current order, which breaks ties) for a row of
/// `row` products; `pins` come first in their own order whatever the blend.
pub fn rank(
    list: &[u64],
    pins: &[u64],
    products: &HashMap<u64, &Product>,
    facts: &Facts,
    weights: &Weights,
    row: usize,
) -> Vec<Ranked> {
    let empty = ProductFacts::default();
    let f = |id: u64| facts.of(id).unwrap_or(&empty);
    let today = facts.as_of_day;
    let (views, purchases, revenue) = list.iter().fold((0u64, 0u64, 0.0), |acc, id| {
        let x = f(*id);
        (acc.0 + x.views, acc.1 + x.purchases, acc.2 + x.revenue)
    });
    let pooled_conv = if views > 0 { purchases as f64 / views as f64 } else { 0.0 };
    let pooled_rpv = if views > 0 { revenue / views as f64 } else { 0.0 };
    let year = facts.history_days() >= 364 + 28;

    let raw_of = |id: u64, factor: Factor| -> Raw {
        let x = f(id);
        match factor {
            Factor::Conversion => match x.views {
                0 => Raw { value: None, detail: "no views yet".into() },
                _ if pooled_conv <= 0.0 => Raw { value: None, detail: "no purchases in the list yet".into() },
                v => Raw {
                    value: Some(
                        (x.purchases as f64 + PRIOR_VIEWS * pooled_conv)
                            / (v as f64 + PRIOR_VIEWS)
                            / pooled_conv,
                    ),
                    detail: format!(
                        "{} purchases from {} views ({:.1}%)",
                        x.purchases,
                        v,
                        100.0 * x.purchases as f64 / v as f64
                    ),
                },
            },
            Factor::RevenuePerView => match x.views {
                0 => Raw { value: None, detail: "no views yet".into() },
                _ if pooled_rpv <= 0.0 => Raw { value: None, detail: "no revenue in the list yet".into() },
                v => Raw {
                    value: Some(
                        (x.revenue + PRIOR_VIEWS * pooled_rpv) / (v as f64 + PRIOR_VIEWS) / pooled_rpv,
                    ),
                    detail: format!(
                        "{} of revenue from {} views ({} a view)",
                        money(x.revenue),
                        v,
                        money(x.revenue / v as f64)
                    ),
                },
            },
            Factor::Margin => match x.margin_rate {
                None => Raw { value: None, detail: "unit cost unknown".into() },
                Some(m) => Raw { value: Some(m), detail: format!("{:.0}% margin", 100.0 * m) },
            },
            Factor::StockCover => {
                let rate = x.units_between(today - 56, today) as f64 / 8.0;
                match x.on_hand {
                    None => Raw { value: None, detail: "stock unknown".into() },
                    Some(h) if h <= 0 => Raw { value: Some(0.05), detail: "out of stock".into() },
                    Some(h) => {
                        let lead = x.lead_time_days.map(|d| d as f64 / 7.0);
                        let cover = if rate > 0.0 { h as f64 / rate } else { f64::INFINITY };
                        let cover_text = if cover.is_finite() {
                            format!("{h} on hand, {cover:.1} weeks at the last 8 weeks' rate")
                        } else {
                            format!("{h} on hand, none sold in 8 weeks")
                        };
                        match lead {
                            Some(l) if cover < l => Raw {
                                value: Some(0.3),
                                detail: format!("{cover_text}: would sell out before a delivery ({l:.0} weeks' lead time)"),
                            },
                            _ if x.slow_mover => Raw {
                                value: Some(1.3),
                                detail: format!("{cover_text}; the forecast flags it as a slow mover"),
                            },
                            _ if cover > OVERSTOCK_WEEKS => {
                                Raw { value: Some(1.2), detail: format!("{cover_text}: overstocked") }
                            }
                            _ => Raw { value: Some(1.0), detail: cover_text },
                        }
                    }
                }
            }
            Factor::Seasonality => {
                if !year {
                    return Raw {
                        value: None,
                        detail: "less than a year of sales: no season to read".into(),
                    };
                }
                let ahead = x.units_between(today - 364, today - 336);
                let avg = x.units_between(today - 364, today) as f64 / 13.0;
                if ahead == 0 && avg == 0.0 {
                    return Raw { value: None, detail: "no sales a year ago".into() };
                }
                let lift = (ahead as f64 + 1.0) / (avg + 1.0);
                Raw {
                    value: Some(lift),
                    detail: format!(
                        "{ahead} sold in the coming four weeks last year, {lift:.1}x its four-week average"
                    ),
                }
            }
            Factor::Sales => {
                // A quarter: most pieces sell a few a month, and a shorter
                // window is mostly noise.
                let n = x.units_between(today - 91, today);
                let detail = match n {
                    0 => "none sold in the last 13 weeks".to_string(),
                    n => format!("{n} sold in the last 13 weeks"),
                };
                Raw { value: Some(n as f64), detail }
            }
            Factor::Newness => {
                let first_sale = x.daily_units.keys().next().copied();
                let seen = products.get(&id).map(|p| crate::facts::day_of(p.created_at));
                let first = match (first_sale, seen) {
                    (Some(a), Some(b)) => a.min(b),
                    (a, b) => a.or(b).unwrap_or(today),
                };
                let age = (today - first).max(0);
                Raw {
                    value: Some(1.0 + (-(age as f64) / 90.0).exp()),
                    detail: match age {
                        0 => "first seen or sold today".to_string(),
                        1 => "first seen or sold 1 day ago".to_string(),
                        n => format!("first seen or sold {n} days ago"),
                    },
                }
            }
        }
    };

    // Every factor is a ratio to a typical product of the list (1 is
    // typical, a missing one counts as typical and says why); the blend is
    // their weighted geometric mean, so a weight is how much a factor's
    // doubling moves a product.
    let mut table: HashMap<u64, Vec<(Factor, f64, String)>> = HashMap::new();
    for factor in FACTORS {
        let raws: Vec<(u64, Raw)> = list.iter().map(|id| (*id, raw_of(*id, factor))).collect();
        let known: Vec<f64> = raws.iter().filter_map(|(_, r)| r.value).collect();
        let mean = if known.is_empty() { 0.0 } else { known.iter().sum::<f64>() / known.len() as f64 };
        for (id, r) in raws {
            let ratio = match (factor, r.value) {
                (_, None) => 1.0,
                (Factor::Sales, Some(x)) => (x + 1.0) / (mean + 1.0),
                (Factor::Margin, Some(x)) if mean > 0.0 => x / mean,
                (Factor::Margin, Some(_)) => 1.0,
                (_, Some(x)) => x,
            };
            table.entry(id).or_default().push((factor, ratio.clamp(0.05, 20.0).ln(), r.detail));
        }
    }
    let total: f64 = FACTORS.iter().map(|f| weights.get(*f)).sum();
    let mut out: Vec<(usize, Ranked)> = list
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let rows = table.remove(id).unwrap_or_default();
            let (score, contributions) = if total > 0.0 {
                let c: Vec<(Factor, f64, String)> = rows
                    .into_iter()
                    .filter(|(f, _, _)| weights.get(*f) > 0.0)
                    .map(|(f, v, d)| (f, weights.get(f) * v / total, d))
                    .collect();
                (c.iter().map(|x| x.1).sum::<f64>().exp(), c)
            } else {
                (1.0, Vec::new())
            };
            (i, Ranked { product: *id, score, contributions, pinned: false, moved_for_diversity: false })
        })
        .collect();
    out.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
    let mut ranked: Vec<Ranked> = out.into_iter().map(|(_, r)| r).collect();

    // Pins first, in their order; a pin not in the list is still shown.
    let mut head = Vec::new();
    for pin in pins {
        if let Some(i) = ranked.iter().position(|r| r.product == *pin) {
            let mut r = ranked.remove(i);
            r.pinned = true;
            head.push(r);
        } else if products.contains_key(pin) {
            head.push(Ranked {
                product: *pin,
                score: 1.0,
                contributions: Vec::new(),
                pinned: true,
                moved_for_diversity: false,
            });
        }
    }
    if weights.diversity && row > 1 {
        ranked = diversify(ranked, products, row, head.len());
    }
    head.extend(ranked);
    head
}

/// The metal (colour and kind of the first variant) and style a row should not repeat.
fn looks(p: &Product) -> (String, String) {
    let metal = p
        .variants
        .first()
        .and_then(|v| v.metals.first())
        .map(|m| {
            format!("{} {}", m.colors.first().map(String::as_str).unwrap_or(""), m.kind).trim().to_string()
        })
        .unwrap_or_default();
    (metal, p.styles.first().cloned().unwrap_or_default())
}

/// Fills the first rows greedily: the best product whose metal and style
/// are not already on half of the row; when none fits, the best.
fn diversify(
    ranked: Vec<Ranked>,
    products: &HashMap<u64, &Product>,
    row: usize,
    pinned: usize,
) -> Vec<Ranked> {
    let cap = row / 2;
    let first_rows = 2 * row;
    let mut rest = ranked;
    let mut out: Vec<Ranked> = Vec::new();
    while !rest.is_empty() && pinned + out.len() < first_rows {
        let pos = pinned + out.len();
        let row_start = pos - pos % row;
        let in_row: Vec<(String, String)> = out
            .iter()
            .enumerate()
            .filter(|(i, _)| pinned + i >= row_start)
            .filter_map(|(_, r)| products.get(&r.product).map(|p| looks(p)))
            .collect();
        let fits = |r: &Ranked| {
            let Some(p) = products.get(&r.product) else { return true };
            let (m, s) = looks(p);
            let same_m = !m.is_empty() && in_row.iter().filter(|(x, _)| *x == m).count() >= cap;
            let same_s = !s.is_empty() && in_row.iter().filter(|(_, y)| *y == s).count() >= cap;
            !same_m && !same_s
        };
        let i = rest.iter().position(fits).unwrap_or(0);
        let r = rest.remove(i);
        if i > 0 {
            for skipped in rest.iter_mut().take(i) {
                skipped.moved_for_diversity = true;
            }
        }
        out.push(r);
    }
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use model::{Metal, Variant};

    use super::*;

    fn product(id: u64, color: &str, style: &str) -> Product {
        Product {
            id,
            handle: format!("p{id}"),
            styles: vec![style.into()],
            variants: vec![Variant {
                sku: format!("S{id}"),
                metals: vec![Metal { kind: "gold".into(), colors: vec![color.into()], ..Default::default() }],
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    fn facts(rows: &[(u64, u64, u64)]) -> Facts {
        let mut f = Facts { as_of_day: 20_000, ..Default::default() };
        for (id, views, purchases) in rows {
            f.products.insert(
                *id,
                ProductFacts {
                    views: *views,
                    purchases: *purchases,
                    revenue: *purchases as f64 * 100.0,
                    ..Default::default()
                },
            );
        }
        f
    }

    proptest::proptest! {
        /// Whatever a person types as a blend, the parser answers without panicking,
        /// and what it accepts is in range.
        #[test]
        fn any_text_parses_or_is_refused(text in "\\PC{0,80}") {
            if let Ok(w) = Weights::parse(&text) {
                proptest::prop_assert!(w.weights.iter().all(|x| (0.0..=1.0).contains(x)));
            }
        }

        /// Every blend written out reads back the same (to the two decimals written).
        #[test]
        fn a_blend_reads_back_as_written(ws in proptest::array::uniform7(0u8..=100), diversity: bool) {
            let w = Weights { weights: ws.map(|x| f64::from(x) / 100.0), diversity };
            proptest::prop_assert_eq!(Weights::parse(&w.to_param()).unwrap(), w);
        }

        /// Pins lead in their order and no product is lost or doubled, whatever the blend.
        #[test]
        fn ranking_keeps_every_product_once_and_pins_first(
            n in 1usize..12,
            pin_count in 0usize..4,
            ws in proptest::array::uniform7(0u8..=10),
            diversity: bool,
        ) {
            let ps: Vec<Product> = (1..=n as u64).map(|i| product(i, ["yellow", "white"][i as usize % 2], ["a", "b", "c"][i as usize % 3])).collect();
            let by_id: HashMap<u64, &Product> = ps.iter().map(|p| (p.id, p)).collect();
            let f = facts(&(1..=n as u64).map(|i| (i, i * 10, i % 4)).collect::<Vec<_>>());
            let pins: Vec<u64> = (1..=n as u64).rev().take(pin_count).collect();
            let list: Vec<u64> = (1..=n as u64).filter(|i| !pins.contains(i)).collect();
            let w = Weights { weights: ws.map(|x| f64::from(x) / 10.0), diversity };
            let r = rank(&list, &pins, &by_id, &f, &w, 4);
            let order: Vec<u64> = r.iter().map(|x| x.product).collect();
            proptest::prop_assert_eq!(&order[..pins.len()], &pins[..]);
            let mut sorted = order.clone();
            sorted.sort_unstable();
            proptest::prop_assert_eq!(sorted, (1..=n as u64).collect::<Vec<_>>());
        }
    }

    #[test]
    fn weights_read_and_write_the_same_text() {
        let w = Weights::parse("conversion:1, margin:0, diversity:0").unwrap();
        assert_eq!(w.get(Factor::Conversion), 1.0);
        assert_eq!(
            w.get(Factor::Newness),
            Weights::default().get(Factor::Newness),
            "unnamed factors keep their default"
        );
        assert!(!w.diversity);
        assert_eq!(Weights::parse(&w.to_param()).unwrap(), w);
        assert!(Weights::parse("charm:1").unwrap_err().contains("not a factor"));
        assert!(Weights::parse("margin:3").unwrap_err().contains("outside"));
    }

    #[test]
    fn conversion_orders_the_list_and_pins_stay_on_top() {
        let ps: Vec<Product> = (1..=4)
            .map(|i| product(i, ["yellow", "white", "rose", "black"][i as usize - 1], "classic"))
            .collect();
        let by_id: HashMap<u64, &Product> = ps.iter().map(|p| (p.id, p)).collect();
        let f = facts(&[(1, 1000, 5), (2, 1000, 50), (3, 1000, 20), (4, 1000, 1)]);
        let w = Weights { weights: [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], diversity: false };
        let order: Vec<u64> = rank(&[1, 2, 3, 4], &[], &by_id, &f, &w, 4).iter().map(|r| r.product).collect();
        assert_eq!(order, [2, 3, 1, 4]);
        let pinned = rank(&[1, 2, 3, 4], &[4], &by_id, &f, &w, 4);
        assert_eq!(pinned[0].product, 4);
        assert!(pinned[0].pinned);
        let c = &pinned[1].contributions[0];
        assert_eq!(c.0, Factor::Conversion);
        assert!(c.1 > 0.0 && c.2 == "50 purchases from 1000 views (5.0%)", "{c:?}");
    }

    #[test]
    fn a_product_without_views_says_so_and_stays_neutral() {
        let ps = [product(1, "yellow", "classic")];
        let by_id: HashMap<u64, &Product> = ps.iter().map(|p| (p.id, p)).collect();
        let r = rank(&[1], &[], &by_id, &Facts::default(), &Weights::default(), 4);
        let conv = r[0].contributions.iter().find(|c| c.0 == Factor::Conversion).unwrap();
        assert_eq!(conv.1, 0.0);
        assert_eq!(conv.2, "no views yet");
        let season = r[0].contributions.iter().find(|c| c.0 == Factor::Seasonality).unwrap();
        assert!(season.2.starts_with("less than a year"), "{}", season.2);
    }

    #[test]
    fn diversity_keeps_one_metal_from_filling_the_first_row() {
        // Five yellow pieces convert best; one white piece converts worst.
        let mut ps: Vec<Product> = (1..=5).map(|i| product(i, "yellow", format!("s{i}").as_str())).collect();
        ps.push(product(6, "white", "s6"));
        let by_id: HashMap<u64, &Product> = ps.iter().map(|p| (p.id, p)).collect();
        let f = facts(&[(1, 100, 9), (2, 100, 8), (3, 100, 7), (4, 100, 6), (5, 100, 5), (6, 100, 1)]);
        let mut w = Weights { weights: [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0], diversity: true };
        let on: Vec<u64> =
            rank(&[1, 2, 3, 4, 5, 6], &[], &by_id, &f, &w, 4).iter().map(|r| r.product).collect();
        assert_eq!(&on[..3], &[1, 2, 6], "the third slot goes to the first piece in another metal");
        w.diversity = false;
        let off: Vec<u64> =
            rank(&[1, 2, 3, 4, 5, 6], &[], &by_id, &f, &w, 4).iter().map(|r| r.product).collect();
        assert_eq!(off, [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn stock_that_would_run_out_is_pushed_down_and_overstock_gently_up() {
        let ps: Vec<Product> = (1..=3).map(|i| product(i, "yellow", "classic")).collect();
        let by_id: HashMap<u64, &Product> = ps.iter().map(|p| (p.id, p)).collect();
        let mut f = facts(&[(1, 100, 5), (2, 100, 5), (3, 100, 5)]);
        let sales: BTreeMap<i64, i64> = (0..56).map(|d| (20_000 - 56 + d, 1)).collect();
        for (id, on_hand) in [(1, 3), (2, 400), (3, 60)] {
            let x = f.products.get_mut(&id).unwrap();
            x.on_hand = Some(on_hand);
            x.lead_time_days = Some(28);
            x.daily_units = sales.clone();
        }
        let w = Weights { weights: [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0], diversity: false };
        let r = rank(&[1, 2, 3], &[], &by_id, &f, &w, 4);
        let order: Vec<u64> = r.iter().map(|r| r.product).collect();
        assert_eq!(order, [2, 3, 1]);
        assert!(
            r[2].contributions[0].2.contains("would sell out before a delivery"),
            "{:?}",
            r[2].contributions
        );
        assert!(r[0].contributions[0].2.contains("overstocked"));
    }
}
