//! A small reference interpreter over a checked [`Program`], written to be
//! obviously correct rather than fast: plain recursion over [`Value`], every
//! outcome decided from the rules in force exactly as the policy language
//! says, independent of `crate::eval`. Differential tests compare every
//! evaluation path of regula with it.
use crate::program::{ArithOp, CmpOp, Epoch, Expr, ExprKind, OutcomeId, Program, RuleId, Value};
use crate::syntax::ast::Rounding;
use chrono::{Datelike, Days, Months, NaiveDate};

/// Whether a rule applies (or is in effect): yes, no, or depending on
/// unknown facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    /// Does not apply.
    No,
    /// Applies.
    Yes,
    /// Depends on unknown facts.
    Maybe,
}

/// How one outcome came out.
#[derive(Clone, Debug, PartialEq)]
pub struct RefOutcome {
    /// Known, `Unknown`, or `Absent` (n/a).
    pub value: Value,
    /// Two rules in effect conclude different known values.
    pub conflict: bool,
    /// Facts that could decide an unknown outcome (not in conflict), by slot,
    /// sorted by name.
    pub missing: Vec<u32>,
    /// Outcomes in conflict an unknown outcome depends on, by slot, ascending.
    pub blocked_by: Vec<OutcomeId>,
    /// Paragraphs citing a known outcome.
    pub cites: Vec<String>,
    /// The document that decided a known outcome, by index.
    pub document: Option<u32>,
}

/// An evaluation error: the message.
pub type RefError = String;

struct Run<'a> {
    p: &'a Program,
    facts: &'a [Value],
    epoch: &'a Epoch,
    as_of: NaiveDate,
    /// Results of the outcomes decided so far.
    done: Vec<Option<RefOutcome>>,
    /// Per outcome decided: each rule's applicability and effect.
    applies: Vec<Tri>,
    effective: Vec<Tri>,
}

/// Evaluates every outcome of a case on a date: per outcome slot its
/// result, or the error of the whole case.
pub fn reference(
    p: &Program,
    facts: &[Value],
    as_of: NaiveDate,
) -> Result<Vec<RefOutcome>, RefError> {
    let absent = RefOutcome {
        value: Value::Absent,
        conflict: false,
        missing: Vec::new(),
        blocked_by: Vec::new(),
        cites: Vec::new(),
        document: None,
    };
    let Some(epoch) = p.epoch(as_of).filter(|e| e.in_force.is_some()) else {
        return Ok(vec![absent; p.outcomes.len()]);
    };
    let mut run = Run {
        p,
        facts,
        epoch,
        as_of,
        done: vec![None; p.outcomes.len()],
        applies: vec![Tri::No; p.rules.len()],
        effective: vec![Tri::No; p.rules.len()],
    };
    for &o in &p.order {
        let r = run.outcome(o)?;
        run.done[o as usize] = Some(r);
    }
    Ok(run
        .done
        .into_iter()
        .map(|r| r.unwrap_or_else(|| absent.clone()))
        .collect())
}

fn err(what: &str) -> RefError {
    what.to_string()
}

