//! What a run of tests exercised: the rules no test made apply, the
//! conditions no test made false, and the exceptions not seen both winning
//! and losing (`regula test --coverage`).
use crate::engine::Evaluation;
use crate::eval::{Node, RuleStatus, Trace};
use crate::program::{Program, RuleId};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What the tests exercised.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// Rules seen applying (applied, overridden or in conflict).
    applied: BTreeSet<RuleId>,
    /// Per rule, the indices of its `when` conjuncts seen false.
    falsified: BTreeMap<RuleId, BTreeSet<usize>>,
    /// Exceptions seen overriding their rule: (exception, rule).
    won: BTreeSet<(RuleId, RuleId)>,
    /// Exceptions seen not applying while their rule applied.
    lost: BTreeSet<(RuleId, RuleId)>,
}

/// The conjuncts of a condition's trace: the children of a top-level `and`.
fn conjuncts<'a>(t: &Trace<'a>) -> Vec<Trace<'a>> {
    if t.node == Node::And {
        t.children()
    } else {
        vec![*t]
    }
}

/// The spans of a `when` condition's conjuncts, flattened as the trace does.
fn when_conjuncts(e: &crate::program::Expr) -> Vec<crate::source::Span> {
    fn go(e: &crate::program::Expr, out: &mut Vec<crate::source::Span>) {
        match &e.kind {
            crate::program::ExprKind::And(a, b) => {
                go(a, out);
                go(b, out);
            }
            _ => out.push(e.span),
        }
    }
    let mut out = Vec::new();
    go(e, &mut out);
    out
}

impl Coverage {
    /// Records what every rule of every outcome did in one evaluation.
    pub fn add(&mut self, p: &Program, ev: &Evaluation<'_>) {
        for o in &p.outcomes {
            let Some(d) = ev.derivation(&o.name) else {
                continue;
            };
            let status: BTreeMap<RuleId, RuleStatus> =
                d.rules.iter().map(|r| (r.rule, r.status)).collect();
            for rt in &d.rules {
                if matches!(
                    rt.status,
                    RuleStatus::Applied | RuleStatus::Overridden | RuleStatus::Conflicting
                ) {
                    self.applied.insert(rt.rule);
                }
                if let Some(cond) = &rt.condition {
                    for (i, c) in conjuncts(cond).iter().enumerate() {
                        if c.value == crate::program::Value::Bool(false) {
                            self.falsified.entry(rt.rule).or_default().insert(i);
                        }
                    }
                }
                for by in rt.overridden_by {
                    self.won.insert((*by, rt.rule));
                }
                if let Some(r) = p.rule(rt.rule) {
                    let applies =
                        matches!(rt.status, RuleStatus::Applied | RuleStatus::Conflicting);
                    for base in &r.exception_to {
                        let base_applies = matches!(
                            status.get(base),
                            Some(RuleStatus::Applied | RuleStatus::Conflicting)
                        );
                        if rt.status == RuleStatus::NotApplicable && base_applies {
                            self.lost.insert((rt.rule, *base));
                        }
                        if applies && status.get(base) == Some(&RuleStatus::Overridden) {
                            self.won.insert((rt.rule, *base));
                        }
                    }
                }
            }
        }
    }

    /// The coverage report, in text.
    pub fn report(&self, p: &Program) -> String {
        let mut s = String::new();
        let n = p.rules.len();
        let _ = writeln!(
            s,
            "\ncoverage: {} of {n} rules applied in some test",
            self.applied.len()
        );
        let rule_name = |r: RuleId| {
            p.rule(r)
                .map(|r| format!("{} ({})", r.name, r.cites.key()))
                .unwrap_or_default()
        };
        let unapplied: Vec<String> = (0..n)
            .filter_map(|i| u32::try_from(i).ok())
            .filter(|r| !self.applied.contains(r))
            .map(rule_name)
            .collect();
        let _ = writeln!(s, "rules no test made apply:");
        if unapplied.is_empty() {
            let _ = writeln!(s, "  none");
        }
        for r in unapplied {
            let _ = writeln!(s, "  {r}");
        }
        let _ = writeln!(s, "conditions no test made false:");
        let mut any = false;
        for (i, r) in p.rules.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { continue };
            let Some(when) = &r.when else { continue };
            let parts = when_conjuncts(when);
            let seen = self.falsified.get(&id);
            for (j, span) in parts.iter().enumerate() {
                if !seen.is_some_and(|s| s.contains(&j)) {
                    any = true;
                    let _ = writeln!(s, "  {}: `{}`", rule_name(id), p.expr_text(*span));
                }
            }
        }
        if !any {
            let _ = writeln!(s, "  none");
        }
        let _ = writeln!(s, "exceptions not seen both winning and losing:");
        let mut any = false;
        for (i, r) in p.rules.iter().enumerate() {
            let Ok(id) = u32::try_from(i) else { continue };
            for base in &r.exception_to {
                let won = self.won.contains(&(id, *base));
                let lost = self.lost.contains(&(id, *base));
                if won && lost {
                    continue;
                }
                any = true;
                let base_name = p.rule(*base).map(|b| b.name.as_str()).unwrap_or("");
                let missing = match (won, lost) {
                    (false, false) => "never won, never lost",
                    (false, true) => "never won",
                    _ => "never lost",
                };
                let _ = writeln!(s, "  {} over {base_name}: {missing}", r.name);
            }
        }
        if !any {
            let _ = writeln!(s, "  none");
        }
        s
    }
}
