//! The engine: a loaded, checked policy set, and the evaluation of cases
//! against it by fact and outcome name.
//!
//! ```
//! # #[cfg(feature = "embedded")] {
//! use regula::Engine;
//!
//! let engine = Engine::embedded().expect("the shipped policies check");
//! let case = engine
//!     .case()
//!     .as_of("2025-03-01")
//!     .fact("injury.occurred", true)
//!     .fact("agency.registered_in_shanghai", false)
//!     .fact("agency.has_shanghai_branch", false)
//!     .fact("host.registration_district", "浦东新区")
//!     .build()
//!     .expect("a valid case");
//! let ev = engine.evaluate(&case).expect("evaluates");
//! assert_eq!(ev.value("injury.applicant"), Some(serde_json::json!("host")));
//! assert_eq!(ev.cites("injury.applicant"), vec!["4.2"]);
//! // Unknown facts are unknown, not false: the outcome says which it needs.
//! assert!(ev.value("wage_arrears.advance_permitted").is_none());
//! # }
//! ```
//!
//! Load once, evaluate many: [`Engine::evaluator`] keeps the buffers of one
//! thread, so that evaluating another case allocates next to nothing.
use crate::case::{self, Case, CaseError, Format, Schema};
use crate::check;
use crate::diag::{CaseProblem, Diag, ErrorFormat};
use crate::eval::{Derivation, EvalError, Evaluation as Raw, Record, Workspace};
use crate::program::{OutcomeId, Program, Type, Value};
use crate::report::{write_report, Detail, Fragments, Subject};
use crate::source::SourceMap;
use std::path::PathBuf;

/// Why a policy set could not be loaded: its diagnostics, with the sources
/// they point into.
#[derive(Clone, Debug)]
pub struct LoadError {
    /// Every error (and warning) found.
    pub diags: Vec<Diag>,
    /// The files the diagnostics point into.
    pub sources: SourceMap,
}

impl LoadError {
    /// The diagnostics rendered as text (`plain`: one line each).
    pub fn render(&self, format: ErrorFormat) -> String {
        crate::diag::render(&self.diags, &self.sources, format, false)
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let errors = self.diags.iter().filter(|d| d.is_error()).count();
        write!(
            f,
            "the policy set has {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )
    }
}

impl std::error::Error for LoadError {}

/// A loaded and checked policy set.
#[derive(Clone, Debug)]
pub struct Engine {
    program: Program,
    schema: Schema,
    warnings: Vec<Diag>,
    /// The program's strings escaped for reports, once for every case.
    fragments: Fragments,
}

/// A fact a case may state.
#[derive(Clone, Copy, Debug)]
pub struct FactInfo<'a> {
    /// Dotted name, as a case states it.
    pub name: &'a str,
    /// The regulation's words for it.
    pub label: &'a str,
    /// Its type: `bool`, `int`, `date`, `text`, or an enum's name.
    pub type_name: &'a str,
    /// For an enum: its values' names.
    pub values: &'a [(String, String)],
}

/// An outcome a report gives.
#[derive(Clone, Copy, Debug)]
pub struct OutcomeInfo<'a> {
    /// Dotted name.
    pub name: &'a str,
    /// The regulation's words for it.
    pub label: &'a str,
}

impl Engine {
    /// The policies embedded in the binary.
    #[cfg(feature = "embedded")]
    pub fn embedded() -> Result<Engine, LoadError> {
        Engine::from_checked(check::check(&crate::load::embedded()))
    }

    /// Policy directories (or single `.policy` files), read and checked.
    pub fn load(paths: &[PathBuf]) -> Result<Engine, LoadError> {
        let raw = crate::load::from_paths(paths).map_err(|diags| LoadError {
            diags,
            sources: SourceMap::default(),
        })?;
        Engine::from_checked(check::check(&raw))
    }

    /// Policy files given as text: `.policy` files and the source texts
    /// they cite, each by name (`dir/name.policy`, `dir/name.zh.txt`).
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Engine, LoadError> {
        let mut raw = crate::load::RawSet::default();
        for (name, text) in files {
            let text = text.strip_prefix('\u{feff}').unwrap_or(text).to_string();
            if name.ends_with(".policy") {
                raw.policies.push((name.to_string(), text));
            } else {
                raw.others.insert(name.to_string(), text);
            }
        }
        raw.policies.sort();
        Engine::from_checked(check::check(&raw))
    }

