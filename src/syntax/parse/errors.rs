//! Messages for syntax errors: what pest expected where it stopped, in the
//! words of the language reference.
//!
//! Time: O(length of the text) per error (at most one per file: pest stops
//! at the first), the parse being run again once with error detail.
use crate::syntax::lexicon::{self, Form};
use super::{PolicyParser, Rule};
use crate::diag::{Diag, Problem, SyntaxHint};
use crate::source::{FileId, Span};
use pest::Parser;

/// Parses again, tracking the tokens (`:`, `=`, `{`) expected where parsing
/// stopped; pest's plain error knows only the rules. Done on failure only,
/// as the tracking costs time.
pub(super) fn detailed(
    rule: Rule,
    text: &str,
    plain: pest::error::Error<Rule>,
) -> pest::error::Error<Rule> {
    pest::set_error_detail(true);
    let again = PolicyParser::parse(rule, text).err();
    pest::set_error_detail(false);
    again.unwrap_or(plain)
}

/// The name of a header clause that may appear once.
pub(super) fn clause_name(rule: Rule) -> &'static str {
    match rule {
        Rule::doc_issuer => "an `issuer`",
        Rule::doc_issued => "an `issued` date",
        Rule::doc_source => "a `source`",
        _ => "an `in force` period",
    }
}

/// A readable name for a grammar rule, for "expected …" messages; keywords
/// in their English form (a message is shown in the file's form).
fn describe(rule: Rule) -> std::borrow::Cow<'static, str> {
    use std::borrow::Cow;
    if let Some(k) = lexicon::by_rule(&format!("{rule:?}")) {
        return Cow::Owned(format!("`{}`", k.spelling(Form::En)));
    }
    Cow::Borrowed(match rule {
        Rule::EOI => "end of file",
        Rule::file | Rule::item => "a declaration",
        Rule::document => "`document`",
        Rule::doc_clause => "a document clause",
        Rule::doc_issuer => "`issuer`",
        Rule::doc_issued => "`issued`",
        Rule::doc_source => "`source`",
        Rule::doc_in_force => "`in force from`",
        Rule::doc_rank | Rule::kw_rank => "`rank`",
        Rule::doc_implements | Rule::kw_implements => "`implements`",
        Rule::in_force_name | Rule::kw_as => "`as`",
        Rule::kw_because => "`because`",
        Rule::correspondence | Rule::kw_corresponds => "`corresponds`",
        Rule::same_value | Rule::kw_same => "`same … as …`",
        Rule::agrees | Rule::kw_agrees => "`agrees`",
        Rule::difference | Rule::kw_differs => "`differs`",
        Rule::doc_replaces => "`replaces`",
        Rule::doc_amends => "`amends`",
        Rule::amend_list => "`rules` or `parameters`",
        Rule::enum_decl => "`enum`",
        Rule::enum_variant => "an enum value and its label",
        Rule::record_decl => "`record`",
        Rule::record_field => "a record field",
        Rule::fact_decl => "`fact`",
        Rule::outcome_decl => "`outcome`",
        Rule::param_decl => "`parameter`",
        Rule::param_value => "a parameter value",
        Rule::define_decl => "`define`",
        Rule::param => "a parameter (`name: type`)",
        Rule::type_ref | Rule::builtin_type => "a type",
        Rule::int_type => "`int`",
        Rule::rule_decl => "`rule`",
        Rule::citation => "`cites`",
        Rule::exception => "`exception to`",
        Rule::condition => "`when`",
        Rule::conclusion => "`then`",
        Rule::not_encoded => "`not encoded`",
        Rule::paragraph => "a paragraph number such as `4.2` or `12.1.3`",
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
        Rule::neg_op => "`not`",
        Rule::cmp_op => "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
        Rule::in_op => "`in`",
        Rule::set => "a set `{…}`",
        Rule::add_op => "`+` or `-`",
        Rule::mul_op => "`*` or `/`",
        Rule::minus => "`-`",
        Rule::unit => "a unit (`days`, `months`, `years`)",
        Rule::rounding => "`round up` or `round down`",
        Rule::as_of => "`as_of`",
        Rule::call => "a call",
        Rule::literal => "a literal",
        Rule::bool_lit => "`true` or `false`",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::number => "a number",
        Rule::string | Rule::string_body => "a string in quotes",
        Rule::close_quote => "a closing quote",
        Rule::unterminated => "a closing quote",
        Rule::path => "a name",
        Rule::ident | Rule::ident_raw => "a name",
        Rule::keyword => "a keyword",
        Rule::WHITESPACE | Rule::COMMENT => "whitespace",
        // Every `kw_*` rule is an entry of the keyword table, named above.
        _ => "a keyword",
    })
}

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
            | Rule::kw_round_up
            | Rule::kw_round_down
            | Rule::kw_days
            | Rule::kw_months
            | Rule::kw_years
            | Rule::kw_and
            | Rule::kw_or
            | Rule::kw_in
            | Rule::kw_not_in
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
            | Rule::kw_not_encoded
            | Rule::correspondence
            | Rule::kw_corresponds
            | Rule::difference
            | Rule::kw_differs
            | Rule::item
    )
}

/// Literal tokens that continue an expression; grouped as "an operator".
const OPERATOR_PUNCTUATION: [&str; 10] = ["!=", "*", "/", "+", "-", "<", "<=", "=", ">", ">="];

