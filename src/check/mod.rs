//! Checking a policy set and compiling it into a [`Program`]: names, types,
//! exceptions, dependency order, citations against the source text, and the
//! periods during which the law in force does not change.
mod cite;
mod expr;
mod revisions;

pub use cite::{coverage, Coverage, CoverageRow};

use crate::diag::{did_you_mean, Diag};
use crate::load::RawSet;
use crate::program::*;
use crate::regulation::Regulation;
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::ast;
use crate::walk;
use chrono::NaiveDate;
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

/// Names a user may not give a type.
const BUILTIN_TYPES: [&str; 4] = ["bool", "date", "text", "int"];

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
            let mut vowel: Vec<&str> = vec!["int"];
            vowel.extend(self.p.enums.iter().map(|e| e.name.as_str()));
            vowel.extend(self.p.records.iter().map(|r| r.name.as_str()));
            vowel.retain(|n| n.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']));
            let fix = |s: &mut String| {
                for n in &vowel {
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
            Diag::error("regula::too-many-declarations", format!("the policy set has {total} declarations; at most {MAX_DECLARATIONS} are allowed"))
                .help("a policy set encodes one family of documents; split unrelated ones"),
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
                "regula::no-document" | "regula::uncovered-paragraph" | "regula::unused-fact"
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
    };
    documents(&mut ctx, raw, files);
    declare_types(&mut ctx, files);
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
    if !partial {
        completeness(&mut ctx);
    }
    revisions::epochs(&mut ctx);
    revisions::check(&mut ctx, files);
    for o in 0..ctx.p.outcomes.len() {
        let article = ctx
            .p
            .outcomes
            .get(o)
            .and_then(|x| x.rules.first())
            .and_then(|r| ctx.p.rules.get(*r as usize))
            .map(|r| r.cites.article)
            .unwrap_or(0);
        if let Some(out) = ctx.p.outcomes.get_mut(o) {
            out.article = article;
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

fn file_dir(name: &str) -> &str {
    name.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

fn documents(ctx: &mut Ctx, raw: &RawSet, files: &[(FileId, String, ast::File)]) {
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
                    Diag::error("regula::two-documents", "two document headers in one directory")
                        .label(d.loc.0, "second header")
                        .label(prev_span, "first header")
                        .help("a directory holds one document; put the other document in a directory of its own"),
                );
                continue;
            }
            if let Some(prev) = doc_ids
                .get(d.id.value.as_str())
                .and_then(|i| ctx.p.documents.get(*i))
            {
                let prev_span = prev.span;
                ctx.err(
                    Diag::error(
                        "regula::duplicate-document",
                        format!("document `{}` is declared twice", d.id.value),
                    )
                    .label(d.id.loc.0, "declared again here")
                    .help("give each document its own identifier, or pass only one copy of it with --policies")
                    .with_related(
                        Diag::error("regula::duplicate-document", "first declared here")
                            .label(prev_span, "first declaration"),
                    ),
                );
                continue;
            }
            let from = match &d.in_force_from {
                Some(f) => f.value,
                None => {
                    ctx.err(
                        Diag::error(
                            "regula::no-in-force",
                            format!(
                                "document `{}` does not say when it comes into force",
                                d.id.value
                            ),
                        )
                        .label(d.id.loc.0, "this document")
                        .help("add `in force from YYYY-MM-DD to YYYY-MM-DD` to the header"),
                    );
                    NaiveDate::MIN
                }
            };
            let to = d.in_force_to.as_ref().map(|t| t.value);
            if let (Some(t), Some(f)) = (&d.in_force_to, &d.in_force_from) {
                if t.value < f.value {
                    ctx.err(
                        Diag::error(
                            "regula::empty-period",
                            "the in-force period ends before it starts",
                        )
                        .label(t.loc.0, "ends here")
                        .label(f.loc.0, "starts here")
                        .help("swap the dates, or correct the one mistyped"),
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
                        Some(text) => (Some(s.value.clone()), Regulation::parse(text)),
                        None => {
                            let names: Vec<&str> = raw
                                .others
                                .keys()
                                .filter(|k| file_dir(k) == dir)
                                .map(|k| k.rsplit('/').next().unwrap_or(k))
                                .collect();
                            ctx.err(
                                Diag::error("regula::source-not-found", format!("source text `{}` not found beside the header", s.value))
                                    .label(s.loc.0, "no such file in this directory")
                                    .help(did_you_mean(&s.value, names, "keep a verbatim copy of the regulation text (.txt) beside the header file")),
                            );
                            (Some(s.value.clone()), Regulation::default())
                        }
                    }
                }
                None => {
                    ctx.err(
                        Diag::error(
                            "regula::no-source",
                            format!("document `{}` names no source text", d.id.value),
                        )
                        .label(d.id.loc.0, "this document")
                        .help("add `source \"file.txt\"`: the verbatim text its rules cite"),
                    );
                    (None, Regulation::default())
                }
            };
            let id = DocId::try_from(ctx.p.documents.len()).unwrap_or(DocId::MAX);
            ctx.p.documents.push(Document {
                id: d.id.value.clone(),
                issuer: d.issuer.as_ref().map(|s| s.value.clone()),
                issued: d.issued.as_ref().map(|s| s.value),
                from,
                to,
                cites: d.in_force_cites.as_ref().map(|c| Cite {
                    article: c.paragraph.article,
                    paragraph: c.paragraph.paragraph,
                    quote: c.quote.value.clone(),
                    span: c.loc.0,
                }),
                source_name,
                regulation,
                replaces: Vec::new(),
                amends: Vec::new(),
                not_encoded: Vec::new(),
                span: d.loc.0,
            });
            dir_doc.insert(dir, id);
            doc_ids.insert(d.id.value.as_str(), id as usize);
        }
    }
    // Links between documents, once all are known.
    for (me, d) in headers(&ctx.p, files) {
        for (other, from) in &d.replaces {
            let Some(o) = find_doc(ctx, other) else {
                ctx.docs_broken.insert(me);
                continue;
            };
            if let Some(doc) = ctx.p.documents.get_mut(me) {
                doc.replaces.push((o, from.value));
            }
        }
        for a in &d.amends {
            let found = find_doc(ctx, &a.document);
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
                    Diag::error(
                        "regula::no-document",
                        format!("`{name}` belongs to no document"),
                    )
                    .label(first.loc().0, "first declaration of the file")
                    .help("put the file in the directory of the document header it belongs to"),
                );
            }
        }
    }
    if ctx.p.documents.is_empty() {
        let span = files
            .first()
            .and_then(|(_, _, f)| f.items.first())
            .map(|i| i.loc().0);
        let mut d = Diag::error(
            "regula::no-document",
            "the policy set has no document header",
        )
        .help(
            "add a file with `document \"…\"`, its issuer, its in-force period and its source text",
        );
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
                        d.not_encoded.push((
                            n.paragraph.article,
                            n.paragraph.paragraph,
                            n.reason.value.clone(),
                        ));
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
    for (_, _, f) in files {
        for item in &f.items {
            let ast::Item::Document(d) = item else {
                continue;
            };
            if let Some(i) = p
                .documents
                .iter()
                .position(|x| x.id == d.id.value && x.span == d.loc.0)
            {
                out.push((i, d));
            }
        }
    }
    out
}

