//! Resolving and type-checking expressions; definitions are checked once on
//! their own and then inlined at each call with the arguments substituted.
//!
//! Time: O(nodes lowered): each expression once, each definition's body once
//! on its own and once per call inlined (at most [`MAX_EXPANSION`] nodes and
//! [`MAX_DEPTH`] levels per call); finding recursive definitions is
//! O(definitions + calls) (see [`find_def_cycles`]).
use super::Ctx;
use crate::diag::{Diag, Problem};
use crate::program::*;
use crate::source::Span;
use crate::syntax::ast::{self, BinOp, Unit};

/// What a definition's parameter stands for while lowering its body.
#[derive(Clone, Debug)]
pub(crate) enum Binding {
    /// Checking the body on its own: only the type is known.
    Abstract(Type, u32),
    /// Inlining at a call: the argument, with its size and depth in nodes
    /// (each use copies it).
    Bound(Expr, usize, usize),
}

/// Definition parameters in scope.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub locals: Vec<(String, Binding)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Binding> {
        self.locals.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }
}

fn mk(kind: ExprKind, ty: Type, span: Span) -> Expr {
    Expr {
        kind,
        ty,
        span,
        id: 0,
    }
}

/// Reports when an expression does not have the type a place needs.
pub(crate) fn expect_type(ctx: &mut Ctx, e: &Expr, ty: Type, place: &str) {
    if e.ty != ty {
        let (want, got) = (ctx.p.type_name(ty), ctx.p.type_name(e.ty));
        ctx.err(
            Diag::of(Problem::TypeMismatch {
                place: place.to_string(),
                want: want.clone(),
                got: got.clone(),
            })
            .label(e.span, format!("this is a {got}")),
        );
    }
}

/// Finds definitions that call themselves, directly or through others.
/// O(definitions + calls) when there is no cycle; each cycle reported costs
/// a walk of its strongly connected part.
pub(crate) fn find_def_cycles(ctx: &mut Ctx) {
    let n = ctx.def_asts.len();
    let calls: Vec<Vec<(usize, Span)>> = ctx
        .def_asts
        .iter()
        .map(|d| {
            let mut out = Vec::new();
            collect_calls(&d.body, &mut |name, span| {
                if let Some(i) = ctx.def_index.get(name) {
                    out.push((*i as usize, span));
                }
            });
            out
        })
        .collect();
    let adj: Vec<Vec<usize>> = calls
        .iter()
        .map(|c| c.iter().map(|(d, _)| *d).collect())
        .collect();
    let comps = crate::walk::components(&adj);
    let mut reported = vec![false; n];
    for start in 0..n {
        if reported.get(start).copied().unwrap_or(true) || !comps.on_cycle(start) {
            continue;
        }
        // The shortest way back from `start` to itself, within its cycles.
        let Some(edges) = crate::walk::shortest_cycle(&adj, start, |d| comps.same(d, start)) else {
            continue;
        };
        // The cycle's calls, from `start` round to the call closing it.
        let cycle: Vec<(usize, Span)> = edges
            .iter()
            .filter_map(|&(from, e)| {
                let (_, span) = calls.get(from)?.get(e)?;
                Some((from, *span))
            })
            .collect();
        for &(member, _) in &cycle {
            if let Some(r) = reported.get_mut(member) {
                *r = true;
            }
            if let Some(b) = ctx.def_broken.get_mut(member) {
                *b = true;
            }
        }
        let name_of = |i: usize| {
            ctx.def_asts
                .get(i)
                .map(|d| d.name.name.clone())
                .unwrap_or_default()
        };
        let Some(d) = ctx.def_asts.get(start) else {
            continue;
        };
        let name = d.name.name.clone();
        let through: Vec<String> = cycle.iter().skip(1).map(|(m, _)| name_of(*m)).collect();
        let mut diag = Diag::of(Problem::RecursiveDefinition {
            def: name.clone(),
            through,
        })
        .label(d.name.loc.0, "this definition");
        for (i, &(member, span)) in cycle.iter().enumerate() {
            let callee = cycle.get(i + 1).map_or(start, |(m, _)| *m);
            let what = if callee == start {
                format!("`{}` calls `{name}` again here", name_of(member))
            } else {
                format!("calls `{}`", name_of(callee))
            };
            diag = diag.label(span, what);
        }
        ctx.err(diag);
    }
}

