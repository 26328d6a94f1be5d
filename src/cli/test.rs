//! `regula test`: the test cases kept beside the policies.
//!
//! A test is a case `NAME.json` with its expectations `NAME.expected.json` in a
//! `tests/` folder of a policy document directory. Expectations use the
//! format of the shared acceptance cases: per outcome a `value`, optionally
//! one paragraph it `cites`, and `missing: true` for an outcome that stays
//! unknown (a null value without it means n/a). `--coverage` lists the rules
//! no test made apply, the conditions no test made false, and the exceptions
//! not seen both winning and losing.
use super::errln;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::case::{self, Format, Schema};
use crate::diag::Code;
use crate::diag::Diag;
use crate::eval::{evaluate, Node, RuleStatus, Trace};
use crate::program::{Program, RuleId};
use crate::report::{self, Detail, Subject};
use serde_json::Value as J;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Arguments of `regula test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test cases or folders of them; default: the `tests/` folders of the policy set.
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,
    /// List the rules, conditions and exceptions the tests leave unexercised.
    #[arg(long)]
    coverage: bool,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

/// One test: a case and its expectations, as text.
struct TestCase {
    name: String,
    case: String,
    expected: String,
}

/// What the tests exercised, for `--coverage`.
#[derive(Default)]
struct Coverage {
    /// Rules seen applying (applied, overridden or in conflict).
    applied: BTreeSet<RuleId>,
    /// Per rule, the indices of its `when` conjuncts seen false.
    falsified: BTreeMap<RuleId, BTreeSet<usize>>,
    /// Exceptions seen overriding their rule: (exception, rule).
    won: BTreeSet<(RuleId, RuleId)>,
    /// Exceptions seen not applying while their rule applied.
    lost: BTreeSet<(RuleId, RuleId)>,
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

fn read(path: &Path) -> Result<String, String> {
    case::read_case_file(path).map_err(|e| e.message)
}

/// Tests under a directory (recursively, or only its `tests/` folders).
fn walk(dir: &Path, only_tests: bool, depth: usize, out: &mut Vec<PathBuf>) {
    if depth > crate::load::MAX_DEPTH {
        return;
    }
    let Some(entries) = crate::load::visible_entries(dir) else {
        return;
    };
    let in_tests = dir.file_name().is_some_and(|n| n == "tests");
    for p in entries {
        if p.is_dir() {
            walk(&p, only_tests, depth + 1, out);
        } else if (in_tests || !only_tests) && shown(&p).ends_with(".expected.json") {
            out.push(p);
        }
    }
}

/// The tests the arguments name, or the errors finding them.
fn discover(a: &TestArgs, errors: &mut Vec<String>) -> Vec<TestCase> {
    let mut expected_files = Vec::new();
    if a.paths.is_empty() {
        if a.policies.policies.is_empty() {
            let raw = crate::load::embedded();
            let mut tests = Vec::new();
            for (name, text) in &raw.others {
                let Some(stem) = name.strip_suffix(".expected.json") else {
                    continue;
                };
                if !name.contains("/tests/") {
                    continue;
                }
                let case_name = format!("{stem}.json");
                match raw.others.get(&case_name) {
                    Some(c) => tests.push(TestCase {
                        name: case_name,
                        case: c.clone(),
                        expected: text.clone(),
                    }),
                    None => errors.push(format!("`{name}` has no case `{case_name}` beside it")),
                }
            }
            return tests;
        }
        for dir in &a.policies.policies {
            walk(dir, true, 0, &mut expected_files);
        }
    } else {
        for p in &a.paths {
            let s = shown(p);
            if p.is_dir() {
                walk(p, false, 0, &mut expected_files);
            } else if let Some(stem) = s.strip_suffix(".expected.json") {
                expected_files.push(PathBuf::from(format!("{stem}.expected.json")));
            } else if let Some(stem) = s.strip_suffix(".json") {
                expected_files.push(PathBuf::from(format!("{stem}.expected.json")));
            } else {
                errors.push(format!(
                    "`{s}` is neither a folder of tests nor a `NAME.json` case"
                ));
            }
        }
    }
    let mut tests = Vec::new();
    for exp in expected_files {
        let s = shown(&exp);
        let case_name = format!("{}.json", s.trim_end_matches(".expected.json"));
        let case = read(Path::new(&case_name));
        let expected = read(&exp);
        match (case, expected) {
            (Ok(case), Ok(expected)) => tests.push(TestCase {
                name: case_name,
                case,
                expected,
            }),
            (Err(e), _) | (_, Err(e)) => errors.push(e),
        }
    }
    tests
}

/// The mismatches of one outcome, in the semantics of the shared cases.
fn compare(outcome: &str, got: Option<&J>, want: &J) -> Vec<String> {
    let Some(got) = got else {
        return vec![format!("{outcome}: no such outcome in the report")];
    };
    let value = got.get("value").cloned().unwrap_or(J::Null);
    let expected = want.get("value").cloned().unwrap_or(J::Null);
    let missing = got
        .get("missing")
        .and_then(J::as_array)
        .map(Vec::len)
        .unwrap_or(0);
    let mut errors = Vec::new();
    if value != expected {
        let what = |v: &J, unknown: bool| match (v, unknown) {
            (J::Null, true) => "unknown".to_string(),
            (J::Null, false) => "n/a".to_string(),
            (v, _) => v.to_string(),
        };
        let want_unknown = want.get("missing").and_then(J::as_bool) == Some(true);
        errors.push(format!(
            "{outcome}: expected {}, got {}",
            what(&expected, want_unknown),
            what(&value, missing > 0)
        ));
        return errors;
    }
    if want.get("missing").and_then(J::as_bool) == Some(true) {
        if missing == 0 {
            errors.push(format!("{outcome}: expected unknown, got n/a"));
        }
    } else if value.is_null() && missing > 0 {
        errors.push(format!("{outcome}: expected n/a, got unknown"));
    }
    if let Some(cite) = want.get("cites").and_then(J::as_str) {
        let cites: Vec<&str> = got
            .get("cites")
            .and_then(J::as_array)
            .map(|a| a.iter().filter_map(J::as_str).collect())
            .unwrap_or_default();
        if !cites.contains(&cite) {
            errors.push(format!(
                "{outcome}: expected to cite {cite}, cites {}",
                if cites.is_empty() {
                    "nothing".to_string()
                } else {
                    cites.join(", ")
                }
            ));
        }
    }
    errors
}

/// The conjuncts of a condition's trace: the children of a top-level `and`.
fn conjuncts<'a>(t: &Trace<'a>) -> Vec<Trace<'a>> {
    if t.node == Node::And {
        t.children()
    } else {
        vec![*t]
    }
}

/// Runs one test; returns its report lines (empty when it passed).
fn run_one(p: &Program, t: &TestCase, cov: &mut Coverage) -> Result<String, String> {
    let schema = Schema::new(p);
    let c = case::decode_text(p, &schema, &t.case, Format::Json).map_err(|errs| {
        let msgs: Vec<String> = errs
            .iter()
            .map(|e| {
                if e.path.is_empty() {
                    e.message.clone()
                } else {
                    format!("`{}`: {}", e.path, e.message)
                }
            })
            .collect();
        format!("the case is not valid: {}", msgs.join("; "))
    })?;
    let want: J = serde_json::from_str(&t.expected)
        .map_err(|e| format!("the expectations are not valid JSON: {e}"))?;
    let Some(want) = want.as_object() else {
        return Err("the expectations are not a JSON object of outcomes".into());
    };
    let as_of = c
        .as_of
        .ok_or_else(|| "the case states no assessment date (`as_of`)".to_string())?;
    let ev =
        evaluate(p, &c.facts, as_of).map_err(|e| format!("evaluation failed: {}", e.message))?;
    let s = Subject::new(p, &c.facts, &ev);
    let report = report::json_report(&s, Detail::Full)
        .map_err(|e| format!("evaluation failed: {}", e.message))?;
    let outs = report.get("outcomes");
    let mut failures = String::new();
    for (outcome, exp) in want {
        let errors = compare(outcome, outs.and_then(|o| o.get(outcome)), exp);
        if errors.is_empty() {
            continue;
        }
        for e in errors {
            let _ = writeln!(failures, "  {e}");
        }
        if let Some(oid) = p.outcome_index.get(outcome) {
            if let Ok(d) = s.derive(*oid) {
                if let Ok(text) = report::explain_text(&s, &d) {
                    let _ = writeln!(failures, "  derivation:");
                    for line in text.lines() {
                        let _ = writeln!(failures, "    {line}");
                    }
                }
            }
        }
    }
    // Coverage: what every rule of every outcome did on this case.
    for oid in 0..p.outcomes.len() {
        let Ok(oid) = u32::try_from(oid) else {
            continue;
        };
        let Ok(d) = s.derive(oid) else { continue };
        let status: BTreeMap<RuleId, RuleStatus> =
            d.rules.iter().map(|r| (r.rule, r.status)).collect();
        for rt in &d.rules {
            if matches!(
                rt.status,
                RuleStatus::Applied | RuleStatus::Overridden | RuleStatus::Conflicting
            ) {
                cov.applied.insert(rt.rule);
            }
            if let Some(cond) = &rt.condition {
                for (i, c) in conjuncts(cond).iter().enumerate() {
                    if c.value == crate::program::Value::Bool(false) {
                        cov.falsified.entry(rt.rule).or_default().insert(i);
                    }
                }
            }
            for by in rt.overridden_by {
                cov.won.insert((*by, rt.rule));
            }
            if let Some(r) = p.rule(rt.rule) {
                let applies = matches!(rt.status, RuleStatus::Applied | RuleStatus::Conflicting);
                for base in &r.exception_to {
                    let base_applies = matches!(
                        status.get(base),
                        Some(RuleStatus::Applied | RuleStatus::Conflicting)
                    );
                    if rt.status == RuleStatus::NotApplicable && base_applies {
                        cov.lost.insert((rt.rule, *base));
                    }
                    if applies && status.get(base) == Some(&RuleStatus::Overridden) {
                        cov.won.insert((rt.rule, *base));
                    }
                }
            }
        }
    }
    Ok(failures)
}

fn coverage_report(p: &Program, cov: &Coverage) -> String {
    let mut s = String::new();
    let n = p.rules.len();
    let _ = writeln!(
        s,
        "\ncoverage: {} of {n} rules applied in some test",
        cov.applied.len()
    );
    let rule_name = |r: RuleId| {
        p.rule(r)
            .map(|r| format!("{} ({})", r.name, r.cites.key()))
            .unwrap_or_default()
    };
    let unapplied: Vec<String> = (0..n)
        .filter_map(|i| u32::try_from(i).ok())
        .filter(|r| !cov.applied.contains(r))
        .map(rule_name)
        .collect();
    let _ = writeln!(s, "rules no test made apply:");
    if unapplied.is_empty() {
        let _ = writeln!(s, "  none");
    }
    for r in unapplied {
        let _ = writeln!(s, "  {r}");
    }
    let _ = writeln!(s, "conditions no test made false:");
    let mut any = false;
    for (i, r) in p.rules.iter().enumerate() {
        let Ok(id) = u32::try_from(i) else { continue };
        let Some(when) = &r.when else { continue };
        let parts = when_conjuncts(when);
        let seen = cov.falsified.get(&id);
        for (j, span) in parts.iter().enumerate() {
            if !seen.is_some_and(|s| s.contains(&j)) {
                any = true;
                let _ = writeln!(s, "  {}: `{}`", rule_name(id), p.expr_text(*span));
            }
        }
    }
    if !any {
        let _ = writeln!(s, "  none");
    }
    let _ = writeln!(s, "exceptions not seen both winning and losing:");
    let mut any = false;
    for (i, r) in p.rules.iter().enumerate() {
        let Ok(id) = u32::try_from(i) else { continue };
        for base in &r.exception_to {
            let won = cov.won.contains(&(id, *base));
            let lost = cov.lost.contains(&(id, *base));
            if won && lost {
                continue;
            }
            any = true;
            let base_name = p.rule(*base).map(|b| b.name.as_str()).unwrap_or("");
            let missing = match (won, lost) {
                (false, false) => "never won, never lost",
                (false, true) => "never won",
                _ => "never lost",
            };
            let _ = writeln!(s, "  {} over {base_name}: {missing}", r.name);
        }
    }
    if !any {
        let _ = writeln!(s, "  none");
    }
    s
}

/// The spans of a `when` condition's conjuncts, flattened as the trace does.
fn when_conjuncts(e: &crate::program::Expr) -> Vec<crate::source::Span> {
    fn go(e: &crate::program::Expr, out: &mut Vec<crate::source::Span>) {
        match &e.kind {
            crate::program::ExprKind::And(a, b) => {
                go(a, out);
                go(b, out);
            }
            _ => out.push(e.span),
        }
    }
    let mut out = Vec::new();
    go(e, &mut out);
    out
}

/// Runs `regula test`.
pub fn run(a: TestArgs, out: &Out) -> Exit {
    let Some(p) = load_program(&a.policies, out) else {
        return Exit::Finding;
    };
    let mut errors = Vec::new();
    let tests = discover(&a, &mut errors);
    let diags: Vec<Diag> = errors
        .iter()
        .map(|e| {
            Diag::new(Code::BadTest, e.clone()).help(
                "a test is a case `NAME.json` with its expectations `NAME.expected.json` beside it",
            )
        })
        .collect();
    out.diags(&diags, &crate::source::SourceMap::default());
    if tests.is_empty() {
        if errors.is_empty() {
            let d = Diag::new(Code::NoTests, "no tests found").help(
                "a test is `NAME.json` with `NAME.expected.json` in a `tests/` folder beside the policies",
            );
            out.diags(&[d], &crate::source::SourceMap::default());
        }
        return Exit::Finding;
    }
    let mut cov = Coverage::default();
    let mut text = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for t in &tests {
        match run_one(&p, t, &mut cov) {
            Ok(f) if f.is_empty() => {
                passed += 1;
                let _ = writeln!(text, "ok    {}", t.name);
            }
            Ok(f) => {
                failed += 1;
                let _ = writeln!(text, "FAIL  {}", t.name);
                text.push_str(&f);
            }
            Err(e) => {
                failed += 1;
                let _ = writeln!(text, "FAIL  {}\n  {e}", t.name);
            }
        }
    }
    let _ = writeln!(text, "\n{passed} passed, {failed} failed");
    if a.coverage {
        text.push_str(&coverage_report(&p, &cov));
    }
    print(&text);
    if failed > 0 {
        errln!(
            "error: {failed} test{} failed",
            if failed == 1 { "" } else { "s" }
        );
    }
    if failed > 0 || !errors.is_empty() {
        Exit::Finding
    } else {
        Exit::Ok
    }
}
