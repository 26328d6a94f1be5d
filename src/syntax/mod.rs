//! Policy text to syntax tree: the pest parser over `grammar/regula.pest`,
//! and the lowering of its parse tree into [`ast`] with spans.
pub mod ast;
pub mod format;
pub mod lexicon;
pub mod parse;
pub mod print;

pub use parse::parse_file;
