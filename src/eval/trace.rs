//! Derivations: every outcome of a case re-evaluated with a trace of every
//! sub-expression, each rule's fate (applied, overridden, not applicable,
//! undetermined, in conflict), and the unknown facts that could decide it.
//!
//! [`Derivations::build`] records the derivations of all outcomes of one
//! case in flat buffers that are reused from case to case: trace nodes with
//! their children as index ranges, rule records, and one list of ids for the
//! rules, facts and outcomes each derivation names. [`Derivations::get`]
//! reads one outcome's derivation through borrowed views ([`Derivation`],
//! [`RuleTrace`], [`Trace`]).
use super::{and, arith, compare, not, or, tri_of, EvalError, Evaluation, Tri};
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

impl<'a> std::ops::Deref for Trace<'a> {
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
        let d = self.d;
        let (start, len) = self.t.kids;
        d.kids
            .get(start as usize..(start + len) as usize)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| d.view(*i))
            .collect()
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
    pub rules: Vec<RuleTrace<'a>>,
    /// For an unknown outcome: the facts that could decide it, by name.
    pub missing: &'a [FactId],
    /// For an unknown outcome: the outcomes in conflict it depends on.
    pub blocked_by: &'a [OutcomeId],
    /// Paragraphs of the deciding rules, then of the outcomes they read.
    pub cites: Vec<String>,
    /// The document of the deciding rule.
    pub document: Option<DocId>,
    /// The default's trace, when the default decided it.
    pub default: Option<Trace<'a>>,
}

/// A range of [`Derivations`]' id list.
type Ids = (u32, u32);

/// One rule of a derivation, as stored.
#[derive(Clone, Copy, Debug)]
struct RuleRecord {
    rule: RuleId,
    status: RuleStatus,
    applies: Tri,
    condition: Option<u32>,
    value: Option<u32>,
    overridden_by: Ids,
}

/// One outcome's derivation, as stored.
#[derive(Clone, Debug)]
struct OutcomeRecord {
    value: Value,
    status: Status,
    decided_by: Ids,
    rules: (u32, u32),
    missing: Ids,
    blocked_by: Ids,
    /// Rules whose paragraphs the outcome cites, one per paragraph.
    cites: Ids,
    document: Option<DocId>,
    default: Option<u32>,
    /// The error tracing it met, if any.
    error: Option<Box<EvalError>>,
}

impl Default for OutcomeRecord {
    fn default() -> Self {
        OutcomeRecord {
            value: Value::Absent,
            status: Status::NotApplicable,
            decided_by: (0, 0),
            rules: (0, 0),
            missing: (0, 0),
            blocked_by: (0, 0),
            cites: (0, 0),
            document: None,
            default: None,
            error: None,
        }
    }
}

/// The derivations of every outcome of one case, in buffers reused from case
/// to case.
#[derive(Clone, Debug, Default)]
pub struct Derivations {
    nodes: Vec<TraceNode>,
    kids: Vec<u32>,
    rules: Vec<RuleRecord>,
    ids: Vec<u32>,
    outcomes: Vec<OutcomeRecord>,
    /// Per outcome, the facts it misses, as bits (one row of words each).
    missing_bits: Vec<u64>,
    words: usize,
    /// Scratch: the facts an unknown outcome misses.
    acc: Vec<u64>,
    /// Scratch: operands of the nodes being built, innermost last.
    scratch: Vec<u32>,
}

struct TraceEnv<'a> {
    p: &'a Program,
    facts: &'a [Value],
    ev: &'a Evaluation,
    params: &'a [Value],
}

