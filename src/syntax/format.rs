//! `regula fmt`: the one canonical layout of a policy file.
//!
//! Declarations are printed from the syntax tree: a rule is `rule NAME`
//! followed by indented `cites`, `exception to`, `when` and `then` clauses;
//! `and`/`or` chains that do not fit in [`WIDTH`] columns break one operand
//! per line; enum and record bodies hold one entry per line; declarations are
//! separated by one blank line, except that runs of one-line declarations of
//! the same kind (facts, outcomes) keep the author's grouping.
//!
//! The parser drops comments, so they are recovered from the source text
//! (outside strings) by position: comments on their own lines before a
//! declaration stay before it, a comment after the last token of a declaration
//! stays at the end of its last line. A declaration with a comment inside it
//! is kept verbatim, so that no comment ever moves away from what it annotates.
use super::ast::*;
use super::print::{expr as flat, is_connective, quote};
use super::lexicon::Form;
use crate::diag::Diag;
use crate::source::FileId;
use unicode_width::UnicodeWidthStr;

/// The column limit that `and`/`or` chains and `then` values break at.
pub const WIDTH: usize = 90;

/// Formats a policy file's text, keeping the form of its keywords; a file
/// that does not parse yields its errors.
#[cfg_attr(not(feature = "internals"), allow(dead_code))]
pub fn format_source(file: FileId, text: &str) -> Result<String, Vec<Diag>> {
    format_source_as(file, text, None)
}

/// Formats a policy file's text with its keywords in a form (by default the
/// form of its first keyword). Layout, names, strings and comments are those
/// of [`format_source`]; only the keywords' spelling differs between forms.
/// A file that mixes forms is made whole in the chosen one.
pub fn format_source_as(file: FileId, text: &str, form: Option<Form>) -> Result<String, Vec<Diag>> {
    let (en, first) = super::parse::convert_keywords(file, text, Form::En)?;
    let tree = super::parse_file(file, &en)?;
    let formatted = format_file(&tree, &en);
    match form.or(first).unwrap_or_default() {
        Form::En => Ok(formatted),
        zh => Ok(super::parse::convert_keywords(file, &formatted, zh)?.0),
    }
}

/// A `//` comment found in the source text.
#[derive(Clone, Copy, Debug)]
struct Comment {
    /// Byte offset of the `//`.
    start: usize,
    /// Byte offset of the end of the line (before any `\r`).
    end: usize,
    /// Whether only blanks precede it on its line.
    own_line: bool,
}

/// Every comment of a text, skipping `//` inside string literals.
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if c == '\n' {
            in_string = false;
            escaped = false;
            line_start = i + 1;
            continue;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        if c == '"' {
            in_string = true;
        } else if c == '/' && iter.peek().map(|(_, n)| *n) == Some('/') {
            let rest = text.get(i..).unwrap_or("");
            let len = rest.find('\n').unwrap_or(rest.len());
            let body = rest.get(..len).unwrap_or("").trim_end();
            let own_line = text
                .get(line_start..i)
                .is_some_and(|b| b.chars().all(char::is_whitespace));
            out.push(Comment {
                start: i,
                end: i + body.len(),
                own_line,
            });
            // Skip to the end of the line; the newline itself resets the state.
            while iter.peek().is_some_and(|(_, n)| *n != '\n') {
                iter.next();
            }
        }
    }
    out
}

/// One past the last byte of code (not blank, not comment) in `start..end`.
fn code_end(text: &str, start: usize, end: usize, comments: &[Comment]) -> usize {
    let in_comment = |pos: usize| comments.iter().any(|c| c.start <= pos && pos < c.end);
    let slice = text.get(start..end).unwrap_or("");
    for (i, c) in slice.char_indices().rev() {
        let pos = start + i;
        if c.is_whitespace() || in_comment(pos) {
            continue;
        }
        return pos + c.len_utf8();
    }
    start
}

/// Whether a blank line separates two offsets.
fn blank_between(text: &str, a: usize, b: usize) -> bool {
    text.get(a..b.max(a))
        .is_some_and(|s| s.matches('\n').count() >= 2)
}

fn comment_text(text: &str, c: &Comment) -> String {
    text.get(c.start..c.end).unwrap_or("").to_string()
}

