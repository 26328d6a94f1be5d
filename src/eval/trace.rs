//! Derivations: a record of the evaluator's walk over one case — every
//! sub-expression evaluated with its value, each rule's fate (applied,
//! overridden, not applicable, undetermined, in conflict) — read back with
//! the evaluation's missing facts, cites and documents.
//!
//! [`Derivations`] is an [`Observer`] of [`super::machine::Machine`]: it
//! decides nothing, it writes down what the walk did. Its buffers are flat
//! and reused from case to case: trace nodes with their operands as index
//! ranges, rule records, and one list of ids. [`Derivations::get`] reads one
//! outcome's derivation through borrowed views ([`Derivation`],
//! [`RuleTrace`], [`Trace`]).
//!
//! Cost: one node per sub-expression evaluated; the rules overriding a rule
//! are listed from its exceptions, so recording is linear in the walk plus
//! the lists it shows.
use super::machine::{Decided, Observer, RuleStep};
use super::value::{Tag, Texts, V};
use super::{EvalError, Evaluation, Tri};
use crate::program::*;
use crate::source::Span;

/// Where a traced value came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A fact of the case.
    Fact(FactId),
    /// Another outcome (with its own derivation).
    Outcome(OutcomeId),
    /// A parameter.
    Param(ParamId),
    /// The assessment date.
    AsOf,
    /// A literal.
    Const,
    /// An operator over its children.
    Op,
    /// A chain of `and`s, flattened.
    And,
    /// A chain of `or`s, flattened.
    Or,
    /// A definition call: children are the arguments, then the body.
    Call(DefId),
}

/// A traced sub-expression, as stored.
#[derive(Clone, Debug)]
pub struct TraceNode {
    /// Where it is written.
    pub span: Span,
    /// Its value.
    pub value: Value,
    /// What it is.
    pub node: Node,
    /// The number of the expression it traces.
    pub(crate) expr: u32,
    /// Its operands: a range of [`Derivations`]' child list.
    kids: (u32, u32),
}

/// A traced sub-expression: a node and the buffers its operands are in.
/// It reads as the node (`t.span`, `t.value`, `t.node`).
#[derive(Clone, Copy, Debug)]
pub struct Trace<'a> {
    d: &'a Derivations,
    t: &'a TraceNode,
}

impl std::ops::Deref for Trace<'_> {
    type Target = TraceNode;
    fn deref(&self) -> &TraceNode {
        self.t
    }
}

impl<'a> Trace<'a> {
    /// The node, for as long as the derivations it belongs to.
    pub fn node_ref(&self) -> &'a TraceNode {
        self.t
    }

    /// Traces of its operands.
    pub fn children(&self) -> Vec<Trace<'a>> {
        self.operands().collect()
    }

    /// Traces of its operands, without collecting them.
    pub fn operands(&self) -> impl Iterator<Item = Trace<'a>> + 'a {
        let d = self.d;
        d.kids_of(self.t.kids)
            .iter()
            .filter_map(move |i| d.view(*i))
    }

    /// How many operands it has.
    pub fn operand_count(&self) -> usize {
        self.t.kids.1 as usize
    }
}

/// What became of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleStatus {
    /// It applied and decided the outcome.
    Applied,
    /// It applied but an exception to it applied too.
    Overridden,
    /// Its condition is false (or not applicable).
    NotApplicable,
    /// Its condition depends on unknown facts, or an exception's does.
    Undetermined,
    /// It applied and concluded a different value than another applicable rule.
    Conflicting,
    /// Its document (or this version of it) is not in force on the date.
    NotInForce,
}

/// One rule in a derivation.
#[derive(Clone, Copy, Debug)]
pub struct RuleTrace<'a> {
    /// The rule.
    pub rule: RuleId,
    /// What became of it.
    pub status: RuleStatus,
    /// Its condition's trace (None = unconditional, or not in force).
    pub condition: Option<Trace<'a>>,
    /// Its value's trace, when it applies or may apply.
    pub value: Option<Trace<'a>>,
    /// The exceptions that applied and overrode it.
    pub overridden_by: &'a [RuleId],
}

