//! The problems of records: a case (facts as JSON, YAML or TOML), a test's
//! expectation file, the files of a test suite, and a date as written. As
//! for [`super::Problem`], each problem is data and its message and help are
//! written here once; the decoders that find a problem only say which, and
//! where (a key path, carried beside the problem).

use super::problem::{mean, ticked};
use std::borrow::Cow;
use std::fmt;

/// Longest key or text quoted whole in a message; longer ones are cut.
const MAX_SHOWN_CHARS: usize = 80;

/// A key or a text as quoted in a message: cut with `…` past
/// [`MAX_SHOWN_CHARS`] characters, so a megabyte value is not printed back.
pub(crate) fn shorten(s: &str) -> Cow<'_, str> {
    match s.char_indices().nth(MAX_SHOWN_CHARS) {
        Some((i, _)) => Cow::Owned(format!("{}…", s.get(..i).unwrap_or(s))),
        None => Cow::Borrowed(s),
    }
}

/// The words a decoder's error carries for a YAML tag (`!name value`): the
/// YAML parser adds where it stands, and the decoder recognises them to
/// report [`CaseProblem::YamlTag`].
pub(crate) const YAML_TAG: &str =
    "a YAML tag such as `!name` is not allowed in a case; write the plain value";

/// The words a decoder's error carries for a key given twice in an
/// expectation file; the JSON parser adds where it stands.
pub(crate) fn key_given_twice(key: &str) -> String {
    format!("the key `{key}` is given twice")
}

/// Why a text is not a date (`YYYY-MM-DD`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateProblem {
    /// Not written `YYYY-MM-DD`.
    Shape(String),
    /// The month has no such day.
    NoDay {
        /// As written.
        text: String,
        /// The year.
        year: i32,
        /// The month.
        month: u32,
        /// The day.
        day: u32,
    },
    /// There is no such month.
    NoMonth {
        /// As written.
        text: String,
        /// The month.
        month: u32,
    },
}

impl fmt::Display for DateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateProblem::Shape(s) => write!(f, "`{s}` is not a date written YYYY-MM-DD"),
            DateProblem::NoDay {
                text,
                year,
                month,
                day,
            } => write!(
                f,
                "`{text}` is not a calendar date: month {month:02} of {year} has no day {day}"
            ),
            DateProblem::NoMonth { text, month } => write!(
                f,
                "`{text}` is not a calendar date: there is no month {month:02}"
            ),
        }
    }
}

impl std::error::Error for DateProblem {}

/// The kind of a value found where another was wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// A number with a fraction.
    Decimal,
    /// A number of either kind.
    Number,
    /// A string.
    Text,
    /// An object (a map).
    Object,
    /// An array (a list).
    Array,
}

impl Kind {
    fn words(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Boolean => "a boolean",
            Kind::Integer => "an integer",
            Kind::Decimal => "a decimal number",
            Kind::Number => "a number",
            Kind::Text => "a string",
            Kind::Object => "an object",
            Kind::Array => "an array",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.words())
    }
}

/// A value that is not a number: NaN or an infinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonFinite {
    /// NaN.
    NaN,
    /// Plus infinity.
    Infinity,
    /// Minus infinity.
    MinusInfinity,
}

impl NonFinite {
    /// Which one a non-finite number is.
    pub fn of(x: f64) -> NonFinite {
        if x.is_nan() {
            NonFinite::NaN
        } else if x > 0.0 {
            NonFinite::Infinity
        } else {
            NonFinite::MinusInfinity
        }
    }
}

/// What a fact's value (in a case) or an outcome's (in an expectation
/// file) must be, by its type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Want {
    /// A boolean.
    Bool,
    /// An integer.
    Int,
    /// A date string.
    Date,
    /// A string.
    Text,
    /// One of an enum's values.
    OneOf(Vec<String>),
    /// Any value (a type a case cannot state).
    Value,
}

