//! Cases: facts as JSON, YAML or TOML, decoded straight into the program's
//! fact slots and validated against the declarations. Every problem of a case
//! is collected (unknown keys with the nearest known key, wrong types,
//! impossible dates, values outside an enum, counts below their bound,
//! duplicate keys); an invalid case is never partly evaluated.
use crate::diag::{
    suggest, CaseProblem, DateProblem, Diag, Found, Kind, NonFinite, Problem, Syntax, Want,
};
use crate::program::{FactId, Program, Type, Value};
use chrono::NaiveDate;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::path::Path;

mod fast;
pub use fast::{decode_json_into, TextCache};

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

/// One problem with a case: what is wrong, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    /// Dotted path of the offending key (empty for the whole case).
    pub path: String,
    /// What is wrong (boxed: a result carrying a case's error stays small).
    pub problem: Box<CaseProblem>,
}

impl CaseError {
    /// A problem at a key path.
    pub fn new(path: impl Into<String>, problem: CaseProblem) -> Self {
        CaseError {
            path: path.into(),
            problem: Box::new(problem),
        }
    }
    /// A problem of the whole case.
    pub fn whole(problem: CaseProblem) -> Self {
        CaseError::new(String::new(), problem)
    }
    /// A case without an assessment date (none given beside it either).
    pub fn no_as_of() -> Self {
        CaseError::new("as_of", CaseProblem::NoAsOf)
    }
    /// What is wrong, in one line.
    pub fn message(&self) -> String {
        self.problem.message()
    }
    /// What to do.
    pub fn help(&self) -> Option<String> {
        self.problem.help()
    }
    /// As a diagnostic naming the file.
    pub fn to_diag(&self, file: &str) -> Diag {
        Diag::of(Problem::InvalidCase {
            file: file.to_string(),
            path: self.path.clone(),
            problem: (*self.problem).clone(),
        })
    }
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message())
        } else {
            write!(f, "`{}`: {}", self.path, self.message())
        }
    }
}

impl std::error::Error for CaseError {}

/// The shape of a case: the nested keys of the declared facts.
#[derive(Clone, Debug, Default)]
pub struct Schema {
    root: Branch,
    /// Per enum, whether each of its values is written in JSON as it is,
    /// without escapes (the fast decoder then matches them in the text).
    plain_enum: Vec<bool>,
}

#[derive(Clone, Debug, Default)]
struct Branch {
    keys: Vec<(String, Node)>,
    /// The keys by their length in bytes: each length's keys' positions.
    by_len: Vec<Vec<usize>>,
    /// The keys JSON writes as they are (without escapes) by their first
    /// bytes ([`fast::key_slot`]): the fast decoder's candidates.
    quick: Vec<Vec<usize>>,
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
        self.find_bytes(key.as_bytes())
    }
    fn find_bytes(&self, key: &[u8]) -> Option<(usize, &Node)> {
        self.by_len
            .get(key.len())?
            .iter()
            .find_map(|&i| match self.keys.get(i) {
                Some((k, n)) if k.as_bytes() == key => Some((i, n)),
                _ => None,
            })
    }
    /// Indexes the keys by length, here and below.
    fn index(&mut self) {
        self.by_len.clear();
        self.quick = vec![Vec::new(); fast::KEY_SLOTS];
        for (i, (k, node)) in self.keys.iter_mut().enumerate() {
            let slot = fast::key_slot(k.as_bytes()).filter(|_| fast::plain(k.as_bytes()));
            if let Some(v) = slot.and_then(|h| self.quick.get_mut(h)) {
                v.push(i);
            }
            if self.by_len.len() <= k.len() {
                self.by_len.resize(k.len() + 1, Vec::new());
            }
            if let Some(v) = self.by_len.get_mut(k.len()) {
                v.push(i);
            }
            if let Node::Branch(b) = node {
                b.index();
            }
        }
    }
    /// The node a flat dotted key (`agency.registered_in_shanghai`) names
    /// below this branch, as if written nested.
    fn resolve_dotted(&self, key: &str) -> Option<&Node> {
        if !key.contains('.') {
            return None;
        }
        let mut branch = self;
        let mut parts = key.split('.').peekable();
        while let Some(part) = parts.next() {
            let (_, node) = branch.find(part)?;
            if parts.peek().is_none() {
                return Some(node);
            }
            match node {
                Node::Branch(b) => branch = b,
                _ => return None,
            }
        }
        None
    }
    /// Every fact below this branch as a dotted key relative to it.
    fn dotted_names(&self, prefix: &str, out: &mut Vec<String>) {
        for (k, node) in &self.keys {
            let name = join(prefix, k);
            match node {
                Node::Branch(b) => b.dotted_names(&name, out),
                _ => out.push(name),
            }
        }
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
        root.index();
        let plain_enum = p
            .enums
            .iter()
            .map(|e| e.variants.iter().all(|(n, _)| fast::plain(n.as_bytes())))
            .collect();
        Schema { root, plain_enum }
    }
}

/// A scalar read from any format.
enum Scalar<'de> {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Cow<'de, str>),
    Composite(Kind),
}

impl Scalar<'_> {
    fn kind(&self) -> Kind {
        match self {
            Scalar::Null => Kind::Null,
            Scalar::Bool(_) => Kind::Boolean,
            Scalar::Int(_) => Kind::Integer,
            Scalar::Float(_) => Kind::Decimal,
            Scalar::Str(_) => Kind::Text,
            Scalar::Composite(k) => *k,
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
        Ok(Scalar::Composite(Kind::Object))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Composite(Kind::Array))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(tag_error())
    }
}

