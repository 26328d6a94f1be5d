//! Cases: facts as JSON, YAML or TOML, decoded straight into the program's
//! fact slots and validated against the declarations. Every problem of a case
//! is collected (unknown keys with the nearest known key, wrong types,
//! impossible dates, values outside an enum, counts below their bound,
//! duplicate keys); an invalid case is never partly evaluated.
use crate::diag::{suggest, Diag, Problem};
use crate::program::{FactId, Program, Type, Value};
use chrono::NaiveDate;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::path::Path;

/// Largest case file read, in bytes.
pub const MAX_CASE_BYTES: u64 = 8 << 20;

/// The decoded facts of a case.
#[derive(Clone, Debug, Default)]
pub struct Case {
    /// One value per fact slot; `Unknown` when not stated.
    pub facts: Vec<Value>,
    /// The assessment date, if stated.
    pub as_of: Option<NaiveDate>,
}

/// One problem with a case.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseError {
    /// Dotted path of the offending key (empty for the whole case).
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
}

impl CaseError {
    fn new(path: &str, message: impl Into<String>, help: Option<String>) -> Self {
        CaseError {
            path: path.to_string(),
            message: message.into(),
            help,
        }
    }
    /// As a diagnostic naming the file.
    pub fn to_diag(&self, file: &str) -> Diag {
        let place = if self.path.is_empty() {
            format!("`{file}`")
        } else {
            format!("`{file}` at `{}`", self.path)
        };
        Diag::of(Problem::InvalidCase {
            place,
            what: self.message.clone(),
            advice: self.help.clone(),
        })
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for CaseError {}

/// The shape of a case: the nested keys of the declared facts.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    root: Branch,
}

#[derive(Clone, Debug, Default)]
struct Branch {
    keys: Vec<(String, Node)>,
}

#[derive(Clone, Debug)]
enum Node {
    Leaf(FactId),
    Branch(Branch),
    AsOf,
}

impl Branch {
    fn insert(&mut self, parts: &[&str], fact: FactId) {
        let Some((first, rest)) = parts.split_first() else {
            return;
        };
        let pos = self.keys.iter().position(|(k, _)| k == first);
        if rest.is_empty() {
            if pos.is_none() {
                self.keys.push((first.to_string(), Node::Leaf(fact)));
            }
            return;
        }
        let idx = match pos {
            Some(i) => i,
            None => {
                self.keys
                    .push((first.to_string(), Node::Branch(Branch::default())));
                self.keys.len() - 1
            }
        };
        if let Some((_, Node::Branch(b))) = self.keys.get_mut(idx) {
            b.insert(rest, fact);
        }
    }
    fn find(&self, key: &str) -> Option<(usize, &Node)> {
        self.keys
            .iter()
            .enumerate()
            .find(|(_, (k, _))| k == key)
            .map(|(i, (_, n))| (i, n))
    }
}

impl Schema {
    /// The schema of a program's facts.
    pub fn new(p: &Program) -> Schema {
        let mut root = Branch::default();
        root.keys.push(("as_of".to_string(), Node::AsOf));
        for (i, f) in p.facts.iter().enumerate() {
            let parts: Vec<&str> = f.name.split('.').collect();
            root.insert(&parts, FactId::try_from(i).unwrap_or(FactId::MAX));
        }
        Schema { root }
    }
}

/// A scalar read from any format.
enum Scalar<'de> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Cow<'de, str>),
    Composite(&'static str),
}

impl Scalar<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool(_) => "a boolean",
            Scalar::Int(_) => "an integer",
            Scalar::Float(_) => "a decimal number",
            Scalar::Str(_) => "a string",
            Scalar::Composite(k) => k,
        }
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(Scalar::Null)
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Self::Value, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Self::Value, E> {
        Ok(Scalar::Int(i128::try_from(v).unwrap_or(i128::MAX)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Scalar::Float(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
        while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Composite("an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Composite("an array"))
    }
}

impl<'de> de::Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct KeyVisitor;
struct Key<'de>(Cow<'de, str>);

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

/// Decoding state shared by the nested seeds.
pub(crate) struct Sink<'p> {
    program: &'p Program,
    case: Case,
    errors: Vec<CaseError>,
}

struct BranchSeed<'a, 'p> {
    branch: &'a Branch,
    prefix: &'a str,
    sink: &'a mut Sink<'p>,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Parses `YYYY-MM-DD` into a calendar date, or says why not.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.get(4) == Some(&b'-')
        && b.get(7) == Some(&b'-')
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return Err(format!("`{s}` is not a date written YYYY-MM-DD"));
    }
    let num = |r: std::ops::Range<usize>| s.get(r).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let y = i32::try_from(y).unwrap_or(0);
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        if (1..=12).contains(&m) {
            format!("`{s}` is not a calendar date: month {m:02} of {y} has no day {d}")
        } else {
            format!("`{s}` is not a calendar date: there is no month {m:02}")
        }
    })
}

