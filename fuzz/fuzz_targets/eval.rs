//! Fuzzes fact decoding and evaluation: any JSON input against the shipped
//! policies must be rejected with case errors or evaluated and reported, never
//! panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regula::case::{decode_text, Format};
use regula::report::{json_report, text_report, Detail, Subject, TextOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some((p, schema)) = regula_fuzz::program() else {
        return;
    };
    let Ok(case) = decode_text(p, schema, text, Format::Json) else { return };
    let Some(as_of) = case.as_of else { return };
    let Ok(ev) = regula::eval::evaluate(p, &case.facts, as_of) else { return };
    let s = Subject::new(p, &case.facts, &ev);
    let _ = json_report(&s, Detail::Full);
    let _ = text_report(&s, "fuzz", TextOptions::default());
});
