//! Citations against the source text, and the coverage of the law.
//!
//! Time: per citation, a look-up of its paragraph and a match of the quote
//! in it (O(paragraph + quote)); a quote that does not match also costs a
//! search of the whole text and O((paragraph + quote) × log quote);
//! uncovered paragraphs are O(units + citations), with hashed sets of the
//! paragraphs cited.
use super::Ctx;
use crate::diag::{Diag, Problem, QuoteHint};
use crate::program::{Cite, DocId, Program};
use crate::source::{FileId, Span};
use crate::syntax::ast;
use serde::Serialize;
use std::collections::HashSet;

pub(crate) fn check_one(ctx: &mut Ctx, doc: DocId, c: &Cite, what: &str) {
    let Some(d) = ctx.p.documents.get(doc as usize) else {
        return;
    };
    if d.regulation.units.is_empty() {
        return; // the missing source is reported on the header
    }
    let key = c.key();
    let Some(unit) = d.regulation.unit(c.article, c.paragraph) else {
        let in_article: Vec<String> = d
            .regulation
            .units
            .iter()
            .filter(|u| u.article == c.article)
            .map(|u| u.key())
            .collect();
        let last_article = d.regulation.articles.last().map(|a| a.number).unwrap_or(0);
        let source = d.source_name.clone().unwrap_or_default();
        ctx.err(
            Diag::of(Problem::UnknownParagraph {
                what: what.to_string(),
                key,
                source,
                in_article,
                article: c.article,
                last_article,
            })
            .label(c.span, "no such paragraph"),
        );
        return;
    };
    if c.quote.trim().is_empty() {
        ctx.err(
            Diag::of(Problem::EmptyQuote {
                what: what.to_string(),
                key,
            })
            .label(c.span, "empty quote"),
        );
        return;
    }
    if !d.regulation.quote_matches(c.article, c.paragraph, &c.quote) {
        let squashed_quote = crate::regulation::squash(&c.quote);
        let elsewhere: Vec<String> = d
            .regulation
            .units
            .iter()
            .enumerate()
            .filter(|(i, _)| d.regulation.squashed(*i).contains(&squashed_quote))
            .map(|(_, u)| u.key())
            .collect();
        let para = crate::regulation::squash(&unit.text);
        let quote: Vec<char> = squashed_quote.chars().collect();
        // The longest opening of the quote that the paragraph holds (an
        // opening held means every shorter one is: search by halves).
        let holds = |n: usize| para.contains(&quote.iter().take(n).collect::<String>());
        let (mut agree, mut beyond) = (0, quote.len() + 1);
        while agree + 1 < beyond {
            let mid = agree + (beyond - agree) / 2;
            if holds(mid) {
                agree = mid;
            } else {
                beyond = mid;
            }
        }
        let head: String = quote.iter().take(agree).collect();
        let hint = if !elsewhere.is_empty() {
            QuoteHint::Elsewhere(elsewhere)
        } else if agree > 0 {
            // What the paragraph says where the quote departs from it.
            let at = para.find(&head).map(|i| i + head.len()).unwrap_or(0);
            let next: String = para.get(at..).unwrap_or("").chars().take(12).collect();
            if next.is_empty() {
                QuoteHint::EndsAfter(head)
            } else {
                QuoteHint::Reads { head, next }
            }
        } else {
            QuoteHint::Begins(unit.text.chars().take(40).collect())
        };
        let whole = quote_span(ctx, c.span);
        let departs = departure(ctx, whole, agree);
        let d = Diag::of(Problem::QuoteMismatch {
            key: key.clone(),
            hint,
        });
        let d = match departs {
            Some(at) if agree > 0 => d.label(at, format!("{key} does not say this")),
            _ => d.label(whole, format!("not the words of {key}")),
        };
        ctx.err(d);
    }
}

/// The span of the quoted string inside a citation (the whole citation if
/// it cannot be found).
fn quote_span(ctx: &Ctx, cite: Span) -> Span {
    let text = ctx.p.sources.slice(cite);
    match text.find('"') {
        Some(i) => Span::new(cite.file, cite.start as usize + i, cite.end as usize),
        None => cite,
    }
}

/// The span of the first character of the quote, whitespace aside, after
/// `agree` characters that the paragraph holds; `None` for quotes with escapes.
fn departure(ctx: &Ctx, quote: Span, agree: usize) -> Option<Span> {
    let text = ctx.p.sources.slice(quote);
    let body = text.strip_prefix('"')?;
    if body.contains('\\') {
        return None;
    }
    let base = quote.start as usize + 1;
    let mut seen = 0;
    for (i, ch) in body.char_indices() {
        if ch == '"' {
            return None;
        }
        if ch.is_whitespace() {
            continue;
        }
        if seen == agree {
            return Some(Span::new(quote.file, base + i, base + i + ch.len_utf8()));
        }
        seen += 1;
    }
    None
}