impl Run<'_> {
    fn active(&self, r: RuleId) -> bool {
        self.epoch.rule_active[r as usize]
    }

    /// The value of an expression.
    fn ev(&self, e: &Expr) -> Result<Value, RefError> {
        use Value::*;
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Fact(f) => self.facts.get(*f as usize).cloned().unwrap_or(Unknown),
            ExprKind::Outcome(o) => self.done[*o as usize]
                .as_ref()
                .map(|r| r.value.clone())
                .ok_or_else(|| err("outcome read before it is decided"))?,
            ExprKind::Param(x) => self.epoch.params[*x as usize].clone(),
            ExprKind::Group(g) => Record(self.p.groups[*g as usize].first),
            ExprKind::AsOf => Date(self.as_of),
            ExprKind::Local(_) => return Err(err("a definition's parameter outside its body")),
            ExprKind::Not(x) => match self.ev(x)? {
                Bool(b) => Bool(!b),
                other => other,
            },
            ExprKind::And(a, b) => {
                let x = self.ev(a)?;
                if x == Bool(false) {
                    return Ok(x);
                }
                let y = self.ev(b)?;
                match (x, y) {
                    (_, Bool(false)) => Bool(false),
                    (Bool(true), Bool(true)) => Bool(true),
                    (x, y) => unknown_over_absent(&x, &y),
                }
            }
            ExprKind::Or(a, b) => {
                let x = self.ev(a)?;
                if x == Bool(true) {
                    return Ok(x);
                }
                let y = self.ev(b)?;
                match (x, y) {
                    (_, Bool(true)) => Bool(true),
                    (Bool(false), Bool(false)) => Bool(false),
                    (x, y) => unknown_over_absent(&x, &y),
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let (x, y) = (self.ev(a)?, self.ev(b)?);
                if !x.is_known() || !y.is_known() {
                    return Ok(unknown_over_absent(&x, &y));
                }
                let ord = match (&x, &y) {
                    (Int(m), Int(n)) => Some(m.cmp(n)),
                    (Date(m), Date(n)) => Some(m.cmp(n)),
                    // Numbers compare exactly, by cross-multiplication.
                    _ => match (fraction(&x), fraction(&y)) {
                        (Some((a, b)), Some((c, d))) => Some((a * d).cmp(&(c * b))),
                        _ => None,
                    },
                };
                let numbers = fraction(&x).is_some() && fraction(&y).is_some();
                let equal = if numbers {
                    ord == Some(std::cmp::Ordering::Equal)
                } else {
                    x == y
                };
                use std::cmp::Ordering::*;
                Bool(match op {
                    CmpOp::Eq => equal,
                    CmpOp::Ne => !equal,
                    CmpOp::Lt => ord == Some(Less),
                    CmpOp::Le => ord == Some(Less) || ord == Some(Equal),
                    CmpOp::Gt => ord == Some(Greater),
                    CmpOp::Ge => ord == Some(Greater) || ord == Some(Equal),
                })
            }
            ExprKind::Arith(op, a, b) => {
                let (x, y) = (self.ev(a)?, self.ev(b)?);
                if !x.is_known() || !y.is_known() {
                    return Ok(unknown_over_absent(&x, &y));
                }
                arith(*op, x, y)?
            }
            ExprKind::Neg(x) => match self.ev(x)? {
                Int(n) => Int(n.checked_neg().ok_or_else(|| err("integer overflow"))?),
                Decimal(d) => {
                    fraction_arith(ArithOp::Sub, (0, 1), (i128::from(d.num), i128::from(d.den)))?
                }
                other => other,
            },
            ExprKind::Round(x, r) => match self.ev(x)? {
                v @ (Int(_) | Decimal(_)) => {
                    let (n, d) = fraction(&v).unwrap_or((0, 1));
                    // Floor by truncation, corrected for negative remainders.
                    let floor = n / d - i128::from(n % d != 0 && (n < 0) != (d < 0));
                    let ceil = -((-n) / d - i128::from((-n) % d != 0 && ((-n) < 0) != (d < 0)));
                    let x = match r {
                        crate::syntax::ast::Rounding::Down => floor,
                        crate::syntax::ast::Rounding::Up => ceil,
                    };
                    Int(i64::try_from(x).map_err(|_| err("integer overflow"))?)
                }
                other => other,
            },
            ExprKind::In(x, set, negated) => {
                let v = self.ev(x)?;
                if !v.is_known() {
                    return Ok(v);
                }
                Bool(set.contains(&v) != *negated)
            }
            ExprKind::If(c, a, b) => match self.ev(c)? {
                Bool(true) => self.ev(a)?,
                Bool(false) => self.ev(b)?,
                Unknown => {
                    let (x, y) = (self.ev(a)?, self.ev(b)?);
                    if x == y && x.is_known() {
                        x
                    } else {
                        Unknown
                    }
                }
                _ => Absent,
            },
            ExprKind::Days(n) => match self.ev(n)? {
                Int(n) => Days(n),
                other => other,
            },
            ExprKind::Months(n, factor, r) => match self.ev(n)? {
                Int(n) => Months(
                    n.checked_mul(*factor)
                        .ok_or_else(|| err("integer overflow"))?,
                    *r,
                ),
                other => other,
            },
            // Every argument first, in order, then the inlined body.
            ExprKind::Call(_, args, body) => {
                for a in args {
                    self.ev(a)?;
                }
                self.ev(body)?
            }
        })
    }

    /// The unknown facts below an unknown expression that could decide it.
    fn gather(&self, e: &Expr, acc: &mut Vec<u32>) -> Result<(), RefError> {
        if self.ev(e)? != Value::Unknown {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Fact(f) => acc.push(*f),
            ExprKind::Outcome(o) => {
                if let Some(r) = &self.done[*o as usize] {
                    acc.extend(r.missing.iter().copied());
                }
            }
            ExprKind::Not(x)
            | ExprKind::Neg(x)
            | ExprKind::In(x, _, _)
            | ExprKind::Days(x)
            | ExprKind::Months(x, _, _)
            | ExprKind::Round(x, _) => self.gather(x, acc)?,
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b) => {
                self.gather(a, acc)?;
                self.gather(b, acc)?;
            }
            ExprKind::If(c, a, b) => match self.ev(c)? {
                Value::Bool(true) => self.gather(a, acc)?,
                Value::Bool(false) => self.gather(b, acc)?,
                _ => {
                    self.gather(c, acc)?;
                    self.gather(a, acc)?;
                    self.gather(b, acc)?;
                }
            },
            ExprKind::Call(_, args, body) => {
                for a in args {
                    self.gather(a, acc)?;
                }
                self.gather(body, acc)?;
            }
            ExprKind::Const(_)
            | ExprKind::Param(_)
            | ExprKind::Group(_)
            | ExprKind::AsOf
            | ExprKind::Local(_) => {}
        }
        Ok(())
    }

    /// The in-force defeaters of a rule among the rules of its outcome.
    fn defeaters(&self, r: RuleId, rules: &[RuleId]) -> Vec<RuleId> {
        self.p.rules[r as usize]
            .defeaters
            .iter()
            .copied()
            .filter(|d| rules.contains(d) && self.active(*d))
            .collect()
    }

    fn outcome(&mut self, o: OutcomeId) -> Result<RefOutcome, RefError> {
        let p = self.p;
        let out = &p.outcomes[o as usize];
        let rules = out.rules.clone();
        // Applicability of each rule, then its effect after exceptions.
        for &r in &rules {
            let rule = &p.rules[r as usize];
            self.applies[r as usize] = if !self.active(r) {
                Tri::No
            } else {
                match &rule.when {
                    None => Tri::Yes,
                    Some(c) => match self.ev(c)? {
                        Value::Bool(true) => Tri::Yes,
                        Value::Unknown => Tri::Maybe,
                        _ => Tri::No,
                    },
                }
            };
        }
        for &r in &rules {
            let ds = self.defeaters(r, &rules);
            let a = self.applies[r as usize];
            self.effective[r as usize] =
                if a == Tri::No || ds.iter().any(|d| self.applies[*d as usize] == Tri::Yes) {
                    Tri::No
                } else if ds.iter().any(|d| self.applies[*d as usize] == Tri::Maybe) {
                    Tri::Maybe
                } else {
                    a
                };
        }
        let live: Vec<RuleId> = rules
            .iter()
            .copied()
            .filter(|r| self.effective[*r as usize] != Tri::No)
            .collect();
        let mut values = Vec::new();
        for &r in &live {
            values.push((r, self.ev(&p.rules[r as usize].value)?));
        }
        let yes: Vec<&(RuleId, Value)> = values
            .iter()
            .filter(|(r, _)| self.effective[*r as usize] == Tri::Yes)
            .collect();
        let maybe: Vec<&(RuleId, Value)> = values
            .iter()
            .filter(|(r, _)| self.effective[*r as usize] == Tri::Maybe)
            .collect();
        // A definite value is known or n/a: a rule in effect whose value is
        // n/a concludes n/a, and n/a differs from every known value.
        let definite = |v: &Value| *v != Value::Unknown;
        let all_definite_equal = |vs: &[&(RuleId, Value)]| -> Option<Value> {
            let first = vs.first()?.1.clone();
            (definite(&first) && vs.iter().all(|(_, v)| *v == first)).then_some(first)
        };
        let conflict = yes.iter().enumerate().any(|(i, (_, a))| {
            yes.iter()
                .skip(i + 1)
                .any(|(_, b)| definite(a) && definite(b) && a != b)
        });
        // The default decides only while its line of documents is in force.
        let default = out
            .default
            .as_ref()
            .filter(|_| self.p.default_applies(&self.epoch.roots, out));
        // (value, deciding rule, decided by the default)
        let (value, decided_by, by_default): (Value, Option<RuleId>, bool) = if live.is_empty() {
            match default {
                Some(d) => (self.ev(d)?, None, true),
                None => (Value::Absent, None, false),
            }
        } else if conflict {
            (Value::Unknown, None, false)
        } else if !yes.is_empty() && maybe.is_empty() {
            let all_definite = yes.iter().all(|(_, v)| definite(v));
            match yes.first() {
                Some((r, v)) if all_definite => (v.clone(), Some(*r), false),
                _ => (Value::Unknown, None, false),
            }
        } else if !yes.is_empty() {
            let all: Vec<&(RuleId, Value)> = yes.iter().chain(maybe.iter()).copied().collect();
            match all_definite_equal(&all) {
                Some(v) => (v, yes.first().map(|x| x.0), false),
                None => (Value::Unknown, None, false),
            }
        } else {
            match all_definite_equal(&maybe) {
                Some(v) => {
                    // Whether or not the undetermined rules apply, v holds:
                    // some rule surely applies, or the default (n/a without
                    // one) is v too.
                    let some_yes = rules.iter().any(|r| self.applies[*r as usize] == Tri::Yes);
                    let holds = some_yes
                        || match default {
                            Some(d) => self.ev(d)? == v,
                            None => v == Value::Absent,
                        };
                    if holds {
                        (v, maybe.first().map(|x| x.0), false)
                    } else {
                        (Value::Unknown, None, false)
                    }
                }
                None => (Value::Unknown, None, false),
            }
        };
        let mut res = RefOutcome {
            value,
            conflict,
            missing: Vec::new(),
            blocked_by: Vec::new(),
            cites: Vec::new(),
            document: None,
        };
        if res.value == Value::Unknown && !conflict {
            let mut acc = Vec::new();
            for &r in &live {
                let rule = &p.rules[r as usize];
                if let Some(c) = &rule.when {
                    self.gather(c, &mut acc)?;
                }
                self.gather(&rule.value, &mut acc)?;
                for d in self.defeaters(r, &rules) {
                    if let Some(c) = &p.rules[d as usize].when {
                        self.gather(c, &mut acc)?;
                    }
                }
            }
            acc.sort_by_key(|f| p.fact_rank[*f as usize]);
            acc.dedup();
            res.missing = acc;
            let mut blocked = Vec::new();
            self.blocked(&live, &mut blocked, 0);
            blocked.sort_unstable();
            blocked.dedup();
            res.blocked_by = blocked;
        }
        if res.value.is_known() {
            let deciding: Vec<RuleId> = if !yes.is_empty() {
                yes.iter().map(|x| x.0).collect()
            } else {
                decided_by.into_iter().collect()
            };
            res.document = match deciding.first() {
                Some(r) => Some(self.epoch.rule_document[*r as usize]),
                None if by_default => {
                    self.p
                        .default_document(&self.epoch.roots, out, self.epoch.in_force)
                }
                None => None,
            };
            let mut cites = Vec::new();
            for r in &deciding {
                let k = p.rules[*r as usize].cites.key();
                if !cites.contains(&k) {
                    cites.push(k);
                }
            }
            for r in &deciding {
                for x in &p.rules[*r as usize].reads_outcomes {
                    if let Some(xr) = &self.done[*x as usize] {
                        if xr.value.is_known() {
                            for k in &xr.cites {
                                if !cites.contains(k) {
                                    cites.push(k.clone());
                                }
                            }
                        }
                    }
                }
            }
            res.cites = cites;
        }
        Ok(res)
    }

    /// The outcomes in conflict read by these rules, directly or through
    /// unknown outcomes (via their rules in effect).
    fn blocked(&self, rules: &[RuleId], acc: &mut Vec<OutcomeId>, depth: usize) {
        if depth > self.p.outcomes.len() {
            return;
        }
        for r in rules {
            for x in &self.p.rules[*r as usize].reads_outcomes {
                let Some(xr) = &self.done[*x as usize] else {
                    continue;
                };
                if xr.conflict {
                    acc.push(*x);
                } else if xr.value == Value::Unknown {
                    // Through an unknown outcome: its own blocked_by.
                    acc.extend(xr.blocked_by.iter().copied());
                }
            }
        }
    }
}

