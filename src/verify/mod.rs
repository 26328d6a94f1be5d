//! `regula verify`: statements about every case, not a corpus.
//!
//! The program is read symbolically (`sym`): every outcome's value,
//! every rule's applicability and effect, as decision diagrams (`bdd`)
//! over atoms — a fact known, a truth value, an enum value, a comparison of
//! integer terms (`theory`). A question (can these two rules both be in
//! effect with different values? can this rule ever decide?) is a diagram;
//! a path through it is a candidate, whose comparisons are decided exactly
//! for difference constraints (a negative cycle is a theory lemma that
//! removes every path of the question sharing it). A candidate that survives becomes a
//! concrete case, and the one evaluator (`src/eval/machine.rs`) must show
//! the finding on it before it is reported: a finding is never a false
//! alarm. An empty diagram (after the lemmas) is a proof that no case has
//! the finding; a candidate the exact fragment cannot decide, or that the
//! evaluator does not confirm, makes the answer *undecided*, said in the
//! output, never *clean*. See `docs/verify.md`.
pub(crate) mod bdd;
pub(crate) mod sym;
pub(crate) mod theory;

use crate::eval::{Record, Tri, Workspace};
use crate::program::*;
use bdd::{Bdd, FALSE, TRUE};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use sym::{day, AsOf, Atom, Compiled, GType, Space, S};
use theory::{decide, Decision, NumDef, NumVar};

/// Candidates tried per question before it is left undecided.
pub const MAX_CANDIDATES: usize = 4096;

/// What a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingKind {
    /// Two rules not ordered by `exception to` in effect with different values.
    Conflict,
    /// A case where every fact the outcome reads is known and it is neither
    /// decided nor n/a by design.
    Gap,
    /// Two versions (or two dates) give the outcome different values.
    Difference,
    /// A rule that decides its outcome in no case.
    DeadRule,
    /// An exception that can never override its base rule.
    DeadException,
}

impl FindingKind {
    /// Whether it is an error (else a warning).
    pub fn is_error(self) -> bool {
        matches!(
            self,
            FindingKind::Conflict | FindingKind::Gap | FindingKind::Difference
        )
    }
    /// The name used in output.
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::Conflict => "conflict",
            FindingKind::Gap => "gap",
            FindingKind::Difference => "difference",
            FindingKind::DeadRule => "dead rule",
            FindingKind::DeadException => "dead exception",
        }
    }
    /// The file-name stem of its counterexamples.
    pub fn slug(self) -> &'static str {
        match self {
            FindingKind::Conflict => "conflict",
            FindingKind::Gap => "gap",
            FindingKind::Difference => "difference",
            FindingKind::DeadRule => "dead-rule",
            FindingKind::DeadException => "dead-exception",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Finding {
    /// What it is.
    pub kind: FindingKind,
    /// The outcome.
    pub outcome: String,
    /// The rules concerned.
    pub rules: Vec<String>,
    /// The same rules by id in the (new) program: a name may stand for
    /// several versions of a rule.
    #[serde(skip)]
    pub rule_ids: Vec<RuleId>,
    /// One sentence.
    pub message: String,
    /// A case showing it (for conflicts, gaps and differences), as case JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<serde_json::Value>,
    /// For a difference: the condition on the facts under which the
    /// versions differ (a disjunction of conjunctions, possibly cut short).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub condition: Vec<String>,
    /// Whether `condition` was cut short.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub condition_truncated: bool,
}

/// How a question about one outcome came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Proved for every case.
    Proved,
    /// Found (with a counterexample where one exists).
    Found,
    /// Neither: a candidate outside the exact fragment, or the bound of
    /// candidates reached.
    Undecided,
    /// Not asked.
    NotChecked,
}

impl Verdict {
    fn join(self, other: Verdict) -> Verdict {
        use Verdict::*;
        match (self, other) {
            (Found, _) | (_, Found) => Found,
            (Undecided, _) | (_, Undecided) => Undecided,
            (Proved, _) | (_, Proved) => Proved,
            _ => NotChecked,
        }
    }
}

/// One outcome's line of the table.
#[derive(Clone, Debug, serde::Serialize)]
pub struct OutcomeRow {
    /// The outcome.
    pub outcome: String,
    /// Its rules.
    pub rules: usize,
    /// Conflicts.
    pub conflicts: Verdict,
    /// Gaps.
    pub gaps: Verdict,
    /// Dead rules and exceptions.
    pub dead: Verdict,
    /// Equivalence of the two versions or dates (when compared).
    pub difference: Verdict,
}

/// What `verify` found.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    /// Per outcome, in the program's order.
    pub outcomes: Vec<OutcomeRow>,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// What was left undecided, and why.
    pub undecided: Vec<String>,
    /// The periods of constant law examined.
    pub periods: usize,
    /// Terms outside the exact fragment (products, months) in the reading
    /// of one outcome with the outcomes it reads, at most.
    pub inexact_terms: usize,
}

impl Report {
    /// Findings that are errors.
    pub fn errors(&self) -> usize {
        self.findings.iter().filter(|f| f.kind.is_error()).count()
    }
    /// Findings that are warnings.
    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// A model: the truth of every atom on a path and a value per numeric
/// variable.
#[derive(Clone, Debug, Default)]
struct Model {
    bools: HashMap<u32, bool>,
    nums: HashMap<NumVar, i128>,
}

/// A concrete case for one program.
#[derive(Clone, Debug)]
struct Concrete {
    facts: Vec<Value>,
    as_of: NaiveDate,
}

enum Found {
    Case(Model),
    None,
    Undecided(&'static str),
}

/// One side of a question: a program, its epoch and its reading.
struct Side {
    as_of: AsOf,
}

struct Verifier {
    sp: Space,
    /// Bounds of the assessment-date variables in the current period.
    as_of_bounds: Vec<(NumVar, Option<i128>, Option<i128>)>,
    /// A fixed assessment date, when comparing two dates.
    start: Option<i128>,
}

/// The dates a case can state (`YYYY-MM-DD`).
fn date_bounds() -> (i128, i128) {
    let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).map_or(0, day);
    (d(1, 1, 1), d(9999, 12, 31))
}

impl Verifier {
    fn new() -> Verifier {
        Verifier {
            sp: Space::default(),
            as_of_bounds: Vec::new(),
            start: None,
        }
    }

