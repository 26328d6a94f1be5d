//! `regula test`: the test cases kept beside the policies, as snapshots.
//!
//! The tests are found, run, compared and written by the library
//! ([`crate::suite`]); this file holds only what is the command line's own:
//! its arguments, the terminal review, and watching files.
use super::errln;
use super::{load_program, print, Exit, Out, PolicyArgs};
use crate::diag::{Diag, Problem};
use crate::source::SourceMap;
use crate::suite::{self, Discovery, Options, Status, Test, TestResult};
use crate::Engine;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;

/// Output formats of `regula test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TestFormat {
    /// For a person: `ok`/`FAIL` per test, what differs, a summary.
    #[default]
    Human,
    /// One JSON object: every test with its status, mismatches and pending files.
    Json,
    /// JUnit XML for CI systems: one `testcase` per test.
    Junit,
}

/// Arguments of `regula test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test cases or folders of them; default: the `tests/` folders of the policy set.
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,
    /// List the rules, conditions and exceptions the tests leave unexercised.
    #[arg(long)]
    coverage: bool,
    /// Only the tests whose name (the case file's path) matches this regular expression.
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    run: Option<regex::Regex>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
    /// Evaluate every test on this date (YYYY-MM-DD) instead of its `as_of`.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<NaiveDate>,
    /// Also pin each test's derivation trees (`NAME.derivation.txt`).
    #[arg(long)]
    with_derivations: bool,
    /// Review each pending snapshot on the terminal: accept, reject or skip.
    #[arg(long, conflicts_with_all = ["accept", "reject", "no_write", "watch", "format"])]
    review: bool,
    /// Accept every pending snapshot.
    #[arg(long, conflicts_with_all = ["reject", "no_write", "watch"])]
    accept: bool,
    /// Reject (delete) every pending snapshot.
    #[arg(long, conflicts_with_all = ["no_write", "watch"])]
    reject: bool,
    /// Write nothing: pending snapshots fail the run (the default when `CI` is set).
    #[arg(long)]
    no_write: bool,
    /// Re-run the affected tests whenever a policy or test file changes.
    #[arg(long, conflicts_with = "format")]
    watch: bool,
    #[command(flatten)]
    pub(super) policies: PolicyArgs,
}

fn parse_regex(s: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(s).map_err(|e| e.to_string())
}

fn parse_at(s: &str) -> Result<NaiveDate, String> {
    crate::case::parse_date(s).map_err(|e| e.to_string())
}

/// Whether the environment says this is a CI run (`CI` set, and not to
/// `false` or `0`).
fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Loads the policy set; on errors prints them and returns None.
fn load_engine(a: &TestArgs, out: &Out) -> Option<Engine> {
    load_program(&a.policies, out).map(|p| Engine::from_program(p, Vec::new()))
}

/// The tests the arguments name.
fn discover(a: &TestArgs) -> Discovery {
    let mut found = if !a.paths.is_empty() {
        suite::discover(&a.paths)
    } else if a.policies.policies.is_empty() {
        suite::discover_embedded()
    } else {
        suite::discover_in_policies(&a.policies.policies)
    };
    if let Some(re) = &a.run {
        found.tests.retain(|t| re.is_match(&t.name));
    }
    found
}

/// Why nothing may be written, if so.
fn no_write_reason(a: &TestArgs, tests: &[Test]) -> Option<&'static str> {
    if a.no_write {
        Some("--no-write")
    } else if in_ci() {
        Some("CI is set")
    } else if tests.iter().any(Test::is_embedded) {
        Some("the embedded tests are read-only; pass --policies DIR to write them")
    } else {
        None
    }
}

/// One run: every test, its pending snapshots written (or refused).
struct Run {
    tests: Vec<Test>,
    results: Vec<TestResult>,
    written: Vec<Vec<String>>,
    write_errors: Vec<Diag>,
}

