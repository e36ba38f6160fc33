//! Stone extraction: kinds with their counts, colours and origins (`42
//! brilliant-cut diamonds`, `lab-grown sapphire`, `black onyx`), carat weights
//! (`0.26 crt`, `1/2 ct`, `0.5ctw`, `totaling 0.29 carat`) and diamond grades
//! (`G VS2`).

use model::Stone;

use super::{Field, Item};
use crate::normalize::tokens::{split_number_suffix, Brk};
use crate::vocab::{Entry, Vocabulary};

struct Mention {
    at: usize,
    stone: Stone,
}

pub(crate) fn extract(items: &mut [Item], vocab: &Vocabulary, field: Field) -> (Vec<Stone>, Option<f64>) {
    for it in items.iter_mut() {
        if !it.used && it.has(|e| matches!(e, Entry::NotStone)) {
            it.used = true;
        }
    }
    // Carat weights first, so `1/2 ct diamond` is not read as two diamonds.
    let mut weights: Vec<(usize, usize, f64, bool)> = Vec::new();
    let mut j = 0;
    while j < items.len() {
        if items[j].used {
            j += 1;
            continue;
        }
        let Some((value, total, len)) = carat_at(items, j) else {
            j += 1;
            continue;
        };
        for it in &mut items[j..j + len] {
            it.used = true;
        }
        weights.push((j, len, value, total));
        j += len;
    }
    let mut mentions: Vec<Mention> = Vec::new();
    for i in 0..items.len() {
        if items[i].used {
            continue;
        }
        let Some(kind) = items[i].find(|e| if let Entry::StoneKind(k) = e { Some(k.clone()) } else { None })
        else {
            continue;
        };
        let mut stone = Stone { origin: vocab.default_origin.get(&kind).copied(), kind, ..Stone::default() };
        items[i].used = true;
        // Words before: colour, origin, count (`42 brilliant-cut diamonds`).
        let mut j = i;
        let mut steps = 0;
        while j > 0 && steps < 4 {
            if items[j].brk == Brk::Hard {
                break;
            }
            j -= 1;
            steps += 1;
            let it = &mut items[j];
            if it.used || it.has(|e| matches!(e, Entry::StoneKind(_))) {
                break;
            }
            if let Some(o) = it.find(|e| if let Entry::StoneOrigin(o) = e { Some(*o) } else { None }) {
                stone.origin = Some(o);
                it.used = true;
                continue;
            }
            if let Some(c) = it.find(|e| if let Entry::StoneColor(c) = e { Some(c.clone()) } else { None }) {
                if stone.color.is_none() {
                    stone.color = Some(c);
                }
                it.used = true;
                continue;
            }
            if let Some(n) = it.integer() {
                if (1..=10_000).contains(&n) && stone.count.is_none() {
                    stone.count = Some(n);
                    it.used = true;
                }
                break;
            }
            if matches!(it.text.as_str(), "and" | "with" | "or" | "&" | "/" | "of" | "und" | "et") {
                break;
            }
        }
        // Words after: `corundum_synthetic`, `quartz_smoky`, `diamond (lab grown)`.
        if let Some(next) = items.get(i + 1) {
            let last = items.get(i + 2).is_none_or(|n| n.brk == Brk::Hard);
            if !next.used && (next.brk != Brk::Hard || field == Field::Stone) {
                if let Some(o) = next.find(|e| if let Entry::StoneOrigin(o) = e { Some(*o) } else { None }) {
                    stone.origin = Some(o);
                    items[i + 1].used = true;
                } else if let Some(c) =
                    next.find(|e| if let Entry::StoneColor(c) = e { Some(c.clone()) } else { None })
                {
                    if last && stone.color.is_none() {
                        stone.color = Some(c);
                        items[i + 1].used = true;
                    }
                }
            }
        }
        mentions.push(Mention { at: i, stone });
    }

    let mut loose: Option<f64> = None;
    let mut loose_total = false;
    for (j, len, value, total) in weights {
        let target = nearest_before(items, &mentions, j).or_else(|| nearest_after(items, &mentions, j + len));
        match target {
            Some(m) => add(&mut mentions[m].stone.carat, value),
            None => {
                add(&mut loose, value);
                loose_total |= total;
            }
        }
    }
    // An origin with no stone (`lab grown 1ct`) speaks of diamonds.
    let lone_origin = items.iter_mut().filter(|it| !it.used).find_map(|it| {
        it.find(|e| if let Entry::StoneOrigin(o) = e { Some(*o) } else { None }).map(|o| (it, o))
    });
    let lone_origin = match lone_origin {
        Some((it, o)) if mentions.is_empty() && loose.is_some() => {
            it.used = true;
            Some(o)
        }
        _ => None,
    };

    grades(items, &mut mentions);

    // One stone per kind.
    let mut stones: Vec<Stone> = Vec::new();
    for m in mentions {
        match stones.iter_mut().find(|s| s.kind == m.stone.kind) {
            Some(s) => {
                s.count = sum_opt(s.count, m.stone.count);
                s.carat = sum_f(s.carat, m.stone.carat);
                s.origin = s.origin.or(m.stone.origin);
                s.color = s.color.take().or(m.stone.color);
                s.clarity = s.clarity.take().or(m.stone.clarity);
                s.color_grade = s.color_grade.take().or(m.stone.color_grade);
            }
            None => stones.push(m.stone),
        }
    }
    if let Some(c) = loose {
        if stones.len() == 1 {
            add(&mut stones[0].carat, c);
            loose = None;
        } else if stones.is_empty() && (loose_total || field == Field::Stone || lone_origin.is_some()) {
            stones.push(Stone {
                kind: "diamond".to_string(),
                carat: Some(c),
                origin: lone_origin,
                ..Stone::default()
            });
            loose = None;
        }
    }
    for s in &mut stones {
        if let Some(c) = &mut s.carat {
            *c = (*c * 1000.0).round() / 1000.0;
        }
    }
    (stones, loose)
}

