//! `regula test` as snapshot tests for policy authors: pending snapshots,
//! review, accept and reject, CI refusal, derivation snapshots, selection,
//! JSON and JUnit output, revision review, watch mode and bad input. Every
//! run works on a scratch copy of the shipped policies, never on the
//! repository's own files.
use crate::common::{root, scratch_root, transcript};
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const TESTS: &str = "pol/hurenshegui-2023-32/tests";
const CHANGED: &str = "04-injury-no-branch-employment-ended";
const UNPINNED: &str = "04-no-injury";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A scratch folder holding a copy of the shipped policies as `pol/`.
fn fresh(name: &str) -> PathBuf {
    let dir = scratch_root().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("policies"), &dir.join("pol"));
    dir
}

/// The same, with one pinned answer changed and one test's expectations
/// removed: two pending snapshots to come.
fn fresh_with_changes(name: &str) -> PathBuf {
    let dir = fresh(name);
    let tests = dir.join(TESTS);
    let file = tests.join(format!("{CHANGED}.expected.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\"host\""));
    std::fs::write(&file, text.replacen("\"host\"", "\"agency\"", 1)).unwrap();
    std::fs::remove_file(tests.join(format!("{UNPINNED}.expected.json"))).unwrap();
    dir
}

/// Runs regula in `dir` outside CI (unless `env` says otherwise), with
/// `stdin` as its standard input.
fn regula_env(dir: &Path, args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_regula"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CI")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run regula");
    let mut input = child.stdin.take().unwrap();
    // A run that reads no answers may have ended before they are written.
    if let Err(e) = input.write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn regula_at(dir: &Path, args: &[&str]) -> Output {
    regula_env(dir, args, &[], "")
}

/// The files under `dir` whose names end with `suffix`, relative, sorted.
fn files_ending(dir: &Path, suffix: &str) -> Vec<String> {
    fn go(base: &Path, d: &Path, suffix: &str, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                go(base, &p, suffix, out);
            } else if p.to_string_lossy().ends_with(suffix) {
                out.push(
                    p.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
        }
    }
    let mut out = Vec::new();
    go(dir, dir, suffix, &mut out);
    out.sort();
    out
}

fn pending(dir: &Path) -> Vec<String> {
    files_ending(dir, ".new")
}

/// A transcript without the derivation trees of failures (the tooling
/// tests pin those), so that the snapshots show what each mode does.
fn short(out: &Output) -> String {
    let t = transcript(out);
    let mut kept = Vec::new();
    let mut in_tree = false;
    for line in t.lines() {
        if line == "  derivation:" {
            in_tree = true;
            kept.push("  derivation: …");
            continue;
        }
        if in_tree && (line.starts_with("    ") || line.is_empty()) {
            continue;
        }
        in_tree = false;
        kept.push(line);
    }
    kept.join("\n") + "\n"
}