/// Prints own-line comments, keeping single blank lines between groups.
fn push_comments(out: &mut String, text: &str, cs: &[Comment]) {
    let mut prev: Option<&Comment> = None;
    for c in cs {
        if prev.is_some_and(|p| blank_between(text, p.end, c.start)) {
            out.push('\n');
        }
        out.push_str(&comment_text(text, c));
        out.push('\n');
        prev = Some(c);
    }
}

/// Prints a parsed file in the canonical layout, with the comments of `text`.
pub fn format_file(file: &File, text: &str) -> String {
    let cs = comments(text);
    let mut out = String::new();
    // Each declaration's code range, its comments and its printed text.
    let mut prev_end: Option<usize> = None;
    let mut prev_item: Option<(&Item, bool)> = None;
    let mut used = vec![false; cs.len()];
    let starts: Vec<usize> = file
        .items
        .iter()
        .map(|i| i.loc().0.start as usize)
        .collect();
    for (n, item) in file.items.iter().enumerate() {
        let next_start = starts.get(n + 1).copied().unwrap_or(usize::MAX);
        let span = item.loc().0;
        let start = span.start as usize;
        let end = code_end(text, start, span.end as usize, &cs);
        let gap_start = prev_end.unwrap_or(0);
        let leading: Vec<Comment> = cs
            .iter()
            .zip(used.iter_mut())
            .filter(|(c, u)| !**u && c.start >= gap_start && c.start < start && c.own_line)
            .map(|(c, u)| {
                *u = true;
                *c
            })
            .collect();
        let inside = cs.iter().any(|c| c.start > start && c.start < end);
        let trailing = cs
            .iter()
            .zip(used.iter_mut())
            .find(|(c, _)| {
                !c.own_line
                    && c.start >= end
                    && c.start < next_start
                    && !text.get(end..c.start).unwrap_or("\n").contains('\n')
            })
            .map(|(c, u)| {
                *u = true;
                *c
            });
        let body = if inside {
            let inner: Vec<Comment> = cs
                .iter()
                .filter(|c| c.start > start && c.start < end)
                .copied()
                .collect();
            segments(item, text, start, end, &cs)
                .and_then(|segs| place_comments(text, &segs, &inner, &cs))
                .unwrap_or_else(|| verbatim(text, start, end))
        } else {
            format_item(item)
        };
        let one_line = !body.contains('\n');
        if let (Some(pe), Some((pi, pone))) = (prev_end, prev_item) {
            let first = leading.first().map(|c| c.start).unwrap_or(start);
            let same_group = pone && one_line && kind(pi) == kind(item);
            if !same_group || blank_between(text, pe, first) {
                out.push('\n');
            }
        }
        push_comments(&mut out, text, &leading);
        if let Some(last) = leading.last() {
            if blank_between(text, last.end, start) {
                out.push('\n');
            }
        }
        out.push_str(&body);
        if let Some(c) = trailing {
            out.push(' ');
            out.push_str(&comment_text(text, &c));
        }
        out.push('\n');
        prev_end = Some(trailing.map(|c| c.end).unwrap_or(end));
        prev_item = Some((item, one_line));
    }
    let rest: Vec<Comment> = cs
        .iter()
        .zip(used.iter())
        .filter(|(_, u)| !**u)
        .map(|(c, _)| *c)
        .filter(|c| c.start >= prev_end.unwrap_or(0))
        .collect();
    if let (Some(pe), Some(first)) = (prev_end, rest.first()) {
        if blank_between(text, pe, first.start) {
            out.push('\n');
        }
    }
    push_comments(&mut out, text, &rest);
    out
}

/// The source text of a declaration as written, without trailing blanks.
fn verbatim(text: &str, start: usize, end: usize) -> String {
    let s = text.get(start..end).unwrap_or("");
    let lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    lines.join("\n")
}

fn kind(i: &Item) -> u8 {
    match i {
        Item::Document(_) => 0,
        Item::Enum(_) => 1,
        Item::Record(_) => 2,
        Item::Fact(_) => 3,
        Item::Outcome(_) => 4,
        Item::Param(_) => 5,
        Item::Define(_) => 6,
        Item::Rule(_) => 7,
        Item::NotEncoded(_) => 8,
        Item::Correspondence(_) => 9,
        Item::Difference(_) => 10,
    }
}

