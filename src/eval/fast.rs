//! The evaluating pass over compact values.
//!
//! [`Workspace::evaluate`](super::Workspace::evaluate) decides every outcome
//! of a case here. Values are 16-byte `Copy` words ([`V`]) returned in
//! registers; the unknown facts below each value travel as a bit mask in an
//! out-parameter; an evaluation error is recorded on the side, and the first
//! one is the result, as if evaluation had stopped there. The semantics are
//! those of [`eval`](super::eval), which derivations trace: a test compares
//! the two on every sub-expression of random cases.
use super::{add_days, add_months, may_decide, EvalError, Masks, Tri};
use crate::program::*;
use crate::syntax::ast::Rounding;
use chrono::{Datelike, NaiveDate};
use std::sync::Arc;

/// What a compact value holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Tag {
    Unknown,
    Absent,
    Bool,
    Int,
    /// Days since 0001-01-01 (chrono's day number).
    Date,
    /// A text: a fact slot below the number of facts, else an index into
    /// the run's other texts after them.
    Text,
    /// Enum type in the high 32 bits, variant in the low.
    Enum,
    /// A record-typed fact group, by its first slot.
    Record,
    Days,
    MonthsDown,
    MonthsUp,
}

/// A compact value.
#[derive(Clone, Copy, Debug)]
pub(super) struct V {
    pub tag: Tag,
    pub x: i64,
}

pub(super) const UNKNOWN: V = V {
    tag: Tag::Unknown,
    x: 0,
};
pub(super) const ABSENT: V = V {
    tag: Tag::Absent,
    x: 0,
};

fn bool_v(b: bool) -> V {
    V {
        tag: Tag::Bool,
        x: i64::from(b),
    }
}

fn is_bool(v: V, b: bool) -> bool {
    v.tag == Tag::Bool && (v.x != 0) == b
}

fn is_known(v: V) -> bool {
    !matches!(v.tag, Tag::Unknown | Tag::Absent)
}

fn date_v(d: NaiveDate) -> V {
    V {
        tag: Tag::Date,
        x: i64::from(d.num_days_from_ce()),
    }
}

fn date_of(x: i64) -> Option<NaiveDate> {
    i32::try_from(x)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn tri_of(v: V) -> Tri {
    match v.tag {
        Tag::Bool if v.x != 0 => Tri::Yes,
        Tag::Unknown => Tri::Maybe,
        _ => Tri::No,
    }
}

/// Unknown beats n/a, as in [`super::and`].
fn unknown_or_absent(a: V, b: V) -> Option<V> {
    if a.tag == Tag::Unknown || b.tag == Tag::Unknown {
        Some(UNKNOWN)
    } else if a.tag == Tag::Absent || b.tag == Tag::Absent {
        Some(ABSENT)
    } else {
        None
    }
}

fn and(a: V, b: V) -> V {
    if is_bool(a, false) || is_bool(b, false) {
        bool_v(false)
    } else if is_bool(a, true) && is_bool(b, true) {
        bool_v(true)
    } else {
        unknown_or_absent(a, b).unwrap_or(UNKNOWN)
    }
}

fn or(a: V, b: V) -> V {
    if is_bool(a, true) || is_bool(b, true) {
        bool_v(true)
    } else if is_bool(a, false) && is_bool(b, false) {
        bool_v(false)
    } else {
        unknown_or_absent(a, b).unwrap_or(UNKNOWN)
    }
}

/// How an outcome was decided, in compact form.
#[derive(Clone, Copy, Debug)]
pub(super) struct Decision {
    pub v: V,
    pub decided_by: Option<RuleId>,
    pub conflict: bool,
    pub by_default: bool,
}

/// The buffers one evaluation of a case works in.
#[derive(Clone, Debug, Default)]
pub(super) struct FastState {
    /// Per outcome slot: its value so far.
    pub vals: Vec<V>,
    /// Texts that are not facts (constants, parameters), for this case.
    pub texts: Vec<Arc<str>>,
}

/// One evaluation of a case.
pub(super) struct Run<'a> {
    pub p: &'a Program,
    pub facts: &'a [Value],
    pub params: &'a [Value],
    pub as_of: NaiveDate,
    pub active: &'a [bool],
    pub st: &'a mut FastState,
    pub masks: Option<&'a mut Masks>,
    pub applies: &'a mut [Tri],
    pub effective: &'a mut [Tri],
    /// The first evaluation error.
    pub err: Option<EvalError>,
}

