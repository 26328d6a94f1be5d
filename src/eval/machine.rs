//! The evaluator: the one place that says what every construct of the
//! language means.
//!
//! [`Machine`] walks a case's outcomes in dependency order and, for each,
//! evaluates its rules' conditions, decides which rules are in effect after
//! their exceptions, evaluates the values of those, combines them (or falls
//! back to the default), and records the outcome's missing facts, the
//! conflicts it is blocked by, its cites and its document. Everything a
//! report shows comes from this one walk.
//!
//! Derivations are an [`Observer`] of the walk: it is told of every
//! sub-expression evaluated and every outcome decided, and records them. The
//! observer is a type parameter; with `()` every hook is an empty inline
//! function and the walk is specialised to the plain evaluation, so the
//! fast path and the traced path are the same code.
//!
//! Cost: evaluating a case is linear in the size of the program's
//! expressions plus its exception edges; the lists it records (missing
//! facts, cites, conflicts upstream) are built from those of the outcomes
//! read, memoised per outcome, so each costs time proportional to its
//! length.
use super::facts::{FactSet, Held};
use super::value::{self, Tag, Texts, ABSENT, UNKNOWN, V};
use super::{EvalError, Evaluation, Fault, Node, Tri};
use crate::program::*;
use crate::source::Span;
use chrono::NaiveDate;
use std::sync::Arc;

/// What the walk tells an observer. Every evaluated expression yields
/// exactly one node on the observer's stack: a leaf, or a node that takes
/// the nodes of its operands (those pushed since its mark).
pub(crate) trait Observer {
    /// Whether anything is recorded. When false, the walk skips the work
    /// that only serves a record (evaluating short-circuited operands for
    /// display).
    const ON: bool;
    /// The height of the node stack.
    fn mark(&self) -> u32;
    /// Pushes a node without operands. `t` gives the texts a value refers
    /// to, made only when a value needs them.
    fn leaf<'t>(&mut self, t: impl FnOnce() -> Texts<'t>, e: &Expr, v: V, node: Node);
    /// Pushes a node whose operands are the nodes above `mark`.
    fn close<'t>(&mut self, t: impl FnOnce() -> Texts<'t>, e: &Expr, v: V, node: Node, mark: u32);
    /// Drops the nodes above `mark`.
    fn cut(&mut self, mark: u32);
    /// Pops the top node, giving its id.
    fn pop(&mut self) -> Option<u32>;
    /// One outcome decided.
    /// One outcome decided; `applies` holds every rule's applicability.
    fn outcome(&mut self, d: &Decided, rules: &[RuleStep], applies: &[Tri]);
}

/// The plain evaluation records nothing.
impl Observer for () {
    const ON: bool = false;
    #[inline(always)]
    fn mark(&self) -> u32 {
        0
    }
    #[inline(always)]
    fn leaf<'t>(&mut self, _: impl FnOnce() -> Texts<'t>, _: &Expr, _: V, _: Node) {}
    #[inline(always)]
    fn close<'t>(&mut self, _: impl FnOnce() -> Texts<'t>, _: &Expr, _: V, _: Node, _: u32) {}
    #[inline(always)]
    fn cut(&mut self, _: u32) {}
    #[inline(always)]
    fn pop(&mut self) -> Option<u32> {
        None
    }
    #[inline(always)]
    fn outcome(&mut self, _: &Decided, _: &[RuleStep], _: &[Tri]) {}
}

/// One rule of a decided outcome, as the walk saw it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RuleStep {
    pub rule: RuleId,
    pub active: bool,
    pub applies: Tri,
    pub effective: Tri,
    /// The observer's node of its condition.
    pub condition: Option<u32>,
    /// The observer's node of its value (evaluated when in effect or maybe).
    pub value: Option<u32>,
    /// Its value (absent unless in effect or maybe).
    pub(crate) v: V,
}

/// One decided outcome, as the walk saw it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decided<'a> {
    pub p: &'a Program,
    pub outcome: OutcomeId,
    pub conflict: bool,
    /// The rules that decided a known value.
    pub deciding: &'a [RuleId],
    /// The observer's node of the default, when the default decided it.
    pub default: Option<u32>,
}