fn width(s: &str) -> usize {
    s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0)
}

fn ty(t: &TypeRef) -> String {
    match t {
        TypeRef::Int { min: Some(m), .. } => format!("int >= {m}"),
        TypeRef::Int { min: None, .. } => "int".into(),
        TypeRef::Named(i) => i.name.clone(),
    }
}

fn date(d: &DateLit) -> String {
    d.value.format("%Y-%m-%d").to_string()
}

fn citation(c: &Citation) -> String {
    format!("cites {} {}", c.paragraph.key(), quote(&c.quote.value))
}

fn names(ids: &[Ident]) -> String {
    let v: Vec<&str> = ids.iter().map(|i| i.name.as_str()).collect();
    v.join(", ")
}

/// `head = value` on one line when it fits, else the value on the next line
/// indented by `indent`, broken further when it still does not fit.
fn assignment(head: &str, value: &Expr, indent: usize) -> String {
    let one = format!("{head} {}", flat(value));
    if width(&one) <= WIDTH {
        return one;
    }
    format!(
        "{head}\n{}{}",
        " ".repeat(indent),
        layout(value, indent, indent)
    )
}

/// An expression starting at column `col`, whose broken lines start at `indent`.
fn layout(e: &Expr, indent: usize, col: usize) -> String {
    let one = flat(e);
    if col + width(&one) <= WIDTH {
        return one;
    }
    match &e.kind {
        ExprKind::Binary(op, _, _) if is_connective(*op) => {
            let mut ops = Vec::new();
            operands(e, *op, &mut ops);
            let sym = op.symbol();
            let mut s = String::new();
            for (i, x) in ops.iter().enumerate() {
                // An `and` chain inside an `or` chain breaks two columns deeper.
                let inner = match &x.kind {
                    ExprKind::Binary(o, _, _) if is_connective(*o) => indent + 2,
                    _ => indent,
                };
                if i == 0 {
                    s.push_str(&layout(x, inner, col));
                } else {
                    s.push('\n');
                    s.push_str(&" ".repeat(indent));
                    s.push_str(sym);
                    s.push(' ');
                    s.push_str(&layout(x, inner, indent + sym.len() + 1));
                }
            }
            s
        }
        ExprKind::Not(x) => format!("not {}", layout(x, indent, col + 4)),
        ExprKind::Paren(x) => format!("({})", layout(x, indent + 2, col + 1)),
        _ => one,
    }
}

/// The operands of a left-nested chain of one connective.
fn operands<'a>(e: &'a Expr, op: BinOp, out: &mut Vec<&'a Expr>) {
    match &e.kind {
        ExprKind::Binary(o, a, b) if *o == op => {
            operands(a, op, out);
            out.push(b);
        }
        _ => out.push(e),
    }
}

