//! The nesting guard, run on the raw text before pest: pest's parser
//! recurses once per level of nesting, so input nested deeper than
//! [`MAX_NESTING`] is rejected before it can exhaust the stack.
//!
//! The text is split into words, blanks, strings and comments by
//! [`lexicon::lexemes`], the same classes the grammar uses (every blank it
//! accepts, keywords in both forms), so that nothing the parser recurses on
//! escapes the count. The count over-approximates the parser's depth: every
//! `(`, `{`, `if`, and every `not` or `-` in a run of prefixes.
//!
//! Time: O(length of the text), one pass.
use super::MAX_NESTING;
use crate::diag::{Diag, Problem};
use crate::source::{FileId, Span};
use crate::syntax::lexicon::{self, Class, Lexeme};

/// Rejects input nested deeper than [`MAX_NESTING`] before pest recurses on it.
pub(super) fn check_nesting(file: FileId, text: &str) -> Option<Diag> {
    let mut depth: usize = 0;
    let mut prefix_run: usize = 0;
    let mut open_ifs: usize = 0;
    for (at, lexeme) in lexicon::lexemes(text) {
        match lexeme {
            Lexeme::Blank | Lexeme::Comment => {}
            Lexeme::Punct('(' | '{') => {
                depth += 1;
                prefix_run = 0;
            }
            Lexeme::Punct(')' | '}') => depth = depth.saturating_sub(1),
            Lexeme::Punct('-') => prefix_run += 1,
            Lexeme::Word(w) => match lexicon::word(w) {
                Some((k, _)) if k.name == "not" => prefix_run += 1,
                // Each `if` of an `else if` chain nests one level deeper in
                // the parser, until a declaration ends the expression.
                Some((k, _)) if k.name == "if" => open_ifs += 1,
                Some((k, _)) if k.class == Class::Declaration => {
                    open_ifs = 0;
                    prefix_run = 0;
                }
                _ => prefix_run = 0,
            },
            Lexeme::Text | Lexeme::Punct(_) => prefix_run = 0,
        }
        if depth + prefix_run + open_ifs > MAX_NESTING {
            let word = match lexeme {
                Lexeme::Word(w) => w.len(),
                _ => text.get(at..).and_then(|t| t.chars().next()).map_or(0, char::len_utf8),
            };
            return Some(
                Diag::of(Problem::NestedTooDeep {
                    levels: MAX_NESTING,
                })
                .label(Span::new(file, at, at + word), "too deep here"),
            );
        }
    }
    None
}