impl Decided<'_> {
    /// A rule's exceptions, direct and indirect, as the checker lists them.
    pub fn program_defeaters(&self, r: RuleId) -> &[RuleId] {
        self.p.rule(r).map_or(&[][..], |x| x.defeaters.as_slice())
    }
}

/// What evaluating a program needs beyond the program, prepared once.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    /// Per rule: its direct exceptions (the inverse of `exception_to`).
    exceptions: Vec<Vec<RuleId>>,
    /// Per outcome: its rules that have exceptions, every exception before
    /// the rules it is an exception to.
    bottom_up: Vec<Vec<RuleId>>,
    /// Per outcome: whether any of its rules has an exception.
    excepted: Vec<bool>,
    /// Per outcome: whether any of its rules reads an outcome.
    reads: Vec<bool>,
    /// Per rule: its paragraph, numbered among the program's paragraphs.
    paragraph: Vec<u32>,
    /// The number of distinct paragraphs.
    paragraphs: usize,
    /// The facts in the order of their names.
    by_rank: Vec<FactId>,
}

impl Plan {
    /// Prepares a program: O(rules + exception edges).
    pub fn new(p: &Program) -> Plan {
        let n = p.rules.len();
        // Exceptions bind to provisions by name: an exception to `a`
        // defeats every version of `a` (same name, same outcome) but no
        // version of itself, as the checker's `defeaters` lists them.
        fn key(r: &Rule) -> (&str, OutcomeId) {
            (r.name.as_str(), r.outcome)
        }
        let mut versions: std::collections::HashMap<(&str, OutcomeId), Vec<RuleId>> =
            Default::default();
        for (i, r) in p.rules.iter().enumerate() {
            versions.entry(key(r)).or_default().push(idx(i));
        }
        let mut exceptions = vec![Vec::new(); n];
        for (i, r) in p.rules.iter().enumerate() {
            for &base in &r.exception_to {
                let Some(b) = p.rules.get(base as usize) else {
                    continue;
                };
                if key(b) == key(r) {
                    continue;
                }
                for &v in versions.get(&key(b)).map_or(&[][..], |v| v) {
                    if let Some(list) = exceptions.get_mut(v as usize) {
                        if !list.contains(&idx(i)) {
                            list.push(idx(i));
                        }
                    }
                }
            }
        }
        // Per outcome, a post-order of the exception forest: a rule comes
        // after all of its exceptions. Iterative, so deep chains are fine.
        let mut done = vec![false; n];
        let mut bottom_up = Vec::with_capacity(p.outcomes.len());
        for o in &p.outcomes {
            let mut order = Vec::with_capacity(o.rules.len());
            for &root in &o.rules {
                let mut stack: Vec<(RuleId, usize)> = vec![(root, 0)];
                while let Some((r, k)) = stack.pop() {
                    if done.get(r as usize).copied().unwrap_or(true) {
                        continue;
                    }
                    match exceptions.get(r as usize).and_then(|x| x.get(k)) {
                        Some(&e) => {
                            stack.push((r, k + 1));
                            stack.push((e, 0));
                        }
                        None => {
                            if let Some(d) = done.get_mut(r as usize) {
                                *d = true;
                            }
                            order.push(r);
                        }
                    }
                }
            }
            // A rule without exceptions is never defeated: its `below`
            // stays `No` as sized, so only the others are visited.
            order.retain(|r| exceptions.get(*r as usize).is_some_and(|x| !x.is_empty()));
            bottom_up.push(order);
        }
        let excepted = p
            .outcomes
            .iter()
            .map(|o| {
                o.rules
                    .iter()
                    .any(|r| exceptions.get(*r as usize).is_some_and(|x| !x.is_empty()))
            })
            .collect();
        let mut keys: std::collections::HashMap<(u32, u32), u32> = Default::default();
        let paragraph = p
            .rules
            .iter()
            .map(|r| {
                let next = idx(keys.len());
                *keys
                    .entry((r.cites.article, r.cites.paragraph))
                    .or_insert(next)
            })
            .collect();
        let mut by_rank: Vec<FactId> = (0..idx(p.facts.len())).collect();
        by_rank.sort_unstable_by_key(|f| p.fact_rank.get(*f as usize).copied());
        let reads = p
            .outcomes
            .iter()
            .map(|o| {
                o.rules
                    .iter()
                    .any(|r| p.rule(*r).is_some_and(|r| !r.reads_outcomes.is_empty()))
            })
            .collect();
        Plan {
            reads,
            by_rank,
            exceptions,
            bottom_up,
            excepted,
            paragraph,
            paragraphs: keys.len(),
        }
    }
}

