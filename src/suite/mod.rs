//! Policy tests as snapshots: the cases kept beside the policies with their
//! expected outcomes, run on the one evaluator through the [`Engine`], for
//! every front-end (`regula test`, an editor, a server).
//!
//! A test is a case `NAME.json` (or `.yaml`, `.yml`, `.toml`) with its
//! expectations `NAME.expected.json` beside it ([`expect`] gives the format,
//! that of the shared acceptance cases). A test without expectations, or
//! whose results differ from them, fails and has its current results as a
//! pending snapshot, `NAME.expected.json.new`, for a person to review and
//! accept ([`accept`]) or reject ([`reject`]). Optionally each test also
//! pins its derivation trees as text, `NAME.derivation.txt`, so a reviewer
//! sees why an answer changed. Pending files are written atomically and
//! nothing else in the folder is touched.
//!
//! ```
//! # #[cfg(feature = "embedded")] {
//! use regula::{suite, Engine};
//!
//! let engine = Engine::embedded().expect("the shipped policies check");
//! let found = suite::discover_embedded();
//! let results: Vec<_> = found
//!     .tests
//!     .iter()
//!     .map(|t| suite::run(&engine, t, &suite::Options::default(), None))
//!     .collect();
//! assert!(results.iter().all(|r| r.status == suite::Status::Passed));
//! # }
//! ```
mod coverage;
pub mod expect;
mod output;

pub use coverage::Coverage;
pub use output::{human, json, junit, review, summary_line, Summary};

use crate::case::{CaseError, Format};
use crate::diag::{self, Diag, TestProblem};
use crate::engine::{Engine, Evaluation};
use crate::report::Detail;
use chrono::NaiveDate;
use expect::{Actual, Expect, Expected};
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The extensions of case files.
const CASE_EXTENSIONS: [&str; 4] = [".json", ".yaml", ".yml", ".toml"];
/// The suffix of expectation files.
pub const EXPECTED: &str = ".expected.json";
/// The suffix of derivation snapshots.
pub const DERIVATION: &str = ".derivation.txt";
/// The suffix of a pending snapshot, after the file it would replace.
pub const PENDING: &str = ".new";

/// One test: a case and where its snapshots are.
#[derive(Clone, Debug)]
pub struct Test {
    /// The case file's path as shown (`policies/doc/tests/NAME.json`).
    pub name: String,
    /// The path without the case's extension: the snapshots' stem.
    stem: String,
    source: Source,
}

#[derive(Clone, Debug)]
enum Source {
    Disk,
    /// Compiled into the binary, or given as text: read-only.
    Memory {
        case: String,
        expected: Option<String>,
        derivation: Option<String>,
    },
}

impl Test {
    /// A test of the case file at `path` (its snapshots beside it).
    pub fn on_disk(path: &Path) -> Option<Test> {
        let name = shown(path);
        let stem = case_stem(&name)?.to_string();
        Some(Test {
            name,
            stem,
            source: Source::Disk,
        })
    }
    /// A test given as text (an editor's buffers, say): read-only, its
    /// pending snapshots never written.
    pub fn in_memory(
        name: &str,
        case: &str,
        expected: Option<&str>,
        derivation: Option<&str>,
    ) -> Test {
        Test {
            name: name.to_string(),
            stem: case_stem(name).unwrap_or(name).to_string(),
            source: Source::Memory {
                case: case.to_string(),
                expected: expected.map(str::to_string),
                derivation: derivation.map(str::to_string),
            },
        }
    }
    /// Whether its files are compiled into the binary or given as text (and
    /// cannot be written).
    pub fn is_embedded(&self) -> bool {
        matches!(self.source, Source::Memory { .. })
    }
    /// `NAME.expected.json`.
    pub fn expected_path(&self) -> String {
        format!("{}{EXPECTED}", self.stem)
    }
    /// `NAME.derivation.txt`.
    pub fn derivation_path(&self) -> String {
        format!("{}{DERIVATION}", self.stem)
    }
    /// The pending snapshots that exist on disk now.
    pub fn pending_files(&self) -> Vec<String> {
        if self.is_embedded() {
            return Vec::new();
        }
        [self.expected_path(), self.derivation_path()]
            .into_iter()
            .map(|p| format!("{p}{PENDING}"))
            .filter(|p| Path::new(p).is_file())
            .collect()
    }
    /// The case, the expectations and the pinned derivations, as text.
    fn texts(&self) -> Result<(String, Option<String>, Option<String>), Problem> {
        match &self.source {
            Source::Memory {
                case,
                expected,
                derivation,
            } => Ok((case.clone(), expected.clone(), derivation.clone())),
            Source::Disk => {
                let case = read(&self.name)?;
                let expected = read_optional(&self.expected_path())?;
                let derivation = read_optional(&self.derivation_path())?;
                Ok((case, expected, derivation))
            }
        }
    }
}

