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
    let Some(unit) = d.regulation.unit(c.article, c.paragraph, c.item) else {
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
    if !d.regulation.quote_matches(c.article, c.paragraph, c.item, &c.quote) {
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
    // The units rules cite, per document.
    let by_rules: HashSet<(DocId, u32, u32, u32)> = ctx
        .p
        .rules
        .iter()
        .map(|r| (r.document, r.cites.article, r.cites.paragraph, r.cites.item))
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
            let (a, pa, i) = (n.paragraph.article, n.paragraph.paragraph, n.paragraph.item);
            if d.regulation.unit(a, pa, i).is_none() {
                ctx.err(
                    Diag::of(Problem::UnknownNotEncoded {
                        key: n.paragraph.key(),
                    })
                    .label(n.paragraph.loc.0, "no such paragraph"),
                );
                continue;
            }
            if n.reason.value.trim().is_empty() {
                ctx.err(
                    Diag::of(Problem::NoReason).label(n.reason.loc.0, "empty"),
                );
            }
            if let Some(clause) = &n.clause {
                // A clause set aside is quoted like a rule's.
                let c = Cite {
                    article: a,
                    paragraph: pa,
                    item: i,
                    quote: clause.value.clone(),
                    span: n.loc.0,
                };
                check_one(ctx, doc, &c, "`not encoded`");
                continue;
            }
            let cited = by_rules.contains(&(doc, a, pa, i));
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
    // Uncovered clauses are warnings: the coverage report lists them. A
    // rule with an error may be the one citing a paragraph: warn only about
    // a set without errors.
    if ctx.diags.iter().any(Diag::is_error) {
        return;
    }
    let cov = coverage(&ctx.p);
    for row in cov.rows.iter().filter(|r| !r.uncovered.is_empty()) {
        let Some(d) = ctx.p.documents.iter().find(|d| d.id == row.document) else {
            continue;
        };
        let span = d.span;
        let problem = if row.cited_by.is_empty() && row.not_encoded.is_none() {
            Problem::UncoveredParagraph {
                key: row.paragraph.clone(),
                doc: row.document.clone(),
                opening: row.text.clone(),
            }
        } else {
            Problem::UncoveredClauses {
                count: row.uncovered.len(),
                clauses: row.clauses,
                key: row.paragraph.clone(),
                doc: row.document.clone(),
                first: row.uncovered.first().cloned().unwrap_or_default(),
            }
        };
        ctx.diags.push(Diag::of(problem).label(span, "this document"));
    }
}

/// The clauses of a unit's text without whitespace, as byte ranges: the
/// text cut at each `，`, `；`, `：` and sentence end. Punctuation belongs to
/// no clause's words.
fn clauses(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '，' | '；' | '：' | '。' | '！' | '？' | ',' | ';') {
            if i > start {
                out.push((start, i));
            }
            start = i + c.len_utf8();
        }
    }
    if text.len() > start {
        out.push((start, text.len()));
    }
    out
}

/// Whether a character is punctuation, which a quote need not include.
fn is_punct(c: char) -> bool {
    matches!(
        c,
        '，' | '；' | '：' | '。' | '！' | '？' | '、' | '“' | '”' | '（' | '）' | '《' | '》' | ',' | ';' | ':' | '.' | '(' | ')'
    )
}

/// The bytes of `text` (without whitespace) that the quotes cover, at every
/// place each quote appears.
fn covered(text: &str, quotes: &[String]) -> Vec<bool> {
    let mut mask = vec![false; text.len()];
    for q in quotes {
        let q = crate::regulation::squash(q);
        if q.is_empty() {
            continue;
        }
        for (i, _) in text.match_indices(q.as_str()) {
            for m in mask.iter_mut().skip(i).take(q.len()) {
                *m = true;
            }
        }
    }
    mask
}

/// One paragraph (or item) of the coverage report.
#[derive(Clone, Debug, Serialize)]
pub struct CoverageRow {
    /// The document.
    pub document: String,
    /// `4.2`, or `12.1.3`.
    pub paragraph: String,
    /// The paragraph's opening words.
    pub text: String,
    /// Rules (and parameters, and the header) citing it.
    pub cited_by: Vec<String>,
    /// The reason, if marked `not encoded` as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_encoded: Option<String>,
    /// Clauses set aside by `not encoded … because`, with the reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub set_aside: Vec<(String, String)>,
    /// How many clauses it has.
    pub clauses: usize,
    /// Its clauses neither quoted nor set aside.
    pub uncovered: Vec<String>,
}