/// Buffers of the walk, reused from case to case.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    /// Per outcome: its compact value.
    vals: Vec<V>,
    /// Texts of constants and parameters met in this case.
    texts: Vec<Arc<str>>,
    /// Decimals met or computed in this case.
    decs: Vec<Dec>,
    /// Per rule: the greatest applicability among its exceptions, direct
    /// and indirect.
    below: Vec<Tri>,
    /// Per rule of the outcome being decided: its step, with its value.
    steps: Vec<RuleStep>,
    /// The rules that decided the outcome being decided.
    deciding: Vec<RuleId>,
    /// Per rule: marked while gathering an outcome's missing facts.
    marked: Vec<bool>,
    /// The rules marked, and the rules to visit.
    marked_rules: Vec<RuleId>,
    stack: Vec<RuleId>,
    /// Per paragraph: the stamp of the outcome whose cites last took it.
    cited: Vec<u64>,
    /// Per outcome: the stamp of the outcome that last listed it upstream.
    blocked_seen: Vec<u64>,
    /// A number new for each case, from which stamps are made.
    case: u64,
}

/// One walk over one case.
pub(crate) struct Machine<'a, O: Observer, M: FactSet> {
    pub p: &'a Program,
    pub plan: &'a Plan,
    pub facts: &'a [Value],
    pub params: &'a [Value],
    pub as_of: NaiveDate,
    pub active: &'a [bool],
    pub rule_document: &'a [DocId],
    pub st: &'a mut Scratch,
    /// The unknown facts gathered.
    pub held: &'a mut Held<M>,
    pub ev: &'a mut Evaluation,
    pub obs: &'a mut O,
    /// Whether to record the cites of known outcomes.
    pub cites: bool,
    /// The first evaluation error.
    pub err: Option<EvalError>,
}

/// An entry of a table indexed by the program's ids: the checker made
/// every id from the table it indexes.
fn at<T: Copy>(v: &[T], i: u32) -> T {
    *v.get(i as usize)
        .expect("rule, outcome and fact ids index tables sized for the program")
}

/// The rules of an id list's table entry.
fn rules_at(v: &[Vec<RuleId>], i: u32) -> &[RuleId] {
    v.get(i as usize)
        .expect("rule ids index tables sized for the program")
}

/// A buffer of a program's size: reset only when the size changes.
fn sized<T: Clone>(v: &mut Vec<T>, n: usize, fill: T) {
    if v.len() != n {
        v.clear();
        v.resize(n, fill);
    }
}

