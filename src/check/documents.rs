//! Document headers: each document's period, source text and links
//! (`replaces`, `amends`), and the document each file belongs to.
//!
//! Time: O(files + declarations + links), with the documents by identifier
//! in a map.
use super::Ctx;
use crate::diag::{suggest, Code, Diag, Problem};
use crate::load::RawSet;
use crate::program::*;
use crate::regulation::Regulation;
use crate::source::{FileId, Span};
use crate::syntax::ast;
use chrono::NaiveDate;
use std::collections::HashMap;

/// The rank a header names, or an error listing the ranks.
fn rank(ctx: &mut Ctx, r: &ast::Ident) -> Option<Rank> {
    let found = Rank::ALL.iter().find(|(_, n)| *n == r.name).map(|(x, _)| *x);
    if found.is_none() {
        let names: Vec<&str> = Rank::ALL.iter().map(|(_, n)| *n).collect();
        ctx.err(
            Diag::of(Problem::UnknownRank {
                name: r.name.clone(),
                suggestion: suggest(&r.name, names.iter().copied()).map(str::to_string),
                ranks: names.iter().map(|n| n.to_string()).collect(),
            })
            .label(r.loc.0, "unknown rank"),
        );
    }
    found
}

/// Records that document `me` implements `o`, which must rank above it
/// when both declare a rank.
fn implements(ctx: &mut Ctx, me: usize, o: DocId, name: &ast::Str) {
    let ranks = (
        ctx.p.documents.get(me).and_then(|d| d.rank),
        ctx.p.documents.get(o as usize).and_then(|d| d.rank),
    );
    if o as usize == me {
        ctx.err(
            Diag::of(Problem::SelfImplements).label(name.loc.0, "this document"),
        );
        return;
    }
    if let (Some(mine), Some(theirs)) = ranks {
        if !theirs.above(mine) {
            ctx.err(
                Diag::of(Problem::ImplementsLower {
                    mine: mine.name().to_string(),
                    target: name.value.clone(),
                    theirs: theirs.name().to_string(),
                })
                .label(name.loc.0, "not a higher document"),
            );
            return;
        }
    }
    if let Some(d) = ctx.p.documents.get_mut(me) {
        d.implements = Some(o);
    }
}