/// A YAML value with a custom tag (`!name value`) reaches a visitor as an
/// enum: no case has one.
fn tag_error<E: de::Error>() -> E {
    E::custom(crate::diag::YAML_TAG)
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

/// The most problems of one case reported one by one; the rest are counted.
/// A case with a hundred thousand unknown keys is then reported in time
/// linear in its size, and in a screenful.
pub const MAX_CASE_ERRORS: usize = 50;

/// The deepest nesting of a case: the decoders' own recursion limit.
pub const MAX_CASE_DEPTH: usize = 128;

/// Decoding state shared by the nested seeds.
pub(crate) struct Sink<'p> {
    program: &'p Program,
    case: Case,
    errors: Vec<CaseError>,
    /// Problems past [`MAX_CASE_ERRORS`], counted only.
    dropped: usize,
    /// Whether each fact has been stated, nested or as a dotted key.
    stated: Vec<bool>,
    /// Whether `as_of` has been stated.
    as_of_stated: bool,
    /// The JSON text being decoded, to show a number as it was written.
    json: Option<std::cell::RefCell<JsonPlaces<'p>>>,
    /// Paths whose value was a NaN or an infinity that the format's
    /// conversion could not carry (TOML), reported when the value arrives.
    non_finite: &'p std::collections::HashMap<String, f64>,
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

/// The year, month and day of `YYYY-MM-DD` (ten ASCII bytes, digits around
/// the dashes), whether or not they make a calendar date.
fn date_parts(b: &[u8]) -> Option<(i32, u32, u32)> {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let digit = |i: usize| {
        b.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| u32::from(c - b'0'))
    };
    let y = ((digit(0)? * 10 + digit(1)?) * 10 + digit(2)?) * 10 + digit(3)?;
    let m = digit(5)? * 10 + digit(6)?;
    let d = digit(8)? * 10 + digit(9)?;
    Some((i32::try_from(y).ok()?, m, d))
}

/// A calendar date from `YYYY-MM-DD`; None for anything else.
fn date_of(b: &[u8]) -> Option<NaiveDate> {
    let (y, m, d) = date_parts(b)?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses `YYYY-MM-DD` into a calendar date, or says why not.
pub fn parse_date(s: &str) -> Result<NaiveDate, DateProblem> {
    let Some((y, m, d)) = date_parts(s.as_bytes()) else {
        return Err(DateProblem::Shape(s.to_string()));
    };
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        if (1..=12).contains(&m) {
            DateProblem::NoDay {
                text: s.to_string(),
                year: y,
                month: m,
                day: d,
            }
        } else {
            DateProblem::NoMonth {
                text: s.to_string(),
                month: m,
            }
        }
    })
}

/// Longest key or value compared with the known ones for a suggestion:
/// the edit distance costs the product of the lengths.
const MAX_SUGGEST_BYTES: usize = 256;

/// [`suggest`], for names of a reasonable length only.
fn suggest_near<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > MAX_SUGGEST_BYTES {
        return None;
    }
    suggest(name, candidates)
}

/// The problem with a NaN or an infinity given as a fact's value.
fn non_finite_error(path: &str, x: f64) -> CaseError {
    CaseError::new(path, CaseProblem::NonFinite(NonFinite::of(x)))
}

