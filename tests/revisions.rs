//! Revisions over time: a hypothetical successor of the 2023 document and a
//! hypothetical amendment of its provision 5 (tests/fixtures/revisions), each
//! evaluated together with the shipped policies, and the checks of a family
//! of documents (overlap, gap, dangling amendment).
use crate::common::{regula, regula_in, scratch_root, transcript};
use serde_json::{json, Value};

const SHIPPED: &str = "policies";
const SUCCESSOR: &str = "tests/fixtures/revisions/successor";
const AMENDMENT: &str = "tests/fixtures/revisions/amendment";
const WAGE_CASE: &str = "tests/cases/shared/10-wage-arrears-already-advanced.json";
const BRANCH_CASE: &str = "tests/cases/shared/02-injury-out-of-town-with-branch-returned.json";

/// The command line and its transcript, for a snapshot.
fn run(args: &[&str]) -> String {
    format!("$ regula {}\n{}", args.join(" "), transcript(&regula(args)))
}

/// Evaluates a case as JSON with cites, checking the report contract:
/// every decided outcome names its document and cites.
fn eval_json(sets: &[&str], case: &str, at: &str) -> Value {
    let mut args = vec![
        "eval",
        "--format",
        "json",
        "--derivations",
        "cites",
        "--at",
        at,
    ];
    for s in sets {
        args.extend(["--policies", s]);
    }
    args.push(case);
    let out = regula(&args);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let j: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    for (name, o) in j["outcomes"].as_object().expect("outcomes") {
        let known = !o["value"].is_null();
        if known && name != "in_force" && !name.ends_with(".in_force") {
            assert!(o["document"].is_string(), "{name} has no document: {o}");
            assert!(
                !o["cites"].as_array().expect("cites").is_empty(),
                "{name} has no cites: {o}"
            );
        }
    }
    j
}

/// The parts of a report a revision changes.
fn extract(j: &Value, outcomes: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("document".into(), j["document"].clone());
    m.insert("as_of".into(), j["as_of"].clone());
    for o in outcomes {
        m.insert((*o).into(), j["outcomes"][o].clone());
    }
    Value::Object(m)
}

#[test]
fn successor_takes_over_on_its_first_day() {
    let outcomes = ["in_force", "wage_arrears.advance_permitted"];
    let last = eval_json(&[SHIPPED, SUCCESSOR], WAGE_CASE, "2028-12-31");
    let first = eval_json(&[SHIPPED, SUCCESSOR], WAGE_CASE, "2029-01-01");
    // One advance already made: refused under the 2023 limit of one, allowed
    // under the successor's limit of two.
    assert_eq!(
        last["outcomes"]["wage_arrears.advance_permitted"]["value"],
        json!(false)
    );
    assert_eq!(
        first["outcomes"]["wage_arrears.advance_permitted"]["value"],
        json!(true)
    );
    insta::assert_json_snapshot!(
        "successor_boundary",
        json!({
            "2028-12-31": extract(&last, &outcomes),
            "2029-01-01": extract(&first, &outcomes),
        })
    );
    // A provision the successor does not change is continued under it.
    let branch = eval_json(&[SHIPPED, SUCCESSOR], BRANCH_CASE, "2029-01-01");
    assert_eq!(
        branch["outcomes"]["social_insurance.payer"]["value"],
        json!("agency_branch")
    );
    assert_eq!(
        branch["outcomes"]["social_insurance.payer"]["document"],
        json!("沪人社规〔2028〕1号（假设）")
    );
}

#[test]
fn amendment_changes_one_provision_from_its_date() {
    let outcomes = [
        "in_force",
        "social_insurance.payer",
        "social_insurance.filer",
    ];
    let before = eval_json(&[SHIPPED, AMENDMENT], BRANCH_CASE, "2026-06-30");
    let after = eval_json(&[SHIPPED, AMENDMENT], BRANCH_CASE, "2026-07-01");
    assert_eq!(
        before["outcomes"]["social_insurance.payer"]["value"],
        json!("agency_branch")
    );
    assert_eq!(
        after["outcomes"]["social_insurance.payer"]["value"],
        json!("host")
    );
    // The rest of provision 5 is untouched.
    assert_eq!(
        before["outcomes"]["social_insurance.filer"],
        after["outcomes"]["social_insurance.filer"]
    );
    insta::assert_json_snapshot!(
        "amendment_boundary",
        json!({
            "2026-06-30": extract(&before, &outcomes),
            "2026-07-01": extract(&after, &outcomes),
        })
    );
}

