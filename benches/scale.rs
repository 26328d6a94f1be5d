//! Loading and checking at scale: `regula check`, and one `regula eval` with
//! cited derivations, over generated policy sets (an exception diamond, a
//! deep exception chain, many independent rules). Each pass of the checker
//! is linear (see the module docs of `check` and `walk`): a time that grows
//! much faster than the set is a regression.
//!
//! Run: `cargo bench --bench scale` (the release binary is timed as a user
//! runs it). Sets to run can be given as `diamond:1000 chain:1000
//! independent:9990` after `--`; those are the defaults.
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "../tests/synthetic/mod.rs"]
mod synthetic;

use synthetic::Shape;

/// Runs of each command; the median is printed.
const RUNS: usize = 5;

fn parse(arg: &str) -> Option<Shape> {
    let (kind, n) = arg.split_once(':')?;
    let n: usize = n.parse().ok()?;
    match kind {
        "diamond" => Some(Shape::Diamond(n)),
        "chain" => Some(Shape::Chain(n)),
        "independent" => Some(Shape::Independent(n)),
        _ => None,
    }
}

fn median(dir: &PathBuf, args: &[&str]) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let out = Command::new(env!("CARGO_BIN_EXE_regula"))
                .args(args)
                .current_dir(dir)
                .env("NO_COLOR", "1")
                .output()
                .expect("run regula");
            let took = start.elapsed();
            assert!(
                out.status.success(),
                "regula {args:?} failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            took
        })
        .collect();
    times.sort();
    times.get(RUNS / 2).copied().unwrap_or_default()
}

fn main() {
    let mut shapes: Vec<Shape> = std::env::args().skip(1).filter_map(|a| parse(&a)).collect();
    if shapes.is_empty() {
        shapes = vec![
            Shape::Diamond(1000),
            Shape::Chain(1000),
            Shape::Independent(9990),
        ];
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench/scale");
    for shape in shapes {
        let dir = root.join(shape.name());
        synthetic::write(&dir, shape).expect("write the set");
        let check = median(&dir, &synthetic::CHECK);
        let eval = median(&dir, &synthetic::EVAL);
        println!(
            "{:<20} check {:>10.1?}   eval --derivations cites {:>10.1?}",
            shape.name(),
            check,
            eval
        );
    }
}
