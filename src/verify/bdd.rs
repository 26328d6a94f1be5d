//! Reduced ordered binary decision diagrams, hash-consed in one arena.
//!
//! Variables are numbered in the order they are made, which is their order
//! in every diagram: the symbolic compiler makes a variable when it first
//! meets an atom (a fact being known, a truth value, an enum value, a
//! comparison), so no variable set has to be declared in advance. Every
//! operation is memoised; a diagram is a `u32` into the arena.
use std::collections::HashMap;

/// A diagram: an index into the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Bdd(u32);

/// The constant false.
pub(crate) const FALSE: Bdd = Bdd(0);
/// The constant true.
pub(crate) const TRUE: Bdd = Bdd(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Node {
    var: u32,
    lo: Bdd,
    hi: Bdd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
    Not,
}

/// The arena and its tables.
#[derive(Debug)]
pub(crate) struct Bdds {
    nodes: Vec<Node>,
    unique: HashMap<Node, Bdd>,
    cache: HashMap<(Op, Bdd, Bdd), Bdd>,
    vars: u32,
}

/// Past this many memoised results the cache is cleared (results stay
/// correct; only work is repeated).
const CACHE_LIMIT: usize = 1 << 22;

impl Default for Bdds {
    fn default() -> Self {
        let term = |b| Node {
            var: u32::MAX,
            lo: Bdd(b),
            hi: Bdd(b),
        };
        Bdds {
            nodes: vec![term(0), term(1)],
            unique: HashMap::new(),
            cache: HashMap::new(),
            vars: 0,
        }
    }
}

impl Bdds {
    fn node(&self, b: Bdd) -> Node {
        *self
            .nodes
            .get(b.0 as usize)
            .expect("a diagram indexes the arena that made it")
    }

    /// A new variable, ordered after every earlier one.
    pub fn new_var(&mut self) -> u32 {
        self.vars += 1;
        self.vars - 1
    }

    fn mk(&mut self, var: u32, lo: Bdd, hi: Bdd) -> Bdd {
        if lo == hi {
            return lo;
        }
        let n = Node { var, lo, hi };
        if let Some(b) = self.unique.get(&n) {
            return *b;
        }
        let b = Bdd(u32::try_from(self.nodes.len()).expect("fewer than 2^32 diagram nodes"));
        self.nodes.push(n);
        self.unique.insert(n, b);
        b
    }

    /// The diagram of a variable.
    pub fn var(&mut self, v: u32) -> Bdd {
        self.mk(v, FALSE, TRUE)
    }

    /// Negation.
    pub fn not(&mut self, a: Bdd) -> Bdd {
        if a == TRUE {
            return FALSE;
        }
        if a == FALSE {
            return TRUE;
        }
        if let Some(r) = self.cache.get(&(Op::Not, a, a)) {
            return *r;
        }
        let n = self.node(a);
        let lo = self.not(n.lo);
        let hi = self.not(n.hi);
        let r = self.mk(n.var, lo, hi);
        self.remember(Op::Not, a, a, r);
        r
    }

    fn remember(&mut self, op: Op, a: Bdd, b: Bdd, r: Bdd) {
        if self.cache.len() > CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert((op, a, b), r);
    }

    /// Conjunction.
    pub fn and(&mut self, a: Bdd, b: Bdd) -> Bdd {
        self.apply(Op::And, a, b)
    }

    /// Disjunction.
    pub fn or(&mut self, a: Bdd, b: Bdd) -> Bdd {
        self.apply(Op::Or, a, b)
    }

    /// `a and not b`.
    pub fn diff(&mut self, a: Bdd, b: Bdd) -> Bdd {
        let nb = self.not(b);
        self.and(a, nb)
    }

    /// Disjunction of many.
    pub fn any(&mut self, xs: impl IntoIterator<Item = Bdd>) -> Bdd {
        xs.into_iter().fold(FALSE, |acc, x| self.or(acc, x))
    }

    fn apply(&mut self, op: Op, a: Bdd, b: Bdd) -> Bdd {
        match op {
            Op::And => {
                if a == FALSE || b == FALSE {
                    return FALSE;
                }
                if a == TRUE {
                    return b;
                }
                if b == TRUE || a == b {
                    return a;
                }
            }
            Op::Or => {
                if a == TRUE || b == TRUE {
                    return TRUE;
                }
                if a == FALSE {
                    return b;
                }
                if b == FALSE || a == b {
                    return a;
                }
            }
            Op::Not => return self.not(a),
        }
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if let Some(r) = self.cache.get(&(op, a, b)) {
            return *r;
        }
        let (na, nb) = (self.node(a), self.node(b));
        let var = na.var.min(nb.var);
        let (alo, ahi) = if na.var == var {
            (na.lo, na.hi)
        } else {
            (a, a)
        };
        let (blo, bhi) = if nb.var == var {
            (nb.lo, nb.hi)
        } else {
            (b, b)
        };
        let lo = self.apply(op, alo, blo);
        let hi = self.apply(op, ahi, bhi);
        let r = self.mk(var, lo, hi);
        self.remember(op, a, b, r);
        r
    }

    /// One path to true, as (variable, value) pairs from the root; the
    /// false branch is preferred, so that the facts a path leaves open stay
    /// unknown. None for the constant false.
    pub fn path(&self, a: Bdd) -> Option<Vec<(u32, bool)>> {
        if a == FALSE {
            return None;
        }
        let mut out = Vec::new();
        let mut b = a;
        while b != TRUE {
            let n = self.node(b);
            if n.lo != FALSE {
                out.push((n.var, false));
                b = n.lo;
            } else {
                out.push((n.var, true));
                b = n.hi;
            }
        }
        Some(out)
    }

    /// Up to `limit` disjoint paths to true (a cover of the diagram when
    /// fewer than `limit` exist), and whether more were left out.
    pub fn paths(&self, a: Bdd, limit: usize) -> (Vec<Vec<(u32, bool)>>, bool) {
        let mut out = Vec::new();
        let mut stack: Vec<(Bdd, Vec<(u32, bool)>)> = vec![(a, Vec::new())];
        while let Some((b, path)) = stack.pop() {
            if b == FALSE {
                continue;
            }
            if b == TRUE {
                if out.len() == limit {
                    return (out, true);
                }
                out.push(path);
                continue;
            }
            let n = self.node(b);
            let mut hi = path.clone();
            hi.push((n.var, true));
            stack.push((n.hi, hi));
            let mut lo = path;
            lo.push((n.var, false));
            stack.push((n.lo, lo));
        }
        (out, false)
    }

    /// The conjunction of literals.
    pub fn cube(&mut self, lits: &[(u32, bool)]) -> Bdd {
        let mut r = TRUE;
        for &(v, pos) in lits {
            let x = self.var(v);
            let l = if pos { x } else { self.not(x) };
            r = self.and(r, l);
        }
        r
    }
}

#[cfg(test)]
impl Bdds {
    /// The value of a diagram under an assignment of its variables.
    pub fn eval(&self, a: Bdd, val: &dyn Fn(u32) -> bool) -> bool {
        let mut b = a;
        while b != TRUE && b != FALSE {
            let n = self.node(b);
            b = if val(n.var) { n.hi } else { n.lo };
        }
        b == TRUE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn laws() {
        let mut m = Bdds::default();
        let (a, b) = (m.new_var(), m.new_var());
        let (x, y) = (m.var(a), m.var(b));
        let nx = m.not(x);
        assert_eq!(m.and(x, nx), FALSE);
        assert_eq!(m.or(x, nx), TRUE);
        let xy = m.and(x, y);
        let n = m.not(xy);
        let ny = m.not(y);
        assert_eq!(n, m.or(nx, ny));
        assert_eq!(m.path(xy), Some(vec![(a, true), (b, true)]));
        let (p, more) = m.paths(n, 10);
        assert_eq!((p.len(), more), (2, false));
    }
}
