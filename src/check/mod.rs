//! Checking a policy set and compiling it into a [`Program`]: names, types,
//! exceptions, dependency order, citations against the source text, and the
//! periods during which the law in force does not change.
//!
//! The passes, in order, each in the module of its concern: [`documents`]
//! (headers and the document of each file), [`declarations`] (types, facts,
//! outcomes, definitions, parameters), [`rules`] (lowering, exceptions),
//! [`revisions`] (provisions by name, periods of the law in force),
//! [`ordering`] (canonical rule order, outcome order, completeness) and
//! [`cite`] (citations, coverage). Each states its time; none is worse than
//! linear in the set, bar what its output needs (a rule's defeaters) and
//! the lowering of expressions, bounded by the limits on expansion.
mod cite;
mod declarations;
mod documents;
mod expr;
mod ordering;
mod pairs;
mod revisions;
mod rules;

#[cfg_attr(not(feature = "internals"), allow(unused_imports))]
pub use cite::{coverage, Coverage, CoverageRow};
pub(crate) use declarations::resolve_type;
use declarations::{declare_defs, declare_facts_outcomes, declare_params, declare_types};
use documents::documents;
pub(crate) use documents::headers;
use ordering::{canonical_rule_order, completeness, order_outcomes};
use rules::{declare_rules, exceptions, lower_defaults, lower_orphans, lower_rules};

use crate::diag::{Code, Diag, Problem};
use crate::load::RawSet;
use crate::program::*;
use crate::source::{FileId, SourceMap};
use crate::syntax::ast;
use std::collections::{BTreeSet, HashMap, HashSet};

/// The result of checking: the program when there are no errors, and every
/// diagnostic (errors and warnings) found.
pub struct Checked {
    /// The compiled program, if the set has no errors.
    pub program: Option<Program>,
    /// Every diagnostic, in file order.
    pub diags: Vec<Diag>,
    /// The files, for rendering diagnostics.
    pub sources: SourceMap,
}

impl Checked {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diag::is_error)
    }
}

/// Most declarations (of all kinds) a policy set may hold.
pub const MAX_DECLARATIONS: usize = 10_000;

pub(crate) struct Ctx<'a> {
    pub p: Program,
    pub diags: Vec<Diag>,
    /// Per file: its document.
    file_doc: Vec<Option<DocId>>,
    /// Syntax trees of definitions, by id.
    pub def_asts: Vec<&'a ast::DefineDecl>,
    pub def_index: HashMap<String, DefId>,
    /// Definitions that take part in a cycle of calls.
    pub def_broken: Vec<bool>,
    /// Documents whose `replaces` or `amends` names no document of the set:
    /// their relations are unknown, so overlaps with them are not reported.
    pub docs_broken: HashSet<usize>,
    pub enum_index: HashMap<String, EnumId>,
    /// Per enum value name, the enums having it (in declaration order) and
    /// its position in each.
    pub variants: HashMap<String, Vec<(EnumId, u32)>>,
    pub record_index: HashMap<String, RecordId>,
    pub group_index: HashMap<String, u32>,
    pub param_index: HashMap<String, ParamId>,
    /// Every document's version of each parameter.
    pub(crate) param_versions: Vec<revisions::ParamVersion>,
    /// Facts read by any rule, default or definition.
    pub fact_read: Vec<bool>,
    /// Outcomes read while lowering the current rule.
    pub reads: BTreeSet<OutcomeId>,
    /// Whether errors are recorded (off while instantiating a checked body).
    pub quiet: u32,
    /// Facts and outcomes whose declaration has an error: reading them
    /// raises no second error.
    pub poisoned: HashSet<String>,
    /// Depth of the expression being lowered, definitions inlined.
    pub depth: usize,
    /// Nodes lowered while inlining the outermost call being lowered.
    pub expanded: usize,
    /// Whether that inlining went past [`expr::MAX_EXPANSION`] or [`expr::MAX_DEPTH`].
    pub overflowed: bool,
    /// The type names that take "an", by position among the types, for the
    /// counts of enums and records they were listed at.
    vowel_types: ((usize, usize), HashMap<String, usize>),
}

impl Ctx<'_> {
    /// The document a file belongs to (the first, for a file the
    /// document pass could not place).
    pub(crate) fn file_document(&self, f: FileId) -> DocId {
        self.file_doc.get(f.0 as usize).copied().flatten().unwrap_or(0)
    }
}

