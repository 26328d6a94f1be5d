//! `regula serve` over real sockets: the real binary on a free loopback
//! port, a keep-alive client, and every answer compared with what the
//! command line prints for the same case.
use crate::common::{regula_in, root, scratch_root};
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[path = "../benches/http_client.rs"]
mod http_client;
use http_client::{Conn, Response};

const JSON: (&str, &str) = ("content-type", "application/json");

/// A request to refuse: method, path, content type, body.
type Refused<'a> = (&'a str, &'a str, (&'a str, &'a str), &'a [u8]);

/// A running `regula serve`, stopped when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        Server::start_in(&root(), args)
    }

    fn start_in(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_regula"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start regula serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let log2 = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(at) = line.find("listening on http://") {
                    let rest = &line[at + "listening on http://".len()..];
                    let addr = rest.split_whitespace().next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
                log2.lock().expect("log").push(line);
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("the server logs its address");
        Server {
            child,
            addr: addr.parse().expect("an address"),
            log,
        }
    }

    fn conn(&self) -> Conn {
        Conn::connect(self.addr).expect("connect")
    }

    fn get(&self, path: &str) -> Response {
        self.conn().request("GET", path, &[], b"").expect("GET")
    }

    fn post(&self, path: &str, body: &[u8]) -> Response {
        self.conn()
            .request("POST", path, &[JSON], body)
            .expect("POST")
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(ok.success());
    }

    fn log(&self) -> String {
        self.log.lock().expect("log").join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn shared_cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/cases/shared"))
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let s = p.to_string_lossy();
            s.ends_with(".json") && !s.ends_with(".expected.json")
        })
        .collect();
    v.sort();
    v
}

fn cli_json(args: &[&str]) -> serde_json::Value {
    let out = regula_in(&root(), args);
    serde_json::from_slice(&out.stdout).expect("the command line prints JSON")
}

/// A scratch directory of its own for a test.
fn scratch(name: &str) -> PathBuf {
    let d = scratch_root().join(format!("serve-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch");
    d
}

/// Every outcome `regula explain` accepts — each one the report holds,
/// the national line's own `national.in_force` among them — the server
/// explains with the command line's body, departures included; a name
/// neither knows is refused by both with the same suggestion.
#[test]
fn explain_accepts_every_outcome_of_both_documents() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    for case in [
        "examples/injury-out-of-town-no-branch.json",
        "policies/paiqian-zanxing-guiding-2014/tests/00-in-2029.json",
    ] {
        let body = std::fs::read(root().join(case)).expect("case");
        let report = cli_json(&["eval", "--format", "json", case]);
        let names: Vec<String> = report["outcomes"]
            .as_object()
            .expect("outcomes")
            .keys()
            .cloned()
            .collect();
        assert!(names.iter().any(|n| n == "national.in_force"));
        for outcome in &names {
            let r = c
                .request("POST", &format!("/v1/explain/{outcome}"), &[JSON], &body)
                .expect("explain");
            assert_eq!(r.status, 200, "{case} {outcome}: {}", r.text());
            let want = cli_json(&["explain", "--format", "json", case, outcome]);
            assert_eq!(r.json(), want, "{case} explain {outcome}");
            if outcome != "in_force" && !outcome.ends_with(".in_force") {
                assert!(r.json()["departures"].is_array(), "{case} {outcome}");
            }
        }
    }
    let r = c
        .request("POST", "/v1/explain/national.in_forse", &[JSON], b"{}")
        .expect("explain");
    assert_eq!(r.status, 404);
    let out = regula_in(
        &root(),
        &[
            "explain",
            "--error-format",
            "json",
            "examples/injury-out-of-town-no-branch.json",
            "national.in_forse",
        ],
    );
    let cli: serde_json::Value = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find(|l| l.contains("\"code\""))
        .map(|l| serde_json::from_str(l).expect("json"))
        .expect("a diagnostic");
    let served = r.json().to_string();
    assert!(
        served.contains("national.in_force") && cli.to_string().contains("national.in_force"),
        "both suggest national.in_force: {served} / {cli}"
    );
}

