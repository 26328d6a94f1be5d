//! The pest parser and the lowering of its parse tree into [`ast`](super::ast).
//!
//! pest stops at the first syntax error of a file; lowering then reports every
//! malformed literal (impossible dates, bad numbers, unterminated strings).
//! Nesting is bounded before pest runs so that no input can exhaust the stack.
use super::ast::*;
use crate::diag::Diag;
use crate::source::{FileId, Loc, Span};
use chrono::NaiveDate;
use pest::iterators::Pair;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/regula.pest"]
struct PolicyParser;

/// The deepest nesting of expressions (parentheses, `not`, `if`, minus) a
/// policy may have.
pub const MAX_NESTING: usize = 64;

/// The most operands that chains of `and`, `or`, `+`, `-` and `*` may join
/// along any path of an expression (a folded chain nests one level per operand).
pub const MAX_CHAIN: usize = 128;

/// Parses one policy file, returning its tree or every problem found.
pub fn parse_file(file: FileId, text: &str) -> Result<File, Vec<Diag>> {
    if let Some(d) = check_nesting(file, text) {
        return Err(vec![d]);
    }
    let pairs = match PolicyParser::parse(Rule::file, text) {
        Ok(p) => p,
        Err(e) => {
            return Err(vec![syntax_error(
                file,
                text,
                &detailed(Rule::file, text, e),
            )])
        }
    };
    let mut lower = Lower {
        file,
        diags: Vec::new(),
        chain: 0,
        too_long: false,
    };
    let mut items = Vec::new();
    for pair in pairs.flatten().take(1) {
        for item in pair.into_inner() {
            if item.as_rule() == Rule::EOI {
                continue;
            }
            if let Some(i) = lower.item(item) {
                items.push(i);
            }
        }
    }
    if lower.diags.is_empty() {
        Ok(File { items })
    } else {
        Err(lower.diags)
    }
}

/// Parses one expression (used by tests and tools).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn parse_expr(file: FileId, text: &str) -> Result<Expr, Vec<Diag>> {
    if let Some(d) = check_nesting(file, text) {
        return Err(vec![d]);
    }
    let mut pairs = match PolicyParser::parse(Rule::expr, text) {
        Ok(p) => p,
        Err(e) => {
            return Err(vec![syntax_error(
                file,
                text,
                &detailed(Rule::expr, text, e),
            )])
        }
    };
    let mut lower = Lower {
        file,
        diags: Vec::new(),
        chain: 0,
        too_long: false,
    };
    let e = pairs.next().and_then(|p| lower.expr(p));
    match e {
        Some(e) if lower.diags.is_empty() => Ok(e),
        _ => Err(lower.diags),
    }
}

/// Parses again, tracking the tokens (`:`, `=`, `{`) expected where parsing
/// stopped; pest's plain error knows only the rules. Done on failure only,
/// as the tracking costs time.
fn detailed(rule: Rule, text: &str, plain: pest::error::Error<Rule>) -> pest::error::Error<Rule> {
    pest::set_error_detail(true);
    let again = PolicyParser::parse(rule, text).err();
    pest::set_error_detail(false);
    again.unwrap_or(plain)
}

/// Rejects input nested deeper than [`MAX_NESTING`] before pest recurses on it.
fn check_nesting(file: FileId, text: &str) -> Option<Diag> {
    let mut depth: usize = 0;
    let mut prefix_run: usize = 0;
    let mut open_ifs: usize = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    while let Some(&b) = bytes.get(i) {
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        let at = i;
        let word_start = i == 0
            || !bytes
                .get(i - 1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
        match b {
            b'"' => in_string = true,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|c| *c != b'\n') {
                    i += 1;
                }
                continue;
            }
            b'(' | b'{' => {
                depth += 1;
                prefix_run = 0;
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            b'-' => prefix_run += 1,
            b'n' if word_start && is_word(bytes, i, b"not") => {
                prefix_run += 1;
                i += 2; // past the word: its letters must not end the run
            }
            b'i' if word_start && is_word(bytes, i, b"if") => {
                open_ifs += 1;
                i += 1;
            }
            // Each `if` of an `else if` chain nests one level deeper in the
            // parser; a declaration keyword ends the expression.
            b'd' | b'e' | b'f' | b'o' | b'p' | b'r'
                if word_start
                    && DECLARATION_WORDS
                        .iter()
                        .any(|w| is_word(bytes, i, w.as_bytes())) =>
            {
                open_ifs = 0;
                prefix_run = 0;
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => prefix_run = 0,
        }
        if depth + prefix_run + open_ifs > MAX_NESTING {
            let end = text
                .get(at..)
                .and_then(|t| t.split(|c: char| !c.is_alphanumeric()).next())
                .map(|w| at + w.len().max(1))
                .unwrap_or(at);
            return Some(
                Diag::error(
                    "regula::too-deep",
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                )
                .label(Span::new(file, at, end), "too deep here")
                .help("split the expression with a `define` or an intermediate outcome"),
            );
        }
        i += 1;
    }
    None
}

/// The reserved words that open a declaration.
const DECLARATION_WORDS: [&str; 8] = [
    "document",
    "enum",
    "record",
    "fact",
    "outcome",
    "parameter",
    "define",
    "rule",
];

/// Whether `word` stands at `i` followed by a blank or a parenthesis.
fn is_word(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    bytes.get(i..i + word.len()) == Some(word)
        && bytes
            .get(i + word.len())
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'(')
}