#[test]
fn shipped_set_is_unchanged_by_the_mechanism() {
    let out = regula(&["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 errors, 0 warnings"));
    for set in [SUCCESSOR, AMENDMENT] {
        let out = regula(&["check", "--policies", SHIPPED, "--policies", set]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("0 errors, 0 warnings"),
            "{}",
            transcript(&out)
        );
    }
}

#[test]
fn timeline_of_the_successor() {
    insta::assert_snapshot!(
        "timeline_successor",
        run(&[
            "timeline",
            "--policies",
            SHIPPED,
            "--policies",
            SUCCESSOR,
            WAGE_CASE
        ])
    );
}

/// `regula timeline` of a case under the shipped set with the amendment and
/// the successor.
fn timeline_with_revisions(case: &str) -> String {
    run(&[
        "timeline",
        "--policies",
        SHIPPED,
        "--policies",
        AMENDMENT,
        "--policies",
        SUCCESSOR,
        case,
    ])
}

#[test]
fn timeline_of_the_amendment_and_the_successor() {
    insta::assert_snapshot!(
        "timeline_amendment_and_successor",
        timeline_with_revisions(BRANCH_CASE)
    );
}

#[test]
fn timeline_json() {
    insta::assert_snapshot!(
        "timeline_json",
        run(&[
            "timeline",
            "--format",
            "json",
            "--policies",
            SHIPPED,
            "--policies",
            AMENDMENT,
            BRANCH_CASE,
        ])
    );
}

#[test]
fn diff_shipped_and_successor() {
    insta::assert_snapshot!(
        "diff_successor",
        run(&[
            "diff",
            "--from",
            SHIPPED,
            "--to",
            SHIPPED,
            "--to",
            SUCCESSOR,
            "tests/cases/shared",
        ])
    );
}

/// `regula diff` of the shipped set against the shipped set with `to`,
/// from the Shanghai opinions' last day to the day after.
fn diff_across_the_handover(to: &[&str], cases: &[&str]) -> String {
    let mut args = vec!["diff", "--from", SHIPPED, "--to", SHIPPED];
    for t in to {
        args.extend(["--to", t]);
    }
    args.extend(["--from-at", "2028-12-31", "--at", "2029-01-01"]);
    args.extend(cases);
    run(&args)
}

#[test]
fn diff_shipped_and_successor_across_the_handover() {
    insta::assert_snapshot!(
        "diff_successor_handover",
        diff_across_the_handover(&[SUCCESSOR], &["tests/cases/shared"])
    );
}

#[test]
fn diff_shipped_and_amendment() {
    insta::assert_snapshot!(
        "diff_amendment",
        run(&[
            "diff",
            "--from",
            SHIPPED,
            "--to",
            SHIPPED,
            "--to",
            AMENDMENT,
            "tests/cases/shared",
        ])
    );
}

#[test]
fn diff_json() {
    insta::assert_snapshot!(
        "diff_amendment_json",
        run(&[
            "diff",
            "--format",
            "json",
            "--from",
            SHIPPED,
            "--to",
            SHIPPED,
            "--to",
            AMENDMENT,
            BRANCH_CASE,
        ])
    );
}

#[test]
fn diff_reports_a_case_that_fails() {
    let out = run(&[
        "diff",
        "--from",
        SHIPPED,
        "--to",
        SHIPPED,
        "--to",
        AMENDMENT,
        "tests/fixtures/revisions/cases-with-a-typo.jsonl",
    ]);
    insta::assert_snapshot!("diff_jsonl_with_failure", out);
}

#[test]
fn check_reports_an_overlap() {
    insta::assert_snapshot!(
        "check_overlap",
        run(&[
            "check",
            "--policies",
            SHIPPED,
            "--policies",
            "tests/fixtures/revisions/diagnostics/overlap",
        ])
    );
}

#[test]
fn check_warns_about_a_gap() {
    insta::assert_snapshot!(
        "check_gap",
        run(&[
            "check",
            "--policies",
            SHIPPED,
            "--policies",
            "tests/fixtures/revisions/diagnostics/gap",
        ])
    );
}

#[test]
fn check_reports_a_dangling_amendment() {
    insta::assert_snapshot!(
        "check_dangling",
        run(&[
            "check",
            "--policies",
            SHIPPED,
            "--policies",
            "tests/fixtures/revisions/diagnostics/dangling",
        ])
    );
}