fn collect_calls(e: &ast::Expr, f: &mut impl FnMut(&str, Span)) {
    use ast::ExprKind as K;
    match &e.kind {
        K::Call(n, args) => {
            f(&n.name, n.loc.0);
            for a in args {
                collect_calls(a, f);
            }
        }
        K::Not(x) | K::Neg(x) | K::Paren(x) => collect_calls(x, f),
        K::Duration { amount, .. } => collect_calls(amount, f),
        K::Binary(_, a, b) => {
            collect_calls(a, f);
            collect_calls(b, f);
        }
        K::In { subject, set, .. } => {
            collect_calls(subject, f);
            for x in set {
                collect_calls(x, f);
            }
        }
        K::If(c, a, b) => {
            collect_calls(c, f);
            collect_calls(a, f);
            collect_calls(b, f);
        }
        _ => {}
    }
}

/// A definition's parameters (name, type, where) and result type.
type Signature = (Vec<(String, Type, Span)>, Type);

fn def_signature(ctx: &mut Ctx, d: usize) -> Option<Signature> {
    let ast = *ctx.def_asts.get(d)?;
    let mut params = Vec::new();
    let mut ok = true;
    for (n, t) in &ast.params {
        ctx.quiet += 1;
        let r = super::resolve_type(ctx, t);
        ctx.quiet -= 1;
        match r {
            Some((ty, _)) => params.push((n.name.clone(), ty, n.loc.0)),
            None => ok = false,
        }
    }
    ctx.quiet += 1;
    let ret = super::resolve_type(ctx, &ast.ty);
    ctx.quiet -= 1;
    let (ret, _) = ret?;
    ok.then_some((params, ret))
}

/// Checks every definition's body once, with abstract parameters.
pub(crate) fn check_def_bodies(ctx: &mut Ctx) {
    for d in 0..ctx.def_asts.len() {
        let Some(ast) = ctx.def_asts.get(d).copied() else {
            continue;
        };
        // Each parameter name's first declaration.
        let mut first: std::collections::HashMap<&str, Span> = std::collections::HashMap::new();
        for (m, _) in &ast.params {
            first.entry(m.name.as_str()).or_insert(m.loc.0);
        }
        for (n, t) in &ast.params {
            let _ = super::resolve_type(ctx, t);
            if first.get(n.name.as_str()).is_some_and(|s| *s != n.loc.0) {
                ctx.err(
                    Diag::of(Problem::DuplicateParameter {
                        name: n.name.clone(),
                    })
                    .label(n.loc.0, "declared again here"),
                );
            }
        }
        let _ = super::resolve_type(ctx, &ast.ty);
        if ctx.def_broken.get(d).copied().unwrap_or(true) {
            continue;
        }
        let Some((params, ret)) = def_signature(ctx, d) else {
            continue;
        };
        let scope = Scope {
            locals: params
                .iter()
                .enumerate()
                .map(|(i, (n, t, _))| {
                    (
                        n.clone(),
                        Binding::Abstract(*t, u32::try_from(i).unwrap_or(0)),
                    )
                })
                .collect(),
        };
        let saved = std::mem::take(&mut ctx.reads);
        if let Some(body) = lower(ctx, &ast.body, &scope, Some(ret)) {
            if body.ty != ret {
                let (want, got) = (ctx.p.type_name(ret), ctx.p.type_name(body.ty));
                ctx.err(
                    Diag::of(Problem::BodyType {
                        def: ast.name.name.clone(),
                        want: want.clone(),
                        got: got.clone(),
                    })
                    .label(ast.body.loc.0, format!("this is a {got}"))
                    .label(ast.ty.loc().0, format!("declared {want}")),
                );
            }
        }
        ctx.reads = saved;
    }
}

/// Resolves and type-checks an expression. `expect` guides the reading of
/// bare enum values (`host`) that several enums share.
/// The deepest a checked expression may be once definitions are inlined:
/// evaluation recurses over it. The parser keeps written expressions well
/// below (nesting and chains are bounded).
pub(crate) const MAX_DEPTH: usize = 300;

/// The most nodes one call may expand to once definitions are inlined.
pub(crate) const MAX_EXPANSION: usize = 50_000;