/// The name of a header clause that may appear once.
fn clause_name(rule: Rule) -> &'static str {
    match rule {
        Rule::doc_issuer => "an `issuer`",
        Rule::doc_issued => "an `issued` date",
        Rule::doc_source => "a `source`",
        _ => "an `in force` period",
    }
}

/// A readable name for a grammar rule, for "expected …" messages.
fn describe(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of file",
        Rule::file | Rule::item => "a declaration",
        Rule::document | Rule::kw_document => "`document`",
        Rule::doc_clause => "a document clause",
        Rule::doc_issuer | Rule::kw_issuer => "`issuer`",
        Rule::doc_issued | Rule::kw_issued => "`issued`",
        Rule::doc_source | Rule::kw_source => "`source`",
        Rule::doc_in_force => "`in force from`",
        Rule::doc_replaces | Rule::kw_replaces => "`replaces`",
        Rule::doc_amends | Rule::kw_amends => "`amends`",
        Rule::amend_list => "`rules` or `parameters`",
        Rule::kw_rules => "`rules`",
        Rule::kw_parameters => "`parameters`",
        Rule::kw_force => "`force`",
        Rule::kw_from => "`from`",
        Rule::enum_decl | Rule::kw_enum => "`enum`",
        Rule::enum_variant => "an enum value and its label",
        Rule::record_decl | Rule::kw_record => "`record`",
        Rule::record_field => "a record field",
        Rule::fact_decl | Rule::kw_fact => "`fact`",
        Rule::outcome_decl | Rule::kw_outcome => "`outcome`",
        Rule::kw_default => "`default`",
        Rule::param_decl | Rule::kw_parameter => "`parameter`",
        Rule::param_value => "a parameter value",
        Rule::define_decl | Rule::kw_define => "`define`",
        Rule::param => "a parameter (`name: type`)",
        Rule::type_ref => "a type",
        Rule::int_type | Rule::kw_int => "`int`",
        Rule::rule_decl | Rule::kw_rule => "`rule`",
        Rule::citation | Rule::kw_cites => "`cites`",
        Rule::exception | Rule::kw_exception => "`exception to`",
        Rule::condition | Rule::kw_when => "`when`",
        Rule::conclusion | Rule::kw_then => "`then`",
        Rule::not_encoded | Rule::kw_encoded => "`not encoded`",
        Rule::paragraph => "a paragraph number such as `4.2`",
        Rule::label => "a label in quotes",
        Rule::expr
        | Rule::if_expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::cmp_expr
        | Rule::add_expr
        | Rule::mul_expr
        | Rule::unary
        | Rule::postfix
        | Rule::primary => "an expression",
        Rule::neg_op | Rule::kw_not => "`not`",
        Rule::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_op | Rule::kw_in => "`in`",
        Rule::set => "a set `{…}`",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*`",
        Rule::minus => "`-`",
        Rule::unit => "a unit (`days`, `months`, `years`)",
        Rule::rounding | Rule::kw_round => "`round up` or `round down`",
        Rule::kw_up => "`up`",
        Rule::kw_down => "`down`",
        Rule::as_of | Rule::kw_as_of => "`as_of`",
        Rule::call => "a call",
        Rule::literal => "a literal",
        Rule::bool_lit | Rule::kw_true | Rule::kw_false => "`true` or `false`",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::number => "a number",
        Rule::string | Rule::string_body => "a string in quotes",
        Rule::close_quote => "a closing quote",
        Rule::unterminated => "a closing quote",
        Rule::path => "a name",
        Rule::ident | Rule::ident_raw => "a name",
        Rule::keyword => "a keyword",
        Rule::kw_if => "`if`",
        Rule::kw_else => "`else`",
        Rule::kw_and => "`and`",
        Rule::kw_or => "`or`",
        Rule::kw_to => "`to`",
        Rule::kw_days | Rule::kw_day => "`days`",
        Rule::kw_months | Rule::kw_month => "`months`",
        Rule::kw_years | Rule::kw_year => "`years`",
        Rule::WHITESPACE | Rule::COMMENT => "whitespace",
    }
}

/// The reserved words of the language (see `keyword` in the grammar).
const RESERVED: [&str; 21] = [
    "document",
    "enum",
    "record",
    "fact",
    "outcome",
    "parameter",
    "define",
    "rule",
    "cites",
    "exception",
    "when",
    "then",
    "if",
    "else",
    "and",
    "or",
    "not",
    "in",
    "true",
    "false",
    "as_of",
];

/// Expectations that only say "the expression could go on": shown as one item.
fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::cmp_op
            | Rule::in_op
            | Rule::add_op
            | Rule::mul_op
            | Rule::unit
            | Rule::rounding
            | Rule::kw_round
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_in
    )
}

/// Expectations that open a declaration: shown as one item.
fn is_declaration(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::document
            | Rule::kw_document
            | Rule::enum_decl
            | Rule::kw_enum
            | Rule::record_decl
            | Rule::kw_record
            | Rule::fact_decl
            | Rule::kw_fact
            | Rule::outcome_decl
            | Rule::kw_outcome
            | Rule::param_decl
            | Rule::kw_parameter
            | Rule::define_decl
            | Rule::kw_define
            | Rule::rule_decl
            | Rule::kw_rule
            | Rule::not_encoded
            | Rule::item
    )
}

/// Literal tokens that continue an expression; grouped as "an operator".
const OPERATOR_TOKENS: [&str; 21] = [
    "!=", "*", "+", "-", "<", "<=", "=", ">", ">=", "and", "or", "in", "not", "day", "days",
    "month", "months", "year", "years", "round", "up",
];

/// The literal tokens pest expected at the furthest position it reached, that
/// position, and whether it lies beyond the error's own position.
fn literal_tokens(e: &pest::error::Error<Rule>, pos: usize) -> (usize, Vec<String>, bool) {
    let Some(a) = e.parse_attempts() else {
        return (pos, Vec::new(), false);
    };
    let tokens: Vec<String> = a
        .expected_tokens()
        .into_iter()
        .map(|t| t.to_string())
        // Only the grammar's literals: no built-in classes, no ranges.
        .filter(|t| t != "BUILTIN_RULE" && !(t.len() > 2 && t.contains("..")))
        .filter(|t| !t.trim().is_empty() && t != "//" && t != "down")
        .collect();
    if a.max_position > pos && !tokens.is_empty() {
        (a.max_position, tokens, true)
    } else if a.max_position == pos {
        (pos, tokens, false)
    } else {
        (pos, Vec::new(), false)
    }
}

fn syntax_error(file: FileId, text: &str, e: &pest::error::Error<Rule>) -> Diag {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match e.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let pos = pos.min(text.len());
    // The literal tokens (`:`, `)`, `then`) expected where parsing stopped.
    let (pos, tokens, further) = literal_tokens(e, pos);
    let pos = pos.min(text.len());
    // Underline the word found at the error position (or one character).
    let rest = text.get(pos..).unwrap_or("");
    let word: String = if rest
        .chars()
        .next()
        .is_some_and(|c| c == '_' || c.is_alphanumeric())
    {
        rest.chars()
            .take_while(|c| *c == '_' || c.is_alphanumeric())
            .collect()
    } else {
        rest.chars().take(1).collect()
    };
    let found = if rest.trim().is_empty() {
        "end of file".to_string()
    } else if word.trim().is_empty() {
        "a line break".to_string()
    } else {
        format!("`{word}`")
    };
    let end = pos + word.len();
    let span = if rest.trim().is_empty() {
        // At the end of the file there is nothing to underline: point at
        // the last word written instead.
        let before = text.get(..pos).unwrap_or("").trim_end();
        let last = before
            .char_indices()
            .next_back()
            .map(|(i, c)| (i, i + c.len_utf8()))
            .unwrap_or((0, 0));
        let start = before
            .char_indices()
            .rev()
            .take_while(|(_, c)| !c.is_whitespace())
            .last()
            .map(|(i, _)| i)
            .unwrap_or(last.0);
        Span::new(file, start, last.1)
    } else {
        Span::new(file, pos, end.max(pos))
    };
    let positives: &[Rule] = match &e.variant {
        // Parsing got further than the rules say: only the tokens count there.
        ErrorVariant::ParsingError { .. } if further => &[],
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { .. } => {
            // pest's own limits: only reachable through extreme nesting.
            return Diag::error("regula::too-deep", "the file is nested too deeply to read")
                .label(span, "too deep here")
                .help("split the expression with a `define` or an intermediate outcome");
        }
    };
    let declarations = positives.iter().any(|r| is_declaration(*r));
    // `not` opens both a negation and `not encoded`; with declarations
    // expected it is the latter.
    let operators = positives.iter().filter(|r| is_operator(**r)).count()
        + tokens
            .iter()
            .filter(|t| further && OPERATOR_TOKENS.contains(&t.as_str()))
            .count();
    let mut expected: Vec<&str> = Vec::new();
    for r in positives {
        let d = if is_declaration(*r) || (declarations && *r == Rule::kw_not) {
            "a declaration (`rule`, `fact`, `outcome`, …)"
        } else if (is_operator(*r) && operators > 1)
            || (*r == Rule::EOI && declarations)
            // An unterminated string is reported when lowered, with its own help.
            || (matches!(*r, Rule::close_quote | Rule::unterminated) && positives.len() > 1)
        {
            continue;
        } else {
            describe(*r)
        };
        if !expected.contains(&d) && d != "whitespace" {
            expected.push(d);
        }
    }
    let quoted: Vec<String> = tokens
        .iter()
        .filter(|t| {
            let operator = OPERATOR_TOKENS.contains(&t.as_str());
            // Where rules were expected too, they name the words, operators
            // and openings; only closing punctuation is added to them.
            let closing = [")", "}", ",", ":"].contains(&t.as_str());
            let opening = ["\"", "_", "("].contains(&t.as_str());
            (further || closing) && !opening && !(operator && (operators > 1 || !further))
        })
        .map(|t| format!("`{t}`"))
        .collect();
    for q in &quoted {
        if !expected.contains(&q.as_str()) {
            expected.push(q);
        }
    }
    if operators > 1 {
        expected.push("an operator (`and`, `or`, `=`, `+`, …)");
    }
    let list = match expected.len() {
        0 => "something else".to_string(),
        1 => expected.join(""),
        _ => match expected.split_last() {
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        },
    };
    let label = if rest.trim().is_empty() {
        "the file ends after this".to_string()
    } else {
        format!("unexpected {found}")
    };
    let d =
        Diag::error("regula::syntax", format!("expected {list}, found {found}")).label(span, label);
    let reserved = RESERVED.contains(&word.as_str());
    let wants = |r: Rule| positives.contains(&r);
    let help = if reserved && (wants(Rule::ident) || wants(Rule::path)) {
        format!("`{word}` is a reserved word and cannot be used as a name; choose another name")
    } else if declarations && !word.is_empty() {
        match crate::diag::suggest(&word, DECLARATION_WORDS) {
            Some(k) if k != word => format!("did you mean `{k}`?"),
            _ => "each declaration starts with a keyword such as `rule`, `fact` or `outcome`"
                .to_string(),
        }
    } else if wants(Rule::kw_then) && operators > 1 {
        "a condition is followed by `then outcome = value`; join conditions with `and` or `or`"
            .to_string()
    } else if wants(Rule::citation) || wants(Rule::kw_cites) {
        "every rule cites the paragraph it encodes: `cites 4.2 \"quoted words\"`".to_string()
    } else if wants(Rule::expr) || positives.iter().any(|r| describe(*r) == "an expression") {
        "write a value, a name, a call or a parenthesised expression here".to_string()
    } else if expected.contains(&"`:`") {
        "a name is followed by its type: `name : type`, e.g. `fact injury.occurred : bool \"…\"`"
            .to_string()
    } else if expected.first().is_some_and(|e| *e == "`)`") {
        "close every `(` that is opened".to_string()
    } else if expected.first().is_some_and(|e| *e == "`{`") {
        "list the values or fields inside braces: `enum Party \"当事方\" { host \"用工单位\" }`"
            .to_string()
    } else if expected.first().is_some_and(|e| *e == "`=`") {
        "a parameter or a definition gives its value after `=`".to_string()
    } else if wants(Rule::kw_when) || wants(Rule::kw_then) || wants(Rule::kw_to) {
        "a rule reads `rule name cites 4.2 \"…\"`, then optionally `exception to other_rule` and `when condition`, then `then outcome = value`"
            .to_string()
    } else if wants(Rule::paragraph) {
        "cite a paragraph as article.paragraph: `cites 4.2 \"quoted words\"`".to_string()
    } else if wants(Rule::number) {
        "write a whole number such as `0`".to_string()
    } else if wants(Rule::ident) || wants(Rule::path) {
        "write a name: letters, digits and `_`, dotted for facts and outcomes (`wage_arrears.fund_case`)"
            .to_string()
    } else if wants(Rule::label) || wants(Rule::string) {
        "labels and quotes are written in double quotes: `\"劳务派遣单位\"`".to_string()
    } else if wants(Rule::type_ref) {
        "the types are bool, int, date, text and the declared enums and records".to_string()
    } else {
        "the declarations and their clauses are described in the language reference".to_string()
    };
    d.help(help)
}

