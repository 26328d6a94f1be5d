//! The worst shapes of a case at the size limit (8 MiB), in every format:
//! nested deep, left unclosed, wide with unknown keys, one long key or text,
//! each through the release binary as a user runs it (`regula eval FILE`),
//! and the widest line through `regula batch`. Every shape is refused or
//! decoded in time linear in its size; a time that grows much faster than
//! the input is a regression (issue 11 found 26 to 47 s at 100–200 KB).
//!
//! Run: `cargo bench --bench hostile`. Each figure is the median of three
//! runs; the table goes to standard output.
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The case size limit, as `regula::case::MAX_CASE_BYTES`.
const LIMIT: usize = 8 << 20;

/// Runs of each command; the median is printed.
const RUNS: usize = 3;

/// Repeats `unit` to fill `size` bytes with `head` before and `tail` after.
fn fill(head: &str, unit: &str, tail: &str, size: usize) -> String {
    let n = size.saturating_sub(head.len() + tail.len()) / unit.len().max(1);
    let mut s = String::with_capacity(size);
    s.push_str(head);
    for _ in 0..n {
        s.push_str(unit);
    }
    s.push_str(tail);
    s
}

/// `open`, then `item(0)`, `item(1)`, … joined by `join` while they fit in
/// `size` bytes with `close`, then `close`.
fn items(
    open: &str,
    item: impl Fn(usize) -> String,
    join: &str,
    close: &str,
    size: usize,
) -> String {
    let mut s = String::from(open);
    let mut i = 0usize;
    loop {
        let next = item(i);
        if s.len() + next.len() + join.len() + close.len() > size {
            break;
        }
        if i > 0 {
            s.push_str(join);
        }
        s.push_str(&next);
        i += 1;
    }
    s.push_str(close);
    s
}

fn shapes(size: usize) -> Vec<(&'static str, String)> {
    let half = size / 2;
    vec![
        // JSON
        ("json-deep-array", fill("", "[", "", size)),
        ("json-deep-object", fill("", "{\"a\":", "", size)),
        (
            "json-unknown-keys",
            items("{", |i| format!("\"unknown_key_{i}\": 1"), ", ", "}", size),
        ),
        (
            "json-duplicate-keys",
            fill(
                "{\"as_of\": \"2025-03-01\"",
                ", \"as_of\": \"2025-03-01\"",
                "}",
                size,
            ),
        ),
        (
            "json-long-dotted-key",
            fill("{\"", "agency.", "x\": 1}", size),
        ),
        (
            "json-long-text",
            fill(
                "{\"as_of\": \"2025-03-01\", \"agency\": {\"licence_status\": \"",
                "x",
                "\"}}",
                size,
            ),
        ),
        // YAML
        ("yaml-deep-flow", fill("a: ", "[", "", size)),
        (
            "yaml-deep-flow-closed",
            format!("a: {}{}", "[".repeat(half / 2), "]".repeat(half / 2)),
        ),
        ("yaml-deep-compact", fill("", "- ", "x\n", size)),
        (
            "yaml-unknown-keys",
            items("", |i| format!("unknown_key_{i}: 1"), "\n", "\n", size),
        ),
        (
            "yaml-duplicate-keys",
            fill("as_of: 2025-03-01\n", "as_of: 2025-03-01\n", "", size),
        ),
        (
            "yaml-aliases",
            items("a: &x [1, 2, 3]\n", |i| format!("b{i}: *x\n"), "", "", size),
        ),
        (
            "yaml-long-text",
            fill(
                "as_of: 2025-03-01\nagency:\n  licence_status: \"",
                "x",
                "\"\n",
                size,
            ),
        ),
        // TOML
        ("toml-deep-array", fill("a = ", "[", "", size)),
        ("toml-deep-table", fill("a = ", "{b=", "", size)),
        (
            "toml-unknown-keys",
            items("", |i| format!("unknown_key_{i} = 1"), "\n", "\n", size),
        ),
        (
            "toml-tables",
            items("", |i| format!("[t{i}]\nk = 1"), "\n", "\n", size),
        ),
        ("toml-long-dotted-key", fill("", "a.", "b = 1\n", size)),
    ]
}

fn median(dir: &Path, args: &[&str]) -> (Duration, Option<i32>) {
    let mut code = None;
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_regula"))
                .args(args)
                .current_dir(dir)
                .env("NO_COLOR", "1")
                .output()
                .expect("run regula");
            code = out.status.code();
            start.elapsed()
        })
        .collect();
    times.sort();
    (times.get(RUNS / 2).copied().unwrap_or_default(), code)
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/hostile");
    std::fs::create_dir_all(&dir).expect("bench dir");
    println!("| shape | bytes | median | exit |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, text) in shapes(LIMIT) {
        assert!(text.len() <= LIMIT, "{name} is over the limit");
        let ext = name.split('-').next().unwrap_or("json");
        let file = format!("{name}.{ext}");
        std::fs::write(dir.join(&file), &text).expect("write");
        let (took, code) = median(&dir, &["eval", &file]);
        println!(
            "| `{name}` | {} | {:.3} s | {} |",
            text.len(),
            took.as_secs_f64(),
            code.map_or("signal".to_string(), |c| c.to_string())
        );
    }
    let line = items("{", |i| format!("\"unknown_key_{i}\": 1"), ", ", "}", LIMIT);
    std::fs::write(dir.join("wide.jsonl"), format!("{line}\n")).expect("write");
    let (took, code) = median(&dir, &["batch", "wide.jsonl", "-o", "wide.out.jsonl"]);
    println!(
        "| `batch-unknown-keys` (one line) | {} | {:.3} s | {} |",
        line.len() + 1,
        took.as_secs_f64(),
        code.map_or("signal".to_string(), |c| c.to_string())
    );
}
