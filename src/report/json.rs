//! The JSON report (`regula eval --format json`), as specified by the case
//! vocabulary: every outcome with `value`, `cites`, `missing` and
//! `derivation`. The report's and the derivation's shape are documented in
//! docs/derivation.md, a stable contract: keep the two in agreement.
use super::Subject;
use crate::eval::{Derivation, EvalError, Node, RuleStatus, RuleTrace, Status, Trace};
use crate::program::{OutcomeId, Program, RuleId, Value};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value as J};

/// How much of each outcome's derivation a report carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Detail {
    /// Values and missing facts only.
    None,
    /// Values, missing facts and cites.
    #[default]
    Cites,
    /// Everything, with the full derivation.
    Full,
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Decided => "decided",
        Status::Default => "default",
        Status::NotApplicable => "not_applicable",
        Status::Unknown => "unknown",
        Status::Conflict => "conflict",
        Status::NotInForce => "not_in_force",
    }
}

fn rule_status_name(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Applied => "applied",
        RuleStatus::Overridden => "overridden",
        RuleStatus::NotApplicable => "not_applicable",
        RuleStatus::Undetermined => "undetermined",
        RuleStatus::Conflicting => "conflicting",
        RuleStatus::NotInForce => "not_in_force",
    }
}

/// A value as the report writes it: the vocabulary's name of a known
/// value, `null` otherwise.
struct ValueJson<'a>(&'a Program, &'a Value);

impl Serialize for ValueJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        match self.1 {
            Value::Unknown | Value::Absent => s.serialize_none(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(n) => s.serialize_i64(*n),
            Value::Date(d) => s.collect_str(&d.format("%Y-%m-%d")),
            Value::Text(t) => s.serialize_str(t),
            Value::Enum(e, i) => s.serialize_str(p.variant(*e, *i).0),
            other => p.value_json(other).serialize(s),
        }
    }
}

/// A list of names, serialized as a JSON array.
struct Names<I>(std::cell::Cell<Option<I>>);

fn names<'a, I: Iterator<Item = &'a str>>(i: I) -> Names<I> {
    Names(std::cell::Cell::new(Some(i)))
}

impl<'a, I: Iterator<Item = &'a str>> Serialize for Names<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(i) => s.collect_seq(i),
            None => s.collect_seq(std::iter::empty::<&str>()),
        }
    }
}

fn rule_names<'a>(p: &'a Program, ids: &'a [RuleId]) -> impl Iterator<Item = &'a str> + 'a {
    ids.iter()
        .filter_map(|r| p.rule(*r))
        .map(|r| r.name.as_str())
}

/// A traced expression.
pub struct TraceJson<'a>(pub &'a Program, pub &'a Trace<'a>);

impl Serialize for TraceJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, t) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("expr", &p.expr_text(t.span))?;
        m.serialize_entry("value", &ValueJson(p, &t.value))?;
        match t.value {
            Value::Unknown => m.serialize_entry("state", "unknown")?,
            Value::Absent => m.serialize_entry("state", "n/a")?,
            _ => {}
        }
        match &t.node {
            Node::Fact(f) => {
                m.serialize_entry("fact", p.fact(*f).map(|x| x.name.as_str()).unwrap_or(""))?
            }
            Node::Outcome(o) => m.serialize_entry(
                "outcome",
                p.outcome(*o).map(|x| x.name.as_str()).unwrap_or(""),
            )?,
            Node::Param(x) => m.serialize_entry(
                "parameter",
                p.params
                    .get(*x as usize)
                    .map(|x| x.name.as_str())
                    .unwrap_or(""),
            )?,
            Node::AsOf => m.serialize_entry("as_of", &true)?,
            Node::Const => {}
            Node::Op | Node::And | Node::Or => {
                match t.node {
                    Node::And => m.serialize_entry("op", "and")?,
                    Node::Or => m.serialize_entry("op", "or")?,
                    _ => {}
                }
                let kids = t.children();
                m.serialize_entry("operands", &Traces(p, &kids))?;
            }
            Node::Call(d) => {
                m.serialize_entry(
                    "definition",
                    p.defs
                        .get(*d as usize)
                        .map(|x| x.name.as_str())
                        .unwrap_or(""),
                )?;
                let kids = t.children();
                let (args, body) = kids.split_at(kids.len().saturating_sub(1));
                m.serialize_entry("arguments", &Traces(p, args))?;
                if let Some(b) = body.first() {
                    m.serialize_entry("body", &TraceJson(p, b))?;
                }
            }
        }
        m.end()
    }
}

