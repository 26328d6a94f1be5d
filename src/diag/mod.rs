//! Diagnostics: every problem a user can cause, with where, what and a hint,
//! rendered through miette (graphical), as plain lines, or as JSON.
mod code;
mod problem;
pub(crate) mod record;

pub use code::Code;
pub(crate) use problem::placed;
pub use problem::{Problem, QuoteHint, Refusal, SyntaxHint};
pub(crate) use record::{key_given_twice, YAML_TAG};
pub use record::{
    CaseProblem, Contradiction, DateProblem, Found, Kind, NonFinite, Syntax, TestProblem, Want,
};

use crate::source::{SourceMap, Span};
use crate::syntax::lexicon::{self, Form};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    NamedSource, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;
use std::fmt;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Stops the policy set or case from being used.
    Error,
    /// Worth a look; does not stop anything.
    Warning,
}

/// One diagnostic: a code, a one-line message, labelled spans, a help line,
/// and related diagnostics pointing at other places (possibly other files).
#[derive(Clone, Debug)]
pub struct Diag {
    /// Error or warning.
    pub severity: Severity,
    /// The kind of problem, with its stable code (`regula::unknown-name`).
    pub code: Code,
    /// Lowercase, one line, user input in backticks.
    pub message: String,
    /// Underlined places; the first is the primary one.
    pub labels: Vec<(Span, String)>,
    /// Advice.
    pub help: Option<String>,
    /// Other places that explain this one.
    pub related: Vec<Diag>,
    /// The text that would replace the primary place, when the problem
    /// suggests one (the `did you mean` of its help).
    pub fix: Option<Box<str>>,
}

impl Diag {
    /// The diagnostic of a problem: its code, severity, message and help
    /// come from the problem; the finder adds where (labels, related).
    pub fn of(problem: Problem) -> Self {
        let code = problem.code();
        Diag {
            severity: code.severity(),
            code,
            message: problem.message(),
            labels: Vec::new(),
            help: problem.help(),
            related: Vec::new(),
            fix: problem.replacement().map(String::into_boxed_str),
        }
    }
    /// Adds an underlined place.
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push((span, text.into()));
        self
    }
    /// Adds a related diagnostic.
    pub fn with_related(mut self, d: Diag) -> Self {
        self.related.push(d);
        self
    }
    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{word}[{}]: {}", self.code, self.message)?;
        if let Some(h) = &self.help {
            write!(f, " (help: {h})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diag {}

/// `did you mean` from edit distance: the closest candidate, if close enough.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        let score = strsim::normalized_damerau_levenshtein(name, c);
        let dist = strsim::damerau_levenshtein(name, c);
        let close = score >= 0.6 || dist <= 2 || c.ends_with(name) || name.ends_with(c);
        if close && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum ErrorFormat {
    /// miette's graphical report with underlines.
    #[default]
    Human,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    Plain,
    /// One JSON object per diagnostic, one per line.
    Json,
}

/// A named source whose reported columns count characters, as the plain and
/// JSON forms do (miette counts bytes, which is wrong after Chinese text).
struct CharColumns(NamedSource<String>);

impl SourceCode for CharColumns {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.0.read_span(span, before, after)?;
        let text = self.0.inner().as_str();
        let start = c.span().offset();
        let head = text.get(..start).unwrap_or("");
        let column = head
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0);
        let name = c.name().unwrap_or_default().to_string();
        let mut out = MietteSpanContents::new_named(
            name,
            c.data(),
            *c.span(),
            c.line(),
            column,
            c.line_count(),
        );
        if let Some(lang) = c.language() {
            out = out.with_language(lang.to_string());
        }
        Ok(Box::new(out))
    }
}

struct Rendered<'a> {
    diag: &'a Diag,
    src: Option<CharColumns>,
    related: Vec<Rendered<'a>>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}
impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}
impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.src.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let first_file = self.diag.labels.first().map(|(s, _)| s.file);
        let labels = self
            .diag
            .labels
            .iter()
            .filter(move |(s, _)| Some(s.file) == first_file)
            .enumerate()
            .map(|(i, (s, text))| {
                let text = (!text.is_empty()).then(|| text.clone());
                let len = (s.end.saturating_sub(s.start)) as usize;
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, (s.start as usize, len))
                } else {
                    LabeledSpan::new_with_span(text, (s.start as usize, len))
                }
            });
        Some(Box::new(labels))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}

fn prepare<'a>(diag: &'a Diag, sources: &SourceMap) -> Rendered<'a> {
    let src = diag.labels.first().and_then(|(s, _)| {
        sources.get(s.file).map(|f| {
            CharColumns(
                NamedSource::new(f.name.clone(), f.text.to_string()).with_language("regula"),
            )
        })
    });
    let related = diag.related.iter().map(|r| prepare(r, sources)).collect();
    Rendered { diag, src, related }
}

/// The form of each file's keywords, found once per file.
struct Forms<'a> {
    sources: &'a SourceMap,
    seen: std::collections::HashMap<u32, Form>,
}

