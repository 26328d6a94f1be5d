//! The nesting guard, run on the raw text before pest: pest's parser
//! recurses once per level of nesting, so input nested deeper than
//! [`MAX_NESTING`] is rejected before it can exhaust the stack.
//!
//! Time: O(length of the text), one pass over its bytes.
use super::MAX_NESTING;
use crate::diag::{Diag, Problem};
use crate::source::{FileId, Span};

/// Rejects input nested deeper than [`MAX_NESTING`] before pest recurses on it.
pub(super) fn check_nesting(file: FileId, text: &str) -> Option<Diag> {
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
                Diag::of(Problem::NestedTooDeep {
                    levels: MAX_NESTING,
                })
                .label(Span::new(file, at, end), "too deep here"),
            );
        }
        i += 1;
    }
    None
}

/// The reserved words that open a declaration.
pub(super) const DECLARATION_WORDS: [&str; 8] = [
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
