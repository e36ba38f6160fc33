//! Post-purchase care (issue 17): what to do, what to avoid, and when to
//! say it, for each purchased piece.
//!
//! Care plans live in a data file the brand can edit, the same pattern as
//! the catalog vocabulary: `data/care-plans.toml` is built in, and a brand's
//! file of the same shape extends it (a plan with the same key replaces the
//! built-in one). A plan applies when its conditions hold for the product's
//! normalized attributes (metal kind and finish, stone kind and origin,
//! category); [`plan`] merges every plan that applies into the product's
//! materials, cautions (fixed codes, [`Caution`]) and messages, each with
//! the day after delivery it is due and why the customer gets it.
//!
//! [`schedule`] puts purchases' messages on the calendar with consent,
//! pacing and every suppression's reason. Values in, values out: no IO, no
//! clock. Storing consent, the outbox and delivery come on top of this.

pub mod schedule;

use std::collections::BTreeSet;

use model::{Category, Metal, Product, Stone, Variant};
use serde::Deserialize;

const BUILTIN: &str = include_str!("../data/care-plans.toml");

/// What a piece must be kept from, or how it must be kept: a fixed list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Caution {
    NoUltrasonic,
    NoSteam,
    NoChemicals,
    NoPerfumeContact,
    RemoveBeforeSwimming,
    NoAbrasivePolish,
    StoreSeparately,
    StoreDry,
}