/// The keywords that continue an expression.
const OPERATOR_KEYWORDS: [&str; 9] = [
    "and", "or", "in", "not_in", "days", "months", "years", "round_up", "round_down",
];

/// Whether a literal token continues an expression: an operator, or a word
/// of an operator keyword (`and`, `not` of `not in`, `round`, `up`).
fn is_operator_token(t: &str) -> bool {
    OPERATOR_PUNCTUATION.contains(&t)
        || lexicon::KEYWORDS
            .iter()
            .filter(|k| OPERATOR_KEYWORDS.contains(&k.name))
            .any(|k| k.en.iter().any(|e| e.split(' ').any(|w| w == t)))
}

/// A literal token as a message names it: a keyword in its canonical
/// English spelling (the message is shown in the file's form).
fn canonical(t: String) -> String {
    match lexicon::word(&t) {
        Some((k, _)) if !k.spelling(Form::En).contains(' ') => k.spelling(Form::En).to_string(),
        _ => t,
    }
}

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
        .map(canonical)
        .fold(Vec::new(), |mut out, t| {
            if !out.contains(&t) {
                out.push(t);
            }
            out
        });
    if a.max_position > pos && !tokens.is_empty() {
        (a.max_position, tokens, true)
    } else if a.max_position == pos {
        (pos, tokens, false)
    } else {
        (pos, Vec::new(), false)
    }
}

pub(super) fn syntax_error(file: FileId, text: &str, e: &pest::error::Error<Rule>) -> Diag {
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
    // A blank other than those the language separates words with (space,
    // tab, U+3000): a no-break space, an en space, a zero-width space.
    let odd_blank = word
        .chars()
        .next()
        .filter(|c| {
            (c.is_whitespace() || lexicon::is_unicode_blank(*c))
                && !lexicon::is_blank(*c)
                && !lexicon::is_line_break(*c)
        });
    let found = if let Some(c) = odd_blank {
        format!("U+{:04X}", u32::from(c))
    } else if rest.trim().is_empty() {
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
            return Diag::of(Problem::FileTooDeep).label(span, "too deep here");
        }
    };
    let declarations = positives.iter().any(|r| is_declaration(*r));
    // `not` opens both a negation and `not encoded`; with declarations
    // expected it is the latter.
    let operators = positives.iter().filter(|r| is_operator(**r)).count()
        + tokens
            .iter()
            .filter(|t| further && is_operator_token(t))
            .count();
    let mut expected: Vec<std::borrow::Cow<str>> = Vec::new();
    for r in positives {
        let d = if is_declaration(*r) || (declarations && *r == Rule::kw_not) {
            "a declaration (`rule`, `fact`, `outcome`, …)".into()
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
            let operator = is_operator_token(t);
            // Where rules were expected too, they name the words, operators
            // and openings; only closing punctuation is added to them.
            let closing = [")", "}", ",", ":"].contains(&t.as_str());
            let opening = ["\"", "_", "("].contains(&t.as_str());
            (further || closing) && !opening && !(operator && (operators > 1 || !further))
        })
        .map(|t| format!("`{t}`"))
        .collect();
    for q in quoted {
        if !expected.iter().any(|e| *e == q) {
            expected.push(q.into());
        }
    }
    if operators > 1 {
        expected.push("an operator (`and`, `or`, `=`, `+`, …)".into());
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
    let form = lexicon::form_of_text(text).unwrap_or_default();
    let reserved = [Form::En, Form::Zh]
        .iter()
        .any(|f| lexicon::reserved(*f).contains(&word.as_str()));
    let wants = |r: Rule| positives.contains(&r);
    let hint = if let Some(c) = odd_blank {
        SyntaxHint::Blank(c)
    } else if reserved && (wants(Rule::ident) || wants(Rule::path)) {
        SyntaxHint::Reserved(word.clone())
    } else if declarations && !word.is_empty() {
        match crate::diag::suggest(&word, lexicon::declaration_words(form)) {
            Some(k) if k != word => SyntaxHint::Keyword(k.to_string()),
            _ => SyntaxHint::Declaration,
        }
    } else if wants(Rule::kw_then) && operators > 1 {
        SyntaxHint::Then
    } else if wants(Rule::citation) || wants(Rule::kw_cites) {
        SyntaxHint::Cites
    } else if wants(Rule::expr) || positives.iter().any(|r| describe(*r) == "an expression") {
        SyntaxHint::Expression
    } else if expected.iter().any(|e| e == "`:`") {
        SyntaxHint::NameType
    } else if expected.first().is_some_and(|e| *e == "`)`") {
        SyntaxHint::CloseParen
    } else if expected.first().is_some_and(|e| *e == "`{`") {
        SyntaxHint::Braces
    } else if expected.first().is_some_and(|e| *e == "`=`") {
        SyntaxHint::Equals
    } else if wants(Rule::kw_when) || wants(Rule::kw_then) || wants(Rule::kw_to) {
        SyntaxHint::RuleShape
    } else if wants(Rule::paragraph) {
        SyntaxHint::Paragraph
    } else if wants(Rule::number) {
        SyntaxHint::Number
    } else if wants(Rule::ident) || wants(Rule::path) {
        SyntaxHint::Name
    } else if wants(Rule::label) || wants(Rule::string) {
        SyntaxHint::Quoted
    } else if wants(Rule::type_ref) {
        SyntaxHint::Type
    } else {
        SyntaxHint::Reference
    };
    Diag::of(Problem::Expected { list, found, hint }).label(span, label)
}