/// How an outcome was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A rule decided it.
    Decided,
    /// No rule applied; its default holds.
    Default,
    /// No rule applied and it has no default: n/a.
    NotApplicable,
    /// It depends on facts the case does not state.
    Unknown,
    /// Two applicable rules conclude different values.
    Conflict,
    /// No document is in force on the date.
    NotInForce,
}

/// The derivation of one outcome.
#[derive(Clone, Debug)]
pub struct Derivation<'a> {
    /// The outcome.
    pub outcome: OutcomeId,
    /// Its value.
    pub value: Value,
    /// How it was decided.
    pub status: Status,
    /// The rules that decided it (all that applied and agree).
    pub decided_by: &'a [RuleId],
    /// Every rule concluding the outcome, with its fate.
    pub rules: Rules<'a>,
    /// For an unknown outcome: the facts that could decide it, by name.
    pub missing: &'a [FactId],
    /// For an unknown outcome: the outcomes in conflict it depends on.
    pub blocked_by: &'a [OutcomeId],
    /// The rules whose paragraphs cite it, one per paragraph: the deciding
    /// rules', then those of the outcomes they read.
    pub cites: &'a [RuleId],
    /// The document of the deciding rule.
    pub document: Option<DocId>,
    /// The default's trace, when the default decided it.
    pub default: Option<Trace<'a>>,
}

/// The part of an outcome's derivation its record holds: what the report
/// writer reads of it, without the value, missing facts and cites that
/// [`Derivation`] adds from the evaluation.
#[derive(Clone, Copy)]
pub(crate) struct Head<'a> {
    pub outcome: OutcomeId,
    pub status: Status,
    pub decided_by: &'a [RuleId],
    pub rules: Rules<'a>,
    pub document: Option<DocId>,
    pub default: Option<Trace<'a>>,
}

impl<'a> Derivation<'a> {
    /// Its [`Head`].
    pub(crate) fn head(&self) -> Head<'a> {
        Head {
            outcome: self.outcome,
            status: self.status,
            decided_by: self.decided_by,
            rules: self.rules,
            document: self.document,
            default: self.default,
        }
    }
}

/// The rules of a derivation, each with its fate: a borrowed view of the
/// recorded rules, read one [`RuleTrace`] at a time.
#[derive(Clone, Copy)]
pub struct Rules<'a> {
    d: &'a Derivations,
    records: &'a [RuleRecord],
}

impl<'a> Rules<'a> {
    /// How many rules.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The `i`-th rule.
    pub fn get(&self, i: usize) -> Option<RuleTrace<'a>> {
        self.records.get(i).map(|x| self.d.rule_trace(x))
    }

    /// The rules in order.
    pub fn iter(&self) -> RulesIter<'a> {
        RulesIter {
            d: self.d,
            records: self.records.iter(),
        }
    }
}

impl std::fmt::Debug for Rules<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for Rules<'a> {
    type Item = RuleTrace<'a>;
    type IntoIter = RulesIter<'a>;
    fn into_iter(self) -> RulesIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Rules<'a> {
    type Item = RuleTrace<'a>;
    type IntoIter = RulesIter<'a>;
    fn into_iter(self) -> RulesIter<'a> {
        self.iter()
    }
}

/// An iterator over the rules of a derivation ([`Rules::iter`]).
#[derive(Clone)]
pub struct RulesIter<'a> {
    d: &'a Derivations,
    records: std::slice::Iter<'a, RuleRecord>,
}

impl<'a> Iterator for RulesIter<'a> {
    type Item = RuleTrace<'a>;
    fn next(&mut self) -> Option<RuleTrace<'a>> {
        self.records.next().map(|x| self.d.rule_trace(x))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.records.size_hint()
    }
}

impl DoubleEndedIterator for RulesIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.records.next_back().map(|x| self.d.rule_trace(x))
    }
}

impl ExactSizeIterator for RulesIter<'_> {}

impl Derivation<'_> {
    /// The paragraphs that cite it (`4.2`).
    pub fn cite_keys(&self, p: &Program) -> Vec<String> {
        self.cites
            .iter()
            .filter_map(|r| p.rule(*r))
            .map(|r| r.cites.key())
            .collect()
    }
}

/// A range of [`Derivations`]' id list.
type Ids = (u32, u32);

