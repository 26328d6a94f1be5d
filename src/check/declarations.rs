//! Declarations: types, facts, outcomes, definitions and parameters, with
//! their names, duplicates and types.
//!
//! Time: O(declarations + the length of their names), with hashed look-ups.
use super::{cite, expr, revisions, Ctx};
use crate::diag::{Code, Diag, Problem};
use crate::program::*;
use crate::source::{FileId, Span};
use crate::syntax::ast;
use chrono::NaiveDate;
use std::collections::HashMap;

/// Names a user may not give a type.
const BUILTIN_TYPES: [&str; 5] = ["bool", "date", "text", "int", "decimal"];

pub(super) fn duplicate(ctx: &mut Ctx, what: &str, name: &str, here: Span, first: Span) {
    ctx.err(
        Diag::of(Problem::Duplicate {
            what: what.to_string(),
            name: name.to_string(),
        })
        .label(here, "declared again here")
        .label(first, "first declared here"),
    );
}

pub(super) fn declare_types(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    let mut type_spans: HashMap<String, Span> = HashMap::new();
    for (_, _, f) in files {
        for item in &f.items {
            let (name, span) = match item {
                ast::Item::Enum(e) => (&e.name, e.name.loc.0),
                ast::Item::Record(r) => (&r.name, r.name.loc.0),
                _ => continue,
            };
            if BUILTIN_TYPES.contains(&name.name.as_str()) {
                ctx.err(
                    Diag::of(Problem::ReservedType {
                        name: name.name.clone(),
                    })
                    .label(span, "cannot be redeclared"),
                );
                continue;
            }
            if let Some(first) = type_spans.get(&name.name) {
                let first = *first;
                duplicate(ctx, "type", &name.name, span, first);
                continue;
            }
            type_spans.insert(name.name.clone(), span);
            match item {
                ast::Item::Enum(e) => {
                    let mut variants: Vec<(String, String)> = Vec::new();
                    let mut spans: HashMap<&str, Span> = HashMap::new();
                    for (v, l) in &e.variants {
                        if let Some(first) = spans.get(v.name.as_str()) {
                            let first = *first;
                            duplicate(ctx, "enum value", &v.name, v.loc.0, first);
                            continue;
                        }
                        spans.insert(&v.name, v.loc.0);
                        variants.push((v.name.clone(), l.value.clone()));
                    }
                    if variants.is_empty() {
                        ctx.err(
                            Diag::of(Problem::EmptyEnum {
                                name: e.name.name.clone(),
                            })
                            .label(e.name.loc.0, "empty"),
                        );
                    }
                    let id = EnumId::try_from(ctx.p.enums.len()).unwrap_or(EnumId::MAX);
                    ctx.enum_index.insert(e.name.name.clone(), id);
                    ctx.p.enums.push(EnumType {
                        name: e.name.name.clone(),
                        label: e.label.value.clone(),
                        variants,
                        span: e.name.loc.0,
                    });
                }
                ast::Item::Record(r) => {
                    let id = RecordId::try_from(ctx.p.records.len()).unwrap_or(RecordId::MAX);
                    ctx.record_index.insert(r.name.name.clone(), id);
                    ctx.p.records.push(RecordType {
                        name: r.name.name.clone(),
                        label: r.label.value.clone(),
                        fields: Vec::new(),
                        span: r.name.loc.0,
                    });
                }
                _ => {}
            }
        }
    }
    // Record fields, once every type name is known.
    for (_, _, f) in files {
        for item in &f.items {
            let ast::Item::Record(r) = item else { continue };
            let Some(&id) = ctx.record_index.get(&r.name.name) else {
                continue;
            };
            if ctx
                .p
                .records
                .get(id as usize)
                .is_some_and(|x| x.span != r.name.loc.0)
            {
                continue;
            }
            let mut fields: Vec<Field> = Vec::new();
            let mut spans: HashMap<&str, Span> = HashMap::new();
            for (n, t, l) in &r.fields {
                if let Some(first) = spans.get(n.name.as_str()) {
                    let first = *first;
                    duplicate(ctx, "field", &n.name, n.loc.0, first);
                    continue;
                }
                spans.insert(&n.name, n.loc.0);
                let Some((ty, min)) = resolve_type(ctx, t) else {
                    continue;
                };
                if matches!(ty, Type::Record(_)) {
                    ctx.err(
                        Diag::of(Problem::NestedRecord).label(t.loc().0, "record type here"),
                    );
                    continue;
                }
                fields.push(Field {
                    name: n.name.clone(),
                    ty,
                    min,
                    label: l.value.clone(),
                });
            }
            if let Some(rec) = ctx.p.records.get_mut(id as usize) {
                rec.fields = fields;
            }
        }
    }
}

