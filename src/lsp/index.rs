//! What the language server knows of a policy set: its declarations, the
//! names written in each file and what they name, and the regulation's text.
//!
//! Names are found in the text by the language's own lexical classes
//! ([`lexicon::lexemes`]): a dotted run of words that are not reserved
//! keywords. A name resolves to the declaration of that exact name, or, for
//! a dotted name, by its longest declared prefix (a record fact and its
//! field, `Enum.value`).
//!
//! Time: building is O(size of the set); resolving a name is O(declarations).
use crate::regulation::Regulation;
use crate::syntax::ast::{self, Item, TypeRef};
use crate::syntax::lexicon::{self, Class, Lexeme};

/// The kinds of declaration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `enum`.
    Enum,
    /// A value of an enum.
    EnumValue,
    /// `record`.
    Record,
    /// A field of a record.
    Field,
    /// `fact`.
    Fact,
    /// `outcome`.
    Outcome,
    /// `parameter`.
    Parameter,
    /// `define`.
    Definition,
    /// `rule`.
    Rule,
    /// `document "…"`: named by its quoted id in `replaces` and `amends`.
    Document,
}

impl Kind {
    /// The keyword or phrase that names the kind.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Enum => "enum",
            Kind::EnumValue => "enum value",
            Kind::Record => "record",
            Kind::Field => "record field",
            Kind::Fact => "fact",
            Kind::Outcome => "outcome",
            Kind::Parameter => "parameter",
            Kind::Definition => "define",
            Kind::Rule => "rule",
            Kind::Document => "document",
        }
    }
}

/// One declared name.
#[derive(Clone, Debug)]
pub struct Decl {
    /// The name as written (`agency.licence_status`).
    pub name: String,
    /// What it declares.
    pub kind: Kind,
    /// The enum or record a value or field belongs to.
    pub container: Option<String>,
    /// The Chinese label.
    pub label: String,
    /// The type, as written, or the rule's citation.
    pub detail: String,
    /// The file (index into [`Index::files`]).
    pub file: usize,
    /// The bytes of the name.
    pub name_span: (usize, usize),
    /// The bytes of the whole declaration.
    pub span: (usize, usize),
}

/// A `not encoded P ["clause"] because "reason"` of a file.
#[derive(Clone, Debug)]
pub struct Aside {
    /// The file (index into [`Index::files`]).
    pub file: usize,
    /// The unit set aside (`4.1`, `12.1.3`).
    pub key: String,
    /// Its article.
    pub article: u32,
    /// The clause set aside, or the reason when the whole unit is.
    pub text: String,
    /// The bytes of the whole item.
    pub span: (usize, usize),
}

/// A name written in a file.
#[derive(Clone, Debug)]
pub struct Written {
    /// The bytes of the whole dotted name.
    pub start: usize,
    /// Its end.
    pub end: usize,
    /// Its text.
    pub text: String,
}

/// One file of the set.
#[derive(Clone, Debug)]
pub struct IndexedFile {
    /// Its display name, as the loader names it.
    pub name: String,
    /// Its text.
    pub text: String,
    /// The names written in it.
    pub names: Vec<Written>,
}

/// A policy set, indexed.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// The files, in the loader's order.
    pub files: Vec<IndexedFile>,
    /// Every declaration.
    pub decls: Vec<Decl>,
    /// The regulation texts the documents cite, parsed (one per document
    /// whose `source` is found beside the set).
    pub regulations: Vec<Regulation>,
    /// The document headers' `source`: (file, the regulation text's name).
    pub sources: Vec<(usize, String)>,
    /// The paragraphs and clauses set aside (`not encoded`).
    pub aside: Vec<Aside>,
    /// For each file, the regulation its document cites (index into
    /// [`Index::regulations`]): the document whose header is in the file's
    /// folder or the nearest folder above it.
    pub cited: Vec<Option<usize>>,
}

fn type_text(t: &TypeRef) -> String {
    match t {
        TypeRef::Int { min: Some(m), .. } => format!("int >= {m}"),
        TypeRef::Int { .. } => "int".into(),
        TypeRef::Named(i) => i.name.clone(),
    }
}

fn span(l: crate::source::Loc) -> (usize, usize) {
    (l.0.start as usize, l.0.end as usize)
}

