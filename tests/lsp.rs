//! `regula lsp` end to end: the binary driven over stdio by a client that
//! speaks the protocol's framing, on the shipped policies (one of them
//! written with the Chinese keywords). Every feature the server offers is
//! exercised; the files on disk are never written (edits are unsaved text).
use crate::common::root;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// A client over the server's stdin and stdout.
struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: i64,
    /// Notifications received while waiting for responses.
    notes: Vec<Value>,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_regula"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start regula lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut c = Client {
            child,
            stdin,
            stdout,
            next: 0,
            notes: Vec::new(),
        };
        let init = c.request(
            "initialize",
            json!({"capabilities": {}, "rootUri": uri(&root().join("policies"))}),
        );
        assert!(init["capabilities"]["hoverProvider"]
            .as_bool()
            .unwrap_or(false));
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, v: Value) {
        let body = v.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn receive(&mut self) -> Value {
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).expect("header");
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().expect("length");
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).expect("body");
        serde_json::from_slice(&body).expect("JSON")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.receive();
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.notes.push(m);
        }
    }

    /// The diagnostics last published for a file, waiting for them.
    fn diagnostics(&mut self, file: &str) -> Vec<Value> {
        let want = uri(&shipped(file));
        loop {
            if let Some(n) = self
                .notes
                .iter()
                .rev()
                .find(|n| n["params"]["uri"] == json!(want))
            {
                let d = n["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                self.notes.clear();
                return d;
            }
            let m = self.receive();
            self.notes.push(m);
        }
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("exit");
        assert!(status.success(), "the server exits cleanly");
    }
}

/// A shipped policy file: of the Shanghai document, or `folder/file`.
fn shipped(file: &str) -> std::path::PathBuf {
    if file.contains('/') {
        root().join("policies").join(file)
    } else {
        root().join("policies/hurenshegui-2023-32").join(file)
    }
}

fn uri(p: &std::path::Path) -> String {
    regula::lsp::path_uri(p)
        .expect("a file URI")
        .as_str()
        .to_string()
}

/// The text of a shipped file and the position (line, UTF-16 column) of
/// the first occurrence of `needle` in it, plus `ahead` columns.
fn at(file: &str, needle: &str, ahead: u32) -> (String, Value) {
    let text = std::fs::read_to_string(shipped(file)).expect("read");
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in {file}"));
    let p = regula::lsp::Lines::new(&text).position(offset);
    (
        text,
        json!({"textDocument": {"uri": uri(&shipped(file))}, "position": {"line": p.line, "character": p.character + ahead}}),
    )
}

/// Replaces the unsaved text of an open file.
fn change(c: &mut Client, file: &str, version: i64, text: &str) {
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&shipped(file)), "version": version}, "contentChanges": [{"text": text}]}),
    );
}

/// A string field of every item of a JSON array.
fn strings<'a>(items: &'a Value, key: &str) -> Vec<&'a str> {
    items
        .as_array()
        .map(|a| a.iter().filter_map(|i| i[key].as_str()).collect())
        .unwrap_or_default()
}

fn open(c: &mut Client, file: &str, text: &str) {
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri(&shipped(file)), "languageId": "regula", "version": 1, "text": text}}),
    );
}

#[test]
fn diagnostics_follow_every_change_and_offer_the_checkers_fix() {
    let mut c = Client::start();
    let file = "04-work-injury.policy";
    let text = std::fs::read_to_string(shipped(file)).unwrap();
    open(&mut c, file, &text);
    assert_eq!(
        c.diagnostics(file),
        Vec::<Value>::new(),
        "the shipped file is clean"
    );
    let typo = text.replace(
        "exception to applicant_agency_or_branch",
        "exception to applicant_agency_or_brnch",
    );
    change(&mut c, file, 2, &typo);
    let d = c.diagnostics(file);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0]["code"], "regula::unknown-rule");
    let line = typo.lines().position(|l| l.contains("brnch")).unwrap();
    assert_eq!(d[0]["range"]["start"]["line"], json!(line));
    assert!(d[0]["message"]
        .as_str()
        .unwrap()
        .contains("did you mean `applicant_agency_or_branch`?"));
    // The did-you-mean fix as a code action.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri(&shipped(file))}, "range": d[0]["range"], "context": {"diagnostics": d}}),
    );
    let edit = &actions[0]["edit"]["changes"][uri(&shipped(file))][0];
    assert_eq!(edit["newText"], "applicant_agency_or_branch");
    assert_eq!(edit["range"], d[0]["range"]);
    c.stop();
}