#[test]
fn eval_and_explain_answer_as_the_command_line() {
    let s = Server::start(&[]);
    let mut c = s.conn();
    for case in shared_cases() {
        let path = case.to_string_lossy().to_string();
        let body = std::fs::read(&case).expect("case");
        for detail in ["none", "cites", "full"] {
            let r = c
                .request(
                    "POST",
                    &format!("/v1/eval?derivations={detail}"),
                    &[JSON],
                    &body,
                )
                .expect("eval");
            assert_eq!(r.status, 200, "{path}: {}", r.text());
            let want = cli_json(&["eval", "--format", "json", "--derivations", detail, &path]);
            assert_eq!(r.json(), want, "{path} --derivations {detail}");
        }
        let r = c
            .request("POST", "/v1/eval?at=2029-01-01", &[JSON], &body)
            .expect("eval");
        let want = cli_json(&["eval", "--format", "json", "--at", "2029-01-01", &path]);
        assert_eq!(r.json(), want, "{path} --at");
        for outcome in ["injury.applicant", "equal_pay.penalty_due", "in_force"] {
            let r = c
                .request("POST", &format!("/v1/explain/{outcome}"), &[JSON], &body)
                .expect("explain");
            assert_eq!(r.status, 200);
            let want = cli_json(&["explain", "--format", "json", &path, outcome]);
            assert_eq!(r.json(), want, "{path} explain {outcome}");
        }
    }
    // YAML and TOML by content type, and no content type at all.
    let yaml =
        "as_of: 2025-03-01\ninjury:\n  occurred: true\nagency:\n  registered_in_shanghai: true\n";
    let toml = "as_of = \"2025-03-01\"\n[injury]\noccurred = true\n[agency]\nregistered_in_shanghai = true\n";
    let json = br#"{"as_of":"2025-03-01","injury":{"occurred":true},"agency":{"registered_in_shanghai":true}}"#;
    let want = c
        .request("POST", "/v1/eval", &[JSON], json)
        .expect("eval")
        .json();
    for (ct, body) in [
        ("application/yaml", yaml.as_bytes()),
        ("application/toml", toml.as_bytes()),
    ] {
        let r = c
            .request("POST", "/v1/eval", &[("content-type", ct)], body)
            .expect("eval");
        assert_eq!(r.status, 200, "{ct}: {}", r.text());
        assert_eq!(r.json(), want, "{ct}");
    }
    let r = c.request("POST", "/v1/eval", &[], json).expect("eval");
    assert_eq!(r.json(), want);
}

