//! `regula batch`: many cases, one JSON object per line, each evaluated into
//! one report line (the `eval --format json` contract, compact, with the
//! input `line` number), in input order, on every core, in bounded memory.
//!
//! The per-case path allocates next to nothing: a line is decoded straight
//! into reused fact slots ([`case::decode_json_into`]), evaluated into a
//! reused [`Workspace`], the missing facts of unknown outcomes come from the
//! evaluation's rule states ([`crate::eval::Evaluation::missing`]) rather
//! than traces, and the report is written as JSON text from fragments
//! prepared once per program. A line with any problem is decoded again by the ordinary decoder,
//! so its error record carries exactly the message `regula eval` prints.
use crate::case::{self, Case, CaseError, Format, Schema, TextCache};
use crate::diag::CaseProblem;
use crate::diag::Code;
use crate::eval::{EvalError, Record, Workspace};
use crate::program::Program;
use crate::report::{write_report, Detail, Fragments, Subject};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};
use std::sync::mpsc;
use std::sync::Mutex;

/// The most worker threads a run uses: more cannot help (a chunk holds at
/// most 512 lines) and each costs a thread and buffers in flight.
pub const MAX_JOBS: usize = 256;

/// Lines per chunk: the unit of parallel work and of ordered output.
const CHUNK_LINES: usize = 512;
/// Bytes per chunk, whichever comes first.
const CHUNK_BYTES: usize = 1 << 20;

/// A program prepared for batch evaluation: its case schema and how much
/// each report line carries.
pub struct Batch<'p> {
    p: &'p Program,
    schema: Schema,
    detail: Detail,
    at: Option<NaiveDate>,
    /// Shown in error messages: `NAME:LINE`.
    input_name: String,
    /// The program's strings, escaped once for every line.
    fragments: Fragments,
}

/// The tally of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Lines read, each a case (blank and malformed lines included).
    pub cases: u64,
    /// Lines that yielded an error record.
    pub errors: u64,
    /// Cases on which rules conflict.
    pub conflicts: u64,
    /// Bytes read.
    pub bytes: u64,
}

impl Summary {
    fn add(&mut self, o: &Summary) {
        self.cases += o.cases;
        self.errors += o.errors;
        self.conflicts += o.conflicts;
        self.bytes += o.bytes;
    }
}

impl<'p> Batch<'p> {
    /// Prepares a program. `at` overrides every case's `as_of`;
    /// `input_name` names the input in error messages.
    pub fn new(p: &'p Program, detail: Detail, at: Option<NaiveDate>, input_name: &str) -> Self {
        Batch {
            p,
            schema: Schema::new(p),
            detail,
            at,
            input_name: input_name.to_string(),
            fragments: Fragments::new(p),
        }
    }

    /// A worker: the buffers one thread reuses from case to case.
    pub fn worker(&self) -> Worker<'_, 'p> {
        Worker {
            b: self,
            case: Case::default(),
            ws: Workspace::new(self.p),
            texts: TextCache::default(),
        }
    }
}

/// What became of one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineResult {
    /// A report was written.
    Ok,
    /// A report was written, and rules conflict on the case.
    Conflict,
    /// An error record was written.
    Error,
}

/// The per-thread state of a batch run.
pub struct Worker<'b, 'p> {
    b: &'b Batch<'p>,
    case: Case,
    ws: Workspace,
    texts: TextCache,
}

/// Why a line yields no report.
enum LineError {
    Case(Vec<CaseError>),
    Eval(EvalError),
}

impl Worker<'_, '_> {
    /// Evaluates one line (without its newline) and appends its report or
    /// error record, with a final newline, to `out`.
    pub fn line(&mut self, line: u64, bytes: &[u8], out: &mut Vec<u8>) -> LineResult {
        let mark = out.len();
        match self.try_line(line, bytes, out) {
            Ok(true) => LineResult::Conflict,
            Ok(false) => LineResult::Ok,
            Err(e) => {
                out.truncate(mark);
                self.error_record(line, e, out);
                LineResult::Error
            }
        }
    }

    fn try_line(&mut self, line: u64, bytes: &[u8], out: &mut Vec<u8>) -> Result<bool, LineError> {
        let b = self.b;
        let text = std::str::from_utf8(bytes).map_err(|e| {
            LineError::Case(vec![CaseError::whole(CaseProblem::LineNotUtf8 {
                at: e.valid_up_to(),
            })])
        })?;
        if !case::decode_json_into(b.p, &b.schema, text, &mut self.case, &mut self.texts) {
            // Decode again, slowly, for the exact errors `regula eval` reports.
            return match case::decode_text(b.p, &b.schema, text, Format::Json) {
                Err(errors) => Err(LineError::Case(errors)),
                Ok(c) => {
                    self.case = c;
                    self.evaluated(line, out)
                }
            };
        }
        self.evaluated(line, out)
    }

