//! The checked, resolved form of a policy set: every name replaced by a slot,
//! every definition inlined at its call sites, exceptions pre-resolved, and
//! outcomes in evaluation order. Evaluation reads only this.
use crate::regulation::Regulation;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::Rounding;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;

/// Index of a fact slot.
pub type FactId = u32;
/// Index of an outcome slot.
pub type OutcomeId = u32;
/// Index of a rule.
pub type RuleId = u32;
/// Index of a parameter.
pub type ParamId = u32;
/// Index of a definition.
pub type DefId = u32;
/// Index of an enum type.
pub type EnumId = u32;
/// Index of a record type.
pub type RecordId = u32;
/// Index of a document.
pub type DocId = u32;

/// The type of a fact, outcome, parameter or expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `date`
    Date,
    /// `text`
    Text,
    /// A declared enum.
    Enum(EnumId),
    /// A declared record (only as a fact group or definition argument).
    Record(RecordId),
    /// A number of days.
    Days,
    /// A number of months, with a rounding.
    Months,
    /// An exact decimal (`decimal`).
    Decimal,
}

/// An exact rational number, in lowest terms with a positive denominator:
/// the language's decimals and percentages (`0.25`, `10%`) and the exact
/// quotients of `/`. Never binary floating point. Its arithmetic (checked:
/// an overflow is an error) is in the evaluator's value module.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Dec {
    /// Numerator.
    pub num: i64,
    /// Denominator, > 0.
    pub den: i64,
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Dec {
    /// `num / den` in lowest terms; None when `den` is 0 or a term leaves i64.
    pub fn new(num: i128, den: i128) -> Option<Dec> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        Some(Dec {
            num: i64::try_from(n).ok()?,
            den: i64::try_from(d).ok()?,
        })
    }

    /// Reads `12`, `0.25`, `10%`, `-1.5`, `2.5%`; None when it does not fit.
    pub fn parse(text: &str) -> Option<Dec> {
        let (body, percent) = match text.strip_suffix('%') {
            Some(b) => (b, true),
            None => (text, false),
        };
        let (neg, body) = match body.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, body),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let digits: i128 = format!("{int}{frac}").parse().ok()?;
        let mut den: i128 = 10i128.checked_pow(u32::try_from(frac.len()).ok()?)?;
        if percent {
            den = den.checked_mul(100)?;
        }
        Dec::new(if neg { -digits } else { digits }, den)
    }

    /// An integer as a decimal.
    pub fn int(n: i64) -> Dec {
        Dec { num: n, den: 1 }
    }

    /// Whether the value is written as a JSON number: it has finitely many
    /// decimal digits, at most 15 significant ones, so that a reader parsing
    /// JSON numbers as binary floating point still reads it exactly; else it
    /// is written as a string (`"1/9"`, or the digits).
    pub fn json_number(&self) -> bool {
        Dec::is_json_number(self.digits().as_str())
    }

    /// [`Dec::json_number`] of a decimal given as its [`Dec::text`].
    pub fn is_json_number(t: &str) -> bool {
        let significant = t
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|b| *b == b'0')
            .count();
        !t.contains('/') && significant <= 15
    }

    /// The decimal digits when the value has finitely many, else `num/den`.
    pub fn text(&self) -> String {
        self.digits().as_str().to_string()
    }

    /// [`Dec::text`] in a buffer of its own, without allocating.
    pub(crate) fn digits(&self) -> DecText {
        // `num/den`, when the digits are infinitely many or too many.
        let fraction = || {
            let mut t = DecText::default();
            t.number(i128::from(self.den), 0);
            t.front(b'/');
            t.number(i128::from(self.num), 0);
            t
        };
        let mut d = self.den;
        for p in [2i64, 5] {
            while d % p == 0 {
                d /= p;
            }
        }
        if d != 1 {
            return fraction();
        }
        // The denominator only shrinks: 64 bits do.
        let mut den = self.den;
        let mut num = i128::from(self.num);
        let mut places = 0u32;
        while den != 1 && places < 64 {
            // n/d = (n·10/d) / 10: one decimal place per factor of d.
            places += 1;
            let scaled = if den % 10 == 0 {
                den /= 10;
                Some(num)
            } else if den % 2 == 0 {
                den /= 2;
                num.checked_mul(5)
            } else {
                den /= 5;
                num.checked_mul(2)
            };
            match scaled {
                Some(n) => num = n,
                // Too many digits to write out: the fraction is exact.
                None => return fraction(),
            }
        }
        let mut t = DecText::default();
        t.number(num, places as usize);
        t
    }
}

