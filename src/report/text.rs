//! The caseworker's text report and the explain tree, in Chinese labels.
use super::Subject;
use crate::eval::{Derivation, EvalError, Node, RuleStatus, Status, Trace};
use crate::program::{Program, Value};
use std::fmt::Write;

/// Options of the text report.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextOptions {
    /// Show n/a outcomes too.
    pub all: bool,
    /// ANSI colour (only on a terminal).
    pub color: bool,
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn bold(&self, s: &str) -> String {
        self.wrap("1", s)
    }
    fn green(&self, s: &str) -> String {
        self.wrap("32", s)
    }
    fn yellow(&self, s: &str) -> String {
        self.wrap("33", s)
    }
    fn red(&self, s: &str) -> String {
        self.wrap("31", s)
    }
    fn dim(&self, s: &str) -> String {
        self.wrap("2", s)
    }
}

/// A document's in-force period, `2024-01-01 至 2028-12-31` (`—` when open).
pub fn period_zh(d: &crate::program::Document) -> String {
    let to = d.to.map(date).unwrap_or_else(|| "—".into());
    format!("{} 至 {to}", date(d.from))
}

fn date(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn short(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        s.to_string()
    } else {
        let cut: String = s.chars().take(n).collect();
        format!("{cut}…")
    }
}

/// The heading of an article of a document: its line in the source text,
/// after the document's name when it is not the report's.
fn article_heading(s: &Subject, doc: crate::program::DocId, article: u32) -> String {
    let d = s.p.documents.get(doc as usize);
    let heading = d
        .and_then(|d| d.regulation.heading(article))
        .map(str::to_string)
        .unwrap_or_else(|| format!("第 {article} 条"));
    match d {
        Some(d) if Some(doc) != s.ev.in_force && s.p.documents.len() > 1 => {
            format!("{} {heading}", d.id)
        }
        _ => heading,
    }
}

/// The departures an outcome takes part in, each with the other side's
/// value, document, paragraph and quotation: shown, never resolved.
pub(crate) fn departure_lines(s: &Subject, o: crate::program::OutcomeId) -> Vec<String> {
    let p = s.p;
    let mut out = Vec::new();
    for pair in crate::departure::departures(p, s.ev) {
        let (other, word) = if pair.outcome == o {
            (pair.superior, "上位规定")
        } else if pair.superior == o {
            (pair.outcome, "下位规定")
        } else {
            continue;
        };
        let Some(res) = s.ev.outcomes.get(other as usize) else {
            continue;
        };
        let name = p.outcome(other).map_or("", |x| x.name.as_str());
        let rule = res.decided_by.and_then(|r| p.rule(r));
        let doc = rule.map(|r| p.doc_id(r.document)).unwrap_or_default();
        let cite = rule
            .map(|r| {
                format!(
                    " {} {}「{}」",
                    r.cites.key(),
                    r.name,
                    short(&r.cites.quote, 60)
                )
            })
            .unwrap_or_default();
        out.push(format!(
            "≠ {word} {doc}{cite}：{name} = {}（不一致，仅列明，不作裁决）",
            p.value_label(&res.value)
        ));
    }
    out
}

/// How many of the most useful missing facts the text report lists first.
const TOP_FACTS: usize = 8;

