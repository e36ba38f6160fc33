//! Targeting conditions: GrowthBook's MongoDB-like rules (`{"country": {"$in": ["GB", "FR"]}}`).
//!
//! GrowthBook's reference SDK is JavaScript and its conformance suite pins JavaScript's loose
//! semantics (`"8" > 5` is true, a missing attribute compares as `null`, and `null` as 0), so this
//! module reproduces those few coercions explicitly rather than Rust's stricter ones.

use std::cmp::Ordering;

use serde_json::{Map, Value};

/// Whether `attributes` satisfy `condition`. `saved_groups` serve `$inGroup` / `$notInGroup`.
pub fn eval_condition(attributes: &Value, condition: &Value, saved_groups: &Map<String, Value>) -> bool {
    let Some(condition) = condition.as_object() else {
        return false;
    };
    condition.iter().all(|(key, value)| match key.as_str() {
        "$or" => eval_or(attributes, value, saved_groups),
        "$nor" => !eval_or(attributes, value, saved_groups),
        "$and" => as_array(value).iter().all(|c| eval_condition(attributes, c, saved_groups)),
        "$not" => !eval_condition(attributes, value, saved_groups),
        path => eval_value(value, get_path(attributes, path), saved_groups, false),
    })
}

fn as_array(v: &Value) -> &[Value] {
    v.as_array().map(Vec::as_slice).unwrap_or(&[])
}

fn eval_or(attributes: &Value, conditions: &Value, saved_groups: &Map<String, Value>) -> bool {
    let conditions = as_array(conditions);
    conditions.is_empty() || conditions.iter().any(|c| eval_condition(attributes, c, saved_groups))
}

/// The value at a dot-separated path; `None` (JavaScript's `null`) when any step is missing.
fn get_path<'a>(attributes: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(attributes, |current, part| current.as_object()?.get(part))
}

fn is_operator_object(v: &Value) -> bool {
    v.as_object().is_some_and(|o| !o.is_empty() && o.keys().all(|k| k.starts_with('$')))
}

fn eval_value(
    condition: &Value,
    value: Option<&Value>,
    groups: &Map<String, Value>,
    insensitive: bool,
) -> bool {
    match condition {
        Value::String(c) if insensitive => js_string(value).to_lowercase() == c.to_lowercase(),
        Value::String(c) => js_string(value) == *c,
        Value::Number(c) => js_number(value) == c.as_f64().unwrap_or(f64::NAN),
        Value::Bool(c) => !is_null(value) && js_truthy(value) == *c,
        Value::Null => is_null(value),
        Value::Object(ops) if is_operator_object(condition) => {
            ops.iter().all(|(op, expected)| eval_operator(op, value, expected, groups))
        }
        _ => value.is_some_and(|v| json_equal(v, condition)),
    }
}

fn eval_operator(op: &str, actual: Option<&Value>, expected: &Value, groups: &Map<String, Value>) -> bool {
    let version = |f: fn(Ordering) -> bool| {
        f(padded_version(&js_string(actual)).cmp(&padded_version(&js_string(Some(expected)))))
    };
    match op {
        "$veq" => version(Ordering::is_eq),
        "$vne" => version(Ordering::is_ne),
        "$vgt" => version(Ordering::is_gt),
        "$vgte" => version(Ordering::is_ge),
        "$vlt" => version(Ordering::is_lt),
        "$vlte" => version(Ordering::is_le),
        "$eq" => strict_equal(actual, Some(expected)),
        "$ne" => !strict_equal(actual, Some(expected)),
        "$lt" => js_compare(actual, expected).is_some_and(Ordering::is_lt),
        "$lte" => js_compare(actual, expected).is_some_and(Ordering::is_le),
        "$gt" => js_compare(actual, expected).is_some_and(Ordering::is_gt),
        "$gte" => js_compare(actual, expected).is_some_and(Ordering::is_ge),
        "$exists" => {
            if js_truthy(Some(expected)) {
                !is_null(actual)
            } else {
                is_null(actual)
            }
        }
        "$in" | "$ini" | "$nin" | "$nini" => {
            let Some(list) = expected.as_array() else {
                return false;
            };
            let found = is_in(actual, list, op.ends_with('i'));
            found == op.starts_with("$in")
        }
        "$inGroup" | "$notInGroup" => {
            let group = expected.as_str().and_then(|g| groups.get(g)).and_then(Value::as_array);
            is_in(actual, group.map(Vec::as_slice).unwrap_or(&[]), false) == (op == "$inGroup")
        }
        "$not" => !eval_value(expected, actual, groups, false),
        "$size" => match actual {
            Some(Value::Array(items)) => eval_value(expected, Some(&Value::from(items.len())), groups, false),
            _ => false,
        },
        "$elemMatch" => {
            let Some(Value::Array(items)) = actual else {
                return false;
            };
            items.iter().filter(|item| js_truthy(Some(item))).any(|item| {
                if is_operator_object(expected) {
                    eval_value(expected, Some(item), groups, false)
                } else {
                    eval_condition(item, expected, groups)
                }
            })
        }
        "$all" | "$alli" => {
            let (Some(Value::Array(items)), Some(wanted)) = (actual, expected.as_array()) else {
                return false;
            };
            let insensitive = op == "$alli";
            wanted.iter().all(|w| items.iter().any(|item| eval_value(w, Some(item), groups, insensitive)))
        }
        "$regex" | "$regexi" => {
            let Some(pattern) = expected.as_str() else {
                return false;
            };
            regex::RegexBuilder::new(pattern)
                .case_insensitive(op == "$regexi")
                .size_limit(1 << 20)
                .build()
                .is_ok_and(|re| re.is_match(&js_string(actual)))
        }
        "$type" => expected.as_str() == Some(type_name(actual)),
        _ => false,
    }
}