/// The dotted names of a text: runs of words joined by `.` that do not start
/// with a reserved keyword or a digit.
pub fn written_names(text: &str) -> Vec<Written> {
    let mut out: Vec<Written> = Vec::new();
    let mut open: Option<Written> = None;
    let mut after_dot = false;
    for (at, l) in lexicon::lexemes(text) {
        match l {
            Lexeme::Word(w) => {
                let reserved = lexicon::word(w).is_some_and(|(k, _)| k.class != Class::Contextual);
                let numeric = w.starts_with(|c: char| c.is_ascii_digit());
                match open.as_mut() {
                    Some(n) if after_dot && n.end + 1 == at => {
                        n.end = at + w.len();
                        n.text.push('.');
                        n.text.push_str(w);
                    }
                    _ => {
                        out.extend(open.take());
                        if !reserved && !numeric {
                            open = Some(Written {
                                start: at,
                                end: at + w.len(),
                                text: w.to_string(),
                            });
                        }
                    }
                }
                after_dot = false;
            }
            Lexeme::Punct('.') if open.as_ref().is_some_and(|n| n.end == at) => after_dot = true,
            _ => {
                out.extend(open.take());
                after_dot = false;
            }
        }
    }
    out.extend(open);
    out
}

impl Index {
    /// Indexes the files of a set (display name, text) and the regulation
    /// texts beside them.
    #[cfg(test)]
    pub fn build(files: &[(String, String)], others: &[(String, String)]) -> Index {
        Index::rebuild(files, others, None)
    }

    /// [`Index::build`], keeping for a file that no longer parses (it is
    /// being typed) the declarations it had in the previous index.
    pub fn rebuild(
        files: &[(String, String)],
        others: &[(String, String)],
        previous: Option<&Index>,
    ) -> Index {
        let mut index = Index::default();
        for (n, (name, text)) in files.iter().enumerate() {
            let id = crate::source::FileId(u32::try_from(n).unwrap_or(u32::MAX));
            match crate::syntax::parse_file(id, text) {
                Ok(t) => index.declare(n, &t),
                Err(_) => {
                    let old = previous
                        .and_then(|p| Some((p, p.files.iter().position(|f| f.name == *name)?)));
                    if let Some((p, old)) = old {
                        let decls = p.decls.iter().filter(|d| d.file == old);
                        index.decls.extend(decls.map(|d| Decl {
                            file: n,
                            ..d.clone()
                        }));
                        let sources = p.sources.iter().filter(|(f, _)| *f == old);
                        index.sources.extend(sources.map(|(_, s)| (n, s.clone())));
                        let aside = p.aside.iter().filter(|a| a.file == old);
                        index.aside.extend(aside.map(|a| Aside {
                            file: n,
                            ..a.clone()
                        }));
                    }
                }
            }
            index.files.push(IndexedFile {
                name: name.clone(),
                text: text.clone(),
                names: written_names(text),
            });
        }
        // Each header's folder, and the regulation its `source` names.
        let folder = |name: &str| name.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        let mut headers: Vec<(String, usize)> = Vec::new();
        for (file, source) in &index.sources {
            let Some(text) = others
                .iter()
                .find(|(n, _)| n == source || n.ends_with(&format!("/{source}")))
                .map(|(_, t)| t)
            else {
                continue;
            };
            let Some((name, _)) = files.get(*file) else {
                continue;
            };
            headers.push((folder(name), index.regulations.len()));
            index.regulations.push(Regulation::parse(text));
        }
        index.cited = files
            .iter()
            .map(|(name, _)| {
                let own = folder(name);
                headers
                    .iter()
                    .filter(|(dir, _)| own == *dir || own.starts_with(&format!("{dir}/")))
                    .max_by_key(|(dir, _)| dir.len())
                    .map(|(_, r)| *r)
            })
            .collect();
        index
    }

    /// The regulation the file at this index cites.
    pub fn regulation(&self, file: usize) -> Option<&Regulation> {
        self.regulations.get((*self.cited.get(file)?)?)
    }