    fn bounds(&self) -> Vec<(NumVar, Option<i128>, Option<i128>)> {
        let (dmin, dmax) = date_bounds();
        let int = (Some(i128::from(i64::MIN)), Some(i128::from(i64::MAX)));
        let mut out = self.as_of_bounds.clone();
        for (x, d) in self.sp.nums.iter().enumerate() {
            let x = u32::try_from(x).unwrap_or(u32::MAX);
            let b = match d {
                NumDef::Fact(g) => match self.sp.facts.get(*g).map(|f| (&f.ty, f.min)) {
                    Some((GType::Int, min)) => (
                        Some(i128::from(min.unwrap_or(i64::MIN))),
                        Some(i128::from(i64::MAX)),
                    ),
                    Some((GType::Date, _)) => (Some(dmin), Some(dmax)),
                    _ => (None, None),
                },
                NumDef::AsOf(_) => continue,
                NumDef::Product(..) => int,
                NumDef::Months(..) => (Some(dmin), Some(dmax)),
            };
            out.push((x, b.0, b.1));
        }
        out
    }

    /// Per numeric variable, the value it takes unless pushed away: dates
    /// at the start of the period examined, numbers at their least
    /// non-negative value.
    fn preferences(&self) -> Vec<i128> {
        let start = self
            .start
            .or_else(|| self.as_of_bounds.first().and_then(|b| b.1.or(b.2)))
            .unwrap_or(0);
        self.sp
            .nums
            .iter()
            .map(|d| match d {
                NumDef::Fact(g) => match self.sp.facts.get(*g).map(|f| (&f.ty, f.min)) {
                    Some((GType::Date, _)) => start,
                    Some((GType::Int, min)) => i128::from(min.unwrap_or(0).max(0)),
                    _ => 0,
                },
                NumDef::AsOf(_) | NumDef::Months(..) => start,
                NumDef::Product(..) => 0,
            })
            .collect()
    }

    /// Searches the cases of `f` for one the evaluator confirms.
    fn search(&mut self, f: Bdd, confirm: &mut dyn FnMut(&Verifier, &Model) -> bool) -> Found {
        let mut f = f;
        let mut why: Option<&'static str> = None;
        let bounds = self.bounds();
        let nums = self.sp.nums.clone();
        let defs = |x: NumVar| nums.get(x as usize).cloned();
        let prefer = self.preferences();
        let prefer = |x: NumVar| prefer.get(x as usize).copied().unwrap_or(0);
        for _ in 0..MAX_CANDIDATES {
            let Some(path) = self.sp.m.path(f) else {
                return match why {
                    Some(w) => Found::Undecided(w),
                    None => Found::None,
                };
            };
            let mut lits = Vec::new();
            let mut lit_vars = Vec::new();
            for &(v, pos) in &path {
                if let Some(Atom::Le(le)) = self.sp.atoms.get(&v) {
                    lits.push(le.literal(pos));
                    lit_vars.push((v, pos));
                }
            }
            match decide(&lits, &bounds, &prefer, &defs) {
                Decision::Unsat(core) => {
                    let core: Vec<(u32, bool)> = core
                        .iter()
                        .filter_map(|&i| lit_vars.get(i).copied())
                        .collect();
                    // Valid in every case; conjoined to this question only,
                    // since one diagram of every lemma grows past the
                    // questions it would serve.
                    let c = self.sp.m.cube(&core);
                    f = self.sp.m.diff(f, c);
                }
                Decision::Sat(nums) => {
                    let model = Model {
                        bools: path.iter().copied().collect(),
                        nums,
                    };
                    if confirm(self, &model) {
                        return Found::Case(model);
                    }
                    why = Some("a candidate case the evaluator did not confirm");
                    let c = self.sp.m.cube(&path);
                    f = self.sp.m.diff(f, c);
                }
                Decision::Undecided => {
                    why = Some("comparisons outside the exact fragment (products or months of unknown terms)");
                    let c = self.sp.m.cube(&path);
                    f = self.sp.m.diff(f, c);
                }
            }
        }
        Found::Undecided("the bound of candidate cases per question was reached")
    }

    fn truth(&self, m: &Model, g: usize, code: u32) -> bool {
        self.sp
            .fact_var(g, code)
            .and_then(|v| m.bools.get(&v))
            .copied()
            .unwrap_or(false)
    }

    /// The case a model describes, for one program.
    fn concrete(&self, m: &Model, side: &Side, fact_map: &[usize]) -> Option<Concrete> {
        let as_of = match side.as_of {
            AsOf::Fixed(d) => d,
            AsOf::Var(x) => m.nums.get(&x).copied().unwrap_or_else(|| {
                self.as_of_bounds
                    .iter()
                    .find(|b| b.0 == x)
                    .and_then(|b| b.1.or(b.2))
                    .unwrap_or(day(NaiveDate::MIN))
            }),
        };
        let as_of = date_of(as_of)?;
        let mut facts = Vec::with_capacity(fact_map.len());
        for (f, &g) in fact_map.iter().enumerate() {
            let _ = f;
            facts.push(self.value(m, g, as_of)?);
        }
        Some(Concrete { facts, as_of })
    }