fn run_all(
    engine: &Engine,
    a: &TestArgs,
    tests: Vec<Test>,
    cov: Option<&mut suite::Coverage>,
) -> Run {
    let opts = Options {
        at: a.at,
        with_derivations: a.with_derivations,
    };
    let refused = no_write_reason(a, &tests);
    let mut cov = cov;
    let mut run = Run {
        results: Vec::with_capacity(tests.len()),
        written: Vec::with_capacity(tests.len()),
        write_errors: Vec::new(),
        tests: Vec::new(),
    };
    for t in &tests {
        let mut r = suite::run(engine, t, &opts, cov.as_deref_mut());
        let mut written = Vec::new();
        if refused.is_none() {
            match suite::write_pending(t, &r) {
                Ok(w) => written = w,
                Err(e) => run.write_errors.push(Diag::of(Problem::SnapshotWrite {
                    reason: e.to_string(),
                })),
            }
        } else if r.status == Status::Passed {
            for f in t.pending_files() {
                r.status = Status::Error;
                r.problems.push(suite::Problem::new(
                    &f,
                    crate::diag::TestProblem::PendingBesidePassing,
                ));
            }
        }
        run.results.push(r);
        run.written.push(written);
    }
    run.tests = tests;
    run
}

/// Runs `regula test`.
pub fn run(a: TestArgs, out: &Out) -> Exit {
    if in_ci() && (a.accept || a.reject || a.review) {
        let flag = if a.accept {
            "--accept"
        } else if a.reject {
            "--reject"
        } else {
            "--review"
        };
        let d = Diag::of(Problem::SnapshotsInCi {
            flag: flag.to_string(),
        });
        out.diags(&[d], &SourceMap::default());
        return Exit::Finding;
    }
    let Some(engine) = load_engine(&a, out) else {
        return Exit::Finding;
    };
    if a.watch {
        return watch(a, engine, out);
    }
    let found = discover(&a);
    let problems: Vec<Diag> = found.problems.iter().map(suite::Problem::to_diag).collect();
    out.diags(&problems, &SourceMap::default());
    if found.tests.is_empty() {
        if problems.is_empty() {
            no_tests(&a, out);
        }
        return Exit::Finding;
    }
    let mut cov = suite::Coverage::default();
    let refused = no_write_reason(&a, &found.tests);
    let run = run_all(&engine, &a, found.tests, a.coverage.then_some(&mut cov));
    out.diags(&run.write_errors, &SourceMap::default());
    let pairs: Vec<(&TestResult, &[String])> = run
        .results
        .iter()
        .zip(&run.written)
        .map(|(r, w)| (r, w.as_slice()))
        .collect();
    let summary = suite::Summary::of(&run.results);
    match a.format {
        TestFormat::Json => print(&suite::json(&pairs)),
        TestFormat::Junit => print(&suite::junit(&pairs)),
        TestFormat::Human => {
            let mut text = String::new();
            for (r, w) in &pairs {
                text.push_str(&suite::human(r, w));
            }
            text.push('\n');
            text.push_str(&suite::summary_line(&summary));
            text.push('\n');
            if a.coverage {
                text.push_str(&cov.report(engine.program()));
            }
            print(&text);
        }
    }
    if summary.pending > 0 {
        if let Some(why) = refused {
            errln!(
                "error: {} pending snapshot{} not written ({why})",
                summary.pending,
                if summary.pending == 1 { "" } else { "s" }
            );
        }
    }
    // What remains failed once the pending snapshots are resolved.
    let mut still_failed = summary.failed;
    if refused.is_none() && (a.accept || a.reject || a.review) {
        // What was done goes after the report; on standard error when the
        // report is for a program, so that it stays one document.
        let say = |text: &str| {
            if a.format == TestFormat::Human {
                print(text);
            } else {
                errln!("{}", text.trim_end());
            }
        };
        let mut stdin = std::io::stdin().lock();
        let mut counts = [0usize; 3];
        for ((t, r), written) in run.tests.iter().zip(&run.results).zip(&run.written) {
            // Only the snapshots this run wrote (a write that failed was
            // reported above and leaves nothing to accept).
            if written.is_empty() {
                continue;
            }
            let choice = if a.accept {
                Choice::Accept
            } else if a.reject {
                Choice::Reject
            } else {
                ask(r, &mut stdin)
            };
            let done = match choice {
                Choice::Accept => suite::accept(t),
                Choice::Reject => suite::reject(t),
                Choice::Skip => Ok(Vec::new()),
            };
            match done {
                Ok(files) => {
                    let verb = match choice {
                        Choice::Accept => {
                            still_failed = still_failed.saturating_sub(1);
                            counts[0] += 1;
                            "accepted"
                        }
                        Choice::Reject => {
                            counts[1] += 1;
                            "rejected"
                        }
                        Choice::Skip => {
                            counts[2] += 1;
                            "skipped"
                        }
                    };
                    if files.is_empty() {
                        say(&format!("{verb}: {}\n", r.name));
                    }
                    for f in files {
                        say(&format!("{verb}: {f}\n"));
                    }
                }
                Err(e) => out.diags(
                    &[Diag::of(Problem::SnapshotWrite {
                        reason: e.to_string(),
                    })],
                    &SourceMap::default(),
                ),
            }
        }
        say(&format!(
            "{} accepted, {} rejected, {} skipped\n",
            counts[0], counts[1], counts[2]
        ));
    }
    if still_failed > 0 {
        errln!(
            "error: {still_failed} test{} failed",
            if still_failed == 1 { "" } else { "s" }
        );
    }
    if still_failed > 0 || !problems.is_empty() || !run.write_errors.is_empty() {
        Exit::Finding
    } else {
        Exit::Ok
    }
}