impl Want {
    fn words(&self) -> String {
        match self {
            Want::Bool => "true or false".into(),
            Want::Int => "an integer".into(),
            Want::Date => "a date string (YYYY-MM-DD)".into(),
            Want::Text => "a string".into(),
            Want::OneOf(values) => format!("one of {}", ticked(values)),
            Want::Value => "a value".into(),
        }
    }
}

/// A value found where a fact wants another type.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Found {
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i128),
    /// A number, as written.
    Number(String),
    /// Anything else.
    Kind(Kind),
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Text(s) => write!(f, "the string \"{}\"", shorten(s)),
            Found::Bool(b) => write!(f, "{b}"),
            Found::Int(n) => write!(f, "{n}"),
            Found::Number(n) => f.write_str(n),
            Found::Kind(k) => write!(f, "{k}"),
        }
    }
}

/// What advice ends a syntax error: by the format and where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Syntax {
    /// Any format.
    Any,
    /// Text after a JSON case's one object.
    JsonEnd,
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
}

impl Syntax {
    fn help(self) -> &'static str {
        match self {
            Syntax::Any => "check the file is well-formed JSON, YAML or TOML",
            Syntax::JsonEnd => "a case file holds exactly one JSON object",
            Syntax::Toml => "check the TOML syntax",
            Syntax::Yaml => "check the indentation and quoting",
        }
    }
}

/// The ASCII punctuation a full-width or typographic character stands
/// for, as Chinese input methods type them.
fn ascii_for(c: char) -> Option<char> {
    Some(match c {
        '：' => ':',
        '，' | '、' => ',',
        '｛' => '{',
        '｝' => '}',
        '［' | '【' => '[',
        '］' | '】' => ']',
        '＂' | '“' | '”' => '"',
        '＇' | '‘' | '’' => '\'',
        '＝' => '=',
        '＃' => '#',
        '－' => '-',
        '．' | '。' => '.',
        _ => return None,
    })
}

/// Whether a character, where a case's parser stopped, only looks like
/// the format's punctuation or blank: worth a hint of its own.
pub(crate) fn is_lookalike(c: char) -> bool {
    ascii_for(c).is_some() || crate::syntax::lexicon::is_unicode_blank(c)
}

