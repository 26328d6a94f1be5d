//! The symbolic reading of a checked program: every outcome's value, every
//! rule's applicability and effect, as functions of all cases at once.
//!
//! A symbolic value is a list of guarded values: disjoint decision
//! diagrams over the atoms (a fact known, a truth value, an enum value, a
//! comparison of terms), each with the value the expression takes where
//! its guard holds. Each construct is read as `src/eval/machine.rs` and
//! `src/eval/value.rs` evaluate it — Kleene `and`/`or` with n/a between
//! false and unknown, comparisons unknown on an unknown operand and n/a on
//! an n/a one, `if` on an unknown condition known only when both branches
//! agree, exceptions as defeaters, the combination of the rules in effect
//! with conflicts and defaults — and the test `symbolic_matches_evaluator`
//! checks the two agree on generated programs and cases. Findings are then
//! confirmed by the one evaluator on a concrete case (see `super`).
use super::bdd::{Bdd, Bdds, FALSE, TRUE};
use super::theory::{normalise, Le, Lin, NumDef, NumVar};
use crate::program::*;
use crate::syntax::ast::Rounding;
use chrono::Datelike;
use std::collections::HashMap;
use std::sync::Arc;

/// What a numeric term is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Int,
    Date,
    Text,
    Days,
    Months(Rounding),
}

/// One symbolic value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum S {
    Unknown,
    Absent,
    Bool(bool),
    /// An enum value by its global name (`Type.variant`).
    Enum(u32),
    Num(Kind, Lin),
    Record(u32),
}

impl S {
    pub fn is_known(&self) -> bool {
        !matches!(self, S::Unknown | S::Absent)
    }
}

/// Guarded values: disjoint guards covering every case.
pub(crate) type Sym = Vec<(Bdd, S)>;

/// A fact's type in the verifier's vocabulary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum GType {
    Bool,
    Int,
    Date,
    Text,
    /// Enum name and variant names.
    Enum(String, Vec<String>),
}

/// A fact of the vocabulary shared by the programs compared.
#[derive(Clone, Debug)]
pub(crate) struct GFact {
    pub name: String,
    pub ty: GType,
    pub min: Option<i64>,
}

/// What a decision-diagram variable stands for.
#[derive(Clone, Debug)]
pub(crate) enum Atom {
    Known(usize),
    Bool(usize),
    EnumIs(usize, u32),
    Le(Le),
}

/// Everything shared by the programs being verified or compared: the
/// diagrams, the atoms, the numeric variables, the facts and texts.
#[derive(Default, Debug)]
pub(crate) struct Space {
    pub m: Bdds,
    pub atoms: HashMap<u32, Atom>,
    le_index: HashMap<Le, u32>,
    pub nums: Vec<NumDef>,
    num_index: HashMap<NumDef, NumVar>,
    pub facts: Vec<GFact>,
    fact_index: HashMap<String, usize>,
    fact_vars: HashMap<(usize, u32), u32>,
    pub texts: Vec<Arc<str>>,
    text_index: HashMap<Arc<str>, i128>,
    enum_values: HashMap<String, u32>,
    /// How many terms left the exact fragment (a product of two unknowns,
    /// months; an overflow of the symbolic coefficients).
    pub inexact: usize,
    /// How many decimal terms were met: read as unknown, which is no
    /// over-approximation, so nothing about their outcome is proved.
    pub decimals: usize,
}

impl Space {
    /// The vocabulary index of a program's fact (facts of the same name and
    /// type in two versions are one fact).
    pub fn fact(&mut self, p: &Program, f: &Fact) -> usize {
        let ty = match f.ty {
            Type::Bool => GType::Bool,
            Type::Int => GType::Int,
            Type::Date => GType::Date,
            Type::Enum(e) => {
                let t = p.enums().get(e as usize);
                GType::Enum(
                    t.map(|t| t.name.clone()).unwrap_or_default(),
                    t.map(|t| t.variants.iter().map(|v| v.0.clone()).collect())
                        .unwrap_or_default(),
                )
            }
            _ => GType::Text,
        };
        let key = format!("{}:{:?}", f.name, ty);
        if let Some(&g) = self.fact_index.get(&key) {
            return g;
        }
        let g = self.facts.len();
        self.facts.push(GFact {
            name: f.name.clone(),
            ty,
            min: f.min,
        });
        self.fact_index.insert(key, g);
        g
    }

    fn bvar(&mut self, key: (usize, u32), atom: Atom) -> Bdd {
        let v = match self.fact_vars.get(&key) {
            Some(v) => *v,
            None => {
                let v = self.m.new_var();
                self.fact_vars.insert(key, v);
                self.atoms.insert(v, atom);
                v
            }
        };
        self.m.var(v)
    }

