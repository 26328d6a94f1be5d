//! The handlers of the HTTP API.
use super::state::Loaded;
use super::{AppState, Permit, OPENAPI};
use crate::batch::{self, Batch};
use crate::case::{self, CaseError, Format};
use crate::diag::{json_values, suggest, CaseProblem, Diag, Problem, Refusal};
use crate::program::{Program, Type};
use crate::report::{explain_json, write_report, Detail, Explained, Subject};
use crate::source::SourceMap;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use futures_util::StreamExt;
use serde_json::{json, Value as J};
use std::io::{self, Read, Write};
use std::sync::Arc;

/// The name a request's case has in diagnostics, as a file's name has in
/// `regula eval`'s.
const BODY: &str = "request";

/// An error answer: a status and diagnostics, as `--error-format json`
/// prints them, under `errors`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    errors: Vec<J>,
}

impl ApiError {
    fn diags(status: StatusCode, diags: &[Diag], sources: &SourceMap) -> ApiError {
        ApiError {
            status,
            errors: json_values(diags, sources),
        }
    }

    /// A request refused before evaluation.
    pub fn request(status: StatusCode, why: Refusal) -> ApiError {
        ApiError::diags(
            status,
            &[Diag::of(Problem::Refused(why))],
            &SourceMap::default(),
        )
    }

    fn case(errors: &[CaseError]) -> ApiError {
        ApiError::case_in(None, errors)
    }

    /// A case's problems, placed in its text as `regula eval` places them.
    fn case_in(text: Option<(&str, Format)>, errors: &[CaseError]) -> ApiError {
        let (diags, sources) = case::located_diags(BODY, text, errors, None);
        ApiError::diags(StatusCode::UNPROCESSABLE_ENTITY, &diags, &sources)
    }

    fn eval(p: &Program, e: &crate::eval::EvalError) -> ApiError {
        let d = Diag::of(Problem::Evaluation {
            on: None,
            fault: e.message(),
        })
        .label(e.span, "while evaluating this");
        ApiError::diags(StatusCode::UNPROCESSABLE_ENTITY, &[d], p.sources())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "errors": self.errors });
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

fn json_response(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

/// The query parameters of `eval`, `explain` and `batch`.
struct Params {
    detail: Detail,
    at: Option<NaiveDate>,
}

fn params(query: Option<&str>, default: Detail, allow_detail: bool) -> Result<Params, ApiError> {
    let mut p = Params {
        detail: default,
        at: None,
    };
    let bad = |why: Refusal| ApiError::request(StatusCode::BAD_REQUEST, why);
    let known: &[&str] = if allow_detail {
        &["derivations", "at"]
    } else {
        &["at"]
    };
    for pair in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let v = percent_decode(v);
        match k {
            "derivations" if allow_detail => {
                p.detail = match v.as_str() {
                    "none" => Detail::None,
                    "cites" => Detail::Cites,
                    "full" => Detail::Full,
                    _ => return Err(bad(Refusal::Detail(v))),
                }
            }
            "at" => match case::parse_date(&v) {
                Ok(d) => p.at = Some(d),
                Err(e) => return Err(bad(Refusal::At(e))),
            },
            _ => {
                return Err(bad(Refusal::Parameter {
                    name: k.to_string(),
                    known: known.iter().map(|k| k.to_string()).collect(),
                    suggestion: suggest(k, known.iter().copied()).map(str::to_string),
                }));
            }
        }
    }
    Ok(p)
}

/// `%XX` and `+` decoded; anything malformed is kept as written.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = b
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(x) = hex {
                    out.push(x);
                    i += 2;
                } else {
                    out.push(c);
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The case format of a request, by its content type (JSON when none).
fn format(headers: &HeaderMap) -> Result<Format, ApiError> {
    let Some(ct) = headers.get(header::CONTENT_TYPE) else {
        return Ok(Format::Json);
    };
    let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
    let base = ct.split(';').next().unwrap_or("").trim();
    match base {
        "" | "application/json" | "text/json" | "application/x-ndjson" | "text/plain" => {
            Ok(Format::Json)
        }
        "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml" => Ok(Format::Yaml),
        "application/toml" | "text/toml" => Ok(Format::Toml),
        other if other.ends_with("+json") => Ok(Format::Json),
        other => Err(ApiError::request(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Refusal::MediaType(other.to_string()),
        )),
    }
}

/// The request body, up to `limit` bytes, as UTF-8 text.
async fn body_text(body: Body, limit: usize) -> Result<String, ApiError> {
    let mut stream = body.into_data_stream();
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::request(StatusCode::BAD_REQUEST, Refusal::Body(e.to_string()))
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::request(
                StatusCode::PAYLOAD_TOO_LARGE,
                Refusal::TooLarge(limit),
            ));
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|e| {
        ApiError::case(&[CaseError::whole(CaseProblem::BodyNotUtf8 {
            at: e.utf8_error().valid_up_to(),
        })])
    })
}