/// Resolves a written type.
pub(crate) fn resolve_type(ctx: &mut Ctx, t: &ast::TypeRef) -> Option<(Type, Option<i64>)> {
    match t {
        ast::TypeRef::Int { min, .. } => Some((Type::Int, *min)),
        ast::TypeRef::Named(i) => match i.name.as_str() {
            "bool" => Some((Type::Bool, None)),
            "date" => Some((Type::Date, None)),
            "text" => Some((Type::Text, None)),
            "decimal" => Some((Type::Decimal, None)),
            n => {
                if let Some(e) = ctx.enum_index.get(n) {
                    return Some((Type::Enum(*e), None));
                }
                if let Some(r) = ctx.record_index.get(n) {
                    return Some((Type::Record(*r), None));
                }
                let mut names: Vec<&str> = BUILTIN_TYPES.to_vec();
                names.extend(ctx.enum_index.keys().map(String::as_str));
                names.extend(ctx.record_index.keys().map(String::as_str));
                let suggestion = crate::diag::suggest(n, names).map(str::to_string);
                ctx.err(
                    Diag::of(Problem::UnknownType {
                        name: n.to_string(),
                        suggestion,
                    })
                    .label(i.loc.0, "not a type"),
                );
                None
            }
        },
    }
}

pub(super) fn declare_facts_outcomes(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    let mut spans: HashMap<String, (Span, &'static str)> = HashMap::new();
    for (_, _, f) in files {
        for item in &f.items {
            match item {
                ast::Item::Fact(fd) => {
                    let name = fd.name.dotted();
                    if let Some((first, what)) = spans.get(&name) {
                        let (first, what) = (*first, *what);
                        duplicate(ctx, what, &name, fd.name.loc.0, first);
                        continue;
                    }
                    if name == "as_of" {
                        ctx.err(
                            Diag::of(Problem::ReservedAsOf).label(fd.name.loc.0, "reserved"),
                        );
                        continue;
                    }
                    spans.insert(name.clone(), (fd.name.loc.0, "name"));
                    let Some((ty, min)) = resolve_type(ctx, &fd.ty) else {
                        ctx.poisoned.insert(name);
                        continue;
                    };
                    if let Type::Record(r) = ty {
                        let first = FactId::try_from(ctx.p.facts.len()).unwrap_or(FactId::MAX);
                        let fields = ctx
                            .p
                            .records
                            .get(r as usize)
                            .map(|x| x.fields.clone())
                            .unwrap_or_default();
                        for fl in fields {
                            let fname = format!("{name}.{}", fl.name);
                            let id = FactId::try_from(ctx.p.facts.len()).unwrap_or(FactId::MAX);
                            ctx.p.fact_index.insert(fname.clone(), id);
                            spans.insert(fname.clone(), (fd.name.loc.0, "name"));
                            ctx.p.facts.push(Fact {
                                name: fname,
                                label: format!("{}·{}", fd.label.value, fl.label),
                                ty: fl.ty,
                                min: fl.min,
                                span: fd.name.loc.0,
                            });
                        }
                        let g = u32::try_from(ctx.p.groups.len()).unwrap_or(u32::MAX);
                        ctx.group_index.insert(name.clone(), g);
                        ctx.p.groups.push(FactGroup {
                            name,
                            label: fd.label.value.clone(),
                            record: r,
                            first,
                            span: fd.name.loc.0,
                        });
                        continue;
                    }
                    let id = FactId::try_from(ctx.p.facts.len()).unwrap_or(FactId::MAX);
                    ctx.p.fact_index.insert(name.clone(), id);
                    ctx.p.facts.push(Fact {
                        name,
                        label: fd.label.value.clone(),
                        ty,
                        min,
                        span: fd.name.loc.0,
                    });
                }
                ast::Item::Outcome(od) => {
                    let name = od.name.dotted();
                    if let Some((first, what)) = spans.get(&name) {
                        let (first, what) = (*first, *what);
                        duplicate(ctx, what, &name, od.name.loc.0, first);
                        continue;
                    }
                    spans.insert(name.clone(), (od.name.loc.0, "name"));
                    let Some((ty, _)) = resolve_type(ctx, &od.ty) else {
                        ctx.poisoned.insert(name);
                        continue;
                    };
                    if matches!(ty, Type::Record(_)) {
                        ctx.poisoned.insert(name);
                        ctx.err(
                            Diag::of(Problem::RecordOutcome).label(od.ty.loc().0, "record type"),
                        );
                        continue;
                    }
                    let id = OutcomeId::try_from(ctx.p.outcomes.len()).unwrap_or(OutcomeId::MAX);
                    ctx.p.outcome_index.insert(name.clone(), id);
                    ctx.p.outcomes.push(Outcome {
                        name,
                        label: od.label.value.clone(),
                        ty,
                        default: None,
                        rules: Vec::new(),
                        span: od.name.loc.0,
                        article: 0,
                        document: 0,
                        line: None,
                    });
                }
                _ => {}
            }
        }
    }
    // A fact name that is also the prefix of another (`a` and `a.b`) would make cases ambiguous.
    let names: Vec<(String, Span)> = ctx
        .p
        .facts
        .iter()
        .map(|f| (f.name.clone(), f.span))
        .collect();
    // Per name before a dot of some fact (`a` of `a.b`), the first such fact.
    let mut first_under: HashMap<&str, usize> = HashMap::new();
    for (j, (m, _)) in names.iter().enumerate() {
        for (i, _) in m.char_indices().filter(|(_, c)| *c == '.') {
            if let Some(prefix) = m.get(..i) {
                first_under.entry(prefix).or_insert(j);
            }
        }
    }
    for (n, s) in &names {
        let under = first_under.get(n.as_str()).and_then(|j| names.get(*j));
        if let Some((other, _)) = under {
            ctx.err(
                Diag::of(Problem::FactPrefix {
                    name: n.to_string(),
                    other: other.to_string(),
                })
                .label(*s, "a case could not state both"),
            );
        }
    }
    ctx.fact_read = vec![false; ctx.p.facts.len()];
}

pub(super) fn declare_defs<'a>(ctx: &mut Ctx<'a>, files: &'a [(FileId, String, ast::File)]) {
    for (_, _, f) in files {
        for item in &f.items {
            let ast::Item::Define(d) = item else { continue };
            if let Some(first) = ctx.def_index.get(&d.name.name) {
                let first = ctx
                    .p
                    .defs
                    .get(*first as usize)
                    .map(|x| x.span)
                    .unwrap_or_default();
                duplicate(ctx, "definition", &d.name.name, d.name.loc.0, first);
                continue;
            }
            let id = DefId::try_from(ctx.p.defs.len()).unwrap_or(DefId::MAX);
            ctx.def_index.insert(d.name.name.clone(), id);
            ctx.def_asts.push(d);
            ctx.p.defs.push(Def {
                name: d.name.name.clone(),
                label: d.label.as_ref().map(|l| l.value.clone()),
                span: d.name.loc.0,
            });
        }
    }
    ctx.def_broken = vec![false; ctx.p.defs.len()];
    expr::find_def_cycles(ctx);
}