fn no_tests(a: &TestArgs, out: &Out) {
    let d = match &a.run {
        Some(re) => Diag::of(Problem::NoTestMatches {
            pattern: re.to_string(),
        }),
        None => Diag::of(Problem::NoTests),
    };
    out.diags(&[d], &SourceMap::default());
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Choice {
    Accept,
    Reject,
    Skip,
}

/// Shows a pending snapshot and asks what to do with it; the end of input
/// skips.
fn ask(r: &TestResult, input: &mut impl BufRead) -> Choice {
    use std::io::IsTerminal;
    let echoed = std::io::stdin().is_terminal();
    print(&suite::review(r));
    loop {
        print("accept, reject or skip? [a/r/s] ");
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                print("\n");
                return Choice::Skip;
            }
            Ok(_) => {}
        }
        if !echoed {
            // Piped answers are not echoed by a terminal: show them, so
            // the transcript reads as the dialogue it was.
            print(&format!("{}\n", line.trim_end()));
        }
        match line.trim().to_lowercase().as_str() {
            "a" | "accept" | "y" | "yes" => return Choice::Accept,
            "r" | "reject" | "n" | "no" => return Choice::Reject,
            "s" | "skip" | "" => return Choice::Skip,
            other => print(&format!("`{other}`: answer a, r or s\n")),
        }
    }
}

/// Whether a changed path is one `regula test` writes itself (pending
/// snapshots, their temporary files), which must not trigger a run.
fn is_own_write(name: &str) -> bool {
    name.ends_with(suite::PENDING) || name.ends_with(".tmp")
}

/// The folder (canonical) and the stem of a test file, by which a changed
/// file finds its test.
fn test_key(file: &str) -> Option<(PathBuf, String)> {
    let path = std::path::Path::new(file);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let dir = std::fs::canonicalize(dir.unwrap_or(std::path::Path::new("."))).ok()?;
    let base = path.file_name()?.to_string_lossy().into_owned();
    let base = base.strip_suffix(suite::PENDING).unwrap_or(&base);
    let stem = base
        .strip_suffix(suite::EXPECTED)
        .or_else(|| base.strip_suffix(suite::DERIVATION))
        .or_else(|| base.rsplit_once('.').map(|(s, _)| s))?;
    Some((dir, stem.to_string()))
}

/// What the last run showed of a test.
struct Shown {
    block: String,
    passed: bool,
    pending: bool,
}

