//! The agreement checks run before the benchmark and by `tests/agree.rs`:
//! each panics, naming the case, at the first disagreement.
use crate::adapter::Reports;
use crate::native;
use crate::rego::Rego;

/// regula's report lines for every case (one thread, in process).
pub fn regula_lines(reports: &Reports, lines: &[String]) -> Vec<u8> {
    let mut w = reports.lines();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        assert!(
            w.line(i as u64 + 1, l.as_bytes(), &mut out),
            "generated case {} is invalid",
            i + 1
        );
    }
    out
}

/// The native baseline agrees with regula's report lines on every case, on
/// everything the baseline reports: the version-1 outcomes of the Shanghai
/// opinions with their values, missing facts, cites and documents, and the
/// report's line, date and `in_force`. regula's reports hold more since the
/// national rules joined the shipped set (their outcomes, `national.in_force`,
/// `departures`); the baseline encodes version 1 only, so those are not
/// compared, nor the report's `document` on a day only the national rules are
/// in force.
pub fn check_native(regula_out: &[u8], lines: &[String]) {
    compare_native(regula_out, lines, false);
}

/// The same for reports of the Shanghai opinions loaded alone
/// ([`crate::adapter::Regula::shanghai`]): regula reports exactly the
/// outcomes the baseline does, and they agree on every one and on the
/// report's document; only `policies` differs (`external`, loaded from disk).
pub fn check_native_alone(regula_out: &[u8], lines: &[String]) {
    compare_native(regula_out, lines, true);
}

fn compare_native(regula_out: &[u8], lines: &[String], alone: bool) {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        native::line(&mut out, i as u64 + 1, l).expect("native decodes");
    }
    let (r, n) = (
        std::str::from_utf8(regula_out).expect("utf-8"),
        std::str::from_utf8(&out).expect("utf-8"),
    );
    for (k, (a, b)) in r.lines().zip(n.lines()).enumerate() {
        let a: serde_json::Value = serde_json::from_str(a).expect("regula writes JSON");
        let b: serde_json::Value = serde_json::from_str(b).expect("native writes JSON");
        let in_force = b["outcomes"]["in_force"]["value"] == serde_json::Value::Bool(true);
        let keys: &[&str] = if alone {
            &["line", "as_of", "document"]
        } else {
            &["line", "as_of", "policies"]
        };
        for key in keys {
            assert_eq!(a[key], b[key], "{key} differs on case {}", k + 1);
        }
        if in_force {
            assert_eq!(
                a["document"],
                b["document"],
                "document differs on case {}",
                k + 1
            );
        }
        let native_outcomes = b["outcomes"].as_object().expect("outcomes");
        if alone {
            let names = |o: &serde_json::Value| -> Vec<String> {
                o.as_object().expect("outcomes").keys().cloned().collect()
            };
            assert_eq!(
                names(&a["outcomes"]),
                names(&b["outcomes"]),
                "regula alone and native report different outcomes"
            );
        }
        for (name, o) in native_outcomes {
            assert_eq!(
                &a["outcomes"][name],
                o,
                "native and regula disagree on {name} in case {}: {}",
                k + 1,
                lines[k]
            );
        }
    }
    assert_eq!(r.lines().count(), n.lines().count());
}

/// Rego's values agree with regula's on the first `n` cases.
pub fn check_rego(rego: &mut Rego, regula_out: &[u8], lines: &[String], n: usize) {
    let r = std::str::from_utf8(regula_out).expect("utf-8");
    for (k, (report, line)) in r.lines().zip(lines).take(n).enumerate() {
        let report: serde_json::Value = serde_json::from_str(report).expect("json");
        let got: serde_json::Value =
            serde_json::from_str(&rego.eval(Rego::input(line)).to_json_str().expect("json"))
                .expect("json");
        // Rego encodes version 1: every outcome it gives, regula gives the
        // same (regula reports the national rules' outcomes too).
        let outcomes = report["outcomes"].as_object().expect("outcomes");
        let rego = got.as_object().expect("rego answers an object");
        assert!(rego.len() >= 24, "rego gives {} outcomes", rego.len());
        for (name, v) in rego {
            assert!(outcomes.contains_key(name), "regula has no outcome {name}");
            assert_eq!(
                v,
                &outcomes[name]["value"],
                "rego and regula disagree on {name} in case {}: {line}",
                k + 1
            );
        }
    }
}
