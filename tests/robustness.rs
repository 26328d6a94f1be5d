//! Inputs that must simply work (a byte-order mark, CRLF line endings,
//! trailing whitespace, Chinese file names) and inputs that must give a clear
//! error (a symbolic-link loop, arithmetic overflow, a case nested too
//! deeply), each run through the real binary.
use crate::common::{regula, regula_in, scratch_root, transcript};
use std::fs;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn redact(s: &str) -> String {
    s.replace(env!("CARGO_TARGET_TMPDIR"), "[TMP]")
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

#[test]
fn bom_crlf_trailing_whitespace_and_chinese_file_names_work() {
    let dir = tmp("robust-crlf").join("沪人社规");
    fs::create_dir_all(&dir).unwrap();
    let src = crate::common::root().join("policies/hurenshegui-2023-32");
    let chinese = [
        "文件头",
        "许可",
        "同工同酬",
        "辅助性岗位",
        "工伤",
        "社会保险",
        "欠薪",
        "外包",
    ];
    let mut n = 0;
    let mut entries: Vec<_> = fs::read_dir(&src).unwrap().filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().to_string();
        let text = fs::read_to_string(e.path()).unwrap_or_default();
        if name.ends_with(".policy") {
            let crlf: String = text.lines().map(|l| format!("{l}  \t\r\n")).collect();
            let out = format!("\u{feff}{crlf}");
            fs::write(
                dir.join(format!("{:02}-{}.policy", n, chinese[n % chinese.len()])),
                out,
            )
            .unwrap();
            n += 1;
        } else if name.ends_with(".txt") {
            fs::write(dir.join(&name), text.replace('\n', "\r\n")).unwrap();
        }
    }
    assert_eq!(n, 8, "eight policy files copied");
    let shown = dir.to_string_lossy().to_string();
    // The national rules the Shanghai opinions implement, as shipped.
    let national = crate::common::root()
        .join("policies/paiqian-zanxing-guiding-2014")
        .to_string_lossy()
        .to_string();
    let check = regula(&["check", "--policies", &shown, "--policies", &national]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        redact(&transcript(&check))
    );
    // The same case, under the embedded policies and the transformed copy, also from a Chinese file name.
    let case_dir = tmp("robust-case");
    let case = case_dir.join("案件一.json");
    fs::copy(
        crate::common::root().join("tests/cases/shared/01-injury-out-of-town-no-branch.json"),
        &case,
    )
    .unwrap();
    let case = case.to_string_lossy().to_string();
    let a = regula(&["eval", "--format", "json", &case]);
    let b = regula(&[
        "eval",
        "--format",
        "json",
        "--policies",
        &shown,
        "--policies",
        &national,
        &case,
    ]);
    assert_eq!(a.status.code(), Some(0));
    let (mut ja, mut jb) = (json(&a), json(&b));
    ja["policies"] = serde_json::Value::Null;
    jb["policies"] = serde_json::Value::Null;
    // Spans differ (CRLF, BOM), so compare values, cites and missing facts.
    for (name, o) in ja["outcomes"].as_object().unwrap() {
        let p = &jb["outcomes"][name];
        assert_eq!(o["value"], p["value"], "{name}");
        assert_eq!(o["cites"], p["cites"], "{name}");
        assert_eq!(o["missing"], p["missing"], "{name}");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_clear_error() {
    let dir = tmp("robust-loop");
    let base = crate::common::root().join("tests/fixtures/robustness/overflow");
    for f in ["overflow.policy", "source.txt"] {
        fs::copy(base.join(f), dir.join(f)).unwrap();
    }
    std::os::unix::fs::symlink(&dir, dir.join("again")).unwrap();
    let out = regula_in(&scratch_root(), &["check", "--policies", "robust-loop"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn integer_overflow_is_an_evaluation_error() {
    let dir = tmp("robust-overflow");
    let case = dir.join("case.json");
    fs::write(&case, r#"{"as_of": "2025-01-01", "headcount": 5000000000}"#).unwrap();
    let out = regula(&[
        "eval",
        "--policies",
        "tests/fixtures/robustness/overflow",
        &case.to_string_lossy(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "nothing is reported for a failed evaluation"
    );
    insta::assert_snapshot!(redact(&transcript(&out)));
    // Within range it computes.
    fs::write(&case, r#"{"as_of": "2025-01-01", "headcount": 3000000000}"#).unwrap();
    let ok = regula(&[
        "eval",
        "--format",
        "json",
        "--policies",
        "tests/fixtures/robustness/overflow",
        &case.to_string_lossy(),
    ]);
    assert_eq!(
        json(&ok)["outcomes"]["fee"]["value"],
        serde_json::json!(9_000_000_000_000_000_000i64)
    );
}

#[test]
fn a_case_nested_too_deeply_is_a_clear_error() {
    let dir = tmp("robust-deep");
    let case = dir.join("deep.json");
    let deep = format!(
        "{{\"as_of\": \"2025-01-01\", \"agency\": {}1{}}}",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    fs::write(&case, deep).unwrap();
    let out = regula_in(&scratch_root(), &["eval", "robust-deep/deep.json"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(transcript(&out));
}

/// A small valid policy set in a scratch folder, plus `extra` appended to its
/// policy file.
fn small_set(name: &str, extra: &str) -> PathBuf {
    let dir = tmp(name);
    let src = crate::common::root().join("tests/fixtures/check/unused-fact");
    fs::copy(src.join("src.zh.txt"), dir.join("src.zh.txt")).unwrap();
    let mut policy = fs::read_to_string(src.join("set.policy")).unwrap();
    policy.push_str(extra);
    fs::write(dir.join("set.policy"), policy).unwrap();
    dir
}

#[test]
fn the_limits_of_a_policy_set_are_clear_errors() {
    let mut all = String::new();
    // A line longer than 10,000 bytes.
    small_set("limit-line", &format!("// {}\n", "很".repeat(3400)));
    // More than 10,000 declarations.
    let facts: String = (0..10_001)
        .map(|i| format!("fact extra.f{i} : bool \"附加事实\"\n"))
        .collect();
    small_set("limit-declarations", &facts);
    // More than 1,000 policy files.
    let many = small_set("limit-files", "");
    for i in 0..1_000 {
        fs::write(
            many.join(format!("extra-{i:04}.policy")),
            format!("fact extra.f{i} : bool \"附加事实\"\n"),
        )
        .unwrap();
    }
    for set in ["limit-line", "limit-declarations", "limit-files"] {
        let out = regula_in(&scratch_root(), &["check", "--policies", set]);
        assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
        all.push_str(&format!(
            "$ regula check --policies {set}\n{}\n",
            transcript(&out)
        ));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn fmt_and_test_name_what_they_cannot_use() {
    let mut all = String::new();
    // Policy directories nested seventeen deep.
    let deep = tmp("limit-deep");
    let mut at = deep.clone();
    for i in 0..17 {
        at = at.join(format!("d{i}"));
    }
    fs::create_dir_all(&at).unwrap();
    fs::write(at.join("x.policy"), "fact a.b : bool \"甲\"\n").unwrap();
    // A policy set without tests.
    small_set("no-tests", "");
    for args in [
        &["fmt", "--check", "limit-deep"][..],
        &["fmt", "no-such-folder"][..],
        &["test", "--policies", "no-tests"][..],
    ] {
        let out = regula_in(&scratch_root(), args);
        assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
        all.push_str(&format!(
            "$ regula {}\n{}\n",
            args.join(" "),
            transcript(&out)
        ));
    }
    insta::assert_snapshot!(all);
}

/// A device or a pipe has no size to check beforehand: no more than the
/// limit is read, and the case is refused with the limit named.
#[test]
fn an_endless_device_is_refused_at_the_size_limit() {
    let out = regula(&["eval", "/dev/zero"]);
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    insta::assert_snapshot!("eval_dev_zero", transcript(&out));
}

/// Output that cannot be written (a full disk) is an error, not a success
/// with the report lost.
#[test]
fn output_to_a_full_disk_is_an_error() {
    let case = crate::common::root().join("examples/injury-out-of-town-no-branch.json");
    for args in [
        vec!["eval", case.to_str().expect("utf-8 path")],
        vec!["check"],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_regula"))
            .args(&args)
            .env("NO_COLOR", "1")
            .stdout(full)
            .output()
            .expect("run regula");
        assert_eq!(out.status.code(), Some(1), "regula {args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write the output"), "{err}");
    }
}

#[test]
fn a_full_width_or_typographic_character_in_a_json_case_is_named() {
    // What Chinese input methods type in place of JSON's punctuation and
    // blanks: each named, with the ASCII character to type instead.
    let mut out = String::new();
    for input in [
        "{\"as_of\"：\"2025-03-01\"}",
        "{“as_of”: \"2025-03-01\"}",
        "\u{3000}{\"as_of\": \"2025-03-01\"}",
        "{\"as_of\": \"2025-03-01\"，\"injury\": {}}",
        "{\"as_of\": \"2025-03-01\",\u{a0}\"injury\": {}}",
        "{\"as_of\": \"2025-03-01\",}",
    ] {
        let o = crate::common::regula_stdin_in(
            &crate::common::root(),
            &["eval", "-", "--error-format", "plain"],
            input.as_bytes(),
        );
        out.push_str(&format!("$ {input}\n{}\n", transcript(&o)));
    }
    insta::assert_snapshot!(out);
}
