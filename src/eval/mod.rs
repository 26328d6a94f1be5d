//! Evaluation with Kleene three-valued logic, exceptions and conflicts.
//!
//! [`evaluate`] (and [`Workspace::evaluate`]) is the fast path: values and
//! missing facts over compact values, no allocation per case. A
//! [`Derivations`] re-runs the rules of every outcome with a trace of every
//! sub-expression, from which reports draw the derivation, the why-not and
//! the missing facts.
mod fast;
mod trace;

pub use trace::{Derivation, Derivations, Node, RuleStatus, RuleTrace, Status, Trace, TraceNode};

use crate::program::*;
use crate::syntax::ast::Rounding;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::cmp::Ordering;

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

/// An error during evaluation: checked arithmetic overflowed or a date left
/// the calendar.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
    /// Where, in the policy.
    pub span: crate::source::Span,
}

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
}

/// The facts of a case and the slots of the outcomes computed so far.
pub(crate) struct Env<'a> {
    pub p: &'a Program,
    pub facts: &'a [Value],
    pub outcomes: &'a [OutcomeResult],
    pub params: &'a [Value],
    pub as_of: NaiveDate,
}

impl<'a> Env<'a> {
    /// The environment of an evaluation's outcome values, and its epoch;
    /// None when no document was in force.
    fn after(p: &'a Program, facts: &'a [Value], ev: &'a Evaluation) -> Option<(Self, &'a Epoch)> {
        let epoch = p.epochs.get(ev.epoch).filter(|_| ev.in_force.is_some())?;
        let env = Env {
            p,
            facts,
            outcomes: &ev.outcomes,
            params: &epoch.params,
            as_of: ev.as_of,
        };
        Some((env, epoch))
    }
}

/// Evaluates every outcome of a case on a date.
pub fn evaluate(p: &Program, facts: &[Value], as_of: NaiveDate) -> Result<Evaluation, EvalError> {
    let mut w = Workspace::new(p);
    w.evaluate(p, facts, as_of)?;
    Ok(w.ev)
}

/// Reusable buffers for evaluating many cases against one program: after the
/// first case, evaluating another allocates nothing but the values it copies.
/// Besides the [`Evaluation`], it keeps each rule's applicability, from which
/// [`Workspace::missing`] computes the missing facts of unknown outcomes
/// without tracing.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The last evaluation.
    pub ev: Evaluation,
    /// Per rule: whether its condition holds (before exceptions).
    applies: Vec<Tri>,
    /// Missing facts gathered while evaluating, when the facts fit in a mask.
    masks: Option<Masks>,
    /// The compact values of the evaluating pass.
    fast: fast::FastState,
}

/// Missing facts as bit masks, gathered in the same pass as the values
/// (programs of at most 64 facts): per rule, the unknown facts under its
/// condition and under its value; per outcome, the facts it misses.
#[derive(Clone, Debug, Default)]
struct Masks {
    cond: Vec<u64>,
    value: Vec<u64>,
    value_done: Vec<bool>,
    outcome: Vec<u64>,
}

impl Masks {
    fn reset(&mut self, rules: usize, outcomes: usize) {
        for v in [&mut self.cond, &mut self.value] {
            v.clear();
            v.resize(rules, 0);
        }
        self.value_done.clear();
        self.value_done.resize(rules, false);
        self.outcome.clear();
        self.outcome.resize(outcomes, 0);
    }
    fn set_value(&mut self, r: RuleId, mask: u64) {
        if let Some(slot) = self.value.get_mut(r as usize) {
            *slot = mask;
        }
        if let Some(slot) = self.value_done.get_mut(r as usize) {
            *slot = true;
        }
    }
}

impl Workspace {
    /// Buffers sized for a program.
    pub fn new(p: &Program) -> Workspace {
        let absent = OutcomeResult {
            value: Value::Absent,
            decided_by: None,
            conflict: false,
            by_default: false,
        };
        Workspace {
            ev: Evaluation {
                as_of: NaiveDate::MIN,
                epoch: 0,
                in_force: None,
                outcomes: vec![absent; p.outcomes.len()],
                effective: vec![Tri::No; p.rules.len()],
            },
            applies: vec![Tri::No; p.rules.len()],
            masks: (p.facts.len() <= 64).then(Masks::default),
            fast: fast::FastState::default(),
        }
    }