fn add(slot: &mut Option<f64>, v: f64) {
    *slot = Some(slot.unwrap_or(0.0) + v);
}

fn sum_opt(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.saturating_add(y)),
        (x, y) => x.or(y),
    }
}

fn sum_f(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (x, y) => x.or(y),
    }
}

/// The closest stone mention before `j` in the same clause (or right before
/// a clause break, as in `Diamonds: 0.714ct`).
fn nearest_before(items: &[Item], mentions: &[Mention], j: usize) -> Option<usize> {
    let (idx, m) = mentions.iter().enumerate().rev().find(|(_, m)| m.at < j)?;
    let dist = j - m.at;
    let hard = items[m.at + 1..=j].iter().any(|it| it.brk == Brk::Hard);
    (dist <= 8 && !hard || dist <= 2).then_some(idx)
}

fn nearest_after(items: &[Item], mentions: &[Mention], j: usize) -> Option<usize> {
    let (idx, m) = mentions.iter().enumerate().find(|(_, m)| m.at >= j)?;
    let hard = items[j.min(m.at)..=m.at].iter().skip(1).any(|it| it.brk == Brk::Hard);
    (m.at - j <= 4 && !hard).then_some(idx)
}

fn carat_unit(it: &Item) -> Option<bool> {
    it.find(|e| if let Entry::CaratUnit { total } = e { Some(*total) } else { None })
}

/// A carat weight at `j`: value, whether it is a total weight, items used.
fn carat_at(items: &[Item], j: usize) -> Option<(f64, bool, usize)> {
    let get = |k: usize| items.get(k).filter(|it| !it.used);
    let first = get(j)?;
    // The number, possibly a fraction (`1/2`) or a mixed number (`1 1/2`),
    // possibly glued to its unit (`0.5ctw`, `1/2ct`).
    let mut value;
    let mut k = j;
    let mut glued_unit: Option<bool> = None;
    if let Some((num, suffix)) = split_number_suffix(&first.text) {
        value = num;
        glued_unit = Some(carat_unit_text(suffix)?);
        k += 1;
    } else {
        value = first.number()?;
        k += 1;
        if let (Some(slash), Some(den)) = (get(k), get(k + 1)) {
            if slash.text == "/" && slash.brk == Brk::None && first.integer().is_some() {
                let (d, unit) = match split_number_suffix(&den.text) {
                    Some((d, suffix)) => (d, Some(carat_unit_text(suffix)?)),
                    None => (den.number()?, None),
                };
                if d == 0.0 {
                    return None;
                }
                value /= d;
                glued_unit = unit;
                k += 2;
            }
        }
        // `1 1/2 ct`
        if glued_unit.is_none() {
            if let (Some(a), Some(slash), Some(b)) = (get(k), get(k + 1), get(k + 2)) {
                if first.integer().is_some() && a.integer().is_some() && slash.text == "/" {
                    if let Some(d) = b.number().filter(|d| *d > 0.0) {
                        value += a.number()? / d;
                        k += 3;
                    }
                }
            }
        }
    }
    let total = match glued_unit {
        Some(t) => t,
        None => {
            let unit = get(k).filter(|u| u.brk != Brk::Hard)?;
            let t = carat_unit(unit)?;
            k += 1;
            t
        }
    };
    // `ct tw`, `ct. t.w.`
    let mut total = total;
    if let Some(tw) = items.get(k) {
        if !tw.used && carat_unit(tw) == Some(true) {
            total = true;
            k += 1;
        }
    }
    (value > 0.0 && value <= 500.0).then_some((value, total, k - j))
}