/// The number of nodes of a checked expression and its depth, without recursion.
fn measure(e: &Expr) -> (usize, usize) {
    let (mut size, mut depth) = (0, 0);
    let mut stack = vec![(e, 1)];
    while let Some((x, d)) = stack.pop() {
        size += 1;
        depth = depth.max(d);
        match &x.kind {
            ExprKind::Const(_)
            | ExprKind::Fact(_)
            | ExprKind::Group(_)
            | ExprKind::Outcome(_)
            | ExprKind::Param(_)
            | ExprKind::AsOf
            | ExprKind::Local(_) => {}
            ExprKind::Not(a)
            | ExprKind::Neg(a)
            | ExprKind::In(a, _, _)
            | ExprKind::Days(a)
            | ExprKind::Months(a, _, _)
            | ExprKind::Round(a, _) => stack.push((a, d + 1)),
            ExprKind::And(a, b)
            | ExprKind::Or(a, b)
            | ExprKind::Cmp(_, a, b)
            | ExprKind::Arith(_, a, b) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
            }
            ExprKind::If(a, b, c) => {
                stack.push((a, d + 1));
                stack.push((b, d + 1));
                stack.push((c, d + 1));
            }
            ExprKind::Call(_, args, body) => {
                stack.extend(args.iter().map(|a| (a, d + 1)));
                stack.push((body, d + 1));
            }
        }
    }
    (size, depth)
}

/// Resolves and type-checks an expression, guarding depth and expansion.
pub(crate) fn lower(
    ctx: &mut Ctx,
    e: &ast::Expr,
    scope: &Scope,
    expect: Option<Type>,
) -> Option<Expr> {
    if ctx.quiet > 0 {
        ctx.expanded += 1;
    }
    if ctx.depth >= MAX_DEPTH || ctx.expanded > MAX_EXPANSION {
        if ctx.quiet == 0 {
            ctx.err(
                Diag::of(Problem::ExpressionTooDeep).label(e.loc.0, "too deep here"),
            );
        }
        ctx.overflowed = true;
        return None;
    }
    ctx.depth += 1;
    let out = lower_inner(ctx, e, scope, expect);
    ctx.depth -= 1;
    out
}