    /// The diagram variable of a fact's atom, if made: `u32::MAX` for
    /// known, `u32::MAX - 1` for its truth, else an enum variant.
    pub fn fact_var(&self, g: usize, code: u32) -> Option<u32> {
        self.fact_vars.get(&(g, code)).copied()
    }

    /// A numeric variable, if made.
    pub fn num_of(&self, d: &NumDef) -> Option<NumVar> {
        self.num_index.get(d).copied()
    }

    /// The atom "fact g is known".
    pub fn known(&mut self, g: usize) -> Bdd {
        self.bvar((g, u32::MAX), Atom::Known(g))
    }

    fn truth(&mut self, g: usize) -> Bdd {
        self.bvar((g, u32::MAX - 1), Atom::Bool(g))
    }

    fn enum_is(&mut self, g: usize, i: u32) -> Bdd {
        self.bvar((g, i), Atom::EnumIs(g, i))
    }

    /// A numeric variable.
    pub fn num(&mut self, d: NumDef) -> NumVar {
        if let Some(&x) = self.num_index.get(&d) {
            return x;
        }
        let x = u32::try_from(self.nums.len()).expect("fewer than 2^32 numeric variables");
        self.nums.push(d.clone());
        self.num_index.insert(d, x);
        x
    }

    /// The code of a text.
    pub fn text(&mut self, t: &Arc<str>) -> i128 {
        if let Some(&c) = self.text_index.get(t) {
            return c;
        }
        let c = i128::try_from(self.texts.len()).unwrap_or(i128::MAX);
        self.texts.push(t.clone());
        self.text_index.insert(t.clone(), c);
        c
    }

    /// An enum value's global id, if met.
    #[cfg(test)]
    pub fn enum_id(&self, p: &Program, e: EnumId, i: u32) -> Option<u32> {
        let (v, _) = p.variant(e, i);
        let name = format!("{}.{v}", p.type_name(Type::Enum(e)));
        self.enum_values.get(&name).copied()
    }

    fn enum_value(&mut self, p: &Program, e: EnumId, i: u32) -> u32 {
        let (v, _) = p.variant(e, i);
        let name = format!("{}.{v}", p.type_name(Type::Enum(e)));
        let n = u32::try_from(self.enum_values.len()).unwrap_or(u32::MAX);
        *self.enum_values.entry(name).or_insert(n)
    }

    /// `t ≤ 0` as a diagram.
    pub fn le(&mut self, t: &Lin) -> Bdd {
        match normalise(t) {
            Err(b) => {
                if b {
                    TRUE
                } else {
                    FALSE
                }
            }
            Ok((le, pos)) => {
                let v = match self.le_index.get(&le) {
                    Some(v) => *v,
                    None => {
                        let v = self.m.new_var();
                        self.le_index.insert(le.clone(), v);
                        self.atoms.insert(v, Atom::Le(le));
                        v
                    }
                };
                let x = self.m.var(v);
                if pos {
                    x
                } else {
                    self.m.not(x)
                }
            }
        }
    }

    /// `a = b` over terms.
    fn eq_lin(&mut self, a: &Lin, b: &Lin) -> Bdd {
        let Some(d) = a.add_scaled(b, -1) else {
            self.inexact += 1;
            return FALSE;
        };
        let le = self.le(&d);
        let Some(nd) = d.scale(-1) else {
            self.inexact += 1;
            return FALSE;
        };
        let ge = self.le(&nd);
        self.m.and(le, ge)
    }

    /// The language's `=` on two values: the same tag and the same value.
    pub fn same(&mut self, a: &S, b: &S) -> Bdd {
        match (a, b) {
            (S::Num(k, x), S::Num(l, y)) if k == l => self.eq_lin(x, y),
            (x, y) => {
                if x == y {
                    TRUE
                } else {
                    FALSE
                }
            }
        }
    }

    /// Where two symbolic values are the same.
    pub fn same_sym(&mut self, a: &Sym, b: &Sym) -> Bdd {
        let mut r = FALSE;
        for (g, x) in a {
            for (h, y) in b {
                let gh = self.m.and(*g, *h);
                if gh == FALSE {
                    continue;
                }
                let s = self.same(x, y);
                let t = self.m.and(gh, s);
                r = self.m.or(r, t);
            }
        }
        r
    }

    /// Where a symbolic value satisfies a predicate on values.
    pub fn guard(&mut self, a: &Sym, f: impl Fn(&S) -> bool) -> Bdd {
        let gs: Vec<Bdd> = a.iter().filter(|(_, s)| f(s)).map(|(g, _)| *g).collect();
        self.m.any(gs)
    }