/// `--watch`: runs the tests, then re-runs the affected ones on every
/// change, printing only the tests whose result changed.
fn watch(a: TestArgs, engine: Engine, out: &Out) -> Exit {
    use notify::{RecursiveMode, Watcher};
    let mut roots: Vec<PathBuf> = a.policies.policies.clone();
    roots.extend(a.paths.iter().cloned());
    if roots.is_empty() {
        let d = Diag::of(Problem::WatchNeedsFiles);
        out.diags(&[d], &SourceMap::default());
        return Exit::Finding;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match notify::recommended_watcher(tx) {
        Ok(w) => w,
        Err(e) => {
            let d = Diag::of(Problem::WatchUnavailable {
                reason: e.to_string(),
            });
            out.diags(&[d], &SourceMap::default());
            return Exit::Finding;
        }
    };
    for r in &roots {
        if let Err(e) = watcher.watch(r, RecursiveMode::Recursive) {
            let d = Diag::of(Problem::WatchPath {
                path: r.to_string_lossy().to_string(),
                reason: e.to_string(),
            });
            out.diags(&[d], &SourceMap::default());
            return Exit::Finding;
        }
    }
    let mut engine = Some(engine);
    let mut shown: BTreeMap<String, Shown> = BTreeMap::new();
    // The tests to re-run (None: all).
    let mut only: Option<Vec<(PathBuf, String)>> = None;
    let mut first = true;
    loop {
        let mut text = String::new();
        if let Some(engine) = &engine {
            let found = discover(&a);
            let problems: Vec<Diag> = found.problems.iter().map(suite::Problem::to_diag).collect();
            out.diags(&problems, &SourceMap::default());
            let all_names: Vec<String> = found.tests.iter().map(|t| t.name.clone()).collect();
            let selected: Vec<Test> = found
                .tests
                .into_iter()
                .filter(|t| {
                    !shown.contains_key(&t.name)
                        || only
                            .as_ref()
                            .is_none_or(|o| test_key(&t.name).is_some_and(|k| o.contains(&k)))
                })
                .collect();
            let run = run_all(engine, &a, selected, None);
            out.diags(&run.write_errors, &SourceMap::default());
            let gone: Vec<String> = shown
                .keys()
                .filter(|n| !all_names.contains(n))
                .cloned()
                .collect();
            for name in gone {
                shown.remove(&name);
                text.push_str(&format!("gone  {name}\n"));
            }
            for (r, w) in run.results.iter().zip(&run.written) {
                let block = suite::human(r, w);
                if shown.get(&r.name).map(|s| &s.block) != Some(&block) {
                    text.push_str(&block);
                }
                shown.insert(
                    r.name.clone(),
                    Shown {
                        block,
                        passed: r.status == Status::Passed,
                        pending: r.is_pending(),
                    },
                );
            }
            let passed = shown.values().filter(|s| s.passed).count();
            let summary = suite::Summary {
                passed,
                failed: shown.len() - passed,
                pending: shown.values().filter(|s| s.pending).count(),
            };
            if text.is_empty() && !first {
                text.push_str("no test changed\n");
            }
            text.push('\n');
            text.push_str(&suite::summary_line(&summary));
            text.push('\n');
        }
        first = false;
        text.push_str("watching for changes…\n");
        print(&text);
        // Wait for a change of a file that is not one of our own pending
        // snapshots, then for the burst of events to settle.
        let mut names: Vec<String> = Vec::new();
        while names.is_empty() {
            let Ok(ev) = rx.recv() else {
                return Exit::Ok;
            };
            let mut changed: Vec<PathBuf> = Vec::new();
            let mut take = |ev: notify::Result<notify::Event>| {
                if let Ok(ev) = ev {
                    if !matches!(ev.kind, notify::EventKind::Access(_)) {
                        changed.extend(ev.paths);
                    }
                }
            };
            take(ev);
            while let Ok(ev) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
                take(ev);
            }
            names = changed
                .iter()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .filter(|n| !is_own_write(n))
                .collect();
        }
        let tests_only = names
            .iter()
            .all(|n| n.contains("/tests/") && !n.ends_with(".policy"));
        if tests_only && engine.is_some() {
            only = Some(names.iter().filter_map(|n| test_key(n)).collect());
        } else {
            only = None;
            shown.clear();
            first = true;
            engine = load_engine(&a, out);
            if engine.is_some() {
                print("policies changed: every test re-run\n");
            }
        }
    }
}