/// Refusals: the status, and the diagnostics `--error-format json` prints.
#[test]
fn bad_requests_are_refused_with_diagnostics() {
    let s = Server::start(&["--body-limit", "2000"]);
    let dir = scratch("errors");
    let mut c = s.conn();
    let mut transcript = String::new();
    let cases: [Refused; 10] = [
        (
            "POST",
            "/v1/eval",
            JSON,
            br#"{"as_of":"2025-03-01","agency":{"registerd_in_shanghai":true}}"#,
        ),
        (
            "POST",
            "/v1/eval",
            JSON,
            br#"{"agency":{"registered_in_shanghai":"yes"},"as_of":"2025-02-30"}"#,
        ),
        ("POST", "/v1/eval", JSON, br#"{"injury":{"occurred":true}}"#),
        ("POST", "/v1/eval", JSON, b"{not json"),
        ("POST", "/v1/eval?derivation=full", JSON, b"{}"),
        ("POST", "/v1/eval?at=2025-13-01", JSON, b"{}"),
        (
            "POST",
            "/v1/eval",
            ("content-type", "application/xml"),
            b"<case/>",
        ),
        ("POST", "/v1/explain/injury.aplicant", JSON, b"{}"),
        ("GET", "/v1/evaluate", JSON, b""),
        ("PUT", "/v1/eval", JSON, b"{}"),
    ];
    for (method, path, ct, body) in cases {
        let r = c.request(method, path, &[ct], body).expect("request");
        assert!(r.status >= 400 && r.status < 500, "{path}: {}", r.status);
        let j = r.json();
        transcript.push_str(&format!(
            "{method} {path} {}\n→ {}\n{}\n\n",
            String::from_utf8_lossy(body),
            r.status,
            serde_json::to_string_pretty(&j).expect("json")
        ));
        // A case's problems are those `regula eval` names, for a file
        // called as the server calls the body.
        if r.status == 422 {
            std::fs::write(dir.join("request"), body).expect("write");
            let out = regula_in(&dir, &["eval", "--error-format", "json", "request"]);
            let cli: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
                .lines()
                // Diagnostics, not the closing summary line.
                .filter(|l| l.starts_with("{\"severity\"") && l.contains("\"code\""))
                .map(|l| serde_json::from_str(l).expect("json"))
                .collect();
            assert_eq!(j["errors"], serde_json::Value::Array(cli), "{path}");
        }
    }
    let big = vec![b' '; 2001];
    let r = c
        .request("POST", "/v1/eval", &[JSON], &big)
        .expect("request");
    assert_eq!(r.status, 413);
    transcript.push_str(&format!(
        "POST /v1/eval (2001 bytes)\n→ {}\n{}\n",
        r.status,
        serde_json::to_string_pretty(&r.json()).expect("json")
    ));
    insta::assert_snapshot!("serve_bad_requests", transcript);
    // The connection stays usable after refusals.
    let r = c
        .request("POST", "/v1/eval", &[JSON], br#"{"as_of":"2025-03-01"}"#)
        .expect("request");
    assert_eq!(r.status, 200);
}

/// JSON lines in, report lines out, in input order, one error record per
/// bad line: exactly `regula batch`'s output for the same input.
#[test]
fn batch_streams_what_regula_batch_prints() {
    let s = Server::start(&[]);
    let dir = scratch("batch");
    let mut input = String::new();
    for case in shared_cases() {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(case).expect("case")).expect("json");
        input.push_str(&serde_json::to_string(&v).expect("json"));
        input.push('\n');
    }
    input
        .push_str("not json\n\n{\"as_of\":\"2025-03-01\",\"agency\":{\"x\":1}}\n{\"injury\":{}}\n");
    // Many lines, so that the answer streams in several chunks.
    let many: String = input.repeat(400);
    std::fs::write(dir.join("request"), &many).expect("write");
    let out = regula_in(&dir, &["batch", "--jobs", "2", "request"]);
    let want = String::from_utf8(out.stdout).expect("utf-8");
    let addr = s.addr;
    let body = many.clone().into_bytes();
    // Write the body on one thread and read on another, as a streaming
    // client does: the server reads only as fast as it answers.
    let mut c = Conn::connect(addr).expect("connect");
    let mut w = c.stream().try_clone().expect("clone");
    let writer = std::thread::spawn(move || {
        let head = format!(
            "POST /v1/batch HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-ndjson\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        w.write_all(head.as_bytes()).expect("head");
        for chunk in body.chunks(4096) {
            w.write_all(chunk).expect("body");
        }
    });
    let r = c.receive().expect("batch");
    writer.join().expect("writer");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let got = r.text();
    assert_eq!(got.lines().count(), many.lines().count());
    assert_eq!(got, want);
    // ?derivations and ?at as in `regula batch`.
    let r = c
        .request(
            "POST",
            "/v1/batch?derivations=none&at=2026-01-01",
            &[],
            input.as_bytes(),
        )
        .expect("batch");
    std::fs::write(dir.join("request"), &input).expect("write");
    let out = regula_in(
        &dir,
        &[
            "batch",
            "--derivations",
            "none",
            "--at",
            "2026-01-01",
            "request",
        ],
    );
    assert_eq!(r.text(), String::from_utf8(out.stdout).expect("utf-8"));
}

#[test]
fn schema_policies_health_metrics_and_the_page() {
    let s = Server::start(&[]);
    let r = s.get("/v1/schema");
    assert_eq!(r.status, 200);
    let cli = regula_in(&root(), &["schema"]);
    let want: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("json");
    assert_eq!(r.json(), want);
    insta::assert_snapshot!(
        "serve_schema",
        String::from_utf8_lossy(&cli.stdout).to_string()
    );
    let p = s.get("/v1/policies").json();
    assert_eq!(p["version"], 1);
    assert_eq!(p["documents"][0]["id"], "沪人社规〔2023〕32号");
    // 30 rules of the Shanghai opinions, 24 of the national rules.
    assert_eq!(p["rules"].as_array().map(Vec::len), Some(54));
    // `in_force` and `national.in_force`, 25 outcomes of the Shanghai
    // opinions, 17 national ones.
    assert_eq!(p["outcomes"].as_array().map(Vec::len), Some(44));
    assert_eq!(p["outcomes"][1]["name"], "national.in_force");
    let applicant = p["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["name"] == "applicant_host")
        .expect("applicant_host");
    assert_eq!(applicant["cites"], "4.2");
    assert_eq!(applicant["exception_to"][0], "applicant_agency_or_branch");
    assert_eq!(p["reload"]["status"], "ok");
    assert_eq!(s.get("/healthz").json()["status"], "ok");
    s.post("/v1/eval", br#"{"as_of":"2025-03-01"}"#);
    s.post("/v1/eval", br#"{}"#);
    let m = s.get("/metrics").text();
    for line in [
        "regula_http_requests_total{route=\"/v1/eval\",status=\"200\"} 1",
        "regula_http_requests_total{route=\"/v1/eval\",status=\"422\"} 1",
        "regula_http_errors_total{route=\"/v1/eval\"} 1",
        "regula_http_request_duration_seconds_count{route=\"/v1/eval\"} 2",
        "regula_policy_reloads_total{result=\"ok\"} 0",
        "regula_policy_version 1",
    ] {
        assert!(m.contains(line), "{line} not in\n{m}");
    }
    let page = s.get("/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<html lang=\"zh-CN\">"));
    assert!(s.get("/app.js").text().contains("nextFact"));
}

/// The committed OpenAPI document names exactly the routes the server
/// answers, each with its method.
#[test]
fn openapi_document_matches_the_routes() {
    let doc: serde_json::Value = serde_json::from_str(regula::serve::OPENAPI).expect("json");
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    documented.sort();
    let mut routes: Vec<(String, String)> = regula::serve::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routes.sort();
    assert_eq!(documented, routes);
    let s = Server::start(&[]);
    assert_eq!(s.get("/openapi.json").json(), doc);
    let mut c = s.conn();
    for (method, path) in &routes {
        let path = path.replace("{outcome}", "injury.applicant");
        let r = c
            .request(method, &path, &[JSON], br#"{"as_of":"2025-03-01"}"#)
            .expect("request");
        assert_eq!(r.status, 200, "{method} {path}: {}", r.text());
        let other = if method == "GET" { "DELETE" } else { "GET" };
        let r = c.request(other, &path, &[], b"").expect("request");
        assert_eq!(r.status, 405, "{other} {path}");
    }
    assert_eq!(
        c.request("GET", "/v2/eval", &[], b"").expect("r").status,
        404
    );
}

fn copy_policies(dir: &Path) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for e in std::fs::read_dir(from).expect("policies") {
            let p = e.expect("entry").path();
            let target = to.join(p.file_name().expect("name"));
            if p.is_dir() {
                copy(&p, &target);
            } else {
                std::fs::copy(&p, target).expect("copy");
            }
        }
    }
    // The whole set: the Shanghai opinions implement the national rules,
    // and neither folder loads alone.
    let to = dir.join("policies");
    copy(&root().join("policies"), &to);
    to.join("hurenshegui-2023-32")
}

const WAGE_CASE: &[u8] = br#"{"as_of":"2025-03-01","wage_arrears":{"fund_case":true,"facts_established":true,"previous_advances":1}}"#;

fn advance_permitted(r: &Response) -> serde_json::Value {
    r.json()["outcomes"]["wage_arrears.advance_permitted"]["value"].clone()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited in vain: {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// SIGHUP reloads: a good edit is swapped in, a broken one is refused with
/// its diagnostics while the old set keeps serving, and requests during
/// reloads each see one whole set.
#[test]
fn reload_swaps_whole_sets_and_keeps_the_old_one_on_errors() {
    let dir = scratch("reload");
    let pol = copy_policies(&dir);
    let s = Server::start_in(&dir, &["--policies", "policies"]);
    let file = pol.join("06-wage-arrears.policy");
    let original = std::fs::read_to_string(&file).expect("read");
    assert!(original.contains("= 1"), "{original}");
    assert_eq!(advance_permitted(&s.post("/v1/eval", WAGE_CASE)), false);
    // A good edit: two advances per matter.
    let two = original.replacen("= 1", "= 2", 1);
    std::fs::write(&file, &two).expect("write");
    s.signal("-HUP");
    wait_for("version 2", || {
        s.get("/healthz").json()["policy_version"] == 2
    });
    assert_eq!(advance_permitted(&s.post("/v1/eval", WAGE_CASE)), true);
    // A broken edit: refused; version 2 keeps serving.
    std::fs::write(
        &file,
        format!("{two}\nrule broken cites 6.1 \"x\" then nothing =\n"),
    )
    .expect("write");
    s.signal("-HUP");
    wait_for("the refusal", || {
        s.get("/v1/policies").json()["reload"]["status"] == "refused"
    });
    let p = s.get("/v1/policies").json();
    assert_eq!(p["version"], 2);
    let diags = p["reload"]["diagnostics"].as_array().expect("diagnostics");
    assert!(!diags.is_empty());
    assert!(diags
        .iter()
        .all(|d| d["code"].is_string() && d["message"].is_string()));
    assert!(s.log().contains("policy reload refused"), "{}", s.log());
    assert_eq!(advance_permitted(&s.post("/v1/eval", WAGE_CASE)), true);
    let m = s.get("/metrics").text();
    assert!(
        m.contains("regula_policy_reloads_total{result=\"ok\"} 1"),
        "{m}"
    );
    assert!(
        m.contains("regula_policy_reloads_total{result=\"refused\"} 1"),
        "{m}"
    );
    // Reloads back and forth under load: every answer is one set's or the
    // other's, whole.
    let one = {
        std::fs::write(&file, &original).expect("write");
        s.signal("-HUP");
        wait_for("version 3", || {
            s.get("/healthz").json()["policy_version"] == 3
        });
        s.post("/v1/eval?derivations=full", WAGE_CASE).json()
    };
    let two_report = {
        std::fs::write(&file, &two).expect("write");
        s.signal("-HUP");
        wait_for("version 4", || {
            s.get("/healthz").json()["policy_version"] == 4
        });
        s.post("/v1/eval?derivations=full", WAGE_CASE).json()
    };
    assert_ne!(one, two_report);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let addr = s.addr;
    let loaders: Vec<_> = (0..2)
        .map(|_| {
            let stop = Arc::clone(&stop);
            let (one, two_report) = (one.clone(), two_report.clone());
            std::thread::spawn(move || {
                let mut c = Conn::connect(addr).expect("connect");
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let r = c
                        .request("POST", "/v1/eval?derivations=full", &[JSON], WAGE_CASE)
                        .expect("eval")
                        .json();
                    assert!(r == one || r == two_report, "a mixed report: {r}");
                    n += 1;
                }
                n
            })
        })
        .collect();
    for (i, text) in [&original, &two, &original, &two].iter().enumerate() {
        std::fs::write(&file, text).expect("write");
        s.signal("-HUP");
        let v = 5 + i as u64;
        wait_for("a reload", || {
            s.get("/healthz").json()["policy_version"] == v
        });
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for l in loaders {
        assert!(l.join().expect("no mixed report") > 0);
    }
}

#[test]
fn watch_reloads_on_an_edit() {
    let dir = scratch("watch");
    let pol = copy_policies(&dir);
    let s = Server::start_in(&dir, &["--policies", "policies", "--watch"]);
    let file = pol.join("06-wage-arrears.policy");
    let original = std::fs::read_to_string(&file).expect("read");
    // Past the modification time's resolution.
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::write(&file, original.replacen("= 1", "= 2", 1)).expect("write");
    wait_for("the watched edit", || {
        s.get("/healthz").json()["policy_version"] == 2
    });
    assert_eq!(advance_permitted(&s.post("/v1/eval", WAGE_CASE)), true);
}

/// A request whose body never finishes is answered 408 at the timeout; with
/// the concurrency limit reached, another is refused with 503.
#[test]
fn timeout_and_concurrency_limits() {
    let s = Server::start(&["--timeout", "1", "--concurrency", "1"]);
    let mut slow = s.conn();
    slow.stream()
        .write_all(b"POST /v1/eval HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
        .expect("head");
    std::thread::sleep(Duration::from_millis(200));
    let r = s.post("/v1/eval", br#"{"as_of":"2025-03-01"}"#);
    assert_eq!(r.status, 503, "{}", r.text());
    assert_eq!(r.json()["errors"][0]["code"], "regula::bad-request");
    let r = slow.receive().expect("the timeout's answer");
    assert_eq!(r.status, 408, "{}", r.text());
    // The limit is free again.
    let r = s.post("/v1/eval", br#"{"as_of":"2025-03-01"}"#);
    assert_eq!(r.status, 200);
}

/// SIGTERM stops accepting, finishes the request in flight, then exits 0.
#[test]
fn graceful_shutdown_finishes_requests_in_flight() {
    let mut s = Server::start(&[]);
    let body = br#"{"as_of":"2025-03-01"}"#;
    let mut c = s.conn();
    let head = format!(
        "POST /v1/eval HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    c.stream().write_all(head.as_bytes()).expect("head");
    c.stream().write_all(&body[..5]).expect("part");
    std::thread::sleep(Duration::from_millis(200));
    s.signal("-TERM");
    std::thread::sleep(Duration::from_millis(300));
    c.stream().write_all(&body[5..]).expect("rest");
    let r = c.receive().expect("answered");
    assert_eq!(r.status, 200);
    let status = s.child.wait().expect("exits");
    assert!(status.success(), "{status:?}");
    assert!(s.log().contains("shutting down"), "{}", s.log());
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = regula_in(&root(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("serve") && text.contains("schema"), "{shell}");
    }
    let out = regula_in(&root(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
}
