//! Comparing evaluations across revisions of the law: the outcomes of a case
//! under two policy sets (`regula diff`), and on each date where the law in
//! force changes (`regula timeline`).
//!
//! Time: O(outcomes) per evaluation compared, after the evaluations.
use crate::eval::{evaluate, EvalError, Evaluation};
use crate::program::{DocId, Program, Value};
use chrono::NaiveDate;
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};

/// How an outcome came out, for comparing and showing.
#[derive(Clone, Debug, PartialEq)]
pub struct Decided {
    /// The value as the JSON report writes it.
    pub value: J,
    /// `unknown`, `n/a` or the value's text.
    pub shown: String,
    /// The rule that decided it, if one did.
    pub rule: Option<String>,
    /// The document under which it was decided.
    pub document: Option<String>,
    /// Decided by the outcome's default.
    pub by_default: bool,
    /// Whether the outcome's document (a document of its line) was in
    /// force on the date.
    pub in_force: bool,
}

impl Decided {
    /// An outcome one of the two policy sets does not declare.
    pub fn absent() -> Decided {
        Decided {
            value: J::Null,
            shown: "not declared".into(),
            rule: None,
            document: None,
            by_default: false,
            in_force: true,
        }
    }

    /// Who decided the outcome, in words.
    pub fn by_whom(&self) -> String {
        match (&self.rule, &self.document) {
            (Some(r), Some(doc)) => format!("{r} ({doc})"),
            (Some(r), None) => r.clone(),
            (None, Some(doc)) => doc.clone(),
            _ if self.by_default => "the outcome's default".into(),
            _ if !self.in_force => "its document is not in force".into(),
            _ if self.shown == "unknown" => "undetermined: facts missing".into(),
            _ if self.shown == "not declared" => "not declared in this policy set".into(),
            _ => "no rule applies".into(),
        }
    }
}

fn shown(p: &Program, v: &Value) -> String {
    match v {
        Value::Unknown => "unknown".into(),
        Value::Absent => "n/a".into(),
        other => match p.value_json(other) {
            J::String(s) => s,
            j => j.to_string(),
        },
    }
}

/// Every outcome of an evaluation by name, the in-force outcomes first
/// (`in_force` for the first line of documents, then each other line's).
pub fn outcomes_of(p: &Program, ev: &Evaluation) -> BTreeMap<String, Decided> {
    let mut m = BTreeMap::new();
    let in_force = ev.in_force.is_some();
    let lines = p.lines().len().max(1);
    for line in 0..lines {
        let doc = if in_force {
            p.line_in_force(ev.epoch, line)
        } else {
            None
        };
        // A set without lines (no document) reports `in_force` as before.
        let doc = if p.lines().is_empty() { ev.in_force } else { doc };
        let name = match p.lines().get(line) {
            Some((n, _)) if line > 0 => n.clone(),
            _ => "in_force".to_string(),
        };
        m.insert(
            name,
            Decided {
                value: J::Bool(doc.is_some()),
                shown: doc.is_some().to_string(),
                rule: None,
                document: doc.map(|d| p.doc_id(d).to_string()),
                by_default: false,
                // "its document is not in force" explains a false in-force outcome.
                in_force: doc.is_some(),
            },
        );
    }
    for (i, o) in p.outcomes.iter().enumerate() {
        let Some(res) = ev.outcomes.get(i) else {
            continue;
        };
        let rule = res
            .decided_by
            .filter(|_| res.value.is_known())
            .and_then(|r| p.rule(r).map(|x| (r, x)));
        // The evaluation's attribution, the same as every report's.
        let document = rule
            .and(res.document)
            .map(|d| p.doc_id(d).to_string());
        let value = match res.value {
            Value::Unknown | Value::Absent => J::Null,
            ref v => p.value_json(v),
        };
        m.insert(
            o.name.clone(),
            Decided {
                value,
                shown: shown(p, &res.value),
                rule: rule.map(|(_, x)| x.name.clone()),
                document,
                by_default: res.by_default,
                // Out of force when its own line is, though another line
                // may be in force (the Shanghai outcomes in 2029).
                in_force: in_force
                    && o.line
                        .is_none_or(|l| p.line_in_force(ev.epoch, l as usize).is_some()),
            },
        );
    }
    m
}

/// One outcome that changes.
#[derive(Clone, Debug)]
pub struct Change {
    /// The outcome's name.
    pub outcome: String,
    /// How it came out before.
    pub old: Decided,
    /// How it comes out after.
    pub new: Decided,
}

/// The outcomes that differ between two evaluations, by name; an outcome
/// only one side declares counts as "not declared" on the other.
pub fn changes(old: &BTreeMap<String, Decided>, new: &BTreeMap<String, Decided>) -> Vec<Change> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for n in names {
        let o = old.get(n).cloned().unwrap_or_else(Decided::absent);
        let w = new.get(n).cloned().unwrap_or_else(Decided::absent);
        if o.shown != w.shown {
            out.push(Change {
                outcome: n.clone(),
                old: o,
                new: w,
            });
        }
    }
    out
}