/// One problem with a case, found while reading or decoding it. The key
/// it is about travels beside it ([`crate::case::CaseError`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CaseProblem {
    // ---- reading ----
    /// The source cannot be read.
    Unreadable {
        /// The source, in words (`the case file`, `standard input`).
        source: String,
        /// Why.
        reason: String,
    },
    /// A directory where a case file was named.
    Directory,
    /// A case file over the size limit.
    FileTooLarge {
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A source (a pipe, standard input) over the size limit.
    SourceTooLarge {
        /// The source, in words.
        source: String,
        /// The limit.
        limit: u64,
    },
    /// A source that is not UTF-8.
    NotUtf8 {
        /// The source, in words.
        source: String,
        /// The first byte that is not.
        at: usize,
    },
    /// A line of a batch that is not UTF-8.
    LineNotUtf8 {
        /// The first byte that is not.
        at: usize,
    },
    /// A request's body that is not UTF-8.
    BodyNotUtf8 {
        /// The first byte that is not.
        at: usize,
    },
    /// A line of a batch over the size limit.
    LineTooLong {
        /// Its size.
        bytes: u64,
        /// The limit.
        limit: u64,
    },
    /// A directory of cases that cannot be read.
    UnreadableDirectory {
        /// Why.
        reason: String,
    },

    // ---- syntax ----
    /// Nothing but white space.
    Empty,
    /// The format's parser refused the text.
    Malformed {
        /// The parser's message.
        detail: String,
        /// Which advice fits.
        syntax: Syntax,
        /// The character the parser stopped at, when it only looks like
        /// the format's punctuation or blank (`：` for `:`, U+3000).
        lookalike: Option<char>,
    },
    /// Nested past the parser's limit.
    NestedTooDeep {
        /// The limit.
        levels: usize,
        /// Which advice fits.
        syntax: Syntax,
    },
    /// Brackets nested past the limit, found before parsing (YAML).
    BracketsTooDeep {
        /// The limit.
        levels: usize,
    },
    /// A dotted key deeper than the limit, found before parsing (TOML).
    DottedKeysTooDeep {
        /// The limit.
        levels: usize,
    },
    /// More keys than a case can have (TOML).
    TooManyKeys {
        /// The limit.
        limit: usize,
    },
    /// The TOML parser refused the text.
    NotToml {
        /// Line and column, when known.
        at: Option<(usize, usize)>,
        /// The parser's message.
        detail: String,
    },
    /// The YAML parser refused the text.
    NotYaml {
        /// The parser's message.
        detail: String,
    },
    /// A YAML tag (`!name value`).
    YamlTag {
        /// The parser's message, `YAML_TAG` with its place.
        detail: String,
    },

    // ---- shape ----
    /// The case is not an object.
    NotAnObject {
        /// What it is.
        found: Kind,
    },
    /// A group of facts given as something else than an object.
    GroupNotObject {
        /// The group's dotted key.
        group: String,
        /// What it is.
        found: Kind,
        /// Its first few keys.
        keys: Vec<String>,
    },
    /// A key that names no fact.
    UnknownKey {
        /// The group it is in (empty at the top).
        group: String,
        /// The group's keys.
        keys: Vec<String>,
        /// The nearest known key, dotted from the top.
        suggestion: Option<String>,
    },
    /// The same key twice in one object.
    KeyTwice {
        /// The key.
        key: String,
    },
    /// A fact stated twice (nested and as a dotted key).
    FactTwice {
        /// The fact.
        fact: String,
    },
    /// `as_of` stated twice.
    AsOfTwice,
    /// No assessment date, in the case or on the command line.
    NoAsOf,

    // ---- values ----
    /// NaN or an infinity.
    NonFinite(NonFinite),
    /// An assessment date that is not a date.
    AsOfDate(DateProblem),
    /// An assessment date that is not a string.
    AsOfType {
        /// What it is.
        found: Kind,
    },
    /// A date fact that is not a date.
    Date(DateProblem),
    /// A count below its bound.
    BelowMinimum {
        /// The fact.
        fact: String,
        /// Its label.
        label: String,
        /// The bound.
        min: i64,
        /// The value.
        found: i64,
    },
    /// An integer beyond 64 bits.
    TooLarge {
        /// The value.
        number: i128,
    },
    /// A whole number beyond 64 bits, read as a decimal number.
    IntegerTooLarge {
        /// As written.
        number: String,
    },
    /// A decimal number for an integer fact.
    NotWhole {
        /// As written.
        number: String,
    },
    /// A string outside an enum fact's values.
    NotAValue {
        /// As written.
        value: String,
        /// The fact.
        fact: String,
        /// Its label.
        label: String,
        /// The enum's values.
        values: Vec<String>,
        /// The value whose label was written instead.
        label_of: Option<String>,
        /// The nearest value.
        suggestion: Option<String>,
    },
    /// A value of the wrong type.
    WrongType {
        /// The fact.
        fact: String,
        /// Its label.
        label: String,
        /// What its type wants.
        want: Want,
        /// What was given.
        found: Found,
    },

    // ---- built by name ----
    /// A fact named as if it were a group of facts.
    NotAGroup {
        /// The fact.
        part: String,
    },
    /// A fact given twice to a case builder.
    GivenTwice,

    // ---- the count ----
    /// Problems past the listing limit.
    MoreProblems {
        /// How many.
        count: usize,
        /// How many are listed.
        listed: usize,
    },
}

const OVERSIZE: &str =
    "a case describes one dispatch relationship; evaluate each case file on its own";