impl Caution {
    pub const ALL: [Caution; 8] = [
        Caution::NoUltrasonic,
        Caution::NoSteam,
        Caution::NoChemicals,
        Caution::NoPerfumeContact,
        Caution::RemoveBeforeSwimming,
        Caution::NoAbrasivePolish,
        Caution::StoreSeparately,
        Caution::StoreDry,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Caution::NoUltrasonic => "no_ultrasonic",
            Caution::NoSteam => "no_steam",
            Caution::NoChemicals => "no_chemicals",
            Caution::NoPerfumeContact => "no_perfume_contact",
            Caution::RemoveBeforeSwimming => "remove_before_swimming",
            Caution::NoAbrasivePolish => "no_abrasive_polish",
            Caution::StoreSeparately => "store_separately",
            Caution::StoreDry => "store_dry",
        }
    }

    pub fn parse(s: &str) -> Option<Caution> {
        Caution::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// One value or a list of them, as the data file writes conditions.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// Whether the condition holds for `have` (no condition always holds).
    fn holds(&self, have: &[String]) -> bool {
        match self {
            OneOrMany::None => true,
            OneOrMany::One(v) => have.iter().any(|h| h == v),
            OneOrMany::Many(vs) => vs.iter().any(|v| have.iter().any(|h| h == v)),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct When {
    metal: OneOrMany,
    finish: OneOrMany,
    stone: OneOrMany,
    origin: OneOrMany,
    category: OneOrMany,
    /// `engraving`: the piece is engraved or engravable (its title, tags,
    /// options or attributes say "engrav" or "monogram").
    feature: OneOrMany,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageSpec {
    day: u32,
    #[serde(default)]
    every: Option<u32>,
    #[serde(default)]
    until: Option<u32>,
    topic: String,
    channel: String,
    title: String,
    body: String,
    why: String,
    /// Left out when the piece has one of these stones (the soaking advice
    /// for gold must not reach a piece set with pearls).
    #[serde(default)]
    unless_stone: OneOrMany,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanSpec {
    key: String,
    #[serde(default)]
    when: When,
    #[serde(default)]
    materials: Vec<String>,
    #[serde(default)]
    cautions: Vec<String>,
    #[serde(default, rename = "message")]
    messages: Vec<MessageSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "plan")]
    plans: Vec<PlanSpec>,
}

/// A care-plan file that cannot be used, with where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlansError(pub String);

impl std::fmt::Display for PlansError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The care plans in force: the built-in ones, extended by the brand's.
#[derive(Clone, Debug)]
pub struct Plans {
    plans: Vec<PlanSpec>,
}

impl Plans {
    /// The built-in plans (`crates/care/data/care-plans.toml`).
    pub fn builtin() -> Plans {
        let mut p = Plans { plans: Vec::new() };
        p.extend_from_toml(BUILTIN).expect("the built-in care plans are valid (a test checks them)");
        p
    }

    /// Adds the plans of a TOML file; a plan with the key of one already
    /// present replaces it in place. Nothing changes when the file is bad.
    pub fn extend_from_toml(&mut self, text: &str) -> Result<(), PlansError> {
        let file: File =
            toml::from_str(text).map_err(|e| PlansError(format!("the care plans cannot be read: {e}")))?;
        for plan in &file.plans {
            if plan.key.trim().is_empty() {
                return Err(PlansError("a plan has an empty `key`".into()));
            }
            if let Some(c) = plan.cautions.iter().find(|c| Caution::parse(c).is_none()) {
                let known: Vec<&str> = Caution::ALL.iter().map(|c| c.as_str()).collect();
                return Err(PlansError(format!(
                    "plan {:?}: unknown caution {c:?}; the cautions are {}",
                    plan.key,
                    known.join(", ")
                )));
            }
            for m in &plan.messages {
                if m.channel != "email" && m.channel != "sms" {
                    return Err(PlansError(format!(
                        "plan {:?}, message {:?}: channel {:?} is neither email nor sms",
                        plan.key, m.topic, m.channel
                    )));
                }
                if m.every == Some(0) {
                    return Err(PlansError(format!(
                        "plan {:?}, message {:?}: `every` must be at least 1 day",
                        plan.key, m.topic
                    )));
                }
            }
        }
        for plan in file.plans {
            match self.plans.iter_mut().find(|p| p.key == plan.key) {
                Some(old) => *old = plan,
                None => self.plans.push(plan),
            }
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.plans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }
}

/// One message of a piece's care plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Days after delivery.
    pub day: u32,
    pub topic: String,
    pub title: String,
    pub body: String,
    pub channel: String,
    pub why: String,
    /// The plan it comes from.
    pub plan: String,
}

/// A piece's care plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarePlan {
    pub materials: Vec<String>,
    pub cautions: Vec<Caution>,
    /// By day, then topic.
    pub messages: Vec<Message>,
    /// The plans that applied, in file order.
    pub plans: Vec<String>,
}

/// What the conditions look at: the variant's metals and stones (a ring
/// sold in silver and in gold has two care plans), else the product's.
fn facts(p: &Product, variant: Option<&Variant>) -> [Vec<String>; 6] {
    let (metal_list, stone_list): (Vec<Metal>, Vec<Stone>) = match variant {
        Some(v) => (v.metals.clone(), v.stones.clone()),
        None => (p.metals(), p.stones()),
    };
    let metals: Vec<String> = metal_list.iter().map(|m| m.kind.clone()).collect();
    // A metal with no stated finish is taken as solid.
    let finishes: Vec<String> =
        metal_list.iter().map(|m| m.finish.map(|f| f.as_str()).unwrap_or("solid").to_string()).collect();
    let stones: Vec<String> = stone_list.iter().map(|s| s.kind.clone()).collect();
    let origins: Vec<String> =
        stone_list.iter().filter_map(|s| s.origin.map(|o| o.as_str().to_string())).collect();
    let category: Vec<String> =
        p.category.map(|c: Category| vec![c.as_str().to_string()]).unwrap_or_default();
    let says = |t: &str| {
        let t = t.to_ascii_lowercase();
        t.contains("engrav") || t.contains("monogram")
    };
    let options =
        variant.map(|v| &v.options).into_iter().flatten().chain(p.variants.iter().flat_map(|v| &v.options));
    let engraving = says(&p.title)
        || p.tags.iter().any(|t| says(t))
        || p.attributes.iter().any(|(k, v)| says(k) || says(v))
        || options.into_iter().any(|(k, v)| says(k) || says(v));
    let features = if engraving { vec!["engraving".to_string()] } else { Vec::new() };
    [metals, finishes, stones, origins, category, features]
}

/// The care plan of `product` (of its `variant`, when one is named): every
/// plan whose conditions hold, merged. `first_name` fills `{first_name}`
/// (a preview passes `None`: "there").
pub fn plan(
    plans: &Plans,
    product: &Product,
    variant: Option<&Variant>,
    first_name: Option<&str>,
) -> CarePlan {
    let [metals, finishes, stones, origins, category, features] = facts(product, variant);
    let mut materials: Vec<String> = Vec::new();
    let mut cautions: BTreeSet<Caution> = BTreeSet::new();
    let mut messages: Vec<Message> = Vec::new();
    let mut applied = Vec::new();
    for p in &plans.plans {
        let w = &p.when;
        // A finish condition is read per metal: "silver, solid" must not
        // match a piece of solid gold and plated silver... unless one metal
        // is both; the data file keeps finish conditions coarse.
        let holds = w.metal.holds(&metals)
            && w.finish.holds(&finishes)
            && w.stone.holds(&stones)
            && w.origin.holds(&origins)
            && w.category.holds(&category)
            && w.feature.holds(&features);
        if !holds {
            continue;
        }
        applied.push(p.key.clone());
        for m in &p.materials {
            if !materials.contains(m) {
                materials.push(m.clone());
            }
        }
        cautions.extend(p.cautions.iter().filter_map(|c| Caution::parse(c)));
        for spec in &p.messages {
            if !matches!(spec.unless_stone, OneOrMany::None) && spec.unless_stone.holds(&stones) {
                continue;
            }
            let mut day = spec.day;
            loop {
                if !messages.iter().any(|m| m.topic == spec.topic && m.day == day) {
                    messages.push(Message {
                        day,
                        topic: spec.topic.clone(),
                        title: fill(&spec.title, product, &materials, first_name),
                        body: fill(&spec.body, product, &materials, first_name),
                        channel: spec.channel.clone(),
                        why: spec.why.clone(),
                        plan: p.key.clone(),
                    });
                }
                match (spec.every, spec.until) {
                    (Some(every), Some(until)) if day + every <= until => day += every,
                    _ => break,
                }
            }
        }
    }
    // A material the plans named for the metal or stone family only
    // ("silver") gives way to a more precise one ("sterling silver").
    let precise: Vec<String> = materials.clone();
    materials.retain(|m| !precise.iter().any(|p| p != m && p.ends_with(&format!(" {m}"))));
    messages.sort_by(|a, b| a.day.cmp(&b.day).then(a.topic.cmp(&b.topic)));
    CarePlan { materials, cautions: cautions.into_iter().collect(), messages, plans: applied }
}

fn fill(template: &str, product: &Product, materials: &[String], first_name: Option<&str>) -> String {
    let material = materials.first().map(String::as_str).unwrap_or("jewelry");
    template
        .replace("{product}", &product.title)
        .replace("{material}", material)
        .replace("{first_name}", first_name.filter(|n| !n.trim().is_empty()).unwrap_or("there"))
}

#[cfg(test)]
mod tests;
