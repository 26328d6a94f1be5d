//! Printing expressions back to policy text in the canonical layout.
use super::ast::{BinOp, Expr, ExprKind, Rounding, Unit};

/// Escapes a string literal's value and adds the quotes.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The canonical text of an expression on one line.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write_expr(e, &mut out);
    out
}

fn write_expr(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Int(n) => out.push_str(&n.to_string()),
        ExprKind::Decimal(_, text) => out.push_str(text),
        ExprKind::Round(x, r) => {
            write_expr(x, out);
            out.push_str(match r {
                Rounding::Up => " round up",
                Rounding::Down => " round down",
            });
        }
        ExprKind::Date(d) => out.push_str(&d.format("%Y-%m-%d").to_string()),
        ExprKind::Text(s) => out.push_str(&quote(s)),
        ExprKind::Path(p) => out.push_str(&p.dotted()),
        ExprKind::AsOf => out.push_str("as_of"),
        ExprKind::Not(x) => {
            out.push_str("not ");
            write_expr(x, out);
        }
        ExprKind::Neg(x) => {
            out.push('-');
            write_expr(x, out);
        }
        ExprKind::Binary(op, a, b) => {
            write_expr(a, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write_expr(b, out);
        }
        ExprKind::In {
            subject,
            negated,
            set,
        } => {
            write_expr(subject, out);
            out.push_str(if *negated { " not in {" } else { " in {" });
            for (i, x) in set.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(x, out);
            }
            out.push('}');
        }
        ExprKind::If(c, a, b) => {
            out.push_str("if ");
            write_expr(c, out);
            out.push_str(" then ");
            write_expr(a, out);
            out.push_str(" else ");
            write_expr(b, out);
        }
        ExprKind::Duration {
            amount,
            unit,
            rounding,
        } => {
            write_expr(amount, out);
            out.push_str(match unit {
                Unit::Days => " days",
                Unit::Months => " months",
                Unit::Years => " years",
            });
            match rounding {
                Some(Rounding::Up) => out.push_str(" round up"),
                Some(Rounding::Down) => out.push_str(" round down"),
                None => {}
            }
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.name);
            out.push('(');
            for (i, x) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(x, out);
            }
            out.push(')');
        }
        ExprKind::Paren(x) => {
            out.push('(');
            write_expr(x, out);
            out.push(')');
        }
    }
}

/// Whether an operator is a connective (`and`/`or`), where long lines break.
pub fn is_connective(op: BinOp) -> bool {
    matches!(op, BinOp::And | BinOp::Or)
}