    fn evaluated(&mut self, line: u64, out: &mut Vec<u8>) -> Result<bool, LineError> {
        let b = self.b;
        let Some(as_of) = b.at.or(self.case.as_of) else {
            return Err(LineError::Case(vec![CaseError::no_as_of()]));
        };
        self.ws
            .evaluate(b.p, &self.case.facts, as_of, record(b.detail))
            .map_err(LineError::Eval)?;
        let conflict = self.ws.ev.outcomes.iter().any(|o| o.conflict);
        let s = Subject::new(b.p, &self.case.facts, &self.ws.ev).with_fragments(&b.fragments);
        write_report(out, &s, b.detail, Some(line), false).map_err(LineError::Eval)?;
        out.push(b'\n');
        Ok(conflict)
    }

    /// Evaluates decoded facts: every outcome's value, the missing facts of
    /// the unknown ones and the cites of the known ones, as a report needs
    /// them, without writing the report (for benchmarks). Returns how many
    /// cites were collected.
    pub fn evaluate_case(&mut self, case: &Case) -> Result<usize, EvalError> {
        let b = self.b;
        let as_of = b.at.or(case.as_of).unwrap_or(NaiveDate::MIN);
        self.ws
            .evaluate(b.p, &case.facts, as_of, record(b.detail))?;
        Ok(self.ws.ev.cites_recorded())
    }

    fn error_record(&self, line: u64, e: LineError, out: &mut Vec<u8>) {
        let place = format!("{}:{line}", self.b.input_name);
        let error = match e {
            LineError::Case(errors) => {
                let mut diags = errors.iter().map(|e| {
                    let d = e.to_diag(&place);
                    let mut m = serde_json::Map::new();
                    m.insert("code".into(), d.code.as_str().into());
                    m.insert("message".into(), d.message.into());
                    if let Some(h) = d.help {
                        m.insert("help".into(), h.into());
                    }
                    if !e.path.is_empty() {
                        m.insert("path".into(), e.path.clone().into());
                    }
                    m
                });
                let mut first = diags.next().expect("a case refused has a problem");
                let rest: Vec<serde_json::Value> = diags.map(serde_json::Value::Object).collect();
                if !rest.is_empty() {
                    // Every problem of the line, the first one included.
                    let mut all = vec![serde_json::Value::Object(first.clone())];
                    all.extend(rest);
                    first.insert("problems".into(), serde_json::Value::Array(all));
                }
                first
            }
            LineError::Eval(e) => {
                let mut m = serde_json::Map::new();
                m.insert("code".into(), Code::Evaluation.as_str().into());
                m.insert(
                    "message".into(),
                    format!("`{place}`: evaluation failed: {}", e.fault).into(),
                );
                m.insert(
                    "help".into(),
                    "the case's values overflow what this expression can compute; check the facts"
                        .into(),
                );
                m
            }
        };
        let _ = write!(out, "{{\"line\":{line},\"error\":");
        let _ = serde_json::to_writer(&mut *out, &error);
        out.extend_from_slice(b"}\n");
    }
}

/// What an evaluation records for a level of detail.
pub(crate) fn record(detail: Detail) -> Record {
    Record {
        cites: detail != Detail::None,
        derivations: detail == Detail::Full,
    }
}

/// One chunk of input lines and, once evaluated, their output.
#[derive(Default)]
struct Chunk {
    seq: u64,
    first_line: u64,
    data: Vec<u8>,
    /// Each line: its range in `data`, or its length when it is too long to keep.
    lines: Vec<(usize, usize, Option<u64>)>,
    out: Vec<u8>,
    tally: Summary,
}

impl Chunk {
    fn clear(&mut self) {
        self.data.clear();
        self.lines.clear();
        self.out.clear();
        self.tally = Summary::default();
    }
}

/// Reads the next line into `data`, without its line ending. A line longer
/// than a case may be is consumed but not kept: its length is returned.
fn read_line(
    r: &mut impl BufRead,
    data: &mut Vec<u8>,
) -> io::Result<Option<(usize, usize, Option<u64>)>> {
    let limit = usize::try_from(case::MAX_CASE_BYTES).unwrap_or(usize::MAX);
    let start = data.len();
    let mut total: u64 = 0;
    let mut any = false;
    let mut long = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match buf.iter().position(|&c| c == b'\n') {
            Some(i) => (i, true),
            None => (buf.len(), false),
        };
        total += take as u64;
        if !long && data.len() - start + take <= limit {
            data.extend_from_slice(buf.get(..take).unwrap_or(&[]));
        } else {
            long = true;
            data.truncate(start);
        }
        r.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    if long {
        return Ok(Some((start, start, Some(total))));
    }
    if data.last() == Some(&b'\r') {
        data.pop();
    }
    Ok(Some((start, data.len(), None)))
}