/// The text of a decimal ([`Dec::text`]), written from its end into a block
/// long enough for any: a sign, 39 digits or a point after 64 places, or two
/// numbers of 64 bits and a slash.
#[derive(Clone, Copy)]
pub(crate) struct DecText {
    buf: [u8; 72],
    start: usize,
}

impl Default for DecText {
    fn default() -> Self {
        DecText {
            buf: [0; 72],
            start: 72,
        }
    }
}

impl DecText {
    /// The text.
    pub fn as_str(&self) -> &str {
        let bytes = self.buf.get(self.start..).unwrap_or_default();
        // Only ASCII digits, signs, points and slashes are written.
        std::str::from_utf8(bytes).expect("a decimal's text is ASCII")
    }

    /// Writes a byte before the text.
    fn front(&mut self, b: u8) {
        if let Some(i) = self.start.checked_sub(1) {
            if let Some(c) = self.buf.get_mut(i) {
                *c = b;
                self.start = i;
            }
        }
    }

    /// Writes before the text a number `n` divided by ten to the `places`:
    /// its digits, padded with zeros to at least one before the point.
    fn number(&mut self, n: i128, places: usize) {
        let mut m = n.unsigned_abs();
        let mut written = 0;
        loop {
            if places > 0 && written == places {
                self.front(b'.');
            }
            let (q, r) = match u64::try_from(m) {
                Ok(small) => (u128::from(small / 10), small % 10),
                Err(_) => (m / 10, u64::try_from(m % 10).unwrap_or(0)),
            };
            self.front(b'0' + u8::try_from(r).unwrap_or(0));
            m = q;
            written += 1;
            if m == 0 && written > places {
                break;
            }
        }
        if n < 0 {
            self.front(b'-');
        }
    }
}

/// A value during evaluation. `Unknown` is a fact the case does not state (or
/// anything that depends on one); `Absent` is an outcome the document does
/// not reach (n/a).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Depends on a fact the case does not state.
    Unknown,
    /// Not applicable: no rule reaches the case.
    Absent,
    /// A truth value.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// Text.
    Text(Arc<str>),
    /// An enum value: type and variant index.
    Enum(EnumId, u32),
    /// A record-typed fact group, by its first fact slot.
    Record(FactId),
    /// A number of days.
    Days(i64),
    /// A number of months, with its rounding.
    Months(i64, Rounding),
    /// An exact decimal.
    Decimal(Dec),
}

impl Value {
    /// Whether the value is known (neither unknown nor n/a).
    pub fn is_known(&self) -> bool {
        !matches!(self, Value::Unknown | Value::Absent)
    }
}

/// A citation of the regulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Cite {
    /// Article.
    pub article: u32,
    /// Paragraph or sentence.
    pub paragraph: u32,
    /// Item (项), or 0.
    pub item: u32,
    /// The quoted words.
    pub quote: String,
    /// Where the citation is written.
    pub span: Span,
}

impl Cite {
    /// `4.2`, or `12.1.3`.
    pub fn key(&self) -> String {
        crate::regulation::unit_key(self.article, self.paragraph, self.item)
    }
}

/// An enum type.
#[derive(Clone, Debug)]
pub struct EnumType {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Values and labels.
    pub variants: Vec<(String, String)>,
    /// Where declared.
    pub span: Span,
}

/// A field of a record type.
#[derive(Clone, Debug)]
pub struct Field {
    /// Name.
    pub name: String,
    /// Type.
    pub ty: Type,
    /// Lower bound of an int field.
    pub min: Option<i64>,
    /// Label.
    pub label: String,
}

/// A record type.
#[derive(Clone, Debug)]
pub struct RecordType {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Fields in order.
    pub fields: Vec<Field>,
    /// Where declared.
    pub span: Span,
}