pub(super) fn declare_params(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    // Where each document declares its version of each parameter.
    let mut version_spans: HashMap<(ParamId, DocId), Span> = HashMap::new();
    for (fid, _, f) in files {
        let doc = ctx.file_document(*fid);
        for item in &f.items {
            let ast::Item::Param(pd) = item else { continue };
            // One version per document: a successor or an amendment may give
            // a parameter of another document new values.
            let existing = ctx.param_index.get(&pd.name.name).copied();
            if let Some(first) = existing {
                let same_doc = version_spans.get(&(first, doc)).copied();
                if let Some(span) = same_doc {
                    duplicate(ctx, "parameter", &pd.name.name, pd.name.loc.0, span);
                    continue;
                }
            }
            let Some((ty, _)) = resolve_type(ctx, &pd.ty) else {
                continue;
            };
            if let Some((want, span)) = existing
                .and_then(|e| ctx.p.params.get(e as usize))
                .map(|x| (x.ty, x.span))
            {
                if want != ty {
                    let (w, g) = (ctx.p.type_name(want), ctx.p.type_name(ty));
                    ctx.err(
                        Diag::of(Problem::ParameterType {
                            name: pd.name.name.clone(),
                            want: w.clone(),
                            got: g.clone(),
                        })
                        .label(pd.ty.loc().0, format!("a {g}"))
                        .with_related(
                            Diag::of(Problem::FirstDeclared(Code::ParameterType))
                                .label(span, format!("a {w}")),
                        ),
                    );
                    continue;
                }
            }
            let mut values: Vec<(Option<NaiveDate>, Value)> = Vec::new();
            for (e, from) in &pd.values {
                let scope = expr::Scope::default();
                let Some(x) = expr::lower(ctx, e, &scope, Some(ty)) else {
                    continue;
                };
                expr::expect_type(ctx, &x, ty, "this parameter");
                let ExprKind::Const(v) = x.kind else {
                    ctx.err(
                        Diag::of(Problem::ParamNotConstant).label(e.loc.0, "not a constant"),
                    );
                    continue;
                };
                let from = from.as_ref().map(|d| d.value);
                if let (Some(prev), Some(f)) = (values.last().and_then(|(d, _)| *d), from) {
                    if f <= prev {
                        ctx.err(
                            Diag::of(Problem::ParamDates).label(e.loc.0, "out of order"),
                        );
                    }
                }
                values.push((from, v));
            }
            let cites = pd.cites.as_ref().map(|c| Cite {
                article: c.paragraph.article,
                paragraph: c.paragraph.paragraph,
                item: c.paragraph.item,
                quote: c.quote.value.clone(),
                span: c.loc.0,
            });
            if let Some(param) = existing {
                version_spans.entry((param, doc)).or_insert(pd.name.loc.0);
                ctx.param_versions.push(revisions::ParamVersion {
                    param,
                    doc,
                    values,
                    span: pd.name.loc.0,
                });
                if let Some(cite) = &cites {
                    cite::check_one(ctx, doc, cite, &format!("parameter `{}`", pd.name.name));
                }
                if let Some(x) = ctx.p.params.get_mut(param as usize) {
                    x.versions.push((doc, cites));
                }
                continue;
            }
            let id = ParamId::try_from(ctx.p.params.len()).unwrap_or(ParamId::MAX);
            ctx.param_index.insert(pd.name.name.clone(), id);
            version_spans.entry((id, doc)).or_insert(pd.name.loc.0);
            ctx.param_versions.push(revisions::ParamVersion {
                param: id,
                doc,
                values: values.clone(),
                span: pd.name.loc.0,
            });
            ctx.p.params.push(Param {
                name: pd.name.name.clone(),
                label: pd.label.value.clone(),
                ty,
                values,
                versions: vec![(doc, cites.clone())],
                cites,
                document: doc,
                span: pd.name.loc.0,
            });
        }
    }
}