struct Traces<'a>(&'a Program, &'a [Trace<'a>]);

impl Serialize for Traces<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.1.iter().map(|t| TraceJson(self.0, t)))
    }
}

/// A traced expression as a JSON value.
pub fn trace_json(p: &Program, t: &Trace) -> J {
    serde_json::to_value(TraceJson(p, t)).unwrap_or(J::Null)
}

/// The sub-expressions that made a condition false (or n/a): below an `and`
/// that is false, its false operands; otherwise the condition itself.
fn why_not<'a>(t: &Trace<'a>, out: &mut Vec<Trace<'a>>) {
    if t.node == Node::And && t.value == Value::Bool(false) {
        for c in t
            .children()
            .iter()
            .filter(|c| c.value == Value::Bool(false))
        {
            why_not(c, out);
        }
        return;
    }
    out.push(*t);
}

/// One entry of a `why_not` list: the expression and its value.
struct WhyNot<'a>(&'a Program, &'a Trace<'a>);

impl Serialize for WhyNot<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, t) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("expr", &p.expr_text(t.span))?;
        m.serialize_entry("value", &ValueJson(p, &t.value))?;
        match t.value {
            Value::Unknown => m.serialize_entry("state", "unknown")?,
            Value::Absent => m.serialize_entry("state", "n/a")?,
            _ => {}
        }
        m.end()
    }
}

/// The outcomes a derivation reads, in the order first met.
pub fn outcomes_read(d: &Derivation) -> Vec<crate::program::OutcomeId> {
    fn walk(t: &Trace, out: &mut Vec<crate::program::OutcomeId>) {
        if let Node::Outcome(o) = t.node {
            if !out.contains(&o) {
                out.push(o);
            }
        }
        t.children().iter().for_each(|c| walk(c, out));
    }
    let mut out = Vec::new();
    for rt in &d.rules {
        rt.condition
            .iter()
            .chain(rt.value.iter())
            .for_each(|t| walk(t, &mut out));
    }
    if let Some(t) = &d.default {
        walk(t, &mut out);
    }
    out
}

/// One rule of a derivation.
struct RuleJson<'a>(&'a Program, &'a RuleTrace<'a>);

impl Serialize for RuleJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, rt) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        if let Some(r) = p.rule(rt.rule) {
            m.serialize_entry("rule", &r.name)?;
            m.serialize_entry("cites", &r.cites.key())?;
            m.serialize_entry("quote", &r.cites.quote)?;
            m.serialize_entry("document", p.doc_id(r.document))?;
            m.serialize_entry("status", rule_status_name(rt.status))?;
            if !r.exception_to.is_empty() {
                m.serialize_entry("exception_to", &names(rule_names(p, &r.exception_to)))?;
            }
            if !rt.overridden_by.is_empty() {
                m.serialize_entry("overridden_by", &names(rule_names(p, rt.overridden_by)))?;
            }
            if let Some(c) = &rt.condition {
                m.serialize_entry("condition", &TraceJson(p, c))?;
                if rt.status == RuleStatus::NotApplicable {
                    let mut why = Vec::new();
                    why_not(c, &mut why);
                    let why: Vec<WhyNot> = why.iter().map(|t| WhyNot(p, t)).collect();
                    m.serialize_entry("why_not", &why)?;
                }
            }
            if let Some(v) = &rt.value {
                m.serialize_entry("conclusion", &TraceJson(p, v))?;
            }
        }
        m.end()
    }
}

