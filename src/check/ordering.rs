//! Orders: each outcome's rules in canonical order, outcomes in dependency
//! order (with cycles reported), and completeness (outcomes never decided,
//! facts never read).
//!
//! Time: O(rules × log rules + exception edges) for the rule order,
//! O(outcomes + rules + outcome reads) for the outcome order, plus the size
//! of the cycles reported; O(facts × log facts) for the fact ranks.
use super::Ctx;
use crate::diag::{Diag, Problem};
use crate::program::*;
use crate::walk;

/// Orders each outcome's rules by citation, general rules before their
/// exceptions, then name: reports and derivations then do not depend on the
/// order in which files or declarations were written.
pub(super) fn canonical_rule_order(ctx: &mut Ctx) {
    // A rule's depth: the longest chain of rules it is an exception to
    // (every rule's count when that chain runs into a cycle).
    let general: Vec<Vec<usize>> = ctx
        .p
        .rules
        .iter()
        .map(|r| r.exception_to.iter().map(|t| *t as usize).collect())
        .collect();
    let n = ctx.p.rules.len();
    let depth: Vec<usize> = walk::longest_paths(&general)
        .into_iter()
        .map(|d| d.unwrap_or(n))
        .collect();
    for i in 0..ctx.p.outcomes.len() {
        let Some(rules) = ctx.p.outcomes.get(i).map(|o| o.rules.clone()) else {
            continue;
        };
        let mut keyed: Vec<((u32, u32, usize, String), RuleId)> = rules
            .iter()
            .filter_map(|r| {
                let rule = ctx.p.rules.get(*r as usize)?;
                Some((
                    (
                        rule.cites.article,
                        rule.cites.paragraph,
                        depth.get(*r as usize).copied().unwrap_or(n),
                        rule.name.clone(),
                    ),
                    *r,
                ))
            })
            .collect();
        keyed.sort();
        if let Some(o) = ctx.p.outcomes.get_mut(i) {
            o.rules = keyed.into_iter().map(|(_, r)| r).collect();
        }
    }
}

pub(super) fn order_outcomes(ctx: &mut Ctx) {
    let deps: Vec<Vec<OutcomeId>> = ctx
        .p
        .outcomes
        .iter()
        .map(|o| {
            let mut d: Vec<OutcomeId> = o
                .rules
                .iter()
                .filter_map(|r| ctx.p.rules.get(*r as usize))
                .flat_map(|r| r.reads_outcomes.iter().copied())
                .collect();
            d.sort_unstable();
            d.dedup();
            d
        })
        .collect();
    // Depth-first topological sort; a back edge is a cycle.
    let deps: Vec<Vec<usize>> = deps
        .into_iter()
        .map(|d| d.into_iter().map(|o| o as usize).collect())
        .collect();
    let (order, cycles) = walk::depth_first(&deps);
    for cycle in &cycles {
        report_outcome_cycle(ctx, cycle);
    }
    let order: Vec<OutcomeId> = order
        .into_iter()
        .map(|o| OutcomeId::try_from(o).unwrap_or(OutcomeId::MAX))
        .collect();
    ctx.p.order = order;
    let mut by_name: Vec<FactId> = (0..ctx.p.facts.len())
        .filter_map(|f| FactId::try_from(f).ok())
        .collect();
    by_name.sort_by(|a, b| {
        let name = |f: &FactId| ctx.p.fact(*f).map(|x| x.name.as_str());
        name(a).cmp(&name(b))
    });
    let mut rank = vec![0u32; by_name.len()];
    for (i, f) in by_name.iter().enumerate() {
        if let Some(slot) = rank.get_mut(*f as usize) {
            *slot = u32::try_from(i).unwrap_or(u32::MAX);
        }
    }
    ctx.p.fact_rank = rank;
}

fn report_outcome_cycle(ctx: &mut Ctx, cycle: &[usize]) {
    let outcomes: Vec<String> = cycle
        .iter()
        .filter_map(|c| ctx.p.outcomes.get(*c))
        .map(|o| o.name.clone())
        .collect();
    let mut in_cycle = vec![false; ctx.p.outcomes.len()];
    for c in cycle {
        if let Some(x) = in_cycle.get_mut(*c) {
            *x = true;
        }
    }
    let first = cycle.first().copied().unwrap_or(0);
    let Some(o) = ctx.p.outcomes.get(first) else {
        return;
    };
    let mut d = Diag::of(Problem::OutcomeCycle { outcomes }).label(o.span, "part of the cycle");
    for c in cycle {
        let Some(out) = ctx.p.outcomes.get(*c) else {
            continue;
        };
        for r in &out.rules {
            let Some(rule) = ctx.p.rules.get(*r as usize) else {
                continue;
            };
            if rule
                .reads_outcomes
                .iter()
                .any(|x| in_cycle.get(*x as usize).copied().unwrap_or(false))
            {
                d = d.label(
                    rule.span,
                    format!("rule `{}` reads an outcome of the cycle", rule.name),
                );
            }
        }
    }
    ctx.err(d);
}

pub(super) fn completeness(ctx: &mut Ctx) {
    for i in 0..ctx.p.outcomes.len() {
        let Some(o) = ctx.p.outcomes.get(i) else {
            continue;
        };
        if o.rules.is_empty() && o.default.is_none() {
            let (name, span) = (o.name.clone(), o.span);
            ctx.err(
                Diag::of(Problem::NoRule {
                    outcome: name.to_string(),
                })
                .label(span, "never decided"),
            );
        }
    }
    // A rule with an error may be the reader of a fact: warn only about a
    // set without errors.
    if ctx.diags.iter().any(Diag::is_error) {
        return;
    }
    for (i, f) in ctx.p.facts.iter().enumerate() {
        if !ctx.fact_read.get(i).copied().unwrap_or(true) {
            let d = Diag::of(Problem::UnusedFact {
                fact: f.name.clone(),
            })
            .label(f.span, "never read");
            ctx.diags.push(d);
        }
    }
}