    /// Merges guards of equal values and drops empty ones.
    pub fn norm(&mut self, v: Sym) -> Sym {
        let mut out: Sym = Vec::with_capacity(v.len());
        for (g, s) in v {
            if g == FALSE {
                continue;
            }
            match out.iter_mut().find(|(_, t)| *t == s) {
                Some((h, _)) => *h = self.m.or(*h, g),
                None => out.push((g, s)),
            }
        }
        out
    }

    /// `value` where `g` holds.
    pub fn restrict(&mut self, g: Bdd, v: &Sym) -> Sym {
        let mut out = Vec::with_capacity(v.len());
        for (h, s) in v {
            let gh = self.m.and(g, *h);
            if gh != FALSE {
                out.push((gh, s.clone()));
            }
        }
        out
    }

    /// A constant of the program.
    pub fn constant(&mut self, p: &Program, v: &Value) -> S {
        match v {
            Value::Unknown => S::Unknown,
            Value::Absent => S::Absent,
            Value::Bool(b) => S::Bool(*b),
            Value::Int(n) => S::Num(Kind::Int, Lin::constant(i128::from(*n))),
            Value::Date(d) => S::Num(Kind::Date, Lin::constant(day(*d))),
            Value::Text(t) => {
                let c = self.text(t);
                S::Num(Kind::Text, Lin::constant(c))
            }
            Value::Enum(e, i) => S::Enum(self.enum_value(p, *e, *i)),
            Value::Record(f) => S::Record(*f),
            // Decimals are not read symbolically yet (docs/verify.md): an
            // outcome that meets one is reported undecided, never proved.
            Value::Decimal(_) => {
                self.inexact += 1;
                self.decimals += 1;
                S::Unknown
            }
            Value::Days(n) => S::Num(Kind::Days, Lin::constant(i128::from(*n))),
            Value::Months(n, r) => S::Num(Kind::Months(*r), Lin::constant(i128::from(*n))),
        }
    }
}

/// A date's day number, as the evaluator counts it.
pub(crate) fn day(d: chrono::NaiveDate) -> i128 {
    i128::from(d.num_days_from_ce())
}

/// The assessment date of a side: a variable over an epoch, or one date.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AsOf {
    Var(NumVar),
    Fixed(i128),
}

/// Per rule, in one epoch.
#[derive(Clone, Debug)]
pub(crate) struct RuleSym {
    /// The condition holds (`applies` is Yes).
    pub applies: Bdd,
    /// The rule decides its outcome's known value.
    pub decides: Bdd,
}

/// The symbolic reading of one program in one epoch.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// Per outcome: its value (unknown where it conflicts).
    pub vals: Vec<Sym>,
    /// Per outcome: where it is in conflict.
    pub conflict: Vec<Bdd>,
    /// Per outcome: where some rule's condition holds.
    pub some_applies: Vec<Bdd>,
    /// Per outcome: per pair of its rules (indices into its rule list),
    /// where both are in effect with different values.
    pub pairs: Vec<Vec<(RuleId, RuleId, Bdd)>>,
    /// Per rule.
    pub rules: Vec<RuleSym>,
    /// Per program fact: its vocabulary index.
    pub fact_map: Vec<usize>,
}

/// Reads a program in an epoch: the outcomes of `only` (which must hold
/// every outcome they read), or all.
pub(crate) fn compile(
    sp: &mut Space,
    p: &Program,
    epoch: &Epoch,
    as_of: AsOf,
    only: Option<&std::collections::BTreeSet<OutcomeId>>,
) -> Compiled {
    let fact_map: Vec<usize> = p.facts().iter().map(|f| sp.fact(p, f)).collect();
    let mut c = Compiler {
        sp,
        p,
        epoch,
        as_of,
        fact_map: &fact_map,
        fact_cache: HashMap::new(),
        vals: vec![Vec::new(); p.outcomes().len()],
    };
    let n_out = p.outcomes().len();
    let mut conflict = vec![FALSE; n_out];
    let mut some_applies = vec![FALSE; n_out];
    let mut pairs = vec![Vec::new(); n_out];
    let mut rules: Vec<Option<RuleSym>> = vec![None; p.rules().len()];
    for &o in &p.order {
        if only.is_some_and(|s| !s.contains(&o)) {
            continue;
        }
        let Some(out) = p.outcome(o) else { continue };
        let d = c.decide(out, &mut rules);
        if let Some(slot) = c.vals.get_mut(o as usize) {
            *slot = d.value;
        }
        if let Some(slot) = conflict.get_mut(o as usize) {
            *slot = d.conflict;
        }
        if let Some(slot) = some_applies.get_mut(o as usize) {
            *slot = d.some_applies;
        }
        if let Some(slot) = pairs.get_mut(o as usize) {
            *slot = d.pairs;
        }
    }
    let vals = c.vals;
    let rules = rules
        .into_iter()
        .map(|r| {
            r.unwrap_or(RuleSym {
                applies: FALSE,
                decides: FALSE,
            })
        })
        .collect();
    Compiled {
        vals,
        conflict,
        some_applies,
        pairs,
        rules,
        fact_map,
    }
}