/// Decodes a case into pooled buffers, evaluates it and writes its report.
fn eval_into(
    cur: &Loaded,
    text: &str,
    fmt: Format,
    p: &Params,
    out: &mut Vec<u8>,
) -> Result<(), ApiError> {
    let engine = &cur.engine;
    let prog = engine.program();
    let mut bufs = cur.take();
    let fast = fmt == Format::Json
        && case::decode_json_into(prog, engine.schema(), text, &mut bufs.case, &mut bufs.texts);
    if !fast {
        // The ordinary decoder, for YAML and TOML, and for the exact errors.
        match case::decode_text(prog, engine.schema(), text, fmt) {
            Ok(c) => bufs.case = c,
            Err(errors) => {
                cur.put(bufs);
                return Err(ApiError::case_in(Some((text, fmt)), &errors));
            }
        }
    }
    let Some(as_of) = p.at.or(bufs.case.as_of) else {
        cur.put(bufs);
        return Err(ApiError::case(&[CaseError::no_as_of()]));
    };
    let result = bufs
        .ws
        .evaluate(prog, &bufs.case.facts, as_of, batch::record(p.detail))
        .and_then(|()| {
            let s = Subject::new(prog, &bufs.case.facts, &bufs.ws.ev)
                .with_fragments(engine.fragments());
            write_report(out, &s, p.detail, None, false)
        });
    cur.put(bufs);
    result.map_err(|e| ApiError::eval(prog, &e))?;
    out.push(b'\n');
    Ok(())
}

/// `POST /v1/eval`.
pub async fn eval(State(app): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let p = params(req.uri().query(), Detail::Full, true)?;
    let fmt = format(req.headers())?;
    let text = body_text(req.into_body(), app.config.body_limit).await?;
    let cur = app.policies.current();
    let mut out = Vec::with_capacity(4096);
    eval_into(&cur, &text, fmt, &p, &mut out)?;
    Ok(json_response(out))
}

/// `POST /v1/explain/{outcome}`.
pub async fn explain(
    State(app): State<Arc<AppState>>,
    Path(outcome): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    let p = params(req.uri().query(), Detail::Full, false)?;
    let fmt = format(req.headers())?;
    let cur = app.policies.current();
    let prog = cur.engine.program();
    // Every name `regula explain` accepts: the declared outcomes and the
    // in-force outcome of each line of documents.
    let Some(what) = Explained::find(prog, &outcome) else {
        return Err(ApiError::diags(
            StatusCode::NOT_FOUND,
            &[Explained::unknown(prog, &outcome)],
            &SourceMap::default(),
        ));
    };
    let text = body_text(req.into_body(), app.config.body_limit).await?;
    let c = case::decode_text(prog, cur.engine.schema(), &text, fmt)
        .map_err(|e| ApiError::case_in(Some((&text, fmt)), &e))?;
    let Some(as_of) = p.at.or(c.as_of) else {
        return Err(ApiError::case(&[CaseError::no_as_of()]));
    };
    let ev = crate::eval::evaluate(prog, &c.facts, as_of).map_err(|e| ApiError::eval(prog, &e))?;
    let s = Subject::new(prog, &c.facts, &ev).with_fragments(cur.engine.fragments());
    let (j, _conflict) = explain_json(&s, what).map_err(|e| ApiError::eval(prog, &e))?;
    let mut out = serde_json::to_vec(&j).unwrap_or_default();
    out.push(b'\n');
    Ok(json_response(out))
}

/// The request body as a blocking reader, for the batch thread: chunks
/// arrive through a bounded channel, so that a batch that cannot keep up
/// stops the body from being read.
struct BodyReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    chunk: Bytes,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.chunk.len());
        let head = self.chunk.split_to(n);
        buf.get_mut(..n)
            .expect("n is at most the buffer's length")
            .copy_from_slice(&head);
        Ok(n)
    }
}