fn file_dir(name: &str) -> &str {
    name.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

pub(super) fn documents(ctx: &mut Ctx, raw: &RawSet, files: &[(FileId, String, ast::File)]) {
    let mut dir_doc: HashMap<String, DocId> = HashMap::new();
    // Each document's index by identifier.
    let mut doc_ids: HashMap<&str, usize> = HashMap::new();
    for (_, name, f) in files {
        for item in &f.items {
            let ast::Item::Document(d) = item else {
                continue;
            };
            let dir = file_dir(name).to_string();
            if let Some(prev) = dir_doc.get(&dir) {
                let prev_span = ctx
                    .p
                    .documents
                    .get(*prev as usize)
                    .map(|d| d.span)
                    .unwrap_or_default();
                ctx.err(
                    Diag::of(Problem::TwoDocuments)
                        .label(d.loc.0, "second header")
                        .label(prev_span, "first header"),
                );
                continue;
            }
            if let Some(prev) = doc_ids
                .get(d.id.value.as_str())
                .and_then(|i| ctx.p.documents.get(*i))
            {
                let prev_span = prev.span;
                ctx.err(
                    Diag::of(Problem::DuplicateDocument {
                        id: d.id.value.clone(),
                    })
                    .label(d.id.loc.0, "declared again here")
                    .with_related(
                        Diag::of(Problem::FirstDeclared(Code::DuplicateDocument))
                            .label(prev_span, "first declaration"),
                    ),
                );
                continue;
            }
            let from = match &d.in_force_from {
                Some(f) => f.value,
                None => {
                    ctx.err(
                        Diag::of(Problem::NoInForce {
                            id: d.id.value.clone(),
                        })
                        .label(d.id.loc.0, "this document"),
                    );
                    NaiveDate::MIN
                }
            };
            let to = d.in_force_to.as_ref().map(|t| t.value);
            if let (Some(t), Some(f)) = (&d.in_force_to, &d.in_force_from) {
                if t.value < f.value {
                    ctx.err(
                        Diag::of(Problem::EmptyPeriod)
                            .label(t.loc.0, "ends here")
                            .label(f.loc.0, "starts here"),
                    );
                }
            }
            let (source_name, regulation) = match &d.source {
                Some(s) => {
                    let path = if dir.is_empty() {
                        s.value.clone()
                    } else {
                        format!("{dir}/{}", s.value)
                    };
                    match raw.others.get(&path) {
                        Some(text) => {
                            let regulation = Regulation::parse(text);
                            // Nothing citable: no quote could be checked.
                            if regulation.units.is_empty() {
                                ctx.err(
                                    Diag::of(Problem::SourceWithoutParagraphs {
                                        file: s.value.clone(),
                                    })
                                    .label(s.loc.0, "no paragraph read from this text"),
                                );
                            }
                            (Some(s.value.clone()), regulation)
                        }
                        None => {
                            let names: Vec<&str> = raw
                                .others
                                .keys()
                                .filter(|k| file_dir(k) == dir)
                                .map(|k| k.rsplit('/').next().unwrap_or(k))
                                .collect();
                            ctx.err(
                                Diag::of(Problem::SourceNotFound {
                                    file: s.value.clone(),
                                    suggestion: suggest(&s.value, names).map(str::to_string),
                                })
                                .label(s.loc.0, "no such file in this directory"),
                            );
                            (Some(s.value.clone()), Regulation::default())
                        }
                    }
                }
                None => {
                    ctx.err(
                        Diag::of(Problem::NoSource {
                            id: d.id.value.clone(),
                        })
                        .label(d.id.loc.0, "this document"),
                    );
                    (None, Regulation::default())
                }
            };
            let id = DocId::try_from(ctx.p.documents.len()).unwrap_or(DocId::MAX);
            let rank = d.rank.as_ref().and_then(|r| rank(ctx, r));
            ctx.p.documents.push(Document {
                id: d.id.value.clone(),
                issuer: d.issuer.as_ref().map(|s| s.value.clone()),
                issued: d.issued.as_ref().map(|s| s.value),
                from,
                to,
                cites: d.in_force_cites.as_ref().map(|c| Cite {
                    article: c.paragraph.article,
                    paragraph: c.paragraph.paragraph,
                    item: c.paragraph.item,
                    quote: c.quote.value.clone(),
                    span: c.loc.0,
                }),
                source_name,
                regulation,
                replaces: Vec::new(),
                amends: Vec::new(),
                not_encoded: Vec::new(),
                rank,
                implements: None,
                in_force_name: d
                    .in_force_name
                    .as_ref()
                    .map_or_else(|| "in_force".to_string(), ast::Path::dotted),
                span: d.loc.0,
            });
            dir_doc.insert(dir, id);
            doc_ids.insert(d.id.value.as_str(), id as usize);
        }
    }
    // Links between documents, once all are known.
    for (me, d) in headers(&ctx.p, files) {
        if let Some(name) = &d.implements {
            if let Some(o) = find_doc(ctx, &doc_ids, name) {
                implements(ctx, me, o, name);
            }
        }
        for (other, from) in &d.replaces {
            let Some(o) = find_doc(ctx, &doc_ids, other) else {
                ctx.docs_broken.insert(me);
                continue;
            };
            if let Some(doc) = ctx.p.documents.get_mut(me) {
                doc.replaces.push((o, from.value));
            }
        }
        for a in &d.amends {
            let found = find_doc(ctx, &doc_ids, &a.document);
            if found.is_none() {
                ctx.docs_broken.insert(me);
            }
            if let Some(o) = found {
                let rules = a.rules.iter().map(|r| r.name.clone()).collect();
                let params = a.parameters.iter().map(|r| r.name.clone()).collect();
                if let Some(doc) = ctx.p.documents.get_mut(me) {
                    doc.amends.push((o, a.from.value, rules, params));
                }
            }
        }
    }
    // Every file belongs to the document of its directory or the nearest parent.
    let single = (ctx.p.documents.len() == 1).then_some(0);
    for (fid, name, f) in files {
        let mut dir = file_dir(name);
        let mut found = None;
        loop {
            if let Some(d) = dir_doc.get(dir) {
                found = Some(*d);
                break;
            }
            match dir.rsplit_once('/') {
                Some((parent, _)) => dir = parent,
                None if !dir.is_empty() => dir = "",
                None => break,
            }
        }
        let doc = found.or(single);
        let idx = fid.0 as usize;
        if ctx.file_doc.len() <= idx {
            ctx.file_doc.resize(idx + 1, None);
        }
        if let Some(slot) = ctx.file_doc.get_mut(idx) {
            *slot = doc;
        }
        if doc.is_none() && !ctx.p.documents.is_empty() {
            if let Some(first) = f.items.first() {
                ctx.err(
                    Diag::of(Problem::NoDocument {
                        file: name.to_string(),
                    })
                    .label(first.loc().0, "first declaration of the file"),
                );
            }
        }
    }
    if ctx.p.documents.is_empty() {
        let span = files
            .first()
            .and_then(|(_, _, f)| f.items.first())
            .map(|i| i.loc().0);
        let mut d = Diag::of(Problem::NoDocuments);
        if let Some(s) = span {
            d = d.label(s, "no document declares what this belongs to");
        }
        ctx.err(d);
    }
    for (fid, _, f) in files {
        for item in &f.items {
            if let ast::Item::NotEncoded(n) = item {
                if let Some(doc) = ctx.file_doc.get(fid.0 as usize).copied().flatten() {
                    if let Some(d) = ctx.p.documents.get_mut(doc as usize) {
                        d.not_encoded.push(NotEncoded {
                            article: n.paragraph.article,
                            paragraph: n.paragraph.paragraph,
                            item: n.paragraph.item,
                            clause: n.clause.as_ref().map(|c| c.value.clone()),
                            reason: n.reason.value.clone(),
                            span: n.loc.0,
                        });
                    }
                }
            }
        }
    }
}

/// Each document header of the files, with the index of its document.
pub(crate) fn headers<'f>(
    p: &Program,
    files: &'f [(FileId, String, ast::File)],
) -> Vec<(usize, &'f ast::Document)> {
    let mut out = Vec::new();
    // The first document of each identifier and declaration.
    let mut index: HashMap<(&str, Span), usize> = HashMap::new();
    for (i, x) in p.documents.iter().enumerate() {
        index.entry((x.id.as_str(), x.span)).or_insert(i);
    }
    for (_, _, f) in files {
        for item in &f.items {
            let ast::Item::Document(d) = item else {
                continue;
            };
            if let Some(&i) = index.get(&(d.id.value.as_str(), d.loc.0)) {
                out.push((i, d));
            }
        }
    }
    out
}

fn find_doc(ctx: &mut Ctx, ids: &HashMap<&str, usize>, name: &ast::Str) -> Option<DocId> {
    match ids.get(name.value.as_str()) {
        Some(&i) => DocId::try_from(i).ok(),
        None => {
            let names: Vec<String> = ctx.p.documents.iter().map(|d| d.id.clone()).collect();
            let suggestion = suggest(&name.value, names.iter().map(String::as_str));
            ctx.err(
                Diag::of(Problem::UnknownDocument {
                    name: name.value.clone(),
                    suggestion: suggestion.map(str::to_string),
                })
                .label(name.loc.0, "unknown document"),
            );
            None
        }
    }
}