#[test]
fn a_chinese_file_gets_its_keywords_in_messages_and_positions_in_utf16() {
    let mut c = Client::start();
    let file = "03-auxiliary-positions.policy";
    let text = std::fs::read_to_string(shipped(file)).unwrap();
    assert!(
        text.contains("规则 auxiliary_order_to_rectify"),
        "the Chinese-keyword file"
    );
    open(&mut c, file, &text);
    assert_eq!(c.diagnostics(file), Vec::<Value>::new());
    // Drop a `则`: the message asks for `则`, at the column counted in UTF-16.
    let broken = text.replacen(
        "  则 auxiliary.order_required",
        "  auxiliary.order_required",
        1,
    );
    change(&mut c, file, 2, &broken);
    let d = c.diagnostics(file);
    assert_eq!(d[0]["code"], "regula::syntax");
    assert!(
        d[0]["message"].as_str().unwrap().contains("`则`"),
        "{}",
        d[0]["message"]
    );
    // Hover on a name after Chinese text on its line: UTF-16 columns.
    change(&mut c, file, 3, &text);
    let (_, pos) = at(file, "auxiliary.violation 且", 2);
    let h = c.request("textDocument/hover", pos);
    let shown = h["contents"]["value"].as_str().unwrap();
    assert!(
        shown.starts_with("outcome `auxiliary.violation` : bool — 未按规定确定辅助性岗位范围"),
        "{shown}"
    );
    // Keywords hover in both forms.
    let (_, pos) = at(file, "且 非", 0);
    let h = c.request("textDocument/hover", pos);
    assert_eq!(h["contents"]["value"], "**and** · **且** — conjunction");
    // Completion offers the keywords in the file's form.
    let (_, pos) = at(file, "规则 auxiliary_penalty", 0);
    let items = c.request("textDocument/completion", pos);
    let labels: Vec<&str> = strings(&items, "label");
    assert!(labels.contains(&"规则") && labels.contains(&"例外于") && !labels.contains(&"rule"));
    c.stop();
}

#[test]
fn hover_definition_references_and_rename_across_the_directory() {
    let mut c = Client::start();
    let file = "04-work-injury.policy";
    // A rule named in `exception to`: its definition in the same file.
    let (text, pos) = at(file, "exception to applicant_agency_or_branch", 15);
    open(&mut c, file, &text);
    let defs = c.request("textDocument/definition", pos.clone());
    let rule_line = text
        .lines()
        .position(|l| l == "rule applicant_agency_or_branch")
        .unwrap();
    assert_eq!(defs[0]["range"]["start"]["line"], json!(rule_line));
    let h = c.request("textDocument/hover", pos);
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("rule `applicant_agency_or_branch` cites 4.1"));
    // A fact declared in another file (00-document): definition and references.
    let (_, pos) = at(file, "not agency.registered_in_shanghai", 6);
    let defs = c.request("textDocument/definition", pos.clone());
    assert_eq!(defs[0]["uri"], json!(uri(&shipped("00-document.policy"))));
    let refs = c.request(
        "textDocument/references",
        json!({"textDocument": pos["textDocument"], "position": pos["position"], "context": {"includeDeclaration": true}}),
    );
    let files: std::collections::BTreeSet<&str> = strings(&refs, "uri").into_iter().collect();
    assert!(files.len() >= 3, "named in several files: {files:?}");
    // Rename: every reference, the declaration included.
    let edit = c.request(
        "textDocument/rename",
        json!({"textDocument": pos["textDocument"], "position": pos["position"], "newName": "agency.in_shanghai"}),
    );
    let edits: usize = edit["changes"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_array().unwrap().len())
        .sum();
    assert_eq!(edits, refs.as_array().unwrap().len());
    // An enum value of the expected type: its declaration.
    let (_, pos) = at(file, "then injury.applicant = host", 24);
    let items = c.request("textDocument/completion", pos.clone());
    assert_eq!(
        strings(&items, "label"),
        ["agency", "agency_branch", "host"],
        "the values of Party"
    );
    let defs = c.request("textDocument/definition", pos);
    assert_eq!(defs.as_array().unwrap().len(), 1, "{defs}");
    // `cites 4.2`: the paragraph's text; the quote: whether it matches.
    let (_, pos) = at(file, "cites 4.2", 7);
    let h = c.request("textDocument/hover", pos);
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("**4.2** 外省市劳务派遣单位"));
    let (_, pos) = at(file, "cites 4.2 \"", 12);
    let h = c.request("textDocument/hover", pos);
    assert!(h["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("the quote is in paragraph 4.2"));
    c.stop();
}

#[test]
fn completion_symbols_and_formatting() {
    let mut c = Client::start();
    let file = "06-wage-arrears.policy";
    let text = std::fs::read_to_string(shipped(file)).unwrap();
    open(&mut c, file, &text);
    // Names in scope and keywords.
    let (_, pos) = at(file, "rule", 0);
    let items = c.request("textDocument/completion", pos);
    let labels: Vec<&str> = strings(&items, "label");
    for want in [
        "rule",
        "when",
        "agency.registered_in_shanghai",
        "penalty_due",
        "max_advances_per_matter",
    ] {
        assert!(labels.contains(&want), "{want} in {labels:?}");
    }
    // After `cites`: paragraph numbers; inside its quote: the sentences.
    let edited = text.replacen("cites 6.1 \"", "cites 6.1 \"\n  cites 6.1 \"", 1);
    change(&mut c, file, 2, &edited);
    let line = edited.lines().position(|l| l == "  cites 6.1 \"").unwrap();
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&shipped(file))}, "position": {"line": line, "character": 13}}),
    );
    let sentences: Vec<&str> = strings(&items, "label");
    assert!(
        sentences.len() > 1 && sentences.iter().all(|s| !s.contains('。')),
        "{sentences:?}"
    );
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&shipped(file))}, "position": {"line": line, "character": 8}}),
    );
    let numbers: Vec<&str> = strings(&items, "label");
    assert!(
        numbers.contains(&"6.1") && numbers.contains(&"8.1"),
        "{numbers:?}"
    );
    // The outline (once the file parses again): the declarations, then the
    // rules under the provision they cite, headed as the regulation heads it.
    change(&mut c, file, 3, &text);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&shipped(file))}}),
    );
    let names: Vec<&str> = strings(&symbols, "name");
    assert!(names.contains(&"max_advances_per_matter"), "{names:?}");
    let provision = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == json!("六、关于欠薪保障金垫付的问题"))
        .unwrap_or_else(|| panic!("provision 6 in {names:?}"));
    assert!(
        strings(&provision["children"], "name").contains(&"advance_from_fund"),
        "{provision}"
    );
    // Formatting: a formatted file needs no edit; a re-spaced one is put back.
    change(&mut c, file, 4, &text.replace("\n  when", "\n        when"));
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri(&shipped(file))}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits[0]["newText"], json!(text));
    c.stop();
}

