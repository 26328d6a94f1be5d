//! regula: a rules-as-code interpreter. A regulation is written as policy
//! files in a small declarative language, each rule citing its paragraph and
//! quoting its sentence; cases are evaluated against them with derivations
//! a lawyer can check.
//!
//! The API for programs that embed the engine is [`Engine`]: load and check
//! a policy set once ([`Engine::embedded`], [`Engine::load`]), build cases
//! from JSON, YAML or TOML or fact by fact ([`Engine::case`]), and evaluate
//! them ([`Engine::evaluate`], or [`Engine::evaluator`] for many cases),
//! reading each outcome's value, missing facts, cites, document and
//! derivation by name. [`report`] writes the report contract; [`batch`]
//! evaluates JSON lines in parallel.
//!
//! Features: `cli` (default) builds the `regula` command line; `embedded`
//! (default) compiles the shipped policies into the library; `serve`
//! (default) is `regula serve`, the HTTP API and web interview ([`serve`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)
)]
// Impossible states are `expect`s that say why they are impossible, never
// a plausible default in a legal report.
// Without the command line, some helpers it alone uses go unused.
#![cfg_attr(not(feature = "cli"), allow(dead_code))]

/// Declares modules that are part of the implementation: public (hidden from
/// the documentation) with the `internals` feature, for this crate's own
/// tests, benchmarks and fuzz targets; private otherwise.
macro_rules! internal {
    ($($(#[$a:meta])* $m:ident),* $(,)?) => {$(
        $(#[$a])*
        #[cfg(feature = "internals")]
        #[doc(hidden)]
        pub mod $m;
        $(#[$a])*
        #[cfg(not(feature = "internals"))]
        #[allow(unreachable_pub)]
        pub(crate) mod $m;
    )*};
}

pub mod batch;
pub mod case;
pub mod departure;
pub mod diag;
mod engine;
pub mod eval;
pub mod program;
pub mod report;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod suite;
pub mod verify;

internal!(check, graph, load, regulation, revision, syntax, walk);

/// The command line.
#[cfg(feature = "cli")]
pub mod cli;

/// The language server (`regula lsp`).
#[cfg(feature = "lsp")]
pub mod lsp;

pub use engine::{
    CaseBuilder, Engine, Evaluation, Evaluator, FactInfo, LoadError, OutcomeInfo, View,
};

/// The differential-testing harness: generated policy sets and a reference
/// interpreter (tests and fuzzing only).
#[cfg(any(test, feature = "testing"))]
#[doc(hidden)]
pub mod testing;
