//! Evaluation with Kleene three-valued logic, exceptions and conflicts.
//!
//! One evaluator (`machine`) gives every outcome of a case its value, its
//! missing facts, the conflicts it is blocked by, its cites and its
//! document; derivations are recorded by observing that same walk
//! ([`Derivations`]). [`Workspace`] keeps the buffers for evaluating many
//! cases; [`evaluate`] evaluates one case with everything recorded.
//!
//! Cost per case: linear in the program's expressions and exception edges,
//! plus the length of the lists recorded.
mod facts;
mod machine;
mod trace;
mod value;

pub(crate) use trace::Head;
pub use trace::{
    Derivation, Derivations, Node, RuleStatus, RuleTrace, Rules, RulesIter, Status, Trace,
    TraceNode,
};
pub(crate) use value::add_months;

use crate::program::*;
use chrono::NaiveDate;
use facts::{FactSet, Held, Mask, Stack};
use machine::{Machine, Plan, Scratch};

/// Three-valued truth of a rule's applicability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Does not apply (false or n/a condition).
    No,
    /// Applies.
    Yes,
    /// Depends on unknown facts.
    Maybe,
}

/// Why an evaluation has no value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Checked integer arithmetic overflowed.
    Overflow,
    /// A date left the calendar.
    DateOutOfRange,
    /// A decimal was divided by zero.
    DivisionByZero,
    /// A derivation was asked for an outcome the program does not have.
    NoSuchOutcome,
    /// A derivation was asked of an evaluation that recorded none.
    NotRecorded,
    /// A case without an assessment date: no date to find the documents in
    /// force on.
    NoAssessmentDate,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Fault::Overflow => "integer overflow",
            Fault::DateOutOfRange => "date out of range",
            Fault::DivisionByZero => "division by zero",
            Fault::NoSuchOutcome => "no such outcome",
            Fault::NotRecorded => "no derivations were recorded",
            Fault::NoAssessmentDate => "the case states no assessment date",
        })
    }
}

/// An error during evaluation: checked arithmetic overflowed or a date left
/// the calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// What went wrong.
    pub fault: Fault,
    /// Where, in the policy.
    pub span: crate::source::Span,
}

impl EvalError {
    /// What went wrong, in words.
    pub fn message(&self) -> String {
        self.fault.to_string()
    }
}

impl std::fmt::Display for EvalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "evaluation failed: {}", self.fault)
    }
}

impl std::error::Error for EvalError {}

/// How one outcome came out.
#[derive(Clone, Debug)]
pub struct OutcomeResult {
    /// The value: known, `Unknown`, or `Absent` (n/a).
    pub value: Value,
    /// The first rule that decided it, if a rule did.
    pub decided_by: Option<RuleId>,
    /// Two applicable rules conclude different values.
    pub conflict: bool,
    /// The outcome's default decided it.
    pub by_default: bool,
    /// The document under which it was decided: the deciding rule's (the
    /// amendment that supplied the rule, or the document in force that
    /// carries it); for a default, the document in force.
    pub document: Option<DocId>,
}

const ABSENT: OutcomeResult = OutcomeResult {
    value: Value::Absent,
    decided_by: None,
    conflict: false,
    by_default: false,
    document: None,
};

/// What to record besides values, missing facts and conflicts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// The cites of each known outcome.
    pub cites: bool,
    /// The derivation of every outcome.
    pub derivations: bool,
}

impl Record {
    /// Everything.
    pub const ALL: Record = Record {
        cites: true,
        derivations: true,
    };
}

/// The result of evaluating every outcome of a case.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The assessment date.
    pub as_of: NaiveDate,
    /// Index of the epoch (period of constant law) used.
    pub epoch: usize,
    /// Whether a document is in force on the date.
    pub in_force: Option<DocId>,
    /// Per outcome slot.
    pub outcomes: Vec<OutcomeResult>,
    /// Per rule: whether it is in effect (applies and not defeated).
    pub effective: Vec<Tri>,
    /// Per rule: whether its condition holds (before exceptions).
    pub applies: Vec<Tri>,
    /// What was recorded.
    pub recorded: Record,
    missing: Vec<FactId>,
    blocked: Vec<OutcomeId>,
    cites: Vec<RuleId>,
    /// Per outcome: its ranges in `missing`, `blocked` and `cites`.
    lists: Vec<[(u32, u32); 3]>,
    open: [usize; 3],
    derivations: Derivations,
}

