//! Graphs of a policy set and of one derivation, as Graphviz DOT or Mermaid.
//!
//! The policy graph shows what every rule reads (facts, parameters, other
//! outcomes) and concludes, with exceptions as dashed, labelled edges between
//! rules, grouped in one box per article headed by the article's heading in
//! the source text. The derivation graph draws one outcome of one case: its
//! rules with their fate and the facts they read with their values.
use crate::eval::{Derivation, Node as TraceNode, RuleStatus, Trace};
use crate::program::{DocId, Expr, ExprKind, FactId, OutcomeId, ParamId, Program, RuleId, Value};
use crate::report::Subject;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The output language of a graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum GraphFormat {
    /// Graphviz DOT (`dot -Tsvg` renders it).
    #[default]
    Dot,
    /// Mermaid flowchart (renders in Markdown on GitHub and GitLab).
    Mermaid,
}

/// What a node stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Fact,
    Param,
    Rule(Option<RuleStatus>),
    Outcome,
}

/// What an edge means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum EdgeKind {
    /// A rule reads a fact, parameter or outcome.
    Reads,
    /// A rule concludes an outcome.
    Concludes,
    /// A rule is an exception to another.
    Exception,
    /// A lower document's outcome answers the same question as an outcome
    /// of the document it implements (`corresponds`).
    Corresponds,
}

struct GNode {
    id: String,
    label: Vec<String>,
    kind: Kind,
}

#[derive(Default)]
struct Graph {
    title: String,
    nodes: Vec<GNode>,
    /// Boxes: a title and the indices of their nodes.
    clusters: Vec<(String, Vec<usize>)>,
    edges: Vec<(String, String, EdgeKind)>,
}

impl Graph {
    fn node(&mut self, id: String, label: Vec<String>, kind: Kind) -> usize {
        if let Some(i) = self.nodes.iter().position(|n| n.id == id) {
            return i;
        }
        self.nodes.push(GNode { id, label, kind });
        self.nodes.len() - 1
    }
    fn edge(&mut self, from: &str, to: &str, kind: EdgeKind) {
        let e = (from.to_string(), to.to_string(), kind);
        if !self.edges.contains(&e) {
            self.edges.push(e);
        }
    }
    fn render(&self, f: GraphFormat) -> String {
        match f {
            GraphFormat::Dot => self.dot(),
            GraphFormat::Mermaid => self.mermaid(),
        }
    }

    fn dot(&self) -> String {
        let font = "Noto Sans CJK SC";
        let mut s = String::new();
        let _ = writeln!(s, "digraph {} {{", dot_str(&self.title));
        let _ = writeln!(
            s,
            "  graph [rankdir=LR, fontname={}, fontsize=12, labelloc=t, label={}];",
            dot_str(font),
            dot_str(&self.title)
        );
        let _ = writeln!(s, "  node [fontname={}, fontsize=10];", dot_str(font));
        let _ = writeln!(s, "  edge [fontname={}, fontsize=9];", dot_str(font));
        let mut in_cluster = BTreeSet::new();
        // With rankdir=LR, dot stacks boxes bottom-up: emit the last article first.
        for (i, (title, members)) in self.clusters.iter().enumerate().rev() {
            let _ = writeln!(s, "  subgraph cluster_{i} {{");
            let _ = writeln!(
                s,
                "    label={}; style=rounded; color=gray60;",
                dot_str(title)
            );
            for m in members {
                if let Some(n) = self.nodes.get(*m) {
                    let _ = writeln!(s, "    {}", dot_node(n));
                    in_cluster.insert(*m);
                }
            }
            let _ = writeln!(s, "  }}");
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if !in_cluster.contains(&i) {
                let _ = writeln!(s, "  {}", dot_node(n));
            }
        }
        for (a, b, k) in &self.edges {
            let attrs = match k {
                EdgeKind::Reads => "",
                EdgeKind::Concludes => " [penwidth=2]",
                EdgeKind::Exception => {
                    " [style=dashed, color=firebrick, fontcolor=firebrick, label=\"例外 exception to\"]"
                }
                EdgeKind::Corresponds => {
                    " [style=dotted, dir=both, color=darkorchid, fontcolor=darkorchid, label=\"对应 corresponds\"]"
                }
            };
            let _ = writeln!(s, "  {a} -> {b}{attrs};");
        }
        s.push_str("}\n");
        s
    }

