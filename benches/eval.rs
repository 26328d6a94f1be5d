//! regula against a hand-written native baseline and against Rego (regorus),
//! over the same 100,000 generated cases, in one run:
//!
//! - (a) regula: every outcome with missing facts and cites, cases pre-decoded
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
//! Run: `cargo bench --bench eval` (REGULA_BENCH_CASES to change the count).
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use regula::batch::{Batch, LineResult};
use regula::case::{self, Case, Schema};
use regula::program::Program;
use regula::report::Detail;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

mod gen;
mod native;

fn program() -> Program {
    regula::check::check(&regula::load::embedded())
        .program
        .expect("the shipped policies check")
}

fn count() -> usize {
    std::env::var("REGULA_BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// The cases as JSON lines, also written to a file for the binary.
fn cases_file(lines: &[String]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(format!("cases-{}.jsonl", lines.len()));
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).expect("write cases");
    path
}

/// regula's report lines for every case (one thread, in process).
fn regula_lines(b: &Batch, lines: &[String]) -> Vec<u8> {
    let mut w = b.worker();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let r = w.line(i as u64 + 1, l.as_bytes(), &mut out);
        assert_ne!(r, LineResult::Error, "generated case {} is invalid", i + 1);
    }
    out
}

/// The native baseline agrees with regula on every case, byte for byte:
/// values, missing facts and cites.
fn check_native(regula_out: &[u8], lines: &[String]) {
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

struct Rego {
    engine: regorus::Engine,
}

impl Rego {
    fn new() -> Rego {
        let mut engine = regorus::Engine::new();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/rego/provisions.rego");
        let text = std::fs::read_to_string(path).expect("rego policy");
        engine
            .add_policy("provisions.rego".into(), text)
            .expect("rego policy parses");
        Rego { engine }
    }
    fn eval(&mut self, input: regorus::Value) -> regorus::Value {
        self.engine.set_input(input);
        self.engine
            .eval_rule("data.regula.outcomes".into())
            .expect("rego evaluates")
    }
}

/// Rego's values agree with regula's on the first `n` cases.
fn check_rego(rego: &mut Rego, regula_out: &[u8], lines: &[String], n: usize) {
    let r = std::str::from_utf8(regula_out).expect("utf-8");
    for (k, (report, line)) in r.lines().zip(lines).take(n).enumerate() {
        let report: serde_json::Value = serde_json::from_str(report).expect("json");
        let input = regorus::Value::from_json_str(line).expect("json");
        let got: serde_json::Value =
            serde_json::from_str(&rego.eval(input).to_json_str().expect("json")).expect("json");
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

fn benches(c: &mut Criterion) {
    let n = count();
    let p = program();
    let lines = gen::cases(gen::SEED, n);
    let file = cases_file(&lines);
    let b = Batch::new(&p, Detail::Cites, None, "cases.jsonl");
    let reference = regula_lines(&b, &lines);
    check_native(&reference, &lines);
    eprintln!("native baseline agrees with regula on all {n} cases");
    let mut rego = Rego::new();
    let rego_checked = std::env::var("REGULA_BENCH_REGO_CHECK")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(n);
    check_rego(&mut rego, &reference, &lines, rego_checked.min(n));
    eprintln!("rego agrees with regula on {} cases", rego_checked.min(n));

    // Pre-decoded cases for the evaluation-only measurements.
    let schema = Schema::new(&p);
    let decoded: Vec<Case> = lines
        .iter()
        .map(|l| case::decode_json(&p, &schema, l).expect("valid case"))
        .collect();
    let facts: Vec<native::Facts> = lines
        .iter()
        .map(|l| native::decode(l).expect("valid case"))
        .collect();
    let rego_inputs: Vec<regorus::Value> = lines
        .iter()
        .take(20_000)
        .map(|l| regorus::Value::from_json_str(l).expect("json"))
        .collect();

    let mut g = c.benchmark_group("evaluate");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(8));
    {
        let mut w = b.worker();
        let mut i = 0;
        g.bench_function("a_regula_cites", |bench| {
            bench.iter(|| {
                let case = &decoded[i % n];
                i += 1;
                black_box(w.evaluate_case(case).expect("evaluates"))
            })
        });
    }
    {
        let mut ws = regula::eval::Workspace::new(&p);
        let mut i = 0;
        g.bench_function("b_regula_full_derivations", |bench| {
            bench.iter(|| {
                let case = &decoded[i % n];
                i += 1;
                let as_of = case.as_of.expect("as_of");
                ws.evaluate(&p, &case.facts, as_of, regula::eval::Record::ALL)
                    .expect("evaluates");
                black_box(ws.ev.derivations().map_or(0, |d| d.size()))
            })
        });
    }
    {
        let mut out: [native::Out; 23] = std::array::from_fn(|_| native::Out {
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
    {
        let mut w = b.worker();
        let mut out = Vec::with_capacity(1 << 16);
        let mut i = 0;
        g.bench_function("regula_line", |bench| {
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
                let out = Command::new(env!("CARGO_BIN_EXE_regula"))
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
        bench.iter(|| {
            let raw = regula::load::embedded();
            black_box(regula::check::check(&raw).program.is_some())
        })
    });
    g.finish();
}

criterion_group! {
    name = all;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(all);
