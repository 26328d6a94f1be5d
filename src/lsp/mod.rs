//! `regula lsp`: a language server over stdio for policy authors, on
//! lsp-server and lsp-types.
//!
//! The server works on a policy directory: the nearest folder, from an open
//! file upwards, that holds a `.policy` file with a document header (else
//! the file's own folder), widened to its parent when a sibling folder's
//! header names a document this one's does (a set of documents, such as the
//! shipped `policies/`, whose folders do not load alone). On every change it checks the whole set with the
//! open files' unsaved text and publishes the checker's diagnostics, with
//! their codes, related places and help, in the form of each file's
//! keywords. It answers hover, definition, references, rename, completion,
//! document symbols, formatting (`regula fmt`) and the checker's did-you-mean
//! fixes as code actions. Positions are UTF-16, as the protocol counts them.
//!
//! Time: a change re-reads and re-checks its policy set, O(size of the set);
//! every request is answered from the last check.
mod index;
mod position;

pub use position::Lines;

use crate::diag::{self, Diag, Severity};
use crate::regulation::Regulation;
use crate::syntax::lexicon::{self, Form, KEYWORDS};
use index::{Index, Kind};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::{
    notification, request, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CompletionItem, CompletionItemKind, CompletionParams,
    CompletionResponse, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DocumentFormattingParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, Location, MarkupContent, MarkupKind, NumberOrString, OneOf, Position,
    PublishDiagnosticsParams, Range, ReferenceParams, RenameParams, ServerCapabilities, SymbolKind,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Serves the protocol on standard input and output until the client exits.
pub fn serve_stdio() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join().map_err(|e| e.to_string())
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![".".into(), "\"".into(), " ".into()]),
            ..Default::default()
        }),
        ..ServerCapabilities::default()
    }
}

/// Serves one connection: the handshake, then messages until `exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    connection.initialize(caps).map_err(|e| e.to_string())?;
    let mut server = Server::default();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection
                    .handle_shutdown(&req)
                    .map_err(|e| e.to_string())?
                {
                    return Ok(());
                }
                let resp = server.request(req);
                send(connection, Message::Response(resp))?;
            }
            Message::Notification(n) => {
                for out in server.notification(n) {
                    send(connection, Message::Notification(out))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn send(connection: &Connection, m: Message) -> Result<(), String> {
    connection.sender.send(m).map_err(|e| e.to_string())
}

/// The server's state: the open files' text, and per policy directory the
/// index of its last check.
#[derive(Default)]
pub struct Server {
    open: HashMap<PathBuf, String>,
    sets: HashMap<PathBuf, Index>,
}

/// A file path from a `file:` URI (percent-decoded).
pub fn uri_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str().strip_prefix("file://")?;
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    let path = String::from_utf8(out).ok()?;
    // `file:///C:/x` on Windows.
    let path = match path.get(1..3) {
        Some(drive) if drive.ends_with(':') && path.starts_with('/') => path[1..].to_string(),
        _ => path,
    };
    Some(PathBuf::from(path))
}

/// The `file:` URI of a path, percent-encoding all but unreserved bytes.
pub fn path_uri(path: &Path) -> Option<Uri> {
    let p = path.to_string_lossy().replace('\\', "/");
    let mut s = String::from("file://");
    if !p.starts_with('/') {
        s.push('/');
    }
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:".contains(&b) {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&s).ok()
}

/// Whether a policy text opens with a document header.
fn has_header(text: &str) -> bool {
    lexicon::lexemes(text)
        .find_map(|(_, l)| match l {
            Lexeme::Word(w) => Some(lexicon::word(w).is_some_and(|(k, _)| k.name == "document")),
            _ => None,
        })
        .unwrap_or(false)
}

use lexicon::Lexeme;

/// The policy set of a file: the nearest folder upwards holding a `.policy`
/// file with a document header, widened to the set of documents it belongs
/// to; else the file alone (never a walk of an
/// unrelated folder such as a home directory).
pub fn policy_dir(file: &Path) -> PathBuf {
    let own = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut dir = Some(own.as_path());
    while let Some(d) = dir {
        let header = crate::load::visible_entries(d).is_some_and(|entries| {
            entries.iter().any(|p| {
                p.extension().is_some_and(|e| e == "policy")
                    && std::fs::read_to_string(p).is_ok_and(|t| has_header(&t))
            })
        });
        if header {
            return widened(d);
        }
        dir = d.parent();
    }
    file.to_path_buf()
}

/// The document identifiers a folder's headers declare or name (in
/// `document`, `implements`, `replaces` and `amends`).
fn documents_named(dir: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for p in crate::load::visible_entries(dir).unwrap_or_default() {
        if p.extension().is_none_or(|e| e != "policy") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let mut after_keyword = false;
        for (at, l) in lexicon::lexemes(&text) {
            match l {
                Lexeme::Word(w) => {
                    after_keyword = lexicon::word(w).is_some_and(|(k, _)| {
                        matches!(k.name, "document" | "implements" | "replaces" | "amends")
                    });
                }
                Lexeme::Text if after_keyword => {
                    let rest = text.get(at + 1..).unwrap_or_default();
                    if let Some(end) = rest.find('"') {
                        ids.push(rest.get(..end).unwrap_or_default().to_string());
                    }
                    after_keyword = false;
                }
                Lexeme::Blank | Lexeme::Comment => {}
                _ => after_keyword = false,
            }
        }
    }
    ids
}

/// A document folder that is one of several in a set: when a sibling
/// folder's header names a document this one's does (one implements,
/// replaces or amends the other), the set is their parent folder, as
/// `regula check --policies PARENT` loads it (neither loads alone: the
/// national rules read facts the Shanghai files declare).
fn widened(dir: &Path) -> PathBuf {
    let mut dir = dir.to_path_buf();
    while let Some(parent) = dir.parent() {
        let Some(entries) = crate::load::visible_entries(parent) else {
            break;
        };
        if entries
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "policy"))
        {
            break;
        }
        let own = documents_named(&dir);
        let linked = entries
            .iter()
            .filter(|p| p.is_dir() && **p != dir)
            .any(|sibling| documents_named(sibling).iter().any(|id| own.contains(id)));
        if !linked {
            break;
        }
        dir = parent.to_path_buf();
    }
    dir
}