    fn value(&self, m: &Model, g: usize, as_of: NaiveDate) -> Option<Value> {
        let Some(fact) = self.sp.facts.get(g) else {
            return Some(Value::Unknown);
        };
        if !self.truth(m, g, u32::MAX) {
            return Some(Value::Unknown);
        }
        let num = |d: i128| {
            self.sp
                .num_of(&NumDef::Fact(g))
                .and_then(|x| m.nums.get(&x))
                .copied()
                .unwrap_or(d)
        };
        Some(match &fact.ty {
            GType::Bool => Value::Bool(self.truth(m, g, u32::MAX - 1)),
            GType::Enum(_, vs) => {
                let n = vs.len();
                let i = (0..n)
                    .find(|&i| i + 1 < n && self.truth(m, g, u32::try_from(i).unwrap_or(0)))
                    .unwrap_or(n.saturating_sub(1));
                // The enum id is resolved per program by `to_program`.
                Value::Enum(u32::MAX, u32::try_from(i).unwrap_or(0))
            }
            GType::Int => {
                Value::Int(i64::try_from(num(i128::from(fact.min.unwrap_or(0).max(0)))).ok()?)
            }
            GType::Date => Value::Date(date_of(num(day(as_of)))?),
            GType::Text => {
                let code = num(-1);
                let t = usize::try_from(code)
                    .ok()
                    .and_then(|c| self.sp.texts.get(c))
                    .cloned();
                Value::Text(t.unwrap_or_else(|| fresh_text(&self.sp.texts, code)))
            }
        })
    }
}

/// A text none of the program's constants is.
fn fresh_text(texts: &[std::sync::Arc<str>], code: i128) -> std::sync::Arc<str> {
    let mut s = format!("〈其他{}〉", code.unsigned_abs());
    while texts.iter().any(|t| **t == *s) {
        s.push('′');
    }
    s.into()
}

fn date_of(d: i128) -> Option<NaiveDate> {
    i32::try_from(d)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// Resolves the enum values of a case made for the vocabulary to a program.
fn to_program(p: &Program, mut c: Concrete) -> Concrete {
    for (f, v) in c.facts.iter_mut().enumerate() {
        if let (Value::Enum(_, i), Some(fact)) = (&*v, p.facts().get(f)) {
            if let Type::Enum(e) = fact.ty {
                *v = Value::Enum(e, *i);
            }
        }
    }
    c
}

/// Evaluates a concrete case with the one evaluator.
fn run(p: &Program, ws: &mut Workspace, c: &Concrete) -> bool {
    ws.evaluate(
        p,
        &c.facts,
        c.as_of,
        Record {
            cites: false,
            derivations: false,
        },
    )
    .is_ok()
}

/// A case as the case JSON `regula eval` reads: facts nested by their
/// dotted names, unknown facts left out.
fn case_json(p: &Program, c: &Concrete) -> serde_json::Value {
    let mut root = serde_json::Map::new();
    root.insert(
        "as_of".into(),
        serde_json::Value::String(c.as_of.format("%Y-%m-%d").to_string()),
    );
    let mut named: Vec<(&str, serde_json::Value)> = p
        .facts()
        .iter()
        .zip(&c.facts)
        .filter(|(_, v)| v.is_known())
        .map(|(f, v)| (f.name.as_str(), p.value_json(v)))
        .collect();
    named.sort_by(|a, b| a.0.cmp(b.0));
    for (name, v) in named {
        let mut parts: Vec<&str> = name.split('.').collect();
        let last = parts.pop().unwrap_or(name);
        let mut obj = &mut root;
        for part in parts {
            let entry = obj
                .entry(part.to_string())
                .or_insert_with(|| serde_json::Value::Object(Default::default()));
            if !entry.is_object() {
                *entry = serde_json::Value::Object(Default::default());
            }
            obj = match entry {
                serde_json::Value::Object(m) => m,
                _ => return serde_json::Value::Object(root),
            };
        }
        obj.insert(last.to_string(), v);
    }
    serde_json::Value::Object(root)
}

/// Drops facts one by one (by name) while the case still shows the finding.
fn minimise(p: &Program, c: Concrete, shows: &mut dyn FnMut(&Concrete) -> bool) -> Concrete {
    let mut c = c;
    let mut order: Vec<usize> = (0..c.facts.len()).collect();
    order.sort_by(|a, b| {
        let n = |i: &usize| p.facts().get(*i).map(|f| f.name.clone());
        n(a).cmp(&n(b))
    });
    for i in order {
        let Some(v) = c.facts.get(i).cloned() else {
            continue;
        };
        if !v.is_known() {
            continue;
        }
        if let Some(slot) = c.facts.get_mut(i) {
            *slot = Value::Unknown;
        }
        if !shows(&c) {
            if let Some(slot) = c.facts.get_mut(i) {
                *slot = v;
            }
        }
    }
    c
}

/// The facts an outcome reads, directly or through the outcomes it reads.
fn cones(p: &Program) -> (Vec<BTreeSet<FactId>>, Vec<BTreeSet<OutcomeId>>) {
    let n = p.outcomes().len();
    let mut facts = vec![BTreeSet::new(); n];
    let mut outs = vec![BTreeSet::new(); n];
    for &o in &p.order {
        let Some(out) = p.outcome(o) else { continue };
        let mut r = crate::graph::Reads::default();
        for &x in &out.rules {
            if let Some(rule) = p.rule(x) {
                for e in rule.when.iter().chain(std::iter::once(&rule.value)) {
                    crate::graph::reads(p, e, &mut r);
                }
            }
        }
        for e in out.default.iter() {
            crate::graph::reads(p, e, &mut r);
        }
        // The outcomes read are decided earlier: their cones are complete.
        let mut fs = r.facts;
        let mut os = r.outcomes.clone();
        for x in &r.outcomes {
            if let Some(up) = facts.get(*x as usize) {
                fs.extend(up.iter().copied());
            }
            if let Some(up) = outs.get(*x as usize) {
                os.extend(up.iter().copied());
            }
        }
        if let Some(slot) = facts.get_mut(o as usize) {
            *slot = fs;
        }
        if let Some(slot) = outs.get_mut(o as usize) {
            *slot = os;
        }
    }
    (facts, outs)
}

/// The periods in force of a program, as (from, to, epoch).
fn periods(p: &Program) -> Vec<(Option<NaiveDate>, Option<NaiveDate>, &Epoch)> {
    p.epochs
        .iter()
        .filter(|e| e.in_force.is_some())
        .map(|e| (e.from, e.to, e))
        .collect()
}

fn bounds_of(
    x: NumVar,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (NumVar, Option<i128>, Option<i128>) {
    let (dmin, dmax) = date_bounds();
    (x, Some(from.map_or(dmin, day)), Some(to.map_or(dmax, day)))
}

/// Which questions to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scope {
    /// Gaps.
    pub gaps: bool,
    /// Dead exceptions.
    pub exceptions: bool,
}

impl Scope {
    /// Every question.
    pub const ALL: Scope = Scope {
        gaps: true,
        exceptions: true,
    };
    /// The cheap part `regula check` runs: conflicts and dead rules.
    pub const CHEAP: Scope = Scope {
        gaps: false,
        exceptions: false,
    };
}

/// Verifies one program: conflicts, gaps, dead rules and dead exceptions,
/// over every case in every period of constant law in force.
pub fn verify(p: &Program) -> Report {
    verify_with(p, Scope::ALL)
}

/// Verifies one program, asking the questions of `scope` (conflicts and
/// dead rules always).
pub fn verify_with(p: &Program, scope: Scope) -> Report {
    let mut report = Report::default();
    let mut inexact = 0;
    let mut ws = Workspace::new(p);
    let (fact_cones, outcome_cones) = cones(p);
    let n_out = p.outcomes().len();
    let mut conflicts = vec![Verdict::NotChecked; n_out];
    let mut gaps = vec![Verdict::NotChecked; n_out];
    let mut dead = vec![Verdict::Proved; n_out];
    let mut found_pairs: BTreeSet<(RuleId, RuleId)> = BTreeSet::new();
    // Per rule: Some(true) once it decides in some case; None if undecided.
    let mut decides: Vec<Option<bool>> = vec![Some(false); p.rules().len()];
    let mut overrides: HashMap<(RuleId, RuleId), Option<bool>> = HashMap::new();
    // Per outcome: read with a term the procedure does not model (a decimal):
    // that a rule never decides it is then not proved, only undecided.
    let mut inexact_outcome = vec![false; n_out];
    let ps = periods(p);
    report.periods = ps.len();
    for (from, to, epoch) in ps {
        // One outcome at a time, with the outcomes it reads, in a space of
        // its own: memory stays that of the largest cone.
        for &o in &p.order {
            let Some(out) = p.outcome(o) else { continue };
            let oi = o as usize;
            let mut v = Verifier::new();
            let as_of = v.sp.num(NumDef::AsOf(0));
            v.as_of_bounds = vec![bounds_of(as_of, from, to)];
            let mut only = outcome_cones.get(oi).cloned().unwrap_or_default();
            only.insert(o);
            let c = sym::compile(&mut v.sp, p, epoch, AsOf::Var(as_of), Some(&only));
            inexact = inexact.max(v.sp.inexact);
            let decimals = v.sp.decimals > 0;
            if decimals {
                if let Some(x) = inexact_outcome.get_mut(oi) {
                    *x = true;
                }
            }
            let side = Side {
                as_of: AsOf::Var(as_of),
            };
            let fact_map = c.fact_map.clone();
            let make = |v: &Verifier, m: &Model| -> Option<Concrete> {
                v.concrete(m, &side, &fact_map).map(|c| to_program(p, c))
            };
            // Conflicts, pair by pair.
            let pairs = c.pairs.get(oi).cloned().unwrap_or_default();
            let mut verdict = Verdict::Proved;
            for (r, s, f) in pairs {
                if found_pairs.contains(&(r, s)) {
                    verdict = Verdict::Found;
                    continue;
                }
                let mut shows = |c: &Concrete| {
                    run(p, &mut ws, c)
                        && ws.ev.outcomes.get(oi).is_some_and(|x| x.conflict)
                        && ws.ev.effective.get(r as usize) == Some(&Tri::Yes)
                        && ws.ev.effective.get(s as usize) == Some(&Tri::Yes)
                };
                let found = v.search(f, &mut |v, m| make(v, m).is_some_and(|c| shows(&c)));
                match found {
                    Found::Case(m) => {
                        let Some(case) = make(&v, &m) else { continue };
                        let case = minimise(p, case, &mut shows);
                        found_pairs.insert((r, s));
                        verdict = Verdict::Found;
                        let names = p.rule_names(&[r, s]);
                        report.findings.push(Finding {
                            kind: FindingKind::Conflict,
                            outcome: out.name.clone(),
                            rules: names.iter().map(|s| s.to_string()).collect(),
                            rule_ids: vec![r, s],
                            message: format!(
                                "rules `{}` and `{}` are both in effect with different values, and neither is an exception to the other",
                                names.first().unwrap_or(&""),
                                names.get(1).unwrap_or(&"")
                            ),
                            case: Some(case_json(p, &case)),
                            condition: Vec::new(),
                            condition_truncated: false,
                        });
                    }
                    Found::None => {}
                    Found::Undecided(why) => {
                        verdict = verdict.join(Verdict::Undecided);
                        report.undecided.push(format!(
                            "{}: whether rules `{}` conflict: {why}",
                            out.name,
                            p.rule_names(&[r, s]).join("` and `")
                        ));
                    }
                }
            }
            if decimals && verdict == Verdict::Proved {
                verdict = Verdict::Undecided;
                report.undecided.push(format!(
                    "{}: whether rules conflict: it reads a decimal, which the procedure does not model",
                    out.name
                ));
            }
            if let Some(slot) = conflicts.get_mut(oi) {
                *slot = slot.join(verdict);
            }
            // Gaps: every fact it reads known, no conflict upstream, and
            // neither decided nor n/a by design.
            let mut g = if scope.gaps { TRUE } else { FALSE };
            for f in fact_cones.get(oi).into_iter().flatten() {
                if let Some(&gf) = fact_map.get(*f as usize) {
                    let k = v.sp.known(gf);
                    g = v.sp.m.and(g, k);
                }
            }
            let mut upstream: Vec<OutcomeId> = outcome_cones
                .get(oi)
                .map(|s| s.iter().copied().collect())
                .unwrap_or_default();
            upstream.push(o);
            for u in &upstream {
                let cf = c.conflict.get(*u as usize).copied().unwrap_or(FALSE);
                g = v.sp.m.diff(g, cf);
            }
            let val = c.vals.get(oi).cloned().unwrap_or_default();
            let known = v.sp.guard(&val, S::is_known);
            g = v.sp.m.diff(g, known);
            // A default decides only while its line of documents is in force.
            let has_default = out.default.is_some() && p.default_applies(&epoch.roots, out);
            if !has_default {
                let sa = c.some_applies.get(oi).copied().unwrap_or(FALSE);
                g = v.sp.m.and(g, sa);
            }
            let cone: Vec<FactId> = fact_cones.get(oi).into_iter().flatten().copied().collect();
            let mut shows_gap = |c: &Concrete| {
                run(p, &mut ws, c)
                    && cone
                        .iter()
                        .all(|f| c.facts.get(*f as usize).is_some_and(Value::is_known))
                    && upstream
                        .iter()
                        .all(|u| ws.ev.outcomes.get(*u as usize).is_some_and(|x| !x.conflict))
                    && ws.ev.outcomes.get(oi).is_some_and(|x| !x.value.is_known())
                    && (has_default
                        || out
                            .rules
                            .iter()
                            .any(|r| ws.ev.applies.get(*r as usize) == Some(&Tri::Yes)))
            };
            let verdict = match v.search(g, &mut |v, m| make(v, m).is_some_and(|c| shows_gap(&c))) {
                Found::Case(m) => match make(&v, &m) {
                    Some(case) => {
                        report.findings.push(Finding {
                            kind: FindingKind::Gap,
                            outcome: out.name.clone(),
                            rules: Vec::new(),
                            rule_ids: Vec::new(),
                            message: format!(
                                "every fact `{}` reads is known, a rule applies{}, and yet it is {}",
                                out.name,
                                if has_default { " or its default does" } else { "" },
                                if ws.ev.outcomes.get(oi).is_some_and(|x| x.value == Value::Absent) {
                                    "n/a"
                                } else {
                                    "unknown"
                                }
                            ),
                            case: Some(case_json(p, &case)),
                            condition: Vec::new(),
                            condition_truncated: false,
                        });
                        Verdict::Found
                    }
                    None => Verdict::Undecided,
                },
                Found::None if decimals && scope.gaps => {
                    report.undecided.push(format!(
                        "{}: whether it has a gap: it reads a decimal, which the procedure does not model",
                        out.name
                    ));
                    Verdict::Undecided
                }
                Found::None => Verdict::Proved,
                Found::Undecided(why) => {
                    report
                        .undecided
                        .push(format!("{}: whether it has a gap: {why}", out.name));
                    Verdict::Undecided
                }
            };
            if let Some(slot) = gaps.get_mut(oi) {
                // A gap found in one period stays found.
                if scope.gaps {
                    *slot = slot.join(verdict);
                }
            }
            // Dead rules: does each rule decide in some case?
            for &r in &out.rules {
                if decides.get(r as usize) != Some(&Some(false)) {
                    continue;
                }
                let f = c.rules.get(r as usize).map_or(FALSE, |x| x.decides);
                let mut shows = |c: &Concrete| {
                    run(p, &mut ws, c)
                        && ws.ev.outcomes.get(oi).is_some_and(|x| {
                            x.value.is_known()
                                && !x.conflict
                                && (ws.ev.effective.get(r as usize) == Some(&Tri::Yes)
                                    || (x.decided_by == Some(r)
                                        && !out.rules.iter().any(|q| {
                                            ws.ev.effective.get(*q as usize) == Some(&Tri::Yes)
                                        })))
                        })
                };
                let res = match v.search(f, &mut |v, m| make(v, m).is_some_and(|c| shows(&c))) {
                    Found::Case(_) => Some(true),
                    Found::None => Some(false),
                    Found::Undecided(why) => {
                        report.undecided.push(format!(
                            "{}: whether rule `{}` ever decides: {why}",
                            out.name,
                            p.rule(r).map_or("", |x| x.name.as_str())
                        ));
                        None
                    }
                };
                if let Some(slot) = decides.get_mut(r as usize) {
                    *slot = res;
                }
            }
            // Dead exceptions: can the exception and its base both apply?
            for &e in out.rules.iter().filter(|_| scope.exceptions) {
                let Some(rule) = p.rule(e) else { continue };
                for &b in &rule.exception_to {
                    let key = (e, b);
                    if overrides.get(&key).is_some_and(|x| *x != Some(false)) {
                        continue;
                    }
                    let ae = c.rules.get(e as usize).map_or(FALSE, |x| x.applies);
                    let ab = c.rules.get(b as usize).map_or(FALSE, |x| x.applies);
                    let f = v.sp.m.and(ae, ab);
                    let mut shows = |c: &Concrete| {
                        run(p, &mut ws, c)
                            && ws.ev.applies.get(e as usize) == Some(&Tri::Yes)
                            && ws.ev.applies.get(b as usize) == Some(&Tri::Yes)
                    };
                    let res = match v.search(f, &mut |v, m| make(v, m).is_some_and(|c| shows(&c))) {
                        Found::Case(_) => Some(true),
                        Found::None => Some(false),
                        Found::Undecided(why) => {
                            report.undecided.push(format!(
                                "{}: whether exception `{}` can override `{}`: {why}",
                                out.name,
                                rule.name,
                                p.rule(b).map_or("", |x| x.name.as_str())
                            ));
                            None
                        }
                    };
                    overrides.insert(key, res);
                }
            }
        }
    }
    for (r, d) in decides.iter_mut().enumerate() {
        let Some(rule) = p.rules().get(r) else {
            continue;
        };
        let oi = rule.outcome as usize;
        if *d == Some(false) && inexact_outcome.get(oi).copied().unwrap_or(false) {
            report.undecided.push(format!(
                "{}: whether rule `{}` decides in some case: it reads a decimal, which the procedure does not model",
                p.outcome(rule.outcome).map_or("", |o| o.name.as_str()),
                rule.name
            ));
            *d = None;
        }
        match d {
            Some(false) => {
                if let Some(slot) = dead.get_mut(oi) {
                    *slot = Verdict::Found;
                }
                report.findings.push(Finding {
                    kind: FindingKind::DeadRule,
                    outcome: p.outcome(rule.outcome).map(|o| o.name.clone()).unwrap_or_default(),
                    rules: vec![rule.name.clone()],
                    rule_ids: vec![u32::try_from(r).unwrap_or(u32::MAX)],
                    message: format!(
                        "rule `{}`{} decides its outcome in no case: it never applies, is always overridden, or always agrees with a rule that decides first",
                        rule.name,
                        version(p, rule)
                    ),
                    case: None,
                    condition: Vec::new(),
                    condition_truncated: false,
                });
            }
            None => {
                if let Some(slot) = dead.get_mut(oi) {
                    *slot = slot.join(Verdict::Undecided);
                }
            }
            Some(true) => {}
        }
    }
    let mut overrides: Vec<_> = overrides.into_iter().collect();
    overrides.sort();
    for ((e, b), res) in overrides {
        let (Some(er), Some(br)) = (p.rule(e), p.rule(b)) else {
            continue;
        };
        let oi = er.outcome as usize;
        let res = match res {
            Some(false) if inexact_outcome.get(oi).copied().unwrap_or(false) => {
                report.undecided.push(format!(
                    "{}: whether exception `{}` can override `{}`: it reads a decimal, which the procedure does not model",
                    p.outcome(er.outcome).map_or("", |o| o.name.as_str()),
                    er.name,
                    br.name
                ));
                None
            }
            r => r,
        };
        match res {
            Some(false) => {
                if let Some(slot) = dead.get_mut(oi) {
                    *slot = Verdict::Found;
                }
                report.findings.push(Finding {
                    kind: FindingKind::DeadException,
                    outcome: p
                        .outcome(er.outcome)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                    rules: vec![er.name.clone(), br.name.clone()],
                    rule_ids: vec![e, b],
                    message: format!(
                        "exception `{}`{} never overrides `{}`{}: in no case do both conditions hold",
                        er.name,
                        version(p, er),
                        br.name,
                        version(p, br)
                    ),
                    case: None,
                    condition: Vec::new(),
                    condition_truncated: false,
                });
            }
            None => {
                if let Some(slot) = dead.get_mut(oi) {
                    *slot = slot.join(Verdict::Undecided);
                }
            }
            Some(true) => {}
        }
    }
    for &o in &p.order {
        let Some(out) = p.outcome(o) else { continue };
        let oi = o as usize;
        report.outcomes.push(OutcomeRow {
            outcome: out.name.clone(),
            rules: out.rules.len(),
            conflicts: conflicts.get(oi).copied().unwrap_or(Verdict::NotChecked),
            gaps: gaps.get(oi).copied().unwrap_or(Verdict::NotChecked),
            dead: dead.get(oi).copied().unwrap_or(Verdict::NotChecked),
            difference: Verdict::NotChecked,
        });
    }
    report
        .findings
        .sort_by(|a, b| (a.kind, &a.outcome, &a.rules).cmp(&(b.kind, &b.outcome, &b.rules)));
    report.inexact_terms = inexact;
    report
}

/// ` (the version in DOC)` when several rules share the rule's name.
fn version(p: &Program, r: &Rule) -> String {
    let n = p
        .rules()
        .iter()
        .filter(|x| x.name == r.name && x.outcome == r.outcome)
        .count();
    if n > 1 {
        format!(" (the version in {})", p.doc_id(r.document))
    } else {
        String::new()
    }
}

/// What to compare.
#[derive(Clone, Copy, Debug)]
pub enum Versions<'a> {
    /// An old and a new policy set, on every date.
    Against {
        /// The old set.
        old: &'a Program,
        /// The new set.
        new: &'a Program,
    },
    /// One policy set on two assessment dates.
    Dates {
        /// The set.
        p: &'a Program,
        /// The first date.
        first: NaiveDate,
        /// The second date.
        second: NaiveDate,
    },
}

/// The periods over which both sides keep their epochs: the days between
/// consecutive starts of the epochs of either program.
/// A period: first and last day, and each side's epoch in force.
type Period<'a> = (
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<&'a Epoch>,
    Option<&'a Epoch>,
);

