//! The syntax tree of a policy file. Every node carries its [`Loc`]; equality
//! ignores locations, so two trees are equal when they mean the same.
use crate::source::Loc;
use chrono::NaiveDate;

/// A parsed policy file.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// Declarations in source order.
    pub items: Vec<Item>,
}

/// A top-level declaration.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// `document "…"` with its clauses.
    Document(Document),
    /// `enum`.
    Enum(EnumDecl),
    /// `record`.
    Record(RecordDecl),
    /// `fact`.
    Fact(FactDecl),
    /// `outcome`.
    Outcome(OutcomeDecl),
    /// `parameter`.
    Param(ParamDecl),
    /// `define`.
    Define(DefineDecl),
    /// `rule`.
    Rule(RuleDecl),
    /// `not encoded`.
    NotEncoded(NotEncoded),
    /// `corresponds`.
    Correspondence(Correspondence),
    /// `differs`.
    Difference(Difference),
}

impl Item {
    /// Where the declaration is.
    pub fn loc(&self) -> Loc {
        match self {
            Item::Document(d) => d.loc,
            Item::Enum(d) => d.loc,
            Item::Record(d) => d.loc,
            Item::Fact(d) => d.loc,
            Item::Outcome(d) => d.loc,
            Item::Param(d) => d.loc,
            Item::Define(d) => d.loc,
            Item::Rule(d) => d.loc,
            Item::NotEncoded(d) => d.loc,
            Item::Correspondence(d) => d.loc,
            Item::Difference(d) => d.loc,
        }
    }
}

/// A name.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    /// The text.
    pub name: String,
    /// Where.
    pub loc: Loc,
}

/// A dotted name such as `agency.licence_status`.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The segments.
    pub segments: Vec<Ident>,
    /// Where the whole path is.
    pub loc: Loc,
}

impl Path {
    /// The dotted text.
    pub fn dotted(&self) -> String {
        let parts: Vec<&str> = self.segments.iter().map(|s| s.name.as_str()).collect();
        parts.join(".")
    }
}

/// A string literal.
#[derive(Clone, Debug, PartialEq)]
pub struct Str {
    /// The value, escapes resolved.
    pub value: String,
    /// Where, quotes included.
    pub loc: Loc,
}

/// A date literal.
#[derive(Clone, Debug, PartialEq)]
pub struct DateLit {
    /// The date.
    pub value: NaiveDate,
    /// Where.
    pub loc: Loc,
}

/// A paragraph reference `article.paragraph`, or `article.paragraph.item`.
#[derive(Clone, Debug, PartialEq)]
pub struct Paragraph {
    /// Article number, from 1 (0: the promulgation order before the articles).
    pub article: u32,
    /// Paragraph (or sentence) number, from 1.
    pub paragraph: u32,
    /// Item (项) number from 1, or 0 for the paragraph itself.
    pub item: u32,
    /// Where.
    pub loc: Loc,
}

impl Paragraph {
    /// `4.2`, or `12.1.3` for an item.
    pub fn key(&self) -> String {
        crate::regulation::unit_key(self.article, self.paragraph, self.item)
    }
}

/// `cites 4.2 "quoted sentence"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    /// The paragraph.
    pub paragraph: Paragraph,
    /// The words of the regulation.
    pub quote: Str,
    /// Where the whole clause is.
    pub loc: Loc,
}

/// The document header.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The identifier, e.g. `沪人社规〔2023〕32号`.
    pub id: Str,
    /// Issuing authority.
    pub issuer: Option<Str>,
    /// Date of issue.
    pub issued: Option<DateLit>,
    /// The verbatim source text file, relative to the header file.
    pub source: Option<Str>,
    /// First day in force.
    pub in_force_from: Option<DateLit>,
    /// Last day in force, inclusive.
    pub in_force_to: Option<DateLit>,
    /// The paragraph that states the period.
    pub in_force_cites: Option<Citation>,
    /// The outcome reporting whether the document is in force (`in_force`
    /// when not named).
    pub in_force_name: Option<Path>,
    /// The document's rank (`部门规章`, `规范性文件`, …).
    pub rank: Option<Ident>,
    /// The higher document this one implements.
    pub implements: Option<Str>,
    /// Documents this one replaces, from a date.
    pub replaces: Vec<(Str, DateLit)>,
    /// Amendments of another document's rules and parameters from a date.
    pub amends: Vec<Amendment>,
    /// Where the header is.
    pub loc: Loc,
}

/// `amends "doc" from DATE rules a, b parameters p`.
#[derive(Clone, Debug, PartialEq)]
pub struct Amendment {
    /// The amended document.
    pub document: Str,
    /// From when.
    pub from: DateLit,
    /// Rules replaced.
    pub rules: Vec<Ident>,
    /// Parameters replaced.
    pub parameters: Vec<Ident>,
    /// Where.
    pub loc: Loc,
}

/// `enum Name "label" { value "label" … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDecl {
    /// Type name.
    pub name: Ident,
    /// Label.
    pub label: Str,
    /// Values with labels.
    pub variants: Vec<(Ident, Str)>,
    /// Where.
    pub loc: Loc,
}

/// `record Name "label" { field : type "label" … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordDecl {
    /// Type name.
    pub name: Ident,
    /// Label.
    pub label: Str,
    /// Fields.
    pub fields: Vec<(Ident, TypeRef, Str)>,
    /// Where.
    pub loc: Loc,
}