impl Server {
    /// Checks the policy directory of a file with the open files' text;
    /// returns the diagnostics to publish, one notification per file.
    pub fn recheck(&mut self, file: &Path) -> Vec<Notification> {
        let dir = policy_dir(file);
        let mut raw = crate::load::from_paths(std::slice::from_ref(&dir)).unwrap_or_default();
        for (name, text) in &mut raw.policies {
            if let Some(t) = self.open.get(Path::new(name.as_str())) {
                text.clone_from(t);
            }
        }
        for (p, t) in &self.open {
            let name = p.to_string_lossy().to_string();
            if p.starts_with(&dir) && !raw.policies.iter().any(|(n, _)| *n == name) {
                raw.policies.push((name, t.clone()));
            }
        }
        raw.policies.sort();
        let checked = crate::check::check(&raw);
        let shown = diag::localised(&checked.diags, &checked.sources).into_owned();
        let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); raw.policies.len()];
        for d in &shown {
            let file = d.labels.first().map_or(0, |(s, _)| s.file.0 as usize);
            if let Some(list) = per_file.get_mut(file) {
                list.push(to_diagnostic(d, &checked.sources));
            }
        }
        let others: Vec<(String, String)> = raw.others.clone().into_iter().collect();
        let index = Index::rebuild(&raw.policies, &others, self.sets.get(&dir));
        self.sets.insert(dir, index);
        raw.policies
            .iter()
            .zip(per_file)
            .filter_map(|((name, _), diagnostics)| {
                let params = PublishDiagnosticsParams {
                    uri: path_uri(Path::new(name))?,
                    diagnostics,
                    version: None,
                };
                Some(Notification::new(
                    notification::PublishDiagnostics::METHOD.to_string(),
                    params,
                ))
            })
            .collect()
    }

    /// Handles a notification; returns those to send.
    pub fn notification(&mut self, n: Notification) -> Vec<Notification> {
        let path = match n.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let path = uri_path(&p.text_document.uri);
                if let Some(path) = &path {
                    self.open.insert(path.clone(), p.text_document.text);
                }
                path
            }
            notification::DidChangeTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let path = uri_path(&p.text_document.uri);
                if let (Some(path), Some(change)) = (&path, p.content_changes.into_iter().last()) {
                    self.open.insert(path.clone(), change.text);
                }
                path
            }
            notification::DidSaveTextDocument::METHOD => {
                serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(n.params)
                    .ok()
                    .and_then(|p| uri_path(&p.text_document.uri))
            }
            notification::DidCloseTextDocument::METHOD => {
                let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(n.params) else {
                    return Vec::new();
                };
                let path = uri_path(&p.text_document.uri);
                if let Some(path) = &path {
                    self.open.remove(path);
                }
                path
            }
            _ => None,
        };
        match path {
            Some(p) if p.extension().is_some_and(|e| e == "policy") => self.recheck(&p),
            _ => Vec::new(),
        }
    }

    /// Answers a request.
    pub fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result = match req.method.as_str() {
            request::HoverRequest::METHOD => parse(req).map(|p: HoverParams| json(self.hover(p))),
            request::GotoDefinition::METHOD => {
                parse(req).map(|p: GotoDefinitionParams| json(self.definition(p)))
            }
            request::References::METHOD => {
                parse(req).map(|p: ReferenceParams| json(self.references(p)))
            }
            request::Rename::METHOD => parse(req).map(|p: RenameParams| json(self.rename(p))),
            request::Completion::METHOD => {
                parse(req).map(|p: CompletionParams| json(self.completion(p)))
            }
            request::DocumentSymbolRequest::METHOD => {
                parse(req).map(|p: DocumentSymbolParams| json(self.symbols(p)))
            }
            request::Formatting::METHOD => {
                parse(req).map(|p: DocumentFormattingParams| json(self.format(p)))
            }
            request::CodeActionRequest::METHOD => {
                parse(req).map(|p: CodeActionParams| json(self.code_actions(p)))
            }
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method {}", req.method),
            )),
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err((code, msg)) => Response::new_err(id, code as i32, msg),
        }
    }

    /// The index and file number of a document, after a check if needed.
    fn locate(&mut self, uri: &Uri) -> Option<(&Index, usize, PathBuf)> {
        let path = uri_path(uri)?;
        let dir = policy_dir(&path);
        if !self.sets.contains_key(&dir) {
            self.recheck(&path);
        }
        let index = self.sets.get(&dir)?;
        let name = path.to_string_lossy().to_string();
        let file = index.files.iter().position(|f| f.name == name)?;
        Some((index, file, path))
    }

    fn at(&mut self, uri: &Uri, pos: Position) -> Option<(&Index, usize, usize)> {
        let (index, file, _) = self.locate(uri)?;
        let text = &index.files.get(file)?.text;
        let offset = Lines::new(text).offset(pos);
        Some((index, file, offset))
    }

    fn hover(&mut self, p: HoverParams) -> Option<Hover> {
        let tdp = p.text_document_position_params;
        let (index, file, offset) = self.at(&tdp.text_document.uri, tdp.position)?;
        let f = index.files.get(file)?;
        let lines = Lines::new(&f.text);
        // A keyword: its meaning and both forms.
        let word = lexicon::lexemes(&f.text)
            .take_while(|(at, _)| *at <= offset)
            .last()
            .filter(|(at, l)| matches!(l, Lexeme::Word(w) if offset <= at + w.len()));
        if let Some((at, Lexeme::Word(w))) = word {
            if let Some((k, _)) = lexicon::word(w) {
                let text = format!(
                    "**{}** · **{}** — {}",
                    k.spelling(Form::En),
                    k.spelling(Form::Zh),
                    k.meaning
                );
                return Some(markdown(text, lines.range(at, at + w.len())));
            }
        }
        // A paragraph number after `cites`: the paragraph's text.
        if let Some((text, start, end)) = paragraph_hover(index.regulation(file), &f.text, offset) {
            return Some(markdown(text, lines.range(start, end)));
        }
        if let Some(text) = quote_hover(index.regulation(file), &f.text, offset) {
            return Some(markdown(text, lines.range(offset, offset)));
        }
        let (decls, start, end) = index.resolve_at(file, offset)?;
        let mut parts = Vec::new();
        for d in decls {
            let of = d
                .container
                .as_deref()
                .map(|c| format!(" of `{c}`"))
                .unwrap_or_default();
            let detail = match d.kind {
                Kind::Rule => format!(" cites {}", d.detail),
                Kind::Definition => d.detail.clone(),
                _ if d.detail.is_empty() || d.kind == Kind::EnumValue => String::new(),
                _ => format!(" : {}", d.detail),
            };
            let decl_file = index.files.get(d.file)?;
            let mut text = format!(
                "{} `{}`{detail}{of} — {}\n\ndeclared in `{}` line {}",
                d.kind.word(),
                d.name,
                d.label,
                short(&decl_file.name),
                line_of(&decl_file.text, d.name_span.0)
            );
            text.push_str(&uses(index, d));
            parts.push(text);
        }
        if parts.is_empty() {
            return None;
        }
        Some(markdown(parts.join("\n\n---\n\n"), lines.range(start, end)))
    }

    fn definition(&mut self, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let tdp = p.text_document_position_params;
        let (index, file, offset) = self.at(&tdp.text_document.uri, tdp.position)?;
        let (decls, _, _) = index.resolve_at(file, offset)?;
        let locations: Vec<Location> = decls
            .iter()
            .filter_map(|d| location(index, d.file, d.name_span.0, d.name_span.1))
            .collect();
        Some(GotoDefinitionResponse::Array(locations))
    }

    fn references(&mut self, p: ReferenceParams) -> Option<Vec<Location>> {
        let tdp = p.text_document_position;
        let (index, file, offset) = self.at(&tdp.text_document.uri, tdp.position)?;
        let (decls, _, _) = index.resolve_at(file, offset)?;
        let mut out = Vec::new();
        for d in decls {
            for (f, s, e) in index.references(d) {
                let own = (f, s, e) == (d.file, d.name_span.0, d.name_span.1);
                if own && !p.context.include_declaration {
                    continue;
                }
                out.extend(location(index, f, s, e));
            }
        }
        Some(out)
    }

    // lsp-types keys a workspace edit by `Uri`, which clippy deems mutable.
    #[allow(clippy::mutable_key_type)]
    fn rename(&mut self, p: RenameParams) -> Option<WorkspaceEdit> {
        let tdp = p.text_document_position;
        let (index, file, offset) = self.at(&tdp.text_document.uri, tdp.position)?;
        let (decls, _, _) = index.resolve_at(file, offset)?;
        let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
        for d in decls {
            for (f, s, e) in index.references(d) {
                if let Some(l) = location(index, f, s, e) {
                    changes
                        .entry(l.uri)
                        .or_default()
                        .push(TextEdit::new(l.range, p.new_name.clone()));
                }
            }
        }
        Some(WorkspaceEdit::new(changes))
    }

    fn completion(&mut self, p: CompletionParams) -> Option<CompletionResponse> {
        let tdp = p.text_document_position;
        let (index, file, offset) = self.at(&tdp.text_document.uri, tdp.position)?;
        let f = index.files.get(file)?;
        let before = f.text.get(..offset).unwrap_or("");
        let form = lexicon::form_of_text(&f.text).unwrap_or_default();
        // Inside the quote of `cites P "…`: the sentences of paragraph P.
        if let Some(items) = quote_completion(index.regulation(file), before) {
            return Some(CompletionResponse::Array(items));
        }
        // After `cites`: the paragraph numbers.
        if citation_head(before).is_some() {
            let units = index
                .regulation(file)
                .map(|r| r.units.as_slice())
                .unwrap_or_default();
            let items = units
                .iter()
                .map(|u| CompletionItem {
                    label: u.key(),
                    kind: Some(CompletionItemKind::REFERENCE),
                    detail: Some(u.text.chars().take(40).collect()),
                    documentation: Some(lsp_types::Documentation::String(u.text.clone())),
                    ..Default::default()
                })
                .collect();
            return Some(CompletionResponse::Array(items));
        }
        // After `name =`, `name !=` or inside `name in {…`: the values of
        // the enum that is the name's type.
        if let Some(values) = expected_values(index, file, offset) {
            return Some(CompletionResponse::Array(values));
        }
        let mut items: Vec<CompletionItem> = KEYWORDS
            .iter()
            .map(|k| CompletionItem {
                label: k.spelling(form).to_string(),
                kind: Some(CompletionItemKind::KEYWORD),
                detail: Some(format!(
                    "{} · {}",
                    k.spelling(Form::En),
                    k.spelling(Form::Zh)
                )),
                documentation: Some(lsp_types::Documentation::String(k.meaning.to_string())),
                ..Default::default()
            })
            .collect();
        for d in &index.decls {
            let kind = match d.kind {
                Kind::Enum | Kind::Record => CompletionItemKind::STRUCT,
                Kind::EnumValue => CompletionItemKind::ENUM_MEMBER,
                Kind::Field | Kind::Document => continue,
                Kind::Fact | Kind::Outcome | Kind::Parameter => CompletionItemKind::VARIABLE,
                Kind::Definition => CompletionItemKind::FUNCTION,
                Kind::Rule => CompletionItemKind::REFERENCE,
            };
            if items.iter().any(|i| i.label == d.name) {
                continue;
            }
            items.push(CompletionItem {
                label: d.name.clone(),
                kind: Some(kind),
                detail: Some(format!("{} {}", d.kind.word(), d.detail)),
                documentation: Some(lsp_types::Documentation::String(d.label.clone())),
                ..Default::default()
            });
        }
        Some(CompletionResponse::Array(items))
    }

    /// The outline of a file: its declarations (an enum's values and a
    /// record's fields inside them), then its rules and the units it sets
    /// aside, grouped by the provision (article) they cite, under the
    /// heading the regulation text gives it.
    fn symbols(&mut self, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
        let (index, file, _) = self.locate(&p.text_document.uri)?;
        let f = index.files.get(file)?;
        let lines = Lines::new(&f.text);
        let symbol = |name: String,
                      detail: String,
                      kind,
                      span: (usize, usize),
                      name_span: (usize, usize)| {
            #[allow(deprecated)] // `deprecated` is a required field of the type
            DocumentSymbol {
                name,
                detail: (!detail.is_empty()).then_some(detail),
                kind,
                tags: None,
                deprecated: None,
                range: lines.range(span.0, span.1),
                selection_range: lines.range(name_span.0, name_span.1),
                children: None,
            }
        };
        let mine = || {
            index
                .decls
                .iter()
                .filter(|d| d.file == file && !d.name.is_empty())
        };
        let mut top: Vec<DocumentSymbol> = Vec::new();
        // The provisions, in the order the file first cites them: (article,
        // its members as (start byte, symbol)).
        let mut provisions: Vec<(u32, Vec<(usize, DocumentSymbol)>)> = Vec::new();
        let mut member = |article: u32, at: usize, s: DocumentSymbol| match provisions
            .iter_mut()
            .find(|(a, _)| *a == article)
        {
            Some((_, members)) => members.push((at, s)),
            None => provisions.push((article, vec![(at, s)])),
        };
        for d in mine() {
            let kind = match d.kind {
                Kind::Enum => SymbolKind::ENUM,
                Kind::Record => SymbolKind::STRUCT,
                Kind::Fact | Kind::Parameter => SymbolKind::CONSTANT,
                Kind::Outcome => SymbolKind::PROPERTY,
                Kind::Definition => SymbolKind::FUNCTION,
                Kind::Document => SymbolKind::FILE,
                Kind::Rule => SymbolKind::EVENT,
                Kind::EnumValue | Kind::Field => continue,
            };
            if d.kind == Kind::Rule {
                let quote: String = d.label.chars().take(30).collect();
                let s = symbol(
                    d.name.clone(),
                    format!("{} {quote}", d.detail),
                    kind,
                    d.span,
                    d.name_span,
                );
                let article = d
                    .detail
                    .split('.')
                    .next()
                    .and_then(|a| a.parse().ok())
                    .unwrap_or(0);
                member(article, d.span.0, s);
                continue;
            }
            let mut s = symbol(d.name.clone(), d.label.clone(), kind, d.span, d.name_span);
            if matches!(d.kind, Kind::Enum | Kind::Record) {
                let inner = mine().filter(|v| {
                    matches!(v.kind, Kind::EnumValue | Kind::Field)
                        && v.container.as_deref() == Some(d.name.as_str())
                        && d.span.0 <= v.name_span.0
                        && v.name_span.1 <= d.span.1
                });
                let kind = if d.kind == Kind::Enum {
                    SymbolKind::ENUM_MEMBER
                } else {
                    SymbolKind::FIELD
                };
                s.children = Some(
                    inner
                        .map(|v| {
                            symbol(
                                v.name.clone(),
                                v.label.clone(),
                                kind,
                                v.name_span,
                                v.name_span,
                            )
                        })
                        .collect(),
                );
            }
            top.push(s);
        }
        for a in index.aside.iter().filter(|a| a.file == file) {
            let name = format!("not encoded {}", a.key);
            let s = symbol(name, a.text.clone(), SymbolKind::NULL, a.span, a.span);
            member(a.article, a.span.0, s);
        }
        let reg = index.regulation(file);
        for (article, mut members) in provisions {
            members.sort_by_key(|(at, _)| *at);
            let start = members.iter().map(|(at, _)| *at).min().unwrap_or(0);
            let end = members.iter().map(|(_, s)| s.range.end).max();
            let heading = reg
                .and_then(|r| r.heading(article))
                .map_or_else(|| format!("provision {article}"), str::to_string);
            let mut s = symbol(
                heading,
                String::new(),
                SymbolKind::NAMESPACE,
                (start, start),
                (start, start),
            );
            if let Some(end) = end {
                s.range.end = end;
            }
            s.selection_range = s.range;
            s.selection_range.end = s.range.start;
            s.children = Some(members.into_iter().map(|(_, s)| s).collect());
            top.push(s);
        }
        top.sort_by_key(|s| (s.range.start.line, s.range.start.character));
        Some(DocumentSymbolResponse::Nested(top))
    }

    fn format(&mut self, p: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let path = uri_path(&p.text_document.uri)?;
        let text = match self.open.get(&path) {
            Some(t) => t.clone(),
            None => std::fs::read_to_string(&path).ok()?,
        };
        let formatted =
            crate::syntax::format::format_source_as(crate::source::FileId(0), &text, None).ok()?;
        if formatted == text {
            return Some(Vec::new());
        }
        let lines = Lines::new(&text);
        Some(vec![TextEdit::new(lines.range(0, text.len()), formatted)])
    }

    #[allow(clippy::mutable_key_type)]
    fn code_actions(&mut self, p: CodeActionParams) -> Option<Vec<CodeActionOrCommand>> {
        let mut out = Vec::new();
        for d in &p.context.diagnostics {
            // The checker's suggestion, sent with the diagnostic as its data.
            let fix = d.data.as_ref().and_then(|v| v.get("replace")?.as_str());
            let Some(fix) = fix.map(str::to_string) else {
                continue;
            };
            let edit = WorkspaceEdit::new(HashMap::from([(
                p.text_document.uri.clone(),
                vec![TextEdit::new(d.range, fix.clone())],
            )]));
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("replace with `{fix}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(edit),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
        Some(out)
    }
}

/// The enum values a position expects: after `name =`, `name !=`, or in the
/// set of `name in {`, where the name's type is an enum.
fn expected_values(index: &Index, file: usize, offset: usize) -> Option<Vec<CompletionItem>> {
    let f = index.files.get(file)?;
    // The word being typed, if any, is not the subject.
    let start = f
        .text
        .get(..offset)?
        .trim_end_matches(lexicon::is_word_char)
        .len();
    let w = f.names.iter().rev().find(|w| w.end <= start)?;
    let between = f.text.get(w.end..start)?.trim();
    let set = between.ends_with('{') || between.ends_with(',');
    let compares = matches!(between.trim(), "=" | "!=");
    if !set && !compares {
        return None;
    }
    // In a set, the subject is the name before `in {`.
    let subject = if set {
        let open = f.text.get(..start)?.rfind('{')?;
        f.names.iter().rev().find(|n| n.end <= open)?
    } else {
        w
    };
    let ty = index
        .resolve(&subject.text)
        .into_iter()
        .find_map(|d| match d.kind {
            Kind::Fact | Kind::Outcome | Kind::Parameter | Kind::Field => Some(d.detail.clone()),
            _ => None,
        })?;
    let values: Vec<CompletionItem> = index
        .decls
        .iter()
        .filter(|d| d.kind == Kind::EnumValue && d.container.as_deref() == Some(ty.as_str()))
        .map(|d| CompletionItem {
            label: d.name.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(format!("{ty} · {}", d.label)),
            ..Default::default()
        })
        .collect();
    (!values.is_empty()).then_some(values)
}

/// Where a declaration is named, its own name aside: a list of places
/// (file, line, the rule or declaration the place is in), at most
/// [`USES_LISTED`] of them.
fn uses(index: &Index, d: &index::Decl) -> String {
    let places: Vec<(usize, usize, usize)> = index
        .references(d)
        .into_iter()
        .filter(|(f, s, _)| (*f, *s) != (d.file, d.name_span.0))
        .collect();
    if places.is_empty() {
        return "; named nowhere else".to_string();
    }
    let mut out = format!(
        "; named {} time{} elsewhere:\n",
        places.len(),
        if places.len() == 1 { "" } else { "s" }
    );
    for (f, s, _) in places.iter().take(USES_LISTED) {
        let Some(file) = index.files.get(*f) else {
            continue;
        };
        let within = index
            .decls
            .iter()
            .filter(|e| e.file == *f && e.span.0 <= *s && *s < e.span.1)
            .filter(|e| !matches!(e.kind, Kind::EnumValue | Kind::Field))
            .min_by_key(|e| e.span.1 - e.span.0)
            .map(|e| format!(", {} `{}`", e.kind.word(), e.name))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n- `{}` line {}{within}",
            short(&file.name),
            line_of(&file.text, *s)
        ));
    }
    if places.len() > USES_LISTED {
        out.push_str(&format!("\n- … and {} more", places.len() - USES_LISTED));
    }
    out
}

