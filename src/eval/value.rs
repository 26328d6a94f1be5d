//! Compact values and the operations of the language on them.
//!
//! A value during evaluation is a 16-byte `Copy` word ([`V`]): a tag and an
//! integer. Texts are indices into the evaluation's text table (the case's
//! fact slots first, then the texts of constants and parameters met), so
//! that no value owns memory. Decimals are exact rationals ([`Dec`]), kept
//! likewise in the evaluation's table of decimals; their arithmetic is
//! checked (an overflow or a division by zero is an error, never a wrong
//! value), and an integer is made of one only by an explicit rounding. [`super::machine`] is the only evaluator; this
//! module holds the meaning of each operator on values, written once.
use crate::program::{ArithOp, CmpOp, Dec, FactId, Program, Value};
use crate::syntax::ast::Rounding;
use chrono::{Datelike, Days, Months, NaiveDate};
use std::cmp::Ordering;
use std::sync::Arc;

/// What a compact value holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Tag {
    Unknown,
    Absent,
    Bool,
    Int,
    /// Days since 0001-01-01 (chrono's day number).
    Date,
    /// A text: an index into [`Texts`].
    Text,
    /// Enum type in the high 32 bits, variant in the low.
    Enum,
    /// A record-typed fact group, by its first slot.
    Record,
    Days,
    MonthsDown,
    MonthsUp,
    /// An exact decimal: an index into [`Texts::decs`].
    Dec,
}

/// A compact value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct V {
    pub tag: Tag,
    pub x: i64,
}

pub(crate) const UNKNOWN: V = V {
    tag: Tag::Unknown,
    x: 0,
};
pub(crate) const ABSENT: V = V {
    tag: Tag::Absent,
    x: 0,
};

pub(crate) use super::Fault;
pub(crate) const OVERFLOW: Fault = Fault::Overflow;
pub(crate) const DATE_RANGE: Fault = Fault::DateOutOfRange;
pub(crate) const DIVISION_BY_ZERO: Fault = Fault::DivisionByZero;

impl V {
    pub fn bool(b: bool) -> V {
        V {
            tag: Tag::Bool,
            x: i64::from(b),
        }
    }
    pub fn int(x: i64) -> V {
        V { tag: Tag::Int, x }
    }
    pub fn date(d: NaiveDate) -> V {
        V {
            tag: Tag::Date,
            x: i64::from(d.num_days_from_ce()),
        }
    }
    pub fn is(self, b: bool) -> bool {
        self.tag == Tag::Bool && (self.x != 0) == b
    }
    pub fn is_known(self) -> bool {
        !matches!(self.tag, Tag::Unknown | Tag::Absent)
    }
    pub fn is_unknown(self) -> bool {
        self.tag == Tag::Unknown
    }
}

fn date_of(x: i64) -> Option<NaiveDate> {
    i32::try_from(x)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

fn months_tag(r: Rounding) -> Tag {
    match r {
        Rounding::Down => Tag::MonthsDown,
        Rounding::Up => Tag::MonthsUp,
    }
}

/// The texts values refer to: the case's facts by slot, then the others;
/// and the decimals met in this evaluation.
pub(crate) struct Texts<'a> {
    pub facts: &'a [Value],
    pub more: &'a [Arc<str>],
    pub decs: &'a [Dec],
}