/// One problem with a test's file: what is wrong, and where within the
/// file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestError {
    /// Dotted path of the offending key (empty for the whole file).
    pub path: String,
    /// What is wrong (boxed: a result carrying a file's error stays small).
    pub problem: Box<TestProblem>,
}

impl TestError {
    /// A problem at a key path.
    pub fn new(path: impl Into<String>, problem: impl Into<Box<TestProblem>>) -> Self {
        TestError {
            path: path.into(),
            problem: problem.into(),
        }
    }
    /// A problem of the whole file.
    pub fn whole(problem: TestProblem) -> Self {
        TestError::new(String::new(), problem)
    }
    /// What is wrong, in one line.
    pub fn message(&self) -> String {
        self.problem.message()
    }
    /// What to do.
    pub fn help(&self) -> Option<String> {
        self.problem.help()
    }
}

impl From<CaseError> for TestError {
    fn from(e: CaseError) -> Self {
        TestError::new(e.path, TestProblem::Case(*e.problem))
    }
}

impl fmt::Display for TestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message())
        } else {
            write!(f, "`{}`: {}", self.path, self.message())
        }
    }
}

impl std::error::Error for TestError {}

/// A problem with a test's files: the file and, within it, the path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The file, as shown.
    pub file: String,
    /// The problem (its `path` within the file, empty for the whole file).
    pub error: TestError,
}

impl Problem {
    /// A problem of a whole file.
    pub fn new(file: &str, problem: TestProblem) -> Problem {
        Problem {
            file: file.to_string(),
            error: TestError::whole(problem),
        }
    }
    /// One line: the file, the path, what is wrong.
    pub fn message(&self) -> String {
        diag::placed(&self.file, &self.error.path, &self.error.message())
    }
    /// As a diagnostic (`regula::bad-test`).
    pub fn to_diag(&self) -> Diag {
        Diag::of(diag::Problem::InvalidExpectation {
            file: self.file.clone(),
            path: self.error.path.clone(),
            problem: (*self.error.problem).clone(),
        })
    }
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// The stem of a case file's name, if it names a case.
fn case_stem(name: &str) -> Option<&str> {
    if name.ends_with(EXPECTED) {
        return None;
    }
    let lower = name.to_lowercase();
    CASE_EXTENSIONS
        .iter()
        .find(|x| lower.ends_with(*x))
        .and_then(|x| name.get(..name.len().checked_sub(x.len())?))
}

fn read(file: &str) -> Result<String, Problem> {
    crate::case::read_case_file(Path::new(file)).map_err(|e| Problem {
        file: file.to_string(),
        error: e.into(),
    })
}

fn read_optional(file: &str) -> Result<Option<String>, Problem> {
    match std::fs::symlink_metadata(file) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read(file).map(Some),
    }
}

/// The tests found, and the problems finding them.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// The tests, sorted by name.
    pub tests: Vec<Test>,
    /// Files that are not part of a test: expectations or pending snapshots
    /// without their case, paths that are not tests.
    pub problems: Vec<Problem>,
}