fn is_in(actual: Option<&Value>, list: &[Value], insensitive: bool) -> bool {
    let same = |a: &Value, b: &Value| match (a, b) {
        (Value::String(x), Value::String(y)) if insensitive => x.to_lowercase() == y.to_lowercase(),
        _ => strict_equal(Some(a), Some(b)),
    };
    match actual {
        Some(Value::Array(items)) => items.iter().any(|a| list.iter().any(|b| same(a, b))),
        Some(a) => list.iter().any(|b| same(a, b)),
        None => list.iter().any(Value::is_null),
    }
}

fn is_null(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

fn type_name(v: Option<&Value>) -> &'static str {
    match v {
        None | Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Number(_)) => "number",
        Some(Value::String(_)) => "string",
        Some(Value::Array(_)) => "array",
        Some(Value::Object(_)) => "object",
    }
}

/// JavaScript's `===` on parsed JSON: primitives by value; arrays and objects are distinct objects.
fn strict_equal(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a.unwrap_or(&Value::Null), b.unwrap_or(&Value::Null)) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// Deep equality with numbers compared as numbers (`1` equals `1.0`, as `JSON.stringify` has it).
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k1, v1), (k2, v2))| k1 == k2 && json_equal(v1, v2))
        }
        _ => strict_equal(Some(a), Some(b)),
    }
}

/// JavaScript's truthiness.
pub(crate) fn js_truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

/// JavaScript's `String(v)`.
pub(crate) fn js_string(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => js_number_string(n.as_f64().unwrap_or(f64::NAN)),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| if i.is_null() { String::new() } else { js_string(Some(i)) })
            .collect::<Vec<_>>()
            .join(","),
        Some(Value::Object(_)) => "[object Object]".into(),
    }
}

fn js_number_string(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// JavaScript's `Number(v)`.
fn js_number(v: Option<&Value>) -> f64 {
    match v {
        None | Some(Value::Null) => 0.0,
        Some(Value::Bool(b)) => f64::from(u8::from(*b)),
        Some(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                0.0
            } else {
                s.parse().unwrap_or(f64::NAN)
            }
        }
        Some(Value::Array(_)) => js_number(Some(&Value::String(js_string(v)))),
        Some(Value::Object(_)) => f64::NAN,
    }
}

/// JavaScript's relational comparison: strings by UTF-16 code units when both sides are strings
/// (arrays and objects become strings first), numbers otherwise; `None` where JavaScript's answer
/// is false both ways (NaN).
fn js_compare(a: Option<&Value>, b: &Value) -> Option<Ordering> {
    let primitive = |v: Option<&Value>| match v {
        Some(Value::Array(_) | Value::Object(_)) => Some(Value::String(js_string(v))),
        other => other.cloned(),
    };
    let (a, b) = (primitive(a), primitive(Some(b)));
    if let (Some(Value::String(x)), Some(Value::String(y))) = (&a, &b) {
        return Some(x.encode_utf16().cmp(y.encode_utf16()));
    }
    js_number(a.as_ref()).partial_cmp(&js_number(b.as_ref()))
}

/// A version string padded so that plain string comparison orders versions: a leading `v` and
/// build metadata dropped, numeric parts left-padded to five places, and a release (three parts)
/// sorting after its pre-releases.
fn padded_version(input: &str) -> String {
    let input = input.strip_prefix('v').unwrap_or(input);
    let input = input.split('+').next().unwrap_or("");
    let mut parts: Vec<String> = input.split(['-', '.']).map(str::to_string).collect();
    if parts.len() == 3 {
        parts.push("~".into());
    }
    parts
        .iter()
        .map(|p| {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                format!("{p:>5}")
            } else {
                p.clone()
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
