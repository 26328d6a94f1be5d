//! `regula verify`: conflicts, gaps and dead rules for every case, and the
//! equivalence of two versions or two dates. The decision procedure is
//! [`crate::verify`]'s; this module reads the arguments, prints the table
//! and the findings, and writes the counterexamples.
use super::{errln, load_program, print, Exit, Out, PolicyArgs};
use crate::case;
use crate::diag::{Code, Diag, ErrorFormat, Problem};
use crate::program::Program;
use crate::verify::{self, Finding, FindingKind, Report, Verdict, Versions};
use chrono::NaiveDate;
use std::fmt::Write;
use std::path::PathBuf;

/// What `--deny` can turn into errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Deny {
    /// Dead rules and dead exceptions.
    Warnings,
}

/// Arguments of `regula verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
    /// Compare with an older version of the policy set (a policy directory,
    /// repeatable): every outcome equivalent for every case, or a
    /// counterexample.
    #[arg(long, value_name = "OLD_DIR")]
    against: Vec<PathBuf>,
    /// Compare the policy set with itself on two assessment dates (give
    /// `--at` twice).
    #[arg(long, value_parser = case::parse_date, value_name = "DATE")]
    at: Vec<NaiveDate>,
    /// Write each counterexample as a case JSON file into this directory.
    #[arg(long, value_name = "DIR")]
    counterexamples: Option<PathBuf>,
    /// Treat warnings (dead rules, dead exceptions) as errors.
    #[arg(long, value_enum)]
    deny: Vec<Deny>,
    /// Print the whole report as JSON (findings with their cases) instead
    /// of the table.
    #[arg(long)]
    json: bool,
}

fn verdict(v: Verdict, found: &str, proved: &str) -> String {
    match v {
        Verdict::Proved => proved.into(),
        Verdict::Found => found.into(),
        Verdict::Undecided => "undecided".into(),
        Verdict::NotChecked => "-".into(),
    }
}

/// Runs `regula verify`.
pub fn run(a: VerifyArgs, out: &Out) -> Exit {
    if !a.at.is_empty() && (a.at.len() != 2 || !a.against.is_empty()) {
        errln!(
            "error: `--at` takes exactly two dates (`--at D1 --at D2`), and not with `--against`"
        );
        return Exit::Finding;
    }
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    let old = if a.against.is_empty() {
        None
    } else {
        let args = PolicyArgs {
            policies: a.against.clone(),
        };
        match load_program(&args, out) {
            Some(o) => Some(o),
            None => return Exit::Finding,
        }
    };
    let report = match (&old, a.at.as_slice()) {
        (Some(old), _) => verify::compare(Versions::Against { old, new: &p }),
        (None, [first, second]) => verify::compare(Versions::Dates {
            p: &p,
            first: *first,
            second: *second,
        }),
        _ => verify::verify(&p),
    };
    let comparing = old.is_some() || !a.at.is_empty();
    let mut written = Vec::new();
    if let Some(dir) = &a.counterexamples {
        match write_cases(dir, &report) {
            Ok(w) => written = w,
            Err(d) => {
                out.diags(&[d], p.sources());
                return Exit::Finding;
            }
        }
    }
    let deny = a.deny.contains(&Deny::Warnings);
    let diags: Vec<Diag> = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            diag(
                &p,
                old.as_ref(),
                f,
                written.get(i).and_then(|w: &Option<String>| w.clone()),
                deny,
            )
        })
        .collect();
    if a.json {
        let j = serde_json::json!({
            "mode": if old.is_some() { "against" } else if comparing { "dates" } else { "verify" },
            "periods": report.periods,
            "outcomes": report.outcomes,
            "findings": report.findings,
            "undecided": report.undecided,
            "inexact_terms": report.inexact_terms,
            "counterexamples": written.iter().flatten().collect::<Vec<_>>(),
        });
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&j).unwrap_or_default()
        ));
    } else if out.format == ErrorFormat::Human {
        print(&table(&p, &report, comparing));
    }
    out.diags(&diags, p.sources());
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    if out.format == ErrorFormat::Human && !a.json {
        errln!(
            "{errors} error{}, {warnings} warning{}, {} undecided",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
            report.undecided.len()
        );
    }
    if errors > 0 || !report.undecided.is_empty() {
        Exit::Finding
    } else {
        Exit::Ok
    }
}

