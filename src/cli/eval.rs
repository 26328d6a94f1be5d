//! `regula eval` and `regula explain`: one case, every outcome or one.
use super::errln;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::case::{self, Case, CaseError, Format, Schema};
use crate::diag::{Diag, ErrorFormat, Problem};
use crate::eval::{evaluate, EvalError};
use crate::graph::{derivation_graph, GraphFormat};
use crate::program::Program;
use crate::report::{self, Detail, Explained, Subject, TextOptions};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ReportFormat {
    /// For a person, in Chinese labels.
    #[default]
    Text,
    /// The JSON report contract.
    Json,
}

/// Formats of `regula explain`: a report, or the derivation drawn as a graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ExplainFormat {
    /// For a person, in Chinese labels.
    #[default]
    Text,
    /// The JSON report contract.
    Json,
    /// The derivation as a Graphviz DOT graph.
    Dot,
    /// The derivation as a Mermaid flowchart.
    Mermaid,
}

/// Arguments of `regula eval`.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    /// The case: a JSON, YAML or TOML file, or `-` for standard input. The
    /// format is the extension's (`.json`, `.yaml`/`.yml`, `.toml`), else the
    /// content's: JSON if it opens with `{`, TOML if it opens with `key =` or
    /// `[table]`, YAML otherwise.
    case: PathBuf,
    /// Assessment date (YYYY-MM-DD); overrides the case's `as_of`.
    #[arg(long, value_parser = parse_at)]
    at: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,
    /// How much derivation the JSON report carries.
    #[arg(long, value_enum, default_value_t = Detail::Full)]
    derivations: Detail,
    /// Show outcomes that do not apply to the case too (text format).
    #[arg(long)]
    all: bool,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// Arguments of `regula explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The case: a JSON, YAML or TOML file, or `-` for standard input (the
    /// format as for `regula eval`).
    case: PathBuf,
    /// The outcome to explain, e.g. `injury.applicant`.
    outcome: String,
    /// Assessment date (YYYY-MM-DD); overrides the case's `as_of`.
    #[arg(long, value_parser = parse_at)]
    at: Option<NaiveDate>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    format: ExplainFormat,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

fn parse_at(s: &str) -> Result<NaiveDate, String> {
    case::parse_date(s).map_err(|e| e.to_string())
}

/// A case read, decoded and dated.
pub struct Loaded {
    /// Display name.
    pub name: String,
    /// The facts.
    pub case: Case,
    /// The assessment date.
    pub as_of: NaiveDate,
}

fn case_errors(name: &str, errors: &[CaseError], out: &Out) {
    case_errors_in(name, None, errors, out);
}

/// The problems of a case; with its text, each placed where the format
/// keeps places (`file:line:col`, the value underlined).
fn case_errors_in(name: &str, text: Option<(&str, Format)>, errors: &[CaseError], out: &Out) {
    // A snippet shows the whole line: not for a line that runs on (a case
    // on one line), which only gets its place.
    let snippet = (out.format == ErrorFormat::Human).then_some(160);
    let (diags, sources) = case::located_diags(name, text, errors, snippet);
    out.diags(&diags, &sources);
    let n = errors.len();
    if n > case::MAX_CASE_ERRORS {
        // The last one counts the problems not listed.
        errln!(
            "error: the case has more than {} problems; nothing was evaluated",
            case::MAX_CASE_ERRORS
        );
        return;
    }
    errln!(
        "error: the case has {n} problem{}; nothing was evaluated",
        if n == 1 { "" } else { "s" }
    );
}

/// Reads and decodes a case file against a program.
pub fn load_case(
    p: &Program,
    path: &std::path::Path,
    at: Option<NaiveDate>,
    out: &Out,
) -> Option<Loaded> {
    let name = path.to_string_lossy().to_string();
    let text = if name == "-" {
        case::read_case(std::io::stdin().lock(), "standard input")
    } else {
        case::read_case_file(path)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            case_errors(&name, &[e], out);
            return None;
        }
    };
    let schema = Schema::new(p);
    let format = Format::detect(&name, &text);
    let case = match case::decode_text(p, &schema, &text, format) {
        Ok(c) => c,
        Err(errors) => {
            case_errors_in(&name, Some((&text, format)), &errors, out);
            return None;
        }
    };
    let Some(as_of) = at.or(case.as_of) else {
        case_errors(&name, &[CaseError::no_as_of()], out);
        return None;
    };
    Some(Loaded { name, case, as_of })
}

fn eval_error(p: &Program, e: &EvalError, out: &Out) -> Exit {
    let d = Diag::of(Problem::Evaluation {
        on: None,
        fault: e.message(),
    })
    .label(e.span, "while evaluating this");
    out.diags(&[d], &p.sources);
    Exit::Finding
}