impl Texts<'_> {
    /// The number a value holds, exactly: an int or a decimal.
    fn number(&self, v: V) -> Option<Dec> {
        number(self.decs, v)
    }

    fn get(&self, x: i64) -> Option<&Arc<str>> {
        let i = usize::try_from(x).ok()?;
        match i.checked_sub(self.facts.len()) {
            None => match self.facts.get(i) {
                Some(Value::Text(t)) => Some(t),
                _ => None,
            },
            Some(j) => self.more.get(j),
        }
    }

    /// A compact value in the form reports read.
    pub fn value(&self, v: V) -> Value {
        let low = |x: i64| u32::try_from(x & 0xffff_ffff).expect("masked to 32 bits");
        match v.tag {
            Tag::Unknown => Value::Unknown,
            Tag::Absent => Value::Absent,
            Tag::Bool => Value::Bool(v.x != 0),
            Tag::Int => Value::Int(v.x),
            Tag::Date => Value::Date(
                date_of(v.x).expect("a date value is a day of the calendar: made from a date, or by checked date arithmetic"),
            ),
            Tag::Text => Value::Text(
                self.get(v.x)
                    .expect("a text value indexes the case's facts or the texts met in this evaluation")
                    .clone(),
            ),
            Tag::Enum => Value::Enum(low(v.x >> 32), low(v.x)),
            Tag::Record => Value::Record(low(v.x)),
            Tag::Days => Value::Days(v.x),
            Tag::MonthsDown => Value::Months(v.x, Rounding::Down),
            Tag::MonthsUp => Value::Months(v.x, Rounding::Up),
            Tag::Dec => Value::Decimal(
                self.number(v)
                    .expect("a decimal value indexes the decimals met in this evaluation"),
            ),
        }
    }

    /// Equality of two values: the language's `=`. Inlined for the
    /// commonest case, two values of one kind held in place.
    #[inline]
    pub fn same(&self, a: V, b: V) -> bool {
        if a.tag == b.tag && !matches!(a.tag, Tag::Text | Tag::Dec) {
            return a.x == b.x;
        }
        self.same_apart(a, b)
    }

    /// [`Texts::same`] of values of different kinds, texts and decimals.
    fn same_apart(&self, a: V, b: V) -> bool {
        if (a.tag == Tag::Dec || b.tag == Tag::Dec)
            && matches!(a.tag, Tag::Int | Tag::Dec)
            && matches!(b.tag, Tag::Int | Tag::Dec)
        {
            return self.number(a) == self.number(b);
        }
        if a.tag != b.tag {
            return false;
        }
        if a.tag == Tag::Text {
            return match (self.get(a.x), self.get(b.x)) {
                (Some(s), Some(t)) => s == t,
                _ => false,
            };
        }
        a.x == b.x
    }

    /// Equality with a constant of the program (`in` sets).
    pub fn same_as(&self, v: V, c: &Value) -> bool {
        match c {
            Value::Text(t) => v.tag == Tag::Text && self.get(v.x).is_some_and(|s| s == t),
            Value::Unknown => v.tag == Tag::Unknown,
            Value::Absent => v.tag == Tag::Absent,
            Value::Bool(b) => v.is(*b),
            Value::Int(n) => v.tag == Tag::Int && v.x == *n,
            Value::Date(d) => v.tag == Tag::Date && v.x == i64::from(d.num_days_from_ce()),
            Value::Enum(t, i) => v.tag == Tag::Enum && v.x == (i64::from(*t) << 32) | i64::from(*i),
            Value::Record(f) => v.tag == Tag::Record && v.x == i64::from(*f),
            Value::Days(n) => v.tag == Tag::Days && v.x == *n,
            Value::Months(n, r) => v.tag == months_tag(*r) && v.x == *n,
            Value::Decimal(d) => self.number(v) == Some(*d),
        }
    }
}

/// The number a value holds, exactly: an int, or a decimal of the table.
fn number(decs: &[Dec], v: V) -> Option<Dec> {
    match v.tag {
        Tag::Int => Some(Dec::int(v.x)),
        Tag::Dec => usize::try_from(v.x).ok().and_then(|i| decs.get(i)).copied(),
        _ => None,
    }
}

/// A decimal as a compact value, kept in the table of decimals.
pub(crate) fn dec(d: Dec, decs: &mut Vec<Dec>) -> V {
    decs.push(d);
    V {
        tag: Tag::Dec,
        x: i64::try_from(decs.len() - 1).unwrap_or(i64::MAX),
    }
}

/// Exact comparison of two rationals.
fn dec_cmp(a: Dec, b: Dec) -> Ordering {
    (i128::from(a.num) * i128::from(b.den)).cmp(&(i128::from(b.num) * i128::from(a.den)))
}

/// Exact, checked arithmetic on rationals.
fn dec_arith(op: ArithOp, a: Dec, b: Dec) -> Result<Dec, Fault> {
    let (an, ad, bn, bd) = (
        i128::from(a.num),
        i128::from(a.den),
        i128::from(b.num),
        i128::from(b.den),
    );
    let (num, den) = match op {
        ArithOp::Add => (an * bd + bn * ad, ad * bd),
        ArithOp::Sub => (an * bd - bn * ad, ad * bd),
        ArithOp::Mul => (an * bn, ad * bd),
        ArithOp::Div => {
            if bn == 0 {
                return Err(DIVISION_BY_ZERO);
            }
            (an * bd, ad * bn)
        }
    };
    Dec::new(num, den).ok_or(OVERFLOW)
}