/// One declaration in the canonical layout, without a final newline.
pub fn format_item(item: &Item) -> String {
    match item {
        Item::Document(d) => document(d),
        Item::Enum(d) => {
            let mut s = format!("enum {} {} {{", d.name.name, quote(&d.label.value));
            for (n, l) in &d.variants {
                s.push('\n');
                s.push_str(&enum_entry(n, l));
            }
            s.push_str(if d.variants.is_empty() { "}" } else { "\n}" });
            s
        }
        Item::Record(d) => {
            let mut s = format!("record {} {} {{", d.name.name, quote(&d.label.value));
            for (n, t, l) in &d.fields {
                s.push('\n');
                s.push_str(&record_entry(n, t, l));
            }
            s.push_str(if d.fields.is_empty() { "}" } else { "\n}" });
            s
        }
        Item::Fact(d) => format!(
            "fact {} : {} {}",
            d.name.dotted(),
            ty(&d.ty),
            quote(&d.label.value)
        ),
        Item::Outcome(d) => {
            let mut s = format!(
                "outcome {} : {} {}",
                d.name.dotted(),
                ty(&d.ty),
                quote(&d.label.value)
            );
            if let Some(v) = &d.default {
                s.push_str(" default ");
                s.push_str(&flat(v));
            }
            s
        }
        Item::Param(d) => {
            let values: Vec<String> = d
                .values
                .iter()
                .map(|(v, from)| match from {
                    Some(f) => format!("{} from {}", flat(v), date(f)),
                    None => flat(v),
                })
                .collect();
            let mut s = format!(
                "parameter {} : {} {} = {}",
                d.name.name,
                ty(&d.ty),
                quote(&d.label.value),
                values.join(", ")
            );
            if let Some(c) = &d.cites {
                s.push_str("\n  ");
                s.push_str(&citation(c));
            }
            s
        }
        Item::Define(d) => {
            let params: Vec<String> = d
                .params
                .iter()
                .map(|(n, t)| format!("{}: {}", n.name, ty(t)))
                .collect();
            let mut head = format!(
                "define {}({}) : {}",
                d.name.name,
                params.join(", "),
                ty(&d.ty)
            );
            if let Some(l) = &d.label {
                head.push(' ');
                head.push_str(&quote(&l.value));
            }
            head.push_str(" =");
            assignment(&head, &d.body, 2)
        }
        Item::Rule(r) => rule(r),
        Item::NotEncoded(n) => match &n.clause {
            None => format!(
                "not encoded {} {}",
                n.paragraph.key(),
                quote(&n.reason.value)
            ),
            Some(c) => format!(
                "not encoded {} {}\n  because {}",
                n.paragraph.key(),
                quote(&c.value),
                quote(&n.reason.value)
            ),
        },
        Item::Correspondence(c) => {
            let mut s = format!(
                "corresponds {} to {} {}",
                c.outcome.dotted(),
                c.superior.dotted(),
                quote(&c.question.value)
            );
            for (a, b) in &c.same {
                s.push_str(&format!("\n  same {} as {}", a.name, b.name));
            }
            if c.agrees {
                s.push_str("\n  agrees");
            }
            s
        }
        Item::Difference(d) => format!(
            "differs {} from {}\n  {}",
            d.paragraph.key(),
            d.superior.key(),
            quote(&d.note.value)
        ),
    }
}

fn document(d: &Document) -> String {
    let mut s = format!("document {}", quote(&d.id.value));
    if let Some(x) = &d.issuer {
        s.push_str(&format!("\n  issuer {}", quote(&x.value)));
    }
    if let Some(x) = &d.issued {
        s.push_str(&format!("\n  issued {}", date(x)));
    }
    if let Some(x) = &d.rank {
        s.push_str(&format!("\n  rank {}", x.name));
    }
    if let Some(x) = &d.implements {
        s.push_str(&format!("\n  implements {}", quote(&x.value)));
    }
    if let Some(x) = &d.source {
        s.push_str(&format!("\n  source {}", quote(&x.value)));
    }
    if let Some(from) = &d.in_force_from {
        s.push_str(&format!("\n  in force from {}", date(from)));
        if let Some(to) = &d.in_force_to {
            s.push_str(&format!(" to {}", date(to)));
        }
        if let Some(n) = &d.in_force_name {
            s.push_str(&format!(" as {}", n.dotted()));
        }
        if let Some(c) = &d.in_force_cites {
            s.push_str("\n    ");
            s.push_str(&citation(c));
        }
    }
    for (doc, from) in &d.replaces {
        s.push_str(&format!(
            "\n  replaces {} from {}",
            quote(&doc.value),
            date(from)
        ));
    }
    for a in &d.amends {
        s.push_str(&format!(
            "\n  amends {} from {}",
            quote(&a.document.value),
            date(&a.from)
        ));
        if !a.rules.is_empty() {
            s.push_str(&format!(" rules {}", names(&a.rules)));
        }
        if !a.parameters.is_empty() {
            s.push_str(&format!(" parameters {}", names(&a.parameters)));
        }
    }
    s
}

fn rule(r: &RuleDecl) -> String {
    let mut s = format!("rule {}\n{}", r.name.name, cites_clause(r));
    if let Some(x) = exception_clause(r) {
        s.push('\n');
        s.push_str(&x);
    }
    if let Some(w) = when_clause(r) {
        s.push('\n');
        s.push_str(&w);
    }
    s.push('\n');
    s.push_str(&then_clause(r));
    s
}

fn cites_clause(r: &RuleDecl) -> String {
    format!("  {}", citation(&r.cites))
}