/// The tests compiled into the binary: the `tests/` folders of the
/// embedded policies.
#[cfg(feature = "embedded")]
pub fn discover_embedded() -> Discovery {
    let raw = crate::load::embedded();
    let mut found = Discovery::default();
    for (name, text) in &raw.others {
        if !name.contains("/tests/") {
            continue;
        }
        if let Some(stem) = case_stem(name) {
            let get = |suffix: &str| raw.others.get(&format!("{stem}{suffix}")).cloned();
            found.tests.push(Test {
                name: name.clone(),
                stem: stem.to_string(),
                source: Source::Memory {
                    case: text.clone(),
                    expected: get(EXPECTED),
                    derivation: get(DERIVATION),
                },
            });
        } else if let Some(stem) = name.strip_suffix(EXPECTED) {
            if !CASE_EXTENSIONS
                .iter()
                .any(|x| raw.others.contains_key(&format!("{stem}{x}")))
            {
                found.problems.push(orphan(name, stem));
            }
        }
    }
    found
}

fn orphan(file: &str, stem: &str) -> Problem {
    Problem::new(
        file,
        TestProblem::Orphan {
            stem: stem.to_string(),
        },
    )
}

/// The tests in the `tests/` folders under policy directories.
pub fn discover_in_policies(dirs: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for d in dirs {
        walk(d, true, 0, &mut found);
    }
    found.tests.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The tests the paths name: case files, expectation files, or folders
/// (every case below them).
pub fn discover(paths: &[PathBuf]) -> Discovery {
    let mut found = Discovery::default();
    for p in paths {
        let s = shown(p);
        if p.is_dir() {
            let before = found.tests.len();
            walk(p, false, 0, &mut found);
            if found.tests.len() == before {
                found
                    .problems
                    .push(Problem::new(&s, TestProblem::NoTestsInFolder));
            }
            continue;
        }
        let stem = s
            .strip_suffix(PENDING)
            .unwrap_or(&s)
            .strip_suffix(EXPECTED)
            .or_else(|| {
                s.strip_suffix(PENDING)
                    .and_then(|x| x.strip_suffix(DERIVATION))
            })
            .or_else(|| s.strip_suffix(DERIVATION));
        let case = match stem {
            Some(stem) => CASE_EXTENSIONS
                .iter()
                .map(|x| format!("{stem}{x}"))
                .find(|c| Path::new(c).is_file())
                .or_else(|| Some(format!("{stem}.json"))),
            None => case_stem(&s).map(|_| s.clone()),
        };
        match case.and_then(|c| Test::on_disk(Path::new(&c))) {
            Some(t) => found.tests.push(t),
            None => found.problems.push(Problem::new(&s, TestProblem::NotATest)),
        }
    }
    found.tests.sort_by(|a, b| a.name.cmp(&b.name));
    found.tests.dedup_by(|a, b| a.name == b.name);
    found
}

/// Tests under a directory: every case, or only those in `tests/` folders.
fn walk(dir: &Path, only_tests: bool, depth: usize, found: &mut Discovery) {
    if depth > crate::load::MAX_DEPTH {
        return;
    }
    let Some(entries) = crate::load::visible_entries(dir) else {
        return;
    };
    let in_tests = !only_tests || dir.file_name().is_some_and(|n| n == "tests");
    let names: Vec<String> = entries.iter().map(|p| shown(p)).collect();
    let has_case = |stem: &str| {
        CASE_EXTENSIONS
            .iter()
            .any(|x| names.iter().any(|n| *n == format!("{stem}{x}")))
    };
    for (p, name) in entries.iter().zip(&names) {
        if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()) {
            walk(p, only_tests, depth + 1, found);
            continue;
        }
        if !in_tests {
            continue;
        }
        if let Some(t) = Test::on_disk(p) {
            found.tests.push(t);
        } else if let Some(stem) = name.strip_suffix(EXPECTED) {
            if !has_case(stem) {
                found.problems.push(orphan(name, stem));
            }
        } else if let Some(stem) = name.strip_suffix(PENDING).and_then(|n| {
            n.strip_suffix(EXPECTED)
                .or_else(|| n.strip_suffix(DERIVATION))
        }) {
            if !has_case(stem) {
                found.problems.push(Problem::new(
                    name,
                    TestProblem::PendingOrphan {
                        stem: stem.to_string(),
                    },
                ));
            }
        }
    }
}