fn find_doc(ctx: &mut Ctx, name: &ast::Str) -> Option<DocId> {
    match ctx.p.documents.iter().position(|d| d.id == name.value) {
        Some(i) => DocId::try_from(i).ok(),
        None => {
            let names: Vec<String> = ctx.p.documents.iter().map(|d| d.id.clone()).collect();
            let help = did_you_mean(
                &name.value,
                names.iter().map(String::as_str).collect(),
                "name a document of this policy set by its identifier",
            );
            ctx.err(
                Diag::error(
                    "regula::unknown-document",
                    format!("no document `{}` in the policy set", name.value),
                )
                .label(name.loc.0, "unknown document")
                .help(help),
            );
            None
        }
    }
}

fn duplicate(ctx: &mut Ctx, what: &str, name: &str, here: Span, first: Span) {
    ctx.err(
        Diag::error(
            "regula::duplicate",
            format!("{what} `{name}` is declared twice"),
        )
        .label(here, "declared again here")
        .label(first, "first declared here")
        .help(format!("rename one of them or remove the repeated {what}")),
    );
}

fn declare_types(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
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
                    Diag::error(
                        "regula::reserved-type",
                        format!("`{}` is a built-in type", name.name),
                    )
                    .label(span, "cannot be redeclared")
                    .help("choose another name for the type"),
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
                            Diag::error(
                                "regula::empty-enum",
                                format!("enum `{}` has no values", e.name.name),
                            )
                            .label(e.name.loc.0, "empty")
                            .help("list its values with their labels inside the braces"),
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
                        Diag::error("regula::nested-record", "a record field cannot be a record")
                            .label(t.loc().0, "record type here")
                            .help("declare the inner fields directly in this record"),
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
                let help = did_you_mean(
                    n,
                    names,
                    "the types are bool, int, date, text and the declared enums and records",
                );
                ctx.err(
                    Diag::error("regula::unknown-type", format!("unknown type `{n}`"))
                        .label(i.loc.0, "not a type")
                        .help(help),
                );
                None
            }
        },
    }
}

