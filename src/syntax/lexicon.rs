//! The lexical classes of the policy language, defined once: which characters
//! are blanks, which words are keywords (in their English and Chinese forms),
//! and which of them are reserved.
//!
//! Everything that reads policy text at the level of words takes its classes
//! from here: the grammar's keyword rules (`grammar/keywords.pest` is
//! generated from [`KEYWORDS`] and a test keeps it in step), the nesting guard
//! that runs before the parser, the syntax-error messages, `regula fmt
//! --keywords`, the fuzz dictionary and the keyword table of the README.
//! A new keyword is one entry of [`KEYWORDS`].
//!
//! Time: every function here is O(length of its input).

/// Blanks between tokens (besides line breaks): space, tab and the
/// ideographic space U+3000 that Chinese input methods type.
pub const BLANKS: [char; 3] = [' ', '\t', '\u{3000}'];

/// Whether a character is a blank ([`BLANKS`]).
pub fn is_blank(c: char) -> bool {
    BLANKS.contains(&c)
}

/// Whether a character is a Unicode blank outside ASCII (U+3000, a
/// no-break space, an en space …) or an invisible one (zero-width space,
/// word joiner, byte order mark): what an ASCII format refuses, and, but
/// for U+3000, what the language does.
pub fn is_unicode_blank(c: char) -> bool {
    (!c.is_ascii() && c.is_whitespace()) || matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}')
}

/// Whether a character breaks a line (`\n`, or `\r` of `\r\n` or alone).
pub fn is_line_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// Whether a character may continue a word (a name, a keyword or a number).
pub fn is_word_char(c: char) -> bool {
    c == '_' || pest::unicode::XID_CONTINUE(c)
}

/// The two forms of the keywords. One file uses one form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Form {
    /// English: `rule`, `when`, `then`, …
    #[default]
    En,
    /// Chinese: `规则`, `当`, `则`, …
    Zh,
}

impl Form {
    /// The form's name in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Form::En => "English",
            Form::Zh => "Chinese",
        }
    }
    /// The name given to `regula fmt --keywords`.
    pub fn code(self) -> &'static str {
        match self {
            Form::En => "en",
            Form::Zh => "zh",
        }
    }
}

/// How a keyword may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Opens a top-level declaration; reserved.
    Declaration,
    /// Reserved everywhere: never a name.
    Reserved,
    /// A keyword only where the grammar expects it; usable as a name.
    Contextual,
}

/// One keyword: the grammar rule `kw_NAME`, its spellings in each form.
#[derive(Clone, Copy, Debug)]
pub struct Keyword {
    /// The grammar rule is `kw_` followed by this.
    pub name: &'static str,
    /// The English spellings, the canonical one first. A phrase's words are
    /// separated by blanks or line breaks in a file.
    pub en: &'static [&'static str],
    /// The Chinese spelling: one word.
    pub zh: &'static str,
    /// Reserved or contextual.
    pub class: Class,
    /// What it means, for the keyword table and editors.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))]
    pub meaning: &'static str,
}

impl Keyword {
    /// The canonical spelling in a form.
    pub fn spelling(&self, form: Form) -> &'static str {
        match form {
            Form::En => self.en.first().copied().unwrap_or(self.name),
            Form::Zh => self.zh,
        }
    }
    /// The grammar rule's name.
    #[cfg_attr(not(feature = "internals"), allow(dead_code))]
    pub fn rule(&self) -> String {
        format!("kw_{}", self.name)
    }
    /// Whether a spelling is this keyword's, and in which form. The words of
    /// an English phrase may be separated by any blanks and line breaks.
    pub fn form_of(&self, text: &str) -> Option<Form> {
        if text == self.zh {
            return Some(Form::Zh);
        }
        let words = text.split(|c: char| is_blank(c) || is_line_break(c));
        let words: Vec<&str> = words.filter(|w| !w.is_empty()).collect();
        self.en
            .iter()
            .any(|e| e.split(' ').eq(words.iter().copied()))
            .then_some(Form::En)
    }
    /// The word that makes this keyword reserved, in a form: a phrase's first.
    fn reserved_word(&self, form: Form) -> Option<&'static str> {
        if self.class == Class::Contextual {
            return None;
        }
        match form {
            Form::En => self.en.first().and_then(|e| e.split(' ').next()),
            Form::Zh => Some(self.zh),
        }
    }
}