impl Evaluation {
    fn new(p: &Program) -> Evaluation {
        Evaluation {
            as_of: NaiveDate::MIN,
            epoch: 0,
            in_force: None,
            outcomes: vec![ABSENT; p.outcomes.len()],
            effective: vec![Tri::No; p.rules.len()],
            applies: vec![Tri::No; p.rules.len()],
            recorded: Record::default(),
            missing: Vec::new(),
            blocked: Vec::new(),
            cites: Vec::new(),
            lists: vec![[(0, 0); 3]; p.outcomes.len()],
            open: [0; 3],
            derivations: Derivations::default(),
        }
    }

    fn list<'a, T>(&self, v: &'a [T], o: OutcomeId, k: usize) -> &'a [T] {
        let (a, n) = self
            .lists
            .get(o as usize)
            .and_then(|l| l.get(k))
            .copied()
            .expect("an outcome of the evaluated program, whose lists are sized to its outcomes");
        v.get(a as usize..(a + n) as usize)
            .expect("an outcome's recorded list lies within the list of all")
    }

    /// For an unknown outcome (not in conflict): the unknown facts that
    /// could decide it, by name.
    pub fn missing(&self, o: OutcomeId) -> &[FactId] {
        self.list(&self.missing, o, 0)
    }

    /// For an unknown outcome: the outcomes in conflict it depends on.
    pub fn blocked_by(&self, o: OutcomeId) -> &[OutcomeId] {
        self.list(&self.blocked, o, 1)
    }

    /// For a known outcome, when cites were recorded: the rules whose
    /// paragraphs cite it, one per paragraph — the deciding rules' first,
    /// then those of the outcomes they read.
    pub fn cites(&self, o: OutcomeId) -> &[RuleId] {
        self.list(&self.cites, o, 2)
    }

    /// How many cites were recorded, over every outcome: the sum of
    /// [`Evaluation::cites`]'s lengths, whose lists lie side by side.
    pub fn cites_recorded(&self) -> usize {
        self.cites.len()
    }

    /// The rules in conflict on an outcome: in effect, concluding
    /// different values.
    pub fn conflicting<'a>(
        &'a self,
        p: &'a Program,
        o: OutcomeId,
    ) -> impl Iterator<Item = RuleId> + 'a {
        let conflict = self.outcomes.get(o as usize).is_some_and(|r| r.conflict);
        p.outcome(o)
            .map_or(&[][..], |x| x.rules.as_slice())
            .iter()
            .copied()
            .filter(move |r| conflict && self.effective.get(*r as usize) == Some(&Tri::Yes))
    }

    /// Per outcome: its value, missing facts, blocking conflicts, cites and
    /// document, and the derivations when recorded, for tests that compare
    /// evaluations.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn summary(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .enumerate()
            .map(|(o, r)| {
                let o = OutcomeId::try_from(o).expect("outcome ids are 32-bit");
                format!(
                    "{:?} {:?} {:?} {:?} {:?}",
                    r.value,
                    self.missing(o),
                    self.blocked_by(o),
                    self.cites(o),
                    r.document
                )
            })
            .chain(self.derivations().map(|d| format!("{d:?}")))
            .collect()
    }

    /// The derivations, when they were recorded.
    pub fn derivations(&self) -> Option<&Derivations> {
        self.recorded.derivations.then_some(&self.derivations)
    }

    fn blocked_at(&self, o: OutcomeId) -> (u32, u32) {
        self.lists.get(o as usize).map_or((0, 0), |l| l[1])
    }

    fn cites_at(&self, o: OutcomeId) -> (u32, u32) {
        self.lists.get(o as usize).map_or((0, 0), |l| l[2])
    }

    fn open_lists(&mut self) {
        self.open = [self.missing.len(), self.blocked.len(), self.cites.len()];
    }

    fn close_lists(&mut self, o: OutcomeId) {
        let [m, b, c] = self.open;
        let most = self
            .missing
            .len()
            .max(self.blocked.len())
            .max(self.cites.len());
        assert!(
            u32::try_from(most).is_ok(),
            "an evaluation's lists hold fewer than 2^32 entries (16 GiB)"
        );
        // Each start is at most its list's length: both fit in 32 bits.
        let span = |a: usize, end: usize| (a as u32, (end - a) as u32);
        let l = [
            span(m, self.missing.len()),
            span(b, self.blocked.len()),
            span(c, self.cites.len()),
        ];
        if let Some(slot) = self.lists.get_mut(o as usize) {
            *slot = l;
        }
    }
}

