//! Fuzzes the checker: the shipped policy set with one file replaced by the
//! input must check or give diagnostics, never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SET: OnceLock<regula::load::RawSet> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let base = SET.get_or_init(regula::load::embedded);
    let mut set = base.clone();
    // The first byte picks the file to replace, so every provision gets fuzzed.
    let n = set.policies.len();
    let pick = data.first().map(|b| *b as usize % n).unwrap_or(0);
    if let Some(slot) = set.policies.get_mut(pick) {
        slot.1 = text.to_string();
    }
    let _ = regula::check::check(&set);
});