macro_rules! kw {
    ($name:literal, [$($en:literal),+], $zh:literal, $class:ident, $meaning:literal) => {
        Keyword {
            name: $name,
            en: &[$($en),+],
            zh: $zh,
            class: Class::$class,
            meaning: $meaning,
        }
    };
}

/// Every keyword of the language, in both forms.
///
/// The Chinese forms follow the wording of regulations: 依据 (the basis a
/// rule cites), 例外于 (an exception to), 当 … 则 … (when … then …), 未编码
/// (not encoded); 施行自 … 至 … is the in-force period.
pub const KEYWORDS: &[Keyword] = &[
    kw!("document", ["document"], "文件", Declaration, "the document header"),
    kw!("enum", ["enum"], "枚举", Declaration, "an enumerated type"),
    kw!("record", ["record"], "记录", Declaration, "a record type"),
    kw!("fact", ["fact"], "事实", Declaration, "a fact a case states"),
    kw!("outcome", ["outcome"], "结论", Declaration, "an outcome the rules conclude"),
    kw!("parameter", ["parameter"], "参数", Declaration, "a named value that revisions change"),
    kw!("define", ["define"], "定义", Declaration, "a definition with parameters"),
    kw!("rule", ["rule"], "规则", Declaration, "a rule"),
    kw!("not_encoded", ["not encoded"], "未编码", Declaration, "a paragraph deliberately left without rules"),
    kw!("corresponds", ["corresponds"], "对应", Declaration, "an outcome answering the question of a higher-ranked document's outcome"),
    kw!("differs", ["differs"], "不同于", Declaration, "a known difference from a higher-ranked document, as a note"),
    kw!("issuer", ["issuer"], "发文机关", Contextual, "the issuing authority of a document"),
    kw!("issued", ["issued"], "发文日期", Contextual, "the date a document was issued"),
    kw!("source", ["source"], "原文", Contextual, "the file with the verbatim text"),
    kw!("rank", ["rank"], "位阶", Contextual, "a document's rank (法律, 部门规章, 规范性文件, …)"),
    kw!("implements", ["implements"], "实施", Contextual, "the higher-ranked document this one implements"),
    kw!("as", ["as"], "视为", Contextual, "a document's in-force outcome; a value counted as another's"),
    kw!("because", ["because"], "理由", Contextual, "the reason a clause is not encoded"),
    kw!("same", ["same"], "同值", Contextual, "values of a correspondence that count as the same"),
    kw!("agrees", ["agrees"], "一致", Contextual, "a correspondence whose outcomes always agree"),
    kw!("in_force_from", ["in force from"], "施行自", Contextual, "the first day a document is in force"),
    kw!("to", ["to"], "至", Contextual, "the last day of a period"),
    kw!("from", ["from"], "自", Contextual, "the first day a value or revision applies"),
    kw!("replaces", ["replaces"], "取代", Contextual, "a document this one replaces"),
    kw!("amends", ["amends"], "修改", Contextual, "a document this one amends"),
    kw!("rules", ["rules"], "规则项", Contextual, "the rules an amendment replaces"),
    kw!("parameters", ["parameters"], "参数项", Contextual, "the parameters an amendment replaces"),
    kw!("default", ["default"], "默认", Contextual, "an outcome's value when no rule applies"),
    kw!("int", ["int"], "整数", Contextual, "the type of whole numbers"),
    kw!("bool", ["bool"], "布尔", Contextual, "the type of true and false"),
    kw!("date", ["date"], "日期", Contextual, "the type of calendar dates"),
    kw!("text", ["text"], "文本", Contextual, "the type of text"),
    kw!("cites", ["cites"], "依据", Reserved, "the paragraph and words a rule encodes"),
    kw!("exception_to", ["exception to"], "例外于", Reserved, "the rules a rule is an exception to"),
    kw!("when", ["when"], "当", Reserved, "a rule's condition"),
    kw!("then", ["then"], "则", Reserved, "a rule's conclusion, or the first branch of `if`"),
    kw!("if", ["if"], "如果", Reserved, "a conditional value"),
    kw!("else", ["else"], "否则", Reserved, "the second branch of `if`"),
    kw!("and", ["and"], "且", Reserved, "conjunction"),
    kw!("or", ["or"], "或", Reserved, "disjunction"),
    kw!("not_in", ["not in"], "不属于", Reserved, "not a member of a set"),
    kw!("in", ["in"], "属于", Reserved, "a member of a set"),
    kw!("not", ["not"], "非", Reserved, "negation"),
    kw!("true", ["true"], "真", Reserved, "true"),
    kw!("false", ["false"], "假", Reserved, "false"),
    kw!("as_of", ["as_of"], "评估日", Reserved, "the date of the assessment"),
    kw!("days", ["days", "day"], "日", Contextual, "a number of days"),
    kw!("months", ["months", "month"], "个月", Contextual, "a number of months"),
    kw!("years", ["years", "year"], "年", Contextual, "a number of years"),
    kw!("round_up", ["round up"], "向上取整", Contextual, "rounding a part month or year up"),
    kw!("round_down", ["round down"], "向下取整", Contextual, "rounding a part month or year down"),
];

