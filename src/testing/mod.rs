//! Differential testing over programs, not only cases: random well-typed
//! policy sets ([`gen`]) are evaluated on random cases through every path of
//! regula — the JSON report at each detail level, the text report, `explain`
//! and the batch worker — and each path must agree with the others and with
//! a small reference interpreter ([`reference`]) on every outcome's value,
//! state (known, unknown, n/a, conflict), missing facts, `blocked_by`,
//! cites and document, and on whether the case fails to evaluate.
//!
//! Every call into regula's production API is in one adapter function per
//! path (`observe_*`), so that a change of that API is a few lines here.
//!
//! Run the property, the regression tests and the check of the shipped
//! policies with `cargo test --lib testing::`; the fuzz target
//! `fuzz/fuzz_targets/programs.rs` runs the same comparison on programs
//! libFuzzer steers (see FUZZING.md). `cargo test --lib testing::tests::survey
//! -- --ignored --nocapture` lists every kind of divergence over many
//! programs with the smallest example of each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
pub mod gen;
pub mod reference;

use crate::case::{decode_text, Format, Schema};
use crate::check::check;
use crate::program::{Program, Value};
use crate::report::Detail;
use gen::{Generated, PolicySet};
use serde_json::Value as J;
use std::collections::BTreeMap;

/// The state of one outcome as a report shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// A value (as in the JSON report).
    Known(J),
    /// Unknown: the case lacks facts, or an outcome read is in conflict.
    Unknown,
    /// n/a.
    NotApplicable,
    /// Rules in effect conclude different values.
    Conflict,
}

/// One outcome as a path reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct ObsOutcome {
    /// Its state and value.
    pub state: State,
    /// Missing facts by name (compared for unknown outcomes).
    pub missing: Vec<String>,
    /// Outcomes in conflict it depends on (compared for unknown outcomes).
    pub blocked_by: Vec<String>,
    /// Cites and document of a known outcome; None when the path does not
    /// report them (`--derivations none`).
    pub cites: Option<(Vec<String>, Option<String>)>,
}

/// What a path reports for a case: every outcome, or an evaluation error.
#[derive(Clone, Debug, PartialEq)]
pub enum Observed {
    /// The case could not be evaluated.
    Error(String),
    /// Every outcome by name (`in_force` left out).
    Report(BTreeMap<String, ObsOutcome>),
}

/// Checks a policy set; the program, or every error with the files.
pub fn compile(set: &PolicySet) -> Result<Program, String> {
    let checked = check(&set.raw());
    match checked.program {
        Some(p) if !checked.has_errors() => Ok(p),
        _ => {
            let errors: Vec<String> = checked
                .diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| {
                    let at = d
                        .labels
                        .first()
                        .map(|l| {
                            let s = checked.sources.slice(l.0);
                            format!(" at `{s}`")
                        })
                        .unwrap_or_default();
                    format!("{}: {}{at}", d.code, d.message)
                })
                .collect();
            Err(format!(
                "the policy set does not check:\n{}\n{}",
                errors.join("\n"),
                set.listing()
            ))
        }
    }
}

// ---------------------------------------------------------------- adapters
//
// The only calls into the production evaluation and report API.

/// `regula eval --format json --derivations DETAIL`.
pub fn observe_json(p: &Program, case: &str, detail: Detail) -> Observed {
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    let ev = match crate::eval::evaluate(p, &c.facts, as_of) {
        Ok(ev) => ev,
        Err(e) => return Observed::Error(e.message()),
    };
    let s = crate::report::Subject::new(p, &c.facts, &ev);
    match crate::report::json_report(&s, detail) {
        Ok(j) => from_json(&j, detail),
        Err(e) => Observed::Error(e.message()),
    }
}

/// `regula batch --derivations DETAIL`: one line through a batch worker.
pub fn observe_batch(p: &Program, case: &str, detail: Detail) -> Observed {
    let b = crate::batch::Batch::new(p, detail, None, "cases.jsonl");
    let mut w = b.worker();
    let mut out = Vec::new();
    w.line(1, case.as_bytes(), &mut out);
    let j: J = serde_json::from_slice(&out).expect("batch writes a JSON line");
    if let Some(e) = j.get("error") {
        return Observed::Error(e.to_string());
    }
    from_json(&j, detail)
}

/// `regula eval` (text): Ok, or the evaluation error.
pub fn observe_text(p: &Program, case: &str) -> Result<(), String> {
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    let ev = crate::eval::evaluate(p, &c.facts, as_of).map_err(|e| e.message())?;
    let s = crate::report::Subject::new(p, &c.facts, &ev);
    let opts = crate::report::TextOptions {
        all: true,
        color: false,
    };
    crate::report::text_report(&s, "case.json", opts)
        .map(|_| ())
        .map_err(|e| e.message())
}

