//! regula: a rules-as-code interpreter. Policy files written in a small
//! declarative language are parsed (`syntax`), checked and compiled into a
//! resolved program (`check`), and evaluated against cases (`eval`) with
//! derivations that cite the regulation (`report`).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod batch;
pub mod case;
pub mod check;
pub mod cli;
pub mod diag;
pub mod eval;
pub mod graph;
pub mod load;
pub mod program;
pub mod regulation;
pub mod report;
pub mod revision;
pub mod source;
pub mod syntax;
pub mod walk;
