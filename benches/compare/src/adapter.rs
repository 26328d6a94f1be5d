//! Every call the comparison makes into regula's library, in one place: the
//! benchmark, the agreement test and the command-line binary of this crate
//! reach regula only through this module, so a change of regula's API is
//! ported here alone.
use regula::batch::{Batch, LineResult, Worker};
use regula::case::{self, Case, Schema};
use regula::eval::{Derivations, Workspace};
use regula::program::Program;
use regula::report::Detail;
use std::process::ExitCode;

/// The `regula` command line (`regula batch`, `regula eval`, ...).
pub fn cli_main() -> ExitCode {
    regula::cli::main()
}

/// Loads and checks the shipped policies; whether they check (benchmark (f)).
pub fn load_and_check() -> bool {
    regula::check::check(&regula::load::embedded())
        .program
        .is_some()
}

/// The shipped policies, loaded and checked.
pub struct Regula {
    program: Program,
}

/// A case decoded into fact slots, ready to evaluate.
pub struct Decoded(Case);

impl Regula {
    pub fn new() -> Regula {
        let program = regula::check::check(&regula::load::embedded())
            .program
            .expect("the shipped policies check");
        Regula { program }
    }

    /// Reports as `regula batch --derivations cites` writes them.
    pub fn batch(&self) -> Reports<'_> {
        Reports(Batch::new(
            &self.program,
            Detail::Cites,
            None,
            "cases.jsonl",
        ))
    }

    /// Decodes JSON cases; panics on an invalid one.
    pub fn decode(&self, lines: &[String]) -> Vec<Decoded> {
        let schema = Schema::new(&self.program);
        lines
            .iter()
            .map(|l| Decoded(case::decode_json(&self.program, &schema, l).expect("valid case")))
            .collect()
    }

    /// An evaluator that records every outcome's full derivation.
    pub fn full(&self) -> Full<'_> {
        Full {
            p: &self.program,
            ws: Workspace::new(&self.program),
            ders: Derivations::default(),
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
    ders: Derivations,
}

impl Full<'_> {
    /// Evaluates a decoded case and records every outcome's derivation; the
    /// size of the derivations.
    #[inline]
    pub fn evaluate(&mut self, case: &Decoded) -> usize {
        let c = &case.0;
        self.ws
            .evaluate(self.p, &c.facts, c.as_of.expect("as_of"))
            .expect("evaluates");
        self.ders.build(self.p, &c.facts, &self.ws.ev);
        self.ders.size()
    }
}