/// A number rounded to an integer: down (towards −∞) or up (towards +∞).
pub(crate) fn round(decs: &[Dec], v: V, r: Rounding) -> Result<V, Fault> {
    let Some(d) = number(decs, v) else {
        return Ok(v);
    };
    let (n, q) = (i128::from(d.num), i128::from(d.den));
    let x = match r {
        Rounding::Down => n.div_euclid(q),
        Rounding::Up => -((-n).div_euclid(q)),
    };
    i64::try_from(x).map(V::int).map_err(|_| OVERFLOW)
}

/// A value of the program or the case in compact form; a text is added to
/// `more` unless it is the fact `fact`'s own.
#[inline(always)]
pub(crate) fn load(
    p: &Program,
    v: &Value,
    fact: Option<FactId>,
    more: &mut Vec<Arc<str>>,
    decs: &mut Vec<Dec>,
) -> V {
    match v {
        Value::Unknown => UNKNOWN,
        Value::Absent => ABSENT,
        Value::Bool(b) => V::bool(*b),
        Value::Int(n) => V::int(*n),
        Value::Date(d) => V::date(*d),
        Value::Text(t) => {
            let x = match fact {
                Some(f) => i64::from(f),
                None => {
                    more.push(t.clone());
                    i64::try_from(p.facts.len() + more.len() - 1).unwrap_or(i64::MAX)
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
            tag: months_tag(*r),
            x: *n,
        },
        Value::Decimal(d) => dec(*d, decs),
    }
}

/// Unknown beats n/a: the propagation rule of every operator but `and`,
/// `or` and `if`.
pub(crate) fn unknown_or_absent(a: V, b: V) -> Option<V> {
    if a.tag == Tag::Unknown || b.tag == Tag::Unknown {
        Some(UNKNOWN)
    } else if a.tag == Tag::Absent || b.tag == Tag::Absent {
        Some(ABSENT)
    } else {
        None
    }
}

/// Why a checked boolean operand that is neither true nor false is unknown
/// or n/a: the checker gives `and` and `or` boolean operands only.
const NEITHER: &str = "a boolean operand that is neither true nor false is unknown or n/a";

/// Kleene conjunction (with n/a between false and unknown).
pub(crate) fn and(a: V, b: V) -> V {
    if a.is(false) || b.is(false) {
        V::bool(false)
    } else if a.is(true) && b.is(true) {
        V::bool(true)
    } else {
        unknown_or_absent(a, b).expect(NEITHER)
    }
}

/// Kleene disjunction.
pub(crate) fn or(a: V, b: V) -> V {
    if a.is(true) || b.is(true) {
        V::bool(true)
    } else if a.is(false) && b.is(false) {
        V::bool(false)
    } else {
        unknown_or_absent(a, b).expect(NEITHER)
    }
}

/// Kleene negation.
pub(crate) fn not(a: V) -> V {
    if a.tag == Tag::Bool {
        V::bool(a.x == 0)
    } else {
        a
    }
}

/// A comparison.
pub(crate) fn compare(t: &Texts, op: CmpOp, a: V, b: V) -> V {
    if let Some(v) = unknown_or_absent(a, b) {
        return v;
    }
    let order = match (a.tag, b.tag) {
        (Tag::Int, Tag::Int) | (Tag::Date, Tag::Date) => Some(a.x.cmp(&b.x)),
        (Tag::Int | Tag::Dec, Tag::Int | Tag::Dec) => match (t.number(a), t.number(b)) {
            (Some(x), Some(y)) => Some(dec_cmp(x, y)),
            _ => None,
        },
        _ => None,
    };
    use Ordering::*;
    V::bool(match op {
        CmpOp::Eq => t.same(a, b),
        CmpOp::Ne => !t.same(a, b),
        CmpOp::Lt => order == Some(Less),
        CmpOp::Le => matches!(order, Some(Less | Equal)),
        CmpOp::Gt => order == Some(Greater),
        CmpOp::Ge => matches!(order, Some(Greater | Equal)),
    })
}

/// A date moved by whole months; a day the target month lacks rounds down
/// to its last day or up to the next month's first.
pub(crate) fn add_months(d: NaiveDate, n: i64, r: Rounding) -> Option<NaiveDate> {
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

/// A date moved by days.
pub(crate) fn add_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if n >= 0 {
        d.checked_add_days(Days::new(n.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs()))
    }
}

/// Checked integer, decimal and date arithmetic; a quotient is exact.
pub(crate) fn arith(op: ArithOp, a: V, b: V, decs: &mut Vec<Dec>) -> Result<V, Fault> {
    if let Some(v) = unknown_or_absent(a, b) {
        return Ok(v);
    }
    let exact = op == ArithOp::Div || a.tag == Tag::Dec || b.tag == Tag::Dec;
    if exact {
        if let (Some(x), Some(y)) = (number(decs, a), number(decs, b)) {
            return dec_arith(op, x, y).map(|d| dec(d, decs));
        }
    }
    let shift_days = |d: i64, n: Option<i64>| -> Result<V, Fault> {
        let n = n.ok_or(OVERFLOW)?;
        let d = date_of(d).ok_or(DATE_RANGE)?;
        add_days(d, n).map(V::date).ok_or(DATE_RANGE)
    };
    let shift_months = |d: i64, n: Option<i64>, t: Tag| -> Result<V, Fault> {
        let n = n.ok_or(OVERFLOW)?;
        let d = date_of(d).ok_or(DATE_RANGE)?;
        let r = if t == Tag::MonthsUp {
            Rounding::Up
        } else {
            Rounding::Down
        };
        add_months(d, n, r).map(V::date).ok_or(DATE_RANGE)
    };
    let months = |t: Tag| matches!(t, Tag::MonthsDown | Tag::MonthsUp);
    match (op, a.tag, b.tag) {
        (ArithOp::Add, Tag::Int, Tag::Int) => a.x.checked_add(b.x).map(V::int).ok_or(OVERFLOW),
        (ArithOp::Sub, Tag::Int, Tag::Int) => a.x.checked_sub(b.x).map(V::int).ok_or(OVERFLOW),
        (ArithOp::Mul, Tag::Int, Tag::Int) => a.x.checked_mul(b.x).map(V::int).ok_or(OVERFLOW),
        (ArithOp::Sub, Tag::Date, Tag::Date) => a.x.checked_sub(b.x).map(V::int).ok_or(OVERFLOW),
        (ArithOp::Add, Tag::Date, Tag::Days) => shift_days(a.x, Some(b.x)),
        (ArithOp::Add, Tag::Days, Tag::Date) => shift_days(b.x, Some(a.x)),
        (ArithOp::Sub, Tag::Date, Tag::Days) => shift_days(a.x, b.x.checked_neg()),
        (ArithOp::Add, Tag::Date, t) if months(t) => shift_months(a.x, Some(b.x), t),
        (ArithOp::Add, t, Tag::Date) if months(t) => shift_months(b.x, Some(a.x), t),
        (ArithOp::Sub, Tag::Date, t) if months(t) => shift_months(a.x, b.x.checked_neg(), t),
        _ => Ok(UNKNOWN),
    }
}

/// Negation of a number.
pub(crate) fn neg(a: V, decs: &mut Vec<Dec>) -> Result<V, Fault> {
    match a.tag {
        Tag::Int => a.x.checked_neg().map(V::int).ok_or(OVERFLOW),
        Tag::Dec => match number(decs, a) {
            Some(d) => Dec::new(-i128::from(d.num), i128::from(d.den))
                .map(|d| dec(d, decs))
                .ok_or(OVERFLOW),
            None => Ok(a),
        },
        _ => Ok(a),
    }
}

/// `n days`.
pub(crate) fn days(n: V) -> V {
    if n.tag == Tag::Int {
        V {
            tag: Tag::Days,
            x: n.x,
        }
    } else {
        n
    }
}

/// `n months` (or years, as `factor` 12) with a rounding.
pub(crate) fn months(n: V, factor: i64, r: Rounding) -> Result<V, Fault> {
    if n.tag == Tag::Int {
        let x = n.x.checked_mul(factor).ok_or(OVERFLOW)?;
        Ok(V {
            tag: months_tag(r),
            x,
        })
    } else {
        Ok(n)
    }
}

/// Applicability of a rule from its condition's value.
pub(crate) fn tri_of(v: V) -> super::Tri {
    match v.tag {
        Tag::Bool if v.x != 0 => super::Tri::Yes,
        Tag::Unknown => super::Tri::Maybe,
        _ => super::Tri::No,
    }
}
