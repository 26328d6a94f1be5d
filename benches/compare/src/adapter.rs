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
