//! Property tests: random and mutated policy sources never panic the parser
//! or the checker; random JSON never panics fact decoding; evaluation is
//! deterministic and independent of file order; Kleene's laws hold.
use proptest::prelude::*;
use regula::case::{decode, decode_text, Format, Schema};
use regula::check::check;
use regula::eval::evaluate;
use regula::load::{self, RawSet};
use regula::program::{Program, Value};
use regula::report::{json_report, Detail, Subject};
use regula::source::FileId;
use serde_json::{json, Value as J};
use std::sync::OnceLock;

fn shipped() -> &'static RawSet {
    static SET: OnceLock<RawSet> = OnceLock::new();
    SET.get_or_init(load::embedded)
}

fn program() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| check(shipped()).program.expect("shipped policies check"))
}

fn kleene() -> &'static Program {
    static P: OnceLock<Program> = OnceLock::new();
    P.get_or_init(|| {
        let raw = load::from_paths(&[crate::common::root().join("tests/fixtures/props/kleene")])
            .expect("fixture loads");
        check(&raw).program.expect("kleene fixture checks")
    })
}

const TOKENS: &[&str] = &[
    "rule ",
    "fact ",
    "outcome ",
    "define ",
    "enum ",
    "record ",
    "parameter ",
    "document ",
    "cites ",
    "4.2 ",
    "\"",
    "\"引号",
    " when ",
    " then ",
    " and ",
    " or ",
    " not ",
    " in ",
    "{",
    "}",
    "(",
    ")",
    "=",
    "!=",
    "<=",
    " + ",
    " - ",
    " * ",
    "2025-02-30",
    "2025-01-01",
    "99999999999999999999",
    "1.5",
    "30 days",
    "1 month",
    "as_of",
    "if ",
    " else ",
    "exception to ",
    ",",
    ".",
    ":",
    "用工单位",
    "\n",
    "//",
    "-",
    "x.y.z",
    "true",
    "false",
];