/// How tests run.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// The assessment date of every test, instead of each case's `as_of`
    /// (to see what a revision in force on that date changes).
    pub at: Option<NaiveDate>,
    /// Pin the derivation trees too: a test without `NAME.derivation.txt`
    /// gets one pending. (A derivation snapshot that exists is always
    /// compared.)
    pub with_derivations: bool,
}

/// The verdict of a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Its results are those expected.
    Passed,
    /// Its results differ from those expected.
    Failed,
    /// It has no expectations yet.
    New,
    /// Its files are invalid, or it could not be evaluated.
    Error,
}

/// An outcome whose pinned answer changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The outcome (or `in_force`, or `departures`).
    pub outcome: String,
    /// What the expectations say (None: not pinned).
    pub old: Option<Expect>,
    /// What the snapshot says now (None: no longer pinned).
    pub new: Option<Expect>,
    /// The rules that decide the new value: `4.2 applicant_host「…」`.
    pub because: Vec<String>,
}

/// An outcome that is not as expected.
#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    /// The outcome.
    pub outcome: String,
    /// What differs, one sentence each.
    pub messages: Vec<String>,
    /// Its derivation tree, in text.
    pub derivation: Option<String>,
}

/// What running one test found.
#[derive(Clone, Debug, PartialEq)]
pub struct TestResult {
    /// The test's name (its case file).
    pub name: String,
    /// The verdict.
    pub status: Status,
    /// The outcomes not as expected.
    pub mismatches: Vec<Mismatch>,
    /// Problems with the test's files or its evaluation.
    pub problems: Vec<Problem>,
    /// The pending expectation file's text, when it would change.
    pub pending_expected: Option<String>,
    /// The pending derivation snapshot's text, when it would change.
    pub pending_derivation: Option<String>,
    /// The pinned derivation snapshot, when there is one and it changes.
    pub old_derivation: Option<String>,
    /// The pinned answers the pending snapshot changes, for review.
    pub changes: Vec<Change>,
}

impl TestResult {
    fn new(t: &Test) -> TestResult {
        TestResult {
            name: t.name.clone(),
            status: Status::Passed,
            mismatches: Vec::new(),
            problems: Vec::new(),
            pending_expected: None,
            pending_derivation: None,
            old_derivation: None,
            changes: Vec::new(),
        }
    }
    fn error(t: &Test, p: Problem) -> TestResult {
        let mut r = TestResult::new(t);
        r.status = Status::Error;
        r.problems.push(p);
        r
    }
    /// Whether it has a pending snapshot to review.
    pub fn is_pending(&self) -> bool {
        self.pending_expected.is_some() || self.pending_derivation.is_some()
    }
}

/// Runs one test on an engine; with `coverage`, records what its rules did.
pub fn run(
    engine: &Engine,
    t: &Test,
    opts: &Options,
    coverage: Option<&mut Coverage>,
) -> TestResult {
    let (case_text, expected_text, derivation_text) = match t.texts() {
        Ok(x) => x,
        Err(p) => return TestResult::error(t, p),
    };
    let mut case = match engine.case_from_str(&case_text, Format::of(&t.name)) {
        Ok(c) => c,
        Err(errors) => {
            let mut r = TestResult::new(t);
            r.status = Status::Error;
            r.problems = errors
                .into_iter()
                .map(|error| Problem {
                    file: t.name.clone(),
                    error: error.into(),
                })
                .collect();
            return r;
        }
    };
    if let Some(at) = opts.at {
        case.as_of = Some(at);
    }
    if case.as_of.is_none() {
        return TestResult::error(
            t,
            Problem {
                file: t.name.clone(),
                error: CaseError::no_as_of().into(),
            },
        );
    }
    let ev = match engine.evaluate(&case) {
        Ok(ev) => ev,
        Err(e) => {
            return TestResult::error(
                t,
                Problem::new(&t.name, TestProblem::Evaluation { fault: e.message() }),
            )
        }
    };
    if let Some(c) = coverage {
        c.add(engine.program(), &ev);
    }
    let expected = match expected_text.as_deref() {
        None => None,
        Some(text) => match expect::parse(engine.program(), text) {
            Ok(e) => Some(e),
            Err(errors) => {
                let mut r = TestResult::new(t);
                r.status = Status::Error;
                let file = t.expected_path();
                r.problems = errors
                    .into_iter()
                    .map(|error| Problem {
                        file: file.clone(),
                        error,
                    })
                    .collect();
                return r;
            }
        },
    };
    judge(engine, t, opts, &ev, expected, derivation_text)
}