impl Run<'_> {
    fn fail(&mut self, message: &str, e: &Expr) -> V {
        if self.err.is_none() {
            self.err = Some(EvalError {
                message: message.to_string(),
                span: e.span,
            });
        }
        UNKNOWN
    }

    /// A value of the program or the case in compact form.
    fn load(&mut self, v: &Value, fact: Option<FactId>) -> V {
        match v {
            Value::Unknown => UNKNOWN,
            Value::Absent => ABSENT,
            Value::Bool(b) => bool_v(*b),
            Value::Int(n) => V {
                tag: Tag::Int,
                x: *n,
            },
            Value::Date(d) => date_v(*d),
            Value::Text(t) => {
                let x = match fact {
                    Some(f) => i64::from(f),
                    None => {
                        self.st.texts.push(t.clone());
                        i64::try_from(self.p.facts.len() + self.st.texts.len() - 1)
                            .unwrap_or(i64::MAX)
                    }
                };
                V { tag: Tag::Text, x }
            }
            Value::Enum(t, i) => V {
                tag: Tag::Enum,
                x: (i64::from(*t) << 32) | i64::from(*i),
            },
            Value::Record(f) => V {
                tag: Tag::Record,
                x: i64::from(*f),
            },
            Value::Days(n) => V {
                tag: Tag::Days,
                x: *n,
            },
            Value::Months(n, r) => V {
                tag: match r {
                    Rounding::Down => Tag::MonthsDown,
                    Rounding::Up => Tag::MonthsUp,
                },
                x: *n,
            },
        }
    }

    fn text(&self, x: i64) -> Option<&Arc<str>> {
        let i = usize::try_from(x).ok()?;
        match i.checked_sub(self.p.facts.len()) {
            None => match self.facts.get(i) {
                Some(Value::Text(t)) => Some(t),
                _ => None,
            },
            Some(j) => self.st.texts.get(j),
        }
    }

    /// The value in the form reports read.
    pub fn value(&self, v: V) -> Value {
        let low = |x: i64| u32::try_from(x & 0xffff_ffff).unwrap_or(0);
        match v.tag {
            Tag::Unknown => Value::Unknown,
            Tag::Absent => Value::Absent,
            Tag::Bool => Value::Bool(v.x != 0),
            Tag::Int => Value::Int(v.x),
            Tag::Date => date_of(v.x).map_or(Value::Unknown, Value::Date),
            Tag::Text => self
                .text(v.x)
                .map_or(Value::Unknown, |t| Value::Text(t.clone())),
            Tag::Enum => Value::Enum(low(v.x >> 32), low(v.x)),
            Tag::Record => Value::Record(low(v.x)),
            Tag::Days => Value::Days(v.x),
            Tag::MonthsDown => Value::Months(v.x, Rounding::Down),
            Tag::MonthsUp => Value::Months(v.x, Rounding::Up),
        }
    }

    /// Equality of two values, as `Value`'s.
    fn same(&self, a: V, b: V) -> bool {
        if a.tag != b.tag {
            return false;
        }
        if a.tag == Tag::Text {
            return match (self.text(a.x), self.text(b.x)) {
                (Some(s), Some(t)) => s == t,
                _ => false,
            };
        }
        a.x == b.x
    }

    /// Equality with a constant of the program.
    fn same_as(&self, v: V, c: &Value) -> bool {
        match c {
            Value::Text(t) => v.tag == Tag::Text && self.text(v.x).is_some_and(|s| s == t),
            Value::Unknown => v.tag == Tag::Unknown,
            Value::Absent => v.tag == Tag::Absent,
            Value::Bool(b) => is_bool(v, *b),
            Value::Int(n) => v.tag == Tag::Int && v.x == *n,
            Value::Date(d) => v.tag == Tag::Date && v.x == i64::from(d.num_days_from_ce()),
            Value::Enum(t, i) => v.tag == Tag::Enum && v.x == (i64::from(*t) << 32) | i64::from(*i),
            Value::Record(f) => v.tag == Tag::Record && v.x == i64::from(*f),
            Value::Days(n) => v.tag == Tag::Days && v.x == *n,
            Value::Months(n, r) => {
                let tag = match r {
                    Rounding::Down => Tag::MonthsDown,
                    Rounding::Up => Tag::MonthsUp,
                };
                v.tag == tag && v.x == *n
            }
        }
    }

    fn compare(&self, op: CmpOp, a: V, b: V) -> V {
        if let Some(v) = unknown_or_absent(a, b) {
            return v;
        }
        let order = match (a.tag, b.tag) {
            (Tag::Int, Tag::Int) | (Tag::Date, Tag::Date) => Some(a.x.cmp(&b.x)),
            _ => None,
        };
        use std::cmp::Ordering::*;
        bool_v(match op {
            CmpOp::Eq => self.same(a, b),
            CmpOp::Ne => !self.same(a, b),
            CmpOp::Lt => order == Some(Less),
            CmpOp::Le => matches!(order, Some(Less | Equal)),
            CmpOp::Gt => order == Some(Greater),
            CmpOp::Ge => matches!(order, Some(Greater | Equal)),
        })
    }

    fn arith(&mut self, op: ArithOp, a: V, b: V, e: &Expr) -> V {
        if let Some(v) = unknown_or_absent(a, b) {
            return v;
        }
        let int = |r: Option<i64>| r.map(|x| V { tag: Tag::Int, x });
        let shift_days = |d: i64, n: Option<i64>| -> Result<V, &'static str> {
            let n = n.ok_or("integer overflow")?;
            let d = date_of(d).ok_or("date out of range")?;
            add_days(d, n).map(date_v).ok_or("date out of range")
        };
        let shift_months = |d: i64, n: Option<i64>, r: Rounding| -> Result<V, &'static str> {
            let n = n.ok_or("integer overflow")?;
            let d = date_of(d).ok_or("date out of range")?;
            add_months(d, n, r).map(date_v).ok_or("date out of range")
        };
        let rounding = |t: Tag| {
            if t == Tag::MonthsUp {
                Rounding::Up
            } else {
                Rounding::Down
            }
        };
        let months = |t: Tag| matches!(t, Tag::MonthsDown | Tag::MonthsUp);
        let r: Result<V, &'static str> = match (op, a.tag, b.tag) {
            (ArithOp::Add, Tag::Int, Tag::Int) => {
                int(a.x.checked_add(b.x)).ok_or("integer overflow")
            }
            (ArithOp::Sub, Tag::Int, Tag::Int) => {
                int(a.x.checked_sub(b.x)).ok_or("integer overflow")
            }
            (ArithOp::Mul, Tag::Int, Tag::Int) => {
                int(a.x.checked_mul(b.x)).ok_or("integer overflow")
            }
            (ArithOp::Sub, Tag::Date, Tag::Date) => Ok(V {
                tag: Tag::Int,
                x: a.x - b.x,
            }),
            (ArithOp::Add, Tag::Date, Tag::Days) => shift_days(a.x, Some(b.x)),
            (ArithOp::Add, Tag::Days, Tag::Date) => shift_days(b.x, Some(a.x)),
            (ArithOp::Sub, Tag::Date, Tag::Days) => shift_days(a.x, b.x.checked_neg()),
            (ArithOp::Add, Tag::Date, t) if months(t) => shift_months(a.x, Some(b.x), rounding(t)),
            (ArithOp::Add, t, Tag::Date) if months(t) => shift_months(b.x, Some(a.x), rounding(t)),
            (ArithOp::Sub, Tag::Date, t) if months(t) => {
                shift_months(a.x, b.x.checked_neg(), rounding(t))
            }
            _ => Ok(UNKNOWN),
        };
        match r {
            Ok(v) => v,
            Err(message) => self.fail(message, e),
        }
    }

    /// Evaluates an expression; `m` receives the unknown facts below it that
    /// could change its value (0 when it is known), as
    /// [`collect`](super::collect) gathers them.
    pub fn ev(&mut self, e: &Expr, m: &mut u64) -> V {
        let v = self.ev_raw(e, m);
        if v.tag != Tag::Unknown {
            *m = 0;
        }
        v
    }

    fn ev_raw(&mut self, e: &Expr, m: &mut u64) -> V {
        *m = 0;
        match &e.kind {
            ExprKind::Const(v) => self.load(v, None),
            ExprKind::Fact(f) => match self.facts.get(*f as usize) {
                Some(Value::Unknown) | None => {
                    *m = if *f < 64 { 1u64 << f } else { 0 };
                    UNKNOWN
                }
                Some(v) => self.load(v, Some(*f)),
            },
            ExprKind::Outcome(o) => {
                let v = self.st.vals.get(*o as usize).copied().unwrap_or(UNKNOWN);
                if v.tag == Tag::Unknown {
                    *m = self
                        .masks
                        .as_ref()
                        .and_then(|k| k.outcome.get(*o as usize).copied())
                        .unwrap_or(0);
                }
                v
            }
            ExprKind::Param(x) => match self.params.get(*x as usize) {
                Some(v) => self.load(v, None),
                None => UNKNOWN,
            },
            ExprKind::Group(g) => self.p.groups.get(*g as usize).map_or(UNKNOWN, |x| V {
                tag: Tag::Record,
                x: i64::from(x.first),
            }),
            ExprKind::AsOf => date_v(self.as_of),
            ExprKind::Local(_) => UNKNOWN,
            ExprKind::Not(x) => {
                let v = self.ev(x, m);
                if v.tag == Tag::Bool {
                    bool_v(v.x == 0)
                } else {
                    v
                }
            }
            ExprKind::Neg(x) => {
                let v = self.ev(x, m);
                if v.tag == Tag::Int {
                    match v.x.checked_neg() {
                        Some(n) => V {
                            tag: Tag::Int,
                            x: n,
                        },
                        None => self.fail("integer overflow", e),
                    }
                } else {
                    v
                }
            }
            ExprKind::In(x, set, negated) => {
                let v = self.ev(x, m);
                if is_known(v) {
                    bool_v(set.iter().any(|c| self.same_as(v, c)) != *negated)
                } else {
                    v
                }
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let mut mx = 0;
                let x = self.ev(a, &mut mx);
                if is_bool(x, !is_and) {
                    return x;
                }
                let mut my = 0;
                let y = self.ev(b, &mut my);
                *m = mx | my;
                if is_and {
                    and(x, y)
                } else {
                    or(x, y)
                }
            }
            ExprKind::Cmp(op, a, b) => {
                let (mut mx, mut my) = (0, 0);
                let x = self.ev(a, &mut mx);
                let y = self.ev(b, &mut my);
                *m = mx | my;
                self.compare(*op, x, y)
            }
            ExprKind::Arith(op, a, b) => {
                let (mut mx, mut my) = (0, 0);
                let x = self.ev(a, &mut mx);
                let y = self.ev(b, &mut my);
                *m = mx | my;
                self.arith(*op, x, y, e)
            }
            ExprKind::If(c, a, b) => {
                let mut mc = 0;
                let cv = self.ev(c, &mut mc);
                match cv.tag {
                    Tag::Bool if cv.x != 0 => self.ev(a, m),
                    Tag::Bool => self.ev(b, m),
                    Tag::Unknown => {
                        let (mut mx, mut my) = (0, 0);
                        let x = self.ev(a, &mut mx);
                        let y = self.ev(b, &mut my);
                        if is_known(x) && self.same(x, y) {
                            x
                        } else {
                            *m = mc | mx | my;
                            UNKNOWN
                        }
                    }
                    _ => cv,
                }
            }
            // `n days` and `n months` are leaves of a derivation: the facts
            // under them are not gathered.
            ExprKind::Days(n) => {
                let v = self.ev(n, &mut 0);
                if v.tag == Tag::Int {
                    V {
                        tag: Tag::Days,
                        x: v.x,
                    }
                } else {
                    v
                }
            }
            ExprKind::Months(n, factor, r) => {
                let v = self.ev(n, &mut 0);
                if v.tag == Tag::Int {
                    match v.x.checked_mul(*factor) {
                        Some(x) => V {
                            tag: match r {
                                Rounding::Down => Tag::MonthsDown,
                                Rounding::Up => Tag::MonthsUp,
                            },
                            x,
                        },
                        None => self.fail("integer overflow", e),
                    }
                } else {
                    v
                }
            }
            ExprKind::Call(_, args, body) => {
                let v = self.ev(body, m);
                if v.tag == Tag::Unknown {
                    for a in args {
                        let mut ma = 0;
                        self.ev(a, &mut ma);
                        *m |= ma;
                    }
                }
                v
            }
        }
    }

    fn rule_active(&self, r: RuleId) -> bool {
        self.active.get(r as usize).copied().unwrap_or(false)
    }

    fn applies_of(&self, r: RuleId) -> Tri {
        self.applies.get(r as usize).copied().unwrap_or(Tri::No)
    }

    /// A rule's value, noting the unknown facts under it.
    fn rule_value(&mut self, r: RuleId, rule: &Rule) -> V {
        let mut mask = 0;
        let v = self.ev(&rule.value, &mut mask);
        if let Some(k) = self.masks.as_deref_mut() {
            k.set_value(r, mask);
        }
        v
    }

    fn fallback(&mut self, out: &Outcome) -> V {
        match &out.default {
            Some(d) => self.ev(d, &mut 0),
            None => ABSENT,
        }
    }

    /// Decides one outcome: the rules' applicability, the exceptions, and
    /// the combination of the values of the rules in effect.
    pub fn decide(&mut self, out: &Outcome) -> Decision {
        let p = self.p;
        for &r in &out.rules {
            let Some(rule) = p.rules.get(r as usize) else {
                continue;
            };
            let a = if !self.rule_active(r) {
                Tri::No
            } else {
                match &rule.when {
                    None => Tri::Yes,
                    Some(c) => {
                        let mut mask = 0;
                        let v = self.ev(c, &mut mask);
                        if let Some(slot) = self
                            .masks
                            .as_deref_mut()
                            .and_then(|k| k.cond.get_mut(r as usize))
                        {
                            *slot = mask;
                        }
                        tri_of(v)
                    }
                }
            };
            if let Some(slot) = self.applies.get_mut(r as usize) {
                *slot = a;
            }
        }
        // A rule is in effect when it applies and none of its exceptions does.
        for &r in &out.rules {
            let Some(rule) = p.rules.get(r as usize) else {
                continue;
            };
            let mut eff = self.applies_of(r);
            if eff != Tri::No {
                for d in &rule.defeaters {
                    match self.applies_of(*d) {
                        Tri::Yes => {
                            eff = Tri::No;
                            break;
                        }
                        Tri::Maybe => eff = Tri::Maybe,
                        Tri::No => {}
                    }
                }
            }
            if let Some(slot) = self.effective.get_mut(r as usize) {
                *slot = eff;
            }
        }
        // When some rule surely applies, some rule is in effect whichever way
        // the undetermined exceptions go: the default is then unreachable.
        let some_rule_applies = out.rules.iter().any(|r| self.applies_of(*r) == Tri::Yes);
        self.combine(out, some_rule_applies)
    }

    fn combine(&mut self, out: &Outcome, some_rule_applies: bool) -> Decision {
        let p = self.p;
        let result = |v: V, decided_by, conflict, by_default| Decision {
            v,
            decided_by,
            conflict,
            by_default,
        };
        let eff_of = |s: &Self, r: RuleId| s.effective.get(r as usize).copied().unwrap_or(Tri::No);
        // One rule: the general combination below without its bookkeeping.
        if let [r] = out.rules.as_slice() {
            let r = *r;
            let eff = eff_of(self, r);
            let Some(rule) = p.rules.get(r as usize).filter(|_| eff != Tri::No) else {
                let v = self.fallback(out);
                return result(v, None, false, out.default.is_some());
            };
            let v = self.rule_value(r, rule);
            return match (eff, v.tag) {
                (_, Tag::Unknown) => result(UNKNOWN, None, false, false),
                (Tri::Yes, _) => result(v, Some(r), false, false),
                _ => {
                    let f = self.fallback(out);
                    if self.same(f, v) {
                        result(v, Some(r), false, false)
                    } else {
                        result(UNKNOWN, None, false, false)
                    }
                }
            };
        }
        let mut first_yes: Option<(RuleId, V)> = None;
        let mut first_maybe: Option<RuleId> = None;
        // The value every rule that applies or may apply concludes, while they agree.
        let mut common: Option<V> = None;
        let mut agree = true;
        let mut yes_unknown = false;
        let mut conflict = false;
        for &r in &out.rules {
            let eff = eff_of(self, r);
            if eff == Tri::No {
                continue;
            }
            let Some(rule) = p.rules.get(r as usize) else {
                continue;
            };
            let v = self.rule_value(r, rule);
            if v.tag == Tag::Unknown {
                agree = false;
            }
            match common {
                None => common = Some(v),
                Some(c) if !self.same(c, v) => agree = false,
                Some(_) => {}
            }
            if eff == Tri::Yes {
                match first_yes {
                    None => {
                        yes_unknown |= v.tag == Tag::Unknown;
                        first_yes = Some((r, v));
                    }
                    Some((_, w)) => {
                        if v.tag == Tag::Unknown {
                            yes_unknown = true;
                        } else if w.tag != Tag::Unknown && !self.same(w, v) {
                            conflict = true;
                        }
                    }
                }
            } else if first_maybe.is_none() {
                first_maybe = Some(r);
            }
        }
        if conflict {
            return result(UNKNOWN, None, true, false);
        }
        match (first_yes, first_maybe) {
            (None, None) => {
                let v = self.fallback(out);
                result(v, None, false, out.default.is_some())
            }
            (Some((r, v)), None) if !yes_unknown => result(v, Some(r), false, false),
            (Some((r, _)), Some(_)) if agree => {
                result(common.unwrap_or(UNKNOWN), Some(r), false, false)
            }
            (None, Some(first)) if agree => {
                let v = common.unwrap_or(UNKNOWN);
                let decided = v.tag != Tag::Unknown
                    && (some_rule_applies || {
                        let f = self.fallback(out);
                        self.same(f, v)
                    });
                if decided {
                    result(v, Some(first), false, false)
                } else {
                    result(UNKNOWN, None, false, false)
                }
            }
            _ => result(UNKNOWN, None, false, false),
        }
    }

    /// The missing facts of an unknown outcome from the masks of its rules,
    /// by the same selection of rules as [`super::Workspace::missing`].
    pub fn outcome_mask(&mut self, out: &Outcome) -> u64 {
        let p = self.p;
        let mut acc = 0u64;
        for &r in &out.rules {
            let Some(rule) = p.rules.get(r as usize) else {
                continue;
            };
            let eff = self.effective.get(r as usize).copied().unwrap_or(Tri::No);
            let applies = |x: RuleId| self.applies.get(x as usize).copied().unwrap_or(Tri::No);
            if !may_decide(r, rule, out, self.rule_active(r), eff, applies) {
                continue;
            }
            let Some(k) = self.masks.as_deref() else {
                return 0;
            };
            let cond = |x: RuleId| {
                if applies(x) == Tri::Maybe {
                    k.cond.get(x as usize).copied().unwrap_or(0)
                } else {
                    0
                }
            };
            acc |= cond(r);
            for d in &rule.defeaters {
                if out.rules.contains(d) && self.rule_active(*d) {
                    acc |= cond(*d);
                }
            }
            let done = k.value_done.get(r as usize).copied().unwrap_or(false);
            if !done {
                self.rule_value(r, rule);
            }
            acc |= self
                .masks
                .as_deref()
                .and_then(|k| k.value.get(r as usize).copied())
                .unwrap_or(0);
        }
        acc
    }
}
