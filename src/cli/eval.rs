//! `regula eval` and `regula explain`: one case, every outcome or one.
use super::errln;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::case::{self, Case, CaseError, Format, Schema};
use crate::diag::Code;
use crate::diag::{did_you_mean, Diag};
use crate::eval::{evaluate, EvalError};
use crate::graph::{derivation_graph, GraphFormat};
use crate::program::Program;
use crate::report::{self, Detail, Subject, TextOptions};
use chrono::NaiveDate;
use std::io::Read;
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
    /// The case: a JSON, YAML or TOML file, or `-` for JSON on standard input.
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
    policies: PolicyArgs,
}

/// Arguments of `regula explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The case file.
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
    policies: PolicyArgs,
}

fn parse_at(s: &str) -> Result<NaiveDate, String> {
    case::parse_date(s)
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
    let diags: Vec<Diag> = errors.iter().map(|e| e.to_diag(name)).collect();
    out.diags(&diags, &crate::source::SourceMap::default());
    let n = errors.len();
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
        let mut s = String::new();
        let mut limited = std::io::stdin().lock().take(case::MAX_CASE_BYTES + 1);
        if limited.read_to_string(&mut s).is_err() {
            case_errors(
                &name,
                &[CaseError {
                    path: String::new(),
                    message: "standard input is not valid UTF-8".into(),
                    help: None,
                }],
                out,
            );
            return None;
        }
        if u64::try_from(s.len()).unwrap_or(u64::MAX) > case::MAX_CASE_BYTES {
            case_errors(
                &name,
                &[CaseError {
                    path: String::new(),
                    message: format!(
                        "standard input holds more than {} bytes; a case may be at most that",
                        case::MAX_CASE_BYTES
                    ),
                    help: Some("a case describes one dispatch relationship".into()),
                }],
                out,
            );
            return None;
        }
        s
    } else {
        match case::read_case_file(path) {
            Ok(t) => t,
            Err(e) => {
                case_errors(&name, &[e], out);
                return None;
            }
        }
    };
    let schema = Schema::new(p);
    let case = match case::decode_text(p, &schema, &text, Format::of(&name)) {
        Ok(c) => c,
        Err(errors) => {
            case_errors(&name, &errors, out);
            return None;
        }
    };
    let Some(as_of) = at.or(case.as_of) else {
        let e = CaseError {
            path: "as_of".into(),
            message: "the case states no assessment date".into(),
            help: Some(
                "add `\"as_of\": \"YYYY-MM-DD\"` to the case, or pass --at YYYY-MM-DD".into(),
            ),
        };
        case_errors(&name, &[e], out);
        return None;
    };
    Some(Loaded { name, case, as_of })
}

fn eval_error(p: &Program, e: &EvalError, out: &Out) -> Exit {
    let d = Diag::new(
        Code::Evaluation,
        format!("evaluation failed: {}", e.message),
    )
    .label(e.span, "while evaluating this")
    .help("the case's values overflow what this expression can compute; check the facts");
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
        let names: Vec<String> = conflicts.iter().map(|n| format!("`{n}`")).collect();
        let d = Diag::new(
            Code::Conflict,
            format!(
                "rules conflict on {}; no value was chosen",
                names.join(", ")
            ),
        )
        .help(format!(
            "two rules apply to this case and conclude different values; run `regula explain {} {}` for both derivations, and make one an exception to the other if the regulation says which prevails",
            l.name,
            conflicts.first().copied().unwrap_or("")
        ));
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
    let oid = if a.outcome == "in_force" {
        None
    } else {
        match p.outcome_index.get(&a.outcome) {
            Some(o) => Some(*o),
            None => {
                let mut names: Vec<&str> = p.outcomes.iter().map(|o| o.name.as_str()).collect();
                names.push("in_force");
                let d =
                    Diag::new(Code::UnknownOutcome, format!("no outcome `{}`", a.outcome)).help(
                        did_you_mean(&a.outcome, names, "run `regula eval` to list the outcomes"),
                    );
                out.diags(&[d], &p.sources);
                return Exit::Finding;
            }
        }
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
        let (j, conflict) = match report::explain_json(&s, oid) {
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
        match a.format {
            ExplainFormat::Dot => print(&crate::graph::in_force_graph(&s, GraphFormat::Dot)),
            ExplainFormat::Mermaid => {
                print(&crate::graph::in_force_graph(&s, GraphFormat::Mermaid))
            }
            ExplainFormat::Text | ExplainFormat::Json => print(&report::in_force_text(&s)),
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
    let d = Diag::new(
        Code::Conflict,
        format!("rules conflict on `{outcome}`; no value was chosen"),
    )
    .help("make one rule an exception to the other if the regulation says which prevails");
    out.diags(&[d], &p.sources);
    Exit::Finding
}