/// Compares an evaluation with a test's expectations and derivations.
fn judge(
    engine: &Engine,
    t: &Test,
    opts: &Options,
    ev: &Evaluation<'_>,
    expected: Option<Expected>,
    derivation_text: Option<String>,
) -> TestResult {
    let mut r = TestResult::new(t);
    let report = ev.json(Detail::Cites);
    let actual = |name: &str| {
        report
            .get("outcomes")
            .and_then(|o| o.get(name))
            .map(Actual::from_report)
    };
    let departures = expect::report_departures(&report);
    let has_departures = report.get(expect::DEPARTURES).is_some();
    // The snapshot: the pinned outcomes with their current answers, or, for
    // a new test, every outcome.
    let snapshot = match &expected {
        Some(exp) => {
            let mut snap = exp.clone();
            for (name, want) in &mut snap.outcomes {
                let got = actual(name);
                let messages = want.compare(name, got.as_ref());
                if messages.is_empty() {
                    continue;
                }
                r.mismatches.push(Mismatch {
                    outcome: name.clone(),
                    messages,
                    derivation: ev.explain(name),
                });
                if let Some(got) = got {
                    *want = got.to_expect();
                }
            }
            if let Some(want) = &mut snap.departures {
                let want_set: std::collections::BTreeSet<_> = want.iter().cloned().collect();
                if want_set != departures {
                    let list = |s: &std::collections::BTreeSet<(String, String)>| {
                        if s.is_empty() {
                            "none".to_string()
                        } else {
                            s.iter()
                                .map(|(a, b)| format!("{a} ≠ {b}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    };
                    r.mismatches.push(Mismatch {
                        outcome: expect::DEPARTURES.into(),
                        messages: vec![format!(
                            "{}: expected {}, got {}",
                            expect::DEPARTURES,
                            list(&want_set),
                            list(&departures)
                        )],
                        derivation: None,
                    });
                    *want = departures.iter().cloned().collect();
                }
            }
            snap
        }
        None => {
            let mut names = vec!["in_force".to_string()];
            let lines = engine.program().lines().iter().skip(1);
            names.extend(lines.map(|(n, _)| n.clone()));
            names.extend(engine.outcomes().map(|o| o.name.to_string()));
            Expected {
                outcomes: names
                    .into_iter()
                    .filter_map(|n| actual(&n).map(|a| (n, a.to_expect())))
                    .collect(),
                departures: has_departures.then(|| departures.iter().cloned().collect()),
            }
        }
    };
    if expected.is_none() || !r.mismatches.is_empty() {
        r.changes = changes(engine.program(), ev, expected.as_ref(), &snapshot);
        r.pending_expected = Some(snapshot.to_text());
    }
    if derivation_text.is_some() || opts.with_derivations {
        let now = derivations(ev, &snapshot);
        if derivation_text.as_deref() != Some(now.as_str()) {
            r.old_derivation = derivation_text;
            r.pending_derivation = Some(now);
        }
    }
    r.status = if expected.is_none() {
        Status::New
    } else if r.is_pending() {
        Status::Failed
    } else {
        Status::Passed
    };
    r
}

/// The derivation snapshot: the tree of every pinned outcome.
fn derivations(ev: &Evaluation<'_>, snap: &Expected) -> String {
    let trees: Vec<String> = snap
        .outcomes
        .iter()
        .filter_map(|(name, _)| ev.explain(name))
        .collect();
    trees.join("\n")
}

fn changes(
    p: &crate::program::Program,
    ev: &Evaluation<'_>,
    old: Option<&Expected>,
    new: &Expected,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (name, e) in &new.outcomes {
        let before = old.and_then(|o| o.get(name));
        if before == Some(e) {
            continue;
        }
        let because = ev
            .decided_by(name)
            .iter()
            .map(|r| {
                // With several documents, each rule says which it is from.
                let doc = if p.documents.len() > 1 {
                    format!("{} ", p.doc_id(r.document))
                } else {
                    String::new()
                };
                format!("{doc}{} {}「{}」", r.cites.key(), r.name, r.cites.quote)
            })
            .collect();
        out.push(Change {
            outcome: name.clone(),
            old: before.cloned(),
            new: Some(e.clone()),
            because,
        });
    }
    if let (Some(o), Some(n)) = (old.and_then(|o| o.departures.as_ref()), &new.departures) {
        if o != n {
            out.push(Change {
                outcome: expect::DEPARTURES.into(),
                old: None,
                new: None,
                because: n.iter().map(|(a, b)| format!("{a} ≠ {b}")).collect(),
            });
        }
    }
    out
}

/// Why a pending snapshot cannot be written or resolved.
#[derive(Debug)]
pub struct WriteError {
    /// The file.
    pub file: String,
    /// The operating system's reason.
    pub error: std::io::Error,
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot write `{}`: {}", self.file, self.error)
    }
}

impl std::error::Error for WriteError {}

/// Writes a file atomically: a temporary file beside it, renamed over it.
fn write_atomic(file: &str, text: &str) -> Result<(), WriteError> {
    let fail = |error| WriteError {
        file: file.to_string(),
        error,
    };
    let path = Path::new(file);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{base}.{}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(e));
    }
    Ok(())
}

fn remove_if_present(file: &str) -> Result<bool, WriteError> {
    match std::fs::remove_file(file) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(WriteError {
            file: file.to_string(),
            error,
        }),
    }
}