impl Sink<'_> {
    /// The assessment date.
    fn as_of(&mut self, path: &str, v: Scalar) {
        if self.as_of_stated {
            self.error(CaseError::new(path, CaseProblem::AsOfTwice));
            return;
        }
        self.as_of_stated = true;
        match v {
            Scalar::Null => {
                if let Some(x) = self.non_finite.get(path) {
                    self.error(non_finite_error(path, *x));
                }
            }
            Scalar::Str(s) => match parse_date(&s) {
                Ok(d) => self.case.as_of = Some(d),
                Err(d) => self.error(CaseError::new(path, CaseProblem::AsOfDate(d))),
            },
            Scalar::Float(x) if !x.is_finite() => self.error(non_finite_error(path, x)),
            other => self.error(CaseError::new(
                path,
                CaseProblem::AsOfType {
                    found: other.kind(),
                },
            )),
        }
    }
    /// Keeps a problem, or only counts it past [`MAX_CASE_ERRORS`].
    fn error(&mut self, e: CaseError) {
        if self.full() {
            self.dropped += 1;
        } else {
            self.errors.push(e);
        }
    }
    /// Whether further problems are only counted (and need no message).
    fn full(&self) -> bool {
        self.errors.len() >= MAX_CASE_ERRORS
    }
    /// A number as it was written: the JSON text itself when there is one
    /// (a 26-digit integer is shown with its 26 digits, not as the nearest
    /// decimal number), else the value read.
    fn number_as_given(&self, path: &str, x: f64) -> String {
        self.json
            .as_ref()
            .and_then(|j| j.borrow_mut().value(path, false))
            .filter(|raw| {
                raw.bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
            })
            .map(str::to_string)
            .unwrap_or_else(|| format!("{x}"))
    }
    /// Records that a fact is stated; false (with a problem) the second time.
    fn state(&mut self, path: &str, fact: FactId) -> bool {
        match self.stated.get_mut(fact as usize) {
            Some(seen) if *seen => {
                let fact = self
                    .program
                    .fact(fact)
                    .expect("a schema's facts are its program's")
                    .name
                    .clone();
                self.error(CaseError::new(path, CaseProblem::FactTwice { fact }));
                false
            }
            Some(seen) => {
                *seen = true;
                true
            }
            None => true,
        }
    }
    fn leaf(&mut self, path: &str, fact: FactId, v: Scalar) {
        if !self.state(path, fact) {
            return;
        }
        if self.full() {
            // Only counted: decide whether it is a problem without looking
            // the number up in the text.
            let json = self.json.take();
            if self.leaf_value(path, fact, v).is_err() {
                self.dropped += 1;
            }
            self.json = json;
            return;
        }
        if let Err(e) = self.leaf_value(path, fact, v) {
            self.error(e);
        }
    }
    fn leaf_value(&mut self, path: &str, fact: FactId, v: Scalar) -> Result<(), CaseError> {
        let Some(f) = self.program.fact(fact) else {
            return Ok(());
        };
        let value = match (&f.ty, v) {
            (_, Scalar::Float(x)) if !x.is_finite() => Err(non_finite_error(path, x)),
            (_, Scalar::Null) => match self.non_finite.get(path) {
                Some(x) => Err(non_finite_error(path, *x)),
                None => Ok(Value::Unknown),
            },
            (Type::Bool, Scalar::Bool(b)) => Ok(Value::Bool(b)),
            (Type::Int, Scalar::Int(n)) => match (i64::try_from(n), f.min) {
                (Ok(n), Some(min)) if n < min => Err(CaseError::new(
                    path,
                    CaseProblem::BelowMinimum {
                        fact: f.name.clone(),
                        label: f.label.clone(),
                        min,
                        found: n,
                    },
                )),
                (Ok(n), _) => Ok(Value::Int(n)),
                (Err(_), _) => Err(CaseError::new(path, CaseProblem::TooLarge { number: n })),
            },
            (Type::Int, Scalar::Float(x)) if x.fract() == 0.0 && x.abs() >= 9.2e18 => {
                Err(CaseError::new(
                    path,
                    CaseProblem::IntegerTooLarge {
                        number: self.number_as_given(path, x),
                    },
                ))
            }
            (Type::Int, Scalar::Float(x)) => Err(CaseError::new(
                path,
                CaseProblem::NotWhole {
                    number: match self.json {
                        Some(_) => self.number_as_given(path, x),
                        None => format!("{x:?}"),
                    },
                },
            )),
            (Type::Date, Scalar::Str(s)) => parse_date(&s)
                .map(Value::Date)
                .map_err(|d| CaseError::new(path, CaseProblem::Date(d))),
            (Type::Text, Scalar::Str(s)) => Ok(Value::Text(s.as_ref().into())),
            (Type::Enum(e), Scalar::Str(s)) => {
                let t = self.program.enums.get(*e as usize);
                let variants: Vec<&str> = t
                    .map(|t| t.variants.iter().map(|(n, _)| n.as_str()).collect())
                    .unwrap_or_default();
                match variants.iter().position(|v| *v == s.as_ref()) {
                    Some(i) => Ok(Value::Enum(
                        *e,
                        u32::try_from(i).expect("an enum's values are counted in 32 bits"),
                    )),
                    None => {
                        // A value's Chinese label (`有效`) names the value (`valid`).
                        let label_of = t.and_then(|t| {
                            t.variants
                                .iter()
                                .find(|(_, label)| label.trim() == s.trim())
                                .map(|(n, _)| n.to_string())
                        });
                        let suggestion = match label_of {
                            Some(_) => None,
                            None => suggest_near(&s, variants.iter().copied()).map(str::to_string),
                        };
                        Err(CaseError::new(
                            path,
                            CaseProblem::NotAValue {
                                value: s.into_owned(),
                                fact: f.name.clone(),
                                label: f.label.clone(),
                                values: variants.iter().map(|v| v.to_string()).collect(),
                                label_of,
                                suggestion,
                            },
                        ))
                    }
                }
            }
            (ty, other) => {
                let want = match ty {
                    Type::Bool => Want::Bool,
                    Type::Int => Want::Int,
                    Type::Date => Want::Date,
                    Type::Text => Want::Text,
                    Type::Enum(e) => Want::OneOf(
                        self.program
                            .enums
                            .get(*e as usize)
                            .expect("a fact's enum is its program's")
                            .variants
                            .iter()
                            .map(|(n, _)| n.clone())
                            .collect(),
                    ),
                    _ => Want::Value,
                };
                let found = match other {
                    Scalar::Str(s) => Found::Text(s.into_owned()),
                    Scalar::Bool(b) => Found::Bool(b),
                    Scalar::Int(n) => Found::Int(n),
                    Scalar::Float(x) => Found::Number(self.number_as_given(path, x)),
                    o => Found::Kind(o.kind()),
                };
                Err(CaseError::new(
                    path,
                    CaseProblem::WrongType {
                        fact: f.name.clone(),
                        label: f.label.clone(),
                        want,
                        found,
                    },
                ))
            }
        };
        let v = value?;
        if let Some(slot) = self.case.facts.get_mut(fact as usize) {
            *slot = v;
        }
        Ok(())
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
        let mut unknown_seen: std::collections::HashSet<String> = Default::default();
        while let Some(Key(key)) = m.next_key::<Key>()? {
            let path = join(self.prefix, &key);
            let node = match self.branch.find(&key) {
                Some((i, node)) => {
                    if seen.get(i).copied().unwrap_or(false) {
                        self.sink.error(CaseError::new(
                            path,
                            CaseProblem::KeyTwice {
                                key: key.into_owned(),
                            },
                        ));
                        m.next_value::<IgnoredAny>()?;
                        continue;
                    }
                    if let Some(s) = seen.get_mut(i) {
                        *s = true;
                    }
                    Some(node)
                }
                // `agency.registered_in_shanghai` is `agency: {registered_in_shanghai}`.
                None => self.branch.resolve_dotted(&key),
            };
            match node {
                Some(Node::Leaf(f)) => {
                    let v: Scalar = m.next_value()?;
                    self.sink.leaf(&path, *f, v);
                }
                Some(Node::AsOf) => {
                    let v: Scalar = m.next_value()?;
                    self.sink.as_of(&path, v);
                }
                Some(Node::Branch(b)) => {
                    m.next_value_seed(BranchSeed {
                        branch: b,
                        prefix: &path,
                        sink: &mut *self.sink,
                    })?;
                }
                None => {
                    m.next_value::<IgnoredAny>()?;
                    if self.sink.full() {
                        if unknown_seen.insert(path) {
                            self.sink.dropped += 1;
                        }
                        continue;
                    }
                    if !unknown_seen.insert(path.clone()) {
                        continue;
                    }
                    let problem = self.unknown_key(&key);
                    self.sink.error(CaseError::new(path, problem));
                }
            }
        }
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.not_object(Kind::Boolean);
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.not_object(Kind::Number);
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.not_object(Kind::Number);
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.not_object(Kind::Number);
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.not_object(Kind::Text);
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<(), A::Error> {
        while s.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object(Kind::Array);
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(tag_error())
    }
}

