//! Rules: their declaration, the lowering of their conditions and values
//! (and of outcome defaults), and exceptions: the rules each one excepts,
//! cycles of exceptions and each rule's defeaters.
//!
//! Time: O(rules + exception edges) plus the lowering of each expression,
//! and for the defeaters O(their total size × the most exceptions to one
//! rule) (see [`walk::descendants`]).
use super::declarations::duplicate;
use super::{expr, Ctx};
use crate::diag::{suggest, Diag, Problem};
use crate::program::*;
use crate::source::{FileId, Span};
use crate::syntax::ast;
use crate::walk;
use std::collections::HashMap;

pub(super) fn declare_rules<'a>(
    ctx: &mut Ctx,
    files: &'a [(FileId, String, ast::File)],
) -> (Vec<Option<&'a ast::RuleDecl>>, Vec<&'a ast::RuleDecl>) {
    let mut asts = Vec::new();
    // Rules left out of the program (a repeated name, an unknown outcome):
    // their expressions are still checked so that every error shows at once.
    let mut orphans = Vec::new();
    let mut seen: HashMap<(DocId, String), Span> = HashMap::new();
    for (fid, _, f) in files {
        let doc = ctx.file_document(*fid);
        for item in &f.items {
            let ast::Item::Rule(r) = item else { continue };
            if let Some(first) = seen.get(&(doc, r.name.name.clone())) {
                let first = *first;
                duplicate(ctx, "rule", &r.name.name, r.name.loc.0, first);
                orphans.push(r);
                continue;
            }
            seen.insert((doc, r.name.name.clone()), r.name.loc.0);
            let name = r.outcome.dotted();
            let outcome = match ctx.p.outcome_index.get(&name) {
                Some(o) => *o,
                None if ctx.is_poisoned(&name) => {
                    orphans.push(r);
                    continue;
                }
                None => {
                    let is_fact = ctx.p.fact_index.contains_key(&name);
                    let suggestion =
                        suggest(&name, ctx.p.outcome_index.keys().map(String::as_str))
                            .map(str::to_string);
                    ctx.err(
                        Diag::of(Problem::UnknownOutcome {
                            name,
                            is_fact,
                            suggestion,
                        })
                        .label(r.outcome.loc.0, "no such outcome"),
                    );
                    orphans.push(r);
                    continue;
                }
            };
            let id = RuleId::try_from(ctx.p.rules.len()).unwrap_or(RuleId::MAX);
            ctx.p.rules.push(Rule {
                name: r.name.name.clone(),
                document: doc,
                cites: Cite {
                    article: r.cites.paragraph.article,
                    paragraph: r.cites.paragraph.paragraph,
                    item: r.cites.paragraph.item,
                    quote: r.cites.quote.value.clone(),
                    span: r.cites.loc.0,
                },
                outcome,
                exception_to: Vec::new(),
                defeaters: Vec::new(),
                when: None,
                value: Expr {
                    kind: ExprKind::Const(Value::Unknown),
                    ty: Type::Bool,
                    span: r.value.loc.0,
                    id: 0,
                },
                reads_outcomes: Vec::new(),
                span: r.name.loc.0,
            });
            if let Some(o) = ctx.p.outcomes.get_mut(outcome as usize) {
                o.rules.push(id);
            }
            asts.push(Some(r));
        }
    }
    (asts, orphans)
}

/// Checks the expressions of rules left out of the program.
pub(super) fn lower_orphans(ctx: &mut Ctx, orphans: &[&ast::RuleDecl]) {
    let scope = expr::Scope::default();
    for r in orphans {
        ctx.reads.clear();
        if let Some(w) = &r.when {
            if let Some(x) = expr::lower(ctx, w, &scope, Some(Type::Bool)) {
                expr::expect_type(ctx, &x, Type::Bool, "a rule's condition");
            }
        }
        let _ = expr::lower(ctx, &r.value, &scope, None);
    }
    ctx.reads.clear();
}

