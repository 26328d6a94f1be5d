//! Lowering pest's parse tree into the syntax tree ([`ast`](crate::syntax::ast)),
//! with spans, reporting every malformed literal and chains longer than
//! [`MAX_CHAIN`].
//!
//! Time: O(size of the parse tree).
use super::errors::clause_name;
use super::{Rule, MAX_CHAIN};
use crate::diag::{Diag, Problem};
use crate::source::{FileId, Loc, Span};
use crate::syntax::ast::*;
use chrono::NaiveDate;
use pest::iterators::Pair;

pub(super) struct Lower {
    pub(super) file: FileId,
    pub(super) diags: Vec<Diag>,
    /// Operands of the chains (`and`, `or`, `+`, `*`) being lowered, which
    /// bounds the depth of the tree.
    pub(super) chain: usize,
    /// Whether [`MAX_CHAIN`] was reported (once per file).
    pub(super) too_long: bool,
}

type P<'a> = Pair<'a, Rule>;

impl Lower {
    fn loc(&self, p: &P) -> Loc {
        let s = p.as_span();
        // pest's implicit whitespace can trail a pair (`2 months` before an
        // absent `round`): underline the words only.
        let end = s.start() + p.as_str().trim_end().len();
        Loc(Span::new(self.file, s.start(), end))
    }

    fn bug(&mut self, p: &P, what: &str) {
        self.diags.push(
            Diag::of(Problem::Malformed {
                what: what.to_string(),
            })
            .label(self.loc(p).0, "here"),
        );
    }

    pub(super) fn item(&mut self, p: P) -> Option<Item> {
        Some(match p.as_rule() {
            Rule::document => Item::Document(self.document(p)?),
            Rule::enum_decl => Item::Enum(self.enum_decl(p)?),
            Rule::record_decl => Item::Record(self.record_decl(p)?),
            Rule::fact_decl => Item::Fact(self.fact_decl(p)?),
            Rule::outcome_decl => Item::Outcome(self.outcome_decl(p)?),
            Rule::param_decl => Item::Param(self.param_decl(p)?),
            Rule::define_decl => Item::Define(self.define_decl(p)?),
            Rule::rule_decl => Item::Rule(self.rule_decl(p)?),
            Rule::not_encoded => Item::NotEncoded(self.not_encoded(p)?),
            Rule::correspondence => Item::Correspondence(self.correspondence(p)?),
            Rule::difference => Item::Difference(self.difference(p)?),
            _ => {
                self.bug(&p, "declaration");
                return None;
            }
        })
    }

