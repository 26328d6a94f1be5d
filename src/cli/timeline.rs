//! `regula timeline`: how each outcome of a case changes across the dates
//! where a document, a rule or a parameter value changes.
use super::diff::{by_whom, outcomes_of, Decided, ReportFormat};
use super::eval::load_case;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::diag::Diag;
use crate::eval::evaluate;
use chrono::NaiveDate;
use serde_json::{json, Value as J};
use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `regula timeline`.
#[derive(clap::Args, Debug)]
pub struct TimelineArgs {
    /// The case: a JSON, YAML or TOML file, or `-` for JSON on standard input.
    case: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Show outcomes the case leaves unknown or n/a on every date too.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    policies: PolicyArgs,
}

/// One boundary: the date, the document in force and the outcomes that change.
struct Row {
    from: NaiveDate,
    to: Option<NaiveDate>,
    document: Option<String>,
    changes: Vec<(String, Decided, Decided)>,
}

fn fmt(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Runs `regula timeline`.
pub fn run(a: TimelineArgs, out: &Out) -> Exit {
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    // The case's own date is not used: each row is evaluated on its date.
    let first = p.epochs.iter().find_map(|e| e.from).unwrap_or_default();
    let Some(l) = load_case(&p, &a.case, Some(first), out) else {
        return Exit::Finding;
    };
    // The state before the first boundary, then each boundary in turn.
    let mut dates: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
    if let Some(before) = first.pred_opt() {
        dates.push((before, None));
    }
    dates.extend(p.epochs.iter().filter_map(|e| e.from.map(|f| (f, e.to))));
    let mut states = Vec::with_capacity(dates.len());
    for (d, to) in &dates {
        match evaluate(&p, &l.case.facts, *d) {
            Ok(ev) => states.push((*d, *to, ev.in_force, outcomes_of(&p, &ev))),
            Err(e) => {
                let diag = Diag::error(
                    "regula::evaluation",
                    format!("evaluation on {} failed: {}", fmt(*d), e.message),
                )
                .label(e.span, "while evaluating this")
                .help(
                    "the case's values overflow what this expression can compute; check the facts",
                );
                out.diags(&[diag], &p.sources);
                return Exit::Finding;
            }
        }
    }
    // Outcomes known on at least one date (all outcomes with --all).
    let shown: BTreeSet<&String> = states
        .iter()
        .flat_map(|(_, _, _, m)| m.iter())
        .filter(|(_, d)| a.all || (d.shown != "unknown" && d.shown != "n/a"))
        .map(|(k, _)| k)
        .collect();
    let mut rows = Vec::new();
    for w in states.windows(2) {
        let [(_, _, doc_before, before), (date, to, doc, after)] = w else {
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
        if changes.is_empty() && doc_before == doc {
            continue;
        }
        rows.push(Row {
            from: *date,
            to: *to,
            document: doc.map(|d| p.doc_id(d).to_string()),
            changes,
        });
    }
    let hidden = states
        .first()
        .map(|(_, _, _, m)| m.len())
        .unwrap_or(0)
        .saturating_sub(shown.len());
    match a.format {
        ReportFormat::Json => {
            let rows: Vec<J> = rows
                .iter()
                .map(|r| {
                    json!({
                        "from": fmt(r.from),
                        "to": r.to.map(fmt),
                        "document": r.document,
                        "changes": r.changes.iter().map(|(n, b, x)| json!({
                            "outcome": n,
                            "from": b.value,
                            "from_state": state(b),
                            "to": x.value,
                            "to_state": state(x),
                            "rule": x.rule,
                            "document": x.document,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let j = json!({ "case": l.name, "rows": rows, "omitted_outcomes": hidden });
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&j).unwrap_or_default()
            ));
        }
        ReportFormat::Text => {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "timeline of {} (the case's as_of is not used: each row is evaluated on its date)",
                l.name
            );
            let width = rows
                .iter()
                .flat_map(|r| r.changes.iter().map(|(n, _, _)| n.len()))
                .max()
                .unwrap_or(0);
            for r in &rows {
                let until = r.to.map(|t| format!(" to {}", fmt(t))).unwrap_or_default();
                let doc = r.document.as_deref().unwrap_or("no document in force");
                let _ = writeln!(s, "\nfrom {}{until}: {doc}", fmt(r.from));
                if r.changes.is_empty() {
                    let _ = writeln!(s, "  no outcome changes");
                }
                for (n, b, x) in &r.changes {
                    let who = if x.rule.is_none() && x.document.is_none() {
                        String::new()
                    } else {
                        format!("  by {}", by_whom(x))
                    };
                    let _ = writeln!(s, "  {n:<width$}  {} → {}{who}", b.shown, x.shown);
                }
            }
            if hidden > 0 {
                let _ = writeln!(
                    s,
                    "\n{hidden} outcome{} the case leaves unknown or n/a throughout not shown (--all shows them)",
                    if hidden == 1 { "" } else { "s" }
                );
            }
            print(&s);
        }
    }
    Exit::Ok
}

fn state(d: &Decided) -> J {
    match d.shown.as_str() {
        "unknown" | "n/a" => J::from(d.shown.clone()),
        _ => J::Null,
    }
}