struct Decision {
    value: Sym,
    conflict: Bdd,
    some_applies: Bdd,
    pairs: Vec<(RuleId, RuleId, Bdd)>,
}

struct Compiler<'a> {
    sp: &'a mut Space,
    p: &'a Program,
    epoch: &'a Epoch,
    as_of: AsOf,
    fact_map: &'a [usize],
    fact_cache: HashMap<FactId, Sym>,
    vals: Vec<Sym>,
}

impl Compiler<'_> {
    fn fact(&mut self, f: FactId) -> Sym {
        if let Some(v) = self.fact_cache.get(&f) {
            return v.clone();
        }
        let (Some(&g), Some(fact)) = (self.fact_map.get(f as usize), self.p.fact(f)) else {
            return vec![(TRUE, S::Unknown)];
        };
        let sp = &mut *self.sp;
        let k = sp.known(g);
        let nk = sp.m.not(k);
        let mut v: Sym = vec![(nk, S::Unknown)];
        match fact.ty {
            Type::Bool => {
                let b = sp.truth(g);
                let t = sp.m.and(k, b);
                let f = sp.m.diff(k, b);
                v.push((t, S::Bool(true)));
                v.push((f, S::Bool(false)));
            }
            Type::Enum(e) => {
                // The first variant whose atom holds, else the last: every
                // assignment of the atoms is one value.
                let n = self
                    .p
                    .enums()
                    .get(e as usize)
                    .map_or(0, |t| t.variants.len());
                let mut rest = k;
                for i in 0..n {
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    let val = sp.enum_value(self.p, e, i);
                    let here = if i as usize + 1 == n {
                        rest
                    } else {
                        let a = sp.enum_is(g, i);
                        let here = sp.m.and(rest, a);
                        rest = sp.m.diff(rest, a);
                        here
                    };
                    v.push((here, S::Enum(val)));
                }
            }
            ty => {
                let kind = match ty {
                    Type::Int => Kind::Int,
                    Type::Date => Kind::Date,
                    _ => Kind::Text,
                };
                let x = sp.num(NumDef::Fact(g));
                v.push((k, S::Num(kind, Lin::var(x))));
            }
        }
        self.fact_cache.insert(f, v.clone());
        v
    }

    fn konst(&mut self, s: S) -> Sym {
        vec![(TRUE, s)]
    }

    /// Applies a function to every pair of guarded values.
    fn lift2(&mut self, a: &Sym, b: &Sym, f: impl Fn(&mut Space, &S, &S) -> Sym) -> Sym {
        let mut out = Vec::new();
        for (g, x) in a {
            for (h, y) in b {
                let gh = self.sp.m.and(*g, *h);
                if gh == FALSE {
                    continue;
                }
                for (k, s) in f(self.sp, x, y) {
                    let w = self.sp.m.and(gh, k);
                    if w != FALSE {
                        out.push((w, s));
                    }
                }
            }
        }
        self.sp.norm(out)
    }

    fn map(&mut self, a: &Sym, f: impl Fn(&mut Space, &S) -> Sym) -> Sym {
        let mut out = Vec::new();
        for (g, x) in a {
            for (k, s) in f(self.sp, x) {
                let w = self.sp.m.and(*g, k);
                if w != FALSE {
                    out.push((w, s));
                }
            }
        }
        self.sp.norm(out)
    }

    fn ex(&mut self, e: &Expr) -> Sym {
        match &e.kind {
            ExprKind::Const(c) => {
                let s = self.sp.constant(self.p, c);
                self.konst(s)
            }
            ExprKind::Fact(f) => self.fact(*f),
            ExprKind::Outcome(o) => self
                .vals
                .get(*o as usize)
                .cloned()
                .unwrap_or_else(|| vec![(TRUE, S::Unknown)]),
            ExprKind::Param(x) => {
                let v = self
                    .epoch
                    .params
                    .get(*x as usize)
                    .cloned()
                    .unwrap_or(Value::Unknown);
                let s = self.sp.constant(self.p, &v);
                self.konst(s)
            }
            ExprKind::Group(g) => {
                let first = self.p.groups.get(*g as usize).map_or(0, |x| x.first);
                self.konst(S::Record(first))
            }
            ExprKind::AsOf => {
                let t = match self.as_of {
                    AsOf::Var(x) => Lin::var(x),
                    AsOf::Fixed(d) => Lin::constant(d),
                };
                self.konst(S::Num(Kind::Date, t))
            }
            ExprKind::Local(_) => self.konst(S::Unknown),
            ExprKind::Not(x) => {
                let v = self.ex(x);
                self.map(&v, |_, s| {
                    vec![(
                        TRUE,
                        match s {
                            S::Bool(b) => S::Bool(!b),
                            s => s.clone(),
                        },
                    )]
                })
            }
            ExprKind::Neg(x) => {
                let v = self.ex(x);
                self.map(&v, |sp, s| {
                    vec![(
                        TRUE,
                        match s {
                            S::Num(Kind::Int, t) => match t.scale(-1) {
                                Some(t) => S::Num(Kind::Int, t),
                                None => {
                                    sp.inexact += 1;
                                    S::Unknown
                                }
                            },
                            s => s.clone(),
                        },
                    )]
                })
            }
            ExprKind::In(x, set, negated) => {
                let v = self.ex(x);
                let consts: Vec<S> = set.iter().map(|c| self.sp.constant(self.p, c)).collect();
                let negated = *negated;
                self.map(&v, |sp, s| {
                    if !s.is_known() {
                        return vec![(TRUE, s.clone())];
                    }
                    let mut hit = FALSE;
                    for c in &consts {
                        let h = sp.same(s, c);
                        hit = sp.m.or(hit, h);
                    }
                    let miss = sp.m.not(hit);
                    vec![(hit, S::Bool(!negated)), (miss, S::Bool(negated))]
                })
            }
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                let is_and = matches!(e.kind, ExprKind::And(..));
                let x = self.ex(a);
                let y = self.ex(b);
                self.lift2(&x, &y, |_, x, y| vec![(TRUE, kleene(is_and, x, y))])
            }
            ExprKind::Cmp(op, a, b) => {
                let x = self.ex(a);
                let y = self.ex(b);
                let op = *op;
                self.lift2(&x, &y, move |sp, x, y| compare(sp, op, x, y))
            }
            ExprKind::Arith(op, a, b) => {
                let x = self.ex(a);
                let y = self.ex(b);
                let op = *op;
                self.lift2(&x, &y, move |sp, x, y| vec![(TRUE, arith(sp, op, x, y))])
            }
            ExprKind::If(c, a, b) => {
                let cv = self.ex(c);
                let av = self.ex(a);
                let bv = self.ex(b);
                let mut out = Vec::new();
                for (g, s) in &cv {
                    match s {
                        S::Bool(true) => out.extend(self.sp.restrict(*g, &av)),
                        S::Bool(false) => out.extend(self.sp.restrict(*g, &bv)),
                        S::Unknown => {
                            // Known only where both branches agree.
                            let both = self.lift2(&av, &bv, |sp, x, y| {
                                if !x.is_known() {
                                    return vec![(TRUE, S::Unknown)];
                                }
                                let same = sp.same(x, y);
                                let differ = sp.m.not(same);
                                vec![(same, x.clone()), (differ, S::Unknown)]
                            });
                            out.extend(self.sp.restrict(*g, &both));
                        }
                        other => out.push((*g, other.clone())),
                    }
                }
                self.sp.norm(out)
            }
            // A decimal rounded to an integer: not read symbolically yet.
            ExprKind::Round(x, _) => {
                let v = self.ex(x);
                self.map(&v, |sp, _| {
                    sp.inexact += 1;
                    sp.decimals += 1;
                    vec![(TRUE, S::Unknown)]
                })
            }
            ExprKind::Days(n) => {
                let v = self.ex(n);
                self.map(&v, |_, s| {
                    vec![(
                        TRUE,
                        match s {
                            S::Num(Kind::Int, t) => S::Num(Kind::Days, t.clone()),
                            s => s.clone(),
                        },
                    )]
                })
            }
            ExprKind::Months(n, factor, r) => {
                let v = self.ex(n);
                let (factor, r) = (i128::from(*factor), *r);
                self.map(&v, |sp, s| {
                    vec![(
                        TRUE,
                        match s {
                            S::Num(Kind::Int, t) => match t.scale(factor) {
                                Some(t) => S::Num(Kind::Months(r), t),
                                None => {
                                    sp.inexact += 1;
                                    S::Unknown
                                }
                            },
                            s => s.clone(),
                        },
                    )]
                })
            }
            ExprKind::Call(_, _, body) => self.ex(body),
        }
    }

    /// One outcome, as `Machine::decide` and `combine` decide it.
    fn decide(&mut self, out: &Outcome, rules: &mut [Option<RuleSym>]) -> Decision {
        let m_rules: Vec<RuleId> = out.rules.clone();
        // Applicability.
        let mut applies_yes = HashMap::new();
        let mut applies_maybe = HashMap::new();
        for &r in &m_rules {
            let Some(rule) = self.p.rule(r) else { continue };
            let active = self
                .epoch
                .rule_active
                .get(r as usize)
                .copied()
                .unwrap_or(false);
            let (y, mb) = match (&rule.when, active) {
                (_, false) => (FALSE, FALSE),
                (None, true) => (TRUE, FALSE),
                (Some(c), true) => {
                    let v = self.ex(c);
                    let y = self.sp.guard(&v, |s| *s == S::Bool(true));
                    let mb = self.sp.guard(&v, |s| *s == S::Unknown);
                    (y, mb)
                }
            };
            applies_yes.insert(r, y);
            applies_maybe.insert(r, mb);
        }
        // Effect: defeated when any defeater applies, maybe when one may.
        let mut yes = Vec::new();
        let mut maybe = Vec::new();
        let mut values = Vec::new();
        for &r in &m_rules {
            let Some(rule) = self.p.rule(r) else { continue };
            let (mut by, mut bm) = (FALSE, FALSE);
            for d in &rule.defeaters {
                let dy = applies_yes.get(d).copied().unwrap_or(FALSE);
                let dm = applies_maybe.get(d).copied().unwrap_or(FALSE);
                by = self.sp.m.or(by, dy);
                bm = self.sp.m.or(bm, dm);
            }
            let below_no = {
                let e = self.sp.m.or(by, bm);
                self.sp.m.not(e)
            };
            let below_maybe = self.sp.m.diff(bm, by);
            let ay = applies_yes.get(&r).copied().unwrap_or(FALSE);
            let am = applies_maybe.get(&r).copied().unwrap_or(FALSE);
            let a_not_no = self.sp.m.or(ay, am);
            let y = self.sp.m.and(ay, below_no);
            let m1 = self.sp.m.and(a_not_no, below_maybe);
            let m2 = self.sp.m.and(am, below_no);
            let mb = self.sp.m.or(m1, m2);
            yes.push(y);
            maybe.push(mb);
            values.push(self.ex(&rule.value));
        }
        let n = yes.len();
        let sp = &mut *self.sp;
        let unknown: Vec<Bdd> = values
            .iter()
            .map(|v| sp.guard(v, |s| *s == S::Unknown))
            .collect();
        let cand: Vec<Bdd> = (0..n)
            .map(|i| sp.m.or(at(&yes, i), at(&maybe, i)))
            .collect();
        let mut conflict = FALSE;
        let mut agree = TRUE;
        let mut pairs = Vec::new();
        for i in 0..n {
            // A candidate's value must not be unknown for them to agree.
            let cu = sp.m.and(at(&cand, i), at(&unknown, i));
            agree = sp.m.diff(agree, cu);
            for j in i + 1..n {
                let (vi, vj) = (
                    values.get(i).cloned().unwrap_or_default(),
                    values.get(j).cloned().unwrap_or_default(),
                );
                let same = sp.same_sym(&vi, &vj);
                let both = sp.m.and(at(&yes, i), at(&yes, j));
                let definite = {
                    let u = sp.m.or(at(&unknown, i), at(&unknown, j));
                    sp.m.diff(both, u)
                };
                let pair = sp.m.diff(definite, same);
                conflict = sp.m.or(conflict, pair);
                if pair != FALSE {
                    pairs.push((at(&m_rules, i), at(&m_rules, j), pair));
                }
                let cc = sp.m.and(at(&cand, i), at(&cand, j));
                let differ = sp.m.diff(cc, same);
                agree = sp.m.diff(agree, differ);
            }
        }
        let any_yes = sp.m.any(yes.iter().copied());
        let any_maybe = sp.m.any(maybe.iter().copied());
        let yes_unknown = {
            let xs: Vec<Bdd> = (0..n)
                .map(|i| sp.m.and(at(&yes, i), at(&unknown, i)))
                .collect();
            sp.m.any(xs)
        };
        // The first rule in effect, and the first candidate, in rule order.
        let mut first_yes = Vec::new();
        let mut first_cand = Vec::new();
        let (mut no_yes_before, mut no_cand_before) = (TRUE, TRUE);
        for i in 0..n {
            first_yes.push(sp.m.and(no_yes_before, at(&yes, i)));
            first_cand.push(sp.m.and(no_cand_before, at(&cand, i)));
            no_yes_before = sp.m.diff(no_yes_before, at(&yes, i));
            no_cand_before = sp.m.diff(no_cand_before, at(&cand, i));
        }
        let some_applies = {
            let xs: Vec<Bdd> = m_rules
                .iter()
                .map(|r| applies_yes.get(r).copied().unwrap_or(FALSE))
                .collect();
            sp.m.any(xs)
        };
        // The default decides only while its line of documents is in force.
        let live = self.p.default_applies(&self.epoch.roots, out);
        let default: Sym = match out.default.as_ref().filter(|_| live) {
            Some(d) => self.ex(d),
            None => vec![(TRUE, S::Absent)],
        };
        let sp = &mut *self.sp;
        let no_conflict = sp.m.not(conflict);
        let mut value: Sym = vec![(conflict, S::Unknown)];
        // No rule in effect or maybe: the default.
        let none = {
            let e = sp.m.or(any_yes, any_maybe);
            let ne = sp.m.not(e);
            sp.m.and(no_conflict, ne)
        };
        value.extend(sp.restrict(none, &default));
        // Rules in effect, none maybe, none unknown: the first's value.
        let c_case = {
            let a = sp.m.diff(any_yes, any_maybe);
            let b = sp.m.diff(a, yes_unknown);
            sp.m.and(b, no_conflict)
        };
        let mut first_yes_value = Vec::new();
        for i in 0..n {
            let g = sp.m.and(c_case, at(&first_yes, i));
            let v = values.get(i).cloned().unwrap_or_default();
            first_yes_value.extend(sp.restrict(g, &v));
        }
        value.extend(first_yes_value);
        // Rules in effect and maybe, all agreeing: their common value.
        let d_case = {
            let a = sp.m.and(any_yes, any_maybe);
            let b = sp.m.and(a, agree);
            sp.m.and(b, no_conflict)
        };
        // No rule in effect, some maybe, all agreeing: decided when some
        // rule surely applies or the default agrees.
        let e_case = {
            let a = sp.m.diff(any_maybe, any_yes);
            let b = sp.m.and(a, agree);
            sp.m.and(b, no_conflict)
        };
        for i in 0..n {
            let v = values.get(i).cloned().unwrap_or_default();
            let g = sp.m.and(d_case, at(&first_cand, i));
            value.extend(sp.restrict(g, &v));
            let g = sp.m.and(e_case, at(&first_cand, i));
            for (h, s) in v {
                let gh = sp.m.and(g, h);
                if gh == FALSE {
                    continue;
                }
                let one = vec![(TRUE, s.clone())];
                let with_default = sp.same_sym(&default, &one);
                let ok = sp.m.or(some_applies, with_default);
                let decided = sp.m.and(gh, ok);
                let open = sp.m.diff(gh, ok);
                value.push((decided, s));
                value.push((open, S::Unknown));
            }
        }
        // Everything else: unknown.
        let covered = {
            let gs: Vec<Bdd> = value.iter().map(|(g, _)| *g).collect();
            sp.m.any(gs)
        };
        let rest = sp.m.not(covered);
        value.push((rest, S::Unknown));
        let value = sp.norm(value);
        // Which rule decides a known value: those in effect, or when none
        // is, the first candidate.
        let known = sp.guard(&value, S::is_known);
        for (i, &r) in m_rules.iter().enumerate() {
            let alone = sp.m.diff(at(&first_cand, i), any_yes);
            let by = sp.m.or(at(&yes, i), alone);
            let decides = sp.m.and(known, by);
            if let Some(slot) = rules.get_mut(r as usize) {
                *slot = Some(RuleSym {
                    applies: applies_yes.get(&r).copied().unwrap_or(FALSE),
                    decides,
                });
            }
        }
        Decision {
            value,
            conflict,
            some_applies,
            pairs,
        }
    }
}