    /// Evaluates every outcome of a case on a date into `self.ev`.
    pub fn evaluate(
        &mut self,
        p: &Program,
        facts: &[Value],
        as_of: NaiveDate,
    ) -> Result<(), EvalError> {
        let epoch_index = p
            .epochs
            .partition_point(|e| e.to.is_some_and(|to| to < as_of));
        let epoch = p.epochs.get(epoch_index);
        let in_force = epoch.and_then(|e| e.in_force);
        let ev = &mut self.ev;
        ev.as_of = as_of;
        ev.epoch = epoch_index;
        ev.in_force = None;
        ev.outcomes.resize(p.outcomes.len(), ABSENT);
        ev.effective.clear();
        ev.effective.resize(p.rules.len(), Tri::No);
        self.applies.clear();
        self.applies.resize(p.rules.len(), Tri::No);
        if let Some(m) = self.masks.as_mut() {
            m.reset(p.rules.len(), p.outcomes.len());
        }
        let (Some(epoch), Some(_)) = (epoch, in_force) else {
            for o in ev.outcomes.iter_mut() {
                *o = ABSENT;
            }
            return Ok(());
        };
        // In force, every outcome is decided below: `order` holds them all.
        ev.in_force = in_force;
        let n = p.outcomes.len();
        self.fast.vals.clear();
        self.fast.vals.resize(n, fast::ABSENT);
        self.fast.texts.clear();
        let mut run = fast::Run {
            p,
            facts,
            params: &epoch.params,
            as_of,
            active: &epoch.rule_active,
            st: &mut self.fast,
            masks: self.masks.as_mut(),
            applies: &mut self.applies,
            effective: &mut ev.effective,
            err: None,
        };
        for &o in &p.order {
            let Some(out) = p.outcomes.get(o as usize) else {
                continue;
            };
            let d = run.decide(out);
            let v = d.v;
            let mask = if v.tag == fast::Tag::Unknown && !d.conflict {
                run.outcome_mask(out)
            } else {
                0
            };
            // The first error ends the evaluation, as if it had stopped there.
            if let Some(e) = run.err.take() {
                return Err(e);
            }
            if let Some(slot) = run
                .masks
                .as_deref_mut()
                .and_then(|k| k.outcome.get_mut(o as usize))
            {
                *slot = mask;
            }
            if let Some(slot) = run.st.vals.get_mut(o as usize) {
                *slot = v;
            }
            // Field by field: a whole `OutcomeResult` assembled and then
            // moved stalls on store forwarding.
            if let Some(slot) = ev.outcomes.get_mut(o as usize) {
                slot.value = run.value(v);
                slot.decided_by = d.decided_by;
                slot.conflict = d.conflict;
                slot.by_default = d.by_default;
            }
        }
        Ok(())
    }

    /// The missing facts of every unknown outcome of the last evaluation,
    /// the same sets (in the same slot order) that [`derive`] reports, but
    /// computed from the evaluation's rule states without building traces.
    pub fn missing(
        &self,
        p: &Program,
        facts: &[Value],
        sets: &mut FactSets,
    ) -> Result<(), EvalError> {
        sets.reset(p.outcomes.len(), p.facts.len());
        if let Some(m) = &self.masks {
            for (o, mask) in m.outcome.iter().enumerate() {
                if let Some(slot) = sets.bits.get_mut(o) {
                    *slot = *mask;
                }
            }
            return Ok(());
        }
        let ev = &self.ev;
        let Some((env, epoch)) = Env::after(p, facts, ev) else {
            return Ok(());
        };
        let active = |r: RuleId| epoch.rule_active.get(r as usize).copied().unwrap_or(false);
        let applies = |r: RuleId| self.applies.get(r as usize).copied().unwrap_or(Tri::No);
        for &o in &p.order {
            let (Some(out), Some(res)) = (p.outcomes.get(o as usize), ev.outcomes.get(o as usize))
            else {
                continue;
            };
            // A conflict is not undetermined: `derive` reports nothing missing.
            if res.value != Value::Unknown || res.conflict {
                continue;
            }
            let mut acc = sets.take();
            for &r in &out.rules {
                let Some(rule) = p.rules.get(r as usize) else {
                    continue;
                };
                let eff = ev.effective.get(r as usize).copied().unwrap_or(Tri::No);
                if !may_decide(r, rule, out, active(r), eff, applies) {
                    continue;
                }
                if let Some(c) = &rule.when {
                    collect(&env, c, sets, &mut acc)?;
                }
                collect(&env, &rule.value, sets, &mut acc)?;
                // An exception that may apply is part of why the rule is undetermined.
                for d in &rule.defeaters {
                    if !out.rules.contains(d) || !active(*d) {
                        continue;
                    }
                    if let Some(c) = p.rules.get(*d as usize).and_then(|x| x.when.as_ref()) {
                        collect(&env, c, sets, &mut acc)?;
                    }
                }
            }
            sets.put(o, acc);
        }
        Ok(())
    }