/// `regula explain CASE OUTCOME` (text) for every outcome: Ok, or the first
/// evaluation error.
pub fn observe_explain(p: &Program, case: &str) -> Result<(), String> {
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    let ev = crate::eval::evaluate(p, &c.facts, as_of).map_err(|e| e.message())?;
    let s = crate::report::Subject::new(p, &c.facts, &ev);
    for o in 0..p.outcomes.len() {
        let d = s.derive(o as u32).map_err(|e| e.message())?;
        crate::report::explain_text(&s, &d).map_err(|e| e.message())?;
    }
    Ok(())
}

/// `regula diff` and `regula timeline`: each outcome's value and, when a
/// rule decided it, its document, as those commands compare them; the
/// unknown, n/a and conflict states all read `null` there.
pub fn observe_revision(
    p: &Program,
    case: &str,
) -> Result<BTreeMap<String, (J, Option<String>)>, String> {
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    let ev = crate::eval::evaluate(p, &c.facts, as_of).map_err(|e| e.message())?;
    Ok(crate::revision::outcomes_of(p, &ev)
        .into_iter()
        .filter(|(name, _)| name != "in_force")
        .map(|(name, d)| {
            let doc = d.rule.as_ref().and(d.document);
            (name, (d.value, doc))
        })
        .collect())
}

/// The reference interpreter's result in the same shape.
pub fn observe_reference(p: &Program, case: &str) -> Observed {
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    match reference::reference(p, &c.facts, as_of) {
        Err(e) => Observed::Error(e),
        Ok(outs) => {
            let mut m = BTreeMap::new();
            for (o, r) in p.outcomes.iter().zip(outs) {
                let state = if r.conflict {
                    State::Conflict
                } else {
                    match &r.value {
                        Value::Unknown => State::Unknown,
                        Value::Absent => State::NotApplicable,
                        v => State::Known(p.value_json(v)),
                    }
                };
                let names = |ids: &[u32]| -> Vec<String> {
                    p.fact_names(ids).iter().map(|s| s.to_string()).collect()
                };
                m.insert(
                    o.name.clone(),
                    ObsOutcome {
                        state,
                        missing: names(&r.missing),
                        blocked_by: p
                            .outcome_names(&r.blocked_by)
                            .iter()
                            .map(|s| s.to_string())
                            .collect(),
                        cites: Some((r.cites, r.document.map(|d| p.doc_id(d).to_string()))),
                    },
                );
            }
            Observed::Report(m)
        }
    }
}