fn at<T: Copy>(v: &[T], i: usize) -> T {
    *v.get(i).expect("per-rule tables have one entry per rule")
}

/// Unknown beats n/a.
fn unknown_or_absent(a: &S, b: &S) -> Option<S> {
    if *a == S::Unknown || *b == S::Unknown {
        Some(S::Unknown)
    } else if *a == S::Absent || *b == S::Absent {
        Some(S::Absent)
    } else {
        None
    }
}

/// Kleene `and` / `or`, with n/a between false and unknown.
fn kleene(is_and: bool, a: &S, b: &S) -> S {
    let decisive = S::Bool(!is_and);
    if *a == decisive || *b == decisive {
        return decisive;
    }
    if *a == S::Bool(is_and) && *b == S::Bool(is_and) {
        return S::Bool(is_and);
    }
    unknown_or_absent(a, b).unwrap_or(S::Unknown)
}

fn compare(sp: &mut Space, op: CmpOp, a: &S, b: &S) -> Sym {
    if let Some(v) = unknown_or_absent(a, b) {
        return vec![(TRUE, v)];
    }
    let split = |sp: &mut Space, t: Bdd| {
        let f = sp.m.not(t);
        vec![(t, S::Bool(true)), (f, S::Bool(false))]
    };
    match op {
        CmpOp::Eq | CmpOp::Ne => {
            let s = sp.same(a, b);
            let t = if op == CmpOp::Eq { s } else { sp.m.not(s) };
            split(sp, t)
        }
        _ => {
            let (S::Num(k, x), S::Num(l, y)) = (a, b) else {
                return vec![(TRUE, S::Bool(false))];
            };
            if k != l || !matches!(k, Kind::Int | Kind::Date) {
                return vec![(TRUE, S::Bool(false))];
            }
            // x - y ≤ -1, x - y ≤ 0, y - x ≤ -1, y - x ≤ 0.
            let (p, q, off) = match op {
                CmpOp::Lt => (x, y, 1),
                CmpOp::Le => (x, y, 0),
                CmpOp::Gt => (y, x, 1),
                _ => (y, x, 0),
            };
            match p.add_scaled(q, -1) {
                Some(mut d) => {
                    d.c += off;
                    let t = sp.le(&d);
                    split(sp, t)
                }
                None => {
                    sp.inexact += 1;
                    vec![(TRUE, S::Unknown)]
                }
            }
        }
    }
}

