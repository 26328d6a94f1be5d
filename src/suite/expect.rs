//! Expectation files (`NAME.expected.json`): parsed strictly against the
//! policy set, compared with a report, and written back as snapshots.
//!
//! The format is that of the shared acceptance cases: an object of outcomes,
//! each `{"value": V}` with optionally `"cites": "4.2"` (a paragraph the
//! report must cite), `"missing": true` (the outcome is unknown for want of
//! facts; a null value without it means n/a) or `"conflict": true` (rules
//! conflict on it), and optionally `"departures": [[OUTCOME,
//! SUPERIOR_OUTCOME], …]`, the pairs the report's `departures` list must
//! hold. Every key, shape and value is checked, as a case's are: an unknown
//! outcome or key, a value of the wrong type or outside its enum, a paragraph
//! no rule cites, a duplicate key.
use crate::case::{parse_date, CaseError};
use crate::diag::suggest;
use crate::program::{Program, Type};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value as J;
use std::collections::BTreeSet;
use std::fmt;

/// The top-level key of the departures a report must list.
pub const DEPARTURES: &str = "departures";

/// What one outcome must be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expect {
    /// The value, in the vocabulary (`"host"`, `true`, `"2025-03-01"`);
    /// null for n/a, unknown or a conflict.
    pub value: J,
    /// A paragraph the report must cite for it.
    pub cites: Option<String>,
    /// Unknown for want of facts.
    pub missing: bool,
    /// Rules conflict on it.
    pub conflict: bool,
}

/// The expectations of one test, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expected {
    /// Per outcome (`in_force` included), what it must be.
    pub outcomes: Vec<(String, Expect)>,
    /// The `[outcome, superior_outcome]` pairs that must depart, when pinned.
    pub departures: Option<Vec<(String, String)>>,
}

/// What a report says of one outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actual {
    /// The value (null for n/a, unknown or a conflict).
    pub value: J,
    /// The paragraphs cited, the deciding rule's first.
    pub cites: Vec<String>,
    /// Unknown for want of facts.
    pub unknown: bool,
    /// Rules conflict on it.
    pub conflict: bool,
}

impl Actual {
    /// The entry of an outcome in a JSON report.
    pub fn from_report(entry: &J) -> Actual {
        let value = entry.get("value").cloned().unwrap_or(J::Null);
        let strings = |k: &str| -> Vec<String> {
            entry
                .get(k)
                .and_then(J::as_array)
                .map(|a| a.iter().filter_map(J::as_str).map(str::to_string).collect())
                .unwrap_or_default()
        };
        Actual {
            unknown: value.is_null() && entry.get("missing").is_some(),
            conflict: entry.get("conflict").is_some(),
            cites: strings("cites"),
            value,
        }
    }

    /// As an expectation: the value, the first (deciding) paragraph, and
    /// whether it is unknown or in conflict.
    pub fn to_expect(&self) -> Expect {
        Expect {
            value: self.value.clone(),
            cites: if self.value.is_null() {
                None
            } else {
                self.cites.first().cloned()
            },
            missing: self.unknown,
            conflict: self.conflict,
        }
    }

    fn state(&self) -> String {
        word(&self.value, self.unknown, self.conflict)
    }
}

fn word(v: &J, unknown: bool, conflict: bool) -> String {
    match v {
        J::Null if conflict => "a conflict".into(),
        J::Null if unknown => "unknown".into(),
        J::Null => "n/a".into(),
        v => v.to_string(),
    }
}

impl Expect {
    /// In words: the value, `unknown`, `n/a` or `a conflict`.
    pub fn state(&self) -> String {
        word(&self.value, self.missing, self.conflict)
    }

    /// The mismatches of an outcome's report entry with this expectation,
    /// one sentence each (empty when it matches).
    pub fn compare(&self, outcome: &str, got: Option<&Actual>) -> Vec<String> {
        let Some(got) = got else {
            return vec![format!("{outcome}: no such outcome in the report")];
        };
        let (want, have) = (self.state(), got.state());
        if want != have {
            return vec![format!("{outcome}: expected {want}, got {have}")];
        }
        let mut errors = Vec::new();
        if let Some(cite) = &self.cites {
            if !got.cites.contains(cite) {
                errors.push(format!(
                    "{outcome}: expected to cite {cite}, cites {}",
                    if got.cites.is_empty() {
                        "nothing".to_string()
                    } else {
                        got.cites.join(", ")
                    }
                ));
            }
        }
        errors
    }