/// An input fact.
#[derive(Clone, Debug)]
pub struct Fact {
    /// Dotted name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Type (never a record: record facts are expanded into their fields).
    pub ty: Type,
    /// Lower bound of an int fact.
    pub min: Option<i64>,
    /// Where declared.
    pub span: Span,
}

/// A record-typed fact: a group of consecutive fact slots.
#[derive(Clone, Debug)]
pub struct FactGroup {
    /// Dotted name of the group.
    pub name: String,
    /// Label.
    pub label: String,
    /// Its record type.
    pub record: RecordId,
    /// The slot of its first field.
    pub first: FactId,
    /// Where declared.
    pub span: Span,
}

/// An output of the document.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Dotted name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Type.
    pub ty: Type,
    /// Value when no rule applies (otherwise n/a).
    pub default: Option<Expr>,
    /// Every rule concluding it, in source order.
    pub rules: Vec<RuleId>,
    /// Where declared.
    pub span: Span,
    /// The article its rules cite (for grouping reports), 0 if none.
    pub article: u32,
    /// The document of its first rule (for grouping reports), 0 if none.
    pub document: DocId,
    /// The line of documents (see [`Program::lines`]) whose files declare
    /// it: its default decides only while a document of that line is in
    /// force. None: declared outside every line (no document, or an
    /// amendment of none).
    pub line: Option<u32>,
}

/// A named parameter, possibly with dated values.
#[derive(Clone, Debug)]
pub struct Param {
    /// Name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Type.
    pub ty: Type,
    /// Values, each from a date (None = from the beginning), ascending.
    pub values: Vec<(Option<NaiveDate>, Value)>,
    /// Where its value is stated.
    pub cites: Option<Cite>,
    /// The document declaring it.
    pub document: DocId,
    /// Every document giving it a version (the declaring one first), with
    /// the paragraph that version cites.
    pub versions: Vec<(DocId, Option<Cite>)>,
    /// Where declared.
    pub span: Span,
}

/// A rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Name.
    pub name: String,
    /// The document it belongs to.
    pub document: DocId,
    /// The paragraph and quote it encodes.
    pub cites: Cite,
    /// The outcome it concludes.
    pub outcome: OutcomeId,
    /// The rules it is an exception to.
    pub exception_to: Vec<RuleId>,
    /// Its exceptions, direct and indirect: any of them applying defeats it.
    pub defeaters: Vec<RuleId>,
    /// Condition (None = always).
    pub when: Option<Expr>,
    /// The concluded value.
    pub value: Expr,
    /// Outcomes read by the condition or value.
    pub reads_outcomes: Vec<OutcomeId>,
    /// Where declared.
    pub span: Span,
}

/// A definition (its body is inlined at each call; this keeps its name).
#[derive(Clone, Debug)]
pub struct Def {
    /// Name.
    pub name: String,
    /// Label.
    pub label: Option<String>,
    /// Where declared.
    pub span: Span,
}

/// A document of the policy set.
#[derive(Clone, Debug)]
pub struct Document {
    /// Identifier, e.g. `沪人社规〔2023〕32号`.
    pub id: String,
    /// Issuer.
    pub issuer: Option<String>,
    /// Date of issue.
    pub issued: Option<NaiveDate>,
    /// First day in force.
    pub from: NaiveDate,
    /// Last day in force (inclusive), if any.
    pub to: Option<NaiveDate>,
    /// The paragraph stating the period.
    pub cites: Option<Cite>,
    /// Name of the source text file.
    pub source_name: Option<String>,
    /// The source text, split into citable units.
    pub regulation: Regulation,
    /// Documents this one replaces and from when.
    pub replaces: Vec<(DocId, NaiveDate)>,
    /// Amendments: (document, from, rule names, parameter names).
    pub amends: Vec<(DocId, NaiveDate, Vec<String>, Vec<String>)>,
    /// Paragraphs (and clauses) deliberately not encoded, with the reason.
    pub not_encoded: Vec<NotEncoded>,
    /// The document's rank, if declared.
    pub rank: Option<Rank>,
    /// The higher document this one implements.
    pub implements: Option<DocId>,
    /// The outcome reporting whether the document is in force: `in_force`
    /// unless the header names another (`as national.in_force`).
    pub in_force_name: String,
    /// Where the header is.
    pub span: Span,
}