    fn declare(&mut self, file: usize, tree: &ast::File) {
        for item in &tree.items {
            let whole = span(item.loc());
            let mut add = |name: String,
                           kind,
                           container: Option<String>,
                           label: &str,
                           detail: String,
                           name_span| {
                self.decls.push(Decl {
                    name,
                    kind,
                    container,
                    label: label.to_string(),
                    detail,
                    file,
                    name_span,
                    span: whole,
                });
            };
            match item {
                Item::Document(d) => {
                    if let Some(s) = &d.source {
                        self.sources.push((file, s.value.clone()));
                    }
                    let issuer = d.issuer.as_ref().map(|i| i.value.as_str()).unwrap_or("");
                    add(
                        d.id.value.clone(),
                        Kind::Document,
                        None,
                        issuer,
                        String::new(),
                        quoted(span(d.id.loc)),
                    );
                }
                Item::Enum(e) => {
                    add(
                        e.name.name.clone(),
                        Kind::Enum,
                        None,
                        &e.label.value,
                        String::new(),
                        span(e.name.loc),
                    );
                    for (v, l) in &e.variants {
                        add(
                            v.name.clone(),
                            Kind::EnumValue,
                            Some(e.name.name.clone()),
                            &l.value,
                            e.name.name.clone(),
                            span(v.loc),
                        );
                    }
                }
                Item::Record(r) => {
                    add(
                        r.name.name.clone(),
                        Kind::Record,
                        None,
                        &r.label.value,
                        String::new(),
                        span(r.name.loc),
                    );
                    for (f, t, l) in &r.fields {
                        add(
                            f.name.clone(),
                            Kind::Field,
                            Some(r.name.name.clone()),
                            &l.value,
                            type_text(t),
                            span(f.loc),
                        );
                    }
                }
                Item::Fact(f) => add(
                    path_text(&f.name),
                    Kind::Fact,
                    None,
                    &f.label.value,
                    type_text(&f.ty),
                    span(f.name.loc),
                ),
                Item::Outcome(o) => add(
                    path_text(&o.name),
                    Kind::Outcome,
                    None,
                    &o.label.value,
                    type_text(&o.ty),
                    span(o.name.loc),
                ),
                Item::Param(p) => add(
                    p.name.name.clone(),
                    Kind::Parameter,
                    None,
                    &p.label.value,
                    type_text(&p.ty),
                    span(p.name.loc),
                ),
                Item::Define(d) => {
                    let params: Vec<String> = d
                        .params
                        .iter()
                        .map(|(n, t)| format!("{}: {}", n.name, type_text(t)))
                        .collect();
                    let label = d.label.as_ref().map(|l| l.value.as_str()).unwrap_or("");
                    add(
                        d.name.name.clone(),
                        Kind::Definition,
                        None,
                        label,
                        format!("({}) : {}", params.join(", "), type_text(&d.ty)),
                        span(d.name.loc),
                    );
                }
                Item::Rule(r) => {
                    let p = &r.cites.paragraph;
                    add(
                        r.name.name.clone(),
                        Kind::Rule,
                        None,
                        &r.cites.quote.value,
                        p.key(),
                        span(r.name.loc),
                    );
                }
                Item::NotEncoded(n) => self.aside.push(Aside {
                    file,
                    key: n.paragraph.key(),
                    article: n.paragraph.article,
                    text: n.clause.as_ref().unwrap_or(&n.reason).value.clone(),
                    span: whole,
                }),
                Item::Correspondence(_) | Item::Difference(_) => {}
            }
        }
    }

    /// The declarations a name resolves to (several for an enum value that
    /// several enums share).
    pub fn resolve(&self, name: &str) -> Vec<&Decl> {
        let exact: Vec<&Decl> = self
            .decls
            .iter()
            .filter(|d| {
                d.name == name && !matches!(d.kind, Kind::EnumValue | Kind::Field | Kind::Document)
            })
            .collect();
        if !exact.is_empty() {
            return exact;
        }
        let values: Vec<&Decl> = self
            .decls
            .iter()
            .filter(|d| d.kind == Kind::EnumValue && d.name == name)
            .collect();
        if !values.is_empty() {
            return values;
        }
        // `Enum.value`, or a record fact's field: `order.deadline`.
        if let Some((head, last)) = name.rsplit_once('.') {
            let heads = self.resolve(head);
            let mut out = Vec::new();
            for h in heads {
                let container = match h.kind {
                    Kind::Enum | Kind::Record => h.name.as_str(),
                    _ => h.detail.as_str(),
                };
                out.extend(self.decls.iter().filter(|d| {
                    matches!(d.kind, Kind::EnumValue | Kind::Field)
                        && d.name == last
                        && d.container.as_deref() == Some(container)
                }));
            }
            return out;
        }
        Vec::new()
    }