#[test]
fn the_national_document_cites_items_and_hovers_its_own_text() {
    let mut c = Client::start();
    let file = "paiqian-zanxing-guiding-2014/12-return.policy";
    let text = std::fs::read_to_string(shipped(file)).expect("read");
    open(&mut c, file, &text);
    assert_eq!(c.diagnostics(file), Vec::<Value>::new());
    let mut hover = |needle: &str, ahead: u32| {
        let h = c.request("textDocument/hover", at(file, needle, ahead).1);
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    // An item (项): its own text, from the national text, not the Shanghai one.
    assert_eq!(
        hover("not encoded 12.1.3", 14),
        "**12.1.3** （三）劳务派遣协议期满终止的。"
    );
    // The reason a whole item is set aside is not a quote of it.
    let value = hover("not encoded 12.1.3 \"", 22);
    assert!(
        value.starts_with("the reason for setting aside paragraph 12.1.3"),
        "{value}"
    );
    // A quote of the national text is checked against it.
    let value = hover("cites 12.1 \"", 14);
    assert!(
        value.starts_with("the quote is in paragraph 12.1"),
        "{value}"
    );
    // A fact: where it is declared, and each place that names it.
    let value = hover("fact return.ground", 7);
    assert!(
        value.contains("declared in `12-return.policy` line 11; named 3 times elsewhere:")
            && value
                .contains("- `12-return.policy` line 32, rule `no_return_in_protected_situation`"),
        "{value}"
    );
    // Inside a quote after an item: the item's sentences.
    let edited = text.replacen(
        "not encoded 12.1.3 \"",
        "not encoded 12.1.3 \"\nnot encoded 12.1.3 \"",
        1,
    );
    change(&mut c, file, 2, &edited);
    let line = edited
        .lines()
        .position(|l| l == "not encoded 12.1.3 \"")
        .unwrap();
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri(&shipped(file))}, "position": {"line": line, "character": 20}}),
    );
    assert_eq!(strings(&items, "label"), ["（三）劳务派遣协议期满终止的"]);
    // The outline: rules and the units set aside under their article, in
    // the national text's chapter and article.
    change(&mut c, file, 3, &text);
    let symbols = c.request(
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": uri(&shipped(file))}}),
    );
    let article = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == json!("第三章　劳动合同、劳务派遣协议的订立和履行 · 第十二条"))
        .unwrap_or_else(|| panic!("article 12 in {symbols}"));
    assert_eq!(
        strings(&article["children"], "name"),
        [
            "return_on_listed_ground",
            "not encoded 12.1.1",
            "not encoded 12.1.2",
            "not encoded 12.1.3",
            "not encoded 12.2"
        ]
    );
    c.stop();
}
