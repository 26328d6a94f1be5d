//! Fuzzes `regula test` expectation files: any text as the expectations of
//! one of the shared acceptance cases (picked by the first byte), run as a
//! test against the shipped policies. It must be refused with problems
//! naming their path, or judged, never panic; and the pending snapshot a
//! failing test gets must itself be a valid expectation file that passes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use regula::suite::{self, Options, Status, Test};
use regula::Engine;
use std::sync::OnceLock;

static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();

const CASES: [&str; 12] = [
    include_str!("../seeds/eval/01-injury-out-of-town-no-branch.json"),
    include_str!("../seeds/eval/02-injury-out-of-town-with-branch-returned.json"),
    include_str!("../seeds/eval/03-injury-shanghai-agency-district-unknown.json"),
    include_str!("../seeds/eval/04-licence-revoked-contract-continues.json"),
    include_str!("../seeds/eval/05-licence-cancelled-contract-after-lapse.json"),
    include_str!("../seeds/eval/06-equal-pay-order-overdue.json"),
    include_str!("../seeds/eval/07-equal-pay-rectified-in-time.json"),
    include_str!("../seeds/eval/08-auxiliary-not-publicised.json"),
    include_str!("../seeds/eval/09-auxiliary-partly-known.json"),
    include_str!("../seeds/eval/10-wage-arrears-already-advanced.json"),
    include_str!("../seeds/eval/11-disguised-outsourcing.json"),
    include_str!("../seeds/eval/12-not-in-force.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(expected) = std::str::from_utf8(rest) else { return };
    let Some(engine) = ENGINE.get_or_init(|| Engine::embedded().ok()).as_ref() else {
        return;
    };
    let case = CASES[usize::from(pick) % CASES.len()];
    let opts = Options::default();
    let t = Test::in_memory("fuzz.json", case, Some(expected), None);
    let r = suite::run(engine, &t, &opts, None);
    match r.status {
        Status::Error => assert!(
            !r.problems.is_empty(),
            "an error names its problems"
        ),
        Status::Passed => assert!(r.pending_expected.is_none()),
        Status::Failed | Status::New => {
            let snapshot = r
                .pending_expected
                .as_deref()
                .expect("a failing test has a pending snapshot");
            let again = Test::in_memory("fuzz.json", case, Some(snapshot), None);
            let r2 = suite::run(engine, &again, &opts, None);
            assert_eq!(
                r2.status,
                Status::Passed,
                "the accepted snapshot passes:\n{snapshot}\n{r2:?}"
            );
        }
    }
    let _ = suite::human(&r, &[]);
    let _ = suite::review(&r);
    let _ = suite::junit(&[(&r, &[])]);
});