impl BranchSeed<'_, '_> {
    /// An unknown key, with the nearest key here (or dotted key below).
    fn unknown_key(&self, key: &str) -> CaseProblem {
        let keys: Vec<String> = self.branch.keys.iter().map(|(k, _)| k.clone()).collect();
        let mut dotted = Vec::new();
        if key.contains('.') {
            self.branch.dotted_names("", &mut dotted);
        }
        let best = if key.contains('.') {
            suggest_near(key, dotted.iter().map(String::as_str))
        } else {
            suggest_near(key, keys.iter().map(String::as_str))
        };
        CaseProblem::UnknownKey {
            group: self.prefix.to_string(),
            suggestion: best.map(|b| join(self.prefix, b)),
            keys,
        }
    }
    fn not_object(self, found: Kind) {
        let error = if self.prefix.is_empty() {
            CaseError::whole(CaseProblem::NotAnObject { found })
        } else {
            CaseError::new(
                self.prefix,
                CaseProblem::GroupNotObject {
                    group: self.prefix.to_string(),
                    found,
                    keys: self
                        .branch
                        .keys
                        .iter()
                        .take(4)
                        .map(|(k, _)| k.clone())
                        .collect(),
                },
            )
        };
        self.sink.error(error);
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
    let none = std::collections::HashMap::new();
    decode_with(p, schema, d, None, &none)
        .unwrap_or_else(|e| Err(vec![syntax_error(&e.to_string(), Syntax::Any, None)]))
}

/// Decodes a case; the outer error is the format's own (a syntax error),
/// the inner ones are the problems of a well-formed case.
fn decode_with<'de, 'p, D: de::Deserializer<'de>>(
    p: &'p Program,
    schema: &Schema,
    d: D,
    json: Option<&'p str>,
    non_finite: &'p std::collections::HashMap<String, f64>,
) -> Result<Result<Case, Vec<CaseError>>, D::Error> {
    let mut sink = Sink {
        program: p,
        case: Case {
            facts: vec![Value::Unknown; p.facts.len()],
            as_of: None,
        },
        errors: Vec::new(),
        dropped: 0,
        stated: vec![false; p.facts.len()],
        as_of_stated: false,
        json: json.map(|t| std::cell::RefCell::new(JsonPlaces::new(t))),
        non_finite,
    };
    let seed = BranchSeed {
        branch: &schema.root,
        prefix: "",
        sink: &mut sink,
    };
    seed.deserialize(d)?;
    if sink.dropped > 0 {
        sink.errors
            .push(CaseError::whole(CaseProblem::MoreProblems {
                count: sink.dropped,
                listed: MAX_CASE_ERRORS,
            }));
    }
    Ok(if sink.errors.is_empty() {
        Ok(sink.case)
    } else {
        Err(sink.errors)
    })
}

/// A format's own error (a syntax error, or nesting past the decoders'
/// recursion limit), with the advice that fits.
fn syntax_error(raw: &str, syntax: Syntax, text: Option<&str>) -> CaseError {
    // The character the parser stopped at, when it only looks like one the
    // format accepts.
    let lookalike = text.and_then(|t| {
        let at = syntax_place(t, raw)?;
        t.get(at.start..)?.chars().next()
    });
    CaseError::whole(if raw.contains("recursion limit") {
        CaseProblem::NestedTooDeep {
            levels: MAX_CASE_DEPTH,
            syntax,
        }
    } else {
        CaseProblem::Malformed {
            detail: raw.to_string(),
            syntax,
            lookalike: lookalike.filter(|c| crate::diag::record::is_lookalike(*c)),
        }
    })
}

/// Decodes a case from JSON text.
pub fn decode_json(p: &Program, schema: &Schema, text: &str) -> Result<Case, Vec<CaseError>> {
    let none = std::collections::HashMap::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let case = match decode_with(p, schema, &mut de, Some(text), &none) {
        Ok(r) => r?,
        Err(e) => return Err(vec![syntax_error(&e.to_string(), Syntax::Any, Some(text))]),
    };
    if let Err(e) = de.end() {
        return Err(vec![syntax_error(
            &e.to_string(),
            Syntax::JsonEnd,
            Some(text),
        )]);
    }
    Ok(case)
}

/// The members of a JSON object, each value as its text.
struct RawMembers<'t>(Vec<(String, &'t serde_json::value::RawValue)>);

impl<'de> de::Deserialize<'de> for RawMembers<'de> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMembers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry()? {
                    out.push((k, v));
                }
                Ok(RawMembers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// The objects of a JSON case's text, each parsed into its members once,
/// to find where the value at a dotted path stands, as written, for
/// messages. A key may be nested or dotted. Time: linear in the text for
/// all the paths asked, plus the members of the objects they pass through.
struct JsonPlaces<'t> {
    text: &'t str,
    root: Option<Option<&'t serde_json::value::RawValue>>,
    /// Members by the object's place in the text (start, length).
    objects: std::collections::HashMap<(usize, usize), RawMembers<'t>>,
}

impl<'t> JsonPlaces<'t> {
    fn new(text: &'t str) -> Self {
        JsonPlaces {
            text,
            root: None,
            objects: Default::default(),
        }
    }

    /// The value at `path`: the first of several matching keys, or the
    /// last when `last` (the key given twice is the second).
    fn value(&mut self, path: &str, last: bool) -> Option<&'t str> {
        let text = self.text;
        let mut raw = *self
            .root
            .get_or_insert_with(|| serde_json::from_str(text).ok());
        let mut rest = path;
        while !rest.is_empty() {
            let here = raw?.get();
            let place = (here.as_ptr() as usize, here.len());
            let RawMembers(members) = match self.objects.entry(place) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(serde_json::from_str(here).ok()?)
                }
            };
            let mut next = None;
            for (k, v) in members {
                let found = if k == rest {
                    Some((*v, ""))
                } else {
                    rest.strip_prefix(k.as_str())
                        .and_then(|r| r.strip_prefix('.'))
                        .map(|r| (*v, r))
                };
                if found.is_some() {
                    next = found;
                    if !last {
                        break;
                    }
                }
            }
            let (v, r) = next?;
            raw = Some(v);
            rest = r;
        }
        raw.map(|r| r.get())
    }
}