fn lower_inner(ctx: &mut Ctx, e: &ast::Expr, scope: &Scope, expect: Option<Type>) -> Option<Expr> {
    use ast::ExprKind as K;
    let span = e.loc.0;
    match &e.kind {
        K::Bool(b) => Some(mk(ExprKind::Const(Value::Bool(*b)), Type::Bool, span)),
        K::Int(n) => Some(mk(ExprKind::Const(Value::Int(*n)), Type::Int, span)),
        K::Decimal(d, _) => Some(mk(ExprKind::Const(Value::Decimal(*d)), Type::Decimal, span)),
        K::Round(x, r) => {
            let x = lower(ctx, x, scope, None)?;
            if !numeric(x.ty) {
                operand(ctx, &x, Type::Decimal, "rounding")?;
            }
            Some(mk(ExprKind::Round(Box::new(x), *r), Type::Int, span))
        }
        K::Date(d) => Some(mk(ExprKind::Const(Value::Date(*d)), Type::Date, span)),
        K::Text(s) => Some(mk(
            ExprKind::Const(Value::Text(s.as_str().into())),
            Type::Text,
            span,
        )),
        K::AsOf => Some(mk(ExprKind::AsOf, Type::Date, span)),
        K::Paren(x) => lower(ctx, x, scope, expect).map(|mut x| {
            x.span = span;
            x
        }),
        K::Path(p) => path(ctx, p, scope, expect),
        K::Not(x) => {
            let x = lower(ctx, x, scope, Some(Type::Bool))?;
            operand(ctx, &x, Type::Bool, "`not`")?;
            Some(mk(ExprKind::Not(Box::new(x)), Type::Bool, span))
        }
        K::Neg(x) => {
            let x = lower(ctx, x, scope, Some(Type::Int))?;
            if x.ty != Type::Decimal {
                operand(ctx, &x, Type::Int, "`-`")?;
            }
            let ty = x.ty;
            Some(mk(ExprKind::Neg(Box::new(x)), ty, span))
        }
        K::Binary(op, a, b) => binary(ctx, *op, a, b, scope, span),
        K::In {
            subject,
            negated,
            set,
        } => {
            let s = lower(ctx, subject, scope, None)?;
            let mut values = Vec::new();
            let mut ok = true;
            for x in set {
                let Some(v) = lower(ctx, x, scope, Some(s.ty)) else {
                    ok = false;
                    continue;
                };
                if v.ty != s.ty {
                    let (want, got) = (ctx.p.type_name(s.ty), ctx.p.type_name(v.ty));
                    ctx.err(
                        Diag::of(Problem::SetElement {
                            want: want.clone(),
                            got: got.clone(),
                        })
                        .label(v.span, format!("this is a {got}"))
                        .label(s.span, format!("this is a {want}")),
                    );
                    ok = false;
                    continue;
                }
                match v.kind {
                    ExprKind::Const(c) => values.push(c),
                    _ => {
                        ctx.err(
                            Diag::of(Problem::SetNotConstant).label(v.span, "not a constant"),
                        );
                        ok = false;
                    }
                }
            }
            if matches!(s.ty, Type::Record(_) | Type::Days | Type::Months) {
                ctx.err(
                    Diag::of(Problem::NoMembership {
                        ty: ctx.p.type_name(s.ty),
                    })
                    .label(s.span, "here"),
                );
                return None;
            }
            ok.then(|| {
                mk(
                    ExprKind::In(Box::new(s), values, *negated),
                    Type::Bool,
                    span,
                )
            })
        }
        K::If(c, a, b) => {
            let c = lower(ctx, c, scope, Some(Type::Bool));
            let a = lower(ctx, a, scope, expect);
            let b = match &a {
                Some(a) => lower(ctx, b, scope, Some(a.ty)),
                None => lower(ctx, b, scope, expect),
            };
            let (c, a, b) = (c?, a?, b?);
            operand(ctx, &c, Type::Bool, "the condition of `if`")?;
            if a.ty != b.ty {
                let (ta, tb) = (ctx.p.type_name(a.ty), ctx.p.type_name(b.ty));
                ctx.err(
                    Diag::of(Problem::IfBranches {
                        a: ta.clone(),
                        b: tb.clone(),
                    })
                    .label(a.span, format!("this is a {ta}"))
                    .label(b.span, format!("this is a {tb}")),
                );
                return None;
            }
            let ty = a.ty;
            Some(mk(
                ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                ty,
                span,
            ))
        }
        K::Duration {
            amount,
            unit,
            rounding,
        } => {
            let n = lower(ctx, amount, scope, Some(Type::Int))?;
            operand(ctx, &n, Type::Int, "a duration's count")?;
            match unit {
                Unit::Days => Some(mk(ExprKind::Days(Box::new(n)), Type::Days, span)),
                Unit::Months | Unit::Years => {
                    let factor = if *unit == Unit::Years { 12 } else { 1 };
                    let Some(r) = rounding else {
                        let word = if *unit == Unit::Years {
                            "years"
                        } else {
                            "months"
                        };
                        ctx.err(
                            Diag::of(Problem::AmbiguousDateStep {
                                word: word.to_string(),
                                amount: crate::syntax::print::expr(amount),
                            })
                            .label(span, "Jan 31 + 1 month has no single answer"),
                        );
                        return None;
                    };
                    Some(mk(
                        ExprKind::Months(Box::new(n), factor, *r),
                        Type::Months,
                        span,
                    ))
                }
            }
        }
        K::Call(name, args) => call(ctx, name, args, scope, span),
    }
}

/// Whether a type is a number: `int` or `decimal`, which mix exactly.
fn numeric(t: Type) -> bool {
    matches!(t, Type::Int | Type::Decimal)
}

/// Reports an operand of the wrong type.
fn operand(ctx: &mut Ctx, x: &Expr, ty: Type, what: &str) -> Option<()> {
    if x.ty == ty {
        return Some(());
    }
    let (want, got) = (ctx.p.type_name(ty), ctx.p.type_name(x.ty));
    ctx.err(
        Diag::of(Problem::Operand {
            what: what.to_string(),
            want,
            got: got.clone(),
        })
        .label(x.span, format!("this is a {got}")),
    );
    None
}

fn is_bare_enum_literal(ctx: &Ctx, e: &ast::Expr, scope: &Scope) -> bool {
    let ast::ExprKind::Path(p) = &e.kind else {
        return false;
    };
    if p.segments.len() != 1 {
        return false;
    }
    let n = p.dotted();
    scope.get(&n).is_none()
        && !ctx.p.fact_index.contains_key(&n)
        && !ctx.p.outcome_index.contains_key(&n)
        && !ctx.param_index.contains_key(&n)
        && !ctx.group_index.contains_key(&n)
}