/// Writes a result's pending snapshots beside its test, and removes those
/// a passing test no longer needs; returns the files written.
pub fn write_pending(t: &Test, r: &TestResult) -> Result<Vec<String>, WriteError> {
    let mut written = Vec::new();
    if t.is_embedded() || r.status == Status::Error {
        return Ok(written);
    }
    for (file, text) in [
        (t.expected_path(), &r.pending_expected),
        (t.derivation_path(), &r.pending_derivation),
    ] {
        let pending = format!("{file}{PENDING}");
        match text {
            Some(text) => {
                write_atomic(&pending, text)?;
                written.push(pending);
            }
            None => {
                remove_if_present(&pending)?;
            }
        }
    }
    Ok(written)
}

/// Accepts a test's pending snapshots: each replaces the file it pends
/// for. Returns the files replaced.
pub fn accept(t: &Test) -> Result<Vec<String>, WriteError> {
    let mut done = Vec::new();
    for file in [t.expected_path(), t.derivation_path()] {
        let pending = format!("{file}{PENDING}");
        if !Path::new(&pending).is_file() {
            continue;
        }
        std::fs::rename(&pending, &file).map_err(|error| WriteError {
            file: file.clone(),
            error,
        })?;
        done.push(file);
    }
    Ok(done)
}

/// Rejects a test's pending snapshots: they are deleted. Returns the files
/// deleted.
pub fn reject(t: &Test) -> Result<Vec<String>, WriteError> {
    let mut done = Vec::new();
    for file in [t.expected_path(), t.derivation_path()] {
        let pending = format!("{file}{PENDING}");
        if remove_if_present(&pending)? {
            done.push(pending);
        }
    }
    Ok(done)
}
