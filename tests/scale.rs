//! Scale: checking and evaluating large generated policy sets takes time in
//! proportion to the set. The bounds are generous (a debug build, a busy
//! machine), far below what a pass exponential or quadratic in the rules
//! takes on these sets, and far above what a linear one does.
use crate::common::{regula_in, scratch_root, transcript};
use crate::synthetic::{self, Shape};
use std::time::{Duration, Instant};

/// The most a single run may take.
const BOUND: Duration = Duration::from_secs(20);

/// Writes the set into a scratch folder of its own (tests run in parallel)
/// and runs regula there, within the bound.
fn run(shape: Shape, args: &[&str]) -> (String, std::process::Output) {
    let command = args.first().copied().unwrap_or_default();
    let dir = scratch_root()
        .join("scale")
        .join(format!("{}-{command}", shape.name()));
    synthetic::write(&dir, shape).expect("write the set");
    let start = Instant::now();
    let out = regula_in(&dir, args);
    let took = start.elapsed();
    let t = transcript(&out);
    assert!(
        took < BOUND,
        "regula {args:?} on {} took {took:?}\n{t}",
        shape.name()
    );
    (t, out)
}

fn check(shape: Shape) {
    let (t, _) = run(shape, &synthetic::CHECK);
    assert!(t.starts_with("exit: 0"), "{t}");
    assert!(t.contains("0 errors, 0 warnings"), "{t}");
}

fn eval(shape: Shape, outcome: &str, value: bool) {
    let (t, out) = run(shape, &synthetic::EVAL);
    assert!(t.starts_with("exit: 0"), "{t}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON report");
    assert_eq!(report["outcomes"][outcome]["value"], value, "{t}");
}

#[test]
fn an_exception_diamond_of_a_thousand_rules_checks_in_linear_time() {
    check(Shape::Diamond(1000));
}

#[test]
fn an_exception_chain_a_thousand_deep_checks_in_linear_time() {
    check(Shape::Chain(1000));
}

#[test]
fn the_most_independent_rules_the_limits_allow_check_in_linear_time() {
    // 10,000 declarations at most: the header, a fact and four outcomes
    // leave room for 9,990 rules.
    check(Shape::Independent(9990));
}

#[test]
fn a_deep_exception_chain_evaluates_with_cites() {
    // n = 2: r0 and r1 fire, r1 defeats r0 and concludes false.
    eval(Shape::Chain(1000), "x", false);
}

#[test]
fn many_independent_rules_evaluate_with_cites() {
    // n = 2: r2, one of the rules concluding x2, fires.
    eval(Shape::Independent(9990), "x2", true);
}

#[test]
fn an_exception_diamond_evaluates_with_cites() {
    // n = 2: levels 0 and 1 fire, level 1 defeats level 0 and concludes false.
    eval(Shape::Diamond(1000), "x", false);
}
