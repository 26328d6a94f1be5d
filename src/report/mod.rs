//! Reports of an evaluation: the JSON contract, the caseworker's text report
//! and the explain tree of one outcome.
mod json;
mod text;
mod write;

pub use json::{
    derivation_json, explain_json, in_force_json, json_report, not_in_force_reason, outcomes_read,
    trace_json, write_report, Detail, Explained,
};
pub use text::{explain_text, in_force_text, period_zh, status_word, text_report, TextOptions};
pub use write::Fragments;

use crate::eval::{Derivation, Derivations, EvalError, Evaluation, Head};
use crate::program::{OutcomeId, Program, Value};
use std::cell::OnceCell;

/// The label of a line's in-force outcome that speaks of a document.
fn line_label(d: Option<&crate::program::Document>, line: usize) -> String {
    match d {
        Some(d) if line > 0 => format!("{}施行", d.id),
        _ => "本意见施行".to_string(),
    }
}

/// Everything a report needs about one case.
pub struct Subject<'a> {
    /// The program.
    pub p: &'a Program,
    /// The case's fact slots.
    pub facts: &'a [Value],
    /// The evaluation.
    pub ev: &'a Evaluation,
    /// The program's strings escaped for JSON, shared or made when first
    /// needed.
    shared: Option<&'a Fragments>,
    own: OnceCell<Fragments>,
    /// The evaluation again with its derivations, when `ev` was made
    /// without them and one is asked for.
    traced: OnceCell<Result<Evaluation, EvalError>>,
}

impl<'a> Subject<'a> {
    /// A case's facts and their evaluation.
    pub fn new(p: &'a Program, facts: &'a [Value], ev: &'a Evaluation) -> Self {
        Subject {
            p,
            facts,
            ev,
            traced: OnceCell::new(),
            shared: None,
            own: OnceCell::new(),
        }
    }

    /// The same, with the program's strings escaped once for many cases.
    pub fn with_fragments(mut self, f: &'a Fragments) -> Self {
        self.shared = Some(f);
        self
    }

    /// The program's strings escaped for JSON.
    pub fn fragments(&self) -> &Fragments {
        match self.shared {
            Some(f) => f,
            None => self.own.get_or_init(|| Fragments::new(self.p)),
        }
    }

    /// The derivation of one outcome.
    pub fn derive(&self, o: OutcomeId) -> Result<Derivation<'_>, EvalError> {
        let (d, ev) = self.recorded()?;
        d.get(ev, o)
    }

    /// What the report writer reads of one outcome's derivation.
    fn head(&self, o: OutcomeId) -> Result<Head<'_>, EvalError> {
        let (d, ev) = self.recorded()?;
        d.head(ev, o)
    }

    /// The case's derivations and the evaluation they were recorded with:
    /// `ev`'s own, else those of the case evaluated again with them.
    fn recorded(&self) -> Result<(&Derivations, &Evaluation), EvalError> {
        if let Some(d) = self.ev.derivations() {
            return Ok((d, self.ev));
        }
        let traced = self
            .traced
            .get_or_init(|| crate::eval::evaluate(self.p, self.facts, self.ev.as_of));
        let ev = traced.as_ref().map_err(Clone::clone)?;
        match ev.derivations() {
            Some(d) => Ok((d, ev)),
            None => Err(EvalError {
                fault: crate::eval::Fault::NotRecorded,
                span: crate::source::Span::default(),
            }),
        }
    }

    /// The document of a line in force on the case's date (line 0 reports
    /// as `in_force`).
    pub fn line_in_force(&self, line: usize) -> Option<crate::program::DocId> {
        self.ev.in_force?;
        self.p.line_in_force(self.ev.epoch, line)
    }

    /// The document a line's in-force outcome speaks of: the one in force,
    /// else the line's first.
    pub fn line_document(&self, line: usize) -> Option<&crate::program::Document> {
        self.line_in_force(line)
            .or_else(|| self.p.lines.get(line).and_then(|(_, d)| d.first().copied()))
            .and_then(|d| self.p.documents.get(d as usize))
            .or_else(|| self.p.documents.first())
    }

    /// The label of a line's in-force outcome: 本意见施行 for the first line,
    /// else the document's name.
    pub fn line_label(&self, line: usize) -> String {
        line_label(self.line_document(line), line)
    }

    /// The document a report is about: the one in force, else the first.
    pub fn document(&self) -> Option<&crate::program::Document> {
        self.ev
            .in_force
            .and_then(|d| self.p.documents.get(d as usize))
            .or_else(|| self.p.documents.first())
    }
}
