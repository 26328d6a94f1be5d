//! Evaluation with Kleene three-valued logic, exceptions and conflicts.
//!
//! [`evaluate`] is the fast path: values only, no allocation per expression.
//! [`derive`] re-runs one outcome with a trace of every sub-expression, from
//! which the report draws the derivation, the why-not and the missing facts.
mod trace;

pub use trace::{derive, missing_facts, Derivation, Node, RuleStatus, RuleTrace, Status, Trace};

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

/// Evaluates every outcome of a case on a date.
pub fn evaluate(p: &Program, facts: &[Value], as_of: NaiveDate) -> Result<Evaluation, EvalError> {
    let epoch_index = p
        .epochs
        .partition_point(|e| e.to.is_some_and(|to| to < as_of));
    let epoch = p.epochs.get(epoch_index);
    let in_force = epoch.and_then(|e| e.in_force);
    let absent = OutcomeResult {
        value: Value::Absent,
        decided_by: None,
        conflict: false,
        by_default: false,
    };
    let mut outcomes = vec![absent; p.outcomes.len()];
    let mut effective = vec![Tri::No; p.rules.len()];
    let (Some(epoch), Some(_)) = (epoch, in_force) else {
        return Ok(Evaluation {
            as_of,
            epoch: epoch_index,
            in_force: None,
            outcomes,
            effective,
        });
    };
    let mut applies = vec![Tri::No; p.rules.len()];
    for &o in &p.order {
        let Some(out) = p.outcomes.get(o as usize) else {
            continue;
        };
        let result = {
            let env = Env {
                p,
                facts,
                outcomes: &outcomes,
                params: &epoch.params,
                as_of,
            };
            decide(&env, out, &epoch.rule_active, &mut applies, &mut effective)?
        };
        if let Some(slot) = outcomes.get_mut(o as usize) {
            *slot = result;
        }
    }
    Ok(Evaluation {
        as_of,
        epoch: epoch_index,
        in_force,
        outcomes,
        effective,
    })
}

/// Applicability of a rule from its condition's value.
pub(crate) fn tri_of(v: &Value) -> Tri {
    match v {
        Value::Bool(true) => Tri::Yes,
        Value::Unknown => Tri::Maybe,
        _ => Tri::No,
    }
}

fn decide(
    env: &Env,
    out: &Outcome,
    active: &[bool],
    applies: &mut [Tri],
    effective: &mut [Tri],
) -> Result<OutcomeResult, EvalError> {
    // Applicability of each rule in force.
    for &r in &out.rules {
        let Some(rule) = env.p.rules.get(r as usize) else {
            continue;
        };
        let a = if !active.get(r as usize).copied().unwrap_or(false) {
            Tri::No
        } else {
            match &rule.when {
                None => Tri::Yes,
                Some(c) => tri_of(&eval(env, c)?),
            }
        };
        if let Some(slot) = applies.get_mut(r as usize) {
            *slot = a;
        }
    }
    // A rule is in effect when it applies and none of its exceptions does.
    for &r in &out.rules {
        let Some(rule) = env.p.rules.get(r as usize) else {
            continue;
        };
        let mut eff = applies.get(r as usize).copied().unwrap_or(Tri::No);
        if eff != Tri::No {
            for d in &rule.defeaters {
                match applies.get(*d as usize).copied().unwrap_or(Tri::No) {
                    Tri::Yes => {
                        eff = Tri::No;
                        break;
                    }
                    Tri::Maybe => eff = Tri::Maybe,
                    Tri::No => {}
                }
            }
        }
        if let Some(slot) = effective.get_mut(r as usize) {
            *slot = eff;
        }
    }
    // When some rule surely applies, some rule is in effect whichever way the
    // undetermined exceptions go: the default can then never be reached.
    let some_rule_applies = out
        .rules
        .iter()
        .any(|r| applies.get(*r as usize).copied() == Some(Tri::Yes));
    combine(env, out, effective, some_rule_applies)
}

fn combine(
    env: &Env,
    out: &Outcome,
    effective: &[Tri],
    some_rule_applies: bool,
) -> Result<OutcomeResult, EvalError> {
    let mut first_yes: Option<(RuleId, Value)> = None;
    let mut first_maybe: Option<RuleId> = None;
    // The value every rule that applies or may apply concludes, while they agree.
    let mut common: Option<Value> = None;
    let mut agree = true;
    let mut yes_unknown = false;
    let mut conflict = false;
    for &r in &out.rules {
        let eff = effective.get(r as usize).copied().unwrap_or(Tri::No);
        if eff == Tri::No {
            continue;
        }
        let Some(rule) = env.p.rules.get(r as usize) else {
            continue;
        };
        let v = eval(env, &rule.value)?;
        if v == Value::Unknown {
            agree = false;
        }
        match &common {
            None => common = Some(v.clone()),
            Some(c) if *c != v => agree = false,
            Some(_) => {}
        }
        if eff == Tri::Yes {
            match &first_yes {
                None => {
                    yes_unknown |= v == Value::Unknown;
                    first_yes = Some((r, v));
                }
                Some((_, w)) => {
                    if v == Value::Unknown {
                        yes_unknown = true;
                    } else if *w != Value::Unknown && *w != v {
                        conflict = true;
                    }
                }
            }
        } else if first_maybe.is_none() {
            first_maybe = Some(r);
        }
    }
    let result = |value, decided_by, by_default| OutcomeResult {
        value,
        decided_by,
        conflict: false,
        by_default,
    };
    if conflict {
        return Ok(OutcomeResult {
            value: Value::Unknown,
            decided_by: None,
            conflict: true,
            by_default: false,
        });
    }
    let fallback = || -> Result<Value, EvalError> {
        match &out.default {
            Some(d) => eval(env, d),
            None => Ok(Value::Absent),
        }
    };
    Ok(match (first_yes, first_maybe) {
        (None, None) => result(fallback()?, None, out.default.is_some()),
        (Some((r, v)), None) if !yes_unknown => result(v, Some(r), false),
        (Some((r, _)), Some(_)) if agree => {
            result(common.unwrap_or(Value::Unknown), Some(r), false)
        }
        (None, Some(m)) if agree => {
            let v = common.unwrap_or(Value::Unknown);
            if v != Value::Unknown && (some_rule_applies || fallback()? == v) {
                result(v, Some(m), false)
            } else {
                result(Value::Unknown, None, false)
            }
        }
        _ => result(Value::Unknown, None, false),
    })
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
