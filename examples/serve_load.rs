//! Load test of `regula serve`: keep-alive connections on loopback post
//! cases to `/v1/eval?derivations=cites` as fast as the server answers,
//! bounded in count and in time, and every answer is checked byte for byte
//! against what `regula eval --format json --derivations cites` prints for
//! the same case (compact). Reports requests per second, latency
//! percentiles, lost and mismatched answers; exits 1 on any lost or
//! mismatched answer.
//!
//! ```sh
//! cargo build --release
//! cargo run --release --example serve_load                   # 200,000 requests or 30 s
//! cargo run --release --example serve_load -- 20000 10 8 2   # requests, seconds, connections, server threads
//! ```
//!
//! It runs the `regula` binary built beside it (`target/release/regula`),
//! or the one `REGULA_BIN` names.
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "../benches/gen.rs"]
mod gen;
#[path = "../benches/http_client.rs"]
mod http_client;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let arg = |i: usize, d: u64| args.get(i).and_then(|s| s.parse::<u64>().ok()).unwrap_or(d);
    let total = arg(0, 200_000);
    let seconds = arg(1, 30);
    let conns = arg(2, 8).max(1);
    let threads = arg(3, 2).max(1);
    let regula = match std::env::var_os("REGULA_BIN") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::env::current_exe()
            .ok()
            .and_then(|e| Some(e.parent()?.parent()?.join("regula")))
            .unwrap_or_default(),
    };
    if !regula.is_file() {
        eprintln!(
            "error: no regula binary at `{}`; run `cargo build --release` first, or set REGULA_BIN",
            regula.display()
        );
        std::process::exit(2);
    }
    let regula = regula.as_path();

    // Distinct cases: the shared acceptance cases and generated ones, each
    // with its expected answer from `regula eval`.
    let dir = std::env::temp_dir().join(format!("regula-serve-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let mut cases: Vec<String> = Vec::new();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut shared: Vec<_> = std::fs::read_dir(format!("{root}/tests/cases/shared"))
        .expect("shared cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let s = p.to_string_lossy();
            s.ends_with(".json") && !s.ends_with(".expected.json")
        })
        .collect();
    shared.sort();
    for p in &shared {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(p).expect("read")).expect("json");
        cases.push(v.to_string());
    }
    cases.extend(gen::cases(gen::SEED, 188));
    let mut expected: Vec<Vec<u8>> = Vec::with_capacity(cases.len());
    let mut cites = 0usize;
    for (i, c) in cases.iter().enumerate() {
        let file = dir.join(format!("case-{i}.json"));
        std::fs::write(&file, c).expect("write case");
        let out = Command::new(regula)
            .args(["eval", "--format", "json", "--derivations", "cites"])
            .arg(&file)
            .output()
            .expect("regula eval");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("regula eval on case {i}: {e}"));
        cites += v["outcomes"].as_object().map_or(0, |o| {
            o.values().filter(|x| x.get("cites").is_some()).count()
        });
        let mut bytes = serde_json::to_vec(&v).expect("json");
        bytes.push(b'\n');
        expected.push(bytes);
    }
    let _ = std::fs::remove_dir_all(&dir);

    let mut server = Command::new(regula)
        .args(["serve", "--addr", "127.0.0.1:0", "--threads"])
        .arg(threads.to_string())
        .env("RUST_LOG", "warn,regula::serve=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start regula serve");
    let addr = {
        use std::io::BufRead;
        let stderr = server.stderr.take().expect("stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let addr = loop {
            let line = lines
                .next()
                .and_then(Result::ok)
                .expect("the server logs its address");
            if let Some(at) = line.find("listening on http://") {
                let rest = &line[at + "listening on http://".len()..];
                break rest.split_whitespace().next().unwrap_or("").to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        addr.parse::<SocketAddr>().expect("address")
    };

    // Warm-up, and the first check of every case.
    {
        let mut c = http_client::Conn::connect(addr).expect("connect");
        for (i, case) in cases.iter().enumerate() {
            let r = c
                .request(
                    "POST",
                    "/v1/eval?derivations=cites",
                    &[("content-type", "application/json")],
                    case.as_bytes(),
                )
                .expect("warm-up");
            assert_eq!(r.status, 200, "{}", r.text());
            assert_eq!(
                r.body, expected[i],
                "case {i}: the server's report differs from `regula eval`'s"
            );
        }
    }

    let sent = Arc::new(AtomicU64::new(0));
    let lost = Arc::new(AtomicU64::new(0));
    let mismatched = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let cases = Arc::new(cases);
    let expected = Arc::new(expected);
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..conns)
        .map(|k| {
            let (sent, lost, mismatched, stop) = (
                Arc::clone(&sent),
                Arc::clone(&lost),
                Arc::clone(&mismatched),
                Arc::clone(&stop),
            );
            let (cases, expected) = (Arc::clone(&cases), Arc::clone(&expected));
            std::thread::spawn(move || {
                let mut c = http_client::Conn::connect(addr).expect("connect");
                let mut lat: Vec<u32> = Vec::with_capacity((total / conns + 1) as usize);
                let mut i = k as usize;
                loop {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if sent.fetch_add(1, Ordering::Relaxed) >= total {
                        break;
                    }
                    let n = i % cases.len();
                    i += conns as usize;
                    let t = Instant::now();
                    let r = c.request(
                        "POST",
                        "/v1/eval?derivations=cites",
                        &[("content-type", "application/json")],
                        cases[n].as_bytes(),
                    );
                    let took = t.elapsed();
                    match r {
                        Ok(r) if r.status == 200 && r.body == expected[n] => {}
                        Ok(_) => {
                            mismatched.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            lost.fetch_add(1, Ordering::Relaxed);
                            match http_client::Conn::connect(addr) {
                                Ok(fresh) => c = fresh,
                                Err(_) => break,
                            }
                        }
                    }
                    lat.push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
                    if Instant::now() > deadline {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<u32> = Vec::new();
    for w in workers {
        lat.extend(w.join().expect("client thread"));
    }
    let secs = start.elapsed().as_secs_f64();
    let _ = server.kill();
    let _ = server.wait();
    lat.sort_unstable();
    let pct = |p: f64| {
        let i = ((lat.len() as f64 * p).ceil() as usize).saturating_sub(1);
        f64::from(lat.get(i).copied().unwrap_or(0)) / 1000.0
    };
    let done = lat.len() as u64;
    let lost = lost.load(Ordering::Relaxed);
    let mismatched = mismatched.load(Ordering::Relaxed);
    println!(
        "serve: {done} eval requests ({} distinct cases, {:.1} cites per report) on {conns} keep-alive connections, server on {threads} threads",
        expected.len(),
        cites as f64 / expected.len() as f64
    );
    println!(
        "serve: {:.0} requests/s over {secs:.2} s; latency p50 {:.3} ms, p90 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        done as f64 / secs,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "serve: {lost} lost, {mismatched} mismatched (each answer compared with `regula eval`)"
    );
    if lost > 0 || mismatched > 0 || done == 0 {
        std::process::exit(1);
    }
}