impl Ctx<'_> {
    /// Whether a name, or a record fact it is a field of, has a broken declaration.
    pub fn is_poisoned(&self, name: &str) -> bool {
        self.poisoned.contains(name)
            || name
                .char_indices()
                .filter(|(_, c)| *c == '.')
                .any(|(i, _)| name.get(..i).is_some_and(|p| self.poisoned.contains(p)))
    }
}

impl<'a> Ctx<'a> {
    pub fn err(&mut self, mut d: Diag) {
        if self.quiet == 0 {
            // Messages say "a {type}"; English wants "an int", "an Order".
            let counts = (self.p.enums.len(), self.p.records.len());
            if self.vowel_types.0 != counts {
                let mut names: Vec<&str> = vec!["int"];
                names.extend(self.p.enums.iter().map(|e| e.name.as_str()));
                names.extend(self.p.records.iter().map(|r| r.name.as_str()));
                names.retain(|n| n.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']));
                let mut index = HashMap::new();
                for (i, n) in names.iter().enumerate() {
                    index.entry((*n).to_string()).or_insert(i);
                }
                self.vowel_types = (counts, index);
            }
            let known = &self.vowel_types.1;
            // Only the words after an "a " or "A " can change: those type names, in order.
            let vowel_in = |s: &str| -> Vec<String> {
                let mut found: Vec<(usize, &str)> = Vec::new();
                for (i, _) in s.match_indices("a ").chain(s.match_indices("A ")) {
                    let rest = s.get(i + 2..).unwrap_or("");
                    let end = rest
                        .find(|c: char| !c.is_alphanumeric() && c != '_')
                        .unwrap_or(rest.len());
                    let word = rest.get(..end).unwrap_or("");
                    if let Some(k) = known.get(word) {
                        found.push((*k, word));
                    }
                }
                found.sort_unstable();
                found.dedup();
                found.into_iter().map(|(_, w)| w.to_string()).collect()
            };
            let fix = |s: &mut String| {
                for n in &vowel_in(s) {
                    for (from, to) in [("a ", "an "), ("A ", "An ")] {
                        let pat = format!("{from}{n}");
                        let mut out = String::new();
                        let mut rest = s.as_str();
                        while let Some(i) = rest.find(&pat) {
                            let (head, tail) = rest.split_at(i);
                            let after = tail.get(pat.len()..).unwrap_or("");
                            let starts_word = head
                                .chars()
                                .last()
                                .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '`');
                            let ends_word = after
                                .chars()
                                .next()
                                .is_none_or(|c| !c.is_alphanumeric() && c != '_' && c != '`');
                            out.push_str(head);
                            out.push_str(if starts_word && ends_word { to } else { from });
                            out.push_str(n);
                            rest = after;
                        }
                        out.push_str(rest);
                        *s = out;
                    }
                }
            };
            fn fix_all(d: &mut Diag, fix: &dyn Fn(&mut String)) {
                fix(&mut d.message);
                for (_, l) in &mut d.labels {
                    fix(l);
                }
                if let Some(h) = &mut d.help {
                    fix(h);
                }
                for r in &mut d.related {
                    fix_all(r, fix);
                }
            }
            fix_all(&mut d, &fix);
            self.diags.push(d);
        }
    }
}

/// Parses and checks a raw policy set.
pub fn check(raw: &RawSet) -> Checked {
    let mut sources = SourceMap::default();
    let mut files = Vec::new();
    let mut diags = Vec::new();
    for (name, text) in &raw.policies {
        let id = sources.add(name.clone(), text.as_str());
        match crate::syntax::parse_file(id, text) {
            Ok(f) => files.push((id, name.clone(), f)),
            Err(mut d) => diags.append(&mut d),
        }
    }
    let total: usize = files.iter().map(|(_, _, f)| f.items.len()).sum();
    if total > MAX_DECLARATIONS {
        diags.push(
            Diag::of(Problem::TooManyDeclarations {
                total,
                limit: MAX_DECLARATIONS,
            }),
        );
        return Checked {
            program: None,
            diags,
            sources,
        };
    }
    if !diags.is_empty() {
        // Syntax errors: check the files that did parse, so every problem shows at once.
        let partial = compile(raw, &sources, &files, true);
        diags.extend(partial.into_iter().filter(|d| {
            !matches!(
                d.code,
                Code::NoDocument | Code::UncoveredParagraph | Code::UnusedFact
            )
        }));
        return Checked {
            program: None,
            diags,
            sources,
        };
    }
    let mut ctx_diags = Vec::new();
    let program = compile_program(raw, &sources, &files, false, &mut ctx_diags);
    diags.extend(ctx_diags);
    let has_errors = diags.iter().any(Diag::is_error);
    let program = program.filter(|_| !has_errors).map(|mut p| {
        p.embedded = raw.embedded;
        p.number_exprs();
        p
    });
    Checked {
        program,
        diags,
        sources,
    }
}