#[test]
fn pending_snapshots_are_written_for_new_and_changed_tests() {
    let dir = fresh_with_changes("suite-pending");
    let out = regula_at(&dir, &["test", "--policies", "pol"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_pending_written", short(&out));
    assert_eq!(
        pending(&dir),
        vec![
            format!("{TESTS}/{CHANGED}.expected.json.new"),
            format!("{TESTS}/{UNPINNED}.expected.json.new"),
        ]
    );
    // The changed test's snapshot keeps its pinned outcomes, with the
    // current answer where it changed; the new test's pins every outcome.
    let changed =
        std::fs::read_to_string(dir.join(TESTS).join(format!("{CHANGED}.expected.json.new")))
            .unwrap();
    let original = std::fs::read_to_string(
        root()
            .join("policies/hurenshegui-2023-32/tests")
            .join(format!("{CHANGED}.expected.json")),
    )
    .unwrap();
    assert_eq!(changed, original, "the snapshot restores the true answer");
    let new = std::fs::read_to_string(
        dir.join(TESTS)
            .join(format!("{UNPINNED}.expected.json.new")),
    )
    .unwrap();
    insta::assert_snapshot!("suite_pending_new_test", new);
    // A second run writes the same files again, and touches nothing else.
    let before = files_ending(&dir, "");
    let again = regula_at(&dir, &["test", "--policies", "pol"]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(files_ending(&dir, ""), before);
}

#[test]
fn pending_snapshots_are_the_format_check_cases_reads() {
    let dir = fresh_with_changes("suite-check-cases");
    let _ = regula_at(&dir, &["test", "--policies", "pol"]);
    let tool = root().join("../shared/tools/check-cases");
    if !tool.is_file() {
        return;
    }
    // check-cases reads NAME.expected.json beside NAME.json: accept first.
    let accepted = regula_at(&dir, &["test", "--policies", "pol", "--accept"]);
    assert_eq!(accepted.status.code(), Some(0), "{}", transcript(&accepted));
    // check-cases runs `CMD eval --format json CASE`: the policies follow.
    std::fs::write(
        dir.join("regula.sh"),
        format!(
            "#!/bin/sh\nexec '{}' \"$@\" --policies pol\n",
            env!("CARGO_BIN_EXE_regula")
        ),
    )
    .unwrap();
    let out = Command::new("python3")
        .arg(&tool)
        .arg("--regula")
        .arg("sh regula.sh")
        .arg(TESTS)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.ends_with("21 passed, 0 failed\n"),
        "{stdout}"
    );
}

#[test]
fn accept_replaces_the_expectations_and_the_tests_pass() {
    let dir = fresh_with_changes("suite-accept");
    let out = regula_at(&dir, &["test", "--policies", "pol", "--accept"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("suite_accept", short(&out));
    assert!(pending(&dir).is_empty());
    let again = regula_at(&dir, &["test", "--policies", "pol"]);
    assert_eq!(again.status.code(), Some(0));
    // 21 tests of the Shanghai opinions, 54 of the national rules.
    assert!(String::from_utf8_lossy(&again.stdout).ends_with("\n75 passed, 0 failed\n"));
}

#[test]
fn reject_deletes_the_pending_snapshots_only() {
    let dir = fresh_with_changes("suite-reject");
    let expected = dir.join(TESTS).join(format!("{CHANGED}.expected.json"));
    let before = std::fs::read_to_string(&expected).unwrap();
    let out = regula_at(&dir, &["test", "--policies", "pol", "--reject"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_reject", short(&out));
    assert!(pending(&dir).is_empty());
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), before);
}

#[test]
fn review_asks_for_each_pending_snapshot() {
    let dir = fresh_with_changes("suite-review");
    // An unclear answer is asked again; the first snapshot is accepted; the
    // end of input skips the second.
    let out = regula_env(
        &dir,
        &["test", "--policies", "pol", "--review"],
        &[],
        "x\na\n",
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_review", short(&out));
    assert_eq!(
        pending(&dir),
        vec![format!("{TESTS}/{UNPINNED}.expected.json.new")]
    );
    // Reviewing again: rejected.
    let out = regula_env(&dir, &["test", "--policies", "pol", "--review"], &[], "r\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(pending(&dir).is_empty());
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 accepted, 1 rejected, 0 skipped"));
}

#[test]
fn ci_and_no_write_refuse_to_write() {
    let dir = fresh_with_changes("suite-ci");
    let ci = regula_env(&dir, &["test", "--policies", "pol"], &[("CI", "true")], "");
    assert_eq!(ci.status.code(), Some(1));
    assert!(pending(&dir).is_empty());
    insta::assert_snapshot!("suite_ci", short(&ci));
    let no_write = regula_at(&dir, &["test", "--policies", "pol", "--no-write"]);
    assert_eq!(no_write.status.code(), Some(1));
    assert!(pending(&dir).is_empty());
    let accept = regula_env(
        &dir,
        &["test", "--policies", "pol", "--accept"],
        &[("CI", "1")],
        "",
    );
    assert_eq!(accept.status.code(), Some(1));
    assert!(pending(&dir).is_empty());
    insta::assert_snapshot!("suite_ci_accept", transcript(&accept));
    // A pending snapshot left beside a passing test fails a CI run.
    let dir = fresh("suite-ci-stale");
    let stale = dir.join(TESTS).join("05-shanghai-agency.expected.json.new");
    std::fs::write(&stale, "{}").unwrap();
    let out = regula_env(&dir, &["test", "--policies", "pol"], &[("CI", "true")], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(stale.is_file(), "CI deletes nothing");
    insta::assert_snapshot!("suite_ci_stale", short(&out));
    // Outside CI the run removes it, as the test passes.
    let out = regula_at(&dir, &["test", "--policies", "pol"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stale.exists());
}

#[test]
fn derivation_snapshots_pin_why() {
    let dir = fresh("suite-derivations");
    let only = ["--run", "04-injury-branch-returned"];
    let out = regula_at(
        &dir,
        &[
            "test",
            "--policies",
            "pol",
            only[0],
            only[1],
            "--with-derivations",
            "--accept",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    insta::assert_snapshot!("suite_derivations_accept", short(&out));
    let pinned = dir
        .join(TESTS)
        .join("04-injury-branch-returned.derivation.txt");
    let text = std::fs::read_to_string(&pinned).unwrap();
    assert!(text.contains("决定规则：4.4 agency_joint_liability"));
    // Renaming a rule changes no answer, only why: the derivation fails.
    let policy = dir.join("pol/hurenshegui-2023-32/04-work-injury.policy");
    let p = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        p.replace("rule agency_joint_liability", "rule joint_liability"),
    )
    .unwrap();
    let out = regula_env(
        &dir,
        &["test", "--policies", "pol", only[0], only[1], "--review"],
        &[],
        "s\n",
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_derivations_review", short(&out));
    assert_eq!(
        pending(&dir),
        vec![format!(
            "{TESTS}/04-injury-branch-returned.derivation.txt.new"
        )]
    );
}

#[test]
fn run_selects_tests_by_name() {
    let dir = fresh_with_changes("suite-run");
    let out = regula_at(
        &dir,
        &["test", "--policies", "pol", "--run", "0[56]-", "--no-write"],
    );
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("suite_run_selected", short(&out));
    let none = regula_at(&dir, &["test", "--policies", "pol", "--run", "^nothing$"]);
    assert_eq!(none.status.code(), Some(1));
    insta::assert_snapshot!("suite_run_none", transcript(&none));
    let bad = regula_at(&dir, &["test", "--policies", "pol", "--run", "(unclosed"]);
    assert_eq!(bad.status.code(), Some(2));
    insta::assert_snapshot!("suite_run_bad_regex", transcript(&bad));
}

#[test]
fn json_format_lists_every_test() {
    let dir = fresh_with_changes("suite-json");
    let out = regula_at(
        &dir,
        &[
            "test",
            "--policies",
            "pol",
            "--format",
            "json",
            "--run",
            "hurenshegui-2023-32/tests/04-",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tests"].as_array().unwrap().len(), 4);
    assert_eq!(
        (
            v["passed"].clone(),
            v["failed"].clone(),
            v["pending"].clone()
        ),
        (2.into(), 2.into(), 2.into())
    );
    insta::assert_snapshot!("suite_json", transcript(&out));
}

#[test]
fn junit_is_valid_xml_with_one_testcase_per_test() {
    let dir = fresh_with_changes("suite-junit");
    let out = regula_at(
        &dir,
        &[
            "test",
            "--policies",
            "pol",
            "--format",
            "junit",
            "--no-write",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = String::from_utf8(out.stdout.clone()).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("tests"), Some("75"));
    assert_eq!(suites.attribute("failures"), Some("2"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 75);
    let failed: Vec<_> = cases
        .iter()
        .filter_map(|c| {
            let f = c.children().find(|n| n.has_tag_name("failure"))?;
            Some((c.attribute("name")?, f.text().unwrap_or("").to_string()))
        })
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(failed[0].0, format!("{CHANGED}.json"));
    assert!(failed[0]
        .1
        .contains("injury.applicant: expected \"agency\", got \"host\""));
    assert_eq!(failed[1].0, format!("{UNPINNED}.json"));
    insta::assert_snapshot!("suite_junit", short(&out));
}

#[test]
fn a_revision_yields_exactly_the_pending_snapshots_of_the_answers_it_changes() {
    let dir = fresh("suite-revision");
    copy_dir(
        &root().join("tests/fixtures/revisions/amendment"),
        &dir.join("amend"),
    );
    let at = ["--at", "2026-07-01", "--no-write", "--format", "json"];
    let failing = |args: &[&str]| -> Vec<(String, serde_json::Value)> {
        let out = regula_at(&dir, args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["tests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] != "passed")
            .map(|t| {
                // What changes, not why: the rules' citations name their
                // document once there are two.
                let mut changes = t["changes"].clone();
                for c in changes.as_array_mut().unwrap() {
                    c.as_object_mut().unwrap().remove("because");
                }
                (t["name"].as_str().unwrap().to_string(), changes)
            })
            .collect()
    };
    // On that date the shipped policies alone already change one test (its
    // case's document is in force then, not on its own date) …
    let mut old = vec!["test", "--policies", "pol"];
    old.extend(at);
    let before = failing(&old);
    // … and the amendment changes exactly one pinned answer more, in the
    // Shanghai test of 5.2; the national test that pins the same answer on
    // the same facts (its day-before-the-national-rules case, moved to
    // that date) changes with it, and only in that answer.
    let mut new = vec!["test", "--policies", "pol", "--policies", "amend"];
    new.extend(at);
    let after = failing(&new);
    let added: Vec<_> = after.iter().filter(|t| !before.contains(t)).collect();
    assert_eq!(added.len(), 2, "{after:?}");
    assert_eq!(
        added[0].0,
        format!("{TESTS}/05-out-of-town-agency-with-branch.json")
    );
    assert_eq!(
        added[1].0,
        "pol/paiqian-zanxing-guiding-2014/tests/00-shanghai-last-day.json"
    );
    for (_, changes) in &added {
        let changes: Vec<_> = changes
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["outcome"] != "departures")
            .collect();
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0]["outcome"], "social_insurance.payer");
        assert_eq!(changes[0]["old"]["value"], "agency_branch");
        assert_eq!(changes[0]["new"]["value"], "host");
    }
    // `regula diff` names the same change (and one in an outcome that test
    // does not pin).
    let diff = regula_at(
        &dir,
        &[
            "diff",
            "--from",
            "pol",
            "--to",
            "pol",
            "--to",
            "amend",
            "--at",
            "2026-07-01",
            TESTS,
        ],
    );
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(diff.contains("05-out-of-town-agency-with-branch.json (as of 2026-07-01)\n  social_insurance.payer: agency_branch → host"));
    // The author's view: the pending snapshot, as the review shows it.
    let mut review = vec![
        "test",
        "--policies",
        "pol",
        "--policies",
        "amend",
        "--at",
        "2026-07-01",
        "--run",
        "05-out-of-town",
        "--review",
    ];
    review.retain(|a| !a.is_empty());
    let out = regula_env(&dir, &review, &[], "a\n");
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("suite_revision_review", short(&out));
}

/// Reads a child's stdout up to (and with) the next line holding `marker`.
fn read_until(rx: &std::sync::mpsc::Receiver<String>, marker: &str) -> String {
    let mut text = String::new();
    loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no `{marker}` in time; got:\n{text}"));
        text.push_str(&line);
        text.push('\n');
        if line.contains(marker) {
            return text;
        }
    }
}

#[test]
fn watch_reruns_the_changed_test_and_prints_only_what_changed() {
    let dir = fresh("suite-watch");
    let mut child = Command::new(env!("CARGO_BIN_EXE_regula"))
        .args(["test", "--watch", "--policies", "pol", "--no-write"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap_or_default()).is_err() {
                break;
            }
        }
    });
    let first = read_until(&rx, "watching for changes");
    assert!(first.contains("\n75 passed, 0 failed\n"), "{first}");
    // Change one pinned answer: only that test is shown again.
    let file = dir.join(TESTS).join(format!("{CHANGED}.expected.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("\"host\"", "\"agency\"", 1)).unwrap();
    let second = read_until(&rx, "watching for changes");
    // Restore it: the test passes again.
    std::fs::write(&file, text).unwrap();
    let third = read_until(&rx, "watching for changes");
    // A policy change re-runs every test, and prints them all.
    let policy = dir.join("pol/hurenshegui-2023-32/06-wage-arrears.policy");
    let p = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(&policy, format!("{p}\n")).unwrap();
    let fourth = read_until(&rx, "watching for changes");
    let _ = child.kill();
    let _ = child.wait();
    let strip = |s: &str| {
        short(&Output {
            status: std::process::ExitStatus::default(),
            stdout: s.as_bytes().to_vec(),
            stderr: Vec::new(),
        })
    };
    insta::assert_snapshot!("suite_watch_changed", strip(&second));
    insta::assert_snapshot!("suite_watch_restored", strip(&third));
    assert!(fourth.contains("policies changed: every test re-run"));
    assert!(fourth.contains("\n75 passed, 0 failed\n"), "{fourth}");
}

/// Invalid expectation files, one per test: each is an error naming the
/// file and the path in it, with a suggestion where a name is close.
#[test]
fn expectation_files_are_validated_like_cases() {
    let dir = scratch_root().join("suite-strict");
    let _ = std::fs::remove_dir_all(&dir);
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).unwrap();
    let case = std::fs::read_to_string(
        root().join("policies/hurenshegui-2023-32/tests/04-injury-branch-returned.json"),
    )
    .unwrap();
    let bad = [
        (
            "a-date-not-an-object",
            r#"{"licence.continue_until": "2030-01-01"}"#,
        ),
        (
            "b-misspelt-key",
            r#"{"injury.applicant": {"valeu": "host"}}"#,
        ),
        ("c-number-not-an-object", r#"{"injury.applicant": 42}"#),
        (
            "d-misspelt-outcome",
            r#"{"injury.aplicant": {"value": "host"}}"#,
        ),
        (
            "e-misspelt-value",
            r#"{"injury.applicant": {"value": "hots"}}"#,
        ),
        (
            "f-chinese-label",
            r#"{"injury.applicant": {"value": "本市用工单位"}}"#,
        ),
        (
            "g-wrong-type",
            r#"{"injury.agency_jointly_liable": {"value": "yes"}}"#,
        ),
        (
            "h-bad-date",
            r#"{"licence.continue_until": {"value": "2030-02-30"}}"#,
        ),
        (
            "i-unknown-paragraph",
            r#"{"injury.applicant": {"value": "agency_branch", "cites": "4.9"}}"#,
        ),
        (
            "j-missing-with-value",
            r#"{"injury.applicant": {"value": "host", "missing": true}}"#,
        ),
        (
            "k-duplicate-key",
            r#"{"injury.applicant": {"value": "host"}, "injury.applicant": {"value": "agency"}}"#,
        ),
        (
            "l-departures-shape",
            r#"{"departures": [["injury.applicant"], "x", ["injury.aplicant", "national.x"]]}"#,
        ),
        ("m-empty", "{}"),
        ("n-not-json", "{\"injury.applicant\": "),
        ("o-array", "[]"),
        ("p-no-value", r#"{"injury.applicant": {"cites": "4.1"}}"#),
        (
            "q-cites-without-value",
            r#"{"injury.applicant": {"value": null, "cites": "4.1"}}"#,
        ),
        ("r-number-for-bool", r#"{"in_force": {"value": 1}}"#),
    ];
    for (name, text) in bad {
        std::fs::write(tests.join(format!("{name}.json")), &case).unwrap();
        std::fs::write(tests.join(format!("{name}.expected.json")), text).unwrap();
    }
    let out = regula_at(&dir, &["test", "tests"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(pending(&dir).is_empty(), "an invalid test gets no snapshot");
    insta::assert_snapshot!("suite_strict_expectations", transcript(&out));
}

#[test]
fn bad_input_is_named() {
    let dir = scratch_root().join("suite-bad-input");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::create_dir_all(dir.join("orphans/tests")).unwrap();
    std::fs::write(dir.join("orphans/tests/gone.expected.json"), "{}").unwrap();
    std::fs::write(dir.join("orphans/tests/left.expected.json.new"), "{}").unwrap();
    std::fs::write(dir.join("orphans/tests/no-date.json"), "{}").unwrap();
    std::fs::write(dir.join("orphans/tests/broken.json"), "{\"as_of\": ").unwrap();
    let out = regula_at(
        &dir,
        &["test", "--no-write", "empty", "orphans", "missing.json"],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_bad_input", transcript(&out));
    // A policy set without tests says so.
    let dir = fresh("suite-no-tests");
    for e in std::fs::read_dir(dir.join("pol")).unwrap() {
        let tests = e.unwrap().path().join("tests");
        if tests.is_dir() {
            std::fs::remove_dir_all(tests).unwrap();
        }
    }
    let out = regula_at(&dir, &["test", "--policies", "pol"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_no_tests", transcript(&out));
    // Watching needs files on disk, not the embedded policies.
    let out = regula_at(&dir, &["test", "--watch"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("suite_watch_embedded", transcript(&out));
}

/// Every expectation file in the repository and the shared acceptance
/// cases parses, and writing it back gives the same expectations.
#[test]
fn every_expectation_file_round_trips() {
    let engine = regula::Engine::embedded().unwrap();
    let mut files = files_ending(&root().join("policies"), ".expected.json")
        .into_iter()
        .map(|f| root().join("policies").join(f))
        .collect::<Vec<_>>();
    let shared = root().join("../shared/cases");
    if shared.is_dir() {
        files.extend(
            files_ending(&shared, ".expected.json")
                .into_iter()
                .map(|f| shared.join(f)),
        );
    }
    assert!(files.len() >= 21);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let parsed = regula::suite::expect::parse(engine.program(), &text)
            .unwrap_or_else(|e| panic!("{}: {e:?}", f.display()));
        let again = regula::suite::expect::parse(engine.program(), &parsed.to_text()).unwrap();
        assert_eq!(parsed, again, "{}", f.display());
    }
}