fn declare_facts_outcomes(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
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
                            Diag::error(
                                "regula::reserved-name",
                                "`as_of` is the assessment date and cannot be a fact",
                            )
                            .label(fd.name.loc.0, "reserved")
                            .help("every case states `as_of`; refer to it as `as_of`"),
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
                            Diag::error("regula::record-outcome", "an outcome cannot be a record")
                                .label(od.ty.loc().0, "record type")
                                .help("declare one outcome per field"),
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
                Diag::error(
                    "regula::fact-prefix",
                    format!("fact `{n}` is also the prefix of fact `{other}`"),
                )
                .label(*s, "a case could not state both")
                .help(format!("rename `{n}`, e.g. to `{n}_value`")),
            );
        }
    }
    ctx.fact_read = vec![false; ctx.p.facts.len()];
}

fn declare_defs<'a>(ctx: &mut Ctx<'a>, files: &'a [(FileId, String, ast::File)]) {
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

fn declare_params(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
    // Where each document declares its version of each parameter.
    let mut version_spans: HashMap<(ParamId, DocId), Span> = HashMap::new();
    for (fid, _, f) in files {
        let doc = ctx
            .file_doc
            .get(fid.0 as usize)
            .copied()
            .flatten()
            .unwrap_or(0);
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
                        Diag::error(
                            "regula::parameter-type",
                            format!(
                                "parameter `{}` is a {w} elsewhere but a {g} here",
                                pd.name.name
                            ),
                        )
                        .label(pd.ty.loc().0, format!("a {g}"))
                        .help(format!(
                            "every version of a parameter has one type: declare it as {w}"
                        ))
                        .with_related(
                            Diag::error("regula::parameter-type", "first declared here")
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
                        Diag::error(
                            "regula::param-not-constant",
                            "a parameter's value must be a constant",
                        )
                        .label(e.loc.0, "not a constant")
                        .help("write a literal such as `1`, `true` or an enum value"),
                    );
                    continue;
                };
                let from = from.as_ref().map(|d| d.value);
                if let (Some(prev), Some(f)) = (values.last().and_then(|(d, _)| *d), from) {
                    if f <= prev {
                        ctx.err(
                            Diag::error(
                                "regula::param-dates",
                                "a parameter's dated values must be in ascending order",
                            )
                            .label(e.loc.0, "out of order")
                            .help("list the values oldest first"),
                        );
                    }
                }
                values.push((from, v));
            }
            let cites = pd.cites.as_ref().map(|c| Cite {
                article: c.paragraph.article,
                paragraph: c.paragraph.paragraph,
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

fn declare_rules<'a>(
    ctx: &mut Ctx,
    files: &'a [(FileId, String, ast::File)],
) -> (Vec<Option<&'a ast::RuleDecl>>, Vec<&'a ast::RuleDecl>) {
    let mut asts = Vec::new();
    // Rules left out of the program (a repeated name, an unknown outcome):
    // their expressions are still checked so that every error shows at once.
    let mut orphans = Vec::new();
    let mut seen: HashMap<(DocId, String), Span> = HashMap::new();
    for (fid, _, f) in files {
        let doc = ctx
            .file_doc
            .get(fid.0 as usize)
            .copied()
            .flatten()
            .unwrap_or(0);
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
                    let help = if ctx.p.fact_index.contains_key(&name) {
                        format!("`{name}` is a fact; a rule concludes an outcome")
                    } else {
                        let names: Vec<&str> =
                            ctx.p.outcome_index.keys().map(String::as_str).collect();
                        did_you_mean(&name, names, "declare it with `outcome`")
                    };
                    ctx.err(
                        Diag::error(
                            "regula::unknown-outcome",
                            format!("unknown outcome `{name}`"),
                        )
                        .label(r.outcome.loc.0, "no such outcome")
                        .help(help),
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
fn lower_orphans(ctx: &mut Ctx, orphans: &[&ast::RuleDecl]) {
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

fn lower_defaults(ctx: &mut Ctx, files: &[(FileId, String, ast::File)]) {
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
                        Diag::error(
                            "regula::default-reads-outcome",
                            "an outcome's default cannot read outcomes",
                        )
                        .label(e.loc.0, "reads an outcome")
                        .help("write a rule for the case instead"),
                    );
                }
                if let Some(out) = ctx.p.outcomes.get_mut(o as usize) {
                    out.default = Some(x);
                }
            }
        }
    }
}

