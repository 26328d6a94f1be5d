//! `regula eval` and `regula explain`: the project's own cases (expectations
//! derived by hand from the case vocabulary and the regulation), snapshots of
//! their reports, the conflict fixture, bad case files and explain trees.
use crate::acceptance::check_dir;
use crate::common::{regula, rel, transcript};
use std::path::Path;

fn is_case(p: &Path) -> bool {
    let name = p.to_string_lossy();
    !name.ends_with(".expected.json")
        && [".json", ".yaml", ".toml"]
            .iter()
            .any(|e| name.ends_with(e))
}

#[test]
fn own_cases_pass() {
    let (n, errors) = check_dir("tests/cases/own");
    assert!(n >= 40, "at least forty own cases, found {n}");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    // YAML and TOML cases sit apart, as the shared check-cases tool runs JSON only.
    let (n, errors) = check_dir("tests/cases/own/formats");
    assert_eq!(n, 2, "a YAML and a TOML case");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// The national rules' boundary cases, their expectations computed by an
/// oracle independent of regula (`oracle.py`, from the national case
/// vocabulary's definitions).
#[test]
fn national_oracle_cases_pass() {
    let (n, errors) = check_dir("tests/cases/national-oracle");
    assert_eq!(n, 47, "the oracle writes 47 cases");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn own_case_reports() {
    insta::glob!("cases/own/*", report_snapshots);
    insta::glob!("cases/own/formats/*", report_snapshots);
}

fn report_snapshots(path: &Path) {
    {
        if !is_case(path) {
            return;
        }
        let case = rel(path);
        let json = regula(&["eval", "--format", "json", "--derivations", "cites", &case]);
        assert_eq!(json.status.code(), Some(0), "{}", transcript(&json));
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
        insta::assert_json_snapshot!("json", report);
        let text = regula(&["eval", &case]);
        assert_eq!(text.status.code(), Some(0), "{}", transcript(&text));
        insta::assert_snapshot!("text", String::from_utf8_lossy(&text.stdout));
    }
}

/// A run of the binary as a snapshot: the command, then its transcript.
fn run(args: &[&str]) -> String {
    format!("$ regula {}\n{}", args.join(" "), transcript(&regula(args)))
}

// ---------------------------------------------------------------- --at

#[test]
fn at_overrides_the_case_date() {
    // The example is assessed on 2025-03-01; --at moves it past 8.1's period.
    let out = regula(&[
        "eval",
        "--at",
        "2029-01-01",
        "examples/injury-out-of-town-no-branch.json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!(run(&[
        "eval",
        "--at",
        "2029-01-01",
        "examples/injury-out-of-town-no-branch.json"
    ]));
    let json = regula(&[
        "eval",
        "--at",
        "2028-12-31",
        "--format",
        "json",
        "--derivations",
        "cites",
        "examples/injury-out-of-town-no-branch.json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(report["as_of"], "2028-12-31");
    assert_eq!(report["outcomes"]["in_force"]["value"], true);
    assert_eq!(report["outcomes"]["injury.applicant"]["value"], "host");
}

#[test]
fn at_supplies_a_missing_case_date() {
    let out = regula(&[
        "eval",
        "--at",
        "2025-03-01",
        "--format",
        "json",
        "--derivations",
        "none",
        "tests/fixtures/cases-bad/missing-as-of.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report["outcomes"]["injury.agency_jointly_liable"]["value"],
        true
    );
}

#[test]
fn at_rejects_an_impossible_date() {
    insta::assert_snapshot!(run(&[
        "eval",
        "--at",
        "2025-02-29",
        "examples/injury-out-of-town-no-branch.json"
    ]));
}

#[test]
fn all_shows_outcomes_that_do_not_apply() {
    insta::assert_snapshot!(run(&[
        "eval",
        "--all",
        "examples/injury-out-of-town-no-branch.json"
    ]));
}

// ---------------------------------------------------------------- conflict

#[test]
fn conflict_is_reported_never_resolved() {
    let args = [
        "eval",
        "--policies",
        "tests/fixtures/conflict",
        "tests/fixtures/conflict/teacher.json",
    ];
    let out = regula(&args);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("conflict_text", run(&args));
    let json_args = [
        "eval",
        "--policies",
        "tests/fixtures/conflict",
        "--format",
        "json",
        "tests/fixtures/conflict/teacher.json",
    ];
    let out = regula(&json_args);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(
        report["outcomes"]["leave.paid_annual_leave"]["value"],
        serde_json::Value::Null
    );
    insta::assert_snapshot!("conflict_json", run(&json_args));
    // An outcome reading the conflicted one is unknown and says what blocks it.
    assert_eq!(
        report["outcomes"]["leave.plan_required"]["blocked_by"][0],
        "leave.paid_annual_leave"
    );
    insta::assert_snapshot!(
        "conflict_blocks_explain",
        run(&[
            "explain",
            "--policies",
            "tests/fixtures/conflict",
            "tests/fixtures/conflict/teacher.json",
            "leave.plan_required",
        ])
    );
    insta::assert_snapshot!(
        "conflict_explain",
        run(&[
            "explain",
            "--policies",
            "tests/fixtures/conflict",
            "tests/fixtures/conflict/teacher.json",
            "leave.paid_annual_leave",
        ])
    );
}

#[test]
fn without_overlap_the_fixture_decides() {
    let out = regula(&[
        "eval",
        "--policies",
        "tests/fixtures/conflict",
        "--format",
        "json",
        "tests/fixtures/conflict/clerk.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    assert_eq!(report["outcomes"]["leave.paid_annual_leave"]["value"], true);
    assert_eq!(
        report["outcomes"]["leave.paid_annual_leave"]["cites"][0],
        "1.1"
    );
}

// ---------------------------------------------------------------- bad cases

#[test]
fn bad_case_files_are_refused_with_a_message() {
    insta::glob!("fixtures/cases-bad/*.json", |path| {
        let case = rel(path);
        let out = regula(&["eval", &case]);
        assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
        assert!(
            out.stdout.is_empty(),
            "an invalid case is never partly evaluated"
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        for internal in [
            "panicked",
            "serde",
            "Error(",
            "unwrap",
            "RUST_BACKTRACE",
            "std::",
        ] {
            assert!(!stderr.contains(internal), "{internal} in {stderr}");
        }
        insta::assert_snapshot!(run(&["eval", &case]));
    });
}

#[test]
fn bad_cases_in_other_formats() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cases-bad");
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("bad.yaml"),
        "as_of: 2025-03-01\nagency:\n  licence_status: [valid\n",
    )
    .expect("write");
    std::fs::write(dir.join("bad.toml"), "as_of = 2025-03-01\n[agency\n").expect("write");
    std::fs::write(
        dir.join("typo.toml"),
        "as_of = 2025-03-01\n[outsourcing]\nnominal_from = \"none\"\n",
    )
    .expect("write");
    let mut all = String::new();
    for f in ["bad.yaml", "bad.toml", "typo.toml"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_regula"))
            .args(["eval", f])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("run regula");
        assert_eq!(out.status.code(), Some(1));
        all.push_str(&format!("$ regula eval {f}\n{}\n", transcript(&out)));
    }
    insta::assert_snapshot!(all.replace(env!("CARGO_TARGET_TMPDIR"), "[TMP]"));
}

#[test]
fn a_hundred_megabyte_case_is_refused_unread() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("huge");
    std::fs::create_dir_all(&dir).expect("temp dir");
    // A sparse file: 100 MB long, no disk used.
    let file = std::fs::File::create(dir.join("huge.json")).expect("create");
    file.set_len(100 << 20).expect("set length");
    drop(file);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_regula"))
        .args(["eval", "huge.json"])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run regula");
    assert_eq!(out.status.code(), Some(1));
    let shown = format!("$ regula eval huge.json\n{}", transcript(&out));
    insta::assert_snapshot!(shown.replace(env!("CARGO_TARGET_TMPDIR"), "[TMP]"));
}

#[test]
fn a_missing_case_file_is_named() {
    insta::assert_snapshot!(run(&["eval", "tests/fixtures/cases-bad/no-such-case.json"]));
}

#[test]
fn bom_and_crlf_simply_work() {
    let out = regula(&[
        "eval",
        "--format",
        "json",
        "--derivations",
        "none",
        "tests/cases/own/82-bom-crlf-wage-arrears.json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

// ---------------------------------------------------------------- explain

const EXAMPLE: &str = "examples/injury-out-of-town-no-branch.json";

fn explain_both(case: &str, outcome: &str) -> (String, String) {
    (
        run(&["explain", case, outcome]),
        run(&["explain", "--format", "json", case, outcome]),
    )
}

#[test]
fn explain_exception_winning() {
    let (t, j) = explain_both(EXAMPLE, "injury.applicant");
    insta::assert_snapshot!("explain_exception_text", t);
    insta::assert_snapshot!("explain_exception_json", j);
}

#[test]
fn explain_outcome_reading_another() {
    let (t, j) = explain_both(EXAMPLE, "injury.application_district");
    insta::assert_snapshot!("explain_reads_outcome_text", t);
    insta::assert_snapshot!("explain_reads_outcome_json", j);
}

#[test]
fn explain_decided() {
    let (t, j) = explain_both(EXAMPLE, "social_insurance.host_pays_first");
    insta::assert_snapshot!("explain_decided_text", t);
    insta::assert_snapshot!("explain_decided_json", j);
}

#[test]
fn explain_unknown_with_missing_facts() {
    let (t, j) = explain_both(EXAMPLE, "equal_pay.order_required");
    insta::assert_snapshot!("explain_unknown_text", t);
    insta::assert_snapshot!("explain_unknown_json", j);
}

#[test]
fn explain_not_applicable_with_why_not() {
    let (t, j) = explain_both(EXAMPLE, "injury.medical_subsidy_payer");
    insta::assert_snapshot!("explain_not_applicable_text", t);
    insta::assert_snapshot!("explain_not_applicable_json", j);
}

#[test]
fn explain_definition_call() {
    let (t, j) = explain_both(
        "tests/cases/own/24-equal-pay-rectified-day-late.json",
        "equal_pay.penalty_due",
    );
    insta::assert_snapshot!("explain_definition_text", t);
    insta::assert_snapshot!("explain_definition_json", j);
}

#[test]
fn explain_undetermined_exception_that_does_not_matter() {
    let (t, j) = explain_both(
        "tests/cases/own/63-wage-arrears-not-fund-case-count-unknown.json",
        "wage_arrears.advance_permitted",
    );
    insta::assert_snapshot!("explain_either_way_text", t);
    insta::assert_snapshot!("explain_either_way_json", j);
}

#[test]
fn explain_not_in_force() {
    let (t, j) = explain_both(
        "tests/cases/own/04-day-after-expiry.json",
        "wage_arrears.advance_permitted",
    );
    insta::assert_snapshot!("explain_not_in_force_text", t);
    insta::assert_snapshot!("explain_not_in_force_json", j);
    insta::assert_snapshot!(
        "explain_in_force_text",
        run(&[
            "explain",
            "tests/cases/own/04-day-after-expiry.json",
            "in_force"
        ])
    );
}

/// The JSON of a command that must succeed.
fn json_of(args: &[&str]) -> serde_json::Value {
    let out = regula(args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn explain_lists_the_departures_of_the_outcome() {
    // Both sides of a departing pair list it, as the report's entries do;
    // an outcome of no departing pair lists none.
    let report = json_of(&["eval", "--format", "json", EXAMPLE]);
    let all = report["departures"].as_array().expect("departures");
    assert!(!all.is_empty(), "the example departs");
    for outcome in ["injury.applicant", "national.injury_applicant"] {
        let j = json_of(&["explain", "--format", "json", EXAMPLE, outcome]);
        let want: Vec<&serde_json::Value> = all
            .iter()
            .filter(|d| d["outcome"] == outcome || d["superior_outcome"] == outcome)
            .collect();
        assert_eq!(want.len(), 1, "{outcome}");
        let got: Vec<&serde_json::Value> =
            j["departures"].as_array().expect("list").iter().collect();
        assert_eq!(got, want, "{outcome}");
    }
    let j = json_of(&[
        "explain",
        "--format",
        "json",
        EXAMPLE,
        "injury.application_district",
    ]);
    assert_eq!(j["departures"], serde_json::json!([]));
    let (t, j) = explain_both(EXAMPLE, "national.injury_applicant");
    insta::assert_snapshot!("explain_superior_departure_text", t);
    insta::assert_snapshot!("explain_superior_departure_json", j);
}

#[test]
fn explain_a_lines_own_in_force_outcome() {
    // In 2029 the national rules are in force and the Shanghai opinions are
    // not: each in-force outcome explains its own line.
    let case = "policies/paiqian-zanxing-guiding-2014/tests/00-in-2029.json";
    let national = json_of(&["explain", "--format", "json", case, "national.in_force"]);
    let shanghai = json_of(&["explain", "--format", "json", case, "in_force"]);
    assert_eq!(national["value"], serde_json::json!(true));
    assert_eq!(shanghai["value"], serde_json::json!(false));
    let report = json_of(&["eval", "--format", "json", "--derivations", "full", case]);
    assert_eq!(national, report["outcomes"]["national.in_force"]);
    assert_eq!(shanghai, report["outcomes"]["in_force"]);
    insta::assert_snapshot!(
        "explain_national_in_force_json",
        run(&["explain", "--format", "json", case, "national.in_force"])
    );
}

#[test]
fn explain_unknown_outcome_suggests() {
    insta::assert_snapshot!(run(&["explain", EXAMPLE, "injury.aplicant"]));
}

// ---------------------------------------------------------------- the contract

fn keys_and_statuses(
    v: &serde_json::Value,
    out: &mut std::collections::BTreeSet<String>,
    in_outcomes: bool,
) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                // Outcome names (under `outcomes` and `reads`) are data, not keys.
                if !in_outcomes {
                    out.insert(format!("`{k}`"));
                }
                if matches!(k.as_str(), "status" | "state" | "policies" | "op") {
                    if let Some(s) = x.as_str() {
                        out.insert(
                            format!("`\"{s}\"`")
                                .replace("`\"", "\"")
                                .replace("\"`", "\""),
                        );
                    }
                }
                keys_and_statuses(
                    x,
                    out,
                    !in_outcomes && matches!(k.as_str(), "outcomes" | "reads"),
                );
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| keys_and_statuses(x, out, false)),
        _ => {}
    }
}

#[test]
fn docs_name_every_report_key() {
    let doc = std::fs::read_to_string(crate::common::root().join("docs/derivation.md"))
        .expect("docs/derivation.md");
    let mut seen = std::collections::BTreeSet::new();
    let mut runs: Vec<Vec<String>> = Vec::new();
    for entry in std::fs::read_dir(crate::common::root().join("tests/cases/own")).expect("cases") {
        let path = entry.expect("entry").path();
        if is_case(&path) {
            runs.push(vec![
                "eval".into(),
                "--format".into(),
                "json".into(),
                rel(&path),
            ]);
        }
    }
    runs.push(
        [
            "eval",
            "--policies",
            "tests/fixtures/conflict",
            "--format",
            "json",
            "tests/fixtures/conflict/teacher.json",
        ]
        .map(String::from)
        .to_vec(),
    );
    for (case, outcome) in [
        (EXAMPLE, "injury.application_district"),
        (EXAMPLE, "injury.medical_subsidy_payer"),
        (
            "tests/cases/own/24-equal-pay-rectified-day-late.json",
            "equal_pay.penalty_due",
        ),
        (
            "tests/cases/own/04-day-after-expiry.json",
            "wage_arrears.advance_permitted",
        ),
        ("tests/cases/own/04-day-after-expiry.json", "in_force"),
    ] {
        runs.push(
            ["explain", "--format", "json", case, outcome]
                .map(String::from)
                .to_vec(),
        );
    }
    for args in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = regula(&args);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        keys_and_statuses(&v, &mut seen, false);
    }
    let undocumented: Vec<&String> = seen
        .iter()
        .filter(|k| {
            let bare = k.trim_matches(|c| c == '`' || c == '"');
            !(doc.contains(k.as_str())
                || doc.contains(&format!("`\"{bare}\"`"))
                || doc.contains(&format!("`{bare}`")))
        })
        .collect();
    assert!(
        undocumented.is_empty(),
        "docs/derivation.md does not name {undocumented:?}"
    );
    for must in [
        "`decided`",
        "`unknown`",
        "`conflict`",
        "`not_in_force`",
        "`applied`",
        "`overridden`",
        "`why_not`",
    ] {
        assert!(
            seen.iter()
                .any(|k| k.trim_matches(|c| c == '`' || c == '"') == must.trim_matches('`')),
            "{must} never produced"
        );
    }
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let piped = regula(&["eval", EXAMPLE]);
    assert!(
        !String::from_utf8_lossy(&piped.stdout).contains('\u{1b}'),
        "no colour into a pipe"
    );
    let forced = regula(&["--color", "always", "eval", EXAMPLE]);
    assert!(
        String::from_utf8_lossy(&forced.stdout).contains("\u{1b}["),
        "colour when asked"
    );
}

fn regula_stdin(args: &[&str], input: &[u8]) -> std::process::Output {
    crate::common::regula_stdin_in(&crate::common::root(), args, input)
}

#[test]
fn a_case_on_standard_input() {
    let case = std::fs::read(crate::common::root().join(EXAMPLE)).expect("example");
    let out = regula_stdin(&["eval", "-"], &case);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("案件：标准输入"));
    let huge = vec![b' '; 9 << 20];
    let out = regula_stdin(&["eval", "-"], &huge);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("standard input holds more than"));
    let out = regula_stdin(&["eval", "-"], b"\xff{}");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid UTF-8"));
}
