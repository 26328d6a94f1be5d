//! Synthetic policy sets of any size, for the scale tests and the `scale`
//! benchmark: each is a document header, a short source text and one policy
//! file of rules, returned as (file name, text) pairs.
#![allow(dead_code)]
use std::fmt::Write as _;
use std::path::Path;

/// The source text every synthetic set cites: rules cite 1.1, the header 2.1.
const SOURCE: &str = "合成规定（仅供测试）\n\n一、适用范围\n\n本规定用于检验规模。\n\n二、其他事项\n\n本规定自 2024 年 1 月 1 日起施行。\n";

/// The shape of a generated set.
#[derive(Clone, Copy, Debug)]
pub enum Shape {
    /// `a0`, `b0`, then for i ≥ 1 `a_i` and `b_i`, each an exception to
    /// `a_{i-1}` and `b_{i-1}`: the count is the number of rules.
    Diamond(usize),
    /// `r0`, then `r_i` an exception to `r_{i-1}`: the count is the depth.
    Chain(usize),
    /// Independent rules spread over a few outcomes.
    Independent(usize),
}

impl Shape {
    /// A short name for reports and scratch folders.
    pub fn name(self) -> String {
        match self {
            Shape::Diamond(n) => format!("diamond-{n}"),
            Shape::Chain(n) => format!("chain-{n}"),
            Shape::Independent(n) => format!("independent-{n}"),
        }
    }
}

/// Outcomes the independent rules are spread over.
const OUTCOMES: usize = 4;

/// Rules per policy file: files stay well below the 1 MiB limit.
const RULES_PER_FILE: usize = 1000;

fn rule(
    out: &mut Vec<String>,
    name: &str,
    outcome: &str,
    excepts: &[String],
    when: &str,
    value: &str,
) {
    let mut r = format!("rule {name}\n  cites 1.1 \"本规定用于检验规模\"\n");
    if !excepts.is_empty() {
        let _ = writeln!(r, "  exception to {}", excepts.join(", "));
    }
    let _ = writeln!(r, "  when {when}\n  then {outcome} = {value}\n");
    out.push(r);
}

/// The files of a set: the header, the source text, the declarations and
/// the rules (a file per thousand).
pub fn files(shape: Shape) -> Vec<(String, String)> {
    let header = "document \"合成规定（仅供测试）\"\n  source \"source.zh.txt\"\n  in force from 2024-01-01\n    cites 2.1 \"本规定自 2024 年 1 月 1 日起施行。\"\n".to_string();
    let mut rules = String::from("fact n : int \"数\"\n\n");
    let mut blocks: Vec<String> = Vec::new();
    match shape {
        Shape::Diamond(count) => {
            rules.push_str("outcome x : bool \"结果\" default false\n\n");
            let levels = count.div_ceil(2);
            for i in 0..levels {
                let excepts: Vec<String> = if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("a{}", i - 1), format!("b{}", i - 1)]
                };
                let value = if i % 2 == 0 { "true" } else { "false" };
                let when = format!("n > {i}");
                rule(&mut blocks, &format!("a{i}"), "x", &excepts, &when, value);
                if 2 * i + 1 < count {
                    rule(&mut blocks, &format!("b{i}"), "x", &excepts, &when, value);
                }
            }
        }
        Shape::Chain(depth) => {
            rules.push_str("outcome x : bool \"结果\" default false\n\n");
            for i in 0..depth {
                let excepts: Vec<String> = if i == 0 {
                    Vec::new()
                } else {
                    vec![format!("r{}", i - 1)]
                };
                let value = if i % 2 == 0 { "true" } else { "false" };
                rule(
                    &mut blocks,
                    &format!("r{i}"),
                    "x",
                    &excepts,
                    &format!("n > {i}"),
                    value,
                );
            }
        }
        Shape::Independent(count) => {
            for o in 0..OUTCOMES {
                let _ = writeln!(rules, "outcome x{o} : bool \"结果{o}\" default false\n");
            }
            for i in 0..count {
                let outcome = format!("x{}", i % OUTCOMES);
                rule(
                    &mut blocks,
                    &format!("r{i}"),
                    &outcome,
                    &[],
                    &format!("n = {i}"),
                    "true",
                );
            }
        }
    }
    let mut files = vec![
        ("00-document.policy".to_string(), header),
        ("source.zh.txt".to_string(), SOURCE.to_string()),
        ("01-declarations.policy".to_string(), rules),
    ];
    for (k, chunk) in blocks.chunks(RULES_PER_FILE).enumerate() {
        files.push((format!("02-rules-{k:03}.policy"), chunk.concat()));
    }
    files
}

/// A case for the set: `n` is 2, which fires the rules of the first two
/// levels (`n > 0`, `n > 1`) and the independent rule `n = 2`.
pub fn case() -> String {
    "as_of: 2025-01-01\nn: 2\n".to_string()
}

/// `regula check` of a set written by [`write`], run in its folder.
pub const CHECK: [&str; 3] = ["check", "--policies", "."];

/// `regula eval` of [`case`] against a set written by [`write`], run in its
/// folder, as JSON with cites.
pub const EVAL: [&str; 8] = [
    "eval",
    "--policies",
    ".",
    "--format",
    "json",
    "--derivations",
    "cites",
    "case.yaml",
];

/// Writes a set's files, and `case.yaml`, into `dir` (created, emptied first).
pub fn write(dir: &Path, shape: Shape) -> std::io::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    for (name, text) in files(shape) {
        std::fs::write(dir.join(name), text)?;
    }
    std::fs::write(dir.join("case.yaml"), case())
}