/// The response body as a blocking writer: report lines go out through a
/// bounded channel, so that a client that does not read stops the batch.
struct BodyWriter {
    tx: tokio::sync::mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl BodyWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let b = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(b))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for BodyWriter {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        if self.buf.len() >= 1 << 16 {
            self.send()?;
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// `POST /v1/batch`: JSON lines in, report lines out, in input order, as
/// `regula batch` (its error records included), streamed.
pub async fn batch(State(app): State<Arc<AppState>>, req: Request) -> Result<Response, ApiError> {
    let p = params(req.uri().query(), Detail::Cites, true)?;
    let permit = req.extensions().get::<Permit>().cloned();
    let cur = app.policies.current();
    let limit = app.config.batch_limit;
    let (in_tx, in_rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(4);
    let (out_tx, mut out_rx) = tokio::sync::mpsc::channel::<io::Result<Bytes>>(4);
    let mut body = req.into_body().into_data_stream();
    tokio::spawn(async move {
        let mut total: u64 = 0;
        while let Some(chunk) = body.next().await {
            let item = match chunk {
                Ok(c) => {
                    total += c.len() as u64;
                    if total > limit {
                        Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("the request body is over {limit} bytes, the limit"),
                        ))
                    } else {
                        Ok(c)
                    }
                }
                Err(e) => Err(io::Error::other(e.to_string())),
            };
            let stop = item.is_err();
            if in_tx.send(item).await.is_err() || stop {
                break;
            }
        }
    });
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let b = Batch::new(cur.engine.program(), p.detail, p.at, BODY);
        let input = io::BufReader::with_capacity(
            1 << 16,
            BodyReader {
                rx: in_rx,
                chunk: Bytes::new(),
            },
        );
        let mut w = BodyWriter {
            tx: out_tx,
            buf: Vec::new(),
        };
        // One thread per request: requests in parallel use the cores.
        match batch::run(&b, input, &mut w, 1, &mut |_| {}) {
            Ok(summary) => tracing::debug!(
                cases = summary.cases,
                errors = summary.errors,
                "batch answered"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "batch stopped");
                let _ = w.tx.blocking_send(Err(e));
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| out_rx.poll_recv(cx));
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// `GET /v1/schema`.
pub async fn schema(State(app): State<Arc<AppState>>) -> Response {
    let s = app.policies.current().engine.case_schema();
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/schema+json")],
        serde_json::to_string_pretty(&s).unwrap_or_default(),
    )
        .into_response()
}

fn type_json(p: &Program, ty: Type) -> J {
    J::from(p.type_name(ty))
}

fn values_json(p: &Program, ty: Type) -> Option<J> {
    let Type::Enum(e) = ty else { return None };
    let t = p.enums().get(e as usize)?;
    Some(J::Array(
        t.variants
            .iter()
            .map(|(n, l)| json!({"name": n, "label": l}))
            .collect(),
    ))
}

/// The description of a policy set `/v1/policies` gives.
fn describe(app: &AppState, cur: &Loaded) -> J {
    let p = cur.engine.program();
    let date = |d: Option<NaiveDate>| d.map(|d| J::from(d.to_string())).unwrap_or(J::Null);
    let documents: Vec<J> = p
        .documents()
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "issuer": d.issuer,
                "issued": date(d.issued),
                "in_force": {
                    "from": d.from.to_string(),
                    "to": date(d.to),
                    "cites": d.cites.as_ref().map(|c| c.key()),
                    "quote": d.cites.as_ref().map(|c| c.quote.clone()),
                },
            })
        })
        .collect();
    // Each fact with the paragraphs of the rules that read it.
    let mut reads: Vec<Vec<usize>> = vec![Vec::new(); p.facts().len()];
    for (ri, r) in p.rules().iter().enumerate() {
        for f in crate::graph::rule_facts(p, r) {
            if let Some(v) = reads.get_mut(f as usize) {
                v.push(ri);
            }
        }
    }
    let facts: Vec<J> = p
        .facts()
        .iter()
        .zip(&reads)
        .map(|(f, rs)| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), J::from(f.name.clone()));
            m.insert("label".into(), J::from(f.label.clone()));
            m.insert("type".into(), type_json(p, f.ty));
            if let Some(v) = values_json(p, f.ty) {
                m.insert("values".into(), v);
            }
            if let Some(min) = f.min {
                m.insert("min".into(), J::from(min));
            }
            let cites: Vec<J> = rs
                .iter()
                .filter_map(|r| p.rules().get(*r))
                .map(|r| json!({"rule": r.name, "cites": r.cites.key(), "quote": r.cites.quote}))
                .collect();
            m.insert("read_by".into(), J::Array(cites));
            J::Object(m)
        })
        .collect();
    let mut outcomes: Vec<J> = vec![json!({
        "name": "in_force", "label": "本意见施行", "type": "bool", "rules": [],
    })];
    // Each further line of documents has its own in-force outcome, as in
    // every report (`national.in_force`).
    outcomes.extend(p.lines().iter().skip(1).map(|(name, docs)| {
        let label = docs
            .first()
            .and_then(|d| p.documents().get(*d as usize))
            .map_or_else(|| name.clone(), |d| format!("{}施行", d.id));
        json!({"name": name, "label": label, "type": "bool", "rules": []})
    }));
    outcomes.extend(p.outcomes().iter().map(|o| {
        let mut m = serde_json::Map::new();
        m.insert("name".into(), J::from(o.name.clone()));
        m.insert("label".into(), J::from(o.label.clone()));
        m.insert("type".into(), type_json(p, o.ty));
        if let Some(v) = values_json(p, o.ty) {
            m.insert("values".into(), v);
        }
        let rules: Vec<&str> = o
            .rules
            .iter()
            .filter_map(|r| p.rule(*r))
            .map(|r| r.name.as_str())
            .collect();
        m.insert("rules".into(), json!(rules));
        J::Object(m)
    }));
    let rules: Vec<J> = p
        .rules()
        .iter()
        .map(|r| {
            json!({
                "name": r.name,
                "document": p.doc_id(r.document),
                "cites": r.cites.key(),
                "quote": r.cites.quote,
                "outcome": p.outcome(r.outcome).map(|o| o.name.clone()),
                "exception_to": p.rule_names(&r.exception_to),
            })
        })
        .collect();
    let failure = app.policies.failure();
    json!({
        "version": cur.version,
        "loaded_at": cur.loaded_at,
        "policies": if app.policies.paths.is_empty() {
            json!("embedded")
        } else {
            json!(app.policies.paths.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>())
        },
        "documents": documents,
        "facts": facts,
        "outcomes": outcomes,
        "rules": rules,
        "diagnostics": json_values(cur.engine.warnings(), p.sources()),
        "reload": match failure {
            None => json!({"status": "ok"}),
            Some(f) => json!({"status": "refused", "at": f.at, "diagnostics": f.diagnostics}),
        },
    })
}

