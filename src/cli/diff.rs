//! `regula diff`: evaluate cases under two policy sets and list the outcomes
//! that change, with the rule responsible on each side. The comparison is
//! [`crate::revision`]'s; this module reads the arguments and cases, and prints.
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::case::{self, CaseError, Format, Schema};
use crate::diag::CaseProblem;
use crate::diag::{Diag, Problem};
use crate::program::Program;
use crate::revision::{self, Change, Decided};
use chrono::NaiveDate;
use serde_json::{json, Value as J};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Output formats of `regula diff` and `regula timeline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// For a person: one block per case or date.
    #[default]
    Text,
    /// The same as one JSON document.
    Json,
}

/// Arguments of `regula diff`.
#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The old policy set: a policy directory (repeatable).
    #[arg(long = "from", value_name = "DIR", required = true)]
    from: Vec<PathBuf>,
    /// The new policy set: a policy directory (repeatable).
    #[arg(long = "to", value_name = "DIR", required = true)]
    to: Vec<PathBuf>,
    /// Cases: JSON, YAML or TOML files, directories of `*.json` cases
    /// (`*.expected.json` skipped), or JSON lines files (`*.jsonl`).
    #[arg(required = true, value_name = "CASES")]
    cases: Vec<PathBuf>,
    /// Assessment date (YYYY-MM-DD); overrides each case's `as_of`.
    #[arg(long, value_parser = case::parse_date, value_name = "DATE")]
    at: Option<NaiveDate>,
    /// Assessment date for the old set only (default: the same as the new
    /// set's), to compare a successor on its first day with its predecessor
    /// on its last.
    #[arg(long, value_parser = case::parse_date, value_name = "DATE")]
    from_at: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
}

/// One case to evaluate: its display name and text.
struct Input {
    name: String,
    text: String,
    format: Format,
}

fn collect(paths: &[PathBuf], errors: &mut Vec<(String, Vec<CaseError>)>) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        let shown = path.to_string_lossy().replace('\\', "/");
        if path.is_dir() {
            let mut files: Vec<PathBuf> = match std::fs::read_dir(path) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| {
                        let n = p.to_string_lossy();
                        n.ends_with(".json") && !n.ends_with(".expected.json")
                    })
                    .collect(),
                Err(e) => {
                    let problem = CaseProblem::UnreadableDirectory {
                        reason: crate::load::io_reason(&e),
                    };
                    errors.push((shown.clone(), vec![CaseError::whole(problem)]));
                    continue;
                }
            };
            files.sort();
            for f in files {
                read_into(&f, &mut inputs, errors);
            }
        } else {
            read_into(path, &mut inputs, errors);
        }
    }
    inputs
}

fn read_into(path: &Path, inputs: &mut Vec<Input>, errors: &mut Vec<(String, Vec<CaseError>)>) {
    let name = path.to_string_lossy().replace('\\', "/");
    let text = match case::read_case_file(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push((name, vec![e]));
            return;
        }
    };
    if name.to_lowercase().ends_with(".jsonl") {
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            inputs.push(Input {
                name: format!("{name}:{}", i + 1),
                text: line.to_string(),
                format: Format::Json,
            });
        }
    } else {
        inputs.push(Input {
            format: Format::detect(&name, &text),
            name,
            text,
        });
    }
}

fn side_json(d: &Decided) -> J {
    json!({
        "value": d.value,
        "state": match d.shown.as_str() {
            "unknown" | "n/a" | "not declared" => J::from(d.shown.clone()),
            _ => J::Null,
        },
        "rule": d.rule,
        "document": d.document,
        "default": d.by_default,
    })
}

/// Runs `regula diff`.
pub fn run(a: DiffArgs, out: &Out) -> Exit {
    let Some(old) = load_program(
        &PolicyArgs {
            policies: a.from.clone(),
        },
        out,
    ) else {
        return Exit::Finding;
    };
    let Some(new) = load_program(
        &PolicyArgs {
            policies: a.to.clone(),
        },
        out,
    ) else {
        return Exit::Finding;
    };
    let mut errors: Vec<(String, Vec<CaseError>)> = Vec::new();
    let inputs = collect(&a.cases, &mut errors);
    let (old_schema, new_schema) = (Schema::new(&old), Schema::new(&new));
    let mut results: Vec<(String, NaiveDate, NaiveDate, Vec<Change>)> = Vec::new();
    let mut failed: Vec<(String, String)> = Vec::new();
    for input in &inputs {
        let decode = |p: &Program, s: &Schema| case::decode_text(p, s, &input.text, input.format);
        let (oc, nc) = match (decode(&old, &old_schema), decode(&new, &new_schema)) {
            (Ok(o), Ok(n)) => (o, n),
            (Err(e), _) | (_, Err(e)) => {
                errors.push((input.name.clone(), e));
                continue;
            }
        };
        let Some(as_of) = a.at.or(oc.as_of) else {
            errors.push((input.name.clone(), vec![CaseError::no_as_of()]));
            continue;
        };
        let old_as_of = a.from_at.unwrap_or(as_of);
        let changes = match revision::diff((&old, &oc.facts, old_as_of), (&new, &nc.facts, as_of)) {
            Ok(c) => c,
            Err(e) => {
                failed.push((input.name.clone(), e.message()));
                continue;
            }
        };
        results.push((input.name.clone(), old_as_of, as_of, changes));
    }
    // Problems with the cases themselves.
    let mut diags = Vec::new();
    for (name, errs) in &errors {
        diags.extend(errs.iter().map(|e| e.to_diag(name)));
    }
    for (name, msg) in &failed {
        diags.push(Diag::of(Problem::CaseEvaluation {
            case: name.to_string(),
            fault: msg.to_string(),
        }));
    }
    out.diags(&diags, &crate::source::SourceMap::default());
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, _, changes) in &results {
        for c in changes {
            *counts.entry(c.outcome.as_str()).or_default() += 1;
        }
    }
    let changed = results.iter().filter(|(_, _, _, c)| !c.is_empty()).count();
    let bad = errors.len() + failed.len();
    match a.format {
        ReportFormat::Json => {
            let cases: Vec<J> = results
                .iter()
                .map(|(name, old_as_of, as_of, changes)| {
                    json!({
                        "case": name,
                        "as_of": as_of.format("%Y-%m-%d").to_string(),
                        "from_as_of": old_as_of.format("%Y-%m-%d").to_string(),
                        "changes": changes.iter().map(|c| json!({
                            "outcome": c.outcome,
                            "from": side_json(&c.old),
                            "to": side_json(&c.new),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let failed_names: Vec<&str> = errors
                .iter()
                .map(|(n, _)| n.as_str())
                .chain(failed.iter().map(|(n, _)| n.as_str()))
                .collect();
            let j = json!({
                "cases": cases,
                "counts": counts,
                "evaluated": results.len(),
                "changed": changed,
                "failed": failed_names,
            });
            print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&j).unwrap_or_default()
            ));
        }
        ReportFormat::Text => {
            let mut s = String::new();
            for (name, old_as_of, as_of, changes) in &results {
                if changes.is_empty() {
                    continue;
                }
                let date = if old_as_of == as_of {
                    format!("as of {}", as_of.format("%Y-%m-%d"))
                } else {
                    format!(
                        "as of {} before, {} after",
                        old_as_of.format("%Y-%m-%d"),
                        as_of.format("%Y-%m-%d")
                    )
                };
                let _ = writeln!(s, "{name} ({date})");
                for c in changes {
                    let _ = writeln!(s, "  {}: {} → {}", c.outcome, c.old.shown, c.new.shown);
                    let _ = writeln!(s, "    before: {}", c.old.by_whom());
                    let _ = writeln!(s, "    after:  {}", c.new.by_whom());
                }
                s.push('\n');
            }
            if counts.is_empty() {
                let _ = writeln!(s, "no outcome changes");
            } else {
                let _ = writeln!(s, "changes per outcome:");
                let width = counts.keys().map(|k| k.len()).max().unwrap_or(0);
                for (k, n) in &counts {
                    let _ = writeln!(s, "  {k:<width$}  {n}");
                }
            }
            let _ = writeln!(
                s,
                "{} case{} evaluated, {changed} with changes, {bad} failed",
                results.len(),
                if results.len() == 1 { "" } else { "s" }
            );
            print(&s);
        }
    }
    if bad > 0 {
        Exit::Finding
    } else {
        Exit::Ok
    }
}