    fn mermaid(&self) -> String {
        let mut s = String::from("flowchart LR\n");
        let mut in_cluster = BTreeSet::new();
        for (i, (title, members)) in self.clusters.iter().enumerate() {
            let _ = writeln!(s, "  subgraph a{i}[{}]", mermaid_str(title));
            for m in members {
                if let Some(n) = self.nodes.get(*m) {
                    let _ = writeln!(s, "    {}", mermaid_node(n));
                    in_cluster.insert(*m);
                }
            }
            let _ = writeln!(s, "  end");
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if !in_cluster.contains(&i) {
                let _ = writeln!(s, "  {}", mermaid_node(n));
            }
        }
        for (a, b, k) in &self.edges {
            let arrow = match k {
                EdgeKind::Reads => "-->",
                EdgeKind::Concludes => "==>",
                EdgeKind::Exception => "-.->|例外 exception to|",
                EdgeKind::Corresponds => "<-.->|对应 corresponds|",
            };
            let _ = writeln!(s, "  {a} {arrow} {b}");
        }
        s.push_str("  classDef fact fill:#eef5ff,stroke:#4a78b5\n");
        s.push_str("  classDef param fill:#fff7e0,stroke:#b58a2e\n");
        s.push_str("  classDef outcome fill:#eaf7ea,stroke:#3d8b3d\n");
        s.push_str("  classDef applied fill:#d6f5d6,stroke:#2e7d32,stroke-width:2px\n");
        s.push_str("  classDef inactive fill:#f2f2f2,stroke:#9e9e9e,color:#757575\n");
        s.push_str("  classDef pending fill:#fff3cd,stroke:#b58a2e\n");
        s.push_str("  classDef conflict fill:#fde0e0,stroke:#c62828\n");
        let mut classes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for n in &self.nodes {
            if let Some(c) = mermaid_class(n.kind) {
                classes.entry(c).or_default().push(&n.id);
            }
        }
        for (c, ids) in classes {
            let _ = writeln!(s, "  class {} {c}", ids.join(","));
        }
        s
    }
}

fn dot_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dot_node(n: &GNode) -> String {
    let style = match n.kind {
        Kind::Fact => "shape=ellipse, style=filled, fillcolor=\"#eef5ff\"",
        Kind::Param => "shape=parallelogram, style=filled, fillcolor=\"#fff7e0\"",
        Kind::Outcome => "shape=box, style=\"rounded,filled,bold\", fillcolor=\"#eaf7ea\"",
        Kind::Rule(None) => "shape=box",
        Kind::Rule(Some(RuleStatus::Applied)) => {
            "shape=box, style=\"filled,bold\", fillcolor=\"#d6f5d6\""
        }
        Kind::Rule(Some(RuleStatus::Undetermined)) => {
            "shape=box, style=filled, fillcolor=\"#fff3cd\""
        }
        Kind::Rule(Some(RuleStatus::Conflicting)) => {
            "shape=box, style=filled, fillcolor=\"#fde0e0\""
        }
        Kind::Rule(Some(_)) => {
            "shape=box, style=\"filled,dashed\", fillcolor=\"#f2f2f2\", fontcolor=gray40"
        }
    };
    format!(
        "{} [label={}, {style}];",
        n.id,
        dot_str(&n.label.join("\n"))
    )
}

fn mermaid_str(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "#quot;"))
}

fn mermaid_node(n: &GNode) -> String {
    let label = mermaid_str(&n.label.join("\n").replace('\n', "<br/>"));
    match n.kind {
        Kind::Fact => format!("{}([{label}])", n.id),
        Kind::Param => format!("{}[/{label}/]", n.id),
        Kind::Outcome => format!("{}[[{label}]]", n.id),
        Kind::Rule(_) => format!("{}[{label}]", n.id),
    }
}

fn mermaid_class(k: Kind) -> Option<&'static str> {
    Some(match k {
        Kind::Fact => "fact",
        Kind::Param => "param",
        Kind::Outcome => "outcome",
        Kind::Rule(None) => return None,
        Kind::Rule(Some(RuleStatus::Applied)) => "applied",
        Kind::Rule(Some(RuleStatus::Undetermined)) => "pending",
        Kind::Rule(Some(RuleStatus::Conflicting)) => "conflict",
        Kind::Rule(Some(_)) => "inactive",
    })
}