fn mutate(text: &str, ops: &[(u8, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(kind, pos, arg) in ops {
        let len = chars.len();
        let at = if len == 0 { 0 } else { pos % (len + 1) };
        match kind % 4 {
            0 => {
                let end = (at + arg % 40).min(len);
                chars.drain(at..end);
            }
            1 => {
                let tok = TOKENS[arg % TOKENS.len()];
                for (i, c) in tok.chars().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            2 => {
                let end = (at + arg % 80).min(len);
                let piece: Vec<char> = chars[at..end].to_vec();
                for (i, c) in piece.into_iter().enumerate() {
                    chars.insert(at + i, c);
                }
            }
            _ => {
                if at < len {
                    chars[at] = char::from_u32(0x20 + (arg as u32 % 0x3000)).unwrap_or('?');
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Re-spaces a policy text: blanks become other runs of blanks (line breaks
/// included, except inside strings), line ends may gain a comment. The
/// meaning never changes, so the text always still parses.
fn respace(text: &str, picks: &[u8]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut in_string = false;
    let mut k = 0usize;
    let mut pick = || {
        k += 1;
        picks.get(k % picks.len().max(1)).copied().unwrap_or(0)
    };
    let mut in_comment = false;
    let mut prev = ' ';
    for c in text.chars() {
        match c {
            '"' if !in_comment => {
                in_string = !in_string;
                out.push(c);
            }
            '/' if !in_string && prev == '/' => {
                in_comment = true;
                out.push(c);
            }
            ' ' if !in_string && !in_comment => {
                out.push_str(["  ", " ", "\n  ", "\t", "\n\n    "][pick() as usize % 5])
            }
            '\n' => {
                let comment = if in_comment {
                    "\n"
                } else {
                    [" // 注释\n", "\n\n", "  \n", "\n"][pick() as usize % 4]
                };
                in_comment = false;
                out.push_str(comment);
            }
            c => out.push(c),
        }
        prev = c;
    }
    out
}

fn random_json() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|x| json!(x)),
        "[a-z0-9_\\-]{0,12}".prop_map(J::String),
        prop::sample::select(vec![
            "2025-02-30",
            "2024-02-29",
            "2025-13-01",
            "valid",
            "revoked",
            "host",
            "1",
            "true"
        ])
        .prop_map(|s| J::String(s.into())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        let keys = prop::sample::select(vec![
            "as_of",
            "agency",
            "host",
            "injury",
            "registered_in_shanghai",
            "licence_status",
            "auxiliary",
            "discussed",
            "equal_pay_order",
            "deadline",
            "wage_arrears",
            "previous_advances",
            "outsourcing",
            "nominal_form",
            "unknown_key",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(J::Array),
            prop::collection::vec((keys, inner), 0..6).prop_map(|kv| J::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

/// A random valid case: each fact unknown or a value of its type.
fn random_case(p: &'static Program) -> impl Strategy<Value = J> {
    let n = p.facts().len();
    (prop::collection::vec((0u8..4, any::<u16>()), n), 0i64..2400).prop_map(move |(picks, day)| {
        let mut root = serde_json::Map::new();
        let base = chrono::NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        let date_of = |k: u16| {
            (base + chrono::Days::new(u64::from(k % 2400)))
                .format("%Y-%m-%d")
                .to_string()
        };
        root.insert(
            "as_of".into(),
            J::String(
                (base + chrono::Days::new(day as u64))
                    .format("%Y-%m-%d")
                    .to_string(),
            ),
        );
        for (f, (pick, k)) in p.facts().iter().zip(picks) {
            if pick == 0 {
                continue;
            }
            let v = match f.ty {
                regula::program::Type::Bool => J::Bool(k % 2 == 0),
                regula::program::Type::Int => json!(k % 4),
                regula::program::Type::Date => J::String(date_of(k)),
                regula::program::Type::Text => J::String(format!("区{}", k % 3)),
                regula::program::Type::Enum(e) => {
                    let vs = &p.enums()[e as usize].variants;
                    J::String(vs[k as usize % vs.len()].0.clone())
                }
                _ => continue,
            };
            let mut node = &mut root;
            let parts: Vec<&str> = f.name.split('.').collect();
            for part in &parts[..parts.len() - 1] {
                node = node
                    .entry(part.to_string())
                    .or_insert_with(|| J::Object(Default::default()))
                    .as_object_mut()
                    .unwrap();
            }
            node.insert(parts[parts.len() - 1].to_string(), v);
        }
        J::Object(root)
    })
}

/// The shipped set with every declaration moved into a file of its own, the
/// files named (and so read) in an order drawn from `seed`.
fn scattered(seed: u64) -> RawSet {
    let raw = shipped();
    let mut set = RawSet {
        policies: Vec::new(),
        others: raw.others.clone(),
        embedded: raw.embedded,
    };
    let mut pieces = Vec::new();
    for (name, text) in &raw.policies {
        let dir = name
            .rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default();
        let file = regula::syntax::parse_file(FileId(0), text).expect("shipped file parses");
        for item in &file.items {
            let span = item.loc().0;
            pieces.push((
                dir.clone(),
                text[span.start as usize..span.end as usize].to_string(),
            ));
        }
    }
    let mut state = seed | 1;
    for (i, (dir, text)) in pieces.into_iter().enumerate() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        set.policies
            .push((format!("{dir}/{:016x}-{i}.policy", state), text));
    }
    set.policies.sort();
    set
}

fn report(p: &Program, case: &J) -> J {
    let schema = Schema::new(p);
    let c = decode_text(p, &schema, &case.to_string(), Format::Json).expect("valid case");
    let ev = evaluate(p, &c.facts, c.as_of.unwrap()).expect("evaluates");
    json_report(&Subject::new(p, &c.facts, &ev), Detail::Full).expect("report")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_policies_never_panic(file in 0usize..8, ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..6)) {
        let raw = shipped();
        let idx = file % raw.policies.len();
        let mut set = raw.clone();
        let mutated = mutate(&raw.policies[idx].1, &ops);
        let _ = regula::syntax::parse_file(FileId(0), &mutated);
        set.policies[idx].1 = mutated;
        let _ = check(&set);
    }

    #[test]
    fn formatting_round_trips(file in 0usize..8, ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..4)) {
        // Any mutation of a shipped file that still parses: the formatted text
        // means the same (equal syntax trees) and formatting it again changes nothing.
        let raw = shipped();
        let text = mutate(&raw.policies[file % raw.policies.len()].1, &ops);
        if let Ok(tree) = regula::syntax::parse_file(FileId(0), &text) {
            let once = regula::syntax::format::format_source(FileId(0), &text).expect("a file that parses formats");
            let again = regula::syntax::parse_file(FileId(0), &once).expect("formatted text parses");
            prop_assert_eq!(&tree, &again);
            let twice = regula::syntax::format::format_source(FileId(0), &once).expect("formats again");
            prop_assert_eq!(once, twice);
        }
    }

    #[test]
    fn formatting_respaced_files_keeps_meaning_and_is_idempotent(file in 0usize..8, picks in prop::collection::vec(any::<u8>(), 1..64)) {
        let raw = shipped();
        let original = &raw.policies[file % raw.policies.len()].1;
        let text = respace(original, &picks);
        let tree = regula::syntax::parse_file(FileId(0), &text).expect("re-spacing keeps the text parseable");
        let once = regula::syntax::format::format_source(FileId(0), &text).expect("formats");
        prop_assert_eq!(&tree, &regula::syntax::parse_file(FileId(0), &once).expect("formatted text parses"));
        prop_assert_eq!(&once, &regula::syntax::format::format_source(FileId(0), &once).expect("formats again"));
    }

    #[test]
    fn random_text_never_panics_the_parser(text in "(\\PC|\n){0,300}") {
        let _ = regula::syntax::parse_file(FileId(0), &text);
    }

    #[test]
    fn random_json_never_panics_decoding(v in random_json()) {
        let p = program();
        let schema = Schema::new(p);
        let _ = decode(p, &schema, v.clone());
        let _ = decode_text(p, &schema, &v.to_string(), Format::Json);
    }

    #[test]
    fn evaluation_is_deterministic_and_independent_of_file_order(case in random_case(program()), seed in any::<u64>()) {
        let first = report(program(), &case);
        prop_assert_eq!(&first, &report(program(), &case));
        // The same declarations, each in a file of its own, in a shuffled order.
        let shuffled = check(&scattered(seed)).program.expect("scattered set checks");
        let second = report(&shuffled, &case);
        for (name, v) in first["outcomes"].as_object().unwrap() {
            prop_assert_eq!(v, &second["outcomes"][name], "outcome {} differs", name);
        }
        prop_assert_eq!(&first, &second);
    }

    #[test]
    fn kleene_laws_hold(a in 0u8..3, b in 0u8..3, c in 0u8..3) {
        let p = kleene();
        let val = |x: u8| match x { 0 => J::Bool(false), 1 => J::Bool(true), _ => J::Null };
        let case = json!({"as_of": "2025-01-01", "a": val(a), "b": val(b), "c": val(c)});
        let schema = Schema::new(p);
        let cs = decode_text(p, &schema, &case.to_string(), Format::Json).expect("valid");
        let ev = evaluate(p, &cs.facts, cs.as_of.unwrap()).expect("evaluates");
        let get = |name: &str| -> Value { ev.outcomes[p.outcome_id(name).expect("outcome") as usize].value.clone() };
        prop_assert_eq!(get("and_ab"), get("and_ba"));
        prop_assert_eq!(get("or_ab"), get("or_ba"));
        prop_assert_eq!(get("and_ab_c"), get("and_a_bc"));
        prop_assert_eq!(get("or_ab_c"), get("or_a_bc"));
        prop_assert_eq!(get("not_and"), get("or_nots"));
        prop_assert_eq!(get("not_or"), get("and_nots"));
        prop_assert_eq!(get("not_not_a"), get("just_a"));
        // Kleene's tables themselves.
        let expect_and = match (a, b) { (0, _) | (_, 0) => Value::Bool(false), (1, 1) => Value::Bool(true), _ => Value::Unknown };
        let expect_or = match (a, b) { (1, _) | (_, 1) => Value::Bool(true), (0, 0) => Value::Bool(false), _ => Value::Unknown };
        prop_assert_eq!(get("and_ab"), expect_and);
        prop_assert_eq!(get("or_ab"), expect_or);
    }
}

// ------------------------------------------------- keywords and blanks

/// Every blank the grammar accepts, and every line break.
fn every_blank() -> Vec<String> {
    let mut out: Vec<String> = regula::syntax::lexicon::BLANKS
        .iter()
        .map(|c| c.to_string())
        .collect();
    out.extend(["\n", "\r\n", "\r"].map(String::from));
    out
}

/// The words and tokens the parser nests on, in both forms, and a few that
/// end a run of them.
const NESTING: [&str; 16] = [
    "not", "非", "(", "{", "-", "if", "如果", "then", "则", "else", "否则", "x", "1", ")", "rule",
    "规则",
];

/// The comments of a text, in order.
fn comment_texts(text: &str) -> Vec<String> {
    regula::syntax::lexicon::lexemes(text)
        .filter(|(_, l)| *l == regula::syntax::lexicon::Lexeme::Comment)
        .map(|(at, _)| text[at..].lines().next().unwrap_or("").to_string())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Long inputs (up to 40,000 tokens) of nesting words separated by every
    /// blank the grammar accepts: parsing ends in a tree or a diagnostic,
    /// never in a stack overflow (which would abort this test binary).
    #[test]
    fn long_inputs_with_every_blank_never_exhaust_the_stack(
        zh in any::<bool>(),
        pattern in prop::collection::vec((0usize..NESTING.len(), 0usize..6), 1..8),
        count in 1_000usize..40_000,
    ) {
        let blanks = every_blank();
        let mut text = String::from(if zh {
            "结论 deep : 布尔 \"深\" 默认 "
        } else {
            "outcome deep : bool \"深\" default "
        });
        for (w, b) in pattern.iter().cycle().take(count) {
            text.push_str(NESTING[*w]);
            text.push_str(&blanks[*b % blanks.len()]);
        }
        text.push_str("true");
        let _ = regula::syntax::parse_file(FileId(0), &text);
        let _ = regula::syntax::format::format_source(FileId(0), &text);
    }

    /// `regula fmt --keywords zh` then `--keywords en` gives back the
    /// formatted text byte for byte, comments included; both forms parse to
    /// the same tree; a Chinese file formats to itself.
    #[test]
    fn converting_keywords_there_and_back_is_the_identity(file in 0usize..8, picks in prop::collection::vec(any::<u8>(), 1..64)) {
        use regula::syntax::format::{format_source, format_source_as};
        use regula::syntax::lexicon::Form;
        let raw = shipped();
        let text = respace(&raw.policies[file % raw.policies.len()].1, &picks);
        let en = format_source_as(FileId(0), &text, Some(Form::En)).expect("formats");
        let zh = format_source_as(FileId(0), &en, Some(Form::Zh)).expect("converts to Chinese");
        prop_assert_eq!(
            regula::syntax::parse_file(FileId(0), &en).expect("parses"),
            regula::syntax::parse_file(FileId(0), &zh).expect("the Chinese form parses")
        );
        prop_assert_eq!(comment_texts(&en), comment_texts(&zh));
        prop_assert_eq!(&format_source_as(FileId(0), &zh, Some(Form::En)).expect("converts back"), &en);
        prop_assert_eq!(&format_source(FileId(0), &zh).expect("formats"), &zh);
        prop_assert_eq!(regula::syntax::lexicon::form_of_text(&zh), Some(Form::Zh));
    }
}