/// Evaluates every outcome of a case on a date, recording everything.
pub fn evaluate(p: &Program, facts: &[Value], as_of: NaiveDate) -> Result<Evaluation, EvalError> {
    let mut w = Workspace::new(p);
    w.evaluate(p, facts, as_of, Record::ALL)?;
    Ok(w.ev)
}

/// Reusable buffers for evaluating many cases against one program: after the
/// first case, evaluating another allocates nothing but the values it copies.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The last evaluation.
    pub ev: Evaluation,
    plan: Plan,
    scratch: Scratch,
    /// The unknown facts as a stack: programs of any size.
    stack: Held<Stack>,
    /// As a bit mask: programs of up to 64 or 128 facts.
    narrow: Held<Mask<1>>,
    wide: Held<Mask<2>>,
}

impl Workspace {
    /// Buffers for a program.
    pub fn new(p: &Program) -> Workspace {
        Workspace {
            ev: Evaluation::new(p),
            plan: Plan::new(p),
            scratch: Scratch::default(),
            stack: Held::default(),
            narrow: Held::default(),
            wide: Held::default(),
        }
    }

    /// Evaluates every outcome of a case on a date into `self.ev`.
    pub fn evaluate(
        &mut self,
        p: &Program,
        facts: &[Value],
        as_of: NaiveDate,
        record: Record,
    ) -> Result<(), EvalError> {
        self.evaluate_holding(p, facts, as_of, record, Holder::Fitting)
    }

    /// [`Workspace::evaluate`], the unknown facts held as `holder` says
    /// (tests compare the holders).
    pub(crate) fn evaluate_holding(
        &mut self,
        p: &Program,
        facts: &[Value],
        as_of: NaiveDate,
        record: Record,
        holder: Holder,
    ) -> Result<(), EvalError> {
        let epoch_index = p
            .epochs
            .partition_point(|e| e.to.is_some_and(|to| to < as_of));
        let epoch = p.epochs.get(epoch_index);
        let ev = &mut self.ev;
        ev.as_of = as_of;
        ev.epoch = epoch_index;
        ev.in_force = epoch.and_then(|e| e.in_force);
        ev.recorded = record;
        // In force, the walk writes every outcome's entries and every
        // rule's; out of force, nothing is written, so all are reset.
        let reset = ev.in_force.is_none()
            || ev.outcomes.len() != p.outcomes.len()
            || ev.effective.len() != p.rules.len();
        if reset {
            ev.outcomes.clear();
            ev.outcomes.resize(p.outcomes.len(), ABSENT);
            ev.effective.clear();
            ev.effective.resize(p.rules.len(), Tri::No);
            ev.applies.clear();
            ev.applies.resize(p.rules.len(), Tri::No);
            ev.lists.clear();
            ev.lists.resize(p.outcomes.len(), [(0, 0); 3]);
        }
        ev.missing.clear();
        ev.blocked.clear();
        ev.cites.clear();
        // Derivations are recorded only when asked for: otherwise their
        // buffers are left alone, and `derivations()` gives none.
        let mut derivations = if record.derivations {
            let mut d = std::mem::take(&mut ev.derivations);
            d.reset(p);
            Some(d)
        } else {
            None
        };
        let result = match epoch.filter(|_| ev.in_force.is_some()) {
            // No document in force: every outcome is n/a.
            None => {
                if let Some(d) = &mut derivations {
                    d.not_in_force();
                }
                Ok(())
            }
            Some(epoch) => {
                let walk = Walk {
                    p,
                    plan: &self.plan,
                    st: &mut self.scratch,
                    ev,
                    epoch,
                    facts,
                    record,
                };
                let n = p.facts.len();
                let narrow = holder == Holder::Fitting && n <= Mask::<1>::FACTS;
                let wide = holder != Holder::Stack && n <= Mask::<2>::FACTS;
                match (&mut derivations, narrow, wide) {
                    (Some(d), true, _) => walk.run(&mut self.narrow, d),
                    (Some(d), false, true) => walk.run(&mut self.wide, d),
                    (Some(d), false, false) => walk.run(&mut self.stack, d),
                    (None, true, _) => walk.run(&mut self.narrow, &mut ()),
                    (None, false, true) => walk.run(&mut self.wide, &mut ()),
                    (None, false, false) => walk.run(&mut self.stack, &mut ()),
                }
            }
        };
        if let Some(d) = derivations {
            self.ev.derivations = d;
        }
        result
    }
}