/// Writes a small hypothetical document (one rule deciding `x.decided`) into
/// a directory under the test's temporary directory.
fn tiny_doc(set: &str, dir: &str, id: &str, header_extra: &str, vocabulary: bool) {
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(set)
        .join(dir);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("text.txt"),
        "假设文本（仅供测试）\n\n一、关于测试的问题\n\n甲应当作出决定。\n",
    )
    .unwrap();
    let vocab = if vocabulary {
        "fact x.applies : bool \"适用\"\noutcome x.decided : bool \"决定\"\n"
    } else {
        ""
    };
    std::fs::write(
        root.join("00.policy"),
        format!(
            "// HYPOTHETICAL (tests only)\ndocument \"{id}\"\n  source \"text.txt\"\n  in force from 2024-01-01\n{header_extra}\n{vocab}\nrule decide_{dir}\n  cites 1.1 \"甲应当作出决定\"\n  when x.applies\n  then x.decided = true\n"
        ),
    )
    .unwrap();
}

/// `regula check` over a set written by [`tiny_doc`], run from the scratch
/// folder so that the paths in its messages are the same on every machine.
fn check_tmp(set: &str) -> String {
    let out = regula_in(&scratch_root(), &["check", "--policies", set]);
    transcript(&out)
}

#[test]
fn check_reports_a_replacement_cycle() {
    tiny_doc(
        "cycle",
        "a",
        "甲（假设）",
        "  replaces \"乙（假设）\" from 2025-01-01",
        true,
    );
    tiny_doc(
        "cycle",
        "b",
        "乙（假设）",
        "  replaces \"甲（假设）\" from 2025-01-01",
        false,
    );
    let t = check_tmp("cycle");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::replacement-cycle"), "{t}");
    insta::assert_snapshot!("check_replacement_cycle", t);
}

#[test]
fn check_reports_an_amendment_of_an_amendment() {
    tiny_doc("amend2", "a", "甲（假设）", "", true);
    tiny_doc(
        "amend2",
        "b",
        "乙（假设）",
        "  amends \"甲（假设）\" from 2025-01-01 rules decide_a",
        false,
    );
    tiny_doc(
        "amend2",
        "c",
        "丙（假设）",
        "  amends \"乙（假设）\" from 2026-01-01 rules decide_b",
        false,
    );
    let t = check_tmp("amend2");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::amends-amendment"), "{t}");
    insta::assert_snapshot!("check_amendment_of_an_amendment", t);
}

#[test]
fn check_reports_an_unlisted_redeclaration_in_an_amendment() {
    tiny_doc("unlisted", "a", "甲（假设）", "", true);
    // The amendment declares `decide_a` again without listing it.
    tiny_doc(
        "unlisted",
        "decide_a_dir",
        "乙（假设）",
        "  amends \"甲（假设）\" from 2025-01-01 rules decide_a",
        false,
    );
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("unlisted");
    std::fs::write(
        root.join("decide_a_dir").join("01.policy"),
        "rule decide_a\n  cites 1.1 \"甲应当作出决定\"\n  then x.decided = false\n",
    )
    .unwrap();
    std::fs::write(
        root.join("decide_a_dir").join("00.policy"),
        "// HYPOTHETICAL (tests only)\ndocument \"乙（假设）\"\n  source \"text.txt\"\n  in force from 2024-01-01\n  amends \"甲（假设）\" from 2025-01-01 rules decide_b\n",
    )
    .unwrap();
    let t = check_tmp("unlisted");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::unlisted-amendment"), "{t}");
    assert!(t.contains("regula::dangling-amendment"), "{t}");
    insta::assert_snapshot!("check_unlisted_redeclaration", t);
}

#[test]
fn check_warns_of_an_amendment_that_never_applies() {
    // The amended document ends in 2026; the amendment starts in 2027.
    tiny_doc("late-amendment", "a", "甲（假设）", "", true);
    let header = scratch_root().join("late-amendment/a/00.policy");
    let text = std::fs::read_to_string(&header).unwrap().replace(
        "in force from 2024-01-01\n",
        "in force from 2024-01-01 to 2026-12-31\n",
    );
    std::fs::write(&header, text).unwrap();
    tiny_doc(
        "late-amendment",
        "b",
        "乙（假设）",
        "  amends \"甲（假设）\" from 2027-01-01 rules decide_a",
        false,
    );
    let t = check_tmp("late-amendment");
    assert!(t.contains("regula::amendment-never-applies"), "{t}");
    insta::assert_snapshot!("check_amendment_never_applies", t);
}

#[test]
fn check_reports_a_document_declared_twice() {
    tiny_doc("twice", "a", "甲（假设）", "", true);
    tiny_doc("twice", "b", "甲（假设）", "", false);
    let t = check_tmp("twice");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::duplicate-document"), "{t}");
    insta::assert_snapshot!("check_duplicate_document", t);
}