    /// The engine of a program the checker passed, with its warnings.
    pub(crate) fn from_program(program: Program, warnings: Vec<Diag>) -> Engine {
        Engine {
            schema: Schema::new(&program),
            fragments: Fragments::new(&program),
            program,
            warnings,
        }
    }

    fn from_checked(c: check::Checked) -> Result<Engine, LoadError> {
        let has_errors = c.has_errors();
        match c.program {
            Some(program) if !has_errors => Ok(Engine::from_program(program, c.diags)),
            _ => Err(LoadError {
                diags: c.diags,
                sources: c.sources,
            }),
        }
    }

    /// The checked program, for the report writers.
    pub fn program(&self) -> &Program {
        &self.program
    }

    /// The JSON Schema of a case (see [`crate::schema`]).
    pub fn case_schema(&self) -> serde_json::Value {
        crate::schema::case_schema(&self.program)
    }

    /// The case shape, for decoders.
    pub(crate) fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The program's strings escaped for reports.
    pub(crate) fn fragments(&self) -> &Fragments {
        &self.fragments
    }

    /// The checker's warnings about the policy set.
    pub fn warnings(&self) -> &[Diag] {
        &self.warnings
    }

    /// The documents, by identifier (`沪人社规〔2023〕32号`).
    pub fn documents(&self) -> impl Iterator<Item = &str> {
        self.program.documents.iter().map(|d| d.id.as_str())
    }

    /// The facts a case may state, in declaration order.
    pub fn facts(&self) -> impl Iterator<Item = FactInfo<'_>> {
        let p = &self.program;
        p.facts.iter().map(move |f| {
            let values = match f.ty {
                Type::Enum(e) => p
                    .enums
                    .get(e as usize)
                    .map_or(&[][..], |t| t.variants.as_slice()),
                _ => &[][..],
            };
            let type_name = match f.ty {
                Type::Bool => "bool",
                Type::Int => "int",
                Type::Date => "date",
                Type::Text => "text",
                Type::Enum(e) => p.enums.get(e as usize).map_or("", |t| t.name.as_str()),
                _ => "",
            };
            FactInfo {
                name: &f.name,
                label: &f.label,
                type_name,
                values,
            }
        })
    }

    /// The outcomes, in declaration order (`in_force` is not among them:
    /// every report gives it first).
    pub fn outcomes(&self) -> impl Iterator<Item = OutcomeInfo<'_>> {
        self.program.outcomes.iter().map(|o| OutcomeInfo {
            name: &o.name,
            label: &o.label,
        })
    }

    /// A case decoded from JSON, YAML or TOML text. Every problem is
    /// reported, each by its path.
    pub fn case_from_str(&self, text: &str, format: Format) -> Result<Case, Vec<CaseError>> {
        case::decode_text(&self.program, &self.schema, text, format)
    }

    /// A case built fact by fact.
    pub fn case(&self) -> CaseBuilder<'_> {
        CaseBuilder {
            engine: self,
            root: serde_json::Map::new(),
            errors: Vec::new(),
        }
    }

    /// Evaluates a case on its `as_of` date, recording everything.
    pub fn evaluate(&self, case: &Case) -> Result<Evaluation<'_>, EvalError> {
        let mut e = self.evaluator();
        e.record = Record::ALL;
        e.evaluate(case)?;
        Ok(Evaluation {
            engine: self,
            facts: case.facts.clone(),
            raw: e.ws.ev,
        })
    }

    /// Buffers for evaluating many cases on one thread.
    pub fn evaluator(&self) -> Evaluator<'_> {
        Evaluator {
            engine: self,
            ws: Workspace::new(&self.program),
            record: Record {
                cites: true,
                derivations: false,
            },
        }
    }
}

/// A case under construction: facts by dotted name. The facts go through
/// the same decoder as a case file, so the same checks apply.
#[derive(Clone, Debug)]
pub struct CaseBuilder<'e> {
    engine: &'e Engine,
    root: serde_json::Map<String, serde_json::Value>,
    errors: Vec<CaseError>,
}