/// Reads a JSON report (of `eval` or a batch line) into the common shape.
fn from_json(j: &J, detail: Detail) -> Observed {
    let mut m = BTreeMap::new();
    let outcomes = j.get("outcomes").and_then(J::as_object);
    for (name, o) in outcomes.into_iter().flatten() {
        if name == "in_force" {
            continue;
        }
        let strings = |k: &str| -> Vec<String> {
            o.get(k)
                .and_then(J::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let value = o.get("value").cloned().unwrap_or(J::Null);
        let state = if !value.is_null() {
            State::Known(value)
        } else if o.get("conflict").is_some() {
            State::Conflict
        } else if o.get("missing").is_some() {
            State::Unknown
        } else {
            State::NotApplicable
        };
        let cites = (detail != Detail::None).then(|| {
            (
                strings("cites"),
                o.get("document").and_then(J::as_str).map(str::to_string),
            )
        });
        m.insert(
            name.clone(),
            ObsOutcome {
                state,
                missing: strings("missing"),
                blocked_by: strings("blocked_by"),
                cites,
            },
        );
    }
    Observed::Report(m)
}

// ---------------------------------------------------------------- comparison

/// The differences between what a path reports and the reference, one line
/// each (empty when they agree).
pub fn differences(path: &str, got: &Observed, want: &Observed) -> Vec<String> {
    let mut out = Vec::new();
    match (got, want) {
        (Observed::Error(_), Observed::Error(_)) => {}
        (Observed::Error(e), Observed::Report(_)) => {
            out.push(format!(
                "{path}: evaluation error `{e}`, reference evaluates the case"
            ));
        }
        (Observed::Report(_), Observed::Error(e)) => {
            out.push(format!(
                "{path}: evaluates the case, reference fails with `{e}`"
            ));
        }
        (Observed::Report(g), Observed::Report(w)) => {
            for (name, wo) in w {
                let Some(go) = g.get(name) else {
                    out.push(format!("{path}: `{name}` missing from the report"));
                    continue;
                };
                if go.state != wo.state {
                    out.push(format!(
                        "{path}: `{name}` is {:?}, reference {:?}",
                        go.state, wo.state
                    ));
                    continue;
                }
                if wo.state == State::Unknown {
                    if go.missing != wo.missing {
                        out.push(format!(
                            "{path}: `{name}` missing {:?}, reference {:?}",
                            go.missing, wo.missing
                        ));
                    }
                    // `blocked_by` is a set: its order is not part of the contract.
                    let sorted = |v: &[String]| {
                        let mut v = v.to_vec();
                        v.sort();
                        v
                    };
                    if sorted(&go.blocked_by) != sorted(&wo.blocked_by) {
                        out.push(format!(
                            "{path}: `{name}` blocked_by {:?}, reference {:?}",
                            go.blocked_by, wo.blocked_by
                        ));
                    }
                }
                if let (State::Known(_), Some((gc, gd)), Some((wc, wd))) =
                    (&wo.state, &go.cites, &wo.cites)
                {
                    if gc != wc {
                        out.push(format!("{path}: `{name}` cites {gc:?}, reference {wc:?}"));
                    }
                    if gd != wd {
                        out.push(format!(
                            "{path}: `{name}` document {gd:?}, reference {wd:?}"
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Every path on one case, compared with the reference: the differences.
pub fn check_case(p: &Program, case: &str) -> Vec<String> {
    let want = observe_reference(p, case);
    let mut out = Vec::new();
    for detail in [Detail::None, Detail::Cites, Detail::Full] {
        let name = format!("{detail:?}").to_lowercase();
        out.extend(differences(
            &format!("eval --format json --derivations {name}"),
            &observe_json(p, case, detail),
            &want,
        ));
        out.extend(differences(
            &format!("batch --derivations {name}"),
            &observe_batch(p, case, detail),
            &want,
        ));
    }
    let failed = matches!(want, Observed::Error(_));
    match (observe_revision(p, case), &want) {
        (Err(e), Observed::Report(_)) => out.push(format!(
            "diff/timeline: evaluation error `{e}`, reference evaluates the case"
        )),
        (Ok(_), Observed::Error(_)) => {
            out.push("diff/timeline: evaluates the case, reference fails".into())
        }
        (Ok(got), Observed::Report(m)) => {
            for (name, o) in m {
                let (value, doc) = got.get(name).cloned().unwrap_or((J::Null, None));
                let (want_value, want_doc) = match &o.state {
                    State::Known(v) => (v.clone(), o.cites.as_ref().and_then(|c| c.1.clone())),
                    _ => (J::Null, None),
                };
                if value != want_value {
                    out.push(format!(
                        "diff/timeline: `{name}` = {value}, reference {want_value}"
                    ));
                }
                // A default's document is the one in force; diff names only
                // a deciding rule's.
                if doc.is_some() && doc != want_doc {
                    out.push(format!(
                        "diff/timeline: `{name}` decided under {doc:?}, reference {want_doc:?}"
                    ));
                }
            }
        }
        (Err(_), Observed::Error(_)) => {}
    }
    out.extend(holders_differ(p, case));
    for (path, r) in [
        ("eval (text)", observe_text(p, case)),
        ("explain (text)", observe_explain(p, case)),
    ] {
        match (r, failed) {
            (Err(e), false) => out.push(format!(
                "{path}: evaluation error `{e}`, reference evaluates the case"
            )),
            (Ok(()), true) => out.push(format!("{path}: evaluates the case, reference fails")),
            _ => {}
        }
    }
    out
}

/// The evaluation with each holder of unknown facts (a 64-bit mask, a
/// 128-bit mask, a stack), plain and with derivations: every outcome's
/// value, missing facts, blocking conflicts, cites and document, the
/// derivations, or the error, must be the same.
pub fn holders_differ(p: &Program, case: &str) -> Vec<String> {
    use crate::eval::{Record, Workspace};
    let c = decode_text(p, &Schema::new(p), case, Format::Json).expect("generated case decodes");
    let as_of = c.as_of.expect("generated case has as_of");
    let mut ws = Workspace::new(p);
    let plain = Record {
        cites: true,
        derivations: false,
    };
    let mut out = Vec::new();
    for record in [plain, Record::ALL] {
        out.extend(ws.holders_differ(p, &c.facts, as_of, record).1);
    }
    out
}

/// Checks a generated policy set (a failure if it does not check: a bug of
/// the generator) and runs every case through every path. Returns a report
/// of the differences, with the policy set and the case, or None.
pub fn check_generated(g: &Generated) -> Option<String> {
    let p = match compile(&g.set) {
        Ok(p) => p,
        Err(e) => panic!("generator bug: {e}"),
    };
    for case in &g.cases {
        let diffs = check_case(&p, case);
        if !diffs.is_empty() {
            return Some(format!(
                "{}\ncase: {case}\n\n{}",
                diffs.join("\n"),
                g.set.listing()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests;
