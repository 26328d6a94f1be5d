//! The results of a run: for a person (`human`), for programs (`json`), for
//! CI systems (`junit`), and the review of a pending snapshot (`review`).
use super::expect::Expect;
use super::{Status, TestResult};
use serde_json::{json, Value as J};
use std::fmt::Write;

/// The counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Tests whose results are as expected.
    pub passed: usize,
    /// Tests that failed: results differ, no expectations yet, or errors.
    pub failed: usize,
    /// Tests with a pending snapshot to review.
    pub pending: usize,
}

impl Summary {
    /// Counts the results.
    pub fn of<'a>(results: impl IntoIterator<Item = &'a TestResult>) -> Summary {
        let mut s = Summary::default();
        for r in results {
            if r.status == Status::Passed {
                s.passed += 1;
            } else {
                s.failed += 1;
            }
            if r.is_pending() {
                s.pending += 1;
            }
        }
        s
    }
}

/// `N passed, M failed` and, when there are any, `, K pending`.
pub fn summary_line(s: &Summary) -> String {
    let mut line = format!("{} passed, {} failed", s.passed, s.failed);
    if s.pending > 0 {
        let _ = write!(line, ", {} pending", s.pending);
    }
    line
}

/// One test's lines for a person: `ok` or `FAIL` with what differs (and
/// each wrong outcome's derivation), the problems, and the pending
/// snapshots written.
pub fn human(r: &TestResult, written: &[String]) -> String {
    let mut s = String::new();
    if r.status == Status::Passed {
        let _ = writeln!(s, "ok    {}", r.name);
        return s;
    }
    let _ = writeln!(s, "FAIL  {}", r.name);
    if r.status == Status::New {
        let _ = writeln!(s, "  no expectations yet");
    }
    for p in &r.problems {
        let _ = writeln!(s, "  {}", p.message());
        if let Some(h) = p.error.help() {
            let _ = writeln!(s, "    help: {h}");
        }
    }
    for m in &r.mismatches {
        for line in &m.messages {
            let _ = writeln!(s, "  {line}");
        }
        if let Some(d) = &m.derivation {
            let _ = writeln!(s, "  derivation:");
            for line in d.lines() {
                if line.trim().is_empty() {
                    s.push('\n');
                } else {
                    let _ = writeln!(s, "    {line}");
                }
            }
        }
    }
    if r.pending_derivation.is_some() {
        let _ = writeln!(
            s,
            "  {}",
            if r.old_derivation.is_some() {
                "the derivations differ from the pinned ones"
            } else {
                "no derivations pinned yet"
            }
        );
    }
    for w in written {
        let _ = writeln!(s, "  pending: {w}");
    }
    s
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::New => "new",
        Status::Error => "error",
    }
}

fn expect_json(e: &Option<Expect>) -> J {
    match e {
        None => J::Null,
        Some(e) => json!({
            "value": e.value,
            "cites": e.cites,
            "missing": e.missing,
            "conflict": e.conflict,
        }),
    }
}

