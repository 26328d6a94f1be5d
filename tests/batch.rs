//! `regula batch`: JSON lines in, one report or error record per line out, in
//! input order; the exit status, the summary on stderr, and reports equal to
//! what `regula eval` prints for the same case.
use crate::common::{regula, root, transcript};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// Runs `regula` with `input` on standard input.
fn regula_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_regula"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run regula");
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
    // A command refused before reading its input (`--jobs 0`) may exit
    // before the input is written: the pipe is then closed, which is no
    // failure of the test.
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    child.wait_with_output().expect("wait")
}

fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"in [0-9.]+ s \([0-9]+ cases/s",
            "in [ELAPSED] s ([RATE] cases/s",
        ),
        (r"[0-9]+ threads?\)", "[JOBS])"),
    ]
}

fn compact(path: &str) -> String {
    let text = std::fs::read_to_string(root().join(path)).expect("read case");
    let v: serde_json::Value = serde_json::from_str(&text).expect("case is JSON");
    serde_json::to_string(&v).expect("json")
}

fn shared_cases() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("tests/cases/shared"))
        .expect("shared cases")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .map(|n| format!("tests/cases/shared/{n}"))
        .collect();
    files.sort();
    files
}

/// The malformed lines of the snapshot, each with what is wrong.
const MALFORMED: &[(&str, &str)] = &[
    ("bad json", "{\"as_of\": \"2025-03-01\", \"agency\": {"),
    (
        "unknown key",
        "{\"as_of\": \"2025-03-01\", \"agency\": {\"registerd_in_shanghai\": true}}",
    ),
    (
        "wrong type",
        "{\"as_of\": \"2025-03-01\", \"wage_arrears\": {\"previous_advances\": \"1\"}}",
    ),
    ("missing as_of", "{\"injury\": {\"occurred\": true}}"),
    ("blank line", ""),
];

fn mixed_input() -> String {
    let mut lines = vec![compact(
        "tests/cases/shared/01-injury-out-of-town-no-branch.json",
    )];
    lines.extend(MALFORMED.iter().map(|(_, l)| l.to_string()));
    lines.push(compact("tests/cases/shared/12-not-in-force.json"));
    lines.join("\n") + "\n"
}

#[test]
fn batch_reports_each_line_and_errors_in_place() {
    let out = regula_stdin(&["batch", "--jobs", "2"], &mixed_input());
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("batch_mixed", format!("$ regula batch --jobs 2 < mixed.jsonl\n{}", transcript(&out)));
    });
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(stdout.lines().count(), MALFORMED.len() + 2);
}

#[test]
fn batch_without_derivations() {
    let input = compact("tests/cases/shared/09-auxiliary-partly-known.json") + "\n";
    let out = regula_stdin(&["batch", "--derivations", "none", "--jobs", "1"], &input);
    insta::with_settings!({filters => filters()}, {
        insta::assert_snapshot!("batch_none", format!("$ regula batch --derivations none --jobs 1 < 09.jsonl\n{}", transcript(&out)));
    });
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn batch_at_overrides_as_of() {
    let input = "{\"injury\": {\"occurred\": false}}\n{\"as_of\": \"2020-01-01\"}\n";
    let out = regula_stdin(
        &["batch", "--at", "2025-03-01", "--derivations", "none"],
        input,
    );
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    for line in stdout.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json line");
        assert_eq!(v["as_of"], "2025-03-01");
        assert_eq!(v["outcomes"]["in_force"]["value"], true);
    }
}

/// Every shared case: the batch line is, byte for byte, the compact form of
/// what `regula eval --format json` prints, with the line number first.
#[test]
fn batch_equals_eval_on_every_shared_case() {
    let files = shared_cases();
    assert!(files.len() >= 12);
    let input: String = files.iter().map(|f| compact(f) + "\n").collect();
    for detail in ["none", "cites", "full"] {
        let out = regula_stdin(&["batch", "--derivations", detail], &input);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), files.len());
        for (i, (f, line)) in files.iter().zip(&lines).enumerate() {
            let e = regula(&["eval", "--format", "json", "--derivations", detail, f]);
            let v: serde_json::Value = serde_json::from_slice(&e.stdout).expect("eval json");
            let body = serde_json::to_string(&v).expect("json");
            let want = format!("{{\"line\":{},{}", i + 1, &body[1..]);
            assert_eq!(*line, want, "{detail}: {f}");
        }
    }
}

/// A malformed line's error carries the message `regula eval` prints for the
/// same text in a file (with the file's name in place of `stdin:LINE`).
#[test]
fn batch_errors_say_what_eval_says() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("batch-errors");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    for (i, (what, text)) in MALFORMED.iter().enumerate() {
        let out = regula_stdin(&["batch"], &format!("{text}\n"));
        let stdout = String::from_utf8(out.stdout).expect("utf-8");
        let record: serde_json::Value = serde_json::from_str(stdout.trim()).expect("json");
        assert_eq!(record["line"], 1, "{what}");
        let got = record["error"]["message"].as_str().expect("message");
        let got = got.strip_prefix("`stdin:1`").expect("place");

        let file = dir.join(format!("case-{i}.json"));
        std::fs::write(&file, text).expect("write case");
        let e = regula(&[
            "--error-format",
            "json",
            "eval",
            file.to_str().expect("utf-8 path"),
        ]);
        let stderr = String::from_utf8(e.stderr).expect("utf-8");
        let first: serde_json::Value =
            serde_json::from_str(stderr.lines().next().expect("a diagnostic")).expect("json");
        let want = first["message"].as_str().expect("message");
        let want = want
            .strip_prefix(&format!("`{}`", file.to_str().expect("utf-8 path")))
            .expect("place");
        assert_eq!(got, want, "{what}");
        assert_eq!(record["error"]["help"], first["help"], "{what}");
        assert_eq!(record["error"]["code"], first["code"], "{what}");
    }
}

#[test]
fn batch_writes_to_a_file() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("batch-output");
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let file = dir.join("out.jsonl");
    let input = compact("tests/cases/shared/04-licence-revoked-contract-continues.json") + "\n";
    let out = regula_stdin(&["batch", "-o", file.to_str().expect("utf-8 path")], &input);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("output file");
    assert_eq!(written.lines().count(), 1);
    assert!(written.starts_with("{\"line\":1,\"document\":"));
}

#[test]
fn batch_input_that_cannot_be_read() {
    let out = regula(&["batch", "no-such-cases.jsonl"]);
    insta::assert_snapshot!(
        "batch_no_input",
        format!("$ regula batch no-such-cases.jsonl\n{}", transcript(&out))
    );
    assert_eq!(out.status.code(), Some(1));
}

/// `--jobs` at its extremes is a clear error naming the range, never an
/// attempt to start that many threads.
#[test]
fn batch_jobs_out_of_range_is_a_clear_error() {
    let mut shown = String::new();
    for jobs in ["99999999999", "18446744073709551616", "0", "257", "x"] {
        let out = regula_stdin(&["batch", "--jobs", jobs], "{\"as_of\":\"2025-03-01\"}\n");
        assert_eq!(out.status.code(), Some(2), "--jobs {jobs}");
        assert!(out.stdout.is_empty(), "--jobs {jobs} wrote a report");
        shown.push_str(&format!(
            "$ regula batch --jobs {jobs}\n{}\n",
            transcript(&out)
        ));
    }
    insta::assert_snapshot!("batch_jobs_out_of_range", shown);
    let out = regula_stdin(&["batch", "--jobs", "256"], "{\"as_of\":\"2025-03-01\"}\n");
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}