/// The report of one case for a caseworker.
pub fn text_report(s: &Subject, case_name: &str, opts: TextOptions) -> Result<String, EvalError> {
    let p = s.p;
    let paint = Paint(opts.color);
    let mut out = String::new();
    let doc = s.document();
    if let Some(d) = doc {
        let period = match d.to {
            Some(t) => format!("{} 至 {}", date(d.from), date(t)),
            None => format!("{} 起", date(d.from)),
        };
        let issuer = d
            .issuer
            .as_deref()
            .map(|i| format!(" · {i}"))
            .unwrap_or_default();
        let _ = writeln!(out, "{}{issuer}", paint.bold(&d.id));
        let _ = writeln!(out, "施行期间：{period}");
    }
    let source = if p.embedded {
        "内置政策（embedded）"
    } else {
        "外部政策文件（external）"
    };
    let _ = writeln!(
        out,
        "评估日期：{} · 案件：{case_name} · {source}",
        date(s.ev.as_of)
    );
    out.push('\n');

    // In force: each line of documents, `in_force` first.
    let lines = p.lines.len().max(1);
    for line in 0..lines {
        let now = s.line_in_force(line);
        let d = s.line_document(line);
        let cite = d.and_then(|d| d.cites.as_ref());
        let quote = cite
            .map(|c| format!(" —— {}「{}」", c.key(), c.quote))
            .unwrap_or_default();
        let yes_no = if now.is_some() {
            paint.green("是")
        } else {
            paint.red("否")
        };
        let name = match p.lines.get(line) {
            Some((n, _)) if line > 0 => n.as_str(),
            _ => "in_force",
        };
        let _ = writeln!(out, "{}（{name}）：{yes_no}{quote}", s.line_label(line));
        if now.is_none() {
            let period = d
                .map(|d| {
                    let key = d
                        .cites
                        .as_ref()
                        .map(|c| format!("（{}）", c.key()))
                        .unwrap_or_default();
                    format!("施行期间 {}{key}", period_zh(d))
                })
                .unwrap_or_else(|| "施行期间".into());
            let _ = writeln!(
                out,
                "  评估日期 {} 不在{period}内，本文件各项结论均不适用。",
                date(s.ev.as_of)
            );
        }
    }
    if s.ev.in_force.is_none() {
        return Ok(out);
    }

    let mut derivations: Vec<Derivation> = Vec::with_capacity(p.outcomes.len());
    for i in 0..p.outcomes.len() {
        derivations.push(s.derive(u32::try_from(i).expect("outcome ids are 32 bits"))?);
    }
    // Determined outcomes, grouped by the document and article of their
    // rules, the report's document first.
    let first =
        s.ev.in_force
            .expect("returned above when nothing is in force");
    let mut articles: Vec<(bool, u32, u32)> = p
        .outcomes
        .iter()
        .map(|o| (o.document != first, o.document, o.article))
        .collect();
    articles.sort_unstable();
    articles.dedup();
    let mut hidden = 0;
    for (_, docid, a) in articles {
        let mut block = String::new();
        for d in &derivations {
            let Some(o) = p.outcome(d.outcome) else {
                continue;
            };
            if o.article != a || o.document != docid {
                continue;
            }
            match d.status {
                Status::Decided | Status::Default => {
                    let _ = writeln!(
                        block,
                        "  {}（{}）：{}",
                        o.label,
                        o.name,
                        paint.bold(&p.value_label(&d.value))
                    );
                    // A rule of an amendment names its document.
                    let doc = d
                        .document
                        .filter(|x| Some(*x) != s.ev.in_force)
                        .map(|x| format!("{} ", p.doc_id(x)))
                        .unwrap_or_default();
                    for r in d.decided_by.iter().filter_map(|r| p.rule(*r)) {
                        let _ = writeln!(
                            block,
                            "    依据 {doc}{} {}「{}」",
                            r.cites.key(),
                            r.name,
                            short(&r.cites.quote, 60)
                        );
                        for e in r.exception_to.iter().filter_map(|e| p.rule(*e)) {
                            let _ = writeln!(
                                block,
                                "    {}",
                                paint.dim(&format!(
                                    "（例外，优先于 {} {}）",
                                    e.cites.key(),
                                    e.name
                                ))
                            );
                        }
                    }
                    if d.status == Status::Default {
                        let _ = writeln!(block, "    {}", paint.dim("（无规则适用，取默认值）"));
                    }
                    for line in departure_lines(s, d.outcome) {
                        let _ = writeln!(block, "    {}", paint.yellow(&line));
                    }
                }
                Status::Conflict => {
                    let _ = writeln!(
                        block,
                        "  {}（{}）：{}",
                        o.label,
                        o.name,
                        paint.red("规则冲突，不予认定")
                    );
                    for rt in d
                        .rules
                        .iter()
                        .filter(|r| r.status == RuleStatus::Conflicting)
                    {
                        if let Some(r) = p.rule(rt.rule) {
                            let v = rt
                                .value
                                .as_ref()
                                .map(|t| p.value_label(&t.value))
                                .unwrap_or_default();
                            let _ = writeln!(
                                block,
                                "    {} {} 得出 {v}「{}」",
                                r.cites.key(),
                                r.name,
                                short(&r.cites.quote, 60)
                            );
                            let why = match &rt.condition {
                                Some(c) => why_applies(p, c),
                                None => "无条件（总是适用）".to_string(),
                            };
                            let _ = writeln!(block, "      适用原因：{why}");
                        }
                    }
                    let _ = writeln!(
                        block,
                        "    {}",
                        paint.dim(&format!(
                            "两条以上规则同时适用、结论不同且互不为例外；`regula explain CASE {}` 显示完整推导",
                            o.name
                        ))
                    );
                }
                Status::NotApplicable | Status::NotInForce if opts.all => {
                    let _ = writeln!(
                        block,
                        "  {}（{}）：{}",
                        o.label,
                        o.name,
                        paint.dim("不适用")
                    );
                    for rt in &d.rules {
                        if let (Some(r), Some(c)) = (p.rule(rt.rule), &rt.condition) {
                            let why = why_not(p, c);
                            let _ =
                                writeln!(block, "    {} {} 不适用：{}", r.cites.key(), r.name, why);
                        }
                    }
                }
                Status::NotApplicable | Status::NotInForce => hidden += 1,
                Status::Unknown => {}
            }
        }
        if block.is_empty() {
            continue;
        }
        let heading = article_heading(s, docid, a);
        let _ = writeln!(out, "\n{}", paint.bold(&heading));
        out.push_str(&block);
    }
    // Undetermined outcomes, with the facts each needs.
    let unknown: Vec<&Derivation> = derivations
        .iter()
        .filter(|d| d.status == Status::Unknown)
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            paint.yellow(&format!(
                "尚待确定的结论（{} 项，案件缺少以下事实）",
                unknown.len()
            ))
        );
        // The facts to ask for first: those that could decide the most outcomes.
        let mut counts: Vec<(usize, crate::program::FactId)> = Vec::new();
        for d in &unknown {
            for f in d.missing {
                match counts.iter_mut().find(|(_, x)| x == f) {
                    Some((n, _)) => *n += 1,
                    None => counts.push((1, *f)),
                }
            }
        }
        counts.sort_by(|a, b| {
            b.0.cmp(&a.0).then_with(|| {
                let name = |f: crate::program::FactId| p.fact(f).map(|x| x.name.as_str());
                name(a.1).cmp(&name(b.1))
            })
        });
        if counts.len() > 1 {
            let _ = writeln!(out, "  最需补充的事实及可帮助确定的结论数：");
            for (n, f) in counts.iter().take(TOP_FACTS) {
                if let Some(fact) = p.fact(*f) {
                    let _ = writeln!(out, "    {}（{}）：{n} 项", fact.label, fact.name);
                }
            }
            if counts.len() > TOP_FACTS {
                let _ = writeln!(out, "    …另有 {} 项事实，见下", counts.len() - TOP_FACTS);
            }
        }
        let mut last_article = None;
        for d in unknown {
            let Some(o) = p.outcome(d.outcome) else {
                continue;
            };
            if last_article != Some((o.document, o.article)) {
                last_article = Some((o.document, o.article));
                let heading = article_heading(s, o.document, o.article);
                let _ = writeln!(out, "  {}", paint.bold(&heading));
            }
            let _ = writeln!(out, "    {}（{}）", o.label, o.name);
            for f in d.missing.iter().filter_map(|f| p.fact(*f)) {
                let _ = writeln!(out, "      - {}（{}）", f.label, f.name);
            }
            for x in d.blocked_by.iter().filter_map(|x| p.outcome(*x)) {
                let _ = writeln!(
                    out,
                    "      - 取决于规则冲突的结论：{}（{}）",
                    x.label, x.name
                );
            }
        }
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "\n{}",
            paint.dim(&format!("另有 {hidden} 项结论不适用于本案（--all 显示）。"))
        );
    }
    Ok(out)
}