impl Sink<'_> {
    fn leaf(&mut self, path: &str, fact: FactId, v: Scalar) {
        let Some(f) = self.program.fact(fact) else {
            return;
        };
        let value = match (&f.ty, v) {
            (_, Scalar::Null) => Ok(Value::Unknown),
            (Type::Bool, Scalar::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Int, Scalar::Int(n)) => match i64::try_from(n) {
                Ok(n) if f.min.is_some_and(|m| n < m) => Err(CaseError::new(
                    path,
                    format!(
                        "expected an integer of at least {}, found {n}",
                        f.min.unwrap_or(0)
                    ),
                    Some(format!(
                        "`{}` ({}) counts something and cannot be negative",
                        f.name, f.label
                    )),
                )),
                Ok(n) => Ok(Value::Int(n)),
                Err(_) => Err(CaseError::new(
                    path,
                    format!("{n} is too large"),
                    Some("integers range over 64 bits".into()),
                )),
            },
            (Type::Int, Scalar::Float(x)) if x.fract() == 0.0 && x.abs() >= 9.2e18 => {
                Err(CaseError::new(
                    path,
                    format!("the integer {x} is too large"),
                    Some("integers range over 64 bits".into()),
                ))
            }
            (Type::Int, Scalar::Float(x)) => Err(CaseError::new(
                path,
                format!("expected an integer, found the decimal number {x:?}"),
                Some("write a whole number".into()),
            )),
            (Type::Date, Scalar::Str(s)) => parse_date(&s).map(Value::Date).map_err(|m| {
                CaseError::new(
                    path,
                    m,
                    Some("write dates as YYYY-MM-DD, e.g. 2025-03-01".into()),
                )
            }),
            (Type::Text, Scalar::Str(s)) => Ok(Value::Text(s.as_ref().into())),
            (Type::Enum(e), Scalar::Str(s)) => {
                let t = self.program.enums.get(*e as usize);
                let variants: Vec<&str> = t
                    .map(|t| t.variants.iter().map(|(n, _)| n.as_str()).collect())
                    .unwrap_or_default();
                match variants.iter().position(|v| *v == s.as_ref()) {
                    Some(i) => Ok(Value::Enum(*e, u32::try_from(i).unwrap_or(0))),
                    None => {
                        let list: Vec<String> = variants.iter().map(|v| format!("`{v}`")).collect();
                        let help = match suggest(&s, variants.iter().copied()) {
                            Some(best) => {
                                format!("did you mean `{best}`? the values are {}", list.join(", "))
                            }
                            None => format!("the values are {}", list.join(", ")),
                        };
                        Err(CaseError::new(
                            path,
                            format!(
                                "`{s}` is not one of the values of `{}` ({})",
                                f.name, f.label
                            ),
                            Some(help),
                        ))
                    }
                }
            }
            (ty, other) => {
                let want = match ty {
                    Type::Bool => "true or false".to_string(),
                    Type::Int => "an integer".to_string(),
                    Type::Date => "a date string (YYYY-MM-DD)".to_string(),
                    Type::Text => "a string".to_string(),
                    Type::Enum(e) => {
                        let vs: Vec<String> = self
                            .program
                            .enums
                            .get(*e as usize)
                            .map(|t| t.variants.iter().map(|(n, _)| format!("`{n}`")).collect())
                            .unwrap_or_default();
                        format!("one of {}", vs.join(", "))
                    }
                    _ => "a value".to_string(),
                };
                let shown = match &other {
                    Scalar::Str(s) => format!("the string \"{s}\""),
                    Scalar::Bool(b) => format!("{b}"),
                    Scalar::Int(n) => format!("{n}"),
                    Scalar::Float(x) => format!("{x}"),
                    o => o.kind().to_string(),
                };
                let help = match (ty, &other) {
                    (Type::Bool, Scalar::Str(s)) if matches!(s.as_ref(), "true" | "false") => {
                        format!("write {s} without quotes")
                    }
                    (Type::Int, Scalar::Str(s)) if s.parse::<i64>().is_ok() => {
                        format!("write {s} without quotes")
                    }
                    _ => format!("`{}` is {}: {want}", f.name, f.label),
                };
                Err(CaseError::new(
                    path,
                    format!("expected {want}, found {shown}"),
                    Some(help),
                ))
            }
        };
        match value {
            Ok(v) => {
                if let Some(slot) = self.case.facts.get_mut(fact as usize) {
                    *slot = v;
                }
            }
            Err(e) => self.errors.push(e),
        }
    }
}