const AS_OF_FORMAT: &str = "write the assessment date as YYYY-MM-DD";
const TWICE: &str = "state each fact once; remove one of the two";

impl CaseProblem {
    /// The one-line message.
    pub fn message(&self) -> String {
        use CaseProblem as C;
        match self {
            C::Unreadable { source, reason } => format!("cannot read {source}: {reason}"),
            C::Directory => "this is a directory, not a case file".into(),
            C::FileTooLarge { bytes, limit } => {
                format!("the file is {bytes} bytes; a case file may be at most {limit} bytes")
            }
            C::SourceTooLarge { source, limit } => {
                format!("{source} holds more than {limit} bytes; a case may be at most that")
            }
            C::NotUtf8 { source, at } => format!("{source} is not valid UTF-8 (at byte {at})"),
            C::LineNotUtf8 { at } | C::BodyNotUtf8 { at } => {
                format!("the case is not valid UTF-8 (byte {at})")
            }
            C::LineTooLong { bytes, limit } => {
                format!("the case is {bytes} bytes; a case may be at most {limit}")
            }
            C::UnreadableDirectory { reason } => format!("cannot read the directory: {reason}"),
            C::Empty => "the case is empty".into(),
            C::Malformed { detail, .. } => format!("not a well-formed case: {detail}"),
            C::NestedTooDeep { levels, .. }
            | C::BracketsTooDeep { levels }
            | C::DottedKeysTooDeep { levels } => {
                format!("the case is nested too deeply (more than {levels} levels)")
            }
            C::TooManyKeys { limit } => format!("the case states more than {limit} keys"),
            C::NotToml { at, detail } => match at {
                Some((line, column)) => {
                    format!("not well-formed TOML at line {line} column {column}: {detail}")
                }
                None => format!("not well-formed TOML: {detail}"),
            },
            C::NotYaml { detail } => format!("not well-formed YAML: {detail}"),
            C::YamlTag { detail } => detail.clone(),
            C::NotAnObject { found } => format!("a case must be an object, found {found}"),
            C::GroupNotObject { found, .. } => format!("expected an object, found {found}"),
            C::UnknownKey { .. } => "unknown key".into(),
            C::KeyTwice { key } => format!("the key `{}` appears twice", shorten(key)),
            C::FactTwice { fact } => {
                format!("`{fact}` is stated twice (nested and as a dotted key, or twice)")
            }
            C::AsOfTwice => "`as_of` is stated twice".into(),
            C::NoAsOf => "the case states no assessment date".into(),
            C::NonFinite(x) => format!(
                "expected a value, found {}",
                match x {
                    NonFinite::NaN => "NaN (not a number)",
                    NonFinite::Infinity => "infinity",
                    NonFinite::MinusInfinity => "minus infinity",
                }
            ),
            C::AsOfDate(d) | C::Date(d) => d.to_string(),
            C::AsOfType { found } => {
                format!("expected a date string (YYYY-MM-DD), found {found}")
            }
            C::BelowMinimum { min, found, .. } => {
                format!("expected an integer of at least {min}, found {found}")
            }
            C::TooLarge { number } => format!("{number} is too large"),
            C::IntegerTooLarge { number } => format!("the integer {number} is too large"),
            C::NotWhole { number } => {
                format!("expected an integer, found the decimal number {number}")
            }
            C::NotAValue {
                value, fact, label, ..
            } => format!(
                "`{}` is not one of the values of `{fact}` ({label})",
                shorten(value)
            ),
            C::WrongType { want, found, .. } => {
                format!("expected {}, found {found}", want.words())
            }
            C::NotAGroup { part } => format!("`{part}` is a fact, not a group of facts"),
            C::GivenTwice => "the fact is given twice".into(),
            C::MoreProblems { count, .. } => format!(
                "and {count} more problem{} not listed",
                if *count == 1 { "" } else { "s" }
            ),
        }
    }

