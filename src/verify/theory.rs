//! Integer terms and the exact decision of their comparisons.
//!
//! Every int, date (a day number) and text (a code per distinct string)
//! value of the program is a linear term over numeric variables: the
//! facts, the assessment date, and opaque terms (a product of two
//! non-constant terms; a date moved by months) whose value is computed from
//! their definition. A comparison becomes the atom `Σ aᵢxᵢ ≤ k`, normalised
//! so that an atom and its negation share one decision-diagram variable.
//!
//! A conjunction of atoms with at most two variables of coefficients ±1
//! (difference constraints: every comparison the shipped policies make,
//! `d + 30 days < e`, `d1 - d2 >= n`, `x = "…"`) is decided exactly by
//! Bellman-Ford over the integers: it has an integer solution if and only
//! if its constraint graph has no negative cycle, and the cycle is the
//! explanation (a theory lemma). Other atoms are checked on the solution
//! found for the difference part; when they fail, the case is *undecided*
//! and the verifier says so.
use crate::syntax::ast::Rounding;
use std::collections::HashMap;

/// A numeric variable.
pub(crate) type NumVar = u32;

/// `c + Σ aᵢxᵢ` with exact coefficients.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Lin {
    /// The constant.
    pub c: i128,
    /// Variables with non-zero coefficients, ascending.
    pub t: Vec<(NumVar, i128)>,
}

impl Lin {
    pub fn constant(c: i128) -> Lin {
        Lin { c, t: Vec::new() }
    }
    pub fn var(x: NumVar) -> Lin {
        Lin {
            c: 0,
            t: vec![(x, 1)],
        }
    }
    pub fn as_const(&self) -> Option<i128> {
        self.t.is_empty().then_some(self.c)
    }
    /// `self + k·other`, None on overflow of the coefficients.
    pub fn add_scaled(&self, other: &Lin, k: i128) -> Option<Lin> {
        let mut t: Vec<(NumVar, i128)> = Vec::with_capacity(self.t.len() + other.t.len());
        let (mut i, mut j) = (self.t.iter().peekable(), other.t.iter().peekable());
        loop {
            match (i.peek(), j.peek()) {
                (Some(&&(x, a)), Some(&&(y, b))) if x == y => {
                    let s = a.checked_add(b.checked_mul(k)?)?;
                    if s != 0 {
                        t.push((x, s));
                    }
                    i.next();
                    j.next();
                }
                (Some(&&(x, a)), Some(&&(y, _))) if x < y => {
                    t.push((x, a));
                    i.next();
                }
                (Some(_), Some(&&(y, b))) | (None, Some(&&(y, b))) => {
                    let s = b.checked_mul(k)?;
                    if s != 0 {
                        t.push((y, s));
                    }
                    j.next();
                }
                (Some(&&(x, a)), None) => {
                    t.push((x, a));
                    i.next();
                }
                (None, None) => break,
            }
        }
        Some(Lin {
            c: self.c.checked_add(other.c.checked_mul(k)?)?,
            t,
        })
    }
    pub fn scale(&self, k: i128) -> Option<Lin> {
        Lin::default().add_scaled(self, k)
    }
    /// The value under an assignment.
    pub fn eval(&self, val: &impl Fn(NumVar) -> Option<i128>) -> Option<i128> {
        let mut s = self.c;
        for &(x, a) in &self.t {
            s = s.checked_add(a.checked_mul(val(x)?)?)?;
        }
        Some(s)
    }
}

/// What a numeric variable stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NumDef {
    /// A fact of the verifier's vocabulary (its global index).
    Fact(usize),
    /// The assessment date of one side of a comparison (0 or 1).
    AsOf(u8),
    /// The product of two terms, neither constant.
    Product(Lin, Lin),
    /// A date moved by a number of months with a rounding.
    Months(Lin, Lin, Rounding),
}

/// `Σ aᵢxᵢ ≤ k`, the coefficients divided by their gcd, the first positive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Le {
    pub t: Vec<(NumVar, i128)>,
    pub k: i128,
}