fn common_periods<'a>(a: &'a Program, b: &'a Program) -> Vec<Period<'a>> {
    let mut starts: Vec<NaiveDate> = a
        .epochs
        .iter()
        .chain(&b.epochs)
        .filter_map(|e| e.from)
        .chain(
            a.epochs
                .iter()
                .chain(&b.epochs)
                .filter_map(|e| e.to.and_then(|t| t.succ_opt())),
        )
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut out = Vec::new();
    let mut from: Option<NaiveDate> = None;
    for k in 0..=starts.len() {
        let to = starts.get(k).and_then(|s| s.pred_opt());
        let probe = from.or(to);
        if let Some(d) = probe {
            let ea = a.epoch(d).filter(|e| e.in_force.is_some());
            let eb = b.epoch(d).filter(|e| e.in_force.is_some());
            if ea.is_some() || eb.is_some() {
                out.push((from, to, ea, eb));
            }
        }
        from = starts.get(k).copied();
    }
    out
}

/// An outcome's value and conflict on one side, or n/a where the side has
/// no document in force or no such outcome.
fn outcome_sym(sp: &mut Space, p: &Program, c: Option<&Compiled>, name: &str) -> (sym::Sym, Bdd) {
    let _ = sp;
    match (c, p.outcome_id(name)) {
        (Some(c), Some(o)) => (
            c.vals.get(o as usize).cloned().unwrap_or_default(),
            c.conflict.get(o as usize).copied().unwrap_or(FALSE),
        ),
        _ => (vec![(TRUE, S::Absent)], FALSE),
    }
}