    /// The advice, if any.
    pub fn help(&self) -> Option<String> {
        use CaseProblem as C;
        Some(match self {
            C::Unreadable { .. } => "check the path and that you may read the file".into(),
            C::Directory => "name one case file (JSON, YAML or TOML)".into(),
            C::FileTooLarge { .. } | C::SourceTooLarge { .. } => OVERSIZE.into(),
            C::NotUtf8 { .. } | C::LineNotUtf8 { .. } => "save the file as UTF-8".into(),
            C::BodyNotUtf8 { .. } => "send the case as UTF-8".into(),
            C::LineTooLong { .. } => "a line holds one case of one dispatch relationship".into(),
            C::UnreadableDirectory { .. } => return None,
            C::Empty => "a case is an object of facts with at least `as_of`".into(),
            C::Malformed {
                lookalike: Some(c),
                ..
            } => match ascii_for(*c) {
                Some(a) => format!(
                    "`{c}` (U+{:04X}) is a full-width or typographic character, not the format's `{a}`; type the ASCII `{a}`",
                    u32::from(*c)
                ),
                None => format!(
                    "U+{:04X} is a blank or invisible character the format does not accept; replace it with an ordinary space or delete it",
                    u32::from(*c)
                ),
            },
            C::Malformed { syntax, .. } | C::NestedTooDeep { syntax, .. } => syntax.help().into(),
            C::BracketsTooDeep { .. } => {
                "a case nests facts a few levels deep; check the brackets".into()
            }
            C::DottedKeysTooDeep { .. } => {
                "a case nests facts a few levels deep; check the dotted keys".into()
            }
            C::TooManyKeys { .. } => {
                "a case states each of its facts once, a few hundred at most".into()
            }
            C::NotToml { .. } => Syntax::Toml.help().into(),
            C::NotYaml { .. } => Syntax::Yaml.help().into(),
            C::YamlTag { .. } => "remove the tag; a case holds plain values".into(),
            C::NotAnObject { .. } => {
                "a case is one JSON object of facts, e.g. {\"as_of\": \"2025-03-01\", \"agency\": {…}}"
                    .into()
            }
            C::GroupNotObject { group, keys, .. } => format!(
                "`{group}` groups facts: write an object with keys such as {}",
                ticked(keys)
            ),
            C::UnknownKey {
                group,
                keys,
                suggestion,
            } => mean(suggestion, || {
                if group.is_empty() {
                    format!("a case states facts under {}", ticked(keys))
                } else {
                    format!("the keys of `{group}` are {}", ticked(keys))
                }
            }),
            C::KeyTwice { .. } | C::FactTwice { .. } => TWICE.into(),
            C::AsOfTwice => "state the assessment date once".into(),
            C::NoAsOf => {
                "add `\"as_of\": \"YYYY-MM-DD\"` to the case, or pass --at YYYY-MM-DD".into()
            }
            C::NonFinite(_) => "a fact is true or false, a whole number, a date or a text; leave the key out when the fact is unknown".into(),
            C::AsOfDate(_) | C::AsOfType { .. } => AS_OF_FORMAT.into(),
            C::Date(_) => "write dates as YYYY-MM-DD, e.g. 2025-03-01".into(),
            C::BelowMinimum { fact, label, .. } => {
                format!("`{fact}` ({label}) counts something and cannot be negative")
            }
            C::TooLarge { .. } | C::IntegerTooLarge { .. } => "integers range over 64 bits".into(),
            C::NotWhole { .. } => "write a whole number".into(),
            C::NotAValue {
                value,
                values,
                label_of,
                suggestion,
                ..
            } => match (label_of, suggestion) {
                (Some(best), _) => format!(
                    "`{value}` is the label of the value `{best}`: write `{best}`; the values are {}",
                    ticked(values)
                ),
                (None, Some(best)) => {
                    format!("did you mean `{best}`? the values are {}", ticked(values))
                }
                (None, None) => format!("the values are {}", ticked(values)),
            },
            C::WrongType {
                fact,
                label,
                want,
                found,
            } => match (want, found) {
                (Want::Bool, Found::Text(s)) if matches!(s.as_str(), "true" | "false") => {
                    format!("write {s} without quotes")
                }
                (Want::Int, Found::Text(s)) if s.parse::<i64>().is_ok() => {
                    format!("write {s} without quotes")
                }
                _ => format!("`{fact}` is {label}: {}", want.words()),
            },
            C::NotAGroup { .. } => "give each fact once, by its full dotted name".into(),
            C::GivenTwice => "give each fact once".into(),
            C::MoreProblems { listed, .. } => {
                format!("only the first {listed} problems are listed; fix them and run again")
            }
        })
    }
}

