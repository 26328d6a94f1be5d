//! `regula timeline`: how each outcome of a case changes across the dates
//! where a document, a rule or a parameter value changes. The timeline is
//! [`crate::revision::timeline`]; this module reads the arguments and prints.
use super::diff::ReportFormat;
use super::eval::load_case;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::diag::{Diag, Problem};
use crate::revision::{first_change, timeline, Decided, Timeline};
use chrono::NaiveDate;
use serde_json::{json, Value as J};
use std::fmt::Write;
use std::path::PathBuf;

/// Arguments of `regula timeline`.
#[derive(clap::Args, Debug)]
pub struct TimelineArgs {
    /// The case: a JSON, YAML or TOML file, or `-` for standard input (the
    /// format as for `regula eval`).
    case: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// Show outcomes the case leaves unknown or n/a on every date too.
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
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
    let first = first_change(&p);
    let Some(l) = load_case(&p, &a.case, Some(first), out) else {
        return Exit::Finding;
    };
    let Timeline { rows, hidden } = match timeline(&p, &l.case.facts, a.all) {
        Ok(t) => t,
        Err((d, e)) => {
            let diag = Diag::of(Problem::Evaluation {
                on: Some(fmt(d)),
                fault: e.message(),
            })
            .label(e.span, "while evaluating this");
            out.diags(&[diag], &p.sources);
            return Exit::Finding;
        }
    };
    match a.format {
        ReportFormat::Json => {
            let rows: Vec<J> = rows
                .iter()
                .map(|r| {
                    json!({
                        "from": fmt(r.from),
                        "to": r.to.map(fmt),
                        "document": r.document,
                        "documents": r.documents,
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
                // Every document in force, the one reports speak for first.
                let mut docs: Vec<&str> = r.document.iter().map(String::as_str).collect();
                docs.extend(
                    r.documents
                        .iter()
                        .map(String::as_str)
                        .filter(|d| Some(*d) != r.document.as_deref()),
                );
                let doc = if docs.is_empty() {
                    "no document in force".to_string()
                } else {
                    docs.join(" + ")
                };
                let _ = writeln!(s, "\nfrom {}{until}: {doc}", fmt(r.from));
                if r.changes.is_empty() {
                    let _ = writeln!(s, "  no outcome changes");
                }
                for (n, b, x) in &r.changes {
                    let who = if x.rule.is_none() && x.document.is_none() {
                        String::new()
                    } else {
                        format!("  by {}", x.by_whom())
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
