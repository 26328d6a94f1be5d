//! Fuzzes the parser: any text must parse or give diagnostics, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = regula::syntax::parse_file(regula::source::FileId(0), text);
    }
});