pub(super) fn lower_defaults(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    for (_, _, f) in files {
        for item in &f.items {
            let ast::Item::Outcome(od) = item else {
                continue;
            };
            let Some(e) = &od.default else { continue };
            let Some(&o) = ctx.p.outcome_index.get(&od.name.dotted()) else {
                continue;
            };
            let Some(ty) = ctx.p.outcomes.get(o as usize).map(|x| x.ty) else {
                continue;
            };
            ctx.reads.clear();
            let scope = expr::Scope::default();
            if let Some(x) = expr::lower(ctx, e, &scope, Some(ty)) {
                expr::expect_type(ctx, &x, ty, "the default of this outcome");
                if !ctx.reads.is_empty() {
                    ctx.err(
                        Diag::of(Problem::DefaultReadsOutcome).label(e.loc.0, "reads an outcome"),
                    );
                }
                if let Some(out) = ctx.p.outcomes.get_mut(o as usize) {
                    out.default = Some(x);
                }
            }
        }
    }
}

pub(super) fn lower_rules(ctx: &mut Ctx, asts: &[Option<&ast::RuleDecl>]) {
    for (i, r) in asts.iter().enumerate() {
        let Some(r) = r else { continue };
        let Some(outcome) = ctx.p.rules.get(i).map(|x| x.outcome) else {
            continue;
        };
        let Some(ty) = ctx.p.outcomes.get(outcome as usize).map(|o| o.ty) else {
            continue;
        };
        ctx.reads.clear();
        let scope = expr::Scope::default();
        let when = r.when.as_ref().and_then(|w| {
            let x = expr::lower(ctx, w, &scope, Some(Type::Bool))?;
            expr::expect_type(ctx, &x, Type::Bool, "a rule's condition");
            Some(x)
        });
        let value = expr::lower(ctx, &r.value, &scope, Some(ty));
        if let Some(v) = &value {
            if v.ty != ty {
                let (want, got) = (ctx.p.type_name(ty), ctx.p.type_name(v.ty));
                let oname = ctx
                    .p
                    .outcomes
                    .get(outcome as usize)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                ctx.err(
                    Diag::of(Problem::RuleValue {
                        rule: r.name.name.clone(),
                        outcome: oname,
                        want: want.clone(),
                        got: got.clone(),
                    })
                    .label(r.value.loc.0, format!("this is a {got}"))
                    .label(r.outcome.loc.0, format!("a {want}")),
                );
            }
        }
        let reads: Vec<OutcomeId> = ctx.reads.iter().copied().collect();
        if let Some(rule) = ctx.p.rules.get_mut(i) {
            rule.when = when;
            if let Some(v) = value {
                rule.value = v;
            }
            rule.reads_outcomes = reads;
        }
    }
}

