//! Derivations: one outcome re-evaluated with a trace of every
//! sub-expression, each rule's fate (applied, overridden, not applicable,
//! undetermined, in conflict), and the unknown facts that could decide it.
use super::{and, arith, compare, not, or, tri_of, EvalError, Evaluation, Tri};
use crate::program::*;
use crate::source::Span;
use std::collections::BTreeSet;

/// Where a traced value came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A fact of the case.
    Fact(FactId),
    /// Another outcome (with its own derivation).
    Outcome(OutcomeId),
    /// A parameter.
    Param(ParamId),
    /// The assessment date.
    AsOf,
    /// A literal.
    Const,
    /// An operator over its children.
    Op,
    /// A chain of `and`s, flattened.
    And,
    /// A chain of `or`s, flattened.
    Or,
    /// A definition call: children are the arguments, then the body.
    Call(DefId),
}

/// A traced sub-expression.
#[derive(Clone, Debug)]
pub struct Trace {
    /// Where it is written.
    pub span: Span,
    /// Its value.
    pub value: Value,
    /// What it is.
    pub node: Node,
    /// Traces of its operands.
    pub children: Vec<Trace>,
}

/// What became of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleStatus {
    /// It applied and decided the outcome.
    Applied,
    /// It applied but an exception to it applied too.
    Overridden,
    /// Its condition is false (or not applicable).
    NotApplicable,
    /// Its condition depends on unknown facts, or an exception's does.
    Undetermined,
    /// It applied and concluded a different value than another applicable rule.
    Conflicting,
    /// Its document (or this version of it) is not in force on the date.
    NotInForce,
}

/// One rule in a derivation.
#[derive(Clone, Debug)]
pub struct RuleTrace {
    /// The rule.
    pub rule: RuleId,
    /// What became of it.
    pub status: RuleStatus,
    /// Its condition's trace (None = unconditional, or not in force).
    pub condition: Option<Trace>,
    /// Its value's trace, when it applies or may apply.
    pub value: Option<Trace>,
    /// The exceptions that applied and overrode it.
    pub overridden_by: Vec<RuleId>,
}

/// How an outcome was decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// A rule decided it.
    Decided,
    /// No rule applied; its default holds.
    Default,
    /// No rule applied and it has no default: n/a.
    NotApplicable,
    /// It depends on facts the case does not state.
    Unknown,
    /// Two applicable rules conclude different values.
    Conflict,
    /// No document is in force on the date.
    NotInForce,
}

/// The derivation of one outcome.
#[derive(Clone, Debug)]
pub struct Derivation {
    /// The outcome.
    pub outcome: OutcomeId,
    /// Its value.
    pub value: Value,
    /// How it was decided.
    pub status: Status,
    /// The rules that decided it (all that applied and agree).
    pub decided_by: Vec<RuleId>,
    /// Every rule concluding the outcome, with its fate.
    pub rules: Vec<RuleTrace>,
    /// For an unknown outcome: the facts that could decide it.
    pub missing: Vec<FactId>,
    /// For an unknown outcome: the outcomes in conflict it depends on.
    pub blocked_by: Vec<OutcomeId>,
    /// Paragraphs of the deciding rules, then of the outcomes they read.
    pub cites: Vec<String>,
    /// The document of the deciding rule.
    pub document: Option<DocId>,
    /// The default's trace, when the default decided it.
    pub default: Option<Trace>,
}

struct TraceEnv<'a> {
    p: &'a Program,
    facts: &'a [Value],
    ev: &'a Evaluation,
    params: &'a [Value],
}

fn leaf(span: Span, value: Value, node: Node) -> Trace {
    Trace {
        span,
        value,
        node,
        children: Vec::new(),
    }
}

fn op(span: Span, value: Value, children: Vec<Trace>) -> Trace {
    Trace {
        span,
        value,
        node: Node::Op,
        children,
    }
}