/// How many uses a hover lists.
const USES_LISTED: usize = 20;

/// The line number (from 1) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or("").matches('\n').count() + 1
}

/// The file name without its directories.
fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn markdown(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

fn location(index: &Index, file: usize, start: usize, end: usize) -> Option<Location> {
    let f = index.files.get(file)?;
    let lines = Lines::new(&f.text);
    Some(Location::new(
        path_uri(Path::new(&f.name))?,
        lines.range(start, end),
    ))
}

/// Whether a word is the keyword before a cited paragraph: `cites`,
/// `not encoded` (its last word) or their Chinese forms.
fn cites_keyword(w: &str) -> bool {
    w == "encoded"
        || lexicon::word(w).is_some_and(|(k, _)| matches!(k.name, "cites" | "not_encoded"))
}

/// `4.2` or `12.1.3`: the article, paragraph and item (0 for the paragraph).
fn unit_number(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split('.');
    let article = parts.next()?.parse().ok()?;
    let paragraph = parts.next()?.parse().ok()?;
    let item = parts.next().map_or(Some(0), |i| i.parse().ok())?;
    parts.next().is_none().then_some((article, paragraph, item))
}

/// The citing keyword's word (`cites`, `encoded` of `not encoded`, or a
/// Chinese form) and the number after it (`4.2`, `12.1.3`, possibly partly
/// typed or empty) of a text that ends with them.
fn citation_head(head: &str) -> Option<(&str, &str)> {
    let number_start = head
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
        .len();
    let number = head.get(number_start..)?;
    let kw = head
        .get(..number_start)?
        .trim_end()
        .rsplit(|c: char| lexicon::is_blank(c) || lexicon::is_line_break(c))
        .next()?;
    cites_keyword(kw).then_some((kw, number))
}

/// The unit cited by a text that ends with `cites P` or `not encoded P`
/// (blanks after the number allowed).
fn cited_unit(head: &str) -> Option<(u32, u32, u32)> {
    let head = head.trim_end_matches(|c: char| lexicon::is_blank(c) || lexicon::is_line_break(c));
    unit_number(citation_head(head)?.1)
}

/// The paragraph a `cites P` or `not encoded P` names, when the offset is
/// on its number: its text and the number's bytes.
fn paragraph_hover(
    reg: Option<&Regulation>,
    text: &str,
    offset: usize,
) -> Option<(String, usize, usize)> {
    let is_num = |c: char| c.is_ascii_digit() || c == '.';
    let start = text.get(..offset)?.trim_end_matches(is_num).len();
    let end =
        offset + text.get(offset..)?.len() - text.get(offset..)?.trim_start_matches(is_num).len();
    if start == end {
        return None;
    }
    let (a, p, i) = cited_unit(text.get(..end)?)?;
    let u = reg?.unit(a, p, i)?;
    Some((format!("**{}** {}", u.key(), u.text), start, end))
}

/// On the quote of `cites P "…"` (or the clause of `not encoded P "…"
/// because …`): whether it is found in unit P, and the unit; on the reason
/// of a `not encoded P "…"` that sets the whole unit aside: the unit.
fn quote_hover(reg: Option<&Regulation>, text: &str, offset: usize) -> Option<String> {
    let ((a, p, i), quote, is_quote) = citation_at(text, offset)?;
    let reg = reg?;
    let u = reg.unit(a, p, i)?;
    let verdict = if !is_quote {
        "the reason for setting aside"
    } else if reg.quote_matches(a, p, i, &quote) {
        "the quote is in"
    } else {
        "the quote is **not** in"
    };
    Some(format!("{verdict} paragraph {}:\n\n{}", u.key(), u.text))
}

/// The unit and text of the citation whose quoted text holds `offset`, and
/// whether that text quotes the unit (after `cites`, or a clause followed by
/// `because`) rather than giving a reason.
fn citation_at(text: &str, offset: usize) -> Option<((u32, u32, u32), String, bool)> {
    let ls: Vec<(usize, Lexeme)> = lexicon::lexemes(text).collect();
    let i = ls.iter().rposition(|(at, _)| *at <= offset)?;
    let (at, l) = ls.get(i)?;
    if *l != Lexeme::Text {
        return None;
    }
    let end = ls.get(i + 1).map_or(text.len(), |(s, _)| *s);
    let quote = text.get(at + 1..end)?.trim_end_matches('"').to_string();
    let head = text.get(..*at)?;
    let unit = cited_unit(head)?;
    let trimmed =
        head.trim_end_matches(|c: char| lexicon::is_blank(c) || lexicon::is_line_break(c));
    let after_cites = citation_head(trimmed)
        .and_then(|(kw, _)| lexicon::word(kw))
        .is_some_and(|(k, _)| k.name == "cites");
    let before_because = ls
        .get(i + 1..)?
        .iter()
        .find(|(_, l)| !matches!(l, Lexeme::Blank | Lexeme::Comment))
        .is_some_and(|(_, l)| matches!(l, Lexeme::Word(w) if lexicon::word(w).is_some_and(|(k, _)| k.name == "because")));
    Some((unit, quote, after_cites || before_because))
}

/// Inside an open quote after `cites P "` or `not encoded P "`: the
/// sentences of unit P.
fn quote_completion(reg: Option<&Regulation>, before: &str) -> Option<Vec<CompletionItem>> {
    let open = before.rfind('"')?;
    // An odd number of quotes on the line: the quote is open.
    let line = before.rsplit('\n').next().unwrap_or(before);
    if line.matches('"').count() % 2 == 0 {
        return None;
    }
    let (a, p, i) = cited_unit(before.get(..open)?)?;
    let u = reg?.unit(a, p, i)?;
    let sentences = u
        .text
        .split_inclusive(['。', '；', '，', '：'])
        .map(|s| s.trim_end_matches(['。', '；', '，', '：']).trim())
        .filter(|s| !s.is_empty());
    Some(
        sentences
            .map(|s| CompletionItem {
                label: s.to_string(),
                kind: Some(CompletionItemKind::TEXT),
                detail: Some(format!("paragraph {}", u.key())),
                ..Default::default()
            })
            .collect(),
    )
}

fn to_diagnostic(d: &Diag, sources: &crate::source::SourceMap) -> Diagnostic {
    let range_of = |s: &crate::source::Span| {
        let text = sources.get(s.file).map(|f| f.text.as_ref()).unwrap_or("");
        Lines::new(text).range(s.start as usize, s.end as usize)
    };
    let range = d
        .labels
        .first()
        .map(|(s, _)| range_of(s))
        .unwrap_or_default();
    let mut related = Vec::new();
    let mut place = |s: &crate::source::Span, message: String| {
        if let Some(uri) = path_uri(Path::new(sources.name(s.file))) {
            related.push(DiagnosticRelatedInformation {
                location: Location::new(uri, range_of(s)),
                message,
            });
        }
    };
    for (s, m) in d.labels.iter().skip(1) {
        place(s, m.clone());
    }
    for r in &d.related {
        if let Some((s, _)) = r.labels.first() {
            place(s, r.message.clone());
        }
    }
    let mut message = d.message.clone();
    if let Some((_, label)) = d.labels.first() {
        if !label.is_empty() {
            message.push_str(&format!(" ({label})"));
        }
    }
    if let Some(h) = &d.help {
        message.push_str(&format!("\nhelp: {h}"));
    }
    Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.as_str().to_string())),
        source: Some("regula".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        data: d.fix.as_ref().map(|f| serde_json::json!({ "replace": f })),
        ..Default::default()
    }
}