fn arith(sp: &mut Space, op: ArithOp, a: &S, b: &S) -> S {
    if let Some(v) = unknown_or_absent(a, b) {
        return v;
    }
    let (S::Num(k, x), S::Num(l, y)) = (a, b) else {
        return S::Unknown;
    };
    let lin = |sp: &mut Space, r: Option<Lin>, kind: Kind| match r {
        Some(t) => S::Num(kind, t),
        None => {
            sp.inexact += 1;
            S::Unknown
        }
    };
    let months = |sp: &mut Space, d: &Lin, n: Lin, r: Rounding| -> S {
        if let (Some(d), Some(n)) = (d.as_const(), n.as_const()) {
            let moved = i32::try_from(d)
                .ok()
                .and_then(chrono::NaiveDate::from_num_days_from_ce_opt)
                .zip(i64::try_from(n).ok())
                .and_then(|(d, n)| crate::eval::add_months(d, n, r));
            if let Some(m) = moved {
                return S::Num(Kind::Date, Lin::constant(day(m)));
            }
        }
        let v = sp.num(NumDef::Months(d.clone(), n, r));
        sp.inexact += 1;
        S::Num(Kind::Date, Lin::var(v))
    };
    match (op, k, l) {
        (ArithOp::Add, Kind::Int, Kind::Int) => lin(sp, x.add_scaled(y, 1), Kind::Int),
        (ArithOp::Sub, Kind::Int, Kind::Int) | (ArithOp::Sub, Kind::Date, Kind::Date) => {
            lin(sp, x.add_scaled(y, -1), Kind::Int)
        }
        (ArithOp::Mul, Kind::Int, Kind::Int) => match (x.as_const(), y.as_const()) {
            (Some(c), _) => lin(sp, y.scale(c), Kind::Int),
            (_, Some(c)) => lin(sp, x.scale(c), Kind::Int),
            _ => {
                let v = sp.num(NumDef::Product(x.clone(), y.clone()));
                sp.inexact += 1;
                S::Num(Kind::Int, Lin::var(v))
            }
        },
        (ArithOp::Add, Kind::Date, Kind::Days) | (ArithOp::Add, Kind::Days, Kind::Date) => {
            lin(sp, x.add_scaled(y, 1), Kind::Date)
        }
        (ArithOp::Sub, Kind::Date, Kind::Days) => lin(sp, x.add_scaled(y, -1), Kind::Date),
        (ArithOp::Add, Kind::Date, Kind::Months(r)) => months(sp, x, y.clone(), *r),
        (ArithOp::Add, Kind::Months(r), Kind::Date) => months(sp, y, x.clone(), *r),
        (ArithOp::Sub, Kind::Date, Kind::Months(r)) => match y.scale(-1) {
            Some(n) => months(sp, x, n, *r),
            None => {
                sp.inexact += 1;
                S::Unknown
            }
        },
        _ => S::Unknown,
    }
}