/// A case's problems as diagnostics naming `name`; with the case's text,
/// each placed where its format keeps places (the value underlined), unless
/// its line is longer than `snippet` bytes (a case on one line).
pub fn located_diags(
    name: &str,
    text: Option<(&str, Format)>,
    errors: &[CaseError],
    snippet: Option<usize>,
) -> (Vec<Diag>, crate::source::SourceMap) {
    let mut sources = crate::source::SourceMap::default();
    let file = text.map(|(t, _)| sources.add(name, t));
    let places = match text {
        Some((t, format)) => locate_all(t, format, errors),
        None => vec![None; errors.len()],
    };
    let diags = errors
        .iter()
        .zip(places)
        .map(|(e, place)| {
            let d = e.to_diag(name);
            match (text, file, place) {
                (Some((t, _)), Some(id), Some(r))
                    if snippet.is_none_or(|n| line_of(t, r.start).len() <= n) =>
                {
                    d.label(crate::source::Span::new(id, r.start, r.end), "here")
                }
                _ => d,
            }
        })
        .collect();
    (diags, sources)
}

/// The line of a text around a byte offset.
fn line_of(text: &str, at: usize) -> &str {
    let start = text
        .get(..at)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = text
        .get(at..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| at + i);
    text.get(start..end).unwrap_or("")
}

/// Where in a case's text each problem stands, as a byte range: the key it
/// is about (with its quotes) when the format keeps places (JSON), the
/// place a syntax error names (every format); None otherwise. For
/// `file:line:col` in messages. A key longer than a line is placed by its
/// opening quote alone.
pub fn locate_all(
    text: &str,
    format: Format,
    errors: &[CaseError],
) -> Vec<Option<std::ops::Range<usize>>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut places = JsonPlaces::new(body);
    errors
        .iter()
        .map(|e| {
            if e.path.is_empty() {
                // A syntax error names its line and column in every format.
                return syntax_place(text, &e.message());
            }
            if format != Format::Json {
                return None;
            }
            let raw = places.value(&e.path, true)?;
            key_before(
                text,
                (raw.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?,
            )
        })
        .collect()
}

/// The character at "line L column C" named in a parser's message (both
/// counted from 1, the column in characters), as a byte range.
fn syntax_place(text: &str, message: &str) -> Option<std::ops::Range<usize>> {
    let at = message.find(" line ")?;
    let mut words = message.get(at..)?.split_whitespace();
    let (Some("line"), Some(line), Some("column"), Some(column)) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return None;
    };
    let line: usize = line.trim_end_matches([',', ':']).parse().ok()?;
    let column: usize = column.trim_end_matches([',', ':', ';']).parse().ok()?;
    let start = if line <= 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let rest = text.get(start..)?;
    let rest = rest.get(..rest.find('\n').unwrap_or(rest.len()))?;
    let (offset, c) = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .unwrap_or((rest.len(), ' '));
    let from = start + offset;
    Some(from..from + if offset < rest.len() { c.len_utf8() } else { 0 })
}

/// The key (with its quotes) before the JSON value at byte `value`.
fn key_before(text: &str, value: usize) -> Option<std::ops::Range<usize>> {
    // Back from the value over `"key" :` to the key's opening quote.
    let b = text.as_bytes();
    let mut i = value;
    let back_over_space = |mut i: usize| {
        while i > 0 && b.get(i - 1).is_some_and(u8::is_ascii_whitespace) {
            i -= 1;
        }
        i
    };
    i = back_over_space(i);
    if i == 0 || b.get(i - 1) != Some(&b':') {
        return None;
    }
    i = back_over_space(i - 1);
    if i == 0 || b.get(i - 1) != Some(&b'"') {
        return None;
    }
    let end = i;
    let mut j = i - 1;
    loop {
        if j == 0 {
            return None;
        }
        j -= 1;
        if b.get(j) == Some(&b'"') {
            let slashes = b
                .get(..j)
                .map_or(0, |r| r.iter().rev().take_while(|&&c| c == b'\\').count());
            if slashes % 2 == 0 {
                break;
            }
        }
    }
    Some(if end - j > 80 { j..j + 1 } else { j..end })
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
    /// The format a file name implies (JSON by default). Prefer
    /// [`Format::detect`], which looks at the content when the name says
    /// nothing.
    pub fn of(path: &str) -> Format {
        Format::by_extension(path).unwrap_or(Format::Json)
    }

    /// The format a file's extension names: `.json`, `.yaml` or `.yml`,
    /// `.toml` (in any case); None for any other name.
    pub fn by_extension(path: &str) -> Option<Format> {
        let lower = path.to_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            Some(Format::Yaml)
        } else if lower.ends_with(".toml") {
            Some(Format::Toml)
        } else if lower.ends_with(".json") || lower.ends_with(".jsonl") {
            Some(Format::Json)
        } else {
            None
        }
    }

    /// The format of a case named `name` holding `text`: by the extension,
    /// else by the content (standard input, `.txt`, no extension).
    pub fn detect(name: &str, text: &str) -> Format {
        Format::by_extension(name).unwrap_or_else(|| Format::sniff(text))
    }

    /// The format of a case's text: JSON when it opens with `{`; TOML when
    /// its first line (blank lines and `#` comments aside) is a `[table]`
    /// header or a `key = value`; YAML otherwise.
    pub fn sniff(text: &str) -> Format {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let Some(line) = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
        else {
            return Format::Json;
        };
        if line.starts_with('{') {
            return Format::Json;
        }
        if line.starts_with('[') {
            // `[agency]` or `[[x]]` is a TOML table; `[1, 2]` a JSON array.
            let inner = line.trim_start_matches('[');
            let name = inner.split(']').next().unwrap_or("").trim();
            let table = inner.contains(']')
                && !name.is_empty()
                && name.chars().all(|c| {
                    c.is_alphanumeric() || matches!(c, '_' | '-' | '"' | '\'' | '.' | ' ')
                });
            return if table { Format::Toml } else { Format::Json };
        }
        // `key = value` (TOML) against `key: value` (YAML): whichever sign
        // comes first outside quotes.
        let mut quote = None;
        for c in line.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '=') => return Format::Toml,
                (None, ':') => return Format::Yaml,
                _ => {}
            }
        }
        Format::Yaml
    }

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "JSON",
            Format::Yaml => "YAML",
            Format::Toml => "TOML",
        }
    }
}