/// The run as one JSON object: every test with its status, mismatches,
/// problems, pending files and changes, then the counts.
pub fn json(results: &[(&TestResult, &[String])]) -> String {
    let tests: Vec<J> = results
        .iter()
        .map(|(r, written)| {
            json!({
                "name": r.name,
                "status": status_word(r.status),
                "mismatches": r.mismatches.iter().map(|m| json!({
                    "outcome": m.outcome,
                    "messages": m.messages,
                })).collect::<Vec<_>>(),
                "problems": r.problems.iter().map(|p| json!({
                    "file": p.file,
                    "path": p.error.path,
                    "message": p.error.message(),
                    "help": p.error.help(),
                })).collect::<Vec<_>>(),
                "pending": written,
                "changes": r.changes.iter().map(|c| json!({
                    "outcome": c.outcome,
                    "old": expect_json(&c.old),
                    "new": expect_json(&c.new),
                    "because": c.because,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let s = Summary::of(results.iter().map(|(r, _)| *r));
    let mut out = serde_json::to_string_pretty(&json!({
        "tests": tests,
        "passed": s.passed,
        "failed": s.failed,
        "pending": s.pending,
    }))
    .unwrap_or_default();
    out.push('\n');
    out
}

/// Escapes text for XML 1.0: markup characters, and the control characters
/// XML cannot hold dropped.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The run as JUnit XML: one `testcase` per test, a `failure` holding the
/// outcome differences, an `error` for a test that could not run.
pub fn junit(results: &[(&TestResult, &[String])]) -> String {
    let s = Summary::of(results.iter().map(|(r, _)| *r));
    let errors = results
        .iter()
        .filter(|(r, _)| r.status == Status::Error)
        .count();
    let failures = s.failed - errors;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"regula test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">",
        results.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"regula test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\">",
        results.len()
    );
    for (r, written) in results {
        let (class, name) = match r.name.rsplit_once('/') {
            Some((dir, file)) => (dir, file),
            None => ("", r.name.as_str()),
        };
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\"",
            xml(name),
            xml(class)
        );
        if r.status == Status::Passed {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let body = human(r, written);
        let body = body.split_once('\n').map_or("", |(_, rest)| rest);
        let (tag, message) = match r.status {
            Status::Error => (
                "error",
                r.problems
                    .first()
                    .map(super::Problem::message)
                    .unwrap_or_default(),
            ),
            Status::New => ("failure", "no expectations yet".to_string()),
            _ => (
                "failure",
                match r.mismatches.len() {
                    0 => "the derivations differ from the pinned ones".to_string(),
                    1 => "1 outcome differs".to_string(),
                    n => format!("{n} outcomes differ"),
                },
            ),
        };
        let _ = writeln!(
            out,
            "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>",
            xml(&message),
            status_word(r.status),
            xml(body)
        );
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn shown(e: &Expect) -> String {
    match &e.cites {
        Some(c) => format!("{} [{c}]", e.state()),
        None => e.state(),
    }
}

/// A pending snapshot for review: each pinned answer that changes (old →
/// new, with the rules deciding the new value and their quotes), then the
/// changed lines of the derivations.
pub fn review(r: &TestResult) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.name);
    if r.status == Status::New {
        let _ = writeln!(s, "  no expectations yet; the snapshot pins:");
    }
    for c in &r.changes {
        match (&c.old, &c.new) {
            (Some(old), Some(new)) => {
                let _ = writeln!(s, "  {}: {} → {}", c.outcome, shown(old), shown(new));
            }
            (None, Some(new)) => {
                let _ = writeln!(s, "  + {} = {}", c.outcome, shown(new));
            }
            (Some(old), None) => {
                let _ = writeln!(s, "  - {} = {}", c.outcome, shown(old));
            }
            (None, None) => {
                let _ = writeln!(s, "  {}: now {}", c.outcome, {
                    if c.because.is_empty() {
                        "none".to_string()
                    } else {
                        c.because.join(", ")
                    }
                });
                continue;
            }
        }
        for b in &c.because {
            let _ = writeln!(s, "      {b}");
        }
    }
    if let Some(new) = &r.pending_derivation {
        match &r.old_derivation {
            None => {
                let lines = new.lines().count();
                let _ = writeln!(s, "  derivations: {lines} lines pinned anew");
            }
            Some(old) => {
                let _ = writeln!(s, "  derivations:");
                let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
                for group in diff.grouped_ops(1) {
                    let _ = writeln!(s, "    @@");
                    for op in group {
                        for change in diff.iter_changes(&op) {
                            let sign = match change.tag() {
                                similar::ChangeTag::Delete => '-',
                                similar::ChangeTag::Insert => '+',
                                similar::ChangeTag::Equal => ' ',
                            };
                            let _ = writeln!(s, "    {sign} {}", change.value().trim_end());
                        }
                    }
                }
            }
        }
    }
    s
}