fn parse<T: serde::de::DeserializeOwned>(req: Request) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(req.params).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

fn json<T: serde::Serialize>(v: T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_paths_round_trip_with_chinese_and_spaces() {
        let p = Path::new("/tmp/政策 集/规则.policy");
        let uri = path_uri(p).unwrap();
        assert!(
            uri.as_str().starts_with("file:///tmp/%E6%94%BF"),
            "{}",
            uri.as_str()
        );
        assert_eq!(uri_path(&uri).unwrap(), p);
    }

    #[test]
    fn completion_after_a_comparison_offers_the_values_of_its_type() {
        // The declarations in one file, the rule being typed in another (it
        // does not parse yet).
        let decls = "enum Party \"方\" { agency \"甲\" host \"乙\" }\nenum Other \"他\" { x \"丙\" }\nfact p : Party \"方\"\n";
        let text = "rule r cites 1.1 \"x\" when p = ho";
        let files = |t: &str| {
            [
                ("a/d.policy".to_string(), decls.to_string()),
                ("a/x.policy".to_string(), t.to_string()),
            ]
        };
        let index = Index::build(&files(text), &[]);
        let labels = |offset| {
            expected_values(&index, 1, offset)
                .unwrap_or_default()
                .into_iter()
                .map(|i| i.label)
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(text.len()), ["agency", "host"]);
        let set = format!("{text}\n  or p in {{agency, ");
        let index = Index::build(&files(&set), &[]);
        let got: Vec<String> = expected_values(&index, 1, set.len())
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.label)
            .collect();
        assert_eq!(got, ["agency", "host"]);
        assert!(expected_values(&index, 1, set.find("when").unwrap()).is_none());
    }

    #[test]
    fn the_fix_is_the_problems_own_suggestion_sent_as_data() {
        use crate::diag::Problem;
        let sources = crate::source::SourceMap::default();
        let d = Diag::of(Problem::UnknownRule {
            name: "advanse".into(),
            suggestion: Some("advance".into()),
        });
        assert_eq!(
            to_diagnostic(&d, &sources).data,
            Some(serde_json::json!({"replace": "advance"}))
        );
        // A record fact's field: the whole dotted name the help suggests.
        let d = Diag::of(Problem::UnknownGroupField {
            group: "order".into(),
            field: "deadlien".into(),
            record: "Order".into(),
            fields: vec!["deadline".into()],
            suggestion: Some("deadline".into()),
        });
        assert_eq!(d.fix.as_deref(), Some("order.deadline"));
        assert!(d
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`order.deadline`")));
        let d = Diag::of(Problem::UnknownRule {
            name: "zzz".into(),
            suggestion: None,
        });
        assert_eq!(to_diagnostic(&d, &sources).data, None);
    }

    #[test]
    fn a_document_folder_of_a_linked_set_widens_to_the_set() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let set = root.join("policies");
        for doc in ["hurenshegui-2023-32", "paiqian-zanxing-guiding-2014"] {
            let file = set.join(doc).join("00-document.policy");
            assert_eq!(policy_dir(&file), set, "{doc}");
        }
        // A folder whose siblings name none of its documents stays alone.
        let fixture = root.join("tests/fixtures/conflict");
        assert_eq!(policy_dir(&fixture.join("leave.policy")), fixture);
    }
}