/// The keyword behind a grammar rule name such as `kw_rule`.
pub fn by_rule(rule: &str) -> Option<&'static Keyword> {
    let name = rule.strip_prefix("kw_")?;
    KEYWORDS.iter().find(|k| k.name == name)
}

/// The keyword a single word is, and in which form (phrases such as
/// `exception to` are not single words; their first word may be a keyword
/// of its own).
pub fn word(w: &str) -> Option<(&'static Keyword, Form)> {
    KEYWORDS.iter().find_map(|k| {
        if k.zh == w {
            Some((k, Form::Zh))
        } else if k.en.contains(&w) {
            Some((k, Form::En))
        } else {
            None
        }
    })
}

/// The reserved words of a form: never names.
pub fn reserved(form: Form) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for k in KEYWORDS {
        if let Some(w) = k.reserved_word(form) {
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// The words that open a declaration, in a form (a phrase's first word).
pub fn declaration_words(form: Form) -> Vec<&'static str> {
    KEYWORDS
        .iter()
        .filter(|k| k.class == Class::Declaration)
        .filter_map(|k| match form {
            Form::En => k.en.first().and_then(|e| e.split(' ').next()),
            Form::Zh => Some(k.zh),
        })
        .filter(|w| *w != "not")
        .collect()
}

/// A pest string literal.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
fn pest_literal(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' ' => out.push(' '),
            '\t' => out.push_str("\\t"),
            c if !c.is_control() && !c.is_whitespace() => out.push(c),
            c => out.push_str(&format!("\\u{{{:X}}}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// One spelling as a pest expression: a phrase's words joined by blanks.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
fn pest_spelling(s: &str) -> String {
    s.split(' ')
        .map(pest_literal)
        .collect::<Vec<_>>()
        .join(" ~ WHITESPACE+ ~ ")
}

/// The grammar's lexical rules, generated from [`BLANKS`] and [`KEYWORDS`]:
/// the text of `grammar/keywords.pest`.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn pest_grammar() -> String {
    let mut out = String::new();
    out.push_str(
        "// The lexical rules of the policy language: blanks and keywords.\n\
         //\n\
         // GENERATED from `src/syntax/lexicon.rs` (the one table of keywords in\n\
         // both forms); do not edit. A test compares this file with the table;\n\
         // `REGULA_BLESS=1 cargo test --lib lexicon` rewrites it.\n\n",
    );
    let blanks: Vec<String> = BLANKS.iter().map(|c| pest_literal(&c.to_string())).collect();
    out.push_str("/// Blanks between tokens; a byte-order mark is stripped before parsing.\n");
    out.push_str(&format!(
        "WHITESPACE = _{{ {} | NEWLINE }}\n\n",
        blanks.join(" | ")
    ));
    // Longer spellings first: an ordered choice never retries after a
    // shorter alternative that is a prefix of the word matched.
    let mut reserved_words: Vec<&str> = reserved(Form::En);
    reserved_words.extend(reserved(Form::Zh));
    reserved_words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    let words: Vec<String> = reserved_words.into_iter().map(pest_literal).collect();
    out.push_str(
        "/// Every reserved word, in both forms: never a name. The other keywords\n\
         /// are contextual and stay usable as names.\n",
    );
    out.push_str(&format!(
        "keyword = @{{ ({}) ~ !XID_CONTINUE }}\n\n",
        words.join(" | ")
    ));
    for k in KEYWORDS {
        let mut all: Vec<&str> = k.en.to_vec();
        all.push(k.zh);
        all.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        let spellings: Vec<String> = all.into_iter().map(pest_spelling).collect();
        out.push_str(&format!("/// {}\n", k.meaning));
        out.push_str(&format!(
            "{} = @{{ ({}) ~ !XID_CONTINUE }}\n",
            k.rule(),
            spellings.join(" | ")
        ));
    }
    out
}

/// A lexeme of policy text, as the grammar splits it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lexeme<'a> {
    /// A maximal run of word characters: a name, a keyword or a number.
    Word(&'a str),
    /// A quoted string (possibly unterminated at the end of its line).
    Text,
    /// A `//` comment.
    Comment,
    /// Blanks and line breaks.
    Blank,
    /// Any other character: punctuation.
    Punct(char),
}

/// The lexemes of a text with their byte offsets.
pub fn lexemes(text: &str) -> Lexemes<'_> {
    Lexemes { text, at: 0 }
}

/// Iterator of [`lexemes`].
pub struct Lexemes<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Lexemes<'a> {
    type Item = (usize, Lexeme<'a>);
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.at;
        let rest = self.text.get(start..)?;
        let mut chars = rest.char_indices();
        let (_, c) = chars.next()?;
        let end_of = |pred: &dyn Fn(char) -> bool| {
            rest.char_indices()
                .skip(1)
                .find(|(_, c)| !pred(*c))
                .map(|(i, _)| i)
                .unwrap_or(rest.len())
        };
        let (len, lexeme) = if is_blank(c) || is_line_break(c) {
            (end_of(&|c| is_blank(c) || is_line_break(c)), Lexeme::Blank)
        } else if is_word_char(c) {
            let n = end_of(&is_word_char);
            (n, Lexeme::Word(rest.get(..n).unwrap_or("")))
        } else if c == '/' && rest.starts_with("//") {
            (end_of(&|c| !is_line_break(c)), Lexeme::Comment)
        } else if c == '"' {
            let mut escaped = false;
            let mut n = rest.len();
            for (i, c) in chars {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' {
                    n = i + 1;
                    break;
                } else if is_line_break(c) {
                    n = i;
                    break;
                }
            }
            (n, Lexeme::Text)
        } else {
            (c.len_utf8(), Lexeme::Punct(c))
        };
        self.at = start + len.max(1);
        Some((start, lexeme))
    }
}