fn compile(
    raw: &RawSet,
    sources: &SourceMap,
    files: &[(FileId, String, ast::File)],
    partial: bool,
) -> Vec<Diag> {
    let mut diags = Vec::new();
    let _ = compile_program(raw, sources, files, partial, &mut diags);
    diags
}

fn compile_program(
    raw: &RawSet,
    sources: &SourceMap,
    files: &[(FileId, String, ast::File)],
    partial: bool,
    out: &mut Vec<Diag>,
) -> Option<Program> {
    let mut ctx = Ctx {
        p: Program {
            sources: sources.clone(),
            ..Program::default()
        },
        diags: Vec::new(),
        file_doc: Vec::new(),
        def_asts: Vec::new(),
        def_index: HashMap::new(),
        def_broken: Vec::new(),
        docs_broken: HashSet::new(),
        enum_index: HashMap::new(),
        variants: HashMap::new(),
        record_index: HashMap::new(),
        group_index: HashMap::new(),
        param_index: HashMap::new(),
        param_versions: Vec::new(),
        fact_read: Vec::new(),
        reads: BTreeSet::new(),
        quiet: 0,
        poisoned: HashSet::new(),
        depth: 0,
        expanded: 0,
        overflowed: false,
        vowel_types: ((usize::MAX, usize::MAX), HashMap::new()),
    };
    documents(&mut ctx, raw, files);
    declare_types(&mut ctx, files);
    for (e, t) in ctx.p.enums.iter().enumerate() {
        for (i, (v, _)) in t.variants.iter().enumerate() {
            let owner = (
                EnumId::try_from(e).unwrap_or(EnumId::MAX),
                u32::try_from(i).unwrap_or(0),
            );
            let owners = ctx.variants.entry(v.clone()).or_default();
            if owners.last().is_none_or(|(o, _)| *o != owner.0) {
                owners.push(owner);
            }
        }
    }
    declare_facts_outcomes(&mut ctx, files);
    declare_defs(&mut ctx, files);
    declare_params(&mut ctx, files);
    let (rule_asts, orphans) = declare_rules(&mut ctx, files);
    expr::check_def_bodies(&mut ctx);
    lower_defaults(&mut ctx, files);
    lower_rules(&mut ctx, &rule_asts);
    lower_orphans(&mut ctx, &orphans);
    exceptions(&mut ctx, &rule_asts);
    revisions::bind_exceptions_by_name(&mut ctx);
    canonical_rule_order(&mut ctx);
    order_outcomes(&mut ctx);
    cite::check_citations(&mut ctx, files);
    pairs::pairs(&mut ctx, files);
    if !partial {
        completeness(&mut ctx);
    }
    revisions::epochs(&mut ctx);
    revisions::check(&mut ctx, files);
    for o in 0..ctx.p.outcomes.len() {
        let (article, document) = ctx
            .p
            .outcomes
            .get(o)
            .and_then(|x| x.rules.first())
            .and_then(|r| ctx.p.rules.get(*r as usize))
            .map(|r| (r.cites.article, r.document))
            .unwrap_or((0, 0));
        let line = ctx.p.outcomes.get(o).and_then(|x| declaring_line(&ctx, x.span.file));
        if let Some(out) = ctx.p.outcomes.get_mut(o) {
            out.article = article;
            out.document = document;
            out.line = line;
        }
    }
    // Stable order: by file, then position.
    ctx.diags.sort_by_key(|d| {
        d.labels
            .first()
            .map(|(s, _)| (s.file, s.start))
            .unwrap_or_default()
    });
    out.append(&mut ctx.diags);
    Some(ctx.p)
}

/// The line of documents a file belongs to: its document's, or for an
/// amendment the line of the document it amends.
fn declaring_line(ctx: &Ctx, file: crate::source::FileId) -> Option<u32> {
    let mut doc = *ctx.file_doc.get(file.0 as usize)?.as_ref()?;
    // An amendment's target, followed until a base document (a bounded walk).
    for _ in 0..ctx.p.documents.len() {
        match ctx.p.documents.get(doc as usize)?.amends.first() {
            Some((target, ..)) => doc = *target,
            None => break,
        }
    }
    let line = ctx.p.lines.iter().position(|(_, docs)| docs.contains(&doc))?;
    u32::try_from(line).ok()
}