#[cfg(any(test, feature = "testing"))]
impl Workspace {
    /// Evaluates a case with every holder of unknown facts: the fitting
    /// holder's [`Evaluation::summary`] (or its error), and a line for each
    /// other holder that gives something else.
    pub(crate) fn holders_differ(
        &mut self,
        p: &Program,
        facts: &[Value],
        as_of: NaiveDate,
        record: Record,
    ) -> (Result<Vec<String>, String>, Vec<String>) {
        let mut seen = |holder| match self.evaluate_holding(p, facts, as_of, record, holder) {
            Err(e) => Err(e.message()),
            Ok(()) => Ok(self.ev.summary()),
        };
        let fitting = seen(Holder::Fitting);
        let differ = [Holder::Wide, Holder::Stack]
            .into_iter()
            .filter_map(|holder| {
                let got = seen(holder);
                (got != fitting).then(|| {
                    format!(
                        "{record:?}, facts held {holder:?}: {got:?}, fitting holder {fitting:?}"
                    )
                })
            })
            .collect();
        (fitting, differ)
    }
}

/// Which holder of the unknown facts an evaluation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(any(test, feature = "testing")), allow(dead_code))]
pub(crate) enum Holder {
    /// The narrowest that fits the program: a 64-bit or a 128-bit mask, or
    /// the stack.
    Fitting,
    /// The 128-bit mask when it fits, else the stack.
    Wide,
    /// The stack.
    Stack,
}

/// One walk of the evaluator over a case, before its holder of unknown
/// facts and its observer are chosen.
struct Walk<'a> {
    p: &'a Program,
    plan: &'a Plan,
    st: &'a mut Scratch,
    ev: &'a mut Evaluation,
    epoch: &'a Epoch,
    facts: &'a [Value],
    record: Record,
}

impl Walk<'_> {
    fn run<O: machine::Observer, M: FactSet>(
        self,
        held: &mut Held<M>,
        obs: &mut O,
    ) -> Result<(), EvalError> {
        let Walk {
            p,
            plan,
            st,
            ev,
            epoch,
            facts,
            record,
        } = self;
        Machine {
            p,
            plan,
            facts,
            params: &epoch.params,
            as_of: ev.as_of,
            active: &epoch.rule_active,
            rule_document: &epoch.rule_document,
            st,
            held,
            ev,
            obs,
            cites: record.cites,
            err: None,
        }
        .run()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::gen;
    use crate::case::{decode_text, Format, Schema};

    /// Every holder of unknown facts gives the same plain evaluation of the
    /// shipped policies (both documents, and so the mask that fits them and
    /// the stack) on generated cases covering unknowns and every boundary.
    #[test]
    fn holders_agree_on_the_shipped_policies() {
        let p = crate::check::check(&crate::load::embedded())
            .program
            .expect("the shipped policies check");
        let schema = Schema::new(&p);
        let mut ws = Workspace::new(&p);
        let plain = Record {
            cites: true,
            derivations: false,
        };
        let mut unknown = 0;
        for (k, text) in gen::cases(gen::SEED, 2000).iter().enumerate() {
            let c = decode_text(&p, &schema, text, Format::Json).expect("a generated case decodes");
            let as_of = c.as_of.expect("a generated case has as_of");
            // Derivations on a tenth of the cases: they are slow to record.
            for record in [plain, Record::ALL]
                .into_iter()
                .take(1 + usize::from(k % 10 == 0))
            {
                let (fitting, differ) = ws.holders_differ(&p, &c.facts, as_of, record);
                let fitting = fitting.expect("a generated case evaluates");
                let each: usize = (0..p.outcomes.len())
                    .map(|o| {
                        ws.ev
                            .cites(OutcomeId::try_from(o).expect("32-bit ids"))
                            .len()
                    })
                    .sum();
                assert_eq!(ws.ev.cites_recorded(), each, "cites recorded on {text}");
                unknown += fitting.iter().filter(|o| o.starts_with("Unknown")).count();
                assert!(differ.is_empty(), "{differ:?} on {text}");
            }
        }
        assert!(
            unknown > 2000,
            "the cases leave outcomes unknown: {unknown}"
        );
    }
}
