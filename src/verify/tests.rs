//! The symbolic reading agrees with the one evaluator, case by case, on
//! generated programs: what `verify` proves about every case is a
//! statement about what `regula eval` does.
use super::sym::{self, day, AsOf, Atom, Kind, Space, S};
use super::theory::{Lin, NumDef, NumVar};
use crate::case::{decode_text, Format, Schema};
use crate::eval::{Tri, Workspace};
use crate::program::{Program, Value};
use crate::testing::gen::{self, Seeded};
use std::collections::HashMap;

/// The numeric value of every variable of the space in a concrete case.
fn numbers(
    sp: &Space,
    p: &Program,
    map: &[usize],
    facts: &[Value],
    as_of: i128,
) -> HashMap<NumVar, Option<i128>> {
    let mut texts: HashMap<String, i128> = sp
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), i128::try_from(i).unwrap_or(0)))
        .collect();
    let mut out = HashMap::new();
    for (x, d) in sp.nums.iter().enumerate() {
        let x = u32::try_from(x).expect("few variables");
        let v = match d {
            NumDef::Fact(g) => map
                .iter()
                .position(|m| m == g)
                .and_then(|f| facts.get(f))
                .and_then(|v| match v {
                    Value::Int(n) => Some(i128::from(*n)),
                    Value::Date(d) => Some(day(*d)),
                    Value::Text(t) => {
                        let n = -1 - i128::try_from(texts.len()).unwrap_or(0);
                        Some(*texts.entry(t.to_string()).or_insert(n))
                    }
                    _ => None,
                }),
            NumDef::AsOf(_) => Some(as_of),
            NumDef::Product(a, b) => {
                let get = |v: NumVar| out.get(&v).copied().flatten();
                a.eval(&get)
                    .zip(b.eval(&get))
                    .and_then(|(a, b)| a.checked_mul(b))
            }
            NumDef::Months(d, n, r) => {
                let get = |v: NumVar| out.get(&v).copied().flatten();
                d.eval(&get).zip(n.eval(&get)).and_then(|(d, n)| {
                    let d = chrono::NaiveDate::from_num_days_from_ce_opt(i32::try_from(d).ok()?)?;
                    crate::eval::add_months(d, i64::try_from(n).ok()?, *r).map(day)
                })
            }
        };
        out.insert(x, v);
        let _ = p;
    }
    out
}