/// The coverage of a program's documents, clause by clause.
#[derive(Clone, Debug, Serialize)]
pub struct Coverage {
    /// One row per citable paragraph or item.
    pub rows: Vec<CoverageRow>,
    /// Per document, the articles its source lacks (gaps of the source,
    /// not paragraphs left unencoded).
    pub missing_articles: Vec<(String, Vec<u32>)>,
}

impl Coverage {
    /// Paragraphs with a clause neither quoted nor set aside.
    pub fn uncovered(&self) -> usize {
        self.rows.iter().filter(|r| !r.uncovered.is_empty()).count()
    }
    /// Clauses in all, and those covered.
    pub fn clauses(&self) -> (usize, usize) {
        let all: usize = self.rows.iter().map(|r| r.clauses).sum();
        let open: usize = self.rows.iter().map(|r| r.uncovered.len()).sum();
        (all, all - open)
    }
}

/// Which rules cite each paragraph of each document's source text, and
/// which of its clauses no quote covers. The promulgation order (article 0)
/// is citable but is no provision: it has no row.
///
/// Time: O(citations + Σ units × quotes of the unit × unit length).
pub fn coverage(p: &Program) -> Coverage {
    use std::collections::HashMap;
    type Key = (usize, u32, u32, u32);
    let mut cited: HashMap<Key, Vec<String>> = HashMap::new();
    let mut quotes: HashMap<Key, Vec<String>> = HashMap::new();
    let mut cite = |k: Key, by: String, quote: &str| {
        cited.entry(k).or_default().push(by);
        quotes.entry(k).or_default().push(quote.to_string());
    };
    for r in &p.rules {
        let c = &r.cites;
        cite((r.document as usize, c.article, c.paragraph, c.item), r.name.clone(), &c.quote);
    }
    for x in &p.params {
        let mut seen = HashSet::new();
        for (pd, c) in &x.versions {
            if let Some(c) = c {
                let k = (*pd as usize, c.article, c.paragraph, c.item);
                if seen.insert(k) {
                    cite(k, format!("parameter {}", x.name), &c.quote);
                }
            }
        }
    }
    for (di, d) in p.documents.iter().enumerate() {
        if let Some(c) = &d.cites {
            cite((di, c.article, c.paragraph, c.item), "in force (document header)".into(), &c.quote);
        }
    }
    let mut rows = Vec::new();
    let mut missing_articles = Vec::new();
    for (di, d) in p.documents.iter().enumerate() {
        if !d.regulation.missing.is_empty() {
            missing_articles.push((d.id.clone(), d.regulation.missing.clone()));
        }
        for u in d.regulation.units.iter().filter(|u| u.article > 0) {
            let k = (di, u.article, u.paragraph, u.item);
            let same = |n: &&crate::program::NotEncoded| {
                n.article == u.article && n.paragraph == u.paragraph && n.item == u.item
            };
            // A paragraph set aside as a whole takes its items with it.
            let not_encoded = d
                .not_encoded
                .iter()
                .filter(|n| {
                    same(n)
                        || (u.item > 0
                            && n.item == 0
                            && n.article == u.article
                            && n.paragraph == u.paragraph)
                })
                .find(|n| n.clause.is_none())
                .map(|n| n.reason.clone());
            let set_aside: Vec<(String, String)> = d
                .not_encoded
                .iter()
                .filter(same)
                .filter_map(|n| n.clause.clone().map(|c| (c, n.reason.clone())))
                .collect();
            let text = crate::regulation::squash(&u.text);
            let parts = clauses(&text);
            let mut qs = quotes.get(&k).cloned().unwrap_or_default();
            qs.extend(set_aside.iter().map(|(c, _)| c.clone()));
            let mask = covered(&text, &qs);
            let uncovered: Vec<String> = if not_encoded.is_some() {
                Vec::new()
            } else {
                parts
                    .iter()
                    .filter_map(|(a, b)| text.get(*a..*b).map(|c| (*a, c)))
                    .filter(|(a, c)| {
                        c.char_indices().any(|(i, ch)| {
                            !is_punct(ch) && !mask.get(a + i).copied().unwrap_or(false)
                        })
                    })
                    .map(|(_, c)| c.to_string())
                    .collect()
            };
            rows.push(CoverageRow {
                document: d.id.clone(),
                paragraph: u.key(),
                text: u.text.chars().take(24).collect(),
                cited_by: cited.get(&k).cloned().unwrap_or_default(),
                not_encoded,
                set_aside,
                clauses: parts.len(),
                uncovered,
            });
        }
    }
    Coverage {
        rows,
        missing_articles,
    }
}
