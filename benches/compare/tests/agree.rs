//! The benchmark's agreement check, in CI: over the first cases of the
//! benchmark's generator (5,000 unless REGULA_AGREE_CASES says otherwise),
//!
//! - the native baseline's report lines agree with regula's on every
//!   outcome the baseline encodes, with the shipped set, and on every
//!   outcome with the Shanghai opinions loaded alone (what benchmark (a)
//!   evaluates);
//! - the `regula batch` binary, on two threads, writes the same bytes as
//!   regula in process;
//! - Rego's value of every outcome equals regula's.
//!
//! Run with `cargo test -p regula-bench` (the test profile optimises regorus
//! at level 1, fast enough here) or `--release`.
use regula_bench::adapter::Regula;
use regula_bench::agree::{check_native, check_native_alone, check_rego, regula_lines};
use regula_bench::rego::Rego;
use regula_bench::{cases_file, gen};
use std::process::Command;

fn count() -> usize {
    std::env::var("REGULA_AGREE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5_000)
}

#[test]
fn native_rego_and_the_binary_agree_with_regula() {
    let n = count();
    let lines = gen::cases(gen::SEED, n);
    let regula = Regula::new();
    let reference = regula_lines(&regula.batch(), &lines);
    assert_eq!(reference.iter().filter(|&&b| b == b'\n').count(), n);

    check_native(&reference, &lines);
    // What benchmark (a) evaluates: the Shanghai opinions alone, exactly
    // the outcomes the baseline computes.
    let alone = Regula::shanghai();
    check_native_alone(&regula_lines(&alone.batch(), &lines), &lines);

    let file = cases_file(&lines);
    let out = Command::new(env!("CARGO_BIN_EXE_regula-cli"))
        .args(["batch", "--jobs", "2"])
        .arg(&file)
        .output()
        .expect("run regula batch");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (binary, in_process) = (
        String::from_utf8(out.stdout).expect("utf-8"),
        String::from_utf8(reference.clone()).expect("utf-8"),
    );
    for (k, (a, b)) in binary.lines().zip(in_process.lines()).enumerate() {
        assert_eq!(
            a,
            b,
            "regula batch and regula in process differ on case {}",
            k + 1
        );
    }
    assert_eq!(binary.len(), in_process.len());

    check_rego(&mut Rego::new(), &reference, &lines, n);
}