    /// The same workspace gathering missing facts by re-evaluation, as it
    /// does for programs of more than 64 facts.
    #[cfg(test)]
    pub(crate) fn without_masks(mut self) -> Workspace {
        self.masks = None;
        self
    }

    /// Per rule: whether its condition holds in the last evaluation.
    pub fn applies(&self) -> &[Tri] {
        &self.applies
    }
}

/// Compares the compact evaluating pass with [`eval`], which derivations
/// trace, on every sub-expression of every rule and default, after an
/// evaluation of `facts` left its outcome values in `ws`. Returns the first
/// disagreement.
#[cfg(test)]
pub(crate) fn compare_with_reference(
    p: &Program,
    ws: &mut Workspace,
    facts: &[Value],
) -> Result<(), String> {
    let ev = &ws.ev;
    let Some((env, epoch)) = Env::after(p, facts, ev) else {
        return Ok(());
    };
    let mut applies = vec![Tri::No; p.rules.len()];
    let mut effective = vec![Tri::No; p.rules.len()];
    let mut run = fast::Run {
        p,
        facts,
        params: &epoch.params,
        as_of: ev.as_of,
        active: &epoch.rule_active,
        st: &mut ws.fast,
        masks: None,
        applies: &mut applies,
        effective: &mut effective,
        err: None,
    };
    fn walk(e: &Expr, env: &Env, run: &mut fast::Run, bad: &mut Option<String>) {
        let want = eval(env, e);
        let mut m = 0;
        let got = run.ev(e, &mut m);
        let got = match run.err.take() {
            Some(err) => Err(err),
            None => Ok(run.value(got)),
        };
        if bad.is_none() && got != want {
            *bad = Some(format!("{:?}: fast {got:?}, reference {want:?}", e.kind));
        }
        let mut sub = |x: &Expr| walk(x, env, run, bad);
        match &e.kind {
            ExprKind::Not(x)
            | ExprKind::Neg(x)
            | ExprKind::In(x, _, _)
            | ExprKind::Days(x)
            | ExprKind::Months(x, _, _) => sub(x),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b) => {
                sub(a);
                sub(b);
            }
            ExprKind::If(c, a, b) => {
                sub(c);
                sub(a);
                sub(b);
            }
            ExprKind::Call(_, args, body) => {
                for a in args {
                    sub(a);
                }
                sub(body);
            }
            _ => {}
        }
    }
    let mut bad = None;
    for rule in &p.rules {
        if let Some(c) = &rule.when {
            walk(c, &env, &mut run, &mut bad);
        }
        walk(&rule.value, &env, &mut run, &mut bad);
    }
    for o in &p.outcomes {
        if let Some(d) = &o.default {
            walk(d, &env, &mut run, &mut bad);
        }
    }
    bad.map_or(Ok(()), Err)
}

const ABSENT: OutcomeResult = OutcomeResult {
    value: Value::Absent,
    decided_by: None,
    conflict: false,
    by_default: false,
};

