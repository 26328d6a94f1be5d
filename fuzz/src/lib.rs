//! What the case-decoding fuzz targets share: the shipped program, and the
//! properties every input must keep.
use regula::case::{decode_json_into, decode_text, Case, Format, Schema, TextCache, MAX_CASE_ERRORS};
use regula::program::Program;
use std::sync::OnceLock;

static PROGRAM: OnceLock<Option<(Program, Schema)>> = OnceLock::new();

/// The shipped policy set, checked once, with its case schema.
pub fn program() -> Option<&'static (Program, Schema)> {
    PROGRAM
        .get_or_init(|| {
            let p = regula::check::check(&regula::load::embedded()).program?;
            let s = Schema::new(&p);
            Some((p, s))
        })
        .as_ref()
}

/// Decodes `data` as a case in `format` and checks what must hold of any
/// input: no panic; a case, or between 1 and `MAX_CASE_ERRORS` + 1 problems
/// (the last one counting the rest); in JSON, the batch fast path accepts
/// nothing the full decoder rejects and fills the same slots; a decoded case
/// evaluates without panic. The text is decoded by its content too.
pub fn case_target(data: &[u8], format: Format) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some((p, schema)) = program() else {
        return;
    };
    let full = decode_text(p, schema, text, format);
    match &full {
        Err(errors) => {
            assert!(!errors.is_empty(), "a rejected case names a problem");
            assert!(
                errors.len() <= MAX_CASE_ERRORS + 1,
                "{} problems listed, more than the cap",
                errors.len()
            );
            for e in errors {
                let _ = e.to_diag("fuzz");
            }
        }
        Ok(case) => {
            assert_eq!(case.facts.len(), p.facts().len());
            if let Some(as_of) = case.as_of {
                let _ = regula::eval::evaluate(p, &case.facts, as_of);
            }
        }
    }
    if format == Format::Json {
        let mut fast = Case::default();
        let mut texts = TextCache::default();
        if decode_json_into(p, schema, text, &mut fast, &mut texts) {
            let Ok(case) = &full else {
                panic!("the fast path accepted a case the decoder rejects: {full:?}");
            };
            assert_eq!(fast.facts, case.facts, "the fast path filled other slots");
            assert_eq!(fast.as_of, case.as_of);
        }
    }
    let _ = decode_text(p, schema, text, Format::sniff(text));
}
