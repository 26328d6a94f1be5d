//! `regula check` on bad policy sets: every problem is a precise diagnostic,
//! no input makes it panic or hang, and the shipped policies declare the case
//! vocabulary.
use crate::common::{regula, rel, root, transcript};
use regula::diag::Code;
use regula::program::{Program, Type};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One reviewable transcript of `regula check` on a policy set.
fn check_transcript(dir: &str, extra: &[&str]) -> String {
    let mut args = vec!["check", "--policies", dir];
    args.extend_from_slice(extra);
    let out = regula(&args);
    format!("$ regula {}\n{}", args.join(" "), transcript(&out))
}

/// Every fixture under `tests/fixtures/check/`: the human diagnostic.
#[test]
fn fixtures_human() {
    insta::glob!("fixtures/check/*/set.policy", |path| {
        let dir = rel(path.parent().expect("fixture directory"));
        insta::assert_snapshot!(check_transcript(&dir, &[]));
    });
}

/// The one-line form, for a few fixtures.
#[test]
fn fixtures_plain() {
    for name in [
        "several-errors",
        "chinese-unknown-fact",
        "syntax-missing-then",
        "unused-fact",
        "syntax-error-and-other-file",
        "uncovered-paragraph",
    ] {
        let dir = format!("tests/fixtures/check/{name}");
        insta::assert_snapshot!(
            format!("plain-{name}"),
            check_transcript(&dir, &["--error-format", "plain"])
        );
    }
}

/// There are enough distinct fixtures.
#[test]
fn fixture_count() {
    let n = std::fs::read_dir(root().join("tests/fixtures/check"))
        .expect("fixture directory")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("set.policy").is_file())
        .count();
    assert!(n >= 30, "only {n} fixtures");
}

/// The diagnostics of a fixture, checked through the library.
fn diagnose(name: &str) -> (regula::check::Checked, Vec<regula::diag::Diag>) {
    let dir = root().join("tests/fixtures/check").join(name);
    let raw = regula::load::from_paths(&[dir]).expect("fixture loads");
    let checked = regula::check::check(&raw);
    let diags = checked.diags.clone();
    (checked, diags)
}

/// The primary underline of each diagnostic: (code, underlined source text).
fn underlined(name: &str) -> Vec<(Code, String)> {
    let (checked, diags) = diagnose(name);
    diags
        .iter()
        .map(|d| {
            let text = d
                .labels
                .first()
                .map(|(s, _)| checked.sources.slice(*s).to_string())
                .unwrap_or_default();
            (d.code, text)
        })
        .collect()
}

/// Cedar-style: the primary label underlines exactly the faulty source text.
#[test]
fn primary_labels_underline_the_fault() {
    let cases: &[(&str, Code, &str)] = &[
        ("unknown-fact", Code::UnknownName, "wage.piad"),
        ("unknown-outcome", Code::UnknownOutcome, "wage.advence"),
        ("unknown-definition", Code::UnknownDefinition, "overdeu"),
        ("unknown-enum-value", Code::UnknownEnumValue, "hots"),
        ("impossible-date", Code::BadDate, "2025-02-30"),
        ("bad-number", Code::BadNumber, "1.5"),
        ("type-date-vs-bool", Code::TypeMismatch, "wage.due"),
        ("type-text-for-bool", Code::TypeMismatch, "\"是\""),
        (
            "months-without-rounding",
            Code::AmbiguousDateStep,
            "2 months",
        ),
        ("exception-unknown-rule", Code::UnknownRule, "advanse"),
        ("chinese-unknown-fact", Code::UnknownName, "工资.己支付"),
        ("chinese-quote-mismatch", Code::QuoteMismatch, "仲"),
        ("chinese-type-mismatch", Code::TypeMismatch, "工资.支付日"),
        ("chinese-syntax-error", Code::Syntax, "工资"),
        ("reserved-word-name", Code::Syntax, "then"),
        ("duplicate-rule", Code::Duplicate, "advance"),
        ("in-force-backwards", Code::EmptyPeriod, "2024-01-01"),
        ("unused-fact", Code::UnusedFact, "wage.amount"),
        ("unknown-field", Code::UnknownField, "isued"),
        ("syntax-missing-colon", Code::Syntax, "bool"),
        ("exception-cycle", Code::ExceptionCycle, "first"),
    ];
    for (fixture, code, text) in cases {
        let got = underlined(fixture);
        assert!(
            got.iter().any(|(c, t)| c == code && t == text),
            "{fixture}: expected {code} underlining `{text}`, got {got:?}"
        );
    }
}