/// A TOML value as JSON. NaN and the infinities, which JSON cannot hold,
/// become null and are noted by path, so that the decoder reports them
/// where they stand rather than taking them as unknown.
fn toml_to_json(
    v: toml::Value,
    path: &str,
    non_finite: &mut std::collections::HashMap<String, f64>,
) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(n) => J::from(n),
        toml::Value::Float(x) => match serde_json::Number::from_f64(x) {
            Some(n) => J::Number(n),
            None => {
                non_finite.insert(path.to_string(), x);
                J::Null
            }
        },
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(
            a.into_iter()
                .enumerate()
                .map(|(i, v)| toml_to_json(v, &join(path, &i.to_string()), non_finite))
                .collect(),
        ),
        toml::Value::Table(t) => J::Object(
            t.into_iter()
                .map(|(k, v)| {
                    let child = toml_to_json(v, &join(path, &k), non_finite);
                    (k, child)
                })
                .collect(),
        ),
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
        return Err(vec![CaseError::whole(CaseProblem::Empty)]);
    }
    match format {
        Format::Json => decode_json(p, schema, text),
        Format::Yaml => decode_yaml(p, schema, text),
        Format::Toml => match toml_prescan(text).and_then(|()| {
            toml::from_str::<toml::Value>(text).map_err(|e| {
                CaseError::whole(CaseProblem::NotToml {
                    at: e.span().map(|r| line_column(text, r.start)),
                    detail: e.message().trim_end().replace('\n', "; "),
                })
            })
        }) {
            Ok(v) => {
                let mut non_finite = std::collections::HashMap::new();
                let json = toml_to_json(v, "", &mut non_finite);
                match decode_with(p, schema, json, None, &non_finite) {
                    Ok(r) => r,
                    Err(e) => Err(vec![syntax_error(&e.to_string(), Syntax::Toml, None)]),
                }
            }
            Err(e) => Err(vec![e]),
        },
    }
}

/// Decodes YAML straight into the fact slots, as JSON is: a key given twice
/// is reported like a duplicate JSON key, never silently overwritten.
fn decode_yaml(p: &Program, schema: &Schema, text: &str) -> Result<Case, Vec<CaseError>> {
    let none = std::collections::HashMap::new();
    yaml_prescan(text).map_err(|e| vec![e])?;
    let de = serde_yaml::Deserializer::from_str(text);
    match decode_with(p, schema, de, None, &none) {
        Ok(r) => r,
        Err(e) => {
            let raw = e.to_string();
            Err(vec![CaseError::whole(
                if raw.contains(crate::diag::YAML_TAG) {
                    CaseProblem::YamlTag { detail: raw }
                } else if raw.contains("recursion limit") {
                    CaseProblem::NestedTooDeep {
                        levels: MAX_CASE_DEPTH,
                        syntax: Syntax::Yaml,
                    }
                } else {
                    CaseProblem::NotYaml { detail: raw }
                },
            )])
        }
    }
}

/// Rejects, before the YAML parser sees it, a text nested deeper than a case
/// can be. (libyaml keeps one entry per open level and scans them all at
/// every token, so a deeply nested text costs time quadratic in its depth.)
///
/// Only flow collections (`[…]`, `{…}`) and compact block collections
/// (`- - - x`) can nest deeply in few bytes: block nesting across lines
/// costs indentation on every line, so its cost is bounded by the size.
/// The scan follows YAML's lexical structure far enough to tell a flow
/// indicator from the same character in a quoted, plain or block scalar or
/// a comment. Time: linear in the text.
fn yaml_prescan(text: &str) -> Result<(), CaseError> {
    let too_deep = || {
        CaseError::whole(CaseProblem::BracketsTooDeep {
            levels: MAX_CASE_DEPTH,
        })
    };
    let b = text.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    // Block context: whether the next character may start a node (a flow
    // collection or a quoted scalar) rather than continue a plain scalar.
    let mut node_start = true;
    // Indentation of the current line, and of a block scalar's header line
    // while its more-indented body is skipped.
    let mut line_indent = 0usize;
    let mut at_line_start = true;
    let mut block_scalar: Option<usize> = None;
    // Sequence and key indicators on the current line, each a level deeper.
    let mut compact = 0usize;
    while let Some(&c) = b.get(i) {
        if at_line_start {
            let indent = b
                .get(i..)
                .map_or(0, |r| r.iter().take_while(|&&x| x == b' ').count());
            let blank = matches!(b.get(i + indent), None | Some(b'\n' | b'\r'));
            if let Some(header) = block_scalar {
                if blank || indent > header {
                    // Past the line and its newline: still at a line start.
                    i = skip_line(b, i) + 1;
                    continue;
                }
                block_scalar = None;
            }
            line_indent = indent;
            compact = 0;
            at_line_start = false;
            if depth == 0 {
                node_start = true;
            }
            i += indent;
            continue;
        }
        match c {
            b'\n' => {
                at_line_start = true;
                i += 1;
            }
            b'#' if i == 0 || matches!(b.get(i - 1), Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                i = skip_line(b, i);
            }
            b'"' if depth > 0 || node_start => {
                i = skip_quoted(b, i + 1, b'"');
                node_start = false;
            }
            b'\'' if depth > 0 || node_start => {
                i = skip_quoted(b, i + 1, b'\'');
                node_start = false;
            }
            b'[' | b'{' if depth > 0 || node_start => {
                depth += 1;
                if depth > MAX_CASE_DEPTH {
                    return Err(too_deep());
                }
                i += 1;
            }
            b']' | b'}' if depth > 0 => {
                depth -= 1;
                node_start = false;
                i += 1;
            }
            b'|' | b'>' if depth == 0 && node_start => {
                block_scalar = Some(line_indent);
                i = skip_line(b, i);
            }
            b' ' | b'\t' | b'\r' => i += 1,
            // Indicators after which a node may start: `key: `, `- `, `? `,
            // and `,` inside a flow collection.
            b':' | b'-' | b'?'
                if (c == b':' || node_start)
                    && matches!(b.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) =>
            {
                // `- - - x` nests one level per indicator on one line.
                if c != b':' {
                    compact += 1;
                    if compact > MAX_CASE_DEPTH {
                        return Err(too_deep());
                    }
                }
                node_start = true;
                i += 1;
            }
            // An anchor or a tag comes before the node it names.
            b'&' | b'!' if depth > 0 || node_start => {
                while matches!(b.get(i), Some(x) if !matches!(x, b' ' | b'\t' | b'\n' | b'\r')) {
                    i += 1;
                }
            }
            _ => {
                if depth == 0 {
                    node_start = false;
                }
                i += 1;
            }
        }
    }
    Ok(())
}

