//! The JSON report (`regula eval --format json`), as specified by the case
//! vocabulary: every outcome with `value`, `cites`, `missing` and
//! `derivation`. The report's and the derivation's shape are documented in
//! docs/derivation.md, a stable contract: keep the two in agreement.
use super::Subject;
use crate::eval::{Derivation, EvalError, Node, RuleStatus, Status, Trace};
use crate::program::{Program, Value};
use serde_json::{json, Map, Value as J};

/// How much of each outcome's derivation a report carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
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

fn put_value(p: &Program, m: &mut Map<String, J>, v: &Value) {
    m.insert("value".into(), p.value_json(v));
    match v {
        Value::Unknown => {
            m.insert("state".into(), J::from("unknown"));
        }
        Value::Absent => {
            m.insert("state".into(), J::from("n/a"));
        }
        _ => {}
    }
}

/// A traced expression as JSON.
pub fn trace_json(p: &Program, t: &Trace) -> J {
    let mut m = Map::new();
    m.insert("expr".into(), J::from(p.expr_text(t.span)));
    put_value(p, &mut m, &t.value);
    match &t.node {
        Node::Fact(f) => {
            m.insert(
                "fact".into(),
                J::from(p.fact(*f).map(|x| x.name.as_str()).unwrap_or("")),
            );
        }
        Node::Outcome(o) => {
            m.insert(
                "outcome".into(),
                J::from(p.outcome(*o).map(|x| x.name.as_str()).unwrap_or("")),
            );
        }
        Node::Param(x) => {
            m.insert(
                "parameter".into(),
                J::from(
                    p.params
                        .get(*x as usize)
                        .map(|x| x.name.as_str())
                        .unwrap_or(""),
                ),
            );
        }
        Node::AsOf => {
            m.insert("as_of".into(), J::Bool(true));
        }
        Node::Const => {}
        Node::Op | Node::And | Node::Or => {
            let op = match t.node {
                Node::And => Some("and"),
                Node::Or => Some("or"),
                _ => None,
            };
            if let Some(op) = op {
                m.insert("op".into(), J::from(op));
            }
            m.insert(
                "operands".into(),
                J::Array(t.children().iter().map(|c| trace_json(p, c)).collect()),
            );
        }
        Node::Call(d) => {
            m.insert(
                "definition".into(),
                J::from(
                    p.defs
                        .get(*d as usize)
                        .map(|x| x.name.as_str())
                        .unwrap_or(""),
                ),
            );
            let kids = t.children();
            let (args, body) = kids.split_at(kids.len().saturating_sub(1));
            m.insert(
                "arguments".into(),
                J::Array(args.iter().map(|c| trace_json(p, c)).collect()),
            );
            if let Some(b) = body.first() {
                m.insert("body".into(), trace_json(p, b));
            }
        }
    }
    J::Object(m)
}