impl Derivations {
    /// Records the derivation of every outcome of an evaluation.
    pub fn build(&mut self, p: &Program, facts: &[Value], ev: &Evaluation) {
        self.nodes.clear();
        self.kids.clear();
        self.scratch.clear();
        self.rules.clear();
        self.ids.clear();
        // Every record is rewritten below, field by field.
        if self.outcomes.len() != p.outcomes.len() {
            self.outcomes.clear();
            self.outcomes
                .resize_with(p.outcomes.len(), OutcomeRecord::default);
        }
        self.words = p.facts.len().div_ceil(64).max(1);
        self.missing_bits.clear();
        self.missing_bits.resize(p.outcomes.len() * self.words, 0);
        let epoch = p.epochs.get(ev.epoch).filter(|_| ev.in_force.is_some());
        let Some(epoch) = epoch else {
            for slot in self.outcomes.iter_mut() {
                *slot = OutcomeRecord {
                    status: Status::NotInForce,
                    ..OutcomeRecord::default()
                };
            }
            return;
        };
        let env = TraceEnv {
            p,
            facts,
            ev,
            params: &epoch.params,
        };
        // In dependency order: an outcome's missing facts include those of
        // the unknown outcomes it reads, recorded before it.
        for &o in &p.order {
            let mark = (
                self.nodes.len(),
                self.kids.len(),
                self.rules.len(),
                self.ids.len(),
            );
            if let Err(error) = self.outcome(&env, epoch, o) {
                // Nothing half-built remains; the outcome carries the error.
                self.nodes.truncate(mark.0);
                self.kids.truncate(mark.1);
                self.rules.truncate(mark.2);
                self.ids.truncate(mark.3);
                self.scratch.clear();
                if let Some(slot) = self.outcomes.get_mut(o as usize) {
                    *slot = OutcomeRecord {
                        value: Value::Unknown,
                        status: Status::Unknown,
                        error: Some(Box::new(error)),
                        ..OutcomeRecord::default()
                    };
                }
            }
        }
    }