fn binary(
    ctx: &mut Ctx,
    op: BinOp,
    a: &ast::Expr,
    b: &ast::Expr,
    scope: &Scope,
    span: Span,
) -> Option<Expr> {
    match op {
        BinOp::And | BinOp::Or => {
            let x = lower(ctx, a, scope, Some(Type::Bool));
            let y = lower(ctx, b, scope, Some(Type::Bool));
            let (x, y) = (x?, y?);
            let word = if op == BinOp::And { "`and`" } else { "`or`" };
            let ox = operand(ctx, &x, Type::Bool, word);
            let oy = operand(ctx, &y, Type::Bool, word);
            ox?;
            oy?;
            let kind = if op == BinOp::And {
                ExprKind::And(Box::new(x), Box::new(y))
            } else {
                ExprKind::Or(Box::new(x), Box::new(y))
            };
            Some(mk(kind, Type::Bool, span))
        }
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
            // Read the side that is not a bare enum value first, so the value is read in its type.
            let (x, y) =
                if is_bare_enum_literal(ctx, a, scope) && !is_bare_enum_literal(ctx, b, scope) {
                    let y = lower(ctx, b, scope, None);
                    let x = lower(ctx, a, scope, y.as_ref().map(|y| y.ty));
                    (x, y)
                } else {
                    let x = lower(ctx, a, scope, None);
                    let y = lower(ctx, b, scope, x.as_ref().map(|x| x.ty));
                    (x, y)
                };
            let (x, y) = (x?, y?);
            let ordered = !matches!(op, BinOp::Eq | BinOp::Ne);
            if x.ty != y.ty && !(numeric(x.ty) && numeric(y.ty)) {
                let (tx, ty) = (ctx.p.type_name(x.ty), ctx.p.type_name(y.ty));
                ctx.err(
                    Diag::of(Problem::CompareTypes {
                        a: tx.clone(),
                        b: ty.clone(),
                    })
                    .label(x.span, format!("this is a {tx}"))
                    .label(y.span, format!("this is a {ty}")),
                );
                return None;
            }
            if ordered && !matches!(x.ty, Type::Int | Type::Date | Type::Decimal) {
                let t = ctx.p.type_name(x.ty);
                ctx.err(
                    Diag::of(Problem::Unordered {
                        op: op.symbol().to_string(),
                        ty: t.clone(),
                    })
                    .label(x.span, format!("this is a {t}")),
                );
                return None;
            }
            if matches!(x.ty, Type::Record(_) | Type::Days | Type::Months) {
                let t = ctx.p.type_name(x.ty);
                ctx.err(
                    Diag::of(Problem::Uncomparable { ty: t.clone() })
                        .label(x.span, format!("this is a {t}")),
                );
                return None;
            }
            let c = match op {
                BinOp::Eq => CmpOp::Eq,
                BinOp::Ne => CmpOp::Ne,
                BinOp::Lt => CmpOp::Lt,
                BinOp::Le => CmpOp::Le,
                BinOp::Gt => CmpOp::Gt,
                _ => CmpOp::Ge,
            };
            Some(mk(
                ExprKind::Cmp(c, Box::new(x), Box::new(y)),
                Type::Bool,
                span,
            ))
        }
        BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
            let x = lower(ctx, a, scope, None);
            let y = lower(ctx, b, scope, None);
            let (x, y) = (x?, y?);
            let result = match (op, x.ty, y.ty) {
                // An exact quotient is a decimal, even of two ints.
                (BinOp::Div, a, b) if numeric(a) && numeric(b) => Some(Type::Decimal),
                (_, Type::Int, Type::Int) => Some(Type::Int),
                (_, a, b) if numeric(a) && numeric(b) => Some(Type::Decimal),
                (BinOp::Add | BinOp::Sub, Type::Date, Type::Days | Type::Months) => {
                    Some(Type::Date)
                }
                (BinOp::Add, Type::Days | Type::Months, Type::Date) => Some(Type::Date),
                (BinOp::Sub, Type::Date, Type::Date) => Some(Type::Int),
                _ => None,
            };
            let Some(ty) = result else {
                let (tx, ty) = (ctx.p.type_name(x.ty), ctx.p.type_name(y.ty));
                let date_and_int = matches!(
                    (x.ty, y.ty),
                    (Type::Date, Type::Int) | (Type::Int, Type::Date)
                );
                let bad = if matches!(x.ty, Type::Int | Type::Date | Type::Decimal) {
                    &y
                } else {
                    &x
                };
                let tb = ctx.p.type_name(bad.ty);
                ctx.err(
                    Diag::of(Problem::Arithmetic {
                        op: op.symbol().to_string(),
                        a: tx,
                        b: ty,
                        date_and_int,
                    })
                    .label(bad.span, format!("this is a {tb}")),
                );
                return None;
            };
            let a_op = match op {
                BinOp::Add => ArithOp::Add,
                BinOp::Sub => ArithOp::Sub,
                BinOp::Div => ArithOp::Div,
                _ => ArithOp::Mul,
            };
            Some(mk(
                ExprKind::Arith(a_op, Box::new(x), Box::new(y)),
                ty,
                span,
            ))
        }
    }
}

