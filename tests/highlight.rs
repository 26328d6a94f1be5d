//! The highlighting grammar of `editors/`: the shipped policies tokenised
//! with syntect (a Rust engine of Sublime/TextMate grammars) through
//! `editors/sublime/regula.sublime-syntax`, which is generated with the
//! TextMate grammar from the one keyword table. The scopes are snapshotted.
use crate::common::root;
use syntect::parsing::{ParseState, ScopeStack, SyntaxDefinition, SyntaxSetBuilder};

/// Each line of a text with its highlighted pieces: `[scope]text`.
fn tokenise(text: &str) -> String {
    let source = std::fs::read_to_string(root().join("editors/sublime/regula.sublime-syntax"))
        .expect("the generated syntax");
    let def = SyntaxDefinition::load_from_str(&source, true, None).expect("a valid syntax");
    let mut builder = SyntaxSetBuilder::new();
    builder.add(def);
    let set = builder.build();
    let syntax = set
        .find_syntax_by_extension("policy")
        .expect("the policy syntax");
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut out = String::new();
    for line in text.lines() {
        let line = format!("{line}\n");
        let ops = state.parse_line(&line, &set).expect("tokenises");
        let mut pieces = Vec::new();
        let mut at = 0;
        let mut flush = |stack: &ScopeStack, upto: usize, pieces: &mut Vec<String>| {
            let piece = line.get(at..upto).unwrap_or("").trim_end_matches('\n');
            if let Some(scope) = stack.as_slice().last() {
                let name = scope.build_string();
                let short = name.trim_end_matches(".regula");
                // Unscoped text (names, punctuation) is left out.
                if !piece.trim().is_empty() && short != "source" {
                    pieces.push(format!("[{short}]{piece}"));
                }
            }
            at = upto;
        };
        for (i, op) in ops {
            flush(&stack, i, &mut pieces);
            stack.apply(&op).expect("a scope operation");
        }
        flush(&stack, line.len(), &mut pieces);
        out.push_str(&pieces.join(" "));
        out.push('\n');
    }
    out
}

/// Every shipped policy file, tokenised: keywords of both forms, strings,
/// comments, numbers, dates and operators each carry their scope.
#[test]
fn the_shipped_policies_tokenise_with_the_expected_scopes() {
    let dir = root().join("policies/hurenshegui-2023-32");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("policies")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "policy"))
        .collect();
    files.sort();
    let mut all = String::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let name = f
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        all.push_str(&format!("== {name}\n{}", tokenise(&text)));
    }
    // The Chinese-keyword file highlights its keywords as the English ones.
    assert!(
        all.contains("[keyword.declaration]规则\n"),
        "Chinese keywords are scoped"
    );
    assert!(all.contains("[keyword.operator.word]且"), "{all}");
    insta::assert_snapshot!(all);
}

/// Keywords beside a `.` or inside a longer word are names, not keywords.
#[test]
fn keywords_inside_names_are_not_highlighted() {
    let t =
        tokenise("rule r cites 1.1 \"x\" when order.issued and not 非事实 then x.to = in_force\n");
    assert!(!t.contains("]issued"), "{t}");
    assert!(!t.contains("]to"), "{t}");
    assert!(!t.contains("]非事实"), "{t}");
    assert!(!t.contains("]in"), "{t}");
    assert!(t.contains("[keyword.operator.word]not"), "{t}");
}
