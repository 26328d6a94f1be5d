//! Departures: for a case, the declared pairs of outcomes (a lower
//! document's and the one of the document it implements that answers the
//! same question) whose values both exist and differ after the declared
//! equivalences. A departure is shown, never resolved: each outcome keeps
//! its own document's answer.
//!
//! Time: O(pairs + the equivalences of the pairs compared) per case.
use crate::eval::Evaluation;
use crate::program::{Pair, Program, Value};

/// Whether two known values count as the same under a pair's equivalences:
/// enum values of the same name, or declared the same; other values equal.
pub fn same_value(p: &Program, pair: &Pair, lower: &Value, upper: &Value) -> bool {
    match (lower, upper) {
        (Value::Enum(ea, a), Value::Enum(eb, b)) => {
            if pair.same.iter().any(|(x, y)| x == a && y == b) {
                return true;
            }
            if pair.same.iter().any(|(x, _)| x == a) {
                return false; // declared to count as another value
            }
            ea == eb && a == b || p.variant(*ea, *a).0 == p.variant(*eb, *b).0
        }
        _ => lower == upper,
    }
}

/// Whether a pair departs in an evaluation: both values known and not
/// the same.
pub fn departs(p: &Program, ev: &Evaluation, pair: &Pair) -> bool {
    let get = |o: u32| ev.outcomes.get(o as usize).map(|r| &r.value);
    match (get(pair.outcome), get(pair.superior)) {
        (Some(a), Some(b)) if a.is_known() && b.is_known() => !same_value(p, pair, a, b),
        _ => false,
    }
}

/// The pairs that depart in an evaluation, in declaration order.
pub fn departures<'a>(p: &'a Program, ev: &'a Evaluation) -> impl Iterator<Item = &'a Pair> + 'a {
    departing(p, ev).map(|(_, pair)| pair)
}

/// The same, each with its position in [`Program::pairs`].
pub fn departing<'a>(
    p: &'a Program,
    ev: &'a Evaluation,
) -> impl Iterator<Item = (usize, &'a Pair)> + 'a {
    p.pairs
        .iter()
        .enumerate()
        .filter(move |(_, pair)| departs(p, ev, pair))
}