fn lower_rules(ctx: &mut Ctx, asts: &[Option<&ast::RuleDecl>]) {
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
                    Diag::error(
                        "regula::type-mismatch",
                        format!(
                            "rule `{}` concludes a {got} for outcome `{oname}`, which is a {want}",
                            r.name.name
                        ),
                    )
                    .label(r.value.loc.0, format!("this is a {got}"))
                    .label(r.outcome.loc.0, format!("a {want}"))
                    .help(format!(
                        "conclude a {want} value, or change the outcome's type"
                    )),
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

fn exceptions(ctx: &mut Ctx, asts: &[Option<&ast::RuleDecl>]) {
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
                let help = did_you_mean(&t.name, names, "name a rule declared in the policy set");
                ctx.err(
                    Diag::error(
                        "regula::unknown-rule",
                        format!("exception to unknown rule `{}`", t.name),
                    )
                    .label(t.loc.0, "no such rule")
                    .help(help),
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
                    Diag::error("regula::exception-other-outcome", format!("rule `{}` concludes `{mine}` but is an exception to `{tname}`, which concludes `{theirs}`", r.name.name))
                        .label(t.loc.0, format!("concludes `{theirs}`"))
                        .label(r.outcome.loc.0, format!("concludes `{mine}`"))
                        .label(tspan, "the rule excepted")
                        .help("an exception must conclude the same outcome as the rule it overrides"),
                );
                continue;
            }
            if j == i {
                ctx.err(
                    Diag::error(
                        "regula::exception-cycle",
                        format!("rule `{}` is an exception to itself", r.name.name),
                    )
                    .label(t.loc.0, "names the rule it is in")
                    .help("an exception names the general rule it overrides"),
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
        let names: Vec<String> = cycle
            .iter()
            .filter_map(|k| ctx.p.rules.get(*k))
            .map(|x| format!("`{}`", x.name))
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
        let mut d = Diag::error(
            "regula::exception-cycle",
            format!("rules {} are exceptions to each other", names.join(", ")),
        )
        .label(rule.span, excepts(start))
        .help("exceptions form a hierarchy: remove the `exception to` of the general rule");
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

/// Orders each outcome's rules by citation, general rules before their
/// exceptions, then name: reports and derivations then do not depend on the
/// order in which files or declarations were written.
fn canonical_rule_order(ctx: &mut Ctx) {
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

fn order_outcomes(ctx: &mut Ctx) {
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
    let names: Vec<String> = cycle
        .iter()
        .filter_map(|c| ctx.p.outcomes.get(*c))
        .map(|o| format!("`{}`", o.name))
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
    let msg = if cycle.len() == 1 {
        format!("outcome `{}` depends on itself", o.name)
    } else {
        format!("outcomes {} depend on each other", names.join(" → "))
    };
    let mut d = Diag::error("regula::outcome-cycle", msg).label(o.span, "part of the cycle");
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
    ctx.err(
        d.help("an outcome cannot be decided from itself; read the facts it depends on instead"),
    );
}

fn completeness(ctx: &mut Ctx) {
    for i in 0..ctx.p.outcomes.len() {
        let Some(o) = ctx.p.outcomes.get(i) else {
            continue;
        };
        if o.rules.is_empty() && o.default.is_none() {
            let (name, span) = (o.name.clone(), o.span);
            ctx.err(
                Diag::error(
                    "regula::no-rule",
                    format!("no rule concludes outcome `{name}` and it has no default"),
                )
                .label(span, "never decided")
                .help("write a rule that concludes it, give it a `default`, or remove it"),
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
            let d = Diag::warning(
                "regula::unused-fact",
                format!("fact `{}` is declared but no rule reads it", f.name),
            )
            .label(f.span, "never read")
            .help("read it in a rule, or remove the declaration");
            ctx.diags.push(d);
        }
    }
}