fn exception_clause(r: &RuleDecl) -> Option<String> {
    (!r.exception_to.is_empty()).then(|| format!("  exception to {}", names(&r.exception_to)))
}

fn when_clause(r: &RuleDecl) -> Option<String> {
    r.when
        .as_ref()
        .map(|w| format!("  when {}", layout(w, 4, 7)))
}

fn then_clause(r: &RuleDecl) -> String {
    assignment(&format!("  then {} =", r.outcome.dotted()), &r.value, 4)
}

fn enum_entry(n: &Ident, l: &Str) -> String {
    format!("  {} {}", n.name, quote(&l.value))
}

fn record_entry(n: &Ident, t: &TypeRef, l: &Str) -> String {
    format!("  {} : {} {}", n.name, ty(t), quote(&l.value))
}

/// A piece of a declaration that owns whole output lines: the source range
/// of its code, its printed text, and the indentation of comments before it.
struct Seg {
    start: usize,
    end: usize,
    text: String,
    indent: usize,
}

/// Where a keyword that opens a clause starts: its last occurrence outside
/// comments between two offsets.
fn keyword_before(text: &str, from: usize, to: usize, kw: &str, cs: &[Comment]) -> Option<usize> {
    let hay = text.get(from..to)?;
    hay.match_indices(kw)
        .map(|(i, _)| from + i)
        .filter(|pos| !cs.iter().any(|c| c.start <= *pos && *pos < c.end))
        .last()
}

/// The line-owning pieces of a rule, an enum or a record, in source order.
fn segments(item: &Item, text: &str, start: usize, end: usize, cs: &[Comment]) -> Option<Vec<Seg>> {
    let seg = |a: usize, b: usize, t: String, indent: usize| Seg {
        start: a,
        end: code_end(text, a, b, cs),
        text: t,
        indent,
    };
    let mut out = Vec::new();
    match item {
        Item::Rule(r) => {
            let name_end = r.name.loc.0.end as usize;
            out.push(seg(start, name_end, format!("rule {}", r.name.name), 0));
            let c = r.cites.loc.0;
            out.push(seg(c.start as usize, c.end as usize, cites_clause(r), 2));
            let mut prev = c.end as usize;
            if let (Some(first), Some(last), Some(t)) = (
                r.exception_to.first(),
                r.exception_to.last(),
                exception_clause(r),
            ) {
                let at = keyword_before(text, prev, first.loc.0.start as usize, "exception", cs)?;
                prev = last.loc.0.end as usize;
                out.push(seg(at, prev, t, 2));
            }
            if let (Some(w), Some(t)) = (&r.when, when_clause(r)) {
                let at = keyword_before(text, prev, w.loc.0.start as usize, "when", cs)?;
                prev = w.loc.0.end as usize;
                out.push(seg(at, prev, t, 2));
            }
            let at = keyword_before(text, prev, r.outcome.loc.0.start as usize, "then", cs)?;
            out.push(seg(at, end, then_clause(r), 2));
        }
        Item::Enum(d) => {
            let brace = text.get(d.label.loc.0.end as usize..end)?.find('{')?;
            let open = d.label.loc.0.end as usize + brace + 1;
            let head = format!("enum {} {} {{", d.name.name, quote(&d.label.value));
            out.push(seg(start, open, head, 0));
            for (n, l) in &d.variants {
                let (a, b) = (n.loc.0.start as usize, l.loc.0.end as usize);
                out.push(seg(a, b, enum_entry(n, l), 2));
            }
            out.push(seg(end.saturating_sub(1), end, "}".into(), 2));
        }
        Item::Record(d) => {
            let brace = text.get(d.label.loc.0.end as usize..end)?.find('{')?;
            let open = d.label.loc.0.end as usize + brace + 1;
            let head = format!("record {} {} {{", d.name.name, quote(&d.label.value));
            out.push(seg(start, open, head, 0));
            for (n, t, l) in &d.fields {
                let (a, b) = (n.loc.0.start as usize, l.loc.0.end as usize);
                out.push(seg(a, b, record_entry(n, t, l), 2));
            }
            out.push(seg(end.saturating_sub(1), end, "}".into(), 2));
        }
        _ => return None,
    }
    Some(out)
}