/// Fills a chunk with up to `CHUNK_LINES` lines; false at the end of input.
fn fill(
    r: &mut impl BufRead,
    c: &mut Chunk,
    next_line: &mut u64,
    max_lines: usize,
) -> io::Result<bool> {
    c.clear();
    c.first_line = *next_line;
    while c.lines.len() < max_lines && c.data.len() < CHUNK_BYTES {
        match read_line(r, &mut c.data)? {
            Some(l) => {
                c.tally.bytes += (l.1 - l.0) as u64 + l.2.unwrap_or(0) + 1;
                c.lines.push(l);
                *next_line += 1;
            }
            None => break,
        }
    }
    Ok(!c.lines.is_empty())
}

impl Worker<'_, '_> {
    fn chunk(&mut self, c: &mut Chunk) {
        let mut out = std::mem::take(&mut c.out);
        for (k, &(start, end, long)) in c.lines.iter().enumerate() {
            let line = c.first_line + k as u64;
            let result = match long {
                Some(n) => {
                    let e = CaseError::whole(CaseProblem::LineTooLong {
                        bytes: n,
                        limit: case::MAX_CASE_BYTES,
                    });
                    self.error_record(line, LineError::Case(vec![e]), &mut out);
                    LineResult::Error
                }
                None => self.line(line, c.data.get(start..end).unwrap_or(&[]), &mut out),
            };
            c.tally.cases += 1;
            match result {
                LineResult::Ok => {}
                LineResult::Conflict => c.tally.conflicts += 1,
                LineResult::Error => c.tally.errors += 1,
            }
        }
        c.out = out;
    }
}