impl Le {
    /// The constraint as stated (`positive`) or negated: `Σ -aᵢxᵢ ≤ -k-1`.
    pub fn literal(&self, positive: bool) -> (Vec<(NumVar, i128)>, i128) {
        if positive {
            (self.t.clone(), self.k)
        } else {
            (self.t.iter().map(|&(x, a)| (x, -a)).collect(), -self.k - 1)
        }
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `t ≤ 0` as an atom and its polarity, or a constant truth value.
pub(crate) fn normalise(t: &Lin) -> Result<(Le, bool), bool> {
    if t.t.is_empty() {
        return Err(t.c <= 0);
    }
    let g = t.t.iter().fold(0, |g, &(_, a)| gcd(g, a)).max(1);
    // Σ aᵢxᵢ ≤ -c  ⇔  Σ (aᵢ/g)xᵢ ≤ ⌊-c/g⌋
    let k = (-t.c).div_euclid(g);
    let terms: Vec<(NumVar, i128)> = t.t.iter().map(|&(x, a)| (x, a / g)).collect();
    let first_negative = terms.first().is_some_and(|&(_, a)| a < 0);
    if first_negative {
        // Σ bᵢxᵢ ≤ k with b₀ < 0  ⇔  not (Σ -bᵢxᵢ ≤ -k-1)
        let t = terms.iter().map(|&(x, a)| (x, -a)).collect();
        Ok((Le { t, k: -k - 1 }, false))
    } else {
        Ok((Le { t: terms, k }, true))
    }
}

/// The outcome of deciding a conjunction of atoms.
#[derive(Debug)]
pub(crate) enum Decision {
    /// A solution: a value for every variable that appears.
    Sat(HashMap<NumVar, i128>),
    /// No integer solution; the indices of literals that already have none.
    Unsat(Vec<usize>),
    /// Outside the exact fragment and no solution found.
    Undecided,
}

struct Edge {
    from: usize,
    to: usize,
    w: i128,
    lit: Option<usize>,
}

/// Decides a conjunction of literals `Σ aᵢxᵢ ≤ k` under bounds on the
/// variables, with the definitions of the opaque variables.
///
/// `prefer` gives each variable a value it takes when nothing pushes it
/// away (dates near the period examined rather than at the calendar's
/// start), so counterexamples read naturally.
pub(crate) fn decide(
    lits: &[(Vec<(NumVar, i128)>, i128)],
    bounds: &[(NumVar, Option<i128>, Option<i128>)],
    prefer: &dyn Fn(NumVar) -> i128,
    defs: &dyn Fn(NumVar) -> Option<NumDef>,
) -> Decision {
    let mut pinned: HashMap<NumVar, i128> = HashMap::new();
    // A second round pins the opaque variables to the values their
    // definitions give on the first round's solution.
    for _round in 0..3 {
        let sol = match difference(lits, bounds, &pinned, prefer) {
            Ok(s) => s,
            Err(core) if pinned.is_empty() => return Decision::Unsat(core),
            Err(_) => return Decision::Undecided,
        };
        let mut val = sol.clone();
        let mut vars: Vec<NumVar> = val.keys().copied().collect();
        vars.sort_unstable();
        let mut opaque = Vec::new();
        for x in vars {
            match defs(x) {
                Some(NumDef::Product(a, b)) => {
                    let get = |v: NumVar| val.get(&v).copied().or(Some(0));
                    let v = a
                        .eval(&get)
                        .zip(b.eval(&get))
                        .and_then(|(p, q)| p.checked_mul(q));
                    match v {
                        Some(v) => {
                            val.insert(x, v);
                            opaque.push((x, v));
                        }
                        None => return Decision::Undecided,
                    }
                }
                Some(NumDef::Months(d, n, r)) => {
                    let get = |v: NumVar| val.get(&v).copied().or(Some(0));
                    let v = d
                        .eval(&get)
                        .zip(n.eval(&get))
                        .and_then(|(d, n)| shift(d, n, r));
                    match v {
                        Some(v) => {
                            val.insert(x, v);
                            opaque.push((x, v));
                        }
                        None => return Decision::Undecided,
                    }
                }
                _ => {}
            }
        }
        let holds = lits.iter().all(|(t, k)| {
            let s = Lin { c: 0, t: t.clone() }.eval(&|v| val.get(&v).copied().or(Some(0)));
            s.is_some_and(|s| s <= *k)
        });
        let in_bounds = bounds.iter().all(|&(x, lo, hi)| {
            val.get(&x)
                .is_none_or(|&v| lo.is_none_or(|l| v >= l) && hi.is_none_or(|h| v <= h))
        });
        if holds && in_bounds {
            return Decision::Sat(val);
        }
        if opaque.is_empty() || opaque.iter().all(|(x, v)| pinned.get(x) == Some(v)) {
            return Decision::Undecided;
        }
        pinned.extend(opaque);
    }
    Decision::Undecided
}

/// A day number moved by months, as the evaluator moves dates.
fn shift(day: i128, months: i128, r: Rounding) -> Option<i128> {
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(i32::try_from(day).ok()?)?;
    let n = i64::try_from(months).ok()?;
    let moved = crate::eval::add_months(d, n, r)?;
    Some(i128::from(chrono::Datelike::num_days_from_ce(&moved)))
}

/// Bellman-Ford over the difference literals (others are skipped): a
/// solution, or the literals of a negative cycle.
fn difference(
    lits: &[(Vec<(NumVar, i128)>, i128)],
    bounds: &[(NumVar, Option<i128>, Option<i128>)],
    pinned: &HashMap<NumVar, i128>,
    prefer: &dyn Fn(NumVar) -> i128,
) -> Result<HashMap<NumVar, i128>, Vec<usize>> {
    let mut index: HashMap<NumVar, usize> = HashMap::new();
    let mut names: Vec<NumVar> = Vec::new();
    // Node 0 is zero.
    let mut node = |x: NumVar, index: &mut HashMap<NumVar, usize>| {
        *index.entry(x).or_insert_with(|| {
            names.push(x);
            names.len()
        })
    };
    let mut edges: Vec<Edge> = Vec::new();
    for (i, (t, k)) in lits.iter().enumerate() {
        match t.as_slice() {
            [(x, 1)] => {
                let x = node(*x, &mut index);
                edges.push(Edge {
                    from: 0,
                    to: x,
                    w: *k,
                    lit: Some(i),
                });
            }
            [(x, -1)] => {
                let x = node(*x, &mut index);
                edges.push(Edge {
                    from: x,
                    to: 0,
                    w: *k,
                    lit: Some(i),
                });
            }
            [(x, a), (y, b)] if *a == -*b && a.abs() == 1 => {
                // a = 1: x - y ≤ k, edge y → x; a = -1: y - x ≤ k, edge x → y.
                let (px, py) = (node(*x, &mut index), node(*y, &mut index));
                let (from, to) = if *a == 1 { (py, px) } else { (px, py) };
                edges.push(Edge {
                    from,
                    to,
                    w: *k,
                    lit: Some(i),
                });
            }
            other => {
                for &(x, _) in other {
                    node(x, &mut index);
                }
            }
        }
    }
    let bound_edges = |x: usize, lo: Option<i128>, hi: Option<i128>, edges: &mut Vec<Edge>| {
        if let Some(h) = hi {
            edges.push(Edge {
                from: 0,
                to: x,
                w: h,
                lit: None,
            });
        }
        if let Some(l) = lo {
            edges.push(Edge {
                from: x,
                to: 0,
                w: -l,
                lit: None,
            });
        }
    };
    for &(x, lo, hi) in bounds {
        if let Some(&n) = index.get(&x) {
            bound_edges(n, lo, hi, &mut edges);
        }
    }
    for (x, v) in pinned {
        if let Some(&n) = index.get(x) {
            bound_edges(n, Some(*v), Some(*v), &mut edges);
        }
    }
    let n = names.len() + 1;
    // A virtual source reaches zero with weight 0 and each variable with
    // weight its preferred value.
    let mut dist = vec![0i128; n];
    for (i, &x) in names.iter().enumerate() {
        if let Some(d) = dist.get_mut(i + 1) {
            *d = prefer(x);
        }
    }
    let mut pred: Vec<Option<usize>> = vec![None; n];
    let mut last = None;
    for _ in 0..n {
        last = None;
        for (k, e) in edges.iter().enumerate() {
            let (Some(&df), Some(&dt)) = (dist.get(e.from), dist.get(e.to)) else {
                continue;
            };
            let cand = df.saturating_add(e.w);
            if cand < dt {
                if let Some(d) = dist.get_mut(e.to) {
                    *d = cand;
                }
                if let Some(p) = pred.get_mut(e.to) {
                    *p = Some(k);
                }
                last = Some(e.to);
            }
        }
        if last.is_none() {
            break;
        }
    }
    if let Some(mut v) = last {
        // Walk back n steps to land on the cycle, then collect it.
        for _ in 0..n {
            v = pred
                .get(v)
                .copied()
                .flatten()
                .and_then(|k| edges.get(k))
                .map_or(v, |e| e.from);
        }
        let start = v;
        let mut core = Vec::new();
        while let Some(e) = pred.get(v).copied().flatten().and_then(|k| edges.get(k)) {
            if let Some(l) = e.lit {
                core.push(l);
            }
            v = e.from;
            if v == start || core.len() > edges.len() {
                break;
            }
        }
        core.sort_unstable();
        core.dedup();
        if core.is_empty() {
            core = (0..lits.len()).collect();
        }
        return Err(core);
    }
    let zero = dist.first().copied().unwrap_or(0);
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, &x)| (x, dist.get(i + 1).copied().unwrap_or(0) - zero))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(t: &[(NumVar, i128)], k: i128) -> (Vec<(NumVar, i128)>, i128) {
        (t.to_vec(), k)
    }