fn path(ctx: &mut Ctx, p: &ast::Path, scope: &Scope, expect: Option<Type>) -> Option<Expr> {
    let span = p.loc.0;
    let name = p.dotted();
    let first = p.segments.first().map(|s| s.name.as_str()).unwrap_or("");
    // A definition's parameter, or a field of one.
    if let Some(b) = scope.get(first) {
        let b = b.clone();
        return local(ctx, p, &b, span);
    }
    if let Some(&f) = ctx.p.fact_index.get(&name) {
        if let Some(r) = ctx.fact_read.get_mut(f as usize) {
            *r = true;
        }
        let ty = ctx
            .p
            .facts
            .get(f as usize)
            .map(|x| x.ty)
            .unwrap_or(Type::Bool);
        return Some(mk(ExprKind::Fact(f), ty, span));
    }
    if let Some(&o) = ctx.p.outcome_index.get(&name) {
        ctx.reads.insert(o);
        let ty = ctx
            .p
            .outcomes
            .get(o as usize)
            .map(|x| x.ty)
            .unwrap_or(Type::Bool);
        return Some(mk(ExprKind::Outcome(o), ty, span));
    }
    if let Some(&pr) = ctx.param_index.get(&name) {
        let ty = ctx
            .p
            .params
            .get(pr as usize)
            .map(|x| x.ty)
            .unwrap_or(Type::Int);
        return Some(mk(ExprKind::Param(pr), ty, span));
    }
    if let Some(&g) = ctx.group_index.get(&name) {
        let group = ctx.p.groups.get(g as usize);
        let ty = group.map(|x| Type::Record(x.record)).unwrap_or(Type::Bool);
        return Some(mk(ExprKind::Group(g), ty, span));
    }
    // `Type.value`
    if let [t, v] = p.segments.as_slice() {
        if let Some(&e) = ctx.enum_index.get(&t.name) {
            return enum_value(ctx, e, &v.name, v.loc.0);
        }
    }
    // A bare enum value, read in the expected type when several enums share it.
    if p.segments.len() == 1 {
        let owners: Vec<EnumId> = ctx
            .variants
            .get(first)
            .map(|v| v.iter().map(|(e, _)| *e).collect())
            .unwrap_or_default();
        if let Some(Type::Enum(want)) = expect {
            if owners.contains(&want) {
                return enum_value(ctx, want, first, span);
            }
            if owners.is_empty() {
                return enum_value(ctx, want, first, span);
            }
        }
        match owners.as_slice() {
            [one] => return enum_value(ctx, *one, first, span),
            [] => {}
            many => {
                let enums: Vec<String> = many
                    .iter()
                    .map(|e| ctx.p.type_name(Type::Enum(*e)))
                    .collect();
                ctx.err(
                    Diag::of(Problem::AmbiguousEnumValue {
                        value: first.to_string(),
                        enums,
                    })
                    .label(span, "which one?"),
                );
                return None;
            }
        }
    }
    if ctx.is_poisoned(&name) {
        return None; // its declaration is reported
    }
    // A field of a record fact that the record does not have.
    if let Some((group, field)) = name.rsplit_once('.') {
        let record = ctx
            .group_index
            .get(group)
            .and_then(|g| ctx.p.groups.get(*g as usize))
            .and_then(|g| ctx.p.records.get(g.record as usize));
        if let Some(rec) = record {
            let fields: Vec<&str> = rec.fields.iter().map(|f| f.name.as_str()).collect();
            let suggestion = crate::diag::suggest(field, fields.iter().copied()).map(str::to_string);
            let fspan = p.segments.last().map(|s| s.loc.0).unwrap_or(span);
            ctx.err(
                Diag::of(Problem::UnknownGroupField {
                    group: group.to_string(),
                    field: field.to_string(),
                    record: rec.name.clone(),
                    fields: fields.iter().map(|f| f.to_string()).collect(),
                    suggestion,
                })
                .label(fspan, format!("not a field of `{}`", rec.name)),
            );
            return None;
        }
    }
    // Unknown: suggest the closest name of any kind.
    let mut names: Vec<&str> = Vec::new();
    names.extend(ctx.p.fact_index.keys().map(String::as_str));
    names.extend(ctx.p.outcome_index.keys().map(String::as_str));
    names.extend(ctx.param_index.keys().map(String::as_str));
    names.extend(ctx.group_index.keys().map(String::as_str));
    names.extend(scope.locals.iter().map(|(n, _)| n.as_str()));
    for e in &ctx.p.enums {
        names.extend(e.variants.iter().map(|(n, _)| n.as_str()));
    }
    let suggestion = crate::diag::suggest(&name, names).map(str::to_string);
    let what = if p.segments.len() > 1 {
        "fact or outcome"
    } else {
        "name"
    };
    ctx.err(
        Diag::of(Problem::UnknownName {
            what: what.to_string(),
            name: name.clone(),
            suggestion,
        })
        .label(span, "not declared"),
    );
    None
}

