//! Differential fuzzing over programs: the input's bytes drive the generator
//! of `regula::testing` to a well-typed policy set with cases; every
//! evaluation path (JSON at each detail level, text, explain, batch) must
//! agree with the reference interpreter on every case. A set that does not
//! check is a bug of the generator; a difference is a divergence of regula.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regula::testing::gen::{generate, Bytes};
use regula::testing::{check_case, compile};

fuzz_target!(|data: &[u8]| {
    let g = generate(&mut Bytes::new(data));
    let p = match compile(&g.set) {
        Ok(p) => p,
        Err(e) => panic!("generator bug: {e}"),
    };
    for case in &g.cases {
        let diffs = check_case(&p, case);
        assert!(
            diffs.is_empty(),
            "paths disagree:\n{}\ncase: {case}\n\n{}",
            diffs.join("\n"),
            g.set.listing()
        );
    }
});