fn trace(env: &TraceEnv, e: &Expr) -> Result<Trace, EvalError> {
    let span = e.span;
    Ok(match &e.kind {
        ExprKind::Const(v) => leaf(span, v.clone(), Node::Const),
        ExprKind::Fact(f) => leaf(
            span,
            env.facts
                .get(*f as usize)
                .cloned()
                .unwrap_or(Value::Unknown),
            Node::Fact(*f),
        ),
        ExprKind::Outcome(o) => leaf(
            span,
            env.ev
                .outcomes
                .get(*o as usize)
                .map(|r| r.value.clone())
                .unwrap_or(Value::Unknown),
            Node::Outcome(*o),
        ),
        ExprKind::Param(x) => leaf(
            span,
            env.params
                .get(*x as usize)
                .cloned()
                .unwrap_or(Value::Unknown),
            Node::Param(*x),
        ),
        ExprKind::Group(g) => leaf(
            span,
            env.p
                .groups
                .get(*g as usize)
                .map(|x| Value::Record(x.first))
                .unwrap_or(Value::Unknown),
            Node::Const,
        ),
        ExprKind::AsOf => leaf(span, Value::Date(env.ev.as_of), Node::AsOf),
        ExprKind::Local(_) => leaf(span, Value::Unknown, Node::Const),
        ExprKind::Not(x) => {
            let t = trace(env, x)?;
            op(span, not(&t.value), vec![t])
        }
        ExprKind::And(a, b) | ExprKind::Or(a, b) => {
            let is_and = matches!(e.kind, ExprKind::And(..));
            let x = trace(env, a)?;
            // The fast path short-circuits; an error on the skipped side must not surface here.
            let short = if is_and {
                x.value == Value::Bool(false)
            } else {
                x.value == Value::Bool(true)
            };
            let y = match trace(env, b) {
                Ok(y) => y,
                Err(_) if short => leaf(b.span, Value::Unknown, Node::Op),
                Err(err) => return Err(err),
            };
            let v = if short {
                x.value.clone()
            } else if is_and {
                and(&x.value, &y.value)
            } else {
                or(&x.value, &y.value)
            };
            // Flatten chains so a reader sees one list of conditions.
            let kind = if is_and { Node::And } else { Node::Or };
            let mut children = Vec::new();
            for t in [x, y] {
                if t.node == kind {
                    children.extend(t.children);
                } else {
                    children.push(t);
                }
            }
            Trace {
                span,
                value: v,
                node: kind,
                children,
            }
        }
        ExprKind::Cmp(o, a, b) => {
            let (x, y) = (trace(env, a)?, trace(env, b)?);
            op(span, compare(*o, &x.value, &y.value), vec![x, y])
        }
        ExprKind::Arith(o, a, b) => {
            let (x, y) = (trace(env, a)?, trace(env, b)?);
            let v = arith(*o, &x.value, &y.value, e)?;
            op(span, v, vec![x, y])
        }
        ExprKind::Neg(x) => {
            let t = trace(env, x)?;
            let v = match &t.value {
                Value::Int(n) => Value::Int(n.checked_neg().ok_or_else(|| EvalError {
                    message: "integer overflow".into(),
                    span,
                })?),
                other => other.clone(),
            };
            op(span, v, vec![t])
        }
        ExprKind::In(x, set, negated) => {
            let t = trace(env, x)?;
            let v = if t.value.is_known() {
                Value::Bool(set.contains(&t.value) != *negated)
            } else {
                t.value.clone()
            };
            op(span, v, vec![t])
        }
        ExprKind::If(c, a, b) => {
            let ct = trace(env, c)?;
            match &ct.value {
                Value::Bool(true) => {
                    let at = trace(env, a)?;
                    op(span, at.value.clone(), vec![ct, at])
                }
                Value::Bool(false) => {
                    let bt = trace(env, b)?;
                    op(span, bt.value.clone(), vec![ct, bt])
                }
                Value::Unknown => {
                    let (at, bt) = (trace(env, a)?, trace(env, b)?);
                    let v = if at.value == bt.value && at.value.is_known() {
                        at.value.clone()
                    } else {
                        Value::Unknown
                    };
                    op(span, v, vec![ct, at, bt])
                }
                other => {
                    let v = other.clone();
                    op(span, v, vec![ct])
                }
            }
        }
        ExprKind::Days(_) | ExprKind::Months(..) => {
            let env2 = super::Env {
                p: env.p,
                facts: env.facts,
                outcomes: &env.ev.outcomes,
                params: env.params,
                as_of: env.ev.as_of,
            };
            leaf(span, super::eval(&env2, e)?, Node::Const)
        }
        ExprKind::Call(d, args, body) => {
            let mut children = Vec::with_capacity(args.len() + 1);
            for a in args {
                children.push(trace(env, a)?);
            }
            let b = trace(env, body)?;
            let v = b.value.clone();
            children.push(b);
            Trace {
                span,
                value: v,
                node: Node::Call(*d),
                children,
            }
        }
    })
}

/// Unknown facts under a trace that could change its value: only below
/// nodes that are themselves unknown. Unknown outcomes contribute the
/// missing facts of their own derivation through `outcome_missing`.
pub fn missing_facts(
    t: &Trace,
    outcome_missing: &dyn Fn(OutcomeId) -> Vec<FactId>,
    out: &mut BTreeSet<FactId>,
) {
    if t.value != Value::Unknown {
        return;
    }
    match t.node {
        Node::Fact(f) => {
            out.insert(f);
        }
        Node::Outcome(o) => out.extend(outcome_missing(o)),
        _ => {
            for c in &t.children {
                missing_facts(c, outcome_missing, out);
            }
        }
    }
}