/// What an expression reads.
#[derive(Default)]
pub(crate) struct Reads {
    pub(crate) facts: BTreeSet<FactId>,
    params: BTreeSet<ParamId>,
    pub(crate) outcomes: BTreeSet<OutcomeId>,
}

/// Adds what an expression reads (a record argument: its fields).
pub(crate) fn reads(p: &Program, e: &Expr, r: &mut Reads) {
    match &e.kind {
        ExprKind::Fact(f) => {
            r.facts.insert(*f);
        }
        ExprKind::Group(g) => {
            if let Some(g) = p.groups.get(*g as usize) {
                let n = p
                    .records
                    .get(g.record as usize)
                    .map(|rec| rec.fields.len())
                    .unwrap_or(0);
                for i in 0..n {
                    if let Ok(i) = u32::try_from(i) {
                        r.facts.insert(g.first + i);
                    }
                }
            }
        }
        ExprKind::Outcome(o) => {
            r.outcomes.insert(*o);
        }
        ExprKind::Param(x) => {
            r.params.insert(*x);
        }
        ExprKind::Const(_) | ExprKind::AsOf | ExprKind::Local(_) => {}
        ExprKind::Not(x)
        | ExprKind::Neg(x)
        | ExprKind::Days(x)
        | ExprKind::Months(x, _, _)
        | ExprKind::Round(x, _) => reads(p, x, r),
        ExprKind::In(x, _, _) => reads(p, x, r),
        ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Cmp(_, a, b)
        | ExprKind::Arith(_, a, b) => {
            reads(p, a, r);
            reads(p, b, r);
        }
        ExprKind::If(c, a, b) => {
            reads(p, c, r);
            reads(p, a, r);
            reads(p, b, r);
        }
        ExprKind::Call(_, args, body) => {
            for a in args {
                reads(p, a, r);
            }
            reads(p, body, r);
        }
    }
}

/// The facts a rule reads in its condition and value, in slot order.
pub(crate) fn rule_facts(p: &Program, rule: &crate::program::Rule) -> Vec<FactId> {
    let mut r = Reads::default();
    if let Some(w) = &rule.when {
        reads(p, w, &mut r);
    }
    reads(p, &rule.value, &mut r);
    r.facts.into_iter().collect()
}

/// A Chinese label broken into balanced lines of at most 16 characters.
fn wrap(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    let lines = chars.len().div_ceil(16).max(1);
    let per = chars.len().div_ceil(lines).max(1);
    let parts: Vec<String> = chars.chunks(per).map(|c| c.iter().collect()).collect();
    parts.join("\n")
}

fn fact_node(p: &Program, f: FactId) -> (String, Vec<String>) {
    let (name, label) = p
        .fact(f)
        .map(|x| (x.name.clone(), x.label.clone()))
        .unwrap_or_default();
    (format!("f{f}"), vec![wrap(&label), name])
}

fn outcome_node(p: &Program, o: OutcomeId) -> (String, Vec<String>) {
    let (name, label) = p
        .outcome(o)
        .map(|x| (x.name.clone(), x.label.clone()))
        .unwrap_or_default();
    (format!("o{o}"), vec![wrap(&label), name])
}

fn param_node(p: &Program, x: ParamId) -> (String, Vec<String>) {
    let (name, label) = p
        .params
        .get(x as usize)
        .map(|x| (x.name.clone(), x.label.clone()))
        .unwrap_or_default();
    (format!("p{x}"), vec![wrap(&label), name])
}

/// `4.2「外省市劳务派遣单位未在本市…」`: a paragraph and the start of its quote.
fn cite_label(c: &crate::program::Cite) -> String {
    let quote: String = c.quote.chars().take(12).collect();
    let more = if c.quote.chars().count() > 12 {
        "…"
    } else {
        ""
    };
    format!("{}「{quote}{more}」", c.key())
}