/// The facts and outcomes that made a true condition true.
fn why_applies(p: &Program, t: &Trace) -> String {
    let mut parts = Vec::new();
    leaves(p, t, &mut parts);
    if parts.is_empty() {
        format!("{} = {}", p.expr_text(t.span), p.value_label(&t.value))
    } else {
        parts.join("；")
    }
}

fn leaves(p: &Program, t: &Trace, out: &mut Vec<String>) {
    match t.node {
        Node::Fact(_) | Node::Outcome(_) | Node::Param(_) | Node::AsOf => out.push(format!(
            "{} = {}",
            p.expr_text(t.span),
            p.value_label(&t.value)
        )),
        Node::Const => {}
        _ => t.children().iter().for_each(|c| leaves(p, c, out)),
    }
}

/// The conditions that made a false condition false (why-not).
fn why_not(p: &Program, t: &Trace) -> String {
    let mut parts = Vec::new();
    failing(p, t, false, &mut parts);
    if parts.is_empty() {
        format!("{} = {}", p.expr_text(t.span), p.value_label(&t.value))
    } else {
        parts.join("；")
    }
}

fn failing(p: &Program, t: &Trace, negated: bool, out: &mut Vec<String>) {
    let want_false = !negated;
    let is_false = if want_false {
        t.value == Value::Bool(false)
    } else {
        t.value == Value::Bool(true)
    };
    match t.node {
        Node::And if want_false && is_false => {
            for c in &t.children() {
                if c.value == Value::Bool(false) {
                    failing(p, c, negated, out);
                }
            }
        }
        Node::Or if !want_false && is_false => {
            for c in &t.children() {
                if c.value == Value::Bool(true) {
                    failing(p, c, negated, out);
                }
            }
        }
        _ if t.value == Value::Absent => out.push(format!("{} 不适用", p.expr_text(t.span))),
        Node::Op => {
            // An operator: say what its facts and outcomes are.
            let mut parts = Vec::new();
            leaves(p, t, &mut parts);
            let shown = format!("{} = {}", p.expr_text(t.span), p.value_label(&t.value));
            if parts.is_empty() {
                out.push(shown);
            } else {
                out.push(format!("{shown}（因 {}）", parts.join("，")));
            }
        }
        _ => out.push(format!(
            "{} = {}",
            p.expr_text(t.span),
            p.value_label(&t.value)
        )),
    }
}