impl<'de> DeserializeSeed<'de> for BranchSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for BranchSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
        let mut seen = vec![false; self.branch.keys.len()];
        let mut unknown_seen: Vec<String> = Vec::new();
        while let Some(Key(key)) = m.next_key::<Key>()? {
            let path = join(self.prefix, &key);
            match self.branch.find(&key) {
                Some((i, node)) => {
                    if seen.get(i).copied().unwrap_or(false) {
                        self.sink.errors.push(CaseError::new(
                            &path,
                            format!("the key `{key}` appears twice"),
                            Some("state each fact once; remove one of the two".into()),
                        ));
                        m.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    if let Some(s) = seen.get_mut(i) {
                        *s = true;
                    }
                    match node {
                        Node::Leaf(f) => {
                            let v: Scalar = m.next_value()?;
                            self.sink.leaf(&path, *f, v);
                        }
                        Node::AsOf => {
                            let v: Scalar = m.next_value()?;
                            match v {
                                Scalar::Null => {}
                                Scalar::Str(s) => match parse_date(&s) {
                                    Ok(d) => self.sink.case.as_of = Some(d),
                                    Err(msg) => self.sink.errors.push(CaseError::new(
                                        &path,
                                        msg,
                                        Some("write the assessment date as YYYY-MM-DD".into()),
                                    )),
                                },
                                other => self.sink.errors.push(CaseError::new(
                                    &path,
                                    format!(
                                        "expected a date string (YYYY-MM-DD), found {}",
                                        other.kind()
                                    ),
                                    Some("write the assessment date as YYYY-MM-DD".into()),
                                )),
                            }
                        }
                        Node::Branch(b) => {
                            m.next_value_seed(BranchSeed {
                                branch: b,
                                prefix: &path,
                                sink: self.sink,
                            })?;
                        }
                    }
                }
                None => {
                    let dup = unknown_seen.contains(&path);
                    m.next_value::<IgnoredAny>()?;
                    if dup {
                        continue;
                    }
                    unknown_seen.push(path.clone());
                    let here: Vec<&str> =
                        self.branch.keys.iter().map(|(k, _)| k.as_str()).collect();
                    let help = match suggest(&key, here.iter().copied()) {
                        Some(best) => format!("did you mean `{}`?", join(self.prefix, best)),
                        None => {
                            let list: Vec<String> = here.iter().map(|k| format!("`{k}`")).collect();
                            if self.prefix.is_empty() {
                                format!("a case states facts under {}", list.join(", "))
                            } else {
                                format!("the keys of `{}` are {}", self.prefix, list.join(", "))
                            }
                        }
                    };
                    self.sink
                        .errors
                        .push(CaseError::new(&path, "unknown key", Some(help)));
                }
            }
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_object("a boolean");
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_object("a number");
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_object("a number");
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_object("a number");
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_object("a string");
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object("an array");
        Ok(())
    }
}

impl BranchSeed<'_, '_> {
    fn not_object(self, found: &str) {
        let keys: Vec<String> = self
            .branch
            .keys
            .iter()
            .take(4)
            .map(|(k, _)| format!("`{k}`"))
            .collect();
        let (path, help) = if self.prefix.is_empty() {
            (String::new(), "a case is one JSON object of facts, e.g. {\"as_of\": \"2025-03-01\", \"agency\": {…}}".to_string())
        } else {
            (
                self.prefix.to_string(),
                format!(
                    "`{}` groups facts: write an object with keys such as {}",
                    self.prefix,
                    keys.join(", ")
                ),
            )
        };
        let msg = if self.prefix.is_empty() {
            format!("a case must be an object, found {found}")
        } else {
            format!("expected an object, found {found}")
        };
        self.sink
            .errors
            .push(CaseError::new(&path, msg, Some(help)));
    }
}

/// Decodes a case from any serde deserializer.
pub fn decode<'de, D: de::Deserializer<'de>>(
    p: &Program,
    schema: &Schema,
    d: D,
) -> Result<Case, Vec<CaseError>>
where
    D::Error: fmt::Display,
{
    let mut sink = Sink {
        program: p,
        case: Case {
            facts: vec![Value::Unknown; p.facts.len()],
            as_of: None,
        },
        errors: Vec::new(),
    };
    let seed = BranchSeed {
        branch: &schema.root,
        prefix: "",
        sink: &mut sink,
    };
    if let Err(e) = seed.deserialize(d) {
        return Err(vec![CaseError::new(
            "",
            syntax_message(&e.to_string()),
            Some("check the file is well-formed JSON, YAML or TOML".into()),
        )]);
    }
    if sink.errors.is_empty() {
        Ok(sink.case)
    } else {
        Err(sink.errors)
    }
}