fn carat_unit_text(suffix: &str) -> Option<bool> {
    match suffix {
        "ct" | "cts" | "crt" | "carat" | "carats" | "ctw." | "ct." => Some(false),
        "ctw" | "cttw" | "tcw" | "ctt" | "cttw." => Some(true),
        _ => None,
    }
}

/// Clarity (`VS1`) and colour grades (`G`, `G-H`, `colour: F`), attached to
/// the diamonds.
fn grades(items: &mut [Item], mentions: &mut Vec<Mention>) {
    let mut clarity = None;
    let mut color = None;
    for i in 0..items.len() {
        let it = &items[i];
        if it.used {
            continue;
        }
        let is_clarity = it.has(|e| matches!(e, Entry::Clarity))
            && (it.upper || it.text.len() > 2 && it.text.ends_with(|c: char| c.is_ascii_digit()));
        if is_clarity && clarity.is_none() {
            clarity = Some(it.text.to_uppercase());
            items[i].used = true;
            // A colour grade just before: `G VS1`, `G-H SI1`, `GH VS2`, `H/I I1`.
            let letter =
                |x: &Item| x.upper && x.text.len() <= 2 && x.text.chars().all(|c| ('d'..='z').contains(&c));
            if i >= 1 && letter(&items[i - 1]) && !items[i - 1].used {
                let mut g = items[i - 1].text.to_uppercase();
                items[i - 1].used = true;
                if i >= 3
                    && letter(&items[i - 3])
                    && !items[i - 3].used
                    && (items[i - 2].text == "/" || items[i - 1].brk == Brk::Hyphen)
                {
                    g = format!("{}-{}", items[i - 3].text.to_uppercase(), g);
                    items[i - 3].used = true;
                    items[i - 2].used = true;
                } else if i >= 2
                    && letter(&items[i - 2])
                    && items[i - 1].brk == Brk::Hyphen
                    && !items[i - 2].used
                {
                    g = format!("{}-{}", items[i - 2].text.to_uppercase(), g);
                    items[i - 2].used = true;
                }
                if g.len() == 2 && !g.contains('-') {
                    g = format!("{}-{}", &g[..1], &g[1..]);
                }
                color = Some(g);
            }
        } else if matches!(it.text.as_str(), "color" | "colour" | "color grade" | "colour grade")
            && color.is_none()
        {
            if let Some(next) = items.get(i + 1) {
                let letter = |x: &Item| {
                    x.text.len() == 1 && x.text.chars().all(|c| ('d'..='z').contains(&c)) && !x.used
                };
                if letter(next) {
                    let mut g = next.text.to_uppercase();
                    items[i].used = true;
                    items[i + 1].used = true;
                    // `G-H`, `G/H`
                    let second = match (items.get(i + 2), items.get(i + 3)) {
                        (Some(a), _) if a.brk == Brk::Hyphen && letter(a) => Some(i + 2),
                        (Some(a), Some(b)) if a.text == "/" && letter(b) => Some(i + 3),
                        _ => None,
                    };
                    if let Some(k) = second {
                        g = format!("{g}-{}", items[k].text.to_uppercase());
                        for it in &mut items[i + 2..=k] {
                            it.used = true;
                        }
                    }
                    color = Some(g);
                }
            }
        }
    }
    if clarity.is_none() && color.is_none() {
        return;
    }
    let target = match mentions.iter().position(|m| m.stone.kind == "diamond") {
        Some(p) => p,
        None if mentions.is_empty() => {
            mentions.push(Mention { at: 0, stone: Stone { kind: "diamond".into(), ..Stone::default() } });
            0
        }
        None => 0,
    };
    let s = &mut mentions[target].stone;
    s.clarity = s.clarity.take().or(clarity);
    s.color_grade = s.color_grade.take().or(color);
}