#[test]
fn check_reports_an_amendment_of_an_unknown_document() {
    tiny_doc("unknown-doc", "a", "甲（假设）", "", true);
    tiny_doc(
        "unknown-doc",
        "b",
        "乙（假设）",
        "  amends \"甲（草案）\" from 2025-01-01 rules decide_a",
        false,
    );
    let t = check_tmp("unknown-doc");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::unknown-document"), "{t}");
    insta::assert_snapshot!("check_unknown_document", t);
}

#[test]
fn check_reports_an_amended_parameter_of_another_type() {
    // A base document with a limit, and an amendment redeclaring it as a bool.
    tiny_doc("param-type", "a", "甲（假设）", "", true);
    tiny_doc(
        "param-type",
        "b",
        "乙（假设）",
        "  amends \"甲（假设）\" from 2025-01-01 parameters limit",
        false,
    );
    let root = scratch_root().join("param-type");
    std::fs::write(
        root.join("a").join("01.policy"),
        "parameter limit : int \"上限\" = 1\n  cites 1.1 \"甲应当作出决定\"\n",
    )
    .unwrap();
    std::fs::write(
        root.join("b").join("01.policy"),
        "parameter limit : bool \"有上限\" = true\n  cites 1.1 \"甲应当作出决定\"\n",
    )
    .unwrap();
    let t = check_tmp("param-type");
    assert!(t.starts_with("exit: 1"), "{t}");
    assert!(t.contains("regula::parameter-type"), "{t}");
    insta::assert_snapshot!("check_parameter_type", t);
}

#[test]
fn amendment_of_a_parameter_takes_effect_on_its_date() {
    // A hypothetical amendment raising the limit of 6.1 to three from 2027.
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("param-amendment");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("text.txt"),
        "假设文本（仅供测试）\n\n六、关于欠薪保障金垫付的问题\n\n对同一名劳动者的同一欠薪事项最多垫付 3 次。\n",
    )
    .unwrap();
    std::fs::write(
        root.join("00.policy"),
        "// HYPOTHETICAL (tests only)\ndocument \"沪人社规〔2026〕9号（假设）\"\n  source \"text.txt\"\n  in force from 2027-01-01\n  amends \"沪人社规〔2023〕32号\" from 2027-01-01 parameters max_advances_per_matter\n\nparameter max_advances_per_matter : int \"垫付次数上限\" = 3\n  cites 6.1 \"对同一名劳动者的同一欠薪事项最多垫付 3 次\"\n",
    )
    .unwrap();
    let dir = root.to_string_lossy().to_string();
    let before = eval_json(&[SHIPPED, &dir], WAGE_CASE, "2026-12-31");
    let after = eval_json(&[SHIPPED, &dir], WAGE_CASE, "2027-01-01");
    assert_eq!(
        before["outcomes"]["wage_arrears.advance_permitted"]["value"],
        json!(false)
    );
    assert_eq!(
        after["outcomes"]["wage_arrears.advance_permitted"]["value"],
        json!(true)
    );
    // After the 2023 document expires, the amended value goes with it.
    let later = eval_json(&[SHIPPED, &dir], WAGE_CASE, "2029-01-01");
    assert_eq!(later["outcomes"]["in_force"]["value"], json!(false));
}

// ------------------------------------------- both documents over time

const NATIONAL_TESTS: &str = "policies/paiqian-zanxing-guiding-2014/tests";
const RATIO_CASE: &str =
    "policies/paiqian-zanxing-guiding-2014/tests/04-ratio-one-above-c-over-9.json";
const LAPSE_CASE: &str = "policies/paiqian-zanxing-guiding-2014/tests/11-end-dates-differ.json";

#[test]
fn timeline_of_both_shipped_documents() {
    // The national rules from 2014-03-01 with no end; the 10 % cap from the
    // day article 28's transition ends (a date parameter, 2016-03-01); both
    // documents from 2024-01-01; only the national rules from 2029-01-01.
    let ratio = run(&["timeline", RATIO_CASE]);
    for row in [
        "from 2014-03-01 to 2016-02-29: 人力资源和社会保障部令第22号\n",
        "from 2016-03-01 to 2023-12-31: 人力资源和社会保障部令第22号\n",
        "from 2029-01-01: 人力资源和社会保障部令第22号\n",
    ] {
        assert!(ratio.contains(row), "{row} missing from\n{ratio}");
    }
    insta::assert_snapshot!("timeline_national_ratio", ratio);
    let lapse = run(&["timeline", LAPSE_CASE]);
    assert!(
        lapse.contains(
            "from 2024-01-01 to 2028-12-31: 沪人社规〔2023〕32号 + 人力资源和社会保障部令第22号\n"
        ),
        "{lapse}"
    );
    insta::assert_snapshot!("timeline_national_lapse", lapse);
    insta::assert_snapshot!(
        "timeline_national_json",
        run(&["timeline", "--format", "json", LAPSE_CASE])
    );
}

