//! Correspondences between documents: an outcome of a lower document that
//! answers the same question as an outcome of the document it implements
//! (`corresponds`), with the values that count as the same, and the known
//! differences no pair reports (`differs`).
//!
//! Time: O(declarations + the values they name), with names in maps.
use super::Ctx;
use crate::diag::{suggest, Diag, Problem};
use crate::program::*;
use crate::source::FileId;
use crate::syntax::ast;

/// The document that decides an outcome: the document of its first rule.
fn deciding_document(p: &Program, o: OutcomeId) -> Option<DocId> {
    p.outcome(o)
        .and_then(|x| x.rules.first())
        .and_then(|r| p.rule(*r))
        .map(|r| r.document)
}

/// An outcome named in a correspondence, with an error when there is none.
fn outcome(ctx: &mut Ctx, path: &ast::Path) -> Option<OutcomeId> {
    let name = path.dotted();
    let found = ctx.p.outcome_id(&name);
    if found.is_none() {
        let names: Vec<&str> = ctx.p.outcome_index.keys().map(String::as_str).collect();
        let suggestion = suggest(&name, names).map(str::to_string);
        ctx.err(
            Diag::of(Problem::UnknownPairedOutcome { name, suggestion })
                .label(path.loc.0, "no such outcome"),
        );
    }
    found
}

/// An enum value by name, with an error naming the values there are.
fn variant(ctx: &mut Ctx, e: EnumId, v: &ast::Ident) -> Option<u32> {
    let t = ctx.p.enums.get(e as usize)?;
    let found = t.variants.iter().position(|(n, _)| *n == v.name);
    if found.is_none() {
        let names: Vec<&str> = t.variants.iter().map(|(n, _)| n.as_str()).collect();
        let suggestion = suggest(&v.name, names.iter().copied()).map(str::to_string);
        ctx.err(
            Diag::of(Problem::UnknownPairedValue {
                value: v.name.clone(),
                enum_name: t.name.clone(),
                values: names.iter().map(|n| n.to_string()).collect(),
                suggestion,
            })
            .label(v.loc.0, "no such value"),
        );
    }
    found.and_then(|i| u32::try_from(i).ok())
}

/// Checks and records every `corresponds` and `differs`.
pub(crate) fn pairs(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    for (fid, _, f) in files {
        let doc = ctx.file_document(*fid);
        for item in &f.items {
            match item {
                ast::Item::Correspondence(c) => correspondence(ctx, doc, c),
                ast::Item::Difference(d) => difference(ctx, doc, d),
                _ => {}
            }
        }
    }
    // In an order of their own, not the files': by the outcomes' names,
    // and differences by document and paragraph.
    let p = &ctx.p;
    let name = |o: OutcomeId| p.outcome(o).map(|x| x.name.clone()).unwrap_or_default();
    let mut pairs = p.pairs.clone();
    pairs.sort_by_cached_key(|x| (name(x.outcome), name(x.superior)));
    let mut diffs = p.differences.clone();
    diffs.sort_by_cached_key(|d| {
        (
            p.doc_id(d.document).to_string(),
            d.cite.clone(),
            d.superior_cite.clone(),
        )
    });
    ctx.p.pairs = pairs;
    ctx.p.differences = diffs;
}

/// The document a lower document implements, or an error at `span`.
fn superior_of(ctx: &mut Ctx, doc: DocId, span: crate::source::Span) -> Option<DocId> {
    let d = ctx.p.documents.get(doc as usize)?;
    let found = d.implements;
    if found.is_none() {
        let id = d.id.clone();
        ctx.err(
            Diag::of(Problem::ImplementsNothing { id }).label(span, "declared here"),
        );
    }
    found
}

fn correspondence(ctx: &mut Ctx, doc: DocId, c: &ast::Correspondence) {
    let Some(sup_doc) = superior_of(ctx, doc, c.loc.0) else {
        return;
    };
    let (Some(a), Some(b)) = (outcome(ctx, &c.outcome), outcome(ctx, &c.superior)) else {
        return;
    };
    for (o, path, want, role) in [
        (a, &c.outcome, doc, "this document"),
        (b, &c.superior, sup_doc, "the document it implements"),
    ] {
        let by = deciding_document(&ctx.p, o);
        if by != Some(want) {
            let who = by.map_or("no rule".to_string(), |d| format!("`{}`", ctx.p.doc_id(d)));
            ctx.err(
                Diag::of(Problem::PairedElsewhere {
                    outcome: path.dotted(),
                    by: who,
                    role: role.to_string(),
                    document: ctx.p.doc_id(want).to_string(),
                })
                .label(path.loc.0, "not an outcome of that document"),
            );
            return;
        }
    }
    let (ta, tb) = (
        ctx.p.outcome(a).map(|x| x.ty),
        ctx.p.outcome(b).map(|x| x.ty),
    );
    let mut same = Vec::new();
    match (ta, tb) {
        (Some(Type::Enum(ea)), Some(Type::Enum(eb))) => {
            for (x, y) in &c.same {
                if let (Some(i), Some(j)) = (variant(ctx, ea, x), variant(ctx, eb, y)) {
                    same.push((i, j));
                }
            }
        }
        (Some(x), Some(y)) if x == y => {
            if let Some((v, _)) = c.same.first() {
                ctx.err(
                    Diag::of(Problem::SameNotEnums).label(v.loc.0, "not an enum value"),
                );
            }
        }
        (Some(x), Some(y)) => {
            let (tx, ty) = (ctx.p.type_name(x), ctx.p.type_name(y));
            ctx.err(
                Diag::of(Problem::PairedTypes {
                    a: tx.clone(),
                    b: ty.clone(),
                })
                .label(c.outcome.loc.0, format!("a {tx}"))
                .label(c.superior.loc.0, format!("a {ty}")),
            );
            return;
        }
        _ => return,
    }
    ctx.p.pairs.push(Pair {
        outcome: a,
        superior: b,
        question: c.question.value.clone(),
        same,
        agrees: c.agrees,
        document: doc,
        span: c.loc.0,
    });
}

fn difference(ctx: &mut Ctx, doc: DocId, d: &ast::Difference) {
    let Some(sup) = superior_of(ctx, doc, d.loc.0) else {
        return;
    };
    for (para, on) in [(&d.paragraph, doc), (&d.superior, sup)] {
        let Some(x) = ctx.p.documents.get(on as usize) else {
            continue;
        };
        if !x.regulation.units.is_empty()
            && x.regulation
                .unit(para.article, para.paragraph, para.item)
                .is_none()
        {
            ctx.err(
                Diag::of(Problem::UnknownNotedParagraph {
                    document: x.id.clone(),
                    key: para.key(),
                })
                .label(para.loc.0, "no such paragraph"),
            );
            return;
        }
    }
    ctx.p.differences.push(Difference {
        document: doc,
        cite: d.paragraph.key(),
        superior: sup,
        superior_cite: d.superior.key(),
        note: d.note.value.clone(),
        span: d.loc.0,
    });
}