#[test]
fn symbolic_matches_evaluator() {
    let mut compared = 0usize;
    let mut conflicts = 0usize;
    let mut kinds = std::collections::BTreeSet::new();
    for seed in 0..300u64 {
        let g = gen::generate(&mut Seeded::new(seed));
        let Ok(p) = crate::testing::compile(&g.set) else {
            continue;
        };
        let mut ws = Workspace::new(&p);
        for case in &g.cases {
            let c = decode_text(&p, &Schema::new(&p), case, Format::Json)
                .expect("generated case decodes");
            let as_of = c.as_of.expect("generated cases have as_of");
            let Some(epoch) = p.epoch(as_of).filter(|e| e.in_force.is_some()) else {
                continue;
            };
            if ws
                .evaluate(&p, &c.facts, as_of, crate::eval::Record::default())
                .is_err()
            {
                continue;
            }
            let mut sp = Space::default();
            let x = sp.num(NumDef::AsOf(0));
            let comp = sym::compile(&mut sp, &p, epoch, AsOf::Var(x), None);
            // Decimals are read as unknown (undecided, never proved): the
            // reading is compared where it claims to be exact.
            if sp.decimals > 0 {
                continue;
            }
            let nums = numbers(&sp, &p, &comp.fact_map, &c.facts, day(as_of));
            let fact_of = |g: usize| {
                comp.fact_map
                    .iter()
                    .position(|m| *m == g)
                    .and_then(|f| c.facts.get(f))
            };
            let truth = |v: u32| -> bool {
                match sp.atoms.get(&v) {
                    Some(Atom::Known(g)) => fact_of(*g).is_some_and(Value::is_known),
                    Some(Atom::Bool(g)) => fact_of(*g) == Some(&Value::Bool(true)),
                    Some(Atom::EnumIs(g, i)) => {
                        matches!(fact_of(*g), Some(Value::Enum(_, j)) if j == i)
                    }
                    Some(Atom::Le(le)) => {
                        let l = Lin {
                            c: 0,
                            t: le.t.clone(),
                        };
                        l.eval(&|x| nums.get(&x).copied().flatten())
                            .is_some_and(|s| s <= le.k)
                    }
                    None => false,
                }
            };
            let pick = |v: &sym::Sym| -> Option<S> {
                let hits: Vec<&S> = v
                    .iter()
                    .filter(|(g, _)| sp.m.eval(*g, &truth))
                    .map(|(_, s)| s)
                    .collect();
                assert_eq!(hits.len(), 1, "seed {seed}: guards not a partition");
                hits.first().map(|s| (*s).clone())
            };
            for (o, out) in p.outcomes().iter().enumerate() {
                let got = pick(comp.vals.get(o).expect("value")).expect("one value");
                let want = ws.ev.outcomes.get(o).expect("outcome");
                let conflict = sp.m.eval(*comp.conflict.get(o).expect("c"), &truth);
                let ctx = || {
                    format!(
                        "seed {seed}, outcome {}, case {case}\n{}",
                        out.name,
                        g.set.listing()
                    )
                };
                assert_eq!(conflict, want.conflict, "conflict: {}", ctx());
                let same = match (&got, &want.value) {
                    (S::Unknown, Value::Unknown) | (S::Absent, Value::Absent) => true,
                    (S::Bool(a), Value::Bool(b)) => a == b,
                    (S::Enum(a), Value::Enum(e, i)) => sp.enum_id(&p, *e, *i) == Some(*a),
                    (S::Num(k, t), v) => {
                        let n = t.eval(&|x| nums.get(&x).copied().flatten());
                        match (k, v) {
                            (Kind::Int, Value::Int(m)) => n == Some(i128::from(*m)),
                            (Kind::Date, Value::Date(d)) => n == Some(day(*d)),
                            (Kind::Text, Value::Text(s)) => {
                                let code = sp.texts.iter().position(|t| t == s);
                                match (code, n) {
                                    (Some(c), Some(n)) => i128::try_from(c).ok() == Some(n),
                                    (None, Some(n)) => n < 0,
                                    _ => false,
                                }
                            }
                            _ => false,
                        }
                    }
                    _ => false,
                };
                assert!(same, "value {got:?} vs {:?}: {}", want.value, ctx());
                for &r in &out.rules {
                    let rs = comp.rules.get(r as usize).expect("rule");
                    let applies = sp.m.eval(rs.applies, &truth);
                    assert_eq!(
                        applies,
                        ws.ev.applies.get(r as usize) == Some(&Tri::Yes),
                        "applies of rule {r}: {}",
                        ctx()
                    );
                }
                let known = want.value.is_known() && !want.conflict;
                for &r in &out.rules {
                    let rs = comp.rules.get(r as usize).expect("rule");
                    let eff = ws.ev.effective.get(r as usize) == Some(&Tri::Yes);
                    let alone = want.decided_by == Some(r)
                        && !out
                            .rules
                            .iter()
                            .any(|q| ws.ev.effective.get(*q as usize) == Some(&Tri::Yes));
                    assert_eq!(
                        sp.m.eval(rs.decides, &truth),
                        known && (eff || alone),
                        "decides, rule {r}: {}",
                        ctx()
                    );
                }
                kinds.insert(format!("{:?}", std::mem::discriminant(&want.value)));
                conflicts += usize::from(want.conflict);
                compared += 1;
            }
        }
    }
    assert!(compared > 1000, "only {compared} outcomes compared");
    assert!(conflicts > 10, "only {conflicts} conflicts met");
    assert!(kinds.len() >= 5, "values of kinds {kinds:?} only");
}