/// The most keys and table headers a TOML case may have: a case states at
/// most its facts (a few hundred), and the TOML parser keeps a document of
/// some hundred bytes per key, so a file of nothing but keys would cost a
/// hundred times its size in memory.
pub const MAX_CASE_KEYS: usize = 10_000;

/// Rejects, before the TOML parser sees it, a text with more keys than a
/// case can have, or a dotted key or table name deeper than a case can
/// nest. Counts the lines that open with a key or a `[table]` header,
/// outside strings (multi-line ones included) and comments. Time: linear.
fn toml_prescan(text: &str) -> Result<(), CaseError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut keys = 0usize;
    let mut at_line_start = true;
    while let Some(&c) = b.get(i) {
        if at_line_start {
            at_line_start = false;
            while matches!(b.get(i), Some(b' ' | b'\t')) {
                i += 1;
            }
            // A key or a header: its dotted parts, outside quotes, up to
            // `=` or `]`.
            if !matches!(b.get(i), None | Some(b'\n' | b'\r' | b'#')) {
                keys += 1;
                if keys > MAX_CASE_KEYS {
                    return Err(CaseError::whole(CaseProblem::TooManyKeys {
                        limit: MAX_CASE_KEYS,
                    }));
                }
                let mut parts = 1usize;
                while let Some(&k) = b.get(i) {
                    match k {
                        b'=' | b']' | b'\n' => break,
                        b'.' => parts += 1,
                        b'"' => i = skip_quoted(b, i + 1, b'"') - 1,
                        b'\'' => i = skip_quoted(b, i + 1, b'\'') - 1,
                        _ => {}
                    }
                    i += 1;
                }
                if parts > MAX_CASE_DEPTH {
                    return Err(CaseError::whole(CaseProblem::DottedKeysTooDeep {
                        levels: MAX_CASE_DEPTH,
                    }));
                }
            }
            continue;
        }
        i = match c {
            b'\n' => {
                at_line_start = true;
                i + 1
            }
            b'#' => skip_line(b, i),
            b'"' if b.get(i..i + 3) == Some(b"\"\"\"") => skip_multiline(b, i + 3, b"\"\"\""),
            b'\'' if b.get(i..i + 3) == Some(b"\'\'\'") => skip_multiline(b, i + 3, b"\'\'\'"),
            b'"' => skip_quoted(b, i + 1, b'"'),
            b'\'' => skip_quoted(b, i + 1, b'\''),
            _ => i + 1,
        };
    }
    Ok(())
}

/// The index just past a TOML multi-line string's closing delimiter, the
/// opening one being before `i` (`\` escapes in `"""` strings).
fn skip_multiline(b: &[u8], mut i: usize, close: &[u8]) -> usize {
    while let Some(&c) = b.get(i) {
        if close == b"\"\"\"" && c == b'\\' {
            i += 2;
            continue;
        }
        if b.get(i..i + close.len()) == Some(close) {
            // `""""` ends with the last three quotes.
            let mut end = i + close.len();
            while b.get(end) == close.first() && end < i + close.len() + 2 {
                end += 1;
            }
            return end;
        }
        i += 1;
    }
    i
}

/// The index just past the end of the line at `i` (its newline excluded).
fn skip_line(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(x) if *x != b'\n') {
        i += 1;
    }
    i
}

/// The index just past a quoted scalar's closing quote, the opening one
/// being before `i` (`\"` escapes in double quotes, `''` in single).
fn skip_quoted(b: &[u8], mut i: usize, quote: u8) -> usize {
    while let Some(&c) = b.get(i) {
        i += 1;
        if quote == b'"' && c == b'\\' {
            i += 1;
        } else if c == quote {
            if quote == b'\'' && b.get(i) == Some(&b'\'') {
                i += 1;
            } else {
                return i;
            }
        }
    }
    i
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
    let unreadable = |e: std::io::Error| {
        CaseError::whole(CaseProblem::Unreadable {
            source: "the case file".into(),
            reason: crate::load::io_reason(&e),
        })
    };
    let meta = std::fs::metadata(path).map_err(unreadable)?;
    if meta.is_dir() {
        return Err(CaseError::whole(CaseProblem::Directory));
    }
    if meta.len() > MAX_CASE_BYTES {
        return Err(CaseError::whole(CaseProblem::FileTooLarge {
            bytes: meta.len(),
            limit: MAX_CASE_BYTES,
        }));
    }
    read_case(std::fs::File::open(path).map_err(unreadable)?, "the file")
}