fn idx(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn max(a: Tri, b: Tri) -> Tri {
    match (a, b) {
        (Tri::Yes, _) | (_, Tri::Yes) => Tri::Yes,
        (Tri::Maybe, _) | (_, Tri::Maybe) => Tri::Maybe,
        _ => Tri::No,
    }
}

/// Observes through the texts of the walk.
macro_rules! observe {
    ($m:ident . $hook:ident ( $($arg:expr),* )) => {
        if O::ON {
            let t = || Texts { facts: $m.facts, more: &$m.st.texts, decs: &$m.st.decs };
            $m.obs.$hook(t, $($arg),*);
        }
    };
}

impl<O: Observer, M: FactSet> Machine<'_, O, M> {
    /// Evaluates every outcome in dependency order.
    pub fn run(&mut self) -> Result<(), EvalError> {
        let p = self.p;
        let st = &mut *self.st;
        // Every outcome's value and every rule's `below` is written before
        // it is read; `marked` is cleared after each use; the
        // marks of `cited` and `blocked_seen` are stamped with a number new
        // for each case. So only a new program's sizes reset them.
        sized(&mut st.vals, p.outcomes.len(), ABSENT);
        sized(&mut st.below, p.rules.len(), Tri::No);
        sized(&mut st.marked, p.rules.len(), false);
        sized(&mut st.cited, self.plan.paragraphs, 0);
        sized(&mut st.blocked_seen, p.outcomes.len(), 0);
        st.texts.clear();
        st.decs.clear();
        self.held.set.reset(p);
        st.case = st.case.wrapping_add(1);
        for &o in &p.order {
            self.decide(o);
            if let Some(e) = self.err.take() {
                // Leave the buffers as a finished case would.
                self.st.marked.fill(false);
                return Err(e);
            }
        }
        Ok(())
    }

    /// A mark unique to an outcome of this case.
    fn stamp(&self, o: OutcomeId) -> u64 {
        let n = u64::try_from(self.p.outcomes.len()).unwrap_or(u64::MAX);
        self.st
            .case
            .wrapping_mul(n.wrapping_add(1))
            .wrapping_add(u64::from(o) + 1)
    }

    fn fail(&mut self, fault: Fault, span: Span) -> V {
        if self.err.is_none() {
            self.err = Some(EvalError { fault, span });
        }
        UNKNOWN
    }

    /// Evaluates an expression. Leaves in the walk's facts the unknown
    /// facts under it that could change its value: none when the value is
    /// not unknown; else, a fact itself, an outcome's own missing facts, or
    /// those of the operands evaluated.
    #[inline(always)]
    pub fn ev(&mut self, e: &Expr) -> V {
        match self.leaf(e) {
            Some(v) => v,
            None => self.compound(e),
        }
    }

    /// An expression with operands, bracketed so that the facts under a
    /// value that is not unknown are dropped.
    #[inline(never)]
    fn compound(&mut self, e: &Expr) -> V {
        let m = self.held.set.mark();
        let v = self.node(e);
        self.held.set.settle(m, v.tag == Tag::Unknown);
        v
    }

    /// A leaf: a constant, a parameter, a fact or an outcome. It adds only
    /// its own unknown facts, and none when its value is not unknown, so it
    /// needs no bracket.
    #[inline(always)]
    fn leaf(&mut self, e: &Expr) -> Option<V> {
        Some(match &e.kind {
            ExprKind::Const(c) => {
                let v = self.load(c, None);
                observe!(self.leaf(e, v, Node::Const));
                v
            }
            ExprKind::Fact(f) => {
                let v = match self.facts.get(*f as usize) {
                    Some(Value::Unknown) | None => {
                        self.held.set.fact(self.p, *f);
                        UNKNOWN
                    }
                    Some(x) => self.load(x, Some(*f)),
                };
                observe!(self.leaf(e, v, Node::Fact(*f)));
                v
            }
            ExprKind::Outcome(o) => {
                let v = at(&self.st.vals, *o);
                if v.is_unknown() {
                    self.held.set.outcome(self.ev, *o);
                }
                observe!(self.leaf(e, v, Node::Outcome(*o)));
                v
            }
            ExprKind::Param(x) => {
                let v = match self.params.get(*x as usize) {
                    Some(c) => self.load(c, None),
                    None => UNKNOWN,
                };
                observe!(self.leaf(e, v, Node::Param(*x)));
                v
            }
            _ => return None,
        })
    }

    fn load(&mut self, v: &Value, fact: Option<FactId>) -> V {
        value::load(self.p, v, fact, &mut self.st.texts, &mut self.st.decs)
    }

    fn texts(&self) -> Texts<'_> {
        Texts {
            facts: self.facts,
            more: &self.st.texts,
            decs: &self.st.decs,
        }
    }

    #[inline(always)]
    fn node(&mut self, e: &Expr) -> V {
        let span = e.span;
        let mark = self.obs.mark();
        match &e.kind {
            ExprKind::Const(_) | ExprKind::Fact(_) | ExprKind::Outcome(_) | ExprKind::Param(_) => {
                self.leaf(e)
                    .expect("constants, facts, outcomes and parameters are leaves")
            }
            ExprKind::Group(g) => {
                let v = self.p.groups.get(*g as usize).map_or(UNKNOWN, |x| V {
                    tag: Tag::Record,
                    x: i64::from(x.first),
                });
                observe!(self.leaf(e, v, Node::Const));
                v
            }
            ExprKind::AsOf => {
                let v = V::date(self.as_of);
                observe!(self.leaf(e, v, Node::AsOf));
                v
            }
            ExprKind::Local(_) => {
                observe!(self.leaf(e, UNKNOWN, Node::Const));
                UNKNOWN
            }
            ExprKind::Not(x) => {
                let v = value::not(self.ev(x));
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::Neg(x) => {
                let x = self.ev(x);
                let v = match value::neg(x, &mut self.st.decs) {
                    Ok(v) => v,
                    Err(f) => self.fail(f, span),
                };
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::In(x, set, negated) => {
                let v = self.ev(x);
                let v = if v.is_known() {
                    let t = self.texts();
                    V::bool(set.iter().any(|c| t.same_as(v, c)) != *negated)
                } else {
                    v
                };
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let kind = if is_and { Node::And } else { Node::Or };
                let x = self.ev(a);
                let v = if x.is(!is_and) {
                    // Decided by the left operand: the right one is not
                    // evaluated. A record still shows its value.
                    if O::ON {
                        self.for_display(b);
                    }
                    x
                } else {
                    let y = self.ev(b);
                    if is_and {
                        value::and(x, y)
                    } else {
                        value::or(x, y)
                    }
                };
                observe!(self.close(e, v, kind, mark));
                v
            }
            ExprKind::Cmp(op, a, b) => {
                let x = self.ev(a);
                let y = self.ev(b);
                let v = value::compare(&self.texts(), *op, x, y);
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.ev(a);
                let y = self.ev(b);
                let v = match value::arith(*op, x, y, &mut self.st.decs) {
                    Ok(v) => v,
                    Err(f) => self.fail(f, span),
                };
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::If(c, a, b) => {
                let cv = self.ev(c);
                let v = match cv.tag {
                    Tag::Bool if cv.x != 0 => self.ev(a),
                    Tag::Bool => self.ev(b),
                    Tag::Unknown => {
                        let x = self.ev(a);
                        let y = self.ev(b);
                        if x.is_known() && self.texts().same(x, y) {
                            x
                        } else {
                            UNKNOWN
                        }
                    }
                    _ => cv,
                };
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            ExprKind::Round(x, r) => {
                let x = self.ev(x);
                let v = match value::round(&self.st.decs, x, *r) {
                    Ok(v) => v,
                    Err(f) => self.fail(f, span),
                };
                observe!(self.close(e, v, Node::Op, mark));
                v
            }
            // A record shows `n days` and `n months` as computed constants.
            ExprKind::Days(n) => {
                let v = value::days(self.ev(n));
                self.obs.cut(mark);
                observe!(self.leaf(e, v, Node::Const));
                v
            }
            ExprKind::Months(n, factor, r) => {
                let v = match value::months(self.ev(n), *factor, *r) {
                    Ok(v) => v,
                    Err(f) => self.fail(f, span),
                };
                self.obs.cut(mark);
                observe!(self.leaf(e, v, Node::Const));
                v
            }
            // Every argument is evaluated, then the body with the arguments
            // in place.
            ExprKind::Call(d, args, body) => {
                for a in args {
                    self.ev(a);
                }
                let v = self.ev(body);
                observe!(self.close(e, v, Node::Call(*d), mark));
                v
            }
        }
    }

    /// Evaluates an operand that a short-circuit skipped, for a record only:
    /// nothing it meets (an error, an unknown fact) counts.
    fn for_display(&mut self, e: &Expr) {
        let (m, mark, err) = (self.held.set.mark(), self.obs.mark(), self.err.take());
        self.ev(e);
        self.held.set.settle(m, false);
        if self.err.is_some() {
            self.obs.cut(mark);
            observe!(self.leaf(e, UNKNOWN, Node::Op));
        }
        self.err = err;
    }

    /// Evaluates an expression whose unknown facts are kept for gathering.
    #[inline(always)]
    fn ev_found(&mut self, e: &Expr) -> (V, M::Kept, Option<u32>) {
        let m = self.held.set.mark();
        let v = self.ev(e);
        let kept = self.held.set.keep(m);
        let id = self.obs.pop();
        (v, kept, id)
    }

    /// Decides one outcome.
    fn decide(&mut self, o: OutcomeId) {
        let p = self.p;
        let Some(out) = p.outcomes.get(o as usize) else {
            return;
        };
        self.ev.open_lists();
        self.st.steps.clear();
        self.held.set.begin();
        self.held.kept.clear();
        // Applicability: each rule's condition.
        for &r in &out.rules {
            let Some(rule) = p.rules.get(r as usize) else {
                continue;
            };
            let active = at(self.active, r);
            let (applies, condition, found) = match (&rule.when, active) {
                (_, false) => (Tri::No, None, M::Kept::default()),
                (None, true) => (Tri::Yes, None, M::Kept::default()),
                (Some(c), true) => {
                    let (v, found, id) = self.ev_found(c);
                    (value::tri_of(v), id, found)
                }
            };
            if let Some(slot) = self.ev.applies.get_mut(r as usize) {
                *slot = applies;
            }
            self.st.steps.push(RuleStep {
                rule: r,
                active,
                applies,
                effective: Tri::No,
                condition,
                value: None,
                v: ABSENT,
            });
            self.held.kept.push((found, M::Kept::default()));
        }
        // Exceptions: a rule is in effect when it applies and none of its
        // exceptions, direct or indirect, does; maybe when one may.
        if let Some(order) = self.plan.bottom_up.get(o as usize) {
            for &r in order {
                let mut b = Tri::No;
                for &x in rules_at(&self.plan.exceptions, r) {
                    let a = at(&self.ev.applies, x);
                    let below = at(&self.st.below, x);
                    b = max(b, max(a, below));
                }
                if let Some(slot) = self.st.below.get_mut(r as usize) {
                    *slot = b;
                }
            }
        }
        for k in 0..self.st.steps.len() {
            let Some(&RuleStep { rule, applies, .. }) = self.st.steps.get(k) else {
                continue;
            };
            let below = at(&self.st.below, rule);
            let eff = match (applies, below) {
                (Tri::No, _) | (_, Tri::Yes) => Tri::No,
                (_, Tri::Maybe) => Tri::Maybe,
                (a, Tri::No) => a,
            };
            if let Some(slot) = self.ev.effective.get_mut(rule as usize) {
                *slot = eff;
            }
            // The value of every rule in effect, or maybe in effect.
            let (v, found, id) = match p.rules.get(rule as usize) {
                Some(r) if eff != Tri::No => self.ev_found(&r.value),
                _ => (ABSENT, M::Kept::default(), None),
            };
            if let Some(step) = self.st.steps.get_mut(k) {
                step.effective = eff;
                step.value = id;
                step.v = v;
            }
            if let Some(kept) = self.held.kept.get_mut(k) {
                kept.1 = found;
            }
        }
        let (v, decided_by, conflict, by_default, default) = self.combine(out);
        if let Some(res) = self.ev.outcomes.get_mut(o as usize) {
            // Written into place: a value made by a call and then moved
            // stalls on store forwarding.
            match v.tag {
                Tag::Unknown => res.value = Value::Unknown,
                Tag::Absent => res.value = Value::Absent,
                Tag::Bool => res.value = Value::Bool(v.x != 0),
                _ => {
                    let t = Texts {
                        facts: self.facts,
                        more: &self.st.texts,
                        decs: &self.st.decs,
                    };
                    res.value = t.value(v);
                }
            }
            res.decided_by = decided_by;
            res.conflict = conflict;
            res.by_default = by_default;
            res.document = None;
        }
        if let Some(slot) = self.st.vals.get_mut(o as usize) {
            *slot = v;
        }
        self.missing(o, v, conflict);
        self.blocked(o, v, conflict);
        self.st.deciding.clear();
        if v.is_known() {
            // The rules in effect, or when none is, the rule that decided.
            let st = &mut *self.st;
            st.deciding.extend(
                st.steps
                    .iter()
                    .filter(|s| s.effective == Tri::Yes)
                    .map(|s| s.rule),
            );
            if st.deciding.is_empty() {
                st.deciding.extend(decided_by);
            }
            self.document(o, by_default);
            if self.cites {
                self.cites_of(o);
            }
        }
        self.ev.close_lists(o);
        let d = Decided {
            p,
            outcome: o,
            conflict,
            deciding: &self.st.deciding,
            default,
        };
        self.obs.outcome(&d, &self.st.steps, &self.ev.applies);
    }

    /// The default's value and node, while it applies.
    #[inline]
    fn fallback(&mut self, out: &Outcome) -> Option<(V, Option<u32>)> {
        let d = self.default_of(out)?;
        let m = self.held.set.mark();
        let v = self.ev(d);
        self.held.set.settle(m, false);
        Some((v, self.obs.pop()))
    }

    /// The outcome's default, while its line of documents is in force.
    fn default_of<'o>(&self, out: &'o Outcome) -> Option<&'o Expr> {
        let roots = self.p.epochs.get(self.ev.epoch).map(|e| e.roots.as_slice());
        out.default
            .as_ref()
            .filter(|_| roots.is_none_or(|r| self.p.default_applies(r, out)))
    }

    /// Combines the values of the rules in effect (or maybe in effect):
    /// value, deciding rule, conflict, by default, the default's node.
    #[allow(clippy::type_complexity)]
    fn combine(&mut self, out: &Outcome) -> (V, Option<RuleId>, bool, bool, Option<u32>) {
        let mut first_yes: Option<(RuleId, V)> = None;
        // The first value of a rule in effect that is not unknown: every
        // other such value must equal it (n/a included), or they conflict.
        let mut first_definite: Option<V> = None;
        let mut first_maybe: Option<RuleId> = None;
        // The value every candidate concludes, while they agree.
        let mut common: Option<V> = None;
        let mut agree = true;
        let mut yes_unknown = false;
        let mut conflict = false;
        let mut some_rule_applies = false;
        let t = Texts {
            facts: self.facts,
            more: &self.st.texts,
            decs: &self.st.decs,
        };
        for s in &self.st.steps {
            let v = s.v;
            some_rule_applies |= s.applies == Tri::Yes;
            if s.effective == Tri::No {
                continue;
            }
            if v.is_unknown() {
                agree = false;
            }
            match common {
                None => common = Some(v),
                Some(c) if !t.same(c, v) => agree = false,
                Some(_) => {}
            }
            if s.effective == Tri::Yes {
                if first_yes.is_none() {
                    first_yes = Some((s.rule, v));
                }
                if v.is_unknown() {
                    yes_unknown = true;
                } else {
                    match first_definite {
                        None => first_definite = Some(v),
                        Some(w) if !t.same(w, v) => conflict = true,
                        Some(_) => {}
                    }
                }
            } else if first_maybe.is_none() {
                first_maybe = Some(s.rule);
            }
        }
        if conflict {
            return (UNKNOWN, None, true, false, None);
        }
        let unknown = (UNKNOWN, None, false, false, None);
        match (first_yes, first_maybe) {
            (None, None) => match self.fallback(out) {
                Some((v, id)) => (v, None, false, true, id),
                None => (ABSENT, None, false, false, None),
            },
            (Some((r, v)), None) if !yes_unknown => (v, Some(r), false, false, None),
            (Some((r, _)), Some(_)) if agree => {
                (common.unwrap_or(UNKNOWN), Some(r), false, false, None)
            }
            (None, Some(first)) if agree => {
                let v = common.unwrap_or(UNKNOWN);
                // Some rule surely applies, only its exceptions are open:
                // some rule is in effect whichever way they go. Otherwise
                // the default may hold, and must agree.
                let decided = !v.is_unknown()
                    && (some_rule_applies || {
                        let f = self.fallback(out).map_or(ABSENT, |(f, _)| f);
                        self.texts().same(f, v)
                    });
                if decided {
                    (v, Some(first), false, false, None)
                } else {
                    unknown
                }
            }
            _ => unknown,
        }
    }

    /// The missing facts of an unknown outcome: those under the conditions
    /// and values of its rules in effect (or maybe), and under the
    /// conditions of their exceptions, each once, by name.
    fn missing(&mut self, o: OutcomeId, v: V, conflict: bool) {
        let Scratch {
            steps,
            marked,
            marked_rules,
            stack,
            ..
        } = &mut *self.st;
        let Held { set, kept } = &mut *self.held;
        if !v.is_unknown() || conflict {
            set.none(o);
            return;
        }
        // The exceptions of the candidates, direct and indirect (an outcome
        // whose rules have no exceptions has none to mark).
        marked_rules.clear();
        if self.plan.excepted.get(o as usize).copied().unwrap_or(true) {
            stack.clear();
            for s in steps.iter().filter(|s| s.effective != Tri::No) {
                stack.push(s.rule);
            }
            while let Some(r) = stack.pop() {
                for &x in rules_at(&self.plan.exceptions, r) {
                    if let Some(m) = marked.get_mut(x as usize) {
                        if !*m {
                            *m = true;
                            marked_rules.push(x);
                            stack.push(x);
                        }
                    }
                }
            }
        }
        let out = &mut self.ev.missing;
        let start = out.len();
        for (s, &(cond, value)) in steps.iter().zip(kept.iter()) {
            let candidate = s.effective != Tri::No;
            if candidate || (s.active && at(marked, s.rule)) {
                set.take(cond, out);
            }
            if candidate {
                set.take(value, out);
            }
        }
        set.list(self.p, &self.plan.by_rank, o, start, out);
        for &r in marked_rules.iter() {
            if let Some(m) = marked.get_mut(r as usize) {
                *m = false;
            }
        }
    }

    /// The outcomes in conflict an unknown outcome is or reads, through the
    /// rules in effect (or maybe) and the unknown outcomes they read.
    fn blocked(&mut self, o: OutcomeId, v: V, conflict: bool) {
        if !v.is_unknown() || conflict || !at(&self.plan.reads, o) {
            return;
        }
        let p = self.p;
        let stamp = self.stamp(o);
        for s in &self.st.steps {
            if s.effective == Tri::No {
                continue;
            }
            let reads = p
                .rule(s.rule)
                .map_or(&[][..], |r| r.reads_outcomes.as_slice());
            for &x in reads {
                let Some(res) = self.ev.outcomes.get(x as usize) else {
                    continue;
                };
                if !matches!(res.value, Value::Unknown) {
                    continue;
                }
                let (from, n) = if res.conflict {
                    (None, 1)
                } else {
                    let (a, n) = self.ev.blocked_at(x);
                    (Some(a), n)
                };
                for k in 0..n {
                    let y = match from {
                        None => x,
                        Some(a) => match self.ev.blocked.get(a as usize + k as usize) {
                            Some(y) => *y,
                            None => continue,
                        },
                    };
                    if let Some(seen) = self.st.blocked_seen.get_mut(y as usize) {
                        if *seen != stamp {
                            *seen = stamp;
                            self.ev.blocked.push(y);
                        }
                    }
                }
            }
        }
    }

    /// The document that decided a known outcome: the deciding rule's (the
    /// amendment that supplied it, or the document in force carrying it);
    /// for a default, the document in force.
    fn document(&mut self, o: OutcomeId, by_default: bool) {
        let first = self.st.deciding.first().copied();
        let doc = match first {
            Some(r) => self
                .rule_document
                .get(r as usize)
                .copied()
                .or_else(|| self.p.rule(r).map(|x| x.document)),
            None if by_default => {
                let roots = self.p.epochs.get(self.ev.epoch).map(|e| e.roots.as_slice());
                match (self.p.outcome(o), roots) {
                    (Some(out), Some(r)) => self.p.default_document(r, out, self.ev.in_force),
                    _ => self.ev.in_force,
                }
            }
            None => None,
        };
        if let Some(res) = self.ev.outcomes.get_mut(o as usize) {
            res.document = doc;
        }
    }

    /// The rules whose paragraphs cite a known outcome, one per paragraph:
    /// the deciding rules', then those of the known outcomes they read.
    fn cites_of(&mut self, o: OutcomeId) {
        let p = self.p;
        let stamp = self.stamp(o);
        let take = |ev: &mut Evaluation, cited: &mut Vec<u64>, r: RuleId| {
            let Some(k) = self.plan.paragraph.get(r as usize) else {
                return;
            };
            if let Some(c) = cited.get_mut(*k as usize) {
                if *c != stamp {
                    *c = stamp;
                    ev.cites.push(r);
                }
            }
        };
        let deciding = std::mem::take(&mut self.st.deciding);
        for &r in &deciding {
            take(self.ev, &mut self.st.cited, r);
        }
        for &r in &deciding {
            for &x in p.rule(r).map_or(&[][..], |r| r.reads_outcomes.as_slice()) {
                let (a, n) = self.ev.cites_at(x);
                for k in a..a + n {
                    if let Some(&c) = self.ev.cites.get(k as usize) {
                        take(self.ev, &mut self.st.cited, c);
                    }
                }
            }
        }
        self.st.deciding = deciding;
    }
}