/// The rules whose paragraphs a known outcome cites: those in effect, or
/// when none is, the rule that decided it. One selection for the cites of
/// derivations and of batch reports.
pub(crate) fn deciding_rules<'a>(
    p: &'a Program,
    ev: &'a Evaluation,
    o: OutcomeId,
) -> impl Iterator<Item = RuleId> + 'a {
    let rules = p.outcome(o).map_or(&[][..], |x| x.rules.as_slice());
    let yes = |r: &RuleId| ev.effective.get(*r as usize) == Some(&Tri::Yes);
    let any = rules.iter().any(yes);
    let fallback = ev
        .outcomes
        .get(o as usize)
        .and_then(|r| r.decided_by)
        .filter(|_| !any);
    rules.iter().copied().filter(yes).chain(fallback)
}

/// Whether a rule's unknown facts count toward an unknown outcome's missing
/// facts: it is in force, may apply, and no exception that surely applies
/// overrides it. One selection for both ways of gathering missing facts.
fn may_decide(
    r: RuleId,
    rule: &Rule,
    out: &Outcome,
    active: bool,
    eff: Tri,
    applies: impl Fn(RuleId) -> Tri,
) -> bool {
    if !active || applies(r) == Tri::No {
        return false;
    }
    let overridden = rule
        .defeaters
        .iter()
        .any(|d| out.rules.contains(d) && applies(*d) == Tri::Yes);
    !(eff == Tri::No && overridden)
}

/// One set of fact slots per outcome, as bit sets in one buffer.
#[derive(Clone, Debug, Default)]
pub struct FactSets {
    words: usize,
    bits: Vec<u64>,
    scratch: Vec<u64>,
}

impl FactSets {
    fn reset(&mut self, outcomes: usize, facts: usize) {
        self.words = facts.div_ceil(64).max(1);
        self.bits.clear();
        self.bits.resize(outcomes * self.words, 0);
    }
    /// The reusable accumulator, zeroed.
    fn take(&mut self) -> Vec<u64> {
        let mut acc = std::mem::take(&mut self.scratch);
        acc.clear();
        acc.resize(self.words, 0);
        acc
    }
    fn put(&mut self, o: OutcomeId, acc: Vec<u64>) {
        let start = o as usize * self.words;
        if let Some(dst) = self.bits.get_mut(start..start + self.words) {
            dst.copy_from_slice(&acc);
        }
        self.scratch = acc;
    }
    /// The bits of one outcome.
    fn row(&self, o: OutcomeId) -> &[u64] {
        let start = o as usize * self.words;
        self.bits.get(start..start + self.words).unwrap_or(&[])
    }
    /// The facts missing for an outcome, in slot order.
    pub fn of(&self, o: OutcomeId) -> impl Iterator<Item = FactId> + '_ {
        self.row(o).iter().enumerate().flat_map(|(w, &bits)| {
            (0..64u32)
                .filter(move |b| bits & (1u64 << b) != 0)
                .map(move |b| u32::try_from(w).unwrap_or(0) * 64 + b)
        })
    }
    /// Whether an outcome misses no fact.
    pub fn is_empty(&self, o: OutcomeId) -> bool {
        self.row(o).iter().all(|w| *w == 0)
    }
}

/// Adds to `acc` the unknown facts below an expression that could change its
/// value: only below sub-expressions that are themselves unknown, exactly as
/// a derivation gathers them from its traces.
fn collect(env: &Env, e: &Expr, sets: &FactSets, acc: &mut [u64]) -> Result<(), EvalError> {
    if eval(env, e)? != Value::Unknown {
        return Ok(());
    }
    match &e.kind {
        ExprKind::Fact(f) => {
            if let Some(w) = acc.get_mut(*f as usize / 64) {
                *w |= 1u64 << (f % 64);
            }
        }
        ExprKind::Outcome(o) => {
            for (a, b) in acc.iter_mut().zip(sets.row(*o)) {
                *a |= b;
            }
        }
        ExprKind::Not(x) | ExprKind::Neg(x) | ExprKind::In(x, _, _) => collect(env, x, sets, acc)?,
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b) => {
            collect(env, a, sets, acc)?;
            collect(env, b, sets, acc)?;
        }
        ExprKind::If(c, a, b) => match eval(env, c)? {
            Value::Bool(true) => collect(env, a, sets, acc)?,
            Value::Bool(false) => collect(env, b, sets, acc)?,
            Value::Unknown => {
                collect(env, c, sets, acc)?;
                collect(env, a, sets, acc)?;
                collect(env, b, sets, acc)?;
            }
            _ => {}
        },
        ExprKind::Call(_, args, body) => {
            for a in args {
                collect(env, a, sets, acc)?;
            }
            collect(env, body, sets, acc)?;
        }
        // Leaves of a trace: constants, parameters, the date, and `n days`
        // and `n months`, which a derivation shows as computed constants.
        ExprKind::Const(_)
        | ExprKind::Param(_)
        | ExprKind::Group(_)
        | ExprKind::AsOf
        | ExprKind::Local(_)
        | ExprKind::Days(_)
        | ExprKind::Months(..) => {}
    }
    Ok(())
}