/// Checks every citation (rules, parameters, headers, `not encoded`).
pub(crate) fn check_citations(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    let rules: Vec<(DocId, Cite, String)> = ctx
        .p
        .rules
        .iter()
        .map(|r| (r.document, r.cites.clone(), format!("rule `{}`", r.name)))
        .collect();
    for (d, c, what) in rules {
        check_one(ctx, d, &c, &what);
    }
    let params: Vec<(DocId, Cite, String)> = ctx
        .p
        .params
        .iter()
        .filter_map(|p| {
            p.cites
                .clone()
                .map(|c| (p.document, c, format!("parameter `{}`", p.name)))
        })
        .collect();
    for (d, c, what) in params {
        check_one(ctx, d, &c, &what);
    }
    let docs: Vec<(DocId, Cite)> = ctx
        .p
        .documents
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            d.cites
                .clone()
                .map(|c| (DocId::try_from(i).unwrap_or(0), c))
        })
        .collect();
    for (d, c) in docs {
        check_one(ctx, d, &c, "the in-force period");
    }
    // The paragraphs rules cite, per document.
    let by_rules: HashSet<(DocId, u32, u32)> = ctx
        .p
        .rules
        .iter()
        .map(|r| (r.document, r.cites.article, r.cites.paragraph))
        .collect();
    for (fid, _, f) in files {
        let doc = ctx.file_doc.get(fid.0 as usize).copied().flatten();
        for item in &f.items {
            let ast::Item::NotEncoded(n) = item else {
                continue;
            };
            let Some(doc) = doc else { continue };
            let Some(d) = ctx.p.documents.get(doc as usize) else {
                continue;
            };
            if d.regulation.units.is_empty() {
                continue;
            }
            if d.regulation
                .unit(n.paragraph.article, n.paragraph.paragraph)
                .is_none()
            {
                ctx.err(
                    Diag::of(Problem::UnknownNotEncoded {
                        key: n.paragraph.key(),
                    })
                    .label(n.paragraph.loc.0, "no such paragraph"),
                );
            }
            if n.reason.value.trim().is_empty() {
                ctx.err(
                    Diag::of(Problem::NoReason).label(n.reason.loc.0, "empty"),
                );
            }
            let cited = by_rules.contains(&(doc, n.paragraph.article, n.paragraph.paragraph));
            if cited {
                ctx.err(
                    Diag::of(Problem::EncodedAnyway {
                        key: n.paragraph.key(),
                    })
                    .label(n.loc.0, "marked not encoded"),
                );
            }
        }
    }
    // Uncovered paragraphs are warnings: the coverage report lists them. A
    // rule with an error may be the one citing a paragraph: warn only about
    // a set without errors.
    if ctx.diags.iter().any(Diag::is_error) {
        return;
    }
    let by_params: HashSet<(DocId, u32, u32)> = ctx
        .p
        .params
        .iter()
        .flat_map(|p| &p.versions)
        .filter_map(|(pd, c)| c.as_ref().map(|c| (*pd, c.article, c.paragraph)))
        .collect();
    let docs = ctx.p.documents.clone();
    for (di, d) in docs.iter().enumerate() {
        let di = DocId::try_from(di).unwrap_or(DocId::MAX);
        let left_out: HashSet<(u32, u32)> =
            d.not_encoded.iter().map(|(a, p, _)| (*a, *p)).collect();
        for u in &d.regulation.units {
            let key = (di, u.article, u.paragraph);
            let cited = by_rules.contains(&key)
                || by_params.contains(&key)
                || d.cites
                    .as_ref()
                    .is_some_and(|c| c.article == u.article && c.paragraph == u.paragraph)
                || left_out.contains(&(u.article, u.paragraph));
            if !cited {
                ctx.diags.push(
                    Diag::of(Problem::UncoveredParagraph {
                        key: u.key(),
                        doc: d.id.clone(),
                        opening: u.text.chars().take(40).collect(),
                    })
                    .label(d.span, "this document"),
                );
            }
        }
    }
}

/// One paragraph of the coverage report.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageRow {
    /// The document.
    pub document: String,
    /// `4.2`.
    pub paragraph: String,
    /// The paragraph's opening words.
    pub text: String,
    /// Rules (and parameters, and the header) citing it.
    pub cited_by: Vec<String>,
    /// The reason, if marked `not encoded`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_encoded: Option<String>,
}

/// The coverage of a program's documents.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// One row per citable paragraph.
    pub rows: Vec<CoverageRow>,
}

impl Coverage {
    /// Paragraphs neither cited nor marked `not encoded`.
    pub fn uncovered(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.cited_by.is_empty() && r.not_encoded.is_none())
            .count()
    }
}

/// Which rules cite each paragraph of each document's source text.
pub fn coverage(p: &Program) -> Coverage {
    let mut rows = Vec::new();
    for (di, d) in p.documents.iter().enumerate() {
        for u in &d.regulation.units {
            let mut cited_by: Vec<String> = p
                .rules
                .iter()
                .filter(|r| {
                    r.document as usize == di
                        && r.cites.article == u.article
                        && r.cites.paragraph == u.paragraph
                })
                .map(|r| r.name.clone())
                .collect();
            cited_by.extend(
                p.params
                    .iter()
                    .filter(|x| {
                        x.versions.iter().any(|(pd, c)| {
                            *pd as usize == di
                                && c.as_ref().is_some_and(|c| {
                                    c.article == u.article && c.paragraph == u.paragraph
                                })
                        })
                    })
                    .map(|x| format!("parameter {}", x.name)),
            );
            if d.cites
                .as_ref()
                .is_some_and(|c| c.article == u.article && c.paragraph == u.paragraph)
            {
                cited_by.push("in force (document header)".into());
            }
            let not_encoded = d
                .not_encoded
                .iter()
                .find(|(a, pp, _)| *a == u.article && *pp == u.paragraph)
                .map(|(_, _, r)| r.clone());
            rows.push(CoverageRow {
                document: d.id.clone(),
                paragraph: u.key(),
                text: u.text.chars().take(24).collect(),
                cited_by,
                not_encoded,
            });
        }
    }
    Coverage { rows }
}
