//! Policy-author tooling: `regula fmt`, `regula test`, `regula graph` and
//! `regula explain --format dot|mermaid`, as transcripts of real runs.
use crate::common::{regula, regula_in, root, scratch_root, transcript};
use regula::source::FileId;
use regula::syntax::format::format_source;
use regula::syntax::parse_file;
use std::path::{Path, PathBuf};

const UNFORMATTED: &str = "tests/tooling/unformatted.policy";
const CASE: &str = "policies/hurenshegui-2023-32/tests/04-injury-no-branch-employment-ended.json";

fn policy_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            policy_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "policy") {
            out.push(p);
        }
    }
}

/// A scratch copy of the unformatted fixture.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("unformatted.policy");
    std::fs::copy(root().join(UNFORMATTED), &file).unwrap();
    file
}

#[test]
fn fmt_round_trips_every_policy_file() {
    let mut files = Vec::new();
    policy_files(&root().join("policies"), &mut files);
    policy_files(&root().join("tests"), &mut files);
    files.sort();
    let mut checked = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        // Fixtures of syntax errors have nothing to format.
        let Ok(before) = parse_file(FileId(0), text) else {
            continue;
        };
        let once = format_source(FileId(0), text).unwrap();
        let after = parse_file(FileId(0), &once).unwrap_or_else(|e| {
            panic!(
                "{}: formatted text does not parse: {e:?}\n{once}",
                f.display()
            )
        });
        assert_eq!(
            before,
            after,
            "{}: formatting changed the meaning",
            f.display()
        );
        let twice = format_source(FileId(0), &once).unwrap();
        assert_eq!(once, twice, "{}: formatting is not idempotent", f.display());
        checked += 1;
    }
    assert!(
        checked >= 9,
        "the shipped policies and the fixture were checked"
    );
}