/// The form of a file's keywords, judged by its first reserved keyword
/// (contextual ones may be names); `None` for a file without any.
pub fn form_of_text(text: &str) -> Option<Form> {
    lexemes(text).find_map(|(_, l)| match l {
        Lexeme::Word(w) => word(w)
            .filter(|(k, _)| k.class != Class::Contextual)
            .map(|(_, f)| f),
        _ => None,
    })
}

/// Rewrites the keywords quoted in a message (between backticks) into a form:
/// "expected `then`" becomes "expected `则`", "`rule name cites 4.2 "…"`"
/// becomes "`规则 name 依据 4.2 "…"`". Names and strings are kept.
pub fn localise(message: &str, form: Form) -> String {
    if form == Form::En {
        return message.to_string();
    }
    let mut out = String::with_capacity(message.len());
    for (i, part) in message.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(&localise_code(part, form));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// The keywords of a piece of code in a form: phrases first, then words.
/// A contextual keyword alone may be a name (`source`, `date`), a word beside
/// a `.` is part of a dotted name, and a declaration keyword after the first
/// word is a placeholder (`then outcome = value`): those are kept.
fn localise_code(code: &str, form: Form) -> String {
    let ls: Vec<(usize, Lexeme)> = lexemes(code).collect();
    let has_reserved = ls.iter().any(|(_, l)| {
        matches!(l, Lexeme::Word(w) if word(w).is_some_and(|(k, _)| k.class != Class::Contextual))
    });
    let is_dot = |j: Option<usize>| {
        j.and_then(|j| ls.get(j))
            .is_some_and(|(_, l)| *l == Lexeme::Punct('.'))
    };
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    while let Some(&(start, _)) = ls.get(i) {
        if let Some((k, words, used)) = phrase_at(&ls, i) {
            let dotted = is_dot(i.checked_sub(1)) || is_dot(Some(i + used));
            let placeholder = k.class == Class::Declaration && i > 0;
            if !dotted && !placeholder && (k.class != Class::Contextual || words > 1 || has_reserved)
            {
                out.push_str(k.spelling(form));
                i += used;
                continue;
            }
        }
        let end = ls.get(i + 1).map(|(s, _)| *s).unwrap_or(code.len());
        out.push_str(code.get(start..end).unwrap_or(""));
        i += 1;
    }
    out
}

/// The longest English keyword spelling whose words start at lexeme `i`:
/// the keyword, its number of words, and the lexemes it spans.
fn phrase_at(ls: &[(usize, Lexeme)], i: usize) -> Option<(&'static Keyword, usize, usize)> {
    let mut best: Option<(&'static Keyword, usize, usize)> = None;
    for k in KEYWORDS {
        for e in k.en {
            let n = e.split(' ').count();
            let matches = e.split(' ').enumerate().all(|(j, w)| {
                let blank = j == 0 || ls.get(i + 2 * j - 1).is_some_and(|(_, l)| *l == Lexeme::Blank);
                blank && ls.get(i + 2 * j).is_some_and(|(_, l)| *l == Lexeme::Word(w))
            });
            if matches && best.is_none_or(|(_, m, _)| n > m) {
                best = Some((k, n, 2 * n - 1));
            }
        }
    }
    best
}

/// Rewrites keyword tokens (byte ranges of a text, with the keyword each is)
/// into a form, keeping every other byte.
pub fn convert(text: &str, tokens: &[(usize, usize, &Keyword)], form: Form) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut at = 0;
    for (start, end, k) in tokens {
        out.push_str(text.get(at..*start).unwrap_or(""));
        out.push_str(k.spelling(form));
        at = *end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// The libFuzzer dictionary of the policy language (`fuzz/policy.dict`):
/// every keyword spelling and phrase word in both forms, every blank and
/// line break, and the punctuation.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn fuzz_dictionary() -> String {
    fn entry(out: &mut String, s: &str) {
        let mut quoted = String::new();
        for b in s.bytes() {
            if b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ' {
                quoted.push(char::from(b));
            } else {
                quoted.push_str(&format!("\\x{b:02X}"));
            }
        }
        let line = format!("\"{quoted}\"\n");
        if !out.contains(&line) {
            out.push_str(&line);
        }
    }
    let mut out = String::from(
        "# The policy language's tokens for libFuzzer (-dict=policy.dict).\n\
         # GENERATED from src/syntax/lexicon.rs; `REGULA_BLESS=1 cargo test --lib lexicon` rewrites it.\n",
    );
    for k in KEYWORDS {
        for e in k.en {
            entry(&mut out, e);
            for w in e.split(' ') {
                entry(&mut out, w);
            }
        }
        entry(&mut out, k.zh);
    }
    for c in BLANKS {
        entry(&mut out, &c.to_string());
    }
    for s in ["\n", "\r\n", "\r", "//", "\"", "\\", "(", ")", "{", "}", ",", ":", "=", "!=", "<=", ">=", ".", "-", "+", "*"] {
        entry(&mut out, s);
    }
    out
}

/// The highlighting scope of a keyword (TextMate naming conventions).
pub fn scope(k: &Keyword) -> &'static str {
    match (k.class, k.name) {
        (Class::Declaration, _) => "keyword.declaration.regula",
        (_, "cites" | "exception_to" | "when" | "then" | "if" | "else") => "keyword.control.regula",
        (_, "and" | "or" | "not" | "in" | "not_in") => "keyword.operator.word.regula",
        (_, "true" | "false" | "as_of") => "constant.language.regula",
        (_, "int" | "bool" | "date" | "text") => "support.type.regula",
        (_, "days" | "months" | "years" | "round_up" | "round_down") => "keyword.other.unit.regula",
        _ => "keyword.other.regula",
    }
}

