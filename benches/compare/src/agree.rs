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

/// The native baseline agrees with regula's report lines on every case,
/// byte for byte: values, missing facts, cites and documents.
pub fn check_native(regula_out: &[u8], lines: &[String]) {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        native::line(&mut out, i as u64 + 1, l).expect("native decodes");
    }
    let (r, n) = (
        std::str::from_utf8(regula_out).expect("utf-8"),
        std::str::from_utf8(&out).expect("utf-8"),
    );
    for (k, (a, b)) in r.lines().zip(n.lines()).enumerate() {
        assert_eq!(
            a,
            b,
            "native and regula disagree on case {}: {}",
            k + 1,
            lines[k]
        );
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
        let outcomes = report["outcomes"].as_object().expect("outcomes");
        assert_eq!(got.as_object().map(|o| o.len()), Some(outcomes.len()));
        for (name, o) in outcomes {
            assert_eq!(
                got[name],
                o["value"],
                "rego and regula disagree on {name} in case {}: {line}",
                k + 1
            );
        }
    }
}