/// An outcome's derivation.
pub struct DerivationJson<'a>(pub &'a Program, pub &'a Derivation<'a>);

impl Serialize for DerivationJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (p, d) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("status", status_name(d.status))?;
        if let Some(o) = p.outcome(d.outcome) {
            m.serialize_entry("label", &o.label)?;
        }
        if let Some(doc) = d.document {
            m.serialize_entry("document", p.doc_id(doc))?;
        }
        if !d.decided_by.is_empty() {
            m.serialize_entry("decided_by", &names(rule_names(p, d.decided_by)))?;
        }
        if d.status == Status::NotInForce {
            let cites: Vec<String> = p
                .documents
                .iter()
                .filter_map(|x| x.cites.as_ref().map(|c| format!("{} {}", x.id, c.key())))
                .collect();
            m.serialize_entry(
                "reason",
                &format!(
                    "the assessment date is outside the in-force period ({})",
                    cites.join(", ")
                ),
            )?;
            m.serialize_entry("periods", &Periods(p))?;
        }
        let rules: Vec<RuleJson> = d.rules.iter().map(|rt| RuleJson(p, rt)).collect();
        m.serialize_entry("rules", &rules)?;
        if let Some(t) = &d.default {
            m.serialize_entry("default", &TraceJson(p, t))?;
        }
        m.end()
    }
}

/// An outcome's derivation as a JSON value.
pub fn derivation_json(p: &Program, d: &Derivation) -> J {
    serde_json::to_value(DerivationJson(p, d)).unwrap_or(J::Null)
}

/// The in-force period of every document, with the paragraph that sets it.
struct Periods<'a>(&'a Program);

impl Serialize for Periods<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let date = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
        s.collect_seq(self.0.documents.iter().map(|d| {
            let mut m = Map::new();
            m.insert("document".into(), J::from(d.id.as_str()));
            m.insert("from".into(), J::from(date(d.from)));
            m.insert("to".into(), d.to.map(date).into());
            m.insert("cites".into(), d.cites.as_ref().map(|c| c.key()).into());
            m.insert(
                "quote".into(),
                d.cites.as_ref().map(|c| c.quote.clone()).into(),
            );
            J::Object(m)
        }))
    }
}

/// Why every outcome is n/a: the assessment date is outside the period.
pub fn not_in_force_reason(d: &crate::program::Document, as_of: chrono::NaiveDate) -> String {
    let to =
        d.to.map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "…".into());
    format!(
        "the assessment date {} is outside the period {} to {to} in which {} is in force; every other outcome is n/a",
        as_of.format("%Y-%m-%d"),
        d.from.format("%Y-%m-%d"),
        d.id
    )
}

/// The entry of `in_force`.
struct InForce<'a>(&'a Subject<'a>, Detail);

impl Serialize for InForce<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (sub, detail) = (self.0, self.1);
        let p = sub.p;
        let ev = sub.ev;
        let doc = sub.document();
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", &ev.in_force.is_some())?;
        if ev.in_force.is_none() {
            if let Some(d) = doc {
                m.serialize_entry("reason", &not_in_force_reason(d, ev.as_of))?;
            }
        }
        if detail != Detail::None {
            let cites: Vec<String> = doc
                .and_then(|d| d.cites.as_ref())
                .map(|c| vec![c.key()])
                .unwrap_or_default();
            m.serialize_entry("cites", &cites)?;
        }
        if detail == Detail::Full {
            let mut dm = Map::new();
            dm.insert("status".into(), J::from("decided"));
            dm.insert("label".into(), J::from("本意见施行"));
            if let Some(d) = ev.in_force {
                dm.insert("document".into(), J::from(p.doc_id(d)));
            }
            dm.insert(
                "as_of".into(),
                J::from(ev.as_of.format("%Y-%m-%d").to_string()),
            );
            dm.insert(
                "periods".into(),
                serde_json::to_value(Periods(p)).unwrap_or(J::Null),
            );
            m.serialize_entry("derivation", &dm)?;
        }
        m.end()
    }
}