/// Runs `regula eval`.
pub fn run_eval(a: EvalArgs, out: &Out) -> Exit {
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    let Some(l) = load_case(&p, &a.case, a.at, out) else {
        return Exit::Finding;
    };
    let ev = match evaluate(&p, &l.case.facts, l.as_of) {
        Ok(ev) => ev,
        Err(e) => return eval_error(&p, &e, out),
    };
    let s = Subject::new(&p, &l.case.facts, &ev);
    let conflicts: Vec<&str> = ev
        .outcomes
        .iter()
        .zip(&p.outcomes)
        .filter(|(r, _)| r.conflict)
        .map(|(_, o)| o.name.as_str())
        .collect();
    let rendered = match a.format {
        ReportFormat::Json => {
            let mut out = Vec::new();
            report::write_report(&mut out, &s, a.derivations, None, true).map(|()| {
                out.push(b'\n');
                String::from_utf8_lossy(&out).into_owned()
            })
        }
        ReportFormat::Text => report::text_report(
            &s,
            if l.name == "-" {
                "标准输入"
            } else {
                &l.name
            },
            TextOptions {
                all: a.all,
                color: out.color_out,
            },
        ),
    };
    match rendered {
        Ok(text) => print(&text),
        Err(e) => return eval_error(&p, &e, out),
    }
    if !conflicts.is_empty() {
        let d = Diag::of(Problem::Conflict {
            outcomes: conflicts.iter().map(|n| n.to_string()).collect(),
            case: l.name.to_string(),
        });
        out.diags(&[d], &p.sources);
        return Exit::Finding;
    }
    Exit::Ok
}

/// Runs `regula explain`.
pub fn run_explain(a: ExplainArgs, out: &Out) -> Exit {
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    // A declared outcome, or an in-force outcome: `in_force` (line 0) or a
    // line's own name.
    let Some(what) = Explained::find(&p, &a.outcome) else {
        out.diags(&[Explained::unknown(&p, &a.outcome)], &p.sources);
        return Exit::Finding;
    };
    let (line, oid) = match what {
        Explained::InForce(line) => (Some(line), None),
        Explained::Outcome(o) => (None, Some(o)),
    };
    let Some(l) = load_case(&p, &a.case, a.at, out) else {
        return Exit::Finding;
    };
    let ev = match evaluate(&p, &l.case.facts, l.as_of) {
        Ok(ev) => ev,
        Err(e) => return eval_error(&p, &e, out),
    };
    let s = Subject::new(&p, &l.case.facts, &ev);
    if a.format == ExplainFormat::Json {
        let (j, conflict) = match report::explain_json(&s, what) {
            Ok(x) => x,
            Err(e) => return eval_error(&p, &e, out),
        };
        print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&j).unwrap_or_default()
        ));
        return if conflict {
            explain_conflict(&a.outcome, &p, out)
        } else {
            Exit::Ok
        };
    }
    let Some(oid) = oid else {
        // `in_force` is decided by the document header, not by rules.
        let line = line.unwrap_or(0);
        let entry = report::in_force_json(&s, line);
        match a.format {
            ExplainFormat::Json => print(&format!(
                "{}\n",
                serde_json::to_string_pretty(&entry).unwrap_or_default()
            )),
            ExplainFormat::Dot => print(&crate::graph::in_force_graph(&s, GraphFormat::Dot, line)),
            ExplainFormat::Mermaid => print(&crate::graph::in_force_graph(
                &s,
                GraphFormat::Mermaid,
                line,
            )),
            ExplainFormat::Text => print(&report::in_force_text(&s, line)),
        }
        return Exit::Ok;
    };
    let d = match s.derive(oid) {
        Ok(d) => d,
        Err(e) => return eval_error(&p, &e, out),
    };
    match a.format {
        ExplainFormat::Dot => print(&derivation_graph(&s, &d, GraphFormat::Dot)),
        ExplainFormat::Mermaid => print(&derivation_graph(&s, &d, GraphFormat::Mermaid)),
        ExplainFormat::Text | ExplainFormat::Json => match report::explain_text(&s, &d) {
            Ok(t) => print(&t),
            Err(e) => return eval_error(&p, &e, out),
        },
    }
    if d.status == crate::eval::Status::Conflict {
        return explain_conflict(&a.outcome, &p, out);
    }
    Exit::Ok
}

fn explain_conflict(outcome: &str, p: &Program, out: &Out) -> Exit {
    let d = Diag::of(Problem::ConflictExplained {
        outcome: outcome.to_string(),
    });
    out.diags(&[d], &p.sources);
    Exit::Finding
}