/// A paragraph, item or clause set aside on purpose.
#[derive(Clone, Debug)]
pub struct NotEncoded {
    /// Article.
    pub article: u32,
    /// Paragraph.
    pub paragraph: u32,
    /// Item, or 0.
    pub item: u32,
    /// The clause set aside; None for the whole unit.
    pub clause: Option<String>,
    /// Why.
    pub reason: String,
    /// Where written.
    pub span: Span,
}

/// The rank of a document in the hierarchy of Chinese law (立法法), highest
/// first. 部门规章 and 地方性法规 are of no fixed order between them; a
/// 规范性文件 ranks below every rule-making document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// 宪法
    Constitution,
    /// 法律
    Law,
    /// 行政法规
    AdministrativeRegulation,
    /// 地方性法规
    LocalRegulation,
    /// 部门规章
    DepartmentalRule,
    /// 地方政府规章
    LocalGovernmentRule,
    /// 规范性文件
    NormativeDocument,
}

impl Rank {
    /// Every rank with its name as written in a header.
    pub const ALL: [(Rank, &'static str); 7] = [
        (Rank::Constitution, "宪法"),
        (Rank::Law, "法律"),
        (Rank::AdministrativeRegulation, "行政法规"),
        (Rank::LocalRegulation, "地方性法规"),
        (Rank::DepartmentalRule, "部门规章"),
        (Rank::LocalGovernmentRule, "地方政府规章"),
        (Rank::NormativeDocument, "规范性文件"),
    ];

    /// The rank's name.
    pub fn name(self) -> &'static str {
        Rank::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map(|(_, n)| *n)
            .expect("every rank is listed in Rank::ALL")
    }

    /// Whether a document of this rank ranks strictly above one of `other`.
    /// 部门规章 and 地方性法规 are not above each other.
    pub fn above(self, other: Rank) -> bool {
        let level = |r: Rank| match r {
            Rank::Constitution => 0,
            Rank::Law => 1,
            Rank::AdministrativeRegulation => 2,
            Rank::LocalRegulation | Rank::DepartmentalRule => 3,
            Rank::LocalGovernmentRule => 4,
            Rank::NormativeDocument => 5,
        };
        level(self) < level(other)
    }
}

/// A declared correspondence: an outcome of a lower document answering the
/// same question as an outcome of the document it implements.
#[derive(Clone, Debug)]
pub struct Pair {
    /// The lower document's outcome.
    pub outcome: OutcomeId,
    /// The higher document's outcome.
    pub superior: OutcomeId,
    /// The question both answer.
    pub question: String,
    /// Enum values that count as the same: (lower's variant, higher's variant).
    pub same: Vec<(u32, u32)>,
    /// Declared to agree always.
    pub agrees: bool,
    /// The declaring document.
    pub document: DocId,
    /// Where declared.
    pub span: Span,
}