/// `GET /v1/policies`.
pub async fn policies(State(app): State<Arc<AppState>>) -> Response {
    let cur = app.policies.current();
    let j = describe(&app, &cur);
    json_response(serde_json::to_vec(&j).unwrap_or_default())
}

/// `GET /healthz`.
pub async fn healthz(State(app): State<Arc<AppState>>) -> Response {
    let cur = app.policies.current();
    json_response(
        json!({"status": "ok", "policy_version": cur.version})
            .to_string()
            .into_bytes(),
    )
}

/// `GET /metrics`.
pub async fn metrics(State(app): State<Arc<AppState>>) -> Response {
    let reloads = (
        app.policies
            .reloads_ok
            .load(std::sync::atomic::Ordering::Relaxed),
        app.policies
            .reloads_failed
            .load(std::sync::atomic::Ordering::Relaxed),
    );
    let text = app.metrics.render(reloads, app.policies.current().version);
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        text,
    )
        .into_response()
}

/// `GET /openapi.json`.
pub async fn openapi() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI,
    )
        .into_response()
}

/// Any other path.
pub async fn not_found(req: Request) -> ApiError {
    ApiError::request(
        StatusCode::NOT_FOUND,
        Refusal::NoRoute {
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
        },
    )
}

/// A known path with another method.
pub async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::request(
        StatusCode::METHOD_NOT_ALLOWED,
        Refusal::Method {
            path: req.uri().path().to_string(),
            method: req.method().to_string(),
        },
    )
}