/// Paragraphs citing an outcome's value: the deciding rules first, then the
/// paragraphs of the outcomes those rules read (when those have a value).
pub fn cites_of(p: &Program, ev: &Evaluation, o: OutcomeId, out: &mut Vec<String>, depth: usize) {
    let Some(res) = ev.outcomes.get(o as usize) else {
        return;
    };
    if !res.value.is_known() || depth > p.outcomes.len() {
        return;
    }
    let Some(outcome) = p.outcome(o) else { return };
    let deciding: Vec<RuleId> = outcome
        .rules
        .iter()
        .copied()
        .filter(|r| ev.effective.get(*r as usize).copied() == Some(Tri::Yes))
        .collect();
    let deciding = if deciding.is_empty() {
        res.decided_by.into_iter().collect()
    } else {
        deciding
    };
    for r in &deciding {
        if let Some(rule) = p.rule(*r) {
            let k = rule.cites.key();
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    for r in &deciding {
        if let Some(rule) = p.rule(*r) {
            for x in &rule.reads_outcomes {
                cites_of(p, ev, *x, out, depth + 1);
            }
        }
    }
}

/// The outcomes in conflict that an unknown outcome `o` is, or reads.
fn conflicts_upstream(
    p: &Program,
    ev: &Evaluation,
    o: OutcomeId,
    out: &mut Vec<OutcomeId>,
    depth: usize,
) {
    let Some(res) = ev.outcomes.get(o as usize) else {
        return;
    };
    if res.value != Value::Unknown || depth > p.outcomes.len() {
        return;
    }
    if res.conflict {
        if !out.contains(&o) {
            out.push(o);
        }
        return;
    }
    for r in p.outcome(o).map(|x| x.rules.as_slice()).unwrap_or_default() {
        if ev.effective.get(*r as usize).copied() == Some(Tri::No) {
            continue;
        }
        if let Some(rule) = p.rule(*r) {
            for x in &rule.reads_outcomes {
                conflicts_upstream(p, ev, *x, out, depth + 1);
            }
        }
    }
}

/// Builds the derivation of one outcome from an evaluation.
pub fn derive(
    p: &Program,
    facts: &[Value],
    ev: &Evaluation,
    o: OutcomeId,
) -> Result<Derivation, EvalError> {
    let mut memo: Vec<Option<Vec<FactId>>> = vec![None; p.outcomes.len()];
    derive_inner(p, facts, ev, o, &mut memo, 0)
}

fn derive_inner(
    p: &Program,
    facts: &[Value],
    ev: &Evaluation,
    o: OutcomeId,
    memo: &mut Vec<Option<Vec<FactId>>>,
    depth: usize,
) -> Result<Derivation, EvalError> {
    let res = ev
        .outcomes
        .get(o as usize)
        .cloned()
        .unwrap_or(super::OutcomeResult {
            value: Value::Unknown,
            decided_by: None,
            conflict: false,
            by_default: false,
        });
    let outcome = p.outcome(o);
    let rule_ids: Vec<RuleId> = outcome.map(|x| x.rules.clone()).unwrap_or_default();
    let epoch = p.epochs.get(ev.epoch);
    let Some(epoch) = epoch.filter(|_| ev.in_force.is_some()) else {
        return Ok(Derivation {
            outcome: o,
            value: Value::Absent,
            status: Status::NotInForce,
            decided_by: Vec::new(),
            rules: Vec::new(),
            missing: Vec::new(),
            blocked_by: Vec::new(),
            cites: Vec::new(),
            document: None,
            default: None,
        });
    };
    let env = TraceEnv {
        p,
        facts,
        ev,
        params: &epoch.params,
    };
    let mut rules = Vec::new();
    let mut applies: Vec<(RuleId, Tri)> = Vec::new();
    for &r in &rule_ids {
        let Some(rule) = p.rule(r) else { continue };
        if !epoch.rule_active.get(r as usize).copied().unwrap_or(false) {
            rules.push(RuleTrace {
                rule: r,
                status: RuleStatus::NotInForce,
                condition: None,
                value: None,
                overridden_by: Vec::new(),
            });
            applies.push((r, Tri::No));
            continue;
        }
        let condition = rule.when.as_ref().map(|c| trace(&env, c)).transpose()?;
        let a = condition
            .as_ref()
            .map(|c| tri_of(&c.value))
            .unwrap_or(Tri::Yes);
        applies.push((r, a));
        rules.push(RuleTrace {
            rule: r,
            status: RuleStatus::NotApplicable,
            condition,
            value: None,
            overridden_by: Vec::new(),
        });
    }
    let applies_of = |r: RuleId| {
        applies
            .iter()
            .find(|(x, _)| *x == r)
            .map(|(_, a)| *a)
            .unwrap_or(Tri::No)
    };
    let mut decided_by = Vec::new();
    for rt in rules.iter_mut() {
        if rt.status == RuleStatus::NotInForce {
            continue;
        }
        let Some(rule) = p.rule(rt.rule) else {
            continue;
        };
        let a = applies_of(rt.rule);
        rt.overridden_by = rule
            .defeaters
            .iter()
            .copied()
            .filter(|d| applies_of(*d) == Tri::Yes)
            .collect();
        let eff = ev
            .effective
            .get(rt.rule as usize)
            .copied()
            .unwrap_or(Tri::No);
        rt.status = match (a, eff) {
            (Tri::No, _) => RuleStatus::NotApplicable,
            (_, Tri::No) if !rt.overridden_by.is_empty() => RuleStatus::Overridden,
            (_, Tri::Yes) if res.conflict => RuleStatus::Conflicting,
            (_, Tri::Yes) => RuleStatus::Applied,
            _ => RuleStatus::Undetermined,
        };
        if matches!(
            rt.status,
            RuleStatus::Applied | RuleStatus::Undetermined | RuleStatus::Conflicting
        ) {
            rt.value = Some(trace(&env, &rule.value)?);
        }
        if rt.status == RuleStatus::Applied && res.value.is_known() {
            decided_by.push(rt.rule);
        }
    }
    if decided_by.is_empty() {
        decided_by.extend(res.decided_by.filter(|_| res.value.is_known()));
    }
    let status = if res.conflict {
        Status::Conflict
    } else if res.value == Value::Unknown {
        Status::Unknown
    } else if !decided_by.is_empty() {
        Status::Decided
    } else if res.by_default {
        Status::Default
    } else {
        Status::NotApplicable
    };
    let mut missing = BTreeSet::new();
    if status == Status::Unknown {
        // Fill the memo for outcomes this one reads before collecting.
        let reads: Vec<OutcomeId> = rule_ids
            .iter()
            .filter_map(|r| p.rule(*r))
            .flat_map(|r| r.reads_outcomes.iter().copied())
            .collect();
        for x in reads {
            if memo.get(x as usize).is_some_and(Option::is_none) && depth < p.outcomes.len() {
                let d = derive_inner(p, facts, ev, x, memo, depth + 1)?;
                if let Some(slot) = memo.get_mut(x as usize) {
                    *slot = Some(d.missing.clone());
                }
            }
        }
        let snapshot = memo.clone();
        let outcome_missing = |x: OutcomeId| {
            snapshot
                .get(x as usize)
                .cloned()
                .flatten()
                .unwrap_or_default()
        };
        for rt in &rules {
            if matches!(
                rt.status,
                RuleStatus::NotApplicable | RuleStatus::NotInForce | RuleStatus::Overridden
            ) {
                continue;
            }
            if let Some(c) = &rt.condition {
                missing_facts(c, &outcome_missing, &mut missing);
            }
            if let Some(v) = &rt.value {
                missing_facts(v, &outcome_missing, &mut missing);
            }
            // An exception that may apply is part of why the rule is undetermined.
            if let Some(rule) = p.rule(rt.rule) {
                for d in &rule.defeaters {
                    if let Some(dt) = rules.iter().find(|x| x.rule == *d) {
                        if let Some(c) = &dt.condition {
                            missing_facts(c, &outcome_missing, &mut missing);
                        }
                    }
                }
            }
        }
    }
    let mut blocked_by = Vec::new();
    if status == Status::Unknown {
        for rt in rules
            .iter()
            .filter(|r| matches!(r.status, RuleStatus::Applied | RuleStatus::Undetermined))
        {
            if let Some(rule) = p.rule(rt.rule) {
                for x in &rule.reads_outcomes {
                    conflicts_upstream(p, ev, *x, &mut blocked_by, 0);
                }
            }
        }
    }
    let default = if status == Status::Default {
        outcome
            .and_then(|x| x.default.as_ref())
            .map(|d| trace(&env, d))
            .transpose()?
    } else {
        None
    };
    let mut cites = Vec::new();
    cites_of(p, ev, o, &mut cites, 0);
    let document = decided_by.first().and_then(|r| {
        epoch
            .rule_document
            .get(*r as usize)
            .copied()
            .or_else(|| p.rule(*r).map(|x| x.document))
    });
    // A default is decided under the document in force.
    let document = document.or(ev.in_force.filter(|_| status == Status::Default));
    // By name, so that reports do not depend on the order of declarations.
    let mut missing: Vec<FactId> = missing.into_iter().collect();
    missing.sort_by(|a, b| {
        p.fact(*a)
            .map(|f| f.name.as_str())
            .cmp(&p.fact(*b).map(|f| f.name.as_str()))
    });
    Ok(Derivation {
        outcome: o,
        value: res.value,
        status,
        decided_by,
        rules,
        missing,
        blocked_by,
        cites,
        document,
        default,
    })
}
