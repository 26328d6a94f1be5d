//! The `regula` command line; everything it does lives in the library.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    regula::cli::main()
}
