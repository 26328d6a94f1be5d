//! regula's integration tests: one binary, one module per stage.
mod acceptance;
mod batch;
mod common;
