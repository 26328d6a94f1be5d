//! The pest parser and the lowering of its parse tree into [`ast`](super::ast).
//!
//! pest stops at the first syntax error of a file; lowering then reports every
//! malformed literal (impossible dates, bad numbers, unterminated strings).
//! Nesting is bounded before pest runs so that no input can exhaust the stack.
//!
//! Time: the nesting guard and the lowering are O(length of the text);
//! the parse itself is pest's (a PEG parse of `grammar/regula.pest`).
mod errors;
mod lower;
mod nesting;

use super::ast::*;
use crate::diag::{Diag, Problem};
use crate::source::FileId;
use errors::{detailed, syntax_error};
use lower::Lower;
use crate::source::Span;
use crate::syntax::lexicon::{self, Form, Keyword};
use nesting::check_nesting;
use pest::iterators::Pairs;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/regula.pest"]
#[grammar = "../grammar/keywords.pest"]
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
    if let Err(d) = one_form(file, text, pairs.clone()) {
        return Err(vec![d]);
    }
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

/// A keyword as written in a file: its byte range, the keyword and the form
/// of the spelling used.
#[derive(Clone, Copy, Debug)]
pub struct KeywordToken {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset after its last character.
    pub end: usize,
    /// Which keyword.
    pub keyword: &'static Keyword,
    /// The form it is written in.
    pub form: Form,
}

/// Every keyword token of a parse, in the order of the text.
fn keyword_tokens(text: &str, pairs: Pairs<'_, Rule>) -> Vec<KeywordToken> {
    pairs
        .flatten()
        .filter_map(|p| {
            let keyword = lexicon::by_rule(&format!("{:?}", p.as_rule()))?;
            let s = p.as_span();
            let form = keyword.form_of(text.get(s.start()..s.end())?)?;
            Some(KeywordToken {
                start: s.start(),
                end: s.end(),
                keyword,
                form,
            })
        })
        .collect()
}

/// One file, one form of keywords: the first keyword sets it, and the first
/// keyword of the other form is an error naming both.
fn one_form(file: FileId, text: &str, pairs: Pairs<'_, Rule>) -> Result<Vec<KeywordToken>, Diag> {
    let tokens = keyword_tokens(text, pairs);
    let Some(first) = tokens.first().copied() else {
        return Ok(tokens);
    };
    let Some(other) = tokens.iter().find(|t| t.form != first.form) else {
        return Ok(tokens);
    };
    let written = text.get(other.start..other.end).unwrap_or("");
    let want = other.keyword.spelling(first.form);
    let first_word = text.get(first.start..first.end).unwrap_or("");
    Err(Diag::of(Problem::MixedKeywords {
        form: first.form.describe().to_string(),
        written: written.to_string(),
        other: other.form.describe().to_string(),
        want: want.to_string(),
        code: first.form.code().to_string(),
    })
    .label(Span::new(file, other.start, other.end), format!("{} keyword", other.form.describe()))
    .label(
        Span::new(file, first.start, first.end),
        format!("the first keyword, `{first_word}`, is {}", first.form.describe()),
    )
    )
}

/// Rewrites a file's keywords into a form, keeping every other character
/// (names, strings, comments, layout); returns the text and the form of the
/// file's first keyword. A file may mix forms: all become the one chosen.
/// A file that does not parse yields its errors.
pub fn convert_keywords(
    file: FileId,
    text: &str,
    form: Form,
) -> Result<(String, Option<Form>), Vec<Diag>> {
    if let Some(d) = check_nesting(file, text) {
        return Err(vec![d]);
    }
    let pairs = PolicyParser::parse(Rule::file, text)
        .map_err(|e| vec![syntax_error(file, text, &detailed(Rule::file, text, e))])?;
    let tokens = keyword_tokens(text, pairs);
    let spans: Vec<(usize, usize, &Keyword)> = tokens
        .iter()
        .map(|t| (t.start, t.end, t.keyword))
        .collect();
    let first = tokens.first().map(|t| t.form);
    Ok((lexicon::convert(text, &spans, form), first))
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

    /// A file with every keyword of the table, each in a place the grammar
    /// gives it: the grammar knows every entry, in both forms, and both
    /// forms parse to the same tree.
    const EVERY_KEYWORD: &str = r#"document "新" issuer "局" issued 2024-01-01 rank 规范性文件
  implements "上" source "x.txt"
  in force from 2024-01-01 to 2028-12-31 as o.live cites 1.1 "施行"
  replaces "旧" from 2024-01-01
  amends "另" from 2025-01-01 rules r parameters p
enum E "枚" { a "甲" b "乙" }
record R "记" { d : date "日" t : text "文" }
fact f.b : bool "布"
fact f.d : date "日"
fact f.n : int >= 0 "数"
outcome o.b : bool "结" default false
outcome o.d : date "期"
parameter p : int "参" = 1, 2 from 2026-01-01 cites 1.1 "施行"
define g(x: E) : bool "定" = x in {a} and x not in {b}
rule r cites 1.1 "施行" when f.b or not f.b then o.b = if g(a) then true else false
rule s cites 1.1 "施行" exception to r when f.n > 0 then o.b = f.d + 1 days <= as_of
rule t cites 1.1 "施行" then o.d = f.d + 2 months round up + 1 years round down
not encoded 2.1 "理由"
not encoded 2.2 "分句" because "理由"
corresponds o.e to up.e "问" same a as b agrees
differs 3.1 from 22.1 "注"
"#;

    #[test]
    fn every_keyword_has_both_forms_and_they_parse_alike() {
        let (zh, first) = convert_keywords(FileId(0), EVERY_KEYWORD, Form::Zh).unwrap();
        assert_eq!(first, Some(Form::En));
        let pairs = PolicyParser::parse(Rule::file, &zh).unwrap();
        let tokens = keyword_tokens(&zh, pairs);
        assert!(tokens.iter().all(|t| t.form == Form::Zh), "{zh}");
        for k in lexicon::KEYWORDS {
            assert!(
                tokens.iter().any(|t| t.keyword.name == k.name),
                "`{}` does not occur in the test file",
                k.spelling(Form::En)
            );
        }
        assert_eq!(
            parse_file(FileId(0), EVERY_KEYWORD).unwrap(),
            parse_file(FileId(0), &zh).unwrap()
        );
        let (back, _) = convert_keywords(FileId(0), &zh, Form::En).unwrap();
        assert_eq!(back, EVERY_KEYWORD);
    }

    #[test]
    fn a_file_of_mixed_forms_is_one_error_naming_both() {
        let src = "fact a : bool \"甲\"\n事实 b : 布尔 \"乙\"\n";
        let e = parse_file(FileId(0), src).unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, crate::diag::Code::MixedKeywords);
        assert!(e[0].message.contains("`事实` is the Chinese form of `fact`"), "{}", e[0].message);
    }
}