/// An outcome's value in an evaluation as reports show it, with its conflict.
fn shown(p: &Program, ws: &Workspace, name: &str) -> (serde_json::Value, bool, bool) {
    match p
        .outcome_id(name)
        .and_then(|o| ws.ev.outcomes.get(o as usize))
    {
        Some(r) => (p.value_json(&r.value), r.conflict, r.value == Value::Absent),
        None => (serde_json::Value::Null, false, true),
    }
}

/// Compares two versions of a policy set, or one set on two dates: per
/// outcome, equivalent for every case, or a counterexample and the
/// condition under which they differ.
pub fn compare(versions: Versions) -> Report {
    let mut v = Verifier::new();
    let mut report = Report::default();
    let (pa, pb) = match versions {
        Versions::Against { old, new } => (old, new),
        Versions::Dates { p, .. } => (p, p),
    };
    let mut names: Vec<String> = pb
        .order
        .iter()
        .filter_map(|o| pb.outcome(*o))
        .map(|o| o.name.clone())
        .collect();
    for o in &pa.order {
        if let Some(out) = pa.outcome(*o) {
            if pb.outcome_id(&out.name).is_none() {
                names.push(out.name.clone());
            }
        }
    }
    let mut verdicts: HashMap<String, Verdict> = HashMap::new();
    let mut found: BTreeSet<String> = BTreeSet::new();
    let (mut wa, mut wb) = (Workspace::new(pa), Workspace::new(pb));
    // The periods, each with the two sides' epochs and assessment dates.
    type Work<'e> = (Option<&'e Epoch>, Option<&'e Epoch>, AsOf, AsOf);
    let mut work: Vec<Work> = Vec::new();
    match versions {
        Versions::Against { .. } => {
            let x = v.sp.num(NumDef::AsOf(0));
            for (from, to, ea, eb) in common_periods(pa, pb) {
                v.as_of_bounds.push(bounds_of(x, from, to));
                work.push((ea, eb, AsOf::Var(x), AsOf::Var(x)));
            }
        }
        Versions::Dates { p, first, second } => {
            let e1 = p.epoch(first).filter(|e| e.in_force.is_some());
            let e2 = p.epoch(second).filter(|e| e.in_force.is_some());
            v.start = Some(day(first));
            work.push((e1, e2, AsOf::Fixed(day(first)), AsOf::Fixed(day(second))));
        }
    }
    let all_bounds = std::mem::take(&mut v.as_of_bounds);
    report.periods = work.len();
    let start = v.start;
    let (cones_a, cones_b) = (cones(pa).1, cones(pb).1);
    let cone = |p: &Program, cones: &[BTreeSet<OutcomeId>], name: &str| {
        let mut s = BTreeSet::new();
        if let Some(o) = p.outcome_id(name) {
            s = cones.get(o as usize).cloned().unwrap_or_default();
            s.insert(o);
        }
        s
    };
    let mut inexact = 0;
    for (k, (ea, eb, asa, asb)) in work.into_iter().enumerate() {
        let (sa, sb) = (Side { as_of: asa }, Side { as_of: asb });
        for name in &names {
            if found.contains(name) {
                continue;
            }
            // Each outcome with the outcomes it reads, in a space of its own.
            let mut v = Verifier::new();
            v.start = start;
            let _ = v.sp.num(NumDef::AsOf(0));
            v.as_of_bounds = all_bounds.get(k).copied().into_iter().collect();
            let (oa, ob) = (cone(pa, &cones_a, name), cone(pb, &cones_b, name));
            let ca = ea.map(|e| sym::compile(&mut v.sp, pa, e, asa, Some(&oa)));
            let cb = eb.map(|e| sym::compile(&mut v.sp, pb, e, asb, Some(&ob)));
            inexact = inexact.max(v.sp.inexact);
            let map_a: Vec<usize> = pa.facts().iter().map(|f| v.sp.fact(pa, f)).collect();
            let map_b: Vec<usize> = pb.facts().iter().map(|f| v.sp.fact(pb, f)).collect();
            let (va, ka) = outcome_sym(&mut v.sp, pa, ca.as_ref(), name);
            let (vb, kb) = outcome_sym(&mut v.sp, pb, cb.as_ref(), name);
            let both = v.sp.m.and(ka, kb);
            let neither = {
                let e = v.sp.m.or(ka, kb);
                v.sp.m.not(e)
            };
            let same_val = v.sp.same_sym(&va, &vb);
            let agree = {
                let s = v.sp.m.and(neither, same_val);
                v.sp.m.or(both, s)
            };
            let differ = v.sp.m.not(agree);
            let make = |v: &Verifier, m: &Model| -> Option<(Concrete, Concrete)> {
                let a = v.concrete(m, &sa, &map_a).map(|c| to_program(pa, c))?;
                let b = v.concrete(m, &sb, &map_b).map(|c| to_program(pb, c))?;
                Some((a, b))
            };
            let mut shows = |a: &Concrete, b: &Concrete| {
                run(pa, &mut wa, a)
                    && run(pb, &mut wb, b)
                    && shown(pa, &wa, name) != shown(pb, &wb, name)
            };
            let res = v.search(differ, &mut |v, m| {
                make(v, m).is_some_and(|(a, b)| shows(&a, &b))
            });
            let verdict = match res {
                Found::Case(m) => match make(&v, &m) {
                    Some((a, b)) => {
                        // Minimise on the new side's case; the old side's
                        // follows fact by fact through the vocabulary.
                        let same_facts = std::ptr::eq(pa, pb);
                        let b = minimise(pb, b, &mut |b: &Concrete| {
                            let a2 = if same_facts {
                                Concrete {
                                    facts: b.facts.clone(),
                                    as_of: a.as_of,
                                }
                            } else {
                                follow(pa, pb, &a, b)
                            };
                            shows(&a2, b)
                        });
                        let a = if same_facts {
                            Concrete {
                                facts: b.facts.clone(),
                                as_of: a.as_of,
                            }
                        } else {
                            follow(pa, pb, &a, &b)
                        };
                        let _ = run(pa, &mut wa, &a);
                        let _ = run(pb, &mut wb, &b);
                        let (xa, ca_, _) = shown(pa, &wa, name);
                        let (xb, cb_, _) = shown(pb, &wb, name);
                        let say = |x: &serde_json::Value, c: bool| {
                            if c {
                                "in conflict".to_string()
                            } else if x.is_null() {
                                "n/a or unknown".to_string()
                            } else {
                                x.to_string()
                            }
                        };
                        let (left, right) = match versions {
                            Versions::Against { .. } => (
                                "under the old version".to_string(),
                                "under the new".to_string(),
                            ),
                            Versions::Dates { first, second, .. } => (
                                format!("on {}", first.format("%Y-%m-%d")),
                                format!("on {}", second.format("%Y-%m-%d")),
                            ),
                        };
                        let cond_bdd = differ;
                        let (condition, truncated) = v.condition(cond_bdd, 8);
                        let mut case = case_json(pb, &b);
                        if let (Versions::Dates { .. }, Some(obj)) =
                            (versions, case.as_object_mut())
                        {
                            obj.remove("as_of");
                        }
                        report.findings.push(Finding {
                            kind: FindingKind::Difference,
                            outcome: name.clone(),
                            rules: Vec::new(),
                            rule_ids: Vec::new(),
                            message: format!(
                                "`{name}` is {} {left} and {} {right}",
                                say(&xa, ca_),
                                say(&xb, cb_)
                            ),
                            case: Some(case),
                            condition,
                            condition_truncated: truncated,
                        });
                        found.insert(name.clone());
                        Verdict::Found
                    }
                    None => Verdict::Undecided,
                },
                Found::None => Verdict::Proved,
                Found::Undecided(why) => {
                    report
                        .undecided
                        .push(format!("{name}: whether the versions differ: {why}"));
                    Verdict::Undecided
                }
            };
            let slot = verdicts.entry(name.clone()).or_insert(Verdict::NotChecked);
            *slot = slot.join(verdict);
        }
    }
    for name in names {
        let rules = pb
            .outcome_id(&name)
            .and_then(|o| pb.outcome(o))
            .or_else(|| pa.outcome_id(&name).and_then(|o| pa.outcome(o)))
            .map_or(0, |o| o.rules.len());
        let d = verdicts.get(&name).copied().unwrap_or(Verdict::Proved);
        report.outcomes.push(OutcomeRow {
            outcome: name,
            rules,
            conflicts: Verdict::NotChecked,
            gaps: Verdict::NotChecked,
            dead: Verdict::NotChecked,
            difference: if d == Verdict::NotChecked {
                Verdict::Proved
            } else {
                d
            },
        });
    }
    report.inexact_terms = inexact;
    report
}

