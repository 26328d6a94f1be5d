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
use crate::diag::Diag;
use crate::source::FileId;
use errors::{detailed, syntax_error};
use lower::Lower;
use nesting::check_nesting;
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