/// The highlighting rules of the language, in order: (scope, regular
/// expression), each expression in the syntax shared by TextMate's
/// Oniguruma and Sublime/syntect. Keywords come from [`KEYWORDS`] (both
/// forms, a phrase's words joined by blanks), grouped by scope.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn highlighting_rules() -> Vec<(&'static str, String)> {
    // A word character of the language (`_` or XID_CONTINUE), approximated
    // by Unicode classes both engines know, or the `.` of a dotted name (a
    // keyword beside it is part of a name: `order.issued`).
    const WORD: &str = r"[\p{L}\p{N}\p{Mn}\p{Mc}\p{Pc}.]";
    let mut rules: Vec<(&'static str, String)> = Vec::new();
    let mut scopes: Vec<&'static str> = KEYWORDS.iter().map(scope).collect();
    scopes.dedup();
    let mut seen: Vec<&str> = Vec::new();
    for s in scopes {
        if seen.contains(&s) {
            continue;
        }
        seen.push(s);
        let mut words: Vec<String> = Vec::new();
        for k in KEYWORDS.iter().filter(|k| scope(k) == s) {
            for e in k.en {
                words.push(e.split(' ').collect::<Vec<_>>().join(r"[\s\x{3000}]+"));
            }
            words.push(k.zh.to_string());
        }
        words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        rules.push((s, format!("(?<!{WORD})(?:{})(?!{WORD})", words.join("|"))));
    }
    rules.push(("constant.numeric.date.regula", r"\b[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\b".into()));
    rules.push(("constant.numeric.regula", r"(?<!\p{L})[0-9][0-9_]*(?:\.[0-9]+)?".into()));
    rules.push(("keyword.operator.regula", r"<=|>=|!=|=|<|>|\+|-|\*".into()));
    rules
}