/// One rule of a derivation, as stored.
#[derive(Clone, Copy, Debug)]
struct RuleRecord {
    rule: RuleId,
    status: RuleStatus,
    condition: Option<u32>,
    value: Option<u32>,
    overridden_by: Ids,
}

/// One outcome's derivation, as stored.
#[derive(Clone, Copy, Debug, Default)]
struct OutcomeRecord {
    rules: (u32, u32),
    decided_by: Ids,
    default: Option<u32>,
}

/// The derivations of every outcome of one case, in buffers reused from case
/// to case.
#[derive(Clone, Debug, Default)]
pub struct Derivations {
    nodes: Vec<TraceNode>,
    kids: Vec<u32>,
    /// The nodes pushed and not yet taken as operands, innermost last.
    stack: Vec<u32>,
    rules: Vec<RuleRecord>,
    ids: Vec<u32>,
    outcomes: Vec<OutcomeRecord>,
    not_in_force: bool,
}

/// Why a recorded range lies within its table: it was recorded as the
/// table grew.
const RECORDED: &str = "a recorded range lies within the table it was recorded in";

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Derivations {
    /// Empties the buffers for a case of a program.
    pub(crate) fn reset(&mut self, p: &Program) {
        self.nodes.clear();
        self.kids.clear();
        self.stack.clear();
        self.rules.clear();
        self.ids.clear();
        self.outcomes.clear();
        self.outcomes
            .resize(p.outcomes.len(), OutcomeRecord::default());
        self.not_in_force = false;
    }

    /// No document is in force: every outcome is n/a.
    pub(crate) fn not_in_force(&mut self) {
        self.not_in_force = true;
    }

    /// The derivation of one outcome of an evaluation these derivations
    /// recorded.
    #[inline]
    pub fn get<'a>(
        &'a self,
        ev: &'a Evaluation,
        o: OutcomeId,
    ) -> Result<Derivation<'a>, EvalError> {
        let h = self.head(ev, o)?;
        let value = ev
            .outcomes
            .get(o as usize)
            .map_or(Value::Unknown, |r| r.value.clone());
        Ok(Derivation {
            outcome: o,
            value,
            status: h.status,
            decided_by: h.decided_by,
            rules: h.rules,
            missing: ev.missing(o),
            blocked_by: ev.blocked_by(o),
            cites: ev.cites(o),
            document: h.document,
            default: h.default,
        })
    }

    /// What a derivation's record shows of one outcome ([`Head`]), read
    /// without the rest of [`Derivation`].
    #[inline]
    pub(crate) fn head<'a>(
        &'a self,
        ev: &'a Evaluation,
        o: OutcomeId,
    ) -> Result<Head<'a>, EvalError> {
        let (Some(r), Some(res)) = (self.outcomes.get(o as usize), ev.outcomes.get(o as usize))
        else {
            return Err(EvalError {
                fault: crate::eval::Fault::NoSuchOutcome,
                span: Span::default(),
            });
        };
        let rules = Rules {
            d: self,
            records: self
                .rules
                .get(r.rules.0 as usize..(r.rules.0 + r.rules.1) as usize)
                .expect(RECORDED),
        };
        let decided_by = self.ids_of(r.decided_by);
        let status = if self.not_in_force {
            Status::NotInForce
        } else if res.conflict {
            Status::Conflict
        } else if res.value == Value::Unknown {
            Status::Unknown
        } else if !decided_by.is_empty() {
            Status::Decided
        } else if res.by_default {
            Status::Default
        } else {
            Status::NotApplicable
        };
        Ok(Head {
            outcome: o,
            status,
            decided_by,
            rules,
            document: res.document,
            default: r.default.and_then(|i| self.view(i)),
        })
    }

    /// How much was recorded: trace nodes, rule records and ids.
    pub fn size(&self) -> usize {
        self.nodes.len() + self.rules.len() + self.ids.len()
    }

    fn rule_trace(&self, x: &RuleRecord) -> RuleTrace<'_> {
        RuleTrace {
            rule: x.rule,
            status: x.status,
            condition: x.condition.and_then(|i| self.view(i)),
            value: x.value.and_then(|i| self.view(i)),
            overridden_by: self.ids_of(x.overridden_by),
        }
    }

    fn view(&self, i: u32) -> Option<Trace<'_>> {
        self.nodes.get(i as usize).map(|t| Trace { d: self, t })
    }

    fn ids_of(&self, (start, len): Ids) -> &[u32] {
        self.ids
            .get(start as usize..(start + len) as usize)
            .expect(RECORDED)
    }

    fn kids_of(&self, (start, len): (u32, u32)) -> &[u32] {
        self.kids
            .get(start as usize..(start + len) as usize)
            .expect(RECORDED)
    }

    /// Appends a node.
    #[inline(always)]
    fn push<'t>(
        &mut self,
        e: &Expr,
        t: impl FnOnce() -> Texts<'t>,
        v: V,
        node: Node,
        kids: (u32, u32),
    ) {
        let value = match v.tag {
            Tag::Absent => Value::Absent,
            Tag::Unknown => Value::Unknown,
            Tag::Bool => Value::Bool(v.x != 0),
            Tag::Int => Value::Int(v.x),
            _ => t().value(v),
        };
        self.stack.push(idx(self.nodes.len()));
        self.nodes.push(TraceNode {
            span: e.span,
            value,
            node,
            expr: e.id,
            kids,
        });
    }
}