/// A written type.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeRef {
    /// `int`, optionally `int >= N`.
    Int {
        /// Lower bound.
        min: Option<i64>,
        /// Where.
        loc: Loc,
    },
    /// `bool`, `date`, `text`, or a declared enum or record.
    Named(Ident),
}

impl TypeRef {
    /// Where.
    pub fn loc(&self) -> Loc {
        match self {
            TypeRef::Int { loc, .. } => *loc,
            TypeRef::Named(i) => i.loc,
        }
    }
}

/// `fact name : type "label"`.
#[derive(Clone, Debug, PartialEq)]
pub struct FactDecl {
    /// Dotted name.
    pub name: Path,
    /// Type.
    pub ty: TypeRef,
    /// Label.
    pub label: Str,
    /// Where.
    pub loc: Loc,
}

/// `outcome name : type "label" [default expr]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeDecl {
    /// Dotted name.
    pub name: Path,
    /// Type.
    pub ty: TypeRef,
    /// Label.
    pub label: Str,
    /// Value when no rule applies.
    pub default: Option<Expr>,
    /// Where.
    pub loc: Loc,
}

/// `parameter name : type "label" = v [from date], … [cites …]`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDecl {
    /// Name.
    pub name: Ident,
    /// Type.
    pub ty: TypeRef,
    /// Label.
    pub label: Str,
    /// Values, each optionally from a date.
    pub values: Vec<(Expr, Option<DateLit>)>,
    /// Where the value is stated.
    pub cites: Option<Citation>,
    /// Where.
    pub loc: Loc,
}

/// `define name(p: T, …) : T "label" = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct DefineDecl {
    /// Name.
    pub name: Ident,
    /// Parameters.
    pub params: Vec<(Ident, TypeRef)>,
    /// Result type.
    pub ty: TypeRef,
    /// Optional label.
    pub label: Option<Str>,
    /// Body.
    pub body: Expr,
    /// Where.
    pub loc: Loc,
}

/// A rule: the sentence it encodes, when it applies and what it concludes.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleDecl {
    /// Name.
    pub name: Ident,
    /// The cited paragraph and quote.
    pub cites: Citation,
    /// Rules this one is an exception to.
    pub exception_to: Vec<Ident>,
    /// Condition; absent means always.
    pub when: Option<Expr>,
    /// The concluded outcome.
    pub outcome: Path,
    /// The concluded value.
    pub value: Expr,
    /// Where.
    pub loc: Loc,
}

/// `not encoded 7.1 "reason"`, or `not encoded 4.1 "clause" because "reason"`.
#[derive(Clone, Debug, PartialEq)]
pub struct NotEncoded {
    /// The paragraph.
    pub paragraph: Paragraph,
    /// The clause set aside, when not the whole paragraph.
    pub clause: Option<Str>,
    /// Why.
    pub reason: Str,
    /// Where.
    pub loc: Loc,
}

/// `corresponds A to B "question" same x as y … [agrees]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Correspondence {
    /// This document's outcome.
    pub outcome: Path,
    /// The implemented document's outcome answering the same question.
    pub superior: Path,
    /// The question both answer.
    pub question: Str,
    /// Values that count as the same: (this outcome's, the superior's).
    pub same: Vec<(Ident, Ident)>,
    /// Declared to agree always.
    pub agrees: bool,
    /// Where.
    pub loc: Loc,
}

/// `differs 3.2 from 22.1 "note"`: a known difference no pair reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// This document's paragraph.
    pub paragraph: Paragraph,
    /// The implemented document's paragraph.
    pub superior: Paragraph,
    /// What differs.
    pub note: Str,
    /// Where.
    pub loc: Loc,
}

/// An expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub loc: Loc,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `and`
    And,
    /// `or`
    Or,
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
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`: an exact quotient.
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }
}

/// A unit of date arithmetic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Days.
    Days,
    /// Calendar months.
    Months,
    /// Calendar years.
    Years,
}

/// How a month or year step that lands past the end of a month is rounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// To the last day of the shorter month (Jan 31 + 1 month = Feb 28).
    Down,
    /// To the first day of the next month (Jan 31 + 1 month = Mar 1).
    Up,
}

/// The kinds of expression.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A decimal or percentage, exact, with the text as written (`10%`).
    Decimal(crate::program::Dec, String),
    /// A date.
    Date(NaiveDate),
    /// A string.
    Text(String),
    /// A name: fact, outcome, parameter, definition argument or enum value.
    Path(Path),
    /// `as_of`.
    AsOf,
    /// `not e`.
    Not(Box<Expr>),
    /// `-e`.
    Neg(Box<Expr>),
    /// `a op b`; `and`/`or` chains are left-nested.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `e in {…}` / `e not in {…}`.
    In {
        /// Tested value.
        subject: Box<Expr>,
        /// `not in`.
        negated: bool,
        /// The set.
        set: Vec<Expr>,
    },
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `n days`, `n months round down`.
    Duration {
        /// The count.
        amount: Box<Expr>,
        /// The unit.
        unit: Unit,
        /// Rounding for months and years.
        rounding: Option<Rounding>,
    },
    /// `name(args)`.
    Call(Ident, Vec<Expr>),
    /// `e round down` / `e round up`: a number rounded to an integer.
    Round(Box<Expr>, Rounding),
    /// `( e )`, kept so that printing preserves the author's grouping.
    Paren(Box<Expr>),
}