/// The TextMate grammar (`editors/vscode/syntaxes/regula.tmLanguage.json`).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn textmate_grammar() -> String {
    let mut patterns = vec![
        serde_json::json!({"name": "comment.line.double-slash.regula", "match": "//.*$"}),
        serde_json::json!({
            "name": "string.quoted.double.regula",
            "begin": "\"",
            "end": "\"|$",
            "patterns": [{"name": "constant.character.escape.regula", "match": "\\\\."}]
        }),
    ];
    for (scope, regex) in highlighting_rules() {
        patterns.push(serde_json::json!({"name": scope, "match": regex}));
    }
    let grammar = serde_json::json!({
        "$comment": "GENERATED from src/syntax/lexicon.rs (the keyword table); `REGULA_BLESS=1 cargo test --lib lexicon` rewrites it.",
        "name": "regula",
        "scopeName": "source.regula",
        "fileTypes": ["policy"],
        "patterns": patterns,
    });
    serde_json::to_string_pretty(&grammar).unwrap_or_default() + "\n"
}

/// The same rules as a Sublime syntax (`editors/sublime/regula.sublime-syntax`),
/// which syntect reads (the tests tokenise the shipped policies with it).
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn sublime_syntax() -> String {
    let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
    let mut out = String::from(
        "%YAML 1.2\n---\n# GENERATED from src/syntax/lexicon.rs (the keyword table), with the\n\
         # rules of editors/vscode/syntaxes/regula.tmLanguage.json.\n\
         name: regula\nscope: source.regula\nfile_extensions: [policy]\ncontexts:\n  main:\n\
         \x20   - match: '//.*$'\n      scope: comment.line.double-slash.regula\n\
         \x20   - match: '\"'\n      push: string\n",
    );
    for (scope, regex) in highlighting_rules() {
        out.push_str(&format!("    - match: {}\n      scope: {scope}\n", quote(&regex)));
    }
    out.push_str(
        "  string:\n    - meta_scope: string.quoted.double.regula\n\
         \x20   - match: '\\\\.'\n      scope: constant.character.escape.regula\n\
         \x20   - match: '\"|$'\n      pop: true\n",
    );
    out
}