/// Reads a case from a file, a pipe, a FIFO, a device or standard input:
/// at most one byte past [`MAX_CASE_BYTES`] is read, whatever the source
/// (none has a size to check beforehand but a plain file), and the text
/// must be UTF-8. `what` names the source in messages ("the file").
pub fn read_case(r: impl std::io::Read, what: &str) -> Result<String, CaseError> {
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(r, MAX_CASE_BYTES + 1), &mut bytes)
        .map_err(|e| {
            CaseError::whole(CaseProblem::Unreadable {
                source: what.to_string(),
                reason: crate::load::io_reason(&e),
            })
        })?;
    if bytes.len() as u64 > MAX_CASE_BYTES {
        return Err(CaseError::whole(CaseProblem::SourceTooLarge {
            source: what.to_string(),
            limit: MAX_CASE_BYTES,
        }));
    }
    String::from_utf8(bytes).map_err(|e| {
        CaseError::whole(CaseProblem::NotUtf8 {
            source: what.to_string(),
            at: e.utf8_error().valid_up_to(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn deep(text: &str) -> bool {
        yaml_prescan(text).is_err()
    }

    /// The pre-scan refuses only real nesting: the same characters in a
    /// plain, quoted or block scalar or in a comment are text.
    #[test]
    fn the_yaml_prescan_counts_only_real_nesting() {
        let many = "[".repeat(200);
        for text in [
            format!("note: a{many}\n"),
            format!("note: \"{many}\"\n"),
            format!("note: '{many}'\n"),
            format!("note: 'it''s {many}'\n"),
            format!("note: \"say \\\"{many}\"\n"),
            format!("note: |\n  {many}\n  {many}\nnext: 1\n"),
            format!("note: >-\n    {many}\n\n    more\nnext: 1\n"),
            format!("# {many}\nnote: 1 # {many}\n"),
            "note: a - [b\n".repeat(200),
            format!("a: {}{}\n", "[".repeat(128), "]".repeat(128)),
            format!("{}x\n", "- ".repeat(128)),
            "- - x\n".repeat(1000),
        ] {
            assert!(!deep(&text), "refused: {}", text.get(..60).unwrap_or(&text));
        }
        for text in [
            format!("a: {}{}\n", "[".repeat(129), "]".repeat(129)),
            format!("a: {}", "{b: ".repeat(129)),
            "[".repeat(129),
            format!("{}x\n", "- ".repeat(129)),
            format!("a: &x !t {}\n", "[".repeat(129)),
            format!("a: [\n{}\n]\n", "[".repeat(129)),
        ] {
            assert!(deep(&text), "accepted: {}", text.get(..60).unwrap_or(&text));
        }
    }

    /// The TOML pre-scan counts keys and dotted parts outside strings and
    /// comments only.
    #[test]
    fn the_toml_prescan_counts_keys_outside_strings() {
        let lines = "[a.b]\nx.y = 1\n".repeat(MAX_CASE_KEYS);
        for text in [
            format!("note = \"\"\"\n{lines}\"\"\"\n"),
            format!("note = '''\n{lines}'''\n"),
            format!("note = \"\"\"\\\"\"\"\n{lines}\"\"\"\"\nx = 1\n"),
            format!("# {}\n", "a.".repeat(200)),
            format!("\"{}\" = 1\n", "a.".repeat(200)),
            format!("note = \"{}\"\n", "a.".repeat(200)),
            "x = 1\n".repeat(MAX_CASE_KEYS),
        ] {
            assert!(
                toml_prescan(&text).is_ok(),
                "refused: {}",
                text.get(..60).unwrap_or(&text)
            );
        }
        for text in [
            "x = 1\n".repeat(MAX_CASE_KEYS + 1),
            "[t]\n".repeat(MAX_CASE_KEYS + 1),
            format!("{}b = 1\n", "a.".repeat(128)),
            format!("[{}b]\n", "a.".repeat(128)),
        ] {
            assert!(
                toml_prescan(&text).is_err(),
                "accepted: {}",
                text.get(..60).unwrap_or(&text)
            );
        }
    }

    #[test]
    fn the_format_by_content() {
        for (text, f) in [
            ("{\"as_of\": \"2025-03-01\"}", Format::Json),
            ("\u{feff}\n  {}", Format::Json),
            ("[1, 2]", Format::Json),
            ("", Format::Json),
            ("as_of = \"2025-03-01\"", Format::Toml),
            ("# comment\n[agency]\nx = 1", Format::Toml),
            ("[[cases]]\n", Format::Toml),
            ("\"as_of\" = 2025-03-01", Format::Toml),
            ("as_of: 2025-03-01", Format::Yaml),
            ("---\nas_of: 2025-03-01", Format::Yaml),
            ("\"a=b\": 1", Format::Yaml),
            ("- 1", Format::Yaml),
        ] {
            assert_eq!(Format::sniff(text), f, "{text:?}");
        }
        assert_eq!(Format::detect("case.YML", "{}"), Format::Yaml);
        assert_eq!(Format::detect("case.txt", "a: 1"), Format::Yaml);
        assert_eq!(Format::detect("-", "a = 1"), Format::Toml);
    }

    /// A JSON-like value of bounded depth whose texts are full of the
    /// characters YAML gives a meaning to.
    fn value() -> impl Strategy<Value = serde_json::Value> {
        let text =
            proptest::string::string_regex("[a-z\\[\\]{}#:,'\"|>&!*\\- \n]{0,12}").expect("regex");
        let leaf = prop_oneof![
            text.prop_map(serde_json::Value::String),
            any::<bool>().prop_map(serde_json::Value::Bool),
            any::<i64>().prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(12, 64, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::btree_map("[a-z\\[#: ]{1,6}", inner, 0..4)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whatever YAML a serializer writes for a value nested a dozen
        /// levels, in block or flow style, the pre-scan lets it through.
        #[test]
        fn the_yaml_prescan_accepts_what_yaml_writers_write(v in value()) {
            let block = serde_yaml::to_string(&v).expect("yaml");
            prop_assert!(!deep(&block), "{}", block);
            let flow = serde_json::to_string(&v).expect("json");
            prop_assert!(!deep(&flow), "{}", flow);
        }
    }
}