impl CaseBuilder<'_> {
    /// The assessment date, `YYYY-MM-DD`.
    pub fn as_of(self, date: &str) -> Self {
        self.fact("as_of", date)
    }

    /// States a fact by its dotted name (`injury.occurred`). Enum values are
    /// given by name (`"host"`), dates as `YYYY-MM-DD`.
    pub fn fact(mut self, name: &str, value: impl Into<serde_json::Value>) -> Self {
        let mut parts: Vec<&str> = name.split('.').collect();
        let last = parts.pop().unwrap_or_default();
        let mut at = &mut self.root;
        for part in parts {
            let slot = at
                .entry(part.to_string())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            match slot {
                serde_json::Value::Object(m) => at = m,
                _ => {
                    self.errors.push(CaseError::new(
                        name,
                        CaseProblem::NotAGroup {
                            part: part.to_string(),
                        },
                    ));
                    return self;
                }
            }
        }
        if at.insert(last.to_string(), value.into()).is_some() {
            self.errors
                .push(CaseError::new(name, CaseProblem::GivenTwice));
        }
        self
    }

    /// The case, or every problem with it.
    pub fn build(mut self) -> Result<Case, Vec<CaseError>> {
        let text = serde_json::Value::Object(std::mem::take(&mut self.root)).to_string();
        match self.engine.case_from_str(&text, Format::Json) {
            Ok(c) if self.errors.is_empty() => Ok(c),
            Ok(_) => Err(self.errors),
            Err(mut e) => {
                self.errors.append(&mut e);
                Err(self.errors)
            }
        }
    }
}

/// Reusable buffers for evaluating many cases on one thread.
#[derive(Clone, Debug)]
pub struct Evaluator<'e> {
    engine: &'e Engine,
    ws: Workspace,
    record: Record,
}

impl<'e> Evaluator<'e> {
    /// Whether to record derivations too (off by default: values, missing
    /// facts and cites only).
    pub fn with_derivations(mut self, on: bool) -> Self {
        self.record.derivations = on;
        self
    }

    /// Evaluates a case on its `as_of` date; a case that states none is
    /// refused ([`crate::eval::Fault::NoAssessmentDate`]): no date is a
    /// plausible default for which documents are in force.
    pub fn evaluate<'a>(&'a mut self, case: &'a Case) -> Result<View<'a>, EvalError> {
        let p = &self.engine.program;
        let as_of = case.as_of.ok_or(EvalError {
            fault: crate::eval::Fault::NoAssessmentDate,
            span: crate::source::Span::default(),
        })?;
        self.ws.evaluate(p, &case.facts, as_of, self.record)?;
        Ok(View {
            engine: self.engine,
            facts: &case.facts,
            raw: &self.ws.ev,
        })
    }
}

/// An evaluation that owns its results.
#[derive(Clone, Debug)]
pub struct Evaluation<'e> {
    engine: &'e Engine,
    facts: Vec<Value>,
    raw: Raw,
}

impl Evaluation<'_> {
    /// A borrowed view, for reading.
    pub fn view(&self) -> View<'_> {
        View {
            engine: self.engine,
            facts: &self.facts,
            raw: &self.raw,
        }
    }
    /// See [`View::value`].
    pub fn value(&self, outcome: &str) -> Option<serde_json::Value> {
        self.view().value(outcome)
    }
    /// See [`View::missing`].
    pub fn missing(&self, outcome: &str) -> Vec<&str> {
        self.view().missing(outcome)
    }
    /// See [`View::cites`].
    pub fn cites(&self, outcome: &str) -> Vec<String> {
        self.view().cites(outcome)
    }
    /// See [`View::document`].
    pub fn document(&self, outcome: &str) -> Option<&str> {
        self.view().document(outcome)
    }
    /// The derivation of an outcome.
    pub fn derivation(&self, outcome: &str) -> Option<Derivation<'_>> {
        let o = self.outcome(outcome)?;
        self.raw.derivations()?.get(&self.raw, o).ok()
    }
    /// See [`View::json`].
    pub fn json(&self, detail: Detail) -> serde_json::Value {
        self.view().json(detail)
    }
    /// The derivation tree of an outcome (or of `in_force`) in text, as
    /// `regula explain` prints it; `None` for no such outcome.
    pub fn explain(&self, outcome: &str) -> Option<String> {
        let s = self.subject();
        if outcome == "in_force" {
            return Some(crate::report::in_force_text(&s, 0));
        }
        // A further line of documents' own in-force outcome.
        if let Some(line) = self
            .engine
            .program
            .lines()
            .iter()
            .position(|(n, _)| n == outcome)
        {
            return Some(crate::report::in_force_text(&s, line));
        }
        let o = self.outcome(outcome)?;
        let d = s.derive(o).ok()?;
        crate::report::explain_text(&s, &d).ok()
    }
    /// The rules that decided an outcome (all that applied and agree);
    /// empty when no rule did (n/a, unknown, a default, a conflict).
    pub fn decided_by(&self, outcome: &str) -> Vec<&crate::program::Rule> {
        let p = &self.engine.program;
        self.derivation(outcome)
            .map(|d| d.decided_by.iter().filter_map(|r| p.rule(*r)).collect())
            .unwrap_or_default()
    }
    /// The evaluation as the report writers see it.
    pub(crate) fn subject(&self) -> Subject<'_> {
        Subject::new(&self.engine.program, &self.facts, &self.raw)
            .with_fragments(&self.engine.fragments)
    }
    fn outcome(&self, name: &str) -> Option<OutcomeId> {
        self.engine.program.outcome_index.get(name).copied()
    }
}