/// The table: one line per outcome.
fn table(p: &Program, r: &Report, comparing: bool) -> String {
    let mut s = String::new();
    let docs: Vec<&str> = p.documents().iter().map(|d| d.id.as_str()).collect();
    let _ = writeln!(
        s,
        "{}: {} outcomes, {} rules, {} period{} of constant law in force; every case",
        docs.join(", "),
        r.outcomes.len(),
        p.rules().len(),
        r.periods,
        if r.periods == 1 { "" } else { "s" }
    );
    let width = r
        .outcomes
        .iter()
        .map(|o| unicode_width::UnicodeWidthStr::width(o.outcome.as_str()))
        .max()
        .unwrap_or(7)
        .max(7);
    let pad = |t: &str| {
        let w = unicode_width::UnicodeWidthStr::width(t);
        format!("{t}{}", " ".repeat(width.saturating_sub(w)))
    };
    if comparing {
        let _ = writeln!(s, "\n{}  rules  versions", pad("outcome"));
        for o in &r.outcomes {
            let _ = writeln!(
                s,
                "{}  {:>5}  {}",
                pad(&o.outcome),
                o.rules,
                verdict(o.difference, "differ", "equivalent")
            );
        }
    } else {
        let _ = writeln!(
            s,
            "\n{}  rules  {:<10} {:<10} dead",
            pad("outcome"),
            "conflicts",
            "gaps"
        );
        for o in &r.outcomes {
            let _ = writeln!(
                s,
                "{}  {:>5}  {:<10} {:<10} {}",
                pad(&o.outcome),
                o.rules,
                verdict(o.conflicts, "found", "none"),
                verdict(o.gaps, "found", "none"),
                verdict(o.dead, "found", "none"),
            );
        }
    }
    if !r.undecided.is_empty() {
        let _ = writeln!(s, "\nundecided (bounded; see docs/verify.md):");
        for u in &r.undecided {
            let _ = writeln!(s, "  {u}");
        }
    }
    if r.inexact_terms > 0 {
        let _ = writeln!(
            s,
            "\nterms outside the exact fragment (products or months of unknown terms), up to {} in one outcome's reading: a finding there is still confirmed by the evaluator; an absence is proved only where no such candidate remained",
            r.inexact_terms
        );
    }
    s
}

/// A finding as a diagnostic at the rules (or outcome) it is about.
pub(crate) fn diag(
    p: &Program,
    old: Option<&Program>,
    f: &Finding,
    file: Option<String>,
    deny: bool,
) -> Diag {
    let code = match f.kind {
        FindingKind::Conflict => Code::ConflictingRules,
        FindingKind::Gap => Code::VerifyGap,
        FindingKind::Difference => Code::VersionsDiffer,
        FindingKind::DeadRule => Code::DeadRule,
        FindingKind::DeadException => Code::DeadException,
    };
    let counterexample = f.case.as_ref().map(|case| match &file {
        Some(path) => format!("counterexample written to {path}"),
        None => format!(
            "counterexample: {}",
            serde_json::to_string(case).unwrap_or_default()
        ),
    });
    let mut d = Diag::of(Problem::Finding {
        code,
        outcome: f.outcome.clone(),
        what: f.message.clone(),
        counterexample,
        condition: f.condition.clone(),
        truncated: f.condition_truncated,
    });
    if deny {
        d.severity = crate::diag::Severity::Error;
    }
    for (i, r) in f.rule_ids.iter().enumerate() {
        if let Some(rule) = p.rule(*r) {
            d = d.label(rule.span, if i == 0 { "this rule" } else { "and this one" });
        }
    }
    if f.rules.is_empty() {
        let o = p
            .outcome_id(&f.outcome)
            .and_then(|o| p.outcome(o))
            .or_else(|| old.and_then(|q| q.outcome_id(&f.outcome).and_then(|o| q.outcome(o))));
        if let Some(o) = o.filter(|_| p.outcome_id(&f.outcome).is_some()) {
            d = d.label(o.span, "this outcome");
        }
    }
    d
}

/// Writes each finding's case; per finding, the file written (if any).
fn write_cases(dir: &std::path::Path, r: &Report) -> Result<Vec<Option<String>>, Diag> {
    let io = |e: std::io::Error| {
        Diag::of(Problem::CounterexamplesUnwritable {
            dir: dir.display().to_string(),
            reason: e.to_string(),
        })
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut out = Vec::new();
    for (i, f) in r.findings.iter().enumerate() {
        let Some(case) = &f.case else {
            out.push(None);
            continue;
        };
        let name = format!("{:02}-{}-{}.json", i + 1, f.kind.slug(), f.outcome);
        let path = dir.join(&name);
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(case).unwrap_or_default()
        );
        std::fs::write(&path, text).map_err(io)?;
        out.push(Some(path.to_string_lossy().replace('\\', "/")));
    }
    Ok(out)
}