/// Why a derivation's node is its program's: the derivation was recorded
/// evaluating that program.
const TRACED: &str = "a derivation's nodes are its program's";

fn node_source(p: &Program, t: &Trace) -> String {
    match t.node {
        Node::Fact(f) => {
            let label = &p.fact(f).expect(TRACED).label;
            if t.value == Value::Unknown {
                format!("事实「{label}」，案件未载明")
            } else {
                format!("事实「{label}」")
            }
        }
        Node::Outcome(o) => format!("结论「{}」", p.outcome(o).expect(TRACED).label),
        Node::Param(x) => format!("参数「{}」", p.params.get(x as usize).expect(TRACED).label),
        Node::AsOf => "评估日期".into(),
        Node::Call(d) => {
            let def = p.defs.get(d as usize).expect(TRACED);
            let label = def.label.as_deref().unwrap_or(&def.name);
            format!("定义「{label}」")
        }
        _ => String::new(),
    }
}

fn tree(p: &Program, t: &Trace, prefix: &str, last: bool, out: &mut String, sub: &mut Vec<u32>) {
    let branch = if last { "└─ " } else { "├─ " };
    let src = node_source(p, t);
    let src = if src.is_empty() {
        String::new()
    } else {
        format!("  ← {src}")
    };
    let _ = writeln!(
        out,
        "{prefix}{branch}{} = {}{src}",
        p.expr_text(t.span),
        p.value_label(&t.value)
    );
    if let Node::Outcome(o) = t.node {
        if !sub.contains(&o) {
            sub.push(o);
        }
    }
    let child_prefix = format!("{prefix}{}", if last { "   " } else { "│  " });
    let kids: Vec<Trace> = match t.node {
        Node::Const | Node::Fact(_) | Node::Outcome(_) | Node::Param(_) | Node::AsOf => Vec::new(),
        _ => t
            .children()
            .into_iter()
            .filter(|c| c.node != Node::Const)
            .collect(),
    };
    for (i, c) in kids.iter().enumerate() {
        tree(p, c, &child_prefix, i + 1 == kids.len(), out, sub);
    }
}

