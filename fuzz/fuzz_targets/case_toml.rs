//! Fuzzes the decoding of a TOML case against the shipped policies: any text
//! is a case or a list of problems (at most `MAX_CASE_ERRORS` and a count),
//! never a panic, a hang or a blow-up in memory; the text is also read as
//! the command line reads a file without an extension (the format by
//! content), and a decoded case is evaluated.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    regula_fuzz::case_target(data, regula::case::Format::Toml);
});