/// Applicability of a rule from its condition's value.
pub(crate) fn tri_of(v: &Value) -> Tri {
    match v {
        Value::Bool(true) => Tri::Yes,
        Value::Unknown => Tri::Maybe,
        _ => Tri::No,
    }
}

fn unknown_or_absent(a: &Value, b: &Value) -> Option<Value> {
    if matches!(a, Value::Unknown) || matches!(b, Value::Unknown) {
        Some(Value::Unknown)
    } else if matches!(a, Value::Absent) || matches!(b, Value::Absent) {
        Some(Value::Absent)
    } else {
        None
    }
}

/// Kleene conjunction (with n/a between false and unknown).
pub(crate) fn and(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Bool(false), _) | (_, Value::Bool(false)) => Value::Bool(false),
        (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
        _ => unknown_or_absent(a, b).unwrap_or(Value::Unknown),
    }
}

/// Kleene disjunction.
pub(crate) fn or(a: &Value, b: &Value) -> Value {
    match (a, b) {
        (Value::Bool(true), _) | (_, Value::Bool(true)) => Value::Bool(true),
        (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
        _ => unknown_or_absent(a, b).unwrap_or(Value::Unknown),
    }
}

/// Kleene negation.
pub(crate) fn not(a: &Value) -> Value {
    match a {
        Value::Bool(b) => Value::Bool(!b),
        other => other.clone(),
    }
}

fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Value {
    if let Some(v) = unknown_or_absent(a, b) {
        return v;
    }
    let r = match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => order(a, b) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(a, b), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(a, b) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(a, b), Some(Ordering::Greater | Ordering::Equal)),
    };
    Value::Bool(r)
}

fn add_months(d: NaiveDate, n: i64, r: Rounding) -> Option<NaiveDate> {
    let months = u32::try_from(n.unsigned_abs()).ok()?;
    let shifted = if n >= 0 {
        d.checked_add_months(Months::new(months))?
    } else {
        d.checked_sub_months(Months::new(months))?
    };
    // chrono clamps to the month's last day: that is rounding down.
    if r == Rounding::Up && shifted.day() != d.day() {
        return shifted.checked_add_days(Days::new(1));
    }
    Some(shifted)
}

fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