/// A known difference between a lower document and the one it implements
/// that no pair of outcomes reports.
#[derive(Clone, Debug)]
pub struct Difference {
    /// The lower document.
    pub document: DocId,
    /// Its paragraph.
    pub cite: String,
    /// The higher document.
    pub superior: DocId,
    /// Its paragraph.
    pub superior_cite: String,
    /// What differs.
    pub note: String,
    /// Where declared.
    pub span: Span,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`, exact.
    Div,
}

/// A resolved, typed expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it is written.
    pub span: Span,
    /// Its number among the program's expressions (rules' conditions and
    /// values, defaults), given once the program is checked.
    pub id: u32,
}

/// The kinds of resolved expression.
#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A constant (literals, enum values).
    Const(Value),
    /// A fact slot.
    Fact(FactId),
    /// A fact group passed to a definition.
    Group(u32),
    /// An outcome slot.
    Outcome(OutcomeId),
    /// A parameter.
    Param(ParamId),
    /// The assessment date.
    AsOf,
    /// Kleene negation.
    Not(Box<Expr>),
    /// Kleene conjunction.
    And(Box<Expr>, Box<Expr>),
    /// Kleene disjunction.
    Or(Box<Expr>, Box<Expr>),
    /// Comparison.
    Cmp(CmpOp, Box<Expr>, Box<Expr>),
    /// Checked integer, decimal or date arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// A decimal rounded to an integer.
    Round(Box<Expr>, Rounding),
    /// Integer negation.
    Neg(Box<Expr>),
    /// Membership in a set of constants.
    In(Box<Expr>, Vec<Value>, bool),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `n days`.
    Days(Box<Expr>),
    /// `n months` (years are 12 months) with a rounding.
    Months(Box<Expr>, i64, Rounding),
    /// A definition call: arguments (for the derivation) and the inlined body.
    Call(DefId, Vec<Expr>, Box<Expr>),
    /// A definition's parameter while its body is checked on its own.
    Local(u32),
}

/// A period during which the set of rules in force and parameter values do
/// not change.
#[derive(Clone, Debug)]
pub struct Epoch {
    /// First day (None = since always).
    pub from: Option<NaiveDate>,
    /// Last day inclusive (None = for ever).
    pub to: Option<NaiveDate>,
    /// The document in force that reports speak for: one of the first
    /// line's (see [`Program::lines`]) if in force, else the first in force.
    pub in_force: Option<DocId>,
    /// Every base document in force, in declaration order.
    pub roots: Vec<DocId>,
    /// Whether each rule is in force.
    pub rule_active: Vec<bool>,
    /// Per rule in force: the document under which it decides (the
    /// amendment that supplied it, or the document in force that carries it).
    pub rule_document: Vec<DocId>,
    /// Each parameter's value.
    pub params: Vec<Value>,
}

/// A checked policy set.
#[derive(Clone, Debug, Default)]
pub struct Program {
    /// The files.
    pub(crate) sources: SourceMap,
    /// Documents.
    pub(crate) documents: Vec<Document>,
    /// Enum types.
    pub(crate) enums: Vec<EnumType>,
    /// Record types.
    pub(crate) records: Vec<RecordType>,
    /// Input facts (record facts expanded).
    pub(crate) facts: Vec<Fact>,
    /// Record-typed facts.
    pub(crate) groups: Vec<FactGroup>,
    /// Outcomes.
    pub(crate) outcomes: Vec<Outcome>,
    /// Parameters.
    pub(crate) params: Vec<Param>,
    /// Definitions.
    pub(crate) defs: Vec<Def>,
    /// Rules.
    pub(crate) rules: Vec<Rule>,
    /// Outcomes in dependency order.
    pub(crate) order: Vec<OutcomeId>,
    /// Periods of constant law, ascending and contiguous.
    pub(crate) epochs: Vec<Epoch>,
    /// Fact slot by dotted name.
    pub(crate) fact_index: HashMap<String, FactId>,
    /// Per fact slot, its place in the order of the facts' names (reports
    /// list facts by name).
    pub(crate) fact_rank: Vec<u32>,
    /// Outcome slot by dotted name.
    pub(crate) outcome_index: HashMap<String, OutcomeId>,
    /// Whether the set is the one embedded in the binary.
    pub(crate) embedded: bool,
    /// How many expressions [`Program::number_exprs`] numbered.
    pub(crate) exprs: u32,
    /// Where each numbered expression is written.
    pub(crate) expr_spans: Vec<Span>,
    /// The lines of documents, each with its in-force outcome: the name
    /// (`in_force` first when some document has it) and the base documents
    /// reporting under it (a successor reports under its predecessor's).
    pub(crate) lines: Vec<(String, Vec<DocId>)>,
    /// Declared correspondences between documents' outcomes.
    pub(crate) pairs: Vec<Pair>,
    /// Known differences no pair reports.
    pub(crate) differences: Vec<Difference>,
}

impl Program {
    /// Numbers every expression of the rules and defaults, depth first, so
    /// that what is prepared per expression (its text in reports) is found
    /// by index. Returns how many there are.
    pub(crate) fn number_exprs(&mut self) -> u32 {
        let mut n = 0u32;
        let mut stack: Vec<&mut Expr> = Vec::new();
        for r in &mut self.rules {
            stack.extend(r.when.iter_mut());
            stack.push(&mut r.value);
        }
        stack.extend(self.outcomes.iter_mut().filter_map(|o| o.default.as_mut()));
        let mut spans = Vec::new();
        while let Some(e) = stack.pop() {
            e.id = n;
            n = n.saturating_add(1);
            spans.push(e.span);
            match &mut e.kind {
                ExprKind::Not(x)
                | ExprKind::Neg(x)
                | ExprKind::In(x, _, _)
                | ExprKind::Days(x)
                | ExprKind::Months(x, _, _)
                | ExprKind::Round(x, _) => stack.push(x),
                ExprKind::And(a, b)
                | ExprKind::Or(a, b)
                | ExprKind::Cmp(_, a, b)
                | ExprKind::Arith(_, a, b) => {
                    stack.push(a);
                    stack.push(b);
                }
                ExprKind::If(c, a, b) => {
                    stack.push(c);
                    stack.push(a);
                    stack.push(b);
                }
                ExprKind::Call(_, args, body) => {
                    stack.extend(args.iter_mut());
                    stack.push(body);
                }
                _ => {}
            }
        }
        self.exprs = n;
        self.expr_spans = spans;
        n
    }

    /// Where each numbered expression is written, by its number.
    pub(crate) fn expr_spans(&self) -> &[Span] {
        &self.expr_spans
    }

    /// The documents.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }
    /// The lines of documents by in-force outcome (`in_force` first).
    pub fn lines(&self) -> &[(String, Vec<DocId>)] {
        &self.lines
    }
    /// Whether an outcome's default may decide while the base documents
    /// `roots` are in force: its line has one of them. An outcome of no
    /// line always may.
    pub fn default_applies(&self, roots: &[DocId], out: &Outcome) -> bool {
        match out.line.and_then(|l| self.lines.get(l as usize)) {
            Some((_, docs)) => roots.iter().any(|d| docs.contains(d)),
            None => true,
        }
    }
    /// The document under which an outcome's default decides while the
    /// base documents `roots` are in force: its line's document among
    /// them; for an outcome of no line, `in_force` (the document reports
    /// speak for).
    pub fn default_document(
        &self,
        roots: &[DocId],
        out: &Outcome,
        in_force: Option<DocId>,
    ) -> Option<DocId> {
        match out.line.and_then(|l| self.lines.get(l as usize)) {
            Some((_, docs)) => roots.iter().copied().find(|d| docs.contains(d)),
            None => in_force,
        }
    }
    /// The document of a line in force in an epoch, if any.
    pub fn line_in_force(&self, epoch: usize, line: usize) -> Option<DocId> {
        let docs = &self.lines.get(line)?.1;
        self.epochs
            .get(epoch)?
            .roots
            .iter()
            .copied()
            .find(|d| docs.contains(d))
    }
    /// The declared correspondences.
    pub fn pairs(&self) -> &[Pair] {
        &self.pairs
    }
    /// The known differences no pair reports.
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }
    /// The enum types.
    pub fn enums(&self) -> &[EnumType] {
        &self.enums
    }
    /// The input facts (record facts expanded), by slot.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }
    /// The outcomes, by slot.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }
    /// The rules.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
    /// The parameters.
    pub fn params(&self) -> &[Param] {
        &self.params
    }
    /// An outcome's slot by dotted name.
    pub fn outcome_id(&self, name: &str) -> Option<OutcomeId> {
        self.outcome_index.get(name).copied()
    }
    /// A fact's slot by dotted name.
    pub fn fact_id(&self, name: &str) -> Option<FactId> {
        self.fact_index.get(name).copied()
    }
    /// The policy files.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }
    /// Whether the set is the one embedded in the binary.
    pub fn is_embedded(&self) -> bool {
        self.embedded
    }

    /// The epoch covering a date.
    pub fn epoch(&self, date: NaiveDate) -> Option<&Epoch> {
        let i = self
            .epochs
            .partition_point(|e| e.to.is_some_and(|to| to < date));
        self.epochs
            .get(i)
            .filter(|e| e.from.is_none_or(|f| f <= date))
    }

    /// Display name of a type.
    pub fn type_name(&self, ty: Type) -> String {
        match ty {
            Type::Bool => "bool".into(),
            Type::Int => "int".into(),
            Type::Date => "date".into(),
            Type::Text => "text".into(),
            Type::Days => "days".into(),
            Type::Months => "months".into(),
            Type::Decimal => "decimal".into(),
            Type::Enum(e) => self
                .enums
                .get(e as usize)
                .map(|e| e.name.clone())
                .unwrap_or_default(),
            Type::Record(r) => self
                .records
                .get(r as usize)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
        }
    }

    /// The vocabulary name of a value for reports (`host`, `2025-03-01`).
    pub fn value_json(&self, v: &Value) -> serde_json::Value {
        use serde_json::Value as J;
        match v {
            Value::Unknown | Value::Absent => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(n) => J::from(*n),
            Value::Date(d) => J::String(d.format("%Y-%m-%d").to_string()),
            Value::Text(s) => J::String(s.to_string()),
            Value::Enum(e, i) => J::String(self.variant(*e, *i).0.to_string()),
            Value::Record(g) => J::String(
                self.groups
                    .iter()
                    .find(|x| x.first == *g)
                    .map(|x| x.name.clone())
                    .expect("a record value names the first slot of a fact group of the program"),
            ),
            Value::Days(n) => J::String(format!("{n} days")),
            Value::Months(n, _) => J::String(format!("{n} months")),
            Value::Decimal(d) => {
                let t = d.text();
                match serde_json::from_str::<serde_json::Number>(&t) {
                    Ok(n) if Dec::is_json_number(&t) => J::Number(n),
                    _ => J::String(t),
                }
            }
        }
    }

    /// Name and label of an enum value.
    pub fn variant(&self, e: EnumId, i: u32) -> (&str, &str) {
        self.enums
            .get(e as usize)
            .and_then(|t| t.variants.get(i as usize))
            .map(|(n, l)| (n.as_str(), l.as_str()))
            .expect(
                "enum values are made by the checker and the case decoder from the program's enums",
            )
    }

    /// A value as a caseworker reads it: labels for enums, 是/否 for bools.
    pub fn value_label(&self, v: &Value) -> String {
        match v {
            Value::Unknown => "未知".into(),
            Value::Absent => "不适用".into(),
            Value::Bool(true) => "是".into(),
            Value::Bool(false) => "否".into(),
            Value::Enum(e, i) => {
                let (n, l) = self.variant(*e, *i);
                format!("{l}（{n}）")
            }
            other => match self.value_json(other) {
                serde_json::Value::String(s) => s,
                j => j.to_string(),
            },
        }
    }

    /// A document's identifier.
    pub fn doc_id(&self, d: DocId) -> &str {
        self.documents
            .get(d as usize)
            .map(|d| d.id.as_str())
            .expect("document ids index the program's documents")
    }

    /// A fact by slot.
    pub fn fact(&self, f: FactId) -> Option<&Fact> {
        self.facts.get(f as usize)
    }
    /// An outcome by slot.
    pub fn outcome(&self, o: OutcomeId) -> Option<&Outcome> {
        self.outcomes.get(o as usize)
    }
    /// A rule by index.
    pub fn rule(&self, r: RuleId) -> Option<&Rule> {
        self.rules.get(r as usize)
    }
    /// The names of rules, for reports.
    pub fn rule_names(&self, ids: &[RuleId]) -> Vec<&str> {
        ids.iter()
            .filter_map(|r| self.rule(*r))
            .map(|r| r.name.as_str())
            .collect()
    }
    /// The names of outcomes, for reports.
    pub fn outcome_names(&self, ids: &[OutcomeId]) -> Vec<&str> {
        ids.iter()
            .filter_map(|o| self.outcome(*o))
            .map(|o| o.name.as_str())
            .collect()
    }
    /// The dotted names of facts, for reports.
    pub fn fact_names(&self, ids: &[FactId]) -> Vec<&str> {
        ids.iter()
            .filter_map(|f| self.fact(*f))
            .map(|f| f.name.as_str())
            .collect()
    }
    /// The source text of an expression, on one line.
    pub fn expr_text(&self, span: Span) -> String {
        let s = self.sources.slice(span);
        let mut out = String::with_capacity(s.len());
        let mut space = false;
        for line in s.lines() {
            let line = match line.find("//") {
                Some(i) if !line[..i].contains('"') => &line[..i],
                _ => line,
            };
            for c in line.chars() {
                if c.is_whitespace() {
                    space = !out.is_empty();
                } else {
                    if space {
                        out.push(' ');
                        space = false;
                    }
                    out.push(c);
                }
            }
            space = !out.is_empty();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Dec;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(Dec::parse("10%"), Some(Dec { num: 1, den: 10 }));
        assert_eq!(Dec::parse("0.25"), Some(Dec { num: 1, den: 4 }));
        assert_eq!(Dec::parse("12.5%"), Some(Dec { num: 1, den: 8 }));
        assert_eq!(Dec::parse("1.x"), None);
        assert_eq!(Dec::new(1, 0), None);
        assert_eq!(Dec::new(2, -4), Some(Dec { num: -1, den: 2 }));
        assert_eq!(
            Dec::parse("12.5%").map(|d| d.text()).as_deref(),
            Some("0.125")
        );
        assert_eq!(Dec { num: 1, den: 9 }.text(), "1/9");
        assert_eq!(Dec { num: -3, den: 20 }.text(), "-0.15");
        assert!(Dec { num: 1, den: 10 }.json_number());
        assert!(!Dec { num: 1, den: 9 }.json_number());
        assert!(!Dec {
            num: 9_223_372_036_854_775_807,
            den: 10
        }
        .json_number());
        // 2^62 in the denominator: too many digits to write out.
        let tiny = Dec {
            num: i64::MAX,
            den: 1 << 62,
        };
        assert_eq!(tiny.text(), format!("{}/{}", i64::MAX, 1i64 << 62));
    }

    /// The digits of num/den by long division, for a denominator of only
    /// twos and fives.
    fn long_division(num: i64, den: i64) -> String {
        let (n, d) = (
            u128::from(num.unsigned_abs()),
            u128::from(den.unsigned_abs()),
        );
        let mut out = format!("{}{}", if num < 0 { "-" } else { "" }, n / d);
        let mut r = n % d;
        if r != 0 {
            out.push('.');
        }
        while r != 0 {
            r *= 10;
            out.push(char::from(b'0' + u8::try_from(r / d).unwrap_or(0)));
            r %= d;
        }
        out
    }

    #[test]
    fn a_decimals_text_is_its_long_division() {
        let text = |num, den| Dec { num, den }.text();
        assert_eq!(text(0, 1), "0");
        assert_eq!(text(5, 100), "0.05");
        assert_eq!(text(-5, 100), "-0.05");
        assert_eq!(text(1234, 100), "12.34");
        assert_eq!(text(-7, 1), "-7");
        assert_eq!(text(i64::MIN, 1), i64::MIN.to_string());
        assert_eq!(text(-1, 3), "-1/3");
        assert_eq!(text(i64::MIN, 3), format!("{}/3", i64::MIN));
        assert_eq!(
            text(1, 1 << 39),
            "0.000000000001818989403545856475830078125"
        );
        assert_eq!(
            text(-3, 1 << 50),
            "-0.00000000000000266453525910037569701671600341796875"
        );
        assert_eq!(text(-3, 1 << 62), "-3/4611686018427387904");
        // Every denominator of only twos and fives, with numerators around
        // the ends of 64 bits: the digits of long division, or the fraction
        // when they are too many.
        let nums = [1, -1, 7, -13, 999_999, i64::MAX, i64::MIN + 1, i64::MIN];
        for a in 0..63 {
            for b in 0..27 {
                let Some(den) = 2i64.checked_pow(a).and_then(|x| x.checked_mul(5i64.pow(b))) else {
                    continue;
                };
                for &num in &nums {
                    let Some(d) = Dec::new(i128::from(num), i128::from(den)) else {
                        continue;
                    };
                    let t = d.text();
                    if t.contains('/') {
                        assert_eq!(t, format!("{}/{}", d.num, d.den));
                    } else {
                        assert_eq!(t, long_division(d.num, d.den), "{d:?}");
                    }
                }
            }
        }
    }
}