/// Whether only blanks and comments lie between two offsets.
fn only_blank(text: &str, a: usize, b: usize, cs: &[Comment]) -> bool {
    let Some(slice) = text.get(a..b.max(a)) else {
        return false;
    };
    slice.char_indices().all(|(i, ch)| {
        let pos = a + i;
        ch.is_whitespace() || cs.iter().any(|c| c.start <= pos && pos < c.end)
    })
}

/// The pieces joined, with each inner comment on the line of the piece it
/// follows (a trailing comment) or before the piece it precedes (a comment on
/// its own line); None when a comment sits inside a piece.
fn place_comments(text: &str, segs: &[Seg], inner: &[Comment], cs: &[Comment]) -> Option<String> {
    let mut leading: Vec<Vec<&Comment>> = segs.iter().map(|_| Vec::new()).collect();
    let mut trailing: Vec<Option<&Comment>> = segs.iter().map(|_| None).collect();
    for c in inner {
        let k = segs.iter().rposition(|s| s.end <= c.start)?;
        let here = segs.get(k)?;
        let next = segs.get(k + 1);
        if next.is_some_and(|n| c.start >= n.start) {
            return None;
        }
        if !only_blank(text, here.end, c.start, cs) {
            return None;
        }
        if let Some(n) = next {
            if !only_blank(text, c.end, n.start, cs) {
                return None;
            }
        }
        if c.own_line {
            leading.get_mut(k + 1)?.push(c);
        } else {
            let slot = trailing.get_mut(k)?;
            if slot.is_some() {
                return None;
            }
            *slot = Some(c);
        }
    }
    let mut out = String::new();
    for (i, seg) in segs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for c in leading.get(i).into_iter().flatten() {
            out.push_str(&" ".repeat(seg.indent));
            out.push_str(&comment_text(text, c));
            out.push('\n');
        }
        out.push_str(&seg.text);
        if let Some(c) = trailing.get(i).copied().flatten() {
            out.push(' ');
            out.push_str(&comment_text(text, c));
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format_source(FileId(0), s).unwrap()
    }

    #[test]
    fn comments_are_kept_in_place() {
        let src = "// head\n\nfact a : bool \"a\" // trailing\n// before b\nfact b : bool \"b\"\n\n// end\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn a_comment_inside_an_expression_keeps_the_declaration_verbatim() {
        let src = "rule r cites 1.1 \"x\"\n  when a // why\n    and b\n  then o = true\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn comments_between_clauses_and_entries_are_placed() {
        let src = "rule r // head\n cites 1.1 \"x\" // on cites\n // before when\n when a and b // on when\n then o = true\n\nenum E \"e\" { // open\n  // before a\n  a \"a\" // on a\n  b \"b\"\n  // at the end\n}\n";
        assert_eq!(
            fmt(src),
            "rule r // head\n  cites 1.1 \"x\" // on cites\n  // before when\n  when a and b // on when\n  then o = true\n\nenum E \"e\" { // open\n  // before a\n  a \"a\" // on a\n  b \"b\"\n  // at the end\n}\n"
        );
    }

    #[test]
    fn a_trailing_comment_stays_with_the_last_declaration_of_its_line() {
        assert_eq!(
            fmt("fact a : bool \"a\" fact b : bool \"b\" // on b\n"),
            "fact a : bool \"a\"\nfact b : bool \"b\" // on b\n"
        );
    }

    #[test]
    fn strings_with_slashes_are_not_comments() {
        let src = "fact a : text \"http://x\"\n";
        assert_eq!(fmt(src), src);
    }

    #[test]
    fn long_chains_break_one_operand_per_line() {
        let src = "rule r cites 1.1 \"x\" when aaaaaaaaaaaaaaaaaaaa and bbbbbbbbbbbbbbbbbbbbbbbbbbb and ccccccccccccccccccccccccc and ddd then o = true";
        assert_eq!(
            fmt(src),
            "rule r\n  cites 1.1 \"x\"\n  when aaaaaaaaaaaaaaaaaaaa\n    and bbbbbbbbbbbbbbbbbbbbbbbbbbb\n    and ccccccccccccccccccccccccc\n    and ddd\n  then o = true\n"
        );
    }
}