/// The old side's case made from the new side's: the same value for every
/// fact of the same name, and the old side's own value for the others.
fn follow(pa: &Program, pb: &Program, a: &Concrete, b: &Concrete) -> Concrete {
    let mut facts = a.facts.clone();
    for (f, slot) in pa.facts().iter().zip(facts.iter_mut()) {
        if let Some(fb) = pb.fact_id(&f.name) {
            if let Some(vb) = b.facts.get(fb as usize) {
                let same_type = pb
                    .fact(fb)
                    .is_some_and(|x| pb.type_name(x.ty) == pa.type_name(f.ty));
                if same_type && !vb.is_known() {
                    *slot = Value::Unknown;
                }
            }
        }
    }
    Concrete {
        facts,
        as_of: b.as_of,
    }
}

impl Verifier {
    /// A diagram as a readable disjunction of conjunctions over the facts,
    /// leaving out the paths the theory refutes.
    fn condition(&self, f: Bdd, limit: usize) -> (Vec<String>, bool) {
        let (paths, more) = self.sp.m.paths(f, limit * 4);
        let bounds = self.bounds();
        let nums = self.sp.nums.clone();
        let defs = |x: NumVar| nums.get(x as usize).cloned();
        let mut out = Vec::new();
        let mut truncated = more;
        for path in paths {
            let lits: Vec<_> = path
                .iter()
                .filter_map(|&(v, pos)| match self.sp.atoms.get(&v) {
                    Some(Atom::Le(le)) => Some(le.literal(pos)),
                    _ => None,
                })
                .collect();
            if matches!(decide(&lits, &bounds, &|_| 0, &defs), Decision::Unsat(_)) {
                continue;
            }
            if out.len() == limit {
                truncated = true;
                break;
            }
            out.push(self.render(&path));
        }
        (out, truncated)
    }