/// The sub-expressions that made a condition false (or n/a): below an `and`
/// that is false, its false operands; otherwise the condition itself.
fn why_not(p: &Program, t: &Trace, out: &mut Vec<J>) {
    if t.node == Node::And && t.value == Value::Bool(false) {
        for c in t
            .children()
            .iter()
            .filter(|c| c.value == Value::Bool(false))
        {
            why_not(p, c, out);
        }
        return;
    }
    let mut m = Map::new();
    m.insert("expr".into(), J::from(p.expr_text(t.span)));
    put_value(p, &mut m, &t.value);
    out.push(J::Object(m));
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

/// An outcome's derivation as JSON.
pub fn derivation_json(p: &Program, d: &Derivation) -> J {
    let mut m = Map::new();
    m.insert("status".into(), J::from(status_name(d.status)));
    if let Some(o) = p.outcome(d.outcome) {
        m.insert("label".into(), J::from(o.label.as_str()));
    }
    if let Some(doc) = d.document {
        m.insert("document".into(), J::from(p.doc_id(doc)));
    }
    if !d.decided_by.is_empty() {
        let names: Vec<&str> = p.rule_names(d.decided_by);
        m.insert("decided_by".into(), json!(names));
    }
    if d.status == Status::NotInForce {
        let cites: Vec<String> = p
            .documents
            .iter()
            .filter_map(|x| x.cites.as_ref().map(|c| format!("{} {}", x.id, c.key())))
            .collect();
        m.insert(
            "reason".into(),
            J::from(format!(
                "the assessment date is outside the in-force period ({})",
                cites.join(", ")
            )),
        );
        m.insert("periods".into(), periods(p));
    }
    let rules: Vec<J> = d
        .rules
        .iter()
        .filter_map(|rt| {
            let r = p.rule(rt.rule)?;
            let mut x = Map::new();
            x.insert("rule".into(), J::from(r.name.as_str()));
            x.insert("cites".into(), J::from(r.cites.key()));
            x.insert("quote".into(), J::from(r.cites.quote.as_str()));
            x.insert("document".into(), J::from(p.doc_id(r.document)));
            x.insert("status".into(), J::from(rule_status_name(rt.status)));
            if !r.exception_to.is_empty() {
                let names: Vec<&str> = p.rule_names(&r.exception_to);
                x.insert("exception_to".into(), json!(names));
            }
            if !rt.overridden_by.is_empty() {
                let names: Vec<&str> = p.rule_names(rt.overridden_by);
                x.insert("overridden_by".into(), json!(names));
            }
            if let Some(c) = &rt.condition {
                x.insert("condition".into(), trace_json(p, c));
                if rt.status == RuleStatus::NotApplicable {
                    let mut why = Vec::new();
                    why_not(p, c, &mut why);
                    x.insert("why_not".into(), J::Array(why));
                }
            }
            if let Some(v) = &rt.value {
                x.insert("conclusion".into(), trace_json(p, v));
            }
            Some(J::Object(x))
        })
        .collect();
    m.insert("rules".into(), J::Array(rules));
    if let Some(t) = &d.default {
        m.insert("default".into(), trace_json(p, t));
    }
    J::Object(m)
}

/// The in-force period of every document, with the paragraph that sets it.
fn periods(p: &Program) -> J {
    J::Array(
        p.documents
            .iter()
            .map(|d| {
                json!({
                    "document": d.id,
                    "from": d.from.format("%Y-%m-%d").to_string(),
                    "to": d.to.map(|t| t.format("%Y-%m-%d").to_string()),
                    "cites": d.cites.as_ref().map(|c| c.key()),
                    "quote": d.cites.as_ref().map(|c| c.quote.clone()),
                })
            })
            .collect(),
    )
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

fn in_force_entry(s: &Subject, detail: Detail) -> J {
    let p = s.p;
    let mut m = Map::new();
    let doc = s.document();
    m.insert("value".into(), J::Bool(s.ev.in_force.is_some()));
    if s.ev.in_force.is_none() {
        if let Some(d) = doc {
            m.insert("reason".into(), J::from(not_in_force_reason(d, s.ev.as_of)));
        }
    }
    if detail != Detail::None {
        let cites: Vec<String> = doc
            .and_then(|d| d.cites.as_ref())
            .map(|c| vec![c.key()])
            .unwrap_or_default();
        m.insert("cites".into(), json!(cites));
    }
    if detail == Detail::Full {
        let mut dm = Map::new();
        dm.insert("status".into(), J::from("decided"));
        dm.insert("label".into(), J::from("本意见施行"));
        if let Some(d) = s.ev.in_force {
            dm.insert("document".into(), J::from(p.doc_id(d)));
        }
        dm.insert(
            "as_of".into(),
            J::from(s.ev.as_of.format("%Y-%m-%d").to_string()),
        );
        dm.insert("periods".into(), periods(p));
        m.insert("derivation".into(), J::Object(dm));
    }
    J::Object(m)
}

/// The whole report of one case.
pub fn json_report(s: &Subject, detail: Detail) -> Result<J, EvalError> {
    let p = s.p;
    let mut top = Map::new();
    top.insert(
        "document".into(),
        J::from(s.document().map(|d| d.id.as_str()).unwrap_or("")),
    );
    top.insert(
        "as_of".into(),
        J::from(s.ev.as_of.format("%Y-%m-%d").to_string()),
    );
    top.insert(
        "policies".into(),
        J::from(if p.embedded { "embedded" } else { "external" }),
    );
    let mut outcomes = Map::new();
    outcomes.insert("in_force".into(), in_force_entry(s, detail));
    for (i, o) in p.outcomes.iter().enumerate() {
        let oid = u32::try_from(i).unwrap_or(u32::MAX);
        let res = s.ev.outcomes.get(i);
        let value = res.map(|r| r.value.clone()).unwrap_or(Value::Unknown);
        let mut m = Map::new();
        m.insert("value".into(), p.value_json(&value));
        let needs_derivation = detail == Detail::Full
            || value == Value::Unknown
            || (detail == Detail::Cites && value.is_known());
        if needs_derivation {
            let d = s.derive(oid)?;
            if detail != Detail::None && value.is_known() {
                m.insert("cites".into(), json!(d.cites));
                if let Some(doc) = d.document {
                    m.insert("document".into(), J::from(p.doc_id(doc)));
                }
            }
            if d.status == Status::Unknown {
                let missing: Vec<&str> = p.fact_names(d.missing);
                m.insert("missing".into(), json!(missing));
                if !d.blocked_by.is_empty() {
                    let names: Vec<&str> = p.outcome_names(d.blocked_by);
                    m.insert("blocked_by".into(), json!(names));
                }
            }
            if d.status == Status::Conflict {
                let names: Vec<&str> = d
                    .rules
                    .iter()
                    .filter(|r| r.status == RuleStatus::Conflicting)
                    .filter_map(|r| p.rule(r.rule))
                    .map(|r| r.name.as_str())
                    .collect();
                m.insert("conflict".into(), json!(names));
            }
            if detail == Detail::Full {
                m.insert("derivation".into(), derivation_json(p, &d));
            }
        }
        outcomes.insert(o.name.clone(), J::Object(m));
    }
    top.insert("outcomes".into(), J::Object(outcomes));
    Ok(J::Object(top))
}