    /// The derivation of one outcome.
    pub fn get<'a>(&'a self, p: &Program, o: OutcomeId) -> Result<Derivation<'a>, EvalError> {
        let Some(r) = self.outcomes.get(o as usize) else {
            return Err(EvalError {
                message: "no such outcome".into(),
                span: Span::default(),
            });
        };
        if let Some(e) = &r.error {
            return Err(EvalError::clone(e));
        }
        let rules = self
            .rules
            .get(r.rules.0 as usize..(r.rules.0 + r.rules.1) as usize)
            .unwrap_or_default()
            .iter()
            .map(|x| RuleTrace {
                rule: x.rule,
                status: x.status,
                condition: x.condition.and_then(|i| self.view(i)),
                value: x.value.and_then(|i| self.view(i)),
                overridden_by: self.ids_of(x.overridden_by),
            })
            .collect();
        let mut cites: Vec<String> = Vec::new();
        for rule in self.ids_of(r.cites).iter().filter_map(|x| p.rule(*x)) {
            cites.push(rule.cites.key());
        }
        Ok(Derivation {
            outcome: o,
            value: r.value.clone(),
            status: r.status,
            decided_by: self.ids_of(r.decided_by),
            rules,
            missing: self.ids_of(r.missing),
            blocked_by: self.ids_of(r.blocked_by),
            cites,
            document: r.document,
            default: r.default.and_then(|i| self.view(i)),
        })
    }

    /// How much was recorded: trace nodes, rule records and ids.
    pub fn size(&self) -> usize {
        self.nodes.len() + self.rules.len() + self.ids.len()
    }

    fn view(&self, i: u32) -> Option<Trace<'_>> {
        self.nodes.get(i as usize).map(|t| Trace { d: self, t })
    }

    fn ids_of(&self, (start, len): Ids) -> &[u32] {
        self.ids
            .get(start as usize..(start + len) as usize)
            .unwrap_or_default()
    }

    #[inline(always)]
    fn node(&mut self, span: Span, value: Value, node: Node, kids: &[u32]) -> u32 {
        let start = self.kids.len();
        self.kids.extend_from_slice(kids);
        self.push_node(span, value, node, (idx(start), idx(kids.len())))
    }

    /// Appends a computed node. A truth value (most are) is written into
    /// place rather than moved: a `Value` assembled on the stack and then
    /// moved whole stalls on store forwarding.
    #[inline(always)]
    fn push_node(&mut self, span: Span, value: Value, node: Node, kids: (u32, u32)) -> u32 {
        self.nodes.push(TraceNode {
            span,
            value: Value::Absent,
            node,
            kids,
        });
        if let Some(n) = self.nodes.last_mut() {
            match value {
                Value::Bool(b) => n.value = Value::Bool(b),
                Value::Unknown => n.value = Value::Unknown,
                Value::Absent => {}
                other => n.value = other,
            }
        }
        idx(self.nodes.len() - 1)
    }

    /// A leaf holding a copy of a value. The value is cloned into its place:
    /// one assembled on the stack and then moved stalls on store forwarding.
    #[inline]
    fn leaf(&mut self, span: Span, v: &Value, node: Node) -> u32 {
        let start = idx(self.kids.len());
        self.nodes.push(TraceNode {
            span,
            value: Value::Absent,
            node,
            kids: (start, 0),
        });
        if let Some(n) = self.nodes.last_mut() {
            n.value.clone_from(v);
        }
        idx(self.nodes.len() - 1)
    }

    /// Adds a chain's operand to the scratch list: an operand that is itself
    /// a chain of the same kind gives its operands instead.
    fn splice(&mut self, t: u32, kind: &Node) {
        match self.nodes.get(t as usize) {
            Some(n) if n.node == *kind => {
                let (s, l) = n.kids;
                self.scratch.extend_from_slice(
                    self.kids
                        .get(s as usize..(s + l) as usize)
                        .unwrap_or_default(),
                );
            }
            _ => self.scratch.push(t),
        }
    }

    /// A node whose operands are the scratch list from `start`, which it
    /// takes.
    fn node_from_scratch(&mut self, span: Span, value: Value, node: Node, start: usize) -> u32 {
        let from = self.kids.len();
        self.kids
            .extend_from_slice(self.scratch.get(start..).unwrap_or_default());
        let len = self.kids.len() - from;
        self.scratch.truncate(start);
        self.push_node(span, value, node, (idx(from), idx(len)))
    }

    fn value_of(&self, i: u32) -> &Value {
        self.nodes
            .get(i as usize)
            .map_or(&Value::Unknown, |t| &t.value)
    }

    /// Traces an expression: the index of its node.
    fn trace<'e>(&mut self, env: &TraceEnv, e: &'e Expr) -> Result<u32, Box<EvalError>> {
        let span = e.span;
        Ok(match &e.kind {
            ExprKind::Const(v) => self.leaf(span, v, Node::Const),
            ExprKind::Fact(f) => {
                let v = env.facts.get(*f as usize).unwrap_or(&Value::Unknown);
                self.leaf(span, v, Node::Fact(*f))
            }
            ExprKind::Outcome(o) => {
                let v = env
                    .ev
                    .outcomes
                    .get(*o as usize)
                    .map_or(&Value::Unknown, |r| &r.value);
                self.leaf(span, v, Node::Outcome(*o))
            }
            ExprKind::Param(x) => {
                let v = env.params.get(*x as usize).unwrap_or(&Value::Unknown);
                self.leaf(span, v, Node::Param(*x))
            }
            ExprKind::Group(g) => {
                let v = env
                    .p
                    .groups
                    .get(*g as usize)
                    .map_or(Value::Unknown, |x| Value::Record(x.first));
                self.node(span, v, Node::Const, &[])
            }
            ExprKind::AsOf => self.node(span, Value::Date(env.ev.as_of), Node::AsOf, &[]),
            ExprKind::Local(_) => self.node(span, Value::Unknown, Node::Const, &[]),
            ExprKind::Not(x) => {
                let t = self.trace(env, x)?;
                let v = not(self.value_of(t));
                self.node(span, v, Node::Op, &[t])
            }
            ExprKind::And(..) | ExprKind::Or(..) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                // A chain `t0 op t1 op … op tn` nests to the left; it is traced
                // as one node with the terms as operands (operands that are
                // themselves such chains, on the right, are spliced in too).
                let right = |x: &'e Expr| -> Option<(&'e Expr, &'e Expr)> {
                    match &x.kind {
                        ExprKind::And(l, r) if is_and => Some((l, r)),
                        ExprKind::Or(l, r) if !is_and => Some((l, r)),
                        _ => None,
                    }
                };
                let mut n = 0;
                let mut first = e;
                while let Some((l, _)) = right(first) {
                    n += 1;
                    first = l;
                }
                let kind = if is_and { Node::And } else { Node::Or };
                let start = self.scratch.len();
                let x = self.trace(env, first)?;
                let mut v = self.value_of(x).clone();
                self.splice(x, &kind);
                for i in 1..=n {
                    // The spine node whose right operand is term i.
                    let mut at = e;
                    for _ in 0..n - i {
                        at = right(at).map_or(at, |(l, _)| l);
                    }
                    let Some((_, term)) = right(at) else { continue };
                    // The evaluation short-circuits; an error on the skipped
                    // side must not surface here.
                    let short = v == Value::Bool(!is_and);
                    let mark = self.scratch.len();
                    let y = match self.trace(env, term) {
                        Ok(y) => y,
                        Err(_) if short => {
                            self.scratch.truncate(mark);
                            self.node(term.span, Value::Unknown, Node::Op, &[])
                        }
                        Err(err) => return Err(err),
                    };
                    if !short {
                        v = if is_and {
                            and(&v, self.value_of(y))
                        } else {
                            or(&v, self.value_of(y))
                        };
                    }
                    self.splice(y, &kind);
                }
                self.node_from_scratch(span, v, kind, start)
            }
            ExprKind::Cmp(o, a, b) => {
                let x = self.trace(env, a)?;
                let y = self.trace(env, b)?;
                let v = compare(*o, self.value_of(x), self.value_of(y));
                self.node(span, v, Node::Op, &[x, y])
            }
            ExprKind::Arith(o, a, b) => {
                let x = self.trace(env, a)?;
                let y = self.trace(env, b)?;
                let v = arith(*o, self.value_of(x), self.value_of(y), e).map_err(Box::new)?;
                self.node(span, v, Node::Op, &[x, y])
            }
            ExprKind::Neg(x) => {
                let t = self.trace(env, x)?;
                let v = match self.value_of(t) {
                    Value::Int(n) => Value::Int(n.checked_neg().ok_or_else(|| {
                        Box::new(EvalError {
                            message: "integer overflow".into(),
                            span,
                        })
                    })?),
                    other => other.clone(),
                };
                self.node(span, v, Node::Op, &[t])
            }
            ExprKind::In(x, set, negated) => {
                let t = self.trace(env, x)?;
                let tv = self.value_of(t);
                let v = if tv.is_known() {
                    Value::Bool(set.contains(tv) != *negated)
                } else {
                    tv.clone()
                };
                self.node(span, v, Node::Op, &[t])
            }
            ExprKind::If(c, a, b) => {
                let ct = self.trace(env, c)?;
                match self.value_of(ct).clone() {
                    Value::Bool(true) => {
                        let at = self.trace(env, a)?;
                        let v = self.value_of(at).clone();
                        self.node(span, v, Node::Op, &[ct, at])
                    }
                    Value::Bool(false) => {
                        let bt = self.trace(env, b)?;
                        let v = self.value_of(bt).clone();
                        self.node(span, v, Node::Op, &[ct, bt])
                    }
                    Value::Unknown => {
                        let at = self.trace(env, a)?;
                        let bt = self.trace(env, b)?;
                        let (x, y) = (self.value_of(at), self.value_of(bt));
                        let v = if x == y && x.is_known() {
                            x.clone()
                        } else {
                            Value::Unknown
                        };
                        self.node(span, v, Node::Op, &[ct, at, bt])
                    }
                    other => self.node(span, other, Node::Op, &[ct]),
                }
            }
            ExprKind::Days(_) | ExprKind::Months(..) => {
                let env2 = super::Env {
                    p: env.p,
                    facts: env.facts,
                    outcomes: &env.ev.outcomes,
                    params: env.params,
                    as_of: env.ev.as_of,
                };
                let v = super::eval(&env2, e).map_err(Box::new)?;
                self.node(span, v, Node::Const, &[])
            }
            ExprKind::Call(d, args, body) => {
                // The arguments' own operands pass through the scratch list
                // above this call's: its ids stay at the end until used.
                let start = self.scratch.len();
                for a in args {
                    let t = self.trace(env, a)?;
                    self.scratch.push(t);
                }
                let b = self.trace(env, body)?;
                self.scratch.push(b);
                let v = self.value_of(b).clone();
                self.node_from_scratch(span, v, Node::Call(*d), start)
            }
        })
    }

    /// Adds to the scratch set the unknown facts under a trace that could
    /// change its value: only below nodes that are themselves unknown.
    /// Unknown outcomes contribute the missing facts of their own derivation.
    fn gather(&mut self, i: u32) {
        let Some(t) = self.nodes.get(i as usize) else {
            return;
        };
        if t.value != Value::Unknown {
            return;
        }
        match t.node {
            Node::Fact(f) => {
                if let Some(w) = self.acc.get_mut(f as usize / 64) {
                    *w |= 1u64 << (f % 64);
                }
            }
            Node::Outcome(o) => {
                let start = o as usize * self.words;
                for (k, w) in self.acc.iter_mut().enumerate() {
                    *w |= self.missing_bits.get(start + k).copied().unwrap_or(0);
                }
            }
            _ => {
                let (s, l) = t.kids;
                for k in s..s + l {
                    if let Some(c) = self.kids.get(k as usize).copied() {
                        self.gather(c);
                    }
                }
            }
        }
    }

    /// Records one outcome's derivation.
    fn outcome(&mut self, env: &TraceEnv, epoch: &Epoch, o: OutcomeId) -> Result<(), EvalError> {
        let p = env.p;
        let ev = env.ev;
        let res = ev.outcomes.get(o as usize);
        let value: &Value = res.map_or(&Value::Unknown, |r| &r.value);
        let conflict = res.is_some_and(|r| r.conflict);
        let by_default = res.is_some_and(|r| r.by_default);
        let fallback_rule = res.and_then(|r| r.decided_by);
        let outcome = p.outcome(o);
        let rule_ids: &[RuleId] = outcome.map_or(&[], |x| x.rules.as_slice());
        let first_rule = self.rules.len();
        for &r in rule_ids {
            let Some(rule) = p.rule(r) else { continue };
            if !epoch.rule_active.get(r as usize).copied().unwrap_or(false) {
                self.rules.push(RuleRecord {
                    rule: r,
                    status: RuleStatus::NotInForce,
                    applies: Tri::No,
                    condition: None,
                    value: None,
                    overridden_by: (0, 0),
                });
                continue;
            }
            let condition = match &rule.when {
                Some(c) => Some(self.trace(env, c).map_err(|e| *e)?),
                None => None,
            };
            let applies = condition.map_or(Tri::Yes, |c| tri_of(self.value_of(c)));
            self.rules.push(RuleRecord {
                rule: r,
                status: RuleStatus::NotApplicable,
                applies,
                condition,
                value: None,
                overridden_by: (0, 0),
            });
        }
        let last_rule = self.rules.len();
        let applies_of = |rules: &[RuleRecord], r: RuleId| {
            rules
                .iter()
                .find(|x| x.rule == r)
                .map_or(Tri::No, |x| x.applies)
        };
        let mut decided = 0;
        for k in first_rule..last_rule {
            let Some(rt) = self.rules.get(k).copied() else {
                continue;
            };
            if rt.status == RuleStatus::NotInForce {
                continue;
            }
            let Some(rule) = p.rule(rt.rule) else {
                continue;
            };
            let mine = self.rules.get(first_rule..last_rule).unwrap_or_default();
            let start = self.ids.len();
            for d in &rule.defeaters {
                if applies_of(mine, *d) == Tri::Yes {
                    self.ids.push(*d);
                }
            }
            let overridden_by = (idx(start), idx(self.ids.len() - start));
            let eff = ev
                .effective
                .get(rt.rule as usize)
                .copied()
                .unwrap_or(Tri::No);
            let status = match (rt.applies, eff) {
                (Tri::No, _) => RuleStatus::NotApplicable,
                (_, Tri::No) if overridden_by.1 > 0 => RuleStatus::Overridden,
                (_, Tri::Yes) if conflict => RuleStatus::Conflicting,
                (_, Tri::Yes) => RuleStatus::Applied,
                _ => RuleStatus::Undetermined,
            };
            let traced = if matches!(
                status,
                RuleStatus::Applied | RuleStatus::Undetermined | RuleStatus::Conflicting
            ) {
                Some(self.trace(env, &rule.value).map_err(|e| *e)?)
            } else {
                None
            };
            if let Some(x) = self.rules.get_mut(k) {
                x.status = status;
                x.overridden_by = overridden_by;
                x.value = traced;
            }
        }
        // The deciding rules, after the rules' own ids.
        let decided_from = self.ids.len();
        for k in first_rule..last_rule {
            if let Some(rt) = self.rules.get(k).copied() {
                if rt.status == RuleStatus::Applied && value.is_known() {
                    self.ids.push(rt.rule);
                    decided += 1;
                }
            }
        }
        if decided == 0 {
            if let Some(r) = fallback_rule.filter(|_| value.is_known()) {
                self.ids.push(r);
                decided = 1;
            }
        }
        let decided_by = (idx(decided_from), decided);
        let status = if conflict {
            Status::Conflict
        } else if matches!(value, Value::Unknown) {
            Status::Unknown
        } else if decided > 0 {
            Status::Decided
        } else if by_default {
            Status::Default
        } else {
            Status::NotApplicable
        };
        // Missing facts, for an unknown outcome.
        let mut missing = (0, 0);
        let mut blocked_by = (0, 0);
        if status == Status::Unknown {
            // An outcome this one reads could not be traced: neither can this.
            for k in first_rule..last_rule {
                let Some(rt) = self.rules.get(k).copied() else {
                    continue;
                };
                for x in p
                    .rule(rt.rule)
                    .map_or(&[][..], |r| r.reads_outcomes.as_slice())
                {
                    let error = self.outcomes.get(*x as usize).and_then(|r| r.error.clone());
                    if let Some(e) = error {
                        return Err(*e);
                    }
                }
            }
            self.acc.clear();
            self.acc.resize(self.words, 0);
            for k in first_rule..last_rule {
                let Some(rt) = self.rules.get(k).copied() else {
                    continue;
                };
                if matches!(
                    rt.status,
                    RuleStatus::NotApplicable | RuleStatus::NotInForce | RuleStatus::Overridden
                ) {
                    continue;
                }
                if let Some(c) = rt.condition {
                    self.gather(c);
                }
                if let Some(v) = rt.value {
                    self.gather(v);
                }
                // An exception that may apply is part of why the rule is undetermined.
                for d in p.rule(rt.rule).map_or(&[][..], |r| r.defeaters.as_slice()) {
                    let cond = self
                        .rules
                        .get(first_rule..last_rule)
                        .unwrap_or_default()
                        .iter()
                        .find(|x| x.rule == *d)
                        .and_then(|x| x.condition);
                    if let Some(c) = cond {
                        self.gather(c);
                    }
                }
            }
            let start = o as usize * self.words;
            for (k, w) in self.acc.iter().enumerate() {
                if let Some(slot) = self.missing_bits.get_mut(start + k) {
                    *slot = *w;
                }
            }
            // By name, so that reports do not depend on the order of declarations.
            let start = self.ids.len();
            for (k, w) in self.acc.iter().enumerate() {
                let mut w = *w;
                while w != 0 {
                    self.ids.push(idx(k * 64) + w.trailing_zeros());
                    w &= w - 1;
                }
            }
            if let Some(found) = self.ids.get_mut(start..) {
                found.sort_unstable_by_key(|f| p.fact_rank.get(*f as usize).copied());
            }
            missing = (idx(start), idx(self.ids.len() - start));
            let start = self.ids.len();
            for k in first_rule..last_rule {
                let Some(rt) = self.rules.get(k).copied() else {
                    continue;
                };
                if !matches!(rt.status, RuleStatus::Applied | RuleStatus::Undetermined) {
                    continue;
                }
                for x in p
                    .rule(rt.rule)
                    .map_or(&[][..], |r| r.reads_outcomes.as_slice())
                {
                    self.conflicts_upstream(p, ev, *x, start, 0);
                }
            }
            blocked_by = (idx(start), idx(self.ids.len() - start));
        }
        let default = if status == Status::Default {
            match outcome.and_then(|x| x.default.as_ref()) {
                Some(d) => Some(self.trace(env, d).map_err(|e| *e)?),
                None => None,
            }
        } else {
            None
        };
        let start = self.ids.len();
        self.cites_of(p, ev, o, start, 0);
        let cites = (idx(start), idx(self.ids.len() - start));
        let first_decider = self.ids_of(decided_by).first().copied();
        let document = first_decider.and_then(|r| {
            epoch
                .rule_document
                .get(r as usize)
                .copied()
                .or_else(|| p.rule(r).map(|x| x.document))
        });
        // A default is decided under the document in force.
        let document = document.or(ev.in_force.filter(|_| status == Status::Default));
        // Field by field: a whole record assembled and then moved stalls
        // on store forwarding.
        if let Some(slot) = self.outcomes.get_mut(o as usize) {
            slot.value.clone_from(value);
            slot.status = status;
            slot.decided_by = decided_by;
            slot.rules = (idx(first_rule), idx(last_rule - first_rule));
            slot.missing = missing;
            slot.blocked_by = blocked_by;
            slot.cites = cites;
            slot.document = document;
            slot.default = default;
            slot.error = None;
        }
        Ok(())
    }

    /// Appends the rules whose paragraphs cite an outcome's value, one per
    /// paragraph after `from`: the deciding rules first, then those of the
    /// outcomes they read (when those have a value).
    fn cites_of(&mut self, p: &Program, ev: &Evaluation, o: OutcomeId, from: usize, depth: usize) {
        let Some(res) = ev.outcomes.get(o as usize) else {
            return;
        };
        if !res.value.is_known() || depth > p.outcomes.len() {
            return;
        }
        let deciding = || super::deciding_rules(p, ev, o);
        for r in deciding() {
            let Some(rule) = p.rule(r) else { continue };
            let cited = self.ids.get(from..).unwrap_or_default().iter().any(|x| {
                p.rule(*x).is_some_and(|c| {
                    c.cites.article == rule.cites.article
                        && c.cites.paragraph == rule.cites.paragraph
                })
            });
            if !cited {
                self.ids.push(r);
            }
        }
        for r in deciding() {
            if let Some(rule) = p.rule(r) {
                for x in &rule.reads_outcomes {
                    self.cites_of(p, ev, *x, from, depth + 1);
                }
            }
        }
    }

    /// Appends, after `from`, the outcomes in conflict that an unknown
    /// outcome `o` is or reads.
    fn conflicts_upstream(
        &mut self,
        p: &Program,
        ev: &Evaluation,
        o: OutcomeId,
        from: usize,
        depth: usize,
    ) {
        let Some(res) = ev.outcomes.get(o as usize) else {
            return;
        };
        if res.value != Value::Unknown || depth > p.outcomes.len() {
            return;
        }
        if res.conflict {
            if !self.ids.get(from..).unwrap_or_default().contains(&o) {
                self.ids.push(o);
            }
            return;
        }
        for r in p.outcome(o).map(|x| x.rules.as_slice()).unwrap_or_default() {
            if ev.effective.get(*r as usize).copied() == Some(Tri::No) {
                continue;
            }
            if let Some(rule) = p.rule(*r) {
                for x in &rule.reads_outcomes {
                    self.conflicts_upstream(p, ev, *x, from, depth + 1);
                }
            }
        }
    }
}

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