/// A borrowed view of an evaluation: every outcome by name.
#[derive(Clone, Copy, Debug)]
pub struct View<'a> {
    engine: &'a Engine,
    facts: &'a [Value],
    raw: &'a Raw,
}

impl<'a> View<'a> {
    fn outcome(&self, name: &str) -> Option<OutcomeId> {
        self.engine.program.outcome_index.get(name).copied()
    }

    /// Whether a document is in force on the assessment date.
    pub fn in_force(&self) -> bool {
        self.raw.in_force.is_some()
    }

    /// An outcome's value in the vocabulary (`"host"`, `true`, a date as
    /// `"2025-03-01"`); `None` when it is unknown, n/a or in conflict, or
    /// no outcome has that name.
    pub fn value(&self, outcome: &str) -> Option<serde_json::Value> {
        let o = self.outcome(outcome)?;
        let v = &self.raw.outcomes.get(o as usize)?.value;
        v.is_known().then(|| self.engine.program.value_json(v))
    }

    /// Whether an outcome is unknown for want of facts.
    pub fn is_unknown(&self, outcome: &str) -> bool {
        self.outcome(outcome)
            .and_then(|o| self.raw.outcomes.get(o as usize))
            .is_some_and(|r| r.value == Value::Unknown && !r.conflict)
    }

    /// Whether rules conflict on an outcome.
    pub fn is_conflict(&self, outcome: &str) -> bool {
        self.outcome(outcome)
            .and_then(|o| self.raw.outcomes.get(o as usize))
            .is_some_and(|r| r.conflict)
    }

    /// For an unknown outcome: the facts that could decide it, by name.
    pub fn missing(&self, outcome: &str) -> Vec<&'a str> {
        let p = &self.engine.program;
        self.outcome(outcome)
            .map(|o| p.fact_names(self.raw.missing(o)))
            .unwrap_or_default()
    }

    /// For a known outcome: the paragraphs that decided it (`"4.2"`).
    pub fn cites(&self, outcome: &str) -> Vec<String> {
        let p = &self.engine.program;
        self.outcome(outcome)
            .map(|o| {
                self.raw
                    .cites(o)
                    .iter()
                    .filter_map(|r| p.rule(*r))
                    .map(|r| r.cites.key())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The document under which an outcome was decided.
    pub fn document(&self, outcome: &str) -> Option<&'a str> {
        let o = self.outcome(outcome)?;
        let d = self.raw.outcomes.get(o as usize)?.document?;
        Some(self.engine.program.doc_id(d))
    }

    /// The report contract as JSON (`regula eval --format json`).
    pub fn json(&self, detail: Detail) -> serde_json::Value {
        let s = Subject::new(&self.engine.program, self.facts, self.raw)
            .with_fragments(&self.engine.fragments);
        crate::report::json_report(&s, detail).expect(
            "the report of an evaluation that succeeded is written: its derivations are recorded or computed again by the same evaluator",
        )
    }

    /// Appends the report contract as one line of compact JSON.
    pub fn write_json(&self, detail: Detail, out: &mut Vec<u8>) -> Result<(), EvalError> {
        let s = Subject::new(&self.engine.program, self.facts, self.raw)
            .with_fragments(&self.engine.fragments);
        write_report(out, &s, detail, None, false)?;
        out.push(b'\n');
        Ok(())
    }
}

#[cfg(all(test, feature = "embedded"))]
mod tests {
    use super::*;

    /// A case without an assessment date is refused, not evaluated on a
    /// default date (which would report every document out of force).
    #[test]
    fn a_case_without_an_assessment_date_is_refused() {
        let engine = Engine::embedded().expect("the embedded policies load");
        let case = engine.case().build().expect("an empty case decodes");
        let err = engine.evaluate(&case).expect_err("refused");
        assert_eq!(err.fault, crate::eval::Fault::NoAssessmentDate);
        let dated = engine.case().as_of("2025-03-01").build().expect("decodes");
        assert!(engine.evaluate(&dated).is_ok());
    }
}