fn rule_node(p: &Program, r: RuleId) -> (String, Vec<String>) {
    let label = p
        .rule(r)
        .map(|x| vec![x.name.clone(), cite_label(&x.cites)])
        .unwrap_or_default();
    (format!("r{r}"), label)
}

fn article_title(p: &Program, doc: DocId, article: u32) -> String {
    p.documents
        .get(doc as usize)
        .and_then(|d| d.regulation.heading(article))
        .map(str::to_string)
        .unwrap_or_else(|| format!("第 {article} 条"))
}

/// The dependency graph of a whole policy set.
pub fn policy_graph(p: &Program, f: GraphFormat) -> String {
    let mut g = Graph {
        title: p
            .documents
            .iter()
            .map(|d| d.id.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        ..Graph::default()
    };
    // Which articles read each fact and parameter: one article puts the node in its box.
    let mut fact_articles: BTreeMap<FactId, BTreeSet<(DocId, u32)>> = BTreeMap::new();
    let mut param_articles: BTreeMap<ParamId, BTreeSet<(DocId, u32)>> = BTreeMap::new();
    let mut rule_reads = Vec::new();
    for r in &p.rules {
        let mut rd = Reads::default();
        if let Some(w) = &r.when {
            reads(p, w, &mut rd);
        }
        reads(p, &r.value, &mut rd);
        let art = (r.document, r.cites.article);
        for x in &rd.facts {
            fact_articles.entry(*x).or_default().insert(art);
        }
        for x in &rd.params {
            param_articles.entry(*x).or_default().insert(art);
        }
        rule_reads.push(rd);
    }
    let mut clusters: BTreeMap<(DocId, u32), Vec<usize>> = BTreeMap::new();
    let mut place =
        |g: &mut Graph, art: Option<(DocId, u32)>, (id, label): (String, Vec<String>), kind| {
            let i = g.node(id, label, kind);
            if let Some(a) = art {
                let members = clusters.entry(a).or_default();
                if !members.contains(&i) {
                    members.push(i);
                }
            }
        };
    let only = |s: Option<&BTreeSet<(DocId, u32)>>| match s {
        Some(s) if s.len() == 1 => s.iter().next().copied(),
        _ => None,
    };
    for (i, _) in p.facts.iter().enumerate() {
        let Ok(f) = u32::try_from(i) else { continue };
        place(
            &mut g,
            only(fact_articles.get(&f)),
            fact_node(p, f),
            Kind::Fact,
        );
    }
    for (i, _) in p.params.iter().enumerate() {
        let Ok(x) = u32::try_from(i) else { continue };
        place(
            &mut g,
            only(param_articles.get(&x)),
            param_node(p, x),
            Kind::Param,
        );
    }
    for (i, r) in p.rules.iter().enumerate() {
        let Ok(rid) = u32::try_from(i) else { continue };
        let art = Some((r.document, r.cites.article));
        place(&mut g, art, rule_node(p, rid), Kind::Rule(None));
    }
    for (i, o) in p.outcomes.iter().enumerate() {
        let Ok(oid) = u32::try_from(i) else { continue };
        let doc = o
            .rules
            .first()
            .and_then(|r| p.rule(*r))
            .map(|r| r.document)
            .unwrap_or(0);
        place(
            &mut g,
            Some((doc, o.article)),
            outcome_node(p, oid),
            Kind::Outcome,
        );
    }
    for (i, (r, rd)) in p.rules.iter().zip(&rule_reads).enumerate() {
        let rid = format!("r{i}");
        for x in &rd.facts {
            g.edge(&format!("f{x}"), &rid, EdgeKind::Reads);
        }
        for x in &rd.params {
            g.edge(&format!("p{x}"), &rid, EdgeKind::Reads);
        }
        for x in &rd.outcomes {
            g.edge(&format!("o{x}"), &rid, EdgeKind::Reads);
        }
        g.edge(&rid, &format!("o{}", r.outcome), EdgeKind::Concludes);
        for base in &r.exception_to {
            g.edge(&rid, &format!("r{base}"), EdgeKind::Exception);
        }
    }
    for pair in p.pairs() {
        g.edge(
            &format!("o{}", pair.outcome),
            &format!("o{}", pair.superior),
            EdgeKind::Corresponds,
        );
    }
    g.clusters = clusters
        .into_iter()
        .map(|((doc, art), members)| (article_title(p, doc, art), members))
        .collect();
    g.render(f)
}

/// The leaves a trace read, with their values.
fn trace_leaves<'a>(t: &Trace<'a>, out: &mut Vec<(&'a TraceNode, &'a Value)>) {
    let n = t.node_ref();
    match n.node {
        TraceNode::Fact(_) | TraceNode::Outcome(_) | TraceNode::Param(_) => {
            out.push((&n.node, &n.value));
        }
        _ => {
            for c in &t.children() {
                trace_leaves(c, out);
            }
        }
    }
}