    fn to_json(&self) -> J {
        let mut m = serde_json::Map::new();
        m.insert("value".into(), self.value.clone());
        if let Some(c) = &self.cites {
            m.insert("cites".into(), J::from(c.clone()));
        }
        if self.missing {
            m.insert("missing".into(), J::Bool(true));
        }
        if self.conflict {
            m.insert("conflict".into(), J::Bool(true));
        }
        J::Object(m)
    }
}

impl Expected {
    /// The file's text: pretty JSON as the acceptance cases are written,
    /// ending with a newline.
    pub fn to_text(&self) -> String {
        let mut m = serde_json::Map::new();
        for (name, e) in &self.outcomes {
            m.insert(name.clone(), e.to_json());
        }
        if let Some(d) = &self.departures {
            let pairs = d
                .iter()
                .map(|(a, b)| J::Array(vec![J::from(a.clone()), J::from(b.clone())]))
                .collect();
            m.insert(DEPARTURES.into(), J::Array(pairs));
        }
        let mut s = serde_json::to_string_pretty(&J::Object(m)).unwrap_or_default();
        s.push('\n');
        s
    }

    /// The expectation of an outcome.
    pub fn get(&self, outcome: &str) -> Option<&Expect> {
        self.outcomes
            .iter()
            .find(|(n, _)| n == outcome)
            .map(|(_, e)| e)
    }
}