/// A case evaluated under an old and a new program, each on its own date:
/// the outcomes that change.
pub fn diff(
    old: (&Program, &[Value], NaiveDate),
    new: (&Program, &[Value], NaiveDate),
) -> Result<Vec<Change>, EvalError> {
    let oe = evaluate(old.0, old.1, old.2)?;
    let ne = evaluate(new.0, new.1, new.2)?;
    Ok(changes(&outcomes_of(old.0, &oe), &outcomes_of(new.0, &ne)))
}

/// One row of a timeline: a date where the law changes, the document then
/// in force and the outcomes that change.
#[derive(Clone, Debug)]
pub struct Row {
    /// The first day.
    pub from: NaiveDate,
    /// The last day, if the law changes again.
    pub to: Option<NaiveDate>,
    /// The document in force that reports speak for (the first line's).
    pub document: Option<String>,
    /// Every base document in force, in declaration order (one per line
    /// of documents: the Shanghai opinions beside the national rules).
    pub documents: Vec<String>,
    /// Per outcome that changes: its name, before and after.
    pub changes: Vec<(String, Decided, Decided)>,
}

/// How a case's outcomes change over time.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// The dates where something changes, in order.
    pub rows: Vec<Row>,
    /// Outcomes left out: unknown or n/a on every date (unless all are shown).
    pub hidden: usize,
}

/// The first date where the law in force changes.
pub fn first_change(p: &Program) -> NaiveDate {
    p.epochs.iter().find_map(|e| e.from).unwrap_or_default()
}

/// The dates where the law in force changes: where a document, an
/// amendment or a parameter value starts or ends (the epochs), and the
/// dates a date parameter names (a transition's end, such as the day the
/// national 10 % cap starts to bind), each with the day before the next.
pub fn change_dates(p: &Program) -> Vec<(NaiveDate, Option<NaiveDate>)> {
    let mut starts: BTreeSet<NaiveDate> = p.epochs.iter().filter_map(|e| e.from).collect();
    let first = starts.first().copied();
    for e in &p.epochs {
        for v in &e.params {
            if let Value::Date(d) = v {
                // Only dates inside the periods the epochs cover.
                if first.is_some_and(|f| *d > f) {
                    starts.insert(*d);
                }
            }
        }
    }
    let starts: Vec<NaiveDate> = starts.into_iter().collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, d)| (*d, starts.get(i + 1).and_then(|n| n.pred_opt())))
        .collect()
}

/// Evaluates a case on the day before the first date where the law changes,
/// then on each such date ([`change_dates`]), and keeps the dates where an
/// outcome (only those known on some date, unless `all`) or the documents
/// in force change. On failure, the date of the evaluation that failed.
pub fn timeline(
    p: &Program,
    facts: &[Value],
    all: bool,
) -> Result<Timeline, (NaiveDate, EvalError)> {
    let first = first_change(p);
    // The state before the first boundary, then each boundary in turn.
    let mut dates: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    if let Some(before) = first.pred_opt() {
        dates.push((before, None));
    }
    dates.extend(change_dates(p));
    type State = (
        NaiveDate,
        Option<NaiveDate>,
        Vec<DocId>,
        BTreeMap<String, Decided>,
    );
    let mut states: Vec<State> = Vec::with_capacity(dates.len());
    for (d, to) in &dates {
        let ev = evaluate(p, facts, *d).map_err(|e| (*d, e))?;
        let roots = match ev.in_force {
            Some(_) => p
                .epochs
                .get(ev.epoch)
                .map(|e| e.roots.clone())
                .unwrap_or_default(),
            None => Vec::new(),
        };
        states.push((*d, *to, roots, outcomes_of(p, &ev)));
    }
    // Outcomes known on at least one date (all outcomes with `all`).
    let shown: BTreeSet<&String> = states
        .iter()
        .flat_map(|(_, _, _, m)| m.iter())
        .filter(|(_, d)| all || (d.shown != "unknown" && d.shown != "n/a"))
        .map(|(k, _)| k)
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    for w in states.windows(2) {
        let [(_, _, docs_before, before), (date, to, docs, after)] = w else {
            continue;
        };
        let mut changes = Vec::new();
        for name in &shown {
            let (Some(b), Some(x)) = (before.get(*name), after.get(*name)) else {
                continue;
            };
            if b.shown != x.shown {
                changes.push(((*name).clone(), b.clone(), x.clone()));
            }
        }
        if changes.is_empty() && docs_before == docs {
            // Nothing changes here: the row before runs on.
            if let Some(last) = rows.last_mut() {
                last.to = *to;
            }
            continue;
        }
        let primary = p.lines().first().map(|(_, l)| l.as_slice()).unwrap_or_default();
        let document = docs
            .iter()
            .find(|d| primary.contains(d))
            .or(docs.first())
            .map(|d| p.doc_id(*d).to_string());
        rows.push(Row {
            from: *date,
            to: *to,
            document,
            documents: docs.iter().map(|d| p.doc_id(*d).to_string()).collect(),
            changes,
        });
    }
    let hidden = states
        .first()
        .map(|(_, _, _, m)| m.len())
        .unwrap_or(0)
        .saturating_sub(shown.len());
    Ok(Timeline { rows, hidden })
}