impl Forms<'_> {
    fn of(&mut self, d: &Diag) -> Form {
        let Some((span, _)) = d.labels.first() else {
            return Form::En;
        };
        let sources = self.sources;
        *self.seen.entry(span.file.0).or_insert_with(|| {
            sources
                .get(span.file)
                .and_then(|f| lexicon::form_of_text(&f.text))
                .unwrap_or_default()
        })
    }

    /// A diagnostic quoting keywords in the form of the file it points at.
    fn localise(&mut self, d: &Diag) -> Diag {
        let form = self.of(d);
        let mut out = d.clone();
        // A message about the forms themselves names both on purpose.
        if form != Form::En && d.code != Code::MixedKeywords {
            out.message = lexicon::localise(&d.message, form);
            out.help = d.help.as_deref().map(|h| lexicon::localise(h, form));
            for (_, text) in &mut out.labels {
                *text = lexicon::localise(text, form);
            }
            // A keyword a syntax error suggests is written in the file's
            // form too (a name another problem suggests is not a keyword).
            let keyword = d.fix.as_deref().filter(|_| d.code == Code::Syntax);
            if let Some((k, _)) = keyword.and_then(lexicon::word) {
                out.fix = Some(k.spelling(form).into());
            }
        }
        out.related = d.related.iter().map(|r| self.localise(r)).collect();
        out
    }
}

/// The diagnostics with the keywords they quote (in backticks) in the form
/// of the file each points at: a file written with Chinese keywords reads
/// "expected `则`", not "expected `then`".
pub fn localised<'a>(diags: &'a [Diag], sources: &SourceMap) -> std::borrow::Cow<'a, [Diag]> {
    let any_zh = sources
        .iter()
        .any(|(_, f)| lexicon::form_of_text(&f.text) == Some(Form::Zh));
    if !any_zh {
        return std::borrow::Cow::Borrowed(diags);
    }
    let mut forms = Forms {
        sources,
        seen: std::collections::HashMap::new(),
    };
    std::borrow::Cow::Owned(diags.iter().map(|d| forms.localise(d)).collect())
}

/// Renders diagnostics as miette's graphical report, without colour or links,
/// at a fixed width: the same bytes on a terminal, in a pipe and in CI.
pub fn render_human(diags: &[Diag], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_context_lines(1);
    let mut out = String::new();
    for d in localised(diags, sources).iter() {
        let r = prepare(d, sources);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&d.message);
        }
        out.push('\n');
    }
    out
}

/// Renders diagnostics as one line each.
pub fn render_plain(diags: &[Diag], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in localised(diags, sources).iter() {
        plain_line(d, sources, &mut out, "");
    }
    out
}

fn plain_line(d: &Diag, sources: &SourceMap, out: &mut String, indent: &str) {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let place = d
        .labels
        .first()
        .map(|(s, _)| {
            let (l, c) = sources.line_col(s.file, s.start);
            format!("{}:{l}:{c}: ", sources.name(s.file))
        })
        .unwrap_or_default();
    out.push_str(&format!("{indent}{place}{sev}[{}]: {}", d.code, d.message));
    if let Some(h) = &d.help {
        out.push_str(&format!(" (help: {h})"));
    }
    out.push('\n');
    for r in &d.related {
        plain_line(r, sources, out, "  ");
    }
}

#[derive(Serialize)]
struct JsonDiag {
    severity: Severity,
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    labels: Vec<JsonLabel>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonDiag>,
}

#[derive(Serialize)]
struct JsonLabel {
    file: String,
    line: usize,
    column: usize,
    start: u32,
    end: u32,
    text: String,
    message: String,
}

fn to_json(d: &Diag, sources: &SourceMap) -> JsonDiag {
    JsonDiag {
        severity: d.severity,
        code: d.code.as_str(),
        message: d.message.clone(),
        help: d.help.clone(),
        labels: d
            .labels
            .iter()
            .map(|(s, m)| {
                let (line, column) = sources.line_col(s.file, s.start);
                JsonLabel {
                    file: sources.name(s.file).to_string(),
                    line,
                    column,
                    start: s.start,
                    end: s.end,
                    text: sources.slice(*s).to_string(),
                    message: m.clone(),
                }
            })
            .collect(),
        related: d.related.iter().map(|r| to_json(r, sources)).collect(),
    }
}

/// Diagnostics as JSON values, each the object `--error-format json`
/// prints on its line.
pub fn json_values(diags: &[Diag], sources: &SourceMap) -> Vec<serde_json::Value> {
    diags
        .iter()
        .map(|d| serde_json::to_value(to_json(d, sources)).unwrap_or_default())
        .collect()
}

/// Renders diagnostics as JSON lines.
pub fn render_json(diags: &[Diag], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in localised(diags, sources).iter() {
        out.push_str(&serde_json::to_string(&to_json(d, sources)).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Renders in the chosen format.
pub fn render(diags: &[Diag], sources: &SourceMap, format: ErrorFormat, color: bool) -> String {
    match format {
        ErrorFormat::Human => render_human(diags, sources, color),
        ErrorFormat::Plain => render_plain(diags, sources),
        ErrorFormat::Json => render_json(diags, sources),
    }
}