/// One outcome's entry.
struct OutcomeJson<'a>(&'a Subject<'a>, Detail, OutcomeId);

impl Serialize for OutcomeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (sub, detail, o) = (self.0, self.1, self.2);
        let p = sub.p;
        let ev = sub.ev;
        let res = ev.outcomes.get(o as usize);
        let value = res.map_or(&Value::Unknown, |r| &r.value);
        let conflict = res.is_some_and(|r| r.conflict);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", &ValueJson(p, value))?;
        if detail != Detail::None && value.is_known() {
            let cites = ev
                .cites(o)
                .iter()
                .filter_map(|r| p.rule(*r))
                .map(|r| r.cites.key());
            m.serialize_entry("cites", &CiteKeys(std::cell::Cell::new(Some(cites))))?;
            if let Some(doc) = res.and_then(|r| r.document) {
                m.serialize_entry("document", p.doc_id(doc))?;
            }
        }
        let in_force = ev.in_force.is_some();
        if in_force && *value == Value::Unknown && !conflict {
            m.serialize_entry("missing", &names(p.fact_names(ev.missing(o)).into_iter()))?;
            let blocked = ev.blocked_by(o);
            if !blocked.is_empty() {
                m.serialize_entry("blocked_by", &names(p.outcome_names(blocked).into_iter()))?;
            }
        }
        if conflict {
            let rules = ev
                .conflicting(p, o)
                .filter_map(|r| p.rule(r))
                .map(|r| r.name.as_str());
            m.serialize_entry("conflict", &names(rules))?;
        }
        if detail == Detail::Full {
            let d = sub.derive(o).map_err(serde::ser::Error::custom)?;
            m.serialize_entry("derivation", &DerivationJson(p, &d))?;
        }
        m.end()
    }
}

struct CiteKeys<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = String>> Serialize for CiteKeys<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(i) => s.collect_seq(i),
            None => s.collect_seq(std::iter::empty::<String>()),
        }
    }
}

struct Outcomes<'a>(&'a Subject<'a>, Detail);

impl Serialize for Outcomes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (sub, detail) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("in_force", &InForce(sub, detail))?;
        for (i, o) in sub.p.outcomes.iter().enumerate() {
            let oid = u32::try_from(i).unwrap_or(u32::MAX);
            m.serialize_entry(&o.name, &OutcomeJson(sub, detail, oid))?;
        }
        m.end()
    }
}

/// The report of one case (`regula eval --format json`, and each line of
/// `regula batch` with its `line` number first): the one writer of the
/// report contract, over borrowed views of an evaluation.
pub struct Report<'a> {
    /// The case and its evaluation.
    pub subject: &'a Subject<'a>,
    /// How much of each derivation to write.
    pub detail: Detail,
    /// The input line, for `regula batch`.
    pub line: Option<u64>,
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let sub = self.subject;
        let p = sub.p;
        let mut m = s.serialize_map(None)?;
        if let Some(line) = self.line {
            m.serialize_entry("line", &line)?;
        }
        m.serialize_entry(
            "document",
            sub.document().map(|d| d.id.as_str()).unwrap_or(""),
        )?;
        m.serialize_entry("as_of", &sub.ev.as_of.format("%Y-%m-%d").to_string())?;
        m.serialize_entry("policies", if p.embedded { "embedded" } else { "external" })?;
        m.serialize_entry("outcomes", &Outcomes(sub, self.detail))?;
        m.end()
    }
}

/// The whole report of one case as a JSON value.
pub fn json_report(s: &Subject, detail: Detail) -> Result<J, EvalError> {
    let r = Report {
        subject: s,
        detail,
        line: None,
    };
    serde_json::to_value(&r).map_err(|e| EvalError {
        message: e.to_string(),
        span: crate::source::Span::default(),
    })
}