fn unknown_over_absent(a: &Value, b: &Value) -> Value {
    if *a == Value::Unknown || *b == Value::Unknown {
        Value::Unknown
    } else if *a == Value::Absent || *b == Value::Absent {
        Value::Absent
    } else {
        Value::Unknown
    }
}

fn shift_days(d: NaiveDate, n: i64) -> Result<NaiveDate, RefError> {
    let r = if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    };
    r.ok_or_else(|| err("date out of range"))
}

/// A date moved by whole months: the same day of the month, or, when that
/// month is shorter, its last day (round down) or the first day of the next
/// month (round up).
fn shift_months(d: NaiveDate, n: i64, r: Rounding) -> Result<NaiveDate, RefError> {
    let m = u32::try_from(n.unsigned_abs()).map_err(|_| err("date out of range"))?;
    let moved = if n >= 0 {
        d.checked_add_months(Months::new(m))
    } else {
        d.checked_sub_months(Months::new(m))
    }
    .ok_or_else(|| err("date out of range"))?;
    if r == Rounding::Up && moved.day() != d.day() {
        return moved
            .checked_add_days(Days::new(1))
            .ok_or_else(|| err("date out of range"));
    }
    Ok(moved)
}

/// A number as a fraction (numerator, denominator > 0), not reduced.
fn fraction(v: &Value) -> Option<(i128, i128)> {
    match v {
        Value::Int(n) => Some((i128::from(*n), 1)),
        Value::Decimal(d) => Some((i128::from(d.num), i128::from(d.den))),
        _ => None,
    }
}

