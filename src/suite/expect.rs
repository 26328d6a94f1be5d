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
use super::TestError;
use crate::case::parse_date;
use crate::diag::{suggest, Contradiction, Kind, TestProblem as T, Want};
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

fn err(path: &str, problem: impl Into<Box<T>>) -> TestError {
    TestError::new(path, problem)
}

/// The nearest of the candidates, owned.
fn near(name: &str, candidates: Vec<&str>) -> Option<String> {
    suggest(name, candidates).map(str::to_string)
}

/// Parses and validates an expectation file against a policy set. Every
/// problem is reported, each by its path.
pub fn parse(p: &Program, text: &str) -> Result<Expected, Vec<TestError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![TestError::whole(T::Empty)]);
    }
    let root = strict_json(text).map_err(|e| vec![e])?;
    let J::Object(map) = root else {
        return Err(vec![TestError::whole(T::NotAnObject {
            found: kind(&root),
        })]);
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
                T::NoSuchOutcome {
                    suggestion: near(key, all),
                },
            ));
            continue;
        };
        match outcome(p, key, ty, &cites, v) {
            Ok(e) => out.outcomes.push((key.clone(), e)),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() && out.outcomes.is_empty() && out.departures.is_none() {
        errors.push(TestError::whole(T::PinsNothing));
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

fn kind(v: &J) -> Kind {
    match v {
        J::Null => Kind::Null,
        J::Bool(_) => Kind::Boolean,
        J::Number(_) => Kind::Number,
        J::String(_) => Kind::Text,
        J::Array(_) => Kind::Array,
        J::Object(_) => Kind::Object,
    }
}

fn outcome(
    p: &Program,
    name: &str,
    ty: Type,
    cites: &[String],
    v: &J,
) -> Result<Expect, Vec<TestError>> {
    let J::Object(m) = v else {
        return Err(vec![err(
            name,
            T::OutcomeNotObject {
                found: kind(v),
                value: v.to_string(),
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
                    Err(problem) => errors.push(err(&path, problem)),
                }
            }
            "cites" => match x {
                J::String(c) if cites.contains(c) => e.cites = Some(c.clone()),
                J::String(c) => errors.push(err(
                    &path,
                    T::UnknownCite {
                        cite: c.clone(),
                        suggestion: near(c, cites.iter().map(String::as_str).collect()),
                    },
                )),
                other => errors.push(err(&path, T::CitesType { found: kind(other) })),
            },
            "missing" | "conflict" => match x {
                J::Bool(b) if k == "missing" => e.missing = *b,
                J::Bool(b) => e.conflict = *b,
                other => errors.push(err(
                    &path,
                    T::FlagType {
                        key: k.clone(),
                        found: kind(other),
                    },
                )),
            },
            _ => errors.push(err(
                &path,
                T::UnknownKey {
                    suggestion: near(k, vec!["value", "cites", "missing", "conflict"]),
                },
            )),
        }
    }
    if !has_value && errors.is_empty() {
        errors.push(err(name, T::NoValue));
    }
    if errors.is_empty() {
        let contradiction = if e.missing && e.conflict {
            Some(Contradiction::MissingAndConflict)
        } else if !e.value.is_null() && e.missing {
            Some(Contradiction::ValueAndMissing)
        } else if !e.value.is_null() && e.conflict {
            Some(Contradiction::ValueAndConflict)
        } else if e.value.is_null() && e.cites.is_some() {
            Some(Contradiction::CitesWithoutValue)
        } else {
            None
        };
        if let Some(c) = contradiction {
            errors.push(err(name, T::Contradiction(c)));
        }
    }
    if errors.is_empty() {
        Ok(e)
    } else {
        Err(errors)
    }
}

/// Whether a value fits an outcome's type; else the problem.
fn value(p: &Program, ty: Type, v: &J) -> Result<Option<String>, Box<T>> {
    if v.is_null() {
        return Ok(None);
    }
    let wrong = |want: Want| {
        Box::new(T::ValueType {
            want,
            found: kind(v),
        })
    };
    if let (Type::Date, Some(s)) = (ty, v.as_str()) {
        return parse_date(s)
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|d| Box::new(T::Date(d)));
    }
    let fits = match ty {
        Type::Bool => v
            .is_boolean()
            .then_some(())
            .ok_or_else(|| wrong(Want::Bool)),
        Type::Int => v.as_i64().map(|_| ()).ok_or_else(|| wrong(Want::Int)),
        Type::Date => Err(wrong(Want::Date)),
        Type::Text => v.is_string().then_some(()).ok_or_else(|| wrong(Want::Text)),
        Type::Enum(id) => {
            let en = p
                .enums
                .get(id as usize)
                .expect("an outcome's enum is its program's");
            let names: Vec<&str> = en.variants.iter().map(|(n, _)| n.as_str()).collect();
            let Some(s) = v.as_str() else {
                return Err(wrong(Want::OneOf(
                    names.iter().map(|n| n.to_string()).collect(),
                )));
            };
            if names.contains(&s) {
                return Ok(None);
            }
            let label_of = en
                .variants
                .iter()
                .find(|(_, label)| label == s)
                .map(|(n, _)| n.clone());
            let suggestion = match label_of {
                Some(_) => None,
                None => suggest(s, names.iter().copied()).map(str::to_string),
            };
            Err(Box::new(T::NotAValue {
                value: s.to_string(),
                enum_name: en.name.clone(),
                values: names.iter().map(|n| n.to_string()).collect(),
                label_of,
                suggestion,
            }))
        }
        _ => Err(wrong(Want::Value)),
    };
    fits.map(|()| None)
}

fn departures(names: &[&str], v: &J) -> Result<Vec<(String, String)>, Vec<TestError>> {
    let J::Array(items) = v else {
        return Err(vec![err(DEPARTURES, T::DeparturesType { found: kind(v) })]);
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
                    T::NotAPair {
                        found: kind(other),
                        len: other.as_array().map_or(0, Vec::len),
                    },
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
                    T::NoOutcome {
                        name: s.to_string(),
                        suggestion: near(s, names.to_vec()),
                    },
                )),
                None => errors.push(err(&at, T::OutcomeNameType { found: kind(x) })),
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
fn strict_json(text: &str) -> Result<J, TestError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Strict
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    v.map_err(|e| {
        let detail = e.to_string();
        TestError::whole(if detail.contains("recursion limit") {
            T::NestedTooDeep
        } else {
            T::Malformed { detail }
        })
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
                return Err(de::Error::custom(crate::diag::key_given_twice(&k)));
            }
            let v = a.next_value_seed(Strict)?;
            m.insert(k, v);
        }
        Ok(J::Object(m))
    }
}