    /// The children of a pair without keyword tokens.
    fn parts<'a>(&self, p: P<'a>) -> Vec<P<'a>> {
        p.into_inner()
            .filter(|c| !matches!(c.as_rule(), r if format!("{r:?}").starts_with("kw_")))
            .collect()
    }

    fn document(&mut self, p: P) -> Option<Document> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let id = self.string(parts.next()?)?;
        let mut doc = Document {
            id,
            issuer: None,
            issued: None,
            source: None,
            in_force_from: None,
            in_force_to: None,
            in_force_cites: None,
            in_force_name: None,
            rank: None,
            implements: None,
            replaces: Vec::new(),
            amends: Vec::new(),
            loc,
        };
        // Clauses that may appear once, and where each first appeared.
        let mut seen: Vec<(Rule, Loc)> = Vec::new();
        for c in parts {
            let cloc = self.loc(&c);
            let rule = c.as_rule();
            if matches!(
                rule,
                Rule::doc_issuer
                    | Rule::doc_issued
                    | Rule::doc_source
                    | Rule::doc_in_force
                    | Rule::doc_rank
                    | Rule::doc_implements
            ) {
                if let Some((_, first)) = seen.iter().find(|(r, _)| *r == rule) {
                    let what = clause_name(rule);
                    self.diags.push(
                        Diag::of(Problem::DuplicateClause {
                            clause: what.to_string(),
                        })
                        .label(cloc.0, "again here")
                        .label(first.0, "first here"),
                    );
                    continue;
                }
                seen.push((rule, cloc));
            }
            match c.as_rule() {
                Rule::doc_issuer => doc.issuer = self.first(c).and_then(|s| self.string(s)),
                Rule::doc_issued => doc.issued = self.first(c).and_then(|s| self.date(s)),
                Rule::doc_source => doc.source = self.first(c).and_then(|s| self.string(s)),
                Rule::doc_rank => doc.rank = self.first(c).map(|s| self.ident(s)),
                Rule::doc_implements => {
                    doc.implements = self.first(c).and_then(|s| self.string(s))
                }
                Rule::doc_in_force => {
                    let mut dates = 0;
                    for x in self.parts(c) {
                        match x.as_rule() {
                            Rule::date => {
                                dates += 1;
                                if dates == 1 {
                                    doc.in_force_from = self.date(x);
                                } else {
                                    doc.in_force_to = self.date(x);
                                }
                            }
                            Rule::citation => doc.in_force_cites = self.citation(x),
                            Rule::in_force_name => {
                                doc.in_force_name = self.first(x).map(|n| self.path(n))
                            }
                            _ => self.bug(&x, "`in force` clause"),
                        }
                    }
                }
                Rule::doc_replaces => {
                    let mut xs = self.parts(c).into_iter();
                    let d = xs.next().and_then(|s| self.string(s));
                    let from = xs.next().and_then(|s| self.date(s));
                    if let (Some(d), Some(f)) = (d, from) {
                        doc.replaces.push((d, f));
                    }
                }
                Rule::doc_amends => {
                    let mut xs = self.parts(c).into_iter();
                    let d = xs.next().and_then(|s| self.string(s));
                    let from = xs.next().and_then(|s| self.date(s));
                    let mut rules = Vec::new();
                    let mut parameters = Vec::new();
                    for list in xs {
                        let is_rules = list
                            .clone()
                            .into_inner()
                            .next()
                            .is_some_and(|k| k.as_rule() == Rule::kw_rules);
                        for id in self.parts(list) {
                            let i = self.ident(id);
                            if is_rules {
                                rules.push(i)
                            } else {
                                parameters.push(i)
                            }
                        }
                    }
                    if let (Some(document), Some(from)) = (d, from) {
                        doc.amends.push(Amendment {
                            document,
                            from,
                            rules,
                            parameters,
                            loc: cloc,
                        });
                    }
                }
                _ => self.bug(&c, "document clause"),
            }
        }
        Some(doc)
    }

    fn first<'a>(&self, p: P<'a>) -> Option<P<'a>> {
        self.parts(p).into_iter().next()
    }

    fn enum_decl(&mut self, p: P) -> Option<EnumDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let label = self.label(parts.next()?)?;
        let mut variants = Vec::new();
        for v in parts {
            let mut xs = v.into_inner();
            let n = self.ident(xs.next()?);
            let l = self.label(xs.next()?)?;
            variants.push((n, l));
        }
        Some(EnumDecl {
            name,
            label,
            variants,
            loc,
        })
    }

    fn record_decl(&mut self, p: P) -> Option<RecordDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let label = self.label(parts.next()?)?;
        let mut fields = Vec::new();
        for v in parts {
            let mut xs = v.into_inner();
            let n = self.ident(xs.next()?);
            let t = self.type_ref(xs.next()?)?;
            let l = self.label(xs.next()?)?;
            fields.push((n, t, l));
        }
        Some(RecordDecl {
            name,
            label,
            fields,
            loc,
        })
    }

    fn fact_decl(&mut self, p: P) -> Option<FactDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.path(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        Some(FactDecl {
            name,
            ty,
            label,
            loc,
        })
    }

    fn outcome_decl(&mut self, p: P) -> Option<OutcomeDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.path(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        let default = match parts.next() {
            Some(e) => Some(self.expr(e)?),
            None => None,
        };
        Some(OutcomeDecl {
            name,
            ty,
            label,
            default,
            loc,
        })
    }

    fn param_decl(&mut self, p: P) -> Option<ParamDecl> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let name = self.ident(parts.next()?);
        let ty = self.type_ref(parts.next()?)?;
        let label = self.label(parts.next()?)?;
        let mut values = Vec::new();
        let mut cites = None;
        for x in parts {
            match x.as_rule() {
                Rule::param_value => {
                    let mut xs = self.parts(x).into_iter();
                    let e = self.expr(xs.next()?)?;
                    let from = match xs.next() {
                        Some(d) => Some(self.date(d)?),
                        None => None,
                    };
                    values.push((e, from));
                }
                Rule::citation => cites = self.citation(x),
                _ => self.bug(&x, "parameter"),
            }
        }
        Some(ParamDecl {
            name,
            ty,
            label,
            values,
            cites,
            loc,
        })
    }

    fn define_decl(&mut self, p: P) -> Option<DefineDecl> {
        let loc = self.loc(&p);
        let parts = self.parts(p);
        let mut name = None;
        let mut params = Vec::new();
        let mut ty = None;
        let mut label = None;
        let mut body = None;
        for x in parts {
            match x.as_rule() {
                Rule::ident => name = Some(self.ident(x)),
                Rule::param => {
                    let mut xs = x.into_inner();
                    let n = self.ident(xs.next()?);
                    let t = self.type_ref(xs.next()?)?;
                    params.push((n, t));
                }
                Rule::type_ref => ty = self.type_ref(x),
                Rule::label => label = self.label(x),
                Rule::expr => body = self.expr(x),
                _ => self.bug(&x, "definition"),
            }
        }
        Some(DefineDecl {
            name: name?,
            params,
            ty: ty?,
            label,
            body: body?,
            loc,
        })
    }

    fn rule_decl(&mut self, p: P) -> Option<RuleDecl> {
        let loc = self.loc(&p);
        let mut name = None;
        let mut cites = None;
        let mut exception_to = Vec::new();
        let mut when = None;
        let mut conclusion = None;
        for x in self.parts(p) {
            match x.as_rule() {
                Rule::ident => name = Some(self.ident(x)),
                Rule::citation => cites = self.citation(x),
                Rule::exception => {
                    exception_to = self.parts(x).into_iter().map(|i| self.ident(i)).collect();
                }
                Rule::condition => when = self.first(x).and_then(|e| self.expr(e)),
                Rule::conclusion => {
                    let mut xs = self.parts(x).into_iter();
                    let path = self.path(xs.next()?);
                    let value = self.expr(xs.next()?)?;
                    conclusion = Some((path, value));
                }
                _ => self.bug(&x, "rule"),
            }
        }
        let (outcome, value) = conclusion?;
        Some(RuleDecl {
            name: name?,
            cites: cites?,
            exception_to,
            when,
            outcome,
            value,
            loc,
        })
    }

    fn not_encoded(&mut self, p: P) -> Option<NotEncoded> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let paragraph = self.paragraph(parts.next()?)?;
        let first = self.string(parts.next()?)?;
        let (clause, reason) = match parts.next() {
            Some(r) => (Some(first), self.string(r)?),
            None => (None, first),
        };
        Some(NotEncoded {
            paragraph,
            clause,
            reason,
            loc,
        })
    }

    fn correspondence(&mut self, p: P) -> Option<Correspondence> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let outcome = self.path(parts.next()?);
        let superior = self.path(parts.next()?);
        let question = self.label(parts.next()?)?;
        let mut same = Vec::new();
        let mut agrees = false;
        for x in parts {
            match x.as_rule() {
                Rule::same_value => {
                    let mut xs = self.parts(x).into_iter();
                    let a = self.ident(xs.next()?);
                    let b = self.ident(xs.next()?);
                    same.push((a, b));
                }
                Rule::agrees => agrees = true,
                _ => self.bug(&x, "correspondence"),
            }
        }
        Some(Correspondence {
            outcome,
            superior,
            question,
            same,
            agrees,
            loc,
        })
    }

    fn difference(&mut self, p: P) -> Option<Difference> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let paragraph = self.paragraph(parts.next()?)?;
        let superior = self.paragraph(parts.next()?)?;
        let note = self.string(parts.next()?)?;
        Some(Difference {
            paragraph,
            superior,
            note,
            loc,
        })
    }

    fn citation(&mut self, p: P) -> Option<Citation> {
        let loc = self.loc(&p);
        let mut parts = self.parts(p).into_iter();
        let paragraph = self.paragraph(parts.next()?)?;
        let quote = self.string(parts.next()?)?;
        Some(Citation {
            paragraph,
            quote,
            loc,
        })
    }

    fn paragraph(&mut self, p: P) -> Option<Paragraph> {
        let loc = self.loc(&p);
        let text = p.as_str();
        let (a, rest) = text.split_once('.')?;
        let (b, c) = rest.split_once('.').unwrap_or((rest, "0"));
        match (a.parse::<u32>(), b.parse::<u32>(), c.parse::<u32>()) {
            (Ok(article), Ok(paragraph), Ok(item)) => Some(Paragraph {
                article,
                paragraph,
                item,
                loc,
            }),
            _ => {
                self.diags.push(
                    Diag::of(Problem::BadParagraph {
                        text: text.to_string(),
                    })
                    .label(loc.0, "too large"),
                );
                None
            }
        }
    }

    fn ident(&self, p: P) -> Ident {
        Ident {
            name: p.as_str().to_string(),
            loc: self.loc(&p),
        }
    }

    fn path(&self, p: P) -> Path {
        let loc = self.loc(&p);
        Path {
            segments: p.into_inner().map(|i| self.ident(i)).collect(),
            loc,
        }
    }

    fn label(&mut self, p: P) -> Option<Str> {
        let inner = self.first(p)?;
        self.string(inner)
    }

    fn string(&mut self, p: P) -> Option<Str> {
        let loc = self.loc(&p);
        let mut body = "";
        let mut closed = false;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::string_body => body = x.as_str(),
                Rule::close_quote => closed = true,
                _ => {}
            }
        }
        if !closed {
            self.diags.push(
                Diag::of(Problem::UnterminatedString)
                    .label(loc.0, "this string has no closing quote"),
            );
            return None;
        }
        let mut value = String::with_capacity(body.len());
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => value.push('\n'),
                    Some('t') => value.push('\t'),
                    Some(o) => value.push(o),
                    None => {}
                }
            } else {
                value.push(c);
            }
        }
        Some(Str { value, loc })
    }

    fn date(&mut self, p: P) -> Option<DateLit> {
        let loc = self.loc(&p);
        let text = p.as_str();
        let mut it = text.split('-');
        let (y, m, d) = (it.next()?, it.next()?, it.next()?);
        if m.len() != 2 || d.len() != 2 {
            self.diags.push(
                Diag::of(Problem::DateDigits {
                    text: text.to_string(),
                    proper: format!("{y}-{m:0>2}-{d:0>2}"),
                })
                .label(loc.0, "write month and day with two digits"),
            );
            return None;
        }
        let parsed = match (y.parse::<i32>(), m.parse::<u32>(), d.parse::<u32>()) {
            (Ok(y), Ok(m), Ok(d)) => NaiveDate::from_ymd_opt(y, m, d),
            _ => None,
        };
        match parsed {
            Some(value) => Some(DateLit { value, loc }),
            None => {
                let why = match m.parse::<u32>() {
                    Ok(1..=12) => format!("month {m} of {y} has no day {d}"),
                    _ => format!("there is no month {m}"),
                };
                self.diags.push(
                    Diag::of(Problem::NotADate {
                        text: text.to_string(),
                    })
                    .label(loc.0, why),
                );
                None
            }
        }
    }

    fn number(&mut self, p: &P) -> Option<i64> {
        let loc = self.loc(p);
        let text = p.as_str();
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        if let Ok(n) = digits.parse::<i64>() {
            return Some(n);
        }
        let text = text.to_string();
        let (problem, label) = if digits.chars().all(|c| c.is_ascii_digit()) {
            (Problem::NumberTooLarge { text }, "too large")
        } else if (digits.contains('.') || digits.ends_with('%'))
            && !digits.chars().any(|c| c.is_alphabetic())
        {
            (Problem::NotAnInteger { text }, "a decimal")
        } else {
            let lead: String = digits.chars().take_while(|c| c.is_ascii_digit()).collect();
            (
                Problem::NotANumber { text, lead },
                "digits followed by letters",
            )
        };
        self.diags.push(Diag::of(problem).label(loc.0, label));
        None
    }

    fn type_ref(&mut self, p: P) -> Option<TypeRef> {
        let inner = p.into_inner().next()?;
        match inner.as_rule() {
            Rule::int_type => {
                let loc = self.loc(&inner);
                let min = match self.parts(inner).into_iter().next() {
                    Some(n) => Some(self.number(&n)?),
                    None => None,
                };
                Some(TypeRef::Int { min, loc })
            }
            Rule::ident => Some(TypeRef::Named(self.ident(inner))),
            // `bool`, `date`, `text` in either form: named by their English
            // spelling, so that both forms give the same tree.
            Rule::builtin_type => {
                let loc = self.loc(&inner);
                let k = inner.into_inner().next()?;
                let name = crate::syntax::lexicon::by_rule(&format!("{:?}", k.as_rule()))?
                    .spelling(crate::syntax::lexicon::Form::En)
                    .to_string();
                Some(TypeRef::Named(Ident { name, loc }))
            }
            _ => {
                self.bug(&inner, "type");
                None
            }
        }
    }

    /// Counts a chain of `n` operands, which nests `n` deep once folded;
    /// refuses one that would make the tree too deep to check safely.
    fn enter_chain(&mut self, n: usize, loc: Loc) -> Option<usize> {
        if n <= 1 {
            return Some(0); // a single operand: no chain
        }
        if self.chain + n > MAX_CHAIN {
            if !self.too_long {
                self.too_long = true;
                self.diags.push(
                    Diag::of(Problem::ChainTooLong { terms: MAX_CHAIN }).label(
                        Span::new(loc.0.file, loc.0.start as usize, loc.0.start as usize + 1),
                        "this expression",
                    ),
                );
            }
            return None;
        }
        self.chain += n;
        Some(n)
    }

    /// `a and b and c`, left-nested.
    fn fold_logic(&mut self, op: BinOp, xs: Vec<P>) -> Option<Expr> {
        let mut xs = xs.into_iter();
        let mut acc = self.expr(xs.next()?)?;
        for x in xs {
            let rhs = self.expr(x)?;
            let l = Loc(acc.loc.0.to(rhs.loc.0));
            acc = Expr {
                kind: ExprKind::Binary(op, Box::new(acc), Box::new(rhs)),
                loc: l,
            };
        }
        Some(acc)
    }

    /// `a + b - c`, `a * b`, left-nested.
    fn fold_arith(&mut self, p: P) -> Option<Expr> {
        let mut xs = p.into_inner();
        let mut acc = self.expr(xs.next()?)?;
        while let Some(op) = xs.next() {
            let op = match op.as_str().trim() {
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "/" => BinOp::Div,
                _ => BinOp::Mul,
            };
            let rhs = self.expr(xs.next()?)?;
            let l = Loc(acc.loc.0.to(rhs.loc.0));
            acc = Expr {
                kind: ExprKind::Binary(op, Box::new(acc), Box::new(rhs)),
                loc: l,
            };
        }
        Some(acc)
    }

    pub(super) fn expr(&mut self, p: P) -> Option<Expr> {
        let loc = self.loc(&p);
        match p.as_rule() {
            Rule::expr | Rule::not_expr if p.clone().into_inner().count() == 1 => {
                let inner = p.into_inner().next()?;
                let e = self.expr(inner)?;
                Some(e)
            }
            Rule::if_expr => {
                let mut xs = self.parts(p).into_iter();
                let c = self.expr(xs.next()?)?;
                let a = self.expr(xs.next()?)?;
                let b = self.expr(xs.next()?)?;
                Some(Expr {
                    kind: ExprKind::If(Box::new(c), Box::new(a), Box::new(b)),
                    loc,
                })
            }
            Rule::or_expr | Rule::and_expr => {
                let op = if p.as_rule() == Rule::or_expr {
                    BinOp::Or
                } else {
                    BinOp::And
                };
                let xs = self.parts(p);
                let n = self.enter_chain(xs.len(), loc)?;
                let folded = self.fold_logic(op, xs);
                self.chain -= n;
                folded
            }
            Rule::not_expr => {
                let mut xs = p.into_inner();
                let _neg = xs.next()?;
                let e = self.expr(xs.next()?)?;
                Some(Expr {
                    kind: ExprKind::Not(Box::new(e)),
                    loc,
                })
            }
            Rule::cmp_expr => {
                let mut xs = p.into_inner();
                let lhs = self.expr(xs.next()?)?;
                let Some(op) = xs.next() else {
                    return Some(lhs);
                };
                let rhs = xs.next()?;
                match op.as_rule() {
                    Rule::cmp_op => {
                        let op = match op.as_str() {
                            "=" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<" => BinOp::Lt,
                            "<=" => BinOp::Le,
                            ">" => BinOp::Gt,
                            _ => BinOp::Ge,
                        };
                        let rhs = self.expr(rhs)?;
                        Some(Expr {
                            kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
                            loc,
                        })
                    }
                    _ => {
                        let negated = op.into_inner().next().map(|k| k.as_rule())
                            == Some(Rule::kw_not_in);
                        let mut set = Vec::new();
                        for e in rhs.into_inner() {
                            set.push(self.expr(e)?);
                        }
                        Some(Expr {
                            kind: ExprKind::In {
                                subject: Box::new(lhs),
                                negated,
                                set,
                            },
                            loc,
                        })
                    }
                }
            }
            Rule::add_expr | Rule::mul_expr => {
                let n = self.enter_chain(p.clone().into_inner().count().div_ceil(2), loc)?;
                let folded = self.fold_arith(p);
                self.chain -= n;
                folded
            }
            Rule::unary => {
                let mut xs = p.into_inner().peekable();
                let neg = xs.peek().is_some_and(|x| x.as_rule() == Rule::minus);
                if neg {
                    xs.next();
                }
                let e = self.expr(xs.next()?)?;
                if neg {
                    if let ExprKind::Int(n) = e.kind {
                        return Some(Expr {
                            kind: ExprKind::Int(n.checked_neg()?),
                            loc,
                        });
                    }
                    Some(Expr {
                        kind: ExprKind::Neg(Box::new(e)),
                        loc,
                    })
                } else {
                    Some(e)
                }
            }
            Rule::postfix => {
                let mut xs = p.into_inner();
                let e = self.expr(xs.next()?)?;
                let Some(unit) = xs.next() else {
                    return Some(e);
                };
                if unit.as_rule() == Rule::rounding {
                    let r = if unit.as_str().trim_end().ends_with("up") {
                        Rounding::Up
                    } else {
                        Rounding::Down
                    };
                    return Some(Expr {
                        kind: ExprKind::Round(Box::new(e), r),
                        loc,
                    });
                }
                let mut us = unit.into_inner();
                let word = us.next()?;
                let unit_kind = match word.as_rule() {
                    Rule::kw_days => Unit::Days,
                    Rule::kw_months => Unit::Months,
                    _ => Unit::Years,
                };
                let rounding = us.next().map(|r| {
                    if r.into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_round_up) {
                        Rounding::Up
                    } else {
                        Rounding::Down
                    }
                });
                Some(Expr {
                    kind: ExprKind::Duration {
                        amount: Box::new(e),
                        unit: unit_kind,
                        rounding,
                    },
                    loc,
                })
            }
            Rule::primary => {
                let inner = p.into_inner().next()?;
                if inner.as_rule() != Rule::expr {
                    return self.expr(inner);
                }
                // `( expr )`: kept so printing preserves the author's grouping.
                let e = self.expr(inner)?;
                Some(Expr {
                    kind: ExprKind::Paren(Box::new(e)),
                    loc,
                })
            }
            Rule::bool_lit => Some(Expr {
                kind: ExprKind::Bool(
                    p.clone().into_inner().next().map(|k| k.as_rule()) == Some(Rule::kw_true),
                ),
                loc,
            }),
            Rule::number => {
                let text = p.as_str().trim_end();
                let plain: String = text.chars().filter(|c| *c != '_').collect();
                let decimal = (plain.contains('.') || plain.ends_with('%'))
                    && !plain.chars().any(char::is_alphabetic);
                if decimal {
                    return match crate::program::Dec::parse(&plain) {
                        Some(d) => Some(Expr {
                            kind: ExprKind::Decimal(d, plain),
                            loc,
                        }),
                        None => {
                            self.diags.push(
                                Diag::of(Problem::DecimalTooLarge {
                                    text: text.to_string(),
                                })
                                .label(loc.0, "too large or too precise"),
                            );
                            None
                        }
                    };
                }
                Some(Expr {
                    kind: ExprKind::Int(self.number(&p)?),
                    loc,
                })
            }
            Rule::date => Some(Expr {
                kind: ExprKind::Date(self.date(p)?.value),
                loc,
            }),
            Rule::string => Some(Expr {
                kind: ExprKind::Text(self.string(p)?.value),
                loc,
            }),
            Rule::as_of => Some(Expr {
                kind: ExprKind::AsOf,
                loc,
            }),
            Rule::path => Some(Expr {
                kind: ExprKind::Path(self.path(p)),
                loc,
            }),
            Rule::call => {
                let mut xs = p.into_inner();
                let name = self.ident(xs.next()?);
                let mut args = Vec::new();
                for a in xs {
                    args.push(self.expr(a)?);
                }
                Some(Expr {
                    kind: ExprKind::Call(name, args),
                    loc,
                })
            }
            _ => {
                self.bug(&p, "expression");
                None
            }
        }
    }
}
