//! regula against a hand-written native baseline and against Rego (regorus),
//! over the same 100,000 generated cases, in one run:
//!
//! - (a) regula: every outcome with missing facts and cites, cases pre-decoded,
//!   the Shanghai opinions alone (the outcomes (c) computes); and the same
//!   with the shipped set (both documents)
//! - (b) regula: every outcome with its full derivation, cases pre-decoded
//! - (c) native: every outcome with missing facts and cites, cases pre-decoded
//! - (d) Rego v1 on regorus: every outcome's value, engine loaded once
//! - (e) end to end, JSON in and out: native and regula per line on one
//!   thread, and the `regula batch` binary over the whole file, 1 and 2 threads
//! - (f) loading and checking the shipped policies
//!
//! Before measuring, the native baseline's report lines are checked to equal
//! `regula batch`'s byte for byte on every case, and Rego's values to equal
//! regula's on every case it is run on. Per-case benchmarks cycle through
//! the cases, so each measurement covers all of them (Rego: as many as its
//! measurement time reaches).
//!
//! Run: `cargo bench -p regula-bench` (REGULA_BENCH_CASES to change the
//! count). regula is reached only through `regula_bench::adapter`.
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use regula_bench::adapter::{self, Regula};
use regula_bench::agree::{check_native, check_native_alone, check_rego, regula_lines};
use regula_bench::rego::{self, Rego};
use regula_bench::{cases_file, gen, native};
use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

fn count() -> usize {
    std::env::var("REGULA_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

fn benches(c: &mut Criterion) {
    let n = count();
    let regula = Regula::new();
    let lines = gen::cases(gen::SEED, n);
    let file = cases_file(&lines);
    let b = regula.batch();
    let reference = regula_lines(&b, &lines);
    check_native(&reference, &lines);
    eprintln!("native baseline agrees with regula on all {n} cases");
    // (a) and (c) compare like with like: the Shanghai opinions alone, the
    // outcomes the native baseline computes and no others.
    let alone = Regula::shanghai();
    let b_alone = alone.batch();
    check_native_alone(&regula_lines(&b_alone, &lines), &lines);
    eprintln!("native baseline agrees with the Shanghai opinions alone on all {n} cases");
    let mut rego = Rego::new();
    let rego_checked = std::env::var("REGULA_BENCH_REGO_CHECK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    check_rego(&mut rego, &reference, &lines, rego_checked.min(n));
    eprintln!("rego agrees with regula on {} cases", rego_checked.min(n));

    // Pre-decoded cases for the evaluation-only measurements.
    let decoded = regula.decode(&lines);
    let decoded_alone = alone.decode(&lines);
    let facts: Vec<native::Facts> = lines
        .iter()
        .map(|l| native::decode(l).expect("valid case"))
        .collect();
    let rego_inputs: Vec<rego::Value> = lines.iter().take(20_000).map(|l| Rego::input(l)).collect();

    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(8));
    // (a) on the Shanghai opinions alone, the outputs (c) computes; and the
    // same on the shipped set, the national rules' outcomes too.
    for (name, reports, cases) in [
        ("a_regula_cites", &b_alone, &decoded_alone),
        ("a_regula_cites_both_documents", &b, &decoded),
    ] {
        let mut w = reports.lines();
        let mut i = 0;
        g.bench_function(name, |bench| {
            bench.iter(|| {
                let case = &cases[i % n];
                i += 1;
                black_box(w.evaluate(case))
            })
        });
    }
    // (b) likewise: the Shanghai opinions alone, then the shipped set.
    for (name, set, cases) in [
        ("b_regula_full_derivations", &alone, &decoded_alone),
        (
            "b_regula_full_derivations_both_documents",
            &regula,
            &decoded,
        ),
    ] {
        let mut full = set.full();
        let mut i = 0;
        g.bench_function(name, |bench| {
            bench.iter(|| {
                let case = &cases[i % n];
                i += 1;
                black_box(full.evaluate(case))
            })
        });
    }
    {
        let mut out: [native::Out; 25] = std::array::from_fn(|_| native::Out {
            v: native::V::Na,
            missing: 0,
            cites: &[],
        });
        let mut i = 0;
        g.bench_function("c_native_cites", |bench| {
            bench.iter(|| {
                let f = &facts[i % n];
                i += 1;
                black_box(native::evaluate(black_box(f), &mut out));
                black_box(&out);
            })
        });
    }
    {
        let mut i = 0;
        let m = rego_inputs.len();
        g.bench_function("d_rego_regorus", |bench| {
            bench.iter_batched(
                || {
                    let v = rego_inputs[i % m].clone();
                    i += 1;
                    v
                },
                |input| black_box(rego.eval(input)),
                BatchSize::SmallInput,
            )
        });
    }
    g.finish();

    let mut g = c.benchmark_group("end_to_end");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(8));
    {
        let mut out = Vec::with_capacity(1 << 16);
        let mut i = 0;
        g.bench_function("native_line", |bench| {
            bench.iter(|| {
                out.clear();
                let k = i % n;
                i += 1;
                native::line(&mut out, k as u64 + 1, &lines[k]).expect("native");
                black_box(out.len())
            })
        });
    }
    // The same line with every outcome's full derivation
    // (`--derivations full`): the target is a third of `regula_line`'s
    // throughput or better. The Shanghai opinions alone (the set the target
    // was set on, the outcomes the native line writes), then the shipped
    // set, whose full lines are twice as long.
    let full_alone = alone.batch_full();
    let full = regula.batch_full();
    for (name, reports) in [
        ("regula_line", &b_alone),
        ("regula_line_full", &full_alone),
        ("regula_line_both_documents", &b),
        ("regula_line_full_both_documents", &full),
    ] {
        let mut w = reports.lines();
        let mut out = Vec::with_capacity(1 << 20);
        let mut i = 0;
        g.bench_function(name, |bench| {
            bench.iter(|| {
                out.clear();
                let k = i % n;
                i += 1;
                w.line(k as u64 + 1, lines[k].as_bytes(), &mut out);
                black_box(out.len())
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("batch_binary");
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(15));
    for jobs in ["1", "2"] {
        g.bench_function(format!("regula_batch_jobs_{jobs}"), |bench| {
            bench.iter(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_regula-cli"))
                    .args(["batch", "--jobs", jobs, "-o", "/dev/null"])
                    .arg(&file)
                    .output()
                    .expect("run regula batch");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("policies");
    g.bench_function("f_load_and_check", |bench| {
        bench.iter(|| black_box(adapter::load_and_check()))
    });
    g.finish();
}

criterion_group! {
    name = all;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(all);