/// A rule's fate in a derivation, as the text report and the graphs show it.
pub fn status_word(s: RuleStatus) -> &'static str {
    match s {
        RuleStatus::Applied => "✔ 适用",
        RuleStatus::Overridden => "✘ 被例外排除",
        RuleStatus::NotApplicable => "✘ 不适用",
        RuleStatus::Undetermined => "? 尚待确定",
        RuleStatus::Conflicting => "! 冲突",
        RuleStatus::NotInForce => "✘ 未施行",
    }
}

fn explain_one(
    s: &Subject,
    d: &Derivation,
    out: &mut String,
    depth: usize,
    done: &mut Vec<u32>,
) -> Result<(), EvalError> {
    let p = s.p;
    let Some(o) = p.outcome(d.outcome) else {
        return Ok(());
    };
    done.push(d.outcome);
    let status = match d.status {
        Status::Decided => "已确定",
        Status::Default => "无规则适用，取默认值",
        Status::NotApplicable => "无规则适用",
        Status::Unknown => "尚待确定",
        Status::Conflict => "规则冲突，不予认定",
        Status::NotInForce => "本文件未施行",
    };
    let cites = if d.cites.is_empty() {
        String::new()
    } else {
        format!("  [{}]", d.cite_keys(s.p).join(", "))
    };
    let shown = match d.status {
        Status::Unknown => "未知".to_string(),
        Status::Conflict => "—".to_string(),
        _ => p.value_label(&d.value),
    };
    let _ = writeln!(out, "{}（{}）= {shown}  {status}{cites}", o.label, o.name);
    let deciding: Vec<String> = d
        .decided_by
        .iter()
        .filter_map(|r| p.rule(*r))
        .map(|r| {
            let over: Vec<String> = r
                .exception_to
                .iter()
                .filter_map(|e| p.rule(*e))
                .map(|e| format!("{} {}", e.cites.key(), e.name))
                .collect();
            if over.is_empty() {
                format!("{} {}", r.cites.key(), r.name)
            } else {
                format!(
                    "{} {}（例外，优先于 {}）",
                    r.cites.key(),
                    r.name,
                    over.join("、")
                )
            }
        })
        .collect();
    if !deciding.is_empty() {
        let _ = writeln!(out, "  决定规则：{}", deciding.join("、"));
    }
    for line in departure_lines(s, d.outcome) {
        let _ = writeln!(out, "  {line}");
    }
    if !d.missing.is_empty() {
        let names: Vec<String> = d
            .missing
            .iter()
            .filter_map(|f| p.fact(*f))
            .map(|f| format!("{}（{}）", f.name, f.label))
            .collect();
        let _ = writeln!(out, "  缺少事实：{}", names.join("、"));
    }
    if !d.blocked_by.is_empty() {
        let names: Vec<String> = d
            .blocked_by
            .iter()
            .filter_map(|x| p.outcome(*x))
            .map(|x| format!("{}（{}）", x.name, x.label))
            .collect();
        let _ = writeln!(out, "  取决于规则冲突的结论：{}", names.join("、"));
    }
    if d.status == Status::Decided && !d.rules.iter().any(|r| r.status == RuleStatus::Applied) {
        let _ = writeln!(
            out,
            "  尚待确定的规则无论是否适用，结论都相同，故结论已确定"
        );
    }
    let mut sub = Vec::new();
    for (i, rt) in d.rules.iter().enumerate() {
        let Some(r) = p.rule(rt.rule) else { continue };
        let last = i + 1 == d.rules.len();
        let (b, cont) = if last {
            ("└─", "   ")
        } else {
            ("├─", "│  ")
        };
        let _ = writeln!(
            out,
            "{b} 规则 {} {}：{}",
            r.cites.key(),
            r.name,
            status_word(rt.status)
        );
        let _ = writeln!(out, "{cont}  「{}」", r.cites.quote);
        if !r.exception_to.is_empty() {
            let names: Vec<String> = r
                .exception_to
                .iter()
                .filter_map(|e| p.rule(*e))
                .map(|e| format!("{} {}", e.cites.key(), e.name))
                .collect();
            let _ = writeln!(out, "{cont}  例外于：{}", names.join("、"));
        }
        if !rt.overridden_by.is_empty() {
            let names: Vec<String> = rt
                .overridden_by
                .iter()
                .filter_map(|e| p.rule(*e))
                .map(|e| format!("{} {}", e.cites.key(), e.name))
                .collect();
            let _ = writeln!(out, "{cont}  被以下例外排除：{}", names.join("、"));
        }
        match &rt.condition {
            Some(c) => {
                let _ = writeln!(out, "{cont}  条件：");
                tree(p, c, &format!("{cont}  "), true, out, &mut sub);
                if rt.status == RuleStatus::NotApplicable {
                    let _ = writeln!(out, "{cont}  不适用原因：{}", why_not(p, c));
                }
            }
            None if rt.status != RuleStatus::NotInForce => {
                let _ = writeln!(out, "{cont}  条件：无（总是适用）");
            }
            None => {}
        }
        if let Some(v) = &rt.value {
            let _ = writeln!(
                out,
                "{cont}  结论：{} = {}",
                o.name,
                p.value_label(&v.value)
            );
            if !v.children().is_empty() || !matches!(v.node, Node::Const) {
                tree(p, v, &format!("{cont}  "), true, out, &mut sub);
            }
        }
    }
    if let Some(t) = &d.default {
        let _ = writeln!(
            out,
            "└─ 默认值：{} = {}",
            p.expr_text(t.span),
            p.value_label(&t.value)
        );
    }
    for o in sub {
        if done.contains(&o) || depth > p.outcomes.len() {
            continue;
        }
        let _ = writeln!(out);
        let sd = s.derive(o)?;
        explain_one(s, &sd, out, depth + 1, done)?;
    }
    Ok(())
}