/// The unterminated string is underlined to the end of its line, no further.
#[test]
fn unterminated_string_stops_at_line_end() {
    let got = underlined("unterminated-string");
    assert_eq!(
        got,
        vec![(
            Code::UnterminatedString,
            "\"用工单位逾期未支付的，劳动者可以申请垫付。".to_string()
        )]
    );
}

/// A set with several independent errors reports every one of them.
#[test]
fn several_errors_are_all_reported() {
    let got = underlined("several-errors");
    let codes: Vec<Code> = got.iter().map(|(c, _)| *c).collect();
    for want in [
        Code::Duplicate,
        Code::UnknownName,
        Code::TypeMismatch,
        Code::UnknownOutcome,
        Code::UnknownParagraph,
        Code::UnknownRule,
    ] {
        assert!(codes.contains(&want), "{want} missing from {codes:?}");
    }
}

/// A syntax error in one file does not hide the errors of another.
#[test]
fn syntax_error_does_not_hide_other_files() {
    let codes: Vec<Code> = underlined("syntax-error-and-other-file")
        .into_iter()
        .map(|(c, _)| c)
        .collect();
    assert_eq!(codes, vec![Code::Syntax, Code::UnknownName]);
}

/// Quotes match whitespace-insensitively: re-spacing a correct quote is no error.
#[test]
fn quotes_ignore_whitespace() {
    let dir = tmp("respaced-quote");
    let src = root().join("tests/fixtures/check/unused-fact");
    std::fs::copy(src.join("src.zh.txt"), dir.join("src.zh.txt")).expect("copy");
    let policy = std::fs::read_to_string(src.join("set.policy"))
        .expect("read")
        .replace("fact wage.amount : int >= 0 \"欠薪金额\"\n", "")
        .replace("逾期未支付的，劳动者", "逾期 未支付的， 劳动者");
    std::fs::write(dir.join("set.policy"), policy).expect("write");
    let (checked, diags) = {
        let raw = regula::load::from_paths(&[dir]).expect("loads");
        let c = regula::check::check(&raw);
        let d = c.diags.clone();
        (c, d)
    };
    assert!(checked.program.is_some(), "{diags:?}");
    assert!(diags.is_empty(), "{diags:?}");
}

/// No message, label or help names a grammar rule or a Rust type.
#[test]
fn no_internal_names_leak() {
    let dirs = std::fs::read_dir(root().join("tests/fixtures/check")).expect("fixtures");
    for e in dirs.filter_map(Result::ok) {
        let raw = regula::load::from_paths(&[e.path()]).expect("loads");
        let checked = regula::check::check(&raw);
        for d in &checked.diags {
            let mut texts = vec![d.message.clone()];
            texts.extend(d.help.clone());
            texts.extend(d.labels.iter().map(|(_, l)| l.clone()));
            for t in texts {
                for bad in [
                    "kw_", "_expr", "_decl", "ident", "EOI", "Rule::", "Type::", "Some(", "a int",
                ] {
                    assert!(!t.contains(bad), "{:?}: `{t}` contains `{bad}`", e.path());
                }
            }
            assert!(d.help.is_some(), "{:?}: {} has no help", e.path(), d.code);
            assert!(!d.message.ends_with('.'), "{}", d.message);
            assert!(
                !d.message.starts_with(|c: char| c.is_uppercase()),
                "{}",
                d.message
            );
        }
    }
}

// ------------------------------------------------------------- hostile input