impl Observer for Derivations {
    const ON: bool = true;

    fn mark(&self) -> u32 {
        idx(self.stack.len())
    }

    #[inline(always)]
    fn leaf<'t>(&mut self, t: impl FnOnce() -> Texts<'t>, e: &Expr, v: V, node: Node) {
        let start = idx(self.kids.len());
        self.push(e, t, v, node, (start, 0));
    }

    #[inline(always)]
    fn close<'t>(&mut self, t: impl FnOnce() -> Texts<'t>, e: &Expr, v: V, node: Node, mark: u32) {
        let from = self.kids.len();
        let operands = self
            .stack
            .get(mark as usize..)
            .expect("a mark is taken below the operands pushed since");
        if matches!(node, Node::And | Node::Or) {
            for &k in operands {
                // A chain `a and b and c` is one node with every term as
                // operand.
                match self.nodes.get(k as usize) {
                    Some(n) if n.node == node => {
                        let (s, l) = n.kids;
                        let (s, l) = (s as usize, l as usize);
                        if s + l <= from {
                            self.kids.extend_from_within(s..s + l);
                        }
                    }
                    _ => self.kids.push(k),
                }
            }
        } else {
            self.kids.extend(operands.iter().copied());
        }
        self.stack.truncate(mark as usize);
        let kids = (idx(from), idx(self.kids.len() - from));
        self.push(e, t, v, node, kids);
    }

    fn cut(&mut self, mark: u32) {
        self.stack.truncate(mark as usize);
    }

    fn pop(&mut self) -> Option<u32> {
        self.stack.pop()
    }

    fn outcome(&mut self, d: &Decided, steps: &[RuleStep], applies: &[Tri]) {
        let first = self.rules.len();
        for s in steps {
            let overridden = {
                let start = self.ids.len();
                if s.active {
                    // Ordered as the checker lists a rule's exceptions.
                    for &x in d.program_defeaters(s.rule) {
                        if applies.get(x as usize) == Some(&Tri::Yes) {
                            self.ids.push(x);
                        }
                    }
                }
                (idx(start), idx(self.ids.len() - start))
            };
            let status = if !s.active {
                RuleStatus::NotInForce
            } else {
                match (s.applies, s.effective) {
                    (Tri::No, _) => RuleStatus::NotApplicable,
                    (_, Tri::No) if overridden.1 > 0 => RuleStatus::Overridden,
                    (_, Tri::Yes) if d.conflict => RuleStatus::Conflicting,
                    (_, Tri::Yes) => RuleStatus::Applied,
                    _ => RuleStatus::Undetermined,
                }
            };
            self.rules.push(RuleRecord {
                rule: s.rule,
                status,
                condition: s.condition,
                value: s.value,
                overridden_by: overridden,
            });
        }
        let start = self.ids.len();
        self.ids.extend(d.deciding.iter().copied());
        let decided_by = (idx(start), idx(self.ids.len() - start));
        if let Some(slot) = self.outcomes.get_mut(d.outcome as usize) {
            *slot = OutcomeRecord {
                rules: (idx(first), idx(self.rules.len() - first)),
                decided_by,
                default: d.default,
            };
        }
    }
}