/// The derivation tree of one outcome, followed by those of the outcomes it reads.
pub fn explain_text(s: &Subject, d: &Derivation) -> Result<String, EvalError> {
    let mut out = String::new();
    if d.status == Status::NotInForce {
        let p = s.p;
        if let Some(o) = p.outcome(d.outcome) {
            let _ = writeln!(out, "{}（{}）= 不适用  本文件未施行", o.label, o.name);
        }
        if let Some(doc) = s.document() {
            let cite = doc
                .cites
                .as_ref()
                .map(|c| format!("{}「{}」", c.key(), c.quote))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "└─ 评估日期 {} 不在 {} 的施行期间 {} 内  {cite}",
                date(s.ev.as_of),
                doc.id,
                period_zh(doc)
            );
        }
        return Ok(out);
    }
    let mut done = Vec::new();
    explain_one(s, d, &mut out, 0, &mut done)?;
    Ok(out)
}

/// The derivation of `in_force` in text: the assessment date against the
/// period of the document (`regula explain CASE in_force`).
pub fn in_force_text(s: &Subject, line: usize) -> String {
    let ev = s.ev;
    let now = s.line_in_force(line);
    let v = if now.is_some() { "是" } else { "否" };
    let name = s.p.lines.get(line).map_or("in_force", |(n, _)| n.as_str());
    let name = if line == 0 { "in_force" } else { name };
    let mut t = format!("{}（{name}）= {v}\n", s.line_label(line));
    if let Some(d) = s.line_document(line) {
        let cite = d
            .cites
            .as_ref()
            .map(|c| format!("  {}「{}」", c.key(), c.quote))
            .unwrap_or_default();
        let within = if now.is_some() { "在" } else { "不在" };
        t.push_str(&format!(
            "└─ 评估日期 {} {within} {} 的施行期间 {} 内{cite}\n",
            ev.as_of.format("%Y-%m-%d"),
            d.id,
            period_zh(d)
        ));
    }
    t
}
