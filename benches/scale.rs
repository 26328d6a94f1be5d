//! Loading and checking at scale: `regula check`, and one `regula eval` with
//! cited derivations, over generated policy sets (an exception diamond, a
//! deep exception chain, many independent rules). Each pass of the checker
//! is linear (see the module docs of `check` and `walk`): a time that grows
//! much faster than the set is a regression.
//!
//! Besides the binary, the set is loaded once in process (`Engine::load`)
//! and one case evaluated many times, with cites and with every
//! derivation: the evaluation alone, without loading and checking.
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

/// The median time of one evaluation of the set's case in process, with
/// cites, then with every derivation recorded and the full report written.
fn in_process(dir: &std::path::Path) -> (Duration, Duration) {
    let engine = regula::Engine::load(&[dir.to_path_buf()]).expect("the set checks");
    let case = engine
        .case_from_str(&synthetic::case(), regula::case::Format::Yaml)
        .expect("the case decodes");
    let mut cites = engine.evaluator();
    let mut full = engine.evaluator().with_derivations(true);
    let mut out = Vec::new();
    let time = |f: &mut dyn FnMut()| {
        let mut times: Vec<Duration> = (0..RUNS * 4)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect();
        times.sort();
        times.get(times.len() / 2).copied().unwrap_or_default()
    };
    let a = time(&mut || {
        let v = cites.evaluate(&case).expect("evaluates");
        std::hint::black_box(v.in_force());
    });
    let b = time(&mut || {
        out.clear();
        let v = full.evaluate(&case).expect("evaluates");
        v.write_json(regula::report::Detail::Full, &mut out)
            .expect("writes");
        std::hint::black_box(out.len());
    });
    (a, b)
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
        let (cites, full) = in_process(&dir);
        println!(
            "{:<20} check {:>10.1?}   eval --derivations cites {:>10.1?}   one evaluation: cites {:>10.1?}, full {:>10.1?}",
            shape.name(),
            check,
            eval,
            cites,
            full
        );
    }
}
