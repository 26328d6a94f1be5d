//! regula's integration tests: one binary, one module per stage.
mod acceptance;
mod batch;
mod check;
mod common;
mod eval;
mod highlight;
mod hostile;
mod lsp;
mod props;
mod revisions;
mod robustness;
mod scale;
mod serve;
mod suite;
mod synthetic;
mod tooling;
mod verify;