/// The keyword table of the README, as Markdown rows.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn markdown_table() -> String {
    let mut out = String::from("| English | 中文 | reserved | meaning |\n| --- | --- | --- | --- |\n");
    for k in KEYWORDS {
        let en: Vec<String> = k.en.iter().map(|e| format!("`{e}`")).collect();
        let class = match k.class {
            Class::Declaration | Class::Reserved => "yes",
            Class::Contextual => "no",
        };
        out.push_str(&format!(
            "| {} | `{}` | {class} | {} |\n",
            en.join(", "),
            k.zh,
            k.meaning.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file generated from the table is what the table generates now;
    /// `REGULA_BLESS=1` rewrites it.
    fn generated(file: &str, want: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        if std::env::var_os("REGULA_BLESS").is_some() {
            std::fs::write(&path, want).expect("the generated file is writable");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            have == want,
            "{file} differs from src/syntax/lexicon.rs; \
             run `REGULA_BLESS=1 cargo test --lib lexicon` to regenerate it"
        );
    }

    /// `grammar/keywords.pest` is generated from the table; this keeps it so.
    #[test]
    fn the_grammar_keyword_rules_are_the_table() {
        generated("grammar/keywords.pest", &pest_grammar());
    }

    /// The editors' grammars are generated from the table too.
    #[test]
    fn the_highlighting_grammars_are_the_table() {
        generated("editors/vscode/syntaxes/regula.tmLanguage.json", &textmate_grammar());
        generated("editors/sublime/regula.sublime-syntax", &sublime_syntax());
    }

    /// `fuzz/policy.dict` is generated from the table too.
    #[test]
    fn the_fuzz_dictionary_is_the_table() {
        let want = fuzz_dictionary();
        generated("fuzz/policy.dict", &want);
        assert!(want.contains("\"\\xE3\\x80\\x80\""), "U+3000 is in the dictionary");
    }

    /// The README's keyword table is the table.
    #[test]
    fn the_readme_table_is_the_table() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("<!-- keywords:begin -->\n")
            .nth(1)
            .and_then(|t| t.split("<!-- keywords:end -->").next())
            .unwrap_or_default();
        assert_eq!(table, markdown_table());
    }

    #[test]
    fn spellings_are_unique_words_of_one_form() {
        let mut seen: Vec<&str> = Vec::new();
        for k in KEYWORDS {
            assert!(!seen.contains(&k.zh), "{} is spelled twice", k.zh);
            seen.push(k.zh);
            assert!(k.zh.chars().all(is_word_char), "{}: one word", k.zh);
            assert!(!k.zh.is_ascii(), "{}: a Chinese form", k.zh);
            for e in k.en {
                assert!(e.is_ascii(), "{e}: an English form");
                if !e.contains(' ') {
                    assert!(!seen.contains(e), "{e} is spelled twice");
                    seen.push(e);
                }
            }
        }
    }

    #[test]
    fn messages_quote_keywords_in_the_file_form() {
        assert_eq!(
            localise("expected `then`, found `x`", Form::Zh),
            "expected `则`, found `x`"
        );
        assert_eq!(
            localise("a rule reads `rule name cites 4.2 \"when\"`, then `exception to a`", Form::Zh),
            "a rule reads `规则 name 依据 4.2 \"when\"`, then `例外于 a`"
        );
        assert_eq!(localise("`not in` and `not`", Form::Zh), "`不属于` and `非`");
        // Names and placeholders stay: a dotted name, a contextual keyword
        // alone (it may be a name), a declaration word inside an example.
        assert_eq!(
            localise("`ord0.issued`, `source` and `then outcome = value`", Form::Zh),
            "`ord0.issued`, `source` and `则 outcome = value`"
        );
        assert_eq!(localise("`in force from`", Form::Zh), "`施行自`");
        assert_eq!(localise("`then`", Form::En), "`then`");
    }

    #[test]
    fn lexemes_cover_the_text_and_know_every_blank() {
        let text = "not\u{3000}not\t(a)// c\n\"s\\\"\" 规则";
        let ls: Vec<_> = lexemes(text).collect();
        assert_eq!(ls.first(), Some(&(0, Lexeme::Word("not"))));
        assert_eq!(ls.get(1), Some(&(3, Lexeme::Blank)));
        assert!(ls.contains(&(text.len() - "规则".len(), Lexeme::Word("规则"))));
        assert!(ls.iter().any(|(_, l)| *l == Lexeme::Comment));
        assert!(ls.iter().any(|(_, l)| *l == Lexeme::Text));
        assert_eq!(form_of_text("// rule\n规则 a"), Some(Form::Zh));
        assert_eq!(form_of_text("\"规则\" rule"), Some(Form::En));
    }
}