/// Evaluates every line of `input` and writes the reports to `output` in
/// input order, on `jobs` threads. `progress` is told the running tally
/// after each chunk is written.
pub fn run<R, W>(
    b: &Batch,
    mut input: R,
    output: &mut W,
    jobs: usize,
    progress: &mut dyn FnMut(&Summary),
) -> io::Result<Summary>
where
    R: BufRead + Send,
    W: Write,
{
    // Threads and chunks in flight grow with `jobs`: bounded here, whatever
    // the caller asks.
    let jobs = jobs.clamp(1, MAX_JOBS);
    let mut total = Summary::default();
    let mut next_line = 1u64;
    // Full derivations make reports a hundred times longer: smaller chunks
    // keep the output in flight as small.
    let lines = if b.detail == Detail::Full {
        CHUNK_LINES / 16
    } else {
        CHUNK_LINES
    };
    if jobs <= 1 {
        let mut w = b.worker();
        let mut c = Chunk::default();
        while fill(&mut input, &mut c, &mut next_line, lines)? {
            w.chunk(&mut c);
            output.write_all(&c.out)?;
            total.add(&c.tally);
            progress(&total);
        }
        output.flush()?;
        return Ok(total);
    }
    // A pipeline: one reader, `jobs` workers, and this thread writing in
    // order. Chunks circulate; their number bounds the memory in use.
    let in_flight = jobs * 4;
    let (free_tx, free_rx) = mpsc::sync_channel::<Chunk>(in_flight);
    for _ in 0..in_flight {
        let _ = free_tx.send(Chunk::default());
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<Chunk>(in_flight);
    let work_rx = Mutex::new(work_rx);
    let (done_tx, done_rx) = mpsc::channel::<Chunk>();
    let read_error: Mutex<Option<io::Error>> = Mutex::new(None);
    let result = std::thread::scope(|s| {
        let read_error = &read_error;
        s.spawn(move || {
            let mut seq = 0u64;
            while let Ok(mut c) = free_rx.recv() {
                match fill(&mut input, &mut c, &mut next_line, lines) {
                    Ok(true) => {
                        c.seq = seq;
                        seq += 1;
                        if work_tx.send(c).is_err() {
                            break;
                        }
                    }
                    Ok(false) => break,
                    Err(e) => {
                        if let Ok(mut slot) = read_error.lock() {
                            *slot = Some(e);
                        }
                        break;
                    }
                }
            }
        });
        for _ in 0..jobs {
            let work_rx = &work_rx;
            let done_tx = done_tx.clone();
            s.spawn(move || {
                let mut w = b.worker();
                loop {
                    let next = work_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(mut c) = next else { break };
                    w.chunk(&mut c);
                    if done_tx.send(c).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done_tx);
        let mut pending: BTreeMap<u64, Chunk> = BTreeMap::new();
        let mut next = 0u64;
        let free_tx = free_tx;
        for c in done_rx.iter() {
            pending.insert(c.seq, c);
            while let Some(c) = pending.remove(&next) {
                output.write_all(&c.out)?;
                total.add(&c.tally);
                progress(&total);
                next += 1;
                let _ = free_tx.send(c);
            }
        }
        output.flush()?;
        Ok::<(), io::Error>(())
    });
    result?;
    if let Some(e) = read_error.into_inner().ok().flatten() {
        return Err(e);
    }
    Ok(total)
}

#[cfg(test)]
#[path = "../benches/gen.rs"]
pub(crate) mod gen;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::evaluate;
    use crate::report::json_report;

    fn program() -> Program {
        crate::check::check(&crate::load::embedded())
            .program
            .expect("the shipped policies check")
    }

    /// What `regula eval --format json` prints, compact, with the line first.
    fn eval_line(p: &Program, text: &str, line: u64, detail: Detail) -> String {
        let schema = Schema::new(p);
        let c = case::decode_text(p, &schema, text, Format::Json).expect("valid case");
        let ev = evaluate(p, &c.facts, c.as_of.expect("as_of")).expect("evaluates");
        let s = Subject::new(p, &c.facts, &ev);
        let j = json_report(&s, detail).expect("report");
        let body = serde_json::to_string(&j).expect("json");
        format!("{{\"line\":{line},{}\n", &body[1..])
    }

    fn shared_cases() -> Vec<String> {
        let mut files: Vec<_> = std::fs::read_dir("tests/cases/shared")
            .expect("shared cases")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                let s = p.to_string_lossy();
                s.ends_with(".json") && !s.ends_with(".expected.json")
            })
            .collect();
        files.sort();
        assert!(files.len() >= 12);
        files
            .iter()
            .map(|f| {
                let v: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
                serde_json::to_string(&v).expect("json")
            })
            .collect()
    }

    /// The fast path (direct decoding, missing facts without traces, JSON
    /// written directly) prints byte for byte what `eval` prints, on the
    /// shared cases and on generated ones covering unknowns, every enum
    /// value and every date boundary.
    #[test]
    fn batch_lines_equal_eval_reports() {
        let p = program();
        let mut cases = shared_cases();
        cases.extend(gen::cases(gen::SEED, 2000));
        for detail in [Detail::None, Detail::Cites, Detail::Full] {
            let n = if detail == Detail::Full {
                300
            } else {
                cases.len()
            };
            let b = Batch::new(&p, detail, None, "cases.jsonl");
            let mut w = b.worker();
            for (i, text) in cases.iter().take(n).enumerate() {
                let line = i as u64 + 1;
                let mut out = Vec::new();
                let r = w.line(line, text.as_bytes(), &mut out);
                assert_ne!(r, LineResult::Error, "{text}");
                let got = String::from_utf8(out).expect("utf-8");
                let want = eval_line(&p, text, line, detail);
                if got != want {
                    let g: serde_json::Value = serde_json::from_str(&got).expect("json");
                    let w: serde_json::Value = serde_json::from_str(&want).expect("json");
                    for (k, v) in w["outcomes"].as_object().expect("outcomes") {
                        assert_eq!(
                            &g["outcomes"][k], v,
                            "{detail:?} on case {line}, outcome {k}: {text}"
                        );
                    }
                }
                assert_eq!(got, want, "{detail:?} on case {line}: {text}");
            }
        }
    }

    /// The fast decoder accepts what the ordinary one accepts, into the same slots.
    #[test]
    fn fast_decoding_matches_ordinary_decoding() {
        let p = program();
        let schema = Schema::new(&p);
        let mut c = Case::default();
        let mut texts = shared_cases();
        texts.extend(gen::cases(7, 500));
        texts.extend(
            [
                "",
                "  ",
                "null",
                "[]",
                "{}",
                "{\"as_of\": null}",
                "{\"as_of\": \"2025-02-30\"}",
                "{\"as_of\": \"2025-01-01\", \"agency\": null}",
                "{\"as_of\": \"2025-01-01\", \"agency\": 3}",
                "{\"as_of\": \"2025-01-01\", \"as_of\": \"2025-01-02\"}",
                "{\"as_of\": \"2025-01-01\", \"wage_arrears\": {\"previous_advances\": -1}}",
                "{\"as_of\": \"2025-01-01\", \"wage_arrears\": {\"previous_advances\": 1.5}}",
                "{\"as_of\": \"2025-01-01\", \"outsourcing\": {\"nominal_form\": \"lease\"}}",
                "{\"as_of\": \"2025-01-01\"} {}",
                "\u{feff}{\"as_of\": \"2025-01-01\"}",
                "{\"as_of\": \"2025-01-01\", \"host\": {\"registration_district\": \"a\\\"b\"}}",
            ]
            .map(String::from),
        );
        for t in &texts {
            let fast = case::decode_json_into(&p, &schema, t, &mut c, &mut TextCache::default());
            let slow = case::decode_text(&p, &schema, t, Format::Json);
            assert_eq!(fast, slow.is_ok(), "{t}");
            if let Ok(s) = slow {
                assert_eq!(s.facts, c.facts, "{t}");
                assert_eq!(s.as_of, c.as_of, "{t}");
            }
        }
    }

    /// On hostile lines (the fixture's, and generated cases with bytes
    /// changed, inserted or removed), the fast decoder accepts only what
    /// the ordinary one accepts, into the same slots, and accepts every
    /// generated case unchanged.
    #[test]
    fn fast_decoding_never_accepts_more() {
        let p = program();
        let schema = Schema::new(&p);
        let mut c = Case::default();
        let mut texts = TextCache::default();
        let fixture = std::fs::read("tests/fixtures/batch/hostile.jsonl").expect("fixture");
        let mut lines: Vec<String> = fixture
            .split(|&b| b == b'\n')
            .filter_map(|l| std::str::from_utf8(l).ok().map(String::from))
            .collect();
        let alphabet = [
            "\"", "\\", "{", "}", ",", ":", " ", "\t", "\r", "\u{0}", "\u{1f}", "0", "-", ".", "e",
            "u", "[", "]", "é", "\u{3000}", "\u{feff}", "\\u0041", "\\ud800", "null", "",
        ];
        let mut rng = gen::Rng::new(5);
        for case in gen::cases(11, 400) {
            let accepted = case::decode_json_into(&p, &schema, &case, &mut c, &mut texts);
            assert!(accepted, "the fast path refuses a generated case: {case}");
            for _ in 0..40 {
                let mut s = case.clone();
                for _ in 0..1 + rng.below(3) {
                    let mut at = rng.below(s.len() as u64 + 1) as usize;
                    while !s.is_char_boundary(at) {
                        at -= 1;
                    }
                    if rng.below(2) == 0 {
                        let end = s[at..].chars().next().map_or(at, |ch| at + ch.len_utf8());
                        s.replace_range(at..end, "");
                    }
                    let piece: &&str = rng.pick(&alphabet);
                    s.insert_str(at, piece);
                }
                lines.push(s);
            }
        }
        let mut fast_ok = 0;
        for t in &lines {
            if case::decode_json_into(&p, &schema, t, &mut c, &mut texts) {
                fast_ok += 1;
                let slow = case::decode_text(&p, &schema, t, Format::Json);
                let s =
                    slow.unwrap_or_else(|e| panic!("fast accepted, ordinary refused {t}: {e:?}"));
                assert_eq!(s.facts, c.facts, "{t}");
                assert_eq!(s.as_of, c.as_of, "{t}");
            }
        }
        // Most changes break the case; enough of them keep it whole.
        assert!(fast_ok > lines.len() / 50, "{fast_ok} of {}", lines.len());
    }

    /// Three workers write the same lines as one, in input order, error
    /// records included, with the same summary.
    #[test]
    fn parallel_runs_keep_input_order() {
        let p = program();
        let b = Batch::new(&p, Detail::Cites, None, "cases.jsonl");
        let mut input = gen::cases(3, 2000).join("\n");
        input.push_str("\n\nnot json\n");
        let run_with = |jobs: usize| {
            let mut out = Vec::new();
            let s = run(&b, input.as_bytes(), &mut out, jobs, &mut |_| {}).expect("runs");
            (s, out)
        };
        let (s1, one) = run_with(1);
        let (s3, three) = run_with(3);
        assert_eq!(s1, s3);
        assert_eq!(one, three);
        assert_eq!(s1.cases, 2002);
        assert_eq!(s1.errors, 2);
        let lines: Vec<&str> = std::str::from_utf8(&one).expect("utf-8").lines().collect();
        assert_eq!(lines.len(), 2002);
        for (i, l) in lines.iter().enumerate() {
            assert!(l.starts_with(&format!("{{\"line\":{},", i + 1)), "{l}");
        }
    }
}