/// The graph of one derivation: the outcome, its rules with their fate, and
/// the facts, parameters and outcomes they read with their values.
pub fn derivation_graph(s: &Subject, d: &Derivation, f: GraphFormat) -> String {
    let p = s.p;
    let (oid, mut olabel) = outcome_node(p, d.outcome);
    olabel.push(format!("= {}", p.value_label(&d.value)));
    let mut g = Graph {
        title: olabel.first().cloned().unwrap_or_default(),
        ..Graph::default()
    };
    g.node(oid.clone(), olabel, Kind::Outcome);
    let in_derivation: BTreeSet<RuleId> = d.rules.iter().map(|r| r.rule).collect();
    for rt in &d.rules {
        let (rid, mut label) = rule_node(p, rt.rule);
        label.push(crate::report::status_word(rt.status).to_string());
        g.node(rid.clone(), label, Kind::Rule(Some(rt.status)));
        let mut leaves = Vec::new();
        for t in rt.condition.iter().chain(rt.value.iter()) {
            trace_leaves(t, &mut leaves);
        }
        for (node, value) in leaves {
            let (id, mut label, kind) = match node {
                TraceNode::Fact(x) => {
                    let (id, l) = fact_node(p, *x);
                    (id, l, Kind::Fact)
                }
                TraceNode::Param(x) => {
                    let (id, l) = param_node(p, *x);
                    (id, l, Kind::Param)
                }
                TraceNode::Outcome(x) => {
                    let (id, l) = outcome_node(p, *x);
                    (id, l, Kind::Outcome)
                }
                _ => continue,
            };
            label.push(format!("= {}", p.value_label(value)));
            g.node(id.clone(), label, kind);
            g.edge(&id, &rid, EdgeKind::Reads);
        }
        g.edge(&rid, &oid, EdgeKind::Concludes);
        if let Some(r) = p.rule(rt.rule) {
            for base in r.exception_to.iter().filter(|b| in_derivation.contains(b)) {
                g.edge(&rid, &format!("r{base}"), EdgeKind::Exception);
            }
        }
    }
    g.render(f)
}

/// The derivation of `in_force`: the assessment date against the period in
/// the document's header.
pub fn in_force_graph(s: &Subject, f: GraphFormat, line: usize) -> String {
    let yes = s.line_in_force(line).is_some();
    let value = if yes { "是" } else { "否" };
    let name = match s.p.lines.get(line) {
        Some((n, _)) if line > 0 => n.clone(),
        _ => "in_force".to_string(),
    };
    let olabel = vec![s.line_label(line), name, format!("= {value}")];
    let mut g = Graph {
        title: olabel.first().cloned().unwrap_or_default(),
        ..Graph::default()
    };
    g.node("in_force".into(), olabel, Kind::Outcome);
    let date = s.ev.as_of.format("%Y-%m-%d").to_string();
    g.node(
        "as_of".into(),
        vec!["评估日期".into(), "as_of".into(), format!("= {date}")],
        Kind::Fact,
    );
    if let Some(d) = s.line_document(line) {
        let mut label = vec![
            d.id.clone(),
            format!("施行期间 {}", crate::report::period_zh(d)),
        ];
        if let Some(c) = &d.cites {
            label.push(cite_label(c));
        }
        let status = if yes {
            RuleStatus::Applied
        } else {
            RuleStatus::NotApplicable
        };
        label.push(crate::report::status_word(status).to_string());
        g.node("period".into(), label, Kind::Rule(Some(status)));
        g.edge("as_of", "period", EdgeKind::Reads);
        g.edge("period", "in_force", EdgeKind::Concludes);
    }
    g.render(f)
}
