//! regula against a hand-written native baseline and against the same
//! provisions in Rego on regorus: the pieces shared by the benchmark
//! (`benches/eval.rs`) and the agreement test (`tests/agree.rs`).
//!
//! - [`adapter`]: every call into regula's library;
//! - [`gen`]: the seeded case generator (`benches/gen.rs` of the root crate,
//!   whose unit tests use it too);
//! - [`native`]: the provisions hand-written in plain Rust;
//! - [`rego`]: the provisions in Rego, on regorus;
//! - [`agree`]: the checks that all three give the same answers.
pub mod adapter;
pub mod agree;
#[path = "../../gen.rs"]
mod generator;
pub mod native;
pub mod rego;

/// The seeded case generator of `benches/gen.rs`, which the root crate's
/// unit tests include too.
pub mod gen {
    pub use crate::generator::{cases, SEED};
}

use std::path::PathBuf;

/// `target/bench` of the build directory the running binary sits in
/// (`target/<profile>/deps/<binary>`), created if need be.
pub fn bench_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("a binary under target/<profile>/deps");
    let dir = target.join("bench");
    std::fs::create_dir_all(&dir).expect("bench dir");
    dir
}

/// The cases as a JSON lines file in [`bench_dir`], for the binary.
pub fn cases_file(lines: &[String]) -> PathBuf {
    let path = bench_dir().join(format!("cases-{}.jsonl", lines.len()));
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&path, text).expect("write cases");
    path
}