    #[test]
    fn difference_constraints() {
        let none = |_: NumVar| None;
        let zero = |_: NumVar| 0;
        // x - y ≤ -1, y - z ≤ -1, z - x ≤ 1: x < y < z and z ≤ x + 1: none.
        let lits = [
            le(&[(0, 1), (1, -1)], -1),
            le(&[(1, 1), (2, -1)], -1),
            le(&[(0, -1), (2, 1)], 1),
        ];
        match decide(&lits, &[], &zero, &none) {
            Decision::Unsat(core) => assert_eq!(core, vec![0, 1, 2]),
            d => panic!("{d:?}"),
        }
        // x < y, y ≤ 10, x ≥ 3
        let lits = [le(&[(0, 1), (1, -1)], -1), le(&[(1, 1)], 10)];
        match decide(&lits, &[(0, Some(3), None)], &zero, &none) {
            Decision::Sat(v) => {
                let (x, y) = (v[&0], v[&1]);
                assert!(x < y && y <= 10 && x >= 3);
            }
            d => panic!("{d:?}"),
        }
    }

    #[test]
    fn normal_form() {
        // 2x - 4 ≤ 0 ⇔ x ≤ 2
        let (a, pos) = normalise(&Lin {
            c: -4,
            t: vec![(0, 2)],
        })
        .expect("not constant");
        assert_eq!((a.t, a.k, pos), (vec![(0, 1)], 2, true));
        // -x + 3 ≤ 0 ⇔ x ≥ 3 ⇔ not (x ≤ 2)
        let (a, pos) = normalise(&Lin {
            c: 3,
            t: vec![(0, -1)],
        })
        .expect("not constant");
        assert_eq!((a.t, a.k, pos), (vec![(0, 1)], 2, false));
    }
}