#[test]
fn timeline_of_both_documents_with_a_successor_and_an_amendment() {
    // The Shanghai line is revised (amended in 2026, succeeded in 2029);
    // the national line runs on unchanged beside it.
    insta::assert_snapshot!(
        "timeline_national_with_revisions",
        timeline_with_revisions(
            "policies/paiqian-zanxing-guiding-2014/tests/10-injury-shanghai-agency.json"
        )
    );
}

#[test]
fn diff_of_the_national_cases_across_the_shanghai_handover() {
    // On 2029-01-01 the Shanghai opinions end and the hypothetical successor
    // takes over; the national answers do not change.
    let out = diff_across_the_handover(&[SUCCESSOR], &[NATIONAL_TESTS]);
    assert!(!out.contains("  national."), "{out}");
    insta::assert_snapshot!("diff_national_handover", out);
    // Without a successor, the Shanghai outcomes become n/a in 2029 and the
    // national ones keep their values.
    let out = diff_across_the_handover(
        &[],
        &[
            LAPSE_CASE,
            "policies/paiqian-zanxing-guiding-2014/tests/10-injury-shanghai-agency.json",
        ],
    );
    assert!(!out.contains("  national."), "{out}");
    insta::assert_snapshot!("diff_national_shanghai_ends", out);
}

/// Writes a case into the test's scratch directory.
fn scratch_case(name: &str, body: &str) -> String {
    let dir = scratch_root().join("revisions-defaults");
    std::fs::create_dir_all(&dir).expect("scratch");
    let path = dir.join(name);
    std::fs::write(&path, body).expect("case");
    path.to_string_lossy().into_owned()
}

#[test]
fn a_default_decides_only_while_its_document_is_in_force() {
    // 上位规定 (from 2014-03-01, no end) and 下位规定 (2024-01-01 to
    // 2028-12-31) each give an outcome a default; no rule applies to a wage
    // paid on time. A default is the document's answer, so it holds only
    // while its document is in force: n/a before 2024 and in 2029 for the
    // lower document, while the higher one answers.
    let case = scratch_case("paid.json", r#"{"wage": {"paid": true}}"#);
    let dirs = [
        "tests/fixtures/revisions/defaults/upper",
        "tests/fixtures/revisions/defaults/lower",
    ];
    let mut table = String::new();
    for (at, lower, upper) in [
        ("2014-02-28", None, None),
        ("2014-03-01", None, Some(false)),
        ("2023-12-31", None, Some(false)),
        ("2024-01-01", Some(false), Some(false)),
        ("2028-12-31", Some(false), Some(false)),
        ("2029-01-01", None, Some(false)),
    ] {
        let out = regula(&[
            "eval",
            "--format",
            "json",
            "--derivations",
            "cites",
            "--policies",
            dirs[0],
            "--policies",
            dirs[1],
            "--at",
            at,
            &case,
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        let j: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let o = &j["outcomes"];
        assert_eq!(o["lower.advance"]["value"], json!(lower), "{at} lower");
        assert_eq!(o["upper.wage_late"]["value"], json!(upper), "{at} upper");
        // A default speaks for its own document.
        if upper.is_some() {
            assert_eq!(o["upper.wage_late"]["document"], json!("上位规定"), "{at}");
        }
        if lower.is_some() {
            assert_eq!(o["lower.advance"]["document"], json!("下位规定"), "{at}");
        }
        table.push_str(&format!(
            "{at}: in_force {} upper.in_force {} lower.advance {} upper.wage_late {}\n",
            o["in_force"]["value"],
            o["upper.in_force"]["value"],
            o["lower.advance"],
            o["upper.wage_late"]
        ));
    }
    insta::assert_snapshot!("defaults_per_document", table);
    // verify agrees: no gap where a document out of force leaves its
    // outcome n/a.
    let out = regula(&["verify", "--policies", dirs[0], "--policies", dirs[1]]);
    insta::assert_snapshot!("defaults_per_document_verify", transcript(&out));
}