/// Exact arithmetic on fractions, by the schoolbook rules; the result is
/// reduced only to be stored.
fn fraction_arith(
    op: ArithOp,
    (a, b): (i128, i128),
    (c, d): (i128, i128),
) -> Result<Value, RefError> {
    let overflow = || err("integer overflow");
    let (n, m) = match op {
        ArithOp::Add => (
            a.checked_mul(d)
                .and_then(|x| c.checked_mul(b).and_then(|y| x.checked_add(y))),
            b.checked_mul(d),
        ),
        ArithOp::Sub => (
            a.checked_mul(d)
                .and_then(|x| c.checked_mul(b).and_then(|y| x.checked_sub(y))),
            b.checked_mul(d),
        ),
        ArithOp::Mul => (a.checked_mul(c), b.checked_mul(d)),
        ArithOp::Div => {
            if c == 0 {
                return Err(err("division by zero"));
            }
            (a.checked_mul(d), b.checked_mul(c))
        }
    };
    let (n, m) = (n.ok_or_else(overflow)?, m.ok_or_else(overflow)?);
    crate::program::Dec::new(n, m)
        .map(Value::Decimal)
        .ok_or_else(overflow)
}

fn arith(op: ArithOp, x: Value, y: Value) -> Result<Value, RefError> {
    use Value::*;
    let overflow = || err("integer overflow");
    if op == ArithOp::Div || matches!(x, Decimal(_)) || matches!(y, Decimal(_)) {
        if let (Some(a), Some(b)) = (fraction(&x), fraction(&y)) {
            return fraction_arith(op, a, b);
        }
    }
    Ok(match (op, x, y) {
        (ArithOp::Add, Int(a), Int(b)) => Int(a.checked_add(b).ok_or_else(overflow)?),
        (ArithOp::Sub, Int(a), Int(b)) => Int(a.checked_sub(b).ok_or_else(overflow)?),
        (ArithOp::Mul, Int(a), Int(b)) => Int(a.checked_mul(b).ok_or_else(overflow)?),
        (ArithOp::Sub, Date(a), Date(b)) => Int((a - b).num_days()),
        (ArithOp::Add, Date(d), Days(n)) | (ArithOp::Add, Days(n), Date(d)) => {
            Date(shift_days(d, n)?)
        }
        (ArithOp::Sub, Date(d), Days(n)) => {
            Date(shift_days(d, n.checked_neg().ok_or_else(overflow)?)?)
        }
        (ArithOp::Add, Date(d), Months(n, r)) | (ArithOp::Add, Months(n, r), Date(d)) => {
            Date(shift_months(d, n, r)?)
        }
        (ArithOp::Sub, Date(d), Months(n, r)) => {
            Date(shift_months(d, n.checked_neg().ok_or_else(overflow)?, r)?)
        }
        (op, x, y) => return Err(format!("ill-typed arithmetic {op:?} {x:?} {y:?}")),
    })
}