/// A fresh directory under the test target's temp dir.
fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A valid header and source, to which a test appends a hostile line.
fn header_set(name: &str, tail: &[u8]) -> PathBuf {
    let dir = tmp(name);
    let src = root().join("tests/fixtures/check/unused-fact");
    std::fs::copy(src.join("src.zh.txt"), dir.join("src.zh.txt")).expect("copy");
    let mut policy = std::fs::read(src.join("set.policy")).expect("read");
    policy.extend_from_slice(tail);
    std::fs::write(dir.join("set.policy"), policy).expect("write");
    dir
}

/// Runs `regula check` inside the temp dir on a relative path, so that no
/// machine path reaches the output; a time limit catches a hang.
fn run_in_tmp(arg: &str) -> String {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("check");
    let mut child = Command::new(env!("CARGO_BIN_EXE_regula"))
        .args(["check", "--policies", arg])
        .current_dir(&base)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run regula");
    let start = std::time::Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            panic!("`regula check --policies {arg}` hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let text = format!("$ regula check --policies {arg}\n{}", transcript(&out));
    assert!(
        !text.contains("panicked") && !text.contains("RUST_BACKTRACE"),
        "{text}"
    );
    text.replace(&base.to_string_lossy().to_string(), "[TMP]")
        .replace(env!("CARGO_TARGET_TMPDIR"), "[TMP]")
}

#[test]
fn hostile_deep_parentheses() {
    let mut tail = "outcome deep : bool \"深\" default\n".as_bytes().to_vec();
    tail.extend("(\n".repeat(10_000).bytes());
    tail.extend(b"true");
    tail.extend("\n)".repeat(10_000).bytes());
    header_set("deep-parentheses", &tail);
    insta::assert_snapshot!(run_in_tmp("deep-parentheses"));
}

#[test]
fn hostile_deep_nots() {
    let mut tail = "outcome deep : bool \"深\" default\n".as_bytes().to_vec();
    tail.extend("not\n".repeat(10_000).bytes());
    tail.extend(b"true\n");
    header_set("deep-nots", &tail);
    insta::assert_snapshot!(run_in_tmp("deep-nots"));
}

/// Issue 11, row 1: `not` and an ideographic space (U+3000), 20,000 times.
/// The nesting guard splits the text with the grammar's own blanks, so the
/// run of `not`s is counted and refused before the parser recurses on it.
#[test]
fn hostile_deep_nots_between_ideographic_spaces() {
    let mut tail = "outcome deep : bool \"深\" default\n".as_bytes().to_vec();
    tail.extend("not\u{3000}\n".repeat(20_000).bytes());
    tail.extend(b"true\n");
    header_set("deep-nots-ideographic", &tail);
    insta::assert_snapshot!(run_in_tmp("deep-nots-ideographic"));
}

/// The same with the Chinese keyword `非` and every kind of blank.
#[test]
fn hostile_deep_chinese_nots() {
    let policy = std::fs::read_to_string(
        root().join("tests/fixtures/check/zh-exception-unknown-rule/set.policy"),
    )
    .expect("read");
    let head = policy.split("\n规则").next().expect("a header");
    let mut text = format!("{head}\n结论 deep : 布尔 \"深\" 默认\n");
    for (i, blank) in ["\u{3000}", " ", "\t", "\n", "\r\n", "\r"]
        .iter()
        .cycle()
        .take(20_000)
        .enumerate()
    {
        text.push_str(if i % 2 == 0 { "非" } else { "-" });
        text.push_str(blank);
    }
    text.push_str("真\n");
    let dir = tmp("deep-chinese-nots");
    std::fs::copy(
        root().join("tests/fixtures/check/zh-exception-unknown-rule/src.zh.txt"),
        dir.join("src.zh.txt"),
    )
    .expect("copy");
    std::fs::write(dir.join("set.policy"), text).expect("write");
    insta::assert_snapshot!(run_in_tmp("deep-chinese-nots"));
}

#[test]
fn hostile_long_else_if_chain() {
    let mut tail = "outcome deep : int \"深\" default\n".as_bytes().to_vec();
    for i in 0..10_000 {
        tail.extend(format!("if as_of = 2024-01-01 then {i} else\n").bytes());
    }
    tail.extend(b"0\n");
    header_set("else-if-chain", &tail);
    insta::assert_snapshot!(run_in_tmp("else-if-chain"));
}

#[test]
fn hostile_ten_megabyte_file() {
    let mut tail = Vec::with_capacity(10 << 20);
    let mut i = 0;
    while tail.len() < 10 << 20 {
        tail.extend(format!("fact f{i} : bool \"事实\"\n").bytes());
        i += 1;
    }
    header_set("ten-megabytes", &tail);
    insta::assert_snapshot!(run_in_tmp("ten-megabytes"));
}

#[test]
fn hostile_invalid_utf8() {
    header_set("invalid-utf8", b"fact wage.bad : bool \"\xff\xfe\"\n");
    insta::assert_snapshot!(run_in_tmp("invalid-utf8"));
}

#[test]
fn hostile_empty_directory() {
    tmp("empty");
    insta::assert_snapshot!(run_in_tmp("empty"));
}

#[test]
fn hostile_missing_directory() {
    let _ = std::fs::remove_dir_all(Path::new(env!("CARGO_TARGET_TMPDIR")).join("check/missing"));
    std::fs::create_dir_all(Path::new(env!("CARGO_TARGET_TMPDIR")).join("check"))
        .expect("temp dir");
    insta::assert_snapshot!(run_in_tmp("missing"));
}

#[test]
fn hostile_only_other_files() {
    let dir = tmp("no-policies");
    std::fs::write(dir.join("README.md"), "notes").expect("write");
    std::fs::write(dir.join("law.zh.txt"), "一、总则\n\n正文。\n").expect("write");
    insta::assert_snapshot!(run_in_tmp("no-policies"));
}

#[test]
fn hostile_empty_policy_file() {
    let dir = tmp("empty-file");
    std::fs::write(dir.join("set.policy"), "").expect("write");
    insta::assert_snapshot!(run_in_tmp("empty-file"));
}

// ------------------------------------------------------------- vocabulary

/// The vocabulary's type of a fact or outcome: `bool`, `int>=0`, `date`,
/// `text`, `enum(a|b)`.
fn vocab_type(p: &Program, ty: Type, min: Option<i64>) -> String {
    match ty {
        Type::Bool => "bool".into(),
        Type::Int => match min {
            Some(m) => format!("int>={m}"),
            None => "int".into(),
        },
        Type::Date => "date".into(),
        Type::Text => "text".into(),
        Type::Enum(e) => {
            let values: Vec<&str> = p.enums()[e as usize]
                .variants
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            format!("enum({})", values.join("|"))
        }
        other => format!("{other:?}"),
    }
}

/// The facts of case vocabulary version 1 (`as_of` is built in).
const FACTS: &[(&str, &str)] = &[
    ("agency.registered_in_shanghai", "bool"),
    ("agency.has_shanghai_branch", "bool"),
    ("agency.registration_district", "text"),
    ("agency.branch_registration_district", "text"),
    (
        "agency.licence_status",
        "enum(valid|expired_not_renewed|revoked|cancelled)",
    ),
    ("agency.licence_lapsed_on", "date"),
    ("host.registration_district", "text"),
    ("host.same_pay_method", "bool"),
    ("host.auxiliary.discussed", "bool"),
    ("host.auxiliary.plan_proposed", "bool"),
    ("host.auxiliary.consulted", "bool"),
    ("host.auxiliary.publicised", "bool"),
    ("host.paid_social_insurance_in_shanghai", "bool"),
    ("contract.lawfully_concluded", "bool"),
    ("contract.concluded_on", "date"),
    ("contract.dispatch_period_ends", "date"),
    ("equal_pay_order.issued", "bool"),
    ("equal_pay_order.deadline", "date"),
    ("equal_pay_order.rectified", "bool"),
    ("equal_pay_order.rectified_on", "date"),
    ("auxiliary_order.issued", "bool"),
    ("auxiliary_order.deadline", "date"),
    ("auxiliary_order.rectified", "bool"),
    ("auxiliary_order.rectified_on", "date"),
    ("injury.occurred", "bool"),
    ("injury.returned_to_agency", "bool"),
    ("injury.employment_ended", "bool"),
    ("dispute.worker_claims_benefits_from_host", "bool"),
    ("wage_arrears.fund_case", "bool"),
    ("wage_arrears.facts_established", "bool"),
    ("wage_arrears.previous_advances", "int>=0"),
    ("outsourcing.converted_from_dispatch", "bool"),
    ("outsourcing.management_adjusted", "bool"),
    (
        "outsourcing.nominal_form",
        "enum(contracting|outsourcing|none)",
    ),
    ("outsourcing.used_in_dispatch_form", "bool"),
    // Version 2 (case-vocabulary-national.md).
    ("position.kind", "enum(temporary|auxiliary|substitute|main)"),
    ("position.duration_months", "int>=0"),
    ("host.contract_headcount", "int>=0"),
    ("host.dispatched_headcount", "int>=0"),
    ("contract.written", "bool"),
    ("contract.kind", "enum(fixed_term|open_ended|task)"),
    ("contract.term_months", "int>=0"),
    ("contract.probations_agreed", "int>=0"),
    ("contract.labour_contract_ends", "date"),
    ("contract.dissolved_by_agreement", "bool"),
    (
        "return.ground",
        "enum(host_dismissal_grounds|host_ceased|agreement_expired|other_law|none)",
    ),
    ("worker.protected_situation", "bool"),
    ("resignation.in_probation", "bool"),
    ("resignation.written", "bool"),
    ("resignation.notice_days", "int>=0"),
];

/// The outcomes of case vocabulary version 1, without the built-in `in_force`.
const OUTCOMES: &[(&str, &str)] = &[
    ("licence.contracts_may_continue", "bool"),
    ("licence.continue_until", "date"),
    ("equal_pay.violation", "bool"),
    ("equal_pay.order_required", "bool"),
    ("equal_pay.penalty_due", "bool"),
    ("auxiliary.violation", "bool"),
    ("auxiliary.order_required", "bool"),
    ("auxiliary.penalty_due", "bool"),
    ("injury.applicant", "enum(agency|agency_branch|host)"),
    ("injury.application_district", "text"),
    ("injury.agency_jointly_liable", "bool"),
    ("injury.host_settles_disability_subsidy", "bool"),
    ("injury.medical_subsidy_payer", "enum(injury_fund)"),
    ("injury.disability_subsidy_payer", "enum(agency)"),
    ("social_insurance.pay_in_shanghai", "bool"),
    ("social_insurance.filer", "enum(agency_branch|host)"),
    (
        "social_insurance.filing_kind",
        "enum(recruitment_filing|employment_filing)",
    ),
    ("social_insurance.payer", "enum(agency_branch|host)"),
    ("social_insurance.host_pays_first", "bool"),
    ("wage_arrears.advance_permitted", "bool"),
    ("outsourcing.must_adjust_management", "bool"),
    ("outsourcing.adjustment_outstanding", "bool"),
    ("outsourcing.treated_as_dispatch", "bool"),
    // Version 2: the two liability outcomes of provision 4, then the
    // national rules' (with the helper outcomes they add).
    ("injury.liability_bearer", "enum(agency|agency_branch|host)"),
    ("injury.host_bears_employer_benefits", "bool"),
    ("national.position_permitted", "bool"),
    ("national.temporary_within_limit", "bool"),
    ("national.auxiliary_procedure_breach", "bool"),
    ("national.correction_and_warning", "bool"),
    ("national.total_headcount", "int"),
    ("national.max_dispatched_headcount", "int"),
    ("national.dispatch_share_within_limit", "bool"),
    ("national.contract_term_lawful", "bool"),
    ("national.probation_lawful", "bool"),
    ("national.injury_applicant", "enum(agency)"),
    ("national.injury_liability_bearer", "enum(agency)"),
    ("national.host_bears_employer_benefits", "bool"),
    ("national.contract_must_continue", "bool"),
    ("national.continue_until", "date"),
    ("national.return_permitted", "bool"),
    ("national.resignation_on_notice_lawful", "bool"),
    (
        "national.social_insurance_payer",
        "enum(agency_branch|host)",
    ),
];

#[test]
fn shipped_policies_declare_the_vocabulary() {
    let checked = regula::check::check(&regula::load::embedded());
    assert!(!checked.has_errors(), "{:?}", checked.diags);
    let p = checked.program.expect("the shipped policies compile");
    let mut facts: Vec<(String, String)> = p
        .facts()
        .iter()
        .map(|f| (f.name.clone(), vocab_type(&p, f.ty, f.min)))
        .collect();
    facts.sort();
    let mut want: Vec<(String, String)> = FACTS
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    want.sort();
    assert_eq!(facts, want);

    let mut outcomes: Vec<(String, String)> = p
        .outcomes()
        .iter()
        .map(|o| (o.name.clone(), vocab_type(&p, o.ty, None)))
        .collect();
    outcomes.sort();
    let mut want: Vec<(String, String)> = OUTCOMES
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    want.sort();
    assert_eq!(outcomes, want);
    // `in_force` is built in: no policy declares it, the header decides it.
    assert!(p.outcomes().iter().all(|o| o.name != "in_force"));
    assert!(p.facts().iter().all(|f| f.name != "as_of"));
    // The Shanghai opinions and the national rules they implement; each
    // header cites its in-force period, the national one as national.in_force.
    assert_eq!(p.documents().len(), 2);
    assert!(p.documents().iter().all(|d| d.cites.is_some()));
    let lines: Vec<&str> = p.lines().iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(lines, ["in_force", "national.in_force"]);
}

/// `in_force` is reported by every evaluation with the header's period.
#[test]
fn in_force_is_built_in() {
    let out = regula(&[
        "eval",
        "examples/injury-out-of-town-no-branch.json",
        "--format",
        "json",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert_eq!(j["outcomes"]["in_force"]["value"], serde_json::json!(true));
    assert_eq!(
        j["outcomes"]["in_force"]["cites"],
        serde_json::json!(["8.1"])
    );
}

/// The text under the first underline of a rendered report, by display
/// columns (CJK characters are two columns wide).
fn text_under_first_underline(rendered: &str) -> Option<String> {
    use unicode_width::UnicodeWidthChar;
    let lines: Vec<&str> = rendered.lines().collect();
    for pair in lines.windows(2) {
        let (src, marks) = (pair[0], pair[1]);
        let (Some((sg, code)), Some((mg, under))) = (src.split_once("│ "), marks.split_once("· "))
        else {
            continue;
        };
        if !sg.trim().chars().all(|c| c.is_ascii_digit()) || sg.trim().is_empty() {
            continue;
        }
        assert_eq!(sg.chars().count(), mg.chars().count(), "gutters differ");
        let mut cols = Vec::new();
        let mut x = 0;
        for c in under.chars() {
            if c == '─' || c == '┬' {
                cols.push(x);
            }
            x += c.width().unwrap_or(0);
        }
        let (Some(a), Some(b)) = (cols.first(), cols.last()) else {
            continue;
        };
        let mut out = String::new();
        let mut x = 0;
        for c in code.chars() {
            if x >= *a && x <= *b {
                out.push(c);
            }
            x += c.width().unwrap_or(0);
        }
        return Some(out);
    }
    None
}

/// Underlines sit exactly under Chinese names, labels and quotes.
#[test]
fn underlines_align_under_chinese_text() {
    for name in [
        "chinese-unknown-fact",
        "chinese-quote-mismatch",
        "chinese-type-mismatch",
        "chinese-syntax-error",
        "quote-mismatch",
        "unterminated-string",
    ] {
        let (checked, diags) = diagnose(name);
        let first = diags.first().expect("a diagnostic");
        let (span, _) = first.labels.first().expect("a label");
        let want = checked.sources.slice(*span).to_string();
        let rendered = regula::diag::render_human(&diags[..1], &checked.sources, false);
        let got = text_under_first_underline(&rendered).expect("an underline");
        assert_eq!(got, want, "{name}:\n{rendered}");
    }
}

/// The human and plain forms give the same line and column (in characters,
/// also after Chinese text).
#[test]
fn human_and_plain_columns_agree() {
    for name in [
        "chinese-syntax-error",
        "chinese-unknown-fact",
        "chinese-quote-mismatch",
    ] {
        let dir = format!("tests/fixtures/check/{name}");
        let human = String::from_utf8(regula(&["check", "--policies", &dir]).stderr).unwrap();
        let plain = String::from_utf8(
            regula(&["check", "--policies", &dir, "--error-format", "plain"]).stderr,
        )
        .unwrap();
        // `set.policy:13:15` in both: `[…]` in the human form, `…: error` in the plain one.
        let place = |s: &str| {
            let file = format!("{dir}/set.policy:");
            let at = s.find(&file).expect("a place") + file.len();
            let mut parts = s[at..].split(|c: char| !c.is_ascii_digit());
            format!("{}:{}", parts.next().unwrap(), parts.next().unwrap())
        };
        assert_eq!(place(&human), place(&plain), "{name}");
    }
}

/// Every truncation and every one-token deletion of a shipped policy file is
/// reported in words: no grammar rule name, no panic.
#[test]
fn syntax_errors_never_leak_rule_names() {
    let text =
        std::fs::read_to_string(root().join("policies/hurenshegui-2023-32/06-wage-arrears.policy"))
            .expect("policy");
    let mut sources = regula::source::SourceMap::default();
    let words: Vec<(usize, usize)> = {
        let mut v = Vec::new();
        let mut start = None;
        for (i, c) in text.char_indices() {
            match (c.is_whitespace(), start) {
                (false, None) => start = Some(i),
                (true, Some(s)) => {
                    v.push((s, i));
                    start = None;
                }
                _ => {}
            }
        }
        v
    };
    let mut broken: Vec<String> = Vec::new();
    for &(_, end) in &words {
        broken.push(text[..end].to_string());
    }
    for &(s, e) in &words {
        broken.push(format!("{}{}", &text[..s], &text[e..]));
    }
    let mut errors = 0;
    for b in broken {
        let id = sources.add("t.policy", b.as_str());
        if let Err(diags) = regula::syntax::parse_file(id, &b) {
            for d in diags {
                errors += 1;
                let all = format!("{} {:?} {:?}", d.message, d.help, d.labels);
                for bad in [
                    "kw_",
                    "_decl",
                    "_expr",
                    "ident",
                    "EOI",
                    "BUILTIN",
                    "Rule",
                    "SOI",
                    "WHITESPACE",
                ] {
                    assert!(!all.contains(bad), "`{bad}` in {all}\n--- input\n{b}");
                }
                assert!(d.help.is_some(), "{all}");
            }
        }
    }
    assert!(errors > 50, "only {errors} syntax errors");
}

#[test]
fn hostile_long_chain() {
    let mut tail = "outcome long : bool \"长\" default wage.paid\n"
        .as_bytes()
        .to_vec();
    for _ in 0..20_000 {
        tail.extend(b"  and wage.paid\n");
    }
    header_set("long-chain", &tail);
    insta::assert_snapshot!(run_in_tmp("long-chain"));
}

#[test]
fn hostile_exponential_definitions() {
    let mut tail = b"define f0(x: bool) : bool = x\n".to_vec();
    for i in 1..60 {
        tail.extend(
            format!(
                "define f{i}(x: bool) : bool = f{}(x) and f{}(not x and x)\n",
                i - 1,
                i - 1
            )
            .bytes(),
        );
    }
    tail.extend("outcome big : bool \"大\" default f59(wage.paid)\n".bytes());
    header_set("exponential-definitions", &tail);
    insta::assert_snapshot!(run_in_tmp("exponential-definitions"));
}

#[test]
fn hostile_deep_definitions() {
    let mut tail = b"define g0(x: bool) : bool = x\n".to_vec();
    for i in 1..200 {
        tail.extend(format!("define g{i}(x: bool) : bool = not g{}(x)\n", i - 1).bytes());
    }
    tail.extend("outcome deep : bool \"深\" default g199(wage.paid)\n".bytes());
    header_set("deep-definitions", &tail);
    insta::assert_snapshot!(run_in_tmp("deep-definitions"));
}

/// Every diagnostic code the program can emit appears in a reviewed
/// snapshot (apart from the few no test can provoke on every machine) and
/// in the README's table of codes.
#[test]
fn every_diagnostic_code_has_a_snapshot() {
    // `reserved-name`: the grammar already refuses `as_of` as a name (the
    // `reserved-word-name` fixture shows that message); `unreadable` and
    // `unwritable`: permission errors, which a test run as root never meets.
    let untestable = [Code::ReservedName, Code::Unreadable, Code::Unwritable];
    let mut snapshots = String::new();
    for e in std::fs::read_dir(root().join("tests/snapshots")).expect("snapshots") {
        let p = e.expect("entry").path();
        snapshots.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
    }
    // Every kind of problem, from the one enum of kinds.
    let codes: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str().trim_start_matches("regula::"))
        .collect();
    assert!(codes.len() > 50, "found only {} codes", codes.len());
    // The kinds the program can raise: each is constructed somewhere.
    let mut sources = String::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("code.rs") {
                sources.push_str(&std::fs::read_to_string(&p).expect("read"));
            }
        }
    }
    let unused: Vec<&Code> = Code::ALL
        .iter()
        .filter(|c| {
            let name = format!("{c:?}");
            !sources
                .match_indices(&format!("Code::{name}"))
                .any(|(i, m)| {
                    sources
                        .get(i + m.len()..)
                        .and_then(|r| r.chars().next())
                        .is_none_or(|ch| !ch.is_ascii_alphanumeric())
                })
        })
        .collect();
    assert!(unused.is_empty(), "kinds no code raises: {unused:?}");
    let missing: Vec<String> = codes
        .iter()
        .map(|c| format!("regula::{c}"))
        .filter(|c| !untestable.iter().any(|u| u.as_str() == c))
        .filter(|c| {
            // As a whole code: not as the prefix of a longer one.
            !snapshots.match_indices(c.as_str()).any(|(i, _)| {
                snapshots
                    .get(i + c.len()..)
                    .and_then(|rest| rest.chars().next())
                    .is_none_or(|ch| !(ch.is_ascii_alphanumeric() || ch == '-'))
            })
        })
        .collect();
    assert!(
        missing.is_empty(),
        "diagnostic codes without a snapshot: {missing:?}"
    );
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README");
    let undocumented: Vec<&&str> = codes
        .iter()
        .filter(|c| !readme.contains(&format!("`{c}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "diagnostic codes missing from the README's table: {undocumented:?}"
    );
}

/// The national text lacks articles 8, 25–27 (numbers skipped) and 29 (its
/// last article, 28, is not the closing `…起施行` one): `regula check` shows
/// them as gaps of the source, apart from the paragraphs left unencoded,
/// and they are no paragraph of the coverage.
#[test]
fn shipped_check_shows_the_gaps_of_the_national_source() {
    let t = check_transcript("policies", &[]);
    assert!(
        t.contains("gaps of the source: `人力资源和社会保障部令第22号`'s text lacks articles 8, 25, 26, 27, 29 (absent from the source, not left unencoded)"),
        "{t}"
    );
    assert!(!t.contains("NOT COVERED"), "{t}");
    insta::assert_snapshot!("shipped_check", t);
}

/// A no-break space, and a zero-width space, where a word ends: named, with
/// the blanks the language accepts.
#[test]
fn a_blank_the_language_does_not_accept_is_named() {
    header_set("no-break-space", "fact\u{a0}x : bool \"甲\"\n".as_bytes());
    insta::assert_snapshot!(run_in_tmp("no-break-space"));
    header_set(
        "zero-width-space",
        "fact x\u{200b} : bool \"甲\"\n".as_bytes(),
    );
    insta::assert_snapshot!(run_in_tmp("zero-width-space"));
}