fn syntax_message(raw: &str) -> String {
    if raw.contains("recursion limit") {
        return "the case is nested too deeply (more than 128 levels)".into();
    }
    format!("not a well-formed case: {raw}")
}

/// Decodes a case from JSON text.
pub fn decode_json(p: &Program, schema: &Schema, text: &str) -> Result<Case, Vec<CaseError>> {
    let mut de = serde_json::Deserializer::from_str(text);
    let case = decode(p, schema, &mut de)?;
    if let Err(e) = de.end() {
        return Err(vec![CaseError::new(
            "",
            syntax_message(&e.to_string()),
            Some("a case file holds exactly one JSON object".into()),
        )]);
    }
    Ok(case)
}

/// The formats a case file may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// JSON.
    Json,
    /// YAML.
    Yaml,
    /// TOML.
    Toml,
}

impl Format {
    /// The format a file name implies (JSON by default).
    pub fn of(path: &str) -> Format {
        let lower = path.to_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Format::Yaml
        } else if lower.ends_with(".toml") {
            Format::Toml
        } else {
            Format::Json
        }
    }
}

fn toml_to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(n) => J::from(n),
        toml::Value::Float(x) => serde_json::Number::from_f64(x)
            .map(J::Number)
            .unwrap_or(J::Null),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            J::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// Decodes a case from text in a format.
pub fn decode_text(
    p: &Program,
    schema: &Schema,
    text: &str,
    format: Format,
) -> Result<Case, Vec<CaseError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(vec![CaseError::new(
            "",
            "the case is empty",
            Some("a case is an object of facts with at least `as_of`".into()),
        )]);
    }
    match format {
        Format::Json => decode_json(p, schema, text),
        Format::Yaml => match serde_yaml::from_str::<serde_json::Value>(text) {
            Ok(v) => decode(p, schema, v),
            Err(e) => Err(vec![CaseError::new(
                "",
                format!("not well-formed YAML: {e}"),
                Some("check the indentation and quoting".into()),
            )]),
        },
        Format::Toml => match toml::from_str::<toml::Value>(text) {
            Ok(v) => decode(p, schema, toml_to_json(v)),
            Err(e) => {
                let msg = e.message().trim_end().replace('\n', "; ");
                let at = e
                    .span()
                    .map(|r| {
                        let (line, column) = line_column(text, r.start);
                        format!(" at line {line} column {column}")
                    })
                    .unwrap_or_default();
                Err(vec![CaseError::new(
                    "",
                    format!("not well-formed TOML{at}: {msg}"),
                    Some("check the TOML syntax".into()),
                )])
            }
        },
    }
}