struct Lower {
    file: FileId,
    diags: Vec<Diag>,
    /// Operands of the chains (`and`, `or`, `+`, `*`) being lowered, which
    /// bounds the depth of the tree.
    chain: usize,
    /// Whether [`MAX_CHAIN`] was reported (once per file).
    too_long: bool,
}

type P<'a> = Pair<'a, Rule>;

impl Lower {
    fn loc(&self, p: &P) -> Loc {
        let s = p.as_span();
        // pest's implicit whitespace can trail a pair (`2 months` before an
        // absent `round`): underline the words only.
        let end = s.start() + p.as_str().trim_end().len();
        Loc(Span::new(self.file, s.start(), end))
    }

    fn bug(&mut self, p: &P, what: &str) {
        self.diags.push(
            Diag::error("regula::syntax", format!("malformed {what}"))
                .label(self.loc(p).0, "here")
                .help("this construct could not be read; please report it with the file"),
        );
    }

    fn item(&mut self, p: P) -> Option<Item> {
        Some(match p.as_rule() {
            Rule::document => Item::Document(self.document(p)?),
            Rule::enum_decl => Item::Enum(self.enum_decl(p)?),
            Rule::record_decl => Item::Record(self.record_decl(p)?),
            Rule::fact_decl => Item::Fact(self.fact_decl(p)?),
            Rule::outcome_decl => Item::Outcome(self.outcome_decl(p)?),
            Rule::param_decl => Item::Param(self.param_decl(p)?),
            Rule::define_decl => Item::Define(self.define_decl(p)?),
            Rule::rule_decl => Item::Rule(self.rule_decl(p)?),
            Rule::not_encoded => Item::NotEncoded(self.not_encoded(p)?),
            _ => {
                self.bug(&p, "declaration");
                return None;
            }
        })
    }

