//! Embedding regula: load the shipped policies once, then evaluate many
//! cases on one thread's reusable buffers, reading outcomes by name.
//!
//! Run: `cargo run --release --example embed`
use regula::Engine;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::embedded()?;
    println!(
        "{} facts, {} outcomes in {}",
        engine.facts().count(),
        engine.outcomes().count(),
        engine.documents().collect::<Vec<_>>().join("、")
    );
    // Cases built fact by fact go through the same checks as case files.
    let districts = ["浦东新区", "徐汇区", "静安区"];
    let mut cases = Vec::new();
    for (i, district) in districts.iter().enumerate() {
        let case = engine
            .case()
            .as_of("2025-03-01")
            .fact("injury.occurred", true)
            .fact("agency.registered_in_shanghai", i == 0)
            .fact("agency.has_shanghai_branch", false)
            .fact("host.registration_district", *district)
            .build()
            .map_err(|errors| format!("invalid case: {}", errors[0]))?;
        cases.push(case);
    }
    // One evaluator per thread: its buffers are reused from case to case.
    let mut evaluator = engine.evaluator();
    for case in &cases {
        let ev = evaluator.evaluate(case)?;
        println!(
            "applicant {} ({}), district {}; still missing for the wage-arrears advance: {}",
            ev.value("injury.applicant").unwrap_or_default(),
            ev.cites("injury.applicant").join(", "),
            ev.value("injury.application_district").unwrap_or_default(),
            ev.missing("wage_arrears.advance_permitted").join(", "),
        );
    }
    // Everything, with the derivation, for one case.
    let full = engine.evaluate(&cases[2])?;
    if let Some(d) = full.derivation("injury.applicant") {
        println!("injury.applicant decided by {} rule(s)", d.decided_by.len());
    }
    Ok(())
}