pub(crate) fn arith(op: ArithOp, a: &Value, b: &Value, e: &Expr) -> Result<Value, EvalError> {
    if let Some(v) = unknown_or_absent(a, b) {
        return Ok(v);
    }
    let overflow = |what: &str| EvalError {
        message: what.to_string(),
        span: e.span,
    };
    let v = match (op, a, b) {
        (ArithOp::Add, Value::Int(x), Value::Int(y)) => Value::Int(
            x.checked_add(*y)
                .ok_or_else(|| overflow("integer overflow"))?,
        ),
        (ArithOp::Sub, Value::Int(x), Value::Int(y)) => Value::Int(
            x.checked_sub(*y)
                .ok_or_else(|| overflow("integer overflow"))?,
        ),
        (ArithOp::Mul, Value::Int(x), Value::Int(y)) => Value::Int(
            x.checked_mul(*y)
                .ok_or_else(|| overflow("integer overflow"))?,
        ),
        (ArithOp::Sub, Value::Date(x), Value::Date(y)) => {
            Value::Int(x.signed_duration_since(*y).num_days())
        }
        (ArithOp::Add, Value::Date(d), Value::Days(n))
        | (ArithOp::Add, Value::Days(n), Value::Date(d)) => {
            Value::Date(add_days(*d, *n).ok_or_else(|| overflow("date out of range"))?)
        }
        (ArithOp::Sub, Value::Date(d), Value::Days(n)) => Value::Date(
            add_days(
                *d,
                n.checked_neg()
                    .ok_or_else(|| overflow("integer overflow"))?,
            )
            .ok_or_else(|| overflow("date out of range"))?,
        ),
        (ArithOp::Add, Value::Date(d), Value::Months(n, r))
        | (ArithOp::Add, Value::Months(n, r), Value::Date(d)) => {
            Value::Date(add_months(*d, *n, *r).ok_or_else(|| overflow("date out of range"))?)
        }
        (ArithOp::Sub, Value::Date(d), Value::Months(n, r)) => Value::Date(
            add_months(
                *d,
                n.checked_neg()
                    .ok_or_else(|| overflow("integer overflow"))?,
                *r,
            )
            .ok_or_else(|| overflow("date out of range"))?,
        ),
        _ => Value::Unknown,
    };
    Ok(v)
}

/// Evaluates an expression.
pub(crate) fn eval(env: &Env, e: &Expr) -> Result<Value, EvalError> {
    Ok(match &e.kind {
        ExprKind::Const(v) => v.clone(),
        ExprKind::Fact(f) => env
            .facts
            .get(*f as usize)
            .cloned()
            .unwrap_or(Value::Unknown),
        ExprKind::Outcome(o) => env
            .outcomes
            .get(*o as usize)
            .map(|r| r.value.clone())
            .unwrap_or(Value::Unknown),
        ExprKind::Param(x) => env
            .params
            .get(*x as usize)
            .cloned()
            .unwrap_or(Value::Unknown),
        ExprKind::Group(g) => env
            .p
            .groups
            .get(*g as usize)
            .map(|x| Value::Record(x.first))
            .unwrap_or(Value::Unknown),
        ExprKind::AsOf => Value::Date(env.as_of),
        ExprKind::Local(_) => Value::Unknown,
        ExprKind::Not(x) => not(&eval(env, x)?),
        ExprKind::And(a, b) => {
            let x = eval(env, a)?;
            if x == Value::Bool(false) {
                return Ok(x);
            }
            and(&x, &eval(env, b)?)
        }
        ExprKind::Or(a, b) => {
            let x = eval(env, a)?;
            if x == Value::Bool(true) {
                return Ok(x);
            }
            or(&x, &eval(env, b)?)
        }
        ExprKind::Cmp(op, a, b) => compare(*op, &eval(env, a)?, &eval(env, b)?),
        ExprKind::Arith(op, a, b) => arith(*op, &eval(env, a)?, &eval(env, b)?, e)?,
        ExprKind::Neg(x) => match eval(env, x)? {
            Value::Int(n) => Value::Int(n.checked_neg().ok_or_else(|| EvalError {
                message: "integer overflow".into(),
                span: e.span,
            })?),
            other => other,
        },
        ExprKind::In(x, set, negated) => match eval(env, x)? {
            v if !v.is_known() => v,
            v => Value::Bool(set.contains(&v) != *negated),
        },
        ExprKind::If(c, a, b) => match eval(env, c)? {
            Value::Bool(true) => eval(env, a)?,
            Value::Bool(false) => eval(env, b)?,
            Value::Unknown => {
                let (x, y) = (eval(env, a)?, eval(env, b)?);
                if x == y && x.is_known() {
                    x
                } else {
                    Value::Unknown
                }
            }
            other => other,
        },
        ExprKind::Days(n) => match eval(env, n)? {
            Value::Int(n) => Value::Days(n),
            other => other,
        },
        ExprKind::Months(n, factor, r) => match eval(env, n)? {
            Value::Int(n) => Value::Months(
                n.checked_mul(*factor).ok_or_else(|| EvalError {
                    message: "integer overflow".into(),
                    span: e.span,
                })?,
                *r,
            ),
            other => other,
        },
        ExprKind::Call(_, _, body) => eval(env, body)?,
    })
}