impl Want {
    /// As an expectation file's value: what it is, and how to write one.
    fn expected(&self) -> (String, &'static str) {
        match self {
            Want::Bool => ("true or false".into(), "`true` or `false`"),
            Want::Int => ("a whole number".into(), "an integer such as `2`"),
            Want::Date => ("a date".into(), "\"YYYY-MM-DD\""),
            Want::Text => ("a text".into(), "a string"),
            Want::OneOf(names) => (
                format!("one of {}", names.join(", ")),
                "the value's name as a string",
            ),
            Want::Value => ("a value".into(), "a value"),
        }
    }
}

/// An outcome's expectation that contradicts itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contradiction {
    /// Both `missing` and `conflict`.
    MissingAndConflict,
    /// A value and `missing`.
    ValueAndMissing,
    /// A value and `conflict`.
    ValueAndConflict,
    /// `cites` without a value.
    CitesWithoutValue,
}

/// One problem with a test's files: its case, its expectation file, or a
/// file that is not part of a test. The file and the key path travel beside
/// it (`crate::suite::Problem`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TestProblem {
    /// The test's case cannot be used.
    Case(CaseProblem),

    // ---- the expectation file ----
    /// Nothing but white space.
    Empty,
    /// Not one JSON value, or a key given twice.
    Malformed {
        /// The parser's message.
        detail: String,
    },
    /// Nested past the parser's limit.
    NestedTooDeep,
    /// Not an object.
    NotAnObject {
        /// What it is.
        found: Kind,
    },
    /// A key that names no outcome.
    NoSuchOutcome {
        /// The nearest outcome.
        suggestion: Option<String>,
    },
    /// An object without outcomes.
    PinsNothing,
    /// An outcome's expectation that is not an object.
    OutcomeNotObject {
        /// What it is.
        found: Kind,
        /// It, as JSON.
        value: String,
    },
    /// A value of the wrong type.
    ValueType {
        /// What the outcome's type wants.
        want: Want,
        /// What was given.
        found: Kind,
    },
    /// A date outcome's value that is not a date.
    Date(DateProblem),
    /// A string outside an enum outcome's values.
    NotAValue {
        /// As written.
        value: String,
        /// The enum.
        enum_name: String,
        /// Its values.
        values: Vec<String>,
        /// The value whose label was written instead.
        label_of: Option<String>,
        /// The nearest value.
        suggestion: Option<String>,
    },
    /// `cites` names a paragraph no rule cites.
    UnknownCite {
        /// The paragraph.
        cite: String,
        /// The nearest one cited.
        suggestion: Option<String>,
    },
    /// `cites` that is not a string.
    CitesType {
        /// What it is.
        found: Kind,
    },
    /// `missing` or `conflict` that is not a boolean.
    FlagType {
        /// Which.
        key: String,
        /// What it is.
        found: Kind,
    },
    /// A key of an outcome's expectation that is not one.
    UnknownKey {
        /// The nearest key.
        suggestion: Option<String>,
    },
    /// An outcome's expectation without `value`.
    NoValue,
    /// An outcome's expectation that contradicts itself.
    Contradiction(Contradiction),
    /// `departures` that is not a list.
    DeparturesType {
        /// What it is.
        found: Kind,
    },
    /// A departure that is not a pair.
    NotAPair {
        /// What it is.
        found: Kind,
        /// Its length, when a list.
        len: usize,
    },
    /// A departure naming no outcome.
    NoOutcome {
        /// The name.
        name: String,
        /// The nearest outcome.
        suggestion: Option<String>,
    },
    /// A departure's outcome that is not a string.
    OutcomeNameType {
        /// What it is.
        found: Kind,
    },

    // ---- the suite's files ----
    /// Expectations without their case.
    Orphan {
        /// The test's stem.
        stem: String,
    },
    /// A folder named as tests without any.
    NoTestsInFolder,
    /// A path that is neither a folder of tests nor a case.
    NotATest,
    /// A pending snapshot without its case.
    PendingOrphan {
        /// The test's stem.
        stem: String,
    },
    /// A pending snapshot beside a test that passes.
    PendingBesidePassing,
    /// The case cannot be evaluated.
    Evaluation {
        /// The fault.
        fault: String,
    },
}

