//! Metal extraction: runs of metal words (`18K rose gold`, `950/1000
//! platinum`, `yellow-585`, `PT950`, `or jaune 18 carats`, `gold plated
//! sterling silver`) become metal mentions, merged per kind and karat.

use model::{Finish, Metal};

use super::{Field, Item};
use crate::normalize::tokens::{split_number_suffix, split_prefix_number, Brk};
use crate::vocab::{Entry, Vocabulary};

#[derive(Default, Debug)]
struct Mention {
    kind: Option<String>,
    karat: Option<u8>,
    weak_karat: bool,
    fineness: Option<u16>,
    /// The fineness was written so that it cannot be anything else
    /// (`950‰`, `950/1000`, `PT950`).
    strong_fineness: bool,
    colors: Vec<String>,
    multi: Option<Vec<String>>,
    finish: Option<Finish>,
    tone: bool,
    postfix: bool,
}

pub(crate) fn extract(items: &mut [Item], vocab: &Vocabulary, field: Field) -> Vec<Metal> {
    let mut mentions: Vec<Metal> = Vec::new();
    let mut any_cover = false;
    let mut i = 0;
    while i < items.len() {
        if items[i].used {
            i += 1;
            continue;
        }
        match run(items, i, vocab, field) {
            Some((m, end)) => {
                // `non-rhodiumized`, `no silver`, `without gold`: said not to be there.
                let negated = i > 0
                    && matches!(
                        items[i - 1].text.as_str(),
                        "non" | "no" | "not" | "without" | "ohne" | "sans"
                    );
                let accepted = if negated { None } else { accept(m, vocab, field) };
                if negated {
                    // Only the negated word; what follows is read afresh.
                    items[i].used = true;
                    i += 1;
                    continue;
                }
                if let Some(metal) = &accepted {
                    // Rhodium plating is a finish on white gold or silver, not a
                    // sign that the base metal is plated.
                    if metal.kind != "rhodium"
                        && matches!(metal.finish, Some(Finish::Plated | Finish::Vermeil | Finish::GoldFilled))
                    {
                        any_cover = true;
                    }
                }
                // A rejected run still used its words when it named a metal
                // (`gold tone`); a run of colours alone (`rose`) uses nothing.
                if accepted.is_some() || items[i..end].iter().any(|it| it.has(|e| matches!(e, Entry::Tone))) {
                    for it in &mut items[i..end] {
                        it.used = true;
                    }
                }
                if let Some(metal) = accepted {
                    push_merged(&mut mentions, metal);
                }
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    // A karat gold, a hallmarked silver, or platinum or palladium (never
    // plated in practice) with no plating anywhere in the text is solid: a
    // plated piece says so.
    if !any_cover {
        for m in &mut mentions {
            let solid = match m.kind.as_str() {
                "gold" => m.karat.is_some(),
                "silver" => m.fineness.is_some(),
                "platinum" | "palladium" => true,
                _ => false,
            };
            if m.finish.is_none() && solid {
                m.finish = Some(Finish::Solid);
            }
        }
    }
    // Vermeil is yellow gold over sterling silver: one metal, not two.
    if mentions.iter().any(|m| m.finish == Some(Finish::Vermeil)) {
        mentions.retain(|m| !(m.kind == "silver" && m.finish.is_none()));
        for m in mentions.iter_mut().filter(|m| m.finish == Some(Finish::Vermeil) && m.colors.is_empty()) {
            m.colors.push("yellow".to_string());
        }
    }
    mentions
}

/// Merges a mention into an earlier one of the same metal (same kind,
/// compatible karat and finish), uniting colours.
pub(crate) fn push_merged(list: &mut Vec<Metal>, m: Metal) {
    for existing in list.iter_mut() {
        if compatible(existing, &m) {
            fill(existing, &m, true);
            return;
        }
    }
    list.push(m);
}

pub(crate) fn compatible(a: &Metal, b: &Metal) -> bool {
    a.kind == b.kind
        && (a.karat.is_none() || b.karat.is_none() || a.karat == b.karat)
        && (a.fineness.is_none() || b.fineness.is_none() || a.fineness == b.fineness)
        && (a.finish.is_none() || b.finish.is_none() || a.finish == b.finish)
}

/// Fills `a`'s unknowns from `b`; with `union_colors`, adds `b`'s colours.
pub(crate) fn fill(a: &mut Metal, b: &Metal, union_colors: bool) {
    a.karat = a.karat.or(b.karat);
    a.fineness = a.fineness.or(b.fineness);
    a.finish = a.finish.or(b.finish);
    if union_colors || a.colors.is_empty() {
        for c in &b.colors {
            if !a.colors.contains(c) {
                a.colors.push(c.clone());
            }
        }
    }
}

fn accept(m: Mention, vocab: &Vocabulary, field: Field) -> Option<Metal> {
    if m.tone {
        return None;
    }
    let has_color = !m.colors.is_empty() || m.multi.is_some();
    let kind = match m.kind {
        Some(k) => k,
        None if m.karat.is_some() && (!m.weak_karat || has_color) => "gold".to_string(),
        None if m.fineness.is_some() && (m.strong_fineness || has_color || field == Field::Metal) => {
            vocab.fineness_default.get(&m.fineness?)?.clone()
        }
        None => return None,
    };
    let mut karat = m.karat;
    let mut fineness = m.fineness;
    if kind == "gold" {
        if fineness.is_none() {
            fineness = karat.and_then(|k| vocab.fineness_of_karat(k));
        }
        if karat.is_none() {
            karat = fineness.and_then(|f| vocab.karat_of_fineness(f));
        }
    } else {
        karat = None;
    }
    let mut colors = m.colors;
    if let Some(defaults) = m.multi {
        let want = defaults.len();
        for d in defaults {
            if colors.len() >= want {
                break;
            }
            if !colors.contains(&d) {
                colors.push(d);
            }
        }
    }
    Some(Metal { kind, karat, fineness, colors, finish: m.finish })
}

/// A karat at `j`: `14k`, `18kt`, `K18`, `14 K`, `18 carat`. Returns the
/// karat, whether the unit is unambiguous, and the items used.
fn karat_at(items: &[Item], j: usize, vocab: &Vocabulary) -> Option<(u8, bool, usize)> {
    let it = &items[j];
    let valid = |k: f64| -> Option<u8> {
        (k.fract() == 0.0 && (1.0..=24.0).contains(&k) && vocab.fineness_of_karat(k as u8).is_some())
            .then_some(k as u8)
    };
    if let Some((num, suffix)) = split_number_suffix(&it.text) {
        let k = valid(num)?;
        let unit = vocab.lookup(suffix);
        let strong =
            unit.iter().find_map(|e| if let Entry::KaratUnit { strong } = e { Some(*strong) } else { None });
        return strong.map(|s| (k, s, 1));
    }
    if let Some((prefix, num)) = split_prefix_number(&it.text) {
        if prefix == "k" {
            return Some((valid(num as f64)?, true, 1));
        }
        return None;
    }
    let k = valid(it.number()?)?;
    let next = items.get(j + 1)?;
    if next.brk == Brk::Hard || next.used {
        return None;
    }
    let strong = next.find(|e| if let Entry::KaratUnit { strong } = e { Some(*strong) } else { None })?;
    Some((k, strong, 2))
}

/// A fineness at `j`: `585`, `950/1000`, `950‰`, `PT950`, `pt 950`.
/// Returns the fineness, a kind named by a prefix, whether it is
/// unambiguous, and the items used.
fn fineness_at(items: &[Item], j: usize, vocab: &Vocabulary) -> Option<(u16, Option<String>, bool, usize)> {
    let it = &items[j];
    let known = |f: u32| -> Option<u16> {
        let f = u16::try_from(f).ok()?;
        (vocab.fineness_default.contains_key(&f) || (300..=1000).contains(&f) && f % 5 == 0).then_some(f)
    };
    if let Some((prefix, num)) = split_prefix_number(&it.text) {
        let kind = vocab.fineness_prefixes.get(prefix)?;
        return Some((known(num)?, Some(kind.clone()), true, 1));
    }
    if let Some(kind) = vocab.fineness_prefixes.get(it.text.as_str()) {
        let next = items.get(j + 1)?;
        if next.brk <= Brk::Hyphen && !next.used {
            let f = known(next.integer()?)?;
            return Some((f, Some(kind.clone()), true, 2));
        }
        return None;
    }
    let n = it.integer()?;
    if it.text.len() != 3 {
        return None;
    }
    let f = u16::try_from(n).ok()?;
    if !vocab.fineness_default.contains_key(&f) {
        return None;
    }
    // `950/1000` and `950‰` are unambiguous.
    if let (Some(slash), Some(thousand)) = (items.get(j + 1), items.get(j + 2)) {
        if slash.text == "/" && thousand.text == "1000" {
            return Some((f, None, true, 3));
        }
    }
    if items.get(j + 1).is_some_and(|x| x.text == "‰" && x.brk == Brk::None) {
        return Some((f, None, true, 2));
    }
    Some((f, None, false, 1))
}

fn is_color(it: &Item) -> bool {
    it.has(|e| matches!(e, Entry::MetalColor(_)))
}

/// Reads one metal run starting at `i`; returns it and the index after it.
fn run(items: &[Item], i: usize, vocab: &Vocabulary, field: Field) -> Option<(Mention, usize)> {
    let mut m = Mention::default();
    let mut j = i;
    while j < items.len() {
        let it = &items[j];
        if j > i && (it.brk == Brk::Hard || it.used) {
            break;
        }
        if it.used {
            return None;
        }
        if let Some((k, strong, used)) = karat_at(items, j, vocab) {
            if m.karat.is_some()
                || (m.kind.is_some() && !m.postfix && !strong && m.kind.as_deref() != Some("gold"))
            {
                break;
            }
            m.karat = Some(k);
            m.weak_karat = !strong;
            j += used;
            continue;
        }
        if let Some((f, kind, strong, used)) = fineness_at(items, j, vocab) {
            if m.fineness.is_some() {
                break;
            }
            if let (Some(k), Some(existing)) = (&kind, &m.kind) {
                if k != existing {
                    break;
                }
            }
            if kind.is_some() {
                m.kind = kind;
            }
            m.fineness = Some(f);
            m.strong_fineness |= strong;
            j += used;
            continue;
        }
        let mut handled = false;
        for e in it.entries {
            match e {
                Entry::MetalKind(k) => {
                    if m.kind.is_some() {
                        // `gold plated silver`, `gold, gold`: a second mention.
                        return finish_run(m, j);
                    }
                    m.kind = Some(k.clone());
                    m.postfix = it.has(|e| matches!(e, Entry::PostfixColors));
                    handled = true;
                }
                Entry::MetalContextual(k) => {
                    let next = items.get(j + 1);
                    // In a metal column or line (`Matière : Or`) the word is the metal.
                    let ctx = field == Field::Metal
                        || m.karat.is_some()
                        || !m.colors.is_empty()
                        || next.is_some_and(|n| {
                            n.brk != Brk::Hard
                                && (is_color(n)
                                    || karat_at(items, j + 1, vocab).is_some()
                                    || n.integer().is_some_and(|x| x <= 24))
                        });
                    if !ctx || m.kind.is_some() {
                        return finish_run(m, j);
                    }
                    m.kind = Some(k.clone());
                    m.postfix = true;
                    handled = true;
                }
                Entry::MetalCompound { kind, color, fineness, finish } => {
                    if m.kind.as_ref().is_some_and(|x| x != kind) {
                        return finish_run(m, j);
                    }
                    if m.kind.is_some() && !m.colors.is_empty() && color.is_some() {
                        return finish_run(m, j);
                    }
                    m.kind = Some(kind.clone());
                    if let Some(c) = color {
                        push_color(&mut m.colors, c);
                    }
                    if fineness.is_some() {
                        m.fineness = m.fineness.or(*fineness);
                    }
                    if finish.is_some() {
                        m.finish = *finish;
                    }
                    handled = true;
                }
                Entry::MetalColor(c) => {
                    if m.kind.is_some() && !m.postfix {
                        return finish_run(m, j);
                    }
                    push_color(&mut m.colors, c);
                    handled = true;
                }
                Entry::MultiColor(d) => {
                    m.multi = Some(d.clone());
                    handled = true;
                }
                Entry::Finish(f) => {
                    m.finish = Some(*f);
                    handled = true;
                }
                Entry::Tone if m.kind.is_some() => {
                    m.tone = true;
                    return Some((m, j + 1));
                }
                _ => continue,
            }
            break;
        }
        if !handled {
            // Connectors between colours: `yellow and white gold`, `yellow/white`.
            let connector =
                matches!(it.text.as_str(), "and" | "&" | "/" | "und" | "et" | "y" | "e" | "or" | "+");
            let next_is_color = items.get(j + 1).is_some_and(|n| n.brk != Brk::Hard && is_color(n));
            if connector && !m.colors.is_empty() && next_is_color && (m.kind.is_none() || m.postfix) {
                j += 1;
                continue;
            }
            break;
        }
        j += 1;
    }
    if j == i {
        return None;
    }
    Some((m, j))
}

fn finish_run(m: Mention, j: usize) -> Option<(Mention, usize)> {
    Some((m, j))
}

fn push_color(colors: &mut Vec<String>, c: &str) {
    if !colors.iter().any(|x| x == c) {
        colors.push(c.to_string());
    }
}