    /// The declarations named at a byte offset of a file, and the name's
    /// bytes: an enum value that several enums share is the one of the type
    /// the expression before it has (`then injury.applicant = host`).
    pub fn resolve_at(&self, file: usize, offset: usize) -> Option<(Vec<&Decl>, usize, usize)> {
        let Some((name, start, end)) = self.name_at(file, offset) else {
            return self.document_at(file, offset);
        };
        Some((self.narrow(file, start, self.resolve(&name)), start, end))
    }

    /// The quoted document ids of a file, after `document`, `replaces` or
    /// `amends`: the id and the bytes inside the quotes.
    fn document_ids(&self, file: usize) -> Vec<(String, usize, usize)> {
        let Some(f) = self.files.get(file) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut after = false;
        let ls: Vec<(usize, Lexeme)> = lexicon::lexemes(&f.text).collect();
        for (i, (at, l)) in ls.iter().enumerate() {
            match l {
                Lexeme::Word(w) => {
                    after = lexicon::word(w)
                        .is_some_and(|(k, _)| matches!(k.name, "document" | "replaces" | "amends"));
                }
                Lexeme::Text if after => {
                    let end = ls.get(i + 1).map_or(f.text.len(), |(s, _)| *s);
                    let (s, e) = quoted((*at, end));
                    out.push((f.text.get(s..e).unwrap_or("").to_string(), s, e));
                    after = false;
                }
                Lexeme::Blank | Lexeme::Comment => {}
                _ => after = false,
            }
        }
        out
    }

    /// The document whose quoted id is at a byte offset.
    fn document_at(&self, file: usize, offset: usize) -> Option<(Vec<&Decl>, usize, usize)> {
        let (id, s, e) = self
            .document_ids(file)
            .into_iter()
            .find(|(_, s, e)| *s <= offset && offset <= *e)?;
        let decls = self
            .decls
            .iter()
            .filter(|d| d.kind == Kind::Document && d.name == id)
            .collect();
        Some((decls, s, e))
    }

    /// Of several enum values, those of the enum that a name written shortly
    /// before `start` has as its type; all of them when none decides.
    fn narrow<'a>(&'a self, file: usize, start: usize, decls: Vec<&'a Decl>) -> Vec<&'a Decl> {
        if decls.len() < 2 || decls.iter().any(|d| d.kind != Kind::EnumValue) {
            return decls;
        }
        let Some(f) = self.files.get(file) else {
            return decls;
        };
        let before = f.names.iter().rev().filter(|w| w.end <= start).take(6);
        for w in before {
            for typed in self.resolve(&w.text) {
                let kept: Vec<&Decl> = decls
                    .iter()
                    .copied()
                    .filter(|d| d.container.as_deref() == Some(typed.detail.as_str()))
                    .collect();
                if !kept.is_empty() {
                    return kept;
                }
            }
        }
        decls
    }

    /// The declarations a name followed by `.` resolves to: an enum (before
    /// its value), or a record, fact or parameter (before a field); never an
    /// enum value, which nothing follows.
    pub fn resolve_head(&self, name: &str) -> Vec<&Decl> {
        self.resolve(name)
            .into_iter()
            .filter(|d| !matches!(d.kind, Kind::EnumValue | Kind::Rule | Kind::Definition))
            .collect()
    }

    /// The name written at a byte offset of a file: the shortest dotted
    /// prefix, from the word under the offset on, that names a declaration
    /// (`injury` of `injury.occurred` names nothing, the whole does), else
    /// the whole name; with its bytes.
    pub fn name_at(&self, file: usize, offset: usize) -> Option<(String, usize, usize)> {
        let f = self.files.get(file)?;
        let w = f
            .names
            .iter()
            .find(|w| w.start <= offset && offset <= w.end)?;
        let rel = offset - w.start;
        let mut cut = w
            .text
            .get(rel..)
            .and_then(|r| r.find('.'))
            .map_or(w.text.len(), |i| rel + i);
        loop {
            let text = w.text.get(..cut)?;
            if cut >= w.text.len() || !self.resolve_head(text).is_empty() {
                return Some((text.to_string(), w.start, w.start + cut));
            }
            cut = w
                .text
                .get(cut + 1..)
                .and_then(|r| r.find('.'))
                .map_or(w.text.len(), |i| cut + 1 + i);
        }
    }