#[test]
fn fmt_check_lists_an_unformatted_file() {
    let out = regula(&["fmt", "--check", UNFORMATTED]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("fmt_check_unformatted", transcript(&out));
}

#[test]
fn fmt_check_passes_on_the_shipped_policies() {
    let out = regula(&["fmt", "--check", "policies"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("fmt_check_policies", transcript(&out));
}

#[test]
fn fmt_rewrites_in_place_and_keeps_comments() {
    let file = scratch("tooling-fmt");
    let path = "tooling-fmt/unformatted.policy";
    let out = regula_in(&scratch_root(), &["fmt", path]);
    let formatted = std::fs::read_to_string(&file).unwrap();
    let again = regula_in(&scratch_root(), &["fmt", "--check", path]);
    insta::assert_snapshot!("fmt_rewrite", transcript(&out));
    insta::assert_snapshot!("fmt_check_after_rewrite", transcript(&again));
    insta::assert_snapshot!("fmt_formatted_fixture", formatted);
    assert_eq!(again.status.code(), Some(0));
}

/// `regula fmt --keywords zh` on the unformatted fixture (its comments
/// inside expressions included), then `--keywords en`: the Chinese text is
/// reviewed, and the way back is `regula fmt`'s English output, byte for byte.
#[test]
fn fmt_converts_keywords_there_and_back() {
    let file = scratch("tooling-fmt-keywords");
    let path = "tooling-fmt-keywords/unformatted.policy";
    let zh = regula_in(&scratch_root(), &["fmt", "--keywords", "zh", path]);
    let chinese = std::fs::read_to_string(&file).unwrap();
    let check = regula_in(&scratch_root(), &["fmt", "--check", path]);
    let en = regula_in(&scratch_root(), &["fmt", "--keywords", "en", path]);
    let english = std::fs::read_to_string(&file).unwrap();
    insta::assert_snapshot!("fmt_keywords_zh", transcript(&zh));
    insta::assert_snapshot!("fmt_keywords_zh_fixture", chinese);
    assert_eq!(
        check.status.code(),
        Some(0),
        "a Chinese file keeps its form"
    );
    assert_eq!(en.status.code(), Some(0));
    let plain = scratch("tooling-fmt-keywords-plain");
    regula_in(
        &scratch_root(),
        &["fmt", "tooling-fmt-keywords-plain/unformatted.policy"],
    );
    assert_eq!(english, std::fs::read_to_string(&plain).unwrap());
}

#[test]
fn fmt_reports_a_missing_path() {
    let out = regula(&["fmt", "--check", "no/such/dir"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("fmt_missing_path", transcript(&out));
}

#[test]
fn test_runs_the_shipped_policy_tests() {
    let out = regula(&["test"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("test_shipped", transcript(&out));
}

#[test]
fn test_coverage_of_the_shipped_policy_tests() {
    let out = regula(&["test", "--coverage", "--policies", "policies"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("test_coverage", transcript(&out));
}

#[test]
fn test_coverage_of_a_single_test() {
    let out = regula(&["test", "--coverage", CASE]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("test_coverage_single", transcript(&out));
}

#[test]
fn test_reports_a_failing_test_with_its_derivation() {
    let out = regula(&["test", "--no-write", "tests/tooling/failing/tests"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("test_failing", transcript(&out));
}

#[test]
fn test_reports_a_path_that_is_no_test() {
    let out = regula(&[
        "test",
        "--no-write",
        "examples/injury-out-of-town-no-branch.json",
        "README.md",
    ]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("test_bad_paths", transcript(&out));
}

#[test]
fn graph_dot() {
    let out = regula(&["graph"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("graph_dot", transcript(&out));
}

#[test]
fn graph_mermaid() {
    let out = regula(&["graph", "--format", "mermaid"]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("graph_mermaid", transcript(&out));
}

#[test]
fn explain_as_dot_and_mermaid() {
    let dot = regula(&["explain", CASE, "injury.applicant", "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0));
    insta::assert_snapshot!("explain_dot", transcript(&dot));
    let mermaid = regula(&[
        "explain",
        CASE,
        "injury.application_district",
        "--format",
        "mermaid",
    ]);
    assert_eq!(mermaid.status.code(), Some(0));
    insta::assert_snapshot!("explain_mermaid", transcript(&mermaid));
}

#[test]
fn explain_in_force_as_dot_and_mermaid() {
    let dot = regula(&["explain", CASE, "in_force", "--format", "dot"]);
    assert_eq!(dot.status.code(), Some(0));
    insta::assert_snapshot!("explain_in_force_dot", transcript(&dot));
    let mermaid = regula(&[
        "explain",
        CASE,
        "in_force",
        "--format",
        "mermaid",
        "--at",
        "2029-01-01",
    ]);
    assert_eq!(mermaid.status.code(), Some(0));
    insta::assert_snapshot!("explain_in_force_mermaid", transcript(&mermaid));
}

/// Every `$ regula …` example in the README and in docs/revising.md is real:
/// its lines appear, in order, in what the command prints today (a line `…`
/// stands for omitted output, and a command may continue over lines ending
/// in `\`).
#[test]
fn documented_examples_are_real_output() {
    let mut examples = 0;
    for doc in ["README.md", "docs/revising.md"] {
        examples += check_examples(doc);
    }
    assert!(examples >= 14, "found only {examples} documented examples");
}

/// Checks the examples of one Markdown file; returns how many there are.
fn check_examples(doc: &str) -> usize {
    let readme = std::fs::read_to_string(root().join(doc)).unwrap();
    // The lines of each fenced block.
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in readme.lines() {
        if line.starts_with("```") {
            match current.take() {
                Some(b) => blocks.push(b),
                None => current = Some(Vec::new()),
            }
        } else if let Some(b) = current.as_mut() {
            b.push(line);
        }
    }
    let mut examples = 0;
    for block in blocks {
        let mut i = 0;
        while i < block.len() {
            let Some(first) = block[i].strip_prefix("$ regula ") else {
                i += 1;
                continue;
            };
            let mut command = first.to_string();
            while command.ends_with('\\') {
                command.pop();
                i += 1;
                command.push(' ');
                command.push_str(block.get(i).copied().unwrap_or("").trim());
            }
            i += 1;
            let mut expected = Vec::new();
            while i < block.len() && !block[i].starts_with("$ ") {
                expected.push(block[i]);
                i += 1;
            }
            let args: Vec<&str> = command.split_whitespace().collect();
            let out = regula(&args);
            let shown = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let actual: Vec<&str> = shown.lines().map(str::trim_end).collect();
            let mut at = 0;
            for want in expected.iter().map(|l| l.trim_end()) {
                if want.trim().is_empty() || want.trim() == "…" {
                    continue;
                }
                match actual.iter().skip(at).position(|l| *l == want) {
                    Some(k) => at += k + 1,
                    None => panic!(
                        "{doc} example `regula {command}`: the line\n  {want}\nis not in its output (in order):\n{shown}"
                    ),
                }
            }
            examples += 1;
        }
    }
    examples
}