/// What `verify` proves holds on every generated case, and every
/// counterexample it gives shows its finding under the evaluator.
#[test]
fn proofs_hold_and_counterexamples_reproduce() {
    let (mut proofs, mut found) = (0usize, 0usize);
    for seed in 0..80u64 {
        let g = gen::generate(&mut Seeded::new(seed));
        let Ok(p) = crate::testing::compile(&g.set) else {
            continue;
        };
        let report = super::verify(&p);
        let schema = Schema::new(&p);
        let mut ws = Workspace::new(&p);
        let ctx = || g.set.listing();
        // Counterexamples.
        for f in &report.findings {
            let Some(case) = &f.case else { continue };
            found += 1;
            let c = decode_text(&p, &schema, &case.to_string(), Format::Json).unwrap_or_else(|e| {
                panic!("seed {seed}: {case} does not decode: {e:?}\n{}", ctx())
            });
            let as_of = c.as_of.expect("as_of written");
            ws.evaluate(&p, &c.facts, as_of, crate::eval::Record::default())
                .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let o = p.outcome_id(&f.outcome).expect("outcome");
            let r = ws.ev.outcomes.get(o as usize).expect("result");
            match f.kind {
                super::FindingKind::Conflict => {
                    assert!(
                        r.conflict,
                        "seed {seed}: {f:?} does not reproduce\n{}",
                        ctx()
                    );
                    // A rule's name may stand for several versions (amendments).
                    for name in &f.rules {
                        let in_effect = p.rules().iter().enumerate().any(|(id, x)| {
                            &x.name == name
                                && x.outcome == o
                                && ws.ev.effective.get(id) == Some(&Tri::Yes)
                        });
                        assert!(in_effect, "seed {seed}: {f:?}");
                    }
                }
                super::FindingKind::Gap => {
                    assert!(
                        !r.value.is_known() && !r.conflict,
                        "seed {seed}: {f:?}\n{}",
                        ctx()
                    )
                }
                _ => {}
            }
        }
        // Proofs, against every generated case.
        for case in &g.cases {
            let c = decode_text(&p, &schema, case, Format::Json).expect("generated case decodes");
            let as_of = c.as_of.expect("as_of");
            if ws
                .evaluate(&p, &c.facts, as_of, crate::eval::Record::default())
                .is_err()
            {
                continue;
            }
            for row in &report.outcomes {
                let o = p.outcome_id(&row.outcome).expect("outcome");
                let r = ws.ev.outcomes.get(o as usize).expect("result");
                if row.conflicts == super::Verdict::Proved {
                    proofs += 1;
                    assert!(
                        !r.conflict,
                        "seed {seed}: {} proved free of conflicts, but {case} conflicts\n{}",
                        row.outcome,
                        ctx()
                    );
                }
            }
            for f in report
                .findings
                .iter()
                .filter(|f| f.kind == super::FindingKind::DeadRule)
            {
                let o = p.outcome_id(&f.outcome).expect("outcome");
                let r = ws.ev.outcomes.get(o as usize).expect("result");
                let any_eff = p.outcome(o).is_some_and(|out| {
                    out.rules
                        .iter()
                        .any(|q| ws.ev.effective.get(*q as usize) == Some(&Tri::Yes))
                });
                let id = *f.rule_ids.first().expect("a dead rule's id");
                let eff = ws.ev.effective.get(id as usize) == Some(&Tri::Yes);
                let alone = !any_eff && r.decided_by == Some(id);
                let decides = r.value.is_known() && !r.conflict && (eff || alone);
                assert!(
                    !decides,
                    "seed {seed}: dead rule {f:?} decides {case}\n{}",
                    ctx()
                );
            }
        }
    }
    assert!(
        proofs > 100 && found > 10,
        "{proofs} proofs, {found} findings checked"
    );
}