/// The departures of a report as `(outcome, superior_outcome)` pairs; a
/// report without the list has none.
pub fn report_departures(report: &J) -> BTreeSet<(String, String)> {
    report
        .get(DEPARTURES)
        .and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|d| {
                    let s = |k: &str| d.get(k).and_then(J::as_str).map(str::to_string);
                    Some((s("outcome")?, s("superior_outcome")?))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn err(path: &str, message: impl Into<String>, help: impl Into<String>) -> CaseError {
    CaseError {
        path: path.to_string(),
        message: message.into(),
        help: Some(help.into()),
    }
}

const SHAPE_HELP: &str = "each outcome is an object: `{\"value\": …}`, optionally with `\"cites\": \"4.2\"`, `\"missing\": true` (unknown) or `\"conflict\": true`";

/// Parses and validates an expectation file against a policy set. Every
/// problem is reported, each by its path.
pub fn parse(p: &Program, text: &str) -> Result<Expected, Vec<CaseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![err(
            "",
            "the expectations are empty",
            "an expectation file is a JSON object of outcomes; `regula test` writes one as `NAME.expected.json.new`",
        )]);
    }
    let root = strict_json(text).map_err(|e| vec![e])?;
    let J::Object(map) = root else {
        return Err(vec![err(
            "",
            format!(
                "the expectations must be a JSON object of outcomes, found {}",
                kind(&root)
            ),
            "write `{\"OUTCOME\": {\"value\": …}, …}`",
        )]);
    };
    let mut errors = Vec::new();
    let mut out = Expected::default();
    let mut names: Vec<&str> = p.outcomes.iter().map(|o| o.name.as_str()).collect();
    names.push("in_force");
    // Each further line of documents has its own in-force outcome.
    let lines: Vec<&str> = p.lines().iter().skip(1).map(|(n, _)| n.as_str()).collect();
    names.extend(lines.iter().copied());
    let cites = known_cites(p);
    for (key, v) in &map {
        if key == DEPARTURES {
            match departures(&names, v) {
                Ok(d) => out.departures = Some(d),
                Err(mut e) => errors.append(&mut e),
            }
            continue;
        }
        let ty = if key == "in_force" || lines.contains(&key.as_str()) {
            Some(Type::Bool)
        } else {
            p.outcome_index
                .get(key)
                .and_then(|o| p.outcome(*o))
                .map(|o| o.ty)
        };
        let Some(ty) = ty else {
            let mut all = names.clone();
            all.push(DEPARTURES);
            errors.push(err(
                key,
                "no such outcome",
                crate::diag::did_you_mean(
                    key,
                    all,
                    "run `regula eval --format json` on the case to list the outcomes",
                ),
            ));
            continue;
        };
        match outcome(p, key, ty, &cites, v) {
            Ok(e) => out.outcomes.push((key.clone(), e)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() && out.outcomes.is_empty() && out.departures.is_none() {
        errors.push(err(
            "",
            "the expectations pin no outcome",
            "name at least one outcome, or delete the file and run `regula test` to write every outcome as a pending snapshot",
        ));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The paragraphs a report can cite: every rule's and every document's.
fn known_cites(p: &Program) -> Vec<String> {
    let mut all: BTreeSet<String> = p.rules.iter().map(|r| r.cites.key()).collect();
    for d in &p.documents {
        if let Some(c) = &d.cites {
            all.insert(c.key());
        }
    }
    all.into_iter().collect()
}

fn kind(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "an array",
        J::Object(_) => "an object",
    }
}

fn outcome(
    p: &Program,
    name: &str,
    ty: Type,
    cites: &[String],
    v: &J,
) -> Result<Expect, Vec<CaseError>> {
    let J::Object(m) = v else {
        return Err(vec![err(
            name,
            format!(
                "expected an object with the outcome's `value`, found {}",
                kind(v)
            ),
            match v {
                J::Object(_) => SHAPE_HELP.to_string(),
                other => format!("write `{{\"value\": {other}}}`"),
            },
        )]);
    };
    let mut errors = Vec::new();
    let mut e = Expect {
        value: J::Null,
        cites: None,
        missing: false,
        conflict: false,
    };
    let mut has_value = false;
    for (k, x) in m {
        let path = format!("{name}.{k}");
        match k.as_str() {
            "value" => {
                has_value = true;
                match value(p, ty, x) {
                    // Dates as the report writes them (`2025-03-01`).
                    Ok(Some(canonical)) => e.value = J::String(canonical),
                    Ok(None) => e.value = x.clone(),
                    Err((msg, help)) => errors.push(err(&path, msg, help)),
                }
            }
            "cites" => match x {
                J::String(c) if cites.contains(c) => e.cites = Some(c.clone()),
                J::String(c) => errors.push(err(
                    &path,
                    format!("no rule of the policy set cites paragraph `{c}`"),
                    crate::diag::did_you_mean(
                        c,
                        cites.iter().map(String::as_str).collect(),
                        "give a paragraph as `article.paragraph`, e.g. `4.2`",
                    ),
                )),
                other => errors.push(err(
                    &path,
                    format!(
                        "expected a paragraph such as \"4.2\", found {}",
                        kind(other)
                    ),
                    "give the one paragraph the report must cite, as a string",
                )),
            },
            "missing" | "conflict" => match x {
                J::Bool(b) if k == "missing" => e.missing = *b,
                J::Bool(b) => e.conflict = *b,
                other => errors.push(err(
                    &path,
                    format!("expected true or false, found {}", kind(other)),
                    format!("`\"{k}\": true`, or leave it out"),
                )),
            },
            _ => errors.push(err(
                &path,
                "unknown key",
                crate::diag::did_you_mean(
                    k,
                    vec!["value", "cites", "missing", "conflict"],
                    SHAPE_HELP,
                ),
            )),
        }
    }
    if !has_value && errors.is_empty() {
        errors.push(err(
            name,
            "the outcome has no `value`",
            "write `\"value\": …`, or `\"value\": null` for n/a (with `\"missing\": true` for unknown)",
        ));
    }
    if errors.is_empty() {
        let contradiction = if e.missing && e.conflict {
            Some("an outcome cannot be both unknown (`missing`) and in `conflict`")
        } else if !e.value.is_null() && e.missing {
            Some("an outcome with a value is not unknown: `missing` needs `\"value\": null`")
        } else if !e.value.is_null() && e.conflict {
            Some("an outcome in conflict has no value: `conflict` needs `\"value\": null`")
        } else if e.value.is_null() && e.cites.is_some() {
            Some("an outcome without a value cites nothing: `cites` needs a value")
        } else {
            None
        };
        if let Some(msg) = contradiction {
            errors.push(err(name, msg, SHAPE_HELP));
        }
    }
    if errors.is_empty() {
        Ok(e)
    } else {
        Err(errors)
    }
}

/// Whether a value fits an outcome's type; else the message and help.
fn value(p: &Program, ty: Type, v: &J) -> Result<Option<String>, (String, String)> {
    if v.is_null() {
        return Ok(None);
    }
    let wrong = |what: &str, example: &str| {
        (
            format!("expected {what}, found {}", kind(v)),
            format!("write {example}, or null for n/a or unknown"),
        )
    };
    if let (Type::Date, Some(s)) = (ty, v.as_str()) {
        return parse_date(s)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|m| (m, "write the date as \"YYYY-MM-DD\"".to_string()));
    }
    let fits = match ty {
        Type::Bool => v
            .is_boolean()
            .then_some(())
            .ok_or_else(|| wrong("true or false", "`true` or `false`")),
        Type::Int => v
            .as_i64()
            .map(|_| ())
            .ok_or_else(|| wrong("a whole number", "an integer such as `2`")),
        Type::Date => Err(wrong("a date", "\"YYYY-MM-DD\"")),
        Type::Text => v
            .is_string()
            .then_some(())
            .ok_or_else(|| wrong("a text", "a string")),
        Type::Enum(id) => {
            let Some(en) = p.enums.get(id as usize) else {
                return Err(wrong("a value", "a value"));
            };
            let names: Vec<&str> = en.variants.iter().map(|(n, _)| n.as_str()).collect();
            let Some(s) = v.as_str() else {
                return Err(wrong(
                    &format!("one of {}", names.join(", ")),
                    "the value's name as a string",
                ));
            };
            if names.contains(&s) {
                return Ok(None);
            }
            let help = match en.variants.iter().find(|(_, label)| label == s) {
                Some((n, _)) => format!("`{s}` is the label of `{n}`; write `\"{n}\"`"),
                None => match suggest(s, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("the values of {} are {}", en.name, names.join(", ")),
                },
            };
            Err((format!("`{s}` is not a value of {}", en.name), help))
        }
        _ => Err(wrong("a value", "a value")),
    };
    fits.map(|()| None)
}

fn departures(names: &[&str], v: &J) -> Result<Vec<(String, String)>, Vec<CaseError>> {
    let help = "write `\"departures\": [[\"OUTCOME\", \"SUPERIOR_OUTCOME\"], …]`, `[]` when nothing departs";
    let J::Array(items) = v else {
        return Err(vec![err(
            DEPARTURES,
            format!("expected a list of outcome pairs, found {}", kind(v)),
            help,
        )]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{DEPARTURES}[{i}]");
        let pair = match item {
            J::Array(a) if a.len() == 2 => a,
            other => {
                errors.push(err(
                    &path,
                    format!(
                        "expected a pair [OUTCOME, SUPERIOR_OUTCOME], found {}",
                        match other {
                            J::Array(a) => format!("a list of {}", a.len()),
                            o => kind(o).to_string(),
                        }
                    ),
                    help,
                ));
                continue;
            }
        };
        let mut both = Vec::new();
        for (j, x) in pair.iter().enumerate() {
            let at = format!("{path}[{j}]");
            match x.as_str() {
                Some(s) if names.contains(&s) => both.push(s.to_string()),
                Some(s) => errors.push(err(
                    &at,
                    format!("no outcome `{s}`"),
                    crate::diag::did_you_mean(s, names.to_vec(), help),
                )),
                None => errors.push(err(
                    &at,
                    format!("expected an outcome's name, found {}", kind(x)),
                    help,
                )),
            }
        }
        if let [a, b] = both.as_slice() {
            out.push((a.clone(), b.clone()));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// JSON text as a value, refusing duplicate keys (serde_json keeps the last).
fn strict_json(text: &str) -> Result<J, CaseError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    v.map_err(|e| {
        let msg = e.to_string();
        let msg = if msg.contains("recursion limit") {
            "the expectations are nested too deeply".to_string()
        } else {
            format!("not well-formed JSON: {msg}")
        };
        err(
            "",
            msg,
            "an expectation file holds exactly one JSON object, each key once",
        )
    })
}

/// A JSON value whose objects may not repeat a key.
#[derive(Clone, Copy)]
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = J;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<J, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = J;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<J, E> {
        Ok(J::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<J, E> {
        Ok(J::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<J, E> {
        Ok(J::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<J, E> {
        Ok(serde_json::Number::from_f64(v).map_or(J::Null, J::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<J, E> {
        Ok(J::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<J, E> {
        Ok(J::String(v))
    }
    fn visit_unit<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_none<E>(self) -> Result<J, E> {
        Ok(J::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = a.next_element_seed(Strict)? {
            v.push(x);
        }
        Ok(J::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<J, A::Error> {
        let mut m = serde_json::Map::new();
        while let Some(k) = a.next_key::<String>()? {
            if m.contains_key(&k) {
                return Err(de::Error::custom(format_args!(
                    "the key `{k}` is given twice"
                )));
            }
            let v = a.next_value_seed(Strict)?;
            m.insert(k, v);
        }
        Ok(J::Object(m))
    }
}
