//! A fixed amount of benchmark (a)'s work, for instruction counts under
//! `valgrind --tool=callgrind --toggle-collect='profile::evaluate_all'`:
//! the first N generated cases (default 5,000) decoded, then each evaluated
//! once as (a) does (values, missing facts, cites). `alone` (the default)
//! loads the Shanghai opinions alone, as (a) does; `both` the shipped set;
//! `native` runs the native baseline's evaluation (c) instead
//! (`--toggle-collect='profile::native_all'`).
//!
//! `line`, `line_full` (the Shanghai opinions alone) and `line_both`,
//! `line_full_both` (the shipped set) write each case's report line as
//! `regula batch --derivations cites` (or `full`) does, decoding included
//! (`--toggle-collect='profile::lines_all'`): the end-to-end lines' work.
//!
//! `line_ratio` times those lines (the Shanghai opinions alone;
//! `line_ratio_both`, both documents), full derivations against cites, as
//! `ratio` does (default 20,000 cases).
//!
//! `ratio` times (a) on the Shanghai opinions alone against (c), the
//! native baseline, over the same N cases (default 100,000), alternating
//! rounds and keeping each one's fastest: a quick reading of benchmark
//! (a)'s ratio between criterion runs, less disturbed by other load.
//!
//! `cargo run --release -p regula-bench --example profile -- [alone|both|native|line|line_full|line_both|line_full_both|ratio|line_ratio|line_ratio_both] [N]`
use regula_bench::adapter::{Decoded, Lines, Regula};
use regula_bench::{gen, native};
use std::hint::black_box;

#[inline(never)]
fn native_all(cases: &[native::Facts]) -> usize {
    let mut out: [native::Out; 25] = std::array::from_fn(|_| native::Out {
        v: native::V::Na,
        missing: 0,
        cites: &[],
    });
    let mut cites = 0;
    for f in cases {
        black_box(native::evaluate(black_box(f), &mut out));
        cites += out.iter().map(|o| o.cites.len()).sum::<usize>();
    }
    cites
}

#[inline(never)]
fn lines_all(w: &mut Lines, lines: &[String]) -> usize {
    let mut out = Vec::with_capacity(1 << 20);
    let mut n = 0;
    for (k, l) in lines.iter().enumerate() {
        out.clear();
        w.line(k as u64 + 1, l.as_bytes(), &mut out);
        n += out.len();
    }
    n
}

#[inline(never)]
fn evaluate_all(w: &mut Lines, cases: &[Decoded]) -> usize {
    cases
        .iter()
        .map(|c| black_box(w.evaluate(black_box(c))))
        .sum()
}

/// The fastest of `rounds` timings of `f`, per case.
fn fastest(rounds: usize, n: usize, mut f: impl FnMut() -> usize) -> f64 {
    (0..rounds)
        .map(|_| {
            let t = std::time::Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e9 / n as f64
        })
        .fold(f64::INFINITY, f64::min)
}

fn ratio(n: usize) {
    let lines = gen::cases(gen::SEED, n);
    let facts: Vec<native::Facts> = lines
        .iter()
        .map(|l| native::decode(l).expect("valid case"))
        .collect();
    let regula = Regula::shanghai();
    let decoded = regula.decode(&lines);
    let b = regula.batch();
    let mut w = b.lines();
    let (mut a, mut c) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..10 {
        a = a.min(fastest(3, n, || evaluate_all(&mut w, &decoded)));
        c = c.min(fastest(3, n, || native_all(&facts)));
    }
    println!("(a) {a:.1} ns/case, (c) {c:.1} ns/case: {:.2}x", a / c);
}

/// The end-to-end lines (the Shanghai opinions alone, or `both`
/// documents): full derivations' throughput against cites', as
/// `end_to_end/regula_line_full` and `regula_line` measure them.
fn line_ratio(n: usize, both: bool) {
    let lines = gen::cases(gen::SEED, n);
    let regula = if both {
        Regula::new()
    } else {
        Regula::shanghai()
    };
    let (b, full) = (regula.batch(), regula.batch_full());
    let (mut wc, mut wf) = (b.lines(), full.lines());
    let (mut c, mut f) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        c = c.min(fastest(3, n, || lines_all(&mut wc, &lines)));
        f = f.min(fastest(3, n, || lines_all(&mut wf, &lines)));
    }
    println!(
        "cites {c:.1} ns/line, full {f:.1} ns/line: full's throughput {:.3} of cites'",
        c / f
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let set = args.next().unwrap_or_else(|| "alone".into());
    if set == "line_ratio" || set == "line_ratio_both" {
        let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
        line_ratio(n, set == "line_ratio_both");
        return;
    }
    if set == "ratio" {
        ratio(args.next().and_then(|s| s.parse().ok()).unwrap_or(100_000));
        return;
    }
    let n = args.next().and_then(|s| s.parse().ok()).unwrap_or(5_000);
    let lines = gen::cases(gen::SEED, n);
    if set == "native" {
        let facts: Vec<native::Facts> = lines
            .iter()
            .map(|l| native::decode(l).expect("valid case"))
            .collect();
        println!("native: {n} cases, {} cites", native_all(&facts));
        return;
    }
    let regula = match set.as_str() {
        "both" | "line_both" | "line_full_both" => Regula::new(),
        _ => Regula::shanghai(),
    };
    if set.starts_with("line") {
        let b = if set.starts_with("line_full") {
            regula.batch_full()
        } else {
            regula.batch()
        };
        let mut w = b.lines();
        let bytes = lines_all(&mut w, &lines);
        println!("{set}: {n} lines, {bytes} bytes");
        return;
    }
    let decoded = regula.decode(&lines);
    let b = regula.batch();
    let mut w = b.lines();
    let cites = evaluate_all(&mut w, &decoded);
    println!("{set}: {n} cases, {cites} cites");
}