    /// The children of a pair without keyword tokens.
    fn parts<'a>(&self, p: P<'a>) -> Vec<P<'a>> {
        p.into_inner()
            .filter(|c| !matches!(c.as_rule(), r if format!("{r:?}").starts_with("kw_")))
            .collect()
    }

    fn document(&mut self, p: P) -> Option<Document> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let id = self.string(parts.next()?)?;
        let mut doc = Document {
            id,
            issuer: None,
            issued: None,
            source: None,
            in_force_from: None,
            in_force_to: None,
            in_force_cites: None,
            replaces: Vec::new(),
            amends: Vec::new(),
            loc,
        };
        // Clauses that may appear once, and where each first appeared.
        let mut seen: Vec<(Rule, Loc)> = Vec::new();
        for c in parts {
            let cloc = self.loc(&c);
            let rule = c.as_rule();
            if matches!(
                rule,
                Rule::doc_issuer | Rule::doc_issued | Rule::doc_source | Rule::doc_in_force
            ) {
                if let Some((_, first)) = seen.iter().find(|(r, _)| *r == rule) {
                    let what = clause_name(rule);
                    self.diags.push(
                        Diag::error(
                            "regula::duplicate-clause",
                            format!("the document header gives {what} twice"),
                        )
                        .label(cloc.0, "again here")
                        .label(first.0, "first here")
                        .help("remove one of them: a header states each clause once"),
                    );
                    continue;
                }
                seen.push((rule, cloc));
            }
            match c.as_rule() {
                Rule::doc_issuer => doc.issuer = self.first(c).and_then(|s| self.string(s)),
                Rule::doc_issued => doc.issued = self.first(c).and_then(|s| self.date(s)),
                Rule::doc_source => doc.source = self.first(c).and_then(|s| self.string(s)),
                Rule::doc_in_force => {
                    let mut dates = 0;
                    for x in self.parts(c) {
                        match x.as_rule() {
                            Rule::date => {
                                dates += 1;
                                if dates == 1 {
                                    doc.in_force_from = self.date(x);
                                } else {
                                    doc.in_force_to = self.date(x);
                                }
                            }
                            Rule::citation => doc.in_force_cites = self.citation(x),
                            _ => self.bug(&x, "`in force` clause"),
                        }
                    }
                }
                Rule::doc_replaces => {
                    let mut xs = self.parts(c).into_iter();
                    let d = xs.next().and_then(|s| self.string(s));
                    let from = xs.next().and_then(|s| self.date(s));
                    if let (Some(d), Some(f)) = (d, from) {
                        doc.replaces.push((d, f));
                    }
                }
                Rule::doc_amends => {
                    let mut xs = self.parts(c).into_iter();
                    let d = xs.next().and_then(|s| self.string(s));
                    let from = xs.next().and_then(|s| self.date(s));
                    let mut rules = Vec::new();
                    let mut parameters = Vec::new();
                    for list in xs {
                        let is_rules = list.as_str().trim_start().starts_with("rules");
                        for id in self.parts(list) {
                            let i = self.ident(id);
                            if is_rules {
                                rules.push(i)
                            } else {
                                parameters.push(i)
                            }
                        }
                    }
                    if let (Some(document), Some(from)) = (d, from) {
                        doc.amends.push(Amendment {
                            document,
                            from,
                            rules,
                            parameters,
                            loc: cloc,
                        });
                    }
                }
                _ => self.bug(&c, "document clause"),
            }
        }
        Some(doc)
    }

    fn first<'a>(&self, p: P<'a>) -> Option<P<'a>> {
        self.parts(p).into_iter().next()
    }

    fn enum_decl(&mut self, p: P) -> Option<EnumDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let label = self.label(parts.next()?)?;
        let mut variants = Vec::new();
        for v in parts {
            let mut xs = v.into_inner();
            let n = self.ident(xs.next()?);
            let l = self.label(xs.next()?)?;
            variants.push((n, l));
        }
        Some(EnumDecl {
            name,
            label,
            variants,
            loc,
        })
    }

    fn record_decl(&mut self, p: P) -> Option<RecordDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let label = self.label(parts.next()?)?;
        let mut fields = Vec::new();
        for v in parts {
            let mut xs = v.into_inner();
            let n = self.ident(xs.next()?);
            let t = self.type_ref(xs.next()?)?;
            let l = self.label(xs.next()?)?;
            fields.push((n, t, l));
        }
        Some(RecordDecl {
            name,
            label,
            fields,
            loc,
        })
    }

    fn fact_decl(&mut self, p: P) -> Option<FactDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.path(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        Some(FactDecl {
            name,
            ty,
            label,
            loc,
        })
    }

    fn outcome_decl(&mut self, p: P) -> Option<OutcomeDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.path(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        let default = match parts.next() {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        Some(OutcomeDecl {
            name,
            ty,
            label,
            default,
            loc,
        })
    }

    fn param_decl(&mut self, p: P) -> Option<ParamDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        let mut values = Vec::new();
        let mut cites = None;
        for x in parts {
            match x.as_rule() {
                Rule::param_value => {
                    let mut xs = self.parts(x).into_iter();
                    let e = self.expr(xs.next()?)?;
                    let from = match xs.next() {
                        Some(d) => Some(self.date(d)?),
                        None => None,
                    };
                    values.push((e, from));
                }
                Rule::citation => cites = self.citation(x),
                _ => self.bug(&x, "parameter"),
            }
        }
        Some(ParamDecl {
            name,
            ty,
            label,
            values,
            cites,
            loc,
        })
    }

    fn define_decl(&mut self, p: P) -> Option<DefineDecl> {
        let loc = self.loc(&p);
        let parts = self.parts(p);
        let mut name = None;
        let mut params = Vec::new();
        let mut ty = None;
        let mut label = None;
        let mut body = None;
        for x in parts {
            match x.as_rule() {
                Rule::ident => name = Some(self.ident(x)),
                Rule::param => {
                    let mut xs = x.into_inner();
                    let n = self.ident(xs.next()?);
                    let t = self.type_ref(xs.next()?)?;
                    params.push((n, t));
                }
                Rule::type_ref => ty = self.type_ref(x),
                Rule::label => label = self.label(x),
                Rule::expr => body = self.expr(x),
                _ => self.bug(&x, "definition"),
            }
        }
        Some(DefineDecl {
            name: name?,
            params,
            ty: ty?,
            label,
            body: body?,
            loc,
        })
    }

    fn rule_decl(&mut self, p: P) -> Option<RuleDecl> {
        let loc = self.loc(&p);
        let mut name = None;
        let mut cites = None;
        let mut exception_to = Vec::new();
        let mut when = None;
        let mut conclusion = None;
        for x in self.parts(p) {
            match x.as_rule() {
                Rule::ident => name = Some(self.ident(x)),
                Rule::citation => cites = self.citation(x),
                Rule::exception => {
                    exception_to = self.parts(x).into_iter().map(|i| self.ident(i)).collect();
                }
                Rule::condition => when = self.first(x).and_then(|e| self.expr(e)),
                Rule::conclusion => {
                    let mut xs = self.parts(x).into_iter();
                    let path = self.path(xs.next()?);
                    let value = self.expr(xs.next()?)?;
                    conclusion = Some((path, value));
                }
                _ => self.bug(&x, "rule"),
            }
        }
        let (outcome, value) = conclusion?;
        Some(RuleDecl {
            name: name?,
            cites: cites?,
            exception_to,
            when,
            outcome,
            value,
            loc,
        })
    }

    fn not_encoded(&mut self, p: P) -> Option<NotEncoded> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let paragraph = self.paragraph(parts.next()?)?;
        let reason = self.string(parts.next()?)?;
        Some(NotEncoded {
            paragraph,
            reason,
            loc,
        })
    }

    fn citation(&mut self, p: P) -> Option<Citation> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let paragraph = self.paragraph(parts.next()?)?;
        let quote = self.string(parts.next()?)?;
        Some(Citation {
            paragraph,
            quote,
            loc,
        })
    }

    fn paragraph(&mut self, p: P) -> Option<Paragraph> {
        let loc = self.loc(&p);
        let text = p.as_str();
        let (a, b) = text.split_once('.')?;
        match (a.parse::<u32>(), b.parse::<u32>()) {
            (Ok(article), Ok(paragraph)) => Some(Paragraph {
                article,
                paragraph,
                loc,
            }),
            _ => {
                self.diags.push(
                    Diag::error(
                        "regula::bad-paragraph",
                        format!("`{text}` is not a paragraph number"),
                    )
                    .label(loc.0, "too large")
                    .help("cite a paragraph as article.paragraph, e.g. `4.2`"),
                );
                None
            }
        }
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            loc: self.loc(&p),
        }
    }

    fn path(&self, p: P) -> Path {
        let loc = self.loc(&p);
        Path {
            segments: p.into_inner().map(|i| self.ident(i)).collect(),
            loc,
        }
    }

    fn label(&mut self, p: P) -> Option<Str> {
        let inner = self.first(p)?;
        self.string(inner)
    }

    fn string(&mut self, p: P) -> Option<Str> {
        let loc = self.loc(&p);
        let mut body = "";
        let mut closed = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::string_body => body = x.as_str(),
                Rule::close_quote => closed = true,
                _ => {}
            }
        }
        if !closed {
            self.diags.push(
                Diag::error("regula::unterminated-string", "unterminated string")
                    .label(loc.0, "this string has no closing quote")
                    .help("add `\"` at the end; a string cannot span lines"),
            );
            return None;
        }
        let mut value = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some(o) => value.push(o),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Some(Str { value, loc })
    }

    fn date(&mut self, p: P) -> Option<DateLit> {
        let loc = self.loc(&p);
        let text = p.as_str();
        let mut it = text.split('-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if m.len() != 2 || d.len() != 2 {
            self.diags.push(
                Diag::error(
                    "regula::bad-date",
                    format!("`{text}` is not written as YYYY-MM-DD"),
                )
                .label(loc.0, "write month and day with two digits")
                .help(format!("write `{y}-{m:0>2}-{d:0>2}`")),
            );
            return None;
        }
        let parsed = match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        match parsed {
            Some(value) => Some(DateLit { value, loc }),
            None => {
                let why = match m.parse::<u32>() {
                    Ok(1..=12) => format!("month {m} of {y} has no day {d}"),
                    _ => format!("there is no month {m}"),
                };
                self.diags.push(
                    Diag::error(
                        "regula::bad-date",
                        format!("`{text}` is not a calendar date"),
                    )
                    .label(loc.0, why)
                    .help("dates are written YYYY-MM-DD and must exist in the calendar"),
                );
                None
            }
        }
    }

    fn number(&mut self, p: &P) -> Option<i64> {
        let loc = self.loc(p);
        let text = p.as_str();
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        if let Ok(n) = digits.parse::<i64>() {
            return Some(n);
        }
        let (msg, label, help) = if digits.chars().all(|c| c.is_ascii_digit()) {
            (
                format!("number `{text}` is too large"),
                "too large",
                format!("integers range from {} to {}", i64::MIN, i64::MAX),
            )
        } else if digits.contains('.') && !digits.chars().any(|c| c.is_alphabetic()) {
            (
                format!("`{text}` is not an integer"),
                "a decimal",
                "regula's numbers are integers; there are no decimals".to_string(),
            )
        } else {
            let lead: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
            (
                format!("`{text}` is not a number"),
                "digits followed by letters",
                format!("a number is digits only; to use a unit write a space: `{lead} days`"),
            )
        };
        self.diags.push(
            Diag::error("regula::bad-number", msg)
                .label(loc.0, label)
                .help(help),
        );
        None
    }

    fn type_ref(&mut self, p: P) -> Option<TypeRef> {
        let inner = p.into_inner().next()?;
        match inner.as_rule() {
            Rule::int_type => {
                let loc = self.loc(&inner);
                let min = match self.parts(inner).into_iter().next() {
                    Some(n) => Some(self.number(&n)?),
                    None => None,
                };
                Some(TypeRef::Int { min, loc })
            }
            Rule::ident => Some(TypeRef::Named(self.ident(inner))),
            _ => {
                self.bug(&inner, "type");
                None
            }
        }
    }

    /// Counts a chain of `n` operands, which nests `n` deep once folded;
    /// refuses one that would make the tree too deep to check safely.
    fn enter_chain(&mut self, n: usize, loc: Loc) -> Option<usize> {
        if n <= 1 {
            return Some(0); // a single operand: no chain
        }
        if self.chain + n > MAX_CHAIN {
            if !self.too_long {
                self.too_long = true;
                self.diags.push(
                    Diag::error(
                        "regula::too-long",
                        format!("expression joins more than {MAX_CHAIN} terms"),
                    )
                    .label(
                        Span::new(loc.0.file, loc.0.start as usize, loc.0.start as usize + 1),
                        "this expression",
                    )
                    .help("split it with a `define` or an intermediate outcome"),
                );
            }
            return None;
        }
        self.chain += n;
        Some(n)
    }

    /// `a and b and c`, left-nested.
    fn fold_logic(&mut self, op: BinOp, xs: Vec<P>) -> Option<Expr> {
        let mut xs = xs.into_iter();
        let mut acc = self.expr(xs.next()?)?;
        for x in xs {
            let rhs = self.expr(x)?;
            let l = Loc(acc.loc.0.to(rhs.loc.0));
            acc = Expr {
                kind: ExprKind::Binary(op, Box::new(acc), Box::new(rhs)),
                loc: l,
            };
        }
        Some(acc)
    }

    /// `a + b - c`, `a * b`, left-nested.
    fn fold_arith(&mut self, p: P) -> Option<Expr> {
        let mut xs = p.into_inner();
        let mut acc = self.expr(xs.next()?)?;
        while let Some(op) = xs.next() {
            let op = match op.as_str() {
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                _ => BinOp::Mul,
            };
            let rhs = self.expr(xs.next()?)?;
            let l = Loc(acc.loc.0.to(rhs.loc.0));
            acc = Expr {
                kind: ExprKind::Binary(op, Box::new(acc), Box::new(rhs)),
                loc: l,
            };
        }
        Some(acc)
    }

    fn expr(&mut self, p: P) -> Option<Expr> {
        let loc = self.loc(&p);
        match p.as_rule() {
            Rule::expr | Rule::not_expr if p.clone().into_inner().count() == 1 => {
                let inner = p.into_inner().next()?;
                let e = self.expr(inner)?;
                Some(e)
            }
            Rule::if_expr => {
                let mut xs = self.parts(p).into_iter();
                let c = self.expr(xs.next()?)?;
                let a = self.expr(xs.next()?)?;
                let b = self.expr(xs.next()?)?;
                Some(Expr {
                    kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    loc,
                })
            }
            Rule::or_expr | Rule::and_expr => {
                let op = if p.as_rule() == Rule::or_expr {
                    BinOp::Or
                } else {
                    BinOp::And
                };
                let xs = self.parts(p);
                let n = self.enter_chain(xs.len(), loc)?;
                let folded = self.fold_logic(op, xs);
                self.chain -= n;
                folded
            }
            Rule::not_expr => {
                let mut xs = p.into_inner();
                let _neg = xs.next()?;
                let e = self.expr(xs.next()?)?;
                Some(Expr {
                    kind: ExprKind::Not(Box::new(e)),
                    loc,
                })
            }
            Rule::cmp_expr => {
                let mut xs = p.into_inner();
                let lhs = self.expr(xs.next()?)?;
                let Some(op) = xs.next() else {
                    return Some(lhs);
                };
                let rhs = xs.next()?;
                match op.as_rule() {
                    Rule::cmp_op => {
                        let op = match op.as_str() {
                            "=" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<" => BinOp::Lt,
                            "<=" => BinOp::Le,
                            ">" => BinOp::Gt,
                            _ => BinOp::Ge,
                        };
                        let rhs = self.expr(rhs)?;
                        Some(Expr {
                            kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                            loc,
                        })
                    }
                    _ => {
                        let negated = op.as_str().starts_with("not");
                        let mut set = Vec::new();
                        for e in rhs.into_inner() {
                            set.push(self.expr(e)?);
                        }
                        Some(Expr {
                            kind: ExprKind::In {
                                subject: Box::new(lhs),
                                negated,
                                set,
                            },
                            loc,
                        })
                    }
                }
            }
            Rule::add_expr | Rule::mul_expr => {
                let n = self.enter_chain(p.clone().into_inner().count().div_ceil(2), loc)?;
                let folded = self.fold_arith(p);
                self.chain -= n;
                folded
            }
            Rule::unary => {
                let mut xs = p.into_inner().peekable();
                let neg = xs.peek().is_some_and(|x| x.as_rule() == Rule::minus);
                if neg {
                    xs.next();
                }
                let e = self.expr(xs.next()?)?;
                if neg {
                    if let ExprKind::Int(n) = e.kind {
                        return Some(Expr {
                            kind: ExprKind::Int(n.checked_neg()?),
                            loc,
                        });
                    }
                    Some(Expr {
                        kind: ExprKind::Neg(Box::new(e)),
                        loc,
                    })
                } else {
                    Some(e)
                }
            }
            Rule::postfix => {
                let mut xs = p.into_inner();
                let e = self.expr(xs.next()?)?;
                let Some(unit) = xs.next() else {
                    return Some(e);
                };
                let mut us = unit.into_inner();
                let word = us.next()?;
                let unit_kind = match word.as_rule() {
                    Rule::kw_days | Rule::kw_day => Unit::Days,
                    Rule::kw_months | Rule::kw_month => Unit::Months,
                    _ => Unit::Years,
                };
                let rounding = us.next().map(|r| {
                    if r.as_str().trim_end().ends_with("up") {
                        Rounding::Up
                    } else {
                        Rounding::Down
                    }
                });
                Some(Expr {
                    kind: ExprKind::Duration {
                        amount: Box::new(e),
                        unit: unit_kind,
                        rounding,
                    },
                    loc,
                })
            }
            Rule::primary => {
                let inner = p.into_inner().next()?;
                if inner.as_rule() != Rule::expr {
                    return self.expr(inner);
                }
                // `( expr )`: kept so printing preserves the author's grouping.
                let e = self.expr(inner)?;
                Some(Expr {
                    kind: ExprKind::Paren(Box::new(e)),
                    loc,
                })
            }
            Rule::bool_lit => Some(Expr {
                kind: ExprKind::Bool(p.as_str().trim() == "true"),
                loc,
            }),
            Rule::number => Some(Expr {
                kind: ExprKind::Int(self.number(&p)?),
                loc,
            }),
            Rule::date => Some(Expr {
                kind: ExprKind::Date(self.date(p)?.value),
                loc,
            }),
            Rule::string => Some(Expr {
                kind: ExprKind::Text(self.string(p)?.value),
                loc,
            }),
            Rule::as_of => Some(Expr {
                kind: ExprKind::AsOf,
                loc,
            }),
            Rule::path => Some(Expr {
                kind: ExprKind::Path(self.path(p)),
                loc,
            }),
            Rule::call => {
                let mut xs = p.into_inner();
                let name = self.ident(xs.next()?);
                let mut args = Vec::new();
                for a in xs {
                    args.push(self.expr(a)?);
                }
                Some(Expr {
                    kind: ExprKind::Call(name, args),
                    loc,
                })
            }
            _ => {
                self.bug(&p, "expression");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_rule() {
        let src =
            r#"rule r cites 4.1 "由劳务派遣单位" when a.b and not c then x.y = if d then e else f"#;
        let f = parse_file(FileId(0), src).unwrap();
        assert_eq!(f.items.len(), 1);
    }
}
