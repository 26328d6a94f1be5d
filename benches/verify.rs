//! `regula verify` at scale: the shipped policies, and a generated policy
//! set of 1,000 rules over 200 facts (100 outcomes of 10 rules each; each
//! rule's condition reads two or three facts among bools, enums, counts
//! compared with thresholds and dates compared with one another and with
//! `as_of` through day offsets; a quarter of the rules are exceptions to
//! an earlier rule of their outcome; a tenth of the outcomes read another
//! outcome). The release binary is timed as a user runs it, with
//! `--counterexamples` so every finding is also confirmed and minimised.
//!
//! Run: `cargo bench --bench verify` (figures in BENCHMARKS.md).
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SOURCE: &str = "合成规定（仅供测试）\n\n一、适用范围\n\n本规定用于检验规模。\n\n二、其他事项\n\n本规定自 2024 年 1 月 1 日起施行。\n";

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// The generated set: 200 facts, `rules` rules over `rules / 10` outcomes.
fn generated(rules: usize) -> String {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut s = String::new();
    s.push_str("enum Kind \"种类\" { ka \"甲\"  kb \"乙\"  kc \"丙\"  kd \"丁\" }\n\n");
    // 50 facts of each kind.
    for i in 0..50 {
        let _ = writeln!(s, "fact b{i} : bool \"事实b{i}\"");
        let _ = writeln!(s, "fact k{i} : Kind \"事实k{i}\"");
        let _ = writeln!(s, "fact n{i} : int >= 0 \"事实n{i}\"");
        let _ = writeln!(s, "fact d{i} : date \"事实d{i}\"");
    }
    let outcomes = rules / 10;
    for o in 0..outcomes {
        let _ = writeln!(s, "outcome o{o} : Kind \"结论{o}\"");
    }
    s.push('\n');
    let kinds = ["ka", "kb", "kc", "kd"];
    for o in 0..outcomes {
        for j in 0..10 {
            let mut atoms = Vec::new();
            let n_atoms = 2 + r.below(2);
            for _ in 0..n_atoms {
                let f = r.below(50);
                atoms.push(match r.below(5) {
                    0 => format!("b{f}"),
                    1 => format!("k{f} = {}", kinds[r.below(4) as usize]),
                    2 => format!("n{f} >= {}", r.below(20)),
                    3 => format!("d{f} + {} days < d{}", r.below(90), r.below(50)),
                    _ => format!("as_of > d{f} + {} days", r.below(365)),
                });
            }
            // A tenth of the outcomes read the one before.
            if o % 10 == 9 && j == 0 && o > 0 {
                atoms.push(format!("o{} = ka", o - 1));
            }
            let _ = writeln!(s, "rule r{o}_{j}\n  cites 1.1 \"本规定用于检验规模\"");
            if j > 0 && r.below(4) == 0 {
                let _ = writeln!(s, "  exception to r{o}_{}", r.below(j));
            }
            let _ = writeln!(
                s,
                "  when {}\n  then o{o} = {}\n",
                atoms.join(" and "),
                kinds[(j % 4) as usize]
            );
        }
    }
    s
}

fn write(dir: &Path, rules: usize) {
    std::fs::create_dir_all(dir).expect("scratch dir");
    let header = "document \"合成规定（仅供测试）\"\n  source \"source.zh.txt\"\n  in force from 2024-01-01\n    cites 2.1 \"本规定自 2024 年 1 月 1 日起施行。\"\n";
    std::fs::write(dir.join("00-document.policy"), header).expect("write");
    std::fs::write(dir.join("source.zh.txt"), SOURCE).expect("write");
    std::fs::write(dir.join("10-rules.policy"), generated(rules)).expect("write");
}

fn time(args: &[&str]) -> (Duration, String) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_regula"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run regula");
    let took = start.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    let summary = err.lines().last().unwrap_or("").to_string();
    (took, summary)
}

fn main() {
    let scratch = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify-bench");
    let cx = scratch.join("counterexamples");
    let cxs = cx.to_string_lossy().to_string();
    let mut runs: Vec<Duration> = (0..5).map(|_| time(&["verify"]).0).collect();
    runs.sort();
    println!(
        "shipped policies: median {:.3} s of 5 runs",
        runs.get(2).copied().unwrap_or_default().as_secs_f64()
    );
    let (t, summary) = time(&["check"]);
    println!(
        "shipped policies, `regula check` for comparison: {:.3} s ({summary})",
        t.as_secs_f64()
    );
    for rules in [250usize, 500, 1000] {
        let dir = scratch.join(format!("generated-{rules}"));
        write(&dir, rules);
        let d = dir.to_string_lossy().to_string();
        let (t, summary) = time(&["verify", "--policies", &d, "--counterexamples", &cxs]);
        println!(
            "generated, {rules} rules over 200 facts: {:.2} s ({summary})",
            t.as_secs_f64()
        );
    }
}