    /// Every place that names a declaration: (file, start, end), the
    /// declaration's own name included.
    pub fn references(&self, decl: &Decl) -> Vec<(usize, usize, usize)> {
        let mut out = vec![(decl.file, decl.name_span.0, decl.name_span.1)];
        if decl.kind == Kind::Document {
            for n in 0..self.files.len() {
                out.extend(
                    self.document_ids(n)
                        .into_iter()
                        .filter(|(id, _, _)| *id == decl.name)
                        .map(|(_, s, e)| (n, s, e)),
                );
            }
            out.sort_unstable();
            out.dedup();
            return out;
        }
        for (n, f) in self.files.iter().enumerate() {
            for w in &f.names {
                // Each dotted prefix of the name may be the declaration.
                let mut cut = 0;
                while cut < w.text.len() {
                    cut = w
                        .text
                        .get(cut + 1..)
                        .and_then(|r| r.find('.'))
                        .map_or(w.text.len(), |i| cut + 1 + i);
                    let prefix = w.text.get(..cut).unwrap_or("");
                    let found = if cut >= w.text.len() {
                        self.narrow(n, w.start, self.resolve(prefix))
                    } else {
                        self.resolve_head(prefix)
                    };
                    if found.iter().any(|d| std::ptr::eq(*d, decl)) {
                        // A field or value names only its last segment.
                        let start = match decl.kind {
                            Kind::EnumValue | Kind::Field => {
                                w.start + prefix.rfind('.').map_or(0, |i| i + 1)
                            }
                            _ => w.start,
                        };
                        out.push((n, start, w.start + cut));
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// The bytes inside the quotes of a string's bytes.
fn quoted((start, end): (usize, usize)) -> (usize, usize) {
    (start + 1, end.saturating_sub(1).max(start + 1))
}

fn path_text(p: &ast::Path) -> String {
    p.segments
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_dotted_runs_of_words_that_are_not_reserved() {
        let names: Vec<String> =
            written_names("规则 a 当 b.c 且 非 d.e.f 则 x = \"y.z\" // q.r\n 4.2 round")
                .into_iter()
                .map(|w| w.text)
                .collect();
        assert_eq!(names, ["a", "b.c", "d.e.f", "x", "round"]);
    }

    fn set() -> Index {
        let old = "document \"旧〔2020〕1号\" source \"s.txt\"\nenum Party \"方\" { agency \"甲\" host \"乙\" }\nenum Other \"他\" { host \"丙\" }\nfact p : Party \"方\"\n";
        let new = "文件 \"新〔2024〕2号\"\n  取代 \"旧〔2020〕1号\" 自 2024-01-01\n结论 q : Party \"结\"\n规则 r 依据 1.1 \"x\" 当 p = host 则 q = host\n";
        Index::build(
            &[
                ("a/old.policy".into(), old.into()),
                ("a/new.policy".into(), new.into()),
            ],
            &[],
        )
    }

    #[test]
    fn a_document_named_in_replaces_resolves_to_its_header() {
        let index = set();
        let new = &index.files[1].text;
        let at = new.find("旧").unwrap();
        let (decls, s, e) = index.resolve_at(1, at).unwrap();
        assert_eq!(decls.len(), 1);
        assert_eq!(decls[0].kind, Kind::Document);
        assert_eq!(decls[0].file, 0);
        assert_eq!(&new[s..e], "旧〔2020〕1号");
        let refs = index.references(decls[0]);
        assert_eq!(refs.len(), 2, "the header and the `取代` clause: {refs:?}");
    }

    #[test]
    fn an_enum_value_is_the_one_of_the_expected_type() {
        let index = set();
        let new = &index.files[1].text;
        let at = new.rfind("host").unwrap();
        let (decls, _, _) = index.resolve_at(1, at).unwrap();
        assert_eq!(decls.len(), 1);
        assert_eq!(decls[0].container.as_deref(), Some("Party"));
    }
}
