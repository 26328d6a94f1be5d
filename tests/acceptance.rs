//! The shared acceptance cases (copied from the project's shared material into
//! tests/cases/shared), checked with the semantics of `check-cases`: each
//! expected outcome's value, one of its cites, and unknown (`missing`) versus
//! n/a; a top-level `departures` list of `[outcome, superior_outcome]` pairs
//! must equal the report's (in any order).
use crate::common::{regula, rel, root};
use serde_json::Value;

fn compare(name: &str, got: &Value, want: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(outs) = got.get("outcomes").and_then(Value::as_object) else {
        return vec![format!("{name}: report has no 'outcomes' object")];
    };
    for (outcome, exp) in want.as_object().expect("expected file is an object") {
        if outcome == "departures" {
            let pairs = |v: Option<&Value>, a: &str, b: &str| -> Option<Vec<(String, String)>> {
                let mut out: Vec<(String, String)> = v?
                    .as_array()?
                    .iter()
                    .map(|d| {
                        let s =
                            |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                        (s(a), s(b))
                    })
                    .collect();
                out.sort();
                Some(out)
            };
            let want: Vec<(String, String)> = exp
                .as_array()
                .expect("departures is a list")
                .iter()
                .map(|p| {
                    let s = |i: usize| p.get(i).and_then(Value::as_str).unwrap_or("").to_string();
                    (s(0), s(1))
                })
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            match pairs(got.get("departures"), "outcome", "superior_outcome") {
                None => errors.push(format!("{name}: report has no 'departures' list")),
                Some(have) if have != want => {
                    errors.push(format!("{name}: departures {have:?}, expected {want:?}"))
                }
                Some(_) => {}
            }
            continue;
        }
        let Some(o) = outs.get(outcome) else {
            errors.push(format!("{name}: outcome {outcome} missing from report"));
            continue;
        };
        let value = o.get("value").cloned().unwrap_or(Value::Null);
        let expected = exp.get("value").cloned().unwrap_or(Value::Null);
        if value != expected {
            errors.push(format!("{name}: {outcome} = {value}, expected {expected}"));
            continue;
        }
        let missing = o
            .get("missing")
            .and_then(Value::as_array)
            .map(Vec::len)
            .unwrap_or(0);
        if exp.get("missing").and_then(Value::as_bool) == Some(true) {
            if missing == 0 {
                errors.push(format!(
                    "{name}: {outcome} should be unknown with missing facts"
                ));
            }
        } else if value.is_null() && missing > 0 {
            errors.push(format!(
                "{name}: {outcome} is n/a here but lists missing facts"
            ));
        }
        if let Some(cite) = exp.get("cites").and_then(Value::as_str) {
            let cites: Vec<&str> = o
                .get("cites")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !cites.contains(&cite) {
                errors.push(format!(
                    "{name}: {outcome} should cite {cite}, report cites {cites:?}"
                ));
            }
        }
    }
    errors
}

/// Runs every `NAME.json` that has a `NAME.expected.json` under a directory.
pub fn check_dir(dir: &str) -> (usize, Vec<String>) {
    let mut files: Vec<_> = std::fs::read_dir(root().join(dir))
        .expect("cases directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    let mut errors = Vec::new();
    for expected in &files {
        // The case beside its expectations: JSON, or YAML or TOML.
        let stem = expected.to_string_lossy().replace(".expected.json", "");
        let case = [".json", ".yaml", ".yml", ".toml"]
            .iter()
            .map(|ext| format!("{stem}{ext}"))
            .find(|c| std::path::Path::new(c).exists())
            .unwrap_or_else(|| format!("{stem}.json"));
        let case_rel = rel(std::path::Path::new(&case));
        let out = regula(&["eval", "--format", "json", &case_rel]);
        let got: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                errors.push(format!(
                    "{case_rel}: not JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let want: Value =
            serde_json::from_str(&std::fs::read_to_string(expected).expect("read expected"))
                .expect("expected JSON");
        errors.extend(compare(&case_rel, &got, &want));
    }
    (files.len(), errors)
}

#[test]
fn shared_acceptance_cases_pass() {
    let (n, errors) = check_dir("tests/cases/shared");
    assert_eq!(n, 12, "the twelve shared cases are present");
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}