fn enum_value(ctx: &mut Ctx, e: EnumId, v: &str, span: Span) -> Option<Expr> {
    let t = ctx.p.enums.get(e as usize)?;
    let found = ctx
        .variants
        .get(v)
        .and_then(|owners| owners.iter().find(|(o, _)| *o == e));
    if let Some(&(_, i)) = found {
        return Some(mk(ExprKind::Const(Value::Enum(e, i)), Type::Enum(e), span));
    }
    let values: Vec<String> = t.variants.iter().map(|(n, _)| n.clone()).collect();
    let suggestion = crate::diag::suggest(v, values.iter().map(String::as_str)).map(str::to_string);
    let tname = t.name.clone();
    ctx.err(
        Diag::of(Problem::UnknownEnumValue {
            value: v.to_string(),
            enum_name: tname.clone(),
            values,
            suggestion,
        })
        .label(span, format!("not a {tname}")),
    );
    None
}

fn local(ctx: &mut Ctx, p: &ast::Path, b: &Binding, span: Span) -> Option<Expr> {
    let (ty, base) = match b {
        Binding::Abstract(t, i) => (*t, Some(mk(ExprKind::Local(*i), *t, span))),
        Binding::Bound(x, size, depth) => {
            if ctx.quiet > 0 {
                ctx.expanded += size;
                if ctx.expanded > MAX_EXPANSION || ctx.depth + depth >= MAX_DEPTH {
                    ctx.overflowed = true;
                    return None;
                }
            }
            (x.ty, Some(x.clone()))
        }
    };
    let base = base?;
    match p.segments.as_slice() {
        // The argument keeps its own span: the derivation shows what was passed.
        [_] => Some(base),
        [_, field] => {
            let Type::Record(r) = ty else {
                let t = ctx.p.type_name(ty);
                ctx.err(
                    Diag::of(Problem::NotARecord {
                        name: p
                            .segments
                            .first()
                            .map(|s| s.name.clone())
                            .unwrap_or_default(),
                        ty: t,
                    })
                    .label(field.loc.0, "no such field"),
                );
                return None;
            };
            let rec = ctx.p.records.get(r as usize)?;
            let Some(fi) = rec.fields.iter().position(|f| f.name == field.name) else {
                let names: Vec<&str> = rec.fields.iter().map(|f| f.name.as_str()).collect();
                let suggestion = crate::diag::suggest(&field.name, names).map(str::to_string);
                ctx.err(
                    Diag::of(Problem::UnknownRecordField {
                        record: rec.name.clone(),
                        field: field.name.clone(),
                        suggestion,
                    })
                    .label(field.loc.0, "no such field"),
                );
                return None;
            };
            let fty = rec.fields.get(fi).map(|f| f.ty).unwrap_or(Type::Bool);
            match &base.kind {
                ExprKind::Group(g) => {
                    let first = ctx.p.groups.get(*g as usize).map(|x| x.first).unwrap_or(0);
                    let f = first + u32::try_from(fi).unwrap_or(0);
                    if let Some(r) = ctx.fact_read.get_mut(f as usize) {
                        *r = true;
                    }
                    Some(mk(ExprKind::Fact(f), fty, span))
                }
                _ => Some(mk(ExprKind::Const(Value::Unknown), fty, span)),
            }
        }
        _ => {
            ctx.err(
                Diag::of(Problem::TooManyParts { path: p.dotted() }).label(span, "too many parts"),
            );
            None
        }
    }
}