const SHAPE_HELP: &str = "each outcome is an object: `{\"value\": …}`, optionally with `\"cites\": \"4.2\"`, `\"missing\": true` (unknown) or `\"conflict\": true`";
const DEPARTURES_HELP: &str =
    "write `\"departures\": [[\"OUTCOME\", \"SUPERIOR_OUTCOME\"], …]`, `[]` when nothing departs";
const ONE_OBJECT: &str = "an expectation file holds exactly one JSON object, each key once";
const WHAT_IS_A_TEST: &str =
    "a test is a case `NAME.json` (or .yaml, .toml), with its expectations `NAME.expected.json` beside it";

impl TestProblem {
    /// The one-line message.
    pub fn message(&self) -> String {
        use TestProblem as T;
        match self {
            T::Case(c) => c.message(),
            T::Empty => "the expectations are empty".into(),
            T::Malformed { detail } => format!("not well-formed JSON: {detail}"),
            T::NestedTooDeep => "the expectations are nested too deeply".into(),
            T::NotAnObject { found } => {
                format!("the expectations must be a JSON object of outcomes, found {found}")
            }
            T::NoSuchOutcome { .. } => "no such outcome".into(),
            T::PinsNothing => "the expectations pin no outcome".into(),
            T::OutcomeNotObject { found, .. } => {
                format!("expected an object with the outcome's `value`, found {found}")
            }
            T::ValueType { want, found } => {
                format!("expected {}, found {found}", want.expected().0)
            }
            T::Date(d) => d.to_string(),
            T::NotAValue {
                value, enum_name, ..
            } => format!("`{value}` is not a value of {enum_name}"),
            T::UnknownCite { cite, .. } => {
                format!("no rule of the policy set cites paragraph `{cite}`")
            }
            T::CitesType { found } => {
                format!("expected a paragraph such as \"4.2\", found {found}")
            }
            T::FlagType { found, .. } => format!("expected true or false, found {found}"),
            T::UnknownKey { .. } => "unknown key".into(),
            T::NoValue => "the outcome has no `value`".into(),
            T::Contradiction(c) => match c {
                Contradiction::MissingAndConflict => {
                    "an outcome cannot be both unknown (`missing`) and in `conflict`"
                }
                Contradiction::ValueAndMissing => {
                    "an outcome with a value is not unknown: `missing` needs `\"value\": null`"
                }
                Contradiction::ValueAndConflict => {
                    "an outcome in conflict has no value: `conflict` needs `\"value\": null`"
                }
                Contradiction::CitesWithoutValue => {
                    "an outcome without a value cites nothing: `cites` needs a value"
                }
            }
            .into(),
            T::DeparturesType { found } => {
                format!("expected a list of outcome pairs, found {found}")
            }
            T::NotAPair { found, len } => format!(
                "expected a pair [OUTCOME, SUPERIOR_OUTCOME], found {}",
                match found {
                    Kind::Array => format!("a list of {len}"),
                    other => other.to_string(),
                }
            ),
            T::NoOutcome { name, .. } => format!("no outcome `{name}`"),
            T::OutcomeNameType { found } => {
                format!("expected an outcome's name, found {found}")
            }
            T::Orphan { stem } => format!("no case `{stem}.json` beside it"),
            T::NoTestsInFolder => "the folder holds no test cases".into(),
            T::NotATest => "neither a folder of tests nor a case".into(),
            T::PendingOrphan { stem } => {
                format!("a pending snapshot whose case `{stem}.json` is gone")
            }
            T::PendingBesidePassing => "a pending snapshot is left beside a passing test".into(),
            T::Evaluation { fault } => format!("evaluation failed: {fault}"),
        }
    }

