//! Every call the comparison makes into regula's library, in one place: the
//! benchmark, the agreement test and the command-line binary of this crate
//! reach regula only through this module, so a change of regula's API is
//! ported here alone.
use regula::batch::{Batch, LineResult, Worker};
use regula::case::{Case, Format};
use regula::eval::{Record, Workspace};
use regula::program::Program;
use regula::report::Detail;
use regula::Engine;
use std::path::Path;
use std::process::ExitCode;

/// The `regula` command line (`regula batch`, `regula eval`, ...).
pub fn cli_main() -> ExitCode {
    regula::cli::main()
}

/// Loads and checks the shipped policies; whether they check (benchmark (f)).
pub fn load_and_check() -> bool {
    Engine::embedded().is_ok()
}

/// The shipped policies, loaded and checked.
pub struct Regula {
    engine: Engine,
}

/// A case decoded into fact slots, ready to evaluate.
pub struct Decoded(Case);

impl Regula {
    pub fn new() -> Regula {
        let engine = Engine::embedded().expect("the shipped policies check");
        Regula { engine }
    }

    /// The Shanghai opinions alone: the outcomes the native baseline
    /// encodes, and no others, for comparing like with like. The shipped
    /// set joins them to the national rules, which their header names
    /// (`implements`) and whose outcomes and paragraphs their correspondence
    /// declarations name, so the folder no longer loads by itself: it is
    /// loaded from disk without those lines ([`alone`]), every rule, fact,
    /// outcome and default as shipped.
    pub fn shanghai() -> Regula {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies/hurenshegui-2023-32");
        let mut files = Vec::new();
        for entry in std::fs::read_dir(&dir).expect("the Shanghai policy folder") {
            let path = entry.expect("a directory entry").path();
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a policy file");
            let text = if name.ends_with(".policy") {
                alone(&text)
            } else {
                text
            };
            files.push((format!("hurenshegui-2023-32/{name}"), text));
        }
        let engine = Engine::from_files(files.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .unwrap_or_else(|e| panic!("the Shanghai opinions check alone: {e}"));
        Regula { engine }
    }

    /// Reports as `regula batch --derivations cites` writes them.
    pub fn batch(&self) -> Reports<'_> {
        self.batch_with(Detail::Cites)
    }

    /// Reports as `regula batch --derivations full` writes them.
    pub fn batch_full(&self) -> Reports<'_> {
        self.batch_with(Detail::Full)
    }

    fn batch_with(&self, detail: Detail) -> Reports<'_> {
        Reports(Batch::new(
            self.engine.program(),
            detail,
            None,
            "cases.jsonl",
        ))
    }

    /// Decodes JSON cases; panics on an invalid one.
    pub fn decode(&self, lines: &[String]) -> Vec<Decoded> {
        lines
            .iter()
            .map(|l| {
                Decoded(
                    self.engine
                        .case_from_str(l, Format::Json)
                        .expect("valid case"),
                )
            })
            .collect()
    }

    /// An evaluator that records every outcome's full derivation.
    pub fn full(&self) -> Full<'_> {
        Full {
            p: self.engine.program(),
            ws: Workspace::new(self.engine.program()),
        }
    }
}

/// A policy file of the Shanghai opinions without what links it to the
/// national rules: the header's `implements` line, and each correspondence
/// declaration (`corresponds`/`对应`, `differs`/`不同于`) with its indented
/// continuation lines. Rules and everything else are kept as written.
fn alone(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dropping = false;
    for line in text.lines() {
        let top = !line.starts_with(char::is_whitespace);
        if top {
            dropping = ["corresponds ", "对应 ", "differs ", "不同于 "]
                .iter()
                .any(|k| line.starts_with(k));
        }
        if dropping
            || (!top
                && ["implements ", "实施 "]
                    .iter()
                    .any(|k| line.trim_start().starts_with(k)))
        {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

impl Default for Regula {
    fn default() -> Regula {
        Regula::new()
    }
}

/// The batch evaluator's shared state; one [`Lines`] per thread.
pub struct Reports<'p>(Batch<'p>);

impl<'p> Reports<'p> {
    pub fn lines(&self) -> Lines<'_, 'p> {
        Lines(self.0.worker())
    }
}

/// One thread's batch evaluator.
pub struct Lines<'b, 'p>(Worker<'b, 'p>);

impl Lines<'_, '_> {
    /// Evaluates one JSON line and appends its report line (or error
    /// record), newline included, to `out`; false for an error record.
    #[inline]
    pub fn line(&mut self, number: u64, text: &[u8], out: &mut Vec<u8>) -> bool {
        self.0.line(number, text, out) != LineResult::Error
    }

    /// Evaluates a decoded case as a report with cites needs it (values,
    /// missing facts of the unknown outcomes, cites of the known ones),
    /// without writing the report; how many cites were collected.
    #[inline]
    pub fn evaluate(&mut self, case: &Decoded) -> usize {
        self.0.evaluate_case(&case.0).expect("evaluates")
    }
}

/// Evaluation followed by the full derivation of every outcome.
pub struct Full<'p> {
    p: &'p Program,
    ws: Workspace,
}

impl Full<'_> {
    /// Evaluates a decoded case and records every outcome's derivation; the
    /// size of the derivations.
    #[inline]
    pub fn evaluate(&mut self, case: &Decoded) -> usize {
        let c = &case.0;
        self.ws
            .evaluate(self.p, &c.facts, c.as_of.expect("as_of"), Record::ALL)
            .expect("evaluates");
        self.ws.ev.derivations().map_or(0, |d| d.size())
    }
}