fn call(
    ctx: &mut Ctx,
    name: &ast::Ident,
    args: &[ast::Expr],
    scope: &Scope,
    span: Span,
) -> Option<Expr> {
    let Some(&d) = ctx.def_index.get(&name.name) else {
        let names: Vec<&str> = ctx.def_index.keys().map(String::as_str).collect();
        let suggestion = crate::diag::suggest(&name.name, names).map(str::to_string);
        ctx.err(
            Diag::of(Problem::UnknownDefinition {
                name: name.name.clone(),
                suggestion,
            })
            .label(name.loc.0, "not defined"),
        );
        return None;
    };
    let di = d as usize;
    let (params, ret) = def_signature(ctx, di)?;
    let def_span = ctx.p.defs.get(di).map(|x| x.span).unwrap_or_default();
    if params.len() != args.len() {
        let sig: Vec<String> = params
            .iter()
            .map(|(n, t, _)| format!("{n}: {}", ctx.p.type_name(*t)))
            .collect();
        ctx.err(
            Diag::of(Problem::WrongArity {
                def: name.name.clone(),
                params: sig,
                given: args.len(),
            })
            .label(span, "this call")
            .label(def_span, "defined here"),
        );
        return None;
    }
    let mut lowered = Vec::new();
    let mut ok = true;
    for (a, (pn, pt, _)) in args.iter().zip(&params) {
        let Some(x) = lower(ctx, a, scope, Some(*pt)) else {
            ok = false;
            continue;
        };
        if x.ty != *pt {
            let (want, got) = (ctx.p.type_name(*pt), ctx.p.type_name(x.ty));
            ctx.err(
                Diag::of(Problem::Argument {
                    param: pn.clone(),
                    def: name.name.clone(),
                    want,
                    got: got.clone(),
                })
                .label(x.span, format!("this is a {got}"))
                .label(def_span, "defined here"),
            );
            ok = false;
            continue;
        }
        lowered.push(x);
    }
    if !ok {
        return None;
    }
    if ctx.def_broken.get(di).copied().unwrap_or(true) {
        return Some(mk(ExprKind::Const(Value::Unknown), ret, span));
    }
    let ast = *ctx.def_asts.get(di)?;
    let inner = Scope {
        locals: params
            .iter()
            .zip(&lowered)
            .map(|((n, _, _), x)| {
                let (size, depth) = measure(x);
                (n.clone(), Binding::Bound(x.clone(), size, depth))
            })
            .collect(),
    };
    // The body was checked on its own; inline it quietly.
    let outermost = ctx.quiet == 0;
    if outermost {
        ctx.expanded = 0;
        ctx.overflowed = false;
    }
    ctx.quiet += 1;
    let body = lower(ctx, &ast.body, &inner, Some(ret));
    ctx.quiet -= 1;
    if outermost {
        ctx.expanded = 0;
    }
    if outermost && ctx.overflowed {
        ctx.overflowed = false;
        // Reported once: further calls of it stand for an unknown value.
        if let Some(b) = ctx.def_broken.get_mut(di) {
            *b = true;
        }
        ctx.err(
            Diag::of(Problem::ExpansionTooLarge {
                def: name.name.clone(),
                parts: MAX_EXPANSION,
                levels: MAX_DEPTH,
            })
            .label(span, "this call")
            .label(def_span, "defined here"),
        );
        return None;
    }
    let body = body?;
    Some(mk(ExprKind::Call(d, lowered, Box::new(body)), ret, span))
}
