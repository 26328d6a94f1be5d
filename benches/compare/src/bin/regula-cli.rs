//! The `regula` command line, as `src/main.rs` of the root crate builds it.
fn main() -> std::process::ExitCode {
    regula_bench::adapter::cli_main()
}