/// The 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads a case file, refusing directories, oversized files and invalid UTF-8.
pub fn read_case_file(path: &Path) -> Result<String, CaseError> {
    let meta = std::fs::metadata(path).map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => "cannot be read".to_string(),
        };
        CaseError::new(
            "",
            format!("cannot read the case file: {why}"),
            Some("check the path".into()),
        )
    })?;
    if meta.is_dir() {
        return Err(CaseError::new(
            "",
            "this is a directory, not a case file",
            Some("name one case file (JSON, YAML or TOML)".into()),
        ));
    }
    if meta.len() > MAX_CASE_BYTES {
        return Err(CaseError::new(
            "",
            format!(
                "the file is {} bytes; a case file may be at most {MAX_CASE_BYTES} bytes",
                meta.len()
            ),
            Some(
                "a case describes one dispatch relationship; evaluate each case file on its own"
                    .into(),
            ),
        ));
    }
    // At most one byte past the limit is read, whatever the file is: a
    // pipe, a FIFO or a device has no size to check beforehand.
    let unreadable = |e: std::io::Error| {
        CaseError::new(
            "",
            format!("cannot read the case file: {e}"),
            Some("check the path".into()),
        )
    };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(unreadable)?,
            MAX_CASE_BYTES + 1,
        ),
        &mut bytes,
    )
    .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_CASE_BYTES {
        return Err(CaseError::new(
            "",
            format!("the input is more than {MAX_CASE_BYTES} bytes; a case file may be at most {MAX_CASE_BYTES} bytes"),
            Some(
                "a case describes one dispatch relationship; evaluate each case file on its own"
                    .into(),
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        CaseError::new(
            "",
            format!(
                "the file is not valid UTF-8 (at byte {})",
                e.utf8_error().valid_up_to()
            ),
            Some("save the file as UTF-8".into()),
        )
    })
}

/// Fast path for many cases: decodes JSON text straight into a reused
/// [`Case`] without building key paths or error messages. Returns false when
/// the text has any problem at all; the caller then decodes it again with
/// [`decode_text`] for the exact errors, so the messages are the same as
/// `regula eval` prints. Accepts exactly what [`decode_text`] accepts in
/// JSON and fills the same slots.
pub fn decode_json_into(
    p: &Program,
    schema: &Schema,
    text: &str,
    case: &mut Case,
    texts: &mut TextCache,
) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    case.facts.clear();
    case.facts.resize(p.facts.len(), Value::Unknown);
    case.as_of = None;
    if text.trim().is_empty() {
        return false;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    if texts.0.len() > TextCache::MAX {
        texts.0.clear();
    }
    let seed = FastSeed {
        p,
        branch: &schema.root,
        case,
        texts,
    };
    matches!(seed.deserialize(&mut de), Ok(true)) && de.end().is_ok()
}

/// Text values seen before, shared rather than allocated again: districts
/// and the like repeat from case to case.
#[derive(Clone, Debug, Default)]
pub struct TextCache(std::collections::HashSet<std::sync::Arc<str>>);

impl TextCache {
    /// Distinct texts kept before the cache starts afresh.
    const MAX: usize = 4096;

    fn get(&mut self, s: &str) -> Value {
        if let Some(t) = self.0.get(s) {
            return Value::Text(t.clone());
        }
        let t: std::sync::Arc<str> = s.into();
        self.0.insert(t.clone());
        Value::Text(t)
    }
}

struct FastSeed<'a> {
    p: &'a Program,
    branch: &'a Branch,
    case: &'a mut Case,
    texts: &'a mut TextCache,
}

impl<'de> DeserializeSeed<'de> for FastSeed<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

/// A fact's value from a scalar, when the scalar is valid for it.
fn fast_leaf(p: &Program, fact: FactId, v: Scalar, texts: &mut TextCache) -> Option<Value> {
    let f = p.fact(fact)?;
    match (&f.ty, v) {
        (_, Scalar::Null) => Some(Value::Unknown),
        (Type::Bool, Scalar::Bool(b)) => Some(Value::Bool(b)),
        (Type::Int, Scalar::Int(n)) => {
            let n = i64::try_from(n).ok()?;
            if f.min.is_some_and(|m| n < m) {
                return None;
            }
            Some(Value::Int(n))
        }
        (Type::Date, Scalar::Str(s)) => parse_date(&s).ok().map(Value::Date),
        (Type::Text, Scalar::Str(s)) => Some(texts.get(&s)),
        (Type::Enum(e), Scalar::Str(s)) => {
            let t = p.enums.get(*e as usize)?;
            let i = t.variants.iter().position(|(n, _)| *n == s.as_ref())?;
            Some(Value::Enum(*e, u32::try_from(i).ok()?))
        }
        _ => None,
    }
}

impl<'de> Visitor<'de> for FastSeed<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_none<E>(self) -> Result<bool, E> {
        Ok(true)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
        if self.branch.keys.len() > 128 {
            return Ok(false);
        }
        let mut seen: u128 = 0;
        while let Some(Key(key)) = m.next_key::<Key>()? {
            let Some((i, node)) = self.branch.find(&key) else {
                return Ok(false);
            };
            let bit = 1u128 << i;
            if seen & bit != 0 {
                return Ok(false);
            }
            seen |= bit;
            let ok = match node {
                Node::Leaf(f) => {
                    let v: Scalar = m.next_value()?;
                    let v = fast_leaf(self.p, *f, v, self.texts);
                    match (v, self.case.facts.get_mut(*f as usize)) {
                        (Some(v), Some(slot)) => {
                            *slot = v;
                            true
                        }
                        _ => false,
                    }
                }
                Node::AsOf => match m.next_value::<Scalar>()? {
                    Scalar::Null => true,
                    Scalar::Str(s) => match parse_date(&s) {
                        Ok(d) => {
                            self.case.as_of = Some(d);
                            true
                        }
                        Err(_) => false,
                    },
                    _ => false,
                },
                Node::Branch(b) => m.next_value_seed(FastSeed {
                    p: self.p,
                    branch: b,
                    case: &mut *self.case,
                    texts: &mut *self.texts,
                })?,
            };
            if !ok {
                return Ok(false);
            }
        }
        Ok(true)
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<bool, A::Error> {
        Ok(false)
    }
}