    /// The advice, if any.
    pub fn help(&self) -> Option<String> {
        use TestProblem as T;
        Some(match self {
            T::Case(c) => return c.help(),
            T::Empty => "an expectation file is a JSON object of outcomes; `regula test` writes one as `NAME.expected.json.new`".into(),
            T::Malformed { .. } | T::NestedTooDeep => ONE_OBJECT.into(),
            T::NotAnObject { .. } => "write `{\"OUTCOME\": {\"value\": …}, …}`".into(),
            T::NoSuchOutcome { suggestion } => mean(suggestion, || {
                "run `regula eval --format json` on the case to list the outcomes".into()
            }),
            T::PinsNothing => "name at least one outcome, or delete the file and run `regula test` to write every outcome as a pending snapshot".into(),
            T::OutcomeNotObject { value, .. } => format!("write `{{\"value\": {value}}}`"),
            T::ValueType { want, .. } => {
                format!("write {}, or null for n/a or unknown", want.expected().1)
            }
            T::Date(_) => "write the date as \"YYYY-MM-DD\"".into(),
            T::NotAValue {
                value,
                enum_name,
                values,
                label_of,
                suggestion,
            } => match (label_of, suggestion) {
                (Some(n), _) => format!("`{value}` is the label of `{n}`; write `\"{n}\"`"),
                (None, Some(n)) => format!("did you mean `{n}`?"),
                (None, None) => format!("the values of {enum_name} are {}", values.join(", ")),
            },
            T::UnknownCite { suggestion, .. } => mean(suggestion, || {
                "give a paragraph as `article.paragraph`, e.g. `4.2`".into()
            }),
            T::CitesType { .. } => {
                "give the one paragraph the report must cite, as a string".into()
            }
            T::FlagType { key, .. } => format!("`\"{key}\": true`, or leave it out"),
            T::UnknownKey { suggestion } => mean(suggestion, || SHAPE_HELP.into()),
            T::NoValue => "write `\"value\": …`, or `\"value\": null` for n/a (with `\"missing\": true` for unknown)".into(),
            T::Contradiction(_) => SHAPE_HELP.into(),
            T::DeparturesType { .. } | T::NotAPair { .. } | T::OutcomeNameType { .. } => {
                DEPARTURES_HELP.into()
            }
            T::NoOutcome { suggestion, .. } => mean(suggestion, || DEPARTURES_HELP.into()),
            T::Orphan { .. } => "a test is a case `NAME.json` with its expectations `NAME.expected.json` beside it; rename or delete the file".into(),
            T::NoTestsInFolder => WHAT_IS_A_TEST.into(),
            T::NotATest => "name a case `NAME.json` (or .yaml, .toml), its `NAME.expected.json`, or a folder of them".into(),
            T::PendingOrphan { .. } => "delete it: its test no longer exists".into(),
            T::PendingBesidePassing => {
                "delete it: the test passes, so the snapshot is out of date".into()
            }
            T::Evaluation { .. } => {
                "the case's values overflow what an expression can compute; check the facts".into()
            }
        })
    }
}