    fn num_name(&self, x: NumVar) -> (String, Option<GType>) {
        match self.sp.nums.get(x as usize) {
            Some(NumDef::Fact(g)) => self.sp.facts.get(*g).map_or((String::new(), None), |f| {
                (f.name.clone(), Some(f.ty.clone()))
            }),
            Some(NumDef::AsOf(_)) => ("as_of".into(), Some(GType::Date)),
            Some(NumDef::Product(..)) => ("(a product)".into(), Some(GType::Int)),
            Some(NumDef::Months(..)) => ("(a date moved by months)".into(), Some(GType::Date)),
            None => (String::new(), None),
        }
    }

    /// One path as a conjunction in words.
    fn render(&self, path: &[(u32, bool)]) -> String {
        let mut parts = Vec::new();
        // Bounds of single variables, merged.
        let mut single: std::collections::BTreeMap<NumVar, (Option<i128>, Option<i128>)> =
            Default::default();
        let mut pairs: std::collections::BTreeMap<(NumVar, NumVar), (Option<i128>, Option<i128>)> =
            Default::default();
        for &(v, pos) in path {
            match self.sp.atoms.get(&v) {
                Some(Atom::Known(g)) => {
                    let n = self.sp.facts.get(*g).map_or("", |f| f.name.as_str());
                    parts.push(format!("{n} {}", if pos { "known" } else { "unknown" }));
                }
                Some(Atom::Bool(g)) => {
                    let n = self.sp.facts.get(*g).map_or("", |f| f.name.as_str());
                    parts.push(if pos {
                        n.to_string()
                    } else {
                        format!("not {n}")
                    });
                }
                Some(Atom::EnumIs(g, i)) => {
                    let (n, val) = self.sp.facts.get(*g).map_or(("", String::new()), |f| {
                        let val = match &f.ty {
                            GType::Enum(_, vs) => vs.get(*i as usize).cloned().unwrap_or_default(),
                            _ => String::new(),
                        };
                        (f.name.as_str(), val)
                    });
                    parts.push(format!("{n} {} {val}", if pos { "=" } else { "!=" }));
                }
                Some(Atom::Le(le)) => {
                    let (t, k) = le.literal(pos);
                    match t.as_slice() {
                        [(x, a)] if a.abs() == 1 => {
                            let e = single.entry(*x).or_default();
                            if *a == 1 {
                                e.1 = Some(e.1.map_or(k, |h| h.min(k)));
                            } else {
                                e.0 = Some(e.0.map_or(-k, |l| l.max(-k)));
                            }
                        }
                        [(x, a), (y, b)] if a.abs() == 1 && *b == -*a => {
                            // x - y ≤ k, or y - x ≤ k: bounds on one difference.
                            let (hi_side, key) = if *a == 1 {
                                (true, (*x, *y))
                            } else {
                                (false, (*x, *y))
                            };
                            let e = pairs.entry(key).or_default();
                            if hi_side {
                                e.1 = Some(e.1.map_or(k, |h| h.min(k)));
                            } else {
                                e.0 = Some(e.0.map_or(-k, |l| l.max(-k)));
                            }
                        }
                        _ => {
                            let mut s = String::new();
                            for (i, (x, a)) in t.iter().enumerate() {
                                let (n, _) = self.num_name(*x);
                                let sign = if *a < 0 {
                                    "-"
                                } else if i > 0 {
                                    "+"
                                } else {
                                    ""
                                };
                                let coef = if a.abs() == 1 {
                                    String::new()
                                } else {
                                    format!("{}·", a.abs())
                                };
                                s.push_str(&format!(
                                    "{}{sign} {coef}{n}",
                                    if i > 0 { " " } else { "" }
                                ));
                            }
                            parts.push(format!("{} <= {k}", s.trim_start_matches(' ')));
                        }
                    }
                }
                None => {}
            }
        }
        for (x, (lo, hi)) in single {
            let (n, ty) = self.num_name(x);
            let show = |k: i128| match ty {
                Some(GType::Date) => {
                    date_of(k).map_or(k.to_string(), |d| d.format("%Y-%m-%d").to_string())
                }
                _ => k.to_string(),
            };
            if matches!(ty, Some(GType::Text)) {
                let lo_ = lo.unwrap_or(i128::MIN);
                let hi_ = hi.unwrap_or(i128::MAX);
                if lo_ == hi_ {
                    let t = usize::try_from(lo_).ok().and_then(|c| self.sp.texts.get(c));
                    parts.push(format!("{n} = {:?}", t.map_or("", |t| &**t)));
                } else {
                    let out: Vec<String> = self
                        .sp
                        .texts
                        .iter()
                        .enumerate()
                        .filter(|(c, _)| {
                            let c = i128::try_from(*c).unwrap_or(0);
                            c < lo_ || c > hi_
                        })
                        .map(|(_, t)| format!("{t:?}"))
                        .collect();
                    parts.push(format!("{n} not in {{{}}}", out.join(", ")));
                }
                continue;
            }
            match (lo, hi) {
                (Some(l), Some(h)) if l == h => parts.push(format!("{n} = {}", show(l))),
                (Some(l), Some(h)) => parts.push(format!("{} <= {n} <= {}", show(l), show(h))),
                (Some(l), None) => parts.push(format!("{n} >= {}", show(l))),
                (None, Some(h)) => parts.push(format!("{n} <= {}", show(h))),
                (None, None) => {}
            }
        }
        for ((x, y), (lo, hi)) in pairs {
            let (nx, _) = self.num_name(x);
            let (ny, _) = self.num_name(y);
            let d = format!("{nx} - {ny}");
            match (lo, hi) {
                (Some(l), Some(h)) if l == h => parts.push(format!("{d} = {l}")),
                (Some(l), Some(h)) => parts.push(format!("{l} <= {d} <= {h}")),
                (Some(l), None) => parts.push(format!("{d} >= {l}")),
                (None, Some(h)) => parts.push(format!("{d} <= {h}")),
                (None, None) => {}
            }
        }
        if parts.is_empty() {
            "every case".into()
        } else {
            parts.join(" and ")
        }
    }
}

#[cfg(test)]
mod tests;