pub(super) fn exceptions(ctx: &mut Ctx, asts: &[Option<&ast::RuleDecl>]) {
    // The first rule of each name in each document, and of each name.
    let mut by_doc: HashMap<(DocId, &str), usize> = HashMap::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, x) in ctx.p.rules.iter().enumerate() {
        by_doc.entry((x.document, x.name.as_str())).or_insert(i);
        by_name.entry(x.name.as_str()).or_insert(i);
    }
    let mut found: Vec<Vec<Option<usize>>> = Vec::with_capacity(asts.len());
    for (i, r) in asts.iter().enumerate() {
        let doc = ctx.p.rules.get(i).map(|x| x.document);
        found.push(match (r, doc) {
            (Some(r), Some(doc)) => r
                .exception_to
                .iter()
                .map(|t| {
                    by_doc
                        .get(&(doc, t.name.as_str()))
                        .or_else(|| by_name.get(t.name.as_str()))
                        .copied()
                })
                .collect(),
            _ => Vec::new(),
        });
    }
    drop((by_doc, by_name));
    for (i, r) in asts.iter().enumerate() {
        let Some(r) = r else { continue };
        let Some(outcome) = ctx.p.rules.get(i).map(|x| x.outcome) else {
            continue;
        };
        let mut targets = Vec::new();
        let found = found.get(i).map(Vec::as_slice).unwrap_or_default();
        for (t, j) in r.exception_to.iter().zip(found) {
            let Some(j) = *j else {
                let names: Vec<&str> = ctx.p.rules.iter().map(|x| x.name.as_str()).collect();
                let suggestion = suggest(&t.name, names).map(str::to_string);
                ctx.err(
                    Diag::of(Problem::UnknownRule {
                        name: t.name.clone(),
                        suggestion,
                    })
                    .label(t.loc.0, "no such rule"),
                );
                continue;
            };
            let Some(target) = ctx.p.rules.get(j) else {
                continue;
            };
            if target.outcome != outcome {
                let (tname, tspan) = (target.name.clone(), target.span);
                let theirs = ctx
                    .p
                    .outcome(target.outcome)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                let mine = ctx
                    .p
                    .outcome(outcome)
                    .map(|o| o.name.clone())
                    .unwrap_or_default();
                ctx.err(
                    Diag::of(Problem::ExceptionOtherOutcome {
                        rule: r.name.name.clone(),
                        mine: mine.clone(),
                        target: tname.clone(),
                        theirs: theirs.clone(),
                    })
                    .label(t.loc.0, format!("concludes `{theirs}`"))
                    .label(r.outcome.loc.0, format!("concludes `{mine}`"))
                    .label(tspan, "the rule excepted"),
                );
                continue;
            }
            if j == i {
                ctx.err(
                    Diag::of(Problem::SelfException {
                        rule: r.name.name.clone(),
                    })
                    .label(t.loc.0, "names the rule it is in"),
                );
                continue;
            }
            targets.push(RuleId::try_from(j).unwrap_or(RuleId::MAX));
        }
        if let Some(rule) = ctx.p.rules.get_mut(i) {
            rule.exception_to = targets;
        }
    }
    // Cycles of exceptions, then each rule's defeaters (direct and indirect
    // exceptions): the rules reachable from it through "is excepted by".
    let n = ctx.p.rules.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, r) in ctx.p.rules.iter().enumerate() {
        for t in &r.exception_to {
            if let Some(c) = children.get_mut(*t as usize) {
                c.push(i);
            }
        }
    }
    let comps = walk::components(&children);
    let mut cycles: Vec<&Vec<usize>> = comps
        .members
        .iter()
        .zip(&comps.cyclic)
        .filter(|(_, cyclic)| **cyclic)
        .map(|(m, _)| m)
        .collect();
    cycles.sort_unstable_by_key(|m| m.first().copied());
    for cycle in cycles {
        let Some(&start) = cycle.first() else {
            continue;
        };
        let rules: Vec<String> = cycle
            .iter()
            .filter_map(|k| ctx.p.rules.get(*k))
            .map(|x| x.name.clone())
            .collect();
        let Some(rule) = ctx.p.rules.get(start) else {
            continue;
        };
        // Each rule of the cycle, with the rule of the cycle it excepts.
        let excepts = |k: usize| -> String {
            let target = ctx.p.rules.get(k).and_then(|x| {
                x.exception_to
                    .iter()
                    .find(|t| comps.same(**t as usize, k))
                    .and_then(|t| ctx.p.rules.get(*t as usize))
            });
            match target {
                Some(t) => format!("an exception to `{}`", t.name),
                None => "in a cycle of exceptions".to_string(),
            }
        };
        let mut d = Diag::of(Problem::ExceptionCycle { rules }).label(rule.span, excepts(start));
        for k in cycle {
            if *k != start {
                if let Some(x) = ctx.p.rules.get(*k) {
                    d = d.label(x.span, excepts(*k));
                }
            }
        }
        ctx.err(d);
    }
    for (i, defeaters) in walk::descendants(&children).into_iter().enumerate() {
        if let Some(rule) = ctx.p.rules.get_mut(i) {
            rule.defeaters = defeaters
                .into_iter()
                .map(|d| RuleId::try_from(d).unwrap_or(RuleId::MAX))
                .collect();
        }
    }
}
